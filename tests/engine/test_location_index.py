"""The compiled named-location lookup: placing a sign-in by IP, country and GPS."""

from __future__ import annotations

import ipaddress
import random
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from protected_actions.engine.location_index import LocationFacts, LocationIndex
from protected_actions.errors import InvalidModelError
from protected_actions.model.locations import (
    AUTHENTICATOR_APP_GPS,
    UNKNOWN_COUNTRY,
    CompliantNetworkNamedLocation,
    CountryNamedLocation,
    IpNamedLocation,
    IpRange,
    NamedLocation,
)
from protected_actions.strategies._locations import (
    ip_named_locations,
    ip_ranges,
    named_locations,
)

HQ = IpNamedLocation(id="hq", display_name="HQ", is_trusted=True, ip_ranges=(
    IpRange.from_cidr("203.0.113.0/24"), IpRange.from_cidr("2001:db8:1::/48")))
BRANCH = IpNamedLocation(id="branch", display_name="Branch", ip_ranges=(
    IpRange.from_bounds("203.0.113.200", "203.0.114.10"),))
ALLOWED = CountryNamedLocation(id="allowed", display_name="Allowed countries",
                               countries_and_regions=("NL", "be"))
ANYWHERE_UNKNOWN = CountryNamedLocation(id="unknown", display_name="Unmapped",
                                        countries_and_regions=("FR",),
                                        include_unknown_countries_and_regions=True)
GPS = CountryNamedLocation(id="gps", display_name="GPS NL", countries_and_regions=("NL",),
                           country_lookup_method=AUTHENTICATOR_APP_GPS)
FUTURE = CountryNamedLocation(id="future", display_name="Future", countries_and_regions=("NL",),
                              country_lookup_method="unknownFutureValue")
GSA = CompliantNetworkNamedLocation(id="gsa", display_name="All Compliant Network locations")

INDEX = LocationIndex.build([HQ, BRANCH, ALLOWED, ANYWHERE_UNKNOWN, GPS, FUTURE, GSA])


def locate(ip: str | None = None, country: str | None = None,
           gps: str | None = None, index: LocationIndex = INDEX) -> LocationFacts:
    """Place a sign-in with the given facts."""
    return index.locate(ip_address=ip, country=country, gps_country=gps)


def naive_inside(location: IpNamedLocation, ip_text: str) -> bool:
    """Scan every range with :mod:`ipaddress` alone: the oracle for the index."""
    address = ipaddress.ip_address(ip_text)
    for r in location.ip_ranges:
        if r.cidr_address is not None:
            network = ipaddress.ip_network(r.cidr_address, strict=False)
            if address.version == network.version and address in network:
                return True
        else:
            assert r.lower_address is not None
            assert r.upper_address is not None
            lower = ipaddress.ip_address(r.lower_address)
            upper = ipaddress.ip_address(r.upper_address)
            if address.version == lower.version and int(lower) <= int(address) <= int(upper):
                return True
    return False


class TestBuild:
    """Compiling a tenant's named locations (entra-facts §4)."""

    def test_ids_and_trusted_ids(self) -> None:
        """Every id is known and only locations marked trusted are trusted."""
        assert INDEX.ids == {"hq", "branch", "allowed", "unknown", "gps", "future", "gsa"}
        assert INDEX.trusted_ids == {"hq"}
        assert INDEX.is_trusted("hq")
        assert not INDEX.is_trusted("branch")
        assert not INDEX.is_trusted("nowhere")

    def test_trusted_ids_are_on_every_result(self) -> None:
        """The facts of a sign-in carry the trusted ids so ``AllTrusted`` can be decided."""
        assert locate("198.51.100.1", "NL", "NL").trusted_ids == {"hq"}

    def test_trusted_flag_of_any_kind_counts(self) -> None:
        """A country or compliant network location marked trusted is trusted too."""
        index = LocationIndex.build([
            CountryNamedLocation(id="c", display_name="C", is_trusted=True),
            CompliantNetworkNamedLocation(id="n", display_name="N", is_trusted=True),
        ])
        assert index.trusted_ids == {"c", "n"}

    def test_empty_index_places_nothing(self) -> None:
        """With no locations every sign-in is in nothing and nothing is undetermined."""
        facts = locate("203.0.113.7", "NL", index=LocationIndex.build([]))
        assert (facts.inside, facts.undetermined) == (frozenset(), frozenset())

    def test_get_returns_the_location(self) -> None:
        """The index hands back the location of an id, or ``None``."""
        assert INDEX.get("hq") is HQ
        assert INDEX.get("nowhere") is None

    def test_error_when_ids_repeat(self) -> None:
        """Two locations with one id cannot be told apart, so building fails."""
        with pytest.raises(InvalidModelError, match="distinct ids"):
            LocationIndex.build([HQ, HQ])

    def test_error_when_an_item_is_not_a_location(self) -> None:
        """Anything but a named location is rejected."""
        with pytest.raises(InvalidModelError, match=r"LocationIndex\.locations"):
            LocationIndex.build(["hq"])  # type: ignore[list-item]

    def test_repr_is_a_summary(self) -> None:
        """The repr counts locations and intervals instead of dumping tables."""
        assert repr(INDEX).startswith("<LocationIndex: 7 locations, ")


class TestIpLookup:
    """entra-facts §4.1 and §4.3: the sign-in's public IP against IP ranges."""

    def test_ipv4_address_in_and_out(self) -> None:
        """An address in a range is inside that location and no other IP location."""
        assert locate("203.0.113.7").inside == {"hq"}
        assert locate("198.51.100.1").inside == frozenset()

    def test_ipv6_address(self) -> None:
        """IPv6 addresses are looked up in the IPv6 table."""
        assert locate("2001:db8:1:ffff::1").inside == {"hq"}
        assert locate("2001:db8:2::1").inside == frozenset()

    def test_overlapping_ranges_of_two_locations(self) -> None:
        """Where ranges of two locations overlap the address is in both."""
        assert locate("203.0.113.250").inside == {"hq", "branch"}
        assert locate("203.0.114.5").inside == {"branch"}

    @pytest.mark.parametrize(("ip", "inside"), [
        ("203.0.112.255", set()),
        ("203.0.113.0", {"hq"}),
        ("203.0.113.199", {"hq"}),
        ("203.0.113.200", {"hq", "branch"}),
        ("203.0.113.255", {"hq", "branch"}),
        ("203.0.114.0", {"branch"}),
        ("203.0.114.10", {"branch"}),
        ("203.0.114.11", set()),
    ])
    def test_addresses_at_interval_edges(self, ip: str, inside: set[str]) -> None:
        """The first and last address of every interval are in, their neighbours are not."""
        assert locate(ip).inside == inside

    def test_slash_32_and_slash_128(self) -> None:
        """Single-address ranges hold exactly their address (entra-facts §4.1 limits)."""
        index = LocationIndex.build([IpNamedLocation(id="one", display_name="One", ip_ranges=(
            IpRange.from_cidr("192.0.2.10/32"), IpRange.from_cidr("2001:db8::1/128")))])
        assert locate("192.0.2.10", index=index).inside == {"one"}
        assert locate("192.0.2.11", index=index).inside == frozenset()
        assert locate("2001:db8::1", index=index).inside == {"one"}
        assert locate("2001:db8::", index=index).inside == frozenset()

    def test_overlapping_and_touching_ranges_within_one_location(self) -> None:
        """A location's own nested, overlapping or touching ranges act as their union."""
        index = LocationIndex.build([IpNamedLocation(id="x", display_name="X", ip_ranges=(
            IpRange.from_cidr("10.0.0.0/16"), IpRange.from_cidr("10.0.1.0/24"),
            IpRange.from_bounds("10.0.255.0", "10.1.0.5"),
            IpRange.from_cidr("10.1.0.6/31"), IpRange.from_cidr("10.0.0.0/16")))])
        for ip in ("10.0.0.0", "10.0.1.1", "10.0.255.255", "10.1.0.5", "10.1.0.7"):
            assert locate(ip, index=index).inside == {"x"}
        assert locate("10.1.0.8", index=index).inside == frozenset()

    def test_ranges_at_the_ends_of_the_address_space(self) -> None:
        """The lowest and highest addresses of each version can be placed."""
        index = LocationIndex.build([IpNamedLocation(id="ends", display_name="Ends", ip_ranges=(
            IpRange.from_cidr("0.0.0.0/32"), IpRange.from_cidr("255.255.255.255/32"),
            IpRange.from_cidr("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128")))])
        assert locate("0.0.0.0", index=index).inside == {"ends"}
        assert locate("255.255.255.255", index=index).inside == {"ends"}
        assert locate("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", index=index).inside == {"ends"}
        assert locate("0.0.0.1", index=index).inside == frozenset()

    def test_representatives_after_a_range_that_ends_at_the_last_address(self) -> None:
        """A range reaching 255.255.255.255 leaves no interval past the end to stand
        for: the address outside every IPv4 location is still an IPv4 address."""
        index = LocationIndex.build([IpNamedLocation(id="top", display_name="Top", ip_ranges=(
            IpRange.from_cidr("255.255.255.0/24"),
            IpRange.from_cidr("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ff00/120")))])
        assert index.representative_ips() == (
            ("198.51.100.1", frozenset()), ("255.255.255.0", frozenset({"top"})),
            ("2000::", frozenset()),
            ("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ff00", frozenset({"top"})))

    def test_ipv4_mapped_ipv6_address_is_its_ipv4_address(self) -> None:
        """``::ffff:203.0.113.7`` is placed like 203.0.113.7."""
        assert locate("::ffff:203.0.113.7").inside == {"hq"}

    def test_missing_ip_leaves_ip_locations_undetermined(self) -> None:
        """Without an IP address no IP location can be decided (DESIGN §4.4, fail-closed)."""
        facts = locate(None, "NL", "NL")
        assert {"hq", "branch"} <= facts.undetermined
        assert not {"hq", "branch"} & facts.inside

    def test_invalid_ip_leaves_ip_locations_undetermined(self) -> None:
        """An unreadable IP address is treated as not supplied, never as "elsewhere"."""
        facts = locate("203.0.113", "NL")
        assert {"hq", "branch"} <= facts.undetermined
        assert facts.describe("hq") == (
            "IP address '203.0.113' is not a valid IPv4 or IPv6 address: 'HQ' undetermined")

    def test_ip_locations_are_decided_without_a_country(self) -> None:
        """An IP location needs only the IP, whatever the country facts."""
        facts = locate("198.51.100.1")
        assert not {"hq", "branch"} & (facts.inside | facts.undetermined)


class TestCountryLookup:
    """entra-facts §4.2: country locations by client IP country or Authenticator GPS."""

    @pytest.mark.parametrize("country", ["NL", "nl", "BE", "be", "Be"])
    def test_country_in_list_matches_in_any_case(self, country: str) -> None:
        """Codes compare case-insensitively, whichever side is lower case."""
        assert "allowed" in locate(None, country).inside

    def test_country_not_in_list(self) -> None:
        """A country not listed is definitely not in the location."""
        facts = locate(None, "DE")
        assert "allowed" not in facts.inside | facts.undetermined

    def test_unknown_country_matches_include_unknown(self) -> None:
        """An address mapping to no country matches ``includeUnknownCountriesAndRegions``."""
        facts = locate(None, UNKNOWN_COUNTRY)
        assert "unknown" in facts.inside
        assert "allowed" not in facts.inside | facts.undetermined

    def test_missing_country_leaves_country_locations_undetermined(self) -> None:
        """Without a country, client-IP country locations cannot be decided."""
        facts = locate("203.0.113.7", None, "NL")
        assert {"allowed", "unknown"} <= facts.undetermined
        assert facts.describe("allowed") == "no country supplied: 'Allowed countries' undetermined"

    def test_invalid_country_leaves_country_locations_undetermined(self) -> None:
        """A country that is not a two-letter code is treated as not supplied."""
        facts = locate(None, "Netherlands")
        assert "allowed" in facts.undetermined
        assert facts.describe("allowed") == (
            "country 'Netherlands' is not a two-letter ISO code: "
            "'Allowed countries' undetermined")

    def test_gps_location_uses_gps_country(self) -> None:
        """An ``authenticatorAppGps`` location reads the GPS country, not the IP country."""
        assert "gps" in locate(None, "DE", "NL").inside
        facts = locate(None, "NL", "DE")
        assert "gps" not in facts.inside | facts.undetermined

    def test_gps_location_undetermined_without_gps_country(self) -> None:
        """Without a GPS country a GPS location cannot be decided, even with a country."""
        facts = locate("203.0.113.7", "NL", None)
        assert "gps" in facts.undetermined
        assert facts.describe("gps") == "no GPS country supplied: 'GPS NL' undetermined"

    def test_unknown_lookup_method_is_always_undetermined(self) -> None:
        """A lookup method this library does not know is never guessed."""
        facts = locate("203.0.113.7", "NL", "NL")
        assert "future" in facts.undetermined
        assert facts.describe("future") == (
            "country lookup method 'unknownFutureValue' is not supported: 'Future' undetermined")

    def test_compliant_network_is_always_undetermined(self) -> None:
        """No session fact says whether the sign-in came through a compliant network."""
        facts = locate("203.0.113.7", "NL", "NL")
        assert "gsa" in facts.undetermined
        assert "gsa" not in facts.inside


class TestDescribe:
    """Each verdict comes with a concrete one-line reason."""

    @pytest.mark.parametrize(("facts", "location_id", "text"), [
        (locate("203.0.113.7"), "hq", "IP 203.0.113.7 is in 'HQ' (trusted)"),
        (locate("198.51.100.1"), "hq", "IP 198.51.100.1 is not in 'HQ'"),
        (locate("203.0.114.1"), "branch", "IP 203.0.114.1 is in 'Branch'"),
        (locate(None), "hq", "no IP address supplied: 'HQ' undetermined"),
        (locate(None, "NL"), "allowed", "country NL is in 'Allowed countries'"),
        (locate(None, "DE"), "allowed", "country DE is not in 'Allowed countries'"),
        (locate(None, "unknown"), "unknown",
         "country unknown is in 'Unmapped' (it includes unknown countries and regions)"),
        (locate(None, "unknown"), "allowed", "country unknown is not in 'Allowed countries' "
                                             "(it does not include unknown countries and regions)"),
        (locate(None, None, "nl"), "gps", "GPS country nl is in 'GPS NL'"),
        (locate(), "gsa", "compliant network 'All Compliant Network locations' cannot be "
                          "decided from the session: undetermined"),
        (locate(), "missing", "'missing' is not a known named location: undetermined"),
    ])
    def test_reasons(self, facts: LocationFacts, location_id: str, text: str) -> None:
        """The reason names the fact, the location and the verdict."""
        assert facts.describe(location_id) == text

    def test_facts_are_values(self) -> None:
        """Placing the same sign-in twice gives equal, hashable facts."""
        assert locate("203.0.113.7", "NL") == locate("203.0.113.7", "NL")
        assert hash(locate("203.0.113.7", "NL")) == hash(locate("203.0.113.7", "NL"))


def _distinct(locations: list[NamedLocation]) -> list[NamedLocation]:
    """Keep the first location of each id (generated ids collide on purpose)."""
    seen: dict[str, NamedLocation] = {}
    for location in locations:
        seen.setdefault(location.id, location)
    return list(seen.values())


class TestProperties:
    """The index agrees with a naive scan over every range (entra-facts §4.1)."""

    @pytest.mark.parametrize(("network", "make_ip"), [
        ("198.51.100.0/27", lambda n: str(ipaddress.IPv4Address(0xC6336400 + n))),
        ("2001:db8::/123", lambda n: str(ipaddress.IPv6Address(0x20010DB8 << 96 | n))),
    ])
    @staticmethod
    @given(data=st.data())
    def test_index_agrees_with_naive_scan(network: str, make_ip: Callable[[int], str],
                                          data: st.DataObject) -> None:
        """An address is inside a location exactly when one of its ranges holds it."""
        ranges = ip_ranges(network=network)
        locations = data.draw(st.lists(ip_named_locations(ranges=ranges, max_ranges=5),
                                       max_size=5, unique_by=lambda loc: loc.id))
        index = LocationIndex.build(locations)
        for host in data.draw(st.lists(st.integers(0, 40), min_size=1, max_size=8)):
            ip = make_ip(host)
            facts = locate(ip, index=index)
            assert facts.inside == {loc.id for loc in locations if naive_inside(loc, ip)}
            assert facts.undetermined == frozenset()

    @staticmethod
    @given(st.lists(ip_named_locations(ranges=ip_ranges()), max_size=4), st.data())
    def test_index_agrees_with_naive_scan_at_range_edges(
            generated: list[NamedLocation], data: st.DataObject
    ) -> None:
        """Over the whole address space, range edges and their neighbours place correctly."""
        locations = [loc for loc in _distinct(generated) if isinstance(loc, IpNamedLocation)]
        index = LocationIndex.build(locations)
        edges = [(r.version, value) for loc in locations for r in loc.ip_ranges
                 for value in (r.first - 1, r.first, r.last, r.last + 1)]
        version, value = data.draw(st.sampled_from(edges) if edges else st.just((4, 1)))
        top = 2 ** (32 if version == 4 else 128)
        cls = ipaddress.IPv4Address if version == 4 else ipaddress.IPv6Address
        ip = str(cls(value % top))
        assert locate(ip, index=index).inside == {
            loc.id for loc in locations if naive_inside(loc, ip)}

    @staticmethod
    @given(st.lists(named_locations(), max_size=6),
           st.none() | st.sampled_from(["203.0.113.7", "2001:db8::1", "bogus"]),
           st.none() | st.sampled_from(["NL", "us", UNKNOWN_COUNTRY, "??"]),
           st.none() | st.sampled_from(["NL", "de", UNKNOWN_COUNTRY]),
           st.randoms(use_true_random=False))
    def test_facts_are_consistent_and_order_free(
            generated: list[NamedLocation], ip: str | None, country: str | None,
            gps: str | None, rnd: random.Random) -> None:
        """Inside and undetermined are disjoint known ids, and location order never matters."""
        locations = _distinct(generated)
        facts = locate(ip, country, gps, index=LocationIndex.build(locations))
        shuffled = list(locations)
        rnd.shuffle(shuffled)
        again = locate(ip, country, gps, index=LocationIndex.build(shuffled))
        assert not facts.inside & facts.undetermined
        assert facts.inside | facts.undetermined <= {loc.id for loc in locations}
        assert (again.inside, again.undetermined) == (facts.inside, facts.undetermined)
        for loc in locations:
            assert facts.describe(loc.id)

    @staticmethod
    @given(st.lists(named_locations(), max_size=6))
    def test_no_facts_leave_every_location_undetermined(generated: list[NamedLocation]
    ) -> None:
        """With no IP, country or GPS country, no location is decided either way."""
        locations = _distinct(generated)
        facts = locate(index=LocationIndex.build(locations))
        assert facts.inside == frozenset()
        assert facts.undetermined == {loc.id for loc in locations}


_TOP = {4: 2 ** 32 - 1, 6: 2 ** 128 - 1}
_WINDOW = 48
"""Width of the address window the generated ranges share, so they overlap a lot."""


def _text(version: int, value: int) -> str:
    return str(ipaddress.IPv4Address(value) if version == 4 else ipaddress.IPv6Address(value))


@st.composite
def _written_range(draw: st.DrawFn, bases: dict[int, int]) -> tuple[int, IpRange, int, int]:
    """A range inside one version's window: the version, the range, and its first and
    last address computed here with integers alone (the oracle does not use the
    model's parsing)."""
    version = draw(st.sampled_from([4, 6]))
    top, base = _TOP[version], bases[version]
    start = min(base + draw(st.integers(0, _WINDOW - 1)), top)
    if draw(st.booleans()):
        host_bits = draw(st.integers(0, 5))
        first = start >> host_bits << host_bits
        last = first | (1 << host_bits) - 1
        prefix = (32 if version == 4 else 128) - host_bits
        return version, IpRange.from_cidr(f"{_text(version, start)}/{prefix}"), first, last
    last = min(start + draw(st.integers(0, _WINDOW // 2)), top)
    return version, IpRange.from_bounds(_text(version, start), _text(version, last)), start, last


@st.composite
def _crowded_locations(draw: st.DrawFn
                       ) -> tuple[list[IpNamedLocation], dict[str, list[tuple[int, int, int]]]]:
    """Up to eight IP locations whose IPv4 and IPv6 ranges crowd into one small window
    per version (the bottom, the middle or the top of the address space), overlapping
    within and across locations; and each location's ``(version, first, last)``."""
    bases = {version: draw(st.sampled_from([0, 0xC6336400 if version == 4 else 0x20010DB8 << 96,
                                            _TOP[version] - _WINDOW + 1]))
             for version in (4, 6)}
    locations: list[IpNamedLocation] = []
    spans: dict[str, list[tuple[int, int, int]]] = {}
    for k in range(draw(st.integers(1, 8))):
        drawn = draw(st.lists(_written_range(bases), max_size=6))
        location_id = f"loc{k}"
        locations.append(IpNamedLocation(id=location_id, display_name=location_id,
                                          ip_ranges=[r for _, r, _, _ in drawn]))
        spans[location_id] = [(v, first, last) for v, _, first, last in drawn]
    return locations, spans


class TestStepFunction:
    """The compiled step function against a naive "address in any range" scan, over
    crowded, overlapping ranges (entra-facts §4.1: a sign-in is in a named location
    when its IP is in any of the location's ranges)."""

    @staticmethod
    @given(_crowded_locations(), st.data())
    def test_every_edge_and_random_address_agrees_with_a_naive_scan(
            drawn: tuple[list[IpNamedLocation], dict[str, list[tuple[int, int, int]]]],
            data: st.DataObject) -> None:
        """Each range's first and last address and their neighbours, and random
        addresses near the ranges, are in exactly the locations a range of which
        holds them."""
        locations, spans = drawn
        index = LocationIndex.build(locations)
        probes = {(v, x) for ranges in spans.values() for v, first, last in ranges
                  for x in (first - 1, first, last, last + 1) if 0 <= x <= _TOP[v]}
        for version in (4, 6):
            near = sorted(x for v, x in probes if v == version) or [0]
            probes |= {(version, data.draw(st.integers(max(near[0] - 3, 0),
                                                       min(near[-1] + 3, _TOP[version]))))
                       for _ in range(4)}
        for version, value in sorted(probes):
            expected = {location_id for location_id, ranges in spans.items()
                        if any(v == version and first <= value <= last
                               for v, first, last in ranges)}
            assert locate(_text(version, value), index=index).inside == expected, \
                (version, value)

    @staticmethod
    @given(_crowded_locations())
    def test_representative_addresses_are_in_the_sets_they_stand_for(
            drawn: tuple[list[IpNamedLocation], dict[str, list[tuple[int, int, int]]]]) -> None:
        """Every representative address is placed in exactly the set it is given
        with, the sets are distinct per version, and the empty set is among them."""
        locations, _ = drawn
        index = LocationIndex.build(locations)
        representatives = index.representative_ips()
        for ip, inside in representatives:
            assert locate(ip, index=index).inside == inside
        for version in (4, 6):
            sets = [inside for ip, inside in representatives
                    if ipaddress.ip_address(ip).version == version]
            assert len(sets) == len(set(sets))
            assert frozenset() in sets


def test_the_most_locations_float_keys_hold_still_place_every_address_exactly() -> None:
    """At 32,768 locations the IPv4 switch points need all 53 bits a float holds
    exactly: ranges at the top of the address space, each overlapping its
    neighbours by one address, place every address in exactly the locations whose
    range holds it."""
    count = 2 ** 15
    top = _TOP[4]
    spans = {f"loc{k}": (top - 2 * k - 2, top - 2 * k) for k in range(count)}
    locations = [IpNamedLocation(id=location_id, display_name=location_id,
                                 ip_ranges=[IpRange.from_bounds(_text(4, first),
                                                                _text(4, last))])
                 for location_id, (first, last) in spans.items()]
    index = LocationIndex.build(locations)
    for value in [*range(top - 2 * count - 3, top - 2 * count + 40), *range(top - 40, top + 1)]:
        expected = {location_id for location_id, (first, last) in spans.items()
                    if first <= value <= last}
        assert locate(_text(4, value), index=index).inside == expected, value


def test_a_pickled_index_places_addresses_as_the_original_does() -> None:
    """The compiled index is sent to worker processes: after a pickle round trip it
    places IPv4 and IPv6 addresses, inside overlaps and outside, the same way."""
    import pickle

    locations = [
        IpNamedLocation(id="a", display_name="a", ip_ranges=[
            IpRange.from_cidr("203.0.113.0/24"), IpRange.from_cidr("2001:db8::/48")]),
        IpNamedLocation(id="b", display_name="b", ip_ranges=[
            IpRange.from_bounds("203.0.113.128", "203.0.114.5"),
            IpRange.from_cidr("2001:db8::/64")]),
    ]
    index = LocationIndex.build(locations)
    copy = pickle.loads(pickle.dumps(index))
    for ip in ("203.0.112.255", "203.0.113.1", "203.0.113.200", "203.0.114.5", "203.0.114.6",
               "2001:db8::1", "2001:db8:0:1::1", "2001:db9::"):
        assert locate(ip, index=copy).inside == locate(ip, index=index).inside, ip
    assert locate("203.0.113.200", index=copy).inside == {"a", "b"}
