"""A desktop client of the payroll API (``flask_api.py`` or ``fastapi_api.py``) that
steps up when the API answers with a claims challenge.

1. Sign in with MSAL Python, declaring the ``CP1`` capability so that the API knows
   this client handles claims challenges.
2. Call ``POST /payments/<id>/approve`` with the access token.
3. On a 401 whose ``WWW-Authenticate`` is a Bearer ``insufficient_claims``
   challenge, :func:`protected_actions.apps.claims_challenge` decodes its claims
   request; MSAL asks Entra for a new token with it
   (``acquire_token_interactive(..., claims_challenge=...)``: the user satisfies the
   Conditional Access policies of the context) and the call is retried once.

Run it against a running example API (and a real app registration)::

    PAYROLL_CLIENT_ID=<client id> PAYROLL_API=http://127.0.0.1:5000 \\
        python examples/msal_client.py p-42

See https://learn.microsoft.com/entra/identity-platform/claims-challenge and
https://learn.microsoft.com/entra/identity-platform/developer-guide-conditional-access-authentication-context.
"""

from __future__ import annotations

import os
import sys
from typing import Any

import httpx
import msal

from protected_actions.apps import claims_challenge

AUTHORITY = os.environ.get("PAYROLL_AUTHORITY", "https://login.microsoftonline.com/organizations")
SCOPES = [os.environ.get("PAYROLL_SCOPE", "api://contoso-payroll/Payments.Approve")]


def make_app(client_id: str, *, authority: str = AUTHORITY, **options: Any
             ) -> msal.PublicClientApplication:
    """The MSAL client: ``client_capabilities=["CP1"]`` puts ``xms_cc`` in its tokens."""
    return msal.PublicClientApplication(client_id, authority=authority,
                                        client_capabilities=["CP1"], **options)


def access_token(app: msal.PublicClientApplication, claims: str | None = None) -> str:
    """A token for :data:`SCOPES`: from the cache (or silently refreshed) when
    possible, else interactively. With ``claims`` (a claims challenge) MSAL skips its
    cache and asks Entra for a token that satisfies it."""
    result: dict[str, Any] | None = None
    accounts = app.get_accounts()
    if accounts:
        result = app.acquire_token_silent(SCOPES, account=accounts[0], claims_challenge=claims)
    if not result or "access_token" not in result:
        result = app.acquire_token_interactive(SCOPES, claims_challenge=claims,
                                               prompt=msal.Prompt.SELECT_ACCOUNT)
    if "access_token" not in result:
        raise RuntimeError(f"sign-in failed: {result.get('error')}: "
                           f"{result.get('error_description')}")
    return str(result["access_token"])


def approve_payment(app: msal.PublicClientApplication, api_url: str, payment_id: str, *,
                    http: httpx.Client | None = None) -> httpx.Response:
    """Approve a payment, stepping up once if the API challenges the token."""
    client = http or httpx.Client()
    url = f"{api_url.rstrip('/')}/payments/{payment_id}/approve"
    response = client.post(url, headers={"Authorization": f"Bearer {access_token(app)}"})
    if response.status_code == 401:
        claims = claims_challenge(response.headers.get_list("WWW-Authenticate"))
        if claims is not None:
            token = access_token(app, claims)
            response = client.post(url, headers={"Authorization": f"Bearer {token}"})
    return response


def main(argv: list[str]) -> int:
    """``python examples/msal_client.py PAYMENT_ID``."""
    app = make_app(os.environ["PAYROLL_CLIENT_ID"])
    response = approve_payment(app, os.environ.get("PAYROLL_API", "http://127.0.0.1:5000"),
                               argv[0] if argv else "p-42")
    print(response.status_code, response.text)
    return 0 if response.is_success else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
