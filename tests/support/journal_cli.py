"""The ``taperline`` command run in process on one database, with the clock fixed
(tests/test_cli_journal.py, tests/test_findings_large_dose.py).

:class:`Taperline` runs a command by Click's runner with ``TAPERLINE_DATABASE_URL`` and
``TAPERLINE_NOW`` set; :func:`refused` checks a refusal (exit 2, one line that names the
field). ``PLAN`` is the journal tests' clonazepam plan, proposed at ``PLANNED``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from taperline.adapters.storage.repo import Store
from taperline.cli.main import cli
from taperline.service import open_store

# 20:00 UTC is 20:00 in London in January: "today" is 2027-01-05 for a Europe/London profile.
NOW = "2027-01-05T20:00+00:00"
PLANNED = "2027-01-03T20:00+00:00"  # the plan is proposed before it starts (no past start)
PLAN = ["plan", "clonazepam", "--dose", "1 mg", "--at", "22:00", "--start", "2027-01-04"]


@dataclass
class Taperline:
    """The `taperline` command on one database, with the clock fixed."""

    url: str
    now: str = NOW

    def __call__(self, *args: str, input: str | None = None, now: str | None = None) -> Result:
        env = {"TAPERLINE_DATABASE_URL": self.url, "TAPERLINE_NOW": now or self.now}
        return CliRunner().invoke(cli, list(args), input=input, env=env)

    def ok(self, *args: str, input: str | None = None, now: str | None = None) -> Result:
        result = self(*args, input=input, now=now)
        assert result.exit_code == 0, (args, result.stdout, result.stderr, result.exception)
        return result

    def json(self, *args: str, now: str | None = None) -> Any:
        return json.loads(self.ok(*args, "--format", "json", now=now).stdout)

    def journal(self, *extra: str) -> list[dict[str, Any]]:
        """Every check-in of 2026 and 2027 as JSON."""
        result: list[dict[str, Any]] = self.json(
            "journal", "list", "--from", "2026-01-01", "--to", "2027-12-31", *extra
        )
        return result

    def store(self) -> Store:
        return open_store(self.url)

    def audit_lines(self, person_id: int = 1) -> list[tuple[str, str]]:
        """The person's audit log as (action, object), each written at this computer."""
        from taperline.adapters.storage.accounts import Accounts
        from taperline.adapters.storage.db import make_engine
        from taperline.service import AT_THIS_COMPUTER

        engine = make_engine(self.url)
        try:
            entries = Accounts(engine).audit_of(person_id)
        finally:
            engine.dispose()
        assert {e.actor for e in entries} == {AT_THIS_COMPUTER}
        return [(e.action, e.object) for e in entries]


#: A night of 16 h 25 min (19:40 to 12:05) as the check-in's clock options: asked about.
LONG_NIGHT_CLOCKS: tuple[str, ...] = (
    "--bed", "19:30", "--tried", "19:40", "--final-wake", "12:05", "--out-of-bed", "12:30",
)  # fmt: skip


def refused(result: Result, *words: str, usage: bool = False) -> None:
    """Exit 2 with one clear line on stderr that names ``words``.

    Taperline's own refusals and Click's usage errors (an unknown choice, a missing required
    option: ``usage``) alike are one line that begins ``taperline: error:``; a usage error
    also says where the command's help is.
    """
    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr)
    assert result.stderr.startswith("taperline: error:"), result.stderr
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert "Traceback" not in result.stderr
    if usage:
        assert "--help" in result.stderr, result.stderr
    for word in words:
        assert word in result.stderr, (word, result.stderr)


def one_person(folder: Path) -> Taperline:
    """A new database in ``folder`` with one person in Europe/London (``taperline init``)."""
    tl = Taperline(f"sqlite:///{folder}/t.db")
    tl.ok("init", "--time-zone", "Europe/London", "--age-band", "40-64")
    return tl
