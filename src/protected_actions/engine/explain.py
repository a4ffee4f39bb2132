"""Render a decision as text (the evaluator never prints)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .decision import Decision

__all__ = ["render_text"]


def render_text(decision: Decision, *, verbose: bool = False,
                user_label: str | None = None) -> str:
    """A multi-line explanation: outcome, reasons, challenge, then each policy that
    applied (and, with ``verbose``, those that did not and why). ``user_label`` names
    the user in the first line instead of the bare id (the command line passes the
    directory's display name with the id)."""
    lines = [f"{decision.outcome.value.upper()}: {decision.target} for user "
             f"{user_label or decision.user_id}" + (f" (auth context {decision.context_id})"
                                      if decision.context_id else "")]
    if not decision.complete:
        lines.append("  (incomplete: some conditions could not be decided; "
                     "the fail-closed answer is given)")
    lines.append("Reasons:")
    lines += [f"  - {r.code.value}: {r.message}" for r in decision.reasons]
    if decision.challenge is not None:
        lines.append("Challenge:")
        lines += [f"  - {r.describe()}" for r in decision.challenge.requirements]
        if decision.challenge.claims:
            lines.append(f"  claims: {decision.challenge.claims}")
    applied = [p for p in decision.policies if p.applies]
    others = [p for p in decision.policies if not p.applies]
    if applied:
        lines.append("Policies that apply:")
    for p in applied:
        state = "" if p.enforced else " [report-only]"
        lines.append(f"  - {p.policy_id} {p.display_name!r}{state}: {p.result.value}")
        lines += [f"      unmet: {r.describe()}" for r in p.unmet]
        lines += [f"      {d}" for d in p.details if verbose or "undetermined" in d
                  or "cannot" in d]
    if others:
        lines.append(f"Policies that do not apply: {len(others)}")
    if verbose:
        for p in others:
            why = ", ".join(p.analysis_reasons)
            lines.append(f"  - {p.policy_id} {p.display_name!r}: {p.result.value} ({why})")
            lines += [f"      {d}" for d in p.details[-1:]]
    return "\n".join(lines)
