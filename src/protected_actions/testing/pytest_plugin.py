"""The pytest plugin: scenario files (``*.scenarios.json``, ``.toml``, ``.yaml``) are
collected as test items, one per scenario, whose failure message is the decision's explanation.

Registered through the ``pytest11`` entry point, so installing the package is
enough. The tenant is, in this order: ``--protected-actions-tenant PATH``
(repeatable), the ini option ``protected_actions_tenant``, or the ``tenant`` of the
``protected-actions.toml`` (or ``[tool.protected-actions]``) nearest the scenario
file; that configuration's placeholders and emergency accounts apply too.

The fixture ``protected_actions_tenant`` gives the same tenant to Python tests, for
:func:`~protected_actions.testing.assert_allows` and its siblings.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from protected_actions.model.tenant import Tenant

from .assertions import UnexpectedDecisionError
from .config import find_config, load_configured_tenant
from .scenarios import SUFFIXES, Scenario, load_scenarios, run_scenario

__all__ = ["ScenarioFile", "ScenarioItem"]

_OPTION = "protected_actions_tenant"
_CACHE: dict[tuple[str, ...], Tenant] = {}


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("protected-actions", "Conditional Access scenarios")
    group.addoption("--protected-actions-tenant", action="append", default=[],
                    metavar="PATH", dest=_OPTION,
                    help="the tenant scenario files run against (repeatable)")
    parser.addini(_OPTION, "the tenant scenario files run against (paths)", type="paths",
                  default=[])


def _tenant(config: pytest.Config, near: Path) -> Tenant:
    given = [Path(p) for p in config.getoption(_OPTION) or []] or \
        [Path(p) for p in config.getini(_OPTION)]
    settings = find_config(near)
    key = (*(str(p.resolve()) for p in (given or settings.tenant)), str(settings.path))
    if key not in _CACHE:
        _CACHE[key] = load_configured_tenant(given, settings)
    return _CACHE[key]


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> ScenarioFile | None:
    if file_path.name.endswith(SUFFIXES):
        file: ScenarioFile = ScenarioFile.from_parent(parent, path=file_path)
        return file
    return None


class ScenarioFile(pytest.File):
    """A scenario file: one item per scenario."""

    def collect(self) -> Iterator[ScenarioItem]:
        for scenario in load_scenarios(self.path):
            yield ScenarioItem.from_parent(self, name=scenario.name, scenario=scenario)


class ScenarioItem(pytest.Item):
    """One scenario, run against the configured tenant."""

    def __init__(self, *, scenario: Scenario, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.scenario = scenario

    def runtest(self) -> None:
        tenant = _tenant(self.config, self.path.parent)
        result = run_scenario(tenant, self.scenario)
        if not result.passed:
            raise UnexpectedDecisionError(result.explain(), result.decision)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException],
                     style: Any = None) -> str:
        if isinstance(excinfo.value, UnexpectedDecisionError):
            where = f"{self.scenario.file}:{self.scenario.line}"
            return f"{where}: {self.scenario.name}\n{excinfo.value}"
        return str(super().repr_failure(excinfo, style=style))

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, self.scenario.line - 1, f"scenario: {self.scenario.name}"


@pytest.fixture
def protected_actions_tenant(request: pytest.FixtureRequest) -> Tenant:
    """The tenant scenario files run against (see the module documentation)."""
    return _tenant(request.config, Path(str(request.path)).parent)
