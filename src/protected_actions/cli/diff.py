"""``diff``: what a change to the policies does: decisions that change (with a witness
session), lint findings and lockout verdicts that appear or go.

``protected-actions diff OLD NEW`` compares two folders (or files); ``--git-base REV``
(or an OLD that is not a path) reads the old side from git at that revision, at the
same paths as the new side (``--tenant``, else the configuration's ``tenant``).
"""

from __future__ import annotations

import argparse
import io as _io
import json
import subprocess
import tarfile
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from protected_actions.analysis import DiffReport, diff
from protected_actions.graph import dump_session
from protected_actions.testing.config import load_configured_tenant

from .common import (
    EXIT_FINDINGS,
    EXIT_OK,
    Streams,
    UsageError,
    add_command,
    config_from,
    tenant_option,
)
from .progress import ProgressBar
from .render.markdown import table

__all__ = ["register"]


def _git(args: Sequence[str], cwd: Path) -> bytes:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)
    except OSError as exc:
        raise UsageError(f"cannot run git: {exc}") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip()
        raise UsageError(f"git {' '.join(args)}: {message}")
    return done.stdout


def _from_git(revision: str, paths: Sequence[Path], into: Path) -> list[Path]:
    """The ``paths`` as they were at ``revision``, extracted under ``into``."""
    here = paths[0].resolve() if paths[0].is_dir() else paths[0].resolve().parent
    root = Path(_git(["rev-parse", "--show-toplevel"], here).decode().strip())
    relative = [p.resolve().relative_to(root).as_posix() for p in paths]
    archive = _git(["archive", "--format=tar", revision, "--", *relative], root)
    with tarfile.open(fileobj=_io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return [into / r for r in relative]


def _text(report: DiffReport) -> str:
    lines: list[str] = []
    if not report.changed:
        return "No change: every decision, lint finding and lockout verdict stays the same.\n"
    if report.changes:
        lines.append(f"Decisions that change ({len(report.changes)}):")
        lines += [f"  {c.describe()}" for c in report.changes]
    for title, findings in (("Lint findings that appear", report.findings_added),
                            ("Lint findings that go", report.findings_removed)):
        if findings:
            lines.append(f"{title} ({len(findings)}):")
            lines += [f"  {f}" for f in findings]
    for title, permissions in (("Newly locked out", report.locked_out_added),
                               ("No longer locked out", report.locked_out_removed)):
        if permissions:
            lines.append(f"{title}: " + ", ".join(permissions))
    for account, was, now in report.emergency_changed:
        lines.append(f"Emergency account {account}: {_safe(was)} -> {_safe(now)}")
    if not report.complete:
        lines.append("(the search was capped: more sessions may change)")
    return "\n".join(lines) + "\n"


def _safe(value: bool | None) -> str:
    return "not designated" if value is None else ("safe" if value else "NOT SAFE")


def _markdown(report: DiffReport) -> str:
    lines = ["## What this change does", ""]
    if not report.changed:
        return "\n".join([*lines, "No decision, lint finding or lockout verdict changes.", ""])
    if report.changes:
        lines += table(("User", "Action or target", "Before", "After", "When"), [
            (c.user_label, c.target_label, c.before, f"**{c.after}**",
             "; ".join(c.common_conditions) or f"{len(c.conditions)} condition classes")
            for c in report.changes])
        lines.append("")
        for c in report.changes:
            lines += [f"<details><summary>Witness: {c.user_label}, {c.target_label}</summary>",
                      "", "```json", json.dumps(dump_session(c.witness), indent=2), "```", "",
                      "</details>"]
    if report.findings_added or report.findings_removed:
        lines += ["", *table(("", "Code", "Finding"), [
            *(("new", f.code, f.message) for f in report.findings_added),
            *(("gone", f.code, f.message) for f in report.findings_removed)])]
    if report.locked_out_added:
        lines += ["", "**Newly locked out:** " + ", ".join(report.locked_out_added)]
    for account, was, now in report.emergency_changed:
        lines += ["", f"**Emergency account {account}:** {_safe(was)} -> {_safe(now)}"]
    return "\n".join(lines) + "\n"


def _json(report: DiffReport) -> dict[str, Any]:
    return {
        "changes": [{**c.to_dict(), "witness": dump_session(c.witness)}
                    for c in report.changes],
        "findingsAdded": [f.to_dict() for f in report.findings_added],
        "findingsRemoved": [f.to_dict() for f in report.findings_removed],
        "lockedOutAdded": list(report.locked_out_added),
        "lockedOutRemoved": list(report.locked_out_removed),
        "emergencyChanged": [{"userId": a, "before": was, "after": now}
                             for a, was, now in report.emergency_changed],
        "complete": report.complete,
    }


def _cmd_diff(args: argparse.Namespace, io: Streams) -> int:
    config = config_from(args)
    extra = [Path(p) for p in (args.tenant or [])]
    new_paths = extra or list(config.tenant)
    old_paths: list[Path] | None = None
    old_spec = args.git_base
    if args.old is not None and old_spec is None:
        if Path(args.old).exists():
            old_paths = [Path(args.old), *extra]
        else:
            old_spec = args.old
    if args.new is not None:
        new_paths = [Path(args.new), *extra]
    if not new_paths:
        raise UsageError("diff needs the new side: NEW, --tenant PATH, or the configuration's "
                         "tenant")
    with tempfile.TemporaryDirectory(prefix="protected-actions-diff-") as tmp:
        if old_paths is None:
            if old_spec is None:
                raise UsageError("diff needs the old side: OLD (a folder or a git "
                                 "revision) or --git-base REV")
            old_paths = _from_git(old_spec, new_paths, Path(tmp))
        old = load_configured_tenant(old_paths, config, allow_empty=True)
        new = load_configured_tenant(new_paths, config, allow_empty=args.allow_empty)
        bar = ProgressBar(io.stderr)
        try:
            report = diff(old, new, progress=bar, lockout=not args.no_lockout)
        finally:
            bar.close()
    if args.format == "json":
        io.stdout.write(json.dumps(_json(report), indent=2) + "\n")
    elif args.format == "markdown":
        io.stdout.write(_markdown(report))
    else:
        io.stdout.write(_text(report))
    return EXIT_FINDINGS if args.fail_on_change and report.changed else EXIT_OK


def register(sub: Any) -> None:
    """Add ``diff``."""
    parser = add_command(sub, "diff", _cmd_diff,
                         "what a change does: decisions, lint findings and lockout verdicts "
                         "that change")
    parser.add_argument("old", nargs="?", metavar="OLD",
                        help="the old policies: a folder or file, or a git revision")
    parser.add_argument("new", nargs="?", metavar="NEW",
                        help="the new policies (default: --tenant or the configuration's); "
                             "with OLD and NEW, --tenant paths are added to both sides")
    tenant_option(parser)
    parser.add_argument("--git-base", metavar="REV",
                        help="read the old side from git at REV (e.g. origin/main)")
    parser.add_argument("--format", choices=("text", "json", "markdown"), default="text")
    parser.add_argument("--no-lockout", action="store_true",
                        help="leave out the lockout verdicts (faster)")
    parser.add_argument("--fail-on-change", action="store_true",
                        help="exit 1 when anything changes")
