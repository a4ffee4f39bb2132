"""Replay on Dask, for logs that outgrow one machine.

A ``dask.bag`` of records (or of JSON lines) is replayed partition by partition with
the same functions as one process, and the partition reports are merged in
partition order, so the report equals a one-process run over the same records.
Dask is the ``replay`` extra (``pip install "protected-actions[replay]"``); this
module imports it only when called.

On a cluster (the names are placeholders)::

    from dask.distributed import Client
    client = Client("tcp://scheduler:8786")
    report = replay_bag(tenant, sign_in_bag("s3://logs/signins-*.jsonl.gz"))
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import attrs

from protected_actions.model.tenant import Tenant

from .read import Record, records_from_lines
from .reports import AgreementReport, ImpactReport
from .run import agreement_of, explain_examples, impact_of

__all__ = ["BLOCK_SIZE", "impact_bag", "replay_bag", "sign_in_bag"]


def __dir__() -> list[str]:
    return __all__


BLOCK_SIZE = 16 * 2**20
"""Bytes of an uncompressed file per partition of :func:`sign_in_bag`."""


def sign_in_bag(paths: str | Sequence[str], blocksize: int | None = BLOCK_SIZE) -> Any:
    """A ``dask.bag`` of the JSON lines files ``paths`` (globs and remote URLs as
    ``fsspec`` opens them; ``.gz`` files are decompressed), in partitions of about
    ``blocksize`` bytes cut at ends of line, so a worker holds one block at a time
    whatever the size of the file (a compressed file is one partition; ``None``: one
    partition per file). Every record keeps its file and line: the lines before a
    block are counted by a task that reads the blocks before it."""
    import dask.bag
    import fsspec  # type: ignore[import-untyped,unused-ignore]
    from dask.delayed import delayed

    partitions = []
    for file in fsspec.open_files(paths, mode="rb", compression="infer"):
        source = file.path if _is_local(file.fs) else file.full_name
        if file.compression is not None or blocksize is None:
            offsets: list[int] = [0]
            length: int | None = None
        else:
            size = file.fs.size(file.path)
            offsets, length = list(range(0, max(size, 1), blocksize)), blocksize
        first: Any = 1
        for offset in offsets:
            partitions.append(delayed(_block)(file, offset, length, source, first))
            if offset != offsets[-1]:
                first = first + delayed(_lines_in_block)(file, offset, length)
    return dask.bag.from_delayed(partitions)  # type: ignore[no-untyped-call,unused-ignore]


def _is_local(fs: Any) -> bool:
    protocol = fs.protocol
    return bool({"file", "local"} & set(protocol if isinstance(protocol, tuple) else (protocol,)))


def _read_block(file: Any, offset: int, length: int | None) -> bytes:
    from fsspec.utils import read_block  # type: ignore[import-untyped,unused-ignore]

    with file as stream:
        if length is None:
            return bytes(stream.read())
        return bytes(read_block(stream, offset, length, delimiter=b"\n"))


def _lines_in_block(file: Any, offset: int, length: int | None) -> int:
    """Lines of a block as a text stream counts them (``\r\n`` is one end of line,
    a lone ``\r`` another); a block ends with ``\n``."""
    data = _read_block(file, offset, length)
    return data.count(b"\n") + data.count(b"\r") - data.count(b"\r\n")


@attrs.frozen
class _Block:
    """Where a partition's lines are: read by the task that replays them, so that
    what waits between tasks is this, not the text."""

    file: Any
    offset: int
    length: int | None
    source: str
    first_line: int

    def records(self) -> Iterator[Record]:
        data = _read_block(self.file, self.offset, self.length)
        # Decoded line by line (the block's text is never whole in memory twice).
        lines = io.TextIOWrapper(io.BytesIO(data), newline="",
                                 encoding="utf-8-sig" if self.offset == 0 else "utf-8")
        return records_from_lines(lines, self.source, self.first_line)


def _block(file: Any, offset: int, length: int | None, source: str, first_line: int
           ) -> list[_Block]:
    return [_Block(file, offset, length, source, first_line)]


def _records(partition: Iterable[Any]) -> Iterator[Record]:
    """Records of a partition: parsed records pass through; blocks of lines from
    :func:`sign_in_bag` are read as JSON lines, numbered within their file; bare
    strings are JSON lines numbered within the partition."""
    number = 0
    for item in partition:
        if isinstance(item, _Block):
            yield from item.records()
        elif isinstance(item, str):
            number += 1
            yield from records_from_lines([item], "dask", number)
        else:
            yield item


_TENANTS: dict[str, Tenant] = {}
"""Tenants by the token of the run that sent them: a worker compiles each once and
keeps what the engine remembers across the partitions it replays."""


def _tenant(token: str, tenant: Tenant) -> Tenant:
    known = _TENANTS.get(token)
    if known is None:
        if len(_TENANTS) > 8:
            _TENANTS.clear()
        known = _TENANTS[token] = tenant
    return known


def _agreement_partition(partition: Iterable[Any], token: str, tenant: Tenant
                         ) -> list[AgreementReport]:
    return [agreement_of(_tenant(token, tenant), _records(partition), explain=False)]


def _impact_partition(partition: Iterable[Any], token: str, current: Tenant,
                      proposed: Tenant) -> list[ImpactReport]:
    return [impact_of(_tenant(token + ":current", current),
                      _tenant(token + ":proposed", proposed), _records(partition))]


def _once(tenant: Tenant) -> Any:
    """The tenant as one piece of the graph: each worker receives it once, however
    many partitions it replays."""
    from dask.delayed import delayed

    return delayed(tenant, traverse=False)


def replay_bag(tenant: Tenant, bag: Any, **compute: Any) -> AgreementReport:
    """:func:`~protected_actions.replay.replay` over a ``dask.bag`` of records or JSON
    lines; ``compute`` goes to ``compute()`` (e.g. ``scheduler=``)."""
    token = uuid.uuid4().hex
    parts = bag.map_partitions(_agreement_partition, token, _once(tenant)).compute(
        **compute)
    return explain_examples(tenant, AgreementReport.combine(parts))


def impact_bag(current: Tenant, proposed: Tenant, bag: Any, **compute: Any) -> ImpactReport:
    """:func:`~protected_actions.replay.impact` over a ``dask.bag``."""
    token = uuid.uuid4().hex
    parts = bag.map_partitions(_impact_partition, token, _once(current),
                               _once(proposed)).compute(**compute)
    return ImpactReport.combine(parts)
