"""Every code block of ``docs/app-integration.md`` runs: ``>>>`` blocks are doctests,
and every other Python block is a verbatim excerpt of an example file, which the
example tests run."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "app-integration.md"
BLOCK = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)
EXAMPLES = "\n".join(p.read_text(encoding="utf-8")
                     for p in sorted((ROOT / "examples").glob("*.py")))
EXCERPTS = [b for b in BLOCK.findall(PAGE.read_text(encoding="utf-8")) if ">>>" not in b]


def test_the_page_has_excerpts() -> None:
    assert len(EXCERPTS) >= 4


@pytest.mark.parametrize("excerpt", EXCERPTS, ids=lambda e: e.strip().splitlines()[0][:40])
def test_excerpt_is_in_an_example(excerpt: str) -> None:
    assert excerpt in EXAMPLES
