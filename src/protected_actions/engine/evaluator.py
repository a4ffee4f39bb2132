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
   :mod:`protected_actions.engine.conditions`); an undetermined condition makes the policy
   apply (fail-closed) and the decision incomplete.
5. Grant of each applying policy (:mod:`protected_actions.engine.grant`).
6. Combine the enforced policies: any block: ``DENY``; all satisfied: ``ALLOW``;
   every unmet requirement interactive: ``CHALLENGE`` (``DENY
   CLIENT_CANNOT_STEP_UP`` for a client that cannot take it); otherwise ``DENY``
   ``REQUIREMENT_NOT_INTERACTIVE``.

A policy whose state is not ``enabled``/``disabled``/report-only is treated as
enforced (fail-closed) but does not count as the *enabled* policy of step 3.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from typing import NamedTuple

from protected_actions.errors import InvalidModelError, InvalidPermissionError
from protected_actions.model.permissions import Permission, as_permission
from protected_actions.model.session import SessionState
from protected_actions.model.tenant import Tenant

from ._memo import remember
from .compile import LEGACY_CLIENT_TYPES, CompiledPolicy, CompiledTenant, compiled
from .conditions import CONDITION_CHECKS, Request, UserFacts, check_resource
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
    _decision,
    _LazyTrace,
)
from .grant import _BLOCKED, GrantResult, evaluate_grant, remembered_grant
from .plans import Applying, Body, Candidates, UserEntry, Verdicts, grant_table

__all__ = ["evaluate", "evaluate_auth_context", "evaluate_sign_in"]

_USER_ACTION_PREFIX = "urn:user:"
_TARGET_REASON = {
    "context": AnalysisReason.AUTHENTICATION_CONTEXT,
    "application": AnalysisReason.APPLICATION,
    "userAction": AnalysisReason.USER_ACTIONS,
}


class _PolicyEval(NamedTuple):
    """One policy against one request (an internal record, built per request)."""

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
    expanded: frozenset[str] | None = None
    if entry is not None:
        if groups <= entry.groups:
            # The directory's groups are closed under nesting and their roles are in
            # the entry already: the session adds nothing to walk.
            expanded = entry.groups
        groups |= entry.groups
        active |= entry.active_roles
        condition_roles |= entry.tenant_wide_roles
        eligible |= entry.eligible_roles
        guest = guest or entry.guest_type
        home = home or entry.home_tenant_id
        user_types.add((entry.user_type or "").casefold())
    if guest is None and "guest" in user_types:
        guest = "internalGuest"  # a local guest (userType Guest), entra-facts §6.2
    if expanded is None:
        expanded = index.expand_groups(groups)
        for group in expanded & index.group_roles.keys():
            # Roles assigned to a role-assignable group the user is in (entra-facts §6.2).
            via_active, via_wide, via_eligible = index.group_roles[group]
            active |= via_active
            condition_roles |= via_wide
            eligible |= via_eligible
    role_keys: dict[frozenset[str], frozenset[str]] = index.caches.setdefault("role_keys", {})
    roles_key = frozenset(condition_roles)
    keys = role_keys.get(roles_key)
    if keys is None:
        keys = remember(role_keys, roles_key, index.role_keys(roles_key))
    facts = UserFacts(
        id=user.id.casefold(),
        groups=expanded,
        role_keys=keys,
        guest_type=guest.casefold() if guest else None,
        home_tenant=home.casefold() if home else None,
    )
    return facts, frozenset(active), frozenset(eligible)


def _grants(index: CompiledTenant, roles: Iterable[str], permission: Permission) -> bool:
    return index.role_grants_permission(roles, permission)


def _authorization(index: CompiledTenant, entry: UserEntry, permission: Permission
                   ) -> bool | None:
    """Step 2, remembered per user: ``True`` when an active role grants the
    permission, ``False`` when only an eligible (PIM) role does, ``None`` when none."""
    if permission.key in entry.authorized:
        return entry.authorized[permission.key]
    granted = True if _grants(index, entry.active, permission) else \
        False if _grants(index, entry.eligible, permission) else None
    return remember(entry.authorized, permission.key, granted)


def _user_entry(index: CompiledTenant, session: SessionState) -> UserEntry:
    """:func:`_user_facts` with the user's memo tables, memoized per user: keyed on
    every user field it reads."""
    user = session.user
    key = (user.id, user.member_of, user.roles, user.eligible_roles, user.user_type,
           user.guest_or_external_user_type, user.home_tenant_id)
    cache: dict[object, UserEntry] = index.caches.setdefault("users", {})
    entry = cache.get(key)
    if entry is None:
        entry = remember(cache, key, UserEntry(*_user_facts(index, session)))
    return entry


def _cached_user_facts(index: CompiledTenant, session: SessionState
                       ) -> tuple[UserFacts, frozenset[str], frozenset[str]]:
    """:func:`_user_facts`, memoized per user (a pure function of the user)."""
    entry = _user_entry(index, session)
    return entry.facts, entry.active, entry.eligible


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


def _trace_results(index: CompiledTenant, session: SessionState, facts: UserFacts, kind: str,
                   target: str, decision_target: str) -> tuple[PolicyResult, ...]:
    """Every policy of the tenant, evaluated with explanations."""
    explaining = Request(index=index, session=session, user=facts, target_kind=kind,
                         target=target, decision_target=decision_target, explain=True)
    return tuple(_disabled_result(cp) if cp.state == "disabled"
                 else _policy_result(_evaluate_policy(cp, explaining, explain=True))
                 for cp in index.compiled)


def _trace(index: CompiledTenant, session: SessionState, facts: UserFacts, kind: str,
           target: str, decision_target: str) -> _LazyTrace:
    """:func:`_trace_results`, computed on first access."""
    return _LazyTrace(_trace_results, (index, session, facts, kind, target, decision_target))


def _combine(evals: list[_PolicyEval], session: SessionState, *, claims_capable: bool
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
            message="needs " + e.grant.hard_text)  # type: ignore[union-attr]
            for e in hard], requirements
    legacy = session.client_app_type.casefold() in LEGACY_CLIENT_TYPES
    if legacy or not claims_capable:
        why = (f"the {session.client_app_type} client cannot be prompted" if legacy
               else "the client cannot handle a claims challenge")
        return Outcome.DENY, [Reason(code=ReasonCode.CLIENT_CANNOT_STEP_UP,
                                     message=f"{why}; it would need: "
                                     + "; ".join(r.describe() for r in requirements))], \
            requirements
    return Outcome.CHALLENGE, [Reason(code=ReasonCode.STEP_UP_REQUIRED, policy_id=e.cp.id,
                                      message="step up: " + e.grant.unmet_text)  # type: ignore[union-attr]
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


def _build_body(applying: Applying, session: SessionState, verdicts: Verdicts | None,
                acrs: tuple[str, ...], *, claims_capable: bool) -> Body:
    """Steps 5-6 for the policies that apply (each with its undetermined texts);
    ``verdicts`` are the session's grant verdicts by grant shape (``None`` when an
    applying block decides without them)."""
    if verdicts is None or any(cp.block for cp, _ in applying):
        # Any applying block decides the outcome (step 6): no other grant matters.
        evals = [_PolicyEval(cp=cp, applies=True, reason=None, undetermined=undetermined,
                             details=(), grant=_BLOCKED if cp.block else None)
                 for cp, undetermined in applying]
    else:
        evals = [_PolicyEval(cp=cp, applies=True, reason=None, undetermined=undetermined,
                             details=(), grant=remembered_grant(cp, session,
                                                                verdicts[cp.grant_shape]))
                 for cp, undetermined in applying]
    outcome, reasons, requirements = _combine(evals, session, claims_capable=claims_capable)
    reasons += _side_reasons(evals)
    challenge = Challenge(acrs=acrs, requirements=requirements) \
        if outcome is Outcome.CHALLENGE else None
    return Body(outcome, tuple(sorted(reasons, key=Reason.sort_key)), challenge,
                not any(e.undetermined for e in evals))


def _decide(index: CompiledTenant, session: SessionState, entry: UserEntry,
            candidates: Candidates, *, kind: str, target: str, decision_target: str,
            context_id: str | None, claims_capable: bool) -> Decision:
    """Steps 4-6: the plan for the user, the grant verdicts for the session, and the
    body they give (each remembered; see :mod:`protected_actions.engine.plans`)."""

    plan = entry.plans.get(candidates)
    if plan is None:
        plan = remember(entry.plans, candidates, candidates.plan(entry.facts, partial(
            Request, index=index, session=session, user=entry.facts, target_kind=kind,
            target=target, decision_target=decision_target)))
    applying = plan.fixed
    condition_key: tuple[object, ...] = ()
    if applying is None:
        applying, condition_key = plan.applying(Request(
            index=index, session=session, user=entry.facts, target_kind=kind, target=target,
            decision_target=decision_target))
    table: Verdicts | None = None
    if plan.fixed_block:
        key: object = condition_key
    else:
        table = grant_table(index, session)
        verdicts = plan.pick(table) if plan.pick is not None else None
        key = (condition_key, verdicts, session.client_app_type, claims_capable)
    body = plan.bodies.get(key)
    if body is None:
        body = remember(plan.bodies, key, _build_body(applying, session, table, candidates.acrs,
                                                      claims_capable=claims_capable))
    return _decision(body.outcome, body.reasons, decision_target, session.user.id, context_id,
                     body.challenge, body.complete,
                     _trace(index, session, entry.facts, kind, target, decision_target))


class _Action:
    """What an action asks of every user: its permission, the context protecting it,
    the candidates on that context, and the reasons of the early answers."""

    __slots__ = ("candidates", "context_id", "early", "not_active", "not_authorized",
                 "permission")

    def __init__(self, index: CompiledTenant, permission: Permission) -> None:
        self.permission = permission
        context_id = self.context_id = index.context_for(permission)
        self.not_active = (Reason(code=ReasonCode.ROLE_NOT_ACTIVE, message=(
            f"only an eligible role grants {permission}: activate it first")),)
        self.not_authorized = (Reason(code=ReasonCode.NOT_AUTHORIZED,
                                      message=f"no active role grants {permission}"),)
        self.early: tuple[Outcome, tuple[Reason, ...]] | None = None
        self.candidates: Candidates | None = None
        if context_id is None:
            self.early = Outcome.ALLOW, (Reason(
                code=ReasonCode.NOT_PROTECTED,
                message=f"{permission} is not a protected action"),)
        elif permission.is_directory and context_id not in index.enforced_contexts:
            self.early = Outcome.DENY, (Reason(
                code=ReasonCode.CONTEXT_NOT_ENFORCED,
                message=f"{permission} is protected by {context_id}, which no enabled "
                "policy targets: the requirement is never satisfied"),)
        else:
            self.candidates = _candidates(index, "context", context_id)


def _action(index: CompiledTenant, action: str | Permission) -> _Action:
    """The parsed, validated action (step 1), remembered per action."""
    table: dict[object, _Action] = index.caches.setdefault("actions", {})
    try:
        known = table.get(action)
    except TypeError:  # unhashable: not an action; as_permission says why
        known = None
    if known is None:
        permission = as_permission(action)  # raises InvalidPermissionError if malformed
        if permission.is_all_tasks:
            raise InvalidPermissionError(permission.value, "a single action, not an "
                                         "allProperties/allTasks wildcard", "action")
        known = remember(table, action, _Action(index, permission))
    return known


def _candidates(index: CompiledTenant, kind: str, target: str) -> Candidates:
    """The enforced policies a target can meet (the target condition decided once)."""
    table: dict[object, Candidates] = index.caches.setdefault("candidates", {})
    key = (kind, target.casefold() if kind != "context" else target)
    known = table.get(key)
    if known is None:
        if kind == "context":
            found: list[tuple[CompiledPolicy, tuple[str, ...]]] = [
                (cp, ()) for cp in index.enforced_by_context.get(target, ())]
        else:
            if kind == "userAction":
                policies = index.by_user_action.get(target.casefold(), ())
            else:
                merged = {cp.id: cp for cp in (*index.all_app_policies,
                                               *index.by_app.get(target.casefold(), ()))}
                policies = tuple(merged[k] for k in sorted(merged))
            found = []
            for cp in policies:
                if not cp.enforced:
                    continue
                verdict, text = check_resource(cp, kind, target)
                if verdict is not False:
                    found.append((cp, (text,) if verdict is None else ()))
        known = remember(table, key, Candidates(found, (target,) if kind == "context" else ()))
    return known


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
    index = compiled(tenant)
    act = _action(index, action)
    entry = _user_entry(index, session)
    permission = act.permission
    early = act.early
    if check_authorization:
        granted = _authorization(index, entry, permission)
        if granted is not True:
            early = Outcome.DENY, act.not_authorized if granted is None else act.not_active
    decision_target = permission.value
    context_id = act.context_id
    if early is not None or act.candidates is None:
        assert early is not None
        return _decision(early[0], early[1], decision_target, session.user.id, context_id,
                         None, True, _trace(index, session, entry.facts, "context",
                                            context_id or decision_target, decision_target))
    return _decide(index, session, entry, act.candidates, kind="context",
                   target=context_id or decision_target, decision_target=decision_target,
                   context_id=context_id, claims_capable=session.supports_claims_challenge)


def evaluate_sign_in(tenant: Tenant, session: SessionState, target: str) -> Decision:
    """What-if for a sign-in to an application (by app id) or a user action
    (``urn:user:registersecurityinfo``, ``urn:user:registerdevice``).

    Same engine as :func:`evaluate`, with the target resource in place of the auth
    context and without authorization and protection (steps 2-3).
    """
    _check_inputs(tenant, session)
    if not isinstance(target, str) or not target:  # type: ignore[redundant-expr]
        raise InvalidModelError("target", "an application id or user action", target)
    index = compiled(tenant)
    entry = _user_entry(index, session)
    kind = "userAction" if target.casefold().startswith(_USER_ACTION_PREFIX) else "application"
    return _decide(index, session, entry, _candidates(index, kind, target), kind=kind,
                   target=target, decision_target=target, context_id=None,
                   claims_capable=True)


def evaluate_auth_context(tenant: Tenant, session: SessionState, context_id: str) -> Decision:
    """What-if for a sign-in that asks for the auth context ``context_id`` (a token
    request with an ``acrs`` claims challenge, as sign-in logs record it in
    ``authenticationContextClassReferences``).

    Same engine as :func:`evaluate_sign_in`, with the auth context as the target
    (steps 4-6 only: no authorization and no protected-action mapping).
    """
    _check_inputs(tenant, session)
    if not isinstance(context_id, str) or not context_id:  # type: ignore[redundant-expr]
        raise InvalidModelError("context_id", "an auth context id", context_id)
    index = compiled(tenant)
    entry = _user_entry(index, session)
    return _decide(index, session, entry, _candidates(index, "context", context_id),
                   kind="context", target=context_id, decision_target=context_id,
                   context_id=context_id, claims_capable=session.supports_claims_challenge)
