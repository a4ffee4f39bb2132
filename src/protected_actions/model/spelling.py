"""Spelling checks shared by every layer: near misses ("did you mean") and clean tokens.

A *near miss* of a known name differs from it only by a small slip: letter case,
a singular for a plural, an edit distance of at most two (insertions, deletions,
substitutions, adjacent transpositions; one for names of up to seven letters, none
for names of up to three), or one inserted camelCase word between the same first
and last word (``includeFutureUsers`` for ``includeUsers``). A *clean token* (an
id, a reference or an enumeration value) is non-empty, has no surrounding
whitespace and no control or format characters (``NUL``, zero-width spaces).
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Iterable

__all__ = ["ascii_lower", "edit_distance", "near_miss", "singular", "token_problem"]

_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


def ascii_lower(value: str) -> str:
    """``value`` with ASCII letters lowercased and every other character kept.

    >>> ascii_lower("User-ÄB"), ascii_lower("STRASSE") == ascii_lower("straße")
    ('user-Äb', False)
    """
    return value.lower() if value.isascii() else value.translate(_LOWER)


_WORD = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")


def edit_distance(a: str, b: str, limit: int = 3) -> int:
    """Optimal string alignment distance of ``a`` and ``b`` (``limit`` when larger)."""
    if abs(len(a) - len(b)) >= limit:
        return limit
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) >= limit:
            return limit
        previous2, previous = previous, current
    return min(previous[-1], limit)


def _allowed(name: str) -> int:
    if len(name) <= 3:
        return 0
    return 1 if len(name) <= 7 else 2


def _words(name: str) -> list[str]:
    return [ascii_lower(w) for w in _WORD.findall(name)]


def _inserted_word(name: str, known: str) -> bool:
    """``includeFutureUsers`` is ``includeUsers`` with one word inserted."""
    have, want = _words(name), _words(known)
    return len(want) >= 2 and len(have) == len(want) + 1 and have[0] == want[0] and \
        have[-1] == want[-1] and have[:-1][: len(want) - 1] == want[:-1] and \
        have[-(len(want) - 1):] == want[-(len(want) - 1):]


def singular(name: str) -> str:
    """``name`` without an English plural ending (``policies`` -> ``policy``)."""
    if name.endswith("ies"):
        return name[:-3] + "y"
    return name[:-1] if name.endswith("s") else name


def near_miss(name: str, known: Iterable[str]) -> str | None:
    """The known name ``name`` is a slip for, if any (``None`` when ``name`` is one of
    them exactly, or close to none).

    >>> near_miss("grantControl", ["grantControls", "conditions"])
    'grantControls'
    >>> near_miss("authenticationStrenght", ["authenticationStrength"])
    'authenticationStrength'
    >>> near_miss("includeFutureUsers", ["includeUsers", "excludeUsers"])
    'includeUsers'
    >>> near_miss("conditionalAccessPolicy", ["conditionalAccessPolicies"])
    'conditionalAccessPolicies'
    >>> near_miss("partnerTenantId", ["includeUsers"]) is None
    True
    """
    names = list(known)
    if name in names:
        return None
    folded = ascii_lower(name)
    best: tuple[int, str] | None = None
    for candidate in names:
        other = ascii_lower(candidate)
        if other == folded or (len(other) > 3 and singular(other) == singular(folded)):
            return candidate
        distance = edit_distance(folded, other)
        if distance <= _allowed(candidate) and (best is None or distance < best[0]):
            best = (distance, candidate)
    if best is not None:
        return best[1]
    return next((c for c in names if _inserted_word(name, c)), None)


def token_problem(value: str) -> str | None:
    """Why ``value`` is not a clean token (an id, reference or enumeration value), or
    ``None`` when it is.

    >>> token_problem("c1 "), token_problem(""), token_problem("iOS\\x00")
    ('surrounding whitespace', 'blank', 'a control or format character (U+0000)')
    """
    if not value.strip():
        return "blank"
    if value != value.strip():
        return "surrounding whitespace"
    for char in value:
        if unicodedata.category(char) in ("Cc", "Cf"):
            return f"a control or format character (U+{ord(char):04X})"
    return None
