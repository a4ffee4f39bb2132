"""Decision bodies are shared across plans (protected_actions.engine.body.body_key):
users kept by different policies share a body when the same policies are unmet or
block. Each test asks for a first user, then for a second one whose plan differs in
a way the body reads; the second answer must be the one a freshly compiled tenant
gives."""

from __future__ import annotations

import attrs
from tests.helpers import SESSION_ONLY, auth, check, policy, session, tenant, user

import protected_actions as pa
from protected_actions import (
    Decision,
    Device,
    PlatformConditions,
    SessionControls,
    SignInFrequency,
    UserConditions,
)

_HOURLY = SessionControls(sign_in_frequency=SignInFrequency(value=1, type="hours",
                                                            is_enabled=True))
_TENANT = tenant(
    policy("p1", controls=("mfa",), session_controls=_HOURLY),
    policy("p2", controls=("mfa",), users=UserConditions(include_groups=("g1",))),
    policy("p3", controls=("compliantDevice",), users=UserConditions(include_groups=("g2",))),
    policy("p4", controls=("block",), users=UserConditions(include_groups=("g3",))),
    policy("p5", controls=("mfa",), users=UserConditions(include_groups=("g4",)),
           platforms=PlatformConditions(include_platforms=("android",))),
    policy("p6", controls=("compliantDevice", "approvedApplication"), operator="AND",
           users=UserConditions(include_groups=("g5",))),
)


def _answer(d: Decision) -> tuple[object, ...]:
    return (d.outcome, d.reasons, d.challenge, d.complete)


def _second(first: pa.SessionState, then: pa.SessionState) -> tuple[Decision, Decision]:
    """``then`` on a tenant that answered ``first`` already, and on a fresh one."""
    warm = attrs.evolve(_TENANT)
    before = check(warm, first)
    after = check(warm, then)
    assert _answer(after) != _answer(before)
    return after, check(attrs.evolve(_TENANT), then)


def test_the_count_of_satisfied_policies_is_in_the_body() -> None:
    mfa = auth("password", "microsoftAuthenticatorPush")
    after, cold = _second(session(mfa, who=user("alice", member_of={"g1"})),
                          session(mfa, who=user("bob")))
    assert after.outcome is pa.Outcome.ALLOW
    assert [r.message for r in after.reasons] == ["all 1 applying policies are satisfied"]
    assert _answer(after) == _answer(cold)


def test_the_client_decides_whether_the_same_unmet_policies_challenge() -> None:
    compliant = Device(is_compliant=True)
    after, cold = _second(
        session(who=user("alice", member_of={"g1"}), device=compliant),
        session(who=user("dave", member_of={"g1", "g2"}), device=compliant,
                client_app_type="exchangeActiveSync"))
    assert after.codes == ("CLIENT_CANNOT_STEP_UP",)
    assert _answer(after) == _answer(cold)


def test_the_verdict_of_an_unmet_policy_is_in_the_body() -> None:
    """p6 is the only unmet policy for both users: for want of an approved client
    app, then of a compliant device."""
    mfa = auth("password", "microsoftAuthenticatorPush")
    after, cold = _second(
        session(mfa, who=user("gina", member_of={"g5"}), device=Device(is_compliant=True)),
        session(mfa, who=user("hugo", member_of={"g5", "g1"}), is_approved_client_app=True))
    assert after.codes == ("REQUIREMENT_NOT_INTERACTIVE",)
    assert "compliant device" in after.reasons[0].message
    assert _answer(after) == _answer(cold)


def test_an_undetermined_condition_beside_a_block_is_in_the_body() -> None:
    after, cold = _second(session(who=user("erin", member_of={"g3"})),
                          session(who=user("frank", member_of={"g3", "g4"})))
    assert after.codes[0] == "BLOCKED_BY_POLICY"
    assert after.complete is False
    assert _answer(after) == _answer(cold)


def test_a_satisfied_policy_with_a_reason_of_its_own_is_in_the_body() -> None:
    """p7 (a state the evaluator does not know, treated as enabled) is satisfied but
    adds its own reason beside the unmet p1."""
    with_p7 = tenant(*_TENANT.policies, policy(
        "p7", grant=pa.GrantControls(), session_controls=SESSION_ONLY, state="enabledSoon",
        users=UserConditions(include_groups=("g6",))))
    warm = attrs.evolve(with_p7)
    before = check(warm, session(auth("password"), who=user("bob")))
    after = check(warm, session(auth("password"), who=user("ivy", member_of={"g6"})))
    assert "UNKNOWN_POLICY_STATE" in after.codes
    assert _answer(after) != _answer(before)
    cold = check(attrs.evolve(with_p7), session(auth("password"), who=user("ivy",
                                                                           member_of={"g6"})))
    assert _answer(after) == _answer(cold)
