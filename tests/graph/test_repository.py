"""Repositories as they are: folder trees of JSON files of any names, classified by
content, every object remembering its file and line."""

from __future__ import annotations

import codecs
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from tests.graph import CORPUS, require_corpus

from protected_actions.errors import LoadError
from protected_actions.graph import load_tenant
from protected_actions.graph._io import read_json
from protected_actions.graph.repository import Source, load_repository, source_of

POLICY = {"id": "p1", "displayName": "MFA", "state": "enabled",
          "conditions": {"users": {"includeUsers": ["All"]},
                         "applications": {"includeApplications": ["All"]}},
          "grantControls": {"operator": "OR", "builtInControls": ["mfa"]}}
FIXTURE_SOURCES = {"jsa2__caOptics", "deploymenttheory__terraform-provider-microsoft365"}
"""Sources that hold several tenants' worth of test fixtures: the same ids recur."""


def write(path: Path, document: Any, *, encoding: str = "utf-8", bom: bytes = b"") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(bom + json.dumps(document, indent=2).encode(encoding))
    return path


def _policy(**changes: Any) -> dict[str, Any]:
    return {**POLICY, **changes}


def _count(document: Any) -> int:
    """Policies in a file, counted independently of the loader."""
    if isinstance(document, Mapping) and isinstance(document.get("value"), list):
        return len(document["value"])
    return len(document) if isinstance(document, list) else 1


def _sources() -> list[str]:
    folder = CORPUS / "conditional-access"
    return sorted(p.name for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []


class TestCorpus:
    @pytest.mark.parametrize("name", sorted(set(_sources()) - FIXTURE_SOURCES) or ["-"])
    def test_every_policy_of_the_folder_loads(self, name: str) -> None:
        """The source's folder, as it is on disk, loads every policy in its files."""
        folder = require_corpus() / "conditional-access" / name
        files = sorted(folder.rglob("*.json"))
        expected = sum(_count(read_json(path)) for path in files)
        tenant = load_tenant(folder)
        assert len(tenant.policies) == expected
        assert expected > 0
        for policy in tenant.policies:
            source = source_of(tenant, policy.id)
            assert source is not None and Path(source.file).is_file(), policy.id

    @pytest.mark.parametrize("name", sorted(FIXTURE_SOURCES))
    def test_fixture_collections_fail_with_duplicate_ids_naming_two_files(
            self, name: str) -> None:
        """Several tenants' worth of fixtures in one folder reuse ids: a duplicate-id
        error names both files, never a silently merged tenant."""
        folder = require_corpus() / "conditional-access" / name
        with pytest.raises(LoadError) as info:
            load_tenant(folder)
        problems = info.value.problems
        assert problems and all("duplicate policy id" in p.message for p in problems)
        first = problems[0]
        other = first.message.split("also defined in ")[1].split(":")[0]
        assert Path(str(first.source)).is_file() and Path(other).is_file()
        assert first.source != other


class TestClassification:
    def test_one_policy_per_file_in_nested_folders(self, tmp_path: Path) -> None:
        """The usual git layout: one policy per file, in sub-folders, any names."""
        write(tmp_path / "admins" / "CA001 block.json", _policy(id="a"))
        write(tmp_path / "users" / "ca-100.json", _policy(id="b"), encoding="utf-16",
              bom=b"")
        write(tmp_path / "users" / "ca-101.json", _policy(id="c"), encoding="utf-8",
              bom=codecs.BOM_UTF8)
        tenant = load_tenant(tmp_path)
        assert sorted(p.id for p in tenant.policies) == ["a", "b", "c"]

    def test_arrays_pages_templates_and_other_objects(self, tmp_path: Path) -> None:
        """Arrays, Graph pages, template lists, named locations, strengths, contexts,
        users and groups are told apart by content."""
        write(tmp_path / "all.json", [_policy(id="a"), _policy(id="b")])
        write(tmp_path / "page.json", {"@odata.context": "x", "value": [_policy(id="c")]})
        write(tmp_path / "templates.json", {"value": [{
            "id": "t1", "name": "Require MFA", "scenarios": "secureFoundation",
            "details": {"conditions": {"users": {"includeUsers": ["All"]}},
                        "grantControls": {"operator": "OR", "builtInControls": ["mfa"]}}}]})
        write(tmp_path / "locations" / "office.json", {
            "@odata.type": "#microsoft.graph.ipNamedLocation", "id": "loc1",
            "displayName": "Office", "isTrusted": True,
            "ipRanges": [{"@odata.type": "#microsoft.graph.iPv4CidrRange",
                          "cidrAddress": "203.0.113.0/24"}]})
        write(tmp_path / "ctx.json", [{"id": "c1", "displayName": "Admin",
                                       "isAvailable": True}])
        write(tmp_path / "dir" / "people.json", [{"id": "u1", "userType": "Member"}])
        write(tmp_path / "dir" / "teams.json", [{"id": "g1", "isAssignableToRole": True}])
        tenant = load_tenant(tmp_path)
        assert sorted(p.id for p in tenant.policies) == ["a", "b", "c", "t1"]
        assert [n.id for n in tenant.named_locations] == ["loc1"]
        assert [c.id for c in tenant.auth_contexts] == ["c1"]
        assert [u.id for u in tenant.users] == ["u1"]
        assert [g.id for g in tenant.groups] == ["g1"]

    def test_policy_without_id_gets_one_from_its_file(self, tmp_path: Path) -> None:
        """Hand-written policies have no id: the file's relative path (and the index
        in an array) names them, stably."""
        body = {k: v for k, v in POLICY.items() if k != "id"}
        write(tmp_path / "ring1" / "mfa.json", body)
        write(tmp_path / "many.json", [body, body])
        tenant = load_tenant(tmp_path)
        assert sorted(p.id for p in tenant.policies) == [
            "many.json[0]", "many.json[1]", "ring1/mfa.json"]
        assert load_tenant(tmp_path) == tenant

    def test_sources_give_file_and_line(self, tmp_path: Path) -> None:
        """Each policy remembers its file and the line its object starts on."""
        path = write(tmp_path / "all.json", [_policy(id="a"), _policy(id="b")])
        tenant = load_tenant(tmp_path)
        first, second = source_of(tenant, "a"), source_of(tenant, "b")
        lines = path.read_text().splitlines()
        assert first == Source(str(path), 2, "$[0]")
        assert second is not None and lines[second.line - 1].strip() == "{"
        assert second.line > first.line and second.pointer == "$[1]"

    def test_sources_take_no_part_in_equality(self, tmp_path: Path) -> None:
        """Two tenants read from different files are equal when their content is."""
        write(tmp_path / "one" / "a.json", _policy())
        write(tmp_path / "two" / "b" / "c.json", _policy())
        assert load_tenant(tmp_path / "one") == load_tenant(tmp_path / "two")

    def test_several_paths_combine(self, tmp_path: Path) -> None:
        """Policies from the repository, named locations and users from an export."""
        write(tmp_path / "repo" / "p.json", _policy())
        write(tmp_path / "export" / "users.json", [{"id": "u1"}])
        tenant = load_tenant([tmp_path / "repo", tmp_path / "export"])
        assert [u.id for u in tenant.users] == ["u1"]
        assert load_repository([tmp_path / "repo"]).policies == tenant.policies

    def test_scenario_and_hidden_files_are_not_tenant_data(self, tmp_path: Path) -> None:
        write(tmp_path / "p.json", _policy())
        write(tmp_path / "mfa.scenarios.json", [{"name": "x"}])
        write(tmp_path / ".vscode" / "settings.json", {"editor": 1})
        assert len(load_tenant(tmp_path).policies) == 1

    def test_single_policy_file_and_page_file(self, tmp_path: Path) -> None:
        """``--tenant ca001.json`` and a Graph page file read as their policies."""
        one = write(tmp_path / "ca001.json", _policy())
        page = write(tmp_path / "page.json", {"value": [_policy(id="x")]})
        assert [p.id for p in load_tenant(one).policies] == ["p1"]
        assert [p.id for p in load_tenant(page).policies] == ["x"]


class TestErrors:
    def _problems(self, source: Any, **options: Any) -> list[str]:
        with pytest.raises(LoadError) as info:
            load_tenant(source, **options)
        return [str(p) for p in info.value.problems]

    def test_file_not_understood_names_the_file(self, tmp_path: Path) -> None:
        write(tmp_path / "p.json", _policy())
        bad = write(tmp_path / "package.json", {"name": "x", "version": "1"})
        (problem,) = self._problems(tmp_path)
        assert problem.startswith(f"{bad}:1: $: not understood")

    def test_misspelt_top_level_key_names_the_file(self, tmp_path: Path) -> None:
        """A typo in a policy's top-level key fails with the file and a suggestion."""
        bad = write(tmp_path / "p.json", _policy(grantControl=POLICY["grantControls"]))
        (problem,) = self._problems(tmp_path)
        assert problem.startswith(f"{bad}:1: $.grantControl: unknown property")
        assert "did you mean 'grantControls'" in problem

    def test_misspelt_key_alone_is_not_a_policy(self, tmp_path: Path) -> None:
        """Without any known policy key, the file is not understood (never dropped)."""
        bad = write(tmp_path / "p.json", {"displayName": "x", "conditons": {}})
        write(tmp_path / "q.json", _policy())
        (problem,) = self._problems(tmp_path)
        assert problem.startswith(f"{bad}:1: $: not understood")

    def test_duplicate_id_names_both_files(self, tmp_path: Path) -> None:
        first = write(tmp_path / "a.json", _policy())
        second = write(tmp_path / "sub" / "b.json", [_policy(displayName="copy")])
        (problem,) = self._problems(tmp_path)
        assert problem.startswith(f"{second}:2: $[0]: duplicate policy id 'p1'")
        assert f"also defined in {first}:1" in problem

    def test_invalid_value_names_file_line_and_path(self, tmp_path: Path) -> None:
        bad = write(tmp_path / "x" / "all.json", [_policy(id="a"), _policy(id="b",
                                                                           state=5)])
        (problem,) = self._problems(tmp_path)
        assert problem.startswith(f"{bad}:")
        assert "$[1].state" in problem

    def test_no_policy_is_an_error_unless_allowed(self, tmp_path: Path) -> None:
        write(tmp_path / "users.json", [{"id": "u1"}])
        (problem,) = self._problems(tmp_path)
        assert "no Conditional Access policy found (1 JSON file(s) read)" in problem
        assert load_tenant(tmp_path, allow_empty=True).users[0].id == "u1"

    def test_every_problem_reported_at_once(self, tmp_path: Path) -> None:
        write(tmp_path / "a.json", {"foo": 1})
        write(tmp_path / "b.json", [1])
        (tmp_path / "c.json").write_text("{", encoding="utf-8")
        assert len(self._problems(tmp_path)) == 3


class TestAdversarial:
    """Shapes a hand-edited repository may hold: each is read, or refused with the
    file named; none is silently dropped."""

    def test_pascal_case_policy_is_a_policy(self, tmp_path: Path) -> None:
        """One real export uses PascalCase keys (corpus source 2)."""
        write(tmp_path / "p.json", {"Id": "p9", "DisplayName": "x", "State": "enabled",
                                    "Conditions": {"Users": {"IncludeUsers": ["All"]}}})
        assert [p.id for p in load_tenant(tmp_path).policies] == ["p9"]

    def test_odata_type_alone_classifies(self, tmp_path: Path) -> None:
        write(tmp_path / "p.json", {"@odata.type": "#microsoft.graph.conditionalAccessPolicy",
                                    "id": "p1", "displayName": "x"})
        assert [p.id for p in load_tenant(tmp_path).policies] == ["p1"]

    @pytest.mark.parametrize("document", [5, "policy", None, [[POLICY]], {"value": [1]},
                                          {"conditions ": {}}, {"\uff43onditions": {}}],
                             ids=["number", "string", "null", "nested-array", "page-of-number",
                                  "padded-key", "homoglyph-key"])
    def test_what_is_not_a_known_object_is_refused(self, tmp_path: Path,
                                                   document: Any) -> None:
        write(tmp_path / "good.json", POLICY)
        bad = write(tmp_path / "bad.json", document)
        with pytest.raises(LoadError) as info:
            load_tenant(tmp_path)
        assert [p.source for p in info.value.problems] == [str(bad)]
        assert "not understood" in info.value.problems[0].message

    def test_empty_array_file_holds_nothing(self, tmp_path: Path) -> None:
        write(tmp_path / "good.json", POLICY)
        write(tmp_path / "none.json", [])
        assert len(load_tenant(tmp_path).policies) == 1

    def test_duplicate_id_differing_only_in_case_is_two_policies(self, tmp_path: Path) -> None:
        """Policy ids are GUIDs compared exactly, as Graph returns them."""
        write(tmp_path / "a.json", _policy(id="P1"))
        write(tmp_path / "b.json", _policy(id="p1"))
        assert sorted(p.id for p in load_tenant(tmp_path).policies) == ["P1", "p1"]

    def test_placeholders_replace_tokens_everywhere(self, tmp_path: Path) -> None:
        body = _policy(displayName="<RING> MFA",
                       conditions={"users": {"includeUsers": ["All"],
                                             "excludeGroups": ["<BreakGlass>"]}})
        write(tmp_path / "p.json", body)
        tenant = load_tenant(tmp_path, placeholders={"<RING>": "Ring0", "<BreakGlass>": "g1"})
        (policy,) = tenant.policies
        assert policy.display_name == "Ring0 MFA"
        assert policy.conditions.users is not None
        assert policy.conditions.users.exclude_groups == ("g1",)
