"""Reports as JUnit XML, the test report format CI servers show (GitHub Actions test
reporters, Azure DevOps ``PublishTestResults``, GitLab, Jenkins).

Lint: one test case per finding (a failure), accepted findings as skipped cases, one
passing case when there is nothing to report. Scenario tests: one test case per
scenario, a failure carrying the decision's explanation.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from pathlib import Path

from protected_actions.analysis import Finding

__all__ = ["Case", "junit_xml", "lint_junit"]

Locate = Callable[[str], tuple[Path, int] | None]


class Case:
    """One test case: name, class name, and a failure or skip message if any."""

    def __init__(self, name: str, classname: str, *, failure: str | None = None,
                 detail: str = "", skipped: str | None = None,
                 where: tuple[Path, int] | None = None) -> None:
        self.name = name
        self.classname = classname
        self.failure = failure
        self.detail = detail
        self.skipped = skipped
        self.where = where


def junit_xml(suite: str, cases: Sequence[Case]) -> str:
    """A ``<testsuites>`` document with one suite holding ``cases``."""
    failures = sum(1 for c in cases if c.failure is not None)
    skipped = sum(1 for c in cases if c.skipped is not None)
    root = ET.Element("testsuites", name="protected-actions", tests=str(len(cases)),
                      failures=str(failures), errors="0", skipped=str(skipped))
    element = ET.SubElement(root, "testsuite", name=suite, tests=str(len(cases)),
                            failures=str(failures), errors="0", skipped=str(skipped))
    for case in cases:
        node = ET.SubElement(element, "testcase", name=case.name, classname=case.classname)
        if case.where is not None:
            node.set("file", str(case.where[0]))
            node.set("line", str(case.where[1]))
        if case.failure is not None:
            failure = ET.SubElement(node, "failure", message=case.failure)
            failure.text = case.detail or case.failure
        elif case.skipped is not None:
            ET.SubElement(node, "skipped", message=case.skipped)
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(
        root, encoding="unicode") + "\n"


def _where(finding: Finding, locate: Locate | None) -> tuple[Path, int] | None:
    if locate is None:
        return None
    ids = ([finding.policy_id] if finding.policy_id else []) + list(finding.subjects)
    return next((w for w in map(locate, ids) if w is not None), None)


def _name(finding: Finding) -> str:
    about = finding.policy_id or ", ".join(finding.subjects[:3])
    return f"{finding.code} {about}".strip()


def lint_junit(findings: Sequence[Finding], accepted: Sequence[tuple[Finding, str]] = (),
               locate: Locate | None = None) -> str:
    """Lint findings as JUnit XML."""
    cases = [Case(_name(f), f"lint.{f.severity.value}", failure=f"{f.code} {f.title}",
                  detail=f"{f.message}\nFix: {f.fix}", where=_where(f, locate))
             for f in findings]
    cases += [Case(_name(f), f"lint.{f.severity.value}", skipped=why,
                   where=_where(f, locate)) for f, why in accepted]
    if not cases:
        cases = [Case("no findings", "lint")]
    return junit_xml("lint", cases)
