"""``diff``: what a change to the policies does, from folders or from git."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from tests.cli import invoke

import protected_actions as pa
from protected_actions.cli.common import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE
from protected_actions.testing.config import find_config, load_configured_tenant

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "ca-as-code"
CA200 = Path("policies") / "CA200-ProtectedActions-c1.json"
CREATE = "microsoft.directory/conditionalAccessPolicies/create"


def _copy(tmp_path: Path, name: str = "repo") -> Path:
    target = tmp_path / name
    shutil.copytree(EXAMPLE, target)
    return target


def _block_ca200(repo: Path) -> None:
    path = repo / CA200
    body = json.loads(path.read_text(encoding="utf-8"))
    body["grantControls"] = {"operator": "OR", "builtInControls": ["block"]}
    path.write_text(json.dumps(body, indent=2), encoding="utf-8")


class TestLibrary:
    def test_a_change_is_reported_with_a_witness_that_decides_both_ways(
            self, tmp_path: Path) -> None:
        """Every reported change is real: its witness session is decided differently
        by the two tenants."""
        new_repo = _copy(tmp_path)
        _block_ca200(new_repo)
        old = load_configured_tenant([], find_config(EXAMPLE))
        new = load_configured_tenant([], find_config(new_repo))
        report = pa.diff(old, new, lockout=False)
        creates = [c for c in report.changes if c.target == CREATE]
        assert {(c.before, c.after) for c in creates} == {
            ("challenge (00000000-0000-0000-0000-000000000004)", "deny"), ("allow", "deny")}
        for change in creates:
            assert pa.evaluate(old, change.witness, CREATE).outcome.value == \
                change.before.split()[0]
            assert pa.evaluate(new, change.witness, CREATE).outcome is pa.Outcome.DENY
        assert all(c.user_label.startswith("Alice Admin") for c in creates)

    def test_no_change_is_empty(self) -> None:
        tenant = load_configured_tenant([], find_config(EXAMPLE))
        report = pa.diff(tenant, tenant)
        assert not report.changed and report.complete


class TestCommand:
    def test_two_folders(self, tmp_path: Path) -> None:
        old, new = _copy(tmp_path, "old"), _copy(tmp_path, "new")
        _block_ca200(new)
        result = invoke("diff", str(old), str(new), "--config",
                        str(new / "protected-actions.toml"), "--no-lockout")
        assert result.status == EXIT_OK, result.err
        assert "Decisions that change" in result.out
        assert f"Alice Admin (11111111-aaaa-4bbb-8ccc-000000000001): {CREATE}: allow -> deny" \
            in result.out

    def test_fail_on_change_and_markdown(self, tmp_path: Path) -> None:
        old, new = _copy(tmp_path, "old"), _copy(tmp_path, "new")
        _block_ca200(new)
        result = invoke("diff", str(old), str(new), "--config",
                        str(new / "protected-actions.toml"), "--format", "markdown",
                        "--fail-on-change", "--no-lockout")
        assert result.status == EXIT_FINDINGS
        assert result.out.startswith("## What this change does\n")
        assert "| **deny** |" in result.out

    @pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
    def test_git_base(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """``--git-base REV`` reads the old side from git at the same paths."""
        repo = _copy(tmp_path)
        env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
               "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
        for command in (["init", "-q"], ["add", "."], ["commit", "-qm", "policies"]):
            subprocess.run(["git", *command], cwd=repo, env=env, check=True)
        _block_ca200(repo)
        monkeypatch.chdir(repo)
        result = invoke("diff", "--git-base", "HEAD", "--format", "json", "--no-lockout")
        assert result.status == EXIT_OK, result.err
        changes = json.loads(result.out)["changes"]
        assert {c["after"] for c in changes} == {"deny"}
        unchanged = invoke("diff", "HEAD", "--no-lockout")
        assert "Decisions that change" in unchanged.out
        bad = invoke("diff", "--git-base", "no-such-revision", "--no-lockout")
        assert bad.status == EXIT_USAGE
        assert "git archive" in bad.err
