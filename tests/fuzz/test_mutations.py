"""The fuzz property's mutation operators: each damages exactly the place it is
given, leaves its input alone, and declines where it does not apply."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from tests.fuzz.mutations import (
    MUTATIONS,
    change_type,
    drop_key,
    garble_value,
    homoglyph,
    misspell_key,
    mutated_path,
    nul,
    pad_value,
    paths,
    render,
    unknown_value,
)

DOC: dict[str, Any] = {"policies": [{"id": "p1", "state": "enabled",
                                     "grantControls": {"builtInControls": ["mfa"]}}],
                       "count": 3}


def test_render_writes_paths_like_load_errors() -> None:
    assert render(("policies", 0, "state")) == "$.policies[0].state"
    assert render(()) == "$"


def test_paths_visits_every_value_depth_first() -> None:
    assert list(paths({"a": [1, {"b": 2}]})) == [("a",), ("a", 0), ("a", 1), ("a", 1, "b")]


@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_operators_never_change_their_input(name: str) -> None:
    before = copy.deepcopy(DOC)
    for path in paths(DOC):
        MUTATIONS[name](DOC, path)
    assert before == DOC


def test_drop_key() -> None:
    assert drop_key(DOC, ("count",)) == {"policies": DOC["policies"]}
    assert drop_key(DOC, ("policies", 0)) is None


def test_misspell_key_keeps_value_and_order() -> None:
    out = misspell_key(DOC, ("policies", 0, "state"))
    assert list(out["policies"][0]) == ["id", "stat", "grantControls"]
    assert out["policies"][0]["stat"] == "enabled"
    assert mutated_path("misspell_key", ("policies", 0, "state")) == ("policies", 0, "stat")
    assert misspell_key(DOC, ("policies", 0)) is None
    assert misspell_key({"ab": 1, "a": 2}, ("ab",)) is None  # the near miss exists


@pytest.mark.parametrize(("value", "other"), [
    ("x", 7), (3, "7"), (True, "true"), ([1], {}), ({"a": 1}, []), (None, {"zz": 1}),
    (1.5, "1.5")])
def test_change_type(value: object, other: object) -> None:
    assert change_type({"k": value}, ("k",)) == {"k": other}


def test_string_operators() -> None:
    doc = {"v": "enabled"}
    assert pad_value(doc, ("v",)) == {"v": "enabled "}
    assert garble_value(doc, ("v",)) == {"v": "enbaled"}
    assert unknown_value(doc, ("v",)) == {"v": "zzUnknownValue"}
    assert homoglyph(doc, ("v",)) == {"v": "\u0435nabled"}  # Cyrillic e
    assert nul(doc, ("v",)) == {"v": "enabled\x00"}
    assert garble_value({"v": "a"}, ("v",)) == {"v": "aa"}


@pytest.mark.parametrize("operator", [pad_value, garble_value, unknown_value, homoglyph, nul])
def test_string_operators_decline_other_values(operator: Any) -> None:
    assert operator({"n": 3, "l": []}, ("n",)) is None
    assert operator({"n": 3, "l": []}, ("l",)) is None


def test_homoglyph_uses_letters_that_unicode_case_folding_makes_ascii() -> None:
    assert homoglyph({"v": "sms"}, ("v",)) == {"v": "\u017fms"}  # long s folds to s
    assert homoglyph({"v": "K1"}, ("v",)) == {"v": "\u212a1"}  # Kelvin sign folds to k


def test_homoglyph_declines_without_a_lookalike_letter() -> None:
    assert homoglyph({"v": "123"}, ("v",)) is None
    assert garble_value({"v": ""}, ("v",)) is None
    assert garble_value({"v": "aa"}, ("v",)) is None
