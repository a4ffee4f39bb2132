"""Parsing device filter rules: the grammar, canonical text and every syntax error."""

from __future__ import annotations

import codecs
import json
import pickle
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from protected_actions.device_filter import (
    MAX_RULE_LENGTH,
    PROPERTIES,
    BoolOp,
    Comparison,
    DeviceFilter,
    Not,
    Operator,
    ValueKind,
    parse_device_filter,
)
from protected_actions.errors import DeviceFilterSyntaxError, InvalidModelError

CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus"

A = Comparison("model", Operator.EQ, "a")
B = Comparison("model", Operator.EQ, "b")
C = Comparison("model", Operator.EQ, "c")


def rendered_error(source: str) -> str:
    """Parse ``source``, which must fail, and return the rendered error."""
    with pytest.raises(DeviceFilterSyntaxError) as info:
        parse_device_filter(source)
    assert info.value.source == source
    return str(info.value)


class TestCanonicalText:
    """Accepted spellings and the canonical text they give."""

    @pytest.mark.parametrize(
        ("rule", "canonical"),
        [
            # entra-facts §7.1: the documented shape and the Graph JSON example.
            ('device.trustType -eq "AzureAD"', 'device.trustType -eq "AzureAD"'),
            ('device.extensionAttribute1 -ne "SAW"', 'device.extensionAttribute1 -ne "SAW"'),
            # entra-facts §7.1: the CA doc writes device.deviceid in lower case.
            ('(device.deviceid -eq "aaaaaaaa")', 'device.deviceId -eq "aaaaaaaa"'),
            ('DEVICE.TRUSTTYPE -EQ "AzureAD"', 'device.trustType -eq "AzureAD"'),
            ('device.model -StartsWith "X"', 'device.model -startsWith "X"'),
            # entra-facts §7.1: operators "with or without the hyphen".
            ('device.trustType eq "AzureAD"', 'device.trustType -eq "AzureAD"'),
            ('device.model notin ["a"]', 'device.model -notIn ["a"]'),
            ('device.model -eq "a" and device.model -eq "b" or not device.model -eq "c"',
             'device.model -eq "a" -and device.model -eq "b" -or -not device.model -eq "c"'),
            # entra-facts §7.1: escape " with a backtick, ' by doubling it.
            ("device.displayName -eq 'AzureAD'", 'device.displayName -eq "AzureAD"'),
            ("device.displayName -eq 'it''s'", 'device.displayName -eq "it\'s"'),
            ('device.displayName -eq "say `"hi`""', 'device.displayName -eq "say `"hi`""'),
            ('device.displayName -eq "a``b"', 'device.displayName -eq "a``b"'),
            ("device.displayName -eq 'a`b'", 'device.displayName -eq "a``b"'),
            ("device.displayName -eq 'say \"hi\"'", 'device.displayName -eq "say `"hi`""'),
            ('device.displayName -eq "C:\\temp"', 'device.displayName -eq "C:\\temp"'),
            # entra-facts §7.1: isCompliant as "True", True or true.
            ('device.isCompliant -eq "True"', "device.isCompliant -eq True"),
            ("device.isCompliant -eq true", "device.isCompliant -eq True"),
            ("device.isCompliant -eq 'FALSE'", "device.isCompliant -eq False"),
            ("device.isCompliant -ne False", "device.isCompliant -ne False"),
            # entra-facts §7.1: -eq null / -ne null.
            ("device.extensionAttribute3 -eq NULL", "device.extensionAttribute3 -eq null"),
            ("device.isCompliant -ne null", "device.isCompliant -ne null"),
            ('device.displayName -eq "null"', 'device.displayName -eq "null"'),
            # entra-facts §7.1: lists for -in / -notIn, as in the CA doc.
            ('(device.operatingSystemVersion -in ["10.0.18363","10.0.19041"])',
             'device.operatingSystemVersion -in ["10.0.18363", "10.0.19041"]'),
            ("device.mdmAppId -notIn [ 'a' , \"b\" ]", 'device.mdmAppId -notIn ["a", "b"]'),
            ('(device.physicalIds -contains "[ZTDId]:value")',
             'device.physicalIds -contains "[ZTDId]:value"'),
            ('device.systemLabels -notContains "MultiUser"',
             'device.systemLabels -notContains "MultiUser"'),
            # Whitespace is free between tokens.
            ('  device.model\t-eq\n"x"  ', 'device.model -eq "x"'),
            ('device.model-eq"x"-or(device.model-eq"y")',
             'device.model -eq "x" -or device.model -eq "y"'),
            # entra-facts §7.1: precedence is comparison, -not, -and, -or; canonical text
            # keeps only the parentheses that precedence needs.
            ('device.model -eq "a" -or device.model -eq "b" -and device.model -eq "c"',
             'device.model -eq "a" -or device.model -eq "b" -and device.model -eq "c"'),
            ('(device.model -eq "a" -or device.model -eq "b") -and device.model -eq "c"',
             '(device.model -eq "a" -or device.model -eq "b") -and device.model -eq "c"'),
            ('device.model -eq "a" -and (device.model -eq "b" -and device.model -eq "c")',
             'device.model -eq "a" -and device.model -eq "b" -and device.model -eq "c"'),
            ('((device.model -eq "a"))', 'device.model -eq "a"'),
            ('-not (device.model -eq "a")', '-not device.model -eq "a"'),
            ('-not (device.model -eq "a" -and device.model -eq "b")',
             '-not (device.model -eq "a" -and device.model -eq "b")'),
            ('-not -not device.model -eq "a"', '-not -not device.model -eq "a"'),
        ],
    )
    def test_canonical_text(self, rule: str, canonical: str) -> None:
        """An accepted rule has the expected canonical text, which parses to itself."""
        # entra-facts §7.1: the grammar, values and spellings in the parameters.
        parsed = parse_device_filter(rule)
        assert str(parsed) == canonical
        assert parse_device_filter(canonical) == parsed

    @pytest.mark.parametrize("name", sorted(PROPERTIES))
    def test_every_property_name_any_case(self, name: str) -> None:
        """Every property of the table is accepted in any case (entra-facts §7.3)."""
        # entra-facts §7.1: the CA doc writes both device.deviceid and device.deviceId.
        row = PROPERTIES[name]
        value = "True" if row.kind is ValueKind.BOOLEAN else '"x"'
        rule = f"device.{name.upper()} {row.operators[0]} {value}"
        assert parse_device_filter(rule).tree.property == name  # type: ignore[union-attr]

    def test_rule_at_the_length_limit_parses(self) -> None:
        """A rule of exactly MAX_RULE_LENGTH characters is accepted (entra-facts §7.1)."""
        # entra-facts §7.1: max rule length 3072 characters.
        prefix = 'device.displayName -eq "'
        rule = prefix + "x" * (MAX_RULE_LENGTH - len(prefix) - 1) + '"'
        assert len(rule) == MAX_RULE_LENGTH
        assert parse_device_filter(rule).tree == Comparison(
            "displayName", Operator.EQ, "x" * (MAX_RULE_LENGTH - len(prefix) - 1)
        )


class TestTree:
    """The syntax tree a rule parses to."""

    def test_or_binds_looser_than_and(self) -> None:
        """``a -or b -and c`` is ``a -or (b -and c)`` (entra-facts §7.1)."""
        # entra-facts §7.1: precedence, highest first: comparison, -not, -and, -or.
        tree = parse_device_filter(
            'device.model -eq "a" -or device.model -eq "b" -and device.model -eq "c"'
        ).tree
        assert tree == BoolOp("-or", (A, BoolOp("-and", (B, C))))

    def test_not_binds_tighter_than_and(self) -> None:
        """``-not a -and b`` is ``(-not a) -and b`` (entra-facts §7.1)."""
        # entra-facts §7.1: precedence, highest first: comparison, -not, -and, -or.
        tree = parse_device_filter('-not device.model -eq "a" -and device.model -eq "b"').tree
        assert tree == BoolOp("-and", (Not(A), B))

    def test_chains_are_flat(self) -> None:
        """A chain of one connective is one node with every operand."""
        # entra-facts §7.1: -or combines comparisons, in any grouping.
        tree = parse_device_filter(
            'device.model -eq "a" -or (device.model -eq "b" -or device.model -eq "c")'
        ).tree
        assert tree == BoolOp("-or", (A, B, C))

    def test_spans_point_into_the_canonical_text(self) -> None:
        """Node spans locate each node in ``str(filter)``."""
        # entra-facts §7.1: comparisons combined with -or, grouped by parentheses.
        parsed = parse_device_filter('-not  (device.model eq "a" or device.model eq "b")')
        source = str(parsed)
        assert isinstance(parsed.tree, Not)
        inner = parsed.tree.operand
        assert isinstance(inner, BoolOp)
        assert parsed.tree.span == (0, len(source))
        assert source[slice(*inner.span)] == '(device.model -eq "a" -or device.model -eq "b")'
        assert source[slice(*inner.operands[1].span)] == 'device.model -eq "b"'

    def test_list_values_are_tuples(self) -> None:
        """A list literal becomes a tuple of strings (entra-facts §7.1)."""
        # entra-facts §7.1: lists in [...] for -in / -notIn.
        tree = parse_device_filter('device.deviceId -in ["a", \'b\']').tree
        assert tree == Comparison("deviceId", Operator.IN, ("a", "b"))

    def test_filter_from_a_tree(self) -> None:
        """A filter can be built from a tree and equals the parsed rule."""
        # entra-facts §7.1: -and and -not as in the grammar.
        built = DeviceFilter(BoolOp("-and", (A, Not(B))))
        assert built == parse_device_filter('device.model -eq "a" -and -not device.model -eq "b"')

    def test_value_semantics(self) -> None:
        """Equal canonical text means equal filters, equal hashes and equal trees."""
        # entra-facts §7.1: operators with or without the hyphen; property case as in the CA doc.
        one = parse_device_filter("device.trustType eq 'AzureAD'")
        two = parse_device_filter('(device.TrustType -eq "AzureAD")')
        assert one == two
        assert hash(one) == hash(two)
        assert one.tree == two.tree
        assert one != parse_device_filter('device.trustType -eq "ServerAD"')
        assert one != str(one)

    def test_repr(self) -> None:
        """The repr shows the canonical rule."""
        # entra-facts §7.1: the documented rule shape device.<property> <operator> <value>.
        parsed = parse_device_filter('device.trustType -eq "AzureAD"')
        assert repr(parsed) == "<DeviceFilter('device.trustType -eq \"AzureAD\"')>"

    def test_pickle_round_trip(self) -> None:
        """A filter pickles and still evaluates."""
        # entra-facts §7.3: systemLabels is a collection.
        parsed = parse_device_filter('device.systemLabels -contains "M365Managed"')
        restored = pickle.loads(pickle.dumps(parsed))
        assert restored == parsed
        assert restored.matches({"systemLabels": ("m365managed",)})

    def test_literals(self) -> None:
        """``literals`` lists each property's distinct literals in rule order."""
        # entra-facts §7.1: values are strings, lists, booleans and null.
        parsed = parse_device_filter(
            'device.model -in ["a", "b"] -and device.model -ne "a" -and '
            "device.isCompliant -eq true -or device.extensionAttribute1 -eq null"
        )
        assert dict(parsed.literals()) == {
            "model": ("a", "b"),
            "isCompliant": (True,),
            "extensionAttribute1": (None,),
        }


class TestNodes:
    """Building trees by hand."""

    @pytest.mark.parametrize(
        ("args", "field"),
        [
            (("colour", Operator.EQ, "red"), "Comparison.property"),
            (("trustType", Operator.STARTS_WITH, "A"), "Comparison.operator"),
            (("model", Operator.IN, "a"), "Comparison.value"),
            (("model", Operator.IN, ()), "Comparison.value"),
            (("model", Operator.EQ, ("a",)), "Comparison.value"),
            (("model", Operator.STARTS_WITH, None), "Comparison.value"),
            (("isCompliant", Operator.EQ, "True"), "Comparison.value"),
            (("model", Operator.EQ, True), "Comparison.value"),
        ],
    )
    def test_error_when_comparison_does_not_fit_the_table(
        self, args: tuple[Any, ...], field: str
    ) -> None:
        """A comparison the property table forbids cannot be built (entra-facts §7.3)."""
        # entra-facts §7.3: the property table.
        with pytest.raises(InvalidModelError) as info:
            Comparison(*args)
        assert info.value.field == field

    def test_error_when_bool_op_has_one_operand(self) -> None:
        """A connective needs at least two operands."""
        # entra-facts §7.2: -and and -or join comparisons.
        with pytest.raises(InvalidModelError, match=r"BoolOp\.operands"):
            BoolOp("-and", (A,))

    def test_error_when_bool_op_is_unknown(self) -> None:
        """Only -and and -or are connectives."""
        # entra-facts §7.2: -and and -or are the connectives.
        with pytest.raises(InvalidModelError, match=r"BoolOp\.op:"):
            BoolOp("-xor", (A, B))  # type: ignore[arg-type]

    def test_node_str_is_canonical(self) -> None:
        """Every node prints as canonical rule text."""
        # entra-facts §7.1: -not binds tighter than -or, so the group needs parentheses.
        expected = '-not (device.model -eq "a" -or device.model -eq "b")'
        assert str(Not(BoolOp("-or", (A, B)))) == expected


class TestErrors:
    """Every syntax error, rendered in full (run them with ``-k error``)."""

    def test_error_when_rule_is_empty(self) -> None:
        """An empty rule asks for a comparison."""
        # entra-facts §7.1: a rule is at least one comparison.
        assert rendered_error("") == (
            "Expected a device property such as device.trustType, '(' or -not\n"
            "    \n"
            "    ^"
        )

    def test_error_when_connective_has_no_right_operand(self) -> None:
        """A dangling -and asks for a comparison at the end."""
        # entra-facts §7.1: -and joins two expressions.
        assert rendered_error('device.model -eq "a" -and') == (
            "Expected a device property such as device.trustType, '(' or -not\n"
            '    device.model -eq "a" -and\n'
            "                             ^"
        )

    def test_error_when_property_is_unknown(self) -> None:
        """An unknown property lists the known ones (entra-facts §7.3)."""
        # entra-facts §7.3: the property table.
        assert rendered_error('device.colour -eq "red"') == (
            "Expected a known device property (deviceId, displayName, deviceOwnership, "
            "enrollmentProfileName, isCompliant, manufacturer, mdmAppId, model, "
            "operatingSystem, operatingSystemVersion, physicalIds, profileType, systemLabels, "
            "trustType, extensionAttribute1 to extensionAttribute15), got 'device.colour'\n"
            '    device.colour -eq "red"\n'
            "    ~~~~~~~~~~~~^"
        )

    def test_error_when_property_is_misspelled(self) -> None:
        """A property close to a known one gets a suggestion (entra-facts §7.3)."""
        # entra-facts §7.3: the property table.
        assert rendered_error('device.trustTyp -eq "AzureAD"') == (
            "Expected a known device property, got 'device.trustTyp'; "
            "did you mean device.trustType?\n"
            '    device.trustTyp -eq "AzureAD"\n'
            "    ~~~~~~~~~~~~~~^"
        )

    def test_error_when_operator_is_unknown(self) -> None:
        """-match is not a device filter operator (entra-facts §7.2)."""
        # entra-facts §7.2: -match is not listed for any CA device property.
        assert rendered_error('device.displayName -match "^PC"') == (
            "Expected an operator after device.displayName: -eq, -ne, -startsWith, "
            "-notStartsWith, -endsWith, -notEndsWith, -contains, -notContains, -in or -notIn\n"
            '    device.displayName -match "^PC"\n'
            "                       ~~~~~^"
        )

    @pytest.mark.parametrize(
        ("rule", "rendered"),
        [
            (
                'device.trustType -startsWith "Azure"',
                "Expected -eq or -ne after device.trustType, got '-startsWith'\n"
                '    device.trustType -startsWith "Azure"\n'
                "                     ~~~~~~~~~~^",
            ),
            (
                'device.physicalIds -eq "[ZTDId]:x"',
                "Expected -contains or -notContains after device.physicalIds, got '-eq'\n"
                '    device.physicalIds -eq "[ZTDId]:x"\n'
                "                       ~~^",
            ),
            (
                'device.deviceId eq "a" -or device.deviceId contains "b"',
                "Expected -eq, -ne, -in or -notIn after device.deviceId, got 'contains'\n"
                '    device.deviceId eq "a" -or device.deviceId contains "b"\n'
                "                                               ~~~~~~~^",
            ),
        ],
    )
    def test_error_when_property_does_not_allow_operator(self, rule: str, rendered: str) -> None:
        """The message names the property and its operators (entra-facts §7.3)."""
        # entra-facts §7.3: the operators each property allows.
        assert rendered_error(rule) == rendered

    def test_error_when_value_is_missing(self) -> None:
        """An operator needs a value after it."""
        # entra-facts §7.1: device.<property> <operator> <value>.
        assert rendered_error("device.model -eq") == (
            "Expected a value: a quoted string, a list, True, False or null\n"
            "    device.model -eq\n"
            "                    ^"
        )

    def test_error_when_in_has_a_single_value(self) -> None:
        """-in takes a list (entra-facts §7.1)."""
        # entra-facts §7.1: lists in [...] for -in / -notIn.
        assert rendered_error('device.mdmAppId -in "a"') == (
            "Expected a list such as [\"a\", \"b\"] after -in, got '\"a\"'\n"
            '    device.mdmAppId -in "a"\n'
            "                        ~~^"
        )

    def test_error_when_eq_has_a_list(self) -> None:
        """Only -in and -notIn take a list (entra-facts §7.1)."""
        # entra-facts §7.1: lists in [...] for -in / -notIn.
        assert rendered_error('device.model -eq ["a", "b"]') == (
            "Expected a single value after -eq, got a list\n"
            '    device.model -eq ["a", "b"]\n'
            "                     ~~~~~~~~~^"
        )

    def test_error_when_null_follows_a_string_operator(self) -> None:
        """null goes with -eq and -ne only (entra-facts §7.1)."""
        # entra-facts §7.1: null checks are -eq null / -ne null.
        assert rendered_error("device.model -startsWith null") == (
            "Expected a quoted string after -startsWith; null works only with -eq and -ne\n"
            "    device.model -startsWith null\n"
            "                             ~~~^"
        )

    def test_error_when_is_compliant_is_not_a_boolean(self) -> None:
        """isCompliant takes True or False (entra-facts §7.3)."""
        # entra-facts §7.3: isCompliant takes "True" / "False".
        assert rendered_error('device.isCompliant -eq "yes"') == (
            "Expected True or False for device.isCompliant, got '\"yes\"'\n"
            '    device.isCompliant -eq "yes"\n'
            "                           ~~~~^"
        )

    def test_error_when_string_property_has_a_bare_boolean(self) -> None:
        """Quotes are optional only for booleans (entra-facts §7.1)."""
        # entra-facts §7.1: quotes are optional unless the value is a string.
        assert rendered_error("device.displayName -eq true") == (
            "Expected a quoted string for device.displayName, got 'true'\n"
            "    device.displayName -eq true\n"
            "                           ~~~^"
        )

    def test_error_when_list_misses_a_comma(self) -> None:
        """A list item must be followed by a comma or the closing bracket."""
        # entra-facts §7.1: lists such as ["10.0.18363","10.0.19041"].
        assert rendered_error('device.model -in ["a" "b"]') == (
            "Expected ',' or matching ']' for '['\n"
            '    device.model -in ["a" "b"]\n'
            "                     ~~~~~^"
        )

    def test_error_when_list_is_empty(self) -> None:
        """A list holds at least one quoted string."""
        # entra-facts §7.1: lists such as ["10.0.18363","10.0.19041"].
        assert rendered_error("device.model -in []") == (
            "Expected a quoted string in the list\n"
            "    device.model -in []\n"
            "                      ^"
        )

    def test_error_when_list_has_a_trailing_comma(self) -> None:
        """A comma in a list is followed by another item."""
        # entra-facts §7.1: lists such as ["10.0.18363","10.0.19041"].
        assert rendered_error('device.model -in ["a",]') == (
            "Expected a quoted string after ','\n"
            '    device.model -in ["a",]\n'
            "                          ^"
        )

    def test_error_when_parenthesis_is_not_closed(self) -> None:
        """An unclosed group is underlined from its opening parenthesis."""
        # entra-facts §7.1: parentheses group comparisons.
        assert rendered_error('(device.model -eq "a" -or device.model -eq "b"') == (
            "Expected -and, -or or matching ')' for '('\n"
            '    (device.model -eq "a" -or device.model -eq "b"\n'
            "    ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~^"
        )

    def test_error_when_text_follows_the_rule(self) -> None:
        """A stray closing parenthesis is not the end of the rule."""
        # entra-facts §7.1: parentheses group comparisons.
        assert rendered_error('device.model -eq "a")') == (
            "Expected -and, -or or the end of the rule\n"
            '    device.model -eq "a")\n'
            "                        ^"
        )

    def test_error_when_escape_is_unknown(self) -> None:
        """A backtick escapes only a quote or a backtick (entra-facts §7.1)."""
        # entra-facts §7.1: escape " inside a string with a backtick.
        assert rendered_error('device.model -eq "C:\\`n"') == (
            "Expected '\"' or '`' after the escape character '`'\n"
            '    device.model -eq "C:\\`n"\n'
            "                         ~^"
        )

    def test_error_when_string_is_not_closed(self) -> None:
        """An unterminated string is underlined to the end of the rule."""
        # entra-facts §7.1: strings in double quotes.
        assert rendered_error('device.model -eq "abc -and device.x') == (
            "Expected a closing '\"' for this string\n"
            '    device.model -eq "abc -and device.x\n'
            "                     ~~~~~~~~~~~~~~~~~^"
        )

    def test_error_when_quotes_are_typographic(self) -> None:
        """Curly quotes pasted from a document are pointed out."""
        # entra-facts §7.1: strings in double quotes.
        assert rendered_error("device.model -eq \u201cabc\u201d") == (
            "Expected a straight quote (\" or ') around strings, got '\u201c'\n"
            "    device.model -eq \u201cabc\u201d\n"
            "                     ^"
        )

    def test_error_when_nesting_is_too_deep(self) -> None:
        """Parentheses and -not nest at most MAX_NESTING levels."""
        # entra-facts §7.1: parentheses and -not nest; the depth guard is ours.
        rule = "(" * 51 + 'device.model -eq "a"' + ")" * 51
        assert rendered_error(rule) == (
            "Expected at most 50 levels of parentheses and -not\n"
            f"    {rule}\n"
            f"    {' ' * 50}^"
        )

    def test_error_when_rule_is_too_long(self) -> None:
        """A rule longer than 3,072 characters is refused (entra-facts §7.1)."""
        # entra-facts §7.1: max rule length 3072 characters.
        rule = 'device.displayName -eq "' + "x" * 3050 + '"'
        assert rendered_error(rule) == (
            "Expected a rule of at most 3072 characters, got 3075\n"
            f"    {rule}\n"
            f"    {' ' * 3072}~~^"
        )

    def test_error_pickles(self) -> None:
        """The syntax error keeps message, source and span through pickling."""
        # entra-facts §7.1: the error points into the rule text.
        with pytest.raises(DeviceFilterSyntaxError) as info:
            parse_device_filter("device.model -eq")
        restored = pickle.loads(pickle.dumps(info.value))
        assert (restored.message, restored.source, restored.span) == (
            info.value.message, info.value.source, info.value.span
        )


# --------------------------------------------------------------------------------------
# The real-data corpus
# --------------------------------------------------------------------------------------


def decode(data: bytes) -> str:
    """Decode JSON bytes by their byte order mark: UTF-8 (with or without) or UTF-16."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8):].decode("utf-8")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    return data.decode("utf-8")


def device_filter_rules(value: Any) -> Iterator[str]:
    """Every ``rule`` of a ``deviceFilter`` object (any key case), at any depth."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key.casefold() == "devicefilter" and isinstance(item, dict):
                yield from (v for k, v in item.items() if k.casefold() == "rule")
            yield from device_filter_rules(item)
    elif isinstance(value, list):
        for item in value:
            yield from device_filter_rules(item)


def corpus_rules() -> list[tuple[str, str]]:
    """(file, rule) for every device filter rule in the corpus."""
    found = []
    for path in sorted(CORPUS.rglob("*.json")):
        document = json.loads(decode(path.read_bytes()))
        found += [(str(path.relative_to(CORPUS)), rule) for rule in device_filter_rules(document)]
    return found


def test_every_corpus_rule_parses() -> None:
    """Every device filter rule in the real-data corpus parses and round-trips."""
    # entra-facts §3.8: deviceFilter.rule holds the rule; §7.1: its syntax.
    if not CORPUS.is_dir():
        pytest.skip(f"the real-data corpus is not present at {CORPUS}")
    rules = corpus_rules()
    assert rules, "the corpus holds no device filter rule"
    for path, rule in rules:
        parsed = parse_device_filter(rule)
        assert parse_device_filter(str(parsed)) == parsed, path


def test_public_api() -> None:
    """The package exports exactly its public names, sorted, and nothing else shows in dir()."""
    # entra-facts §7: the rule language, as a package of its own.
    from protected_actions import device_filter

    assert device_filter.__all__ == sorted(device_filter.__all__)
    assert dir(device_filter) == device_filter.__all__
    assert set(device_filter.__all__) == {
        "BoolOp", "Comparison", "ComparisonStep", "DeviceFilter", "FilterResult",
        "MAX_RULE_LENGTH", "Not", "Operator", "PROPERTIES", "Property", "ValueKind",
        "parse_device_filter",
    }
