"""Crisis words (rule 6): suicidal thoughts, self-harm and seizures as events, in any free text."""

from __future__ import annotations

import functools
import itertools
from typing import Final

from taperline.core.screening.model import (
    CRISIS_PHRASES,
    CRISIS_SOURCES,
    CRISIS_WHAT,
    NOT_AN_EVENT_PHRASES,
    SEIZURE_DENIED_AFTER,
    SEIZURE_DENIED_BEFORE,
    SEIZURE_DISORDER_PHRASES,
    SEIZURE_FREE_PHRASES,
    SEIZURE_TOLD_AFTER_WORDS,
    CrisisCategory,
    CrisisMatch,
    RegimenIssue,
)
from taperline.core.words import BREAKS, PhraseIndex, phrase_key, spans, tokens

#: A format character the tokens drop (a soft hyphen): put for a zero-width break to read
#: the text with the break as nothing ("sui\u200bcide"), keeping every position.
_JOINER: Final = "\u00ad"

# Crisis phrases -> their category; the phrases that hide seizure words -> None.
_CRISIS_INDEX: Final[PhraseIndex[CrisisCategory | None]] = PhraseIndex(
    [
        *((p, category) for category, phrases in CRISIS_PHRASES.items() for p in phrases),
        *((p, None) for p in (*SEIZURE_DISORDER_PHRASES, *NOT_AN_EVENT_PHRASES)),
    ]
)
_SEIZURE: Final = "seizure"
_SEIZURE_FREE_INDEX: Final[PhraseIndex[bool]] = PhraseIndex((p, True) for p in SEIZURE_FREE_PHRASES)
_DENIED_BEFORE: Final = frozenset(tokens(p) for p in SEIZURE_DENIED_BEFORE)
_DENIED_AFTER: Final = frozenset(tokens(p) for p in SEIZURE_DENIED_AFTER)
_OR: Final = frozenset({("or",), ()})  # what may stand between two seizure words denied


# Everyday words: a pre-filter on them alone would let most text through.
_COMMON: Final = frozenset(
    {
        "all", "better", "burn", "burning", "cut", "cutting", "dead", "death", "die", "do", "don",
        "dont", "dying", "end", "ending", "had", "harm", "having", "hurt", "hurting", "it", "life",
        "live", "my", "myself", "no", "not", "of", "off", "own", "reason", "self", "take",
        "taking", "thoughts", "to", "want", "wanting", "was", "were", "wish", "be", "an", "took",
        "worth", "living", "isn", "isnt", "rather",
    }
)  # fmt: skip


@functools.cache
def crisis_stems() -> tuple[tuple[str, ...], ...]:
    """Text with crisis words always contains every word of at least one of these groups.

    In lower case, as substrings: a database can pre-filter free text with
    ``lower(notes) LIKE '%word%' AND ...`` for each group, OR-ed, and leave the exact match to
    :func:`crisis_matches`. Worked out on first use (about 2 ms: only the web's red-flag
    query needs it, not a journal command).

    >>> ("seizure",) in crisis_stems()
    True
    """
    entries: set[tuple[str, ...]] = set()
    for phrases in CRISIS_PHRASES.values():
        for phrase in phrases:
            words = [w for w in tokens(phrase) if len(w) > 1]
            rare = [w for w in words if w not in _COMMON]
            entries.add((max(rare, key=len),) if rare else tuple(sorted(set(words))))
    # an entry whose words include all of a shorter entry's adds nothing
    return tuple(
        sorted(
            e
            for e in entries
            if not any(o != e and all(any(w in x for x in e) for w in o) for o in entries)
        )
    )


@functools.lru_cache(maxsize=4096)
def crisis_matches(text: str) -> tuple[CrisisMatch, ...]:
    """Suicidal-thought, self-harm and seizure words in free text, as typed (rule 6).

    Kept per text (the answer is immutable): a dashboard built again reads every note of
    the journal twice (its findings and its red flags), a year of notes 730 scans.

    >>> [(m.category, m.typed) for m in crisis_matches("Epilepsy; had a SEIZURE, want to die")]
    [('seizure', 'SEIZURE'), ('suicidal thoughts', 'want to die')]
    >>> crisis_matches("seizure disorder, well controlled; a benefit")
    ()
    >>> [m.typed for m in crisis_matches("sui\u200bcide; kill\u200bmyself")]  # both readings
    ['kill\u200bmyself', 'sui\u200bcide']
    """
    readings = [text]
    if any(c in text for c in BREAKS):  # also read with the zero-width breaks as nothing
        readings.append("".join(_JOINER if c in BREAKS else c for c in text))  # same length
    found = [m for reading in readings for m in _read(reading, text)]
    if all(denies_seizures(reading) for reading in readings):  # only the seizure words
        found = [m for m in found if m.category != _SEIZURE]
    return tuple(dict.fromkeys(found))


def _read(reading: str, text: str) -> list[CrisisMatch]:
    """The crisis words of one reading of ``text`` (of the same length), as typed in ``text``.

    A seizure-free phrase with a seizure told after it ("seizure-free for a year until last
    night") is a seizure, when no other seizure word is.
    """
    places = spans(reading)
    matches = _CRISIS_INDEX.find(reading)

    def typed(first: int, last: int) -> str:
        return text[places[first].start : places[last - 1].end]

    found = [
        CrisisMatch(t, typed(m.first, m.last)) for m in matches for t in m.targets if t is not None
    ]
    if any(m.category == _SEIZURE for m in found):
        return found
    words = tokens(reading)
    broken = next(
        (
            m
            for m in _SEIZURE_FREE_INDEX.find(reading)
            if SEIZURE_TOLD_AFTER_WORDS.intersection(words[m.last :])
        ),
        None,
    )
    if broken is None:
        return found
    return [*found, CrisisMatch(_SEIZURE, typed(broken.first, broken.last))]


def seizure_free_then_told(first: str, second: str) -> bool:
    """Whether ``second``, read after ``first``, may tell of a seizure its "no seizures" denies.

    ``first`` says there were no seizures (a seizure-free phrase, or :func:`denies_seizures`)
    and ``second`` has a word that tells of one since (:data:`SEIZURE_TOLD_AFTER_WORDS`).

    >>> seizure_free_then_told("seizure-free for a year", "until last night")
    True
    >>> seizure_free_then_told("seizure-free for a year", "on lamotrigine")
    False
    """
    said = denies_seizures(first) or bool(_SEIZURE_FREE_INDEX.find(first))
    return said and bool(SEIZURE_TOLD_AFTER_WORDS.intersection(tokens(second)))


def denies_seizures(text: str) -> bool:
    r"""Whether all of ``text`` is a denial of seizures, as in a review of systems.

    A clinician's denial word just before the seizure words ("denies seizures", "negative for
    seizures": :data:`SEIZURE_DENIED_BEFORE`) or an answer after them ("Seizures: no",
    "Seizures, no", "Seizures - denies": :data:`SEIZURE_DENIED_AFTER`), and nothing else: a
    word told after ("denies seizures until last night"), another crisis word or a seizure
    disorder keep the red flag, and so does a person's own "no seizures". A denial is one
    clause: a sentence end, a line break, a semicolon or a question mark in any script
    anywhere in ``text`` keeps the red flag ("Denies seizures. Had a fit.", "Seizures: no?"),
    but for a single full stop ending it ("Seizures: no.").
    Only seizure words are ever denied: suicidal thoughts and self-harm always get the
    crisis message (a false alarm costs less than a missed one).

    >>> [denies_seizures(t) for t in ("denies seizures", "Seizures: no", "Seizures - denies")]
    [True, True, True]
    >>> [denies_seizures(t) for t in ("Denies, had a seizure", "Seizures: no?", "no seizures",
    ...                               "denies seizures today", "denies suicidal thoughts")]
    [False, False, False, False, False]
    >>> [denies_seizures(t) for t in ("Seizures: no.", "Denies seizures. Had a fit.",
    ...                               "denies seizures\nhad a fit", "Seizures: no\uff1f")]
    [True, False, False, False]
    """
    if _breaks_clause(text):
        return False
    matches = _CRISIS_INDEX.find(text)
    if not matches or any(m.targets != (_SEIZURE,) for m in matches):
        return False
    words = tokens(text)
    first, last = matches[0].first, matches[-1].last
    gaps = (words[a.last : b.first] for a, b in itertools.pairwise(matches))
    if any(gap not in _OR for gap in gaps):
        return False
    before, after = words[:first], words[last:]
    if not before:
        return after in _DENIED_AFTER
    if after or before not in _DENIED_BEFORE:
        return False
    places = spans(text)  # "denies seizures", not "Denies, had a seizure"
    return all(
        not text[a.end : b.start].strip() for a, b in itertools.pairwise(places[: first + 1])
    )


#: What ends a clause (ASCII): a sentence end, a line break, a semicolon, a question mark.
_CLAUSE_ENDS: Final = frozenset(".!?;\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029")
#: ... and the Unicode names of the other scripts' ones (the word folding keeps punctuation as
#: typed: U+FF1F full-width, U+061F Arabic, U+00BF inverted, U+3002 ideographic).
_CLAUSE_END_NAMES: Final = (
    "QUESTION MARK", "FULL STOP", "EXCLAMATION MARK", "SEMICOLON", "INTERROBANG", "DANDA",
    "LINE SEPARATOR", "PARAGRAPH SEPARATOR",
)  # fmt: skip


@functools.cache
def _ends_clause(char: str) -> bool:
    """Whether ``char`` ends a clause, in any script (its compatibility form too: U+FF1F)."""
    if char in _CLAUSE_ENDS:
        return True
    if char.isascii():
        return False
    import unicodedata  # only for text that is not ASCII

    if any(c in _CLAUSE_ENDS for c in unicodedata.normalize("NFKC", char)):
        return True
    name = unicodedata.name(char, "")
    return any(end in name for end in _CLAUSE_END_NAMES)


def _breaks_clause(text: str) -> bool:
    r"""Whether ``text`` is more than one clause: it holds a clause end (:func:`_ends_clause`).

    A single full stop at its very end (after spaces only) is the end of the one clause.

    >>> [_breaks_clause(t) for t in ("Seizures: no. ", "no..", "no. Had one", "no\u061f")]
    [False, True, True, True]
    """
    body = text
    while body and body[-1].isspace() and not _ends_clause(body[-1]):
        body = body[:-1]
    if body.endswith("."):
        body = body[:-1]
    return any(_ends_clause(c) for c in body)


def crisis_terms(text: str) -> tuple[str, ...]:
    """The crisis words found in free text, as typed, each once ("" -> ()).

    >>> crisis_terms("Self-harm last week; had a fit"), crisis_terms("")
    (('Self-harm', 'had a fit'), ())
    """
    return tuple(dict.fromkeys(m.typed for m in crisis_matches(text)))


def _crisis_finding(
    match: CrisisMatch, item: str, local_emergency: str, *, condition: bool
) -> RegimenIssue:
    from taperline.core.findings import crisis_message  # findings imports this module

    place = "as a condition" if condition else "among your medicines"
    words = "" if phrase_key(match.typed) == phrase_key(item) else f" (“{match.typed}”)"
    text = (
        f"You wrote “{item}” {place}{words}: {CRISIS_WHAT[match.category]} Please tell your "
        f"prescriber today, and make no dose change on your own. {crisis_message(local_emergency)}"
    )
    if condition and match.category == "seizure":
        text += (
            " If you meant a seizure disorder (epilepsy) rather than a recent seizure, enter it "
            "as “epilepsy”."
        )
    return RegimenIssue(
        "red_flag",
        "urgent",
        text,
        CRISIS_SOURCES[match.category],
        clinician_flag=True,
        crisis=True,
    )
