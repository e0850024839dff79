"""The dose log's CSV: dose records written and read back."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from taperline.adapters.csvio.cells import (
    _STATUSES,
    _CellError,
    _choice,
    _clock,
    _date,
    _guarded,
    _mass_mg,
    _mg,
    _read,
    _Row,
    _write,
    _zoned_datetime,
    repeated,
)
from taperline.adapters.csvio.columns import DOSE_LOG_COLUMNS, ImportResult
from taperline.core.record import DoseRecord
from taperline.errors import InputError
from taperline.zones import known_zone, zone

# --- export -----------------------------------------------------------------------------------


def _local_iso(moment: datetime | None, tz: ZoneInfo | None, own_zone: str | None) -> str:
    """The wall clock, with its offset when ``tz`` showed it twice (else it reads back wrong).

    A dose with a zone of its own (logged before the person moved) always has that zone's
    offset: without it the clock would read as the person's zone now, another moment.
    """
    if moment is None:
        return ""
    whole_minute = moment.second == 0 and moment.microsecond == 0
    timespec = "minutes" if whole_minute else "auto"
    if own_zone is not None:
        return moment.replace(tzinfo=zone(own_zone)).isoformat(timespec=timespec)
    if tz is not None and repeated(moment, tz):
        return moment.replace(tzinfo=tz).isoformat(timespec=timespec)
    if tz is None and moment.fold:
        # the second of a repeated time: without the zone no offset can say so
        raise ValueError(f"taken_at {moment} is the second of a repeated time: give time_zone")
    return moment.isoformat(timespec=timespec)


def _dose_row(record: DoseRecord, late_after_h: float, tz: ZoneInfo | None) -> dict[str, str]:
    return {
        "day": record.day.isoformat(),
        "drug": record.drug,
        "planned_clock": record.planned_clock or "",
        "planned_amount_mg": _mg(record.planned_amount),
        "taken_at": _local_iso(record.taken_at, tz, record.time_zone),
        "amount_mg": _mg(record.amount),
        "status": record.status(late_after_h=late_after_h),
        "units": record.units,
        "note": record.note,
        "time_zone": record.time_zone or "",
    }


def dose_log_csv(
    doses: Sequence[DoseRecord], *, late_after_h: float = 2.0, time_zone: ZoneInfo | None = None
) -> str:
    """The dose log as CSV text: a header row and one row per record, in the given order.

    Amounts are plain numbers of mg (``0.125``); ``status`` is worked out with ``late_after_h``.
    A ``taken_at`` in an hour ``time_zone`` (the person's) showed twice, when the clocks went
    back, is written with its UTC offset, so that it reads back as the same moment. One
    logged in another zone, before the person moved (``DoseRecord.time_zone``), is that
    zone's clock with its offset, and the column ``time_zone`` names the zone, which
    :func:`read_dose_log_csv` reads it in (empty for every other line).

    >>> from datetime import date
    >>> from dataclasses import replace
    >>> from taperline.core.quantity import Mass
    >>> late = datetime(2027, 10, 31, 1, 30, fold=1)  # the second 01:30 in London
    >>> dose = DoseRecord(date(2027, 10, 31), "clonazepam", None, None, late, Mass.of_mg("0.5"))
    >>> dose_log_csv([dose], time_zone=ZoneInfo("Europe/London")).split()[1]
    '2027-10-31,clonazepam,,,2027-10-31T01:30+00:00,0.5,extra,,,'
    >>> there = replace(dose, taken_at=datetime(2027, 10, 31, 8), time_zone="Asia/Kathmandu")
    >>> dose_log_csv([there]).split()[1]
    '2027-10-31,clonazepam,,,2027-10-31T08:00+05:45,0.5,extra,,,Asia/Kathmandu'
    """
    return _write(DOSE_LOG_COLUMNS, (_dose_row(d, late_after_h, time_zone) for d in doses))


# --- the dose log -----------------------------------------------------------------------------


def _status_problem(row: _Row, status: str) -> str | None:
    """What the ``status`` cell says that the other cells do not.

    Taken and late are not told apart: that depends on the hours the writer counted as late.
    """
    taken, planned = row.filled("taken_at"), row.filled("planned_clock")
    if status == "missed" and taken:
        why = "but taken_at is filled (a missed dose has no taken_at or amount_mg)"
    elif status != "missed" and not taken:
        why = "but taken_at is empty (a dose with no taken_at is missed)"
    elif status == "extra" and planned:
        why = "but planned_clock is filled (an extra dose was not planned)"
    elif status in {"taken", "late"} and not planned:
        why = "but planned_clock is empty (a dose not planned is extra)"
    else:
        return None
    return f"status: {row.raw('status').strip()!r} {why}; correct the status or the cells"


def _recorded_zone(text: str) -> str:
    """A zone a dose was logged in, in the database's spelling (EST too: it was recorded)."""
    try:
        return known_zone(text)
    except InputError as exc:
        raise _CellError(str(exc).removeprefix(f"time_zone {text!r} ")) from None


def _own_zone(row: _Row, tz: ZoneInfo | None) -> tuple[ZoneInfo | None, str | None, bool]:
    """The zone to read ``taken_at`` in, the line's own zone to keep, and whether to read it.

    A ``time_zone`` the person's (``tz``) is theirs: the line keeps no zone of its own, as
    a FHIR import reads one. An unreadable one leaves ``taken_at`` unread: its clock would
    be read in a zone the line does not mean.
    """
    own = row.cell("time_zone", _recorded_zone)
    if own is None:
        return tz, None, not row.filled("time_zone")
    if not row.filled("taken_at"):
        row.problems.append(
            "time_zone: is filled but taken_at is empty; only a taken dose has a time to read"
            " in a zone: leave it empty"
        )
    return zone(own), (None if tz is not None and own == tz.key else own), True


def _dose(row: _Row, tz: ZoneInfo | None) -> DoseRecord | None:
    day = row.cell("day", _date, required=True)
    drug = row.cell("drug", str, required=True)
    planned_clock = row.cell("planned_clock", _clock)
    planned_amount = row.cell("planned_amount_mg", _mass_mg)
    read_in, own_zone, readable = _own_zone(row, tz)
    taken_at = row.cell("taken_at", _zoned_datetime(read_in)) if readable else None
    amount = row.cell("amount_mg", _mass_mg)
    status = row.cell("status", _choice(_STATUSES))
    before = len(row.problems)
    if row.filled("taken_at") and not row.filled("amount_mg"):
        row.problems.append("amount_mg: is empty but taken_at is filled; a taken dose needs both")
    if row.filled("amount_mg") and not row.filled("taken_at"):
        row.problems.append("taken_at: is empty but amount_mg is filled; a taken dose needs both")
    if not row.filled("planned_clock") and not row.filled("taken_at"):
        row.problems.append("planned_clock, taken_at: both are empty; give at least one")
    # the status against cells that agree among themselves (else that problem is the one)
    contradiction = _status_problem(row, status) if status is not None else None
    if contradiction is not None and len(row.problems) == before:
        row.problems.append(contradiction)
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
        time_zone=own_zone,
    )


def read_dose_log_csv(
    text: str, *, skip_bad: bool = False, time_zone: ZoneInfo | None = None
) -> ImportResult[DoseRecord]:
    r"""Read a dose-log CSV (see :data:`DOSE_LOG_COLUMNS`); ``status`` is checked, not used.

    Without ``skip_bad`` nothing is returned when any row is bad; with it the good rows are.
    With ``time_zone`` (the person's), a ``taken_at`` its clocks skipped is a bad row, and
    one with an offset (a time in a repeated hour) is read as that moment's wall clock; an
    offset the zone did not have then is a bad row (a slip, not a moment to guess a zone
    for). A line whose ``time_zone`` cell names a zone (logged before the person moved) is
    read in that zone, and the record keeps it as ``DoseRecord.time_zone``.

    >>> text = "\n".join(["day,drug,planned_clock,taken_at,amount_mg,time_zone",
    ...     "2027-05-01,clonazepam,,2027-05-01T08:00+05:45,0.5,Asia/Kathmandu"])
    >>> [(d.taken_at.isoformat(), d.time_zone) for d in read_dose_log_csv(text).rows]
    [('2027-05-01T08:00:00', 'Asia/Kathmandu')]
    """
    return _read(
        text, DOSE_LOG_COLUMNS, _guarded(lambda row: _dose(row, time_zone)), skip_bad=skip_bad
    )
