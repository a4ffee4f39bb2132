"""Who is asking, from what, and with which evidence: User, Device, SessionState.

Field names follow Graph's what-if ``signInConditions`` and ``deviceInfo`` in
snake_case (DESIGN §6). Time is a field (``SessionState.at``): nothing here reads
the clock.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from typing import Any

import attrs

from protected_actions.errors import InvalidModelError

from .frozen import EMPTY, FrozenDict, FrozenJSON
from .methods import Authentication, canonical_methods, method_names, plain_methods
from .validators import (
    NO_STRINGS,
    as_frozenset,
    as_tuple,
    aware_datetime,
    check_fields,
    checks,
    instance_of,
    optional_bool,
    optional_str,
    plain_aware_datetime,
    str_tuple,
    strict_bool,
    to_str,
    to_str_frozenset,
    to_str_tuple,
)
from .vocabulary import (
    Vocabulary,
    ascii_lower,
    edit_distance,
    identifier,
    identifier_set,
    optional_identifier,
    plain_id,
    plain_ids,
    text_problem,
)

__all__ = ["Device", "SessionState", "User"]


def __dir__() -> list[str]:
    return __all__


USER_TYPES = Vocabulary("a user type", ("member", "guest"))
GUEST_TYPES = Vocabulary("a guest or external user type", (
    "internalGuest", "b2bCollaborationGuest", "b2bCollaborationMember",
    "b2bDirectConnectUser", "otherExternalUser", "serviceProvider"))
RISK_LEVELS = Vocabulary("a risk level", ("none", "low", "medium", "high", "hidden"))
INSIDER_RISK_LEVELS = Vocabulary("an insider risk level",
                                 ("none", "minor", "moderate", "elevated"))
CLIENT_APP_TYPES = Vocabulary("a client app type", (
    "browser", "mobileAppsAndDesktopClients", "exchangeActiveSync", "easSupported",
    "easUnsupported", "other"))
AUTHENTICATION_FLOWS = Vocabulary("an authentication flow",
                                  ("none", "deviceCodeFlow", "authenticationTransfer"))
PLATFORMS = Vocabulary("a device platform", (
    "android", "iOS", "windows", "windowsPhone", "macOS", "linux"))
TRUST_TYPES = Vocabulary("a device trust type", ("AzureAD", "ServerAD", "Workplace"))
_MAX_PLATFORM_NAME = 64


def _near_miss_of(vocabulary: Vocabulary, value: str) -> str | None:
    """The known value an unknown name is a near miss of: one edit for names of up to
    five letters (``i0S``), two for longer ones (``andriod``)."""
    folded = ascii_lower(value)
    for known in vocabulary.values:
        limit = 1 if len(known) <= 5 else 2
        if edit_distance(folded, ascii_lower(known), limit) <= limit:
            return known
    return None


def _open_vocabulary(vocabulary: Vocabulary, kind: str) -> Any:
    """An attrs validator for a vocabulary that Microsoft extends without notice
    (platforms, device trust types): a known value (any case), or a *well-formed*
    other name: ASCII letters and digits, starting with a letter, at most 64
    characters, and not a near miss of a known value. Anything else is an error.
    A well-formed unknown name is kept and matches nothing but itself."""

    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if value is None or (isinstance(value, str)
                             and vocabulary.canonical(value) is not None):
            return
        name = f"{type(instance).__name__}.{attribute.name}"
        problem = text_problem(value)
        if problem is None:
            assert isinstance(value, str)
            if not (value.isascii() and value.isalnum() and value[0].isalpha()
                    and len(value) <= _MAX_PLATFORM_NAME):
                problem = (f"a {kind} name (ASCII letters and digits, starting with a "
                           f"letter, at most {_MAX_PLATFORM_NAME} characters)")
            else:
                close = _near_miss_of(vocabulary, value)
                if close is not None:
                    problem = (f"a known {kind} or another {kind}'s name "
                               f"(did you mean {close!r}?)")
        if problem is not None:
            raise InvalidModelError(name, f"{vocabulary.expected(value)}; {problem}", value)

    return check


_check_platform = _open_vocabulary(PLATFORMS, "platform")
_check_trust_type = _open_vocabulary(TRUST_TYPES, "trust type")


def _optional_method_names(instance: object, attribute: attrs.Attribute[Any],
                           value: object) -> None:
    if value is not None:
        method_names(instance, attribute, value)


def _optional_methods(value: Iterable[str] | None) -> frozenset[str] | None:
    return None if value is None else canonical_methods(value)  # type: ignore[return-value]


def _optional_set(value: Iterable[str] | None) -> frozenset[str] | None:
    return None if value is None else as_frozenset(value)


_NO_IDS = NO_STRINGS
_NO_STRS: tuple[str, ...] = ()


def _optional_strs(*values: object) -> bool:
    """Whether every value is ``None`` or a ``str`` (not a subclass)."""
    for value in values:  # noqa: SIM110 (a plain loop is faster than all() here)
        if value is not None and type(value) is not str:
            return False
    return True


# The values of each vocabulary as written, for the one-pass checks below.
_USER_TYPES = USER_TYPES.spellings
_GUEST_TYPES = GUEST_TYPES.spellings
_RISK_LEVELS = RISK_LEVELS.spellings
_INSIDER_RISK_LEVELS = INSIDER_RISK_LEVELS.spellings
_CLIENT_APP_TYPES = CLIENT_APP_TYPES.spellings
_AUTHENTICATION_FLOWS = AUTHENTICATION_FLOWS.spellings
_PLATFORMS = PLATFORMS.spellings
_TRUST_TYPES = TRUST_TYPES.spellings


@attrs.frozen(kw_only=True, cache_hash=True)
class User:
    """A person in the directory.

    ``roles`` are the role definition ids (template ids for built-in roles) the user
    holds *actively*; ``eligible_roles`` those they could activate through PIM.
    ``registered_methods`` limits the step-up they can do; ``None`` means unknown,
    which the analysis reads as "any method".

    >>> User(id="u1", member_of={"g1"}).user_type
    'member'
    """

    id: str = attrs.field(metadata=checks(identifier))
    display_name: str | None = attrs.field(default=None, metadata=checks(optional_str))
    user_type: str = attrs.field(default="member",
                                 metadata=checks(USER_TYPES.validator(), to_str))
    member_of: frozenset[str] = attrs.field(
        converter=as_frozenset, default=_NO_IDS, metadata=checks(identifier_set, to_str_frozenset))
    roles: frozenset[str] = attrs.field(
        converter=as_frozenset, default=_NO_IDS, metadata=checks(identifier_set, to_str_frozenset))
    eligible_roles: frozenset[str] = attrs.field(
        converter=as_frozenset, default=_NO_IDS, metadata=checks(identifier_set, to_str_frozenset))
    registered_methods: frozenset[str] | None = attrs.field(
        converter=_optional_set, default=None,
        metadata=checks(_optional_method_names, _optional_methods))
    guest_or_external_user_type: str | None = attrs.field(
        default=None, metadata=checks(GUEST_TYPES.validator(optional=True), to_str))
    home_tenant_id: str | None = attrs.field(default=None, metadata=checks(optional_identifier))
    unmodelled: FrozenDict[str, FrozenJSON] = attrs.field(default=EMPTY, repr=False)

    def __attrs_post_init__(self) -> None:
        # The common shape, checked in one pass; anything else field by field.
        user_type: object = self.user_type
        name: object = self.display_name
        member_of, roles, eligible = self.member_of, self.roles, self.eligible_roles
        registered: object = self.registered_methods
        guest: object = self.guest_or_external_user_type
        home: object = self.home_tenant_id
        if not (plain_id(self.id)
                and type(user_type) is str and user_type in _USER_TYPES
                and (name is None or type(name) is str)
                and (member_of is _NO_IDS or plain_ids(member_of))
                and (roles is _NO_IDS or plain_ids(roles))
                and (eligible is _NO_IDS or plain_ids(eligible))
                and (registered is None or plain_methods(registered))
                and (guest is None or (type(guest) is str and guest in _GUEST_TYPES))
                and (home is None or plain_id(home))):
            check_fields(self)


_EXTENSION_KEYS = frozenset(f"extensionAttribute{i}" for i in range(1, 16))


def _extension_attributes(value: object) -> object:
    if type(value) is FrozenDict:
        return value
    if isinstance(value, Mapping):
        return FrozenDict({str(k): v for k, v in value.items()})
    return value


def _plain_extensions(value: object) -> bool:
    if value is EMPTY:
        return True
    if type(value) is not FrozenDict:
        return False
    for key, text in value.items():
        if type(key) is not str or key not in _EXTENSION_KEYS or type(text) is not str:
            return False
    return True


def _plain_strs(value: object) -> bool:
    """Whether ``value`` is a tuple of non-empty ``str`` (not a subclass)."""
    if type(value) is not tuple:
        return False
    if not value:
        return True
    for item in value:  # noqa: SIM110 (a plain loop is faster than all() here)
        if type(item) is not str or item == "":
            return False
    return True


def _check_extensions(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    ok = isinstance(value, FrozenDict) and all(
        k in _EXTENSION_KEYS and isinstance(v, str) for k, v in value.items()
    )
    if not ok:
        raise InvalidModelError("Device.extension_attributes",
                                "a mapping of extensionAttribute1..15 to strings", value)


@attrs.frozen(kw_only=True)
class Device:
    """A registered device and its filter properties (Graph what-if ``deviceInfo``).

    An *unregistered* device is no ``Device`` at all (``SessionState.device`` is
    ``None``): every filter property is then null (entra-facts §7.4).
    ``trust_type`` is ``AzureAD`` (Entra joined), ``ServerAD`` (hybrid joined) or
    ``Workplace`` (registered), in any case; another well-formed name (Graph's What If
    example sends ``EntraID``) is kept and matches only itself in a device filter,
    while a near miss of a known value (``AzurAD``) is an error. ``is_managed`` says
    the device is Intune-managed; extension attributes only have values at evaluation
    when the device is managed,
    compliant or hybrid joined (entra-facts §7.3).
    """

    device_id: str | None = attrs.field(default=None, metadata=checks(optional_identifier))
    display_name: str | None = attrs.field(default=None, metadata=checks(optional_str))
    is_compliant: bool | None = attrs.field(default=None, metadata=checks(optional_bool))
    is_managed: bool = attrs.field(default=False, metadata=checks(strict_bool))
    trust_type: str | None = attrs.field(default=None, metadata=checks(_check_trust_type))
    device_ownership: str | None = attrs.field(default=None, metadata=checks(optional_str))
    enrollment_profile_name: str | None = attrs.field(default=None,
                                                      metadata=checks(optional_str))
    manufacturer: str | None = attrs.field(default=None, metadata=checks(optional_str))
    mdm_app_id: str | None = attrs.field(default=None, metadata=checks(optional_str))
    model: str | None = attrs.field(default=None, metadata=checks(optional_str))
    operating_system: str | None = attrs.field(default=None, metadata=checks(optional_str))
    operating_system_version: str | None = attrs.field(default=None,
                                                       metadata=checks(optional_str))
    physical_ids: tuple[str, ...] = attrs.field(
        converter=as_tuple, default=_NO_STRS, metadata=checks(str_tuple, to_str_tuple))
    profile_type: str | None = attrs.field(default=None, metadata=checks(optional_str))
    system_labels: tuple[str, ...] = attrs.field(
        converter=as_tuple, default=_NO_STRS, metadata=checks(str_tuple, to_str_tuple))
    extension_attributes: FrozenDict[str, str] = attrs.field(
        converter=_extension_attributes, default=EMPTY, metadata=checks(_check_extensions))

    def __attrs_post_init__(self) -> None:
        # The common shape, checked in one pass; anything else field by field.
        device_id: object = self.device_id
        compliant: object = self.is_compliant
        managed: object = self.is_managed
        trust: object = self.trust_type
        physical, labels = self.physical_ids, self.system_labels
        extensions = self.extension_attributes
        if not ((device_id is None or plain_id(device_id))
                and (compliant is None or compliant is True or compliant is False)
                and (managed is False or managed is True)
                and (trust is None or (type(trust) is str and trust in _TRUST_TYPES))
                and _optional_strs(self.display_name, self.device_ownership,
                                   self.enrollment_profile_name, self.manufacturer,
                                   self.mdm_app_id, self.model, self.operating_system,
                                   self.operating_system_version, self.profile_type)
                and (physical is _NO_STRS or _plain_strs(physical))
                and (labels is _NO_STRS or _plain_strs(labels))
                and (extensions is EMPTY or _plain_extensions(extensions))):
            check_fields(self)

    @property
    def is_hybrid_joined(self) -> bool:
        """Whether the device is hybrid Entra joined (``trustType`` ``ServerAD``)."""
        return ascii_lower(self.trust_type or "") == "serverad"

    def filter_properties(self) -> dict[str, str | bool | tuple[str, ...] | None]:
        """The device filter properties keyed by their rule names (``trustType``...).

        Extension attributes are present only for a managed, compliant or hybrid-joined
        device (entra-facts §7.3, §7.4); otherwise they read as null.
        """
        props: dict[str, str | bool | tuple[str, ...] | None] = {
            "deviceId": self.device_id,
            "displayName": self.display_name,
            "deviceOwnership": self.device_ownership,
            "enrollmentProfileName": self.enrollment_profile_name,
            "isCompliant": self.is_compliant,
            "manufacturer": self.manufacturer,
            "mdmAppId": self.mdm_app_id,
            "model": self.model,
            "operatingSystem": self.operating_system,
            "operatingSystemVersion": self.operating_system_version,
            "physicalIds": self.physical_ids,
            "profileType": self.profile_type,
            "systemLabels": self.system_labels,
            "trustType": self.trust_type,
        }
        if self.is_managed or self.is_compliant or self.is_hybrid_joined:
            props.update(self.extension_attributes)
        return props


def _authentications(value: object) -> object:
    if type(value) is tuple:
        return value
    if isinstance(value, (list, tuple)):
        return tuple(value)
    return value


def _plain_authentications(value: object) -> bool:
    if type(value) is not tuple:
        return False
    for item in value:  # noqa: SIM110 (a plain loop is faster than all() here)
        if type(item) is not Authentication:
            return False
    return True


def _check_authentications(instance: object, attribute: attrs.Attribute[Any],
                           value: object) -> None:
    if not isinstance(value, tuple) or not all(isinstance(a, Authentication) for a in value):
        raise InvalidModelError("SessionState.authentications",
                                "a sequence of Authentication", value)


@attrs.frozen(kw_only=True)
class SessionState:
    """Everything the evaluator knows about one request (DESIGN §6).

    Only ``at`` and ``user`` are required. ``None`` for ``device_platform``,
    ``ip_address`` or ``country`` means *not supplied*: conditions that need it are
    undetermined (fail-closed). ``device=None`` is an unregistered device.
    ``country`` is an ISO code, or :data:`protected_actions.model.locations.UNKNOWN_COUNTRY`
    when the address maps to no country. Risk levels default to ``none``.
    ``supports_claims_challenge`` says the client can take a claims challenge (for an
    application: it declared the ``cp1`` capability); ``client_app_type`` defaults to
    ``browser``. ``is_approved_client_app`` and ``has_app_protection_policy`` are the
    evidence for those grant controls (a prompt cannot provide them).
    """

    at: datetime = attrs.field(metadata=checks(aware_datetime))
    user: User = attrs.field(metadata=checks(instance_of(User)))
    authentications: tuple[Authentication, ...] = attrs.field(
        converter=_authentications, default=(), metadata=checks(_check_authentications))
    device_platform: str | None = attrs.field(default=None,
                                              metadata=checks(_check_platform, to_str))
    device: Device | None = attrs.field(default=None,
                                        metadata=checks(instance_of(Device, optional=True)))
    ip_address: str | None = attrs.field(default=None, metadata=checks(optional_str))
    country: str | None = attrs.field(default=None, metadata=checks(optional_str))
    gps_country: str | None = attrs.field(default=None, metadata=checks(optional_str))
    client_app_type: str = attrs.field(default="browser",
                                       metadata=checks(CLIENT_APP_TYPES.validator(), to_str))
    supports_claims_challenge: bool = attrs.field(default=True, metadata=checks(strict_bool))
    sign_in_risk_level: str = attrs.field(default="none",
                                          metadata=checks(RISK_LEVELS.validator(), to_str))
    user_risk_level: str = attrs.field(default="none",
                                       metadata=checks(RISK_LEVELS.validator(), to_str))
    insider_risk_level: str = attrs.field(
        default="none", metadata=checks(INSIDER_RISK_LEVELS.validator(), to_str))
    authentication_flow: str | None = attrs.field(
        default=None, metadata=checks(AUTHENTICATION_FLOWS.validator(optional=True), to_str))
    application_id: str | None = attrs.field(default=None, metadata=checks(optional_identifier))
    accepted_terms_of_use: frozenset[str] = attrs.field(
        converter=as_frozenset, default=_NO_IDS, metadata=checks(identifier_set, to_str_frozenset))
    satisfied_custom_controls: frozenset[str] = attrs.field(
        converter=as_frozenset, default=_NO_IDS, metadata=checks(identifier_set, to_str_frozenset))
    password_changed_at: datetime | None = attrs.field(
        default=None, metadata=checks(attrs.validators.optional(aware_datetime)))
    is_approved_client_app: bool = attrs.field(default=False, metadata=checks(strict_bool))
    has_app_protection_policy: bool = attrs.field(default=False, metadata=checks(strict_bool))

    def __attrs_post_init__(self) -> None:
        # The common shape, checked in one pass; anything else field by field.
        platform: object = self.device_platform
        device: object = self.device
        ip: object = self.ip_address
        country: object = self.country
        gps: object = self.gps_country
        client: object = self.client_app_type
        sign_in: object = self.sign_in_risk_level
        user_risk: object = self.user_risk_level
        insider: object = self.insider_risk_level
        flow: object = self.authentication_flow
        application: object = self.application_id
        terms, controls = self.accepted_terms_of_use, self.satisfied_custom_controls
        changed: object = self.password_changed_at
        supports: object = self.supports_claims_challenge
        approved: object = self.is_approved_client_app
        protected: object = self.has_app_protection_policy
        at: object = self.at
        if not (type(at) is datetime and type(at.tzinfo) is timezone  # plain_aware_datetime
                and type(self.user) is User
                and _plain_authentications(self.authentications)
                and (platform is None or (type(platform) is str and platform in _PLATFORMS))
                and (device is None or type(device) is Device)
                and (ip is None or type(ip) is str)
                and (country is None or type(country) is str)
                and (gps is None or type(gps) is str)
                and type(client) is str and client in _CLIENT_APP_TYPES
                and type(sign_in) is str and sign_in in _RISK_LEVELS
                and type(user_risk) is str and user_risk in _RISK_LEVELS
                and type(insider) is str and insider in _INSIDER_RISK_LEVELS
                and (flow is None or (type(flow) is str and flow in _AUTHENTICATION_FLOWS))
                and (application is None or plain_id(application))
                and (terms is _NO_IDS or plain_ids(terms))
                and (controls is _NO_IDS or plain_ids(controls))
                and (changed is None or plain_aware_datetime(changed))
                and (supports is True or supports is False)
                and (approved is False or approved is True)
                and (protected is False or protected is True)):
            check_fields(self)
