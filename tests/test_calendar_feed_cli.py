"""`taperline calendar feed|status|revoke|settings`, and the one-off export that updates.

The link the CLI prints is the one the web app answers (same store); revoking it makes the
web app answer 410; settings are those the feed follows. Two `export ics` runs in sequence
after a hold: the second bumps SEQUENCE and cancels the held cuts (issue 20).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from fastapi.testclient import TestClient
from icalendar import Calendar

from taperline.cli.main import cli
from taperline.web.app import create_app
from taperline.web.settings import Settings

START = "2027-03-01T10:00:00+00:00"
LATER = "2027-03-20T10:00:00+00:00"


@pytest.fixture
def db(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'c.db'}"


@pytest.fixture
def run(db: str) -> Callable[..., Result]:
    """A person with an approved plan (first cut 2027-03-15)."""

    def invoke(*args: str, now: str = START) -> Result:
        env = {"TAPERLINE_DATABASE_URL": db, "TAPERLINE_NOW": now}
        return CliRunner().invoke(cli, list(args), env=env)

    assert invoke("init", "--time-zone", "Europe/London", "--no-ask").exit_code == 0
    plan = ("plan", "clonazepam", "--dose", "1 mg", "--at", "22:00", "--start", "today", "--save")
    assert invoke(*plan).exit_code == 0
    assert invoke("plan", "approve", "--by", "Dr Lee", "--reason", "Agreed.").exit_code == 0
    return invoke


def _ok(result: Result) -> str:
    assert result.exit_code == 0, result.output
    return result.output


def _path(output: str) -> str:
    found = re.search(r"https://taperline\.example\.org(/calendar/[A-Za-z0-9_-]{43}\.ics)", output)
    assert found, output
    return found.group(1)


def test_feed_status_settings_and_revoke(run: Callable[..., Result], db: str) -> None:
    assert "No calendar link is on" in _ok(run("calendar", "status"))
    made = _ok(run("calendar", "feed", "--base-url", "https://taperline.example.org/"))
    path = _path(made)
    assert f"webcal://taperline.example.org{path}" in made
    assert "Your calendar link is on" in _ok(run("calendar", "status"))
    saved = _ok(run("calendar", "settings", "--remind", "doses,changes", "--checkin-at", "7:45"))
    assert "Reminders: doses, changes; check-in at 07:45" in saved
    assert "Reminders: doses, changes" in _ok(run("calendar", "status"))
    bad = run("calendar", "settings", "--remind", "naps")
    assert bad.exit_code == 2
    assert "naps" in bad.output

    with TestClient(create_app(Settings.for_tests(db))) as app:
        answer = app.get(path)
        assert answer.status_code == 200
        kinds = {str(c) for e in Calendar.from_ical(answer.content).events for c in e.categories}
        assert kinds == {"taperline", "Dose", "Dose change"}
        assert "Your calendar link is off" in _ok(run("calendar", "revoke"))
        assert app.get(path).status_code == 410
    assert "No calendar link was on" in _ok(run("calendar", "revoke"))


def _events(path: Path) -> dict[str, Any]:
    return {str(e["UID"]): e for e in Calendar.from_ical(path.read_bytes()).events}


def test_a_second_export_after_a_hold_updates_and_cancels(
    run: Callable[..., Result], tmp_path: Path
) -> None:
    first, second = tmp_path / "1.ics", tmp_path / "2.ics"
    _ok(run("export", "ics", "--out", str(first)))
    hold = ("plan", "hold", "--by", "Dr Lee", "--reason", "A wave.")
    _ok(run(*hold, now=LATER))
    _ok(run("export", "ics", "--out", str(second), now=LATER))
    before, after = _events(first), _events(second)
    assert set(before) <= set(after)
    cancelled = {u for u, e in after.items() if str(e.get("STATUS", "")) == "CANCELLED"}
    assert cancelled
    assert all(after[u]["SEQUENCE"] > before[u]["SEQUENCE"] for u in cancelled)
    live = set(after) - cancelled
    assert all(after[u]["SEQUENCE"] >= before[u]["SEQUENCE"] for u in live & set(before))


def test_the_export_follows_the_reminder_settings(
    run: Callable[..., Result], tmp_path: Path
) -> None:
    out = tmp_path / "quiet.ics"
    _ok(run("calendar", "settings", "--remind", "doses,changes", "--discreet"))
    _ok(run("export", "ics", "--out", str(out)))
    events = _events(out).values()
    assert {str(e["SUMMARY"]) for e in events} >= {"Evening dose", "Dose change"}
    assert not [e for e in events if "check-in" in str(e["SUMMARY"])]
    assert "clonaze" not in " ".join(str(e["SUMMARY"]) for e in events).lower()


def test_cancellations_are_pruned_once_sent_30_days_and_past_and_the_store_keeps_them(
    run: Callable[..., Result], tmp_path: Path, db: str
) -> None:
    from taperline.adapters.ics_sequence import last_moment
    from taperline.service import open_store

    _ok(run("export", "ics", "--out", str(tmp_path / "1.ics")))
    _ok(run("plan", "hold", "--by", "Dr Lee", "--reason", "A wave.", now=LATER))
    _ok(run("export", "ics", "--out", str(tmp_path / "2.ics"), now=LATER))
    second = _events(tmp_path / "2.ics")
    cancelled = {u for u, e in second.items() if str(e.get("STATUS", "")) == "CANCELLED"}
    much_later = "2027-05-01T10:00:00+00:00"  # 42 days after the hold's export
    _ok(run("export", "ics", "--out", str(tmp_path / "3.ics"), now=much_later))
    third = _events(tmp_path / "3.ics")
    gone = cancelled - set(third)
    assert gone  # the cuts from before 1 May
    assert cancelled - gone  # the cuts still to come stay cancelled in the file

    stored = {e.uid: e for e in open_store(db).issued_events(1)}
    over = datetime.fromisoformat(much_later)
    assert all((last_moment(stored[u].text) or over) < over for u in gone)  # all past
    assert all(str(third[u]["STATUS"]) == "CANCELLED" for u in cancelled - gone)
    assert all(stored[u].cancelled for u in gone)
    assert all(stored[u].sequence == second[u]["SEQUENCE"] for u in gone)
