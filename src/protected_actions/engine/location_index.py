"""The compiled named-location lookup: built once per tenant, asked once per sign-in.

Every IP range of every :class:`~protected_actions.model.locations.IpNamedLocation` is cut
into sorted, non-overlapping *elementary intervals* (one table for IPv4, one for
IPv6), each carrying the set of location ids that cover it (one location's
index, or a shared set when locations overlap); placing an address is one
:func:`bisect.bisect_right`. Overlapping ranges, within one location or across
several, are handled. Country locations are compiled into a map from
upper-case ISO code to ids, one map per lookup method. :meth:`LocationIndex.locate`
therefore never walks the locations.

A fact the session does not supply leaves the locations that need it *undetermined*
(DESIGN §4.4, fail-closed); so does a fact that cannot be read (an IP address or a
country code that is not valid), a country lookup method this library does not know,
and a compliant network location, which no session fact decides.
"""

from __future__ import annotations

import ipaddress
import operator
import re
from array import array
from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from itertools import accumulate, compress, repeat
from typing import Literal, TypeAlias

import attrs

from protected_actions.errors import InvalidModelError
from protected_actions.model.frozen import FrozenDict
from protected_actions.model.locations import (
    AUTHENTICATOR_APP_GPS,
    CLIENT_IP_ADDRESS,
    UNKNOWN_COUNTRY,
    CompliantNetworkNamedLocation,
    CountryNamedLocation,
    IpNamedLocation,
    NamedLocation,
    _session_points,
)
from protected_actions.model.vocabulary import ascii_lower

_NOTHING: frozenset[str] = frozenset()
_COUNTRY_CODE = re.compile(r"[A-Za-z]{2}")
_Placement: TypeAlias = tuple[frozenset[str], frozenset[str]]
"""``(inside, undetermined)`` ids for one kind of session fact."""
_CountryClass: TypeAlias = Literal["missing", "invalid", "unknown", "code"]


# -- IP intervals ----------------------------------------------------------------------


@attrs.frozen(eq=False, repr=False)
class _Intervals:
    """The elementary intervals of one IP version, as a step function.

    Interval ``i`` runs from ``starts[i]`` up to ``starts[i + 1] - 1`` (the last one
    is open-ended) and is covered by the locations that ``owners[i]`` names: ``0``
    for none (a gap), ``k > 0`` for the one location ``ids[k - 1]``, ``k < 0`` for
    the set ``shared[-k - 1]``. Each distinct set of two or more locations is stored
    once, so memory follows the number of intervals, not the number of locations
    times the number of intervals.
    """

    starts: Sequence[int]
    owners: array[int]
    ids: tuple[str, ...]
    shared: tuple[frozenset[str], ...]

    def lookup(self, value: int) -> frozenset[str]:
        """The ids of the locations holding ``value`` (one bisect)."""
        i = bisect_right(self.starts, value) - 1
        return self.unpack(self.owners[i]) if i >= 0 else _NOTHING

    def unpack(self, code: int) -> frozenset[str]:
        """The ids an owner code stands for."""
        if code > 0:
            return frozenset((self.ids[code - 1],))
        return self.shared[-code - 1] if code else _NOTHING


def _compile_ip(locations: Sequence[IpNamedLocation]) -> tuple[_Intervals, _Intervals]:
    """The IPv4 and IPv6 interval tables of ``locations``."""
    shift = max(len(locations) - 1, 1).bit_length()
    v4: list[int] = []
    v6: list[int] = []
    for owner, location in enumerate(locations):
        ranges = location.ip_ranges
        v4 += _toggles(*ranges.bounds(4), owner, shift)
        v6 += _toggles(*ranges.bounds(6), owner, shift)
    ids = tuple(location.id for location in locations)
    return _sweep(v4, shift, ids, array("Q")), _sweep(v6, shift, ids, [])


def _toggles(firsts: list[int], lasts: list[int], owner: int, shift: int) -> list[int]:
    """Where one location's coverage (of one IP version) switches on and off.

    The ranges are first merged into disjoint, non-touching blocks: with ``firsts``
    and ``nexts`` (``last + 1``) each sorted, the union has a gap after the k-th
    block exactly when ``nexts[k] < firsts[k + 1]``. The switch points come out in
    address order, packed as ``point << (shift + 1) | off << shift | owner`` for
    one global integer sort (``off`` is 1 where the location switches off).
    """
    if not firsts:
        return []
    firsts.sort()
    nexts = sorted([last + 1 for last in lasts])
    later = firsts[1:]
    gaps = list(map(operator.lt, nexts, later))
    on = owner
    off = 1 << shift | owner
    packed = [0] * (2 * (gaps.count(True) + 1))
    packed[0::2] = [first << shift + 1 | on for first in (firsts[0], *compress(later, gaps))]
    packed[1::2] = [end << shift + 1 | off for end in (*compress(nexts, gaps), nexts[-1])]
    return packed


def _sweep(toggles: list[int], shift: int, ids: tuple[str, ...],
           starts: list[int] | array[int]) -> _Intervals:
    """Turn the packed on/off points into the step function of covering locations.

    Each location's blocks are disjoint, so in address order a location switches
    on, off, on... After each toggle the running sum of +1 / -1 is the number of
    locations covering the address and the running XOR of the owner indices is the
    owner itself when that number is one, so the usual tenant (few overlaps) is
    read off in bulk. Only where two or more locations overlap is the covering set
    followed one toggle at a time (each distinct set of owners is stored once).
    """
    toggles.sort()
    low = (1 << shift) - 1
    points = list(map(operator.rshift, toggles, repeat(shift + 1)))
    owners = list(map(operator.and_, toggles, repeat(low)))
    depth = list(accumulate([1 - 2 * (t >> shift & 1) for t in toggles]))
    single = list(accumulate(owners, operator.xor))
    del toggles
    codes = [x + 1 if d == 1 else 0 for d, x in zip(depth, single, strict=True)]
    last_at_point = [*map(operator.ne, points, points[1:]), True]
    shared: dict[frozenset[int], int] = {}
    active: set[int] = set()
    previous = -2
    for i in compress(range(len(depth)), [d > 1 for d in depth]):
        if i != previous + 1:  # a run of overlaps starts: one location or none before it
            active = {single[i - 1]} if i and depth[i - 1] == 1 else set()
        previous = i
        active ^= {owners[i]}
        if last_at_point[i]:
            codes[i] = -1 - shared.setdefault(frozenset(active), len(shared))
    starts.extend(compress(points, last_at_point))
    sets = tuple(frozenset(ids[o] for o in owned) for owned in shared)
    return _Intervals(starts, array("i", compress(codes, last_at_point)), ids, sets)


def _readable_points(ip_address: object) -> tuple[tuple[Literal[4, 6], int], ...] | None:
    """The address as ``(version, integer)`` points, or ``None`` when it is not valid."""
    try:
        return _session_points(ip_address)
    except InvalidModelError:
        return None


# -- countries -------------------------------------------------------------------------


def _classify_country(country: object) -> _CountryClass:
    if country is None:
        return "missing"
    if not isinstance(country, str):
        return "invalid"
    if ascii_lower(country) == UNKNOWN_COUNTRY:
        return "unknown"
    return "code" if _COUNTRY_CODE.fullmatch(country) else "invalid"


@attrs.frozen(eq=False)
class _CountryTable:
    """Country locations of one lookup method: ISO code (upper case) -> ids."""

    by_code: Mapping[str, frozenset[str]]
    unknown: frozenset[str]
    ids: frozenset[str]

    @classmethod
    def compile(cls, locations: Iterable[CountryNamedLocation]) -> _CountryTable:
        by_code: dict[str, set[str]] = {}
        unknown: set[str] = set()
        ids: set[str] = set()
        for location in locations:
            ids.add(location.id)
            if location.include_unknown_countries_and_regions:
                unknown.add(location.id)
            for code in location.countries_and_regions:
                by_code.setdefault(code.upper(), set()).add(location.id)
        frozen = FrozenDict({code: frozenset(v) for code, v in by_code.items()})
        return cls(frozen, frozenset(unknown), frozenset(ids))

    def place(self, country: str | None) -> _Placement:
        """``(inside, undetermined)`` for the session's country under this method."""
        kind = _classify_country(country)
        if kind == "code":
            assert country is not None
            return self.by_code.get(country.upper(), _NOTHING), _NOTHING
        if kind == "unknown":
            return self.unknown, _NOTHING
        return _NOTHING, self.ids


# -- the index -------------------------------------------------------------------------


def _by_id(locations: Iterable[NamedLocation]) -> dict[str, NamedLocation]:
    kinds = (IpNamedLocation, CountryNamedLocation, CompliantNetworkNamedLocation)
    by_id: dict[str, NamedLocation] = {}
    for location in locations:
        if not isinstance(location, kinds):
            raise InvalidModelError("LocationIndex.locations", "named locations", location)
        if location.id in by_id:
            raise InvalidModelError("LocationIndex.locations",
                                    "named locations with distinct ids", location.id)
        by_id[location.id] = location
    return by_id


def _with_method(locations: Iterable[NamedLocation],
                 method: str) -> list[CountryNamedLocation]:
    return [loc for loc in locations
            if isinstance(loc, CountryNamedLocation) and loc.country_lookup_method == method]


def _never_decided(locations: Iterable[NamedLocation]) -> frozenset[str]:
    """Ids no session fact decides: compliant networks and unknown lookup methods."""
    known = (CLIENT_IP_ADDRESS, AUTHENTICATOR_APP_GPS)
    return frozenset(
        loc.id for loc in locations
        if isinstance(loc, CompliantNetworkNamedLocation)
        or (isinstance(loc, CountryNamedLocation) and loc.country_lookup_method not in known)
    )


@attrs.frozen(eq=False, repr=False)
class LocationIndex:
    """Every named location of a tenant, compiled for fast placement of a sign-in.

    Build it with :meth:`build`; :meth:`locate` then costs one bisect per IP version
    plus two dictionary lookups, whatever the number of locations and ranges.
    """

    ids: frozenset[str]
    trusted_ids: frozenset[str]
    _locations: FrozenDict[str, NamedLocation] = attrs.field(alias="locations")
    _v4: _Intervals = attrs.field(alias="v4")
    _v6: _Intervals = attrs.field(alias="v6")
    _ip_ids: frozenset[str] = attrs.field(alias="ip_ids")
    _by_client_ip: _CountryTable = attrs.field(alias="by_client_ip")
    _by_gps: _CountryTable = attrs.field(alias="by_gps")
    _never: frozenset[str] = attrs.field(alias="never")

    @classmethod
    def build(cls, locations: Iterable[NamedLocation]) -> LocationIndex:
        """Compile named locations.

        :raises InvalidModelError: if an item is not a named location, or two share an id.
        """
        by_id = _by_id(locations)
        values = list(by_id.values())
        ip_locations = [loc for loc in values if isinstance(loc, IpNamedLocation)]
        v4, v6 = _compile_ip(ip_locations)
        return cls(
            ids=frozenset(by_id),
            trusted_ids=frozenset(loc.id for loc in values if loc.is_trusted),
            locations=FrozenDict(by_id),
            v4=v4,
            v6=v6,
            ip_ids=frozenset(loc.id for loc in ip_locations),
            by_client_ip=_CountryTable.compile(_with_method(values, CLIENT_IP_ADDRESS)),
            by_gps=_CountryTable.compile(_with_method(values, AUTHENTICATOR_APP_GPS)),
            never=_never_decided(values),
        )

    def is_trusted(self, location_id: str) -> bool:
        """Whether the location is marked trusted (an unknown id is not)."""
        return location_id in self.trusted_ids

    def get(self, location_id: str) -> NamedLocation | None:
        """The location with this id, or ``None``."""
        return self._locations.get(location_id)

    def locate(self, *, ip_address: str | None, country: str | None,
               gps_country: str | None) -> LocationFacts:
        """Place a sign-in: which locations it is in, and which cannot be decided.

        ``country`` decides ``clientIpAddress`` country locations and ``gps_country``
        the ``authenticatorAppGps`` ones; either may be :data:`UNKNOWN_COUNTRY`.
        ``None`` means *not supplied*. A value that cannot be read (an IP address or
        a country code that is not valid) is treated as not supplied.
        """
        ip_inside, ip_open = self._place_ip(ip_address)
        country_inside, country_open = self._by_client_ip.place(country)
        gps_inside, gps_open = self._by_gps.place(gps_country)
        return LocationFacts(
            inside=ip_inside | country_inside | gps_inside,
            undetermined=ip_open | country_open | gps_open | self._never,
            trusted_ids=self.trusted_ids,
            ip_address=ip_address,
            country=country,
            gps_country=gps_country,
            index=self,
        )

    def representative_ips(self) -> tuple[tuple[str, frozenset[str]], ...]:
        """One address for every distinct set of IP locations an address can be in
        (the empty set included: an address outside them all), IPv4 then IPv6.

        The analysis uses these as the IP classes the policies can tell apart.
        """
        out: list[tuple[str, frozenset[str]]] = []
        for version, table, outside in ((4, self._v4, 0xC6336401), (6, self._v6, 1 << 125)):
            seen: dict[int, int] = {}
            for start, code in zip(table.starts, table.owners, strict=True):
                seen.setdefault(code, start)
            if 0 not in seen and (not table.starts or table.starts[0] > outside):
                seen[0] = outside
            elif 0 not in seen and table.starts and table.starts[0] > 0:
                seen[0] = 0 if version == 6 else 1
            for code, start in sorted(seen.items(), key=lambda kv: kv[1]):
                address = ipaddress.ip_address(start) if version == 4 \
                    else ipaddress.IPv6Address(start)
                out.append((str(address), table.unpack(code)))
        return tuple(out)

    def _place_ip(self, ip_address: str | None) -> _Placement:
        points = _readable_points(ip_address)
        if points is None:
            return _NOTHING, self._ip_ids
        tables = {4: self._v4, 6: self._v6}
        inside = _NOTHING
        for version, value in points:
            inside = inside | tables[version].lookup(value)
        return inside, _NOTHING

    def __repr__(self) -> str:
        return (f"<LocationIndex: {len(self.ids)} locations, "
                f"{len(self._v4.starts)} IPv4 and {len(self._v6.starts)} IPv6 intervals>")


# -- facts and their explanation -------------------------------------------------------


@attrs.frozen(kw_only=True)
class LocationFacts:
    """Where one sign-in is, as far as its session facts tell.

    ``inside``: ids the sign-in is definitely in. ``undetermined``: ids the session
    cannot decide (a needed fact is missing or unreadable). Every other known id is
    definitely *not* matched. ``trusted_ids``: every location marked trusted.
    """

    inside: frozenset[str]
    undetermined: frozenset[str]
    trusted_ids: frozenset[str]
    ip_address: str | None = None
    country: str | None = None
    gps_country: str | None = None
    _index: LocationIndex = attrs.field(alias="index", eq=False, repr=False)

    def describe(self, location_id: str) -> str:
        """One line saying why the sign-in is in, not in, or undetermined for a location."""
        location = self._index.get(location_id)
        if location is None:
            return f"{location_id!r} is not a known named location: undetermined"
        if isinstance(location, IpNamedLocation):
            return _describe_ip(self, location)
        if isinstance(location, CountryNamedLocation):
            return _describe_country(self, location)
        return (f"compliant network {_name(location)!r} cannot be decided from the "
                "session: undetermined")


def _name(location: NamedLocation) -> str:
    return location.display_name or location.id


def _verdict(facts: LocationFacts, location: NamedLocation, subject: str) -> str:
    name = _name(location)
    if location.id not in facts.inside:
        return f"{subject} is not in {name!r}"
    return f"{subject} is in {name!r}" + (" (trusted)" if location.is_trusted else "")


def _describe_ip(facts: LocationFacts, location: IpNamedLocation) -> str:
    if facts.ip_address is None:
        return f"no IP address supplied: {_name(location)!r} undetermined"
    if _readable_points(facts.ip_address) is None:
        return (f"IP address {facts.ip_address!r} is not a valid IPv4 or IPv6 address: "
                f"{_name(location)!r} undetermined")
    return _verdict(facts, location, f"IP {facts.ip_address}")


def _describe_country(facts: LocationFacts, location: CountryNamedLocation) -> str:
    name = _name(location)
    method = location.country_lookup_method
    if method == CLIENT_IP_ADDRESS:
        value, label = facts.country, "country"
    elif method == AUTHENTICATOR_APP_GPS:
        value, label = facts.gps_country, "GPS country"
    else:
        return f"country lookup method {method!r} is not supported: {name!r} undetermined"
    kind = _classify_country(value)
    if kind == "missing":
        return f"no {label} supplied: {name!r} undetermined"
    if kind == "invalid":
        return f"{label} {value!r} is not a two-letter ISO code: {name!r} undetermined"
    verdict = _verdict(facts, location, f"{label} {value}")
    if kind == "unknown":
        verdict += (" (it includes unknown countries and regions)"
                    if location.include_unknown_countries_and_regions
                    else " (it does not include unknown countries and regions)")
    return verdict
