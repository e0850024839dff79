"""The readiness tests' plan (tests/test_readiness.py, tests/test_readiness_service.py).

``PLAN``: clonazepam at 22:00, 1 mg from ``START`` (2027-03-01), 0.875 mg from the first cut
on ``CUT`` (2027-03-15), 0.75 mg two weeks later; active, proposed by "Dr Lee".
``SOURCE_IDS`` finds a source id in a text (the patient's words must have none).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from taperline.core.quantity import Mass
from taperline.core.record import PlanVersion, RecordDose, RecordStep

#: Source ids (clinical-basis.md): never in the patient's words.
SOURCE_IDS = re.compile(r"ASAM|SEED-|KROENKE|LABEL|NICE-|ASHTON|MAUDSLEY|DEPRESCRIBING")

CUT = date(2027, 3, 15)
START = date(2027, 3, 1)


def _step(day: date, mg: str) -> RecordStep:
    return RecordStep(day, (RecordDose("22:00", "clonazepam", Mass.of_mg(mg)),))


def _plan(*steps: RecordStep) -> PlanVersion:
    at = datetime(2027, 3, 1, 9, tzinfo=UTC)
    return PlanVersion(2, "active", "clonazepam", "percent", steps, "Dr Lee", at)


PLAN = _plan(_step(START, "1"), _step(CUT, "0.875"), _step(CUT + timedelta(days=14), "0.75"))
