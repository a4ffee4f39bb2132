"""The device filter rule language of Conditional Access (entra-facts §7).

Parse a rule with :func:`parse_device_filter`, then ask the resulting
:class:`DeviceFilter` whether a device matches (:meth:`DeviceFilter.matches`) or
why (:meth:`DeviceFilter.evaluate`). The package stands alone: it needs only
the standard library, attrs and :mod:`protected_actions.errors`.
"""

from __future__ import annotations

from ._evaluate import ComparisonStep, DeviceFilter, FilterResult
from ._nodes import (
    PROPERTIES,
    BoolOp,
    Comparison,
    Not,
    Operator,
    Property,
    ValueKind,
)
from ._parser import MAX_RULE_LENGTH, parse_device_filter

__all__ = [
    "BoolOp",
    "Comparison",
    "ComparisonStep",
    "DeviceFilter",
    "FilterResult",
    "MAX_RULE_LENGTH",
    "Not",
    "Operator",
    "PROPERTIES",
    "Property",
    "ValueKind",
    "parse_device_filter",
]


def __dir__() -> list[str]:
    return __all__
