"""The tenant: every policy, context, strength, location, role and directory object.

A :class:`Tenant` resolves the references between objects and keeps the unresolved
ones visible (:meth:`Tenant.unresolved_references`): real exports often omit the
objects a policy names, so an unknown reference is never a construction error; the
evaluator decides it fail-closed (DESIGN §4.7) and the lint reports it.
The engine compiles a tenant once into an index (:mod:`protected_actions.engine.compile`)
and keeps it with the tenant (:meth:`Tenant.memo`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

import attrs

from protected_actions.errors import InvalidModelError

from .applications import (
    ApplicationGroupChange,
    ApplicationGroups,
    ServicePrincipal,
    check_group_names,
)
from .contexts import AuthContext, ProtectedAction
from .display import html_for
from .frozen import FrozenDict, FrozenJSON
from .locations import CompliantNetworkNamedLocation, CountryNamedLocation, IpNamedLocation
from .methods import BUILT_IN_STRENGTHS, AuthenticationStrength
from .permissions import BUILT_IN_ROLES, Permission, RoleDefinition
from .policy import Policy
from .references import unresolved_references
from .session import User
from .validators import non_empty_str, optional_str, str_set, strict_bool, to_str_frozenset
from .vocabulary import ascii_lower

__all__ = ["Group", "NamedLocation", "RoleAssignment", "RoleEligibility", "Tenant"]

T = TypeVar("T")


def __dir__() -> list[str]:
    return __all__


NamedLocation = IpNamedLocation | CountryNamedLocation | CompliantNetworkNamedLocation


@attrs.frozen(kw_only=True)
class Group:
    """A directory group. ``member_of`` lists the groups it is itself a member of
    (nesting); membership is transitive (entra-facts §6.2)."""

    id: str = attrs.field(validator=non_empty_str)
    display_name: str | None = attrs.field(default=None, validator=optional_str)
    is_assignable_to_role: bool = attrs.field(default=False, validator=strict_bool)
    member_of: frozenset[str] = attrs.field(converter=to_str_frozenset, validator=str_set,
                                            factory=frozenset)
    unmodelled: FrozenDict[str, FrozenJSON] = attrs.field(factory=FrozenDict)


@attrs.frozen(kw_only=True)
class RoleAssignment:
    """An active role assignment (Graph ``unifiedRoleAssignment``).

    Only tenant-wide assignments (``directory_scope_id`` ``/``) count for Conditional
    Access role conditions (entra-facts §6.2); one scoped to an administrative unit
    (``/administrativeUnits/{id}``) or an object (``/{objectId}``) grants its
    permissions only on objects in that scope, so the evaluator counts it only when
    the request names that scope (``evaluate(..., scope=)``).
    """

    id: str | None = attrs.field(default=None, validator=optional_str)
    principal_id: str = attrs.field(validator=non_empty_str)
    role_definition_id: str = attrs.field(validator=non_empty_str)
    directory_scope_id: str = attrs.field(default="/", validator=non_empty_str)
    unmodelled: FrozenDict[str, FrozenJSON] = attrs.field(factory=FrozenDict)


@attrs.frozen(kw_only=True)
class RoleEligibility:
    """A PIM eligibility (Graph ``unifiedRoleEligibilitySchedule``); one scoped below
    the tenant counts only for a request that names its scope, like a scoped
    :class:`RoleAssignment`."""

    id: str | None = attrs.field(default=None, validator=optional_str)
    principal_id: str = attrs.field(validator=non_empty_str)
    role_definition_id: str = attrs.field(validator=non_empty_str)
    directory_scope_id: str = attrs.field(default="/", validator=non_empty_str)
    unmodelled: FrozenDict[str, FrozenJSON] = attrs.field(factory=FrozenDict)


def _tuple_of(kind: type | tuple[type, ...], label: str) -> Any:
    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, tuple) or not all(isinstance(v, kind) for v in value):
            raise InvalidModelError(f"Tenant.{attribute.name}", f"a sequence of {label}", value)

    return check


def _as_tuple(value: object) -> object:
    if isinstance(value, (str, bytes, dict)) or not isinstance(value, Iterable):
        return value
    return tuple(value)


def _unique(label: str, ids: Sequence[str]) -> None:
    dupes = sorted(k for k, n in Counter(ids).items() if n > 1)
    if dupes:
        raise InvalidModelError(f"Tenant.{label}", "unique ids", dupes)


def _frozen_groups(value: object) -> object:
    if isinstance(value, Mapping) and not isinstance(value, FrozenDict):
        return FrozenDict(value)
    return value


def _group_changes(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, FrozenDict) or not all(
            isinstance(k, str) and isinstance(v, ApplicationGroupChange)
            for k, v in value.items()):
        raise InvalidModelError("Tenant.application_groups",
                                "a mapping of group name to ApplicationGroupChange", value)
    check_group_names(value)


@attrs.frozen(kw_only=True)
class Tenant:
    """The aggregate the evaluator works on.

    Built-in authentication strengths and roles are always present; the tenant's own
    (``authentication_strengths``, ``role_definitions``) are added to them. Order in
    every collection is kept for round trips and never changes a decision.

    >>> t = Tenant(protected_actions=[ProtectedAction(
    ...     permission="microsoft.directory/deletedItems/delete", context_id="c2")])
    >>> t.context_for("microsoft.directory/deletedItems/delete")
    'c2'
    """

    policies: tuple[Policy, ...] = attrs.field(
        converter=_as_tuple, validator=_tuple_of(Policy, "Policy"), factory=tuple)
    auth_contexts: tuple[AuthContext, ...] = attrs.field(
        converter=_as_tuple, validator=_tuple_of(AuthContext, "AuthContext"), factory=tuple)
    protected_actions: tuple[ProtectedAction, ...] = attrs.field(
        converter=_as_tuple, validator=_tuple_of(ProtectedAction, "ProtectedAction"),
        factory=tuple)
    named_locations: tuple[NamedLocation, ...] = attrs.field(
        converter=_as_tuple,
        validator=_tuple_of((IpNamedLocation, CountryNamedLocation,
                             CompliantNetworkNamedLocation), "named locations"),
        factory=tuple)
    authentication_strengths: tuple[AuthenticationStrength, ...] = attrs.field(
        converter=_as_tuple, validator=_tuple_of(AuthenticationStrength,
                                                 "AuthenticationStrength"), factory=tuple)
    role_definitions: tuple[RoleDefinition, ...] = attrs.field(
        converter=_as_tuple, validator=_tuple_of(RoleDefinition, "RoleDefinition"),
        factory=tuple)
    role_assignments: tuple[RoleAssignment, ...] = attrs.field(
        converter=_as_tuple, validator=_tuple_of(RoleAssignment, "RoleAssignment"),
        factory=tuple)
    role_eligibilities: tuple[RoleEligibility, ...] = attrs.field(
        converter=_as_tuple, validator=_tuple_of(RoleEligibility, "RoleEligibility"),
        factory=tuple)
    users: tuple[User, ...] = attrs.field(
        converter=_as_tuple, validator=_tuple_of(User, "User"), factory=tuple)
    groups: tuple[Group, ...] = attrs.field(
        converter=_as_tuple, validator=_tuple_of(Group, "Group"), factory=tuple)
    emergency_access_accounts: tuple[str, ...] = attrs.field(
        converter=_as_tuple, validator=_tuple_of(str, "user ids"), factory=tuple)
    service_principals: tuple[ServicePrincipal, ...] = attrs.field(
        converter=_as_tuple, validator=_tuple_of(ServicePrincipal, "ServicePrincipal"),
        factory=tuple)
    application_groups: FrozenDict[str, ApplicationGroupChange] = attrs.field(
        converter=_frozen_groups, validator=_group_changes, factory=FrozenDict)
    """The tenant's changes to the shipped application groups (bundle key
    ``applicationGroups``), by group name."""
    unmodelled: FrozenDict[str, FrozenJSON] = attrs.field(factory=FrozenDict)
    _derived: dict[str, Any] = attrs.field(init=False, factory=dict, eq=False, hash=False,
                                           repr=False)

    def __attrs_post_init__(self) -> None:
        _unique("policies", [p.id for p in self.policies])
        _unique("auth_contexts", [c.id for c in self.auth_contexts])
        _unique("named_locations", [n.id for n in self.named_locations])
        _unique("authentication_strengths", [s.id for s in self.authentication_strengths])
        _unique("users", [u.id for u in self.users])
        _unique("groups", [g.id for g in self.groups])
        _unique("role_definitions (ids are case-insensitive)",
                [ascii_lower(r.id) for r in self.role_definitions])
        _unique("protected_actions (one context per permission)",
                [a.permission.key for a in self.protected_actions])

    def memo(self, key: str, build: Callable[[Tenant], T]) -> T:
        """A value another layer derives from this tenant (the engine's index, lookup
        tables), built once by ``build(self)`` and kept with the tenant under ``key``.

        The tenant is immutable, so a derived value never goes stale; it is not part
        of equality, hash or repr, and :func:`attrs.evolve` starts a new tenant with
        none.
        """
        try:
            return self._derived[key]  # type: ignore[no-any-return]
        except KeyError:
            value = self._derived[key] = build(self)
            return value

    @property
    def all_authentication_strengths(self) -> tuple[AuthenticationStrength, ...]:
        """Built-in strengths followed by the tenant's own (a tenant copy of a built-in
        id replaces it)."""
        own = {s.id for s in self.authentication_strengths}
        return tuple(s for s in BUILT_IN_STRENGTHS if s.id not in own) + \
            self.authentication_strengths

    @property
    def all_role_definitions(self) -> tuple[RoleDefinition, ...]:
        """Built-in roles followed by the tenant's own (same id replaces)."""
        own = {r.id for r in self.role_definitions}
        return tuple(r for r in BUILT_IN_ROLES if r.id not in own) + self.role_definitions

    @property
    def applications(self) -> ApplicationGroups:
        """The shipped application groups as this tenant extends them, with its service
        principals' owners (built once per tenant)."""
        return self.memo("model.application_groups", _application_groups)

    def context_for(self, permission: str | Permission) -> str | None:
        """The auth context protecting ``permission``, if any."""
        key = permission.key if isinstance(permission, Permission) else ascii_lower(permission)
        return self.memo("model.contexts_by_permission", _contexts_by_permission).get(key)

    def policy(self, policy_id: str) -> Policy:
        """The policy with this id (``KeyError`` if none)."""
        return self.memo("model.policies_by_id", _policies_by_id)[policy_id]

    def unresolved_references(self) -> tuple[tuple[str, str, str], ...]:
        """Every reference to an object the tenant does not define, as
        ``(policy id, kind, referenced id)`` tuples, sorted."""
        return unresolved_references(self)

    def _repr_html_(self) -> str | None:
        """HTML for notebooks: counts, protected actions and their policies."""
        return html_for(self)


def _application_groups(tenant: Tenant) -> ApplicationGroups:
    return ApplicationGroups(tenant.application_groups, tenant.service_principals)


def _contexts_by_permission(tenant: Tenant) -> dict[str, str]:
    return {a.permission.key: a.context_id for a in tenant.protected_actions}


def _policies_by_id(tenant: Tenant) -> dict[str, Policy]:
    return {p.id: p for p in tenant.policies}
