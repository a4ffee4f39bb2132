"""The ``protected-actions`` command line.

A thin layer over the library: it loads Graph JSON through :mod:`protected_actions.graph`,
asks :func:`~protected_actions.evaluate`, :func:`~protected_actions.analysis.lint` and
:func:`~protected_actions.analysis.find_lockouts`, and renders their answers as text,
JSON, SARIF, Markdown or CSV. ``main(argv)`` parses the arguments; ``run(args, *,
stdout, stderr)`` does the work on the streams it is given and returns the exit status.
With no subcommand it runs the ``demo``.
"""

from __future__ import annotations

import argparse
import difflib
import json
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

import attrs

from protected_actions import __version__
from protected_actions._cli_demo import run_demo
from protected_actions._cli_matrix import build_matrix, matrix_csv, matrix_json, matrix_markdown
from protected_actions._cli_progress import ProgressBar
from protected_actions._cli_render import lint_json, lint_text, lockout_json, lockout_text
from protected_actions._cli_sarif import sarif_log
from protected_actions._explain import render_text
from protected_actions.analysis import Severity, find_lockouts, lint
from protected_actions.decision import Decision, Outcome
from protected_actions.errors import (
    InvalidPermissionError,
    LoadError,
    LoadProblem,
    ProtectedActionsError,
)
from protected_actions.evaluator import evaluate, evaluate_sign_in
from protected_actions.graph import load_session, load_tenant
from protected_actions.permissions import PROTECTABLE_PERMISSIONS, Permission, as_permission
from protected_actions.samples import sample_session, sample_tenant, sample_tenant_file
from protected_actions.session import SessionState
from protected_actions.tenant import Tenant

__all__ = [
    "EXIT_CHALLENGE",
    "EXIT_DENY",
    "EXIT_FINDINGS",
    "EXIT_OK",
    "EXIT_USAGE",
    "build_parser",
    "main",
    "run",
]


def __dir__() -> list[str]:
    return __all__


EXIT_OK = 0
"""Success: ``allow``; no finding at or above ``--fail-on``; nothing locked out."""
EXIT_FINDINGS = 1
"""``lint``: a finding at or above ``--fail-on``; ``lockout``: a permission nobody can
use, or an emergency access account that can be blocked or challenged."""
EXIT_USAGE = 2
"""A user error: bad arguments, a file that cannot be read, invalid JSON, a tenant or
session that does not load, an unknown or malformed permission."""
EXIT_CHALLENGE = 3
"""``evaluate`` / ``what-if``: the user must step up (``challenge``)."""
EXIT_DENY = 4
"""``evaluate`` / ``what-if``: the request is denied."""

SAMPLE = "sample"
"""``--tenant sample`` is the embedded sample tenant."""
SAMPLE_SESSION_PREFIX = "sample:"
"""``--session sample:NAME`` is one of the sample tenant's example sessions."""

_OUTCOME_EXIT = {Outcome.ALLOW: EXIT_OK, Outcome.CHALLENGE: EXIT_CHALLENGE,
                 Outcome.DENY: EXIT_DENY}
_FAIL_ON = {**{s.value: s.rank for s in sorted(Severity, key=lambda s: s.rank)}, "never": -1}
"""``--fail-on`` choices: a finding fails the run when its severity rank is at most this."""

_EPILOG = f"""\
exit status:
  {EXIT_OK}  allow; lint found nothing at or above --fail-on; lockout found nothing
  {EXIT_FINDINGS}  lint: a finding at or above --fail-on (default: error);
     lockout: a permission is locked out or an emergency account is not safe
  {EXIT_USAGE}  user error (arguments, unreadable file, invalid JSON or data)
  {EXIT_CHALLENGE}  evaluate / what-if: challenge (step-up required)
  {EXIT_DENY}  evaluate / what-if: deny

--tenant takes a bundle file, a bundle folder (one KEY.json per key) or "sample";
--session takes a session JSON file, "-" for standard input, or "sample:NAME".
Run without a command for a guided demo on the sample tenant.
"""


@attrs.frozen
class _Streams:
    stdout: TextIO
    stderr: TextIO
    stdin: TextIO


class _UsageError(Exception):
    """A user error found by the command line itself (not by the library)."""


# -- loading ---------------------------------------------------------------------------------


def _tenant_source(spec: str) -> Path:
    return Path(str(sample_tenant_file())) if spec == SAMPLE else Path(spec)


def _load_tenant(spec: str) -> Tenant:
    return sample_tenant() if spec == SAMPLE else load_tenant(spec)


def _load_session(spec: str, stdin: TextIO) -> SessionState:
    if spec.startswith(SAMPLE_SESSION_PREFIX):
        return sample_session(spec.removeprefix(SAMPLE_SESSION_PREFIX))
    if spec != "-":
        return load_session(spec)
    try:
        data = json.loads(stdin.read())
    except ValueError as exc:
        raise LoadError([LoadProblem("$", f"not valid JSON: {exc}", "<stdin>")]) from None
    try:
        return load_session(data)
    except LoadError as exc:
        raise LoadError([attrs.evolve(p, source=p.source or "<stdin>")
                         for p in exc.problems]) from None


def _known_permissions(tenant: Tenant) -> set[Permission]:
    known = set(PROTECTABLE_PERMISSIONS) | {a.permission for a in tenant.protected_actions}
    for role in tenant.all_role_definitions:
        known |= {p for p in role.permissions if not p.is_all_tasks}
    return known


def _check_permission(tenant: Tenant, action: str) -> Permission:
    """The permission ``action`` names; a user error when it is malformed or when no
    role definition grants it and no protected action maps it (a typo)."""
    try:
        permission = as_permission(action)
    except InvalidPermissionError as exc:
        raise _UsageError(f"--action {action!r} is not a permission: expected "
                          f"{exc.expected}") from None
    if permission.is_all_tasks:
        raise _UsageError(f"--action {action!r} is not a permission: expected a single "
                          "action, not an allProperties/allTasks wildcard")
    known = _known_permissions(tenant)
    if permission in known or any(r.grants(permission) for r in tenant.all_role_definitions):
        return permission
    close = difflib.get_close_matches(permission.value, sorted(p.value for p in known), n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    raise _UsageError(f"--action {action!r} is an unknown permission: no role definition "
                      f"of the tenant grants it and no protected action maps it{hint}")


# -- commands ----------------------------------------------------------------------------------


def _print_decision(args: argparse.Namespace, decision: Decision, io: _Streams) -> int:
    if args.json:
        io.stdout.write(json.dumps(decision.to_dict(), indent=2) + "\n")
    else:
        text = render_text(decision, verbose=args.verbose)
        challenge = decision.challenge
        if challenge is not None and challenge.claims:
            text += f"\nWWW-Authenticate: {challenge.www_authenticate()}"
        io.stdout.write(text + "\n")
    return _OUTCOME_EXIT[decision.outcome]


def _cmd_evaluate(args: argparse.Namespace, io: _Streams) -> int:
    tenant = _load_tenant(args.tenant)
    session = _load_session(args.session, io.stdin)
    permission = _check_permission(tenant, args.action)
    decision = evaluate(tenant, session, permission,
                        check_authorization=not args.no_authorization)
    return _print_decision(args, decision, io)


def _cmd_what_if(args: argparse.Namespace, io: _Streams) -> int:
    tenant = _load_tenant(args.tenant)
    session = _load_session(args.session, io.stdin)
    return _print_decision(args, evaluate_sign_in(tenant, session, args.app), io)


def _cmd_lint(args: argparse.Namespace, io: _Streams) -> int:
    tenant = _load_tenant(args.tenant)
    findings = lint(tenant)
    if args.format == "json":
        io.stdout.write(json.dumps(lint_json(findings), indent=2) + "\n")
    elif args.format == "sarif":
        log = sarif_log(findings, source=_tenant_source(args.tenant), version=__version__)
        io.stdout.write(json.dumps(log, indent=2) + "\n")
    else:
        io.stdout.write(lint_text(findings) + "\n")
    threshold = _FAIL_ON[args.fail_on]
    failing = any(f.severity.rank <= threshold for f in findings)
    return EXIT_FINDINGS if failing else EXIT_OK


def _cmd_lockout(args: argparse.Namespace, io: _Streams) -> int:
    tenant = _load_tenant(args.tenant)
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


def _cmd_matrix(args: argparse.Namespace, io: _Streams) -> int:
    matrix = build_matrix(_load_tenant(args.tenant))
    if args.format == "json":
        io.stdout.write(json.dumps(matrix_json(matrix), indent=2) + "\n")
    elif args.format == "csv":
        io.stdout.write(matrix_csv(matrix) + "\n")
    else:
        io.stdout.write(matrix_markdown(matrix) + "\n")
    return EXIT_OK


def _cmd_demo(args: argparse.Namespace, io: _Streams) -> int:
    return run_demo(io.stdout)


# -- parser ------------------------------------------------------------------------------------

Handler = Callable[[argparse.Namespace, _Streams], int]


def _common() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--debug", action="store_true",
                        help="show the traceback of an error")
    return common


def _tenant_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--tenant", required=True, metavar="PATH",
                        help='tenant bundle file or folder, or "sample"')


def _decision_options(parser: argparse.ArgumentParser) -> None:
    _tenant_option(parser)
    parser.add_argument("--session", required=True, metavar="FILE",
                        help='session JSON file, "-" for standard input, or "sample:NAME"')
    parser.add_argument("--json", action="store_true", help="print Decision.to_dict() as JSON")
    parser.add_argument("--verbose", action="store_true",
                        help="also list the policies that do not apply, and why")


def _add(sub: Any, name: str, handler: Handler, help_text: str) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = sub.add_parser(
        name, help=help_text, description=help_text, parents=[_common()], epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.set_defaults(handler=handler)
    return parser


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``protected-actions``."""
    parser = argparse.ArgumentParser(
        prog="protected-actions", epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Decide allow, challenge or deny for Microsoft Entra ID protected "
                    "actions, lint Conditional Access and prove nobody is locked out.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.set_defaults(handler=_cmd_demo, debug=False)
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")
    _add(sub, "demo", _cmd_demo, "guided tour of the embedded sample tenant (the default)")
    evaluate_parser = _add(sub, "evaluate", _cmd_evaluate,
                           "may this session perform this protected action now?")
    _decision_options(evaluate_parser)
    evaluate_parser.add_argument("--action", required=True, metavar="PERMISSION",
                                 help="e.g. microsoft.directory/conditionalAccessPolicies/create")
    evaluate_parser.add_argument("--no-authorization", action="store_true",
                                 help="skip the role check: Conditional Access only")
    what_if = _add(sub, "what-if", _cmd_what_if,
                   "what-if for a sign-in to an application or a user action")
    _decision_options(what_if)
    what_if.add_argument("--app", required=True, metavar="APP_ID_OR_USER_ACTION",
                         help="application id (or Office365, MicrosoftAdminPortals...) or "
                              "urn:user:registersecurityinfo / urn:user:registerdevice")
    lint_parser = _add(sub, "lint", _cmd_lint, "lint the tenant's Conditional Access set-up")
    _tenant_option(lint_parser)
    lint_parser.add_argument("--format", choices=("text", "json", "sarif"), default="text")
    lint_parser.add_argument("--fail-on", choices=tuple(_FAIL_ON), default="error",
                             help="lowest severity that makes the exit status 1 "
                                  "(default: error)")
    lockout = _add(sub, "lockout", _cmd_lockout,
                   "prove every held permission stays usable and emergency accounts are safe")
    _tenant_option(lockout)
    lockout.add_argument("--json", action="store_true", help="print the report as JSON")
    matrix = _add(sub, "matrix", _cmd_matrix,
                  "users x protected actions: the best outcome each user can reach")
    _tenant_option(matrix)
    matrix.add_argument("--format", choices=("markdown", "csv", "json"), default="markdown")
    return parser


# -- entry points ------------------------------------------------------------------------------


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
    streams = _Streams(stdout=stdout, stderr=stderr, stdin=stdin or sys.stdin)
    try:
        return handler(args, streams)
    except (ProtectedActionsError, _UsageError) as exc:
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
