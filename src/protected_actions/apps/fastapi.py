"""FastAPI: a dependency that protects a route with a Conditional Access
authentication context (the optional ``fastapi`` extra).

.. code-block:: python

    from fastapi import Depends, FastAPI
    from protected_actions.apps.fastapi import require_step_up

    step_up = require_step_up(tenant, "contoso.payroll/payments/approve", validated_claims)

    @app.post("/payments/{payment_id}/approve")
    def approve(payment_id: str, decision: Decision = Depends(step_up)): ...

The dependency answers for the route, as :func:`~protected_actions.apps.web.step_up_response`
decides: an ``HTTPException`` with 401 and the exact ``WWW-Authenticate`` challenge,
or 403 with the reason codes; when the token carries the context the route runs
and receives the :class:`~protected_actions.Decision`.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from fastapi import HTTPException, Request

from protected_actions.engine.decision import DEFAULT_AUTHORIZATION_URI, Decision
from protected_actions.model.permissions import Permission
from protected_actions.model.tenant import Tenant

from .web import step_up_response

__all__ = ["ClaimsFromRequest", "require_step_up"]


def __dir__() -> list[str]:
    return __all__


ClaimsFromRequest = Callable[
    [Request], "Mapping[str, Any] | Awaitable[Mapping[str, Any] | None] | None"]
"""The validated access-token claims of a request (``None``: no token); may be async."""


def require_step_up(tenant: Tenant | Callable[[], Tenant], action: str | Permission,
                    claims_from_request: ClaimsFromRequest, *,
                    authorization_uri: str = DEFAULT_AUTHORIZATION_URI, realm: str = "",
                    client_id: str | None = None
                    ) -> Callable[[Request], Awaitable[Decision]]:
    """A FastAPI dependency for ``Depends(...)``: the route runs only when the token
    carries the context that protects ``action`` in ``tenant`` (a tenant, or a
    function returning the current one, so that a reloaded export takes effect).

    :raises HTTPException: (from the dependency) 401 with the challenge or 403.
    """

    async def step_up(request: Request) -> Decision:
        claims = claims_from_request(request)
        if inspect.isawaitable(claims):
            claims = await claims
        current = tenant() if callable(tenant) else tenant
        answer = step_up_response(current, claims, action,
                                  authorization_uri=authorization_uri, realm=realm,
                                  client_id=client_id)
        if not answer.allowed or answer.decision is None:
            raise HTTPException(status_code=answer.status, detail=dict(answer.body),
                                headers=dict(answer.headers) or None)
        return answer.decision

    return step_up
