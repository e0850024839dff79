"""Screening: names by class, conditions by words, crisis words, unknown names, age, maxima."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from taperline.catalogue_data import load_catalogue
from taperline.core.findings import crisis_message
from taperline.core.screening import (
    CRISIS_PHRASES,
    REGIMEN_ISSUE_KINDS,
    SEIZURE_DISORDER_PHRASES,
    Screening,
    crisis_matches,
    crisis_stems,
    crisis_terms,
    indication_of,
    recognise,
    screen,
    screening_document,
    split_items,
)
from taperline.core.screening.recognition import product_names, read_conditions
from taperline.core.words import spans, tokens
from taperline.errors import InputError

from .strategies import (
    class_names,
    crisis_phrases,
    filler_words,
    spelt_like_people,
    unknown_names,
)

CATALOGUE = load_catalogue()


def _screen(drug: str = "clonazepam", **given: object) -> Screening:
    return screen(CATALOGUE, CATALOGUE.get(drug), **given)  # type: ignore[arg-type]  # keyword values of several types


# --- names by class ---------------------------------------------------------------------------


@given(st.data(), class_names)
def test_every_class_name_as_people_type_it_is_recognised(
    data: st.DataObject, slug_and_name: tuple[str, str]
) -> None:
    slug, name = slug_and_name
    typed = data.draw(spelt_like_people(name))
    result = _screen(agents=[typed])
    assert slug in {m.substance_class.slug for m in result.classes}, typed
    assert result.unknown == (), typed
    assert not result.crisis


@given(class_names)
def test_every_class_member_is_one_item(slug_and_name: tuple[str, str]) -> None:
    _, name = slug_and_name  # a name holding "plus" ("Nurofen Plus") is kept whole
    assert split_items([name], kept=product_names(CATALOGUE)) == (name,)


@given(class_names)
def test_every_class_name_means_something_for_clonazepam(slug_and_name: tuple[str, str]) -> None:
    _, name = slug_and_name
    result = _screen(agents=[name])
    assert any(f.kind in {"interaction", "duplicate"} for f in result.findings), name


@given(st.lists(unknown_names, min_size=1, max_size=4, unique=True), st.lists(class_names))
def test_unknown_names_come_back_unknown_never_dropped(
    unknown: list[str], known: list[tuple[str, str]]
) -> None:
    names = [*unknown, *(name for _, name in known)]
    result = _screen(agents=names, conditions=unknown)
    agents = [u.name for u in result.unknown if u.field == "agent"]
    conditions = [u.name for u in result.unknown if u.field == "condition"]
    assert agents == unknown
    assert conditions == unknown
    messages = [f.message for f in result.findings if f.kind == "unknown"]
    assert len(messages) == 2 * len(unknown)
    assert all(m.startswith("unknown: ask a pharmacist") for m in messages)


@given(st.lists(st.text(max_size=30), max_size=5))
def test_split_items_keeps_every_word(values: list[str]) -> None:
    kept = {w for item in split_items(values) for w in tokens(item)}
    for value in values:
        for word in tokens(re.sub(r"\bw/", "with ", value, flags=re.IGNORECASE)):
            if word not in {"and", "plus"}:
                assert word in kept


@given(st.lists(st.text(max_size=40), max_size=4), st.lists(st.text(max_size=40), max_size=4))
def test_any_text_is_screened_without_error_and_every_item_accounted_for(
    agents: list[str], conditions: list[str]
) -> None:
    result = _screen(agents=agents, conditions=conditions)
    assert all(f.kind in REGIMEN_ISSUE_KINDS and f.source and f.message for f in result.findings)
    assert all(f.clinician_flag for f in result.findings if f.severity == "urgent")
    recognised = {m.given for m in result.classes} | {m.given for m in result.conditions}
    read = read_conditions(CATALOGUE, [CATALOGUE.get("clonazepam")], conditions)
    for item in read:  # the items as screen read them (a problem list's inverted form joined)
        typed = bool(crisis_matches(item))
        unknown = item in {u.name for u in result.unknown if u.field == "condition"}
        assert typed or unknown or item in recognised, item
    for item in split_items(conditions):  # nothing typed is dropped by a join
        assert any(item.casefold() in r.casefold() for r in read), (item, read)


# --- crisis words -----------------------------------------------------------------------------


@given(crisis_phrases, filler_words, filler_words, st.sampled_from(["", ".", "!", ",", "..."]))
def test_crisis_words_anywhere_are_found(
    category_and_phrase: tuple[str, str], before: str, after: str, mark: str
) -> None:
    category, phrase = category_and_phrase
    text = f"{before} {phrase.upper()}{mark} {after}"
    assert category in {m.category for m in crisis_matches(text)}
    assert crisis_terms(text)


@given(crisis_phrases)
def test_crisis_text_always_passes_the_database_prefilter(
    category_and_phrase: tuple[str, str],
) -> None:
    _, phrase = category_and_phrase
    for text in (phrase, f"I {phrase.title()}s today", phrase.replace(" ", "-")):
        if crisis_matches(text):
            lowered = text.lower()
            assert any(all(w in lowered for w in group) for group in crisis_stems()), text


@given(st.text(max_size=60))
def test_prefilter_is_a_superset_of_crisis_matches(text: str) -> None:
    # the banner's SQL: every word of one stem group, or any text that is not all ASCII
    if crisis_matches(text) and text.isascii():
        assert any(all(w in text.lower() for w in group) for group in crisis_stems())


@given(st.text(max_size=40))
def test_tokens_keep_where_they_were_typed(text: str) -> None:
    found = spans(text)
    assert tuple(t.word for t in found) == tokens(text)
    for token in found:  # one character may fold to more than one token ("1", "4")
        assert token.word in tokens(text[token.start : token.end])


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("sui\u00adcide", ("suicide",)),  # a soft hyphen pasted from a page
        ("\uff53\uff55\uff49\uff43\uff49\uff44\uff45", ("suicide",)),  # full-width letters
        ("over\u2060dose", ("overdose",)),  # a word joiner (a zero-width space breaks)
        ("Percocet\u2122 5\uff0f325", ("percocet", "5", "325")),  # symbols still separate
        ("\ufb01t", ("fit",)),  # a ligature
        ("caf\u00e9", ("cafe",)),  # an accent is dropped from a Latin letter
    ],
)
def test_text_is_folded_before_it_is_cut(text: str, words: tuple[str, ...]) -> None:
    assert tokens(text) == words


@given(
    st.text("abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=4),
    st.text("abcdefghijklmnopqrstuvwxyz", max_size=4),
)
def test_fit_inside_a_word_is_not_a_seizure(prefix: str, suffix: str) -> None:
    assert crisis_matches(f"a {prefix}fit{suffix} for me") == ()


@pytest.mark.parametrize("phrase", SEIZURE_DISORDER_PHRASES)
def test_a_seizure_disorder_is_a_condition_not_a_crisis(phrase: str) -> None:
    assert crisis_matches(phrase) == ()
    assert indication_of([phrase]) == "seizure"
    result = _screen(conditions=[phrase])
    assert not result.crisis
    assert "epilepsy" in {c.name for c in result.conditions}


@pytest.mark.parametrize(
    ("where", "text"),
    [
        ("conditions", "suicidal thoughts"),
        ("conditions", "history of self-harm"),
        ("conditions", "had a seizure last week"),
        ("agents", "I want to die"),
    ],
)
def test_crisis_words_in_any_field_give_the_crisis_message(where: str, text: str) -> None:
    result = _screen(local_emergency="112", **{where: [text]})
    [flag] = [f for f in result.findings if f.crisis]
    assert (flag.kind, flag.severity, flag.clinician_flag) == ("red_flag", "urgent", True)
    assert crisis_message("112") in flag.message
    assert "988" in flag.message
    assert result.unknown == ()


# --- indication and the daily maximum ---------------------------------------------------------


@pytest.mark.parametrize(
    ("conditions", "indication", "max_mg"),
    [
        (["epilepsy"], "seizure", 20),
        (["Epileptic, panic attacks"], "seizure", 20),
        (["panic disorder"], "panic", 4),
        (["insomnia"], "sleep", 4),
        (["sleep"], "sleep", 4),
        (["sleep apnea"], None, 4),
        (["anxiety"], None, 4),
        ([], None, 4),
    ],
)
def test_indication_picks_the_daily_maximum(
    conditions: list[str], indication: str | None, max_mg: int
) -> None:
    result = _screen(conditions=conditions)
    assert result.indication == indication
    assert result.daily_max is not None
    assert result.daily_max.max_mg.mg == max_mg


@pytest.mark.parametrize(
    "condition",
    ["never had epilepsy", "rule out epilepsy", "r/o epilepsy", "?epilepsy", "epilepsy: none",
     "nephew epilepsy", "testing for epilepsy", "epilepsy (resolved)", "family history of epilepsy",
     "non-epileptic attacks", "suspected epilepsy", "my dog has epilepsy"],
)  # fmt: skip
def test_epilepsy_that_is_not_theirs_or_not_certain_keeps_the_lower_maximum(
    condition: str,
) -> None:
    result = _screen(conditions=[condition])
    assert result.indication is None
    assert result.daily_max is not None
    assert result.daily_max.max_mg.mg == 4


@pytest.mark.parametrize(
    "condition", ["absence seizures", "petit mal", "myoclonic seizures", "history of epilepsy"]
)
def test_the_label_s_seizure_types_are_the_seizure_indication(condition: str) -> None:
    result = _screen(conditions=[condition])
    assert result.indication == "seizure"
    assert not [f for f in result.findings if f.kind == "red_flag"]


def test_an_explicit_indication_wins() -> None:
    result = _screen(conditions=["insomnia"], indication="seizure")
    assert result.daily_max is not None
    assert result.daily_max.max_mg.mg == 20


def test_seizure_and_panic_says_which_maximum_is_used() -> None:
    result = _screen(conditions=["epilepsy", "panic disorder"])
    [info] = [f for f in result.findings if f.kind == "indication"]
    assert "20 mg" in info.message
    assert "Panic disorder was also given (its maximum is 4 mg)" in info.message


@pytest.mark.parametrize("age", [0, 10, 17])
def test_under_18_is_flagged_and_refused_for_planning(age: int) -> None:
    result = _screen(age_years=age, conditions=["epilepsy"])
    assert result.daily_max is None
    assert result.refusals
    assert "specialist" in result.refusals[0]
    [young] = [f for f in result.findings if f.kind == "age"]
    assert (young.severity, young.clinician_flag, young.source) == ("urgent", True, "LABEL")


def test_under_18_for_a_drug_without_label_rules() -> None:
    result = _screen("lorazepam", age_years=16)
    assert result.refusals
    assert result.findings[0].source == "taperline"


@pytest.mark.parametrize("age", [18, 40, 64])
def test_adults_have_no_age_finding(age: int) -> None:
    assert not [f for f in _screen(age_years=age).findings if f.kind == "age"]
    assert _screen(age_years=age).refusals == ()


@pytest.mark.parametrize("age", [-1, 121])
def test_impossible_age_is_bad_input(age: int) -> None:
    with pytest.raises(InputError, match="0-120"):
        _screen(age_years=age)


# --- the dangerous and tricky inputs ----------------------------------------------------------

# (field, what was typed, finding kind, severity, words in its message)
DANGEROUS: list[tuple[str, str, str, str, str]] = [
    ("agents", "OxyContin", "interaction", "urgent", "OxyContin (oxycodone)"),
    ("agents", "oxycodone/paracetamol", "interaction", "urgent", "opioids"),
    ("agents", "oxycodone/paracetamol", "unknown", "warning", "'paracetamol'"),
    ("agents", "Percocet 5/325", "interaction", "urgent", "Percocet 5/325 (oxycodone)"),
    ("agents", "Tylenol #3", "interaction", "urgent", "Tylenol #3 (codeine)"),
    ("agents", "Tylenol w/ codeine", "interaction", "urgent", "breathing"),
    ("agents", "Vicodin", "interaction", "urgent", "hydrocodone"),
    ("agents", "Norco 10/325", "interaction", "urgent", "hydrocodone"),
    ("agents", "Suboxone film", "interaction", "urgent", "buprenorphine"),
    ("agents", "ULTRAM 50MG", "interaction", "urgent", "tramadol"),
    ("agents", "dilaudid", "interaction", "urgent", "hydromorphone"),
    ("agents", "fentanyl patch", "interaction", "urgent", "coma and death"),
    ("agents", "methadone (clinic)", "interaction", "urgent", "opioids"),
    ("agents", "heroin", "interaction", "urgent", "opioids"),
    ("agents", "Nucynta", "interaction", "urgent", "tapentadol"),
    ("agents", "co-codamol", "interaction", "urgent", "codeine"),
    ("agents", "kratom", "unknown", "warning", "ask a pharmacist"),
    ("agents", "gabapentin 300 mg", "interaction", "urgent", "breathing"),
    ("agents", "Lyrica", "interaction", "urgent", "pregabalin"),
    ("agents", "Xanax", "duplicate", "warning", "duplicate therapy"),
    ("agents", "Klonopin", "duplicate", "warning", "clonazePAM itself"),
    ("agents", "Ambien", "duplicate", "warning", "zolpidem"),
    ("agents", "Fioricet", "interaction", "urgent", "barbiturates"),
    ("agents", "Xyrem", "interaction", "urgent", "sodium oxybate"),
    ("agents", "GHB", "interaction", "urgent", "breathing"),
    ("agents", "Benadryl", "interaction", "warning", "diphenhydramine"),
    ("agents", "NyQuil", "interaction", "warning", "doxylamine"),
    ("agents", "Seroquel 25mg at night", "interaction", "warning", "antipsychotics"),
    ("agents", "Depakote ER", "interaction", "warning", "absence status"),
    ("agents", "Tegretol", "interaction", "warning", "19-37 %"),
    ("agents", "rifampicin", "interaction", "warning", "lowers clonazepam levels"),
    ("agents", "Paxlovid", "interaction", "warning", "CYP3A inhibition"),
    ("agents", "grapefruit juice", "interaction", "warning", "may raise clonazepam levels"),
    ("agents", "St. John's Wort", "interaction", "warning", "CYP3A"),
    ("agents", "a glass of wine", "interaction", "urgent", "slowed breathing"),
    ("agents", "beers", "interaction", "urgent", "alcohol"),
    ("agents", "2 pints of lager", "interaction", "urgent", "alcohol"),
    ("agents", "weed", "interaction", "warning", "cannabis"),
    ("agents", "CBD oil", "interaction", "warning", "cannabis"),
    ("agents", "energy drinks", "interaction", "info", "caffeine"),
    ("agents", "benefit", "unknown", "warning", "'benefit'"),
    ("agents", "oxycodon", "unknown", "warning", "did you mean 'oxycodone'"),
    ("agents", "tea", "unknown", "warning", "unknown is not the same as safe"),
    ("agents", "I want to die", "red_flag", "urgent", "988"),
    ("conditions", "severe liver disease", "contraindication", "urgent", "contraindication"),
    ("conditions", "Liver disease (cirrhosis)", "contraindication", "urgent", "must not be"),
    ("conditions", "glaucoma (narrow angle)", "contraindication", "urgent", "narrow-angle"),
    ("conditions", "narrow-angle glaucoma", "contraindication", "urgent", "contraindication"),
    ("conditions", "open-angle glaucoma (treated)", "caution", "info", "not a contraindication"),
    ("conditions", "glaucoma", "caution", "warning", "Which kind of glaucoma"),
    ("conditions", "allergic to Xanax", "contraindication", "urgent", "sensitivity"),
    ("conditions", "benzodiazepine allergy", "contraindication", "urgent", "sensitivity"),
    ("conditions", "allergies to Valium", "contraindication", "urgent", "sensitivity"),
    ("conditions", "allergic to zolpidem", "unknown", "warning", "ask a pharmacist"),
    ("conditions", "suicidal thoughts", "red_flag", "urgent", "988"),
    ("conditions", "history of self-harm", "red_flag", "urgent", "harming yourself"),
    ("conditions", "had a seizure yesterday", "red_flag", "urgent", "medical care now"),
    ("conditions", "seizures", "red_flag", "urgent", "enter it as “epilepsy”"),
    ("conditions", "convulsions", "red_flag", "urgent", "seizure"),
    ("conditions", "had a fit", "red_flag", "urgent", "seizure"),
    ("conditions", "epilepsy", "caution", "warning", "Never stop clonazepam abruptly"),
    ("conditions", "epilepsy", "indication", "info", "20 mg"),
    ("conditions", "epilepsey", "unknown", "warning", "did you mean 'epilepsy'"),
    ("conditions", "gout", "unknown", "warning", "tell your prescriber"),
    ("conditions", "keeping fit", "unknown", "warning", "'keeping fit'"),
    ("conditions", "sleep apnoea", "caution", "warning", "breathing shallower"),
    ("conditions", "pregnant", "pregnancy", "warning", "pregnancy"),
]


@pytest.mark.parametrize(
    ("field", "typed", "kind", "severity", "words"),
    DANGEROUS,
    ids=[f"{row[0]}:{row[1]}:{row[2]}" for row in DANGEROUS],
)
def test_dangerous_and_tricky_inputs_are_flagged(
    field: str, typed: str, kind: str, severity: str, words: str
) -> None:
    result = _screen(**{field: [typed]})
    found = [(f.kind, f.severity) for f in result.findings if words in f.message]
    assert (kind, severity) in found, [(f.kind, f.severity, f.message) for f in result.findings]


def test_the_table_is_big_enough() -> None:
    assert len(DANGEROUS) >= 40


def test_no_false_crisis_or_opioid_in_plain_text() -> None:
    result = _screen(agents=["benefit", "outfit"], conditions=["keeping fit", "deliver"])
    assert not result.crisis
    assert not result.classes
    assert [u.name for u in result.unknown] == ["benefit", "outfit", "keeping fit", "deliver"]


def test_plain_tylenol_is_not_suggested_as_a_codeine_product() -> None:
    [unknown] = _screen(agents=["Tylenol"]).unknown
    assert unknown.suggestion is None


def test_class_without_data_for_the_drug_is_reported_not_dropped() -> None:
    result = _screen("lorazepam", agents=["Nizoral"])
    [finding] = result.findings
    assert (finding.kind, finding.severity, finding.source) == (
        "interaction",
        "warning",
        "FDA-DDI-TABLE",
    )
    assert "no information on CYP3A inhibitors with LORazepam" in finding.message
    assert result.unknown == ()


def test_agents_of_one_class_share_one_finding() -> None:
    result = _screen(agents=["OxyContin, morphine", "Opioids"])
    [opioid] = [f for f in result.findings if f.kind == "interaction"]
    assert "OxyContin (oxycodone), morphine, Opioids (opioids) with" in opioid.message


def test_screening_document_is_json_ready() -> None:
    import json

    result = _screen(
        agents=["OxyContin", "tea"], conditions=["glaucoma (narrow angle)", "self-harm"]
    )
    doc = json.loads(json.dumps(screening_document(result)))
    assert doc["contraindications"] == ["narrow-angle-glaucoma"]
    assert doc["classes"][0]["member"] == "oxycodone"
    assert doc["unknown"][0]["name"] == "tea"
    assert doc["crisis"] == [{"category": "self-harm", "typed": "self-harm"}]
    assert doc["clinician_flag"] is True
    assert doc["daily_max"]["max_mg"] == 4.0


# --- a profile without a drug -----------------------------------------------------------------


def test_recognise_reports_unknown_and_crisis_across_the_catalogue() -> None:
    found = recognise(
        CATALOGUE,
        agents=["Percocet", "zolpidem", "wonderpill"],
        conditions=["sleep apnoea", "glaucoma", "epilepsey", "kill myself"],
    )
    assert [(u.name, u.field, u.suggestion) for u in found.unknown] == [
        ("wonderpill", "agent", None),
        ("epilepsey", "condition", "epilepsy"),
    ]
    assert [m.category for m in found.crisis] == ["suicidal thoughts"]


@given(st.lists(crisis_phrases, min_size=1, max_size=3))
def test_every_crisis_phrase_is_known_to_recognise(phrases: list[tuple[str, str]]) -> None:
    found = recognise(CATALOGUE, conditions=[p for _, p in phrases])
    assert found.unknown == ()
    assert {m.category for m in found.crisis} == {c for c, _ in phrases}


def test_crisis_phrases_cover_the_three_kinds() -> None:
    assert set(CRISIS_PHRASES) == {"suicidal thoughts", "self-harm", "seizure"}
