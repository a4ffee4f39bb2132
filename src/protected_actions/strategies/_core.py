"""Hypothesis strategies for the core models.

Every strategy is keyword-only, validates its arguments (raising
:class:`hypothesis.errors.InvalidArgument` when a value is first drawn) and is
composed bottom-up from smaller strategies, without filtering, so that examples
shrink part by part.

Ids are drawn from small shared pools, so that what one strategy generates
refers to what another generates:

- policies ``p1``..``p6``; auth contexts ``c1``..``c3`` (protected actions may
  also map to ``c4``, which no generated policy targets);
- users ``u1``..``u5`` and groups ``g1``..``g4``, plus ``U1`` and ``G1``: ids
  are compared case-insensitively, so these name the same objects in another case;
- roles: the built-in ones, ``custom-role-1`` and an id nothing defines;
- named locations ``loc-1``..``loc-3`` and ``loc-unknown`` (never defined);
- strengths: the built-ins, ``strength-custom-1`` and ``strength-custom-2``
  (defined by some tenants, embedded in some policies) and ``strength-unknown``;
- terms of use ``tou-1``, ``tou-2``; custom control ``custom-control-1``;
  devices ``dev-1``..``dev-3``.

Sessions sign in as those users, from addresses inside those locations, with
devices the pool of device filter rules talks about.
"""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta, timezone
from typing import TypeVar

import attrs
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from protected_actions.model.contexts import AuthContext, ProtectedAction
from protected_actions.model.locations import (
    UNKNOWN_COUNTRY,
    CompliantNetworkNamedLocation,
    CountryNamedLocation,
    IpNamedLocation,
    IpRange,
)
from protected_actions.model.methods import (
    BUILT_IN_STRENGTHS,
    Authentication,
    AuthenticationStrength,
    AuthMethod,
    CombinationConfiguration,
)
from protected_actions.model.permissions import (
    CONDITIONAL_ACCESS_ADMINISTRATOR,
    GLOBAL_ADMINISTRATOR,
    PRIVILEGED_ROLE_ADMINISTRATOR,
    PROTECTABLE_PERMISSIONS,
    SECURITY_ADMINISTRATOR,
    Permission,
    RoleDefinition,
)
from protected_actions.model.policy import (
    ApplicationConditions,
    AuthenticationFlows,
    Conditions,
    DeviceConditions,
    ExternalTenants,
    Filter,
    GrantControls,
    GuestOrExternalUserType,
    GuestsOrExternalUsers,
    LocationConditions,
    PlatformConditions,
    Policy,
    PolicyState,
    SessionControls,
    SignInFrequency,
    UserConditions,
)
from protected_actions.model.session import Device, SessionState, User
from protected_actions.model.tenant import (
    Group,
    NamedLocation,
    RoleAssignment,
    RoleEligibility,
    Tenant,
)
from protected_actions.model.vocabulary import ascii_lower

from ._locations import (
    compliant_network_named_locations,
    country_named_locations,
    ip_named_locations,
    ip_ranges,
)

__all__ = [
    "auth_contexts",
    "authentications",
    "devices",
    "permissions",
    "policies",
    "session_states",
    "sessions",
    "tenants",
    "tenants_and_sessions",
    "users",
]


def __dir__() -> list[str]:
    return __all__


T = TypeVar("T")

# --------------------------------------------------------------------------------------
# Pools
# --------------------------------------------------------------------------------------

POLICY_IDS = ("p1", "p2", "p3", "p4", "p5", "p6")
CONTEXT_IDS = ("c1", "c2", "c3")
#: Contexts protected actions may map to: ``c4`` is one no generated policy targets.
ACTION_CONTEXT_IDS = (*CONTEXT_IDS, "c4")
#: ``U1`` and ``G1``: ids are compared case-insensitively, so they name ``u1`` and ``g1``.
USER_IDS = ("u1", "u2", "u3", "u4", "u5", "U1")
GROUP_IDS = ("g1", "g2", "g3", "g4", "G1")
UNKNOWN_ROLE_ID = "00000000-0000-0000-0000-00000000dead"
CUSTOM_ROLE_ID = "custom-role-1"
ROLE_IDS = (
    GLOBAL_ADMINISTRATOR.id,
    CONDITIONAL_ACCESS_ADMINISTRATOR.id,
    SECURITY_ADMINISTRATOR.id,
    PRIVILEGED_ROLE_ADMINISTRATOR.id,
    CUSTOM_ROLE_ID,
    UNKNOWN_ROLE_ID,
)
LOCATION_IDS = ("loc-1", "loc-2", "loc-3")
UNKNOWN_LOCATION_ID = "loc-unknown"
CUSTOM_STRENGTH_IDS = ("strength-custom-1", "strength-custom-2")
UNKNOWN_STRENGTH_ID = "strength-unknown"
STRENGTH_IDS = (*(s.id for s in BUILT_IN_STRENGTHS), *CUSTOM_STRENGTH_IDS, UNKNOWN_STRENGTH_ID)
TERMS_OF_USE_IDS = ("tou-1", "tou-2")
APPLICATION_ID = "a1a1a1a1-0000-4000-8000-000000000001"
"""The tenant's own application some generated policies target (a sign-in target)."""
CUSTOM_CONTROL_IDS = ("custom-control-1",)
GUEST_TENANT_IDS = ("tenant-partner-1", "tenant-partner-2")
DEVICE_IDS = ("dev-1", "dev-2", "dev-3")
AAGUIDS = ("cb69481e-8ff7-4039-93ec-0a2729a154a8", "ee882879-721c-4913-9775-3dfcce97072a")
_SESSION_METHODS = tuple(m.value for m in AuthMethod if m is not AuthMethod.UNKNOWN_FUTURE_VALUE)
#: Grant control names: every built-in one, and names this library does not know.
BUILT_IN_CONTROL_NAMES = (
    "mfa",
    "block",
    "compliantDevice",
    "domainJoinedDevice",
    "passwordChange",
    "approvedApplication",
    "compliantApplication",
    "riskRemediation",
    "contosoFutureControl",
)
#: Valid device filter rules written against the values :func:`devices` draws.
DEVICE_FILTER_RULES = (
    'device.trustType -eq "ServerAD"',
    "device.isCompliant -eq True",
    'device.extensionAttribute1 -eq "SAW"',
    'device.displayName -startsWith "PAW"',
    'device.deviceId -in ["dev-1", "dev-2"]',
    'device.operatingSystem -ne "Windows"',
    'device.model -notContains "Surface" -and device.trustType -ne "AzureAD"',
    'device.physicalIds -contains "[OrderId]:PAW" -or device.profileType -eq "SecureVM"',
    'device.manufacturer -notIn ["Microsoft", "Apple"]',
)
PLATFORMS = ("android", "iOS", "windows", "windowsPhone", "macOS", "linux")
SESSION_PLATFORMS = (*PLATFORMS, "Windows", "chromeOS")
CLIENT_APP_TYPES = (
    "browser",
    "mobileAppsAndDesktopClients",
    "exchangeActiveSync",
    "easSupported",
    "other",
)
RISK_LEVELS = ("none", "low", "medium", "high", "hidden")
INSIDER_RISK_LEVELS = ("minor", "moderate", "elevated")
TRANSFER_METHODS = ("deviceCodeFlow", "authenticationTransfer")
COUNTRIES = ("NL", "US", "DE", "FR")
POLICY_STATES = (
    PolicyState.ENABLED.value,
    PolicyState.REPORT_ONLY.value,
    PolicyState.DISABLED.value,
    "unknownFutureValue",
)

_PROTECTABLE = tuple(sorted(PROTECTABLE_PERMISSIONS, key=lambda p: p.key))
_OTHER_DIRECTORY = tuple(
    Permission(f"microsoft.directory/{p}")
    for p in ("users/create", "groups/delete", "applications/credentials/update")
)
_APPLICATION = tuple(
    Permission(p)
    for p in ("contoso.payroll/payments/approve", "contoso.payroll/payments/read",
              "fabrikam.crm/accounts/delete")
)
#: Combinations custom strengths allow: the restricted ones (``fido2``, certificates)
#: are common, so that combination configurations meet them.
_CUSTOM_COMBINATIONS = (
    ("fido2",),
    ("x509CertificateMultiFactor",),
    ("windowsHelloForBusiness",),
    ("password", "microsoftAuthenticatorPush"),
    ("password", "sms"),
    ("temporaryAccessPassOneTime",),
    ("email",),
)
_ZONES = (timezone.utc, timezone(timedelta(hours=1)), timezone(timedelta(hours=-8)))
_AGES_SECONDS = (0, 60, 299, 300, 301, 1800, 3600, 3 * 3600, 23 * 3600, 25 * 3600,
                 2 * 86400, 8 * 86400, 31 * 86400, 91 * 86400, -60)
_IP_RANGES = (
    IpRange.from_cidr("203.0.113.0/24"),
    IpRange.from_cidr("198.51.100.0/25"),
    IpRange.from_bounds("198.51.100.64", "198.51.100.200"),
    IpRange.from_cidr("192.0.2.0/24"),
    IpRange.from_cidr("2001:db8::/48"),
    IpRange.from_cidr("2001:db8:1::/64"),
)
_OUTSIDE_ADDRESSES = ("8.8.8.8", "100.64.0.1", "2001:4860:4860::8888", "not-an-ip")


# --------------------------------------------------------------------------------------
# Validation and helpers
# --------------------------------------------------------------------------------------

#: Builders are cached per argument set: a strategy is built and validated once, and
#: each draw only draws from it.
_cached = functools.lru_cache(maxsize=256)


def _check_strategy(name: str, value: object) -> None:
    if value is not None and not isinstance(value, st.SearchStrategy):
        raise InvalidArgument(f"{name}={value!r} must be a SearchStrategy or None")


def _check_strategies(**named: object) -> None:
    for name, value in named.items():
        _check_strategy(name, value)


def _check_size(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidArgument(f"{name}={value!r} must be a non-negative integer")
    return value


def _check_bounds(low_name: str, low: object, high_name: str, high: object) -> None:
    low_value, high_value = _check_size(low_name, low), _check_size(high_name, high)
    if low_value > high_value:
        raise InvalidArgument(f"{low_name}={low!r} must not exceed {high_name}={high!r}")


def _check_bool(name: str, value: object) -> None:
    if not isinstance(value, bool):
        raise InvalidArgument(f"{name}={value!r} must be True or False")


def _given_or(strategy: st.SearchStrategy[T] | None,
              default: st.SearchStrategy[T]) -> st.SearchStrategy[T]:
    return default if strategy is None else strategy


def _checked(kind: type[T], name: str) -> Callable[[object], T]:
    def check(value: object) -> T:
        if not isinstance(value, kind):
            raise InvalidArgument(f"{name} generated {value!r}, which is not a {kind.__name__}")
        return value

    return check


def _subsets(values: st.SearchStrategy[T], *, max_size: int = 2,
             min_size: int = 0) -> st.SearchStrategy[tuple[T, ...]]:
    return st.lists(values, min_size=min_size, max_size=max_size, unique=True).map(tuple)


def _maybe(strategy: st.SearchStrategy[T]) -> st.SearchStrategy[T | None]:
    return st.none() | strategy


def _pick(values: Sequence[T]) -> st.SearchStrategy[T]:
    return st.sampled_from(values)


_NAMES = ("", "Finance admins", "Require phishing-resistant MFA", "Zoë ✓")


# --------------------------------------------------------------------------------------
# Small models
# --------------------------------------------------------------------------------------


@st.composite
def permissions(draw: st.DrawFn, *, protectable_only: bool = False) -> Permission:
    """Generate :class:`~protected_actions.Permission` values.

    By default a mix of the 19 protectable directory permissions, other directory
    permissions and permissions of an application's own namespace
    (``contoso.payroll/payments/approve``).

    :param protectable_only: draw only from
        :data:`~protected_actions.PROTECTABLE_PERMISSIONS`.
    """
    _check_bool("protectable_only", protectable_only)
    return draw(_permission_strategy(protectable_only))


@_cached
def _permission_strategy(protectable_only: bool) -> st.SearchStrategy[Permission]:
    protectable = _pick(_PROTECTABLE)
    if protectable_only:
        return protectable
    return protectable | _pick(_APPLICATION) | _pick(_OTHER_DIRECTORY)


@st.composite
def auth_contexts(draw: st.DrawFn, *, ids: st.SearchStrategy[str] | None = None) -> AuthContext:
    """Generate :class:`~protected_actions.AuthContext` values.

    :param ids: the context ids (default: ``c1`` to ``c99``).
    """
    _check_strategy("ids", ids)
    return draw(_auth_context_strategy(ids))


@_cached
def _auth_context_strategy(ids: st.SearchStrategy[str] | None) -> st.SearchStrategy[AuthContext]:
    return st.builds(AuthContext, id=_given_or(ids, st.integers(1, 99).map("c{}".format)),
                     display_name=_pick(_NAMES), description=_maybe(_pick(_NAMES)),
                     is_available=st.booleans())


@_cached
def _method_sets() -> st.SearchStrategy[frozenset[str]]:
    combos = sorted({frozenset(c) for s in BUILT_IN_STRENGTHS for c in s.allowed_combinations},
                    key=sorted)
    methods = _pick(_SESSION_METHODS)
    return _pick(combos) | st.frozensets(methods, min_size=1, max_size=3)


@_cached
def _instants() -> st.SearchStrategy[datetime]:
    return st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 31),
                        timezones=_pick(_ZONES))


@st.composite
def authentications(draw: st.DrawFn, *,
                    methods: st.SearchStrategy[frozenset[str]] | None = None,
                    times: st.SearchStrategy[datetime] | None = None) -> Authentication:
    """Generate :class:`~protected_actions.Authentication` values.

    :param methods: the method sets used (default: a combination of a built-in
        strength, or one to three ``authenticationMethodModes`` values).
    :param times: when the authentication happened (default: timezone-aware
        datetimes in 2025-2027).
    """
    _check_strategies(methods=methods, times=times)
    return draw(_authentication_strategy(methods, times))


@_cached
def _authentication_strategy(methods: st.SearchStrategy[frozenset[str]] | None,
                             times: st.SearchStrategy[datetime] | None
                             ) -> st.SearchStrategy[Authentication]:
    return st.builds(Authentication, methods=_given_or(methods, _method_sets()),
                     at=_given_or(times, _instants()), fido2_aaguid=_maybe(_pick(AAGUIDS)))


@st.composite
def users(draw: st.DrawFn, *, ids: st.SearchStrategy[str] | None = None,
          group_ids: st.SearchStrategy[str] | None = None,
          role_ids: st.SearchStrategy[str] | None = None) -> User:
    """Generate :class:`~protected_actions.User` values: members and guests, with
    groups, active and eligible roles and, sometimes, known registered methods.

    :param ids: user ids (default: ``u1`` to ``u5``).
    :param group_ids: the groups users are members of (default: ``g1`` to ``g4``).
    :param role_ids: role definition ids (default: the built-in roles, a custom
        role and a role id nothing defines).
    """
    _check_strategies(ids=ids, group_ids=group_ids, role_ids=role_ids)
    return draw(_user_strategy(ids, group_ids, role_ids))


@_cached
def _user_strategy(ids: st.SearchStrategy[str] | None, group_ids: st.SearchStrategy[str] | None,
                   role_ids: st.SearchStrategy[str] | None) -> st.SearchStrategy[User]:
    roles = _given_or(role_ids, _pick(ROLE_IDS))
    return st.builds(
        User,
        id=_given_or(ids, _pick(USER_IDS)),
        display_name=_maybe(_pick(_NAMES)),
        user_type=_pick(["member", "guest", "Guest"]),
        member_of=st.frozensets(_given_or(group_ids, _pick(GROUP_IDS)), max_size=2),
        roles=st.frozensets(roles, max_size=2),
        eligible_roles=st.frozensets(roles, max_size=1),
        registered_methods=_maybe(st.frozensets(_pick(_SESSION_METHODS),
                                                min_size=1, max_size=3)),
        guest_or_external_user_type=_maybe(_pick([g.value for g in GuestOrExternalUserType])),
        home_tenant_id=_maybe(_pick(GUEST_TENANT_IDS)),
    )


@st.composite
def devices(draw: st.DrawFn, *, ids: st.SearchStrategy[str] | None = None) -> Device:
    """Generate registered :class:`~protected_actions.Device` values whose properties
    take the values the built-in pool of device filter rules compares against.

    :param ids: device ids (default: ``dev-1`` to ``dev-3``, or none).
    """
    _check_strategy("ids", ids)
    return draw(_device_strategy(ids))


@_cached
def _device_strategy(ids: st.SearchStrategy[str] | None) -> st.SearchStrategy[Device]:
    extension_keys = _pick([f"extensionAttribute{n}" for n in (1, 2, 15)])
    return st.builds(
        Device,
        device_id=_given_or(ids, _maybe(_pick(DEVICE_IDS))),
        display_name=_maybe(_pick(["PAW-01", "kiosk-7", "Laptop"])),
        is_compliant=_maybe(st.booleans()),
        is_managed=st.booleans(),
        trust_type=_maybe(_pick(["AzureAD", "ServerAD", "Workplace"])),
        device_ownership=_maybe(_pick(["Company", "Personal"])),
        manufacturer=_maybe(_pick(["Microsoft", "Apple", "Contoso"])),
        model=_maybe(_pick(["Surface Pro", "iPhone", "ThinkPad"])),
        operating_system=_maybe(_pick(["Windows", "iOS", "Linux"])),
        physical_ids=_subsets(_pick(["[OrderId]:PAW", "[ZTDId]:1234"]), max_size=1),
        profile_type=_maybe(_pick(["RegisteredDevice", "SecureVM"])),
        extension_attributes=st.dictionaries(extension_keys, _pick(["SAW", "PAW", ""]),
                                             max_size=2),
    )


# --------------------------------------------------------------------------------------
# Policies
# --------------------------------------------------------------------------------------


def _often(strategy: st.SearchStrategy[T], default: st.SearchStrategy[T]
           ) -> st.SearchStrategy[T]:
    """``default`` three times in four, else ``strategy``; shrinks to ``default``.

    ``one_of`` picks a branch uniformly but drops repeated branches, so the
    default is repeated through distinct (identity) maps.
    """
    return st.one_of(default, default.map(_same), default.map(_alike), strategy)


def _same(value: T) -> T:
    return value


def _alike(value: T) -> T:
    return value


def _guests() -> st.SearchStrategy[GuestsOrExternalUsers]:
    types = _subsets(_pick([g.value for g in GuestOrExternalUserType]), min_size=1)
    enumerated = _subsets(_pick(GUEST_TENANT_IDS), min_size=1).map(
        lambda members: ExternalTenants(membership_kind="enumerated", members=members))
    tenants = _maybe(st.just(ExternalTenants(membership_kind="all")) | enumerated)
    return st.builds(GuestsOrExternalUsers, guest_or_external_user_types=types,
                     external_tenants=tenants)


def _who(users: st.SearchStrategy[str], groups: st.SearchStrategy[str],
         roles: st.SearchStrategy[str], special: st.SearchStrategy[str]
         ) -> st.SearchStrategy[dict[str, object]]:
    """One kind of user selection: users (and special values), groups, roles or
    guest types, as the keyword arguments of :class:`UserConditions` without their
    ``include_``/``exclude_`` prefix."""
    return st.one_of(
        st.fixed_dictionaries({"users": _subsets(users | special, min_size=1)}),
        st.fixed_dictionaries({"groups": _subsets(groups, min_size=1)}),
        st.fixed_dictionaries({"roles": _subsets(roles, min_size=1)}),
        st.fixed_dictionaries({"guests_or_external_users": _guests()}),
    )


def _user_conditions(user_ids: st.SearchStrategy[str], group_ids: st.SearchStrategy[str],
                     role_ids: st.SearchStrategy[str]) -> st.SearchStrategy[UserConditions]:
    everyone: st.SearchStrategy[dict[str, object]] = st.just({"users": ("All",)})
    include = _often(_who(user_ids, group_ids, role_ids,
                          _pick(["All", "None", "GuestsOrExternalUsers"])), everyone)
    exclude = _often(_who(user_ids, group_ids, role_ids, st.just("GuestsOrExternalUsers")),
                     st.just({}))

    def build(included: dict[str, object], excluded: dict[str, object]) -> UserConditions:
        fields = {f"include_{k}": v for k, v in included.items()}
        fields.update({f"exclude_{k}": v for k, v in excluded.items()})
        return UserConditions(**fields)  # type: ignore[arg-type]

    return st.builds(build, include, exclude)


def _applications(context_ids: st.SearchStrategy[str]
                  ) -> st.SearchStrategy[ApplicationConditions]:
    contexts = _often(_subsets(context_ids, min_size=1), context_ids.map(_alone)).map(
        lambda ids: ApplicationConditions(include_authentication_context_class_references=ids))
    apps = _pick([("All",), ("Office365",), (APPLICATION_ID,)]).map(
        lambda ids: ApplicationConditions(include_applications=ids))
    actions = st.just(ApplicationConditions(
        include_user_actions=("urn:user:registersecurityinfo",)))
    return _often(apps | actions, contexts)


def _alone(value: T) -> tuple[T, ...]:
    return (value,)


def _platforms() -> st.SearchStrategy[PlatformConditions]:
    include = st.just(("all",)) | _subsets(_pick(PLATFORMS), min_size=1)
    return st.builds(PlatformConditions, include_platforms=include,
                     exclude_platforms=_subsets(_pick(PLATFORMS), max_size=1))


def _locations(location_ids: st.SearchStrategy[str]) -> st.SearchStrategy[LocationConditions]:
    named = _subsets(location_ids, min_size=1)
    return st.builds(LocationConditions,
                     include_locations=st.just(("All",)) | st.just(("AllTrusted",)) | named,
                     exclude_locations=st.just(()) | st.just(("AllTrusted",)) | named)


def _devices(rules: st.SearchStrategy[str]) -> st.SearchStrategy[DeviceConditions]:
    filters = st.builds(Filter, mode=_pick(["include", "exclude"]), rule=rules)
    return st.builds(DeviceConditions, device_filter=filters)


def _risks(levels: Sequence[str]) -> st.SearchStrategy[tuple[str, ...]]:
    return _subsets(_pick(levels), min_size=1)


def _optional_conditions(location_ids: st.SearchStrategy[str],
                         device_filter_rules: st.SearchStrategy[str]
                         ) -> dict[str, st.SearchStrategy[object]]:
    """The conditions a policy may configure besides users and targets, by field."""
    return {
        "client_app_types": st.just(("all",)) | _subsets(_pick(CLIENT_APP_TYPES), min_size=1),
        "platforms": _platforms(),
        "locations": _locations(location_ids),
        "devices": _devices(device_filter_rules),
        "sign_in_risk_levels": _risks(RISK_LEVELS),
        "user_risk_levels": _risks(RISK_LEVELS),
        "insider_risk_levels": _risks(INSIDER_RISK_LEVELS),
        "authentication_flows": _subsets(_pick(TRANSFER_METHODS), min_size=1).map(
            lambda methods: AuthenticationFlows(transfer_methods=methods)),
    }


@st.composite
def _conditions(draw: st.DrawFn, users: st.SearchStrategy[UserConditions],
                applications: st.SearchStrategy[ApplicationConditions],
                optional: dict[str, st.SearchStrategy[object]]) -> Conditions:
    # A policy applies only when every configured condition matches, so a few
    # conditions at a time keep generated policies applying often.
    configured = draw(_subsets(_pick(sorted(optional)), max_size=3))
    fields = {name: draw(optional[name]) for name in configured}
    return Conditions(users=draw(users), applications=draw(applications),
                      **fields)  # type: ignore[arg-type]


@_cached
def _custom_strengths() -> st.SearchStrategy[AuthenticationStrength]:
    combos = st.lists(_pick(_CUSTOM_COMBINATIONS), min_size=1, max_size=3, unique=True)
    fido2 = _subsets(_pick(AAGUIDS), max_size=1).map(lambda aaguids: CombinationConfiguration(
        kind="fido2", applies_to_combinations=(("fido2",),), allowed_aaguids=aaguids))
    x509: st.SearchStrategy[CombinationConfiguration] = st.just(CombinationConfiguration(
        kind="x509Certificate", applies_to_combinations=(("x509CertificateMultiFactor",),),
        allowed_issuer_skis=("ABCDEF",)))
    return st.builds(
        lambda sid, c, cfg: AuthenticationStrength(
            id=sid, display_name=f"Custom {sid}", allowed_combinations=c,
            combination_configurations=cfg),
        _pick(CUSTOM_STRENGTH_IDS), combos,
        _often(st.just(()), _subsets(fido2 | x509, min_size=1)))


def _strength(strength_id: str, embedded: AuthenticationStrength | None) -> GrantControls:
    return GrantControls(
        authentication_strength=strength_id,
        embedded_authentication_strength=None if embedded is None
        else attrs.evolve(embedded, id=strength_id))


def _grant(operator: str, controls: tuple[str, ...], strength: GrantControls | None,
           terms: tuple[str, ...], custom: tuple[str, ...]) -> GrantControls:
    return GrantControls(
        operator=operator, built_in_controls=controls,
        authentication_strength=strength.authentication_strength if strength else None,
        embedded_authentication_strength=strength.embedded_authentication_strength
        if strength else None,
        terms_of_use=terms, custom_authentication_factors=custom)


def _grant_controls(built_in_controls: st.SearchStrategy[str],
                    strength_ids: st.SearchStrategy[str]) -> st.SearchStrategy[GrantControls]:
    strength = st.builds(_strength, strength_ids, _maybe(_custom_strengths()))
    single = built_in_controls.map(lambda name: GrantControls(built_in_controls=(name,)))
    mixed = st.builds(_grant, _pick(["OR", "AND"]), _subsets(built_in_controls, max_size=3),
                      _maybe(strength), _subsets(_pick(TERMS_OF_USE_IDS), max_size=1),
                      _subsets(_pick(CUSTOM_CONTROL_IDS), max_size=1))
    return st.one_of(st.just(GrantControls(built_in_controls=("mfa",))), single, strength,
                     mixed)


def _session_controls() -> st.SearchStrategy[SessionControls]:
    every_time = st.just(SignInFrequency(frequency_interval="everyTime",
                                         authentication_type="primaryAndSecondaryAuthentication"))
    # Graph accepts 1 to 23 hours (24 is the engine's edge case); a frequency of 0
    # would let no authentication count, which no prompt can satisfy.
    hours = st.integers(1, 24).map(lambda v: SignInFrequency(value=v, type="hours",
                                                             frequency_interval="timeBased"))
    days = st.integers(1, 90).map(lambda v: SignInFrequency(value=v, type="days"))
    disabled = st.just(SignInFrequency(is_enabled=False, value=1, type="hours"))
    return st.builds(SessionControls, sign_in_frequency=every_time | hours | days | disabled)


def _policy(policy_id: str, state: str, conditions: Conditions, grant: GrantControls | None,
            session: SessionControls | None) -> Policy:
    return Policy(id=policy_id, display_name=f"Policy {policy_id}", state=state,
                  conditions=conditions, grant_controls=grant, session_controls=session)


@st.composite
def policies(
    draw: st.DrawFn,
    *,
    ids: st.SearchStrategy[str] | None = None,
    states: st.SearchStrategy[str] | None = None,
    context_ids: st.SearchStrategy[str] | None = None,
    user_ids: st.SearchStrategy[str] | None = None,
    group_ids: st.SearchStrategy[str] | None = None,
    role_ids: st.SearchStrategy[str] | None = None,
    location_ids: st.SearchStrategy[str] | None = None,
    strength_ids: st.SearchStrategy[str] | None = None,
    built_in_controls: st.SearchStrategy[str] | None = None,
    device_filter_rules: st.SearchStrategy[str] | None = None,
) -> Policy:
    """Generate Conditional Access :class:`~protected_actions.Policy` values.

    Policies use every condition the evaluator knows: users, groups, roles and
    guest types (with external tenants), target auth contexts (mostly), apps or
    user actions, platforms, client app types, locations (``All``,
    ``AllTrusted`` or ids), a device filter, sign-in, user and insider risk and
    authentication flows; grants with ``AND``/``OR``, built-in and unknown
    controls, authentication strengths (sometimes embedded in the policy), terms
    of use and custom controls; and sign-in frequency (hours, days, every time).
    Most policies are for all users, target auth contexts and configure up to
    three other conditions, so that they often apply.

    :param ids: policy ids (default: ``p1`` to ``p6``).
    :param states: policy states (default: mostly enabled; report-only,
        disabled and a state this library does not know).
    :param context_ids: auth contexts targeted (default: mostly ``c1``, also
        ``c2`` and ``c3``).
    :param user_ids: users included and excluded (default: ``u1`` to ``u5``).
    :param group_ids: groups included and excluded (default: ``g1`` to ``g4``).
    :param role_ids: roles included and excluded (default: the built-in roles,
        a custom role and an undefined role id).
    :param location_ids: named locations besides ``All`` and ``AllTrusted``
        (default: ``loc-1`` to ``loc-3`` and an undefined id).
    :param strength_ids: required authentication strengths (default: the
        built-ins, two custom ids and an undefined id).
    :param built_in_controls: grant control names (default: every built-in
        control, ``riskRemediation`` and an unknown name).
    :param device_filter_rules: device filter rule text (default: a small pool
        of valid rules about the devices :func:`devices` generates).
    """
    _check_strategies(ids=ids, states=states, context_ids=context_ids, user_ids=user_ids,
                      group_ids=group_ids, role_ids=role_ids, location_ids=location_ids,
                      strength_ids=strength_ids, built_in_controls=built_in_controls,
                      device_filter_rules=device_filter_rules)
    return draw(_policy_strategy(ids, states, context_ids, user_ids, group_ids, role_ids,
                                 location_ids, strength_ids, built_in_controls,
                                 device_filter_rules))


@_cached
def _policy_strategy(ids: st.SearchStrategy[str] | None, states: st.SearchStrategy[str] | None,
                     context_ids: st.SearchStrategy[str] | None,
                     user_ids: st.SearchStrategy[str] | None,
                     group_ids: st.SearchStrategy[str] | None,
                     role_ids: st.SearchStrategy[str] | None,
                     location_ids: st.SearchStrategy[str] | None,
                     strength_ids: st.SearchStrategy[str] | None,
                     built_in_controls: st.SearchStrategy[str] | None,
                     device_filter_rules: st.SearchStrategy[str] | None
                     ) -> st.SearchStrategy[Policy]:
    conditions = _conditions(
        _user_conditions(_given_or(user_ids, _pick(USER_IDS)),
                         _given_or(group_ids, _pick(GROUP_IDS)),
                         _given_or(role_ids, _pick(ROLE_IDS))),
        _applications(_given_or(context_ids, _often(_pick(CONTEXT_IDS),
                                                    st.just(CONTEXT_IDS[0])))),
        _optional_conditions(
            _given_or(location_ids, _pick((*LOCATION_IDS, UNKNOWN_LOCATION_ID))),
            _given_or(device_filter_rules, _pick(DEVICE_FILTER_RULES))))
    grant = _grant_controls(_given_or(built_in_controls, _pick(BUILT_IN_CONTROL_NAMES)),
                            _given_or(strength_ids, _pick(STRENGTH_IDS)))
    states = _given_or(states, _often(_pick(POLICY_STATES[1:]), st.just(POLICY_STATES[0])))
    return st.builds(_policy, _given_or(ids, _pick(POLICY_IDS)), states, conditions,
                     _often(st.none(), grant), _often(_session_controls(), st.none()))


# --------------------------------------------------------------------------------------
# Tenants
# --------------------------------------------------------------------------------------


@_cached
def _default_named_locations() -> st.SearchStrategy[NamedLocation]:
    # Ranges come from a few small networks, so that locations overlap often.
    ids, names = st.just("loc"), _pick(_NAMES)
    ranges = _pick(_IP_RANGES) | ip_ranges(network="198.51.100.0/24") | ip_ranges(
        network="2001:db8::/120")
    ip: st.SearchStrategy[NamedLocation] = ip_named_locations(
        ids=ids, display_names=names, ranges=ranges, min_ranges=1, max_ranges=2)
    countries = country_named_locations(ids=ids, display_names=names, min_countries=1,
                                        max_countries=2)
    return ip | countries | compliant_network_named_locations(ids=ids, display_names=names)


_LOCATION_TYPES = (IpNamedLocation, CountryNamedLocation, CompliantNetworkNamedLocation)


def _renumber(locations: Sequence[object]) -> tuple[NamedLocation, ...]:
    out: list[NamedLocation] = []
    for location_id, location in zip(LOCATION_IDS, locations, strict=False):
        if not isinstance(location, _LOCATION_TYPES):
            raise InvalidArgument(f"named_locations generated {location!r}, "
                                  "which is not a named location")
        out.append(attrs.evolve(location, id=location_id))
    return tuple(out)


def _role_definitions() -> st.SearchStrategy[RoleDefinition]:
    granted = _subsets(_pick(_PROTECTABLE + _APPLICATION), max_size=3)
    return st.builds(
        lambda rid, perms: RoleDefinition(id=rid, display_name=f"Role {rid}", permissions=perms,
                                          is_built_in=False),
        _pick([CUSTOM_ROLE_ID, CONDITIONAL_ACCESS_ADMINISTRATOR.id]), granted)


def _groups() -> st.SearchStrategy[Group]:
    # Nesting may form cycles (a group inside itself, two groups inside each other).
    return st.builds(Group, id=_pick(GROUP_IDS), display_name=_maybe(_pick(_NAMES)),
                     member_of=st.frozensets(_pick(GROUP_IDS), max_size=2),
                     is_assignable_to_role=st.booleans())


def _assignments() -> st.SearchStrategy[RoleAssignment]:
    return st.builds(RoleAssignment, principal_id=_pick((*USER_IDS, *GROUP_IDS)),
                     role_definition_id=_pick(ROLE_IDS),
                     directory_scope_id=_pick(["/", "/administrativeUnits/au-1"]))


def _eligibilities() -> st.SearchStrategy[RoleEligibility]:
    return st.builds(RoleEligibility, principal_id=_pick((*USER_IDS, *GROUP_IDS)),
                     role_definition_id=_pick(ROLE_IDS))


def _protected_actions() -> st.SearchStrategy[tuple[ProtectedAction, ...]]:
    contexts = _often(_pick(ACTION_CONTEXT_IDS), st.just(CONTEXT_IDS[0]))
    pair = st.tuples(_pick(_PROTECTABLE + _APPLICATION), contexts)
    return st.lists(pair, max_size=6, unique_by=lambda p: p[0].key).map(
        lambda pairs: tuple(ProtectedAction(permission=p, context_id=c) for p, c in pairs))


@st.composite
def tenants(
    draw: st.DrawFn,
    *,
    policies: st.SearchStrategy[Policy] | None = None,
    min_policies: int = 1,
    max_policies: int = 4,
    named_locations: st.SearchStrategy[NamedLocation] | None = None,
    max_users: int = 4,
) -> Tenant:
    """Generate small :class:`~protected_actions.Tenant` values that compile and
    evaluate fast but exercise every condition and control the evaluator knows.

    A tenant has up to three auth contexts (``c1``..``c3``), protected actions
    mapping protectable and application permissions to them (and to ``c4``,
    which no generated policy targets), policies, directory users, groups nested
    in one another (cycles included), active role assignments (direct, through
    role-assignable groups, tenant-wide or scoped) and PIM eligibilities, custom
    roles (one may replace a built-in), named locations
    ``loc-1``..``loc-3``, custom authentication strengths (some restricted to
    FIDO2 models or certificates) and designated emergency access accounts.

    :param policies: the policies (default: :func:`policies`); a policy whose id
        is already taken is drawn again.
    :param min_policies: the fewest policies.
    :param max_policies: the most policies.
    :param named_locations: named locations; the n-th one drawn is renamed
        ``loc-n`` so that policies can name it (default: IP locations over a few
        small networks, country and compliant-network locations).
    :param max_users: the most directory users.
    """
    _check_strategies(policies=policies, named_locations=named_locations)
    _check_bounds("min_policies", min_policies, "max_policies", max_policies)
    _check_size("max_users", max_users)
    return draw(_tenant_strategy(policies, min_policies, max_policies, named_locations,
                                 max_users))


@_cached
def _tenant_strategy(policies: st.SearchStrategy[Policy] | None, min_policies: int,
                     max_policies: int, named_locations: st.SearchStrategy[NamedLocation] | None,
                     max_users: int) -> st.SearchStrategy[Tenant]:
    drawn_policies = _given_or(policies, _policy_strategy(*[None] * 10)).map(
        _checked(Policy, "policies"))
    return st.builds(
        Tenant,
        policies=st.lists(drawn_policies, min_size=min_policies, max_size=max_policies,
                          unique_by=lambda p: p.id),
        auth_contexts=st.lists(_auth_context_strategy(_pick(CONTEXT_IDS)), max_size=3,
                               unique_by=lambda c: c.id),
        protected_actions=_protected_actions(),
        named_locations=st.lists(_given_or(named_locations, _default_named_locations()),
                                 max_size=len(LOCATION_IDS)).map(_renumber),
        authentication_strengths=st.lists(_custom_strengths(), max_size=2,
                                          unique_by=lambda s: s.id),
        role_definitions=st.lists(_role_definitions(), max_size=2,
                                  unique_by=lambda r: ascii_lower(r.id)),
        role_assignments=st.lists(_assignments(), max_size=4),
        role_eligibilities=st.lists(_eligibilities(), max_size=2),
        users=st.lists(_user_strategy(None, None, None), max_size=max_users,
                       unique_by=lambda u: u.id),
        groups=st.lists(_groups(), max_size=len(GROUP_IDS), unique_by=lambda g: g.id),
        emergency_access_accounts=_subsets(_pick(USER_IDS)),
    )


# --------------------------------------------------------------------------------------
# Sessions
# --------------------------------------------------------------------------------------


def _inside(ip_range: IpRange, offset: int, mapped: bool) -> str:
    value = ip_range.first + offset % (ip_range.last - ip_range.first + 1)
    if ip_range.version == 4:
        address = ipaddress.IPv4Address(value)
        return f"::ffff:{address}" if mapped else str(address)
    return str(ipaddress.IPv6Address(value))


def _nth(values: Sequence[T], index: int) -> T:
    return values[index % len(values)]


@attrs.frozen
class _TenantFacts:
    """What a session borrows from its tenant: ids, ranges, countries, combinations.

    Sessions pick among these by drawn indices from static strategies, so that no
    strategy is built per tenant (which would cost a validation per draw).
    """

    user_ids: tuple[str, ...]
    ranges: tuple[IpRange, ...]
    countries: tuple[str, ...]
    combinations: tuple[frozenset[str], ...]

    @classmethod
    def of(cls, tenant: Tenant | None) -> _TenantFacts:
        if tenant is None:
            return cls(USER_IDS, _IP_RANGES, COUNTRIES, _BUILT_IN_COMBINATIONS)
        known = sorted({u.id for u in tenant.users})
        ranges = [r for loc in tenant.named_locations if isinstance(loc, IpNamedLocation)
                  for r in loc.ip_ranges]
        countries = {c for loc in tenant.named_locations
                     if isinstance(loc, CountryNamedLocation) for c in loc.countries_and_regions}
        combos = {frozenset(c) for s in tenant.all_authentication_strengths
                  for c in s.allowed_combinations}
        return cls(tuple(known) + USER_IDS, tuple(ranges) or _IP_RANGES,
                   tuple(sorted(countries | set(COUNTRIES))),
                   tuple(sorted(combos, key=sorted)))


_BUILT_IN_COMBINATIONS = tuple(sorted(
    {frozenset(c) for s in BUILT_IN_STRENGTHS for c in s.allowed_combinations}, key=sorted))
_INDEX = st.integers(0, 255)


@_cached
def _ages() -> st.SearchStrategy[timedelta]:
    seconds = _pick(_AGES_SECONDS) | st.integers(-600, 120 * 86400)
    return seconds.map(lambda s: timedelta(seconds=s))


@_cached
def _evidence() -> st.SearchStrategy[tuple[tuple[int | frozenset[str], timedelta,
                                                 str | None], ...]]:
    # (methods, or an index into the tenant's combinations; age; AAGUID)
    one = st.tuples(_INDEX | _method_sets(), _ages(), _maybe(_pick(AAGUIDS)))
    return st.lists(one, max_size=3).map(tuple)


@_cached
def _session_facts() -> st.SearchStrategy[dict[str, object]]:
    return st.fixed_dictionaries({
        "device_platform": _maybe(_pick(SESSION_PLATFORMS)),
        "device": _maybe(_device_strategy(None)),
        "gps_country": _maybe(_pick(COUNTRIES)),
        "password_changed_at": _maybe(_ages()),
        "client_app_type": _often(_pick(CLIENT_APP_TYPES), st.just("browser")),
        "supports_claims_challenge": _often(st.just(False), st.just(True)),
        "sign_in_risk_level": _often(_pick(RISK_LEVELS), st.just("none")),
        "user_risk_level": _often(_pick(RISK_LEVELS), st.just("none")),
        "insider_risk_level": _often(_pick(INSIDER_RISK_LEVELS), st.just("none")),
        "authentication_flow": _often(_pick(TRANSFER_METHODS), st.none()),
        "accepted_terms_of_use": st.frozensets(_pick(TERMS_OF_USE_IDS)),
        "satisfied_custom_controls": st.frozensets(_pick(CUSTOM_CONTROL_IDS)),
        "is_approved_client_app": st.booleans(),
        "has_app_protection_policy": st.booleans(),
    })


@st.composite
def sessions(
    draw: st.DrawFn,
    *,
    tenant: st.SearchStrategy[Tenant] | None = None,
    users: st.SearchStrategy[User] | None = None,
    at: st.SearchStrategy[datetime] | None = None,
) -> SessionState:
    """Generate :class:`~protected_actions.SessionState` values.

    Sessions sign in as the pool users with authentications from seconds to
    months old (and some slightly in the future), a platform or none, a
    registered device or none, an IP address inside a named location, outside
    every one, unreadable or absent, a country (or ``unknown``, or none), every
    client app type and risk level, transfer flows, accepted terms of use and
    custom controls, password changes and app evidence.

    Pass ``tenant`` to make sessions for a tenant you hold:
    ``sessions(tenant=st.just(t))`` signs in as the tenant's directory users
    (and the pool users), from addresses inside the tenant's own IP ranges and
    its countries, with its strengths' method combinations. Use
    :func:`tenants_and_sessions` to draw both at once.

    :param tenant: the tenant the session is for (default: none; the pools are used).
    :param users: the signed-in user (default: :func:`users`, or the tenant's users).
    :param at: the time of the request (default: timezone-aware datetimes in 2025-2027).
    """
    _check_strategies(tenant=tenant, users=users, at=at)
    the_tenant = None if tenant is None else _checked(Tenant, "tenant")(draw(tenant))
    return _draw_session(draw, the_tenant, users, at)


@_cached
def _places() -> st.SearchStrategy[tuple[str, int, int, bool]]:
    """(where the address is, an index, an offset, IPv4-mapped) and (country kind, index)."""
    where = _pick(["inside", "none", "outside"])
    return st.tuples(where, _INDEX, st.integers(0, 2**16), st.booleans())


def _draw_session(draw: st.DrawFn, tenant: Tenant | None,
                  users: st.SearchStrategy[User] | None,
                  at: st.SearchStrategy[datetime] | None) -> SessionState:
    facts = _TenantFacts.of(tenant)
    now = draw(_given_or(at, _instants()))
    if users is None:
        user = attrs.evolve(draw(_user_strategy(None, None, None)),
                            id=_nth(facts.user_ids, draw(_INDEX)))
    else:
        user = _checked(User, "users")(draw(users))
    evidence = [Authentication(methods=_nth(facts.combinations, drawn)
                               if isinstance(drawn, int) else drawn,
                               at=now - age, fido2_aaguid=aaguid)
                for drawn, age, aaguid in draw(_evidence())]
    where, index, offset, mapped = draw(_places())
    ip = {"none": None, "outside": _nth(_OUTSIDE_ADDRESSES, index),
          "inside": _inside(_nth(facts.ranges, index), offset, mapped)}[where]
    country_kind, country_index = draw(_country_kinds())
    country = {"none": None, "known": _nth(facts.countries, country_index),
               "odd": _nth((UNKNOWN_COUNTRY, "nl", "ZZ"), country_index)}[country_kind]
    rest = draw(_session_facts())
    password_age = rest.pop("password_changed_at")
    return SessionState(
        at=now, user=user, authentications=evidence, ip_address=ip, country=country,
        password_changed_at=None if password_age is None else now - password_age,  # type: ignore[operator]
        **rest,  # type: ignore[arg-type]
    )


@_cached
def _country_kinds() -> st.SearchStrategy[tuple[str, int]]:
    return st.tuples(_pick(["none", "known", "odd"]), _INDEX)


session_states = sessions
"""Alias of :func:`sessions`, named after :class:`~protected_actions.SessionState`."""


@st.composite
def tenants_and_sessions(
    draw: st.DrawFn, *, tenants: st.SearchStrategy[Tenant] | None = None,
) -> tuple[Tenant, SessionState]:
    """Generate a tenant and a session made for it (see :func:`sessions`).

    :param tenants: the tenants (default: :func:`tenants`).
    """
    _check_strategy("tenants", tenants)
    tenant = _checked(Tenant, "tenants")(draw(_given_or(tenants, _tenant_strategy(
        None, 1, 4, None, 4))))
    return tenant, _draw_session(draw, tenant, None, None)
