"""``lockout``: the report, its exit status, its JSON, and the progress bar."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from tests.cli import (
    CA_CREATE,
    CA_DELETE,
    PARTNER_CREATE,
    TTY,
    guarded_policy,
    guarded_tenant,
    invoke,
    write_bundle,
)

import protected_actions as pa
from protected_actions.analysis import find_lockouts
from protected_actions.cli import EXIT_FINDINGS, EXIT_OK
from protected_actions.cli import progress as _cli_progress
from protected_actions.cli.progress import ProgressBar
from protected_actions.graph import load_session, load_tenant
from protected_actions.samples import sample_tenant


def _compliant_device_for_everyone() -> pa.Tenant:
    """A second c1 policy asking everyone, break-glass included, for a compliant device."""
    device = guarded_policy(
        id="p2", display_name="CA management - compliant device",
        conditions=pa.Conditions(
            users=pa.UserConditions(include_users=("All",)),
            applications=pa.ApplicationConditions(
                include_authentication_context_class_references=("c1",))),
        grant_controls=pa.GrantControls(built_in_controls=("compliantDevice",)))
    return guarded_tenant(policies=[guarded_policy(), device])


class TestReport:
    """The text report and the exit status."""

    def test_sample_is_locked_out_of_c4(self) -> None:
        """The sample's c4 permissions are locked out: listed, and status 1."""
        result = invoke("lockout", "--tenant", "sample")
        assert result.status == EXIT_FINDINGS
        assert f"  {PARTNER_CREATE} [c4]\n" in result.out
        assert "Usable protected actions (9)" in result.out
        assert "  Emergency access 1 (00000007-1111-4222-8333-000000000007): safe: " \
            in result.out
        assert result.out.endswith(
            "Verdict: 2 permissions locked out, 0 critical, emergency accounts safe\n")

    def test_witnesses_and_assumptions(self) -> None:
        """Each usable protected action names a holder and what the holder needs."""
        out = invoke("lockout", "--tenant", "sample").out
        report = find_lockouts(sample_tenant())
        witness = report.witness(CA_CREATE)
        assert witness is not None
        assert f"  {CA_CREATE} [c1]: Alice Admin ({witness.user_id})\n" in out
        for text in witness.assumptions:
            assert f"      {text}\n" in out

    def test_nothing_wrong_exits_0(self, tmp_path: Path) -> None:
        """Nothing locked out and safe emergency accounts: status 0."""
        path = write_bundle(tmp_path / "t.json", guarded_tenant())
        result = invoke("lockout", "--tenant", str(path))
        assert result.status == EXIT_OK
        assert "Locked out: none\n" in result.out

    def test_critical_lockout(self, tmp_path: Path) -> None:
        """A report-only policy on c1 locks everyone out of Conditional Access."""
        tenant = guarded_tenant(policies=[guarded_policy(
            state="enabledForReportingButNotEnforced")])
        result = invoke("lockout", "--tenant", str(write_bundle(tmp_path / "t.json", tenant)))
        assert result.status == EXIT_FINDINGS
        assert f"  {CA_CREATE} [c1] CRITICAL\n" in result.out
        assert "Verdict: 2 permissions locked out, 2 critical" in result.out

    def test_unsafe_emergency_account_exits_1(self, tmp_path: Path) -> None:
        """An emergency account a policy can stop fails the run, though nothing is
        locked out."""
        path = write_bundle(tmp_path / "t.json", _compliant_device_for_everyone())
        result = invoke("lockout", "--tenant", str(path))
        assert result.status == EXIT_FINDINGS
        assert "Locked out: none\n" in result.out
        assert "  bg1: NOT SAFE: " in result.out
        assert result.out.endswith("2 emergency accounts not safe\n")

    def test_no_emergency_accounts(self, tmp_path: Path) -> None:
        """A tenant that designates none says so (lint reports it as PA101)."""
        path = write_bundle(tmp_path / "t.json", guarded_tenant(emergency_access_accounts=[]))
        result = invoke("lockout", "--tenant", str(path))
        assert "Emergency access accounts: none designated\n" in result.out
        assert result.status == EXIT_OK


class TestJson:
    """``--json``."""

    def test_report(self) -> None:
        """The JSON report lists every verdict and emergency account."""
        data = invoke("lockout", "--tenant", "sample", "--json").json()
        report = find_lockouts(sample_tenant())
        assert data["lockedOut"] == list(report.locked_out)
        assert data["critical"] == []
        assert data["emergencyAccountsSafe"] is True
        assert [v["permission"] for v in data["permissions"]] == [
            v.permission for v in report.permissions]
        assert {a["userId"]: a["safe"] for a in data["emergencyAccounts"]} == \
            dict(report.emergency)
        assert data["sessionsEvaluated"] == report.sessions_evaluated

    def test_witness_sessions_are_session_json(self) -> None:
        """Each witness session loads back and is allowed by the evaluator."""
        data = invoke("lockout", "--tenant", "sample", "--json").json()
        tenant = sample_tenant()
        for verdict in data["permissions"]:
            if verdict["witness"] is None:
                assert verdict["lockedOut"]
                continue
            session = load_session(verdict["witness"]["session"])
            assert pa.evaluate(tenant, session, verdict["permission"]).allowed

    def test_counterexample(self, tmp_path: Path) -> None:
        """An unsafe emergency account carries the session that stops it."""
        path = write_bundle(tmp_path / "t.json", _compliant_device_for_everyone())
        result = invoke("lockout", "--tenant", str(path), "--json")
        accounts = result.json()["emergencyAccounts"]
        assert [a["safe"] for a in accounts] == [False, False]
        counter = accounts[0]["counterexample"]
        assert counter["userId"] == "bg1"
        assert counter["outcomeBefore"] == "deny"
        session = load_session(counter["session"])
        tenant = load_tenant(path)
        assert any(pa.evaluate(tenant, session, p).denied for p in (CA_CREATE, CA_DELETE))
        assert result.status == EXIT_FINDINGS


class TestProgress:
    """The progress bar on standard error."""

    def test_no_bar_when_not_a_terminal(self) -> None:
        """Redirected standard error gets nothing, however long the sweep."""
        stream = io.StringIO()
        bar = ProgressBar(stream, delay=0)
        bar(1, 2, "first")
        bar.close()
        assert stream.getvalue() == ""

    def test_no_bar_for_a_quick_sweep(self) -> None:
        """Before the delay has passed, nothing is drawn."""
        now = [0.0]
        stream = TTY()
        bar = ProgressBar(stream, delay=1.0, clock=lambda: now[0])
        now[0] = 0.5
        bar(1, 2, "first")
        bar.close()
        assert stream.getvalue() == ""

    def test_bar_fits_the_terminal(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """A long label is cut so the bar stays on one line."""
        monkeypatch.setenv("COLUMNS", "40")
        stream = TTY()
        bar = ProgressBar(stream, delay=0)
        bar(1, 2, "x" * 100)
        assert len(stream.getvalue()) == 1 + 39

    def test_bar_after_the_delay_then_erased(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """After the delay the bar is drawn in place, and erased at the end."""
        monkeypatch.setenv("COLUMNS", "200")
        now = [0.0]
        stream = TTY()
        bar = ProgressBar(stream, delay=1.0, clock=lambda: now[0])
        now[0] = 1.5
        bar(1, 4, "permission one")
        bar(4, 4, "done")
        text = stream.getvalue()
        assert "\r[######..................] 1/4 permission one" in text
        assert "\r[########################] 4/4 done" in text
        bar.close()
        assert stream.getvalue().endswith("\r" + " " * len(
            "[########################] 4/4 done") + "\r")

    def test_cli_draws_on_a_terminal(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """``lockout`` passes the bar to ``find_lockouts``; standard output is clean."""
        monkeypatch.setattr(_cli_progress, "DELAY", 0.0)
        monkeypatch.setenv("COLUMNS", "200")
        stderr = TTY()
        result = invoke("lockout", "--tenant", "sample", stderr=stderr)
        assert "\r[" in result.err
        assert "emergency account 00000008-1111-4222-8333-000000000008" in result.err
        assert result.err.endswith("\r")
        assert "\r" not in result.out

    def test_cli_quiet_by_default(self) -> None:
        """A quick sweep draws nothing, even on a terminal."""
        result = invoke("lockout", "--tenant", "sample", stderr=TTY())
        assert result.err == ""
