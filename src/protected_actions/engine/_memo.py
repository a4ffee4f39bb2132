"""One bounded memo idiom for every table the engine remembers answers in.

A table is the memo of a pure function: same key, same value, so a cleared table
only costs recomputation, never a different answer.
"""

from __future__ import annotations

from typing import Any, TypeVar

__all__ = ["CACHE_LIMIT", "remember"]

CACHE_LIMIT = 65_536
"""Entries a memo table holds before it is cleared (a bound, not a policy)."""

_V = TypeVar("_V")


def remember(table: dict[Any, _V], key: object, value: _V, *, limit: int = CACHE_LIMIT) -> _V:
    """Store ``value`` under ``key``, clearing ``table`` first when it holds ``limit``
    entries; return ``value``."""
    if len(table) >= limit:
        table.clear()
    table[key] = value
    return value
