"""Builders for the lint tests: a small tenant with no finding, changed one part at a
time.

The clean tenant has two emergency access accounts ``bg1`` and ``bg2`` (active
Global Administrators, members of ``breakglass``, signing in with FIDO2 security
keys), auth context ``c1`` published to apps and protecting
``conditionalAccessPolicies/create``, and one enabled policy ``p1`` asking everyone
but ``breakglass`` for phishing-resistant MFA on ``c1``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from protected_actions import (
    GLOBAL_ADMINISTRATOR,
    PHISHING_RESISTANT_MFA_STRENGTH,
    ApplicationConditions,
    AuthContext,
    Conditions,
    GrantControls,
    Group,
    Policy,
    ProtectedAction,
    Tenant,
    User,
    UserConditions,
)
from protected_actions.analysis import Finding, lint

__all__ = [
    "BREAKGLASS",
    "CA_CREATE",
    "EVERYONE_BUT_BREAKGLASS",
    "GA",
    "STRONG",
    "accounts",
    "by_code",
    "codes",
    "policy",
    "subjects",
    "tenant",
]

GA = GLOBAL_ADMINISTRATOR.id
STRONG = PHISHING_RESISTANT_MFA_STRENGTH.id
CA_CREATE = "microsoft.directory/conditionalAccessPolicies/create"
BREAKGLASS = "breakglass"
EVERYONE_BUT_BREAKGLASS = UserConditions(include_users=("All",), exclude_groups=(BREAKGLASS,))


def policy(policy_id: str = "p1", *, state: str = "enabled",
           users: UserConditions | None = EVERYONE_BUT_BREAKGLASS,
           contexts: Iterable[str] = ("c1",), applications: ApplicationConditions | None = None,
           grant: GrantControls | None = None, controls: Iterable[str] | None = None,
           **conditions: Any) -> Policy:
    """An enabled policy on ``c1`` for everyone but ``breakglass``, requiring
    phishing-resistant MFA (``controls`` or ``grant`` replace the grant)."""
    if grant is None:
        grant = GrantControls(built_in_controls=tuple(controls)) if controls is not None \
            else GrantControls(authentication_strength=STRONG)
    apps = applications or ApplicationConditions(
        include_authentication_context_class_references=tuple(contexts))
    return Policy(id=policy_id, display_name=policy_id, state=state,
                  conditions=Conditions(users=users, applications=apps, **conditions),
                  grant_controls=grant)


def accounts(*ids: str, methods: Iterable[str] | None = ("fido2",),
             member_of: Iterable[str] = (BREAKGLASS,), roles: Iterable[str] = (GA,),
             **fields: Any) -> list[User]:
    """Emergency access accounts (``bg1`` and ``bg2`` by default): active Global
    Administrators in ``breakglass`` with ``methods`` registered (``None``: unknown)."""
    return [User(id=i, member_of=frozenset(member_of), roles=frozenset(roles),
                 registered_methods=None if methods is None else frozenset(methods), **fields)
            for i in ids or ("bg1", "bg2")]


def tenant(*policies: Policy, **changes: Any) -> Tenant:
    """The clean tenant, with ``policies`` (default: ``p1``) and ``changes`` applied."""
    parts: dict[str, Any] = {
        "policies": policies or (policy(),),
        "auth_contexts": [AuthContext(id="c1", is_available=True)],
        "protected_actions": [ProtectedAction(permission=CA_CREATE, context_id="c1")],
        "users": accounts(),
        "groups": [Group(id=BREAKGLASS)],
        "emergency_access_accounts": ["bg1", "bg2"],
    }
    parts.update(changes)
    return Tenant(**parts)


def by_code(t: Tenant, code: str) -> list[Finding]:
    """The findings of ``t`` with ``code``."""
    return [f for f in lint(t) if f.code == code]


def subjects(t: Tenant, code: str) -> list[tuple[str, ...]]:
    """The subjects of every finding of ``t`` with ``code``."""
    return [f.subjects for f in by_code(t, code)]


def codes(t: Tenant) -> list[str]:
    """The codes of every finding of ``t``, in lint's order."""
    return [f.code for f in lint(t)]
