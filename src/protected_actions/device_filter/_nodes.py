"""The vocabulary and syntax tree of the device filter rule language.

The vocabulary is the operator set and the property table (entra-facts §7.2 and
§7.3). The tree has three node types: :class:`Comparison`, :class:`BoolOp` and
:class:`Not`. Every node carries ``span``, the ``(start, end)`` offsets of the
text it came from; spans take no part in equality, so two trees that differ only
in where they were written compare equal.

:func:`canonicalize` writes a tree in its canonical form and returns the same
tree with its spans pointing into that text.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from types import MappingProxyType
from typing import Literal

import attrs

from protected_actions.errors import InvalidModelError

Span = tuple[int, int]
"""``(start, end)`` offsets into a rule; ``end`` is exclusive."""

Value = str | bool | None | tuple[str, ...]
"""A literal in a rule: a string, a boolean, ``null`` or a list of strings."""

BoolOpName = Literal["-and", "-or"]
"""The two connectives, spelled canonically."""


class Operator(enum.Enum):
    """A comparison operator; its value is the canonical spelling."""

    EQ = "-eq"
    NE = "-ne"
    STARTS_WITH = "-startsWith"
    NOT_STARTS_WITH = "-notStartsWith"
    ENDS_WITH = "-endsWith"
    NOT_ENDS_WITH = "-notEndsWith"
    CONTAINS = "-contains"
    NOT_CONTAINS = "-notContains"
    IN = "-in"
    NOT_IN = "-notIn"

    def __str__(self) -> str:
        return self.value

    @property
    def is_negative(self) -> bool:
        """Whether this is one of the five negative operators (entra-facts §7.2)."""
        return self in _POSITIVE_TWIN

    @property
    def positive(self) -> Operator:
        """The positive operator this one negates, or the operator itself."""
        return _POSITIVE_TWIN.get(self, self)

    @property
    def takes_list(self) -> bool:
        """Whether the operator compares against a list (``-in``, ``-notIn``)."""
        return self in (Operator.IN, Operator.NOT_IN)

    @property
    def takes_null(self) -> bool:
        """Whether ``null`` may follow the operator (``-eq``, ``-ne``)."""
        return self in (Operator.EQ, Operator.NE)


_POSITIVE_TWIN: Mapping[Operator, Operator] = MappingProxyType(
    {
        Operator.NE: Operator.EQ,
        Operator.NOT_STARTS_WITH: Operator.STARTS_WITH,
        Operator.NOT_ENDS_WITH: Operator.ENDS_WITH,
        Operator.NOT_CONTAINS: Operator.CONTAINS,
        Operator.NOT_IN: Operator.IN,
    }
)


class ValueKind(enum.Enum):
    """What a device property holds."""

    STRING = "string"
    BOOLEAN = "boolean"
    COLLECTION = "collection"


@attrs.frozen
class Property:
    """One row of the property table: a name, what it holds, its operators."""

    name: str
    kind: ValueKind
    operators: tuple[Operator, ...]


_ALL_TEN = tuple(Operator)
_EQUALITY = (Operator.EQ, Operator.NE)
_EQUALITY_AND_LISTS = (Operator.EQ, Operator.NE, Operator.IN, Operator.NOT_IN)
_MEMBERSHIP = (Operator.CONTAINS, Operator.NOT_CONTAINS)


def _table() -> dict[str, Property]:
    rows = [
        Property("deviceId", ValueKind.STRING, _EQUALITY_AND_LISTS),
        Property("displayName", ValueKind.STRING, _ALL_TEN),
        Property("deviceOwnership", ValueKind.STRING, _EQUALITY),
        Property("enrollmentProfileName", ValueKind.STRING, _ALL_TEN),
        Property("isCompliant", ValueKind.BOOLEAN, _EQUALITY),
        Property("manufacturer", ValueKind.STRING, _ALL_TEN),
        Property("mdmAppId", ValueKind.STRING, _EQUALITY_AND_LISTS),
        Property("model", ValueKind.STRING, _ALL_TEN),
        Property("operatingSystem", ValueKind.STRING, _ALL_TEN),
        Property("operatingSystemVersion", ValueKind.STRING, _ALL_TEN),
        Property("physicalIds", ValueKind.COLLECTION, _MEMBERSHIP),
        Property("profileType", ValueKind.STRING, _EQUALITY),
        Property("systemLabels", ValueKind.COLLECTION, _MEMBERSHIP),
        Property("trustType", ValueKind.STRING, _EQUALITY),
    ]
    rows += [Property(f"extensionAttribute{n}", ValueKind.STRING, _ALL_TEN) for n in range(1, 16)]
    return {row.name: row for row in rows}


PROPERTIES: Mapping[str, Property] = MappingProxyType(_table())
"""Every device property a rule may name, by canonical name (entra-facts §7.3)."""


# --------------------------------------------------------------------------------------
# Tree nodes
# --------------------------------------------------------------------------------------


def _check_comparison(node: Comparison) -> None:
    row = PROPERTIES.get(node.property)
    if row is None:
        raise InvalidModelError("Comparison.property", "a canonical device property name",
                                node.property)
    if node.operator not in row.operators:
        allowed = ", ".join(map(str, row.operators))
        raise InvalidModelError("Comparison.operator", f"one of {allowed}", node.operator)
    if not _value_fits(row.kind, node.operator, node.value):
        raise InvalidModelError("Comparison.value", _value_wanted(row.kind, node.operator),
                                node.value)


def _value_fits(kind: ValueKind, operator: Operator, value: Value) -> bool:
    if operator.takes_list:
        return isinstance(value, tuple) and bool(value) and all(isinstance(v, str) for v in value)
    if value is None:
        return operator.takes_null
    return isinstance(value, bool if kind is ValueKind.BOOLEAN else str)


def _value_wanted(kind: ValueKind, operator: Operator) -> str:
    if operator.takes_list:
        return "a non-empty tuple of strings"
    wanted = "a bool" if kind is ValueKind.BOOLEAN else "a str"
    return f"{wanted} or None" if operator.takes_null else wanted


@attrs.frozen
class Comparison:
    """``device.<property> <operator> <value>``.

    ``property`` is the canonical name, ``value`` is a ``str``, a ``bool`` (for
    ``isCompliant``), ``None`` (the literal ``null``) or a tuple of strings (for
    ``-in`` and ``-notIn``). Construction checks the combination against the
    property table.
    """

    property: str
    operator: Operator
    value: Value
    span: Span = attrs.field(default=(0, 0), eq=False)

    def __attrs_post_init__(self) -> None:
        _check_comparison(self)

    def __str__(self) -> str:
        return canonicalize(self)[0]


def _check_operands(node: BoolOp, attribute: attrs.Attribute[object], value: object) -> None:
    if not isinstance(value, tuple) or len(value) < 2:
        raise InvalidModelError("BoolOp.operands", "a tuple of at least two nodes", value)


def _check_op(node: BoolOp, attribute: attrs.Attribute[object], value: object) -> None:
    if value not in ("-and", "-or"):
        raise InvalidModelError("BoolOp.op", "'-and' or '-or'", value)


@attrs.frozen
class BoolOp:
    """Two or more operands joined by ``-and`` or ``-or``."""

    op: BoolOpName = attrs.field(validator=_check_op)
    operands: tuple[Node, ...] = attrs.field(validator=_check_operands)
    span: Span = attrs.field(default=(0, 0), eq=False)

    def __str__(self) -> str:
        return canonicalize(self)[0]


@attrs.frozen
class Not:
    """``-not <operand>``."""

    operand: Node
    span: Span = attrs.field(default=(0, 0), eq=False)

    def __str__(self) -> str:
        return canonicalize(self)[0]


Node = Comparison | BoolOp | Not
"""Any node of a device filter tree."""


# --------------------------------------------------------------------------------------
# Canonical form
# --------------------------------------------------------------------------------------


def format_value(value: Value) -> str:
    """Write a literal canonically: ``"text"`` with backtick escapes, ``True``, ``null``."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, tuple):
        return "[" + ", ".join(map(_quote, value)) + "]"
    return _quote(value)


def _quote(text: str) -> str:
    return '"' + text.replace("`", "``").replace('"', '`"') + '"'


def canonicalize(node: Node) -> tuple[str, Node]:
    """Return the canonical text of ``node`` and the tree re-spanned into that text.

    Canonical text has canonical property and operator spellings, single spaces,
    double-quoted strings, ``-and``/``-or`` chains flattened, and parentheses only
    where precedence needs them (an ``-or`` inside ``-and``, a group after ``-not``).
    """
    writer = _Writer()
    tree = writer.node(node)
    return "".join(writer.parts), tree


class _Writer:
    __slots__ = ("parts", "position")

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.position = 0

    def write(self, text: str) -> None:
        self.parts.append(text)
        self.position += len(text)

    def node(self, node: Node) -> Node:
        if isinstance(node, Comparison):
            return self.comparison(node)
        if isinstance(node, BoolOp):
            return self.bool_op(node)
        return self.negation(node)

    def comparison(self, node: Comparison) -> Comparison:
        start = self.position
        self.write(f"device.{node.property} {node.operator} {format_value(node.value)}")
        return attrs.evolve(node, span=(start, self.position))

    def bool_op(self, node: BoolOp) -> BoolOp:
        start = self.position
        operands = []
        for index, operand in enumerate(_flatten(node)):
            if index:
                self.write(f" {node.op} ")
            needs_group = isinstance(operand, BoolOp) and node.op == "-and"
            operands.append(self.group(operand) if needs_group else self.node(operand))
        return BoolOp(node.op, tuple(operands), (start, self.position))

    def negation(self, node: Not) -> Not:
        start = self.position
        self.write("-not ")
        operand = node.operand
        written = self.group(operand) if isinstance(operand, BoolOp) else self.node(operand)
        return Not(written, (start, self.position))

    def group(self, node: Node) -> Node:
        start = self.position
        self.write("(")
        inner = self.node(node)
        self.write(")")
        return attrs.evolve(inner, span=(start, self.position))


def _flatten(node: BoolOp) -> list[Node]:
    """The operands of ``node``, with same-connective chains spliced in."""
    operands: list[Node] = []
    for operand in node.operands:
        if isinstance(operand, BoolOp) and operand.op == node.op:
            operands.extend(_flatten(operand))
        else:
            operands.append(operand)
    return operands
