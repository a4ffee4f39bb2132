"""Hypothesis strategies for protected-actions models.

Needs the ``hypothesis`` extra (``pip install protected-actions[hypothesis]``).
The strategies follow Hypothesis's API style: every argument is keyword-only
with a default, parts you may want to vary are strategies, bad arguments raise
:class:`hypothesis.errors.InvalidArgument` when a value is first drawn, and a
strategy's ``repr`` shows how it was built.

>>> from hypothesis import given, settings
>>> import protected_actions as pa
>>> from protected_actions.strategies import tenants_and_sessions
>>> @settings(max_examples=5, database=None)
... @given(tenants_and_sessions())
... def test_decides(pair):
...     tenant, session = pair
...     decision = pa.evaluate(tenant, session, "microsoft.directory/namedLocations/create")
...     assert decision.outcome in pa.Outcome
>>> test_decides()

Installing the package also registers these strategies with Hypothesis (the
``hypothesis`` entry point), so ``st.from_type(pa.Policy)`` and ``st.builds``
work without setup.
"""

from __future__ import annotations


def _hypothesis_setup_hook() -> None:
    """Register a strategy for each model, so that ``st.from_type`` and
    ``st.builds`` generate valid ones; Hypothesis calls it through the
    ``hypothesis`` entry point when it is imported.

    It is defined before this module imports Hypothesis: importing this module
    first imports Hypothesis, which looks the hook up on this (still partly
    initialized) module.
    """
    from hypothesis import strategies as st

    from protected_actions.device_filter import DeviceFilter
    from protected_actions.model.contexts import AuthContext
    from protected_actions.model.locations import (
        CompliantNetworkNamedLocation,
        CountryNamedLocation,
        IpNamedLocation,
        IpRange,
    )
    from protected_actions.model.methods import Authentication
    from protected_actions.model.permissions import Permission
    from protected_actions.model.policy import Policy
    from protected_actions.model.session import Device, SessionState, User
    from protected_actions.model.tenant import Tenant
    from protected_actions.strategies import _core, _device_filters, _locations

    registrations: list[tuple[type, st.SearchStrategy[object]]] = [
        (Permission, _core.permissions()),
        (AuthContext, _core.auth_contexts()),
        (Authentication, _core.authentications()),
        (User, _core.users()),
        (Device, _core.devices()),
        (Policy, _core.policies()),
        (SessionState, _core.sessions()),
        (Tenant, _core.tenants()),
        (DeviceFilter, _device_filters.device_filters()),
        (IpRange, _locations.ip_ranges()),
        (IpNamedLocation, _locations.ip_named_locations()),
        (CountryNamedLocation, _locations.country_named_locations()),
        (CompliantNetworkNamedLocation, _locations.compliant_network_named_locations()),
    ]
    for model, strategy in registrations:
        st.register_type_strategy(model, strategy)


try:
    import hypothesis  # noqa: F401
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError(
        "protected_actions.strategies needs Hypothesis; install it with "
        "`pip install protected-actions[hypothesis]`"
    ) from exc

from ._core import (  # noqa: E402
    auth_contexts,
    authentications,
    devices,
    permissions,
    policies,
    session_states,
    sessions,
    tenants,
    tenants_and_sessions,
    users,
)
from ._device_filters import device_filter_rules, device_filters  # noqa: E402
from ._locations import (  # noqa: E402
    compliant_network_named_locations,
    country_named_locations,
    ip_named_locations,
    ip_ranges,
    named_locations,
)

__all__ = [
    "auth_contexts",
    "authentications",
    "compliant_network_named_locations",
    "country_named_locations",
    "device_filter_rules",
    "device_filters",
    "devices",
    "ip_named_locations",
    "ip_ranges",
    "named_locations",
    "permissions",
    "policies",
    "session_states",
    "sessions",
    "tenants",
    "tenants_and_sessions",
    "users",
]


def __dir__() -> list[str]:
    return __all__
