"""Steps 5-6 of the evaluator for the policies that apply: the decision's body.

The outcome, its reasons (sorted), the challenge and whether the decision is
complete, from the applying policies (each with the texts of its conditions left
undetermined) and the session's grant verdicts. Kept apart from the per-policy trace:
this runs once per new (plan, verdicts) and builds no per-policy record.
"""

from __future__ import annotations

from protected_actions.model.session import SessionState
from protected_actions.model.vocabulary import ascii_lower

from .compile import LEGACY_CLIENT_TYPES, CompiledPolicy
from .decision import Challenge, Outcome, Reason, ReasonCode, Requirement
from .grant import _BLOCKED, GrantResult, remembered_grant
from .plans import Applying, Body, Verdicts

__all__ = ["build_body"]

_Graded = list[tuple[CompiledPolicy, GrantResult | None]]


def build_body(applying: Applying, session: SessionState, verdicts: Verdicts | None,
               acrs: tuple[str, ...], *, claims_capable: bool) -> Body:
    """Steps 5-6 for the policies that apply (each with its undetermined texts);
    ``verdicts`` are the session's grant verdicts by grant shape (``None`` when an
    applying block decides without them)."""
    graded: _Graded
    if verdicts is None or any(cp.block for cp, _ in applying):
        # Any applying block decides the outcome (step 6): no other grant matters.
        graded = [(cp, _BLOCKED if cp.block else None) for cp, _ in applying]
    else:
        graded = [(cp, remembered_grant(cp, session, verdicts[cp.grant_shape]))
                  for cp, _ in applying]
    outcome, reasons, requirements = _combine(graded, session, claims_capable=claims_capable)
    complete = True
    for cp, texts in applying:
        if texts:
            complete = False
            reasons.append(Reason(code=ReasonCode.UNDETERMINED_CONDITION, policy_id=cp.id,
                                  message="; ".join(texts)))
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
        reasons.sort(key=Reason.sort_key)
    return Body(outcome, tuple(reasons), challenge, complete)


def _combine(graded: _Graded, session: SessionState, *, claims_capable: bool
             ) -> tuple[Outcome, list[Reason], tuple[Requirement, ...]]:
    """Step 6: any block denies; all satisfied allows; every unmet requirement
    interactive challenges (a client that cannot take it is denied); else deny."""
    blocked = [cp for cp, grant in graded if grant is not None and grant.blocked]
    if blocked:
        return Outcome.DENY, [Reason(code=ReasonCode.BLOCKED_BY_POLICY, policy_id=cp.id,
                                     message=f"blocked by policy {cp.policy.display_name!r}")
                              for cp in blocked], ()
    unmet = [(cp, grant) for cp, grant in graded if grant is not None and grant.unmet]
    if not unmet:
        if graded:
            return Outcome.ALLOW, [Reason(code=ReasonCode.ALL_POLICIES_SATISFIED, message=(
                f"all {len(graded)} applying policies are satisfied"))], ()
        return Outcome.ALLOW, [Reason(code=ReasonCode.NO_POLICY_APPLIES,
                                      message="no enforced policy applies")], ()
    requirements = tuple(sorted((r for _, grant in unmet for r in grant.unmet),
                                key=Requirement.sort_key))
    hard = [(cp, grant) for cp, grant in unmet if not grant.is_interactive]
    if hard:
        return Outcome.DENY, [Reason(code=ReasonCode.REQUIREMENT_NOT_INTERACTIVE,
                                     policy_id=cp.id, message="needs " + grant.hard_text)
                              for cp, grant in hard], requirements
    legacy = ascii_lower(session.client_app_type) in LEGACY_CLIENT_TYPES
    if legacy or not claims_capable:
        why = (f"the {session.client_app_type} client cannot be prompted" if legacy
               else "the client cannot handle a claims challenge")
        return Outcome.DENY, [Reason(code=ReasonCode.CLIENT_CANNOT_STEP_UP,
                                     message=f"{why}; it would need: "
                                     + "; ".join(r.describe() for r in requirements))], \
            requirements
    return Outcome.CHALLENGE, [Reason(code=ReasonCode.STEP_UP_REQUIRED, policy_id=cp.id,
                                      message="step up: " + grant.unmet_text)
                               for cp, grant in unmet], requirements
