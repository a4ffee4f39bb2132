"""``step_up_response``: the HTTP answer for every outcome of ``check_token``."""

from __future__ import annotations

import pytest
from tests.apps import APPROVE, C10_BASE64, C10_CLAIMS, token

from protected_actions import InvalidPermissionError
from protected_actions.apps import INVALID_PERMISSION, step_up_response
from protected_actions.samples import sample_tenant

TENANT = sample_tenant()


def test_challenge() -> None:
    answer = step_up_response(TENANT, token(), APPROVE)
    assert answer.status == 401 and not answer.allowed
    assert answer.headers["WWW-Authenticate"].endswith(
        f'error="insufficient_claims", claims="{C10_BASE64}"')
    assert dict(answer.body) == {"error": "insufficient_claims", "claims": C10_CLAIMS}
    assert answer.decision is not None and answer.decision.challenge is not None


def test_allowed() -> None:
    answer = step_up_response(TENANT, token(acrs=["C10"]), APPROVE)  # acrs compared without case
    assert (answer.status, answer.allowed, dict(answer.body)) == (200, True, {})


def test_no_token() -> None:
    answer = step_up_response(TENANT, None, APPROVE, realm="contoso.example")
    assert answer.status == 401
    assert dict(answer.headers) == {"WWW-Authenticate": 'Bearer realm="contoso.example"'}
    assert answer.decision is None


@pytest.mark.parametrize("claims", [{}, {"oid": 42, "iat": 1}, {"oid": "u"}])
def test_invalid_claims(claims: dict[str, object]) -> None:
    answer = step_up_response(TENANT, claims, APPROVE)
    assert answer.status == 401
    assert answer.headers["WWW-Authenticate"] == 'Bearer realm="", error="invalid_token"'
    assert answer.body["error"] == "invalid_token"


@pytest.mark.parametrize("action", ["contoso.payroll", "contoso.payroll/payments/approve/",
                                    " contoso.payroll/payments/approve", ""])
def test_malformed_action_is_refused(action: str) -> None:
    answer = step_up_response(TENANT, token(acrs=["c10"]), action)
    assert answer.status == 403
    assert dict(answer.body) == {"error": "forbidden", "reasons": [INVALID_PERMISSION]}


def test_near_miss_raised_by_the_engine_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """When the engine rejects a near miss of a protected action (a typo in the API's
    own action string), the answer is a refusal, never an allow."""
    def near_miss(*args: object, **kwargs: object) -> None:
        raise InvalidPermissionError("action", "a protected action's exact name",
                                     "contoso.payroll/payments/aprove")

    monkeypatch.setattr("protected_actions.apps.web.check_token", near_miss)
    answer = step_up_response(TENANT, token(acrs=["c10"]), "contoso.payroll/payments/aprove")
    assert (answer.status, answer.body["reasons"]) == (403, [INVALID_PERMISSION])


def test_no_cp1_is_forbidden_with_codes() -> None:
    answer = step_up_response(TENANT, token(xms_cc=None), APPROVE)
    assert answer.status == 403
    assert dict(answer.body) == {"error": "forbidden", "reasons": ["CLIENT_CANNOT_STEP_UP"]}
    assert not answer.headers


def test_read_only() -> None:
    answer = step_up_response(TENANT, token(), APPROVE)
    with pytest.raises(TypeError):
        answer.headers["X"] = "y"  # type: ignore[index]
