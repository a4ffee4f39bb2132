"""How long does ``find_lockouts`` take on a large tenant?

The issue's scale: 240 policies over the protected actions' contexts, 50 named
locations (IP ranges, some trusted), 10 device filters, 2,000 users plus two
emergency accounts (the anchors' directory, ``benchmarks/_workload.py``). A quarter
of the policies gain a location condition and a fifth a device filter, so the
search has real classes to explore.

Run from the repository root::

    python benchmarks/bench_lockout.py            # full size
    python benchmarks/bench_lockout.py --smoke    # small and quick, no timing claims
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

import attrs

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _workload as wl

import protected_actions as pa
from protected_actions.analysis import find_lockouts

FILTER_RULES = (
    'device.extensionAttribute1 -eq "PAW"',
    'device.trustType -eq "ServerAD"',
    'device.isCompliant -eq True -and device.operatingSystem -startsWith "Windows"',
    'device.model -contains "Surface"',
    'device.deviceOwnership -eq "Company"',
    'device.enrollmentProfileName -in ["Kiosk", "Autopilot"]',
    'device.extensionAttribute2 -ne "BYOD"',
    'device.manufacturer -startsWith "Lenovo" -or device.manufacturer -startsWith "Dell"',
    'device.profileType -eq "SecureVM"',
    'device.systemLabels -contains "M365Managed"',
)


def _locations(rng: random.Random, count: int) -> list[pa.IpNamedLocation]:
    out = []
    for i in range(count):
        ranges = [pa.IpRange.from_cidr(f"{rng.randrange(11, 223)}.{rng.randrange(256)}."
                                       f"{rng.randrange(256)}.0/{rng.choice((16, 20, 24))}")
                  for _ in range(rng.randrange(5, 40))]
        out.append(pa.IpNamedLocation(id=f"loc-{i:02d}", display_name=f"Site {i:02d}",
                                      ip_ranges=ranges, is_trusted=i % 5 == 0))
    return out


def _with_conditions(policy: pa.Policy, rng: random.Random,
                     locations: list[pa.IpNamedLocation]) -> pa.Policy:
    conditions = policy.conditions
    if rng.random() < 0.25:
        picked = [loc.id for loc in rng.sample(locations, 3)]
        locs = pa.LocationConditions(include_locations=["All"],
                                     exclude_locations=[*picked, "AllTrusted"]) \
            if rng.random() < 0.5 else pa.LocationConditions(include_locations=picked)
        conditions = attrs.evolve(conditions, locations=locs)
    if rng.random() < 0.2:
        rule = rng.choice(FILTER_RULES)
        conditions = attrs.evolve(conditions, devices=pa.DeviceConditions(
            device_filter=pa.Filter(mode=rng.choice(("include", "exclude")), rule=rule)))
    return attrs.evolve(policy, conditions=conditions)


def build(seed: int, policies: int, locations: int, requests: int) -> pa.Tenant:
    """The large tenant."""
    rng = random.Random(seed)
    workload = wl.generate(seed=seed, requests=requests)
    tenant = workload.tenant(policies)
    named = _locations(rng, locations)
    return attrs.evolve(tenant, named_locations=named,
                        policies=[_with_conditions(p, rng, named) for p in tenant.policies])


def main(argv: list[str] | None = None) -> int:
    """Build the tenant, run find_lockouts, print the time and the verdicts."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="small and quick")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    policies, locations, rounds = (40, 10, 1) if args.smoke else (240, 50, args.rounds)
    tenant = build(20261129, policies, locations, 10)
    users = len(tenant.users)
    filters = len({p.conditions.devices.device_filter.rule for p in tenant.policies
                   if p.conditions.devices and p.conditions.devices.device_filter})
    times = []
    report = None
    for _ in range(rounds):
        fresh = attrs.evolve(tenant)
        start = time.perf_counter()
        report = find_lockouts(fresh)
        times.append(time.perf_counter() - start)
    assert report is not None
    print(f"tenant: {len(tenant.policies)} policies, {len(tenant.named_locations)} named "
          f"locations, {filters} distinct device filters, {users} users")
    print(f"find_lockouts: median {statistics.median(times):.2f} s over {rounds} round(s) "
          f"(compile included); {report.sessions_evaluated} sessions evaluated")
    print(f"permissions: {len(report.permissions)} held, locked out {len(report.locked_out)}, "
          f"critical {len(report.critical)}; emergency accounts: "
          + ", ".join(f"{k}={'safe' if v else 'unsafe'}" for k, v in report.emergency.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
