"""The exception hierarchy in ``protected_actions.errors`` (DESIGN §7)."""

from __future__ import annotations

import inspect
import pickle
from collections.abc import Callable

import pytest

from protected_actions import errors
from protected_actions.errors import (
    DeviceFilterSyntaxError,
    InvalidModelError,
    InvalidPermissionError,
    LoadError,
    LoadProblem,
    ProtectedActionsError,
)

#: One instance of every exception class, with the attributes that must survive pickling.
EXAMPLES: dict[type[Exception], tuple[Callable[[], Exception], tuple[str, ...]]] = {
    ProtectedActionsError: (lambda: ProtectedActionsError("something went wrong"), ("args",)),
    InvalidModelError: (
        lambda: InvalidModelError("Policy.state", "a non-empty string", ""),
        ("field", "expected", "value", "args")),
    InvalidPermissionError: (
        lambda: InvalidPermissionError("not a permission"),
        ("field", "expected", "value", "args")),
    LoadError: (
        lambda: LoadError([LoadProblem(path="$.conditionalAccessPolicies[3].state",
                                       message="expected a string", source="bundle.json"),
                           LoadProblem(path="$.users[0].id", message="missing")]),
        ("problems", "args")),
    DeviceFilterSyntaxError: (
        lambda: DeviceFilterSyntaxError(
            "Expected an operator such as -eq or -startsWith after device.trustType",
            source='device.trustType "AzureAD"', span=(17, 26)),
        ("message", "source", "span", "args")),
}

#: Errors caused by user input also derive from ValueError (STYLE §7).
USER_INPUT_ERRORS = (InvalidModelError, InvalidPermissionError, LoadError,
                     DeviceFilterSyntaxError)


def exception_classes() -> set[type[BaseException]]:
    """Every exception class the errors module exports."""
    return {obj for name in errors.__all__ if inspect.isclass(obj := getattr(errors, name))
            and issubclass(obj, BaseException)}


class TestHierarchy:
    """Where each error sits."""

    def test_every_class_has_an_example(self) -> None:
        """The pickling test below covers every exception class of the module."""
        assert exception_classes() == set(EXAMPLES)

    @pytest.mark.parametrize("cls", sorted(EXAMPLES, key=lambda c: c.__name__))
    def test_derives_from_root(self, cls: type[Exception]) -> None:
        """Every error derives from ProtectedActionsError."""
        assert issubclass(cls, ProtectedActionsError)

    @pytest.mark.parametrize("cls", USER_INPUT_ERRORS)
    def test_user_input_errors_are_value_errors(self, cls: type[Exception]) -> None:
        """Errors caused by user input are also ValueErrors."""
        assert issubclass(cls, ValueError)

    def test_root_is_not_a_value_error(self) -> None:
        """The root error is a plain Exception."""
        assert not issubclass(ProtectedActionsError, ValueError)

    def test_invalid_permission_is_an_invalid_model(self) -> None:
        """A malformed permission is a kind of invalid model value."""
        assert issubclass(InvalidPermissionError, InvalidModelError)


class TestPickling:
    """Every error pickles with its structured attributes intact."""

    @pytest.mark.parametrize("cls", sorted(EXAMPLES, key=lambda c: c.__name__))
    def test_round_trip(self, cls: type[Exception]) -> None:
        """Pickling keeps the class, the message and every structured attribute."""
        build, attributes = EXAMPLES[cls]
        original = build()
        copy = pickle.loads(pickle.dumps(original))
        assert type(copy) is cls
        assert str(copy) == str(original)
        for name in attributes:
            assert getattr(copy, name) == getattr(original, name), name


class TestMessages:
    """What the errors say."""

    def test_invalid_model_message(self) -> None:
        """The message names the field, the expectation and the value."""
        e = InvalidModelError("Policy.state", "a non-empty string", "")
        assert str(e) == "Policy.state: expected a non-empty string, got ''"

    def test_invalid_permission_defaults(self) -> None:
        """A malformed permission names ``Permission.value`` and an example."""
        e = InvalidPermissionError("x")
        assert e.field == "Permission.value"
        assert "microsoft.directory/conditionalAccessPolicies/create" in e.expected
        assert e.value == "x"

    def test_load_error_lists_every_problem(self) -> None:
        """A load error lists every problem with its JSON path."""
        e = LoadError([LoadProblem(path="$.a", message="bad"),
                       LoadProblem(path="$.b", message="worse", source="f.json")])
        assert str(e) == "2 problems while loading:\n  $.a: bad\n  f.json: $.b: worse"
        assert len(e.problems) == 2

    def test_device_filter_error_shows_a_caret(self) -> None:
        """A device filter error renders the rule with a marker under the offending token."""
        e = DeviceFilterSyntaxError("Expected a value", source='device.model -eq', span=(13, 16))
        assert str(e).splitlines() == ["Expected a value", "    device.model -eq",
                                       "                 ~~^"]

    def test_raised_by_the_library_are_catchable_at_the_root(self) -> None:
        """An error raised by a model is caught by ``except ProtectedActionsError``."""
        from protected_actions import AuthContext

        with pytest.raises(ProtectedActionsError):
            AuthContext(id="c100")
