"""The import rule keeps itself: imports point down the layers of
``docs/architecture.md``, and no module imports another that imports it back.

Every import counts, at module level or inside a function (a lazy import is still a
dependency). Only imports under ``if TYPE_CHECKING:`` are left out of the cycle check:
they never run, and exist so that annotations can name a type.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "protected_actions"

#: Which parts each part may import (besides itself). A part is a subpackage of
#: ``protected_actions`` or one of its top-level modules.
ALLOWED: dict[str, frozenset[str]] = {
    "errors": frozenset(),
    "version": frozenset(),
    "device_filter": frozenset({"errors"}),
    "model": frozenset({"errors"}),
    "graph": frozenset({"model", "errors"}),
    "samples": frozenset({"graph", "model", "errors"}),
    "engine": frozenset({"model", "device_filter", "errors"}),
    "analysis": frozenset({"engine", "model", "device_filter", "errors"}),
    "apps": frozenset({"engine", "model", "errors"}),
    "strategies": frozenset({"model", "device_filter", "errors"}),
    "testing": frozenset({"analysis", "apps", "engine", "graph", "model", "device_filter",
                          "errors", "samples"}),
    "replay": frozenset({"engine", "graph", "model", "errors"}),
    "export": frozenset({"graph", "model", "errors", "version"}),
    "notebook": frozenset({"analysis", "apps", "engine", "model", "errors"}),
    "cli": frozenset({"analysis", "apps", "engine", "graph", "model", "device_filter",
                      "errors", "samples", "testing", "replay", "export", "version"}),
    "__main__": frozenset({"cli"}),
}
"""The layers of DESIGN section 2: cli and notebook on top; analysis, apps, testing,
replay and export under them; then the engine; then the model and the device filter
language. The Graph layer imports only the model. Nothing but the package's own
``__init__`` imports the top-level package (it is the facade over all of them)."""

TOP = "protected_actions"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(tree: ast.AST, *, type_checking: bool = False
             ) -> Iterator[tuple[ast.Import | ast.ImportFrom, bool]]:
    """Every import node, with whether it sits under ``if TYPE_CHECKING:``."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node, type_checking
        elif isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.body:
                yield from _imports(ast.Module(body=[child], type_ignores=[]),
                                    type_checking=True)
            for child in node.orelse:
                yield from _imports(ast.Module(body=[child], type_ignores=[]),
                                    type_checking=type_checking)
        else:
            yield from _imports(node, type_checking=type_checking)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


MODULES = _modules()


def _resolve(importer: str, is_package: bool, node: ast.Import | ast.ImportFrom) -> set[str]:
    """The package modules ``node`` imports: ``from a import b`` names ``a.b`` when
    that is a module, else ``a``."""
    if isinstance(node, ast.Import):
        return {a.name for a in node.names if a.name.split(".")[0] == TOP}
    if node.level:
        base = importer.split(".") if is_package else importer.split(".")[:-1]
        base = base[: len(base) - (node.level - 1)]
        source = ".".join(base + ([node.module] if node.module else []))
    else:
        source = node.module or ""
    if source.split(".")[0] != TOP:
        return set()
    found = set()
    for alias in node.names:
        candidate = f"{source}.{alias.name}"
        found.add(candidate if candidate in MODULES else source)
    return found


def _edges(*, with_type_checking: bool) -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {}
    for name, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        targets: set[str] = set()
        for node, type_only in _imports(tree):
            if type_only and not with_type_checking:
                continue
            targets |= _resolve(name, path.name == "__init__.py", node)
        targets.discard(name)
        edges[name] = targets
    return edges


def _part(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else TOP


def test_every_part_has_a_rule() -> None:
    """A new subpackage or top-level module must be placed in a layer here first."""
    parts = {_part(m) for m in MODULES} - {TOP}
    assert parts <= set(ALLOWED), sorted(parts - set(ALLOWED))


def test_the_top_level_holds_only_the_facade() -> None:
    """At the top of the package: ``__init__``, ``__main__``, ``errors``, ``version``."""
    loose = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert loose == ["__init__.py", "__main__.py", "errors.py", "version.py"]


def _violations() -> list[str]:
    found = []
    for module, targets in _edges(with_type_checking=True).items():
        part = _part(module)
        if part == TOP:
            continue
        for target in sorted(targets):
            to = _part(target)
            if to != part and to not in ALLOWED[part]:
                found.append(f"{module} -> {target}")
    return found


def test_imports_point_down() -> None:
    """No part imports a part above it or beside it (see ``ALLOWED``)."""
    assert _violations() == []


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return components


def test_no_import_cycles() -> None:
    """No module reaches itself through runtime imports, lazy ones included."""
    assert _cycles(_edges(with_type_checking=False)) == []


@pytest.mark.parametrize(("edges", "expected"), [
    ({"a": {"b"}, "b": {"a"}}, [["a", "b"]]),
    ({"a": {"b"}, "b": {"c"}, "c": set()}, []),
    ({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}, [["a", "b", "c"]]),
])
def test_the_cycle_finder_finds_cycles(edges: dict[str, set[str]],
                                       expected: list[list[str]]) -> None:
    """The checker itself can fail."""
    assert _cycles(edges) == expected


def test_lazy_imports_are_seen() -> None:
    """An import inside a function counts; one under ``TYPE_CHECKING`` is marked."""
    tree = ast.parse("from typing import TYPE_CHECKING\n"
                     "if TYPE_CHECKING:\n    from protected_actions.cli import main\n"
                     "def f():\n    from protected_actions.engine import evaluate\n")
    seen = [(_resolve("protected_actions.model.x", False, node), type_only)
            for node, type_only in _imports(tree)]
    assert seen == [(set(), False), ({"protected_actions.cli"}, True),
                    ({"protected_actions.engine"}, False)]
