"""``protected-actions replay``: formats, exit statuses, impact, workers, Dask and
the progress line."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from tests.cli import TTY, invoke
from tests.replay import HANDWRITTEN_CSV, HANDWRITTEN_GRAPH, policy, sample_bundle

from protected_actions.cli import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE
from protected_actions.cli import replay as cli_replay
from protected_actions.samples import sample_sign_ins

GRAPH, CSV = str(HANDWRITTEN_GRAPH), str(HANDWRITTEN_CSV)


def test_agreement_as_json_uses_the_contract_names() -> None:
    result = invoke("replay", "--tenant", "sample", "--sign-ins", GRAPH, CSV,
                    "--format", "json")
    assert result.status == EXIT_OK
    data = result.json()
    assert (data["signIns"], data["unreadable"], data["agree"], data["disagree"],
            data["undetermined"]) == (7, 3, 7, 0, 0)
    assert data["byPolicy"]["ca-001-mfa-all"]["agree"] == 7
    assert data["problems"][0] == {"source": GRAPH, "line": 5,
                                   "message": data["problems"][0]["message"]}


@pytest.mark.parametrize(("fmt", "marker"), [
    ("text", "agree: 7 (100.0 %)"), ("markdown", "| `ca-001-mfa-all` | 7 | 0 | 0 |"),
    ("html", "<table>")])
def test_agreement_formats(fmt: str, marker: str) -> None:
    result = invoke("replay", "--tenant", "sample", "--sign-ins", GRAPH, CSV, "--format", fmt)
    assert marker in result.out


def test_a_disagreement_exits_1(tmp_path: Path) -> None:
    record = json.loads(HANDWRITTEN_GRAPH.read_text().splitlines()[2])
    record["appliedConditionalAccessPolicies"][0]["result"] = "success"
    log = tmp_path / "log.jsonl"
    log.write_text(json.dumps(record))
    result = invoke("replay", "--tenant", "sample", "--sign-ins", str(log))
    assert result.status == EXIT_FINDINGS
    assert "recorded success, replayed failure: 1" in result.out


def test_impact_against_a_proposed_tenant(tmp_path: Path) -> None:
    bundle = sample_bundle()
    policy(bundle, "ca-010-countries-report-only")["state"] = "enabled"
    proposed = tmp_path / "proposed.json"
    proposed.write_text(json.dumps(bundle))
    result = invoke("replay", "--tenant", "sample", "--sign-ins", GRAPH, "--against",
                    str(proposed), "--format", "json")
    assert result.status == EXIT_FINDINGS
    data = result.json()
    # Only r2 (Seattle) moves: allowed before, blocked by the enforced CA010 after.
    assert (data["signIns"], data["changed"]) == (4, 1)
    changed = [t for t in data["transitions"] if t["before"] != t["after"]]
    assert [(t["before"], t["after"], t["signIns"], t["countries"]) for t in changed] == [
        ("allow", "deny", 1, {"US": 1})]
    assert data["byPolicy"] == {"ca-010-countries-report-only": [
        {"before": "reportOnlyFailure", "after": "failure", "signIns": 1}]}
    text = invoke("replay", "--tenant", "sample", "--sign-ins", GRAPH, "--against",
                  str(proposed)).out
    assert "allow -> deny: 1 sign-ins by 1 users" in text


def test_workers_give_the_same_answer() -> None:
    args = ("replay", "--tenant", "sample", "--sign-ins", str(sample_sign_ins()),
            "--format", "json")
    assert invoke(*args, "--workers", "2").json() == invoke(*args).json()


@pytest.mark.parametrize(("argv", "message"), [
    (("--sign-ins", "missing.jsonl"), "no such file or folder: missing.jsonl"),
    (("--sign-ins", GRAPH, "--workers", "0"), "--workers must be at least 1"),
    (("--sign-ins", CSV, "--dask-scheduler", "tcp://127.0.0.1:1"), "reads JSON lines files"),
])
def test_usage_errors(argv: tuple[str, ...], message: str) -> None:
    result = invoke("replay", "--tenant", "sample", *argv)
    assert result.status == EXIT_USAGE
    assert message in result.err


def test_progress_shows_records_per_second_and_eta() -> None:
    ticks = iter([0.0, 2.0, 2.0])
    stream = TTY()
    rate = cli_replay._Rate(stream, total_bytes=10_000, records_per_byte=0.1,
                            clock=lambda: next(ticks))
    rate(200)
    assert "200 records, 100/s, ETA 8 s" in stream.getvalue()
    rate.close()
    assert stream.getvalue().endswith("\r")
    quiet = io.StringIO()
    cli_replay._Rate(quiet, None, 0.1)(5)
    assert quiet.getvalue() == ""
