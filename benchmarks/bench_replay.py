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
(``workers=N``) and on a local Dask cluster (one partition per file), impact in one
process, and the peak resident memory of the run and its worker processes.

Run from the repository root::

    python benchmarks/bench_replay.py                    # 200,000 records
    python benchmarks/bench_replay.py --count 1000000    # the issue's size
    python benchmarks/bench_replay.py --smoke            # small and quick, no timing claims
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _workload as wl

import protected_actions as pa
from protected_actions.replay import impact, read_sign_ins, replay
from protected_actions.replay.synthetic import synthetic_sign_ins

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


def _timed(label: str, count: int, run: object, smoke: bool) -> object:
    start = time.perf_counter()
    result = run()  # type: ignore[operator]
    elapsed = time.perf_counter() - start
    if smoke:
        print(f"{label}: ran ({count} records)")
    else:
        print(f"{label}: {count / elapsed:,.0f} records/s ({elapsed:.1f} s)")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200_000)
    parser.add_argument("--pool", type=int, default=5_000,
                        help="distinct sign-ins generated (then repeated)")
    parser.add_argument("--policies", type=int, default=240)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--no-dask", action="store_true")
    parser.add_argument("--smoke", action="store_true", help="small and quick")
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
        one = _timed("agreement, 1 process", args.count,
                     lambda: replay(tenant, read_sign_ins(paths)), args.smoke)
        assert isinstance(one, pa.replay.AgreementReport)
        assert (one.sign_ins, one.disagree, one.unreadable) == (args.count, 0, 0), one
        print(f"  agree {one.agree:,}, undetermined {one.undetermined:,}")
        many = _timed(f"agreement, {args.workers} processes", args.count,
                      lambda: replay(tenant, read_sign_ins(paths), workers=args.workers),
                      args.smoke)
        assert many == one
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
        me, children = _rss_mib()
        print(f"peak RSS: {me:,.0f} MiB this process, {children:,.0f} MiB largest worker")


if __name__ == "__main__":
    main()
