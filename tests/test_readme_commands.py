"""Every command in README.md and docs/*.md runs as written, on any date (issue 14).

The convention, for whoever edits those files:

- Commands live in fenced ```sh blocks, one command a line (no ``\\`` continuation: a pasted
  command must not break) and no ``#`` comments: interactive zsh, the default shell on macOS,
  does not read them as comments (``interactivecomments`` is off), so their words would
  become arguments. Explanations go in the text around the block. A command block in any
  other fence fails.
- The blocks run in order, README.md first and then docs/*.md, in one scratch journal
  (``TAPERLINE_DATABASE_URL`` in a temporary folder, which is also the working directory), as a
  person at a terminal would run them: pressing Enter at every question.
- A command exits 0 unless its block is marked on the line just before its fence with
  ``<!-- readme-test: exit status N: <why> -->`` (then each of its commands exits N).
- A line may start with ``NAME=value`` settings for that command only.
- A block that cannot run here (``make``, a server, the network) is marked on the line just
  before its fence with ``<!-- readme-test: skip: <why> -->``; each shows up as a skipped
  test with its reason, never silently.

The whole sequence runs twice: on today's date and on a date years from now (``TAPERLINE_NOW``),
so an example that names a calendar date that is about to pass fails here first.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from taperline.cli import session
from taperline.cli.main import cli

ROOT = Path(__file__).parent.parent
FILES = (ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")))
SKIP = re.compile(r"^<!-- readme-test: skip: (?P<why>\S.*?) -->$")
EXIT = re.compile(r"^<!-- readme-test: exit status (?P<status>\d+): (?P<why>\S.*?) -->$")
SETTING = re.compile(r"^[A-Z][A-Z0-9_]*=")
#: Enter at every question (more than any command asks).
ENTER = "\n" * 200
#: A moment years from now, late in the evening (a date far from the one the README was
#: written on; February 28th, the day before a leap day).
LATER = "2032-02-28T22:30:00+00:00"


@dataclass(frozen=True)
class Command:
    """One line of a command block."""

    where: str  # file:line
    text: str
    expected_exit: int = 0

    @property
    def has_comment(self) -> bool:
        """Words after an unquoted ``#``: sh drops them, interactive zsh passes them on."""
        return shlex.split(self.text, comments=True) != shlex.split(self.text)

    def split(self) -> tuple[dict[str, str], list[str]]:
        """The settings before the command, and its words (as zsh passes them)."""
        words = shlex.split(self.text)
        settings = {}
        while words and SETTING.match(words[0]):
            name, _, value = words.pop(0).partition("=")
            settings[name] = value
        return settings, words


@dataclass(frozen=True)
class Block:
    """A fenced block: its language, its command lines and why it is not run (if so)."""

    where: str
    language: str
    commands: tuple[Command, ...]
    skip: str | None


def blocks(path: Path) -> list[Block]:
    """Every fenced block of a Markdown file."""
    lines = path.read_text(encoding="utf-8").splitlines()
    found: list[Block] = []
    start: int | None = None
    for number, line in enumerate(lines, start=1):
        if not line.startswith("```"):
            continue
        if start is None:
            start = number
            continue
        before = lines[start - 2] if start > 1 else ""
        marker, exit_marker = SKIP.match(before), EXIT.match(before)
        status = int(exit_marker["status"]) if exit_marker else 0
        body = [
            Command(f"{path.name}:{i}", text, status)
            for i, text in enumerate(lines[start:number - 1], start=start + 1)
            if text.strip()
        ]  # fmt: skip
        language = lines[start - 1].removeprefix("```").strip()
        found.append(Block(f"{path.name}:{start}", language, tuple(body), marker and marker["why"]))
        start = None
    return found


ALL = [block for path in FILES for block in blocks(path)]
SHELL = [block for block in ALL if block.language == "sh"]


def test_the_readme_has_command_blocks_to_run() -> None:
    runnable = [c for b in SHELL if b.skip is None for c in b.commands]
    assert len(runnable) >= 30
    assert any(b.skip for b in SHELL)


@pytest.mark.parametrize("block", [b for b in ALL if b.language != "sh"], ids=lambda b: b.where)
def test_commands_are_only_in_sh_blocks(block: Block) -> None:
    commands = [c for c in block.commands if re.match(r"\$?\s*(taperline|make|\.venv)\b", c.text)]
    assert not commands, f"{block.where}: put commands in a ```sh block so they are run"


@pytest.mark.parametrize("block", SHELL, ids=lambda b: b.where)
def test_each_command_is_one_pasteable_line(block: Block) -> None:
    for command in block.commands:
        assert not command.text.rstrip().endswith("\\"), f"{command.where}: one command a line"
        assert not re.search(r"\[--|\w\|\w", command.text.split("#")[0]), (
            f"{command.where}: write each form as its own runnable line, not [OPTIONAL] or A|B"
        )
        assert not command.text.lstrip().startswith("$"), f"{command.where}: no prompt sign"
        assert not command.has_comment, (
            f"{command.where}: no '#' comment in a command block (pasted into zsh its words"
            " become arguments); say it in the text around the block"
        )


@pytest.mark.parametrize("block", [b for b in SHELL if b.skip], ids=lambda b: b.where)
def test_blocks_not_run_here_say_why(block: Block) -> None:
    # A skip is for what cannot run in-process; a taperline command that fails is no reason.
    assert any(
        command.split()[1][:1] != ["taperline"] or command.split()[1][1:2] == ["serve"]
        for command in block.commands
    ), f"{block.where}: nothing here needs a skip"
    pytest.skip(f"{block.where} is not run: {block.skip}")


@pytest.mark.slow
@pytest.mark.parametrize("clock", [None, LATER], ids=["today", "years-later"])
def test_every_command_runs_as_written(
    clock: str | None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(session, "on_terminal", lambda: True)  # a person at a terminal
    base = {
        "TAPERLINE_DATABASE_URL": f"sqlite:///{tmp_path / 'journal.db'}",
        "TAPERLINE_NOW": clock,
        "XDG_DATA_HOME": str(tmp_path / "data"),
    }
    for block in SHELL:
        if block.skip:
            continue
        for command in block.commands:
            settings, words = command.split()
            assert words[:1] == ["taperline"], (
                f"{command.where}: not a taperline command; mark its block"
                " <!-- readme-test: skip: <why> -->"
            )
            result = CliRunner().invoke(
                cli, words[1:], env={**base, **settings}, input=ENTER, prog_name="taperline"
            )
            assert result.exit_code == command.expected_exit, (
                f"{command.where}: `{command.text}` exited {result.exit_code}, expected"
                f" {command.expected_exit}\n{result.output}"
            )
