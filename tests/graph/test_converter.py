"""The converter's rules, one at a time: names, unknown properties, raw forms, tags,
flags, strengths, roles, bundles, ids, POST bodies and the normal form."""

from __future__ import annotations

import json
from typing import Any

import attrs
import cattrs
import pytest
from tests.graph import assert_lossless, lossless_differences

from protected_actions import (
    CompliantNetworkNamedLocation,
    CountryNamedLocation,
    DeviceConditions,
    IpNamedLocation,
    IpRange,
    LoadError,
    Permission,
    Policy,
    ProtectedAction,
    RoleDefinition,
    SignInFrequency,
    Tenant,
    User,
)
from protected_actions.graph import (
    configure_converter,
    dump_policy,
    dump_template,
    dump_tenant,
    load_policies,
    load_policy,
    load_tenant,
    make_converter,
)
from protected_actions.model.frozen import FrozenDict


def policy_json(**extra: Any) -> dict[str, Any]:
    """A small valid policy body, with ``extra`` properties merged in."""
    body: dict[str, Any] = {
        "id": "p1", "displayName": "Require MFA", "state": "enabled",
        "conditions": {"users": {"includeUsers": ["All"]},
                       "applications": {"includeApplications": ["All"]},
                       "clientAppTypes": ["all"]},
        "grantControls": {"operator": "OR", "builtInControls": ["mfa"]},
    }
    body.update(extra)
    return body


def round_trip(body: dict[str, Any]) -> dict[str, Any]:
    """Load a policy body and dump it again, asserting nothing was lost."""
    dumped = dump_policy(load_policy(body))
    assert_lossless(body, dumped)
    return dumped


class TestConverter:
    def test_make_converter_structures_and_unstructures_policies(self) -> None:
        """make_converter() gives a cattrs converter that reads and writes Graph JSON."""
        converter = make_converter()
        policy = converter.structure(policy_json(), Policy)
        assert policy.grant_controls is not None
        assert policy.grant_controls.built_in_controls == ("mfa",)
        assert converter.unstructure(policy)["displayName"] == "Require MFA"

    def test_configure_converter_registers_on_an_existing_converter(self) -> None:
        """configure_converter() adds the hooks to a converter the caller owns."""
        converter = cattrs.Converter(detailed_validation=True)
        configure_converter(converter)
        location = converter.structure({"@odata.type": "#microsoft.graph.ipNamedLocation",
                                         "id": "n1", "displayName": "HQ",
                                         "ipRanges": []}, IpNamedLocation)
        assert location == IpNamedLocation(id="n1", display_name="HQ")

    def test_configure_converter_docstring_lists_the_rules_as_bullets(self) -> None:
        """Every rule of the converter is a bullet of configure_converter's docstring."""
        doc = configure_converter.__doc__ or ""
        bullets = [line for line in doc.splitlines() if line.strip().startswith("- ")]
        assert len(bullets) >= 10
        for topic in ("rename", "@odata.type", "flags", "for_create", "detailed validation"):
            assert topic in doc

    def test_strict_converter_rejects_unknown_properties_but_keeps_annotations(self) -> None:
        """strict=True makes an unknown property an error; annotations are still kept."""
        converter = make_converter(strict=True)
        with pytest.raises(cattrs.ClassValidationError):
            converter.structure(policy_json(betaOnly=1), Policy)
        policy = converter.structure(policy_json(**{"@odata.etag": "W/1"}), Policy)
        assert policy.unmodelled == {"@odata.etag": "W/1"}


class TestNames:
    def test_pascal_case_properties_read_and_come_back_camel_case(self) -> None:
        """PascalCase names map case-insensitively to Graph's camelCase names."""
        body = {"Id": "p1", "DisplayName": "x", "State": "disabled",
                "Conditions": {"Users": {"IncludeUsers": ["All"]}}, "GrantControls": {}}
        policy = load_policy(body)
        assert (policy.id, policy.state) == ("p1", "disabled")
        assert policy.conditions.users is not None
        dumped = dump_policy(policy)
        assert "grantControls" in dumped
        assert "GrantControls" not in dumped
        assert_lossless(body, dumped)

    def test_annotation_of_a_pascal_case_property_follows_its_spelling(self) -> None:
        """``GrantControls@odata.type`` is kept as ``grantControls@odata.type``."""
        dumped = round_trip(policy_json(**{"State@odata.type": "#x"}))
        assert dumped["state@odata.type"] == "#x"

    def test_two_spellings_of_one_property_are_an_error(self) -> None:
        """``state`` and ``State`` in one object is a problem, not a silent choice."""
        with pytest.raises(LoadError, match="duplicate property"):
            load_policy(policy_json(State="disabled"))

    def test_unknown_pascal_case_property_is_kept_as_written(self) -> None:
        """An unknown property keeps the name it was read with."""
        dumped = round_trip(policy_json(FutureThing={"A": 1}))
        assert dumped["FutureThing"] == {"A": 1}


class TestUnknownAndAnnotations:
    def test_unknown_and_beta_properties_are_kept_in_unmodelled(self) -> None:
        """Beta-only and unknown properties land in ``unmodelled`` and are written back."""
        body = policy_json(partialEnablementStrategy=None)
        body["conditions"]["agents"] = {"includeAgentUsers": ["All"]}
        policy = load_policy(body)
        assert policy.unmodelled == {"partialEnablementStrategy": None}
        assert "agents" in policy.conditions.unmodelled
        round_trip(body)

    def test_odata_annotations_are_kept_including_strength_context(self) -> None:
        """``@odata.*`` annotations and ``authenticationStrength@odata.context`` survive."""
        body = policy_json(**{"@odata.context": "https://graph/$metadata#policies/$entity",
                              "@odata.type": "#microsoft.graph.conditionalAccessPolicy"})
        body["grantControls"]["authenticationStrength@odata.context"] = "ctx"
        body["grantControls"]["authenticationStrength"] = None
        dumped = round_trip(body)
        assert list(dumped)[:2] == ["@odata.context", "@odata.type"]
        assert list(dumped["grantControls"])[-2:] == [
            "authenticationStrength", "authenticationStrength@odata.context"]

    def test_session_controls_other_than_sign_in_frequency_are_kept_by_name(self) -> None:
        """Session controls the model does not interpret are kept in ``others``."""
        body = policy_json(sessionControls={
            "persistentBrowser": {"mode": "never", "isEnabled": True},
            "SignInFrequency": {"value": 4, "type": "hours", "isEnabled": True},
            "disableResilienceDefaults": None})
        policy = load_policy(body)
        assert policy.session_controls is not None
        assert policy.session_controls.others["persistentBrowser"] == {
            "mode": "never", "isEnabled": True}
        assert policy.session_controls.sign_in_frequency is not None
        assert policy.session_controls.sign_in_frequency.value == 4
        dumped = round_trip(body)
        assert list(dumped["sessionControls"]) == [
            "signInFrequency", "persistentBrowser", "disableResilienceDefaults"]

    def test_mixed_case_and_unknown_enum_members_are_kept_as_written(self) -> None:
        """``All``, ``unknownFutureValue`` and ``riskRemediation`` stay exactly as read."""
        body = policy_json()
        body["conditions"]["clientAppTypes"] = ["All", "unknownFutureValue"]
        body["grantControls"]["builtInControls"] = ["riskRemediation", "verifiedID"]
        policy = load_policy(body)
        assert policy.conditions.client_app_types == ("All", "unknownFutureValue")
        round_trip(body)


class TestRawForms:
    def test_null_for_a_list_is_written_back_as_null(self) -> None:
        """``null`` where a list belongs reads as empty and is written back as ``null``."""
        body = policy_json()
        body["conditions"]["users"]["excludeUsers"] = None
        policy = load_policy(body)
        assert policy.conditions.users is not None
        assert policy.conditions.users.exclude_users == ()
        assert round_trip(body)["conditions"]["users"]["excludeUsers"] is None

    def test_stale_raw_value_never_overrides_an_evolved_model(self) -> None:
        """After attrs.evolve, the model's value wins over a raw form read earlier."""
        body = policy_json()
        body["conditions"]["users"]["excludeUsers"] = None
        policy = load_policy(body)
        users = policy.conditions.users
        assert users is not None
        changed = attrs.evolve(policy, conditions=attrs.evolve(
            policy.conditions, users=attrs.evolve(users, exclude_users=("u9",))))
        assert dump_policy(changed)["conditions"]["users"]["excludeUsers"] == ["u9"]

    def test_empty_array_where_an_object_belongs_reads_as_not_configured(self) -> None:
        """``"locations": []`` (seen in real exports) is no locations, written back."""
        body = policy_json()
        body["conditions"]["locations"] = []
        assert load_policy(body).conditions.locations is None
        assert round_trip(body)["conditions"]["locations"] == []

    def test_null_for_a_defaulted_string_reads_as_the_default(self) -> None:
        """``"operator": null`` reads as the model default ``OR`` and is written back."""
        body = policy_json(grantControls={"operator": None, "builtInControls": ["mfa"]})
        grant = load_policy(body).grant_controls
        assert grant is not None
        assert grant.operator == "OR"
        assert round_trip(body)["grantControls"]["operator"] is None

    def test_absent_properties_are_written_in_the_normal_form(self) -> None:
        """Absent v1.0 properties come back as ``[]`` or ``null``; beta ones stay out."""
        dumped = dump_policy(load_policy(policy_json()))
        conditions = dumped["conditions"]
        assert conditions["signInRiskLevels"] == []
        assert conditions["platforms"] is None
        assert "deviceStates" not in conditions
        assert dumped["sessionControls"] is None

    def test_unsorted_member_of_is_written_back_in_input_order(self) -> None:
        """A set read in some order is written in that order while it is unchanged."""
        tenant = load_tenant({"users": [{"id": "u1", "memberOf": ["g2", "g1"]}]})
        assert tenant.users[0].member_of == frozenset({"g1", "g2"})
        assert dump_tenant(tenant)["users"][0]["memberOf"] == ["g2", "g1"]
        changed = attrs.evolve(tenant, users=[attrs.evolve(tenant.users[0],
                                                           member_of={"g3", "g1"})])
        assert dump_tenant(changed)["users"][0]["memberOf"] == ["g1", "g3"]


class TestFlags:
    def test_guest_types_round_trip_as_one_comma_separated_string(self) -> None:
        """``guestOrExternalUserTypes`` flags keep their written order."""
        types = "serviceProvider,internalGuest,b2bCollaborationGuest"
        body = policy_json()
        body["conditions"]["users"]["includeGuestsOrExternalUsers"] = {
            "guestOrExternalUserTypes": types,
            "externalTenants": {
                "@odata.type": "#microsoft.graph.conditionalAccessAllExternalTenants",
                "membershipKind": "all"}}
        guests = load_policy(body).conditions.users.include_guests_or_external_users  # type: ignore[union-attr]
        assert guests is not None
        assert guests.guest_or_external_user_types == (
            "serviceProvider", "internalGuest", "b2bCollaborationGuest")
        dumped = round_trip(body)
        assert dumped["conditions"]["users"]["includeGuestsOrExternalUsers"][
            "guestOrExternalUserTypes"] == types

    def test_transfer_methods_read_as_a_string_or_a_list(self) -> None:
        """``transferMethods`` is a flags string; a list of flags (seen in real data)
        reads too and is written back as a list."""
        as_string = policy_json()
        as_string["conditions"]["authenticationFlows"] = {
            "transferMethods": "deviceCodeFlow,authenticationTransfer"}
        as_list = policy_json()
        as_list["conditions"]["authenticationFlows"] = {"transferMethods": ["deviceCodeFlow"]}
        flows = load_policy(as_string).conditions.authentication_flows
        assert flows is not None
        assert flows.transfer_methods == ("deviceCodeFlow", "authenticationTransfer")
        assert round_trip(as_list)["conditions"]["authenticationFlows"]["transferMethods"] == [
            "deviceCodeFlow"]

    def test_insider_risk_levels_is_a_single_flags_value(self) -> None:
        """``insiderRiskLevels`` reads ``"minor,elevated"`` as two flags."""
        body = policy_json()
        body["conditions"]["insiderRiskLevels"] = "minor,elevated"
        assert load_policy(body).conditions.insider_risk_levels == ("minor", "elevated")
        round_trip(body)

    def test_allowed_combinations_with_spaces_are_kept_exactly(self) -> None:
        """Combination strings with spaces (a documented typo) split cleanly and are
        written back exactly as read."""
        strength = {"id": "s1", "displayName": "S", "allowedCombinations": [
            "password, sms", " x509CertificateMultiFactor "]}
        tenant = load_tenant({"authenticationStrengthPolicies": [strength]})
        assert tenant.authentication_strengths[0].allowed_combinations == (
            ("password", "sms"), ("x509CertificateMultiFactor",))
        assert_lossless({"authenticationStrengthPolicies": [strength]}, dump_tenant(tenant))


class TestGrantStrength:
    def test_strength_reference_by_id(self) -> None:
        """``{"id": ...}`` sets the strength id and nothing embedded."""
        body = policy_json(grantControls={"operator": "OR", "authenticationStrength": {
            "id": "00000000-0000-0000-0000-000000000004"}})
        grant = load_policy(body).grant_controls
        assert grant is not None
        assert grant.authentication_strength == "00000000-0000-0000-0000-000000000004"
        assert grant.embedded_authentication_strength is None
        round_trip(body)

    def test_expanded_strength_is_embedded_and_written_back_as_it_came(self) -> None:
        """The expanded strength object becomes the embedded AuthenticationStrength."""
        expanded = {"id": "s9", "displayName": "Custom", "policyType": "custom",
                    "requirementsSatisfied": "mfa", "allowedCombinations": ["fido2"],
                    "combinationConfigurations@odata.context": "ctx",
                    "combinationConfigurations": []}
        body = policy_json(grantControls={"operator": "OR", "authenticationStrength": expanded})
        grant = load_policy(body).grant_controls
        assert grant is not None
        assert grant.embedded_authentication_strength is not None
        assert grant.authentication_strength == "s9"
        assert grant.embedded_authentication_strength.allowed_combinations == (("fido2",),)
        assert round_trip(body)["grantControls"]["authenticationStrength"]["displayName"] == \
            "Custom"

    def test_post_body_reduces_the_expanded_strength_to_its_id(self) -> None:
        """for_create writes ``{"id": ...}`` for an expanded strength."""
        expanded = {"id": "s9", "displayName": "Custom", "allowedCombinations": ["fido2"]}
        policy = load_policy(policy_json(grantControls={"authenticationStrength": expanded}))
        body = dump_policy(policy, for_create=True)
        assert body["grantControls"]["authenticationStrength"] == {"id": "s9"}

    def test_strength_id_with_annotations_only_is_kept_as_read(self) -> None:
        """``{"@odata.type": ..., "id": ...}`` is a reference, written back unchanged."""
        reference = {"@odata.type": "#microsoft.graph.authenticationStrengthPolicy", "id": "s1"}
        body = policy_json(grantControls={"authenticationStrength": reference})
        grant = load_policy(body).grant_controls
        assert grant is not None
        assert grant.embedded_authentication_strength is None
        assert round_trip(body)["grantControls"]["authenticationStrength"] == reference


class TestNamedLocations:
    def test_tagged_locations_dispatch_on_odata_type(self) -> None:
        """``@odata.type`` picks the IP, country or compliant-network location."""
        tenant = load_tenant({"namedLocations": [
            {"@odata.type": "#microsoft.graph.ipNamedLocation", "id": "a",
             "displayName": "A", "ipRanges": []},
            {"@odata.type": "#microsoft.graph.countryNamedLocation", "id": "b",
             "displayName": "B", "countriesAndRegions": ["NL"]},
            {"@odata.type": "#microsoft.graph.compliantNetworkNamedLocation", "id": "c",
             "displayName": "C"},
        ]})
        kinds = [type(n) for n in tenant.named_locations]
        assert kinds == [IpNamedLocation, CountryNamedLocation, CompliantNetworkNamedLocation]

    def test_untagged_locations_are_recognised_by_their_properties(self) -> None:
        """Without a tag, ``ipRanges`` means IP and ``countriesAndRegions`` country; the
        normal form adds the tag and a missing id becomes the display name."""
        bundle = {"namedLocations": [
            {"displayName": "Offices", "locationType": "ipNamedLocation", "isTrusted": True,
             "ipRanges": [{"description": "HQ", "cidrAddress": "203.0.113.0/24"}]},
            {"displayName": "Blocked", "countriesAndRegions": ["KP"]},
        ]}
        tenant = load_tenant(bundle)
        ip, country = tenant.named_locations
        assert isinstance(ip, IpNamedLocation)
        assert isinstance(country, CountryNamedLocation)
        assert ip.id == "Offices"
        assert ip.ip_ranges[0].unmodelled == {"description": "HQ"}
        dumped = dump_tenant(tenant)
        assert dumped["namedLocations"][0]["@odata.type"] == "#microsoft.graph.ipNamedLocation"
        assert dumped["namedLocations"][0]["ipRanges"][0]["@odata.type"] == \
            "#microsoft.graph.iPv4CidrRange"
        assert_lossless(bundle, dumped)

    def test_ip_ranges_of_every_kind(self) -> None:
        """IPv4/IPv6 CIDR and lower/upper ranges read by tag and keep their tag."""
        ranges = [
            {"@odata.type": "#microsoft.graph.iPv4CidrRange", "cidrAddress": "12.34.221.11/22"},
            {"@odata.type": "#microsoft.graph.iPv6CidrRange", "cidrAddress": "2001:db8::/48"},
            {"@odata.type": "#microsoft.graph.iPv4Range", "lowerAddress": "10.0.0.1",
             "upperAddress": "10.0.0.9"},
            {"@odata.type": "#microsoft.graph.iPv6Range", "lowerAddress": "2001:db8::1",
             "upperAddress": "2001:db8::9"},
        ]
        bundle = {"namedLocations": [{"@odata.type": "#microsoft.graph.ipNamedLocation",
                                      "id": "n", "displayName": "N", "ipRanges": ranges}]}
        location = load_tenant(bundle).named_locations[0]
        assert isinstance(location, IpNamedLocation)
        assert location.ip_ranges[2] == IpRange.from_bounds("10.0.0.1", "10.0.0.9")
        assert dump_tenant(load_tenant(bundle))["namedLocations"][0]["ipRanges"] == ranges

    def test_tag_spelled_differently_is_kept(self) -> None:
        """``microsoft.graph.ipNamedLocation`` (no ``#``) reads and is written back."""
        bundle = {"namedLocations": [{"@odata.type": "microsoft.graph.IPNamedLocation",
                                      "id": "n", "displayName": "N", "ipRanges": []}]}
        assert_lossless(bundle, dump_tenant(load_tenant(bundle)))

    def test_tag_contradicting_the_range_is_a_problem(self) -> None:
        """An IPv4 CIDR tag on a lower/upper range is reported at its path."""
        bundle = {"namedLocations": [{"@odata.type": "#microsoft.graph.ipNamedLocation",
                                      "id": "n", "displayName": "N", "ipRanges": [
            {"@odata.type": "#microsoft.graph.iPv4CidrRange", "lowerAddress": "10.0.0.1",
             "upperAddress": "10.0.0.2"}]}]}
        with pytest.raises(LoadError) as info:
            load_tenant(bundle)
        assert info.value.problems[0].path == "$.namedLocations[0].ipRanges[0]['@odata.type']"


class TestCombinationConfigurations:
    def test_kind_comes_from_the_tag_and_goes_back_to_it(self) -> None:
        """``fido2CombinationConfiguration`` is kind ``fido2``; fields follow the kind."""
        configs = [
            {"@odata.type": "#microsoft.graph.fido2CombinationConfiguration", "id": "f",
             "appliesToCombinations": ["fido2"], "allowedAAGUIDs": ["90a3ccdf"]},
            {"@odata.type": "#microsoft.graph.x509CertificateCombinationConfiguration",
             "id": "x", "appliesToCombinations": ["x509CertificateMultiFactor"],
             "allowedIssuerSkis": [], "allowedPolicyOIDs": ["1.2.3"]},
        ]
        bundle = {"authenticationStrengthPolicies": [{
            "id": "s", "displayName": "S", "allowedCombinations": ["fido2"],
            "combinationConfigurations": configs}]}
        strength = load_tenant(bundle).authentication_strengths[0]
        assert [c.kind for c in strength.combination_configurations] == [
            "fido2", "x509Certificate"]
        dumped = dump_tenant(load_tenant(bundle))
        assert dumped["authenticationStrengthPolicies"][0]["combinationConfigurations"] == configs

    def test_untagged_configuration_kind_is_inferred(self) -> None:
        """``allowedAAGUIDs`` without a tag is a fido2 configuration."""
        bundle = {"authenticationStrengthPolicies": [{
            "id": "s", "displayName": "S", "allowedCombinations": ["fido2"],
            "combinationConfigurations": [{"appliesToCombinations": ["fido2"],
                                           "allowedAAGUIDs": ["a"]}]}]}
        strength = load_tenant(bundle).authentication_strengths[0]
        assert strength.combination_configurations[0].kind == "fido2"


class TestDirectory:
    def test_role_definition_permissions_come_from_allowed_resource_actions(self) -> None:
        """``rolePermissions[].allowedResourceActions`` become the role's permissions."""
        role = {"id": "r1", "displayName": "Custom", "isBuiltIn": False, "templateId": None,
                "rolePermissions": [{"allowedResourceActions": [
                    "microsoft.directory/namedLocations/create"], "condition": None}]}
        tenant = load_tenant({"roleDefinitions": [role]})
        assert tenant.role_definitions[0] == RoleDefinition(
            id="r1", display_name="Custom", is_built_in=False,
            permissions={"microsoft.directory/namedLocations/create"},
            unmodelled=tenant.role_definitions[0].unmodelled)
        assert_lossless({"roleDefinitions": [role]}, dump_tenant(tenant))

    def test_conditional_role_permissions_grant_nothing(self) -> None:
        """An entry with a condition or exclusions grants nothing (fail closed)."""
        role = {"id": "r1", "displayName": "Owner-only", "rolePermissions": [
            {"allowedResourceActions": ["microsoft.directory/namedLocations/create"],
             "condition": "$ResourceIsSelf"}]}
        assert load_tenant({"roleDefinitions": [role]}).role_definitions[0].permissions == \
            frozenset()

    def test_resource_actions_without_context_are_kept_as_bundle_data(self) -> None:
        """Only actions with an authenticationContextId are protected; the others are
        written back in place, and a changed set of protected actions keeps them."""
        actions = [
            {"name": "microsoft.directory/deletedItems/delete", "authenticationContextId": None},
            {"name": "microsoft.directory/namedLocations/create",
             "authenticationContextId": "c1", "isAuthenticationContextSettable": True},
        ]
        tenant = load_tenant({"resourceActions": actions})
        assert tenant.protected_actions == (ProtectedAction(
            permission="microsoft.directory/namedLocations/create", context_id="c1",
            unmodelled=FrozenDict({"isAuthenticationContextSettable": True})),)
        assert dump_tenant(tenant)["resourceActions"] == actions
        fewer = attrs.evolve(tenant, protected_actions=())
        assert dump_tenant(fewer)["resourceActions"] == [actions[0]]

    def test_users_groups_and_assignments(self) -> None:
        """Bundle users, groups, assignments, eligibilities and emergency accounts load."""
        bundle = {
            "users": [{"id": "u1", "displayName": "Ann", "userType": "member",
                       "memberOf": ["g1"], "registeredMethods": ["fido2"],
                       "roles": [], "eligibleRoles": ["r1"]}],
            "groups": [{"id": "g1", "displayName": "Admins", "isAssignableToRole": True,
                        "memberOf": []}],
            "roleAssignments": [{"id": "a1", "principalId": "g1", "roleDefinitionId": "r1",
                                 "directoryScopeId": "/"}],
            "roleEligibilitySchedules": [{"principalId": "u1", "roleDefinitionId": "r2",
                                          "status": "Provisioned"}],
            "emergencyAccessAccounts": ["u9"],
        }
        tenant = load_tenant(bundle)
        assert tenant.users[0] == User(id="u1", display_name="Ann", member_of={"g1"},
                                       registered_methods={"fido2"}, eligible_roles={"r1"})
        assert tenant.groups[0].is_assignable_to_role
        assert tenant.role_eligibilities[0].unmodelled == {"status": "Provisioned"}
        assert_lossless(bundle, dump_tenant(tenant))


class TestBundles:
    def test_lists_may_be_graph_pages(self) -> None:
        """A ``{"value": [...]}`` page reads as its list; its annotations are kept as
        the key's siblings."""
        page = {"@odata.context": "https://graph/$metadata#namedLocations", "value": [
            {"@odata.type": "#microsoft.graph.countryNamedLocation", "id": "n",
             "displayName": "N", "countriesAndRegions": ["NL"]}]}
        tenant = load_tenant({"namedLocations": page})
        dumped = dump_tenant(tenant)
        assert dumped["namedLocations@odata.context"] == page["@odata.context"]
        assert_lossless({"namedLocations": page}, dumped)
        assert load_tenant(dumped) == tenant

    def test_bundle_keys_in_documented_order_then_unknown(self) -> None:
        """The dump lists the eleven bundle keys (DESIGN §5), then unknown keys."""
        dumped = dump_tenant(load_tenant({"zExtra": 1, "users": []}))
        assert list(dumped) == [
            "conditionalAccessPolicies", "authenticationContextClassReferences",
            "namedLocations", "authenticationStrengthPolicies", "resourceActions",
            "roleDefinitions", "roleAssignments", "roleEligibilitySchedules", "users",
            "groups", "emergencyAccessAccounts", "zExtra"]

    def test_policy_without_id_is_named_by_its_display_name(self) -> None:
        """A hand-written policy without ``id`` gets its ``displayName`` as id."""
        body = policy_json()
        del body["id"]
        assert load_policy(body).id == "Require MFA"
        assert dump_policy(load_policy(body))["id"] == "Require MFA"

    def test_null_id_is_written_back_while_it_still_applies(self) -> None:
        """``"id": null`` reads as the display name and is written back as null."""
        policy = load_policy(policy_json(id=None))
        assert policy.id == "Require MFA"
        assert dump_policy(policy)["id"] is None
        assert dump_policy(attrs.evolve(policy, id="p7"))["id"] == "p7"

    def test_duplicate_ids_in_a_bundle_are_a_problem(self) -> None:
        """Two policies with one id are reported at the policies key."""
        with pytest.raises(LoadError) as info:
            load_tenant({"conditionalAccessPolicies": [policy_json(), policy_json()]})
        assert info.value.problems[0].path == "$.conditionalAccessPolicies"


class TestDocuments:
    def test_load_policies_reads_every_shape(self) -> None:
        """One policy, a bare array and a Graph page all read as policies."""
        one = policy_json()
        assert len(load_policies(one)) == 1
        assert len(load_policies([one, policy_json(id="p2")])) == 2
        assert len(load_policies({"@odata.context": "x", "value": [one]})) == 1

    def test_template_becomes_a_report_only_policy_and_dumps_back(self) -> None:
        """A Microsoft template reads as a report-only policy named after it."""
        template = {"name": "Require MFA for admins", "description": "d", "id": "t1",
                    "scenarios": "secureFoundation,zeroTrust",
                    "details": {"conditions": {"users": {"includeRoles": ["r"]}},
                                "grantControls": {"operator": "OR",
                                                  "builtInControls": ["mfa"]},
                                "sessionControls": None}}
        (policy,) = load_policies({"value": [template]})
        assert (policy.id, policy.template_id, policy.display_name, policy.state) == (
            "t1", "t1", "Require MFA for admins", "enabledForReportingButNotEnforced")
        assert_lossless(template, dump_template(policy))
        body = dump_policy(policy, for_create=True)
        assert "@protectedActions.template" not in body
        assert body["templateId"] == "t1"

    def test_load_policy_refuses_a_list(self) -> None:
        """load_policy wants one policy; a page points to load_policies."""
        with pytest.raises(LoadError, match="load_policies"):
            load_policy({"value": [policy_json()]})


class TestPostBodies:
    def test_for_create_drops_read_only_properties_and_annotations(self) -> None:
        """POST bodies have no id, times or annotations other than @odata.type."""
        body = policy_json(createdDateTime="2024-01-01T00:00:00Z", deletedDateTime=None,
                           **{"@odata.context": "c", "@odata.type": "#t",
                              "#microsoft.graph.restore": {"title": "restore"},
                              "state@odata.type": "#s"})
        post = dump_policy(load_policy(body), for_create=True)
        assert not {"id", "createdDateTime", "modifiedDateTime", "deletedDateTime",
                    "@odata.context", "#microsoft.graph.restore"} & set(post)
        assert post["@odata.type"] == "#t"
        assert post["state@odata.type"] == "#s"

    def test_for_create_bundle_keeps_context_ids(self) -> None:
        """An authentication context keeps its id (it is chosen, not generated)."""
        tenant = load_tenant({"authenticationContextClassReferences": [
            {"id": "c3", "displayName": "Admin actions", "isAvailable": True}]})
        post = dump_tenant(tenant, for_create=True)
        assert post["authenticationContextClassReferences"][0]["id"] == "c3"


class TestNormalForm:
    def test_policy_keys_follow_graph_documented_order(self) -> None:
        """Known properties come in the documented order, unknown ones after them."""
        body = {"zUnknown": 1, "state": "enabled", "displayName": "x", "id": "p"}
        assert list(dump_policy(load_policy(body))) == [
            "id", "displayName", "description", "state", "conditions", "grantControls",
            "sessionControls", "createdDateTime", "modifiedDateTime", "templateId",
            "zUnknown"]

    def test_load_of_dump_is_identity_for_a_tenant(self) -> None:
        """load_tenant(dump_tenant(t)) == t for a hand-built tenant."""
        tenant = Tenant(policies=[Policy(id="p")], protected_actions=[ProtectedAction(
            permission=Permission("microsoft.directory/deletedItems/delete"),
            context_id="c2")])
        assert load_tenant(dump_tenant(tenant)) == tenant
        assert json.loads(json.dumps(dump_tenant(tenant))) == dump_tenant(tenant)


POWERSHELL_POLICY: dict[str, Any] = {
    "Id": "p1", "DisplayName": "Require MFA", "State": "enabled", "Description": None,
    "Conditions": {
        "Applications": {"ApplicationFilter": {"Mode": None, "Rule": None},
                         "IncludeApplications": ["All"], "AdditionalProperties": {}},
        "ClientAppTypes": ["all"],
        "Devices": {"DeviceFilter": {"Mode": None, "Rule": None}, "AdditionalProperties": {}},
        "Users": {"IncludeUsers": ["All"], "ExcludeGroups": ["g1"],
                  "IncludeGuestsOrExternalUsers": {
                      "ExternalTenants": {"MembershipKind": None, "AdditionalProperties": {}},
                      "GuestOrExternalUserTypes": None, "AdditionalProperties": {}}},
        "AdditionalProperties": {}},
    "GrantControls": {
        "AuthenticationStrength": {"AllowedCombinations": [], "CombinationConfigurations": [],
                                   "DisplayName": None, "Id": None, "PolicyType": None,
                                   "AdditionalProperties": {}},
        "BuiltInControls": ["mfa"], "Operator": "OR", "AdditionalProperties": {}},
    "SessionControls": {"SignInFrequency": {"IsEnabled": None, "Type": None, "Value": None,
                                            "AdditionalProperties": {}},
                        "AdditionalProperties": {}},
    "AdditionalProperties": {},
}
"""A policy as ``Get-MgIdentityConditionalAccessPolicy | ConvertTo-Json -Depth 10``
writes it: PascalCase, ``AdditionalProperties`` bags and blank objects."""


class TestPowerShellExports:
    def test_policy_from_convert_to_json_loads_and_round_trips(self) -> None:
        """Blank objects the model cannot hold read as not configured, the others as
        empty objects; every property is written back."""
        policy = load_policy(POWERSHELL_POLICY)
        assert policy.conditions.devices == DeviceConditions(
            unmodelled=FrozenDict({"AdditionalProperties": FrozenDict(),
                                   "deviceFilter": FrozenDict({"Mode": None, "Rule": None})}))
        assert policy.conditions.applications is not None
        assert policy.conditions.applications.application_filter is None
        assert policy.conditions.users is not None
        guests = policy.conditions.users.include_guests_or_external_users
        assert guests is not None
        assert (guests.guest_or_external_user_types, guests.external_tenants) == ((), None)
        assert policy.grant_controls is not None
        assert policy.grant_controls.authentication_strength is None
        assert policy.grant_controls.embedded_authentication_strength is None
        assert policy.session_controls is not None
        assert policy.session_controls.sign_in_frequency == SignInFrequency(
            is_enabled=None, unmodelled=FrozenDict({"AdditionalProperties": FrozenDict()}))
        dumped = dump_policy(policy)
        assert_lossless(POWERSHELL_POLICY, dumped)
        assert load_policy(dumped) == policy

    def test_post_body_from_a_powershell_export_has_no_bags(self) -> None:
        """POST bodies leave PowerShell's AdditionalProperties bags and blank objects out."""
        body = dump_policy(load_policy(POWERSHELL_POLICY), for_create=True)
        assert "AdditionalProperties" not in json.dumps(body)
        assert body["conditions"]["applications"]["applicationFilter"] is None

    def test_named_location_properties_inside_additional_properties(self) -> None:
        """Get-MgIdentityConditionalAccessNamedLocation keeps the derived type's
        properties in AdditionalProperties; they are read as the location's own."""
        location = {"Id": "n1", "DisplayName": "HQ", "CreatedDateTime": None,
                    "AdditionalProperties": {
                        "@odata.type": "#microsoft.graph.ipNamedLocation", "isTrusted": True,
                        "ipRanges": [{"@odata.type": "#microsoft.graph.iPv4CidrRange",
                                      "cidrAddress": "203.0.113.0/24"}]}}
        tenant = load_tenant({"namedLocations": [location]})
        (loaded,) = tenant.named_locations
        assert isinstance(loaded, IpNamedLocation)
        assert loaded.is_trusted
        assert loaded.contains("203.0.113.9")
        assert_lossless({"namedLocations": [location]}, dump_tenant(tenant))
        assert load_tenant(dump_tenant(tenant)) == tenant


class TestLosslessHelper:
    def test_reports_missing_and_changed_properties(self) -> None:
        """The lossless check notices a dropped key, a changed value and 1 for true."""
        original = {"a": 1, "b": {"c": True}, "d": [1, 2]}
        assert list(lossless_differences(original, {"a": 1, "b": {"c": 1}, "d": [1]})) == [
            "$.b.c: True became 1", "$.d: [1, 2] became [1]"]
        assert list(lossless_differences(original, {"b": {"c": True}, "d": [1, 2]})) == [
            "$.a: missing"]
