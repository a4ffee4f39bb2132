"""Conditional Access policy models: conditions, grant controls, session controls."""

from __future__ import annotations

from collections.abc import Callable

import attrs
import pytest
from tests.helpers import policy

from protected_actions import (
    ApplicationConditions,
    ClientAppType,
    Conditions,
    DevicePlatform,
    Filter,
    GrantControl,
    GrantControls,
    InvalidModelError,
    LocationConditions,
    PlatformConditions,
    Policy,
    PolicyState,
    ProtectedActionsError,
    RiskLevel,
    SessionControls,
    SignInFrequency,
    UserConditions,
)


class TestEnums:
    """Graph vocabularies as enums with the exact Graph strings."""

    def test_policy_states(self) -> None:
        """The three documented policy states."""
        # entra-facts §3.1
        assert {s.value for s in PolicyState} == {
            "enabled", "disabled", "enabledForReportingButNotEnforced"}

    def test_grant_controls(self) -> None:
        """The documented built-in grant controls."""
        # entra-facts §3.9
        assert {c.value for c in GrantControl} == {
            "block", "mfa", "compliantDevice", "domainJoinedDevice", "approvedApplication",
            "compliantApplication", "passwordChange", "riskRemediation", "unknownFutureValue"}

    def test_platforms_keep_graph_case(self) -> None:
        """Platform values keep Graph's case (``iOS``, ``macOS``)."""
        # entra-facts §3.6
        assert DevicePlatform.IOS.value == "iOS"
        assert DevicePlatform.MACOS.value == "macOS"

    def test_client_app_types(self) -> None:
        """Client app types include the legacy ``exchangeActiveSync`` and ``other``."""
        # entra-facts §3.2
        assert {"exchangeActiveSync", "other", "browser",
                "mobileAppsAndDesktopClients"} <= {c.value for c in ClientAppType}

    def test_risk_levels(self) -> None:
        """Risk levels include ``none`` and ``hidden``."""
        # entra-facts §6.7
        assert {r.value for r in RiskLevel} == {"low", "medium", "high", "hidden", "none"}

    def test_str_is_the_graph_value(self) -> None:
        """``str`` of a member is its Graph value."""
        assert str(PolicyState.REPORT_ONLY) == "enabledForReportingButNotEnforced"


class TestPolicy:
    """The policy model."""

    def test_defaults(self) -> None:
        """A policy defaults to enabled with no conditions and no controls."""
        p = Policy(id="p1")
        assert p.state == "enabled"
        assert p.conditions == Conditions()
        assert p.grant_controls is None
        assert p.session_controls is None

    def test_enum_state_stored_as_graph_string(self) -> None:
        """An enum member given as state is stored as its plain Graph string."""
        p = Policy(id="p1", state=PolicyState.REPORT_ONLY)
        assert p.state == "enabledForReportingButNotEnforced"
        assert type(p.state) is str

    def test_unknown_state_kept(self) -> None:
        """A state the library does not know is kept as written (decided later)."""
        assert Policy(id="p1", state="partiallyEnabled").state == "partiallyEnabled"

    def test_targets_context(self) -> None:
        """``targets_context`` reads the included auth contexts."""
        p = policy(contexts=("c1", "c37"))
        assert p.targets_context("c37")
        assert not p.targets_context("c2")
        assert not Policy(id="p2").targets_context("c1")

    @pytest.mark.parametrize(("build", "field", "expected"), [
        (lambda: Policy(id=""), "Policy.id", "a non-empty string"),
        (lambda: Policy(id="p1", state=""), "Policy.state", "a non-empty string"),
        (lambda: Policy(id="p1", description=3), "Policy.description", "a string or None"),
        (lambda: Policy(id="p1", template_id=[]), "Policy.template_id", "a string or None"),
    ])
    def test_invalid_values_name_the_field(self, build: Callable[[], object], field: str,
                                           expected: str) -> None:
        """Each invalid value raises InvalidModelError naming the field and expectation."""
        with pytest.raises(InvalidModelError) as info:
            build()
        assert info.value.field == field
        assert info.value.expected == expected

    def test_wrong_type_display_name_names_the_field(self) -> None:
        """A non-string display name raises the library's own error, naming the field."""
        # DESIGN §7: all raised errors derive from ProtectedActionsError.
        with pytest.raises(ProtectedActionsError) as info:
            Policy(id="p1", display_name=3)  # type: ignore[arg-type]
        assert isinstance(info.value, InvalidModelError)
        assert info.value.field == "Policy.display_name"

    def test_hashable(self) -> None:
        """Equal policies hash alike; a set deduplicates them."""
        assert hash(policy()) == hash(policy())
        assert len({policy(), policy(), policy("p2")}) == 2

    def test_frozen(self) -> None:
        """A policy cannot be changed in place."""
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            policy().state = "disabled"  # type: ignore[misc]

    def test_evolve(self) -> None:
        """``attrs.evolve`` returns a changed copy and leaves the original alone."""
        p = policy()
        off = attrs.evolve(p, state=PolicyState.DISABLED)
        assert off.state == "disabled"
        assert p.state == "enabled"
        assert off.conditions is p.conditions

    def test_evolve_validates(self) -> None:
        """``attrs.evolve`` validates the new value."""
        with pytest.raises(InvalidModelError):
            attrs.evolve(policy(), id="")


class TestConditions:
    """Conditions and their nested parts."""

    def test_lists_become_tuples(self) -> None:
        """Lists are stored as tuples, in order, so conditions hash."""
        users = UserConditions(include_users=["All"], exclude_groups=["g2", "g1"])
        assert users.exclude_groups == ("g2", "g1")
        assert hash(users) == hash(UserConditions(include_users=("All",),
                                                  exclude_groups=("g2", "g1")))

    def test_enum_values_become_strings(self) -> None:
        """Enum members in a list become their Graph strings."""
        platforms = PlatformConditions(include_platforms=[DevicePlatform.IOS])
        assert platforms.include_platforms == ("iOS",)

    @pytest.mark.parametrize(("build", "field"), [
        (lambda: UserConditions(include_users="All"), "UserConditions.include_users"),
        (lambda: UserConditions(include_users=["All", ""]), "UserConditions.include_users"),
        (lambda: ApplicationConditions(include_authentication_context_class_references="c1"),
         "ApplicationConditions.include_authentication_context_class_references"),
        (lambda: LocationConditions(include_locations=[None]),
         "LocationConditions.include_locations"),
        (lambda: Conditions(client_app_types="browser"), "Conditions.client_app_types"),
        (lambda: Conditions(sign_in_risk_levels=[1]), "Conditions.sign_in_risk_levels"),
    ])
    def test_invalid_collections_name_the_field(self, build: Callable[[], object],
                                                field: str) -> None:
        """A bare string or a bad element is rejected, naming the field."""
        with pytest.raises(InvalidModelError) as info:
            build()
        assert info.value.field == field
        assert info.value.expected == "a collection of non-empty strings"

    def test_filter_mode_must_not_be_empty(self) -> None:
        """A filter needs a mode."""
        with pytest.raises(InvalidModelError) as info:
            Filter(mode="", rule='device.trustType -eq "AzureAD"')
        assert info.value.field == "Filter.mode"


class TestGrantControls:
    """Grant controls (entra-facts §3.9)."""

    def test_defaults(self) -> None:
        """Defaults: operator OR and nothing required."""
        g = GrantControls()
        assert g.operator == "OR"
        assert g.built_in_controls == ()
        assert g.authentication_strength is None

    def test_enum_controls_become_strings(self) -> None:
        """Enum members become their Graph strings, in order."""
        g = GrantControls(operator="AND",
                          built_in_controls=[GrantControl.MFA, GrantControl.COMPLIANT_DEVICE])
        assert g.built_in_controls == ("mfa", "compliantDevice")

    def test_unknown_control_kept(self) -> None:
        """An unknown grant control is kept as written (the evaluator fails closed)."""
        assert GrantControls(built_in_controls=["compliantNetwork"]).built_in_controls == (
            "compliantNetwork",)

    def test_bare_string_rejected(self) -> None:
        """A bare string of controls is rejected, naming the field."""
        with pytest.raises(InvalidModelError) as info:
            GrantControls(built_in_controls="mfa")  # type: ignore[arg-type]
        assert info.value.field == "GrantControls.built_in_controls"

    def test_empty_operator_rejected(self) -> None:
        """The operator cannot be empty."""
        with pytest.raises(InvalidModelError) as info:
            GrantControls(operator="")
        assert info.value.field == "GrantControls.operator"

    def test_strength_id_must_be_a_string(self) -> None:
        """The strength is referenced by its id string."""
        with pytest.raises(InvalidModelError) as info:
            GrantControls(authentication_strength=2)  # type: ignore[arg-type]
        assert info.value.field == "GrantControls.authentication_strength"
        assert info.value.expected == "a string or None"


class TestSessionControls:
    """Session controls: sign-in frequency (entra-facts §3.10, §6.8)."""

    def test_time_based(self) -> None:
        """A time-based frequency keeps value and type."""
        sif = SignInFrequency(value=4, type="hours", frequency_interval="timeBased")
        assert (sif.value, sif.type, sif.is_enabled) == (4, "hours", True)

    def test_every_time(self) -> None:
        """``everyTime`` needs no value."""
        sif = SignInFrequency(frequency_interval="everyTime")
        assert sif.value is None
        assert sif.frequency_interval == "everyTime"

    @pytest.mark.parametrize("value", [-1, True, 1.5, "4"])
    def test_value_must_be_a_non_negative_int(self, value: object) -> None:
        """The value is a non-negative int (not a bool, float or string)."""
        with pytest.raises(InvalidModelError) as info:
            SignInFrequency(value=value, type="hours")  # type: ignore[arg-type]
        assert info.value.field == "SignInFrequency.value"
        assert info.value.expected == "a non-negative int or None"

    def test_other_session_controls_kept_as_data(self) -> None:
        """Session controls the evaluator does not use are kept, hashable."""
        from protected_actions.model.frozen import freeze_mapping

        controls = SessionControls(others=freeze_mapping(
            {"persistentBrowser": {"isEnabled": True, "mode": "never"}}))
        assert controls.others["persistentBrowser"]["mode"] == "never"  # type: ignore[index]
        assert hash(controls) == hash(attrs.evolve(controls))
