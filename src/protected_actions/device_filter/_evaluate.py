"""Evaluate device filter trees against a device.

A device is a mapping from canonical property names to values (``str``,
``bool`` for ``isCompliant``, a tuple of strings for ``physicalIds`` and
``systemLabels``), or ``None`` for an unregistered device. Two paths share one
comparison routine: :meth:`DeviceFilter.matches` (compiled closures, no
allocation per step) and :meth:`DeviceFilter.evaluate` (records every comparison
it evaluates).
"""

from __future__ import annotations

import operator as _op
from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType
from typing import Any

import attrs

from ._nodes import (
    PROPERTIES,
    BoolOp,
    Comparison,
    Node,
    Not,
    Operator,
    Property,
    Span,
    Value,
    ValueKind,
    canonicalize,
    format_value,
)

DeviceValue = str | bool | tuple[str, ...] | None
"""What a device holds for one property; ``None`` is null."""

Device = Mapping[str, DeviceValue] | None
"""A device by canonical property name; ``None`` is an unregistered device."""

_Test = Callable[[DeviceValue], bool]
_Predicate = Callable[[Device], bool]

# --------------------------------------------------------------------------------------
# Comparing one value
#
# Null semantics (entra-facts §7.4), stated once and applied to every operator:
#   * A null device value (unregistered device, missing key, explicit None) makes every
#     positive operator (-eq -startsWith -endsWith -contains -in) false.
#   * Each negative operator is the negation of its positive twin, so every negative
#     operator (-ne -notStartsWith -notEndsWith -notContains -notIn) is true against null.
#   * The literal null: `-eq null` is true exactly when the value is null, and `-ne null`,
#     its negation, exactly when it is not.
# Strings compare case-insensitively (both sides casefolded). `-contains` is a substring
# test on strings and a whole-element test on collections (entra-facts §7.1).
# --------------------------------------------------------------------------------------

_POSITIVE_TESTS: Mapping[tuple[ValueKind, Operator], Callable[[Any, Any], bool]] = (
    MappingProxyType(
        {
            (ValueKind.STRING, Operator.EQ): _op.eq,
            (ValueKind.STRING, Operator.STARTS_WITH): str.startswith,
            (ValueKind.STRING, Operator.ENDS_WITH): str.endswith,
            (ValueKind.STRING, Operator.CONTAINS): _op.contains,
            (ValueKind.STRING, Operator.IN): lambda actual, options: actual in options,
            (ValueKind.BOOLEAN, Operator.EQ): _op.eq,
            (ValueKind.COLLECTION, Operator.CONTAINS): _op.contains,
        }
    )
)
"""(property kind, positive operator) -> test(folded device value, folded literal)."""


def _fold_collection(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(value.casefold() for value in values)


_FOLD_DEVICE_VALUE: Mapping[ValueKind, Callable[[Any], Any]] = MappingProxyType(
    {ValueKind.STRING: str.casefold, ValueKind.BOOLEAN: bool,
     ValueKind.COLLECTION: _fold_collection}
)

_ACCEPTED_TYPES: Mapping[ValueKind, tuple[type, ...]] = MappingProxyType(
    {ValueKind.STRING: (str,), ValueKind.BOOLEAN: (bool,),
     ValueKind.COLLECTION: (tuple, list, frozenset, set)}
)


def _fold_literal(value: Value) -> Any:
    if isinstance(value, tuple):
        return frozenset(_fold_collection(value))
    return value.casefold() if isinstance(value, str) else value


def _never(actual: Any) -> bool:
    return False


def _positive_test(kind: ValueKind, operator: Operator, literal: Value) -> tuple[bool, _Test]:
    """(result for a null value, test of a present value) of a positive operator."""
    if literal is None:
        return True, _never  # `-eq null`
    compare = _POSITIVE_TESTS[kind, operator]
    fold = _FOLD_DEVICE_VALUE[kind]
    expected = _fold_literal(literal)
    return False, lambda actual: compare(fold(actual), expected)


def compile_comparison(node: Comparison) -> tuple[bool, _Test]:
    """(result for a null value, test of a present value) of ``node``, as stated above."""
    kind = PROPERTIES[node.property].kind
    when_null, test = _positive_test(kind, node.operator.positive, node.value)
    if node.operator.is_negative:
        return not when_null, lambda actual: not test(actual)
    return when_null, test


def _check_type(prop: Property, raw: object) -> None:
    if not isinstance(raw, _ACCEPTED_TYPES[prop.kind]):
        wanted = " or ".join(t.__name__ for t in _ACCEPTED_TYPES[prop.kind])
        raise TypeError(f"device[{prop.name!r}] must be {wanted} or None, got {raw!r}")


def read_device_value(device: Device, prop: Property) -> DeviceValue:
    """The value ``device`` holds for ``prop``: ``None`` when unregistered or missing."""
    raw = None if device is None else device.get(prop.name)
    if raw is None:
        return None
    _check_type(prop, raw)
    if isinstance(raw, (list, set, frozenset)):  # a collection may come as a JSON list
        return tuple(raw)
    return raw


# --------------------------------------------------------------------------------------
# The fast path: a tree compiled to closures
# --------------------------------------------------------------------------------------

def _compile_comparison_node(node: Comparison) -> _Predicate:
    prop = PROPERTIES[node.property]
    name, accepted = prop.name, _ACCEPTED_TYPES[prop.kind]
    when_null, test = compile_comparison(node)

    def predicate(device: Device) -> bool:
        raw = None if device is None else device.get(name)
        if raw is None:
            return when_null
        if not isinstance(raw, accepted):
            _check_type(prop, raw)
        return test(raw)

    return predicate


def _all_of(operands: tuple[_Predicate, ...]) -> _Predicate:
    def predicate(device: Device) -> bool:
        for operand in operands:  # noqa: SIM110 (a plain loop is faster than all() here)
            if not operand(device):
                return False
        return True

    return predicate


def _any_of(operands: tuple[_Predicate, ...]) -> _Predicate:
    def predicate(device: Device) -> bool:
        for operand in operands:  # noqa: SIM110 (a plain loop is faster than any() here)
            if operand(device):
                return True
        return False

    return predicate


_COMBINERS: Mapping[str, Callable[[tuple[_Predicate, ...]], _Predicate]] = MappingProxyType(
    {"-and": _all_of, "-or": _any_of}
)


def _compile_bool_op(node: BoolOp) -> _Predicate:
    operands = tuple(compile_node(operand) for operand in node.operands)
    return _COMBINERS[node.op](operands)


def _compile_not(node: Not) -> _Predicate:
    operand = compile_node(node.operand)
    return lambda device: not operand(device)


_COMPILERS: Mapping[type, Callable[[Any], _Predicate]] = MappingProxyType(
    {Comparison: _compile_comparison_node, BoolOp: _compile_bool_op, Not: _compile_not}
)


def compile_node(node: Node) -> _Predicate:
    """Compile ``node`` to a function of the device that returns whether it matches."""
    return _COMPILERS[type(node)](node)


# --------------------------------------------------------------------------------------
# The explaining path: every comparison evaluated, in order
# --------------------------------------------------------------------------------------


def _describe(step: ComparisonStep) -> str:
    actual = "null" if step.actual is None else format_value(step.actual)
    verdict = "true" if step.result else "false"
    literal = format_value(step.value)
    return f"device.{step.property} is {actual}: {step.operator} {literal} is {verdict}"


@attrs.frozen
class ComparisonStep:
    """One comparison evaluated against a device, and what it gave.

    ``value`` is the literal in the rule, ``actual`` the device's value (``None``
    for null) and ``span`` where the comparison sits in the canonical rule.
    """

    property: str
    operator: Operator
    value: Value
    actual: DeviceValue
    result: bool
    span: Span
    message: str = attrs.field(init=False, default=attrs.Factory(_describe, takes_self=True))
    """A sentence such as ``device.trustType is "AzureAD": -eq "AzureAD" is true``."""


@attrs.frozen
class FilterResult:
    """Whether a device matched a rule, with the comparisons that decided it.

    ``steps`` holds one entry per comparison actually evaluated: ``-and`` stops at
    the first false operand and ``-or`` at the first true one.
    """

    rule: str
    matched: bool
    steps: tuple[ComparisonStep, ...]

    def explain(self) -> str:
        """Render the verdict and every step, one per line."""
        verdict = "matched" if self.matched else "did not match"
        lines = [f"{verdict}: {self.rule}"]
        lines += [f"  {step.message}" for step in self.steps]
        return "\n".join(lines)


def _trace_comparison(node: Comparison, device: Device, steps: list[ComparisonStep]) -> bool:
    actual = read_device_value(device, PROPERTIES[node.property])
    when_null, test = compile_comparison(node)
    result = when_null if actual is None else test(actual)
    steps.append(
        ComparisonStep(node.property, node.operator, node.value, actual, result, node.span)
    )
    return result


def _trace_bool_op(node: BoolOp, device: Device, steps: list[ComparisonStep]) -> bool:
    decisive = node.op == "-or"  # -or stops at the first true operand, -and at the first false
    for operand in node.operands:
        if _trace(operand, device, steps) is decisive:
            return decisive
    return not decisive


def _trace_not(node: Not, device: Device, steps: list[ComparisonStep]) -> bool:
    return not _trace(node.operand, device, steps)


_TRACERS: Mapping[type, Callable[[Any, Device, list[ComparisonStep]], bool]] = (
    MappingProxyType({Comparison: _trace_comparison, BoolOp: _trace_bool_op, Not: _trace_not})
)


def _trace(node: Node, device: Device, steps: list[ComparisonStep]) -> bool:
    return _TRACERS[type(node)](node, device, steps)


# --------------------------------------------------------------------------------------
# The public value
# --------------------------------------------------------------------------------------


def _comparisons(node: Node) -> Iterable[Comparison]:
    if isinstance(node, Comparison):
        yield node
    elif isinstance(node, Not):
        yield from _comparisons(node.operand)
    else:
        for operand in node.operands:
            yield from _comparisons(operand)


@attrs.frozen(init=False, eq=False, repr=False)
class DeviceFilter:
    """A parsed device filter rule: an immutable value.

    ``source`` is the canonical text of the rule and ``tree`` its syntax tree,
    with spans pointing into ``source``. Equality and hashing use the canonical
    text, so ``parse_device_filter(str(f)) == f``.

    >>> from protected_actions.device_filter import parse_device_filter
    >>> f = parse_device_filter("device.trusttype eq 'AzureAD'")
    >>> f
    <DeviceFilter('device.trustType -eq "AzureAD"')>
    >>> f.matches({"trustType": "azuread"}), f.matches(None)
    (True, False)
    """

    tree: Node
    source: str = attrs.field(init=False)
    _predicate: _Predicate = attrs.field(init=False)

    def __init__(self, tree: Node) -> None:
        """Build the filter for ``tree`` (any spans in it are replaced)."""
        source, canonical = canonicalize(tree)
        self.__attrs_init__(canonical)
        object.__setattr__(self, "source", source)
        object.__setattr__(self, "_predicate", compile_node(canonical))

    def matches(self, device: Device) -> bool:
        """Whether ``device`` (``None`` when unregistered) satisfies the rule."""
        return self._predicate(device)

    def evaluate(self, device: Device) -> FilterResult:
        """Evaluate the rule against ``device`` and record every comparison made."""
        steps: list[ComparisonStep] = []
        matched = _trace(self.tree, device, steps)
        return FilterResult(self.source, matched, tuple(steps))

    def literals(self) -> Mapping[str, tuple[str | bool | None, ...]]:
        """Property -> the distinct literals the rule compares it against, in rule order.

        List elements count one by one; ``None`` stands for ``null``.
        """
        found: dict[str, dict[str | bool | None, None]] = {}
        for node in _comparisons(self.tree):
            values = node.value if isinstance(node.value, tuple) else (node.value,)
            found.setdefault(node.property, {}).update(dict.fromkeys(values))
        return MappingProxyType({name: tuple(values) for name, values in found.items()})

    def __str__(self) -> str:
        return self.source

    def __repr__(self) -> str:
        return f"<DeviceFilter({self.source!r})>"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, DeviceFilter):
            return NotImplemented
        return self.source == other.source

    def __hash__(self) -> int:
        return hash(self.source)

    def __reduce__(self) -> tuple[type[DeviceFilter], tuple[Node]]:
        return (DeviceFilter, (self.tree,))
