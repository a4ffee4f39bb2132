"""Analysis of a tenant: lockout detection with witnesses, and lint findings."""

from __future__ import annotations

from .diff import DecisionChange, DiffReport, diff
from .lint import CATALOG, Finding, Severity, lint
from .lockout import (
    CRITICAL_PERMISSIONS,
    EmergencyVerdict,
    LockoutReport,
    PermissionVerdict,
    Witness,
    find_lockouts,
    find_witness,
)

__all__ = [
    "CATALOG",
    "CRITICAL_PERMISSIONS",
    "DecisionChange",
    "DiffReport",
    "EmergencyVerdict",
    "Finding",
    "LockoutReport",
    "PermissionVerdict",
    "Severity",
    "Witness",
    "diff",
    "find_lockouts",
    "find_witness",
    "lint",
]


def __dir__() -> list[str]:
    return __all__
