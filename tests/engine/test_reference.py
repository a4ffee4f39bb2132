"""Differential test: the compiled, lazy engine agrees with the reference evaluator."""

from __future__ import annotations

import attrs
from hypothesis import given, note
from hypothesis import strategies as st

import protected_actions as pa
from protected_actions.strategies import sessions, tenants, tenants_and_sessions

from .reference import RefDecision, reference_evaluate

ACTIONS = st.sampled_from(sorted(p.value for p in pa.PROTECTABLE_PERMISSIONS))


def _engine(decision: pa.Decision) -> RefDecision:
    return RefDecision(
        outcome=decision.outcome.value,
        reasons=frozenset((r.code.value, r.policy_id) for r in decision.reasons),
        requirements=tuple(
            (r.policy_id, tuple((c.kind.value, c.detail) for c in r.any_of))
            for r in (decision.challenge.requirements if decision.challenge else ())),
        complete=decision.complete,
        policies={},
    )


@given(tenants_and_sessions(), ACTIONS)
def test_engine_agrees_with_the_reference(pair: tuple[pa.Tenant, pa.SessionState],
                                          action: str) -> None:
    """Outcome, reasons, challenge and completeness equal the reference's."""
    tenant, session = pair
    decision = pa.evaluate(tenant, session, action)
    expected = reference_evaluate(tenant, session, action)
    note(decision.explain(verbose=True))
    got = _engine(decision)
    assert got.outcome == expected.outcome
    assert got.reasons == expected.reasons
    # Requirement details of reauthentication carry the window text; compare kinds.
    assert [(p, tuple(k for k, _ in o)) for p, o in got.requirements] == \
        [(p, tuple(k for k, _ in o)) for p, o in expected.requirements]
    assert got.complete == expected.complete


@given(tenants_and_sessions(), ACTIONS)
def test_trace_agrees_with_the_reference(pair: tuple[pa.Tenant, pa.SessionState],
                                         action: str) -> None:
    """Every policy's applies, sign-in log result and first failed condition agree."""
    tenant, session = pair
    decision = pa.evaluate(tenant, session, action)
    expected = reference_evaluate(tenant, session, action)
    if not expected.policies:  # decided before step 4: no per-policy claims to compare
        return
    for result in decision.policies:
        ref = expected.policies[result.policy_id]
        note(f"{result.policy_id}: {result.to_dict()} vs {ref}")
        assert result.applies == ref.applies
        assert result.result.value == ref.result
        if not result.applies:
            assert result.analysis_reasons == (ref.reason,)
        else:
            wanted = "notEnoughInformation" if ref.undetermined else "notSet"
            assert result.analysis_reasons == (wanted,)


@st.composite
def _tenant_and_requests(draw: st.DrawFn) -> tuple[pa.Tenant,
                                                   list[tuple[pa.SessionState, str]]]:
    tenant = draw(tenants())
    first = draw(sessions(tenant=st.just(tenant)))
    # Mostly the same user with other evidence (what the memo tables share), some others.
    same_user = sessions(tenant=st.just(tenant), users=st.just(first.user))
    requests = draw(st.lists(st.tuples(st.one_of(same_user, same_user, sessions(
        tenant=st.just(tenant))), st.sampled_from(_actions(tenant))), min_size=2, max_size=10))
    return tenant, [(first, requests[0][1]), *requests]


def _actions(tenant: pa.Tenant) -> list[str]:
    """The tenant's protected actions, and one permission it does not protect."""
    mapped = sorted(a.permission.value for a in tenant.protected_actions)
    return [*mapped, "microsoft.directory/users/basic/update"]


def _cold(tenant: pa.Tenant) -> pa.Tenant:
    """An equal tenant with nothing compiled or remembered yet."""
    return attrs.evolve(tenant)


@given(_tenant_and_requests(), st.sampled_from([
    "", "urn:user:registersecurityinfo", "a1a1a1a1-0000-4000-8000-000000000001",
    "00000003-0000-0000-c000-000000000000"]))
def test_a_warm_index_answers_as_a_cold_one(
        drawn: tuple[pa.Tenant, list[tuple[pa.SessionState, str]]], sign_in: str) -> None:
    """The engine remembers plans, grant verdicts and bodies across requests
    (protected_actions.engine.plans); whatever was asked before, each answer equals the one
    a freshly compiled tenant gives, trace included."""
    tenant, requests = drawn
    for session, action in requests:
        for warm, cold in ((pa.evaluate(tenant, session, action),
                            pa.evaluate(_cold(tenant), session, action)),
                           *([(pa.evaluate_sign_in(tenant, session, sign_in),
                               pa.evaluate_sign_in(_cold(tenant), session, sign_in))]
                             if sign_in else [])):
            note(f"{action} / {sign_in}: {warm.explain()}")
            assert warm == cold
            assert warm.policies == cold.policies
