"""Closed vocabularies, identifiers and near misses: how inputs are compared and checked.

* Identifiers (user, group, role, application and context ids) compare
  case-insensitively on ASCII letters only: :func:`ascii_lower`. No Unicode case
  folding (``"ß"`` is not ``"ss"``, ``"K"`` (Kelvin sign) is not ``"k"``).
* Enumerations (risk levels, client app types, platforms...) are matched
  case-insensitively against their known values; a blank, padded or
  control-character value is an error, and so is an unknown one, with a
  did-you-mean when a known value is close (:func:`near_miss`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import attrs

from protected_actions.errors import InvalidModelError

from .spelling import ascii_lower as ascii_lower
from .spelling import singular

__all__: list[str] = []

def text_problem(value: object) -> str | None:
    """Why ``value`` cannot be a name or an id (blank, padded, control characters),
    or ``None`` when it can."""
    if not isinstance(value, str):
        return "a string"
    if not value or value.isspace():
        return "a non-blank string"
    if value != value.strip():
        return "a string without surrounding whitespace"
    if not value.isprintable():
        return "a string without control characters"
    return None


def edit_distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance of ``a`` and ``b``, or ``limit + 1`` once it exceeds
    ``limit`` (the rows are cut short, so far-apart strings cost little)."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1,
                               previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


def _singular_path(value: str) -> str:
    return "/".join(singular(part) for part in value.split("/"))


def near_miss(value: str, known: Iterable[str], *, limit: int = 2) -> str | None:
    """The known value ``value`` is a near miss of (a plural, or at most ``limit``
    edits, ignoring ASCII case), the closest first; ``None`` when there is none or
    ``value`` is itself known in some case."""
    folded = ascii_lower(value)
    best: tuple[int, str] | None = None
    for candidate in sorted(known):
        other = ascii_lower(candidate)
        if other == folded:
            return None
        if _singular_path(other) == _singular_path(folded):
            distance = 0
        else:
            distance = edit_distance(folded, other, limit)
        if distance <= limit and (best is None or distance < best[0]):
            best = (distance, candidate)
    return None if best is None else best[1]


@attrs.frozen
class Vocabulary:
    """A closed set of values, matched case-insensitively (:meth:`canonical`)."""

    label: str
    values: tuple[str, ...]
    _by_folded: dict[str, str] = attrs.field(init=False, repr=False, eq=False)
    spellings: frozenset[str] = attrs.field(init=False, repr=False, eq=False)
    """The known values as written (a quick membership test for the common case)."""

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_by_folded", {ascii_lower(v): v for v in self.values})
        object.__setattr__(self, "spellings", frozenset(self.values))

    def canonical(self, value: str) -> str | None:
        """The known value ``value`` names (any case), or ``None``."""
        return self._by_folded.get(ascii_lower(value))

    def expected(self, value: object) -> str:
        """What a field holding this vocabulary expects, with a did-you-mean for ``value``."""
        text = f"{self.label}: one of " + ", ".join(self.values)
        if isinstance(value, str) and value.strip():
            close = self.canonical(value.strip()) or near_miss(value.strip(), self.values)
            if close is not None:
                text += f" (did you mean {close!r}?)"
        return text

    def validator(self, *, optional: bool = False) -> Any:
        """An attrs validator: the value is in the vocabulary (any case); ``None`` too
        when ``optional``. Blank, padded, control-character and unknown values fail."""

        def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
            if value is None and optional:
                return
            if isinstance(value, str) and self._by_folded.get(ascii_lower(value)) is not None:
                return
            raise InvalidModelError(f"{type(instance).__name__}.{attribute.name}",
                                    self.expected(value), value)

        return check


def identifier(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """attrs validator: a non-blank id without surrounding whitespace or control
    characters."""
    problem = text_problem(value)
    if problem is not None:
        raise InvalidModelError(f"{type(instance).__name__}.{attribute.name}",
                                f"an id ({problem})", value)


def optional_identifier(instance: object, attribute: attrs.Attribute[Any],
                        value: object) -> None:
    """attrs validator: ``None`` or an :func:`identifier`."""
    if value is not None:
        identifier(instance, attribute, value)


def identifier_set(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """attrs validator: a frozenset of :func:`identifier` strings."""
    if not isinstance(value, frozenset):
        raise InvalidModelError(f"{type(instance).__name__}.{attribute.name}",
                                "a set of ids", value)
    for item in value:
        problem = text_problem(item)
        if problem is not None:
            raise InvalidModelError(f"{type(instance).__name__}.{attribute.name}",
                                    f"a set of ids ({problem})", item)


_PLAIN: set[str] = set()
"""Strings :func:`plain_id` accepted, remembered: the ids of groups, roles and users
recur in every session. Forgotten all at once past :data:`_PLAIN_LIMIT` (a few MB)."""
_PLAIN_LIMIT = 1 << 15


def plain_id(value: object) -> bool:
    """Whether ``value`` is a ``str`` (not a subclass) that :func:`identifier` accepts,
    decided in a few operations: not empty, printable (so no control, format, line or
    paragraph separator, and no whitespace other than the ASCII space) and neither
    starting nor ending with a space (a string accepted before: one lookup)."""
    if type(value) is not str:
        return False
    if value in _PLAIN:
        return True
    if value == "" or not value.isprintable() or value[0] == " " or value[-1] == " ":
        return False
    _remember((value,))
    return True


def plain_ids(values: object) -> bool:
    """Whether ``values`` is a ``frozenset`` of :func:`plain_id` strings."""
    if type(values) is not frozenset:
        return False
    for value in values:
        if type(value) is not str:
            return False
    if values <= _PLAIN:  # every item is a str: this compares strings
        return True
    for value in values:
        if value == "" or not value.isprintable() or value[0] == " " or value[-1] == " ":
            return False
    _remember(values)
    return True


def _remember(values: Iterable[str]) -> None:
    if len(_PLAIN) >= _PLAIN_LIMIT:
        _PLAIN.clear()
    _PLAIN.update(values)
