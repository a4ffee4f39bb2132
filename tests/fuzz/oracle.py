"""The metamorphic oracle: a mutated document is refused with a library error,
or decides no action ALLOW that the clean document did not, or the ALLOW comes
with a new lint finding naming the mutated path; nothing else raises."""

from __future__ import annotations

import re
from dataclasses import dataclass

from hypothesis import strategies as st
from tests.fuzz.mutations import JSON, MUTATIONS, Path, mutated_path, paths, render

import protected_actions as pa
from protected_actions.strategies import tenants_and_sessions

PROTECTABLE = sorted(str(p) for p in pa.PROTECTABLE_PERMISSIONS)


@dataclass(frozen=True)
class Case:
    """A clean tenant and session, the document damaged and how."""

    tenant: JSON
    session: JSON
    document: str  # "tenant" or "session"
    operator: str
    path: Path
    mutated: JSON

    def describe(self) -> str:
        """One line: which document, operator, path."""
        return f"{self.document} {self.operator} at {render(self.path)}"


@st.composite
def cases(draw: st.DrawFn) -> Case:
    """A generated tenant and session dumped to Graph JSON, one of them damaged by
    one operator at one path."""
    tenant, session = draw(tenants_and_sessions())
    documents = {"tenant": pa.dump_tenant(tenant), "session": pa.dump_session(session)}
    which = draw(st.sampled_from(sorted(documents)))
    path = draw(st.sampled_from(list(paths(documents[which]))))
    applicable = {name: mutated for name, mutate in MUTATIONS.items()
                  if (mutated := mutate(documents[which], path)) is not None}
    name = draw(st.sampled_from(sorted(applicable)))
    return Case(documents["tenant"], documents["session"], which, name, path,
                applicable[name])


def actions(tenant: pa.Tenant) -> list[str]:
    """The tenant's protected actions and one protectable permission it leaves alone."""
    protected = {a.permission.key for a in tenant.protected_actions}
    spare = next(p for p in PROTECTABLE if p.casefold() not in protected)
    return sorted({spare, *(str(a.permission) for a in tenant.protected_actions)})


def pattern(path: Path) -> str:
    """The path with list indexes written ``[*]`` (one failure class per shape)."""
    return re.sub(r"\[\d+\]", "[*]", render(path))


def _names(finding: pa.Finding, places: tuple[str, ...]) -> bool:
    text = " ".join((finding.message, *finding.subjects, str(getattr(finding, "path", ""))))
    return any(place in text for place in places)


_OTHER_VALID_DOCUMENT = (
    # A whole collection left out is another, smaller tenant, not a damaged one.
    re.compile(r"\$\.[A-Za-z]+"),
    # Graph's resourceAction.authenticationContextId is nullable: an action without
    # one is an unprotected action (Microsoft Graph unifiedRbacResourceAction).
    re.compile(r"\$\.resourceActions\[\*\]\.authenticationContextId"),
)
"""Paths where dropping the key leaves a valid document with another meaning."""


def _other_valid_document(case: Case) -> bool:
    """Dropping a key where the document stays valid with another meaning: a whole
    tenant collection, a nullable property, or any optional session fact (a session
    needs only ``at`` and ``user.id``; what it leaves out is unknown or none, as
    documented)."""
    if case.operator != "drop_key":
        return False
    if case.document == "session":
        return True
    return any(rule.fullmatch(pattern(case.path)) for rule in _OTHER_VALID_DOCUMENT)


def _names_policy(finding: pa.Finding, case: Case) -> bool:
    """A new error or warning about the policy the damage is in also speaks up (for
    example PA183 when a policy loses its only controls)."""
    match = re.match(r"\$\.conditionalAccessPolicies\[(\d+)\]", render(case.path))
    if match is None or finding.severity is pa.Severity.INFO:
        return False
    policies = case.tenant.get("conditionalAccessPolicies") or []
    index = int(match[1])
    policy_id = policies[index].get("id") if index < len(policies) else None
    return policy_id is not None and policy_id in (finding.policy_id, *finding.subjects)


def _outcome(tenant: pa.Tenant, session: pa.SessionState, ask: tuple[str, bool]
             ) -> pa.Outcome:
    action, checked = ask
    return pa.evaluate(tenant, session, action, check_authorization=checked).outcome


def failure(case: Case) -> str | None:
    """``None`` when the oracle holds for ``case``, else what went wrong."""
    tenant = pa.load_tenant(case.tenant)
    session = pa.load_session(case.session)
    targets = actions(tenant)
    # Each action as asked, and with the role check off (the policies alone decide).
    asks = [(action, checked) for action in targets for checked in (True, False)]
    clean = {ask: _outcome(tenant, session, ask) for ask in asks}
    try:
        bad_tenant = pa.load_tenant(case.mutated) if case.document == "tenant" else tenant
        bad_session = pa.load_session(case.mutated) if case.document == "session" else session
        opened = [ask for ask in asks if clean[ask] is not pa.Outcome.ALLOW
                  and _outcome(bad_tenant, bad_session, ask) is pa.Outcome.ALLOW]
        if not opened or _other_valid_document(case):
            return None
        where = mutated_path(case.operator, case.path)
        places = (render(where), render(where[:-1]))
        before = set(pa.lint(tenant))
        if case.document == "tenant" and any(
                _names(f, places) or _names_policy(f, case)
                for f in pa.lint(bad_tenant) if f not in before):
            return None
    except pa.ProtectedActionsError:
        return None
    except Exception as error:  # the property: never a non-library exception
        return f"{type(error).__name__} ({error!s:.80}) from {case.describe()}"
    action, checked = opened[0]
    return (f"silent ALLOW: {case.describe()} turns {clean[opened[0]].value} into allow "
            f"for {action}{'' if checked else ' (role check off)'}")
