"""``evaluate_sign_in``: the same engine with an application or user action as target."""

from __future__ import annotations

import pytest
from tests.helpers import auth, check, policy, result_for, session, tenant, user

from protected_actions import (
    ApplicationConditions,
    ClientApplications,
    Conditions,
    GrantControls,
    InvalidModelError,
    Outcome,
    Policy,
    PolicyResultName,
    ReasonCode,
    UserConditions,
    evaluate_sign_in,
)

GRAPH = "00000003-0000-0000-c000-000000000000"
EXCHANGE = "00000002-0000-0ff1-ce00-000000000000"
OTHER_APP = "11111111-2222-3333-4444-555555555555"
BING = "9ea1ad79-fdb6-4f9a-8bc3-2b70f96e34c7"
REGISTER_SECURITY_INFO = "urn:user:registersecurityinfo"
REGISTER_DEVICE = "urn:user:registerdevice"


def app_policy(policy_id: str, *include: str, exclude: tuple[str, ...] = (),
               controls: tuple[str, ...] = ("mfa",)) -> Policy:
    """A policy for all users on the given applications."""
    return policy(policy_id, controls=controls, applications=ApplicationConditions(
        include_applications=include, exclude_applications=exclude))


def workload_policy() -> Policy:
    """A policy for the tenant's service principals only (entra-facts §3.5)."""
    return Policy(
        id="p-wl", display_name="All ST SPs_All resources_Block",
        conditions=Conditions(
            users=UserConditions(include_users=["None"]),
            client_applications=ClientApplications(
                include_service_principals=["ServicePrincipalsInMyTenant"]),
            applications=ApplicationConditions(include_applications=["All"])),
        grant_controls=GrantControls(built_in_controls=["block"]))


class TestApplications:
    """Sign-ins to an application, named by app id."""

    def test_policy_for_the_app_applies(self) -> None:
        """A policy naming the app applies to a sign-in to it."""
        d = evaluate_sign_in(tenant(app_policy("p1", GRAPH)), session(), GRAPH)
        assert d.outcome is Outcome.CHALLENGE
        assert d.target == GRAPH
        assert d.context_id is None

    def test_policy_for_another_app_does_not_apply(self) -> None:
        """A policy naming another app is not applied, with reason ``application``."""
        d = evaluate_sign_in(tenant(app_policy("p1", EXCHANGE)), session(), GRAPH)
        assert d.codes == (ReasonCode.NO_POLICY_APPLIES,)
        assert result_for(d, "p1").analysis_reasons == ("application",)

    def test_app_id_case_insensitive(self) -> None:
        """App ids match without regard to case."""
        d = evaluate_sign_in(tenant(app_policy("p1", OTHER_APP.upper())), session(), OTHER_APP)
        assert d.outcome is Outcome.CHALLENGE

    def test_all_applications(self) -> None:
        """A policy on ``All`` applies to any app."""
        t = tenant(app_policy("p1", "All"))
        for app in (GRAPH, OTHER_APP):
            d = evaluate_sign_in(t, session(), app)
            assert d.outcome is Outcome.CHALLENGE
            assert result_for(d, "p1").analysis_reasons == ("notSet",)

    def test_excluded_app(self) -> None:
        """An app excluded from an ``All`` policy is not subject to it."""
        # entra-facts §0.1: exclude beats include for apps.
        t = tenant(app_policy("p1", "All", exclude=(OTHER_APP,)))
        d = evaluate_sign_in(t, session(), OTHER_APP)
        assert d.codes == (ReasonCode.NO_POLICY_APPLIES,)
        assert result_for(d, "p1").analysis_reasons == ("application",)
        assert evaluate_sign_in(t, session(), GRAPH).outcome is Outcome.CHALLENGE

    def test_office365_is_undetermined_for_a_first_party_id_in_no_list(self) -> None:
        """A Microsoft first-party id that no list places: the policy applies and the
        decision is incomplete. (Exchange Online, pinned here before the application
        catalog, is a documented member now: tests/engine/test_application_groups.py.)"""
        # https://learn.microsoft.com/entra/identity/conditional-access/reference-office-365-application-contents
        # names the members; Bing is a Microsoft application it does not name.
        d = evaluate_sign_in(tenant(app_policy("p1", "Office365")), session(), BING)
        assert d.outcome is Outcome.CHALLENGE
        assert d.complete is False
        assert ReasonCode.UNDETERMINED_CONDITION in d.codes
        assert result_for(d, "p1").analysis_reasons == ("notEnoughInformation",)

    def test_excluded_app_group_is_undetermined(self) -> None:
        """An excluded application group never excludes an app id it cannot place."""
        t = tenant(app_policy("p1", "All", exclude=("MicrosoftAdminPortals",),
                              controls=("block",)))
        d = evaluate_sign_in(t, session(), BING)
        assert (d.outcome, d.complete) == (Outcome.DENY, False)

    def test_auth_context_policy_does_not_apply_to_apps(self) -> None:
        """A policy targeting an auth context does not apply to an app sign-in."""
        d = evaluate_sign_in(tenant(policy("p1")), session(), GRAPH)
        assert d.codes == (ReasonCode.NO_POLICY_APPLIES,)
        assert result_for(d, "p1").analysis_reasons == ("application",)

    def test_satisfied(self) -> None:
        """With the required evidence, the sign-in is allowed."""
        d = evaluate_sign_in(tenant(app_policy("p1", GRAPH)), session(auth("fido2")), GRAPH)
        assert (d.outcome, d.codes) == (Outcome.ALLOW, (ReasonCode.ALL_POLICIES_SATISFIED,))

    def test_no_authorization_or_protection_step(self) -> None:
        """A sign-in needs no role and no protected context."""
        d = evaluate_sign_in(tenant(protected=[]), session(who=user(roles=())), GRAPH)
        assert d.codes == (ReasonCode.NO_POLICY_APPLIES,)

    def test_challenge_has_no_claims(self) -> None:
        """A sign-in challenge has no auth context, so no claims."""
        d = evaluate_sign_in(tenant(app_policy("p1", GRAPH)), session(), GRAPH)
        assert d.challenge is not None
        assert d.challenge.acrs == ()
        assert d.challenge.claims is None

    def test_block(self) -> None:
        """A block policy on the app denies the sign-in."""
        d = evaluate_sign_in(tenant(app_policy("p1", GRAPH, controls=("block",))), session(),
                             GRAPH)
        assert d.codes == (ReasonCode.BLOCKED_BY_POLICY,)

    def test_report_only_not_enforced(self) -> None:
        """A report-only app policy is reported but not enforced."""
        p = app_policy("p1", GRAPH, controls=("block",))
        d = evaluate_sign_in(tenant(Policy(id=p.id, display_name=p.display_name,
                                           state="enabledForReportingButNotEnforced",
                                           conditions=p.conditions,
                                           grant_controls=p.grant_controls)),
                             session(), GRAPH)
        assert d.outcome is Outcome.ALLOW
        assert result_for(d, "p1").result is PolicyResultName.REPORT_ONLY_FAILURE

    def test_legacy_client_cannot_be_prompted(self) -> None:
        """A legacy client cannot do the MFA a sign-in needs."""
        # entra-facts §6.1
        d = evaluate_sign_in(tenant(app_policy("p1", EXCHANGE)),
                             session(client_app_type="exchangeActiveSync"), EXCHANGE)
        assert d.codes == (ReasonCode.CLIENT_CANNOT_STEP_UP,)

    @pytest.mark.parametrize("target", ["", None, 3])
    def test_invalid_target(self, target: object) -> None:
        """The target must be a non-empty string."""
        with pytest.raises(InvalidModelError) as info:
            evaluate_sign_in(tenant(), session(), target)  # type: ignore[arg-type]
        assert info.value.field == "target"


class TestUserActions:
    """Sign-ins for the user actions (entra-facts §3.4)."""

    def test_register_security_info(self) -> None:
        """A policy on registering security info applies to that user action only."""
        t = tenant(policy("p1", controls=("block",), applications=ApplicationConditions(
            include_user_actions=[REGISTER_SECURITY_INFO])))
        d = evaluate_sign_in(t, session(), REGISTER_SECURITY_INFO)
        assert d.codes == (ReasonCode.BLOCKED_BY_POLICY,)
        other = evaluate_sign_in(t, session(), REGISTER_DEVICE)
        assert other.codes == (ReasonCode.NO_POLICY_APPLIES,)
        assert result_for(other, "p1").analysis_reasons == ("userActions",)

    def test_register_device(self) -> None:
        """A policy on registering devices applies to that user action."""
        t = tenant(policy("p1", applications=ApplicationConditions(
            include_user_actions=[REGISTER_DEVICE])))
        assert evaluate_sign_in(t, session(), REGISTER_DEVICE).outcome is Outcome.CHALLENGE

    def test_user_action_case_insensitive(self) -> None:
        """User action names match without regard to case."""
        t = tenant(policy("p1", applications=ApplicationConditions(
            include_user_actions=["urn:user:RegisterSecurityInfo"])))
        assert evaluate_sign_in(t, session(), REGISTER_SECURITY_INFO).outcome is \
            Outcome.CHALLENGE

    def test_app_policy_does_not_apply_to_user_actions(self) -> None:
        """A policy on All applications does not apply to a user action."""
        d = evaluate_sign_in(tenant(app_policy("p1", "All")), session(), REGISTER_DEVICE)
        assert d.codes == (ReasonCode.NO_POLICY_APPLIES,)
        assert result_for(d, "p1").analysis_reasons == ("userActions",)


class TestWorkloadIdentities:
    """Policies for service principals only (entra-facts §3.5)."""

    def test_workload_policy_not_applied_to_users(self) -> None:
        """A workload-identity-only policy never applies to a user, reason
        ``workloadIdentities``."""
        # entra-facts §3.5: policies scoped to service principals don't cover users.
        d = evaluate_sign_in(tenant(workload_policy()), session(), GRAPH)
        assert d.codes == (ReasonCode.NO_POLICY_APPLIES,)
        r = result_for(d, "p-wl")
        assert r.result is PolicyResultName.NOT_APPLIED
        assert r.analysis_reasons == ("workloadIdentities",)

    def test_workload_policy_in_the_protected_action_trace(self) -> None:
        """The same reason is reported in a protected-action decision's trace."""
        d = check(tenant(policy("p1"), workload_policy()), session(auth("fido2")))
        assert d.outcome is Outcome.ALLOW
        assert result_for(d, "p-wl").analysis_reasons == ("workloadIdentities",)
