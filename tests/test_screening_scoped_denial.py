"""Seizure words a clinician denies, seizures told after "seizure-free", and "Nurofen plus X".

The core rules (``core.screening``: ``crisis.denies_seizures``, ``crisis_matches``,
``recognition._seizures_said``, ``recognition.read_agents``) and the same rules through the
doors people use (``taperline check``, the web profile form and its status):

* A review of systems' denial of seizures ("denies seizures", "Seizures: no", "Seizures, no",
  "Seizures - denies") is no seizure event: no crisis, no red flag, no "unknown" warning.
  Anything told after it keeps the red flag; a person's own "no seizures" keeps it too (the
  fourth review's choice: people go on to say what happened).
* A seizure-free phrase with a seizure told after it ("seizure-free for a year until last
  night", also across a comma) is a seizure red flag [ASAM-2025, SEED-MINDED: a seizure while
  taking or tapering]; "seizure-free since 2019" stays the seizure disorder (the 20 mg
  maximum [LABEL]) without a red flag.
* Suicidal thoughts and self-harm are never denied: "denies suicidal thoughts" still gets the
  crisis message [LABEL; KROENKE-2001] (a false alarm costs less than a missed one).
* "Nurofen plus paracetamol" is two medicines; "Nurofen Plus" (its codeine, any opioid with a
  benzodiazepine a boxed warning [LABEL]) stays the product when written as its name.

A defect left is a strict xfail naming the door, the input, what happens and what should.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from taperline.cli.main import cli
from taperline.core.screening import CRISIS_PHRASES, Screening, crisis_items, crisis_matches
from taperline.core.screening.crisis import denies_seizures
from tests.support.screening import has_class, screened
from tests.support.web import Site, make_site


def _red_flags(found: Screening) -> list[str]:
    return [f.message for f in found.findings if f.kind == "red_flag"]


def _check(condition: str, *more: str) -> tuple[int, str]:
    """``taperline check clonazepam --dose 1 mg --condition <condition>`` (and ``more``)."""
    args = ["check", "clonazepam", "--dose", "1 mg", "--condition", condition, *more]
    result = CliRunner().invoke(cli, args)
    return result.exit_code, result.stdout


# --- a clinician's denial of seizures --------------------------------------------------------

#: A review of systems' answers about seizures, as pasted or typed.
DENIED = (
    "denies seizures",
    "Denies any seizures",
    "denied seizures.",
    "negative for seizures",
    "Seizures: no",
    "Seizures: No.",
    "Seizures, no",
    "Seizures - denies",
    "Seizures: none",
    "Seizures: negative",
    "Convulsions: denied",
    "- denies seizures or convulsions",
)


@pytest.mark.parametrize("text", DENIED)
def test_a_denied_seizure_is_no_red_flag_and_no_unknown(text: str) -> None:
    found = screened(conditions=(text,))
    assert not found.crisis
    assert not _red_flags(found)
    assert not found.unknown  # said and understood: not "unknown: tell your prescriber"


def test_a_denial_answered_in_the_next_entry_is_read_with_it() -> None:
    # the web form and `check --condition` cut at commas: "Seizures" and "no" come as two
    found = screened(conditions=("Seizures", "no"))
    assert not found.crisis
    assert not found.unknown


#: What keeps the red flag: a word told after the denial, a doubt, a denial word not next to
#: the seizure words, a person's own "no seizures" (each would be a missed seizure if read as
#: a denial).
NOT_DENIED = (
    "denies seizures until last night",
    "denies seizures since Monday",
    "denies seizures today",
    "Seizures: no, had one last night",
    "denies seizures, one yesterday",
    "Seizures - denies, but a fit on Monday",
    "denies seizures; seizure today",
    "Seizures: no?",
    "?denies seizures",
    "Denies, had a seizure",
    "Seizures: yes",
    "Seizures: no longer",
    "Seizure, new",
    "no seizures",
    "never had a seizure",
    "no seizures since the fit on Monday",
    "Epilepsy - no seizures for 2 years",
    "Review of systems: denies seizures",
)


@pytest.mark.parametrize("text", NOT_DENIED)
def test_a_seizure_not_wholly_denied_stays_a_red_flag(text: str) -> None:
    found = screened(conditions=(text,))
    assert [m.category for m in found.crisis][:1] == ["seizure"]
    assert _red_flags(found)


def test_a_denied_seizure_leaves_the_seizure_disorder_of_another_item() -> None:
    found = screened(conditions=("Epilepsy", "Seizures: no"))
    assert found.indication == "seizure"
    assert not found.crisis


def test_a_denial_is_read_in_both_readings_of_a_zero_width_space() -> None:
    # "sei\u200bzures" is read as "sei zures" and as "seizures": a denial only if both deny
    assert crisis_matches("denies sei\u200bzures")


# --- suicidal thoughts and self-harm are never denied ----------------------------------------

NEVER_DENIED = (
    ("denies suicidal thoughts", "suicidal thoughts"),
    ("Suicidal thoughts: no", "suicidal thoughts"),
    ("Suicidal ideation, denies", "suicidal thoughts"),
    ("no suicidal thoughts", "suicidal thoughts"),
    ("negative for suicidal ideation", "suicidal thoughts"),
    ("denies self-harm", "self-harm"),
    ("Self-harm: no", "self-harm"),
    ("denies seizures or suicidal thoughts", "suicidal thoughts"),
)


@pytest.mark.parametrize(("text", "category"), NEVER_DENIED)
def test_a_denied_suicidal_thought_or_self_harm_still_gets_the_crisis_message(
    text: str, category: str
) -> None:
    assert category in {m.category for m in crisis_matches(text)}
    found = screened(conditions=(text,), agents=(text,))
    assert category in {m.category for m in found.crisis}
    crisis = [f for f in found.findings if f.crisis]
    assert crisis
    assert all(f.severity == "urgent" and f.clinician_flag for f in crisis)
    assert all("emergency" in f.message for f in crisis)


def test_a_denied_seizure_beside_suicidal_thoughts_keeps_both() -> None:
    categories = {m.category for m in crisis_matches("denies seizures or suicidal thoughts")}
    assert categories == {"seizure", "suicidal thoughts"}


_SUICIDE_OR_SELF_HARM = st.sampled_from(
    [*CRISIS_PHRASES["suicidal thoughts"], *CRISIS_PHRASES["self-harm"]]
)
_DENIAL_WORDS = st.sampled_from(
    ["denies", "denied", "no", "none", "not", "never", "negative", "negative for", "nil",
     "absent", "without", "any", "seizures", "seizure-free", "no seizures", "Seizures: no",
     "free of", "", "?"]
)  # fmt: skip
_GLUE = st.sampled_from([" ", ": ", " - ", ", ", "; ", ". ", "\n", " / "])


@given(
    phrase=_SUICIDE_OR_SELF_HARM,
    before=st.lists(st.tuples(_DENIAL_WORDS, _GLUE), max_size=3),
    after=st.lists(st.tuples(_GLUE, _DENIAL_WORDS), max_size=3),
)
def test_suicide_and_self_harm_words_get_the_crisis_message_whatever_denial_surrounds_them(
    phrase: str, before: list[tuple[str, str]], after: list[tuple[str, str]]
) -> None:
    text = "".join(w + g for w, g in before) + phrase + "".join(g + w for g, w in after)
    category = next(c for c, phrases in CRISIS_PHRASES.items() if phrase in phrases)
    assert not denies_seizures(phrase)
    assert category in {m.category for m in crisis_matches(text)}
    assert category in {m.category for m in screened(conditions=(text,)).crisis}


# --- a seizure told after "seizure-free" -----------------------------------------------------

TOLD_AFTER = (
    "seizure-free for a year until last night",
    "seizure-free for a year, until last night",
    "Seizure free except one last week",
    "seizure free till yesterday",
    "Epilepsy, seizure-free for 2 years, but had one today",
    "no fits until yesterday",
)


@pytest.mark.parametrize("text", TOLD_AFTER)
def test_a_seizure_told_after_seizure_free_is_a_red_flag(text: str) -> None:
    found = screened(conditions=(text,))
    assert [m.category for m in found.crisis] == ["seizure"]
    assert _red_flags(found)


@pytest.mark.parametrize(
    "text",
    [
        "seizure-free",
        "Epilepsy, seizure-free since 2019",
        "epilepsy - seizure free for 2 years on lamotrigine",
        "Epilepsy, seizure-free, panic attacks",
    ],
)
def test_a_seizure_free_epilepsy_is_the_indication_without_a_red_flag(text: str) -> None:
    found = screened(conditions=(text,))
    assert found.indication == "seizure"
    assert not found.crisis


def test_crisis_items_reads_a_profile_s_entries_as_the_screen_does() -> None:
    entries = ["Seizures", "no", "seizure-free for a year", "until last night", "panic"]
    assert [item for item, _ in crisis_items(entries)] == [
        "seizure-free for a year, until last night"
    ]


# --- the doors: taperline check --------------------------------------------------------------


def test_check_gives_the_crisis_message_for_a_seizure_told_after_seizure_free() -> None:
    code, out = _check("seizure-free for a year until last night")
    assert code == 1
    assert out.startswith("If you are in danger, get help now")
    assert "red_flag" in out


@pytest.mark.parametrize("condition", ["denies seizures", "Seizures, no", "Seizures - denies"])
def test_check_gives_no_crisis_message_for_a_denied_seizure(condition: str) -> None:
    code, out = _check(condition)
    assert "get help now" not in out
    assert "red_flag" not in out
    assert "unknown" not in out
    assert code == 0


def test_check_gives_the_crisis_message_for_a_denied_suicidal_thought() -> None:
    code, out = _check("denies suicidal thoughts")
    assert code == 1
    assert out.startswith("If you are in danger, get help now")


def test_check_reads_nurofen_plus_paracetamol_as_two_medicines() -> None:
    _, out = _check("gout", "--with", "Nurofen plus paracetamol")
    assert "opioid" not in out.lower()
    _, out = _check("gout", "--with", "Nurofen Plus")
    assert "opioid" in out.lower()


# --- the doors: the web profile form and its status ------------------------------------------


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    with make_site(tmp_path) as made:
        yield made


def _status_red_flags(site: Site, conditions: str) -> list[str]:
    """The urgent red flags ``/api/status`` gives a patient who signed up with ``conditions``."""
    web = site.patient(conditions=conditions)  # a new site for each test: one patient
    findings = web.get("/api/status").json()["findings"]
    return [f["message"] for f in findings if f["kind"] == "red_flag"]


@pytest.mark.parametrize("conditions", ["denies seizures", "Seizures - denies"])
def test_the_web_status_gives_no_red_flag_for_a_denied_seizure(site: Site, conditions: str) -> None:
    assert not _status_red_flags(site, conditions)


@pytest.mark.parametrize(
    "conditions", ["seizure-free for a year until last night", "denies suicidal thoughts"]
)
def test_the_web_status_gives_a_red_flag_for_a_seizure_told_or_a_suicidal_thought(
    site: Site, conditions: str
) -> None:
    assert _status_red_flags(site, conditions)


def test_the_web_status_reads_a_denial_across_a_comma(site: Site) -> None:
    assert not _status_red_flags(site, "Seizures, no")


@pytest.mark.parametrize(
    "conditions",
    ["seizure-free for a year, until last night", "denies seizures, had one last night"],
)
def test_the_web_status_reads_a_seizure_told_after_a_comma(site: Site, conditions: str) -> None:
    assert _status_red_flags(site, conditions)


# --- "Nurofen plus paracetamol" ----------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Nurofen plus paracetamol",
        "Nurofen plus 2 paracetamol",
        "Nurofen plus ibuprofen",
        "nurofen plus acetaminophen 500 mg",
    ],
)
def test_a_common_medicine_after_a_lower_case_plus_is_its_own_item(text: str) -> None:
    found = screened(agents=(text,))
    assert not has_class(found, "opioids")
    assert len(found.unknown) == 2  # two medicines, neither in the catalogue: ask a pharmacist


@pytest.mark.parametrize(
    "text",
    [
        "Nurofen Plus",
        "Nurofen Plus tablets",
        "Nurofen plus",
        "Nurofen Plus paracetamol",  # written as the product's name: its codeine kept
        "Nurofen-plus paracetamol",
        "NUROFEN PLUS PARACETAMOL",
    ],
)
def test_the_product_written_as_its_name_stays_codeine(text: str) -> None:
    assert has_class(screened(agents=(text,)), "opioids")
