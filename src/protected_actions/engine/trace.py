"""The per-policy trace of a decision (``Decision.policies``) and its compact form
(``Decision.verdicts``), computed once for everything that shares each part.

The trace explains every policy of the tenant: its conditions in the order Graph's
what-if reports them (users, then the target, then the session's conditions), the
first that rules it out, and, where it applies, its grant. What a policy's entry
depends on changes at different rates:

* per tenant: disabled, empty and workload-identity policies (one result each, the
  same for every request);
* per user (:class:`~protected_actions.engine.conditions.UserFacts`): the users
  condition of every policy, decided for all of them at once by an inverted index
  of user ids, groups and roles (bit masks, one bit per policy);
* per policy and users text (the texts name no user, only a guest type): the entry
  of the policy when the users condition rules it out; every user the condition
  treats alike (same answers, same texts) shares one list of those entries and
  its plans by target;
* per target, policy and users text: the entry of the policy when the target rules
  it out, and the policy left to the session otherwise;
* per request: the policies left, with the session's conditions and grant.

Every entry is immutable, so remembered entries are shared between decisions; the
tables are memos of pure functions (same key, same value) and bounded
(:mod:`protected_actions.engine._memo`). The compact form needs no text at all: a
policy that does not apply has one result word whatever ruled it out, so only the
policies that pass the users and target conditions are evaluated, and the grant
verdicts are the ones the decision itself remembers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from itertools import compress
from operator import itemgetter

from protected_actions.model.session import SessionState
from protected_actions.model.vocabulary import ascii_lower

from ._memo import MemoTable, remember
from .compile import CompiledPolicy, CompiledTenant
from .conditions import (
    CHECKS_BY_NAME,
    CONDITION_CHECKS,
    REGISTER_SECURITY_INFO,
    USER_EXCLUDED_TEXT,
    USER_INCLUDED_TEXT,
    USER_NOT_INCLUDED_TEXT,
    Explained,
    Request,
    UserFacts,
    check_target,
    check_users,
)
from .decision import (
    AnalysisReason,
    ControlKind,
    PolicyResult,
    PolicyResultName,
    PolicyVerdict,
    _policy_result,
)
from .grant import GrantResult, evaluate_grant, remembered_grant
from .plans import UsersIndex, checked_one_by_one, grant_table

__all__ = ["DISABLED_TEXT", "EMPTY_POLICY_TEXT", "REGISTRATION_PREFERRED_TEXT",
           "TARGET_REASONS", "trace_results", "trace_verdicts"]

DISABLED_TEXT = "the policy is disabled"
EMPTY_POLICY_TEXT = "the policy has neither grant nor session controls"
REGISTRATION_PREFERRED_TEXT = ("the registration policy's authentication strength is "
                               "preferred over this policy's")
TARGET_REASONS = {
    "context": AnalysisReason.AUTHENTICATION_CONTEXT,
    "application": AnalysisReason.APPLICATION,
    "userAction": AnalysisReason.USER_ACTIONS,
}
"""The what-if reason of a target condition that rules a policy out, by target kind."""

TRACE_BUDGET = 64_000_000
"""About how many bytes the trace tables hold before they are cleared (estimated as
they grow: a user's first full trace at 240 policies holds about 5 kB, its verdicts
about 10 kB)."""
_RESULT_BYTES = 150  # a PolicyResult
_POINTER_BYTES = 8
_ENTRY_BYTES = 250  # a user, a pending policy or a compact entry, with its tables

_RESULTS_PER_ENTRY = 8  # grant verdicts remembered per pending entry (few occur)
_OUTPUTS_PER_PLAN = 8  # whole traces remembered per plan, by grant verdicts
_REASONS = {reason: (reason.value,) for reason in AnalysisReason}
_SESSION_CHECKS = CONDITION_CHECKS[2:]  # after users and target
_CHECK_NAMES = {check: name for name, (_, check) in CHECKS_BY_NAME.items()}
_UNDETERMINED = (AnalysisReason.NOT_ENOUGH_INFORMATION.value,)
_DETERMINED = (AnalysisReason.NOT_SET.value,)

Check = Callable[[CompiledPolicy, Request], Explained]
Step = tuple[Check | None, AnalysisReason, tuple[str, ...]]


_BITS = bytes.maketrans(b"01", b"\x00\x01")


def _positions(mask: int) -> list[int]:
    """The set bits of ``mask`` (not negative), lowest first."""
    bits = bin(mask)[:1:-1].encode().translate(_BITS)
    return list(compress(range(len(bits)), bits))


def _applied_name(grant: GrantResult, report_only: bool) -> PolicyResultName:
    """The sign-in log result of a policy that applies, from its grant."""
    if grant.is_satisfied:
        return PolicyResultName.REPORT_ONLY_SUCCESS if report_only else PolicyResultName.SUCCESS
    if report_only:
        return PolicyResultName.REPORT_ONLY_INTERRUPTED \
            if not grant.blocked and grant.is_interactive \
            else PolicyResultName.REPORT_ONLY_FAILURE
    return PolicyResultName.FAILURE


class _Policy:
    """One policy's constants for its entries, its session checks and its memos."""

    __slots__ = ("checks", "cp", "enforced", "fixed_texts", "grants", "id", "name",
                 "not_applied", "position", "report_only", "state", "steps", "users_out",
                 "verdicts", "words")

    def __init__(self, cp: CompiledPolicy, position: int) -> None:
        self.cp = cp
        self.position = position
        self.id = cp.policy.id
        self.name = cp.policy.display_name
        self.state = cp.policy.state
        self.enforced = cp.enforced
        self.report_only = cp.state == "reportOnly"
        self.not_applied = PolicyResultName.REPORT_ONLY_NOT_APPLIED if self.report_only \
            else PolicyResultName.NOT_APPLIED
        #: the session conditions it configures (the others always match)
        self.checks = tuple(CHECKS_BY_NAME[name][1] for name in cp.checks)
        #: the session checks with their texts: (check, reason, ()) for a configured
        #: condition, (None, reason, (text,)) for one that always matches with that text
        self.steps: tuple[Step, ...] | None = None
        #: the texts of the session checks when it configures none (it then passes them
        #: whatever the session), else ``None``; set with ``steps``
        self.fixed_texts: tuple[str, ...] | None = None
        #: explained grants by grant verdict
        self.grants: dict[object, GrantResult] = MemoTable()
        self.verdicts: dict[tuple[PolicyResultName, bool], PolicyVerdict] = {}
        #: verdicts by (grant verdict, undetermined)
        self.words: dict[tuple[object, bool], PolicyVerdict] = MemoTable()
        #: its entries when the users condition rules it out, by the condition's text
        #: (a few: the texts name no user, only a guest type)
        self.users_out: dict[str, PolicyResult] = MemoTable()

    def verdict(self, name: PolicyResultName, undetermined: bool) -> PolicyVerdict:
        """The (shared) verdict with this result word."""
        key = (name, undetermined)
        found = self.verdicts.get(key)
        if found is None:
            found = self.verdicts[key] = PolicyVerdict(self.id, name, undetermined)
        return found

    def word(self, session: SessionState, verdict: object, undetermined: bool
             ) -> PolicyVerdict:
        """The verdict of the policy when it applies, by grant verdict."""
        key = (verdict, undetermined)
        found = self.words.get(key)
        if found is None:
            grant = remembered_grant(self.cp, session, verdict)  # type: ignore[arg-type]
            found = remember(self.words, key, self.verdict(
                _applied_name(grant, self.report_only), undetermined), limit=4096)
        return found

    def not_applied_result(self, reason: AnalysisReason, details: tuple[str, ...]
                           ) -> PolicyResult:
        """The entry of the policy ruled out by ``reason``, with ``details`` (no two
        equal)."""
        return _policy_result(self.id, self.name, self.state, self.enforced, False,
                              self.not_applied, _REASONS[reason], (), (), False, details)

    def ruled_out_by_users(self, text: str) -> PolicyResult:
        """The (shared) entry of the policy the users condition rules out with
        ``text``."""
        found = self.users_out.get(text)
        if found is None:
            found = remember(self.users_out, text,
                             self.not_applied_result(AnalysisReason.USERS, (text,)), limit=64)
        return found

    def applied_result(self, details: Sequence[str], undetermined: Sequence[str],
                       grant: GrantResult) -> PolicyResult:
        """The entry of the policy that applies."""
        return _policy_result(self.id, self.name, self.state, self.enforced, True,
                              _applied_name(grant, self.report_only),
                              _UNDETERMINED if undetermined else _DETERMINED,
                              grant.satisfied, grant.unmet, grant.blocked,
                              tuple(dict.fromkeys((*details, *undetermined))))

    def session_steps(self, req: Request) -> tuple[Step, ...]:
        """The session checks, in what-if order; a condition the policy does not
        configure always matches, and its text is read once."""
        steps = self.steps
        if steps is None:
            found: list[Step] = []
            for reason, check in _SESSION_CHECKS:
                if _CHECK_NAMES.get(check) not in self.cp.checks:
                    verdict, text = check(self.cp, req)
                    if verdict is True:
                        found.append((None, reason, (text,) if text else ()))
                        continue
                found.append((check, reason, ()))
            if all(check is None for check, _, _ in found):
                self.fixed_texts = tuple(t for _, _, texts in found for t in texts)
            steps = self.steps = tuple(found)
        return steps

    def explained_grant(self, session: SessionState, verdict: object) -> GrantResult:
        """:func:`evaluate_grant` with explanations, remembered per grant verdict
        (everything it reads from the session)."""
        known = self.grants.get(verdict)
        if known is None:
            known = remember(self.grants, verdict, evaluate_grant(self.cp, session),
                             limit=4096)
        return known


class _Pending:
    """A policy the users and target conditions leave to the session, in one plan."""

    __slots__ = ("details", "head", "pol", "results", "tables", "texts", "unknown")

    def __init__(self, tables: TraceIndex, pol: _Policy, head: tuple[str, ...],
                 unknown: tuple[str, ...], req: Request) -> None:
        # Shared by every user with the same users text for the policy, on one target.
        self.tables = tables
        self.pol = pol
        #: the texts of its users and target conditions, and those undetermined
        self.head = head
        self.unknown = unknown
        pol.session_steps(req)
        #: its texts when it configures no session condition (it then applies
        #: whatever the session), else ``None``
        self.details = None if pol.fixed_texts is None else head + pol.fixed_texts
        #: its entry's details then
        self.texts = () if self.details is None \
            else tuple(dict.fromkeys(self.details + unknown))
        #: its entries by grant verdict, when ``details`` is set
        self.results: dict[object, PolicyResult] = {}

    def result(self, session: SessionState, verdict: object) -> PolicyResult:
        """Its entry when it applies whatever the session, by grant verdict."""
        found = self.results.get(verdict)
        if found is None:
            pol = self.pol
            grant = pol.explained_grant(session, verdict)
            found = _policy_result(pol.id, pol.name, pol.state, pol.enforced, True,
                                   _applied_name(grant, pol.report_only),
                                   _UNDETERMINED if self.unknown else _DETERMINED,
                                   grant.satisfied, grant.unmet, grant.blocked, self.texts)
            if len(self.results) < _RESULTS_PER_ENTRY:
                self.results[verdict] = found
                self.tables.hold(_RESULT_BYTES)
        return found


class _Target:
    """The target condition of every live policy for one target: which pass, which
    are undetermined, and each one's verdict and text; and the entries that depend
    only on a policy's users text and the target, shared by every user."""

    __slots__ = ("passing", "pending", "reasons", "rows", "size", "texts", "undetermined")

    def __init__(self, live: Sequence[_Policy], req: Request) -> None:
        self.passing = self.undetermined = 0
        self.reasons = _REASONS[TARGET_REASONS[req.target_kind]]
        self.size = len(req.index.compiled)
        #: the entries of the policies it rules out, by users text, then by position
        self.rows: dict[str, list[PolicyResult | None]] = MemoTable()
        #: the policies it leaves to the session, by (position, users text, whether
        #: the users condition is undetermined)
        self.pending: dict[tuple[int, str, bool], _Pending] = MemoTable()
        self.texts: dict[int, Explained] = {}
        for pol in live:
            verdict, text = check_target(pol.cp, req)
            self.texts[pol.position] = verdict, text
            if verdict is not False:
                self.passing |= 1 << pol.position
                if verdict is None:
                    self.undetermined |= 1 << pol.position

    def head(self, pol: _Policy, users_text: str) -> tuple[str, ...]:
        """The texts of the policy's users and target conditions (no two equal)."""
        return tuple(dict.fromkeys(t for t in (users_text, self.texts[pol.position][1]) if t))

    def row(self, users_text: str) -> list[PolicyResult | None]:
        """The entries of the policies it rules out that the users condition keeps
        with ``users_text``, by position (``None``: not built yet)."""
        found = self.rows.get(users_text)
        if found is None:
            empty: list[PolicyResult | None] = [None] * self.size
            found = remember(self.rows, users_text, empty, limit=64)
        return found

    def ruled_out(self, tables: TraceIndex, row: list[PolicyResult | None], pol: _Policy,
                  users_text: str) -> PolicyResult:
        """The (shared) entry of a policy the users condition keeps with
        ``users_text`` (whose entries are ``row``) and this target rules out."""
        found = row[pol.position]
        if found is None:
            tables.hold(_RESULT_BYTES)
            found = row[pol.position] = _policy_result(
                pol.id, pol.name, pol.state, pol.enforced, False, pol.not_applied,
                self.reasons, (), (), False, self.head(pol, users_text))
        return found

    def left(self, tables: TraceIndex, pol: _Policy, users_text: str, undetermined: bool,
             req: Request) -> _Pending:
        """The (shared) pending entry of a policy the users condition keeps with
        ``users_text`` (undetermined or not) and this target does not rule out."""
        key = (pol.position, users_text, undetermined)
        found = self.pending.get(key)
        if found is None:
            verdict, target_text = self.texts[pol.position]
            unknown = ((users_text,) if undetermined else ()) + \
                ((target_text,) if verdict is None else ())
            tables.hold(_ENTRY_BYTES)
            found = remember(self.pending, key, _Pending(
                tables, pol, self.head(pol, users_text), unknown, req))
        return found


class _Plan:
    """One user's entries for one target: those the users and target conditions
    decide, and the policies left for the session. When none of those has a session
    condition, the whole trace is a function of their grant verdicts, and is
    remembered by them."""

    __slots__ = ("base", "fixed", "outputs", "pending", "pick", "registration")

    def __init__(self, base: list[PolicyResult | None], pending: tuple[_Pending, ...],
                 registration: bool) -> None:
        self.base = base
        self.pending = pending
        #: whether the registration preference may change a grant (security-info
        #: registration, in a tenant with All-resources strengths)
        self.registration = registration
        self.fixed = not registration and all(e.details is not None for e in pending)
        self.pick = _picker(e.pol for e in pending)
        self.outputs: dict[object, tuple[PolicyResult, ...]] = {}


class _Compact:
    """The compact form of a plan: the policies left for the session, each with
    whether it is undetermined so far and its session checks."""

    __slots__ = ("entries", "fixed", "outputs", "pick")

    def __init__(self, entries: tuple[tuple[_Policy, bool, tuple[Check, ...]], ...],
                 registration: bool) -> None:
        self.entries = entries
        self.fixed = not registration and not any(checks for _, _, checks in entries)
        self.pick = _picker(pol for pol, _, _ in entries)
        self.outputs: dict[object, tuple[PolicyVerdict, ...]] = {}


def _picker(policies: Iterable[_Policy]) -> Callable[[Sequence[object]], object]:
    """What picks the grant verdicts of ``policies`` out of a session's verdicts."""
    shapes = [pol.cp.grant_shape for pol in policies]
    return itemgetter(*shapes) if shapes else _nothing


def _nothing(verdicts: Sequence[object]) -> object:
    return ()


class _User:
    """One user's users condition over every live policy."""

    __slots__ = ("compact", "passing", "undetermined", "view")

    def __init__(self, passing: int, undetermined: int) -> None:
        self.passing = passing
        self.undetermined = undetermined
        #: the users condition's texts, shared with every user it treats alike
        #: (``None`` until a full trace is asked for)
        self.view: _Users | None = None
        self.compact: dict[tuple[str, str], _Compact] = MemoTable()


class _Users:
    """The users condition with its texts over every live policy, as it treats every
    user with the same answers and texts: the entries of the policies it rules out
    that differ from the tenant's not-included entries, the texts of those it keeps
    (:data:`USER_INCLUDED_TEXT` when not listed), and their plans by target."""

    __slots__ = ("changed", "excluded", "passing", "plans", "texts", "undetermined")

    def __init__(self, excluded: int, changed: tuple[tuple[int, PolicyResult], ...],
                 texts: dict[int, str], passing: int, undetermined: int) -> None:
        #: the simple policies that exclude the user
        self.excluded = excluded
        #: (position, entry) for the other policies checked one by one it rules out
        self.changed = changed
        self.texts = texts
        self.passing = passing
        self.undetermined = undetermined
        self.plans: dict[tuple[str, str], _Plan] = MemoTable()


class TraceIndex:
    """A compiled tenant's trace tables (kept in its memo as ``"trace"``)."""

    __slots__ = ("_base", "_by_user", "_complex", "_targets", "_users", "_views", "constant",
                 "held", "index", "live", "policies", "verdicts")

    def __init__(self, index: CompiledTenant, req: Request) -> None:
        self.index = index
        self.policies = tuple(_Policy(cp, i) for i, cp in enumerate(index.compiled))
        #: the entries every request shares (disabled, empty and workload-identity
        #: policies), ``None`` elsewhere
        self.constant: list[PolicyResult | None] = []
        verdicts: list[PolicyVerdict] = []
        live: list[_Policy] = []
        self._by_user = UsersIndex()
        complex_: list[_Policy] = []
        for pol in self.policies:
            cp = pol.cp
            if cp.state == "disabled":
                self.constant.append(_policy_result(
                    pol.id, pol.name, pol.state, False, False, PolicyResultName.NOT_ENABLED,
                    _REASONS[AnalysisReason.POLICY_NOT_ENABLED], (), (), False,
                    (DISABLED_TEXT,)))
                verdicts.append(pol.verdict(PolicyResultName.NOT_ENABLED, False))
                continue
            verdicts.append(pol.verdict(pol.not_applied, False))
            if cp.empty:
                self.constant.append(pol.not_applied_result(AnalysisReason.EMPTY_POLICY,
                                                            (EMPTY_POLICY_TEXT,)))
                continue
            if cp.workload_only:
                # check_users rules it out first, with a text that names no user.
                self.constant.append(pol.not_applied_result(
                    AnalysisReason.WORKLOAD_IDENTITIES, (check_users(cp, req)[1],)))
                continue
            self.constant.append(None)
            live.append(pol)
            if checked_one_by_one(cp):
                complex_.append(pol)  # guests: check_users
            else:
                self._by_user.add(1 << pol.position, cp)
        self.live = tuple(live)
        self._complex = tuple(complex_)
        #: every policy's verdict when nothing applies
        self.verdicts = tuple(verdicts)
        self._targets: dict[tuple[str, str], _Target] = MemoTable()
        self._users: dict[UserFacts, _User] = MemoTable()
        self._base: list[PolicyResult | None] | None = None
        #: the users condition's texts and entries, by what it answers
        self._views: dict[tuple[int, int, int, tuple[str, ...]], _Users] = MemoTable()
        #: about how many bytes the tables hold (see :data:`TRACE_BUDGET`)
        self.held = 0

    def hold(self, size: int) -> None:
        """Count about ``size`` bytes more held by the tables; past the budget, they
        are cleared (a memo: what was remembered is computed again when asked)."""
        self.held += size
        if self.held > TRACE_BUDGET:
            self._users.clear()
            self._views.clear()
            self._targets.clear()
            self.held = size

    # -- the users condition ---------------------------------------------------------

    def _checked_one_by_one(self, facts: UserFacts) -> Sequence[_Policy]:
        """The live policies whose users condition :func:`check_users` decides (the
        others are decided by the masks)."""
        # A user with no source of guest type at all is outside what the masks model.
        return self._complex if facts.exclusion_views else self.live

    def user(self, facts: UserFacts, req: Request) -> _User:
        """The user's users condition over every live policy, remembered per user."""
        found = self._users.get(facts)
        if found is None:
            _, passing = self._by_user.masks(facts) if facts.exclusion_views else (0, 0)
            undetermined = 0
            for pol in self._checked_one_by_one(facts):
                verdict, _ = check_users(pol.cp, req)
                if verdict is not False:
                    passing |= 1 << pol.position
                    if verdict is None:
                        undetermined |= 1 << pol.position
            found = _User(passing, undetermined)
            self.hold(2 * _ENTRY_BYTES)
            found = remember(self._users, facts, found)
        return found

    def _not_included(self) -> list[PolicyResult | None]:
        """The entries every request shares, and every simple policy's entry when it
        does not include the user (built once)."""
        found = self._base
        if found is None:
            found = list(self.constant)
            for position in _positions(self._by_user.simple):
                found[position] = self.policies[position].ruled_out_by_users(
                    USER_NOT_INCLUDED_TEXT)
            self._base = found
        return found

    def _view(self, user: _User, facts: UserFacts, req: Request) -> _Users:
        """The users condition with its texts for the user, shared with every user it
        treats alike (computed on the user's first full trace)."""
        found = user.view
        if found is not None:
            return found
        one_by_one = self._checked_one_by_one(facts)
        said = tuple(check_users(pol.cp, req)[1] for pol in one_by_one)
        excluded = self._by_user.masks(facts)[0] if facts.exclusion_views else 0
        key = (excluded, user.passing, user.undetermined, said)
        found = self._views.get(key)
        if found is None:
            # A simple policy's text depends only on whether it excludes the user or
            # includes them; the tenant's not-included entries hold the others.
            passing = user.passing
            texts: dict[int, str] = {}
            changed: list[tuple[int, PolicyResult]] = []
            for pol, text in zip(one_by_one, said, strict=True):
                if passing >> pol.position & 1:
                    texts[pol.position] = text
                else:
                    changed.append((pol.position, pol.ruled_out_by_users(text)))
            self.hold(_ENTRY_BYTES + 4 * _POINTER_BYTES * (len(changed) + len(texts)))
            found = remember(self._views, key, _Users(excluded, tuple(changed), texts, passing,
                                                      user.undetermined), limit=4096)
        user.view = found
        return found

    # -- the target condition --------------------------------------------------------

    def target(self, kind: str, target: str, req: Request) -> _Target:
        """The target condition of every live policy, remembered per target."""
        key = (kind, target)
        found = self._targets.get(key)
        if found is None:
            if not req.explain:  # the texts are kept for the full trace
                req = Request(index=req.index, session=req.session, user=req.user,
                              target_kind=kind, target=target,
                              decision_target=req.decision_target, explain=True)
            found = remember(self._targets, key, _Target(self.live, req), limit=256)
        return found

    # -- a user and a target ---------------------------------------------------------

    def plan(self, facts: UserFacts, kind: str, target: str, req: Request) -> _Plan:
        """The user's entries for the target, remembered per users texts and target."""
        view = self._view(self.user(facts, req), facts, req)
        key = (kind, target)
        found = view.plans.get(key)
        if found is not None:
            return found
        base = list(self._not_included())
        policies = self.policies
        for position in _positions(view.excluded):
            base[position] = policies[position].ruled_out_by_users(USER_EXCLUDED_TEXT)
        for position, changed in view.changed:
            base[position] = changed
        column = self.target(kind, target, req)
        texts = view.texts
        included = column.row(USER_INCLUDED_TEXT)
        for position in _positions(view.passing & ~column.passing):
            text = texts.get(position) if texts else None
            row = included if text is None else column.row(text)
            entry = row[position]
            base[position] = entry if entry is not None else column.ruled_out(
                self, row, policies[position], USER_INCLUDED_TEXT if text is None else text)
        undetermined = view.undetermined
        pending = [column.left(self, policies[position],
                               texts.get(position, USER_INCLUDED_TEXT),
                               bool(undetermined >> position & 1), req)
                   for position in _positions(view.passing & column.passing)]
        self.hold(_ENTRY_BYTES + _POINTER_BYTES * (len(base) + len(pending)))
        return remember(view.plans, key, _Plan(base, tuple(pending), _registration(
            self.index, kind, target)), limit=256)

    def compact(self, facts: UserFacts, kind: str, target: str, req: Request) -> _Compact:
        """The policies the users and target conditions leave to the session, each
        with whether it is undetermined so far, remembered per user and target."""
        user = self.user(facts, req)
        key = (kind, target)
        found = user.compact.get(key)
        if found is None:
            column = self.target(kind, target, req)
            unknown = user.undetermined | column.undetermined
            policies = self.policies
            self.hold(_ENTRY_BYTES * (1 + bin(user.passing & column.passing).count("1")))
            found = remember(user.compact, key, _Compact(tuple(
                (policies[position], bool(unknown >> position & 1), policies[position].checks)
                for position in _positions(user.passing & column.passing)),
                _registration(self.index, kind, target)), limit=256)
        return found


def _registration(index: CompiledTenant, kind: str, target: str) -> bool:
    """Whether the registration preference may change a grant: security-info
    registration, in a tenant with All-resources strengths."""
    return kind == "userAction" and bool(index.registration_variants) \
        and ascii_lower(target) == REGISTER_SECURITY_INFO


def _trace_index(index: CompiledTenant, req: Request) -> TraceIndex:
    found: TraceIndex | None = index.caches.get("trace")
    if found is None:
        found = index.caches["trace"] = TraceIndex(index, req)
    return found


def _registration_preferred(applying: Iterable[CompiledPolicy]) -> bool:
    """Whether a policy on the security-info registration user action that requires
    an authentication strength applies: then its strength is preferred over the
    strengths of All-resources policies, whose other grant controls still apply
    (https://learn.microsoft.com/entra/identity/authentication/concept-authentication-strength-how-it-works)."""
    return any(REGISTER_SECURITY_INFO in cp.user_actions and any(
        c.control.kind is ControlKind.AUTHENTICATION_STRENGTH for c in cp.controls)
        for cp in applying)


def _variant(index: CompiledTenant, cp: CompiledPolicy) -> CompiledPolicy | None:
    """The policy as security-info registration sees it when a registration policy's
    strength is preferred (``None``: unchanged)."""
    if REGISTER_SECURITY_INFO in cp.user_actions:
        return None
    return index.registration_variants.get(cp.id)


def _remembered(index: CompiledTenant, facts: UserFacts, kind: str, target: str,
                compact: bool) -> _Plan | _Compact | None:
    """The user's plan for the target if the tables hold it already."""
    tables: TraceIndex | None = index.caches.get("trace")
    user = None if tables is None else tables._users.get(facts)
    if user is None:
        return None
    if compact:
        return user.compact.get((kind, target))
    return None if user.view is None else user.view.plans.get((kind, target))


def trace_results(index: CompiledTenant, session: SessionState, facts: UserFacts, kind: str,
                  target: str, decision_target: str) -> tuple[PolicyResult, ...]:
    """Every policy of the tenant, evaluated with explanations, sorted by policy id
    (``Decision.policies``)."""
    plan = _remembered(index, facts, kind, target, False)
    req: Request | None = None
    if plan is None:
        req = Request(index=index, session=session, user=facts, target_kind=kind,
                      target=target, decision_target=decision_target, explain=True)
        plan = _trace_index(index, req).plan(facts, kind, target, req)
    assert isinstance(plan, _Plan)
    if plan.fixed:
        verdicts = grant_table(index, session) if plan.pending else ()
        key = plan.pick(verdicts)
        found = plan.outputs.get(key)
        if found is None:
            found = _fixed_results(plan, session, verdicts)
            if len(plan.outputs) < _OUTPUTS_PER_PLAN:
                plan.outputs[key] = found
                index.caches["trace"].hold(_POINTER_BYTES * len(found))
        return found
    if req is None:
        req = Request(index=index, session=session, user=facts, target_kind=kind,
                      target=target, decision_target=decision_target, explain=True)
    return _session_results(plan, index, session, req)


def _fixed_results(plan: _Plan, session: SessionState, verdicts: Sequence[object]
                   ) -> tuple[PolicyResult, ...]:
    """The trace of a plan whose policies left all apply whatever the session."""
    out = list(plan.base)
    for entry in plan.pending:
        out[entry.pol.position] = entry.result(session, verdicts[entry.pol.cp.grant_shape])
    return tuple(out)  # type: ignore[arg-type]


def _session_results(plan: _Plan, index: CompiledTenant, session: SessionState,
                     req: Request) -> tuple[PolicyResult, ...]:
    """The trace of a plan with session conditions (or the registration preference)."""
    out = list(plan.base)
    applying: list[tuple[_Pending, list[str] | None, list[str] | None]] = []
    for entry in plan.pending:
        if entry.details is not None:  # applies whatever the session
            applying.append((entry, None, None))
            continue
        pol = entry.pol
        details = list(entry.head)
        undetermined = list(entry.unknown)
        for check, reason, texts in pol.session_steps(req):
            if check is None:
                details += texts
                continue
            verdict, text = check(pol.cp, req)
            if text:
                details.append(text)
            if verdict is False:
                out[pol.position] = pol.not_applied_result(reason,
                                                           tuple(dict.fromkeys(details)))
                break
            if verdict is None:
                undetermined.append(text)
        else:
            applying.append((entry, details, undetermined))
    if not applying:
        return tuple(out)  # type: ignore[arg-type]
    verdicts = grant_table(index, session)
    preferred = plan.registration and _registration_preferred(
        entry.pol.cp for entry, _, _ in applying)
    for entry, said, lacking in applying:
        pol = entry.pol
        variant = _variant(index, pol.cp) if preferred else None
        if said is None or lacking is None:  # applies whatever the session
            said, lacking = list(entry.details or ()), list(entry.unknown)
            if variant is None:
                out[pol.position] = entry.result(session, verdicts[pol.cp.grant_shape])
                continue
        if variant is not None:
            out[pol.position] = pol.applied_result(
                (*said, REGISTRATION_PREFERRED_TEXT), lacking,
                evaluate_grant(variant, session))
        else:
            out[pol.position] = pol.applied_result(
                said, lacking, pol.explained_grant(session, verdicts[pol.cp.grant_shape]))
    return tuple(out)  # type: ignore[arg-type]


def trace_verdicts(index: CompiledTenant, session: SessionState, facts: UserFacts, kind: str,
                   target: str, decision_target: str) -> tuple[PolicyVerdict, ...]:
    """Every policy's result word and whether it is undetermined, as
    :func:`trace_results` gives them, without building explanations
    (``Decision.verdicts``)."""
    plan = _remembered(index, facts, kind, target, True)
    req: Request | None = None
    if plan is None:
        req = Request(index=index, session=session, user=facts, target_kind=kind,
                      target=target, decision_target=decision_target)
        plan = _trace_index(index, req).compact(facts, kind, target, req)
    assert isinstance(plan, _Compact)
    tables: TraceIndex = index.caches["trace"]
    if not plan.entries:
        return tables.verdicts
    verdicts = grant_table(index, session)
    if plan.fixed:
        key = plan.pick(verdicts)
        found = plan.outputs.get(key)
        if found is None:
            out = list(tables.verdicts)
            for pol, undetermined, _ in plan.entries:
                out[pol.position] = pol.word(session, verdicts[pol.cp.grant_shape],
                                             undetermined)
            found = tuple(out)
            if len(plan.outputs) < _OUTPUTS_PER_PLAN:
                plan.outputs[key] = found
                tables.hold(_POINTER_BYTES * len(found))
        return found
    if req is None:
        req = Request(index=index, session=session, user=facts, target_kind=kind,
                      target=target, decision_target=decision_target)
    applying: list[tuple[_Policy, bool]] = []
    for pol, undetermined, checks in plan.entries:
        for check in checks:
            verdict = check(pol.cp, req)[0]
            if verdict is False:
                break
            if verdict is None:
                undetermined = True
        else:
            applying.append((pol, undetermined))
    out = list(tables.verdicts)
    preferred = _registration(index, kind, target) \
        and _registration_preferred(pol.cp for pol, _ in applying)
    for pol, undetermined in applying:
        cp = pol.cp
        variant = _variant(index, cp) if preferred else None
        if variant is None:
            out[pol.position] = pol.word(session, verdicts[cp.grant_shape], undetermined)
        else:
            grant = remembered_grant(variant, session, verdicts[cp.grant_shape])
            out[pol.position] = pol.verdict(_applied_name(grant, pol.report_only),
                                            undetermined)
    return tuple(out)
