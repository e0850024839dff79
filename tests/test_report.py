"""The prescriber's PDF report: rendered, paged, its text extracted and its pages drawn to PNG.

The realistic record (``tests/support/report_record.py``) is a 10 %-every-14-days clonazepam
taper from the real planner with 90 days of check-ins: a flare after the 2027-02-15 cut, a
missed and a late dose, weekly PHQ-9 and GAD-7 (one PHQ-9 with item 9 = 1: a red flag). The
pages are left as PNGs in pytest's tmp dir (``report-png*/page-N.png``) so a person can look
at them.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import replace
from datetime import date
from io import BytesIO
from pathlib import Path
from typing import get_args

import pytest
from pypdf import PdfReader

from taperline.adapters.report import render_report, report_html, resolve_period
from taperline.core.findings import FINDING_KIND_LABELS, Evidence, Finding, FindingKind
from taperline.core.quantity import Mass, fmt
from taperline.core.record import PersonRecord, Profile
from taperline.core.review import Review, review
from taperline.errors import InputError
from tests.support.report_record import GENERATED, LABEL, LATE, MISSED, TODAY, realistic_record


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is missing: install poppler-utils (apt-get install poppler-utils)")
    return path


def _text(pdf: Path) -> str:
    out = subprocess.run([_tool("pdftotext"), str(pdf), "-"], capture_output=True, check=True)
    return re.sub(r"\s+", " ", out.stdout.decode())


@pytest.fixture(scope="module")
def record() -> PersonRecord:
    return realistic_record()


@pytest.fixture(scope="module")
def record_review(record: PersonRecord) -> Review:
    return review(record, TODAY)


@pytest.fixture(scope="module")
def pdf_path(
    record: PersonRecord, record_review: Review, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    pdf = render_report(
        record, record_review, start=None, end=None, today=TODAY, generated_at=GENERATED
    )
    path = tmp_path_factory.mktemp("report") / "report.pdf"
    path.write_bytes(pdf)
    return path


def test_the_record_has_the_findings_the_report_must_show(record_review: Review) -> None:
    kinds = {f.kind for f in record_review.findings}
    assert {"red_flag", "flare", "rebound", "co_use"} <= kinds
    assert record_review.proposal.action == "hold"


def test_the_report_is_one_to_three_a4_pages(pdf_path: Path) -> None:
    reader = PdfReader(pdf_path)
    assert 1 <= len(reader.pages) <= 3
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in points


def test_the_key_text_is_extractable(pdf_path: Path, record_review: Review) -> None:
    text = _text(pdf_path)
    current = fmt(Mass.of_mg("0.495"))  # the step in force on 2027-04-03 (from 2027-03-29)
    expected = [
        "taperline report — not a prescription; a clinician decides",
        "generated 2027-04-03 10:30 Europe/London (09:30 UTC)",  # the person's zone, and UTC
        "period 2027-01-04 to 2027-04-03",
        "page 1 of",
        LABEL,
        "clonazePAM",
        f"{current} a day",
        "0.445 mg",  # the next change
        "988",
        "Red flags",
        "ODT 0.125 mg",
        "oral suspension 0.1 mg/mL",
        MISSED.isoformat(),
        LATE.isoformat(),
        "1 missed",
        "1 late",
        "hold the current dose for 14 days",
        "Shake well",
    ]
    for kind in ("flare", "rebound", "alcohol / opioids", "red flag"):
        assert kind in text
    for finding in record_review.findings:
        assert finding.message[:50] in text, finding.kind
    missing = [item for item in expected if item not in text]
    assert not missing
    assert ".5 mg" not in text.replace("0.5 mg", "")  # ISMP: never a naked decimal point


def test_the_pages_render_to_png_for_a_person_to_look_at(
    pdf_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    out = tmp_path_factory.mktemp("report-png")
    subprocess.run(
        [_tool("pdftoppm"), "-r", "60", "-png", str(pdf_path), str(out / "page")], check=True
    )
    pngs = sorted(out.glob("page-*.png"))
    assert len(pngs) == len(PdfReader(pdf_path).pages)
    assert all(p.stat().st_size > 5_000 for p in pngs)


def test_an_empty_record_renders_and_says_what_is_missing(tmp_path: Path) -> None:
    empty = PersonRecord(Profile("UTC"))
    result = review(empty, TODAY)
    pdf = render_report(empty, result, start=None, end=None, today=TODAY, generated_at=GENERATED)
    path = tmp_path / "empty.pdf"
    path.write_bytes(pdf)
    assert len(PdfReader(BytesIO(pdf)).pages) == 1
    text = _text(path)
    for line in (
        "Person A",
        "no plan in force",
        "No check-ins in this period",
        "No PHQ-9 or GAD-7 recorded",
        "No doses logged",
    ):
        assert line in text


def test_the_period_limits_the_journal_dose_log_and_scores(
    record: PersonRecord, record_review: Review
) -> None:
    html = report_html(
        record,
        record_review,
        start=date(2027, 3, 8),
        end=date(2027, 3, 21),
        today=TODAY,
        generated_at=GENERATED,
    )
    assert "period 2027-03-08 to 2027-03-21" in html
    assert "14 check-ins (14 with a sleep diary), 14 dose-log entries, 2 PHQ-9" in html
    assert LATE.isoformat() in html
    assert f'<td class="nowrap">{MISSED.isoformat()}</td>' not in html  # before the period


def test_a_period_that_ends_before_it_starts_is_refused(record: PersonRecord) -> None:
    with pytest.raises(InputError, match="give --from before --to"):
        resolve_period(record, date(2027, 3, 2), date(2027, 3, 1), TODAY)


def test_person_data_is_escaped(record_review: Review) -> None:
    person = PersonRecord(Profile("UTC", label="<script>x</script>"))
    html = report_html(
        person, review(person, TODAY), start=None, end=None, today=TODAY, generated_at=GENERATED
    )
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


def test_a_proposed_plan_is_not_in_force(record: PersonRecord) -> None:
    assert record.plans
    proposed = replace(record.plans[0], status="proposed")
    person = PersonRecord(Profile("UTC"), plans=(proposed,))
    html = report_html(
        person, review(person, TODAY), start=None, end=None, today=TODAY, generated_at=GENERATED
    )
    assert "no plan in force (version 2 is proposed, awaiting a clinician)" in html
    assert "No plan in force." in html


@pytest.mark.parametrize("kind", get_args(FindingKind))
def test_every_finding_kind_shows_in_the_report_by_its_label(
    record: PersonRecord, record_review: Review, kind: str
) -> None:
    """A new finding kind needs a label (FINDING_KIND_LABELS) before the report can show it."""
    label = FINDING_KIND_LABELS[kind]  # type: ignore[index]  # every kind, checked here
    finding = Finding(
        kind,  # type: ignore[arg-type]  # a FindingKind, from get_args
        "warning",
        f"a {kind} finding to show",
        (Evidence(TODAY, "burden", "9"),),
        "ASAM-2025",
        "review with your clinician",
    )
    result = replace(record_review, findings=(finding,))
    html = report_html(record, result, start=None, end=None, today=TODAY, generated_at=GENERATED)
    assert f"a {kind} finding to show" in html
    assert label in html
