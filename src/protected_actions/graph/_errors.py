"""Turn cattrs' validation error trees into :class:`~protected_actions.errors.LoadProblem`s.

cattrs (with detailed validation) raises a tree: a ``ClassValidationError`` per
object whose sub-exceptions carry an ``AttributeValidationNote`` (which attribute
failed), an ``IterableValidationError`` per list with ``IterableValidationNote``s
(which index failed). Walking the tree gives a JSON path for every leaf problem;
attribute names become Graph property names through the schema tables. This is
``cattrs.transform_error`` in spirit, with the project's own wording.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import attrs
from cattrs.errors import (
    ClassValidationError,
    ForbiddenExtraKeysError,
    IterableValidationError,
)

from protected_actions.errors import InvalidModelError, LoadError, LoadProblem

__all__: list[str] = []

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_MAX_TEXT = 60

KeyLookup = Callable[[str, str], str | None]
"""Maps (class name, attribute name) to the Graph property name, when known (``""``
for an attribute whose properties are written flat in the owner)."""


class GraphValueError(ValueError):
    """Raised by the converter's hooks: a JSON value is not what the schema expects.

    ``expected`` completes "expected ..."; ``key`` (optional) is a Graph property
    name under the current path where the problem is.
    """

    def __init__(self, expected: str, value: object, *, key: str | None = None,
                 message: str | None = None) -> None:
        self.expected = expected
        self.value = value
        self.key = key
        self.message = message or f"expected {expected}, got {describe(value)}"
        super().__init__(self.message)


def describe(value: object) -> str:
    """A short, JSON-flavoured rendering of a value for an error message."""
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, (list, tuple, frozenset, set)):
        return "a list" if not value else f"a list ({_short(value)})"
    return _short(value)


def _short(value: object) -> str:
    try:
        text = json.dumps(_plain(value), ensure_ascii=False)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= _MAX_TEXT else text[: _MAX_TEXT - 3] + "..."


def _plain(value: object) -> object:
    if isinstance(value, (frozenset, set)):
        return sorted((_plain(v) for v in value), key=str)
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    return str(value)


def key_path(key: str) -> str:
    """The JSONPath step for a property name: ``.name`` or ``['odd name']``."""
    if _IDENTIFIER.fullmatch(key):
        return f".{key}"
    return "[" + json.dumps(key, ensure_ascii=False).replace('"', "'") + "]"


def problems(exc: BaseException, lookup: KeyLookup, path: str = "$") -> Iterator[LoadProblem]:
    """Every leaf problem of a cattrs error tree, with its JSON path."""
    if isinstance(exc, ClassValidationError):
        yield from _class_problems(exc, lookup, path)
    elif isinstance(exc, IterableValidationError):
        yield from _iterable_problems(exc, lookup, path)
    else:
        yield _leaf(exc, lookup, path, None)


def _class_problems(exc: ClassValidationError, lookup: KeyLookup,
                    path: str) -> Iterator[LoadProblem]:
    with_notes, without = exc.group_exceptions()
    name = exc.cl.__name__
    for sub, note in with_notes:
        key = lookup(name, note.name)
        where = path if key == "" else path + key_path(key or note.name)
        if isinstance(sub, KeyError):
            yield LoadProblem(where, "missing required property")
        else:
            yield from problems(sub, lookup, where)
    for sub in without:
        if isinstance(sub, (ClassValidationError, IterableValidationError)):
            yield from problems(sub, lookup, path)
        elif isinstance(sub, ForbiddenExtraKeysError):
            for extra in sorted(sub.extra_fields):
                yield LoadProblem(path + key_path(extra), "unknown property")
        else:
            yield _leaf(sub, lookup, path, name)


def _iterable_problems(exc: IterableValidationError, lookup: KeyLookup,
                       path: str) -> Iterator[LoadProblem]:
    with_notes, without = exc.group_exceptions()
    for sub, note in with_notes:
        step = f"[{note.index}]" if isinstance(note.index, int) else key_path(str(note.index))
        yield from problems(sub, lookup, path + step)
    for sub in without:
        yield from problems(sub, lookup, path)


def _leaf(exc: BaseException, lookup: KeyLookup, path: str,
          class_name: str | None) -> LoadProblem:
    if isinstance(exc, GraphValueError):
        where = path + key_path(exc.key) if exc.key else path
        return LoadProblem(where, exc.message)
    if isinstance(exc, InvalidModelError):
        return LoadProblem(_model_path(exc.field, lookup, path, class_name),
                           f"expected {exc.expected}, got {describe(exc.value)}")
    attribute = _attrs_attribute(exc)
    if attribute is not None and class_name is not None:
        key = lookup(class_name, attribute.name) or attribute.name
        return LoadProblem(path + key_path(key), f"invalid value: {exc.args[0]}")
    return LoadProblem(path, f"invalid value ({type(exc).__name__}: {exc})")


def _attrs_attribute(exc: BaseException) -> Any:
    """The attrs attribute of an error raised by an attrs validator, if any."""
    args: tuple[Any, ...] = tuple(getattr(exc, "args", ()))
    if len(args) >= 2 and isinstance(args[1], attrs.Attribute):
        return args[1]
    return None


def _model_path(field: str, lookup: KeyLookup, path: str, class_name: str | None) -> str:
    """``UserConditions.include_users`` raised while structuring ``UserConditions``
    points at ``includeUsers`` under the current path."""
    owner, dot, rest = field.partition(".")
    if not dot:
        return path
    attribute = rest.split(" ", 1)[0]
    if class_name is not None and owner != class_name:
        return path
    key = lookup(owner, attribute)
    return path + key_path(key) if key else path


def load_error(exc: BaseException, lookup: KeyLookup, *, source: str | None = None,
               path: str = "$") -> LoadError:
    """A :class:`LoadError` listing every problem of ``exc`` (paths from ``path``)."""
    found = list(problems(exc, lookup, path))
    if not found:
        found = [LoadProblem(path, f"invalid value ({type(exc).__name__}: {exc})")]
    if source is not None:
        found = [p if p.source else attrs.evolve(p, source=source) for p in found]
    return LoadError(found)
