"""`taperline journal delete` prints `taperline journal restore CODE`, which puts the day back
exactly as it was stored.

It printed a `taperline checkin` command, whose flags cannot say "not asked": a quick
check-in came back with its drinks 'none' (asked, 0) and without its night in brief, a
checklist rated with no symptom came back not rated, a copy came back as the person's own.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from taperline.adapters.csvio import checkin_code, checkin_of_code
from taperline.core.journal import CheckIn, ReportedSleep
from taperline.core.record import Profile
from taperline.errors import InputError
from tests.strategies import csv_checkins
from tests.support.journal_cli import Taperline, one_person, refused

DAY = date(2027, 1, 5)


@pytest.fixture
def me(tmp_path: Path) -> Taperline:
    return one_person(tmp_path)


def _deleted(tl: Taperline, *person: str) -> list[str]:
    """Delete DAY's check-in; the words of the printed command that puts it back."""
    out = tl.ok("journal", "delete", DAY.isoformat(), "--yes", *person).stdout.splitlines()
    assert out[0] == f"Deleted: check-in for {DAY.isoformat()}."
    prefix = "To put it back: taperline journal restore "
    assert out[1].startswith(prefix)
    assert " " not in out[1].removeprefix(prefix).removesuffix(f" {' '.join(person)}")
    return out[1].removeprefix("To put it back: taperline ").split()


def test_a_quick_check_in_comes_back_as_it_was(me: Taperline) -> None:
    me.ok("checkin", "--date", DAY.isoformat(), "--quick", "--slept", "6h30", "--quality", "4",
          "--mood", "6", "--anxiety", "3", "--no-ask")  # fmt: skip
    store = me.store()
    [before] = store.checkins(1)
    assert before.reported_sleep == ReportedSleep(390, 4)
    assert not before.symptoms_rated
    assert not before.substances_asked
    words = _deleted(me)
    assert store.checkins(1) == []
    out = me.ok(*words).stdout
    assert out.strip() == f"Put back: check-in for {DAY.isoformat()}."
    assert store.checkins(1) == [before]
    # the same code again: the day is back already, stored once
    me.ok(*words)
    assert store.checkins(1) == [before]


def test_a_day_checked_in_again_is_not_overwritten_and_a_changed_code_is_refused(
    me: Taperline,
) -> None:
    me.ok("checkin", "--date", DAY.isoformat(), "--no-sleep", "--mood", "6", "--anxiety", "4",
          "--symptom", "none", "--no-ask")  # fmt: skip
    words = _deleted(me)
    code = words[-1]
    for bad in (code[:-6], code.replace(".", ".x", 1), "00000000." + code.split(".")[1], "hello"):
        refused(me("journal", "restore", bad), "not a check-in this version of taperline wrote")
    assert me.store().checkins(1) == []
    me.ok("checkin", "--date", DAY.isoformat(), "--no-sleep", "--mood", "2", "--anxiety", "8",
          "--no-ask")  # fmt: skip
    again = me.store().checkins(1)
    refused(me(*words), "there is already a check-in for 2027-01-05")
    assert me.store().checkins(1) == again


def test_red_flags_are_said_again_and_the_person_named(me: Taperline) -> None:
    assert me.store().create_person(Profile("America/New_York", label="B")) == 2
    me.ok("checkin", "--person", "2", "--date", DAY.isoformat(), "--no-sleep", "--mood", "3",
          "--anxiety", "7", "--event", "seizure", "--no-ask")  # fmt: skip
    words = _deleted(me, "--person", "2")
    assert words[-2:] == ["--person", "2"]
    restored = me.ok(*words)
    assert "seizure" in restored.stderr.lower()
    assert [c.events for c in me.store().checkins(2)] == [frozenset({"seizure"})]
    lines = me.audit_lines(2)
    assert ("restore", "check-in 2027-01-05 (mood 3, anxiety 7, no night)") in lines


@settings(max_examples=200)
@given(csv_checkins(), st.data())
def test_the_code_gives_back_every_field_and_refuses_a_cut_one(
    checkin: CheckIn, data: st.DataObject
) -> None:
    code = checkin_code(checkin, person_id=1)
    assert re.fullmatch(r"[0-9a-f]{8}\.[A-Za-z0-9_=-]+", code), code  # one word in a shell
    assert checkin_of_code(code, person_id=1) == checkin
    for copied in (f"  {code}\n", f"'{code}'", f'"{code}"', f"\u2018{code}\u2019"):
        assert checkin_of_code(copied, person_id=1) == checkin  # spaces, quotes kept round it
    with pytest.raises(InputError, match="from another person's"):
        checkin_of_code(code, person_id=2)
    cut = data.draw(st.integers(1, len(code) - 1))
    with pytest.raises(InputError, match="copy it whole"):
        checkin_of_code(code[:cut], person_id=1)


def test_a_code_of_other_columns_is_refused() -> None:
    checkin = CheckIn(DAY, None, mood=6, anxiety=4, notes='a\r\nb, "c"\n=1')
    assert checkin_of_code(checkin_code(checkin, person_id=1), person_id=1) == checkin
    tag, body = checkin_code(checkin, person_id=1).split(".")
    for other in ("00000000", tag[::-1]):
        with pytest.raises(InputError, match="this version of taperline"):
            checkin_of_code(f"{other}.{body}", person_id=1)
