"""The public API: ``protected_actions.__all__`` is pinned so changes are deliberate."""

from __future__ import annotations

import importlib

import pytest

import protected_actions

EXPECTED = {
    # Microsoft Graph JSON and analysis entry points (DESIGN §3)
    "dump_policy", "dump_session", "dump_tenant", "load_policies", "load_policy",
    "load_session", "load_tenant", "Finding", "LockoutReport", "Severity", "Witness",
    "find_lockouts", "lint", "DecisionChange", "DiffReport", "diff",
    # evaluation
    "evaluate",
    "evaluate_sign_in",
    "simulate_step_up",
    # results
    "AnalysisReason",
    "Challenge",
    "Control",
    "ControlKind",
    "Decision",
    "Outcome",
    "PolicyResult",
    "PolicyResultName",
    "PolicyVerdict",
    "Reason",
    "ReasonCode",
    "Requirement",
    # models
    "ApplicationConditions",
    "AuthContext",
    "AuthMethod",
    "Authentication",
    "AuthenticationFlows",
    "AuthenticationStrength",
    "BUILT_IN_ROLES",
    "BUILT_IN_STRENGTHS",
    "CONDITIONAL_ACCESS_ADMINISTRATOR",
    "ClientAppType",
    "ClientApplications",
    "CombinationConfiguration",
    "CompliantNetworkNamedLocation",
    "Conditions",
    "CountryNamedLocation",
    "Device",
    "DeviceConditions",
    "DeviceFilter",
    "DevicePlatform",
    "DeviceStates",
    "ExternalTenants",
    "Filter",
    "GLOBAL_ADMINISTRATOR",
    "GrantControl",
    "GrantControls",
    "Group",
    "GuestOrExternalUserType",
    "GuestsOrExternalUsers",
    "IpNamedLocation",
    "IpRange",
    "LocationConditions",
    "MFA_STRENGTH",
    "PASSWORDLESS_MFA_STRENGTH",
    "PHISHING_RESISTANT_MFA_STRENGTH",
    "PRIVILEGED_ROLE_ADMINISTRATOR",
    "PROTECTABLE_PERMISSIONS",
    "Permission",
    "PlatformConditions",
    "Policy",
    "PolicyState",
    "ProtectedAction",
    "RiskLevel",
    "RoleAssignment",
    "RoleDefinition",
    "RoleEligibility",
    "SECURITY_ADMINISTRATOR",
    "SessionControls",
    "SessionState",
    "SignInFrequency",
    "Tenant",
    "UNKNOWN_COUNTRY",
    "User",
    "UserConditions",
    "parse_device_filter",
    # errors
    "DeviceFilterSyntaxError",
    "InvalidModelError",
    "InvalidPermissionError",
    "LoadError",
    "LoadProblem",
    "ProtectedActionsError",
    "__version__",
}

#: The models DESIGN §3 promises at the top level (contract).
DESIGN_MODELS = {"Permission", "AuthContext", "ProtectedAction", "Policy", "SessionState",
                 "User", "Device", "Authentication", "AuthMethod", "AuthenticationStrength",
                 "Tenant", "Outcome", "Decision"}

MODULES = ["analysis", "apps", "cli", "engine", "errors", "graph", "notebook",
           "model.contexts", "engine.decision", "model.methods", "model.permissions",
           "model.policy", "model.session", "model.tenant"]


class TestTopLevel:
    """``import protected_actions``."""

    def test_all_is_pinned(self) -> None:
        """``__all__`` equals the hand-written expected set."""
        assert set(protected_actions.__all__) == EXPECTED

    def test_all_has_no_duplicates(self) -> None:
        """No name is exported twice."""
        assert len(protected_actions.__all__) == len(set(protected_actions.__all__))

    def test_every_name_exists(self) -> None:
        """Every exported name is an attribute of the package."""
        missing = [n for n in protected_actions.__all__ if not hasattr(protected_actions, n)]
        assert missing == []

    def test_design_models_exported(self) -> None:
        """The models DESIGN §3 lists are importable from the top level."""
        assert DESIGN_MODELS <= EXPECTED

    def test_version_is_a_string(self) -> None:
        """``__version__`` comes from the installed metadata."""
        assert isinstance(protected_actions.__version__, str)
        assert protected_actions.__version__


class TestModules:
    """Every public module declares ``__all__`` and a matching ``__dir__``."""

    @pytest.mark.parametrize("name", MODULES)
    def test_dir_is_all(self, name: str) -> None:
        """``dir(module)`` lists exactly its ``__all__`` (``dir`` sorts the names)."""
        module = importlib.import_module(f"protected_actions.{name}")
        assert dir(module) == sorted(module.__all__)

    @pytest.mark.parametrize("name", MODULES)
    def test_every_name_exists(self, name: str) -> None:
        """Every name in a module's ``__all__`` exists."""
        module = importlib.import_module(f"protected_actions.{name}")
        assert [n for n in module.__all__ if not hasattr(module, n)] == []
