"""``lint``: stable, documented findings about a tenant's Conditional Access set-up.

Each finding has a code from :data:`CATALOG` (documented in ``docs/lint.md``, one
section per code), a :class:`Severity`, a message naming the objects involved, a fix
and ``subjects``: the ids involved (policy ids, context ids, user ids, permission
strings). The checks ask the evaluator and the lockout search the questions they
need answered and never re-implement policy semantics (DESIGN §1, §4a):

- emergency access accounts (PA101-PA103) and what each enforced policy can do to
  them (PA110 block or demand what the account cannot do, PA111 a step-up it can
  do), decided over the condition classes the policy tells apart;
- protected actions and their contexts (PA120-PA123, PA160);
- single policies (PA130, PA131, PA161, PA170-PA172) and the policy count (PA150);
- references the tenant does not define (PA140) and values that are not ids at
  all (PA141);
- what the library cannot interpret, each with its JSON path: unknown properties
  (PA180 where the evaluator reads them, PA181 elsewhere), unknown enumeration
  values (PA182) and policies without grant or session controls (PA183).

```pycon
>>> import protected_actions as pa
>>> [f.code for f in lint(pa.Tenant())]
['PA101']

```
"""

from __future__ import annotations

from protected_actions.errors import InvalidModelError
from protected_actions.model.tenant import Tenant

from ._lint_catalog import CATALOG, Finding, Rule, Severity
from ._lint_emergency import emergency_findings
from ._lint_rules import (
    POLICY_LIMIT,
    context_findings,
    policy_findings,
    reference_findings,
)
from ._lint_unrecognised import unrecognised_findings

__all__ = ["CATALOG", "POLICY_LIMIT", "Finding", "Rule", "Severity", "lint"]


def lint(tenant: Tenant) -> tuple[Finding, ...]:
    """Every finding for ``tenant``, sorted by severity (errors first), code and
    subjects. The same tenant always gives the same findings, in the same order.

    :raises InvalidModelError: ``tenant`` is not a :class:`~protected_actions.Tenant`.
    """
    if not isinstance(tenant, Tenant):
        raise InvalidModelError("tenant", "a Tenant", tenant)
    found = [*emergency_findings(tenant), *context_findings(tenant),
             *policy_findings(tenant), *reference_findings(tenant),
             *unrecognised_findings(tenant)]
    return tuple(sorted(found, key=Finding.sort_key))
