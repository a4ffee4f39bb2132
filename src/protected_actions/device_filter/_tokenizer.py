"""Split a device filter rule into tokens, on demand.

The token set is data (:data:`RULES`); the parser asks for the token it expects
next, so the same text can mean different things in different places (a bare
``in`` is an operator only where an operator may stand). Whitespace between
tokens is skipped.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator, Mapping
from types import MappingProxyType
from typing import NoReturn

import attrs

from protected_actions.errors import DeviceFilterSyntaxError

_OPERATOR_WORDS = (
    "eq|ne|startsWith|notStartsWith|endsWith|notEndsWith|contains|notContains|in|notIn"
)

RULES: Mapping[str, re.Pattern[str]] = MappingProxyType(
    {
        "LEFT_PARENTHESIS": re.compile(r"\("),
        "RIGHT_PARENTHESIS": re.compile(r"\)"),
        "LEFT_BRACKET": re.compile(r"\["),
        "RIGHT_BRACKET": re.compile(r"\]"),
        "COMMA": re.compile(r","),
        # Keywords: case-insensitive, hyphen optional, whole words only.
        "OR": re.compile(r"-?or\b", re.IGNORECASE),
        "AND": re.compile(r"-?and\b", re.IGNORECASE),
        "NOT": re.compile(r"-?not\b", re.IGNORECASE),
        "OPERATOR": re.compile(rf"-?(?:{_OPERATOR_WORDS})\b", re.IGNORECASE),
        "PROPERTY": re.compile(r"device\.(\w+)", re.IGNORECASE),
        "BOOLEAN": re.compile(r"(?:true|false)\b", re.IGNORECASE),
        "NULL": re.compile(r"null\b", re.IGNORECASE),
        # Strings: "..." escapes with a backtick, '...' doubles the quote.
        "DOUBLE_QUOTED_STRING": re.compile(r'"(?:[^"`]|`[\s\S])*"'),
        "SINGLE_QUOTED_STRING": re.compile(r"'(?:[^']|'')*'"),
        # Only there to report mistakes well.
        "UNTERMINATED_STRING": re.compile(r"[\"'][\s\S]*"),
        "TYPOGRAPHIC_QUOTE": re.compile("[\u201c\u201d\u2018\u2019]"),
        "WS": re.compile(r"\s+"),
        "END": re.compile(r"\Z"),
    }
)
"""Token name -> the pattern that recognises it at the current position."""

_SYMBOLS: Mapping[str, str] = MappingProxyType(
    {"LEFT_PARENTHESIS": "(", "RIGHT_PARENTHESIS": ")", "LEFT_BRACKET": "[",
     "RIGHT_BRACKET": "]"}
)

_LEXEME = re.compile(r"-?\w+|\S")
"""What an error underlines when no token span is given: the next word or character."""


@attrs.frozen
class Token:
    """A piece of the rule: its token name, its text and where it starts."""

    name: str
    text: str
    position: int

    @property
    def end(self) -> int:
        """The offset just after the token."""
        return self.position + len(self.text)


class Tokenizer:
    """A cursor over a rule that hands out one expected token at a time."""

    __slots__ = ("depth", "last_end", "next_token", "position", "rules", "source")

    def __init__(self, source: str, *, rules: Mapping[str, re.Pattern[str]] = RULES) -> None:
        self.source = source
        self.rules = rules
        self.next_token: Token | None = None
        self.position = 0
        self.last_end = 0  # the offset just after the last token read
        self.depth = 0  # how deeply the parser is nested; only the parser changes it
        self._skip_whitespace()

    def consume(self, name: str) -> None:
        """Move past a ``name`` token if there is one."""
        if self.check(name):
            self.read()

    def check(self, name: str, *, peek: bool = False) -> bool:
        """Whether a ``name`` token comes next; unless ``peek``, hold it for :meth:`read`."""
        assert self.next_token is None, (
            f"Cannot check for {name!r}, already have {self.next_token!r}"
        )
        assert name in self.rules, f"Unknown token name: {name!r}"
        match = self.rules[name].match(self.source, self.position)
        if match is None:
            return False
        if not peek:
            self.next_token = Token(name, match[0], self.position)
        return True

    def expect(self, name: str, *, expected: str) -> Token:
        """Read a ``name`` token, or fail with ``Expected <expected>``."""
        if not self.check(name):
            self.raise_syntax_error(f"Expected {expected}")
        return self.read()

    def read(self) -> Token:
        """Take the token found by the last :meth:`check`."""
        token = self.next_token
        assert token is not None, "read() without a successful check()"
        self.position = self.last_end = token.end
        self.next_token = None
        self._skip_whitespace()
        return token

    def raise_syntax_error(
        self, message: str, *, span_start: int | None = None, span_end: int | None = None
    ) -> NoReturn:
        """Fail at ``span_start``..``span_end``; by default, on the next word or character."""
        start = self.position if span_start is None else span_start
        end = self._lexeme_end() if span_end is None else span_end
        raise DeviceFilterSyntaxError(message, source=self.source, span=(start, end))

    @contextlib.contextmanager
    def enclosing_tokens(
        self, open_token: str, close_token: str, *, around: str
    ) -> Iterator[int]:
        """Read an opening bracket, run the body, then require the closing bracket.

        Yields the opening bracket's offset. When the closing bracket is missing,
        the error underlines everything from the opening bracket on.
        """
        opening = self.expect(open_token, expected=repr(_SYMBOLS[open_token]))
        yield opening.position
        if not self.check(close_token):
            close, open_ = _SYMBOLS[close_token], _SYMBOLS[open_token]
            self.raise_syntax_error(
                f"Expected {around} or matching {close!r} for {open_!r}",
                span_start=opening.position,
            )
        self.read()

    def _skip_whitespace(self) -> None:
        match = self.rules["WS"].match(self.source, self.position)
        if match is not None:
            self.position = match.end()

    def _lexeme_end(self) -> int:
        match = _LEXEME.match(self.source, self.position)
        return self.position if match is None else match.end()
