"""A long fuzz campaign: the metamorphic property over many inputs, counting every
failure class (document, operator, path shape, what went wrong) instead of
stopping at the first.

    python -m tests.fuzz.campaign --examples 20000 [--seconds 1800]
"""

from __future__ import annotations

import argparse
import re
import time
from collections import Counter

from hypothesis import HealthCheck, Phase, given, settings
from tests.fuzz.mutations import mutated_path
from tests.fuzz.oracle import Case, cases, failure, pattern


def failure_class(case: Case, found: str) -> str:
    """The failure with list indexes and the action left out."""
    kind = found.split(":")[0] if found.startswith("silent") else found.split(" (")[0]
    turn = re.search(r"turns (\w+) into allow", found)
    return (f"{kind}: {case.document} {case.operator} at "
            f"{pattern(mutated_path(case.operator, case.path))}"
            f"{f' ({turn.group(1)} -> allow)' if turn else ''}")


def main() -> None:
    """Run the campaign and print the classes, their counts and one example each."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--examples", type=int, default=20_000)
    parser.add_argument("--seconds", type=float, default=float("inf"))
    options = parser.parse_args()
    deadline = time.monotonic() + options.seconds
    counts: Counter[str] = Counter()
    examples: dict[str, str] = {}
    runs = [0]

    @settings(max_examples=options.examples, deadline=None, database=None,
              phases=[Phase.generate], suppress_health_check=list(HealthCheck))
    @given(cases())
    def campaign(case: Case) -> None:
        if time.monotonic() > deadline:
            return
        runs[0] += 1
        found = failure(case)
        if found is not None:
            name = failure_class(case, found)
            counts[name] += 1
            examples.setdefault(name, found)
            print(f"[{runs[0]}] {found}", flush=True)

    campaign()
    print(f"inputs: {runs[0]}, failures: {sum(counts.values())}, classes: {len(counts)}")
    for name, count in counts.most_common():
        print(f"{count:6}  {name}\n        e.g. {examples[name]}")


if __name__ == "__main__":
    main()
