"""Signing in through azure-identity: the scope asked for, the device code flow, and a
failed sign-in as one line (exit 2, no folder)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import pytest
from tests.cli import invoke

from protected_actions.cli import EXIT_USAGE
from protected_actions.export import credential_token

identity = pytest.importorskip("azure.identity", reason="sign-in needs the 'export' extra")


class FakeCredential:
    """Records the scopes asked for; fails when told to."""

    made: ClassVar[list[tuple[str, dict[str, Any]]]] = []

    def __init__(self, kind: str, fail: bool, **options: Any) -> None:
        self.fail = fail
        FakeCredential.made.append((kind, options))

    def get_token(self, *scopes: str) -> Any:
        if self.fail:
            raise identity.CredentialUnavailableError("no credential here\nsecond line")

        class Token:
            token = "tok:" + " ".join(scopes)

        return Token()


@pytest.fixture
def credentials(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, dict[str, Any]]]:
    FakeCredential.made = []
    monkeypatch.setattr(identity, "DefaultAzureCredential",
                        lambda **o: FakeCredential("default", False, **o))
    monkeypatch.setattr(identity, "DeviceCodeCredential",
                        lambda **o: FakeCredential("device", False, **o))
    return FakeCredential.made


def test_scope_is_graph_default(credentials: list[Any]) -> None:
    token = credential_token("https://graph.microsoft.us/")
    assert token() == "tok:https://graph.microsoft.us/.default"
    assert credentials == [("default", {})]


def test_device_code(credentials: list[Any]) -> None:
    credential_token("https://graph.microsoft.com", device_code=True, tenant_id="contoso")()
    assert credentials == [("device", {"tenant_id": "contoso"})]


def test_failed_sign_in_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(identity, "DefaultAzureCredential",
                        lambda **o: FakeCredential("default", True, **o))
    result = invoke("export", "--out", str(tmp_path / "t"))
    assert result.status == EXIT_USAGE
    assert result.err.splitlines() == [
        "protected-actions: error: cannot sign in to Microsoft Graph (no credential here): "
        "sign in with 'az login', set a service principal's AZURE_* variables, or pass "
        "--device-code or --token"]
    assert list(tmp_path.iterdir()) == []
