"""Parse device filter rules: recursive descent, one function per production.

The grammar, in EBNF. Names in capitals are tokens (see ``_tokenizer.RULES``);
whitespace between tokens is skipped. Each ``_parse_<production>`` function
carries its production in its docstring.

.. code-block:: text

    rule       = or_expr END
    or_expr    = and_expr { OR and_expr }
    and_expr   = not_expr { AND not_expr }
    not_expr   = NOT not_expr | atom
    atom       = LEFT_PARENTHESIS or_expr RIGHT_PARENTHESIS | comparison
    comparison = PROPERTY OPERATOR value
    value      = list | scalar
    list       = LEFT_BRACKET string { COMMA string } RIGHT_BRACKET
    scalar     = string | BOOLEAN | NULL
    string     = DOUBLE_QUOTED_STRING | SINGLE_QUOTED_STRING

    OR         = "-or"          AND = "-and"          NOT = "-not"
    OPERATOR   = "-eq" | "-ne" | "-startsWith" | "-notStartsWith" | "-endsWith"
               | "-notEndsWith" | "-contains" | "-notContains" | "-in" | "-notIn"
    PROPERTY   = "device." name
    BOOLEAN    = "true" | "false"
    NULL       = "null"
    DOUBLE_QUOTED_STRING = '"' { character - ( '"' | "`" ) | "`" ( '"' | "`" ) } '"'
    SINGLE_QUOTED_STRING = "'" { character - "'" | "''" } "'"

Keywords, operators and property names are case-insensitive; the leading hyphen
of an operator or connective may be left out. Precedence, tightest first:
comparison, ``-not``, ``-and``, ``-or`` (entra-facts §7.1).

Beyond the grammar, a comparison must fit the property table (entra-facts §7.3):
the property allows the operator; ``-in``/``-notIn`` take a list and nothing
else does; ``null`` follows only ``-eq``/``-ne``; ``isCompliant`` takes a
boolean (``True``, ``"True"``, ``'true'``...) and every other property a quoted
string.
"""

from __future__ import annotations

import contextlib
import difflib
import re
from collections.abc import Iterator, Sequence
from types import MappingProxyType
from typing import NoReturn

import attrs

from protected_actions.errors import DeviceFilterSyntaxError

from ._evaluate import DeviceFilter
from ._nodes import (
    PROPERTIES,
    BoolOp,
    BoolOpName,
    Comparison,
    Node,
    Not,
    Operator,
    Property,
    Value,
    ValueKind,
)
from ._tokenizer import Token, Tokenizer

MAX_RULE_LENGTH = 3072
"""The longest rule Entra ID accepts, in characters (entra-facts §7.1)."""

MAX_NESTING = 50
"""How deeply parentheses and ``-not`` may nest (a guard, not an Entra limit)."""

_PROPERTIES_BY_FOLDED_NAME = MappingProxyType(
    {name.casefold(): p for name, p in PROPERTIES.items()}
)
_OPERATORS_BY_FOLDED_WORD = MappingProxyType({op.value[1:].casefold(): op for op in Operator})
_ESCAPE = re.compile(r"`([\s\S])")
_ESCAPABLE = '"`'
_ATOM = "a device property such as device.trustType, '(' or -not"
_VALUE = "a value: a quoted string, a list, True, False or null"


def parse_device_filter(source: str) -> DeviceFilter:
    """Parse a device filter rule.

    :raises DeviceFilterSyntaxError: the rule is longer than
        :data:`MAX_RULE_LENGTH` or does not follow the grammar and property table.

    >>> parse_device_filter('device.isCompliant -eq "true" -and (device.model -startsWith "X")')
    <DeviceFilter('device.isCompliant -eq True -and device.model -startsWith "X"')>
    """
    if len(source) > MAX_RULE_LENGTH:
        raise DeviceFilterSyntaxError(
            f"Expected a rule of at most {MAX_RULE_LENGTH} characters, got {len(source)}",
            source=source,
            span=(MAX_RULE_LENGTH, len(source)),
        )
    return DeviceFilter(_parse_rule(Tokenizer(source)))


# --------------------------------------------------------------------------------------
# Expressions
# --------------------------------------------------------------------------------------


def _parse_rule(tokenizer: Tokenizer) -> Node:
    """rule = or_expr END"""
    tree = _parse_or_expr(tokenizer)
    tokenizer.expect("END", expected="-and, -or or the end of the rule")
    return tree


def _parse_or_expr(tokenizer: Tokenizer) -> Node:
    """or_expr = and_expr { OR and_expr }"""
    operands = [_parse_and_expr(tokenizer)]
    while tokenizer.check("OR"):
        tokenizer.read()
        operands.append(_parse_and_expr(tokenizer))
    return _join("-or", operands)


def _parse_and_expr(tokenizer: Tokenizer) -> Node:
    """and_expr = not_expr { AND not_expr }"""
    operands = [_parse_not_expr(tokenizer)]
    while tokenizer.check("AND"):
        tokenizer.read()
        operands.append(_parse_not_expr(tokenizer))
    return _join("-and", operands)


def _join(op: BoolOpName, operands: Sequence[Node]) -> Node:
    if len(operands) == 1:
        return operands[0]
    return BoolOp(op, tuple(operands), (operands[0].span[0], operands[-1].span[1]))


def _parse_not_expr(tokenizer: Tokenizer) -> Node:
    """not_expr = NOT not_expr | atom"""
    if not tokenizer.check("NOT"):
        return _parse_atom(tokenizer)
    keyword = tokenizer.read()
    with _nested(tokenizer, keyword):
        operand = _parse_not_expr(tokenizer)
    return Not(operand, (keyword.position, operand.span[1]))


def _parse_atom(tokenizer: Tokenizer) -> Node:
    """atom = LEFT_PARENTHESIS or_expr RIGHT_PARENTHESIS | comparison"""
    if not tokenizer.check("LEFT_PARENTHESIS", peek=True):
        return _parse_comparison(tokenizer)
    parentheses = tokenizer.enclosing_tokens("LEFT_PARENTHESIS", "RIGHT_PARENTHESIS",
                                             around="-and, -or")
    with parentheses as start, _nested(tokenizer, Token("LEFT_PARENTHESIS", "(", start)):
        inner = _parse_or_expr(tokenizer)
    return attrs.evolve(inner, span=(start, tokenizer.last_end))


@contextlib.contextmanager
def _nested(tokenizer: Tokenizer, opener: Token) -> Iterator[None]:
    """Count one level of nesting opened by ``opener``, refusing too many."""
    if tokenizer.depth >= MAX_NESTING:
        tokenizer.raise_syntax_error(
            f"Expected at most {MAX_NESTING} levels of parentheses and -not",
            span_start=opener.position,
            span_end=opener.end,
        )
    tokenizer.depth += 1
    try:
        yield
    finally:
        tokenizer.depth -= 1


# --------------------------------------------------------------------------------------
# Comparisons
# --------------------------------------------------------------------------------------


@attrs.frozen
class _Literal:
    """A value as written: the Python value and where it sits in the rule."""

    value: Value
    start: int
    end: int


def _parse_comparison(tokenizer: Tokenizer) -> Comparison:
    """comparison = PROPERTY OPERATOR value"""
    start = tokenizer.position
    prop = _parse_property(tokenizer)
    operator = _parse_operator(tokenizer, prop)
    literal = _parse_value(tokenizer)
    value = _fit_value(tokenizer, prop, operator, literal)
    return Comparison(prop.name, operator, value, (start, tokenizer.last_end))


def _parse_property(tokenizer: Tokenizer) -> Property:
    """PROPERTY, whose name must be in the property table (any case)"""
    token = tokenizer.expect("PROPERTY", expected=_ATOM)
    name = token.text[len("device.") :]
    prop = _PROPERTIES_BY_FOLDED_NAME.get(name.casefold())
    if prop is None:
        _raise_unknown_property(tokenizer, token, name)
    return prop


def _raise_unknown_property(tokenizer: Tokenizer, token: Token, name: str) -> NoReturn:
    close = difflib.get_close_matches(name.casefold(), _PROPERTIES_BY_FOLDED_NAME, n=1)
    if close:
        suggestion = _PROPERTIES_BY_FOLDED_NAME[close[0]].name
        message = f"Expected a known device property, got {token.text!r}; " \
                  f"did you mean device.{suggestion}?"
    else:
        message = f"Expected a known device property ({_PROPERTY_LIST}), got {token.text!r}"
    tokenizer.raise_syntax_error(message, span_start=token.position, span_end=token.end)


def _property_list() -> str:
    names = [name for name in PROPERTIES if not name.startswith("extensionAttribute")]
    return ", ".join([*names, "extensionAttribute1 to extensionAttribute15"])


_PROPERTY_LIST = _property_list()


def _parse_operator(tokenizer: Tokenizer, prop: Property) -> Operator:
    """OPERATOR, which the property must allow"""
    allowed = _one_of([str(op) for op in prop.operators])
    if not tokenizer.check("OPERATOR"):
        tokenizer.raise_syntax_error(f"Expected an operator after device.{prop.name}: {allowed}")
    token = tokenizer.read()
    operator = _OPERATORS_BY_FOLDED_WORD[token.text.lstrip("-").casefold()]
    if operator not in prop.operators:
        tokenizer.raise_syntax_error(
            f"Expected {allowed} after device.{prop.name}, got {token.text!r}",
            span_start=token.position,
            span_end=token.end,
        )
    return operator


def _one_of(words: Sequence[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} or {words[-1]}"


# --------------------------------------------------------------------------------------
# Values
# --------------------------------------------------------------------------------------


def _parse_value(tokenizer: Tokenizer) -> _Literal:
    """value = list | scalar"""
    if tokenizer.check("LEFT_BRACKET", peek=True):
        return _parse_list(tokenizer)
    return _parse_scalar(tokenizer)


def _parse_list(tokenizer: Tokenizer) -> _Literal:
    """list = LEFT_BRACKET string { COMMA string } RIGHT_BRACKET"""
    items: list[str] = []
    with tokenizer.enclosing_tokens("LEFT_BRACKET", "RIGHT_BRACKET", around="','") as start:
        items.append(_parse_string(tokenizer, expected="a quoted string in the list"))
        while tokenizer.check("COMMA"):
            tokenizer.read()
            items.append(_parse_string(tokenizer, expected="a quoted string after ','"))
    return _Literal(tuple(items), start, tokenizer.last_end)


def _parse_scalar(tokenizer: Tokenizer) -> _Literal:
    """scalar = string | BOOLEAN | NULL"""
    start = tokenizer.position
    value: Value
    if tokenizer.check("BOOLEAN"):
        value = tokenizer.read().text.casefold() == "true"
    elif tokenizer.check("NULL"):
        tokenizer.read()
        value = None
    else:
        value = _parse_string(tokenizer, expected=_VALUE)
    return _Literal(value, start, tokenizer.last_end)


def _parse_string(tokenizer: Tokenizer, *, expected: str) -> str:
    """string = DOUBLE_QUOTED_STRING | SINGLE_QUOTED_STRING"""
    if tokenizer.check("DOUBLE_QUOTED_STRING"):
        return _unescape(tokenizer, tokenizer.read())
    if not tokenizer.check("SINGLE_QUOTED_STRING"):
        _raise_not_a_string(tokenizer, expected)
    return tokenizer.read().text[1:-1].replace("''", "'")


def _unescape(tokenizer: Tokenizer, token: Token) -> str:
    """The content of a double-quoted string: `" is a quote and `` a backtick."""
    body = token.text[1:-1]
    for match in _ESCAPE.finditer(body):
        if match[1] not in _ESCAPABLE:
            at = token.position + 1 + match.start()
            tokenizer.raise_syntax_error(
                "Expected '\"' or '`' after the escape character '`'",
                span_start=at,
                span_end=at + 2,
            )
    return _ESCAPE.sub(r"\1", body)


def _raise_not_a_string(tokenizer: Tokenizer, expected: str) -> NoReturn:
    start = tokenizer.position
    if tokenizer.check("UNTERMINATED_STRING", peek=True):
        quote = tokenizer.source[start]
        tokenizer.raise_syntax_error(
            f"Expected a closing {quote!r} for this string",
            span_start=start,
            span_end=len(tokenizer.source),
        )
    if tokenizer.check("TYPOGRAPHIC_QUOTE", peek=True):
        tokenizer.raise_syntax_error(
            f"Expected a straight quote (\" or ') around strings, got {tokenizer.source[start]!r}"
        )
    tokenizer.raise_syntax_error(f"Expected {expected}")


def _fit_value(
    tokenizer: Tokenizer, prop: Property, operator: Operator, literal: _Literal
) -> Value:
    """Check the literal against the operator and the property; normalize booleans."""
    text = tokenizer.source[literal.start : literal.end]
    is_list = isinstance(literal.value, tuple)
    if operator.takes_list and not is_list:
        _raise_at(tokenizer, literal, f'Expected a list such as ["a", "b"] after {operator}, '
                                      f"got {text!r}")
    if is_list and not operator.takes_list:
        _raise_at(tokenizer, literal, f"Expected a single value after {operator}, got a list")
    if literal.value is None and not operator.takes_null:
        _raise_at(tokenizer, literal, f"Expected a quoted string after {operator}; "
                                      "null works only with -eq and -ne")
    if prop.kind is ValueKind.BOOLEAN:
        return _as_boolean(tokenizer, prop, literal, text)
    if isinstance(literal.value, bool):
        _raise_at(tokenizer, literal, f"Expected a quoted string for device.{prop.name}, "
                                      f"got {text!r}")
    return literal.value


def _as_boolean(tokenizer: Tokenizer, prop: Property, literal: _Literal, text: str) -> Value:
    """``True``/``"True"``/``'true'``... as a bool (entra-facts §7.1); null stays null."""
    value = literal.value
    if isinstance(value, str) and value.casefold() in ("true", "false"):
        return value.casefold() == "true"
    if not isinstance(value, (bool, type(None))):
        _raise_at(tokenizer, literal, f"Expected True or False for device.{prop.name}, "
                                      f"got {text!r}")
    return value


def _raise_at(tokenizer: Tokenizer, literal: _Literal, message: str) -> NoReturn:
    tokenizer.raise_syntax_error(message, span_start=literal.start, span_end=literal.end)
