"""The evaluator's hot path: a request reduced to a handful of lookups.

What a decision depends on changes at different rates, so each part is computed once
for everything that shares it:

* per action: the roles that grant its permission (step 2 is then a set test);
* per target (an auth context, an application, a user action): the enforced
  candidate policies, with an inverted index of their user conditions
  (:class:`Candidates`);
* per user: the directory facts and which candidates their user condition keeps
  (:class:`UserEntry`). Users kept by the same candidates share one :class:`Plan`;
* per session: an evidence signature (each authentication's methods and the
  sign-in-frequency windows it falls in; device, app, password and terms-of-use
  facts) and, per signature, every grant shape's verdict: which controls are met and
  whether an authentication is fresh (:func:`grant_table`);
* per plan and verdicts: the decision's body (outcome, reasons, challenge, complete),
  itself shared by every plan whose blocking and unmet policies are the same
  (:func:`protected_actions.engine.body.body_key`).

Every table is the memo of a pure function, keyed on everything its value depends
on, so a remembered answer is the one the full computation gives; tables are bounded
and cleared when full. The property tests check the engine against a reference
evaluator and a warm index against a cold one.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Sequence
from functools import reduce
from itertools import repeat
from operator import itemgetter, or_
from typing import Any

from protected_actions.model.session import SessionState
from protected_actions.model.vocabulary import ascii_lower

from ._memo import MemoTable, remember
from .compile import CompiledPolicy, CompiledTenant, ScopedRole
from .conditions import CHECKS_BY_NAME, Request, UserFacts, check_users
from .decision import Challenge, ControlKind, Outcome, Reason
from .grant import ZERO, elapsed, grant_verdict, password_changed_this_sign_in, remembered_grant

__all__ = ["Body", "Candidates", "GrantTables", "Plan", "UserEntry", "grant_table",
           "grant_tables"]

_UNDECIDABLE = "undecidable"

Verdicts = tuple[Any, ...]
Applying = tuple[tuple[CompiledPolicy, tuple[str, ...]], ...]


class UserEntry:
    """One user's standing in the compiled tenant, with its per-user memo tables."""

    __slots__ = ("active", "eligible", "facts", "plans", "scoped")

    def __init__(self, facts: UserFacts, active: frozenset[str],
                 eligible: frozenset[str], scoped: tuple[ScopedRole, ...] = ()) -> None:
        self.facts = facts
        self.active = active
        self.eligible = eligible
        #: roles held (or eligible) only below the tenant, with their scope
        self.scoped = scoped
        self.plans: dict[Candidates, Plan] = MemoTable()


class Body:
    """What a decision says, apart from who asked and the trace."""

    __slots__ = ("challenge", "complete", "outcome", "reasons")

    def __init__(self, outcome: Outcome, reasons: tuple[Reason, ...],
                 challenge: Challenge | None, complete: bool) -> None:
        self.outcome = outcome
        self.reasons = reasons
        self.challenge = challenge
        self.complete = complete


class Plan:
    """The candidates one user condition keeps, split into those that apply whatever
    the session (``fixed``) and those with session conditions, each with the texts
    of its conditions left undetermined so far."""

    __slots__ = ("bodies", "entries", "fixed", "fixed_block", "pick")

    def __init__(self, entries: Sequence[tuple[CompiledPolicy, tuple[str, ...],
                                               tuple[str, ...], tuple[str, ...]]]) -> None:
        #: (policy, texts before the session checks, session checks, texts after them),
        #: in candidate (policy id) order
        self.entries = tuple(entries)
        fixed: list[tuple[CompiledPolicy, tuple[str, ...]]] | None = []
        #: an applying block that needs no session fact decides without grants
        self.fixed_block = False
        found: set[int] = set()
        for cp, head, checks, tail in self.entries:  # one pass (a plan is built per mask)
            found.add(cp.grant_shape)
            if checks:
                fixed = None
            else:
                self.fixed_block = self.fixed_block or cp.block
                if fixed is not None:
                    fixed.append((cp, head + tail if tail else head))
        #: what applies when no entry has session checks, else ``None``
        self.fixed: Applying | None = None if fixed is None else tuple(fixed)
        shapes = sorted(found)
        self.pick: Callable[[Verdicts], object] | None = \
            itemgetter(*shapes) if shapes else None
        self.bodies: dict[object, Body] = MemoTable()

    def applying(self, req: Request) -> tuple[Applying, tuple[object, ...]]:
        """The entries that apply to the session, each with its undetermined texts, and
        a key saying which applied and why (for a plan with session checks)."""
        out: list[tuple[CompiledPolicy, tuple[str, ...]]] = []
        key: list[object] = []
        for cp, head, checks, tail in self.entries:
            texts: tuple[str, ...] | None = head
            for name in checks:
                verdict, text = CHECKS_BY_NAME[name][1](cp, req)
                if verdict is False:
                    texts = None
                    break
                if verdict is None:
                    texts += (text,)  # type: ignore[operator]
            if checks:
                key.append(texts)
            if texts is not None:
                out.append((cp, texts + tail))
        return tuple(out), tuple(key)


_ZEROS = repeat(0)  # the default of every inverted-index lookup (map stops at the keys)


def _add(index: dict[str, int], keys: frozenset[str], bit: int) -> None:
    for key in keys:
        index[key] = index.get(key, 0) | bit


def checked_one_by_one(cp: CompiledPolicy) -> bool:
    """Whether the policy's users condition is outside what :class:`UsersIndex`
    decides (guests or workload identities: :func:`check_users` decides it)."""
    return bool(cp.workload_only or cp.include_any_guest or cp.exclude_any_guest
                or cp.include_guest_types or cp.exclude_guest_types)


class UsersIndex:
    """An inverted index of the users condition of a set of policies, each a bit:
    for each user, group and role id, the policies that include or exclude it.
    Only policies without guest or workload conditions are added."""

    __slots__ = ("_all_users", "_any_group", "_any_role", "_exclude", "_include", "simple")

    def __init__(self) -> None:
        self._include: tuple[dict[str, int], dict[str, int], dict[str, int]] = ({}, {}, {})
        self._exclude: tuple[dict[str, int], dict[str, int], dict[str, int]] = ({}, {}, {})
        self._all_users = self._any_group = self._any_role = 0
        #: the bits of the policies added
        self.simple = 0

    def add(self, bit: int, cp: CompiledPolicy) -> None:
        """Index ``cp`` (a policy without guest or workload conditions) as ``bit``."""
        self.simple |= bit
        if cp.include_all_users:
            self._all_users |= bit
        if "all" in cp.include_groups:
            self._any_group |= bit
        if "all" in cp.include_roles:
            self._any_role |= bit
        for index, users, groups, roles in (
                (self._include, cp.include_users, cp.include_groups, cp.include_roles),
                (self._exclude, cp.exclude_users, cp.exclude_groups, cp.exclude_roles)):
            _add(index[0], users, bit)
            _add(index[1], groups, bit)
            _add(index[2], roles, bit)

    def masks(self, facts: UserFacts) -> tuple[int, int]:
        """The added policies that exclude the user, and those that keep them
        (include and do not exclude: the same rule as :func:`check_users`)."""
        inc_users, inc_groups, inc_roles = self._include
        exc_users, exc_groups, exc_roles = self._exclude
        include = self._all_users | inc_users.get(facts.id, 0)
        exclude = exc_users.get(facts.id, 0)
        groups, roles = facts.groups, facts.role_keys
        if groups:
            include |= self._any_group | reduce(or_, map(inc_groups.get, groups, _ZEROS), 0)
        if roles:
            include |= self._any_role | reduce(or_, map(inc_roles.get, roles, _ZEROS), 0)
        # Exclusions read only what every source agrees on (UserFacts.exclusion_*).
        if facts.exclusion_groups is not None:
            groups = facts.exclusion_groups
        if facts.exclusion_role_keys is not None:
            roles = facts.exclusion_role_keys
        exclude |= reduce(or_, map(exc_groups.get, groups, _ZEROS), 0) | \
            reduce(or_, map(exc_roles.get, roles, _ZEROS), 0)
        return exclude & self.simple, include & ~exclude & self.simple


class Candidates:
    """The enforced policies one target can meet, in policy id order, with the texts
    of their target condition when undetermined, and an inverted index of their user
    conditions: for each user, group and role, the policies that include or exclude
    it, as bit masks."""

    __slots__ = ("_checks", "_complex", "_entries", "_plans", "_undecidable", "_users", "acrs",
                 "bodies",
                 "policies", "texts")

    def __init__(self, policies: Sequence[tuple[CompiledPolicy, tuple[str, ...]]],
                 acrs: tuple[str, ...]) -> None:
        self.policies = tuple(cp for cp, _ in policies)
        self.texts = tuple(texts for _, texts in policies)
        #: each policy's session checks (its undecidable parts are read once per plan)
        self._checks = tuple(tuple(c for c in cp.checks if c != _UNDECIDABLE)
                             for cp in self.policies)
        #: each policy's plan entry when neither its user nor its undecidable parts
        #: add a text, and the policies whose undecidable parts do
        self._entries = tuple((cp, texts, checks, ()) for cp, texts, checks in zip(
            self.policies, self.texts, self._checks, strict=True))
        self._undecidable = sum(1 << position for position, cp in enumerate(self.policies)
                                if _UNDECIDABLE in cp.checks)
        self.acrs = acrs
        self._users = UsersIndex()
        complex_: list[tuple[int, CompiledPolicy]] = []
        for position, cp in enumerate(self.policies):
            bit = 1 << position
            if checked_one_by_one(cp):
                complex_.append((bit, cp))  # guests and workload identities: check_users
            else:
                self._users.add(bit, cp)
        self._complex = tuple(complex_)
        self._plans: dict[object, Plan] = MemoTable()
        #: bodies shared by every plan, keyed by what a body reads (see
        #: :func:`protected_actions.engine.body.body_key`)
        self.bodies: dict[object, Body] = MemoTable()

    def plan(self, facts: UserFacts, index: CompiledTenant, session: SessionState,
             kind: str, target: str, decision_target: str) -> Plan:
        """The plan for a user (the other arguments make the request the guest and
        workload identity checks read, when one does)."""

        def request() -> Request:
            return Request(index=index, session=session, user=facts, target_kind=kind,
                           target=target, decision_target=decision_target)

        mask = self._users.masks(facts)[1]
        user_texts: dict[int, tuple[str, ...]] = {}
        if self._complex:
            req = request()
            for bit, cp in self._complex:
                verdict, text = check_users(cp, req)
                if verdict is not False:
                    mask |= bit
                    if verdict is None:
                        user_texts[bit] = (text,)
        # A mask alone when no text is undetermined (an int never equals a tuple).
        key: object = (mask, tuple(sorted(user_texts.items()))) if user_texts else mask
        plan = self._plans.get(key)
        if plan is None:
            entries: list[tuple[CompiledPolicy, tuple[str, ...], tuple[str, ...],
                                tuple[str, ...]]] = []
            rest = mask
            if not user_texts and not rest & self._undecidable:
                base = self._entries
                while rest:  # the kept positions, in order, as they are
                    bit = rest & -rest
                    rest ^= bit
                    entries.append(base[bit.bit_length() - 1])
            while rest:  # the kept positions, in order
                bit = rest & -rest
                rest ^= bit
                position = bit.bit_length() - 1
                cp = self.policies[position]
                checks = self._checks[position]
                head = user_texts.get(bit, ()) + self.texts[position]
                tail: tuple[str, ...] = ()
                if _UNDECIDABLE in cp.checks:
                    tail = (CHECKS_BY_NAME[_UNDECIDABLE][1](cp, request())[1],)
                entries.append((cp, head, checks, tail))
            plan = remember(self._plans, key, Plan(entries))
        return plan


class GrantTables:
    """Every grant shape's verdict per evidence signature, for one compiled tenant.

    The signature holds only what the tenant's controls read: an authentication's
    methods and age when some policy asks for MFA, a strength or a sign-in frequency;
    device state when some policy asks for a compliant or hybrid joined device; and
    so on. Sessions with one signature get one verdict per shape.
    """

    __slots__ = ("_device", "_other", "_reads_auth", "_satisfied", "_tables", "shapes",
                 "windows")

    def __init__(self, index: CompiledTenant) -> None:
        reps: dict[int, CompiledPolicy] = {}
        for cp in index.compiled:
            reps.setdefault(cp.grant_shape, cp)
        self.shapes = tuple(reps[k] for k in range(len(reps)))
        self.windows = tuple(sorted({cp.sign_in_frequency for cp in self.shapes
                                     if cp.sign_in_frequency is not None}))
        kinds = {c.control.kind for cp in self.shapes for c in cp.controls}
        self._reads_auth = bool(self.windows or kinds & _AUTH_KINDS)
        self._device = bool(kinds & _DEVICE_KINDS)
        self._other = bool(kinds - _AUTH_KINDS - _DEVICE_KINDS)
        self._tables: dict[object, Verdicts] = MemoTable()
        self._satisfied: dict[Verdicts, int] = MemoTable()

    def signature(self, session: SessionState) -> tuple[object, ...]:
        """Everything about ``session`` the tenant's grant controls and sign-in
        frequencies read.

        An authentication is evidence for a window ``w`` when its age (real elapsed
        time, :func:`protected_actions.engine.grant.elapsed`) is at least zero and
        less than ``w``; the signature keeps whether the age is negative and its
        position among the tenant's sorted windows, which decides that for every
        window at once.
        """
        at = session.at
        auths: tuple[object, ...] = ()
        if self._reads_auth:
            windows = self.windows
            given = session.authentications
            if len(given) == 1:  # the common case, without a generator
                (a,) = given
                age = elapsed(at, a.at)
                auths = ((a.methods, a.fido2_aaguid, age >= ZERO, bisect_right(windows, age)),)
            elif given:
                auths = tuple((a.methods, a.fido2_aaguid, age >= ZERO,
                               bisect_right(windows, age))
                              for a in given for age in (elapsed(at, a.at),))
        device: tuple[bool, bool] | None = None
        if self._device:
            found = session.device
            flow = session.authentication_flow
            if found is None or (flow is not None and ascii_lower(flow) == "devicecodeflow"):
                device = (False, False)
            else:
                trust = found.trust_type  # Device.is_hybrid_joined, read without a call
                device = (found.is_compliant is True,
                          trust is not None and ascii_lower(trust) == "serverad")
        other: tuple[object, ...] | None = None
        if self._other:
            other = (session.is_approved_client_app, session.has_app_protection_policy,
                     password_changed_this_sign_in(session), session.accepted_terms_of_use,
                     session.satisfied_custom_controls)
        return auths, device, other

    def verdicts(self, session: SessionState) -> Verdicts:
        """Every grant shape's verdict for the session, indexed by shape number."""
        signature = self.signature(session)
        table = self._tables.get(signature)
        if table is None:
            table = remember(self._tables, signature,
                             tuple(grant_verdict(cp, session) for cp in self.shapes))
        return table


    def satisfied(self, verdicts: Verdicts, session: SessionState) -> int:
        """The grant shapes ``verdicts`` (the session's) satisfy, as a bit mask (bit
        ``k`` for shape ``k``): a grant's answer is a function of its shape and
        verdict (:func:`protected_actions.engine.grant.remembered_grant`)."""
        known = self._satisfied.get(verdicts)
        if known is None:
            known = 0
            for shape, cp in enumerate(self.shapes):
                verdict = verdicts[shape]
                if verdict is not None and remembered_grant(cp, session, verdict).is_satisfied:
                    known |= 1 << shape
            known = remember(self._satisfied, verdicts, known)
        return known


_AUTH_KINDS = frozenset({ControlKind.MFA, ControlKind.AUTHENTICATION_STRENGTH})
_DEVICE_KINDS = frozenset({ControlKind.COMPLIANT_DEVICE, ControlKind.DOMAIN_JOINED_DEVICE})


def grant_tables(index: CompiledTenant) -> GrantTables:
    """The index's :class:`GrantTables` (made on first use)."""
    tables: GrantTables | None = index.caches.get("grants")
    if tables is None:
        tables = index.caches["grants"] = GrantTables(index)
    return tables


def grant_table(index: CompiledTenant, session: SessionState) -> Verdicts:
    """Every grant shape's verdict for the session, indexed by shape number."""
    return grant_tables(index).verdicts(session)
