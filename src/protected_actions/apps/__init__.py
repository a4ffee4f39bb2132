"""For application developers: the claims challenge an API sends, the session an
access token describes, :func:`check_token` for a protected operation, the HTTP
answer for any web framework (:func:`step_up_response`), and the client side
(:func:`parse_www_authenticate`, :func:`claims_challenge`).

The FastAPI dependency is :func:`protected_actions.apps.fastapi.require_step_up`
(the ``fastapi`` extra); it is not imported here.
"""

from __future__ import annotations

from .claims import AMR_METHODS, check_token, session_from_token_claims
from .web import INVALID_PERMISSION, StepUpResponse, step_up_response
from .www_authenticate import AuthChallenge, claims_challenge, parse_www_authenticate

__all__ = [
    "AMR_METHODS",
    "INVALID_PERMISSION",
    "AuthChallenge",
    "StepUpResponse",
    "check_token",
    "claims_challenge",
    "parse_www_authenticate",
    "session_from_token_claims",
    "step_up_response",
]


def __dir__() -> list[str]:
    return __all__
