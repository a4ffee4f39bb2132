"""``lockout``: prove every held permission stays usable and the emergency accounts are
safe; exit 1 when something is locked out or an emergency account is not safe."""

from __future__ import annotations

import argparse
import json
from typing import Any

from protected_actions.analysis import find_lockouts

from .common import EXIT_FINDINGS, EXIT_OK, Streams, add_command, load_tenant_arg, tenant_option
from .progress import ProgressBar
from .render.json import lockout_json
from .render.text import lockout_text

__all__ = ["register"]


def _cmd_lockout(args: argparse.Namespace, io: Streams) -> int:
    tenant = load_tenant_arg(args.tenant, strict=args.strict)
    bar = ProgressBar(io.stderr)
    try:
        report = find_lockouts(tenant, progress=bar)
    finally:
        bar.close()
    if args.json:
        io.stdout.write(json.dumps(lockout_json(report), indent=2) + "\n")
    else:
        io.stdout.write(lockout_text(tenant, report) + "\n")
    unsafe = not all(report.emergency.values())
    return EXIT_FINDINGS if report.locked_out or unsafe else EXIT_OK


def register(sub: Any) -> None:
    """Add ``lockout``."""
    parser = add_command(sub, "lockout", _cmd_lockout,
                         "prove every held permission stays usable and emergency accounts "
                         "are safe")
    tenant_option(parser)
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
