"""The patient's access log separates a clinician's views and changes from the patient's own
reads, with a filter (issue 18, section 4, comfort and accessibility).
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from tests.support.web import approved_plan, make_site, share


def _lines(page: str) -> list[tuple[str, str]]:
    """(kind, text) of each line of the log shown."""
    found = re.findall(r'<li class="audit-(\w+)">(.*?)</li>', page, re.S)
    return [
        (kind, re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text)).strip()) for kind, text in found
    ]


def test_a_clinicians_views_are_apart_from_the_patients_own(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        ann, doc = site.patient("ann@example.org"), site.clinician("lee@example.org")
        share(site, ann, doc)
        pid = site.person_id("ann@example.org")
        approved_plan(site, pid, site.clock.today - timedelta(days=1))
        for _ in range(3):
            ann.get("/dashboard")
        site.clock.advance(minutes=5)
        assert doc.get(f"/clinician/patients/{pid}").status_code == 200
        site.clock.advance(minutes=5)
        ann.get("/journal")

        everything = ann.get("/account/audit").text
        kinds = {kind for kind, _ in _lines(everything)}
        assert {"clinicians", "you"} <= kinds
        summary = re.search(
            r'<section class="card" aria-labelledby="clin-h">(.*?)</section>', everything, re.S
        )
        assert summary
        assert "A clinician viewed or changed your record" in summary.group(1)
        assert "Lee (clinician)" in summary.group(1)

        clinicians = ann.get("/account/audit?who=clinicians").text
        lines = _lines(clinicians)
        assert lines
        assert all(kind == "clinicians" for kind, _ in lines)
        assert all("Lee (clinician)" in text and "clinician" in text for _, text in lines)
        assert (
            '<a href="/account/audit?who=clinicians" aria-current="page">Clinicians</a>'
            in clinicians
        )

        own = _lines(ann.get("/account/audit?who=you").text)
        assert own
        assert all(kind == "you" for kind, _ in own)
        assert any("dashboard" in text for _, text in own)
        assert not any("Lee (clinician)" in text for _, text in own)

        unknown = ann.get("/account/audit?who=<script>").text  # not a choice: everything
        assert _lines(unknown) == _lines(ann.get("/account/audit").text)
        assert "<script>" not in unknown


def test_with_no_clinician_the_log_says_so(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        ann = site.patient("ann@example.org")
        ann.get("/dashboard")
        page = ann.get("/account/audit").text
        assert "No clinician has viewed or changed your record." in page
        assert "Nothing of these yet." in ann.get("/account/audit?who=clinicians").text
