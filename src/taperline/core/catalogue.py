"""The drug catalogue: cited PK values, equivalences, dose bands, products, interactions, cautions.

It also holds the substance classes (opioids, gabapentinoids, benzodiazepines, alcohol ...), each
with its members' generic and brand names and a source: :class:`SubstanceClass`.

Pure: :func:`parse_catalogue` takes the already-read mapping (from TOML) and returns a
validated :class:`Catalogue`, or raises :class:`~taperline.errors.CatalogueError` naming the
row and the field, e.g. ``drugs.toml: drug 'clonazepam', products[2]: strength ...``.
Row indices are zero-based, as in TOML/JSON paths. Reading the file is the adapter's job
(:mod:`taperline.catalogue_data`).

Every clinical value carries a source id from docs/clinical-basis.md (:data:`KNOWN_SOURCES`);
values we could not confirm carry ``assumption=True`` and a note.

Choices made here (documented for the commands built on top):

* Dose bands are intervals whose ends say whether they are included; a dose below the lowest
  band, or in no band, gets ``None`` from :meth:`Drug.band_for`.
* :meth:`Drug.find_interactions` and :meth:`Drug.find_cautions` look for the agent (or the
  condition slug), its aliases, its group and, for an interaction that names a class, every
  generic and brand name of the class, as whole words anywhere in the name typed (the rules of
  :mod:`taperline.core.words`: case, punctuation and plurals do not matter, the longest match
  wins). For one name, interactions of the same kind are reduced to the most severe, and on a
  tie to the one that names the agent itself rather than its class ("carbamazepine" [LAI-1978]
  over "CYP3A inducers" [LABEL]). Unknown names are not an error (an unknown agent is not a
  safe agent, but it is not bad input either): ask for them with :meth:`Drug.unmatched_agents`
  / :meth:`Drug.unmatched_conditions` and report them. :mod:`taperline.core.screening` is the
  one place that turns all this into findings.
* A class's own interaction (``[classes.interaction]``) is copied into every drug whose
  ``drug_class`` it applies to, unless the drug has its own row for that class.
* A drug has one daily maximum, or one per indication (:class:`DailyMaximum`); then
  ``daily_max_mg`` is the lowest of them, the one that applies when the reason is not known.
* ``cl_l_per_h`` and ``v_l`` are apparent values (CL/F, V/F) when ``pk_apparent`` is true; then
  :meth:`Drug.pk_params` uses bioavailability 1.0 so the dose is not scaled by F twice.

>>> band = DoseBand("low", Mass.of_mg("0.25"), Mass.of_mg("0.5"), "mild", "tolerance", "ASHTON")
>>> band.contains(Mass.of_mg("0.5")), band.contains(Mass.of_mg("0.6"))
(True, False)
"""

from __future__ import annotations

import difflib
import itertools
import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import TYPE_CHECKING, Final, Generic, Literal, TypeVar, cast, get_args

from taperline.core.pk import PKParams
from taperline.core.products import Product, ProductForm
from taperline.core.quantity import (
    Concentration,
    Mass,
    Volume,
    check_plausible,
    drug_label,
    fmt,
    parse_dose,
    parse_quantity,
)
from taperline.core.words import PhraseIndex, phrase_key
from taperline.errors import (
    CatalogueError,
    InputError,
    QuantityError,
    SafetyError,
    UnknownDrugError,
)

if TYPE_CHECKING:
    from taperline.core.population import Variability

__all__ = [
    "DIAZEPAM_REFERENCE",
    "FACT_TOPICS",
    "INDICATIONS",
    "KNOWN_SOURCES",
    "Catalogue",
    "Caution",
    "CautionSeverity",
    "Cited",
    "ClassInteraction",
    "DailyMaximum",
    "DoseBand",
    "Drug",
    "DrugClass",
    "Equivalence",
    "Fact",
    "Indication",
    "Interaction",
    "InteractionKind",
    "InteractionSeverity",
    "Member",
    "Range",
    "SleepUse",
    "Sourced",
    "SubstanceClass",
    "parse_catalogue",
]

#: Source ids of docs/clinical-basis.md's Sources table ("LAI-1978 / KAPLAN-1980" is split in
#: two), plus the ids proposed in src/taperline/data/SOURCES-ADDED.md.
KNOWN_SOURCES: Final[frozenset[str]] = frozenset(
    {
        "ASAM-2025",
        "ASHTON",
        "NICE-CKS",
        "DEPRESCRIBING-2018",
        "MAUDSLEY-2024",
        "LABEL",
        "GREENBLATT-2005",
        "BERLIN-1975",
        "CARNEY-2012",
        "SPIELMAN-1987",
        "KROENKE-2001",
        "ISMP",
        "KRUIZINGA-2022",
        "YUKAWA-2002",
        "CREVOISIER-2003",
        "LAI-1978",
        "KAPLAN-1980",
        "FUJITA-1999",
        "KLOTZ-1975",
        "TDM",
        "BEERS-2023",
        "SEED-INSOMNIA",
        "SEED-AURA",
        "SEED-MINDED",
        "SEED-MICROTAPER",
        # Added with the catalogue (SOURCES-ADDED.md):
        "VADOD-2021",
        "RXNORM",
        "USP-COMPOUNDED",
        "RIVOTRIL-DROPS",
        "LABEL-DIAZEPAM",
        "LABEL-LORAZEPAM",
        "LABEL-ALPRAZOLAM",
        "LABEL-TEMAZEPAM",
        "LABEL-OXAZEPAM",
        "LABEL-CHLORDIAZEPOXIDE",
        "LABEL-ZOLPIDEM",
        "FDA-GABAPENTINOIDS",
        "FDA-DDI-TABLE",
    }
)

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
_SEVERITY_RANK: Final[dict[str, int]] = {"minor": 0, "moderate": 1, "major": 2}
_SLUG_RE: Final = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_RXNORM_RE: Final = re.compile(r"^\d{1,10}$")
_MAX_CV: Final = 2.0  # taperline's sanity limit: a CV above 200 % is a typo, not a population


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


# --- the drug ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Drug:
    """Everything the catalogue holds about one drug, each value with its source."""

    name: str
    brand_names: tuple[str, ...]
    drug_class: DrugClass
    half_life_h: Range
    min_plausible_mg: Mass
    max_plausible_mg: Mass
    plausible_basis: Cited
    active_metabolite_half_life_h: Range | None = None
    tmax_h: Range | None = None
    ka_per_h: Sourced[float] | None = None
    bioavailability: Sourced[float] | None = None
    cl_l_per_h: Sourced[float] | None = None
    v_l: Sourced[float] | None = None
    pk_apparent: bool = True
    cv_cl: Sourced[float] | None = None
    cv_v: Sourced[float] | None = None
    cv_ka: Sourced[float] | None = None
    equivalences: tuple[Equivalence, ...] = ()
    daily_max_mg: Sourced[Mass] | None = None
    dose_bands: tuple[DoseBand, ...] = ()
    products: tuple[Product, ...] = ()
    rxnorm_ingredient: Sourced[str] | None = None
    rxnorm_source: str | None = None
    interactions: tuple[Interaction, ...] = ()
    cautions: tuple[Caution, ...] = ()
    facts: tuple[Fact, ...] = ()
    sleep_use: SleepUse | None = None
    daily_maxima: tuple[DailyMaximum, ...] = ()  # by indication; daily_max_mg is the lowest
    _indexes: dict[str, object] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )  # phrase indexes of the interactions and cautions, built on first use

    @property
    def label(self) -> str:
        """The name with ISMP tall-man lettering, e.g. 'clonazePAM' [ISMP]."""
        return drug_label(self.name)

    def pk_params(self) -> PKParams:
        """One-compartment parameters for the PK engine.

        With apparent CL/F and V/F (``pk_apparent``) bioavailability is 1.0, because F is
        already inside them; otherwise the catalogue's F is used.

        Raises:
            InputError: the catalogue lacks ka, CL or V for this drug.
        """
        missing = [
            name
            for name, value in (
                ("ka_per_h", self.ka_per_h),
                ("cl_l_per_h", self.cl_l_per_h),
                ("v_l", self.v_l),
            )
            if value is None
        ]
        if missing or self.ka_per_h is None or self.cl_l_per_h is None or self.v_l is None:
            raise InputError(
                f"the catalogue has no PK model for {self.label}: missing {', '.join(missing)}"
            )
        f = 1.0
        if not self.pk_apparent and self.bioavailability is not None:
            f = self.bioavailability.value
        return PKParams(self.ka_per_h.value, self.cl_l_per_h.value, self.v_l.value, f)

    def pk_sources(self) -> dict[str, str]:
        """The source id of each PK value the catalogue holds, by parameter name.

        >>> Drug("x", (), "z-drug", Range(2.0, 1.0, 3.0, "ASHTON"), Mass.of_mg(1),
        ...      Mass.of_mg(10), Cited("LABEL")).pk_sources()
        {'half_life_h': 'ASHTON'}
        """
        values: dict[str, Range | Sourced[float] | None] = {
            "half_life_h": self.half_life_h,
            "tmax_h": self.tmax_h,
            "ka_per_h": self.ka_per_h,
            "bioavailability": self.bioavailability,
            "cl_l_per_h": self.cl_l_per_h,
            "v_l": self.v_l,
            "cv_cl": self.cv_cl,
            "cv_v": self.cv_v,
            "cv_ka": self.cv_ka,
        }
        return {name: value.source for name, value in values.items() if value is not None}

    def variability(self) -> Variability:
        """Between-person CVs for the population model; the model's defaults where unknown."""
        from taperline.core.population import Variability

        defaults = Variability()
        return Variability(
            cv_cl=self.cv_cl.value if self.cv_cl else defaults.cv_cl,
            cv_v=self.cv_v.value if self.cv_v else defaults.cv_v,
            cv_ka=self.cv_ka.value if self.cv_ka else defaults.cv_ka,
        )

    def check_single_dose(self, dose: Mass) -> None:
        """Refuse an implausible single dose (a likely mcg/mg slip).

        Raises:
            ImplausibleDoseError: outside the drug's plausible single-dose limits.
        """
        check_plausible(
            dose,
            drug=self.name,
            min_mg=self.min_plausible_mg.mg,
            max_mg=self.max_plausible_mg.mg,
        )

    def check_daily_dose(self, total: Mass, indication: Indication | None = None) -> None:
        """Refuse a total daily dose above the daily maximum for ``indication``.

        Without an indication the lowest maximum applies (see :meth:`daily_maximum_for`).

        Raises:
            SafetyError: above the daily maximum; the message names the source and for whom.
        """
        limit = self.daily_maximum_for(indication)
        if limit is not None and total.mg > limit.max_mg.mg:
            raise SafetyError(
                f"{fmt(total)} of {self.label} a day is above the daily maximum of "
                f"{fmt(limit.max_mg)} for {limit.applies_to} [{limit.source}]"
            )

    def daily_maximum_for(self, indication: Indication | None) -> DailyMaximum | None:
        """The daily maximum that applies for ``indication``, and to whom.

        With maxima by indication, an indication the catalogue has no maximum for (or None)
        gets the lowest one: the most conservative. A drug with a single ``daily_max_mg``
        gets it whatever the indication. None when the catalogue holds no maximum.

        >>> from taperline.catalogue_data import load_catalogue
        >>> drug = load_catalogue().get("clonazepam")
        >>> [fmt(drug.daily_maximum_for(i).max_mg) for i in ("seizure", "panic", None)]
        ['20 mg', '4 mg', '4 mg']
        >>> drug.daily_maximum_for(None).applies_to
        'anyone whose reason for taking it is not known (the lowest maximum, as for adults with panic disorder)'
        """  # noqa: E501 -- a doctest line reads better whole
        for maximum in self.daily_maxima:
            if indication is not None and maximum.indication == indication:
                return maximum
        if self.daily_maxima:
            lowest = min(self.daily_maxima, key=lambda m: m.max_mg.mg)
            return replace(
                lowest,
                indication=None,
                applies_to=(
                    "anyone whose reason for taking it is not known (the lowest maximum, as "
                    f"for {lowest.applies_to})"
                ),
            )
        limit = self.daily_max_mg
        if limit is None:
            return None
        return DailyMaximum(
            None, limit.value, "everyone (the catalogue holds one maximum)", limit.source,
            limit.note, limit.assumption,
        )  # fmt: skip

    def daily_max_for(self, indication: Indication | None) -> Sourced[Mass] | None:
        """The daily maximum for ``indication`` as a sourced mass (see :meth:`daily_maximum_for`).

        >>> from taperline.catalogue_data import load_catalogue
        >>> limit = load_catalogue().get("clonazepam").daily_max_for("seizure")
        >>> fmt(limit.value), limit.source
        ('20 mg', 'LABEL')
        """
        maximum = self.daily_maximum_for(indication)
        return None if maximum is None else maximum.sourced

    def band_for(self, daily_dose: Mass) -> DoseBand | None:
        """The dose band a total daily dose falls in, or None (below or outside every band).

        >>> _EXAMPLE.band_for(Mass.of_mg("0.5")).name, _EXAMPLE.band_for(Mass.of_mg("0.1"))
        ('low', None)
        """
        return next((band for band in self.dose_bands if band.contains(daily_dose)), None)

    def equivalence(self, source: str | None = None) -> Equivalence:
        """The equivalence to diazepam 10 mg from ``source`` (default: the first listed).

        Raises:
            InputError: no equivalence (from that source) for this drug; names the sources.

        >>> _EXAMPLE.equivalence("ashton").source
        'ASHTON'
        """
        if not self.equivalences:
            raise InputError(f"the catalogue has no diazepam equivalence for {self.label}")
        if source is None:
            return self.equivalences[0]
        for eq in self.equivalences:
            if eq.source.casefold() == source.strip().casefold():
                return eq
        known = ", ".join(eq.source for eq in self.equivalences)
        raise InputError(
            f"no equivalence for {self.label} from source {source!r}; available: {known}"
        )

    def diazepam_equivalent(self, dose: Mass, source: str | None = None) -> Mass:
        """The diazepam dose equivalent to ``dose`` of this drug, by ``source``'s equivalence.

        >>> fmt(_EXAMPLE.diazepam_equivalent(Mass.of_mg(1))), fmt(
        ...     _EXAMPLE.diazepam_equivalent(Mass.of_mg(1), "VADOD-2021"))
        ('20 mg', '10 mg')
        """
        eq = self.equivalence(source)
        return Mass.of_mg(dose.mg * DIAZEPAM_REFERENCE.mg / eq.dose_mg.mg)

    def from_diazepam_equivalent(self, diazepam: Mass, source: str | None = None) -> Mass:
        """The dose of this drug equivalent to ``diazepam`` mg of diazepam.

        >>> fmt(_EXAMPLE.from_diazepam_equivalent(Mass.of_mg(5)))
        '0.25 mg'
        """
        eq = self.equivalence(source)
        return Mass.of_mg(diazepam.mg * eq.dose_mg.mg / DIAZEPAM_REFERENCE.mg)

    def parse_dose(self, text: str) -> Mass:
        """Parse one dose of this drug, refusing implausible amounts (mcg/mg slips)."""
        return parse_dose(
            text,
            drug=self.name,
            min_plausible_mg=self.min_plausible_mg.mg,
            max_plausible_mg=self.max_plausible_mg.mg,
        )

    def interaction_index(self) -> PhraseIndex[tuple[int, bool]]:
        """Every name of every interaction -> (row number, named by the row, not its class)."""
        index = self._indexes.get("interactions")
        if index is None:
            entries = [
                (name, (i, own))
                for i, row in enumerate(self.interactions)
                for own, names in ((True, row.own_names), (False, row.class_names))
                for name in names
            ]
            index = self._indexes["interactions"] = PhraseIndex(entries)
        return cast("PhraseIndex[tuple[int, bool]]", index)

    def caution_index(self) -> PhraseIndex[int]:
        """Every name of every caution (slug as words, aliases) -> its row number."""
        index = self._indexes.get("cautions")
        if index is None:
            entries = [(name, i) for i, row in enumerate(self.cautions) for name in row.names]
            index = self._indexes["cautions"] = PhraseIndex(entries)
        return cast("PhraseIndex[int]", index)

    def interactions_for(self, name: str) -> tuple[Interaction, ...]:
        """The interactions one name mentions, one per kind, in file order.

        Of the same kind the most severe is kept; on a tie the row naming the agent itself
        wins over the row of its class (several rows may remain when they tie again).

        >>> [i.agent for i in _EXAMPLE.interactions_for("Oxycodone 10 mg and tea")]
        ['opioids']
        """
        found: dict[int, bool] = {}
        for match in self.interaction_index().find(name):
            for row, own in match.targets:
                found[row] = found.get(row, False) or own
        ranked = {row: (_SEVERITY_RANK[self.interactions[row].severity], own)
                  for row, own in found.items()}  # fmt: skip
        top: dict[str, tuple[int, bool]] = {}
        for row, rank in ranked.items():
            kind = self.interactions[row].kind
            top[kind] = max(top.get(kind, rank), rank)
        return tuple(
            self.interactions[row]
            for row in sorted(found)
            if ranked[row] == top[self.interactions[row].kind]
        )

    def cautions_for(self, name: str) -> tuple[Caution, ...]:
        """The cautions one condition mentions, in file order.

        The longest match wins: "narrow-angle glaucoma" is not also plain "glaucoma".

        >>> from taperline.catalogue_data import load_catalogue
        >>> drug = load_catalogue().get("clonazepam")
        >>> [c.condition for c in drug.cautions_for("Glaucoma (narrow angle), cirrhosis")]
        ['liver-disease', 'narrow-angle-glaucoma']
        """
        rows = {row for match in self.caution_index().find(name) for row in match.targets}
        return tuple(self.cautions[row] for row in sorted(rows))

    def find_interactions(self, agents: Iterable[str]) -> tuple[tuple[str, Interaction], ...]:
        """Pairs (name as given, interaction) for every catalogued interaction a name mentions.

        >>> [(name, i.agent) for name, i in _EXAMPLE.find_interactions(["Oxycodone", "tea"])]
        [('Oxycodone', 'opioids')]
        >>> _EXAMPLE.unmatched_agents(["Oxycodone", "tea"])
        ('tea',)
        """
        return tuple((a, i) for a in agents for i in self.interactions_for(a))

    def unmatched_agents(self, agents: Iterable[str]) -> tuple[str, ...]:
        """The names that mention no catalogued interaction (report them, never drop them).

        Class members the drug has no interaction for are among them: see
        :func:`taperline.core.screening.screen` for the class they belong to.
        """
        return tuple(a for a in agents if not self.interactions_for(a))

    def find_cautions(self, conditions: Iterable[str]) -> tuple[tuple[str, Caution], ...]:
        """Pairs (name as given, caution) for every catalogued caution a condition mentions."""
        return tuple((c, k) for c in conditions for k in self.cautions_for(c))

    def unmatched_conditions(self, conditions: Iterable[str]) -> tuple[str, ...]:
        """The conditions that mention no catalogued caution."""
        return tuple(c for c in conditions if not self.cautions_for(c))

    def facts_about(self, topic: str) -> tuple[Fact, ...]:
        """The facts on one topic, in file order."""
        return tuple(fact for fact in self.facts if fact.topic == topic)


# --- the catalogue ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Catalogue:
    """All drugs plus the catalogue-wide withdrawal-risk bands (diazepam-equivalent mg/day)."""

    drugs: Mapping[str, Drug]
    withdrawal_risk_bands: tuple[DoseBand, ...]
    significant_use_months: Sourced[float]
    significant_use_days_per_week: Sourced[float]
    schema_version: int = 1
    classes: Mapping[str, SubstanceClass] = field(
        default_factory=lambda: MappingProxyType({})
    )  # substance classes by slug, in file order
    _cache: dict[str, object] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )  # values derived from the catalogue, built on first use (see cached)

    @property
    def names(self) -> tuple[str, ...]:
        """The drug names, sorted."""
        return tuple(sorted(self.drugs))

    def cached(self, key: str, build: Callable[[], _T]) -> _T:
        """A value derived from this catalogue (e.g. a phrase index), built once per ``key``.

        >>> from taperline.catalogue_data import load_catalogue
        >>> load_catalogue().cached("doctest.names", lambda: 42)
        42
        """
        if key not in self._cache:
            self._cache[key] = build()
        return cast("_T", self._cache[key])

    def substance_class(self, slug: str) -> SubstanceClass:
        """A substance class by slug.

        Raises:
            InputError: no such class; names the known ones.

        >>> from taperline.catalogue_data import load_catalogue
        >>> load_catalogue().substance_class("opioids").singular
        'an opioid'
        """
        try:
            return self.classes[slug]
        except KeyError:
            known = ", ".join(self.classes)
            raise InputError(f"no substance class {slug!r}; known: {known}") from None

    def get(self, name: str) -> Drug:
        """A drug by name or brand name, ignoring case.

        Raises:
            UnknownDrugError: names the known drugs and suggests a close match.
        """
        index = self._index()
        key = name.strip().casefold()
        if key in index:
            return self.drugs[index[key]]
        close = difflib.get_close_matches(key, list(index), n=1, cutoff=0.6)
        hint = f" Did you mean {index[close[0]]!r}?" if close else ""
        raise UnknownDrugError(
            f"unknown drug {name.strip()!r}.{hint} Known drugs: {', '.join(self.names)}"
        )

    def _index(self) -> dict[str, str]:
        index = {name.casefold(): name for name in self.drugs}
        for drug in self.drugs.values():
            index.update({brand.casefold(): drug.name for brand in drug.brand_names})
        return index

    def withdrawal_risk_band(self, diazepam_equivalent: Mass) -> DoseBand | None:
        """The ASAM-2025 withdrawal-risk band of a daily dose in diazepam equivalents."""
        return next(
            (b for b in self.withdrawal_risk_bands if b.contains(diazepam_equivalent)), None
        )

    def withdrawal_risk(
        self, drug: str, daily_dose: Mass, source: str | None = None
    ) -> DoseBand | None:
        """The withdrawal-risk band of a daily dose of ``drug`` (converted by ``source``)."""
        return self.withdrawal_risk_band(self.get(drug).diazepam_equivalent(daily_dose, source))


# --- parsing and validation -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Row:
    """One table of the file being validated, with its path for error messages."""

    origin: str
    path: str
    data: Mapping[str, object]

    def fail(self, message: str) -> CatalogueError:
        return CatalogueError(f"{self.origin}: {self.path}: {message}")

    def check_keys(self, required: Iterable[str], optional: Iterable[str] = ()) -> None:
        required, allowed = set(required), set(required) | set(optional)
        if missing := sorted(required - set(self.data)):
            raise self.fail(f"missing required key {missing[0]!r}")
        if unknown := sorted(set(self.data) - allowed):
            close = difflib.get_close_matches(unknown[0], sorted(allowed), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise self.fail(f"unknown key {unknown[0]!r}{hint}")

    def child(self, key: str, label: str | None = None) -> _Row:
        value = self.data[key]
        if not isinstance(value, Mapping):
            raise self.fail(f"{key} must be a table, got {_kind(value)}")
        return _Row(
            self.origin, f"{self.path}, {label or key}", cast("Mapping[str, object]", value)
        )

    def children(self, key: str) -> tuple[_Row, ...]:
        value = self.data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
            raise self.fail(f"{key} must be a list of tables ([[...{key}]])")
        return tuple(
            _Row(self.origin, f"{self.path}, {key}[{i}]", cast("Mapping[str, object]", v))
            for i, v in enumerate(value)
        )

    def text(self, key: str, default: str | None = None) -> str:
        value = self.data.get(key, default)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(f"{key} must be non-empty text, got {_kind(value)}")
        return value.strip()

    def texts(self, key: str) -> tuple[str, ...]:
        value = self.data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise self.fail(f"{key} must be a list of text")
        return tuple(cast("list[str]", value))

    def flag(self, key: str, *, default: bool = False) -> bool:
        value = self.data.get(key, default)
        if not isinstance(value, bool):
            raise self.fail(f"{key} must be true or false, got {_kind(value)}")
        return value

    def number(self, key: str) -> float:
        value = self.data[key]
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(f"{key} must be a number, got {_kind(value)}")
        if not math.isfinite(value):
            raise self.fail(f"{key} must be a finite number, got {value!r}")
        return float(value)

    def integer(self, key: str, default: int) -> int:
        value = self.data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(f"{key} must be a whole number, got {_kind(value)}")
        return value

    def source(self, key: str = "source") -> str:
        source = self.text(key)
        if source not in KNOWN_SOURCES:
            close = difflib.get_close_matches(source, sorted(KNOWN_SOURCES), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise self.fail(
                f"{key} {source!r} is not a known source id{hint}; add it to clinical-basis.md "
                "and KNOWN_SOURCES first"
            )
        return source

    def quantity(self, key: str) -> Mass | Volume | Concentration:
        value = self.data[key]
        if not isinstance(value, str):
            raise self.fail(f"{key} must be text with a unit, such as '0.5 mg', got {_kind(value)}")
        try:
            return parse_quantity(value)
        except QuantityError as exc:
            raise self.fail(f"{key}: {exc}") from exc

    def mass(self, key: str) -> Mass:
        value = self.quantity(key)
        if not isinstance(value, Mass):
            raise self.fail(f"{key} {self.data[key]!r} must be a mass such as '0.5 mg'")
        if key.endswith("_mg") and value.unit != "mg":
            raise self.fail(
                f"{key} is in mg (the key says so) but the value {self.data[key]!r} is in "
                f"{value.unit}; write it in mg"
            )
        return value


def _kind(value: object) -> str:
    return "nothing" if value is None else f"{type(value).__name__} {value!r}"


_CITE_KEYS: Final = ("note", "assumption")


def _sourced_number(row: _Row, key: str, check: Callable[[float], str | None]) -> Sourced[float]:
    cell = row.child(key)
    cell.check_keys(["value", "source"], _CITE_KEYS)
    value = cell.number("value")
    if (problem := check(value)) is not None:
        raise cell.fail(f"value {value!r} {problem}")
    return Sourced(value, cell.source(), _note(cell), cell.flag("assumption"))


def _positive(value: float) -> str | None:
    return None if value > 0 else "must be above zero"


def _fraction(value: float) -> str | None:
    return None if 0 < value <= 1 else "must be above 0 and at most 1"


def _cv(value: float) -> str | None:
    return None if 0 <= value <= _MAX_CV else f"must be between 0 and {_MAX_CV} (a fraction)"


def _optional(row: _Row, key: str, parse: Callable[[_Row, str], _T]) -> _T | None:
    return parse(row, key) if key in row.data else None


def _note(row: _Row) -> str:
    return row.text("note") if "note" in row.data else ""


def _parse_range(row: _Row, key: str) -> Range:
    cell = row.child(key)
    cell.check_keys(["typical", "low", "high", "source"], _CITE_KEYS)
    typical, low, high = cell.number("typical"), cell.number("low"), cell.number("high")
    if low <= 0:
        raise cell.fail(f"low {low!r} must be above zero")
    if not low <= typical <= high:
        raise cell.fail(f"needs low <= typical <= high, got {low!r}, {typical!r}, {high!r}")
    return Range(typical, low, high, cell.source(), cell.flag("assumption"), _note(cell))


def _parse_sourced_mass(row: _Row, key: str) -> Sourced[Mass]:
    cell = row.child(key)
    cell.check_keys(["value", "source"], _CITE_KEYS)
    value = cell.mass("value")
    if key.endswith("_mg") and value.unit != "mg":
        raise cell.fail(f"value {cell.data['value']!r} is in {value.unit} but {key} is in mg")
    if value.mg <= 0:
        raise cell.fail(f"value {cell.data['value']!r} must be above zero")
    return Sourced(value, cell.source(), _note(cell), cell.flag("assumption"))


def _parse_sourced_code(row: _Row, key: str) -> Sourced[str]:
    cell = row.child(key)
    cell.check_keys(["value", "source"], _CITE_KEYS)
    code = cell.data["value"]
    if not isinstance(code, str) or not _RXNORM_RE.match(code):
        raise cell.fail(f"value {code!r} must be an RxNorm code: digits written as text")
    return Sourced(code, cell.source(), _note(cell), cell.flag("assumption"))


def _parse_band(row: _Row) -> DoseBand:
    row.check_keys(
        ["name", "low_mg", "effects", "risks", "source"],
        ["high_mg", "includes_low", "includes_high", *_CITE_KEYS],
    )
    low = row.mass("low_mg")
    high = row.mass("high_mg") if "high_mg" in row.data else None
    if high is not None and high.mg <= low.mg:
        raise row.fail(f"high_mg {row.data['high_mg']!r} must be above low_mg")
    return DoseBand(
        name=row.text("name"),
        low_mg=low,
        high_mg=high,
        effects=row.text("effects"),
        risks=row.text("risks"),
        source=row.source(),
        includes_low=row.flag("includes_low", default=True),
        includes_high=row.flag("includes_high", default=True),
        assumption=row.flag("assumption"),
        note=_note(row),
    )


def _parse_bands(row: _Row, key: str) -> tuple[DoseBand, ...]:
    rows = row.children(key)
    bands = tuple(_parse_band(r) for r in rows)
    for (prev, band), r in zip(itertools.pairwise(bands), rows[1:], strict=False):
        if prev.high_mg is None:
            raise r.fail(f"band {band.name!r} follows the open-ended band {prev.name!r}")
        if band.low_mg.mg != prev.high_mg.mg or band.includes_low == prev.includes_high:
            raise r.fail(
                f"band {band.name!r} must start where {prev.name!r} ends, with the shared "
                "boundary in exactly one of them (includes_low / includes_high)"
            )
    names = [b.name for b in bands]
    if len(set(names)) != len(names):
        raise row.fail(f"{key}: band names must be unique, got {names}")
    return bands


def _parse_equivalence(row: _Row) -> Equivalence:
    row.check_keys(["dose_mg", "source"], _CITE_KEYS)
    dose = row.mass("dose_mg")
    if dose.mg <= 0:
        raise row.fail(f"dose_mg {row.data['dose_mg']!r} must be above zero")
    return Equivalence(dose, row.source(), _note(row), row.flag("assumption"))


_FORMS: Final[frozenset[str]] = frozenset(get_args(ProductForm))
_PRODUCT_KEYS: Final = (
    "strength",
    "divisible_by",
    "concentration",
    "resolution",
    "rxnorm",
    "compounded",
    "suspension",
    *_CITE_KEYS,
)


def _parse_product(row: _Row) -> Product:
    row.check_keys(["form", "source"], _PRODUCT_KEYS)
    form = row.text("form")
    if form not in _FORMS:
        raise row.fail(f"form {form!r} is not one of {', '.join(sorted(_FORMS))}")
    rxnorm = row.data.get("rxnorm")
    if rxnorm is not None and (not isinstance(rxnorm, str) or not _RXNORM_RE.match(rxnorm)):
        raise row.fail(f"rxnorm {rxnorm!r} must be an RxNorm code: digits written as text")
    try:
        if form == "liquid":
            return _parse_liquid(row, rxnorm)
        row.check_keys(["form", "source", "strength"], _PRODUCT_KEYS)
        strength = row.mass("strength")
        if strength.mg <= 0:
            raise row.fail(f"strength {row.data['strength']!r} must be above zero")
        return Product(
            form=cast("ProductForm", form),
            strength=strength,
            source=row.source(),
            divisible_by=row.integer("divisible_by", 1),
            rxnorm=rxnorm,
            compounded=row.flag("compounded"),
        )
    except InputError as exc:
        raise row.fail(str(exc)) from exc


def _parse_liquid(row: _Row, rxnorm: str | None) -> Product:
    row.check_keys(["form", "source", "concentration", "resolution"], _PRODUCT_KEYS)
    conc, res = row.quantity("concentration"), row.quantity("resolution")
    if not isinstance(conc, Concentration) or conc.mg_per_ml <= 0:
        raise row.fail(f"concentration {row.data['concentration']!r} must be above zero, in mg/mL")
    if not isinstance(res, Volume) or res.ml <= 0:
        raise row.fail(f"resolution {row.data['resolution']!r} must be a volume above zero, in mL")
    return Product.liquid(
        conc,
        res,
        source=row.source(),
        compounded=row.flag("compounded", default=True),
        suspension=row.flag("suspension", default=True),
        rxnorm=rxnorm,
    )


_KINDS: Final[frozenset[str]] = frozenset(get_args(InteractionKind))
_SEVERITIES: Final[frozenset[str]] = frozenset(get_args(InteractionSeverity))


def _kind_and_severity(row: _Row) -> tuple[InteractionKind, InteractionSeverity]:
    kind, severity = row.text("kind"), row.text("severity")
    if kind not in _KINDS:
        raise row.fail(f"kind {kind!r} is not one of {', '.join(sorted(_KINDS))}")
    if severity not in _SEVERITIES:
        raise row.fail(f"severity {severity!r} is not one of {', '.join(sorted(_SEVERITIES))}")
    return cast("InteractionKind", kind), cast("InteractionSeverity", severity)


def _parse_interaction(row: _Row, classes: Mapping[str, SubstanceClass]) -> Interaction:
    row.check_keys(
        ["agent", "group", "kind", "severity", "effect", "advice", "source"],
        ["aliases", "class", *_CITE_KEYS],
    )
    kind, severity = _kind_and_severity(row)
    slug = row.text("class") if "class" in row.data else ""
    if slug and slug not in classes:
        close = difflib.get_close_matches(slug, list(classes), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise row.fail(f"class {slug!r} is not a known substance class{hint}")
    return Interaction(
        agent=row.text("agent"),
        aliases=row.texts("aliases"),
        group=row.text("group"),
        kind=kind,
        severity=severity,
        effect=row.text("effect"),
        advice=row.text("advice"),
        source=row.source(),
        note=_note(row),
        assumption=row.flag("assumption"),
        agent_class=slug,
        class_names=classes[slug].names if slug else (),
        class_examples=classes[slug].examples() if slug else "",
    )


_CAUTION_SEVERITIES: Final[frozenset[str]] = frozenset(get_args(CautionSeverity))


def _parse_caution(row: _Row) -> Caution:
    row.check_keys(
        ["condition", "message", "source"],
        ["aliases", "severity", "contraindication", *_CITE_KEYS],
    )
    slug = row.text("condition")
    if not _SLUG_RE.match(slug):
        raise row.fail(f"condition {slug!r} must be a slug such as 'sleep-apnea'")
    contraindication = row.flag("contraindication")
    severity = row.text("severity", "urgent" if contraindication else "warning")
    if severity not in _CAUTION_SEVERITIES:
        raise row.fail(f"severity {severity!r} is not one of urgent, warning, info")
    if contraindication and severity != "urgent":
        raise row.fail("a contraindication is urgent: leave severity out or make it 'urgent'")
    return Caution(
        slug,
        row.texts("aliases"),
        row.text("message"),
        row.source(),
        _note(row),
        row.flag("assumption"),
        cast("CautionSeverity", severity),
        contraindication,
    )


def _parse_daily_maximum(row: _Row) -> DailyMaximum:
    row.check_keys(["indication", "max_mg", "applies_to", "source"], _CITE_KEYS)
    indication = row.text("indication")
    if indication not in INDICATIONS:
        raise row.fail(f"indication {indication!r} is not one of {', '.join(INDICATIONS)}")
    value = row.mass("max_mg")
    if value.mg <= 0:
        raise row.fail(f"max_mg {row.data['max_mg']!r} must be above zero")
    return DailyMaximum(
        indication,
        value,
        row.text("applies_to"),
        row.source(),
        _note(row),
        row.flag("assumption"),
    )


def _parse_maxima(row: _Row) -> tuple[tuple[DailyMaximum, ...], Sourced[Mass] | None]:
    """The maxima by indication and the single (or lowest) daily maximum."""
    single = _optional(row, "daily_max_mg", _parse_sourced_mass)
    rows = row.children("daily_maxima")
    maxima = tuple(_parse_daily_maximum(r) for r in rows)
    if not maxima:
        return (), single
    if single is not None:
        raise row.fail("give daily_max_mg or daily_maxima, not both")
    indications = [m.indication for m in maxima]
    if len(set(indications)) != len(indications):
        raise row.fail(f"daily_maxima: one maximum per indication, got {indications}")
    lowest = min(maxima, key=lambda m: m.max_mg.mg)
    return maxima, lowest.sourced


def _parse_member(row: _Row) -> Member:
    row.check_keys(["name"], ["also"])
    return Member(row.text("name"), row.texts("also"))


def _parse_class_interaction(row: _Row) -> ClassInteraction:
    cell = row.child("interaction")
    cell.check_keys(["applies_to", "kind", "severity", "effect", "advice", "source"], _CITE_KEYS)
    applies_to = cell.texts("applies_to")
    wrong = [c for c in applies_to if c not in get_args(DrugClass)]
    if not applies_to or wrong:
        raise cell.fail(f"applies_to must list drug classes of {get_args(DrugClass)}")
    kind, severity = _kind_and_severity(cell)
    return ClassInteraction(
        cast("tuple[DrugClass, ...]", applies_to),
        kind,
        severity,
        cell.text("effect"),
        cell.text("advice"),
        cell.source(),
        _note(cell),
        cell.flag("assumption"),
    )


def _parse_class(row: _Row) -> SubstanceClass:
    slug = row.text("slug") if "slug" in row.data else ""
    row = _Row(row.origin, f"class {slug!r}", row.data)
    row.check_keys(
        ["slug", "name", "singular", "members", "source"],
        ["terms", "interaction", *_CITE_KEYS],
    )
    if not _SLUG_RE.match(slug):
        raise row.fail(f"slug {slug!r} must be a slug such as 'opioids'")
    members = tuple(_parse_member(r) for r in row.children("members"))
    if not members:
        raise row.fail("members: a class needs at least one member")
    keys = [phrase_key(name) for m in members for name in m.names]
    if dupes := sorted({k for k in keys if keys.count(k) > 1}):
        raise row.fail(f"members: the name {dupes[0]!r} is listed twice")
    if empty := [name for m in members for name in m.names if not phrase_key(name)]:
        raise row.fail(f"members: {empty[0]!r} has no letters or digits to match")
    return SubstanceClass(
        slug=slug,
        name=row.text("name"),
        singular=row.text("singular"),
        terms=row.texts("terms"),
        members=members,
        source=row.source(),
        note=_note(row),
        assumption=row.flag("assumption"),
        interaction=_parse_class_interaction(row) if "interaction" in row.data else None,
    )


def _parse_classes(root: _Row) -> Mapping[str, SubstanceClass]:
    classes: dict[str, SubstanceClass] = {}
    for r in root.children("classes"):
        parsed = _parse_class(r)
        if parsed.slug in classes:
            raise r.fail(f"class {parsed.slug!r} is listed twice")
        classes[parsed.slug] = parsed
    return MappingProxyType(classes)


def _inherited(
    drug_class: DrugClass, rows: tuple[Interaction, ...], classes: Mapping[str, SubstanceClass]
) -> tuple[Interaction, ...]:
    """The class interactions that apply to a drug of ``drug_class`` without a row of its own."""
    own = {row.agent_class for row in rows}
    return tuple(
        Interaction(
            agent=c.name,
            aliases=(),
            group=c.name,
            kind=c.interaction.kind,
            severity=c.interaction.severity,
            effect=c.interaction.effect,
            advice=c.interaction.advice,
            source=c.interaction.source,
            note=c.interaction.note,
            assumption=c.interaction.assumption,
            agent_class=c.slug,
            class_names=c.names,
            class_examples=c.examples(),
        )
        for c in classes.values()
        if c.interaction is not None
        and drug_class in c.interaction.applies_to
        and c.slug not in own
    )


_MAX_BEFORE_BED_MIN: Final = 240  # taperline's sanity limit: more than 4 h is not "at bedtime"


def _parse_sleep_use(row: _Row, key: str) -> SleepUse:
    cell = row.child(key)
    cell.check_keys(
        [
            "low_mg",
            "high_mg",
            "before_bed_min",
            "short_term_low_weeks",
            "short_term_high_weeks",
            "source",
        ],
        _CITE_KEYS,
    )
    low, high = cell.mass("low_mg"), cell.mass("high_mg")
    if not 0 < low.mg < high.mg:
        raise cell.fail("needs 0 < low_mg < high_mg")
    before = cell.integer("before_bed_min", 0)
    if not 0 <= before <= _MAX_BEFORE_BED_MIN:
        raise cell.fail(f"before_bed_min must be 0-{_MAX_BEFORE_BED_MIN}, got {before}")
    weeks_low = cell.integer("short_term_low_weeks", 0)
    weeks_high = cell.integer("short_term_high_weeks", 0)
    if not 0 < weeks_low <= weeks_high:
        raise cell.fail("needs 0 < short_term_low_weeks <= short_term_high_weeks")
    return SleepUse(
        low,
        high,
        before,
        weeks_low,
        weeks_high,
        cell.source(),
        _note(cell),
        cell.flag("assumption"),
    )


def _parse_fact(row: _Row) -> Fact:
    row.check_keys(["topic", "text", "source"])
    topic = row.text("topic")
    if topic not in FACT_TOPICS:
        raise row.fail(f"topic {topic!r} is not one of {', '.join(sorted(FACT_TOPICS))}")
    return Fact(topic, row.text("text"), row.source())


def _parse_plausible(row: _Row) -> tuple[Mass, Mass, Cited]:
    cell = row.child("plausible_single_dose")
    cell.check_keys(["min_mg", "max_mg", "source", "note"], ["assumption"])
    low, high = cell.mass("min_mg"), cell.mass("max_mg")
    if not 0 < low.mg < high.mg:
        raise cell.fail("needs 0 < min_mg < max_mg")
    return low, high, Cited(cell.source(), cell.text("note"), cell.flag("assumption"))


_DRUG_REQUIRED: Final = (
    "name",
    "brand_names",
    "drug_class",
    "half_life_h",
    "plausible_single_dose",
)
_DRUG_OPTIONAL: Final = (
    "active_metabolite_half_life_h",
    "tmax_h",
    "ka_per_h",
    "bioavailability",
    "cl_l_per_h",
    "v_l",
    "pk_apparent",
    "cv_cl",
    "cv_v",
    "cv_ka",
    "equivalences",
    "daily_max_mg",
    "dose_bands",
    "products",
    "rxnorm_ingredient",
    "rxnorm_source",
    "interactions",
    "cautions",
    "facts",
    "sleep_use",
    "daily_maxima",
)


def _parse_drug(row: _Row, classes: Mapping[str, SubstanceClass]) -> Drug:
    name = row.text("name").lower()
    row = _Row(row.origin, f"drug {name!r}", row.data)
    row.check_keys(_DRUG_REQUIRED, _DRUG_OPTIONAL)
    drug_class = row.text("drug_class")
    if drug_class not in get_args(DrugClass):
        raise row.fail(f"drug_class {drug_class!r} is not one of {get_args(DrugClass)}")
    low, high, basis = _parse_plausible(row)
    maxima, daily_max = _parse_maxima(row)
    rows = tuple(_parse_interaction(r, classes) for r in row.children("interactions"))
    drug = Drug(
        name=name,
        brand_names=row.texts("brand_names"),
        drug_class=cast("DrugClass", drug_class),
        half_life_h=_parse_range(row, "half_life_h"),
        min_plausible_mg=low,
        max_plausible_mg=high,
        plausible_basis=basis,
        active_metabolite_half_life_h=_optional(row, "active_metabolite_half_life_h", _parse_range),
        tmax_h=_optional(row, "tmax_h", _parse_range),
        ka_per_h=_optional(row, "ka_per_h", _positive_number),
        bioavailability=_optional(row, "bioavailability", _fraction_number),
        cl_l_per_h=_optional(row, "cl_l_per_h", _positive_number),
        v_l=_optional(row, "v_l", _positive_number),
        pk_apparent=row.flag("pk_apparent", default=True),
        cv_cl=_optional(row, "cv_cl", _cv_number),
        cv_v=_optional(row, "cv_v", _cv_number),
        cv_ka=_optional(row, "cv_ka", _cv_number),
        equivalences=tuple(_parse_equivalence(r) for r in row.children("equivalences")),
        daily_max_mg=daily_max,
        dose_bands=_parse_bands(row, "dose_bands"),
        products=tuple(replace(_parse_product(r), drug=name) for r in row.children("products")),
        rxnorm_ingredient=_optional(row, "rxnorm_ingredient", _parse_sourced_code),
        rxnorm_source=row.source("rxnorm_source") if "rxnorm_source" in row.data else None,
        interactions=rows + _inherited(cast("DrugClass", drug_class), rows, classes),
        cautions=tuple(_parse_caution(r) for r in row.children("cautions")),
        facts=tuple(_parse_fact(r) for r in row.children("facts")),
        sleep_use=_optional(row, "sleep_use", _parse_sleep_use),
        daily_maxima=maxima,
    )
    _check_drug(row, drug)
    return drug


def _positive_number(row: _Row, key: str) -> Sourced[float]:
    return _sourced_number(row, key, _positive)


def _fraction_number(row: _Row, key: str) -> Sourced[float]:
    return _sourced_number(row, key, _fraction)


def _cv_number(row: _Row, key: str) -> Sourced[float]:
    return _sourced_number(row, key, _cv)


def _check_drug(row: _Row, drug: Drug) -> None:
    """Checks across fields of one drug."""
    if drug.drug_class == "benzodiazepine" and not drug.equivalences:
        raise row.fail("equivalences: a benzodiazepine needs at least one diazepam equivalence")
    sources = [eq.source for eq in drug.equivalences]
    if len(set(sources)) != len(sources):
        raise row.fail(f"equivalences: one value per source, got {sources}")
    for daily_max in {m.max_mg for m in drug.daily_maxima} or (
        {drug.daily_max_mg.value} if drug.daily_max_mg is not None else set()
    ):
        _check_daily_max(row, drug, daily_max)
    steps = [p.step.mg for p in drug.products]
    if steps and drug.min_plausible_mg.mg > min(steps):
        raise row.fail(
            "plausible_single_dose: min_mg is above the smallest product step "
            f"({min(steps)} mg), so a real dose would be refused"
        )
    if any(p.rxnorm for p in drug.products) and drug.rxnorm_source is None:
        raise row.fail("rxnorm_source: products carry RxNorm codes, so name their source")


def _check_daily_max(row: _Row, drug: Drug, daily_max: Mass) -> None:
    if drug.dose_bands and daily_max.mg < max(b.low_mg.mg for b in drug.dose_bands):
        raise row.fail("daily_max_mg is below the lower bound of the highest dose band")
    if drug.max_plausible_mg.mg > daily_max.mg:
        raise row.fail("plausible_single_dose: max_mg is above daily_max_mg")


def _check_unique_names(root: _Row, drugs: Iterable[Drug]) -> dict[str, Drug]:
    seen: dict[str, str] = {}
    result: dict[str, Drug] = {}
    for drug in drugs:
        for alias in (drug.name, *drug.brand_names):
            key = alias.casefold()
            if key in seen:
                raise root.fail(
                    f"drug {drug.name!r}: name {alias!r} is already used by drug {seen[key]!r}"
                    if seen[key] != drug.name
                    else f"drug {drug.name!r} is listed twice"
                )
            seen[key] = drug.name
        result[drug.name] = drug
    return result


def _parse_withdrawal(root: _Row) -> tuple[tuple[DoseBand, ...], Sourced[float], Sourced[float]]:
    row = root.child("withdrawal_risk")
    row.check_keys(["bands", "significant_use_months", "significant_use_days_per_week"])
    bands = _parse_bands(row, "bands")
    if not bands:
        raise row.fail("bands: at least one withdrawal-risk band is needed")
    months = _sourced_number(row, "significant_use_months", _positive)
    days = _sourced_number(
        row,
        "significant_use_days_per_week",
        lambda v: None if 0 < v <= 7 else "must be 1-7",  # noqa: PLR2004 -- days in a week
    )
    return bands, months, days


def parse_catalogue(data: Mapping[str, object], *, origin: str = "drugs.toml") -> Catalogue:
    """Validate the catalogue mapping (as read from TOML) and build the :class:`Catalogue`.

    Args:
        data: the parsed file.
        origin: the file name used in error messages.

    Raises:
        CatalogueError: the first problem found, naming the drug, row and field.

    >>> parse_catalogue({"schema_version": 2})
    Traceback (most recent call last):
    ...
    taperline.errors.CatalogueError: drugs.toml: catalogue: schema_version must be 1, got 2
    """
    root = _Row(origin, "catalogue", data)
    if root.integer("schema_version", 0) != 1:
        raise root.fail(f"schema_version must be 1, got {data.get('schema_version')!r}")
    root.check_keys(["schema_version", "withdrawal_risk", "drugs"], ["classes"])
    bands, months, days = _parse_withdrawal(root)
    classes = _parse_classes(root)
    drug_rows = root.children("drugs")
    for i, r in enumerate(drug_rows):
        if "name" not in r.data:
            raise _Row(origin, f"drugs[{i}]", r.data).fail("missing required key 'name'")
    drugs = _check_unique_names(root, (_parse_drug(r, classes) for r in drug_rows))
    if not drugs:
        raise root.fail("drugs: the catalogue holds no drugs")
    return Catalogue(
        drugs=MappingProxyType(dict(sorted(drugs.items()))),
        withdrawal_risk_bands=bands,
        significant_use_months=months,
        significant_use_days_per_week=days,
        classes=classes,
    )


# A small drug for the doctests above (not clinical data; the real values live in drugs.toml).
_EXAMPLE: Final = Drug(
    name="example",
    brand_names=(),
    drug_class="benzodiazepine",
    half_life_h=Range(35.0, 30.0, 40.0, "LABEL"),
    min_plausible_mg=Mass.of_mg("0.01"),
    max_plausible_mg=Mass.of_mg(4),
    plausible_basis=Cited("SEED-AURA"),
    equivalences=(
        Equivalence(Mass.of_mg("0.5"), "ASHTON"),
        Equivalence(Mass.of_mg(1), "VADOD-2021"),
    ),
    dose_bands=(DoseBand("low", Mass.of_mg("0.25"), Mass.of_mg("0.5"), "", "", "SEED-INSOMNIA"),),
    interactions=(
        Interaction(
            "opioids", ("oxycodone",), "opioids", "cns_depression", "major", "", "", "LABEL"
        ),
    ),
)
