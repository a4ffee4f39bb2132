"""Command-line polish: a misspelt option is named with a suggestion, abbreviations
are refused, and an empty matrix says why."""

from __future__ import annotations

import io
import json
from pathlib import Path

from tests.cli import invoke

from protected_actions.cli import main
from protected_actions.cli.common import EXIT_OK, EXIT_USAGE


def _main_err(*argv: str, capsys: object) -> tuple[int, str]:
    status = main(list(argv))
    return status, capsys.readouterr().err  # type: ignore[attr-defined]


def test_misspelt_option_is_named_with_a_suggestion(capsys: object) -> None:
    status, err = _main_err("lint", "--tenent", "policies", capsys=capsys)
    assert status == EXIT_USAGE
    assert "unrecognized arguments: --tenent policies" in err
    assert "did you mean --tenant?" in err


def test_abbreviations_are_not_options(capsys: object) -> None:
    """``--ten`` is not silently ``--tenant``."""
    status, err = _main_err("lint", "--ten", "sample", capsys=capsys)
    assert status == EXIT_USAGE
    assert "unrecognized arguments: --ten sample" in err


def test_empty_matrix_explains_itself(tmp_path: Path) -> None:
    (tmp_path / "p.json").write_text(json.dumps({
        "displayName": "x", "state": "enabled",
        "conditions": {"users": {"includeUsers": ["All"]},
                       "applications": {"includeApplications": ["All"]}},
        "grantControls": {"operator": "OR", "builtInControls": ["mfa"]}}), encoding="utf-8")
    err = io.StringIO()
    result = invoke("matrix", "--tenant", str(tmp_path), stderr=err)
    assert result.status == EXIT_OK
    assert "no protected actions to show" in result.err + err.getvalue()
