"""FHIR import of the PHQ-9 and GAD-7: each response, and the Observations that repeat it.

A QuestionnaireResponse holds a questionnaire's answers: taperline stores those, and scores
them again. The Observations the export writes beside it (the panel, the total and PHQ-9
item 9, LOINC 44249-1 / 44261-6 / 44260-8, GAD-7 69737-5 / 70274-6) repeat what the answers
say for systems that read Observations. An import reads them too, only to check them: each
must name its response in ``derivedFrom`` and say what the response says. An Observation
without its response, or one that says another thing (a total that is not the answers' sum,
an item 9 of another answer), refuses the bundle (nothing imported) naming the Observation:
the answers are what taperline keeps, and an Observation passed over could be the one meant.
PHQ-9 item 9 is the safety item [clinical-basis.md, Journal instruments; KROENKE-2001]: a
refusal where either side says it was above 0 carries the crisis message, so the person
importing hears it even though nothing is stored.

A PHQ-9 retaken the same day with a higher answer to item 9 replaced the day's answers; the
export writes each earlier answer set as a response of its own, linked both ways by the
extensions :data:`REPLACES` and :data:`REPLACED_BY` (``export._add_score``).
:func:`kept_scores` reads them back as the day's score's ``replaced`` answers, never as a
second score of the day.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Final

from taperline.adapters.fhir.codes import (
    _QUESTIONNAIRES,
    _SCORE_INSTRUMENTS,
    EXTENSION_BASE,
    GAD7_PANEL,
    GAD7_TOTAL,
    LOINC,
    LOINC_ANSWERS,
    LOINC_ITEMS,
    ORDINAL_VALUE,
    PHQ9_ITEM9,
    PHQ9_PANEL,
    PHQ9_TOTAL,
)
from taperline.adapters.fhir.common import Json
from taperline.adapters.fhir.reading import _about, _aware, _coding, _date, _once, _Res
from taperline.core.findings import crisis_message
from taperline.core.instruments import (
    InstrumentScore,
    retake_replaces,
    score_gad7,
    score_phq9,
)
from taperline.errors import InputError

#: What each score Observation is, in an error message.
_NAMES: Final = {
    PHQ9_PANEL: "PHQ-9 panel",
    PHQ9_TOTAL: "PHQ-9 total score",
    PHQ9_ITEM9: "PHQ-9 item 9 (thoughts of death or self-harm)",
    GAD7_PANEL: "GAD-7 panel",
    GAD7_TOTAL: "GAD-7 total score",
}
_SCORES: Final = {answer: score for score, (answer, _) in enumerate(LOINC_ANSWERS)}
_TEXTS: Final = {score: text for score, (_, text) in enumerate(LOINC_ANSWERS)}
_NOTHING: Final = "nothing was imported"
_SAFETY_ITEM: Final = 9  # PHQ-9 item 9: thoughts of death or self-harm
_HISTORY: Final = re.compile(r"/_history/[^/]+$")
#: On the day's response in force: each answer set of that day it replaced, oldest first
#: (a ``valueReference`` to a QuestionnaireResponse of the bundle).
REPLACES: Final = f"{EXTENSION_BASE}/questionnaire-replaces"
#: On a replaced answer set: the day's response that replaced it (a ``valueReference``).
REPLACED_BY: Final = f"{EXTENSION_BASE}/questionnaire-replaced-by"


def read_score(res: _Res) -> InstrumentScore:
    """A PHQ-9 / GAD-7 response, as written now or before 2026-12-03.

    Now: LOINC's canonical, each item's ``linkId`` ``/`` and its LOINC code, its answer
    LOINC's answer code (its ordinalValue, when given, must be that answer's score). Before:
    taperline's canonical, ``linkId`` the item number (1-9, 1-7) and a ``valueInteger``
    answer.
    """
    canonical = str(res.need("questionnaire"))
    instrument = _QUESTIONNAIRES.get(canonical)
    if instrument is None:
        raise res.fail("questionnaire", f"{canonical!r} is not the PHQ-9 or GAD-7")
    try:
        return _answered(res, instrument)
    except InputError as error:  # whatever is wrong, an item 9 above 0 is never passed over
        said = _item9_answered(res) if instrument == "PHQ-9" else None
        raise InputError(f"{error}{_crisis(said)}") from None


def _answered(res: _Res, instrument: str) -> InstrumentScore:
    answers: dict[int, int] = {}
    for index, item in enumerate(res.data.get("item") or []):
        where = f"item.{index}"
        number = _item_number(res, where, instrument, item)
        if number in answers:  # never the last answer of two in silence (item 9: self-harm)
            raise res.fail(f"{where}.linkId", f"answers item {number} a second time")
        answers[number] = _item_answer(res, where, item)
    authored = res.data.get("authored")
    taken_on = _date(res, "authored", str(authored)) if authored else None
    scorer = score_phq9 if instrument == "PHQ-9" else score_gad7
    with _about(res.label):
        return scorer([answers[n] for n in sorted(answers)], taken_on)


def _item9_answered(res: _Res) -> int | None:
    """The highest answer a response gives item 9 in any form it may be written in, or None.

    Read only to add the crisis line to a refusal: a linkId of 9 (``09`` too) or PHQ-9 item
    9's LOINC code, and an answer as a LOINC answer code or any number.
    """
    said = [
        value
        for item in res.data.get("item") or []
        if isinstance(item, dict) and _names_item9(str(item.get("linkId") or ""))
        for answer in item.get("answer") or []
        if isinstance(answer, dict) and (value := _any_value(answer)) is not None
    ]
    return max(said, default=None)


def _names_item9(link: str) -> bool:
    number = _SAFETY_ITEM
    return (link.isascii() and link.isdigit() and int(link) == number) or link.endswith(PHQ9_ITEM9)


def _any_value(given: Json) -> int | None:
    """A number in an answer or Observation value of any form (None: none read)."""
    for key in ("valueInteger", "valueDecimal"):
        if isinstance(given.get(key), int | float):
            return int(given[key])
    quantity = given.get("valueQuantity")
    if isinstance(quantity, dict) and isinstance(quantity.get("value"), int | float):
        return int(quantity["value"])
    for key in ("valueCoding", "valueCodeableConcept"):
        value = given.get(key)
        if not isinstance(value, dict):
            continue
        codings = [value] if key == "valueCoding" else list(value.get("coding") or [])
        found = [_SCORES[c["code"]] for c in codings if c.get("code") in _SCORES]
        if found:
            return max(found)
    return None


def _item_number(res: _Res, where: str, instrument: str, item: Json) -> int:
    """The item a ``linkId`` names: its number (``"9"``, ``"09"``) or ``/`` and its LOINC code.

    A number outside the instrument's items is refused, never sorted into place: PHQ-9's
    "10" (the unscored difficulty question) beside items 1-8 was once stored as item 9.
    """
    link = str(item.get("linkId") or "")
    codes = LOINC_ITEMS[instrument]
    if link.isascii() and link.isdigit():
        if 1 <= int(link) <= len(codes):
            return int(link)
        raise res.fail(
            f"{where}.linkId",
            f"{link!r} is not a {instrument} item number: its items are 1-{len(codes)}, each"
            f" answered under its own number (a question outside them is not read: leave it"
            f" out); {_NOTHING}",
        )
    if link.startswith("/") and link[1:] in codes:
        return codes.index(link[1:]) + 1
    raise res.fail(
        f"{where}.linkId", f"{link!r} is neither an item number nor a {instrument} LOINC item"
    )


def _item_answer(res: _Res, where: str, item: Json) -> int:
    given = _once(res, f"{where}.answer", item.get("answer") or []) or {}
    if given.get("valueInteger") is not None:
        return int(given["valueInteger"])
    coding = given.get("valueCoding")
    if not isinstance(coding, dict):
        raise res.fail(f"{where}.answer", "needs a valueCoding (or valueInteger) answer")
    return _coded_score(res, f"{where}.answer.valueCoding", coding)


def _coded_score(res: _Res, where: str, coding: Json) -> int:
    """The score 0-3 of LOINC's answer code (its ordinalValue, when given, must agree)."""
    code = coding.get("code")
    if coding.get("system") != LOINC or code not in _SCORES:
        raise res.fail(
            where, f"{coding.get('system')}#{code} is not a LOINC answer ({', '.join(_SCORES)})"
        )
    for extension in coding.get("extension") or []:
        if extension.get("url") == ORDINAL_VALUE and extension.get("valueDecimal") != _SCORES[code]:
            raise res.fail(
                where,
                f"ordinalValue {extension.get('valueDecimal')!r} is not {code}'s score"
                f" {_SCORES[code]}",
            )
    return _SCORES[code]


# --- a retake's replaced answers ---------------------------------------------------------------


def kept_scores(
    responses: Sequence[_Res], by_url: Mapping[str, _Res], scores: Mapping[int, InstrumentScore]
) -> tuple[InstrumentScore, ...]:
    """The day's scores, each with the answers it replaced (a replaced response is not one).

    ``scores`` holds each response's score by ``id`` of its resource. A response naming
    earlier answers in :data:`REPLACES` keeps them, in that order, as its ``replaced``; each
    must be a response of the bundle of the same questionnaire and day, naming it back in
    :data:`REPLACED_BY`, with a lower answer to item 9 (only that retake replaces:
    :func:`~taperline.core.instruments.retake_replaces`). A link that says otherwise, or a
    replaced response no response names, refuses the bundle: the answers would be lost or
    read as the day's.
    """
    claimed: dict[int, _Res] = {}
    kept: list[InstrumentScore] = []
    for res in responses:
        score = scores[id(res)]
        earlier: list[tuple[int, ...]] = []
        for index, target in enumerate(_linked(res, REPLACES, by_url)):
            where = f"extension questionnaire-replaces {index}"
            theirs = scores[id(target)]
            said = max(score.items[8], theirs.items[8]) if score.instrument == "PHQ-9" else None
            back = _linked(target, REPLACED_BY, by_url)
            chained = _linked(target, REPLACES, by_url)  # its own earlier answers: lost
            if id(target) in claimed or chained or [id(r) for r in back] != [id(res)]:
                raise res.fail(
                    where,
                    f"names {target.label}, which does not name it alone in its extension"
                    f" questionnaire-replaced-by (each replaced answer set is replaced by one"
                    f" response, which names it); {_NOTHING}{_crisis(said)}",
                )
            if (theirs.instrument, theirs.taken_on) != (score.instrument, score.taken_on):
                raise res.fail(
                    where,
                    f"names {target.label}, a {theirs.instrument} of {theirs.taken_on}: a"
                    f" retake replaces the same questionnaire of the same day"
                    f" ({score.instrument} of {score.taken_on}); {_NOTHING}{_crisis(said)}",
                )
            if not retake_replaces(theirs, score):
                raise res.fail(
                    where,
                    f"names {target.label} as replaced, but only a PHQ-9 retaken with a higher"
                    f" answer to item 9 replaces the day's answers (a later answer never hides"
                    f" a higher one); {_NOTHING}{_crisis(said)}",
                )
            claimed[id(target)] = res
            earlier.append(theirs.items)
        if earlier:
            score = replace(score, replaced=tuple(earlier))
        kept.append(score)
    for res in responses:
        if id(res) in claimed:
            continue
        named = _linked(res, REPLACED_BY, by_url)
        if named:
            item9 = scores[id(res)].items[8] if scores[id(res)].instrument == "PHQ-9" else None
            raise res.fail(
                "extension questionnaire-replaced-by",
                f"names {named[0].label}, which does not name it in its extension"
                f" questionnaire-replaces: these answers would be read as the day's;"
                f" {_NOTHING}{_crisis(item9)}",
            )
    return tuple(s for s, res in zip(kept, responses, strict=True) if id(res) not in claimed)


def _linked(res: _Res, url: str, by_url: Mapping[str, _Res]) -> list[_Res]:
    """The responses of the bundle that ``res``'s extensions ``url`` name, in order."""
    found = []
    for index, extension in enumerate(
        e for e in res.data.get("extension") or [] if e.get("url") == url
    ):
        name = url.rsplit("/", 1)[-1]
        reference = (extension.get("valueReference") or {}).get("reference")
        target = by_url.get(_HISTORY.sub("", str(reference))) if reference else None
        if target is None or target.kind != "QuestionnaireResponse":
            raise res.fail(
                f"extension {name} {index}",
                f"names {reference!r}, not a QuestionnaireResponse of the bundle (a"
                f" valueReference to one); {_NOTHING}",
            )
        found.append(target)
    return found


# --- the Observations beside a response ---------------------------------------------------------


def check_score_observations(
    observations: Iterable[_Res], by_url: Mapping[str, _Res], scores: Mapping[int, InstrumentScore]
) -> None:
    """Refuse a PHQ-9 / GAD-7 Observation that is not its response's, or says something else.

    ``scores`` holds each QuestionnaireResponse's score by ``id`` of its resource. Item 9
    Observations are checked first: the first refusal names the safety item when it is wrong.
    """
    found = [r for r in observations if _score_code(r) is not None]
    seen: set[tuple[int, str]] = set()
    for res in sorted(found, key=lambda r: _score_code(r) != PHQ9_ITEM9):
        code = str(_score_code(res))
        said = _item9_said(res) if code == PHQ9_ITEM9 else None
        response = _response_of(res, code, by_url, said)
        if (id(response), code) in seen:  # two of one kind: the one passed over may be meant
            raise res.fail(
                "code",
                f"LOINC {code} ({_NAMES[code]}) is a second one derived from {response.label}:"
                f" a response has one; leave the other out; {_NOTHING}",
            )
        seen.add((id(response), code))
        score = scores[id(response)]
        _check_day(res, response, score, said)
        if said is not None:
            _check_item9(res, response, score.items[8], said)
        elif code in {PHQ9_TOTAL, GAD7_TOTAL}:
            _check_total(res, response, score)
        else:
            _check_panel(res)


def _score_code(res: _Res) -> str | None:
    system, code = _coding(res.data.get("code"))
    return code if system == LOINC and code in _SCORE_INSTRUMENTS else None


def _response_of(res: _Res, code: str, by_url: Mapping[str, _Res], said: int | None) -> _Res:
    """The one QuestionnaireResponse of the bundle the Observation is derived from."""
    instrument = _SCORE_INSTRUMENTS[code]
    # a server's versioned reference (QuestionnaireResponse/qr1/_history/1) names the same one
    named = [_HISTORY.sub("", str(d.get("reference"))) for d in res.data.get("derivedFrom") or []]
    responses = [
        by_url[ref]
        for ref in named
        if ref in by_url and by_url[ref].kind == "QuestionnaireResponse"
    ]
    if not responses:
        raise res.fail(
            "derivedFrom",
            f"names no QuestionnaireResponse in the bundle, so this LOINC {code}"
            f" ({_NAMES[code]}) is not read: taperline keeps a {instrument} as its answers,"
            f" never as an Observation alone. Add the {instrument} QuestionnaireResponse it"
            f" comes from (every item answered) and name it in derivedFrom; {_NOTHING}"
            f"{_crisis(said)}",
        )
    if len(responses) > 1:
        raise res.fail("derivedFrom", f"names {len(responses)} responses: it must name one")
    response = responses[0]
    theirs = _QUESTIONNAIRES.get(str(response.data.get("questionnaire")))
    if theirs != instrument:
        raise res.fail(
            "derivedFrom",
            f"names {response.label}, a {theirs}: a LOINC {code} ({_NAMES[code]}) comes from a"
            f" {instrument}; {_NOTHING}",
        )
    return response


def _item9_said(res: _Res) -> int:
    """What an item 9 Observation says: LOINC's answer code, or (before) a valueInteger."""
    if res.data.get("valueInteger") is not None:
        return int(res.data["valueInteger"])
    concept = res.data.get("valueCodeableConcept")
    if not isinstance(concept, dict):
        raise res.fail(
            "valueCodeableConcept",
            f"is missing: an item 9 Observation says the answer as LOINC's answer code; {_NOTHING}"
            f"{_crisis(_any_value(res.data))}",
        )
    codings = [c for c in concept.get("coding") or [] if c.get("system") == LOINC]
    coding = _once(res, "valueCodeableConcept.coding (LOINC)", codings)
    if coding is None:
        raise res.fail("valueCodeableConcept", f"has no LOINC answer code; {_NOTHING}")
    return _coded_score(res, "valueCodeableConcept.coding", coding)


def _check_item9(res: _Res, response: _Res, answered: int, said: int) -> None:
    if said != answered:
        raise res.fail(
            "value",
            f"says {_NAMES[PHQ9_ITEM9]}, LOINC {PHQ9_ITEM9}, was {_answer(said)}, but"
            f" {response.label}, which it is derived from, answers item 9 {_answer(answered)}:"
            f" the two must agree. Correct the one that is wrong and import again; {_NOTHING}"
            f"{_crisis(max(said, answered))}",
        )


def _check_day(res: _Res, response: _Res, score: InstrumentScore, said: int | None) -> None:
    """An Observation's day (``effectiveDateTime``, when given) is its response's."""
    effective = res.data.get("effectiveDateTime")
    if effective is None or score.taken_on is None:
        return
    text = str(effective)
    # a date, or a date-time whose day is the one written (its own offset's, as authored's)
    day = (
        _aware(res, "effectiveDateTime", text).date()
        if "T" in text
        else _date(res, "effectiveDateTime", text)
    )
    if day != score.taken_on:
        code = str(_score_code(res))
        item9 = max(said or 0, score.items[8] if score.instrument == "PHQ-9" else 0)
        raise res.fail(
            "effectiveDateTime",
            f"{day.isoformat()} (LOINC {code}, {_NAMES[code]}) is not the day of"
            f" {response.label}, which it is derived from ({score.taken_on.isoformat()}):"
            f" the two must agree. Correct the one that is wrong and import again; {_NOTHING}"
            f"{_crisis(item9 or None)}",
        )


def _check_total(res: _Res, response: _Res, score: InstrumentScore) -> None:
    code = str(_score_code(res))
    total = res.data.get("valueInteger")
    if total is None:
        raise res.fail("valueInteger", f"is missing: a LOINC {code} ({_NAMES[code]}) has one")
    if total != score.total:
        raise res.fail(
            "valueInteger",
            f"{total!r} (LOINC {code}, {_NAMES[code]}) is not the sum of the answers of"
            f" {response.label}, which it is derived from ({score.total}): the total and the"
            f" answers must agree. Correct the one that is wrong and import again; {_NOTHING}",
        )
    for index, reading in enumerate(res.data.get("interpretation") or []):
        text = reading.get("text")
        if text is not None and str(text).casefold() != score.band:
            raise res.fail(
                f"interpretation.{index}.text",
                f"{text!r} is not the band of the total {score.total} ({score.band!r}); {_NOTHING}",
            )


def _check_panel(res: _Res) -> None:
    given = sorted(name for name in res.data if name.startswith("value"))
    if given:
        code = str(_score_code(res))
        raise res.fail(
            given[0],
            f"is given on a LOINC {code} ({_NAMES[code]}), which holds no value (its total is"
            f" an Observation of its own): it would not be read; leave it out; {_NOTHING}",
        )


def _answer(score: int) -> str:
    text = _TEXTS.get(score)
    return f"{text!r} ({score})" if text else repr(score)


def _crisis(item9: int | None) -> str:
    """The crisis message for a refusal where item 9 was said to be above 0 (else nothing)."""
    if item9 is None or item9 <= 0:
        return ""
    return f". It says item 9 (thoughts of death or self-harm) was above 0: {crisis_message()}"
