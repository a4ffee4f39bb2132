"""find_lockouts: witnesses, locked-out permissions and emergency-account proofs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs
import pytest

import protected_actions as pa
from protected_actions.analysis import CRITICAL_PERMISSIONS, LockoutReport, find_lockouts

GA = pa.GLOBAL_ADMINISTRATOR.id
CAA = pa.CONDITIONAL_ACCESS_ADMINISTRATOR.id
CREATE = "microsoft.directory/conditionalAccessPolicies/create"
DELETED = "microsoft.directory/deletedItems/delete"
AUTH_CONTEXT_UPDATE = (
    "microsoft.directory/resourceNamespaces/resourceActions/authenticationContext/update")


def policy(pid: str, *, context: str = "c1", users: pa.UserConditions | None = None,
           grant: pa.GrantControls | None = None, state: str = "enabled",
           **conditions: Any) -> pa.Policy:
    """A policy on ``context`` for all users but the emergency group."""
    return pa.Policy(
        id=pid, display_name=pid, state=state,
        conditions=pa.Conditions(
            users=users or pa.UserConditions(include_users=["All"], exclude_groups=["bg"]),
            applications=pa.ApplicationConditions(
                include_authentication_context_class_references=[context]),
            **conditions),
        grant_controls=grant)


def tenant(*policies: pa.Policy, users: Sequence[pa.User] | None = None,
           protected: Sequence[tuple[str, str]] = ((CREATE, "c1"), (AUTH_CONTEXT_UPDATE, "c1")),
           emergency: Sequence[str] = ("bg1",), **more: Any) -> pa.Tenant:
    """A tenant with an admin, a CA administrator and one emergency account."""
    return pa.Tenant(
        policies=policies,
        auth_contexts=[pa.AuthContext(id=c, is_available=True) for c in ("c1", "c2", "c3")],
        protected_actions=[pa.ProtectedAction(permission=p, context_id=c) for p, c in protected],
        users=users if users is not None else [
            pa.User(id="admin", roles={GA}),
            pa.User(id="caa", roles={CAA}),
            pa.User(id="bg1", roles={GA}, member_of={"bg"}),
        ],
        groups=[pa.Group(id="bg")],
        emergency_access_accounts=emergency, **more)


BLOCK = pa.GrantControls(built_in_controls=["block"])
PHISHING_RESISTANT = pa.GrantControls(
    authentication_strength=pa.PHISHING_RESISTANT_MFA_STRENGTH.id)


def assert_sound(report: LockoutReport, t: pa.Tenant) -> None:
    """Every witness, evaluated, allows (after the step-up it already contains)."""
    for verdict in report.permissions:
        if verdict.witness is not None:
            decision = pa.evaluate(t, verdict.witness.session, verdict.permission)
            assert decision.outcome is pa.Outcome.ALLOW, (verdict.permission, decision.explain())


class TestLockedOut:
    """Permissions nobody can use."""

    def test_block_everyone_without_exclusion_is_critical(self) -> None:
        """A block for all users on c1 with no exclusion locks everyone out, critically."""
        # DESIGN §4a: locking everyone out of CA management is the worst finding.
        t = tenant(policy("block", users=pa.UserConditions(include_users=["All"]), grant=BLOCK))
        report = find_lockouts(t)
        assert CREATE in report.locked_out
        assert AUTH_CONTEXT_UPDATE in report.locked_out
        assert set(report.critical) == {CREATE, AUTH_CONTEXT_UPDATE}
        assert report.witness(CREATE) is None
        assert report.emergency == {"bg1": False}

    def test_emergency_exclusion_lifts_the_lockout(self) -> None:
        """Excluding the emergency group leaves the emergency account as the witness."""
        t = tenant(policy("block", grant=BLOCK))
        report = find_lockouts(t)
        assert report.locked_out == ()
        witness = report.witness(CREATE)
        assert witness is not None and witness.user_id == "bg1"
        assert report.emergency == {"bg1": True}
        assert_sound(report, t)

    def test_report_only_policy_never_satisfies(self) -> None:
        """A context protected only by a report-only policy is locked out for everyone."""
        # entra-facts §1.3: the policy is never satisfied.
        t = tenant(policy("ro", grant=PHISHING_RESISTANT,
                          state="enabledForReportingButNotEnforced"))
        report = find_lockouts(t)
        verdict = report.verdict(CREATE)
        assert verdict is not None and verdict.locked_out
        assert "no enabled policy" in verdict.reason
        # It denies everyone alike, so it is not counted against the emergency account.
        assert report.emergency == {"bg1": True}

    def test_registered_methods_limit_step_up(self) -> None:
        """Holders who registered only password and SMS cannot meet phishing-resistant MFA."""
        # entra-facts §5.3, §5.5: no qualifying registered method means the user is blocked.
        users = [pa.User(id="admin", roles={GA}, registered_methods={"password", "sms"}),
                 pa.User(id="bg1", roles={GA}, member_of={"bg"},
                         registered_methods={"password", "sms"})]
        t = tenant(policy("pr", grant=PHISHING_RESISTANT,
                          users=pa.UserConditions(include_users=["All"])), users=users)
        report = find_lockouts(t)
        assert CREATE in report.locked_out

    def test_unknown_registered_methods_mean_any(self) -> None:
        """With registration unknown, the witness steps up with a phishing-resistant method."""
        t = tenant(policy("pr", grant=PHISHING_RESISTANT,
                          users=pa.UserConditions(include_users=["All"])))
        report = find_lockouts(t)
        witness = report.witness(CREATE)
        assert witness is not None
        assert witness.outcome_before is pa.Outcome.CHALLENGE
        assert any("Phishing-resistant" in a for a in witness.assumptions)
        assert_sound(report, t)


class TestWitnessAssumptions:
    """What a witness needs is said in words."""

    def test_compliant_device(self) -> None:
        """A compliant-device requirement gives a witness that needs a compliant device."""
        t = tenant(policy("dev", grant=pa.GrantControls(built_in_controls=["compliantDevice"])))
        witness = find_lockouts(t).witness(CREATE)
        assert witness is not None
        assert witness.session.device is not None and witness.session.device.is_compliant
        assert "needs a compliant device" in witness.assumptions

    def test_device_filter_literal_builds_the_device(self) -> None:
        """A PAW filter gives a witness whose device carries the rule's literal."""
        # entra-facts §7.3: extension attributes are visible on managed devices.
        paw = pa.DeviceConditions(device_filter=pa.Filter(
            mode="exclude", rule='device.extensionAttribute1 -eq "PAW"'))
        t = tenant(policy("paw", grant=BLOCK, devices=paw,
                          users=pa.UserConditions(include_users=["All"])),
                   protected=[(DELETED, "c1")])
        report = find_lockouts(t)
        witness = report.witness(DELETED)
        assert witness is not None and witness.session.device is not None
        assert witness.session.device.extension_attributes.get("extensionAttribute1") == "PAW"
        assert_sound(report, t)

    def test_trusted_location(self) -> None:
        """A block outside trusted networks gives a witness signing in from HQ."""
        # entra-facts §4.3: AllTrusted = named locations marked trusted.
        hq = pa.IpNamedLocation(id="hq", display_name="HQ", is_trusted=True,
                                ip_ranges=[pa.IpRange.from_cidr("203.0.113.0/24")])
        t = tenant(policy("loc", grant=BLOCK, users=pa.UserConditions(include_users=["All"]),
                          locations=pa.LocationConditions(include_locations=["All"],
                                                          exclude_locations=["AllTrusted"])),
                   named_locations=[hq])
        witness = find_lockouts(t).witness(CREATE)
        assert witness is not None and witness.session.ip_address is not None
        assert witness.session.ip_address.startswith("203.0.113.")

    def test_platform_exclusion(self) -> None:
        """A block on every platform but Windows gives a witness on Windows."""
        platforms = pa.PlatformConditions(include_platforms=["all"],
                                          exclude_platforms=["windows"])
        t = tenant(policy("plat", grant=BLOCK, platforms=platforms,
                          users=pa.UserConditions(include_users=["All"])))
        witness = find_lockouts(t).witness(CREATE)
        assert witness is not None and witness.session.device_platform == "windows"

    def test_eligible_holder_activates(self) -> None:
        """A PIM-eligible holder is a witness after activating the role."""
        t = tenant(policy("mfa", grant=pa.GrantControls(built_in_controls=["mfa"])),
                   users=[pa.User(id="carol", eligible_roles={GA})], emergency=())
        witness = find_lockouts(t).witness(CREATE)
        assert witness is not None and witness.user_id == "carol"
        assert any("through PIM" in a for a in witness.assumptions)

    def test_block_everywhere_but_one_risk_level(self) -> None:
        """A block that applies only at high sign-in risk leaves risk none as the witness."""
        t = tenant(policy("risk", grant=BLOCK, sign_in_risk_levels=["high"],
                          users=pa.UserConditions(include_users=["All"])))
        witness = find_lockouts(t).witness(CREATE)
        assert witness is not None and witness.session.sign_in_risk_level == "none"


class TestEmergencyAccounts:
    """Emergency accounts are proven safe, or shown a counterexample."""

    def test_counterexample_is_a_real_failure(self) -> None:
        """An emergency account a policy blocks on some platform gets that session back."""
        platforms = pa.PlatformConditions(include_platforms=["android"])
        t = tenant(policy("android-block", grant=BLOCK, platforms=platforms,
                          users=pa.UserConditions(include_users=["All"])))
        report = find_lockouts(t)
        [verdict] = report.emergency_accounts
        assert not verdict.safe and verdict.counterexample is not None
        session = verdict.counterexample.session
        assert session.device_platform == "android"
        decision = pa.evaluate(t, session, verdict.counterexample.permission)
        assert decision.outcome is pa.Outcome.DENY

    def test_challenge_it_can_do_is_safe(self) -> None:
        """An MFA challenge the emergency account can complete is not a failure."""
        users = [pa.User(id="bg1", roles={GA}, registered_methods={"fido2"})]
        t = tenant(policy("mfa", grant=pa.GrantControls(built_in_controls=["mfa"]),
                          users=pa.UserConditions(include_users=["All"])), users=users)
        assert find_lockouts(t).emergency == {"bg1": True}

    def test_challenge_it_cannot_do_is_unsafe(self) -> None:
        """A strength the emergency account has no registered method for is a failure."""
        users = [pa.User(id="bg1", roles={GA}, registered_methods={"password", "sms"})]
        t = tenant(policy("pr", grant=PHISHING_RESISTANT,
                          users=pa.UserConditions(include_users=["All"])), users=users)
        assert find_lockouts(t).emergency == {"bg1": False}


class TestReport:
    """Report shape and bookkeeping."""

    def test_progress_callback(self) -> None:
        """The progress callback counts up to the total."""
        seen: list[tuple[int, int]] = []
        find_lockouts(tenant(policy("b", grant=BLOCK)),
                      progress=lambda done, total, label: seen.append((done, total)))
        assert seen and seen[-1][0] == seen[-1][1]
        assert [d for d, _ in seen] == sorted(d for d, _ in seen)

    def test_only_held_permissions_are_reported(self) -> None:
        """Permissions nobody holds are not in the report."""
        t = tenant(policy("b", grant=BLOCK), users=[pa.User(id="caa", roles={CAA})],
                   emergency=())
        held = {v.permission for v in find_lockouts(t).permissions}
        assert DELETED not in held  # CA administrators do not hold hard deletion (§10)
        assert CREATE in held

    def test_critical_permissions(self) -> None:
        """The critical set is CA policy management plus protected-action management."""
        assert {p.value.split("/", 1)[1] for p in CRITICAL_PERMISSIONS} == {
            "conditionalAccessPolicies/basic/update", "conditionalAccessPolicies/create",
            "conditionalAccessPolicies/delete",
            "resourceNamespaces/resourceActions/authenticationContext/update"}

    def test_deterministic(self) -> None:
        """The same tenant gives an equal report."""
        t = tenant(policy("pr", grant=PHISHING_RESISTANT))
        assert find_lockouts(t) == find_lockouts(t)

    def test_order_of_policies_does_not_matter(self) -> None:
        """Reversing the policies gives the same verdicts."""
        ps = [policy("a", grant=PHISHING_RESISTANT),
              policy("b", grant=pa.GrantControls(built_in_controls=["compliantDevice"]))]
        one, two = tenant(*ps), tenant(*reversed(ps))
        assert find_lockouts(one).locked_out == find_lockouts(two).locked_out
        assert find_lockouts(one).emergency == find_lockouts(two).emergency
        w1, w2 = find_lockouts(one).witness(CREATE), find_lockouts(two).witness(CREATE)
        assert w1 is not None and w2 is not None
        assert attrs.evolve(w1) == w2


@pytest.mark.parametrize("grant", [
    pa.GrantControls(built_in_controls=["mfa"]),
    PHISHING_RESISTANT,
    pa.GrantControls(built_in_controls=["compliantDevice", "mfa"], operator="AND"),
    pa.GrantControls(built_in_controls=["domainJoinedDevice"]),
    pa.GrantControls(terms_of_use=["tou"]),
])
def test_every_witness_is_sound(grant: pa.GrantControls) -> None:
    """Whatever the grant, the witness found allows when evaluated."""
    t = tenant(policy("p", grant=grant, users=pa.UserConditions(include_users=["All"])))
    report = find_lockouts(t)
    assert report.witness(CREATE) is not None
    assert_sound(report, t)


def test_unknown_control_locks_out() -> None:
    """A grant control the evaluator cannot check can never be met: locked out."""
    # Issue contract: an unknown control is unmet and not satisfiable interactively.
    t = tenant(policy("p", grant=pa.GrantControls(built_in_controls=["riskRemediation"]),
                      users=pa.UserConditions(include_users=["All"])))
    assert CREATE in find_lockouts(t).locked_out
