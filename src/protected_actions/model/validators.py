"""Small validators and converters shared by the models (attrs style, one template)."""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from datetime import datetime, timezone
from typing import Any

import attrs

from protected_actions.errors import InvalidModelError

__all__: list[str] = []


def _name(instance: object, attribute: attrs.Attribute[Any]) -> str:
    return f"{type(instance).__name__}.{attribute.name}"


def non_empty_str(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """The value is a non-empty string."""
    if not isinstance(value, str) or not value:
        raise InvalidModelError(_name(instance, attribute), "a non-empty string", value)


def optional_str(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """The value is ``None`` or a string."""
    if value is not None and not isinstance(value, str):
        raise InvalidModelError(_name(instance, attribute), "a string or None", value)


def strict_bool(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """The value is a real ``bool`` (not 0/1, not "true")."""
    if not isinstance(value, bool):
        raise InvalidModelError(_name(instance, attribute), "a bool", value)


def optional_bool(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """The value is ``None`` or a real ``bool``."""
    if value is not None and not isinstance(value, bool):
        raise InvalidModelError(_name(instance, attribute), "a bool or None", value)


def aware_datetime(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """The value is a timezone-aware :class:`datetime`."""
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise InvalidModelError(_name(instance, attribute), "a timezone-aware datetime", value)


def plain_aware_datetime(value: object) -> bool:
    """Whether ``value`` is a :class:`datetime` (not a subclass) with a fixed-offset
    :class:`~datetime.timezone` (UTC included): one that :func:`aware_datetime`
    accepts, decided without calling into the time zone."""
    return type(value) is datetime and type(value.tzinfo) is timezone


def str_tuple(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Every element of the tuple is a non-empty string."""
    if not isinstance(value, (tuple, frozenset)) or not all(
        isinstance(v, str) and v for v in value
    ):
        raise InvalidModelError(_name(instance, attribute), "a collection of non-empty strings",
                                value)


def is_str(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """The value is a string (possibly empty)."""
    if not isinstance(value, str):
        raise InvalidModelError(_name(instance, attribute), "a string", value)


def instance_of(kind: type, *, optional: bool = False) -> Any:
    """Validator factory: the value is a ``kind`` (or ``None`` when ``optional``)."""
    label = f"a {kind.__name__}" + (" or None" if optional else "")

    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if isinstance(value, kind) or (optional and value is None):
            return
        raise InvalidModelError(_name(instance, attribute), label, value)

    return check


def str_set(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """The value is a frozenset of non-empty strings."""
    if not isinstance(value, frozenset) or not all(isinstance(v, str) and v for v in value):
        raise InvalidModelError(_name(instance, attribute), "a set of non-empty strings", value)


def in_choices(*choices: str, allow_unknown: bool = False) -> Any:
    """Validator factory: the string is one of ``choices`` (case-sensitive)."""
    allowed = frozenset(choices)

    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if isinstance(value, str) and (value in allowed or (allow_unknown and value)):
            return
        raise InvalidModelError(_name(instance, attribute),
                                "one of " + ", ".join(sorted(allowed)), value)

    return check


def matches(pattern: str, description: str) -> Any:
    """Validator factory: the string fully matches ``pattern``."""
    compiled = re.compile(pattern)

    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, str) or not compiled.fullmatch(value):
            raise InvalidModelError(_name(instance, attribute), description, value)

    return check


def to_str(value: object) -> object:
    """Converter: an :class:`enum.Enum` member of a ``str`` enum becomes its plain value."""
    if type(value) is str or value is None:
        return value
    if isinstance(value, enum.Enum) and isinstance(value.value, str):
        return value.value
    return value


def to_str_tuple(value: Iterable[str]) -> tuple[str, ...]:
    """Converter: any iterable of strings (or str-enum members) becomes a tuple of str.

    Anything else (a bare string included, rather than split into characters) is
    passed through for the field's validator to reject with a clear message.
    """
    kind = type(value)
    if kind is tuple or kind is list:
        if all(type(v) is str for v in value):  # the common case, converted as is
            return value if kind is tuple else tuple(value)  # type: ignore[return-value]
    elif isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        return value  # type: ignore[return-value]
    return tuple(to_str(v) for v in value)  # type: ignore[misc]


def to_str_frozenset(value: Iterable[str]) -> frozenset[str]:
    """Converter: any iterable of strings (or str-enum members) becomes a frozenset."""
    kind = type(value)
    if kind is frozenset or kind is list or kind is tuple or kind is set:
        if all(type(v) is str for v in value):  # the common case, converted as is
            return value if kind is frozenset else frozenset(value)  # type: ignore[return-value]
    elif isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        return value  # type: ignore[return-value]
    return frozenset(to_str(v) for v in value)  # type: ignore[misc]


# -- fields a class checks in one pass -------------------------------------------------

_CHECKS = "protected_actions.checks"


def checks(validator: Any, convert: Any = None) -> dict[str, Any]:
    """The ``metadata`` of an attrs field whose ``validator`` (and ``convert``, its full
    converter) its class runs from ``__attrs_post_init__`` through
    :func:`check_fields` rather than attrs on every construction.

    Such a class checks its common shape in one pass (exact types, values spelled as
    known) and calls :func:`check_fields` whenever that pass does not decide, so every
    value is held to the same rules, with the same errors, as if attrs ran them. The
    field's own ``converter``, if any, only reshapes (a list into a frozenset)."""
    return {_CHECKS: (convert, validator)}


def check_fields(instance: object) -> None:
    """Run the converters and validators of the fields marked with :func:`checks` on
    ``instance`` as attrs runs its own: every converter first, then every validator,
    in field order (the first invalid field raises)."""
    rules = _rules(type(instance))
    for attribute, convert, _ in rules:
        if convert is not None:
            value = getattr(instance, attribute.name)
            converted = convert(value)
            if converted is not value:
                object.__setattr__(instance, attribute.name, converted)
    for attribute, _, validate in rules:
        validate(instance, attribute, getattr(instance, attribute.name))


_Rules = tuple[tuple["attrs.Attribute[Any]", Any, Any], ...]
_RULES: dict[type, _Rules] = {}


def _rules(cls: type) -> _Rules:
    rules = _RULES.get(cls)
    if rules is None:
        rules = _RULES[cls] = tuple((a, *a.metadata[_CHECKS]) for a in attrs.fields(cls)
                                    if _CHECKS in a.metadata)
    return rules


NO_STRINGS: frozenset[str] = frozenset()
"""The empty set of a set field (shared: one object for every empty field)."""


def as_frozenset(value: Iterable[str]) -> frozenset[str]:
    """Structural converter of a set field marked with :func:`checks`: a list, tuple or
    set becomes a frozenset (:data:`NO_STRINGS` when empty), a frozenset is kept,
    anything else is passed through for the full converter and the validator."""
    kind = type(value)
    if kind is frozenset:
        return value  # type: ignore[return-value]
    if kind is list or kind is tuple or kind is set:
        return frozenset(value) if value else NO_STRINGS
    return value  # type: ignore[return-value]


def as_tuple(value: Iterable[str]) -> tuple[str, ...]:
    """Structural converter of a sequence field marked with :func:`checks`: a list becomes a tuple,
    anything else is passed through for the full converter and the validator."""
    return tuple(value) if type(value) is list else value  # type: ignore[return-value]
