"""The Flask example API (``examples/flask_api.py``), driven by Flask's own test client:
401 with the claims challenge, then 200 with a token carrying the context
(entra-facts §2.2, §2.3)."""

from __future__ import annotations

import base64
import importlib.util
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import pytest
from tests.apps import C10_BASE64, C10_CLAIMS, ERIN, token
from tests.apps.servers import serve_wsgi, unsigned_jwt

from protected_actions.samples import sample_tenant

pytest.importorskip("flask", reason="the Flask example needs the 'flask' extra")

if TYPE_CHECKING:
    from flask import Flask, Request
    from flask.testing import FlaskClient

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "flask_api.py"
CLAIMS_HEADER = "X-Test-Claims"
URL = "/payments/p-42/approve"
CHALLENGE = (
    'Bearer realm="", '
    'authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", '
    f'error="insufficient_claims", claims="{C10_BASE64}"')


def load_example() -> ModuleType:
    """``examples/flask_api.py`` as a module (examples are not a package)."""
    spec = importlib.util.spec_from_file_location("flask_api_example", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def claims_from_test_header(request: Request) -> Mapping[str, Any] | None:
    """Test stub for token validation: the claims are JSON in a test header."""
    raw = request.headers.get(CLAIMS_HEADER)
    return None if raw is None else dict(json.loads(raw))


def make_app(**options: Any) -> Flask:
    """The example app for the sample tenant, with the header stub."""
    app: Flask = load_example().create_app(sample_tenant(), claims_from_test_header, **options)
    return app


@pytest.fixture(scope="module")
def client() -> FlaskClient:
    """A test client of the example app."""
    return make_app().test_client()


def approve(client: FlaskClient, **claims: Any) -> Any:
    """POST the approval with Erin's token, claims replaced."""
    return client.post(URL, headers={CLAIMS_HEADER: json.dumps(token(**claims))})


class TestApprovePayment:
    """``POST /payments/<id>/approve`` needs ``c10`` in the token."""

    def test_challenge_is_401_with_the_exact_header(self, client: FlaskClient) -> None:
        """No ``acrs``, ``cp1`` client: 401 and the documented ``WWW-Authenticate``."""
        response = approve(client)
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"] == CHALLENGE
        assert response.get_json() == {"error": "insufficient_claims", "claims": C10_CLAIMS}

    def test_step_up_then_allowed(self, client: FlaskClient) -> None:
        """The client requests the claims from the header; the new token carries
        ``c10`` and the same request succeeds."""
        header = approve(client).headers["WWW-Authenticate"]
        claims = json.loads(base64.b64decode(header.rsplit('claims="', 1)[1].rstrip('"')))
        assert claims == {"access_token": {"acrs": {"essential": True, "value": "c10"}}}
        response = approve(client, acrs=[claims["access_token"]["acrs"]["value"]])
        assert response.status_code == 200
        assert response.get_json() == {"payment": "p-42", "status": "approved",
                                       "approvedBy": ERIN}

    def test_client_without_cp1_is_forbidden(self, client: FlaskClient) -> None:
        """A client that cannot take a claims challenge gets 403 and the reason code."""
        response = approve(client, xms_cc=None)
        assert response.status_code == 403
        assert response.get_json() == {"error": "forbidden",
                                       "reasons": ["CLIENT_CANNOT_STEP_UP"]}
        assert "WWW-Authenticate" not in response.headers

    def test_no_token(self, client: FlaskClient) -> None:
        """No token at all: 401 with a bare Bearer challenge (RFC 6750)."""
        response = client.post(URL)
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"] == 'Bearer realm=""'

    def test_claims_without_a_user(self, client: FlaskClient) -> None:
        """Claims naming no user are an invalid token."""
        response = approve(client, oid=None, sub=None)
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"] == 'Bearer realm="", error="invalid_token"'

    def test_tenant_endpoint_and_client_id(self) -> None:
        """A tenant's authorize endpoint, its realm and the API's client id go into the
        header, with ``cc_type="authcontext"`` (entra-facts §2.2)."""
        uri = "https://login.microsoftonline.com/contoso.example/oauth2/v2.0/authorize"
        app = make_app(authorization_uri=uri, realm="contoso.example", client_id="api-client")
        response = app.test_client().post(URL, headers={CLAIMS_HEADER: json.dumps(token())})
        assert response.headers["WWW-Authenticate"] == (
            f'Bearer realm="contoso.example", authorization_uri="{uri}", '
            'client_id="api-client", cc_type="authcontext", '
            f'error="insufficient_claims", claims="{C10_BASE64}"')


# -- runnable as shipped: `flask --app examples/flask_api run` and `python examples/flask_api.py`

ROOT = EXAMPLE.parents[1]


def _environment(**extra: str) -> dict[str, str]:
    """This checkout's ``src`` first on the path, so the subprocess runs this code."""
    paths = [str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in paths if p), **extra}


def _bearer(**claims: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {unsigned_jwt(token(**claims))}"}


def test_flask_cli_finds_the_app() -> None:
    """``flask --app examples/flask_api`` calls ``create_app()`` with no arguments."""
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "examples/flask_api", "routes"],
        cwd=ROOT, env=_environment(), capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert "/payments/<payment_id>/approve" in result.stdout


def test_demo_app_over_real_http() -> None:
    """The no-argument app (sample tenant, demo tokens) on werkzeug, called with httpx."""
    httpx = pytest.importorskip("httpx")
    with serve_wsgi(load_example().create_app()) as url, httpx.Client(base_url=url) as http:
        first = http.post(URL, headers=_bearer())
        assert first.status_code == 401
        assert first.headers["WWW-Authenticate"] == CHALLENGE
        second = http.post(URL, headers=_bearer(acrs=["c10"]))
        assert second.status_code == 200
        assert second.json()["approvedBy"] == ERIN


def test_python_runs_the_server() -> None:
    """``python examples/flask_api.py`` serves on ``PORT``."""
    httpx = pytest.importorskip("httpx")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen([sys.executable, str(EXAMPLE)], cwd=ROOT,
                               env=_environment(PORT=str(port)),
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        url = f"http://127.0.0.1:{port}{URL}"
        response = None
        for _ in range(300):  # readiness: until the server accepts, or it has exited
            if process.poll() is not None:
                error = process.stderr.read() if process.stderr else ""
                pytest.fail(f"the example exited: {error}")
            try:
                response = httpx.post(url, headers=_bearer())
                break
            except httpx.TransportError:
                time.sleep(0.05)
        assert response is not None
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"] == CHALLENGE
        assert httpx.post(url, headers=_bearer(acrs=["c10"])).status_code == 200
    finally:
        process.terminate()
        process.wait()
        if process.stderr:
            process.stderr.close()
