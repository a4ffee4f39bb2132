"""The device filter tokenizer: token rules as data and the cursor vocabulary."""

from __future__ import annotations

import re

import pytest

from protected_actions.device_filter._tokenizer import RULES, Token, Tokenizer
from protected_actions.errors import DeviceFilterSyntaxError


class TestRules:
    """The token table."""

    def test_rules_are_compiled_patterns(self) -> None:
        """Every token rule is a compiled regular expression."""
        # entra-facts §7.2: the token table spells the operator set.
        assert all(isinstance(pattern, re.Pattern) for pattern in RULES.values())

    @pytest.mark.parametrize(
        ("name", "text", "matched"),
        [
            # entra-facts §7.1: operators are case-insensitive, hyphen optional.
            ("OPERATOR", "-eq", "-eq"),
            ("OPERATOR", "-EQ", "-EQ"),
            ("OPERATOR", "eq", "eq"),
            ("OPERATOR", "-startswith", "-startswith"),
            ("OPERATOR", "-notIn [", "-notIn"),
            ("OPERATOR", "-in[", "-in"),
            ("AND", "-and ", "-and"),
            ("AND", "AND(", "AND"),
            ("OR", "-Or ", "-Or"),
            ("NOT", "-not(", "-not"),
            ("NOT", "not ", "not"),
            ("PROPERTY", "device.trustType -eq", "device.trustType"),
            ("PROPERTY", "Device.deviceid)", "Device.deviceid"),
            ("BOOLEAN", "True ", "True"),
            ("BOOLEAN", "false)", "false"),
            ("NULL", "NULL ", "NULL"),
            ("DOUBLE_QUOTED_STRING", '"a`"b" x', '"a`"b"'),
            ("DOUBLE_QUOTED_STRING", '"a``" x', '"a``"'),
            ("SINGLE_QUOTED_STRING", "'it''s' x", "'it''s'"),
            ("UNTERMINATED_STRING", '"abc', '"abc'),
            ("TYPOGRAPHIC_QUOTE", "\u201cabc\u201d", "\u201c"),
        ],
    )
    def test_rule_matches(self, name: str, text: str, matched: str) -> None:
        """Each rule recognises its token at the start of the text and no more."""
        # entra-facts §7.1: operators case-insensitive, with or without the hyphen.
        match = RULES[name].match(text)
        assert match is not None
        assert match[0] == matched

    @pytest.mark.parametrize(
        ("name", "text"),
        [
            # Keywords are whole words (entra-facts §7.2 lists the only operators).
            ("OPERATOR", "-equals"),
            ("OPERATOR", "-match"),
            ("OPERATOR", "-notinx"),
            ("NOT", "-notIn"),
            ("OR", "-order"),
            ("AND", "android"),
            ("BOOLEAN", "trueish"),
            ("NULL", "nullable"),
            ("DOUBLE_QUOTED_STRING", '"a`"'),
            ("PROPERTY", "user.department"),
        ],
    )
    def test_rule_does_not_match(self, name: str, text: str) -> None:
        """A rule does not match text that only starts like its token."""
        # entra-facts §7.2: only the listed operators are operators.
        assert RULES[name].match(text) is None


class TestTokenizer:
    """The cursor over a rule."""

    def test_check_and_read(self) -> None:
        """``check`` finds a token, ``read`` takes it and skips the whitespace after it."""
        # entra-facts §7.1: device.<property> <operator> <value>, separated by whitespace.
        tokenizer = Tokenizer("  device.model  -eq")
        assert tokenizer.check("PROPERTY")
        assert tokenizer.read() == Token("PROPERTY", "device.model", 2)
        assert tokenizer.position == 16
        assert tokenizer.last_end == 14

    def test_check_peek_holds_nothing(self) -> None:
        """``check(peek=True)`` answers without holding the token."""
        # entra-facts §7.1: parentheses group comparisons.
        tokenizer = Tokenizer("(")
        assert tokenizer.check("LEFT_PARENTHESIS", peek=True)
        assert tokenizer.next_token is None

    def test_check_fails_without_moving(self) -> None:
        """A failed ``check`` leaves the position alone."""
        # entra-facts §7.1: a property is followed by an operator.
        tokenizer = Tokenizer("device.model")
        assert not tokenizer.check("OPERATOR")
        assert tokenizer.position == 0

    def test_consume_skips_an_optional_token(self) -> None:
        """``consume`` moves past a token when present and does nothing otherwise."""
        # entra-facts §7.1: commas separate list items.
        tokenizer = Tokenizer(", x")
        tokenizer.consume("COMMA")
        tokenizer.consume("COMMA")
        assert tokenizer.position == 2

    def test_expect_returns_the_token(self) -> None:
        """``expect`` reads the named token."""
        # entra-facts §7.1: -and combines comparisons.
        tokenizer = Tokenizer("-and")
        assert tokenizer.expect("AND", expected="-and") == Token("AND", "-and", 0)
        assert tokenizer.check("END")

    def test_token_end(self) -> None:
        """A token knows the offset just after it."""
        # entra-facts §7.1: commas separate list items.
        assert Token("COMMA", ",", 4).end == 5

    def test_error_when_expect_fails(self) -> None:
        """``expect`` fails with 'Expected ...' and underlines the next word."""
        # entra-facts §7.2: -match is not a CA device filter operator.
        tokenizer = Tokenizer("device.model -match")
        tokenizer.expect("PROPERTY", expected="a property")
        with pytest.raises(DeviceFilterSyntaxError) as info:
            tokenizer.expect("OPERATOR", expected="an operator")
        assert str(info.value) == (
            "Expected an operator\n"
            "    device.model -match\n"
            "                 ~~~~~^"
        )

    def test_error_at_the_end_points_past_the_text(self) -> None:
        """At the end of the rule the caret sits just after the text."""
        # entra-facts §7.1: a rule that stops early.
        tokenizer = Tokenizer("ab")
        tokenizer.position = 2
        with pytest.raises(DeviceFilterSyntaxError) as info:
            tokenizer.raise_syntax_error("Expected more")
        assert info.value.span == (2, 2)
        assert str(info.value) == "Expected more\n    ab\n      ^"

    def test_error_with_an_explicit_span(self) -> None:
        """``raise_syntax_error`` underlines exactly the span it is given."""
        # entra-facts §7.1: errors point into the rule text.
        tokenizer = Tokenizer("abcdef")
        with pytest.raises(DeviceFilterSyntaxError) as info:
            tokenizer.raise_syntax_error("Expected less", span_start=1, span_end=4)
        assert info.value.span == (1, 4)
        assert str(info.value) == "Expected less\n    abcdef\n     ~~^"


class TestEnclosingTokens:
    """Bracket pairs."""

    def test_enclosing_tokens_reads_both_brackets(self) -> None:
        """The body runs between the brackets and the closing one is read."""
        # entra-facts §7.1: parentheses group comparisons.
        tokenizer = Tokenizer("( , )")
        with tokenizer.enclosing_tokens(
            "LEFT_PARENTHESIS", "RIGHT_PARENTHESIS", around="','"
        ) as start:
            tokenizer.consume("COMMA")
        assert start == 0
        assert tokenizer.check("END")

    def test_error_when_closing_bracket_is_missing(self) -> None:
        """An unclosed bracket is underlined from the opening bracket on."""
        # entra-facts §7.1: lists in [...].
        tokenizer = Tokenizer('["a"')
        with (
            pytest.raises(DeviceFilterSyntaxError) as info,
            tokenizer.enclosing_tokens("LEFT_BRACKET", "RIGHT_BRACKET", around="','"),
        ):
            tokenizer.expect("DOUBLE_QUOTED_STRING", expected="a string")
        assert str(info.value) == (
            "Expected ',' or matching ']' for '['\n"
            '    ["a"\n'
            "    ~~~^"
        )
