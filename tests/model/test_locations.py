"""Named location models: IP ranges, IP, country and compliant network locations."""

from __future__ import annotations

import ipaddress
import pickle
import re

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from protected_actions.errors import InvalidModelError
from protected_actions.model import locations
from protected_actions.model.frozen import FrozenDict
from protected_actions.model.locations import (
    AUTHENTICATOR_APP_GPS,
    CLIENT_IP_ADDRESS,
    UNKNOWN_COUNTRY,
    CompliantNetworkNamedLocation,
    CountryNamedLocation,
    IpNamedLocation,
    IpRange,
)
from protected_actions.strategies._locations import (
    compliant_network_named_locations,
    country_named_locations,
    ip_named_locations,
    ip_ranges,
    named_locations,
)


def naive_contains(ip_range: IpRange, ip_text: str) -> bool:
    """Membership computed by :mod:`ipaddress` alone, independently of the model."""
    address = ipaddress.ip_address(ip_text)
    if ip_range.cidr_address is not None:
        network = ipaddress.ip_network(ip_range.cidr_address, strict=False)
        return address.version == network.version and address in network
    assert ip_range.lower_address is not None
    assert ip_range.upper_address is not None
    lower = ipaddress.ip_address(ip_range.lower_address)
    upper = ipaddress.ip_address(ip_range.upper_address)
    return address.version == lower.version and int(lower) <= int(address) <= int(upper)


class TestIpRangeCidr:
    """entra-facts §4.1: ``iPv4CidrRange`` / ``iPv6CidrRange`` with ``cidrAddress``."""

    def test_ipv4_cidr_with_host_bits_covers_its_network(self) -> None:
        """Graph's own example "12.34.221.11/22" covers 12.34.220.0 to 12.34.223.255."""
        r = IpRange.from_cidr("12.34.221.11/22")
        assert (r.version, r.first, r.last) == (4, int(ipaddress.IPv4Address("12.34.220.0")),
                                                int(ipaddress.IPv4Address("12.34.223.255")))

    def test_cidr_text_is_kept_exactly(self) -> None:
        """The written CIDR is kept byte for byte, host bits and all."""
        r = IpRange.from_cidr("12.34.221.11/22")
        assert (r.kind, r.cidr_address, r.lower_address, r.upper_address) == (
            "cidr", "12.34.221.11/22", None, None)

    def test_ipv6_cidr_in_long_form_is_kept_and_understood(self) -> None:
        """Graph's IPv6 example "2001:0:9d38:90d6:0:0:0:0/63" keeps its spelling."""
        r = IpRange.from_cidr("2001:0:9d38:90d6:0:0:0:0/63")
        assert r.cidr_address == "2001:0:9d38:90d6:0:0:0:0/63"
        assert r.version == 6
        assert r.contains("2001:0:9d38:90d7:ffff:ffff:ffff:ffff")
        assert not r.contains("2001:0:9d38:90d8::")

    def test_ipv4_slash_32_holds_exactly_one_address(self) -> None:
        """A /32 (as in real exports, "192.168.1.2/32") holds only its address."""
        r = IpRange.from_cidr("192.168.1.2/32")
        assert r.first == r.last
        assert r.contains("192.168.1.2")
        assert not r.contains("192.168.1.1")
        assert not r.contains("192.168.1.3")

    def test_ipv6_slash_128_holds_exactly_one_address(self) -> None:
        """A /128 ("2001:db8::1/128", the facts' example) holds only its address."""
        r = IpRange.from_cidr("2001:db8::1/128")
        assert r.first == r.last
        assert r.contains("2001:db8::1")
        assert not r.contains("2001:db8::2")

    def test_address_of_other_version_is_not_contained(self) -> None:
        """An IPv6 address is never inside an IPv4 range, and the other way round."""
        assert not IpRange.from_cidr("0.0.0.0/0").contains("::1")
        assert not IpRange.from_cidr("::/0").contains("10.0.0.1")

    def test_ipv4_mapped_ipv6_address_counts_as_its_ipv4_address(self) -> None:
        """``::ffff:203.0.113.7`` is the IPv4 host 203.0.113.7, so an IPv4 range holds it."""
        assert IpRange.from_cidr("203.0.113.0/24").contains("::ffff:203.0.113.7")

    def test_eight_bit_masks_are_accepted(self) -> None:
        """The Graph limit "only masks greater than /8" is left to linting, so /8 loads."""
        assert IpRange.from_cidr("10.0.0.0/8").contains("10.255.255.255")

    @pytest.mark.parametrize("text", [
        "12.34.221.11", "12.34.221.11/33", "2001:db8::/129", "12.34.221.256/24",
        "12.34.221.11/ 22", "12.34.221.11/-1", "12.34.221.11/255.255.0.0", "fe80::1%eth0/64",
        "", "/24", "not an address/24",
    ])
    def test_error_when_cidr_is_malformed(self, text: str) -> None:
        """A string that is not an IPv4/IPv6 CIDR names the field and the expected form."""
        with pytest.raises(InvalidModelError) as info:
            IpRange.from_cidr(text)
        assert info.value.field == "IpRange.cidr_address"
        assert "CIDR" in info.value.expected
        assert info.value.value == text

    def test_error_when_cidr_is_not_a_string(self) -> None:
        """A non-string CIDR is rejected with InvalidModelError, not a TypeError."""
        with pytest.raises(InvalidModelError, match=r"IpRange\.cidr_address"):
            IpRange(cidr_address=24)  # type: ignore[arg-type]


class TestIpRangeBounds:
    """entra-facts §4.1: the CSDL's ``iPv4Range`` / ``iPv6Range`` with lower/upper."""

    def test_bounds_are_both_included(self) -> None:
        """Both the lower and the upper address are inside the range."""
        r = IpRange.from_bounds("198.51.100.10", "198.51.100.20")
        assert (r.kind, r.lower_address, r.upper_address) == (
            "range", "198.51.100.10", "198.51.100.20")
        assert r.contains("198.51.100.10")
        assert r.contains("198.51.100.20")
        assert not r.contains("198.51.100.9")
        assert not r.contains("198.51.100.21")

    def test_ipv6_bounds_keep_their_spelling(self) -> None:
        """IPv6 bounds are kept as written and compared as numbers."""
        r = IpRange.from_bounds("2001:0db8::1", "2001:db8::ff")
        assert r.lower_address == "2001:0db8::1"
        assert r.version == 6
        assert r.contains("2001:db8::80")

    def test_single_address_range(self) -> None:
        """Equal bounds make a one-address range."""
        assert IpRange.from_bounds("192.0.2.1", "192.0.2.1").first == int(
            ipaddress.IPv4Address("192.0.2.1"))

    @pytest.mark.parametrize(("kwargs", "field"), [
        ({"lower_address": "192.0.2.9", "upper_address": "192.0.2.1"}, "IpRange.upper_address"),
        ({"lower_address": "192.0.2.1", "upper_address": "2001:db8::1"},
         "IpRange.upper_address"),
        ({"lower_address": "192.0.2.1"}, "IpRange.upper_address"),
        ({"upper_address": "192.0.2.1"}, "IpRange.lower_address"),
        ({"lower_address": "192.0.2.x", "upper_address": "192.0.2.1"}, "IpRange.lower_address"),
        ({"lower_address": "192.0.2.0/24", "upper_address": "192.0.2.1"},
         "IpRange.lower_address"),
        ({}, "IpRange.cidr_address"),
        ({"cidr_address": "192.0.2.0/24", "lower_address": "192.0.2.1",
          "upper_address": "192.0.2.2"}, "IpRange.cidr_address"),
    ])
    def test_error_when_bounds_are_inconsistent(self, kwargs: dict[str, str],
                                                field: str) -> None:
        """Reversed, mixed-version, missing, malformed or doubled forms are rejected."""
        with pytest.raises(InvalidModelError) as info:
            IpRange(**kwargs)
        assert info.value.field == field

    @staticmethod
    @given(st.lists(st.text("0123456789", max_size=4), min_size=1, max_size=5).map(".".join)
           | st.text("0123456789.:abcdef", max_size=12))
    def test_address_parsing_agrees_with_ipaddress(text: str) -> None:
        """An address is accepted, with the same value, exactly when :mod:`ipaddress` does."""
        try:
            expected: int | None = int(ipaddress.ip_address(text))
        except ValueError:
            expected = None
        try:
            got: int | None = IpRange.from_bounds(text, text).first
        except InvalidModelError:
            got = None
        assert got == expected

    def test_contains_rejects_text_that_is_not_an_address(self) -> None:
        """Asking about a malformed address raises rather than answering ``False``."""
        with pytest.raises(InvalidModelError, match="ip_address"):
            IpRange.from_cidr("192.0.2.0/24").contains("192.0.2")


class TestIpRangeValue:
    """Value semantics of :class:`IpRange`."""

    def test_equal_by_written_form_and_hashable(self) -> None:
        """Two ranges written alike are equal and hash alike."""
        assert IpRange.from_cidr("192.0.2.0/24") == IpRange.from_cidr("192.0.2.0/24")
        assert len({IpRange.from_cidr("192.0.2.0/24"), IpRange.from_cidr("192.0.2.0/24")}) == 1

    def test_different_spellings_are_different_values(self) -> None:
        """The model keeps what was written, so two spellings of one network differ."""
        assert IpRange.from_cidr("192.0.2.0/24") != IpRange.from_cidr("192.0.2.1/24")

    def test_repr_shows_the_written_form(self) -> None:
        """The repr is short and can be pasted back as code."""
        assert repr(IpRange.from_cidr("192.0.2.0/24")) == "IpRange(cidr_address='192.0.2.0/24')"
        assert repr(IpRange.from_bounds("192.0.2.1", "192.0.2.9")) == (
            "IpRange(lower_address='192.0.2.1', upper_address='192.0.2.9')")

    def test_is_frozen(self) -> None:
        """Assigning to a field fails."""
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            IpRange.from_cidr("192.0.2.0/24").first = 0  # type: ignore[misc]

    def test_evolve_recomputes_the_bounds(self) -> None:
        """``attrs.evolve`` gives a range whose numbers follow the new text."""
        r = attrs.evolve(IpRange.from_cidr("192.0.2.0/24"), cidr_address="192.0.2.0/25")
        assert r.last == int(ipaddress.IPv4Address("192.0.2.127"))

    def test_pickles(self) -> None:
        """A pickled range comes back equal, with its numbers."""
        r = IpRange(cidr_address="192.0.2.0/24", unmodelled={"description": "HQ"})
        back = pickle.loads(pickle.dumps(r))
        assert back == r
        assert back.last == r.last

    def test_unmodelled_properties_are_frozen(self) -> None:
        """Properties a JSON layer could not map (a range "description") stay hashable."""
        r = IpRange(cidr_address="192.0.2.0/24", unmodelled={"tags": ["a", {"b": 1}]})
        assert r.unmodelled == FrozenDict({"tags": ("a", FrozenDict({"b": 1}))})
        assert hash(r) == hash(IpRange(cidr_address="192.0.2.0/24",
                                       unmodelled={"tags": ["a", {"b": 1}]}))
        assert "unmodelled=" in repr(r)

    def test_error_when_unmodelled_is_not_a_mapping(self) -> None:
        """``unmodelled`` must map JSON property names to JSON values."""
        with pytest.raises(InvalidModelError, match=r"IpRange\.unmodelled"):
            IpRange(cidr_address="192.0.2.0/24", unmodelled=[1])

    @staticmethod
    @given(ip_ranges(), st.data())
    def test_contains_agrees_with_ipaddress(r: IpRange, data: st.DataObject) -> None:
        """Membership near and at the edges matches :mod:`ipaddress`'s own answer."""
        cls = ipaddress.IPv4Address if r.version == 4 else ipaddress.IPv6Address
        top = 2 ** (32 if r.version == 4 else 128) - 1
        value = data.draw(st.sampled_from([r.first, r.last, max(r.first - 1, 0),
                                           min(r.last + 1, top)]) | st.integers(0, top))
        text = str(cls(value))
        assert r.contains(text) is naive_contains(r, text)


class TestIpNamedLocation:
    """entra-facts §4.1: ``ipNamedLocation``."""

    def test_defaults_follow_graph(self) -> None:
        """``isTrusted`` defaults to false and times to not given."""
        hq = IpNamedLocation(id="hq", display_name="HQ")
        assert (hq.ip_ranges, hq.is_trusted, hq.created_date_time, hq.modified_date_time) == (
            (), False, None, None)
        assert hq.unmodelled == FrozenDict()

    def test_ranges_become_a_tuple(self) -> None:
        """Any iterable of ranges is stored as a tuple."""
        hq = IpNamedLocation(id="hq", display_name="HQ",
                             ip_ranges=[IpRange.from_cidr("203.0.113.0/24")])
        assert hq.ip_ranges == (IpRange.from_cidr("203.0.113.0/24"),)

    def test_contains_checks_every_range(self) -> None:
        """An address in any one range is in the location."""
        hq = IpNamedLocation(id="hq", display_name="HQ", ip_ranges=(
            IpRange.from_cidr("203.0.113.0/25"), IpRange.from_cidr("2001:db8::/48")))
        assert hq.contains("203.0.113.127")
        assert hq.contains("2001:db8::9")
        assert not hq.contains("203.0.113.128")

    def test_times_are_kept_as_given(self) -> None:
        """``createdDateTime`` text is kept exactly, seven fractional digits and all."""
        hq = IpNamedLocation(id="hq", display_name="HQ",
                             created_date_time="2026-08-09T12:39:54.3332856Z")
        assert hq.created_date_time == "2026-08-09T12:39:54.3332856Z"

    @pytest.mark.parametrize(("kwargs", "field"), [
        ({"id": "", "display_name": "HQ"}, "IpNamedLocation.id"),
        ({"id": "hq", "display_name": None}, "IpNamedLocation.display_name"),
        ({"id": "hq", "display_name": "HQ", "ip_ranges": "10.0.0.0/8"},
         "IpNamedLocation.ip_ranges"),
        ({"id": "hq", "display_name": "HQ", "ip_ranges": ["10.0.0.0/8"]},
         "IpNamedLocation.ip_ranges"),
        ({"id": "hq", "display_name": "HQ", "is_trusted": "true"}, "IpNamedLocation.is_trusted"),
        ({"id": "hq", "display_name": "HQ", "created_date_time": 5},
         "IpNamedLocation.created_date_time"),
    ])
    def test_error_when_a_field_is_invalid(self, kwargs: dict[str, object], field: str) -> None:
        """Each invalid field is named in the error."""
        with pytest.raises(InvalidModelError, match=re.escape(field)):
            IpNamedLocation(**kwargs)  # type: ignore[arg-type]


class TestCountryNamedLocation:
    """entra-facts §4.2: ``countryNamedLocation``."""

    def test_defaults_follow_graph(self) -> None:
        """Unknown countries are excluded and the client IP is the default lookup."""
        loc = CountryNamedLocation(id="c", display_name="C", countries_and_regions=["NL"])
        assert loc.include_unknown_countries_and_regions is False
        assert loc.country_lookup_method == CLIENT_IP_ADDRESS == "clientIpAddress"
        assert loc.is_trusted is False

    def test_codes_keep_their_case_and_compare_case_insensitively(self) -> None:
        """Codes are stored as written but ``nl`` and ``NL`` are the same country."""
        loc = CountryNamedLocation(id="c", display_name="C", countries_and_regions=["nl", "US"])
        assert loc.countries_and_regions == ("nl", "US")
        assert loc.includes_country("NL")
        assert loc.includes_country("us")
        assert not loc.includes_country("GB")

    def test_unknown_country_needs_include_unknown(self) -> None:
        """An address mapping to no country matches only with the include-unknown flag."""
        plain = CountryNamedLocation(id="c", display_name="C", countries_and_regions=["NL"])
        wide = attrs.evolve(plain, include_unknown_countries_and_regions=True)
        assert not plain.includes_country(UNKNOWN_COUNTRY)
        assert wide.includes_country(UNKNOWN_COUNTRY)
        assert wide.includes_country("Unknown")

    def test_lookup_methods_are_graph_vocabulary(self) -> None:
        """GPS lookup and a future value are kept as the strings Graph sends."""
        gps = CountryNamedLocation(id="g", display_name="G",
                                   country_lookup_method=AUTHENTICATOR_APP_GPS)
        future = CountryNamedLocation(id="f", display_name="F",
                                      country_lookup_method="unknownFutureValue")
        assert gps.country_lookup_method == "authenticatorAppGps"
        assert future.country_lookup_method == "unknownFutureValue"

    @pytest.mark.parametrize("codes", [["NLD"], ["N"], ["1A"], [""], "NL", [None]])
    def test_error_when_a_code_is_not_two_letters(self, codes: object) -> None:
        """Codes must be two-letter ISO 3166 codes; a bare string is not a list of them."""
        with pytest.raises(InvalidModelError,
                           match=r"CountryNamedLocation\.countries_and_regions"):
            CountryNamedLocation(id="c", display_name="C",
                                 countries_and_regions=codes)

    def test_error_when_lookup_method_is_empty(self) -> None:
        """An empty lookup method is not Graph vocabulary."""
        with pytest.raises(InvalidModelError,
                           match=r"CountryNamedLocation\.country_lookup_method"):
            CountryNamedLocation(id="c", display_name="C", country_lookup_method="")


class TestCompliantNetworkNamedLocation:
    """Global Secure Access compliant network, as found in real exports (entra-facts §4.3)."""

    def test_defaults(self) -> None:
        """The network type defaults to all of the tenant's compliant networks."""
        loc = CompliantNetworkNamedLocation(id="n", display_name="All Compliant Network locations")
        assert loc.compliant_network_type == "allTenantCompliantNetworks"
        assert loc.is_trusted is False

    def test_error_when_id_is_empty(self) -> None:
        """An empty id is rejected."""
        with pytest.raises(InvalidModelError, match=r"CompliantNetworkNamedLocation\.id"):
            CompliantNetworkNamedLocation(id="", display_name="N")


class TestModule:
    """The public surface of :mod:`protected_actions.model.locations`."""

    def test_all_is_sorted_and_is_what_dir_shows(self) -> None:
        """``__all__`` is sorted and ``dir()`` shows exactly it."""
        assert locations.__all__ == sorted(locations.__all__)
        assert dir(locations) == locations.__all__

    def test_unknown_country_constant(self) -> None:
        """The session value for "no country" is the string ``unknown``."""
        assert UNKNOWN_COUNTRY == "unknown"


class TestGeneratedModels:
    """Property tests over the public strategies."""

    @staticmethod
    @given(named_locations())
    def test_models_are_equal_and_hash_by_value(loc: locations.NamedLocation) -> None:
        """A rebuilt copy of any location is equal to it and hashes alike."""
        copy = attrs.evolve(loc)
        assert copy == loc
        assert copy is not loc
        assert hash(copy) == hash(loc)
        assert pickle.loads(pickle.dumps(loc)) == loc

    @staticmethod
    @given(ip_named_locations(ranges=ip_ranges(network="198.51.100.0/28")),
           st.integers(0, 15))
    def test_location_contains_agrees_with_its_ranges(loc: IpNamedLocation,
                                                      host: int) -> None:
        """A location holds an address exactly when one of its ranges does."""
        text = f"198.51.100.{host}"
        assert loc.contains(text) is any(naive_contains(r, text) for r in loc.ip_ranges)

    @staticmethod
    @given(ip_ranges(v=6, network="2001:db8::/120", kind="range"))
    def test_ip_ranges_respect_their_arguments(r: IpRange) -> None:
        """``v``, ``network`` and ``kind`` restrict what is generated."""
        network = ipaddress.ip_network("2001:db8::/120")
        assert r.kind == "range"
        assert r.version == 6
        assert int(network.network_address) <= r.first <= r.last <= int(
            network.broadcast_address)

    @staticmethod
    @given(country_named_locations(min_countries=1), compliant_network_named_locations())
    def test_generated_locations_are_valid(country: CountryNamedLocation,
                                           network: CompliantNetworkNamedLocation) -> None:
        """Generated locations pass their validators and honour the size bounds."""
        assert 1 <= len(country.countries_and_regions) <= 4
        attrs.validate(country)
        attrs.validate(network)

    @pytest.mark.parametrize("strategy", [
        ip_ranges(v=5),  # type: ignore[arg-type]
        ip_ranges(kind="cidrs"),  # type: ignore[arg-type]
        ip_ranges(network="198.51.100.0/33"),
        ip_ranges(v=6, network="198.51.100.0/24"),
        ip_named_locations(min_ranges=3, max_ranges=2),
        country_named_locations(min_countries=-1),
        named_locations(compliant_networks=None),  # type: ignore[arg-type]
    ])
    def test_error_when_strategy_arguments_are_invalid(
        self, strategy: st.SearchStrategy[object]
    ) -> None:
        """Invalid arguments raise InvalidArgument when the strategy is first drawn from."""

        @given(strategy)
        def draw(value: object) -> None:
            """Draw one value."""

        with pytest.raises(InvalidArgument):
            draw()


_OCTET_TEXTS = st.one_of(
    st.integers(0, 300).map(str),
    st.integers(0, 255).map(lambda n: f"0{n}"),          # a leading zero
    st.sampled_from(["", " 1", "1 ", "+1", "-1", "0x1", "\u0661", "1\n", "25\u0665"]),
)
_PREFIX_TEXTS = st.one_of(
    st.integers(0, 40).map(str),
    st.integers(0, 40).map(lambda n: f"{n:03d}"),
    st.sampled_from(["", "0008", " 8", "8 ", "\u0668", "+8", "8/8"]),
)


@st.composite
def _v4_cidr_texts(draw: st.DrawFn) -> str:
    """An IPv4 CIDR, often damaged in one place: an octet or the prefix spelled
    otherwise, or an octet too many or too few."""
    octets = [str(draw(st.integers(0, 255))) for _ in range(4)]
    prefix = str(draw(st.integers(0, 32)))
    damage = draw(st.sampled_from(["none", "octet", "prefix", "more", "fewer"]))
    if damage == "octet":
        octets[draw(st.integers(0, 3))] = draw(_OCTET_TEXTS)
    elif damage == "prefix":
        prefix = draw(_PREFIX_TEXTS)
    elif damage == "more":
        octets.append(draw(_OCTET_TEXTS))
    elif damage == "fewer":
        octets.pop()
    return ".".join(octets) + "/" + prefix


class TestIpv4CidrReading:
    """The table-driven reader of IPv4 CIDRs accepts exactly the regular expression
    it replaces, and reads the same numbers as :mod:`ipaddress`."""

    @staticmethod
    @given(_v4_cidr_texts())
    def test_the_same_texts_and_numbers(text: str) -> None:
        read = locations._v4_cidr(text)
        match = locations._V4_CIDR.fullmatch(text)
        if match is None or int(match[5]) > 32:
            assert read is None
            return
        prefix = text.partition("/")[2]
        network = ipaddress.IPv4Interface(text)
        assert read == (int(network.ip), network.network.prefixlen,
                        prefix == str(int(prefix)))
        if read[2]:
            assert locations._v4_cidr_text(read[0], read[1]) == text
