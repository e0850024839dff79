"""The catalogue's value types: source ids, cited values, bands, interactions, cautions, classes.

Each clinical value carries a source id from docs/clinical-basis.md (:data:`KNOWN_SOURCES`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Generic, Literal, TypeVar, get_args

from taperline.core.quantity import Mass
from taperline.core.sources import SOURCES
from taperline.core.words import PhraseIndex

#: Source ids of docs/clinical-basis.md's Sources table ("LAI-1978 / KAPLAN-1980" is split in
#: two), plus the ids proposed in src/taperline/data/SOURCES-ADDED.md: the ids of
#: :data:`taperline.core.sources.SOURCES`, where each has its plain name and citation.
KNOWN_SOURCES: Final[frozenset[str]] = frozenset(SOURCES)

#: Equivalences are stated as "this dose is equivalent to diazepam 10 mg" [ASHTON, VADOD-2021].
DIAZEPAM_REFERENCE: Final[Mass] = Mass.of_mg(10)

DrugClass = Literal["benzodiazepine", "z-drug"]
InteractionKind = Literal[
    "cns_depression",
    "duplicate_therapy",
    "cyp3a_inhibitor",
    "cyp3a_inducer",
    "absence_status",
    "counteracts",
    "unspecified",
]
InteractionSeverity = Literal["major", "moderate", "minor"]
#: How a caution is shown: a contraindication is always "urgent".
CautionSeverity = Literal["urgent", "warning", "info"]
#: What the drug is taken for, where the daily maximum depends on it [LABEL, SEED-AURA].
Indication = Literal["seizure", "panic", "sleep"]
INDICATIONS: Final[tuple[Indication, ...]] = get_args(Indication)

#: Topics of :class:`Fact` (the content of ``taperline learn``).
FACT_TOPICS: Final[frozenset[str]] = frozenset(
    {
        "onset",
        "duration",
        "sleep_use",
        "side_effects_common",
        "side_effects_behavioural",
        "side_effects_physical",
        "side_effects_stopping",
        "insomnia_paradox",
        "alternatives",
        "discuss_before",
        "pharmacology",
        "levels",
        "tapering",
        "boxed_warning",
        "warnings",
        "daily_max",
    }
)

_T = TypeVar("_T")


# --- value types ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Cited:
    """Where a value (or a rule of taperline's own) comes from.

    >>> Cited("ASAM-2025").source
    'ASAM-2025'
    """

    source: str
    note: str = ""
    assumption: bool = False


@dataclass(frozen=True, slots=True)
class Sourced(Generic[_T]):
    """A single value with its source (construct it unsubscripted: ``Sourced(0.9, "LABEL")``).

    >>> Sourced(0.9, "LABEL").value
    0.9
    """

    value: _T
    source: str
    note: str = ""
    assumption: bool = False


@dataclass(frozen=True, slots=True)
class Range:
    """A typical value and the range across people, from one source.

    >>> Range(35.0, 30.0, 40.0, "LABEL").typical
    35.0
    """

    typical: float
    low: float
    high: float
    source: str
    assumption: bool = False
    note: str = ""


@dataclass(frozen=True, slots=True)
class Equivalence:
    """``dose_mg`` of the drug is equivalent to diazepam 10 mg, according to ``source``."""

    dose_mg: Mass
    source: str
    note: str = ""
    assumption: bool = False


@dataclass(frozen=True, slots=True)
class DoseBand:
    """A band of daily doses with what the source says about it.

    ``high_mg`` is None for an open-ended top band; ``includes_low`` / ``includes_high``
    say whether the ends belong to the band.
    """

    name: str
    low_mg: Mass
    high_mg: Mass | None
    effects: str
    risks: str
    source: str
    includes_low: bool = True
    includes_high: bool = True
    assumption: bool = False
    note: str = ""

    def contains(self, dose: Mass) -> bool:
        """Whether the daily dose falls in this band.

        >>> DoseBand("high", Mass.of_mg(2), None, "", "", "X", includes_low=False).contains(
        ...     Mass.of_mg(2))
        False
        """
        above = dose.mg >= self.low_mg.mg if self.includes_low else dose.mg > self.low_mg.mg
        if self.high_mg is None:
            return above
        below = dose.mg <= self.high_mg.mg if self.includes_high else dose.mg < self.high_mg.mg
        return above and below


@dataclass(frozen=True, slots=True)
class Interaction:
    """Another agent (a drug, a group of drugs, a substance) that interacts with this drug."""

    agent: str
    aliases: tuple[str, ...]
    group: str
    kind: InteractionKind
    severity: InteractionSeverity
    effect: str
    advice: str
    source: str
    note: str = ""
    assumption: bool = False
    agent_class: str = ""  # the slug of the SubstanceClass it names, or ""
    class_names: tuple[str, ...] = ()  # every name of that class (generic, brand, terms)
    class_examples: str = ""  # a few members with brands, for people to read

    @property
    def own_names(self) -> tuple[str, ...]:
        """The names the row itself gives: agent, group and aliases."""
        return (self.agent, self.group, *self.aliases)

    def matches(self, name: str) -> bool:
        """Whether a name mentions this agent (its own names or its class's, as whole words).

        >>> Interaction("opioids", ("oxycodone",), "opioids", "cns_depression", "major", "",
        ...             "", "LABEL").matches("OxyCodone 5 mg")
        True
        """
        return bool(PhraseIndex((n, True) for n in (*self.own_names, *self.class_names)).find(name))


@dataclass(frozen=True, slots=True)
class Caution:
    """A condition (keyed by a slug such as ``sleep-apnea``) that needs care with this drug."""

    condition: str
    aliases: tuple[str, ...]
    message: str
    source: str
    note: str = ""
    assumption: bool = False
    severity: CautionSeverity = "warning"
    contraindication: bool = False  # then severity is "urgent"

    @property
    def names(self) -> tuple[str, ...]:
        """The slug (as words) and the aliases."""
        return (self.condition, *self.aliases)

    def matches(self, name: str) -> bool:
        """Whether a name mentions this condition (slug or alias, as whole words).

        >>> Caution("sleep-apnea", ("osa",), "", "SEED-MINDED").matches("Sleep apnea (mild)")
        True
        """
        return bool(PhraseIndex((n, True) for n in self.names).find(name))


@dataclass(frozen=True, slots=True)
class Fact:
    """One cited statement for ``taperline learn``, grouped by topic (see :data:`FACT_TOPICS`)."""

    topic: str
    text: str
    source: str


@dataclass(frozen=True, slots=True)
class SleepUse:
    """The usual dose range and timing when the drug is taken for sleep, from one source.

    >>> SleepUse(Mass.of_mg("0.25"), Mass.of_mg(2), 30, 2, 4, "SEED-AURA").contains(
    ...     Mass.of_mg(1))
    True
    """

    low_mg: Mass
    high_mg: Mass
    before_bed_min: int
    short_term_low_weeks: int
    short_term_high_weeks: int
    source: str
    note: str = ""
    assumption: bool = False

    def contains(self, dose: Mass) -> bool:
        """Whether a bedtime dose lies within the usual sleep-use range (ends included)."""
        return self.low_mg.mg <= dose.mg <= self.high_mg.mg


@dataclass(frozen=True, slots=True)
class DailyMaximum:
    """The most to take in a day, for whom (``applies_to``), with its source.

    ``indication`` is None for a drug's single maximum, and for the lowest maximum used when
    the reason for taking it is not known.
    """

    indication: Indication | None
    max_mg: Mass
    applies_to: str
    source: str
    note: str = ""
    assumption: bool = False

    @property
    def sourced(self) -> Sourced[Mass]:
        """The maximum as a :class:`Sourced` mass (what ``Drug.daily_max_mg`` holds).

        >>> from taperline.core.quantity import fmt
        >>> fmt(DailyMaximum("seizure", Mass.of_mg(20), "adults", "LABEL").sourced.value)
        '20 mg'
        """
        return Sourced(self.max_mg, self.source, self.note, self.assumption)


@dataclass(frozen=True, slots=True)
class Member:
    """One member of a substance class: its generic name and other names (brands, drinks)."""

    name: str
    also: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        """The generic name first, then the others."""
        return (self.name, *self.also)


@dataclass(frozen=True, slots=True)
class ClassInteraction:
    """What a class does with every drug whose ``drug_class`` is in ``applies_to``."""

    applies_to: tuple[DrugClass, ...]
    kind: InteractionKind
    severity: InteractionSeverity
    effect: str
    advice: str
    source: str
    note: str = ""
    assumption: bool = False


@dataclass(frozen=True, slots=True)
class SubstanceClass:
    """A class of medicines or substances, recognised by any of its members' names.

    >>> opioids = SubstanceClass("opioids", "opioids", "an opioid", ("opioid",),
    ...     (Member("oxycodone", ("OxyContin", "Percocet")), Member("tramadol")), "LABEL")
    >>> opioids.member_in("Percocet 5/325").name, opioids.member_in("an opioid")
    ('oxycodone', None)
    >>> opioids.examples()
    'oxycodone (OxyContin, Percocet), tramadol'
    """

    slug: str
    name: str
    singular: str
    terms: tuple[str, ...]
    members: tuple[Member, ...]
    source: str
    note: str = ""
    assumption: bool = False
    interaction: ClassInteraction | None = None

    @property
    def names(self) -> tuple[str, ...]:
        """Every name that means this class: its terms, then each member's names."""
        return (*self.terms, *(name for m in self.members for name in m.names))

    def member_in(self, text: str) -> Member | None:
        """The member named in ``text`` (the longest name found), or None (a class term only)."""
        index = PhraseIndex((name, m) for m in self.members for name in m.names)
        found = sorted(index.find(text), key=lambda match: -match.length)
        return found[0].targets[0] if found else None

    def examples(self, count: int = 6, brands: int = 2) -> str:
        """The first ``count`` members, each with up to ``brands`` other names.

        A class of one member (alcohol) lists that member's other names instead.
        """
        if len(self.members) == 1:
            return ", ".join(self.members[0].also[:count] or (self.members[0].name,))
        parts = []
        for member in self.members[:count]:
            others = member.also[:brands]
            parts.append(f"{member.name} ({', '.join(others)})" if others else member.name)
        return ", ".join(parts)
