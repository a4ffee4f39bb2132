"""The evaluator's invariants (DESIGN §4), checked on generated tenants and sessions."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta, timezone
from functools import partial
from typing import Any

import attrs
import pytest
from hypothesis import given, note, settings
from hypothesis import strategies as st

import protected_actions as pa
from protected_actions import (
    GLOBAL_ADMINISTRATOR,
    PROTECTABLE_PERMISSIONS,
    Decision,
    Outcome,
    Policy,
    ReasonCode,
    SessionState,
    Tenant,
)
from protected_actions.engine.compile import compiled
from protected_actions.model.frozen import FrozenDict, FrozenJSON, freeze_mapping
from protected_actions.strategies import (
    authentications,
    ip_ranges,
    policies,
    sessions,
    tenants,
    tenants_and_sessions,
    users,
)

RANK = {Outcome.ALLOW: 0, Outcome.CHALLENGE: 1, Outcome.DENY: 2}
AUTHORIZATION = frozenset({ReasonCode.NOT_AUTHORIZED, ReasonCode.ROLE_NOT_ACTIVE})
NOT_ENFORCED_STATES = frozenset({"disabled", pa.PolicyState.REPORT_ONLY.value})
KNOWN_CONTROLS = frozenset({"block", "mfa", "compliantdevice", "domainjoineddevice",
                            "approvedapplication", "compliantapplication", "passwordchange"})
UNPROTECTED = "microsoft.directory/users/create"
PROTECTABLE = sorted(str(p) for p in PROTECTABLE_PERMISSIONS)
GA = GLOBAL_ADMINISTRATOR.id
LOCK_ID = "p-lock"
EMERGENCY_GROUP = "g-emergency"
EMERGENCY_INNER = "g-emergency-inner"

#: Device filter rules that read neither ``isCompliant`` nor extension attributes
#: (which a device exposes only when compliant, managed or hybrid joined).
COMPLIANCE_BLIND_RULES = (
    'device.trustType -eq "ServerAD"',
    'device.displayName -startsWith "PAW"',
    'device.deviceId -in ["dev-1", "dev-2"]',
    'device.operatingSystem -ne "Windows"',
    'device.model -notContains "Surface" -and device.trustType -ne "AzureAD"',
)


COMPLIANCE_BLIND_PAIRS = tenants_and_sessions(tenants=tenants(policies=policies(
    device_filter_rules=st.sampled_from(COMPLIANCE_BLIND_RULES))))


def _scaled(factor: float) -> settings:
    """The loaded profile with ``factor`` times its examples (expensive tests)."""
    return settings(max_examples=max(5, int(settings().max_examples * factor)))


# --------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------


def actions(tenant: Tenant) -> list[str]:
    """Every permission the tenant protects, and one it does not."""
    return sorted({str(a.permission) for a in tenant.protected_actions} | {UNPROTECTED})


def is_enforced(policy: Policy) -> bool:
    """``enabled``, or a state the evaluator does not know (treated as enforced)."""
    return policy.state not in NOT_ENFORCED_STATES


def decide(tenant: Tenant, session: SessionState, action: str) -> Decision:
    """The Conditional Access part of a decision (authorization skipped)."""
    return pa.evaluate(tenant, session, action, check_authorization=False)


def excluding(policy: Policy, *, user_ids: Sequence[str] = (),
              group_ids: Sequence[str] = ()) -> Policy:
    """``policy`` with more users and groups excluded."""
    current = policy.conditions.users or pa.UserConditions()
    changed = attrs.evolve(current, exclude_users=(*current.exclude_users, *user_ids),
                           exclude_groups=(*current.exclude_groups, *group_ids))
    return attrs.evolve(policy, conditions=attrs.evolve(policy.conditions, users=changed))


def with_policy(tenant: Tenant, policy: Policy) -> Tenant:
    """``tenant`` with ``policy`` added, or replacing the policy with its id."""
    kept = tuple(p for p in tenant.policies if p.id != policy.id)
    return attrs.evolve(tenant, policies=(*kept, policy))


def protecting(tenant: Tenant, permission: str, context_id: str) -> Tenant:
    """``tenant`` with ``permission`` protected by ``context_id``."""
    key = permission.casefold()
    kept = tuple(a for a in tenant.protected_actions if a.permission.key != key)
    added = pa.ProtectedAction(permission=permission, context_id=context_id)
    return attrs.evolve(tenant, protected_actions=(*kept, added))


def for_everyone(policy_id: str, context_id: str, grant: pa.GrantControls) -> Policy:
    """An enabled policy for all users on one auth context, with no other condition."""
    return Policy(id=policy_id, display_name=policy_id, state="enabled",
                  conditions=pa.Conditions(
                      users=pa.UserConditions(include_users=("All",)),
                      applications=pa.ApplicationConditions(
                          include_authentication_context_class_references=(context_id,))),
                  grant_controls=grant)


def blocked_by(decision: Decision, policy_id: str) -> bool:
    """Whether ``decision`` names ``policy_id`` as a blocking policy."""
    return any(r.code is ReasonCode.BLOCKED_BY_POLICY and r.policy_id == policy_id
               for r in decision.reasons)


def never_satisfied(decision: Decision) -> bool:
    """The documented never-satisfied loop: no enabled policy targets the context
    (entra-facts §1.3, DESIGN §4.3); not a decision about the user."""
    return decision.outcome is Outcome.DENY and decision.codes == (
        ReasonCode.CONTEXT_NOT_ENFORCED,)


def not_stricter(before: Decision, after: Decision) -> bool:
    """DENY > CHALLENGE > ALLOW: ``after`` is no stricter than ``before``."""
    return RANK[after.outcome] <= RANK[before.outcome]


def as_holder(session: SessionState) -> SessionState:
    """``session`` with the user holding Global Administrator actively."""
    return attrs.evolve(session, user=attrs.evolve(session.user,
                                                   roles=session.user.roles | {GA}))


def note_decisions(label: str, decisions: Iterable[Decision]) -> None:
    """Attach each decision's target, outcome and codes to a failure report."""
    for d in decisions:
        note(f"{label}: {d.target} -> {d.outcome.value} {[c.value for c in d.codes]}")


# --------------------------------------------------------------------------------------
# 1. emergency accounts
# --------------------------------------------------------------------------------------

ROUTES = ("user id", "group", "nested group", "nested group in the directory")


def _exclude_everywhere(tenant: Tenant, user_id: str, route: str) -> Tenant:
    """Exclude ``user_id`` from every enforced policy along ``route``; add the
    emergency groups (nested in each other, a cycle) and the directory record."""
    by_id = route == "user id"
    policies_ = tuple(
        excluding(p, user_ids=(user_id,) if by_id else (),
                  group_ids=() if by_id else (EMERGENCY_GROUP,)) if is_enforced(p) else p
        for p in tenant.policies)
    groups = (*tenant.groups,
              pa.Group(id=EMERGENCY_GROUP, member_of={EMERGENCY_INNER}),
              pa.Group(id=EMERGENCY_INNER, member_of={EMERGENCY_GROUP}))
    # One directory record for the user (ids are compared case-insensitively).
    directory = {u.id: u for u in tenant.users if u.id.casefold() != user_id.casefold()
                 or u.id == user_id}
    if route == "nested group in the directory":
        known = directory.get(user_id, pa.User(id=user_id))
        directory[user_id] = attrs.evolve(known, member_of=known.member_of | {EMERGENCY_INNER})
    elif route in ("group", "nested group") and user_id in directory:
        # Where the session and the directory disagree about a membership, a policy
        # applies if either makes it apply (DESIGN section 4): an exclusion by group
        # holds only when the directory's record agrees with the session.
        known = directory[user_id]
        directory[user_id] = attrs.evolve(
            known, member_of=known.member_of | _session_groups(route))
    return attrs.evolve(tenant, policies=policies_, groups=groups,
                        users=tuple(directory.values()),
                        emergency_access_accounts=(user_id,))


def _session_groups(route: str) -> frozenset[str]:
    return {"group": frozenset({EMERGENCY_GROUP}),
            "nested group": frozenset({EMERGENCY_INNER})}.get(route, frozenset())


class TestEmergencyAccounts:
    """DESIGN §4 invariant: an excluded user is never challenged or denied by CA."""

    @staticmethod
    @given(data=st.data())
    def test_excluded_user_is_never_challenged_or_denied(data: st.DataObject) -> None:
        """A user excluded from every enforced policy (by id, or through an excluded
        group reached directly or by nesting) gets ALLOW for every permission, or
        only the never-satisfied DENY of a context no enabled policy targets
        (DESIGN §4.3 agrees: that DENY is the documented loop of entra-facts §1.3,
        decided by the context, not by Conditional Access about the user)."""
        tenant = data.draw(tenants(), label="tenant")
        user_id = data.draw(st.sampled_from(["u1", "break-glass-1"]), label="user id")
        route = data.draw(st.sampled_from(ROUTES), label="route")
        tenant = _exclude_everywhere(tenant, user_id, route)
        session = data.draw(sessions(tenant=st.just(tenant), users=users(ids=st.just(user_id))),
                            label="session")
        session = as_holder(attrs.evolve(session, user=attrs.evolve(
            session.user, member_of=session.user.member_of | _session_groups(route))))
        note(f"session user: {session.user}")
        apps = [str(a.permission) for a in tenant.protected_actions
                if not a.permission.is_directory]
        for permission in PROTECTABLE + apps:
            authorized = pa.evaluate(tenant, session, permission)
            conditional = decide(tenant, session, permission)
            note_decisions("emergency", (authorized, conditional))
            assert conditional.outcome is Outcome.ALLOW or never_satisfied(conditional)
            if set(authorized.codes) <= AUTHORIZATION:
                assert permission in apps  # Global Administrator holds every protectable one
            else:
                assert authorized.to_dict() == attrs.evolve(
                    conditional, target=authorized.target).to_dict()


# --------------------------------------------------------------------------------------
# 2. lockout
# --------------------------------------------------------------------------------------


class TestLockout:
    """A block-all policy on a context locks out every holder; the emergency
    exclusion lifts it for exactly one user."""

    @staticmethod
    @_scaled(0.75)
    @given(data=st.data())
    def test_block_all_locks_out_everyone_but_the_excluded_user(data: st.DataObject) -> None:
        """An enabled block policy for all users on c1 with no exclusions denies every
        holder of every c1-protected permission in every session; excluding one user
        id lifts that policy's block for that user and changes nothing for anyone else."""
        tenant = data.draw(tenants(), label="tenant")
        permission = data.draw(st.sampled_from(PROTECTABLE), label="protected on c1")
        tenant = protecting(tenant, permission, "c1")
        lock = for_everyone(LOCK_ID, "c1", pa.GrantControls(built_in_controls=("block",)))
        locked = with_policy(tenant, lock)
        protected = sorted(str(a.permission) for a in locked.protected_actions
                           if a.context_id == "c1")
        drawn = data.draw(st.lists(sessions(tenant=st.just(locked)), min_size=1, max_size=4),
                          label="sessions")
        holders = [as_holder(s) if data.draw(st.booleans(), label="holder") else s
                   for s in drawn]
        emergency = data.draw(st.sampled_from(sorted({s.user.id for s in holders})),
                              label="emergency user")
        lifted = with_policy(locked, excluding(lock, user_ids=(emergency,)))
        for action in protected:
            for session in holders:
                before = decide(locked, session, action)
                after = decide(lifted, session, action)
                authorized = pa.evaluate(locked, session, action)
                note_decisions(session.user.id, (before, after, authorized))
                assert before.outcome is Outcome.DENY
                assert blocked_by(before, LOCK_ID)
                if not set(authorized.codes) <= AUTHORIZATION:
                    assert blocked_by(authorized, LOCK_ID)
                if session.user.id.casefold() == emergency.casefold():
                    assert not blocked_by(after, LOCK_ID)
                else:
                    assert after.to_dict() == before.to_dict()


# --------------------------------------------------------------------------------------
# 3. determinism, 4. order independence
# --------------------------------------------------------------------------------------


def _copy(tenant: Tenant) -> Tenant:
    """An equal tenant that has not been compiled yet."""
    return attrs.evolve(tenant, policies=tuple(tenant.policies))


class TestDeterminism:
    """Equal inputs give equal decisions (STYLE 11)."""

    @staticmethod
    @given(pair=tenants_and_sessions())
    def test_same_inputs_give_equal_decisions(pair: tuple[Tenant, SessionState]) -> None:
        """Evaluating twice, and on an equal tenant compiled afresh, gives equal
        Decisions: outcome, reasons, challenge, completeness, trace and to_dict()."""
        tenant, session = pair
        for action in actions(tenant):
            for check in (True, False):
                first = pa.evaluate(tenant, session, action, check_authorization=check)
                again = pa.evaluate(tenant, session, action, check_authorization=check)
                fresh = pa.evaluate(_copy(tenant), attrs.evolve(session), action,
                                    check_authorization=check)
                note_decisions("first", (first,))
                for other in (again, fresh):
                    assert other.outcome is first.outcome
                    assert other.reasons == first.reasons
                    assert other.challenge == first.challenge
                    assert other.complete == first.complete
                    assert other.policies == first.policies
                    assert other.to_dict() == first.to_dict()
                    assert other == first


class TestOrderIndependence:
    """The order of a tenant's collections never matters (DESIGN §4, Tenant docs)."""

    @staticmethod
    @_scaled(2)
    @given(data=st.data())
    def test_permuting_collections_never_changes_a_decision(data: st.DataObject) -> None:
        """A permutation of every tuple of the tenant (policies, users, groups, named
        locations, roles, assignments, contexts, strengths, protected actions) gives
        the same decision, as to_dict()."""
        tenant, session = data.draw(tenants_and_sessions(), label="tenant and session")
        fields = ("policies", "users", "groups", "named_locations", "role_definitions",
                  "role_assignments", "role_eligibilities", "auth_contexts",
                  "authentication_strengths", "protected_actions")
        changes: dict[str, Any] = {
            name: tuple(data.draw(st.permutations(getattr(tenant, name)), label=name))
            for name in fields}
        shuffled = attrs.evolve(tenant, **changes)
        for action in actions(tenant):
            for check in (True, False):
                before = pa.evaluate(tenant, session, action, check_authorization=check)
                after = pa.evaluate(shuffled, session, action, check_authorization=check)
                note_decisions("original", (before,))
                note_decisions("shuffled", (after,))
                assert after.to_dict() == before.to_dict()


# --------------------------------------------------------------------------------------
# 5. monotonicity
# --------------------------------------------------------------------------------------


class TestMonotonicity:
    """Less policy or more evidence never makes a decision stricter (DESIGN §4)."""

    @staticmethod
    @given(data=st.data())
    def test_excluding_the_user_never_makes_it_stricter(data: st.DataObject) -> None:
        """Adding the signed-in user's id to one policy's excluded users never turns
        ALLOW into CHALLENGE or DENY, nor CHALLENGE into DENY."""
        tenant, session = data.draw(tenants_and_sessions(), label="tenant and session")
        policy = data.draw(st.sampled_from(tenant.policies), label="policy")
        changed = with_policy(tenant, excluding(policy, user_ids=(session.user.id,)))
        for action in actions(tenant):
            before, after = decide(tenant, session, action), decide(changed, session, action)
            note_decisions("before", (before,))
            note_decisions("after", (after,))
            assert not_stricter(before, after)

    @staticmethod
    @given(data=st.data())
    def test_disabling_or_report_only_never_makes_it_stricter(data: st.DataObject) -> None:
        """Switching one policy to disabled or report-only never makes a decision
        stricter, except into the documented never-satisfied DENY when it was the
        last enabled policy on a directory permission's context (DESIGN §4.3)."""
        tenant, session = data.draw(tenants_and_sessions(), label="tenant and session")
        policy = data.draw(st.sampled_from(tenant.policies), label="policy")
        state = data.draw(st.sampled_from(sorted(NOT_ENFORCED_STATES)), label="new state")
        changed = with_policy(tenant, attrs.evolve(policy, state=state))
        for action in actions(tenant):
            before, after = decide(tenant, session, action), decide(changed, session, action)
            note_decisions("before", (before,))
            note_decisions("after", (after,))
            if never_satisfied(after) and not never_satisfied(before):
                context = changed.context_for(action)
                assert policy.state == "enabled"
                assert policy.targets_context(str(context))
                # An enabled emptyPolicy (no grant, no session control) never applies
                # and does not enforce a context (DESIGN §4).
                empty = {cp.id for cp in compiled(changed).compiled if cp.empty}
                assert not any(p.state == "enabled" and p.targets_context(str(context))
                               and p.id not in empty for p in changed.policies)
                continue
            assert not_stricter(before, after)

    def test_disabling_the_last_enabled_policy_gives_the_never_satisfied_loop(self) -> None:
        """Why the previous test has its one exception: with its only enabled policy
        off, a directory permission's context is never satisfied (entra-facts §1.3)."""
        at = datetime(2026, 11, 29, 10, tzinfo=timezone.utc)
        permission = "microsoft.directory/namedLocations/create"
        policy = for_everyone("p1", "c1", pa.GrantControls(built_in_controls=("mfa",)))
        tenant = protecting(Tenant(policies=(policy,)), permission, "c1")
        session = SessionState(at=at, user=pa.User(id="u1"), authentications=(
            pa.Authentication(methods={"password", "sms"}, at=at),))
        assert decide(tenant, session, permission).outcome is Outcome.ALLOW
        off = with_policy(tenant, attrs.evolve(policy, state="disabled"))
        assert never_satisfied(decide(off, session, permission))

    @staticmethod
    @given(data=st.data())
    def test_another_fresh_authentication_never_makes_it_stricter(data: st.DataObject) -> None:
        """Adding an authentication from the last five minutes, with any methods,
        never makes a decision stricter."""
        tenant, session = data.draw(tenants_and_sessions(), label="tenant and session")
        ages = st.integers(0, 300).map(lambda s: session.at - timedelta(seconds=s))
        extra = data.draw(authentications(times=ages), label="fresh authentication")
        more = attrs.evolve(session, authentications=(*session.authentications, extra))
        for action in actions(tenant):
            before, after = decide(tenant, session, action), decide(tenant, more, action)
            note_decisions("before", (before,))
            note_decisions("after", (after,))
            assert not_stricter(before, after)

    @staticmethod
    @given(data=st.data())
    def test_a_compliant_device_never_makes_it_stricter(data: st.DataObject) -> None:
        """The same registered device, compliant instead of not, never makes a decision
        stricter while no device filter reads compliance or extension attributes."""
        tenant, session = data.draw(COMPLIANCE_BLIND_PAIRS, label="tenant and session")
        device = session.device or pa.Device(device_id="dev-1")
        before_session = attrs.evolve(session, device=attrs.evolve(device, is_compliant=False))
        after_session = attrs.evolve(session, device=attrs.evolve(device, is_compliant=True))
        for action in actions(tenant):
            before = decide(tenant, before_session, action)
            after = decide(tenant, after_session, action)
            note_decisions("non-compliant", (before,))
            note_decisions("compliant", (after,))
            assert not_stricter(before, after)

    def test_a_filter_on_compliance_is_a_condition_not_evidence(self) -> None:
        """Why the previous test keeps compliance out of device filters: a filter that
        selects compliant devices makes a policy apply to them (entra-facts §7.4)."""
        at = datetime(2026, 11, 29, 10, tzinfo=timezone.utc)
        permission = "microsoft.directory/namedLocations/create"
        policy = attrs.evolve(
            for_everyone("p1", "c1", pa.GrantControls(built_in_controls=("block",))),
            conditions=attrs.evolve(
                for_everyone("p1", "c1", pa.GrantControls()).conditions,
                devices=pa.DeviceConditions(device_filter=pa.Filter(
                    mode="include", rule="device.isCompliant -eq True"))))
        tenant = protecting(Tenant(policies=(policy,)), permission, "c1")
        session = SessionState(at=at, user=pa.User(id="u1"))
        compliant = attrs.evolve(session, device=pa.Device(is_compliant=True))
        non_compliant = attrs.evolve(session, device=pa.Device(is_compliant=False))
        assert decide(tenant, non_compliant, permission).outcome is Outcome.ALLOW
        assert decide(tenant, compliant, permission).outcome is Outcome.DENY

    @staticmethod
    @given(data=st.data())
    def test_a_known_location_no_policy_names_never_makes_it_stricter(data: st.DataObject) -> None:
        """Supplying an IP address (or country) that lies in a named location no policy
        names, where none was supplied, never makes a decision stricter."""
        tenant, session = data.draw(tenants_and_sessions(), label="tenant and session")
        by_ip = data.draw(st.booleans(), label="by IP address")
        if by_ip:
            ip_range = data.draw(ip_ranges(), label="range")
            quiet: pa.IpNamedLocation | pa.CountryNamedLocation = pa.IpNamedLocation(
                id="loc-quiet", display_name="quiet", ip_ranges=(ip_range,))
            address = data.draw(st.integers(ip_range.first, ip_range.last), label="address")
            text = _address(ip_range.version, address)
            before_session = attrs.evolve(session, ip_address=None)
            after_session = attrs.evolve(session, ip_address=text)
        else:
            quiet = pa.CountryNamedLocation(id="loc-quiet", display_name="quiet",
                                            countries_and_regions=("JP",))
            before_session = attrs.evolve(session, country=None)
            after_session = attrs.evolve(session, country="JP")
        changed = attrs.evolve(tenant, named_locations=(*tenant.named_locations, quiet))
        note(f"after: ip={after_session.ip_address} country={after_session.country}")
        for action in actions(changed):
            before = decide(changed, before_session, action)
            after = decide(changed, after_session, action)
            note_decisions("unknown", (before,))
            note_decisions("known", (after,))
            assert not_stricter(before, after)


def _address(version: int, value: int) -> str:
    return str(ipaddress.IPv4Address(value) if version == 4 else ipaddress.IPv6Address(value))


# --------------------------------------------------------------------------------------
# 6. fail-closed
# --------------------------------------------------------------------------------------

UNKNOWN_CONTROLS = st.sampled_from(["riskRemediation", "unknownFutureValue",
                                    "contosoFutureControl"]) | st.text(min_size=1, max_size=6)


def _unknown_grants() -> st.SearchStrategy[pa.GrantControls]:
    """Grants no session can meet: AND with an unknown control or strength, or OR of
    unknown controls only (strength ids outside every pool, so never defined)."""
    unknown = UNKNOWN_CONTROLS.filter(lambda n: n.casefold() not in KNOWN_CONTROLS)
    strength = st.sampled_from(["strength-never-defined",
                                "00000000-0000-0000-0000-000000000009"])
    known = st.lists(st.sampled_from(["mfa", "compliantDevice", "passwordChange"]),
                     max_size=2, unique=True)
    return st.one_of(
        st.builds(lambda u, k: pa.GrantControls(operator="AND", built_in_controls=(u, *k)),
                  unknown, known),
        st.builds(lambda u: pa.GrantControls(operator="OR", built_in_controls=tuple(u)),
                  st.lists(unknown, min_size=1, max_size=2, unique=True)),
        st.builds(lambda s, k: pa.GrantControls(operator="AND", built_in_controls=tuple(k),
                                                authentication_strength=s), strength, known),
        st.builds(lambda s: pa.GrantControls(authentication_strength=s), strength),
    )


UNKNOWN_GRANTS = _unknown_grants()


def _has_unmeetable_grant(tenant: Tenant, policy: Policy) -> bool:
    """AND with an unknown control or strength, or OR of nothing but unknown ones."""
    grant = policy.grant_controls
    if grant is None or any(c.casefold() == "block" for c in grant.built_in_controls):
        return False
    strengths = {s.id for s in tenant.all_authentication_strengths} | {
        p.grant_controls.embedded_authentication_strength.id for p in tenant.policies
        if p.grant_controls and p.grant_controls.embedded_authentication_strength}
    unknown = [c for c in grant.built_in_controls if c.casefold() not in KNOWN_CONTROLS]
    if grant.authentication_strength and grant.authentication_strength not in strengths:
        unknown.append(grant.authentication_strength)
    known_count = (len(grant.built_in_controls) + bool(grant.authentication_strength)
                   + len(grant.terms_of_use) + len(grant.custom_authentication_factors)
                   - len(unknown))
    return bool(unknown) and (grant.operator.upper() != "OR" or known_count == 0)


class TestFailClosed:
    """What the evaluator cannot decide never yields ALLOW (DESIGN §4.4, §4.7)."""

    @staticmethod
    @given(data=st.data())
    def test_unknown_controls_and_strengths_never_allow(data: st.DataObject) -> None:
        """An applying enforced policy whose grant needs an unknown control or an
        undefined authentication strength never gives ALLOW, whether generated or
        added for everyone on the action's context."""
        tenant, session = data.draw(tenants_and_sessions(), label="tenant and session")
        permission = data.draw(st.sampled_from(PROTECTABLE), label="permission")
        tenant = protecting(tenant, permission, "c1")
        guard = for_everyone("p-guard", "c1", data.draw(UNKNOWN_GRANTS, label="grant"))
        guarded = with_policy(tenant, guard)
        decision = decide(guarded, session, permission)
        note_decisions("guarded", (decision,))
        assert decision.outcome is not Outcome.ALLOW
        for action in actions(tenant):
            decision = decide(tenant, session, action)
            unmeetable = [r.policy_id for r in decision.policies if r.applies and r.enforced
                          and _has_unmeetable_grant(tenant, tenant.policy(r.policy_id))]
            note(f"{action}: unmeetable applying policies {unmeetable}")
            if unmeetable:
                assert decision.outcome is not Outcome.ALLOW

    @staticmethod
    @given(data=st.data())
    def test_a_missing_fact_never_lets_a_policy_escape(data: st.DataObject) -> None:
        """Without an IP address and country (for a location condition) or a platform
        (for a platform condition), a policy is decided exactly as if it had no such
        condition: the undetermined condition never lets it escape."""
        tenant, session = data.draw(tenants_and_sessions(), label="tenant and session")
        policy = data.draw(st.sampled_from(tenant.policies), label="policy")
        by_location = data.draw(st.booleans(), label="location condition")
        if by_location:
            ids = st.sampled_from(["loc-1", "loc-2", "loc-3", "loc-unknown"])
            named = st.lists(ids, max_size=2, unique=True).map(tuple)
            condition = data.draw(st.builds(
                lambda i, e: pa.LocationConditions(include_locations=i, exclude_locations=e),
                named, named).filter(lambda c: c.include_locations or c.exclude_locations),
                label="locations")
            with_condition = attrs.evolve(policy.conditions, locations=condition)
            without = attrs.evolve(policy.conditions, locations=None)
            session = attrs.evolve(session, ip_address=None, country=None, gps_country=None)
        else:
            platforms = st.lists(st.sampled_from(["all", "android", "iOS", "windows", "linux"]),
                                 min_size=1, max_size=2, unique=True).map(tuple)
            condition_p = data.draw(st.builds(
                lambda i, e: pa.PlatformConditions(include_platforms=i, exclude_platforms=e),
                platforms, st.lists(st.sampled_from(["iOS", "macOS"]), max_size=1).map(tuple)),
                label="platforms")
            with_condition = attrs.evolve(policy.conditions, platforms=condition_p)
            without = attrs.evolve(policy.conditions, platforms=None)
            session = attrs.evolve(session, device_platform=None)
        undetermined = with_policy(tenant, attrs.evolve(policy, conditions=with_condition))
        dropped = with_policy(tenant, attrs.evolve(policy, conditions=without))
        for action in actions(tenant):
            before = decide(undetermined, session, action)
            after = decide(dropped, session, action)
            note_decisions("undetermined", (before,))
            note_decisions("dropped", (after,))
            assert RANK[before.outcome] >= RANK[after.outcome]
            assert before.outcome is after.outcome
            mine = {r.policy_id: r.applies for r in before.policies}
            theirs = {r.policy_id: r.applies for r in after.policies}
            assert mine[policy.id] == theirs[policy.id]


# Garbage: generated tenants and sessions with parts replaced by values built through
# the public constructors (text where Graph vocabulary goes, extreme numbers and
# times, rules that may not parse, properties the models keep but do not model).
_WORDS = st.text(min_size=1, max_size=6) | st.sampled_from(
    ["All", "None", "all", "AllTrusted", "GuestsOrExternalUsers", "c1", "u1", "g1", "loc-1",
     "mfa", "MFA", "block", "AND", "OR", "hours", "Days", "everyTime", "include", "exclude",
     "enabled", "windows", "browser", "other", "high", "none", "deviceCodeFlow", "fido2",
     "unknown", "NL", "::1", "203.0.113.9"])
_TUPLES = st.lists(_WORDS, max_size=3).map(tuple)
_MAYBE_WORD = st.none() | _WORDS
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=4),
    lambda inner: st.lists(inner, max_size=2) | st.dictionaries(st.text(max_size=4), inner,
                                                                max_size=2),
    max_leaves=4)


def _frozen(value: Mapping[str, Any]) -> FrozenDict[str, FrozenJSON]:
    return freeze_mapping(value)


_UNMODELLED = st.dictionaries(st.text(min_size=1, max_size=6), _JSON, max_size=1).map(_frozen)
_ANY_TIME = st.sampled_from([
    datetime.min.replace(tzinfo=timezone.utc), datetime.max.replace(tzinfo=timezone.utc),
    datetime(1, 1, 1, 0, 1, tzinfo=timezone(timedelta(hours=-23, minutes=-59)))]) | \
    st.datetimes(timezones=st.sampled_from([
        timezone.utc, timezone(timedelta(hours=23, minutes=59)),
        timezone(timedelta(hours=-23, minutes=-59))]))
_RULES = st.text(max_size=30) | st.sampled_from(
    ['device.trustType -eq "AzureAD"', "device.isCompliant -eq", "device.nope -eq 1",
     'device.extensionAttribute1 -in []'])
_FILTERS = st.builds(pa.Filter, mode=_WORDS, rule=_RULES)
_STRENGTHS = st.builds(
    pa.AuthenticationStrength, id=_WORDS, display_name=st.text(max_size=3),
    allowed_combinations=st.lists(_TUPLES.filter(bool), min_size=1, max_size=2),
    combination_configurations=st.lists(st.builds(
        pa.CombinationConfiguration, kind=_WORDS,
        applies_to_combinations=st.lists(_TUPLES.filter(bool), max_size=1),
        allowed_aaguids=_TUPLES), max_size=1))
_GUESTS = st.builds(pa.GuestsOrExternalUsers, guest_or_external_user_types=_TUPLES,
                    external_tenants=st.none() | st.builds(
                        pa.ExternalTenants, membership_kind=_WORDS, members=_TUPLES))


def _garbage_grant(*, embedded: pa.AuthenticationStrength | None, **fields: Any
                   ) -> pa.GrantControls:
    """Grant controls; an embedded strength takes the id the grant names."""
    strength_id = fields["authentication_strength"]
    if embedded is not None and strength_id is not None:
        fields["embedded_authentication_strength"] = attrs.evolve(embedded, id=strength_id)
    return pa.GrantControls(**fields)


_POLICY_PARTS: dict[tuple[str, ...], st.SearchStrategy[Any]] = {
    ("state",): _WORDS,
    ("grant_controls",): st.builds(
        _garbage_grant, operator=_WORDS, built_in_controls=_TUPLES,
        authentication_strength=_MAYBE_WORD, terms_of_use=_TUPLES,
        custom_authentication_factors=_TUPLES, embedded=st.none() | _STRENGTHS),
    ("session_controls",): st.builds(pa.SessionControls, sign_in_frequency=st.builds(
        pa.SignInFrequency, is_enabled=st.none() | st.booleans(),
        value=st.none() | st.integers(min_value=0) | st.sampled_from([10**6, 10**9, 2**63]),
        type=_MAYBE_WORD | st.sampled_from(["hours", "days"]),
        frequency_interval=_MAYBE_WORD, authentication_type=_MAYBE_WORD)),
    ("conditions", "users"): st.builds(
        pa.UserConditions, include_users=_TUPLES, exclude_users=_TUPLES,
        include_groups=_TUPLES, exclude_roles=_TUPLES,
        include_guests_or_external_users=st.none() | _GUESTS,
        exclude_guests_or_external_users=st.none() | _GUESTS, unmodelled=_UNMODELLED),
    ("conditions", "applications"): st.builds(
        pa.ApplicationConditions, include_applications=_TUPLES, exclude_applications=_TUPLES,
        include_user_actions=_TUPLES,
        include_authentication_context_class_references=_TUPLES | st.just(("c1",)),
        application_filter=st.none() | _FILTERS),
    ("conditions", "client_applications"): st.builds(
        pa.ClientApplications, include_service_principals=_TUPLES,
        exclude_service_principals=_TUPLES),
    ("conditions", "client_app_types"): _TUPLES,
    ("conditions", "platforms"): st.builds(pa.PlatformConditions, include_platforms=_TUPLES,
                                           exclude_platforms=_TUPLES),
    ("conditions", "locations"): st.builds(pa.LocationConditions, include_locations=_TUPLES,
                                           exclude_locations=_TUPLES),
    ("conditions", "devices"): st.builds(
        pa.DeviceConditions, device_filter=st.none() | _FILTERS, include_devices=_TUPLES,
        include_device_states=_TUPLES, exclude_device_states=_TUPLES),
    ("conditions", "device_states"): st.builds(pa.DeviceStates, include_states=_TUPLES,
                                               exclude_states=_TUPLES),
    ("conditions", "sign_in_risk_levels"): _TUPLES,
    ("conditions", "user_risk_levels"): _TUPLES,
    ("conditions", "insider_risk_levels"): _TUPLES,
    ("conditions", "authentication_flows"): st.builds(pa.AuthenticationFlows,
                                                      transfer_methods=_TUPLES),
    ("conditions", "unmodelled"): _UNMODELLED,
}
_REJECTED = object()
"""A garbled session part its model rejects (a library error, never kept)."""


def _attempt(kind: Any, **fields: Any) -> Any:
    """``kind(**fields)``, or :data:`_REJECTED` when the model rejects the values
    (session values are validated on construction: unknown enumeration values,
    padded ids...)."""
    try:
        return kind(**fields)
    except pa.InvalidModelError:
        return _REJECTED


_SESSION_PARTS: dict[tuple[str, ...], st.SearchStrategy[Any]] = {
    ("at",): _ANY_TIME,
    ("authentications",): st.lists(st.builds(
        partial(_attempt, pa.Authentication), methods=st.frozensets(_WORDS, min_size=1),
        at=_ANY_TIME, fido2_aaguid=_MAYBE_WORD), max_size=2).map(tuple),
    ("user",): st.builds(partial(_attempt, pa.User), id=_WORDS, user_type=_WORDS,
                         member_of=st.frozensets(_WORDS, max_size=2),
                         roles=st.frozensets(st.just(GA) | _WORDS, max_size=2),
                         eligible_roles=st.frozensets(_WORDS, max_size=1),
                         guest_or_external_user_type=_MAYBE_WORD, home_tenant_id=_MAYBE_WORD),
    ("device",): st.none() | st.builds(
        partial(_attempt, pa.Device), device_id=_MAYBE_WORD, display_name=_MAYBE_WORD,
        is_compliant=st.none() | st.booleans(), is_managed=st.booleans(),
        trust_type=_MAYBE_WORD, operating_system=_MAYBE_WORD,
        physical_ids=_TUPLES, system_labels=_TUPLES, extension_attributes=st.dictionaries(
            st.sampled_from(["extensionAttribute1", "extensionAttribute15"]), st.text(
                max_size=3), max_size=1)),
    ("device_platform",): _MAYBE_WORD,
    ("ip_address",): _MAYBE_WORD,
    ("country",): _MAYBE_WORD,
    ("gps_country",): _MAYBE_WORD,
    ("client_app_type",): _WORDS,
    ("sign_in_risk_level",): _WORDS,
    ("user_risk_level",): _WORDS,
    ("insider_risk_level",): _WORDS,
    ("authentication_flow",): _MAYBE_WORD,
    ("accepted_terms_of_use",): st.frozensets(_WORDS, max_size=2),
    ("password_changed_at",): st.none() | _ANY_TIME,
}
_TENANT_PARTS: dict[tuple[str, ...], st.SearchStrategy[Any]] = {
    ("named_locations",): st.lists(st.one_of(
        st.builds(pa.CountryNamedLocation, id=_WORDS, display_name=_WORDS,
                  countries_and_regions=st.lists(st.sampled_from(["NL", "us", "Zz"]),
                                                 max_size=2).map(tuple),
                  country_lookup_method=_WORDS, is_trusted=st.booleans()),
        st.builds(pa.IpNamedLocation, id=_WORDS, display_name=_WORDS,
                  ip_ranges=st.lists(ip_ranges(), max_size=2).map(tuple),
                  is_trusted=st.booleans()),
        st.builds(pa.CompliantNetworkNamedLocation, id=_WORDS, display_name=_WORDS,
                  compliant_network_type=_WORDS)), max_size=2, unique_by=lambda n: n.id),
    ("authentication_strengths",): st.lists(_STRENGTHS, max_size=2, unique_by=lambda s: s.id),
    ("groups",): st.lists(st.builds(pa.Group, id=_WORDS, member_of=st.frozensets(_WORDS),
                                    is_assignable_to_role=st.booleans()),
                          max_size=2, unique_by=lambda g: g.id),
    ("role_assignments",): st.lists(st.builds(
        pa.RoleAssignment, principal_id=_WORDS, role_definition_id=_WORDS | st.just(GA),
        directory_scope_id=_WORDS), max_size=2),
    ("role_definitions",): st.lists(st.builds(
        pa.RoleDefinition, id=_WORDS | st.just(GA), display_name=_WORDS,
        template_id=_MAYBE_WORD, permissions=st.frozensets(
            st.sampled_from(PROTECTABLE), max_size=2)), max_size=2,
        unique_by=lambda r: r.id.casefold()),
    ("protected_actions",): st.lists(st.builds(
        pa.ProtectedAction, permission=st.sampled_from(
            [*PROTECTABLE, "contoso.payroll/payments/approve"]), context_id=_WORDS),
        max_size=2, unique_by=lambda a: a.permission.key),
}


def _evolved(obj: Any, path: tuple[str, ...], value: object) -> Any:
    """``obj`` with the attribute at ``path`` replaced; a missing parent is made."""
    name, rest = path[0], path[1:]
    if not rest:
        return attrs.evolve(obj, **{name: value})
    parent = getattr(obj, name)
    return attrs.evolve(obj, **{name: _evolved(parent, rest, value)})


def _garbling(parts: dict[tuple[str, ...], st.SearchStrategy[Any]], *, min_size: int = 0
              ) -> st.SearchStrategy[list[tuple[tuple[str, ...], Any]]]:
    one = st.one_of([st.tuples(st.just(path), values) for path, values in parts.items()])
    return st.lists(one, min_size=min_size, max_size=4)


SMALL_PAIRS = tenants_and_sessions(tenants=tenants(max_policies=2, max_users=2))
_GARBLE_POLICY = _garbling(_POLICY_PARTS, min_size=1)
_GARBLE_TENANT = _garbling(_TENANT_PARTS)
_GARBLE_SESSION = _garbling(_SESSION_PARTS, min_size=1)


@st.composite
def garbled(draw: st.DrawFn) -> tuple[Tenant, SessionState]:
    """A generated tenant and session with a few parts of each replaced by garbage."""
    tenant, session = draw(SMALL_PAIRS)
    changed = []
    for policy in tenant.policies:
        for path, value in draw(_GARBLE_POLICY):
            policy = _evolved(policy, path, value)
        changed.append(policy)
    tenant = attrs.evolve(tenant, policies=tuple(changed))
    for path, value in draw(_GARBLE_TENANT):
        tenant = _evolved(tenant, path, value)
    for path, value in draw(_GARBLE_SESSION):
        if value is _REJECTED or (isinstance(value, tuple) and _REJECTED in value):
            continue
        try:
            session = _evolved(session, path, value)
        except pa.InvalidModelError:
            continue  # a session value the model rejects is never evaluated
    return tenant, session


EXTREME_FREQUENCIES = st.builds(
    pa.SignInFrequency, value=st.sampled_from([0, 10**6, 10**9, 2**63]) | st.integers(0),
    type=st.sampled_from(["hours", "days"]),
    frequency_interval=st.sampled_from([None, "timeBased", "everyTime"]))
EXTREME_TIMES = st.sampled_from([
    datetime.min.replace(tzinfo=timezone.utc), datetime.max.replace(tzinfo=timezone.utc),
    datetime(1, 1, 1, 0, 1, tzinfo=timezone.utc)]) | st.datetimes(
    timezones=st.sampled_from([timezone.utc, timezone(timedelta(hours=-23, minutes=-59))]))


class TestTotality:
    """The evaluator is total over valid inputs (DESIGN §4 invariants, STYLE 8)."""

    @staticmethod
    @given(pair=garbled(), action=st.sampled_from(PROTECTABLE) | st.text(max_size=20))
    def test_garbage_raises_only_library_errors(pair: tuple[Tenant, SessionState],
                                                action: str) -> None:
        """Any tenant and session built through the public models, and any action
        text, give a Decision (fully rendered) or a ProtectedActionsError."""
        tenant, session = pair
        for target in (*actions(tenant), action):
            for check in (True, False):
                try:
                    decision = pa.evaluate(tenant, session, target, check_authorization=check)
                    decision.to_dict()
                    decision.explain()
                except pa.ProtectedActionsError as error:
                    note(f"library error: {error!r}")

    @staticmethod
    @given(data=st.data())
    def test_extreme_frequencies_and_times_raise_only_library_errors(data: st.DataObject) -> None:
        """Sign-in frequencies of any size and session times from year 1 to 9999 give
        a Decision or a ProtectedActionsError, never an arithmetic error."""
        tenant, session = data.draw(tenants_and_sessions(), label="tenant and session")
        policy = data.draw(st.sampled_from(tenant.policies), label="policy")
        frequency = data.draw(EXTREME_FREQUENCIES, label="sign-in frequency")
        tenant = with_policy(tenant, attrs.evolve(
            policy, session_controls=pa.SessionControls(sign_in_frequency=frequency)))
        at = data.draw(st.none() | EXTREME_TIMES, label="session time")
        if at is not None:
            session = attrs.evolve(session, at=at, authentications=tuple(
                attrs.evolve(a, at=data.draw(EXTREME_TIMES, label="authentication time"))
                for a in session.authentications))
        for action in actions(tenant):
            try:
                decision = pa.evaluate(tenant, session, action)
            except pa.ProtectedActionsError as error:
                note(f"library error: {error!r}")
                continue
            note_decisions("extreme", (decision,))

    @staticmethod
    @given(data=st.data())
    def test_a_policy_the_evaluator_cannot_read_never_allows(data: st.DataObject) -> None:
        """A blocking policy for everyone whose device filter cannot be read (bad rule
        text or an unknown mode) or that has conditions the evaluator does not model
        is treated as applying: the decision is DENY, never ALLOW."""
        tenant, session = data.draw(tenants_and_sessions(), label="tenant and session")
        permission = data.draw(st.sampled_from(PROTECTABLE), label="permission")
        tenant = protecting(tenant, permission, "c1")
        block = for_everyone("p-unreadable", "c1", pa.GrantControls(built_in_controls=("block",)))
        broken = data.draw(st.sampled_from(["rule", "mode", "unmodelled"]), label="broken part")
        if broken == "unmodelled":
            conditions = attrs.evolve(block.conditions, unmodelled=_frozen(
                {"clientApplications": {"includeServicePrincipals": ["sp-1"]}}))
        else:
            rule = data.draw(st.text(max_size=20), label="rule") if broken == "rule" \
                else "device.trustType -eq 'AzureAD'"
            mode = data.draw(_WORDS.filter(lambda m: m.casefold() not in ("include",
                                                                         "exclude")),
                             label="mode") if broken == "mode" else "include"
            if broken == "rule":
                try:
                    pa.parse_device_filter(rule)
                except pa.DeviceFilterSyntaxError:
                    pass
                else:
                    rule = "(" + rule
            conditions = attrs.evolve(block.conditions, devices=pa.DeviceConditions(
                device_filter=pa.Filter(mode=mode, rule=rule)))
        tenant = with_policy(tenant, attrs.evolve(block, conditions=conditions))
        decision = decide(tenant, session, permission)
        note_decisions("unreadable", (decision,))
        assert decision.outcome is Outcome.DENY
        assert blocked_by(decision, "p-unreadable")


# --------------------------------------------------------------------------------------
# 7. simulate_step_up
# --------------------------------------------------------------------------------------


#: Tenants whose policies require the custom strengths (some restricted to FIDO2
#: models or certificate issuers) as often as anything else.
CUSTOM_STRENGTH_TENANTS = tenants(max_policies=2, policies=policies(
    strength_ids=st.sampled_from(["strength-custom-1", "strength-custom-2"])))


class TestStepUp:
    """``simulate_step_up`` is sound for the evaluator's challenges."""

    @staticmethod
    @given(pair=tenants_and_sessions())
    def test_doing_what_a_challenge_asks_gives_allow(pair: tuple[Tenant, SessionState]) -> None:
        """When a decision is CHALLENGE, the session after simulate_step_up (the user's
        registered methods unknown) is allowed."""
        TestStepUp._check_step_up(*pair)

    @staticmethod
    @_scaled(2.5)
    @given(pair=tenants_and_sessions(tenants=CUSTOM_STRENGTH_TENANTS))
    def test_doing_what_a_custom_strength_asks_gives_allow(
            pair: tuple[Tenant, SessionState]) -> None:
        """The same, for tenants whose policies mostly require custom authentication
        strengths (some of whose combinations are restricted by configurations)."""
        TestStepUp._check_step_up(*pair)

    @staticmethod
    def _check_step_up(tenant: Tenant, session: SessionState) -> None:
        session = attrs.evolve(
            session, client_app_type="browser", supports_claims_challenge=True,
            user=attrs.evolve(session.user, registered_methods=None))
        note(f"strengths: {tenant.authentication_strengths}")
        for action in actions(tenant):
            decision = decide(tenant, session, action)
            if decision.outcome is not Outcome.CHALLENGE:
                continue
            stepped = pa.simulate_step_up(session, decision)
            after = decide(tenant, stepped, action)
            note_decisions("challenged", (decision,))
            note(f"requirements: {[r.to_dict() for r in decision.challenge.requirements]}"
                 if decision.challenge else "no challenge")
            added = stepped.authentications[len(session.authentications):]
            note(f"added authentications: {added}")
            note_decisions("after step-up", (after,))
            assert after.outcome is Outcome.ALLOW


class TestReasons:
    """Reasons point at the tenant's own policies (STYLE 18)."""

    @staticmethod
    @_scaled(0.5)
    @given(pair=tenants_and_sessions())
    def test_reasons_name_only_the_tenants_policies(pair: tuple[Tenant, SessionState]) -> None:
        """Every policy id a decision's reasons or requirements name is the id of a
        policy of the tenant."""
        tenant, session = pair
        ids = {p.id for p in tenant.policies}
        for action in actions(tenant):
            decision = pa.evaluate(tenant, session, action)
            note_decisions("decision", (decision,))
            assert {r.policy_id for r in decision.reasons} - {None} <= ids
            if decision.challenge is not None:
                assert {r.policy_id for r in decision.challenge.requirements} <= ids


# --------------------------------------------------------------------------------------
# counterexamples the properties found, kept as examples
# --------------------------------------------------------------------------------------

AT = datetime(2026, 11, 29, 10, tzinfo=timezone.utc)
DELETED_ITEMS = "microsoft.directory/deletedItems/delete"


def _one_policy_tenant(grant: pa.GrantControls | None, *,
                       session_controls: pa.SessionControls | None = None,
                       exclude_groups: Sequence[str] = (), **changes: Any) -> Tenant:
    policy = excluding(for_everyone("p1", "c1", grant or pa.GrantControls()),
                       group_ids=exclude_groups)
    policy = attrs.evolve(policy, session_controls=session_controls,
                          grant_controls=grant)
    return protecting(Tenant(policies=(policy,), **changes), DELETED_ITEMS, "c1")


CERTIFICATE_ISSUER = pa.CombinationConfiguration(
    kind="x509Certificate", applies_to_combinations=(("x509CertificateMultiFactor",),),
    allowed_issuer_skis=("AB",))
NO_PASSKEY_MODEL = pa.CombinationConfiguration(kind="fido2",
                                               applies_to_combinations=(("fido2",),))


def _restricted(combinations: tuple[tuple[str, ...], ...],
                configuration: pa.CombinationConfiguration) -> pa.AuthenticationStrength:
    configurations: Any = (configuration,)  # the field's converter hides its type
    return pa.AuthenticationStrength(id="s1", display_name="restricted",
                                     allowed_combinations=combinations,
                                     combination_configurations=configurations)


class TestCounterexamples:
    """Minimal inputs on which the properties above failed."""

    def test_group_ids_in_two_cases_do_not_depend_on_order(self) -> None:
        """Groups ``g1`` (nested in the excluded ``g-bg``) and ``G1`` (the same id in
        another case, not nested) decide the same whatever their order (DESIGN §4:
        policy order never matters; Tenant: order never changes a decision)."""
        nested, other = pa.Group(id="g1", member_of={"g-bg"}), pa.Group(id="G1")
        session = SessionState(at=AT, user=pa.User(id="u1", member_of={"g1"}, roles={GA}))
        decisions = [pa.evaluate(_one_policy_tenant(
            pa.GrantControls(built_in_controls=("block",)), exclude_groups=("g-bg",),
            groups=groups), session, DELETED_ITEMS).to_dict()
            for groups in ((nested, other), (other, nested))]
        assert decisions[0] == decisions[1]

    @pytest.mark.parametrize(("frequency", "at"), [
        (pa.SignInFrequency(value=10**9, type="days"), AT),
        (pa.SignInFrequency(value=10**6, type="days"), AT),
        (pa.SignInFrequency(frequency_interval="everyTime"),
         datetime(1, 1, 1, 0, 1, tzinfo=timezone.utc)),
    ])
    def test_sign_in_frequency_arithmetic_raises_only_library_errors(
            self, frequency: pa.SignInFrequency, at: datetime) -> None:
        """A sign-in frequency window too large for ``timedelta``, or reaching before
        year 1 from the session's time, gives a Decision or a ProtectedActionsError,
        never an OverflowError (DESIGN §4 invariants, STYLE 8)."""
        tenant = _one_policy_tenant(pa.GrantControls(built_in_controls=("mfa",)),
                                    session_controls=pa.SessionControls(
                                        sign_in_frequency=frequency))
        session = SessionState(at=at, user=pa.User(id="u1", roles={GA}))
        try:
            decision = pa.evaluate(tenant, session, DELETED_ITEMS)
        except pa.ProtectedActionsError:
            return
        assert decision.outcome is not Outcome.ALLOW

    @pytest.mark.parametrize("strength", [
        _restricted((("x509CertificateMultiFactor",), ("fido2",)), CERTIFICATE_ISSUER),
        _restricted((("x509CertificateMultiFactor",),), CERTIFICATE_ISSUER),
        _restricted((("fido2",),), NO_PASSKEY_MODEL),
    ], ids=["restricted and free combination", "certificate only", "no passkey model"])
    def test_a_challenge_for_a_restricted_strength_is_met_by_step_up(
            self, strength: pa.AuthenticationStrength) -> None:
        """A CHALLENGE for a custom strength whose combinations are restricted by
        configurations turns into ALLOW after simulate_step_up (property 7)."""
        tenant = _one_policy_tenant(pa.GrantControls(authentication_strength="s1"),
                                    authentication_strengths=(strength,))
        session = SessionState(at=AT, user=pa.User(id="u1", roles={GA}))
        decision = pa.evaluate(tenant, session, DELETED_ITEMS)
        if decision.outcome is Outcome.CHALLENGE:
            stepped = pa.simulate_step_up(session, decision)
            assert pa.evaluate(tenant, stepped, DELETED_ITEMS).outcome is Outcome.ALLOW
