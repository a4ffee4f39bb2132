"""The claims challenge: JSON, base64, ``WWW-Authenticate`` and MSAL (entra-facts §2.2, §2.4)."""

from __future__ import annotations

import base64
import json
import re
from urllib.parse import quote

import pytest
from tests.helpers import check, policy, session, tenant

from protected_actions import Challenge, InvalidModelError, Outcome, Requirement

C1_CLAIMS = '{"access_token":{"acrs":{"essential":true,"value":"c1"}}}'
C1_BASE64 = "eyJhY2Nlc3NfdG9rZW4iOnsiYWNycyI6eyJlc3NlbnRpYWwiOnRydWUsInZhbHVlIjoiYzEifX19"
AUTHORIZE = "https://login.microsoftonline.com/common/oauth2/authorize"
# entra-facts §2.2: the documented example header (claims-challenge.md).
DOCUMENTED_HEADER = (
    'www-authenticate =Bearer realm="", '
    'authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", '
    'error="insufficient_claims", '
    'claims="eyJhY2Nlc3NfdG9rZW4iOnsiYWNycyI6eyJlc3NlbnRpYWwiOnRydWUsInZhbHVlIjoiY3AxIn19fQ=="')
DOCUMENTED_CP1_CLAIMS = '{"access_token":{"acrs":{"essential":true,"value":"cp1"}}}'


def challenge(*acrs: str) -> Challenge:
    """A challenge for ``acrs`` with no requirements."""
    return Challenge(acrs=acrs, requirements=())


def header_parameters(header: str) -> dict[str, str]:
    """The quoted parameters of a ``WWW-Authenticate`` header value."""
    return dict(re.findall(r'(\w+)="([^"]*)"', header))


class TestClaims:
    """The claims request JSON and its base64."""

    def test_c1_claims_json(self) -> None:
        """The claims for ``c1`` are the documented minified JSON, byte for byte."""
        # entra-facts §2.2
        assert challenge("c1").claims == C1_CLAIMS

    def test_c1_claims_base64(self) -> None:
        """The base64 for ``c1`` is the documented string, with no padding."""
        # entra-facts §2.2: 57 bytes of JSON, so no '=' padding.
        assert challenge("c1").claims_base64 == C1_BASE64
        assert len(C1_CLAIMS.encode()) == 57

    def test_documented_cp1_example_decodes(self) -> None:
        """The documented cp1 header's claims decode to the documented JSON."""
        # entra-facts §2.2: "this base64 decodes to {"access_token":...cp1...}".
        claims = header_parameters(DOCUMENTED_HEADER)["claims"]
        assert base64.b64decode(claims).decode() == DOCUMENTED_CP1_CLAIMS

    def test_documented_cp1_example_reproduced(self) -> None:
        """Encoding the cp1 example gives the documented base64, padding included."""
        # entra-facts §2.2
        c = challenge("cp1")
        assert c.claims == DOCUMENTED_CP1_CLAIMS
        assert c.claims_base64 == header_parameters(DOCUMENTED_HEADER)["claims"]

    def test_standard_base64_alphabet(self) -> None:
        """The base64 is standard (not URL-safe), as in the developer-guide sample."""
        # entra-facts §2.2: Convert.ToBase64String, standard base64.
        encoded = challenge("c99").claims_base64
        assert encoded is not None
        assert encoded == base64.b64encode(challenge("c99").claims.encode()).decode()  # type: ignore[union-attr]

    @pytest.mark.parametrize("context_id", ["c1", "c25", "c37", "c99"])
    def test_claims_round_trip(self, context_id: str) -> None:
        """Decoding the base64 gives the claims JSON naming the context as essential."""
        c = challenge(context_id)
        assert c.claims_base64 is not None
        decoded = json.loads(base64.b64decode(c.claims_base64))
        assert decoded == {"access_token": {"acrs": {"essential": True, "value": context_id}}}

    def test_url_encoded_for_authorize(self) -> None:
        """URL-encoding the claims gives the documented ``claims=`` parameter."""
        # entra-facts §2.2, client side step 2.
        assert quote(C1_CLAIMS, safe="") == (
            "%7B%22access_token%22%3A%7B%22acrs%22%3A%7B%22essential%22%3Atrue%2C%22value"
            "%22%3A%22c1%22%7D%7D%7D")
        assert quote(challenge("c1").claims or "", safe="") == quote(C1_CLAIMS, safe="")

    def test_sign_in_challenge_has_no_claims(self) -> None:
        """A challenge with no auth context has no claims."""
        c = challenge()
        assert c.claims is None
        assert c.claims_base64 is None
        assert c.msal_claims_challenge is None


class TestWwwAuthenticate:
    """The header of the 401 response (entra-facts §2.2)."""

    def test_exact_header(self) -> None:
        """The header is exactly the documented form for the common endpoint."""
        assert challenge("c1").www_authenticate() == (
            f'Bearer realm="", authorization_uri="{AUTHORIZE}", '
            f'error="insufficient_claims", claims="{C1_BASE64}"')

    def test_exact_header_with_client_id(self) -> None:
        """``client_id`` adds the developer guide's ``client_id`` and ``cc_type``."""
        # entra-facts §2.2: the sample also sends client_id and cc_type="authcontext".
        assert challenge("c1").www_authenticate(client_id="api-client-id") == (
            f'Bearer realm="", authorization_uri="{AUTHORIZE}", '
            f'client_id="api-client-id", cc_type="authcontext", '
            f'error="insufficient_claims", claims="{C1_BASE64}"')

    def test_tenant_realm_and_authorize_endpoint(self) -> None:
        """A tenant realm and its authorize endpoint are used as given."""
        uri = "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/authorize"
        header = challenge("c1").www_authenticate(realm="contoso.onmicrosoft.com",
                                                  authorization_uri=uri)
        assert header_parameters(header) == {
            "realm": "contoso.onmicrosoft.com", "authorization_uri": uri,
            "error": "insufficient_claims", "claims": C1_BASE64}

    def test_every_parameter_once(self) -> None:
        """Each parameter appears once, in the one header."""
        # entra-facts §2.2: fields in the same header, each parameter once (RFC 7235).
        header = challenge("c1").www_authenticate(client_id="x")
        names = re.findall(r'(\w+)="', header)
        assert sorted(names) == sorted(set(names))
        assert header.startswith("Bearer ")

    def test_sign_in_challenge_has_no_header(self) -> None:
        """A challenge without an auth context cannot be put in a header: the
        library's own error, which is still a ValueError."""
        # https://learn.microsoft.com/en-us/entra/identity-platform/claims-challenge:
        # claims is required when error="insufficient_claims".
        with pytest.raises(InvalidModelError, match="sign-in challenge") as info:
            challenge().www_authenticate()
        assert isinstance(info.value, ValueError)
        assert info.value.field == "Challenge.acrs"


class TestMsal:
    """MSAL Python's ``claims_challenge`` (entra-facts §2.4)."""

    def test_msal_takes_the_decoded_json(self) -> None:
        """``msal_claims_challenge`` is the decoded JSON string, not base64."""
        # entra-facts §2.4: pass the decoded JSON string.
        c = challenge("c1")
        assert c.msal_claims_challenge == C1_CLAIMS
        assert c.msal_claims_challenge != c.claims_base64


class TestChallengeFromEvaluation:
    """The challenge a decision carries."""

    def test_challenge_names_the_protecting_context(self) -> None:
        """The challenge asks for the context protecting the action."""
        d = check(tenant(policy(contexts=("c37",)), contexts=("c37",),
                         protected=[("microsoft.directory/conditionalAccessPolicies/create",
                                     "c37")]), session())
        assert d.outcome is Outcome.CHALLENGE
        assert d.challenge is not None
        assert d.challenge.acrs == ("c37",)
        assert d.challenge.claims == '{"access_token":{"acrs":{"essential":true,"value":"c37"}}}'

    def test_challenge_carries_the_requirements(self) -> None:
        """The challenge lists what the user will be asked for."""
        d = check(tenant(policy()), session())
        assert d.challenge is not None
        (requirement,) = d.challenge.requirements
        assert isinstance(requirement, Requirement)
        assert requirement.describe() == "multifactor authentication (policy p1)"
        assert requirement.is_interactive

    def test_to_dict(self) -> None:
        """``to_dict`` holds the contexts, claims, base64 and requirements, JSON-ready."""
        d = check(tenant(policy()), session())
        assert d.challenge is not None
        data = d.challenge.to_dict()
        assert json.loads(json.dumps(data)) == data
        assert data["acrs"] == ["c1"]
        assert data["claims"] == C1_CLAIMS
        assert data["claimsBase64"] == C1_BASE64
        assert data["requirements"] == [{"policyId": "p1", "anyOf": [
            {"kind": "mfa", "detail": None, "message": "multifactor authentication"}]}]

    def test_no_challenge_unless_challenged(self) -> None:
        """Allow and deny decisions carry no challenge."""
        assert check(tenant(policy(controls=("block",))), session()).challenge is None
        assert check(tenant(policy(controls=())), session()).challenge is None
