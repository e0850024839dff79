"""The sleep window's weeks (CBT-I): only ever added, the newest is this week's."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Row, func, insert, select
from sqlalchemy.exc import IntegrityError

from taperline.adapters.storage import schema as t
from taperline.adapters.storage.repo.common import _now, _StoreBase
from taperline.core.values import format_clock, parse_clock
from taperline.errors import ConflictError

if TYPE_CHECKING:  # the sleep course's model is loaded by what reads or writes a week
    from taperline.core.sleep_course import WindowWeek


def _week(row: Row[Any]) -> WindowWeek:
    from taperline.core.sleep_course import WindowWeek

    rise = parse_clock(row.rise_clock)
    return WindowWeek(
        row.set_on,
        rise.hour * 60 + rise.minute,
        row.time_in_bed_min,
        row.set_by,
        row.by,
        row.reason,
        step_min=row.step_min,
        efficiency_pct=row.efficiency_pct,
        nights=row.nights,
        raise_above_se_pct=row.raise_above_se_pct,
    )


def _week_row(week: WindowWeek) -> dict[str, Any]:
    from datetime import time

    return {
        "set_on": week.set_on,
        "rise_clock": format_clock(time(week.rise_min // 60, week.rise_min % 60)),
        "time_in_bed_min": week.time_in_bed_min,
        "set_by": week.set_by,
        "by": week.by,
        "reason": week.reason,
        "step_min": week.step_min,
        "efficiency_pct": week.efficiency_pct,
        "nights": week.nights,
        "raise_above_se_pct": week.raise_above_se_pct,
    }


def _next_number(c: Connection, person_id: int) -> int:
    table = t.sleep_windows
    latest = c.execute(
        select(func.max(table.c.number)).where(table.c.person_id == person_id)
    ).scalar()
    return int(latest or 0) + 1


class _SleepWindows(_StoreBase):
    """The sleep window, week by week: add one, read them all."""

    def add_sleep_window(self, person_id: int, week: WindowWeek) -> WindowWeek:
        """Store ``week`` as the person's newest window (rows are never changed)."""
        try:
            with self._write() as c:
                self._zone_of(c, person_id)
                c.execute(
                    insert(t.sleep_windows).values(
                        **_week_row(week),
                        person_id=person_id,
                        number=_next_number(c, person_id),
                        created_at_utc=_now(),
                    )
                )
        except IntegrityError:
            raise ConflictError("the sleep window changed meanwhile; look again") from None
        return week

    def sleep_windows(self, person_id: int) -> list[WindowWeek]:
        """Every week's window, oldest first (the last is this week's)."""
        table = t.sleep_windows
        query = select(table).where(table.c.person_id == person_id).order_by(table.c.number)
        with self._read() as c:
            return [_week(row) for row in c.execute(query)]
