"""The trace (``Decision.policies``) and its compact form (``Decision.verdicts``).

The engine remembers the parts of the trace that a tenant, a user or a target share
(``protected_actions.engine.trace``); these properties pin it to the plain
computation (``tests/engine/trace_oracle.py``: every policy evaluated with
explanations, one after another), cold and warm, and the verdicts to the trace.
"""

from __future__ import annotations

from typing import Any

import attrs
import pytest
from hypothesis import given, note
from hypothesis import strategies as st
from tests.helpers import auth, check, policy, session, tenant, user

import protected_actions as pa
from protected_actions.engine.decision import PolicyResultName, PolicyVerdict, _policy_result
from protected_actions.strategies import sessions, tenants

from .test_fidelity import MFA_STRENGTH, PHISHING_RESISTANT, all_resources, registration
from .trace_oracle import trace_results

REGISTER = "urn:user:registersecurityinfo"

SIGN_IN_TARGETS = ("urn:user:registersecurityinfo", "urn:user:registerdevice",
                   "a1a1a1a1-0000-4000-8000-000000000001",
                   "00000003-0000-0000-c000-000000000000", "Office365", "All")


def _decide(tenant: pa.Tenant, session: pa.SessionState, target: tuple[str, str]
            ) -> pa.Decision:
    kind, value = target
    if kind == "action":
        return pa.evaluate(tenant, session, value)
    if kind == "context":
        from protected_actions.engine.evaluator import evaluate_auth_context

        return evaluate_auth_context(tenant, session, value)
    return pa.evaluate_sign_in(tenant, session, value)


def _expected(decision: pa.Decision) -> tuple[pa.PolicyResult, ...]:
    """The plain trace, from the arguments the decision's trace was made with (read
    before the decision's own trace, which lets them go)."""
    args: tuple[Any, ...] = decision.trace._args
    return trace_results(*args)


def _targets(tenant: pa.Tenant) -> st.SearchStrategy[tuple[str, str]]:
    actions = sorted(a.permission.value for a in tenant.protected_actions)
    return st.one_of(
        st.sampled_from([("action", a) for a in
                         (*actions, "microsoft.directory/users/basic/update")]),
        st.sampled_from([("context", c) for c in ("c1", "c2", "c3")]),
        st.sampled_from([("sign-in", t) for t in SIGN_IN_TARGETS]))


@st.composite
def _requests(draw: st.DrawFn) -> tuple[pa.Tenant, list[tuple[pa.SessionState,
                                                               tuple[str, str]]]]:
    tenant = draw(tenants(max_policies=10))
    first = draw(sessions(tenant=st.just(tenant)))
    # Mostly the same user (what the trace tables share), some others.
    same_user = sessions(tenant=st.just(tenant), users=st.just(first.user))
    drawn = draw(st.lists(st.tuples(st.one_of(same_user, same_user, sessions(
        tenant=st.just(tenant))), _targets(tenant)), min_size=1, max_size=8))
    return tenant, [(first, drawn[0][1]), *drawn]


@given(_requests())
def test_the_trace_is_the_plain_trace(
        drawn: tuple[pa.Tenant, list[tuple[pa.SessionState, tuple[str, str]]]]) -> None:
    """Whatever was asked before on the tenant, every trace equals the plain one:
    the same results, details and order."""
    tenant, requests = drawn
    for session_, target in requests:
        decision = _decide(tenant, session_, target)
        expected = _expected(decision)
        note(f"{target}: {decision.explain(verbose=True)}")
        assert decision.policies == expected
        assert [p.policy_id for p in decision.policies] == \
            sorted(p.id for p in tenant.policies)


@given(_requests())
def test_the_verdicts_are_the_traces_words(
        drawn: tuple[pa.Tenant, list[tuple[pa.SessionState, tuple[str, str]]]]) -> None:
    """``Decision.verdicts`` computed without the trace gives each policy's result word
    and undetermined flag exactly as ``Decision.policies`` does."""
    tenant, requests = drawn
    for session_, target in requests:
        compact = _decide(tenant, session_, target)
        verdicts = compact.verdicts  # before the trace: the compact path
        expected = _expected(compact)
        note(f"{target}: {compact.explain(verbose=True)}")
        assert verdicts == tuple(PolicyVerdict.of(p) for p in expected)
        assert compact.policies == expected
        assert compact.verdicts is verdicts
        traced = _decide(tenant, session_, target)
        _ = traced.policies
        assert traced.verdicts == verdicts  # after the trace: read from it


class TestVerdicts:
    """The compact form on hand-written cases."""

    def test_one_per_policy_sorted(self) -> None:
        t = tenant(policy("p3", contexts=("c2",)), policy("p1"),
                   policy("p2", state="disabled"),
                   policy("p0", state="enabledForReportingButNotEnforced"),
                   contexts=("c1", "c2"))
        d = check(t, session())
        assert d.verdicts == (
            PolicyVerdict("p0", PolicyResultName.REPORT_ONLY_INTERRUPTED, False),
            PolicyVerdict("p1", PolicyResultName.FAILURE, False),
            PolicyVerdict("p2", PolicyResultName.NOT_ENABLED, False),
            PolicyVerdict("p3", PolicyResultName.NOT_APPLIED, False),
        )

    def test_undetermined_only_where_the_policy_applies(self) -> None:
        """A platform condition without a platform in the session: the policy applies,
        undetermined (fail-closed); a policy that excludes the user does not apply,
        and is not undetermined whatever else is unknown."""
        platforms = pa.PlatformConditions(include_platforms=("android",))
        t = tenant(policy("p1", platforms=platforms),
                   policy("p2", platforms=platforms,
                          users=pa.UserConditions(include_users=("All",),
                                                  exclude_users=("u1",))))
        d = check(t, session(who=user("u1")))
        assert d.verdicts == (PolicyVerdict("p1", PolicyResultName.FAILURE, True),
                              PolicyVerdict("p2", PolicyResultName.NOT_APPLIED, False))
        assert [PolicyVerdict.of(p) for p in d.policies] == list(d.verdicts)

    def test_a_decision_made_by_hand_reads_its_trace(self) -> None:
        result = pa.PolicyResult(policy_id="p", display_name="P", state="enabled",
                                 enforced=True, applies=True,
                                 result=PolicyResultName.SUCCESS,
                                 analysis_reasons=("notEnoughInformation",))
        from protected_actions.engine.decision import _eager

        d = pa.Decision(outcome=pa.Outcome.ALLOW, reasons=(), target="t", user_id="u",
                        trace=_eager((result,)))
        assert d.verdicts == (PolicyVerdict("p", PolicyResultName.SUCCESS, True),)
        assert pa.Decision(outcome=pa.Outcome.ALLOW, reasons=(), target="t",
                           user_id="u").verdicts == ()


def test_the_hot_path_result_constructor_builds_the_same_object() -> None:
    """The trace builds results by setting slots; that is only the same as
    ``PolicyResult(...)`` while PolicyResult validates and converts nothing."""
    assert all(a.validator is None and a.converter is None
               for a in attrs.fields(pa.PolicyResult))
    values: dict[str, Any] = {
        "policy_id": "p", "display_name": "P", "state": "enabled", "enforced": True,
        "applies": False, "result": PolicyResultName.NOT_APPLIED,
        "analysis_reasons": ("users",), "satisfied": ("mfa",), "unmet": (), "blocked": True,
        "details": ("d",)}
    fast = _policy_result(*values.values())
    assert [a.name for a in attrs.fields(pa.PolicyResult)] == list(values)
    assert fast == pa.PolicyResult(**values)
    assert hash(fast) == hash(pa.PolicyResult(**values))


def test_the_trace_tables_are_shared_not_leaked() -> None:
    """Two users on one tenant: each gets the results of their own users condition,
    whichever came first (a remembered entry is never another user's answer); the
    texts name no user (the decision does), so a third user treated like the
    second shares the second's entries."""
    t = tenant(policy("p1", users=pa.UserConditions(include_users=("u1",))),
               policy("p2", users=pa.UserConditions(include_users=("All",),
                                                    exclude_users=("u2", "u3"))))
    first = check(t, session(who=user("u1")))
    second = check(t, session(who=user("u2")))
    third = check(t, session(who=user("u3")))
    assert first.policies[1].details == ("the user is included", "auth context c1 is targeted",
                                         *first.policies[1].details[2:])
    assert second.policies[0].details == ("the user is not included",)
    assert second.policies[1].details == ("the user is excluded (user, group or role)",)
    assert (first.user_id, second.user_id, third.user_id) == ("u1", "u2", "u3")
    assert third.policies == second.policies
    assert all(a is b for a, b in zip(third.policies, second.policies, strict=True))
    assert check(t, session(who=user("u1"))).policies == first.policies


def test_a_guest_text_keeps_its_guest_type() -> None:
    """Guest texts name the guest type, not the user: two guests of one type share
    entries, a guest of another type gets its own text."""
    t = tenant(policy("p1", users=pa.UserConditions(
        include_users=("All",), exclude_guests_or_external_users=pa.GuestsOrExternalUsers(
            guest_or_external_user_types=("b2bCollaborationGuest",),
            external_tenants=pa.ExternalTenants(membership_kind="all")))))

    def guest(user_id: str, kind: str) -> pa.User:
        return user(user_id, guest_or_external_user_type=kind, home_tenant_id="home")

    one = check(t, session(who=guest("g1", "b2bCollaborationGuest")))
    two = check(t, session(who=guest("g2", "b2bCollaborationGuest")))
    other = check(t, session(who=guest("g3", "b2bDirectConnectUser")))
    assert one.policies[0].details == ("guest type b2bcollaborationguest is excluded",)
    assert two.policies[0] is one.policies[0]
    assert other.policies[0].details[0] == "the user is included"
    assert "g1" not in repr(one.policies) and "g3" not in repr(other.policies)


class TestRegistrationPreference:
    """Security-info registration: a registration policy's authentication strength is
    preferred over All-resources strengths, and the trace says so
    (https://learn.microsoft.com/entra/identity/authentication/concept-authentication-strength-how-it-works)."""

    @pytest.mark.parametrize("state", ["enabled", "enabledForReportingButNotEnforced"])
    def test_the_trace_and_verdicts_show_the_preference(self, state: str) -> None:
        t = tenant(all_resources(controls=(), strength=PHISHING_RESISTANT, state=state),
                   all_resources("other", controls=(), strength=PHISHING_RESISTANT,
                                 users=pa.UserConditions(include_users=("nobody",))),
                   registration(controls=(), strength=MFA_STRENGTH, state=state))
        tap = session(auth("temporaryAccessPassOneTime"))
        d = pa.evaluate_sign_in(t, tap, REGISTER)
        expected = _expected(d)
        compact = pa.evaluate_sign_in(t, tap, REGISTER).verdicts
        assert d.policies == expected
        preferred = d.policies[0]
        assert preferred.details[-1] == ("the registration policy's authentication strength "
                                         "is preferred over this policy's")
        assert preferred.unmet == ()
        assert compact == tuple(PolicyVerdict.of(p) for p in d.policies)
        assert compact[0].result in (PolicyResultName.SUCCESS,
                                     PolicyResultName.REPORT_ONLY_SUCCESS)
        # Twice on the same tenant (remembered entries), and elsewhere no preference.
        assert pa.evaluate_sign_in(t, tap, REGISTER).policies == d.policies
        app = pa.evaluate_sign_in(t, tap, "5b1f2e3a-0c4d-4e5f-8a9b-0c1d2e3f4a5b")
        expected = _expected(app)
        assert app.policies == expected
        assert app.policies[0].unmet != ()


def test_tables_cleared_at_every_step_answer_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    """The per-user tables are a memo bounded in size: cleared whenever they grow
    (the smallest budget), every trace and verdict is still the plain one."""
    from protected_actions.engine import trace

    monkeypatch.setattr(trace, "TRACE_BUDGET", 1)
    t = tenant(policy("p1", users=pa.UserConditions(include_users=("u1",))),
               policy("p2", users=pa.UserConditions(include_users=("All",),
                                                    exclude_users=("u2",))),
               policy("p3", contexts=("c2",)), policy("p4", state="disabled"),
               contexts=("c1", "c2"))
    for who in ("u1", "u2", "u1", "u3", "u2"):
        for auths in ((), (auth("password", "sms"),)):
            d = check(t, session(*auths, who=user(who)))
            expected = _expected(d)
            compact = check(t, session(*auths, who=user(who))).verdicts
            assert d.policies == expected
            assert compact == tuple(PolicyVerdict.of(p) for p in expected)
    assert len(t._derived["engine.index"].caches["trace"]._users) <= 1  # cleared


def test_the_verdicts_build_no_explanation(monkeypatch: pytest.MonkeyPatch) -> None:
    """``Decision.verdicts`` takes the compact path: no trace entry is built."""
    from protected_actions.engine import decision as decision_module
    from protected_actions.engine import trace

    def refuse(*args: object) -> pa.PolicyResult:
        raise AssertionError("a PolicyResult was built")

    t = tenant(policy("p1"), policy("p2", users=pa.UserConditions(include_users=("u9",))),
               policy("p3", contexts=("c2",)), contexts=("c1", "c2"))
    expected = check(t, session()).policies
    monkeypatch.setattr(trace, "_policy_result", refuse)
    monkeypatch.setattr(decision_module, "_policy_result", refuse)
    fresh = attrs.evolve(t)
    for tenant_ in (t, fresh):
        assert check(tenant_, session()).verdicts == tuple(PolicyVerdict.of(p)
                                                           for p in expected)
