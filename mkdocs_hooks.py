"""MkDocs hooks for the documentation site.

After the build, every name in ``protected_actions.__all__`` must have an entry
(an anchor) on the API reference's front page, else the build fails.

The guides are doctests (pytest runs ``docs/*.md`` with ``--doctest-glob``), and some
keep their ``>>>`` examples outside code fences. Rendered as Markdown, such lines
would be paragraphs, and a list in an expected output (``['PA101']``) would read as
a reference link. This hook fences every unfenced run of doctest lines as ``pycon``
before the page is rendered; the files themselves are left as they are.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

_FENCE = re.compile(r"^\s*(```|~~~)")


def fence_doctests(markdown: str) -> str:
    """``markdown`` with every unfenced doctest (a ``>>>`` line through the next blank
    line) inside a ``pycon`` code fence."""
    out: list[str] = []
    fenced = in_doctest = False
    for line in markdown.split("\n"):
        if in_doctest and not line.strip():
            out.append("```")
            in_doctest = False
        elif not fenced and not in_doctest and line.startswith(">>>"):
            out.append("```pycon")
            in_doctest = True
        elif not in_doctest and _FENCE.match(line):
            fenced = not fenced
        out.append(line)
    if in_doctest:
        out.append("```")
    return "\n".join(out)


def on_page_markdown(markdown: str, **kwargs: Any) -> str:
    """MkDocs hook: fence the page's doctests."""
    return fence_doctests(markdown)


_PACKAGE_INIT = Path(__file__).parent / "src" / "protected_actions" / "__init__.py"
_REFERENCE_PAGE = Path("reference") / "index.html"
_ANCHOR = re.compile(r'id="(protected_actions\.[A-Za-z0-9_.]+)"')


def public_names(init: Path = _PACKAGE_INIT) -> list[str]:
    """The names of ``protected_actions.__all__``, read without importing it."""
    for node in ast.parse(init.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and isinstance(node.value, (ast.List, ast.Tuple)) \
                and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets):
            return [str(ast.literal_eval(e)) for e in node.value.elts]
    raise ValueError(f"{init} has no __all__")


def missing_from_reference(html: str, names: list[str]) -> list[str]:
    """The names with no anchor ``protected_actions.NAME`` (or ``....NAME``)."""
    anchors = set(_ANCHOR.findall(html))
    ends = {a.rsplit(".", 1)[-1] for a in anchors}
    return [n for n in names if f"protected_actions.{n}" not in anchors and n not in ends]


def on_post_build(config: Any, **kwargs: Any) -> None:
    """MkDocs hook: fail the build when a public name has no reference entry."""
    from mkdocs.exceptions import PluginError

    page = Path(config["site_dir"]) / _REFERENCE_PAGE
    missing = missing_from_reference(page.read_text(encoding="utf-8"), public_names())
    if missing:
        raise PluginError("the API reference has no entry for protected_actions."
                          + ", protected_actions.".join(missing))
