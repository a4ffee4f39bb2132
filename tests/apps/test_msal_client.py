"""``examples/msal_client.py`` end to end: the real MSAL Python against a stubbed
Entra (MSAL's ``http_client`` hook, and a stand-in browser that completes the auth
code flow on MSAL's own local redirect server), calling the Flask example API over
real HTTP: 401 with the challenge, a new token requested with the claims, then 200
(https://learn.microsoft.com/entra/identity-platform/claims-challenge)."""

from __future__ import annotations

import importlib.util
import json
import threading
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from tests.apps import C10_CLAIMS, ERIN, token
from tests.apps.servers import serve_wsgi, unsigned_jwt

from protected_actions.samples import sample_tenant

msal = pytest.importorskip("msal", reason="the MSAL example needs the 'msal' extra")
httpx = pytest.importorskip("httpx", reason="the MSAL example calls the API with httpx")
pytest.importorskip("flask", reason="the API is the Flask example")

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
AUTHORITY = "https://login.microsoftonline.com/organizations"
CLIENT_ID = "11111111-2222-4333-8444-555555555555"
OPENID_CONFIGURATION = {
    "issuer": "https://login.microsoftonline.com/{tenantid}/v2.0",
    "authorization_endpoint": f"{AUTHORITY}/oauth2/v2.0/authorize",
    "token_endpoint": f"{AUTHORITY}/oauth2/v2.0/token",
}


def load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"{name}_example", EXAMPLES / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class StubResponse:
    """The parts of a ``requests.Response`` MSAL reads."""

    def __init__(self, payload: dict[str, Any]) -> None:
        self.status_code = 200
        self.text = json.dumps(payload)
        self.headers: dict[str, str] = {}

    def raise_for_status(self) -> None:
        """Every stubbed answer is a success."""


class StubEntra:
    """Discovery, and a token endpoint that issues Erin's token, with ``acrs`` when the
    request's claims ask for an auth context (as Entra does once the user satisfied
    the policies)."""

    def __init__(self) -> None:
        self.token_requests: list[dict[str, Any]] = []

    def get(self, url: str, params: Any = None, headers: Any = None,
            **kwargs: Any) -> StubResponse:
        if url.endswith("/.well-known/openid-configuration"):
            return StubResponse(OPENID_CONFIGURATION)
        if "/discovery/instance" in url:
            return StubResponse({
                "tenant_discovery_endpoint":
                    f"{AUTHORITY}/v2.0/.well-known/openid-configuration",
                "metadata": [{"preferred_network": "login.microsoftonline.com",
                              "preferred_cache": "login.windows.net",
                              "aliases": ["login.microsoftonline.com", "login.windows.net"]}]})
        raise AssertionError(f"unexpected GET {url}")

    def post(self, url: str, params: Any = None, data: Any = None, headers: Any = None,
             **kwargs: Any) -> StubResponse:
        assert url == OPENID_CONFIGURATION["token_endpoint"], url
        assert data["grant_type"] == "authorization_code"
        assert data["code"] == "the-code"
        self.token_requests.append(dict(data))
        claims = json.loads(data.get("claims", "{}"))
        acrs = claims.get("access_token", {}).get("acrs", {}).get("value")
        access = unsigned_jwt(token(acrs=[acrs] if acrs else None))
        return StubResponse({"access_token": access, "token_type": "Bearer",
                             "expires_in": 3600, "scope": " ".join(load_scopes())})

    def close(self) -> None:
        """Nothing to close."""


def load_scopes() -> list[str]:
    return ["api://contoso-payroll/Payments.Approve"]


def stand_in_browser(auth_uri: str, *args: Any, **kwargs: Any) -> bool:
    """Instead of a browser: the user signs in and Entra posts the code to MSAL's
    local redirect server (``response_mode=form_post``)."""
    query = {k: v[0] for k, v in parse_qs(urlsplit(auth_uri).query).items()}
    assert query["response_mode"] == "form_post"

    def post_code() -> None:
        httpx.post(query["redirect_uri"], data={"code": "the-code", "state": query["state"]})

    threading.Thread(target=post_code, daemon=True).start()
    return True


def test_401_then_step_up_then_200(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("webbrowser.open", stand_in_browser)
    client_example = load("msal_client")
    entra = StubEntra()
    app = client_example.make_app(CLIENT_ID, authority=AUTHORITY, http_client=entra)
    api = load("flask_api").create_app(sample_tenant())  # demo mode: unsigned tokens
    with serve_wsgi(api) as url, httpx.Client() as http:
        response = client_example.approve_payment(app, url, "p-42", http=http)
    assert response.status_code == 200, response.text
    assert response.json() == {"payment": "p-42", "status": "approved", "approvedBy": ERIN}
    first, second = entra.token_requests
    # The first sign-in carries only the client capability; the second the challenge's
    # claims, merged by MSAL with the capability.
    assert json.loads(first["claims"]) == {"access_token": {"xms_cc": {"values": ["CP1"]}}}
    assert json.loads(second["claims"]) == {"access_token": {
        **json.loads(C10_CLAIMS)["access_token"], "xms_cc": {"values": ["CP1"]}}}


def test_a_401_without_a_claims_challenge_is_returned(monkeypatch: pytest.MonkeyPatch) -> None:
    """A 401 that is not an insufficient_claims challenge is not retried."""
    monkeypatch.setattr("webbrowser.open", stand_in_browser)
    client_example = load("msal_client")
    entra = StubEntra()
    app = client_example.make_app(CLIENT_ID, authority=AUTHORITY, http_client=entra)
    api = load("flask_api").create_app(sample_tenant(), lambda request: {})  # invalid token
    with serve_wsgi(api) as url, httpx.Client() as http:
        response = client_example.approve_payment(app, url, "p-42", http=http)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="", error="invalid_token"'
    assert len(entra.token_requests) == 1
