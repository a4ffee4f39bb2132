"""Scenario files: "these sessions must get these outcomes", run in CI.

A scenario file (``*.scenarios.json``) is a JSON array of scenarios (or
``*.scenarios.toml`` with ``[[scenario]]`` tables, or ``*.scenarios.yaml`` with the
``yaml`` extra)::

    [{"name": "Alice needs phishing-resistant MFA to edit CA policies",
      "user": "alice",
      "session": {"devicePlatform": "windows"},
      "action": "microsoft.directory/conditionalAccessPolicies/update",
      "expect": {"outcome": "challenge",
                 "requirements": ["00000000-0000-0000-0000-000000000004"]}}]

- ``name`` (required) names the scenario in reports;
- ``user`` is a shorthand: a user id, display name or user principal name from the
  tenant's directory (the evaluator fills in groups and roles from it);
- ``session`` is session JSON (``at`` defaults to 2026-01-01T00:00:00Z, ``user``
  to the shorthand's user); give ``user`` or ``session.user``;
- ``action`` is a permission (a protected action), or ``target`` an application id
  or user action (a sign-in);
- ``expect``: ``outcome`` (``allow``, ``challenge``, ``deny``), optionally
  ``requirements`` (controls the challenge must offer: ``mfa``, a strength id...),
  ``policies`` (the enforced policies that must apply, exactly) and ``reason``
  (a reason code or words of its message).

A file that cannot be read, or a scenario with an unknown key, is a
:class:`~protected_actions.errors.LoadError` naming the file and line.
"""

from __future__ import annotations

import difflib
import importlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from protected_actions.engine.decision import Decision, Outcome
from protected_actions.errors import LoadError, LoadProblem, ProtectedActionsError
from protected_actions.graph import load_session
from protected_actions.graph._io import read_json_text
from protected_actions.graph.repository import SCENARIO_SUFFIX, array_lines
from protected_actions.model.tenant import Tenant
from protected_actions.model.vocabulary import ascii_lower

from .assertions import decide, unmet_expectations
from .config import ConfigError, toml_document

__all__ = [
    "DEFAULT_TIME",
    "SCENARIO_SUFFIX",
    "SUFFIXES",
    "Expectation",
    "Scenario",
    "ScenarioResult",
    "find_scenario_files",
    "load_scenarios",
    "run_scenario",
    "run_scenarios",
]

DEFAULT_TIME = "2026-01-01T00:00:00Z"
"""The sign-in time of a scenario whose session gives none."""
_KEYS = ("name", "description", "user", "session", "action", "target", "expect")
_EXPECT_KEYS = ("outcome", "requirements", "policies", "reason")


@attrs.frozen
class Expectation:
    """What a scenario expects of the decision."""

    outcome: Outcome
    requirements: tuple[str, ...] | None = None
    policies: tuple[str, ...] | None = None
    reason: str | None = None


@attrs.frozen
class Scenario:
    """One scenario, with the file and line it was read from."""

    name: str
    action: str
    expect: Expectation
    session: Mapping[str, Any] = attrs.Factory(dict)
    user: str | None = None
    file: str = "<memory>"
    line: int = 1


@attrs.frozen
class ScenarioResult:
    """The outcome of running one scenario."""

    scenario: Scenario
    decision: Decision | None
    problems: tuple[str, ...]

    @property
    def passed(self) -> bool:
        """Whether the decision met every expectation."""
        return not self.problems

    def explain(self) -> str:
        """What went wrong, then the decision's explanation."""
        head = "; ".join(self.problems) if self.problems else "as expected"
        body = self.decision.explain() if self.decision is not None else ""
        return f"{head}\n\n{body}".rstrip()


def _unknown(key: str, known: Sequence[str]) -> str:
    close = difflib.get_close_matches(key, known, n=1)
    return f"unknown key {key!r}" + (f"; did you mean {close[0]!r}?" if close else
                                     f" (known: {', '.join(known)})")


def _strings(value: Any) -> tuple[str, ...] | None:
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    return None


def _scenario(raw: Any, file: str, line: int, pointer: str) -> tuple[Scenario | None,
                                                                      list[LoadProblem]]:
    problems: list[LoadProblem] = []

    def problem(where: str, message: str) -> None:
        problems.append(LoadProblem(pointer + where, message, file, line))

    if not isinstance(raw, Mapping):
        problem("", "expected a scenario object {name, user | session, action | target, "
                    "expect}")
        return None, problems
    for key in raw:
        if key not in _KEYS:
            problem(f".{key}", _unknown(str(key), _KEYS))
    name = raw.get("name")
    if not isinstance(name, str) or not name:
        problem(".name", "a scenario needs a name")
    action = raw.get("action", raw.get("target"))
    if ("action" in raw) == ("target" in raw) or not isinstance(action, str) or not action:
        problem("", "give one of 'action' (a permission) or 'target' (an application id "
                    "or user action)")
    user = raw.get("user")
    session = raw.get("session", {})
    if user is not None and not isinstance(user, str):
        problem(".user", "expected a user id, display name or user principal name")
    if not isinstance(session, Mapping):
        problem(".session", "expected session JSON (an object)")
        session = {}
    if user is None and "user" not in session:
        problem("", "give 'user' (the shorthand) or 'session.user'")
    expect = raw.get("expect")
    expectation: Expectation | None = None
    if not isinstance(expect, Mapping):
        problem(".expect", "expected {outcome, requirements?, policies?, reason?}")
    else:
        for key in expect:
            if key not in _EXPECT_KEYS:
                problem(f".expect.{key}", _unknown(str(key), _EXPECT_KEYS))
        outcome = expect.get("outcome")
        if outcome not in {o.value for o in Outcome}:
            problem(".expect.outcome", f"expected allow, challenge or deny, got {outcome!r}")
        for key in ("requirements", "policies"):
            if key in expect and _strings(expect[key]) is None:
                problem(f".expect.{key}", "expected a list of strings")
        if "reason" in expect and not isinstance(expect["reason"], str):
            problem(".expect.reason", "expected a string")
        if not problems:
            expectation = Expectation(
                outcome=Outcome(outcome), requirements=_strings(expect.get("requirements")),
                policies=_strings(expect.get("policies")), reason=expect.get("reason"))
    if problems or expectation is None:
        return None, problems
    return Scenario(name=str(name), action=str(action), expect=expectation,
                    session=dict(session), user=user, file=file, line=line), []


SUFFIXES = (SCENARIO_SUFFIX, ".scenarios.toml", ".scenarios.yaml", ".scenarios.yml")
"""Scenario files: JSON (an array), TOML (``[[scenario]]`` tables) or YAML (a list;
with the ``yaml`` extra)."""


def _read_toml(path: Path) -> tuple[Any, list[int]]:
    try:
        data = toml_document(path)
    except ConfigError as exc:
        raise LoadError([LoadProblem("$", str(exc), str(path), 1)]) from None
    text = path.read_text(encoding="utf-8")
    lines = [n for n, line in enumerate(text.splitlines(), 1)
             if line.strip().startswith("[[scenario]]")]
    return data.get("scenario", []), lines


def _read_yaml(path: Path) -> tuple[Any, list[int]]:
    try:
        yaml: Any = importlib.import_module("yaml")
    except ImportError:
        raise LoadError([LoadProblem("$", "YAML scenario files need the 'yaml' extra "
                                          "(pip install 'protected-actions[yaml]')",
                                     str(path), 1)]) from None
    text = path.read_text(encoding="utf-8")
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise LoadError([LoadProblem("$", f"not valid YAML: {exc}", str(path), 1)]) from None
    lines = [item.start_mark.line + 1 for item in node.value] \
        if isinstance(node, yaml.SequenceNode) else []
    return data, lines


def _read(path: Path) -> tuple[Any, list[int]]:
    name = path.name
    if name.endswith(".scenarios.toml"):
        return _read_toml(path)
    if name.endswith((".scenarios.yaml", ".scenarios.yml")):
        return _read_yaml(path)
    data, text = read_json_text(path)
    return data, array_lines(text)


def load_scenarios(path: str | Path) -> tuple[Scenario, ...]:
    """The scenarios of one file (JSON, TOML or YAML, by its name).

    :raises LoadError: the file cannot be parsed, is not a list of scenarios, or a
        scenario is invalid (every problem, with the file and line).
    """
    data, lines = _read(Path(path))
    file = str(path)
    if not isinstance(data, list):
        raise LoadError([LoadProblem("$", "expected an array of scenarios", file, 1)])
    lines = (lines + [1] * len(data))[:len(data)]
    out: list[Scenario] = []
    problems: list[LoadProblem] = []
    for index, (raw, line) in enumerate(zip(data, lines, strict=True)):
        scenario, found = _scenario(raw, file, line, f"$[{index}]")
        problems += found
        if scenario is not None:
            out.append(scenario)
    if problems:
        raise LoadError(problems)
    return tuple(out)


def find_scenario_files(paths: Iterable[str | Path]) -> list[Path]:
    """Scenario files: the files given, and every ``*.scenarios.json`` under the
    folders given (hidden folders skipped), sorted."""
    found: list[Path] = []
    for given in map(Path, paths):
        if given.is_dir():
            found += sorted(p for suffix in SUFFIXES for p in given.rglob("*" + suffix)
                            if not any(part.startswith(".")
                                       for part in p.relative_to(given).parts))
        else:
            found.append(given)
    return found


def _resolve_user(tenant: Tenant, user: str) -> str | None:
    key = ascii_lower(user)
    for candidate in tenant.users:
        names = [candidate.id, candidate.display_name or "",
                 str(candidate.unmodelled.get("userPrincipalName", ""))]
        if any(n and ascii_lower(n) == key for n in names):
            return candidate.id
    return None


def _session_json(tenant: Tenant, scenario: Scenario) -> dict[str, Any]:
    session = dict(scenario.session)
    session.setdefault("at", DEFAULT_TIME)
    if scenario.user is not None:
        user_id = _resolve_user(tenant, scenario.user)
        if user_id is None:
            raise LoadError([LoadProblem("$.user", f"user {scenario.user!r} is not in the "
                                         "tenant's directory (by id, display name or user "
                                         "principal name)", scenario.file, scenario.line)])
        given = session.get("user")
        session["user"] = {**(given if isinstance(given, Mapping) else {}), "id": user_id}
    return session


def run_scenario(tenant: Tenant, scenario: Scenario) -> ScenarioResult:
    """Decide the scenario's request and compare it with what it expects. A session
    that does not load, an unknown user or an unknown action is a failed scenario
    (the problem says why), never a pass."""
    try:
        session = load_session(_session_json(tenant, scenario))
        decision = decide(tenant, session, scenario.action)
    except (ProtectedActionsError, ValueError) as exc:
        return ScenarioResult(scenario, None, (f"cannot run: {exc}",))
    e = scenario.expect
    problems = unmet_expectations(decision, e.outcome, requirements=e.requirements,
                                  policies=e.policies, reason=e.reason)
    return ScenarioResult(scenario, decision, tuple(problems))


Progress = Callable[[int, int, str], None]


def run_scenarios(tenant: Tenant, scenarios: Iterable[Scenario], *,
                  progress: Progress | None = None) -> tuple[ScenarioResult, ...]:
    """Run every scenario in order."""
    todo = list(scenarios)
    out = []
    for n, scenario in enumerate(todo, 1):
        out.append(run_scenario(tenant, scenario))
        if progress is not None:
            progress(n, len(todo), scenario.name)
    return tuple(out)
