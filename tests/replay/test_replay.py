"""Agreement and impact: logs generated from the engine's own decisions agree on
every record, in every execution mode; a deliberately changed policy shows up in
the impact with the right counts; the reports merge like the logs they count."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from tests.replay import (
    HANDWRITTEN_CSV,
    HANDWRITTEN_GRAPH,
    determinable_tenant,
    enforced_countries_tenant,
    policy,
    sample_bundle,
)

import protected_actions as pa
from protected_actions.replay import (
    AgreementReport,
    ImpactReport,
    SignIn,
    impact,
    read_sign_ins,
    replay,
)
from protected_actions.replay import run as replay_run
from protected_actions.replay.judge import outcome
from protected_actions.replay.synthetic import synthetic_sign_ins
from protected_actions.samples import sample_sign_ins, sample_tenant

ALLOWED_COUNTRIES = {"NL", "BE", "DE"}
EMERGENCY = {"00000007-1111-4222-8333-000000000007", "00000008-1111-4222-8333-000000000008"}


@pytest.fixture(scope="module")
def synthetic_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("logs") / "signIns.jsonl"
    with path.open("w") as f:
        for record in synthetic_sign_ins(determinable_tenant(), 400, seed=7):
            f.write(json.dumps(record) + "\n")
    return path


def test_logs_made_from_the_engine_agree_on_every_record(synthetic_log: Path) -> None:
    report = replay(determinable_tenant(), read_sign_ins(synthetic_log))
    assert (report.sign_ins, report.unreadable) == (400, 0)
    assert (report.agree, report.disagree, report.undetermined) == (400, 0, 0)
    assert (report.status_agree, report.status_disagree) == (400, 0)
    assert all(c.agree == 400 for c in report.by_policy.values())
    assert len(report.by_policy) == 20
    assert report.examples == {}


def test_the_same_logs_against_another_tenant_disagree_where_it_differs(
        synthetic_log: Path) -> None:
    proposed = enforced_countries_tenant()
    records = [r for r in read_sign_ins(synthetic_log) if isinstance(r, SignIn)]
    report = replay(proposed, records)
    # CA010 now enforced: every record where it applied was recorded reportOnly*.
    ca010 = report.by_policy["ca-010-countries-report-only"]
    assert ca010.agree == 0 and ca010.disagree == 400
    assert set(ca010.confusion) <= {("reportOnlyNotApplied", "notApplied"),
                                    ("reportOnlyFailure", "failure")}
    examples = report.examples[("disagree", "ca-010-countries-report-only")]
    assert len(examples) == 3  # a bounded sample
    assert examples[0]["recorded"].startswith("reportOnly")


def test_the_shipped_samples_never_disagree() -> None:
    report = replay(sample_tenant(), read_sign_ins(sample_sign_ins()))
    assert (report.sign_ins, report.unreadable, report.disagree) == (300, 0, 0)
    # CA004 targets MicrosoftAdminPortals and CA011 the Service Management API: for a
    # Microsoft application the shipped catalog places in no list, membership is
    # undetermined, so the engine says so instead of guessing.
    undetermined = {pid for pid, c in report.by_policy.items() if c.undetermined}
    assert undetermined == {"ca-004-admin-portals-compliant", "ca-011-azure-mgmt-mfa"}
    assert report.agree + report.undetermined == 300


def test_handwritten_records_give_the_documented_counts() -> None:
    report = replay(sample_tenant(), read_sign_ins([HANDWRITTEN_GRAPH, HANDWRITTEN_CSV]))
    assert (report.sign_ins, report.unreadable) == (7, 3)
    assert (report.agree, report.disagree, report.undetermined) == (7, 0, 0)
    assert [(Path(s).name, line) for s, line, _ in report.problems] == [
        ("handwritten.jsonl", 5), ("handwritten.jsonl", 6), ("handwritten.csv", 5)]
    assert report.unknown_fields == Counter({"someNewSignal": 1, "someNewColumn": 1})
    assert report.by_policy["ca-010-countries-report-only"].agree == 5


def test_a_disagreement_names_both_results_and_explains_the_replay(tmp_path: Path) -> None:
    record = json.loads(HANDWRITTEN_GRAPH.read_text().splitlines()[2])  # failed MFA
    record["appliedConditionalAccessPolicies"][0]["result"] = "success"
    path = tmp_path / "log.jsonl"
    path.write_text(json.dumps(record))
    report = replay(sample_tenant(), read_sign_ins(path))
    assert (report.agree, report.disagree) == (0, 1)
    assert report.by_policy["ca-001-mfa-all"].confusion == Counter({("success", "failure"): 1})
    [example] = report.examples[("disagree", "ca-001-mfa-all")]
    assert (example["id"], example["recorded"], example["replayed"]) == (
        "r3-failed-mfa", "success", "failure")
    assert example["where"] == f"{path}:1"
    assert any("included" in line for line in example["explanation"])


def test_a_disagreement_on_a_fact_the_log_lacks_is_undetermined(tmp_path: Path) -> None:
    records = [json.loads(line) for line in HANDWRITTEN_GRAPH.read_text().splitlines()[:3]]
    for record in records:
        del record["location"], record["ipAddress"]  # CA010 needs the location
    records[1]["appliedConditionalAccessPolicies"][1]["result"] = "reportOnlyNotApplied"
    path = tmp_path / "log.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in records))
    report = replay(sample_tenant(), read_sign_ins(path))
    assert report.by_policy["ca-010-countries-report-only"].undetermined == 3
    assert report.by_policy["ca-010-countries-report-only"].disagree == 0
    assert report.undetermined == 3


def test_a_user_the_directory_does_not_know_is_named_as_lacking(tmp_path: Path) -> None:
    record = json.loads(HANDWRITTEN_GRAPH.read_text().splitlines()[0])
    record["userId"] = "99999999-0000-0000-0000-000000000000"
    path = tmp_path / "log.jsonl"
    path.write_text(json.dumps(record))
    report = replay(sample_tenant(), read_sign_ins(path))
    assert list(report.lacking) == [
        "group memberships and roles (user not in the tenant's directory)"]


def test_a_policy_recorded_but_not_in_the_tenant_is_undetermined(tmp_path: Path) -> None:
    record = json.loads(HANDWRITTEN_GRAPH.read_text().splitlines()[3])
    record["appliedConditionalAccessPolicies"].append({"id": "deleted-policy",
                                                       "result": "success"})
    path = tmp_path / "log.jsonl"
    path.write_text(json.dumps(record))
    report = replay(sample_tenant(), read_sign_ins(path))
    assert (report.agree, report.undetermined) == (0, 1)
    assert report.by_policy["deleted-policy"].undetermined == 1
    [example] = report.examples[("undetermined", "deleted-policy")]
    assert example["replayed"] == "notInTenant"


def test_auth_contexts_are_evaluated_with_the_resource() -> None:
    # r1 asks for c3 (block outside trusted networks; MFA every time): from HQ with a
    # fresh MFA it is allowed; from Seattle the c3 block decides the outcome.
    record = next(r for r in read_sign_ins(HANDWRITTEN_GRAPH) if isinstance(r, SignIn))
    from_hq = SignIn(**{**_fields(record), "auth_contexts": ("c3",)})
    assert outcome(sample_tenant(), from_hq) is pa.Outcome.ALLOW
    away = SignIn(**{**_fields(from_hq), "session": pa.SessionState(**{
        **_fields(record.session), "ip_address": "192.0.2.1", "country": "US"})})
    assert outcome(sample_tenant(), away) is pa.Outcome.DENY
    without_context = SignIn(**{**_fields(away), "auth_contexts": ()})
    assert outcome(sample_tenant(), without_context) is pa.Outcome.ALLOW


def _fields(obj: object) -> dict[str, object]:
    import attrs
    return {a.name: getattr(obj, a.name) for a in attrs.fields(type(obj))}


def test_a_changed_policy_shows_up_in_impact_with_the_right_counts(
        synthetic_log: Path) -> None:
    current = determinable_tenant()
    bundle = sample_bundle()
    for policy_id in ("ca-004-admin-portals-compliant", "ca-011-azure-mgmt-mfa"):
        policy(bundle, policy_id)["conditions"]["applications"][
            "includeApplications"] = ["c44b4083-3bb0-49c1-b47d-974e53cbdf3c"]
    proposed = enforced_countries_tenant(bundle)
    records = [r for r in read_sign_ins(synthetic_log) if isinstance(r, SignIn)]
    report = impact(current, proposed, records)
    # Expected, from the log alone: sign-ins from outside NL/BE/DE by anyone but the
    # emergency accounts that were not already denied become denied.
    moved = Counter(outcome(current, r).value for r in records
                    if r.session.country not in ALLOWED_COUNTRIES
                    and r.session.user.id not in EMERGENCY
                    and outcome(current, r) is not pa.Outcome.DENY)
    assert moved and report.changed == sum(moved.values())
    assert {(b, a): n for (b, a), n in report.transitions.items() if b != a} == {
        (before, "deny"): n for before, n in moved.items()}
    assert report.sign_ins == 400
    assert sum(report.transitions.values()) == 400
    assert report.by_policy["ca-010-countries-report-only"] == Counter(
        {("reportOnlyFailure", "failure"): report.changed})
    for cell in report.users:
        assert sum(report.countries[cell].values()) == report.transitions[cell]
        assert set(report.countries[cell]) <= {"US", "FR"}
        assert len(report.examples[cell]) <= 3


def test_impact_of_an_unchanged_tenant_is_nothing(synthetic_log: Path) -> None:
    tenant = determinable_tenant()
    report = impact(tenant, tenant, read_sign_ins(synthetic_log))
    assert report.changed == 0 and report.by_policy == {}
    assert sum(report.transitions.values()) == 400


def test_reports_merge_like_the_logs_they_count(synthetic_log: Path) -> None:
    tenant, proposed = sample_tenant(), enforced_countries_tenant()
    records = list(read_sign_ins([synthetic_log, HANDWRITTEN_GRAPH]))
    whole = replay(tenant, records)
    parts = [replay(tenant, records[i:i + 37]) for i in range(0, len(records), 37)]
    assert AgreementReport.combine(parts) == whole
    assert parts[0] + AgreementReport() == parts[0] == AgreementReport() + parts[0]
    left = (parts[0] + parts[1]) + parts[2]
    assert left == parts[0] + (parts[1] + parts[2])
    whole_impact = impact(tenant, proposed, records)
    assert ImpactReport.combine(
        impact(tenant, proposed, records[i:i + 53]) for i in range(0, len(records), 53)
    ) == whole_impact


def test_reports_as_dicts_rows_and_html(synthetic_log: Path) -> None:
    report = replay(sample_tenant(), read_sign_ins([synthetic_log, HANDWRITTEN_GRAPH]))
    data = json.loads(json.dumps(report.to_dict()))
    assert {"signIns", "unreadable", "agree", "disagree", "undetermined", "byPolicy",
            "problems"} <= set(data)
    assert data["signIns"] == report.sign_ins
    rows = report.rows()
    assert rows[0].keys() == {"policy_id", "agree", "disagree", "undetermined"}
    import pandas
    frame = pandas.DataFrame(rows)
    assert int(frame["agree"].sum()) == sum(c.agree for c in report.by_policy.values())
    html = report._repr_html_()
    assert "<table>" in html and 'src="data:image/png;base64,' in html
    moved = impact(sample_tenant(), enforced_countries_tenant(), read_sign_ins(synthetic_log))
    assert moved.to_dict()["changed"] == moved.changed
    assert {"before": "allow", "after": "deny"}.items() <= moved.rows()[1].items() or any(
        r["before"] != r["after"] for r in moved.rows())
    assert "<table>" in moved._repr_html_()


def test_workers_must_be_a_positive_number() -> None:
    with pytest.raises(pa.InvalidModelError):
        replay(sample_tenant(), [], workers=0)
    with pytest.raises(pa.InvalidModelError):
        replay(sample_tenant(), [], workers=True)  # type: ignore[arg-type]
    with pytest.raises(pa.InvalidModelError):
        replay({}, [])  # type: ignore[arg-type]


def test_only_the_kept_examples_are_explained(synthetic_log: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    proposed = enforced_countries_tenant()
    explained: list[str] = []
    real = replay_run.replayed

    def counting(tenant: pa.Tenant, record: SignIn) -> Any:
        explained.append(record.where)
        return real(tenant, record)

    monkeypatch.setattr(replay_run, "replayed", counting)
    report = replay(proposed, read_sign_ins(synthetic_log))
    kept = {e["where"] for cell in report.examples.values() for e in cell}
    assert report.disagree == 400 and sorted(explained) == sorted(kept)  # once each
    for (_verdict, policy_id), examples in report.examples.items():
        for example in examples:
            record = next(r for r in read_sign_ins(synthetic_log)
                          if isinstance(r, SignIn) and r.where == example["where"])
            trace = real(proposed, record).policies[policy_id.casefold()]
            assert example["explanation"] == list(trace.details)
