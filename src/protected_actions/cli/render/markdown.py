"""Reports as GitHub-flavoured Markdown, short enough for a CI job summary
(``$GITHUB_STEP_SUMMARY``) or a pull-request comment."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from protected_actions.analysis import Finding

from .text import severity_counts

__all__ = ["cell", "lint_markdown", "table"]

Locate = Callable[[str], tuple[Path, int] | None]
_ICON = {"error": ":x:", "warning": ":warning:", "info": ":information_source:"}


def cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", "<br>")


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """A Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
    return lines


def _where(finding: Finding, locate: Locate | None) -> str:
    ids = ([finding.policy_id] if finding.policy_id else []) + list(finding.subjects)
    found = next((w for w in map(locate, ids) if w is not None), None) if locate else None
    if found is None:
        return finding.policy_id or ""
    return f"`{found[0]}:{found[1]}`"


def lint_markdown(findings: Sequence[Finding], accepted: Sequence[tuple[Finding, str]] = (),
                  locate: Locate | None = None) -> str:
    """Lint findings as a Markdown section: counts, then one row per finding."""
    counts = severity_counts(findings)
    summary = ", ".join(f"{n} {level}" for level, n in counts.items())
    lines = ["## protected-actions lint", ""]
    if not findings:
        lines.append("No findings.")
    else:
        lines += [f"**{len(findings)} finding(s)**: {summary}", ""]
        lines += table(("", "Code", "Where", "Finding"), [
            (_ICON[f.severity.value], f.code, _where(f, locate), f"{f.message} Fix: {f.fix}")
            for f in findings])
    if accepted:
        lines += ["", f"<details><summary>{len(accepted)} accepted finding(s)</summary>", ""]
        lines += table(("Code", "Where", "Why accepted"), [
            (f.code, _where(f, locate), why) for f, why in accepted])
        lines += ["", "</details>"]
    return "\n".join(lines) + "\n"
