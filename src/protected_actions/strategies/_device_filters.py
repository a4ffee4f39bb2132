"""Hypothesis strategies for device filter rules.

Trees are built bottom-up from comparisons that already fit the property table,
so nothing is filtered away and every part shrinks on its own.
:func:`device_filter_rules` writes the trees out as text, by default in the many
spellings the language accepts (any case, hyphens left out, single quotes,
``"True"`` for ``True``, extra whitespace and parentheses).
"""

from __future__ import annotations

from collections.abc import Callable, Collection

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from protected_actions.device_filter import (
    MAX_RULE_LENGTH,
    PROPERTIES,
    BoolOp,
    Comparison,
    DeviceFilter,
    Not,
    Operator,
    Property,
    ValueKind,
)
from protected_actions.device_filter._nodes import Node, Value

__all__ = ["device_filter_rules", "device_filters"]

def __dir__() -> list[str]:
    return __all__


def device_filters(
    *,
    properties: Collection[str] | None = None,
    values: st.SearchStrategy[str] | None = None,
    max_leaves: int = 6,
) -> st.SearchStrategy[DeviceFilter]:
    """Generate parsed device filters.

    :param properties: canonical property names to draw from (default: all of them).
    :param values: strings to compare against (default: short arbitrary text).
    :param max_leaves: the most comparisons one filter holds.
    """
    filters = st.deferred(lambda: _trees(properties, values, max_leaves).map(DeviceFilter))
    return filters.filter(_within_limit)


def device_filter_rules(
    *,
    properties: Collection[str] | None = None,
    values: st.SearchStrategy[str] | None = None,
    max_leaves: int = 6,
    canonical: bool = False,
) -> st.SearchStrategy[str]:
    """Generate valid device filter rule text.

    With ``canonical=True`` every rule is in canonical form (``str`` of a
    :class:`~protected_actions.device_filter.DeviceFilter`); otherwise each token
    is spelled in one of the forms the parser accepts. The other arguments are as
    for :func:`device_filters`.
    """
    if canonical:
        return device_filters(properties=properties, values=values, max_leaves=max_leaves).map(str)
    rules = st.deferred(lambda: _trees(properties, values, max_leaves).flatmap(_spellings))
    return rules.filter(_within_limit)


def _within_limit(rule: DeviceFilter | str) -> bool:
    """Whether the rule fits Entra's length limit (rarely false at the default sizes)."""
    return len(str(rule)) <= MAX_RULE_LENGTH


# --------------------------------------------------------------------------------------
# Trees
# --------------------------------------------------------------------------------------


def _trees(
    properties: Collection[str] | None, values: st.SearchStrategy[str] | None, max_leaves: int
) -> st.SearchStrategy[Node]:
    rows = _check_properties(properties)
    if max_leaves < 1:
        raise InvalidArgument(f"max_leaves={max_leaves!r} must be a positive integer")
    texts = st.text(max_size=8) if values is None else values
    leaves = st.one_of([_comparisons(row, texts) for row in rows])
    return st.recursive(leaves, _compound, max_leaves=max_leaves)


def _check_properties(properties: Collection[str] | None) -> list[Property]:
    if properties is None:
        return list(PROPERTIES.values())
    unknown = sorted(set(properties) - set(PROPERTIES))
    if unknown or not properties:
        raise InvalidArgument(
            f"properties={properties!r} must be a non-empty collection of names from "
            f"PROPERTIES; unknown: {unknown!r}"
        )
    return [PROPERTIES[name] for name in properties]


def _comparisons(row: Property, texts: st.SearchStrategy[str]) -> st.SearchStrategy[Comparison]:
    return st.one_of(
        [_literals(row.kind, op, texts).map(_comparison(row.name, op)) for op in row.operators]
    )


def _comparison(name: str, operator: Operator) -> Callable[[Value], Comparison]:
    return lambda value: Comparison(name, operator, value)


def _literals(
    kind: ValueKind, operator: Operator, texts: st.SearchStrategy[str]
) -> st.SearchStrategy[Value]:
    if operator.takes_list:
        return st.lists(texts, min_size=1, max_size=4).map(tuple)
    scalars: st.SearchStrategy[Value] = st.booleans() if kind is ValueKind.BOOLEAN else texts
    return (scalars | st.none()) if operator.takes_null else scalars


def _compound(children: st.SearchStrategy[Node]) -> st.SearchStrategy[Node]:
    connectives = st.sampled_from(["-and", "-or"])
    operands = st.lists(children, min_size=2, max_size=3).map(tuple)
    return st.builds(Not, children) | st.builds(BoolOp, connectives, operands)


# --------------------------------------------------------------------------------------
# Spellings
# --------------------------------------------------------------------------------------

_SPACES = st.sampled_from([" ", "  ", "\t", "\n", " \r\n "])
_GAPS = st.sampled_from(["", " "])


@st.composite
def _spellings(draw: st.DrawFn, tree: Node) -> str:
    return _Speller(draw).node(tree)


def _case(draw: st.DrawFn, word: str) -> str:
    return draw(st.sampled_from([word, word.lower(), word.upper()]))


class _Speller:
    """Write a tree out, drawing each token's spelling."""

    def __init__(self, draw: st.DrawFn) -> None:
        self.draw = draw

    def node(self, node: Node) -> str:
        if isinstance(node, Comparison):
            text = self.comparison(node)
        elif isinstance(node, Not):
            text = self.keyword("-not") + self.space() + self.operand(node.operand, group=True)
        else:
            text = self.bool_op(node)
        return self.group(text) if self.draw(st.booleans()) else text

    def bool_op(self, node: BoolOp) -> str:
        glue = self.space() + self.keyword(node.op) + self.space()
        # An -or inside an -and needs parentheses; a nested -and/-or of the same kind does not.
        return glue.join(self.operand(child, group=node.op == "-and") for child in node.operands)

    def operand(self, node: Node, *, group: bool) -> str:
        text = self.node(node)
        return self.group(text) if group and isinstance(node, BoolOp) else text

    def group(self, text: str) -> str:
        return "(" + self.draw(_GAPS) + text + self.draw(_GAPS) + ")"

    def comparison(self, node: Comparison) -> str:
        prop = _case(self.draw, "device") + "." + _case(self.draw, node.property)
        op = self.keyword(node.operator.value)
        return prop + self.space() + op + self.space() + self.value(node.value)

    def keyword(self, canonical: str) -> str:
        word = _case(self.draw, canonical)
        return word if self.draw(st.booleans()) else word.lstrip("-")

    def space(self) -> str:
        return self.draw(_SPACES)

    def value(self, value: Value) -> str:
        if isinstance(value, tuple):
            sep = self.draw(_GAPS) + "," + self.draw(_GAPS)
            return "[" + sep.join(self.string(item) for item in value) + "]"
        if isinstance(value, bool):
            word = _case(self.draw, str(value))
            return self.draw(st.sampled_from([word, f'"{word}"', f"'{word}'"]))
        return _case(self.draw, "null") if value is None else self.string(value)

    def string(self, text: str) -> str:
        if self.draw(st.booleans()):
            return "'" + text.replace("'", "''") + "'"
        return '"' + text.replace("`", "``").replace('"', '`"') + '"'
