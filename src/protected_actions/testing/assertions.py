"""Assertion helpers for tests of a Conditional Access set-up: each decides with the
evaluator and, when the outcome is not the expected one, fails with the decision's
own explanation.

>>> import protected_actions as pa
>>> from protected_actions.testing import assert_allows
>>> tenant = pa.Tenant()
>>> session = pa.load_session({"at": "2026-01-01T00:00:00Z", "user": {"id": "u1"}})
>>> assert_allows(tenant, session, "00000003-0000-0000-c000-000000000000").outcome
<Outcome.ALLOW: 'allow'>
"""

from __future__ import annotations

from collections.abc import Iterable

from protected_actions.engine.decision import Decision, Outcome
from protected_actions.engine.evaluator import evaluate, evaluate_sign_in
from protected_actions.model.permissions import Permission
from protected_actions.model.session import SessionState
from protected_actions.model.tenant import Tenant

__all__ = [
    "UnexpectedDecisionError",
    "assert_allows",
    "assert_challenges",
    "assert_denies",
    "decide",
    "offered_controls",
    "unmet_expectations",
]


class UnexpectedDecisionError(AssertionError):
    """A decision that is not what was expected; the message is its explanation."""

    def __init__(self, message: str, decision: Decision | None) -> None:
        super().__init__(message)
        self.decision = decision


def decide(tenant: Tenant, session: SessionState, action: str | Permission) -> Decision:
    """The decision for ``action``: a permission (``microsoft.directory/...``) is a
    protected action; anything else (an application id, ``urn:user:...``) a sign-in."""
    text = action.value if isinstance(action, Permission) else action
    if isinstance(action, Permission) or "/" in text:
        return evaluate(tenant, session, action)
    return evaluate_sign_in(tenant, session, text)


def offered_controls(decision: Decision) -> set[str]:
    """Every control the challenge offers, by kind and by the id it names
    (``mfa``, ``authenticationStrength``, ``00000000-0000-0000-0000-000000000004``),
    case-folded."""
    if decision.challenge is None:
        return set()
    found: set[str] = set()
    for requirement in decision.challenge.requirements:
        for control in requirement.any_of:
            found.add(control.kind.value.casefold())
            if control.detail:
                found.add(control.detail.casefold())
    return found


def _deciding(decision: Decision) -> set[str]:
    return {p.policy_id for p in decision.policies if p.enforced and p.applies}


def unmet_expectations(decision: Decision, outcome: Outcome | str,
                       requirements: Iterable[str] | None = None,
                       policies: Iterable[str] | None = None,
                       reason: str | None = None) -> list[str]:
    """What differs from the expectation (empty when it holds)."""
    problems: list[str] = []
    expected = Outcome(outcome)
    if decision.outcome is not expected:
        problems.append(f"expected {expected.value}, got {decision.outcome.value}")
    if requirements is not None:
        offered = offered_controls(decision)
        missing = [r for r in requirements if r.casefold() not in offered]
        if missing:
            problems.append(f"expected the challenge to ask for {', '.join(missing)}; it "
                            f"offers {', '.join(sorted(offered)) or 'nothing'}")
    if policies is not None:
        wanted, deciding = set(policies), _deciding(decision)
        if wanted != deciding:
            problems.append(f"expected the policies {', '.join(sorted(wanted)) or 'none'} "
                            f"to apply; applied: {', '.join(sorted(deciding)) or 'none'}")
    if reason is not None:
        texts = [r.code.value.casefold() for r in decision.reasons] + \
            [r.message.casefold() for r in decision.reasons]
        if not any(reason.casefold() in t for t in texts):
            problems.append(f"expected a reason matching {reason!r}; reasons: "
                            + "; ".join(r.code.value for r in decision.reasons))
    return problems


def _check(decision: Decision, outcome: Outcome, **expected: object) -> Decision:
    problems = unmet_expectations(decision, outcome, **expected)  # type: ignore[arg-type]
    if problems:
        raise UnexpectedDecisionError("; ".join(problems) + "\n\n" + decision.explain(), decision)
    return decision


def assert_allows(tenant: Tenant, session: SessionState, action: str | Permission) -> Decision:
    """Fail (with the explanation) unless the decision is ``allow``."""
    return _check(decide(tenant, session, action), Outcome.ALLOW)


def assert_challenges(tenant: Tenant, session: SessionState, action: str | Permission, *,
                      requires: Iterable[str] | str | None = None) -> Decision:
    """Fail unless the decision is ``challenge`` (offering every control named in
    ``requires``: a kind such as ``mfa`` or an id such as a strength's)."""
    wanted = [requires] if isinstance(requires, str) else requires
    return _check(decide(tenant, session, action), Outcome.CHALLENGE, requirements=wanted)


def assert_denies(tenant: Tenant, session: SessionState, action: str | Permission, *,
                  reason: str | None = None) -> Decision:
    """Fail unless the decision is ``deny`` (with a reason whose code or message
    contains ``reason``, e.g. ``BLOCKED_BY_POLICY``)."""
    return _check(decide(tenant, session, action), Outcome.DENY, reason=reason)
