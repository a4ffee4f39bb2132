"""The per-policy trace computed the plain way: every policy evaluated with
explanations, one after the other. The engine's trace (``protected_actions.engine.trace``)
remembers and shares what it can; it must give exactly these results."""

from __future__ import annotations

from protected_actions.engine.compile import CompiledTenant
from protected_actions.engine.conditions import REGISTER_SECURITY_INFO, Request, UserFacts
from protected_actions.engine.decision import AnalysisReason, PolicyResult, PolicyResultName
from protected_actions.engine.evaluator import _evaluate_policy, _PolicyEval, _prefers
from protected_actions.engine.grant import evaluate_grant
from protected_actions.model.session import SessionState

__all__ = ["trace_results"]


def _result_name(ev: _PolicyEval) -> PolicyResultName:
    report_only = ev.cp.state == "reportOnly"
    if not ev.applies or ev.grant is None:
        return PolicyResultName.REPORT_ONLY_NOT_APPLIED if report_only \
            else PolicyResultName.NOT_APPLIED
    if ev.grant.is_satisfied:
        return PolicyResultName.REPORT_ONLY_SUCCESS if report_only else PolicyResultName.SUCCESS
    if report_only:
        return PolicyResultName.REPORT_ONLY_INTERRUPTED \
            if not ev.grant.blocked and ev.grant.is_interactive \
            else PolicyResultName.REPORT_ONLY_FAILURE
    return PolicyResultName.FAILURE


def _policy_result(ev: _PolicyEval) -> PolicyResult:
    p = ev.cp.policy
    reasons: tuple[str, ...]
    if ev.applies:
        reasons = (AnalysisReason.NOT_ENOUGH_INFORMATION.value,) if ev.undetermined \
            else (AnalysisReason.NOT_SET.value,)
    else:
        reasons = (ev.reason.value,) if ev.reason else ()
    grant = ev.grant
    return PolicyResult(
        policy_id=p.id, display_name=p.display_name, state=p.state, enforced=ev.cp.enforced,
        applies=ev.applies, result=_result_name(ev), analysis_reasons=reasons,
        satisfied=grant.satisfied if grant else (), unmet=grant.unmet if grant else (),
        blocked=bool(grant and grant.blocked),
        details=tuple(dict.fromkeys(ev.details + ev.undetermined)),
    )


def _disabled_result(p_id: str, name: str, state: str) -> PolicyResult:
    return PolicyResult(policy_id=p_id, display_name=name, state=state,
                        enforced=False, applies=False, result=PolicyResultName.NOT_ENABLED,
                        analysis_reasons=(AnalysisReason.POLICY_NOT_ENABLED.value,),
                        details=("the policy is disabled",))


def trace_results(index: CompiledTenant, session: SessionState, facts: UserFacts, kind: str,
                  target: str, decision_target: str) -> tuple[PolicyResult, ...]:
    """Every policy of the tenant, evaluated with explanations."""
    explaining = Request(index=index, session=session, user=facts, target_kind=kind,
                         target=target, decision_target=decision_target, explain=True)
    evals = [None if cp.state == "disabled" else _evaluate_policy(cp, explaining, explain=True)
             for cp in index.compiled]
    if kind == "userAction" and index.registration_variants and _prefers(
            index, (e.cp for e in evals if e is not None and e.applies), target):
        evals = [_preferred(e, index, session) for e in evals]
    return tuple(_disabled_result(cp.policy.id, cp.policy.display_name, cp.policy.state)
                 if e is None else _policy_result(e)
                 for cp, e in zip(index.compiled, evals, strict=True))


def _preferred(ev: _PolicyEval | None, index: CompiledTenant, session: SessionState
               ) -> _PolicyEval | None:
    if ev is None or not ev.applies or REGISTER_SECURITY_INFO in ev.cp.user_actions:
        return ev
    variant = index.registration_variants.get(ev.cp.id)
    if variant is None:
        return ev
    return ev._replace(grant=evaluate_grant(variant, session), details=(
        *ev.details, "the registration policy's authentication strength is preferred "
        "over this policy's"))
