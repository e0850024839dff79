"""An adversarial review of the safety rules: inputs the authors did not try, through each door.

"A rule holds on every path or it is not a rule": each strategy and custom plan, the CLI, the
web form, the JSON API, a stored plan's later edit, an import; things recognised by class, an
unknown input never dropped in silence (docs/clinical-basis.md, "Safety facts added 2026-12").
Each defect found is a strict xfail whose reason names the door, the input, what happens and
what should; a door that holds has a plain test only where no other test tries that input
(``tests/dangerous_plans.py``, ``tests/test_screening.py``, ``tests/test_findings*.py`` and the
web tests already cover the common spellings).
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from taperline.adapters.fhir import export_bundle
from taperline.core.journal import CheckIn
from taperline.core.record import PersonRecord, Profile
from taperline.core.screening import crisis_matches, indication_of
from tests.support.journal_cli import PLAN, PLANNED, Taperline
from tests.support.screening import CATALOGUE, named_cases, screened
from tests.support.web import START, Site, Web, checkin_form, share, template_site

WEB_TODAY = START.date()
#: The CLI's clock (tests/support/journal_cli.py): 2027-01-05 in London; the plan gives 1 mg at
#: 22:00 from 2027-01-04.
CLI_DAY = "2027-01-04"


def _xfail(reason: str) -> pytest.MarkDecorator:
    return pytest.mark.xfail(strict=True, reason=reason)


# --- fixtures: one approved CLI journal (copied per test) and a web site ---------------------


@pytest.fixture(scope="module")
def _approved_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A journal database with a profile and an active plan (1 mg at 22:00 from 2027-01-04)."""
    from taperline.adapters.storage import db
    from tests.support import db as support_db

    path = tmp_path_factory.mktemp("doors") / "approved.db"
    with pytest.MonkeyPatch.context() as patch:  # the session's schema template, as conftest
        patch.setattr(db, "migrate", support_db.migrate)
        me = Taperline(f"sqlite:///{path}")
        me.ok("init", "--time-zone", "Europe/London", "--age-band", "40-64")
        me.ok(*PLAN, "--save", now=PLANNED)
        me.ok("plan", "approve", "--by", "Dr Lee", "--reason", "agreed at the visit")
    return path


@pytest.fixture
def approved(_approved_template: Path, tmp_path: Path) -> Taperline:
    """A copy of the approved journal for one test (with its write-ahead log, if any)."""
    path = tmp_path / "journal.db"
    for part in _approved_template.parent.glob(f"{_approved_template.name}*"):
        shutil.copyfile(part, path.with_name(path.name + part.name[len(_approved_template.name) :]))
    return Taperline(f"sqlite:///{path}")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """One web site for the module (each test signs up its own people; the clock stays put)."""
    web = tmp_path_factory.mktemp("web")
    with template_site(web, max_signups_per_address_hour=100) as made:
        yield made


def _clinician(site: Site, patient: Web, name: str) -> Web:
    """A clinician of this test's own, with ``patient``'s record shared."""
    doc = site.clinician(f"{name}@clinic.example.org")
    share(site, patient, doc)
    return doc


def _red_flags(review: dict[str, Any]) -> list[dict[str, Any]]:
    return [f for f in review["findings"] if f["kind"] == "red_flag"]


# --- suicidal thoughts, self-harm and seizures in free text ----------------------------------

#: What people write, with the category it must give. Misspellings, word forms and
#: phrasings beyond the list (in the list since), and Unicode that a phone or a pasted text
#: brings (folded since: core.words; the banner's LIKE pre-filter lets non-ASCII text through).
CRISIS_TEXTS: tuple[tuple[str, str], ...] = (
    ("thinking about sucide", "suicidal thoughts"),
    ("suicidial thoughts again", "suicidal thoughts"),
    ("I want to kill my self", "suicidal thoughts"),
    ("I want to end my own life", "suicidal thoughts"),
    ("thinking of ending it all", "suicidal thoughts"),
    ("I could hang myself", "suicidal thoughts"),
    ("I want to be dead", "suicidal thoughts"),
    ("life isn't worth living", "suicidal thoughts"),
    ("thinking about taking an overdose", "suicidal thoughts"),
    ("self-harmed last night", "self-harm"),
    ("had a siezure this morning", "seizure"),
    ("sui\u00adcide", "suicidal thoughts"),  # a soft hyphen, as text pasted from a page holds
    ("\uff53\uff55\uff49\uff43\uff49\uff44\uff45", "suicidal thoughts"),  # full-width letters
)


@pytest.mark.parametrize(("text", "category"), CRISIS_TEXTS)
def test_crisis_words_as_people_type_them(text: str, category: str) -> None:
    assert category in {m.category for m in crisis_matches(text)}


def test_cli_checkin_note_with_a_spaced_myself(approved: Taperline) -> None:
    result = approved.ok(
        "checkin", "--quick", "--slept", "6h", "--quality", "3", "--mood", "2", "--anxiety", "7",
        "--note", "I want to kill my self",
    )  # fmt: skip
    assert "URGENT" in result.output
    assert "988" in result.output


# The dose log's own note: read for crisis words as a check-in's notes are.


def test_cli_log_dose_note_with_suicidal_words(approved: Taperline) -> None:
    logged = approved.ok(
        "log-dose", "--date", CLI_DAY, "--planned", "22:00", "--time", "22:05",
        "--note", "I want to die",
    )  # fmt: skip
    later = approved.ok("findings")
    assert "URGENT" in logged.output  # said at once, as a check-in's note is
    assert "988" in logged.output
    assert "A note on a dose you logged for this day says “want to die”" in later.output


def test_csv_dose_log_import_note_with_suicidal_words(approved: Taperline, tmp_path: Path) -> None:
    csv = tmp_path / "doses.csv"
    csv.write_text(
        "day,drug,planned_clock,taken_at,amount_mg,note\n"
        f"{CLI_DAY},clonazepam,22:00,{CLI_DAY}T22:05,1,I want to die\n",
        encoding="utf-8",
    )
    imported = approved.ok("import", "csv", str(csv))
    later = approved.ok("findings")
    assert "988" in imported.output + later.output


def _planned_dose(site: Site, email: str) -> Web:
    """A patient with a plan in force since three days ago (1 mg at 22:00)."""
    from tests.support.web import approved_plan

    web = site.patient(email)
    approved_plan(site, site.person_id(email), WEB_TODAY - timedelta(days=3))
    return web


def test_api_dose_note_with_suicidal_words(site: Site) -> None:
    web = _planned_dose(site, "ann@example.org")
    day = (WEB_TODAY - timedelta(days=1)).isoformat()
    dose = {
        "date": day,
        "planned_time": "22:00",
        "planned_amount_mg": "1",
        "taken_at": f"{day}T22:05",
        "amount_mg": 1,
        "note": "I want to die",
    }
    assert web.client.post("/api/doses", json=dose).status_code == 201
    [flag] = _red_flags(web.get("/api/findings").json())
    assert (flag["severity"], flag["clinician_flag"]) == ("urgent", True)
    # the crisis banner of every page reads it too (its own query)
    from taperline.adapters.storage.flags import red_flags

    pid = site.person_id("ann@example.org")
    banner = red_flags(site.services.store.engine, pid, "999", today=WEB_TODAY)
    assert [e.label for f in banner for e in f.evidence] == ["dose note"]
    assert "999" in banner[0].message


def test_api_checkin_notes_with_suicidal_words_give_an_urgent_flagged_finding(site: Site) -> None:
    web = site.patient("bob@example.org")
    body = {
        "date": WEB_TODAY.isoformat(),
        "mood_0_10": 2,
        "anxiety_0_10": 7,
        "notes": "want to die",
    }
    response = web.client.post("/api/checkins", json=body)
    assert response.status_code == 201
    [flag] = _red_flags(response.json()["review"])
    assert (flag["severity"], flag["clinician_flag"]) == ("urgent", True)
    assert "988" in flag["message"]


def test_web_quick_edit_keeps_a_full_check_in_s_crisis_note(site: Site) -> None:
    web = site.patient("cat@example.org")
    pid = site.person_id("cat@example.org")
    assert web.post("/checkin", checkin_form(WEB_TODAY, notes="I want to die")).status_code == 303
    page = web.get(f"/checkin?date={WEB_TODAY.isoformat()}&quick=1").text
    assert 'name="kind" value="quick"' in page  # the page offers the quick form for the edit
    assert 'name="mode" value="edit"' in page
    quick = {"date": WEB_TODAY.isoformat(), "mode": "edit", "kind": "quick", "mood": "3"}
    before = site.services.store.checkin(pid, WEB_TODAY)
    assert web.post("/checkin", {**quick, "anxiety": "6"}).status_code == 303
    kept = site.services.store.checkin(pid, WEB_TODAY)
    assert (kept.mood, kept.anxiety, kept.notes) == (3, 6, "I want to die")
    # what the quick form does not ask is the full day's, as it was
    assert (kept.sleep, kept.symptoms_rated, dict(kept.symptoms)) == (
        before.sleep,
        before.symptoms_rated,
        dict(before.symptoms),
    )
    [flag] = _red_flags(web.get("/api/findings").json())
    assert flag["clinician_flag"] is True


# Imports: the crisis message at the moment the words come in, as `checkin` gives it.


def test_cli_csv_journal_import_reply_gives_the_crisis_message(
    approved: Taperline, tmp_path: Path
) -> None:
    csv = tmp_path / "journal.csv"
    csv.write_text("wake_date,mood_0_10,anxiety_0_10,notes\n2027-01-03,2,7,I want to die\n")
    result = approved.ok("import", "csv", str(csv))
    assert "URGENT" in result.output
    assert "988" in result.output


def test_cli_fhir_import_reply_gives_the_crisis_message(tmp_path: Path) -> None:
    day = date(2027, 1, 3)
    record = PersonRecord(
        Profile("Europe/London", "40-64"),
        checkins=(CheckIn(day, None, mood=2, anxiety=7, notes="I want to die"),),
    )
    at = datetime(2027, 1, 5, 12, tzinfo=UTC)
    bundle = tmp_path / "record.json"
    bundle.write_text(json.dumps(export_bundle(record, (), generated_at=at)), encoding="utf-8")
    result = Taperline(f"sqlite:///{tmp_path}/new.db").ok("import", "fhir", str(bundle))
    assert "URGENT" in result.output
    assert "988" in result.output


def test_cli_phq9_item_9_typed_with_a_full_width_digit_is_urgent(approved: Taperline) -> None:
    result = approved.ok("phq9", "--answers", "0, 0,0,0,0,0,0,0, \uff11")
    assert "URGENT" in result.output
    assert "item 9" in result.output


# --- the indication, and so the daily maximum --------------------------------------------------

NOT_THEIR_EPILEPSY = (
    "Mum has epilepsy",
    "my dad has epilepsy",
    "epilepsy (FHx)",
    "epilepsy n/a",
    "epilepsy (unlikely)",
    "misdiagnosed epilepsy",
    "epilepsy nurse",
)


@pytest.mark.parametrize("text", NOT_THEIR_EPILEPSY)
def test_someone_else_s_or_a_doubted_epilepsy_is_not_the_indication(text: str) -> None:
    assert indication_of([text]) != "seizure"


def test_cli_plan_with_a_mother_s_epilepsy_keeps_the_panic_maximum() -> None:
    from click.testing import CliRunner

    from taperline.cli.main import cli

    args = [
        "plan", "clonazepam", "--dose", "3 mg", "--at", "08:00", "--dose", "3 mg", "--at", "20:00",
        "--start", "2027-03-04", "--condition", "panic disorder",
        "--condition", "Mum has epilepsy", "--format", "json",
    ]  # fmt: skip
    result = CliRunner().invoke(cli, args, env={"TAPERLINE_NOW": "2027-03-01T12:00+00:00"})
    assert result.exit_code == 2, result.stdout[:200]
    assert "daily maximum of 4 mg" in result.stderr


def test_web_sign_up_regimen_with_a_mother_s_epilepsy_keeps_the_panic_maximum(site: Site) -> None:
    web = site.browser()
    web.signup(
        "dan@example.org",
        conditions="panic disorder, Mum has epilepsy",
        regimen_drug="clonazepam",
        regimen_doses="3 mg at 08:00, 3 mg at 20:00",
    )
    found = site.services.accounts.credentials("dan@example.org")
    stored = None
    if found is not None and found[0].person_id is not None:
        stored = site.services.store.profile(found[0].person_id).regimen
    assert stored is None


def test_fhir_import_of_a_plan_above_the_panic_maximum_with_a_mother_s_epilepsy(
    migrated_sqlite_url: str,
) -> None:
    from taperline.adapters.fhir import import_bundle
    from taperline.adapters.storage.db import make_engine
    from taperline.adapters.storage.repo import Store
    from taperline.core.quantity import Mass
    from taperline.core.record import PlanVersion, RecordDose, RecordStep
    from taperline.errors import SafetyError
    from taperline.service import import_record

    start, at = date(2027, 1, 4), datetime(2027, 1, 1, 12, tzinfo=UTC)
    steps = tuple(
        RecordStep(
            start + timedelta(days=day), (RecordDose("22:00", "clonazepam", Mass.of_mg(mg)),)
        )
        for day, mg in ((0, "8"), (28, "7"))
    )
    plan = PlanVersion(1, "active", "clonazepam", "custom", steps, "someone", at)
    profile = Profile("Europe/London", "40-64", ("panic disorder", "Mum has epilepsy"))
    bundle = export_bundle(PersonRecord(profile, plans=(plan,)), (), generated_at=at)
    engine = make_engine(migrated_sqlite_url)
    try:
        with pytest.raises(SafetyError, match="daily maximum"):
            import_record(Store(engine), import_bundle(bundle))
    finally:
        engine.dispose()


# --- the dose log: the daily maximum whatever the drug is called ------------------------------

# Once the typed name was compared with the plan's as typed ("Clonazepam", "Klonopin": no
# confirmation asked), and a name the catalogue does not hold was logged with no limit.


@pytest.mark.parametrize("drug", ["Clonazepam", "Klonopin", " KLONOPIN "])
def test_cli_log_dose_confirms_an_amount_above_the_plan_whatever_the_spelling(
    approved: Taperline, drug: str
) -> None:
    result = approved(
        "log-dose", "--extra", "--date", "2027-01-05", "--time", "10:00", "--amount", "3 mg",
        "--drug", drug,
    )  # fmt: skip
    assert result.exit_code == 2, result.stdout
    assert "--confirm" in result.stderr


def test_cli_log_dose_of_a_name_the_catalogue_does_not_hold_is_refused(
    approved: Taperline, tmp_path: Path
) -> None:
    result = approved(
        "log-dose", "--extra", "--date", "2027-01-05", "--time", "10:00", "--amount", "3 mg",
        "--drug", "clonazepam hydrochloride", "--confirm",
    )  # fmt: skip
    assert result.exit_code == 2, result.stdout
    assert "--drug: unknown drug 'clonazepam hydrochloride'" in result.stderr
    out = tmp_path / "doses.csv"
    approved.ok("export", "csv", "--what", "doses", "--out", str(out))
    assert "hydrochloride" not in out.read_text(encoding="utf-8")


def test_cli_log_dose_of_the_plan_s_own_name_is_refused_without_confirm(
    approved: Taperline,
) -> None:
    """The control of the test above: the same dose as the plan names the drug."""
    result = approved(
        "log-dose", "--extra", "--date", "2027-01-05", "--time", "10:00", "--amount", "3 mg",
        "--drug", "clonazepam",
    )  # fmt: skip
    assert result.exit_code == 2, result.stdout
    assert "--confirm" in result.stderr


@pytest.mark.parametrize("drug", ["KLONOPIN", "Rivotril"])
def test_api_dose_of_a_brand_is_held_to_the_plan_s_total(site: Site, drug: str) -> None:
    web = _planned_dose(site, f"eve.{drug.lower()}@example.org")
    day = (WEB_TODAY - timedelta(days=1)).isoformat()
    extra = {"date": day, "drug": drug, "taken_at": f"{day}T10:00", "amount_mg": 3}
    refused = web.client.post("/api/doses", json=extra)
    assert refused.status_code == 422
    assert "confirmed: true" in refused.text


def test_api_dose_of_a_salt_name_is_refused_not_logged_as_another_drug(site: Site) -> None:
    web = _planned_dose(site, "fay@example.org")
    day = (WEB_TODAY - timedelta(days=1)).isoformat()
    extra = {"date": day, "drug": "clonazepam HCl", "taken_at": f"{day}T10:00", "amount_mg": 3}
    response = web.client.post("/api/doses", json=extra)
    assert response.status_code == 422
    assert "clonazepam" in response.text
    assert site.services.store.doses(site.person_id("fay@example.org")) == []


# --- never an increase on its own: from the regimen the person takes ---------------------------


def test_api_plan_above_the_recorded_regimen_is_an_increase(site: Site) -> None:
    bob = site.patient("gus@example.org", regimen_drug="clonazepam", regimen_doses="1 mg at 22:00")
    doc = _clinician(site, bob, "dr.gus")
    pid = site.person_id("gus@example.org")
    start = (WEB_TODAY + timedelta(days=3)).isoformat()
    body = {"doses": [{"amount": "2 mg", "time": "22:00"}], "start": start}
    preview = doc.client.post(f"/api/patients/{pid}/plans/preview", json=body)
    words = preview.text if preview.status_code != 200 else json.dumps(preview.json()["warnings"])
    assert "increase" in words


def test_cli_approving_a_plan_above_the_recorded_regimen_is_refused(tmp_path: Path) -> None:
    me = Taperline(f"sqlite:///{tmp_path}/regimen.db")
    me.ok(
        "init", "--time-zone", "Europe/London", "--age-band", "40-64",
        "--drug", "clonazepam", "--dose", "1 mg", "--at", "22:00",
    )  # fmt: skip
    me.ok(
        "plan", "clonazepam", "--dose", "2 mg", "--at", "22:00", "--start", "2027-01-08", "--save"
    )
    result = me("plan", "approve", "--by", "Dr Lee", "--reason", "agreed at the visit")
    assert result.exit_code == 2, result.stdout
    assert "increase" in result.stderr


def test_web_profile_edit_that_lowers_the_maximum_under_the_plan_in_force(site: Site) -> None:
    ann = site.patient("hal@example.org", conditions="epilepsy")
    pid = site.person_id("hal@example.org")
    doc = _clinician(site, ann, "dr.hal")
    start = (WEB_TODAY + timedelta(days=1)).isoformat()
    doses = [{"amount": "3 mg", "time": "08:00"}, {"amount": "3 mg", "time": "20:00"}]
    made = doc.client.post(f"/api/patients/{pid}/plans", json={"doses": doses, "start": start})
    decision = {"action": "approve", "reason": "agreed at the visit"}
    path = f"/api/patients/{pid}/plans/{made.json()['version']}/decision"
    assert doc.client.post(path, json=decision).status_code == 201
    profile = {"display_name": "Hal", "time_zone": "Europe/London", "conditions": "panic disorder"}
    saved = ann.post("/account/profile", profile)
    if saved.status_code == 303:  # accepted: then the plan in force must be flagged
        assert site.services.store.profile(pid).conditions == ("panic disorder",)
        findings = ann.get("/api/status").json()["findings"]
        assert any("maximum" in f["message"] for f in findings), findings


# --- contraindications by class, however they are written ------------------------------------

#: Contraindications as people write them, with the one each is (each once a strict xfail or
#: unknown): a problem list's inverted form, liver disease in other words, a reaction to a
#: benzodiazepine written as the reaction.
CONTRAINDICATIONS: tuple[tuple[str, str], ...] = (
    ("glaucoma, narrow-angle", "narrow-angle-glaucoma"),
    ("Glaucoma; angle-closure", "narrow-angle-glaucoma"),
    ("cirrhotic", "liver-disease"),
    ("hepatic encephalopathy", "liver-disease"),
    ("Child-Pugh C", "liver-disease"),
    ("Hep C", "liver-disease"),
    ("hives from Xanax", "benzodiazepine-sensitivity"),
    ("rash with diazepam", "benzodiazepine-sensitivity"),
    ("urticaria after lorazepam", "benzodiazepine-sensitivity"),
)


@pytest.mark.parametrize(("text", "slug"), CONTRAINDICATIONS)
def test_contraindications_as_people_write_them(text: str, slug: str) -> None:
    found = screened(conditions=(text,))
    assert slug in {m.name for m in found.conditions}
    assert found.contraindications
    assert not found.unknown


# --- interactions by class --------------------------------------------------------------------

#: Medicines typed so that the class's finding was missed before (each once a strict xfail):
#: full-width letters (folded since), "Plus" cut off as a separator ("Nurofen Plus" is
#: ibuprofen with codeine), brands of codeine and hydrocodone, a sedating muscle relaxant.
UNRECOGNISED_AGENTS: tuple[tuple[str, str], ...] = (
    ("\uff4f\uff58\uff59\uff43\uff4f\uff44\uff4f\uff4e\uff45", "opioids"),
    ("Nurofen Plus", "opioids"),
    ("Solpadeine Plus tablets", "opioids"),
    ("Nurofen Plus caplets", "opioids"),
    ("Paramol", "opioids"),
    ("Solpadol", "opioids"),
    ("Vicoprofen", "opioids"),
    ("carisoprodol", "muscle relaxants"),
)


@pytest.mark.parametrize(("text", "what"), UNRECOGNISED_AGENTS)
def test_agents_are_recognised_by_class(text: str, what: str) -> None:
    found = screened(agents=(text,))
    assert not found.unknown
    assert any(f.kind == "interaction" and f"({what})" in f.message for f in found.findings)


# The profile: medicines and conditions added after a plan was made (screened by the review).


def test_web_profile_opioid_and_contraindication_added_under_a_plan(site: Site) -> None:
    from tests.support.web import approved_plan

    web = site.patient("ida@example.org", display_name="Ida")
    pid = site.person_id("ida@example.org")
    doc = _clinician(site, web, "dr.ida")
    approved_plan(site, pid, WEB_TODAY - timedelta(days=3))
    profile = {
        "display_name": "Ida",
        "time_zone": "Europe/London",
        "conditions": "cirrhosis",
        "other_medicines": "OxyContin",
    }
    assert web.post("/account/profile", profile).status_code == 303
    account = web.get("/account").text.lower()
    findings = json.dumps(web.get("/api/status").json()["findings"]).lower()
    assert "opioid" in account + findings
    assert "contraindication" in account + findings
    [row] = doc.get("/api/patients").json()
    assert row["urgent_findings"] > 0


def test_web_profile_inverted_glaucoma_and_a_plus_brand_under_a_plan(site: Site) -> None:
    from tests.support.web import approved_plan

    web = site.patient("joy@example.org", display_name="Joy")
    pid = site.person_id("joy@example.org")
    approved_plan(site, pid, WEB_TODAY - timedelta(days=3))
    profile = {
        "display_name": "Joy",
        "time_zone": "Europe/London",
        "conditions": "glaucoma, narrow-angle",
        "other_medicines": "Nurofen Plus",
    }
    assert web.post("/account/profile", profile).status_code == 303
    findings = web.get("/api/status").json()["findings"]
    said = json.dumps(findings).lower()
    assert "narrow-angle glaucoma is a contraindication" in said
    assert "nurofen plus (codeine)" in said  # the boxed warning, by its class
    assert "unknown" not in said
    assert "which kind of glaucoma" not in said


def test_web_profile_second_sedative_added_under_a_plan(site: Site) -> None:
    # another benzodiazepine or a z-drug added to the profile after the plan (helper-65's
    # note: the review's profile screen passed the screen's "duplicate" findings over)
    from tests.support.web import approved_plan

    web = site.patient("kim@example.org", display_name="Kim")
    pid = site.person_id("kim@example.org")
    approved_plan(site, pid, WEB_TODAY - timedelta(days=3))
    profile = {
        "display_name": "Kim",
        "time_zone": "Europe/London",
        "other_medicines": "Xanax, zolpidem, Klonopin",
    }
    assert web.post("/account/profile", profile).status_code == 303
    said = [
        f["message"]
        for f in web.get("/api/status").json()["findings"]
        if f["kind"] == "medicine_condition"
    ]
    assert any(m.startswith("Xanax (alprazolam)") and "sedatives" in m for m in said), said
    assert any(m.startswith("zolpidem") and "sedatives" in m for m in said), said
    assert not any("Klonopin" in m for m in said), said  # the plan's own drug, listed


def test_cli_init_opioid_added_under_a_plan(approved: Taperline) -> None:
    updated = approved.ok("init", "--time-zone", "Europe/London", "--medicine", "OxyContin")
    later = approved.ok("findings")
    assert "opioid" in (updated.output + later.output).lower()


def test_an_opioid_written_among_the_conditions_gets_the_boxed_warning() -> None:
    found = screened(conditions=("opioid use disorder", "on methadone program"))
    assert any(f.kind == "interaction" and "(opioids)" in f.message for f in found.findings)


@pytest.mark.parametrize(
    "text",
    [
        "oxycodone\u00a05\u00a0mg",  # no-break spaces
        "co\u2011codamol",  # a no-break hyphen
        "Tramadol\u00ae",
        "Percocet\u2122",
        "tylenol#3",
        "  OXYCODONE\t",
    ],
)
def test_opioids_typed_with_unicode_marks_and_odd_spacing_get_the_boxed_warning(
    text: str,
) -> None:
    found = screened(agents=(text,))
    assert "opioids" in {m.substance_class.slug for m in found.classes}
    assert any(f.kind == "interaction" and f.severity == "urgent" for f in found.findings)
    assert not found.unknown


# --- CBT-I sleep restriction: not offered with its contraindications [SPIELMAN-1987 row] ------

SLEEP_CONTRAINDICATIONS: tuple[tuple[str, str, str], ...] = (
    # once missed (the third item: why), now recognised
    ("sleep apnea (not on CPAP)", "untreated sleep apnea", "'CPAP' reads as treated"),
    ("OSA non-compliant with CPAP", "untreated sleep apnea", "'CPAP' reads as treated"),
    ("schizophrenia", "psychosis", "not a word of the psychosis list"),
    ("REM sleep behaviour disorder", "parasomnia", "not a word of the parasomnia list"),
)


@pytest.mark.parametrize(
    ("text", "what"),
    named_cases(SLEEP_CONTRAINDICATIONS),
)
def test_sleep_restriction_contraindications_as_people_write_them(text: str, what: str) -> None:
    from taperline.core.sleep_course import contraindications_in

    assert what in contraindications_in((text,))


@pytest.mark.parametrize("text", ["OSA on CPAP", "sleep apnoea, CPAP nightly"])
def test_sleep_apnea_on_treatment_is_no_contraindication(text: str) -> None:
    from taperline.core.sleep_course import contraindications_in

    assert not contraindications_in((text,))


# --- never computing with a missing input: the age -------------------------------------------


def test_cli_plan_without_an_age_says_so() -> None:
    from click.testing import CliRunner

    from taperline.cli.main import cli

    args = ["plan", "clonazepam", "--dose", "1 mg", "--at", "22:00", "--start", "2027-03-04"]
    result = CliRunner().invoke(
        cli, [*args, "--format", "json"], env={"TAPERLINE_NOW": "2027-03-01T12:00+00:00"}
    )
    assert result.exit_code == 0, result.stderr
    plan = json.loads(result.stdout)
    words = [*plan["warnings"], *(f["message"] for f in plan["screening"]["findings"])]
    assert any(re.search(r"\bage\b", w, re.IGNORECASE) for w in words), words


def test_the_review_screens_the_profile_for_the_plan_s_drug_and_says_when_it_cannot() -> None:
    """An opioid and cirrhosis in the profile of a person on a plan: urgent findings for the
    clinician, which leave the proposal to the journal (a clinician may have planned with
    them); a plan of a drug the catalogue does not hold says it screened nothing."""
    from dataclasses import replace

    from taperline.core.review import review
    from tests.support.held_cut import plan_version

    profile = Profile("Europe/London", conditions=("cirrhosis",), other_medicines=("OxyContin",))
    record = PersonRecord(profile, plans=(plan_version(),))
    found = review(record, date(2027, 12, 10), catalogue=CATALOGUE)
    screened = [f for f in found.findings if f.kind == "medicine_condition"]
    assert sorted(f.severity for f in screened) == ["urgent", "urgent"]
    assert all(f.clinician_flag for f in screened)
    assert any("opioid" in f.message for f in screened)
    assert any("liver" in f.message.lower() for f in screened)
    without = review(replace(record, profile=Profile("Europe/London")), date(2027, 12, 10))
    assert found.proposal.action == without.proposal.action
    other = replace(record, plans=(replace(plan_version(), drug="phenobarbitone"),))
    skipped = review(other, date(2027, 12, 10), catalogue=CATALOGUE).skipped
    assert any("phenobarbitone is not in the drug catalogue" in s for s in skipped)


def test_a_dose_note_adds_a_red_flag_only_of_a_kind_the_day_has_not_reported() -> None:
    from taperline.core.findings import find_red_flags

    day = date(2027, 2, 2)
    told = CheckIn(day, None, mood=2, anxiety=8, events=frozenset({"suicidal thoughts"}))
    same = find_red_flags([told], dose_notes=[(day, "I want to die")])
    assert [(f.evidence[0].label, f.evidence[0].value) for f in same] == [
        ("event", "suicidal thoughts")
    ]
    other = find_red_flags([told], dose_notes=[(day, "had a seizure")])
    assert [f.evidence[0].label for f in other] == ["event", "dose note"]
    alone = find_red_flags([], dose_notes=[(day, "cut myself")])
    assert [(f.evidence[0].label, f.clinician_flag) for f in alone] == [("dose note", True)]


@pytest.mark.parametrize(
    "text", ["allergic to oxycodone", "no opioids", "stopped methadone", "rash with tramadol"]
)
def test_a_medicine_among_the_conditions_not_taken_is_no_interaction(text: str) -> None:
    found = screened(conditions=(text,))
    assert not any(f.kind == "interaction" for f in found.findings), found.findings
