"""Application groups: Office365, MicrosoftAdminPortals and the Windows Azure Service
Management API grouping, decided from the shipped catalog and the tenant's changes.

Sources:
https://learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-cloud-apps
(the groups, the Service Management API grouping, Microsoft Admin Portals) and
https://learn.microsoft.com/entra/identity/conditional-access/reference-office-365-application-contents
(the Office 365 member names).
"""

from __future__ import annotations

import pytest
from tests.helpers import policy, result_for, session, tenant

from protected_actions import (
    ApplicationConditions,
    Decision,
    IpNamedLocation,
    IpRange,
    LoadError,
    LocationConditions,
    Outcome,
    Policy,
    ReasonCode,
    dump_tenant,
    evaluate_sign_in,
    load_tenant,
)
from protected_actions.errors import InvalidModelError
from protected_actions.model.applications import (
    ADMIN_PORTALS,
    OFFICE_365,
    SERVICE_MANAGEMENT_API,
    ApplicationGroupChange,
    ServicePrincipal,
    application_catalog,
)

SHAREPOINT = "00000003-0000-0ff1-ce00-000000000000"
EXCHANGE = "00000002-0000-0ff1-ce00-000000000000"
AZURE_PORTAL = "c44b4083-3bb0-49c1-b47d-974e53cbdf3c"
EXCHANGE_ADMIN = "497effe9-df71-4043-a8bb-14cf78c4b63b"
AZURE_DEVOPS = "499b84ac-1321-427f-aa17-267ca6975798"
OFFICE_365_MANAGEMENT = "00b41c95-dab0-4487-9791-b9d2c32c80f2"
BING = "9ea1ad79-fdb6-4f9a-8bc3-2b70f96e34c7"
LOB_APP = "5b1f2e3a-0c4d-4e5f-8a9b-0c1d2e3f4a5b"
CONTOSO = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
MICROSOFT_SERVICES = "f8cdef31-a31e-4b4a-93e4-5f571e91255a"


def app_policy(*include: str, exclude: tuple[str, ...] = (),
               controls: tuple[str, ...] = ("block",)) -> Policy:
    return policy("p1", controls=controls, applications=ApplicationConditions(
        include_applications=include, exclude_applications=exclude))


def applies(decision: Decision) -> bool | None:
    """True (applies), False (not applied) or None (applies, undetermined)."""
    result = result_for(decision, "p1")
    if not result.applies:
        return False
    return None if result.analysis_reasons == ("notEnoughInformation",) else True


# Every group has members and non-members (documented ones where the catalog has them).
GROUP_CASES = [
    (OFFICE_365, SHAREPOINT, True),
    (OFFICE_365, EXCHANGE, True),
    (OFFICE_365, OFFICE_365_MANAGEMENT, False),  # a documented trap: not on the list
    (OFFICE_365, AZURE_PORTAL, False),  # a member of other groups only
    (OFFICE_365, LOB_APP, False),  # absent from the first-party catalog
    (OFFICE_365, BING, None),  # Microsoft's, in no list
    (ADMIN_PORTALS, AZURE_PORTAL, True),
    (ADMIN_PORTALS, EXCHANGE_ADMIN, True),
    (ADMIN_PORTALS, SHAREPOINT, False),
    (ADMIN_PORTALS, LOB_APP, False),
    (ADMIN_PORTALS, "618dd325-23f6-4b6f-8380-4df78026e39b", None),  # unconfirmed candidate
    (SERVICE_MANAGEMENT_API, AZURE_PORTAL, True),
    (SERVICE_MANAGEMENT_API, "e9f49c6b-5ce5-44c8-925d-015017e9f7ad", True),  # Data Lake
    (SERVICE_MANAGEMENT_API, AZURE_DEVOPS, False),  # documented: no longer covered
    (SERVICE_MANAGEMENT_API, LOB_APP, False),
    (SERVICE_MANAGEMENT_API, "04b07795-8ddb-461a-bbee-02f9e1bf7b46", None),  # CLI: indirect
]


@pytest.mark.parametrize(("group", "app", "expected"), GROUP_CASES,
                         ids=[f"{g[:12]}-{a[:8]}" for g, a, _ in GROUP_CASES])
def test_group_membership_decides_inclusion(group: str, app: str, expected: bool | None
                                            ) -> None:
    """A policy on a group applies to its members, not to non-members, and applies
    undetermined (fail-closed, incomplete) to a Microsoft id no list places."""
    d = evaluate_sign_in(tenant(app_policy(group)), session(), app)
    assert applies(d) is expected
    assert d.complete is (expected is not None)
    assert d.outcome is (Outcome.ALLOW if expected is False else Outcome.DENY)


@pytest.mark.parametrize(("group", "app", "expected"), GROUP_CASES,
                         ids=[f"{g[:12]}-{a[:8]}" for g, a, _ in GROUP_CASES])
def test_group_membership_decides_exclusion(group: str, app: str, expected: bool | None
                                            ) -> None:
    """Excluding a group excludes its members; an undetermined member is never
    excluded (the policy applies, incomplete)."""
    d = evaluate_sign_in(tenant(app_policy("All", exclude=(group,))), session(), app)
    assert applies(d) is (False if expected else None if expected is None else True)
    if expected:
        assert result_for(d, "p1").analysis_reasons == ("application",)


def test_every_group_has_members_and_non_members() -> None:
    """The shipped catalog holds members and non-members for each group."""
    catalog = application_catalog()
    for key in (OFFICE_365, ADMIN_PORTALS, SERVICE_MANAGEMENT_API):
        group = catalog.groups[key.casefold()]
        assert group.members, key
    assert catalog.groups[OFFICE_365.casefold()].non_members
    assert catalog.groups[SERVICE_MANAGEMENT_API.casefold()].non_members
    assert len(catalog.groups[OFFICE_365.casefold()].members) > 100
    # Every id carries a source the catalog can name, and a grade.
    for group in catalog.groups.values():
        for entry in group.members.values():
            assert entry.source in catalog.sources
            assert entry.confidence.split(",")[0].split("-")[0] in catalog.grades


def test_catalog_is_read_once() -> None:
    """The catalog is loaded once per process."""
    assert application_catalog() is application_catalog()


def test_explanation_names_group_member_and_grade() -> None:
    """The trace says which group, which member and how well the id is sourced."""
    d = evaluate_sign_in(tenant(app_policy(OFFICE_365)), session(), SHAREPOINT)
    assert any("SharePoint Online is in Office365 (documented)" in text
               for text in result_for(d, "p1").details)


def test_excluding_office365_excludes_sharepoint() -> None:
    """An All-resources block excluding Office365 does not block SharePoint Online."""
    d = evaluate_sign_in(tenant(app_policy("All", exclude=(OFFICE_365,))), session(),
                         SHAREPOINT)
    assert (d.outcome, d.complete) == (Outcome.ALLOW, True)


def test_service_management_api_covers_the_azure_portal() -> None:
    """A policy on the Windows Azure Service Management API covers an Azure portal
    sign-in (documented grouping)."""
    d = evaluate_sign_in(tenant(app_policy(SERVICE_MANAGEMENT_API)), session(), AZURE_PORTAL)
    assert (d.outcome, d.complete) == (Outcome.DENY, True)
    assert d.codes == (ReasonCode.BLOCKED_BY_POLICY,)
    # ... and the API itself, by its own id.
    assert evaluate_sign_in(tenant(app_policy(SERVICE_MANAGEMENT_API)), session(),
                            SERVICE_MANAGEMENT_API.upper()).outcome is Outcome.DENY


def test_tenant_extension_adds_and_removes_members() -> None:
    """``applicationGroups`` adds an id to a group and removes one from it."""
    changes = {OFFICE_365: ApplicationGroupChange(add=[LOB_APP.upper()], remove=[SHAREPOINT])}
    t = tenant(app_policy(OFFICE_365), application_groups=changes)
    added = evaluate_sign_in(t, session(), LOB_APP)
    assert (applies(added), added.outcome) == (True, Outcome.DENY)
    assert any("added to Office365 by the tenant" in text
               for text in result_for(added, "p1").details)
    removed = evaluate_sign_in(t, session(), SHAREPOINT)
    assert (applies(removed), removed.outcome) == (False, Outcome.ALLOW)


def test_extension_loads_from_the_bundle() -> None:
    """The bundle key takes effect through ``load_tenant`` too (undetermined Bing made
    a member)."""
    raw = {"conditionalAccessPolicies": [{
        "id": "p1", "displayName": "block O365", "state": "enabled",
        "conditions": {"users": {"includeUsers": ["All"]},
                       "applications": {"includeApplications": ["Office365"]}},
        "grantControls": {"operator": "OR", "builtInControls": ["block"]}}],
        "applicationGroups": {"office365": {"add": [BING]}}}
    d = evaluate_sign_in(load_tenant(raw), session(), BING)
    assert (d.outcome, d.complete) == (Outcome.DENY, True)


def test_service_principal_owned_elsewhere_is_not_microsofts() -> None:
    """A service principal owned by a non-Microsoft tenant is not in any group, even
    under an id that would otherwise be undetermined; one owned by Microsoft and
    unknown to the catalog is undetermined."""
    foreign = ServicePrincipal(app_id=BING, app_owner_organization_id=CONTOSO)
    d = evaluate_sign_in(tenant(app_policy(OFFICE_365), service_principals=[foreign]),
                         session(), BING)
    assert (applies(d), d.complete) == (False, True)
    assert any("owned by tenant" in text for text in result_for(d, "p1").details)
    ours = ServicePrincipal(app_id=LOB_APP, app_owner_organization_id=MICROSOFT_SERVICES)
    d = evaluate_sign_in(tenant(app_policy(OFFICE_365), service_principals=[ours]),
                         session(), LOB_APP)
    assert (applies(d), d.complete) == (None, False)


@pytest.mark.parametrize("name", ["Office356", "office 365", "", "All"])
def test_unknown_group_name_is_a_load_error(name: str) -> None:
    """A key of ``applicationGroups`` that names no group is an error, not ignored."""
    with pytest.raises(LoadError):
        load_tenant({"applicationGroups": {name: {"add": [LOB_APP]}}})


def test_round_trip_keeps_unknown_properties() -> None:
    """Service principals and group changes survive a round trip, unknown properties
    included."""
    raw = {"servicePrincipals": [{"id": "sp", "appId": LOB_APP, "appOwnerOrganizationId":
                                  CONTOSO, "displayName": "LOB", "tags": ["x"]}],
           "applicationGroups": {"Office365": {"add": [LOB_APP], "remove": []}}}
    t = load_tenant(raw)
    dumped = dump_tenant(t)
    assert dumped["servicePrincipals"] == raw["servicePrincipals"]
    assert dumped["applicationGroups"] == raw["applicationGroups"]
    assert load_tenant(dumped) == t


@pytest.mark.parametrize("change", [
    {"add": [f" {LOB_APP}"]},  # padded: would silently match nothing
    {"add": [f"{LOB_APP}\n"]},
    {"add": [""]},
    {"ad": [LOB_APP]},  # a misspelt key is not dropped
    {"add": [LOB_APP], "removed": [SHAREPOINT]},
    {"add": [LOB_APP], "remove": [LOB_APP.upper()]},  # both added and removed
    {"add": LOB_APP},  # a string, not a list
])
def test_unreadable_changes_are_load_errors(change: dict[str, object]) -> None:
    """A change the library cannot read is an error with its path, never ignored."""
    with pytest.raises(LoadError) as info:
        load_tenant({"applicationGroups": {"Office365": change}})
    assert "$.applicationGroups.Office365" in str(info.value)


def test_padded_service_principal_app_id_is_a_load_error() -> None:
    """A padded ``appId`` is an error, not an application nobody names."""
    with pytest.raises(LoadError):
        load_tenant({"servicePrincipals": [{"appId": f"{LOB_APP} "}]})


def test_homoglyph_id_is_refused() -> None:
    """SharePoint's id with a Cyrillic small ie (U+0435) for an 'e' is not a GUID: a
    malformed sign-in target is an error, never a silent non-member."""
    lookalike = SHAREPOINT.replace("ce00", "c\u0435" + "00")
    assert lookalike != SHAREPOINT
    with pytest.raises(InvalidModelError, match="expected an application id"):
        evaluate_sign_in(tenant(app_policy(OFFICE_365)), session(), lookalike)


def test_membership_ignores_ascii_case() -> None:
    """Application ids compare without regard to ASCII case."""
    d = evaluate_sign_in(tenant(app_policy(OFFICE_365)), session(), SHAREPOINT.upper())
    assert (applies(d), d.outcome) == (True, Outcome.DENY)


def test_office365_block_from_untrusted_networks_spares_other_apps() -> None:
    """The issue's case: a policy blocking Office 365 outside trusted networks does not
    block the Azure portal or the tenant's own application, and does block SharePoint."""
    office = policy("p1", controls=("block",), applications=ApplicationConditions(
        include_applications=[OFFICE_365]), locations=LocationConditions(
            include_locations=["All"], exclude_locations=["AllTrusted"]))
    trusted = IpNamedLocation(id="hq", display_name="HQ", is_trusted=True,
                              ip_ranges=[IpRange(cidr_address="198.51.100.0/24")])
    t = tenant(office, named_locations=[trusted],
               service_principals=[ServicePrincipal(app_id=LOB_APP,
                                                    app_owner_organization_id=CONTOSO)])
    away = session(ip_address="203.0.113.7", country="NL")
    for app in (AZURE_PORTAL, LOB_APP):
        d = evaluate_sign_in(t, away, app)
        assert (d.outcome, d.complete) == (Outcome.ALLOW, True), app
    assert evaluate_sign_in(t, away, SHAREPOINT).outcome is Outcome.DENY
