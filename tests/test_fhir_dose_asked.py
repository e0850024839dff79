"""What each dose-log line was asked, in the FHIR bundle: only "the cut went ahead".

A line keeps what the readiness check told the person when it was logged (d40db26):
``cut_checked`` with no ``stay_on_before`` is "the cut went ahead" (the plan's new dose was
asked), with ``stay_on_before`` "held" (stay on the dose before that cut). The bundle
carries the first only, as the ``dose-log`` part ``cut-went-ahead`` (true): it can add
findings (the day is compared with the cut's new dose), never excuse one. A held day is
never taken from a file a person can edit: an edited bundle that says "held" or gives a
dose to stay on imports as "not known" (the day read from the record, as from a bundle
written before the part), and a part whose value is not a boolean is refused, since it may
have meant that the cut went ahead.

The plan (tests/support/held_cut.py): 1 mg at 22:00 from 1 Dec 2027, 0.875 mg from the
cut on 15 Dec; 1 mg taken on the cut's first three days.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from taperline.adapters.fhir import EXTENSION_BASE, export_bundle, import_bundle
from taperline.core.record import DoseRecord, PersonRecord
from taperline.errors import InputError
from tests.support.dose_asked import ABOVE, TODAY, asked_record, line
from tests.support.held_cut import CUT, above_plan

NOW = datetime(2027, 12, 19, 9, tzinfo=UTC)
_ESCALATED = {"escalation": ABOVE, "large_dose": ABOVE}
_DOSE_LOG = f"{EXTENSION_BASE}/dose-log"
_WENT_AHEAD = {"url": "cut-went-ahead", "valueBoolean": True}

Bundle = dict[str, Any]


def _not_known(record: PersonRecord) -> PersonRecord:
    lines = tuple(replace(d, cut_checked=False, stay_on_before=None) for d in record.doses)
    return replace(record, doses=lines)


def _logs(bundle: Bundle) -> list[list[dict[str, Any]]]:
    """Each MedicationAdministration's ``dose-log`` parts (the lists themselves, to edit)."""
    found = []
    for entry in bundle["entry"]:
        resource = entry["resource"]
        if resource["resourceType"] == "MedicationAdministration":
            (log,) = [e for e in resource["extension"] if e["url"] == _DOSE_LOG]
            found.append(log["extension"])
    return found


def _edited(bundle: Bundle, edit: Callable[[list[dict[str, Any]]], None]) -> Bundle:
    """A copy of ``bundle`` with ``edit`` made to each line above the plan's cut."""
    out = copy.deepcopy(bundle)
    for parts in _logs(out):
        if next(p["valueDate"] for p in parts if p["url"] == "day") >= CUT.isoformat():
            edit(parts)
    return out


# --- what the export writes, and what reads back ---------------------------------------------


def test_only_a_cut_that_went_ahead_is_written_and_read_back() -> None:
    went_ahead, held = asked_record(None), asked_record(CUT)
    written = export_bundle(went_ahead, (), generated_at=NOW)
    flags = [[p for p in parts if p["url"] == "cut-went-ahead"] for parts in _logs(written)]
    assert flags == [[]] * 7 + [[_WENT_AHEAD]] * 3
    assert import_bundle(written) == went_ahead
    held_bundle = export_bundle(held, (), generated_at=NOW)
    # a held line is written as a line that does not say (what a bundle from before held)
    assert held_bundle == export_bundle(_not_known(held), (), generated_at=NOW)
    assert not re.search(r"stay|held", str(_logs(held_bundle)))
    assert import_bundle(held_bundle) == _not_known(held)


def test_a_record_moved_keeps_the_doses_above_a_cut_that_went_ahead() -> None:
    """The week's check-ins deleted before the move: the lines say the cut went ahead."""
    record = asked_record(None)
    assert above_plan(record, TODAY) == _ESCALATED
    moved = import_bundle(export_bundle(record, (), generated_at=NOW))
    assert above_plan(moved, TODAY) == _ESCALATED


def test_a_bundle_from_before_the_part_imports_as_before() -> None:
    """Without the part a line is 'not known': its day is read from the record (held here)."""
    record = asked_record(None)
    bundle = export_bundle(record, (), generated_at=NOW)
    old = _edited(bundle, lambda parts: parts.remove(_WENT_AHEAD))
    moved = import_bundle(old)
    assert moved == _not_known(record)
    assert above_plan(moved, TODAY) == {}


# --- an edited bundle: nothing in a file makes a day held --------------------------------------


def _say_not_ahead(parts: list[dict[str, Any]]) -> None:
    next(p for p in parts if p["url"] == "cut-went-ahead")["valueBoolean"] = False


def _stay_on(parts: list[dict[str, Any]]) -> None:
    parts.append({"url": "stay-on-before", "valueDate": CUT.isoformat()})


def _both(parts: list[dict[str, Any]]) -> None:
    _say_not_ahead(parts)
    _stay_on(parts)
    parts.append({"url": "held", "valueBoolean": True})


@pytest.mark.parametrize(
    ("edit", "cut_checked"),
    [(_say_not_ahead, False), (_stay_on, True), (_both, False)],
    ids=["went-ahead-false", "stay-on-before-added", "false-and-stay-on-and-held"],
)
def test_a_bundle_edited_to_say_held_excuses_nothing(
    edit: Callable[[list[dict[str, Any]]], None], cut_checked: bool
) -> None:
    """The check-ins of the week are there (the record reads Proceed) and the lines said the
    cut went ahead; the file is edited to say each day was held. Trusted, that would excuse
    the 1 mg (the second assertion); read, it gives no line a dose to stay on."""
    record = asked_record(None, checkins=True)
    assert above_plan(record, TODAY) == _ESCALATED
    assert above_plan(replace(record, doses=asked_record(CUT).doses), TODAY) == {}  # if trusted
    bundle = export_bundle(record, (), generated_at=NOW)
    moved = import_bundle(_edited(bundle, edit))
    assert {(d.cut_checked, d.stay_on_before) for d in moved.doses[-3:]} == {(cut_checked, None)}
    assert all(d.stay_on_before is None for d in moved.doses)
    assert above_plan(moved, TODAY) == _ESCALATED


def test_a_held_claim_on_the_resource_itself_is_not_read() -> None:
    record = asked_record(None, checkins=True)
    bundle = copy.deepcopy(export_bundle(record, (), generated_at=NOW))
    for entry in bundle["entry"]:
        if entry["resource"]["resourceType"] == "MedicationAdministration":
            claim = {"url": f"{EXTENSION_BASE}/stay-on-before", "valueDate": CUT.isoformat()}
            entry["resource"]["extension"].append(claim)
    assert import_bundle(bundle) == record
    assert above_plan(import_bundle(bundle), TODAY) == _ESCALATED


def test_a_part_that_says_both_reads_as_the_cut_went_ahead() -> None:
    """``false`` and ``true`` on one line: the fact that adds findings is kept."""
    record = asked_record(None)
    bundle = _edited(
        export_bundle(record, (), generated_at=NOW),
        lambda parts: parts.insert(0, {"url": "cut-went-ahead", "valueBoolean": False}),
    )
    assert import_bundle(bundle) == record


@pytest.mark.parametrize(
    "value",
    [{"valueString": "true"}, {"valueCode": "went-ahead"}, {"valueDate": "2027-12-15"}, {}],
    ids=["string", "code", "date", "none"],
)
def test_a_part_without_a_boolean_is_refused_not_dropped(value: dict[str, str]) -> None:
    """Dropped, it would make the line 'not known', which may excuse the dose it meant."""
    bundle = export_bundle(asked_record(None), (), generated_at=NOW)

    def odd(parts: list[dict[str, Any]]) -> None:
        index = parts.index(_WENT_AHEAD)
        parts[index] = {"url": "cut-went-ahead", **value}

    with pytest.raises(InputError) as refused:
        import_bundle(_edited(bundle, odd))
    assert re.fullmatch(
        r"MedicationAdministration entry \d+: extension dose-log\.cut-went-ahead needs a"
        r" valueBoolean \(true: the cut of the line's day went ahead\)",
        str(refused.value),
    ), refused.value


def test_a_missed_and_an_extra_line_carry_it_too() -> None:
    """log_dose keeps the ask on a missed line and an extra one (4d271da): both move."""
    missed = DoseRecord(CUT, "clonazepam", "22:00", None, None, None, cut_checked=True)
    extra = replace(line(CUT, "1", "23:00"), planned_clock=None, planned_amount=None,
                    cut_checked=True)  # fmt: skip
    record = replace(asked_record(None), doses=(missed, extra))
    assert import_bundle(export_bundle(record, (), generated_at=NOW)) == record
