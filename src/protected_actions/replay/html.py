"""HTML views of the reports for notebooks: a table, and a bar chart when matplotlib
(the ``notebook`` extra) is installed; without it, the table alone."""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .reports import AgreementReport, ImpactReport

__all__ = ["agreement_html", "impact_html"]


def __dir__() -> list[str]:
    return __all__


def _table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>"
                   for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _chart(labels: Sequence[str], series: dict[str, Sequence[int]]) -> str:
    """A horizontal stacked bar chart as an inline PNG, or ``""`` without matplotlib."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        from matplotlib import pyplot
    except ImportError:
        return ""
    if not labels:
        return ""
    figure, axes = pyplot.subplots(figsize=(7, 0.35 * len(labels) + 1))
    left = [0] * len(labels)
    for name, values in series.items():
        axes.barh(list(labels), list(values), left=left, label=name)
        left = [a + b for a, b in zip(left, values, strict=True)]
    axes.invert_yaxis()
    axes.set_xlabel("sign-ins")
    axes.legend(loc="lower right")
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    pyplot.close(figure)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f'<img alt="chart" src="data:image/png;base64,{data}"/>'


def agreement_html(report: AgreementReport) -> str:
    """Totals, a per-policy chart and table."""
    rows = report.rows()
    summary = (f"<p>{report.sign_ins} sign-ins, {report.unreadable} unreadable: "
               f"<b>{report.agree} agree</b>, {report.disagree} disagree, "
               f"{report.undetermined} undetermined.</p>")
    chart = _chart([r["policy_id"] for r in rows],
                   {k: [r[k] for r in rows] for k in ("agree", "disagree", "undetermined")})
    table = _table(("policy", "agree", "disagree", "undetermined"),
                   [(r["policy_id"], r["agree"], r["disagree"], r["undetermined"])
                    for r in rows])
    return summary + chart + table


def impact_html(report: ImpactReport) -> str:
    """Totals, a chart of the changed transitions and the transition table."""
    rows = report.rows()
    changed = [r for r in rows if r["before"] != r["after"]]
    summary = (f"<p>{report.sign_ins} sign-ins, {report.unreadable} unreadable: "
               f"<b>{report.changed} change outcome</b>.</p>")
    chart = _chart([f"{r['before']} -> {r['after']}" for r in changed],
                   {"sign-ins": [r["sign_ins"] for r in changed]})
    table = _table(("before", "after", "sign-ins", "users"),
                   [(r["before"], r["after"], r["sign_ins"], r["users"]) for r in rows])
    return summary + chart + table
