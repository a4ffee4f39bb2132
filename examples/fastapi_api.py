"""The payroll API of ``flask_api.py`` with FastAPI: the approval route depends on
``require_step_up(...)``, which answers 401 with the claims challenge, or 403, before
the route runs.

Run it::

    python examples/fastapi_api.py
    # or: uvicorn --app-dir examples --factory fastapi_api:create_app

With no arguments :func:`create_app` is in **demo mode**, like the Flask example: it
reads bearer tokens without validating them. Pass a ``claims_from_request`` that
validates the JWT (see ``flask_api.py``) in a real API.
"""


import base64
import binascii
import json
import logging
import os
from collections.abc import Callable, Mapping
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request

from protected_actions import Decision, Tenant, load_tenant
from protected_actions.apps.fastapi import require_step_up
from protected_actions.engine.decision import DEFAULT_AUTHORIZATION_URI
from protected_actions.samples import sample_tenant

APPROVE_PAYMENT = "contoso.payroll/payments/approve"
"""The permission the approval endpoint needs; the tenant maps it to a context."""

ClaimsFromRequest = Callable[[Request], "Mapping[str, Any] | None"]

log = logging.getLogger(__name__)


def unvalidated_demo_claims(request: Request) -> Mapping[str, Any] | None:
    """DEMO ONLY: the payload of the bearer JWT, read without checking its signature,
    issuer, audience or lifetime. Anyone can forge such a token."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.casefold() != "bearer" or not token.strip():
        return None
    try:
        payload = token.strip().split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, binascii.Error, ValueError):
        return {}
    return claims if isinstance(claims, dict) else {}


def create_app(tenant: Tenant | None = None,
               claims_from_request: ClaimsFromRequest | None = None, *,
               authorization_uri: str = DEFAULT_AUTHORIZATION_URI, realm: str = "",
               client_id: str | None = None) -> FastAPI:
    """The API for ``tenant`` (default: ``PROTECTED_ACTIONS_TENANT`` or the sample)."""
    if tenant is None:
        path = os.environ.get("PROTECTED_ACTIONS_TENANT")
        tenant = load_tenant(path) if path else sample_tenant()
    if claims_from_request is None:
        log.warning("demo mode: bearer tokens are read without validation; never deploy")
        claims_from_request = unvalidated_demo_claims
    step_up = require_step_up(tenant, APPROVE_PAYMENT, claims_from_request,
                              authorization_uri=authorization_uri, realm=realm,
                              client_id=client_id)
    app = FastAPI(title="Payroll")

    @app.post("/payments/{payment_id}/approve")
    def approve_payment(payment_id: str,
                        decision: Annotated[Decision, Depends(step_up)]) -> dict[str, Any]:
        return {"payment": payment_id, "status": "approved", "approvedBy": decision.user_id}

    return app


if __name__ == "__main__":
    import uvicorn

    logging.basicConfig(level=logging.INFO)
    uvicorn.run(create_app(), host="127.0.0.1", port=int(os.environ.get("PORT", "8000")))
