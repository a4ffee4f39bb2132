"""Helpers for notebooks: a what-if matrix as plain rows, and lint findings that
display as a table.

Nothing here needs pandas; the rows are plain dicts of strings and booleans, so
``pandas.DataFrame(rows)`` takes them as they are.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import attrs

from protected_actions.analysis.lint import Finding
from protected_actions.engine.evaluator import evaluate
from protected_actions.errors import InvalidModelError
from protected_actions.model.permissions import Permission
from protected_actions.model.session import SessionState, User
from protected_actions.model.tenant import Tenant
from protected_actions.model.vocabulary import ascii_lower

from .html import findings_html

__all__ = ["MATRIX_COLUMNS", "LintReport", "what_if_matrix"]


def __dir__() -> list[str]:
    return __all__


MATRIX_COLUMNS = ("user_id", "display_name", "action", "context", "outcome", "reason_codes",
                  "requirements", "complete")
"""The keys of every :func:`what_if_matrix` row, in order."""


def _session(entry: SessionState | User, at: datetime | None,
             template: SessionState | None) -> SessionState:
    if isinstance(entry, SessionState):
        return entry
    if not isinstance(entry, User):
        raise InvalidModelError("sessions_or_users", "SessionState or User items", entry)
    if template is not None:
        return attrs.evolve(template, user=entry, at=template.at if at is None else at)
    if at is None:
        raise InvalidModelError("at", "a timezone-aware datetime (or a template session) "
                                "to evaluate users at", None)
    return SessionState(at=at, user=entry)


def what_if_matrix(tenant: Tenant, sessions_or_users: Iterable[SessionState | User],
                   actions: Iterable[str | Permission], *, at: datetime | None = None,
                   template: SessionState | None = None,
                   check_authorization: bool = True) -> list[dict[str, Any]]:
    """Evaluate every session (or user) against every action: one row per pair,
    sessions first, in the order given.

    A :class:`~protected_actions.User` is evaluated in ``template`` with the user
    swapped in (and its time replaced by ``at`` when given), or else in a bare
    session at ``at``: signed in with no authentication on record. The display
    name is the user's, or the tenant directory's. Each row has the keys of
    :data:`MATRIX_COLUMNS`: ``outcome`` is ``allow``/``challenge``/``deny``,
    ``reason_codes`` the codes joined with ``", "``, ``requirements`` what a
    challenge asks for, joined with ``"; "`` (empty for an allow or a deny).

    ```pycon
    >>> from datetime import datetime, timezone
    >>> from protected_actions.samples import sample_tenant
    >>> tenant = sample_tenant()
    >>> erin = next(u for u in tenant.users if u.display_name == "Erin Employee")
    >>> rows = what_if_matrix(tenant, [erin], ["contoso.payroll/payments/approve",
    ...                                        "contoso.payroll/payments/read"],
    ...                       at=datetime(2026, 11, 29, 10, 0, tzinfo=timezone.utc))
    >>> rows[0]  # doctest: +NORMALIZE_WHITESPACE
    {'user_id': '00000005-1111-4222-8333-000000000005', 'display_name': 'Erin Employee',
     'action': 'contoso.payroll/payments/approve', 'context': 'c10', 'outcome': 'challenge',
     'reason_codes': 'STEP_UP_REQUIRED',
     'requirements': 'multifactor authentication (policy pa-c10-payroll-mfa)',
     'complete': True}
    >>> [(row["action"], row["outcome"], row["reason_codes"]) for row in rows[1:]]
    [('contoso.payroll/payments/read', 'allow', 'NOT_PROTECTED')]

    ```

    :param at: the time of each user's session (overrides the template's).
    :param template: the sign-in facts (authentications, device, network...) each
        user is evaluated with.
    :param check_authorization: passed to :func:`~protected_actions.evaluate`.
    :raises InvalidModelError: a user is given without ``at`` or ``template``, or an
        item is neither a session nor a user.
    :raises InvalidPermissionError: an action is malformed.
    """
    sessions = [_session(entry, at, template) for entry in sessions_or_users]
    actions = tuple(actions)
    names = {ascii_lower(u.id): u.display_name for u in tenant.users}
    rows: list[dict[str, Any]] = []
    for session in sessions:
        user = session.user
        name = user.display_name or names.get(ascii_lower(user.id))
        for action in actions:
            decision = evaluate(tenant, session, action,
                                check_authorization=check_authorization)
            challenge = decision.challenge
            rows.append({
                "user_id": user.id,
                "display_name": name,
                "action": decision.target,
                "context": decision.context_id,
                "outcome": decision.outcome.value,
                "reason_codes": ", ".join(dict.fromkeys(c.value for c in decision.codes)),
                "requirements": "; ".join(r.describe() for r in challenge.requirements)
                if challenge is not None else "",
                "complete": decision.complete,
            })
    return rows


class LintReport(tuple[Finding, ...]):
    """The findings of :func:`~protected_actions.analysis.lint` as a tuple that
    displays as a table in a notebook: ``LintReport(lint(tenant))``."""

    __slots__ = ()

    def _repr_html_(self) -> str:
        """HTML for notebooks: one row per finding."""
        return findings_html(self)
