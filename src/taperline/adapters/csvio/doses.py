"""The dose log's CSV: dose records written and read back."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from taperline.adapters.csvio.cells import (
    _STATUSES,
    _choice,
    _clock,
    _date,
    _guarded,
    _local_datetime,
    _mass_mg,
    _mg,
    _read,
    _Row,
    _write,
)
from taperline.adapters.csvio.columns import DOSE_LOG_COLUMNS, ImportResult
from taperline.core.record import DoseRecord

# --- export -----------------------------------------------------------------------------------


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
