"""``simulate_step_up``: the session after the user did what a challenge asked.

Used by tests and by the lockout analysis. For each requirement the first option
the user can do is taken: MFA or an authentication strength adds a fresh
authentication with one allowed combination (limited to the user's registered
methods when they are known), re-authentication replays the latest methods, terms
of use are accepted, a password is changed, a custom control is completed. Options no
prompt can satisfy (device state, approved app, unknown controls) are left unmet.
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs

from protected_actions.model.methods import Authentication
from protected_actions.model.session import SessionState
from protected_actions.model.tenant import Tenant
from protected_actions.model.vocabulary import ascii_lower

from .decision import Challenge, Control, ControlKind, Decision

__all__ = ["simulate_step_up", "step_up_methods"]


def _usable(combo: tuple[str, ...], registered: frozenset[str] | None) -> bool:
    return registered is None or set(combo) <= registered


def _preference(combo: tuple[str, ...]) -> tuple[int, int]:
    # Prefer the everyday password + second factor, then single-method passwordless.
    return (0 if "password" in combo else 1, len(combo))


def step_up_methods(control: Control, registered: frozenset[str] | None
                    ) -> tuple[str, ...] | None:
    """The methods a user would use for an MFA or strength control, or ``None`` if
    none of the allowed combinations is within their registered methods."""
    usable = [c for c in control.combinations if _usable(c, registered)]
    if not usable:
        return None
    return min(usable, key=_preference)


def _apply(session: SessionState, control: Control) -> SessionState | None:
    at, registered = session.at, session.user.registered_methods
    kind = control.kind
    if kind in (ControlKind.MFA, ControlKind.AUTHENTICATION_STRENGTH):
        methods = step_up_methods(control, registered)
        if methods is None:
            return None
        aaguid = control.fido2_aaguids[0] if "fido2" in methods and control.fido2_aaguids \
            else None
        auth = Authentication(methods=frozenset(methods), at=at, fido2_aaguid=aaguid)
        return attrs.evolve(session, authentications=(*session.authentications, auth))
    if kind is ControlKind.REAUTHENTICATION:
        latest = max(session.authentications, key=lambda a: a.at, default=None)
        auth = Authentication(methods=latest.methods if latest else frozenset({"password"}),
                              at=at, fido2_aaguid=latest.fido2_aaguid if latest else None)
        return attrs.evolve(session, authentications=(*session.authentications, auth))
    if kind is ControlKind.PASSWORD_CHANGE:
        # The change is made while signing in: the sign-in (with the old password)
        # is an authentication at the same time, so the change is of this sign-in.
        signed_in = (*session.authentications,
                     Authentication(methods=frozenset({"password"}), at=at))
        return attrs.evolve(session, password_changed_at=at, authentications=signed_in)
    if kind is ControlKind.TERMS_OF_USE and control.detail:
        return attrs.evolve(session,
                            accepted_terms_of_use=session.accepted_terms_of_use | {control.detail})
    if kind is ControlKind.CUSTOM_CONTROL and control.detail:
        return attrs.evolve(session, satisfied_custom_controls=(
            session.satisfied_custom_controls | {control.detail}))
    return None


def _requirements(challenge: Challenge | Decision | None) -> Iterable[tuple[Control, ...]]:
    if isinstance(challenge, Decision):
        challenge = challenge.challenge
    if challenge is None:
        return ()
    return (r.any_of for r in challenge.requirements)


def _registered(session: SessionState, tenant: Tenant | None) -> SessionState:
    """Take the user's registered methods from the directory when the session
    does not say them."""
    if tenant is None or session.user.registered_methods is not None:
        return session
    key = ascii_lower(session.user.id)
    records = [u for u in tenant.users if ascii_lower(u.id) == key]
    if not records or any(u.registered_methods is None for u in records):
        return session
    methods = frozenset().union(*(u.registered_methods or () for u in records))
    return attrs.evolve(session, user=attrs.evolve(session.user, registered_methods=methods))


def simulate_step_up(session: SessionState, challenge: Challenge | Decision | None, *,
                     tenant: Tenant | None = None) -> SessionState:
    """Return ``session`` as it is after the user completed every requirement of
    ``challenge`` that a prompt can satisfy (a :class:`Decision` may be passed; no
    challenge returns the session unchanged).

    >>> from datetime import datetime, timezone
    >>> from protected_actions import User, SessionState
    >>> from protected_actions.engine.decision import Challenge, Control, ControlKind, Requirement
    >>> s = SessionState(at=datetime(2026, 11, 29, 10, tzinfo=timezone.utc), user=User(id="u1"))
    >>> c = Challenge(acrs=("c1",), requirements=(Requirement(policy_id="p1", any_of=(
    ...     Control(kind=ControlKind.TERMS_OF_USE, detail="tou-1"),)),))
    >>> sorted(simulate_step_up(s, c).accepted_terms_of_use)
    ['tou-1']

    With ``tenant``, a user whose session does not list registered methods steps up
    only with the methods the directory records for them.
    """
    requirements = tuple(_requirements(challenge))
    if not requirements:
        return session
    original = session
    session = _registered(session, tenant)
    for options in requirements:
        for control in options:
            if not control.is_interactive:
                continue
            stepped = _apply(session, control)
            if stepped is not None:
                session = stepped
                break
    return attrs.evolve(session, user=original.user)
