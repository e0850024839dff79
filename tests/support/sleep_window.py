"""A person with a week of poor sleep in the diary, through the CLI: a sleep window is offered."""

from __future__ import annotations

from datetime import date, timedelta

from tests.support.journal_cli import Taperline

__all__ = ["poor_week"]


def poor_week(run: Taperline, start: date) -> Taperline:
    """``run``'s person (London) with 7 poor nights up to ``start``: 8 h in bed, 115 min awake."""
    run.ok("init", "--time-zone", "Europe/London", "--no-ask")
    for back in range(7):
        day = (start - timedelta(days=back)).isoformat()
        run.ok(
            "checkin", "--no-ask", "--date", day, "--bed", "23:00", "--tried", "23:00",
            "--final-wake", "07:00", "--out-of-bed", "07:00", "--sol-min", "45",
            "--waso-min", "70", "--awakenings", "1", "--quality", "3", "--mood", "6",
            "--anxiety", "4",
        )  # fmt: skip
    return run
