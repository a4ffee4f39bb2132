"""For application developers: the claims challenge an API sends, the session an
access token describes, and :func:`check_token` for a protected operation."""

from __future__ import annotations

from .claims import AMR_METHODS, check_token, session_from_token_claims

__all__ = ["AMR_METHODS", "check_token", "session_from_token_claims"]


def __dir__() -> list[str]:
    return __all__
