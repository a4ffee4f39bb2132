"""Authentication contexts (``c1``..``c99``) and protected actions (permission -> context)."""

from __future__ import annotations

from typing import Any

import attrs

from protected_actions.errors import InvalidModelError

from .frozen import FrozenDict, FrozenJSON
from .permissions import PROTECTABLE_PERMISSIONS, Permission, as_permission
from .validators import is_str, matches, non_empty_str, optional_str, strict_bool

__all__ = ["AUTH_CONTEXT_ID_PATTERN", "AuthContext", "ProtectedAction"]


def __dir__() -> list[str]:
    return __all__


AUTH_CONTEXT_ID_PATTERN = r"c([1-9]|[1-9][0-9])"
"""Auth context ids are ``c1`` through ``c99`` (entra-facts §2.1: the concept docs and
the developer guide say c1-c99; older Graph pages say c1-c25, superseded)."""

_context_id = matches(AUTH_CONTEXT_ID_PATTERN, "an auth context id c1..c99")


@attrs.frozen(kw_only=True)
class AuthContext:
    """A Conditional Access authentication context (Graph
    ``authenticationContextClassReference``).

    ``is_available`` is the admin UI's *Publish to apps* checkbox; Graph's default is
    ``False`` (entra-facts §2.1).

    >>> AuthContext(id="c1", display_name="Require phishing-resistant MFA").id
    'c1'
    """

    id: str = attrs.field(validator=_context_id)
    display_name: str = attrs.field(default="", validator=is_str)
    description: str | None = attrs.field(default=None, validator=optional_str)
    is_available: bool = attrs.field(default=False, validator=strict_bool)
    unmodelled: FrozenDict[str, FrozenJSON] = attrs.field(factory=FrozenDict, repr=False)


def _check_action(instance: ProtectedAction, attribute: attrs.Attribute[Any],
                  value: Permission) -> None:
    if value.is_directory and value not in PROTECTABLE_PERMISSIONS:
        raise InvalidModelError(
            "ProtectedAction.permission",
            "one of the 19 protectable microsoft.directory permissions "
            "(an application's own namespace may map any permission)",
            value.value,
        )


@attrs.frozen(kw_only=True)
class ProtectedAction:
    """A permission protected by an authentication context.

    A ``microsoft.directory/*`` permission must be in
    :data:`~protected_actions.model.permissions.PROTECTABLE_PERMISSIONS`; an application's own
    namespace (``contoso.payroll/payments/approve``) may map any permission. A tenant
    holds at most one context per permission.

    >>> ProtectedAction(permission="microsoft.directory/deletedItems/delete", context_id="c2")
    ... # doctest: +NORMALIZE_WHITESPACE
    ProtectedAction(permission=Permission('microsoft.directory/deletedItems/delete'),
                    context_id='c2')
    """

    permission: Permission = attrs.field(converter=as_permission, validator=_check_action)
    context_id: str = attrs.field(validator=non_empty_str)
    unmodelled: FrozenDict[str, FrozenJSON] = attrs.field(factory=FrozenDict, repr=False)
