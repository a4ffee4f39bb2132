"""Immutable, hashable JSON values for the data models keep but do not interpret."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, TypeVar, Union

from protected_actions.errors import InvalidModelError

K = TypeVar("K")
V = TypeVar("V")


class FrozenDict(Mapping[K, V]):
    """A read-only, hashable mapping that remembers insertion order.

    Equality ignores order (as ``dict`` does); the hash is order-independent too.
    """

    __slots__ = ("_data", "_hash")

    def __init__(self, data: Mapping[K, V] | None = None) -> None:
        self._data: dict[K, V] = dict(data) if data else {}
        self._hash: int | None = None

    def __getitem__(self, key: K) -> V:
        return self._data[key]

    def __iter__(self) -> Iterator[K]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __hash__(self) -> int:
        if self._hash is None:
            self._hash = hash(frozenset(self._data.items()))
        return self._hash

    def __eq__(self, other: object) -> bool:
        if isinstance(other, FrozenDict):
            return self._data == other._data
        if isinstance(other, Mapping):
            return self._data == dict(other)
        return NotImplemented

    def __repr__(self) -> str:
        return f"FrozenDict({self._data!r})"

    def __reduce__(self) -> tuple[type[FrozenDict[K, V]], tuple[dict[K, V]]]:
        return (type(self), (self._data,))


FrozenJSON = Union[  # noqa: UP007 - a recursive alias needs the Union form on 3.10
    None, bool, int, float, str, tuple["FrozenJSON", ...], FrozenDict[str, "FrozenJSON"]
]
"""A JSON value made immutable: objects become :class:`FrozenDict`, arrays tuples."""

EMPTY: FrozenDict[str, Any] = FrozenDict()

MAX_JSON_DEPTH = 64
"""How deeply JSON kept as data may nest (objects and arrays): deeper input is an
error when it is read, so nothing that walks kept JSON (hashing, equality, writing
it back, lint) can exhaust the stack."""


def json_depth(value: Any, limit: int = MAX_JSON_DEPTH) -> int:
    """How many objects and arrays nest in ``value`` (a scalar is 0), counted without
    recursion; counting stops at ``limit + 1``."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, Mapping):
            children: Any = item.values()
        elif isinstance(item, (list, tuple)):
            children = item
        else:
            continue
        depth += 1
        if depth > limit:
            return depth
        deepest = max(deepest, depth)
        stack.extend((child, depth) for child in children)
    return deepest


def too_deep(value: Any) -> bool:
    """Whether ``value`` nests deeper than :data:`MAX_JSON_DEPTH`."""
    return json_depth(value) > MAX_JSON_DEPTH


def freeze(value: Any) -> FrozenJSON:
    """Turn a JSON value (dicts, lists, scalars) into its immutable form.

    :raises ValueError: the value nests deeper than :data:`MAX_JSON_DEPTH`.
    """
    if too_deep(value):
        raise ValueError(f"JSON nested deeper than {MAX_JSON_DEPTH} levels")
    return _freeze(value)


def _freeze(value: Any) -> FrozenJSON:
    if isinstance(value, FrozenDict):
        return value
    if isinstance(value, Mapping):
        return FrozenDict({str(k): _freeze(v) for k, v in value.items()})
    if isinstance(value, (list, tuple)):
        return tuple(_freeze(v) for v in value)
    return value  # type: ignore[no-any-return]


def thaw(value: FrozenJSON | Any) -> Any:
    """Inverse of :func:`freeze`: plain ``dict`` and ``list`` again.

    :raises InvalidModelError: the value nests deeper than :data:`MAX_JSON_DEPTH`
        (possible only for a value built by hand: :func:`freeze` and the loaders
        refuse such input), instead of exhausting the stack.
    """
    if isinstance(value, (Mapping, tuple)) and too_deep(value):
        raise InvalidModelError("unmodelled", f"JSON nested at most {MAX_JSON_DEPTH} "
                                "levels deep", f"a value nested deeper than {MAX_JSON_DEPTH}")
    return _thaw(value)


def _thaw(value: FrozenJSON | Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _thaw(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return [_thaw(v) for v in value]
    return value


def freeze_mapping(value: Mapping[str, Any] | None) -> FrozenDict[str, FrozenJSON]:
    """Freeze a mapping of unmodelled JSON properties (``None`` gives an empty one)."""
    if not value:
        return FrozenDict()
    frozen = freeze(value)
    assert isinstance(frozen, FrozenDict)
    return frozen
