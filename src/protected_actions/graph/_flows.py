"""The session's ``authenticationFlow``: Graph's what-if ``signInConditions`` writes it
as an object, ``{"transferMethod": "deviceCodeFlow"}``
(https://learn.microsoft.com/graph/api/conditionalaccessroot-evaluate?view=graph-rest-1.0);
a bare string is accepted as shorthand. The normal form is Graph's object."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from protected_actions.model.vocabulary import ascii_lower

from ._codecs import Codec, Context, Text, at_key
from ._errors import GraphValueError

__all__: list[str] = []

_KEY = "transferMethod"
_TEXT = Text(optional=True)


@attrs.frozen
class AuthenticationFlow(Codec):
    """``{"transferMethod": ...}`` (or the method as a string) <-> the method."""

    def load(self, value: Any, ctx: Context) -> Any:
        if value is None or isinstance(value, str):
            return _TEXT.load(value, ctx)
        if not isinstance(value, Mapping):
            raise GraphValueError('an object such as {"transferMethod": "deviceCodeFlow"}',
                                  value)
        extra = sorted(str(k) for k in value if str(k) != _KEY)
        if extra:
            raise at_key(extra[0], lambda: _unknown(extra[0]))
        if _KEY not in value:
            raise at_key(_KEY, lambda: _missing())
        return at_key(_KEY, lambda: _TEXT.load(value[_KEY], ctx))

    def dump(self, value: Any, ctx: Context) -> Any:
        return None if value is None else {_KEY: value}


def _unknown(key: str) -> Any:
    hint = f' (did you mean "{_KEY}"?)' if ascii_lower(key) == ascii_lower(_KEY) else ""
    raise GraphValueError(f"no property other than {_KEY}{hint}", key)


def _missing() -> Any:
    raise GraphValueError("a transfer method such as \"deviceCodeFlow\"", None)
