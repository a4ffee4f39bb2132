"""Scenario test results as text, JSON, JUnit XML, Markdown and SARIF."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from protected_actions.testing import ScenarioResult

from .junit import Case, junit_xml
from .markdown import table
from .sarif import SARIF_SCHEMA, SARIF_VERSION, TOOL_NAME

__all__ = ["scenarios_json", "scenarios_junit", "scenarios_markdown", "scenarios_sarif",
           "scenarios_text"]


def _where(r: ScenarioResult) -> str:
    return f"{r.scenario.file}:{r.scenario.line}"


def _summary(results: Sequence[ScenarioResult]) -> str:
    failed = sum(1 for r in results if not r.passed)
    return (f"{len(results)} scenario{'s' if len(results) != 1 else ''}: "
            f"{len(results) - failed} passed, {failed} failed")


def scenarios_text(results: Sequence[ScenarioResult]) -> str:
    """One line per scenario; each failure followed by its explanation."""
    lines: list[str] = []
    for r in results:
        lines.append(f"{'PASS' if r.passed else 'FAIL'}  {_where(r)}  {r.scenario.name}")
        if not r.passed:
            lines += ["      " + line if line else "" for line in r.explain().splitlines()]
    lines.append(_summary(results))
    return "\n".join(lines) + "\n"


def scenarios_json(results: Sequence[ScenarioResult]) -> dict[str, Any]:
    """``{"scenarios": [...], "passed": n, "failed": n}``."""
    return {
        "scenarios": [{
            "name": r.scenario.name, "file": r.scenario.file, "line": r.scenario.line,
            "action": r.scenario.action, "passed": r.passed, "problems": list(r.problems),
            "decision": r.decision.to_dict() if r.decision is not None else None,
        } for r in results],
        "passed": sum(1 for r in results if r.passed),
        "failed": sum(1 for r in results if not r.passed),
    }


def scenarios_junit(results: Sequence[ScenarioResult]) -> str:
    """One test case per scenario, named after it; failures carry the explanation."""
    return junit_xml("scenarios", [
        Case(r.scenario.name, Path(r.scenario.file).name.removesuffix(".json"),
             failure=None if r.passed else "; ".join(r.problems), detail=r.explain(),
             where=(Path(r.scenario.file), r.scenario.line)) for r in results])


def scenarios_markdown(results: Sequence[ScenarioResult]) -> str:
    """A summary line, a table of failures and their explanations folded away."""
    lines = ["## protected-actions test", "", f"**{_summary(results)}**", ""]
    failed = [r for r in results if not r.passed]
    if failed:
        lines += table(("Scenario", "Where", "What differs"),
                       [(r.scenario.name, f"`{_where(r)}`", "; ".join(r.problems))
                        for r in failed])
        for r in failed:
            lines += ["", f"<details><summary>{r.scenario.name}</summary>", "",
                      "```", r.explain(), "```", "", "</details>"]
    return "\n".join(lines) + "\n"


def _uri(path: Path) -> str:
    return path.as_uri() if path.is_absolute() else path.as_posix()


def scenarios_sarif(results: Sequence[ScenarioResult], *, version: str) -> dict[str, Any]:
    """Failed scenarios as SARIF results at the scenario's file and line."""
    rule = {"id": "scenario", "name": "ScenarioExpectation",
            "shortDescription": {"text": "A scenario's expected outcome is not met"},
            "defaultConfiguration": {"level": "error"}}
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [{
        "tool": {"driver": {"name": TOOL_NAME, "version": version, "rules": [rule]}},
        "results": [{
            "ruleId": "scenario", "ruleIndex": 0, "level": "error",
            "message": {"text": f"{r.scenario.name}: {r.explain()}"},
            "locations": [{"physicalLocation": {
                "artifactLocation": {"uri": _uri(Path(r.scenario.file))},
                "region": {"startLine": r.scenario.line}}}],
            "partialFingerprints": {"protectedActionsScenario/v1": hashlib.sha256(
                f"{r.scenario.file}\x1f{r.scenario.name}".encode()).hexdigest()[:32]},
        } for r in results if not r.passed]}]}
