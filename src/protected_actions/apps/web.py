"""The HTTP answer of an API for a protected operation, for any web framework.

:func:`step_up_response` turns the validated access-token claims of a request into
the status, headers and body to send:

=====================================  ======  ==========================================
the request                            status  answer
=====================================  ======  ==========================================
no token                               401     ``WWW-Authenticate: Bearer realm=""``
claims that do not describe a user     401     ``error="invalid_token"``
the token carries the context          200     (the operation runs)
no context, the client declared cp1    401     the claims challenge (``insufficient_claims``)
anything else (no cp1, app-only, ...)  403     the reason codes
the action is malformed or a near      403     ``INVALID_PERMISSION``: a refusal, never
miss of a protected action                     an allow
=====================================  ======  ==========================================

Bodies carry reason codes, never messages: messages name policies, which stay on the
server (log :attr:`StepUpResponse.decision`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any

import attrs

from protected_actions.engine.decision import DEFAULT_AUTHORIZATION_URI, Decision, Outcome
from protected_actions.errors import InvalidModelError, InvalidPermissionError
from protected_actions.model.permissions import Permission
from protected_actions.model.tenant import Tenant

from .claims import check_token

__all__ = ["INVALID_PERMISSION", "StepUpResponse", "step_up_response"]


def __dir__() -> list[str]:
    return __all__


INVALID_PERMISSION = "INVALID_PERMISSION"
"""The reason code of a refusal because the API's own action string is malformed or a
near miss of a protected action: a bug in the API, refused rather than allowed."""


def _frozen(value: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(value))


@attrs.frozen
class StepUpResponse:
    """What to answer: ``status`` (200, 401 or 403), ``headers`` to add, the JSON
    ``body`` of a refusal (empty for 200), and the ``decision`` (``None`` when there
    was no token or the claims were invalid)."""

    status: int
    headers: Mapping[str, str] = attrs.field(factory=dict, converter=_frozen)
    body: Mapping[str, Any] = attrs.field(factory=dict, converter=_frozen)
    decision: Decision | None = None

    @property
    def allowed(self) -> bool:
        """Whether the operation may run (status 200)."""
        return self.status == 200


def step_up_response(tenant: Tenant, claims: Mapping[str, Any] | None,
                     action: str | Permission, *,
                     authorization_uri: str = DEFAULT_AUTHORIZATION_URI, realm: str = "",
                     client_id: str | None = None, at: datetime | None = None
                     ) -> StepUpResponse:
    """The answer for a request whose validated token has ``claims`` (``None``: the
    request has no token), for the operation ``action``.

    ``authorization_uri``, ``realm`` and ``client_id`` go into the challenge (see
    :meth:`~protected_actions.engine.decision.Challenge.www_authenticate`).

    ```pycon
    >>> from protected_actions.samples import sample_tenant
    >>> step_up_response(sample_tenant(), None, "contoso.payroll/payments/approve").headers
    mappingproxy({'WWW-Authenticate': 'Bearer realm=""'})

    ```
    """
    bare = f'Bearer realm="{realm}"'
    if claims is None:
        return StepUpResponse(401, {"WWW-Authenticate": bare}, {"error": "unauthorized"})
    try:
        decision = check_token(tenant, claims, action, at=at)
    except InvalidPermissionError:
        return StepUpResponse(403, {}, {"error": "forbidden", "reasons": [INVALID_PERMISSION]})
    except InvalidModelError as exc:
        return StepUpResponse(401, {"WWW-Authenticate": f'{bare}, error="invalid_token"'},
                              {"error": "invalid_token", "detail": exc.field})
    if decision.outcome is Outcome.CHALLENGE and decision.challenge is not None:
        header = decision.challenge.www_authenticate(
            authorization_uri=authorization_uri, realm=realm, client_id=client_id)
        return StepUpResponse(401, {"WWW-Authenticate": header},
                              {"error": "insufficient_claims",
                               "claims": decision.challenge.claims}, decision)
    if decision.outcome is not Outcome.ALLOW:
        return StepUpResponse(403, {}, {"error": "forbidden",
                                        "reasons": [code.value for code in decision.codes]},
                              decision)
    return StepUpResponse(200, {}, {}, decision)
