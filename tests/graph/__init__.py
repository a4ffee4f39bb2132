"""Helpers for the Graph JSON tests: the real-data corpus and the lossless check."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

__all__ = [
    "CORPUS",
    "assert_lossless",
    "camel",
    "corpus_files",
    "lossless_differences",
    "require_corpus",
]

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"
"""The real-data corpus, next to the repository (``../shared/corpus``)."""


def require_corpus() -> Path:
    """The corpus folder, or skip the test with the reason."""
    if not (CORPUS / "SOURCES.md").is_file():
        pytest.skip(f"the real-data corpus is not available at {CORPUS}")
    return CORPUS


def corpus_files(kind: str) -> list[Path]:
    """Every data file of one corpus kind (``conditional-access``...), sorted."""
    root = require_corpus() / kind
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.name.startswith("LICENSE"))


def camel(key: str) -> str:
    """``GrantControls`` -> ``grantControls`` (other keys unchanged)."""
    return key[:1].lower() + key[1:] if key[:1].isupper() else key


def _is_page(value: Any) -> bool:
    return isinstance(value, Mapping) and isinstance(value.get("value"), list) and all(
        k == "value" or k.startswith("@") for k in value)


def _same_scalar(a: Any, b: Any) -> bool:
    return type(a) is type(b) and bool(a == b)


def lossless_differences(original: Any, dumped: Any, path: str = "$") -> Iterator[str]:
    """Every input property that the dumped JSON lacks or changed (keys compared after
    camelCasing PascalCase; a Graph page compares as its list, its annotations as the
    key's siblings)."""
    if isinstance(original, Mapping):
        yield from _object_differences(original, dumped, path)
    elif isinstance(original, list):
        if not isinstance(dumped, list) or len(dumped) != len(original):
            yield f"{path}: {original!r:.60} became {dumped!r:.60}"
            return
        for index, (a, b) in enumerate(zip(original, dumped, strict=True)):
            yield from lossless_differences(a, b, f"{path}[{index}]")
    elif not _same_scalar(original, dumped):
        yield f"{path}: {original!r:.60} became {dumped!r:.60}"


def _object_differences(original: Mapping[str, Any], dumped: Any,
                        path: str) -> Iterator[str]:
    if not isinstance(dumped, Mapping):
        yield f"{path}: an object became {dumped!r:.60}"
        return
    for key, value in original.items():
        name = key if key in dumped else camel(key)
        if name not in dumped:
            yield f"{path}.{key}: missing"
        elif _is_page(value) and isinstance(dumped[name], list):
            yield from lossless_differences(value["value"], dumped[name], f"{path}.{key}")
            yield from _page_annotations(value, dumped, name, f"{path}.{key}")
        else:
            yield from lossless_differences(value, dumped[name], f"{path}.{key}")


def _page_annotations(page: Mapping[str, Any], parent: Mapping[str, Any], name: str,
                      path: str) -> Iterator[str]:
    for annotation, value in page.items():
        if annotation != "value" and not _same_scalar(value, parent.get(name + annotation)):
            yield f"{path}{annotation}: page annotation not kept as a sibling"


def assert_lossless(original: Any, dumped: Any) -> None:
    """Every property of ``original`` (recursively) is in ``dumped`` with the same value."""
    differences = list(lossless_differences(original, dumped))
    assert not differences, "\n".join(differences[:20])
