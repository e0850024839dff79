"""A person with a week of poor sleep in the diary (CLI or web): a sleep window is offered."""

from __future__ import annotations

from datetime import date, timedelta

from tests.support.journal_cli import Taperline
from tests.support.web import Web, checkin_form

__all__ = ["poor_week", "poor_week_web", "set_conditions"]


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


def poor_week_web(web: Web, last: date) -> None:
    """Seven diary nights up to ``last`` through the check-in form: 8 h in bed, ~1 h awake."""
    for back in range(7):
        response = web.post("/checkin", checkin_form(last - timedelta(days=back)))
        assert response.status_code == 303, response.text[:300]


def set_conditions(web: Web, conditions: str, age_band: str = "40-64") -> None:
    """The patient's profile saved through the web form with ``conditions`` (London, Ann)."""
    fields = {
        "display_name": "Ann",
        "time_zone": "Europe/London",
        "age_band": age_band,
        "conditions": conditions,
        "other_medicines": "",
        "regimen_drug": "",
        "regimen_doses": "",
    }
    response = web.post("/account/profile", fields)
    assert response.status_code == 303, response.text[:500]
