"""``check_token`` and ``session_from_token_claims``: a resource server's view of an
access token (entra-facts §2.2, §2.3, §2.5)."""

from __future__ import annotations

import base64
from datetime import timedelta
from typing import Any

import pytest
from tests.apps import APPROVE, C10_BASE64, C10_CLAIMS, ERIN, ISSUED, token

from protected_actions import (
    Authentication,
    Decision,
    Device,
    InvalidModelError,
    InvalidPermissionError,
    Outcome,
    ReasonCode,
    Tenant,
)
from protected_actions.apps.claims import AMR_METHODS, check_token, session_from_token_claims
from protected_actions.samples import sample_tenant

CA_CREATE = "microsoft.directory/conditionalAccessPolicies/create"
CROSS_TENANT_CREATE = "microsoft.directory/crossTenantAccessPolicy/partners/create"
BRANCH_OFFICE_IP = "198.51.100.7"  # the sample's untrusted named location
C10_POLICY = "pa-c10-payroll-mfa"


@pytest.fixture(scope="module")
def tenant() -> Tenant:
    """The embedded sample tenant."""
    return sample_tenant()


def check(tenant: Tenant, **claims: Any) -> Decision:
    """``check_token`` for the payroll approval with Erin's token, claims replaced."""
    return check_token(tenant, token(**claims), APPROVE)


class TestSessionFromTokenClaims:
    """The session a token describes."""

    def test_user_id_is_oid(self) -> None:
        """The user is the ``oid`` claim, not the per-application ``sub``."""
        assert session_from_token_claims(token()).user.id == ERIN

    def test_user_id_falls_back_to_sub(self) -> None:
        """Without ``oid``, ``sub`` names the user."""
        assert session_from_token_claims(token(oid=None)).user.id == \
            "pairwise-subject-for-this-api"

    def test_error_when_no_user_id(self) -> None:
        """A token with neither ``oid`` nor ``sub`` names no user."""
        with pytest.raises(InvalidModelError) as info:
            session_from_token_claims(token(oid=None, sub=None))
        assert info.value.field == "token_claims.oid"

    def test_roles_and_groups(self) -> None:
        """``wids`` become active roles, ``groups`` group memberships."""
        user = session_from_token_claims(token(wids=["62e90394-69f5-4237-9190-012177145e10"],
                                               groups=["g1", "g2"])).user
        assert user.roles == {"62e90394-69f5-4237-9190-012177145e10"}
        assert user.member_of == {"g1", "g2"}

    def test_time_defaults_to_iat(self) -> None:
        """Without ``at`` the session takes place when the token was issued."""
        assert session_from_token_claims(token()).at == ISSUED

    def test_explicit_time_wins(self) -> None:
        """``at`` replaces the token's ``iat``."""
        later = ISSUED + timedelta(hours=1)
        assert session_from_token_claims(token(), at=later).at == later

    def test_error_when_no_time(self) -> None:
        """Without ``iat`` or ``at`` there is no time to evaluate at; no clock is read."""
        with pytest.raises(InvalidModelError) as info:
            session_from_token_claims(token(iat=None))
        assert info.value.field == "token_claims.iat"

    @pytest.mark.parametrize(("amr", "method"), sorted(AMR_METHODS.items()))
    def test_mapped_amr_values(self, amr: str, method: str) -> None:
        """Each mapped ``amr`` value becomes its Graph method, at ``auth_time``."""
        session = session_from_token_claims(token(amr=[amr]))
        assert session.authentications == (
            Authentication(methods={method}, at=ISSUED - timedelta(minutes=30)),)

    def test_amr_table(self) -> None:
        """The documented table: password, federated, SMS, voice and FIDO2 only."""
        assert dict(AMR_METHODS) == {"pwd": "password", "fed": "federatedSingleFactor",
                                     "sms": "sms", "tel": "voice", "fido": "fido2"}

    @pytest.mark.parametrize("amr", ["rsa", "otp", "wia", "mfa", "ngcmfa", "wiaormfa", "hwk",
                                     "swk", "sc", "pin", "none", "unknown"])
    def test_unmapped_amr_values_are_left_out(self, amr: str) -> None:
        """Ambiguous values and indicators are not guessed into a method."""
        assert session_from_token_claims(token(amr=[amr])).authentications == ()

    def test_mixed_amr_keeps_the_mapped_values(self) -> None:
        """``["pwd", "rsa", "mfa"]`` (password and Authenticator) gives the password."""
        session = session_from_token_claims(token(amr=["pwd", "rsa", "mfa"]))
        assert [a.methods for a in session.authentications] == [{"password"}]

    def test_no_authentication_without_auth_time(self) -> None:
        """When the methods were used is unknown without ``auth_time``: none counts."""
        assert session_from_token_claims(token(auth_time=None)).authentications == ()

    def test_network_device_and_client(self) -> None:
        """``ipaddr``, ``deviceid`` and ``azp`` become the IP, device and application."""
        session = session_from_token_claims(token(ipaddr="203.0.113.7", deviceid="d-1",
                                                  azp="client-app"))
        assert (session.ip_address, session.device, session.application_id) == (
            "203.0.113.7", Device(device_id="d-1"), "client-app")

    def test_no_device_claim_is_an_unregistered_device(self) -> None:
        """Without ``deviceid`` the device is unregistered (entra-facts §7.4)."""
        assert session_from_token_claims(token()).device is None

    @pytest.mark.parametrize("xms_cc", [["cp1"], ["CP1"], ["other", "Cp1"], "cp1"])
    def test_cp1_means_claims_challenges(self, xms_cc: object) -> None:
        """``xms_cc`` holding ``cp1`` in any case or order (entra-facts §2.2)."""
        assert session_from_token_claims(token(xms_cc=xms_cc)).supports_claims_challenge

    @pytest.mark.parametrize("xms_cc", [None, [], ["cp2"]])
    def test_no_cp1_no_claims_challenges(self, xms_cc: object) -> None:
        """Without ``cp1`` the client cannot take a claims challenge."""
        assert not session_from_token_claims(token(xms_cc=xms_cc)).supports_claims_challenge

    def test_app_only_token_cannot_step_up(self) -> None:
        """An app-only token has no user to prompt, ``cp1`` or not (entra-facts §2.5)."""
        assert not session_from_token_claims(token(idtyp="app")).supports_claims_challenge

    @pytest.mark.parametrize(("claim", "value"), [
        ("iat", "yesterday"), ("iat", True), ("auth_time", [1]), ("wids", 5),
        ("groups", [1, 2]), ("oid", 7), ("xms_cc", {"values": ["cp1"]}),
    ])
    def test_error_names_the_claim(self, claim: str, value: object) -> None:
        """A claim of the wrong type is an error naming that claim."""
        with pytest.raises(InvalidModelError) as info:
            session_from_token_claims(token(**{claim: value}))
        assert info.value.field == f"token_claims.{claim}"

    def test_error_when_not_a_mapping(self) -> None:
        """Claims are a mapping."""
        with pytest.raises(InvalidModelError):
            session_from_token_claims(["oid"])  # type: ignore[arg-type]


class TestAllow:
    """The token's ``acrs`` lists the contexts whose policies were satisfied when it
    was issued (entra-facts §2.3)."""

    @pytest.mark.parametrize("acrs", [["c10"], ["c1", "c10"], ["C10"], "c10"])
    def test_token_carrying_the_context_is_allowed(self, tenant: Tenant, acrs: object) -> None:
        """The context in ``acrs`` (any case, among others) allows the action."""
        decision = check(tenant, acrs=acrs)
        assert decision.outcome is Outcome.ALLOW
        assert decision.codes == (ReasonCode.ALL_POLICIES_SATISFIED,)
        assert (decision.context_id, decision.challenge) == ("c10", None)

    def test_allowed_without_cp1(self, tenant: Tenant) -> None:
        """A client that never steps up still passes with the context in its token."""
        assert check(tenant, acrs=["c10"], xms_cc=None).allowed

    def test_allow_rests_on_the_token_alone(self, tenant: Tenant) -> None:
        """No what-if trace: the token's evidence decides."""
        assert check(tenant, acrs=["c10"], amr=None).policies == ()

    def test_unprotected_action_needs_no_context(self, tenant: Tenant) -> None:
        """An action no context protects is allowed, whatever the token says."""
        decision = check_token(tenant, token(xms_cc=None), "contoso.payroll/payments/read")
        assert decision.outcome is Outcome.ALLOW
        assert decision.codes == (ReasonCode.NOT_PROTECTED,)


class TestChallenge:
    """No context in ``acrs`` and a ``cp1`` client: the claims challenge
    (entra-facts §2.2, §2.3; the developer-guide sample)."""

    def test_challenge_for_the_context(self, tenant: Tenant) -> None:
        """The challenge asks for ``c10``: the documented JSON and its base64."""
        decision = check(tenant)
        assert decision.outcome is Outcome.CHALLENGE
        assert decision.challenge is not None
        assert decision.challenge.acrs == ("c10",)
        assert decision.challenge.claims == C10_CLAIMS
        assert decision.challenge.claims_base64 == C10_BASE64
        assert base64.b64decode(C10_BASE64).decode() == C10_CLAIMS

    def test_www_authenticate_header(self, tenant: Tenant) -> None:
        """The header is the documented 401 format, byte for byte (entra-facts §2.2)."""
        decision = check(tenant)
        assert decision.challenge is not None
        assert decision.challenge.www_authenticate() == (
            'Bearer realm="", '
            'authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", '
            f'error="insufficient_claims", claims="{C10_BASE64}"')

    def test_other_contexts_do_not_count(self, tenant: Tenant) -> None:
        """``acrs`` carrying only other contexts is no evidence for ``c10``."""
        decision = check(tenant, acrs=["c1", "c3"])
        assert decision.challenged
        assert "it carries c1, c3" in decision.reasons[0].message

    def test_requirements_from_the_token_facts(self, tenant: Tenant) -> None:
        """A password-only token: the step-up will ask for MFA (policy on ``c10``)."""
        decision = check(tenant)
        assert decision.challenge is not None
        assert [(r.policy_id, [c.kind.value for c in r.any_of])
                for r in decision.challenge.requirements] == [(C10_POLICY, ["mfa"])]
        assert decision.codes == (ReasonCode.STEP_UP_REQUIRED, ReasonCode.STEP_UP_REQUIRED)

    def test_fresh_mfa_still_needs_the_context(self, tenant: Tenant) -> None:
        """Password and SMS 30 minutes ago satisfy the policy, yet the token lacks the
        context: challenged, with nothing left to prompt for (entra-facts §2.6)."""
        decision = check(tenant, amr=["pwd", "sms", "mfa"])
        assert decision.challenged
        assert decision.challenge is not None
        assert decision.challenge.requirements == ()
        assert "no prompt is expected" in decision.reasons[0].message

    def test_time_is_the_parameter(self, tenant: Tenant) -> None:
        """The same MFA five hours later is outside the 4-hour sign-in frequency."""
        claims = token(amr=["pwd", "sms"])
        fresh = check_token(tenant, claims, APPROVE)
        late = check_token(tenant, claims, APPROVE, at=ISSUED + timedelta(hours=5))
        assert fresh.challenge is not None and late.challenge is not None
        assert fresh.challenge.requirements == ()
        assert [r.policy_id for r in late.challenge.requirements] == [C10_POLICY]

    def test_at_defaults_to_iat(self, tenant: Tenant) -> None:
        """No ``at`` is the same as ``at`` = the token's issue time."""
        assert check_token(tenant, token(), APPROVE) == \
            check_token(tenant, token(), APPROVE, at=ISSUED)

    def test_blocking_policy_is_reported(self, tenant: Tenant) -> None:
        """The what-if's block (an untrusted network for ``c3``) is a reason next to
        the challenge: Entra decides with the facts of the new sign-in."""
        decision = check_token(tenant, token(ipaddr=BRANCH_OFFICE_IP),
                               "microsoft.directory/namedLocations/create")
        assert decision.challenged
        assert ReasonCode.BLOCKED_BY_POLICY in decision.codes

    def test_unknown_user_is_evaluated_on_the_token(self, tenant: Tenant) -> None:
        """A user the tenant does not list is judged on the token's facts alone."""
        decision = check(tenant, oid="00000000-aaaa-4bbb-8ccc-000000000099")
        assert decision.challenged
        assert decision.user_id == "00000000-aaaa-4bbb-8ccc-000000000099"

    def test_deterministic(self, tenant: Tenant) -> None:
        """The same token gives an equal decision."""
        assert check(tenant) == check(tenant)


class TestDeny:
    """No context and no way to step up: deny (the developer-guide sample)."""

    @pytest.mark.parametrize("xms_cc", [None, [], ["cp2"]])
    def test_client_without_cp1(self, tenant: Tenant, xms_cc: object) -> None:
        """Without ``cp1`` the client cannot take a claims challenge (entra-facts §2.2)."""
        decision = check(tenant, xms_cc=xms_cc)
        assert decision.outcome is Outcome.DENY
        assert decision.codes == (ReasonCode.CLIENT_CANNOT_STEP_UP,)
        assert decision.challenge is None
        assert "multifactor authentication" in decision.reasons[0].message

    def test_app_only_token(self, tenant: Tenant) -> None:
        """App-only tokens cannot carry auth contexts (entra-facts §2.5)."""
        decision = check(tenant, idtyp="app")
        assert decision.codes == (ReasonCode.CLIENT_CANNOT_STEP_UP,)
        assert "app-only" in decision.reasons[0].message

    def test_context_no_enabled_policy_targets(self, tenant: Tenant) -> None:
        """A directory permission whose context only a report-only policy targets is
        never satisfied, whatever the token claims (entra-facts §1.3)."""
        decision = check_token(tenant, token(acrs=["c4"]), CROSS_TENANT_CREATE)
        assert decision.outcome is Outcome.DENY
        assert decision.codes == (ReasonCode.CONTEXT_NOT_ENFORCED,)

    def test_malformed_action(self, tenant: Tenant) -> None:
        """A malformed action raises, as ``evaluate`` does."""
        with pytest.raises(InvalidPermissionError):
            check_token(tenant, token(), "approve payments")

    def test_authorization_is_the_apis_job(self, tenant: Tenant) -> None:
        """Roles are not checked: a token without any role is judged on the context."""
        decision = check_token(tenant, token(oid="someone-else", acrs=["c1"]), CA_CREATE)
        assert decision.allowed
