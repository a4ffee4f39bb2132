"""The example repository's CI runs: every ``protected-actions`` command of the GitHub
Actions workflow, the Azure DevOps pipeline and the pre-commit hooks is run with the
real command line in a subprocess, on a copy of ``examples/ca-as-code``; they pass,
and the scenario step fails (exit 1, a JUnit failure) when a scenario is broken."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from . import EXAMPLE, ROOT

yaml = pytest.importorskip("yaml")

WORKFLOW = EXAMPLE / ".github" / "workflows" / "conditional-access.yml"
PIPELINE = EXAMPLE / "azure-pipelines.yml"
PRE_COMMIT = EXAMPLE / ".pre-commit-config.yaml"
HOOKS = ROOT / ".pre-commit-hooks.yaml"
GIT = shutil.which("git")


def _load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _workflow_commands() -> list[str]:
    steps = _load(WORKFLOW)["jobs"]["conditional-access"]["steps"]
    return [s["run"] for s in steps if str(s.get("run", "")).startswith("protected-actions")]


def _pipeline_commands() -> list[str]:
    steps = _load(PIPELINE)["steps"]
    return [s["script"] for s in steps
            if str(s.get("script", "")).startswith("protected-actions")]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A copy of the example as a git repository with one commit on ``main``."""
    target = tmp_path / "repo"
    shutil.copytree(EXAMPLE, target)
    if GIT is not None:
        for command in (["init", "-q", "-b", "main"], ["add", "."],
                        ["commit", "-qm", "policies"], ["branch", "-q", "origin/main"]):
            subprocess.run(["git", *command], cwd=target, env=_env(tmp_path), check=True)
    return target


def _env(tmp_path: Path) -> dict[str, str]:
    """The environment a CI runner gives: ``protected-actions`` on the PATH (this
    checkout's), a job summary file, git identity."""
    shim = tmp_path / "bin"
    shim.mkdir(exist_ok=True)
    script = shim / "protected-actions"
    script.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m protected_actions "$@"\n',
                      encoding="utf-8")
    script.chmod(0o755)
    return {**os.environ, "PATH": f"{shim}{os.pathsep}{os.environ['PATH']}",
            "PYTHONPATH": str(ROOT / "src"), "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
            "GIT_AUTHOR_NAME": "ci", "GIT_AUTHOR_EMAIL": "ci@example.com",
            "GIT_COMMITTER_NAME": "ci", "GIT_COMMITTER_EMAIL": "ci@example.com"}


def _run(command: str, repo: Path) -> subprocess.CompletedProcess[str]:
    """Run one CI command line with bash, as the runner would."""
    command = command.replace("${{ github.base_ref }}", "main")
    command = re.sub(r"\$\(Build\.ArtifactStagingDirectory\)", str(repo / "out"), command)
    command = command.replace("$(System.PullRequest.TargetBranchName)", "main")
    (repo / "out").mkdir(exist_ok=True)
    return subprocess.run(["bash", "-eo", "pipefail", "-c", command], cwd=repo,
                          env=_env(repo.parent), capture_output=True, text=True, check=False)


def _break_a_scenario(repo: Path) -> None:
    path = repo / "tests" / "access.scenarios.json"
    scenarios = json.loads(path.read_text(encoding="utf-8"))
    scenarios[2]["expect"] = {"outcome": "allow"}  # Bob holds no role: he is denied
    path.write_text(json.dumps(scenarios, indent=2), encoding="utf-8")


@pytest.mark.skipif(GIT is None, reason="git is not installed")
class TestGitHubActions:
    def test_every_step_passes(self, repo: Path) -> None:
        commands = _workflow_commands()
        assert len(commands) == 5
        for command in commands:
            done = _run(command, repo)
            assert done.returncode == 0, (command, done.stdout, done.stderr)
        sarif = json.loads((repo / "lint.sarif").read_text(encoding="utf-8"))
        assert sarif["version"] == "2.1.0" and sarif["runs"][0]["results"] == []
        suite = ET.parse(repo / "scenarios.xml").getroot()
        assert (suite.get("tests"), suite.get("failures")) == ("6", "0")
        summary = (repo.parent / "summary.md").read_text(encoding="utf-8")
        assert "## protected-actions lockout" in summary
        assert "## What this change does" in summary

    def test_a_broken_scenario_fails_the_job(self, repo: Path) -> None:
        _break_a_scenario(repo)
        (command,) = [c for c in _workflow_commands() if " test " in c]
        done = _run(command, repo)
        assert done.returncode == 1
        failures = ET.parse(repo / "scenarios.xml").getroot().findall(".//failure")
        assert [f.get("message") for f in failures] == ["expected allow, got deny"]
        assert "NOT_AUTHORIZED" in (failures[0].text or "")

    def test_a_policy_change_shows_in_the_summary(self, repo: Path) -> None:
        path = repo / "policies" / "CA200-ProtectedActions-c1.json"
        body = json.loads(path.read_text(encoding="utf-8"))
        body["conditions"]["users"]["excludeGroups"] = []
        body["grantControls"] = {"operator": "OR", "builtInControls": ["block"]}
        path.write_text(json.dumps(body, indent=2), encoding="utf-8")
        lint = _run(_workflow_commands()[0], repo)
        assert lint.returncode == 1  # PA110: the emergency accounts are blocked now
        results = json.loads((repo / "lint.sarif").read_text(encoding="utf-8"))["runs"][0][
            "results"]
        locations = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                     for r in results if r["ruleId"] == "PA110"}
        assert locations == {"policies/CA200-ProtectedActions-c1.json"}
        lockout = _run(_workflow_commands()[2], repo)
        assert lockout.returncode == 1  # nobody can change Conditional Access any more
        diff = _run(_workflow_commands()[-1], repo)
        assert diff.returncode == 0, diff.stderr
        summary = (repo.parent / "summary.md").read_text(encoding="utf-8")
        assert "| Emergency access 1 (11111111-aaaa-4bbb-8ccc-0000000000b1) |" in summary
        assert "**Newly locked out:** microsoft.directory/conditionalAccessPolicies/" in summary


@pytest.mark.skipif(GIT is None, reason="git is not installed")
class TestAzureDevOps:
    def test_every_script_passes_and_a_broken_scenario_fails(self, repo: Path) -> None:
        commands = _pipeline_commands()
        assert len(commands) == 4
        for command in commands:
            done = _run(command, repo)
            assert done.returncode == 0, (command, done.stdout, done.stderr)
        assert ET.parse(repo / "out" / "scenarios.xml").getroot().get("failures") == "0"
        _break_a_scenario(repo)
        (test,) = [c for c in commands if " test " in c]
        assert _run(test, repo).returncode == 1


class TestPreCommit:
    def test_hooks_match_the_shipped_definitions(self) -> None:
        shipped = {h["id"]: h for h in _load(HOOKS)}
        used = _load(PRE_COMMIT)["repos"][0]["hooks"]
        for hook in used:
            assert hook["entry"] == shipped[hook["id"]]["entry"]

    def test_hooks_pass_then_fail_on_a_broken_scenario(self, repo: Path) -> None:
        hooks = _load(PRE_COMMIT)["repos"][0]["hooks"]
        commands = [" ".join([h["entry"], *h.get("args", [])]) for h in hooks]
        for command in commands:
            done = _run(command, repo)
            assert done.returncode == 0, (command, done.stdout, done.stderr)
        _break_a_scenario(repo)
        assert _run(commands[1], repo).returncode == 1


def test_the_guide_shows_the_example_workflow() -> None:
    """docs/ca-as-code.md shows the workflow the tests run, word for word."""
    guide = (ROOT / "docs" / "ca-as-code.md").read_text(encoding="utf-8")
    marker = '```yaml title=".github/workflows/conditional-access.yml"\n'
    shown = guide.split(marker, 1)[1].split("\n```", 1)[0]
    assert shown == WORKFLOW.read_text(encoding="utf-8").rstrip("\n")
