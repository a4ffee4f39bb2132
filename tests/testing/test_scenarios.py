"""Scenario files and assertion helpers: failures say what differs, then explain."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

import protected_actions as pa
from protected_actions.errors import LoadError
from protected_actions.testing import (
    UnexpectedDecisionError,
    assert_allows,
    assert_challenges,
    assert_denies,
    load_scenarios,
    run_scenarios,
)
from protected_actions.testing.config import find_config, load_configured_tenant

from . import EXAMPLE

ALICE_MFA = {"at": "2026-01-01T00:00:00Z", "user": {"id": "11111111-aaaa-4bbb-8ccc-000000000001"},
             "authentications": [{"methods": ["password", "microsoftAuthenticatorPush"],
                                  "at": "2026-01-01T00:00:00Z"}],
             "clientAppType": "browser"}
CREATE = "microsoft.directory/conditionalAccessPolicies/create"


@pytest.fixture(scope="module")
def tenant() -> pa.Tenant:
    return load_configured_tenant([], find_config(EXAMPLE))


def _write(tmp_path: Path, scenarios: Any) -> Path:
    path = tmp_path / "x.scenarios.json"
    path.write_text(json.dumps(scenarios, indent=2), encoding="utf-8")
    return path


class TestAssertions:
    def test_challenge_with_its_requirement(self, tenant: pa.Tenant) -> None:
        session = pa.load_session(ALICE_MFA)
        decision = assert_challenges(tenant, session, CREATE,
                                     requires="00000000-0000-0000-0000-000000000004")
        assert decision.outcome is pa.Outcome.CHALLENGE

    def test_failure_message_is_the_explanation(self, tenant: pa.Tenant) -> None:
        session = pa.load_session(ALICE_MFA)
        with pytest.raises(UnexpectedDecisionError) as info:
            assert_allows(tenant, session, CREATE)
        message = str(info.value)
        assert message.startswith("expected allow, got challenge\n\n")
        assert pa.evaluate(tenant, session, CREATE).explain() in message

    def test_wrong_requirement_and_reason_fail(self, tenant: pa.Tenant) -> None:
        session = pa.load_session(ALICE_MFA)
        with pytest.raises(AssertionError, match="expected the challenge to ask for mfa"):
            assert_challenges(tenant, session, CREATE, requires="mfa")
        with pytest.raises(AssertionError, match="expected deny, got challenge"):
            assert_denies(tenant, session, CREATE, reason="BLOCKED_BY_POLICY")

    def test_sign_in_target(self, tenant: pa.Tenant) -> None:
        session = pa.load_session({**ALICE_MFA, "clientAppType": "exchangeActiveSync"})
        assert_denies(tenant, session, "00000002-0000-0ff1-ce00-000000000000",
                      reason="BLOCKED_BY_POLICY")


class TestScenarioFiles:
    def test_example_scenarios_pass(self, tenant: pa.Tenant) -> None:
        scenarios = load_scenarios(EXAMPLE / "tests" / "access.scenarios.json")
        results = run_scenarios(tenant, scenarios)
        assert len(results) == 6
        assert [r.problems for r in results if not r.passed] == []

    def test_broken_expectation_fails_with_explanation(self, tenant: pa.Tenant,
                                                       tmp_path: Path) -> None:
        path = _write(tmp_path, [{"name": "wrong", "user": "Bob Builder", "action": CREATE,
                                  "expect": {"outcome": "allow"}}])
        (result,) = run_scenarios(tenant, load_scenarios(path))
        assert not result.passed
        assert result.problems == ("expected allow, got deny",)
        assert "NOT_AUTHORIZED" in result.explain()

    def test_unknown_user_fails_never_passes(self, tenant: pa.Tenant, tmp_path: Path) -> None:
        path = _write(tmp_path, [{"name": "typo", "user": "Alice Admn", "action": CREATE,
                                  "expect": {"outcome": "deny"}}])
        (result,) = run_scenarios(tenant, load_scenarios(path))
        assert not result.passed
        assert "'Alice Admn' is not in the tenant's directory" in result.problems[0]

    def test_unknown_keys_are_load_errors_with_file_and_line(self, tmp_path: Path) -> None:
        path = _write(tmp_path, [
            {"name": "ok", "user": "u", "action": CREATE, "expect": {"outcome": "allow"}},
            {"name": "bad", "user": "u", "acton": CREATE, "expect": {"outcom": "allow"}}])
        with pytest.raises(LoadError) as info:
            load_scenarios(path)
        text = [str(p) for p in info.value.problems]
        assert any(t.startswith(f"{path}:10: $[1].acton: unknown key 'acton'; did you mean "
                                "'action'?") for t in text), text
        assert any("$[1].expect.outcom" in t for t in text)

    @pytest.mark.parametrize("outcome", ["allowed", "ALLOW", None])
    def test_outcome_must_be_exact(self, tmp_path: Path, outcome: Any) -> None:
        path = _write(tmp_path, [{"name": "x", "user": "u", "action": CREATE,
                                  "expect": {"outcome": outcome}}])
        with pytest.raises(LoadError, match="expected allow, challenge or deny"):
            load_scenarios(path)

    def test_scenario_files_are_not_tenant_data(self, tmp_path: Path) -> None:
        """A scenario file beside the policies is skipped by the tenant loader."""
        shutil.copytree(EXAMPLE, tmp_path / "repo")
        shutil.copy(EXAMPLE / "tests" / "access.scenarios.json", tmp_path / "repo" /
                    "policies")
        config = find_config(tmp_path / "repo")
        assert len(load_configured_tenant([], config).policies) == 4


class TestOtherFormats:
    TOML = '''
[[scenario]]
name = "Bob holds no role that may change Conditional Access"
user = "Bob Builder"
action = "microsoft.directory/conditionalAccessPolicies/create"
expect = { outcome = "deny", reason = "NOT_AUTHORIZED" }

[[scenario]]
name = "Bob signs in to Microsoft Graph with MFA"
user = "Bob Builder"
target = "00000003-0000-0000-c000-000000000000"
session = { clientAppType = "browser" }
expect = { outcome = "allow" }
'''
    YAML = '''
- name: Bob holds no role that may change Conditional Access
  user: Bob Builder
  action: microsoft.directory/conditionalAccessPolicies/create
  expect: {outcome: deny, reason: NOT_AUTHORIZED}
- name: Bob signs in to Microsoft Graph with MFA
  user: Bob Builder
  target: 00000003-0000-0000-c000-000000000000
  session: {clientAppType: browser}
  expect: {outcome: allow}
'''

    @pytest.mark.parametrize(("suffix", "text", "lines"), [
        (".scenarios.toml", TOML, [2, 8]), (".scenarios.yaml", YAML, [2, 6])])
    def test_toml_and_yaml_scenarios(self, tenant: pa.Tenant, tmp_path: Path, suffix: str,
                                     text: str, lines: list[int]) -> None:
        if suffix.endswith("yaml"):
            pytest.importorskip("yaml")
        path = tmp_path / f"access{suffix}"
        path.write_text(text, encoding="utf-8")
        scenarios = load_scenarios(path)
        assert [s.line for s in scenarios] == lines
        first, second = run_scenarios(tenant, scenarios)
        assert first.passed
        assert second.problems == ("expected allow, got challenge",)
