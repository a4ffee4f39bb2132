"""The reports as text and Markdown (the HTML view is in ``html``)."""

from __future__ import annotations

from collections import Counter

from .reports import AgreementReport, ImpactReport

__all__ = ["agreement_markdown", "agreement_text", "impact_markdown", "impact_text"]


def __dir__() -> list[str]:
    return __all__


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f} %" if whole else "-"


def agreement_text(report: AgreementReport) -> str:
    """A plain-text summary: totals, the policies with disagreements, the problems."""
    n = report.sign_ins
    lines = [
        f"sign-ins: {n}  unreadable: {report.unreadable}",
        f"agree: {report.agree} ({_pct(report.agree, n)})  "
        f"disagree: {report.disagree} ({_pct(report.disagree, n)})  "
        f"undetermined: {report.undetermined} ({_pct(report.undetermined, n)})",
        f"conditionalAccessStatus: {report.status_agree} agree, "
        f"{report.status_disagree} disagree",
    ]
    if report.by_policy:
        lines.append("per policy (agree / disagree / undetermined):")
        for pid, c in sorted(report.by_policy.items()):
            lines.append(f"  {pid}: {c.agree} / {c.disagree} / {c.undetermined}")
            for (recorded, replayed), count in sorted(c.confusion.items()):
                lines.append(f"    recorded {recorded}, replayed {replayed}: {count}")
    if report.lacking:
        lines.append("facts the logs lack (sign-ins):")
        lines += [f"  {fact}: {count}" for fact, count in sorted(report.lacking.items())]
    if report.unknown_fields:
        lines.append("unknown properties (sign-ins): " + ", ".join(
            f"{k} ({v})" for k, v in sorted(report.unknown_fields.items())))
    lines += [f"unreadable {s}:{line}: {m}" for s, line, m in report.problems]
    return "\n".join(lines)


def agreement_markdown(report: AgreementReport) -> str:
    """A Markdown summary with a per-policy table."""
    n = report.sign_ins
    lines = [
        "## Sign-in replay: agreement with Entra", "",
        f"{n} sign-ins, {report.unreadable} unreadable: **{report.agree} agree** "
        f"({_pct(report.agree, n)}), {report.disagree} disagree, "
        f"{report.undetermined} undetermined.", "",
        "| policy | agree | disagree | undetermined |", "| --- | ---: | ---: | ---: |",
    ]
    lines += [f"| `{pid}` | {c.agree} | {c.disagree} | {c.undetermined} |"
              for pid, c in sorted(report.by_policy.items())]
    if report.problems:
        lines += ["", "Unreadable records:", ""]
        lines += [f"- `{s}:{line}`: {m}" for s, line, m in report.problems]
    return "\n".join(lines)


def impact_text(report: ImpactReport) -> str:
    """A plain-text summary: transitions, policies, who and what is affected."""
    lines = [f"sign-ins: {report.sign_ins}  unreadable: {report.unreadable}  "
             f"changed: {report.changed}"]
    for (before, after), count in sorted(report.transitions.items()):
        if before == after:
            continue
        cell = (before, after)
        users = report.users.get(cell, Counter())
        lines.append(f"{before} -> {after}: {count} sign-ins by {len(users)} users")
        for label, table in (("apps", report.apps), ("countries", report.countries),
                             ("platforms", report.platforms)):
            top = table.get(cell)
            if top:
                lines.append(f"  {label}: " + ", ".join(
                    f"{k} ({v})" for k, v in top.most_common(5)))
    if report.by_policy:
        lines.append("per policy (result before -> after):")
        for pid, changes in sorted(report.by_policy.items()):
            for (before, after), count in sorted(changes.items()):
                lines.append(f"  {pid}: {before} -> {after}: {count}")
    lines += [f"unreadable {s}:{line}: {m}" for s, line, m in report.problems]
    return "\n".join(lines)


def impact_markdown(report: ImpactReport) -> str:
    """A Markdown summary with a transition table."""
    lines = ["## Sign-in replay: impact of the proposed change", "",
             f"{report.sign_ins} sign-ins, {report.unreadable} unreadable: "
             f"**{report.changed} change outcome**.", "",
             "| before | after | sign-ins | users |", "| --- | --- | ---: | ---: |"]
    lines += [f"| {r['before']} | {r['after']} | {r['sign_ins']} | {r['users']} |"
              for r in report.rows()]
    return "\n".join(lines)
