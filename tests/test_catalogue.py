from __future__ import annotations

import copy
import tomllib
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given

from taperline.catalogue_data import load_catalogue, load_catalogue_from
from taperline.core.catalogue import KNOWN_SOURCES, Catalogue, Indication, parse_catalogue
from taperline.core.quantity import Mass, fmt
from taperline.errors import (
    CatalogueError,
    ImplausibleDoseError,
    InputError,
    SafetyError,
    UnknownDrugError,
)
from tests.support.catalogue_corruptions import CORRUPTIONS, Mutation

from .strategies import clonazepam_daily_doses

DRUGS = (
    "clonazepam",
    "diazepam",
    "lorazepam",
    "alprazolam",
    "temazepam",
    "oxazepam",
    "chlordiazepoxide",
    "zolpidem",
)


@pytest.fixture(scope="module")
def raw() -> dict[str, Any]:
    text = resources.files("taperline").joinpath("data", "drugs.toml").read_text("utf-8")
    return tomllib.loads(text)


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue()


# --- the packaged file ------------------------------------------------------------------------


def test_packaged_catalogue_loads_with_every_drug(catalogue: Catalogue) -> None:
    assert set(DRUGS) <= set(catalogue.names)
    assert load_catalogue() is catalogue  # cached


def test_every_benzodiazepine_has_an_equivalence(catalogue: Catalogue) -> None:
    for drug in catalogue.drugs.values():
        if drug.drug_class == "benzodiazepine":
            assert drug.equivalences, drug.name


def test_clonazepam_pk_matches_clinical_basis(catalogue: Catalogue) -> None:
    drug = catalogue.get("clonazepam")
    assert (drug.half_life_h.low, drug.half_life_h.typical, drug.half_life_h.high) == (30, 35, 40)
    assert drug.half_life_h.source == "LABEL"
    assert drug.ka_per_h is not None
    assert drug.ka_per_h.value == 1.7
    assert drug.cl_l_per_h is not None
    assert drug.cl_l_per_h.value == 4.0
    assert drug.v_l is not None
    assert drug.v_l.value == 200.0
    assert drug.bioavailability is not None
    assert drug.bioavailability.value == 0.9
    assert drug.pk_params().half_life_h == pytest.approx(35, abs=0.5)
    assert drug.pk_params().bioavailability == 1.0  # CL/F and V/F are apparent
    assert drug.pk_sources()["ka_per_h"] in KNOWN_SOURCES


def test_clonazepam_variability_is_flagged_as_assumption(catalogue: Catalogue) -> None:
    drug = catalogue.get("clonazepam")
    cvs = (drug.cv_cl, drug.cv_v, drug.cv_ka)
    assert all(cv is not None and cv.assumption for cv in cvs)
    assert drug.variability().cv_cl == 0.20


def test_clonazepam_equivalences_and_daily_max(catalogue: Catalogue) -> None:
    drug = catalogue.get("clonazepam")
    assert [(fmt(e.dose_mg), e.source) for e in drug.equivalences] == [
        ("0.5 mg", "ASHTON"),
        ("1 mg", "VADOD-2021"),
    ]
    assert drug.daily_max_mg is not None
    assert fmt(drug.daily_max_mg.value) == "4 mg"


def test_clonazepam_products_and_rxnorm(catalogue: Catalogue) -> None:
    drug = catalogue.get("clonazepam")
    codes = {(p.form, fmt(p.strength)): p.rxnorm for p in drug.products if p.form != "liquid"}
    assert codes == {
        ("tablet", "0.5 mg"): "197527",
        ("tablet", "1 mg"): "197528",
        ("tablet", "2 mg"): "197529",
        ("odt", "0.125 mg"): "349194",
        ("odt", "0.25 mg"): "349195",
        ("odt", "0.5 mg"): "349198",
        ("odt", "1 mg"): "349196",
        ("odt", "2 mg"): "349197",
    }
    half = next(p for p in drug.products if p.form == "tablet" and p.strength == Mass.of_mg("0.5"))
    assert half.divisible_by == 2
    suspension = next(p for p in drug.products if p.suspension)
    assert suspension.compounded
    assert fmt(suspension.step) == "0.01 mg"
    assert drug.rxnorm_ingredient is not None
    assert drug.rxnorm_ingredient.assumption


def test_clonazepam_learn_content(catalogue: Catalogue) -> None:
    drug = catalogue.get("clonazepam")
    topics = {fact.topic for fact in drug.facts}
    assert {"onset", "duration", "sleep_use", "insomnia_paradox", "alternatives"} <= topics
    assert "CBT-I" in drug.facts_about("alternatives")[0].text
    slugs = {c.condition for c in drug.cautions}
    assert {"sleep-apnea", "epilepsy", "bipolar", "age-65-plus", "substance-use"} <= slugs


# --- lookups ----------------------------------------------------------------------------------


def test_get_by_brand_and_case(catalogue: Catalogue) -> None:
    assert catalogue.get("Klonopin").name == "clonazepam"
    assert catalogue.get(" VALIUM ").name == "diazepam"


def test_unknown_drug_suggests_a_close_match(catalogue: Catalogue) -> None:
    with pytest.raises(UnknownDrugError, match=r"Did you mean 'clonazepam'\?.*Known drugs: alp"):
        catalogue.get("KLONAZEPAM")
    with pytest.raises(UnknownDrugError, match="Known drugs"):
        catalogue.get("xyzzy")


def test_interactions_by_alias_group_and_case(catalogue: Catalogue) -> None:
    drug = catalogue.get("clonazepam")
    found = drug.find_interactions(["OxyCodone", "ethanol", "anticonvulsants", "ibuprofen"])
    by_name: dict[str, list[str]] = {}
    for name, interaction in found:
        by_name.setdefault(name, []).append(interaction.agent)
    assert by_name["OxyCodone"] == ["opioids"]
    assert by_name["ethanol"] == ["alcohol"]
    assert set(by_name["anticonvulsants"]) == {
        "carbamazepine",
        "phenytoin",
        "phenobarbital",
        "anticonvulsants",
    }
    assert drug.unmatched_agents(["ibuprofen", "Alcohol"]) == ("ibuprofen",)
    opioid = found[0][1]
    assert (opioid.severity, opioid.kind) == ("major", "cns_depression")


def test_carbamazepine_matches_inducer_and_sedation(catalogue: Catalogue) -> None:
    drug = catalogue.get("clonazepam")
    kinds = {i.kind for _, i in drug.find_interactions(["carbamazepine"])}
    assert kinds == {"cyp3a_inducer", "cns_depression"}


def test_cautions_by_alias(catalogue: Catalogue) -> None:
    drug = catalogue.get("clonazepam")
    found = drug.find_cautions(["Sleep apnoea", "elderly", "gout"])
    assert [c.condition for _, c in found] == ["sleep-apnea", "age-65-plus"]
    assert drug.unmatched_conditions(["gout", "SLEEP_APNEA"]) == ("gout",)


@pytest.mark.parametrize(
    ("dose", "band"),
    [
        ("0.2", None),
        ("0.25", "low"),
        ("0.5", "low"),
        ("0.75", "low-moderate"),
        ("1", "moderate"),
        ("2", "moderate"),
        ("2.01", "high"),
        ("6", "high"),
    ],
)
def test_band_for_boundaries(catalogue: Catalogue, dose: str, band: str | None) -> None:
    found = catalogue.get("clonazepam").band_for(Mass.of_mg(dose))
    assert (found.name if found else None) == band


@given(clonazepam_daily_doses)
def test_every_dose_from_the_lowest_band_has_exactly_one_band(dose: Mass) -> None:
    drug = load_catalogue().get("clonazepam")
    assert sum(band.contains(dose) for band in drug.dose_bands) == 1


def test_diazepam_equivalent_by_source(catalogue: Catalogue) -> None:
    drug = catalogue.get("clonazepam")
    one = Mass.of_mg(1)
    assert drug.diazepam_equivalent(one) == Mass.of_mg(20)
    assert drug.diazepam_equivalent(one, "ASHTON") == Mass.of_mg(20)
    assert drug.diazepam_equivalent(one, "vadod-2021") == Mass.of_mg(10)
    assert drug.from_diazepam_equivalent(Mass.of_mg(10)) == Mass.of_mg("0.5")
    with pytest.raises(InputError, match="available: ASHTON, VADOD-2021"):
        drug.equivalence("NICE-CKS")


def test_withdrawal_risk_bands(catalogue: Catalogue) -> None:
    def risk(mg: str) -> str | None:
        band = catalogue.withdrawal_risk_band(Mass.of_mg(mg))
        return band.name if band else None

    assert [risk(x) for x in ("0", "10", "10.5", "15", "15.5")] == [
        None,
        "low",
        "moderate",
        "moderate",
        "high",
    ]
    assert catalogue.significant_use_months.value == 3
    band = catalogue.withdrawal_risk("clonazepam", Mass.of_mg("0.5"), "VADOD-2021")
    assert band is not None
    assert band.name == "low"


def test_plausible_and_daily_checks(catalogue: Catalogue) -> None:
    drug = catalogue.get("clonazepam")
    with pytest.raises(ImplausibleDoseError, match="500 mcg"):
        drug.parse_dose("500 mg")
    drug.check_single_dose(Mass.of_mg("0.01"))
    drug.check_daily_dose(Mass.of_mg(4))
    with pytest.raises(SafetyError, match=r"4 mg for anyone whose reason .* \[LABEL\]"):
        drug.check_daily_dose(Mass.of_mg("4.5"))
    drug.check_daily_dose(Mass.of_mg(6), "seizure")
    with pytest.raises(SafetyError, match=r"20 mg for adults with a seizure disorder \[LABEL\]"):
        drug.check_daily_dose(Mass.of_mg(21), "seizure")
    with pytest.raises(SafetyError, match=r"4 mg for adults with panic disorder \[LABEL\]"):
        drug.check_daily_dose(Mass.of_mg(6), "panic")


@pytest.mark.parametrize(
    ("indication", "max_mg", "source"),
    [
        ("seizure", 20, "LABEL"),
        ("panic", 4, "LABEL"),
        ("sleep", 4, "SEED-AURA"),
        (None, 4, "LABEL"),
    ],
)
def test_daily_maximum_by_indication(
    catalogue: Catalogue, indication: Indication | None, max_mg: int, source: str
) -> None:
    drug = catalogue.get("clonazepam")
    limit = drug.daily_max_for(indication)
    assert limit is not None
    assert (limit.value.mg, limit.source) == (max_mg, source)
    maximum = drug.daily_maximum_for(indication)
    assert maximum is not None
    assert maximum.indication == indication
    assert maximum.applies_to


def test_daily_max_mg_is_the_lowest_maximum(catalogue: Catalogue) -> None:
    for name in catalogue.names:
        drug = catalogue.get(name)
        if drug.daily_maxima:
            assert drug.daily_max_mg is not None
            assert drug.daily_max_mg.value.mg == min(m.max_mg.mg for m in drug.daily_maxima)
        else:  # one maximum for every indication
            assert drug.daily_max_for("seizure") == drug.daily_max_mg == drug.daily_max_for(None)


def test_drug_without_pk_model_says_what_is_missing(catalogue: Catalogue) -> None:
    with pytest.raises(InputError, match="LORazepam: missing ka_per_h, cl_l_per_h, v_l"):
        catalogue.get("lorazepam").pk_params()


# --- bad files --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mutate", "message"),
    [pytest.param(m, msg, id=name) for name, m, msg in CORRUPTIONS],
)
def test_bad_file_names_drug_and_field(raw: dict[str, Any], mutate: Mutation, message: str) -> None:
    data = copy.deepcopy(raw)
    mutate(data)
    with pytest.raises(CatalogueError, match=r"^drugs\.toml: .*" + message):
        parse_catalogue(data)


def test_withdrawal_band_problems_are_named(raw: dict[str, Any]) -> None:
    data = copy.deepcopy(raw)
    data["withdrawal_risk"]["bands"][1]["source"] = "NOPE"
    with pytest.raises(CatalogueError, match=r"withdrawal_risk, bands\[1\]: source 'NOPE'"):
        parse_catalogue(data)


def test_clinician_file_errors_name_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "mine.toml"
    bad.write_text('schema_version = 1\ndrugs = []\n[withdrawal_risk]\nbands = "x"\n', "utf-8")
    with pytest.raises(CatalogueError, match=r"mine\.toml: catalogue, withdrawal_risk: missing"):
        load_catalogue_from(bad)
    with pytest.raises(CatalogueError, match="cannot read"):
        load_catalogue_from(tmp_path / "absent.toml")
    bad.write_text("[[drugs]\n", encoding="utf-8")
    with pytest.raises(CatalogueError, match="not valid TOML"):
        load_catalogue_from(bad)


def test_clinician_copy_of_the_packaged_file_loads(tmp_path: Path) -> None:
    text = resources.files("taperline").joinpath("data", "drugs.toml").read_text("utf-8")
    copy_path = tmp_path / "drugs.toml"
    for indication in ("panic", "sleep"):
        old = f'indication = "{indication}"\nmax_mg = "4 mg"'
        assert old in text
        text = text.replace(old, f'indication = "{indication}"\nmax_mg = "5 mg"')
    copy_path.write_text(text)
    drug = load_catalogue_from(copy_path).get("clonazepam")
    assert drug.daily_max_mg is not None
    assert drug.daily_max_mg.value.mg == Decimal(5)


# --- substance classes ------------------------------------------------------------------------

ISSUE_OPIOIDS = (
    "codeine", "dihydrocodeine", "hydrocodone", "oxycodone", "oxymorphone", "morphine",
    "hydromorphone", "methadone", "buprenorphine", "fentanyl", "tramadol", "tapentadol",
    "meperidine", "heroin", "OxyContin", "Percocet", "Vicodin", "Norco", "Suboxone", "Ultram",
    "Dilaudid",
)  # fmt: skip
ISSUE_CLASSES = (
    "opioids", "gabapentinoids", "benzodiazepines", "z-drugs", "barbiturates", "sodium-oxybate",
    "sedating-antihistamines", "antipsychotics", "valproate", "cyp3a-inducers", "cyp3a-inhibitors",
    "alcohol", "cannabis",
)  # fmt: skip


def test_every_class_of_the_issue_has_members_and_a_source(catalogue: Catalogue) -> None:
    assert set(ISSUE_CLASSES) <= set(catalogue.classes)
    for cls in catalogue.classes.values():
        assert cls.members, cls.slug
        assert cls.source in KNOWN_SOURCES
        if cls.interaction is not None:
            assert cls.interaction.source in KNOWN_SOURCES
    assert catalogue.substance_class("gabapentinoids").source == "FDA-GABAPENTINOIDS"
    assert catalogue.substance_class("cyp3a-inhibitors").source == "FDA-DDI-TABLE"
    with pytest.raises(InputError, match="no substance class 'opiates'"):
        catalogue.substance_class("opiates")


@pytest.mark.parametrize("name", ISSUE_OPIOIDS)
def test_every_opioid_of_the_issue_is_an_opioid(catalogue: Catalogue, name: str) -> None:
    opioids = catalogue.substance_class("opioids")
    assert opioids.member_in(name) is not None
    drug = catalogue.get("clonazepam")
    [interaction] = drug.interactions_for(name)
    assert (interaction.agent_class, interaction.severity, interaction.source) == (
        "opioids",
        "major",
        "LABEL",
    )


def test_every_catalogue_drug_is_in_a_duplicate_therapy_class(catalogue: Catalogue) -> None:
    members = {
        name.casefold()
        for slug in ("benzodiazepines", "z-drugs")
        for m in catalogue.substance_class(slug).members
        for name in m.names
    }
    for drug in catalogue.drugs.values():
        for name in (drug.name, *drug.brand_names):
            assert name.casefold() in members, name


def test_class_interactions_are_inherited_unless_the_drug_has_its_own(
    catalogue: Catalogue,
) -> None:
    clonazepam = catalogue.get("clonazepam")
    by_class = {i.agent_class: i for i in clonazepam.interactions if i.agent_class}
    assert by_class["opioids"].agent == "opioids"  # its own row, cited LABEL
    assert by_class["gabapentinoids"].source == "FDA-GABAPENTINOIDS"  # inherited
    assert by_class["valproate"].kind == "absence_status"
    diazepam = catalogue.get("diazepam")
    own = [i for i in diazepam.interactions if i.agent_class == "opioids"]
    assert [i.source for i in own] == ["LABEL-DIAZEPAM"]  # not also the class default
    zolpidem = catalogue.get("zolpidem")
    zolpidem_classes = {i.agent_class for i in zolpidem.interactions}
    assert "opioids" not in zolpidem_classes  # the class interaction is for benzodiazepines
    assert {"gabapentinoids", "benzodiazepines", "alcohol"} <= zolpidem_classes


def test_the_most_severe_interaction_of_a_kind_wins(catalogue: Catalogue) -> None:
    drug = catalogue.get("clonazepam")
    found = {(i.agent, i.source) for i in drug.interactions_for("phenobarbital")}
    # barbiturates (major) over anticonvulsants (moderate); phenobarbital's own inducer data
    # [KAPLAN-1980] over the CYP3A-inducer class row [LABEL]
    assert found == {("barbiturates", "LABEL"), ("phenobarbital", "KAPLAN-1980")}


@pytest.mark.parametrize(
    ("condition", "slugs"),
    [
        ("severe liver disease", ["liver-disease"]),
        ("Liver disease (cirrhosis)", ["liver-disease"]),
        ("glaucoma (narrow angle)", ["narrow-angle-glaucoma"]),
        ("narrow-angle glaucoma", ["narrow-angle-glaucoma"]),
        ("Acute angle-closure glaucoma", ["narrow-angle-glaucoma"]),
        ("open-angle glaucoma (treated)", ["open-angle-glaucoma"]),
        ("glaucoma", ["glaucoma"]),
        ("sleep apnoea and COPD", ["sleep-apnea", "respiratory-disease"]),
        ("deliver", []),
    ],
)
def test_cautions_by_words(catalogue: Catalogue, condition: str, slugs: list[str]) -> None:
    found = catalogue.get("clonazepam").cautions_for(condition)
    assert [c.condition for c in found] == slugs


def test_contraindications_are_urgent_and_say_so(catalogue: Catalogue) -> None:
    cautions = {c.condition: c for c in catalogue.get("clonazepam").cautions}
    for slug in ("liver-disease", "narrow-angle-glaucoma", "benzodiazepine-sensitivity"):
        caution = cautions[slug]
        assert (caution.contraindication, caution.severity, caution.source) == (
            True,
            "urgent",
            "LABEL",
        )
        assert "contraindication" in caution.message
        assert "do not stop clonazepam abruptly" in caution.message
    assert (cautions["open-angle-glaucoma"].contraindication, cautions["glaucoma"].severity) == (
        False,
        "warning",
    )
    assert "not a contraindication" in cautions["open-angle-glaucoma"].message


def _with_class(raw: dict[str, Any], **changes: object) -> dict[str, Any]:
    data = copy.deepcopy(raw)
    data["classes"][0].update(changes)
    return data


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"slug": "Opioids"}, r"class 'Opioids': slug 'Opioids' must be a slug"),
        ({"members": []}, r"class 'opioids': members: a class needs at least one member"),
        (
            {"members": [{"name": "Tylenol #3"}, {"name": "tylenol 3"}]},
            r"class 'opioids': members: the name 'tylenol 3' is listed twice",
        ),
        ({"source": "NOPE"}, r"class 'opioids': source 'NOPE' is not a known source id"),
        ({"nick": "x"}, r"class 'opioids': unknown key 'nick'"),
        (
            {"interaction": {"applies_to": ["opioid"], "kind": "cns_depression"}},
            r"class 'opioids', interaction: missing required key",
        ),
    ],
)
def test_bad_class_is_named(raw: dict[str, Any], changes: dict[str, object], message: str) -> None:
    with pytest.raises(CatalogueError, match=r"^drugs\.toml: " + message):
        parse_catalogue(_with_class(raw, **changes))


def test_class_interaction_must_apply_to_drug_classes(raw: dict[str, Any]) -> None:
    data = copy.deepcopy(raw)
    data["classes"][0]["interaction"]["applies_to"] = ["opioid"]
    with pytest.raises(CatalogueError, match=r"interaction: applies_to must list drug classes"):
        parse_catalogue(data)
    data["classes"].append(copy.deepcopy(data["classes"][1]))
    data["classes"][0]["interaction"]["applies_to"] = ["benzodiazepine"]
    with pytest.raises(CatalogueError, match=r"class 'gabapentinoids' is listed twice"):
        parse_catalogue(data)
