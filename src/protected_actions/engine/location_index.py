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
import math
import operator
import re
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from functools import partial
from itertools import accumulate, compress, count, islice, repeat
from typing import Any, Literal, TypeAlias

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
    IpRanges,
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
    """The covering locations of one IP version, as a step function.

    Every range contributes two *switch points*: its first address (its location
    switches on) and the address after its last (it switches off). Each is stored
    as one sortable number, a *key*: ``point * step + tag``, where the tag (between
    ``-half`` and ``half``, ``step = 2 * half``) says which location switches and
    which way: ``one + c`` switches location ``ids[c - 1]`` on, ``-(one + c)``
    switches it off. ``keys`` holds them all in order.

    The *owner* of ``keys[i]`` says who covers the addresses from its point up to
    the next point: ``0`` for no location, ``base + k`` for the one location
    ``ids[k]``, ``-1 - k`` for the ids ``shared[k]`` (each distinct set of two or
    more locations is stored once, as a tuple). Where no ranges overlap (nearly
    everywhere) the owner is the key's own tag when it switches a location on, and
    ``0`` when it switches one off, so it is not stored; where they overlap, the
    owners are stored by position in ``overlap_at`` (ascending) and
    ``overlap_owner``. Where several keys share a point, only the last one's owner
    is read.

    The keys are floats when they fit the 53 bits a float holds exactly (IPv4 at
    any realistic number of locations): a float array is compact, and floats sort
    about twice as fast as integers above 30 bits. Otherwise they are integers.
    """

    keys: Sequence[float]
    overlap_at: array[int]
    overlap_owner: array[int]
    ids: tuple[str, ...]
    shared: tuple[tuple[str, ...], ...]
    shift: int
    half: int
    base: int
    as_key: Callable[[int], float]
    tag: Callable[[float], int]

    def lookup(self, value: int) -> frozenset[str]:
        """The ids of the locations holding ``value`` (one bisect, two if overlapping)."""
        # The last key of the last point at or before ``value``: tags are below half.
        keys = self.keys
        i = bisect_right(keys, self.as_key((value << self.shift) + self.half - 1)) - 1
        if i < 0:
            return _NOTHING
        at = self.overlap_at
        j = bisect_left(at, i)
        if j < len(at) and at[j] == i:
            return self.unpack(self.overlap_owner[j])
        code = self.tag(keys[i])  # no overlap here: a switch-on names its location
        return frozenset((self.ids[code - self.base],)) if code > 0 else _NOTHING

    def owner(self, i: int) -> int:
        """The owner code of ``keys[i]``."""
        at = self.overlap_at
        j = bisect_left(at, i)
        if j < len(at) and at[j] == i:
            return self.overlap_owner[j]
        return max(self.tag(self.keys[i]), 0)

    def unpack(self, code: int) -> frozenset[str]:
        """The ids an owner code stands for."""
        if code > 0:
            return frozenset((self.ids[code - self.base],))
        return frozenset(self.shared[-code - 1]) if code else _NOTHING

    def intervals(self) -> Iterator[tuple[int, int]]:
        """``(first address, owner code)`` of each interval, in address order."""
        shift, half = self.shift, self.half
        points = [int(key) + half >> shift for key in self.keys]
        owners = list(map(max, map(self.tag, self.keys), repeat(0)))
        for i, code in zip(self.overlap_at, self.overlap_owner, strict=True):
            owners[i] = code
        ends = [*map(operator.ne, points, islice(points, 1, None)), True]
        return compress(zip(points, owners, strict=True), ends)


_EXACT_FLOAT_BITS = 53
"""A float holds every integer below ``2 ** 53`` exactly."""


def _compile_ip(locations: Sequence[IpNamedLocation]) -> tuple[_Intervals, _Intervals]:
    """The IPv4 and IPv6 step functions of ``locations``."""
    ids = tuple(location.id for location in locations)
    ranges = [location.ip_ranges for location in locations]
    return _step_function(ranges, 4, ids), _step_function(ranges, 6, ids)


def _step_function(ranges: Sequence[IpRanges], version: Literal[4, 6],
                   ids: tuple[str, ...]) -> _Intervals:
    """Sort every switch point once and read off who covers each interval.

    Location ``k`` has the code ``c = k + 1 < one``, and ``step = 8 * one``. Its
    ranges switch on at ``first * step + (one + c)`` and off at
    ``(last + 1) * step - (one + c)``, so a key's remainder by ``step`` (rounded to
    the nearest multiple) is ``+(one + c)`` or ``-(one + c)``, and switch-offs sort
    before switch-ons at the same point.

    Where no ranges overlap, the sorted keys come in pairs, a location switched on
    and then off, so the tags of keys ``2j`` and ``2j + 1`` cancel and their sum is
    a multiple of ``step`` (the two tags add up to less than ``half`` either way).
    Conversely, if every pair up to ``2j`` cancels, no range is open before key
    ``2j`` (a switch-off never precedes its own switch-on). So one bulk pass over
    the pairs finds where overlaps can start, and only from there is the covering
    multiset followed one key at a time, up to the next key after which no range
    is open (see :func:`_overlaps`).
    """
    width = 32 if version == 4 else 128
    code_bits = len(ids).bit_length()
    one = 1 << code_bits
    two = one << 1
    shift = code_bits + 3  # the tags of a pair, added, stay within half a step
    # Keys stay below 2 ** (width + 1 + shift); one bit more keeps the sum of two
    # keys (the pair check below) exact too.
    exact_floats = width + 2 + shift <= _EXACT_FLOAT_BITS
    number: Callable[[int], float] = float if exact_floats else int
    step = number(1 << shift)
    add, mul = operator.add, operator.mul
    keys: list[Any] = []
    for code, location_ranges in enumerate(ranges, start=1):
        # One location at a time: nothing per location outlives the loop, so the
        # collector's full passes are not set off by survivors.
        firsts, lasts = location_ranges.bounds(version)
        if firsts:  # the tags of the keys' own type: float + float is the fast sum
            on, off = number(one + code), number((1 << shift) - one - code)
            keys += map(add, map(mul, firsts, repeat(step)), repeat(on))
            keys += map(add, map(mul, lasts, repeat(step)), repeat(off))
    keys.sort()
    table: Sequence[Any]
    tag: Callable[[Any], int]
    pair_tags: Iterable[Any]
    if exact_floats:
        table = array("d", keys)
        del keys  # the table is read in order from here on
        float_step = float(step)
        tag = partial(_float_tag, float_step)  # a partial pickles; the index goes to workers

        pair_tags = map(math.remainder, map(add, table[0::2], table[1::2]),
                        repeat(float_step))
    else:
        table = array("Q", keys) if width + 1 + shift <= 64 else keys
        del keys
        mask = (1 << shift) - 1
        tag = partial(_int_tag, two, mask)

        # the tags of a pair add up to less than 2 * two either way
        pair_tags = map(operator.sub, map(operator.and_, map(
            add, map(add, table[0::2], table[1::2]), repeat(2 * two)), repeat(mask)),
            repeat(2 * two))
    sums = array("d", accumulate(pair_tags)) if exact_floats else list(accumulate(pair_tags))
    at, owner, shared = _overlaps(sums, table, shift, one)
    by_code = ("", *ids)
    return _Intervals(
        keys=table,
        overlap_at=at,
        overlap_owner=owner,
        ids=ids,
        shared=tuple([tuple(map(by_code.__getitem__, owned)) for owned in shared]),
        shift=shift,
        half=two,
        base=one + 1,
        as_key=number,
        tag=tag,
    )


def _float_tag(step: float, key: float) -> int:
    """The tag of a float key."""
    return int(math.remainder(key, step))


def _int_tag(two: int, mask: int, key: float) -> int:
    """The tag of an integer key."""
    return ((int(key) + two) & mask) - two


def _overlaps(pair_sums: Sequence[Any], keys: Sequence[Any], shift: int, one: int,
              ) -> tuple[array[int], array[int], dict[tuple[int, ...], int]]:
    """The owners of the keys where ranges overlap that their tags do not give.

    ``pair_sums[j]`` is the sum of the tags of the keys up to ``2j + 1``:
    ``depth * one + (sum of the codes covering)`` after that key. It is ``0``
    wherever no range is open, so only the pairs next to a non-zero sum are read,
    key by key. After a key, the sum is ``0`` for no location, between ``one`` and
    ``2 * one`` for exactly one (the sum *is* its owner code), above for two or more:
    only then is the covering multiset followed. At the last key of a point the owner
    is the one code or a shared set (``-1 - k``); at earlier keys of the same point,
    which no lookup reads, ``0``. Returns the positions whose owner is not the one
    their tag gives, those owners, and the shared sets of codes, numbered in the
    order first seen.
    """
    two = one << 1
    mask = (1 << shift) - 1
    final = len(keys) - 1
    at: array[int] = array("q")
    owners: array[int] = array("q")
    shared: dict[tuple[int, ...], int] = {}
    covering: dict[int, int] = {}
    previous, previous_state = -2, 0
    for j in _pairs_near(compress(count(), map(operator.ne, pair_sums, repeat(0)))):
        first = 2 * j
        if first != previous + 1:
            previous_state = 0  # a run starts: no range is open before it
        key = int(keys[first]) + two
        tag = (key & mask) - two
        for i, state in ((first, previous_state + tag), (first + 1, int(pair_sums[j]))):
            if i != first:
                key = int(keys[i]) + two
                tag = (key & mask) - two
            owner = state
            if state >= two:
                if previous_state < two:  # two or more open: one location or none before
                    before = previous_state - one
                    covering = {before: 1} if before > 0 else {}
                if tag > 0:
                    code = tag - one
                    covering[code] = covering.get(code, 0) + 1
                else:
                    code = -tag - one
                    left = covering[code] - 1
                    if left:
                        covering[code] = left
                    else:
                        del covering[code]
                if i < final and int(keys[i + 1]) + two >> shift == key >> shift:
                    owner = 0
                elif len(covering) == 1:
                    owner = one + next(iter(covering))
                else:
                    owner = -1 - shared.setdefault(tuple(sorted(covering)), len(shared))
            if owner != (tag if tag > 0 else 0):
                at.append(i)
                owners.append(owner)
            previous, previous_state = i, state
    return at, owners, shared


def _pairs_near(open_after: Iterable[int]) -> Iterator[int]:
    """The pairs ``j`` and ``j + 1`` of every ``j`` in ``open_after``, ascending, once."""
    last = -1
    for j in open_after:
        if j > last:
            yield j
        yield j + 1
        last = j + 1


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
            first: int | None = None
            for start, code in table.intervals():
                if start >> (32 if version == 4 else 128):
                    break  # past the last address: after a range that ends there
                first = start if first is None else first
                seen.setdefault(code, start)
            if 0 not in seen and (first is None or first > outside):
                seen[0] = outside
            elif 0 not in seen and first is not None and first > 0:
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
                f"{len(self._v4.keys)} IPv4 and {len(self._v6.keys)} IPv6 switch points>")


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
