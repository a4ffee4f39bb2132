"""Every Graph type the models cover: property names, documented order, codecs.

Order follows the property tables of entra-facts (§3 conditional access, §4 named
locations, §5 authentication strengths, §2.1 authentication contexts); bundle-only
types (users, groups) and the tenant bundle follow DESIGN §5 and §6.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import attrs

from protected_actions.model.applications import ServicePrincipal
from protected_actions.model.contexts import AuthContext, ProtectedAction
from protected_actions.model.locations import (
    CompliantNetworkNamedLocation,
    CountryNamedLocation,
    IpNamedLocation,
    IpRange,
    IpRangesBuilder,
)
from protected_actions.model.methods import (
    Authentication,
    AuthenticationStrength,
    CombinationConfiguration,
)
from protected_actions.model.permissions import RoleDefinition
from protected_actions.model.policy import (
    ApplicationConditions,
    AuthenticationFlows,
    ClientApplications,
    Conditions,
    DeviceConditions,
    DeviceStates,
    ExternalTenants,
    Filter,
    GrantControls,
    GuestsOrExternalUsers,
    LocationConditions,
    PlatformConditions,
    Policy,
    SessionControls,
    SignInFrequency,
    UserConditions,
)
from protected_actions.model.session import Device, SessionState, User
from protected_actions.model.tenant import Group, RoleAssignment, RoleEligibility, Tenant
from protected_actions.model.unrecognised import DOCUMENTED
from protected_actions.model.vocabulary import ascii_lower

from ._applications import (
    APPLICATION_GROUP_CHANGE,
    SERVICE_PRINCIPAL,
    ApplicationGroupChanges,
)
from ._codecs import (
    Combinations,
    Context,
    DerivedId,
    Flag,
    Flags,
    Integer,
    Nested,
    NestedTuple,
    Strings,
    StringSet,
    Text,
    as_list,
    each,
    if_set,
    is_set,
    token_item,
)
from ._errors import GraphValueError
from ._flows import AuthenticationFlow
from ._schema import READ_ONLY, TYPE_KEY, Field, Schema, TagRule, normalize_type
from ._special import (
    CombinationKind,
    EmbeddedStrength,
    ExtensionAttributes,
    PermissionText,
    ResourceActions,
    RolePermissions,
    StrengthReference,
    Time,
)

__all__: list[str] = []

NAMED_LOCATION = IpNamedLocation | CountryNamedLocation | CompliantNetworkNamedLocation
"""The named-location union, dispatched on ``@odata.type``."""

_TEXT = Text()
_OPTIONAL = Text(optional=True)
_ID = Text(token=True)
_OPTIONAL_ID = Text(optional=True, token=True)


def _token(default: str) -> Text:
    """An enumeration value with a default for ``null``."""
    return Text(default=default, token=True)
_STRINGS = Strings()


def _strings(attr: str, key: str) -> Field:
    return Field(attr, key, _STRINGS)


def _optional(attr: str, key: str) -> Field:
    return Field(attr, key, _OPTIONAL)


def _derive_id(known: dict[str, Any], extra: dict[str, Any]) -> None:
    """A policy or named location without an ``id`` is named by its ``displayName``;
    an ``id`` given is an id (never blank, padded or holding control characters)."""
    name = known.get("displayName")
    given = known.get("id")
    if isinstance(given, str):
        try:
            token_item(given)
        except GraphValueError as exc:
            exc.key = "id"
            raise
    if given is None and isinstance(name, str) and name:
        known["id"] = name


# -- named locations (entra-facts §4) -----------------------------------------------------


def _class_tag(cls: type, tag: str) -> TagRule:
    return TagRule(canonical=lambda obj: tag,
                   parse=lambda text: LOCATION_TYPES.get(normalize_type(text)),
                   of=type)


LOCATION_TYPES: Mapping[str, type] = {
    "ipnamedlocation": IpNamedLocation,
    "countrynamedlocation": CountryNamedLocation,
    "compliantnetworknamedlocation": CompliantNetworkNamedLocation,
}
"""Normalized ``@odata.type`` -> named-location class."""

LOCATION_SHAPES: Mapping[str, type] = {
    "ipranges": IpNamedLocation,
    "countriesandregions": CountryNamedLocation,
    "compliantnetworktype": CompliantNetworkNamedLocation,
}
"""The property that identifies an untagged named location (as in real exports)."""

_LOCATION_HEAD = (
    Field("id", "id", DerivedId()),
    Field("display_name", "displayName", _TEXT),
    _optional("created_date_time", "createdDateTime"),
    _optional("modified_date_time", "modifiedDateTime"),
)


def _location(cls: type, tag: str, *fields: Field) -> Schema:
    return Schema(cls, (*_LOCATION_HEAD, *fields), tag=_class_tag(cls, tag),
                  read_only=READ_ONLY, documented=DOCUMENTED[cls.__name__],
                  prepare=_derive_id)


_RANGE_TAGS = {
    ("cidr", 4): "#microsoft.graph.iPv4CidrRange",
    ("cidr", 6): "#microsoft.graph.iPv6CidrRange",
    ("range", 4): "#microsoft.graph.iPv4Range",
    ("range", 6): "#microsoft.graph.iPv6Range",
}
_RANGE_KINDS = {normalize_type(tag): kind for kind, tag in _RANGE_TAGS.items()}

IP_RANGE = Schema(IpRange, (
    Field("cidr_address", "cidrAddress", _OPTIONAL, when=if_set),
    Field("lower_address", "lowerAddress", _OPTIONAL, when=if_set),
    Field("upper_address", "upperAddress", _OPTIONAL, when=if_set),
), tag=TagRule(canonical=lambda r: _RANGE_TAGS[(r.kind, r.version)],
               parse=lambda text: _RANGE_KINDS.get(normalize_type(text)),
               of=lambda r: (r.kind, r.version)))

_CIDR_TAGS = {_RANGE_TAGS[("cidr", v)]: v for v in (4, 6)}
_BOUNDS_TAGS = {_RANGE_TAGS[("range", v)]: v for v in (4, 6)}


@attrs.frozen
class IpRangeList(NestedTuple):
    """The ``ipRanges`` of an IP named location, read into compact
    :class:`~protected_actions.model.locations.IpRanges`.

    A range in the shape Graph writes (its canonical ``@odata.type`` and either
    ``cidrAddress`` or ``lowerAddress`` and ``upperAddress``, nothing else) whose
    text is valid is read directly; every other item goes through the general
    loader, which gives the same model for the same JSON and reports the errors.
    """

    def load(self, value: Any, ctx: Context) -> Any:
        items = as_list(value, "a list of objects")
        builder = IpRangesBuilder()

        def one(item: Any) -> None:
            if not _read_plain_range(builder, item):
                builder.add(ctx.structure(item, IpRange))

        each(items, one, IpRange)
        return builder.build()

    def dump(self, value: Any, ctx: Context) -> Any:
        out: list[Any] = []
        for text, unmodelled in value.written():
            if unmodelled is not None:  # the general writer keeps every property
                out.append(ctx.unstructure(IpRange(**_range_fields(text), unmodelled=unmodelled)))
            elif isinstance(text, str):
                out.append({TYPE_KEY: _CIDR_TAG_OF[":" in text], "cidrAddress": text})
            else:
                out.append({TYPE_KEY: _BOUNDS_TAG_OF[":" in text[0]],
                            "lowerAddress": text[0], "upperAddress": text[1]})
        return out


_CIDR_TAG_OF = {False: _RANGE_TAGS[("cidr", 4)], True: _RANGE_TAGS[("cidr", 6)]}
_BOUNDS_TAG_OF = {False: _RANGE_TAGS[("range", 4)], True: _RANGE_TAGS[("range", 6)]}
"""Graph's tag of a range without other properties, by whether its (valid) text is
IPv6: an IPv6 address always has a colon, an IPv4 address never."""


def _range_fields(text: str | tuple[str, str]) -> dict[str, str]:
    if isinstance(text, str):
        return {"cidr_address": text}
    return {"lower_address": text[0], "upper_address": text[1]}


def _read_plain_range(builder: IpRangesBuilder, item: Any) -> bool:
    """Add a range in Graph's own shape to ``builder``; ``False`` if it is not one."""
    if type(item) is not dict:
        return False
    tag = item.get(TYPE_KEY)
    if len(item) == 2:
        text = item.get("cidrAddress")
        version = _CIDR_TAGS.get(tag) if isinstance(tag, str) else None
        return type(text) is str and version is not None and builder.add_cidr(text, version)
    if len(item) == 3:
        lower, upper = item.get("lowerAddress"), item.get("upperAddress")
        version = _BOUNDS_TAGS.get(tag) if isinstance(tag, str) else None
        return (type(lower) is str and type(upper) is str and version is not None
                and builder.add_bounds(lower, upper, version))
    return False


IP_LOCATION = _location(
    IpNamedLocation, "#microsoft.graph.ipNamedLocation",
    Field("ip_ranges", "ipRanges", IpRangeList(IpRange)),
    Field("is_trusted", "isTrusted", Flag(default=False)),
)
COUNTRY_LOCATION = _location(
    CountryNamedLocation, "#microsoft.graph.countryNamedLocation",
    _strings("countries_and_regions", "countriesAndRegions"),
    Field("include_unknown_countries_and_regions", "includeUnknownCountriesAndRegions",
          Flag(default=False)),
    Field("country_lookup_method", "countryLookupMethod", _token("clientIpAddress")),
    Field("is_trusted", "isTrusted", Flag(default=False), when=lambda v, o: v is True),
)
COMPLIANT_NETWORK_LOCATION = _location(
    CompliantNetworkNamedLocation, "#microsoft.graph.compliantNetworkNamedLocation",
    Field("compliant_network_type", "compliantNetworkType",
          _token("allTenantCompliantNetworks")),
    Field("is_trusted", "isTrusted", Flag(default=False)),
)


# -- authentication strengths (entra-facts §5) --------------------------------------------


def _infer_configuration_type(known: dict[str, Any], extra: dict[str, Any]) -> None:
    if TYPE_KEY in known:
        return
    if "allowedAAGUIDs" in known:
        known[TYPE_KEY] = "#microsoft.graph.fido2CombinationConfiguration"
    elif "allowedIssuerSkis" in known or "allowedPolicyOIDs" in known:
        known[TYPE_KEY] = "#microsoft.graph.x509CertificateCombinationConfiguration"


def _kind_is(kind: str) -> Any:
    return lambda value, owner: owner.kind == kind or is_set(value)


COMBINATION_CONFIGURATION = Schema(CombinationConfiguration, (
    Field("kind", TYPE_KEY, CombinationKind()),
    _optional("id", "id"),
    Field("applies_to_combinations", "appliesToCombinations", Combinations()),
    Field("allowed_aaguids", "allowedAAGUIDs", _STRINGS, when=_kind_is("fido2")),
    Field("allowed_issuer_skis", "allowedIssuerSkis", _STRINGS,
          when=_kind_is("x509Certificate")),
    Field("allowed_policy_oids", "allowedPolicyOIDs", _STRINGS,
          when=_kind_is("x509Certificate")),
), read_only=READ_ONLY, prepare=_infer_configuration_type)

AUTHENTICATION_STRENGTH = Schema(AuthenticationStrength, (
    Field("id", "id", _ID),
    Field("display_name", "displayName", _TEXT),
    _optional("description", "description"),
    Field("policy_type", "policyType", _token("custom")),
    Field("requirements_satisfied", "requirementsSatisfied", _token("mfa")),
    Field("allowed_combinations", "allowedCombinations", Combinations()),
    _optional("created_date_time", "createdDateTime"),
    _optional("modified_date_time", "modifiedDateTime"),
    Field("combination_configurations", "combinationConfigurations",
          NestedTuple(CombinationConfiguration)),
), read_only=READ_ONLY)


# -- conditional access policies (entra-facts §3) -----------------------------------------

_EXTERNAL_TENANT_TAGS = {
    "all": "#microsoft.graph.conditionalAccessAllExternalTenants",
    "enumerated": "#microsoft.graph.conditionalAccessEnumeratedExternalTenants",
}
_EXTERNAL_TENANT_KINDS = {normalize_type(tag): kind for kind, tag in _EXTERNAL_TENANT_TAGS.items()}


def _external_tenants_kind(known: dict[str, Any], extra: dict[str, Any]) -> None:
    tag = known.get(TYPE_KEY)
    if "membershipKind" not in known and isinstance(tag, str):
        kind = _EXTERNAL_TENANT_KINDS.get(normalize_type(tag))
        if kind is not None:
            known["membershipKind"] = kind


EXTERNAL_TENANTS = Schema(ExternalTenants, (
    Field("membership_kind", "membershipKind", _ID),
    Field("members", "members", _STRINGS,
          when=lambda v, o: ascii_lower(o.membership_kind) == "enumerated" or is_set(v)),
), tag=TagRule(canonical=lambda t: _EXTERNAL_TENANT_TAGS.get(ascii_lower(t.membership_kind)),
               parse=lambda text: _EXTERNAL_TENANT_KINDS.get(normalize_type(text)),
               of=lambda t: ascii_lower(t.membership_kind)),
    prepare=_external_tenants_kind)

GUESTS = Schema(GuestsOrExternalUsers, (
    Field("guest_or_external_user_types", "guestOrExternalUserTypes", Flags()),
    Field("external_tenants", "externalTenants", Nested(ExternalTenants | None)),
))

USERS = Schema(UserConditions, (
    _strings("include_users", "includeUsers"),
    _strings("exclude_users", "excludeUsers"),
    _strings("include_groups", "includeGroups"),
    _strings("exclude_groups", "excludeGroups"),
    _strings("include_roles", "includeRoles"),
    _strings("exclude_roles", "excludeRoles"),
    Field("include_guests_or_external_users", "includeGuestsOrExternalUsers",
          Nested(GuestsOrExternalUsers | None)),
    Field("exclude_guests_or_external_users", "excludeGuestsOrExternalUsers",
          Nested(GuestsOrExternalUsers | None)),
))

FILTER = Schema(Filter, (Field("mode", "mode", _ID), Field("rule", "rule", _TEXT)))

APPLICATIONS = Schema(ApplicationConditions, (
    _strings("include_applications", "includeApplications"),
    _strings("exclude_applications", "excludeApplications"),
    _strings("include_user_actions", "includeUserActions"),
    _strings("include_authentication_context_class_references",
             "includeAuthenticationContextClassReferences"),
    Field("application_filter", "applicationFilter", Nested(Filter | None)),
))

CLIENT_APPLICATIONS = Schema(ClientApplications, (
    _strings("include_service_principals", "includeServicePrincipals"),
    _strings("exclude_service_principals", "excludeServicePrincipals"),
    Field("service_principal_filter", "servicePrincipalFilter", Nested(Filter | None)),
))

PLATFORMS = Schema(PlatformConditions, (
    _strings("include_platforms", "includePlatforms"),
    _strings("exclude_platforms", "excludePlatforms"),
))

LOCATIONS = Schema(LocationConditions, (
    _strings("include_locations", "includeLocations"),
    _strings("exclude_locations", "excludeLocations"),
))

DEVICES = Schema(DeviceConditions, (
    Field("include_device_states", "includeDeviceStates", _STRINGS, when=if_set),
    Field("exclude_device_states", "excludeDeviceStates", _STRINGS, when=if_set),
    Field("include_devices", "includeDevices", _STRINGS, when=if_set),
    Field("exclude_devices", "excludeDevices", _STRINGS, when=if_set),
    Field("device_filter", "deviceFilter", Nested(Filter | None)),
))

DEVICE_STATES = Schema(DeviceStates, (
    _strings("include_states", "includeStates"),
    _strings("exclude_states", "excludeStates"),
))

AUTHENTICATION_FLOWS = Schema(AuthenticationFlows, (
    Field("transfer_methods", "transferMethods", Flags()),
))

CONDITIONS = Schema(Conditions, (
    Field("users", "users", Nested(UserConditions | None)),
    Field("client_applications", "clientApplications", Nested(ClientApplications | None)),
    Field("applications", "applications", Nested(ApplicationConditions | None)),
    _strings("client_app_types", "clientAppTypes"),
    Field("platforms", "platforms", Nested(PlatformConditions | None)),
    Field("locations", "locations", Nested(LocationConditions | None)),
    Field("devices", "devices", Nested(DeviceConditions | None)),
    _strings("sign_in_risk_levels", "signInRiskLevels"),
    _strings("user_risk_levels", "userRiskLevels"),
    _strings("service_principal_risk_levels", "servicePrincipalRiskLevels"),
    Field("insider_risk_levels", "insiderRiskLevels", Flags()),
    Field("authentication_flows", "authenticationFlows", Nested(AuthenticationFlows | None)),
    Field("device_states", "deviceStates", Nested(DeviceStates | None), when=if_set),
))

GRANT_CONTROLS = Schema(GrantControls, (
    Field("operator", "operator", _token("OR")),
    _strings("built_in_controls", "builtInControls"),
    _strings("custom_authentication_factors", "customAuthenticationFactors"),
    _strings("terms_of_use", "termsOfUse"),
    Field("authentication_strength", "authenticationStrength", StrengthReference()),
    Field("embedded_authentication_strength", "authenticationStrength", EmbeddedStrength(),
          written=False),
))

SIGN_IN_FREQUENCY = Schema(SignInFrequency, (
    Field("is_enabled", "isEnabled", Flag(optional=True)),
    Field("value", "value", Integer()),
    Field("type", "type", _OPTIONAL_ID),
    Field("authentication_type", "authenticationType", _OPTIONAL_ID),
    Field("frequency_interval", "frequencyInterval", _OPTIONAL_ID),
))

SESSION_CONTROLS = Schema(SessionControls, (
    Field("sign_in_frequency", "signInFrequency", Nested(SignInFrequency | None)),
), extras="others", documented=DOCUMENTED["SessionControls"], order=(
    "applicationEnforcedRestrictions", "cloudAppSecurity", "signInFrequency",
    "persistentBrowser", "disableResilienceDefaults", "secureSignInSession",
    "continuousAccessEvaluation", "networkAccessSecurity",
    "globalSecureAccessFilteringProfile",
))

POLICY = Schema(Policy, (
    Field("id", "id", DerivedId()),
    Field("display_name", "displayName", Text(default="")),
    _optional("description", "description"),
    Field("state", "state", _token("enabled")),
    Field("conditions", "conditions",
          Nested(Conditions, default=Conditions, empty_list_is_null=False)),
    Field("grant_controls", "grantControls", Nested(GrantControls | None, wrong_type_kept=True)),
    Field("session_controls", "sessionControls", Nested(SessionControls | None)),
    _optional("created_date_time", "createdDateTime"),
    _optional("modified_date_time", "modifiedDateTime"),
    _optional("template_id", "templateId"),
), read_only=READ_ONLY, documented=DOCUMENTED["Policy"], prepare=_derive_id)


# -- contexts, protected actions, roles (entra-facts §1.5, §2.1, §10) ----------------------

AUTH_CONTEXT = Schema(AuthContext, (
    Field("id", "id", _ID),
    Field("display_name", "displayName", Text(default="")),
    _optional("description", "description"),
    Field("is_available", "isAvailable", Flag(default=False)),
), read_only=READ_ONLY - {"id"})

PROTECTED_ACTION = Schema(ProtectedAction, (
    Field("permission", "name", PermissionText()),
    Field("context_id", "authenticationContextId", _ID),
), read_only=READ_ONLY, documented=DOCUMENTED["ProtectedAction"])

ROLE_DEFINITION = Schema(RoleDefinition, (
    Field("id", "id", _ID),
    Field("display_name", "displayName", _TEXT),
    Field("is_built_in", "isBuiltIn", Flag(default=True)),
    _optional("template_id", "templateId"),
    Field("permissions", "rolePermissions", RolePermissions()),
), read_only=READ_ONLY, documented=DOCUMENTED["RoleDefinition"])


def _assignment(cls: type) -> Schema:
    return Schema(cls, (
        _optional("id", "id"),
        Field("principal_id", "principalId", _ID),
        Field("role_definition_id", "roleDefinitionId", _ID),
        Field("directory_scope_id", "directoryScopeId", _token("/")),
    ), read_only=READ_ONLY, documented=DOCUMENTED[cls.__name__])


ROLE_ASSIGNMENT = _assignment(RoleAssignment)
ROLE_ELIGIBILITY = _assignment(RoleEligibility)


# -- directory objects and the bundle (DESIGN §5) -----------------------------------------

_IDS = StringSet()

USER = Schema(User, (
    Field("id", "id", _ID),
    Field("display_name", "displayName", _OPTIONAL, when=if_set),
    Field("user_type", "userType", _token("member")),
    Field("member_of", "memberOf", _IDS),
    Field("roles", "roles", _IDS),
    Field("eligible_roles", "eligibleRoles", _IDS),
    Field("registered_methods", "registeredMethods", StringSet(optional=True),
          when=lambda v, o: v is not None),
    Field("guest_or_external_user_type", "guestOrExternalUserType", _OPTIONAL_ID,
          when=if_set),
    Field("home_tenant_id", "homeTenantId", _OPTIONAL_ID, when=if_set),
), documented=DOCUMENTED["User"])

GROUP = Schema(Group, (
    Field("id", "id", _ID),
    _optional("display_name", "displayName"),
    Field("is_assignable_to_role", "isAssignableToRole", Flag(default=False)),
    Field("member_of", "memberOf", _IDS),
), documented=DOCUMENTED["Group"])

BUNDLE_KEYS = (
    "conditionalAccessPolicies", "authenticationContextClassReferences", "namedLocations",
    "authenticationStrengthPolicies", "resourceActions", "roleDefinitions",
    "roleAssignments", "roleEligibilitySchedules", "users", "groups",
    "emergencyAccessAccounts", "servicePrincipals", "applicationGroups",
)
"""The bundle's keys, in DESIGN §5 order (also the ``KEY.json`` files of a folder)."""


def _unwrap_pages(known: dict[str, Any], extra: dict[str, Any]) -> None:
    """A Graph page ``{"value": [...], "@odata.context": ...}`` stands for its list;
    its annotations are kept as the key's sibling annotations (``KEY@odata.context``)."""
    for key, value in list(known.items()):
        if is_page(value):
            known[key] = value["value"]
            extra.update({f"{key}{name}": v for name, v in value.items() if name != "value"})


def is_page(value: Any) -> bool:
    """Whether a JSON value is a Graph collection page: ``value`` plus annotations."""
    return isinstance(value, Mapping) and isinstance(value.get("value"), list) and all(
        k == "value" or (isinstance(k, str) and k.startswith("@")) for k in value)


TENANT = Schema(Tenant, (
    Field("policies", "conditionalAccessPolicies", NestedTuple(Policy)),
    Field("auth_contexts", "authenticationContextClassReferences", NestedTuple(AuthContext)),
    Field("named_locations", "namedLocations", NestedTuple(NAMED_LOCATION)),
    Field("authentication_strengths", "authenticationStrengthPolicies",
          NestedTuple(AuthenticationStrength)),
    Field("protected_actions", "resourceActions", ResourceActions()),
    Field("role_definitions", "roleDefinitions", NestedTuple(RoleDefinition)),
    Field("role_assignments", "roleAssignments", NestedTuple(RoleAssignment)),
    Field("role_eligibilities", "roleEligibilitySchedules", NestedTuple(RoleEligibility)),
    Field("users", "users", NestedTuple(User)),
    Field("groups", "groups", NestedTuple(Group)),
    _strings("emergency_access_accounts", "emergencyAccessAccounts"),
    Field("service_principals", "servicePrincipals", NestedTuple(ServicePrincipal),
          when=if_set),
    Field("application_groups", "applicationGroups", ApplicationGroupChanges(), when=if_set),
), prepare=_unwrap_pages)


# -- the session JSON (DESIGN §6) ----------------------------------------------------------

_EXTENSION = re.compile(r"extensionattribute([1-9][0-9]*)", re.IGNORECASE)


def _gather_extension_attributes(known: dict[str, Any], extra: dict[str, Any]) -> None:
    found = {}
    for key in list(extra):
        match = _EXTENSION.fullmatch(key)
        if match is not None:
            found[f"extensionAttribute{match[1]}"] = extra.pop(key)
    if found:
        known["extensionAttributes"] = found


def _session_optional(attr: str, key: str) -> Field:
    return Field(attr, key, _OPTIONAL, when=if_set)


DEVICE = Schema(Device, (
    _session_optional("device_id", "deviceId"),
    _session_optional("display_name", "displayName"),
    Field("is_compliant", "isCompliant", Flag(optional=True), when=if_set),
    Field("is_managed", "isManaged", Flag(default=False)),
    _session_optional("trust_type", "trustType"),
    _session_optional("device_ownership", "deviceOwnership"),
    _session_optional("enrollment_profile_name", "enrollmentProfileName"),
    _session_optional("manufacturer", "manufacturer"),
    _session_optional("mdm_app_id", "mdmAppId"),
    _session_optional("model", "model"),
    _session_optional("operating_system", "operatingSystem"),
    _session_optional("operating_system_version", "operatingSystemVersion"),
    Field("physical_ids", "physicalIds", _STRINGS, when=if_set),
    _session_optional("profile_type", "profileType"),
    Field("system_labels", "systemLabels", _STRINGS, when=if_set),
    Field("extension_attributes", "extensionAttributes", ExtensionAttributes(), when=if_set,
          flatten=True),
), extras=None, prepare=_gather_extension_attributes)

AUTHENTICATION = Schema(Authentication, (
    Field("methods", "methods", StringSet()),
    Field("at", "at", Time()),
    _session_optional("fido2_aaguid", "fido2Aaguid"),
), extras=None)

SESSION = Schema(SessionState, (
    Field("at", "at", Time()),
    Field("user", "user", Nested(User)),
    Field("authentications", "authentications", NestedTuple(Authentication)),
    _session_optional("device_platform", "devicePlatform"),
    Field("device", "device", Nested(Device | None), when=if_set),
    _session_optional("ip_address", "ipAddress"),
    _session_optional("country", "country"),
    _session_optional("gps_country", "gpsCountry"),
    Field("client_app_type", "clientAppType", Text(default="browser")),
    Field("supports_claims_challenge", "supportsClaimsChallenge", Flag(default=True)),
    Field("sign_in_risk_level", "signInRiskLevel", Text(default="none")),
    Field("user_risk_level", "userRiskLevel", Text(default="none")),
    Field("insider_risk_level", "insiderRiskLevel", Text(default="none")),
    Field("authentication_flow", "authenticationFlow", AuthenticationFlow(), when=if_set),
    _session_optional("application_id", "applicationId"),
    Field("accepted_terms_of_use", "acceptedTermsOfUse", _IDS),
    Field("satisfied_custom_controls", "satisfiedCustomControls", _IDS),
    Field("password_changed_at", "passwordChangedAt", Time(optional=True), when=if_set),
    Field("is_approved_client_app", "isApprovedClientApp", Flag(default=False)),
    Field("has_app_protection_policy", "hasAppProtectionPolicy", Flag(default=False)),
), extras=None)


SCHEMAS: tuple[Schema, ...] = (
    POLICY, CONDITIONS, USERS, GUESTS, EXTERNAL_TENANTS, APPLICATIONS, CLIENT_APPLICATIONS,
    PLATFORMS, LOCATIONS, DEVICES, FILTER, DEVICE_STATES, AUTHENTICATION_FLOWS,
    GRANT_CONTROLS, SESSION_CONTROLS, SIGN_IN_FREQUENCY,
    IP_LOCATION, COUNTRY_LOCATION, COMPLIANT_NETWORK_LOCATION, IP_RANGE,
    AUTHENTICATION_STRENGTH, COMBINATION_CONFIGURATION, AUTH_CONTEXT, PROTECTED_ACTION,
    ROLE_DEFINITION, ROLE_ASSIGNMENT, ROLE_ELIGIBILITY, USER, GROUP, TENANT,
    SERVICE_PRINCIPAL, APPLICATION_GROUP_CHANGE,
    DEVICE, AUTHENTICATION, SESSION,
)
"""Every schema the converter registers (template schemas live in ``_template``)."""
