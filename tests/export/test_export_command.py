"""``protected-actions export`` against a fake Graph on 127.0.0.1: paging, a 429 with
``Retry-After``, a 503, and a 403 that names the permission to grant.

Throttling: https://learn.microsoft.com/graph/throttling (429 and 503 carry
``Retry-After``). Paging: https://learn.microsoft.com/graph/paging (follow
``@odata.nextLink`` as given). The protected actions' ``authenticationContextId`` is
returned only when ``$select`` names it:
https://learn.microsoft.com/entra/identity/role-based-access-control/protected-actions-add
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from tests.cli import TTY, invoke
from tests.export import FakeGraph, serving
from tests.export.recorded import (
    BREAK_GLASS,
    ELIGIBILITY,
    EXPECTED_GROUPS,
    EXPECTED_USERS,
    GHOST,
    LIST_KEYS,
    POLICIES,
    RESOURCE_ACTIONS,
    ROLE_DEFINITIONS,
    recorded_graph,
)

import protected_actions as pa
from protected_actions.cli import EXIT_OK, EXIT_USAGE

pytest.importorskip("httpx", reason="export needs the 'export' extra")

TOKEN = "T0k3n"


def export(graph: FakeGraph, out: Path, *extra: str) -> Any:
    """Run ``export`` against ``graph`` served on a free port."""
    with serving(graph) as url:
        return invoke("export", "--graph-url", url, "--token", TOKEN, "--out", str(out),
                      "--emergency-account", BREAK_GLASS, *extra)


def read(folder: Path, key: str) -> Any:
    return json.loads((folder / f"{key}.json").read_text(encoding="utf-8"))


class TestExport:
    def test_bundle_equals_the_served_objects_through_paging_429_and_503(
            self, tmp_path: Path) -> None:
        graph = recorded_graph()
        graph.failures = {
            ROLE_DEFINITIONS: [(429, {"Retry-After": "1"}, {"error": {"code": "TooManyRequests"}})],
            f"{POLICIES}?$skiptoken=1": [(503, {"Retry-After": "0"}, {})],
            RESOURCE_ACTIONS: [(503, {}, {})],  # no Retry-After: a short backoff
        }
        out = tmp_path / "tenant"
        result = export(graph, out)
        assert result.status == EXIT_OK, result.err
        for key, path in LIST_KEYS.items():
            assert read(out, key) == graph.served(path), key
        assert read(out, "users") == EXPECTED_USERS
        assert read(out, "groups") == EXPECTED_GROUPS
        assert read(out, "emergencyAccessAccounts") == [BREAK_GLASS]
        assert len(read(out, "conditionalAccessPolicies")) == 2  # both pages
        assert not graph.failures[ROLE_DEFINITIONS]  # the 429 was served and retried
        assert not graph.failures[f"{POLICIES}?$skiptoken=1"]
        tenant = pa.load_tenant(out)
        assert tenant.context_for("microsoft.directory/conditionalAccessPolicies/create") == "c1"
        assert {u.id for u in tenant.users} == {u["id"] for u in EXPECTED_USERS}
        assert tenant.emergency_access_accounts == (BREAK_GLASS,)
        assert f"{GHOST} is neither a user, a group nor a service principal" in result.err
        assert sorted(p.name for p in tmp_path.iterdir()) == ["tenant"]  # no staging left

    def test_requests(self, tmp_path: Path) -> None:
        """Every request carries the token; the protected actions name
        ``authenticationContextId`` in ``$select``; directory objects ask only for
        what the bundle needs."""
        graph = recorded_graph()
        assert export(graph, tmp_path / "t").status == EXIT_OK
        assert {r.authorization for r in graph.requests} == {f"Bearer {TOKEN}"}
        first = {r.path: r.query for r in reversed(graph.requests)}
        assert "authenticationContextId" in first[RESOURCE_ACTIONS]["$select"].split(",")
        assert first[f"/v1.0/users/{BREAK_GLASS}"] == {"$select": "id,displayName,userType"}
        assert "$select" not in first[POLICIES]  # whole policies: nothing is lost

    def test_lint_and_lockout_read_the_export(self, tmp_path: Path) -> None:
        """The first run: export, then lint, then lockout on the folder."""
        out = tmp_path / "t"
        assert export(recorded_graph(), out).status == EXIT_OK
        lint = invoke("lint", "--tenant", str(out), "--format", "json")
        assert lint.status in (0, 1), lint.err
        lockout = invoke("lockout", "--tenant", str(out))
        assert lockout.status in (0, 1), lockout.err

    def test_missing_permission_is_one_line_exit_2_and_no_folder(self, tmp_path: Path) -> None:
        graph = recorded_graph()
        graph.failures = {ELIGIBILITY: [(403, {}, {"error": {
            "code": "Authorization_RequestDenied",
            "message": "Insufficient privileges to complete the operation."}})]}
        out = tmp_path / "t"
        result = export(graph, out)
        assert result.status == EXIT_USAGE
        assert result.out == ""
        lines = result.err.splitlines()
        assert len(lines) == 1, result.err
        assert "grant the Microsoft Graph permission RoleEligibilitySchedule.Read.Directory" \
            in lines[0]
        assert "403" in lines[0] and "Authorization_RequestDenied" in lines[0]
        assert list(tmp_path.iterdir()) == []

    def test_throttled_beyond_the_budget(self, tmp_path: Path) -> None:
        graph = recorded_graph()
        graph.failures = {POLICIES: [(503, {"Retry-After": "0"}, {})] * 10}
        result = export(graph, tmp_path / "t")
        assert result.status == EXIT_USAGE
        assert "retry budget is spent" in result.err
        assert list(tmp_path.iterdir()) == []

    def test_rejected_token(self, tmp_path: Path) -> None:
        graph = recorded_graph()
        graph.failures = {POLICIES: [(401, {}, {"error": {"code": "InvalidAuthenticationToken"}})]}
        result = export(graph, tmp_path / "t")
        assert result.status == EXIT_USAGE
        assert "rejected the token (401 Unauthorized, InvalidAuthenticationToken)" in result.err

    def test_existing_folder_is_kept_without_overwrite(self, tmp_path: Path) -> None:
        out = tmp_path / "t"
        out.mkdir()
        (out / "keep.txt").write_text("mine")
        result = export(recorded_graph(), out)
        assert result.status == EXIT_USAGE
        assert "already exists" in result.err
        assert [p.name for p in out.iterdir()] == ["keep.txt"]
        assert export(recorded_graph(), out, "--overwrite").status == EXIT_OK
        assert not (out / "keep.txt").exists()
        assert pa.load_tenant(out).policies

    def test_token_from_the_environment(self, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("GRAPH_TOKEN", f"Bearer {TOKEN}")
        graph = recorded_graph()
        with serving(graph) as url:
            result = invoke("export", "--graph-url", url, "--token-env", "GRAPH_TOKEN",
                            "--out", str(tmp_path / "t"))
        assert result.status == EXIT_OK, result.err
        assert {r.authorization for r in graph.requests} == {f"Bearer {TOKEN}"}

    def test_unset_token_variable(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.delenv("NO_SUCH_TOKEN", raising=False)
        result = invoke("export", "--token-env", "NO_SUCH_TOKEN", "--out", str(tmp_path / "t"))
        assert result.status == EXIT_USAGE
        assert "NO_SUCH_TOKEN" in result.err

    def test_progress_on_a_terminal(self, tmp_path: Path,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr("protected_actions.cli.progress.DELAY", 0.0)
        err = TTY()
        with serving(recorded_graph()) as url:
            result = invoke("export", "--graph-url", url, "--token", TOKEN,
                            "--out", str(tmp_path / "t"), stderr=err)
        assert result.status == EXIT_OK
        assert "conditionalAccessPolicies" in err.getvalue()
        bar = err.getvalue().split("protected-actions: warning")[0]
        assert bar.endswith("\r")  # the bar erased itself before the warning

    def test_help_names_the_permissions(self, capsys: pytest.CaptureFixture[str]) -> None:
        with pytest.raises(SystemExit):
            invoke("export", "--help")
        text = " ".join(capsys.readouterr().out.split())
        assert "Policy.Read.All" in text and "RoleManagement.Read.Directory" in text
