"""Model Microsoft Entra ID protected actions and Conditional Access, and decide,
deterministically, whether a person may perform an action now: allow, challenge
(step up) or deny, with an explanation."""

from __future__ import annotations

from .analysis import (
    DecisionChange,
    DiffReport,
    Finding,
    LockoutReport,
    Severity,
    Witness,
    diff,
    find_lockouts,
    lint,
)
from .device_filter import DeviceFilter, parse_device_filter
from .engine.decision import (
    AnalysisReason,
    Challenge,
    Control,
    ControlKind,
    Decision,
    Outcome,
    PolicyResult,
    PolicyResultName,
    PolicyVerdict,
    Reason,
    ReasonCode,
    Requirement,
)
from .engine.evaluator import evaluate, evaluate_sign_in
from .engine.step_up import simulate_step_up
from .errors import (
    DeviceFilterSyntaxError,
    InvalidModelError,
    InvalidPermissionError,
    LoadError,
    LoadProblem,
    ProtectedActionsError,
)
from .graph import (
    dump_policy,
    dump_session,
    dump_tenant,
    load_policies,
    load_policy,
    load_session,
    load_tenant,
)
from .model.contexts import AuthContext, ProtectedAction
from .model.locations import (
    UNKNOWN_COUNTRY,
    CompliantNetworkNamedLocation,
    CountryNamedLocation,
    IpNamedLocation,
    IpRange,
)
from .model.methods import (
    BUILT_IN_STRENGTHS,
    MFA_STRENGTH,
    PASSWORDLESS_MFA_STRENGTH,
    PHISHING_RESISTANT_MFA_STRENGTH,
    Authentication,
    AuthenticationStrength,
    AuthMethod,
    CombinationConfiguration,
)
from .model.permissions import (
    BUILT_IN_ROLES,
    CONDITIONAL_ACCESS_ADMINISTRATOR,
    GLOBAL_ADMINISTRATOR,
    PRIVILEGED_ROLE_ADMINISTRATOR,
    PROTECTABLE_PERMISSIONS,
    SECURITY_ADMINISTRATOR,
    Permission,
    RoleDefinition,
)
from .model.policy import (
    ApplicationConditions,
    AuthenticationFlows,
    ClientApplications,
    ClientAppType,
    Conditions,
    DeviceConditions,
    DevicePlatform,
    DeviceStates,
    ExternalTenants,
    Filter,
    GrantControl,
    GrantControls,
    GuestOrExternalUserType,
    GuestsOrExternalUsers,
    LocationConditions,
    PlatformConditions,
    Policy,
    PolicyState,
    RiskLevel,
    SessionControls,
    SignInFrequency,
    UserConditions,
)
from .model.session import Device, SessionState, User
from .model.tenant import Group, RoleAssignment, RoleEligibility, Tenant
from .version import __version__

# Importing the notebook package registers the HTML views of decisions, reports and
# tenants (their ``_repr_html_``); it needs nothing beyond the library itself.
from . import notebook as _notebook  # noqa: F401  isort: skip
from . import replay as replay  # isort: skip  (``pa.replay``: sign-in log replay)

__all__ = [
    # evaluation
    "evaluate",
    "evaluate_sign_in",
    "simulate_step_up",
    # Microsoft Graph JSON
    "dump_policy",
    "dump_session",
    "dump_tenant",
    "load_policies",
    "load_policy",
    "load_session",
    "load_tenant",
    # analysis
    "Finding",
    "LockoutReport",
    "Severity",
    "Witness",
    "find_lockouts",
    "lint",
    "DecisionChange",
    "DiffReport",
    "diff",
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
]
