"""The search both the lockout analysis and the emergency-account lint use: the
holders of a permission, their base session, and the depth-first walk over the
condition classes the policies tell apart (:mod:`._space`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import datetime, timezone
from typing import Any

import attrs

from protected_actions.engine.compile import (
    LEGACY_CLIENT_TYPES,
    CompiledPolicy,
    CompiledTenant,
)
from protected_actions.engine.conditions import Request, UserFacts, check_users
from protected_actions.engine.decision import ControlKind, Decision, Outcome
from protected_actions.engine.evaluator import evaluate
from protected_actions.engine.grant import evaluate_grant
from protected_actions.engine.step_up import simulate_step_up, step_up_methods
from protected_actions.model.permissions import Permission
from protected_actions.model.session import SessionState, User
from protected_actions.model.tenant import Tenant
from protected_actions.model.vocabulary import ascii_lower

from ._space import Dimension, Value

__all__ = ["ANALYSIS_TIME"]

ANALYSIS_TIME = datetime(2026, 1, 1, tzinfo=timezone.utc)
"""The fixed instant witness sessions are set at (the analysis reads no clock)."""


@attrs.frozen
class _Holder:
    user: User
    activates: frozenset[str]  # eligible roles activated for the witness


def _holders(tenant: Tenant, index: CompiledTenant, permission: Permission) -> list[_Holder]:
    def grants(roles: frozenset[str]) -> frozenset[str]:
        return frozenset(r for r in roles if index.role_grants_permission((r,), permission))

    users: dict[str, User] = {}
    for u in sorted(tenant.users, key=lambda u: u.id):
        users.setdefault(ascii_lower(u.id), u)
    groups = {ascii_lower(g.id) for g in tenant.groups}
    principals = {a.principal_id for a in tenant.role_assignments} | {
        e.principal_id for e in tenant.role_eligibilities}
    for principal in sorted(principals):
        if ascii_lower(principal) not in users and ascii_lower(principal) not in groups:
            users[ascii_lower(principal)] = User(id=principal)
    out = []
    for key in sorted(users):
        user = users[key]
        entry = index.directory.get(key)
        active = set(user.roles) | (entry.active_roles if entry else set())
        eligible = set(user.eligible_roles) | (entry.eligible_roles if entry else set())
        if grants(frozenset(active)):
            out.append(_Holder(user=user, activates=frozenset()))
        elif activated := grants(frozenset(eligible)):
            out.append(_Holder(user=user, activates=activated))
    return out


def _base_session(holder: _Holder) -> SessionState:
    user = holder.user
    if holder.activates:
        user = attrs.evolve(user, roles=user.roles | holder.activates)
    return SessionState(at=ANALYSIS_TIME, user=user)


class _Search:
    """One search over the dimensions for one user class and one permission."""

    def __init__(self, index: CompiledTenant, tenant: Tenant, permission: Permission,
                 policies: Sequence[CompiledPolicy], base: SessionState, user: UserFacts,
                 context: str, dims: Sequence[Dimension]) -> None:
        self.index, self.tenant, self.permission = index, tenant, permission
        self.base, self.dims = base, dims
        request = Request(index=index, session=base, user=user, target_kind="context",
                          target=context)
        self.policies = [cp for cp in policies if check_users(cp, request)[0] is not False]
        self.match = {cp.id: [[self._verdict(cp, d, v, user, context) for v in d.values]
                              for d in dims] for cp in self.policies}
        self.constrained = {cp.id: [i for i, row in enumerate(self.match[cp.id])
                                    if not all(row)] for cp in self.policies}
        self.grant_dims = [i for i, d in enumerate(dims) if d.grant]
        self._kill: dict[tuple[str, tuple[int, ...]], bool] = {}
        self.evaluated = 0

    def _verdict(self, cp: CompiledPolicy, dim: Dimension, value: Value, user: UserFacts,
                 context: str) -> bool:
        if dim.check is None:
            return True
        request = Request(index=self.index, session=attrs.evolve(self.base, **value.fields),
                          user=user, target_kind="context", target=context)
        return dim.check(cp, request)[0] is not False

    def session(self, choice: Sequence[int]) -> SessionState:
        fields: dict[str, Any] = {}
        for dim, i in zip(self.dims, choice, strict=False):
            fields.update(dim.values[i].fields)
        return attrs.evolve(self.base, **fields)

    def kills(self, cp: CompiledPolicy, choice: Sequence[int]) -> bool:
        """Whether ``cp``, applying, blocks or asks for what the user cannot do."""
        key = (cp.id, tuple(choice[i] for i in self.grant_dims))
        if key not in self._kill:
            self._kill[key] = self._compute_kill(cp, self.session(choice))
        return self._kill[key]

    def _compute_kill(self, cp: CompiledPolicy, session: SessionState) -> bool:
        grant = evaluate_grant(cp, session)
        if grant.blocked:
            return True
        legacy = ascii_lower(session.client_app_type) in LEGACY_CLIENT_TYPES
        registered = session.user.registered_methods
        for requirement in grant.unmet:
            doable = any(
                c.is_interactive and not legacy and (
                    c.kind not in (ControlKind.MFA, ControlKind.AUTHENTICATION_STRENGTH)
                    or step_up_methods(c, registered) is not None)
                for c in requirement.any_of)
            if not doable:
                return True
        return False

    def applies(self, cp: CompiledPolicy, choice: Sequence[int]) -> bool | None:
        """True: applies in the whole branch; False: in none of it; None: not yet known."""
        row = self.match[cp.id]
        for i, v in enumerate(choice):
            if not row[i][v]:
                return False
        return True if all(i < len(choice) for i in self.constrained[cp.id]) else None

    def leaves(self, choice: list[int], *, keep: Callable[[list[int]], bool]
               ) -> Iterator[list[int]]:
        """Depth-first over the dimensions, cutting branches ``keep`` rejects."""
        if not keep(choice):
            return
        if len(choice) == len(self.dims):
            yield choice
            return
        for i in range(len(self.dims[len(choice)].values)):
            yield from self.leaves([*choice, i], keep=keep)

    def grants_known(self, choice: Sequence[int]) -> bool:
        return all(i < len(choice) for i in self.grant_dims)

    def outcome_after_step_up(self, session: SessionState) -> tuple[Decision, Decision]:
        self.evaluated += 1
        before = evaluate(self.tenant, session, self.permission)
        if before.outcome is not Outcome.CHALLENGE:
            return before, before
        self.evaluated += 1
        return before, evaluate(self.tenant, simulate_step_up(session, before), self.permission)

    def assumptions(self, choice: Sequence[int], before: Decision, holder: _Holder
                    ) -> tuple[str, ...]:
        names = sorted(_role_name(self.index, r) for r in holder.activates)
        out = [f"activates {', '.join(names)} through PIM"] if holder.activates else []
        out += [text for d, i in zip(self.dims, choice, strict=False)
                if (text := d.values[i].assumption) is not None]
        if before.challenge is not None:
            for req in before.challenge.requirements:
                out.append("steps up: " + req.describe())
        return tuple(out)


def _role_name(index: CompiledTenant, role_id: str) -> str:
    definition = index.roles.get(ascii_lower(role_id))
    return definition.display_name if definition is not None else role_id
