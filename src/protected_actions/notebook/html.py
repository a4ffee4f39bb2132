"""HTML views for notebooks: the ``_repr_html_`` of decisions, lockout reports and
tenants, and a findings table.

Self-contained fragments: compact tables with inline styles, no external CSS or
JavaScript, and every value escaped with :func:`html.escape`. Non-applying policies
sit in a ``<details>`` element, which needs no script to open.
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from protected_actions.model.vocabulary import ascii_lower

if TYPE_CHECKING:
    from protected_actions.analysis.lint import Finding
    from protected_actions.analysis.lockout import LockoutReport
    from protected_actions.engine.decision import Decision
    from protected_actions.model.tenant import Tenant

__all__ = ["decision_html", "findings_html", "lockout_report_html", "tenant_html"]

_TABLE = ('<table style="border-collapse:collapse;font-size:90%;margin:0.3em 0">'
          "{head}{body}</table>")
_CELL = "border:1px solid #ccc;padding:2px 6px;text-align:left;vertical-align:top"
_COLOURS = {"allow": "#1a7f37", "challenge": "#9a6700", "deny": "#cf222e",
            "error": "#cf222e", "warning": "#9a6700", "info": "#0969da"}


def _e(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _code(value: object) -> str:
    return f"<code>{_e(value)}</code>"


def _badge(word: str) -> str:
    colour = _COLOURS.get(ascii_lower(word), "inherit")
    return f'<strong style="color:{colour}">{_e(word.upper())}</strong>'


def _table(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """A table of already-escaped cells under escaped headers."""
    head = "<tr>" + "".join(f'<th style="{_CELL}">{_e(h)}</th>' for h in headers) + "</tr>"
    body = "".join("<tr>" + "".join(f'<td style="{_CELL}">{cell}</td>' for cell in row)
                   + "</tr>" for row in rows)
    return _TABLE.format(head=f"<thead>{head}</thead>", body=f"<tbody>{body}</tbody>")


def _lines(values: Iterable[object]) -> str:
    return "<br>".join(_e(v) for v in values)


def _wrap(kind: str, *parts: str) -> str:
    return f'<div class="protected-actions-{kind}">' + "".join(parts) + "</div>"


def decision_html(decision: Decision) -> str:
    """A decision: outcome, reasons, challenge, and the policies (those that do not
    apply folded away)."""
    context = f" (auth context {_code(decision.context_id)})" if decision.context_id else ""
    parts = [f"<p>{_badge(decision.outcome.value)} {_code(decision.target)} for user "
             f"{_code(decision.user_id)}{context}</p>"]
    if not decision.complete:
        parts.append("<p><em>Incomplete: some conditions could not be decided from the "
                     "session; this is the fail-closed answer.</em></p>")
    parts.append(_table(("reason", "policy", "message"), (
        (_code(r.code.value), _e(r.policy_id), _e(r.message)) for r in decision.reasons)))
    challenge = decision.challenge
    if challenge is not None:
        claims = f" claims {_code(challenge.claims)}" if challenge.claims else ""
        parts.append(f"<p>Challenge:{claims}</p>")
        if challenge.requirements:
            parts.append(_table(("step-up", "policy"), (
                (_e(" or ".join(c.message or c.kind.value for c in r.any_of)),
                 _code(r.policy_id)) for r in challenge.requirements)))
    applied = [p for p in decision.policies if p.applies]
    others = [p for p in decision.policies if not p.applies]
    if applied:
        parts.append(_table(("policy", "name", "state", "result", "unmet"), (
            (_code(p.policy_id), _e(p.display_name), _e(p.state), _e(p.result.value),
             _lines(r.describe() for r in p.unmet)) for p in applied)))
    if others:
        parts.append(f"<details><summary>{len(others)} policies do not apply</summary>"
                     + _table(("policy", "name", "result", "why"), (
                         (_code(p.policy_id), _e(p.display_name), _e(p.result.value),
                          _e(", ".join(p.analysis_reasons))) for p in others))
                     + "</details>")
    return _wrap("decision", *parts)


def lockout_report_html(report: LockoutReport) -> str:
    """A lockout report: one row per permission, then the emergency accounts."""
    locked, critical = report.locked_out, report.critical
    summary = (f"<p>{_badge('deny' if locked else 'allow')} {len(locked)} of "
               f"{len(report.permissions)} permissions locked out"
               + (f", {len(critical)} of them critical" if critical else "")
               + f" ({report.sessions_evaluated} sessions evaluated)</p>")
    permissions = _table(("permission", "context", "holders", "verdict", "witness or reason"), (
        (_code(v.permission), _e(v.context_id), _e(len(v.holders)),
         _badge("deny") + (" critical" if v.critical else "") if v.locked_out
         else _badge("allow"),
         _e(v.witness.describe() if v.witness is not None else v.reason))
        for v in report.permissions))
    parts = [summary, permissions]
    if report.emergency_accounts:
        parts.append(_table(("emergency account", "safe", "reason"), (
            (_code(v.user_id), _badge("allow" if v.safe else "deny"), _e(v.reason))
            for v in report.emergency_accounts)))
    return _wrap("lockout-report", *parts)


def tenant_html(tenant: Tenant) -> str:
    """A tenant: counts, the protected actions with their contexts and the policies
    that target them, and the policy list."""
    states = Counter(p.state for p in tenant.policies)
    counts = [("policies", len(tenant.policies)), ("auth contexts", len(tenant.auth_contexts)),
              ("protected actions", len(tenant.protected_actions)),
              ("named locations", len(tenant.named_locations)),
              ("custom strengths", len(tenant.authentication_strengths)),
              ("users", len(tenant.users)), ("groups", len(tenant.groups)),
              ("emergency accounts", len(tenant.emergency_access_accounts))]
    by_state = ", ".join(f"{n} {s}" for s, n in sorted(states.items()))
    summary = ("<p>Tenant: " + ", ".join(f"{n} {_e(label)}" for label, n in counts)
               + (f" (policies: {_e(by_state)})" if by_state else "") + "</p>")
    contexts = {ascii_lower(c.id): c for c in tenant.auth_contexts}

    def context_cells(context_id: str) -> tuple[str, str]:
        known = contexts.get(ascii_lower(context_id))
        if known is None:
            return "<em>undefined</em>", ""
        return _e(known.display_name), "yes" if known.is_available else "no"

    actions = _table(("protected action", "context", "context name", "published",
                      "policies (state)"), (
        (_code(a.permission), _code(a.context_id), *context_cells(a.context_id),
         _lines(f"{p.id} ({p.state})" for p in tenant.policies
                if p.targets_context(a.context_id)))
        for a in tenant.protected_actions))
    policies = _table(("policy", "name", "state"), (
        (_code(p.id), _e(p.display_name), _e(p.state)) for p in tenant.policies))
    return _wrap("tenant", summary, actions,
                 f"<details><summary>{len(tenant.policies)} policies</summary>{policies}"
                 "</details>")


def findings_html(findings: Iterable[Finding]) -> str:
    """Lint findings as a table: severity, code, title, message, fix, subjects."""
    rows = [(_badge(f.severity.value), _code(f.code), _e(f.title), _e(f.message), _e(f.fix),
             _lines(f.subjects)) for f in findings]
    if not rows:
        return _wrap("findings", "<p>No findings.</p>")
    return _wrap("findings", _table(("severity", "code", "title", "message", "fix", "subjects"),
                                    rows))
