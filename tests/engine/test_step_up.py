"""``simulate_step_up``: the session after the user did what a challenge asked."""

from __future__ import annotations

from tests.helpers import NOW, ago, auth, check, policy, session, tenant, user

from protected_actions import (
    MFA_STRENGTH,
    PHISHING_RESISTANT_MFA_STRENGTH,
    AuthenticationStrength,
    Challenge,
    CombinationConfiguration,
    Control,
    ControlKind,
    Outcome,
    ReasonCode,
    Requirement,
    SessionControls,
    SignInFrequency,
    simulate_step_up,
)
from protected_actions.engine.step_up import step_up_methods

YUBIKEY = "cb69481e-8ff7-4039-93ec-0a2729a154a8"


def one(kind: ControlKind, detail: str | None = None) -> Challenge:
    """A challenge with one requirement of one control."""
    return Challenge(acrs=("c1",), requirements=(
        Requirement(policy_id="p1", any_of=(Control(kind=kind, detail=detail),)),))


class TestAfterEvaluation:
    """Stepping up turns a challenge into an allow."""

    def test_mfa(self) -> None:
        """After the MFA step-up, the action is allowed."""
        t, s = tenant(policy()), session(auth("password"))
        d = check(t, s)
        assert d.outcome is Outcome.CHALLENGE
        stepped = simulate_step_up(s, d)
        assert check(t, stepped).outcome is Outcome.ALLOW
        (added,) = stepped.authentications[1:]
        assert added.at == NOW
        assert MFA_STRENGTH.allows(added.methods)

    def test_phishing_resistant_strength(self) -> None:
        """After a phishing-resistant step-up, the action is allowed."""
        t = tenant(policy(controls=(), strength=PHISHING_RESISTANT_MFA_STRENGTH.id))
        s = session(auth("password", "sms"))
        stepped = simulate_step_up(s, check(t, s))
        assert check(t, stepped).codes == (ReasonCode.ALL_POLICIES_SATISFIED,)

    def test_several_policies(self) -> None:
        """Every interactive requirement of every policy is done in one go."""
        t = tenant(policy("p1"), policy("p2", controls=(), terms_of_use=["tou-1"]),
                   policy("p3", controls=("passwordChange",)))
        s = session()
        assert check(t, simulate_step_up(s, check(t, s))).outcome is Outcome.ALLOW

    def test_sign_in_frequency(self) -> None:
        """Signing in again satisfies an every-time sign-in frequency."""
        t = tenant(policy(session_controls=SessionControls(
            sign_in_frequency=SignInFrequency(frequency_interval="everyTime"))))
        s = session(auth("password", "sms", at=ago(hours=1)))
        assert check(t, simulate_step_up(s, check(t, s))).outcome is Outcome.ALLOW

    def test_fido2_model_restricted_strength(self) -> None:
        """For a strength restricted to one passkey model, that model is used."""
        # entra-facts §5.4
        keys = AuthenticationStrength(
            id="s-keys", display_name="YubiKey only", allowed_combinations=[("fido2",)],
            combination_configurations=[CombinationConfiguration(
                kind="fido2", applies_to_combinations=[("fido2",)], allowed_aaguids=[YUBIKEY])])
        t = tenant(policy(controls=(), strength="s-keys"), authentication_strengths=[keys])
        s = session()
        stepped = simulate_step_up(s, check(t, s))
        assert stepped.authentications[-1].fido2_aaguid == YUBIKEY
        assert check(t, stepped).outcome is Outcome.ALLOW

    def test_registered_methods_limit_the_step_up(self) -> None:
        """A user without a qualifying registered method cannot step up."""
        # entra-facts §5.5: no registered qualifying method -> blocked.
        t = tenant(policy(controls=(), strength=PHISHING_RESISTANT_MFA_STRENGTH.id))
        s = session(who=user(registered_methods={"password", "sms"}))
        stepped = simulate_step_up(s, check(t, s))
        assert stepped == s
        assert check(t, stepped).outcome is Outcome.CHALLENGE

    def test_registered_methods_choose_the_combination(self) -> None:
        """The step-up uses a combination within the registered methods."""
        t = tenant(policy())
        s = session(who=user(registered_methods={"fido2"}))
        stepped = simulate_step_up(s, check(t, s))
        assert stepped.authentications[-1].methods == frozenset({"fido2"})

    def test_non_interactive_left_unmet(self) -> None:
        """A device requirement cannot be stepped up: the session is unchanged."""
        t = tenant(policy(controls=("compliantDevice",)))
        s = session()
        d = check(t, s)
        assert d.outcome is Outcome.DENY
        assert simulate_step_up(s, d) == s

    def test_no_challenge(self) -> None:
        """An allow (no challenge) leaves the session unchanged."""
        s = session(auth("fido2"))
        assert simulate_step_up(s, check(tenant(policy()), s)) is s
        assert simulate_step_up(s, None) is s


class TestSingleControls:
    """What each control does to the session."""

    def test_terms_of_use(self) -> None:
        """Terms of use are accepted."""
        stepped = simulate_step_up(session(), one(ControlKind.TERMS_OF_USE, "tou-1"))
        assert stepped.accepted_terms_of_use == frozenset({"tou-1"})

    def test_password_change(self) -> None:
        """A password change is recorded at the session's time."""
        stepped = simulate_step_up(session(), one(ControlKind.PASSWORD_CHANGE))
        assert stepped.password_changed_at == NOW

    def test_custom_control(self) -> None:
        """A custom control is completed."""
        stepped = simulate_step_up(session(), one(ControlKind.CUSTOM_CONTROL, "duo"))
        assert stepped.satisfied_custom_controls == frozenset({"duo"})

    def test_reauthentication_replays_the_latest_methods(self) -> None:
        """Signing in again repeats the latest authentication's methods, now."""
        s = session(auth("fido2", at=ago(hours=3), aaguid=YUBIKEY),
                    auth("password", "sms", at=ago(hours=1)))
        stepped = simulate_step_up(s, one(ControlKind.REAUTHENTICATION))
        latest = stepped.authentications[-1]
        assert (latest.methods, latest.at) == (frozenset({"password", "sms"}), NOW)

    def test_reauthentication_without_history(self) -> None:
        """With no earlier authentication, signing in again uses a password."""
        stepped = simulate_step_up(session(), one(ControlKind.REAUTHENTICATION))
        assert stepped.authentications[-1].methods == frozenset({"password"})

    def test_unknown_control_left_unmet(self) -> None:
        """An unknown control is not something a prompt can do."""
        s = session()
        assert simulate_step_up(s, one(ControlKind.UNKNOWN_CONTROL, "riskRemediation")) == s

    def test_first_doable_option_taken(self) -> None:
        """For an OR requirement, the first option the user can do is taken."""
        c = Challenge(acrs=("c1",), requirements=(Requirement(policy_id="p1", any_of=(
            Control(kind=ControlKind.COMPLIANT_DEVICE),
            Control(kind=ControlKind.TERMS_OF_USE, detail="tou-1"),
            Control(kind=ControlKind.PASSWORD_CHANGE))),))
        stepped = simulate_step_up(session(), c)
        assert stepped.accepted_terms_of_use == frozenset({"tou-1"})
        assert stepped.password_changed_at is None


class TestStepUpMethods:
    """Which methods a user would use for an MFA or strength control."""

    def test_prefers_password_plus_second_factor(self) -> None:
        """With no registration known, the everyday password + second factor is used."""
        control = Control(kind=ControlKind.MFA, combinations=MFA_STRENGTH.allowed_combinations)
        methods = step_up_methods(control, None)
        assert methods is not None
        assert "password" in methods
        assert len(methods) == 2

    def test_registered_methods(self) -> None:
        """Only registered methods are used."""
        control = Control(kind=ControlKind.MFA, combinations=MFA_STRENGTH.allowed_combinations)
        assert step_up_methods(control, frozenset({"windowsHelloForBusiness"})) == (
            "windowsHelloForBusiness",)

    def test_nothing_usable(self) -> None:
        """``None`` when no allowed combination is registered."""
        control = Control(kind=ControlKind.AUTHENTICATION_STRENGTH,
                          combinations=PHISHING_RESISTANT_MFA_STRENGTH.allowed_combinations)
        assert step_up_methods(control, frozenset({"password", "sms"})) is None

    def test_stepped_session_keeps_everything_else(self) -> None:
        """Stepping up changes only the evidence, not who or where."""
        s = session(device_platform="windows", ip_address="203.0.113.7")
        stepped = simulate_step_up(s, one(ControlKind.PASSWORD_CHANGE))
        assert (stepped.user, stepped.device_platform, stepped.ip_address, stepped.at) == (
            s.user, s.device_platform, s.ip_address, s.at)


class TestDirectoryMethods:
    """simulate_step_up(..., tenant=) reads registered methods from the directory."""

    def test_directory_methods_choose_the_step_up(self) -> None:
        """A session without methods steps up with what the directory records."""
        import protected_actions as pa
        from protected_actions.engine.decision import Challenge, Control, ControlKind, Requirement

        t = pa.Tenant(users=[pa.User(id="alice", registered_methods={"password", "fido2"})])
        s = pa.SessionState(at=NOW, user=pa.User(id="alice"))
        mfa = Control(kind=ControlKind.MFA, combinations=pa.MFA_STRENGTH.allowed_combinations)
        c = Challenge(acrs=("c1",), requirements=(Requirement(policy_id="p", any_of=(mfa,)),))
        stepped = simulate_step_up(s, c, tenant=t)
        assert stepped.authentications[-1].methods == frozenset({"fido2"})
        assert stepped.user == s.user  # the session's own user is kept as it was
        assert simulate_step_up(s, c).authentications[-1].methods != frozenset({"fido2"})
