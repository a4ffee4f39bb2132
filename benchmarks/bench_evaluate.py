"""How fast is ``protected_actions.evaluate``, and what does a compiled tenant cost?

Runs the anchors' workload (``benchmarks/_workload.py``: 2,002 users, 60 groups,
6 roles, a 240-policy stream, 10,000 seeded sessions) and prints, per policy
count, the median and p99 microseconds per decision for

(a) ``evaluate(...)`` reading outcome, reasons and challenge;
(b) the same plus the full per-policy trace (``decision.policies``: every
    ``PolicyResult``'s ``result`` and ``details`` read), on the first
    ``--trace-requests`` sessions (the trace explains every policy of the tenant);
(v) the same with the compact trace instead (``decision.verdicts``: every policy's
    result word and whether it is undetermined, read), on the same sessions;
(c) ``evaluate_sign_in`` for an application, on the same policies made to target
    applications instead of auth contexts;

each on a freshly compiled tenant ("cold": a user's first request pays for its
plan, the engine's per-user memo) and again after one untimed pass over every
request ("warm": the steady state of a service whose users come back);

then the issue's shape (240 policies, 19 protected actions over 5 contexts, each
session asking for one of them), the compile time of a fresh tenant
(``compiled(tenant)``) and the memory of a compiled 240-policy tenant (tracemalloc).

Run from the repository root::

    python benchmarks/bench_evaluate.py               # full size, about 20 s
    python benchmarks/bench_evaluate.py --rounds 3    # median of three rounds
    python benchmarks/bench_evaluate.py --smoke       # a few hundred requests, no timing claims
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _workload as wl
import attrs

import protected_actions as pa
from protected_actions.engine.compile import compiled

SIZES = (10, 50, 240)
SMOKE_REQUESTS = 300
WARM_UP = 200
COMPILE_REPEATS = 7
SIGN_IN_APP = wl.APPLICATIONS[0]  # the application paired with c1

Call = Callable[[int], pa.Decision]


@dataclass(frozen=True)
class Timing:
    """Microseconds per call over one pass."""

    median: float
    p99: float
    mean: float
    outcomes: Counter[str]
    first_median: float | None = None
    """The same over the requests that are their user's first (cold rows only)."""
    first_p99: float | None = None
    first_count: int = 0


def _touch(decision: pa.Decision) -> None:
    """Read what an application reads: the outcome, the reasons, the challenge."""
    _ = decision.outcome, decision.reasons, decision.challenge


def _touch_trace(decision: pa.Decision) -> None:
    """The same, and every policy's result and explanation in the full trace."""
    _touch(decision)
    for result in decision.policies:
        _ = result.result, result.details


def _touch_verdicts(decision: pa.Decision) -> None:
    """The same, and every policy's result word and undetermined flag (what a sign-in
    log replay compares)."""
    _touch(decision)
    for verdict in decision.verdicts:
        _ = verdict.result, verdict.undetermined


Read = Callable[[pa.Decision], None]


def _first_requests(users: Sequence[str], count: int, skip: int) -> list[int]:
    """Indices among ``0..count-1`` whose user appears neither earlier nor in the
    warm-up (the first ``skip`` requests)."""
    seen = set(users[:skip])
    firsts = []
    for i in range(count):
        if users[i] not in seen:
            seen.add(users[i])
            firsts.append(i)
    return firsts


def _measure(call: Call, count: int, *, read: Read, warm: bool,
             users: Sequence[str] = ()) -> Timing:
    """Time ``call`` on requests ``0..count-1``. Cold: after a short warm-up, so each
    user's first request pays for its plan (the engine remembers per user, per
    evidence signature and per plan). Warm: after one untimed pass over every
    request, the steady state of a service whose users come back."""
    for i in range(count if warm else min(WARM_UP, count)):
        read(call(i))
    gc.collect()
    clock = time.perf_counter_ns
    samples = [0] * count
    outcomes: Counter[str] = Counter()
    for i in range(count):
        start = clock()
        decision = call(i)
        read(decision)
        samples[i] = clock() - start
        outcomes[decision.outcome.value] += 1
    first: list[int] = []
    if users and not warm:
        first = sorted(samples[i] for i in _first_requests(users, count, min(WARM_UP, count)))
    samples.sort()
    return Timing(median=statistics.median(samples) / 1000.0,
                  p99=samples[min(count - 1, int(0.99 * count))] / 1000.0,
                  mean=statistics.fmean(samples) / 1000.0, outcomes=outcomes,
                  first_median=statistics.median(first) / 1000.0 if first else None,
                  first_p99=first[min(len(first) - 1, int(0.99 * len(first)))] / 1000.0
                  if first else None, first_count=len(first))


@dataclass(frozen=True)
class Row:
    """One row: a label, the policy count, how to bind a fresh tenant and make
    decision ``i`` with it, how many, and whether the memo is warm."""

    label: str
    n: int
    bind: Callable[[], Call]
    count: int
    read: Read = _touch
    warm: bool = False


def _fresh(tenant: pa.Tenant) -> pa.Tenant:
    """An equal tenant, compiled, with nothing remembered yet (compile not timed)."""
    copy = attrs.evolve(tenant)
    compiled(copy)
    return copy


def _paths(workload: wl.Workload, issue: wl.Workload, sessions: Sequence[pa.SessionState],
           issue_sessions: Sequence[pa.SessionState], sizes: Sequence[int],
           trace_count: int) -> list[Row]:
    action = wl.BENCHMARKED_ACTION
    count = len(sessions)
    rows: list[Row] = []
    for n in sizes:
        tenant = workload.tenant(n)
        apps = workload.tenant(n, target="application")

        def decide(t: pa.Tenant = tenant) -> Call:
            fresh = _fresh(t)
            return lambda i: pa.evaluate(fresh, sessions[i], action)

        def sign_in(t: pa.Tenant = apps) -> Call:
            fresh = _fresh(t)
            return lambda i: pa.evaluate_sign_in(fresh, sessions[i], SIGN_IN_APP)

        rows += [Row("(a) evaluate: outcome, reasons, challenge", n, decide, count),
                 Row("(a) the same, warm (users seen before)", n, decide, count, warm=True),
                 Row("(b) evaluate + full trace (decision.policies)", n, decide,
                     min(trace_count, count), read=_touch_trace),
                 Row("(b) the same, warm", n, decide, min(trace_count, count),
                     read=_touch_trace, warm=True),
                 Row("(v) evaluate + verdicts (decision.verdicts)", n, decide,
                     min(trace_count, count), read=_touch_verdicts),
                 Row("(v) the same, warm", n, decide, min(trace_count, count),
                     read=_touch_verdicts, warm=True),
                 Row("(c) evaluate_sign_in (application)", n, sign_in, count),
                 Row("(c) the same, warm", n, sign_in, count, warm=True)]
    tenant = issue.tenant(wl.MAX_POLICIES)
    actions = [r.action for r in issue.requests]

    def mixed() -> Call:
        fresh = _fresh(tenant)
        return lambda i: pa.evaluate(fresh, issue_sessions[i], actions[i])

    rows += [Row("issue shape: 19 protected actions / 5 contexts", wl.MAX_POLICIES,
                 mixed, len(issue_sessions)),
             Row("issue shape, warm", wl.MAX_POLICIES, mixed, len(issue_sessions), warm=True)]
    return rows


def _compile_ms(workload: wl.Workload, n: int) -> float:
    times = []
    for _ in range(COMPILE_REPEATS):
        tenant = workload.tenant(n)
        gc.collect()
        start = time.perf_counter_ns()
        compiled(tenant)
        times.append((time.perf_counter_ns() - start) / 1e6)
    return statistics.median(times)


def _memory_kib(workload: wl.Workload, n: int, *, directory: bool) -> tuple[float, float]:
    """KiB held by the tenant's models, and added by compiling it."""
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    tenant = workload.tenant(n, directory=directory)
    models = tracemalloc.get_traced_memory()[0] - base
    compiled(tenant)
    total = tracemalloc.get_traced_memory()[0] - base
    tracemalloc.stop()
    return models / 1024.0, (total - models) / 1024.0


def _acd(outcomes: Counter[str]) -> str:
    return " / ".join(f"{outcomes[k]:,}" for k in ("allow", "challenge", "deny"))


def main(argv: Sequence[str] | None = None) -> int:
    """Print the tables; always exits 0 (this is a measurement, not a test)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true",
                        help=f"{SMOKE_REQUESTS} requests, one round, no timing claims")
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--trace-requests", type=int, default=2_000,
                        help="sessions timed with the full trace (b)")
    parser.add_argument("--rounds", type=int, default=1,
                        help="timing rounds; the table shows the median of the rounds")
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args(argv)
    if args.requests < 1 or args.rounds < 1:
        parser.error("--requests and --rounds must be at least 1")
    count = SMOKE_REQUESTS if args.smoke else args.requests
    rounds = 1 if args.smoke else max(1, args.rounds)
    seed = {} if args.seed is None else {"seed": args.seed}
    workload = wl.generate(requests=count, **seed)
    issue = wl.generate(requests=count, shape="issue", **seed)
    sessions, issue_sessions = workload.sessions(), issue.sessions()
    print(f"workload (seed {workload.seed}): {workload.describe_directory()}")
    print(f"Python {sys.version.split()[0]}, protected-actions {pa.__version__}")
    for n in SIZES:
        print("  " + workload.describe(n))

    paths = _paths(workload, issue, sessions, issue_sessions, SIZES, args.trace_requests)
    results: dict[int, list[Timing]] = {}
    for _ in range(rounds):
        for k, path in enumerate(paths):
            users = [s.user.id for s in
                     (issue_sessions if path.label.startswith("issue") else sessions)]
            results.setdefault(k, []).append(_measure(path.bind(), path.count,
                                                      read=path.read, warm=path.warm,
                                                      users=users))

    if args.smoke:
        made = sum(path.count for path in paths)
        print(f"smoke run: {made:,} decisions made on {len(paths)} paths; no timing claims.")
        return 0
    _print_table(paths, results, count, rounds)
    _print_compile_and_memory(workload)
    _print_memo_memory(workload, sessions)
    return 0


def _print_table(paths: Sequence[Row], results: dict[int, list[Timing]], count: int,
                 rounds: int) -> None:
    header = (f"{'path':<48} {'N':>4} {'requests':>8} {'median us':>10} {'p99 us':>9} "
              f"{'dec/s':>8}  {'first: n, p50, p99':>20}  A / C / D")
    print(f"\nus per decision; median of {rounds} round(s); {count:,} sessions; "
          "first = the requests that are their user's first (cold rows)")
    print(header)
    print("-" * len(header))
    for k, path in enumerate(paths):
        runs = results[k]
        med = statistics.median(r.median for r in runs)
        p99 = statistics.median(r.p99 for r in runs)
        mean = statistics.median(r.mean for r in runs)
        firsts = [r for r in runs if r.first_median is not None and r.first_p99 is not None]
        first = "" if not firsts else (
            f"{firsts[0].first_count:,}, "
            f"{statistics.median(r.first_median or 0.0 for r in firsts):.1f}, "
            f"{statistics.median(r.first_p99 or 0.0 for r in firsts):.1f}")
        print(f"{path.label:<48} {path.n:>4} {path.count:>8,} {med:>10.1f} {p99:>9.1f} "
              f"{1e6 / mean:>8,.0f}  {first:>20}  {_acd(runs[0].outcomes)}")


def _print_compile_and_memory(workload: wl.Workload) -> None:
    print("\ncompile (compiled(tenant) on a fresh tenant, median of "
          f"{COMPILE_REPEATS}), directory of 2,002 users included:")
    print("  " + ", ".join(f"N={n}: {_compile_ms(workload, n):.1f} ms"
                           for n in wl.ANCHOR_SIZES))
    for directory in (False, True):
        models, index = _memory_kib(workload, wl.MAX_POLICIES, directory=directory)
        what = "with the 2,002-user directory" if directory else "policies only"
        print(f"memory, {wl.MAX_POLICIES}-policy tenant {what} (tracemalloc): "
              f"models {models:,.0f} KiB + compiled index {index:,.0f} KiB "
              f"= {models + index:,.0f} KiB")


def _print_memo_memory(workload: wl.Workload, sessions: Sequence[pa.SessionState]) -> None:
    """What the engine remembers while it serves every session once (user entries,
    directory entries, plans, grant tables, bodies): memory that grows with the
    users and session shapes seen, bounded by the memo tables' limits."""
    tenant = _fresh(workload.tenant(wl.MAX_POLICIES))
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    for session in sessions:
        pa.evaluate(tenant, session, wl.BENCHMARKED_ACTION)
    grown = tracemalloc.get_traced_memory()[0] - base
    tracemalloc.stop()
    print(f"memory remembered after {len(sessions):,} requests on the {wl.MAX_POLICIES}-policy "
          f"tenant (tracemalloc): {grown / 1024.0:,.0f} KiB")


if __name__ == "__main__":
    raise SystemExit(main())
