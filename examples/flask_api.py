"""A Flask web API that protects one operation with a Conditional Access
authentication context.

``POST /payments/<payment_id>/approve`` needs ``contoso.payroll/payments/approve``.
The tenant maps that permission to an auth context (``c10`` in the sample tenant:
MFA within 4 hours), so the API never hard-codes the context id. For each request
:func:`protected_actions.apps.step_up_response` checks the token's ``acrs`` and
``xms_cc`` claims and the app answers:

- ``200`` when the token carries the context;
- ``401`` with ``WWW-Authenticate: Bearer ..., error="insufficient_claims",
  claims="<base64>"`` when the client declared ``cp1`` and can step up;
- ``403`` otherwise.

Run it::

    flask --app examples/flask_api run        # or: python examples/flask_api.py

With no arguments :func:`create_app` serves the embedded sample tenant (or the bundle
named by ``PROTECTED_ACTIONS_TENANT``) in **demo mode**: it reads the claims of the
bearer token *without validating it*. Never deploy that. A real API validates the
JWT (signature against the tenant's signing keys, issuer, audience, lifetime) with
its library of choice, for example PyJWT::

    keys = jwt.PyJWKClient(
        f"https://login.microsoftonline.com/{TENANT_ID}/discovery/v2.0/keys")

    def validated_claims(request):
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.casefold() != "bearer" or not token:
            return None
        key = keys.get_signing_key_from_jwt(token).key
        return jwt.decode(token, key, algorithms=["RS256"], audience=API_CLIENT_ID,
                          issuer=f"https://login.microsoftonline.com/{TENANT_ID}/v2.0")

    app = create_app(load_tenant("tenant"), validated_claims)

and its app registration asks for the optional access-token claims ``acrs`` and
``xms_cc``, which Entra only issues to resources that request them
(https://learn.microsoft.com/entra/identity-platform/optional-claims-reference).
Authorization (scopes, app roles) is the API's own check, as usual.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import os
from collections.abc import Callable, Mapping
from typing import Any

from flask import Flask, Request, Response, jsonify, request

from protected_actions import Tenant, load_tenant
from protected_actions.apps import step_up_response
from protected_actions.engine.decision import DEFAULT_AUTHORIZATION_URI
from protected_actions.samples import sample_tenant

APPROVE_PAYMENT = "contoso.payroll/payments/approve"
"""The permission the approval endpoint needs; the tenant maps it to a context."""

ClaimsFromRequest = Callable[[Request], "Mapping[str, Any] | None"]
"""Returns the validated access-token claims of a request, or ``None`` if it has no token."""

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
        return {}  # not a JWT: claims naming no user, answered as an invalid token
    return claims if isinstance(claims, dict) else {}


def _tenant_from_environment() -> Tenant:
    path = os.environ.get("PROTECTED_ACTIONS_TENANT")
    return load_tenant(path) if path else sample_tenant()


def _answer(status: int, body: Mapping[str, Any], headers: Mapping[str, str]) -> Response:
    response = jsonify(dict(body))
    response.status_code = status
    response.headers.update(headers)
    return response


def create_app(tenant: Tenant | None = None,
               claims_from_request: ClaimsFromRequest | None = None, *,
               authorization_uri: str = DEFAULT_AUTHORIZATION_URI, realm: str = "",
               client_id: str | None = None) -> Flask:
    """The API for ``tenant`` (default: ``PROTECTED_ACTIONS_TENANT`` or the sample).

    ``claims_from_request`` validates the request's token and returns its claims
    (default: demo mode, :func:`unvalidated_demo_claims`). ``authorization_uri`` and
    ``realm`` go into the challenge header: the common endpoint with ``realm=""``
    (the default), or a tenant's authorize endpoint with its id as the realm.
    ``client_id``, the API's own client id, adds ``client_id`` and
    ``cc_type="authcontext"``.
    """
    tenant = tenant if tenant is not None else _tenant_from_environment()
    if claims_from_request is None:
        log.warning("demo mode: bearer tokens are read without validation; never deploy")
        claims_from_request = unvalidated_demo_claims
    read_claims = claims_from_request
    app = Flask(__name__)

    @app.post("/payments/<payment_id>/approve")
    def approve_payment(payment_id: str) -> Response:
        answer = step_up_response(tenant, read_claims(request), APPROVE_PAYMENT,
                                  authorization_uri=authorization_uri, realm=realm,
                                  client_id=client_id)
        if not answer.allowed or answer.decision is None:
            # Reason codes only: messages name policies, which stay server-side.
            return _answer(answer.status, answer.body, answer.headers)
        return jsonify({"payment": payment_id, "status": "approved",
                        "approvedBy": answer.decision.user_id})

    return app


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    create_app().run(host="127.0.0.1", port=int(os.environ.get("PORT", "5000")))
