"""LoadError: every problem, each with its JSON path and what was expected; files are
named, with line and column for JSON syntax errors; nothing else ever escapes."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import cattrs
import pytest

from protected_actions import LoadError, LoadProblem, ProtectedActionsError
from protected_actions.graph import load_policies, load_policy, load_session, load_tenant


def policy(policy_id: str, include_users: Any = ("All",)) -> dict[str, Any]:
    """A minimal policy body whose includeUsers is ``include_users``."""
    users = list(include_users) if isinstance(include_users, tuple) else include_users
    return {"id": policy_id, "displayName": policy_id, "state": "enabled",
            "conditions": {"users": {"includeUsers": users}}}


def problems_of(source: Any, loader: Any = load_tenant) -> list[str]:
    """The rendered problems a loader reports for ``source``."""
    with pytest.raises(LoadError) as info:
        loader(source)
    return [str(p) for p in info.value.problems]


class TestPaths:
    def test_wrong_type_names_the_path_and_what_was_expected(self) -> None:
        """A number where a list of strings belongs is reported at its exact path."""
        bundle = {"conditionalAccessPolicies": [policy("a"), policy("b"), policy("c"),
                                                policy("d", include_users=7)]}
        assert problems_of(bundle) == [
            "$.conditionalAccessPolicies[3].conditions.users.includeUsers: "
            "expected a list of strings, got 7"]

    def test_every_problem_is_listed_not_just_the_first(self) -> None:
        """Problems in several objects and several keys are all reported."""
        bundle = {
            "conditionalAccessPolicies": [policy("a", include_users=["x", 7]),
                                          policy("b", include_users="All")],
            "users": [{"displayName": "no id"}],
            "namedLocations": [{"id": "n", "displayName": "N", "isTrusted": "yes",
                                "ipRanges": [{"cidrAddress": "300.1.1.1/8"}]}],
        }
        assert problems_of(bundle) == [
            "$.conditionalAccessPolicies[0].conditions.users.includeUsers[1]: "
            "expected a string, got 7",
            "$.conditionalAccessPolicies[1].conditions.users.includeUsers: "
            "expected a list of strings, got \"All\"",
            "$.namedLocations[0].ipRanges[0].cidrAddress: expected an IPv4 or IPv6 CIDR "
            "such as '12.34.221.11/22' or '2001:db8::/48', got \"300.1.1.1/8\"",
            "$.namedLocations[0].isTrusted: expected true or false, got \"yes\"",
            "$.users[0].id: missing required property",
        ]

    def test_model_validator_errors_point_at_the_graph_property(self) -> None:
        """An InvalidModelError from a model validator becomes a problem at its path."""
        bundle = {"authenticationContextClassReferences": [{"id": "x1"}],
                  "resourceActions": [{"name": "not a permission",
                                       "authenticationContextId": "c1"}]}
        assert problems_of(bundle) == [
            "$.authenticationContextClassReferences[0].id: "
            "expected an auth context id c1..c99, got \"x1\"",
            "$.resourceActions[0].name: expected a resource action such as "
            "'microsoft.directory/conditionalAccessPolicies/create', got \"not a permission\"",
        ]

    def test_empty_string_in_a_list_is_reported_at_the_list(self) -> None:
        """An empty id in a list is reported at the item."""
        assert problems_of(policy("p", include_users=["All", ""]), load_policy) == [
            '$.conditions.users.includeUsers[1]: invalid id or value "": blank']

    def test_unknown_named_location_type(self) -> None:
        """An unknown ``@odata.type`` on a named location lists the known ones."""
        (problem,) = problems_of({"namedLocations": [
            {"@odata.type": "#microsoft.graph.namedLocation", "id": "n"}]})
        assert problem.startswith("$.namedLocations[0]['@odata.type']: expected one of "
                                  "#microsoft.graph.ipNamedLocation")

    def test_untyped_named_location_without_a_shape(self) -> None:
        """A named location with neither tag nor ranges nor countries is a problem."""
        (problem,) = problems_of({"namedLocations": [{"id": "n", "displayName": "N"}]})
        assert problem.startswith("$.namedLocations[0]: expected a named location")

    def test_template_problems_point_inside_details(self) -> None:
        """A problem in a template is reported under ``details``."""
        templates = {"value": [{"id": "t", "name": "T", "details": {
            "conditions": {"clientAppTypes": "all"}}}]}
        assert problems_of(templates, load_policies) == [
            "$.value[0].details.conditions.clientAppTypes: "
            "expected a list of strings, got \"all\""]

    def test_top_level_that_is_not_an_object(self) -> None:
        """A bundle that is a list is a problem at ``$``."""
        assert problems_of([1, 2]) == ["$: expected an object, got a list ([1, 2])"]

    def test_session_naive_time_is_an_error(self) -> None:
        """A session time without a timezone offset is rejected."""
        assert problems_of({"at": "2026-11-29T10:00:00", "user": {"id": "u1"}},
                           load_session) == [
            "$.at: expected a timezone-aware ISO 8601 time such as \"2026-11-29T10:00:00Z\", "
            "got \"2026-11-29T10:00:00\""]

    def test_session_unknown_properties_are_reported_with_the_others(self) -> None:
        """A misspelt session fact is a problem, reported with every other problem."""
        session = {"at": "2026-11-29T10:00:00Z", "user": {"id": "u1"}, "ipAdress": "x",
                   "device": {"isCompliant": "no", "extensionAttribute1": 5}}
        assert problems_of(session, load_session) == [
            "$.device.isCompliant: expected true or false, got \"no\"",
            "$.device.extensionAttribute1: expected a string, got 5",
            "$.ipAdress: unknown property; did you mean 'ipAddress'?",
        ]


class TestFiles:
    def test_truncated_file_names_the_file_line_and_column(self, tmp_path: Path) -> None:
        """A truncated JSON file is reported with its name, line and column."""
        path = tmp_path / "policy.json"
        path.write_text('{\n  "id": "p1",\n  "conditions": {', encoding="utf-8")
        with pytest.raises(LoadError) as info:
            load_policy(path)
        (problem,) = info.value.problems
        assert problem.source == str(path)
        assert problem.message == ("not valid JSON: Expecting property name enclosed in "
                                   "double quotes at line 3 column 18")

    def test_non_json_file(self, tmp_path: Path) -> None:
        """A file that is not JSON at all names the file and the position."""
        path = tmp_path / "bundle.json"
        path.write_text("Get-MgIdentityConditionalAccessPolicy\n", encoding="utf-8")
        assert problems_of(path) == [
            f"{path}: $: not valid JSON: Expecting value at line 1 column 1"]

    def test_file_that_is_not_unicode_text(self, tmp_path: Path) -> None:
        """Bytes that are not UTF-8 text are reported, not raised as UnicodeDecodeError."""
        path = tmp_path / "bundle.json"
        path.write_bytes(b'{"a": "\xff\xfe\xfd"}')
        (problem,) = problems_of(path)
        assert "not valid utf-8 text" in problem

    def test_missing_file(self, tmp_path: Path) -> None:
        """A file that does not exist is a LoadError naming it."""
        (problem,) = problems_of(tmp_path / "nope.json", load_policies)
        assert problem.startswith(f"{tmp_path / 'nope.json'}: $: cannot read the file")

    def test_folder_bundle_problems_name_the_key_file(self, tmp_path: Path) -> None:
        """In a bundle folder, a problem names the KEY.json file it is in, the line
        and the JSON path inside that file."""
        (tmp_path / "users.json").write_text('[{"id": 5}]', encoding="utf-8")
        (tmp_path / "groups.json").write_text('{"value": []}', encoding="utf-8")
        with pytest.raises(LoadError) as info:
            load_tenant(tmp_path)
        assert info.value.problems == (LoadProblem(
            "$[0].id", "expected a string, got 5", str(tmp_path / "users.json"), 1),)

    def test_folder_bundle_reports_every_broken_file(self, tmp_path: Path) -> None:
        """Every unreadable file of a folder bundle is reported at once."""
        (tmp_path / "users.json").write_text("[", encoding="utf-8")
        (tmp_path / "groups.json").write_text("{", encoding="utf-8")
        with pytest.raises(LoadError) as info:
            load_tenant(tmp_path)
        assert sorted(Path(p.source or "").name for p in info.value.problems) == [
            "groups.json", "users.json"]


class TestErrorObject:
    def test_load_error_is_a_library_error_and_a_value_error(self) -> None:
        """LoadError is caught by ProtectedActionsError and ValueError handlers."""
        with pytest.raises(ProtectedActionsError):
            load_tenant({"users": 1})
        with pytest.raises(ValueError, match="users"):
            load_tenant({"users": 1})

    def test_cattrs_error_tree_is_kept_as_the_cause(self) -> None:
        """The original cattrs validation error stays on ``__cause__``."""
        with pytest.raises(LoadError) as info:
            load_tenant({"users": 1})
        assert isinstance(info.value.__cause__, cattrs.ClassValidationError)

    def test_load_error_pickles_with_its_problems(self) -> None:
        """A LoadError survives pickling with every problem."""
        with pytest.raises(LoadError) as info:
            load_tenant({"users": [{"id": 1}, {"id": 2}]})
        again = pickle.loads(pickle.dumps(info.value))
        assert again.problems == info.value.problems

    @pytest.mark.parametrize("source", [
        {1: "not a string key"},
        {"conditionalAccessPolicies": [{"id": "p", "conditions": {"users": {1: 2}}}]},
        {"namedLocations": [{"@odata.type": 7}]},
        {"users": [{"id": "u", "memberOf": {"g": 1}}]},
        {"roleDefinitions": [{"id": "r", "displayName": "R", "rolePermissions": [
            {"allowedResourceActions": "microsoft.directory/x/y"}]}]},
        {"resourceActions": [7, {"name": 7, "authenticationContextId": 8}]},
        {"conditionalAccessPolicies": {"value": 3}},
        {"authenticationStrengthPolicies": [{"id": "s", "displayName": "S",
                                             "allowedCombinations": [["fido2"]]}]},
    ])
    def test_odd_inputs_raise_load_error_only(self, source: Any) -> None:
        """Malformed inputs of every shape raise LoadError, never a bare exception."""
        with pytest.raises(LoadError) as info:
            load_tenant(source)
        assert all(p.path.startswith("$") for p in info.value.problems)

    def test_deeply_nested_input_raises_load_error(self) -> None:
        """Pathologically deep JSON is reported as a LoadError too."""
        deep: Any = []
        for _ in range(100_000):
            deep = [deep]
        with pytest.raises(LoadError):
            load_tenant({"groups": [{"id": "g", "memberOf": deep}]})
