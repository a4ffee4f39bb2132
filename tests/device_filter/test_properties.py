"""Properties of the device filter language, checked with generated rules and devices."""

from __future__ import annotations

import pytest
from hypothesis import given, note, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from protected_actions.device_filter import (
    PROPERTIES,
    DeviceFilter,
    Not,
    ValueKind,
    parse_device_filter,
)
from protected_actions.device_filter._evaluate import Device, DeviceValue
from protected_actions.errors import DeviceFilterSyntaxError
from protected_actions.strategies._device_filters import (
    _spellings,
    device_filter_rules,
    device_filters,
)

# A small alphabet so that generated devices often match generated literals.
TEXTS = st.text(alphabet='aAbB `"\'', max_size=3)
SETTINGS = settings(max_examples=150, deadline=None)


def device_values(kind: ValueKind) -> st.SearchStrategy[DeviceValue]:
    """Values a device may hold for a property of ``kind``, null included."""
    values: dict[ValueKind, st.SearchStrategy[DeviceValue]] = {
        ValueKind.STRING: TEXTS,
        ValueKind.BOOLEAN: st.booleans(),
        ValueKind.COLLECTION: st.lists(TEXTS, max_size=3).map(tuple),
    }
    return st.none() | values[kind]


DEVICES: st.SearchStrategy[Device] = st.none() | st.fixed_dictionaries(
    {}, optional={name: device_values(row.kind) for name, row in PROPERTIES.items()}
)


@SETTINGS
@given(device_filters())
def test_canonical_text_round_trips(parsed: DeviceFilter) -> None:
    """Parsing the canonical text gives back an equal filter with an equal tree."""
    # entra-facts §7.1: every spelling of the grammar has one canonical text.
    again = parse_device_filter(str(parsed))
    assert again == parsed
    assert again.tree == parsed.tree
    assert str(again) == str(parsed)


@SETTINGS
@given(device_filters().flatmap(lambda f: st.tuples(st.just(f), _spellings(f.tree))))
def test_every_spelling_parses_to_the_same_filter(pair: tuple[DeviceFilter, str]) -> None:
    """A rule written in any accepted spelling parses to the filter it spells."""
    # entra-facts §7.1: case-insensitive operators, optional hyphens, both quote styles.
    parsed, rule = pair
    note(f"rule: {rule!r}")
    assert parse_device_filter(rule) == parsed


@SETTINGS
@given(device_filter_rules(canonical=True))
def test_canonical_rules_are_fixed_points(rule: str) -> None:
    """A canonical rule is its own canonical text."""
    # entra-facts §7.1: the grammar.
    assert str(parse_device_filter(rule)) == rule


def syntax_error(text: str) -> DeviceFilterSyntaxError | None:
    """Parse ``text`` and return the syntax error it raises, if any."""
    try:
        parse_device_filter(text)
    except DeviceFilterSyntaxError as error:
        return error
    return None


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_arbitrary_text_raises_only_syntax_errors(text: str) -> None:
    """Any text either parses or raises DeviceFilterSyntaxError with a span inside it."""
    # entra-facts §7.1: text outside the grammar is a syntax error.
    error = syntax_error(text)
    if error is not None:
        start, end = error.span
        assert 0 <= start <= end <= len(text)
        assert error.message.startswith("Expected ")


@settings(max_examples=300, deadline=None)
@given(device_filter_rules(max_leaves=3), st.integers(min_value=0, max_value=200), st.text())
def test_mangled_rules_raise_only_syntax_errors(rule: str, at: int, text: str) -> None:
    """A valid rule with text spliced in either parses or raises DeviceFilterSyntaxError."""
    # entra-facts §7.1: text outside the grammar is a syntax error.
    error = syntax_error(rule[:at] + text + rule[at:])
    assert error is None or error.message.startswith("Expected ")


@SETTINGS
@given(device_filters(values=TEXTS), DEVICES)
def test_matches_agrees_with_evaluate(parsed: DeviceFilter, device: Device) -> None:
    """The fast path and the explaining path give the same verdict."""
    # entra-facts §7.4: both paths share one statement of the null semantics.
    result = parsed.evaluate(device)
    assert parsed.matches(device) is result.matched
    assert all(str(parsed)[slice(*step.span)].startswith("device.") for step in result.steps)


@SETTINGS
@given(device_filters(values=TEXTS), DEVICES)
def test_not_negates(parsed: DeviceFilter, device: Device) -> None:
    """``-not (rule)`` matches exactly the devices the rule does not."""
    # entra-facts §7.1: -not comes from the dynamic-group grammar.
    assert DeviceFilter(Not(parsed.tree)).matches(device) is not parsed.matches(device)


@SETTINGS
@given(device_filters(values=TEXTS, max_leaves=1))
def test_unregistered_device_follows_the_operator_sign(parsed: DeviceFilter) -> None:
    """On an unregistered device a comparison holds iff its operator is negative."""
    # entra-facts §7.4: positive operators do not apply, negative operators do;
    # the literal null is the documented exception.
    (step,) = parsed.evaluate(None).steps
    expected = step.operator.is_negative != (step.value is None)
    assert step.result is expected


@pytest.mark.parametrize(
    "strategy",
    [device_filters(properties=["colour"]), device_filter_rules(max_leaves=0)],
)
def test_error_when_strategy_arguments_are_invalid(strategy: st.SearchStrategy[object]) -> None:
    """Invalid strategy arguments are refused when the strategy is first used, not before."""
    # entra-facts §7.3: only the table's properties exist.
    with pytest.raises(InvalidArgument):
        strategy.validate()
