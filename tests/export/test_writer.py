"""The bundle folder appears whole or not at all."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from protected_actions.export import ExportError, write_bundle


def test_writes_one_file_per_key(tmp_path: Path) -> None:
    out = write_bundle({"users": [{"id": "u1", "displayName": "Zoë"}], "groups": []},
                       tmp_path / "b")
    assert sorted(p.name for p in out.iterdir()) == ["groups.json", "users.json"]
    assert json.loads((out / "users.json").read_text(encoding="utf-8")) == [
        {"id": "u1", "displayName": "Zoë"}]


def test_failure_mid_write_leaves_nothing(tmp_path: Path) -> None:
    class Unserialisable:
        pass

    bundle: dict[str, Any] = {"users": [], "groups": [Unserialisable()]}
    with pytest.raises(TypeError):
        write_bundle(bundle, tmp_path / "b")
    assert list(tmp_path.iterdir()) == []


def test_failed_overwrite_keeps_the_old_folder(tmp_path: Path) -> None:
    out = tmp_path / "b"
    write_bundle({"users": [{"id": "old"}]}, out)
    with pytest.raises(TypeError):
        write_bundle({"users": [object()]}, out, overwrite=True)
    assert json.loads((out / "users.json").read_text()) == [{"id": "old"}]
    assert [p.name for p in tmp_path.iterdir()] == ["b"]


def test_a_file_in_the_way(tmp_path: Path) -> None:
    (tmp_path / "b").write_text("x")
    with pytest.raises(ExportError, match="not a folder"):
        write_bundle({}, tmp_path / "b", overwrite=True)


def test_interrupted_swap_restores_the_old_folder(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C between moving the old folder away and moving the new one in."""
    out = tmp_path / "b"
    write_bundle({"users": [{"id": "old"}]}, out)
    real_rename = Path.rename

    def interrupted(self: Path, target: Any) -> Any:
        if self.name.endswith(".partial"):
            raise KeyboardInterrupt
        return real_rename(self, target)

    monkeypatch.setattr(Path, "rename", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_bundle({"users": [{"id": "new"}]}, out, overwrite=True)
    monkeypatch.undo()
    assert json.loads((out / "users.json").read_text()) == [{"id": "old"}]
    assert [p.name for p in tmp_path.iterdir()] == ["b"]
