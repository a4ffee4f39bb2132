"""The FastAPI example (``examples/fastapi_api.py``): the ``require_step_up``
dependency answers 401 with the exact challenge, then the route runs once the token
carries the context (https://learn.microsoft.com/entra/identity-platform/claims-challenge)."""

from __future__ import annotations

import importlib.util
import json
import warnings
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from tests.apps import C10_BASE64, C10_CLAIMS, ERIN, token
from tests.apps.servers import serve_asgi, unsigned_jwt

from protected_actions.samples import sample_tenant

pytest.importorskip("fastapi", reason="the FastAPI example needs the 'fastapi' extra")
httpx = pytest.importorskip("httpx", reason="the HTTP test needs httpx")

with warnings.catch_warnings():  # newer Starlette asks for httpx2 but still works with httpx
    warnings.filterwarnings("ignore", message=r"Using `httpx` with `starlette\.testclient`")
    from fastapi.testclient import TestClient

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "fastapi_api.py"
URL = "/payments/p-42/approve"
CHALLENGE = (
    'Bearer realm="", '
    'authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", '
    f'error="insufficient_claims", claims="{C10_BASE64}"')


def load_example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("fastapi_api_example", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def bearer(**claims: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {unsigned_jwt(token(**claims))}"}


@pytest.fixture(scope="module")
def app() -> Any:
    return load_example().create_app(sample_tenant())


class TestTestClient:
    def test_challenge_then_allowed(self, app: Any) -> None:
        client = TestClient(app)
        first = client.post(URL, headers=bearer())
        assert first.status_code == 401
        assert first.headers["WWW-Authenticate"] == CHALLENGE
        assert first.json() == {"detail": {"error": "insufficient_claims", "claims": C10_CLAIMS}}
        second = client.post(URL, headers=bearer(acrs=["c10"]))
        assert second.status_code == 200
        assert second.json() == {"payment": "p-42", "status": "approved", "approvedBy": ERIN}

    def test_no_token_and_no_cp1(self, app: Any) -> None:
        client = TestClient(app)
        none = client.post(URL)
        assert (none.status_code, none.headers["WWW-Authenticate"]) == (401, 'Bearer realm=""')
        forbidden = client.post(URL, headers=bearer(xms_cc=None))
        assert forbidden.status_code == 403
        assert forbidden.json() == {"detail": {"error": "forbidden",
                                               "reasons": ["CLIENT_CANNOT_STEP_UP"]}}
        assert "WWW-Authenticate" not in forbidden.headers

    def test_not_a_jwt(self, app: Any) -> None:
        response = TestClient(app).post(URL, headers={"Authorization": "Bearer garbage"})
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"] == 'Bearer realm="", error="invalid_token"'

    def test_async_claims_and_tenant_function(self) -> None:
        from fastapi import Depends, FastAPI, Request

        from protected_actions.apps.fastapi import require_step_up

        async def claims(request: Request) -> dict[str, Any]:
            return json.loads(request.headers["X-Claims"])  # type: ignore[no-any-return]

        step_up = require_step_up(sample_tenant, "contoso.payroll/payments/approve", claims,
                                  realm="contoso.example", client_id="api")
        api = FastAPI()

        @api.get("/x", dependencies=[Depends(step_up)])
        def route() -> str:
            return "ok"

        response = TestClient(api).get("/x", headers={"X-Claims": json.dumps(token())})
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"].startswith(
            'Bearer realm="contoso.example", authorization_uri=')
        assert 'client_id="api", cc_type="authcontext"' in response.headers["WWW-Authenticate"]


def test_over_real_http(app: Any) -> None:
    """uvicorn on a free port, called with httpx: 401 with the challenge, then 200."""
    with serve_asgi(app) as url, httpx.Client(base_url=url) as client:
        first = client.post(URL, headers=bearer())
        assert first.status_code == 401
        assert first.headers["WWW-Authenticate"] == CHALLENGE
        second = client.post(URL, headers=bearer(acrs=["c10"]))
        assert second.status_code == 200
        assert second.json()["approvedBy"] == ERIN
