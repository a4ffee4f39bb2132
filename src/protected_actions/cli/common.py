"""What every subcommand shares: exit statuses, the streams, loading a tenant or a
session from a command-line argument, and the parser helpers."""

from __future__ import annotations

import argparse
import difflib
import json
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, NoReturn, TextIO

import attrs

from protected_actions.errors import InvalidPermissionError, LoadError, LoadProblem
from protected_actions.graph import load_session, load_tenant
from protected_actions.graph.repository import sources
from protected_actions.model.permissions import PROTECTABLE_PERMISSIONS, Permission, as_permission
from protected_actions.model.session import SessionState
from protected_actions.model.tenant import Tenant
from protected_actions.samples import sample_session, sample_tenant, sample_tenant_file
from protected_actions.testing.config import (
    Config,
    find_config,
    load_configured_tenant,
    read_config,
)

__all__ = [
    "EPILOG",
    "EXIT_CHALLENGE",
    "EXIT_DENY",
    "EXIT_FINDINGS",
    "EXIT_OK",
    "EXIT_USAGE",
    "CommandParser",
    "SAMPLE",
    "SAMPLE_SESSION_PREFIX",
    "Handler",
    "Streams",
    "UsageError",
    "add_command",
    "check_permission",
    "load_session_arg",
    "load_tenant_arg",
    "config_from",
    "locator",
    "tenant_from",
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
     lockout: a permission is locked out or an emergency account is not safe;
     test: a scenario's expectation is not met
  {EXIT_USAGE}  user error (arguments, unreadable file, invalid JSON or data)
  {EXIT_CHALLENGE}  evaluate / what-if: challenge (step-up required)
  {EXIT_DENY}  evaluate / what-if: deny

--tenant takes a bundle file, a policy file, a folder (one KEY.json per key, or
JSON files of any names classified by content) or "sample"; repeat it to combine;
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


def _specs(spec: str | Sequence[str] | None) -> list[str]:
    if spec is None:
        return []
    return [spec] if isinstance(spec, str) else list(spec)


def tenant_source(spec: str | Sequence[str] | None) -> Path:
    """The (first) file or folder ``--tenant`` names (the sample's file for
    ``sample``)."""
    first = (_specs(spec) or ["."])[0]
    return Path(str(sample_tenant_file())) if first == SAMPLE else Path(first)


def load_tenant_arg(spec: str | Sequence[str], *, allow_empty: bool = False,
                    placeholders: Mapping[str, str] | None = None,
                    strict: bool = False) -> Tenant:
    """The tenant ``--tenant`` names: ``sample``, or one or more bundle files,
    folders or repository files combined (``strict``: every unknown property is an
    error)."""
    specs = _specs(spec)
    if specs == [SAMPLE]:
        return load_tenant(str(sample_tenant_file()), strict=True) if strict else sample_tenant()
    if SAMPLE in specs:
        raise UsageError('--tenant sample cannot be combined with other --tenant paths')
    return load_tenant(specs[0] if len(specs) == 1 else specs, allow_empty=allow_empty,
                       placeholders=placeholders or None, strict=strict)


def locator(tenant: Tenant) -> Callable[[str], tuple[Path, int] | None]:
    """The file and line each object of the tenant was read from, by id (relative to
    the working directory when the file is under it, as code scanning expects)."""
    by_id = {object_id: source for (_, object_id), source in sources(tenant).items()}

    here = Path.cwd().resolve()

    def locate(object_id: str) -> tuple[Path, int] | None:
        source = by_id.get(object_id)
        if source is None:
            return None
        path = Path(source.file)
        if path.is_absolute() and path.is_relative_to(here):
            path = path.relative_to(here)  # reports name files as the repository does
        return path, source.line

    return locate


def config_from(args: argparse.Namespace) -> Config:
    """The configuration: ``--config``, else the nearest ``protected-actions.toml`` or
    ``pyproject.toml`` with ``[tool.protected-actions]`` from the first ``--tenant``."""
    cached: Config | None = getattr(args, "_config", None)
    if cached is not None:
        return cached
    explicit = getattr(args, "config", None)
    specs = _specs(getattr(args, "tenant", None) or ["."])
    if explicit:
        config = read_config(Path(explicit))
    elif specs[0] == SAMPLE:
        config = Config()
    else:
        config = find_config(Path(specs[0]))
    args._config = config
    return config


def tenant_from(args: argparse.Namespace) -> Tenant:
    """The tenant the parsed ``--tenant`` options name (else the configuration's
    ``tenant``), with the configuration's placeholders and emergency accounts and
    groups (and the flags') applied."""
    config = config_from(args)
    specs = _specs(getattr(args, "tenant", None))
    strict = getattr(args, "strict", False)
    if SAMPLE in specs:
        return load_tenant_arg(specs, strict=strict)
    return load_configured_tenant(
        specs, config, allow_empty=getattr(args, "allow_empty", False), strict=strict,
        accounts=getattr(args, "emergency_account", None) or (),
        groups=getattr(args, "emergency_group", None) or ())


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


class CommandParser(argparse.ArgumentParser):
    """An argument parser that takes no abbreviations (``--ten`` is not ``--tenant``)
    and names the option an unknown one was probably meant to be."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)

    def _all_options(self) -> list[str]:
        found = list(self._option_string_actions)
        for action in self._actions:
            if isinstance(action, argparse._SubParsersAction):
                for parser in action.choices.values():
                    found += list(parser._option_string_actions)
        return sorted(set(found))

    def error(self, message: str) -> NoReturn:
        prefix = "unrecognized arguments: "
        if message.startswith(prefix):
            unknown = [w for w in message.removeprefix(prefix).split() if w.startswith("--")]
            hints = []
            for word in unknown:
                close = difflib.get_close_matches(word.split("=")[0], self._all_options(), n=1)
                if close:
                    hints.append(f"{word.split('=')[0]} (did you mean {close[0]}?)")
            if hints:
                message = f"{message}; unknown option " + ", ".join(hints)
        super().error(message)


def _common() -> argparse.ArgumentParser:
    common = CommandParser(add_help=False)
    common.add_argument("--debug", action="store_true",
                        help="show the traceback of an error")
    return common


def tenant_option(parser: argparse.ArgumentParser) -> None:
    """Add the ``--tenant`` option."""
    parser.add_argument("--tenant", metavar="PATH", action="append",
                        help='tenant bundle file, folder or repository of policy files, '
                             'or "sample"; repeat to combine folders (default: the '
                             "configuration's tenant)")
    parser.add_argument("--allow-empty", action="store_true",
                        help="accept a tenant without any Conditional Access policy")
    parser.add_argument("--strict", action="store_true",
                        help="treat every unknown property in the tenant as an error "
                             "(by default unknown properties are kept and reported by lint)")
    parser.add_argument("--config", metavar="TOML",
                        help="configuration file (default: the nearest protected-actions."
                             "toml, or pyproject.toml with [tool.protected-actions])")
    parser.add_argument("--emergency-account", action="append", metavar="USER_ID",
                        help="an emergency access (break-glass) account; repeatable")
    parser.add_argument("--emergency-group", action="append", metavar="GROUP_ID",
                        help="a group of emergency access accounts; repeatable")


def add_command(sub: Any, name: str, handler: Handler,
                help_text: str) -> argparse.ArgumentParser:
    """Add the subcommand ``name`` run by ``handler`` to the subparsers ``sub``."""
    parser: argparse.ArgumentParser = sub.add_parser(
        name, help=help_text, description=help_text, parents=[_common()], epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.set_defaults(handler=handler)
    return parser
