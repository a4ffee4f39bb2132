"""Reading JSON files as real exports write them.

Graph PowerShell and Intune tools write UTF-8, UTF-8 with a BOM or UTF-16 (LE or
BE) with a BOM; :func:`json.detect_encoding` tells them apart (RFC 8259 §8.1).
Every failure is a :class:`~protected_actions.errors.LoadError` naming the file,
and for JSON syntax errors the line and column.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from protected_actions.errors import LoadError, LoadProblem

__all__: list[str] = []

PathLike = str | os.PathLike[str]


def _fail(source: Path, message: str) -> LoadError:
    return LoadError([LoadProblem("$", message, str(source))])


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def decode(data: bytes, source: Path) -> str:
    """The text of a JSON file, whatever its Unicode encoding and BOM."""
    encoding = json.detect_encoding(data)
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise _fail(source, f"not valid {encoding} text at byte {exc.start}") from None


def read_json(path: PathLike) -> Any:
    """Parse one JSON file.

    :raises LoadError: when the file cannot be read, is not Unicode text, or is not
        JSON (the problem gives the line and column).
    """
    return read_json_text(path)[0]


def read_json_text(path: PathLike) -> tuple[Any, str]:
    """Parse one JSON file; the parsed value and the decoded text (for line numbers).

    :raises LoadError: as :func:`read_json`.
    """
    source = Path(path)
    try:
        data = source.read_bytes()
    except OSError as exc:
        raise _fail(source, f"cannot read the file: {exc.strerror or exc}") from None
    text = decode(data, source)
    try:
        return json.loads(text, parse_constant=_reject_constant), text
    except json.JSONDecodeError as exc:
        raise _fail(source, f"not valid JSON: {exc.msg} at line {exc.lineno} column "
                            f"{exc.colno}") from None
    except (ValueError, RecursionError) as exc:
        raise _fail(source, f"not valid JSON: {exc}") from None


def is_path(value: object) -> bool:
    """Whether a loader argument names a file or folder (rather than parsed JSON)."""
    return isinstance(value, (str, os.PathLike))
