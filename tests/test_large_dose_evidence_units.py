"""The large-dose finding's evidence shows each amount in its own unit (formatted once each).

``find_large_doses`` formats each (amount, unit) and drug name once for the whole evidence
(a year of evidence repeats a few): equal amounts in two units must still read each in its
own unit.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from taperline.core.findings import find_large_doses
from taperline.core.quantity import Mass


def test_equal_amounts_in_mg_and_mcg_read_each_in_its_unit() -> None:
    days = [date(2027, 1, n) for n in (4, 5, 6)]
    taken = [
        (days[0], "clonazepam", Mass.of_mg(2)),
        (days[1], "clonazepam", Mass(Decimal(2000), "mcg")),
        (days[2], "clonazepam", Mass.of_mg(2)),
    ]
    planned = {(day, "clonazepam"): Mass.of_mg(1) for day in days}
    (found,) = find_large_doses(taken, {}, planned, today=days[-1])
    assert [e.value for e in found.evidence] == [
        "clonazePAM 2 mg in one dose, 1 mg planned for the whole day",
        "clonazePAM 2,000 mcg in one dose, 1 mg planned for the whole day",
        "clonazePAM 2 mg in one dose, 1 mg planned for the whole day",
    ]
