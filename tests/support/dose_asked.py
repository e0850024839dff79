"""What each dose-log line was asked, as the tests build it (tests/test_dose_asked*.py,
tests/test_fhir_dose_asked.py, tests/test_exchange_roundtrip.py, tests/test_fhir_validator.py).

A line keeps what the readiness check told the person when it was logged (d40db26):
``cut_checked`` with no ``stay_on_before`` is "the cut went ahead", with ``stay_on_before``
"held" (stay on the dose before that cut). The plan is the held-cut tests' (1 mg at 22:00
from 1 Dec 2027, 0.875 mg from the cut on 15 Dec); :func:`asked_record` has 1 mg taken on
the cut's first three days (``ABOVE``).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from taperline.core.journal import CheckIn
from taperline.core.record import DoseRecord, PersonRecord, Profile
from tests.support.held_cut import BEFORE, CUT, dose_taken, each_day, plan_version

TODAY = CUT + timedelta(days=3)
ABOVE = [CUT, CUT + timedelta(days=1), CUT + timedelta(days=2)]


def asked(dose: DoseRecord, stay: date | None) -> DoseRecord:
    """``dose`` as logged at a cut's new dose: held (stay on the dose before ``stay``) or not."""
    return replace(dose, cut_checked=True, stay_on_before=stay)


def week_of_checkins(last: date, first: date | None = None) -> tuple[CheckIn, ...]:
    """A check-in every day from ``first`` (two weeks before ``last``) to ``last``: all clear."""
    first = first or last - timedelta(days=14)
    return tuple(CheckIn(day, None, mood=6, anxiety=3) for day in each_day(first, last))


def line(day: date, planned: str, clock: str = "22:00") -> DoseRecord:
    """1 mg taken at ``clock`` (the log's local wall clock, as an import reads it back)."""
    dose = dose_taken(day, planned, "1", clock)
    assert dose.taken_at is not None
    return replace(dose, taken_at=dose.taken_at.replace(tzinfo=None))


def asked_record(stay: date | None, *, checkins: bool = False) -> PersonRecord:
    """1 mg on the cut's first three days, each line logged with ``stay`` (None: went ahead);
    a check-in every day up to today when ``checkins`` (the record then reads Proceed)."""
    doses = [line(d, "1") for d in each_day(BEFORE, CUT - timedelta(days=1))]
    doses += [asked(line(d, "0.875"), stay) for d in ABOVE]
    kept = week_of_checkins(TODAY) if checkins else ()
    return PersonRecord(Profile("UTC"), kept, tuple(doses), plans=(plan_version(),))


def asked_lines() -> PersonRecord:
    """Three lines of the held-cut plan: logged when the cut went ahead, held, not known."""
    went = asked(line(CUT, "0.875"), None)
    held = asked(line(CUT + timedelta(days=1), "0.875"), CUT)
    unknown = line(CUT + timedelta(days=2), "0.875")
    return replace(asked_record(None), doses=(went, held, unknown))
