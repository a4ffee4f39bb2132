"""Testing a Conditional Access set-up as code: scenario files, assertion helpers
whose failure messages are the decision's explanation, and a pytest plugin that
collects ``*.scenarios.json`` files as test items."""

from __future__ import annotations

from .assertions import (
    UnexpectedDecisionError,
    assert_allows,
    assert_challenges,
    assert_denies,
    decide,
)
from .scenarios import (
    Expectation,
    Scenario,
    ScenarioResult,
    find_scenario_files,
    load_scenarios,
    run_scenario,
    run_scenarios,
)

__all__ = [
    "Expectation",
    "Scenario",
    "UnexpectedDecisionError",
    "ScenarioResult",
    "assert_allows",
    "assert_challenges",
    "assert_denies",
    "decide",
    "find_scenario_files",
    "load_scenarios",
    "run_scenario",
    "run_scenarios",
]
