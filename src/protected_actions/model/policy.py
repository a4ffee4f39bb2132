"""Conditional Access policies: conditions, grant controls and session controls.

The classes mirror Microsoft Graph's ``conditionalAccessPolicy`` and its nested types
(entra-facts §3) with snake_case names. Values from Graph vocabularies (states,
platforms, client app types, grant controls...) are kept as the strings Graph uses,
exactly as written, so a future or unknown value survives a round trip; the enums
below name the known values, and the evaluator decides unknown ones fail-closed.
Every class has an ``unmodelled`` mapping for properties it does not model (beta-only
or future properties); the evaluator treats a non-empty unmodelled *condition* as
undecidable (fail-closed) rather than ignoring it.
"""

from __future__ import annotations

from typing import Any

import attrs

from protected_actions.errors import InvalidModelError

from .enums import StrEnum
from .frozen import FrozenDict, FrozenJSON
from .methods import AuthenticationStrength
from .validators import (
    is_str,
    non_empty_str,
    optional_bool,
    optional_str,
    to_str,
)
from .validators import str_tuple as _strs
from .validators import to_str_tuple as _tuple

__all__ = [
    "ApplicationConditions",
    "AuthenticationFlows",
    "ClientAppType",
    "ClientApplications",
    "Conditions",
    "DeviceConditions",
    "DevicePlatform",
    "DeviceStates",
    "ExternalTenants",
    "Filter",
    "GrantControl",
    "GrantControls",
    "GuestOrExternalUserType",
    "GuestsOrExternalUsers",
    "LocationConditions",
    "PlatformConditions",
    "Policy",
    "PolicyState",
    "RiskLevel",
    "SessionControls",
    "SignInFrequency",
    "UserConditions",
]


def __dir__() -> list[str]:
    return __all__


class _GraphEnum(StrEnum):
    """A Graph vocabulary."""


class PolicyState(_GraphEnum):
    """``conditionalAccessPolicyState`` (entra-facts §3.1)."""

    ENABLED = "enabled"
    DISABLED = "disabled"
    REPORT_ONLY = "enabledForReportingButNotEnforced"


class GrantControl(_GraphEnum):
    """Built-in grant controls (entra-facts §3.9)."""

    BLOCK = "block"
    MFA = "mfa"
    COMPLIANT_DEVICE = "compliantDevice"
    DOMAIN_JOINED_DEVICE = "domainJoinedDevice"
    APPROVED_APPLICATION = "approvedApplication"
    COMPLIANT_APPLICATION = "compliantApplication"
    PASSWORD_CHANGE = "passwordChange"
    RISK_REMEDIATION = "riskRemediation"
    UNKNOWN_FUTURE_VALUE = "unknownFutureValue"


class ClientAppType(_GraphEnum):
    """``conditionalAccessClientApp`` (entra-facts §3.2)."""

    ALL = "all"
    BROWSER = "browser"
    MOBILE_APPS_AND_DESKTOP_CLIENTS = "mobileAppsAndDesktopClients"
    EXCHANGE_ACTIVE_SYNC = "exchangeActiveSync"
    EAS_SUPPORTED = "easSupported"
    OTHER = "other"


class DevicePlatform(_GraphEnum):
    """``conditionalAccessDevicePlatform`` (entra-facts §3.6)."""

    ANDROID = "android"
    IOS = "iOS"
    WINDOWS = "windows"
    WINDOWS_PHONE = "windowsPhone"
    MACOS = "macOS"
    LINUX = "linux"
    ALL = "all"


class RiskLevel(_GraphEnum):
    """``riskLevel`` (entra-facts §3.2, §6.7)."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    HIDDEN = "hidden"
    NONE = "none"


class GuestOrExternalUserType(_GraphEnum):
    """``conditionalAccessGuestOrExternalUserTypes`` flags (entra-facts §3.3)."""

    INTERNAL_GUEST = "internalGuest"
    B2B_COLLABORATION_GUEST = "b2bCollaborationGuest"
    B2B_COLLABORATION_MEMBER = "b2bCollaborationMember"
    B2B_DIRECT_CONNECT_USER = "b2bDirectConnectUser"
    OTHER_EXTERNAL_USER = "otherExternalUser"
    SERVICE_PROVIDER = "serviceProvider"




def _optional_count(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
        raise InvalidModelError(f"{type(instance).__name__}.{attribute.name}",
                                "a non-negative int or None", value)


def _embedded_matches(instance: GrantControls, attribute: attrs.Attribute[Any],
                      value: object) -> None:
    if value is None:
        return
    if not isinstance(value, AuthenticationStrength) or \
            value.id != instance.authentication_strength:
        raise InvalidModelError("GrantControls.embedded_authentication_strength",
                                "an AuthenticationStrength whose id is authentication_strength",
                                value)


def _unmodelled() -> FrozenDict[str, FrozenJSON]:
    return attrs.field(factory=FrozenDict)


@attrs.frozen(kw_only=True)
class ExternalTenants:
    """``conditionalAccessExternalTenants``: ``all`` or an ``enumerated`` list."""

    membership_kind: str = attrs.field(converter=to_str, validator=non_empty_str)
    members: tuple[str, ...] = attrs.field(converter=_tuple, validator=_strs, factory=tuple)
    unmodelled: FrozenDict[str, FrozenJSON] = _unmodelled()


@attrs.frozen(kw_only=True)
class GuestsOrExternalUsers:
    """``conditionalAccessGuestsOrExternalUsers``: guest-type flags and tenants.

    ``guest_or_external_user_types`` keeps the flags in the order Graph wrote them.
    """

    guest_or_external_user_types: tuple[str, ...] = attrs.field(
        converter=_tuple, validator=_strs, factory=tuple)
    external_tenants: ExternalTenants | None = None
    unmodelled: FrozenDict[str, FrozenJSON] = _unmodelled()


@attrs.frozen(kw_only=True)
class UserConditions:
    """``conditionalAccessUsers``: who a policy is for (entra-facts §3.3, §6.2)."""

    include_users: tuple[str, ...] = attrs.field(converter=_tuple, validator=_strs, factory=tuple)
    exclude_users: tuple[str, ...] = attrs.field(converter=_tuple, validator=_strs, factory=tuple)
    include_groups: tuple[str, ...] = attrs.field(converter=_tuple, validator=_strs, factory=tuple)
    exclude_groups: tuple[str, ...] = attrs.field(converter=_tuple, validator=_strs, factory=tuple)
    include_roles: tuple[str, ...] = attrs.field(converter=_tuple, validator=_strs, factory=tuple)
    exclude_roles: tuple[str, ...] = attrs.field(converter=_tuple, validator=_strs, factory=tuple)
    include_guests_or_external_users: GuestsOrExternalUsers | None = None
    exclude_guests_or_external_users: GuestsOrExternalUsers | None = None
    unmodelled: FrozenDict[str, FrozenJSON] = _unmodelled()


@attrs.frozen(kw_only=True)
class Filter:
    """``conditionalAccessFilter``: ``mode`` (include/exclude) and a rule string.

    The rule is kept as written; the tenant parses it once when it compiles.
    """

    mode: str = attrs.field(converter=to_str, validator=non_empty_str)
    rule: str = attrs.field(validator=is_str)
    unmodelled: FrozenDict[str, FrozenJSON] = _unmodelled()


@attrs.frozen(kw_only=True)
class ApplicationConditions:
    """``conditionalAccessApplications``: apps, user actions or auth contexts."""

    include_applications: tuple[str, ...] = attrs.field(
        converter=_tuple, validator=_strs, factory=tuple)
    exclude_applications: tuple[str, ...] = attrs.field(
        converter=_tuple, validator=_strs, factory=tuple)
    include_user_actions: tuple[str, ...] = attrs.field(
        converter=_tuple, validator=_strs, factory=tuple)
    include_authentication_context_class_references: tuple[str, ...] = attrs.field(
        converter=_tuple, validator=_strs, factory=tuple)
    application_filter: Filter | None = None
    unmodelled: FrozenDict[str, FrozenJSON] = _unmodelled()


@attrs.frozen(kw_only=True)
class ClientApplications:
    """``conditionalAccessClientApplications``: workload identities (entra-facts §3.5)."""

    include_service_principals: tuple[str, ...] = attrs.field(
        converter=_tuple, validator=_strs, factory=tuple)
    exclude_service_principals: tuple[str, ...] = attrs.field(
        converter=_tuple, validator=_strs, factory=tuple)
    service_principal_filter: Filter | None = None
    unmodelled: FrozenDict[str, FrozenJSON] = _unmodelled()


@attrs.frozen(kw_only=True)
class PlatformConditions:
    """``conditionalAccessPlatforms`` (entra-facts §3.6)."""

    include_platforms: tuple[str, ...] = attrs.field(
        converter=_tuple, validator=_strs, factory=tuple)
    exclude_platforms: tuple[str, ...] = attrs.field(
        converter=_tuple, validator=_strs, factory=tuple)
    unmodelled: FrozenDict[str, FrozenJSON] = _unmodelled()


@attrs.frozen(kw_only=True)
class LocationConditions:
    """``conditionalAccessLocations``: named-location ids, ``All``, ``AllTrusted``."""

    include_locations: tuple[str, ...] = attrs.field(
        converter=_tuple, validator=_strs, factory=tuple)
    exclude_locations: tuple[str, ...] = attrs.field(
        converter=_tuple, validator=_strs, factory=tuple)
    unmodelled: FrozenDict[str, FrozenJSON] = _unmodelled()


@attrs.frozen(kw_only=True)
class DeviceConditions:
    """``conditionalAccessDevices``: the device filter, plus the legacy include/exclude
    device-state lists (beta ``deviceStates`` and older ``includeDevices``)."""

    device_filter: Filter | None = None
    include_devices: tuple[str, ...] = attrs.field(converter=_tuple, validator=_strs, factory=tuple)
    exclude_devices: tuple[str, ...] = attrs.field(converter=_tuple, validator=_strs, factory=tuple)
    include_device_states: tuple[str, ...] = attrs.field(
        converter=_tuple, validator=_strs, factory=tuple)
    exclude_device_states: tuple[str, ...] = attrs.field(
        converter=_tuple, validator=_strs, factory=tuple)
    unmodelled: FrozenDict[str, FrozenJSON] = _unmodelled()


@attrs.frozen(kw_only=True)
class DeviceStates:
    """Legacy beta ``conditionalAccessDeviceStates`` (``includeStates`` /
    ``excludeStates``: ``All``, ``Compliant``, ``DomainJoined``), superseded by the
    device filter but still read as documented."""

    include_states: tuple[str, ...] = attrs.field(converter=_tuple, validator=_strs, factory=tuple)
    exclude_states: tuple[str, ...] = attrs.field(converter=_tuple, validator=_strs, factory=tuple)
    unmodelled: FrozenDict[str, FrozenJSON] = _unmodelled()


@attrs.frozen(kw_only=True)
class AuthenticationFlows:
    """``conditionalAccessAuthenticationFlows``: ``transferMethods`` flags, in order."""

    transfer_methods: tuple[str, ...] = attrs.field(
        converter=_tuple, validator=_strs, factory=tuple)
    unmodelled: FrozenDict[str, FrozenJSON] = _unmodelled()


@attrs.frozen(kw_only=True)
class Conditions:
    """``conditionalAccessConditionSet`` (entra-facts §3.2).

    ``None`` and an empty collection both mean "not configured" for evaluation; the
    distinction is kept so a round trip writes back what it read.
    ``device_states`` is the legacy beta ``deviceStates`` block (include/exclude
    ``All``/``Compliant``/``DomainJoined``), read as documented.
    """

    users: UserConditions | None = None
    applications: ApplicationConditions | None = None
    client_applications: ClientApplications | None = None
    client_app_types: tuple[str, ...] = attrs.field(
        converter=_tuple, validator=_strs, factory=tuple)
    platforms: PlatformConditions | None = None
    locations: LocationConditions | None = None
    devices: DeviceConditions | None = None
    device_states: DeviceStates | None = None
    sign_in_risk_levels: tuple[str, ...] = attrs.field(
        converter=_tuple, validator=_strs, factory=tuple)
    user_risk_levels: tuple[str, ...] = attrs.field(
        converter=_tuple, validator=_strs, factory=tuple)
    service_principal_risk_levels: tuple[str, ...] = attrs.field(
        converter=_tuple, validator=_strs, factory=tuple)
    insider_risk_levels: tuple[str, ...] = attrs.field(
        converter=_tuple, validator=_strs, factory=tuple)
    authentication_flows: AuthenticationFlows | None = None
    unmodelled: FrozenDict[str, FrozenJSON] = _unmodelled()


@attrs.frozen(kw_only=True)
class GrantControls:
    """``conditionalAccessGrantControls`` (entra-facts §3.9).

    ``authentication_strength`` is the id of the required strength. Graph's GET
    responses expand the whole strength object; it is kept in
    ``embedded_authentication_strength`` and the tenant uses it when it does not
    define that strength itself.
    """

    operator: str = attrs.field(default="OR", converter=to_str, validator=non_empty_str)
    built_in_controls: tuple[str, ...] = attrs.field(
        converter=_tuple, validator=_strs, factory=tuple)
    custom_authentication_factors: tuple[str, ...] = attrs.field(
        converter=_tuple, validator=_strs, factory=tuple)
    terms_of_use: tuple[str, ...] = attrs.field(converter=_tuple, validator=_strs, factory=tuple)
    authentication_strength: str | None = attrs.field(default=None, validator=optional_str)
    embedded_authentication_strength: AuthenticationStrength | None = attrs.field(
        default=None, validator=_embedded_matches)
    unmodelled: FrozenDict[str, FrozenJSON] = _unmodelled()


@attrs.frozen(kw_only=True)
class SignInFrequency:
    """``signInFrequencySessionControl`` (entra-facts §3.10, §6.8).

    ``frequency_interval`` is ``timeBased`` (``value`` + ``type`` hours/days) or
    ``everyTime``; ``None`` with a value and type is read as time-based.
    """

    is_enabled: bool | None = attrs.field(default=True, validator=optional_bool)
    value: int | None = attrs.field(default=None, validator=_optional_count)
    type: str | None = attrs.field(default=None, converter=to_str, validator=optional_str)
    authentication_type: str | None = attrs.field(default=None, converter=to_str,
                                                  validator=optional_str)
    frequency_interval: str | None = attrs.field(default=None, converter=to_str,
                                                 validator=optional_str)
    unmodelled: FrozenDict[str, FrozenJSON] = _unmodelled()


@attrs.frozen(kw_only=True)
class SessionControls:
    """``conditionalAccessSessionControls``.

    Sign-in frequency is modelled; the other session controls (application-enforced
    restrictions, Defender for Cloud Apps, persistent browser, CAE, resilience
    defaults, secure sign-in session, ...) are kept as data in ``others`` by their
    Graph property names: they shape the session, not the access decision.
    """

    sign_in_frequency: SignInFrequency | None = None
    others: FrozenDict[str, FrozenJSON] = attrs.field(factory=FrozenDict)


@attrs.frozen(kw_only=True)
class Policy:
    """A Conditional Access policy (Graph ``conditionalAccessPolicy``).

    >>> p = Policy(id="p1", display_name="Require MFA for c1", state="enabled",
    ...            conditions=Conditions(
    ...                users=UserConditions(include_users=("All",)),
    ...                applications=ApplicationConditions(
    ...                    include_authentication_context_class_references=("c1",))),
    ...            grant_controls=GrantControls(built_in_controls=("mfa",)))
    >>> p.state, p.targets_context("c1")
    ('enabled', True)
    """

    id: str = attrs.field(validator=non_empty_str)
    display_name: str = attrs.field(default="", validator=is_str)
    state: str = attrs.field(default="enabled", converter=to_str, validator=non_empty_str)
    conditions: Conditions = attrs.field(factory=Conditions)
    grant_controls: GrantControls | None = None
    session_controls: SessionControls | None = None
    description: str | None = attrs.field(default=None, validator=optional_str)
    template_id: str | None = attrs.field(default=None, validator=optional_str)
    created_date_time: str | None = attrs.field(default=None, validator=optional_str)
    modified_date_time: str | None = attrs.field(default=None, validator=optional_str)
    unmodelled: FrozenDict[str, FrozenJSON] = _unmodelled()

    def targets_context(self, context_id: str) -> bool:
        """Whether the policy lists ``context_id`` in its target auth contexts."""
        apps = self.conditions.applications
        targets = apps.include_authentication_context_class_references if apps else ()
        return context_id in targets
