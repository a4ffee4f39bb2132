"""The documentation site's hooks (``mkdocs_hooks.py``): unfenced doctests become
``pycon`` code blocks, and a public name missing from the API reference fails the
build. ``mkdocs build --strict`` itself runs in CI (the ``docs`` extra)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import protected_actions as pa

ROOT = Path(__file__).resolve().parents[1]


def hooks() -> ModuleType:
    spec = importlib.util.spec_from_file_location("mkdocs_hooks", ROOT / "mkdocs_hooks.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_unfenced_doctests_are_fenced() -> None:
    page = "Text.\n\n>>> [1]\n[1]\n\nMore.\n\n```python\n>>> x = 1\n```\n>>> 2\n2"
    assert hooks().fence_doctests(page) == (
        "Text.\n\n```pycon\n>>> [1]\n[1]\n```\n\nMore.\n\n```python\n>>> x = 1\n```\n"
        "```pycon\n>>> 2\n2\n```")


def test_public_names_are_read_from_the_package() -> None:
    assert hooks().public_names() == list(pa.__all__)


def test_missing_names_are_found() -> None:
    html = '<h2 id="protected_actions.evaluate"></h2><h3 id="protected_actions.x.lint"></h3>'
    assert hooks().missing_from_reference(html, ["evaluate", "lint", "Tenant"]) == ["Tenant"]


def test_every_public_module_has_a_reference_page() -> None:
    pages = (ROOT / "docs" / "reference").glob("*.md")
    documented = "\n".join(p.read_text(encoding="utf-8") for p in pages)
    packages = [p.name for p in (ROOT / "src" / "protected_actions").iterdir()
                if p.is_dir() and (p / "__init__.py").exists() and not p.name.startswith("_")]
    assert packages
    for package in packages:
        assert f"::: protected_actions.{package}\n" in documented, package
