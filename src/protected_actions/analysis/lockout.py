"""``find_lockouts``: who can still use each permission, proven with the evaluator.

For every permission someone holds (actively or as PIM-eligible), the search looks
for a holder and a session, within the condition classes the tenant's own policies
distinguish (:mod:`._space`), in which the user reaches ``ALLOW`` after doing every
step-up asked (:func:`~protected_actions.simulate_step_up`, limited to the user's
registered methods when known). A found witness is always re-checked with
:func:`~protected_actions.evaluate`, so it is sound by construction; the search is
exhaustive over the classes, so "locked out" is exact for that model.

The search prunes: a branch is cut as soon as a policy that applies in the whole
branch blocks or asks for something the user cannot do there; values no policy
tells apart are merged; users with the same standing towards the policies are
evaluated once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs

from protected_actions.engine.compile import (
    compiled,
)
from protected_actions.engine.conditions import Request, check_users
from protected_actions.engine.decision import Decision, Outcome, ReasonCode
from protected_actions.engine.evaluator import _cached_user_facts, _user_facts, evaluate
from protected_actions.engine.step_up import simulate_step_up
from protected_actions.model.display import html_for
from protected_actions.model.frozen import FrozenDict
from protected_actions.model.permissions import PROTECTABLE_PERMISSIONS, Permission
from protected_actions.model.session import SessionState
from protected_actions.model.tenant import Tenant
from protected_actions.model.vocabulary import ascii_lower

from ._lint_emergency import (
    EmergencyExposure,
    emergency_exposures,
    exposure_text,
    sign_in_targets,
)
from ._search import ANALYSIS_TIME, _base_session, _Holder, _holders, _Search
from ._space import Dimension, build_space

__all__ = ["ANALYSIS_TIME", "CRITICAL_PERMISSIONS", "EmergencyVerdict", "LockoutReport",
           "PermissionVerdict", "Witness", "find_lockouts", "find_witness"]

CRITICAL_PERMISSIONS = frozenset(
    p for p in PROTECTABLE_PERMISSIONS
    if p.entity == "conditionalAccessPolicies" or p.entity == "resourceNamespaces")
"""Locking everyone out of these means nobody could repair the policies (DESIGN §4a)."""

Progress = Callable[[int, int, str], None]


@attrs.frozen(kw_only=True)
class Witness:
    """A holder and a session in which the permission is usable after step-up.

    ``assumptions`` say what the session needs ("needs a compliant device",
    "steps up with fido2"); ``outcome_before`` is the decision before step-up.
    """

    permission: str
    user_id: str
    session: SessionState
    assumptions: tuple[str, ...]
    outcome_before: Outcome

    def describe(self) -> str:
        """One line: who, and what they need."""
        needs = "; ".join(self.assumptions) or "nothing beyond signing in"
        return f"{self.user_id} can use {self.permission}: {needs}"


@attrs.frozen(kw_only=True)
class PermissionVerdict:
    """The answer for one permission."""

    permission: str
    context_id: str | None
    holders: tuple[str, ...]
    locked_out: bool
    witness: Witness | None
    reason: str
    critical: bool


@attrs.frozen(kw_only=True)
class EmergencyVerdict:
    """Whether an emergency account is never blocked nor challenged beyond what it
    can do; when it is, ``counterexample`` is a session where it fails.

    The verdict covers the protected actions the account holds and sign-ins to every
    target the tenant's enforced policies name (``covered`` says which), so it agrees
    with lint's PA110: an ``exposure`` is a policy that blocks the account, or demands
    what it cannot do, on a sign-in (a challenge it can complete is PA111 and safe).

    Legacy clients are left out (they can never be prompted), and so are permissions
    whose context no enabled policy enforces: those deny everyone alike and are
    reported in :attr:`LockoutReport.locked_out`.
    """

    user_id: str
    safe: bool
    counterexample: Witness | None
    reason: str
    exposure: EmergencyExposure | None = None
    covered: tuple[str, ...] = ()


@attrs.frozen(kw_only=True)
class LockoutReport:
    """Per permission: locked out, or a witness; per emergency account: safe or not."""

    permissions: tuple[PermissionVerdict, ...]
    emergency_accounts: tuple[EmergencyVerdict, ...]
    sessions_evaluated: int

    @property
    def locked_out(self) -> tuple[str, ...]:
        """Sorted permissions nobody can use."""
        return tuple(sorted(v.permission for v in self.permissions if v.locked_out))

    @property
    def critical(self) -> tuple[str, ...]:
        """Locked-out permissions nobody could repair: CA policy management or
        protected-action management."""
        return tuple(sorted(v.permission for v in self.permissions
                            if v.locked_out and v.critical))

    @property
    def emergency(self) -> Mapping[str, bool]:
        """Emergency account id -> whether it is never blocked or challenged beyond
        what it can do."""
        return FrozenDict({v.user_id: v.safe for v in self.emergency_accounts})

    def witness(self, permission: str) -> Witness | None:
        """The witness for ``permission``, or ``None`` when it is locked out (or no
        one holds it)."""
        key = ascii_lower(permission)
        return next((v.witness for v in self.permissions if ascii_lower(v.permission) == key),
                    None)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (sessions as plain values; times ISO 8601)."""
        return {
            "lockedOut": list(self.locked_out),
            "critical": list(self.critical),
            "sessionsEvaluated": self.sessions_evaluated,
            "permissions": [_verdict_dict(v) for v in self.permissions],
            "emergencyAccounts": [
                {"userId": e.user_id, "safe": e.safe, "reason": e.reason,
                 "counterexample": None if e.counterexample is None
                 else _witness_dict(e.counterexample)}
                for e in self.emergency_accounts],
        }

    def verdict(self, permission: str) -> PermissionVerdict | None:
        """The full verdict for ``permission``."""
        key = ascii_lower(permission)
        return next((v for v in self.permissions if ascii_lower(v.permission) == key), None)

    def _repr_html_(self) -> str | None:
        """HTML for notebooks: one row per permission, then the emergency accounts."""
        return html_for(self)


def _witness_dict(w: Witness) -> dict[str, Any]:
    s = w.session
    return {
        "userId": w.user_id, "permission": w.permission,
        "outcomeBefore": w.outcome_before.value, "assumptions": list(w.assumptions),
        "session": {
            "at": s.at.isoformat(), "devicePlatform": s.device_platform,
            "clientAppType": s.client_app_type, "ipAddress": s.ip_address,
            "country": s.country, "signInRiskLevel": s.sign_in_risk_level,
            "userRiskLevel": s.user_risk_level, "authenticationFlow": s.authentication_flow,
            "device": None if s.device is None else {
                "trustType": s.device.trust_type, "isCompliant": s.device.is_compliant},
            "authentications": [{"methods": sorted(a.methods), "at": a.at.isoformat()}
                                for a in s.authentications],
        },
    }


def _verdict_dict(v: PermissionVerdict) -> dict[str, Any]:
    return {"permission": v.permission, "contextId": v.context_id,
            "holders": list(v.holders), "lockedOut": v.locked_out, "critical": v.critical,
            "reason": v.reason,
            "witness": None if v.witness is None else _witness_dict(v.witness)}


def _find_witness(search: _Search, holder: _Holder) -> Witness | None:
    def keep(choice: list[int]) -> bool:
        if not search.grants_known(choice):
            return True
        return not any(search.applies(cp, choice) and search.kills(cp, choice)
                       for cp in search.policies)

    for choice in search.leaves([], keep=keep):
        session = search.session(choice)
        before, after = search.outcome_after_step_up(session)
        if after.outcome is Outcome.ALLOW:
            return Witness(permission=search.permission.value, user_id=holder.user.id,
                           session=session if before.outcome is Outcome.ALLOW
                           else simulate_step_up(session, before),
                           assumptions=search.assumptions(choice, before, holder),
                           outcome_before=before.outcome)
    return None


def _find_counterexample(search: _Search, holder: _Holder) -> Witness | None:
    def keep(choice: list[int]) -> bool:
        for cp in search.policies:
            applies = search.applies(cp, choice)
            if applies is False:
                continue
            if not search.grants_known(choice) or search.kills(cp, choice):
                return True
        return False

    for choice in search.leaves([], keep=keep):
        session = search.session(choice)
        before, after = search.outcome_after_step_up(session)
        if after.outcome is not Outcome.ALLOW:
            return Witness(permission=search.permission.value, user_id=holder.user.id,
                           session=session, outcome_before=before.outcome,
                           assumptions=search.assumptions(choice, before, holder)
                           + tuple(f"{r.code.value}: {r.message}" for r in after.reasons))
    return None


class _Analysis:
    def __init__(self, tenant: Tenant, progress: Progress | None) -> None:
        self.tenant, self.index, self.progress = tenant, compiled(tenant), progress
        self.evaluated = 0
        self.spaces: dict[tuple[str, bool], tuple[Dimension, ...]] = {}

    def search(self, permission: Permission, holder: _Holder, *, modern_only: bool
               ) -> tuple[_Search | None, Decision]:
        session = _base_session(holder)
        decision = evaluate(self.tenant, session, permission)
        self.evaluated += 1
        context = decision.context_id
        if context is None or decision.codes[0] in (ReasonCode.CONTEXT_NOT_ENFORCED,
                                                   ReasonCode.NOT_AUTHORIZED):
            return None, decision
        policies = [cp for cp in self.index.by_context.get(context, ()) if cp.enforced]
        facts = _user_facts(self.index, session)[0]
        # The classes depend on the context's policies only, not on the user.
        key = (context, modern_only)
        dims = self.spaces.get(key)
        if dims is None:
            dims = self.spaces[key] = build_space(self.index, policies, session, facts,
                                                  context, modern_clients_only=modern_only)
        return _Search(self.index, self.tenant, permission, policies, session, facts,
                       context, dims), decision

    def standing(self, context: str | None, holder: _Holder) -> tuple[object, ...]:
        """What decides a holder's answer: which of the context's enforced policies
        their user condition lets apply, their registered methods, whether they must
        activate a role, their guest type. Holders with equal standing are equal."""
        session = _base_session(holder)
        facts = _cached_user_facts(self.index, session)[0]
        request = Request(index=self.index, session=session, user=facts,
                          target_kind="context", target=context or "")
        policies = self.index.enforced_by_context.get(context or "", ())
        return (frozenset(cp.id for cp in policies if check_users(cp, request)[0] is not False),
                holder.user.registered_methods, bool(holder.activates), facts.guest_type)

    def permission(self, permission: Permission) -> PermissionVerdict | None:
        holders = _holders(self.tenant, self.index, permission)
        if not holders:
            return None
        context = self.index.context_for(permission)
        critical = permission in CRITICAL_PERMISSIONS
        ids = tuple(h.user.id for h in holders)
        tried: set[tuple[object, ...]] = set()
        reason = "no holder reaches ALLOW in any session the policies allow"
        for holder in holders:
            standing = self.standing(context, holder)
            if standing in tried:
                continue  # the same standing towards every policy: same answer
            tried.add(standing)
            search, decision = self.search(permission, holder, modern_only=False)
            if search is None:
                if decision.outcome is Outcome.ALLOW:
                    return PermissionVerdict(
                        permission=permission.value, context_id=context, holders=ids,
                        locked_out=False, critical=critical, reason=decision.reasons[0].message,
                        witness=Witness(permission=permission.value, user_id=holder.user.id,
                                        session=_base_session(holder), assumptions=(),
                                        outcome_before=Outcome.ALLOW))
                reason = decision.reasons[0].message
                continue
            witness = _find_witness(search, holder)
            self.evaluated += search.evaluated
            if witness is not None:
                return PermissionVerdict(permission=permission.value, context_id=context,
                                         holders=ids, locked_out=False, witness=witness,
                                         critical=critical, reason=witness.describe())
        return PermissionVerdict(permission=permission.value, context_id=context, holders=ids,
                                 locked_out=True, witness=None, critical=critical,
                                 reason=reason)

    def emergency(self, user_id: str, permissions: Sequence[Permission]) -> EmergencyVerdict:
        for permission in permissions:
            holder = next((h for h in _holders(self.tenant, self.index, permission)
                           if ascii_lower(h.user.id) == ascii_lower(user_id)), None)
            if holder is None:
                continue
            search, decision = self.search(permission, holder, modern_only=True)
            if search is None:
                # A context no enabled policy enforces denies everyone alike: it is
                # reported among the locked-out permissions, not as this account's.
                never = decision.codes[0] is ReasonCode.CONTEXT_NOT_ENFORCED
                if decision.outcome is not Outcome.ALLOW and not never:
                    return EmergencyVerdict(
                        user_id=user_id, safe=False, reason=decision.reasons[0].message,
                        counterexample=Witness(permission=permission.value, user_id=user_id,
                                               session=_base_session(holder), assumptions=(),
                                               outcome_before=decision.outcome))
                continue
            counter = _find_counterexample(search, holder)
            self.evaluated += search.evaluated
            if counter is not None:
                return EmergencyVerdict(user_id=user_id, safe=False, counterexample=counter,
                                        reason=f"{permission}: " + "; ".join(
                                            counter.assumptions))
        return EmergencyVerdict(user_id=user_id, safe=True, counterexample=None,
                                reason="never blocked nor challenged beyond what it can do")


def find_witness(tenant: Tenant, permission: str, user_id: str) -> Witness | None:
    """A session in which ``user_id`` reaches ``ALLOW`` for ``permission`` after
    step-up, searched over the same condition classes as :func:`find_lockouts`;
    ``None`` when the user does not hold the permission or cannot use it anywhere."""
    analysis = _Analysis(tenant, None)
    parsed = Permission(permission)
    holder = next((h for h in _holders(tenant, analysis.index, parsed)
                   if ascii_lower(h.user.id) == ascii_lower(user_id)), None)
    if holder is None:
        return None
    search, decision = analysis.search(parsed, holder, modern_only=False)
    if search is None:
        if decision.outcome is not Outcome.ALLOW:
            return None
        return Witness(permission=parsed.value, user_id=holder.user.id,
                       session=_base_session(holder), assumptions=(),
                       outcome_before=Outcome.ALLOW)
    return _find_witness(search, holder)


def _permissions(tenant: Tenant) -> list[Permission]:
    found = set(PROTECTABLE_PERMISSIONS) | {a.permission for a in tenant.protected_actions}
    return sorted(found, key=lambda p: p.key)


def _with_sign_ins(tenant: Tenant, verdict: EmergencyVerdict,
                   exposures: Sequence[EmergencyExposure], targets: Sequence[str],
                   permissions: int) -> EmergencyVerdict:
    """The verdict over protected actions, completed with sign-ins to every target."""
    covered = (f"protected actions ({permissions} permissions)",
               *(("sign-ins to " + ", ".join(targets),) if targets else ()))
    verdict = attrs.evolve(verdict, covered=covered)
    if not verdict.safe:
        return verdict
    key = ascii_lower(verdict.user_id)
    exposure = next((e for e in exposures if ascii_lower(e.account) == key), None)
    if exposure is None:
        return verdict
    return attrs.evolve(verdict, safe=False, exposure=exposure,
                        reason=exposure_text(tenant, exposure))


def find_lockouts(tenant: Tenant, *, progress: Progress | None = None) -> LockoutReport:
    """Decide, for every permission someone holds, whether a holder can still use it.

    :param progress: called as ``progress(done, total, label)`` after each step.
    :returns: a :class:`LockoutReport`.
    """
    analysis = _Analysis(tenant, progress)
    permissions = _permissions(tenant)
    emergency = sorted(set(tenant.emergency_access_accounts))
    total = len(permissions) + len(emergency)
    verdicts = []
    for n, permission in enumerate(permissions, 1):
        verdict = analysis.permission(permission)
        if verdict is not None:
            verdicts.append(verdict)
        if progress is not None:
            progress(n, total, permission.value)
    accounts = []
    exposures = [e for e in emergency_exposures(tenant) if e.locks_out] if emergency else []
    targets = sign_in_targets(tenant) if emergency else []
    for n, user_id in enumerate(emergency, len(permissions) + 1):
        accounts.append(_with_sign_ins(tenant, analysis.emergency(user_id, permissions),
                                       exposures, targets, len(permissions)))
        if progress is not None:
            progress(n, total, f"emergency account {user_id}")
    return LockoutReport(permissions=tuple(verdicts), emergency_accounts=tuple(accounts),
                         sessions_evaluated=analysis.evaluated)
