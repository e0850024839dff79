"""The clinician's decision form (issue 18, section 4, comfort and accessibility): it chooses
nothing for the clinician, and after Adjust the page says plainly which version the patient
follows and which one still needs approval.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from tests.support.web import approved_plan, make_site, share


def _decision_form(page: str) -> str:
    found = re.search(r'<form method="post" action="[^"]+/decision".*?</form>', page, re.S)
    assert found, "no decision form"
    return found.group(0)


def test_the_decision_form_pre_selects_nothing(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        ann, doc = site.patient("ann@example.org"), site.clinician("lee@example.org")
        share(site, ann, doc)
        pid = site.person_id("ann@example.org")
        approved_plan(site, pid, site.clock.today - timedelta(days=20))
        form = _decision_form(doc.get(f"/clinician/patients/{pid}").text)
        assert form.count('type="radio" name="action"') >= 4  # approve, hold, adjust, reject
        assert " checked" not in form
        assert (
            'name="postpone_days" type="number" inputmode="numeric" min="1" max="365" value=""'
            in form
        )
        # no action chosen: refused, nothing decided
        before = site.services.store.plans(pid)
        refused = doc.post(f"/clinician/patients/{pid}/plans/2/decision", {"reason": "ok"})
        assert refused.status_code == 422
        assert "action: choose one of" in refused.text
        assert site.services.store.plans(pid) == before
        # adjust without saying by how many days: refused too (no 14 chosen for them)
        refused = doc.post(
            f"/clinician/patients/{pid}/plans/2/decision", {"action": "adjust", "reason": "ok"}
        )
        assert refused.status_code == 422
        assert "postpone_days" in refused.text


def test_after_adjust_the_page_says_what_is_in_force_and_what_needs_approval(
    tmp_path: Path,
) -> None:
    with make_site(tmp_path) as site:
        ann, doc = site.patient("ann@example.org"), site.clinician("lee@example.org")
        share(site, ann, doc)
        pid = site.person_id("ann@example.org")
        approved_plan(site, pid, site.clock.today - timedelta(days=20))
        adjusted = doc.post(
            f"/clinician/patients/{pid}/plans/2/decision",
            {"action": "adjust", "reason": "two more weeks", "postpone_days": "14"},
        )
        assert adjusted.status_code == 303
        assert adjusted.headers["location"] == f"/clinician/patients/{pid}?done=adjusted"
        page = doc.get(adjusted.headers["location"]).text
        assert (
            "Adjustment saved as a new version. It is a proposal: it needs approval before the"
            " patient follows it." in page
        )
        assert "Followed now: version 2 (active)." in page
        needs = re.search(r'<p class="notice override" id="needs-approval">(.*?)</p>', page, re.S)
        assert needs, "no 'needs approval' line"
        text = re.sub(r"<[^>]+>", "", needs.group(1))
        assert text == (
            "Needs approval: version 3, an adjustment of version 2 (its coming steps"
            " postponed), is a proposal. Until it is approved, Ann follows version 2 as it was."
        )
        approved = doc.post(
            f"/clinician/patients/{pid}/plans/3/decision", {"action": "approve", "reason": "ok"}
        )
        assert approved.headers["location"].endswith("?done=decision")
        page = doc.get(f"/clinician/patients/{pid}").text
        assert 'id="needs-approval"' not in page
        assert "Followed now: version 4 (active)." in page
