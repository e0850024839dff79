"""The journal's CSV: check-ins written and read back (without doses: the dose log has them)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import Final

from taperline.adapters.csvio.cells import (
    _TIMES,
    _choice,
    _clock,
    _date,
    _events,
    _guarded,
    _read,
    _Row,
    _whole,
    _write,
    _yes_no,
)
from taperline.adapters.csvio.columns import (
    _SLEEP,
    _SYMPTOM_BY_COLUMN,
    JOURNAL_COLUMNS,
    REPORTED_SLEEP,
    SYMPTOMS_RATED,
    ImportResult,
)
from taperline.core.journal import (
    MAX_AWAKENINGS,
    MAX_DRINKS,
    MAX_LATENCY_MIN,
    MAX_REPORTED_SLEEP_MIN,
    MAX_TIME_IN_BED,
    SYMPTOM_MAX,
    TIMES_OF_DAY,
    CheckIn,
    NightTimes,
    ReportedSleep,
    SleepDiary,
)
from taperline.zones import zone

# --- export -----------------------------------------------------------------------------------


def _sleep_cells(checkin: CheckIn) -> dict[str, str]:
    night, reported = checkin.sleep, checkin.reported_sleep
    if night is None:
        cells = {c.name: "" for c in _SLEEP}
        if reported is not None:
            cells["sleep_quality_1_5"] = str(reported.quality)
        cells[REPORTED_SLEEP.name] = str(reported.asleep_min) if reported is not None else ""
        return cells
    return {
        REPORTED_SLEEP.name: "",
        "bed_clock": _night_clock(night.bed, night),
        "tried_clock": _night_clock(night.tried, night),
        "sol_min": str(night.sol_min),
        "awakenings": str(night.awakenings),
        "waso_min": str(night.waso_min),
        "final_wake_clock": _night_clock(night.final_wake, night),
        "out_of_bed_clock": _night_clock(night.out_of_bed, night),
        "sleep_quality_1_5": str(night.quality),
    }


def _night_clock(at: datetime, night: SleepDiary) -> str:
    """HH:MM; with its zone's offset (23:10+05:45) for a night with a zone of its own.

    Such a night was logged before the person moved: without the offset its clock would
    read as the person's zone now, another moment; the import refuses it by its line.
    """
    if night.time_zone is None:
        return at.strftime("%H:%M")
    return at.replace(tzinfo=zone(night.time_zone)).isoformat(timespec="minutes")[11:]


def _journal_row(checkin: CheckIn) -> dict[str, str]:
    symptoms = {
        column: str(checkin.symptoms[name]) if name in checkin.symptoms else ""
        for column, name in _SYMPTOM_BY_COLUMN.items()
    }
    asked = checkin.substances_asked
    return {
        "wake_date": checkin.wake_date.isoformat(),
        **_sleep_cells(checkin),
        "mood_0_10": str(checkin.mood),
        "anxiety_0_10": str(checkin.anxiety),
        "worst_time": checkin.worst_time or "",
        SYMPTOMS_RATED.name: "yes" if checkin.symptoms_rated else "no",
        **symptoms,
        # not asked that day (a quick check-in): empty, never "0" or "no"
        "caffeine_drinks": str(checkin.caffeine_drinks) if asked else "",
        "alcohol_drinks": str(checkin.alcohol_drinks) if asked else "",
        "opioid_use": ("yes" if checkin.opioid_use else "no") if asked else "",
        "events": ";".join(sorted(checkin.events)),
        "sleep_copied_from": _iso(checkin.sleep_copied_from),
        "symptoms_copied_from": _iso(checkin.symptoms_copied_from),
        "notes": checkin.notes,
    }


def _iso(day: date | None) -> str:
    return day.isoformat() if day is not None else ""


def journal_csv(checkins: Sequence[CheckIn]) -> str:
    """The journal as CSV text: a header row and one row per check-in, in the given order.

    Sleep columns are empty when the night was not filled in; clock times are to the minute,
    the person's own; a night logged in another zone, before they moved
    (``SleepDiary.time_zone``), has that zone's offset after each (``23:10+05:45``), which
    :func:`read_journal_csv` refuses by its line rather than read as another moment.
    ``CheckIn.doses`` are not written: the dose log carries them.
    """
    return _write(JOURNAL_COLUMNS, (_journal_row(c) for c in checkins))


# --- the journal ------------------------------------------------------------------------------

_CLOCKS: Final = ("bed_clock", "tried_clock", "final_wake_clock", "out_of_bed_clock")


def _resolve_night(wake_date: date, clocks: Sequence[time]) -> NightTimes:
    """Full date-times of a night's bed, tried, final wake and out-of-bed clock times.

    The final wake is on ``wake_date``; bed and tried are the last such time at or before it,
    out of bed the first at or after it. This reads every night ``night_times`` reads the
    same way, and also the nights it refuses as likely slips (more than 16 h from trying to
    a final wake after noon, bed in the morning before an evening's trying) that a FHIR
    import may store with their dates: so every stored night makes the round trip.
    """
    bed, tried, final_clock, out = clocks
    final = datetime.combine(wake_date, final_clock)
    day = timedelta(days=1)
    bed_at, tried_at, out_at = (datetime.combine(wake_date, clock) for clock in (bed, tried, out))
    return NightTimes(
        bed_at - day if bed_at > final else bed_at,
        tried_at - day if tried_at > final else tried_at,
        final,
        out_at + day if out_at < final else out_at,
    )


def _night_problems(row: _Row, times: Sequence[datetime], counts: Sequence[int]) -> list[str]:
    """The rules of a night across columns, named by column (the core checks them again)."""
    bed, tried, final, out = times
    sol, awakenings, waso = counts
    shown = {column: repr(row.raw(column).strip()) for column in _CLOCKS}
    problems = []
    if tried < bed:
        problems.append(
            f"tried_clock: {shown['tried_clock']} is before bed_clock {shown['bed_clock']}"
        )
    if out - bed > MAX_TIME_IN_BED:
        problems.append(
            f"out_of_bed_clock: {shown['out_of_bed_clock']} is more than 24 h after"
            f" bed_clock {shown['bed_clock']}"
        )
    if waso > 0 and awakenings == 0:
        problems.append(f"awakenings: '0' but waso_min is {waso}; count the awakenings")
    window = int((final - tried).total_seconds() // 60)
    if tried >= bed and sol + waso > window:
        problems.append(
            f"sol_min + waso_min: {sol} + {waso} min exceed the {window} min from tried_clock"
            f" {shown['tried_clock']} to final_wake_clock {shown['final_wake_clock']}:"
            " that would be negative sleep"
        )
    return problems


def _reported(row: _Row) -> ReportedSleep | None:
    """A quick check-in's night: the reported minutes asleep and the quality, nothing else."""
    asleep = row.cell(REPORTED_SLEEP.name, _whole(0, MAX_REPORTED_SLEEP_MIN))
    for column in (c.name for c in _SLEEP if c.name != "sleep_quality_1_5"):
        if row.filled(column):
            row.problems.append(
                f"{column}: is filled but so is {REPORTED_SLEEP.name}; a night is either the"
                " diary's times or the reported minutes asleep, not both"
            )
    quality = row.cell("sleep_quality_1_5", _whole(1, 5), required=True)
    if row.problems or asleep is None or quality is None:
        return None
    return ReportedSleep(asleep, quality)


def _sleep(row: _Row, wake_date: date | None) -> SleepDiary | None:
    """The night of a row: None when all sleep columns are empty."""
    filled = [c.name for c in _SLEEP if row.filled(c.name)]
    if not filled:
        return None
    for column in (c.name for c in _SLEEP if c.name not in filled):
        row.problems.append(
            f"{column}: is empty but other sleep columns are filled; fill all"
            f" {len(_SLEEP)} sleep columns or none"
        )
    clocks = [clock for c in _CLOCKS if (clock := row.cell(c, _clock)) is not None]
    sol = row.cell("sol_min", _whole(0, MAX_LATENCY_MIN))
    awakenings = row.cell("awakenings", _whole(0, MAX_AWAKENINGS))
    waso = row.cell("waso_min", _whole(0, MAX_LATENCY_MIN))
    quality = row.cell("sleep_quality_1_5", _whole(1, 5))
    if row.problems or wake_date is None or len(clocks) < len(_CLOCKS):
        return None
    if sol is None or awakenings is None or waso is None or quality is None:
        return None
    times = _resolve_night(wake_date, clocks)
    row.problems.extend(_night_problems(row, times, (sol, awakenings, waso)))
    if row.problems:
        return None
    return SleepDiary(*times, sol_min=sol, waso_min=waso, awakenings=awakenings, quality=quality)


def _wake_date(row: _Row, seen: dict[date, int]) -> date | None:
    """The row's wake_date; one seen on an earlier line is a problem of this one."""
    wake = row.cell("wake_date", _date, required=True)
    if wake is not None and wake in seen:
        row.problems.append(
            f"wake_date: {row.raw('wake_date').strip()!r} is already on line {seen[wake]};"
            " one row per date"
        )
    elif wake is not None:
        seen[wake] = row.line
    return wake


def _checkin(row: _Row, seen: dict[date, int]) -> CheckIn | None:
    wake = _wake_date(row, seen)
    quick = row.filled(REPORTED_SLEEP.name)
    sleep = _sleep(row, wake) if not quick else None
    reported = _reported(row) if quick else None
    mood = row.cell("mood_0_10", _whole(0, 10), required=True)
    anxiety = row.cell("anxiety_0_10", _whole(0, 10), required=True)
    worst = row.cell("worst_time", _choice(TIMES_OF_DAY))
    rated = {
        name: row.cell(column, _whole(0, SYMPTOM_MAX))
        for column, name in _SYMPTOM_BY_COLUMN.items()
    }
    caffeine = row.cell("caffeine_drinks", _whole(0, MAX_DRINKS))
    alcohol = row.cell("alcohol_drinks", _whole(0, MAX_DRINKS))
    opioid = row.cell("opioid_use", _yes_no)
    events = row.cell("events", _events)
    sleep_copied_from = row.cell("sleep_copied_from", _date)
    symptoms_copied_from = row.cell("symptoms_copied_from", _date)
    symptoms_rated = row.cell(SYMPTOMS_RATED.name, _yes_no)
    if symptoms_rated is False:
        row.problems.extend(
            f"{column}: is filled but symptoms_rated is 'no' (the checklist was not asked);"
            " empty it or say yes"
            for column in _SYMPTOM_BY_COLUMN
            if row.filled(column)
        )
    if row.problems or wake is None or mood is None or anxiety is None:
        return None
    return CheckIn(
        wake,
        sleep,
        mood=mood,
        anxiety=anxiety,
        symptoms={name: rating for name, rating in rated.items() if rating is not None},
        worst_time=_TIMES[worst] if worst is not None else None,
        caffeine_drinks=caffeine or 0,
        alcohol_drinks=alcohol or 0,
        opioid_use=bool(opioid),
        substances_asked=(caffeine, alcohol, opioid) != (None, None, None),
        events=events or frozenset(),
        notes=row.raw("notes"),
        sleep_copied_from=sleep_copied_from,
        symptoms_copied_from=symptoms_copied_from,
        reported_sleep=reported,
        # empty: rated when a symptom is (no column and no rating: not asked, never zeros)
        symptoms_rated=(
            symptoms_rated
            if symptoms_rated is not None
            else any(rating is not None for rating in rated.values())
        ),
    )


def read_journal_csv(text: str, *, skip_bad: bool = False) -> ImportResult[CheckIn]:
    """Read a journal CSV (see :data:`JOURNAL_COLUMNS`) into check-ins without doses.

    Without ``skip_bad`` no rows are returned when any row is bad; with it the good ones are.
    Header problems (a missing required column, an unknown or repeated one) and unreadable
    quoting import nothing either way. A wake_date seen before is an error on the later line.
    """
    seen: dict[date, int] = {}
    return _read(
        text, JOURNAL_COLUMNS, _guarded(lambda row: _checkin(row, seen)), skip_bad=skip_bad
    )
