"""The public strategies (STYLE 19-20): valid output, reach, reprs, argument errors."""

from __future__ import annotations

import contextlib
import ipaddress
import re
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, Phase, find, given, note, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument, NoSuchExample

import protected_actions as pa
import protected_actions.strategies as pas
from protected_actions import Outcome, Policy, ReasonCode, SessionState, Tenant
from protected_actions.engine.compile import compiled
from protected_actions.strategies import (
    auth_contexts,
    authentications,
    devices,
    permissions,
    policies,
    session_states,
    sessions,
    tenants,
    tenants_and_sessions,
    users,
)

Pair = tuple[Tenant, SessionState]
PROTECTABLE = sorted(str(p) for p in pa.PROTECTABLE_PERMISSIONS)


def _scaled(factor: float) -> settings:
    """The loaded profile with ``factor`` times its examples."""
    return settings(max_examples=max(5, int(settings().max_examples * factor)))


def draw_once(strategy: st.SearchStrategy[Any]) -> None:
    """Draw a few values from ``strategy`` inside a test (where errors surface)."""

    @staticmethod
    @settings(max_examples=10, database=None, phases=[Phase.generate])
    @given(strategy)
    def draw(value: object) -> None:
        note(repr(value))

    draw()


# --------------------------------------------------------------------------------------
# everything generated is valid
# --------------------------------------------------------------------------------------


class TestValidity:
    """What the strategies generate passes every model validator and evaluates."""

    @staticmethod
    @given(permission=permissions(), protectable=permissions(protectable_only=True))
    def test_permissions(permission: pa.Permission, protectable: pa.Permission) -> None:
        """Permissions are well-formed actions; protectable ones are in the catalog."""
        assert len(permission.parts) >= 3
        assert not permission.is_all_tasks
        assert protectable in pa.PROTECTABLE_PERMISSIONS
        assert pa.Permission(permission.value) == permission

    @staticmethod
    @given(context=auth_contexts(), authentication=authentications())
    def test_contexts_and_authentications(context: pa.AuthContext,
                                          authentication: pa.Authentication) -> None:
        """Contexts have ids c1..c99; authentications are timezone-aware and used at
        least one method."""
        assert re.fullmatch(r"c([1-9]|[1-9][0-9])", context.id)
        assert authentication.at.utcoffset() is not None
        assert authentication.methods

    @staticmethod
    @given(user=users(), device=devices())
    def test_users_and_devices(user: pa.User, device: pa.Device) -> None:
        """Users and devices rebuild equal from their own fields (validators pass)."""
        assert attrs.evolve(user) == user
        assert attrs.evolve(device) == device

    @staticmethod
    @given(policy=policies())
    def test_policies_fit_in_a_tenant(policy: Policy) -> None:
        """A generated policy is a valid tenant on its own, and compiles."""
        tenant = Tenant(policies=(policy,))
        assert compiled(tenant).policies_by_id[policy.id] == policy

    @staticmethod
    @_scaled(0.5)
    @given(pair=tenants_and_sessions())
    def test_tenants_compile_and_sessions_evaluate(pair: Pair) -> None:
        """Every generated tenant compiles, and every generated session evaluates for
        every protectable permission, application permission and sign-in target."""
        tenant, session = pair
        assert compiled(tenant) is compiled(tenant)
        targets = {*PROTECTABLE, *(str(a.permission) for a in tenant.protected_actions)}
        for action in sorted(targets):
            for check in (True, False):
                decision = pa.evaluate(tenant, session, action, check_authorization=check)
                assert decision.outcome in Outcome
                assert decision.to_dict()["target"] == action
        for target in ("a1a1a1a1-0000-4000-8000-000000000001",
                       "urn:user:registersecurityinfo"):
            assert pa.evaluate_sign_in(tenant, session, target).outcome in Outcome

    @staticmethod
    @_scaled(0.5)
    @given(tenant=tenants())
    def test_tenant_ids_come_from_the_pools(tenant: Tenant) -> None:
        """Tenants hold 1-4 policies with pool ids, locations named loc-1..loc-3 in
        order, and contexts c1..c3."""
        assert 1 <= len(tenant.policies) <= 4
        assert {p.id for p in tenant.policies} <= {f"p{n}" for n in range(1, 7)}
        assert [n.id for n in tenant.named_locations] == [
            f"loc-{n}" for n in range(1, len(tenant.named_locations) + 1)]
        assert {c.id for c in tenant.auth_contexts} <= {"c1", "c2", "c3"}

    @staticmethod
    @_scaled(0.5)
    @given(data=st.data())
    def test_sessions_for_a_tenant_use_its_users_and_addresses(data: st.DataObject) -> None:
        """``sessions(tenant=st.just(t))`` signs in as a pool or directory user, and an
        address it supplies is readable or one of the deliberately odd values."""
        tenant = data.draw(tenants(), label="tenant")
        session = data.draw(sessions(tenant=st.just(tenant)), label="session")
        pool = {"u1", "u2", "u3", "u4", "u5", "U1"} | {u.id for u in tenant.users}
        assert session.user.id in pool
        if session.ip_address not in (None, "not-an-ip"):
            ipaddress.ip_address(session.ip_address)

    @staticmethod
    @_scaled(0.5)
    @given(pair=tenants_and_sessions())
    def test_tenants_and_sessions_round_trip_through_graph_json(pair: Pair) -> None:
        """Generated tenants and sessions survive the Graph JSON layer unchanged
        (``load_tenant(dump_tenant(t)) == t``, DESIGN §3)."""
        tenant, session = pair
        assert pa.load_tenant(pa.dump_tenant(tenant)) == tenant
        assert pa.load_session(pa.dump_session(session)) == session


# --------------------------------------------------------------------------------------
# what the strategies reach
# --------------------------------------------------------------------------------------

_FIND = settings(max_examples=3000, database=None, phases=[Phase.generate],
                 suppress_health_check=list(HealthCheck))


def _policy_feature(check: Callable[[Policy], bool]) -> Callable[[Tenant], bool]:
    return lambda tenant: any(check(p) for p in tenant.policies)


def _grant(check: Callable[[pa.GrantControls], bool]) -> Callable[[Policy], bool]:
    return lambda p: p.grant_controls is not None and check(p.grant_controls)


def _sif(check: Callable[[pa.SignInFrequency], bool]) -> Callable[[Policy], bool]:
    def test(p: Policy) -> bool:
        sif = p.session_controls.sign_in_frequency if p.session_controls else None
        return sif is not None and check(sif)

    return test


def _users(check: Callable[[pa.UserConditions], bool]) -> Callable[[Policy], bool]:
    return lambda p: p.conditions.users is not None and check(p.conditions.users)


def _cycle(tenant: Tenant) -> bool:
    parents = {g.id: g.member_of for g in tenant.groups}

    def reaches(start: str, goal: str, seen: frozenset[str] = frozenset()) -> bool:
        return any(p == goal or (p not in seen and reaches(p, goal, seen | {p}))
                   for p in parents.get(start, ()))

    return any(reaches(g, g) for g in parents)


_CUSTOM = ("strength-custom-1", "strength-custom-2")
TENANT_FEATURES: dict[str, Callable[[Tenant], bool]] = {
    "state enabled": _policy_feature(lambda p: p.state == "enabled"),
    "state disabled": _policy_feature(lambda p: p.state == "disabled"),
    "state report-only": _policy_feature(
        lambda p: p.state == "enabledForReportingButNotEnforced"),
    "state unknown": _policy_feature(lambda p: p.state == "unknownFutureValue"),
    "all users": _policy_feature(_users(lambda u: "All" in u.include_users)),
    "GuestsOrExternalUsers": _policy_feature(
        _users(lambda u: "GuestsOrExternalUsers" in u.include_users)),
    "guest types, enumerated tenants": _policy_feature(_users(
        lambda u: u.include_guests_or_external_users is not None
        and u.include_guests_or_external_users.external_tenants is not None
        and u.include_guests_or_external_users.external_tenants.membership_kind
        == "enumerated")),
    "include groups": _policy_feature(_users(lambda u: bool(u.include_groups))),
    "include roles": _policy_feature(_users(lambda u: bool(u.include_roles))),
    "exclude users": _policy_feature(_users(lambda u: bool(u.exclude_users))),
    "exclude groups": _policy_feature(_users(lambda u: bool(u.exclude_groups))),
    "exclude roles": _policy_feature(_users(lambda u: bool(u.exclude_roles))),
    "exclude guests": _policy_feature(
        _users(lambda u: u.exclude_guests_or_external_users is not None)),
    "applications": _policy_feature(lambda p: bool(
        p.conditions.applications and p.conditions.applications.include_applications)),
    "user actions": _policy_feature(lambda p: bool(
        p.conditions.applications and p.conditions.applications.include_user_actions)),
    "platforms": _policy_feature(lambda p: p.conditions.platforms is not None),
    "client app types": _policy_feature(lambda p: bool(p.conditions.client_app_types)),
    "locations All": _policy_feature(lambda p: p.conditions.locations is not None
                                     and "All" in p.conditions.locations.include_locations),
    "locations AllTrusted": _policy_feature(
        lambda p: p.conditions.locations is not None
        and "AllTrusted" in (*p.conditions.locations.include_locations,
                             *p.conditions.locations.exclude_locations)),
    "locations by id": _policy_feature(
        lambda p: p.conditions.locations is not None
        and "loc-1" in p.conditions.locations.include_locations),
    "device filter exclude mode": _policy_feature(
        lambda p: p.conditions.devices is not None
        and p.conditions.devices.device_filter is not None
        and p.conditions.devices.device_filter.mode == "exclude"),
    "sign-in risk": _policy_feature(lambda p: bool(p.conditions.sign_in_risk_levels)),
    "user risk": _policy_feature(lambda p: bool(p.conditions.user_risk_levels)),
    "insider risk": _policy_feature(lambda p: bool(p.conditions.insider_risk_levels)),
    "authentication flows": _policy_feature(
        lambda p: p.conditions.authentication_flows is not None),
    "sign-in frequency hours": _policy_feature(_sif(lambda f: f.type == "hours")),
    "sign-in frequency days": _policy_feature(_sif(lambda f: f.type == "days")),
    "sign-in frequency every time": _policy_feature(
        _sif(lambda f: f.frequency_interval == "everyTime")),
    "block": _policy_feature(_grant(lambda g: "block" in g.built_in_controls)),
    "mfa": _policy_feature(_grant(lambda g: "mfa" in g.built_in_controls)),
    "compliant device": _policy_feature(
        _grant(lambda g: "compliantDevice" in g.built_in_controls)),
    "hybrid joined device": _policy_feature(
        _grant(lambda g: "domainJoinedDevice" in g.built_in_controls)),
    "unknown control": _policy_feature(
        _grant(lambda g: "contosoFutureControl" in g.built_in_controls)),
    "built-in strength": _policy_feature(_grant(lambda g: g.authentication_strength in {
        s.id for s in pa.BUILT_IN_STRENGTHS})),
    "custom strength": _policy_feature(_grant(lambda g: g.authentication_strength in _CUSTOM)),
    "unknown strength": _policy_feature(
        _grant(lambda g: g.authentication_strength == "strength-unknown")),
    "embedded strength": _policy_feature(
        _grant(lambda g: g.embedded_authentication_strength is not None)),
    "terms of use": _policy_feature(_grant(lambda g: bool(g.terms_of_use))),
    "AND of two controls": _policy_feature(_grant(
        lambda g: g.operator == "AND" and len(g.built_in_controls) >= 2)),
    "OR of two controls": _policy_feature(_grant(
        lambda g: g.operator == "OR" and len(g.built_in_controls) >= 2)),
    "nested groups with a cycle": _cycle,
    "IP location": lambda t: any(isinstance(n, pa.IpNamedLocation) for n in t.named_locations),
    "country location": lambda t: any(isinstance(n, pa.CountryNamedLocation)
                                      for n in t.named_locations),
    "compliant network location": lambda t: any(
        isinstance(n, pa.CompliantNetworkNamedLocation) for n in t.named_locations),
    "custom strength restricted by a configuration": lambda t: any(
        s.combination_configurations for s in t.authentication_strengths),
    "role through a role-assignable group": lambda t: any(
        g.is_assignable_to_role and any(a.principal_id == g.id for a in t.role_assignments)
        for g in t.groups),
    "PIM eligibility": lambda t: bool(t.role_eligibilities),
    "custom role replacing a built-in": lambda t: any(
        r.id == pa.CONDITIONAL_ACCESS_ADMINISTRATOR.id for r in t.role_definitions),
    "directory users in two cases": lambda t: {"u1", "U1"} <= {u.id for u in t.users},
    "application permission protected": lambda t: any(
        not a.permission.is_directory for a in t.protected_actions),
    "context no policy targets": lambda t: any(
        a.context_id == "c4" for a in t.protected_actions),
}


def _session_in_location(pair: Pair) -> bool:
    tenant, session = pair
    return session.ip_address is not None and any(
        isinstance(n, pa.IpNamedLocation) and "." in session.ip_address
        and n.contains(session.ip_address) for n in tenant.named_locations)


def _reasons(pair: Pair) -> set[str]:
    """The reason codes of the pair's decisions for the tenant's protected actions
    and one protectable permission it does not protect."""
    tenant, session = pair
    protected = {a.permission.key for a in tenant.protected_actions}
    spare = next(p for p in PROTECTABLE if p.casefold() not in protected)
    targets = {spare, *(str(a.permission) for a in tenant.protected_actions)}
    return {f"reason {code.value}" for action in sorted(targets)
            for code in pa.evaluate(tenant, session, action).codes}


PAIR_FEATURES: dict[str, Callable[[Pair], bool]] = {
    "IP address inside a tenant location": _session_in_location,
    "directory user signs in": lambda pair: pair[1].user.id in {u.id for u in pair[0].users},
    "unregistered device": lambda pair: pair[1].device is None,
    "no platform supplied": lambda pair: pair[1].device_platform is None,
    "authentication older than a day": lambda pair: any(
        (pair[1].at - a.at).days >= 1 for a in pair[1].authentications),
}
#: Every reason code but POLICY_ISSUE (bad device filter rules are not in the pool).
# Not in the default pools: bad device filter rules (POLICY_ISSUE) and resourceActions
# entries with properties the evaluator cannot read (PROTECTION_UNDETERMINED).
REASONS = {f"reason {code.value}" for code in ReasonCode
           if code not in (ReasonCode.POLICY_ISSUE, ReasonCode.PROTECTION_UNDETERMINED)}


def _reach(strategy: st.SearchStrategy[Any], features: dict[str, Callable[[Any], bool]],
           examples: int, *, more: Callable[[Any], set[str]] | None = None,
           expected: frozenset[str] = frozenset()) -> set[str]:
    """The features (names of ``features``, and of ``expected`` that ``more`` returns)
    that none of ``examples`` generated values had."""
    missing = set(features) | expected

    def all_seen(value: object) -> bool:
        missing.difference_update([name for name in sorted(missing & set(features))
                                   if features[name](value)])
        if more is not None and missing & expected:
            missing.difference_update(more(value))
        return not missing

    with contextlib.suppress(NoSuchExample):
        find(strategy, all_seen, settings=settings(
            max_examples=examples, database=None, phases=[Phase.generate],
            suppress_health_check=list(HealthCheck)))
    return missing


class TestReach:
    """The default strategies reach every condition, control and outcome the
    evaluator knows, within a bounded number of examples."""

    def test_tenants_reach_every_feature(self) -> None:
        """``tenants()`` generates each feature of TENANT_FEATURES."""
        assert _reach(tenants(), TENANT_FEATURES, 1200) == set()

    def test_tenants_and_sessions_reach_every_outcome(self) -> None:
        """``tenants_and_sessions()`` generates each feature of PAIR_FEATURES, every
        reason code among them (bad device filter rules, POLICY_ISSUE, are not in
        the default rule pool)."""
        # The rarest outcome, BLOCKED_BY_POLICY, comes about once in 230 pairs
        # (measured over 3,000): 1,200 pairs missed it about once in 180 runs; the
        # search stops as soon as everything is seen (a few hundred pairs, typically),
        # and 6,000 make a miss rarer than one in a billion.
        assert _reach(tenants_and_sessions(), PAIR_FEATURES, 6000, more=_reasons,
                      expected=frozenset(REASONS)) == set()


# --------------------------------------------------------------------------------------
# reprs
# --------------------------------------------------------------------------------------


class TestRepr:
    """A strategy's repr shows how it was built, and is stable."""

    @pytest.mark.parametrize(("strategy", "expected"), [
        (permissions(), "permissions()"),
        (permissions(protectable_only=True), "permissions(protectable_only=True)"),
        (auth_contexts(ids=st.just("c7")), "auth_contexts(ids=just('c7'))"),
        (authentications(), "authentications()"),
        (users(ids=st.sampled_from(["a", "b"])), "users(ids=sampled_from(['a', 'b']))"),
        (devices(), "devices()"),
        (policies(states=st.just("enabled")), "policies(states=just('enabled'))"),
        (sessions(tenant=st.just(Tenant())), "sessions(tenant=just(Tenant(policies=(), "
         "auth_contexts=(), protected_actions=(), named_locations=(), "
         "authentication_strengths=(), role_definitions=(), role_assignments=(), "
         "role_eligibilities=(), users=(), groups=(), emergency_access_accounts=(), "
         "service_principals=(), application_groups=FrozenDict({}), "
         "unmodelled=FrozenDict({}))))"),
        (session_states(), "sessions()"),
        (tenants(max_policies=2), "tenants(max_policies=2)"),
        (tenants_and_sessions(), "tenants_and_sessions()"),
    ])
    def test_repr(self, strategy: st.SearchStrategy[Any], expected: str) -> None:
        """The repr is the call that built the strategy."""
        assert repr(strategy) == expected
        assert repr(strategy) == repr(strategy)

    def test_repr_survives_drawing(self) -> None:
        """Drawing from a strategy does not change its repr."""
        strategy = tenants(min_policies=2)
        draw_once(strategy)
        assert repr(strategy) == "tenants(min_policies=2)"


# --------------------------------------------------------------------------------------
# invalid arguments
# --------------------------------------------------------------------------------------

_NOT_A_STRATEGY: Any = "p1"
_BAD: Any = -1
_FRACTION: Any = 1.5


BAD_CALLS: dict[str, Callable[[], st.SearchStrategy[Any]]] = {
    "permissions(protectable_only='p1')": lambda: permissions(protectable_only=_NOT_A_STRATEGY),
    "auth_contexts(ids='p1')": lambda: auth_contexts(ids=_NOT_A_STRATEGY),
    "authentications(methods='p1')": lambda: authentications(methods=_NOT_A_STRATEGY),
    "authentications(times='p1')": lambda: authentications(times=_NOT_A_STRATEGY),
    "users(ids='p1')": lambda: users(ids=_NOT_A_STRATEGY),
    "users(group_ids='p1')": lambda: users(group_ids=_NOT_A_STRATEGY),
    "users(role_ids='p1')": lambda: users(role_ids=_NOT_A_STRATEGY),
    "devices(ids='p1')": lambda: devices(ids=_NOT_A_STRATEGY),
    "policies(ids='p1')": lambda: policies(ids=_NOT_A_STRATEGY),
    "policies(states='p1')": lambda: policies(states=_NOT_A_STRATEGY),
    "policies(context_ids='p1')": lambda: policies(context_ids=_NOT_A_STRATEGY),
    "policies(user_ids='p1')": lambda: policies(user_ids=_NOT_A_STRATEGY),
    "policies(group_ids='p1')": lambda: policies(group_ids=_NOT_A_STRATEGY),
    "policies(role_ids='p1')": lambda: policies(role_ids=_NOT_A_STRATEGY),
    "policies(location_ids='p1')": lambda: policies(location_ids=_NOT_A_STRATEGY),
    "policies(strength_ids='p1')": lambda: policies(strength_ids=_NOT_A_STRATEGY),
    "policies(built_in_controls='p1')": lambda: policies(built_in_controls=_NOT_A_STRATEGY),
    "policies(device_filter_rules='p1')": lambda: policies(device_filter_rules=_NOT_A_STRATEGY),
    "tenants(policies='p1')": lambda: tenants(policies=_NOT_A_STRATEGY),
    "tenants(named_locations='p1')": lambda: tenants(named_locations=_NOT_A_STRATEGY),
    'tenants(min_policies=-1)': lambda: tenants(min_policies=_BAD),
    'tenants(max_policies=-1)': lambda: tenants(max_policies=_BAD),
    'tenants(min_policies=True)': lambda: tenants(min_policies=True),
    'tenants(min_policies=3, max_policies=2)': lambda: tenants(min_policies=3, max_policies=2),
    'tenants(max_users=-1)': lambda: tenants(max_users=_BAD),
    'tenants(max_users=1.5)': lambda: tenants(max_users=_FRACTION),
    "tenants(policies=st.just('p1'))": lambda: tenants(policies=st.just(_NOT_A_STRATEGY)),
    "tenants(named_locations=st.just('p1'))":
        lambda: tenants(named_locations=st.just(_NOT_A_STRATEGY)),
    "sessions(tenant='p1')": lambda: sessions(tenant=_NOT_A_STRATEGY),
    "sessions(tenant=st.just('p1'))": lambda: sessions(tenant=st.just(_NOT_A_STRATEGY)),
    "sessions(users='p1')": lambda: sessions(users=_NOT_A_STRATEGY),
    "sessions(users=st.just('p1'))": lambda: sessions(users=st.just(_NOT_A_STRATEGY)),
    "sessions(at='p1')": lambda: sessions(at=_NOT_A_STRATEGY),
    "tenants_and_sessions(tenants='p1')": lambda: tenants_and_sessions(tenants=_NOT_A_STRATEGY),
    "tenants_and_sessions(tenants=st.just('p1'))":
        lambda: tenants_and_sessions(tenants=st.just(_NOT_A_STRATEGY)),
}


class TestInvalidArgument:
    """Bad arguments raise InvalidArgument when a value is drawn, not at call time."""

    @pytest.mark.parametrize("call", sorted(BAD_CALLS))
    def test_invalid_argument(self, call: str) -> None:
        """The call succeeds; drawing raises InvalidArgument."""
        strategy = BAD_CALLS[call]()
        with pytest.raises(InvalidArgument):
            draw_once(strategy)


# --------------------------------------------------------------------------------------
# the module
# --------------------------------------------------------------------------------------


class TestModule:
    """``protected_actions.strategies`` as a public module."""

    def test_exports_are_sorted_and_listed_by_dir(self) -> None:
        """``__all__`` is sorted, names only callables, and is what ``dir()`` shows."""
        assert pas.__all__ == sorted(pas.__all__)
        assert dir(pas) == pas.__all__
        assert all(callable(getattr(pas, name)) for name in pas.__all__)

    def test_session_states_is_sessions(self) -> None:
        """``session_states`` is an alias of ``sessions``."""
        assert session_states is sessions

    @pytest.mark.parametrize("model", [
        pa.Permission, pa.AuthContext, pa.Authentication, pa.User, pa.Device, Policy,
        SessionState, Tenant, pa.DeviceFilter, pa.IpRange, pa.IpNamedLocation,
        pa.CountryNamedLocation, pa.CompliantNetworkNamedLocation,
    ])
    def test_models_are_registered_for_from_type(self, model: type) -> None:
        """The ``hypothesis`` entry point registered a strategy for each model, so
        ``st.from_type`` works without setup."""

        @settings(max_examples=3, database=None)
        @given(st.from_type(model))
        def check(value: object) -> None:
            assert isinstance(value, model)

        check()

    def test_importing_before_hypothesis_registers_the_models(self) -> None:
        """Importing this module first (which imports Hypothesis, which loads the entry
        point from this half-imported module) works and registers the models."""
        code = ("import protected_actions.strategies\n"
                "from hypothesis import strategies as st\n"
                "import protected_actions as pa\n"
                "print(repr(st.from_type(pa.Tenant)))\n")
        result = subprocess.run([sys.executable, "-W", "error", "-c", code],
                                capture_output=True, text=True, check=True)
        assert result.stdout.strip() == "tenants()"

    def test_import_error_explains_the_extra(self) -> None:
        """Without Hypothesis, importing the module says how to install the extra."""
        code = ("import sys; sys.modules['hypothesis'] = None\n"
                "try:\n    import protected_actions.strategies\n"
                "except ImportError as e:\n    print(e)\n")
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                check=True, env={"HYPOTHESIS_NO_PLUGINS": "1"})
        assert "pip install protected-actions[hypothesis]" in result.stdout
