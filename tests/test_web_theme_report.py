"""The PDF report is tagged (PDF/UA-1, as WeasyPrint writes it) and its charts carry their
text as alternative (issue 18, section 4, comfort and accessibility): what a screen reader
needs, read back with pypdf from the report the web app sends.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

from pypdf import PdfReader

from tests.support.web import approved_plan, checkin_form, make_site


def _elements(node: Any) -> Iterator[dict[str, Any]]:
    """Every structure element under ``node`` (depth first)."""
    node = node.get_object()
    if isinstance(node, list):
        for child in node:
            yield from _elements(child)
        return
    if not isinstance(node, dict) or "/S" not in node:
        return  # marked content or an object reference
    yield node
    if "/K" in node:
        yield from _elements(node["/K"])


def test_the_report_is_a_tagged_pdf_with_its_charts_described(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        ann = site.patient("ann@example.org")
        pid = site.person_id("ann@example.org")
        approved_plan(site, pid, site.clock.today - timedelta(days=20))
        assert ann.post("/checkin", checkin_form(site.clock.today)).status_code == 303
        response = ann.get("/account/report.pdf")
        assert response.status_code == 200
    reader = PdfReader(io.BytesIO(response.content))
    root = reader.trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"].value is True  # a BooleanObject is always truthy
    assert root["/Lang"] == "en"
    assert root["/ViewerPreferences"]["/DisplayDocTitle"].value is True
    assert reader.metadata is not None
    assert reader.metadata.title == "taperline report — not a prescription; a clinician decides"
    xmp = root["/Metadata"].get_object().get_data()
    assert b"pdfuaid:part" in xmp  # claims PDF/UA-1
    kinds = [str(e["/S"]) for e in _elements(root["/StructTreeRoot"]["/K"])]
    for kind in ("/H1", "/H2", "/P", "/Table", "/TH", "/TD", "/L", "/LI", "/Figure"):
        assert kind in kinds, kind
    figures = [e for e in _elements(root["/StructTreeRoot"]["/K"]) if e["/S"] == "/Figure"]
    for figure in figures:
        alt = str(figure.get("/Alt", ""))
        assert alt.startswith("From "), alt  # the chart's text: its period, dose and sleep
        assert "dose" in alt
