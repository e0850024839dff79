"""Page 1's two columns (who and what; the regimen) stay equal whatever is written in them.

The columns are a grid of two minmax(0, 1fr) tracks (issue 19: WeasyPrint does not measure
their content first); a word wider than its column breaks there instead of widening it.
"""

from __future__ import annotations

import re
from dataclasses import replace
from io import BytesIO

from pypdf import PdfReader

from taperline.adapters.report import render_report
from taperline.core.record import PersonRecord
from taperline.core.review import review
from tests.support.report_record import GENERATED, TODAY, realistic_record


def _x_of(pdf: bytes, heading: str) -> list[float]:
    """Where ``heading`` starts on page 1, in points from the left edge."""
    found: list[float] = []

    def visit(text: str, cm: list[float], tm: list[float], *_: object) -> None:
        if heading in text:
            found.append(round(tm[4] * cm[0] + cm[4], 1))

    PdfReader(BytesIO(pdf)).pages[0].extract_text(visitor_text=visit)
    return found


def _runs_of_k(pdf: bytes) -> list[int]:
    """The lengths of the runs of K written on page 1 (the long label, line by line)."""
    runs: list[int] = []

    def visit(text: str, *_: object) -> None:
        runs.extend(len(run) for run in re.findall("K{5,}", text))

    PdfReader(BytesIO(pdf)).pages[0].extract_text(visitor_text=visit)
    return runs


def _pdf(record: PersonRecord) -> bytes:
    result = review(record, TODAY)
    return render_report(record, result, start=None, end=None, today=TODAY, generated_at=GENERATED)


def test_a_label_wider_than_its_column_does_not_move_the_other_column() -> None:
    record = realistic_record()
    long_label = replace(record, profile=replace(record.profile, label="Patient-" + "K" * 70))
    usual, long_ = _pdf(record), _pdf(long_label)
    assert _x_of(usual, "Who and what") == _x_of(long_, "Who and what")
    regimen = _x_of(usual, "Regimen today")
    assert len(regimen) == 1
    assert regimen[0] > 595 / 2  # the right half of an A4 page
    assert _x_of(long_, "Regimen today") == regimen
    # The label breaks in its column (the heading and the footer still hold it whole).
    assert any(run < 70 for run in _runs_of_k(long_)), _runs_of_k(long_)
