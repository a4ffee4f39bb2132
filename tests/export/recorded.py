"""A small tenant as Microsoft Graph serves it (the shapes of the v1.0 and beta
documentation examples), for the fake Graph."""

from __future__ import annotations

import copy
from typing import Any

from tests.export import FakeGraph

CA_ADMIN = "b1be1c3e-b65d-4f19-8427-f6fa0d97feb9"
SECURITY_ADMIN = "194ae4cb-b126-40b2-bd5b-6091b380977d"
GLOBAL_ADMIN = "62e90394-69f5-4237-9190-012177145e10"
PHISHING_RESISTANT = "00000000-0000-0000-0000-000000000004"

BREAK_GLASS = "0b000000-0000-4000-8000-000000000001"
ALICE = "0a000000-0000-4000-8000-000000000002"
BOB = "0b000000-0000-4000-8000-000000000003"
CAROL = "0c000000-0000-4000-8000-000000000004"
GHOST = "0d000000-0000-4000-8000-000000000005"
BG_GROUP = "9b000000-0000-4000-8000-00000000000a"
ADMINS = "9a000000-0000-4000-8000-00000000000b"
NESTED = "9c000000-0000-4000-8000-00000000000c"
AUTOMATION_SP = "5a000000-0000-4000-8000-00000000000d"

POLICIES = "/v1.0/identity/conditionalAccess/policies"
RESOURCE_ACTIONS = ("/beta/roleManagement/directory/resourceNamespaces/microsoft.directory"
                    "/resourceActions")
ELIGIBILITY = "/v1.0/roleManagement/directory/roleEligibilitySchedules"
ROLE_DEFINITIONS = "/v1.0/roleManagement/directory/roleDefinitions"


def _policy(policy_id: str, name: str, users: dict[str, list[str]],
            applications: dict[str, list[str]], grant: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": policy_id, "displayName": name, "state": "enabled",
        "createdDateTime": "2026-01-05T10:00:00Z", "modifiedDateTime": None,
        "conditions": {
            "users": {"includeUsers": [], "excludeUsers": [], "includeGroups": [],
                      "excludeGroups": [], "includeRoles": [], "excludeRoles": [], **users},
            "applications": {"includeApplications": [], "excludeApplications": [],
                             "includeUserActions": [],
                             "includeAuthenticationContextClassReferences": [],
                             **applications},
            "clientAppTypes": ["all"]},
        "grantControls": {"operator": "OR", "builtInControls": [],
                          "customAuthenticationFactors": [], "termsOfUse": [], **grant},
        "sessionControls": None,
    }


def _user(user_id: str, name: str) -> dict[str, Any]:
    return {"id": user_id, "displayName": name, "userType": "Member"}


def _group_ref(group_id: str) -> dict[str, Any]:
    return {"@odata.type": "#microsoft.graph.group", "id": group_id}


COLLECTIONS: dict[str, list[list[dict[str, Any]]]] = {
    POLICIES: [
        [_policy("a1111111-0000-4000-8000-000000000001", "CA changes: phishing-resistant MFA",
                 {"includeUsers": ["All"], "excludeUsers": [BREAK_GLASS],
                  "excludeGroups": [BG_GROUP]},
                 {"includeAuthenticationContextClassReferences": ["c1"]},
                 {"authenticationStrength": {"id": PHISHING_RESISTANT}})],
        [_policy("a1111111-0000-4000-8000-000000000002", "Admins: MFA",
                 {"includeGroups": [ADMINS], "includeRoles": [CA_ADMIN],
                  "excludeUsers": ["GuestsOrExternalUsers"]},
                 {"includeApplications": ["All"]}, {"builtInControls": ["mfa"]})],
    ],
    "/v1.0/identity/conditionalAccess/namedLocations": [[{
        "@odata.type": "#microsoft.graph.ipNamedLocation",
        "id": "b2222222-0000-4000-8000-000000000001", "displayName": "Head office",
        "createdDateTime": "2026-01-01T00:00:00Z", "modifiedDateTime": None,
        "isTrusted": True,
        "ipRanges": [{"@odata.type": "#microsoft.graph.iPv4CidrRange",
                      "cidrAddress": "203.0.113.0/24"}]}]],
    "/v1.0/policies/authenticationStrengthPolicies": [[]],
    "/v1.0/identity/conditionalAccess/authenticationContextClassReferences": [[
        {"id": "c1", "displayName": "Admin actions", "description": "Directory changes",
         "isAvailable": True}]],
    RESOURCE_ACTIONS: [
        [{"id": "microsoft.directory-conditionalAccessPolicies-create-post",
          "name": "microsoft.directory/conditionalAccessPolicies/create", "actionVerb": "POST",
          "authenticationContextId": "c1", "isAuthenticationContextSettable": True}],
        [{"id": "microsoft.directory-deletedItems-delete-delete",
          "name": "microsoft.directory/deletedItems/delete", "actionVerb": "DELETE",
          "authenticationContextId": None, "isAuthenticationContextSettable": True}],
    ],
    ROLE_DEFINITIONS: [[]],
    "/v1.0/roleManagement/directory/roleAssignments": [[
        {"id": "ra-alice", "principalId": ALICE, "roleDefinitionId": CA_ADMIN,
         "directoryScopeId": "/", "appScopeId": None},
        {"id": "ra-admins", "principalId": ADMINS, "roleDefinitionId": SECURITY_ADMIN,
         "directoryScopeId": "/", "appScopeId": None},
        {"id": "ra-automation", "principalId": AUTOMATION_SP, "roleDefinitionId": CA_ADMIN,
         "directoryScopeId": "/", "appScopeId": None},
        {"id": "ra-ghost", "principalId": GHOST, "roleDefinitionId": CA_ADMIN,
         "directoryScopeId": "/", "appScopeId": None},
    ]],
    ELIGIBILITY: [[
        {"id": "re-bob", "principalId": BOB, "roleDefinitionId": GLOBAL_ADMIN,
         "directoryScopeId": "/", "appScopeId": None, "memberType": "Direct",
         "status": "Provisioned",
         "scheduleInfo": {"startDateTime": "2026-01-01T00:00:00Z", "expiration": {
             "type": "noExpiration", "endDateTime": None, "duration": None}}}]],
    "/v1.0/servicePrincipals": [[
        {"id": AUTOMATION_SP, "appId": "e1000000-0000-4000-8000-000000000001",
         "appOwnerOrganizationId": "f0000000-0000-4000-8000-000000000001",
         "displayName": "CA automation", "servicePrincipalType": "Application"}]],
    # memberships and members
    f"/v1.0/users/{BREAK_GLASS}/transitiveMemberOf": [[_group_ref(BG_GROUP)]],
    f"/v1.0/users/{ALICE}/transitiveMemberOf": [[
        _group_ref(ADMINS),
        {"@odata.type": "#microsoft.graph.directoryRole", "id": "dr-1"}]],
    f"/v1.0/users/{BOB}/transitiveMemberOf": [[]],
    f"/v1.0/users/{CAROL}/transitiveMemberOf": [[_group_ref(NESTED)], [_group_ref(ADMINS)]],
    f"/v1.0/groups/{ADMINS}/transitiveMembers": [[
        {"@odata.type": "#microsoft.graph.user", "id": CAROL},
        {"@odata.type": "#microsoft.graph.group", "id": NESTED}]],
}

OBJECTS: dict[str, dict[str, Any]] = {
    f"/v1.0/users/{BREAK_GLASS}": _user(BREAK_GLASS, "Break glass 1"),
    f"/v1.0/users/{ALICE}": _user(ALICE, "Alice"),
    f"/v1.0/users/{BOB}": _user(BOB, "Bob"),
    f"/v1.0/users/{CAROL}": _user(CAROL, "Carol"),
    f"/v1.0/groups/{BG_GROUP}": {"id": BG_GROUP, "displayName": "Emergency access",
                                 "isAssignableToRole": False},
    f"/v1.0/groups/{ADMINS}": {"id": ADMINS, "displayName": "Administrators",
                               "isAssignableToRole": True},
}

LIST_KEYS = {
    "conditionalAccessPolicies": POLICIES,
    "namedLocations": "/v1.0/identity/conditionalAccess/namedLocations",
    "authenticationStrengthPolicies": "/v1.0/policies/authenticationStrengthPolicies",
    "authenticationContextClassReferences":
        "/v1.0/identity/conditionalAccess/authenticationContextClassReferences",
    "resourceActions": RESOURCE_ACTIONS,
    "roleDefinitions": ROLE_DEFINITIONS,
    "roleAssignments": "/v1.0/roleManagement/directory/roleAssignments",
    "roleEligibilitySchedules": ELIGIBILITY,
    "servicePrincipals": "/v1.0/servicePrincipals",
}
"""Bundle key -> the collection it is read from."""

EXPECTED_USERS = [
    {**_user(ALICE, "Alice"), "memberOf": [ADMINS]},
    {**_user(BREAK_GLASS, "Break glass 1"), "memberOf": [BG_GROUP]},
    {**_user(BOB, "Bob"), "memberOf": []},
    {**_user(CAROL, "Carol"), "memberOf": [ADMINS, NESTED]},
]
"""The users the export writes, sorted by id: the served user plus its groups."""

EXPECTED_GROUPS = [OBJECTS[f"/v1.0/groups/{ADMINS}"], OBJECTS[f"/v1.0/groups/{BG_GROUP}"]]


def recorded_graph() -> FakeGraph:
    """A fresh fake Graph serving the recorded tenant (no failures)."""
    return FakeGraph(collections=copy.deepcopy(COLLECTIONS), objects=copy.deepcopy(OBJECTS))
