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

import uuid
from collections.abc import Iterable, Iterator, Sequence
from functools import partial
from typing import Any

from protected_actions.model.tenant import Tenant

from .read import Record, records_from_lines
from .reports import AgreementReport, ImpactReport
from .run import agreement_of, explain_examples, impact_of

__all__ = ["impact_bag", "replay_bag", "sign_in_bag"]


def __dir__() -> list[str]:
    return __all__


def sign_in_bag(paths: str | Sequence[str]) -> Any:
    """A ``dask.bag`` of the JSON lines files ``paths`` (globs and remote URLs as
    ``dask.bag.read_text`` takes them; ``.gz`` files are decompressed): one partition
    per file, so every record keeps its file and line. Split a large log into files
    (one per day or per page run) to spread it over the cluster."""
    import dask.bag

    return dask.bag.read_text(  # type: ignore[no-untyped-call,unused-ignore]
        paths, blocksize=None, include_path=True)


def _records(partition: Iterable[Any]) -> Iterator[Record]:
    """Records of a partition: parsed records pass through; ``(line, path)`` pairs
    from :func:`sign_in_bag` are read as JSON lines, numbered within their file."""
    lines: dict[str, int] = {}
    for item in partition:
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str):
            path = str(item[1])
            number = lines[path] = lines.get(path, 0) + 1
            yield from records_from_lines([item[0]], path, number)
        elif isinstance(item, str):
            number = lines["dask"] = lines.get("dask", 0) + 1
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


def _agreement_partition(token: str, tenant: Tenant, partition: Iterable[Any]
                         ) -> list[AgreementReport]:
    return [agreement_of(_tenant(token, tenant), _records(partition), explain=False)]


def _impact_partition(token: str, current: Tenant, proposed: Tenant, partition: Iterable[Any]
                      ) -> list[ImpactReport]:
    return [impact_of(_tenant(token + ":current", current),
                      _tenant(token + ":proposed", proposed), _records(partition))]


def replay_bag(tenant: Tenant, bag: Any, **compute: Any) -> AgreementReport:
    """:func:`~protected_actions.replay.replay` over a ``dask.bag`` of records or JSON
    lines; ``compute`` goes to ``compute()`` (e.g. ``scheduler=``)."""
    token = uuid.uuid4().hex
    parts = bag.map_partitions(partial(_agreement_partition, token, tenant)).compute(
        **compute)
    return explain_examples(tenant, AgreementReport.combine(parts))


def impact_bag(current: Tenant, proposed: Tenant, bag: Any, **compute: Any) -> ImpactReport:
    """:func:`~protected_actions.replay.impact` over a ``dask.bag``."""
    token = uuid.uuid4().hex
    parts = bag.map_partitions(partial(_impact_partition, token, current, proposed)
                               ).compute(**compute)
    return ImpactReport.combine(parts)
