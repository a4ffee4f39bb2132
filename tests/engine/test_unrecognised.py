"""What the tenant holds but the evaluator cannot interpret is decided fail-closed and
reported, never ignored (DESIGN §4): unknown properties and enumeration values make a
policy undetermined (it applies, ``notEnoughInformation``, ``complete=False``), a
``grantControls`` of the wrong type or with an unknown property is a requirement no
prompt can satisfy, a ``resourceActions`` entry the evaluator cannot read leaves the
permission's protection unknown (DENY), and a policy without any control is Entra's
``emptyPolicy``."""

from __future__ import annotations

from typing import Any

import pytest
from tests.helpers import CA_CREATE, auth, check, result_for, session, user

from protected_actions import (
    Decision,
    Outcome,
    ReasonCode,
    Tenant,
    evaluate,
    evaluate_sign_in,
    lint,
)
from protected_actions.graph import load_tenant
from protected_actions.model.frozen import FrozenDict
from protected_actions.model.policy import Conditions

# Graph What If analysisReasons, including notEnoughInformation and emptyPolicy:
# https://learn.microsoft.com/en-us/graph/api/resources/conditionalaccesswhatifpolicy


def _policy(pid: str = "p1", **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": pid, "displayName": pid, "state": "enabled",
        "conditions": {
            "users": {"includeUsers": ["All"]},
            "applications": {"includeAuthenticationContextClassReferences": ["c1"]},
        },
        "grantControls": {"operator": "OR", "builtInControls": ["compliantDevice"]},
    }
    body.update(changes)
    return body


def _tenant(*policies: dict[str, Any], **bundle: Any) -> Tenant:
    return load_tenant({
        "conditionalAccessPolicies": list(policies),
        "authenticationContextClassReferences": [{"id": "c1", "isAvailable": True}],
        "resourceActions": [{"name": CA_CREATE, "authenticationContextId": "c1"}],
        **bundle})


def _with_conditions(**conditions: Any) -> dict[str, Any]:
    body = _policy()
    body["conditions"].update(conditions)
    return body


def _undetermined(d: Decision, text: str) -> None:
    assert d.outcome is Outcome.DENY
    assert not d.complete
    assert ReasonCode.UNDETERMINED_CONDITION in d.codes
    assert any(text in r.message for r in d.reasons), d.reasons
    result = result_for(d, "p1")
    assert result.applies
    assert result.analysis_reasons == ("notEnoughInformation",)


def _fresh() -> Any:
    return session(auth("password", "microsoftAuthenticatorPush"))


@pytest.mark.parametrize(("conditions", "text"), [
    ({"clientAppTypes": ["browsers"]},
     "unknown value 'browsers' at conditions.clientAppTypes (did you mean 'browser'?)"),
    ({"clientAppTypes": ["Browser"]}, None),  # case does not matter: a match, decided
    ({"signInRiskLevels": ["hihg"]}, "unknown value 'hihg' at conditions.signInRiskLevels"),
    ({"platforms": {"includePlatforms": ["i0S"]}},
     "unknown value 'i0S' at conditions.platforms.includePlatforms"),
    ({"authenticationFlows": {"transferMethods": "deviceCodeFlows"}},
     "unknown value 'deviceCodeFlows' at conditions.authenticationFlows.transferMethods"),
    ({"times": {"included": {"timezone": "UTC"}}}, "unknown property conditions.times"),
    ({"users": {"includeUsers": ["All"], "includeAgentThings": ["x"]}},
     "unknown property conditions.users.includeAgentThings"),
    ({"users": {"includeUsers": ["All"], "excludeGuestsOrExternalUsers": {
        "guestOrExternalUserTypes": "internalGuest", "externalTenants": {
            "membershipKind": "all", "zzTenantRule": "x"}}}},
     "unknown property conditions.users.excludeGuestsOrExternalUsers.externalTenants."
     "zzTenantRule"),
])
def test_an_unknown_condition_value_or_property_makes_the_policy_undetermined(
        conditions: dict[str, Any], text: str | None) -> None:
    """Before, ``clientAppTypes: ["browsers"]`` silently matched nothing, and unknown
    properties below ``conditions`` were ignored: ALLOW, complete."""
    d = check(_tenant(_with_conditions(**conditions)), _fresh())
    if text is None:
        assert d.outcome is Outcome.DENY and d.complete
        return
    _undetermined(d, text)


@pytest.mark.parametrize("side", ["include", "exclude"])
def test_an_unknown_guest_type_makes_the_guest_condition_undetermined(side: str) -> None:
    """``b2bCollaborationGuests`` (a typo) must not silently leave a guest out of the
    policy (or excluded from it)."""
    guests = {"guestOrExternalUserTypes": "b2bCollaborationGuests",
              "externalTenants": {"membershipKind": "all"}}
    users: dict[str, Any] = {"includeUsers": [] if side == "include" else ["All"],
                             f"{side}GuestsOrExternalUsers": guests}
    guest = user("gina", user_type="guest", guest_or_external_user_type="b2bCollaborationGuest",
                 home_tenant_id="t-home")
    d = check(_tenant(_with_conditions(users=users)),
              session(auth("password", "microsoftAuthenticatorPush"), who=guest))
    assert d.outcome is Outcome.DENY
    assert not d.complete
    assert result_for(d, "p1").applies


def test_an_unknown_session_control_makes_the_policy_undetermined() -> None:
    d = check(_tenant(_policy(sessionControls={"zzFutureControl": {"isEnabled": True}})),
              _fresh())
    _undetermined(d, "unknown property sessionControls.zzFutureControl")


def test_an_unknown_property_with_no_value_decides_nothing() -> None:
    """``"times": null`` (real exports hold such keys) configures nothing."""
    d = check(_tenant(_with_conditions(times=None)), _fresh())
    assert d.outcome is Outcome.DENY and d.complete


@pytest.mark.parametrize("grant", [[], "mfa", 1, ["mfa"]])
def test_grant_controls_of_the_wrong_type_are_an_unmet_requirement(grant: Any) -> None:
    """``grantControls: []`` used to read as "no requirement": ALLOW."""
    d = check(_tenant(_policy(grantControls=grant)), _fresh())
    assert d.outcome is Outcome.DENY
    assert d.codes == (ReasonCode.REQUIREMENT_NOT_INTERACTIVE,)
    assert "grantControls of the wrong type" in d.reasons[0].message


def test_an_unknown_grant_control_property_is_an_unmet_requirement() -> None:
    body = _policy(grantControls={"builtInControls": [], "zzRequireVerifiedId": True})
    d = check(_tenant(body), _fresh())
    assert d.outcome is Outcome.DENY
    assert d.codes == (ReasonCode.REQUIREMENT_NOT_INTERACTIVE,)
    assert "unknown property grantControls.zzRequireVerifiedId" in d.reasons[0].message


@pytest.mark.parametrize("grant", [{}, {"operator": "OR", "builtInControls": []},
                                   {"builtInControls": None, "termsOfUse": []}])
def test_an_empty_grant_with_session_controls_requires_nothing(grant: Any) -> None:
    """Session-control-only policies are written with ``{}`` and with empty lists."""
    body = _policy(grantControls=grant, sessionControls={
        "signInFrequency": {"isEnabled": True, "value": 4, "type": "hours",
                            "frequencyInterval": "timeBased"}})
    d = check(_tenant(body), _fresh())
    assert d.outcome is Outcome.ALLOW and d.complete


@pytest.mark.parametrize("grant", [{}, None, {"operator": "AND", "builtInControls": []}])
def test_a_policy_without_any_control_is_an_empty_policy(grant: Any) -> None:
    """Neither grant nor session controls: Entra's ``emptyPolicy``; it never applies
    and lint reports it."""
    t = _tenant(_policy("p1", grantControls=grant),
                _policy("p2", grantControls={"builtInControls": ["mfa"]}))
    d = check(t, _fresh())
    assert d.outcome is Outcome.ALLOW
    result = result_for(d, "p1")
    assert not result.applies
    assert result.analysis_reasons == ("emptyPolicy",)
    assert [f.subjects for f in lint(t) if f.code == "PA183"] == [("p1",)]


def test_an_empty_policy_alone_does_not_enforce_a_directory_context() -> None:
    d = check(_tenant(_policy(grantControls={})), _fresh())
    assert d.codes == (ReasonCode.CONTEXT_NOT_ENFORCED,)


def test_an_unreadable_resource_action_leaves_the_protection_unknown() -> None:
    """A property the evaluator cannot read in the mapping: which context protects the
    permission is unknown, so it is denied (never ALLOW), incomplete."""
    t = _tenant(_policy(grantControls={"builtInControls": ["mfa"]}), resourceActions=[
        {"name": CA_CREATE, "authenticationContextId": "c1", "zzCondition": "x"}])
    d = check(t, _fresh())
    assert d.outcome is Outcome.DENY
    assert not d.complete
    assert d.codes == (ReasonCode.PROTECTION_UNDETERMINED,)
    assert "unknown property resourceActions[0].zzCondition" in d.reasons[0].message
    documented = _tenant(_policy(grantControls={"builtInControls": ["mfa"]}),
                         resourceActions=[{"name": CA_CREATE, "authenticationContextId": "c1",
                                           "isPrivileged": True, "actionVerb": "POST"}])
    assert check(documented, _fresh()).outcome is Outcome.ALLOW


def test_policy_states_match_case_insensitively() -> None:
    d = check(_tenant(_policy(state="EnabledForReportingButNotEnforced"),
                      _policy("p2", grantControls={"builtInControls": ["mfa"]})), _fresh())
    assert d.outcome is Outcome.ALLOW
    assert result_for(d, "p1").state == "EnabledForReportingButNotEnforced"
    assert not result_for(d, "p1").enforced


def _deep(depth: int) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = FrozenDict({"x": value})
    return value


def test_deep_kept_json_never_makes_evaluate_or_lint_recurse() -> None:
    """JSON kept as data is walked without recursion (a model built directly, not
    loaded, may hold any depth)."""
    t = _tenant(_policy())
    policy = t.policies[0]
    deep = Conditions(users=policy.conditions.users, applications=policy.conditions.applications,
                      unmodelled=FrozenDict({"zzFuture": _deep(3000)}))
    import attrs
    t = attrs.evolve(t, policies=(attrs.evolve(policy, conditions=deep),))
    d = evaluate(t, _fresh(), CA_CREATE)
    assert d.outcome is Outcome.DENY and not d.complete
    assert any(f.code == "PA180" for f in lint(t))
    evaluate_sign_in(t, _fresh(), "00000003-0000-0000-c000-000000000000")


# Graph requires users (or clientApplications) and applications in every policy:
# https://learn.microsoft.com/graph/api/resources/conditionalaccessconditionset
@pytest.mark.parametrize("users", [None, {}, {"includeUsers": []}, "absent"])
def test_a_policy_without_users_applies_undetermined_instead_of_to_no_one(users: Any) -> None:
    """A damaged document (``users`` dropped, ``null`` or naming no one to include)
    once targeted no one and the decision was a silent ALLOW; whom it targets is
    unknown, so it applies to everyone, undetermined, and PA184 names it."""
    body = _policy()
    if users == "absent":
        del body["conditions"]["users"]
    else:
        body["conditions"]["users"] = users
    t = _tenant(body)
    _undetermined(evaluate(t, _fresh(), CA_CREATE), "conditions.users names no one")
    assert [f.subjects for f in lint(t) if f.code == "PA184"] == [("p1",)]


def test_include_users_none_is_a_policy_that_targets_no_one() -> None:
    """``includeUsers: ["None"]`` is the documented way to target no one: decided."""
    body = _policy()
    body["conditions"]["users"] = {"includeUsers": ["None"]}
    t = _tenant(body)
    d = evaluate(t, _fresh(), CA_CREATE)
    assert d.complete and result_for(d, "p1").analysis_reasons == ("users",)
    assert not [f for f in lint(t) if f.code == "PA184"]


def test_a_workload_identity_policy_needs_no_users() -> None:
    body = _policy()
    body["conditions"]["users"] = {"includeUsers": ["None"]}
    body["conditions"]["clientApplications"] = {
        "includeServicePrincipals": ["ServicePrincipalsInMyTenant"]}
    assert not [f for f in lint(_tenant(body)) if f.code == "PA184"]


def test_a_policy_without_applications_applies_undetermined_to_every_sign_in() -> None:
    """Without ``applications`` no target is known: every application sign-in meets
    the policy, undetermined; PA184 says that an auth context request cannot."""
    body = _policy()
    del body["conditions"]["applications"]
    t = _tenant(body)
    d = evaluate_sign_in(t, _fresh(), "00000003-0000-0000-c000-000000000000")
    assert not d.complete and d.outcome is not Outcome.ALLOW
    assert result_for(d, "p1").analysis_reasons == ("notEnoughInformation",)
    (found,) = [f for f in lint(t) if f.code == "PA184"]
    assert "conditions.applications is missing" in found.message
