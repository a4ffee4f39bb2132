"""``what_if_matrix`` and the what-if notebook (``docs/notebooks/what-if.ipynb``), which
is executed top to bottom with nbclient: any cell error fails the test."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from tests.apps import APPROVE, ERIN

from protected_actions import (
    Authentication,
    InvalidModelError,
    InvalidPermissionError,
    SessionState,
    Tenant,
    User,
)
from protected_actions.notebook.views import MATRIX_COLUMNS, what_if_matrix
from protected_actions.samples import sample_tenant

NOTEBOOK = Path(__file__).resolve().parents[2] / "docs" / "notebooks" / "what-if.ipynb"
NOW = datetime(2026, 11, 29, 10, 0, tzinfo=timezone.utc)
READ = "contoso.payroll/payments/read"
CA_CREATE = "microsoft.directory/conditionalAccessPolicies/create"


@pytest.fixture(scope="module")
def tenant() -> Tenant:
    """The embedded sample tenant."""
    return sample_tenant()


def mfa_session(user: User) -> SessionState:
    """``user`` signed in with password and push 30 minutes before :data:`NOW`."""
    return SessionState(at=NOW, user=user, authentications=[Authentication(
        methods={"password", "microsoftAuthenticatorPush"}, at=NOW - timedelta(minutes=30))])


class TestWhatIfMatrix:
    """One plain row per session and action."""

    def test_rows_are_plain(self, tenant: Tenant) -> None:
        """Every row has the documented keys, with strings, booleans or ``None``."""
        rows = what_if_matrix(tenant, tenant.users, [APPROVE, CA_CREATE], at=NOW)
        assert len(rows) == 2 * len(tenant.users)
        for row in rows:
            assert tuple(row) == MATRIX_COLUMNS
            assert all(isinstance(v, (str, bool)) or v is None for v in row.values())

    def test_order_is_sessions_then_actions(self, tenant: Tenant) -> None:
        """Rows follow the input order: each session, then each action."""
        users = [User(id="b"), User(id="a")]
        rows = what_if_matrix(tenant, users, [READ, APPROVE], at=NOW,
                              check_authorization=False)
        assert [(r["user_id"], r["action"]) for r in rows] == [
            ("b", READ), ("b", APPROVE), ("a", READ), ("a", APPROVE)]

    def test_a_session_is_used_as_is(self, tenant: Tenant) -> None:
        """A session carries its own evidence: fresh MFA satisfies ``c10``."""
        row, = what_if_matrix(tenant, [mfa_session(User(id=ERIN))], [APPROVE])
        assert (row["outcome"], row["reason_codes"], row["requirements"]) == (
            "allow", "ALL_POLICIES_SATISFIED", "")

    def test_display_name_from_the_directory(self, tenant: Tenant) -> None:
        """A user given by id alone is named from the tenant's users."""
        row, = what_if_matrix(tenant, [User(id=ERIN)], [APPROVE], at=NOW)
        assert row["display_name"] == "Erin Employee"
        assert (row["context"], row["outcome"], row["requirements"]) == (
            "c10", "challenge", "multifactor authentication (policy pa-c10-payroll-mfa)")

    def test_template_gives_each_user_the_same_sign_in(self, tenant: Tenant) -> None:
        """Users evaluated in a template session get its evidence, at ``at`` if given."""
        template = mfa_session(User(id="template"))
        rows = what_if_matrix(tenant, [User(id=ERIN)], [APPROVE], template=template)
        assert rows[0]["outcome"] == "allow"
        later = what_if_matrix(tenant, [User(id=ERIN)], [APPROVE], template=template,
                               at=NOW + timedelta(hours=5))
        assert later[0]["outcome"] == "challenge"

    def test_authorization_is_checked_by_default(self, tenant: Tenant) -> None:
        """Who holds no role granting the action is denied ``NOT_AUTHORIZED``."""
        row, = what_if_matrix(tenant, [User(id="nobody")], [APPROVE], at=NOW)
        assert (row["outcome"], row["reason_codes"]) == ("deny", "NOT_AUTHORIZED")

    def test_error_when_a_user_has_no_time(self, tenant: Tenant) -> None:
        """A user without ``at`` or a template cannot be evaluated."""
        with pytest.raises(InvalidModelError) as info:
            what_if_matrix(tenant, [User(id=ERIN)], [APPROVE])
        assert info.value.field == "at"

    def test_error_on_other_items(self, tenant: Tenant) -> None:
        """Items are sessions or users."""
        with pytest.raises(InvalidModelError):
            what_if_matrix(tenant, [ERIN], [APPROVE], at=NOW)  # type: ignore[list-item]

    def test_error_on_a_malformed_action(self, tenant: Tenant) -> None:
        """A malformed action raises, as ``evaluate`` does."""
        with pytest.raises(InvalidPermissionError):
            what_if_matrix(tenant, [User(id=ERIN)], ["approve"], at=NOW)

    def test_pandas_takes_the_rows(self, tenant: Tenant) -> None:
        """``pandas.DataFrame(rows)`` has one column per key, one row per pair."""
        pandas = pytest.importorskip("pandas", reason="the DataFrame check needs pandas")
        rows = what_if_matrix(tenant, tenant.users, [APPROVE, CA_CREATE], at=NOW)
        frame = pandas.DataFrame(rows)
        assert tuple(frame.columns) == MATRIX_COLUMNS
        assert frame.shape == (len(rows), len(MATRIX_COLUMNS))


def read_notebook() -> Any:
    """The notebook, read with nbformat (skips when nbformat is missing)."""
    nbformat = pytest.importorskip("nbformat", reason="the notebook test needs 'nbformat'")
    return nbformat.read(NOTEBOOK, as_version=4)


class TestNotebook:
    """The what-if notebook stays small, clean and runnable."""

    def test_outputs_are_cleared(self) -> None:
        """The stored notebook has no outputs and no execution counts."""
        notebook = read_notebook()
        code = [cell for cell in notebook.cells if cell.cell_type == "code"]
        assert code
        assert all(cell.outputs == [] and cell.execution_count is None for cell in code)

    def test_executes_without_errors(self) -> None:
        """Every cell runs in a fresh kernel; the decision and reports display."""
        notebook = read_notebook()
        nbclient = pytest.importorskip("nbclient", reason="the notebook test needs 'nbclient'")
        kernelspec = pytest.importorskip("jupyter_client.kernelspec",
                                         reason="the notebook test needs jupyter_client")
        kernel = notebook.metadata.kernelspec.name
        if kernel not in kernelspec.KernelSpecManager().find_kernel_specs():
            pytest.skip(f"no {kernel!r} Jupyter kernel installed (install ipykernel)")
        client = nbclient.NotebookClient(notebook, timeout=120, kernel_name=kernel,
                                         resources={"metadata": {"path": str(NOTEBOOK.parent)}})
        client.execute()
        outputs = [output for cell in notebook.cells if cell.cell_type == "code"
                   for output in cell.outputs]
        assert not [o for o in outputs if o.output_type == "error"]
        html = "".join(o.get("data", {}).get("text/html", "") for o in outputs)
        for view in ("protected-actions-tenant", "protected-actions-decision",
                     "protected-actions-findings", "protected-actions-lockout-report"):
            assert view in html
        text = "".join(o.get("text", "") + o.get("data", {}).get("text/plain", "")
                       for o in outputs)
        assert 'error="insufficient_claims"' in text
        assert "<Outcome.ALLOW: 'allow'>" in text
