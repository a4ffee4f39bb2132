"""Replay one sign-in through the engine: its outcome and each policy's result word.

The target of a record is its resource plus every auth context it lists; policies
that target any of them are evaluated together, as Entra does: the outcome is the
strictest of the engine's decisions for the resource and for each context, and a
policy's result is the one it gets where it applies (the grant is the same session
whichever target brought the policy in).
"""

from __future__ import annotations

import operator
from collections.abc import Hashable, Iterable, Mapping
from datetime import datetime

import attrs

from protected_actions.engine.decision import Decision, Outcome, PolicyResult
from protected_actions.engine.evaluator import evaluate_auth_context, evaluate_sign_in
from protected_actions.model.session import SessionState
from protected_actions.model.tenant import Tenant

from .records import SignIn

__all__ = ["MEMO_SIZE", "Replayed", "Target", "Verdicts", "decisions", "fact_key", "outcome",
           "replayed", "session_key", "targets", "verdicts"]


def __dir__() -> list[str]:
    return __all__


_SEVERITY = {Outcome.ALLOW: 0, Outcome.CHALLENGE: 1, Outcome.DENY: 2}
_NOT_APPLYING = {"notApplied": 1, "reportOnlyNotApplied": 1, "notEnabled": 0}
_NOT_ENOUGH_INFORMATION = "notEnoughInformation"


@attrs.frozen
class Replayed:
    """The engine's answer for one record: the outcome, whether every fact was
    known, and each policy's result (``policy id -> PolicyResult``)."""

    outcome: Outcome
    complete: bool
    policies: Mapping[str, PolicyResult]
    decisions: tuple[Decision, ...]

    def undetermined(self, policy_id: str) -> bool:
        """Whether the policy's result rests on a fact the session lacks."""
        result = self.policies.get(policy_id)
        return result is not None and _NOT_ENOUGH_INFORMATION in result.analysis_reasons


_TIMELESS = tuple(a.name for a in attrs.fields(SessionState)
                  if a.name not in ("at", "authentications", "password_changed_at"))
_timeless = operator.attrgetter(*_TIMELESS)
MEMO_SIZE = 20_000
"""Distinct sign-ins whose verdicts are remembered per tenant (a few kilobytes each;
the memo is emptied when it is full)."""
_MEMOS: dict[int, tuple[Tenant, dict[Hashable, Verdicts]]] = {}
_INDEXES: dict[int, tuple[Tenant, Mapping[str, int]]] = {}
_CELLS: dict[tuple[str, bool], tuple[str, bool]] = {}
_SHARED: dict[Hashable, Verdicts] = {}
"""Equal verdicts as one object (bounded like the memo): records whose facts differ
but whose verdicts do not are then one kind for the reports' counts."""


@attrs.frozen
class Verdicts:
    """What the agreement and impact counts need of one record, compactly: the
    outcome, the ``conditionalAccessStatus`` it implies, and each policy's result
    word with whether it rests on a fact the session lacks."""

    outcome: Outcome
    status: str
    cells: tuple[tuple[str, bool], ...]
    index: Mapping[str, int]

    def result(self, policy_id: str) -> tuple[str, bool] | None:
        """``(result word, undetermined)`` of the policy, or ``None`` when the
        tenant has no such policy."""
        at = self.index.get(policy_id.casefold())
        return None if at is None else self.cells[at]

    def words(self) -> dict[str, str]:
        """Every policy's result word by casefolded id."""
        return {pid: self.cells[i][0] for pid, i in self.index.items()}


def _index(tenant: Tenant) -> Mapping[str, int]:
    found = _INDEXES.get(id(tenant))
    if found is None or found[0] is not tenant:
        if len(_INDEXES) > 8:
            _INDEXES.clear()
        ids = sorted({p.id.casefold() for p in tenant.policies})
        found = _INDEXES[id(tenant)] = (tenant, {pid: i for i, pid in enumerate(ids)})
    return found[1]


def _status(replay: Replayed) -> str:
    if replay.outcome is not Outcome.ALLOW:
        return "failure"
    applied = any(r.enforced and r.applies for r in replay.policies.values())
    return "success" if applied else "notApplied"


def _since(at: datetime | None, now: datetime) -> object:
    return None if at is None else at - now


def session_key(session: SessionState) -> Hashable:
    """Every fact of ``session``, with times relative to the sign-in (a decision
    reads ages, never the clock)."""
    s = session
    return (_timeless(s),
            tuple((a.methods, a.fido2_aaguid, a.at - s.at) for a in s.authentications),
            _since(s.password_changed_at, s.at))


def fact_key(record: SignIn) -> Hashable:
    """What the engine's answer depends on: the target and every session fact, with
    times relative to the sign-in (a decision reads ages, never the clock), so
    sign-ins that differ only in when they happened share one evaluation."""
    return (record.resource, record.auth_contexts, session_key(record.session))


def _memo(tenant: Tenant) -> dict[Hashable, Verdicts]:
    found = _MEMOS.get(id(tenant))
    if found is None or found[0] is not tenant:
        if len(_MEMOS) > 8:
            _MEMOS.clear()
        found = _MEMOS[id(tenant)] = (tenant, {})
    return found[1]


Target = tuple[bool, str]
"""What one evaluation is for: ``(False, resource)`` or ``(True, auth context id)``."""


def targets(record: SignIn) -> tuple[Target, ...]:
    """The record's resource, then each auth context it lists."""
    return ((False, record.resource), *((True, c) for c in record.auth_contexts))


def _decision(tenant: Tenant, session: SessionState, target: Target) -> Decision:
    is_context, name = target
    if is_context:
        return evaluate_auth_context(tenant, session, name)
    return evaluate_sign_in(tenant, session, name)


def _policy_words(decision: Decision) -> Iterable[tuple[str, str, bool]]:
    """``(policy id, result word, undetermined)`` of every policy of the decision's
    tenant: the only place replay asks the engine for per-policy results (its compact
    form, :attr:`Decision.verdicts`, which builds no explanation)."""
    return [(v.policy_id, v.result.value, v.undetermined) for v in decision.verdicts]


_RANKS = {"notEnabled": 0, "notApplied": 1, "reportOnlyNotApplied": 1,
          "success": 2, "reportOnlySuccess": 2}
"""How strongly a result speaks for a policy evaluated for several targets: where it
applies over where it does not, and a grant not met over one met (any other word:
3)."""
_ENFORCED_APPLIED = frozenset({"success", "failure"})


def _evaluate(tenant: Tenant, record: SignIn) -> Verdicts:
    index = _index(tenant)
    cells: list[tuple[str, bool]] = [("notInTenant", False)] * len(index)
    ranks = [-1] * len(index)
    worst = Outcome.ALLOW
    session = record.session
    for target in targets(record):
        decision = _decision(tenant, session, target)
        found = decision.outcome
        if _SEVERITY[found] > _SEVERITY[worst]:
            worst = found
        for policy_id, word, undetermined in _policy_words(decision):
            at = index[policy_id.casefold()]
            rank = _RANKS.get(word, 3)
            if rank > ranks[at]:
                ranks[at] = rank
                cell = (word, undetermined)
                cells[at] = _CELLS.setdefault(cell, cell)
    if worst is not Outcome.ALLOW:
        status = "failure"
    else:
        status = "success" if any(c[0] in _ENFORCED_APPLIED for c in cells) else "notApplied"
    words = tuple(cells)
    key = (worst, status, words, id(index))
    shared = _SHARED.get(key)
    if shared is None or shared.index is not index:
        if len(_SHARED) >= MEMO_SIZE:
            _SHARED.clear()
        shared = _SHARED[key] = Verdicts(outcome=worst, status=status, cells=words,
                                         index=index)
    return shared


def verdicts(tenant: Tenant, record: SignIn) -> Verdicts:
    """The record's :class:`Verdicts`, remembered per distinct :func:`fact_key`."""
    memo = _memo(tenant)
    key = fact_key(record)
    known = memo.get(key)
    if known is None:
        if len(memo) >= MEMO_SIZE:
            memo.clear()
        known = memo[key] = _evaluate(tenant, record)
    return known


def decisions(tenant: Tenant, record: SignIn) -> tuple[Decision, ...]:
    """The engine's decisions for the record's resource and each of its auth contexts."""
    session = record.session
    return tuple(_decision(tenant, session, target) for target in targets(record))


def outcome(tenant: Tenant, record: SignIn) -> Outcome:
    """The strictest outcome over the record's targets."""
    return max((d.outcome for d in decisions(tenant, record)), key=_SEVERITY.__getitem__)


def _rank(result: PolicyResult) -> int:
    word = result.result.value
    if word in _NOT_APPLYING:
        return _NOT_APPLYING[word]
    return 3 if result.blocked or result.unmet else 2


def replayed(tenant: Tenant, record: SignIn) -> Replayed:
    """Outcome and per-policy results (with their explanations) of the record,
    evaluated together."""
    return _replayed(tenant, record)


def _replayed(tenant: Tenant, record: SignIn) -> Replayed:
    found = decisions(tenant, record)
    policies: dict[str, PolicyResult] = {}
    for decision in found:
        for result in decision.policies:
            key = result.policy_id.casefold()
            known = policies.get(key)
            if known is None or _rank(result) > _rank(known):
                policies[key] = result
    worst = max((d.outcome for d in found), key=_SEVERITY.__getitem__)
    return Replayed(outcome=worst, complete=all(d.complete for d in found),
                    policies=policies, decisions=found)
