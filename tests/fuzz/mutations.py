"""Mutation operators for the metamorphic fuzz property: small pure functions
that damage one place of a Graph JSON document, the way a careless user or an
attacker would (drop a key, misspell a key, change a value's type, pad or garble
an enum value, an unknown value, a homoglyph, a NUL character).

A :data:`Path` is a tuple of dict keys and list indexes from the document's root;
:func:`render` writes it the way :class:`~protected_actions.LoadError` does
(``$.conditionalAccessPolicies[0].state``). Every operator returns a new
document (the input is never changed) or ``None`` when it does not apply at that
path (a key operator on a list element, a string operator on a number).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from typing import Any

Path = tuple[str | int, ...]
JSON = Any
Mutation = Callable[[JSON, Path], "JSON | None"]

#: Latin letters and a Cyrillic or Greek letter drawn the same.
HOMOGLYPHS = {"a": "\u0430", "c": "\u0441", "e": "\u0435", "i": "\u0456", "o": "\u043e",
              "p": "\u0440", "x": "\u0445", "y": "\u0443", "A": "\u0391", "B": "\u0392",
              "E": "\u0395", "O": "\u039f", "T": "\u03a4",
              # letters whose Unicode case folding is the ASCII letter itself
              "s": "\u017f", "K": "\u212a"}
#: A value of another JSON type, for each JSON type.
OTHER_TYPE: dict[type, JSON] = {str: 7, int: "7", float: "1.5", bool: "true", list: {},
                                dict: [], type(None): {"zz": 1}}


def render(path: Path) -> str:
    """``path`` as a LoadError writes it: ``$.a[0].b``."""
    return "$" + "".join(f"[{step}]" if isinstance(step, int) else f".{step}"
                         for step in path)


def paths(document: JSON, prefix: Path = ()) -> Iterator[Path]:
    """Every path below ``document`` (dict values and list elements), depth first."""
    if isinstance(document, dict):
        for key, value in document.items():
            yield (*prefix, key)
            yield from paths(value, (*prefix, key))
    elif isinstance(document, list):
        for index, value in enumerate(document):
            yield (*prefix, index)
            yield from paths(value, (*prefix, index))


def get(document: JSON, path: Path) -> JSON:
    """The value at ``path``."""
    for step in path:
        document = document[step]
    return document


def _copy_parent(document: JSON, path: Path) -> tuple[JSON, JSON]:
    """A deep copy of ``document`` and the copy's container of ``path``."""
    copied = copy.deepcopy(document)
    return copied, get(copied, path[:-1])


def _with_value(document: JSON, path: Path, value: JSON) -> JSON:
    copied, parent = _copy_parent(document, path)
    parent[path[-1]] = value
    return copied


def _string_at(document: JSON, path: Path) -> str | None:
    value = get(document, path) if path else None
    return value if isinstance(value, str) else None


# -- key operators ---------------------------------------------------------------------


def drop_key(document: JSON, path: Path) -> JSON | None:
    """Remove the key at ``path``."""
    if not path or not isinstance(path[-1], str):
        return None
    copied, parent = _copy_parent(document, path)
    del parent[path[-1]]
    return copied


def misspell(word: str) -> str:
    """A near miss of ``word``: its last letter dropped (or, for one letter,
    doubled)."""
    return word[:-1] if len(word) > 1 else word * 2


def misspell_key(document: JSON, path: Path) -> JSON | None:
    """Rename the key at ``path`` to a near miss (same value, same place)."""
    if not path or not isinstance(path[-1], str):
        return None
    key = path[-1]
    new = misspell(key)
    copied, parent = _copy_parent(document, path)
    if new in parent:
        return None
    parent.clear()
    parent.update({(new if k == key else k): v for k, v in get(document, path[:-1]).items()})
    return copied


def renamed(path: Path) -> Path:
    """The path of the key :func:`misspell_key` wrote."""
    return (*path[:-1], misspell(str(path[-1])))


# -- value operators -------------------------------------------------------------------


def change_type(document: JSON, path: Path) -> JSON | None:
    """Replace the value at ``path`` by a value of another JSON type."""
    if not path:
        return None
    return _with_value(document, path, copy.deepcopy(OTHER_TYPE[type(get(document, path))]))


def pad_value(document: JSON, path: Path) -> JSON | None:
    """Append a space to the string at ``path``."""
    text = _string_at(document, path)
    return None if text is None else _with_value(document, path, text + " ")


def garble_value(document: JSON, path: Path) -> JSON | None:
    """Swap two letters of the string at ``path`` (or double a one-letter string)."""
    text = _string_at(document, path)
    if text is None or not text:
        return None
    middle = len(text) // 2
    garbled = text * 2 if len(text) == 1 else \
        text[:middle - 1] + text[middle] + text[middle - 1] + text[middle + 1:]
    return None if garbled == text else _with_value(document, path, garbled)


def unknown_value(document: JSON, path: Path) -> JSON | None:
    """Replace the string at ``path`` by a value no schema knows."""
    text = _string_at(document, path)
    return None if text is None or text == "zzUnknownValue" else \
        _with_value(document, path, "zzUnknownValue")


def homoglyph(document: JSON, path: Path) -> JSON | None:
    """Replace the first letter of the string at ``path`` that has a homoglyph."""
    text = _string_at(document, path)
    if text is None:
        return None
    for index, char in enumerate(text):
        if char in HOMOGLYPHS:
            return _with_value(document, path, text[:index] + HOMOGLYPHS[char] +
                               text[index + 1:])
    return None


def nul(document: JSON, path: Path) -> JSON | None:
    """Append a NUL character to the string at ``path``."""
    text = _string_at(document, path)
    return None if text is None else _with_value(document, path, text + "\x00")


MUTATIONS: dict[str, Mutation] = {
    "drop_key": drop_key, "misspell_key": misspell_key, "change_type": change_type,
    "pad_value": pad_value, "garble_value": garble_value, "unknown_value": unknown_value,
    "homoglyph": homoglyph, "nul": nul,
}
"""Every operator, by name."""


def mutated_path(name: str, path: Path) -> Path:
    """Where the damage is after operator ``name`` at ``path``."""
    return renamed(path) if name == "misspell_key" else path
