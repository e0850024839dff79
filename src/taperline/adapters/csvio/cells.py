"""What both files share: writing rows, and reading cells, rows and files back."""

from __future__ import annotations

import csv
import difflib
import io
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from types import MappingProxyType
from typing import Final, get_args
from zoneinfo import ZoneInfo

from taperline.adapters.csvio.columns import (
    _FORMULA_START,
    _TEXT_COLUMNS,
    Column,
    ImportResult,
    RowError,
    T,
)
from taperline.core import values
from taperline.core.journal import RED_FLAG_EVENTS, TIMES_OF_DAY, RedFlagEvent, TimeOfDay
from taperline.core.quantity import Mass
from taperline.core.record import DoseStatus
from taperline.errors import InputError, ValueFormatError

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


#: A clock time (or a night's dated one) with a UTC offset: how the journal's CSV writes a
#: night logged in another zone than the person's now (before they moved).
_ZONED_CLOCK_RE: Final = re.compile(
    r"([0-9]{4}-[0-9]{2}-[0-9]{2}T)?[0-9]{2}:[0-9]{2}(Z|[+-][0-9]{2}:[0-9]{2})"
)
_ZONED_NIGHT: Final = (
    "has a UTC offset: the night was logged in another time zone (before a move),"
    " and this file's clock times are read as the person's zone now; import the"
    " FHIR export, which names the night's zone, or enter the night again"
)


def _clock(text: str) -> time:
    try:
        return values.parse_clock(text)
    except ValueFormatError:
        if _ZONED_CLOCK_RE.fullmatch(text):
            raise _CellError(_ZONED_NIGHT) from None
        raise _CellError("is not a 24-hour clock time HH:MM") from None


#: A cell with a date before its clock: ``YYYY-MM-DDTHH:MM``, or a space for the T (how a
#: spreadsheet saves a date-time it has read).
_DATED_RE: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ].*")
_NEITHER: Final = (
    "is neither a 24-hour clock time HH:MM nor a date and time YYYY-MM-DDTHH:MM"
    " (or YYYY-MM-DD HH:MM)"
)


def _night_clock(text: str) -> time | datetime:
    """A night's clock cell: ``HH:MM``, or a date-time ``YYYY-MM-DDTHH:MM`` that says its day.

    A space for the T (``2027-01-04 19:40``, as a spreadsheet saves the dated cells again)
    is the same date-time.

    >>> _night_clock("23:10"), _night_clock("2027-01-04T19:40")
    (datetime.time(23, 10), datetime.datetime(2027, 1, 4, 19, 40))
    >>> _night_clock("2027-01-04 19:40")
    datetime.datetime(2027, 1, 4, 19, 40)
    """
    if not _DATED_RE.fullmatch(text):
        try:
            return _clock(text)
        except _CellError as error:
            if str(error) == _ZONED_NIGHT:
                raise
            raise _CellError(
                "is not a 24-hour clock time HH:MM (nor a date and time YYYY-MM-DDTHH:MM)"
            ) from None
    if _ZONED_CLOCK_RE.fullmatch(text.replace(" ", "T", 1)):
        raise _CellError(_ZONED_NIGHT)
    try:
        return values.parse_local_datetime(text)
    except ValueFormatError:
        raise _CellError(_NEITHER) from None


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


# An offset at the end of a taken_at: written only for a time in an hour the clocks repeated.
_OFFSET_RE: Final = re.compile(r"(.+?)(Z|[+-]([0-9]{2}):([0-9]{2}))")


def _exists(local: datetime, tz: ZoneInfo) -> bool:
    """Whether the wall clock ``local`` was ever shown in ``tz`` (not skipped by a change)."""
    back = local.replace(tzinfo=tz).astimezone(UTC).astimezone(tz).replace(tzinfo=None)
    return back == local


def repeated(local: datetime, tz: ZoneInfo) -> bool:
    """Whether the wall clock ``local`` was shown twice in ``tz`` (the clocks went back).

    >>> london = ZoneInfo("Europe/London")
    >>> repeated(datetime(2027, 10, 31, 1, 30), london), repeated(datetime(2027, 10, 31, 2), london)
    (True, False)
    """
    first, second = local.replace(fold=0, tzinfo=tz), local.replace(fold=1, tzinfo=tz)
    return first.utcoffset() != second.utcoffset() and _exists(local, tz)


def _offset(match: re.Match[str]) -> timedelta:
    if match.group(2) == "Z":
        return timedelta(0)
    sign = -1 if match.group(2).startswith("-") else 1
    return sign * timedelta(hours=int(match.group(3)), minutes=int(match.group(4)))


def _utc_offset(offset: timedelta) -> str:
    minutes = int(offset.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _with_offset(local: datetime, offset: timedelta, tz: ZoneInfo) -> datetime:
    """The wall clock ``local`` (which exists in ``tz``) at ``offset``: one of its times."""
    for fold in (0, 1):
        candidate = local.replace(fold=fold)
        if candidate.replace(tzinfo=tz).utcoffset() == offset:
            return candidate
    found = (local.replace(fold=fold, tzinfo=tz).utcoffset() for fold in (0, 1))
    offsets = sorted({_utc_offset(o) for o in found if o is not None})
    raise _CellError(
        f"has the offset {_utc_offset(offset)}, but {tz.key} was at {' or '.join(offsets)}"
        " then: write the local time as the clock showed it"
    )


def _zoned_datetime(tz: ZoneInfo | None) -> Callable[[str], datetime]:
    """A local wall-clock date-time; with ``tz``, a time its clocks skipped is refused.

    An offset after it (``2027-10-31T01:30+00:00``) is read only with ``tz``: it says which
    of the two times of an hour the clocks repeated is meant (the file's writer adds one to
    such times). A repeated time without one is the first (as a time typed in is).
    """

    def parse(text: str) -> datetime:
        match = _OFFSET_RE.fullmatch(text) if tz is not None else None
        local = _local_datetime(match.group(1) if match else text)
        if tz is None:
            return local
        if not _exists(local, tz):
            raise _CellError(
                f"does not exist in {tz.key} (the clocks went forward then): enter the time"
                " as the clock showed it"
            )
        return _with_offset(local, _offset(match), tz) if match else local

    return parse


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


def _guarded(build: Callable[[_Row], T | None]) -> Callable[[_Row], T | None]:
    """Report a rule that the core enforces and the cell checks missed, instead of raising."""

    def run(row: _Row) -> T | None:
        try:
            return build(row)
        except InputError as exc:
            row.problems.append(str(exc))
            return None

    return run
