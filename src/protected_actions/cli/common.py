"""What every subcommand shares: exit statuses, the streams, loading a tenant or a
session from a command-line argument, and the parser helpers."""

from __future__ import annotations

import argparse
import difflib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

import attrs

from protected_actions.errors import InvalidPermissionError, LoadError, LoadProblem
from protected_actions.graph import load_session, load_tenant
from protected_actions.model.permissions import PROTECTABLE_PERMISSIONS, Permission, as_permission
from protected_actions.model.session import SessionState
from protected_actions.model.tenant import Tenant
from protected_actions.samples import sample_session, sample_tenant, sample_tenant_file

__all__ = [
    "EPILOG",
    "EXIT_CHALLENGE",
    "EXIT_DENY",
    "EXIT_FINDINGS",
    "EXIT_OK",
    "EXIT_USAGE",
    "SAMPLE",
    "SAMPLE_SESSION_PREFIX",
    "Handler",
    "Streams",
    "UsageError",
    "add_command",
    "check_permission",
    "load_session_arg",
    "load_tenant_arg",
    "tenant_option",
    "tenant_source",
]

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

EPILOG = f"""\
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
class Streams:
    """The standard streams a command writes to and reads from."""

    stdout: TextIO
    stderr: TextIO
    stdin: TextIO


class UsageError(Exception):
    """A user error found by the command line itself (not by the library)."""


Handler = Callable[[argparse.Namespace, Streams], int]
"""A subcommand: the parsed arguments and the streams in, the exit status out."""


# -- loading ---------------------------------------------------------------------------------


def tenant_source(spec: str) -> Path:
    """The file or folder ``--tenant`` names (the sample's file for ``sample``)."""
    return Path(str(sample_tenant_file())) if spec == SAMPLE else Path(spec)


def load_tenant_arg(spec: str, *, strict: bool = False) -> Tenant:
    """The tenant ``--tenant`` names (``--strict``: every unknown property is an error)."""
    if strict:
        return load_tenant(tenant_source(spec), strict=True)
    return sample_tenant() if spec == SAMPLE else load_tenant(spec)


def load_session_arg(spec: str, stdin: TextIO) -> SessionState:
    """The session ``--session`` names: a file, ``-`` (standard input) or a sample."""
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


def check_permission(tenant: Tenant, action: str) -> Permission:
    """The permission ``action`` names; a user error when it is malformed or when no
    role definition grants it and no protected action maps it (a typo)."""
    try:
        permission = as_permission(action)
    except InvalidPermissionError as exc:
        raise UsageError(f"--action {action!r} is not a permission: expected "
                         f"{exc.expected}") from None
    if permission.is_all_tasks:
        raise UsageError(f"--action {action!r} is not a permission: expected a single "
                         "action, not an allProperties/allTasks wildcard")
    known = _known_permissions(tenant)
    if permission in known or any(r.grants(permission) for r in tenant.all_role_definitions):
        return permission
    close = difflib.get_close_matches(permission.value, sorted(p.value for p in known), n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    raise UsageError(f"--action {action!r} is an unknown permission: no role definition "
                     f"of the tenant grants it and no protected action maps it{hint}")


# -- parser helpers ----------------------------------------------------------------------------


def _common() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--debug", action="store_true",
                        help="show the traceback of an error")
    return common


def tenant_option(parser: argparse.ArgumentParser) -> None:
    """Add the ``--tenant`` and ``--strict`` options."""
    parser.add_argument("--tenant", required=True, metavar="PATH",
                        help='tenant bundle file or folder, or "sample"')
    parser.add_argument("--strict", action="store_true",
                        help="treat every unknown property in the tenant as an error "
                             "(by default unknown properties are kept and reported by lint)")


def add_command(sub: Any, name: str, handler: Handler,
                help_text: str) -> argparse.ArgumentParser:
    """Add the subcommand ``name`` run by ``handler`` to the subparsers ``sub``."""
    parser: argparse.ArgumentParser = sub.add_parser(
        name, help=help_text, description=help_text, parents=[_common()], epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.set_defaults(handler=handler)
    return parser
