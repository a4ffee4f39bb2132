"""Graph's What If examples 1-3, reproduced.

Source: https://learn.microsoft.com/graph/api/conditionalaccessroot-evaluate?view=graph-rest-1.0
(microsoft-graph-docs-contrib ``api-reference/v1.0/api/conditionalaccessroot-evaluate.md``,
ms.date 07/08/2025). Each fixture under ``whatif/`` holds an example's request and
response as the page gives them. The response's policies, without the two result
properties (``policyApplies``, ``analysisReasons``), are the tenant; the request's
``signInConditions`` are the session (read by :func:`load_what_if`); the engine's
trace must give each policy the page's ``policyApplies`` and ``analysisReasons``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import attrs
import pytest

from protected_actions import Decision, LoadError, evaluate, evaluate_sign_in, load_tenant
from protected_actions.graph import WhatIfRequest, load_what_if

FIXTURES = Path(__file__).parent / "whatif"
AT = "2025-07-08T12:00:00Z"  # the request carries no time; none of the examples reads it
CONTEXT_PERMISSION = "contoso.files/documents/read"
ADMIN_ROLE = "62e90394-69f5-4237-9190-012177145e10"


def _example(number: int) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / f"example{number}.json").read_text("utf-8"))
    return data


def _run(number: int, roles: frozenset[str] = frozenset()) -> tuple[Decision, list[Any]]:
    example = _example(number)
    expected = []
    policies = []
    for result in example["response"]["value"]:
        policy = dict(result)
        expected.append((policy["id"], policy.pop("policyApplies"),
                         policy.pop("analysisReasons")))
        policies.append(policy)
    request: WhatIfRequest = load_what_if(example["request"], at=AT)
    session = request.session
    if roles:
        session = attrs.evolve(session, user=attrs.evolve(session.user, roles=roles))
    if request.target_kind == "authenticationContext":
        tenant = load_tenant({"conditionalAccessPolicies": policies, "resourceActions": [
            {"name": CONTEXT_PERMISSION, "authenticationContextId": request.target}]})
        decision = evaluate(tenant, session, CONTEXT_PERMISSION, check_authorization=False)
    else:
        tenant = load_tenant({"conditionalAccessPolicies": policies})
        decision = evaluate_sign_in(tenant, session, request.target)
    return decision, expected


def _assert_matches(decision: Decision, expected: list[Any]) -> None:
    by_id = {p.policy_id: p for p in decision.policies}
    for policy_id, applies, reasons in expected:
        result = by_id[policy_id]
        assert result.applies is applies, (policy_id, result.details)
        assert ",".join(result.analysis_reasons) == reasons, (policy_id, result.details)


def test_example_1_application() -> None:
    """Example 1: a SharePoint Online sign-in; the Office365 policy and the
    All-resources user-risk policy apply."""
    _assert_matches(*_run(1))


def test_example_2_authentication_context() -> None:
    """Example 2: the auth context c37; the policy on c1 and c37 applies."""
    _assert_matches(*_run(2))


def test_example_3_user_action() -> None:
    """Example 3: registering security information; the two All-resources policies
    apply next to the user-action policy. The admin-roles policy applies in the
    response, so the user holds one of its roles (the request does not say which)."""
    _assert_matches(*_run(3, roles=frozenset({ADMIN_ROLE})))


def test_example_3_without_the_role_the_admin_policy_does_not_apply() -> None:
    """The same request for a user holding no admin role: ``users``."""
    decision, _ = _run(3)
    (result,) = [p for p in decision.policies if p.policy_id.startswith("4aa7d105")]
    assert (result.applies, result.analysis_reasons) == (False, ("users",))


@pytest.mark.parametrize("number", [1, 2, 3])
def test_fixtures_are_the_pages_examples(number: int) -> None:
    """Each fixture names its source and holds only applying policies (the examples
    ask ``appliedPoliciesOnly``)."""
    example = _example(number)
    assert example["source"].startswith("https://learn.microsoft.com/graph/api/"
                                        "conditionalaccessroot-evaluate")
    assert example["request"]["appliedPoliciesOnly"] is True
    assert all(r["policyApplies"] is True and r["analysisReasons"] == "notSet"
               for r in example["response"]["value"])


def test_request_with_an_unknown_property_is_an_error() -> None:
    """The adapter drops nothing: an unknown property is a LoadError."""
    body = dict(_example(1)["request"], signInConditons={})
    with pytest.raises(LoadError):
        load_what_if(body, at=AT)
