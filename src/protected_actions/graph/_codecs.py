"""Codecs: how one Graph JSON property maps to one model attribute, and back.

A codec structures a JSON value into the model's value (``load``) and unstructures
it again (``dump``). The converter uses ``load`` as the field's cattrs structure
hook and ``dump`` as its unstructure hook. Two more questions make round trips
lossless: ``differs`` (would dumping the model value write something other than
what was read? then the converter keeps the raw value) and ``matches`` (does a
raw value kept earlier still structure to the model's current value? only then
is it written back).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar, TypeVar, get_args

import attrs
import cattrs
from cattrs.errors import (
    AttributeValidationNote,
    ClassValidationError,
    IterableValidationError,
    IterableValidationNote,
)

from protected_actions.model.frozen import thaw
from protected_actions.model.spelling import token_problem
from protected_actions.model.vocabulary import ascii_lower

from ._errors import GraphValueError, describe

__all__: list[str] = []

T = TypeVar("T")


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()
"""No default: ``null`` is an error for this property."""


@attrs.frozen
class Context:
    """What a hook needs besides the value: the converter and its options."""

    converter: cattrs.Converter
    strict: bool = False
    for_create: bool = False

    def structure(self, value: Any, type_: Any) -> Any:
        """Structure through the converter (nested Graph objects)."""
        return self.converter.structure(value, type_)

    def unstructure(self, value: Any) -> Any:
        """Unstructure through the converter (nested Graph objects)."""
        return self.converter.unstructure(value)


class _JSONObject:
    """Names a plain JSON object (no model class) in error trees."""


# -- small helpers shared by the codecs ------------------------------------------------


_SCALARS = frozenset({str, int, float, bool, type(None)})


def same_json(a: Any, b: Any) -> bool:
    """Strict JSON equality: ``true`` is not ``1``, ``1`` is not ``1.0``, order counts
    in arrays (not in objects)."""
    if type(a) in _SCALARS:  # the common case, decided as the last line would
        return type(a) is type(b) and bool(a == b)
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return a.keys() == b.keys() and all(same_json(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(same_json(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and bool(a == b)


def is_set(value: Any) -> bool:
    """Whether a model value carries information (not None, not an empty collection;
    ``False`` is information)."""
    if value is None:
        return False
    if isinstance(value, (tuple, frozenset, Mapping)):
        return bool(value)
    return True


def always(value: Any, owner: Any) -> bool:
    """A property the normal form always writes (``null`` / ``[]`` when empty)."""
    return True


def if_set(value: Any, owner: Any) -> bool:
    """A property the normal form writes only when it carries information."""
    return is_set(value)


def is_blank(value: Any) -> bool:
    """Whether a JSON object has properties but every one is ``null``, ``[]`` or itself
    blank (``{}`` included): how PowerShell's ``ConvertTo-Json`` writes an object the
    Graph SDK never received, such as ``"DeviceFilter": {"Mode": null, "Rule": null}``."""
    return isinstance(value, Mapping) and bool(value) and all(
        v is None or v == [] or v == {} or is_blank(v) for v in value.values())


def find(mapping: Mapping[Any, Any], key: str) -> Any:
    """``mapping[key]``, matching the key case-insensitively; ``None`` when absent."""
    if key in mapping:
        return mapping[key]
    folded = ascii_lower(key)
    for name, value in mapping.items():
        if isinstance(name, str) and ascii_lower(name) == folded:
            return value
    return None


def as_list(value: Any, expected: str) -> Sequence[Any]:
    """A JSON array (``null`` reads as empty); anything else is an error."""
    if value is None:
        return ()
    if isinstance(value, (list, tuple)):
        return value
    raise GraphValueError(expected, value)


def text_item(value: Any) -> str:
    """One string of a list of strings."""
    if isinstance(value, str):
        return value
    raise GraphValueError("a string", value)


def token_item(value: Any) -> str:
    """One id, reference or enumeration value: a string that is not blank, padded or
    holding a control character (``"c1 "`` is not ``"c1"``)."""
    text = text_item(value)
    problem = token_problem(text)
    if problem is not None:
        raise GraphValueError("an id or value without surrounding whitespace or control "
                              "characters", text,
                              message=f"invalid id or value {describe(text)}: {problem}")
    return text


def _add_note(exc: BaseException, note: str) -> None:
    """Attach a cattrs validation note (``__notes__``, PEP 678, as cattrs does)."""
    exc.__notes__ = [*getattr(exc, "__notes__", []), note]  # type: ignore[attr-defined]


def each(items: Sequence[Any], fn: Callable[[Any], T], type_: Any = list) -> list[T]:
    """Apply ``fn`` to every item, collecting every failure (cattrs style, with the
    index of each failed item in an ``IterableValidationNote``)."""
    out: list[T] = []
    errors: list[Exception] = []
    for index, item in enumerate(items):
        try:
            out.append(fn(item))
        except Exception as exc:
            note = IterableValidationNote(f"Structuring item @ index {index}", index, type_)
            _add_note(exc, note)
            errors.append(exc)
    if errors:
        raise IterableValidationError("While structuring a list", errors, type_)
    return out


def at_key(key: str, fn: Callable[[], T]) -> T:
    """Run ``fn``; a failure is reported under property ``key`` of the current path."""
    try:
        return fn()
    except Exception as exc:
        note = AttributeValidationNote(f"Structuring property {key}", key, Any)
        _add_note(exc, note)
        raise ClassValidationError("While structuring an object", [exc], _JSONObject) from None


def split_flags(text: str) -> tuple[str, ...]:
    """``"password, sms"`` -> ``("password", "sms")``; a blank string has no flags."""
    if not text.strip():
        return ()
    return tuple(part.strip() for part in text.split(","))


# -- the codecs --------------------------------------------------------------------------


class Codec:
    """Base codec: identity dump, raw kept when the dump differs from the input."""

    needs_owner: ClassVar[bool] = False

    def load(self, value: Any, ctx: Context) -> Any:
        """The model value for a JSON value (raises on a wrong type)."""
        raise NotImplementedError

    def dump(self, value: Any, ctx: Context) -> Any:
        """The JSON value for a model value."""
        return value

    def dump_field(self, owner: Any, attr: str, ctx: Context) -> Any:
        """The JSON value of ``owner.<attr>`` (codecs that need the owner override)."""
        return self.dump(getattr(owner, attr), ctx)

    def differs(self, raw: Any, owner: Any, attr: str, ctx: Context) -> bool:
        """Whether the normal form would not write ``raw`` back exactly."""
        return not same_json(self.dump_field(owner, attr, ctx), raw)

    def matches(self, raw: Any, owner: Any, attr: str, ctx: Context) -> bool:
        """Whether ``raw`` still structures to the owner's current value."""
        try:
            return bool(self.load(thaw(raw), ctx) == getattr(owner, attr))
        except Exception:
            return False

    def stale(self, raw: Any, owner: Any, attr: str, ctx: Context) -> Any:
        """What to write when a kept raw value no longer matches the model."""
        return self.dump_field(owner, attr, ctx)


@attrs.frozen
class Scalar(Codec):
    """A JSON scalar of one kind; ``null`` is ``None`` when optional, else the model
    default when there is one. Subclasses say which values are of their kind."""

    optional: bool = False
    default: Any = MISSING

    def load(self, value: Any, ctx: Context) -> Any:
        if value is None and self.optional:
            return None
        if value is None and self.default is not MISSING:
            return self.default
        if self.accepts(value):
            return value
        raise GraphValueError(self.expected(), value)

    def accepts(self, value: Any) -> bool:
        """Whether ``value`` is of this codec's kind."""
        raise NotImplementedError

    def expected(self) -> str:
        """What the error says was expected."""
        raise NotImplementedError


@attrs.frozen
class Text(Scalar):
    """A string; ``null`` is ``None`` when optional, else the model default.
    ``token=True``: an id or enumeration value (see :func:`token_item`)."""

    token: bool = False

    def load(self, value: Any, ctx: Context) -> Any:
        loaded = super().load(value, ctx)
        if self.token and isinstance(value, str):
            token_item(value)
        return loaded

    def accepts(self, value: Any) -> bool:
        return isinstance(value, str)

    def expected(self) -> str:
        return "a string or null" if self.optional else "a string"


@attrs.frozen
class DerivedId(Text):
    """A required id; a policy or named location without one is given its
    ``displayName`` (the converter's ``prepare`` step), and a ``null`` id read
    earlier is written back while the id still equals the display name."""

    def matches(self, raw: Any, owner: Any, attr: str, ctx: Context) -> bool:
        if raw is None:
            return bool(getattr(owner, attr) == getattr(owner, "display_name", None))
        return super().matches(raw, owner, attr, ctx)


@attrs.frozen
class Flag(Scalar):
    """A JSON boolean (never 0/1 or "true")."""

    def accepts(self, value: Any) -> bool:
        return isinstance(value, bool)

    def expected(self) -> str:
        return "true or false"


@attrs.frozen
class Integer(Scalar):
    """A JSON integer (not a boolean, not a float)."""

    optional: bool = True

    def accepts(self, value: Any) -> bool:
        return isinstance(value, int) and not isinstance(value, bool)

    def expected(self) -> str:
        return "an integer or null" if self.optional else "an integer"


@attrs.frozen
class Strings(Codec):
    """A list of ids or enumeration values (:func:`token_item`), kept in order as a
    tuple."""

    def load(self, value: Any, ctx: Context) -> Any:
        return tuple(each(as_list(value, "a list of strings"), token_item))

    def dump(self, value: Any, ctx: Context) -> Any:
        return list(value)


@attrs.frozen
class StringSet(Codec):
    """A list of strings held as a set; the normal form lists them sorted."""

    optional: bool = False

    def load(self, value: Any, ctx: Context) -> Any:
        if value is None and self.optional:
            return None
        return frozenset(each(as_list(value, "a list of strings"), token_item))

    def dump(self, value: Any, ctx: Context) -> Any:
        return None if value is None else sorted(value)


@attrs.frozen
class Flags(Codec):
    """A Graph flags enum: one comma-separated string such as ``"a,b"``, kept as the
    tuple of flags in written order (a JSON list of flags is read too)."""

    def load(self, value: Any, ctx: Context) -> Any:
        if value is None:
            return ()
        if isinstance(value, str):
            return tuple(token_item(f) for f in split_flags(value))
        if isinstance(value, (list, tuple)):
            return tuple(token_item(f) for item in each(value, text_item)
                         for f in split_flags(item))
        raise GraphValueError("a comma-separated string of flags", value)

    def dump(self, value: Any, ctx: Context) -> Any:
        return ",".join(value) if value else None


@attrs.frozen
class Combinations(Codec):
    """A list of flags strings (``["fido2", "password,sms"]``), each kept as a tuple."""

    def load(self, value: Any, ctx: Context) -> Any:
        items = as_list(value, "a list of method combinations such as \"password,sms\"")
        return tuple(each(items, lambda item: tuple(
            token_item(f) for f in split_flags(text_item(item)))))

    def dump(self, value: Any, ctx: Context) -> Any:
        return [",".join(combination) for combination in value]


def _optional_type(type_: Any) -> bool:
    return type(None) in get_args(type_)


@attrs.frozen
class Nested(Codec):
    """A nested Graph object (``null``: ``None`` when optional, else ``default()``).

    Real exports sometimes write ``[]`` where an object belongs (``"locations":
    []``), or a blank object (:func:`is_blank`) the model cannot hold (a filter
    without mode and rule): either reads as ``null`` and is kept raw. A blank object
    the model can hold (users with only empty lists) is structured as usual.
    """

    type: Any
    default: Callable[[], Any] | None = None
    wrong_type_kept: bool = False
    """Any value that is not an object (``[]``, a string...) reads as ``None`` and is
    kept raw, for the evaluator to decide fail-closed (``grantControls``)."""
    empty_list_is_null: bool = True
    """``[]`` reads as ``null`` (``False``: ``[]`` is the wrong type, an error)."""

    def load(self, value: Any, ctx: Context) -> Any:
        if self.wrong_type_kept and value is not None and not isinstance(value, Mapping):
            return None
        if isinstance(value, list) and not value and self.empty_list_is_null:
            value = None  # an empty array where an object belongs: not configured
        if value is None and self.default is not None:
            return self.default()
        if is_blank(value) and (self.default is not None or _optional_type(self.type)):
            try:
                return ctx.structure(value, self.type)
            except Exception:  # a blank object the model cannot hold
                return self.default() if self.default is not None else None
        return ctx.structure(value, self.type)

    def dump(self, value: Any, ctx: Context) -> Any:
        return None if value is None else ctx.unstructure(value)

    def differs(self, raw: Any, owner: Any, attr: str, ctx: Context) -> bool:
        if self.wrong_type_kept and raw is not None and not isinstance(raw, Mapping):
            return True
        if raw is None or raw == [] or (is_blank(raw) and getattr(owner, attr) is None):
            return super().differs(raw, owner, attr, ctx)
        return False  # the nested object keeps its own raw forms


@attrs.frozen
class NestedTuple(Codec):
    """A list of nested Graph objects (``null`` reads as empty)."""

    type: Any

    def load(self, value: Any, ctx: Context) -> Any:
        items = as_list(value, "a list of objects")
        return tuple(each(items, lambda item: ctx.structure(item, self.type), self.type))

    def dump(self, value: Any, ctx: Context) -> Any:
        return [ctx.unstructure(item) for item in value]

    def differs(self, raw: Any, owner: Any, attr: str, ctx: Context) -> bool:
        if raw is None or raw == []:
            return super().differs(raw, owner, attr, ctx)
        return False  # every item keeps its own raw forms
