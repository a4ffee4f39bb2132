"""Hypothesis strategies for named locations and their IP ranges.

Everything is composed bottom-up from integers, booleans and sampled values, so
nothing is filtered away and each part shrinks on its own. Ids come from a tiny
alphabet by default, so that generated collections of locations collide on ids
and tests meet that case often.
"""

from __future__ import annotations

import ipaddress
from typing import Literal, TypeVar

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from protected_actions.model.locations import (
    AUTHENTICATOR_APP_GPS,
    CLIENT_IP_ADDRESS,
    CompliantNetworkNamedLocation,
    CountryNamedLocation,
    IpNamedLocation,
    IpRange,
    NamedLocation,
)

__all__ = [
    "compliant_network_named_locations",
    "country_named_locations",
    "ip_named_locations",
    "ip_ranges",
    "named_locations",
]


def __dir__() -> list[str]:
    return __all__


T = TypeVar("T")
_Network = ipaddress.IPv4Network | ipaddress.IPv6Network
_WHOLE: dict[int, _Network] = {4: ipaddress.IPv4Network("0.0.0.0/0"),
                               6: ipaddress.IPv6Network("::/0")}
_COUNTRIES = ("NL", "US", "GB", "DE", "FR", "BE")
_TIMES = ("2024-01-01T00:00:00Z", "2026-07-31T04:12:03.2698345Z")


def _or(given: st.SearchStrategy[T] | None, default: st.SearchStrategy[T]) -> st.SearchStrategy[T]:
    return default if given is None else given


def _default_ids() -> st.SearchStrategy[str]:
    return st.text(alphabet="abc", min_size=1, max_size=2)


def _default_names() -> st.SearchStrategy[str]:
    return st.text(max_size=12)


def _times() -> st.SearchStrategy[str | None]:
    return st.none() | st.sampled_from(_TIMES)


# -- IP ranges -------------------------------------------------------------------------


def ip_ranges(
    *,
    v: Literal[4, 6] | None = None,
    network: str | None = None,
    kind: Literal["cidr", "range"] | None = None,
) -> st.SearchStrategy[IpRange]:
    """Generate IP ranges, written as CIDRs (host bits often set) or lower/upper pairs.

    :param v: only IPv4 (4) or only IPv6 (6) ranges; both by default.
    :param network: a CIDR every generated range lies inside (``"198.51.100.0/24"``);
        a small network makes generated ranges overlap often.
    :param kind: only ``"cidr"`` or only ``"range"`` ranges; both by default.
    """
    return st.deferred(lambda: _ip_ranges(v, network, kind))


def _ip_ranges(v: object, network: object, kind: object) -> st.SearchStrategy[IpRange]:
    if v not in (None, 4, 6):
        raise InvalidArgument(f"v={v!r} must be 4, 6 or None")
    if kind not in (None, "cidr", "range"):
        raise InvalidArgument(f"kind={kind!r} must be 'cidr', 'range' or None")
    networks = [_check_network(network, v)] if network is not None else [
        net for version, net in _WHOLE.items() if v in (None, version)]
    makers = [_cidrs_in, _bounds_in] if kind is None else (
        [_cidrs_in] if kind == "cidr" else [_bounds_in])
    return st.one_of([make(net) for net in networks for make in makers])


def _check_network(network: object, v: object) -> _Network:
    try:
        if not isinstance(network, str):
            raise TypeError
        parsed = ipaddress.ip_network(network, strict=False)
    except (TypeError, ValueError):
        raise InvalidArgument(f"network={network!r} must be a CIDR such as "
                              "'198.51.100.0/24'") from None
    if v is not None and parsed.version != v:
        raise InvalidArgument(f"network={network!r} is not an IPv{v} network")
    return parsed


def _addresses_in(net: _Network) -> st.SearchStrategy[int]:
    return st.integers(int(net.network_address), int(net.broadcast_address))


def _address_text(version: int, value: int, exploded: bool) -> str:
    address = ipaddress.IPv4Address(value) if version == 4 else ipaddress.IPv6Address(value)
    return address.exploded if exploded else str(address)


def _cidrs_in(net: _Network) -> st.SearchStrategy[IpRange]:
    def cidr(value: int, prefix: int, exploded: bool) -> IpRange:
        return IpRange.from_cidr(f"{_address_text(net.version, value, exploded)}/{prefix}")

    prefixes = st.integers(net.prefixlen, net.max_prefixlen)
    return st.builds(cidr, _addresses_in(net), prefixes, st.booleans())


def _bounds_in(net: _Network) -> st.SearchStrategy[IpRange]:
    def bounds(pair: tuple[int, int], exploded: bool) -> IpRange:
        lower, upper = sorted(pair)
        return IpRange.from_bounds(_address_text(net.version, lower, exploded),
                                   _address_text(net.version, upper, exploded))

    addresses = _addresses_in(net)
    return st.builds(bounds, st.tuples(addresses, addresses), st.booleans())


# -- named locations -------------------------------------------------------------------


def _check_sizes(name: str, min_size: int, max_size: int) -> None:
    if min_size < 0 or max_size < min_size:
        raise InvalidArgument(f"min_{name}={min_size!r} and max_{name}={max_size!r} must "
                              f"satisfy 0 <= min_{name} <= max_{name}")


def ip_named_locations(
    *,
    ids: st.SearchStrategy[str] | None = None,
    display_names: st.SearchStrategy[str] | None = None,
    ranges: st.SearchStrategy[IpRange] | None = None,
    min_ranges: int = 0,
    max_ranges: int = 4,
    trusted: st.SearchStrategy[bool] | None = None,
) -> st.SearchStrategy[IpNamedLocation]:
    """Generate IP named locations.

    :param ids: location ids (default: one or two of ``a``, ``b``, ``c``).
    :param display_names: display names (default: short text).
    :param ranges: the ranges (default: :func:`ip_ranges`).
    :param min_ranges: the fewest ranges a location holds.
    :param max_ranges: the most ranges a location holds.
    :param trusted: ``is_trusted`` values (default: either).
    """
    def build() -> st.SearchStrategy[IpNamedLocation]:
        _check_sizes("ranges", min_ranges, max_ranges)
        return st.builds(
            IpNamedLocation,
            id=_or(ids, _default_ids()),
            display_name=_or(display_names, _default_names()),
            ip_ranges=st.lists(_or(ranges, ip_ranges()), min_size=min_ranges,
                               max_size=max_ranges).map(tuple),
            is_trusted=_or(trusted, st.booleans()),
            created_date_time=_times(),
            modified_date_time=_times(),
        )

    return st.deferred(build)


def _country_codes(codes: st.SearchStrategy[str] | None) -> st.SearchStrategy[str]:
    if codes is not None:
        return codes
    return st.builds(lambda code, lower: code.lower() if lower else code,
                     st.sampled_from(_COUNTRIES), st.booleans())


def country_named_locations(
    *,
    ids: st.SearchStrategy[str] | None = None,
    display_names: st.SearchStrategy[str] | None = None,
    countries: st.SearchStrategy[str] | None = None,
    min_countries: int = 0,
    max_countries: int = 4,
    lookup_methods: st.SearchStrategy[str] | None = None,
    include_unknown: st.SearchStrategy[bool] | None = None,
    trusted: st.SearchStrategy[bool] | None = None,
) -> st.SearchStrategy[CountryNamedLocation]:
    """Generate country named locations.

    :param ids: location ids (default: one or two of ``a``, ``b``, ``c``).
    :param display_names: display names (default: short text).
    :param countries: two-letter codes (default: a few codes, upper or lower case).
    :param min_countries: the fewest codes a location holds.
    :param max_countries: the most codes a location holds.
    :param lookup_methods: ``country_lookup_method`` values (default:
        ``clientIpAddress`` or ``authenticatorAppGps``).
    :param include_unknown: ``include_unknown_countries_and_regions`` (default: either).
    :param trusted: ``is_trusted`` values (default: either).
    """
    def build() -> st.SearchStrategy[CountryNamedLocation]:
        _check_sizes("countries", min_countries, max_countries)
        return st.builds(
            CountryNamedLocation,
            id=_or(ids, _default_ids()),
            display_name=_or(display_names, _default_names()),
            countries_and_regions=st.lists(_country_codes(countries), min_size=min_countries,
                                           max_size=max_countries).map(tuple),
            include_unknown_countries_and_regions=_or(include_unknown, st.booleans()),
            country_lookup_method=_or(lookup_methods, st.sampled_from(
                (CLIENT_IP_ADDRESS, AUTHENTICATOR_APP_GPS))),
            is_trusted=_or(trusted, st.booleans()),
            created_date_time=_times(),
            modified_date_time=_times(),
        )

    return st.deferred(build)


def compliant_network_named_locations(
    *,
    ids: st.SearchStrategy[str] | None = None,
    display_names: st.SearchStrategy[str] | None = None,
    trusted: st.SearchStrategy[bool] | None = None,
) -> st.SearchStrategy[CompliantNetworkNamedLocation]:
    """Generate Global Secure Access compliant network locations.

    :param ids: location ids (default: one or two of ``a``, ``b``, ``c``).
    :param display_names: display names (default: short text).
    :param trusted: ``is_trusted`` values (default: either).
    """
    return st.deferred(lambda: st.builds(
        CompliantNetworkNamedLocation,
        id=_or(ids, _default_ids()),
        display_name=_or(display_names, _default_names()),
        is_trusted=_or(trusted, st.booleans()),
    ))


def named_locations(
    *,
    ids: st.SearchStrategy[str] | None = None,
    compliant_networks: bool = True,
) -> st.SearchStrategy[NamedLocation]:
    """Generate named locations of every kind.

    :param ids: location ids (default: one or two of ``a``, ``b``, ``c``).
    :param compliant_networks: also generate compliant network locations, which no
        session fact decides.
    """
    def build() -> st.SearchStrategy[NamedLocation]:
        if not isinstance(compliant_networks, bool):
            raise InvalidArgument(f"compliant_networks={compliant_networks!r} must be a bool")
        kinds: list[st.SearchStrategy[NamedLocation]] = [
            ip_named_locations(ids=ids), country_named_locations(ids=ids)]
        if compliant_networks:
            kinds.append(compliant_network_named_locations(ids=ids))
        return st.one_of(kinds)

    return st.deferred(build)
