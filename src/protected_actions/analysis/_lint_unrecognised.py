"""Lint rules for what the tenant holds but the library cannot interpret (PA180-PA184).

Every unknown property and every unknown enumeration value is reported with its JSON
path in the bundle (``$.conditionalAccessPolicies[?(@.id=='p1')].conditions.times``:
list items are named by id, so the findings do not depend on the order of a list)
and the known name it is closest to; a policy with neither grant nor session
controls is Entra's ``emptyPolicy``; a policy without the users (or workload
identities) and applications Graph requires is damaged.
"""

from __future__ import annotations

from collections.abc import Iterator

from protected_actions.engine.compile import compiled, missing_assignments
from protected_actions.model.tenant import Tenant
from protected_actions.model.unrecognised import Unrecognised, find_unrecognised, selector

from ._lint_catalog import Finding, finding

__all__ = ["unrecognised_findings"]

_READ = ("conditions", "grantControls", "sessionControls")


def _read_by_evaluator(item: Unrecognised, where: str) -> bool:
    """Inside an object the evaluator reads (a policy's conditions, grant or session
    controls, or a ``resourceActions`` entry)?"""
    if where == "resourceActions":
        return True
    rest = item.path.split(")]", 1)[1] if ")]" in item.path else \
        item.path.split("]", 1)[1] if "]" in item.path else ""
    return rest.lstrip(".").startswith(_READ)


def _one(item: Unrecognised, where: str, policy_id: str | None) -> Finding:
    subjects = (policy_id, item.path) if policy_id else (item.path,)
    hint = f"; did you mean {item.suggestion!r}?" if item.suggestion else ""
    if item.kind == "value":
        return finding(
            "PA182",
            f"Unknown value {item.name!r} at {item.path}{hint}\nThe evaluator cannot "
            "match it, so the condition it belongs to is undetermined (fail-closed: the "
            "policy applies, decisions are incomplete).",
            "Use one of the values Microsoft Graph documents for this property (case "
            "does not matter).", subjects, policy_id)
    if item.configured and _read_by_evaluator(item, where):
        if where == "resourceActions":
            effect = "the permission's protection is unknown and decided fail-closed (DENY)"
        elif ".grantControls." in item.path:
            effect = "it is an unmet requirement no prompt can satisfy (fail-closed)"
        else:
            effect = ("the policy is undetermined (fail-closed: it applies, decisions are "
                      "incomplete)")
        return finding(
            "PA180",
            f"Unknown property {item.path}{hint}\nThe evaluator cannot interpret it: "
            f"{effect}.",
            "Correct the property name, or remove the property if Microsoft Graph does "
            "not define it; load with strict=True (--strict) to make it an error.",
            subjects, policy_id)
    return finding(
        "PA181",
        f"Unknown property {item.path}{hint}\nIt is kept and written back, but nothing "
        "reads it.",
        "Correct the property name, or remove the property if Microsoft Graph does not "
        "define it; load with strict=True (--strict) to make it an error.",
        subjects, policy_id)


def unrecognised_findings(tenant: Tenant) -> Iterator[Finding]:
    """PA180-PA182 for every unknown property and value, PA183 for empty policies,
    PA184 for policies without the assignments Graph requires."""
    for index, policy in enumerate(tenant.policies):
        where = "$.conditionalAccessPolicies" + selector(policy, index)
        for item in find_unrecognised(policy, where):
            yield _one(item, "conditionalAccessPolicies", policy.id)
    for index, action in enumerate(tenant.protected_actions):
        for item in find_unrecognised(action, "$.resourceActions" + selector(action, index)):
            yield _one(item, "resourceActions", None)
    for item in find_unrecognised(tenant, skip=frozenset({"policies", "protected_actions"})):
        yield _one(item, item.path.split(".")[1].split("[")[0], None)
    for cp in compiled(tenant).compiled:
        if cp.empty:
            yield finding(
                "PA183",
                f"Policy {cp.policy.display_name or cp.id!r} ({cp.id}) has neither grant nor "
                "session controls\nEntra treats it as emptyPolicy: it never applies.",
                "Add the grant controls (or session controls) the policy is meant to "
                "enforce, or delete it.", (cp.id,), cp.id)
        missing = missing_assignments(cp.policy)
        if missing:
            yield finding(
                "PA184",
                f"Policy {cp.policy.display_name or cp.id!r} ({cp.id}) lacks an assignment "
                "Graph requires: " + "; ".join(missing) + "\nWhom or what it targets is "
                "unknown: the evaluator lets it apply to every user (without users) and to "
                "every application sign-in (without applications), undetermined "
                "(decisions are incomplete); a request for an auth context cannot reach "
                "a policy without applications.",
                "Restore the policy's conditions.users (includeUsers, includeGroups, "
                "includeRoles or includeGuestsOrExternalUsers; ['None'] to target no one) "
                "and conditions.applications from the tenant's export.", (cp.id,), cp.id)
