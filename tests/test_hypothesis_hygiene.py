"""Property tests run the same way however often they are called in one process.

Hypothesis fails a ``@given`` method called from two instances of its class in one
process (``HealthCheck.differing_executors``): pytest makes one instance per test,
so a plain run is fine, but a mutation-testing run or a rerun in the same process
calls each test again from a new instance. ``@given`` tests inside classes are
therefore static methods (no ``self``); this test keeps them so.
"""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).parent


def _decorator_names(function: ast.FunctionDef) -> set[str]:
    names = set()
    for decorator in function.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        if isinstance(target, ast.Name):
            names.add(target.id)
        elif isinstance(target, ast.Attribute):
            names.add(target.attr)
    return names


def given_methods_with_self(source: str) -> list[str]:
    """``Class.method`` for every ``@given`` method of a class in ``source`` that is
    not a static method."""
    found = []
    for cls in ast.walk(ast.parse(source)):
        if not isinstance(cls, ast.ClassDef):
            continue
        for item in cls.body:
            if isinstance(item, ast.FunctionDef) and "given" in _decorator_names(item) \
                    and "staticmethod" not in _decorator_names(item):
                found.append(f"{cls.name}.{item.name}")
    return found


def test_the_checker_finds_a_given_method_with_self() -> None:
    source = ("class TestX:\n    @given(st.integers())\n    def test_a(self, n): ...\n"
              "    @staticmethod\n    @given(st.integers())\n    def test_b(n): ...\n")
    assert given_methods_with_self(source) == ["TestX.test_a"]


def test_given_tests_in_classes_are_static_methods() -> None:
    offenders = {str(path.relative_to(TESTS)): found for path in sorted(TESTS.rglob("*.py"))
                 if (found := given_methods_with_self(path.read_text(encoding="utf-8")))}
    assert offenders == {}
