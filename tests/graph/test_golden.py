"""Golden tests: Microsoft's documented Graph examples (cited by entra-facts section)
load into the expected models and dump to the expected JSON."""

from __future__ import annotations

from typing import Any

from tests.graph import assert_lossless

from protected_actions import (
    MFA_STRENGTH,
    PASSWORDLESS_MFA_STRENGTH,
    PHISHING_RESISTANT_MFA_STRENGTH,
    ApplicationConditions,
    AuthContext,
    CombinationConfiguration,
    Conditions,
    GrantControls,
    IpNamedLocation,
    IpRange,
    LocationConditions,
    PlatformConditions,
    Policy,
    SessionControls,
    SignInFrequency,
    UserConditions,
)
from protected_actions.graph import dump_policy, dump_tenant, load_policy, load_tenant
from protected_actions.model.frozen import FrozenDict

EXO = "00000002-0000-0ff1-ce00-000000000000"
GROUP = "30e10c57-8f6d-4f40-bc47-c9bd1d6c5b9a"

EXAMPLE_1_REQUEST: dict[str, Any] = {
    "displayName": "Access to EXO requires MFA",
    "state": "enabled",
    "conditions": {
        "clientAppTypes": ["mobileAppsAndDesktopClients", "browser"],
        "applications": {"includeApplications": [EXO]},
        "users": {"includeGroups": [GROUP]},
        "locations": {"includeLocations": ["All"], "excludeLocations": ["AllTrusted"]},
    },
    "grantControls": {"operator": "OR", "builtInControls": ["mfa"]},
}
"""entra-facts §3.11 example 1 (post-policies v1.0), the request body."""

EXAMPLE_1_MODEL = Policy(
    id="Access to EXO requires MFA", display_name="Access to EXO requires MFA",
    state="enabled",
    conditions=Conditions(
        client_app_types=("mobileAppsAndDesktopClients", "browser"),
        applications=ApplicationConditions(include_applications=(EXO,)),
        users=UserConditions(include_groups=(GROUP,)),
        locations=LocationConditions(include_locations=("All",),
                                     exclude_locations=("AllTrusted",))),
    grant_controls=GrantControls(operator="OR", built_in_controls=("mfa",)))


def _response(request: dict[str, Any], policy_id: str) -> dict[str, Any]:
    """The 201 response the example documents: empty arrays filled, nulls for the
    objects the request left out."""
    conditions = request["conditions"]
    return {
        "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#identity/"
                          "conditionalAccess/policies/$entity",
        "id": policy_id, "displayName": request["displayName"],
        "createdDateTime": "2019-09-26T23:12:16.0792706Z", "modifiedDateTime": None,
        "state": request["state"],
        "sessionControls": None,
        "conditions": {
            "signInRiskLevels": [], "clientAppTypes": conditions["clientAppTypes"],
            "platforms": None, "locations": conditions["locations"],
            "applications": {"includeApplications": [EXO], "excludeApplications": [],
                             "includeUserActions": []},
            "users": {"includeUsers": [], "excludeUsers": [], "includeGroups": [GROUP],
                      "excludeGroups": [], "includeRoles": [], "excludeRoles": []},
        },
        "grantControls": {"operator": "OR", "builtInControls": ["mfa"],
                          "customAuthenticationFactors": [], "termsOfUse": []},
    }


class TestConditionalAccessExamples:
    def test_example_1_request_loads_into_the_documented_policy(self) -> None:
        """§3.11 example 1: the request body is the policy it describes (no id: the
        display name stands in)."""
        assert load_policy(EXAMPLE_1_REQUEST) == EXAMPLE_1_MODEL

    def test_example_1_post_body_is_the_request_plus_graph_defaults(self) -> None:
        """§3.11 example 1: the POST body written back holds the request's properties."""
        body = dump_policy(load_policy(EXAMPLE_1_REQUEST), for_create=True)
        assert_lossless(EXAMPLE_1_REQUEST, body)
        assert "id" not in body
        assert body["sessionControls"] is None

    def test_example_1_response_is_the_same_policy(self) -> None:
        """§3.11 example 1: the 201 response (arrays filled, nulls) is the same policy
        with the id Graph gave it, and writes back exactly."""
        response = _response(EXAMPLE_1_REQUEST, "7359d0e0-d8a9-4afa-8a93-e23e099d7be8")
        policy = load_policy(response)
        assert policy.conditions == EXAMPLE_1_MODEL.conditions
        assert policy.grant_controls == EXAMPLE_1_MODEL.grant_controls
        assert_lossless(response, dump_policy(policy))

    def test_example_3_all_conditions_and_controls(self) -> None:
        """§3.11 example 3: every condition and control, including excludeUsers with
        GuestsOrExternalUsers, platforms, risk and session controls."""
        body = {
            "displayName": "Demo app for documentation", "state": "disabled",
            "conditions": {
                "signInRiskLevels": ["high", "medium"],
                "clientAppTypes": ["mobileAppsAndDesktopClients", "exchangeActiveSync", "other"],
                "applications": {"includeApplications": ["All"],
                                 "excludeApplications": [f"a{i}" for i in range(7)]},
                "users": {"includeUsers": ["u1"], "excludeUsers": ["u2", "GuestsOrExternalUsers"],
                          "includeRoles": ["r1", "r2", "r3"], "excludeRoles": ["billing"]},
                "platforms": {"includePlatforms": ["all"],
                              "excludePlatforms": ["iOS", "windowsPhone"]},
                "locations": {"includeLocations": ["AllTrusted"],
                              "excludeLocations": ["l1", "l2"]},
            },
            "grantControls": {"operator": "OR", "builtInControls": [
                "mfa", "compliantDevice", "domainJoinedDevice", "approvedApplication",
                "compliantApplication"], "termsOfUse": ["tou1", "tou2"]},
            "sessionControls": {
                "cloudAppSecurity": {"cloudAppSecurityType": "blockDownloads", "isEnabled": True},
                "signInFrequency": {"value": 4, "type": "hours", "isEnabled": True}},
        }
        policy = load_policy(body)
        assert policy.conditions.platforms == PlatformConditions(
            include_platforms=("all",), exclude_platforms=("iOS", "windowsPhone"))
        assert policy.session_controls == SessionControls(
            sign_in_frequency=SignInFrequency(value=4, type="hours", is_enabled=True),
            others=FrozenDict({"cloudAppSecurity": FrozenDict(
                {"cloudAppSecurityType": "blockDownloads", "isEnabled": True})}))
        assert_lossless(body, dump_policy(policy))

    def test_authentication_context_policy_from_the_evaluate_example(self) -> None:
        """§3.11 / §2.1: a policy targeting auth contexts c1 and c37 with the built-in
        MFA strength."""
        body = {"id": "p-ac", "displayName": "Auth context", "state": "enabled",
                "conditions": {"users": {"includeUsers": ["All"]}, "applications": {
                    "includeApplications": [],
                    "includeAuthenticationContextClassReferences": ["c1", "c37"]}},
                "grantControls": {"operator": "OR", "builtInControls": [],
                                  "authenticationStrength": {"id": MFA_STRENGTH.id}}}
        policy = load_policy(body)
        assert policy.targets_context("c1")
        assert policy.targets_context("c37")
        assert policy.grant_controls is not None
        assert policy.grant_controls.authentication_strength == MFA_STRENGTH.id
        assert_lossless(body, dump_policy(policy))


IP_EXAMPLE = {
    "@odata.type": "#microsoft.graph.ipNamedLocation",
    "displayName": "Untrusted IP named location",
    "isTrusted": False,
    "ipRanges": [
        {"@odata.type": "#microsoft.graph.iPv4CidrRange", "cidrAddress": "12.34.221.11/22"},
        {"@odata.type": "#microsoft.graph.iPv6CidrRange",
         "cidrAddress": "2001:0:9d38:90d6:0:0:0:0/63"},
    ],
}
"""entra-facts §4.1 example body."""


class TestNamedLocationExample:
    def test_ip_named_location_example_loads(self) -> None:
        """§4.1: the documented body is an untrusted IP location with two CIDR ranges."""
        (location,) = load_tenant({"namedLocations": [IP_EXAMPLE]}).named_locations
        assert location == IpNamedLocation(
            id="Untrusted IP named location", display_name="Untrusted IP named location",
            ip_ranges=(IpRange.from_cidr("12.34.221.11/22"),
                       IpRange.from_cidr("2001:0:9d38:90d6:0:0:0:0/63")))
        assert location.contains("12.34.223.255")
        assert not location.contains("12.34.224.0")

    def test_ip_named_location_post_body_is_the_documented_body(self) -> None:
        """§4.1: the POST body written for the location is the documented one."""
        tenant = load_tenant({"namedLocations": [IP_EXAMPLE]})
        assert dump_tenant(tenant, for_create=True)["namedLocations"] == [IP_EXAMPLE]


def _built_in_json(strength: Any) -> dict[str, Any]:
    """A built-in strength as Graph's list-policies example shows it (§5.3)."""
    return {"id": strength.id, "createdDateTime": "2021-12-01T00:00:00Z",
            "modifiedDateTime": None, "displayName": strength.display_name,
            "description": None, "policyType": "builtIn", "requirementsSatisfied": "mfa",
            "allowedCombinations": [",".join(c) for c in strength.allowed_combinations]}


class TestAuthenticationStrengthExamples:
    def test_built_in_strengths_load_as_the_library_built_ins(self) -> None:
        """§5.3: the three built-in strengths as Graph lists them are the built-ins."""
        built_ins = [MFA_STRENGTH, PASSWORDLESS_MFA_STRENGTH, PHISHING_RESISTANT_MFA_STRENGTH]
        bundle = {"authenticationStrengthPolicies": {"value": [
            _built_in_json(s) for s in built_ins]}}
        tenant = load_tenant(bundle)
        assert tenant.authentication_strengths == tuple(built_ins)
        assert len(MFA_STRENGTH.allowed_combinations) == 19
        assert_lossless(bundle, dump_tenant(tenant))

    def test_x509_combination_configuration_example(self) -> None:
        """§5.4: the x509 configuration example, issuer SKI and two policy OIDs."""
        config = {"@odata.type": "#microsoft.graph.x509CertificateCombinationConfiguration",
                  "appliesToCombinations": ["x509CertificateMultiFactor"],
                  "allowedIssuerSkis": ["9A4248C6AC8C2931AB2A86537818E92E7B6C97B6"],
                  "allowedPolicyOIDs": ["1.2.3.4.6", "1.2.3.4.5.6"]}
        bundle = {"authenticationStrengthPolicies": [{
            "id": "s1", "displayName": "Certificate", "policyType": "custom",
            "allowedCombinations": ["x509CertificateMultiFactor"],
            "combinationConfigurations": [config]}]}
        (strength,) = load_tenant(bundle).authentication_strengths
        assert strength.combination_configurations == (CombinationConfiguration(
            kind="x509Certificate", applies_to_combinations=(("x509CertificateMultiFactor",),),
            allowed_issuer_skis=("9A4248C6AC8C2931AB2A86537818E92E7B6C97B6",),
            allowed_policy_oids=("1.2.3.4.6", "1.2.3.4.5.6")),)
        dumped = dump_tenant(load_tenant(bundle))["authenticationStrengthPolicies"][0]
        assert dumped["combinationConfigurations"] == [{**config, "id": None}]


class TestAuthenticationContextExample:
    def test_authentication_context_class_reference(self) -> None:
        """§2.1: id, displayName, description and isAvailable (default false)."""
        body = {"id": "c1", "displayName": "Require strong authentication",
                "description": "Step up for sensitive actions", "isAvailable": True}
        bundle = {"authenticationContextClassReferences": [body, {"id": "c37"}]}
        tenant = load_tenant(bundle)
        assert tenant.auth_contexts == (
            AuthContext(id="c1", display_name="Require strong authentication",
                        description="Step up for sensitive actions", is_available=True),
            AuthContext(id="c37"))
        assert dump_tenant(tenant)["authenticationContextClassReferences"][0] == body
