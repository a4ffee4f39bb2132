"""Authentication methods, authentications and authentication strengths.

Method names are Graph ``authenticationMethodModes`` values (entra-facts §5.2). An
authentication strength allows *combinations* of methods; an authentication
satisfies it when it used every method of one allowed combination (entra-facts
§5.3). Combinations keep the order they were written in (Graph serializes them as
comma-separated strings) so that a round trip is exact.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import attrs

from protected_actions.errors import InvalidModelError

from .enums import StrEnum
from .frozen import FrozenDict, FrozenJSON
from .validators import (
    as_frozenset,
    aware_datetime,
    check_fields,
    checks,
    is_str,
    non_empty_str,
    optional_str,
    plain_aware_datetime,
    str_tuple,
    to_str_frozenset,
    to_str_tuple,
)
from .vocabulary import Vocabulary, ascii_lower, optional_identifier, plain_id

__all__ = [
    "BUILT_IN_STRENGTHS",
    "MFA_STRENGTH",
    "PASSWORDLESS_MFA_STRENGTH",
    "PHISHING_RESISTANT_MFA_STRENGTH",
    "AuthMethod",
    "Authentication",
    "AuthenticationStrength",
    "CombinationConfiguration",
]


def __dir__() -> list[str]:
    return __all__


class AuthMethod(StrEnum):
    """Graph ``authenticationMethodModes`` (flags; entra-facts §5.2)."""

    PASSWORD = "password"
    VOICE = "voice"
    HARDWARE_OATH = "hardwareOath"
    SOFTWARE_OATH = "softwareOath"
    SMS = "sms"
    FIDO2 = "fido2"
    WINDOWS_HELLO_FOR_BUSINESS = "windowsHelloForBusiness"
    MICROSOFT_AUTHENTICATOR_PUSH = "microsoftAuthenticatorPush"
    DEVICE_BASED_PUSH = "deviceBasedPush"
    TEMPORARY_ACCESS_PASS_ONE_TIME = "temporaryAccessPassOneTime"
    TEMPORARY_ACCESS_PASS_MULTI_USE = "temporaryAccessPassMultiUse"
    EMAIL = "email"
    X509_CERTIFICATE_SINGLE_FACTOR = "x509CertificateSingleFactor"
    X509_CERTIFICATE_MULTI_FACTOR = "x509CertificateMultiFactor"
    FEDERATED_SINGLE_FACTOR = "federatedSingleFactor"
    FEDERATED_MULTI_FACTOR = "federatedMultiFactor"
    UNKNOWN_FUTURE_VALUE = "unknownFutureValue"
    QR_CODE_PIN = "qrCodePin"



AUTH_METHODS = Vocabulary("an authentication method", tuple(
    m.value for m in AuthMethod if m is not AuthMethod.UNKNOWN_FUTURE_VALUE))
"""The method names a session's authentication can show (any case)."""


def canonical_methods(value: object) -> object:
    """Converter: method names in their canonical spelling (they are matched in any
    case, and compared with strength combinations exactly)."""
    converted: object = to_str_frozenset(value)  # type: ignore[arg-type]
    if isinstance(converted, frozenset) and all(isinstance(v, str) for v in converted):
        return frozenset(AUTH_METHODS.canonical(v) or v for v in converted)
    return converted


def plain_methods(value: object) -> bool:
    """Whether ``value`` is a ``frozenset`` of method names in their canonical spelling
    (``str``, not a subclass): one that :func:`canonical_methods` keeps as it is and
    :func:`method_names` accepts."""
    if type(value) is not frozenset or not value <= AUTH_METHODS.spellings:
        return False
    for method in value:  # noqa: SIM110 (a plain loop is faster than all() here)
        if type(method) is not str:
            return False
    return True


def method_names(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """attrs validator: a set of known method names (blank, padded, control-character
    and unknown names are errors, with a did-you-mean)."""
    name = f"{type(instance).__name__}.{attribute.name}"
    if not isinstance(value, frozenset):
        raise InvalidModelError(name, "a set of authentication method names", value)
    for method in sorted(value, key=str):
        if not isinstance(method, str) or AUTH_METHODS.canonical(method) is None:
            raise InvalidModelError(name, AUTH_METHODS.expected(method), method)


def _method_set(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, frozenset) or not value:
        raise InvalidModelError(f"{type(instance).__name__}.{attribute.name}",
                                "a non-empty set of authentication method names", value)
    method_names(instance, attribute, value)


@attrs.frozen(kw_only=True)
class Authentication:
    """One completed authentication in the session: the methods used, and when.

    ``fido2_aaguid`` names the passkey model used, for strengths restricted to
    specific authenticators (entra-facts §5.4).

    >>> from datetime import datetime, timezone
    >>> a = Authentication(methods={"password", "sms"},
    ...                    at=datetime(2026, 11, 29, 9, 30, tzinfo=timezone.utc))
    >>> sorted(a.methods)
    ['password', 'sms']
    """

    methods: frozenset[str] = attrs.field(converter=as_frozenset,
                                          metadata=checks(_method_set, canonical_methods))
    at: datetime = attrs.field(metadata=checks(aware_datetime))
    fido2_aaguid: str | None = attrs.field(default=None, metadata=checks(optional_identifier))

    def __attrs_post_init__(self) -> None:
        # The common shape in one pass; anything else is checked field by field.
        methods, aaguid = self.methods, self.fido2_aaguid
        if not (plain_methods(methods) and methods and plain_aware_datetime(self.at)
                and (aaguid is None or plain_id(aaguid))):
            check_fields(self)


def _combinations(value: object) -> object:
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        return value
    return tuple(to_str_tuple(c) for c in value)


def _combination_tuple(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    ok = isinstance(value, tuple) and all(
        isinstance(c, tuple) and c and all(isinstance(m, str) and m for m in c) for c in value
    )
    if not ok:
        raise InvalidModelError(f"{type(instance).__name__}.{attribute.name}",
                                "a tuple of method combinations (tuples of method names)",
                                value)


@attrs.frozen(kw_only=True)
class CombinationConfiguration:
    """Advanced options for combinations (entra-facts §5.4).

    ``kind`` is ``fido2`` (``allowed_aaguids``) or ``x509Certificate``
    (``allowed_issuer_skis``, ``allowed_policy_oids``); other kinds are kept with
    their raw properties in ``unmodelled`` and the evaluator cannot check them.
    """

    id: str | None = attrs.field(default=None, validator=optional_str)
    kind: str = attrs.field(validator=non_empty_str)
    applies_to_combinations: tuple[tuple[str, ...], ...] = attrs.field(
        converter=_combinations, validator=_combination_tuple, factory=tuple)
    allowed_aaguids: tuple[str, ...] = attrs.field(
        converter=to_str_tuple, validator=str_tuple, factory=tuple)
    allowed_issuer_skis: tuple[str, ...] = attrs.field(
        converter=to_str_tuple, validator=str_tuple, factory=tuple)
    allowed_policy_oids: tuple[str, ...] = attrs.field(
        converter=to_str_tuple, validator=str_tuple, factory=tuple)
    unmodelled: FrozenDict[str, FrozenJSON] = attrs.field(factory=FrozenDict)


def _configurations(value: Iterable[CombinationConfiguration]
                    ) -> tuple[CombinationConfiguration, ...]:
    # Anything that is not a collection is passed through for the validator to name.
    return tuple(value) if isinstance(value, (list, tuple)) else value  # type: ignore[return-value]


def _check_configurations(instance: object, attribute: attrs.Attribute[Any],
                          value: object) -> None:
    if not isinstance(value, tuple) or not all(
            isinstance(c, CombinationConfiguration) for c in value):
        raise InvalidModelError("AuthenticationStrength.combination_configurations",
                                "a sequence of CombinationConfiguration", value)


@attrs.frozen(kw_only=True)
class AuthenticationStrength:
    """An authentication strength policy: the method combinations it allows.

    >>> s = PHISHING_RESISTANT_MFA_STRENGTH
    >>> s.allows(frozenset({"fido2"})), s.allows(frozenset({"password", "sms"}))
    (True, False)
    """

    id: str = attrs.field(validator=non_empty_str)
    display_name: str = attrs.field(validator=is_str)
    allowed_combinations: tuple[tuple[str, ...], ...] = attrs.field(
        converter=_combinations, validator=_combination_tuple)
    description: str | None = attrs.field(default=None, validator=optional_str)
    policy_type: str = attrs.field(default="custom", validator=non_empty_str)
    requirements_satisfied: str = attrs.field(default="mfa", validator=non_empty_str)
    combination_configurations: tuple[CombinationConfiguration, ...] = attrs.field(
        converter=_configurations, validator=_check_configurations, factory=tuple)
    created_date_time: str | None = attrs.field(default=None, validator=optional_str)
    modified_date_time: str | None = attrs.field(default=None, validator=optional_str)
    unmodelled: FrozenDict[str, FrozenJSON] = attrs.field(factory=FrozenDict)

    @property
    def combination_sets(self) -> frozenset[frozenset[str]]:
        """The allowed combinations as sets of method names (order-free)."""
        return frozenset(frozenset(c) for c in self.allowed_combinations)

    def allows(self, methods: frozenset[str], fido2_aaguid: str | None = None) -> bool:
        """Whether an authentication that used ``methods`` satisfies this strength.

        It does when it used every method of one allowed combination (entra-facts
        §5.3). A combination restricted by a ``fido2`` configuration also needs the
        passkey's AAGUID in the allowed list (§5.4); a missing AAGUID fails closed.
        Configurations of other kinds (certificate issuers and OIDs) cannot be
        checked from a session, so the combinations they restrict fail closed too.
        """
        return any(set(combo) <= methods and self._configured_ok(combo, fido2_aaguid)
                   for combo in self.allowed_combinations)

    def _configured_ok(self, combo: tuple[str, ...], fido2_aaguid: str | None) -> bool:
        wanted = frozenset(combo)
        for config in self.combination_configurations:
            if wanted not in {frozenset(c) for c in config.applies_to_combinations}:
                continue
            if config.kind != "fido2":
                return False
            allowed = {ascii_lower(a) for a in config.allowed_aaguids}
            if fido2_aaguid is None or ascii_lower(fido2_aaguid) not in allowed:
                return False
        return True


def _built_in(id_suffix: str, name: str, combos: tuple[str, ...]) -> AuthenticationStrength:
    return AuthenticationStrength(
        id=f"00000000-0000-0000-0000-00000000000{id_suffix}",
        display_name=name,
        description=None,
        policy_type="builtIn",
        requirements_satisfied="mfa",
        allowed_combinations=tuple(tuple(c.split(",")) for c in combos),
        created_date_time="2021-12-01T00:00:00Z",
    )


_PHISHING_RESISTANT = ("windowsHelloForBusiness", "fido2", "x509CertificateMultiFactor")
_PASSWORDLESS = (*_PHISHING_RESISTANT, "deviceBasedPush")
_MFA = (
    *_PASSWORDLESS,
    "temporaryAccessPassOneTime",
    "temporaryAccessPassMultiUse",
    "password,microsoftAuthenticatorPush",
    "password,softwareOath",
    "password,hardwareOath",
    "password,x509CertificateSingleFactor",
    "password,x509CertificateMultiFactor",
    "password,sms",
    "password,voice",
    "federatedMultiFactor",
    "microsoftAuthenticatorPush,federatedSingleFactor",
    "softwareOath,federatedSingleFactor",
    "hardwareOath,federatedSingleFactor",
    "sms,federatedSingleFactor",
    "voice,federatedSingleFactor",
)

MFA_STRENGTH = _built_in("2", "Multifactor authentication", _MFA)
"""Built-in MFA strength: the 19 combinations of entra-facts §5.3; equivalent to the
``mfa`` grant control (§5.5)."""
PASSWORDLESS_MFA_STRENGTH = _built_in("3", "Passwordless MFA", _PASSWORDLESS)
"""Built-in Passwordless MFA strength (entra-facts §5.3)."""
PHISHING_RESISTANT_MFA_STRENGTH = _built_in("4", "Phishing-resistant MFA", _PHISHING_RESISTANT)
"""Built-in Phishing-resistant MFA strength (entra-facts §5.3)."""

BUILT_IN_STRENGTHS: tuple[AuthenticationStrength, ...] = (
    MFA_STRENGTH, PASSWORDLESS_MFA_STRENGTH, PHISHING_RESISTANT_MFA_STRENGTH,
)
