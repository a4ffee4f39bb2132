"""The pytest plugin: ``*.scenarios.json`` files are test items (one per scenario)
and a failure shows the decision's explanation; the fixture gives the tenant."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from . import EXAMPLE, ROOT

PYTHON_TEST = '''
from protected_actions import load_session
from protected_actions.testing import assert_challenges, assert_denies

BOB = {"at": "2026-01-01T00:00:00Z", "user": {"id": "11111111-aaaa-4bbb-8ccc-000000000002"},
       "clientAppType": "browser"}


def test_bob_needs_mfa_for_graph(protected_actions_tenant):
    assert_challenges(protected_actions_tenant, load_session(BOB),
                      "00000003-0000-0000-c000-000000000000", requires="mfa")


def test_bob_may_not_change_ca(protected_actions_tenant):
    assert_denies(protected_actions_tenant, load_session(BOB),
                  "microsoft.directory/conditionalAccessPolicies/create",
                  reason="NOT_AUTHORIZED")
'''


def _plugin_option() -> list[str]:
    """``-p`` for the plugin when the installed metadata does not register it already
    (a source tree run without installing): pytest refuses a plugin loaded twice."""
    installed = {e.value for e in entry_points(group="pytest11")}
    plugin = "protected_actions.testing.pytest_plugin"
    return [] if plugin in installed else ["-p", plugin]


def _pytest(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    env.pop("PYTEST_ADDOPTS", None)
    return subprocess.run(
        [sys.executable, "-m", "pytest", *_plugin_option(),
         "-p", "no:cacheprovider", "-q", "--rootdir", str(repo), *args],
        cwd=repo, env=env, capture_output=True, text=True, check=False)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    target = tmp_path / "repo"
    shutil.copytree(EXAMPLE, target)
    (target / "tests" / "test_policies.py").write_text(PYTHON_TEST, encoding="utf-8")
    return target


def test_scenarios_and_helpers_pass(repo: Path) -> None:
    done = _pytest(repo, "tests")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "8 passed" in done.stdout


def test_a_broken_scenario_fails_with_the_explanation(repo: Path) -> None:
    path = repo / "tests" / "access.scenarios.json"
    scenarios = json.loads(path.read_text(encoding="utf-8"))
    scenarios[4]["expect"] = {"outcome": "allow"}  # Bob must do MFA
    path.write_text(json.dumps(scenarios, indent=2), encoding="utf-8")
    done = _pytest(repo, "tests")
    assert done.returncode == 1
    assert "1 failed, 7 passed" in done.stdout
    assert "expected allow, got challenge" in done.stdout
    assert "STEP_UP_REQUIRED" in done.stdout
    assert "Bob signs in to Microsoft Graph with MFA" in done.stdout


def test_tenant_option_overrides_the_configuration(repo: Path, tmp_path: Path) -> None:
    """``--protected-actions-tenant`` names the tenant (here one without the
    directory: the user shorthand cannot be resolved, so scenarios fail, never pass)."""
    done = _pytest(repo, "tests/access.scenarios.json", "--protected-actions-tenant",
                   str(repo / "policies"))
    assert done.returncode == 1
    assert "is not in the tenant's directory" in done.stdout
