"""The client-side parser of ``WWW-Authenticate`` (RFC 9110 section 11.6.1) and the
claims challenge it carries
(https://learn.microsoft.com/entra/identity-platform/claims-challenge)."""

from __future__ import annotations

import pytest
from tests.apps import C10_BASE64, C10_CLAIMS

from protected_actions import InvalidModelError
from protected_actions.apps import (
    AuthChallenge,
    claims_challenge,
    parse_www_authenticate,
)

# The documented example header (claims for "cp1").
CP1_BASE64 = "eyJhY2Nlc3NfdG9rZW4iOnsiYWNycyI6eyJlc3NlbnRpYWwiOnRydWUsInZhbHVlIjoiY3AxIn19fQ=="
CP1_CLAIMS = '{"access_token":{"acrs":{"essential":true,"value":"cp1"}}}'
DOCUMENTED = ('Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/'
              'oauth2/authorize", error="insufficient_claims", claims="eyJhY2Nlc3NfdG9rZW4iOn'
              'siYWNycyI6eyJlc3NlbnRpYWwiOnRydWUsInZhbHVlIjoiY3AxIn19fQ=="')


def test_documented_header() -> None:
    (challenge,) = parse_www_authenticate(DOCUMENTED)
    assert challenge.is_bearer
    assert dict(challenge.params) == {
        "realm": "", "authorization_uri": "https://login.microsoftonline.com/common/oauth2/"
        "authorize", "error": "insufficient_claims",
        "claims": CP1_BASE64}
    assert claims_challenge(DOCUMENTED) == CP1_CLAIMS


def test_multiple_challenges_in_one_value() -> None:
    header = (f'Basic realm="a, b=c", Bearer realm="", error="insufficient_claims", '
              f'claims="{C10_BASE64}", Negotiate abc123==, NTLM')
    parsed = parse_www_authenticate(header)
    assert [(c.scheme, c.token68) for c in parsed] == [
        ("Basic", None), ("Bearer", None), ("Negotiate", "abc123=="), ("NTLM", None)]
    assert parsed[0].params == {"realm": "a, b=c"}
    assert claims_challenge(header) == C10_CLAIMS


def test_several_header_values() -> None:
    values = ['Basic realm="x"', f'Bearer error="insufficient_claims", claims="{C10_BASE64}"']
    assert claims_challenge(values) == C10_CLAIMS
    assert claims_challenge(list(parse_www_authenticate(values))) == C10_CLAIMS


def test_escapes_case_and_whitespace() -> None:
    (c,) = parse_www_authenticate(
        'bEaReR  ERROR = "insufficient_claims" ,, error_description="a \\"quoted\\" \\\\ text"'
        f' , Claims={C10_BASE64.rstrip("=")}')
    assert c.is_bearer
    assert c.params["error_description"] == 'a "quoted" \\ text'
    assert c.params["error"] == "insufficient_claims"
    assert claims_challenge(c) == C10_CLAIMS  # unpadded base64 is accepted


def test_url_safe_base64() -> None:
    import base64
    encoded = base64.urlsafe_b64encode(b'{"access_token":{"acrs":{"value":"??>"}}}').decode()
    assert "-" in encoded or "_" in encoded
    header = f'Bearer error="insufficient_claims", claims="{encoded}"'
    assert claims_challenge(header) == '{"access_token":{"acrs":{"value":"??>"}}}'


@pytest.mark.parametrize("header", [
    'Bearer realm="x"',                        # no error
    'Bearer error="invalid_token"',            # another error
    f'Basic error="insufficient_claims", claims="{C10_BASE64}"',  # not Bearer
    "",
])
def test_no_claims_challenge(header: str) -> None:
    assert claims_challenge(header) is None


@pytest.mark.parametrize(("header", "expected"), [
    ('Bearer realm="x", realm="y"', "parameter 'realm' only once"),
    ('Bearer REALM="x", realm="y"', "parameter 'realm' only once at offset 18"),
    ('Bearer realm="unterminated', "a token or a quoted string"),
    ('Bearer error="x", realm=', "a token or a quoted string"),
    ('Bearer realm="x" error="y"', "',' between parameters"),
    ('="x"', "an auth scheme"),
    ('Bearer\trealm="x"', "a space after the auth scheme"),
    ("Bearer realm=\u201cx\u201d", "a token or a quoted string"),  # typographic quotes
])
def test_malformed(header: str, expected: str) -> None:
    with pytest.raises(InvalidModelError, match="WWW-Authenticate") as caught:
        parse_www_authenticate(header)
    assert expected in caught.value.expected


@pytest.mark.parametrize("claims", ["not base64!", "bm90IGpzb24=", "WzFd", ""])
def test_bad_claims(claims: str) -> None:
    """Not base64, base64 of "not json", of ``[1]`` (not an object), empty."""
    with pytest.raises(InvalidModelError, match="claims"):
        claims_challenge(f'Bearer error="insufficient_claims", claims="{claims}"')


def test_insufficient_claims_without_claims() -> None:
    with pytest.raises(InvalidModelError, match="claims parameter"):
        claims_challenge('Bearer error="insufficient_claims"')


def test_token68_is_not_a_parameter() -> None:
    """``realm=`` alone is a token68 (the grammar allows trailing ``=``), not a
    parameter with an empty value."""
    assert parse_www_authenticate("Bearer realm=") == (AuthChallenge("Bearer", token68="realm="),)


def test_wrong_types() -> None:
    with pytest.raises(InvalidModelError):
        parse_www_authenticate([b"Bearer"])  # type: ignore[list-item]
    with pytest.raises(InvalidModelError):
        claims_challenge([AuthChallenge("Bearer"), 3])  # type: ignore[list-item]


def test_params_are_read_only() -> None:
    (c,) = parse_www_authenticate('Bearer realm="x"')
    with pytest.raises(TypeError):
        c.params["realm"] = "y"  # type: ignore[index]
