"""How fast are conditions decided in a tenant at Entra's limits?

Builds, from a seed, a tenant at the documented limits for conditions
(entra-facts §4.1, §6.10): 195 IP named locations of 2,000 ranges each (IPv4 and
IPv6 CIDRs, some marked trusted), and 240 Conditional Access policies, all on one
auth context family (every policy targets ``c1``, which protects the benchmarked
action, so every request weighs every policy). The policies reference the
locations (included ids, excluded ids, ``All`` minus ``AllTrusted``,
``AllTrusted``), carry one of 10 distinct device filter rules in include or
exclude mode, and some platform conditions and exclusions.

It then prints

* the model build time and the compile time of the tenant (``compiled(tenant)`` on
  a fresh ``Tenant`` of the same models: policies, filters, location index);
* the median and p99 microseconds per ``evaluate`` reading the outcome only
  (outcome, reasons, challenge);
* the same with the full per-policy trace (``decision.policies``);

over 10,000 seeded sessions with random IP addresses (IPv4, and some IPv6), random
devices (registered or not) and platforms.

Run from the repository root::

    python benchmarks/bench_conditions.py            # full size
    python benchmarks/bench_conditions.py --smoke    # small sizes, no timing claims

Only the public API (``protected_actions``) is used.
"""

from __future__ import annotations

import argparse
import gc
import ipaddress
import random
import statistics
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import protected_actions as pa
from protected_actions.engine.compile import compiled

DEFAULT_SEED = 20261129
NOW = datetime(2026, 11, 29, 10, 0, tzinfo=timezone.utc)
ACTION = "microsoft.directory/conditionalAccessPolicies/create"
CONTEXT = "c1"
WARM_UP = 200
BREAK_GLASS_GROUP = "grp-emergency-access"
GROUPS = tuple(f"grp-{i:02d}" for i in range(20))
PLATFORMS = ("windows", "iOS", "android", "macOS", "linux", "chromeOS")
FILTER_RULES = (
    'device.trustType -eq "ServerAD"',
    "device.isCompliant -eq True",
    'device.extensionAttribute1 -eq "SAW"',
    'device.operatingSystem -startsWith "Windows" -and device.trustType -ne "Workplace"',
    'device.deviceOwnership -eq "Company"',
    'device.model -contains "Surface" -or device.manufacturer -eq "Dell Inc."',
    'device.displayName -notStartsWith "KIOSK-"',
    'device.systemLabels -contains "M365Managed"',
    'device.mdmAppId -in ["0000000a-0000-0000-c000-000000000000", '
    '"54b943f8-d761-4f8d-951e-9cea1846db5a"]',
    'device.operatingSystemVersion -notStartsWith "10.0.1" -or device.profileType -eq "SecureVM"',
)
"""The 10 distinct device filter rules the policies share."""
_FIRST_OCTETS = (*range(11, 100), *range(101, 127), *range(128, 169), *range(173, 192),
                 *range(193, 224))
"""First octets of public-looking IPv4 space (no 0, 10, 100, 127, 169-172, 192)."""


@dataclass(frozen=True)
class Sizes:
    """How big a tenant and a run are."""

    policies: int
    locations: int
    ranges: int
    requests: int
    trusted: int


FULL = Sizes(policies=240, locations=195, ranges=2_000, requests=10_000, trusted=12)
SMOKE = Sizes(policies=24, locations=12, ranges=40, requests=300, trusted=2)

Block = tuple[int, int, int]
"""An IP version, the first and the last address of a range."""


# -- the tenant --------------------------------------------------------------------------


def _guid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _ipv4_range(rng: random.Random) -> tuple[pa.IpRange, Block]:
    prefix = rng.choices((16, 20, 22, 24, 26, 28, 29, 30, 32),
                         weights=(2, 3, 6, 30, 12, 12, 10, 10, 15))[0]
    address = rng.choice(_FIRST_OCTETS) << 24 | rng.getrandbits(24)
    network = ipaddress.IPv4Network((address, prefix), strict=False)
    block = (4, int(network.network_address), int(network.broadcast_address))
    return pa.IpRange.from_cidr(str(network)), block


def _ipv6_range(rng: random.Random) -> tuple[pa.IpRange, Block]:
    prefix = rng.choice((32, 40, 48, 48, 56, 64, 64, 128))
    address = 0x2A00 << 112 | rng.getrandbits(112)
    network = ipaddress.IPv6Network((address, prefix), strict=False)
    block = (6, int(network.network_address), int(network.broadcast_address))
    return pa.IpRange.from_cidr(str(network)), block


def build_locations(rng: random.Random, sizes: Sizes
                    ) -> tuple[list[pa.IpNamedLocation], list[list[Block]]]:
    """``sizes.locations`` IP locations of ``sizes.ranges`` ranges (about 10 % IPv6);
    the first ``sizes.trusted`` are marked trusted. Also returns each one's blocks."""
    locations: list[pa.IpNamedLocation] = []
    blocks: list[list[Block]] = []
    for k in range(sizes.locations):
        ranges: list[pa.IpRange] = []
        mine: list[Block] = []
        for _ in range(sizes.ranges):
            ip_range, block = _ipv6_range(rng) if rng.random() < 0.1 else _ipv4_range(rng)
            ranges.append(ip_range)
            mine.append(block)
        locations.append(pa.IpNamedLocation(
            id=_guid(rng), display_name=f"Location {k:03d}", ip_ranges=ranges,
            is_trusted=k < sizes.trusted))
        blocks.append(mine)
    return locations, blocks


def _location_condition(rng: random.Random, ids: Sequence[str]
                        ) -> pa.LocationConditions | None:
    kind = rng.choices(("none", "all-but-trusted", "all-but-ids", "ids", "trusted"),
                       weights=(25, 30, 20, 15, 10))[0]
    if kind == "none":
        return None
    if kind == "all-but-trusted":
        return pa.LocationConditions(include_locations=("All",), exclude_locations=("AllTrusted",))
    if kind == "all-but-ids":
        return pa.LocationConditions(include_locations=("All",),
                                     exclude_locations=tuple(rng.sample(ids, rng.randint(1, 4))))
    if kind == "ids":
        return pa.LocationConditions(include_locations=tuple(rng.sample(ids, rng.randint(1, 3))))
    return pa.LocationConditions(include_locations=("AllTrusted",))


def _grant(rng: random.Random, *, narrow: bool) -> pa.GrantControls:
    if narrow and rng.random() < 0.5:
        return pa.GrantControls(built_in_controls=("block",))
    kind = rng.choices(("mfa", "strength", "device-or-mfa", "device-and-mfa"),
                       weights=(50, 25, 15, 10))[0]
    if kind == "mfa":
        return pa.GrantControls(built_in_controls=("mfa",))
    if kind == "strength":
        return pa.GrantControls(authentication_strength=pa.PHISHING_RESISTANT_MFA_STRENGTH.id)
    operator = "OR" if kind == "device-or-mfa" else "AND"
    return pa.GrantControls(operator=operator, built_in_controls=("compliantDevice", "mfa"))


def build_policy(rng: random.Random, index: int, location_ids: Sequence[str],
                 rule: str | None) -> pa.Policy:
    """One policy on ``c1`` with users, locations, a device filter (``rule``) and platforms."""
    if rng.random() < 0.7:
        users = pa.UserConditions(include_users=("All",), exclude_groups=(BREAK_GLASS_GROUP,))
    else:
        users = pa.UserConditions(include_groups=tuple(rng.sample(GROUPS, rng.randint(1, 3))),
                                  exclude_groups=(BREAK_GLASS_GROUP,))
    locations = _location_condition(rng, location_ids)
    devices = None
    if rule is not None:
        devices = pa.DeviceConditions(device_filter=pa.Filter(
            mode=rng.choice(("include", "exclude")), rule=rule))
    platforms = None
    if rng.random() < 0.2:
        platforms = pa.PlatformConditions(include_platforms=("all",),
                                          exclude_platforms=tuple(rng.sample(PLATFORMS[:5], 2)))
    # A block needs a narrow scope (named locations) or it would deny almost everyone.
    narrow = locations is not None and bool(locations.include_locations) and \
        locations.include_locations[0] not in ("All", "AllTrusted")
    state = rng.choices(("enabled", "enabledForReportingButNotEnforced", "disabled"),
                        weights=(75, 20, 5))[0]
    return pa.Policy(
        id=f"policy-{index:03d}", display_name=f"Policy {index:03d}", state=state,
        conditions=pa.Conditions(
            users=users,
            applications=pa.ApplicationConditions(
                include_authentication_context_class_references=(CONTEXT,)),
            locations=locations, devices=devices, platforms=platforms),
        grant_controls=_grant(rng, narrow=narrow))


def build_policies(rng: random.Random, count: int,
                   location_ids: Sequence[str]) -> list[pa.Policy]:
    """``count`` policies; 60 % carry a device filter, the 10 rules taken in turn."""
    policies = []
    filtered = 0
    for i in range(count):
        rule = None
        if rng.random() < 0.6:
            rule = FILTER_RULES[filtered % len(FILTER_RULES)]
            filtered += 1
        policies.append(build_policy(rng, i, location_ids, rule))
    return policies


def build_tenant(policies: Sequence[pa.Policy],
                 locations: Sequence[pa.IpNamedLocation]) -> pa.Tenant:
    """A fresh (not yet compiled) tenant of these models."""
    return pa.Tenant(
        policies=policies, named_locations=locations,
        auth_contexts=[pa.AuthContext(id=CONTEXT, display_name="Admin step-up",
                                      is_available=True)],
        protected_actions=[pa.ProtectedAction(permission=ACTION, context_id=CONTEXT)])


# -- the sessions ------------------------------------------------------------------------


def _address(rng: random.Random, blocks: Sequence[Sequence[Block]]) -> str | None:
    roll = rng.random()
    if roll < 0.01:
        return None  # a session without an address: location conditions undetermined
    if roll < 0.50:
        version, first, last = rng.choice(rng.choice(blocks))
        value = rng.randint(first, last)
    elif roll < 0.88:
        version, value = 4, rng.choice(_FIRST_OCTETS) << 24 | rng.getrandbits(24)
    else:
        version, value = 6, 0x2A00 << 112 | rng.getrandbits(112)
    address = ipaddress.IPv4Address(value) if version == 4 else ipaddress.IPv6Address(value)
    return str(address)


def _device(rng: random.Random) -> pa.Device | None:
    if rng.random() < 0.3:
        return None  # unregistered
    trust = rng.choice(("AzureAD", "ServerAD", "Workplace"))
    windows = trust != "Workplace" or rng.random() < 0.3
    return pa.Device(
        device_id=_guid(rng),
        display_name=rng.choice(("KIOSK-", "SAW-", "LT-", "")) + str(rng.randint(1, 999)),
        is_compliant=rng.random() < 0.6,
        is_managed=rng.random() < 0.7,
        trust_type=trust,
        device_ownership=rng.choice(("Company", "Personal")),
        manufacturer=rng.choice(("Dell Inc.", "Microsoft Corporation", "Apple", "LENOVO")),
        model=rng.choice(("Surface Laptop 6", "Latitude 7450", "iPhone 16", "ThinkPad X1")),
        operating_system="Windows" if windows else rng.choice(("iOS", "Android", "MacOS")),
        operating_system_version=rng.choice(("10.0.19045", "10.0.22631", "10.0.26100",
                                             "18.1", "15.0")),
        mdm_app_id=rng.choice((None, "0000000a-0000-0000-c000-000000000000")),
        profile_type=rng.choice(("RegisteredDevice", "SecureVM", "Shared")),
        system_labels=rng.choice(((), ("M365Managed",), ("AzureResource", "MultiUser"))),
        extension_attributes=rng.choice(({}, {"extensionAttribute1": "SAW"},
                                         {"extensionAttribute1": "LAB"})))


def _authentications(rng: random.Random) -> tuple[pa.Authentication, ...]:
    methods = rng.choices(((), ("password",), ("password", "microsoftAuthenticatorPush"),
                           ("fido2",), ("windowsHelloForBusiness",)),
                          weights=(20, 15, 35, 20, 10))[0]
    if not methods:
        return ()
    at = NOW - timedelta(minutes=rng.randint(1, 600))
    return (pa.Authentication(methods=frozenset(methods), at=at),)


def build_sessions(rng: random.Random, count: int,
                   blocks: Sequence[Sequence[Block]]) -> list[pa.SessionState]:
    """``count`` sessions of active Global Administrators with random facts."""
    sessions = []
    for i in range(count):
        groups = set(rng.sample(GROUPS, rng.randint(0, 4)))
        if rng.random() < 0.01:
            groups.add(BREAK_GLASS_GROUP)
        who = pa.User(id=f"user-{i % 2000:04d}", member_of=groups,
                      roles={pa.GLOBAL_ADMINISTRATOR.id})
        sessions.append(pa.SessionState(
            at=NOW, user=who, authentications=_authentications(rng),
            device_platform=rng.choice(PLATFORMS), device=_device(rng),
            ip_address=_address(rng, blocks),
            client_app_type=rng.choice(("browser", "browser", "mobileAppsAndDesktopClients"))))
    return sessions


# -- measuring ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Timing:
    """Microseconds per decision over one pass, and what the decisions were."""

    median: float
    p99: float
    outcomes: Counter[str]
    incomplete: int


def measure(decide: Callable[[pa.SessionState], pa.Decision],
            sessions: Sequence[pa.SessionState], *, trace: bool) -> Timing:
    """Time ``decide`` on every session, reading the outcome (and the trace)."""
    for s in sessions[:WARM_UP]:
        decision = decide(s)
        if trace:
            _ = decision.policies
    gc.collect()
    clock = time.perf_counter_ns
    samples: list[int] = []
    outcomes: Counter[str] = Counter()
    incomplete = 0
    for s in sessions:
        start = clock()
        decision = decide(s)
        _ = decision.outcome, decision.reasons, decision.challenge
        if trace:
            _ = decision.policies
        samples.append(clock() - start)
        outcomes[decision.outcome.value] += 1
        incomplete += not decision.complete
    samples.sort()
    return Timing(median=statistics.median(samples) / 1000.0,
                  p99=samples[min(len(samples) - 1, int(0.99 * len(samples)))] / 1000.0,
                  outcomes=outcomes, incomplete=incomplete)


def compile_ms(policies: Sequence[pa.Policy], locations: Sequence[pa.IpNamedLocation],
               repeats: int) -> float:
    """Median milliseconds of ``compiled(tenant)`` on fresh tenants of the same models."""
    times = []
    for _ in range(repeats):
        tenant = build_tenant(policies, locations)
        gc.collect()
        start = time.perf_counter_ns()
        compiled(tenant)
        times.append((time.perf_counter_ns() - start) / 1e6)
    return statistics.median(times)


def _mix(t: Timing) -> str:
    return " / ".join(f"{t.outcomes[k]:,}" for k in ("allow", "challenge", "deny"))


def main(argv: Sequence[str] | None = None) -> int:
    """Build, compile, measure and print; always exits 0 (a measurement, not a test)."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true",
                        help="small sizes and a few hundred requests, no timing claims")
    parser.add_argument("--requests", type=int, default=None,
                        help=f"sessions to evaluate (default {FULL.requests:,})")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)
    sizes = SMOKE if args.smoke else FULL
    if args.requests is not None:
        sizes = Sizes(policies=sizes.policies, locations=sizes.locations,
                      ranges=sizes.ranges, requests=max(1, args.requests),
                      trusted=sizes.trusted)
    rng = random.Random(args.seed)

    start = time.perf_counter()
    locations, blocks = build_locations(rng, sizes)
    ids = [loc.id for loc in locations]
    policies = build_policies(rng, sizes.policies, ids)
    sessions = build_sessions(rng, sizes.requests, blocks)
    built_s = time.perf_counter() - start
    tenant = build_tenant(policies, locations)

    filters = Counter(p.conditions.devices.device_filter.rule for p in policies
                      if p.conditions.devices and p.conditions.devices.device_filter)
    located = sum(p.conditions.locations is not None for p in policies)
    v6 = sum(":" in (s.ip_address or "") for s in sessions)
    print(f"seed {args.seed}; Python {sys.version.split()[0]}, "
          f"protected-actions {pa.__version__}")
    print(f"tenant: {len(policies)} policies on {CONTEXT} ({located} with a location "
          f"condition, {sum(filters.values())} with a device filter over "
          f"{len(filters)} distinct rules); {len(locations)} named locations x "
          f"{sizes.ranges:,} ranges = {len(locations) * sizes.ranges:,} ranges, "
          f"{sizes.trusted} trusted")
    print(f"sessions: {len(sessions):,} ({v6:,} IPv6, "
          f"{sum(s.ip_address is None for s in sessions):,} without an address, "
          f"{sum(s.device is None for s in sessions):,} unregistered devices); "
          f"workload generated in {built_s:.1f} s")

    repeats = 1 if args.smoke else 3
    compile_time = compile_ms(policies, locations, repeats)
    compiled(tenant)  # compile before timing decisions

    def decide(s: pa.SessionState) -> pa.Decision:
        return pa.evaluate(tenant, s, ACTION)

    outcome_only = measure(decide, sessions, trace=False)
    with_trace = measure(decide, sessions, trace=True)
    if args.smoke:
        print(f"smoke run: {2 * len(sessions):,} decisions made; no timing claims.")
        return 0
    print(f"\ncompile (compiled(tenant), fresh tenant, median of {repeats}): "
          f"{compile_time:,.1f} ms")
    header = f"{'evaluate':<40} {'median us':>10} {'p99 us':>10}  allow / challenge / deny"
    print(header)
    print("-" * len(header))
    for label, timing in (("outcome only (outcome, reasons, challenge)", outcome_only),
                          ("with the full trace (decision.policies)", with_trace)):
        print(f"{label:<40} {timing.median:>10.1f} {timing.p99:>10.1f}  {_mix(timing)}")
    print(f"incomplete decisions (a condition undetermined): {outcome_only.incomplete:,}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
