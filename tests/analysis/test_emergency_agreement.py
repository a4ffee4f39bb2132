"""One answer about emergency accounts: the lockout verdict covers sign-ins to every
target the policies name as well as protected actions, so it agrees with lint's
PA110 (blocked, or asked for what it cannot do) and PA111 (a step-up it can do)."""

from __future__ import annotations

from typing import Any

import pytest

from protected_actions import find_lockouts, lint
from protected_actions.graph import load_tenant

ALL_APPS = {"includeApplications": ["All"]}


def _tenant(grant: dict[str, Any], *, exclude: list[str] | None = None,
            methods: list[str] | None = None) -> Any:
    users: list[dict[str, Any]] = [{"id": "bg1"}, {"id": "bg2"}]
    if methods is not None:
        users = [{**u, "registeredMethods": methods} for u in users]
    return load_tenant({
        "conditionalAccessPolicies": [{
            "id": "p1", "displayName": "Everyone", "state": "enabled",
            "conditions": {"users": {"includeUsers": ["All"], "excludeUsers": exclude or []},
                           "applications": ALL_APPS},
            "grantControls": grant}],
        "users": users, "emergencyAccessAccounts": ["bg1", "bg2"]})


def _pa110(tenant: Any) -> set[str]:
    return {f.subjects[0] for f in lint(tenant) if f.code == "PA110"}


def _unsafe(tenant: Any) -> set[str]:
    return {user for user, safe in find_lockouts(tenant).emergency.items() if not safe}


BLOCK = {"operator": "OR", "builtInControls": ["block"]}
MFA = {"operator": "OR", "builtInControls": ["mfa"]}


@pytest.mark.parametrize(("grant", "exclude", "methods", "unsafe"), [
    (BLOCK, [], None, {"bg1", "bg2"}),          # blocks both on sign-in
    (BLOCK, ["bg1"], None, {"bg2"}),            # one excluded
    (BLOCK, ["bg1", "bg2"], None, set()),       # both excluded
    (MFA, [], None, set()),                     # a step-up they can do (PA111)
    (MFA, [], [], {"bg1", "bg2"}),              # no registered method: cannot do MFA
], ids=["block", "one-excluded", "both-excluded", "mfa", "mfa-no-methods"])
def test_lockout_and_lint_agree(grant: dict[str, Any], exclude: list[str],
                                methods: list[str] | None, unsafe: set[str]) -> None:
    """A policy that blocks a break-glass account on sign-in (no protected action
    involved) makes lockout's verdict unsafe exactly when lint reports PA110."""
    tenant = _tenant(grant, exclude=exclude, methods=methods)
    assert _pa110(tenant) == unsafe
    assert _unsafe(tenant) == unsafe


def test_the_verdict_says_what_it_covered() -> None:
    report = find_lockouts(_tenant(BLOCK))
    (first, _) = report.emergency_accounts
    assert first.covered[0].startswith("protected actions (")
    assert first.covered[1] == "sign-ins to any application"
    assert first.exposure is not None and first.exposure.policy_id == "p1"
    assert "blocks emergency access account 'bg1'" in first.reason
