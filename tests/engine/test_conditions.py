"""Every Conditional Access condition, decided through ``evaluate`` and ``evaluate_sign_in``.

Named locations, device filters, guests and external users, nested groups,
authentication flows, risk, workload identities, application filters, legacy device
states and unmodelled conditions, each checked end to end: the outcome, whether the
policy applied, its what-if analysis reason (entra-facts §8.3), whether the decision
is complete, and the concrete fact the trace gives for it (DESIGN §4.4).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from tests.helpers import auth, check, policy, result_for, session, tenant, user

from protected_actions import (
    UNKNOWN_COUNTRY,
    ApplicationConditions,
    AuthenticationFlows,
    ClientApplications,
    Conditions,
    CountryNamedLocation,
    Decision,
    Device,
    DeviceConditions,
    DeviceStates,
    ExternalTenants,
    Filter,
    GrantControls,
    Group,
    GuestsOrExternalUsers,
    IpNamedLocation,
    IpRange,
    LocationConditions,
    Outcome,
    PlatformConditions,
    Policy,
    PolicyResult,
    ReasonCode,
    SessionState,
    Tenant,
    User,
    UserConditions,
    evaluate_sign_in,
)
from protected_actions.model.frozen import FrozenDict

# -- fixtures and small builders -------------------------------------------------------

HQ_IP, HQ_IP6, HOME_IP = "203.0.113.7", "2001:db8:1::42", "198.51.100.20"
HQ = IpNamedLocation(id="loc-hq", display_name="HQ", is_trusted=True, ip_ranges=[
    IpRange.from_cidr("203.0.113.0/24"), IpRange.from_cidr("2001:db8:1::/48")])
BRANCH = IpNamedLocation(id="loc-branch", display_name="Branch", ip_ranges=[
    IpRange.from_cidr("192.0.2.0/24")])
HOST = IpNamedLocation(id="loc-host", display_name="Jump host", ip_ranges=[
    IpRange.from_cidr("198.51.100.10/32"), IpRange.from_cidr("2001:db8:ffff::1/128")])
CAMPUS = IpNamedLocation(id="loc-campus", display_name="Campus", ip_ranges=[
    IpRange.from_cidr("10.20.0.0/16")])
LAB = IpNamedLocation(id="loc-lab", display_name="Lab", ip_ranges=[
    IpRange.from_cidr("10.20.128.0/17")])
NETHERLANDS = CountryNamedLocation(id="loc-nl", display_name="Netherlands",
                                   countries_and_regions=["NL"])
UNMAPPED = CountryNamedLocation(id="loc-unmapped", display_name="Unmapped",
                                countries_and_regions=["FR"],
                                include_unknown_countries_and_regions=True)
GPS_NL = CountryNamedLocation(id="loc-gps", display_name="GPS NL",
                              countries_and_regions=["NL"],
                              country_lookup_method="authenticatorAppGps")
LOCATIONS = (HQ, BRANCH, HOST, CAMPUS, LAB, NETHERLANDS, UNMAPPED, GPS_NL)

APP = "00000003-0000-0ff1-ce00-000000000000"
OTHER_APP = "00000002-0000-0ff1-ce00-000000000000"
PARTNER = "11111111-aaaa-4aaa-8aaa-111111111111"
OTHER_TENANT = "22222222-bbbb-4bbb-8bbb-222222222222"


def blocking(policy_id: str = "p1", **conditions: Any) -> Policy:
    """A policy on ``c1`` that blocks whoever it applies to."""
    return policy(policy_id, controls=("block",), **conditions)


def at_location(include: tuple[str, ...] = (), exclude: tuple[str, ...] = (),
                locations: tuple[Any, ...] = LOCATIONS) -> Tenant:
    """A tenant whose one policy blocks the sign-ins its location condition selects."""
    return tenant(blocking(locations=LocationConditions(include_locations=include,
                                                        exclude_locations=exclude)),
                  named_locations=locations)


def with_filter(mode: str, rule: str) -> Tenant:
    """A tenant whose one policy blocks the devices its filter selects."""
    return tenant(blocking(devices=DeviceConditions(device_filter=Filter(mode=mode, rule=rule))))


def for_users(selection: UserConditions, **fields: Any) -> Tenant:
    """A tenant whose one policy blocks the users ``selection`` selects."""
    return tenant(blocking(users=selection), **fields)


def applies(d: Decision, policy_id: str = "p1") -> bool:
    """Whether the policy applied, per the trace."""
    return result_for(d, policy_id).applies


def reasons(d: Decision, policy_id: str = "p1") -> tuple[str, ...]:
    """The policy's what-if analysis reasons."""
    return result_for(d, policy_id).analysis_reasons


def details(d: Decision, policy_id: str = "p1") -> str:
    """The policy's trace details as one text, for substring checks."""
    return "\n".join(result_for(d, policy_id).details)


def assert_blocked(d: Decision, *, complete: bool = True) -> None:
    """The policy applied, blocked, and the decision is (in)complete as expected."""
    assert d.outcome is Outcome.DENY
    assert ReasonCode.BLOCKED_BY_POLICY in d.codes
    assert applies(d)
    assert d.complete is complete
    assert reasons(d) == (("notSet",) if complete else ("notEnoughInformation",))
    assert (ReasonCode.UNDETERMINED_CONDITION in d.codes) is not complete


def assert_not_applied(d: Decision, reason: str) -> None:
    """The policy did not apply, for ``reason``, and nothing else stopped the action."""
    assert d.outcome is Outcome.ALLOW
    assert d.codes == (ReasonCode.NO_POLICY_APPLIES,)
    assert not applies(d)
    assert reasons(d) == (reason,)
    assert d.complete is True


def guest(user_id: str = "guest1", kind: str | None = "b2bCollaborationGuest",
          home: str | None = PARTNER, **fields: Any) -> User:
    """An external user (active Global Administrator, so only Conditional Access decides)."""
    return user(user_id, guest_or_external_user_type=kind, home_tenant_id=home, **fields)


# -- locations -------------------------------------------------------------------------


class TestAllAndAllTrusted:
    """``All`` and ``AllTrusted`` in a policy's location condition."""

    def test_all_matches_any_address(self) -> None:
        """``All`` matches an address inside and outside every named location."""
        # entra-facts §4.3: "Any network or location" (All).
        t = at_location(include=("All",))
        assert_blocked(check(t, session(ip_address=HQ_IP)))
        assert_blocked(check(t, session(ip_address=HOME_IP)))

    def test_all_needs_no_address(self) -> None:
        """``All`` alone is decided without an IP address."""
        # entra-facts §4.3; DESIGN §4.4: only a condition that needs a missing fact is
        # undetermined.
        assert_blocked(check(at_location(include=("All",)), session()))

    def test_all_trusted_matches_a_trusted_ip_location(self) -> None:
        """An address in a location marked trusted is in ``AllTrusted``."""
        # entra-facts §4.3: AllTrusted = every location marked trusted.
        assert_blocked(check(at_location(include=("AllTrusted",)), session(ip_address=HQ_IP)))

    def test_all_trusted_ignores_untrusted_locations(self) -> None:
        """An address only in an untrusted named location is not in ``AllTrusted``."""
        # entra-facts §4.1: isTrusted defaults to false; §4.3.
        d = check(at_location(include=("AllTrusted",)), session(ip_address="192.0.2.9"))
        assert_not_applied(d, "location")

    def test_all_trusted_with_no_trusted_location(self) -> None:
        """With no location marked trusted, ``AllTrusted`` matches nothing, even without an IP."""
        # entra-facts §4.3; nothing trusted exists, so no session fact is needed.
        untrusted = (BRANCH, CAMPUS, NETHERLANDS)
        assert_not_applied(check(at_location(include=("AllTrusted",), locations=untrusted),
                                 session(ip_address=HQ_IP)), "location")
        assert_not_applied(check(at_location(include=("AllTrusted",), locations=untrusted),
                                 session()), "location")

    def test_exclude_all_trusted_with_no_trusted_location(self) -> None:
        """Excluding ``AllTrusted`` when nothing is trusted excludes nobody."""
        # entra-facts §3.7, §4.3
        t = at_location(include=("All",), exclude=("AllTrusted",), locations=(BRANCH,))
        assert_blocked(check(t, session(ip_address="192.0.2.9")))
        assert_blocked(check(t, session()))

    def test_exclude_all_trusted(self) -> None:
        """``All`` minus ``AllTrusted``: a trusted address escapes, any other is caught."""
        # entra-facts §3.11 example 1: includeLocations All, excludeLocations AllTrusted.
        t = at_location(include=("All",), exclude=("AllTrusted",))
        assert_not_applied(check(t, session(ip_address=HQ_IP)), "location")
        assert_not_applied(check(t, session(ip_address=HQ_IP6)), "location")
        assert_blocked(check(t, session(ip_address=HOME_IP)))

    def test_exclude_all_trusted_without_an_address(self) -> None:
        """Without an IP address, ``AllTrusted`` cannot exclude: undetermined, applies."""
        # entra-facts §4.3; DESIGN §4.4: an undetermined fact never satisfies an exclusion.
        t = at_location(include=("All",), exclude=("AllTrusted",))
        assert_blocked(check(t, session()), complete=False)

    def test_trusted_country_location_is_in_all_trusted(self) -> None:
        """A country location marked trusted is part of ``AllTrusted`` too."""
        # entra-facts §4.3: every location marked trusted.
        trusted_nl = CountryNamedLocation(id="loc-nl-trusted", display_name="NL (trusted)",
                                          countries_and_regions=["NL"], is_trusted=True)
        t = at_location(include=("All",), exclude=("AllTrusted",), locations=(trusted_nl,))
        assert_not_applied(check(t, session(country="NL")), "location")
        assert_blocked(check(t, session(country="DE")))

    def test_all_trusted_detail_names_the_address_and_the_location(self) -> None:
        """The trace says which trusted location the address is in, not just "location"."""
        # entra-facts §4.3; PolicyResult.details: "the concrete facts that decided each
        # condition (IP 203.0.113.7 is in 'HQ')".
        included = check(at_location(include=("AllTrusted",)), session(ip_address=HQ_IP))
        assert "IP 203.0.113.7 is in 'HQ'" in details(included)
        excluded = check(at_location(include=("All",), exclude=("AllTrusted",)),
                         session(ip_address=HQ_IP))
        assert "IP 203.0.113.7 is in 'HQ'" in details(excluded)

    def test_all_trusted_detail_names_the_address_outside(self) -> None:
        """When the address is in no trusted location, the trace names the address."""
        # entra-facts §4.3; PolicyResult.details.
        d = check(at_location(include=("AllTrusted",)), session(ip_address=HOME_IP))
        assert HOME_IP in details(d)


class TestLocationIds:
    """Named locations by id: IPv4, IPv6, single hosts and overlapping ranges."""

    def test_included_location(self) -> None:
        """An address inside an included location applies the policy; one outside does not."""
        # entra-facts §3.7, §4.1
        t = at_location(include=("loc-hq",))
        assert_blocked(check(t, session(ip_address=HQ_IP)))
        assert_not_applied(check(t, session(ip_address=HOME_IP)), "location")

    def test_excluded_location(self) -> None:
        """An address inside an excluded location does not apply the policy."""
        # entra-facts §3.7; §0 fact 1: exclude beats include.
        t = at_location(include=("All",), exclude=("loc-hq",))
        assert_not_applied(check(t, session(ip_address=HQ_IP)), "location")
        assert_blocked(check(t, session(ip_address=HOME_IP)))

    def test_included_and_excluded_same_location(self) -> None:
        """A location both included and excluded is excluded."""
        # entra-facts §0 fact 1: exclude beats include "for users, apps, locations...".
        t = at_location(include=("loc-hq",), exclude=("loc-hq",))
        assert_not_applied(check(t, session(ip_address=HQ_IP)), "location")

    def test_several_included_locations(self) -> None:
        """Being in any one of several included locations is enough."""
        # entra-facts §4.3: "Selected networks and locations".
        t = at_location(include=("loc-branch", "loc-hq"))
        assert_blocked(check(t, session(ip_address=HQ_IP)))
        assert_blocked(check(t, session(ip_address="192.0.2.200")))
        assert_not_applied(check(t, session(ip_address=HOME_IP)), "location")

    @pytest.mark.parametrize(("address", "inside"), [
        ("2001:db8:1::42", True),
        ("2001:db8:1:ffff:ffff:ffff:ffff:ffff", True),
        ("2001:DB8:1:0:0:0:0:1", True),
        ("2001:db8:2::1", False),
        ("::1", False),
    ])
    def test_ipv6_address(self, address: str, inside: bool) -> None:
        """An IPv6 session address is placed against the IPv6 ranges, in any spelling."""
        # entra-facts §4.1: iPv6CidrRange.
        d = check(at_location(include=("loc-hq",)), session(ip_address=address))
        assert applies(d) is inside
        assert d.complete is True

    def test_ipv4_address_is_not_in_ipv6_ranges(self) -> None:
        """An IPv4 address never falls into an IPv6 range, nor the reverse."""
        # entra-facts §4.1: IPv4 and IPv6 ranges are distinct types.
        v6_only = IpNamedLocation(id="loc-v6", display_name="v6", ip_ranges=[
            IpRange.from_cidr("::/1")])
        t = at_location(include=("loc-v6",), locations=(v6_only,))
        assert_not_applied(check(t, session(ip_address="10.0.0.1")), "location")
        assert_blocked(check(t, session(ip_address="::a00:1")))

    def test_ipv4_mapped_ipv6_address(self) -> None:
        """An IPv4-mapped IPv6 address is placed as the IPv4 address it maps."""
        # entra-facts §4.3: the location comes from the public IP; the mapped form is the
        # same host.
        d = check(at_location(include=("loc-hq",)), session(ip_address="::ffff:203.0.113.7"))
        assert_blocked(d)

    @pytest.mark.parametrize(("address", "inside"), [
        ("198.51.100.10", True),
        ("198.51.100.9", False),
        ("198.51.100.11", False),
    ])
    def test_ipv4_single_host(self, address: str, inside: bool) -> None:
        """A /32 range holds exactly one address."""
        # entra-facts §4.1
        d = check(at_location(include=("loc-host",)), session(ip_address=address))
        assert applies(d) is inside
        assert reasons(d) == (("notSet",) if inside else ("location",))

    @pytest.mark.parametrize(("address", "inside"), [
        ("2001:db8:ffff::1", True),
        ("2001:db8:ffff::", False),
        ("2001:db8:ffff::2", False),
    ])
    def test_ipv6_single_host(self, address: str, inside: bool) -> None:
        """A /128 range holds exactly one address."""
        # entra-facts §4.1: "IPv6 must be CIDR (for example 2001:db8::1/128)".
        d = check(at_location(include=("loc-host",)), session(ip_address=address))
        assert applies(d) is inside

    @pytest.mark.parametrize(("address", "applied"), [
        ("10.20.1.1", True),      # in Campus only
        ("10.20.200.1", False),   # in Campus and Lab: Lab is excluded
        ("10.20.127.255", True),  # last address before Lab
        ("10.20.128.0", False),   # first address of Lab
        ("10.21.0.1", False),     # in neither: not included
    ])
    def test_overlapping_ranges_of_two_locations(self, address: str, applied: bool) -> None:
        """An address where two locations overlap is in both of them."""
        # entra-facts §4.1, §0 fact 1: include Campus, exclude the Lab inside it.
        t = at_location(include=("loc-campus",), exclude=("loc-lab",))
        d = check(t, session(ip_address=address))
        assert applies(d) is applied
        assert d.complete is True
        if not applied:
            assert reasons(d) == ("location",)

    def test_overlap_detail_names_both_locations(self) -> None:
        """The trace places an overlapping address in each location."""
        # entra-facts §4.1; PolicyResult.details.
        d = check(at_location(include=("loc-campus",), exclude=("loc-lab",)),
                  session(ip_address="10.20.200.1"))
        text = details(d)
        assert "IP 10.20.200.1 is in 'Campus'" in text
        assert "IP 10.20.200.1 is in 'Lab'" in text

    def test_ip_detail(self) -> None:
        """The trace says the concrete address and the location it is or is not in."""
        # entra-facts §4.1; PolicyResult.details: "IP 203.0.113.7 is in 'HQ'".
        inside = check(at_location(include=("loc-hq",)), session(ip_address=HQ_IP))
        assert "IP 203.0.113.7 is in 'HQ'" in details(inside)
        outside = check(at_location(include=("loc-hq",)), session(ip_address=HOME_IP))
        assert "IP 198.51.100.20 is not in 'HQ'" in details(outside)


class TestCountryLocations:
    """Country named locations, by client IP country or Authenticator GPS."""

    @pytest.mark.parametrize("country", ["NL", "nl"])
    def test_country_in_the_list(self, country: str) -> None:
        """A session country listed by the location matches it, in any case."""
        # entra-facts §4.2: countriesAndRegions, clientIpAddress lookup (the default).
        assert_blocked(check(at_location(include=("loc-nl",)), session(country=country)))

    def test_country_not_in_the_list(self) -> None:
        """A country the location does not list does not match it."""
        # entra-facts §4.2
        assert_not_applied(check(at_location(include=("loc-nl",)), session(country="DE")),
                           "location")

    def test_excluded_country(self) -> None:
        """A country location can be excluded like any other."""
        # entra-facts §3.7, §4.2
        t = at_location(include=("All",), exclude=("loc-nl",))
        assert_not_applied(check(t, session(country="NL")), "location")
        assert_blocked(check(t, session(country="BE")))

    def test_country_is_not_derived_from_the_ip(self) -> None:
        """An IP address alone does not give the country: the condition is undetermined."""
        # entra-facts §4.2; DESIGN §6: an absent country is unknown; §4.4 fail-closed.
        d = check(at_location(include=("loc-nl",)), session(ip_address=HQ_IP))
        assert_blocked(d, complete=False)
        assert "no country supplied: 'Netherlands' undetermined" in details(d)

    def test_country_detail(self) -> None:
        """The trace names the session's country and the location."""
        # entra-facts §4.2; PolicyResult.details.
        d = check(at_location(include=("loc-nl",)), session(country="NL"))
        assert "country NL is in 'Netherlands'" in details(d)

    def test_unknown_country_included(self) -> None:
        """``include_unknown_countries_and_regions`` matches an address that maps to no country."""
        # entra-facts §4.2: includeUnknownCountriesAndRegions.
        d = check(at_location(include=("loc-unmapped",)), session(country=UNKNOWN_COUNTRY))
        assert_blocked(d)
        assert "includes unknown countries and regions" in details(d)

    def test_unknown_country_not_included(self) -> None:
        """A location without the flag does not match an unmapped address."""
        # entra-facts §4.2: includeUnknownCountriesAndRegions defaults to false.
        d = check(at_location(include=("loc-nl",)), session(country=UNKNOWN_COUNTRY))
        assert_not_applied(d, "location")
        assert "does not include unknown countries and regions" in details(d)

    def test_unknown_country_excluded(self) -> None:
        """Excluding the unmapped location lets an unmapped address out of the policy."""
        # entra-facts §4.2
        t = at_location(include=("All",), exclude=("loc-unmapped",))
        assert_not_applied(check(t, session(country=UNKNOWN_COUNTRY)), "location")
        assert_blocked(check(t, session(country="NL")))

    def test_gps_location_uses_the_gps_country(self) -> None:
        """An ``authenticatorAppGps`` location is decided by the GPS country."""
        # entra-facts §4.2: countryLookupMethod authenticatorAppGps.
        t = at_location(include=("loc-gps",))
        d = check(t, session(gps_country="NL"))
        assert_blocked(d)
        assert "GPS country NL is in 'GPS NL'" in details(d)
        assert_not_applied(check(t, session(gps_country="DE")), "location")

    def test_gps_location_without_gps_is_undetermined(self) -> None:
        """Without a GPS country, a GPS location is undetermined even if the IP country is known."""
        # entra-facts §4.2; DESIGN §4.4.
        d = check(at_location(include=("loc-gps",)), session(country="NL", ip_address=HQ_IP))
        assert_blocked(d, complete=False)
        assert "no GPS country supplied: 'GPS NL' undetermined" in details(d)

    def test_gps_country_does_not_decide_an_ip_country_location(self) -> None:
        """The GPS country does not stand in for the client IP country."""
        # entra-facts §4.2: the lookup method says where the country comes from.
        d = check(at_location(include=("loc-nl",)), session(gps_country="NL"))
        assert_blocked(d, complete=False)


class TestUndeterminedLocations:
    """Location facts the session lacks or that cannot be read (DESIGN §4.4, §4.7)."""

    def test_missing_ip_with_an_excluded_location(self) -> None:
        """Without an IP address, an excluded IP location cannot let the sign-in out."""
        # entra-facts §4.3 (location from the public IP); DESIGN §4.4: applies,
        # notEnoughInformation, complete False.
        d = check(at_location(include=("All",), exclude=("loc-hq",)), session())
        assert_blocked(d, complete=False)
        assert "no IP address supplied: 'HQ' undetermined" in details(d)

    def test_missing_ip_with_an_included_location(self) -> None:
        """Without an IP address, an included IP location cannot let the sign-in escape."""
        # entra-facts §4.3; DESIGN §4.4: an undetermined fact never escapes an inclusion.
        assert_blocked(check(at_location(include=("loc-hq",)), session()), complete=False)

    def test_missing_ip_reason_names_the_policy(self) -> None:
        """The decision's undetermined-condition reason names the policy and the fact."""
        # entra-facts §4.3; DESIGN §4.4.
        d = check(at_location(include=("loc-hq",)), session())
        (why,) = [r for r in d.reasons if r.code is ReasonCode.UNDETERMINED_CONDITION]
        assert why.policy_id == "p1"
        assert "no IP address supplied" in why.message

    def test_decided_include_beats_undetermined_exclude(self) -> None:
        """An address outside every included location is not applied, whatever the exclusion."""
        # entra-facts §6.1: all assignments are ANDed; one decided mismatch is enough.
        t = at_location(include=("loc-hq",), exclude=("loc-missing",))
        assert_not_applied(check(t, session(ip_address=HOME_IP)), "location")

    @pytest.mark.parametrize("where", ["include", "exclude"])
    def test_unknown_location_id(self, where: str) -> None:
        """A location id the tenant does not define leaves the condition undetermined."""
        # entra-facts §3.7 (policies name locations by id); DESIGN §4.7: an unknown named
        # location leaves the location condition undetermined.
        t = (at_location(include=("loc-missing",)) if where == "include"
             else at_location(include=("All",), exclude=("loc-missing",)))
        d = check(t, session(ip_address=HQ_IP, country="NL"))
        assert_blocked(d, complete=False)
        assert "'loc-missing' is not a known named location" in details(d)

    @pytest.mark.parametrize("address", ["203.0.113", "not-an-ip", "203.0.113.300",
                                         "2001:db8::g", "2001:db8:::1", ""])
    def test_invalid_ip_is_undetermined(self, address: str) -> None:
        """An IP address that cannot be read counts as missing, never as "elsewhere"."""
        # entra-facts §4.3 (the location comes from the public IP); DESIGN §4.4 fail-closed.
        t = at_location(include=("All",), exclude=("loc-hq",))
        d = check(t, session(ip_address=address))
        assert_blocked(d, complete=False)
        assert "is not a valid IPv4 or IPv6 address" in details(d)

    def test_undetermined_detail_given_once(self) -> None:
        """The trace gives an undetermined condition's detail once, not twice."""
        # entra-facts §4.3; PolicyResult.details: one concrete fact per condition.
        d = check(at_location(include=("All",), exclude=("loc-hq",)), session())
        found = result_for(d, "p1").details
        assert len(found) == len(set(found)), found

    def test_invalid_country_is_undetermined(self) -> None:
        """A country that is not a two-letter code counts as missing."""
        # entra-facts §4.2: two-letter ISO 3166 codes; DESIGN §4.4.
        d = check(at_location(include=("All",), exclude=("loc-nl",)),
                  session(country="Netherlands"))
        assert_blocked(d, complete=False)


# -- device filters --------------------------------------------------------------------

AAD_JOINED = Device(device_id="d1", trust_type="AzureAD", is_compliant=True,
                    operating_system="Windows", display_name="SAW-042")
PERSONAL_PHONE = Device(device_id="d2", trust_type="Workplace", is_compliant=False,
                        operating_system="iOS", display_name="Bob's phone")

POSITIVE_RULES = [
    'device.deviceId -eq "d1"',
    'device.deviceId -in ["d1", "d3"]',
    'device.displayName -eq "SAW-042"',
    'device.displayName -startsWith "SAW-"',
    'device.displayName -endsWith "-042"',
    'device.displayName -contains "AW-0"',
    'device.displayName -in ["SAW-042"]',
    'device.isCompliant -eq "True"',
    'device.trustType -eq "AzureAD"',
    'device.deviceOwnership -eq "Company"',
    'device.profileType -eq "RegisteredDevice"',
    'device.mdmAppId -in ["0000000a-0000-0000-c000-000000000000"]',
    'device.operatingSystemVersion -startsWith "10.0"',
    'device.physicalIds -contains "[ZTDId]:x"',
    'device.systemLabels -contains "M365Managed"',
    'device.extensionAttribute1 -eq "SAW"',
    'device.extensionAttribute15 -in ["a", "b"]',
]
NEGATIVE_RULES = [
    'device.deviceId -ne "d1"',
    'device.deviceId -notIn ["d1", "d3"]',
    'device.displayName -ne "SAW-042"',
    'device.displayName -notStartsWith "SAW-"',
    'device.displayName -notEndsWith "-042"',
    'device.displayName -notContains "AW-0"',
    'device.displayName -notIn ["SAW-042"]',
    'device.isCompliant -ne "True"',
    'device.trustType -ne "AzureAD"',
    'device.deviceOwnership -ne "Company"',
    'device.profileType -ne "RegisteredDevice"',
    'device.mdmAppId -notIn ["0000000a-0000-0000-c000-000000000000"]',
    'device.operatingSystemVersion -notStartsWith "10.0"',
    'device.physicalIds -notContains "[ZTDId]:x"',
    'device.systemLabels -notContains "M365Managed"',
    'device.extensionAttribute1 -ne "SAW"',
    'device.extensionAttribute15 -notIn ["a", "b"]',
]


class TestDeviceFilterModes:
    """``mode: include`` puts matching devices in scope, ``exclude`` takes them out."""

    def test_include_mode(self) -> None:
        """In include mode the policy applies only to devices the rule matches."""
        # entra-facts §7.4: "mode: include puts matching devices in scope".
        t = with_filter("include", 'device.trustType -eq "AzureAD"')
        assert_blocked(check(t, session(device=AAD_JOINED)))
        assert_not_applied(check(t, session(auth("fido2"), device=PERSONAL_PHONE)), "devices")

    def test_exclude_mode(self) -> None:
        """In exclude mode the policy applies to every device but those the rule matches."""
        # entra-facts §7.4: "mode: exclude removes matching devices from scope".
        t = with_filter("exclude", 'device.trustType -eq "AzureAD"')
        assert_not_applied(check(t, session(auth("fido2"), device=AAD_JOINED)), "devices")
        assert_blocked(check(t, session(device=PERSONAL_PHONE)))

    def test_mode_ignores_case(self) -> None:
        """``Include`` and ``EXCLUDE`` are read as the Graph values."""
        # entra-facts §3.8: filterMode include/exclude.
        assert_blocked(check(with_filter("Include", 'device.trustType -eq "AzureAD"'),
                             session(device=AAD_JOINED)))
        assert_not_applied(check(with_filter("EXCLUDE", 'device.trustType -eq "AzureAD"'),
                                 session(device=AAD_JOINED)), "devices")

    def test_combined_rule(self) -> None:
        """A rule joining comparisons with ``-and`` / ``-or`` is decided as a whole."""
        # entra-facts §7.1: combine with -and, -or and parentheses.
        rule = ('(device.trustType -eq "AzureAD" -and device.isCompliant -eq True) '
                '-or device.displayName -startsWith "Kiosk"')
        t = with_filter("include", rule)
        assert_blocked(check(t, session(device=AAD_JOINED)))
        assert_blocked(check(t, session(device=Device(display_name="kiosk-7"))))
        assert_not_applied(check(t, session(device=PERSONAL_PHONE)), "devices")

    def test_string_comparison_ignores_case(self) -> None:
        """Rule values compare with device values without regard to case."""
        # entra-facts §7.1: "string operations aren't case sensitive".
        t = with_filter("include", 'device.operatingSystem -eq "WINDOWS"')
        assert_blocked(check(t, session(device=AAD_JOINED)))

    def test_detail_quotes_the_rule(self) -> None:
        """The trace says whether the device matched, in which mode, and quotes the rule."""
        # entra-facts §3.8; PolicyResult.details.
        rule = 'device.trustType -eq "AzureAD"'
        d = check(with_filter("exclude", rule), session(device=PERSONAL_PHONE))
        assert f"device does not match the exclude filter {rule!r}" in details(d)
        d = check(with_filter("include", rule), session(device=AAD_JOINED))
        assert f"device matches the include filter {rule!r}" in details(d)

    @pytest.mark.parametrize("rule", POSITIVE_RULES)
    def test_positive_rules_on_a_registered_device(self, rule: str) -> None:
        """On a registered device whose properties meet the criteria, a positive rule matches."""
        # entra-facts §7.4: "positive ... registered: yes if criteria met".
        device = Device(device_id="d1", display_name="SAW-042", is_compliant=True,
                        is_managed=True, trust_type="AzureAD", device_ownership="Company",
                        profile_type="RegisteredDevice",
                        mdm_app_id="0000000a-0000-0000-c000-000000000000",
                        operating_system_version="10.0.22631",
                        physical_ids=["[ZTDId]:x"], system_labels=["M365Managed"],
                        extension_attributes={"extensionAttribute1": "SAW",
                                              "extensionAttribute15": "b"})
        assert_blocked(check(with_filter("include", rule), session(device=device)))
        assert_not_applied(check(with_filter("exclude", rule),
                                 session(auth("fido2"), device=device)), "devices")


class TestUnregisteredDevice:
    """On an unregistered device every property is null (entra-facts §7.4)."""

    @pytest.mark.parametrize("rule", POSITIVE_RULES)
    def test_positive_operator_include_mode(self, rule: str) -> None:
        """A positive operator never matches an unregistered device: include mode does not apply."""
        # entra-facts §7.4: positive, any attribute, unregistered: filter not applied.
        d = check(with_filter("include", rule), session(auth("fido2")))
        assert_not_applied(d, "devices")
        assert "unregistered device does not match the include filter" in details(d)

    @pytest.mark.parametrize("rule", POSITIVE_RULES)
    def test_positive_operator_exclude_mode(self, rule: str) -> None:
        """A positive operator never matches an unregistered device: exclude mode keeps it in."""
        # entra-facts §7.4, §6.6: "This holds in both include and exclude mode."
        assert_blocked(check(with_filter("exclude", rule), session()))

    @pytest.mark.parametrize("rule", NEGATIVE_RULES)
    def test_negative_operator_include_mode(self, rule: str) -> None:
        """A negative operator always matches an unregistered device: include mode applies."""
        # entra-facts §7.4: negative, any attribute, unregistered: filter applied.
        d = check(with_filter("include", rule), session())
        assert_blocked(d)
        assert "unregistered device matches the include filter" in details(d)

    @pytest.mark.parametrize("rule", NEGATIVE_RULES)
    def test_negative_operator_exclude_mode(self, rule: str) -> None:
        """A negative operator always matches an unregistered device: exclude mode takes it out."""
        # entra-facts §7.4, §6.6
        assert_not_applied(check(with_filter("exclude", rule), session(auth("fido2"))),
                           "devices")

    def test_targeting_unregistered_devices(self) -> None:
        """The documented way to target unregistered devices is a negative operator."""
        # entra-facts §7.4: "The best way to target policies for unregistered devices is by
        # using the negative operator."
        t = with_filter("include", 'device.trustType -ne "AzureAD" -and '
                                   'device.trustType -ne "ServerAD"')
        assert_blocked(check(t, session()))
        assert_not_applied(check(t, session(auth("fido2"), device=AAD_JOINED)), "devices")


class TestExtensionAttributes:
    """Extension attributes have values only on managed, compliant or hybrid joined devices."""

    @pytest.mark.parametrize(("state", "visible"), [
        ({"is_managed": True, "trust_type": "Workplace"}, True),
        ({"is_compliant": True, "trust_type": "AzureAD"}, True),
        ({"trust_type": "ServerAD"}, True),
        ({"trust_type": "Workplace"}, False),
        ({"trust_type": "AzureAD", "is_compliant": False}, False),
        ({}, False),
    ], ids=["managed", "compliant", "hybrid-joined", "registered", "joined-not-compliant",
            "no-state"])
    def test_visibility(self, state: dict[str, Any], visible: bool) -> None:
        """``extensionAttribute1`` is read only on managed, compliant or hybrid joined devices."""
        # entra-facts §7.3, §7.4, §6.6
        device = Device(extension_attributes={"extensionAttribute1": "SAW"}, **state)
        positive = check(with_filter("include", 'device.extensionAttribute1 -eq "SAW"'),
                         session(auth("fido2"), device=device))
        negative = check(with_filter("include", 'device.extensionAttribute1 -ne "SAW"'),
                         session(auth("fido2"), device=device))
        assert applies(positive) is visible
        assert applies(negative) is not visible
        assert positive.complete
        assert negative.complete

    def test_privileged_access_workstation(self) -> None:
        """The documented PAW filter lets in only the managed workstation."""
        # entra-facts §7.1: {"mode":"exclude","rule":"device.extensionAttribute1 -ne \"SAW\""}
        # on a block policy blocks every device but the SAW.
        t = with_filter("exclude", 'device.extensionAttribute1 -eq "SAW"')
        saw = Device(is_managed=True, extension_attributes={"extensionAttribute1": "SAW"})
        unmanaged = Device(trust_type="Workplace",
                           extension_attributes={"extensionAttribute1": "SAW"})
        assert_not_applied(check(t, session(auth("fido2"), device=saw)), "devices")
        assert_blocked(check(t, session(device=unmanaged)))
        assert_blocked(check(t, session()))


class TestMalformedDeviceFilter:
    """A rule that does not parse makes the policy apply, fail-closed (DESIGN §4.4)."""

    @pytest.mark.parametrize("mode", ["include", "exclude"])
    @pytest.mark.parametrize("rule", [
        "device.trustType -eq",
        'device.colour -eq "red"',
        'device.trustType -startsWith "Azure"',
        'device.trustType -eq "AzureAD" -and',
    ])
    def test_policy_applies_and_reports_the_issue(self, rule: str, mode: str) -> None:
        """The policy applies whatever the device, and the decision says POLICY_ISSUE."""
        # entra-facts §7.1-§7.3 (grammar, operators per property); DESIGN §4.4 fail-closed.
        for device in (AAD_JOINED, None):
            d = check(with_filter(mode, rule), session(auth("fido2"), device=device))
            assert_blocked(d, complete=False)
            (issue,) = [r for r in d.reasons if r.code is ReasonCode.POLICY_ISSUE]
            assert issue.policy_id == "p1"

    def test_trace_quotes_the_rule(self) -> None:
        """The trace detail of a malformed rule quotes the rule and points at the error."""
        # entra-facts §7.1; DESIGN §7: the rule is shown with a caret.
        d = check(with_filter("exclude", 'device.colour -eq "red"'), session(device=AAD_JOINED))
        text = details(d)
        assert "device filter cannot be evaluated" in text
        assert 'device.colour -eq "red"' in text
        assert "^" in text

    def test_malformed_rule_on_a_step_up_policy(self) -> None:
        """A malformed rule on an MFA policy still asks for MFA, and reports the issue."""
        # entra-facts §6.1 (all applicable policies must be satisfied); DESIGN §4.4: the
        # policy is treated as applying.
        t = tenant(policy(devices=DeviceConditions(device_filter=Filter(
            mode="exclude", rule="device.trustType -eq"))))
        d = check(t, session(device=AAD_JOINED))
        assert d.outcome is Outcome.CHALLENGE
        assert ReasonCode.POLICY_ISSUE in d.codes
        assert d.complete is False
        satisfied = check(t, session(auth("fido2"), device=AAD_JOINED))
        assert satisfied.outcome is Outcome.ALLOW
        assert ReasonCode.POLICY_ISSUE in satisfied.codes

    def test_unknown_mode_reports_the_issue(self) -> None:
        """A filter mode other than include or exclude fails closed and says POLICY_ISSUE."""
        # entra-facts §3.8: filterMode include=0, exclude=1; ReasonCode.POLICY_ISSUE is for
        # "policy data the evaluator cannot interpret".
        d = check(with_filter("sometimes", 'device.trustType -eq "AzureAD"'),
                  session(auth("fido2"), device=PERSONAL_PHONE))
        assert_blocked(d, complete=False)
        assert ReasonCode.POLICY_ISSUE in d.codes

    def test_rule_over_the_length_limit(self) -> None:
        """A rule longer than 3,072 characters is malformed and fails closed."""
        # entra-facts §7.1: max rule length 3072 characters.
        rule = " -or ".join([f'device.displayName -eq "{i:04d}"' for i in range(120)])
        assert len(rule) > 3072
        d = check(with_filter("exclude", rule), session(device=AAD_JOINED))
        assert_blocked(d, complete=False)
        assert ReasonCode.POLICY_ISSUE in d.codes


# -- users: guests and nested groups ---------------------------------------------------


def types(*kinds: str, tenants: ExternalTenants | None = None) -> GuestsOrExternalUsers:
    """A guest-or-external-users spec."""
    return GuestsOrExternalUsers(guest_or_external_user_types=kinds, external_tenants=tenants)


ALL_TENANTS = ExternalTenants(membership_kind="all")
ONLY_PARTNER = ExternalTenants(membership_kind="enumerated", members=[PARTNER])


class TestGuests:
    """Guest and external users (entra-facts §3.3, §6.2)."""

    def test_guests_or_external_users_included(self) -> None:
        """``GuestsOrExternalUsers`` in includeUsers applies to any guest, not to members."""
        # entra-facts §3.3: includeUsers special value GuestsOrExternalUsers.
        t = for_users(UserConditions(include_users=["GuestsOrExternalUsers"]))
        assert_blocked(check(t, session(who=guest())))
        assert_blocked(check(t, session(who=guest(kind="serviceProvider", home=None))))
        assert_not_applied(check(t, session(auth("fido2"))), "users")

    def test_guests_or_external_users_excluded(self) -> None:
        """``GuestsOrExternalUsers`` in excludeUsers takes every guest out, members stay in."""
        # entra-facts §3.3, §3.11 example 3: excludeUsers with GuestsOrExternalUsers.
        t = for_users(UserConditions(include_users=["All"],
                                     exclude_users=["GuestsOrExternalUsers"]))
        assert_not_applied(check(t, session(auth("fido2"), who=guest())), "users")
        assert_not_applied(check(t, session(auth("fido2"), who=user(user_type="Guest"))),
                           "users")
        assert_blocked(check(t, session()))

    @pytest.mark.parametrize(("home", "applied"), [(PARTNER, True), (OTHER_TENANT, False)])
    def test_home_tenant_known_only_from_the_directory(self, home: str, applied: bool) -> None:
        """A session that does not say the guest's home tenant takes it from the
        directory's record of the user."""
        # https://learn.microsoft.com/graph/api/resources/conditionalaccessexternaltenants
        # (externalTenants: enumerated tenant ids); entra-facts §6.2.
        t = for_users(UserConditions(include_guests_or_external_users=types(
            "b2bCollaborationGuest", tenants=ONLY_PARTNER)),
            users=[guest(home=home)])
        d = check(t, session(auth("fido2"), who=guest(home=None)))
        if applied:
            assert_blocked(d)
        else:
            assert_not_applied(d, "users")

    def test_all_users_includes_guests(self) -> None:
        """``All`` users includes B2B guests and local guests."""
        # entra-facts §6.2: All users: "All users in the directory, including B2B guests".
        t = for_users(UserConditions(include_users=["All"]))
        assert_blocked(check(t, session(who=guest())))
        assert_blocked(check(t, session(who=user("local", user_type="Guest"))))

    @pytest.mark.parametrize(("kind", "applied"), [
        ("b2bCollaborationGuest", True),
        ("b2bDirectConnectUser", True),
        ("b2bCollaborationMember", False),
        ("serviceProvider", False),
        ("otherExternalUser", False),
        ("internalGuest", False),
    ])
    def test_included_guest_types_all_tenants(self, kind: str, applied: bool) -> None:
        """With tenants ``all``, only the listed guest types are included."""
        # entra-facts §3.3: guestOrExternalUserTypes flags, externalTenants all.
        t = for_users(UserConditions(include_guests_or_external_users=types(
            "b2bCollaborationGuest", "b2bDirectConnectUser", tenants=ALL_TENANTS)))
        d = check(t, session(auth("fido2"), who=guest(kind=kind, home=OTHER_TENANT)))
        assert applies(d) is applied
        assert reasons(d) == (("notSet",) if applied else ("users",))

    def test_all_tenants_needs_no_home_tenant(self) -> None:
        """With tenants ``all``, an unknown home tenant does not matter."""
        # entra-facts §3.3: conditionalAccessAllExternalTenants has no members.
        for spec in (types("b2bCollaborationGuest", tenants=ALL_TENANTS),
                     types("b2bCollaborationGuest")):
            t = for_users(UserConditions(include_guests_or_external_users=spec))
            assert_blocked(check(t, session(who=guest(home=None))))

    @pytest.mark.parametrize(("home", "outcome"), [
        (PARTNER, "applies"),
        (PARTNER.upper(), "applies"),
        (OTHER_TENANT, "users"),
        (None, "undetermined"),
    ])
    def test_included_guest_types_enumerated_tenants(self, home: str | None,
                                                     outcome: str) -> None:
        """With enumerated tenants the home tenant must be listed; unknown is undetermined."""
        # entra-facts §3.3: conditionalAccessEnumeratedExternalTenants {members}; DESIGN §4.4.
        t = for_users(UserConditions(include_guests_or_external_users=types(
            "b2bCollaborationGuest", tenants=ONLY_PARTNER)))
        d = check(t, session(auth("fido2"), who=guest(home=home)))
        if outcome == "applies":
            assert_blocked(d)
        elif outcome == "users":
            assert_not_applied(d, "users")
        else:
            assert_blocked(d, complete=False)
            assert "home tenant is not known" in details(d)

    @pytest.mark.parametrize(("home", "outcome"), [
        (PARTNER, "users"),
        (OTHER_TENANT, "applies"),
        (None, "undetermined"),
    ])
    def test_excluded_guest_types_enumerated_tenants(self, home: str | None,
                                                     outcome: str) -> None:
        """Guests of a listed tenant are excluded; others stay in; unknown never excludes."""
        # entra-facts §3.3 excludeGuestsOrExternalUsers; DESIGN §4.4: an undetermined fact
        # never satisfies an exclusion.
        t = for_users(UserConditions(include_users=["All"], exclude_guests_or_external_users=types(
            "b2bCollaborationGuest", tenants=ONLY_PARTNER)))
        d = check(t, session(auth("fido2"), who=guest(home=home)))
        if outcome == "applies":
            assert_blocked(d)
        elif outcome == "users":
            assert_not_applied(d, "users")
        else:
            assert_blocked(d, complete=False)

    def test_unknown_external_tenants_kind_is_undetermined(self) -> None:
        """An external-tenants kind the evaluator does not know never lets a guest escape."""
        # entra-facts §3.3: membershipKind all|enumerated|unknownFutureValue; DESIGN §4:
        # where the docs are silent, decide fail-closed.
        future = ExternalTenants(membership_kind="unknownFutureValue")
        t = for_users(UserConditions(include_guests_or_external_users=types(
            "b2bCollaborationGuest", tenants=future)))
        d = check(t, session(auth("fido2"), who=guest()))
        assert applies(d)
        assert d.outcome is Outcome.DENY
        assert d.complete is False

    def test_excluded_guest_types_all_tenants(self) -> None:
        """Excluded guest types with tenants ``all`` exclude those types only."""
        # entra-facts §3.3
        t = for_users(UserConditions(include_users=["All"], exclude_guests_or_external_users=types(
            "b2bCollaborationGuest", "internalGuest", tenants=ALL_TENANTS)))
        assert_not_applied(check(t, session(auth("fido2"), who=guest(home=None))), "users")
        assert_not_applied(check(t, session(auth("fido2"), who=user(user_type="Guest"))),
                           "users")
        assert_blocked(check(t, session(who=guest(kind="serviceProvider"))))

    def test_member_is_not_a_guest(self) -> None:
        """A member user matches no guest condition, included or excluded."""
        # entra-facts §6.2: external user types are for guests and external users.
        included = for_users(UserConditions(include_guests_or_external_users=types(
            "internalGuest", "b2bCollaborationGuest", "b2bCollaborationMember",
            "b2bDirectConnectUser", "otherExternalUser", "serviceProvider",
            tenants=ALL_TENANTS)))
        assert_not_applied(check(included, session(auth("fido2"), who=user(user_type="member"))),
                           "users")
        excluded = for_users(UserConditions(include_users=["All"],
                                            exclude_guests_or_external_users=types(
                                                "internalGuest", tenants=ALL_TENANTS)))
        assert_blocked(check(excluded, session(who=user(user_type="Member"))))

    @pytest.mark.parametrize("user_type", ["Guest", "guest"])
    def test_user_type_guest_is_an_internal_guest(self, user_type: str) -> None:
        """``userType`` Guest without an external type counts as ``internalGuest``."""
        # entra-facts §6.2: internalGuest (local guest, userType=Guest).
        local = user("local", user_type=user_type)
        internal = for_users(UserConditions(include_guests_or_external_users=types(
            "internalGuest", tenants=ALL_TENANTS)))
        assert_blocked(check(internal, session(who=local)))
        b2b = for_users(UserConditions(include_guests_or_external_users=types(
            "b2bCollaborationGuest", tenants=ALL_TENANTS)))
        assert_not_applied(check(b2b, session(auth("fido2"), who=local)), "users")

    def test_user_type_guest_from_the_directory(self) -> None:
        """A user the directory records as a guest is one, whatever the session says."""
        # entra-facts §6.2 (internalGuest, userType=Guest); DESIGN §6: the union of the
        # session's and the directory's facts.
        t = for_users(UserConditions(include_users=["GuestsOrExternalUsers"]),
                      users=[User(id="local", user_type="Guest")])
        assert_blocked(check(t, session(who=user("local"))))

    def test_guest_detail(self) -> None:
        """The trace names the guest type that was excluded."""
        # entra-facts §3.3; PolicyResult.details.
        t = for_users(UserConditions(include_users=["All"],
                                     exclude_users=["GuestsOrExternalUsers"]))
        d = check(t, session(auth("fido2"), who=guest()))
        assert "guest or external user (b2bcollaborationguest) is excluded" in details(d)


class TestAllGroupsAndRoles:
    """``All`` in includeGroups / includeRoles, which the beta API allows (entra-facts §3.3)."""

    def test_all_groups_includes_a_group_member(self) -> None:
        """A member of some group is never read as outside "All" groups."""
        # entra-facts §3.3: "The beta doc also allows All for includeGroups"; DESIGN §4
        # fail-closed where the docs are silent.
        t = for_users(UserConditions(include_groups=["All"]))
        d = check(t, session(auth("fido2"), who=user(member_of={"g1"})))
        assert applies(d)
        assert d.outcome is Outcome.DENY

    def test_all_roles_includes_a_role_holder(self) -> None:
        """A user holding an active built-in role is never read as outside "All" roles."""
        # entra-facts §3.3: "The beta doc also allows All for includeRoles"; DESIGN §4.
        t = for_users(UserConditions(include_roles=["All"]))
        d = check(t, session(auth("fido2")))
        assert applies(d)
        assert d.outcome is Outcome.DENY


class TestNestedGroups:
    """Group conditions follow nesting, and a cycle ends (entra-facts §6.2)."""

    NESTED = (Group(id="g1", member_of={"g2"}), Group(id="g2"))
    CYCLE = (Group(id="g1", member_of={"g2"}), Group(id="g2", member_of={"g1"}))

    def test_included_outer_group(self) -> None:
        """A member of g1, nested in g2, is included by a policy on g2."""
        # entra-facts §6.2: "Policy is applied to nested users and groups."
        t = for_users(UserConditions(include_groups=["g2"]), groups=self.NESTED)
        assert_blocked(check(t, session(who=user(member_of={"g1"}))))
        assert_not_applied(check(t, session(auth("fido2"), who=user(member_of={"g9"}))),
                           "users")

    def test_excluded_outer_group(self) -> None:
        """A member of g1, nested in g2, is excluded by a policy excluding g2."""
        # entra-facts §6.2
        t = for_users(UserConditions(include_users=["All"], exclude_groups=["g2"]),
                      groups=self.NESTED)
        assert_not_applied(check(t, session(auth("fido2"), who=user(member_of={"g1"}))),
                           "users")

    def test_nesting_does_not_go_downwards(self) -> None:
        """A member of the outer group is not thereby a member of the inner one."""
        # entra-facts §6.2: membership flows from a group to the groups it is nested in.
        t = for_users(UserConditions(include_groups=["g1"]), groups=self.NESTED)
        assert_not_applied(check(t, session(auth("fido2"), who=user(member_of={"g2"}))),
                           "users")

    def test_directory_membership_is_nested_too(self) -> None:
        """Memberships recorded in the directory are expanded the same way."""
        # entra-facts §6.2 (nested groups); DESIGN §6: memberships from the directory,
        # transitively.
        t = for_users(UserConditions(include_groups=["g3"]),
                      groups=(Group(id="g1", member_of={"g2"}), Group(id="g2", member_of={"g3"}),
                              Group(id="g3")),
                      users=[User(id="alice", member_of={"g1"})])
        assert_blocked(check(t, session()))

    @pytest.mark.parametrize("target", ["g1", "g2"])
    def test_cycle_terminates_and_matches(self, target: str) -> None:
        """With g1 in g2 and g2 in g1, a member of g1 is in both, and evaluation ends."""
        # entra-facts §6.2; a nesting cycle must not hang the evaluator.
        included = for_users(UserConditions(include_groups=[target]), groups=self.CYCLE)
        assert_blocked(check(included, session(who=user(member_of={"g1"}))))
        excluded = for_users(UserConditions(include_users=["All"], exclude_groups=[target]),
                             groups=self.CYCLE)
        assert_not_applied(check(excluded, session(auth("fido2"), who=user(member_of={"g1"}))),
                           "users")

    def test_self_nested_group(self) -> None:
        """A group listed as nested in itself is harmless."""
        # entra-facts §6.2
        t = for_users(UserConditions(include_groups=["g1"]),
                      groups=(Group(id="g1", member_of={"g1"}),))
        assert_blocked(check(t, session(who=user(member_of={"g1"}))))


# -- other conditions ------------------------------------------------------------------


class TestAuthenticationFlows:
    """``authenticationFlows.transferMethods`` against the session's flow (entra-facts §3.2)."""

    @pytest.mark.parametrize(("methods", "flow", "applied"), [
        (("deviceCodeFlow",), "deviceCodeFlow", True),
        (("deviceCodeFlow",), "authenticationTransfer", False),
        (("deviceCodeFlow",), None, False),
        (("authenticationTransfer",), "authenticationTransfer", True),
        (("authenticationTransfer",), "deviceCodeFlow", False),
        (("authenticationTransfer",), None, False),
        (("deviceCodeFlow", "authenticationTransfer"), "deviceCodeFlow", True),
        (("deviceCodeFlow", "authenticationTransfer"), "authenticationTransfer", True),
        (("deviceCodeFlow", "authenticationTransfer"), None, False),
        (("deviceCodeFlow",), "DeviceCodeFlow", True),
    ])
    def test_flow(self, methods: tuple[str, ...], flow: str | None, applied: bool) -> None:
        """The policy applies only when the sign-in used one of the listed flows."""
        # entra-facts §3.2 (transferMethods flags), §8.2 (signInConditions.authenticationFlow).
        t = tenant(blocking(authentication_flows=AuthenticationFlows(transfer_methods=methods)))
        d = check(t, session(auth("fido2"), authentication_flow=flow))
        if applied:
            assert_blocked(d)
        else:
            assert_not_applied(d, "authenticationFlow")

    @pytest.mark.parametrize("methods", [(), ("none",)])
    def test_not_configured(self, methods: tuple[str, ...]) -> None:
        """No transfer method, or ``none``, leaves the condition unconfigured."""
        # entra-facts §3.2: flags none=0; an empty condition doesn't restrict.
        t = tenant(blocking(authentication_flows=AuthenticationFlows(transfer_methods=methods)))
        assert_blocked(check(t, session()))
        assert_blocked(check(t, session(authentication_flow="deviceCodeFlow")))

    def test_detail(self) -> None:
        """The trace names the flow, or says the sign-in used none."""
        # entra-facts §3.2; PolicyResult.details.
        t = tenant(blocking(authentication_flows=AuthenticationFlows(
            transfer_methods=["deviceCodeFlow"])))
        assert "authentication flow deviceCodeFlow is included" in details(
            check(t, session(authentication_flow="deviceCodeFlow")))
        assert "no transfer flow" in details(check(t, session(auth("fido2"))))


class TestRisk:
    """Sign-in, user and insider risk levels: exact set membership (entra-facts §6.7)."""

    @pytest.mark.parametrize(("level", "applied"), [
        ("high", True), ("medium", True), ("low", False), ("none", False), ("hidden", False),
        ("HIGH", True),
    ])
    def test_sign_in_risk(self, level: str, applied: bool) -> None:
        """A sign-in risk policy applies when the session's level is listed."""
        # entra-facts §3.2 signInRiskLevels; §6.7 (inferred) exact set membership.
        t = tenant(blocking(sign_in_risk_levels=["medium", "high"]))
        d = check(t, session(auth("fido2"), sign_in_risk_level=level))
        if applied:
            assert_blocked(d)
        else:
            assert_not_applied(d, "signInRisk")

    @pytest.mark.parametrize(("level", "applied"), [
        ("high", True), ("medium", False), ("low", False), ("none", False),
    ])
    def test_user_risk(self, level: str, applied: bool) -> None:
        """A user risk policy applies when the session's level is listed."""
        # entra-facts §3.2 userRiskLevels; §6.7.
        t = tenant(blocking(user_risk_levels=["high"]))
        d = check(t, session(auth("fido2"), user_risk_level=level))
        if applied:
            assert_blocked(d)
        else:
            assert_not_applied(d, "userRisk")

    @pytest.mark.parametrize(("level", "applied"), [
        ("elevated", True), ("moderate", True), ("minor", False), ("none", False),
    ])
    def test_insider_risk(self, level: str, applied: bool) -> None:
        """An insider risk policy applies when the session's level is listed."""
        # entra-facts §3.2 insiderRiskLevels (minor, moderate, elevated); §6.7.
        t = tenant(blocking(insider_risk_levels=["moderate", "elevated"]))
        d = check(t, session(auth("fido2"), insider_risk_level=level))
        if applied:
            assert_blocked(d)
        else:
            assert_not_applied(d, "insiderRisk")

    def test_unsupplied_risk_is_none(self) -> None:
        """A session that gives no risk level has level ``none``, decided, not undetermined."""
        # entra-facts §6.7; DESIGN §4.4: "Risk levels not supplied are none."
        t = tenant(blocking(sign_in_risk_levels=["none"], user_risk_levels=["none"],
                            insider_risk_levels=["none"]))
        assert_blocked(check(t, session()))
        t = tenant(blocking(insider_risk_levels=["minor"]))
        assert_not_applied(check(t, session(auth("fido2"))), "insiderRisk")

    def test_every_configured_risk_must_match(self) -> None:
        """Sign-in and user risk together must both match (assignments are ANDed)."""
        # entra-facts §6.1: "All assignments are logically combined using AND."
        t = tenant(blocking(sign_in_risk_levels=["high"], user_risk_levels=["high"]))
        assert_blocked(check(t, session(sign_in_risk_level="high", user_risk_level="high")))
        assert_not_applied(check(t, session(auth("fido2"), sign_in_risk_level="high")),
                           "userRisk")
        assert_not_applied(check(t, session(auth("fido2"), user_risk_level="high")),
                           "signInRisk")

    def test_risk_detail(self) -> None:
        """The trace names the session's risk level."""
        # entra-facts §6.7; PolicyResult.details.
        d = check(tenant(blocking(sign_in_risk_levels=["high"])),
                  session(auth("fido2"), sign_in_risk_level="low"))
        assert "sign-in risk low is not included" in details(d)


class TestWorkloadIdentities:
    """Policies for service principals only (entra-facts §3.5)."""

    def test_client_applications_only_policy(self) -> None:
        """A workload identity policy never applies to a user, and says ``workloadIdentities``."""
        # entra-facts §3.5: "Calls made by service principals aren't blocked by Conditional
        # Access policies scoped to users" and the reverse; §8.3 workloadIdentities.
        t = tenant(blocking(
            users=UserConditions(include_users=["None"]),
            client_applications=ClientApplications(
                include_service_principals=["ServicePrincipalsInMyTenant"]),
            locations=LocationConditions(include_locations=["All"])))
        assert_not_applied(check(t, session(auth("fido2"))), "workloadIdentities")

    def test_workload_identity_policy_on_applications(self) -> None:
        """The documented "All ST SPs, all resources, any location: block" policy lets users in."""
        # entra-facts §3.5 example policy.
        sp_block = Policy(
            id="p1", display_name="All ST SPs_All resources_Any location_Block",
            conditions=Conditions(
                users=UserConditions(include_users=["None"]),
                client_applications=ClientApplications(
                    include_service_principals=["ServicePrincipalsInMyTenant"]),
                applications=ApplicationConditions(include_applications=["All"]),
                locations=LocationConditions(include_locations=["All"])),
            grant_controls=GrantControls(built_in_controls=["block"]))
        d = evaluate_sign_in(Tenant(policies=[sp_block]), session(auth("fido2")), APP)
        assert_not_applied(d, "workloadIdentities")

    def test_policy_with_users_and_service_principals_is_a_user_policy(self) -> None:
        """A policy that names users as well is evaluated for those users."""
        # entra-facts §3.2: "Either users or clientApplications is required".
        t = tenant(blocking(client_applications=ClientApplications(
            include_service_principals=["ServicePrincipalsInMyTenant"])))
        assert_blocked(check(t, session()))


class TestApplicationFilter:
    """A filter for applications by custom security attributes cannot be decided."""

    def test_application_filter_is_undetermined(self) -> None:
        """An included application with an application filter is undetermined and applies."""
        # entra-facts §3.4 applicationFilter (custom security attributes); DESIGN §4.4.
        app_filter = Filter(mode="include",
                            rule='CustomSecurityAttribute.Engineering_Project -eq "Baker"')
        t = tenant(blocking(applications=ApplicationConditions(include_applications=["All"],
                                                               application_filter=app_filter)))
        d = evaluate_sign_in(t, session(auth("fido2")), APP)
        assert_blocked(d, complete=False)
        assert "application filter cannot be decided" in details(d)

    def test_application_filter_on_another_application(self) -> None:
        """The filter does not matter when the application is not targeted at all."""
        # entra-facts §6.1: assignments are ANDed; the target already fails.
        app_filter = Filter(mode="exclude", rule='CustomSecurityAttribute.x -eq "y"')
        t = tenant(blocking(applications=ApplicationConditions(include_applications=[APP],
                                                               application_filter=app_filter)))
        assert_not_applied(evaluate_sign_in(t, session(auth("fido2")), OTHER_APP),
                           "application")


class TestLegacyDeviceStates:
    """The beta ``deviceStates`` condition, read as documented (entra-facts §3.2, §6.6)."""

    @pytest.mark.parametrize(("device", "applied"), [
        (None, True),
        (Device(trust_type="Workplace", is_compliant=False), True),
        (Device(trust_type="AzureAD", is_compliant=True), False),
        (Device(trust_type="ServerAD"), False),
        (Device(trust_type="ServerAD", is_compliant=True), False),
    ], ids=["unregistered", "registered", "compliant", "hybrid-joined", "both"])
    def test_all_but_compliant_or_domain_joined(self, device: Device | None,
                                                applied: bool) -> None:
        """includeStates All, excludeStates Compliant and DomainJoined: only unmanaged devices."""
        # entra-facts §3.2: deviceStates (beta), superseded by the device filter.
        t = tenant(blocking(device_states=DeviceStates(
            include_states=["All"], exclude_states=["Compliant", "DomainJoined"])))
        d = check(t, session(auth("fido2"), device=device))
        if applied:
            assert_blocked(d)
        else:
            assert_not_applied(d, "devices")

    def test_older_device_conditions_lists(self) -> None:
        """The same lists under ``devices`` (older exports) are read the same way."""
        # entra-facts §3.2; DeviceConditions keeps includeDeviceStates/excludeDeviceStates.
        t = tenant(blocking(devices=DeviceConditions(include_device_states=["All"],
                                                     exclude_device_states=["Compliant"])))
        assert_not_applied(check(t, session(auth("fido2"), device=AAD_JOINED)), "devices")
        assert_blocked(check(t, session(device=PERSONAL_PHONE)))

    @pytest.mark.parametrize(("device", "applied"), [
        (Device(trust_type="AzureAD", is_compliant=False), True),
        (Device(trust_type="AzureAD", is_compliant=True), False),
        (Device(trust_type="Workplace", is_compliant=False), False),
    ], ids=["filter and state match", "state excluded", "filter does not match"])
    def test_device_filter_together_with_legacy_states(self, device: Device,
                                                      applied: bool) -> None:
        """A device filter and the legacy device states in one policy must both match:
        conditions combine with AND."""
        # https://learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-conditions
        # ("all assignments are logically ANDed"); deviceStates as in entra-facts §3.2.
        t = tenant(blocking(
            devices=DeviceConditions(device_filter=Filter(
                mode="include", rule='device.trustType -eq "AzureAD"')),
            device_states=DeviceStates(include_states=["All"], exclude_states=["Compliant"])))
        d = check(t, session(auth("fido2"), device=device))
        if applied:
            assert_blocked(d)
        else:
            assert_not_applied(d, "devices")

    def test_state_detail(self) -> None:
        """The trace names the device state that was excluded."""
        # entra-facts §3.2; PolicyResult.details.
        t = tenant(blocking(device_states=DeviceStates(include_states=["All"],
                                                       exclude_states=["Compliant"])))
        d = check(t, session(auth("fido2"), device=AAD_JOINED))
        assert "device state ['compliant'] is excluded" in details(d)


class TestUnmodelledConditions:
    """Conditions this library does not model are never ignored (DESIGN §4.4)."""

    def test_unmodelled_condition_with_a_value(self) -> None:
        """An unmodelled condition carrying a value leaves the policy undetermined."""
        # entra-facts §3.2: times (beta/example) [UNCONFIRMED] schema; DESIGN §4.4 fail-closed.
        t = tenant(blocking(unmodelled=FrozenDict({"times": {"x": 1}})))
        d = check(t, session(auth("fido2")))
        assert_blocked(d, complete=False)
        assert "conditions.times" in details(d)

    @pytest.mark.parametrize("value", [None, {}, [], ""])
    def test_unmodelled_condition_without_a_value(self, value: object) -> None:
        """A null or empty unmodelled condition, as Graph's examples carry, is ignored."""
        # entra-facts §3.2: clients, times "appear as null in evaluate examples".
        t = tenant(blocking(unmodelled=FrozenDict({"times": value})))
        assert_blocked(check(t, session(auth("fido2"))))

    def test_unmodelled_nested_condition(self) -> None:
        """An unmodelled property inside a modelled condition is undetermined too."""
        # entra-facts §3.7 (compliant network locations are not session facts); DESIGN §4.4.
        locations = LocationConditions(include_locations=["All"],
                                       unmodelled=FrozenDict({"includeCompliantNetworks": True}))
        d = check(tenant(blocking(locations=locations)), session(auth("fido2")))
        assert_blocked(d, complete=False)
        assert "conditions.locations.includeCompliantNetworks" in details(d)

    def test_decided_mismatch_wins_over_unmodelled(self) -> None:
        """A policy that a decided condition already rules out stays not applied."""
        # entra-facts §6.1: assignments are ANDed.
        t = tenant(blocking(users=UserConditions(include_users=["All"], exclude_users=["alice"]),
                            unmodelled=FrozenDict({"times": {"x": 1}})))
        assert_not_applied(check(t, session(auth("fido2"))), "users")


# -- what-if analysis reasons ----------------------------------------------------------


def _scenario(policies: tuple[Policy, ...], sess: SessionState, *,
              target: str | None = None, **fields: Any) -> Decision:
    t = tenant(*policies, contexts=("c1", "c2"), named_locations=LOCATIONS, **fields)
    return check(t, sess) if target is None else evaluate_sign_in(t, sess, target)


ANALYSIS_SCENARIOS: dict[str, Callable[[], Decision]] = {
    "users": lambda: _scenario(
        (blocking(users=UserConditions(include_users=["All"], exclude_users=["alice"])),),
        session()),
    "authenticationContext": lambda: _scenario(
        (policy("p0", controls=()), blocking(contexts=("c2",))), session()),
    "application": lambda: _scenario(
        (blocking(applications=ApplicationConditions(include_applications=[APP])),),
        session(), target=OTHER_APP),
    "userActions": lambda: _scenario(
        (blocking(applications=ApplicationConditions(
            include_user_actions=["urn:user:registersecurityinfo"])),),
        session(), target="urn:user:registerdevice"),
    "devicePlatform": lambda: _scenario(
        (blocking(platforms=PlatformConditions(include_platforms=["iOS", "android"])),),
        session(device_platform="windows")),
    "location": lambda: _scenario(
        (blocking(locations=LocationConditions(include_locations=["loc-hq"])),),
        session(ip_address=HOME_IP)),
    "clientApps": lambda: _scenario(
        (blocking(client_app_types=["exchangeActiveSync", "other"]),),
        session(client_app_type="browser")),
    "signInRisk": lambda: _scenario(
        (blocking(sign_in_risk_levels=["high"]),), session(sign_in_risk_level="low")),
    "userRisk": lambda: _scenario(
        (blocking(user_risk_levels=["high"]),), session(user_risk_level="medium")),
    "insiderRisk": lambda: _scenario(
        (blocking(insider_risk_levels=["elevated"]),), session(insider_risk_level="minor")),
    "authenticationFlow": lambda: _scenario(
        (blocking(authentication_flows=AuthenticationFlows(
            transfer_methods=["deviceCodeFlow"])),), session()),
    "devices": lambda: _scenario(
        (blocking(devices=DeviceConditions(device_filter=Filter(
            mode="exclude", rule='device.trustType -eq "AzureAD"'))),),
        session(device=AAD_JOINED)),
    "workloadIdentities": lambda: _scenario(
        (blocking(users=UserConditions(include_users=["None"]),
                  client_applications=ClientApplications(
                      include_service_principals=["ServicePrincipalsInMyTenant"])),),
        session()),
    "notEnoughInformation": lambda: _scenario(
        (blocking(locations=LocationConditions(include_locations=["loc-hq"])),), session()),
    "policyNotEnabled": lambda: _scenario(
        (policy("p0", controls=()), blocking(state="disabled")), session()),
}


class TestAnalysisReasons:
    """Each condition's reason is named as Graph's what-if names it (entra-facts §8.3)."""

    @pytest.mark.parametrize("reason", sorted(ANALYSIS_SCENARIOS))
    def test_reason_name(self, reason: str) -> None:
        """The policy's ``analysis_reasons`` holds the what-if member for its condition."""
        # entra-facts §8.3: whatIfAnalysisReasons members.
        d = ANALYSIS_SCENARIOS[reason]()
        r: PolicyResult = result_for(d, "p1")
        assert r.analysis_reasons == (reason,)
        assert r.applies is (reason == "notEnoughInformation")

    def test_applying_policy_says_not_set(self) -> None:
        """A policy that applies with every fact known says ``notSet``."""
        # entra-facts §8.3: "notSet when the policy applies".
        d = _scenario((blocking(locations=LocationConditions(include_locations=["loc-hq"])),),
                      session(ip_address=HQ_IP))
        assert reasons(d) == ("notSet",)

    def test_first_failing_condition_is_reported(self) -> None:
        """With several conditions unmet, only the first is reported, as the what-if tool does."""
        # entra-facts §8.1: "the reason represents the first condition that wasn't satisfied".
        d = _scenario((blocking(users=UserConditions(include_users=["All"],
                                                     exclude_users=["alice"]),
                                sign_in_risk_levels=["high"],
                                locations=LocationConditions(include_locations=["loc-hq"])),),
                      session(ip_address=HOME_IP))
        assert reasons(d) == ("users",)

    def test_report_only_policy_reasons(self) -> None:
        """A report-only policy that does not apply gives its reason too."""
        # entra-facts §8.3: example responses include report-only policies; §6.3.
        d = _scenario((policy("p0", controls=()),
                       blocking(state="enabledForReportingButNotEnforced",
                                platforms=PlatformConditions(include_platforms=["iOS"]))),
                      session(device_platform="android"))
        r = result_for(d, "p1")
        assert r.analysis_reasons == ("devicePlatform",)
        assert r.result.value == "reportOnlyNotApplied"

    def test_reason_names_are_the_enum_values(self) -> None:
        """Every reason the scenarios produce is a member of ``AnalysisReason``."""
        # entra-facts §8.3
        from protected_actions import AnalysisReason

        names = {member.value for member in AnalysisReason}
        assert set(ANALYSIS_SCENARIOS) <= names
