"""A one-line progress bar on a terminal, for sweeps that take a while."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from typing import TextIO

__all__ = ["DELAY", "ProgressBar", "StatusLine"]

DELAY = 1.0
"""Seconds a sweep runs before the bar appears: quick runs print nothing."""

_WIDTH = 24


class StatusLine:
    """One line on a terminal, redrawn in place: it draws only when ``stream`` is a
    terminal and only once ``delay`` seconds (default :data:`DELAY`) have passed since
    it was created; :meth:`close` erases the line it drew."""

    def __init__(self, stream: TextIO, *, delay: float | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._stream = stream
        self._delay = DELAY if delay is None else delay
        self._clock = clock
        self._start = clock()
        self._enabled = _is_terminal(stream)
        self._drawn = 0

    def _elapsed(self) -> float | None:
        """Seconds since the start, or ``None`` while nothing is to be drawn."""
        elapsed = self._clock() - self._start
        return elapsed if self._enabled and elapsed >= self._delay else None

    def _draw(self, line: str) -> None:
        line = line[:shutil.get_terminal_size().columns - 1]
        self._stream.write("\r" + line.ljust(self._drawn))
        self._stream.flush()
        self._drawn = len(line)

    def close(self) -> None:
        """Erase the bar, if one was drawn."""
        if self._drawn:
            self._stream.write("\r" + " " * self._drawn + "\r")
            self._stream.flush()
            self._drawn = 0


class ProgressBar(StatusLine):
    """A ``progress(done, total, label)`` callback drawing ``[####....] 3/20 label``
    (see :class:`StatusLine` for when it draws)."""

    def __call__(self, done: int, total: int, label: str) -> None:
        if self._elapsed() is None:
            return
        filled = _WIDTH * done // total if total else _WIDTH
        self._draw(f"[{'#' * filled}{'.' * (_WIDTH - filled)}] {done}/{total} {label}")


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # closed or not a real stream
        return False
