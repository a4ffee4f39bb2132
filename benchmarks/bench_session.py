"""How fast is building a session, by keyword and from session JSON?

An application builds one :class:`~protected_actions.SessionState` per request, from
its token claims and session facts, either by keyword or with
``pa.load_session(dict)``. This script times, per request, over the sessions of the
anchors' workload (``benchmarks/_workload.py``) made into the common shape (a user
with a few groups and roles, one or two authentications, a registered device, a
platform, an IP address and country, a client app type and risk levels):

* ``User(...)``, ``Device(...)``, ``Authentication(...)`` and ``SessionState(...)``
  alone (the parts prebuilt);
* the whole session by keyword (``User`` + ``Authentication`` + ``Device`` +
  ``SessionState`` in the call), and the workload's own ``session_from_request``
  (what ``compare.py`` times);
* ``load_session(dict)`` of the session JSON ``dump_session`` writes, and of the same
  JSON with ``memberOf`` in the token's order rather than sorted.

Every figure is the median and p99 microseconds of one call, after one untimed pass.

Run from the repository root::

    python benchmarks/bench_session.py              # 10,000 sessions, about 10 s
    python benchmarks/bench_session.py --rounds 5   # the median of five rounds
    python benchmarks/bench_session.py --smoke      # a few hundred, no timing claims
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _workload as wl
import attrs

import protected_actions as pa

SMOKE_REQUESTS = 300
PLATFORMS = ("windows", "iOS", "android", "macOS")
CLIENT_APP_TYPES = ("browser", "browser", "browser", "mobileAppsAndDesktopClients")
RISK_LEVELS = ("none", "none", "none", "low", "medium")
TRUST_TYPES = ("AzureAD", "ServerAD", "Workplace")


@dataclass(frozen=True)
class Facts:
    """One request's facts as an application holds them (lists from token claims)."""

    user_id: str
    groups: list[str]
    roles: list[str]
    authentications: list[tuple[list[str], int]]  # methods, seconds since
    device_id: str
    compliant: bool
    trust_type: str
    platform: str
    ip_address: str
    country: str
    client_app_type: str
    sign_in_risk: str
    user_risk: str


def facts(requests: Sequence[Mapping[str, Any]]) -> list[Facts]:
    """The workload's requests in the common shape: every third request has a second
    (older) authentication; platform, device, address and risks vary by index."""
    out = []
    for i, request in enumerate(requests):
        principal, session = request["principal"], request["session"]
        methods = sorted(session["authMethods"])
        seconds = session["secondsSinceAuth"]
        auths = [(methods, seconds)]
        if i % 3 == 0:
            auths.append((["password"], seconds + 3_600))
        out.append(Facts(
            user_id=principal["id"], groups=list(principal["groups"]),
            roles=list(principal["roles"]), authentications=auths,
            device_id=f"device-{i % 997:04d}", compliant=session["deviceCompliant"],
            trust_type=TRUST_TYPES[i % len(TRUST_TYPES)],
            platform=PLATFORMS[i % len(PLATFORMS)],
            ip_address=f"203.0.113.{i % 250 + 1}", country="NL" if i % 5 else "BE",
            client_app_type=CLIENT_APP_TYPES[i % len(CLIENT_APP_TYPES)],
            sign_in_risk=RISK_LEVELS[i % len(RISK_LEVELS)],
            user_risk=RISK_LEVELS[(i // 5) % len(RISK_LEVELS)]))
    return out


# -- what is timed ---------------------------------------------------------------------


def user(f: Facts) -> pa.User:
    """The user as a token describes it."""
    return pa.User(id=f.user_id, member_of=f.groups, roles=f.roles)


def authentications(f: Facts) -> tuple[pa.Authentication, ...]:
    """The session's authentications."""
    return tuple(pa.Authentication(methods=methods, at=wl.NOW - timedelta(seconds=seconds))
                 for methods, seconds in f.authentications)


def device(f: Facts) -> pa.Device:
    """The registered device."""
    return pa.Device(device_id=f.device_id, is_compliant=f.compliant,
                     trust_type=f.trust_type)


def session(f: Facts, u: pa.User, auths: tuple[pa.Authentication, ...],
            d: pa.Device) -> pa.SessionState:
    """The session from its parts."""
    return pa.SessionState(
        at=wl.NOW, user=u, authentications=auths, device_platform=f.platform, device=d,
        ip_address=f.ip_address, country=f.country, client_app_type=f.client_app_type,
        sign_in_risk_level=f.sign_in_risk, user_risk_level=f.user_risk)


def whole(f: Facts) -> pa.SessionState:
    """The whole session built in the call."""
    return session(f, user(f), authentications(f), device(f))


def unsorted_json(f: Facts, s: pa.SessionState) -> dict[str, Any]:
    """The session JSON with ``memberOf`` and ``roles`` in the token's order."""
    data = pa.dump_session(s)
    data["user"]["memberOf"] = list(f.groups)
    data["user"]["roles"] = list(f.roles)
    return data


# -- timing ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Timing:
    """Microseconds per call."""

    median: float
    p99: float


def measure(call: Callable[[int], object], count: int) -> Timing:
    """One untimed pass, then each call timed on its own."""
    for i in range(count):
        call(i)
    gc.collect()
    clock = time.perf_counter_ns
    samples = [0] * count
    for i in range(count):
        start = clock()
        call(i)
        samples[i] = clock() - start
    samples.sort()
    return Timing(median=statistics.median(samples) / 1000.0,
                  p99=samples[min(count - 1, int(0.99 * count))] / 1000.0)


def rows(fs: Sequence[Facts]) -> list[tuple[str, Callable[[int], object]]]:
    """The labelled calls."""
    users = [user(f) for f in fs]
    auths = [authentications(f) for f in fs]
    devices = [device(f) for f in fs]
    built = [session(f, u, a, d) for f, u, a, d in zip(fs, users, auths, devices, strict=True)]
    dumped = [pa.dump_session(s) for s in built]
    token_order = [unsorted_json(f, s) for f, s in zip(fs, built, strict=True)]
    requests = [{"principal": {"id": f.user_id, "groups": f.groups, "roles": f.roles},
                 "session": {"authMethods": f.authentications[0][0],
                             "secondsSinceAuth": f.authentications[0][1],
                             "deviceCompliant": f.compliant}} for f in fs]
    return [
        ("User(...)", lambda i: user(fs[i])),
        ("Device(...)", lambda i: device(fs[i])),
        ("Authentication(...)", lambda i: pa.Authentication(
            methods=fs[i].authentications[0][0], at=wl.NOW)),
        ("SessionState(...) alone", lambda i: session(fs[i], users[i], auths[i], devices[i])),
        ("whole session by keyword", lambda i: whole(fs[i])),
        ("workload session_from_request", lambda i: wl.session_from_request(requests[i])),
        ("load_session(dict)", lambda i: pa.load_session(dumped[i])),
        ("load_session(dict), memberOf unsorted", lambda i: pa.load_session(token_order[i])),
    ]


def check(fs: Sequence[Facts]) -> None:
    """Every way of building a session gives the same session."""
    for f in fs:
        built = whole(f)
        if pa.load_session(pa.dump_session(built)) != built:
            raise SystemExit(f"load_session(dump_session(s)) != s for {f}")
        again = pa.load_session(unsorted_json(f, built))
        if again.user.member_of != built.user.member_of or \
                without_raw_forms(again) != built:
            raise SystemExit(f"load_session of the token-order JSON differs for {f}")


def without_raw_forms(s: pa.SessionState) -> pa.SessionState:
    """``s`` without the raw forms its user keeps for the round trip."""
    return attrs.evolve(s, user=attrs.evolve(s.user, unmodelled={}))


def main(argv: list[str] | None = None) -> int:
    """Generate the sessions, check they agree, print the table."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--smoke", action="store_true",
                        help=f"{SMOKE_REQUESTS} sessions, one round; no timing claims")
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    count = SMOKE_REQUESTS if args.smoke else args.requests
    rounds = 1 if args.smoke else args.rounds
    fs = facts(wl.generate(requests=count).request_dicts())
    check(fs)
    labelled = rows(fs)
    results: dict[str, list[Timing]] = {label: [] for label, _ in labelled}
    for _ in range(rounds):
        for label, call in labelled:
            results[label].append(measure(call, count))
    print(f"protected-actions {pa.__version__}, Python {sys.version.split()[0]}: "
          f"{count} sessions, median of {rounds} round(s)")
    print(f"{'':40} {'median us':>10} {'p99 us':>10}")
    for label, timings in results.items():
        median = statistics.median(t.median for t in timings)
        p99 = statistics.median(t.p99 for t in timings)
        print(f"{label:40} {median:10.2f} {p99:10.2f}")
    if args.smoke:
        print("smoke run: every way of building a session agreed; "
              "the figures above say nothing about speed.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
