"""Analysis of a tenant: lockout detection with witnesses (and lint findings)."""

from __future__ import annotations

from .lockout import (
    CRITICAL_PERMISSIONS,
    EmergencyVerdict,
    LockoutReport,
    PermissionVerdict,
    Witness,
    find_lockouts,
)

__all__ = [
    "CRITICAL_PERMISSIONS",
    "EmergencyVerdict",
    "LockoutReport",
    "PermissionVerdict",
    "Witness",
    "find_lockouts",
]


def __dir__() -> list[str]:
    return __all__
