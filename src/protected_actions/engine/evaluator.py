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
from typing import Any, NamedTuple

from protected_actions.errors import InvalidModelError, InvalidPermissionError
from protected_actions.model.permissions import PROTECTABLE_PERMISSIONS, Permission, as_permission
from protected_actions.model.session import SessionState, User
from protected_actions.model.tenant import Tenant
from protected_actions.model.vocabulary import ascii_lower, near_miss, text_problem

from ._memo import MemoTable, remember
from .body import body_key, build_body
from .compile import (
    INDEX_KEY,
    CompiledPolicy,
    CompiledTenant,
    DirectoryEntry,
    ScopedRole,
    compiled,
)
from .conditions import (
    CONDITION_CHECKS,
    REGISTER_SECURITY_INFO,
    Request,
    UserFacts,
    check_resource,
)
from .decision import (
    AnalysisReason,
    ControlKind,
    Decision,
    Outcome,
    Reason,
    ReasonCode,
    _decision,
    _LazyTrace,
)
from .grant import GrantResult, evaluate_grant
from .plans import Applying, Body, Candidates, GrantTables, UserEntry, Verdicts, grant_tables
from .targets import sign_in_target
from .trace import EMPTY_POLICY_TEXT, TARGET_REASONS, trace_results, trace_verdicts

__all__ = ["evaluate", "evaluate_auth_context", "evaluate_sign_in"]

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


def _table(index: CompiledTenant, name: str) -> dict[Any, Any]:
    """The index's memo table ``name`` (a :class:`MemoTable`, made on first use)."""
    table: dict[Any, Any] | None = index.caches.get(name)
    if table is None:
        table = index.caches[name] = MemoTable()
    return table


def _user_facts(index: CompiledTenant, session: SessionState) -> tuple[UserFacts,
                                                                        frozenset[str],
                                                                        frozenset[str]]:
    user = session.user
    entry = index.directory.get(ascii_lower(user.id))
    if entry is not None:
        known = _directory_facts(index, entry, user, ascii_lower(user.id))
        if known is not None:
            return known
    groups = {ascii_lower(g) for g in user.member_of}
    active, eligible = set(user.roles), set(user.eligible_roles)
    condition_roles = set(user.roles)
    home = user.home_tenant_id
    # Each source's guest type; a local guest (userType Guest) is an internal guest
    # (entra-facts §6.2). The session's view counts only when it says something.
    session_guest = _guest_view(user.guest_or_external_user_type, user.user_type)
    views: tuple[str | None, ...] = (session_guest,)
    exclusion_groups: frozenset[str] | None = None
    exclusion_roles: frozenset[str] | None = None
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
        home = home or entry.home_tenant_id
    if entry is not None and entry.listed:
        directory_guest = _guest_view(entry.guest_type, entry.user_type or "member")
        views = (directory_guest,) if session_guest is None or session_guest == directory_guest \
            else (directory_guest, session_guest)
        # Where the session and the directory disagree, the policy applies if either
        # value makes it apply: a membership only the session claims never excludes.
        exclusion_groups = entry.groups
        exclusion_roles = frozenset(entry.tenant_wide_roles)
    if expanded is None:
        expanded = index.expand_groups(groups)
        for group in expanded & index.group_roles.keys():
            # Roles assigned to a role-assignable group the user is in (entra-facts §6.2).
            via_active, via_wide, via_eligible = index.group_roles[group]
            active |= via_active
            condition_roles |= via_wide
            eligible |= via_eligible
    role_keys: dict[frozenset[str], frozenset[str]] = _table(index, "role_keys")
    roles_key = frozenset(condition_roles)
    keys = role_keys.get(roles_key)
    if keys is None:
        keys = remember(role_keys, roles_key, index.role_keys(roles_key))
    excluding_keys = None if exclusion_roles is None else _role_keys(index, exclusion_roles)
    guest_types = frozenset(v for v in views if v is not None)
    facts = UserFacts(
        id=ascii_lower(user.id),
        groups=expanded,
        role_keys=keys,
        guest_type=min(guest_types) if guest_types else None,
        home_tenant=ascii_lower(home) if home else None,
        guest_types=guest_types,
        guest_views=views,
        exclusion_groups=None if exclusion_groups == expanded else exclusion_groups,
        exclusion_role_keys=None if excluding_keys == keys else excluding_keys,
    )
    return facts, frozenset(active), frozenset(eligible)


def _directory_facts(index: CompiledTenant, entry: DirectoryEntry, user: User, uid: str
                     ) -> tuple[UserFacts, frozenset[str], frozenset[str]] | None:
    """:func:`_user_facts` for a listed directory user (``uid``: the lowercased id)
    whose session adds nothing to the directory (its groups, roles and
    eligibilities are the directory's or fewer, and it says nothing of a guest
    type): the directory's facts, without building a set. ``None`` for any other
    user."""
    if not (entry.listed and user.guest_or_external_user_type is None
            and user.member_of <= entry.groups and user.roles <= entry.active_roles
            and user.roles <= entry.tenant_wide_roles
            and user.eligible_roles <= entry.eligible_roles
            and ascii_lower(user.user_type) != "guest"):  # no guest view of its own
        return None
    # Every group a member_of id equals is lowercased already (the directory's are),
    # so the session's groups, lowercased, are within the directory's too.
    roles = entry.tenant_wide_roles
    keys = index.caches["role_keys"].get(roles)
    if keys is None:
        keys = _role_keys(index, roles)
    guest = _guest_view(entry.guest_type, entry.user_type or "member")
    home = user.home_tenant_id or entry.home_tenant_id
    facts = UserFacts(
        id=uid, groups=entry.groups, role_keys=keys, guest_type=guest,
        home_tenant=ascii_lower(home) if home else None,
        guest_types=_NO_GUEST if guest is None else frozenset((guest,)),
        guest_views=(guest,))
    return facts, entry.active_roles, entry.eligible_roles


_NO_GUEST: frozenset[str] = frozenset()


def _guest_view(guest_type: str | None, user_type: str) -> str | None:
    """One source's guest type (lowercased): its own, else ``internalguest`` for a
    local guest (userType ``Guest``), else ``None`` (a member)."""
    if guest_type:
        return ascii_lower(guest_type)
    return "internalguest" if ascii_lower(user_type) == "guest" else None


def _role_keys(index: CompiledTenant, roles: frozenset[str]) -> frozenset[str]:
    role_keys: dict[frozenset[str], frozenset[str]] = _table(index, "role_keys")
    keys = role_keys.get(roles)
    if keys is None:
        keys = remember(role_keys, roles, index.role_keys(roles))
    return keys


def _scoped_roles(index: CompiledTenant, session: SessionState,
                  groups: frozenset[str]) -> tuple[ScopedRole, ...]:
    """The roles the user holds (or is eligible for) only below the tenant: from the
    directory, and through the role-assignable groups the user is in."""
    entry = index.directory.get(ascii_lower(session.user.id))
    if not index.group_scoped_roles:
        return entry.scoped_roles if entry is not None else ()
    found = list(entry.scoped_roles) if entry is not None else []
    known = set(found)
    for group in sorted(groups & index.group_scoped_roles.keys()):
        found.extend(r for r in index.group_scoped_roles[group] if r not in known)
    return tuple(found)


def _grants(index: CompiledTenant, roles: Iterable[str], permission: Permission) -> bool:
    return index.role_grants_permission(roles, permission)


def _holds(granting: frozenset[str], roles: frozenset[str]) -> bool:
    """Whether one of ``roles`` is among ``granting`` (lowercased (ASCII) role keys),
    compared on lowercased ids."""
    if not roles or not granting:
        return False
    return not granting.isdisjoint(roles) or any(ascii_lower(r) in granting for r in roles)


def _authorization(act: _Action, entry: UserEntry, scope: str | None) -> bool | None:
    """Step 2: ``True`` when an active role grants the action's permission,
    ``False`` when only an eligible (PIM) role does, ``None`` when none. A role held
    below the tenant counts only when ``scope`` (lowercased) is its scope."""
    granting = act.granting
    active, eligible = entry.active, entry.eligible
    if scope is not None and entry.scoped:
        active = active | {r.role_id for r in entry.scoped if r.active and r.scope == scope}
        eligible = eligible | {r.role_id for r in entry.scoped
                               if not r.active and r.scope == scope}
    return True if _holds(granting, active) else \
        False if _holds(granting, eligible) else None


def _out_of_scope(index: CompiledTenant, entry: UserEntry, permission: Permission,
                  scope: str | None) -> tuple[Reason, ...]:
    """Why a role held below the tenant does not authorize: which assignment, at
    which scope (empty when no such role grants the permission)."""
    missed = [r for r in entry.scoped if r.scope != scope
              and _grants(index, (r.role_id,), permission)]
    asked = "names no object in a scope" if scope is None else f"is on {scope!r}"
    return tuple(Reason(code=ReasonCode.NOT_AUTHORIZED, message=(
        f"{'assignment' if r.active else 'eligibility'} {r.assignment_id or '(no id)'} of "
        f"role {r.role_id} is scoped to {r.directory_scope_id!r}, and the request {asked}"))
        for r in missed)


def _scope_key(scope: object) -> str | None:
    """The request's scope (a ``directoryScopeId``), checked and lowercased."""
    if scope is None:
        return None
    problem = text_problem(scope)
    if problem is None and not (isinstance(scope, str) and scope.startswith("/")):
        problem = "a directoryScopeId starting with '/'"
    if problem is not None or not isinstance(scope, str):
        raise InvalidModelError("scope", "a directoryScopeId such as "
                                "'/administrativeUnits/{id}' or '/{objectId}' "
                                f"({problem})", scope)
    return ascii_lower(scope)


def _user_entry(index: CompiledTenant, session: SessionState) -> UserEntry:
    """:func:`_user_facts` with the user's memo tables, memoized per user: keyed on
    every user field it reads."""
    user = session.user
    key = (user.id, user.member_of, user.roles, user.eligible_roles, user.user_type,
           user.guest_or_external_user_type, user.home_tenant_id)
    cache: dict[object, UserEntry] = index.caches["users"]
    entry = cache.get(key)
    if entry is None:
        uid = ascii_lower(user.id)
        found: DirectoryEntry | None = index.directory.get(uid)
        known = None if found is None else _directory_facts(index, found, user, uid)
        if known is not None and not index.group_scoped_roles:
            assert found is not None
            facts, active, eligible = known
            scoped = found.scoped_roles
        else:
            facts, active, eligible = known or _user_facts(index, session)
            scoped = _scoped_roles(index, session, facts.groups)
        entry = remember(cache, key, UserEntry(facts, active, eligible, scoped),
                         chars=_user_key_chars(user))
    return entry


def _user_key_chars(user: User) -> int:
    """:func:`~protected_actions.engine._memo.key_chars` of :func:`_user_entry`'s key."""
    return (len(user.id) + sum(map(len, user.member_of)) + sum(map(len, user.roles))
            + sum(map(len, user.eligible_roles)) + len(user.user_type)
            + len(user.guest_or_external_user_type or "") + len(user.home_tenant_id or ""))


def _cached_user_facts(index: CompiledTenant, session: SessionState
                       ) -> tuple[UserFacts, frozenset[str], frozenset[str]]:
    """:func:`_user_facts`, memoized per user (a pure function of the user)."""
    entry = _user_entry(index, session)
    return entry.facts, entry.active, entry.eligible


def _evaluate_policy(cp: CompiledPolicy, req: Request, *, explain: bool) -> _PolicyEval:
    undetermined: list[str] = []
    details: list[str] = []
    if cp.empty:
        return _PolicyEval(cp=cp, applies=False, reason=AnalysisReason.EMPTY_POLICY,
                           undetermined=(), grant=None, details=(EMPTY_POLICY_TEXT,))
    for reason, check in CONDITION_CHECKS:
        verdict, text = check(cp, req)
        if explain and text:
            details.append(text)
        if verdict is False:
            if reason is AnalysisReason.AUTHENTICATION_CONTEXT:
                reason = TARGET_REASONS[req.target_kind]
            elif reason is AnalysisReason.USERS and cp.workload_only:
                reason = AnalysisReason.WORKLOAD_IDENTITIES
            return _PolicyEval(cp=cp, applies=False, reason=reason, undetermined=(),
                               details=tuple(details), grant=None)
        if verdict is None:
            undetermined.append(text)
    return _PolicyEval(cp=cp, applies=True, reason=None, undetermined=tuple(undetermined),
                       details=tuple(details), grant=evaluate_grant(cp, req.session))


def _trace(index: CompiledTenant, session: SessionState, facts: UserFacts, kind: str,
           target: str, decision_target: str) -> _LazyTrace:
    """The decision's per-policy trace (:mod:`protected_actions.engine.trace`), computed
    on first access; its verdicts without explanations when only they are read."""
    return _LazyTrace(trace_results, (index, session, facts, kind, target, decision_target),
                      trace_verdicts)


def _decide(index: CompiledTenant, session: SessionState, entry: UserEntry,
            candidates: Candidates, kind: str, target: str, decision_target: str,
            context_id: str | None, claims_capable: bool) -> Decision:
    """Steps 4-6: the plan for the user, the grant verdicts for the session, and the
    body they give (each remembered; see :mod:`protected_actions.engine.plans`)."""
    plan = entry.plans.get(candidates)
    if plan is None:
        plan = remember(entry.plans, candidates, candidates.plan(
            entry.facts, index, session, kind, target, decision_target), chars=0)
    condition_key: tuple[object, ...] = ()
    if plan.fixed is None:
        applying, condition_key = plan.applying(Request(
            index=index, session=session, user=entry.facts, target_kind=kind, target=target,
            decision_target=decision_target))
    table: Verdicts | None = None
    if plan.fixed_block:
        key: object = condition_key
    else:
        grants: GrantTables = index.caches.get("grants") or grant_tables(index)
        table = grants.verdicts(session)
        pick = plan.pick
        key = (condition_key, pick(table) if pick is not None else None,
               session.client_app_type, claims_capable)
    body = plan.bodies.get(key)
    if body is None:
        if plan.fixed is not None:
            applying = plan.fixed
        own = applying
        if kind == "userAction" and index.registration_variants:
            applying = _prefer_registration_strengths(index, applying, target)
        body = remember(plan.bodies, key, _shared_body(
            index, session, candidates, applying, table, claims_capable=claims_capable,
            shared=applying is own))
    return _decision(body.outcome, body.reasons, decision_target, session.user.id, context_id,
                     body.challenge, body.complete,
                     _trace(index, session, entry.facts, kind, target, decision_target))


def _shared_body(index: CompiledTenant, session: SessionState, candidates: Candidates,
                 applying: Applying, table: Verdicts | None, *, claims_capable: bool,
                 shared: bool) -> Body:
    """The body for a plan's new key: from the candidates' bodies when another plan
    gave one with the same :func:`body_key` (``shared``: the applying policies are
    the tenant's own), else built."""
    if not shared:
        return build_body(applying, session, table, candidates.acrs,
                          claims_capable=claims_capable)
    satisfied = 0 if table is None else grant_tables(index).satisfied(table, session)
    key = body_key(applying, table, satisfied, session.client_app_type, claims_capable)
    body = candidates.bodies.get(key)
    if body is None:
        body = remember(candidates.bodies, key, build_body(
            applying, session, table, candidates.acrs, claims_capable=claims_capable,
            satisfied=satisfied))
    return body


def _prefers(index: CompiledTenant, cps: Iterable[CompiledPolicy], target: str) -> bool:
    """Whether a policy on the security-info registration user action that requires an
    authentication strength is among ``cps`` (then its strength is preferred over the
    strengths of All-resources policies)."""
    return ascii_lower(target) == REGISTER_SECURITY_INFO and any(
        REGISTER_SECURITY_INFO in cp.user_actions and any(
            c.control.kind is ControlKind.AUTHENTICATION_STRENGTH for c in cp.controls)
        for cp in cps)


def _prefer_registration_strengths(index: CompiledTenant, applying: Applying,
                                   target: str) -> Applying:
    """Registration strengths preferred over All-resources strengths in
    security-info registration; other grant controls still apply
    (https://learn.microsoft.com/entra/identity/authentication/concept-authentication-strength-how-it-works)."""
    if not _prefers(index, (cp for cp, _ in applying), target):
        return applying
    variants = index.registration_variants
    return tuple((variants.get(cp.id, cp) if REGISTER_SECURITY_INFO not in cp.user_actions
                  else cp, texts) for cp, texts in applying)


class _Action:
    """What an action asks of every user: its permission, the context protecting it,
    the candidates on that context, and the reasons of the early answers."""

    __slots__ = ("candidates", "complete", "context_id", "early", "granting", "not_active",
                 "not_authorized", "permission")

    def __init__(self, index: CompiledTenant, permission: Permission) -> None:
        self.permission = permission
        #: the roles (lowercased (ASCII) ids and template ids) that grant the permission
        self.granting = index.roles_granting(permission)
        context_id = self.context_id = index.context_for(permission)
        self.not_active = (Reason(code=ReasonCode.ROLE_NOT_ACTIVE, message=(
            f"only an eligible role grants {permission}: activate it first")),)
        self.not_authorized = (Reason(code=ReasonCode.NOT_AUTHORIZED,
                                      message=f"no active role grants {permission}"),)
        self.early: tuple[Outcome, tuple[Reason, ...]] | None = None
        self.candidates: Candidates | None = None
        self.complete = True
        unknown = index.undetermined_protection.get(permission.key)
        if unknown is not None:
            # The mapping says more than the evaluator can read: which context (if
            # any) protects the permission is unknown, so no policy can be shown to
            # be satisfied (fail-closed: DENY, incomplete).
            self.complete = False
            self.early = Outcome.DENY, (Reason(
                code=ReasonCode.PROTECTION_UNDETERMINED,
                message=f"the protection of {permission} cannot be determined: {unknown}"),)
        elif context_id is None:
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
    table: dict[object, _Action] = _table(index, "actions")
    try:
        known = table.get(action)
    except TypeError:  # unhashable: not an action; as_permission says why
        known = None
    if known is None:
        permission = as_permission(action)  # raises InvalidPermissionError if malformed
        if permission.is_all_tasks:
            raise InvalidPermissionError(permission.value, "a single action, not an "
                                         "allProperties/allTasks wildcard", "action")
        known = _Action(index, permission)
        if known.context_id is None:
            _refuse_near_miss(index, permission)
        known = remember(table, action, known)
    return known


def _refuse_near_miss(index: CompiledTenant, permission: Permission) -> None:
    """An action that is not mapped to a context but is a near miss (a plural, at
    most two edits) of a protectable or mapped permission is a typo, not an
    unprotected action: :class:`InvalidPermissionError` with the suggestion."""
    known: dict[str, str] = index.caches.get("near_miss_candidates")  # type: ignore[assignment]
    if known is None:
        known = index.caches["near_miss_candidates"] = {
            p.key: p.value for p in (*PROTECTABLE_PERMISSIONS,
                                     *(a.permission for a in index.tenant.protected_actions))}
    if permission.key in known:
        return
    close = near_miss(permission.value, known.values())
    if close is not None:
        raise InvalidPermissionError(
            permission.value, f"a mapped or protectable permission (did you mean {close!r}?), "
            "or an action that is not a near miss of one", "action")


def _candidates(index: CompiledTenant, kind: str, target: str) -> Candidates:
    """The enforced policies a target can meet (the target condition decided once)."""
    table: dict[object, Candidates] = _table(index, "candidates")
    key = (kind, ascii_lower(target) if kind != "context" else target)
    known = table.get(key)
    if known is None:
        if kind == "context":
            found: list[tuple[CompiledPolicy, tuple[str, ...]]] = [
                (cp, ()) for cp in index.enforced_by_context.get(target, ())]
        else:
            if kind == "userAction":
                policies = index.by_user_action.get(ascii_lower(target), ())
                if ascii_lower(target) == REGISTER_SECURITY_INFO:
                    merged = {cp.id: cp for cp in (*policies, *(
                        cp for cp in index.all_app_policies if cp.include_all_apps))}
                    policies = tuple(merged[k] for k in sorted(merged))
            else:
                merged = {cp.id: cp for cp in (*index.all_app_policies,
                                               *index.by_app.get(ascii_lower(target), ()))}
                policies = tuple(merged[k] for k in sorted(merged))
            found = []
            for cp in policies:
                if not cp.enforced:
                    continue
                verdict, text = check_resource(cp, kind, target, index.applications)
                if verdict is not False:
                    found.append((cp, (text,) if verdict is None else ()))
        known = remember(table, key, Candidates(found, (target,) if kind == "context" else ()))
    return known


def evaluate(tenant: Tenant, session: SessionState, action: str | Permission, *,
             check_authorization: bool = True, scope: str | None = None) -> Decision:
    """May ``session.user`` perform ``action`` now, and if not, what would let them?

    :param action: a permission such as
        ``microsoft.directory/conditionalAccessPolicies/create``.
    :param check_authorization: ``False`` skips step 2 for an application that has
        authorized the caller itself and only asks for the Conditional Access part.
    :param scope: the ``directoryScopeId`` of what the action is performed on: an
        administrative unit (``/administrativeUnits/{id}``) or an object
        (``/{objectId}``). A role assigned (or eligible) at that scope then counts in
        step 2; without it, or with ``/``, only tenant-wide roles do, and a role held
        only at another scope is named in the ``NOT_AUTHORIZED`` reason. Compared
        case-insensitively on ASCII letters.
    :raises InvalidPermissionError: ``action`` is malformed, or a near miss of a
        protectable or mapped permission.
    :raises InvalidModelError: ``tenant``, ``session`` or ``scope`` is not what it
        must be.
    """
    if type(tenant) is not Tenant or type(session) is not SessionState:
        _check_inputs(tenant, session)  # raises unless they are (a subclass is one)
    scope_key = None if scope is None else _scope_key(scope)
    # The hot path, inlined: the index, the action and the user entry are one dict
    # lookup each when known (compiled, _action and _user_entry otherwise).
    index: CompiledTenant = tenant._derived.get(INDEX_KEY) or compiled(tenant)
    caches = index.caches
    try:
        act: _Action | None = caches["actions"].get(action)
    except TypeError:  # unhashable: _action says why
        act = None
    if act is None:
        act = _action(index, action)
    user = session.user
    entry: UserEntry | None = caches["users"].get((  # _user_entry's key
        user.id, user.member_of, user.roles, user.eligible_roles, user.user_type,
        user.guest_or_external_user_type, user.home_tenant_id))
    if entry is None:
        entry = _user_entry(index, session)
    early = act.early
    complete = act.complete
    if check_authorization and ((scope_key is not None and entry.scoped)
                                or act.granting.isdisjoint(entry.active)):
        # Not granted by an active tenant-wide role as written: step 2 in full.
        granted = _authorization(act, entry, scope_key)
        if granted is not True:
            missed = _out_of_scope(index, entry, act.permission, scope_key) \
                if entry.scoped else ()
            early = Outcome.DENY, act.not_active if granted is False else (
                missed or act.not_authorized)
            complete = True
    decision_target = act.permission.value
    context_id = act.context_id
    candidates = act.candidates
    if early is None and candidates is not None:
        return _decide(index, session, entry, candidates, "context",
                       context_id or decision_target, decision_target, context_id,
                       session.supports_claims_challenge)
    assert early is not None
    return _decision(early[0], early[1], decision_target, user.id, context_id,
                     None, complete, _trace(index, session, entry.facts, "context",
                                            context_id or decision_target, decision_target))


def evaluate_sign_in(tenant: Tenant, session: SessionState, target: str) -> Decision:
    """What-if for a sign-in to an application (by app id) or a user action
    (``urn:user:registersecurityinfo``, ``urn:user:registerdevice``).

    Same engine as :func:`evaluate`, with the target resource in place of the auth
    context and without authorization and protection (steps 2-3).

    :param target: an application id (a GUID; ``{guid}`` and ``urn:uuid:guid`` are
        read as the GUID, in lowercase: the decision's ``target``), a named group
        (``All``, ``Office365``, ``MicrosoftAdminPortals``) or a user action, in any
        ASCII case.
    :raises InvalidModelError: ``target`` is anything else (padded, blank, control
        characters, a malformed GUID, an unknown user action; with a did-you-mean),
        or ``tenant`` or ``session`` is not what it must be.
    """
    _check_inputs(tenant, session)
    index = compiled(tenant)
    targets: dict[object, tuple[str, str]] = _table(index, "targets")
    try:
        known = targets.get(target)
    except TypeError:  # unhashable: not a target; sign_in_target says why
        known = None
    if known is None:  # only a target that reads is remembered
        known = remember(targets, target, sign_in_target(target))
    kind, target = known
    entry = _user_entry(index, session)
    return _decide(index, session, entry, _candidates(index, kind, target), kind, target,
                   target, None, True)


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
                   "context", context_id, context_id, context_id,
                   session.supports_claims_challenge)
