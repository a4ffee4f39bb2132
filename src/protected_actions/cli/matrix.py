"""The access matrix: every user against every protected action.

A cell is the best outcome the user can reach. When the lockout search finds a
session in which the user reaches ``ALLOW`` (after activating an eligible role and
stepping up, if that is what it takes), the cell says so and keeps the witness's
assumptions. Otherwise the cell is the outcome of the user's default session (no
sign-in facts beyond the directory's), after the step-up it asks for: ``not
authorized``, ``eligible only``, ``cannot step up`` or ``DENY (<reason code>)``.

The search is :func:`~protected_actions.analysis.find_witness` for that user, over
the same condition classes as the lockout analysis.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
from collections.abc import Callable, Sequence
from typing import Any

import attrs

from protected_actions.analysis import Witness, find_witness
from protected_actions.analysis.lockout import ANALYSIS_TIME
from protected_actions.engine.decision import Decision, Outcome, ReasonCode
from protected_actions.engine.evaluator import evaluate
from protected_actions.engine.step_up import simulate_step_up
from protected_actions.model.session import SessionState, User
from protected_actions.model.tenant import Tenant
from protected_actions.model.vocabulary import ascii_lower

from .common import EXIT_OK, Streams, add_command, tenant_from, tenant_option
from .progress import ProgressBar

__all__ = [
    "Cell",
    "Matrix",
    "build_matrix",
    "matrix_csv",
    "matrix_json",
    "matrix_markdown",
    "register",
]

_DIRECTORY_PREFIX = "microsoft.directory/"


@attrs.frozen(kw_only=True)
class Cell:
    """One user and one protected action."""

    user_id: str
    permission: str
    label: str
    outcome: Outcome
    code: str | None
    assumptions: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"userId": self.user_id, "permission": self.permission, "label": self.label,
                "outcome": self.outcome.value, "code": self.code,
                "assumptions": list(self.assumptions)}


@attrs.frozen(kw_only=True)
class Matrix:
    """Users (rows), protected actions (columns) and the cells, row by row."""

    users: tuple[User, ...]
    permissions: tuple[tuple[str, str], ...]  # (permission, context id)
    cells: tuple[tuple[Cell, ...], ...]


def _users(tenant: Tenant) -> tuple[User, ...]:
    known = {ascii_lower(u.id) for u in tenant.users} | {ascii_lower(g.id) for g in tenant.groups}
    principals = {a.principal_id for a in tenant.role_assignments} | {
        e.principal_id for e in tenant.role_eligibilities}
    orphans = sorted(p for p in principals if ascii_lower(p) not in known)
    return (*tenant.users, *(User(id=i) for i in orphans))


def _after_step_up(tenant: Tenant, user: User, permission: str) -> Decision:
    session = SessionState(at=ANALYSIS_TIME, user=user)
    decision = evaluate(tenant, session, permission)
    if decision.outcome is Outcome.CHALLENGE:
        decision = evaluate(tenant, simulate_step_up(session, decision), permission)
    return decision


def _witness_cell(user: User, permission: str, witness: Witness, activated: bool) -> Cell:
    steps = [step for step, needed in (("PIM activation", activated),
                                       ("step-up", witness.outcome_before
                                        is Outcome.CHALLENGE)) if needed]
    label = "ALLOW" + (" after " + " and ".join(steps) if steps else "")
    return Cell(user_id=user.id, permission=permission, label=label, outcome=Outcome.ALLOW,
                code=None, assumptions=witness.assumptions)


_LABELS = {ReasonCode.NOT_AUTHORIZED: "not authorized",
           ReasonCode.ROLE_NOT_ACTIVE: "eligible only"}


def _default_cell(user: User, permission: str, decision: Decision) -> Cell:
    code = decision.codes[0] if decision.codes else None
    if decision.outcome is Outcome.CHALLENGE:
        label = "cannot step up"
    elif decision.outcome is Outcome.ALLOW:
        label = "ALLOW"
    else:
        label = _LABELS.get(code, f"DENY ({code.value})") if code else "DENY"
    return Cell(user_id=user.id, permission=permission, label=label,
                outcome=decision.outcome, code=code.value if code else None, assumptions=())


def _row(tenant: Tenant, user: User, permissions: Sequence[str]) -> tuple[Cell, ...]:
    cells = []
    for permission in permissions:
        decision = _after_step_up(tenant, user, permission)
        witness = find_witness(tenant, permission, user.id)
        if witness is not None:
            activated = decision.codes[:1] == (ReasonCode.ROLE_NOT_ACTIVE,)
            cells.append(_witness_cell(user, permission, witness, activated))
        else:
            cells.append(_default_cell(user, permission, decision))
    return tuple(cells)


def build_matrix(tenant: Tenant, *,
                 progress: Callable[[int, int, str], None] | None = None) -> Matrix:
    """The matrix of every user against every protected action of ``tenant``."""
    actions = sorted(((a.permission.value, a.context_id) for a in tenant.protected_actions),
                     key=lambda pair: ascii_lower(pair[0]))
    users = _users(tenant)
    names = [permission for permission, _ in actions]
    rows = []
    for n, user in enumerate(users, 1):
        rows.append(_row(tenant, user, names))
        if progress is not None:
            progress(n, len(users), _user_name(user))
    return Matrix(users=users, permissions=tuple(actions), cells=tuple(rows))


def why_empty(tenant: Tenant, matrix: Matrix) -> str | None:
    """Why the matrix has no rows or no columns, and what to add; ``None`` when it
    has both."""
    if not matrix.permissions:
        return ("the tenant maps no permission to an authentication context, so there "
                "are no protected actions to show: add the protected actions "
                "(resourceActions.json, as exported from Graph) to a --tenant folder")
    if not matrix.users:
        return ("the directory lists no users: add users.json (and roleAssignments.json) "
                "from an export to a --tenant folder, or designate emergency accounts")
    return None


def _user_name(user: User) -> str:
    return user.display_name or user.id


def _short(permission: str) -> str:
    return permission.removeprefix(_DIRECTORY_PREFIX)


def _md(text: str) -> str:
    return text.replace("|", "\\|")


def _grouped(row: Sequence[Cell]) -> dict[tuple[str, ...], list[str]]:
    """The row's permissions by what their ``ALLOW`` assumes, in column order."""
    groups: dict[tuple[str, ...], list[str]] = {}
    for cell in row:
        if cell.assumptions:
            groups.setdefault(cell.assumptions, []).append(cell.permission)
    return groups


def matrix_markdown(matrix: Matrix) -> str:
    """A Markdown table (``microsoft.directory/`` left out of the headers), then what
    each reachable ``ALLOW`` assumes."""
    header = ["User", *(f"{_short(p)} ({c})" for p, c in matrix.permissions)]
    lines = ["| " + " | ".join(_md(h) for h in header) + " |",
             "|" + "---|" * len(header)]
    for user, row in zip(matrix.users, matrix.cells, strict=True):
        lines.append("| " + " | ".join([_md(_user_name(user)), *(c.label for c in row)]) + " |")
    notes = [f"- {_md(_user_name(user))}: " + ", ".join(f"`{_short(p)}`" for p in permissions)
             + ": " + "; ".join(assumptions)
             for user, row in zip(matrix.users, matrix.cells, strict=True)
             for assumptions, permissions in _grouped(row).items()]
    if notes:
        lines += ["", "What each reachable ALLOW takes:", "", *notes]
    return "\n".join(lines)


def matrix_csv(matrix: Matrix) -> str:
    """CSV: ``userId``, ``displayName``, then one column per protected action."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["userId", "displayName", *(p for p, _ in matrix.permissions)])
    for user, row in zip(matrix.users, matrix.cells, strict=True):
        writer.writerow([user.id, user.display_name or "", *(c.label for c in row)])
    return buffer.getvalue().rstrip("\n")


def matrix_json(matrix: Matrix) -> dict[str, Any]:
    """Users, protected actions and every cell with its assumptions."""
    return {
        "users": [{"id": u.id, "displayName": u.display_name} for u in matrix.users],
        "protectedActions": [{"permission": p, "contextId": c} for p, c in matrix.permissions],
        "cells": [c.to_dict() for row in matrix.cells for c in row],
    }


# -- the subcommand -----------------------------------------------------------------------------


def _cmd_matrix(args: argparse.Namespace, streams: Streams) -> int:
    tenant = tenant_from(args)
    bar = ProgressBar(streams.stderr)
    try:
        matrix = build_matrix(tenant, progress=bar)
    finally:
        bar.close()
    empty = why_empty(tenant, matrix)
    if empty is not None:
        streams.stderr.write(f"protected-actions matrix: empty: {empty}\n")
    if args.format == "json":
        streams.stdout.write(json.dumps(matrix_json(matrix), indent=2) + "\n")
    elif args.format == "csv":
        streams.stdout.write(matrix_csv(matrix) + "\n")
    else:
        streams.stdout.write(matrix_markdown(matrix) + "\n")
    return EXIT_OK


def register(sub: Any) -> None:
    """Add ``matrix``."""
    parser = add_command(sub, "matrix", _cmd_matrix,
                         "users x protected actions: the best outcome each user can reach")
    tenant_option(parser)
    parser.add_argument("--format", choices=("markdown", "csv", "json"), default="markdown")
