"""The client side of a claims challenge: read a ``WWW-Authenticate`` header.

:func:`parse_www_authenticate` follows the grammar of RFC 9110 section 11.6.1: a
header holds one or more challenges, each an auth scheme followed by a ``token68``
or by comma-separated ``name=value`` parameters whose values are tokens or quoted
strings (with backslash escapes). Parameter names are case-insensitive; a name given
twice in one challenge is an error (RFC 9110 section 11.2).

:func:`claims_challenge` finds the Bearer challenge with
``error="insufficient_claims"`` and decodes its ``claims`` (base64) into the JSON
string MSAL's ``claims_challenge`` takes
(https://learn.microsoft.com/entra/identity-platform/claims-challenge).

```pycon
>>> (challenge,) = parse_www_authenticate(
...     'Bearer realm="", error="insufficient_claims", '
...     'claims="eyJhY2Nlc3NfdG9rZW4iOnsiYWNycyI6eyJlc3NlbnRpYWwiOnRydWUsInZhbHVlIjoiYzEifX19"')
>>> challenge.scheme, challenge.params["error"]
('Bearer', 'insufficient_claims')
>>> claims_challenge(challenge)
'{"access_token":{"acrs":{"essential":true,"value":"c1"}}}'

```
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Iterable, Mapping
from types import MappingProxyType

import attrs

from protected_actions.errors import InvalidModelError
from protected_actions.model.vocabulary import ascii_lower

__all__ = ["AuthChallenge", "claims_challenge", "parse_www_authenticate"]


def __dir__() -> list[str]:
    return __all__


_FIELD = "WWW-Authenticate"
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_TOKEN68 = re.compile(r"[A-Za-z0-9\-._~+/]+=*(?=[ \t]*(?:,|$))")
_OWS = re.compile(r"[ \t]*")
_QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"', re.DOTALL)
_ESCAPE = re.compile(r"\\(.)", re.DOTALL)


def _readonly(params: Mapping[str, str]) -> Mapping[str, str]:
    return MappingProxyType(dict(params))


@attrs.frozen
class AuthChallenge:
    """One challenge of a ``WWW-Authenticate`` header.

    ``scheme`` as written (compare it without case: :attr:`is_bearer`), ``params``
    with lower-cased names and unquoted values, ``token68`` for a scheme that carries
    one instead of parameters.
    """

    scheme: str
    params: Mapping[str, str] = attrs.field(factory=dict, converter=_readonly)
    token68: str | None = None

    @property
    def is_bearer(self) -> bool:
        """Whether this is a ``Bearer`` challenge (RFC 6750)."""
        return ascii_lower(self.scheme) == "bearer"


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text = text
        self.at = 0

    def error(self, expected: str) -> InvalidModelError:
        return InvalidModelError(_FIELD, f"{expected} at offset {self.at}", self.text)

    def match(self, pattern: re.Pattern[str]) -> re.Match[str] | None:
        found = pattern.match(self.text, self.at)
        if found is not None:
            self.at = found.end()
        return found

    def skip(self) -> None:
        self.match(_OWS)

    def peek(self) -> str:
        return self.text[self.at:self.at + 1]

    def done(self) -> bool:
        return self.at >= len(self.text)


def _value(scan: _Scanner) -> str:
    quoted = scan.match(_QUOTED)
    if quoted is not None:
        return _ESCAPE.sub(r"\1", quoted[1])
    token = scan.match(_TOKEN)
    if token is None:
        raise scan.error("a token or a quoted string")
    return token[0]


def _params(scan: _Scanner) -> dict[str, str]:
    params: dict[str, str] = {}
    while not scan.done():
        start = scan.at
        name = scan.match(_TOKEN)
        scan.skip()
        if name is None or scan.peek() != "=":
            scan.at = start  # the next challenge's scheme (or an error the caller reports)
            break
        scan.at += 1
        scan.skip()
        key = ascii_lower(name[0])
        if key in params:
            scan.at = name.start()
            raise scan.error(f"parameter {name[0]!r} only once")
        params[key] = _value(scan)
        scan.skip()
        if scan.done():
            break
        if scan.peek() != ",":
            raise scan.error("',' between parameters")
        while scan.peek() in (",", " ", "\t") and not scan.done():
            scan.at += 1
    return params


def _challenges(text: str) -> list[AuthChallenge]:
    scan = _Scanner(text)
    found: list[AuthChallenge] = []
    while True:
        while scan.peek() in (",", " ", "\t") and not scan.done():
            scan.at += 1
        if scan.done():
            return found
        scheme = scan.match(_TOKEN)
        if scheme is None:
            raise scan.error("an auth scheme")
        if scan.done() or scan.peek() == ",":
            found.append(AuthChallenge(scheme[0]))
            continue
        if scan.match(re.compile(r" +")) is None:
            raise scan.error("a space after the auth scheme")
        token68 = scan.match(_TOKEN68)  # only when a comma or the end follows it
        if token68 is not None:
            found.append(AuthChallenge(scheme[0], token68=token68[0]))
            continue
        found.append(AuthChallenge(scheme[0], _params(scan)))


def parse_www_authenticate(header: str | Iterable[str]) -> tuple[AuthChallenge, ...]:
    """Every challenge in a ``WWW-Authenticate`` header (or in several header values,
    as a response with more than one ``WWW-Authenticate`` field carries).

    ```pycon
    >>> [c.scheme for c in parse_www_authenticate('Basic realm="x, y", Bearer')]
    ['Basic', 'Bearer']
    >>> parse_www_authenticate(r'Bearer error_description="say \\"hi\\""')[0].params
    mappingproxy({'error_description': 'say "hi"'})

    ```

    :raises InvalidModelError: the header does not follow the grammar; ``expected``
        names what was expected and the offset.
    """
    values = [header] if isinstance(header, str) else list(header)
    found: list[AuthChallenge] = []
    for value in values:
        if not isinstance(value, str):
            raise InvalidModelError(_FIELD, "a string", value)
        found.extend(_challenges(value))
    return tuple(found)


def _decode_claims(encoded: str) -> str:
    text = encoded.strip()
    padded = text + "=" * (-len(text) % 4)
    alphabet = b"-_" if ("-" in text or "_" in text) else b"+/"
    try:
        raw = base64.b64decode(padded, altchars=alphabet, validate=True)
        decoded = raw.decode("utf-8")
        parsed = json.loads(decoded)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise InvalidModelError(f"{_FIELD}.claims", "base64 of a JSON claims request",
                                encoded) from None
    if not isinstance(parsed, dict):
        raise InvalidModelError(f"{_FIELD}.claims", "base64 of a JSON object", encoded)
    return decoded


def claims_challenge(challenges: str | Iterable[str] | AuthChallenge
                     | Iterable[AuthChallenge]) -> str | None:
    """The claims request of the Bearer ``insufficient_claims`` challenge, decoded:
    the JSON string to pass as MSAL's ``claims_challenge``; ``None`` when there is no
    such challenge (another 401: the token is missing, expired or invalid).

    Takes a header value, several, or parsed challenges.

    :raises InvalidModelError: the header is malformed, or ``claims`` is missing or
        is not base64 of a JSON object.
    """
    if isinstance(challenges, AuthChallenge):
        parsed: tuple[AuthChallenge, ...] = (challenges,)
    elif isinstance(challenges, str):
        parsed = parse_www_authenticate(challenges)
    else:
        items: list[object] = list(challenges)
        headers = [c for c in items if isinstance(c, str)]
        given = tuple(c for c in items if isinstance(c, AuthChallenge))
        if len(headers) + len(given) < len(items):
            raise InvalidModelError(_FIELD, "header values or parsed challenges", challenges)
        parsed = given + parse_www_authenticate(headers)
    for challenge in parsed:
        if challenge.is_bearer and challenge.params.get("error") == "insufficient_claims":
            claims = challenge.params.get("claims")
            if claims is None:
                raise InvalidModelError(f"{_FIELD}.claims", "a claims parameter with "
                                        'error="insufficient_claims"', None)
            return _decode_claims(claims)
    return None
