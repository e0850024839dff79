"""Learn pages and the profile form: classes, contraindications, maxima, unknown and crisis."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

from tests.support.web import START, checkin_form, make_site


def test_drug_page_has_interactions_and_who_should_not_take_it(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        page = site.browser().get("/learn/drugs/clonazepam").text
        assert "Interactions and who should not take it" in page
        assert "Boxed warning" in page
        assert "FDA warning on gabapentin and pregabalin (2019)" in page  # FDA-GABAPENTINOIDS
        assert "Acute narrow-angle glaucoma is a contraindication" in page
        assert "For adults with a seizure disorder: at most 20 mg" in page


def test_checker_uses_the_indication_and_reports_unknown_with_did_you_mean(
    tmp_path: Path,
) -> None:
    with make_site(tmp_path) as site:
        web = site.browser()
        query = {
            "drug": "clonazepam",
            "dose_0": "2 mg", "time_0": "08:00",
            "dose_1": "2 mg", "time_1": "14:00",
            "dose_2": "2 mg", "time_2": "22:00",
            "with": "Percocet 5/325, oxycodon",
            "conditions": "epilepsy, glaucoma (narrow angle)",
        }  # fmt: skip
        page = web.get(f"/learn/check?{urlencode(query)}")
        assert page.status_code == 200
        text = page.text
        assert "Daily maximum: 20 mg for adults with a seizure disorder" in text
        assert "above the daily maximum" not in text
        assert "Percocet 5/325 (oxycodone) (opioids)" in text
        assert "Acute narrow-angle glaucoma is a contraindication" in text
        assert "unknown: ask a pharmacist" in text
        assert "did you mean “oxycodone”?" in text
        assert "If you are in danger" not in text


def test_checker_crisis_words_show_the_crisis_box_with_the_local_number(tmp_path: Path) -> None:
    with make_site(tmp_path, local_emergency_number="112") as site:
        query = {"drug": "clonazepam", "dose_0": "1 mg", "conditions": "had a seizure"}
        text = site.browser().get(f"/learn/check?{urlencode(query)}").text
        assert "If you are in danger, get help now" in text
        assert "112" in text
        assert "enter it as “epilepsy”" in text


def test_checker_under_18_says_no_maximum_applies(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        query = {"drug": "clonazepam", "dose_0": "1 mg", "age": "15"}
        text = site.browser().get(f"/learn/check?{urlencode(query)}").text
        assert "Daily maximum: none applies here" in text
        assert "Under 18" in text


def test_profile_crisis_words_raise_the_banner_and_unknown_names_are_listed(
    tmp_path: Path,
) -> None:
    with make_site(tmp_path) as site:
        web = site.patient(conditions="epilepsy")
        assert "If you are in danger" not in web.get("/dashboard").text
        saved = web.post(
            "/account/profile",
            {
                "display_name": "Pat",
                "time_zone": "Europe/London",
                "age_band": "40-64",
                "conditions": "epilepsy, history of self-harm, gout",
                "other_medicines": "OxyContin, wonderpill",
            },
        )
        assert saved.status_code == 303
        account = web.get("/account").text
        assert "If you are in danger, get help now" in account  # the banner, at once
        assert "Your profile mentions “self-harm”" in account
        assert "“wonderpill”" in account
        assert "“gout”" in account
        assert "unknown: ask a pharmacist" in account
        stored = site.services.store.profile(site.person_id("pat@example.org"))
        assert "gout" in stored.conditions  # kept as typed, never dropped
        dashboard = web.get("/dashboard").text
        assert "Your profile lists “history of self-harm”" in dashboard


def test_crisis_words_in_a_check_in_note_raise_the_banner(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        web = site.patient()
        saved = web.post("/checkin", checkin_form(START.date(), notes="I want to die"))
        assert saved.status_code == 303
        page = web.get("/journal").text
        assert "If you are in danger, get help now" in page
        assert "Your note for this day says “want to die”" in page
