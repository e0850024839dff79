"""The quick check-in on the CLI (issue 16, section 2), and a checklist never stored as zeros.

``taperline checkin --quick --slept 6h30 --quality 3 --mood 6 --anxiety 4 --dose 22:00=taken``
stores the night as the person's estimate, no symptom checklist, and last night's dose; on a
terminal the quick check-in is asked unless the day calls for the full one. A full check-in
given without ``--symptom`` stores the checklist as not filled in; ``--symptom none`` says none.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from taperline.cli.main import cli
from taperline.service import open_store
from taperline.service.quick import CONFIRMED_NOTE

NOW = "2027-01-06T08:00+00:00"  # 08:00 in London: the morning after the night of the 5th
NIGHT = [
    "--bed", "23:10", "--tried", "23:20", "--sol-min", "30", "--awakenings", "2",
    "--waso-min", "40", "--final-wake", "06:30", "--out-of-bed", "06:45", "--quality", "3",
]  # fmt: skip
QUICK = ["--quick", "--slept", "6h30", "--quality", "3", "--mood", "6", "--anxiety", "4"]


class Cli:
    """`taperline` on one SQLite file with the clock fixed."""

    def __init__(self, url: str) -> None:
        self.url = url

    def __call__(self, *args: str, input: str | None = None, now: str = NOW) -> Result:
        env = {"TAPERLINE_DATABASE_URL": self.url, "TAPERLINE_NOW": now}
        return CliRunner().invoke(cli, list(args), input=input, env=env)

    def ok(self, *args: str, input: str | None = None, now: str = NOW) -> Result:
        result = self(*args, input=input, now=now)
        assert result.exit_code == 0, (args, result.stdout, result.stderr, result.exception)
        return result

    def day(self, wake: str) -> dict[str, Any]:
        listed = json.loads(
            self.ok("journal", "list", "--from", wake, "--to", wake, "--format", "json").stdout
        )
        assert len(listed) == 1, listed
        found: dict[str, Any] = listed[0]
        return found


def refused(result: Result, *words: str) -> None:
    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr)
    assert result.stderr.startswith("taperline: error:"), result.stderr
    for word in words:
        assert word in result.stderr, result.stderr


@pytest.fixture
def me(tmp_path: Path) -> Cli:
    """A person in London on their usual 0.5 mg at 22:00."""
    runner = Cli(f"sqlite:///{tmp_path}/t.db")
    runner.ok(
        "init", "--time-zone", "Europe/London", "--age-band", "40-64",
        "--drug", "clonazepam", "--dose", "0.5 mg", "--at", "22:00",
        now="2027-01-01T12:00+00:00",
    )  # fmt: skip
    return runner


def test_a_quick_check_in_stores_the_estimate_no_checklist_and_the_dose(me: Cli) -> None:
    out = me.ok("checkin", *QUICK, "--dose", "22:00=taken").stdout
    assert "Saved: check-in for 2027-01-06." in out
    assert "Logged: the 22:00 dose of 2027-01-05, taken." in out
    day = me.day("2027-01-06")
    assert day["sleep"] is None
    assert day["reported_sleep"] == {"asleep_min": 390, "quality_1_5": 3}
    assert (day["symptoms_rated"], day["symptoms_0_3"], day["burden"]) == (False, {}, None)
    # drinks and opioids were not asked: null, never 0 or false (helper-62's walk)
    assert day["substances_asked"] is False
    assert [day[k] for k in ("caffeine_drinks", "alcohol_drinks", "opioid_use")] == [None] * 3
    (dose,) = open_store(me.url).doses(1, date(2027, 1, 5), date(2027, 1, 5))
    assert dose.planned_clock == "22:00"
    assert dose.taken_at is not None
    assert dose.taken_at.strftime("%H:%M") == "22:00"
    assert dose.note == CONFIRMED_NOTE


def test_a_quick_check_in_with_a_drink_given_asks_the_three(me: Cli) -> None:
    me.ok("checkin", *QUICK, "--alcohol", "2")
    day = me.day("2027-01-06")
    assert day["substances_asked"] is True
    assert [day[k] for k in ("caffeine_drinks", "alcohol_drinks", "opioid_use")] == [0, 2, False]


def test_a_missed_dose_is_logged_as_missed(me: Cli) -> None:
    me.ok("checkin", *QUICK, "--dose", "22:00=missed")
    (dose,) = open_store(me.url).doses(1, date(2027, 1, 5), date(2027, 1, 5))
    assert dose.taken_at is None


@pytest.mark.parametrize(
    ("args", "words"),
    [
        ((*QUICK, "--bed", "23:00"), ("--slept gives the night in brief", "--bed")),
        (("--slept", "6h", "--mood", "5", "--anxiety", "5"), ("--slept needs --quality",)),
        ((*QUICK, "--symptom", "tremor=1"), ("--quick does not ask the symptom checklist",)),
        ((*QUICK, "--dose", "22:00=maybe"), ("--dose", "22:00=taken")),
        ((*QUICK, "--dose", "25:00=taken"), ("--dose", "25:00")),
        ((*QUICK, "--dose", "21:00=taken"), ("21:00",)),
        (("--slept", "6h75", "--quality", "3", "--mood", "5", "--anxiety", "5"), ("6h75",)),
        (("--symptom", "none", "--symptom", "tremor=1", "--no-sleep", "--mood", "5",
          "--anxiety", "5"), ("--symptom none",)),
    ],
)  # fmt: skip
def test_bad_quick_input_is_refused_and_nothing_written(
    me: Cli, args: tuple[str, ...], words: tuple[str, ...]
) -> None:
    refused(me("checkin", "--no-ask", *args), *words)
    listed = me.ok("journal", "list", "--format", "json").stdout
    assert json.loads(listed) == []


def test_no_symptom_flag_is_no_checklist_and_none_is_a_checklist_of_none(me: Cli) -> None:
    me.ok("checkin", "--date", "2027-01-05", *NIGHT, "--mood", "6", "--anxiety", "4")
    unrated = me.day("2027-01-05")
    assert (unrated["symptoms_rated"], unrated["burden"]) == (False, None)
    me.ok("checkin", *NIGHT, "--mood", "6", "--anxiety", "4", "--symptom", "none")
    rated = me.day("2027-01-06")
    assert (rated["symptoms_rated"], rated["symptoms_0_3"], rated["burden"]) == (True, {}, 8)


def test_the_terminal_asks_the_quick_check_in_the_day_after_a_full_one(me: Cli) -> None:
    me.ok("checkin", "--date", "2027-01-05", *NIGHT, "--mood", "6", "--anxiety", "4",
          "--symptom", "tremor=1")  # fmt: skip
    # about 6 h 30 min, quality 4, mood 7, anxiety 3, last night's 22:00 dose taken
    asked = me.ok("checkin", "--ask", input="nonsense\n6h30\n4\n7\n3\ntaken\n")
    out = asked.stdout
    assert "A quick check-in today (--full for the whole diary)." in out
    assert "About how long did you sleep?" in out
    assert "is not a time asleep" in out  # asked again, nothing lost
    assert "Last night's 22:00 dose (0.5 mg clonazepam)" in out
    assert "Went to bed" not in out
    day = me.day("2027-01-06")
    assert day["reported_sleep"] == {"asleep_min": 390, "quality_1_5": 4}
    assert (day["mood_0_10"], day["anxiety_0_10"], day["symptoms_rated"]) == (7, 3, False)
    (dose,) = open_store(me.url).doses(1, date(2027, 1, 5), date(2027, 1, 5))
    assert dose.taken_at is not None


def test_the_first_check_in_on_a_terminal_is_the_full_one(me: Cli) -> None:
    first = me("checkin", "--ask", input="n\n")
    assert "The full check-in: a first full check-in is your starting point" in first.stdout
    assert "Fill in last night's sleep diary?" in first.stdout


def test_editing_a_quick_check_in_keeps_the_night_in_brief(me: Cli) -> None:
    me.ok("checkin", *QUICK)
    me.ok("journal", "edit", "2027-01-06", "--quality", "5")
    assert me.day("2027-01-06")["reported_sleep"] == {"asleep_min": 390, "quality_1_5": 5}
    me.ok("journal", "edit", "2027-01-06", "--slept", "7h")
    assert me.day("2027-01-06")["reported_sleep"] == {"asleep_min": 420, "quality_1_5": 5}
