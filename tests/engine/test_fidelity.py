"""Documented edge cases: security-info registration and All-resources policies,
device filter explanations, and Graph's ``analysisReasons`` names."""

from __future__ import annotations

import pytest
from tests.helpers import auth, policy, result_for, session, tenant

from protected_actions import (
    ApplicationConditions,
    Device,
    DeviceConditions,
    Filter,
    Outcome,
    evaluate_sign_in,
)
from protected_actions.engine.decision import AnalysisReason

REGISTER_SECURITY_INFO = "urn:user:registersecurityinfo"
REGISTER_DEVICE = "urn:user:registerdevice"
DEVICE_REGISTRATION_SERVICE = "01cb2876-7ebd-4aa4-9cc9-d28bd4d359a9"
PHISHING_RESISTANT = "00000000-0000-0000-0000-000000000004"
MFA_STRENGTH = "00000000-0000-0000-0000-000000000002"


APP = "11111111-2222-4333-8444-555555555555"
"""An application id of no catalog group (a tenant's own app)."""


def all_resources(policy_id: str = "all", **kwargs: object):  # type: ignore[no-untyped-def]
    return policy(policy_id, applications=ApplicationConditions(
        include_applications=["All"]), **kwargs)


def registration(policy_id: str = "reg", **kwargs: object):  # type: ignore[no-untyped-def]
    return policy(policy_id, applications=ApplicationConditions(
        include_user_actions=[REGISTER_SECURITY_INFO]), **kwargs)


class TestSecurityInfoRegistration:
    """Graph What If example 3 returns All-resources policies as applying to the
    ``registerSecurityInformation`` user action:
    https://learn.microsoft.com/graph/api/conditionalaccessroot-evaluate?view=graph-rest-1.0
    Registration strengths are preferred over All-resources strengths; other grant
    controls still apply:
    https://learn.microsoft.com/entra/identity/authentication/concept-authentication-strength-how-it-works
    """

    def test_all_resources_compliant_device_applies(self) -> None:
        """A Temporary Access Pass registration from a non-compliant device is not
        allowed when an All-resources policy requires a compliant device."""
        t = tenant(all_resources(controls=("compliantDevice",)))
        s = session(auth("temporaryAccessPassOneTime"), device=Device(is_compliant=False))
        d = evaluate_sign_in(t, s, REGISTER_SECURITY_INFO)
        assert d.outcome is Outcome.DENY
        assert result_for(d, "all").analysis_reasons == ("notSet",)
        compliant = session(auth("temporaryAccessPassOneTime"), device=Device(is_compliant=True))
        assert evaluate_sign_in(t, compliant, REGISTER_SECURITY_INFO).outcome is Outcome.ALLOW

    def test_registration_strength_preferred_over_all_resources_strength(self) -> None:
        """With a registration policy requiring the MFA strength, the All-resources
        phishing-resistant strength does not apply to the registration: a TAP (which
        satisfies MFA) is enough."""
        t = tenant(all_resources(controls=(), strength=PHISHING_RESISTANT),
                   registration(controls=(), strength=MFA_STRENGTH))
        tap = session(auth("temporaryAccessPassOneTime"))
        d = evaluate_sign_in(t, tap, REGISTER_SECURITY_INFO)
        assert d.outcome is Outcome.ALLOW
        assert result_for(d, "all").unmet == ()
        # Elsewhere the All-resources strength still applies.
        assert evaluate_sign_in(t, tap, "5b1f2e3a-0c4d-4e5f-8a9b-0c1d2e3f4a5b").outcome is \
            Outcome.CHALLENGE

    def test_without_a_registration_strength_the_all_resources_strength_applies(self) -> None:
        """No registration policy with a strength applies: nothing is preferred."""
        t = tenant(all_resources(controls=(), strength=PHISHING_RESISTANT),
                   registration(controls=("mfa",)))
        d = evaluate_sign_in(t, session(auth("temporaryAccessPassOneTime")),
                             REGISTER_SECURITY_INFO)
        assert d.outcome is Outcome.CHALLENGE

    def test_other_grant_controls_still_apply(self) -> None:
        """The preference drops only the strength: a compliant device is still needed
        (operator AND)."""
        t = tenant(all_resources(controls=("compliantDevice",), strength=PHISHING_RESISTANT,
                                 operator="AND"),
                   registration(controls=(), strength=MFA_STRENGTH))
        s = session(auth("temporaryAccessPassOneTime"), device=Device(is_compliant=False))
        assert evaluate_sign_in(t, s, REGISTER_SECURITY_INFO).outcome is Outcome.DENY

    def test_all_resources_block_applies(self) -> None:
        """An All-resources block applies to the registration as well."""
        t = tenant(all_resources(controls=("block",)))
        assert evaluate_sign_in(t, session(auth("fido2")), REGISTER_SECURITY_INFO
                                ).outcome is Outcome.DENY

    def test_register_device_is_decided_by_its_own_policies(self) -> None:
        """Decision for ``urn:user:registerdevice``: Microsoft documents that a policy
        targets resources, user actions or authentication contexts, that the register
        or join devices action takes only MFA or an authentication strength, and that
        All-resources policies reach device registration through the Device
        Registration Service resource (01cb2876-...), where All-resources
        authentication-flow policies are enforced. So the user action is matched only by
        policies that name it, and All-resources policies are evaluated for a sign-in to
        the Device Registration Service.
        https://learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-cloud-apps
        https://learn.microsoft.com/entra/identity/conditional-access/concept-authentication-flows
        """
        t = tenant(all_resources(controls=("block",)))
        action = evaluate_sign_in(t, session(auth("fido2")), REGISTER_DEVICE)
        assert action.outcome is Outcome.ALLOW
        assert result_for(action, "all").analysis_reasons == ("userActions",)
        service = evaluate_sign_in(t, session(auth("fido2")), DEVICE_REGISTRATION_SERVICE)
        assert service.outcome is Outcome.DENY


class TestDeviceFilterExplanations:
    """Extension attributes have a value only on an Intune-managed, compliant or hybrid
    joined device:
    https://learn.microsoft.com/entra/identity/conditional-access/concept-condition-filters-for-devices
    """

    def _tenant(self, rule: str, mode: str = "exclude"):  # type: ignore[no-untyped-def]
        return tenant(policy("p1", applications=ApplicationConditions(
            include_applications=["All"]), controls=("block",),
            devices=DeviceConditions(device_filter=Filter(mode=mode, rule=rule))))

    def test_extension_attribute_on_unmanaged_device_says_why(self) -> None:
        """A non-compliant, unmanaged, Entra joined device carrying extensionAttribute1
        does not match the exclude filter, and the explanation says why."""
        t = self._tenant('device.extensionAttribute1 -eq "SAW"')
        device = Device(is_compliant=False, trust_type="AzureAD",
                        extension_attributes={"extensionAttribute1": "SAW"})
        d = evaluate_sign_in(t, session(auth("fido2"), device=device), APP)
        assert d.outcome is Outcome.DENY
        text = " ".join(result_for(d, "p1").details)
        assert "does not match the exclude filter" in text
        assert "extensionAttribute1 has no value: extension attributes exist only on an " \
            "Intune-managed, compliant or hybrid Entra joined device" in text

    def test_compliant_device_exposes_the_attribute(self) -> None:
        """On a compliant device the attribute has its value: excluded, no note."""
        t = self._tenant('device.extensionAttribute1 -eq "SAW"')
        device = Device(is_compliant=True, extension_attributes={"extensionAttribute1": "SAW"})
        d = evaluate_sign_in(t, session(auth("fido2"), device=device), APP)
        assert d.outcome is Outcome.ALLOW
        assert "has no value" not in " ".join(result_for(d, "p1").details)

    def test_unregistered_device_says_why(self) -> None:
        """An unregistered device has no value for any property."""
        d = evaluate_sign_in(self._tenant('device.trustType -eq "AzureAD"'),
                             session(auth("fido2")), APP)
        assert "an unregistered device has no value for any property" in \
            " ".join(result_for(d, "p1").details)

    def test_missing_property_is_named(self) -> None:
        """A registered device without the property: the property is named."""
        d = evaluate_sign_in(self._tenant('device.model -eq "X1"'),
                             session(auth("fido2"), device=Device(trust_type="AzureAD")),
                             APP)
        assert "model has no value on this device" in " ".join(result_for(d, "p1").details)


# The whatIfAnalysisReasons members, as the Graph v1.0 whatIfAnalysisResult page lists
# them: https://learn.microsoft.com/graph/api/resources/whatifanalysisresult?view=graph-rest-1.0
GRAPH_REASONS = (
    "notSet", "notEnoughInformation", "invalidCondition", "users", "workloadIdentities",
    "application", "userActions", "authenticationContext", "devicePlatform", "devices",
    "clientApps", "location", "signInRisk", "emptyPolicy", "invalidPolicy",
    "policyNotEnabled", "userRisk", "time", "insiderRisk", "authenticationFlow",
    "unknownFutureValue",
)


def test_analysis_reasons_are_graphs_names() -> None:
    """Every reason the engine can report is spelled as Graph spells it."""
    assert {r.value for r in AnalysisReason} <= set(GRAPH_REASONS)


@pytest.mark.parametrize(("target", "conditions", "reason"), [
    (APP, {"applications": ApplicationConditions(include_applications=["app-2"])},
     "application"),
    (REGISTER_DEVICE, {"applications": ApplicationConditions(
        include_user_actions=[REGISTER_SECURITY_INFO])}, "userActions"),
    (APP, {"applications": ApplicationConditions(include_applications=["All"]),
               "sign_in_risk_levels": ["high"]}, "signInRisk"),
    (APP, {"applications": ApplicationConditions(include_applications=["All"]),
               "user_risk_levels": ["high"]}, "userRisk"),
    (APP, {"applications": ApplicationConditions(include_applications=["All"]),
               "client_app_types": ["exchangeActiveSync"]}, "clientApps"),
])
def test_not_applied_results_carry_graphs_reason(target: str, conditions: dict[str, object],
                                                  reason: str) -> None:
    """A notApplied result names the first condition not met with Graph's value."""
    p = policy("p1", **conditions)
    d = evaluate_sign_in(tenant(p), session(auth("fido2")), target)
    result = result_for(d, "p1")
    assert (result.applies, result.result.value) == (False, "notApplied")
    assert result.analysis_reasons == (reason,)
    assert result.analysis_reasons[0] in GRAPH_REASONS


def test_disabled_policy_reason() -> None:
    """A disabled policy: ``policyNotEnabled``."""
    d = evaluate_sign_in(tenant(all_resources(state="disabled")), session(), APP)
    assert result_for(d, "all").analysis_reasons == ("policyNotEnabled",)

