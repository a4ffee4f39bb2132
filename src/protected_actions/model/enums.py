"""The base of every closed vocabulary: a ``str`` enum whose ``str()`` is its value."""

from __future__ import annotations

import enum

__all__ = ["StrEnum"]


class StrEnum(str, enum.Enum):
    """A ``str`` enum that prints as its value (``str(Outcome.ALLOW) == "allow"``),
    like Python 3.11's ``enum.StrEnum``, which the library cannot require on 3.10."""

    def __str__(self) -> str:
        return str(self.value)
