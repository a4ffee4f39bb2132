"""Reading sign-in logs: formats, the hand-written records and every way a record
can be unreadable (each reported with its source and line, the run going on).

Graph ``signIn``: https://learn.microsoft.com/graph/api/resources/signin
Log Analytics ``SigninLogs``:
https://learn.microsoft.com/azure/azure-monitor/reference/tables/signinlogs
"""

from __future__ import annotations

import gzip
import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from tests.replay import HANDWRITTEN_CSV, HANDWRITTEN_GRAPH

from protected_actions.model.methods import Authentication
from protected_actions.replay import SignIn, Unreadable, read_sign_ins
from protected_actions.replay.parse import RecordError, sign_in
from protected_actions.samples import sample_sign_ins


def _read(path: Path | str) -> list[SignIn | Unreadable]:
    return list(read_sign_ins(path))


def _base(**changes: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": "s1", "createdDateTime": "2026-11-28T09:00:00Z",
        "userId": "00000005-1111-4222-8333-000000000005", "userType": "member",
        "appId": "00000002-0000-0ff1-ce00-000000000000", "clientAppUsed": "Browser",
    }
    record.update(changes)
    return record


def test_handwritten_graph_records_become_the_documented_sessions() -> None:
    records = _read(HANDWRITTEN_GRAPH)
    assert [type(r).__name__ for r in records] == ["SignIn"] * 4 + ["Unreadable"] * 2
    device_code, report_only, failed_mfa, unknown_field = records[:4]
    assert isinstance(device_code, SignIn)
    s = device_code.session
    assert s.authentication_flow == "deviceCodeFlow"
    assert s.client_app_type == "mobileAppsAndDesktopClients"
    assert s.device is None  # an empty deviceId: an unregistered device
    assert s.device_platform == "windows"
    assert (s.ip_address, s.country) == ("203.0.113.25", "NL")
    assert s.application_id == "04b07795-8ddf-461a-bbee-02f9e1bf7b46"
    # The target is the resource, not the client app.
    assert device_code.resource == "797f4846-ba00-4fd7-ba43-dac1f8f63013"
    # Seven fractional digits (Graph's precision) are read to the microsecond.
    assert s.authentications == (Authentication(
        methods={"password", "microsoftAuthenticatorPush"},
        at=datetime(2026, 11, 28, 8, 59, 0, 123456, tzinfo=timezone.utc)),)
    assert [(p.policy_id, p.result) for p in device_code.recorded][-1] == (
        "ca-011-azure-mgmt-mfa", "success")
    assert device_code.status == "success"
    assert isinstance(report_only, SignIn)
    assert ("ca-010-countries-report-only", "reportOnlyFailure") in [
        (p.policy_id, p.result) for p in report_only.recorded]
    assert isinstance(failed_mfa, SignIn)
    # The declined push is no evidence: only the password counts.
    assert [a.methods for a in failed_mfa.session.authentications] == [{"password"}]
    assert isinstance(unknown_field, SignIn)
    assert unknown_field.unknown_fields == ("someNewSignal",)
    assert unknown_field.resource == unknown_field.session.application_id  # no resourceId
    broken, unknown_client = records[4:]
    assert broken == Unreadable(source=str(HANDWRITTEN_GRAPH), line=5,
                                message=broken.message)  # type: ignore[union-attr]
    assert "not valid JSON" in broken.message  # type: ignore[union-attr]
    assert unknown_client == Unreadable(
        source=str(HANDWRITTEN_GRAPH), line=6,
        message="clientAppUsed: unknown value 'Browzer' (did you mean 'browser'?)")


def test_handwritten_log_analytics_rows_read_like_the_graph_records() -> None:
    rows = _read(HANDWRITTEN_CSV)
    graph = _read(HANDWRITTEN_GRAPH)
    assert [type(r).__name__ for r in rows] == ["SignIn"] * 3 + ["Unreadable"]
    for row, record in zip(rows[:3], graph[:3], strict=True):
        assert isinstance(row, SignIn) and isinstance(record, SignIn)
        assert row.session.authentication_flow == record.session.authentication_flow
        assert row.session.client_app_type == record.session.client_app_type
        assert row.session.country == record.session.country
        assert row.resource == record.resource  # ResourceIdentity, not ResourceId
        assert row.status == record.status
        assert row.session.authentications[0].methods == \
            record.session.authentications[0].methods
    assert rows[2].unknown_fields == ("someNewColumn",)  # type: ignore[union-attr]
    assert rows[3] == Unreadable(source=str(HANDWRITTEN_CSV), line=5,
                                 message="CSV: 3 cells where the header has 19 columns")


def test_graph_page_pretty_array_gzip_and_log_analytics_json(tmp_path: Path) -> None:
    record = json.loads(HANDWRITTEN_GRAPH.read_text().splitlines()[0])
    page = tmp_path / "page.json"
    page.write_text(json.dumps({"@odata.context": "x", "value": [record, record],
                                "@odata.nextLink": "https://graph.microsoft.com/next"},
                               indent=2))
    array = tmp_path / "array.json"
    array.write_text(json.dumps([record], indent=2))
    pages_per_line = tmp_path / "pages.jsonl.gz"
    with gzip.open(pages_per_line, "wt") as f:
        f.write(json.dumps({"value": [record]}) + "\n" + json.dumps({"value": [record]}) + "\n")
    la_json = tmp_path / "signinlogs.json"
    la_json.write_text(json.dumps([{
        "TimeGenerated": "2026-11-28T09:00:01Z", "CreatedDateTime": record["createdDateTime"],
        "UserId": record["userId"], "AppId": record["appId"],
        "ResourceIdentity": record["resourceId"], "ClientAppUsed": record["clientAppUsed"],
        "OriginalTransferMethod": "deviceCodeFlow", "IPAddress": record["ipAddress"],
        "UserType": "Member", "RiskLevelDuringSignIn": "none", "RiskLevelAggregated": "none",
        "Location": "NL", "LocationDetails": json.dumps(record["location"]),
        "DeviceDetail": json.dumps(record["deviceDetail"]),
        "AuthenticationDetails": json.dumps(record["authenticationDetails"])}]))
    counts = {p.name: len(_read(p)) for p in (page, array, pages_per_line, la_json)}
    assert counts == {"page.json": 2, "array.json": 1, "pages.jsonl.gz": 2,
                      "signinlogs.json": 1}
    expected = _read(HANDWRITTEN_GRAPH)[0].session  # type: ignore[union-attr]
    for path in (page, array, pages_per_line, la_json):
        for r in _read(path):
            assert isinstance(r, SignIn)
            assert r.session == expected
    # A folder stands for its files, in name order.
    assert len(_read(tmp_path)) == 6


def test_reading_is_lazy(tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl"
    path.write_text("\n".join([json.dumps(_base(id=str(i))) for i in range(3)] + ["{"]))
    iterator = read_sign_ins(path)
    first = next(iterator)
    assert isinstance(first, SignIn) and first.id == "0"
    path.unlink()  # the rest is read from the open file
    assert [type(r).__name__ for r in iterator] == ["SignIn", "SignIn", "Unreadable"]


def test_the_shipped_samples_read_without_problems() -> None:
    records = _read(sample_sign_ins())
    assert len(records) == 300
    assert all(isinstance(r, SignIn) for r in records)


@pytest.mark.parametrize(("changes", "message"), [
    ({"userType": "Member "}, "userType: 'Member ' has surrounding whitespace"),
    ({"userType": "member\t"}, "surrounding whitespace or control characters"),
    ({"userType": "memebr"}, "userType: unknown value 'memebr' (did you mean 'member'?)"),
    ({"clientAppUsed": "Browser\u200b"}, "clientAppUsed: unknown value"),  # zero-width space
    ({"clientAppUsed": "\u0412rowser"}, "clientAppUsed: unknown value"),  # Cyrillic Ve
    ({"riskLevelDuringSignIn": "severe"}, "riskLevelDuringSignIn: unknown value 'severe'"),
    ({"originalTransferMethod": "deviceCode"},
     "originalTransferMethod: unknown value 'deviceCode' (did you mean 'deviceCodeFlow'?)"),
    ({"createdDateTime": "2026-11-28T09:00:00"}, "has no time zone"),
    ({"createdDateTime": "yesterday"}, "is not an ISO 8601 time"),
    ({"userId": None}, "userId is missing"),
    ({"userId": 5}, "userId: expected a string, got int"),
    ({"appId": None}, "neither resourceId nor appId"),
    ({"deviceDetail": "Windows"}, "deviceDetail: expected an object"),
    ({"deviceDetail": {"deviceId": "d", "trustType": "Azure AD joinned"}},
     "trustType: unknown value 'Azure AD joinned' (did you mean 'AzureAD'?)"),
    ({"deviceDetail": {"deviceId": "d", "isCompliant": "yes"}}, "expected true or false"),
    ({"authenticationDetails": [{"authenticationMethod": "Pasword", "succeeded": True,
                                 "authenticationStepDateTime": "2026-11-28T09:00:00Z"}]},
     "unknown method 'Pasword' (did you mean 'password'?)"),
    ({"appliedConditionalAccessPolicies": [{"id": "p1", "result": "sucess"}]},
     "appliedConditionalAccessPolicies[0].result: unknown value 'sucess' "
     "(did you mean 'success'?)"),
    ({"appliedConditionalAccessPolicies": [{"result": "success"}]}, "[0].id is missing"),
    ({"authenticationContextClassReferences": ["c1"]}, "expected an object with an id"),
    ({"conditionalAccessStatus": "blocked"}, "conditionalAccessStatus: unknown value"),
])
def test_an_unreadable_record_says_which_property_and_why(changes: dict[str, Any],
                                                           message: str) -> None:
    with pytest.raises(RecordError) as caught:
        sign_in(_base(**changes), "log.jsonl", 7)
    assert message in str(caught.value)


def test_a_record_that_is_not_an_object_is_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl"
    path.write_text('[1, "x"]\n"just a string"\n')
    assert [(r.line, r.message) for r in _read(path)] == [  # type: ignore[union-attr]
        (1, "[0]: expected a sign-in object, got int"),
        (1, "[1]: expected a sign-in object, got str"),
        (2, "expected a sign-in object, got str")]


def test_facts_the_log_does_not_carry_stay_unknown_or_are_named() -> None:
    record = sign_in(_base(clientAppUsed=None, userType=None, authenticationDetails=[
        {"authenticationMethod": "Previously satisfied", "succeeded": True},
        {"authenticationMethod": "OATH verification code", "succeeded": True,
         "authenticationStepDateTime": "2026-11-28T09:00:00Z"}]), "x", 1)
    s = record.session
    assert (s.device_platform, s.ip_address, s.country, s.device) == (None, None, None, None)
    assert s.authentications == ()  # ambiguous methods are not guessed
    assert record.lacking == ("userType", "clientAppUsed",
                              "authentication method 'Previously satisfied'",
                              "authentication method 'OATH verification code'")


@pytest.mark.parametrize(("os_name", "platform"), [
    ("Windows 10", "windows"), ("Windows", "windows"), ("Ios 17.1", "iOS"),
    ("MacOs", "macOS"), ("Android", "android"), ("Linux", "linux"),
    ("Windows Phone 8.1", "windowsPhone"), ("ChromeOS", None), ("", None)])
def test_operating_system_names_map_to_platforms(os_name: str, platform: str | None) -> None:
    record = sign_in(_base(deviceDetail={"operatingSystem": os_name}), "x", 1)
    assert record.session.device_platform == platform


def test_device_trust_types_and_guests() -> None:
    record = sign_in(_base(userType="Guest", crossTenantAccessType="b2bCollaboration",
                           homeTenantId="t2", deviceDetail={
                               "deviceId": "d1", "isCompliant": True, "isManaged": "true",
                               "trustType": "Microsoft Entra hybrid joined"}), "x", 1)
    device = record.session.device
    assert device is not None and device.is_hybrid_joined and device.is_compliant
    assert device.is_managed
    user = record.session.user
    assert (user.user_type, user.guest_or_external_user_type, user.home_tenant_id) == (
        "guest", "b2bCollaborationGuest", "t2")


def test_auth_contexts_are_the_target_with_the_resource() -> None:
    record = sign_in(_base(resourceId="r1", authenticationContextClassReferences=[
        {"id": "c1", "detail": "required"}, {"id": "c3", "detail": "previouslySatisfied"},
        {"id": "c1", "detail": "required"}]), "x", 1)
    assert (record.resource, record.auth_contexts) == ("r1", ("c1", "c3"))


def test_chunks_hand_json_lines_out_unparsed_and_other_formats_parsed() -> None:
    log = read_sign_ins([HANDWRITTEN_GRAPH, HANDWRITTEN_CSV])
    chunks = list(log.chunks(4))
    assert [type(c).__name__ for c in chunks] == ["LineBlock", "LineBlock", "list"]
    assert [c.first_line for c in chunks[:2]] == [1, 5]  # type: ignore[union-attr]
    records = [r for c in chunks
               for r in (c.records() if not isinstance(c, list) else c)]
    assert records == list(read_sign_ins([HANDWRITTEN_GRAPH, HANDWRITTEN_CSV]))
    with pytest.raises(RuntimeError):
        next(iter(log.chunks(4)))
    started = read_sign_ins(HANDWRITTEN_GRAPH)
    next(started)
    assert started.started


@pytest.mark.parametrize(("good", "bad", "message"), [
    # A value equal to one read before, but of another type: 1 == True in Python.
    ({"deviceDetail": {"deviceId": "d", "isCompliant": True}},
     {"deviceDetail": {"deviceId": "d", "isCompliant": 1}}, "expected true or false, got 1"),
    ({"userType": "member"}, {"userType": "member "}, "surrounding whitespace"),
    ({"appliedConditionalAccessPolicies": [{"id": "p1", "result": "success"}]},
     {"appliedConditionalAccessPolicies": [{"id": "p1", "result": 1}]},
     "result: expected a string, got int"),
    ({"appliedConditionalAccessPolicies": [{"id": "p1", "result": "success"}]},
     {"appliedConditionalAccessPolicies": [{"id": "p1", "result": "success"}, "p2"]},
     "appliedConditionalAccessPolicies[1]: expected an object"),
    ({"appliedConditionalAccessPolicies": [{"id": "p1", "result": "success",
                                            "displayName": "P"}]},
     {"appliedConditionalAccessPolicies": [{"id": "p1", "result": "success",
                                            "displayName": ["P"]}]},
     "appliedConditionalAccessPolicies[0].displayName: expected a string, got list"),
    # Every entry with its three properties (read without a loop) ...
    ({"appliedConditionalAccessPolicies": [{"id": "p1", "result": "success",
                                            "displayName": None}]},
     {"appliedConditionalAccessPolicies": [{"id": "p1", "result": "success",
                                            "displayName": 0}]},
     "displayName: expected a string, got int"),
    ({"appliedConditionalAccessPolicies": [{"id": "p1", "result": "success",
                                            "displayName": "P"}]},
     {"appliedConditionalAccessPolicies": [{"id": ["p1"], "result": "success",
                                            "displayName": "P"}]},
     "appliedConditionalAccessPolicies[0].id: expected a string, got list"),
    ({"appliedConditionalAccessPolicies": [{"id": "p1", "result": "success",
                                            "displayName": "P"}]},
     {"appliedConditionalAccessPolicies": [{"id": "p1", "result": "success",
                                            "displayName": "P"}, ["id", "result"]]},
     "appliedConditionalAccessPolicies[1]: expected an object"),
    # ... and one without its display name (read with one).
    ({"appliedConditionalAccessPolicies": [{"id": "p1", "result": "success"},
                                           {"id": "p2", "result": "failure"}]},
     {"appliedConditionalAccessPolicies": [{"id": "p1", "result": "success"},
                                           {"id": "p2", "result": "failure "}]},
     "surrounding whitespace"),
])
def test_parts_read_before_are_reused_only_for_the_same_text(
        good: dict[str, Any], bad: dict[str, Any], message: str) -> None:
    first, again = sign_in(_base(**good), "x", 1), sign_in(_base(**good), "x", 2)
    # Read once: the second record's parts are the first's.
    assert again.recorded is first.recorded and again.session.user is first.session.user
    assert again.session.device is first.session.device
    with pytest.raises(RecordError) as caught:
        sign_in(_base(**bad), "x", 3)
    assert message in str(caught.value)


def test_chunks_of_lines_are_bounded_in_text(tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl"
    line = json.dumps(_base()) + "\n"
    path.write_text(line * 10)
    chunks = list(read_sign_ins(path).chunks(4, max_bytes=3 * len(line)))
    assert [c.size for c in chunks] == [3 * len(line)] * 3 + [len(line)]  # type: ignore[union-attr]
    assert [c.first_line for c in chunks] == [1, 4, 7, 10]  # type: ignore[union-attr]
    assert [c.first_line for c in read_sign_ins(path).chunks(4)] == [1, 5, 9]  # type: ignore[union-attr]
    # Compressed: the lines themselves travel.
    packed = tmp_path / "log.jsonl.gz"
    packed.write_bytes(gzip.compress(path.read_bytes()))
    chunks = list(read_sign_ins(packed).chunks(4, max_bytes=3 * len(line)))
    assert [len(c.lines) for c in chunks] == [3, 3, 3, 1]  # type: ignore[union-attr]
    assert [c.first_line for c in chunks] == [1, 4, 7, 10]  # type: ignore[union-attr]


@pytest.mark.parametrize("end", ["\n", "\r\n", "\r"])
def test_blocks_of_lines_number_lines_as_a_text_stream_does(end: str, tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl"
    good, broken = json.dumps(_base()), '{"id": "broken'
    lines = [good, broken, good, good, "", broken, good, broken]
    path.write_bytes(("\ufeff" + end.join(lines) + end).encode())
    expected = _read(path)
    assert [r.line for r in expected if isinstance(r, Unreadable)] == [2, 6, 8]
    for size in (1, 2, 3, 100):
        chunks = list(read_sign_ins(path).chunks(size, max_bytes=2 * len(good)))
        assert [r for c in chunks for r in c.records()] == expected  # type: ignore[union-attr]


@pytest.mark.parametrize("decoder", ["json", "orjson"])
def test_both_json_decoders_give_the_same_reports(decoder: str,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """orjson (optional, in the ``replay`` extra) decodes log lines when installed;
    the records, and so the reports, are those of the standard library's decoder,
    on the shipped samples and the hand-written records (a broken line among them)."""
    import protected_actions as pa
    from protected_actions.replay import read
    from protected_actions.samples import sample_tenant

    logs = [sample_sign_ins(), HANDWRITTEN_GRAPH]
    monkeypatch.setattr(read, "loads", json.loads)
    expected = list(read_sign_ins(logs))
    expected_report = pa.replay.replay(sample_tenant(), expected).to_dict()
    if decoder == "orjson":
        pytest.importorskip("orjson")
        monkeypatch.setattr(read, "loads", read._orjson_loads)
    assert any(isinstance(r, Unreadable) for r in expected)
    assert list(read_sign_ins(logs)) == expected
    assert pa.replay.replay(sample_tenant(), read_sign_ins(logs)).to_dict() == expected_report


def _decoded(loads: Any, text: str) -> tuple[str, str]:
    try:
        return "value", repr(loads(text))
    except ValueError as exc:
        return "error", str(exc)


@pytest.mark.parametrize("text", [
    '{"a": NaN}', '{"a": 18446744073709551615}', '{"a": "\\ud800"}',
    '{"a": 1, "a": 2}', '{"a": 1.0e400}', '{"a": -0.0}', '{"a": 1', "[1,]", "\u00a0{}",
])
def test_orjson_decodes_or_refuses_like_the_standard_library(text: str) -> None:
    pytest.importorskip("orjson")
    from protected_actions.replay import read
    assert _decoded(read._orjson_loads, text) == _decoded(json.loads, text)


@pytest.mark.parametrize("value", [123456789012345678901234567890, -9223372036854775809])
def test_integers_beyond_64_bits_are_reported_as_the_standard_library_reads_them(
        value: int, tmp_path: Path) -> None:
    # orjson reads them as floats; the message names the integer either way.
    path = tmp_path / "log.jsonl"
    path.write_text(json.dumps(_base(userId=value)) + "\n" +
                    json.dumps(_base(deviceDetail={"deviceId": "d", "isCompliant": value})))
    assert [r.message for r in _read(path)] == [  # type: ignore[union-attr]
        "userId: expected a string, got int",
        f"isCompliant: expected true or false, got {value}"]
