"""Is an applying policy satisfied by the session's evidence? (DESIGN §4.5)

Evidence is the session's authentications (methods and times, matched against
authentication-strength combinations; ``mfa`` is the built-in MFA strength), device
state, client, accepted terms of use. Sign-in frequency makes older authentications
not count. Authentications dated after ``session.at`` are never evidence.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from functools import cached_property

import attrs

from protected_actions.model.methods import Authentication
from protected_actions.model.session import SessionState
from protected_actions.model.vocabulary import ascii_lower

from ._memo import remember
from .compile import CompiledControl, CompiledPolicy
from .decision import Control, ControlKind, Reason, ReasonCode, Requirement

__all__ = ["GrantResult", "evaluate_grant", "grant_verdict", "password_changed_this_sign_in",
           "remembered_grant"]

_FRESH_AUTH = frozenset({ControlKind.MFA, ControlKind.AUTHENTICATION_STRENGTH,
                         ControlKind.REAUTHENTICATION})


@attrs.frozen(kw_only=True)
class GrantResult:
    """One applying policy's grant: blocked, satisfied, or what is still unmet."""

    blocked: bool
    unmet: tuple[Requirement, ...]
    satisfied: tuple[str, ...]

    @property
    def is_satisfied(self) -> bool:
        """Neither blocked nor anything unmet."""
        return not self.blocked and not self.unmet

    @cached_property
    def is_interactive(self) -> bool:
        """Every unmet requirement can be met by a prompt."""
        return all(r.is_interactive for r in self.unmet)

    @cached_property
    def keyed_unmet(self) -> tuple[tuple[tuple[tuple[int, str, str], str], Requirement], ...]:
        """The unmet requirements, each with its :meth:`Requirement.sort_key`."""
        return tuple((r.sort_key(), r) for r in self.unmet)

    @cached_property
    def unmet_text(self) -> str:
        """The unmet requirements, described: ``MFA (policy p1); ...``."""
        return "; ".join(r.describe() for r in self.unmet)

    @cached_property
    def hard_text(self) -> str:
        """The unmet requirements no prompt can satisfy, described."""
        return "; ".join(r.describe() for r in self.unmet if not r.is_interactive)

    @cached_property
    def step_up_reason(self) -> Reason:
        """``STEP_UP_REQUIRED`` for an unmet grant (made once per grant; its policy is
        the one its requirements name)."""
        return Reason(code=ReasonCode.STEP_UP_REQUIRED, policy_id=self.unmet[0].policy_id,
                      message="step up: " + self.unmet_text)

    @cached_property
    def hard_reason(self) -> Reason:
        """``REQUIREMENT_NOT_INTERACTIVE`` for an unmet grant (as :attr:`step_up_reason`)."""
        return Reason(code=ReasonCode.REQUIREMENT_NOT_INTERACTIVE,
                      policy_id=self.unmet[0].policy_id, message="needs " + self.hard_text)


_BLOCKED = GrantResult(blocked=True, unmet=(), satisfied=())
_SATISFIED = GrantResult(blocked=False, unmet=(), satisfied=())


ZERO = timedelta(0)


def elapsed(later: datetime, earlier: datetime) -> timedelta:
    """The real time from ``earlier`` to ``later`` (aware instants). Python subtracts
    wall clocks when both share a ``tzinfo``, which is wrong across a daylight-saving
    change; such instants are compared in UTC."""
    zone = later.tzinfo
    if zone is earlier.tzinfo and type(zone) is not timezone:
        return later.astimezone(timezone.utc) - earlier.astimezone(timezone.utc)
    return later - earlier


def _fresh(session: SessionState, cp: CompiledPolicy) -> tuple[Authentication, ...]:
    """The authentications that are evidence: not after ``session.at`` and, with a
    sign-in frequency, younger than its window (in real elapsed time; at exactly the
    frequency the user is asked again)."""
    at = session.at
    window = cp.sign_in_frequency
    fresh = []
    for a in session.authentications:
        age = elapsed(at, a.at)
        if age >= ZERO and (window is None or age < window):
            fresh.append(a)
    return tuple(fresh)


def _no_device_grant(session: SessionState) -> bool:
    # Device code flow cannot pass device state (entra-facts §6.11).
    return ascii_lower(session.authentication_flow or "") == "devicecodeflow"


def _check(control: CompiledControl, session: SessionState,
           fresh: tuple[Authentication, ...]) -> bool:
    return _CHECKS[control.control.kind](control, session, fresh)


def _strength_met(c: CompiledControl, s: SessionState, fresh: tuple[Authentication, ...]) -> bool:
    return any(c.allows(a.methods, a.fido2_aaguid) for a in fresh)


def _compliant(c: CompiledControl, s: SessionState, f: tuple[Authentication, ...]) -> bool:
    return s.device is not None and s.device.is_compliant is True and not _no_device_grant(s)


def _hybrid(c: CompiledControl, s: SessionState, f: tuple[Authentication, ...]) -> bool:
    return s.device is not None and s.device.is_hybrid_joined and not _no_device_grant(s)


def password_changed_this_sign_in(session: SessionState) -> bool:
    """Whether the session shows a password change made during this sign-in: no
    later than ``session.at`` and no earlier than its latest authentication (an
    authentication dated after ``session.at`` is not evidence). A change before
    the latest authentication, or in a session with no authentication at all, is an
    old password, which never satisfies ``passwordChange``.
    """
    changed = session.password_changed_at
    if changed is None or elapsed(session.at, changed) < ZERO:
        return False
    latest: datetime | None = None
    for a in session.authentications:
        if elapsed(session.at, a.at) >= ZERO and (latest is None or elapsed(a.at, latest) > ZERO):
            latest = a.at
    return latest is not None and elapsed(changed, latest) >= ZERO


def _password_changed(c: CompiledControl, s: SessionState,
                      fresh: tuple[Authentication, ...]) -> bool:
    return password_changed_this_sign_in(s)


_CHECKS: dict[ControlKind, Callable[[CompiledControl, SessionState,
                                     tuple[Authentication, ...]], bool]] = {
    ControlKind.MFA: _strength_met,
    ControlKind.AUTHENTICATION_STRENGTH: _strength_met,
    ControlKind.COMPLIANT_DEVICE: _compliant,
    ControlKind.DOMAIN_JOINED_DEVICE: _hybrid,
    ControlKind.APPROVED_APPLICATION: lambda c, s, f: s.is_approved_client_app,
    ControlKind.COMPLIANT_APPLICATION: lambda c, s, f: s.has_app_protection_policy,
    ControlKind.PASSWORD_CHANGE: _password_changed,
    ControlKind.TERMS_OF_USE: lambda c, s, f: c.control.detail in s.accepted_terms_of_use,
    ControlKind.CUSTOM_CONTROL: lambda c, s, f: c.control.detail in s.satisfied_custom_controls,
    ControlKind.UNKNOWN_CONTROL: lambda c, s, f: False,
}


def _sorted(controls: list[Control]) -> tuple[Control, ...]:
    return tuple(sorted(controls, key=Control.sort_key))


def grant_verdict(cp: CompiledPolicy, session: SessionState) -> tuple[int, bool] | None:
    """Everything :func:`evaluate_grant` reads from the session, for one policy: which
    controls are met (bit ``i`` for ``cp.controls[i]``) and whether an authentication
    is fresh for its sign-in frequency (``False`` without one: only a window reads it).
    ``None`` for a block, which reads nothing."""
    if cp.block:
        return None
    fresh = _fresh(session, cp)
    met = 0
    for bit, control in enumerate(cp.controls):
        if _check(control, session, fresh):
            met |= 1 << bit
    return met, cp.sign_in_frequency is not None and bool(fresh)


def remembered_grant(cp: CompiledPolicy, session: SessionState,
                     verdict: tuple[int, bool] | None) -> GrantResult:
    """:func:`evaluate_grant` without explanations, remembered per policy and
    :func:`grant_verdict` (everything it reads from the session)."""
    known: GrantResult | None = cp.grants.get(verdict)
    if known is None:
        known = remember(cp.grants, verdict, evaluate_grant(cp, session, explain=False),
                         limit=4096)
    return known


def evaluate_grant(cp: CompiledPolicy, session: SessionState, *,
                   explain: bool = True) -> GrantResult:
    """Blocked, satisfied, or the requirements left (AND: one per unmet control; OR:
    one whose options are all controls). Sign-in frequency adds a re-authentication
    requirement when no authentication is recent enough and no unmet requirement
    already asks for a fresh one."""
    if cp.block:
        return _BLOCKED
    fresh = _fresh(session, cp)
    met = [c for c in cp.controls if _check(c, session, fresh)]
    if not cp.controls and cp.sign_in_frequency is None:
        return _SATISFIED
    if met and not cp.operator_and and (cp.sign_in_frequency is None or fresh) and not explain:
        return _SATISFIED
    unmet_controls = [c.control for c in cp.controls if c not in met]
    satisfied = tuple(c.control.kind.value if c.control.detail is None
                      else f"{c.control.kind.value}:{c.control.detail}" for c in met) \
        if explain else ()
    requirements: list[Requirement] = []
    if cp.operator_and:
        requirements = [Requirement(policy_id=cp.id, any_of=(c,)) for c in _sorted(unmet_controls)]
    elif cp.controls and not met:
        requirements = [Requirement(policy_id=cp.id, any_of=_sorted(unmet_controls))]
    if cp.sign_in_frequency is not None and not fresh and not any(
            o.kind in _FRESH_AUTH for r in requirements for o in r.any_of):
        requirements.append(Requirement(policy_id=cp.id, any_of=(Control(
            kind=ControlKind.REAUTHENTICATION, detail=cp.sign_in_frequency_text,
            message=f"signing in again (sign-in frequency {cp.sign_in_frequency_text})"),)))
    requirements.sort(key=Requirement.sort_key)
    return GrantResult(blocked=False, unmet=tuple(requirements), satisfied=satisfied)
