"""What do IP named locations cost at Entra's limits: load time, compile time, memory?

Builds Graph-shaped tenant dicts (``namedLocations`` only) from a seed and, for
each size, measures

* **load**: ``pa.load_tenant(bundle)`` (Graph JSON dict -> models);
* **compile**: ``compiled(tenant)`` (the location index: interval tables);
* both as wall-clock seconds and as this process's CPU seconds
  (``time.process_time``): on a shared machine the CPU time is the steadier one;
* **memory** (tracemalloc, on a separate run of the same steps): the peak while
  loading and compiling, above the decoded input, and what stays allocated
  afterwards (the models and the compiled index). The input is decoded from JSON
  text while tracing, as an export is read, and freed before the figure is taken:
  the strings the models keep from it are counted, the rest is not.

Sizes: 195 locations x 2,000 ranges (Entra's cap), 40,000 locations x 3 ranges,
and 10 / 100 / 1,000 locations x 2,000 ranges, whose memory per range shows
whether the cost is linear in the number of ranges. About 10 % of the ranges are
IPv6 and 5 % are written as lower/upper pairs; IPv4 CIDRs are /20 to /32, as
company egress ranges are, so locations overlap here and there, not everywhere.

Run from the repository root::

    python benchmarks/bench_locations.py            # full sizes
    python benchmarks/bench_locations.py --smoke    # small sizes, no timing claims

Only ``pa.load_tenant`` and the engine's ``compiled`` are called.
"""

from __future__ import annotations

import argparse
import gc
import ipaddress
import json
import random
import sys
import time
import tracemalloc
from collections.abc import Sequence
from typing import Any

import protected_actions as pa
from protected_actions.engine.compile import compiled

DEFAULT_SEED = 20261202
FULL: tuple[tuple[int, int], ...] = (
    (10, 2_000), (100, 2_000), (195, 2_000), (1_000, 2_000), (40_000, 3))
SMOKE: tuple[tuple[int, int], ...] = ((3, 20), (12, 40), (50, 3))


def _range(rng: random.Random) -> dict[str, str]:
    roll = rng.random()
    if roll < 0.10:
        prefix = rng.choice((48, 56, 64))
        network = ipaddress.IPv6Network(
            (0x2001_0DB8 << 96 | rng.getrandbits(64) << 32, prefix), strict=False)
        return {"@odata.type": "#microsoft.graph.iPv6CidrRange",
                "cidrAddress": str(network)}
    base = rng.randrange(0x0B00_0000, 0xDF00_0000)
    if roll < 0.15:
        size = rng.randrange(1, 1024)
        return {"@odata.type": "#microsoft.graph.iPv4Range",
                "lowerAddress": str(ipaddress.IPv4Address(base)),
                "upperAddress": str(ipaddress.IPv4Address(base + size))}
    prefix = rng.choice((20, 22, 24, 24, 26, 28, 29, 32))
    network = ipaddress.IPv4Network((base, prefix), strict=False)
    return {"@odata.type": "#microsoft.graph.iPv4CidrRange", "cidrAddress": str(network)}


def bundle(seed: int, locations: int, ranges: int) -> dict[str, Any]:
    """A Graph-shaped bundle holding ``locations`` IP named locations."""
    rng = random.Random(seed)
    return {"namedLocations": [
        {"@odata.type": "#microsoft.graph.ipNamedLocation",
         "id": f"{k:08x}-0000-4000-8000-{rng.getrandbits(48):012x}",
         "displayName": f"Location {k}",
         "createdDateTime": "2026-01-01T00:00:00Z",
         "modifiedDateTime": "2026-01-01T00:00:00Z",
         "isTrusted": k % 16 == 0,
         "ipRanges": [_range(rng) for _ in range(ranges)]}
        for k in range(locations)]}


def _timed(seed: int, locations: int, ranges: int) -> tuple[float, float, float, float]:
    """Wall-clock and CPU seconds of loading, then of compiling."""
    data = json.loads(json.dumps(bundle(seed, locations, ranges)))
    gc.collect()
    start, start_cpu = time.perf_counter(), time.process_time()
    tenant = pa.load_tenant(data)
    loaded, loaded_cpu = time.perf_counter(), time.process_time()
    index = compiled(tenant)
    done, done_cpu = time.perf_counter(), time.process_time()
    assert repr(index)  # touch the index so nothing is skipped
    del tenant, index, data
    gc.collect()
    return loaded - start, done - loaded, loaded_cpu - start_cpu, done_cpu - loaded_cpu


def _memory(seed: int, locations: int, ranges: int) -> tuple[int, int]:
    """(peak, retained) bytes of loading and compiling, by tracemalloc: the peak
    above the decoded input, and what the models and the index keep."""
    text = json.dumps(bundle(seed, locations, ranges))
    gc.collect()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        data = json.loads(text)
        decoded = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        tenant = pa.load_tenant(data)
        index = compiled(tenant)
        peak = tracemalloc.get_traced_memory()[1] - decoded
        del data
        gc.collect()
        retained = tracemalloc.get_traced_memory()[0] - base
    finally:
        tracemalloc.stop()
    del tenant, index
    gc.collect()
    return peak, retained


def run(sizes: Sequence[tuple[int, int]], seed: int, smoke: bool) -> None:
    print(f"Python {sys.version.split()[0]}, protected-actions {pa.__version__}, seed {seed}")
    print("IP named locations: load_tenant(dict decoded from JSON), then compiled(tenant); "
          "memory by tracemalloc on a separate run (peak: above the decoded input; "
          "kept: models and index, with the texts they keep)")
    header = (f"{'locations':>10} {'ranges':>7} {'total':>9} {'load s':>8} {'cpu':>6} "
              f"{'compile s':>10} {'cpu':>6} {'peak MB':>8} {'kept MB':>8} {'kept B/range':>13}")
    print(header)
    print("-" * len(header))
    for locations, ranges in sizes:
        load_s, compile_s, load_cpu, compile_cpu = _timed(seed, locations, ranges)
        peak, retained = _memory(seed, locations, ranges)
        total = locations * ranges
        times = (f"{'-':>8} {'-':>6} {'-':>10} {'-':>6}" if smoke else
                 f"{load_s:>8.2f} {load_cpu:>6.2f} {compile_s:>10.3f} {compile_cpu:>6.3f}")
        print(f"{locations:>10,} {ranges:>7,} {total:>9,} {times} "
              f"{peak / 1e6:>8.1f} {retained / 1e6:>8.1f} {retained / total:>13.0f}")
    if smoke:
        print("(smoke run: small sizes, no times shown; the figures say nothing about "
              "performance)")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true", help="small sizes, no timing claims")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--sizes", help="locations x ranges pairs, e.g. 195x2000,40000x3")
    args = parser.parse_args(argv)
    if args.sizes:
        sizes = tuple((int(a), int(b)) for a, b in
                      (pair.split("x") for pair in args.sizes.split(",")))
    else:
        sizes = SMOKE if args.smoke else FULL
    run(sizes, args.seed, args.smoke)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
