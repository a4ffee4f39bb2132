"""How an object shows itself in a notebook, without the model knowing HTML.

Models and results define ``_repr_html_`` by asking this registry; the notebook
package (:mod:`protected_actions.notebook`) registers the renderers when the library
is imported. So the HTML lives in one place above the engine, and nothing below it
imports rendering code. A type with no renderer shows as its ``repr`` (IPython
ignores a ``_repr_html_`` that returns ``None``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["html_for", "register_html"]

T = TypeVar("T")

_RENDERERS: dict[type, Callable[[Any], str]] = {}


def register_html(kind: type[T], render: Callable[[T], str]) -> None:
    """Show every ``kind`` object (not its subclasses) in a notebook as ``render(obj)``."""
    _RENDERERS[kind] = render


def html_for(obj: object) -> str | None:
    """The registered HTML of ``obj``, or ``None`` when its type has no renderer."""
    render = _RENDERERS.get(type(obj))
    return None if render is None else render(obj)
