"""Crisis words (rule 6): suicidal thoughts, self-harm and seizures as events, in any free text."""

from __future__ import annotations

import functools
from typing import Final

from taperline.core.screening.model import (
    CRISIS_PHRASES,
    CRISIS_SOURCES,
    CRISIS_WHAT,
    NOT_AN_EVENT_PHRASES,
    SEIZURE_DISORDER_PHRASES,
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
    found = [
        CrisisMatch(target, match.text)
        for match in _CRISIS_INDEX.find(text)
        for target in match.targets
        if target is not None
    ]
    if any(c in text for c in BREAKS):  # also read with the zero-width breaks as nothing
        joined = "".join(_JOINER if c in BREAKS else c for c in text)  # same length
        places = spans(joined)
        found += [
            CrisisMatch(target, text[places[match.first].start : places[match.last - 1].end])
            for match in _CRISIS_INDEX.find(joined)
            for target in match.targets
            if target is not None
        ]
    return tuple(dict.fromkeys(found))


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
