"""``lint``: the tenant's findings as text, JSON or SARIF; exit 1 at ``--fail-on``."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from protected_actions.analysis import Finding, Severity, lint
from protected_actions.testing.config import Judged, judge, read_baseline, write_baseline
from protected_actions.version import __version__

from .common import (
    EXIT_FINDINGS,
    EXIT_OK,
    Streams,
    add_command,
    config_from,
    locator,
    tenant_from,
    tenant_option,
    tenant_source,
)
from .render.json import lint_json
from .render.junit import lint_junit
from .render.markdown import lint_markdown
from .render.sarif import sarif_log
from .render.text import lint_text

__all__ = ["DEFAULT_BASELINE", "FAIL_ON", "FORMATS", "register"]

FORMATS = ("text", "json", "sarif", "junit", "markdown")
"""The report formats of ``lint``."""

FAIL_ON = {**{s.value: s.rank for s in sorted(Severity, key=lambda s: s.rank)}, "never": -1}
"""``--fail-on`` choices: a finding fails the run when its severity rank is at most this."""


DEFAULT_BASELINE = "protected-actions-baseline.json"
"""Where ``lint --write-baseline`` writes when neither ``--baseline`` nor the
configuration names a file."""


def _accepted(judged: Judged, baseline: Path | None) -> list[tuple[Finding, str]]:
    return [*((f, f"suppressed: {s.reason}") for f, s in judged.suppressed),
            *((f, f"in the baseline {baseline}") for f in judged.baselined)]


def _cmd_lint(args: argparse.Namespace, io: Streams) -> int:
    tenant = tenant_from(args)
    config = config_from(args)
    findings = lint(tenant)
    baseline = Path(args.baseline) if args.baseline else config.baseline
    if args.write_baseline:
        path = baseline or Path(DEFAULT_BASELINE)
        kept = judge(findings, config).findings
        write_baseline(path, kept)
        io.stderr.write(f"protected-actions: wrote {len(kept)} finding(s) to the baseline "
                        f"{path}\n")
        return EXIT_OK
    judged = judge(findings, config, read_baseline(baseline))
    accepted = _accepted(judged, baseline)
    if args.format == "json":
        document = lint_json(judged.findings)
        if accepted:
            document["accepted"] = [{**f.to_dict(), "acceptedBecause": why}
                                    for f, why in accepted]
        io.stdout.write(json.dumps(document, indent=2) + "\n")
    elif args.format == "sarif":
        log = sarif_log(judged.findings, source=tenant_source(args.tenant),
                        version=__version__, locate=locator(tenant), suppressed=accepted)
        io.stdout.write(json.dumps(log, indent=2) + "\n")
    elif args.format == "junit":
        io.stdout.write(lint_junit(judged.findings, accepted, locator(tenant)))
    elif args.format == "markdown":
        io.stdout.write(lint_markdown(judged.findings, accepted, locator(tenant)))
    else:
        io.stdout.write(lint_text(judged.findings, locator(tenant)) + "\n")
        if accepted:
            io.stdout.write(f"({len(judged.suppressed)} suppressed, {len(judged.baselined)} "
                            "in the baseline; --format json lists them)\n")
    threshold = FAIL_ON[args.fail_on]
    failing = any(f.severity.rank <= threshold for f in judged.findings)
    return EXIT_FINDINGS if failing else EXIT_OK


def register(sub: Any) -> None:
    """Add ``lint``."""
    parser = add_command(sub, "lint", _cmd_lint, "lint the tenant's Conditional Access set-up")
    tenant_option(parser)
    parser.add_argument("--format", choices=FORMATS, default="text")
    parser.add_argument("--fail-on", choices=tuple(FAIL_ON), default="error",
                        help="lowest severity that makes the exit status 1 (default: error)")
    parser.add_argument("--baseline", metavar="JSON",
                        help="findings accepted earlier (default: the configuration's "
                             "baseline); only new findings count")
    parser.add_argument("--write-baseline", action="store_true",
                        help=f"write today's findings as the baseline (default file: "
                             f"{DEFAULT_BASELINE}) and exit 0")
