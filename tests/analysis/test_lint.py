"""``lint``: one test per catalog code with the bad tenant and the fixed one, plus the
catalog, ordering and output contracts (DESIGN §4a)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import attrs
import pytest
from tests.analysis import (
    BREAKGLASS,
    CA_CREATE,
    EVERYONE_BUT_BREAKGLASS,
    GA,
    STRONG,
    accounts,
    by_code,
    codes,
    policy,
    subjects,
    tenant,
)

from protected_actions import (
    ApplicationConditions,
    AuthContext,
    AuthenticationStrength,
    CombinationConfiguration,
    CountryNamedLocation,
    DeviceConditions,
    Filter,
    GrantControls,
    Group,
    GuestsOrExternalUsers,
    InvalidModelError,
    IpNamedLocation,
    IpRange,
    LocationConditions,
    PlatformConditions,
    ProtectedAction,
    RoleEligibility,
    SessionControls,
    SignInFrequency,
    Tenant,
    User,
    UserConditions,
)
from protected_actions.analysis import CATALOG, Finding, Severity, lint
from protected_actions.model.frozen import FrozenDict

DOCS = Path(__file__).resolve().parents[2] / "docs" / "lint.md"
EVERYONE = UserConditions(include_users=("All",))
BLOCK = GrantControls(built_in_controls=("block",))
REPORT_ONLY = "enabledForReportingButNotEnforced"
GUID_GROUP = "5d5f1b34-2c1a-4f0e-9a53-2b8f1f0c9a11"
APPROVE = "contoso.payroll/payments/approve"


def two_contexts() -> list[AuthContext]:
    return [AuthContext(id=c, is_available=True) for c in ("c1", "c2")]


# -- contracts --------------------------------------------------------------------------


def test_clean_tenant_has_no_finding() -> None:
    """The shared clean tenant gives no finding at all."""
    assert lint(tenant()) == ()


def test_catalog_codes_are_stable_and_documented() -> None:
    """Every catalog rule has a section ``## <code> <title>`` in docs/lint.md and every
    such section a rule."""
    text = DOCS.read_text(encoding="utf-8")
    headings = re.findall(r"^## (PA\d{3}) (.+)$", text, flags=re.M)
    assert [(code, title) for code, title in headings] == [
        (r.code, r.title) for r in CATALOG.values()]
    assert all(re.fullmatch(r"PA\d{3}", code) and CATALOG[code].code == code
               for code in CATALOG)
    assert CATALOG["PA101"].doc == "docs/lint.md#pa101-no-emergency-access-accounts-designated"


def test_catalog_severities() -> None:
    """The catalog's severities are the documented ones."""
    assert {c: r.severity.value for c, r in CATALOG.items()} == {
        "PA101": "error", "PA102": "warning", "PA103": "warning", "PA110": "error",
        "PA111": "info", "PA120": "error", "PA121": "error", "PA122": "warning",
        "PA123": "warning", "PA130": "error", "PA131": "warning", "PA140": "warning",
        "PA141": "warning", "PA150": "error", "PA160": "warning", "PA161": "info",
        "PA170": "error", "PA171": "warning", "PA172": "warning", "PA180": "warning",
        "PA181": "info", "PA182": "error", "PA183": "error", "PA184": "error"}


def test_findings_sorted_by_severity_code_subjects() -> None:
    """Findings come errors first, then warnings, then info, each by code and subjects."""
    bad = tenant(policy(state=REPORT_ONLY, grant=GrantControls(
        built_in_controls=("mfa",), authentication_strength=STRONG)),
        policy("p2", users=UserConditions(include_groups=(BREAKGLASS,)),
               applications=ApplicationConditions(include_applications=("All",))),
        emergency_access_accounts=["bg1"])
    found = lint(bad)
    assert [f.code for f in found] == ["PA120", "PA130", "PA102", "PA160", "PA111"]
    assert list(found) == sorted(found, key=Finding.sort_key)
    assert [f.severity for f in found] == [Severity.ERROR] * 2 + [Severity.WARNING] * 2 + [
        Severity.INFO]


def test_lint_is_deterministic_and_order_free() -> None:
    """The same tenant, with its policies in another order, gives equal findings."""
    ps = [policy("p1", users=EVERYONE, controls=("block",)), policy("p2", state=REPORT_ONLY),
          policy("p3", contexts=("c9",))]
    one = lint(tenant(*ps))
    assert one == lint(tenant(*reversed(ps))) == lint(tenant(*ps))


def test_finding_to_dict_is_json_ready() -> None:
    """``Finding.to_dict`` is JSON-serializable and names the rule's documentation."""
    (f,) = by_code(tenant(emergency_access_accounts=["bg1"]), "PA102")
    data = json.loads(json.dumps(f.to_dict()))
    assert data == {"code": "PA102", "severity": "warning",
                    "title": "Fewer than two emergency access accounts",
                    "message": f.message, "fix": f.fix, "subjects": ["bg1"],
                    "policyId": None, "doc": CATALOG["PA102"].doc}
    assert str(f).startswith("PA102 warning: Only one emergency access account")


def test_lint_rejects_what_is_not_a_tenant() -> None:
    """A value that is not a Tenant raises the library's own error."""
    with pytest.raises(InvalidModelError):
        lint({"policies": []})  # type: ignore[arg-type]


# -- PA101-PA103 ------------------------------------------------------------------------


def test_PA101_no_emergency_accounts() -> None:
    """No designated emergency account is PA101; designating two fixes it (facts §9)."""
    assert subjects(tenant(emergency_access_accounts=[]), "PA101") == [()]
    assert codes(tenant(emergency_access_accounts=["bg1", "bg2"])) == []


def test_PA101_skips_the_account_checks() -> None:
    """Without designated accounts no policy is checked against them."""
    bad = tenant(policy(users=EVERYONE, controls=("block",)), emergency_access_accounts=[])
    assert codes(bad) == ["PA101"]


def test_PA102_one_emergency_account() -> None:
    """A single designated account is PA102; "two or more" is the documented minimum
    (facts §9)."""
    assert subjects(tenant(emergency_access_accounts=["bg1"]), "PA102") == [("bg1",)]
    assert subjects(tenant(emergency_access_accounts=["bg1", "BG1"]), "PA102") == [("bg1",)]
    assert subjects(tenant(emergency_access_accounts=["bg1", "bg2"]), "PA102") == []


def test_PA103_account_the_directory_lacks() -> None:
    """A designated id that is not a tenant user is PA103; adding the user fixes it."""
    bad = tenant(emergency_access_accounts=["bg1", "bg2", "bg3"])
    assert subjects(bad, "PA103") == [("bg3",)]
    assert codes(tenant(emergency_access_accounts=["bg1", "bg2", "bg3"],
                        users=accounts("bg1", "bg2", "bg3"))) == []


# -- PA110, PA111 -----------------------------------------------------------------------


def test_PA110_block_policy_without_the_exclusion() -> None:
    """An enabled block policy that applies to the accounts is PA110 per account; the
    exclusion fixes it (facts §9: exclude them from policies that block)."""
    bad = tenant(policy(), policy("p2", users=EVERYONE, controls=("block",)))
    assert subjects(bad, "PA110") == [("bg1", "p2"), ("bg2", "p2")]
    (first, _) = by_code(bad, "PA110")
    assert first.policy_id == "p2"
    assert first.message == "Policy 'p2' blocks emergency access account 'bg1' (auth context c1)."
    fixed = tenant(policy(), policy("p2", controls=("block",)))
    assert subjects(fixed, "PA110") == []


def test_PA110_names_the_session_that_is_blocked() -> None:
    """A block limited by conditions is found in the session class where it applies,
    and the message says which (facts §6.4 unknown platforms)."""
    bad = tenant(policy(), policy("p2", users=EVERYONE, controls=("block",),
                                  platforms=PlatformConditions(
                                      include_platforms=("all",),
                                      exclude_platforms=("windows", "macOS"))))
    (f, _) = by_code(bad, "PA110")
    assert f.subjects == ("bg1", "p2")
    assert "signs in from a platform no policy names" in f.message


def test_PA110_location_block() -> None:
    """A country allow-list block applies to the accounts outside the allowed countries."""
    allowed = CountryNamedLocation(id="loc-allowed", display_name="Allowed",
                                   countries_and_regions=("NL",))
    bad = tenant(policy(), policy("p2", users=EVERYONE, controls=("block",),
                                  locations=LocationConditions(
                                      include_locations=("All",),
                                      exclude_locations=("loc-allowed",))),
                 named_locations=[allowed])
    (f, _) = by_code(bad, "PA110")
    assert f.subjects == ("bg1", "p2")
    assert "outside every named location" in f.message


def test_PA110_demand_the_account_cannot_do() -> None:
    """A compliant-device requirement, a non-interactive control, is PA110 (facts
    §6.11)."""
    bad = tenant(policy(), policy("p2", users=EVERYONE, controls=("compliantDevice",)))
    (f, _) = by_code(bad, "PA110")
    assert f.subjects == ("bg1", "p2")
    assert f.message == (
        "Policy 'p2' demands from emergency access account 'bg1' what it cannot do (auth "
        "context c1): a compliant device (policy p2). Its registered methods: fido2.")


def test_PA110_strength_outside_the_registered_methods() -> None:
    """A strength the account's registered methods cannot satisfy is PA110; with FIDO2
    registered it is only a challenge (PA111) (facts §5.5)."""
    included = policy("p2", users=UserConditions(include_groups=(BREAKGLASS,)))
    sms = tenant(policy(), included, users=accounts(methods=("password", "sms")))
    assert subjects(sms, "PA110") == [("bg1", "p2"), ("bg2", "p2")]
    fido = tenant(policy(), included)
    assert subjects(fido, "PA110") == []
    assert subjects(fido, "PA111") == [("bg1", "p2"), ("bg2", "p2")]


def test_PA110_unknown_control_is_a_lockout() -> None:
    """A grant control the evaluator cannot check is decided fail-closed, so it is PA110
    for the accounts it applies to (DESIGN §4.7)."""
    bad = tenant(policy(), policy("p2", users=EVERYONE, controls=("riskRemediation",)))
    assert subjects(bad, "PA110") == [("bg1", "p2"), ("bg2", "p2")]


def test_PA110_nested_group_exclusion_counts() -> None:
    """An exclusion through a group that contains ``breakglass`` protects the accounts:
    lint asks ``check_users``, it does not read exclude lists (facts §6.2 nesting)."""
    outer = UserConditions(include_users=("All",), exclude_groups=("all-exclusions",))
    nested = [Group(id=BREAKGLASS, member_of={"all-exclusions"}), Group(id="all-exclusions")]
    fixed = tenant(policy(), policy("p2", users=outer, controls=("block",)), groups=nested)
    assert codes(fixed) == []
    flat = tenant(policy(), policy("p2", users=outer, controls=("block",)))
    assert subjects(flat, "PA110") == [("bg1", "p2"), ("bg2", "p2")]


def test_PA110_role_scoped_policy() -> None:
    """A policy for the Global Administrator role applies to the accounts through their
    active role; another role does not (facts §6.2)."""
    admins = UserConditions(include_roles=(GA,))
    assert subjects(tenant(policy(), policy("p2", users=admins, controls=("block",))),
                    "PA110") == [("bg1", "p2"), ("bg2", "p2")]
    others = UserConditions(include_roles=("b1be1c3e-b65d-4f19-8427-f6fa0d97feb9",))
    assert subjects(tenant(policy(), policy("p2", users=others, controls=("block",))),
                    "PA110") == []


def test_PA110_role_through_pim_activation() -> None:
    """An account holding Global Administrator only as eligible is caught by a role
    policy once it activates the role (facts §9: keep the role permanent active)."""
    eligible = [User(id=i, member_of={"other"}, registered_methods=frozenset({"fido2"}))
                for i in ("bg1", "bg2")]
    bad = tenant(policy(), policy("p2", users=UserConditions(include_roles=(GA,)),
                                  controls=("block",)),
                 users=eligible, role_eligibilities=[
                     RoleEligibility(principal_id=i, role_definition_id=GA)
                     for i in ("bg1", "bg2")])
    (f, _) = by_code(bad, "PA110")
    assert f.subjects == ("bg1", "p2")
    assert "once it activates its eligible roles" in f.message


def test_PA110_guest_type_counts() -> None:
    """A policy for guest types applies to an emergency account that is a guest."""
    guests = UserConditions(include_guests_or_external_users=GuestsOrExternalUsers(
        guest_or_external_user_types=("b2bCollaborationGuest",)))
    guest = accounts(guest_or_external_user_type="b2bCollaborationGuest")
    bad = tenant(policy(), policy("p2", users=guests, controls=("block",)), users=guest)
    assert subjects(bad, "PA110") == [("bg1", "p2"), ("bg2", "p2")]
    assert subjects(tenant(policy(), policy("p2", users=guests, controls=("block",))),
                    "PA110") == []


def test_PA110_only_enforced_policies() -> None:
    """Report-only and disabled policies never block (facts §6.3, §9); an unknown state
    is enforced (fail-closed)."""
    def block(state: str) -> Tenant:
        return tenant(policy(), policy("p2", users=EVERYONE, controls=("block",), state=state))

    assert subjects(block(REPORT_ONLY), "PA110") == []
    assert subjects(block("disabled"), "PA110") == []
    assert subjects(block("enabledButUnknown"), "PA110") == [("bg1", "p2"), ("bg2", "p2")]


def test_PA110_legacy_clients_are_not_emergency_sessions() -> None:
    """Blocking legacy authentication does not lock out an emergency account, which
    signs in with a modern client (facts §6.1)."""
    legacy = policy("p2", users=EVERYONE, controls=("block",),
                    client_app_types=("exchangeActiveSync", "other"))
    assert codes(tenant(policy(), legacy)) == []


def test_PA110_sign_in_policies_count_too() -> None:
    """Policies for applications and user actions are checked like auth context ones."""
    all_apps = policy("p2", users=EVERYONE, controls=("block",),
                      applications=ApplicationConditions(include_applications=("All",)),
                      locations=LocationConditions(include_locations=("All",),
                                                   exclude_locations=("AllTrusted",)))
    (f, _) = by_code(tenant(policy(), all_apps), "PA110")
    assert f.subjects == ("bg1", "p2")
    assert "(any application; " in f.message
    register = policy("p3", users=EVERYONE, controls=("compliantDevice",),
                      applications=ApplicationConditions(
                          include_user_actions=("urn:user:registersecurityinfo",)))
    (g, _) = by_code(tenant(policy(), register), "PA110")
    assert "user action urn:user:registersecurityinfo" in g.message
    nothing = policy("p4", users=EVERYONE, controls=("block",),
                     applications=ApplicationConditions(include_applications=("None",)))
    assert codes(tenant(policy(), nothing)) == []


def test_PA111_protect_dont_exclude() -> None:
    """A policy that includes the accounts and asks a step-up they can do is PA111
    (info), the "protect, don't exclude" pattern; excluding them removes it."""
    protect = policy("p2", users=UserConditions(include_groups=(BREAKGLASS,)))
    (f, g) = by_code(tenant(policy(), protect), "PA111")
    assert (f.subjects, g.subjects) == (("bg1", "p2"), ("bg2", "p2"))
    assert f.severity is Severity.INFO
    assert f.policy_id == "p2"
    assert f.message == (
        "Policy 'p2' challenges emergency access account 'bg1' (auth context c1): "
        "authentication strength 'Phishing-resistant MFA' (policy p2); the account can "
        "complete it with its registered methods (fido2).")
    assert codes(tenant(policy(), policy("p2"))) == []


def test_PA111_unknown_methods_can_do_any_step_up() -> None:
    """An account whose methods are unknown is assumed to do any MFA (DESIGN §4a)."""
    mfa = policy("p2", users=EVERYONE, controls=("mfa",))
    assert subjects(tenant(policy(), mfa, users=accounts(methods=None)), "PA111") == [
        ("bg1", "p2"), ("bg2", "p2")]


def test_PA111_sign_in_frequency_is_a_challenge() -> None:
    """Sign-in frequency alone asks the account to sign in again: PA111, not PA110
    (facts §6.8)."""
    every_time = SessionControls(sign_in_frequency=SignInFrequency(
        frequency_interval="everyTime"))
    sif = attrs.evolve(policy("p2", users=EVERYONE), grant_controls=None,
                       session_controls=every_time)
    assert subjects(tenant(policy(), sif), "PA111") == [("bg1", "p2"), ("bg2", "p2")]
    assert subjects(tenant(policy(), sif), "PA110") == []


def test_PA110_wins_over_PA111_for_one_policy() -> None:
    """A policy that challenges in some sessions and blocks in others is reported once,
    as PA110."""
    mixed = policy("p2", users=EVERYONE, grant=GrantControls(
        operator="AND", built_in_controls=("mfa", "compliantDevice")))
    found = [(f.code, f.subjects) for f in lint(tenant(policy(), mixed))]
    assert found == [("PA110", ("bg1", "p2")), ("PA110", ("bg2", "p2"))]


# -- PA120-PA123 ------------------------------------------------------------------------


def test_PA120_context_only_report_only() -> None:
    """A protected action whose context only a report-only policy targets is PA120, the
    endless reauthentication (facts §1.3); turning the policy On fixes it."""
    (f,) = by_code(tenant(policy(state=REPORT_ONLY)), "PA120")
    assert f.subjects == ("c1", CA_CREATE)
    assert "only p1 (report-only) targets it" in f.message
    assert subjects(tenant(policy(state="enabled")), "PA120") == []


def test_PA120_names_several_policies_in_the_plural() -> None:
    """One policy "targets it"; two "target it"."""
    t = tenant(policy(state=REPORT_ONLY), policy("p2", state="disabled"))
    (f,) = by_code(t, "PA120")
    assert "only p1 (report-only), p2 (disabled) target it" in f.message


def test_PA171_risk_remediation_fix_fits_the_control() -> None:
    """``riskRemediation`` is a real Entra grant control the evaluator does not model
    (https://learn.microsoft.com/graph/api/resources/conditionalaccessgrantcontrols):
    the fix says so instead of asking for a missing authentication strength."""
    p = policy(grant=GrantControls(built_in_controls=("riskRemediation",)))
    (f,) = by_code(tenant(p), "PA171")
    assert "Entra's grant control 'riskRemediation'" in f.message
    assert "authentication strength" not in f.fix
    assert "suppress this finding with a reason" in f.fix


def test_PA120_no_policy_at_all() -> None:
    """A protected action whose context no policy targets is PA120 (facts §1.3)."""
    (f,) = by_code(tenant(policy(contexts=("c2",))), "PA120")
    assert f.subjects == ("c1", CA_CREATE)
    assert "no policy targets it" in f.message


def test_PA120_disabled_and_unknown_state() -> None:
    """A disabled policy does not enforce a context, nor does one in an unknown state
    (the evaluator's ``enforced_contexts``, facts §1.3)."""
    assert subjects(tenant(policy(state="disabled")), "PA120") == [("c1", CA_CREATE)]
    assert subjects(tenant(policy(state="enabledButUnknown")), "PA120") == [
        ("c1", CA_CREATE)]


def test_PA121_undefined_context() -> None:
    """A protected action mapped to a context the tenant does not define is PA121."""
    bad = tenant(protected_actions=[ProtectedAction(permission=CA_CREATE, context_id="c2")])
    assert subjects(bad, "PA121") == [("c2", CA_CREATE)]
    assert codes(tenant(protected_actions=[ProtectedAction(permission=CA_CREATE,
                                                           context_id="c1")])) == []


def test_PA122_unpublished_context() -> None:
    """A protected action mapped to a context with ``isAvailable`` false is PA122 (facts
    §2.1: Publish to apps)."""
    bad = tenant(auth_contexts=[AuthContext(id="c1", is_available=False)])
    assert subjects(bad, "PA122") == [("c1", CA_CREATE)]
    assert codes(tenant(auth_contexts=[AuthContext(id="c1", is_available=True)])) == []


def test_PA123_application_permission() -> None:
    """An application permission whose context no enabled policy targets is PA123, not
    PA120: the context is issued without requirement (facts §2.6)."""
    approve = ProtectedAction(permission=APPROVE, context_id="c2")
    bad = tenant(protected_actions=[approve], auth_contexts=two_contexts())
    assert subjects(bad, "PA123") == [("c2", APPROVE)]
    assert subjects(bad, "PA120") == []
    assert codes(tenant(policy(), policy("p2", contexts=("c2",)), protected_actions=[approve],
                        auth_contexts=two_contexts())) == []


def test_PA120_groups_permissions_per_context() -> None:
    """One finding per context lists every directory permission it protects; the
    application permissions of the same context are PA123."""
    actions = [ProtectedAction(permission=p, context_id="c1") for p in (
        "microsoft.directory/namedLocations/delete", CA_CREATE, APPROVE)]
    bad = tenant(policy(state="disabled"), protected_actions=actions)
    assert subjects(bad, "PA120") == [
        ("c1", CA_CREATE, "microsoft.directory/namedLocations/delete")]
    assert subjects(bad, "PA123") == [("c1", APPROVE)]


# -- PA130, PA131 -----------------------------------------------------------------------


def test_PA130_mfa_and_strength() -> None:
    """``mfa`` with an authentication strength in one policy is PA130 (facts §5.5)."""
    both = GrantControls(built_in_controls=("MFA",), authentication_strength=STRONG)
    assert subjects(tenant(policy(grant=both)), "PA130") == [("p1",)]
    assert codes(tenant(policy(grant=GrantControls(authentication_strength=STRONG)))) == []


def test_PA131_context_and_roles() -> None:
    """An auth context policy scoped to a directory role is PA131, the PIM activation
    trap (facts §11)."""
    admins = UserConditions(include_roles=(GA,), exclude_groups=(BREAKGLASS,))
    (f,) = by_code(tenant(policy(users=admins)), "PA131")
    assert (f.subjects, f.policy_id) == (("p1", "c1"), "p1")
    assert codes(tenant(policy(users=EVERYONE_BUT_BREAKGLASS))) == []
    apps = ApplicationConditions(include_applications=("All",))
    assert subjects(tenant(policy(), policy("p2", users=admins, applications=apps)),
                    "PA131") == []


# -- PA140, PA141 -----------------------------------------------------------------------


def test_PA140_unknown_group() -> None:
    """A group the tenant does not define is PA140; defining it fixes it."""
    stale = UserConditions(include_users=("All",), exclude_groups=(BREAKGLASS, GUID_GROUP))
    assert subjects(tenant(policy(users=stale)), "PA140") == [(GUID_GROUP, "p1")]
    assert codes(tenant(policy(users=stale),
                        groups=[Group(id=BREAKGLASS), Group(id=GUID_GROUP)])) == []


def test_PA140_one_finding_per_kind_lists_every_id_and_policy() -> None:
    """Unknown users, roles, named locations and auth contexts are one finding per
    kind, each listing the ids and the policies naming them (not one block per
    policy: a repository without its directory would drown in them)."""
    user_id = "0a3c7f53-1111-4d6e-9a53-2b8f1f0c9a11"
    role_id = "29232cdf-9323-42fd-ade2-1d097af3e4de"
    loc_id = "8f0c3f53-2222-4d6e-9a53-2b8f1f0c9a11"
    users = UserConditions(include_users=("All",), exclude_users=(user_id,),
                           exclude_groups=(BREAKGLASS,), exclude_roles=(role_id,))
    p = policy(users=users, contexts=("c1", "c7"),
               locations=LocationConditions(include_locations=("All",),
                                            exclude_locations=(loc_id, "AllTrusted")))
    found = {f.message.split(" the tenant")[0]: f for f in by_code(
        tenant(p, policy("p2", users=users)), "PA140")}
    assert sorted(found) == ["1 auth context", "1 named location", "1 role", "1 user"]
    assert found["1 user"].subjects == (user_id, "p1", "p2")
    assert found["1 user"].policy_id is None
    assert f"referenced by 2 policies: {user_id} (p1, p2)" in found["1 user"].message
    assert found["1 auth context"].subjects == ("c7", "p1")
    assert found["1 auth context"].policy_id == "p1"


def test_PA140_keywords_are_not_references() -> None:
    """Graph keywords (All, None, AllTrusted, GuestsOrExternalUsers, AllAgentIdUsers)
    are not unknown objects (facts §3.3, §3.7)."""
    p = policy(users=UserConditions(include_users=("All", "AllAgentIdUsers"),
                                    exclude_users=("GuestsOrExternalUsers",),
                                    include_groups=("All",), exclude_groups=(BREAKGLASS,)),
               locations=LocationConditions(include_locations=("All",),
                                            exclude_locations=("AllTrusted",)))
    assert codes(tenant(p)) == []


def test_PA140_leaves_unknown_strengths_to_PA171() -> None:
    """An undefined authentication strength is reported once, as PA171."""
    unknown = "7d1a0b53-3333-4d6e-9a53-2b8f1f0c9a11"
    t = tenant(policy(grant=GrantControls(authentication_strength=unknown)))
    assert subjects(t, "PA140") == []
    assert subjects(t, "PA171") == [("p1", unknown)]


@pytest.mark.parametrize(("users", "value", "what"), [
    (UserConditions(include_users=("All",), exclude_groups=("<EmergencyAccessAccountsGroup>",)),
     "<EmergencyAccessAccountsGroup>", "group '<EmergencyAccessAccountsGroup>' (a placeholder)"),
    (UserConditions(include_users=("All",), exclude_groups=("{{breakglass}}",)),
     "{{breakglass}}", "(a placeholder)"),
    (UserConditions(include_users=("All",), exclude_groups=("%BreakGlass%",)),
     "%BreakGlass%", "(a placeholder)"),
    (UserConditions(include_users=("All",),
                    exclude_groups=("xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx",)),
     "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx", "(a pseudo-GUID placeholder)"),
    (UserConditions(include_users=("All",), exclude_users=("Jane Admin",)),
     "Jane Admin", "user 'Jane Admin' (a display name)"),
    (UserConditions(include_users=("jane@contoso.com",)),
     "jane@contoso.com", "(a user principal name)"),
    (UserConditions(include_roles=("Global Administrator",)),
     "Global Administrator", "role 'Global Administrator' (a display name)"),
])
def test_PA141_not_an_id(users: UserConditions, value: str, what: str) -> None:
    """Placeholders, pseudo-GUIDs, display names and UPNs in id slots are PA141, not PA140
    (SOURCES.md import quirks)."""
    t = tenant(policy(users=users), policy("p2"))
    (f,) = by_code(t, "PA141")
    assert f.subjects == ("p1", value)
    assert what in f.message
    assert subjects(t, "PA140") == []


def test_PA141_applications_contexts_and_terms() -> None:
    """Application names, malformed auth context ids and terms-of-use names are PA141."""
    p = policy(applications=ApplicationConditions(
        include_applications=("Office 365",),
        include_authentication_context_class_references=("<ContextId>",)),
        grant=GrantControls(built_in_controls=("mfa",), terms_of_use=("ToU",)))
    (f,) = by_code(tenant(policy(), attrs.evolve(p, id="p2")), "PA141")
    assert f.subjects == ("p2", "<ContextId>", "Office 365", "ToU")
    assert "application 'Office 365' (a display name)" in f.message
    assert "terms of use 'ToU' (not a GUID)" in f.message


def test_PA141_defined_short_ids_are_fine() -> None:
    """A non-GUID id the tenant defines is an id (synthetic tenants), but a placeholder
    stays a placeholder even when defined."""
    assert codes(tenant()) == []  # "breakglass" is a defined group
    placeholder = "<EmergencyAccessAccountsGroup>"
    t = tenant(policy(users=UserConditions(include_users=("All",),
                                           exclude_groups=(placeholder,))),
               groups=[Group(id=placeholder)], users=accounts(member_of=(placeholder,)))
    assert subjects(t, "PA141") == [("p1", placeholder)]
    fixed = tenant(policy(users=EVERYONE_BUT_BREAKGLASS))
    assert subjects(fixed, "PA141") == []


# -- PA150 ------------------------------------------------------------------------------


def test_PA150_policy_limit() -> None:
    """More than 240 policies, every state counted, is PA150 (facts §6.10)."""
    many = [policy(f"p{i:03}", state="disabled" if i % 2 else "enabled") for i in range(241)]
    assert subjects(tenant(*many), "PA150") == [()]
    assert subjects(tenant(*many[:240]), "PA150") == []


# -- PA160, PA161 -----------------------------------------------------------------------


def test_PA160_context_only_report_only() -> None:
    """A context targeted only by report-only or disabled policies is PA160 (facts §6.3,
    §11: no PIM fallback)."""
    bad = tenant(policy(), policy("p2", contexts=("c2",), state=REPORT_ONLY),
                 policy("p3", contexts=("c2",), state="disabled"), auth_contexts=two_contexts())
    (f,) = by_code(bad, "PA160")
    assert (f.subjects, f.policy_id) == (("c2", "p2", "p3"), None)
    assert "p2 (report-only), p3 (disabled)" in f.message
    fixed = tenant(policy(), policy("p2", contexts=("c2",)), auth_contexts=two_contexts())
    assert codes(fixed) == []


def test_PA160_single_policy_names_it() -> None:
    """With one not-enabled policy, the finding's ``policy_id`` is that policy."""
    (f,) = by_code(tenant(policy(), policy("p2", contexts=("c2",), state=REPORT_ONLY),
                          auth_contexts=two_contexts()), "PA160")
    assert f.policy_id == "p2"


def test_PA161_report_only_compliant_device() -> None:
    """A report-only compliant-device policy that covers Android, iOS or macOS is PA161
    (facts §6.3); excluding those platforms fixes it."""
    trial = policy("p2", state=REPORT_ONLY, controls=("compliantDevice",),
                   platforms=PlatformConditions(include_platforms=("windows", "macOS")))
    (f,) = by_code(tenant(policy(), trial), "PA161")
    assert f.subjects == ("p2",)
    assert "device certificate prompts on macOS" in f.message
    quiet = policy("p2", state=REPORT_ONLY, controls=("compliantDevice",),
                   platforms=PlatformConditions(include_platforms=("windows",)))
    assert codes(tenant(policy(), quiet)) == []
    enforced = policy("p2", controls=("compliantDevice",))
    assert subjects(tenant(policy(), enforced), "PA161") == []


def test_PA161_report_only_gps_location() -> None:
    """A report-only policy on a GPS-based country location still prompts: PA161 (facts
    §4.2)."""
    gps = CountryNamedLocation(id="loc-gps", display_name="GPS", countries_and_regions=("NL",),
                               country_lookup_method="authenticatorAppGps")
    ip = CountryNamedLocation(id="loc-ip", display_name="IP", countries_and_regions=("NL",))
    def with_location(loc_id: str) -> Tenant:
        return tenant(policy(), policy("p2", state=REPORT_ONLY, locations=LocationConditions(
            include_locations=("All",), exclude_locations=(loc_id,))),
            named_locations=[gps, ip])

    (f,) = by_code(with_location("loc-gps"), "PA161")
    assert f.subjects == ("p2", "loc-gps")
    assert "GPS-based" in f.message
    assert codes(with_location("loc-ip")) == []


# -- PA170-PA172 ------------------------------------------------------------------------


def test_PA170_rule_that_does_not_parse() -> None:
    """A device filter rule that does not parse is PA170 with the rendered syntax error
    (facts §7.1, DESIGN §7)."""
    broken = DeviceConditions(device_filter=Filter(mode="include",
                                                   rule='device.trustType -eq "AzureAD" -and'))
    (f,) = by_code(tenant(policy(devices=broken)), "PA170")
    assert f.subjects == ("p1",)
    assert "Expected a device property such as device.trustType, '(' or -not\n" \
           "    device.trustType -eq \"AzureAD\" -and\n" in f.message
    assert re.search(r"\n +\^\n", f.message)
    fixed = DeviceConditions(device_filter=Filter(mode="include",
                                                  rule='device.trustType -eq "AzureAD"'))
    assert codes(tenant(policy(devices=fixed))) == []


def test_PA170_rule_too_long_and_unknown_mode() -> None:
    """A rule over 3,072 characters and a mode other than include/exclude are PA170
    (facts §7)."""
    long_rule = " -or ".join(['device.displayName -eq "x"'] * 200)
    too_long = DeviceConditions(device_filter=Filter(mode="exclude", rule=long_rule))
    (f,) = by_code(tenant(policy(devices=too_long)), "PA170")
    assert "at most 3072 characters" in f.message
    odd_mode = DeviceConditions(device_filter=Filter(mode="sometimes",
                                                     rule='device.trustType -eq "AzureAD"'))
    (g,) = by_code(tenant(policy(devices=odd_mode)), "PA170")
    assert "mode 'sometimes'" in g.message


def test_PA171_unknown_built_in_control() -> None:
    """A built-in control the evaluator does not know is PA171 (facts §6.11, DESIGN
    §4.7)."""
    for name in ("riskRemediation", "compliantNetwork", "verifiedID"):
        t = tenant(policy(grant=GrantControls(built_in_controls=("mfa", name))))
        assert subjects(t, "PA171") == [("p1", name)]
    assert codes(tenant(policy(grant=GrantControls(built_in_controls=("passwordChange",))))) \
        == []


def test_PA171_certificate_configuration() -> None:
    """A strength restricted by a certificate configuration the evaluator cannot check
    is PA171 (facts §5.4)."""
    strength = AuthenticationStrength(
        id="9a8b7c6d-4444-4d6e-9a53-2b8f1f0c9a11", display_name="Smart card",
        allowed_combinations=(("x509CertificateMultiFactor",), ("fido2",)),
        combination_configurations=(CombinationConfiguration(
            kind="x509Certificate",
            applies_to_combinations=(("x509CertificateMultiFactor",),),
            allowed_issuer_skis=("ABCD",)),))
    t = tenant(policy(grant=GrantControls(authentication_strength=strength.id)),
               authentication_strengths=[strength])
    (f,) = by_code(t, "PA171")
    assert f.subjects == ("p1", strength.id)
    assert "x509Certificate" in f.message
    fido_only = attrs.evolve(strength, combination_configurations=(CombinationConfiguration(
        kind="fido2", applies_to_combinations=(("fido2",),), allowed_aaguids=("a-1",)),))
    assert codes(tenant(policy(grant=GrantControls(authentication_strength=strength.id)),
                        authentication_strengths=[fido_only])) == []


def test_PA172_approved_client_app() -> None:
    """The retired approved-client-app grant is PA172 (facts §6.11)."""
    bad = tenant(policy(grant=GrantControls(built_in_controls=("approvedApplication",))))
    assert subjects(bad, "PA172") == [("p1",)]
    assert codes(tenant(policy(grant=GrantControls(
        built_in_controls=("compliantApplication",))))) == []


# -- a whole tenant ---------------------------------------------------------------------


def test_every_code_in_one_tenant() -> None:
    """A tenant with every problem at once reports every code but PA101, PA150 and
    PA102 (which exclude each other or need 241 policies)."""
    gps = CountryNamedLocation(id="loc-gps", display_name="GPS", countries_and_regions=("NL",),
                               country_lookup_method="authenticatorAppGps")
    office = IpNamedLocation(id="loc-office", display_name="Office",
                             ip_ranges=(IpRange.from_cidr("203.0.113.0/24"),), is_trusted=True)
    approve = ProtectedAction(permission=APPROVE, context_id="c3")
    t = Tenant(
        policies=[
            policy("p1", state=REPORT_ONLY, controls=("compliantDevice",),
                   locations=LocationConditions(include_locations=("loc-gps",))),
            policy("p2", users=UserConditions(include_roles=(GA,),
                                              exclude_groups=("<Exclusions>",)),
                   contexts=("c2",), grant=GrantControls(operator="AND", built_in_controls=(
                       "mfa", "approvedApplication", "riskRemediation"),
                       authentication_strength=STRONG),
                   devices=DeviceConditions(device_filter=Filter(mode="include", rule="(("))),
            policy("p3", users=UserConditions(include_groups=(BREAKGLASS,)), contexts=("c4",),
                   locations=LocationConditions(include_locations=("loc-office", GUID_GROUP))),
            policy("p4", controls=(), contexts=("c4",), client_app_types=("browsers",),
                   unmodelled=FrozenDict({"zzFuture": True, "zzEmpty": None})),
            policy("p5", users=None, contexts=("c4",)),
        ],
        unmodelled=FrozenDict({"zzKept": 1}),
        auth_contexts=[AuthContext(id="c1", is_available=False), AuthContext(id="c3")],
        protected_actions=[ProtectedAction(permission=CA_CREATE, context_id="c1"),
                           ProtectedAction(permission="microsoft.directory/deletedItems/delete",
                                           context_id="c9"), approve],
        named_locations=[gps, office], users=accounts("bg1", "bg2"),
        groups=[Group(id=BREAKGLASS)], emergency_access_accounts=["bg1", "bg2", "bg3"])
    assert sorted(set(codes(t))) == sorted(set(CATALOG) - {"PA101", "PA102", "PA150"})
