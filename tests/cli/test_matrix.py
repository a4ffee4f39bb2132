"""``matrix``: users against protected actions, in Markdown, CSV and JSON."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from tests.cli import CA_CREATE, HARD_DELETE, PARTNER_CREATE, guarded_tenant, invoke, write_bundle

import protected_actions as pa
from protected_actions.cli import EXIT_OK
from protected_actions.samples import sample_tenant

PAYROLL = "contoso.payroll/payments/approve"


def _cells() -> dict[tuple[str, str], dict[str, object]]:
    data = invoke("matrix", "--tenant", "sample", "--format", "json").json()
    names = {u["id"]: u["displayName"] for u in data["users"]}
    return {(str(names[c["userId"]]), str(c["permission"])): c for c in data["cells"]}


@pytest.mark.parametrize(("user", "permission", "label"), [
    ("Alice Admin", CA_CREATE, "ALLOW after step-up"),
    ("Bob Security", CA_CREATE, "cannot step up"),
    ("Bob Security", PARTNER_CREATE, "DENY (CONTEXT_NOT_ENFORCED)"),
    ("Carol Eligible", CA_CREATE, "ALLOW after PIM activation and step-up"),
    ("Carol Eligible", PARTNER_CREATE, "eligible only"),
    ("Dave Partner (guest)", CA_CREATE, "DENY (BLOCKED_BY_POLICY)"),
    ("Erin Employee", CA_CREATE, "not authorized"),
    ("Erin Employee", PAYROLL, "ALLOW after step-up"),
    ("Frank Operator", HARD_DELETE, "ALLOW after step-up"),
    ("Emergency access 1", CA_CREATE, "ALLOW"),
])
def test_cells(user: str, permission: str, label: str) -> None:
    """Each cell is the best outcome the user can reach, or why there is none."""
    assert _cells()[(user, permission)]["label"] == label


def test_allow_cells_keep_what_they_assume() -> None:
    """A reachable ALLOW carries the witness's assumptions; other cells none."""
    cells = _cells()
    frank = cells[("Frank Operator", HARD_DELETE)]
    assert frank["outcome"] == "allow"
    assert any("extensionAttribute1='PAW'" in a for a in frank["assumptions"])  # type: ignore[attr-defined]
    erin = cells[("Erin Employee", CA_CREATE)]
    assert (erin["outcome"], erin["code"], erin["assumptions"]) == (
        "deny", "NOT_AUTHORIZED", [])


def test_json_shape() -> None:
    """One cell per user and protected action, users and actions listed."""
    result = invoke("matrix", "--tenant", "sample", "--format", "json")
    data = result.json()
    tenant = sample_tenant()
    assert [u["id"] for u in data["users"]] == [u.id for u in tenant.users]
    assert sorted(a["permission"] for a in data["protectedActions"]) == sorted(
        a.permission.value for a in tenant.protected_actions)
    assert len(data["cells"]) == len(tenant.users) * len(tenant.protected_actions)
    assert result.status == EXIT_OK


def test_markdown_table() -> None:
    """A Markdown table with short headers, then what each ALLOW takes."""
    result = invoke("matrix", "--tenant", "sample")
    lines = result.out.splitlines()
    assert lines[0].startswith("| User | contoso.payroll/payments/approve (c10) | "
                               "conditionalAccessPolicies/basic/update (c1) |")
    assert lines[1] == "|" + "---|" * 12
    assert lines[2].startswith("| Alice Admin | not authorized | ALLOW after step-up |")
    assert len([line for line in lines if line.startswith("| ")]) == 1 + 8
    assert "What each reachable ALLOW takes:" in result.out
    assert "- Frank Operator: `deletedItems/delete`: needs a compliant device" in result.out


def test_csv() -> None:
    """CSV: a header, then one row per user with the same labels."""
    result = invoke("matrix", "--tenant", "sample", "--format", "csv")
    rows = list(csv.reader(io.StringIO(result.out)))
    assert rows[0][:3] == ["userId", "displayName", PAYROLL]
    assert len(rows) == 1 + 8
    alice = rows[1]
    assert alice[1] == "Alice Admin"
    assert alice[rows[0].index(CA_CREATE)] == "ALLOW after step-up"


def test_principal_outside_the_directory(tmp_path: Path) -> None:
    """A role holder the directory does not list still gets a row."""
    tenant = guarded_tenant()
    extra = pa.RoleAssignment(principal_id="ghost",
                              role_definition_id=pa.CONDITIONAL_ACCESS_ADMINISTRATOR.id)
    tenant = guarded_tenant(role_assignments=[*tenant.role_assignments, extra])
    path = write_bundle(tmp_path / "t.json", tenant)
    data = invoke("matrix", "--tenant", str(path), "--format", "json").json()
    assert [u["id"] for u in data["users"]] == ["alice", "bg1", "bg2", "ghost"]
    ghost = [c for c in data["cells"] if c["userId"] == "ghost"]
    assert {c["label"] for c in ghost} == {"ALLOW after step-up"}


def test_no_protected_actions(tmp_path: Path) -> None:
    """A tenant without protected actions gives a table of users only."""
    path = write_bundle(tmp_path / "t.json", guarded_tenant(protected_actions=[]))
    result = invoke("matrix", "--tenant", str(path))
    assert result.out.splitlines()[:2] == ["| User |", "|---|"]
