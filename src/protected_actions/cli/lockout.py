"""``lockout``: prove every held permission stays usable and the emergency accounts are
safe; exit 1 when something is locked out or an emergency account is not safe."""

from __future__ import annotations

import argparse
import json
from typing import Any

from protected_actions.analysis import find_lockouts
from protected_actions.version import __version__

from .common import (
    EXIT_FINDINGS,
    EXIT_OK,
    Streams,
    add_command,
    locator,
    tenant_from,
    tenant_option,
)
from .progress import ProgressBar
from .render.json import lockout_json
from .render.lockout import lockout_junit, lockout_markdown, lockout_sarif
from .render.text import lockout_text

__all__ = ["register"]


def _cmd_lockout(args: argparse.Namespace, io: Streams) -> int:
    tenant = tenant_from(args)
    bar = ProgressBar(io.stderr)
    try:
        report = find_lockouts(tenant, progress=bar)
    finally:
        bar.close()
    form = "json" if args.json else args.format
    locate = locator(tenant)
    if form == "json":
        io.stdout.write(json.dumps(lockout_json(report), indent=2) + "\n")
    elif form == "sarif":
        io.stdout.write(json.dumps(lockout_sarif(report, version=__version__, locate=locate),
                                   indent=2) + "\n")
    elif form == "junit":
        io.stdout.write(lockout_junit(report, locate))
    elif form == "markdown":
        io.stdout.write(lockout_markdown(report, locate))
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
    parser.add_argument("--format", choices=("text", "json", "sarif", "junit", "markdown"),
                        default="text")
    parser.add_argument("--json", action="store_true", help="the same as --format json")
