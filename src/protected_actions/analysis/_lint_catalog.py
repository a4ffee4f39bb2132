"""The lint vocabulary: severities, the rule catalog and the finding type.

Every rule has a stable code (``PA101``...), a severity and a title; its section
in ``docs/lint.md`` is headed ``## <code> <title>``, so :attr:`Rule.anchor` is the
Markdown anchor of that heading. Codes never change meaning; retired codes are not
reused.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any

import attrs

__all__ = ["CATALOG", "DOC_PATH", "Finding", "Rule", "Severity", "finding"]

DOC_PATH = "docs/lint.md"
"""The document with one section per rule."""


class Severity(str, enum.Enum):
    """How bad a finding is: ``error`` (access breaks or is unprotected),
    ``warning`` (likely wrong, or the analysis cannot vouch for it), ``info``."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    def __str__(self) -> str:
        return self.value

    @property
    def rank(self) -> int:
        """0 for errors, 1 for warnings, 2 for info: the order findings are listed in."""
        return _RANK[self]


_RANK = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


def _anchor(code: str, title: str) -> str:
    text = f"{code} {title}".casefold()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


@attrs.frozen(kw_only=True)
class Rule:
    """One catalog entry: code, severity, title and where it is documented."""

    code: str
    severity: Severity
    title: str

    @property
    def anchor(self) -> str:
        """The Markdown anchor of the rule's section (``pa101-no-emergency-...``)."""
        return _anchor(self.code, self.title)

    @property
    def doc(self) -> str:
        """The document and anchor: ``docs/lint.md#pa101-...``."""
        return f"{DOC_PATH}#{self.anchor}"


def _rules(*rules: tuple[str, Severity, str]) -> Mapping[str, Rule]:
    return MappingProxyType({code: Rule(code=code, severity=severity, title=title)
                             for code, severity, title in rules})


_E, _W, _I = Severity.ERROR, Severity.WARNING, Severity.INFO

CATALOG: Mapping[str, Rule] = _rules(
    ("PA101", _E, "No emergency access accounts designated"),
    ("PA102", _W, "Fewer than two emergency access accounts"),
    ("PA103", _W, "Emergency access account the directory does not define"),
    ("PA110", _E, "Policy can block an emergency access account"),
    ("PA111", _I, "Policy challenges an emergency access account with a step-up it can do"),
    ("PA120", _E, "Protected action whose context no enabled policy targets"),
    ("PA121", _E, "Protected action mapped to an undefined authentication context"),
    ("PA122", _W, "Protected action mapped to an unpublished authentication context"),
    ("PA123", _W, "Application permission whose context no enabled policy targets"),
    ("PA130", _E, "Policy combines mfa with an authentication strength"),
    ("PA131", _W, "Policy targets an authentication context and directory roles"),
    ("PA140", _W, "Policy references objects the tenant does not define"),
    ("PA141", _W, "Placeholder or display name where an id belongs"),
    ("PA150", _E, "More policies than the tenant limit"),
    ("PA160", _W, "Authentication context protected only by policies that are not enabled"),
    ("PA161", _I, "Report-only policy that still prompts users"),
    ("PA170", _E, "Device filter the evaluator cannot read"),
    ("PA171", _W, "Grant control the evaluator cannot check"),
    ("PA172", _W, "Approved client app grant control"),
    ("PA180", _W, "Unknown property the evaluator cannot interpret"),
    ("PA181", _I, "Unknown property kept as data"),
    ("PA182", _E, "Unknown enumeration value"),
    ("PA183", _E, "Policy without grant or session controls"),
    ("PA184", _E, "Policy without the users or applications Graph requires"),
)
"""Every rule, by code. Titles are the headings of ``docs/lint.md``."""


@attrs.frozen(kw_only=True)
class Finding:
    """One problem: its rule (code, severity, title), what is wrong, how to fix it,
    and the ids involved (policy ids, context ids, user ids, permission strings...).

    ``policy_id`` is the policy the finding is about, when there is exactly one.
    """

    code: str
    severity: Severity
    title: str
    message: str
    fix: str
    subjects: tuple[str, ...] = ()
    policy_id: str | None = None

    @property
    def rule(self) -> Rule:
        """The catalog entry of :attr:`code`."""
        return CATALOG[self.code]

    def sort_key(self) -> tuple[int, str, tuple[str, ...], str]:
        """Severity (errors first), code, subjects, message."""
        return (self.severity.rank, self.code, self.subjects, self.message)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "code": self.code,
            "severity": self.severity.value,
            "title": self.title,
            "message": self.message,
            "fix": self.fix,
            "subjects": list(self.subjects),
            "policyId": self.policy_id,
            "doc": self.rule.doc,
        }

    def __str__(self) -> str:
        return f"{self.code} {self.severity.value}: {self.message}"


def finding(code: str, message: str, fix: str, subjects: Iterable[str] = (),
            policy_id: str | None = None) -> Finding:
    """A :class:`Finding` of the catalog rule ``code``."""
    rule = CATALOG[code]
    return Finding(code=code, severity=rule.severity, title=rule.title, message=message,
                   fix=fix, subjects=tuple(subjects), policy_id=policy_id)
