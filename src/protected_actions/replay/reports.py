"""The reports of a replay: agreement with what Entra recorded, and the impact of a
proposed tenant. Both are mergeable (``a + b`` is the report of both inputs, in that
order), so partitions replayed apart combine into the report of the whole log; both
keep exact counts and a bounded sample of example sign-ins per cell, so their size
does not grow with the log."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

import attrs

__all__ = ["EXAMPLES_PER_CELL", "MAX_PROBLEMS", "AgreementReport", "ImpactReport",
           "PolicyAgreement"]


def __dir__() -> list[str]:
    return __all__


EXAMPLES_PER_CELL = 3
"""Example sign-ins kept per cell (per verdict and policy; per transition)."""
MAX_PROBLEMS = 1000
"""Unreadable records listed with their source and line (all are counted)."""

Problem = tuple[str, int, str]
Example = dict[str, Any]


def _keep(examples: dict[Any, list[Example]], cell: Any, example: Example) -> None:
    kept = examples.setdefault(cell, [])
    if len(kept) < EXAMPLES_PER_CELL:
        kept.append(example)


def _merge_examples(a: dict[Any, list[Example]], b: dict[Any, list[Example]]
                    ) -> dict[Any, list[Example]]:
    out = {cell: list(kept) for cell, kept in a.items()}
    for cell, kept in b.items():
        for example in kept:
            _keep(out, cell, example)
    return out


@attrs.define
class PolicyAgreement:
    """One policy's sign-ins: ``agree``, ``disagree``, ``undetermined``, and the
    disagreements by ``(recorded, replayed)`` result word."""

    agree: int = 0
    disagree: int = 0
    undetermined: int = 0
    confusion: Counter[tuple[str, str]] = attrs.field(factory=Counter)

    def __add__(self, other: PolicyAgreement) -> PolicyAgreement:
        return PolicyAgreement(self.agree + other.agree, self.disagree + other.disagree,
                               self.undetermined + other.undetermined,
                               self.confusion + other.confusion)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"agree": self.agree, "disagree": self.disagree,
                "undetermined": self.undetermined,
                "disagreements": [{"recorded": r, "replayed": p, "signIns": n}
                                  for (r, p), n in sorted(self.confusion.items())]}


@attrs.define
class AgreementReport:
    """How the engine's replay agrees with what Entra recorded.

    ``sign_ins`` records read, ``unreadable`` records that could not be (each in
    ``problems`` as ``(source, line, message)``, the first :data:`MAX_PROBLEMS`);
    ``agree`` / ``disagree`` / ``undetermined`` sign-ins, and the same per policy in
    ``by_policy``; ``status_agree`` / ``status_disagree`` compare
    ``conditionalAccessStatus``; ``lacking`` counts the facts records lacked and
    ``unknown_fields`` the properties the reader does not know; ``examples`` holds up
    to :data:`EXAMPLES_PER_CELL` sign-ins per ``(verdict, policy id)``.
    """

    sign_ins: int = 0
    unreadable: int = 0
    agree: int = 0
    disagree: int = 0
    undetermined: int = 0
    status_agree: int = 0
    status_disagree: int = 0
    by_policy: dict[str, PolicyAgreement] = attrs.field(factory=dict)
    problems: list[Problem] = attrs.field(factory=list)
    lacking: Counter[str] = attrs.field(factory=Counter)
    unknown_fields: Counter[str] = attrs.field(factory=Counter)
    examples: dict[tuple[str, str], list[Example]] = attrs.field(factory=dict)

    def add_problem(self, problem: Problem) -> None:
        """Count an unreadable record."""
        self.unreadable += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(problem)

    def policy(self, policy_id: str) -> PolicyAgreement:
        """The counts of ``policy_id`` (created empty)."""
        found = self.by_policy.get(policy_id)
        if found is None:
            found = self.by_policy[policy_id] = PolicyAgreement()
        return found

    def has_room(self, verdict: str, policy_id: str) -> bool:
        """Whether the cell ``(verdict, policy_id)`` keeps another example."""
        return len(self.examples.get((verdict, policy_id), ())) < EXAMPLES_PER_CELL

    def keep_example(self, verdict: str, policy_id: str, example: Example) -> None:
        """Keep ``example`` if its cell has room."""
        _keep(self.examples, (verdict, policy_id), example)

    def merge(self, other: AgreementReport) -> AgreementReport:
        """The report of this report's sign-ins followed by ``other``'s."""
        by_policy = dict(self.by_policy)
        for pid, counts in other.by_policy.items():
            by_policy[pid] = by_policy[pid] + counts if pid in by_policy else counts
        return AgreementReport(
            sign_ins=self.sign_ins + other.sign_ins,
            unreadable=self.unreadable + other.unreadable,
            agree=self.agree + other.agree, disagree=self.disagree + other.disagree,
            undetermined=self.undetermined + other.undetermined,
            status_agree=self.status_agree + other.status_agree,
            status_disagree=self.status_disagree + other.status_disagree,
            by_policy=by_policy,
            problems=(self.problems + other.problems)[:MAX_PROBLEMS],
            lacking=self.lacking + other.lacking,
            unknown_fields=self.unknown_fields + other.unknown_fields,
            examples=_merge_examples(self.examples, other.examples))

    __add__ = merge

    @classmethod
    def combine(cls, reports: Iterable[AgreementReport]) -> AgreementReport:
        """The merge of ``reports`` in order (an empty report for none)."""
        total = cls()
        for report in reports:
            total = total.merge(report)
        return total

    @property
    def agreement(self) -> float | None:
        """``agree / (agree + disagree)``, or ``None`` before any comparison."""
        compared = self.agree + self.disagree
        return self.agree / compared if compared else None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (camelCase names)."""
        return {
            "signIns": self.sign_ins, "unreadable": self.unreadable,
            "agree": self.agree, "disagree": self.disagree,
            "undetermined": self.undetermined,
            "statusAgree": self.status_agree, "statusDisagree": self.status_disagree,
            "byPolicy": {pid: c.to_dict() for pid, c in sorted(self.by_policy.items())},
            "problems": [{"source": s, "line": n, "message": m} for s, n, m in self.problems],
            "lacking": dict(sorted(self.lacking.items())),
            "unknownFields": dict(sorted(self.unknown_fields.items())),
            "examples": [{"verdict": v, "policyId": p, "signIns": kept}
                         for (v, p), kept in sorted(self.examples.items())],
        }

    def rows(self) -> list[dict[str, Any]]:
        """One row per policy (``policy_id, agree, disagree, undetermined``), for
        ``pandas.DataFrame(report.rows())``."""
        return [{"policy_id": pid, "agree": c.agree, "disagree": c.disagree,
                 "undetermined": c.undetermined}
                for pid, c in sorted(self.by_policy.items())]

    def _repr_html_(self) -> str:
        from .html import agreement_html
        return agreement_html(self)


@attrs.define
class ImpactReport:
    """What a proposed tenant changes on the same sign-ins.

    ``sign_ins`` replayed (``unreadable`` and ``problems`` as in
    :class:`AgreementReport`); ``transitions[(before, after)]`` counts sign-ins by
    their outcome under the current and the proposed tenant (unchanged ones too);
    ``changed`` those whose outcome differs; ``by_policy[policy_id][(before, after)]``
    the changed sign-ins by that policy's result words; ``users``, ``apps``,
    ``countries`` and ``platforms`` count the changed sign-ins per transition (their
    size grows with the directory, not the log); ``examples`` keeps up to
    :data:`EXAMPLES_PER_CELL` sign-ins per transition.
    """

    sign_ins: int = 0
    unreadable: int = 0
    changed: int = 0
    transitions: Counter[tuple[str, str]] = attrs.field(factory=Counter)
    by_policy: dict[str, Counter[tuple[str, str]]] = attrs.field(factory=dict)
    users: dict[tuple[str, str], Counter[str]] = attrs.field(factory=dict)
    apps: dict[tuple[str, str], Counter[str]] = attrs.field(factory=dict)
    countries: dict[tuple[str, str], Counter[str]] = attrs.field(factory=dict)
    platforms: dict[tuple[str, str], Counter[str]] = attrs.field(factory=dict)
    problems: list[Problem] = attrs.field(factory=list)
    examples: dict[tuple[str, str], list[Example]] = attrs.field(factory=dict)

    def add_problem(self, problem: Problem) -> None:
        """Count an unreadable record."""
        self.unreadable += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(problem)

    def merge(self, other: ImpactReport) -> ImpactReport:
        """The report of this report's sign-ins followed by ``other``'s."""
        def counters(a: dict[Any, Counter[str]], b: dict[Any, Counter[str]]
                     ) -> dict[Any, Counter[str]]:
            out = {k: Counter(v) for k, v in a.items()}
            for k, v in b.items():
                out[k] = out[k] + v if k in out else Counter(v)
            return out
        by_policy: dict[str, Counter[tuple[str, str]]] = {
            k: Counter(v) for k, v in self.by_policy.items()}
        for k, v in other.by_policy.items():
            by_policy[k] = by_policy[k] + v if k in by_policy else Counter(v)
        return ImpactReport(
            sign_ins=self.sign_ins + other.sign_ins,
            unreadable=self.unreadable + other.unreadable,
            changed=self.changed + other.changed,
            transitions=self.transitions + other.transitions,
            by_policy=by_policy,
            users=counters(self.users, other.users), apps=counters(self.apps, other.apps),
            countries=counters(self.countries, other.countries),
            platforms=counters(self.platforms, other.platforms),
            problems=(self.problems + other.problems)[:MAX_PROBLEMS],
            examples=_merge_examples(self.examples, other.examples))

    __add__ = merge

    @classmethod
    def combine(cls, reports: Iterable[ImpactReport]) -> ImpactReport:
        """The merge of ``reports`` in order (an empty report for none)."""
        total = cls()
        for report in reports:
            total = total.merge(report)
        return total

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (camelCase names)."""
        def cell(t: tuple[str, str]) -> dict[str, Any]:
            return {
                "before": t[0], "after": t[1], "signIns": self.transitions[t],
                "users": dict(self.users.get(t, Counter()).most_common()),
                "apps": dict(self.apps.get(t, Counter()).most_common()),
                "countries": dict(self.countries.get(t, Counter()).most_common()),
                "platforms": dict(self.platforms.get(t, Counter()).most_common()),
                "examples": self.examples.get(t, []),
            }
        return {
            "signIns": self.sign_ins, "unreadable": self.unreadable,
            "changed": self.changed,
            "transitions": [cell(t) for t in sorted(self.transitions)],
            "byPolicy": {pid: [{"before": b, "after": a, "signIns": n}
                               for (b, a), n in sorted(c.items())]
                         for pid, c in sorted(self.by_policy.items())},
            "problems": [{"source": s, "line": n, "message": m} for s, n, m in self.problems],
        }

    def rows(self) -> list[dict[str, Any]]:
        """One row per outcome transition (``before, after, sign_ins, users``), for
        ``pandas.DataFrame(report.rows())``."""
        return [{"before": b, "after": a, "sign_ins": n,
                 "users": len(self.users.get((b, a), ()))}
                for (b, a), n in sorted(self.transitions.items())]

    def _repr_html_(self) -> str:
        from .html import impact_html
        return impact_html(self)
