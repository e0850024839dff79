"""The `taperline` command: a Click group whose subcommands load only when used.

Start-up stays light: this module imports Click and nothing heavy. Each subcommand lives
in its own module and imports NumPy, Rich or matplotlib inside its function body.
Errors are mapped to exit codes here and only here.
"""

from __future__ import annotations

import gc
import importlib
import sys
from typing import Any, Final, NoReturn

import click

from taperline import __version__
from taperline.errors import CatalogueError, TaperlineError

# name -> (module, attribute); the order here is the order of `taperline --help`.
COMMANDS: dict[str, tuple[str, str]] = {
    "simulate": ("taperline.cli.simulate", "simulate"),
    "check": ("taperline.cli.check", "check"),
    "learn": ("taperline.cli.learn", "learn"),
    "plan": ("taperline.cli.plan", "plan"),
    "init": ("taperline.cli.profile", "init"),
    "checkin": ("taperline.cli.checkin", "checkin"),
    "log-dose": ("taperline.cli.doses", "log_dose"),
    "status": ("taperline.cli.status", "status"),
    "findings": ("taperline.cli.status", "findings"),
    "journal": ("taperline.cli.journal", "journal"),
    "phq9": ("taperline.cli.questionnaires", "phq9"),
    "gad7": ("taperline.cli.questionnaires", "gad7"),
    "sleep-window": ("taperline.cli.sleep_window", "sleep_window"),
    "report": ("taperline.cli.report", "report"),
    "calendar": ("taperline.cli.calendar", "calendar"),
    "export": ("taperline.cli.exchange", "export"),
    "import": ("taperline.cli.exchange", "import_"),
    "serve": ("taperline.cli.serve", "serve"),
}

#: Each command's first help sentence, for ``taperline --help`` without importing the command
#: (tests/test_cli_help.py checks each against the command's own help).
SUMMARIES: dict[str, str] = {
    "simulate": "Simulate plasma concentration and receptor occupancy of a regimen.",
    "check": "Check a regimen against dose bands, the daily maximum, interactions and cautions.",
    "learn": "Explain a drug: onset, duration, half-life, steady state and how long it takes to"
    " clear.",
    "plan": "Propose a taper plan made of real products, and record clinicians' decisions on it.",
    "init": "Create (or update) your profile and the regimen you take now.",
    "checkin": "Record today's check-in: last night's sleep, mood, anxiety and symptoms.",
    "log-dose": "Log a dose taken (or missed) against the plan in force.",
    "status": "Today's doses, the next dose change, the latest findings and the last 14 days.",
    "findings": "Advisory findings from your journal: flares, waves, interdose withdrawal and"
    " more.",
    "journal": "List, edit or delete check-ins in your journal.",
    "phq9": "Answer the weekly PHQ-9 (depression) questionnaire; it is scored with its band.",
    "gad7": "Answer the weekly GAD-7 (anxiety) questionnaire; it is scored with its band.",
    "sleep-window": "The CBT-I sleep window (sleep restriction), kept and reviewed week by week.",
    "report": "Write a one-to-three page PDF for your prescriber: plan, charts, findings,"
    " adherence.",
    "calendar": "Reminders in your own calendar app: a private link it subscribes to, and"
    " settings.",
    "export": "Export your journal and dose log (CSV), whole record (FHIR R4) or reminders"
    " (iCalendar).",
    "import": "Import a journal, dose log or whole record (one transaction), or sleep from a"
    " device.",
    "serve": "Serve the web app for patients and clinicians (and its JSON API under /api/).",
}

#: Set by :func:`main`: only the console script keeps dataclass code (tests run ``cli``).
_KEEP_DATACLASS_CODE = False
#: Commands that run until stopped: not short processes (the collector on, no kept code).
RUNS_UNTIL_STOPPED: Final = frozenset({"serve"})

EXIT_OK = 0
EXIT_WARNINGS = 1  # a check found something to tell the prescriber about
EXIT_INPUT = 2  # bad input or a request refused for safety (same code Click uses for usage errors)
EXIT_DATA = 3  # the packaged data is broken: not the user's fault


def exit_code_for(error: TaperlineError) -> int:
    """The one mapping from error class to exit code."""
    return EXIT_DATA if isinstance(error, CatalogueError) else EXIT_INPUT


def fail(message: str, code: int = EXIT_INPUT) -> NoReturn:
    """Print one clear line to stderr and exit (never a traceback)."""
    click.echo(f"taperline: error: {message}", err=True)
    sys.exit(code)


class LazyGroup(click.Group):
    """A group that imports a subcommand's module only when that command is needed."""

    def list_commands(self, ctx: click.Context) -> list[str]:  # noqa: ARG002 -- Click's signature
        """All command names, in the documented order."""
        return list(COMMANDS)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:  # noqa: ARG002 -- Click's signature
        """The command list of ``taperline --help`` from :data:`SUMMARIES`, importing none.

        Click would import every command (the web server's libraries included) to ask its
        short help; a test checks each summary against its command's own help text.
        """
        limit = formatter.width - 6 - max(len(name) for name in COMMANDS)
        rows = [
            (name, click.Command(name, help=SUMMARIES[name]).get_short_help_str(limit))
            for name in COMMANDS
        ]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:  # noqa: ARG002
        """Import and return one command, or None if unknown."""
        if cmd_name not in COMMANDS:
            return None
        module_name, attribute = COMMANDS[cmd_name]
        if _KEEP_DATACLASS_CODE and cmd_name not in RUNS_UNTIL_STOPPED:  # before its imports
            from taperline import dataclass_code

            dataclass_code.install()
        command = getattr(importlib.import_module(module_name), attribute)
        assert isinstance(command, click.Command)  # noqa: S101 -- a programming error, not input
        return command

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """Parse the group's own options; a usage error is one line."""
        try:
            return super().parse_args(ctx, args)
        except click.exceptions.NoArgsIsHelpError:
            raise  # the help itself, not an error
        except click.UsageError as error:
            usage_error(error)

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command, turning taperline and usage errors into one line and an exit code."""
        try:
            return super().invoke(ctx)
        except TaperlineError as error:
            fail(str(error), exit_code_for(error))
        except click.exceptions.NoArgsIsHelpError:
            raise  # `taperline journal` alone shows the group's help
        except click.UsageError as error:
            usage_error(error)


def usage_error(error: click.UsageError) -> NoReturn:
    """A Click usage error as one line, with where to find help (not Click's four lines)."""
    where = f" (see `{error.ctx.command_path} --help`)" if error.ctx is not None else ""
    fail(f"{error.format_message()}{where}", error.exit_code)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="taperline")
def cli() -> None:
    """Taperline: understand clonazepam, simulate a regimen, and plan a safe, slow taper.

    Taperline supports your prescriber's decisions; it does not replace them.
    Never stop a benzodiazepine abruptly: sudden stopping can cause seizures.
    """


def main() -> None:
    """Console-script entry point, with the cyclic garbage collector off.

    A command is a short process: nearly everything it makes is a module, a class or a
    function that lives until it exits. CPython's collector walks those again and again as
    they are made (tens of collections and a full one on a journal command: about a sixth of
    ``taperline status``'s time in ``bench/cli.py``) and frees nothing; reference counting
    still frees everything else, and the peak memory of ``report``, ``export`` and a
    population ``simulate`` is the same without it. ``serve`` runs until stopped, so it turns
    the collector back on (:func:`collector_on`).

    The dataclasses' compiled methods are kept between runs (:mod:`taperline.dataclass_code`),
    installed when a command is looked up (``taperline --help`` makes no dataclass), but for
    ``serve``.
    """
    global _KEEP_DATACLASS_CODE  # noqa: PLW0603 -- set once, by the console script only
    gc.disable()
    _KEEP_DATACLASS_CODE = True
    cli(prog_name="taperline")


def collector_on() -> None:
    """Turn the cyclic garbage collector back on, for a command that runs until stopped."""
    gc.enable()
