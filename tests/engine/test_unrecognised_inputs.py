"""Nothing unrecognised passes silently: actions, sign-in targets, identifiers, the
session against the directory, scoped role assignments, password change and the
sign-in challenge header. Each case here used to turn a DENY or CHALLENGE into ALLOW
(or crash with a non-library error)."""

from __future__ import annotations

import pytest
from tests.helpers import GA, ago, auth, check, policy, session, tenant, user

from protected_actions import (
    ApplicationConditions,
    GuestsOrExternalUsers,
    InvalidModelError,
    InvalidPermissionError,
    Outcome,
    ProtectedActionsError,
    ReasonCode,
    RoleAssignment,
    RoleEligibility,
    User,
    UserConditions,
    evaluate_sign_in,
)
from protected_actions.graph import dump_tenant, load_tenant

GRAPH = "00000003-0000-0000-c000-000000000000"
REGISTER_SECURITY_INFO = "urn:user:registersecurityinfo"
AU = "/administrativeUnits/5a1e9d2c-0000-4000-8000-00000000a001"


class TestActions:
    """Actions follow ``namespace/entity[/property]/verb`` in ASCII letters, digits
    and dots; a near miss of a protectable or mapped permission is an error."""

    @pytest.mark.parametrize("action", [
        "microsoft.directory/conditionalAccessPolicies/cre\u0430te",  # Cyrillic a
        "microsoft.directory/conditionalAccessPolicies/create\u200b",
        "microsoft.directory/conditionalAccessPolicies/create ",
        " microsoft.directory/conditionalAccessPolicies/create",
        "microsoft.directory/conditionalAccessPolicies/cre_ate",
        "microsoft.directory/conditionalAccessPolicies/cre-ate",
        "microsoft.directory/conditionalAccessPolicies/*",
        "microsoft.directory//create",
        "microsoft.directory/conditionalAccessPolicies/create\x00",
    ])
    def test_outside_the_grammar(self, action: str) -> None:
        with pytest.raises(InvalidPermissionError):
            check(tenant(policy()), session(), action)

    @pytest.mark.parametrize(("action", "meant"), [
        ("microsoft.directory/conditionalAccessPolicies/createx",
         "microsoft.directory/conditionalAccessPolicies/create"),
        ("microsoft.directory/conditionalAccessPolicy/create",
         "microsoft.directory/conditionalAccessPolicies/create"),
        ("microsoft.directory/namedLocation/basic/update",
         "microsoft.directory/namedLocations/basic/update"),
        ("microsoft.directory/deletedItem/delete", "microsoft.directory/deletedItems/delete"),
    ])
    def test_near_miss_of_a_protectable_permission(self, action: str, meant: str) -> None:
        """Before, a Global Administrator got ALLOW NOT_PROTECTED for these."""
        with pytest.raises(InvalidPermissionError, match=rf"did you mean '{meant}'"):
            check(tenant(policy()), session(), action)

    def test_near_miss_of_a_mapped_application_permission(self) -> None:
        t = tenant(policy(), protected=[("contoso.payroll/salaries/approve", "c1")])
        with pytest.raises(InvalidPermissionError, match=r"contoso.payroll/salaries/approve"):
            check(t, session(), "contoso.payroll/salaries/aprove", check_authorization=False)

    def test_case_is_not_a_near_miss(self) -> None:
        """Permission names are case-insensitive: another case is the same permission."""
        d = check(tenant(policy()), session(),
                  "Microsoft.Directory/ConditionalAccessPolicies/Create")
        assert d.outcome is Outcome.CHALLENGE

    def test_far_actions_are_not_protected(self) -> None:
        d = check(tenant(policy()), session(), "microsoft.directory/users/password/update",
                  check_authorization=False)
        assert d.outcome is Outcome.ALLOW
        assert d.reasons[0].code is ReasonCode.NOT_PROTECTED

    @pytest.mark.parametrize("action", [None, 5, b"microsoft.directory/users/create",
                                        ["microsoft.directory/users/create"]])
    def test_wrong_types(self, action: object) -> None:
        with pytest.raises(InvalidPermissionError):
            check(tenant(policy()), session(), action)  # type: ignore[arg-type]


def _block_on(target: str) -> object:
    if target.startswith("urn:"):
        apps = ApplicationConditions(include_user_actions=(target,))
    else:
        apps = ApplicationConditions(include_applications=(target,))
    return tenant(policy(controls=("block",), applications=apps))


class TestSignInTargets:
    @pytest.mark.parametrize("target", [
        "urn:user:RegisterSecurityInfo", "URN:USER:REGISTERSECURITYINFO"])
    def test_user_actions_in_any_case(self, target: str) -> None:
        d = evaluate_sign_in(_block_on(REGISTER_SECURITY_INFO), session(), target)  # type: ignore[arg-type]
        assert d.outcome is Outcome.DENY

    @pytest.mark.parametrize("target", [
        " urn:user:registersecurityinfo", "urn:user:registersecurityinfo ",
        "urn:user:registersecurityinfo\x00", "urn:user:registersecurityinf0",
        "urn:user:registersecurityinfos", "urn:user:", "urn:user:register security info",
        "urn:user:reg\u0456stersecurityinfo",
    ])
    def test_malformed_user_actions_are_errors(self, target: str) -> None:
        """Before, a padded user action skipped a block on that user action."""
        with pytest.raises(InvalidModelError):
            evaluate_sign_in(_block_on(REGISTER_SECURITY_INFO), session(), target)  # type: ignore[arg-type]

    def test_user_action_near_miss_suggests(self) -> None:
        with pytest.raises(InvalidModelError, match=r"did you mean 'urn:user:registerdevice'"):
            evaluate_sign_in(tenant(), session(), "urn:user:registerdevices")

    @pytest.mark.parametrize("target", [
        GRAPH.upper(), "{" + GRAPH + "}", "{" + GRAPH.upper() + "}", "urn:uuid:" + GRAPH,
        "URN:UUID:" + GRAPH.upper()])
    def test_guid_forms_name_the_application(self, target: str) -> None:
        """Before, an application id written ``{guid}`` skipped an app-specific block."""
        d = evaluate_sign_in(_block_on(GRAPH), session(), target)  # type: ignore[arg-type]
        assert d.outcome is Outcome.DENY
        assert d.target == GRAPH

    @pytest.mark.parametrize("target", [
        " " + GRAPH, GRAPH + " ", "{" + GRAPH, GRAPH + "}", "{ " + GRAPH + " }",
        GRAPH[:-1], GRAPH + "0", GRAPH.replace("-", ""), "urn:uuid:{" + GRAPH + "}",
        GRAPH.replace("0", "\u0660"), "", " ", "app\x00", "Office 365", "microsoft graph"])
    def test_malformed_targets_are_errors(self, target: str) -> None:
        with pytest.raises(InvalidModelError):
            evaluate_sign_in(_block_on(GRAPH), session(), target)  # type: ignore[arg-type]

    @pytest.mark.parametrize("target", [None, 5, [GRAPH], b"x"])
    def test_wrong_types_are_errors(self, target: object) -> None:
        with pytest.raises(InvalidModelError):
            evaluate_sign_in(_block_on(GRAPH), session(), target)  # type: ignore[arg-type]

    @pytest.mark.parametrize("target", ["All", "all", "Office365", "OFFICE365",
                                        "MicrosoftAdminPortals"])
    def test_named_groups_are_targets(self, target: str) -> None:
        d = evaluate_sign_in(_block_on("All"), session(), target)  # type: ignore[arg-type]
        assert d.outcome is Outcome.DENY

    def test_named_group_near_miss_suggests(self) -> None:
        with pytest.raises(InvalidModelError, match=r"did you mean 'Office365'"):
            evaluate_sign_in(tenant(), session(), "Ofice365")


class TestIdentifiers:
    """Ids compare case-insensitively on ASCII letters only: no Unicode case folding."""

    def test_ascii_case_is_ignored(self) -> None:
        p = policy(users=UserConditions(include_users=("All",), exclude_users=("ALICE",)))
        assert check(tenant(p), session()).outcome is Outcome.ALLOW

    @pytest.mark.parametrize(("excluded", "signing_in"), [
        ("STRASSE", "straße"), ("strasse", "straße"), ("k1", "\u212a1"),  # Kelvin sign
        ("ǆ1", "ǅ1"), ("ﬁle", "file")])
    def test_unicode_folding_does_not_exclude(self, excluded: str, signing_in: str) -> None:
        """``str.casefold`` would read these as one id and exclude the user."""
        p = policy(users=UserConditions(include_users=("All",), exclude_users=(excluded,)))
        d = check(tenant(p), session(who=user(signing_in)))
        assert d.outcome is Outcome.CHALLENGE

    def test_unicode_folding_does_not_match_a_directory_user(self) -> None:
        """A directory user ``straße`` is not the session's ``STRASSE``."""
        t = tenant(policy(users=UserConditions(include_groups=("admins",))),
                   users=[User(id="straße", member_of={"admins"})])
        d = check(t, session(who=user("STRASSE")))
        assert d.outcome is Outcome.ALLOW
        d = check(t, session(who=user("STRAßE")))
        assert d.outcome is Outcome.CHALLENGE

    def test_unicode_folding_does_not_match_groups(self) -> None:
        p = policy(users=UserConditions(include_users=("All",), exclude_groups=("GROSS",)))
        d = check(tenant(p), session(who=user(member_of={"groß"})))
        assert d.outcome is Outcome.CHALLENGE


def _guest_policy(*types: str, exclude: bool = False) -> object:
    guests = GuestsOrExternalUsers(guest_or_external_user_types=types)
    users = UserConditions(include_users=("All",), exclude_guests_or_external_users=guests) \
        if exclude else UserConditions(include_guests_or_external_users=guests)
    return tenant(policy(users=users))


class TestSessionAndDirectoryDisagree:
    """Where the session and the directory disagree, the policy applies if either
    value makes it apply."""

    @pytest.mark.parametrize("session_type", ["serviceProvider", "b2bDirectConnectUser"])
    def test_session_guest_type_does_not_escape_the_directory_guest_type(
            self, session_type: str) -> None:
        t = _guest_policy("b2bCollaborationGuest")
        t = tenant(*t.policies, users=[User(  # type: ignore[attr-defined]
            id="alice", user_type="guest", guest_or_external_user_type="b2bCollaborationGuest")])
        d = check(t, session(who=user(guest_or_external_user_type=session_type)))
        assert d.outcome is Outcome.CHALLENGE

    def test_directory_guest_does_not_escape_a_session_guest_type(self) -> None:
        t = _guest_policy("serviceProvider")
        t = tenant(*t.policies, users=[User(  # type: ignore[attr-defined]
            id="alice", user_type="guest", guest_or_external_user_type="b2bCollaborationGuest")])
        d = check(t, session(who=user(guest_or_external_user_type="serviceProvider")))
        assert d.outcome is Outcome.CHALLENGE

    def test_local_guest_in_the_directory_is_an_internal_guest(self) -> None:
        t = _guest_policy("internalGuest")
        t = tenant(*t.policies, users=[User(id="alice", user_type="Guest")])  # type: ignore[attr-defined]
        d = check(t, session(who=user(guest_or_external_user_type="serviceProvider")))
        assert d.outcome is Outcome.CHALLENGE

    def test_an_exclusion_needs_both_to_agree(self) -> None:
        """Excluding service providers does not exclude a user the directory records
        as a B2B collaboration guest, whatever the session says."""
        t = _guest_policy("serviceProvider", exclude=True)
        t = tenant(*t.policies, users=[User(  # type: ignore[attr-defined]
            id="alice", user_type="guest", guest_or_external_user_type="b2bCollaborationGuest")])
        d = check(t, session(who=user(guest_or_external_user_type="serviceProvider")))
        assert d.outcome is Outcome.CHALLENGE

    def test_an_exclusion_both_agree_on_still_excludes(self) -> None:
        t = _guest_policy("serviceProvider", exclude=True)
        t = tenant(*t.policies, users=[User(  # type: ignore[attr-defined]
            id="alice", user_type="guest", guest_or_external_user_type="serviceProvider")])
        d = check(t, session(who=user(guest_or_external_user_type="serviceProvider")))
        assert d.outcome is Outcome.ALLOW

    def test_a_session_group_the_directory_does_not_record_does_not_exclude(self) -> None:
        p = policy(users=UserConditions(include_users=("All",), exclude_groups=("breakglass",)))
        t = tenant(p, users=[User(id="alice", member_of={"staff"})])
        d = check(t, session(who=user(member_of={"breakglass"})))
        assert d.outcome is Outcome.CHALLENGE

    def test_a_directory_group_excludes(self) -> None:
        p = policy(users=UserConditions(include_users=("All",), exclude_groups=("breakglass",)))
        t = tenant(p, users=[User(id="alice", member_of={"breakglass"})])
        assert check(t, session()).outcome is Outcome.ALLOW

    def test_a_session_group_includes(self) -> None:
        p = policy(users=UserConditions(include_groups=("admins",)))
        t = tenant(p, users=[User(id="alice", member_of={"staff"})])
        assert check(t, session(who=user(member_of={"admins"}))).outcome is Outcome.CHALLENGE

    def test_session_member_type_does_not_escape_a_directory_guest(self) -> None:
        guests = GuestsOrExternalUsers(guest_or_external_user_types=("internalGuest",))
        t = tenant(policy(users=UserConditions(include_guests_or_external_users=guests)),
                   users=[User(id="alice", user_type="Guest")])
        assert check(t, session(who=user(user_type="member"))).outcome is Outcome.CHALLENGE


class TestScopedRoleAssignments:
    """A role assigned at an administrative unit (or object) scope authorizes only an
    action on an object in that scope."""

    def scoped(self, scope: str = AU) -> object:
        return tenant(policy(), role_assignments=[
            RoleAssignment(id="ra-au", principal_id="bob", role_definition_id=GA,
                           directory_scope_id=scope)])

    def test_without_a_scope_it_does_not_authorize(self) -> None:
        """Before, an AU-scoped Global Administrator was allowed a tenant-wide
        protected action with no step-up."""
        d = check(self.scoped(), session(auth("password", "sms"), who=user("bob", roles=())))
        assert d.outcome is Outcome.DENY
        assert d.reasons[0].code is ReasonCode.NOT_AUTHORIZED
        assert "ra-au" in d.reasons[0].message and AU in d.reasons[0].message

    def test_the_tenant_scope_does_not_match(self) -> None:
        d = check(self.scoped(), session(who=user("bob", roles=())), scope="/")
        assert d.outcome is Outcome.DENY

    def test_another_scope_does_not_match(self) -> None:
        d = check(self.scoped(), session(who=user("bob", roles=())),
                  scope="/administrativeUnits/other")
        assert d.outcome is Outcome.DENY

    @pytest.mark.parametrize("scope", [AU, AU.upper()])
    def test_the_named_scope_authorizes_and_protection_still_applies(self, scope: str) -> None:
        d = check(self.scoped(), session(who=user("bob", roles=())), scope=scope)
        assert d.outcome is Outcome.CHALLENGE
        d = check(self.scoped(), session(auth("password", "sms"), who=user("bob", roles=())),
                  scope=scope)
        assert d.outcome is Outcome.ALLOW

    def test_a_tenant_wide_role_authorizes_at_any_scope(self) -> None:
        d = check(tenant(policy()), session(auth("password", "sms")), scope=AU)
        assert d.outcome is Outcome.ALLOW

    def test_a_scoped_eligibility_is_not_active_only_in_its_scope(self) -> None:
        t = tenant(policy(), role_eligibilities=[
            RoleEligibility(id="re-au", principal_id="bob", role_definition_id=GA,
                            directory_scope_id=AU)])
        bob = session(who=user("bob", roles=()))
        assert check(t, bob).reasons[0].code is ReasonCode.NOT_AUTHORIZED
        assert check(t, bob, scope=AU).reasons[0].code is ReasonCode.ROLE_NOT_ACTIVE

    def test_the_graph_round_trip_keeps_the_scope(self) -> None:
        """``directoryScopeId`` of assignments and eligibility schedules survives a
        load of a dump, and so does its effect."""
        t = tenant(policy(), role_assignments=[
            RoleAssignment(id="ra-au", principal_id="bob", role_definition_id=GA,
                           directory_scope_id=AU)], role_eligibilities=[
            RoleEligibility(id="re-au", principal_id="carol", role_definition_id=GA,
                            directory_scope_id=AU)])
        data = dump_tenant(t)
        assert data["roleAssignments"][0]["directoryScopeId"] == AU
        assert data["roleEligibilitySchedules"][0]["directoryScopeId"] == AU
        again = load_tenant(data)
        assert again.role_assignments == t.role_assignments  # type: ignore[attr-defined]
        assert again.role_eligibilities == t.role_eligibilities  # type: ignore[attr-defined]
        bob = session(who=user("bob", roles=()))
        assert check(again, bob).outcome is Outcome.DENY
        assert check(again, bob, scope=AU).outcome is Outcome.CHALLENGE

    @pytest.mark.parametrize("scope", ["", " /", "/ ", "administrativeUnits/x", "/x\x00",
                                       5, ["/"]])
    def test_malformed_scopes_are_errors(self, scope: object) -> None:
        with pytest.raises(InvalidModelError):
            check(self.scoped(), session(who=user("bob", roles=())), scope=scope)


class TestPasswordChange:
    """``passwordChange`` is satisfied only by a change made during this sign-in."""

    def tenant(self) -> object:
        return tenant(policy(controls=("passwordChange",)))

    def test_an_old_password_change_does_not_count(self) -> None:
        """Before, a password changed in 2020 satisfied the control."""
        s = session(auth("password", "sms"), password_changed_at=ago(days=6 * 365))
        assert check(self.tenant(), s).outcome is Outcome.CHALLENGE  # type: ignore[arg-type]

    def test_a_change_before_the_latest_authentication_does_not_count(self) -> None:
        s = session(auth("password", at=ago(minutes=5)), password_changed_at=ago(minutes=6))
        assert check(self.tenant(), s).outcome is Outcome.CHALLENGE  # type: ignore[arg-type]

    def test_a_change_without_any_authentication_does_not_count(self) -> None:
        s = session(password_changed_at=ago(minutes=1))
        assert check(self.tenant(), s).outcome is Outcome.CHALLENGE  # type: ignore[arg-type]

    def test_a_change_in_the_future_does_not_count(self) -> None:
        s = session(auth("password"), password_changed_at=ago(minutes=-1))
        assert check(self.tenant(), s).outcome is Outcome.CHALLENGE  # type: ignore[arg-type]

    @pytest.mark.parametrize("minutes", [0, 5, 10])
    def test_a_change_during_this_sign_in_counts(self, minutes: int) -> None:
        s = session(auth("password", at=ago(minutes=10)), password_changed_at=ago(minutes=minutes))
        assert check(self.tenant(), s).outcome is Outcome.ALLOW  # type: ignore[arg-type]


class TestSignInChallengeHeader:
    def test_a_sign_in_challenge_raises_a_library_error(self) -> None:
        """A claims challenge carries ``claims`` with ``error="insufficient_claims"``
        (https://learn.microsoft.com/en-us/entra/identity-platform/claims-challenge);
        a sign-in challenge has no auth context to request, so there is no header,
        and the library says so with its own error (before: a bare ValueError)."""
        t = tenant(policy(applications=ApplicationConditions(include_applications=(GRAPH,))))
        d = evaluate_sign_in(t, session(), GRAPH)
        assert d.challenge is not None
        with pytest.raises(ProtectedActionsError, match=r"sign-in"):
            d.challenge.www_authenticate()

