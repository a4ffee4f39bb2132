"""``replay``: replay exported sign-in logs against the tenant (agreement with what
Entra recorded) or, with ``--against``, against a proposed tenant (impact); exit 1
when a sign-in disagrees (agreement) or changes outcome (impact)."""

from __future__ import annotations

import argparse
import json
import os
import time
from collections.abc import Callable
from typing import Any, TextIO

from protected_actions.model.vocabulary import ascii_lower
from protected_actions.replay import read_sign_ins
from protected_actions.replay import run as replay_run
from protected_actions.replay.html import agreement_html, impact_html
from protected_actions.replay.render import (
    agreement_markdown,
    agreement_text,
    impact_markdown,
    impact_text,
)
from protected_actions.replay.reports import AgreementReport, ImpactReport
from protected_actions.samples import sample_sign_ins

from .common import (
    EXIT_FINDINGS,
    EXIT_OK,
    SAMPLE,
    Streams,
    UsageError,
    add_command,
    load_tenant_arg,
    tenant_from,
    tenant_option,
)
from .progress import StatusLine

__all__ = ["register"]

_FORMATS = ("text", "json", "markdown", "html")


class _Rate(StatusLine):
    """``N records, R/s[, ETA]`` on a terminal line (the ETA from the bytes of the
    input files when they are plain, uncompressed files)."""

    def __init__(self, stream: TextIO, total_bytes: int | None, records_per_byte: float,
                 clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(stream, clock=clock)
        self._expected = total_bytes * records_per_byte if total_bytes else None

    def __call__(self, done: int) -> None:
        elapsed = self._elapsed()
        if elapsed is None:
            return
        rate = done / elapsed if elapsed else 0.0
        line = f"{done} records, {rate:,.0f}/s"
        if self._expected and rate and done < self._expected:
            line += f", ETA {max(0.0, (self._expected - done) / rate):,.0f} s"
        self._draw(line)


def _size(paths: list[str]) -> int | None:
    total = 0
    for path in paths:
        if not os.path.isfile(path) or path.endswith(".gz"):
            return None
        total += os.path.getsize(path)
    return total


def _render(report: AgreementReport | ImpactReport, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(report.to_dict(), indent=2)
    if isinstance(report, AgreementReport):
        return {"text": agreement_text, "markdown": agreement_markdown,
                "html": agreement_html}[fmt](report)
    return {"text": impact_text, "markdown": impact_markdown, "html": impact_html}[fmt](report)


def _dask(args: argparse.Namespace, tenants: list[Any]) -> AgreementReport | ImpactReport:
    try:
        from dask.distributed import Client
    except ImportError:
        raise UsageError('--dask-scheduler needs Dask: pip install "protected-actions[replay]"'
                         ) from None
    from protected_actions.replay.dask import impact_bag, replay_bag, sign_in_bag

    if any(".csv" in ascii_lower(path) for path in args.sign_ins):
        raise UsageError("--dask-scheduler reads JSON lines files; replay CSV exports "
                         "without it, or convert them to JSON lines")

    with Client(args.dask_scheduler):  # type: ignore[no-untyped-call,unused-ignore]
        bag = sign_in_bag(args.sign_ins)
        if len(tenants) == 2:
            return impact_bag(tenants[0], tenants[1], bag)
        return replay_bag(tenants[0], bag)


def _cmd_replay(args: argparse.Namespace, io: Streams) -> int:
    if args.workers < 1:
        raise UsageError("--workers must be at least 1")
    args.sign_ins = [str(sample_sign_ins()) if p == SAMPLE else p for p in args.sign_ins]
    for path in args.sign_ins:
        if not os.path.exists(path) and args.dask_scheduler is None:
            raise UsageError(f"--sign-ins: no such file or folder: {path}")
    tenants = [tenant_from(args)]
    if args.against is not None:
        tenants.append(load_tenant_arg(args.against, strict=args.strict))
    report: AgreementReport | ImpactReport
    if args.dask_scheduler is not None:
        report = _dask(args, tenants)
    else:
        rate = _Rate(io.stderr, _size(args.sign_ins), 1 / 4000)
        records = read_sign_ins(args.sign_ins)
        try:
            if len(tenants) == 2:
                report = replay_run.impact(tenants[0], tenants[1], records,
                                           workers=args.workers, progress=rate)
            else:
                report = replay_run.replay(tenants[0], records, workers=args.workers,
                                           progress=rate)
        finally:
            rate.close()
    io.stdout.write(_render(report, args.format) + "\n")
    if isinstance(report, AgreementReport):
        return EXIT_FINDINGS if report.disagree else EXIT_OK
    return EXIT_FINDINGS if report.changed else EXIT_OK


def register(sub: Any) -> None:
    """Add ``replay``."""
    parser = add_command(sub, "replay", _cmd_replay,
                         "replay sign-in logs: agreement with Entra, or the impact of a "
                         "proposed tenant")
    tenant_option(parser)
    parser.add_argument("--sign-ins", required=True, nargs="+", metavar="PATH",
                        help="Graph signIn JSON / JSON lines or Log Analytics SigninLogs "
                             'JSON / CSV files or folders (.gz allowed); "sample" for the '
                             "sample tenant's logs")
    parser.add_argument("--against", metavar="PROPOSED",
                        help="a proposed tenant (bundle file or folder): report the impact")
    parser.add_argument("--workers", type=int, default=1, metavar="N",
                        help="processes to use (default 1)")
    parser.add_argument("--dask-scheduler", metavar="ADDRESS",
                        help="run on a Dask cluster (JSON lines files, one partition each)")
    parser.add_argument("--format", choices=_FORMATS, default="text",
                        help="report format (default text)")
