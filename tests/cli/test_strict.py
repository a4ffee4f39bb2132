"""``--strict`` on every subcommand that loads a tenant: every unknown property is an
error (status 2, its JSON path named); without it the property is kept and linted."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.cli import CA_CREATE, invoke

from protected_actions.cli import EXIT_USAGE
from protected_actions.samples import sample_tenant_file

COMMANDS = [
    ["evaluate", "--session", "sample:alice-password-push", "--action", CA_CREATE],
    ["what-if", "--session", "sample:alice-password-push", "--app",
     "00000003-0000-0000-c000-000000000000"],
    ["lint"],
    ["lockout"],
    ["matrix"],
]


@pytest.fixture
def tenant_with_unknown_property(tmp_path: Path) -> str:
    data = json.loads(Path(str(sample_tenant_file())).read_text(encoding="utf-8"))
    data["conditionalAccessPolicies"][0]["conditions"]["zzFuture"] = {"on": True}
    path = tmp_path / "tenant.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("command", COMMANDS, ids=[c[0] for c in COMMANDS])
def test_strict_rejects_unknown_properties(command: list[str],
                                           tenant_with_unknown_property: str) -> None:
    result = invoke(*command, "--tenant", tenant_with_unknown_property, "--strict")
    assert result.status == EXIT_USAGE
    assert "$.conditionalAccessPolicies[0].conditions.zzFuture: unknown property" in result.err


@pytest.mark.parametrize("command", COMMANDS, ids=[c[0] for c in COMMANDS])
def test_without_strict_the_tenant_loads(command: list[str],
                                         tenant_with_unknown_property: str) -> None:
    result = invoke(*command, "--tenant", tenant_with_unknown_property)
    assert result.status != EXIT_USAGE, result.err


def test_strict_accepts_the_sample() -> None:
    assert invoke("lint", "--tenant", "sample", "--strict").status != EXIT_USAGE


def test_lint_reports_the_unknown_property(tenant_with_unknown_property: str) -> None:
    result = invoke("lint", "--tenant", tenant_with_unknown_property)
    assert "PA180" in result.out
    assert ".conditions.zzFuture" in result.out
