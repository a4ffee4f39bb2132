"""Every exception the library raises.

Factored out so that every module can import it without import loops.
All errors derive from :class:`ProtectedActionsError`; errors caused by user input
also derive from :class:`ValueError` so generic handlers keep working. Every class
pickles with its structured attributes intact.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs

__all__ = [
    "DeviceFilterSyntaxError",
    "InvalidModelError",
    "InvalidPermissionError",
    "LoadError",
    "LoadProblem",
    "ProtectedActionsError",
]


def __dir__() -> list[str]:
    return __all__


class ProtectedActionsError(Exception):
    """Root of every error raised by ``protected_actions``.

    .. versionadded:: 0.1
    """


class InvalidModelError(ProtectedActionsError, ValueError):
    """A model was constructed with a value it cannot hold.

    ``field`` names the offending attribute (``"Policy.state"``), ``expected`` says
    what it must be and ``value`` is what was given.

    .. versionadded:: 0.1
    """

    def __init__(self, field: str, expected: str, value: object) -> None:
        self.field = field
        self.expected = expected
        self.value = value
        super().__init__(f"{field}: expected {expected}, got {value!r}")

    def __reduce__(self) -> tuple[type[InvalidModelError], tuple[str, str, object]]:
        return (type(self), (self.field, self.expected, self.value))


class InvalidPermissionError(InvalidModelError):
    """A permission (resource action) string is malformed.

    .. versionadded:: 0.1
    """

    def __init__(self, value: object, expected: str = "a resource action such as "
                 "'microsoft.directory/conditionalAccessPolicies/create'",
                 field: str = "Permission.value") -> None:
        super().__init__(field, expected, value)

    def __reduce__(self) -> tuple[type[InvalidModelError], tuple[str, str, object]]:
        return (type(self), (self.value, self.expected, self.field))  # type: ignore[return-value]


@attrs.frozen
class LoadProblem:
    """One problem found while loading JSON: where it is and what was expected.

    ``path`` is a JSONPath such as ``$.conditionalAccessPolicies[3].state``;
    ``source`` the file it is in and ``line`` the line in that file where the object
    holding the problem starts (when the file is known).
    """

    path: str
    message: str
    source: str | None = None
    line: int | None = None

    def __str__(self) -> str:
        line = f":{self.line}" if self.source and self.line else ""
        where = f"{self.source}{line}: " if self.source else ""
        return f"{where}{self.path}: {self.message}"


class LoadError(ProtectedActionsError, ValueError):
    """Loading Microsoft Graph JSON (or a session) failed.

    ``problems`` lists *every* problem found, each with its JSON path, not just the
    first one.

    .. versionadded:: 0.1
    """

    def __init__(self, problems: Sequence[LoadProblem]) -> None:
        self.problems = tuple(problems)
        lines = [str(p) for p in self.problems] or ["unknown load problem"]
        head = "1 problem" if len(lines) == 1 else f"{len(lines)} problems"
        super().__init__(f"{head} while loading:\n  " + "\n  ".join(lines))

    def __reduce__(self) -> tuple[type[LoadError], tuple[tuple[LoadProblem, ...]]]:
        return (type(self), (self.problems,))


class DeviceFilterSyntaxError(ProtectedActionsError, ValueError):
    """A device filter rule does not follow the rule language.

    Keeps ``message``, ``source`` and ``span`` (start, end offsets into ``source``)
    as attributes; ``str()`` renders the message, the rule, and a caret line under
    the offending token.

    .. versionadded:: 0.1
    """

    def __init__(self, message: str, *, source: str, span: tuple[int, int]) -> None:
        self.message = message
        self.source = source
        self.span = span
        super().__init__(message)

    def __str__(self) -> str:
        start, end = self.span
        marker = " " * start + "~" * max(0, end - start - 1) + "^"
        # Line breaks and tabs are shown as spaces so the caret stays under its column.
        shown = self.source.translate(_FLAT)
        return "\n    ".join([self.message, shown, marker])

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild_syntax_error, (self.message, self.source, self.span))


_FLAT = str.maketrans({"\n": " ", "\r": " ", "\t": " "})


def _rebuild_syntax_error(
    message: str, source: str, span: tuple[int, int]
) -> DeviceFilterSyntaxError:
    return DeviceFilterSyntaxError(message, source=source, span=span)
