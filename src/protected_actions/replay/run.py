"""``replay`` and ``impact``: stream records through the engine into a report, in one
process or on ``workers`` processes (each compiles the tenant once; records go in
ordered chunks and the chunk reports are merged in order, so the report is the same
whichever way it runs)."""

from __future__ import annotations

import itertools
import multiprocessing
import sys
import threading
from collections import deque
from collections.abc import Callable, Container, Hashable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any, Generic, TypeVar

import attrs

from protected_actions.engine.compile import compiled
from protected_actions.errors import InvalidModelError
from protected_actions.model.tenant import Tenant

from .judge import Replayed, Verdicts, decisions, outcome, replayed, verdicts
from .read import Chunk, LineBlock, RawLines, SignInLog
from .records import RecordedPolicy, SignIn, Unreadable
from .reports import EXAMPLES_PER_CELL, AgreementReport, ImpactReport

__all__ = ["CHUNK", "CHUNK_BYTES", "Cell", "Progress", "agreement_of", "explain_examples",
           "full_cells", "impact", "impact_of", "replay"]


def __dir__() -> list[str]:
    return __all__


CHUNK = 10_000
"""Records per chunk (replayed in one go; sent to a worker process)."""
CHUNK_BYTES = 16 * 2**20
"""At most this much JSON text per chunk of lines sent to a worker process."""

Progress = Callable[[int], None]
"""Called with the number of records done so far."""

Record = SignIn | Unreadable
_UNKNOWN_RESULTS = frozenset({"unknown", "unknownfuturevalue"})
_NOT_IN_DIRECTORY = "group memberships and roles (user not in the tenant's directory)"
R = TypeVar("R", AgreementReport, ImpactReport)


def _example(record: SignIn, **extra: Any) -> dict[str, Any]:
    session = record.session
    return {"id": record.id, "where": record.where, "userId": session.user.id,
            "userPrincipalName": record.user_principal_name,
            "app": record.app_display_name or session.application_id,
            "resource": record.resource, "authContexts": list(record.auth_contexts),
            "country": session.country, "platform": session.device_platform,
            "clientAppType": session.client_app_type, **extra}


def _directory(tenant: Tenant) -> frozenset[str]:
    cache = _DIRECTORIES.get(id(tenant))
    if cache is None or cache[0] is not tenant:
        cache = _DIRECTORIES[id(tenant)] = (tenant, frozenset(u.id.casefold()
                                                              for u in tenant.users))
    return cache[1]


_DIRECTORIES: dict[int, tuple[Tenant, frozenset[str]]] = {}


Cell = tuple[str, str]
"""An example cell of the agreement report: ``(verdict, policy id)``."""


@attrs.frozen
class _Pending:
    """An example's explanation, worked out when the report is finished: the full
    per-policy trace is computed only for the sign-ins kept as examples."""

    record: SignIn
    policy_id: str


class _Kind:
    """What one kind of record adds to an agreement report: records with the same
    verdicts, recorded results, lacking facts, status and unknown fields count the
    same, so each kind is worked out once (and remembered across chunks) and a
    chunk's records of that kind are counted together."""

    __slots__ = ("cells", "entries", "keep", "lacking", "status", "unknown", "verdict")

    def __init__(self, mine: Verdicts, record: SignIn, lacking: tuple[str, ...]) -> None:
        self.keep = (mine, record.recorded)  # the objects whose ids key the kind
        self.lacking = lacking
        self.unknown = record.unknown_fields
        self.status: bool | None = None
        if record.status is not None and record.status != "unknownFutureValue":
            self.status = mine.status == record.status
        #: (policy id, verdict, (recorded, replayed) of a disagreement)
        entries: list[tuple[str, str, tuple[str, str] | None]] = []
        #: example cells: (verdict, recorded entry, replayed word)
        cells: list[tuple[str, RecordedPolicy, str]] = []
        seen: list[str] = []
        for entry in record.recorded:
            cell = mine.result(entry.policy_id)
            replayed_word = cell[0] if cell is not None else "notInTenant"
            if cell is None or entry.result.casefold() in _UNKNOWN_RESULTS:
                verdict = "undetermined"
            else:
                same = replayed_word.casefold() == entry.result.casefold()
                rests = cell[1]
                verdict = "agree" if same and not rests else \
                    "undetermined" if same or rests or lacking else "disagree"
            confusion = (entry.result, replayed_word) if verdict == "disagree" else None
            entries.append((entry.policy_id, verdict, confusion))
            if verdict != "agree":
                seen.append(verdict)
                cells.append((verdict, entry, replayed_word))
        self.entries = tuple(entries)
        self.cells = tuple(cells)
        if not record.recorded:
            self.verdict = "undetermined"
        elif "disagree" in seen:
            self.verdict = "disagree"
        else:
            self.verdict = "undetermined" if seen else "agree"

    def add_to(self, report: AgreementReport, n: int) -> None:
        """Count ``n`` records of this kind in ``report``."""
        for name in self.unknown:
            report.unknown_fields[name] += n
        for name in self.lacking:
            report.lacking[name] += n
        if self.status is not None:
            if self.status:
                report.status_agree += n
            else:
                report.status_disagree += n
        for policy_id, verdict, confusion in self.entries:
            counts = report.policy(policy_id)
            if verdict == "agree":
                counts.agree += n
            elif confusion is not None:
                counts.disagree += n
                counts.confusion[confusion] += n
            else:
                counts.undetermined += n
        if self.verdict == "agree":
            report.agree += n
        elif self.verdict == "disagree":
            report.disagree += n
        else:
            report.undetermined += n
        if not self.entries:
            report.lacking["appliedConditionalAccessPolicies"] += n

    def keep_examples(self, report: AgreementReport, record: SignIn,
                      full: Container[Cell]) -> bool:
        """Keep ``record`` as an example in each of its cells that has room (a cell
        in ``full`` is full in the reports before this one); whether any of them
        has room left."""
        room = False
        for verdict, entry, replayed_word in self.cells:
            cell = (verdict, entry.policy_id)
            if cell in full or not report.has_room(*cell):
                continue
            report.keep_example(verdict, entry.policy_id, _example(
                record, recorded=entry.result, replayed=replayed_word,
                lacking=list(self.lacking), explanation=_Pending(record, entry.policy_id)))
            room = room or report.has_room(*cell)
        return room


KINDS_SIZE = 20_000
"""Kinds of record remembered across chunks (the table is emptied when full; a kind
holds its verdicts and recorded results, so the ids in its key stay theirs)."""
_KINDS: dict[Hashable, _Kind] = {}


def _kind(mine: Verdicts, record: SignIn, lacking: tuple[str, ...]) -> _Kind:
    key = (id(mine), id(record.recorded), lacking, record.status, record.unknown_fields)
    kind = _KINDS.get(key)
    if kind is None:
        if len(_KINDS) >= KINDS_SIZE:
            _KINDS.clear()
        kind = _KINDS[key] = _Kind(mine, record, lacking)
    return kind


def agreement_of(tenant: Tenant, records: Iterable[Record], *,
                 full: Container[Cell] = frozenset(), explain: bool = True
                 ) -> AgreementReport:
    """The agreement report of ``records`` against ``tenant``, in this process.

    :param full: example cells already full in the reports this one is merged after
        (no example is kept in them: the merge would drop it).
    :param explain: work out the kept examples' explanations (``False``: leave them
        to :func:`explain_examples` after merging).
    """
    report = AgreementReport()
    counts: dict[_Kind, int] = {}
    saturated: set[_Kind] = set()
    directory = _directory(tenant)
    for record in records:
        if isinstance(record, Unreadable):
            report.add_problem(record.as_tuple())
            continue
        lacking = record.lacking if record.session.user.id.casefold() in directory \
            else (*record.lacking, _NOT_IN_DIRECTORY)
        kind = _kind(verdicts(tenant, record), record, lacking)
        counts[kind] = counts.get(kind, 0) + 1
        if kind.cells and kind not in saturated and \
                not kind.keep_examples(report, record, full):
            saturated.add(kind)
    for kind, n in counts.items():
        report.sign_ins += n
        kind.add_to(report, n)
    return explain_examples(tenant, report) if explain else report


def explain_examples(tenant: Tenant, report: AgreementReport) -> AgreementReport:
    """Work out the explanations of the examples ``report`` keeps (in place); the
    full trace is computed once per example sign-in."""
    traces: dict[int, tuple[SignIn, Replayed]] = {}
    for kept in report.examples.values():
        for example in kept:
            pending = example.get("explanation")
            if not isinstance(pending, _Pending):
                continue
            record = pending.record
            found = traces.get(id(record))
            if found is None:
                found = traces[id(record)] = (record, replayed(tenant, record))
            result = found[1].policies.get(pending.policy_id.casefold())
            example["explanation"] = list(result.details) if result is not None else []
    return report


def full_cells(report: AgreementReport) -> frozenset[Cell]:
    """The example cells of ``report`` that keep no more examples."""
    return frozenset(cell for cell, kept in report.examples.items()
                     if len(kept) >= EXAMPLES_PER_CELL)


def impact_of(current: Tenant, proposed: Tenant, records: Iterable[Record]) -> ImpactReport:
    """The impact report of ``records`` from ``current`` to ``proposed``, in this
    process."""
    report = ImpactReport()
    for record in records:
        if isinstance(record, Unreadable):
            report.add_problem(record.as_tuple())
            continue
        report.sign_ins += 1
        before, after = outcome(current, record), outcome(proposed, record)
        cell = (before.value, after.value)
        report.transitions[cell] += 1
        if before is after:
            continue
        report.changed += 1
        old, new = verdicts(current, record).words(), verdicts(proposed, record).words()
        for pid in sorted(old.keys() | new.keys()):
            words = (old.get(pid, "absent"), new.get(pid, "absent"))
            if words[0] != words[1]:
                report.by_policy.setdefault(_policy_name(proposed, current, pid),
                                            _counter())[words] += 1
        session = record.session
        report.users.setdefault(cell, _counter())[
            record.user_principal_name or session.user.id] += 1
        report.apps.setdefault(cell, _counter())[
            record.app_display_name or session.application_id or record.resource] += 1
        report.countries.setdefault(cell, _counter())[session.country or "unknown"] += 1
        report.platforms.setdefault(cell, _counter())[session.device_platform or "unknown"] += 1
        if len(report.examples.get(cell, ())) < EXAMPLES_PER_CELL:
            reasons = [r.message for d in decisions(proposed, record) for r in d.reasons]
            report.examples.setdefault(cell, []).append(_example(
                record, before=before.value, after=after.value, reasons=reasons))
    return report


def _policy_name(proposed: Tenant, current: Tenant, folded: str) -> str:
    for tenant in (proposed, current):
        for policy in tenant.policies:
            if policy.id.casefold() == folded:
                return policy.id
    return folded


def _counter() -> Any:
    from collections import Counter
    return Counter()


def _chunks(records: Iterable[Record], size: int) -> Iterator[Chunk]:
    if isinstance(records, SignInLog) and not records.started:
        yield from records.chunks(size, CHUNK_BYTES)
        return
    iterator = iter(records)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def _chunk_records(chunk: Chunk) -> Iterable[Record]:
    return chunk.records() if isinstance(chunk, (RawLines, LineBlock)) else chunk


_WORKER: dict[str, Any] = {}


def _init_worker(tenants: tuple[Tenant, ...]) -> None:
    _WORKER["tenants"] = tenants


def _agreement_chunk(job: tuple[Chunk, frozenset[Cell]]) -> AgreementReport:
    chunk, full = job
    return agreement_of(_WORKER["tenants"][0], _chunk_records(chunk), full=full,
                        explain=False)


def _impact_chunk(job: tuple[Chunk, frozenset[Cell]]) -> ImpactReport:
    current, proposed = _WORKER["tenants"]
    return impact_of(current, proposed, _chunk_records(job[0]))


class _Run(Generic[R]):
    """The report so far, merged in log order, and the jobs that follow it."""

    def __init__(self, empty: R, progress: Progress | None) -> None:
        self.total: R = empty
        self.progress = progress
        self.full: frozenset[Cell] = frozenset()

    def add(self, part: R) -> None:
        total: R = self.total.merge(part)
        self.total = total
        if isinstance(total, AgreementReport):
            self.full = full_cells(total)
        if self.progress is not None:
            self.progress(total.sign_ins + total.unreadable)

    def jobs(self, chunks: Iterable[Chunk]) -> Iterator[tuple[Chunk, frozenset[Cell]]]:
        for chunk in chunks:
            yield chunk, self.full


def _context(tenants: tuple[Tenant, ...]) -> Any:
    """Forked workers where that is safe (Linux, where forking is the default, and
    no other thread in this process that a fork could catch holding a lock): they
    start with the tenants compiled here, and nothing is pickled but the chunks and
    their reports. Elsewhere (macOS and Windows spawn), fresh interpreters that
    receive the tenants and compile them once each."""
    if sys.platform.startswith("linux") and threading.active_count() == 1 and \
            "fork" in multiprocessing.get_all_start_methods():
        for tenant in tenants:
            compiled(tenant)
            _directory(tenant)
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def _run(tenants: tuple[Tenant, ...], records: Iterable[Record], workers: int,
         single: Callable[[Iterable[Record], frozenset[Cell]], R],
         chunk_job: Callable[[tuple[Chunk, frozenset[Cell]]], R],
         empty: R, progress: Progress | None) -> R:
    if type(workers) is not int or workers < 1:
        raise InvalidModelError("workers", "a positive number of processes", workers)
    for tenant in tenants:
        if not isinstance(tenant, Tenant):
            raise InvalidModelError("tenant", "a Tenant", tenant)
    run = _Run(empty, progress)
    if workers == 1:
        iterator = iter(records)
        while chunk := list(itertools.islice(iterator, CHUNK)):
            run.add(single(chunk, run.full))
        return run.total
    # At most two chunks per worker in flight (reading stays ahead of the workers
    # without holding the log in memory); results are added in log order. A worker
    # that dies (killed, out of memory) breaks the pool: BrokenProcessPool, never a
    # wait for a chunk no one will return.
    in_flight: deque[Future[R]] = deque()
    with ProcessPoolExecutor(workers, mp_context=_context(tenants),
                             initializer=_init_worker, initargs=(tenants,)) as pool:
        for job in run.jobs(_chunks(records, CHUNK)):
            in_flight.append(pool.submit(chunk_job, job))
            if len(in_flight) >= 2 * workers:
                run.add(in_flight.popleft().result())
        while in_flight:
            run.add(in_flight.popleft().result())
    return run.total


def replay(tenant: Tenant, sign_ins: Iterable[Record], *, workers: int = 1,
           progress: Progress | None = None) -> AgreementReport:
    """Replay ``sign_ins`` (from :func:`read_sign_ins`) against ``tenant`` and compare
    each policy's result with what Entra recorded.

    :param workers: processes to use (each compiles the tenant once); the report is
        the same for any number.
    :param progress: called with the number of records done after each chunk.
    """
    report = _run((tenant,), sign_ins, workers,
                  lambda c, full: agreement_of(tenant, c, full=full, explain=False),
                  _agreement_chunk, AgreementReport(), progress)
    return explain_examples(tenant, report)


def impact(current: Tenant, proposed: Tenant, sign_ins: Iterable[Record], *,
           workers: int = 1, progress: Progress | None = None) -> ImpactReport:
    """Replay ``sign_ins`` against ``current`` and ``proposed`` and count the sign-ins
    whose outcome changes, by transition, policy, user, app, country and platform."""
    return _run((current, proposed), sign_ins, workers,
                lambda c, full: impact_of(current, proposed, c), _impact_chunk,
                ImpactReport(), progress)
