"""The Microsoft Graph requests an export makes, with the least-privileged read
permission each needs.

Every list is read from Graph v1.0 except the protected actions: the resource actions
of the ``microsoft.directory`` namespace, with their ``authenticationContextId``, are
documented only under ``/beta`` (`List resourceActions
<https://learn.microsoft.com/graph/api/unifiedrbacresourcenamespace-list-resourceactions?view=graph-rest-beta>`_),
and ``authenticationContextId`` is returned only when ``$select`` names it.
"""

from __future__ import annotations

import attrs

__all__ = [
    "GROUP",
    "GROUP_MEMBERS",
    "LISTS",
    "USER",
    "USER_MEMBERSHIPS",
    "Endpoint",
    "required_permissions",
]


def __dir__() -> list[str]:
    return __all__


@attrs.frozen
class Endpoint:
    """One Graph request: ``GET /{version}{path}?$select=...``.

    ``key`` is the bundle key its objects go to, ``select`` the properties asked for
    (empty: the whole object, so that nothing Graph returns is lost) and
    ``permission`` the least-privileged application or delegated permission that
    grants it.
    """

    key: str
    version: str
    path: str
    permission: str
    select: tuple[str, ...] = ()

    def url(self, graph_url: str, **ids: str) -> str:
        """The request URL under ``graph_url`` (``{id}`` in the path filled from ``ids``)."""
        return f"{graph_url.rstrip('/')}/{self.version}{self.path.format(**ids)}"

    def params(self) -> dict[str, str]:
        """The query parameters."""
        return {"$select": ",".join(self.select)} if self.select else {}


LISTS: tuple[Endpoint, ...] = (
    Endpoint("conditionalAccessPolicies", "v1.0", "/identity/conditionalAccess/policies",
             "Policy.Read.All"),
    Endpoint("namedLocations", "v1.0", "/identity/conditionalAccess/namedLocations",
             "Policy.Read.All"),
    Endpoint("authenticationStrengthPolicies", "v1.0",
             "/policies/authenticationStrengthPolicies", "Policy.Read.All"),
    Endpoint("authenticationContextClassReferences", "v1.0",
             "/identity/conditionalAccess/authenticationContextClassReferences",
             "AuthenticationContext.Read.All"),
    Endpoint("resourceActions", "beta",
             "/roleManagement/directory/resourceNamespaces/microsoft.directory/resourceActions",
             "RoleManagement.Read.Directory",
             ("id", "name", "actionVerb", "authenticationContextId",
              "isAuthenticationContextSettable")),
    Endpoint("roleDefinitions", "v1.0", "/roleManagement/directory/roleDefinitions",
             "RoleManagement.Read.Directory",
             ("id", "displayName", "description", "isBuiltIn", "isEnabled", "templateId",
              "rolePermissions")),
    Endpoint("roleAssignments", "v1.0", "/roleManagement/directory/roleAssignments",
             "RoleManagement.Read.Directory",
             ("id", "principalId", "roleDefinitionId", "directoryScopeId", "appScopeId")),
    Endpoint("roleEligibilitySchedules", "v1.0",
             "/roleManagement/directory/roleEligibilitySchedules",
             "RoleEligibilitySchedule.Read.Directory",
             ("id", "principalId", "roleDefinitionId", "directoryScopeId", "appScopeId",
              "memberType", "status", "scheduleInfo")),
    Endpoint("servicePrincipals", "v1.0", "/servicePrincipals", "Application.Read.All",
             ("id", "appId", "appOwnerOrganizationId", "displayName", "servicePrincipalType")),
)
"""The collections read whole, in the order they are read."""

USER = Endpoint("users", "v1.0", "/users/{id}", "User.Read.All",
                ("id", "displayName", "userType"))
"""One user that a policy, a role assignment or an eligibility names."""

USER_MEMBERSHIPS = Endpoint("users", "v1.0", "/users/{id}/transitiveMemberOf", "User.Read.All",
                            ("id",))
"""A user's groups, direct and nested (the groups become the user's ``memberOf``)."""

GROUP = Endpoint("groups", "v1.0", "/groups/{id}", "GroupMember.Read.All",
                 ("id", "displayName", "isAssignableToRole"))
"""One group that a policy, a role assignment or an eligibility names."""

GROUP_MEMBERS = Endpoint("users", "v1.0", "/groups/{id}/transitiveMembers",
                         "GroupMember.Read.All", ("id",))
"""The members, direct and nested, of a group that holds a role."""


def required_permissions() -> tuple[str, ...]:
    """Every permission an export needs, sorted: grant these (read-only) to the
    identity that runs it."""
    return tuple(sorted({e.permission for e in (*LISTS, USER, USER_MEMBERSHIPS, GROUP,
                                                GROUP_MEMBERS)}))
