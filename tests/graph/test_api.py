"""The public face of ``protected_actions.graph``: what it exports, and nothing else."""

from __future__ import annotations

import protected_actions.graph as graph

EXPECTED = {
    "GraphJSON",
    "WhatIfRequest",
    "configure_converter",
    "dump_policy",
    "dump_session",
    "dump_template",
    "dump_tenant",
    "load_policies",
    "load_policy",
    "load_session",
    "load_tenant",
    "load_what_if",
    "make_converter",
}


def test_all_lists_exactly_the_public_names() -> None:
    """``__all__`` is the deliberate, sorted list of public names."""
    assert set(graph.__all__) == EXPECTED
    assert graph.__all__ == sorted(graph.__all__)


def test_dir_shows_only_the_public_names() -> None:
    """``dir()`` hides the imported helpers."""
    assert dir(graph) == graph.__all__


def test_every_public_name_is_documented() -> None:
    """Every public function has a docstring."""
    for name in EXPECTED - {"GraphJSON"}:
        assert getattr(graph, name).__doc__, name
