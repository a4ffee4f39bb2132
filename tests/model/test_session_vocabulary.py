"""Session values: closed vocabularies in any case; blank, padded, control-character,
homoglyph and unknown values are errors (nothing unrecognised passes silently)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest

from protected_actions import Authentication, Device, InvalidModelError, SessionState, User

AT = datetime(2026, 11, 29, 10, 0, tzinfo=timezone.utc)
ALICE = User(id="alice")


def make(**fields: Any) -> SessionState:
    return SessionState(at=AT, user=ALICE, **fields)


SESSION_ENUMS = {
    # field: (a known value in another case, bad values that passed silently before)
    "sign_in_risk_level": ("HIGH", ["high ", " high", "hihg", "", " ", "high\x00", "h\u0456gh",
                                    "severe", "unknownFutureValue"]),
    "user_risk_level": ("Medium", ["medium\t", "meduim", "", "critical"]),
    "insider_risk_level": ("ELEVATED", ["elevated ", "elevatd", "", "high"]),
    "client_app_type": ("Browser", ["other ", "legacy", "", " ", "browsers", "all",
                                    "bro\u200bwser"]),
    "authentication_flow": ("DeviceCodeFlow", ["deviceCodeFlow ", "deviceCode", "",
                                               "devicecodefl0w"]),
}


class TestSessionEnumerations:
    @pytest.mark.parametrize(("field", "known"),
                             [(f, k) for f, (k, _) in SESSION_ENUMS.items()])
    def test_known_values_in_any_case(self, field: str, known: str) -> None:
        """Enumerations are matched case-insensitively; the value is kept as given."""
        assert getattr(make(**{field: known}), field) == known

    @pytest.mark.parametrize(("field", "bad"),
                             [(f, b) for f, (_, bads) in SESSION_ENUMS.items() for b in bads])
    def test_unknown_padded_blank_control_and_homoglyph_values_are_errors(
            self, field: str, bad: str) -> None:
        with pytest.raises(InvalidModelError) as info:
            make(**{field: bad})
        assert info.value.field == f"SessionState.{field}"

    @pytest.mark.parametrize(("field", "bad", "suggestion"), [
        ("sign_in_risk_level", "hihg", "high"),
        ("client_app_type", "browsers", "browser"),
        ("authentication_flow", "deviceCodeFlw", "deviceCodeFlow"),
        ("user_risk_level", "meduim", "medium"),
    ])
    def test_near_misses_say_what_was_meant(self, field: str, bad: str,
                                            suggestion: str) -> None:
        with pytest.raises(InvalidModelError, match=rf"did you mean '{suggestion}'"):
            make(**{field: bad})

    @pytest.mark.parametrize("wrong", [1, True, b"high", ["high"]])
    def test_wrong_types_are_errors(self, wrong: object) -> None:
        with pytest.raises(InvalidModelError):
            make(sign_in_risk_level=wrong)


class TestPlatform:
    @pytest.mark.parametrize("value", ["iOS", "ios", "IOS", "windowsPhone", "MacOS"])
    def test_known_platforms_in_any_case(self, value: str) -> None:
        assert make(device_platform=value).device_platform == value

    @pytest.mark.parametrize("value", ["chromeOS", "tvOS", "PlayStation5", "webOS"])
    def test_a_well_formed_other_platform_is_kept(self, value: str) -> None:
        """A platform outside the known values matches only ``all`` (documented
        semantics), so a well-formed name is a valid session value.
        https://learn.microsoft.com/en-us/entra/identity/conditional-access/concept-conditional-access-conditions#device-platforms
        """
        assert make(device_platform=value).device_platform == value

    @pytest.mark.parametrize(("value", "why"), [
        ("", "blank"), (" ", "blank"), ("iOS\x00", "control"), (" iOS", "padded"),
        ("iOS ", "padded"), ("i0S", "did you mean 'iOS'"), ("andriod", "did you mean"),
        ("windowz", "did you mean 'windows'"), ("mac OS", "ASCII letters"),
        ("\u0456OS", "ASCII letters"), ("3ds", "ASCII letters"), ("x" * 65, "ASCII letters"),
        ("mac-os", "ASCII letters"),
    ])
    def test_malformed_and_near_miss_platforms_are_errors(self, value: str, why: str) -> None:
        with pytest.raises(InvalidModelError) as info:
            make(device_platform=value)
        assert info.value.field == "SessionState.device_platform"
        if why in ("ASCII letters",) or why.startswith("did you mean"):
            assert why in str(info.value)


class TestUser:
    @pytest.mark.parametrize("value", ["Guest", "MEMBER"])
    def test_user_type_in_any_case(self, value: str) -> None:
        assert User(id="u1", user_type=value).user_type == value

    @pytest.mark.parametrize("value", ["", "guest ", "guests", "external", "gue\x00st"])
    def test_bad_user_types_are_errors(self, value: str) -> None:
        with pytest.raises(InvalidModelError, match=r"User.user_type"):
            User(id="u1", user_type=value)

    @pytest.mark.parametrize("value", ["x", "", "serviceProvider ", "b2bCollaborationGuests",
                                       "internal guest"])
    def test_bad_guest_types_are_errors(self, value: str) -> None:
        with pytest.raises(InvalidModelError, match=r"User.guest_or_external_user_type"):
            User(id="u1", guest_or_external_user_type=value)

    def test_guest_type_near_miss_suggests(self) -> None:
        with pytest.raises(InvalidModelError, match=r"did you mean 'b2bCollaborationGuest'"):
            User(id="u1", guest_or_external_user_type="b2bCollaborationGuests")

    @pytest.mark.parametrize("value", ["", " ", " u1", "u1 ", "u1\n", "u\x001"])
    def test_padded_blank_and_control_ids_are_errors(self, value: str) -> None:
        with pytest.raises(InvalidModelError, match=r"User.id"):
            User(id=value)

    @pytest.mark.parametrize("field", ["member_of", "roles", "eligible_roles"])
    def test_padded_ids_in_sets_are_errors(self, field: str) -> None:
        with pytest.raises(InvalidModelError, match=rf"User.{field}"):
            User(id="u1", **{field: {"g1 "}})

    def test_registered_methods_are_method_names(self) -> None:
        assert User(id="u1", registered_methods={"FIDO2"}).registered_methods == {"fido2"}
        with pytest.raises(InvalidModelError, match=r"did you mean 'fido2'"):
            User(id="u1", registered_methods={"fido"})


class TestAuthenticationMethods:
    def test_method_names_in_any_case_become_canonical(self) -> None:
        """Methods are compared with strength combinations exactly: any case is read
        as the canonical name."""
        a = Authentication(methods={"Password", "SMS"}, at=AT)
        assert a.methods == {"password", "sms"}

    @pytest.mark.parametrize("method", ["sms ", "", "smss", "pass\x00word", "unknownFutureValue",
                                        "\u0455ms"])
    def test_unknown_methods_are_errors(self, method: str) -> None:
        with pytest.raises(InvalidModelError, match=r"Authentication.methods"):
            Authentication(methods={"password", method}, at=AT)


class TestDevice:
    def test_trust_type_in_any_case(self) -> None:
        assert Device(trust_type="serverad").is_hybrid_joined

    @pytest.mark.parametrize("value", ["ServerAD ", "", "ServrAD", "AzurAD", "Server\x00AD",
                                       "Azure-AD", "AzureAD\u200b"])
    def test_bad_trust_types_are_errors(self, value: str) -> None:
        with pytest.raises(InvalidModelError, match=r"Device.trust_type"):
            Device(trust_type=value)

    def test_a_well_formed_unknown_trust_type_is_kept(self) -> None:
        """Graph's What If example 3 sends ``"trustType": "EntraID"``
        (https://learn.microsoft.com/graph/api/conditionalaccessroot-evaluate): kept as
        written, it is neither hybrid joined nor equal to ``AzureAD`` in a filter."""
        device = Device(trust_type="EntraID")
        assert (device.trust_type, device.is_hybrid_joined) == ("EntraID", False)
