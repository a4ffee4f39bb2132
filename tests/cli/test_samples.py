"""The embedded sample tenant and its example sessions."""

from __future__ import annotations

from pathlib import Path

import pytest

from protected_actions.errors import LoadError
from protected_actions.graph import load_session, load_tenant
from protected_actions.samples import (
    sample_session,
    sample_session_names,
    sample_tenant,
    sample_tenant_file,
)

SESSIONS = Path(__file__).resolve().parents[2] / "src" / "protected_actions" / "samples" \
    / "sessions"


def test_sample_tenant_is_the_bundle_file() -> None:
    """``sample_tenant()`` is the bundle ``sample_tenant_file()`` names."""
    assert sample_tenant() == load_tenant(Path(str(sample_tenant_file())))


def test_session_names_are_the_files() -> None:
    """Every ``sessions/*.json`` file is an example session, by its stem."""
    assert sample_session_names() == tuple(sorted(p.stem for p in SESSIONS.glob("*.json")))
    assert "alice-password-push" in sample_session_names()


@pytest.mark.parametrize("name", sorted(p.stem for p in SESSIONS.glob("*.json")))
def test_each_session_loads_for_a_known_user(name: str) -> None:
    """Each example session is valid session JSON for a user of the sample tenant."""
    session = sample_session(name)
    assert session == load_session(SESSIONS / f"{name}.json")
    assert session.user.id in {u.id for u in sample_tenant().users}


def test_unknown_session_name() -> None:
    """An unknown name is a LoadError listing the known ones."""
    with pytest.raises(LoadError, match=r"no example session named 'nobody' \(known: alice"):
        sample_session("nobody")


def test_path_like_names_are_refused() -> None:
    """Only the listed names are read, never a path."""
    with pytest.raises(LoadError):
        sample_session("../tenant")
