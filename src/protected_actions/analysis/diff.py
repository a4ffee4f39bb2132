"""``diff``: what a change to the policies does, before it reaches the tenant.

For every user the directories know (and a plain member and a guest), every
protected action the tenants map to a context, and every application or user action
an enforced policy names, the sessions are enumerated over the condition classes the
two tenants' policies tell apart (the lockout analysis's classes,
:mod:`._space`: locations, platforms, client apps, device states and filters,
risk levels), times three ways of having signed in (password, password and MFA, a
passkey). Each session is decided by the evaluator on both tenants; a change in the
outcome, or in what a challenge asks for, is reported once per user, target and
outcome pair, with the condition classes it happens in and a witness session.

Every change reported is real (the witness is decided on both tenants). The search
is capped per user and target (:data:`SESSION_CAP`); a capped search sets
``complete`` to ``False``.

Lint findings and lockout verdicts that appear or go are reported too.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import attrs

from protected_actions.engine.compile import CompiledPolicy, CompiledTenant, compiled
from protected_actions.engine.decision import Decision
from protected_actions.engine.evaluator import _user_facts, evaluate, evaluate_sign_in
from protected_actions.model.methods import Authentication
from protected_actions.model.session import SessionState, User
from protected_actions.model.tenant import Tenant
from protected_actions.model.vocabulary import ascii_lower

from ._lint_catalog import Finding
from ._lint_emergency import _target
from ._search import ANALYSIS_TIME
from ._space import Dimension, Value, build_space
from .lint import lint
from .lockout import find_lockouts

__all__ = ["SESSION_CAP", "DecisionChange", "DiffReport", "diff"]

SESSION_CAP = 4096
"""The most sessions tried per user and target."""

PLAIN_MEMBER = "any member user"
"""The stand-in for a member user with no groups or roles."""
PLAIN_GUEST = "any guest user"
"""The stand-in for a guest user with no groups or roles."""

Progress = Callable[[int, int, str], None]

_SIGN_INS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("signed in with a password", ("password",)),
    ("signed in with password and Authenticator (MFA)",
     ("password", "microsoftAuthenticatorPush")),
    ("signed in with a passkey (FIDO2)", ("fido2",)),
)


@attrs.frozen(kw_only=True)
class DecisionChange:
    """One change: for ``user_id`` asking for ``target`` (a permission, an application
    id or a user action), the outcome goes from ``before`` to ``after`` in the
    condition classes ``conditions`` (one description per class); ``witness`` is a
    session where it does."""

    user_id: str
    user_label: str
    target: str
    target_label: str
    before: str
    after: str
    conditions: tuple[tuple[str, ...], ...]
    witness: SessionState

    @property
    def common_conditions(self) -> tuple[str, ...]:
        """The conditions every class of this change shares."""
        first, *rest = self.conditions
        return tuple(c for c in first if all(c in other for other in rest))

    def describe(self) -> str:
        """One line: who, what, from what to what, when."""
        common = "; ".join(self.common_conditions)
        n = len(self.conditions)
        where = f"in {n} condition class{'es' if n != 1 else ''}"
        when = f"when {common} ({where})" if common else where
        return f"{self.user_label}: {self.target_label}: {self.before} -> {self.after} {when}"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (the witness as its session attributes)."""
        return {"userId": self.user_id, "user": self.user_label, "target": self.target,
                "before": self.before, "after": self.after,
                "conditions": [list(c) for c in self.conditions]}


@attrs.frozen(kw_only=True)
class DiffReport:
    """What changes between two tenants."""

    changes: tuple[DecisionChange, ...]
    findings_added: tuple[Finding, ...]
    findings_removed: tuple[Finding, ...]
    locked_out_added: tuple[str, ...]
    locked_out_removed: tuple[str, ...]
    emergency_changed: tuple[tuple[str, bool | None, bool | None], ...]
    complete: bool = True

    @property
    def changed(self) -> bool:
        """Whether anything changes."""
        return bool(self.changes or self.findings_added or self.findings_removed
                    or self.locked_out_added or self.locked_out_removed
                    or self.emergency_changed)


def _outcome(decision: Decision) -> str:
    """The outcome, and for a challenge what it asks for."""
    if decision.challenge is None:
        return decision.outcome.value
    asked = sorted({c.detail or c.kind.value for r in decision.challenge.requirements
                    for c in r.any_of})
    return f"{decision.outcome.value} ({', '.join(asked)})"


def _users(old: Tenant, new: Tenant) -> list[User]:
    seen: dict[str, User] = {}
    for user in (*new.users, *old.users):
        seen.setdefault(ascii_lower(user.id), user)
    users = sorted(seen.values(), key=lambda u: u.id)
    return [*users, User(id=PLAIN_MEMBER), User(id=PLAIN_GUEST, user_type="guest",
                                                guest_or_external_user_type="b2bCollaborationGuest")]


@attrs.frozen
class _Target:
    kind: str  # "permission" | "application" | "userAction"
    value: str
    label: str


def _targets(old: Tenant, new: Tenant) -> list[_Target]:
    found: dict[str, _Target] = {}
    for tenant in (new, old):
        for action in tenant.protected_actions:
            value = action.permission.value
            found.setdefault(ascii_lower(value), _Target("permission", value, value))
        for cp in compiled(tenant).compiled:
            target = _target(cp) if cp.enforced else None
            if target is not None and target[0] in ("application", "userAction"):
                found.setdefault(ascii_lower(target[1]), _Target(target[0], target[1], target[2]))
    return sorted(found.values(), key=lambda t: (t.kind != "permission", t.value))


def _space(tenant: Tenant, target: _Target, base: SessionState) -> tuple[Dimension, ...]:
    index: CompiledTenant = compiled(tenant)
    facts = _user_facts(index, base)[0]
    policies: Sequence[CompiledPolicy]
    if target.kind == "permission":
        context = index.context_for(target.value)
        policies = [cp for cp in index.by_context.get(context or "", ()) if cp.enforced]
        anchor = context or target.value
    else:
        policies = [cp for cp in index.compiled if cp.enforced]
        anchor = target.value
    if not policies:
        return ()
    return build_space(index, policies, base, facts, anchor)


def _sessions(dims: Sequence[Dimension], base: SessionState
              ) -> Iterator[tuple[SessionState, tuple[str, ...]]]:
    sign_ins = [Value(label, {"authentications": (Authentication(
        methods=frozenset(methods), at=ANALYSIS_TIME),)} if methods else {},
        assumption=label) for label, methods in _SIGN_INS]
    rows = [d.values for d in dims if d.values] + [tuple(sign_ins)]
    for choice in itertools.product(*rows):
        fields: dict[str, Any] = {}
        for value in choice:
            fields.update(value.fields)
        try:
            session = attrs.evolve(base, **fields)
        except (TypeError, ValueError):
            continue
        yield session, tuple(dict.fromkeys(v.assumption for v in choice if v.assumption))


def _decide(tenant: Tenant, session: SessionState, target: _Target) -> Decision:
    if target.kind == "permission":
        return evaluate(tenant, session, target.value)
    return evaluate_sign_in(tenant, session, target.value)


def _compare(old: Tenant, new: Tenant, user: User, target: _Target
             ) -> tuple[list[DecisionChange], bool]:
    base = SessionState(at=ANALYSIS_TIME, user=user)
    dims = (*_space(old, target, base), *_space(new, target, base))
    found: dict[tuple[str, str], DecisionChange] = {}
    seen: set[str] = set()
    complete = True
    for n, (session, conditions) in enumerate(_sessions(dims, base)):
        if n >= SESSION_CAP:
            complete = False
            break
        key = repr(session)
        if key in seen:
            continue
        seen.add(key)
        before, after = _outcome(_decide(old, session, target)), \
            _outcome(_decide(new, session, target))
        if before == after:
            continue
        change = found.get((before, after))
        if change is None:
            label = f"{user.display_name} ({user.id})" if user.display_name else user.id
            found[(before, after)] = DecisionChange(
                user_id=user.id, user_label=label, target=target.value, target_label=target.label,
                before=before, after=after, conditions=(conditions,), witness=session)
        elif conditions not in change.conditions:
            found[(before, after)] = attrs.evolve(
                change, conditions=(*change.conditions, conditions))
    return list(found.values()), complete


def _finding_key(f: Finding) -> tuple[str, str, tuple[str, ...]]:
    return (f.code, f.policy_id or "", f.subjects)


def diff(old: Tenant, new: Tenant, *, progress: Progress | None = None,
         lockout: bool = True) -> DiffReport:
    """What changes from ``old`` to ``new``: decisions (with witnesses), lint findings
    and, unless ``lockout=False``, lockout verdicts."""
    users, targets = _users(old, new), _targets(old, new)
    changes: list[DecisionChange] = []
    complete = True
    total = len(users) * len(targets)
    for n, (user, target) in enumerate(itertools.product(users, targets), 1):
        found, whole = _compare(old, new, user, target)
        changes += found
        complete = complete and whole
        if progress is not None:
            progress(n, total, f"{user.id} / {target.label}")
    before = {_finding_key(f): f for f in lint(old)}
    after = {_finding_key(f): f for f in lint(new)}
    locked_added: tuple[str, ...] = ()
    locked_removed: tuple[str, ...] = ()
    emergency: list[tuple[str, bool | None, bool | None]] = []
    if lockout:
        old_report, new_report = find_lockouts(old), find_lockouts(new)
        locked_added = tuple(sorted(set(new_report.locked_out) - set(old_report.locked_out)))
        locked_removed = tuple(sorted(set(old_report.locked_out) - set(new_report.locked_out)))
        for account in sorted(set(old_report.emergency) | set(new_report.emergency)):
            was, now = old_report.emergency.get(account), new_report.emergency.get(account)
            if was != now:
                emergency.append((account, was, now))
    return DiffReport(
        changes=tuple(changes),
        findings_added=tuple(f for k, f in after.items() if k not in before),
        findings_removed=tuple(f for k, f in before.items() if k not in after),
        locked_out_added=locked_added, locked_out_removed=locked_removed,
        emergency_changed=tuple(emergency), complete=complete)
