"""Every command and option is documented; `taperline --help` starts light."""

from __future__ import annotations

import inspect
import subprocess
import sys

import click
import pytest
from click.testing import CliRunner

from taperline.cli.main import COMMANDS, cli


def _walk(group: click.Group, ctx: click.Context, prefix: str = ""):  # type: ignore[no-untyped-def]
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None, name
        yield f"{prefix}{name}", command
        if isinstance(command, click.Group):
            yield from _walk(command, ctx, f"{prefix}{name} ")


def _all_commands() -> list[tuple[str, click.Command]]:
    with click.Context(cli) as ctx:
        return list(_walk(cli, ctx))


@pytest.mark.parametrize(("name", "command"), _all_commands(), ids=str)
def test_every_command_is_documented(name: str, command: click.Command) -> None:
    assert command.help, f"{name} has no --help text"
    assert len(command.help.split()) >= 8, f"{name} lacks a real --help text"
    for param in command.params:
        if isinstance(param, click.Option):
            assert param.help, f"{name} {param.opts[0]} has no help text"
    result = CliRunner().invoke(cli, [*name.split(), "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output


@pytest.mark.parametrize(("name", "command"), _all_commands(), ids=str)
def test_every_command_takes_one_typed_parameter_per_option(
    name: str, command: click.Command
) -> None:
    """The callback's parameters are exactly its options and arguments, each annotated."""
    if command.callback is None or isinstance(command, click.Group):
        return
    parameters = inspect.signature(command.callback).parameters
    assert not [p for p in parameters.values() if p.kind is p.VAR_KEYWORD], name
    assert sorted(parameters) == sorted(p.name for p in command.params if p.name), name
    untyped = [p.name for p in parameters.values() if p.annotation is p.empty]
    assert not untyped, f"{name}: {untyped} have no type"


def test_top_level_help_lists_every_command() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    for name in COMMANDS:
        assert name in result.output
    assert "does not replace" in result.output


def test_help_does_not_import_heavy_libraries() -> None:
    code = (
        "import sys\n"
        "from taperline.cli.main import cli\n"
        "try:\n"
        "    cli(['--help'], prog_name='taperline')\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = {'numpy', 'scipy', 'matplotlib', 'sqlalchemy', 'fastapi', 'rich'}\n"
        "print('HEAVY', sorted(heavy & set(sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "HEAVY []" in out.stdout, out.stdout[-300:]


def test_unknown_command_exits_2() -> None:
    result = CliRunner().invoke(cli, ["frobnicate"])
    assert result.exit_code == 2
