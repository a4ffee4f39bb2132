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
from array import array
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, Final, Literal, TypeAlias, overload

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
    "IpRanges",
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
_V4_CIDR = re.compile(r"\.".join([_OCTET] * 4) + r"/([0-9]{1,3})")
"""An IPv4 CIDR (the common case of a range): what :func:`_v4_cidr` reads."""
_OCTETS: Final = {str(value): value for value in range(256)}
"""Each octet's text as :mod:`ipaddress` accepts it (no leading zeros)."""
_PREFIXES: Final = {text: value for value in range(33)
                    for text in (str(value), f"{value:02d}", f"{value:03d}")}
"""Each prefix length up to 32 as one to three digits."""
_V4_TYPECODE = "I" if array("I").itemsize >= 4 else "L"
"""An array type code holding any IPv4 address."""

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
    """Converter: a plain mapping of unmodelled JSON properties becomes a FrozenDict;
    an empty one is the shared empty FrozenDict (one less object per model)."""
    if isinstance(value, Mapping) and not value:
        return _NO_PROPERTIES
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


def _to_ip_ranges(value: object) -> object:
    """Converter: an iterable of :class:`IpRange` becomes :class:`IpRanges`; the
    validator judges anything else."""
    if isinstance(value, IpRanges):
        return value
    converted = _to_tuple(value)
    if isinstance(converted, tuple) and all(isinstance(r, IpRange) for r in converted):
        return IpRanges(converted)
    return converted


def _ip_range_tuple(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, IpRanges):
        raise InvalidModelError(_field_name(instance, attribute), "a tuple of IpRange", value)


def _country_codes(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, tuple) or not all(
        isinstance(c, str) and _COUNTRY_CODE.fullmatch(c) for c in value
    ):
        raise InvalidModelError(_field_name(instance, attribute),
                                "a tuple of two-letter ISO 3166 codes such as ('NL', 'US')",
                                value)


# -- address parsing -------------------------------------------------------------------


def _v4_cidr(text: str) -> tuple[int, int, bool] | None:
    """The address as written and the prefix length of an IPv4 CIDR, and whether
    :func:`_v4_cidr_text` gives the text back exactly (the octets never have leading
    zeros here; the prefix may); ``None`` if the text is not one.

    Accepts exactly what ``_V4_CIDR`` describes, with a prefix of at most 32, read
    by table lookups rather than a regular expression (twice as fast).
    """
    address, _, prefix_text = text.partition("/")
    prefix = _PREFIXES.get(prefix_text)
    parts = address.split(".")
    if prefix is None or len(parts) != 4:
        return None
    octet = _OCTETS.get
    a, b, c, d = octet(parts[0]), octet(parts[1]), octet(parts[2]), octet(parts[3])
    if a is None or b is None or c is None or d is None:
        return None
    return a << 24 | b << 16 | c << 8 | d, prefix, len(prefix_text) == 1 or prefix_text[0] != "0"


def _v4_cidr_text(address: int, prefix: int) -> str:
    """The usual text of an IPv4 CIDR (the inverse of :func:`_v4_cidr`)."""
    return f"{address >> 24}.{address >> 16 & 255}.{address >> 8 & 255}.{address & 255}/{prefix}"


def _parse_cidr(text: object) -> _Parsed:
    """Version, first and last address of a CIDR; host bits may be set (Graph allows it)."""
    if not isinstance(text, str):
        raise InvalidModelError("IpRange.cidr_address", _CIDR_EXPECTED, text)
    v4 = _v4_cidr(text)
    if v4 is not None:  # the common case, in one match
        v4_host_bits = 32 - v4[1]
        v4_first = v4[0] >> v4_host_bits << v4_host_bits
        return 4, v4_first, v4_first | ((1 << v4_host_bits) - 1)
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


_RangeText: TypeAlias = "str | tuple[str, str]"
"""How a range was written: its CIDR, or its lower and upper address."""


class IpRanges(Sequence[IpRange]):
    """The ranges of an :class:`IpNamedLocation`: an immutable sequence of
    :class:`IpRange` that equals (and hashes as) the tuple of the same ranges.

    A location can hold thousands of ranges and a tenant hundreds of locations, so
    the ranges are kept compact and each :class:`IpRange` is built when it is read:
    the bounds in arrays, the rare unmodelled properties by position, and the text
    as written; an IPv4 CIDR written the usual way (``"203.0.113.7/24"``, the common
    case) is kept as its two numbers, from which the same text is rebuilt. Build one
    from :class:`IpRange` values: ``IpRanges([r1, r2])``.

    >>> ranges = IpRanges([IpRange.from_cidr("203.0.113.0/24")])
    >>> ranges == (IpRange.from_cidr("203.0.113.0/24"),), ranges[0].kind, len(ranges)
    (True, 'cidr', 1)
    """

    __slots__ = ("_addresses", "_extras", "_hash", "_prefixes", "_texts", "_v4", "_v6")

    _texts: tuple[_RangeText | None, ...]
    """The text of each range; ``None`` for an IPv4 CIDR kept as numbers."""
    _addresses: array[int]
    """By position: the address of such a CIDR as written (host bits and all), else 0."""
    _prefixes: array[int]
    """By position: the prefix length of such a CIDR, else 0."""
    _extras: Mapping[int, FrozenDict[str, FrozenJSON]]
    _v4: array[int]
    _v6: tuple[int, ...]
    _hash: int | None

    def __init__(self, ranges: Iterable[IpRange] = ()) -> None:
        builder = IpRangesBuilder()
        for r in ranges:
            if not isinstance(r, IpRange):
                raise InvalidModelError("IpRanges", "IpRange values", r)
            builder.add(r)
        builder.fill(self)

    def __len__(self) -> int:
        return len(self._texts)

    @overload
    def __getitem__(self, index: int) -> IpRange: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[IpRange, ...]: ...

    def __getitem__(self, index: int | slice) -> IpRange | tuple[IpRange, ...]:
        if isinstance(index, slice):
            return tuple(self._range(i) for i in range(len(self._texts))[index])
        return self._range(range(len(self._texts))[index])

    def __iter__(self) -> Iterator[IpRange]:
        return map(self._range, range(len(self._texts)))

    def _text(self, i: int) -> _RangeText:
        text = self._texts[i]
        return _v4_cidr_text(self._addresses[i], self._prefixes[i]) if text is None else text

    def _range(self, i: int) -> IpRange:
        text = self._text(i)
        unmodelled = self._extras.get(i, _NO_PROPERTIES)
        if isinstance(text, str):
            return IpRange(cidr_address=text, unmodelled=unmodelled)
        return IpRange(lower_address=text[0], upper_address=text[1], unmodelled=unmodelled)

    def written(self) -> Iterator[tuple[_RangeText, FrozenDict[str, FrozenJSON] | None]]:
        """Each range as written: its CIDR or ``(lower, upper)`` text, and its
        unmodelled properties (``None`` when it has none)."""
        extras = self._extras
        return ((self._text(i), extras.get(i)) for i in range(len(self._texts)))

    def bounds(self, version: Literal[4, 6]) -> tuple[Sequence[int], Sequence[int]]:
        """The first and the last addresses of the ranges of one IP version (as
        integers, in the order written), read from the stored bounds without
        parsing any text."""
        flat: Sequence[int] = self._v4 if version == 4 else self._v6
        return flat[0::2], flat[1::2]

    def covers(self, version: int, value: int) -> bool:
        """Whether a range of this IP version holds the address ``value``."""
        flat: Sequence[int] = self._v4 if version == 4 else self._v6
        return any(first <= value <= last
                   for first, last in zip(flat[0::2], flat[1::2], strict=True))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, IpRanges):  # one text has one stored form (IpRangesBuilder)
            return (self._texts == other._texts and self._addresses == other._addresses
                    and self._prefixes == other._prefixes
                    and dict(self._extras) == dict(other._extras))
        if isinstance(other, tuple):
            return tuple(self) == other
        return NotImplemented

    def __hash__(self) -> int:
        if self._hash is None:
            self._hash = hash(tuple(self))
        return self._hash

    def __repr__(self) -> str:
        return repr(tuple(self))

    def __reduce__(self) -> tuple[type[IpRanges], tuple[tuple[IpRange, ...]]]:
        return IpRanges, (tuple(self),)


class IpRangesBuilder:
    """Collects ranges into an :class:`IpRanges` without building an :class:`IpRange`
    per range when the text is all there is (the Graph loader's common case)."""

    __slots__ = ("_addresses", "_extras", "_prefixes", "_texts", "_v4", "_v6")

    def __init__(self) -> None:
        self._texts: list[_RangeText | None] = []
        self._addresses: array[int] = array(_V4_TYPECODE)
        self._prefixes: array[int] = array("B")
        self._extras: dict[int, FrozenDict[str, FrozenJSON]] = {}
        self._v4: array[int] = array(_V4_TYPECODE)
        self._v6: list[int] = []

    def add(self, r: IpRange) -> None:
        """Add a range (its text, unmodelled properties and bounds)."""
        if r.unmodelled:
            self._extras[len(self._texts)] = r.unmodelled
        text = r.cidr_address
        if text is None:
            self._written((r.lower_address or "", r.upper_address or ""))
        elif (v4 := _v4_cidr(text)) is not None and v4[2]:
            self._written_v4(v4[0], v4[1])
        else:
            self._written(text)
        self._bound(r.version, r.first, r.last)

    def add_cidr(self, text: str, version: int) -> bool:
        """Add a range written as a CIDR of this IP version and nothing else, if the
        text is one; ``False`` (nothing added) if it is not."""
        v4 = _v4_cidr(text)
        if v4 is not None:  # the common case, parsed once
            if version != 4:
                return False
            address, prefix, usual = v4
            host_bits = 32 - prefix
            first = address >> host_bits << host_bits
            self._v4.append(first)
            self._v4.append(first | ((1 << host_bits) - 1))
            if usual:
                self._written_v4(address, prefix)
            else:
                self._written(text)
            return True
        try:
            parsed = _parse_cidr(text)
        except InvalidModelError:
            return False
        if parsed[0] != version:
            return False
        self._written(text)
        self._bound(*parsed)
        return True

    def add_bounds(self, lower: str, upper: str, version: int) -> bool:
        """Add a range written as lower and upper addresses of this IP version and
        nothing else, if they are valid bounds; ``False`` (nothing added) if not."""
        try:
            parsed = _parse_bounds(lower, upper)
        except InvalidModelError:
            return False
        if parsed[0] != version:
            return False
        self._written((lower, upper))
        self._bound(*parsed)
        return True

    def _written(self, text: _RangeText) -> None:
        self._texts.append(text)
        self._addresses.append(0)
        self._prefixes.append(0)

    def _written_v4(self, address: int, prefix: int) -> None:
        self._texts.append(None)
        self._addresses.append(address)
        self._prefixes.append(prefix)

    def _bound(self, version: int, first: int, last: int) -> None:
        if version == 4:
            self._v4.append(first)
            self._v4.append(last)
        else:
            self._v6 += (first, last)

    def build(self) -> IpRanges:
        """The ranges added so far."""
        ranges = IpRanges.__new__(IpRanges)
        self.fill(ranges)
        return ranges

    def fill(self, ranges: IpRanges) -> None:
        """Give ``ranges`` (a new, empty instance) the ranges added so far."""
        ranges._texts = tuple(self._texts)
        ranges._addresses, ranges._prefixes = self._addresses, self._prefixes
        ranges._extras = self._extras or _NO_EXTRAS
        ranges._v4, ranges._v6, ranges._hash = self._v4, tuple(self._v6), None


_NO_EXTRAS: Mapping[int, FrozenDict[str, FrozenJSON]] = FrozenDict()


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
    ip_ranges: IpRanges = attrs.field(factory=IpRanges, converter=_to_ip_ranges,
                                      validator=_ip_range_tuple)
    """The ranges, an immutable sequence of :class:`IpRange` equal to their tuple."""
    is_trusted: bool = attrs.field(default=False, validator=strict_bool)
    created_date_time: str | None = attrs.field(default=None, validator=optional_str)
    modified_date_time: str | None = attrs.field(default=None, validator=optional_str)
    unmodelled: FrozenDict[str, FrozenJSON] = attrs.field(
        default=_NO_PROPERTIES, converter=_to_frozen_mapping, validator=_unmodelled)

    def contains(self, ip_text: str) -> bool:
        """Whether any of the ranges holds the address (see :meth:`IpRange.contains`).

        :raises InvalidModelError: if ``ip_text`` is not an IPv4 or IPv6 address.
        """
        return any(self.ip_ranges.covers(version, value)
                   for version, value in _session_points(ip_text))


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
