"""Small builders for tenants, policies and sessions used across the unit tests.

Everything defaults to the most common protected-action scenario: one auth context
``c1`` protecting ``conditionalAccessPolicies/create``, one enabled policy for all
users, and an active Global Administrator signing in at :data:`NOW`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta, timezone
from typing import Any

from protected_actions import (
    CONDITIONAL_ACCESS_ADMINISTRATOR,
    GLOBAL_ADMINISTRATOR,
    SECURITY_ADMINISTRATOR,
    ApplicationConditions,
    AuthContext,
    Authentication,
    Conditions,
    Decision,
    GrantControls,
    Policy,
    PolicyResult,
    ProtectedAction,
    SessionControls,
    SessionState,
    Tenant,
    User,
    UserConditions,
    evaluate,
)
from protected_actions.model.frozen import freeze_mapping

__all__ = [
    "CA_ADMIN",
    "CA_CREATE",
    "CA_DELETE",
    "DELETED_ITEMS_DELETE",
    "GA",
    "NOW",
    "SESSION_ONLY",
    "SEC_ADMIN",
    "ago",
    "auth",
    "check",
    "policy",
    "result_for",
    "session",
    "tenant",
    "user",
]

NOW = datetime(2026, 11, 29, 10, 0, tzinfo=timezone.utc)
"""The moment every test session takes place."""

GA = GLOBAL_ADMINISTRATOR.id
CA_ADMIN = CONDITIONAL_ACCESS_ADMINISTRATOR.id
SEC_ADMIN = SECURITY_ADMINISTRATOR.id

CA_CREATE = "microsoft.directory/conditionalAccessPolicies/create"
CA_DELETE = "microsoft.directory/conditionalAccessPolicies/delete"
DELETED_ITEMS_DELETE = "microsoft.directory/deletedItems/delete"


def ago(**delta: float) -> datetime:
    """The moment ``timedelta(**delta)`` before :data:`NOW`."""
    return NOW - timedelta(**delta)


def auth(*methods: str, at: datetime | None = None, aaguid: str | None = None) -> Authentication:
    """An authentication with ``methods``, ten minutes before :data:`NOW` by default."""
    return Authentication(methods=frozenset(methods), at=at or ago(minutes=10),
                          fido2_aaguid=aaguid)


def user(user_id: str = "alice", *, roles: Iterable[str] = (GA,), **fields: Any) -> User:
    """A user holding ``roles`` actively (Global Administrator by default)."""
    return User(id=user_id, roles=frozenset(roles), **fields)


def session(*authentications: Authentication, who: User | None = None,
            **fields: Any) -> SessionState:
    """A session at :data:`NOW` for ``who`` (an active Global Administrator by default)."""
    return SessionState(at=NOW, user=who or user(), authentications=authentications, **fields)


SESSION_ONLY = SessionControls(others=freeze_mapping(
    {"persistentBrowser": {"isEnabled": True, "mode": "always"}}))
"""Session controls that require nothing: a policy with these and no grant control
applies and is satisfied (without any control it would be Entra's emptyPolicy)."""


def policy(policy_id: str = "p1", *, controls: Iterable[str] = ("mfa",),
           strength: str | None = None, operator: str = "OR", state: str = "enabled",
           contexts: Iterable[str] = ("c1",), users: UserConditions | None = None,
           terms_of_use: Iterable[str] = (), applications: ApplicationConditions | None = None,
           grant: GrantControls | None = None, session_controls: Any = None,
           **conditions: Any) -> Policy:
    """A Conditional Access policy for all users on auth context ``c1``.

    ``controls``, ``strength``, ``operator`` and ``terms_of_use`` build the grant
    controls (or pass ``grant``); extra keyword arguments go to :class:`Conditions`.
    """
    apps = applications or ApplicationConditions(
        include_authentication_context_class_references=tuple(contexts))
    if grant is None:
        grant = GrantControls(operator=operator, built_in_controls=tuple(controls),
                              authentication_strength=strength, terms_of_use=tuple(terms_of_use))
    return Policy(
        id=policy_id, display_name=f"policy {policy_id}", state=state,
        conditions=Conditions(users=users or UserConditions(include_users=("All",)),
                              applications=apps, **conditions),
        grant_controls=grant, session_controls=session_controls)


def tenant(*policies: Policy, protected: Iterable[tuple[str, str]] = ((CA_CREATE, "c1"),),
           contexts: Iterable[str] = ("c1",), **fields: Any) -> Tenant:
    """A tenant with ``policies``, auth contexts ``contexts`` and the protected actions
    ``protected`` (permission, context id) pairs."""
    return Tenant(
        policies=policies,
        auth_contexts=[AuthContext(id=c, display_name=f"context {c}", is_available=True)
                       for c in contexts],
        protected_actions=[ProtectedAction(permission=p, context_id=c) for p, c in protected],
        **fields)


def check(t: Tenant, s: SessionState, action: str = CA_CREATE, **kwargs: Any) -> Decision:
    """``evaluate`` with the Conditional Access create permission by default."""
    return evaluate(t, s, action, **kwargs)


def result_for(decision: Decision, policy_id: str) -> PolicyResult:
    """The trace entry of one policy."""
    (found,) = [p for p in decision.policies if p.policy_id == policy_id]
    return found
