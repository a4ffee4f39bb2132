"""Steps 5-6 of the evaluator for the policies that apply: the decision's body.

The outcome, its reasons (sorted), the challenge and whether the decision is
complete, from the applying policies (each with the texts of its conditions left
undetermined) and the session's grant verdicts. Kept apart from the per-policy trace:
this runs once per new (plan, verdicts) and builds no per-policy record.
"""

from __future__ import annotations

from operator import itemgetter

from protected_actions.model.session import SessionState
from protected_actions.model.vocabulary import ascii_lower

from .compile import LEGACY_CLIENT_TYPES, CompiledPolicy
from .decision import Challenge, Outcome, Reason, ReasonCode, Requirement
from .grant import GrantResult, remembered_grant
from .plans import Applying, Body, Verdicts

__all__ = ["body_key", "build_body"]

_Graded = list[tuple[CompiledPolicy, GrantResult]]
_first = itemgetter(0)


def _reason_key(reason: Reason) -> tuple[str, str, str]:
    """:meth:`Reason.sort_key`, reading the code as the string it is (a ``str`` enum
    compares as its value)."""
    return (reason.code, reason.policy_id or "", reason.message)


def build_body(applying: Applying, session: SessionState, verdicts: Verdicts | None,
               acrs: tuple[str, ...], *, claims_capable: bool,
               satisfied: int | None = None) -> Body:
    """Steps 5-6 for the policies that apply (each with its undetermined texts);
    ``verdicts`` are the session's grant verdicts by grant shape (``None`` when an
    applying block decides without them); ``satisfied``, when given, the bit mask of
    the grant shapes they satisfy (the policies must then be the tenant's own)."""
    blocked: list[CompiledPolicy] = []
    unmet: _Graded = []
    if verdicts is None or any(cp.block for cp, _ in applying):
        # Any applying block decides the outcome (step 6): no other grant matters.
        blocked = [cp for cp, _ in applying if cp.block]
    else:
        for cp, _ in applying:
            shape = cp.grant_shape
            if satisfied is None or not satisfied >> shape & 1:
                grant = remembered_grant(cp, session, verdicts[shape])
                if grant.unmet:
                    unmet.append((cp, grant))
    outcome, reasons, requirements = _combine(blocked, unmet, len(applying), session,
                                              claims_capable=claims_capable)
    complete = True
    for cp, texts in applying:
        if texts:
            complete = False
            reasons.append(Reason(code=ReasonCode.UNDETERMINED_CONDITION, policy_id=cp.id,
                                  message="; ".join(texts)))
        if not cp.own_reasons:
            continue
        flt = cp.device_filter
        if flt is not None and flt.error is not None:
            reasons.append(Reason(code=ReasonCode.POLICY_ISSUE, policy_id=cp.id,
                                  message=f"device filter: {flt.error}"))
        if cp.state == "unknown":
            reasons.append(Reason(code=ReasonCode.UNKNOWN_POLICY_STATE, policy_id=cp.id,
                                  message=f"unknown state {cp.policy.state!r} treated as "
                                  "enabled"))
    challenge = Challenge(acrs=acrs, requirements=requirements) \
        if outcome is Outcome.CHALLENGE else None
    if len(reasons) > 1:
        reasons.sort(key=_reason_key)
    return Body(outcome, tuple(reasons), challenge, complete)


def _combine(blocked: list[CompiledPolicy], unmet: _Graded, applying: int,
             session: SessionState, *, claims_capable: bool
             ) -> tuple[Outcome, list[Reason], tuple[Requirement, ...]]:
    """Step 6: any block denies; all satisfied allows; every unmet requirement
    interactive challenges (a client that cannot take it is denied); else deny.
    ``unmet``: the applying policies whose grant is unmet, in order; ``applying``:
    how many apply."""
    if blocked:
        return Outcome.DENY, [cp.blocked_reason for cp in blocked], ()
    if not unmet:
        if applying:
            return Outcome.ALLOW, [Reason(code=ReasonCode.ALL_POLICIES_SATISFIED, message=(
                f"all {applying} applying policies are satisfied"))], ()
        return Outcome.ALLOW, [Reason(code=ReasonCode.NO_POLICY_APPLIES,
                                      message="no enforced policy applies")], ()
    keyed = [pair for _, grant in unmet for pair in grant.keyed_unmet]
    keyed.sort(key=_first)  # stable: equal keys keep the policies' order
    requirements = tuple(r for _, r in keyed)
    hard = [(cp, grant) for cp, grant in unmet if not grant.is_interactive]
    if hard:
        return Outcome.DENY, [_own(grant.hard_reason, cp) for cp, grant in hard], requirements
    legacy = ascii_lower(session.client_app_type) in LEGACY_CLIENT_TYPES
    if legacy or not claims_capable:
        why = (f"the {session.client_app_type} client cannot be prompted" if legacy
               else "the client cannot handle a claims challenge")
        return Outcome.DENY, [Reason(code=ReasonCode.CLIENT_CANNOT_STEP_UP,
                                     message=f"{why}; it would need: "
                                     + "; ".join(r.describe() for r in requirements))], \
            requirements
    return Outcome.CHALLENGE, [_own(grant.step_up_reason, cp) for cp, grant in unmet], \
        requirements


def _own(reason: Reason, cp: CompiledPolicy) -> Reason:
    """A grant's remembered reason, made again in the unexpected case that it names
    another policy than ``cp``."""
    if reason.policy_id == cp.id:
        return reason
    return Reason(code=reason.code, policy_id=cp.id, message=reason.message)


def body_key(applying: Applying, verdicts: Verdicts | None, satisfied: int,
             client_app_type: str, claims_capable: bool) -> tuple[object, ...]:
    """Everything :func:`build_body` reads, for bodies shared across plans: the
    policies that block, are unmet or add a reason of their own (by id, with their
    verdict and undetermined texts, in order), how many apply when that count is
    in the answer, and the client when a challenge could be refused.

    ``satisfied`` is the bit mask of the grant shapes ``verdicts`` satisfy; the
    policies must be the tenant's own (not registration variants, whose grant is
    not their shape's)."""
    parts: list[tuple[object, ...]] = []
    if verdicts is None or any(cp.block for cp, _ in applying):
        blocked = False
        for cp, texts in applying:
            if cp.block or texts or cp.own_reasons:
                blocked = blocked or cp.block
                parts.append((cp.id, texts))
        return True, -1 if blocked else len(applying), tuple(parts)
    unmet = False
    for cp, texts in applying:
        shape = cp.grant_shape
        if not satisfied >> shape & 1:
            unmet = True
            parts.append((cp.id, verdicts[shape], texts))
        elif texts or cp.own_reasons:
            parts.append((cp.id, True, texts))
    if unmet:
        return False, -1, tuple(parts), client_app_type, claims_capable
    return False, len(applying), tuple(parts)
