"""A denial of seizures is one clause, and a seizure told anywhere after it is a seizure.

The fifth review's defects (tests/test_today_fifth_review.py, section 1 and the sleep window's
words), read as rules [docs/clinical-basis.md: a seizure while tapering is a red flag; sleep
restriction is not given with high fall risk, untreated sleep apnea or pregnancy]:

* ``core.screening.crisis.denies_seizures``: a sentence end, a line break, a semicolon or a
  question mark in any script inside or after the denial keeps the red flag; a single full
  stop ending it does not ("Seizures: no.").
* ``core.screening.recognition``: a denial followed anywhere later in the conditions, across
  any separator or entry, by an item with a word that tells of a seizure is a seizure; the
  screen (``taperline check``) and :func:`crisis_items` (the profile's red flags) agree.
* ``core.sleep_course.contraindications_in``: "back" after a fall word is a fall unless sleep
  follows; "falling" is a fall word unless sleep follows; a sleep apnea device not in use is
  untreated; pregnancy misspelt or told as a baby due is pregnancy.
"""

from __future__ import annotations

from typing import Final

import pytest
from hypothesis import given
from hypothesis import strategies as st

from taperline.core.screening import crisis_items, crisis_matches
from taperline.core.screening.model import CRISIS_PHRASES
from taperline.core.sleep_course import contraindications_in
from tests.support.screening import screened

#: Denials read as no seizure when alone (tests/test_screening_scoped_denial.py's DENIED).
DENIALS: Final = (
    "denies seizures",
    "Denies any seizures",
    "negative for seizures",
    "Seizures: no",
    "Seizures, no",
    "Seizures - denies",
    "Seizures: none",
    "Convulsions: denied",
)
#: Clause ends: sentence ends, line breaks, semicolons and question marks, in several scripts.
CLAUSE_ENDS: Final = (
    ".", "!", "?", ";", "\n", "\r\n", "\u2028", "\u2029", "\x85", "\uff1f", "\u061f", "\u00bf",
    "\u037e", "\uff1b", "\u061b", "\u3002", "\uff0e", "\uff01", "\u06d4", "\u0964", "\u2026",
    "\u203d", "\u2047", "\ufe56", "...",
)  # fmt: skip
#: What is told after the clause end: a seizure in its own words.
TOLD: Final = (*CRISIS_PHRASES["seizure"], "Had a fit.", "convulsions", "fits")


def _seizure(text: str) -> bool:
    return any(m.category == "seizure" for m in crisis_matches(text))


def _seizure_in_items(conditions: list[str]) -> bool:
    return any(m.category == "seizure" for _item, found in crisis_items(conditions) for m in found)


@pytest.mark.parametrize("text", DENIALS)
def test_each_denial_alone_is_no_seizure(text: str) -> None:
    assert not _seizure(text)
    assert not _seizure(f"{text}.")  # a single full stop ends the one clause
    assert not _seizure(f"{text}.  ")


@given(
    denial=st.sampled_from(DENIALS),
    end=st.sampled_from(CLAUSE_ENDS),
    space=st.sampled_from(["", " ", "  ", "\t"]),
    told=st.sampled_from(TOLD),
)
def test_a_denial_then_a_clause_end_then_a_seizure_word_is_a_seizure(
    denial: str, end: str, space: str, told: str
) -> None:
    assert _seizure(f"{denial}{end}{space}{told}")


@given(denial=st.sampled_from(DENIALS), end=st.sampled_from(CLAUSE_ENDS))
def test_a_clause_end_inside_or_after_a_denial_keeps_the_red_flag(denial: str, end: str) -> None:
    if end != ".":  # "Seizures: no." is a denial: the one exception
        assert _seizure(f"{denial}{end}")
    words = denial.split(" ", 1)
    if len(words) == 2:  # "denies. seizures", "Seizures:. no"
        assert _seizure(f"{words[0]}{end} {words[1]}")


@pytest.mark.parametrize(
    "text", ["Seizures: no..", "Seizures: no!", "denies seizures. ", "denies seizures\n"]
)
def test_more_than_a_single_full_stop_after_a_denial_keeps_the_red_flag(text: str) -> None:
    if text == "denies seizures. ":  # a single full stop, then a space: still a denial
        assert not _seizure(text)
    else:
        assert _seizure(text)


#: Items told after a denial: each has a word that tells of a seizure and no seizure word.
TOLD_ITEMS: Final = ("had one last night", "one yesterday", "again today", "had one Tuesday")
#: Items between: neither a seizure nor a told word.
FILLER: Final = st.sampled_from(["fever", "gout", "panic attacks", "insomnia", "back pain"])
SEPARATORS: Final = (", ", "; ", "\n", " and ", " / ", " & ", " + ")


@given(
    denial=st.sampled_from(DENIALS),
    between=st.lists(FILLER, max_size=3),
    told=st.sampled_from(TOLD_ITEMS),
    separator=st.sampled_from(SEPARATORS),
    entries=st.booleans(),
)
def test_a_seizure_told_anywhere_after_a_denial_is_a_seizure_on_every_door(
    denial: str, between: list[str], told: str, separator: str, entries: bool
) -> None:
    items = [denial, *between, told]
    conditions = items if entries else [separator.join(items)]
    assert _seizure_in_items(conditions)
    assert any(m.category == "seizure" for m in screened(conditions=tuple(conditions)).crisis)


@pytest.mark.parametrize(
    "conditions",
    [
        ["denies seizures", "fever"],
        ["Seizures", "no", "insomnia"],
        ["Epilepsy", "Seizures: no", "panic attacks"],
    ],
)
def test_a_denial_with_nothing_told_after_it_stays_a_denial_on_every_door(
    conditions: list[str],
) -> None:
    assert not _seizure_in_items(conditions)
    assert not screened(conditions=tuple(conditions)).crisis


def test_the_told_item_is_read_with_its_denial_as_typed() -> None:
    assert [item for item, _ in crisis_items(["denies seizures; had one last night"])] == [
        "denies seizures; had one last night"
    ]
    assert [item for item, _ in crisis_items(["Seizures: no and had one Tuesday"])] == [
        "Seizures: no and had one Tuesday"
    ]


def test_a_told_item_that_names_another_condition_is_about_that_condition() -> None:
    """'last' in 'liver disease since last year' tells of the liver disease, not a seizure
    (since 2026-12-04: a false urgent red flag for every problem list with a date after a
    denial); the condition is screened, and a seizure disorder's words are about seizures."""
    found = screened(conditions=("denies seizures", "fever", "liver disease since last year"))
    assert not any(m.category == "seizure" for m in found.crisis)
    assert any("liver" in m.name for m in found.conditions)
    flare = screened(conditions=("denies seizures", "epilepsy flare last night"))
    assert any(m.category == "seizure" for m in flare.crisis)


@given(
    phrase=st.sampled_from([*CRISIS_PHRASES["suicidal thoughts"], *CRISIS_PHRASES["self-harm"]]),
    denial=st.sampled_from(DENIALS),
    end=st.sampled_from(CLAUSE_ENDS),
)
def test_suicide_and_self_harm_words_are_kept_beside_any_denial_clause(
    phrase: str, denial: str, end: str
) -> None:
    category = next(c for c, phrases in CRISIS_PHRASES.items() if phrase in phrases)
    for text in (f"{denial}{end} {phrase}", f"{phrase}{end} {denial}", f"{denial}, {phrase}"):
        assert category in {m.category for m in crisis_matches(text)}
    assert category in {m.category for _i, f in crisis_items([denial, phrase]) for m in f}


# --- the sleep window's words ---------------------------------------------------------------

FALLS: Final = (
    "Falls (back pain)", "fell back down the stairs", "fell - back injury",
    "dizzy spells, falling over", "falling down", "keep falling", "fell back onto the floor",
)  # fmt: skip
NO_FALLS: Final = (
    "trouble falling asleep", "falling asleep at work", "fell back asleep", "fall back to sleep",
    "fell to sleep on the sofa", "can't fall back off to sleep",
)  # fmt: skip


@pytest.mark.parametrize("text", FALLS)
def test_a_fall_with_back_or_falling_is_high_fall_risk(text: str) -> None:
    assert "high fall risk" in contraindications_in([text])


@pytest.mark.parametrize("text", NO_FALLS)
def test_falling_asleep_is_no_fall(text: str) -> None:
    assert "high fall risk" not in contraindications_in([text])


@pytest.mark.parametrize(
    "text",
    [
        "OSA, CPAP machine broken",
        "sleep apnoea, not wearing my CPAP",
        "OSA - CPAP not working",
        "sleep apnea, lost my CPAP mask",
        "OSA, gave up on CPAP",
        "sleep apnoea, dont wear the CPAP",
    ],
)
def test_sleep_apnea_with_a_device_not_in_use_is_untreated(text: str) -> None:
    assert "untreated sleep apnea" in contraindications_in([text])


@pytest.mark.parametrize("text", ["sleep apnoea, on CPAP every night", "OSA treated with CPAP"])
def test_sleep_apnea_on_its_device_is_treated(text: str) -> None:
    assert "untreated sleep apnea" not in contraindications_in([text])


@pytest.mark.parametrize(
    "text", ["pregant", "Pregnent", "pregnacy", "baby due in May", "due date 3 June", "preggers"]
)
def test_pregnancy_as_people_write_it(text: str) -> None:
    assert "pregnancy" in contraindications_in([text])
