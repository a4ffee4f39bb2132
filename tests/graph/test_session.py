"""The session JSON of DESIGN §6: loading, times, devices and the inverse dump."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from protected_actions import Authentication, Device, LoadError, SessionState, User
from protected_actions.graph import dump_session, load_session

DESIGN_EXAMPLE: dict[str, Any] = {
    "at": "2026-11-29T10:00:00Z",
    "user": {"id": "u1", "userType": "member", "memberOf": ["g1"],
             "roles": ["62e90394-69f5-4237-9190-012177145e10"], "eligibleRoles": []},
    "authentications": [{"methods": ["password", "microsoftAuthenticatorPush"],
                         "at": "2026-11-29T09:30:00Z"}],
    "devicePlatform": "windows",
    "device": {"deviceId": "d1", "isCompliant": True, "trustType": "AzureAD",
               "extensionAttribute1": "SAW"},
    "ipAddress": "203.0.113.7", "country": "NL",
    "clientAppType": "browser", "supportsClaimsChallenge": True,
    "signInRiskLevel": "none", "userRiskLevel": "none",
    "applicationId": "00000003-0000-0000-c000-000000000000",
    "acceptedTermsOfUse": [],
}
UTC = timezone.utc


class TestLoad:
    def test_design_example_loads(self) -> None:
        """The DESIGN §6 example becomes the SessionState it describes."""
        session = load_session(DESIGN_EXAMPLE)
        assert session == SessionState(
            at=datetime(2026, 11, 29, 10, 0, tzinfo=UTC),
            user=User(id="u1", member_of={"g1"},
                      roles={"62e90394-69f5-4237-9190-012177145e10"}),
            authentications=(Authentication(
                methods={"password", "microsoftAuthenticatorPush"},
                at=datetime(2026, 11, 29, 9, 30, tzinfo=UTC)),),
            device_platform="windows",
            device=Device(device_id="d1", is_compliant=True, trust_type="AzureAD",
                          extension_attributes={"extensionAttribute1": "SAW"}),
            ip_address="203.0.113.7", country="NL",
            application_id="00000003-0000-0000-c000-000000000000")

    def test_only_time_and_user_id_are_required(self) -> None:
        """A minimal session: unknown facts stay None, defaults apply."""
        session = load_session({"at": "2026-11-29T10:00:00+01:00", "user": {"id": "u1"}})
        assert session.device is None
        assert session.ip_address is None
        assert session.client_app_type == "browser"
        assert session.sign_in_risk_level == "none"
        assert session.at.utcoffset() == timedelta(hours=1)

    @pytest.mark.parametrize("text", [
        "2026-11-29T10:00:00Z", "2026-11-29T10:00:00.1234567Z", "2026-11-29T11:00:00+01:00",
        "2026-11-29T05:00:00-0500", "2026-11-29 10:00Z",
    ])
    def test_iso_8601_times_with_an_offset(self, text: str) -> None:
        """Graph's seven-digit fractions, ``Z``, offsets with or without a colon."""
        at = load_session({"at": text, "user": {"id": "u"}}).at
        assert at.replace(microsecond=0) == datetime(2026, 11, 29, 10, 0, tzinfo=UTC)

    @pytest.mark.parametrize("value", ["2026-11-29T10:00:00", "yesterday", 1764410400, None])
    def test_naive_or_malformed_times_are_rejected(self, value: Any) -> None:
        """A time without an offset, or not a time, is a LoadError at ``$.at``."""
        with pytest.raises(LoadError) as info:
            load_session({"at": value, "user": {"id": "u"}})
        assert [p.path for p in info.value.problems] == ["$.at"]

    def test_guest_user_fields(self) -> None:
        """A guest adds guestOrExternalUserType and homeTenantId."""
        session = load_session({"at": "2026-11-29T10:00:00Z", "user": {
            "id": "g", "userType": "guest", "guestOrExternalUserType": "b2bCollaborationGuest",
            "homeTenantId": "t2"}})
        assert session.user.guest_or_external_user_type == "b2bCollaborationGuest"
        assert session.user.home_tenant_id == "t2"


class TestDump:
    def test_dump_is_the_inverse_of_load(self) -> None:
        """load_session(dump_session(s)) == s."""
        session = load_session(DESIGN_EXAMPLE)
        assert load_session(dump_session(session)) == session

    def test_dump_writes_facts_in_session_json_form(self) -> None:
        """Times in ISO 8601 with Z, extension attributes flat, unknown facts omitted."""
        dumped = dump_session(load_session(DESIGN_EXAMPLE))
        assert dumped["at"] == "2026-11-29T10:00:00Z"
        assert dumped["device"]["extensionAttribute1"] == "SAW"
        assert dumped["user"]["memberOf"] == ["g1"]
        assert "gpsCountry" not in dumped
        assert "passwordChangedAt" not in dumped

    def test_offsets_are_kept(self) -> None:
        """A time with a non-UTC offset dumps with that offset."""
        session = load_session({"at": "2026-11-29T11:00:00+01:00", "user": {"id": "u"}})
        assert dump_session(session)["at"] == "2026-11-29T11:00:00+01:00"


class TestUnrecognisedValues:
    """Nothing unrecognised in a session passes silently: a ``LoadError`` at the
    value's JSON path, with a did-you-mean where a known value is close."""

    @pytest.mark.parametrize(("key", "value", "path", "hint"), [
        ("signInRiskLevel", "high ", "$.signInRiskLevel", None),
        ("signInRiskLevel", "hihg", "$.signInRiskLevel", "did you mean 'high'"),
        ("userRiskLevel", "", "$.userRiskLevel", None),
        ("clientAppType", "other ", "$.clientAppType", None),
        ("clientAppType", "legacy", "$.clientAppType", None),
        ("clientAppType", "browsers", "$.clientAppType", "did you mean 'browser'"),
        ("authenticationFlow", "deviceCodeFlow ", "$.authenticationFlow", None),
        ("devicePlatform", "", "$.devicePlatform", None),
        ("devicePlatform", " ", "$.devicePlatform", None),
        ("devicePlatform", "iOS\u0000", "$.devicePlatform", None),
        ("devicePlatform", "i0S", "$.devicePlatform", "did you mean 'iOS'"),
        ("insiderRiskLevel", "moderat", "$.insiderRiskLevel", "did you mean 'moderate'"),
    ])
    def test_bad_enumeration_values(self, key: str, value: str, path: str,
                                    hint: str | None) -> None:
        with pytest.raises(LoadError) as info:
            load_session({**DESIGN_EXAMPLE, key: value})
        (problem,) = info.value.problems
        assert problem.path == path
        if hint is not None:
            assert hint in problem.message

    @pytest.mark.parametrize(("user", "path"), [
        ({"id": "u1", "guestOrExternalUserType": "x"}, "$.user.guestOrExternalUserType"),
        ({"id": "u1", "guestOrExternalUserType": "serviceProvider "},
         "$.user.guestOrExternalUserType"),
        ({"id": "u1", "userType": "guests"}, "$.user.userType"),
        ({"id": " u1"}, "$.user.id"),
        ({"id": "u1", "memberOf": ["g1 "]}, "$.user.memberOf[0]"),
    ])
    def test_bad_user_values(self, user: dict[str, Any], path: str) -> None:
        with pytest.raises(LoadError) as info:
            load_session({**DESIGN_EXAMPLE, "user": user})
        assert [p.path for p in info.value.problems] == [path]

    def test_bad_method_name(self) -> None:
        data = {**DESIGN_EXAMPLE, "authentications": [
            {"methods": ["password", "microsoftAuthenticatorPsh"], "at": "2026-11-29T09:30:00Z"}]}
        with pytest.raises(LoadError, match="did you mean 'microsoftAuthenticatorPush'") as info:
            load_session(data)
        assert info.value.problems[0].path.startswith("$.authentications[0].methods")

    def test_values_in_another_case_load(self) -> None:
        session = load_session({**DESIGN_EXAMPLE, "signInRiskLevel": "HIGH",
                                "clientAppType": "Browser", "devicePlatform": "IOS"})
        assert (session.sign_in_risk_level, session.device_platform) == ("HIGH", "IOS")
        assert load_session(dump_session(session)) == session

    def test_a_well_formed_unknown_platform_loads(self) -> None:
        """A platform outside the known values is kept: it matches only ``all``."""
        assert load_session({**DESIGN_EXAMPLE, "devicePlatform": "chromeOS"}) \
            .device_platform == "chromeOS"
