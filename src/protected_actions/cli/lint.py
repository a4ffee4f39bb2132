"""``lint``: the tenant's findings as text, JSON or SARIF; exit 1 at ``--fail-on``."""

from __future__ import annotations

import argparse
import json
from typing import Any

from protected_actions.analysis import Severity, lint
from protected_actions.version import __version__

from .common import (
    EXIT_FINDINGS,
    EXIT_OK,
    Streams,
    add_command,
    load_tenant_arg,
    tenant_option,
    tenant_source,
)
from .render.json import lint_json
from .render.sarif import sarif_log
from .render.text import lint_text

__all__ = ["FAIL_ON", "register"]

FAIL_ON = {**{s.value: s.rank for s in sorted(Severity, key=lambda s: s.rank)}, "never": -1}
"""``--fail-on`` choices: a finding fails the run when its severity rank is at most this."""


def _cmd_lint(args: argparse.Namespace, io: Streams) -> int:
    tenant = load_tenant_arg(args.tenant, strict=args.strict)
    findings = lint(tenant)
    if args.format == "json":
        io.stdout.write(json.dumps(lint_json(findings), indent=2) + "\n")
    elif args.format == "sarif":
        log = sarif_log(findings, source=tenant_source(args.tenant), version=__version__)
        io.stdout.write(json.dumps(log, indent=2) + "\n")
    else:
        io.stdout.write(lint_text(findings) + "\n")
    threshold = FAIL_ON[args.fail_on]
    failing = any(f.severity.rank <= threshold for f in findings)
    return EXIT_FINDINGS if failing else EXIT_OK


def register(sub: Any) -> None:
    """Add ``lint``."""
    parser = add_command(sub, "lint", _cmd_lint, "lint the tenant's Conditional Access set-up")
    tenant_option(parser)
    parser.add_argument("--format", choices=("text", "json", "sarif"), default="text")
    parser.add_argument("--fail-on", choices=tuple(FAIL_ON), default="error",
                        help="lowest severity that makes the exit status 1 (default: error)")
