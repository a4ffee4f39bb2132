"""Text views of lint findings and lockout reports for the command line."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from protected_actions.analysis import Finding, LockoutReport, Severity
from protected_actions.analysis.lockout import PermissionVerdict
from protected_actions.model.tenant import Tenant
from protected_actions.model.vocabulary import ascii_lower

__all__ = [
    "lint_text",
    "lockout_text",
    "severity_counts",
    "severity_summary",
    "user_label",
    "user_name",
    "verdict_line",
]


def user_name(tenant: Tenant, user_id: str) -> str | None:
    """The user's display name in the directory, if it records one."""
    key = ascii_lower(user_id)
    return next((u.display_name for u in tenant.users if ascii_lower(u.id) == key), None)


def user_label(tenant: Tenant, user_id: str) -> str:
    """``Alice Admin (0000...)`` when the directory names the user, else the id."""
    name = user_name(tenant, user_id)
    return f"{name} ({user_id})" if name else user_id


def severity_counts(findings: Iterable[Finding]) -> dict[str, int]:
    """Findings per severity, every severity present (errors first)."""
    counts = Counter(f.severity for f in findings)
    return {s.value: counts.get(s, 0) for s in sorted(Severity, key=lambda s: s.rank)}


def severity_summary(findings: Sequence[Finding]) -> str:
    """``3 findings: 1 error, 1 warning, 1 info``."""
    counts = severity_counts(findings)
    noun = "finding" if len(findings) == 1 else "findings"
    parts = ", ".join(f"{n} {severity}" + ("s" if n != 1 and severity != "info" else "")
                      for severity, n in counts.items())
    return f"{len(findings)} {noun}: {parts}"


def lint_text(findings: Sequence[Finding],
              locate: Callable[[str], tuple[Path, int] | None] | None = None) -> str:
    """One paragraph per finding (code, severity, message, where it was read when
    ``locate`` knows, fix), then a summary."""
    lines: list[str] = []
    for f in findings:
        lines.append(str(f))
        if f.policy_id:
            lines.append(f"    policy: {f.policy_id}")
        ids = ([f.policy_id] if f.policy_id else []) + list(f.subjects)
        where = next((w for w in map(locate, ids) if w is not None), None) \
            if locate is not None else None
        if where is not None:
            lines.append(f"    at: {where[0].as_posix()}:{where[1]}")
        lines.append(f"    fix: {f.fix}")
    lines.append(severity_summary(findings) if findings else "No findings.")
    return "\n".join(lines)


# -- lockout ---------------------------------------------------------------------------------


def _permission_line(v: PermissionVerdict) -> str:
    return f"  {v.permission} [{v.context_id}]" if v.context_id else f"  {v.permission}"


def _locked_lines(report: LockoutReport) -> list[str]:
    locked = [v for v in report.permissions if v.locked_out]
    if not locked:
        return ["Locked out: none"]
    lines = [f"Locked out ({len(locked)}): nobody can use these"]
    for v in locked:
        lines += [_permission_line(v) + (" CRITICAL" if v.critical else ""),
                  f"      {v.reason}"]
    return lines


def _usable_lines(tenant: Tenant, report: LockoutReport) -> list[str]:
    usable = [v for v in report.permissions if not v.locked_out and v.context_id]
    lines = [f"Usable protected actions ({len(usable)}): one holder who can, and what it takes"]
    for v in usable:
        witness = v.witness
        who = user_label(tenant, witness.user_id) if witness else "?"
        lines.append(f"{_permission_line(v)}: {who}")
        needs = witness.assumptions if witness and witness.assumptions \
            else ("nothing beyond signing in",)
        lines += [f"      {text}" for text in needs]
    plain = sum(1 for v in report.permissions if not v.locked_out and not v.context_id)
    if plain:
        lines.append(f"Not protected ({plain}): usable by their holders without a step-up")
    return lines


def _emergency_lines(tenant: Tenant, report: LockoutReport) -> list[str]:
    if not report.emergency_accounts:
        return ["Emergency access accounts: none designated"]
    lines = ["Emergency access accounts:"]
    for v in report.emergency_accounts:
        state = "safe" if v.safe else "NOT SAFE"
        lines.append(f"  {user_label(tenant, v.user_id)}: {state}: {v.reason}")
    covered = report.emergency_accounts[0].covered
    if covered:
        lines.append("  checked: " + "; ".join(covered))
    return lines


def verdict_line(report: LockoutReport) -> str:
    """One line: how many permissions are locked out, critical ones, emergency accounts."""
    locked, critical = len(report.locked_out), len(report.critical)
    unsafe = sum(1 for safe in report.emergency.values() if not safe)
    parts = [f"{locked} permission{'s' if locked != 1 else ''} locked out",
             f"{critical} critical"]
    if report.emergency_accounts:
        parts.append(f"{unsafe} emergency account{'s' if unsafe != 1 else ''} not safe"
                     if unsafe else "emergency accounts safe")
    else:
        parts.append("no emergency accounts designated")
    return ", ".join(parts)


def lockout_text(tenant: Tenant, report: LockoutReport) -> str:
    """Locked-out permissions, usable protected actions with a witness, emergency
    accounts, and a verdict line."""
    lines = [f"Lockout analysis: {len(report.permissions)} permissions held"]
    lines += _locked_lines(report)
    lines += _usable_lines(tenant, report)
    lines += _emergency_lines(tenant, report)
    lines.append(f"Verdict: {verdict_line(report)}")
    return "\n".join(lines)
