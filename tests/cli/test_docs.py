"""The shell examples of ``docs/cli.md`` and ``docs/tutorial.md`` are tested.

Each document is played from top to bottom in a scratch folder:

- a ```` ```json title="NAME" ```` block is written to the file ``NAME``; any other
  JSON block must parse;
- a ```` ```python ```` block runs as a doctest, sharing one namespace with the
  document's other Python blocks (so the tutorial's Python can write the files its
  shell examples read);
- a ```` ```console ```` block is a list of ``$ COMMAND`` lines, each followed by
  its expected output. ``protected-actions ...`` (or ``python -m protected_actions
  ...``) runs through ``main()``, with ``< FILE`` and ``> FILE`` redirections;
  ``echo $?`` prints the previous exit status. A line ``...`` in the expected output
  stands for any number of lines.

(``--doctest-glob=*.md`` also runs the Python blocks on their own.)
"""

from __future__ import annotations

import contextlib
import doctest
import io
import json
import re
import shlex
import sys
from collections.abc import Iterator

try:
    import tomllib
except ImportError:  # Python 3.10: the toml extra's backport
    import tomli as tomllib
from pathlib import Path

import attrs
import pytest

from protected_actions.cli import main

ROOT = Path(__file__).resolve().parents[2]
DOCS = (ROOT / "docs" / "cli.md", ROOT / "docs" / "tutorial.md",
        ROOT / "docs" / "ca-as-code.md")

_FENCE = re.compile(r"^```(?P<info>[^\n]*)\n(?P<body>.*?)^```[ \t]*$", re.M | re.S)
_TITLE = re.compile(r'title="(?P<name>[^"]+)"')
_KINDS = ("console", "json", "python", "toml", "yaml")


@attrs.frozen
class Block:
    """One fenced block: its language, its file name if any, its text and line."""

    kind: str
    title: str | None
    body: str
    line: int


def blocks(path: Path) -> list[Block]:
    """The fenced blocks of a Markdown document, in order."""
    text = path.read_text(encoding="utf-8")
    found = []
    for match in _FENCE.finditer(text):
        info = match["info"].strip()
        title = _TITLE.search(info)
        found.append(Block(kind=info.split(" ")[0], title=title["name"] if title else None,
                           body=match["body"], line=text.count("\n", 0, match.start()) + 1))
    return found


@attrs.frozen
class Command:
    """One ``$`` line and the output the document shows for it."""

    line: str
    expected: tuple[str, ...]


def commands(body: str) -> Iterator[Command]:
    """The commands of a console block with their expected output."""
    current: str | None = None
    expected: list[str] = []
    for raw in body.splitlines():
        if raw.startswith("$ "):
            if current is not None:
                yield Command(current, tuple(expected))
            current, expected = raw[2:], []
        elif current is not None:
            expected.append(raw)
    if current is not None:
        yield Command(current, tuple(expected))


def matches(expected: tuple[str, ...], actual: list[str]) -> bool:
    """Whether ``actual`` lines match ``expected``, where a ``...`` line matches any
    run of lines (trailing spaces are ignored)."""
    exp = [line.rstrip() for line in expected]
    act = [line.rstrip() for line in actual]

    def walk(i: int, j: int) -> bool:
        if i == len(exp):
            return j == len(act)
        if exp[i] == "...":
            return any(walk(i + 1, k) for k in range(j, len(act) + 1))
        return j < len(act) and exp[i] == act[j] and walk(i + 1, j + 1)

    return walk(0, 0)


class Shell:
    """Just enough of a shell to run the documented commands through ``main()``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.status = 0

    def run(self, line: str) -> list[str]:
        words = shlex.split(line)
        if words == ["echo", "$?"]:
            return [str(self.status)]
        words, stdin, target = self._redirections(words)
        if words[:3] == ["python", "-m", "protected_actions"]:
            words = ["protected-actions", *words[3:]]
        assert words[0] == "protected-actions", f"not a protected-actions command: {line}"
        out, err = io.StringIO(), io.StringIO()
        old_stdin = sys.stdin
        sys.stdin = io.StringIO(stdin or "")
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                self.status = main(words[1:])
        finally:
            sys.stdin = old_stdin
        if target is not None:
            (self.folder / target).write_text(out.getvalue(), encoding="utf-8")
            return err.getvalue().splitlines()
        return (out.getvalue() + err.getvalue()).splitlines()

    def _redirections(self, words: list[str]) -> tuple[list[str], str | None, str | None]:
        stdin = target = None
        rest: list[str] = []
        it = iter(words)
        for word in it:
            if word == "<":
                stdin = (self.folder / next(it)).read_text(encoding="utf-8")
            elif word == ">":
                target = next(it)
            else:
                rest.append(word)
        return rest, stdin, target


def _parse(block: Block) -> None:
    """A data block is valid in its language (a file block is then written out)."""
    if block.kind == "json":
        json.loads(block.body)
    elif block.kind == "toml":
        tomllib.loads(block.body)
    else:
        yaml = pytest.importorskip("yaml")
        yaml.safe_load(block.body)


def _run_python(block: Block, globs: dict[str, object], name: str) -> None:
    test = doctest.DocTestParser().get_doctest(block.body, globs, name, name, block.line)
    flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    runner = doctest.DocTestRunner(optionflags=flags)
    report = io.StringIO()
    runner.run(test, out=report.write, clear_globs=False)
    globs.update(test.globs)  # the doctest ran on a copy
    assert runner.failures == 0, report.getvalue()


def _run_console(block: Block, shell: Shell, name: str) -> None:
    for command in commands(block.body):
        actual = shell.run(command.line)
        assert matches(command.expected, actual), (
            f"{name}:{block.line}: $ {command.line}\n--- expected\n"
            + "\n".join(command.expected) + "\n--- actual\n" + "\n".join(actual))


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_documented_examples_run_as_shown(doc: Path, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Every console, JSON and Python block of the document gives what it shows."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "100")
    shell = Shell(tmp_path)
    globs: dict[str, object] = {}
    ran = 0
    for block in blocks(doc):
        if block.kind in ("json", "toml", "yaml"):
            _parse(block)
            if block.title is not None:
                (tmp_path / block.title).parent.mkdir(parents=True, exist_ok=True)
                (tmp_path / block.title).write_text(block.body, encoding="utf-8")
        elif block.kind == "python":
            _run_python(block, globs, doc.name)
        elif block.kind == "console":
            _run_console(block, shell, doc.name)
            ran += 1
    assert ran, f"{doc.name} has no console examples"


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_code_block_is_checked(doc: Path) -> None:
    """A document holds only blocks this test runs (console, JSON, Python)."""
    assert {b.kind for b in blocks(doc)} <= set(_KINDS)


class TestRunner:
    """The example runner itself."""

    def test_ellipsis_matches_any_run_of_lines(self) -> None:
        """``...`` stands for zero or more lines; other lines must be equal."""
        assert matches(("a", "...", "d"), ["a", "b", "c", "d"])
        assert matches(("a", "...", "d"), ["a", "d"])
        assert not matches(("a", "...", "d"), ["a", "b"])
        assert not matches(("a",), ["a", "b"])

    def test_commands_split_on_dollar_lines(self) -> None:
        """Each ``$`` line takes the lines up to the next one as its output."""
        found = list(commands("$ one\nout 1\n$ two\n"))
        assert found == [Command("one", ("out 1",)), Command("two", ())]

    def test_shell_redirects_and_reports_status(self, tmp_path: Path) -> None:
        """``> FILE`` captures standard output; ``echo $?`` gives the exit status."""
        shell = Shell(tmp_path)
        assert shell.run("protected-actions --version > v.txt") == []
        assert (tmp_path / "v.txt").read_text().startswith("protected-actions ")
        assert shell.run("echo $?") == ["0"]
