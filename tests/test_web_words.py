"""Words a patient understands (issue 16, section 5): no source ids, local times, the score named.

A patient (and a visitor) reads every source by its plain name, linked to the sources page,
and no message with its bracketed ids; a clinician keeps the ids. A patient reads every moment
in their own time zone; "burden" is the "symptom score", said what it adds up.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Final
from urllib.parse import urlencode

from markupsafe import escape

from taperline.catalogue_data import load_catalogue
from taperline.core.sources import SOURCES
from tests.support.web import START, Site, Web, approved_plan, checkin_form, make_site, share

TODAY: Final = START.date()
NEW_YORK: Final = "America/New_York"  # START is 12:00 UTC: 07:00 in New York
#: Any known id as a whole word, and the id patterns of docs/clinical-basis.md (so an id added
#: without a name shows up too).
SOURCE_ID: Final = re.compile(
    r"(?<![\w-])("
    + "|".join(re.escape(i) for i in sorted(SOURCES, key=len, reverse=True))
    + r"|[A-Z][A-Z0-9-]+-\d{4}|SEED-[A-Z]+)(?![\w-])"
)


ISO_DATE: Final = re.compile(r"(?<![\w-])\d{4}-\d\d-\d\d(?![\w-])")
TAG: Final = re.compile(r"<[^>]+>")


def _a_patient_with_everything(site: Site) -> tuple[Web, Web, int]:
    """A patient who shares, with an approved plan past its first cut, a flare after the cut,
    drinks, a seizure, a very large dose, a PHQ-9 with item 9, and medicines and conditions
    the catalogue names (so the plan and the checker warn)."""
    doc = site.clinician("doc@example.org", display_name="Dr Lee")
    ann = site.patient(
        "ann@example.org",
        display_name="Ann",
        time_zone=NEW_YORK,
        other_medicines="oxycodone, gabapentin",
        conditions="panic disorder, sleep apnea",
        age_band="65-79",
    )
    share(site, ann, doc)
    pid = site.person_id("ann@example.org")
    approved_plan(site, pid, TODAY - timedelta(days=26))  # cuts 12 days ago and in 2 days
    for back in range(26, -1, -1):
        day = TODAY - timedelta(days=back)
        after_cut = back <= 12  # the first cut, 1 mg to 0.875 mg, is 12 days ago
        fields = {"mood": "1", "anxiety": "9", "sym_0": "3", "sym_1": "3"} if after_cut else {}
        if back == 2:
            fields["alcohol"] = "4"
        if back == 1:
            fields["events"] = "seizure"
        assert ann.post("/checkin", checkin_form(day, **fields)).status_code == 303, day
        if back in {3, 5}:  # two nights without the dose, then one far above it
            continue
        if back == 0:  # it is 07:00 in New York: tonight's dose is still to come
            continue
        dose = {"date": day.isoformat(), "planned_time": "22:00"}
        dose["taken_at"] = f"{day.isoformat()}T22:10"
        dose["amount_mg"] = "0.875" if after_cut else "1"
        if back == 4:
            dose.update(amount_mg=10, confirmed=True)
        saved = ann.client.post("/api/doses", json=dose)
        assert saved.status_code == 201, (day, saved.text)
    phq = {"instrument": "PHQ-9", **{f"item_{i}": "1" for i in range(1, 10)}}
    assert ann.post("/questionnaires", phq).status_code == 303
    return ann, doc, pid


def _patient_pages() -> list[str]:
    check = {
        "drug": "clonazepam",
        "dose_0": "2 mg", "time_0": "08:00",
        "dose_1": "3 mg", "time_1": "22:00",
        "with": "oxycodone, gabapentin, beer, fluconazole, teaa",
        "conditions": "glaucoma (narrow angle), sleep apnea, liver disease, pregnant",
        "age": "70", "weeks": "52",
    }  # fmt: skip
    drugs = [f"/learn/drugs/{name}" for name in load_catalogue().names]
    return [
        "/dashboard",
        "/checkin",
        f"/checkin?date={(TODAY - timedelta(days=1)).isoformat()}",
        "/journal?days=30",
        "/questionnaires",
        "/plan",
        "/learn",
        "/learn/sources",
        "/learn/sleep",
        f"/learn/check?{urlencode(check)}",
        "/learn/check?drug=clonazepam&dose_0=50+mg",  # an error, named
        *drugs,
        "/sharing",
        "/account",
        "/account/audit",
    ]


def test_no_page_a_patient_sees_shows_a_source_id_and_the_clinician_s_does(
    tmp_path: Path,
) -> None:
    """Nor an ISO date, a UTC time or the word "burden" in the text a patient reads."""
    with make_site(tmp_path) as site:
        ann, doc, pid = _a_patient_with_everything(site)
        dashboard = ann.get("/dashboard").text
        assert 'class="finding' in dashboard
        assert 'class="crisis"' in dashboard  # the seizure and item 9: the messages are shown
        assert "Minded article on Klonopin for sleep" in dashboard  # a finding's source, named
        assert '<a href="/learn/sources#src-' in dashboard
        assert "Warnings" in ann.get("/plan").text
        flare = re.search(r"Symptoms rose after the step on ([^:]+): the symptom score", dashboard)
        assert flare, "no flare finding"
        assert flare.group(1) == "Wed 17 Feb 2027"  # a date as people write it, not 2027-02-17
        visitor = site.browser()
        for path in _patient_pages():
            for who, web in (("patient", ann), ("visitor", visitor)):
                if who == "visitor" and not path.startswith("/learn"):
                    continue
                page = web.get(path)
                assert page.status_code in {200, 422}, (who, path, page.status_code)
                leaked = SOURCE_ID.findall(page.text)
                assert not leaked, f"{who} sees source ids on {path}: {sorted(set(leaked))}"
                text = TAG.sub(" ", page.text)  # what is read (links and forms hold ISO dates)
                assert not ISO_DATE.findall(text), (who, path, ISO_DATE.findall(text))
                assert "UTC" not in text, (who, path)
                assert "burden" not in text, (who, path)
        clinician = doc.get(f"/clinician/patients/{pid}").text
        assert "SEED-MINDED" in clinician  # the same finding, by its id
        assert SOURCE_ID.search(doc.get("/learn/drugs/clonazepam").text)


def test_the_sources_page_names_every_source_and_gives_its_citation(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        page = site.browser().get("/learn/sources")
        assert page.status_code == 200
        for source in SOURCES.values():
            anchor = f'id="src-{source.id.lower()}"'
            assert anchor in page.text, source.id
            item = page.text[page.text.index(anchor) :].split("</li>", 1)[0]
            assert escape(source.name[1:]) in item, source.id
            assert escape(source.citation) in item, source.id
        assert not SOURCE_ID.search(page.text)
        doc = site.clinician()
        assert "· ASAM-2025" in doc.get("/learn/sources").text  # a clinician reads the ids too
        assert 'href="/learn/sources"' in site.browser().get("/learn").text


def test_a_source_links_to_its_entry_on_the_sources_page(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        ann = site.patient("ann@example.org")
        for back in range(7):
            ann.post("/checkin", checkin_form(TODAY - timedelta(days=back), alcohol="3"))
        dashboard, sleep = ann.get("/dashboard").text, ann.get("/learn/sleep").text
        assert "Try being in bed from" in sleep
        assert '(source: <a href="/learn/sources#src-spielman-1987">sleep restriction' in sleep
        links = re.findall(r'<a href="/learn/sources#(src-[a-z0-9-]+)">([^<]+)</a>', dashboard)
        assert links
        sources = site.browser().get("/learn/sources").text
        for anchor, name in links:
            assert f'id="{anchor}"' in sources
            assert name[1:] in sources


def test_a_patient_reads_times_in_their_own_zone_and_a_clinician_in_utc(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        ann, doc, _ = _a_patient_with_everything(site)
        # START is 12:00 UTC: 07:00 in New York (EST, March 1st).
        for path in ("/account", "/sharing", "/account/audit", "/plan"):
            page = ann.get(path).text
            assert "UTC" not in page, path
            assert "1 Mar 2027 07:00" in page, path
        assert "times in your time zone (America/New_York)" in ann.get("/account/audit").text
        assert "1 Mar 2027 12:00 UTC" in doc.get("/account").text


def test_the_symptom_score_is_named_and_explained_where_a_patient_sees_it(
    tmp_path: Path,
) -> None:
    with make_site(tmp_path) as site:
        ann = site.patient()
        ann.post("/checkin", checkin_form(TODAY, mood="6", anxiety="4", sym_0="1"))
        journal = ann.get("/journal").text
        assert "burden" not in journal
        assert "symptom score 9/68" in journal  # 1 + 4 + (10 - 6)
        assert "16 symptom ratings (0-3 each)" in journal
        dashboard = ann.get("/dashboard").text
        assert "burden" not in dashboard.replace('class="swatch burden"', "")
        # the charts (02747fa) draw each symptom rated, mood and anxiety, not the score: the key
        # says what each is, in words
        assert "Each symptom you rated, 0-3 (a gap: not filled in, never a 0)" in dashboard
        assert "anxiety (dashed), 0-10" in dashboard
