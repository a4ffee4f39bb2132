"""Graph's own JSON shapes: the what-if ``authenticationFlow`` object and strength
references that carry ``id`` and ``displayName`` without ``allowedCombinations``."""

from __future__ import annotations

from typing import Any

import pytest
from tests.helpers import auth, session

from protected_actions import (
    LoadError,
    Outcome,
    ReasonCode,
    dump_session,
    dump_tenant,
    evaluate_sign_in,
    load_session,
    load_tenant,
)

APP = "5b1f2e3a-0c4d-4e5f-8a9b-0c1d2e3f4a5b"
PHISHING_RESISTANT = "00000000-0000-0000-0000-000000000004"


def _session(flow: Any) -> dict[str, Any]:
    return {"at": "2026-11-29T10:00:00Z", "user": {"id": "u1"}, "authenticationFlow": flow}


class TestAuthenticationFlow:
    """https://learn.microsoft.com/graph/api/conditionalaccessroot-evaluate?view=graph-rest-1.0
    sends ``"authenticationFlow": {"transferMethod": "deviceCodeFlow"}``."""

    @pytest.mark.parametrize("flow", [{"transferMethod": "deviceCodeFlow"}, "deviceCodeFlow"])
    def test_graph_object_and_shorthand_load(self, flow: Any) -> None:
        """Graph's object and the string shorthand mean the same flow."""
        assert load_session(_session(flow)).authentication_flow == "deviceCodeFlow"

    def test_dump_writes_graph_form(self) -> None:
        """``dump_session`` writes Graph's object, and reads back equal."""
        loaded = load_session(_session("authenticationTransfer"))
        dumped = dump_session(loaded)
        assert dumped["authenticationFlow"] == {"transferMethod": "authenticationTransfer"}
        assert load_session(dumped) == loaded

    @pytest.mark.parametrize("flow", [
        {"transfermethod": "deviceCodeFlow"},  # wrong case: a near miss, not ignored
        {"transferMethod": "deviceCodeFlow", "extra": 1},
        {},
        {"transferMethod": 1},
        ["deviceCodeFlow"],
        7,
    ])
    def test_malformed_objects_are_errors(self, flow: Any) -> None:
        """Anything else is a LoadError with its path."""
        with pytest.raises(LoadError) as info:
            load_session(_session(flow))
        assert "$.authenticationFlow" in str(info.value)


def _strength_policy(reference: dict[str, Any]) -> dict[str, Any]:
    return {"id": "p1", "displayName": "strength", "state": "enabled",
            "conditions": {"users": {"includeUsers": ["All"]},
                           "applications": {"includeApplications": ["All"]}},
            "grantControls": {"operator": "OR", "builtInControls": [],
                              "authenticationStrength": reference}}


class TestStrengthReference:
    """A reference ``{"id", "displayName"}`` resolves by id: built-ins, then the
    tenant's strengths; an unknown id is an unmet requirement no prompt satisfies.
    Built-in ids: https://learn.microsoft.com/graph/api/authenticationstrengthroot-list-policies?view=graph-rest-1.0
    """

    def test_built_in_reference_resolves(self) -> None:
        """The phishing-resistant built-in: FIDO2 satisfies it, password+SMS does not."""
        t = load_tenant({"conditionalAccessPolicies": [_strength_policy(
            {"id": PHISHING_RESISTANT, "displayName": "Phishing-resistant MFA"})]})
        assert evaluate_sign_in(t, session(auth("fido2")), APP).outcome is Outcome.ALLOW
        assert evaluate_sign_in(t, session(auth("password", "sms")), APP).outcome is \
            Outcome.CHALLENGE

    def test_tenant_reference_resolves(self) -> None:
        """A custom strength of the tenant, referenced with its display name."""
        t = load_tenant({
            "conditionalAccessPolicies": [_strength_policy(
                {"id": "custom-1", "displayName": "Passkeys only", "@odata.type":
                 "#microsoft.graph.authenticationStrengthPolicy"})],
            "authenticationStrengthPolicies": [{
                "id": "custom-1", "displayName": "Passkeys only",
                "allowedCombinations": ["fido2"]}]})
        assert evaluate_sign_in(t, session(auth("fido2")), APP).outcome is Outcome.ALLOW
        assert evaluate_sign_in(t, session(auth("windowsHelloForBusiness")), APP
                                ).outcome is Outcome.CHALLENGE

    def test_unknown_reference_fails_closed(self) -> None:
        """An id neither built in nor the tenant's: no prompt can satisfy it."""
        t = load_tenant({"conditionalAccessPolicies": [_strength_policy(
            {"id": "missing", "displayName": "Gone"})]})
        d = evaluate_sign_in(t, session(auth("fido2")), APP)
        assert d.outcome is Outcome.DENY
        assert d.codes == (ReasonCode.REQUIREMENT_NOT_INTERACTIVE,)

    def test_reference_round_trips(self) -> None:
        """The reference is written back as read."""
        reference = {"id": PHISHING_RESISTANT, "displayName": "Phishing-resistant MFA"}
        t = load_tenant({"conditionalAccessPolicies": [_strength_policy(reference)]})
        dumped = dump_tenant(t)
        assert dumped["conditionalAccessPolicies"][0]["grantControls"][
            "authenticationStrength"] == reference
        assert load_tenant(dumped) == t

