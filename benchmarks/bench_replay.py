"""How fast does sign-in log replay run, and in how much memory?

Writes N synthetic Microsoft Graph ``signIn`` records (JSON lines) for the
240-policy tenant of ``benchmarks/_workload.py`` (its 2,002 users; policies that
target its five applications, loaded from Graph JSON), with realistic mixes of
apps, methods (a failed MFA among them), devices, locations, clients, risk and
auth contexts, and the policies' results recorded by the engine itself. To keep
the files at a realistic size, a pool of distinct sign-ins is generated and
repeated with fresh ids, and each record lists the policies that applied (Entra
lists every policy; records with 240 entries would be 24 KB each).

Then it measures records per second for agreement in one process, on every core
(``workers=N``) and on a local Dask cluster (16 MiB blocks of the files), impact in one
process, and the peak resident memory of the run and its worker processes; and,
in one process, where the time goes: reading lines, decoding JSON, building
sessions (parse), the engine's verdicts per distinct sign-in (judge), counting
(report, with the lookup of remembered verdicts) and explaining the examples.

``--stand-in`` measures again with each policy's result word taken from a table
computed before the clock starts, in place of the engine's full per-policy trace
(about 1.2 ms at 240 policies): a ceiling for when the engine gives result words
without explanations, not a figure of the library as it is.

Run from the repository root::

    python benchmarks/bench_replay.py                    # 200,000 records
    python benchmarks/bench_replay.py --count 1000000    # the issue's size
    python benchmarks/bench_replay.py --smoke            # small and quick, no timing claims
    python benchmarks/bench_replay.py --stand-in         # also the ceiling without the trace
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import pickle
import resource
import sys
import tempfile
import time
from collections.abc import Hashable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _workload as wl

import protected_actions as pa
from protected_actions.model.session import SessionState
from protected_actions.model.tenant import Tenant
from protected_actions.replay import impact, judge, parse, read, read_sign_ins, replay, run
from protected_actions.replay.read import records_from_lines
from protected_actions.replay.records import SignIn
from protected_actions.replay.synthetic import synthetic_sign_ins

STAND_IN = "BENCH_REPLAY_STAND_IN"
"""Environment variable naming the stand-in's table (worker processes import this
file as their main module, so they install the stand-in too)."""

Words = tuple[tuple[str, str, bool], ...]


def _stand_in_key(session: SessionState, target: judge.Target) -> Hashable:
    return judge.session_key(session), target


def _oracle(tenant: Tenant, paths: list[Path], pool: int) -> dict[Hashable, Words]:
    """Every policy's result words for each distinct sign-in and target of the log
    (from the engine's trace), with equal word lists shared."""
    table: dict[Hashable, Words] = {}
    shared: dict[Words, Words] = {}
    with paths[0].open(encoding="utf-8") as lines:
        for record in records_from_lines(itertools.islice(lines, pool), str(paths[0])):
            assert isinstance(record, SignIn)
            for target in judge.targets(record):
                key = _stand_in_key(record.session, target)
                if key not in table:
                    words = tuple(judge._policy_words(tenant, record.session, target))
                    table[key] = shared.setdefault(words, words)
    return table


def _install_stand_in(table: dict[Hashable, Words]) -> None:
    def words(tenant: Tenant, session: SessionState, target: judge.Target) -> Words:
        return table[_stand_in_key(session, target)]
    judge._policy_words = words  # type: ignore[assignment]


if os.environ.get(STAND_IN):  # a worker process of a stand-in run
    with open(os.environ[STAND_IN], "rb") as _table:
        _install_stand_in(pickle.load(_table))

NAMES = {
    "797f4846-ba00-4fd7-ba43-dac1f8f63013": "Windows Azure Service Management API",
    "00000003-0000-0000-c000-000000000000": "Microsoft Graph",
    "00000002-0000-0ff1-ce00-000000000000": "Office 365 Exchange Online",
    "00000003-0000-0ff1-ce00-000000000000": "Office 365 SharePoint Online",
    "c44b4083-3bb0-49c1-b47d-974e53cbdf3c": "Azure Portal",
}


def _tenant(policies: int) -> pa.Tenant:
    model = wl.generate(requests=10).tenant(policies, target="application")
    return pa.load_tenant(json.loads(json.dumps(pa.dump_tenant(model))))


def _write(tenant: pa.Tenant, folder: Path, count: int, pool: int, files: int
           ) -> list[Path]:
    users = [(u.id, "member") for u in tenant.users]
    apps = [(a, NAMES[a], a, NAMES[a]) for a in wl.APPLICATIONS]
    lines = [json.dumps(r, separators=(",", ":")) for r in synthetic_sign_ins(
        tenant, pool, users=users, apps=apps, applied_only=True, seed=16)]
    paths = [folder / f"signIns-{i:02d}.jsonl" for i in range(files)]
    handles = [p.open("w", encoding="utf-8") for p in paths]
    try:
        for i in range(count):
            line = lines[i % pool]
            handles[i * files // count].write(
                line.replace('"id":"', f'"id":"{i:08d}-', 1) + "\n")
    finally:
        for h in handles:
            h.close()
    return paths


def _rss_mib() -> tuple[float, float]:
    me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return me, children


def _cpu() -> float:
    """CPU seconds of this process and of its finished child processes."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime


def _timed(label: str, count: int, run: object, smoke: bool) -> object:
    start, cpu = time.perf_counter(), _cpu()
    result = run()  # type: ignore[operator]
    elapsed, used = time.perf_counter() - start, _cpu() - cpu
    if smoke:
        print(f"{label}: ran ({count} records)")
    else:
        # CPU seconds say what the run costs when the machine is shared (Dask's
        # worker processes are not children of this one: not counted).
        print(f"{label}: {count / elapsed:,.0f} records/s ({elapsed:.1f} s; "
              f"{used:.1f} CPU s, {count / used:,.0f} records per CPU second)")
    return result


def _stages(tenant: Tenant, paths: list[Path], count: int) -> dict[str, float]:
    """Seconds spent in each stage of an agreement run in this process (records are
    decoded and read one at a time, as a run does, then counted a chunk at a time)."""
    spent = dict.fromkeys(("read", "json", "parse", "judge", "report", "explain"), 0.0)
    clock = time.perf_counter
    total = run.AgreementReport()
    for path in paths:
        with path.open(encoding="utf-8") as stream:
            number = 0
            while True:
                records = []
                for _ in range(run.CHUNK):
                    t0 = clock()
                    line = stream.readline()
                    t1 = clock()
                    if not line:
                        break
                    number += 1
                    value = read.loads(line)
                    t2 = clock()
                    record = parse.sign_in(value, str(path), number)
                    t3 = clock()
                    judge.verdicts(tenant, record)
                    t4 = clock()
                    records.append(record)
                    spent["read"] += t1 - t0
                    spent["json"] += t2 - t1
                    spent["parse"] += t3 - t2
                    spent["judge"] += t4 - t3
                if not records:
                    break
                t0 = clock()
                total = total.merge(run.agreement_of(tenant, records, explain=False,
                                                     full=run.full_cells(total)))
                spent["report"] += clock() - t0
    t0 = clock()
    run.explain_examples(tenant, total)
    spent["explain"] = clock() - t0
    assert total.sign_ins == count
    return spent


def _print_stages(spent: dict[str, float], count: int) -> None:
    whole = sum(spent.values())
    print(f"  stages, 1 process ({count / whole:,.0f} records/s): " + ", ".join(
        f"{name} {took / count * 1e6:.1f} us ({took / whole:.0%})"
        for name, took in spent.items()))


def _agreement_runs(tenant: Tenant, paths: list[Path], args: argparse.Namespace,
                    label: str) -> pa.replay.AgreementReport:
    one = _timed(f"agreement, 1 process{label}", args.count,
                 lambda: replay(tenant, read_sign_ins(paths)), args.smoke)
    assert isinstance(one, pa.replay.AgreementReport)
    assert (one.sign_ins, one.disagree, one.unreadable) == (args.count, 0, 0), one
    _forget(tenant)  # forked workers would start with what this run remembered
    many = _timed(f"agreement, {args.workers} processes{label}", args.count,
                  lambda: replay(tenant, read_sign_ins(paths), workers=args.workers),
                  args.smoke)
    assert many == one
    return one


def _forget(tenant: Tenant) -> None:
    """Start the next run without the verdicts the last one remembered."""
    judge._memo(tenant).clear()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200_000)
    parser.add_argument("--pool", type=int, default=5_000,
                        help="distinct sign-ins generated (then repeated)")
    parser.add_argument("--policies", type=int, default=240)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--no-dask", action="store_true")
    parser.add_argument("--smoke", action="store_true", help="small and quick")
    parser.add_argument("--stand-in", action="store_true",
                        help="also measure with result words from a table made "
                             "beforehand (a ceiling for an engine path without the trace)")
    args = parser.parse_args()
    if args.smoke:
        args.count, args.pool, args.workers = 600, 60, 2
    tenant = _tenant(args.policies)
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        started = time.perf_counter()
        paths = _write(tenant, folder, args.count, min(args.pool, args.count),
                       files=max(2, args.workers * 2))
        size = sum(p.stat().st_size for p in paths)
        print(f"wrote {args.count:,} records ({size / 2**20:,.0f} MiB, "
              f"{args.pool:,} distinct) for {len(tenant.policies)} policies in "
              f"{time.perf_counter() - started:.1f} s")
        one = _agreement_runs(tenant, paths, args, "")
        print(f"  agree {one.agree:,}, undetermined {one.undetermined:,}")
        _timed("impact, 1 process", args.count,
               lambda: impact(tenant, tenant, read_sign_ins(paths)), args.smoke)
        if not args.no_dask:
            try:
                from distributed import Client, LocalCluster

                from protected_actions.replay.dask import replay_bag, sign_in_bag
            except ImportError:
                print("dask: not installed (pip install 'protected-actions[replay]')")
            else:
                with LocalCluster(n_workers=args.workers, threads_per_worker=1,
                                  processes=True, dashboard_address=None) as cluster, \
                        Client(cluster):
                    bag = sign_in_bag([str(p) for p in paths])
                    on_dask = _timed(f"agreement, Dask ({args.workers} workers)",
                                     args.count, lambda: replay_bag(tenant, bag),
                                     args.smoke)
                    assert on_dask == one
        _forget(tenant)
        spent = _stages(tenant, paths, args.count)
        if not args.smoke:
            _print_stages(spent, args.count)
        me, children = _rss_mib()
        print(f"peak RSS: {me:,.0f} MiB this process, {children:,.0f} MiB largest worker")
        if args.stand_in:
            _stand_in_runs(tenant, paths, args, folder)


def _stand_in_runs(tenant: Tenant, paths: list[Path], args: argparse.Namespace,
                   folder: Path) -> None:
    table = _oracle(tenant, paths, min(args.pool, args.count))
    table_path = folder / "stand-in.pickle"
    with table_path.open("wb") as out:
        pickle.dump(table, out)
    real = judge._policy_words
    os.environ[STAND_IN] = str(table_path)
    _install_stand_in(table)
    try:
        print("STAND-IN (result words from a table made beforehand, not the engine's "
              "trace; a ceiling, not the library's figure):")
        _forget(tenant)
        _agreement_runs(tenant, paths, args, " [stand-in]")
        _forget(tenant)
        spent = _stages(tenant, paths, args.count)
        if not args.smoke:
            _print_stages(spent, args.count)
    finally:
        judge._policy_words = real  # type: ignore[assignment]
        del os.environ[STAND_IN]


if __name__ == "__main__":
    main()
