"""The journal commands end to end through the CLI (issue 4, sections 6 and 7).

`init`, `plan ... --save` and the plan decisions, `checkin`, `log-dose`, `journal
list|edit|delete`, `status`, `findings`, `phq9` and `gad7`, each run by Click's runner on a
SQLite file of the test's own, with the clock fixed by ``TAPERLINE_NOW``. Bad input must exit
2 with a message naming the field, and write nothing.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from taperline.cli import session
from taperline.cli.main import cli
from taperline.core.journal import CheckIn
from taperline.core.record import Profile
from tests.support.journal_cli import PLAN, PLANNED, Taperline, refused

FIRST_CUT = date(2027, 1, 18)  # 14 days of stabilisation, then the first 10 % cut
# The check-in example of issue 4, section 6 (without its --date).
EXAMPLE = [
    "--bed", "23:10", "--tried", "23:20", "--sol-min", "30", "--awakenings", "2",
    "--waso-min", "40", "--final-wake", "06:30", "--out-of-bed", "06:45", "--quality", "3",
    "--mood", "6", "--anxiety", "4", "--symptom", "tremor=1", "--symptom", "insomnia=2",
    "--worst-time", "evening",
]  # fmt: skip
FINDING_KEYS = {
    "kind",
    "severity",
    "message",
    "evidence",
    "source",
    "suggested_action",
    "clinician_flag",
}
STATUS_KEYS = {
    "today",
    "plan",
    "checked_in_today",
    "doses_today",
    "next_change",
    "findings",
    "proposal",
    "skipped",
    "last_14_days",
    "pending_version",
    "questionnaire_due",
    "urgent_findings",
    "readiness",
}


@pytest.fixture
def tl(tmp_path: Path) -> Taperline:
    """An empty database (no profile yet)."""
    return Taperline(f"sqlite:///{tmp_path}/t.db")


@pytest.fixture
def me(tl: Taperline) -> Taperline:
    """A database with one person in Europe/London."""
    tl.ok("init", "--time-zone", "Europe/London", "--age-band", "40-64")
    return tl


@pytest.fixture
def approved(me: Taperline) -> Taperline:
    """The person with an active clonazepam plan (1 mg at 22:00 from 2027-01-04)."""
    me.ok(*PLAN, "--save", now=PLANNED)
    me.ok("plan", "approve", "--by", "Dr Lee", "--reason", "agreed at the visit")
    return me


def checkin(tl: Taperline, day: str, *values: str, now: str | None = None) -> Result:
    return tl("checkin", "--date", day, *(values or EXAMPLE), now=now)


# --- init -----------------------------------------------------------------------------------


def test_init_with_flags_creates_the_profile(tl: Taperline) -> None:
    out = tl.ok(
        "init",
        "--time-zone", "Europe/London",
        "--age-band", "65-79",
        "--condition", "insomnia",
        "--condition", "epilepsy",
        "--medicine", "sertraline",
        "--label", "Pat",
    ).stdout  # fmt: skip
    assert "Profile created (Europe/London)" in out
    store = tl.store()
    assert store.person_ids() == [1]
    profile = store.profile(1)
    assert profile.time_zone == "Europe/London"
    assert profile.age_band == "65-79"
    assert set(profile.conditions) == {"insomnia", "epilepsy"}
    assert profile.other_medicines == ("sertraline",)
    assert profile.label == "Pat"


def test_init_again_updates_the_one_profile_and_keeps_what_is_not_given(tl: Taperline) -> None:
    tl.ok("init", "--time-zone", "Europe/London", "--age-band", "40-64", "--condition", "insomnia")
    out = tl.ok("init", "--time-zone", "America/New_York").stdout
    assert "Profile updated (America/New_York)" in out
    store = tl.store()
    assert store.person_ids() == [1]
    profile = store.profile(1)
    assert profile.time_zone == "America/New_York"
    assert profile.age_band == "40-64"
    assert profile.conditions == ("insomnia",)


def test_init_ask_takes_the_answers_and_reinit_keeps_them_on_enter(tl: Taperline) -> None:
    result = tl.ok("init", "--ask", input="Europe/Paris\n65-79\nepilepsy, insomnia\n\n\n")
    assert "Time zone" in result.stdout
    assert "Age band" in result.stdout
    profile = tl.store().profile(1)
    assert profile.time_zone == "Europe/Paris"
    assert profile.age_band == "65-79"
    assert set(profile.conditions) == {"epilepsy", "insomnia"}
    assert profile.other_medicines == ()
    # Asked again, Enter accepts the current values as the defaults.
    result = tl.ok("init", "--ask", input="\n\n\n\n\n")
    assert "[Europe/Paris]" in result.stdout
    assert "Profile updated" in result.stdout
    assert tl.store().profile(1) == profile


def test_init_refuses_an_unknown_time_zone_and_writes_nothing(tl: Taperline) -> None:
    refused(tl("init", "--time-zone", "Mars/Olympus_Mons"), "--time-zone", "Mars/Olympus_Mons")
    assert tl.store().person_ids() == []
    tl.ok("init", "--time-zone", "Europe/London")
    refused(tl("init", "--time-zone", "Europe/Nowhere"), "--time-zone")
    assert tl.store().profile(1).time_zone == "Europe/London"


@pytest.mark.parametrize(
    "args",
    [
        ("checkin", "--date", "2027-01-05", *EXAMPLE),
        ("status",),
        ("findings",),
        ("journal", "list"),
        ("log-dose",),
        ("phq9", "--answers", "0,0,0,0,0,0,0,0,0"),
        ("plan", "history"),
        ("plan", "approve", "--by", "Dr Lee", "--reason", "agreed"),
        (*PLAN, "--save"),
    ],
    ids=lambda args: " ".join(args[:2]),
)
def test_commands_before_init_say_to_run_init(tl: Taperline, args: tuple[str, ...]) -> None:
    refused(tl(*args), "taperline init")


# --- plan versions ----------------------------------------------------------------------------


def _starts(version: dict[str, Any]) -> list[date]:
    return [date.fromisoformat(s["start_date"]) for s in version["steps"]]


def test_plan_save_approve_hold_adjust_reject_keeps_every_version(me: Taperline) -> None:
    saved = me.ok(*PLAN, "--save", now=PLANNED)
    assert "Saved as plan version 1 (proposed)" in saved.stderr
    [v1] = me.json("plan", "history")
    assert (v1["version"], v1["status"], v1["drug"]) == (1, "proposed", "clonazepam")
    assert v1["proposed_by"] == "patient"
    assert v1["decided_by"] is None
    assert _starts(v1)[:2] == [date(2027, 1, 4), FIRST_CUT]
    assert "v1 proposed" in me.ok("plan", "history").stdout

    out = me.ok("plan", "approve", "--by", "Dr Lee", "--reason", "agreed at the visit").stdout
    assert "Plan version 2 is active (from version 1), by Dr Lee" in out
    # Approving again, or deciding on a version that is no longer the latest, is refused.
    refused(me("plan", "approve", "--by", "Dr Lee", "--reason", "again"), "active")
    refused(
        me("plan", "hold", "--by", "Dr Lee", "--reason", "x", "--version", "1"),
        "version 1 is not the one to hold (version 2 is)",
    )
    refused(me("plan", "approve", "--reason", "no name"), "--by", usage=True)
    refused(me("plan", "hold", "--by", "Dr Lee"), "--reason", usage=True)
    refused(me("plan", "hold", "--by", "  ", "--reason", "x"), "--by")
    assert len(me.json("plan", "history")) == 2

    me.ok("plan", "hold", "--by", "Dr Lee", "--reason", "flare after the move")
    out = me.ok("plan", "adjust", "--by", "Dr Lee", "--reason", "wait two weeks", "--delay", "14d")
    assert "Plan version 4 is proposed (from version 3)" in out.stdout
    me.ok("plan", "reject", "--by", "Pat", "--reason", "rather hold longer")

    history = me.json("plan", "history")
    assert [v["version"] for v in history] == [1, 2, 3, 4, 5]
    assert [v["status"] for v in history] == ["proposed", "active", "held", "proposed", "rejected"]
    assert [v["parent_version"] for v in history] == [None, 1, 2, 3, 4]
    assert history[1]["decided_by"] == "Dr Lee"
    assert history[1]["reason"] == "agreed at the visit"
    assert history[1]["decided_at_utc"].startswith("2027-01-05T20:00")
    assert history[3]["proposed_by"] == "Dr Lee"
    assert history[4]["decided_by"] == "Pat"
    # No version was overwritten: v1 is still the original proposal.
    assert history[0] == v1
    # adjust postpones the steps that had not started by today (2027-01-05) by 14 days.
    held, adjusted = _starts(history[2]), _starts(history[3])
    assert adjusted[0] == held[0] == date(2027, 1, 4)
    assert adjusted[1:] == [d + timedelta(days=14) for d in held[1:]]
    # The plan followed is the held version: the rejected proposal never applies.
    plan = me.json("status")["plan"]
    assert (plan["version"], plan["status"]) == (3, "held")
    text = me.ok("plan", "history").stdout
    assert "v5 rejected" in text
    assert "rejected by Pat: rather hold longer" in text


# --- check-ins --------------------------------------------------------------------------------


def test_checkin_with_the_issue_flags_and_its_sleep_metrics(me: Taperline) -> None:
    result = checkin(me, "2027-01-05")
    assert result.exit_code == 0, result.stderr
    assert "Saved: check-in for 2027-01-05" in result.stdout
    [entry] = me.json("journal", "list")
    assert entry["date"] == "2027-01-05"
    night = entry["sleep"]
    assert night["bed"] == "2027-01-04T23:10"  # the night belongs to the date of waking
    assert night["final_wake"] == "2027-01-05T06:30"
    assert (night["sol_min"], night["waso_min"], night["awakenings"]) == (30, 40, 2)
    assert night["quality_1_5"] == 3
    # TIB 23:10 -> 06:45 = 455 min; TST = 455 - 10 (bed to trying) - 30 (SOL) - 40 (WASO)
    # - 15 (final wake to out of bed) = 360 min; SE = 360 / 455 = 79.1 %.
    assert night["tib_min"] == 455
    assert night["tst_min"] == 360
    assert night["se_pct"] == pytest.approx(79.1)
    assert (entry["mood_0_10"], entry["anxiety_0_10"]) == (6, 4)
    assert entry["symptoms_0_3"] == {"tremor": 1, "insomnia": 2}
    assert entry["worst_time"] == "evening"
    assert entry["burden"] == 1 + 2 + 4 + (10 - 6)
    table = me.ok("journal", "list").stdout
    assert "2027-01-05" in table
    assert "6.0" in table  # TST in hours


def test_checkin_without_date_is_today_in_the_persons_time_zone(tl: Taperline) -> None:
    tl.ok("init", "--time-zone", "America/New_York")
    late_evening_in_new_york = "2027-01-06T03:00+00:00"  # 22:00 on the 5th in New York
    out = tl.ok(
        "checkin", "--no-sleep", "--mood", "5", "--anxiety", "5", now=late_evening_in_new_york
    )
    assert "check-in for 2027-01-05" in out.stdout
    assert tl.json("status", now=late_evening_in_new_york)["today"] == "2027-01-05"


def test_checkin_key_makes_a_retry_harmless(me: Taperline) -> None:
    first = checkin(me, "2027-01-05", *EXAMPLE, "--key", "phone-42")
    again = checkin(me, "2027-01-05", *EXAMPLE, "--key", "phone-42")
    assert first.exit_code == again.exit_code == 0, again.stderr
    assert "Saved:" in first.stdout
    assert "Already saved: check-in for 2027-01-05" in again.stdout
    assert len(me.journal()) == 1
    assert len(me.store().checkins(1)) == 1


def test_second_checkin_for_a_day_is_refused_and_edit_changes_only_mood(me: Taperline) -> None:
    checkin(me, "2027-01-05")
    before = me.journal()
    refused(checkin(me, "2027-01-05"), "already a check-in for 2027-01-05", "journal edit")
    assert me.journal() == before

    out = me.ok("journal", "edit", "2027-01-05", "--mood", "7").stdout
    assert "Updated: check-in for 2027-01-05" in out
    [after] = me.journal()
    assert after["mood_0_10"] == 7
    assert after["burden"] == before[0]["burden"] - 1
    unchanged = {k: v for k, v in after.items() if k not in {"mood_0_10", "burden"}}
    assert unchanged == {k: v for k, v in before[0].items() if k not in {"mood_0_10", "burden"}}
    assert "Nothing to change" in me.ok("journal", "edit", "2027-01-05", "--mood", "7").stdout
    # A bad edit is refused and leaves the stored check-in as it was.
    edited = me.journal()
    refused(me("journal", "edit", "2027-01-05", "--mood", "11"), "mood")
    refused(me("journal", "edit", "2027-01-05", "--out-of-bed", "06:00"), "out_of_bed")
    assert me.journal() == edited
    refused(me("journal", "edit", "2027-01-03", "--mood", "5"), "2027-01-03")


def test_journal_delete(me: Taperline) -> None:
    checkin(me, "2027-01-05")
    aborted = me("journal", "delete", "2027-01-05", input="n\n")
    assert aborted.exit_code == 1
    assert len(me.journal()) == 1
    assert (
        "Deleted: check-in for 2027-01-05"
        in me.ok("journal", "delete", "2027-01-05", "--yes").stdout
    )
    assert me.journal() == []
    refused(me("journal", "delete", "2027-01-05", "--yes"), "no check-in for 2027-01-05")


def test_interactive_checkin_offers_a_copy_and_fills_in_nothing(me: Taperline) -> None:
    checkin(me, "2027-01-05")
    # Yes: same night; mood 8, anxiety 3; yes: same symptoms; Enter: no worst time.
    answers = "y\n8\n3\ny\n\n"
    result = me.ok(
        "checkin", "--ask", "--full", "--date", "2027-01-06", input=answers,
        now="2027-01-06T20:00+00:00",
    )  # fmt: skip
    assert "Same night as Tue 05 Jan (in bed 23:10, trying to sleep 23:20" in result.stdout
    assert "[y/N]" in result.stdout  # a copy is never the default
    assert "Mood 0-10: " in result.stdout  # no default to accept with Enter
    assert "The night is marked as copied from 2027-01-05." in result.stdout
    assert "The symptoms are marked as copied from 2027-01-05." in result.stdout
    yesterday, today = me.journal()
    assert today["sleep_copied_from"] == "2027-01-05"
    assert today["symptoms_copied_from"] == "2027-01-05"
    assert today["sleep"]["bed"] == "2027-01-05T23:10"
    same = ("sol_min", "waso_min", "awakenings", "quality_1_5", "tib_min", "tst_min", "se_pct")
    assert {k: today["sleep"][k] for k in same} == {k: yesterday["sleep"][k] for k in same}
    assert (today["mood_0_10"], today["anxiety_0_10"]) == (8, 3)
    assert today["symptoms_0_3"] == yesterday["symptoms_0_3"]


def test_interactive_checkin_typed_in_full_is_not_a_copy(me: Taperline) -> None:
    checkin(me, "2027-01-05")
    # No to the copy, yes to the diary, the 8 values, mood, anxiety, no copy, no symptoms.
    night = "22:50\n23:00\n15\n0\n0\n06:10\n06:30\n4\n"
    answers = "n\ny\n" + night + "7\n2\nn\nn\n\n"
    me.ok(
        "checkin", "--ask", "--full", "--date", "2027-01-06", input=answers,
        now="2027-01-06T20:00+00:00",
    )  # fmt: skip
    today = me.journal()[-1]
    assert today["sleep_copied_from"] is None
    assert today["symptoms_copied_from"] is None
    assert today["symptoms_0_3"] == {}
    assert today["sleep"]["bed"] == "2027-01-05T22:50"
    a_prompt_without_a_value = me(
        "checkin", "--ask", "--full", "--date", "2027-01-07", input="n\ny\n\n",
        now="2027-01-07T20:00+00:00",
    )  # fmt: skip
    assert a_prompt_without_a_value.exit_code == 1  # Enter alone is not an answer: asked again
    assert a_prompt_without_a_value.stdout.count("Went to bed at (HH:MM): ") >= 2


def test_same_sleep_and_same_symptoms_flags_copy_and_mark(me: Taperline) -> None:
    refused(
        me("checkin", "--date", "2027-01-04", "--same-sleep", "--mood", "5", "--anxiety", "5"),
        "--same-sleep",
        "no earlier night",
    )
    checkin(me, "2027-01-05")
    refused(
        me(
            "checkin", "--date", "2027-01-06", "--same-sleep", "--bed", "22:00",
            "--mood", "5", "--anxiety", "5", now="2027-01-06T20:00+00:00",
        ),
        "--same-sleep copies the whole night",
    )  # fmt: skip
    me.ok(
        "checkin", "--date", "2027-01-06", "--same-sleep", "--same-symptoms",
        "--mood", "5", "--anxiety", "5", now="2027-01-06T20:00+00:00",
    )  # fmt: skip
    today = me.journal()[-1]
    assert (today["sleep_copied_from"], today["symptoms_copied_from"]) == (
        "2027-01-05",
        "2027-01-05",
    )


def test_a_night_needs_every_time_nothing_is_assumed(me: Taperline) -> None:
    """--tried and --out-of-bed are asked for, not taken to be --bed and --final-wake."""
    flags = ("--bed", "23:00", "--final-wake", "06:30", "--sol-min", "10")
    rest = ("--awakenings", "0", "--waso-min", "0", "--quality", "3", "--mood", "5")
    result = me("checkin", "--date", "2027-01-05", *flags, *rest, "--anxiety", "5")
    refused(result, "--tried", "--out-of-bed")
    assert me.journal() == []


# --- bad input: refused, naming the field, nothing written --------------------------------------


def _with(changes: dict[str, str | None], extra: tuple[str, ...] = ()) -> list[str]:
    """The issue's example flags with some values changed (None drops the flag)."""
    out: list[str] = []
    done = set()
    for flag, value in zip(EXAMPLE[::2], EXAMPLE[1::2], strict=True):
        key = f"{flag} {value}" if f"{flag} {value}" in changes else flag
        new = changes.get(key, value)
        done.update({key} & set(changes))
        if new is not None:
            out += [flag, new]
    assert done == set(changes), set(changes) - done
    return [*out, *extra]


def _bad(
    case: str, values: list[str], *words: str, day: str = "2027-01-04", usage: bool = False
) -> Any:
    return pytest.param(day, values, words, usage, id=case)


BAD_CHECKINS = [
    _bad("times-out-of-order", _with({"--out-of-bed": "06:20"}), "out_of_bed", "final_wake"),
    _bad("bed-after-trying", _with({"--bed": "07:00"}), "tried", "bed"),
    _bad("negative-sleep", _with({"--sol-min": "400"}), "sol_min", "negative sleep"),
    _bad("future-date", EXAMPLE, "wake_date", "future", day="2027-01-06"),
    _bad("mood-11", _with({"--mood": "11"}), "mood", "0-10"),
    _bad("anxiety-minus-1", _with({"--anxiety": "-1"}), "anxiety", "0-10"),
    _bad("unknown-symptom", _with({"--symptom tremor=1": "hiccups=1"}), "symptom", "hiccups"),
    _bad("symptom-rating-4", _with({"--symptom tremor=1": "tremor=4"}), "tremor", "0-3"),
    _bad("symptom-no-rating", _with({"--symptom tremor=1": "tremor"}), "--symptom"),
    _bad("unknown-worst-time", _with({"--worst-time": "noon"}), "--worst-time", usage=True),
    _bad("diary-missing-sol", _with({"--sol-min": None}), "--sol-min"),
    _bad("unknown-event", _with({}, ("--event", "bad day")), "--event", usage=True),
    _bad("quality-6", _with({"--quality": "6"}), "quality"),
    _bad("negative-waso", _with({"--waso-min": "-5"}), "waso_min"),
]


@pytest.mark.parametrize(("day", "values", "words", "usage"), BAD_CHECKINS)
def test_bad_checkin_is_refused_and_nothing_is_written(
    me: Taperline, day: str, values: list[str], words: tuple[str, ...], usage: bool
) -> None:
    checkin(me, "2027-01-05")
    before = me.journal()
    refused(checkin(me, day, *values), *words, usage=usage)
    assert me.journal() == before
    assert len(me.store().checkins(1)) == 1


def test_a_bed_time_the_clocks_skipped_is_refused(me: Taperline) -> None:
    # 01:30 did not exist in London on 2027-03-28 (the clocks went from 01:00 to 02:00).
    values = _with({"--bed": "01:30", "--tried": "01:40"})
    refused(
        checkin(me, "2027-03-28", *values, now="2027-03-29T12:00+00:00"), "bed", "does not exist"
    )
    assert me.journal() == []


def test_sleep_metrics_count_real_minutes_across_a_clock_change(me: Taperline) -> None:
    # In bed 23:10 GMT, up 06:45 BST on 2027-03-28: 6 h 35 min passed, not the 7 h 35 min
    # the wall clocks suggest. Times are stored unambiguously; the metrics should use them.
    checkin(me, "2027-03-28", now="2027-03-29T12:00+00:00")
    [entry] = me.journal()
    assert entry["sleep"]["tib_min"] == 395
    assert entry["sleep"]["tst_min"] == 395 - 10 - 30 - 40 - 15


# --- doses ------------------------------------------------------------------------------------

DOSE_NOW = "2027-01-08T22:30+00:00"  # 22:30 in London; the 22:00 dose is due today


def test_log_dose_defaults_to_the_planned_dose_and_records_a_miss(approved: Taperline) -> None:
    out = approved.ok("log-dose", now=DOSE_NOW).stdout
    assert out == "Recorded tonight's 22:00 dose (Fri 8 Jan): clonazePAM 1 mg taken at 22:30.\n"
    out = approved.ok("log-dose", "--date", "2027-01-07", "--missed", now=DOSE_NOW).stdout
    assert out == "Recorded last night's 22:00 dose (Thu 7 Jan) as missed.\n"
    late = approved.ok("log-dose", "--date", "2027-01-06", "--time", "23:30", now=DOSE_NOW).stdout
    assert "(late)" not in late  # 1.5 h after its time is not late (2 h is the rule)
    doses = approved.store().doses(1)
    assert [(d.day.isoformat(), d.planned_clock, d.status()) for d in doses] == [
        ("2027-01-06", "22:00", "taken"),
        ("2027-01-07", "22:00", "missed"),
        ("2027-01-08", "22:00", "taken"),
    ]
    assert doses[2].amount is not None
    assert float(doses[2].amount.mg) == 1.0
    state = approved.json("status", now=DOSE_NOW)
    assert [d["status"] for d in state["doses_today"]] == ["taken"]
    last = state["last_14_days"]
    assert (last[-2]["doses_taken"], last[-2]["doses_missed"]) == (0, 1)
    assert (last[-1]["doses_taken"], last[-1]["doses_missed"]) == (1, 0)
    # Nothing planned is left today: an amount is needed for an extra dose.
    refused(approved("log-dose", "--date", "today", now=DOSE_NOW), "--amount")
    refused(approved("log-dose", "--extra", now=DOSE_NOW), "--amount")
    refused(approved("log-dose", "--date", "2027-01-09", "--time", "22:00", now=DOSE_NOW), "future")
    # A planned dose already in the log is not logged twice (it was, before one service
    # matched doses for the CLI, the dashboard and the API); one that is not planned is named.
    refused(approved("log-dose", "--planned", "22:00", now=DOSE_NOW), "already in the log")
    refused(approved("log-dose", "--planned", "08:00", now=DOSE_NOW), "--planned: no dose")
    assert len(approved.store().doses(1)) == 3


def test_log_dose_reads_a_time_after_midnight_as_the_morning_after(approved: Taperline) -> None:
    """A day's 22:00 dose taken at 00:30 was taken the morning after; a time to come is not."""
    out = approved.ok("log-dose", "--date", "2027-01-07", "--time", "00:30", now=DOSE_NOW).stdout
    assert "taken at 00:30 on Fri 8 Jan (late)" in out
    (line,) = approved.store().doses(1)
    assert (line.day.isoformat(), line.taken_at) == (
        "2027-01-07",
        datetime.fromisoformat("2027-01-08T00:30"),
    )
    noon = "2027-01-08T12:00+00:00"
    tonight = approved("log-dose", "--date", "today", "--time", "22:10", now=noon)
    refused(tonight, "--time", "22:10 on 2027-01-08 has not come yet")
    assert len(approved.store().doses(1)) == 1


def test_log_dose_key_with_explicit_values_is_idempotent(approved: Taperline) -> None:
    args = (
        "log-dose",
        "--date",
        "2027-01-07",
        "--time",
        "22:05",
        "--amount",
        "1 mg",
        "--key",
        "k1",
    )
    assert (
        "Recorded the 22:00 dose of Thu 7 Jan:"
        in approved.ok(*args, now="2027-01-09T12:00Z").stdout
    )
    assert "Already logged:" in approved.ok(*args, now=DOSE_NOW).stdout
    assert len(approved.store().doses(1)) == 1


@pytest.mark.parametrize(
    "args",
    [("log-dose", "--key", "k1"), ("log-dose", "--date", "2027-01-07", "--missed", "--key", "k1")],
    ids=["planned-dose", "missed"],
)
def test_log_dose_retry_with_the_same_key_says_already_logged(
    approved: Taperline, args: tuple[str, ...]
) -> None:
    # A retried submit (the first reply was lost) must not fail: the dose is already logged.
    assert "Recorded " in approved.ok(*args, now=DOSE_NOW).stdout
    retry = approved(*args, now=DOSE_NOW)
    assert retry.exit_code == 0, retry.stderr
    assert "Already logged:" in retry.stdout
    assert len(approved.store().doses(1)) == 1


# --- doses without a date: matched by time (issue 16, section 3) ----------------------------

MORNING = "2027-01-08T07:05+00:00"  # 07:05 in London: last night's 22:00 dose, not tonight's
SPLIT = [
    "plan", "clonazepam", "--dose", "0.5 mg", "--at", "08:00", "--dose", "0.5 mg", "--at",
    "20:00", "--start", "2027-01-04",
]  # fmt: skip


@pytest.fixture
def split(me: Taperline) -> Taperline:
    """The person with an active plan of two doses, 0.5 mg at 08:00 and at 20:00."""
    me.ok(*SPLIT, "--save", now=PLANNED)
    me.ok("plan", "approve", "--by", "Dr Lee", "--reason", "agreed at the visit")
    return me


def test_log_dose_in_the_morning_is_last_night_s_dose(approved: Taperline) -> None:
    out = approved.ok("log-dose", now=MORNING).stdout
    assert out == (
        "Recorded last night's 22:00 dose (Thu 7 Jan): clonazePAM 1 mg taken at 07:05 on"
        " Fri 8 Jan (late).\n"
    )
    [dose] = approved.store().doses(1)
    assert (dose.day, dose.planned_clock) == (date(2027, 1, 7), "22:00")
    assert dose.taken_at == datetime(2027, 1, 8, 7, 5)  # noqa: DTZ001 -- the local wall clock
    # Logged again that morning it is the same dose: refused, saying what to do instead.
    refused(
        approved("log-dose", now="2027-01-08T07:20+00:00"),
        "last night's 22:00 dose (Thu 7 Jan) is already in the log (taken at 07:05 on Fri 8 Jan)",
        "--date",
        "--extra",
    )
    assert len(approved.store().doses(1)) == 1
    # That morning tonight's dose is still to take, and yesterday's counts as taken.
    state = approved.json("status", now=MORNING)
    assert [d["status"] for d in state["doses_today"]] == ["due"]
    assert (state["last_14_days"][-2]["date"], state["last_14_days"][-2]["doses_taken"]) == (
        "2027-01-07",
        1,
    )
    # In the evening, tonight's.
    out = approved.ok("log-dose", now="2027-01-08T22:10+00:00").stdout
    assert out == "Recorded tonight's 22:00 dose (Fri 8 Jan): clonazePAM 1 mg taken at 22:10.\n"
    assert [d.day.isoformat() for d in approved.store().doses(1)] == ["2027-01-07", "2027-01-08"]


def test_log_dose_time_without_a_date_is_when_the_clock_last_showed_it(approved: Taperline) -> None:
    # 22:05 said at 07:05 is last night; --date picks any other day, today's included.
    out = approved.ok("log-dose", "--time", "22:05", now=MORNING).stdout
    assert out == "Recorded last night's 22:00 dose (Thu 7 Jan): clonazePAM 1 mg taken at 22:05.\n"
    out = approved.ok("log-dose", "--date", "2027-01-06", "--time", "21:50", now=MORNING).stdout
    assert out == "Recorded the 22:00 dose of Wed 6 Jan: clonazePAM 1 mg taken at 21:50.\n"
    out = approved.ok("log-dose", "--date", "today", now=MORNING).stdout
    assert out == "Recorded tonight's 22:00 dose (Fri 8 Jan): clonazePAM 1 mg taken at 07:05.\n"
    assert [(d.day.isoformat(), d.status()) for d in approved.store().doses(1)] == [
        ("2027-01-06", "taken"),
        ("2027-01-07", "taken"),
        ("2027-01-08", "taken"),
    ]


def test_log_dose_with_split_doses_takes_the_nearest_planned_dose(split: Taperline) -> None:
    at_seven = "2027-01-08T07:00+00:00"
    # missed at 07:00 is a dose already due: last night's 20:00, not this morning's 08:00
    out = split.ok("log-dose", "--missed", now=at_seven).stdout
    assert out == "Recorded last night's 20:00 dose (Thu 7 Jan) as missed.\n"
    out = split.ok("log-dose", now=at_seven).stdout
    assert out == "Recorded today's 08:00 dose (Fri 8 Jan): clonazePAM 0.5 mg taken at 07:00.\n"
    refused(
        split("log-dose", now="2027-01-08T09:00+00:00"),
        "today's 08:00 dose (Fri 8 Jan) is already in the log (taken at 07:00)",
    )
    # --planned names the dose, still matched by time: tonight's 20:00 taken early
    out = split.ok("log-dose", "--planned", "20:00", now="2027-01-08T13:00+00:00").stdout
    assert out == "Recorded tonight's 20:00 dose (Fri 8 Jan): clonazePAM 0.5 mg taken at 13:00.\n"
    assert [(d.day.isoformat(), d.planned_clock, d.status()) for d in split.store().doses(1)] == [
        ("2027-01-07", "20:00", "missed"),
        ("2027-01-08", "08:00", "taken"),
        ("2027-01-08", "20:00", "taken"),
    ]


def test_log_dose_extra_is_a_dose_not_planned(approved: Taperline) -> None:
    approved.ok("log-dose", now="2027-01-08T22:00+00:00")
    refused(approved("log-dose", "--amount", "0.25 mg", now=DOSE_NOW), "already in the log")
    out = approved.ok("log-dose", "--extra", "--amount", "0.25 mg", now=DOSE_NOW).stdout
    assert out == "Recorded an extra dose (Fri 8 Jan): clonazePAM 0.25 mg taken at 22:30.\n"
    refused(approved("log-dose", "--extra", "--planned", "22:00", now=DOSE_NOW), "--extra")
    assert [d.status() for d in approved.store().doses(1)] == ["taken", "extra"]


def test_log_dose_help_says_how_a_dose_is_matched(me: Taperline) -> None:
    text = " ".join(me.ok("log-dose", "--help").stdout.split())
    assert "in the morning, last night's dose" in text
    assert "--extra" in text


def _kinds(findings: list[dict[str, Any]]) -> list[str]:
    return [f["kind"] for f in findings]


def test_dose_above_the_plan_gives_an_escalation_finding(approved: Taperline) -> None:
    approved.ok(
        "log-dose", "--date", "2027-01-06", "--time", "22:00", "--amount", "2 mg", "--confirm",
        now=DOSE_NOW,
    )  # fmt: skip
    assert approved.store().doses(1)[0].amount is not None
    findings = approved.json("findings", now=DOSE_NOW)
    escalation = [f for f in findings if f["kind"] == "escalation"]
    assert escalation, findings
    assert escalation[0]["evidence"][0]["date"] == "2027-01-06"
    assert escalation[0]["clinician_flag"] is True


def test_dose_above_the_plan_on_a_checked_in_day_gives_an_escalation(approved: Taperline) -> None:
    checkin(approved, "2027-01-06", now=DOSE_NOW)
    approved.ok(
        "log-dose", "--date", "2027-01-06", "--time", "22:00", "--amount", "2 mg", "--confirm",
        now=DOSE_NOW,
    )  # fmt: skip
    [escalation] = [f for f in approved.json("findings", now=DOSE_NOW) if f["kind"] == "escalation"]
    assert escalation["severity"] == "warning"
    assert escalation["evidence"][0]["value"] == "2 mg taken, 1 mg planned"
    assert approved.json("status", now=DOSE_NOW)["proposal"]["action"] != "proceed"


def test_an_amount_far_from_the_plan_is_logged_only_when_confirmed(
    approved: Taperline, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = ("log-dose", "--date", "2027-01-06", "--time", "22:00")
    refused(
        approved(*base, "--amount", "2 mg", now=DOSE_NOW),
        "--amount: 2 mg is more than the 1 mg planned for the whole day",
        "add --confirm",
    )
    assert approved.store().doses(1) == []
    # less than planned needs no confirming; 4 mg more would take the day above the maximum
    approved.ok(*base, "--amount", "0.5 mg", now=DOSE_NOW)
    extra = ("log-dose", "--date", "2027-01-06", "--time", "23:00", "--amount", "4 mg")
    refused(
        approved(*extra, now=DOSE_NOW), "makes 4.5 mg that day, above the daily maximum of 4 mg"
    )
    # on a terminal the question is asked, and no is no
    monkeypatch.setattr(session, "on_terminal", lambda: True)
    said_no = approved(*extra, input="n\n", now=DOSE_NOW)
    assert said_no.exit_code == 2
    assert "Is that what you took?" in said_no.stdout
    assert len(approved.store().doses(1)) == 1
    approved.ok(*extra, input="y\n", now=DOSE_NOW)
    assert len(approved.store().doses(1)) == 2


# --- status and findings --------------------------------------------------------------------


def test_status_json_and_table(approved: Taperline) -> None:
    checkin(approved, "2027-01-08", now=DOSE_NOW)
    approved.ok("log-dose", now=DOSE_NOW)
    state = approved.json("status", now=DOSE_NOW)
    assert set(state) == STATUS_KEYS
    assert state["today"] == "2027-01-08"
    assert state["plan"] == {
        "version": 2,
        "status": "active",
        "drug": "clonazepam",
        "held_from": None,
        "guideline_mark": None,
    }
    assert state["checked_in_today"] is True
    [dose] = state["doses_today"]
    assert (dose["time"], dose["amount_mg"], dose["status"]) == ("22:00", 1.0, "taken")
    assert state["next_change"]["start_date"] == FIRST_CUT.isoformat()
    assert state["next_change"]["daily_dose_mg"] < 1.0
    assert state["next_change"]["in_days"] == (FIRST_CUT - date(2027, 1, 8)).days
    assert (state["pending_version"], state["questionnaire_due"], state["urgent_findings"]) == (
        None,
        True,
        0,
    )
    assert {"action", "hold_days", "reasons", "clinician_only", "status"} <= set(state["proposal"])
    assert isinstance(state["skipped"], list)
    days = state["last_14_days"]
    assert len(days) == 14
    assert days[0]["date"] == "2026-12-26"
    assert days[-1]["date"] == "2027-01-08"
    assert days[-1]["checked_in"] is True
    assert days[-1]["se_pct"] == pytest.approx(79.1)
    assert all(not d["checked_in"] for d in days[:-1])
    table = approved.ok("status", now=DOSE_NOW).stdout
    assert "Today, 2027-01-08" in table
    assert "Last 14 days" in table
    assert "Next change: 2027-01-18" in table


def test_status_of_a_held_plan_shows_the_held_dose_and_no_cut(approved: Taperline) -> None:
    approved.ok("plan", "hold", "--by", "Dr Lee", "--reason", "flare after the move")
    later = (FIRST_CUT + timedelta(days=10)).isoformat() + "T20:00+00:00"
    state = approved.json("status", now=later)
    assert state["plan"]["status"] == "held"
    assert state["plan"]["held_from"] == "2027-01-05"
    assert [d["amount_mg"] for d in state["doses_today"]] == [1.0]  # not the first cut's
    assert state["next_change"] is None
    table = approved.ok("status", now=later).stdout
    assert "on hold since 2027-01-05: stay on this dose" in table
    assert "Next change" not in table


def test_status_without_a_plan_runs(me: Taperline) -> None:
    state = me.json("status")
    assert state["plan"] is None
    assert state["doses_today"] == []
    assert state["next_change"] is None
    assert len(state["last_14_days"]) == 14
    assert "No plan in force" in me.ok("status").stdout


def test_findings_json_is_a_list_of_finding_objects(approved: Taperline) -> None:
    assert approved.json("findings") == []
    checkin(approved, "2027-01-05", *EXAMPLE, "--alcohol", "3")
    findings = approved.json("findings")
    assert isinstance(findings, list)
    assert findings
    for finding in findings:
        assert set(finding) == FINDING_KEYS
        assert finding["severity"] in {"info", "warning", "urgent"}
        assert all(set(e) == {"date", "label", "value"} for e in finding["evidence"])
    assert "co_use" in _kinds(findings)
    assert "Suggestion:" in approved.ok("findings").stdout


def test_suicidal_thoughts_checkin_gives_an_urgent_red_flag(approved: Taperline) -> None:
    result = checkin(approved, "2027-01-05", *EXAMPLE, "--event", "suicidal thoughts")
    assert result.exit_code == 0, result.stderr
    assert "URGENT" in result.stderr
    assert "988" in result.stderr
    [flag] = [f for f in approved.json("findings") if f["kind"] == "red_flag"]
    assert flag["severity"] == "urgent"
    assert "988" in flag["message"]
    assert flag["clinician_flag"] is True
    state = approved.json("status")
    assert state["findings"][0]["kind"] == "red_flag"  # most severe first
    assert state["proposal"]["action"] == "hold"
    assert state["proposal"]["clinician_only"] is True
    assert "URGENT" in approved.ok("status").stdout


def test_phq9_item_9_gives_a_red_flag(me: Taperline) -> None:
    result = me.ok("phq9", "--answers", "0,0,0,0,0,0,0,0,1")
    assert "Saved: PHQ-9 1 (minimal) on 2027-01-05" in result.stdout
    assert "988" in result.stderr
    [flag] = me.json("findings")
    assert set(flag) == FINDING_KEYS
    assert (flag["kind"], flag["severity"], flag["clinician_flag"]) == ("red_flag", "urgent", True)
    assert "988" in flag["message"]
    again = me.ok("phq9", "--answers", "0,0,0,0,0,0,0,0,1", "--key", "w1", "--date", "2027-01-04")
    assert "Saved:" in again.stdout
    retry = me.ok("phq9", "--answers", "0,0,0,0,0,0,0,0,1", "--key", "w1", "--date", "2027-01-04")
    assert "Already saved:" in retry.stdout
    assert len(me.store().scores(1)) == 2


@pytest.mark.parametrize(
    ("answers", "total", "band"),
    [
        ("0,0,0,0,0,0,0", 0, "minimal"),
        ("1,1,1,1,1,0,0", 5, "mild"),
        ("1,1,1,1,1,1,1", 7, "mild"),
        ("2,2,2,2,2,0,0", 10, "moderate"),
        ("3,3,3,3,3,0,0", 15, "severe"),
        ("3,3,3,3,3,3,3", 21, "severe"),
    ],
)
def test_gad7_scores_and_bands(me: Taperline, answers: str, total: int, band: str) -> None:
    out = me.ok("gad7", "--answers", answers).stdout
    assert f"Saved: GAD-7 {total} ({band}) on 2027-01-05" in out
    [score] = me.store().scores(1)
    assert (score.total, score.band) == (total, band)


@pytest.mark.parametrize(
    ("command", "answers", "words"),
    [
        ("gad7", "1,1,1", ("GAD-7", "7 items", "3 answers")),
        ("gad7", "1,1,1,1,1,1,1,1", ("GAD-7", "7 items")),
        ("phq9", "0,0,0,0,0,0,0,0", ("PHQ-9", "9 items")),
        ("phq9", "0,0,0,0,0,0,0,0,4", ("item 9", "0-3")),
        ("phq9", "0,0,0,0,0,0,0,0,x", ("--answers",)),
    ],
)
def test_wrong_questionnaire_answers_are_refused(
    me: Taperline, command: str, answers: str, words: tuple[str, ...]
) -> None:
    refused(me(command, "--answers", answers), *words)
    assert me.store().scores(1) == []
    assert me.json("findings") == []


def test_gad7_once_a_day(me: Taperline) -> None:
    me.ok("gad7", "--answers", "1,1,1,1,1,1,1")
    refused(me("gad7", "--answers", "2,2,2,2,2,2,2"), "GAD-7", "2027-01-05")
    assert [s.total for s in me.store().scores(1)] == [7]


# --- a flare after the first cut ----------------------------------------------------------------


def _stable_days(first: date, last: date) -> list[CheckIn]:
    out = []
    day = first
    while day <= last:
        calm = (day - first).days % 2 == 0
        out.append(CheckIn(day, None, mood=7 if calm else 6, anxiety=2 if calm else 3))
        day += timedelta(days=1)
    return out  # burden alternates 5 and 7: mean 6, SD about 1


def test_a_flare_after_the_first_cut_is_found_and_the_plan_is_not_proceeding(
    approved: Taperline,
) -> None:
    # Three weeks of stable days before the first cut (written straight to the store), ...
    stable = _stable_days(FIRST_CUT - timedelta(days=21), FIRST_CUT - timedelta(days=1))
    assert approved.store().import_checkins(1, stable) == 21
    quiet = approved.json("findings", now="2027-01-17T20:00+00:00")
    assert "flare" not in _kinds(quiet)
    # ... then four bad days after the cut, entered through the CLI.
    bad = [
        "--no-sleep", "--mood", "3", "--anxiety", "7",
        "--symptom", "insomnia=2", "--symptom", "tremor=2", "--worst-time", "evening",
    ]  # fmt: skip
    now = "2027-01-21T20:00+00:00"
    for offset in range(4):
        day = FIRST_CUT + timedelta(days=offset)
        result = checkin(approved, day.isoformat(), *bad, now=now)
        assert result.exit_code == 0, result.stderr
    findings = approved.json("findings", now=now)
    [flare] = [f for f in findings if f["kind"] == "flare"]
    assert flare["severity"] in {"warning", "urgent"}
    assert {e["date"] for e in flare["evidence"]} <= {
        (FIRST_CUT + timedelta(days=k)).isoformat() for k in range(4)
    }
    assert len(flare["evidence"]) >= 3
    proposal = approved.json("status", now=now)["proposal"]
    assert proposal["action"] in {"hold", "slow", "return_to_previous"}
    assert "stable" not in _kinds(findings)


# --- two people in one database ---------------------------------------------------------------


@pytest.fixture
def two(me: Taperline) -> Taperline:
    """Person 1 from `init`, person 2 added as the web app would."""
    assert me.store().create_person(Profile("America/New_York", label="B")) == 2
    return me


@pytest.mark.parametrize(
    "args",
    [
        ("checkin", "--date", "2027-01-05", *EXAMPLE),
        ("status",),
        ("findings",),
        ("journal", "list"),
        ("journal", "delete", "2027-01-05", "--yes"),
        ("log-dose", "--amount", "1 mg", "--time", "22:00"),
        ("gad7", "--answers", "0,0,0,0,0,0,0"),
        ("plan", "history"),
        (*PLAN, "--save"),
    ],
    ids=lambda args: " ".join(args[:2]),
)
def test_two_people_need_person(two: Taperline, args: tuple[str, ...]) -> None:
    refused(two(*args), "2 people", "--person")
    store = two.store()
    assert store.checkins(1) == store.checkins(2) == []
    assert store.plans(1) == store.plans(2) == []


def test_init_with_two_people_does_not_add_a_third(two: Taperline) -> None:
    # `init` updates "your profile"; with two people it must ask which one, not add another.
    result = two("init", "--time-zone", "Asia/Tokyo")
    refused(result, "--person")
    assert two.store().person_ids() == [1, 2]


def test_two_people_with_person_keep_their_own_journals(two: Taperline) -> None:
    out = two.ok("checkin", "--person", "2", "--no-sleep", "--mood", "5", "--anxiety", "5").stdout
    # 20:00 UTC is 15:00 in New York: still the 5th there.
    assert "check-in for 2027-01-05" in out
    assert checkin(two, "2027-01-04", *EXAMPLE, "--person", "1").exit_code == 0
    assert [e["date"] for e in two.journal("--person", "2")] == ["2027-01-05"]
    assert [e["date"] for e in two.journal("--person", "1")] == ["2027-01-04"]
    assert two.json("status", "--person", "2")["today"] == "2027-01-05"
    two.ok(*PLAN, "--save", "--person", "2", now=PLANNED)
    two.ok("plan", "approve", "--by", "Dr Lee", "--reason", "ok", "--person", "2")
    assert two.json("plan", "history", "--person", "1") == []
    assert [v["status"] for v in two.json("plan", "history", "--person", "2")] == [
        "proposed",
        "active",
    ]
    refused(two("status", "--person", "3"), "person 3 not found")


def _run_printed(tl: Taperline, line: str, now: str) -> Result:
    """Run a `taperline ...` command line the CLI printed (its undo)."""
    import shlex

    words = shlex.split(line.removeprefix("To put it back: "))
    assert words[0] == "taperline"
    return tl.ok(*words[1:], now=now)


def test_a_dose_logged_by_mistake_is_removed_audited_and_put_back(approved: Taperline) -> None:
    approved.ok("log-dose", "--time", "22:10", now=DOSE_NOW)
    approved.ok("log-dose", "--extra", "--amount", "0.25 mg", "--time", "14:30", now=DOSE_NOW)
    before = approved.store().doses(1)
    refused(approved("journal", "remove-dose", "today", now=DOSE_NOW), "--planned")
    aborted = approved(
        "journal", "remove-dose", "today", "--planned", "22:00", input="n\n", now=DOSE_NOW
    )
    assert aborted.exit_code == 1
    assert approved.store().doses(1) == before
    out = approved.ok(
        "journal", "remove-dose", "today", "--planned", "22:00", "--yes", now=DOSE_NOW
    ).stdout.splitlines()
    assert out[0] == "Removed: the 22:00 dose of 2027-01-08."
    assert [d.planned_clock for d in approved.store().doses(1)] == [None]
    refused(
        approved("journal", "remove-dose", "today", "--planned", "22:00", "--yes", now=DOSE_NOW),
        "no dose-log line",
    )
    _run_printed(approved, out[1], DOSE_NOW)
    extra = approved.ok(
        "journal", "remove-dose", "today", "--taken", "14:30", "--yes", now=DOSE_NOW
    ).stdout.splitlines()
    assert extra[0] == "Removed: the extra dose taken at 14:30 of 2027-01-08."
    _run_printed(approved, extra[1], DOSE_NOW)
    assert sorted(approved.store().doses(1), key=str) == sorted(before, key=str)
    rows = approved.audit_lines()  # the corrections are in the audit log, with who made them
    assert ("delete", "dose 2027-01-08 22:00: 1 mg taken 2027-01-08 22:10") in rows
    assert ("delete", "dose 2027-01-08 extra: 0.25 mg taken 2027-01-08 14:30") in rows


def test_a_deleted_check_in_prints_the_command_that_puts_it_back(me: Taperline) -> None:
    checkin(me, "2027-01-05", *EXAMPLE, "--note", "a 'quoted' note; fine", "--event", "fall")
    [before] = me.journal()
    out = me.ok("journal", "delete", "2027-01-05", "--yes").stdout.splitlines()
    assert out[0] == "Deleted: check-in for 2027-01-05."
    assert out[1].startswith("To put it back: taperline journal restore ")
    _run_printed(me, out[1], me.now)
    assert me.journal() == [before]
    assert me.audit_lines()[:2] == [
        ("restore", "check-in 2027-01-05 (mood 6, anxiety 4, with a night)"),
        ("delete", "check-in 2027-01-05 (mood 6, anxiety 4, with a night)"),
    ]


def test_a_database_folder_that_cannot_be_made_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    in_the_way = tmp_path / "taperline"
    in_the_way.write_text("a file where the database's folder should be\n")
    env = {"TAPERLINE_DATABASE_URL": f"sqlite:///{in_the_way / 'journal.db'}"}
    for args in (["status"], ["init", "--time-zone", "Europe/London", "--no-ask"]):
        result = CliRunner().invoke(cli, args, env=env)
        assert result.exit_code == 2, result.output
        assert "its folder" in result.output, result.output
        assert "cannot be made" in result.output, result.output
        assert "Traceback" not in result.output
    assert in_the_way.read_text() == "a file where the database's folder should be\n"
