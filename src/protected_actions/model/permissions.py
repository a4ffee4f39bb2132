"""Permissions (directory resource actions), the protectable catalog and role definitions.

A permission is a resource action such as
``microsoft.directory/conditionalAccessPolicies/basic/update``: a namespace, an
entity, optional property sets and a verb. Role definitions grant permissions; a
``<namespace>/<entity>/allProperties/allTasks`` entry covers every action on that
entity (Global Administrator holds Conditional Access only that way, entra-facts §10).
Names are compared case-insensitively, as Graph does for ``unifiedRbacResourceAction``
names (entra-facts §1.5).
"""

from __future__ import annotations

import re
from typing import Any

import attrs

from protected_actions.errors import InvalidModelError, InvalidPermissionError

from .frozen import FrozenDict, FrozenJSON
from .validators import non_empty_str, optional_str
from .vocabulary import ascii_lower

__all__ = [
    "BUILT_IN_ROLES",
    "CONDITIONAL_ACCESS_ADMINISTRATOR",
    "DIRECTORY_NAMESPACE",
    "GLOBAL_ADMINISTRATOR",
    "PRIVILEGED_ROLE_ADMINISTRATOR",
    "PROTECTABLE_PERMISSIONS",
    "Permission",
    "RoleDefinition",
    "SECURITY_ADMINISTRATOR",
]


def __dir__() -> list[str]:
    return __all__


DIRECTORY_NAMESPACE = "microsoft.directory"
_ALL_TASKS = ("allproperties", "alltasks")
_SEGMENT = r"[A-Za-z0-9]+(?:\.[A-Za-z0-9]+)*"
# The verb may end in a permission grant policy id (``managePermissionGrantsForSelf.
# microsoft-user-default-legacy``), the one place Entra puts hyphens in an action.
_VERB = r"[A-Za-z0-9]+(?:\.[A-Za-z0-9][A-Za-z0-9-]*)*"
_PERMISSION = re.compile(rf"{_SEGMENT}/{_SEGMENT}(?:/{_SEGMENT})*/{_VERB}")


def _parse(instance: Permission, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or not _PERMISSION.fullmatch(value):
        raise InvalidPermissionError(value)


@attrs.frozen(repr=False)
class Permission:
    """A resource action, e.g. ``microsoft.directory/conditionalAccessPolicies/create``.

    The grammar is ``namespace/entity[/property...]/verb``: segments of ASCII letters
    and digits joined by single dots; the verb may end in a dotted permission grant
    policy id, which may hold hyphens (``managePermissionGrantsForSelf.microsoft-all-
    application-permissions``; see
    https://learn.microsoft.com/en-us/entra/identity/role-based-access-control/custom-consent-permissions).
    Anything else (a space, an underscore, a ``*``, a homoglyph such as the Cyrillic
    letter U+0430 for ``a``) raises :class:`~protected_actions.InvalidPermissionError`.

    >>> p = Permission("microsoft.directory/conditionalAccessPolicies/basic/update")
    >>> p.namespace, p.entity, p.verb
    ('microsoft.directory', 'conditionalAccessPolicies', 'update')
    >>> p == Permission("Microsoft.Directory/ConditionalAccessPolicies/Basic/Update")
    True
    """

    value: str = attrs.field(validator=_parse, eq=False, hash=False)
    key: str = attrs.field(init=False, repr=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "key", ascii_lower(self.value))

    @property
    def parts(self) -> tuple[str, ...]:
        """The ``/``-separated segments."""
        return tuple(self.value.split("/"))


    @property
    def namespace(self) -> str:
        """The resource namespace, e.g. ``microsoft.directory``."""
        return self.parts[0]

    @property
    def entity(self) -> str:
        """The entity the action is on, e.g. ``conditionalAccessPolicies``."""
        return self.parts[1]

    @property
    def verb(self) -> str:
        """The last segment, e.g. ``update``."""
        return self.parts[-1]

    @property
    def is_directory(self) -> bool:
        """Whether the permission is in the ``microsoft.directory`` namespace."""
        return ascii_lower(self.namespace) == DIRECTORY_NAMESPACE

    @property
    def is_all_tasks(self) -> bool:
        """Whether this is an ``<entity>/allProperties/allTasks`` wildcard."""
        parts = self.key.split("/")
        return len(parts) == 4 and tuple(parts[2:]) == _ALL_TASKS

    def covers(self, other: Permission) -> bool:
        """Whether holding ``self`` grants ``other`` (equal, or ``allTasks`` on its entity)."""
        if self.key == other.key:
            return True
        if not self.is_all_tasks:
            return False
        mine, theirs = self.key.split("/"), other.key.split("/")
        return mine[:2] == theirs[:2]

    def __str__(self) -> str:
        return self.value

    def __repr__(self) -> str:
        return f"Permission({self.value!r})"


def as_permission(value: Permission | str) -> Permission:
    """Accept a :class:`Permission` or its string form."""
    return value if isinstance(value, Permission) else Permission(value)


_CATALOG = (
    "conditionalAccessPolicies/basic/update",
    "conditionalAccessPolicies/create",
    "conditionalAccessPolicies/delete",
    "crossTenantAccessPolicy/allowedCloudEndpoints/update",
    "crossTenantAccessPolicy/default/b2bCollaboration/update",
    "crossTenantAccessPolicy/default/b2bDirectConnect/update",
    "crossTenantAccessPolicy/default/crossCloudMeetings/update",
    "crossTenantAccessPolicy/default/tenantRestrictions/update",
    "crossTenantAccessPolicy/partners/b2bCollaboration/update",
    "crossTenantAccessPolicy/partners/b2bDirectConnect/update",
    "crossTenantAccessPolicy/partners/create",
    "crossTenantAccessPolicy/partners/crossCloudMeetings/update",
    "crossTenantAccessPolicy/partners/delete",
    "crossTenantAccessPolicy/partners/tenantRestrictions/update",
    "deletedItems/delete",
    "namedLocations/basic/update",
    "namedLocations/create",
    "namedLocations/delete",
    "resourceNamespaces/resourceActions/authenticationContext/update",
)

PROTECTABLE_PERMISSIONS: frozenset[Permission] = frozenset(
    Permission(f"{DIRECTORY_NAMESPACE}/{p}") for p in _CATALOG
)
"""The 19 directory permissions that can carry a protected action (entra-facts §1.4;
the source table lists the three Conditional Access rows twice)."""


def _coerce_permissions(value: object) -> object:
    if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
        return value
    return frozenset(as_permission(v) if isinstance(v, str) else v for v in value)


def _permission_set(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, frozenset) or not all(isinstance(v, Permission) for v in value):
        raise InvalidModelError(f"{type(instance).__name__}.{attribute.name}",
                                "a collection of permissions", value)


@attrs.frozen(kw_only=True)
class RoleDefinition:
    """A directory role: its id (the template id for built-in roles) and permissions.

    ``permissions`` holds the allowed resource actions; only those relevant to
    protected actions need to be listed for the evaluator.
    """

    id: str = attrs.field(validator=non_empty_str)
    display_name: str = attrs.field(validator=non_empty_str)
    permissions: frozenset[Permission] = attrs.field(
        converter=_coerce_permissions, validator=_permission_set, factory=frozenset
    )
    is_built_in: bool = True
    template_id: str | None = attrs.field(default=None, validator=optional_str)
    unmodelled: FrozenDict[str, FrozenJSON] = attrs.field(factory=FrozenDict, repr=False)

    def grants(self, permission: Permission) -> bool:
        """Whether one of the role's permissions covers ``permission``."""
        return any(p.covers(permission) for p in self.permissions)


def _directory(*paths: str) -> frozenset[Permission]:
    return frozenset(Permission(f"{DIRECTORY_NAMESPACE}/{p}") for p in paths)


_CROSS_TENANT = tuple(p for p in _CATALOG if p.startswith("crossTenantAccessPolicy/"))
_NAMED_LOCATIONS = tuple(p for p in _CATALOG if p.startswith("namedLocations/"))
_CA_POLICIES = tuple(p for p in _CATALOG if p.startswith("conditionalAccessPolicies/"))
_AUTH_CONTEXT_UPDATE = "resourceNamespaces/resourceActions/authenticationContext/update"

GLOBAL_ADMINISTRATOR = RoleDefinition(
    id="62e90394-69f5-4237-9190-012177145e10",
    template_id="62e90394-69f5-4237-9190-012177145e10",
    display_name="Global Administrator",
    permissions=_directory(
        "conditionalAccessPolicies/allProperties/allTasks",
        *_CROSS_TENANT, "deletedItems/delete", *_NAMED_LOCATIONS, _AUTH_CONTEXT_UPDATE,
    ),
)
CONDITIONAL_ACCESS_ADMINISTRATOR = RoleDefinition(
    id="b1be1c3e-b65d-4f19-8427-f6fa0d97feb9",
    template_id="b1be1c3e-b65d-4f19-8427-f6fa0d97feb9",
    display_name="Conditional Access Administrator",
    permissions=_directory(*_CA_POLICIES, *_NAMED_LOCATIONS, _AUTH_CONTEXT_UPDATE),
)
SECURITY_ADMINISTRATOR = RoleDefinition(
    id="194ae4cb-b126-40b2-bd5b-6091b380977d",
    template_id="194ae4cb-b126-40b2-bd5b-6091b380977d",
    display_name="Security Administrator",
    permissions=_directory(*_CA_POLICIES, *_CROSS_TENANT, *_NAMED_LOCATIONS,
                           _AUTH_CONTEXT_UPDATE),
)
PRIVILEGED_ROLE_ADMINISTRATOR = RoleDefinition(
    id="e8611ab8-c189-46e8-94e1-60213ab1f814",
    template_id="e8611ab8-c189-46e8-94e1-60213ab1f814",
    display_name="Privileged Role Administrator",
    permissions=frozenset(),
)

BUILT_IN_ROLES: tuple[RoleDefinition, ...] = (
    GLOBAL_ADMINISTRATOR,
    CONDITIONAL_ACCESS_ADMINISTRATOR,
    SECURITY_ADMINISTRATOR,
    PRIVILEGED_ROLE_ADMINISTRATOR,
)
"""Built-in roles with the protectable permissions each holds (entra-facts §10)."""

