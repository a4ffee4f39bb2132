"""The lockout report as SARIF, JUnit XML and Markdown (text and JSON are in
:mod:`.text` and :mod:`.json`)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from protected_actions.analysis import LockoutReport
from protected_actions.analysis.lockout import EmergencyVerdict

from .junit import Case, junit_xml
from .markdown import table
from .sarif import SARIF_SCHEMA, SARIF_VERSION, TOOL_NAME

__all__ = ["lockout_junit", "lockout_markdown", "lockout_sarif"]

Locate = Callable[[str], tuple[Path, int] | None]


def _policy(v: EmergencyVerdict) -> str | None:
    return v.exposure.policy_id if v.exposure is not None else None


def _where(v: EmergencyVerdict, locate: Locate | None) -> tuple[Path, int] | None:
    policy = _policy(v)
    return locate(policy) if locate is not None and policy else None


def lockout_junit(report: LockoutReport, locate: Locate | None = None) -> str:
    """One case per held permission (failed when locked out), one per emergency
    account (failed when not safe)."""
    cases = [Case(v.permission, "lockout.permission",
                  failure=("locked out" + (" (critical)" if v.critical else ""))
                  if v.locked_out else None, detail=v.reason) for v in report.permissions]
    cases += [Case(v.user_id, "lockout.emergency", failure=None if v.safe else "not safe",
                   detail=v.reason + "\nchecked: " + "; ".join(v.covered),
                   where=_where(v, locate)) for v in report.emergency_accounts]
    return junit_xml("lockout", cases)


def lockout_markdown(report: LockoutReport, locate: Locate | None = None) -> str:
    """The verdict, the locked-out permissions and the emergency accounts."""
    lines = ["## protected-actions lockout", ""]
    locked = [v for v in report.permissions if v.locked_out]
    lines.append(f"**{len(locked)} of {len(report.permissions)} held permissions locked "
                 f"out** ({len(report.critical)} critical)")
    if locked:
        lines += ["", *table(("Permission", "Context", "Why"),
                             [(v.permission, v.context_id or "", v.reason) for v in locked])]
    lines.append("")
    if not report.emergency_accounts:
        lines.append("No emergency access accounts designated.")
    else:
        rows = []
        for v in report.emergency_accounts:
            where = _where(v, locate)
            rows.append((v.user_id, "safe" if v.safe else ":x: not safe", v.reason,
                         f"`{where[0]}:{where[1]}`" if where else ""))
        lines += table(("Emergency account", "Verdict", "Why", "Where"), rows)
        lines += ["", "Checked: " + "; ".join(report.emergency_accounts[0].covered)]
    return "\n".join(lines) + "\n"


def _uri(path: Path) -> str:
    return path.as_uri() if path.is_absolute() else path.as_posix()


def lockout_sarif(report: LockoutReport, *, version: str,
                  locate: Locate | None = None) -> dict[str, Any]:
    """Locked-out permissions and unsafe emergency accounts as SARIF results; an
    unsafe account points at the policy's file and line."""
    rules = [
        {"id": "lockout", "name": "PermissionLockedOut",
         "shortDescription": {"text": "Nobody can use a held permission"},
         "defaultConfiguration": {"level": "error"}},
        {"id": "emergency", "name": "EmergencyAccountNotSafe",
         "shortDescription": {"text": "An emergency access account can be blocked"},
         "defaultConfiguration": {"level": "error"}},
    ]
    results: list[dict[str, Any]] = [{
        "ruleId": "lockout", "ruleIndex": 0, "level": "error",
        "message": {"text": f"{v.permission}: {v.reason}"},
        "locations": [{"logicalLocations": [{"name": v.permission, "kind": "member"}]}],
    } for v in report.permissions if v.locked_out]
    for v in report.emergency_accounts:
        if v.safe:
            continue
        where = _where(v, locate)
        location: dict[str, Any] = {"logicalLocations": [{"name": v.user_id, "kind": "object"}]}
        if where is not None:
            location["physicalLocation"] = {"artifactLocation": {"uri": _uri(where[0])},
                                            "region": {"startLine": where[1]}}
        results.append({"ruleId": "emergency", "ruleIndex": 1, "level": "error",
                        "message": {"text": f"{v.user_id}: {v.reason}"},
                        "locations": [location]})
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [{
        "tool": {"driver": {"name": TOOL_NAME, "version": version, "rules": rules}},
        "results": results}]}
