"""User documentation stands alone: it never points at files a user of the library does
not have (design notes, fact sheets, the development tree's shared folder)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted([*ROOT.joinpath("docs").rglob("*.md"), ROOT / "README.md"])
FORBIDDEN = re.compile(r"DESIGN|entra-facts|\.\./shared")


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_page_refers_to_no_file_the_user_lacks(page: Path) -> None:
    """No ``DESIGN``, ``entra-facts`` or ``../shared`` reference in the page."""
    hits = [f"{page.name}:{n}: {line.strip()}"
            for n, line in enumerate(page.read_text("utf-8").splitlines(), 1)
            if FORBIDDEN.search(line)]
    assert hits == []


def test_the_pages_are_found() -> None:
    """The check reads the real pages (the semantics page among them)."""
    assert ROOT / "docs" / "semantics.md" in PAGES
    assert len(PAGES) > 5


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_relative_links_resolve(page: Path) -> None:
    """Every relative Markdown link points at a file that exists."""
    text = page.read_text("utf-8")
    broken = [target for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text)
              if "://" not in target and not (page.parent / target).exists()]
    assert broken == []
