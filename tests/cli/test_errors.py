"""User errors: one message naming the file and JSON path, status 2, no traceback
unless ``--debug``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.cli import CA_CREATE, invoke

import protected_actions as pa
from protected_actions.cli import EXIT_DENY, EXIT_USAGE, main
from protected_actions.cli import evaluate as evaluate_command
from protected_actions.samples import sample_tenant_file

PREFIX = "protected-actions: error: "


def _session(path: Path, data: object) -> str:
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


def _evaluate(*, tenant: str = "sample", session: str = "sample:alice-password-push",
              action: str = CA_CREATE, debug: bool = False, stdin: str = "") -> tuple[int, str]:
    argv = ["evaluate", "--tenant", tenant, "--session", session, "--action", action]
    result = invoke(*argv, *(["--debug"] if debug else []), stdin=stdin)
    if result.status == EXIT_USAGE:
        assert result.out == ""
    return result.status, result.err


class TestFiles:
    """Files that cannot be read or parsed."""

    def test_missing_tenant_file(self, tmp_path: Path) -> None:
        """A tenant file that does not exist is named in the message."""
        missing = tmp_path / "nope.json"
        status, err = _evaluate(tenant=str(missing))
        assert status == EXIT_USAGE
        assert err == (f"{PREFIX}1 problem while loading:\n"
                       f"  {missing}: $: cannot read the file: No such file or directory\n")

    def test_tenant_file_is_not_json(self, tmp_path: Path) -> None:
        """Invalid JSON gives the file, line and column."""
        bad = tmp_path / "tenant.json"
        bad.write_text('{"users": [\n  {"id": "a"},\n  oops\n]}', encoding="utf-8")
        result = invoke("lint", "--tenant", str(bad))
        assert result.status == EXIT_USAGE
        assert f"  {bad}: $: not valid JSON: " in result.err
        assert "at line 3 column 3" in result.err

    def test_tenant_that_does_not_load(self, tmp_path: Path) -> None:
        """Every problem of a bundle is listed with its JSON path."""
        data = json.loads(Path(str(sample_tenant_file())).read_text(encoding="utf-8"))
        data["conditionalAccessPolicies"][1]["state"] = 42
        data["users"][0]["userType"] = ["Member"]
        bad = tmp_path / "tenant.json"
        bad.write_text(json.dumps(data), encoding="utf-8")
        result = invoke("lockout", "--tenant", str(bad))
        assert result.status == EXIT_USAGE
        assert result.err.startswith(f"{PREFIX}2 problems while loading:\n")
        assert f"  {bad}: $.conditionalAccessPolicies[1].state: " in result.err
        assert f"  {bad}: $.users[0].userType: " in result.err

    def test_folder_names_the_file(self, tmp_path: Path) -> None:
        """In a bundle folder, the problem names the KEY.json file it is in."""
        (tmp_path / "users.json").write_text('[{"id": 7}]', encoding="utf-8")
        result = invoke("matrix", "--tenant", str(tmp_path))
        assert result.status == EXIT_USAGE
        assert f"  {tmp_path / 'users.json'}:1: $[0].id: " in result.err

    def test_session_that_does_not_load(self, tmp_path: Path) -> None:
        """A session with a naive time and no user id: both problems, with paths."""
        path = _session(tmp_path / "s.json", {"at": "2026-11-29 10:00", "user": {}})
        status, err = _evaluate(session=path)
        assert status == EXIT_USAGE
        assert f"  {path}: $.at: expected a timezone-aware ISO 8601 time" in err
        assert f"  {path}: $.user.id: missing required property" in err

    def test_session_on_stdin_is_not_json(self) -> None:
        """Standard input is named ``<stdin>``."""
        status, err = _evaluate(session="-", stdin="{not json")
        assert status == EXIT_USAGE
        assert err.startswith(f"{PREFIX}1 problem while loading:\n  <stdin>: $: not valid JSON")

    def test_session_on_stdin_that_does_not_load(self) -> None:
        """Problems in a session read from standard input name ``<stdin>``."""
        status, err = _evaluate(session="-", stdin='{"at": "2026-11-29T10:00:00Z"}')
        assert status == EXIT_USAGE
        assert "  <stdin>: $.user: " in err

    def test_unknown_sample_session(self) -> None:
        """``sample:NAME`` lists the known names."""
        status, err = _evaluate(session="sample:mallory")
        assert status == EXIT_USAGE
        assert "sample:mallory: $: no example session named 'mallory' (known: " in err


class TestPermissions:
    """``--action`` values."""

    def test_malformed_permission(self) -> None:
        """A string that is not a resource action is refused."""
        status, err = _evaluate(action="create a policy")
        assert status == EXIT_USAGE
        assert err == (f"{PREFIX}--action 'create a policy' is not a permission: expected a "
                       "resource action such as "
                       "'microsoft.directory/conditionalAccessPolicies/create'\n")

    def test_wildcard_permission(self) -> None:
        """An ``allTasks`` wildcard is not a single action."""
        status, err = _evaluate(
            action="microsoft.directory/conditionalAccessPolicies/allProperties/allTasks")
        assert status == EXIT_USAGE
        assert err == (f"{PREFIX}--action 'microsoft.directory/conditionalAccessPolicies/"
                       "allProperties/allTasks' is not a permission: expected a single action,"
                       " not an allProperties/allTasks wildcard\n")

    def test_unknown_permission_suggests_a_close_one(self) -> None:
        """A well-formed permission nobody knows is a typo, with a suggestion."""
        status, err = _evaluate(action="microsoft.directory/conditionalAccessPolicy/create")
        assert status == EXIT_USAGE
        assert err.endswith("no role definition of the tenant grants it and no protected "
                            "action maps it; did you mean "
                            "'microsoft.directory/conditionalAccessPolicies/create'?\n")

    def test_permission_granted_through_all_tasks_is_known(self) -> None:
        """A permission covered only by a role's ``allTasks`` entry is accepted."""
        status, err = _evaluate(
            action="microsoft.directory/conditionalAccessPolicies/owners/update")
        assert (status, err) == (EXIT_DENY, "")

    def test_application_permission_of_a_custom_role(self) -> None:
        """An application's own permission, defined by a custom role, is known."""
        status, _ = _evaluate(action="contoso.payroll/payments/read")
        assert status == EXIT_DENY


class TestReporting:
    """How errors are shown."""

    def test_no_traceback_without_debug(self, tmp_path: Path) -> None:
        """The message is one error, not a traceback."""
        _, err = _evaluate(tenant=str(tmp_path / "nope.json"))
        assert "Traceback" not in err
        assert err.startswith(PREFIX)

    def test_debug_shows_the_traceback(self, tmp_path: Path) -> None:
        """``--debug`` prints the traceback before the message."""
        status, err = _evaluate(tenant=str(tmp_path / "nope.json"), debug=True)
        assert status == EXIT_USAGE
        assert err.startswith("Traceback (most recent call last):\n")
        assert "protected_actions.errors.LoadError" in err
        assert f"\n{PREFIX}1 problem while loading:" in err

    def test_device_filter_syntax_error(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """A device filter syntax error is a user error showing the caret line."""
        def broken(*args: object, **kwargs: object) -> pa.Decision:
            pa.parse_device_filter('device.trustType -eq "AzureAD" -and')
            raise AssertionError("unreachable")

        monkeypatch.setattr(evaluate_command, "evaluate", broken)
        status, err = _evaluate()
        assert status == EXIT_USAGE
        assert err.startswith(PREFIX)
        assert '\n    device.trustType -eq "AzureAD" -and\n' in err
        assert err.rstrip("\n").endswith("^")

    def test_main_returns_2(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """Through ``main()``, the message goes to standard error."""
        assert main(["lint", "--tenant", str(tmp_path / "nope.json")]) == EXIT_USAGE
        captured = capsys.readouterr()
        assert captured.out == ""
        assert captured.err.startswith(PREFIX)

    def test_bugs_are_not_hidden(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """An unexpected exception is not turned into a user error."""
        def broken(*args: object, **kwargs: object) -> pa.Decision:
            raise ZeroDivisionError

        monkeypatch.setattr(evaluate_command, "evaluate", broken)
        with pytest.raises(ZeroDivisionError):
            _evaluate()
