"""One bounded memo idiom for every table the engine remembers answers in.

A table is the memo of a pure function: same key, same value, so a cleared table
only costs recomputation, never a different answer.

Tables are bounded by entry count and by size: a key is measured by the
characters of its strings (one level into tuples and frozensets, which is how the
engine builds keys); a key longer than :data:`KEY_CHARS_LIMIT` is never
remembered (its answer is computed every time), and a :class:`MemoTable` is
cleared before its keys would exceed :data:`TABLE_CHARS_LIMIT` characters. Callers
remember only answers for inputs that passed validation (a raising computation
never reaches :func:`remember`).
"""

from __future__ import annotations

from typing import Any, TypeVar

__all__ = ["CACHE_LIMIT", "KEY_CHARS_LIMIT", "TABLE_CHARS_LIMIT", "MemoTable", "key_chars",
           "remember"]

CACHE_LIMIT = 65_536
"""Entries a memo table holds before it is cleared (a bound, not a policy)."""

KEY_CHARS_LIMIT = 16_384
"""Characters a key may have and still be remembered (a user in a few hundred
groups fits; a 10 KB action string fits, but few of them fill a table)."""

TABLE_CHARS_LIMIT = 1 << 22
"""Characters of keys a :class:`MemoTable` holds before it is cleared (about 4 M:
with the values they key, tens of megabytes per table at worst)."""

_K = TypeVar("_K")
_V = TypeVar("_V")


class MemoTable(dict[_K, _V]):
    """A memo table: a ``dict`` that also counts the characters of its keys (made
    without a Python-level ``__init__``: the engine makes one per user and plan)."""

    chars: int = 0


_is_str = type.__instancecheck__.__get__(str)  # isinstance(x, str), callable from C


def key_chars(key: object) -> int:
    """The characters of ``key``'s strings: a string's length, or the lengths of the
    strings in a tuple or frozenset and one level of tuples and frozensets in it."""
    kind = type(key)
    if kind is not tuple and kind is not frozenset:
        if isinstance(key, str):
            return len(key)
        if not isinstance(key, (tuple, frozenset)):
            return 0
    total = 0
    for part in key:  # type: ignore[attr-defined]
        kind = type(part)
        if kind is str:
            total += len(part)
        elif kind is tuple or kind is frozenset:
            if part:
                total += sum(map(len, filter(_is_str, part)))
        elif isinstance(part, str):
            total += len(part)
        elif isinstance(part, (tuple, frozenset)):
            total += sum(map(len, filter(_is_str, part)))
    return total


def remember(table: dict[Any, _V], key: object, value: _V, *, limit: int = CACHE_LIMIT,
             chars: int | None = None) -> _V:
    """Store ``value`` under ``key`` and return ``value``.

    ``table`` is cleared first when it holds ``limit`` entries or, for a
    :class:`MemoTable`, when the key would take its keys past
    :data:`TABLE_CHARS_LIMIT` characters; a key longer than :data:`KEY_CHARS_LIMIT`
    is not stored at all. ``chars`` is :func:`key_chars` of ``key`` when the
    caller has measured it."""
    size = key_chars(key) if chars is None else chars
    if size > KEY_CHARS_LIMIT:
        return value
    if isinstance(table, MemoTable):
        if len(table) >= limit or table.chars + size > TABLE_CHARS_LIMIT:
            table.clear()
            table.chars = 0
        table.chars += size
    elif len(table) >= limit:
        table.clear()
    table[key] = value
    return value
