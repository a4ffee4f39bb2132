"""find_lockouts over generated tenants: witnesses are sound, lockouts complete."""

from __future__ import annotations

import attrs
from hypothesis import given, note, settings
from hypothesis import strategies as st

import protected_actions as pa
from protected_actions.analysis import find_lockouts
from protected_actions.strategies import tenants, tenants_and_sessions


@settings(max_examples=60, deadline=None)
@given(tenants())
def test_every_witness_allows(tenant: pa.Tenant) -> None:
    """Every witness session, evaluated, gives ALLOW (its step-up already done)."""
    report = find_lockouts(tenant)
    for verdict in report.permissions:
        if verdict.witness is None:
            assert verdict.locked_out
            continue
        decision = pa.evaluate(tenant, verdict.witness.session, verdict.permission)
        note(decision.explain())
        assert decision.outcome is pa.Outcome.ALLOW


@settings(max_examples=60, deadline=None)
@given(tenants_and_sessions(), st.data())
def test_locked_out_means_no_session_allows(pair: tuple[pa.Tenant, pa.SessionState],
                                            data: st.DataObject) -> None:
    """When a permission is locked out, no drawn session of any holder reaches ALLOW
    after step-up."""
    tenant, session = pair
    report = find_lockouts(tenant)
    if not report.locked_out or not tenant.users:
        return
    # A holder as the directory records them: the analysis's holders carry no extra
    # session facts (groups, roles) and step up with their registered methods.
    record = data.draw(st.sampled_from(sorted(tenant.users, key=lambda u: u.id)))
    # The analysis bounds what a holder can do by the methods the directory says they
    # registered; a drawn authentication with a method they never registered is a
    # session no holder can produce, so it is left out.
    registered = record.registered_methods
    done = tuple(a for a in session.authentications
                 if registered is None or a.methods <= registered)
    probe = attrs.evolve(session, user=pa.User(id=record.id), authentications=done)
    for permission in report.locked_out:
        before = pa.evaluate(tenant, probe, permission)
        after = pa.evaluate(tenant, pa.simulate_step_up(probe, before, tenant=tenant),
                            permission) if before.challenge is not None else before
        note(f"{permission}: {after.explain()}")
        assert after.outcome is not pa.Outcome.ALLOW
