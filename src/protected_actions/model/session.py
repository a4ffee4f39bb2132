"""Who is asking, from what, and with which evidence: User, Device, SessionState.

Field names follow Graph's what-if ``signInConditions`` and ``deviceInfo`` in
snake_case (DESIGN §6). Time is a field (``SessionState.at``): nothing here reads
the clock.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

import attrs

from protected_actions.errors import InvalidModelError

from .frozen import FrozenDict, FrozenJSON
from .methods import Authentication, canonical_methods, method_names
from .validators import (
    aware_datetime,
    instance_of,
    optional_bool,
    optional_str,
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

    id: str = attrs.field(validator=identifier)
    display_name: str | None = attrs.field(default=None, validator=optional_str)
    user_type: str = attrs.field(default="member", converter=to_str,
                                 validator=USER_TYPES.validator())
    member_of: frozenset[str] = attrs.field(converter=to_str_frozenset,
                                            validator=identifier_set, factory=frozenset)
    roles: frozenset[str] = attrs.field(converter=to_str_frozenset, validator=identifier_set,
                                        factory=frozenset)
    eligible_roles: frozenset[str] = attrs.field(converter=to_str_frozenset,
                                                 validator=identifier_set, factory=frozenset)
    registered_methods: frozenset[str] | None = attrs.field(
        default=None, converter=_optional_methods, validator=_optional_method_names)
    guest_or_external_user_type: str | None = attrs.field(
        default=None, converter=to_str, validator=GUEST_TYPES.validator(optional=True))
    home_tenant_id: str | None = attrs.field(default=None, validator=optional_identifier)
    unmodelled: FrozenDict[str, FrozenJSON] = attrs.field(factory=FrozenDict, repr=False)


_EXTENSION_KEYS = frozenset(f"extensionAttribute{i}" for i in range(1, 16))


def _extension_attributes(value: object) -> object:
    if type(value) is FrozenDict:
        return value
    if isinstance(value, Mapping):
        return FrozenDict({str(k): v for k, v in value.items()})
    return value


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

    device_id: str | None = attrs.field(default=None, validator=optional_identifier)
    display_name: str | None = attrs.field(default=None, validator=optional_str)
    is_compliant: bool | None = attrs.field(default=None, validator=optional_bool)
    is_managed: bool = attrs.field(default=False, validator=strict_bool)
    trust_type: str | None = attrs.field(default=None, validator=_check_trust_type)
    device_ownership: str | None = attrs.field(default=None, validator=optional_str)
    enrollment_profile_name: str | None = attrs.field(default=None, validator=optional_str)
    manufacturer: str | None = attrs.field(default=None, validator=optional_str)
    mdm_app_id: str | None = attrs.field(default=None, validator=optional_str)
    model: str | None = attrs.field(default=None, validator=optional_str)
    operating_system: str | None = attrs.field(default=None, validator=optional_str)
    operating_system_version: str | None = attrs.field(default=None, validator=optional_str)
    physical_ids: tuple[str, ...] = attrs.field(converter=to_str_tuple, validator=str_tuple,
                                                factory=tuple)
    profile_type: str | None = attrs.field(default=None, validator=optional_str)
    system_labels: tuple[str, ...] = attrs.field(converter=to_str_tuple, validator=str_tuple,
                                                 factory=tuple)
    extension_attributes: FrozenDict[str, str] = attrs.field(
        converter=_extension_attributes, validator=_check_extensions, factory=FrozenDict)

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
    if isinstance(value, (list, tuple)):
        return tuple(value)
    return value


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

    at: datetime = attrs.field(validator=aware_datetime)
    user: User = attrs.field(validator=instance_of(User))
    authentications: tuple[Authentication, ...] = attrs.field(
        converter=_authentications, validator=_check_authentications, factory=tuple)
    device_platform: str | None = attrs.field(default=None, converter=to_str,
                                              validator=_check_platform)
    device: Device | None = attrs.field(
        default=None, validator=instance_of(Device, optional=True))
    ip_address: str | None = attrs.field(default=None, validator=optional_str)
    country: str | None = attrs.field(default=None, validator=optional_str)
    gps_country: str | None = attrs.field(default=None, validator=optional_str)
    client_app_type: str = attrs.field(default="browser", converter=to_str,
                                       validator=CLIENT_APP_TYPES.validator())
    supports_claims_challenge: bool = attrs.field(default=True, validator=strict_bool)
    sign_in_risk_level: str = attrs.field(default="none", converter=to_str,
                                          validator=RISK_LEVELS.validator())
    user_risk_level: str = attrs.field(default="none", converter=to_str,
                                       validator=RISK_LEVELS.validator())
    insider_risk_level: str = attrs.field(default="none", converter=to_str,
                                          validator=INSIDER_RISK_LEVELS.validator())
    authentication_flow: str | None = attrs.field(
        default=None, converter=to_str, validator=AUTHENTICATION_FLOWS.validator(optional=True))
    application_id: str | None = attrs.field(default=None, validator=optional_identifier)
    accepted_terms_of_use: frozenset[str] = attrs.field(
        converter=to_str_frozenset, validator=identifier_set, factory=frozenset)
    satisfied_custom_controls: frozenset[str] = attrs.field(
        converter=to_str_frozenset, validator=identifier_set, factory=frozenset)
    password_changed_at: datetime | None = attrs.field(
        default=None, validator=attrs.validators.optional(aware_datetime))
    is_approved_client_app: bool = attrs.field(default=False, validator=strict_bool)
    has_app_protection_policy: bool = attrs.field(default=False, validator=strict_bool)
