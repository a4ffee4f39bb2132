"""Write a bundle folder atomically: every ``KEY.json`` goes into a temporary folder
beside the target, which is renamed into place only when all are written. An
interrupted or failed write leaves no folder behind."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ._errors import ExportError

__all__ = ["write_bundle"]


def __dir__() -> list[str]:
    return __all__


def write_bundle(bundle: Mapping[str, Any], out: str | os.PathLike[str], *,
                 overwrite: bool = False) -> Path:
    """Write ``bundle`` as the folder ``out`` (one ``KEY.json`` per key, UTF-8,
    indented, keys in the bundle's order).

    :param overwrite: replace an existing folder ``out`` (it is removed only after the
        new one is complete); without it an existing ``out`` is an error.
    :raises ExportError: ``out`` exists (without ``overwrite``) or cannot be written.
    :returns: the folder written.
    """
    target = Path(out)
    if target.exists() and not target.is_dir():
        raise ExportError(f"{target} exists and is not a folder")
    if target.exists() and not overwrite:
        raise ExportError(f"{target} already exists: choose a new folder or pass --overwrite")
    parent = target.resolve().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".partial",
                                        dir=parent))
    except OSError as exc:
        raise ExportError(f"cannot write {target}: {exc.strerror or exc}") from None
    old: Path | None = None
    try:
        for key, value in bundle.items():
            text = json.dumps(value, indent=2, ensure_ascii=False) + "\n"
            (staging / f"{key}.json").write_text(text, encoding="utf-8")
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".old", dir=parent))
            old.rmdir()
            target.rename(old)
        staging.rename(target)
    except OSError as exc:
        raise ExportError(f"cannot write {target}: {exc.strerror or exc}") from None
    finally:  # also on an interrupt: the old folder comes back unless the new one is in place
        if old is not None:
            if target.exists():
                shutil.rmtree(old, ignore_errors=True)
            else:
                old.rename(target)
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return target
