"""What a model holds but does not understand: unknown properties and unknown
enumeration values, each with its JSON path.

Models keep every Graph property they do not model in ``unmodelled`` (``others`` for
session controls), so a round trip loses nothing. Some of those are documented Graph
properties the library keeps as data on purpose (:data:`DOCUMENTED`); the rest are
*unknown*. Enumerated values (client app types, platforms, risk levels, built-in
controls, method names...) are matched case-insensitively against
:data:`VOCABULARIES`; a value outside it is *unknown* too. The evaluator decides
what it cannot read fail-closed and lint reports it; :func:`find_unrecognised` is
the one walk both use (iterative, so any depth of models is safe, and kept JSON is
only scanned, never recursed into).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import attrs

from .spelling import ascii_lower, near_miss

__all__ = ["DOCUMENTED", "VOCABULARIES", "Unrecognised", "find_unrecognised", "is_configured",
           "selector"]

DOCUMENTED: Mapping[str, tuple[str, ...]] = {
    "Policy": ("deletedDateTime",),
    "IpNamedLocation": ("deletedDateTime",),
    "CountryNamedLocation": ("deletedDateTime",),
    "CompliantNetworkNamedLocation": ("deletedDateTime",),
    "SessionControls": (
        "applicationEnforcedRestrictions", "cloudAppSecurity", "persistentBrowser",
        "disableResilienceDefaults", "secureSignInSession", "continuousAccessEvaluation",
        "networkAccessSecurity", "globalSecureAccessFilteringProfile"),
    "ProtectedAction": ("id", "actionVerb", "description", "resourceScopeId",
                        "isAuthenticationContextSettable", "isPrivileged"),
    "RoleDefinition": ("description", "isEnabled", "resourceScopes", "version",
                       "inheritsPermissionsFrom", "isPrivileged", "allowedPrincipalTypes"),
    "RoleAssignment": ("appScopeId", "condition", "principal", "roleDefinition",
                       "directoryScope", "appScope"),
    "RoleEligibility": ("appScopeId", "memberType", "scheduleInfo", "status",
                        "createdUsing", "principal", "roleDefinition", "directoryScope",
                        "appScope"),
    "User": ("userPrincipalName", "mail", "accountEnabled", "givenName", "surname",
             "jobTitle", "department", "onPremisesSyncEnabled", "creationType",
             "externalUserState", "createdDateTime", "otherMails",
             "onPremisesSamAccountName", "onPremisesImmutableId"),
    "Group": ("description", "mailEnabled", "securityEnabled", "groupTypes",
              "mailNickname", "membershipRule", "membershipRuleProcessingState",
              "createdDateTime", "visibility", "onPremisesSyncEnabled"),
}
"""Graph properties each model keeps as data on purpose (by class name): known, so
neither unknown nor a near miss of anything."""

GRAPH_KEYS: Mapping[str, Mapping[str, str]] = {
    "Tenant": {"policies": "conditionalAccessPolicies",
               "auth_contexts": "authenticationContextClassReferences",
               "authentication_strengths": "authenticationStrengthPolicies",
               "protected_actions": "resourceActions",
               "role_eligibilities": "roleEligibilitySchedules"},
    "ProtectedAction": {"permission": "name", "context_id": "authenticationContextId"},
    "RoleDefinition": {"permissions": "rolePermissions"},
    "GrantControls": {"embedded_authentication_strength": "authenticationStrength"},
    "CombinationConfiguration": {"kind": "@odata.type", "allowed_aaguids": "allowedAAGUIDs"},
    "Authentication": {"fido2_aaguid": "fido2Aaguid"},
}
"""Model attributes whose Graph property is not their camelCase name."""

_RISK = ("low", "medium", "high", "hidden", "none", "unknownFutureValue")
_PLATFORMS = ("android", "iOS", "windows", "windowsPhone", "macOS", "linux", "all",
              "unknownFutureValue")
_STATES = ("all", "compliant", "domainJoined")
_METHODS = (
    "password", "voice", "hardwareOath", "softwareOath", "sms", "fido2",
    "windowsHelloForBusiness", "microsoftAuthenticatorPush", "deviceBasedPush",
    "temporaryAccessPassOneTime", "temporaryAccessPassMultiUse", "email",
    "x509CertificateSingleFactor", "x509CertificateMultiFactor", "federatedSingleFactor",
    "federatedMultiFactor", "unknownFutureValue", "qrCodePin")

VOCABULARIES: Mapping[tuple[str, str], tuple[str, ...]] = {
    ("Policy", "state"): ("enabled", "disabled", "enabledForReportingButNotEnforced"),
    ("Conditions", "client_app_types"): (
        "all", "browser", "mobileAppsAndDesktopClients", "exchangeActiveSync",
        "easSupported", "easUnsupported", "other", "unknownFutureValue"),
    ("Conditions", "sign_in_risk_levels"): _RISK,
    ("Conditions", "user_risk_levels"): _RISK,
    ("Conditions", "service_principal_risk_levels"): _RISK,
    ("Conditions", "insider_risk_levels"): ("none", "minor", "moderate", "elevated",
                                            "unknownFutureValue"),
    ("PlatformConditions", "include_platforms"): _PLATFORMS,
    ("PlatformConditions", "exclude_platforms"): _PLATFORMS,
    ("AuthenticationFlows", "transfer_methods"): (
        "none", "deviceCodeFlow", "authenticationTransfer", "unknownFutureValue"),
    ("GuestsOrExternalUsers", "guest_or_external_user_types"): (
        "none", "internalGuest", "b2bCollaborationGuest", "b2bCollaborationMember",
        "b2bDirectConnectUser", "otherExternalUser", "serviceProvider",
        "unknownFutureValue"),
    ("ExternalTenants", "membership_kind"): ("all", "enumerated", "unknownFutureValue"),
    ("ApplicationConditions", "include_user_actions"): (
        "urn:user:registersecurityinfo", "urn:user:registerdevice"),
    ("Filter", "mode"): ("include", "exclude"),
    ("DeviceConditions", "include_device_states"): _STATES,
    ("DeviceConditions", "exclude_device_states"): _STATES,
    ("DeviceStates", "include_states"): _STATES,
    ("DeviceStates", "exclude_states"): _STATES,
    ("GrantControls", "operator"): ("AND", "OR"),
    ("GrantControls", "built_in_controls"): (
        "block", "mfa", "compliantDevice", "domainJoinedDevice", "approvedApplication",
        "compliantApplication", "passwordChange", "riskRemediation", "unknownFutureValue"),
    ("SignInFrequency", "type"): ("days", "hours"),
    ("SignInFrequency", "frequency_interval"): ("timeBased", "everyTime",
                                                "unknownFutureValue"),
    ("SignInFrequency", "authentication_type"): (
        "primaryAndSecondaryAuthentication", "secondaryAuthentication", "unknownFutureValue"),
    ("AuthenticationStrength", "allowed_combinations"): _METHODS,
    ("AuthenticationStrength", "policy_type"): ("builtIn", "custom", "unknownFutureValue"),
    ("AuthenticationStrength", "requirements_satisfied"): ("none", "mfa",
                                                           "unknownFutureValue"),
    ("CombinationConfiguration", "applies_to_combinations"): _METHODS,
    ("CountryNamedLocation", "country_lookup_method"): (
        "clientIpAddress", "authenticatorAppGps", "unknownFutureValue"),
    ("CompliantNetworkNamedLocation", "compliant_network_type"): (
        "allTenantCompliantNetworks", "unknownFutureValue"),
    ("User", "user_type"): ("member", "guest"),
}
"""Graph enumerations by (model class name, attribute): the values Graph documents
(entra-facts §3-§5), matched case-insensitively."""

_FOLDED = {key: frozenset(ascii_lower(v) for v in values) for key, values in VOCABULARIES.items()}
_KNOWN_NAMES: dict[type, frozenset[str]] = {}
_CHILD_FIELDS: dict[type, tuple[tuple[str, str], ...]] = {}


@attrs.frozen
class Unrecognised:
    """One thing a model holds but cannot interpret.

    ``kind`` is ``"property"`` (an unknown property ``name``) or ``"value"`` (an
    unknown value ``name`` of the enumeration at ``path``); ``path`` is the JSON path
    from where the walk began; ``suggestion`` the known name it is closest to;
    ``configured`` whether it carries a value (an unknown property that is ``null``
    or empty configures nothing).
    """

    kind: str
    path: str
    name: str
    suggestion: str | None = None
    configured: bool = True

    def describe(self) -> str:
        """``unknown property conditions.times`` (did you mean ...)."""
        hint = f" (did you mean {self.suggestion!r}?)" if self.suggestion else ""
        if self.kind == "property":
            return f"unknown property {self.path}{hint}"
        return f"unknown value {self.name!r} at {self.path}{hint}"


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(word.title() for word in rest)


def graph_key(cls: type, attribute: str) -> str:
    """The Graph property name of a model attribute."""
    return GRAPH_KEYS.get(cls.__name__, {}).get(attribute) or _camel(attribute)


def _known_names(cls: type) -> frozenset[str]:
    found = _KNOWN_NAMES.get(cls)
    if found is None:
        names = {graph_key(cls, f.name) for f in attrs.fields(cls)}
        names |= set(DOCUMENTED.get(cls.__name__, ()))
        found = _KNOWN_NAMES[cls] = frozenset(ascii_lower(n) for n in names)
    return found


def _children(cls: type) -> tuple[tuple[str, str], ...]:
    found = _CHILD_FIELDS.get(cls)
    if found is None:
        found = _CHILD_FIELDS[cls] = tuple(
            (f.name, graph_key(cls, f.name)) for f in attrs.fields(cls)
            if f.init and f.eq and f.name not in ("unmodelled", "others"))
    return found


def is_configured(value: Any) -> bool:
    """Whether kept JSON carries a value: something other than ``null``, ``""``, ``[]``
    and ``{}`` somewhere inside it (scanned without recursion)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, Mapping):
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
        elif item is not None and item != "":
            return True
    return False


def _is_annotation(key: str) -> bool:
    return "@" in key or key.startswith("#") or ascii_lower(key) == "additionalproperties"


def _bag(obj: Any) -> Mapping[Any, Any]:
    bag = getattr(obj, "others", None) if type(obj).__name__ == "SessionControls" else \
        getattr(obj, "unmodelled", None)
    return bag if isinstance(bag, Mapping) else {}


def _step(path: str, key: str) -> str:
    return f"{path}.{key}" if key.replace("_", "a").isalnum() else f"{path}[{key!r}]"


def _values(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, (tuple, list, frozenset)):
        for item in value:
            yield from (item,) if isinstance(item, str) else \
                (v for v in item if isinstance(v, str)) if isinstance(item, tuple) else ()


_NAMES: dict[type, tuple[str, ...]] = {}
_ENUMERATED: dict[type, tuple[tuple[str, str, frozenset[str]], ...]] = {}
_MODELS: dict[type, bool] = {}


def _names(cls: type) -> tuple[str, ...]:
    found = _NAMES.get(cls)
    if found is None:
        found = _NAMES[cls] = tuple(sorted({graph_key(cls, f.name) for f in attrs.fields(cls)}
                                           | set(DOCUMENTED.get(cls.__name__, ()))))
    return found


def _enumerated(cls: type) -> tuple[tuple[str, str, frozenset[str]], ...]:
    """(attribute, Graph key, known values) of the class's enumerated attributes."""
    found = _ENUMERATED.get(cls)
    if found is None:
        found = _ENUMERATED[cls] = tuple(
            (attribute, key, _FOLDED[(cls.__name__, attribute)])
            for attribute, key in _children(cls) if (cls.__name__, attribute) in _FOLDED)
    return found


def _is_model(cls: type) -> bool:
    found = _MODELS.get(cls)
    if found is None:
        found = _MODELS[cls] = attrs.has(cls)
    return found


def _own(obj: Any, path: str) -> Iterator[Unrecognised]:
    cls = type(obj)
    bag = _bag(obj)
    if bag:
        known = _known_names(cls)
        for key, value in bag.items():
            if not isinstance(key, str) or _is_annotation(key) or ascii_lower(key) in known:
                continue
            yield Unrecognised(kind="property", path=_step(path, key), name=key,
                               suggestion=near_miss(key, _names(cls)),
                               configured=is_configured(value))
    for attribute, key, allowed in _enumerated(cls):
        for text in dict.fromkeys(_values(getattr(obj, attribute))):
            if ascii_lower(text) not in allowed:
                yield Unrecognised(kind="value", path=_step(path, key), name=text,
                                   suggestion=near_miss(text, VOCABULARIES[
                                       (cls.__name__, attribute)]))


def selector(item: Any, index: int) -> str:
    """The JSONPath step for an item of a list: by its ``id`` (or a protected action
    by its ``name``), so that paths do not depend on the order of the list; by index
    when it has neither."""
    ident = getattr(item, "id", None)
    if isinstance(ident, str) and ident:
        return f"[?(@.id=={ident!r})]"
    permission = getattr(item, "permission", None)
    name = getattr(permission, "value", None)
    if isinstance(name, str):
        return f"[?(@.name=={name!r})]"
    return f"[{index}]"


def find_unrecognised(root: Any, path: str = "$",
                      skip: frozenset[str] = frozenset()) -> tuple[Unrecognised, ...]:
    """Every unknown property and unknown enumeration value in ``root`` and the models
    inside it (``skip``: attribute names of ``root`` not to enter), in path order."""
    found: list[Unrecognised] = []
    stack: list[tuple[Any, str, frozenset[str]]] = [(root, path, skip)]
    while stack:
        obj, where, not_here = stack.pop()
        found.extend(_own(obj, where))
        for attribute, key in reversed(_children(type(obj))):
            if attribute in not_here:
                continue
            value = getattr(obj, attribute)
            if _is_model(type(value)):
                stack.append((value, _step(where, key), frozenset()))
            elif isinstance(value, tuple) and value and _is_model(type(value[0])):
                stack.extend((item, _step(where, key) + selector(item, index), frozenset())
                             for index, item in reversed(list(enumerate(value)))
                             if _is_model(type(item)))
    return tuple(found)
