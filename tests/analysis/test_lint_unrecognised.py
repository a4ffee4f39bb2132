"""Lint reports everything the tenant holds but the library cannot interpret, each
finding with its JSON path (list items named by id) and a did-you-mean."""

from __future__ import annotations

from typing import Any

import attrs

from protected_actions import Tenant
from protected_actions.analysis import lint
from protected_actions.graph import load_tenant

CA_CREATE = "microsoft.directory/conditionalAccessPolicies/create"


def _bundle() -> dict[str, Any]:
    return {
        "conditionalAccessPolicies": [
            {"id": "p1", "displayName": "p1", "state": "enabled",
             "conditions": {"users": {"includeUsers": ["All"]},
                            "applications": {
                                "includeAuthenticationContextClassReferences": ["c1"]},
                            "platforms": {"includePlatforms": ["andriod"]},
                            "agents": None},
             "grantControls": {"builtInControls": ["mfa", "verifiedID"]}},
            {"id": "p2", "displayName": "p2", "state": "Enabled",
             "conditions": {"users": {"includeUsers": ["All"]},
                            "applications": {"includeApplications": ["All"]}},
             "sessionControls": {"signInFrequency": {"isEnabled": True, "value": 1,
                                                     "type": "hours"}}},
        ],
        "namedLocations": [{"@odata.type": "#microsoft.graph.countryNamedLocation",
                            "id": "l1", "displayName": "NL", "countriesAndRegions": ["NL"],
                            "countryLookupMethod": "gps", "note": "office"}],
        "users": [{"id": "u1", "zzEmployeeBadge": "42"}],
        "resourceActions": [{"name": CA_CREATE, "authenticationContextId": "c1",
                             "zzScope": "/"}],
        "zzExportedBy": "a tool",
    }


def _found(tenant: Tenant) -> set[tuple[str, tuple[str, ...]]]:
    return {(f.code, f.subjects) for f in lint(tenant) if f.code.startswith("PA18")}


def test_every_unknown_property_and_value_is_a_finding_with_its_path() -> None:
    found = _found(load_tenant(_bundle()))
    p1 = "$.conditionalAccessPolicies[?(@.id=='p1')]"
    assert found == {
        ("PA182", ("p1", f"{p1}.conditions.platforms.includePlatforms")),
        ("PA182", ("p1", f"{p1}.grantControls.builtInControls")),
        ("PA181", ("p1", f"{p1}.conditions.agents")),  # null: configures nothing
        ("PA182", ("$.namedLocations[?(@.id=='l1')].countryLookupMethod",)),
        ("PA181", ("$.namedLocations[?(@.id=='l1')].note",)),
        ("PA181", ("$.users[?(@.id=='u1')].zzEmployeeBadge",)),
        ("PA180", (f"$.resourceActions[?(@.name=={CA_CREATE!r})].zzScope",)),
        ("PA181", ("$.zzExportedBy",)),
    }


def test_messages_carry_the_path_and_the_suggestion() -> None:
    messages = [f.message for f in lint(load_tenant(_bundle())) if f.code == "PA182"]
    assert any("'andriod'" in m and "includePlatforms" in m and "did you mean 'android'?" in m
               for m in messages), messages


def test_findings_do_not_depend_on_list_order() -> None:
    tenant = load_tenant(_bundle())
    reordered = attrs.evolve(tenant, policies=tuple(reversed(tenant.policies)))
    assert lint(reordered) == lint(tenant)


def test_a_clean_graph_export_has_no_such_finding() -> None:
    bundle = _bundle()
    bundle["conditionalAccessPolicies"][0]["conditions"] = {
        "users": {"includeUsers": ["All"]},
        "clientAppTypes": ["Browser", "mobileAppsAndDesktopClients"],
        "applications": {"includeAuthenticationContextClassReferences": ["c1"]}}
    bundle["conditionalAccessPolicies"][0]["grantControls"] = {"builtInControls": ["MFA"]}
    del bundle["namedLocations"], bundle["users"], bundle["zzExportedBy"]
    bundle["resourceActions"][0] = {"name": CA_CREATE, "authenticationContextId": "c1",
                                    "isPrivileged": True, "actionVerb": "POST"}
    assert _found(load_tenant(bundle)) == set()
