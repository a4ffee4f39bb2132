"""Authentication methods, authentications and authentication strengths."""

from __future__ import annotations

from datetime import datetime

import attrs
import pytest
from tests.helpers import NOW

from protected_actions import (
    BUILT_IN_STRENGTHS,
    MFA_STRENGTH,
    PASSWORDLESS_MFA_STRENGTH,
    PHISHING_RESISTANT_MFA_STRENGTH,
    Authentication,
    AuthenticationStrength,
    AuthMethod,
    CombinationConfiguration,
    InvalidModelError,
)

YUBIKEY = "cb69481e-8ff7-4039-93ec-0a2729a154a8"
OTHER_KEY = "ee882879-721c-4913-9775-3dfcce97072a"


def yubikey_only() -> AuthenticationStrength:
    """A custom strength: FIDO2 keys of one model only (entra-facts §5.4)."""
    return AuthenticationStrength(
        id="b7a1c2d3-0000-4000-8000-000000000001", display_name="YubiKey only",
        allowed_combinations=[("fido2",)],
        combination_configurations=[CombinationConfiguration(
            kind="fido2", applies_to_combinations=[("fido2",)],
            allowed_aaguids=[YUBIKEY.upper()])])


class TestAuthMethod:
    """Graph ``authenticationMethodModes`` (entra-facts §5.2)."""

    def test_values(self) -> None:
        """The enum holds the documented Graph values."""
        # entra-facts §5.2
        assert {m.value for m in AuthMethod} == {
            "password", "voice", "hardwareOath", "softwareOath", "sms", "fido2",
            "windowsHelloForBusiness", "microsoftAuthenticatorPush", "deviceBasedPush",
            "temporaryAccessPassOneTime", "temporaryAccessPassMultiUse", "email",
            "x509CertificateSingleFactor", "x509CertificateMultiFactor",
            "federatedSingleFactor", "federatedMultiFactor", "unknownFutureValue", "qrCodePin",
        }

    def test_str_is_the_graph_value(self) -> None:
        """``str`` of a member is its Graph value."""
        assert str(AuthMethod.WINDOWS_HELLO_FOR_BUSINESS) == "windowsHelloForBusiness"

    def test_members_usable_as_method_names(self) -> None:
        """Enum members convert to plain method names inside an Authentication."""
        a = Authentication(methods={AuthMethod.PASSWORD, AuthMethod.SMS}, at=NOW)
        assert a.methods == frozenset({"password", "sms"})
        assert all(type(m) is str for m in a.methods)


class TestAuthentication:
    """One completed authentication."""

    def test_methods_become_a_frozenset(self) -> None:
        """Any iterable of methods is stored as a frozenset."""
        a = Authentication(methods=["password", "sms", "sms"], at=NOW)
        assert a.methods == frozenset({"password", "sms"})

    def test_empty_methods_rejected(self) -> None:
        """An authentication needs at least one method."""
        with pytest.raises(InvalidModelError) as info:
            Authentication(methods=[], at=NOW)
        assert info.value.field == "Authentication.methods"
        assert info.value.expected == "a non-empty set of authentication method names"

    def test_bare_string_rejected(self) -> None:
        """A bare string is rejected rather than split into characters."""
        with pytest.raises(InvalidModelError) as info:
            Authentication(methods="password", at=NOW)  # type: ignore[arg-type]
        assert info.value.field == "Authentication.methods"

    def test_naive_time_rejected(self) -> None:
        """Times must be timezone-aware."""
        with pytest.raises(InvalidModelError) as info:
            Authentication(methods=["fido2"], at=datetime(2026, 11, 29, 9, 30))
        assert info.value.field == "Authentication.at"
        assert info.value.expected == "a timezone-aware datetime"

    def test_hashable_and_evolvable(self) -> None:
        """Authentications hash by value and change through ``attrs.evolve``."""
        a = Authentication(methods=["fido2"], at=NOW)
        b = attrs.evolve(a, fido2_aaguid=YUBIKEY)
        assert hash(a) == hash(Authentication(methods={"fido2"}, at=NOW))
        assert b.fido2_aaguid == YUBIKEY
        assert a.fido2_aaguid is None


class TestBuiltInStrengths:
    """The three built-in strengths (entra-facts §5.3)."""

    def test_ids_and_names(self) -> None:
        """The built-ins carry their fixed ids."""
        # entra-facts §5.3
        assert [(s.id, s.policy_type) for s in BUILT_IN_STRENGTHS] == [
            ("00000000-0000-0000-0000-000000000002", "builtIn"),
            ("00000000-0000-0000-0000-000000000003", "builtIn"),
            ("00000000-0000-0000-0000-000000000004", "builtIn"),
        ]

    def test_mfa_has_nineteen_combinations(self) -> None:
        """The MFA strength has the 19-entry list of the current docs."""
        # entra-facts §5.3: use the 19-entry list.
        assert len(MFA_STRENGTH.allowed_combinations) == 19
        assert ("password", "x509CertificateSingleFactor") in MFA_STRENGTH.allowed_combinations

    def test_phishing_resistant_combinations(self) -> None:
        """Phishing-resistant MFA allows WHfB, FIDO2 and multifactor certificates."""
        # entra-facts §5.3
        assert PHISHING_RESISTANT_MFA_STRENGTH.combination_sets == {
            frozenset({"windowsHelloForBusiness"}), frozenset({"fido2"}),
            frozenset({"x509CertificateMultiFactor"})}

    @pytest.mark.parametrize(("methods", "mfa", "passwordless", "phishing_resistant"), [
        # entra-facts §5.3: "Password plus something the user has" satisfies MFA only.
        (("password", "sms"), True, False, False),
        (("password", "microsoftAuthenticatorPush"), True, False, False),
        (("password", "softwareOath"), True, False, False),
        # FIDO2, WHfB and multifactor certificates satisfy all three.
        (("fido2",), True, True, True),
        (("windowsHelloForBusiness",), True, True, True),
        (("x509CertificateMultiFactor",), True, True, True),
        # Authenticator phone sign-in is passwordless but not phishing resistant.
        (("deviceBasedPush",), True, True, False),
        # TAP (one-time and multi-use) satisfies MFA only.
        (("temporaryAccessPassOneTime",), True, False, False),
        (("temporaryAccessPassMultiUse",), True, False, False),
        # Federated: multifactor, or single-factor plus something the user has.
        (("federatedMultiFactor",), True, False, False),
        (("federatedSingleFactor", "sms"), True, False, False),
        # Single factors satisfy none.
        (("password",), False, False, False),
        (("sms",), False, False, False),
        (("x509CertificateSingleFactor",), False, False, False),
        (("federatedSingleFactor",), False, False, False),
        (("qrCodePin",), False, False, False),
        (("email",), False, False, False),
    ])
    def test_which_methods_satisfy_which_strength(
            self, methods: tuple[str, ...], mfa: bool, passwordless: bool,
            phishing_resistant: bool) -> None:
        """Each method combination satisfies exactly the documented built-ins."""
        used = frozenset(methods)
        assert (MFA_STRENGTH.allows(used), PASSWORDLESS_MFA_STRENGTH.allows(used),
                PHISHING_RESISTANT_MFA_STRENGTH.allows(used)) == (mfa, passwordless,
                                                                  phishing_resistant)

    def test_extra_methods_do_not_hurt(self) -> None:
        """Using more methods than a combination needs still satisfies it."""
        assert PHISHING_RESISTANT_MFA_STRENGTH.allows(frozenset({"password", "fido2"}))


class TestCustomStrength:
    """Custom strengths and combination configurations (entra-facts §5.4)."""

    def test_combinations_keep_their_order(self) -> None:
        """Combinations keep the order they were written in."""
        s = AuthenticationStrength(id="s1", display_name="S",
                                   allowed_combinations=[["sms", "password"], ["fido2"]])
        assert s.allowed_combinations == (("sms", "password"), ("fido2",))
        assert s.allows(frozenset({"password", "sms"}))

    def test_fido2_aaguid_allowed(self) -> None:
        """A passkey of an allowed model satisfies the restricted combination."""
        # entra-facts §5.4: fido2CombinationConfiguration.allowedAAGUIDs
        assert yubikey_only().allows(frozenset({"fido2"}), YUBIKEY)

    def test_fido2_aaguid_case_insensitive(self) -> None:
        """AAGUIDs compare without regard to case."""
        assert yubikey_only().allows(frozenset({"fido2"}), YUBIKEY.upper())

    def test_fido2_other_model_refused(self) -> None:
        """A passkey of another model does not satisfy the restricted combination."""
        # entra-facts §5.4: a disallowed key gives "You can't get there from here".
        assert not yubikey_only().allows(frozenset({"fido2"}), OTHER_KEY)

    def test_fido2_unknown_model_fails_closed(self) -> None:
        """An authentication that does not say which passkey was used fails closed."""
        assert not yubikey_only().allows(frozenset({"fido2"}), None)

    def test_configuration_only_restricts_its_combinations(self) -> None:
        """Combinations the configuration does not name are unaffected."""
        s = attrs.evolve(yubikey_only(),
                         allowed_combinations=[("fido2",), ("windowsHelloForBusiness",)])
        assert s.allows(frozenset({"windowsHelloForBusiness"}))

    def test_certificate_configuration_fails_closed(self) -> None:
        """A certificate issuer/OID restriction cannot be checked, so it never matches."""
        s = AuthenticationStrength(
            id="s2", display_name="Smart card",
            allowed_combinations=[("x509CertificateMultiFactor",)],
            combination_configurations=[CombinationConfiguration(
                kind="x509Certificate", applies_to_combinations=[("x509CertificateMultiFactor",)],
                allowed_issuer_skis=["9A4248C6AC8C2931AB2A86537818E92E7B6C97B6"])])
        assert not s.allows(frozenset({"x509CertificateMultiFactor"}))

    def test_empty_combination_rejected(self) -> None:
        """A combination with no method is rejected, naming the field."""
        with pytest.raises(InvalidModelError) as info:
            AuthenticationStrength(id="s", display_name="S", allowed_combinations=[()])
        assert info.value.field == "AuthenticationStrength.allowed_combinations"
        assert "combinations" in info.value.expected

    def test_empty_id_rejected(self) -> None:
        """A strength needs an id."""
        with pytest.raises(InvalidModelError) as info:
            AuthenticationStrength(id="", display_name="S", allowed_combinations=[("fido2",)])
        assert info.value.field == "AuthenticationStrength.id"

    def test_hashable(self) -> None:
        """Strengths, with their configurations, hash by value."""
        assert hash(yubikey_only()) == hash(yubikey_only())
        assert len({yubikey_only(), yubikey_only(), *BUILT_IN_STRENGTHS}) == 4
