"""For notebooks: HTML views of decisions, lockout reports, tenants and findings, and
what-if matrices as plain rows (``pandas.DataFrame(rows)`` takes them as they are).

Importing this package registers the HTML views, so a :class:`~protected_actions.Decision`
shows as a table in Jupyter; ``import protected_actions`` does it for you.
"""

from __future__ import annotations

from protected_actions.analysis.lockout import LockoutReport
from protected_actions.engine.decision import Decision
from protected_actions.model.display import register_html
from protected_actions.model.tenant import Tenant

from .html import decision_html, lockout_report_html, tenant_html
from .views import MATRIX_COLUMNS, LintReport, what_if_matrix

__all__ = ["MATRIX_COLUMNS", "LintReport", "what_if_matrix"]

register_html(Decision, decision_html)
register_html(LockoutReport, lockout_report_html)
register_html(Tenant, tenant_html)


def __dir__() -> list[str]:
    return __all__
