"""The screening's vocabulary: the finding kinds, the word lists, and the values it returns.

:class:`RegimenIssue` and its kinds and severities; the phrases of crisis words, seizure disorders,
panic, sleep and other reasons; :class:`Screening` (what
:func:`~taperline.core.screening.screen` returns) and :class:`Recognition` (what
:func:`~taperline.core.screening.recognise` returns).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final, Literal, get_args

from taperline.core.catalogue import Caution, DailyMaximum, Drug, Indication, Member, SubstanceClass
from taperline.core.sources import (  # defined there so `taperline learn` needs no screening
    OWN_SOURCE as OWN_SOURCE,  # noqa: PLC0414 -- re-exported: the screening's name for it
)

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
        # as people type them (helper-61's review): misspellings, "my self", other phrasings
        "sucide", "suicde", "suicidial", "suacide", "kill my self", "killing my self",
        "end my own life", "ending my own life", "ending it all",
        "hang myself", "hanging myself", "want to be dead", "wanting to be dead",
        "rather be dead", "not worth living", "isn't worth living", "isnt worth living",
        "take an overdose", "taking an overdose", "took an overdose",
    ),
    "self-harm": (
        "self-harm", "selfharm", "self-harming", "self-injury", "self-injuring", "self-injurious",
        "self-mutilation", "hurt myself", "hurting myself", "harm myself", "harming myself",
        "cut myself", "cutting myself", "burn myself", "burning myself",
        "self-harmed", "self harmed", "cut my self", "hurt my self", "harm my self",
    ),
    "seizure": (
        "seizure", "convulsion", "convulsing", "convulsed", "had a fit", "having a fit",
        "had fits", "having fits", "epileptic fit", "epileptic seizure", "epileptic attack",
        "grand mal", "tonic-clonic", "siezure", "seizue", "seisure",
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
#: The absence of seizures after a seizure disorder ("Epilepsy - no seizures for 2 years"): its
#: "no" is about the seizures, not whose epilepsy it is. Still read for crisis words: "no
#: seizures since the fit on Monday" tells of one (a false alarm is the safer error).
SEIZURE_FREE_PHRASES: Final[tuple[str, ...]] = (
    "no seizure", "no seizures", "seizure free", "seizure-free", "without seizures",
    "free of seizures", "no fits",
)  # fmt: skip
#: Words that, after a seizure-free phrase, tell of a seizure since ("seizure-free for a year
#: until last night", "no fits except one on Monday"): the phrase is then no denial and the
#: seizure red flag is raised [ASAM-2025, SEED-MINDED]. taperline's own reading: a missed
#: seizure is the dangerous error, so these are read anywhere after the phrase in the text.
SEIZURE_TOLD_AFTER_WORDS: Final[frozenset[str]] = frozenset(
    {"until", "till", "til", "untill", "except", "excepting", "but", "apart", "besides",
     "barring", "although", "though", "however", "yet", "last", "yesterday", "today",
     "tonight", "recently", "recent", "again", "ago", "had", "breakthrough", "seizure",
     "seizures", "fit", "fits", "fitted", "fitting", "convulsion", "convulsions", "convulsed"}
)  # fmt: skip
#: A clinician's denial of seizures in a review of systems, said before the seizure words
#: ("denies seizures", "negative for seizures"). Read only when the whole item is this denial
#: and the seizure words (:func:`~taperline.core.screening.crisis.denies_seizures`). Not a
#: person's own "no seizures" or "never had a fit": people go on to say what happened ("no
#: seizures, until last night"), and a profile's entries are read one by one, so those keep
#: the red flag (taperline's own choice: a missed seizure is the dangerous error).
SEIZURE_DENIED_BEFORE: Final[tuple[str, ...]] = (
    "denies", "denies any", "denied", "denied any", "deny", "deny any", "negative for",
    "negative for any",
)  # fmt: skip
#: ... and said after them, a review of systems' answer ("Seizures: no", "Seizures, no",
#: "Seizures - denies").
SEIZURE_DENIED_AFTER: Final[tuple[str, ...]] = (
    "no", "none", "denies", "denied", "negative", "nil", "absent",
)  # fmt: skip
#: Common medicines people take beside a product whose name holds "plus" ("Nurofen plus
#: paracetamol": two medicines, not the product Nurofen Plus). Names only, for cutting items:
#: taperline's own list, no clinical claim (a medicine the catalogue does not hold is still
#: unknown: ask a pharmacist).
COMMON_MEDICINE_NAMES: Final[tuple[str, ...]] = (
    "paracetamol", "acetaminophen", "ibuprofen", "aspirin", "naproxen", "Panadol", "Calpol",
    "Tylenol", "Advil", "Motrin", "Aleve", "Nurofen", "Anadin", "Disprin", "Hedex",
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
