"""``evaluate``: authorization, protection, applicability, grant and combination (DESIGN §4)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta, timezone, tzinfo
from typing import Any

import attrs
import pytest
from tests.helpers import (
    CA_ADMIN,
    CA_CREATE,
    CA_DELETE,
    DELETED_ITEMS_DELETE,
    GA,
    NOW,
    SEC_ADMIN,
    SESSION_ONLY,
    ago,
    auth,
    check,
    policy,
    result_for,
    session,
    tenant,
    user,
)

from protected_actions import (
    MFA_STRENGTH,
    PASSWORDLESS_MFA_STRENGTH,
    PHISHING_RESISTANT_MFA_STRENGTH,
    Authentication,
    AuthenticationStrength,
    CombinationConfiguration,
    ControlKind,
    Decision,
    Device,
    DeviceConditions,
    ExternalTenants,
    Filter,
    Group,
    GuestsOrExternalUsers,
    InvalidModelError,
    InvalidPermissionError,
    IpNamedLocation,
    IpRange,
    LocationConditions,
    Outcome,
    Permission,
    PlatformConditions,
    Policy,
    PolicyResultName,
    ReasonCode,
    RoleAssignment,
    RoleDefinition,
    RoleEligibility,
    SessionControls,
    SessionState,
    SignInFrequency,
    Tenant,
    User,
    UserConditions,
    evaluate,
)

REPORT_ONLY = "enabledForReportingButNotEnforced"
PAYROLL = "contoso.payroll/payments/approve"
HQ = IpNamedLocation(id="loc-hq", display_name="HQ", is_trusted=True,
                     ip_ranges=[IpRange.from_cidr("203.0.113.0/24")])
HQ_IP, HOME_IP = "203.0.113.7", "198.51.100.20"


def sif(**fields: object) -> SessionControls:
    """Session controls with a sign-in frequency."""
    return SessionControls(sign_in_frequency=SignInFrequency(**fields))  # type: ignore[arg-type]


class TestInputs:
    """Step 1: the action, and the argument types."""

    def test_malformed_action_raises(self) -> None:
        """A malformed action string raises InvalidPermissionError."""
        with pytest.raises(InvalidPermissionError):
            check(tenant(policy()), session(), "conditionalAccessPolicies create")

    @pytest.mark.parametrize("action", [
        "microsoft.directory/conditionalAccessPolicies",
        "microsoft.directory/deletedItems",
    ])
    def test_action_without_verb_raises(self, action: str) -> None:
        """A permission string with no verb is not an action and raises."""
        # DESIGN §4.1: "A malformed string raises."
        with pytest.raises(InvalidPermissionError):
            Permission(action)
        with pytest.raises(InvalidPermissionError):
            check(tenant(policy(), protected=[(CA_CREATE, "c1"), (DELETED_ITEMS_DELETE, "c1")]),
                  session(), action)

    def test_all_tasks_wildcard_is_not_an_action(self) -> None:
        """Evaluating an allTasks wildcard raises instead of answering for every action."""
        # DESIGN §4.1; entra-facts §10: allTasks is a grant, not an action one performs.
        with pytest.raises(InvalidPermissionError):
            check(tenant(policy()), session(),
                  "microsoft.directory/conditionalAccessPolicies/allProperties/allTasks")

    def test_permission_object_accepted(self) -> None:
        """A Permission can be passed instead of a string."""
        d = check(tenant(policy()), session(auth("fido2")), Permission(CA_CREATE))  # type: ignore[arg-type]
        assert d.outcome is Outcome.ALLOW
        assert d.target == CA_CREATE

    def test_action_matched_case_insensitively(self) -> None:
        """The action is matched to its protection in any spelling."""
        d = check(tenant(policy()), session(),
                  "Microsoft.Directory/ConditionalAccessPolicies/Create")
        assert d.outcome is Outcome.CHALLENGE
        assert d.context_id == "c1"

    def test_wrong_tenant_type(self) -> None:
        """A tenant that is not a Tenant raises InvalidModelError."""
        with pytest.raises(InvalidModelError) as info:
            evaluate({}, session(), CA_CREATE)  # type: ignore[arg-type]
        assert info.value.field == "tenant"

    def test_wrong_session_type(self) -> None:
        """A session that is not a SessionState raises InvalidModelError."""
        with pytest.raises(InvalidModelError) as info:
            evaluate(tenant(), {"at": "now"}, CA_CREATE)  # type: ignore[arg-type]
        assert info.value.field == "session"


class TestAuthorization:
    """Step 2: an active role must grant the permission (entra-facts §10)."""

    @pytest.mark.parametrize("action", [
        CA_CREATE, CA_DELETE, "microsoft.directory/conditionalAccessPolicies/basic/update"])
    def test_global_administrator_all_tasks(self, action: str) -> None:
        """Global Administrator is authorized for create, delete and basic/update through
        ``allProperties/allTasks``, and protection still applies."""
        # entra-facts §10, §1.1: protection applies however the permission was granted.
        t = tenant(policy(), protected=[(action, "c1")])
        d = check(t, session(), action)
        assert d.outcome is Outcome.CHALLENGE
        assert d.codes == (ReasonCode.STEP_UP_REQUIRED,)

    def test_ca_administrator_lacks_deleted_items_delete(self) -> None:
        """Conditional Access Administrator does not hold deletedItems/delete."""
        # entra-facts §10
        t = tenant(policy(), protected=[(DELETED_ITEMS_DELETE, "c1")])
        d = check(t, session(auth("fido2"), who=user(roles=[CA_ADMIN])), DELETED_ITEMS_DELETE)
        assert d.outcome is Outcome.DENY
        assert d.codes == (ReasonCode.NOT_AUTHORIZED,)

    def test_security_administrator_is_authorized(self) -> None:
        """Security Administrator holds the CA policy actions literally."""
        # entra-facts §10
        d = check(tenant(policy()), session(auth("fido2"), who=user(roles=[SEC_ADMIN])))
        assert d.outcome is Outcome.ALLOW

    def test_no_role(self) -> None:
        """A user with no role granting the permission is denied NOT_AUTHORIZED."""
        d = check(tenant(policy()), session(auth("fido2"), who=user(roles=())))
        assert d.outcome is Outcome.DENY
        assert d.codes == (ReasonCode.NOT_AUTHORIZED,)
        assert d.challenge is None

    def test_conditional_access_never_grants(self) -> None:
        """Satisfying every policy does not make up for a missing role."""
        t = tenant(policy(controls=(), session_controls=SESSION_ONLY))
        d = check(t, session(auth("fido2"), who=user(roles=())))
        assert d.codes == (ReasonCode.NOT_AUTHORIZED,)

    def test_eligible_role_only(self) -> None:
        """A role that is only eligible (PIM) gives ROLE_NOT_ACTIVE."""
        d = check(tenant(policy()), session(who=user(roles=(), eligible_roles={GA})))
        assert d.outcome is Outcome.DENY
        assert d.codes == (ReasonCode.ROLE_NOT_ACTIVE,)

    def test_eligible_role_from_the_directory(self) -> None:
        """A PIM eligibility recorded in the tenant gives ROLE_NOT_ACTIVE."""
        t = tenant(policy(), users=[User(id="eve")],
                   role_eligibilities=[RoleEligibility(principal_id="eve",
                                                       role_definition_id=GA)])
        assert check(t, session(who=User(id="eve"))).codes == (ReasonCode.ROLE_NOT_ACTIVE,)

    def test_active_role_from_the_directory(self) -> None:
        """An active role assignment recorded in the tenant authorizes the user."""
        t = tenant(policy(), users=[User(id="eve")],
                   role_assignments=[RoleAssignment(principal_id="eve", role_definition_id=GA)])
        assert check(t, session(auth("fido2"), who=User(id="eve"))).outcome is Outcome.ALLOW

    def test_role_through_role_assignable_group(self) -> None:
        """A role assigned to a role-assignable group the user is in authorizes the user."""
        t = tenant(policy(), users=[User(id="eve", member_of={"g-admins"})],
                   groups=[Group(id="g-admins", is_assignable_to_role=True)],
                   role_assignments=[RoleAssignment(principal_id="g-admins",
                                                    role_definition_id=GA)])
        d = check(t, session(who=User(id="eve")))
        assert d.outcome is Outcome.CHALLENGE

    def test_role_through_ordinary_group_does_not_count(self) -> None:
        """A role assignment to a group that is not role-assignable grants nothing."""
        t = tenant(policy(), users=[User(id="eve", member_of={"g-admins"})],
                   groups=[Group(id="g-admins", is_assignable_to_role=False)],
                   role_assignments=[RoleAssignment(principal_id="g-admins",
                                                    role_definition_id=GA)])
        assert check(t, session(who=User(id="eve"))).codes == (ReasonCode.NOT_AUTHORIZED,)

    def test_role_by_custom_definition_id(self) -> None:
        """A tenant's own role definition grants its permissions."""
        approver = RoleDefinition(id="r-payroll", display_name="Payroll approver",
                                  permissions=[PAYROLL], is_built_in=False)
        t = tenant(policy(), protected=[(PAYROLL, "c1")], role_definitions=[approver])
        d = check(t, session(auth("fido2"), who=user(roles=["r-payroll"])), PAYROLL)
        assert d.outcome is Outcome.ALLOW

    def test_check_authorization_false(self) -> None:
        """``check_authorization=False`` skips step 2 and goes on to Conditional Access."""
        d = check(tenant(policy()), session(who=user(roles=())), check_authorization=False)
        assert d.outcome is Outcome.CHALLENGE
        assert d.codes == (ReasonCode.STEP_UP_REQUIRED,)


class TestDirectoryJoin:
    """The session's user joined with the tenant's directory records (DESIGN §6)."""

    def test_directory_groups_used_for_exclusion(self) -> None:
        """Groups the directory records exclude the user even if the session omits them."""
        t = tenant(policy(users=UserConditions(include_users=["All"], exclude_groups=["g-bg"])),
                   users=[User(id="bg", member_of={"g-bg"})])
        d = check(t, session(who=user("bg")))
        assert d.codes == (ReasonCode.NO_POLICY_APPLIES,)

    def test_session_groups_add_to_directory_groups(self) -> None:
        """Groups the session states count as well as the directory's for inclusion;
        where the two disagree the policy applies if either makes it apply, so a
        membership only the session claims does not exclude (DESIGN §4)."""
        excluding = tenant(policy(users=UserConditions(include_users=["All"],
                                                       exclude_groups=["g-bg"])),
                           users=[User(id="bg", member_of={"g-other"})])
        d = check(excluding, session(who=user("bg", member_of={"g-bg"})))
        assert d.codes == (ReasonCode.STEP_UP_REQUIRED,)
        including = tenant(policy(users=UserConditions(include_groups=["g-bg"])),
                           users=[User(id="bg", member_of={"g-other"})])
        d = check(including, session(who=user("bg", member_of={"g-bg"})))
        assert d.codes == (ReasonCode.STEP_UP_REQUIRED,)

    def test_directory_roles_used_for_role_conditions(self) -> None:
        """An active role from the directory matches a policy's role condition."""
        t = tenant(policy(users=UserConditions(include_roles=[GA])), users=[User(id="eve")],
                   role_assignments=[RoleAssignment(principal_id="eve", role_definition_id=GA)])
        d = check(t, session(who=User(id="eve")))
        assert d.outcome is Outcome.CHALLENGE
        assert result_for(d, "p1").applies

    def test_directory_user_type_guest(self) -> None:
        """A user the directory records as a guest is treated as a guest."""
        # DESIGN §6: the union of what the session says and what the directory records,
        # user type included; entra-facts §6.2: userType Guest is an internal guest.
        t = tenant(policy(controls=("block",),
                          users=UserConditions(include_users=["GuestsOrExternalUsers"])),
                   users=[User(id="gus", user_type="Guest")])
        d = check(t, session(who=user("gus")))
        assert d.outcome is Outcome.DENY
        assert d.codes == (ReasonCode.BLOCKED_BY_POLICY,)

    def test_directory_join_ignores_user_id_case(self) -> None:
        """The directory record is found whatever the case of the session's user id, as
        policy user ids are matched."""
        object_id = "3f1e9c1a-aaaa-4bbb-8ccc-000000000001"
        t = tenant(policy(controls=("block",), users=UserConditions(include_groups=["g-admins"])),
                   users=[User(id=object_id, member_of={"g-admins"})])
        assert check(t, session(who=user(object_id))).outcome is Outcome.DENY
        assert check(t, session(who=user(object_id.upper()))).outcome is Outcome.DENY

    def test_unknown_user_uses_session_facts(self) -> None:
        """A user the directory does not know is evaluated on the session's facts alone."""
        t = tenant(policy(users=UserConditions(include_groups=["g-admins"])),
                   users=[User(id="someone-else")])
        d = check(t, session(who=user("eve", member_of={"g-admins"})))
        assert d.outcome is Outcome.CHALLENGE


class TestProtection:
    """Step 3: the auth context mapped to the permission."""

    def test_not_protected(self) -> None:
        """A permission with no auth context is allowed NOT_PROTECTED."""
        d = check(tenant(policy()), session(), DELETED_ITEMS_DELETE)
        assert d.outcome is Outcome.ALLOW
        assert d.codes == (ReasonCode.NOT_PROTECTED,)
        assert d.context_id is None

    @pytest.mark.parametrize("policies", [
        (),
        (policy(state="disabled"),),
        (policy(state=REPORT_ONLY),),
        (policy(state="disabled"), policy("p2", state=REPORT_ONLY)),
    ], ids=["no-policy", "disabled", "report-only", "disabled-and-report-only"])
    def test_never_satisfied_context(self, policies: tuple[object, ...]) -> None:
        """A protected directory permission with no enabled policy is CONTEXT_NOT_ENFORCED."""
        # entra-facts §1.3: "Policy is never satisfied" when the policy is missing, Off
        # or Report-only; §6.3: report-only counts as not created.
        d = check(tenant(*policies), session(auth("fido2")))  # type: ignore[arg-type]
        assert d.outcome is Outcome.DENY
        assert d.codes == (ReasonCode.CONTEXT_NOT_ENFORCED,)
        assert d.context_id == "c1"

    def test_policy_for_another_context_does_not_enforce(self) -> None:
        """An enabled policy on another context leaves this one never satisfied."""
        d = check(tenant(policy(contexts=("c2",)), contexts=("c1", "c2")), session())
        assert d.codes == (ReasonCode.CONTEXT_NOT_ENFORCED,)

    def test_never_satisfied_without_authorization_check(self) -> None:
        """The never-satisfied loop happens even when authorization is skipped."""
        d = check(tenant(), session(), check_authorization=False)
        assert d.codes == (ReasonCode.CONTEXT_NOT_ENFORCED,)

    def test_enabled_policy_that_does_not_apply(self) -> None:
        """An enabled policy excluding the user enforces the context; nothing applies."""
        t = tenant(policy(users=UserConditions(include_users=["All"], exclude_users=["alice"])))
        d = check(t, session())
        assert d.outcome is Outcome.ALLOW
        assert d.codes == (ReasonCode.NO_POLICY_APPLIES,)

    def test_application_namespace_without_enabled_policy(self) -> None:
        """An application's own permission with no enabled policy is allowed."""
        # entra-facts §2.6: a requested ACRS with no policy configured is issued.
        t = tenant(protected=[(PAYROLL, "c1")])
        d = check(t, session(), PAYROLL, check_authorization=False)
        assert d.outcome is Outcome.ALLOW
        assert d.codes == (ReasonCode.NO_POLICY_APPLIES,)
        assert d.context_id == "c1"

    def test_application_namespace_with_report_only_policy(self) -> None:
        """A report-only policy on an application's context is reported, not enforced."""
        # entra-facts §2.6, §6.3
        t = tenant(policy(state=REPORT_ONLY), protected=[(PAYROLL, "c1")])
        d = check(t, session(), PAYROLL, check_authorization=False)
        assert d.outcome is Outcome.ALLOW
        assert result_for(d, "p1").result is PolicyResultName.REPORT_ONLY_INTERRUPTED

    def test_application_namespace_with_enabled_policy(self) -> None:
        """An enabled policy on an application's context is enforced as usual."""
        t = tenant(policy(), protected=[(PAYROLL, "c1")])
        d = check(t, session(), PAYROLL, check_authorization=False)
        assert d.outcome is Outcome.CHALLENGE
        assert d.challenge is not None
        assert d.challenge.acrs == ("c1",)


class TestCombining:
    """Step 6: combining the enforced policies (entra-facts §6.1)."""

    def test_no_policy_applies(self) -> None:
        """When no enforced policy applies, access is allowed."""
        # entra-facts §6.1: no policy applies -> token issued.
        t = tenant(policy(users=UserConditions(include_users=["someone-else"])))
        d = check(t, session())
        assert (d.outcome, d.codes) == (Outcome.ALLOW, (ReasonCode.NO_POLICY_APPLIES,))

    def test_all_satisfied(self) -> None:
        """When every applying policy is satisfied, access is allowed."""
        d = check(tenant(policy()), session(auth("password", "sms")))
        assert (d.outcome, d.codes) == (Outcome.ALLOW, (ReasonCode.ALL_POLICIES_SATISFIED,))

    def test_block_wins_over_satisfied(self) -> None:
        """A block denies even when every other policy is satisfied."""
        # entra-facts §6.1: block stops enforcement.
        t = tenant(policy("p1"), policy("p2", controls=("block",)))
        d = check(t, session(auth("fido2")))
        assert d.outcome is Outcome.DENY
        assert d.codes == (ReasonCode.BLOCKED_BY_POLICY,)
        assert d.reasons[0].policy_id == "p2"

    def test_block_wins_over_a_challenge(self) -> None:
        """A block denies with no challenge even when a step-up is pending elsewhere."""
        # entra-facts §6.1: "enforcement stops here and the user is blocked".
        t = tenant(policy("p1"), policy("p2", controls=("block",)))
        d = check(t, session())
        assert d.codes == (ReasonCode.BLOCKED_BY_POLICY,)
        assert d.challenge is None

    def test_block_wins_over_a_non_interactive_requirement(self) -> None:
        """A block is reported as the reason even beside a device requirement."""
        t = tenant(policy("p1", controls=("compliantDevice",)), policy("p2", controls=("block",)))
        assert check(t, session()).codes == (ReasonCode.BLOCKED_BY_POLICY,)

    def test_block_in_or_with_other_controls(self) -> None:
        """``block`` among other controls still blocks."""
        d = check(tenant(policy(controls=("mfa", "block"))), session(auth("fido2")))
        assert d.codes == (ReasonCode.BLOCKED_BY_POLICY,)

    def test_every_blocking_policy_is_named(self) -> None:
        """Each blocking policy gives its own reason, sorted by policy id."""
        t = tenant(policy("p2", controls=("block",)), policy("p1", controls=("block",)))
        assert [r.policy_id for r in check(t, session()).reasons] == ["p1", "p2"]

    def test_two_policies_both_required(self) -> None:
        """MFA from one policy and a compliant device from another are both needed."""
        # entra-facts §6.1: "all applicable policies must be satisfied".
        t = tenant(policy("p-mfa"), policy("p-device", controls=("compliantDevice",)))
        both = check(t, session(auth("password", "sms"), device=Device(is_compliant=True)))
        assert both.outcome is Outcome.ALLOW
        mfa_only = check(t, session(auth("password", "sms")))
        assert mfa_only.outcome is Outcome.DENY
        assert mfa_only.codes == (ReasonCode.REQUIREMENT_NOT_INTERACTIVE,)
        device_only = check(t, session(device=Device(is_compliant=True)))
        assert device_only.outcome is Outcome.CHALLENGE
        assert device_only.reasons[0].policy_id == "p-mfa"

    def test_two_step_up_policies_challenge_together(self) -> None:
        """Two unsatisfied interactive policies give one challenge naming both."""
        t = tenant(policy("p1"), policy("p2", controls=(), terms_of_use=["tou-1"]))
        d = check(t, session())
        assert d.outcome is Outcome.CHALLENGE
        assert [r.policy_id for r in d.reasons] == ["p1", "p2"]
        assert d.challenge is not None
        assert [r.policy_id for r in d.challenge.requirements] == ["p1", "p2"]

    def test_policy_order_does_not_matter(self) -> None:
        """The same policies in another order give an equal decision."""
        ps = [policy("p1"), policy("p2", controls=("compliantDevice",)),
              policy("p3", controls=(), terms_of_use=["tou"])]
        s = session()
        assert check(tenant(*ps), s) == check(tenant(*reversed(ps)), s)


class TestOperators:
    """Step 5: AND and OR within one policy (entra-facts §6.1, §3.9)."""

    def test_or_one_control_is_enough(self) -> None:
        """With OR, one satisfied control satisfies the policy."""
        t = tenant(policy(controls=("mfa", "compliantDevice"), operator="OR"))
        assert check(t, session(device=Device(is_compliant=True))).outcome is Outcome.ALLOW
        assert check(t, session(auth("password", "sms"))).outcome is Outcome.ALLOW

    def test_or_offers_the_interactive_option(self) -> None:
        """With OR and nothing met, the interactive option makes it a challenge."""
        t = tenant(policy(controls=("compliantDevice", "mfa"), operator="OR"))
        d = check(t, session())
        assert d.outcome is Outcome.CHALLENGE
        assert d.challenge is not None
        (requirement,) = d.challenge.requirements
        assert [c.kind for c in requirement.any_of] == [ControlKind.MFA,
                                                        ControlKind.COMPLIANT_DEVICE]

    def test_and_needs_every_control(self) -> None:
        """With AND, every control must be met."""
        t = tenant(policy(controls=("mfa", "compliantDevice"), operator="AND"))
        assert check(t, session(auth("password", "sms"),
                                device=Device(is_compliant=True))).outcome is Outcome.ALLOW
        d = check(t, session(auth("password", "sms")))
        assert d.outcome is Outcome.DENY
        assert d.codes == (ReasonCode.REQUIREMENT_NOT_INTERACTIVE,)
        assert [r.any_of[0].kind for r in result_for(d, "p1").unmet] == [
            ControlKind.COMPLIANT_DEVICE]

    def test_and_interactive_controls_challenge(self) -> None:
        """With AND and only interactive controls unmet, each is its own requirement."""
        t = tenant(policy(controls=("mfa",), terms_of_use=["tou-1"], operator="AND"))
        d = check(t, session())
        assert d.outcome is Outcome.CHALLENGE
        assert d.challenge is not None
        assert [r.any_of[0].kind for r in d.challenge.requirements] == [
            ControlKind.MFA, ControlKind.TERMS_OF_USE]

    def test_unknown_operator_reads_as_and(self) -> None:
        """An operator the evaluator does not know is read as the stricter AND."""
        t = tenant(policy(controls=("mfa", "compliantDevice"), operator="XOR"))
        assert check(t, session(auth("password", "sms"))).outcome is Outcome.DENY

    def test_prompt_order_within_a_policy(self) -> None:
        """Requirements are listed MFA, compliant device, hybrid join, approved app, app
        protection, password change, terms of use."""
        # entra-facts §6.1: prompt order.
        t = tenant(policy(controls=("passwordChange", "compliantApplication",
                                    "approvedApplication", "domainJoinedDevice",
                                    "compliantDevice", "mfa"),
                          terms_of_use=["tou-1"], operator="AND"))
        d = check(t, session())
        assert [r.any_of[0].kind.value for r in result_for(d, "p1").unmet] == [
            "mfa", "compliantDevice", "domainJoinedDevice", "approvedApplication",
            "compliantApplication", "passwordChange", "termsOfUse"]

    def test_prompt_order_across_policies(self) -> None:
        """A challenge lists requirements from several policies in prompt order."""
        # entra-facts §6.1
        t = tenant(policy("p1", controls=(), terms_of_use=["tou-1"]),
                   policy("p2", controls=("passwordChange",)), policy("p3"))
        d = check(t, session())
        assert d.challenge is not None
        assert [(r.policy_id, r.any_of[0].kind.value) for r in d.challenge.requirements] == [
            ("p3", "mfa"), ("p2", "passwordChange"), ("p1", "termsOfUse")]


class TestExclusions:
    """Exclusion beats inclusion (entra-facts §6.2)."""

    def test_excluded_user(self) -> None:
        """A user both included and excluded is excluded."""
        t = tenant(policy(users=UserConditions(include_users=["All", "alice"],
                                               exclude_users=["alice"])))
        d = check(t, session())
        assert d.codes == (ReasonCode.NO_POLICY_APPLIES,)
        assert result_for(d, "p1").analysis_reasons == ("users",)

    def test_excluded_user_case_insensitive(self) -> None:
        """User ids match without regard to case."""
        t = tenant(policy(users=UserConditions(include_users=["All"], exclude_users=["ALICE"])))
        assert check(t, session()).codes == (ReasonCode.NO_POLICY_APPLIES,)

    def test_excluded_group(self) -> None:
        """A member of an excluded group is excluded."""
        t = tenant(policy(users=UserConditions(include_users=["All"], exclude_groups=["g-bg"])))
        assert check(t, session(who=user(member_of={"g-bg"}))).codes == (
            ReasonCode.NO_POLICY_APPLIES,)

    def test_included_and_excluded_group(self) -> None:
        """Being in an included group does not beat being in an excluded one."""
        t = tenant(policy(users=UserConditions(include_groups=["g-admins"],
                                               exclude_groups=["g-bg"])))
        d = check(t, session(who=user(member_of={"g-admins", "g-bg"})))
        assert d.codes == (ReasonCode.NO_POLICY_APPLIES,)

    def test_nested_group_excluded(self) -> None:
        """Membership of a group nested in an excluded group excludes the user."""
        # entra-facts §6.2: "Policy is applied to nested users and groups."
        t = tenant(policy(users=UserConditions(include_users=["All"],
                                               exclude_groups=["g-outer"])),
                   groups=[Group(id="g-inner", member_of={"g-middle"}),
                           Group(id="g-middle", member_of={"g-outer"}), Group(id="g-outer")])
        assert check(t, session(who=user(member_of={"g-inner"}))).codes == (
            ReasonCode.NO_POLICY_APPLIES,)

    def test_nested_group_included(self) -> None:
        """Membership of a group nested in an included group includes the user."""
        t = tenant(policy(users=UserConditions(include_groups=["g-outer"])),
                   groups=[Group(id="g-inner", member_of={"g-outer"}), Group(id="g-outer")])
        assert check(t, session(who=user(member_of={"g-inner"}))).outcome is Outcome.CHALLENGE

    def test_group_cycle_terminates(self) -> None:
        """Groups nested in a cycle are expanded without looping."""
        t = tenant(policy(users=UserConditions(include_users=["All"], exclude_groups=["g-b"])),
                   groups=[Group(id="g-a", member_of={"g-b"}), Group(id="g-b", member_of={"g-a"})])
        assert check(t, session(who=user(member_of={"g-a"}))).codes == (
            ReasonCode.NO_POLICY_APPLIES,)

    def test_excluded_active_role(self) -> None:
        """A user holding an excluded role actively is excluded."""
        t = tenant(policy(users=UserConditions(include_users=["All"], exclude_roles=[GA])))
        assert check(t, session()).codes == (ReasonCode.NO_POLICY_APPLIES,)

    def test_eligible_role_does_not_exclude(self) -> None:
        """An excluded role that is only eligible does not exclude the user."""
        # entra-facts §6.2 (inferred): role conditions match active assignments only.
        t = tenant(policy(users=UserConditions(include_users=["All"], exclude_roles=[GA])))
        d = check(t, session(who=user(roles=[CA_ADMIN], eligible_roles={GA})))
        assert d.outcome is Outcome.CHALLENGE

    def test_eligible_role_does_not_include(self) -> None:
        """An included role that is only eligible does not include the user."""
        # entra-facts §11: "During activation, the user doesn't have a role yet".
        t = tenant(policy(users=UserConditions(include_roles=[GA])))
        d = check(t, session(who=user(roles=[CA_ADMIN], eligible_roles={GA})))
        assert d.codes == (ReasonCode.NO_POLICY_APPLIES,)

    def test_scoped_role_assignment_does_not_exclude(self) -> None:
        """A role assigned only at an administrative-unit scope does not match an excluded
        role condition."""
        # entra-facts §6.2: CA policies don't support users assigned a directory role
        # scoped to an administrative unit; the RoleAssignment docstring says only
        # tenant-wide assignments count for role conditions.
        t = tenant(policy(users=UserConditions(include_users=["All"], exclude_roles=[GA])),
                   users=[User(id="bob")],
                   role_assignments=[
                       RoleAssignment(principal_id="bob", role_definition_id=CA_ADMIN),
                       RoleAssignment(principal_id="bob", role_definition_id=GA,
                                      directory_scope_id="/administrativeUnits/au-1")])
        d = check(t, session(who=User(id="bob")))
        assert d.outcome is Outcome.CHALLENGE

    def test_excluded_guests(self) -> None:
        """``GuestsOrExternalUsers`` in excludeUsers excludes any guest."""
        t = tenant(policy(users=UserConditions(include_users=["All"],
                                               exclude_users=["GuestsOrExternalUsers"])))
        guest = user("g1", user_type="guest")
        assert check(t, session(who=guest)).codes == (ReasonCode.NO_POLICY_APPLIES,)
        assert check(t, session()).outcome is Outcome.CHALLENGE


class TestReportOnly:
    """Report-only and disabled policies (entra-facts §6.3, §3.12)."""

    def test_report_only_block_not_enforced(self) -> None:
        """A report-only block never denies."""
        t = tenant(policy("p1"), policy("p2", controls=("block",), state=REPORT_ONLY))
        d = check(t, session(auth("fido2")))
        assert d.outcome is Outcome.ALLOW
        assert result_for(d, "p2").result is PolicyResultName.REPORT_ONLY_FAILURE
        assert result_for(d, "p2").enforced is False

    def test_report_only_mfa_not_prompted(self) -> None:
        """A report-only MFA policy never adds to the challenge."""
        t = tenant(policy("p1", controls=("compliantDevice",)),
                   policy("p2", state=REPORT_ONLY))
        d = check(t, session(device=Device(is_compliant=True)))
        assert d.outcome is Outcome.ALLOW
        assert result_for(d, "p2").result is PolicyResultName.REPORT_ONLY_INTERRUPTED

    @pytest.mark.parametrize(("report_only", "evidence", "expected"), [
        (policy("p2", state=REPORT_ONLY), (auth("fido2"),),
         PolicyResultName.REPORT_ONLY_SUCCESS),
        (policy("p2", state=REPORT_ONLY, controls=("compliantDevice",)), (),
         PolicyResultName.REPORT_ONLY_FAILURE),
        (policy("p2", state=REPORT_ONLY, controls=("block",)), (),
         PolicyResultName.REPORT_ONLY_FAILURE),
        (policy("p2", state=REPORT_ONLY), (), PolicyResultName.REPORT_ONLY_INTERRUPTED),
        (policy("p2", state=REPORT_ONLY, terms_of_use=["tou"], controls=()), (),
         PolicyResultName.REPORT_ONLY_INTERRUPTED),
        (policy("p2", state=REPORT_ONLY,
                users=UserConditions(include_users=["All"], exclude_users=["alice"])), (),
         PolicyResultName.REPORT_ONLY_NOT_APPLIED),
    ], ids=["success", "failure-device", "failure-block", "interrupted-mfa",
            "interrupted-terms", "not-applied"])
    def test_report_only_results(self, report_only: Policy,
                                 evidence: tuple[Authentication, ...],
                                 expected: PolicyResultName) -> None:
        """Report-only policies are reported with the sign-in log's reportOnly* names."""
        # entra-facts §6.3: Success / Failure / User action required / Not applied.
        t = tenant(policy("p1", controls=(), session_controls=SESSION_ONLY), report_only)
        d = check(t, session(*evidence))
        assert d.outcome is Outcome.ALLOW
        assert result_for(d, "p2").result is expected

    def test_enforced_results(self) -> None:
        """Enforced policies are reported success, failure or notApplied."""
        # entra-facts §3.12
        t = tenant(policy("p1"), policy("p2", controls=("compliantDevice",)),
                   policy("p3", users=UserConditions(include_users=["nobody"])))
        d = check(t, session(auth("fido2")))
        assert [p.result for p in d.policies] == [
            PolicyResultName.SUCCESS, PolicyResultName.FAILURE, PolicyResultName.NOT_APPLIED]

    def test_disabled_reported_not_enabled(self) -> None:
        """A disabled policy is reported notEnabled and never evaluated."""
        # entra-facts §3.12 notEnabled; §8.3 policyNotEnabled.
        t = tenant(policy("p1"), policy("p2", controls=("block",), state="disabled"))
        d = check(t, session(auth("fido2")))
        assert d.outcome is Outcome.ALLOW
        r = result_for(d, "p2")
        assert r.result is PolicyResultName.NOT_ENABLED
        assert r.analysis_reasons == ("policyNotEnabled",)
        assert not r.applies
        assert not r.enforced

    def test_decision_report_only_lists_them(self) -> None:
        """``Decision.report_only`` holds exactly the report-only results."""
        t = tenant(policy("p1"), policy("p2", state=REPORT_ONLY),
                   policy("p3", state="disabled"), policy("p4", state=REPORT_ONLY))
        d = check(t, session(auth("fido2")))
        assert [p.policy_id for p in d.report_only] == ["p2", "p4"]


class TestUnknownPolicyState:
    """A state the evaluator does not know is treated as enforced (fail-closed)."""

    def test_unknown_state_enforced(self) -> None:
        """An unknown-state policy is enforced and reported UNKNOWN_POLICY_STATE."""
        t = tenant(policy("p1", controls=(), session_controls=SESSION_ONLY),
                   policy("p2", state="partiallyEnabled", controls=("compliantDevice",)))
        d = check(t, session())
        assert d.outcome is Outcome.DENY
        assert d.codes == (ReasonCode.REQUIREMENT_NOT_INTERACTIVE,
                           ReasonCode.UNKNOWN_POLICY_STATE)
        r = result_for(d, "p2")
        assert r.enforced
        assert r.result is PolicyResultName.FAILURE

    def test_unknown_state_alone_does_not_enforce_the_context(self) -> None:
        """An unknown-state policy is not the *enabled* policy a directory context needs."""
        d = check(tenant(policy(state="partiallyEnabled")), session(auth("fido2")))
        assert d.codes == (ReasonCode.CONTEXT_NOT_ENFORCED,)


class TestStrengths:
    """``mfa`` and authentication strengths (entra-facts §5.3, §5.5)."""

    @pytest.mark.parametrize(("methods", "expected"), [
        (("password", "sms"), ("allow", "allow", "challenge", "challenge")),
        (("fido2",), ("allow", "allow", "allow", "allow")),
        (("windowsHelloForBusiness",), ("allow", "allow", "allow", "allow")),
        (("x509CertificateMultiFactor",), ("allow", "allow", "allow", "allow")),
        (("temporaryAccessPassOneTime",), ("allow", "allow", "challenge", "challenge")),
        (("password",), ("challenge", "challenge", "challenge", "challenge")),
    ])
    def test_mfa_and_built_in_strengths(self, methods: tuple[str, ...],
                                        expected: tuple[str, ...]) -> None:
        """Each method satisfies ``mfa`` and the built-in strengths as documented."""
        # entra-facts §5.3; §5.5: the built-in MFA strength is equivalent to ``mfa``.
        outcomes = []
        for strength in (None, MFA_STRENGTH.id, PASSWORDLESS_MFA_STRENGTH.id,
                         PHISHING_RESISTANT_MFA_STRENGTH.id):
            p = policy(controls=("mfa",) if strength is None else (), strength=strength)
            outcomes.append(check(tenant(p), session(auth(*methods))).outcome.value)
        assert tuple(outcomes) == expected

    def test_challenge_names_the_strength(self) -> None:
        """A strength challenge names the strength and lists its combinations."""
        t = tenant(policy(controls=(), strength=PHISHING_RESISTANT_MFA_STRENGTH.id))
        d = check(t, session(auth("password", "sms")))
        assert d.challenge is not None
        (option,) = d.challenge.requirements[0].any_of
        assert option.kind is ControlKind.AUTHENTICATION_STRENGTH
        assert option.detail == PHISHING_RESISTANT_MFA_STRENGTH.id
        assert ("fido2",) in option.combinations

    def test_custom_strength_fido2_aaguid(self) -> None:
        """A custom strength restricted to one passkey model accepts only that model."""
        # entra-facts §5.4
        keys = AuthenticationStrength(
            id="s-keys", display_name="YubiKey only", allowed_combinations=[("fido2",)],
            combination_configurations=[CombinationConfiguration(
                kind="fido2", applies_to_combinations=[("fido2",)],
                allowed_aaguids=["cb69481e-8ff7-4039-93ec-0a2729a154a8"])])
        t = tenant(policy(controls=(), strength="s-keys"), authentication_strengths=[keys])
        good = auth("fido2", aaguid="CB69481E-8FF7-4039-93EC-0A2729A154A8")
        other = auth("fido2", aaguid="ee882879-721c-4913-9775-3dfcce97072a")
        assert check(t, session(good)).outcome is Outcome.ALLOW
        assert check(t, session(other)).outcome is Outcome.CHALLENGE
        assert check(t, session(auth("fido2"))).outcome is Outcome.CHALLENGE
        d = check(t, session(other))
        assert d.challenge is not None
        assert d.challenge.requirements[0].any_of[0].fido2_aaguids == (
            "cb69481e-8ff7-4039-93ec-0a2729a154a8",)

    def test_unknown_strength_denies(self) -> None:
        """An unknown strength id is an unmet requirement no prompt satisfies."""
        # DESIGN §4.7
        d = check(tenant(policy(controls=(), strength="strength-missing")),
                  session(auth("fido2")))
        assert d.outcome is Outcome.DENY
        assert d.codes == (ReasonCode.REQUIREMENT_NOT_INTERACTIVE,)
        assert "strength-missing" in d.reasons[0].message


class TestSignInFrequency:
    """Sign-in frequency (entra-facts §6.8)."""

    @pytest.mark.parametrize(("frequency", "age", "expected"), [
        ({"value": 4, "type": "hours"}, timedelta(hours=3, minutes=59), Outcome.ALLOW),
        ({"value": 4, "type": "hours"}, timedelta(hours=4, minutes=1), Outcome.CHALLENGE),
        ({"value": 1, "type": "days"}, timedelta(hours=23), Outcome.ALLOW),
        ({"value": 1, "type": "days"}, timedelta(days=1, minutes=1), Outcome.CHALLENGE),
    ], ids=["hours-inside", "hours-outside", "days-inside", "days-outside"])
    def test_time_based(self, frequency: dict[str, object], age: timedelta,
                        expected: Outcome) -> None:
        """An MFA older than the frequency window does not count."""
        t = tenant(policy(session_controls=sif(frequency_interval="timeBased", **frequency)))
        assert check(t, session(auth("password", "sms", at=NOW - age))).outcome is expected

    @pytest.mark.parametrize(("age", "expected"), [
        (timedelta(minutes=4, seconds=59), Outcome.ALLOW),
        (timedelta(minutes=5, seconds=1), Outcome.CHALLENGE),
    ])
    def test_every_time_has_five_minutes_of_skew(self, age: timedelta,
                                                 expected: Outcome) -> None:
        """``everyTime`` accepts an authentication up to five minutes old."""
        # entra-facts §6.8: "five minutes of clock skew when every time is selected".
        t = tenant(policy(session_controls=sif(frequency_interval="everyTime")))
        assert check(t, session(auth("password", "sms", at=NOW - age))).outcome is expected

    def test_reauthentication_requirement(self) -> None:
        """With no fresh authentication, a frequency alone asks the user to sign in again."""
        t = tenant(policy(controls=(), grant=None, session_controls=sif(value=1, type="hours")))
        d = check(t, session(auth("password", at=ago(hours=2))))
        assert d.outcome is Outcome.CHALLENGE
        assert d.challenge is not None
        assert [c.kind for r in d.challenge.requirements for c in r.any_of] == [
            ControlKind.REAUTHENTICATION]

    def test_disabled_frequency_ignored(self) -> None:
        """A sign-in frequency that is not enabled does not limit evidence."""
        t = tenant(policy(session_controls=sif(is_enabled=False, value=1, type="hours")))
        assert check(t, session(auth("password", "sms", at=ago(days=3)))).outcome is \
            Outcome.ALLOW

    def test_authentication_after_at_never_counts(self) -> None:
        """An authentication dated after the session's time is not evidence."""
        future = auth("fido2", at=NOW + timedelta(minutes=1))
        assert check(tenant(policy()), session(future)).outcome is Outcome.CHALLENGE

    def test_authentication_after_at_never_counts_with_frequency(self) -> None:
        """A future authentication is not evidence within a frequency window either."""
        t = tenant(policy(session_controls=sif(frequency_interval="everyTime")))
        future = auth("fido2", at=NOW + timedelta(seconds=30))
        assert check(t, session(future)).outcome is Outcome.CHALLENGE

    @pytest.mark.parametrize(("frequency", "age", "expected"), [
        ({"value": 1, "type": "hours"}, timedelta(hours=1), Outcome.CHALLENGE),
        ({"value": 1, "type": "hours"}, timedelta(minutes=59, seconds=59), Outcome.ALLOW),
        ({"value": 1, "type": "days"}, timedelta(days=1), Outcome.CHALLENGE),
        ({"value": 1, "type": "days"}, timedelta(days=1, microseconds=-1), Outcome.ALLOW),
    ], ids=["hour-boundary", "hour-just-inside", "day-boundary", "day-just-inside"])
    def test_frequency_boundary_asks_again(self, frequency: dict[str, object],
                                           age: timedelta, expected: Outcome) -> None:
        """An authentication counts while its age is strictly less than the frequency:
        signed in at 00:00 with a one-hour frequency, the user is asked again at 01:00."""
        # https://learn.microsoft.com/en-us/entra/identity/conditional-access/concept-session-lifetime
        # (the user signs in at 00:00 and is prompted again at 01:00 with a one-hour
        # frequency).
        t = tenant(policy(session_controls=sif(frequency_interval="timeBased", **frequency)))
        assert check(t, session(auth("password", "sms", at=NOW - age))).outcome is expected

    def test_every_time_boundary(self) -> None:
        """``everyTime``: an authentication exactly five minutes old no longer counts."""
        # https://learn.microsoft.com/en-us/entra/identity/conditional-access/concept-session-lifetime
        t = tenant(policy(session_controls=sif(frequency_interval="everyTime")))
        assert check(t, session(auth("password", "sms", at=ago(minutes=5)))).outcome is \
            Outcome.CHALLENGE

    @pytest.mark.parametrize("unit", ["hours", "days"])
    def test_a_window_of_zero_reads_as_every_time(self, unit: str) -> None:
        """Graph takes 1-23 hours or 1-365 days (a negative value is a model error); 0 once made a
        window no authentication could be inside of: a CHALLENGE that no sign-in
        satisfies. It is unreadable, and read as every time: a fresh sign-in counts."""
        # https://learn.microsoft.com/en-us/entra/identity/conditional-access/concept-session-lifetime
        t = tenant(policy(session_controls=sif(frequency_interval="timeBased", value=0,
                                               type=unit)))
        assert check(t, session(auth("password", "sms", at=ago(minutes=1)))).outcome is \
            Outcome.ALLOW
        assert check(t, session(auth("password", "sms", at=ago(minutes=6)))).outcome is \
            Outcome.CHALLENGE

    def test_authentication_exactly_at_counts(self) -> None:
        """An authentication at the session's very moment counts."""
        assert check(tenant(policy()), session(auth("fido2", at=NOW))).outcome is Outcome.ALLOW


class TestClients:
    """Clients that cannot be prompted (entra-facts §2.2, §6.1)."""

    def test_client_without_claims_challenge_support(self) -> None:
        """A client that cannot take a claims challenge is denied CLIENT_CANNOT_STEP_UP."""
        # entra-facts §1.3: Azure PowerShell cannot do step-up and fails.
        d = check(tenant(policy()), session(supports_claims_challenge=False))
        assert d.outcome is Outcome.DENY
        assert d.codes == (ReasonCode.CLIENT_CANNOT_STEP_UP,)
        assert d.challenge is None
        assert "multifactor authentication" in d.reasons[0].message

    def test_client_without_claims_support_allowed_when_satisfied(self) -> None:
        """A client that cannot step up is allowed when nothing is needed."""
        d = check(tenant(policy()), session(auth("fido2"), supports_claims_challenge=False))
        assert d.outcome is Outcome.ALLOW

    @pytest.mark.parametrize("client", ["exchangeActiveSync", "other"])
    def test_legacy_clients_never_prompted(self, client: str) -> None:
        """Legacy clients are denied CLIENT_CANNOT_STEP_UP instead of being prompted."""
        # entra-facts §6.1: legacy auth cannot do MFA; EAS with MFA/ToU is blocked.
        t = tenant(policy(controls=("mfa",), terms_of_use=["tou-1"], operator="AND"))
        d = check(t, session(client_app_type=client))
        assert d.outcome is Outcome.DENY
        assert d.codes == (ReasonCode.CLIENT_CANNOT_STEP_UP,)
        assert client in d.reasons[0].message

    @pytest.mark.parametrize("client", ["browser", "mobileAppsAndDesktopClients"])
    def test_modern_clients_prompted(self, client: str) -> None:
        """Browsers and modern apps get a challenge."""
        assert check(tenant(policy()), session(client_app_type=client)).outcome is \
            Outcome.CHALLENGE


class TestNonInteractiveRequirements:
    """Requirements a prompt cannot satisfy (entra-facts §6.11)."""

    @pytest.mark.parametrize(("control", "remediation"), [
        ("compliantDevice", "a compliant device"),
        ("domainJoinedDevice", "a hybrid Entra joined device"),
        ("approvedApplication", "an approved client app"),
        ("compliantApplication", "an app protection policy"),
    ])
    def test_device_and_app_requirements_deny(self, control: str, remediation: str) -> None:
        """A missing device or app requirement denies with the remediation named."""
        d = check(tenant(policy(controls=(control,))), session(auth("fido2")))
        assert d.outcome is Outcome.DENY
        assert d.codes == (ReasonCode.REQUIREMENT_NOT_INTERACTIVE,)
        assert remediation in d.reasons[0].message
        assert d.reasons[0].policy_id == "p1"
        assert d.challenge is None

    @pytest.mark.parametrize(("control", "device"), [
        ("compliantDevice", Device(is_compliant=True)),
        ("domainJoinedDevice", Device(trust_type="ServerAD")),
    ])
    def test_device_requirements_met(self, control: str, device: Device) -> None:
        """A compliant or hybrid-joined device satisfies the matching control."""
        assert check(tenant(policy(controls=(control,))),
                     session(device=device)).outcome is Outcome.ALLOW

    def test_app_requirements_met(self) -> None:
        """Approved app and app protection evidence satisfy their controls."""
        t = tenant(policy(controls=("approvedApplication", "compliantApplication"),
                          operator="AND"))
        d = check(t, session(is_approved_client_app=True, has_app_protection_policy=True))
        assert d.outcome is Outcome.ALLOW

    @pytest.mark.parametrize(("control", "device"), [
        ("compliantDevice", Device(is_compliant=True)),
        ("domainJoinedDevice", Device(trust_type="ServerAD", is_compliant=True)),
    ])
    def test_device_code_flow_cannot_pass_device_state(self, control: str,
                                                       device: Device) -> None:
        """Device code flow cannot satisfy a device grant, even from a good device."""
        # entra-facts §6.11
        d = check(tenant(policy(controls=(control,))),
                  session(device=device, authentication_flow="deviceCodeFlow"))
        assert d.outcome is Outcome.DENY
        assert d.codes == (ReasonCode.REQUIREMENT_NOT_INTERACTIVE,)

    @pytest.mark.parametrize("control", ["riskRemediation", "compliantNetwork",
                                         "unknownFutureValue"])
    def test_unknown_grant_control_denies(self, control: str) -> None:
        """A grant control the evaluator cannot check is unmet and not interactive."""
        # DESIGN §4.7: an unknown grant control is an unmet requirement (fail-closed).
        d = check(tenant(policy(controls=(control,))), session(auth("fido2")))
        assert d.outcome is Outcome.DENY
        assert d.codes == (ReasonCode.REQUIREMENT_NOT_INTERACTIVE,)
        assert control in d.reasons[0].message
        (requirement,) = result_for(d, "p1").unmet
        assert requirement.any_of[0].kind is ControlKind.UNKNOWN_CONTROL
        assert requirement.any_of[0].detail == control

    def test_unknown_control_with_interactive_alternative(self) -> None:
        """With OR, an interactive alternative to an unknown control still challenges."""
        d = check(tenant(policy(controls=("riskRemediation", "mfa"))), session())
        assert d.outcome is Outcome.CHALLENGE

    def test_legacy_client_needing_a_device_gets_the_remediation(self) -> None:
        """A non-interactive requirement is reported even for a legacy client."""
        d = check(tenant(policy(controls=("compliantDevice",))),
                  session(client_app_type="exchangeActiveSync"))
        assert d.codes == (ReasonCode.REQUIREMENT_NOT_INTERACTIVE,)


class TestUndeterminedConditions:
    """Facts the session does not supply (DESIGN §4.4)."""

    def test_no_ip_with_a_location_policy(self) -> None:
        """Without an IP address, a location condition is undetermined and applies."""
        t = tenant(policy(controls=("block",),
                          locations=LocationConditions(include_locations=["All"],
                                                       exclude_locations=["loc-hq"])),
                   named_locations=[HQ])
        d = check(t, session())
        assert d.outcome is Outcome.DENY
        assert d.complete is False
        assert set(d.codes) == {ReasonCode.BLOCKED_BY_POLICY, ReasonCode.UNDETERMINED_CONDITION}
        r = result_for(d, "p1")
        assert r.applies
        assert r.analysis_reasons == ("notEnoughInformation",)

    def test_known_ip_decides_the_location(self) -> None:
        """With an IP address the location condition is decided either way."""
        t = tenant(policy(controls=("block",),
                          locations=LocationConditions(include_locations=["All"],
                                                       exclude_locations=["loc-hq"])),
                   named_locations=[HQ])
        inside = check(t, session(ip_address=HQ_IP))
        assert (inside.outcome, inside.complete) == (Outcome.ALLOW, True)
        assert result_for(inside, "p1").analysis_reasons == ("location",)
        outside = check(t, session(ip_address=HOME_IP))
        assert (outside.outcome, outside.complete) == (Outcome.DENY, True)

    def test_all_trusted_exclusion(self) -> None:
        """``AllTrusted`` means the named locations marked trusted."""
        # entra-facts §4.3
        t = tenant(policy(controls=("block",),
                          locations=LocationConditions(include_locations=["All"],
                                                       exclude_locations=["AllTrusted"])),
                   named_locations=[HQ])
        assert check(t, session(ip_address=HQ_IP)).outcome is Outcome.ALLOW
        assert check(t, session(ip_address=HOME_IP)).outcome is Outcome.DENY

    def test_unknown_named_location_is_undetermined(self) -> None:
        """A named location the tenant does not define leaves the condition undetermined."""
        # DESIGN §4.7
        t = tenant(policy(controls=("block",),
                          locations=LocationConditions(include_locations=["All"],
                                                       exclude_locations=["loc-missing"])))
        d = check(t, session(ip_address=HQ_IP))
        assert (d.outcome, d.complete) == (Outcome.DENY, False)

    def test_no_platform_with_a_platform_policy(self) -> None:
        """Without a platform, a platform condition is undetermined and applies."""
        t = tenant(policy(platforms=PlatformConditions(include_platforms=["windows"])))
        d = check(t, session())
        assert d.outcome is Outcome.CHALLENGE
        assert d.complete is False
        assert result_for(d, "p1").analysis_reasons == ("notEnoughInformation",)

    def test_undetermined_fact_never_satisfies_an_exclusion(self) -> None:
        """Without a platform, an excluded platform does not exclude."""
        t = tenant(policy(controls=("block",),
                          platforms=PlatformConditions(include_platforms=["all"],
                                                       exclude_platforms=["iOS"])))
        d = check(t, session())
        assert (d.outcome, d.complete) == (Outcome.DENY, False)
        assert check(t, session(device_platform="iOS")).outcome is Outcome.ALLOW

    def test_undetermined_guest_tenant_never_satisfies_an_exclusion(self) -> None:
        """An unknown home tenant neither satisfies a guest-tenant exclusion nor leaves the
        decision complete."""
        ex = GuestsOrExternalUsers(
            guest_or_external_user_types=["b2bCollaborationGuest"],
            external_tenants=ExternalTenants(membership_kind="enumerated",
                                             members=["partner-tenant"]))
        t = tenant(policy(controls=("block",),
                          users=UserConditions(include_users=["All"],
                                               exclude_guests_or_external_users=ex)))
        guest = user("g1", guest_or_external_user_type="b2bCollaborationGuest")
        d = check(t, session(who=guest))
        assert d.outcome is Outcome.DENY
        assert d.complete is False
        assert result_for(d, "p1").analysis_reasons == ("notEnoughInformation",)

    def test_determined_session_is_complete(self) -> None:
        """A decision with every needed fact supplied is complete."""
        t = tenant(policy(platforms=PlatformConditions(include_platforms=["windows"])))
        d = check(t, session(device_platform="windows"))
        assert d.complete is True
        assert result_for(d, "p1").analysis_reasons == ("notSet",)

    @pytest.mark.parametrize(("include", "exclude", "applies"), [
        (["all"], [], True),
        (["all"], ["iOS"], True),
        (["windows", "iOS", "android", "macOS", "linux", "windowsPhone"], [], False),
    ])
    def test_platform_outside_the_known_values_matches_only_all(
            self, include: list[str], exclude: list[str], applies: bool) -> None:
        """A platform outside the known values matches ``all`` and nothing else."""
        # entra-facts §6.4 (inferred): unknown platforms match only ``all``.
        t = tenant(policy(controls=("block",),
                          platforms=PlatformConditions(include_platforms=include,
                                                       exclude_platforms=exclude)))
        d = check(t, session(device_platform="chromeOS"))
        assert result_for(d, "p1").applies is applies
        assert d.complete is True

    def test_platform_matching_ignores_case(self) -> None:
        """Platform values match without regard to case."""
        t = tenant(policy(controls=("block",),
                          platforms=PlatformConditions(include_platforms=["iOS"])))
        assert check(t, session(device_platform="ios")).outcome is Outcome.DENY

    def test_risk_levels_default_none(self) -> None:
        """A session that supplies no risk has risk ``none``."""
        # DESIGN §4.4: "Risk levels not supplied are none."
        high = tenant(policy(controls=("block",), sign_in_risk_levels=["high"]))
        d = check(high, session(auth("fido2")))
        assert (d.outcome, d.complete) == (Outcome.ALLOW, True)
        assert result_for(d, "p1").analysis_reasons == ("signInRisk",)
        assert check(high, session(sign_in_risk_level="high")).outcome is Outcome.DENY
        none = tenant(policy(controls=("block",), user_risk_levels=["none"]))
        assert check(none, session()).outcome is Outcome.DENY


class TestOtherConditions:
    """Client app types and the device filter (DESIGN §4.4)."""

    def test_client_app_types(self) -> None:
        """A policy for legacy clients does not apply to a browser."""
        t = tenant(policy(controls=("block",), client_app_types=["exchangeActiveSync", "other"]))
        d = check(t, session(auth("fido2")))
        assert d.outcome is Outcome.ALLOW
        assert result_for(d, "p1").analysis_reasons == ("clientApps",)
        assert check(t, session(client_app_type="other")).outcome is Outcome.DENY

    @pytest.mark.parametrize(("rule", "applies"), [
        ('device.extensionAttribute1 -ne "SAW"', True),
        ('device.extensionAttribute1 -eq "SAW"', False),
        ('device.displayName -notStartsWith "SAW-"', True),
        ('device.displayName -startsWith "SAW-"', False),
    ])
    def test_unregistered_device_filter(self, rule: str, applies: bool) -> None:
        """On an unregistered device every property is null: negative operators match and
        positive ones do not."""
        # entra-facts §7.4
        t = tenant(policy(controls=("block",), devices=DeviceConditions(
            device_filter=Filter(mode="include", rule=rule))))
        d = check(t, session(auth("fido2")))
        assert result_for(d, "p1").applies is applies
        assert d.complete is True

    def test_privileged_access_workstation(self) -> None:
        """An exclude filter for a privileged access workstation lets only that device in."""
        # entra-facts §7.1: the documented "device.extensionAttribute1 -ne SAW" example.
        t = tenant(policy(controls=("block",), devices=DeviceConditions(
            device_filter=Filter(mode="exclude", rule='device.extensionAttribute1 -eq "SAW"'))))
        saw = Device(is_managed=True, extension_attributes={"extensionAttribute1": "SAW"})
        assert check(t, session(auth("fido2"), device=saw)).outcome is Outcome.ALLOW
        assert check(t, session(auth("fido2"))).outcome is Outcome.DENY

    def test_malformed_device_filter_fails_closed(self) -> None:
        """A device filter rule that does not parse never lets a policy off."""
        t = tenant(policy(controls=("block",), devices=DeviceConditions(
            device_filter=Filter(mode="exclude", rule='device.trustType -eq'))))
        d = check(t, session(auth("fido2"), device=Device(trust_type="AzureAD")))
        assert (d.outcome, d.complete) == (Outcome.DENY, False)


class TestDecision:
    """The decision object: trace, equality, serialization, explanation."""

    def test_the_hot_path_constructor_builds_the_same_object(self) -> None:
        """The evaluator builds decisions by setting slots; that is only the same as
        ``Decision(...)`` while Decision validates and converts nothing."""
        from protected_actions.engine.decision import Reason, _decision, _LazyTrace

        assert all(a.validator is None and a.converter is None
                   for a in attrs.fields(Decision))
        trace = _LazyTrace(tuple)
        reasons = (Reason(code=ReasonCode.NOT_AUTHORIZED, message="m"),)
        fast = _decision(Outcome.DENY, reasons, "t", "u", "c1", None, False, trace)
        assert fast == Decision(outcome=Outcome.DENY, reasons=reasons, target="t",
                                user_id="u", context_id="c1", challenge=None,
                                complete=False, trace=trace)
        assert repr(fast).startswith("Decision(outcome=<Outcome.DENY")

    def test_policies_sorted_one_per_policy(self) -> None:
        """The trace has one result per policy of the tenant, sorted by policy id."""
        t = tenant(policy("p3", contexts=("c2",)), policy("p1"),
                   policy("p2", state="disabled"), policy("p0", state=REPORT_ONLY),
                   contexts=("c1", "c2"))
        d = check(t, session())
        assert [p.policy_id for p in d.policies] == ["p0", "p1", "p2", "p3"]
        assert result_for(d, "p3").analysis_reasons == ("authenticationContext",)

    def test_trace_on_early_decisions(self) -> None:
        """Early decisions (not authorized, not protected) still trace every policy."""
        d = check(tenant(policy("p1"), policy("p2")), session(who=user(roles=())))
        assert [p.policy_id for p in d.policies] == ["p1", "p2"]

    @pytest.mark.parametrize("who", [user(roles=()), user(roles=(), eligible_roles={GA})],
                             ids=["not-authorized", "role-not-active"])
    def test_trace_of_an_early_denial_uses_the_protecting_context(self, who: User) -> None:
        """After an authorization denial, the trace still evaluates each policy against the
        auth context that protects the action."""
        d = check(tenant(policy()), session(who=who))
        assert d.context_id == "c1"
        r = result_for(d, "p1")
        assert r.analysis_reasons == ("notSet",)
        assert r.applies
        assert "auth context c1 is targeted" in r.details

    def test_trace_is_lazy(self) -> None:
        """The trace is computed on first access to ``policies``."""
        d = check(tenant(policy()), session())
        assert repr(d.trace) == "<trace>"
        assert d.policies[0].policy_id == "p1"
        assert repr(d.trace) != "<trace>"

    def test_equal_inputs_equal_decisions(self) -> None:
        """The same inputs give equal decisions with equal hashes."""
        a = check(tenant(policy()), session())
        b = check(tenant(policy()), session())
        assert a == b
        assert hash(a) == hash(b)
        assert a.policies == b.policies

    def test_different_traces_differ(self) -> None:
        """Decisions whose traces differ are not equal."""
        a = check(tenant(policy(), policy("p2", state="disabled")), session())
        b = check(tenant(policy()), session())
        assert a.outcome == b.outcome
        assert a.reasons == b.reasons
        assert a != b

    def test_convenience_properties(self) -> None:
        """``allowed``, ``challenged`` and ``denied`` mirror the outcome."""
        d = check(tenant(policy()), session())
        assert (d.allowed, d.challenged, d.denied) == (False, True, False)
        assert d.user_id == "alice"
        assert d.target == CA_CREATE
        assert d.context_id == "c1"

    @pytest.mark.parametrize("build", [
        lambda: check(tenant(policy()), session()),
        lambda: check(tenant(policy()), session(auth("fido2"))),
        lambda: check(tenant(policy(controls=("compliantDevice",))), session()),
        lambda: check(tenant(), session()),
        lambda: check(tenant(policy(platforms=PlatformConditions(include_platforms=["iOS"]))),
                      session()),
    ], ids=["challenge", "allow", "deny", "not-enforced", "incomplete"])
    def test_to_dict_is_json(self, build: Callable[[], Decision]) -> None:
        """``to_dict`` round-trips through JSON unchanged."""
        data = build().to_dict()
        assert json.loads(json.dumps(data)) == data
        assert set(data) == {"outcome", "target", "userId", "contextId", "complete",
                             "reasons", "challenge", "policies"}

    def test_to_dict_content(self) -> None:
        """``to_dict`` carries the outcome, reasons, challenge and trace."""
        data = check(tenant(policy()), session()).to_dict()
        assert data["outcome"] == "challenge"
        assert data["reasons"][0]["code"] == "STEP_UP_REQUIRED"
        assert data["challenge"]["claims"] == \
            '{"access_token":{"acrs":{"essential":true,"value":"c1"}}}'
        assert data["policies"][0]["result"] == "failure"
        assert data["policies"][0]["unmet"][0]["anyOf"][0]["kind"] == "mfa"

    def test_explain_names_policies_and_unmet(self) -> None:
        """``explain`` names the applying policies and their unmet requirements."""
        t = tenant(policy("p1"), policy("p2", users=UserConditions(include_users=["nobody"])))
        text = check(t, session()).explain()
        assert text.startswith(f"CHALLENGE: {CA_CREATE} for user alice (auth context c1)")
        assert "p1 'policy p1': failure" in text
        assert "unmet: multifactor authentication (policy p1)" in text
        assert "Policies that do not apply: 1" in text
        assert "p2 'policy p2'" not in text

    def test_explain_deny(self) -> None:
        """``explain`` of a denial names the reason code and the remediation."""
        text = check(tenant(policy(controls=("compliantDevice",))), session()).explain()
        assert text.startswith("DENY:")
        assert "REQUIREMENT_NOT_INTERACTIVE: needs a compliant device (policy p1)" in text

    def test_explain_incomplete(self) -> None:
        """``explain`` says when the decision is incomplete."""
        t = tenant(policy(platforms=PlatformConditions(include_platforms=["iOS"])))
        assert "incomplete" in check(t, session()).explain()

    def test_decision_is_frozen(self) -> None:
        """A decision cannot be changed in place."""
        d = check(tenant(policy()), session())
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            d.outcome = Outcome.ALLOW  # type: ignore[misc]

    def test_tenant_is_not_changed_by_evaluation(self) -> None:
        """Evaluating leaves the tenant equal to a fresh copy."""
        t = tenant(policy())
        check(t, session())
        assert t == Tenant(policies=t.policies, auth_contexts=t.auth_contexts,
                           protected_actions=t.protected_actions)


class TestCustomRoles:
    """Role conditions count built-in roles only (entra-facts §6.2)."""

    def test_custom_role_does_not_match_include_roles(self) -> None:
        """A block policy naming a custom role does not apply to its holder."""
        import protected_actions as pa

        custom = pa.RoleDefinition(id="custom-1", display_name="Custom", is_built_in=False,
                                   permissions={CA_CREATE})
        block = pa.Policy(id="b", conditions=pa.Conditions(
            users=pa.UserConditions(include_roles=["custom-1"]),
            applications=pa.ApplicationConditions(
                include_authentication_context_class_references=["c1"])),
            grant_controls=pa.GrantControls(built_in_controls=["block"]))
        t = pa.Tenant(policies=[block], role_definitions=[custom],
                      protected_actions=[pa.ProtectedAction(permission=CA_CREATE,
                                                            context_id="c1")])
        s = pa.SessionState(at=NOW, user=pa.User(id="u", roles={"custom-1"}))
        d = pa.evaluate(t, s, CA_CREATE)
        assert d.outcome is pa.Outcome.ALLOW
        assert d.policies[0].analysis_reasons == ("users",)


def _fresh_copy(t: Tenant) -> Tenant:
    """An equal tenant with nothing compiled or remembered yet."""
    return attrs.evolve(t)


_REMEMBERING = tenant(
    policy("p1", controls=("mfa",), session_controls=sif(value=1, type="hours",
                                                         is_enabled=True)),
    policy("p2", controls=("compliantDevice",), terms_of_use=["tou-1"], operator="OR"),
    policy("p3", controls=("passwordChange",), sign_in_risk_levels=("high",)),
    policy("p4", controls=("domainJoinedDevice",),
           client_app_types=("mobileAppsAndDesktopClients",)),
)


def _with(fields: dict[str, object]) -> SessionState:
    """A session at NOW for an active Global Administrator, on a non-compliant device."""
    merged: dict[str, Any] = {"device": Device(is_compliant=False), **fields}
    return SessionState(at=NOW, user=user(), **merged)


class TestRememberedAnswers:
    """The engine remembers per-user plans, per-session grant verdicts and decision
    bodies (protected_actions.engine.plans). One changed fact after another on the same
    tenant object must give the answer a freshly compiled tenant gives."""

    @pytest.mark.parametrize(("first", "then"), [
        ({}, {"client_app_type": "exchangeActiveSync"}),
        ({}, {"supports_claims_challenge": False}),
        ({"authentications": (auth("password", "microsoftAuthenticatorPush"),)},
         {"authentications": (auth("password", "microsoftAuthenticatorPush",
                                   at=ago(minutes=61)),)}),
        ({"authentications": (auth("password", "microsoftAuthenticatorPush"),)},
         {"authentications": (auth("password", "microsoftAuthenticatorPush",
                                   at=NOW + timedelta(minutes=1)),)}),
        ({"authentications": (auth("password", "sms", at=ago(minutes=59)),)},
         {"authentications": (Authentication(
             methods=frozenset({"password", "sms"}),
             at=(NOW - timedelta(minutes=61)).astimezone(timezone(timedelta(hours=5)))),)}),
        ({"device": Device(is_compliant=True)}, {"device": Device(is_compliant=True),
                                                 "authentication_flow": "deviceCodeFlow"}),
        ({}, {"device": Device(is_compliant=True)}),
        ({}, {"accepted_terms_of_use": {"tou-1"}}),
        ({"sign_in_risk_level": "high"}, {"sign_in_risk_level": "high",
                                          "authentications": (auth("password",
                                                                   at=ago(minutes=2)),),
                                          "password_changed_at": ago(minutes=1)}),
        ({}, {"sign_in_risk_level": "high"}),
        ({"client_app_type": "mobileAppsAndDesktopClients"},
         {"client_app_type": "mobileAppsAndDesktopClients",
          "device": Device(trust_type="ServerAD")}),
    ])
    def test_one_changed_fact(self, first: dict[str, object], then: dict[str, object]) -> None:
        warm = _fresh_copy(_REMEMBERING)
        before = check(warm, _with(first))
        after = check(warm, _with(then))
        assert after != before  # the fact matters, and is not taken from the first answer
        cold = check(_fresh_copy(_REMEMBERING), _with(then))
        assert after == cold
        assert after.policies == cold.policies

    def test_where_a_sign_in_is_is_remembered_per_address_and_country(self) -> None:
        """The tenant remembers each address's (and country's) named locations: one
        address after another on the same tenant object gives each its own answer."""
        t = tenant(policy(controls=("block",),
                          locations=LocationConditions(include_locations=["All"],
                                                       exclude_locations=["loc-hq"])),
                   named_locations=[HQ])
        answers = [check(t, session(ip_address=ip, country=country)).outcome
                   for ip, country in ((HQ_IP, None), (HOME_IP, None), (HQ_IP, "NL"),
                                       (None, None), (HQ_IP, None))]
        assert answers == [Outcome.ALLOW, Outcome.DENY, Outcome.ALLOW, Outcome.DENY,
                           Outcome.ALLOW]

    def test_same_user_other_groups(self) -> None:
        """The session's own group claims are part of the user's standing."""
        t = tenant(policy("p1", users=UserConditions(include_groups=("g1",))))
        assert check(t, session(who=user(member_of={"g1"}))).outcome is Outcome.CHALLENGE
        assert check(t, session(who=user())).outcome is Outcome.ALLOW
        assert check(t, session(who=user(member_of={"g1"}))).outcome is Outcome.CHALLENGE


class _SpringForward(tzinfo):
    """A zone at UTC+1 that moves to UTC+2 at 02:00 wall time on NOW's day."""

    SWITCH = datetime(NOW.year, NOW.month, NOW.day, 2, 0)

    def utcoffset(self, dt: datetime | None) -> timedelta:
        assert dt is not None
        return timedelta(hours=2 if dt.replace(tzinfo=None) >= self.SWITCH else 1)

    def dst(self, dt: datetime | None) -> timedelta:
        return self.utcoffset(dt) - timedelta(hours=1)

    def tzname(self, dt: datetime | None) -> str:
        return "SPRING"


class TestElapsedTime:
    """Sign-in frequency counts real elapsed time, also across a daylight-saving change
    (Python's own subtraction of two instants in one zone compares wall clocks)."""

    def test_across_a_clock_change(self) -> None:
        zone = _SpringForward()
        at = (_SpringForward.SWITCH + timedelta(minutes=30)).replace(tzinfo=zone)
        then = (_SpringForward.SWITCH - timedelta(minutes=50)).replace(tzinfo=zone)
        assert at - then == timedelta(minutes=80)  # wall clocks
        assert at.astimezone(timezone.utc) - then.astimezone(timezone.utc) == \
            timedelta(minutes=20)  # real time
        t = tenant(policy(session_controls=sif(value=1, type="hours", is_enabled=True)))
        mfa = Authentication(methods=frozenset({"password", "sms"}), at=then)
        d = evaluate(t, SessionState(at=at, user=user(), authentications=(mfa,)), CA_CREATE)
        assert d.outcome is Outcome.ALLOW
        late = Authentication(methods=frozenset({"password", "sms"}),
                              at=then - timedelta(minutes=41))  # 61 real minutes
        d = evaluate(t, SessionState(at=at, user=user(), authentications=(late,)), CA_CREATE)
        assert d.outcome is Outcome.CHALLENGE
