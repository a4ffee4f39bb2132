"""The notebook HTML views: ``_repr_html_`` of decisions, lockout reports and tenants,
and the findings table. Every value is escaped; no script, style sheet or link."""

from __future__ import annotations

from datetime import datetime, timezone
from html.parser import HTMLParser

import pytest
from tests.apps import APPROVE, ERIN

from protected_actions import (
    ApplicationConditions,
    AuthContext,
    Conditions,
    Decision,
    GrantControls,
    Policy,
    ProtectedAction,
    SessionState,
    Tenant,
    User,
    UserConditions,
    evaluate,
)
from protected_actions.analysis import find_lockouts, lint
from protected_actions.notebook.html import (
    decision_html,
    findings_html,
    lockout_report_html,
    tenant_html,
)
from protected_actions.notebook.views import LintReport
from protected_actions.samples import sample_tenant

NOW = datetime(2026, 11, 29, 10, 0, tzinfo=timezone.utc)
HOSTILE = '<script>alert("x")</script> & "quotes"'
VOID = {"br", "hr", "img", "input", "meta", "link", "wbr"}


class Structure(HTMLParser):
    """Collects start tags and checks that every element is closed in order."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.open: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag not in VOID:
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.open and self.open[-1] == tag, f"</{tag}> closes {self.open[-1:]}"
        self.open.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(fragment: str) -> Structure:
    """Parse ``fragment``, asserting it is well nested and self-contained."""
    structure = Structure()
    structure.feed(fragment)
    structure.close()
    assert structure.open == []
    assert not {"script", "style", "link", "iframe"} & set(structure.tags)
    return structure


@pytest.fixture(scope="module")
def tenant() -> Tenant:
    """The embedded sample tenant."""
    return sample_tenant()


@pytest.fixture(scope="module")
def challenge(tenant: Tenant) -> Decision:
    """Erin approving a payment with no authentication on record: a challenge."""
    return evaluate(tenant, SessionState(at=NOW, user=User(id=ERIN)), APPROVE)


def hostile_tenant() -> Tenant:
    """A tenant whose names and ids carry markup."""
    policy = Policy(id="p<1>", display_name=HOSTILE, conditions=Conditions(
        users=UserConditions(include_users=("All",)),
        applications=ApplicationConditions(
            include_authentication_context_class_references=("c1",))),
        grant_controls=GrantControls(built_in_controls=("mfa",)))
    return Tenant(policies=[policy],
                  auth_contexts=[AuthContext(id="c1", display_name=HOSTILE, is_available=True)],
                  protected_actions=[ProtectedAction(
                      permission="contoso.app/things/approve", context_id="c1")])


class TestDecision:
    """``Decision._repr_html_``."""

    def test_repr_html_is_the_view(self, challenge: Decision) -> None:
        """Jupyter's hook renders the decision view."""
        assert challenge._repr_html_() == decision_html(challenge)

    def test_contents(self, challenge: Decision) -> None:
        """Outcome, target, context, reason, claims and the applying policy."""
        text = " ".join(parse(challenge._repr_html_()).text)
        for expected in ("CHALLENGE", APPROVE, "c10", "STEP_UP_REQUIRED",
                         '{"access_token":{"acrs":{"essential":true,"value":"c10"}}}',
                         "pa-c10-payroll-mfa", "multifactor authentication",
                         "19 policies do not apply"):
            assert expected in text

    def test_escapes_everything(self) -> None:
        """Markup in policy names and ids comes out as text."""
        decision = evaluate(hostile_tenant(), SessionState(at=NOW, user=User(id="u")),
                            "contoso.app/things/approve", check_authorization=False)
        fragment = decision._repr_html_()
        structure = parse(fragment)
        assert "&lt;script&gt;" in fragment and "p&lt;1&gt;" in fragment
        assert HOSTILE in "".join(structure.text)

    def test_incomplete_is_flagged(self, tenant: Tenant) -> None:
        """An undetermined condition is said out loud."""
        decision = evaluate(tenant, SessionState(at=NOW, user=User(id=ERIN)),
                            "microsoft.directory/namedLocations/create",
                            check_authorization=False)
        assert not decision.complete
        assert "Incomplete" in decision._repr_html_()


class TestLockoutReport:
    """``LockoutReport._repr_html_``."""

    def test_rows(self, tenant: Tenant) -> None:
        """One row per permission and per emergency account, locked-out ones flagged."""
        report = find_lockouts(tenant)
        fragment = report._repr_html_()
        assert fragment == lockout_report_html(report)
        structure = parse(fragment)
        rows = structure.tags.count("tr")
        assert rows == len(report.permissions) + len(report.emergency_accounts) + 2
        text = " ".join(structure.text)
        assert f"{len(report.locked_out)} of {len(report.permissions)} permissions" in text
        for permission in report.locked_out:
            assert permission in text


class TestTenant:
    """``Tenant._repr_html_``."""

    def test_protected_actions_and_policies(self, tenant: Tenant) -> None:
        """Each protected action with its context and the policies targeting it."""
        fragment = tenant._repr_html_()
        assert fragment == tenant_html(tenant)
        text = " ".join(parse(fragment).text)
        assert "Payroll approvals" in text
        assert "pa-c10-payroll-mfa (enabled)" in text
        assert "pa-c4-report-only (enabledForReportingButNotEnforced)" in text
        assert f"{len(tenant.policies)} policies" in text

    def test_undefined_context(self) -> None:
        """A protected action mapped to a context the tenant does not define says so."""
        tenant = Tenant(protected_actions=[ProtectedAction(
            permission="contoso.app/things/approve", context_id="c9")])
        assert "<em>undefined</em>" in tenant._repr_html_()

    def test_escapes_everything(self) -> None:
        """Context names and policy ids are escaped."""
        fragment = hostile_tenant()._repr_html_()
        parse(fragment)
        assert "<script>" not in fragment and "p&lt;1&gt; (enabled)" in fragment


class TestFindings:
    """``findings_html`` and ``LintReport``."""

    def test_one_row_per_finding(self, tenant: Tenant) -> None:
        """A header row, then one row per finding with code and message."""
        findings = lint(tenant)
        structure = parse(findings_html(findings))
        assert structure.tags.count("tr") == len(findings) + 1
        text = " ".join(structure.text)
        for finding in findings:
            assert finding.code in text and finding.message in text

    def test_no_findings(self) -> None:
        """An empty list says so."""
        assert "No findings." in findings_html(())

    def test_lint_report_is_the_findings(self, tenant: Tenant) -> None:
        """``LintReport`` is the tuple ``lint`` returns, displayed as the table."""
        report = LintReport(lint(tenant))
        assert report == lint(tenant)
        assert report._repr_html_() == findings_html(lint(tenant))
