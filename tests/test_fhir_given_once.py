"""What a FHIR bundle says once is read once: a second copy is refused, never passed over.

The import used to read the first of a repeated extension, part or answer and drop the
others in silence: two time zones, two planned doses of a dose line, two exact amounts of a
quantity, two answers to one PHQ-9 item. Of two that differ, the one not read could be the
one meant (a time zone moves every time of the record; a second answer changes a score), so
a repeat now refuses the bundle with the place named, and nothing is imported. Notes are not
one value: several notes on a resource are all kept, a blank line apart.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import pytest

from taperline.adapters.fhir import EXTENSION_BASE, export_bundle, import_bundle
from taperline.core.instruments import score_phq9
from taperline.core.journal import CheckIn, SleepDiary, night_times
from taperline.core.quantity import Mass
from taperline.core.record import (
    DoseRecord,
    PersonRecord,
    PlanVersion,
    Profile,
    RecordDose,
    RecordStep,
)
from taperline.errors import InputError
from tests.strategies import wall_clock

Json = dict[str, Any]
DAY = date(2027, 3, 2)
AT = datetime(2027, 2, 20, 9, tzinfo=UTC)


def _record() -> PersonRecord:
    night = SleepDiary(*night_times(DAY), sol_min=20, waso_min=10, awakenings=1)
    checkin = CheckIn(DAY, night, mood=6, anxiety=4, notes="slept badly")
    taken = wall_clock(2027, 3, 2, 22, 5)
    dose = DoseRecord(DAY, "clonazepam", "22:00", Mass.of_mg("1"), taken, Mass.of_mg("1"))
    step = RecordStep(date(2027, 3, 1), (RecordDose("22:00", "clonazepam", Mass.of_mg("1")),))
    plan = PlanVersion(
        1, "active", "clonazepam", "percent", (step,), "Dr Lee", AT, decided_by="Dr Lee",
        decided_at=AT,
    )  # fmt: skip
    score = score_phq9([1, 1, 2, 1, 0, 1, 1, 0, 1], DAY)
    return PersonRecord(
        Profile("Europe/London", "40-64"), (checkin,), (dose,), (score,), plans=(plan,)
    )


@pytest.fixture(scope="module")
def bundle() -> Json:
    return export_bundle(_record(), (), generated_at=AT)


def _first(bundle: Json, kind: str, where: Callable[[Json], bool] = lambda _: True) -> Json:
    return next(
        e["resource"]
        for e in bundle["entry"]
        if e["resource"]["resourceType"] == kind and where(e["resource"])
    )


def _ext(element: Json, name: str) -> Json:
    return next(e for e in element["extension"] if e["url"] == f"{EXTENSION_BASE}/{name}")


def test_the_bundle_reads_back_exactly(bundle: Json) -> None:
    assert import_bundle(copy.deepcopy(bundle)) == _record()


def _second_zone(bundle: Json) -> str:
    patient = _first(bundle, "Patient")
    zone = _ext(patient, "time-zone")
    patient["extension"].append({**zone, "valueCode": "America/New_York"})
    return r"extension time-zone is given 2 times; it must be given once"


def _second_age_band(bundle: Json) -> str:
    patient = _first(bundle, "Patient")
    patient["extension"].append({**_ext(patient, "age-band"), "valueCode": "65+"})
    return r"extension age-band is given 2 times"


def _second_dose_log(bundle: Json) -> str:
    line = _first(bundle, "MedicationAdministration")
    line["extension"].append(copy.deepcopy(_ext(line, "dose-log")))
    return r"extension dose-log is given 2 times"


def _second_planned_dose(bundle: Json) -> str:
    parts = _ext(_first(bundle, "MedicationAdministration"), "dose-log")["extension"]
    planned = next(p for p in parts if p["url"] == "planned-dose")
    parts.append({**planned, "valueQuantity": {**planned["valueQuantity"], "value": 2}})
    return r"extension dose-log\.planned-dose is given 2 times"


def _second_exact_amount(bundle: Json) -> str:
    dose = _first(bundle, "MedicationAdministration")["dosage"]["dose"]
    url = f"{EXTENSION_BASE}/exact-decimal"
    dose["extension"] = [{"url": url, "valueString": "1"}, {"url": url, "valueString": "2"}]
    return r"dosage\.dose\.extension exact-decimal is given 2 times"


def _second_answer(bundle: Json) -> str:
    item = _first(bundle, "QuestionnaireResponse")["item"][0]
    item["answer"].append(copy.deepcopy(item["answer"][0]))
    return r"answer is given 2 times"


@pytest.mark.parametrize(
    "repeat",
    [
        _second_zone,
        _second_age_band,
        _second_dose_log,
        _second_planned_dose,
        _second_exact_amount,
        _second_answer,
    ],
)
def test_a_repeated_value_refuses_the_bundle_and_names_it(
    bundle: Json, repeat: Callable[[Json], str]
) -> None:
    edited = copy.deepcopy(bundle)
    expected = repeat(edited)
    with pytest.raises(InputError, match=expected):
        import_bundle(edited)


def test_several_notes_are_all_kept(bundle: Json) -> None:
    edited = copy.deepcopy(bundle)
    line = _first(edited, "MedicationAdministration")
    line["note"] = [{"text": "late: I was out"}, {"text": "took it with food"}]
    (dose,) = import_bundle(edited).doses
    assert dose.note == "late: I was out\n\ntook it with food"
