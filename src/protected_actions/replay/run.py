"""``replay`` and ``impact``: stream records through the engine into a report, in one
process or on ``workers`` processes (each compiles the tenant once; records go in
ordered chunks and the chunk reports are merged in order, so the report is the same
whichever way it runs)."""

from __future__ import annotations

import itertools
import multiprocessing
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

from protected_actions.errors import InvalidModelError
from protected_actions.model.tenant import Tenant

from .judge import decisions, outcome, replayed, verdicts
from .read import Chunk, RawLines, SignInLog
from .records import SignIn, Unreadable
from .reports import EXAMPLES_PER_CELL, AgreementReport, ImpactReport

__all__ = ["CHUNK", "Progress", "agreement_of", "impact", "impact_of", "replay"]


def __dir__() -> list[str]:
    return __all__


CHUNK = 2000
"""Records per chunk sent to a worker process."""

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


def _lacking(tenant: Tenant, record: SignIn) -> tuple[str, ...]:
    known = _directory(tenant)
    if record.session.user.id.casefold() in known:
        return record.lacking
    return (*record.lacking, _NOT_IN_DIRECTORY)


def _directory(tenant: Tenant) -> frozenset[str]:
    cache = _DIRECTORIES.get(id(tenant))
    if cache is None or cache[0] is not tenant:
        cache = _DIRECTORIES[id(tenant)] = (tenant, frozenset(u.id.casefold()
                                                              for u in tenant.users))
    return cache[1]


_DIRECTORIES: dict[int, tuple[Tenant, frozenset[str]]] = {}


def agreement_of(tenant: Tenant, records: Iterable[Record]) -> AgreementReport:
    """The agreement report of ``records`` against ``tenant``, in this process."""
    report = AgreementReport()
    for record in records:
        if isinstance(record, Unreadable):
            report.add_problem(record.as_tuple())
            continue
        report.sign_ins += 1
        _agreement_one(report, tenant, record)
    return report


def _agreement_one(report: AgreementReport, tenant: Tenant, record: SignIn) -> None:
    report.unknown_fields.update(record.unknown_fields)
    lacking = _lacking(tenant, record)
    report.lacking.update(lacking)
    mine = verdicts(tenant, record)
    if record.status is not None and record.status != "unknownFutureValue":
        if mine.status == record.status:
            report.status_agree += 1
        else:
            report.status_disagree += 1
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
        counts = report.policy(entry.policy_id)
        if verdict == "agree":
            counts.agree += 1
            continue
        if verdict == "disagree":
            counts.disagree += 1
            counts.confusion[(entry.result, replayed_word)] += 1
        else:
            counts.undetermined += 1
        seen.append(verdict)
        if report.has_room(verdict, entry.policy_id):
            result = replayed(tenant, record).policies.get(entry.policy_id.casefold())
            report.keep_example(verdict, entry.policy_id, _example(
                record, recorded=entry.result, replayed=replayed_word, lacking=list(lacking),
                explanation=list(result.details) if result is not None else []))
    if not record.recorded:
        report.undetermined += 1
        report.lacking["appliedConditionalAccessPolicies"] += 1
    elif "disagree" in seen:
        report.disagree += 1
    elif seen:
        report.undetermined += 1
    else:
        report.agree += 1


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
        yield from records.chunks(size)
        return
    iterator = iter(records)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def _chunk_records(chunk: Chunk) -> Iterable[Record]:
    return chunk.records() if isinstance(chunk, RawLines) else chunk


_WORKER: dict[str, Any] = {}


def _init_worker(tenants: tuple[Tenant, ...]) -> None:
    _WORKER["tenants"] = tenants


def _agreement_chunk(chunk: Chunk) -> AgreementReport:
    return agreement_of(_WORKER["tenants"][0], _chunk_records(chunk))


def _impact_chunk(chunk: Chunk) -> ImpactReport:
    current, proposed = _WORKER["tenants"]
    return impact_of(current, proposed, _chunk_records(chunk))


def _run(tenants: tuple[Tenant, ...], records: Iterable[Record], workers: int,
         single: Callable[[Iterable[Record]], R], chunk_job: Callable[[Chunk], R],
         empty: R, progress: Progress | None) -> R:
    if type(workers) is not int or workers < 1:
        raise InvalidModelError("workers", "a positive number of processes", workers)
    for tenant in tenants:
        if not isinstance(tenant, Tenant):
            raise InvalidModelError("tenant", "a Tenant", tenant)
    total = empty
    if workers == 1:
        iterator = iter(records)
        while chunk := list(itertools.islice(iterator, CHUNK)):
            total = total.merge(single(chunk))
            if progress is not None:
                progress(total.sign_ins + total.unreadable)
        return total
    context = multiprocessing.get_context("spawn")
    with context.Pool(workers, initializer=_init_worker, initargs=(tenants,)) as pool:
        for part in pool.imap(chunk_job, _chunks(records, CHUNK)):
            total = total.merge(part)
            if progress is not None:
                progress(total.sign_ins + total.unreadable)
    return total


def replay(tenant: Tenant, sign_ins: Iterable[Record], *, workers: int = 1,
           progress: Progress | None = None) -> AgreementReport:
    """Replay ``sign_ins`` (from :func:`read_sign_ins`) against ``tenant`` and compare
    each policy's result with what Entra recorded.

    :param workers: processes to use (each compiles the tenant once); the report is
        the same for any number.
    :param progress: called with the number of records done after each chunk.
    """
    return _run((tenant,), sign_ins, workers, lambda c: agreement_of(tenant, c),
                _agreement_chunk, AgreementReport(), progress)


def impact(current: Tenant, proposed: Tenant, sign_ins: Iterable[Record], *,
           workers: int = 1, progress: Progress | None = None) -> ImpactReport:
    """Replay ``sign_ins`` against ``current`` and ``proposed`` and count the sign-ins
    whose outcome changes, by transition, policy, user, app, country and platform."""
    return _run((current, proposed), sign_ins, workers,
                lambda c: impact_of(current, proposed, c), _impact_chunk, ImpactReport(),
                progress)
