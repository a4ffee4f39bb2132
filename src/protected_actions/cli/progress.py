"""A one-line progress bar on a terminal, for sweeps that take a while."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from typing import TextIO

__all__ = ["DELAY", "ProgressBar"]

DELAY = 1.0
"""Seconds a sweep runs before the bar appears: quick runs print nothing."""

_WIDTH = 24


class ProgressBar:
    """A ``progress(done, total, label)`` callback drawing ``[####....] 3/20 label``.

    It draws only when ``stream`` is a terminal and only once ``delay`` seconds
    (default :data:`DELAY`) have passed since it was created; :meth:`close` erases the
    line it drew.
    """

    def __init__(self, stream: TextIO, *, delay: float | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._stream = stream
        self._delay = DELAY if delay is None else delay
        self._clock = clock
        self._start = clock()
        self._enabled = _is_terminal(stream)
        self._drawn = 0

    def __call__(self, done: int, total: int, label: str) -> None:
        if not self._enabled or self._clock() - self._start < self._delay:
            return
        filled = _WIDTH * done // total if total else _WIDTH
        line = f"[{'#' * filled}{'.' * (_WIDTH - filled)}] {done}/{total} {label}"
        columns = shutil.get_terminal_size().columns - 1
        line = line[:columns]
        self._stream.write("\r" + line.ljust(self._drawn))
        self._stream.flush()
        self._drawn = len(line)

    def close(self) -> None:
        """Erase the bar, if one was drawn."""
        if self._drawn:
            self._stream.write("\r" + " " * self._drawn + "\r")
            self._stream.flush()
            self._drawn = 0


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # closed or not a real stream
        return False
