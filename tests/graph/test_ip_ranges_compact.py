"""The direct reading of ``ipRanges`` in Graph's own shape gives what the general
loader gives: the same models, the same round trip, the same errors with paths."""

from __future__ import annotations

import pickle
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from protected_actions import IpNamedLocation, IpRange, dump_tenant, load_tenant
from protected_actions.errors import LoadError
from protected_actions.graph._schemas import _read_plain_range
from protected_actions.model.locations import IpRanges, IpRangesBuilder

V4_CIDR = "#microsoft.graph.iPv4CidrRange"
V6_CIDR = "#microsoft.graph.iPv6CidrRange"
V4_RANGE = "#microsoft.graph.iPv4Range"
V6_RANGE = "#microsoft.graph.iPv6Range"


def _bundle(ranges: list[Any]) -> dict[str, Any]:
    return {"namedLocations": [{"@odata.type": "#microsoft.graph.ipNamedLocation",
                                "id": "n", "displayName": "N", "ipRanges": ranges}]}


def _general(ranges: list[Any]) -> IpNamedLocation:
    """The location as the general path builds it: one IpRange per item."""
    location = load_tenant(_bundle(ranges)).named_locations[0]
    assert isinstance(location, IpNamedLocation)
    return location


def _problems(ranges: list[Any]) -> list[tuple[str, str]]:
    with pytest.raises(LoadError) as caught:
        load_tenant(_bundle(ranges))
    return [(p.path, p.message) for p in caught.value.problems]


PLAIN = [
    {"@odata.type": V4_CIDR, "cidrAddress": "12.34.221.11/22"},
    {"@odata.type": V6_CIDR, "cidrAddress": "2001:db8::/48"},
    {"@odata.type": V4_RANGE, "lowerAddress": "10.0.0.1", "upperAddress": "10.0.0.9"},
    {"@odata.type": V6_RANGE, "lowerAddress": "2001:db8::1", "upperAddress": "2001:db8::9"},
]


class TestDirectReading:
    def test_plain_items_take_the_direct_path(self) -> None:
        """Each of Graph's four shapes is read without the general loader."""
        builder = IpRangesBuilder()
        assert [_read_plain_range(builder, item) for item in PLAIN] == [True] * 4

    @pytest.mark.parametrize("item", [
        {"@odata.type": V4_CIDR, "cidrAddress": "12.34.221.11/22", "description": "x"},
        {"@odata.type": V4_CIDR.upper(), "cidrAddress": "10.0.0.0/8"},   # tag spelled otherwise
        {"@odata.type": V6_CIDR, "cidrAddress": "10.0.0.0/8"},           # tag of the other version
        {"@odata.type": V4_CIDR, "cidrAddress": "10.0.0.300/8"},         # not an address
        {"@odata.type": V4_CIDR, "cidrAddress": " 10.0.0.0/8"},          # padding
        {"@odata.type": V4_CIDR, "cidraddress": "10.0.0.0/8"},           # key in other case
        {"@odata.type": V4_RANGE, "lowerAddress": "10.0.0.9", "upperAddress": "10.0.0.1"},
        {"@odata.type": V4_CIDR, "lowerAddress": "10.0.0.1", "upperAddress": "10.0.0.9"},
        {"@odata.type": V4_CIDR, "cidrAddress": None},
        {"cidrAddress": "10.0.0.0/8", "description": "untagged"},
        ["10.0.0.0/8"],
    ])
    def test_anything_else_is_left_to_the_general_loader(self, item: Any) -> None:
        builder = IpRangesBuilder()
        assert _read_plain_range(builder, item) is False
        assert len(builder.build()) == 0

    def test_the_same_models_as_ranges_built_one_by_one(self) -> None:
        location = _general(PLAIN)
        built = (IpRange.from_cidr("12.34.221.11/22"), IpRange.from_cidr("2001:db8::/48"),
                 IpRange.from_bounds("10.0.0.1", "10.0.0.9"),
                 IpRange.from_bounds("2001:db8::1", "2001:db8::9"))
        assert location.ip_ranges == built
        assert location == IpNamedLocation(id="n", display_name="N", ip_ranges=built)
        assert hash(location) == hash(IpNamedLocation(id="n", display_name="N",
                                                      ip_ranges=built))
        assert [r.version for r in location.ip_ranges] == [4, 6, 4, 6]

    def test_mixed_items_keep_their_order_and_properties(self) -> None:
        ranges = [PLAIN[0], {"@odata.type": V4_CIDR, "cidrAddress": "198.51.100.0/24",
                             "description": "branch"}, PLAIN[2]]
        location = _general(ranges)
        assert [r.unmodelled for r in location.ip_ranges] == [{}, {"description": "branch"}, {}]
        assert dump_tenant(load_tenant(_bundle(ranges)))["namedLocations"][0]["ipRanges"] == \
            ranges

    def test_round_trip_is_exact(self) -> None:
        assert dump_tenant(load_tenant(_bundle(PLAIN)))["namedLocations"][0]["ipRanges"] == PLAIN

    def test_the_direct_writer_writes_what_the_general_one_writes(self) -> None:
        """Each range without unmodelled properties is written as the general
        writer writes the IpRange, for a normal dump and for a create body."""
        from protected_actions.graph._converter import shared_converter

        ranges = [*PLAIN, {"@odata.type": V6_CIDR, "cidrAddress": "::ffff:192.0.2.0/120"},
                  {"@odata.type": V4_CIDR, "cidrAddress": "0.0.0.0/0", "note": [1]}]
        location = _general(ranges)
        for for_create in (False, True):
            dumped = dump_tenant(load_tenant(_bundle(ranges)), for_create=for_create)
            general = [shared_converter(for_create=for_create).unstructure(r)
                       for r in location.ip_ranges]
            assert dumped["namedLocations"][0]["ipRanges"] == general
        assert dumped["namedLocations"][0]["ipRanges"] == ranges

    def test_errors_keep_their_paths(self) -> None:
        problems = _problems([PLAIN[0],
                              {"@odata.type": V4_CIDR, "cidrAddress": "10.0.0.300/8"},
                              {"@odata.type": V6_CIDR, "cidrAddress": "10.0.0.0/8"},
                              {"@odata.type": V4_RANGE, "lowerAddress": "10.0.0.9",
                               "upperAddress": "10.0.0.1"}])
        assert [path for path, _ in problems] == [
            "$.namedLocations[0].ipRanges[1].cidrAddress",
            "$.namedLocations[0].ipRanges[2]['@odata.type']",
            "$.namedLocations[0].ipRanges[3].upperAddress",
        ]
        assert "10.0.0.300/8" in problems[0][1]
        assert "does not match" in problems[1][1]

    def test_contains_reads_the_compact_bounds(self) -> None:
        location = _general(PLAIN)
        assert location.contains("12.34.223.255") and not location.contains("12.34.224.0")
        assert location.contains("2001:db8:0:ffff::1") and not location.contains("2001:db8:1::")
        assert location.contains("10.0.0.5") and not location.contains("10.0.0.10")


@st.composite
def _graph_ranges(draw: st.DrawFn) -> dict[str, Any]:
    v6 = draw(st.booleans())
    bits = 128 if v6 else 32
    value = draw(st.integers(0, (1 << bits) - 1))
    import ipaddress
    text = str(ipaddress.IPv6Address(value) if v6 else ipaddress.IPv4Address(value))
    if draw(st.booleans()):
        prefix = draw(st.integers(0, bits + 2))  # a few invalid prefixes
        item: dict[str, Any] = {"@odata.type": V6_CIDR if v6 else V4_CIDR,
                                "cidrAddress": f"{text}/{prefix}"}
    else:
        other = draw(st.integers(0, (1 << bits) - 1))
        upper = str(ipaddress.IPv6Address(other) if v6 else ipaddress.IPv4Address(other))
        item = {"@odata.type": V6_RANGE if v6 else V4_RANGE,
                "lowerAddress": text, "upperAddress": upper}
    if draw(st.booleans()):
        item["@odata.type"] = draw(st.sampled_from([V4_CIDR, V6_CIDR, V4_RANGE, V6_RANGE]))
    return item


class TestEquivalence:
    @staticmethod
    @given(st.lists(_graph_ranges(), max_size=6))
    def test_direct_and_general_paths_agree(ranges: list[dict[str, Any]]) -> None:
        """Reading item by item through the general loader (an unknown property on
        each forces it) gives the same ranges, or the same errors at the same paths."""
        general = [{**item, "x": 1} for item in ranges]
        try:
            direct_location = _general(ranges)
        except LoadError as exc:
            direct_paths = sorted(p.path for p in exc.problems)
            with pytest.raises(LoadError) as caught:
                _general(general)
            assert sorted(p.path for p in caught.value.problems) == direct_paths
            return
        general_location = _general(general)
        assert [(r.cidr_address, r.lower_address, r.upper_address, r.version, r.first, r.last)
                for r in direct_location.ip_ranges] == \
            [(r.cidr_address, r.lower_address, r.upper_address, r.version, r.first, r.last)
             for r in general_location.ip_ranges]
        dumped = dump_tenant(load_tenant(_bundle(ranges)))["namedLocations"][0]
        assert dumped.get("ipRanges", []) == ranges


class TestIpRanges:
    def test_a_sequence_equal_to_its_tuple(self) -> None:
        items = (IpRange.from_cidr("10.0.0.0/8"),
                 IpRange(cidr_address="2001:db8::/32", unmodelled={"a": 1}))
        ranges = IpRanges(items)
        assert ranges == items and items == ranges and ranges == IpRanges(items)
        assert ranges != items[:1] and ranges != list(items)
        assert hash(ranges) == hash(items)
        assert ranges[1] == items[1] and ranges[-1] == items[1] and ranges[:1] == items[:1]
        assert items[1] in ranges and ranges.index(items[1]) == 1
        assert repr(ranges) == repr(items)
        assert pickle.loads(pickle.dumps(ranges)) == ranges
        with pytest.raises(IndexError):
            ranges[2]

    def test_unmodelled_properties_make_ranges_differ(self) -> None:
        plain = IpRanges([IpRange.from_cidr("10.0.0.0/8")])
        described = IpRanges([IpRange(cidr_address="10.0.0.0/8", unmodelled={"d": "x"})])
        assert plain != described

    def test_cidr_and_bounds_of_the_same_addresses_differ(self) -> None:
        """As for IpRange, how a range was written is part of its value."""
        assert IpRanges([IpRange.from_cidr("10.0.0.0/31")]) != \
            IpRanges([IpRange.from_bounds("10.0.0.0", "10.0.0.1")])

    def test_only_ip_ranges_are_accepted(self) -> None:
        with pytest.raises(Exception, match="IpRange"):
            IpRanges(["10.0.0.0/8"])  # type: ignore[list-item]

    @pytest.mark.parametrize("text", [
        "12.34.221.11/22", "0.0.0.0/0", "255.255.255.255/32", "10.0.0.0/8",
        "10.0.0.0/08", "10.0.0.0/008", "10.0.0.0/00", "192.0.2.1/032",
    ])
    def test_an_ipv4_cidr_kept_as_numbers_gives_its_text_back(self, text: str) -> None:
        """The usual spelling is stored as address and prefix, any other as text; both
        read back exactly as written, by either path, and compare equal."""
        direct = _general([{"@odata.type": V4_CIDR, "cidrAddress": text}]).ip_ranges
        built = IpRanges([IpRange.from_cidr(text)])
        assert [r.cidr_address for r in direct] == [r.cidr_address for r in built] == [text]
        assert list(direct.written()) == [(text, None)]
        assert direct == built and hash(direct) == hash(built)

    def test_equal_addresses_written_differently_differ(self) -> None:
        """``/8`` and ``/08`` cover the same addresses but are not the same text."""
        assert IpRanges([IpRange.from_cidr("10.0.0.0/8")]) != \
            IpRanges([IpRange.from_cidr("10.0.0.0/08")])
