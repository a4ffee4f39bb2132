"""Properties: ``load(dump(t)) == t`` for generated tenants and sessions; damaged
documents and random bytes raise LoadError with paths, never another exception."""

from __future__ import annotations

import ipaddress
import string
import tempfile
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.graph import CORPUS, corpus_files

from protected_actions import (
    PROTECTABLE_PERMISSIONS,
    ApplicationConditions,
    AuthContext,
    Authentication,
    AuthenticationFlows,
    AuthenticationStrength,
    AuthMethod,
    ClientApplications,
    CombinationConfiguration,
    CompliantNetworkNamedLocation,
    Conditions,
    CountryNamedLocation,
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
    LoadError,
    LoadProblem,
    LocationConditions,
    PlatformConditions,
    Policy,
    ProtectedAction,
    RoleAssignment,
    RoleDefinition,
    RoleEligibility,
    SessionControls,
    SessionState,
    SignInFrequency,
    Tenant,
    User,
    UserConditions,
)
from protected_actions.graph import (
    dump_policy,
    dump_session,
    dump_tenant,
    load_policies,
    load_session,
    load_tenant,
)
from protected_actions.graph._io import read_json
from protected_actions.model.frozen import FrozenDict, FrozenJSON, freeze_mapping

T = TypeVar("T")
SETTINGS = settings(max_examples=120, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])

# -- small building blocks -------------------------------------------------------------

IDS = st.text(alphabet=string.ascii_letters + string.digits + "-_<> ", min_size=1,
              max_size=8).filter(lambda s: s == s.strip())  # ids are never padded
NAMES = st.text(max_size=10)
OPTIONAL_NAMES = st.none() | NAMES
JSON: st.SearchStrategy[Any] = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.text(max_size=4),
    lambda inner: st.lists(inner, max_size=2) | st.dictionaries(
        st.text(string.ascii_letters, min_size=1, max_size=3), inner, max_size=2),
    max_leaves=4)
UNKNOWN: st.SearchStrategy[FrozenDict[str, FrozenJSON]] = st.dictionaries(
    st.sampled_from(["zzBeta", "zzFuture", "@odata.etag", "zzBeta@odata.type"]), JSON,
    max_size=2).map(freeze_mapping)
METHODS = [m.value for m in AuthMethod if m is not AuthMethod.UNKNOWN_FUTURE_VALUE]
# Session and directory-user ids have no surrounding whitespace (padded ids are errors).
USER_IDS = IDS.map(lambda s: s.strip() or "id")
GUEST_TYPES = ["internalGuest", "b2bCollaborationGuest", "b2bCollaborationMember",
               "b2bDirectConnectUser", "otherExternalUser", "serviceProvider"]


def strs(elements: st.SearchStrategy[str] = IDS, max_size: int = 3
         ) -> st.SearchStrategy[tuple[str, ...]]:
    """Tuples of strings."""
    return st.lists(elements, max_size=max_size).map(tuple)


def flags(*words: str) -> st.SearchStrategy[tuple[str, ...]]:
    """Flags tuples from a vocabulary, in any order."""
    return st.lists(st.sampled_from(words), max_size=3, unique=True).map(tuple)


def optional(strategy: st.SearchStrategy[T]) -> st.SearchStrategy[T | None]:
    """``None`` or a value."""
    return st.none() | strategy


def id_sets(ids: st.SearchStrategy[str] = IDS) -> st.SearchStrategy[frozenset[str]]:
    """Sets of ids."""
    return st.frozensets(ids, max_size=3)


COMBINATIONS = st.lists(st.lists(st.sampled_from(METHODS), min_size=1, max_size=3,
                                 unique=True).map(tuple), max_size=3).map(tuple)

# -- policies ---------------------------------------------------------------------------

FILTERS = st.builds(Filter, mode=st.sampled_from(["include", "exclude"]),
                    rule=st.text(max_size=20), unmodelled=UNKNOWN)
GUESTS = st.builds(
    GuestsOrExternalUsers,
    guest_or_external_user_types=flags("internalGuest", "b2bCollaborationGuest",
                                       "serviceProvider", "unknownFutureValue"),
    external_tenants=optional(st.builds(
        ExternalTenants, membership_kind=st.sampled_from(["all", "enumerated", "future"]),
        members=strs(), unmodelled=UNKNOWN)),
    unmodelled=UNKNOWN)
USERS = st.builds(UserConditions, include_users=strs(), exclude_users=strs(),
                  include_groups=strs(), exclude_groups=strs(), include_roles=strs(),
                  exclude_roles=strs(), include_guests_or_external_users=optional(GUESTS),
                  exclude_guests_or_external_users=optional(GUESTS), unmodelled=UNKNOWN)
APPLICATIONS = st.builds(
    ApplicationConditions, include_applications=strs(), exclude_applications=strs(),
    include_user_actions=strs(), include_authentication_context_class_references=strs(),
    application_filter=optional(FILTERS), unmodelled=UNKNOWN)
CONDITIONS = st.builds(
    Conditions, users=optional(USERS), applications=optional(APPLICATIONS),
    client_applications=optional(st.builds(
        ClientApplications, include_service_principals=strs(),
        exclude_service_principals=strs(), service_principal_filter=optional(FILTERS))),
    client_app_types=strs(st.sampled_from(["all", "All", "browser", "other"])),
    platforms=optional(st.builds(PlatformConditions, include_platforms=strs(),
                                 exclude_platforms=strs())),
    locations=optional(st.builds(LocationConditions, include_locations=strs(),
                                 exclude_locations=strs())),
    devices=optional(st.builds(DeviceConditions, device_filter=optional(FILTERS),
                               include_devices=strs(), include_device_states=strs())),
    device_states=optional(st.builds(DeviceStates, include_states=strs())),
    sign_in_risk_levels=strs(), user_risk_levels=strs(),
    service_principal_risk_levels=strs(),
    insider_risk_levels=flags("minor", "moderate", "elevated"),
    authentication_flows=optional(st.builds(
        AuthenticationFlows, transfer_methods=flags("deviceCodeFlow", "authenticationTransfer"))),
    unmodelled=UNKNOWN)

CONFIGURATIONS = st.builds(
    CombinationConfiguration, id=optional(IDS),
    kind=st.sampled_from(["fido2", "x509Certificate", "futureKind"]),
    applies_to_combinations=COMBINATIONS, allowed_aaguids=strs(),
    allowed_issuer_skis=strs(), allowed_policy_oids=strs(), unmodelled=UNKNOWN)
STRENGTHS = st.builds(
    AuthenticationStrength, id=IDS, display_name=NAMES, allowed_combinations=COMBINATIONS,
    description=OPTIONAL_NAMES, policy_type=st.sampled_from(["builtIn", "custom"]),
    requirements_satisfied=st.sampled_from(["mfa", "none"]),
    combination_configurations=st.lists(CONFIGURATIONS, max_size=2).map(tuple),
    created_date_time=OPTIONAL_NAMES, unmodelled=UNKNOWN)


@st.composite
def grant_controls(draw: st.DrawFn) -> GrantControls:
    """Grant controls; an embedded strength always matches the referenced id."""
    embedded = draw(optional(STRENGTHS))
    strength = embedded.id if embedded is not None else draw(optional(IDS))
    return GrantControls(
        operator=draw(st.sampled_from(["OR", "AND", "or"])),
        built_in_controls=draw(strs(st.sampled_from(["mfa", "block", "riskRemediation"]))),
        custom_authentication_factors=draw(strs()), terms_of_use=draw(strs()),
        authentication_strength=strength, embedded_authentication_strength=embedded,
        unmodelled=draw(UNKNOWN))


SESSION_CONTROLS = st.builds(
    SessionControls,
    sign_in_frequency=optional(st.builds(
        SignInFrequency, is_enabled=optional(st.booleans()), value=optional(st.integers(0, 90)),
        type=optional(st.sampled_from(["hours", "days"])),
        frequency_interval=optional(st.sampled_from(["timeBased", "everyTime"])))),
    others=st.dictionaries(st.sampled_from(["persistentBrowser", "cloudAppSecurity", "zzNew"]),
                           JSON, max_size=2).map(freeze_mapping))
POLICIES = st.builds(
    Policy, id=IDS, display_name=NAMES,
    state=st.sampled_from(["enabled", "disabled", "enabledForReportingButNotEnforced", "x"]),
    conditions=CONDITIONS, grant_controls=optional(grant_controls()),
    session_controls=optional(SESSION_CONTROLS), description=OPTIONAL_NAMES,
    template_id=optional(IDS), created_date_time=OPTIONAL_NAMES, unmodelled=UNKNOWN)

# -- locations, contexts, directory -------------------------------------------------------


def _address(version: int, value: int) -> str:
    return str(ipaddress.ip_address(value) if version == 4 else ipaddress.IPv6Address(value))


@st.composite
def ip_ranges(draw: st.DrawFn) -> IpRange:
    """A CIDR or a lower/upper range, IPv4 or IPv6."""
    version = draw(st.sampled_from([4, 6]))
    top = 2 ** (32 if version == 4 else 128) - 1
    first, second = sorted(draw(st.lists(st.integers(0, top), min_size=2, max_size=2)))
    if draw(st.booleans()):
        prefix = draw(st.integers(9, 32 if version == 4 else 128))
        return IpRange.from_cidr(f"{_address(version, first)}/{prefix}")
    return IpRange.from_bounds(_address(version, first), _address(version, second))


LOCATIONS = st.one_of(
    st.builds(IpNamedLocation, id=IDS, display_name=NAMES,
              ip_ranges=st.lists(ip_ranges(), max_size=2).map(tuple),
              is_trusted=st.booleans(), created_date_time=OPTIONAL_NAMES, unmodelled=UNKNOWN),
    st.builds(CountryNamedLocation, id=IDS, display_name=NAMES,
              countries_and_regions=strs(st.sampled_from(["NL", "us", "KP"])),
              include_unknown_countries_and_regions=st.booleans(),
              country_lookup_method=st.sampled_from(["clientIpAddress", "authenticatorAppGps"]),
              is_trusted=st.booleans(), unmodelled=UNKNOWN),
    st.builds(CompliantNetworkNamedLocation, id=IDS, display_name=NAMES,
              is_trusted=st.booleans(), unmodelled=UNKNOWN),
)
CONTEXTS = st.builds(AuthContext, id=st.integers(1, 99).map(lambda n: f"c{n}"),
                     display_name=NAMES, description=OPTIONAL_NAMES,
                     is_available=st.booleans(), unmodelled=UNKNOWN)
PERMISSIONS = st.sampled_from(sorted(PROTECTABLE_PERMISSIONS, key=str))
ACTIONS = st.builds(ProtectedAction, permission=PERMISSIONS, context_id=IDS, unmodelled=UNKNOWN)
ROLES = st.builds(RoleDefinition, id=IDS, display_name=IDS,
                  permissions=st.frozensets(PERMISSIONS, max_size=3),
                  is_built_in=st.booleans(), template_id=optional(IDS), unmodelled=UNKNOWN)


def _assignments(cls: Callable[..., T]) -> st.SearchStrategy[T]:
    return st.builds(cls, id=optional(IDS), principal_id=IDS, role_definition_id=IDS,
                     directory_scope_id=st.sampled_from(["/", "/administrativeUnits/a"]),
                     unmodelled=UNKNOWN)


USERS_ = st.builds(
    User, id=USER_IDS, display_name=OPTIONAL_NAMES,
    user_type=st.sampled_from(["member", "guest", "Guest"]),
    member_of=id_sets(USER_IDS), roles=id_sets(USER_IDS), eligible_roles=id_sets(USER_IDS),
    registered_methods=optional(st.frozensets(st.sampled_from(METHODS), max_size=3)),
    guest_or_external_user_type=optional(st.sampled_from(GUEST_TYPES)),
    home_tenant_id=optional(USER_IDS),
    unmodelled=UNKNOWN)
GROUPS = st.builds(Group, id=IDS, display_name=OPTIONAL_NAMES,
                   is_assignable_to_role=st.booleans(), member_of=id_sets(), unmodelled=UNKNOWN)


def unique(strategy: st.SearchStrategy[T], key: Callable[[T], Any]) -> st.SearchStrategy[
        tuple[T, ...]]:
    """Tuples of up to three values with distinct keys."""
    return st.lists(strategy, max_size=3, unique_by=key).map(tuple)


TENANTS = st.builds(
    Tenant,
    policies=unique(POLICIES, lambda p: p.id),
    auth_contexts=unique(CONTEXTS, lambda c: c.id),
    protected_actions=unique(ACTIONS, lambda a: a.permission.key),
    named_locations=unique(LOCATIONS, lambda n: n.id),
    authentication_strengths=unique(STRENGTHS, lambda s: s.id),
    # Role definition ids are case-insensitive (a Tenant rejects "a" next to "A").
    role_definitions=unique(ROLES, lambda r: r.id.casefold()),
    role_assignments=st.lists(_assignments(RoleAssignment), max_size=2).map(tuple),
    role_eligibilities=st.lists(_assignments(RoleEligibility), max_size=2).map(tuple),
    users=unique(USERS_, lambda u: u.id),
    groups=unique(GROUPS, lambda g: g.id),
    emergency_access_accounts=strs(),
    unmodelled=st.dictionaries(st.sampled_from(["zzExtra", "notes"]), JSON,
                               max_size=2).map(freeze_mapping),
)

# -- sessions ----------------------------------------------------------------------------

TIMES = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1),
                     timezones=st.sampled_from([timezone.utc, timezone(timedelta(hours=5,
                                                                                 minutes=30))]))
DEVICES = st.builds(
    Device, device_id=optional(USER_IDS), is_compliant=optional(st.booleans()),
    is_managed=st.booleans(), trust_type=optional(st.sampled_from(["AzureAD", "ServerAD"])),
    physical_ids=strs(), system_labels=strs(),
    extension_attributes=st.dictionaries(
        st.integers(1, 15).map(lambda n: f"extensionAttribute{n}"), NAMES, max_size=2))
SESSIONS = st.builds(
    SessionState, at=TIMES, user=USERS_.map(lambda u: u),
    authentications=st.lists(st.builds(
        Authentication, methods=st.frozensets(st.sampled_from(METHODS), min_size=1,
                                              max_size=2),
        at=TIMES, fido2_aaguid=optional(USER_IDS)), max_size=2).map(tuple),
    device_platform=optional(st.sampled_from(["windows", "iOS"])), device=optional(DEVICES),
    ip_address=optional(st.just("203.0.113.7")), country=optional(st.just("NL")),
    client_app_type=st.sampled_from(["browser", "other"]),
    supports_claims_challenge=st.booleans(),
    sign_in_risk_level=st.sampled_from(["none", "high"]),
    accepted_terms_of_use=id_sets(USER_IDS), password_changed_at=optional(TIMES),
    is_approved_client_app=st.booleans())

# -- the properties ----------------------------------------------------------------------


@SETTINGS
@given(TENANTS)
def test_load_of_dump_is_identity_for_tenants(tenant: Tenant) -> None:
    """load_tenant(dump_tenant(t)) == t for generated tenants, and the dump is stable."""
    dumped = dump_tenant(tenant)
    again = load_tenant(dumped)
    assert again == tenant
    assert dump_tenant(again) == dumped


@SETTINGS
@given(POLICIES)
def test_load_of_dump_is_identity_for_policies(policy: Policy) -> None:
    """load_policies(dump_policy(p)) gives back exactly p."""
    assert load_policies(dump_policy(policy)) == (policy,)


@SETTINGS
@given(SESSIONS)
def test_load_of_dump_is_identity_for_sessions(session: SessionState) -> None:
    """load_session(dump_session(s)) == s for generated sessions."""
    assert load_session(dump_session(session)) == session


WRONG = st.sampled_from([7, -1, "x", "", [], [7], {}, {"a": 1}, None, True, 1.5])


@st.composite
def damaged(draw: st.DrawFn, document: Any) -> Any:
    """``document`` with one value replaced by a wrong-typed one, or one key deleted."""
    if not isinstance(document, (dict, list)) or not document:
        return draw(WRONG)
    if isinstance(document, dict):
        key = draw(st.sampled_from(sorted(document)))
        action = draw(st.sampled_from(["replace", "delete", "descend", "descend"]))
        copy = dict(document)
        if action == "delete":
            del copy[key]
        else:
            copy[key] = draw(WRONG) if action == "replace" else draw(damaged(copy[key]))
        return copy
    index = draw(st.integers(0, len(document) - 1))
    items = list(document)
    items[index] = draw(st.one_of(WRONG, damaged(items[index])))
    return items


def _problems(load: Callable[[Any], Any], source: Any) -> tuple[LoadProblem, ...]:
    """The problems a loader reports (none when the document loads)."""
    try:
        load(source)
    except LoadError as error:
        return error.problems or (LoadProblem("", "LoadError without problems"),)
    return ()


def _loads_or_reports(load: Callable[[Any], Any], document: Any) -> None:
    assert all(p.path.startswith("$") for p in _problems(load, document))


@SETTINGS
@given(st.data())
def test_damaged_bundles_raise_load_error_with_paths(data: st.DataObject) -> None:
    """A bundle with a value of the wrong type or a missing key loads or raises
    LoadError whose problems all have a JSON path; never anything else."""
    document = dump_tenant(data.draw(TENANTS))
    _loads_or_reports(load_tenant, data.draw(damaged(document)))


@SETTINGS
@given(st.data())
def test_damaged_policies_raise_load_error_with_paths(data: st.DataObject) -> None:
    """A damaged policy document (also as a page) loads or raises LoadError."""
    document = {"value": [dump_policy(data.draw(POLICIES))]}
    _loads_or_reports(load_policies, data.draw(damaged(document)))


@SETTINGS
@given(st.data())
def test_damaged_sessions_raise_load_error_with_paths(data: st.DataObject) -> None:
    """A damaged session loads or raises LoadError."""
    document = dump_session(data.draw(SESSIONS))
    _loads_or_reports(load_session, data.draw(damaged(document)))


@cache
def _corpus_documents() -> tuple[Any, ...]:
    if not (CORPUS / "SOURCES.md").is_file():
        return ()
    return tuple(read_json(path) for path in corpus_files("conditional-access"))


@pytest.mark.skipif(not _corpus_documents(), reason="the real-data corpus is not available")
@SETTINGS
@given(st.data())
def test_damaged_corpus_policies_raise_load_error_with_paths(data: st.DataObject) -> None:
    """A damaged real policy document (UTF-16 exports, templates, arrays) loads or
    raises LoadError with paths."""
    document = data.draw(st.sampled_from(_corpus_documents()))
    _loads_or_reports(load_policies, data.draw(damaged(document)))


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=64) | st.text(max_size=40).map(str.encode))
def test_random_bytes_raise_load_error(content: bytes) -> None:
    """A file of random bytes is a LoadError naming the file (or, rarely, loads)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bundle.json"
        path.write_bytes(content)
        for load in (load_tenant, load_policies, load_session):
            assert all(p.source == str(path) and p.path.startswith("$")
                       for p in _problems(load, path))
