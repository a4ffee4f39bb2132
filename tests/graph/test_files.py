"""Reading files as exports write them: encodings and BOMs, bundle files and folders."""

from __future__ import annotations

import codecs
import json
from pathlib import Path
from typing import Any

import pytest

from protected_actions import CountryNamedLocation
from protected_actions.errors import LoadError
from protected_actions.graph import dump_tenant, load_policies, load_policy, load_tenant

POLICY = {"id": "p1", "displayName": "Zürich: MFA ✓", "state": "enabled",
          "conditions": {"users": {"includeUsers": ["All"]}}}


def write(path: Path, document: Any, encoding: str, bom: bytes = b"") -> Path:
    """Write ``document`` as JSON text in ``encoding``, after ``bom``."""
    path.write_bytes(bom + json.dumps(document, ensure_ascii=False, indent=2).encode(encoding))
    return path


class TestEncodings:
    @pytest.mark.parametrize(("encoding", "bom"), [
        ("utf-8", b""),
        ("utf-8", codecs.BOM_UTF8),
        ("utf-16-le", codecs.BOM_UTF16_LE),
        ("utf-16-be", codecs.BOM_UTF16_BE),
        ("utf-16-le", b""),
        ("utf-32-le", codecs.BOM_UTF32_LE),
    ], ids=["utf-8", "utf-8-bom", "utf-16-le-bom", "utf-16-be-bom", "utf-16-le", "utf-32-le"])
    def test_policy_file_in_any_unicode_encoding(self, tmp_path: Path, encoding: str,
                                                 bom: bytes) -> None:
        """UTF-8 (with or without BOM), UTF-16 and UTF-32 files read the same."""
        path = write(tmp_path / "policy.json", POLICY, encoding, bom)
        assert load_policy(path).display_name == "Zürich: MFA ✓"

    def test_string_and_path_objects_both_name_files(self, tmp_path: Path) -> None:
        """A path may be given as ``str`` or ``pathlib.Path``."""
        path = write(tmp_path / "policies.json", [POLICY], "utf-8")
        assert load_policies(str(path)) == load_policies(path)


class TestBundles:
    def test_bundle_file(self, tmp_path: Path) -> None:
        """A bundle file is one JSON object with the bundle keys."""
        path = write(tmp_path / "tenant.json", {"conditionalAccessPolicies": [POLICY],
                                                "emergencyAccessAccounts": ["bg1"]}, "utf-8")
        tenant = load_tenant(path)
        assert [p.id for p in tenant.policies] == ["p1"]
        assert tenant.emergency_access_accounts == ("bg1",)

    def test_bundle_folder_with_one_file_per_key(self, tmp_path: Path) -> None:
        """A folder holds ``KEY.json`` files, each a list or a Graph page, in any
        encoding; other JSON files are classified by content (a bundle file's
        unknown keys are kept)."""
        page = {"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#policies",
                "value": [POLICY]}
        write(tmp_path / "conditionalAccessPolicies.json", page, "utf-16-le",
              codecs.BOM_UTF16_LE)
        write(tmp_path / "namedLocations.json", [
            {"@odata.type": "#microsoft.graph.countryNamedLocation", "id": "nl",
             "displayName": "NL", "countriesAndRegions": ["NL"]}], "utf-8", codecs.BOM_UTF8)
        write(tmp_path / "notes.json", {"users": [], "owner": "secops"}, "utf-8")
        (tmp_path / "README.txt").write_text("not JSON, not read", encoding="utf-8")
        tenant = load_tenant(tmp_path)
        assert [p.id for p in tenant.policies] == ["p1"]
        assert isinstance(tenant.named_locations[0], CountryNamedLocation)
        assert tenant.unmodelled["owner"] == "secops"
        dumped = dump_tenant(tenant)
        assert dumped["conditionalAccessPolicies@odata.context"] == page["@odata.context"]
        assert load_tenant(dumped) == tenant

    def test_empty_folder_is_an_error_unless_allowed(self, tmp_path: Path) -> None:
        """A folder without policies is an error (never a silently empty tenant);
        ``allow_empty=True`` asks for a tenant with nothing of its own."""
        with pytest.raises(LoadError, match="no Conditional Access policy found"):
            load_tenant(tmp_path)
        tenant = load_tenant(tmp_path, allow_empty=True)
        assert tenant.policies == ()
        assert tenant.users == ()

    def test_dump_written_to_a_file_loads_again(self, tmp_path: Path) -> None:
        """A dumped bundle is plain JSON that loads back to the same tenant."""
        tenant = load_tenant({"conditionalAccessPolicies": [POLICY]})
        path = tmp_path / "tenant.json"
        path.write_text(json.dumps(dump_tenant(tenant)), encoding="utf-8")
        assert load_tenant(path) == tenant
