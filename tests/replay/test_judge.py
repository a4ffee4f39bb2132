"""One record through the engine: the target (resource plus auth contexts), the
remembered evaluations, and sign-in frequency read from the record's own times."""

from __future__ import annotations

from datetime import timedelta

import attrs
import pytest
from tests.replay import HANDWRITTEN_GRAPH

import protected_actions as pa
from protected_actions.replay import SignIn, judge, read_sign_ins
from protected_actions.samples import sample_tenant


def _device_code() -> SignIn:
    record = next(iter(read_sign_ins(HANDWRITTEN_GRAPH)))
    assert isinstance(record, SignIn)
    return record


def _shifted(record: SignIn, *, by: timedelta = timedelta(0),
             auth_age: timedelta | None = None) -> SignIn:
    s = record.session
    auths = tuple(attrs.evolve(a, at=a.at + by) if auth_age is None
                  else attrs.evolve(a, at=s.at + by - auth_age) for a in s.authentications)
    return attrs.evolve(record, session=attrs.evolve(s, at=s.at + by, authentications=auths))


def test_sign_ins_that_differ_only_in_when_share_one_evaluation() -> None:
    record = _device_code()
    later = _shifted(record, by=timedelta(days=3, seconds=7))
    assert judge.fact_key(later) == judge.fact_key(record)
    tenant = sample_tenant()
    assert judge.verdicts(tenant, later) is judge.verdicts(tenant, record)


def test_sign_in_frequency_reads_the_age_of_the_authentication() -> None:
    # CA011 asks for MFA every 4 hours on the Azure management API
    # (https://learn.microsoft.com/entra/identity/conditional-access/concept-session-lifetime).
    tenant = sample_tenant()
    fresh = _shifted(_device_code(), auth_age=timedelta(hours=3, minutes=59))
    stale = _shifted(_device_code(), auth_age=timedelta(hours=4, minutes=1))
    assert judge.fact_key(fresh) != judge.fact_key(stale)
    assert judge.replayed(tenant, fresh).policies["ca-011-azure-mgmt-mfa"].result.value == \
        "success"
    assert judge.replayed(tenant, stale).policies["ca-011-azure-mgmt-mfa"].result.value == \
        "failure"
    assert judge.outcome(tenant, stale) is pa.Outcome.CHALLENGE


def test_the_memo_is_per_tenant_and_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(judge, "MEMO_SIZE", 2)
    tenant, other = sample_tenant(), sample_tenant()
    record = _device_code()
    first = judge.verdicts(tenant, record)
    assert judge.verdicts(other, record) is not first
    for hours in (1, 2, 3):
        judge.verdicts(tenant, _shifted(record, auth_age=timedelta(hours=hours)))
    assert len(judge._memo(tenant)) <= 2
    assert judge.verdicts(tenant, record) == first
    assert first.result("CA-011-AZURE-MGMT-MFA") == ("success", False)
    assert first.result("no-such-policy") is None


def test_the_outcome_is_the_strictest_over_the_targets() -> None:
    tenant = sample_tenant()
    record = _device_code()
    assert judge.outcome(tenant, record) is pa.Outcome.ALLOW
    # c1 asks for phishing-resistant MFA: password and push do not give it.
    with_c1 = attrs.evolve(record, auth_contexts=("c1",))
    decisions = judge.decisions(tenant, with_c1)
    assert [d.outcome for d in decisions] == [pa.Outcome.ALLOW, pa.Outcome.CHALLENGE]
    assert judge.outcome(tenant, with_c1) is pa.Outcome.CHALLENGE
    results = judge.replayed(tenant, with_c1).policies
    assert results["pa-c1-phishing-resistant"].result.value == "failure"
    assert results["ca-011-azure-mgmt-mfa"].result.value == "success"
