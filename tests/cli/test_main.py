"""The entry points: ``main()``, ``python -m protected_actions``, the console script,
argument parsing and the exit status constants."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from protected_actions import __version__, cli

COMMANDS = ("demo", "evaluate", "what-if", "lint", "lockout", "matrix")
DOC = Path(__file__).resolve().parents[2] / "docs" / "cli.md"


class TestExitStatus:
    """The exit status constants."""

    def test_constants_are_distinct(self) -> None:
        """Each outcome has its own status, 0 for success and 2 for user errors."""
        codes = [cli.EXIT_OK, cli.EXIT_FINDINGS, cli.EXIT_USAGE, cli.EXIT_CHALLENGE,
                 cli.EXIT_DENY]
        assert len(set(codes)) == len(codes)
        assert (cli.EXIT_OK, cli.EXIT_USAGE) == (0, 2)

    @pytest.mark.parametrize("name", ["EXIT_OK", "EXIT_FINDINGS", "EXIT_USAGE",
                                      "EXIT_CHALLENGE", "EXIT_DENY"])
    def test_constant_is_documented(self, name: str) -> None:
        """The CLI reference lists every constant with its value."""
        value = getattr(cli, name)
        assert f"| {value} | `{name}` |" in DOC.read_text(encoding="utf-8")

    def test_help_lists_exit_statuses(self, capsys: pytest.CaptureFixture[str]) -> None:
        """``--help`` names every exit status and every command."""
        assert cli.main(["--help"]) == 0
        out = capsys.readouterr().out
        for code in (cli.EXIT_OK, cli.EXIT_FINDINGS, cli.EXIT_USAGE, cli.EXIT_CHALLENGE,
                     cli.EXIT_DENY):
            assert f"\n  {code}  " in out
        for command in COMMANDS:
            assert command in out

    @pytest.mark.parametrize("command", COMMANDS)
    def test_each_command_has_help(self, command: str,
                                   capsys: pytest.CaptureFixture[str]) -> None:
        """Every command answers ``--help`` with its options and the exit statuses."""
        assert cli.main([command, "--help"]) == 0
        out = capsys.readouterr().out
        assert out.startswith(f"usage: protected-actions {command}")
        assert "exit status:" in out
        assert "--debug" in out


class TestMain:
    """``main(argv)``."""

    def test_no_arguments_runs_the_demo(self, capsys: pytest.CaptureFixture[str]) -> None:
        """Without a command, ``main([])`` gives the demo and exits 0."""
        assert cli.main([]) == cli.EXIT_OK
        assert capsys.readouterr().out.startswith("protected-actions demo:")

    def test_version(self, capsys: pytest.CaptureFixture[str]) -> None:
        """``--version`` prints the package version."""
        assert cli.main(["--version"]) == 0
        assert capsys.readouterr().out.strip() == f"protected-actions {__version__}"

    @pytest.mark.parametrize("argv", [["evaluate", "--tenant", "sample"], ["nonsense"],
                                      ["lint", "--tenant", "sample", "--format", "xml"],
                                      ["lint", "--tenant", "sample", "--fail-on", "fatal"]])
    def test_bad_arguments_exit_2(self, argv: list[str],
                                  capsys: pytest.CaptureFixture[str]) -> None:
        """Missing or invalid arguments print a usage error and exit 2."""
        assert cli.main(argv) == cli.EXIT_USAGE
        err = capsys.readouterr().err
        assert "usage: protected-actions" in err
        assert "error:" in err

    def test_main_reads_sys_argv_by_default(self, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
        """``main()`` with no argument parses ``sys.argv[1:]``."""
        monkeypatch.setattr(sys, "argv", ["protected-actions", "lint", "--tenant", "sample",
                                          "--fail-on", "never"])
        assert cli.main() == cli.EXIT_OK
        assert "PA120" in capsys.readouterr().out


class TestScripts:
    """How the program is started."""

    def test_console_script_is_declared(self) -> None:
        """The ``protected-actions`` console script points at ``cli:main``."""
        scripts = {e.name: e.value for e in entry_points(group="console_scripts")}
        assert scripts["protected-actions"] == "protected_actions.cli:main"

    def test_python_dash_m_runs_the_demo(self) -> None:
        """``python -m protected_actions`` with no arguments runs the demo."""
        done = subprocess.run([sys.executable, "-m", "protected_actions"],
                              capture_output=True, text=True, check=False, timeout=120)
        assert done.returncode == 0, done.stderr
        assert done.stdout.startswith("protected-actions demo:")

    def test_python_dash_m_passes_the_exit_status(self) -> None:
        """The module entry point exits with the command's status."""
        done = subprocess.run(
            [sys.executable, "-m", "protected_actions", "evaluate", "--tenant", "sample",
             "--session", "sample:alice-password-push", "--action",
             "microsoft.directory/conditionalAccessPolicies/create"],
            capture_output=True, text=True, check=False, timeout=120)
        assert done.returncode == cli.EXIT_CHALLENGE, done.stderr
