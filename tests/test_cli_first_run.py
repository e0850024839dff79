"""The first run on a terminal (issue 14): `init` defaults nothing it cannot know, the prompts
list the real choices, and a day can be typed as `today` or `yesterday`.

Each test plays a person at a terminal: `taperline.cli.session.on_terminal` says yes, and the
runner's input is what they type.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from taperline.cli import session
from taperline.cli.main import cli
from taperline.service import open_store

# 03:00 UTC on 6 January is still the evening of the 5th in New York: "today" is the 5th there.
NOW = "2027-01-06T03:00+00:00"
TODAY = date(2027, 1, 5)
SLEEP = [
    "--bed", "23:10", "--tried", "23:10", "--sol-min", "30", "--awakenings", "2",
    "--waso-min", "40", "--final-wake", "06:30", "--out-of-bed", "06:30", "--quality", "3",
]  # fmt: skip


class Person:
    """The `taperline` command on a terminal, on a database of the test's own."""

    def __init__(self, tmp_path: Path) -> None:
        self.url = f"sqlite:///{tmp_path}/t.db"

    def __call__(self, *args: str, input: str | None = None) -> Result:
        env = {"TAPERLINE_DATABASE_URL": self.url, "TAPERLINE_NOW": NOW}
        return CliRunner().invoke(cli, list(args), input=input, env=env, prog_name="taperline")

    def ok(self, *args: str, input: str | None = None) -> Result:
        result = self(*args, input=input)
        assert result.exit_code == 0, (args, result.output, result.exception)
        return result


@pytest.fixture
def person(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Person:
    monkeypatch.setattr(session, "on_terminal", lambda: True)
    return Person(tmp_path)


def test_init_on_a_terminal_asks_for_the_zone_with_no_default_and_asks_again(
    person: Person,
) -> None:
    # Enter (no answer), a region, then a real zone; Enter skips the age band.
    result = person.ok("init", input="\nEurope\nEurope/London\n\n\n\n\n")
    out = result.output
    assert "UTC" not in out
    assert "Time zone (IANA name, e.g. Europe/London): " in out
    assert "'Europe' is a region" in out  # said at the prompt, then asked again
    assert out.count("Time zone (IANA name") == 3
    assert "18-39" in out  # listed as a choice ...
    assert "[18-39]" not in out  # ... but never the default
    assert "blank to skip" in out
    profile = open_store(person.url).profile(1)
    assert profile.time_zone == "Europe/London"
    assert profile.age_band is None


def test_init_asked_again_offers_what_the_profile_holds(person: Person) -> None:
    person.ok("init", "--time-zone", "Europe/Paris", "--age-band", "40-64")
    out = person.ok("init", input="\n\n\n\n\n").output
    assert "[Europe/Paris]" in out
    assert "[40-64]" in out
    profile = open_store(person.url).profile(1)
    assert (profile.time_zone, profile.age_band) == ("Europe/Paris", "40-64")


def test_init_takes_an_age_band_typed_at_the_prompt(person: Person) -> None:
    person.ok("init", input="America/New_York\n65-79\n\n\n\n")
    assert open_store(person.url).profile(1).age_band == "65-79"


def test_the_worst_time_prompt_lists_the_real_choices(person: Person) -> None:
    person.ok("init", "--time-zone", "America/New_York")
    # Mood 6, anxiety 4, "no" to symptoms (asked, never assumed), then the worst time.
    result = person.ok("checkin", "--no-sleep", input="6\n4\nn\nevening\n")
    assert "Any withdrawal symptoms today? [y/n]: " in result.output
    assert "Worst time of day (morning, afternoon, evening, night; blank if none): " in (
        result.output
    )
    assert "(, " not in result.output
    assert open_store(person.url).checkin(1, TODAY).worst_time == "evening"


def test_a_first_check_in_has_no_made_up_mood(person: Person) -> None:
    person.ok("init", "--time-zone", "America/New_York")
    # Enter at the mood prompt asks again (no default), then 7; anxiety 3; no symptoms.
    result = person.ok("checkin", "--no-sleep", input="\n7\n3\nn\n\n")
    assert "Mood 0-10: " in result.output
    assert "[5]" not in result.output
    saved = open_store(person.url).checkin(1, TODAY)
    assert (saved.mood, saved.anxiety, saved.worst_time) == (7, 3, None)


def test_days_can_be_typed_as_today_or_yesterday_in_the_persons_zone(person: Person) -> None:
    person.ok("init", "--time-zone", "America/New_York")
    values = [*SLEEP, "--mood", "6", "--anxiety", "4"]
    assert "2027-01-04" in person.ok("checkin", "--date", "yesterday", *values).output
    assert "2027-01-05" in person.ok("checkin", "--date", "Today", *values).output
    person.ok("journal", "edit", "yesterday", "--mood", "8")
    store = open_store(person.url)
    assert store.checkin(1, date(2027, 1, 4)).mood == 8
    listed = person.ok("journal", "list", "--from", "yesterday", "--to", "today").output
    assert "2027-01-04" in listed
    assert "2027-01-05" in listed
    person.ok("journal", "delete", "today", "--yes")
    assert [c.day for c in open_store(person.url).checkins(1, TODAY, TODAY)] == []


def test_a_day_word_that_is_not_one_is_refused_naming_the_words(person: Person) -> None:
    result = person("checkin", "--date", "tomorrow")
    assert result.exit_code == 2
    assert "today or yesterday" in result.stderr
