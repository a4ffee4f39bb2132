"""A Flask web API that protects one operation with a Conditional Access
authentication context.

``POST /payments/<payment_id>/approve`` needs ``contoso.payroll/payments/approve``.
The tenant maps that permission to an auth context (``c10`` in the sample tenant:
MFA within 4 hours), so the API never hard-codes the context id. For each request
:func:`protected_actions.apps.claims.check_token` reads the token's ``acrs`` and
``xms_cc`` claims and the app answers:

- ``200`` when the token carries the context;
- ``401`` with ``WWW-Authenticate: Bearer ..., error="insufficient_claims",
  claims="<base64>"`` when the client declared ``cp1`` and can step up;
- ``403`` otherwise.

Validating the token is out of scope here: the app takes already-validated claims
from a pluggable function, ``claims_from_request(request) -> Mapping | None``
(``None``: no token). A real API validates the JWT (signature against the tenant's
signing keys, issuer, audience, lifetime) with its library of choice, for example
PyJWT::

    keys = jwt.PyJWKClient(
        f"https://login.microsoftonline.com/{TENANT_ID}/discovery/v2.0/keys")

    def validated_claims(request):
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.casefold() != "bearer" or not token:
            return None
        key = keys.get_signing_key_from_jwt(token).key
        return jwt.decode(token, key, algorithms=["RS256"], audience=API_CLIENT_ID,
                          issuer=f"https://login.microsoftonline.com/{TENANT_ID}/v2.0")

    app = create_app(load_tenant("tenant-export.json"), validated_claims)

and its app registration asks for the optional access-token claims ``acrs`` and
``xms_cc``, which Entra only issues to resources that request them (entra-facts
§2.2, §2.3). Authorization (scopes, app roles) is the API's own check, as usual.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask import Flask, Request, Response, jsonify, request

from protected_actions import InvalidModelError, Outcome, Tenant
from protected_actions.apps.claims import check_token
from protected_actions.engine.decision import DEFAULT_AUTHORIZATION_URI

APPROVE_PAYMENT = "contoso.payroll/payments/approve"
"""The permission the approval endpoint needs; the tenant maps it to a context."""

ClaimsFromRequest = Callable[[Request], "Mapping[str, Any] | None"]
"""Returns the validated access-token claims of a request, or ``None`` if it has no token."""


def _error(status: int, body: dict[str, Any], www_authenticate: str | None = None) -> Response:
    response = jsonify(body)
    response.status_code = status
    if www_authenticate is not None:
        response.headers["WWW-Authenticate"] = www_authenticate
    return response


def create_app(tenant: Tenant, claims_from_request: ClaimsFromRequest, *,
               authorization_uri: str = DEFAULT_AUTHORIZATION_URI, realm: str = "",
               client_id: str | None = None) -> Flask:
    """The API for ``tenant``.

    ``authorization_uri`` and ``realm`` go into the challenge header: the common
    endpoint with ``realm=""`` (the default), or a tenant's authorize endpoint with
    its id as the realm (entra-facts §2.2). ``client_id``, the API's own client id,
    adds the developer guide's ``client_id`` and ``cc_type="authcontext"``.
    """
    app = Flask(__name__)

    @app.post("/payments/<payment_id>/approve")
    def approve_payment(payment_id: str) -> Response:
        claims = claims_from_request(request)
        if claims is None:
            return _error(401, {"error": "unauthorized"}, f'Bearer realm="{realm}"')
        try:
            decision = check_token(tenant, claims, APPROVE_PAYMENT)
        except InvalidModelError as exc:
            return _error(401, {"error": "invalid_token", "detail": exc.field},
                          f'Bearer realm="{realm}", error="invalid_token"')
        if decision.outcome is Outcome.CHALLENGE and decision.challenge is not None:
            header = decision.challenge.www_authenticate(
                authorization_uri=authorization_uri, realm=realm, client_id=client_id)
            return _error(401, {"error": "insufficient_claims",
                                "claims": decision.challenge.claims}, header)
        if decision.outcome is not Outcome.ALLOW:
            # Reason codes only: the messages name policies, which stay server-side
            # (log decision.to_dict() there).
            return _error(403, {"error": "forbidden",
                                "reasons": [code.value for code in decision.codes]})
        return jsonify({"payment": payment_id, "status": "approved",
                        "approvedBy": decision.user_id})

    return app
