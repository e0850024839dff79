"""CSV export and import of the journal and the dose log (RFC 4180, one header row).

Every column carries its unit or range in its name (``mood_0_10``, ``amount_mg``); the columns
and their meaning are listed in :data:`COLUMNS_DOC`, which a test renders into docs/csv.md.
Import is all-or-nothing unless ``skip_bad`` is given. Every problem is reported as
``line N: column: 'value' ...``, where N is the line of the file on which the row starts (the
header is line 1; a quoted note may span several lines).

>>> from datetime import date
>>> from taperline.core.journal import CheckIn
>>> text = journal_csv([CheckIn(date(2027, 1, 5), None, mood=6, anxiety=4, notes="ok, fine")])
>>> read_journal_csv(text).rows[0].notes
'ok, fine'
>>> [str(error) for error in read_journal_csv(text.replace(",6,4,", ",11,4,")).errors]
["line 2: mood_0_10: '11' is not 0-10"]
"""

from __future__ import annotations

import csv
import difflib
import io
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from types import MappingProxyType
from typing import Final, Generic, TypeVar, get_args

from taperline.core import values
from taperline.core.journal import (
    MAX_AWAKENINGS,
    MAX_DRINKS,
    MAX_LATENCY_MIN,
    MAX_TIME_IN_BED,
    RED_FLAG_EVENTS,
    SYMPTOM_MAX,
    SYMPTOMS,
    TIMES_OF_DAY,
    CheckIn,
    NightTimes,
    RedFlagEvent,
    SleepDiary,
    TimeOfDay,
)
from taperline.core.quantity import Mass
from taperline.core.record import DoseRecord, DoseStatus
from taperline.errors import InputError, ValueFormatError

__all__ = [
    "COLUMNS_DOC",
    "DOSE_LOG_COLUMNS",
    "JOURNAL_COLUMNS",
    "Column",
    "ImportResult",
    "RowError",
    "columns_markdown",
    "dose_log_csv",
    "journal_csv",
    "read_dose_log_csv",
    "read_journal_csv",
    "symptom_column",
]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class RowError:
    """A problem in an imported file: the line the row starts on (header = 1) and what is wrong."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass(frozen=True, slots=True)
class ImportResult(Generic[T]):
    """What an import read: the good rows, and every problem found (none when all is well)."""

    rows: tuple[T, ...] = ()
    errors: tuple[RowError, ...] = ()


@dataclass(frozen=True, slots=True)
class Column:
    """One documented CSV column: its name, unit or range, meaning and whether it is required."""

    name: str
    unit: str
    meaning: str
    required: bool = False


# --- columns ----------------------------------------------------------------------------------


def symptom_column(name: str) -> str:
    """The journal column of a checklist symptom.

    >>> symptom_column("muscle pain or stiffness")
    'symptom_muscle_pain_or_stiffness_0_3'
    """
    return f"symptom_{re.sub(r'[^a-z0-9]+', '_', name.lower()).strip('_')}_0_{SYMPTOM_MAX}"


#: Journal column -> checklist symptom name.
_SYMPTOM_BY_COLUMN: Final[Mapping[str, str]] = MappingProxyType(
    {symptom_column(name): name for name in SYMPTOMS}
)
_CLOCK_HELP: Final = "HH:MM, 24 h"
_SLEEP: Final[tuple[Column, ...]] = (
    Column("bed_clock", _CLOCK_HELP, "got into bed (the evening before if after final_wake_clock)"),
    Column("tried_clock", _CLOCK_HELP, "started trying to sleep"),
    Column("sol_min", f"min, 0-{MAX_LATENCY_MIN}", "sleep onset latency: minutes to fall asleep"),
    Column(
        "awakenings",
        f"count, 0-{MAX_AWAKENINGS}",
        "times woken between falling asleep and the final awakening",
    ),
    Column(
        "waso_min",
        f"min, 0-{MAX_LATENCY_MIN}",
        "wake after sleep onset: minutes awake in the night",
    ),
    Column("final_wake_clock", _CLOCK_HELP, "final awakening, on wake_date"),
    Column(
        "out_of_bed_clock",
        _CLOCK_HELP,
        "got out of bed (the day after wake_date if before final_wake_clock)",
    ),
    Column("sleep_quality_1_5", "1-5", "quality of the night: 1 very poor to 5 very good"),
)
JOURNAL_COLUMNS: Final[tuple[Column, ...]] = (
    Column(
        "wake_date",
        "date YYYY-MM-DD",
        "the date of waking: the night before it and the"
        " day's check-in belong to it; once per file",
        required=True,
    ),
    *_SLEEP,
    Column("mood_0_10", "0-10", "mood: 0 worst to 10 best", required=True),
    Column("anxiety_0_10", "0-10", "anxiety: 0 none to 10 worst", required=True),
    Column("worst_time", " / ".join(TIMES_OF_DAY), "when symptoms were worst; empty: not given"),
    *(
        Column(
            column,
            f"0-{SYMPTOM_MAX}",
            f"{name}: 0 none to {SYMPTOM_MAX} severe; empty: not rated (counts as 0)",
        )
        for column, name in _SYMPTOM_BY_COLUMN.items()
    ),
    Column("caffeine_drinks", f"count, 0-{MAX_DRINKS}", "caffeinated drinks; empty: 0"),
    Column("alcohol_drinks", f"count, 0-{MAX_DRINKS}", "alcoholic drinks; empty: 0"),
    Column("opioid_use", "yes / no", "took an opioid that day; empty: no"),
    Column(
        "events", "; ".join(RED_FLAG_EVENTS), "red-flag events of the day, separated by semicolons"
    ),
    Column("notes", "text", "free text, kept exactly (may hold commas, quotes and line breaks)"),
)
DOSE_LOG_COLUMNS: Final[tuple[Column, ...]] = (
    Column("day", "date YYYY-MM-DD", "the day the dose belongs to", required=True),
    Column("drug", "name", "the drug, for example clonazepam", required=True),
    Column(
        "planned_clock",
        _CLOCK_HELP,
        "the planned time; empty for an extra (unplanned) dose",
        required=True,
    ),
    Column("planned_amount_mg", "mg, above 0", "the planned amount; empty if none was planned"),
    Column(
        "taken_at",
        "YYYY-MM-DDTHH:MM, local",
        "when it was taken (local wall clock, no zone); empty for a missed dose",
        required=True,
    ),
    Column("amount_mg", "mg, above 0", "the amount taken; empty for a missed dose", required=True),
    Column(
        "status",
        "taken / late / missed / extra",
        "worked out on export (late: more than 2 h after planned_clock); on import it may be"
        " empty and is checked to be one of these but not used",
    ),
    Column("units", "text", "the product units used, for example 1 x tablet 0.5 mg"),
    Column("note", "text", "free text, kept exactly"),
)
#: The documented columns of each file, in file order (rendered into docs/csv.md by a test).
COLUMNS_DOC: Final[Mapping[str, tuple[Column, ...]]] = MappingProxyType(
    {"journal": JOURNAL_COLUMNS, "dose log": DOSE_LOG_COLUMNS}
)
_TEXT_COLUMNS: Final = frozenset({"notes", "drug", "units", "note"})
# A spreadsheet runs a cell starting with one of these as a formula; such text is written with
# a leading apostrophe (and so is text that starts with one), which import takes off again.
_FORMULA_START: Final = ("=", "+", "-", "@", "\t", "\r", "'")


def columns_markdown(columns: Sequence[Column]) -> str:
    """A Markdown table of ``columns`` (the one in docs/csv.md is made by this)."""
    lines = ["| column | unit / range | required | meaning |", "| --- | --- | --- | --- |"]
    lines.extend(
        f"| `{c.name}` | {c.unit} | {'yes' if c.required else ''} | {c.meaning} |" for c in columns
    )
    return "\n".join(lines) + "\n"


# --- export -----------------------------------------------------------------------------------


def _text_cell(value: str) -> str:
    return f"'{value}" if value.startswith(_FORMULA_START) else value


def _mg(mass: Mass | None) -> str:
    return "" if mass is None else f"{mass.mg:f}"


def _write(columns: Sequence[Column], rows: Iterator[Mapping[str, str]]) -> str:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    names = [c.name for c in columns]
    writer.writerow(names)
    for row in rows:
        writer.writerow([_text_cell(row[n]) if n in _TEXT_COLUMNS else row[n] for n in names])
    return buffer.getvalue()


def _sleep_cells(checkin: CheckIn) -> dict[str, str]:
    night = checkin.sleep
    if night is None:
        return {c.name: "" for c in _SLEEP}
    return {
        "bed_clock": night.bed.strftime("%H:%M"),
        "tried_clock": night.tried.strftime("%H:%M"),
        "sol_min": str(night.sol_min),
        "awakenings": str(night.awakenings),
        "waso_min": str(night.waso_min),
        "final_wake_clock": night.final_wake.strftime("%H:%M"),
        "out_of_bed_clock": night.out_of_bed.strftime("%H:%M"),
        "sleep_quality_1_5": str(night.quality),
    }


def _journal_row(checkin: CheckIn) -> dict[str, str]:
    symptoms = {
        column: str(checkin.symptoms[name]) if name in checkin.symptoms else ""
        for column, name in _SYMPTOM_BY_COLUMN.items()
    }
    return {
        "wake_date": checkin.wake_date.isoformat(),
        **_sleep_cells(checkin),
        "mood_0_10": str(checkin.mood),
        "anxiety_0_10": str(checkin.anxiety),
        "worst_time": checkin.worst_time or "",
        **symptoms,
        "caffeine_drinks": str(checkin.caffeine_drinks),
        "alcohol_drinks": str(checkin.alcohol_drinks),
        "opioid_use": "yes" if checkin.opioid_use else "no",
        "events": ";".join(sorted(checkin.events)),
        "notes": checkin.notes,
    }


def journal_csv(checkins: Sequence[CheckIn]) -> str:
    """The journal as CSV text: a header row and one row per check-in, in the given order.

    Sleep columns are empty when the night was not filled in; clock times are to the minute.
    ``CheckIn.doses`` are not written: the dose log carries them.
    """
    return _write(JOURNAL_COLUMNS, (_journal_row(c) for c in checkins))


def _local_iso(moment: datetime | None) -> str:
    if moment is None:
        return ""
    whole_minute = moment.second == 0 and moment.microsecond == 0
    return moment.isoformat(timespec="minutes" if whole_minute else "auto")


def _dose_row(record: DoseRecord, late_after_h: float) -> dict[str, str]:
    return {
        "day": record.day.isoformat(),
        "drug": record.drug,
        "planned_clock": record.planned_clock or "",
        "planned_amount_mg": _mg(record.planned_amount),
        "taken_at": _local_iso(record.taken_at),
        "amount_mg": _mg(record.amount),
        "status": record.status(late_after_h=late_after_h),
        "units": record.units,
        "note": record.note,
    }


def dose_log_csv(doses: Sequence[DoseRecord], *, late_after_h: float = 2.0) -> str:
    """The dose log as CSV text: a header row and one row per record, in the given order.

    Amounts are plain numbers of mg (``0.125``); ``status`` is worked out with ``late_after_h``.
    """
    return _write(DOSE_LOG_COLUMNS, (_dose_row(d, late_after_h) for d in doses))


# --- reading cells ----------------------------------------------------------------------------


class _CellError(ValueError):
    """A cell that cannot be read; the message follows the quoted value."""


@dataclass(slots=True)
class _Row:
    """One data row being read: its first line, cells by column and the problems found."""

    line: int
    cells: Mapping[str, str]
    problems: list[str] = field(default_factory=list)

    def raw(self, column: str) -> str:
        value = self.cells.get(column, "")
        return value[1:] if column in _TEXT_COLUMNS and value.startswith("'") else value

    def filled(self, column: str) -> bool:
        return bool(self.raw(column).strip())

    def cell(self, column: str, parse: Callable[[str], T], *, required: bool = False) -> T | None:
        """The parsed cell, or None when empty (a problem if required) or unreadable."""
        value = self.raw(column)
        if not value.strip():
            if required:
                self.problems.append(f"{column}: is empty; a value is required")
            return None
        try:
            return parse(value.strip())
        except _CellError as exc:
            self.problems.append(f"{column}: {value!r} {exc}")
            return None


def _date(text: str) -> date:
    try:
        return values.parse_date(text)
    except ValueFormatError:
        raise _CellError("is not a date YYYY-MM-DD") from None


def _whole(low: int, high: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        if not re.fullmatch(r"[+-]?\d{1,9}", text):
            raise _CellError(f"is not a whole number {low}-{high}")
        if not low <= int(text) <= high:
            raise _CellError(f"is not {low}-{high}")
        return int(text)

    return parse


def _clock(text: str) -> time:
    try:
        return values.parse_clock(text)
    except ValueFormatError:
        raise _CellError("is not a 24-hour clock time HH:MM") from None


# Decimal works to 28 digits; more in an amount is a typo (and would be rounded).
_MAX_DIGITS: Final = 18


def _mass_mg(text: str) -> Mass:
    if re.fullmatch(r"[+-]?\d*,\d+", text):
        raise _CellError("uses a comma: write a plain number of mg with a point, e.g. 0.5")
    if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", text):
        raise _CellError("is not a plain number of mg (no unit), e.g. 0.5")
    if len(text.lstrip("+-").replace(".", "")) > _MAX_DIGITS:
        raise _CellError(f"has more than {_MAX_DIGITS} digits")
    amount = Decimal(text)
    if amount <= 0:
        raise _CellError("is not above zero")
    return Mass.of_mg(amount)


def _local_datetime(text: str) -> datetime:
    try:
        return values.parse_local_datetime(text)
    except ValueFormatError as error:
        if values.HAS_ZONE in str(error):
            raise _CellError(
                f"{values.HAS_ZONE}: write the local wall-clock time without one"
            ) from None
        raise _CellError("is not a local date-time YYYY-MM-DDTHH:MM") from None


def _choice(options: Sequence[str]) -> Callable[[str], str]:
    def parse(text: str) -> str:
        if text not in options:
            raise _CellError(f"is unknown: use one of {', '.join(options)}")
        return text

    return parse


def _yes_no(text: str) -> bool:
    answers = {"yes": True, "no": False, "true": True, "false": False, "1": True, "0": False}
    if text.lower() not in answers:
        raise _CellError("is not yes or no")
    return answers[text.lower()]


def _events(text: str) -> frozenset[RedFlagEvent]:
    found: set[RedFlagEvent] = set()
    for part in (p.strip() for p in text.split(";")):
        if part and part not in RED_FLAG_EVENTS:
            raise _CellError(f"holds unknown event {part!r}: use {'; '.join(RED_FLAG_EVENTS)}")
        if part:
            found.add(_RED_FLAGS[part])
    return frozenset(found)


_RED_FLAGS: Final[Mapping[str, RedFlagEvent]] = MappingProxyType({e: e for e in RED_FLAG_EVENTS})
_TIMES: Final[Mapping[str, TimeOfDay]] = MappingProxyType({t: t for t in TIMES_OF_DAY})
_STATUSES: Final[tuple[DoseStatus, ...]] = get_args(DoseStatus)


# --- reading files ----------------------------------------------------------------------------


class _Unreadable(Exception):  # noqa: N818 -- internal signal, never leaves this module
    """Quoting that the csv module cannot read; nothing after it can be trusted."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(reason)
        self.line = line


def _header_problems(names: Sequence[str], columns: Sequence[Column]) -> list[str]:
    known = [c.name for c in columns]
    unique = list(dict.fromkeys(names))
    problems = [f"column {n!r} appears more than once" for n in unique if names.count(n) > 1]
    for name in (n for n in unique if n not in known):
        close = difflib.get_close_matches(name, known, n=1)
        hint = f"did you mean {close[0]!r}?" if close else "see docs/csv.md for the columns"
        problems.append(f"unknown column {name!r} (its data would be lost): {hint}")
    problems.extend(
        f"missing required column {c.name!r}" for c in columns if c.required and c.name not in names
    )
    return problems


def _records(text: str) -> Iterator[tuple[int, list[str]]]:
    """Non-blank records, each with the line of the file it starts on."""
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""), strict=True)
    start = 1
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise _Unreadable(start, str(exc)) from exc
        if record:
            yield start, record
        start = reader.line_num + 1


def _read_rows(
    records: Iterator[tuple[int, list[str]]],
    names: Sequence[str],
    build: Callable[[_Row], T | None],
) -> tuple[list[T], list[RowError]]:
    rows: list[T] = []
    errors: list[RowError] = []
    for line, record in records:
        if len(record) != len(names):
            found = f"the row has {len(record)} fields but the header has {len(names)}"
            errors.append(RowError(line, found))
            continue
        row = _Row(line, dict(zip(names, record, strict=True)))
        value = build(row)
        errors.extend(RowError(line, problem) for problem in row.problems)
        if value is not None and not row.problems:
            rows.append(value)
    return rows, errors


def _read(
    text: str, columns: Sequence[Column], build: Callable[[_Row], T | None], *, skip_bad: bool
) -> ImportResult[T]:
    records = _records(text)
    try:
        header_line, header = next(records, (1, []))
        names = [name.strip().lower() for name in header]
        problems = _header_problems(names, columns) if header else []
        if problems:
            return ImportResult((), tuple(RowError(header_line, p) for p in problems))
        rows, errors = _read_rows(records, names, build)
    except _Unreadable as exc:
        reason = f"the CSV cannot be read from here on ({exc}); check the quotes"
        return ImportResult((), (RowError(exc.line, reason),))
    return ImportResult(() if errors and not skip_bad else tuple(rows), tuple(errors))


# --- the journal ------------------------------------------------------------------------------

_CLOCKS: Final = ("bed_clock", "tried_clock", "final_wake_clock", "out_of_bed_clock")


def _resolve_night(wake_date: date, clocks: Sequence[time]) -> NightTimes:
    """Full date-times of a night's bed, tried, final wake and out-of-bed clock times.

    The final wake is on ``wake_date``; bed and tried are the last such time at or before it,
    out of bed the first at or after it. This reads every night that ``night_times`` can
    express the same way, and also a final wake from noon on or a rise after noon, which
    ``night_times`` puts on the evening before: so every valid night makes the round trip.
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
    sleep = _sleep(row, wake)
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
        events=events or frozenset(),
        notes=row.raw("notes"),
    )


def _guarded(build: Callable[[_Row], T | None]) -> Callable[[_Row], T | None]:
    """Report a rule that the core enforces and the cell checks missed, instead of raising."""

    def run(row: _Row) -> T | None:
        try:
            return build(row)
        except InputError as exc:
            row.problems.append(str(exc))
            return None

    return run


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


# --- the dose log -----------------------------------------------------------------------------


def _dose(row: _Row) -> DoseRecord | None:
    day = row.cell("day", _date, required=True)
    drug = row.cell("drug", str, required=True)
    planned_clock = row.cell("planned_clock", _clock)
    planned_amount = row.cell("planned_amount_mg", _mass_mg)
    taken_at = row.cell("taken_at", _local_datetime)
    amount = row.cell("amount_mg", _mass_mg)
    row.cell("status", _choice(_STATUSES))
    if row.filled("taken_at") and not row.filled("amount_mg"):
        row.problems.append("amount_mg: is empty but taken_at is filled; a taken dose needs both")
    if row.filled("amount_mg") and not row.filled("taken_at"):
        row.problems.append("taken_at: is empty but amount_mg is filled; a taken dose needs both")
    if not row.filled("planned_clock") and not row.filled("taken_at"):
        row.problems.append("planned_clock, taken_at: both are empty; give at least one")
    if row.problems or day is None or drug is None:
        return None
    return DoseRecord(
        day,
        drug,
        planned_clock.strftime("%H:%M") if planned_clock is not None else None,
        planned_amount,
        taken_at,
        amount,
        units=row.raw("units"),
        note=row.raw("note"),
    )


def read_dose_log_csv(text: str, *, skip_bad: bool = False) -> ImportResult[DoseRecord]:
    """Read a dose-log CSV (see :data:`DOSE_LOG_COLUMNS`); ``status`` is checked, not used.

    Without ``skip_bad`` nothing is returned when any row is bad; with it the good rows are.
    """
    return _read(text, DOSE_LOG_COLUMNS, _guarded(_dose), skip_bad=skip_bad)
