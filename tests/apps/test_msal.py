"""The challenge handed to the real MSAL Python: ``claims_challenge`` takes the decoded
JSON, and the authorization URL carries it URL-encoded (entra-facts §2.2, §2.4).

Only MSAL's HTTP client is stubbed: it answers OpenID (and instance) discovery
offline and refuses anything else.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from tests.apps import APPROVE, C10_CLAIMS, token

from protected_actions import Challenge
from protected_actions.apps.claims import check_token
from protected_actions.samples import sample_tenant

msal = pytest.importorskip("msal", reason="the MSAL test needs the 'msal' extra")

AUTHORITY = "https://login.microsoftonline.com/common"
CLIENT_ID = "11111111-2222-4333-8444-555555555555"
SCOPES = ["api://contoso-payroll/Payments.Approve"]
REDIRECT_URI = "http://localhost:8400/callback"
# entra-facts §2.2, client side step 2: the documented URL-encoded claims for c1.
DOCUMENTED_C1_PARAMETER = ("claims=%7B%22access_token%22%3A%7B%22acrs%22%3A%7B%22essential"
                           "%22%3Atrue%2C%22value%22%3A%22c1%22%7D%7D%7D")
OPENID_CONFIGURATION = {
    "issuer": "https://login.microsoftonline.com/{tenantid}/v2.0",
    "authorization_endpoint": f"{AUTHORITY}/oauth2/v2.0/authorize",
    "token_endpoint": f"{AUTHORITY}/oauth2/v2.0/token",
    "device_authorization_endpoint": f"{AUTHORITY}/oauth2/v2.0/devicecode",
}


class StubResponse:
    """The parts of a ``requests.Response`` MSAL reads."""

    def __init__(self, payload: dict[str, Any], status_code: int = 200) -> None:
        self.status_code = status_code
        self.text = json.dumps(payload)
        self.headers: dict[str, str] = {}

    def raise_for_status(self) -> None:
        """Never raises: every stubbed answer is a success."""


class OfflineHttpClient:
    """An ``http_client`` for MSAL that answers discovery and records every request."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str]] = []

    def get(self, url: str, params: Any = None, headers: Any = None,
            **kwargs: Any) -> StubResponse:
        """OpenID configuration and instance discovery; anything else fails the test."""
        self.requests.append(("GET", url))
        if url.endswith("/v2.0/.well-known/openid-configuration"):
            return StubResponse(OPENID_CONFIGURATION)
        if "/discovery/instance" in url:
            return StubResponse({"tenant_discovery_endpoint":
                                 f"{AUTHORITY}/v2.0/.well-known/openid-configuration"})
        raise AssertionError(f"unexpected GET {url}")

    def post(self, url: str, params: Any = None, data: Any = None, headers: Any = None,
             **kwargs: Any) -> StubResponse:
        """No token request may happen while building an authorization URL."""
        raise AssertionError(f"unexpected POST {url}")

    def close(self) -> None:
        """Nothing to close."""


def challenge_for(action: str, **claims: Any) -> Challenge:
    """The challenge ``check_token`` gives for Erin's token on ``action``."""
    decision = check_token(sample_tenant(), token(**claims), action)
    assert decision.challenge is not None
    return decision.challenge


def authorization_url(claims_challenge: str | None, **options: Any
                      ) -> tuple[str, list[tuple[str, str]]]:
    """MSAL's authorization URL for the claims challenge, and the HTTP requests it made."""
    http = OfflineHttpClient()
    app = msal.PublicClientApplication(CLIENT_ID, authority=AUTHORITY, http_client=http,
                                       **options)
    flow = app.initiate_auth_code_flow(SCOPES, redirect_uri=REDIRECT_URI,
                                       response_mode="form_post",
                                       claims_challenge=claims_challenge)
    return str(flow["auth_uri"]), http.requests


def claims_parameter(url: str) -> str:
    """The decoded ``claims`` query parameter of an authorization URL."""
    values = parse_qs(urlsplit(url).query)["claims"]
    assert len(values) == 1
    return values[0]


class TestMsal:
    """``Challenge.msal_claims_challenge`` is what MSAL's ``claims_challenge`` takes."""

    def test_claims_reach_the_authorization_url(self) -> None:
        """The claims request for ``c10`` is in the URL, URL-encoded, unchanged."""
        challenge = challenge_for(APPROVE)
        assert challenge.msal_claims_challenge == C10_CLAIMS
        url, _ = authorization_url(challenge.msal_claims_challenge)
        assert url.startswith(OPENID_CONFIGURATION["authorization_endpoint"] + "?")
        assert claims_parameter(url) == C10_CLAIMS

    def test_documented_url_encoding(self) -> None:
        """For ``c1`` the URL holds the documented encoded parameter byte for byte."""
        challenge = challenge_for("microsoft.directory/conditionalAccessPolicies/create")
        assert challenge.acrs == ("c1",)
        url, _ = authorization_url(challenge.msal_claims_challenge)
        assert DOCUMENTED_C1_PARAMETER in urlsplit(url).query.split("&")

    def test_client_capabilities_are_merged(self) -> None:
        """With ``client_capabilities=["CP1"]`` MSAL adds ``xms_cc`` next to ``acrs``
        (entra-facts §2.2, §2.4)."""
        url, _ = authorization_url(challenge_for(APPROVE).msal_claims_challenge,
                                   client_capabilities=["CP1"])
        assert json.loads(claims_parameter(url)) == {"access_token": {
            "acrs": {"essential": True, "value": "c10"}, "xms_cc": {"values": ["CP1"]}}}

    def test_offline(self) -> None:
        """Only discovery went over the (stubbed) wire."""
        _, requests = authorization_url(challenge_for(APPROVE).msal_claims_challenge)
        assert requests
        assert all(method == "GET" and ("openid-configuration" in url or "discovery" in url)
                   for method, url in requests)
