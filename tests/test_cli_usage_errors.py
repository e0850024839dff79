"""Usage errors print one line, as the README promises (issue 14, the first run).

Click's own format is four lines (the usage, a "Try ... --help" hint, a blank line, then
"Error: ..."); taperline prints one: ``taperline: error: <what> (see `<command> --help`)``
on stderr, exit status 2, like its own refusals. Help is still help.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from taperline.cli.main import cli


def _run(tmp_path: Path, *args: str) -> Result:
    env = {"TAPERLINE_DATABASE_URL": f"sqlite:///{tmp_path}/t.db"}
    return CliRunner().invoke(cli, list(args), env=env, prog_name="taperline")


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("simulate", "clonazepam", "--dose", "x", "--at", "22:00"), ("--dose", "'x'")),
        (("simulate", "clonazepam", "--at", "22:00"), ("Missing option", "--dose")),
        (("simulate", "clonazepam", "--dose", "1 mg", "--at", "25:00"), ("--at", "25:00")),
        (("simulate", "clonazepam", "--dose", "1 mg", "--at", "22:00", "--bogus"), ("--bogus",)),
        (("plan", "hold", "--by", "Dr Lee"), ("--reason",)),
        (("checkin", "--worst-time", "noon"), ("--worst-time", "noon", "morning")),
        (("journal", "edit", "not-a-date"), ("not-a-date",)),
        (("export", "nosuchformat"), ("nosuchformat",)),
        (("nosuchcommand",), ("nosuchcommand",)),
        (("--bogus",), ("--bogus",)),
    ],
)
def test_a_usage_error_is_one_line_naming_the_problem_and_the_help(
    tmp_path: Path, args: tuple[str, ...], words: tuple[str, ...]
) -> None:
    result = _run(tmp_path, *args)
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("taperline: error: ")
    assert "--help" in lines[0]
    assert "Usage:" not in result.stderr
    for word in words:
        assert word in lines[0]


def test_help_is_still_the_full_help(tmp_path: Path) -> None:
    for args in (("--help",), ("simulate", "--help"), ("plan", "hold", "-h")):
        result = _run(tmp_path, *args)
        assert result.exit_code == 0
        assert "Usage:" in result.stdout


def test_a_group_without_a_command_shows_its_help(tmp_path: Path) -> None:
    result = _run(tmp_path, "journal")
    assert "Usage:" in result.output
    assert "list" in result.output
