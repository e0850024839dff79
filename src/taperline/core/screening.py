"""Screening: recognise medicines, drinks, conditions and crisis words, and say what they mean.

The one place that turns what a person typed (other medicines, conditions, age) into findings
for a drug: ``taperline check``, ``taperline plan``, the web pages and the API all call
:func:`screen`; the journal calls :func:`crisis_matches` on notes and profile conditions.

The rules, exactly:

1. **Words.** Names are matched as whole words (:mod:`taperline.core.words`): case, spacing,
   punctuation, hyphens and plurals do not matter, a name never matches inside a longer word
   ("fit" is not in "benefit"), and the longest match wins ("sleep apnea" is not also "sleep").
2. **Items.** Each value is cut into items at commas, semicolons, line breaks, ``+``, ``&``,
   the words "and" and "plus", and ``/`` between words (not in "5/325"); ``w/`` reads "with".
   So "oxycodone/paracetamol" is two items and "Tylenol with codeine" one.
3. **Agents** (other medicines, drinks, substances). An item is recognised when it names a
   member (generic or brand) or a term of a catalogue substance class, or one of the drug's own
   interaction rows; the rest of the item ("a glass of", "5 mg") is ignored. A class the drug has
   no interaction for is still reported ("no information ... ask a pharmacist"). A member that
   is the drug itself ("Klonopin" with clonazepam) is reported as the same drug, not as a
   duplicate.
4. **Conditions.** An item is recognised by the drug's cautions (slug words and aliases), by the
   indication words (:data:`SEIZURE_DISORDER_PHRASES`, :data:`PANIC_PHRASES`,
   :data:`SLEEP_PHRASES`, plus the reasons in :data:`OTHER_REASON_PHRASES`), by the allergy rule
   (an allergy word with a benzodiazepine name in the same item, "allergic to Xanax", is the
   drug's ``benzodiazepine-sensitivity`` caution) or by crisis words. A caution marked
   ``contraindication`` in the catalogue is an urgent contraindication finding.
5. **Unknown.** An agent or condition item recognised by nothing is never dropped: it is an
   :class:`Unknown` and a warning ("unknown: ask a pharmacist"), with a did-you-mean when a known
   name is close (difflib, as :meth:`Catalogue.get`).
6. **Crisis words** (:data:`CRISIS_PHRASES`: suicidal thoughts, self-harm, seizure) anywhere in any
   text give an urgent finding with the clinician flag and the crisis message (988 in the US, or
   the local emergency number). Seizure words inside a seizure-disorder phrase
   (:data:`SEIZURE_DISORDER_PHRASES`, "epilepsy", "seizure disorder", "history of seizures") or a
   phrase about seizures in general (:data:`NOT_AN_EVENT_PHRASES`, "seizure medication",
   "seizure risk") are not an event. So **"epilepsy" is a condition** (the seizure indication,
   and "never stop abruptly"), while **"seizure", "seizures", "had a seizure", "convulsion",
   "had a fit"** typed as a condition, a medicine or a note **are an event: the crisis message**.
   Negation is not read: "no suicidal thoughts" still gets the crisis message (a false alarm
   costs less than a missed one).
7. **Indication** (:func:`indication_of`): "seizure" when any condition is a seizure-disorder
   phrase, else "panic" for panic words, else "sleep" for insomnia words (or an item that is
   just "sleep"), else None. Seizure wins over panic and sleep: clonazepam in a person with
   epilepsy is most likely for seizures, and its dose was set by the neurologist.
8. **Daily maximum**: the drug's maximum for the indication [LABEL, SEED-AURA]; with no
   indication, the lowest (:meth:`Drug.daily_maximum_for`).
9. **Age**: outside 0-120 is bad input (:class:`InputError`). Under 18: urgent, clinician flag;
   no daily maximum applies (children's seizure doses go by body weight, which taperline does not
   take; in panic disorder safety and effectiveness under 18 are not established [LABEL]), so
   :attr:`Screening.refusals` says a plan needs the specialist. 65 and over: the older-adult
   caution [BEERS-2023].

>>> from taperline.catalogue_data import load_catalogue
>>> catalogue = load_catalogue()
>>> result = screen(catalogue, catalogue.get("clonazepam"), agents=["Percocet 5/325", "tea"],
...                 conditions=["epilepsy"])
>>> [(f.kind, f.severity) for f in result.findings]
[('interaction', 'urgent'), ('caution', 'warning'), ('unknown', 'warning'), ('indication', 'info')]
>>> result.indication, fmt(result.daily_max.max_mg), [u.name for u in result.unknown]
('seizure', '20 mg', ['tea'])
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final, Literal, get_args

from taperline.core.catalogue import (
    INDICATIONS,
    Catalogue,
    Caution,
    DailyMaximum,
    Drug,
    Indication,
    Interaction,
    InteractionSeverity,
    Member,
    SubstanceClass,
)
from taperline.core.quantity import fmt
from taperline.core.words import PhraseIndex, phrase_key, token_matches, tokens
from taperline.errors import InputError

__all__ = [
    "ADULT_AGE_YEARS",
    "CRISIS_PHRASES",
    "CRISIS_SOURCES",
    "CRISIS_STEMS",
    "CRISIS_WHAT",
    "MAX_AGE_YEARS",
    "NOT_AN_EVENT_PHRASES",
    "OLDER_ADULT_AGE_YEARS",
    "OTHER_REASON_PHRASES",
    "OWN_SOURCE",
    "PANIC_PHRASES",
    "REGIMEN_ISSUE_KINDS",
    "REGIMEN_ISSUE_SEVERITIES",
    "SEIZURE_DISORDER_PHRASES",
    "SLEEP_PHRASES",
    "ClassMatch",
    "ConditionMatch",
    "CrisisCategory",
    "CrisisMatch",
    "Indication",
    "Recognition",
    "RegimenIssue",
    "RegimenIssueKind",
    "RegimenIssueSeverity",
    "Screening",
    "Unknown",
    "crisis_matches",
    "crisis_terms",
    "indication_of",
    "recognise",
    "screen",
    "screening_document",
    "split_items",
    "under_18_refusal",
]

RegimenIssueKind = Literal[
    "interaction",
    "duplicate",
    "contraindication",
    "caution",
    "indication",
    "dose",
    "timing",
    "duration",
    "age",
    "pregnancy",
    "breastfeeding",
    "red_flag",
    "unknown",
]
RegimenIssueSeverity = Literal["info", "warning", "urgent"]
REGIMEN_ISSUE_KINDS: Final[tuple[str, ...]] = get_args(RegimenIssueKind)
REGIMEN_ISSUE_SEVERITIES: Final[tuple[str, ...]] = get_args(RegimenIssueSeverity)
CrisisCategory = Literal["suicidal thoughts", "self-harm", "seizure"]
Field = Literal["agent", "condition"]

#: The "source" of a note of taperline's own (for example "unknown"): not a clinical claim.
OWN_SOURCE: Final = "taperline"
#: Benzodiazepines are to be avoided from this age [BEERS-2023].
OLDER_ADULT_AGE_YEARS: Final = 65
#: The label's doses and maxima are adult ones [LABEL].
ADULT_AGE_YEARS: Final = 18
MAX_AGE_YEARS: Final = 120  # taperline's plausibility limit for an age typed by a person

#: Words of suicidal thoughts, self-harm and seizures (as events). Suicidal thoughts anywhere get
#: the crisis message [LABEL: antiepileptics raise the risk of suicidal thoughts]; self-harm as in
#: PHQ-9 item 9 [KROENKE-2001]; a seizure while taking or tapering [ASAM-2025, SEED-MINDED].
CRISIS_PHRASES: Final[Mapping[CrisisCategory, tuple[str, ...]]] = {
    "suicidal thoughts": (
        "suicide", "suicidal", "suicidal thoughts", "suicidal ideation", "suicidality",
        "kill myself", "killing myself", "end my life", "ending my life", "end it all",
        "take my own life", "taking my own life", "take my life", "want to die",
        "wanting to die", "wanna die", "wish i was dead", "wish i were dead", "better off dead",
        "no reason to live", "not want to live", "don't want to live", "dont want to live",
        "thoughts of death", "thoughts of dying", "unalive",
    ),
    "self-harm": (
        "self-harm", "selfharm", "self-harming", "self-injury", "self-injuring", "self-injurious",
        "self-mutilation", "hurt myself", "hurting myself", "harm myself", "harming myself",
        "cut myself", "cutting myself", "burn myself", "burning myself",
    ),
    "seizure": (
        "seizure", "convulsion", "convulsing", "convulsed", "had a fit", "having a fit",
        "had fits", "having fits", "epileptic fit", "epileptic seizure", "epileptic attack",
        "grand mal", "tonic-clonic",
    ),
}  # fmt: skip

#: A seizure disorder (a diagnosis, not an event): the seizure indication [LABEL].
SEIZURE_DISORDER_PHRASES: Final[tuple[str, ...]] = (
    "epilepsy", "epileptic", "seizure disorder", "convulsive disorder", "seizure history",
    "history of seizure", "history of epilepsy", "seizure-free", "Lennox-Gastaut",
    # The seizure types of the label's indication [LABEL].
    "absence seizure", "absence seizures", "petit mal", "myoclonic seizure", "myoclonic seizures",
    "akinetic seizure", "akinetic seizures", "myoclonic epilepsy",
)  # fmt: skip
#: Phrases about seizures that report no seizure (not an event, not a diagnosis).
NOT_AN_EVENT_PHRASES: Final[tuple[str, ...]] = (
    "seizure medication", "seizure medicine", "seizure meds", "anti-seizure", "seizure threshold",
    "seizure risk", "risk of seizure", "seizure prevention", "prevent seizure",
)  # fmt: skip
#: Panic disorder: its maximum [LABEL].
PANIC_PHRASES: Final[tuple[str, ...]] = ("panic", "panic disorder", "panic attack")
#: Taken for sleep (off-label): its maximum [SEED-AURA]. A condition that is just "sleep" too.
SLEEP_PHRASES: Final[tuple[str, ...]] = (
    "insomnia", "sleeplessness", "trouble sleeping", "difficulty sleeping", "poor sleep",
    "sleep problem", "sleeping problem", "sleep difficulty", "can't sleep", "cannot sleep",
    "cant sleep", "for sleep",
)  # fmt: skip
#: Reasons recognised without a maximum of their own (the lowest maximum applies).
OTHER_REASON_PHRASES: Final[tuple[str, ...]] = (
    "anxiety", "anxiety disorder", "generalised anxiety", "generalized anxiety", "gad",
)  # fmt: skip
_ALLERGY_WORDS: Final = frozenset(
    {"allergy", "allergies", "allergic", "hypersensitivity", "hypersensitive", "sensitivity",
     "sensitive", "intolerance", "intolerant", "reaction", "anaphylaxis"}
)  # fmt: skip
_BENZODIAZEPINES: Final = "benzodiazepines"  # the class slug the allergy rule looks for
_SENSITIVITY: Final = "benzodiazepine-sensitivity"  # the caution slug it gives
_EPILEPSY: Final = "epilepsy"  # the caution slug a seizure-disorder phrase gives

#: The source ids of each kind of crisis words.
CRISIS_SOURCES: Final[Mapping[CrisisCategory, str]] = {
    "suicidal thoughts": "LABEL",
    "self-harm": "LABEL; KROENKE-2001",
    "seizure": "ASAM-2025; SEED-MINDED",
}
#: What each kind of crisis words needs, in plain words.
CRISIS_WHAT: Final[Mapping[CrisisCategory, str]] = {
    "suicidal thoughts": "Thoughts of suicide need help now.",
    "self-harm": "Thoughts of harming yourself need help now.",
    "seizure": "A seizure while taking or tapering a benzodiazepine needs medical care now.",
}
_SEVERITY_OF: Final[Mapping[InteractionSeverity, RegimenIssueSeverity]] = {
    "major": "urgent",
    "moderate": "warning",
    "minor": "info",
}
_RANK: Final[Mapping[str, int]] = {"urgent": 0, "warning": 1, "info": 2}
_IMPLIED_KIND: Final[Mapping[str, RegimenIssueKind]] = {
    "age-65-plus": "age",
    "pregnancy": "pregnancy",
    "breastfeeding": "breastfeeding",
}
_INDICATION_WORDS: Final[Mapping[Indication, str]] = {
    "seizure": "A seizure disorder",
    "panic": "Panic disorder",
    "sleep": "Use for sleep",
}
_SPLIT_RE: Final = re.compile(
    r"[,;\n\r+&]|(?<![0-9])/|/(?![0-9])|\band\b|\bplus\b", flags=re.IGNORECASE
)
_WITH_RE: Final = re.compile(r"\bw/", flags=re.IGNORECASE)
_RULE_OUT_RE: Final = re.compile(r"\br\s*/\s*o\b", flags=re.IGNORECASE)  # "r/o": rule out
_SUGGEST_CUTOFF: Final = 0.75  # difflib ratio for a whole name
_WORD_CUTOFF: Final = 0.8  # ... and for one word of it
_WORD_MIN: Final = 5  # words shorter than this are not suggested on (too many near misses)


# --- values -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RegimenIssue:
    """One thing found, in plain words, with its source id (:data:`OWN_SOURCE` for our own).

    ``clinician_flag``: a clinician must look (every urgent finding); ``crisis``: the message
    carries the crisis resources.
    """

    kind: RegimenIssueKind
    severity: RegimenIssueSeverity
    message: str
    source: str
    clinician_flag: bool = False
    crisis: bool = False

    @property
    def is_warning(self) -> bool:
        """Whether it needs attention (warning or urgent).

        >>> RegimenIssue("timing", "info", "x", "SEED-AURA").is_warning
        False
        """
        return self.severity != "info"


def _finding(
    kind: RegimenIssueKind, severity: RegimenIssueSeverity, message: str, source: str
) -> RegimenIssue:
    return RegimenIssue(kind, severity, message, source, clinician_flag=severity == "urgent")


@dataclass(frozen=True, slots=True)
class Unknown:
    """A name nothing recognised, as typed, with a close known name when there is one."""

    name: str
    field: Field
    suggestion: str | None = None

    @property
    def message(self) -> str:
        """The warning shown for it.

        >>> Unknown("oxycodon", "agent", "oxycodone").message
        "unknown: ask a pharmacist. taperline does not recognise the medicine or substance 'oxycodon' (did you mean 'oxycodone'?); unknown is not the same as safe."
        """  # noqa: E501 -- a doctest line reads better whole
        what = "medicine or substance" if self.field == "agent" else "condition"
        hint = f" (did you mean {self.suggestion!r}?)" if self.suggestion else ""
        tail = (
            "unknown is not the same as safe."
            if self.field == "agent"
            else "tell your prescriber about it."
        )
        return (
            f"unknown: ask a pharmacist. taperline does not recognise the {what} "
            f"{self.name!r}{hint}; {tail}"
        )


@dataclass(frozen=True, slots=True)
class ClassMatch:
    """An agent item recognised as a member (or a term) of a substance class."""

    given: str
    substance_class: SubstanceClass
    member: Member | None  # None when the item names the class itself ("opioids")


@dataclass(frozen=True, slots=True)
class ConditionMatch:
    """A condition item recognised: as a caution of the drug, an indication, or a reason."""

    given: str
    name: str  # the caution slug, or the indication / reason recognised
    caution: Caution | None = None
    indication: Indication | None = None

    @property
    def contraindication(self) -> bool:
        """Whether the catalogue marks it a contraindication for the drug."""
        return self.caution is not None and self.caution.contraindication


@dataclass(frozen=True, slots=True)
class CrisisMatch:
    """Crisis words found: their category and the words exactly as typed."""

    category: CrisisCategory
    typed: str


@dataclass(frozen=True, slots=True)
class Screening:
    """What :func:`screen` found for one drug; findings sorted, most severe first.

    ``daily_max`` is the maximum that applies (None when none does, e.g. under 18);
    ``refusals`` are reasons a taper plan must not be made by taperline (the planner refuses).
    """

    drug: Drug
    findings: tuple[RegimenIssue, ...]
    unknown: tuple[Unknown, ...]
    classes: tuple[ClassMatch, ...]
    conditions: tuple[ConditionMatch, ...]
    crisis: tuple[CrisisMatch, ...]
    indication: Indication | None
    daily_max: DailyMaximum | None
    refusals: tuple[str, ...] = ()

    @property
    def contraindications(self) -> tuple[ConditionMatch, ...]:
        """The conditions that are contraindications for the drug."""
        return tuple(c for c in self.conditions if c.contraindication)

    @property
    def clinician_flag(self) -> bool:
        """Whether any finding needs a clinician."""
        return any(f.clinician_flag for f in self.findings)

    @property
    def has_crisis(self) -> bool:
        """Whether crisis words were typed anywhere."""
        return bool(self.crisis)


@dataclass(frozen=True, slots=True)
class Recognition:
    """What :func:`recognise` found in a profile: unknown names, crisis words, indication."""

    unknown: tuple[Unknown, ...]
    crisis: tuple[CrisisMatch, ...]
    indication: Indication | None


# --- crisis words -----------------------------------------------------------------------------

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
        "taking", "thoughts", "to", "want", "wanting", "was", "were", "wish",
    }
)  # fmt: skip


def _prefilter() -> tuple[tuple[str, ...], ...]:
    """For every crisis phrase, words that text with it always contains (see CRISIS_STEMS)."""
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


#: Text with crisis words always contains every word of at least one of these groups (in
#: lower case, as substrings): a database can pre-filter free text with
#: ``lower(notes) LIKE '%word%' AND ...`` for each group, OR-ed, and leave the exact match to
#: :func:`crisis_matches`.
CRISIS_STEMS: Final[tuple[tuple[str, ...], ...]] = _prefilter()


def crisis_matches(text: str) -> tuple[CrisisMatch, ...]:
    """Suicidal-thought, self-harm and seizure words in free text, as typed (rule 6).

    >>> [(m.category, m.typed) for m in crisis_matches("Epilepsy; had a SEIZURE, want to die")]
    [('seizure', 'SEIZURE'), ('suicidal thoughts', 'want to die')]
    >>> crisis_matches("seizure disorder, well controlled; a benefit")
    ()
    """
    found = [
        CrisisMatch(target, match.text)
        for match in _CRISIS_INDEX.find(text)
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


# --- items and indication ---------------------------------------------------------------------


def split_items(values: Iterable[str]) -> tuple[str, ...]:
    """Cut values into items (rule 2), stripped, blanks and repeats (ignoring case) dropped.

    >>> split_items(["oxycodone/paracetamol 5/325", "Tylenol w/ codeine; gin and tonic", "GIN"])
    ('oxycodone', 'paracetamol 5/325', 'Tylenol with codeine', 'gin', 'tonic')
    """
    seen: dict[str, str] = {}
    for value in values:
        words = _RULE_OUT_RE.sub("rule out", _WITH_RE.sub("with ", value))
        for part in _SPLIT_RE.split(words):
            item = " ".join(part.split())
            if item and item.casefold() not in seen:
                seen[item.casefold()] = item
    return tuple(seen.values())


_REASON: Final = "reason"
_NOT_AN_EVENT: Final = "not an event"
_INDICATION_INDEX: Final[PhraseIndex[str]] = PhraseIndex(
    [
        *((p, "seizure") for p in SEIZURE_DISORDER_PHRASES),
        *((p, "panic") for p in PANIC_PHRASES),
        *((p, "sleep") for p in SLEEP_PHRASES),
        *((p, _REASON) for p in OTHER_REASON_PHRASES),
        *((p, _NOT_AN_EVENT) for p in NOT_AN_EVENT_PHRASES),  # "seizure risk" is not epilepsy
    ]
)


#: Words that say a seizure disorder is not the person's own, or not certain: such an item
#: never names the seizure indication, whose maximum (20 mg) is five times the others'.
_NOT_THEIRS: Final = frozenset(
    {"no", "not", "non", "never", "none", "nil", "without", "rule", "ruled", "excluded",
     "denies", "denied", "negative", "resolved", "remission", "outgrown", "outgrew",
     "testing", "tested", "test", "tests", "investigation", "investigations", "investigating",
     "evaluation", "evaluating", "assessment", "family", "familial", "mother", "father",
     "sister", "brother", "son", "daughter", "parent", "parents", "child", "children",
     "sibling", "siblings", "grandmother", "grandfather", "grandparent", "aunt", "uncle",
     "nephew", "niece", "cousin", "relative", "relatives", "husband", "wife", "partner",
     "spouse", "friend", "twin", "dog", "cat", "pet", "psychogenic", "pnes", "dissociative",
     "functional", "suspected", "suspect", "possible", "possibly", "query", "queried",
     "probable", "maybe", "unconfirmed", "unsure", "uncertain"}
)  # fmt: skip
#: Written doubt: "?epilepsy" ("r/o", rule out, becomes words when items are split).
_DOUBT: Final = re.compile(r"\?")


def _reasons(item: str) -> tuple[str, ...]:
    """The indications (and other reasons) one condition item names.

    >>> _reasons("epilepsy"), _reasons("family history of epilepsy"), _reasons("non-epileptic")
    (('seizure',), (), ())
    """
    found = [t for m in _INDICATION_INDEX.find(item) for t in m.targets if t != _NOT_AN_EVENT]
    if phrase_key(item) == "sleep":
        found.append("sleep")
    if _NOT_THEIRS & set(tokens(item)) or _DOUBT.search(item):
        found = [t for t in found if t != "seizure"]
    return tuple(dict.fromkeys(found))


def indication_of(conditions: Iterable[str]) -> Indication | None:
    """What the drug is taken for, from the conditions typed (rule 7); None when not said.

    >>> indication_of(["Epilepsy"]), indication_of(["panic attacks", "insomnia"])
    ('seizure', 'panic')
    >>> indication_of(["sleep apnea"]), indication_of(["had a seizure"]), indication_of([])
    (None, None, None)
    >>> indication_of(["panic disorder", "family history of epilepsy"])
    'panic'
    """
    found = {r for item in split_items(conditions) for r in _reasons(item)}
    # INDICATIONS is in order of precedence: seizure, panic, sleep.
    return next((indication for indication in INDICATIONS if indication in found), None)


# --- suggestions ------------------------------------------------------------------------------


def _by_key(names: Iterable[str]) -> Mapping[str, str]:
    """Names by their normalised key (the first spelling of each key is kept)."""
    by_key: dict[str, str] = {}
    for name in names:
        by_key.setdefault(phrase_key(name), name)
    return by_key


def _suggest(item: str, by_key: Mapping[str, str]) -> str | None:
    """A known name close to ``item`` (difflib), as the catalogue writes it; None if none is."""
    key = phrase_key(item)
    if not key:
        return None
    words = set(key.split())
    # "tylenol" is not a misspelt "Tylenol 4": a name that only adds words is another thing
    by_key = {k: v for k, v in by_key.items() if not words < set(k.split())}
    close = difflib.get_close_matches(key, list(by_key), n=1, cutoff=_SUGGEST_CUTOFF)
    if close:
        return by_key[close[0]]
    single = [k for k in by_key if " " not in k and len(k) >= _WORD_MIN]
    for word in key.split():
        if len(word) >= _WORD_MIN:
            close = difflib.get_close_matches(word, single, n=1, cutoff=_WORD_CUTOFF)
            if close:
                return by_key[close[0]]
    return None


def _agent_names(catalogue: Catalogue) -> Mapping[str, str]:
    """Every name of a medicine or substance in the catalogue, by key (built once)."""

    def build() -> Mapping[str, str]:
        drugs = catalogue.drugs.values()
        names = [n for c in catalogue.classes.values() for n in c.names]
        names += [n for d in drugs for row in d.interactions for n in row.own_names]
        names += [n for d in drugs for n in (d.name, *d.brand_names)]
        return _by_key(names)

    return catalogue.cached("screening.agent_names", build)


def _condition_names(catalogue: Catalogue) -> Mapping[str, str]:
    """Every condition name in the catalogue and the indication words, by key (built once)."""

    def build() -> Mapping[str, str]:
        names = [n for d in catalogue.drugs.values() for c in d.cautions for n in c.names]
        return _by_key([*names, *SEIZURE_DISORDER_PHRASES, *PANIC_PHRASES, *SLEEP_PHRASES])

    return catalogue.cached("screening.condition_names", build)


# --- agents -----------------------------------------------------------------------------------


def _class_index(catalogue: Catalogue) -> PhraseIndex[tuple[str, str]]:
    """Every class name -> (class slug, member name or "" for a class term), built once."""
    return PhraseIndex(
        [
            *((term, (c.slug, "")) for c in catalogue.classes.values() for term in c.terms),
            *(
                (name, (c.slug, m.name))
                for c in catalogue.classes.values()
                for m in c.members
                for name in m.names
            ),
        ]
    )


def _classes_in(catalogue: Catalogue, item: str) -> tuple[ClassMatch, ...]:
    """The classes (and members) one agent item names."""
    index = catalogue.cached("screening.classes", lambda: _class_index(catalogue))
    found: dict[str, ClassMatch] = {}
    for match in index.find(item):
        for slug, member_name in match.targets:
            cls = catalogue.classes[slug]
            member = next((m for m in cls.members if m.name == member_name), None)
            if slug not in found or found[slug].member is None:
                found[slug] = ClassMatch(item, cls, member)
    return tuple(found.values())


@dataclass(slots=True)
class _Agents:
    """What the agent items gave, gathered before the findings are made."""

    names: dict[Interaction, list[str]] = field(default_factory=dict)
    classes: list[ClassMatch] = field(default_factory=list)
    no_data: dict[str, list[str]] = field(default_factory=dict)  # class slug -> items
    same_drug: list[str] = field(default_factory=list)
    unknown: list[Unknown] = field(default_factory=list)
    crisis: list[tuple[CrisisMatch, str]] = field(default_factory=list)


def _label(item: str, found: tuple[ClassMatch, ...], agent: str = "") -> str:
    """The item as typed, with the generic name when it says more ("OxyContin (oxycodone)")."""
    for match in found:
        member = match.member
        if member is None:
            continue
        name = phrase_key(member.name)
        if name not in phrase_key(item) and name != phrase_key(agent):
            return f"{item} ({member.name})"
    return item


def _screen_agent(catalogue: Catalogue, drug: Drug, item: str, out: _Agents) -> None:
    crisis = crisis_matches(item)
    out.crisis += [(m, item) for m in crisis]
    found = _classes_in(catalogue, item)
    out.classes += found
    same = any(m.member is not None and phrase_key(m.member.name) == drug.name for m in found)
    if same:
        out.same_drug.append(item)
    skip = {m.substance_class.slug for m in found if same}
    rows = [i for i in drug.interactions_for(item) if i.agent_class not in skip]
    for interaction in rows:
        out.names.setdefault(interaction, []).append(_label(item, found, interaction.agent))
    with_rows = {i.agent_class for i in drug.interactions}
    for match in found:
        slug = match.substance_class.slug
        if slug not in with_rows and slug not in skip:
            out.no_data.setdefault(slug, []).append(_label(item, found))
    if not (rows or found or crisis or same):
        suggestion = _suggest(item, _agent_names(catalogue))
        out.unknown.append(Unknown(item, "agent", suggestion))


def _interaction_finding(drug: Drug, interaction: Interaction, given: list[str]) -> RegimenIssue:
    agents = ", ".join(dict.fromkeys(given))
    what = interaction.agent
    same = phrase_key(agents) == phrase_key(what)
    head = f"{agents} with {drug.label}" if same else f"{agents} ({what}) with {drug.label}"
    text = f"{head}: {interaction.effect}. {_sentence(interaction.advice)}"
    if interaction.assumption and interaction.note:
        text += f" ({interaction.note})"
    kind: RegimenIssueKind = (
        "duplicate" if interaction.kind == "duplicate_therapy" else "interaction"
    )
    return _finding(kind, _SEVERITY_OF[interaction.severity], text, interaction.source)


def _agent_findings(catalogue: Catalogue, drug: Drug, out: _Agents) -> list[RegimenIssue]:
    findings = [_interaction_finding(drug, i, names) for i, names in out.names.items()]
    for slug, given in out.no_data.items():
        cls = catalogue.classes[slug]
        text = (
            f"{', '.join(dict.fromkeys(given))}: {cls.singular}. The catalogue holds no "
            f"information on {cls.name} with {drug.label}: unknown, ask a pharmacist; unknown "
            "is not the same as safe."
        )
        findings.append(_finding("interaction", "warning", text, cls.source))
    for item in dict.fromkeys(out.same_drug):
        text = (
            f"“{item}” is {drug.label} itself: list it once. Two prescriptions of the same drug "
            "add up; tell your prescriber if you have more than one."
        )
        findings.append(_finding("duplicate", "warning", text, OWN_SOURCE))
    findings += [_finding("unknown", "warning", u.message, OWN_SOURCE) for u in out.unknown]
    return findings


# --- conditions -------------------------------------------------------------------------------


def _allergy_to_benzodiazepine(catalogue: Catalogue, item: str) -> bool:
    """An allergy word and a benzodiazepine name in one item ("allergic to Xanax")."""
    words = tokens(item)
    if not any(token_matches(w, a) for w in words for a in _ALLERGY_WORDS):
        return False
    return any(m.substance_class.slug == _BENZODIAZEPINES for m in _classes_in(catalogue, item))


def _condition_matches(catalogue: Catalogue, drug: Drug, item: str) -> list[ConditionMatch]:
    found = [ConditionMatch(item, c.condition, caution=c) for c in drug.cautions_for(item)]
    by_slug = {c.condition: c for c in drug.cautions}
    for reason in _reasons(item):
        indication = next((i for i in INDICATIONS if i == reason), None)
        found.append(ConditionMatch(item, reason, indication=indication))
        if reason == "seizure" and _EPILEPSY in by_slug:
            found.append(ConditionMatch(item, _EPILEPSY, caution=by_slug[_EPILEPSY]))
    if _SENSITIVITY in by_slug and _allergy_to_benzodiazepine(catalogue, item):
        found.append(ConditionMatch(item, _SENSITIVITY, caution=by_slug[_SENSITIVITY]))
    return list({(m.name, m.caution is None): m for m in found}.values())


def _caution_finding(caution: Caution, kind: RegimenIssueKind | None = None) -> RegimenIssue:
    chosen = kind or ("contraindication" if caution.contraindication else "caution")
    return _finding(chosen, caution.severity, caution.message, caution.source)


def _implied(age_years: int | None, *, pregnant: bool, breastfeeding: bool) -> list[str]:
    implied = []
    if age_years is not None and age_years >= OLDER_ADULT_AGE_YEARS:
        implied.append("age-65-plus")
    if pregnant:
        implied.append("pregnancy")
    if breastfeeding:
        implied.append("breastfeeding")
    return implied


def _missing_caution(drug: Drug, condition: str) -> RegimenIssue:
    """A flag the catalogue has no caution for: still say so, never stay silent."""
    kind = _IMPLIED_KIND[condition]
    if kind == "age" and drug.drug_class == "benzodiazepine":
        text = (
            "Guidelines advise avoiding benzodiazepines in older adults (falls, confusion); "
            "discuss deprescribing with the prescriber."
        )
        return _finding("age", "warning", text, "BEERS-2023")
    what = {"age": "older adults", "pregnancy": "pregnancy", "breastfeeding": "breastfeeding"}
    text = (
        f"The catalogue holds no information on {drug.label} in {what[kind]}: discuss it with "
        "the prescriber."
    )
    return _finding(kind, "warning", text, OWN_SOURCE)


# --- age and the daily maximum ----------------------------------------------------------------


def under_18_refusal(drug: Drug) -> str:
    """Why taperline makes no taper plan of ``drug`` for someone under 18 (the planner's rule).

    >>> from taperline.catalogue_data import load_catalogue
    >>> under_18_refusal(load_catalogue().get("clonazepam"))[:40]
    'a taper plan of clonazePAM for someone u'
    """
    return _under_18(drug)[1]


def _under_18(drug: Drug) -> tuple[RegimenIssue, str]:
    labelled = any(m.indication == "seizure" for m in drug.daily_maxima)
    if labelled:
        text = (
            "Under 18: taperline's dose rules are for adults. In panic disorder, safety and "
            "effectiveness under 18 have not been established; for seizures, children are dosed "
            "by body weight, which taperline does not take, so no daily maximum here applies. "
            "A taper plan needs the specialist."
        )
        refusal = (
            f"a taper plan of {drug.label} for someone under 18 needs the specialist: "
            "taperline's dose rules are for adults (children's seizure doses go by body weight, "
            "which taperline does not take; in panic disorder, safety and effectiveness under 18 "
            "are not established) [LABEL]"
        )
        return _finding("age", "urgent", text, "LABEL"), refusal
    text = (
        f"Under 18: the catalogue's doses of {drug.label} are adult doses and no daily maximum "
        "here applies. A taper plan needs the specialist."
    )
    refusal = (
        f"a taper plan of {drug.label} for someone under 18 needs the specialist: the "
        "catalogue's doses are adult doses"
    )
    return _finding("age", "urgent", text, OWN_SOURCE), refusal


def _indication_finding(
    drug: Drug, indication: Indication, maximum: DailyMaximum, also: set[Indication]
) -> RegimenIssue:
    text = (
        f"{_INDICATION_WORDS[indication]}: the daily maximum for {maximum.applies_to} applies, "
        f"{fmt(maximum.max_mg)} of {drug.label} a day."
    )
    for other in (i for i in INDICATIONS if i in also and i != indication):
        limit = drug.daily_maximum_for(other)
        if limit is not None and limit.indication is not None:
            text += (
                f" {_INDICATION_WORDS[other]} was also given (its maximum is "
                f"{fmt(limit.max_mg)}); the seizure-disorder maximum is used."
            )
    return _finding("indication", "info", text, maximum.source)


# --- screening --------------------------------------------------------------------------------


def _validate_age(age_years: int | None) -> None:
    if age_years is not None and not 0 <= age_years <= MAX_AGE_YEARS:
        raise InputError(f"age must be 0-{MAX_AGE_YEARS} years, got {age_years}")


def _screen_conditions(
    catalogue: Catalogue, drug: Drug, items: tuple[str, ...], local_emergency: str
) -> tuple[list[ConditionMatch], list[RegimenIssue], list[Unknown], list[CrisisMatch]]:
    matches: list[ConditionMatch] = []
    findings: list[RegimenIssue] = []
    unknown: list[Unknown] = []
    crisis: list[CrisisMatch] = []
    for item in items:
        found = _condition_matches(catalogue, drug, item)
        matches += found
        typed = crisis_matches(item)
        crisis += typed
        findings += [_crisis_finding(m, item, local_emergency, condition=True) for m in typed]
        if not found and not typed:
            unknown.append(Unknown(item, "condition", _suggest(item, _condition_names(catalogue))))
    return matches, findings, unknown, crisis


def screen(
    catalogue: Catalogue,
    drug: Drug,
    *,
    agents: Iterable[str] = (),
    conditions: Iterable[str] = (),
    age_years: int | None = None,
    pregnant: bool = False,
    breastfeeding: bool = False,
    indication: Indication | None = None,
    local_emergency: str = "your local emergency number",
) -> Screening:
    """Recognise the agents and conditions typed for ``drug`` and say what each means.

    ``indication`` overrides the one read from the conditions (:func:`indication_of`).

    Raises:
        InputError: an age outside 0-120.

    >>> from taperline.catalogue_data import load_catalogue
    >>> catalogue = load_catalogue()
    >>> result = screen(catalogue, catalogue.get("clonazepam"),
    ...                 conditions=["glaucoma (narrow angle)", "suicidal thoughts"])
    >>> [(f.kind, f.severity, f.crisis) for f in result.findings]
    [('red_flag', 'urgent', True), ('contraindication', 'urgent', False)]
    """
    _validate_age(age_years)
    agent_items, condition_items = split_items(agents), split_items(conditions)
    gathered = _Agents()
    for item in agent_items:
        _screen_agent(catalogue, drug, item, gathered)
    matches, condition_findings, unknown, crisis = _screen_conditions(
        catalogue, drug, condition_items, local_emergency
    )
    findings = [
        *(
            _crisis_finding(m, item, local_emergency, condition=False)
            for m, item in gathered.crisis
        ),
        *condition_findings,
        *_caution_findings(
            drug, matches, age_years, pregnant=pregnant, breastfeeding=breastfeeding
        ),
        *_agent_findings(catalogue, drug, gathered),
        *(_finding("unknown", "warning", u.message, OWN_SOURCE) for u in unknown),
    ]
    chosen = indication if indication is not None else indication_of(condition_items)
    maximum = drug.daily_maximum_for(chosen)
    refusals: list[str] = []
    if age_years is not None and age_years < ADULT_AGE_YEARS:
        young, refusal = _under_18(drug)
        findings.append(young)
        refusals.append(refusal)
        maximum = None
    elif chosen is not None and maximum is not None and maximum.indication is not None:
        given = {m.indication for m in matches if m.indication is not None}
        findings.append(_indication_finding(drug, chosen, maximum, given))
    return Screening(
        drug=drug,
        findings=tuple(sorted(findings, key=lambda f: _RANK[f.severity])),
        unknown=(*gathered.unknown, *unknown),
        classes=tuple(gathered.classes),
        conditions=tuple(matches),
        crisis=(*(m for m, _ in gathered.crisis), *crisis),
        indication=chosen,
        daily_max=maximum,
        refusals=tuple(refusals),
    )


def _caution_findings(
    drug: Drug,
    matches: Sequence[ConditionMatch],
    age_years: int | None,
    *,
    pregnant: bool,
    breastfeeding: bool,
) -> list[RegimenIssue]:
    """Cautions for the conditions given, and for age, pregnancy and breastfeeding."""
    findings: list[RegimenIssue] = []
    seen: set[str] = set()
    by_slug = {c.condition: c for c in drug.cautions}
    for slug in _implied(age_years, pregnant=pregnant, breastfeeding=breastfeeding):
        seen.add(slug)
        caution = by_slug.get(slug)
        findings.append(
            _caution_finding(caution, _IMPLIED_KIND[slug])
            if caution is not None
            else _missing_caution(drug, slug)
        )
    for match in matches:
        caution = match.caution
        if caution is None or caution.condition in seen:
            continue
        seen.add(caution.condition)
        findings.append(_caution_finding(caution, _IMPLIED_KIND.get(caution.condition)))
    return findings


def recognise(
    catalogue: Catalogue, *, agents: Iterable[str] = (), conditions: Iterable[str] = ()
) -> Recognition:
    """Which profile entries no drug of the catalogue recognises, and any crisis words.

    For a profile (no drug chosen yet): a condition known for any drug, or a medicine in any
    class or interaction row, is recognised.

    >>> from taperline.catalogue_data import load_catalogue
    >>> found = recognise(load_catalogue(), agents=["OxyContin", "tea"],
    ...                   conditions=["epilepsy", "gout", "self harm"])
    >>> [u.name for u in found.unknown], [m.category for m in found.crisis], found.indication
    (['tea', 'gout'], ['self-harm'], 'seizure')
    """
    unknown: list[Unknown] = []
    crisis: list[CrisisMatch] = []
    drugs = list(catalogue.drugs.values())
    for item in split_items(agents):
        typed = crisis_matches(item)
        crisis += typed
        known = _classes_in(catalogue, item) or any(d.interactions_for(item) for d in drugs)
        if not known and not typed:
            unknown.append(Unknown(item, "agent", _suggest(item, _agent_names(catalogue))))
    condition_items = split_items(conditions)
    for item in condition_items:
        typed = crisis_matches(item)
        crisis += typed
        known = any(_condition_matches(catalogue, d, item) for d in drugs)
        if not known and not typed:
            unknown.append(Unknown(item, "condition", _suggest(item, _condition_names(catalogue))))
    return Recognition(tuple(unknown), tuple(crisis), indication_of(condition_items))


# --- the JSON document ------------------------------------------------------------------------


def _sentence(text: str) -> str:
    text = text.strip()
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else f"{text}."


def regimen_issue_document(finding: RegimenIssue) -> dict[str, object]:
    """One finding as JSON (the keys of ``taperline check --format json``)."""
    return {
        "kind": finding.kind,
        "severity": finding.severity,
        "message": finding.message,
        "source": finding.source,
        "clinician_flag": finding.clinician_flag,
        "crisis": finding.crisis,
    }


def maximum_document(maximum: DailyMaximum | None) -> dict[str, object] | None:
    """The daily maximum that applies, as JSON."""
    if maximum is None:
        return None
    return {
        "indication": maximum.indication,
        "max_mg": float(maximum.max_mg.mg),
        "applies_to": maximum.applies_to,
        "source": maximum.source,
        "note": maximum.note,
    }


def screening_document(screening: Screening) -> dict[str, object]:
    """The JSON shape of a screening (for the API and ``--format json``).

    >>> from taperline.catalogue_data import load_catalogue
    >>> catalogue = load_catalogue()
    >>> doc = screening_document(screen(catalogue, catalogue.get("clonazepam"),
    ...                                 agents=["oxycodon"]))
    >>> doc["unknown"]
    [{'name': 'oxycodon', 'field': 'agent', 'suggestion': 'oxycodone', 'message': "unknown: ask a pharmacist. taperline does not recognise the medicine or substance 'oxycodon' (did you mean 'oxycodone'?); unknown is not the same as safe."}]
    """  # noqa: E501 -- a doctest line reads better whole
    return {
        "drug": screening.drug.name,
        "findings": [regimen_issue_document(f) for f in screening.findings],
        "unknown": [
            {"name": u.name, "field": u.field, "suggestion": u.suggestion, "message": u.message}
            for u in screening.unknown
        ],
        "classes": [
            {
                "given": m.given,
                "class": m.substance_class.slug,
                "class_name": m.substance_class.name,
                "member": None if m.member is None else m.member.name,
                "source": m.substance_class.source,
            }
            for m in screening.classes
        ],
        "conditions": [
            {
                "given": c.given,
                "recognised_as": c.name,
                "contraindication": c.contraindication,
                "indication": c.indication,
            }
            for c in screening.conditions
        ],
        "contraindications": [c.name for c in screening.contraindications],
        "crisis": [{"category": m.category, "typed": m.typed} for m in screening.crisis],
        "indication": screening.indication,
        "daily_max": maximum_document(screening.daily_max),
        "refusals": list(screening.refusals),
        "clinician_flag": screening.clinician_flag,
    }
