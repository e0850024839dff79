"""The journal's CSV: check-ins written and read back (without doses: the dose log has them)."""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Final

from taperline.adapters.csvio.cells import (
    _OFFSET_RE,
    _TIMES,
    _CellError,
    _choice,
    _date,
    _events,
    _guarded,
    _night_clock,
    _offset,
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
    LONGEST_UNASKED_NIGHT,
    MAX_AWAKENINGS,
    MAX_DRINKS,
    MAX_LATENCY_MIN,
    MAX_REPORTED_SLEEP_MIN,
    MAX_TIME_IN_BED,
    SYMPTOM_MAX,
    TIMES_OF_DAY,
    CheckIn,
    LongNightError,
    NightTimes,
    ReportedSleep,
    SleepDiary,
    night_times,
)
from taperline.errors import CheckInError, InputError, NightSlipError
from taperline.zones import known_zone, zone

# --- export -----------------------------------------------------------------------------------


def _sleep_cells(checkin: CheckIn) -> dict[str, str]:
    night, reported = checkin.sleep, checkin.reported_sleep
    if night is None:
        cells = {c.name: "" for c in _SLEEP}
        if reported is not None:
            cells["sleep_quality_1_5"] = str(reported.quality)
        cells[REPORTED_SLEEP.name] = str(reported.asleep_min) if reported is not None else ""
        return cells
    dated = not _read_back_alike(checkin.wake_date, night)
    bed, tried, final, out = (_clock_cell(at, night, dated=dated) for at in _times(night))
    return {
        REPORTED_SLEEP.name: "",
        "bed_clock": bed,
        "tried_clock": tried,
        "sol_min": str(night.sol_min),
        "awakenings": str(night.awakenings),
        "waso_min": str(night.waso_min),
        "final_wake_clock": final,
        "out_of_bed_clock": out,
        "sleep_quality_1_5": str(night.quality),
    }


def _times(night: SleepDiary) -> NightTimes:
    return NightTimes(night.bed, night.tried, night.final_wake, night.out_of_bed)


def _read_back_alike(wake_date: date, night: SleepDiary) -> bool:
    """Whether the night's HH:MM clocks read back, by ``night_times``' rule, as its times.

    Not so for a night the rule asks about (over 16 h, confirmed when it was stored, by the
    clocks or by the time that passed: an import that knows the zone counts the hour the
    clocks changed, one that does not the clocks) or places otherwise (a FHIR import's
    dates): those are written with their dates.
    """
    shift = timedelta(minutes=night.clock_shift_min)
    span = night.final_wake - night.tried
    if max(span, span - shift) > LONGEST_UNASKED_NIGHT:
        return False
    clocks = [at.strftime("%H:%M") for at in _times(night)]
    try:
        return night_times(wake_date, *clocks) == _times(night)
    except CheckInError:
        return False


def _clock_cell(at: datetime, night: SleepDiary, *, dated: bool) -> str:
    """HH:MM (YYYY-MM-DDTHH:MM ``dated``), with its zone's offset for a night with one.

    The offset (23:10+05:45) is written for a night logged before the person moved: without
    it the clock would read as the person's zone now, another moment; the import refuses it
    by its line.
    """
    text = at.strftime("%Y-%m-%dT%H:%M" if dated else "%H:%M")
    if night.time_zone is None:
        return text
    return text + at.replace(tzinfo=zone(night.time_zone)).isoformat(timespec="minutes")[16:]


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
        "time_zone": checkin.sleep.time_zone or "" if checkin.sleep is not None else "",
    }


def _iso(day: date | None) -> str:
    return day.isoformat() if day is not None else ""


def journal_csv(checkins: Sequence[CheckIn]) -> str:
    """The journal as CSV text: a header row and one row per check-in, in the given order.

    Sleep columns are empty when the night was not filled in; clock times are to the minute,
    the person's own, ``HH:MM`` when :func:`~taperline.core.journal.night_times` reads them
    back as the night's times, else all four with their dates (``2027-01-04T19:40``: a long
    night the person confirmed, or one imported with its dates); a night logged in another
    zone, before they moved (``SleepDiary.time_zone``), has that zone's offset after each
    (``23:10+05:45``) and the zone in the column ``time_zone``, which :func:`read_journal_csv`
    reads them in (a clock with an offset and no zone named is refused by its line rather than
    read as another moment).
    ``CheckIn.doses`` are not written: the dose log carries them.
    """
    return _write(JOURNAL_COLUMNS, (_journal_row(c) for c in checkins))


def checkin_code(checkin: CheckIn, *, person_id: int) -> str:
    """One check-in of person ``person_id`` as a line of text that gives it back exactly.

    The undo of a deleted check-in (the journal page's notice, ``taperline journal delete``;
    read by :func:`checkin_of_code`): its journal CSV row (every field, copy marks, a night's
    own zone) in base64url, so that no form, shell or terminal changes a byte of it (a browser
    sends a form's line breaks as CRLF), after a check of the row, the columns it was written
    with and the person (a code cut short, of another version's columns or of another
    person's journal is refused, never read into the wrong fields or the wrong journal).
    """
    header, _, row = journal_csv([checkin]).partition(_LINE_END)
    body = base64.urlsafe_b64encode(row.encode()).decode("ascii")
    return f"{_check(person_id, header, row)}.{body}"


def checkin_of_code(code: str, *, person_id: int) -> CheckIn:
    """The check-in :func:`checkin_code` wrote for ``person_id``.

    Quotes around the code (a shell that kept them, a chat that curled them) are ignored.

    Raises:
        InputError: ``code`` is not one (cut short, changed, another version's or another
            person's, or another text).
    """
    header = journal_csv([]).partition(_LINE_END)[0]
    tag, _, body = code.strip().strip(_QUOTES).strip().partition(".")
    try:
        row = base64.urlsafe_b64decode(body.encode("ascii")).decode()
    except (UnicodeError, binascii.Error):
        row = ""
    read = read_journal_csv(header + _LINE_END + row) if row else None
    if tag != _check(person_id, header, row) or read is None or read.errors or len(read.rows) != 1:
        raise InputError(
            "the code is not a check-in this version of taperline wrote for this journal (cut"
            " short, changed, or from another person's?): copy it whole"
        )
    return read.rows[0]


_LINE_END: Final = "\r\n"
_QUOTES: Final = "'\"\u2018\u2019\u201c\u201d`"


def _check(person_id: int, header: str, row: str) -> str:
    text = f"{person_id}{_LINE_END}{header}{_LINE_END}{row}"
    return hashlib.sha256(text.encode()).hexdigest()[:8]


# --- the journal ------------------------------------------------------------------------------

_CLOCKS: Final = ("bed_clock", "tried_clock", "final_wake_clock", "out_of_bed_clock")


_COLUMN_OF: Final = {
    "bed": "bed_clock",
    "tried": "tried_clock",
    "final_wake": "final_wake_clock",
    "out_of_bed": "out_of_bed_clock",
}


def _slip_problem(error: CheckInError) -> str:
    """A slip ``night_times`` refused, named by the file's columns and cells."""
    if not isinstance(error, NightSlipError) or error.earlier_field not in _COLUMN_OF:
        return str(error)
    later, earlier = _COLUMN_OF[str(error.field)], _COLUMN_OF[error.earlier_field]
    hours, minutes = divmod(int(error.span.total_seconds() // 60), 60)
    earlier_at = f"{error.earlier:%H:%M}"
    problem = (
        f"{later}: '{error.later:%H:%M}' is {hours} h {minutes} min after {earlier}"
        f" '{earlier_at}': check the times (a.m. or p.m.?)"
    )
    if isinstance(error, LongNightError):
        day = error.tried.date().isoformat()
        problem += (
            "; if the night really was that long, write its four clock times with their"
            f" dates (tried_clock {day}T{earlier_at})"
        )
    return problem


def _night_of(
    row: _Row, wake_date: date, clocks: Sequence[time | datetime], time_zone: tzinfo | None
) -> NightTimes | None:
    """A night's four clock cells as date-times: by ``night_times``' rule, or as dated.

    ``HH:MM`` cells are read as every check-in door reads them (so a slip it refuses is
    refused here by its line); cells with their dates (how the export writes a night that
    rule would not read back alike) are taken as written, the final awakening on wake_date.
    """
    dated = [clock for clock in clocks if isinstance(clock, datetime)]
    if dated and len(dated) < len(clocks):
        row.problems.append(
            f"{', '.join(_CLOCKS)}: give all four with their dates (YYYY-MM-DDTHH:MM) or all"
            " four as HH:MM"
        )
        return None
    if dated:
        times = NightTimes(*dated)
        if times.final_wake.date() != wake_date:
            row.problems.append(
                f"final_wake_clock: {row.raw('final_wake_clock').strip()!r} is not on wake_date"
                f" {wake_date.isoformat()}: a night belongs to the date of waking"
            )
            return None
        return times
    try:
        return night_times(wake_date, *(f"{clock:%H:%M}" for clock in clocks), time_zone=time_zone)
    except CheckInError as error:
        row.problems.append(_slip_problem(error))
        return None


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
    if final < tried:
        problems.append(
            f"final_wake_clock: {shown['final_wake_clock']} is before tried_clock"
            f" {shown['tried_clock']}"
        )
    if out < final:
        problems.append(
            f"out_of_bed_clock: {shown['out_of_bed_clock']} is before final_wake_clock"
            f" {shown['final_wake_clock']}"
        )
    if out - bed > MAX_TIME_IN_BED:
        problems.append(
            f"out_of_bed_clock: {shown['out_of_bed_clock']} is more than 24 h after"
            f" bed_clock {shown['bed_clock']}"
        )
    if waso > 0 and awakenings == 0:
        problems.append(f"awakenings: '0' but waso_min is {waso}; count the awakenings")
    window = int((final - tried).total_seconds() // 60)
    if bed <= tried <= final and sol + waso > window:
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


def _recorded_zone(text: str) -> str:
    """A zone a night was logged in, in the database's spelling (EST too: it was recorded)."""
    try:
        return known_zone(text)
    except InputError as exc:
        raise _CellError(str(exc).removeprefix(f"time_zone {text!r} ")) from None


def _clock_without_offset(text: str) -> tuple[time | datetime, None]:
    """A night's clock cell in the person's zone (an offset is refused: another zone's)."""
    return _night_clock(text), None


def _clock_with_offset(text: str) -> tuple[time | datetime, timedelta | None]:
    """A night's clock cell in a named zone: the clock, and the UTC offset after it if any."""
    match = _OFFSET_RE.fullmatch(text)
    if match is None:
        return _night_clock(text), None
    return _night_clock(match.group(1)), _offset(match)


def _offset_problems(
    row: _Row, times: NightTimes, offsets: Sequence[timedelta | None], tz: tzinfo, name: str
) -> list[str]:
    """Each clock whose offset is not the one its zone had then (a slip, not a zone to guess)."""
    problems = []
    for column, at, offset in zip(_CLOCKS, times, offsets, strict=True):
        had = {tz.utcoffset(at.replace(fold=0)), tz.utcoffset(at.replace(fold=1))}
        if offset is not None and offset not in had:
            problems.append(
                f"{column}: {row.raw(column).strip()!r} has an offset {name} did not have"
                " then: check the time or time_zone"
            )
    return problems


def _night_zone(row: _Row, time_zone: tzinfo | None) -> tuple[str | None, bool]:
    """The zone named in ``time_zone`` (None: the person's), and whether it can be read.

    A zone that is the person's (``time_zone``) is theirs: the night keeps no zone of its
    own, as a FHIR import reads one.
    """
    own = row.cell("time_zone", _recorded_zone)
    if own is None:
        return None, not row.filled("time_zone")
    return (None if own == getattr(time_zone, "key", None) else own), True


def _sleep(row: _Row, wake_date: date | None, time_zone: tzinfo | None) -> SleepDiary | None:
    """The night of a row: None when all sleep columns are empty.

    Its clocks are read in the zone named in ``time_zone`` (a night logged before a move,
    an offset after a clock checked against it), else in the person's (``time_zone``).
    """
    filled = [c.name for c in _SLEEP if row.filled(c.name)]
    if not filled:
        if row.filled("time_zone"):
            row.problems.append(
                "time_zone: is filled but the night's clock times are empty; leave it empty"
            )
        return None
    for column in (c.name for c in _SLEEP if c.name not in filled):
        row.problems.append(
            f"{column}: is empty but other sleep columns are filled; fill all"
            f" {len(_SLEEP)} sleep columns or none"
        )
    own, readable = _night_zone(row, time_zone)
    parse = _clock_with_offset if own is not None else _clock_without_offset
    cells = [cell for c in _CLOCKS if (cell := row.cell(c, parse)) is not None]
    sol = row.cell("sol_min", _whole(0, MAX_LATENCY_MIN))
    awakenings = row.cell("awakenings", _whole(0, MAX_AWAKENINGS))
    waso = row.cell("waso_min", _whole(0, MAX_LATENCY_MIN))
    quality = row.cell("sleep_quality_1_5", _whole(1, 5))
    if not readable or row.problems or wake_date is None or len(cells) < len(_CLOCKS):
        return None
    if sol is None or awakenings is None or waso is None or quality is None:
        return None
    read_in = zone(own) if own is not None else time_zone
    times = _night_of(row, wake_date, [clock for clock, _ in cells], read_in)
    if times is None:
        return None
    if own is not None and read_in is not None:
        row.problems.extend(_offset_problems(row, times, [o for _, o in cells], read_in, own))
    row.problems.extend(_night_problems(row, times, (sol, awakenings, waso)))
    if row.problems:
        return None
    return SleepDiary(
        *times, sol_min=sol, waso_min=waso, awakenings=awakenings, quality=quality, time_zone=own
    )


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


def _checkin(row: _Row, seen: dict[date, int], time_zone: tzinfo | None) -> CheckIn | None:
    wake = _wake_date(row, seen)
    quick = row.filled(REPORTED_SLEEP.name)
    sleep = _sleep(row, wake, time_zone) if not quick else None
    if quick and row.filled("time_zone"):
        row.problems.append(
            f"time_zone: is filled but so is {REPORTED_SLEEP.name}; only a night given by its"
            " clock times has a zone: leave it empty"
        )
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


def read_journal_csv(
    text: str, *, skip_bad: bool = False, time_zone: tzinfo | None = None
) -> ImportResult[CheckIn]:
    """Read a journal CSV (see :data:`JOURNAL_COLUMNS`) into check-ins without doses.

    Without ``skip_bad`` no rows are returned when any row is bad; with it the good ones are.
    Header problems (a missing required column, an unknown or repeated one) and unreadable
    quoting import nothing either way. A wake_date seen before is an error on the later line.
    ``time_zone`` (the person's) counts a night's HH:MM clocks as the hours that passed
    across a change of the clocks (a night over 16 h so is asked about, as on every door).
    """
    seen: dict[date, int] = {}
    return _read(
        text,
        JOURNAL_COLUMNS,
        _guarded(lambda row: _checkin(row, seen, time_zone)),
        skip_bad=skip_bad,
    )
