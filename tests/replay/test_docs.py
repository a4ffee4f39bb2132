"""``docs/replay.md`` runs as shown (console, JSON and Python blocks, on the shipped
sample logs), and its mapping tables are the reader's."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from tests.cli.test_docs import Shell, _run_console, _run_python, blocks

from protected_actions.replay import vocabulary

DOC = Path(__file__).resolve().parents[2] / "docs" / "replay.md"
SHOWN_ONLY = {"http", "powershell", "kusto", "console-not-run"}
"""Requests to Microsoft's services: shown, not run (no tenant here)."""
DASK = "python-dask"
"""A script run in a child process: Dask installs tblib's exception pickling in
whatever process computes, which other tests must not inherit."""


def test_documented_examples_run_as_shown(tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "100")
    shell = Shell(tmp_path)
    globs: dict[str, object] = {}
    kinds = set()
    for block in blocks(DOC):
        kinds.add(block.kind)
        if block.kind == "json":
            json.loads(block.body)
            if block.title is not None:
                (tmp_path / block.title).write_text(block.body, encoding="utf-8")
        elif block.kind == "python":
            _run_python(block, globs, DOC.name)
        elif block.kind == "console":
            _run_console(block, shell, DOC.name)
        elif block.kind == DASK:
            _run_script(block.body)
    assert kinds <= {"console", "json", "python", DASK} | SHOWN_ONLY
    assert DASK in kinds
    assert json.loads((tmp_path / "agreement.json").read_text())["signIns"] == 300


def _run_script(code: str) -> None:
    pytest.importorskip("dask")
    root = DOC.parents[1]
    env = {**os.environ, "PYTHONPATH": str(root / "src")}
    done = subprocess.run([sys.executable, "-c", code], env=env, timeout=600,
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "True"


def _table(heading: str) -> dict[str, set[str]]:
    """The first table under ``heading``: Graph value -> the names it stands for."""
    lines = DOC.read_text(encoding="utf-8").split(heading, 1)[1].splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("|"))
    rows: dict[str, set[str]] = {}
    for line in lines[start + 2:]:
        match = re.fullmatch(r"\| `([^`]+)` \| ([^|]+) \|", line)
        if match is None:
            break
        rows[match[1]] = {n.strip().casefold() for n in match[2].split(";")}
    return rows


@pytest.mark.parametrize(("heading", "table"), [
    ("### Authentication methods", vocabulary.METHODS),
    ("### Client apps", vocabulary.CLIENT_APPS),
    ("### Device trust types", vocabulary.TRUST_TYPES),
])
def test_the_documented_tables_are_the_readers(heading: str,
                                               table: dict[str, str]) -> None:
    documented = {value: names | {value.casefold()} for value, names in _table(heading).items()}
    expected: dict[str, set[str]] = {}
    for name, value in table.items():
        expected.setdefault(value, set()).add(name)
    assert documented == expected
