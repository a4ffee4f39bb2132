"""Named locations: the networks and countries a Conditional Access policy can name.

Graph's abstract ``namedLocation`` has three concrete kinds in real exports
(entra-facts §4): :class:`IpNamedLocation` (IPv4/IPv6 ranges),
:class:`CountryNamedLocation` (ISO country codes, looked up from the client IP or
from the Authenticator app's GPS) and :class:`CompliantNetworkNamedLocation`
(Global Secure Access compliant network). Policies refer to them by ``id``
(entra-facts §3.7).

The models keep what was written: an :class:`IpRange` remembers whether it was a
CIDR or a lower/upper pair and the exact text, and every model keeps the properties
a JSON layer could not map in ``unmodelled``, so a round trip loses nothing.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Mapping
from typing import Any, Final, Literal, TypeAlias

import attrs

from protected_actions.errors import InvalidModelError

from .frozen import FrozenDict, FrozenJSON, freeze_mapping
from .validators import non_empty_str, optional_str, strict_bool, to_str, to_str_tuple

__all__ = [
    "AUTHENTICATOR_APP_GPS",
    "CLIENT_IP_ADDRESS",
    "CompliantNetworkNamedLocation",
    "CountryNamedLocation",
    "IpNamedLocation",
    "IpRange",
    "IpRangeKind",
    "NamedLocation",
    "UNKNOWN_COUNTRY",
]


def __dir__() -> list[str]:
    return __all__


UNKNOWN_COUNTRY: Final = "unknown"
"""A session's country meaning "the IP address maps to no country or region".

It is matched by country locations with ``include_unknown_countries_and_regions``
(entra-facts §4.2). A country of ``None`` means *not supplied*, which is different.
"""

CLIENT_IP_ADDRESS: Final = "clientIpAddress"
"""``countryLookupMethod``: the country comes from the client's public IP (Graph default)."""

AUTHENTICATOR_APP_GPS: Final = "authenticatorAppGps"
"""``countryLookupMethod``: the country comes from the Authenticator app's GPS."""

IpRangeKind: TypeAlias = Literal["cidr", "range"]
"""How an :class:`IpRange` was written: a CIDR, or a lower/upper address pair."""

_CIDR_EXPECTED = "an IPv4 or IPv6 CIDR such as '12.34.221.11/22' or '2001:db8::/48'"
_ADDRESS_EXPECTED = "an IPv4 or IPv6 address such as '12.34.221.11'"
_PREFIX = re.compile(r"[0-9]{1,3}")
_COUNTRY_CODE = re.compile(r"[A-Za-z]{2}")
_OCTET = r"(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])"
_DOTTED_QUAD = re.compile(r"\.".join([_OCTET] * 4))
"""Exactly the IPv4 text :mod:`ipaddress` accepts: four decimal octets, no leading zeros."""

_NO_PROPERTIES: FrozenDict[str, FrozenJSON] = FrozenDict()
"""The shared, immutable default of every ``unmodelled`` field."""

_Parsed: TypeAlias = tuple[Literal[4, 6], int, int]
"""An IP version, the first and the last address of a range."""


# -- shared validators and converters ------------------------------------------------


def _field_name(instance: object, attribute: attrs.Attribute[Any]) -> str:
    return f"{type(instance).__name__}.{attribute.name}"


def _string(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str):
        raise InvalidModelError(_field_name(instance, attribute), "a string", value)


def _to_frozen_mapping(value: object) -> object:
    """Converter: a plain mapping of unmodelled JSON properties becomes a FrozenDict."""
    if isinstance(value, Mapping) and not isinstance(value, FrozenDict):
        return freeze_mapping(value)
    return value


def _unmodelled(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, FrozenDict) or (value and not all(isinstance(k, str)
                                                                for k in value)):
        raise InvalidModelError(_field_name(instance, attribute),
                                "a mapping of JSON property names to JSON values", value)


def _to_tuple(value: object) -> object:
    """Converter: any iterable but a string becomes a tuple; the validator judges the rest."""
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Iterable):
        return value
    return tuple(value)


def _ip_range_tuple(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, tuple) or not all(isinstance(r, IpRange) for r in value):
        raise InvalidModelError(_field_name(instance, attribute), "a tuple of IpRange", value)


def _country_codes(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, tuple) or not all(
        isinstance(c, str) and _COUNTRY_CODE.fullmatch(c) for c in value
    ):
        raise InvalidModelError(_field_name(instance, attribute),
                                "a tuple of two-letter ISO 3166 codes such as ('NL', 'US')",
                                value)


# -- address parsing -------------------------------------------------------------------


def _parse_cidr(text: object) -> _Parsed:
    """Version, first and last address of a CIDR; host bits may be set (Graph allows it)."""
    if not isinstance(text, str):
        raise InvalidModelError("IpRange.cidr_address", _CIDR_EXPECTED, text)
    address, slash, prefix = text.partition("/")
    if not slash or not _PREFIX.fullmatch(prefix):
        raise InvalidModelError("IpRange.cidr_address", _CIDR_EXPECTED, text)
    try:
        version, value = _parse_address("IpRange.cidr_address", address)
    except InvalidModelError:
        raise InvalidModelError("IpRange.cidr_address", _CIDR_EXPECTED, text) from None
    host_bits = (32 if version == 4 else 128) - int(prefix)
    if host_bits < 0:
        raise InvalidModelError("IpRange.cidr_address", _CIDR_EXPECTED, text)
    first = value >> host_bits << host_bits
    return version, first, first | ((1 << host_bits) - 1)


def _parse_address(field: str, text: object) -> tuple[Literal[4, 6], int]:
    if not isinstance(text, str) or "%" in text:
        raise InvalidModelError(field, _ADDRESS_EXPECTED, text)
    dotted = _DOTTED_QUAD.fullmatch(text)
    if dotted:  # the common case, parsed without building an address object
        a, b, c, d = map(int, dotted.groups())
        return 4, a << 24 | b << 16 | c << 8 | d
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        raise InvalidModelError(field, _ADDRESS_EXPECTED, text) from None
    return _version(address.version), int(address)


def _session_points(ip_text: object) -> tuple[tuple[Literal[4, 6], int], ...]:
    """The ``(version, integer)`` forms a sign-in address stands for.

    Usually one; an IPv4-mapped IPv6 address (``::ffff:192.0.2.1``) is the same host
    as the IPv4 address it maps, so it stands for both.

    :raises InvalidModelError: if ``ip_text`` is not an IPv4 or IPv6 address.
    """
    if not isinstance(ip_text, str):
        raise InvalidModelError("ip_address", _ADDRESS_EXPECTED, ip_text)
    if _DOTTED_QUAD.fullmatch(ip_text):
        return (_parse_address("ip_address", ip_text),)
    try:
        address = ipaddress.ip_address(ip_text)
    except ValueError:
        raise InvalidModelError("ip_address", _ADDRESS_EXPECTED, ip_text) from None
    if isinstance(address, ipaddress.IPv4Address):
        return ((4, int(address)),)
    mapped = address.ipv4_mapped
    if mapped is None:
        return ((6, int(address)),)
    return ((6, int(address)), (4, int(mapped)))


def _version(number: int) -> Literal[4, 6]:
    return 4 if number == 4 else 6


def _parse_bounds(lower: object, upper: object) -> _Parsed:
    lower_version, first = _parse_address("IpRange.lower_address", lower)
    upper_version, last = _parse_address("IpRange.upper_address", upper)
    if upper_version != lower_version:
        raise InvalidModelError("IpRange.upper_address",
                                f"an IPv{lower_version} address like lower_address", upper)
    if last < first:
        raise InvalidModelError("IpRange.upper_address",
                                f"an address not below lower_address {lower!r}", upper)
    return lower_version, first, last


def _parse_range(cidr: object, lower: object, upper: object) -> _Parsed:
    if cidr is not None:
        if lower is not None or upper is not None:
            raise InvalidModelError("IpRange.cidr_address",
                                    "either cidr_address or lower_address/upper_address, "
                                    "not both", cidr)
        return _parse_cidr(cidr)
    if lower is None and upper is None:
        raise InvalidModelError("IpRange.cidr_address",
                                "a CIDR, or lower_address and upper_address", None)
    if lower is None or upper is None:
        missing = "lower_address" if lower is None else "upper_address"
        raise InvalidModelError(f"IpRange.{missing}",
                                "an address (or give cidr_address instead)", None)
    return _parse_bounds(lower, upper)


# -- models ----------------------------------------------------------------------------


@attrs.frozen(kw_only=True, repr=False)
class IpRange:
    """One IPv4 or IPv6 range of an :class:`IpNamedLocation` (entra-facts §4.1).

    Give either ``cidr_address`` (Graph ``iPv4CidrRange`` / ``iPv6CidrRange``) or both
    ``lower_address`` and ``upper_address`` (Graph ``iPv4Range`` / ``iPv6Range``).
    The text is kept exactly as written; a CIDR with host bits set
    (``"12.34.221.11/22"``, as in Graph's own example) covers its whole network.

    :raises InvalidModelError: if the text is not a CIDR or address, both forms or
        neither are given, the bounds differ in IP version, or ``upper < lower``.

    >>> r = IpRange.from_cidr("12.34.221.11/22")
    >>> r.kind, r.version, r.contains("12.34.223.255"), r.contains("12.34.224.0")
    ('cidr', 4, True, False)
    """

    cidr_address: str | None = attrs.field(default=None, validator=optional_str)
    lower_address: str | None = attrs.field(default=None, validator=optional_str)
    upper_address: str | None = attrs.field(default=None, validator=optional_str)
    unmodelled: FrozenDict[str, FrozenJSON] = attrs.field(
        default=_NO_PROPERTIES, converter=_to_frozen_mapping, validator=_unmodelled)
    version: Literal[4, 6] = attrs.field(init=False, eq=False)
    """4 or 6 (derived from the text)."""
    first: int = attrs.field(init=False, eq=False)
    """The first address covered, as an integer (derived)."""
    last: int = attrs.field(init=False, eq=False)
    """The last address covered (included), as an integer (derived)."""

    def __attrs_post_init__(self) -> None:
        version, first, last = _parse_range(self.cidr_address, self.lower_address,
                                            self.upper_address)
        object.__setattr__(self, "version", version)
        object.__setattr__(self, "first", first)
        object.__setattr__(self, "last", last)

    @classmethod
    def from_cidr(cls, cidr: str) -> IpRange:
        """A range written as a CIDR, IPv4 or IPv6 (``"2001:db8::/48"``)."""
        return cls(cidr_address=cidr)

    @classmethod
    def from_bounds(cls, lower: str, upper: str) -> IpRange:
        """A range written as its first and last address, both included."""
        return cls(lower_address=lower, upper_address=upper)

    @property
    def kind(self) -> IpRangeKind:
        """``"cidr"`` or ``"range"``: how the range was written."""
        return "cidr" if self.cidr_address is not None else "range"

    def contains(self, ip_text: str) -> bool:
        """Whether the address is in this range.

        An address of the other IP version is not, except that an IPv4-mapped IPv6
        address (``::ffff:192.0.2.1``) also counts as the IPv4 address it maps.

        :raises InvalidModelError: if ``ip_text`` is not an IPv4 or IPv6 address.
        """
        return any(version == self.version and self.first <= value <= self.last
                   for version, value in _session_points(ip_text))

    def __repr__(self) -> str:
        if self.cidr_address is not None:
            parts = [f"cidr_address={self.cidr_address!r}"]
        else:
            parts = [f"lower_address={self.lower_address!r}",
                     f"upper_address={self.upper_address!r}"]
        if self.unmodelled:
            parts.append(f"unmodelled={self.unmodelled!r}")
        return f"IpRange({', '.join(parts)})"


@attrs.frozen(kw_only=True)
class IpNamedLocation:
    """A named location made of IP ranges (Graph ``ipNamedLocation``, entra-facts §4.1).

    ``is_trusted`` puts it in ``AllTrusted``. An empty ``ip_ranges`` is kept as given
    and contains no address. Times are kept as the text Graph sent.

    >>> hq = IpNamedLocation(id="hq", display_name="HQ", is_trusted=True,
    ...                      ip_ranges=[IpRange.from_cidr("203.0.113.0/24")])
    >>> hq.contains("203.0.113.7"), hq.contains("198.51.100.1")
    (True, False)
    """

    id: str = attrs.field(validator=non_empty_str)
    display_name: str = attrs.field(validator=_string)
    ip_ranges: tuple[IpRange, ...] = attrs.field(factory=tuple, converter=_to_tuple,
                                                 validator=_ip_range_tuple)
    is_trusted: bool = attrs.field(default=False, validator=strict_bool)
    created_date_time: str | None = attrs.field(default=None, validator=optional_str)
    modified_date_time: str | None = attrs.field(default=None, validator=optional_str)
    unmodelled: FrozenDict[str, FrozenJSON] = attrs.field(
        default=_NO_PROPERTIES, converter=_to_frozen_mapping, validator=_unmodelled)

    def contains(self, ip_text: str) -> bool:
        """Whether any of the ranges holds the address (see :meth:`IpRange.contains`).

        :raises InvalidModelError: if ``ip_text`` is not an IPv4 or IPv6 address.
        """
        points = _session_points(ip_text)
        return any(r.version == version and r.first <= value <= r.last
                   for r in self.ip_ranges for version, value in points)


@attrs.frozen(kw_only=True)
class CountryNamedLocation:
    """A named location made of countries and regions (Graph ``countryNamedLocation``).

    ``countries_and_regions`` are two-letter ISO 3166 codes, kept as written and
    compared case-insensitively. ``include_unknown_countries_and_regions`` also
    matches a sign-in whose address maps to no country (:data:`UNKNOWN_COUNTRY`).
    ``country_lookup_method`` is Graph's vocabulary (:data:`CLIENT_IP_ADDRESS`, the
    default, or :data:`AUTHENTICATOR_APP_GPS`); any other value is kept as given
    (entra-facts §4.2).

    >>> eu = CountryNamedLocation(id="eu", display_name="EU", countries_and_regions=["NL", "de"])
    >>> eu.includes_country("nl"), eu.includes_country("DE"), eu.includes_country(UNKNOWN_COUNTRY)
    (True, True, False)
    """

    id: str = attrs.field(validator=non_empty_str)
    display_name: str = attrs.field(validator=_string)
    countries_and_regions: tuple[str, ...] = attrs.field(
        factory=tuple, converter=to_str_tuple, validator=_country_codes)
    include_unknown_countries_and_regions: bool = attrs.field(default=False,
                                                              validator=strict_bool)
    country_lookup_method: str = attrs.field(default=CLIENT_IP_ADDRESS, converter=to_str,
                                             validator=non_empty_str)
    is_trusted: bool = attrs.field(default=False, validator=strict_bool)
    created_date_time: str | None = attrs.field(default=None, validator=optional_str)
    modified_date_time: str | None = attrs.field(default=None, validator=optional_str)
    unmodelled: FrozenDict[str, FrozenJSON] = attrs.field(
        default=_NO_PROPERTIES, converter=_to_frozen_mapping, validator=_unmodelled)

    def includes_country(self, country: str) -> bool:
        """Whether a country code (any case), or :data:`UNKNOWN_COUNTRY`, is covered."""
        wanted = country.upper()
        if wanted == UNKNOWN_COUNTRY.upper():
            return self.include_unknown_countries_and_regions
        return any(c.upper() == wanted for c in self.countries_and_regions)


@attrs.frozen(kw_only=True)
class CompliantNetworkNamedLocation:
    """Global Secure Access "All Compliant Network locations" (Graph
    ``compliantNetworkNamedLocation``, found in real exports).

    Whether a sign-in comes through a compliant network is not a session fact this
    library models, so the evaluator always leaves it undetermined.

    >>> CompliantNetworkNamedLocation(id="cn", display_name="GSA").compliant_network_type
    'allTenantCompliantNetworks'
    """

    id: str = attrs.field(validator=non_empty_str)
    display_name: str = attrs.field(validator=_string)
    compliant_network_type: str = attrs.field(default="allTenantCompliantNetworks",
                                              converter=to_str, validator=non_empty_str)
    is_trusted: bool = attrs.field(default=False, validator=strict_bool)
    created_date_time: str | None = attrs.field(default=None, validator=optional_str)
    modified_date_time: str | None = attrs.field(default=None, validator=optional_str)
    unmodelled: FrozenDict[str, FrozenJSON] = attrs.field(
        default=_NO_PROPERTIES, converter=_to_frozen_mapping, validator=_unmodelled)


NamedLocation: TypeAlias = IpNamedLocation | CountryNamedLocation | CompliantNetworkNamedLocation
"""Any named location a tenant can hold."""
