"""The repository's configuration (``protected-actions.toml`` or ``[tool.protected-
actions]`` in ``pyproject.toml``): emergency accounts and groups, placeholders,
suppressions with reasons, severity overrides, the baseline; and the JUnit and
Markdown lint reports."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from tests.cli import invoke

from protected_actions.analysis import Finding, Severity
from protected_actions.cli.common import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE
from protected_actions.testing.config import (
    EMERGENCY_GROUP_MEMBER,
    ConfigError,
    find_config,
    parse_config,
)

GROUP = "5d5f1b34-2c1a-4f0e-9a53-2b8f1f0c9a11"
MFA_ALL = {"displayName": "MFA for everyone", "state": "enabled",
           "conditions": {"users": {"includeUsers": ["All"],
                                    "excludeGroups": ["<EmergencyAccessAccountsGroup>"]},
                          "applications": {"includeApplications": ["All"]}},
           "grantControls": {"operator": "OR", "builtInControls": ["block"]}}


def _repo(tmp_path: Path, config: str, policy: dict[str, object] = MFA_ALL) -> Path:
    (tmp_path / "policies").mkdir()
    (tmp_path / "policies" / "ca001.json").write_text(json.dumps(policy), encoding="utf-8")
    (tmp_path / "protected-actions.toml").write_text(config, encoding="utf-8")
    return tmp_path / "policies"


def _codes(result_out: str) -> list[str]:
    return [f["code"] for f in json.loads(result_out)["findings"]]


class TestParse:
    def test_typo_is_an_error_with_a_suggestion(self) -> None:
        with pytest.raises(ConfigError, match="did you mean 'emergency-accounts'"):
            parse_config({"emergency-acounts": ["bg1"]})

    def test_suppression_needs_a_reason(self) -> None:
        with pytest.raises(ConfigError, match="needs a 'reason'"):
            parse_config({"suppress": [{"code": "PA140"}]})
        with pytest.raises(ConfigError, match="needs a 'reason'"):
            parse_config({"suppress": [{"code": "PA140", "reason": "  "}]})

    def test_unknown_code_and_severity_are_errors(self) -> None:
        with pytest.raises(ConfigError, match="lint code"):
            parse_config({"suppress": [{"code": "PA999", "reason": "x"}]})
        with pytest.raises(ConfigError, match="expected one of error, warning, info"):
            parse_config({"severity": {"PA140": "low"}})

    def test_pyproject_table_found_from_the_policy_folder(self, tmp_path: Path) -> None:
        (tmp_path / "pyproject.toml").write_text(
            '[project]\nname = "x"\n[tool.protected-actions]\nemergency-accounts = ["bg1"]\n',
            encoding="utf-8")
        (tmp_path / "policies").mkdir()
        assert find_config(tmp_path / "policies").emergency_accounts == ("bg1",)

    def test_no_configuration_is_empty(self, tmp_path: Path) -> None:
        (tmp_path / ".git").mkdir()
        assert find_config(tmp_path).emergency_accounts == ()


class TestLint:
    def test_placeholder_and_emergency_group_make_pa110_honest(self, tmp_path: Path) -> None:
        """The group placeholder maps to the real group; the group's member is the
        emergency account, excluded from the blocking policy: no PA101, PA110 or
        PA141."""
        policies = _repo(tmp_path, f'emergency-groups = ["{GROUP}"]\n'
                                   f'[placeholders]\n"<EmergencyAccessAccountsGroup>" = '
                                   f'"{GROUP}"\n')
        result = invoke("lint", "--tenant", str(policies), "--format", "json")
        assert not {"PA101", "PA110", "PA141"} & set(_codes(result.out)), result.out

    def test_without_the_mapping_the_group_member_is_blocked(self, tmp_path: Path) -> None:
        """Without the placeholder mapping the exclusion excludes nobody: the
        emergency group's member is blocked (PA110), named as such."""
        policies = _repo(tmp_path, f'emergency-groups = ["{GROUP}"]\n')
        result = invoke("lint", "--tenant", str(policies), "--format", "json")
        assert result.status == EXIT_FINDINGS
        (pa110,) = [f for f in json.loads(result.out)["findings"] if f["code"] == "PA110"]
        assert EMERGENCY_GROUP_MEMBER + GROUP in pa110["subjects"]

    def test_emergency_account_flag(self, tmp_path: Path) -> None:
        policies = _repo(tmp_path, "")
        result = invoke("lint", "--tenant", str(policies), "--format", "json",
                        "--emergency-account", "bg1", "--emergency-account", "bg2")
        assert "PA101" not in _codes(result.out)
        assert "PA110" in _codes(result.out)

    def test_suppression_with_reason_and_severity_override(self, tmp_path: Path) -> None:
        policies = _repo(tmp_path, '[[suppress]]\ncode = "PA101"\nreason = "accounts live '
                                   'in the tenant only"\n[severity]\nPA141 = "info"\n')
        result = invoke("lint", "--tenant", str(policies), "--format", "json")
        document = json.loads(result.out)
        assert "PA101" not in _codes(result.out)
        assert document["accepted"][0]["acceptedBecause"] == (
            "suppressed: accounts live in the tenant only")
        assert {f["severity"] for f in document["findings"] if f["code"] == "PA141"} == {"info"}
        sarif = json.loads(invoke("lint", "--tenant", str(policies), "--format",
                                  "sarif").out)
        hidden = [r for r in sarif["runs"][0]["results"] if "suppressions" in r]
        assert [r["ruleId"] for r in hidden] == ["PA101"]

    def test_baseline_then_only_new_findings_fail(self, tmp_path: Path) -> None:
        policies = _repo(tmp_path, 'baseline = "baseline.json"\n')
        assert invoke("lint", "--tenant", str(policies)).status == EXIT_FINDINGS
        written = invoke("lint", "--tenant", str(policies), "--write-baseline")
        assert written.status == EXIT_OK
        assert (tmp_path / "baseline.json").is_file()
        assert invoke("lint", "--tenant", str(policies)).status == EXIT_OK
        (policies / "ca002.json").write_text(json.dumps(
            {**MFA_ALL, "grantControls": {"operator": "OR", "builtInControls": ["mfa"],
                                          "authenticationStrength": {"id": "00000000-0000-"
                                                                           "0000-0000-000000000002"}
                                          }}), encoding="utf-8")
        new = invoke("lint", "--tenant", str(policies), "--format", "json")
        assert new.status == EXIT_FINDINGS
        assert "PA130" in _codes(new.out)

    def test_bad_configuration_is_a_usage_error(self, tmp_path: Path) -> None:
        policies = _repo(tmp_path, 'emergency_accounts = ["bg1"]\n')
        result = invoke("lint", "--tenant", str(policies))
        assert result.status == EXIT_USAGE
        assert "did you mean 'emergency-accounts'" in result.err


class TestReports:
    def test_junit_lists_findings_as_failures(self, tmp_path: Path) -> None:
        policies = _repo(tmp_path, "")
        result = invoke("lint", "--tenant", str(policies), "--format", "junit")
        root = ET.fromstring(result.out)
        cases = root.findall(".//testcase")
        assert int(root.get("failures", "0")) == len(cases) > 0
        located = [c for c in cases if c.get("file")]
        assert located and located[0].get("file", "").endswith("ca001.json")

    def test_markdown_summary(self, tmp_path: Path) -> None:
        policies = _repo(tmp_path, "")
        result = invoke("lint", "--tenant", str(policies), "--format", "markdown")
        assert result.out.startswith("## protected-actions lint\n")
        assert "| :x: | PA101 |" in result.out
        assert "ca001.json:1`" in result.out


class TestSuppressionScope:
    def _finding(self, code: str = "PA110", policy: str | None = "p1",
                 subjects: tuple[str, ...] = ("bg1", "p1")) -> Finding:
        return Finding(code=code, severity=Severity.ERROR, title="t", message="m", fix="f",
                       subjects=subjects, policy_id=policy)

    def test_code_policy_and_subjects_all_must_match(self) -> None:
        (rule,) = parse_config({"suppress": [{"code": "PA110", "policy": "p1",
                                              "subjects": ["bg1"], "reason": "r"}]}).suppressions
        assert rule.matches(self._finding())
        assert not rule.matches(self._finding(code="PA111"))
        assert not rule.matches(self._finding(policy="p2", subjects=("bg1", "p2")))
        assert not rule.matches(self._finding(subjects=("bg2", "p1")))

    def test_a_policy_named_among_the_subjects_matches(self) -> None:
        """A grouped finding (PA140) has no single policy; its subjects name them."""
        (rule,) = parse_config({"suppress": [{"code": "PA140", "policy": "p2",
                                              "reason": "r"}]}).suppressions
        assert rule.matches(self._finding(code="PA140", policy=None, subjects=("g1", "p2")))


class TestInputErrors:
    def test_broken_baseline_is_a_usage_error(self, tmp_path: Path) -> None:
        policies = _repo(tmp_path, 'baseline = "baseline.json"\n')
        (tmp_path / "baseline.json").write_text("{}", encoding="utf-8")
        result = invoke("lint", "--tenant", str(policies))
        assert result.status == EXIT_USAGE
        assert "not a baseline file written by lint --write-baseline" in result.err

    def test_sample_cannot_be_combined(self, tmp_path: Path) -> None:
        result = invoke("lint", "--tenant", "sample", "--tenant", str(tmp_path))
        assert result.status == EXIT_USAGE
        assert "--tenant sample cannot be combined" in result.err

    def test_no_tenant_and_no_configuration(self, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
        (tmp_path / ".git").mkdir()
        monkeypatch.chdir(tmp_path)
        result = invoke("lint")
        assert result.status == EXIT_USAGE
        assert "no tenant: give --tenant PATH" in result.err
