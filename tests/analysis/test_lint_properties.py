"""Properties of ``lint`` on generated tenants (``protected_actions.strategies``).

The emergency-account rules are decided by the lockout search and the evaluator,
never by reading exclude lists, so they are checked here against what the exclusion
means (entra-facts §6.2: exclusion wins over inclusion; §9: exclude the emergency
accounts from blocking policies): excluded from every enforced policy, the accounts
get no PA110 or PA111; one enabled block policy that applies to them, without the
exclusion, gives exactly that policy's PA110 for each account.
"""

from __future__ import annotations

from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from protected_actions import (
    GLOBAL_ADMINISTRATOR,
    ApplicationConditions,
    Conditions,
    DeviceConditions,
    Filter,
    GrantControls,
    Group,
    LocationConditions,
    PlatformConditions,
    Policy,
    Tenant,
    User,
    UserConditions,
)
from protected_actions.analysis import CATALOG, Finding, lint

strategies = pytest.importorskip("protected_actions.strategies")

GA = GLOBAL_ADMINISTRATOR.id
GROUP = "g-breakglass"
INNER = "g-breakglass-inner"
ACCOUNTS = ("bg-1", "bg-2")
BLOCK_ID = "p-block"
EMERGENCY_CODES = ("PA110", "PA111")

SETTINGS = settings(max_examples=40, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow])

#: Method sets an emergency account may have registered (None: unknown, any method).
METHOD_SETS = (None, frozenset({"fido2"}), frozenset({"password", "sms"}),
               frozenset({"password", "microsoftAuthenticatorPush", "fido2"}))


def _exclude_group(policy: Policy) -> Policy:
    users = policy.conditions.users or UserConditions()
    return attrs.evolve(policy, conditions=attrs.evolve(
        policy.conditions, users=attrs.evolve(users, exclude_groups=(
            *users.exclude_groups, GROUP))))


def _accounts(methods: frozenset[str] | None, nested: bool) -> list[User]:
    # Membership directly in the excluded group, or through a group nested in it.
    return [User(id=a, member_of={INNER if nested else GROUP}, roles={GA},
                 registered_methods=methods) for a in ACCOUNTS]


@st.composite
def excluded_tenants(draw: st.DrawFn) -> Tenant:
    """A generated tenant whose every policy excludes the emergency accounts' group."""
    base = draw(strategies.tenants(max_policies=5))
    nested = draw(st.booleans())
    accounts = _accounts(draw(st.sampled_from(METHOD_SETS)), nested)
    groups = [Group(id=GROUP), *([Group(id=INNER, member_of={GROUP})] if nested else [])]
    return attrs.evolve(base, policies=[_exclude_group(p) for p in base.policies],
                        users=[*base.users, *accounts], groups=[*base.groups, *groups],
                        emergency_access_accounts=ACCOUNTS)


_SATISFIABLE_FILTERS = (
    ("include", 'device.trustType -eq "AzureAD"'),
    ("include", 'device.displayName -startsWith "PAW"'),
    ("exclude", 'device.trustType -eq "ServerAD"'),
    ("exclude", 'device.extensionAttribute1 -eq "SAW"'),
)


@st.composite
def block_policies(draw: st.DrawFn) -> Policy:
    """An enabled block policy for all users that applies in some modern-client session:
    any target, and conditions that some platform, client, location, risk level and
    device satisfy."""
    target = draw(st.sampled_from([
        ApplicationConditions(include_authentication_context_class_references=("c1",)),
        ApplicationConditions(include_applications=("All",)),
        ApplicationConditions(include_applications=("Office365",)),
        ApplicationConditions(include_user_actions=("urn:user:registersecurityinfo",)),
    ]))
    conditions: dict[str, Any] = {}
    if draw(st.booleans()):
        platforms = ("android", "iOS", "windows", "macOS", "linux")
        excluded = draw(st.lists(st.sampled_from(platforms), unique=True, max_size=4))
        conditions["platforms"] = PlatformConditions(include_platforms=("all",),
                                                     exclude_platforms=tuple(excluded))
    if draw(st.booleans()):
        conditions["client_app_types"] = tuple(draw(st.lists(
            st.sampled_from(("browser", "mobileAppsAndDesktopClients")), min_size=1,
            unique=True))) + tuple(draw(st.lists(st.sampled_from(("other", "exchangeActiveSync")),
                                                 unique=True)))
    if draw(st.booleans()):
        conditions["sign_in_risk_levels"] = tuple(draw(st.lists(
            st.sampled_from(("low", "medium", "high")), min_size=1, unique=True)))
    if draw(st.booleans()):
        conditions["locations"] = LocationConditions(
            include_locations=("All",),
            exclude_locations=tuple(draw(st.lists(st.sampled_from(("AllTrusted", "loc-1")),
                                                  unique=True))))
    if draw(st.booleans()):
        mode, rule = draw(st.sampled_from(_SATISFIABLE_FILTERS))
        conditions["devices"] = DeviceConditions(device_filter=Filter(mode=mode, rule=rule))
    users = UserConditions(include_users=("All",), exclude_groups=(GROUP,))
    return Policy(id=BLOCK_ID, display_name="Block", state="enabled",
                  conditions=Conditions(users=users, applications=target, **conditions),
                  grant_controls=GrantControls(built_in_controls=("block",)))


def _emergency(findings: tuple[Finding, ...]) -> list[tuple[str, tuple[str, ...]]]:
    return [(f.code, f.subjects) for f in findings if f.code in EMERGENCY_CODES]


@SETTINGS
@given(excluded_tenants())
def test_excluded_everywhere_means_no_emergency_finding(tenant: Tenant) -> None:
    """Emergency accounts excluded (directly or through a nested group) from every
    policy get no PA110 or PA111."""
    assert _emergency(lint(tenant)) == []


@SETTINGS
@given(excluded_tenants(), block_policies())
def test_removing_one_exclusion_gives_exactly_that_PA110(tenant: Tenant,
                                                         block: Policy) -> None:
    """Adding an applying enabled block policy changes nothing while it excludes the
    group, and gives exactly its PA110 for each account once the exclusion is gone."""
    excluded = attrs.evolve(tenant, policies=[*tenant.policies, block])
    assert _emergency(lint(excluded)) == []
    users = block.conditions.users
    assert users is not None
    opened = attrs.evolve(block, conditions=attrs.evolve(
        block.conditions, users=attrs.evolve(users, exclude_groups=())))
    note(repr(opened))
    found = _emergency(lint(attrs.evolve(tenant, policies=[*tenant.policies, opened])))
    assert found == [("PA110", (account, BLOCK_ID)) for account in ACCOUNTS]


@SETTINGS
@given(strategies.tenants(max_policies=6))
def test_lint_is_total_sorted_and_deterministic(tenant: Tenant) -> None:
    """On any generated tenant lint returns catalog findings, sorted, and the same ones
    again for the same tenant and for its policies reversed."""
    found = lint(tenant)
    assert all(f.code in CATALOG and f.severity is CATALOG[f.code].severity for f in found)
    assert list(found) == sorted(found, key=Finding.sort_key)
    assert found == lint(tenant)
    reordered = attrs.evolve(tenant, policies=tuple(reversed(tenant.policies)))
    assert lint(reordered) == found


@SETTINGS
@given(strategies.tenants(max_policies=4), st.data())
def test_not_enforced_states_never_block(tenant: Tenant, data: st.DataObject) -> None:
    """Switching every policy to report-only or disabled leaves no PA110 (facts §6.3,
    §9: report-only policies do not need the exclusion)."""
    state = data.draw(st.sampled_from(("enabledForReportingButNotEnforced", "disabled")))
    accounts = [User(id=a, roles={GA}) for a in ACCOUNTS]
    quiet = attrs.evolve(tenant, policies=[attrs.evolve(p, state=state)
                                           for p in tenant.policies],
                         users=[*tenant.users, *accounts], emergency_access_accounts=ACCOUNTS)
    assert _emergency(lint(quiet)) == []
