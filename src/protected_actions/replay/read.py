"""Read exported sign-in logs, lazily, one record at a time.

Formats (detected from the content; ``.gz`` files are decompressed):

* Microsoft Graph ``auditLogs/signIns``: a page ``{"value": [...], "@odata.nextLink": ...}``,
  one page per line (what a paging script writes), a bare array, or JSON lines
  (one ``signIn`` object per line);
* Log Analytics ``SigninLogs``: the same JSON shapes with PascalCase columns, or a CSV
  export (``.csv``), whose nested columns hold JSON strings.

Every record yields a :class:`~protected_actions.replay.records.SignIn` or an
:class:`~protected_actions.replay.records.Unreadable` naming the file, the line and the
reason: nothing is dropped, and one bad record never stops the run.
"""

from __future__ import annotations

import csv
import gzip
import io
import itertools
import json
import os
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, TextIO

import attrs

from .parse import RecordError, sign_in
from .records import SignIn, Unreadable

_orjson: Any
try:  # optional (the ``replay`` extra): decodes the same JSON several times faster
    import orjson as _orjson
except ImportError:  # pragma: no cover - the standard library decodes it
    _orjson = None

__all__ = ["DECODER", "Chunk", "LineBlock", "RawLines", "Record", "SignInLog", "loads",
           "read_sign_ins", "records_from_lines"]


def __dir__() -> list[str]:
    return __all__


Record = SignIn | Unreadable
"""What the readers yield."""

PathLike = str | os.PathLike[str]


DECODER = "orjson" if _orjson is not None else "json"
"""The JSON decoder of log lines: ``orjson`` when it is installed, else the standard
library's ``json``."""


def _orjson_loads(text: str) -> Any:
    try:
        return _orjson.loads(text)
    except ValueError:
        # What orjson refuses (NaN, numbers beyond 64 bits, lone surrogates, broken
        # JSON) is decoded, or refused with its message, as the standard library does.
        return json.loads(text)


loads: Any = _orjson_loads if _orjson is not None else json.loads
"""Decode one JSON text (with :data:`DECODER`): the same values either way, and
the standard library's error for text that is not JSON."""


def _open(path: Path) -> TextIO:
    if path.suffix.casefold() == ".gz":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8-sig", newline="")
    return open(path, encoding="utf-8-sig", newline="")


def _is_csv(path: Path) -> bool:
    suffixes = [s.casefold() for s in path.suffixes]
    return ".csv" in suffixes


def _one(record: object, source: str, line: int) -> Record:
    try:
        return sign_in(record, source, line)  # type: ignore[arg-type]
    except RecordError as exc:
        return Unreadable(source=source, line=line, message=str(exc))


def _from_value(value: object, source: str, line: int) -> Iterator[Record]:
    """A parsed JSON value: a page, an array or one record."""
    if isinstance(value, Mapping) and "value" in value and isinstance(value["value"], list):
        for i, item in enumerate(value["value"]):
            yield _annotate(_one(item, source, line), f"value[{i}]")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield _annotate(_one(item, source, line), f"[{i}]")
    else:
        yield _one(value, source, line)


def _annotate(record: Record, where: str) -> Record:
    if isinstance(record, Unreadable):
        return Unreadable(source=record.source, line=record.line,
                          message=f"{where}: {record.message}")
    return record


def records_from_lines(lines: Iterable[str], source: str, first_line: int = 1
                       ) -> Iterator[Record]:
    """JSON lines (each a record, a page or an array) -> records; a line that is not
    JSON is one :class:`Unreadable`."""
    for number, text in enumerate(lines, start=first_line):
        if not text.strip():
            continue
        try:
            value = loads(text)
        except ValueError as exc:
            yield Unreadable(source=source, line=number, message=f"not valid JSON: {exc}")
            continue
        if loads is json.loads:
            yield from _from_value(value, source, number)
            continue
        records = list(_from_value(value, source, number))
        if any(type(r) is Unreadable for r in records):
            # orjson reads an integer beyond 64 bits as a float: where a value is
            # named in a message, it is the standard library's value.
            records = list(_from_value(json.loads(text), source, number))
        yield from records


def _json_file(stream: TextIO, source: str) -> Iterator[Record]:
    first = ""
    for first in stream:
        if first.strip():
            break
    rest = stream.read() if first.lstrip().startswith("[") else None
    if rest is not None:
        # One JSON document (a bare array, possibly over many lines).
        text = first + rest
        try:
            value = json.loads(text)
        except ValueError:
            # Not one document: JSON lines whose first line happens to be an array.
            yield from records_from_lines(text.splitlines(), source)
            return
        yield from _from_value(value, source, 1)
        return
    try:
        head: Any = json.loads(first)
    except ValueError:
        head = None
    if head is not None or not first.strip():
        yield from records_from_lines([first], source)
        yield from records_from_lines(stream, source, first_line=2)
        return
    # The first line is not a whole value: one document pretty-printed over lines.
    text = first + stream.read()
    try:
        value = json.loads(text)
    except ValueError as exc:
        if first.strip() != "{":
            # JSON lines whose first line is broken: the others still count.
            yield from records_from_lines(text.splitlines(), source)
            return
        yield Unreadable(source=source, line=getattr(exc, "lineno", 1),
                         message=f"not valid JSON: {exc}")
        return
    yield from _from_value(value, source, 1)


def _csv_file(stream: TextIO, source: str) -> Iterator[Record]:
    reader = csv.DictReader(stream)
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield Unreadable(source=source, line=reader.line_num, message=f"CSV: {exc}")
            continue
        line = reader.line_num
        if None in row or any(v is None for v in row.values()):
            yield Unreadable(source=source, line=line, message=(
                f"CSV: {len([v for v in row.values() if v is not None])} cells where the "
                f"header has {len(reader.fieldnames or ())} columns"))
            continue
        yield _one(row, source, line)


@attrs.frozen
class RawLines:
    """Unparsed JSON lines of one file, from ``first_line`` on: a chunk a worker
    process reads itself (so parsing runs on every core too)."""

    source: str
    first_line: int
    lines: list[str]

    def records(self) -> Iterator[Record]:
        """The records of the lines."""
        return records_from_lines(self.lines, self.source, self.first_line)


@attrs.frozen
class LineBlock:
    """Lines of one uncompressed JSON lines file: ``size`` bytes from ``offset``,
    whose first line is ``first_line``; a chunk a worker process reads from the file
    itself (only where the lines are travels, and reading, decoding and parsing run
    on every core)."""

    source: str
    offset: int
    size: int
    first_line: int

    def records(self) -> Iterator[Record]:
        """The records of the lines."""
        with open(self.source, "rb") as stream:
            stream.seek(self.offset)
            data = stream.read(self.size)
        # As the file is read in one go: the byte order mark only at its start, and
        # lines ended by \n, \r\n or \r.
        lines = io.TextIOWrapper(io.BytesIO(data), newline="",
                                 encoding="utf-8-sig" if self.offset == 0 else "utf-8")
        return records_from_lines(lines, self.source, self.first_line)


Chunk = list[Record] | RawLines | LineBlock


def _files(paths: PathLike | Iterable[PathLike]) -> list[Path]:
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    out: list[Path] = []
    for given in paths:
        path = Path(given)
        out += sorted(p for p in path.iterdir() if p.is_file()) if path.is_dir() else [path]
    return out


def _file_records(file: Path) -> Iterator[Record]:
    with _open(file) as stream:
        if _is_csv(file):
            yield from _csv_file(stream, str(file))
        else:
            yield from _json_file(stream, str(file))


def _is_json_lines(file: Path) -> bool:
    """Whether the file's first non-blank line is a whole JSON object (JSON lines)."""
    if _is_csv(file):
        return False
    with _open(file) as stream:
        for line in stream:
            if line.strip():
                if not line.lstrip().startswith("{"):
                    return False
                try:
                    json.loads(line)
                except ValueError:
                    return False
                return True
    return False


class SignInLog(Iterator[Record]):
    """The records of sign-in log files, read lazily (what :func:`read_sign_ins`
    returns). Iterating yields parsed records; :meth:`chunks` (used by
    ``replay(..., workers=N)``) hands out JSON lines unparsed, so that worker
    processes parse them."""

    def __init__(self, paths: PathLike | Iterable[PathLike]) -> None:
        self._files = _files(paths)
        self._records: Iterator[Record] | None = None

    @property
    def started(self) -> bool:
        """Whether iteration has begun (then :meth:`chunks` is no longer offered)."""
        return self._records is not None

    def __next__(self) -> Record:
        if self._records is None:
            self._records = (r for f in self._files for r in _file_records(f))
        return next(self._records)

    def chunks(self, size: int, max_bytes: int | None = None) -> Iterator[Chunk]:
        """The log in order, as chunks of about ``size`` records: :class:`RawLines`
        for JSON lines files (at most ``max_bytes`` of text, when given, unless one
        line is longer), lists of parsed records for the other formats."""
        if self._records is not None:
            raise RuntimeError("the log is already being read")
        self._records = iter(())
        for file in self._files:
            if _is_json_lines(file):
                if file.suffix.casefold() != ".gz":
                    yield from _line_blocks(file, size, max_bytes)
                    continue
                with _open(file) as stream:
                    yield from _line_chunks(stream, str(file), size, max_bytes)
            else:
                records = _file_records(file)
                while chunk := list(itertools.islice(records, size)):
                    yield chunk


def _line_chunks(stream: TextIO, source: str, size: int, max_bytes: int | None
                 ) -> Iterator[RawLines]:
    first = 1
    if max_bytes is None:
        while lines := list(itertools.islice(stream, size)):
            yield RawLines(source, first, lines)
            first += len(lines)
        return
    lines = []
    text = 0
    for line in stream:
        lines.append(line)
        text += len(line)
        if len(lines) >= size or text >= max_bytes:
            yield RawLines(source, first, lines)
            first += len(lines)
            lines, text = [], 0
    if lines:
        yield RawLines(source, first, lines)


def _line_blocks(file: Path, size: int, max_bytes: int | None) -> Iterator[LineBlock]:
    """Blocks of about ``size`` lines (at most ``max_bytes`` bytes, unless one line is
    longer), cut after a ``\n``; lines are counted as a text stream counts them
    (``\r\n`` is one end of line, a lone ``\r`` another)."""
    source = str(file)
    limit = max_bytes if max_bytes is not None else float("inf")
    offset = start = 0
    first = lines = 1
    with file.open("rb") as stream:
        for raw in stream:
            offset += len(raw)
            if b"\r" in raw:
                lines += raw.count(b"\r") - raw.count(b"\r\n")
            if lines - first + 1 >= size or offset - start >= limit:
                yield LineBlock(source, start, offset - start, first)
                start, first = offset, lines + 1
            lines += 1
    if offset > start:
        yield LineBlock(source, start, offset - start, first)


def read_sign_ins(paths: PathLike | Iterable[PathLike]) -> SignInLog:
    """Every record of the sign-in log files ``paths``, in order, lazily.

    :param paths: one path or several; a folder stands for the files in it (sorted).
    :returns: an iterator of :class:`SignIn` and :class:`Unreadable`.
    :raises OSError: a file that cannot be opened (when it is reached).
    """
    return SignInLog(paths)
