"""``--tenant`` reads repositories as they are: folders of policy files, combined
folders, an empty folder refused; SARIF points at the user's own files."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli import invoke

from protected_actions.cli.common import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE

BLOCK_ALL = {"displayName": "Block everyone", "state": "enabled",
             "conditions": {"users": {"includeUsers": ["All"]},
                            "applications": {"includeApplications": ["All"]}},
             "grantControls": {"operator": "OR", "builtInControls": ["block"]}}


def _write(path: Path, document: object) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2), encoding="utf-16")
    return path


class TestTenantOption:
    def test_folder_of_policy_files_lints_with_sarif_in_the_users_file(
            self, tmp_path: Path) -> None:
        """A policy that blocks everyone (an emergency account among them) is found in
        its own file and line."""
        policy = _write(tmp_path / "policies" / "block.json", BLOCK_ALL)
        _write(tmp_path / "directory" / "bundle.json", {"emergencyAccessAccounts": ["bg1"],
                                                        "users": [{"id": "bg1"}]})
        result = invoke("lint", "--tenant", str(tmp_path / "policies"),
                        "--tenant", str(tmp_path / "directory"), "--format", "sarif")
        assert result.status == EXIT_FINDINGS, result.err
        log = json.loads(result.out)
        located = [r for r in log["runs"][0]["results"] if r["ruleId"] == "PA110"]
        assert located, [r["ruleId"] for r in log["runs"][0]["results"]]
        physical = located[0]["locations"][0]["physicalLocation"]
        assert physical["artifactLocation"]["uri"] == policy.as_uri()
        assert physical["region"] == {"startLine": 1}

    def test_empty_folder_is_a_usage_error_unless_allowed(self, tmp_path: Path) -> None:
        """Zero policies never passes silently as a clean tenant."""
        result = invoke("lockout", "--tenant", str(tmp_path))
        assert result.status == EXIT_USAGE
        assert "no Conditional Access policy found" in result.err
        allowed = invoke("lockout", "--tenant", str(tmp_path), "--allow-empty")
        assert allowed.status == EXIT_OK, allowed.err

    def test_duplicate_ids_name_both_files(self, tmp_path: Path) -> None:
        first = _write(tmp_path / "a.json", {**BLOCK_ALL, "id": "p1"})
        second = _write(tmp_path / "b.json", {**BLOCK_ALL, "id": "p1"})
        result = invoke("matrix", "--tenant", str(tmp_path))
        assert result.status == EXIT_USAGE
        assert str(first) in result.err and str(second) in result.err
