"""Integration tests: access-token claims, the Flask example, MSAL, the HTML views and
the notebook, all against the embedded sample tenant.

The shared scenario: ``contoso.payroll/payments/approve`` is protected by auth
context ``c10`` (MFA within 4 hours), and Erin holds it through a custom role.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

__all__ = ["APPROVE", "C10_BASE64", "C10_CLAIMS", "ERIN", "ISSUED", "TENANT_ID", "token"]

APPROVE = "contoso.payroll/payments/approve"
ERIN = "00000005-1111-4222-8333-000000000005"
TENANT_ID = "72f988bf-0000-4000-8000-00000000c0de"
ISSUED = datetime(2026, 11, 29, 10, 0, tzinfo=timezone.utc)
"""When every test token was issued (its ``iat``)."""

# entra-facts §2.2: the claims request for one context, minified, and its standard base64.
C10_CLAIMS = '{"access_token":{"acrs":{"essential":true,"value":"c10"}}}'
C10_BASE64 = "eyJhY2Nlc3NfdG9rZW4iOnsiYWNycyI6eyJlc3NlbnRpYWwiOnRydWUsInZhbHVlIjoiYzEwIn19fQ=="


def token(**claims: Any) -> dict[str, Any]:
    """Decoded access-token claims for Erin: issued at :data:`ISSUED`, password sign-in
    30 minutes earlier, client capability ``cp1``, no ``acrs``. Keyword arguments
    replace claims; ``None`` removes one."""
    base: dict[str, Any] = {
        "aud": "api://contoso-payroll",
        "iss": f"https://login.microsoftonline.com/{TENANT_ID}/v2.0",
        "tid": TENANT_ID,
        "oid": ERIN,
        "sub": "pairwise-subject-for-this-api",
        "idtyp": "user",
        "iat": int(ISSUED.timestamp()),
        "auth_time": int((ISSUED - timedelta(minutes=30)).timestamp()),
        "amr": ["pwd"],
        "xms_cc": ["cp1"],
    }
    base.update(claims)
    return {name: value for name, value in base.items() if value is not None}
