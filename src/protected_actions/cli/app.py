"""The ``protected-actions`` command line.

A thin layer over the library: it loads Graph JSON through :mod:`protected_actions.graph`,
asks :func:`~protected_actions.evaluate`, :func:`~protected_actions.analysis.lint` and
:func:`~protected_actions.analysis.find_lockouts`, and renders their answers as text,
JSON, SARIF, Markdown or CSV. ``main(argv)`` parses the arguments; ``run(args, *,
stdout, stderr)`` does the work on the streams it is given and returns the exit status.
With no subcommand it runs the ``demo``. Each subcommand lives in its own module and
adds itself to the parser with ``register``.
"""

from __future__ import annotations

import argparse
import sys
import traceback
from collections.abc import Sequence
from typing import TextIO

from protected_actions.errors import ProtectedActionsError
from protected_actions.version import __version__

from . import demo, diff, evaluate, export, lint, lockout, matrix, replay, test
from .common import EPILOG, EXIT_USAGE, CommandParser, Handler, Streams, UsageError

__all__ = ["build_parser", "main", "run"]


def __dir__() -> list[str]:
    return __all__


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``protected-actions``."""
    parser = CommandParser(
        prog="protected-actions", epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Decide allow, challenge or deny for Microsoft Entra ID protected "
                    "actions, lint Conditional Access and prove nobody is locked out.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")
    default = demo.register(sub)
    parser.set_defaults(handler=default, debug=False)
    for command in (evaluate, export, lint, lockout, matrix, test, diff, replay):
        command.register(sub)
    return parser


def _report(exc: BaseException, args: argparse.Namespace, stderr: TextIO) -> int:
    if args.debug:
        traceback.print_exception(type(exc), exc, exc.__traceback__, file=stderr)
    stderr.write(f"protected-actions: error: {exc}\n")
    return EXIT_USAGE


def run(args: argparse.Namespace, *, stdout: TextIO, stderr: TextIO,
        stdin: TextIO | None = None) -> int:
    """Run the command ``args`` (from :func:`build_parser`) on the given streams.

    :returns: the exit status (``EXIT_*``). User errors are printed on ``stderr`` as
        one message naming the file and JSON path (the traceback only with
        ``--debug``) and give :data:`EXIT_USAGE`.
    """
    handler: Handler = args.handler
    streams = Streams(stdout=stdout, stderr=stderr, stdin=stdin or sys.stdin)
    try:
        return handler(args, streams)
    except (ProtectedActionsError, UsageError) as exc:
        return _report(exc, args, stderr)


def main(argv: Sequence[str] | None = None) -> int:
    """The ``protected-actions`` console script.

    :param argv: the arguments (default: ``sys.argv[1:]``).
    :returns: the exit status; see the ``EXIT_*`` constants.
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, or a usage error already printed
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    return run(args, stdout=sys.stdout, stderr=sys.stderr)
