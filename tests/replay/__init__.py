"""Shared fixtures of the replay tests: the hand-written logs and tenants."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import protected_actions as pa
from protected_actions.samples import sample_tenant_file

DATA = Path(__file__).parent / "data"
HANDWRITTEN_GRAPH = DATA / "handwritten.jsonl"
HANDWRITTEN_CSV = DATA / "handwritten.csv"
AZURE_PORTAL = "c44b4083-3bb0-49c1-b47d-974e53cbdf3c"


def sample_bundle() -> dict[str, Any]:
    """The sample tenant's bundle as a dict (a fresh copy)."""
    return copy.deepcopy(json.loads(sample_tenant_file().read_text(encoding="utf-8")))


def policy(bundle: dict[str, Any], policy_id: str) -> dict[str, Any]:
    """The policy ``policy_id`` of ``bundle`` (to change it in place)."""
    return next(p for p in bundle["conditionalAccessPolicies"] if p["id"] == policy_id)


def determinable_tenant() -> pa.Tenant:
    """The sample tenant with CA004 and CA011 naming the Azure portal's app id instead
    of the ``MicrosoftAdminPortals`` group and the Service Management API grouping,
    whose membership the shipped catalog leaves undetermined for some of Microsoft's
    apps: every fact a synthetic record needs is then in the record."""
    bundle = sample_bundle()
    for policy_id in ("ca-004-admin-portals-compliant", "ca-011-azure-mgmt-mfa"):
        policy(bundle, policy_id)["conditions"]["applications"][
            "includeApplications"] = [AZURE_PORTAL]
    return pa.load_tenant(bundle)


def enforced_countries_tenant(base: dict[str, Any] | None = None) -> pa.Tenant:
    """The sample tenant with CA010 (block outside NL, BE, DE) switched from
    report-only to enabled."""
    bundle = base if base is not None else sample_bundle()
    policy(bundle, "ca-010-countries-report-only")["state"] = "enabled"
    return pa.load_tenant(bundle)
