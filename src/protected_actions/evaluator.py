"""The evaluator: ``evaluate`` (protected actions) and ``evaluate_sign_in``.

A pure function of its inputs: no clock, no I/O, no randomness, no dependence on
input order. The rules, in order (DESIGN §4):

1. Parse the action into a :class:`Permission` (a malformed string raises).
2. Authorize: an active role (direct or through a role-assignable group) whose
   definition covers the permission; none gives ``DENY NOT_AUTHORIZED``, only an
   eligible (PIM) one ``DENY ROLE_NOT_ACTIVE``.
3. Protection: no auth context mapped gives ``ALLOW NOT_PROTECTED``. A
   ``microsoft.directory`` permission whose context no *enabled* policy targets is
   never satisfied: ``DENY CONTEXT_NOT_ENFORCED`` (entra-facts §1.3); an
   application's own permission goes on (the token is issued, §2.6).
4. Applicability of every policy that is not disabled (conditions in
   :mod:`protected_actions._conditions`); an undetermined condition makes the policy
   apply (fail-closed) and the decision incomplete.
5. Grant of each applying policy (:mod:`protected_actions._grant`).
6. Combine the enforced policies: any block: ``DENY``; all satisfied: ``ALLOW``;
   every unmet requirement interactive: ``CHALLENGE`` (``DENY
   CLIENT_CANNOT_STEP_UP`` for a client that cannot take it); otherwise ``DENY``
   ``REQUIREMENT_NOT_INTERACTIVE``.

A policy whose state is not ``enabled``/``disabled``/report-only is treated as
enforced (fail-closed) but does not count as the *enabled* policy of step 3.
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs

from ._conditions import (
    CHECKS_BY_NAME,
    CONDITION_CHECKS,
    Request,
    UserFacts,
    check_target,
    check_users,
)
from ._grant import _BLOCKED, GrantResult, evaluate_grant, shared_grant
from ._index import LEGACY_CLIENT_TYPES, CompiledPolicy, CompiledTenant
from .decision import (
    AnalysisReason,
    Challenge,
    Decision,
    Outcome,
    PolicyResult,
    PolicyResultName,
    Reason,
    ReasonCode,
    Requirement,
    _LazyTrace,
)
from .errors import InvalidModelError, InvalidPermissionError
from .permissions import Permission, as_permission
from .session import SessionState
from .tenant import Tenant

__all__ = ["evaluate", "evaluate_sign_in"]

_USER_ACTION_PREFIX = "urn:user:"
_TARGET_REASON = {
    "context": AnalysisReason.AUTHENTICATION_CONTEXT,
    "application": AnalysisReason.APPLICATION,
    "userAction": AnalysisReason.USER_ACTIONS,
}


@attrs.frozen(kw_only=True)
class _PolicyEval:
    """One policy against one request."""

    cp: CompiledPolicy
    applies: bool
    reason: AnalysisReason | None  # first failing condition when not applied
    undetermined: tuple[str, ...]
    details: tuple[str, ...]
    grant: GrantResult | None


def _check_inputs(tenant: object, session: object) -> None:
    if not isinstance(tenant, Tenant):
        raise InvalidModelError("tenant", "a Tenant", tenant)
    if not isinstance(session, SessionState):
        raise InvalidModelError("session", "a SessionState", session)


def _user_facts(index: CompiledTenant, session: SessionState) -> tuple[UserFacts,
                                                                        frozenset[str],
                                                                        frozenset[str]]:
    user = session.user
    entry = index.directory.get(user.id.casefold())
    groups = {g.casefold() for g in user.member_of}
    active, eligible = set(user.roles), set(user.eligible_roles)
    condition_roles = set(user.roles)
    guest, home = user.guest_or_external_user_type, user.home_tenant_id
    user_types = {user.user_type.casefold()}
    if entry is not None:
        groups |= entry.groups
        active |= entry.active_roles
        condition_roles |= entry.tenant_wide_roles
        eligible |= entry.eligible_roles
        guest = guest or entry.guest_type
        home = home or entry.home_tenant_id
        user_types.add((entry.user_type or "").casefold())
    if guest is None and "guest" in user_types:
        guest = "internalGuest"  # a local guest (userType Guest), entra-facts §6.2
    expanded = index.expand_groups(groups)
    for group in expanded & index.group_roles.keys():
        # Roles assigned to a role-assignable group the user is in (entra-facts §6.2).
        via_active, via_wide, via_eligible = index.group_roles[group]
        active |= via_active
        condition_roles |= via_wide
        eligible |= via_eligible
    facts = UserFacts(
        id=user.id.casefold(),
        groups=expanded,
        role_keys=index.role_keys(condition_roles),
        guest_type=guest.casefold() if guest else None,
        home_tenant=home.casefold() if home else None,
    )
    return facts, frozenset(active), frozenset(eligible)


def _grants(index: CompiledTenant, roles: Iterable[str], permission: Permission) -> bool:
    return index.role_grants_permission(roles, permission)


_CACHE_LIMIT = 65_536


def _cached_user_facts(index: CompiledTenant, session: SessionState
                       ) -> tuple[UserFacts, frozenset[str], frozenset[str]]:
    """:func:`_user_facts`, memoized per user object (a pure function of it)."""
    cache = index.caches.setdefault("users", {})
    facts = cache.get(session.user)
    if facts is None:
        if len(cache) >= _CACHE_LIMIT:
            cache.clear()
        facts = cache[session.user] = _user_facts(index, session)
    return facts  # type: ignore[return-value]


_PERMISSIONS: dict[str, Permission] = {}


def _permission(action: str | Permission) -> Permission:
    """Parse an action once; the same string always gives the same permission."""
    if isinstance(action, Permission):
        return action
    if not isinstance(action, str):
        return as_permission(action)  # raises InvalidPermissionError for any other type
    permission = _PERMISSIONS.get(action)
    if permission is None:
        permission = as_permission(action)
        if len(_PERMISSIONS) >= _CACHE_LIMIT:
            _PERMISSIONS.clear()
        _PERMISSIONS[action] = permission
    return permission


def _applies(cp: CompiledPolicy, req: Request, undetermined: tuple[str, ...]
             ) -> tuple[str, ...] | None:
    """The hot-path applicability test for a policy whose user condition already
    passed (``undetermined`` holds its text if it was undetermined): ``None`` when
    the policy does not apply, otherwise the texts of the conditions left
    undetermined. Only the conditions the policy configures are checked, and no
    explanation text is built."""
    if req.target_kind != "context":
        verdict, text = check_target(cp, req)
        if verdict is False:
            return None
        if verdict is None:
            undetermined += (text,)
    for name in cp.checks:
        verdict, text = CHECKS_BY_NAME[name][1](cp, req)
        if verdict is False:
            return None
        if verdict is None:
            undetermined += (text,)
    return undetermined


def _evaluate_policy(cp: CompiledPolicy, req: Request, *, explain: bool) -> _PolicyEval:
    undetermined: list[str] = []
    details: list[str] = []
    for reason, check in CONDITION_CHECKS:
        verdict, text = check(cp, req)
        if explain and text:
            details.append(text)
        if verdict is False:
            if reason is AnalysisReason.AUTHENTICATION_CONTEXT:
                reason = _TARGET_REASON[req.target_kind]
            elif reason is AnalysisReason.USERS and cp.workload_only:
                reason = AnalysisReason.WORKLOAD_IDENTITIES
            return _PolicyEval(cp=cp, applies=False, reason=reason, undetermined=(),
                               details=tuple(details), grant=None)
        if verdict is None:
            undetermined.append(text)
    return _PolicyEval(cp=cp, applies=True, reason=None, undetermined=tuple(undetermined),
                       details=tuple(details), grant=evaluate_grant(cp, req.session))


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


def _disabled_result(cp: CompiledPolicy) -> PolicyResult:
    p = cp.policy
    return PolicyResult(policy_id=p.id, display_name=p.display_name, state=p.state,
                        enforced=False, applies=False, result=PolicyResultName.NOT_ENABLED,
                        analysis_reasons=(AnalysisReason.POLICY_NOT_ENABLED.value,),
                        details=("the policy is disabled",))


def _trace(req: Request) -> _LazyTrace:
    """Every policy of the tenant, evaluated with explanations, on first access."""

    def build() -> tuple[PolicyResult, ...]:
        explaining = attrs.evolve(req, explain=True)
        return tuple(_disabled_result(cp) if cp.state == "disabled"
                     else _policy_result(_evaluate_policy(cp, explaining, explain=True))
                     for cp in req.index.compiled)

    return _LazyTrace(build)


def _combine(evals: list[_PolicyEval], req: Request, *, claims_capable: bool
             ) -> tuple[Outcome, list[Reason], tuple[Requirement, ...]]:
    applying = [e for e in evals if e.applies]
    blocked = [e for e in applying if e.grant is not None and e.grant.blocked]
    if blocked:
        return Outcome.DENY, [Reason(code=ReasonCode.BLOCKED_BY_POLICY, policy_id=e.cp.id,
                                     message=f"blocked by policy {e.cp.policy.display_name!r}")
                              for e in blocked], ()
    unmet = [e for e in applying if e.grant is not None and e.grant.unmet]
    if not unmet:
        code = ReasonCode.ALL_POLICIES_SATISFIED if applying else ReasonCode.NO_POLICY_APPLIES
        text = (f"all {len(applying)} applying policies are satisfied" if applying
                else "no enforced policy applies")
        return Outcome.ALLOW, [Reason(code=code, message=text)], ()
    requirements = tuple(sorted((r for e in unmet for r in e.grant.unmet),  # type: ignore[union-attr]
                                key=Requirement.sort_key))
    hard = [e for e in unmet if not e.grant.is_interactive]  # type: ignore[union-attr]
    if hard:
        return Outcome.DENY, [Reason(
            code=ReasonCode.REQUIREMENT_NOT_INTERACTIVE, policy_id=e.cp.id,
            message="needs " + "; ".join(r.describe() for r in e.grant.unmet  # type: ignore[union-attr]
                                         if not r.is_interactive))
            for e in hard], requirements
    legacy = req.session.client_app_type.casefold() in LEGACY_CLIENT_TYPES
    if legacy or not claims_capable:
        why = (f"the {req.session.client_app_type} client cannot be prompted" if legacy
               else "the client cannot handle a claims challenge")
        return Outcome.DENY, [Reason(code=ReasonCode.CLIENT_CANNOT_STEP_UP,
                                     message=f"{why}; it would need: "
                                     + "; ".join(r.describe() for r in requirements))], \
            requirements
    return Outcome.CHALLENGE, [Reason(code=ReasonCode.STEP_UP_REQUIRED, policy_id=e.cp.id,
                                      message="step up: " + "; ".join(
                                          r.describe() for r in e.grant.unmet))  # type: ignore[union-attr]
                               for e in unmet], requirements


def _side_reasons(evals: list[_PolicyEval]) -> list[Reason]:
    out = []
    for e in evals:
        if not e.applies:
            continue
        if e.undetermined:
            out.append(Reason(code=ReasonCode.UNDETERMINED_CONDITION, policy_id=e.cp.id,
                              message="; ".join(e.undetermined)))
        flt = e.cp.device_filter
        if flt is not None and flt.error is not None:
            out.append(Reason(code=ReasonCode.POLICY_ISSUE, policy_id=e.cp.id,
                              message=f"device filter: {flt.error}"))
        if e.cp.state == "unknown":
            out.append(Reason(code=ReasonCode.UNKNOWN_POLICY_STATE, policy_id=e.cp.id,
                              message=f"unknown state {e.cp.policy.state!r} treated as enabled"))
    return out


def _for_user(req: Request, candidates: tuple[CompiledPolicy, ...]
              ) -> tuple[tuple[CompiledPolicy, tuple[str, ...]], ...]:
    """The candidates whose user condition does not exclude the user, each with the
    text of its user condition when undetermined; memoized per (user, target): the
    users condition depends on the user's facts alone."""
    cache = req.index.caches.setdefault("for_user", {})
    key = (req.user, req.target_kind, req.target)
    kept = cache.get(key)
    if kept is None:
        if len(cache) >= _CACHE_LIMIT:
            cache.clear()
        verdicts = ((cp, check_users(cp, req)) for cp in candidates)
        kept = cache[key] = tuple((cp, (text,) if verdict is None else ())
                                  for cp, (verdict, text) in verdicts if verdict is not False)
    return kept  # type: ignore[return-value]


def _fast_evals(req: Request, candidates: tuple[CompiledPolicy, ...]) -> list[_PolicyEval]:
    """The enforced candidates that apply, with their grants (no explanations)."""
    applying = [(cp, undetermined) for cp, users in _for_user(req, candidates)
                if (undetermined := _applies(cp, req, users)) is not None]
    if any(cp.block for cp, _ in applying):
        # Any applying block decides the outcome (step 6): no other grant matters.
        return [_PolicyEval(cp=cp, applies=True, reason=None, undetermined=undetermined,
                            details=(), grant=_BLOCKED if cp.block else None)
                for cp, undetermined in applying]
    memo: dict[int, GrantResult] = {}
    return [_PolicyEval(cp=cp, applies=True, reason=None, undetermined=undetermined,
                        details=(), grant=shared_grant(cp, req.session, memo))
            for cp, undetermined in applying]


def _decide(req: Request, candidates: tuple[CompiledPolicy, ...], *, context_id: str | None,
            claims_capable: bool) -> Decision:
    evals = _fast_evals(req, candidates)
    outcome, reasons, requirements = _combine(evals, req, claims_capable=claims_capable)
    reasons += _side_reasons(evals)
    challenge = None
    if outcome is Outcome.CHALLENGE:
        challenge = Challenge(acrs=(context_id,) if context_id else (), requirements=requirements)
    return Decision(
        outcome=outcome, reasons=tuple(sorted(reasons, key=Reason.sort_key)),
        target=req.decision_target, user_id=req.session.user.id, context_id=context_id,
        challenge=challenge, complete=not any(e.undetermined for e in evals),
        trace=_trace(req))


def _early(req: Request, outcome: Outcome, code: ReasonCode, message: str,
           context_id: str | None) -> Decision:
    return Decision(outcome=outcome, reasons=(Reason(code=code, message=message),),
                    target=req.decision_target, user_id=req.session.user.id,
                    context_id=context_id, trace=_trace(req))


def evaluate(tenant: Tenant, session: SessionState, action: str | Permission, *,
             check_authorization: bool = True) -> Decision:
    """May ``session.user`` perform ``action`` now, and if not, what would let them?

    :param action: a permission such as
        ``microsoft.directory/conditionalAccessPolicies/create``.
    :param check_authorization: ``False`` skips step 2 for an application that has
        authorized the caller itself and only asks for the Conditional Access part.
    :raises InvalidPermissionError: ``action`` is malformed.
    :raises InvalidModelError: ``tenant`` or ``session`` is not what it must be.
    """
    _check_inputs(tenant, session)
    permission = _permission(action)
    if permission.is_all_tasks:
        raise InvalidPermissionError(permission.value, "a single action, not an "
                                     "allProperties/allTasks wildcard", "action")
    index = tenant.compiled
    facts, active, eligible = _cached_user_facts(index, session)
    context_id = index.context_for(permission)
    req = Request(index=index, session=session, user=facts, target_kind="context",
                  target=context_id or permission.value, decision_target=permission.value)
    return _decide_protected(req, permission, context_id, active, eligible,
                             check_authorization=check_authorization)


def _decide_protected(req: Request, permission: Permission, context_id: str | None,
                      active: frozenset[str], eligible: frozenset[str], *,
                      check_authorization: bool) -> Decision:
    """Steps 2-6 of :func:`evaluate` for a parsed permission."""
    index = req.index
    if check_authorization and not _grants(index, active, permission):
        if _grants(index, eligible, permission):
            return _early(req, Outcome.DENY, ReasonCode.ROLE_NOT_ACTIVE,
                          f"only an eligible role grants {permission}: activate it first",
                          context_id)
        return _early(req, Outcome.DENY, ReasonCode.NOT_AUTHORIZED,
                      f"no active role grants {permission}", context_id)
    if context_id is None:
        return _early(req, Outcome.ALLOW, ReasonCode.NOT_PROTECTED,
                      f"{permission} is not a protected action", None)
    if permission.is_directory and context_id not in index.enforced_contexts:
        return _early(req, Outcome.DENY, ReasonCode.CONTEXT_NOT_ENFORCED,
                      f"{permission} is protected by {context_id}, which no enabled policy "
                      "targets: the requirement is never satisfied", context_id)
    return _decide(req, index.enforced_by_context.get(context_id, ()), context_id=context_id,
                   claims_capable=req.session.supports_claims_challenge)


def evaluate_sign_in(tenant: Tenant, session: SessionState, target: str) -> Decision:
    """What-if for a sign-in to an application (by app id) or a user action
    (``urn:user:registersecurityinfo``, ``urn:user:registerdevice``).

    Same engine as :func:`evaluate`, with the target resource in place of the auth
    context and without authorization and protection (steps 2-3).
    """
    _check_inputs(tenant, session)
    if not isinstance(target, str) or not target:  # type: ignore[redundant-expr]
        raise InvalidModelError("target", "an application id or user action", target)
    index = tenant.compiled
    facts, _, _ = _cached_user_facts(index, session)
    if target.casefold().startswith(_USER_ACTION_PREFIX):
        kind = "userAction"
        candidates = index.by_user_action.get(target.casefold(), ())
    else:
        kind = "application"
        merged = {cp.id: cp for cp in (*index.all_app_policies,
                                       *index.by_app.get(target.casefold(), ()))}
        candidates = tuple(merged[k] for k in sorted(merged))
    req = Request(index=index, session=session, user=facts, target_kind=kind, target=target,
                  decision_target=target)
    return _decide(req, tuple(cp for cp in candidates if cp.enforced), context_id=None,
                   claims_capable=True)
