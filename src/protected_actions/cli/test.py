"""``test``: run scenario files (``*.scenarios.json``) against the tenant; exit 1
when a scenario's expectation is not met."""

from __future__ import annotations

import argparse
import json
from typing import Any

from protected_actions.testing import find_scenario_files, load_scenarios, run_scenarios
from protected_actions.version import __version__

from .common import (
    EXIT_FINDINGS,
    EXIT_OK,
    Streams,
    UsageError,
    add_command,
    tenant_from,
    tenant_option,
)
from .progress import ProgressBar
from .render.scenarios import (
    scenarios_json,
    scenarios_junit,
    scenarios_markdown,
    scenarios_sarif,
    scenarios_text,
)

__all__ = ["register"]


def _cmd_test(args: argparse.Namespace, io: Streams) -> int:
    tenant = tenant_from(args)
    files = find_scenario_files(args.paths)
    if not files:
        raise UsageError(f"no scenario files (*.scenarios.json) in {', '.join(args.paths)}")
    scenarios = [s for path in files for s in load_scenarios(path)]
    bar = ProgressBar(io.stderr)
    try:
        results = run_scenarios(tenant, scenarios, progress=bar)
    finally:
        bar.close()
    if args.format == "json":
        io.stdout.write(json.dumps(scenarios_json(results), indent=2) + "\n")
    elif args.format == "junit":
        io.stdout.write(scenarios_junit(results))
    elif args.format == "markdown":
        io.stdout.write(scenarios_markdown(results))
    elif args.format == "sarif":
        io.stdout.write(json.dumps(scenarios_sarif(results, version=__version__), indent=2)
                        + "\n")
    else:
        io.stdout.write(scenarios_text(results))
    return EXIT_OK if all(r.passed for r in results) else EXIT_FINDINGS


def register(sub: Any) -> None:
    """Add ``test``."""
    parser = add_command(sub, "test", _cmd_test,
                         "run scenario files: sessions and the outcomes they must get")
    tenant_option(parser)
    parser.add_argument("paths", nargs="+", metavar="PATH",
                        help="scenario files, or folders searched for *.scenarios.json")
    parser.add_argument("--format", choices=("text", "json", "sarif", "junit", "markdown"),
                        default="text")
