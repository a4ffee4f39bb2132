"""Evaluating device filters: operators, null semantics, steps and explanations."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from protected_actions.device_filter import (
    PROPERTIES,
    ComparisonStep,
    FilterResult,
    Operator,
    ValueKind,
    parse_device_filter,
)

Device = Mapping[str, "str | bool | tuple[str, ...] | None"] | None

WINDOWS_PC: Device = {
    "deviceId": "d1",
    "displayName": "PC-0042",
    "operatingSystem": "Windows",
    "trustType": "AzureAD",
    "isCompliant": True,
    "physicalIds": ("[ZTDId]:abc", "[OrderId]:o1"),
    "systemLabels": ("M365Managed",),
}


def matches(rule: str, device: Device) -> bool:
    """Evaluate ``rule`` on both paths, check they agree, and return the verdict."""
    parsed = parse_device_filter(rule)
    verdict = parsed.matches(device)
    assert parsed.evaluate(device).matched is verdict
    return verdict


def literal_for(name: str, operator: Operator) -> str:
    """A literal the property table allows after ``operator`` for property ``name``."""
    if operator.takes_list:
        return '["x"]'
    return "True" if PROPERTIES[name].kind is ValueKind.BOOLEAN else '"x"'


ALL_PAIRS = [(name, op) for name, row in PROPERTIES.items() for op in row.operators]


class TestNullSemantics:
    """entra-facts §7.4: the applicability table."""

    @pytest.mark.parametrize(("name", "operator"), ALL_PAIRS)
    def test_unregistered_device(self, name: str, operator: Operator) -> None:
        """Unregistered: every positive operator is false, every negative one true."""
        # entra-facts §7.4 rows "positive, any attribute, unregistered: No" and
        # "negative, any attribute, unregistered: Yes".
        rule = f"device.{name} {operator} {literal_for(name, operator)}"
        assert matches(rule, None) is operator.is_negative

    @pytest.mark.parametrize(("name", "operator"), ALL_PAIRS)
    def test_missing_property_reads_as_null(self, name: str, operator: Operator) -> None:
        """A property the device does not report behaves like an unregistered device."""
        # entra-facts §7.4: extension attributes of an unmanaged device have no value.
        rule = f"device.{name} {operator} {literal_for(name, operator)}"
        assert matches(rule, {}) is operator.is_negative
        assert matches(rule, {name: None}) is operator.is_negative

    @pytest.mark.parametrize(
        ("rule", "device", "expected"),
        [
            # entra-facts §7.4: positive operators, registered device, criteria met or not.
            ('device.trustType -eq "AzureAD"', WINDOWS_PC, True),
            ('device.trustType -eq "ServerAD"', WINDOWS_PC, False),
            # entra-facts §7.4: negative operators, registered device, criteria met or not.
            ('device.trustType -ne "ServerAD"', WINDOWS_PC, True),
            ('device.trustType -ne "AzureAD"', WINDOWS_PC, False),
            # entra-facts §7.4: extension attributes of an Intune-managed device are evaluated.
            ('device.extensionAttribute1 -eq "SAW"', {"extensionAttribute1": "SAW"}, True),
            ('device.extensionAttribute1 -ne "SAW"', {"extensionAttribute1": "SAW"}, False),
            # entra-facts §7.4: ... and of an unmanaged one read as null.
            ('device.extensionAttribute1 -eq "SAW"', WINDOWS_PC, False),
            ('device.extensionAttribute1 -ne "SAW"', WINDOWS_PC, True),
        ],
    )
    def test_registered_device(self, rule: str, device: Device, expected: bool) -> None:
        """A registered device is evaluated on the values it reports."""
        # entra-facts §7.4: the rows for registered devices, with and without extension attributes.
        assert matches(rule, device) is expected

    @pytest.mark.parametrize(
        ("rule", "device", "expected"),
        [
            # entra-facts §7.1: -eq null / -ne null test for null.
            ("device.extensionAttribute2 -eq null", None, True),
            ("device.extensionAttribute2 -ne null", None, False),
            ("device.extensionAttribute2 -eq null", {"extensionAttribute2": "x"}, False),
            ("device.extensionAttribute2 -ne null", {"extensionAttribute2": "x"}, True),
            ("device.isCompliant -eq null", {"isCompliant": False}, False),
            ("device.isCompliant -ne null", {"isCompliant": False}, True),
            ("device.extensionAttribute2 -eq null", {"extensionAttribute2": ""}, False),
        ],
    )
    def test_null_literal(self, rule: str, device: Device, expected: bool) -> None:
        """``-eq null`` is true exactly for null; ``-ne null`` is its negation."""
        # entra-facts §7.1: null checks are written -eq null / -ne null.
        assert matches(rule, device) is expected


class TestOperators:
    """entra-facts §7.2 and §7.3: each operator on strings, collections and booleans."""

    @pytest.mark.parametrize(
        ("operator", "literal", "actual", "expected"),
        [
            ("-eq", '"windows"', "Windows", True),
            ("-eq", '"Win"', "Windows", False),
            ("-ne", '"WINDOWS"', "Windows", False),
            ("-ne", '"iOS"', "Windows", True),
            ("-startsWith", '"win"', "Windows", True),
            ("-startsWith", '"dows"', "Windows", False),
            ("-notStartsWith", '"WIN"', "Windows", False),
            ("-notStartsWith", '"iOS"', "Windows", True),
            ("-endsWith", '"DOWS"', "Windows", True),
            ("-endsWith", '"win"', "Windows", False),
            ("-notEndsWith", '"dows"', "Windows", False),
            ("-notEndsWith", '"win"', "Windows", True),
            ("-contains", '"NDO"', "Windows", True),
            ("-contains", '"mac"', "Windows", False),
            ("-notContains", '"ndo"', "Windows", False),
            ("-notContains", '"mac"', "Windows", True),
            ("-in", '["iOS", "WINDOWS"]', "Windows", True),
            ("-in", '["iOS", "Android"]', "Windows", False),
            ("-notIn", '["windows"]', "Windows", False),
            ("-notIn", '["iOS"]', "Windows", True),
            ("-eq", '""', "", True),
            ("-contains", '""', "Windows", True),
            ("-eq", '"STRASSE"', "stra\u00dfe", True),
        ],
    )
    def test_string_operators(
        self, operator: str, literal: str, actual: str, expected: bool
    ) -> None:
        """String operators compare without regard to case (entra-facts §7.1)."""
        # entra-facts §7.1: string operations aren't case sensitive; §7.3: all ten operators.
        rule = f"device.operatingSystem {operator} {literal}"
        assert matches(rule, {"operatingSystem": actual}) is expected

    @pytest.mark.parametrize(
        ("rule", "expected"),
        [
            # entra-facts §7.1: on a collection, -contains means "equals one whole element".
            ('device.physicalIds -contains "[ztdid]:ABC"', True),
            ('device.physicalIds -contains "[ZTDId]"', False),
            ('device.physicalIds -contains "abc"', False),
            ('device.physicalIds -notContains "[ZTDId]:abc"', False),
            ('device.physicalIds -notContains "[ZTDId]"', True),
            ('device.systemLabels -contains "m365managed"', True),
            ('device.systemLabels -contains "M365"', False),
            ('device.systemLabels -notContains "MultiUser"', True),
        ],
    )
    def test_collection_operators(self, rule: str, expected: bool) -> None:
        """Collections are searched element by element."""
        # entra-facts §7.1: -contains on a collection equals one whole element.
        assert matches(rule, WINDOWS_PC) is expected

    def test_empty_collection(self) -> None:
        """An empty collection contains nothing."""
        # entra-facts §7.1: an empty collection has no element to equal.
        assert matches('device.systemLabels -contains ""', {"systemLabels": ()}) is False
        assert matches('device.systemLabels -notContains "x"', {"systemLabels": ()}) is True

    def test_collection_as_a_list(self) -> None:
        """A collection may be passed as a list, as JSON gives it."""
        # entra-facts §7.3: physicalIds and systemLabels are collections.
        device = {"systemLabels": ["b", "A"]}
        assert matches('device.systemLabels -contains "a"', device)  # type: ignore[dict-item]

    @pytest.mark.parametrize("spelling", ["True", "true", '"True"', "'TRUE'"])
    @pytest.mark.parametrize(("compliant", "expected"), [(True, True), (False, False)])
    def test_boolean_spellings(self, spelling: str, compliant: bool, expected: bool) -> None:
        """``True``, ``true`` and ``"True"`` mean the same (entra-facts §7.1)."""
        # entra-facts §7.1: -eq "True" (CA doc) and -eq true (dynamic-group doc).
        rule = f"device.isCompliant -eq {spelling}"
        assert matches(rule, {"isCompliant": compliant}) is expected

    @pytest.mark.parametrize(("compliant", "expected"), [(True, False), (False, True)])
    def test_boolean_not_equal(self, compliant: bool, expected: bool) -> None:
        """``-ne True`` holds for a non-compliant device (entra-facts §7.3)."""
        # entra-facts §7.3: isCompliant allows -eq and -ne.
        assert matches('device.isCompliant -ne "True"', {"isCompliant": compliant}) is expected

    @pytest.mark.parametrize(
        ("rule", "name"),
        [
            ('device.displayName -eq "say `"hi`""', 'say "hi"'),
            ('device.displayName -eq "a``b"', "a`b"),
            ("device.displayName -eq 'it''s'", "it's"),
        ],
    )
    def test_escaped_strings(self, rule: str, name: str) -> None:
        """Escapes stand for the character they escape (entra-facts §7.1)."""
        # entra-facts §7.1: escape " with a backtick, ' by doubling it.
        assert matches(rule, {"displayName": name})
        assert not matches(rule, {"displayName": name + "x"})


class TestCombinations:
    """Connectives and precedence (entra-facts §7.1)."""

    def test_and_binds_tighter_than_or(self) -> None:
        """``a -or b -and c`` holds when ``a`` holds, even though ``c`` does not."""
        # entra-facts §7.1: precedence, highest first: comparison, -not, -and, -or.
        a, b, c = (
            'device.trustType -eq "AzureAD"',
            'device.trustType -eq "ServerAD"',
            "device.isCompliant -eq False",
        )
        assert matches(f"{a} -or {b} -and {c}", WINDOWS_PC)
        assert not matches(f"({a} -or {b}) -and {c}", WINDOWS_PC)

    @pytest.mark.parametrize(
        ("rule", "expected"),
        [
            ('-not device.trustType -eq "AzureAD"', False),
            ('not device.trustType -eq "ServerAD"', True),
            ('-not -not device.trustType -eq "AzureAD"', True),
            ('-not (device.trustType -eq "ServerAD" -or device.isCompliant -eq True)', False),
            ('-not device.trustType -eq "ServerAD" -and device.isCompliant -eq True', True),
        ],
    )
    def test_not(self, rule: str, expected: bool) -> None:
        """``-not`` negates the comparison or group after it."""
        # entra-facts §7.1: -not comes from the dynamic-group grammar.
        assert matches(rule, WINDOWS_PC) is expected

    def test_not_of_a_positive_operator_on_an_unregistered_device(self) -> None:
        """``-not`` of a positive operator holds for an unregistered device (entra-facts §7.4)."""
        # entra-facts §7.4: positive operators are false for an unregistered device.
        assert matches('-not device.trustType -eq "AzureAD"', None)


class TestSteps:
    """What ``evaluate`` records."""

    def test_steps_record_each_comparison(self) -> None:
        """Each evaluated comparison becomes a step with its values and span."""
        # entra-facts §7.1: a rule is made of device.<property> <operator> <value> comparisons.
        parsed = parse_device_filter('device.trustType eq "AzureAD" and device.model eq "X"')
        result = parsed.evaluate(WINDOWS_PC)
        assert result == FilterResult(
            rule='device.trustType -eq "AzureAD" -and device.model -eq "X"',
            matched=False,
            steps=(
                ComparisonStep("trustType", Operator.EQ, "AzureAD", "AzureAD", True, (0, 30)),
                ComparisonStep("model", Operator.EQ, "X", None, False, (36, 56)),
            ),
        )
        assert [str(parsed)[slice(*step.span)] for step in result.steps] == [
            'device.trustType -eq "AzureAD"',
            'device.model -eq "X"',
        ]

    def test_and_stops_at_the_first_false_operand(self) -> None:
        """-and evaluates no further once an operand is false."""
        # entra-facts §7.1: -and combines comparisons.
        result = parse_device_filter(
            'device.model -eq "X" -and device.trustType -eq "AzureAD"'
        ).evaluate(WINDOWS_PC)
        assert [step.property for step in result.steps] == ["model"]

    def test_or_stops_at_the_first_true_operand(self) -> None:
        """-or evaluates no further once an operand is true."""
        # entra-facts §7.1: -or combines comparisons.
        result = parse_device_filter(
            'device.trustType -eq "AzureAD" -or device.model -eq "X"'
        ).evaluate(WINDOWS_PC)
        assert [step.property for step in result.steps] == ["trustType"]

    @pytest.mark.parametrize(
        ("rule", "device", "message"),
        [
            ('device.extensionAttribute1 -eq "SAW"', None,
             'device.extensionAttribute1 is null: -eq "SAW" is false'),
            ('device.trustType -eq "AzureAD"', WINDOWS_PC,
             'device.trustType is "AzureAD": -eq "AzureAD" is true'),
            ('device.systemLabels -notContains "MultiUser"', WINDOWS_PC,
             'device.systemLabels is ["M365Managed"]: -notContains "MultiUser" is true'),
            ("device.isCompliant -eq true", WINDOWS_PC,
             "device.isCompliant is True: -eq True is true"),
            ("device.model -ne null", None, "device.model is null: -ne null is false"),
            ('device.model -in ["a", "b"]', {"model": 'x"y'},
             'device.model is "x`"y": -in ["a", "b"] is false'),
        ],
    )
    def test_step_message(self, rule: str, device: Device, message: str) -> None:
        """A step reads as one sentence: the device's value, the test, the result."""
        # entra-facts §7.4: null values are named as such.
        (step,) = parse_device_filter(rule).evaluate(device).steps
        assert step.message == message

    def test_explain(self) -> None:
        """``explain`` gives the verdict, the rule and one line per step."""
        # entra-facts §7.4: every property of an unregistered device is null.
        result = parse_device_filter(
            "device.isCompliant -eq True -or device.trustType -eq 'ServerAD'"
        ).evaluate(None)
        assert result.explain() == (
            'did not match: device.isCompliant -eq True -or device.trustType -eq "ServerAD"\n'
            "  device.isCompliant is null: -eq True is false\n"
            '  device.trustType is null: -eq "ServerAD" is false'
        )


class TestDeviceValues:
    """What a device mapping may hold."""

    @pytest.mark.parametrize(
        ("rule", "device", "wanted"),
        [
            ('device.model -eq "x"', {"model": 1}, "str"),
            ('device.model -eq "x"', {"model": True}, "str"),
            ("device.isCompliant -eq True", {"isCompliant": "True"}, "bool"),
            ('device.systemLabels -contains "x"', {"systemLabels": "x"}, "tuple or list"),
        ],
    )
    def test_error_when_device_value_has_the_wrong_type(
        self, rule: str, device: Device, wanted: str
    ) -> None:
        """A value of the wrong Python type is a programming error, on both paths."""
        # entra-facts §7.3: each property holds a string, a boolean or a collection.
        parsed = parse_device_filter(rule)
        with pytest.raises(TypeError, match=f"must be {wanted}"):
            parsed.matches(device)
        with pytest.raises(TypeError, match=f"must be {wanted}"):
            parsed.evaluate(device)
