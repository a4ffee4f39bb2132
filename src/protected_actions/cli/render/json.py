"""JSON views of lint findings and lockout reports for the command line."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from protected_actions.analysis import Finding, LockoutReport, Witness
from protected_actions.analysis.lockout import EmergencyVerdict, PermissionVerdict
from protected_actions.graph import dump_session

from .text import severity_counts

__all__ = ["lint_json", "lockout_json"]


def lint_json(findings: Sequence[Finding]) -> dict[str, Any]:
    """``{"findings": [...], "counts": {"error": n, ...}}``."""
    return {"findings": [f.to_dict() for f in findings], "counts": severity_counts(findings)}



def _witness_json(witness: Witness | None) -> dict[str, Any] | None:
    if witness is None:
        return None
    return {"userId": witness.user_id, "outcomeBefore": witness.outcome_before.value,
            "assumptions": list(witness.assumptions), "session": dump_session(witness.session)}


def _verdict_json(v: PermissionVerdict) -> dict[str, Any]:
    return {"permission": v.permission, "contextId": v.context_id, "lockedOut": v.locked_out,
            "critical": v.critical, "holders": list(v.holders), "reason": v.reason,
            "witness": _witness_json(v.witness)}


def _emergency_json(v: EmergencyVerdict) -> dict[str, Any]:
    exposure = None if v.exposure is None else {
        "policyId": v.exposure.policy_id, "kind": v.exposure.kind,
        "target": v.exposure.target, "conditions": list(v.exposure.conditions),
        "requirements": [r.describe() for r in v.exposure.requirements]}
    return {"userId": v.user_id, "safe": v.safe, "reason": v.reason,
            "counterexample": _witness_json(v.counterexample), "signInExposure": exposure,
            "covered": list(v.covered)}


def lockout_json(report: LockoutReport) -> dict[str, Any]:
    """The whole report: locked-out and critical permissions, every verdict with its
    witness session (session JSON), and every emergency account."""
    return {
        "lockedOut": list(report.locked_out),
        "critical": list(report.critical),
        "emergencyAccountsSafe": all(report.emergency.values()),
        "permissions": [_verdict_json(v) for v in report.permissions],
        "emergencyAccounts": [_emergency_json(v) for v in report.emergency_accounts],
        "sessionsEvaluated": report.sessions_evaluated,
    }
