"""The drug and the catalogue, and the lookups on them.

A :class:`Drug` answers for one drug (bands, equivalences, daily maxima, interactions and
cautions by the names typed); the :class:`Catalogue` finds a drug by name or brand and holds
the catalogue-wide withdrawal-risk bands. :class:`DrugsOnUse` holds a catalogue's drugs each
made (read and checked) when first asked for.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import TYPE_CHECKING, Final, cast

from taperline.core.catalogue.model import (
    _T,
    DIAZEPAM_REFERENCE,
    Caution,
    Cited,
    DailyMaximum,
    DoseBand,
    DrugClass,
    Equivalence,
    Fact,
    Indication,
    Interaction,
    Range,
    SleepUse,
    Sourced,
    SubstanceClass,
)
from taperline.core.quantity import Mass, check_plausible, drug_label, fmt, parse_dose
from taperline.core.words import PhraseIndex
from taperline.errors import InputError, SafetyError, UnknownDrugError

if TYPE_CHECKING:
    from taperline.core.pk_params import PKParams
    from taperline.core.population import Variability
    from taperline.core.products import Product  # an annotation only: the rows make products

_SEVERITY_RANK: Final[dict[str, int]] = {"minor": 0, "moderate": 1, "major": 2}


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
        from taperline.core.pk_params import PKParams  # the PK engine's: not for every command

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


class DrugsOnUse(Mapping[str, Drug]):
    """Drugs by name, each made by ``make`` when first asked for, then kept.

    ``brand_names`` gives each drug's brand names in the order of the names (as each drug
    made will hold them): enough to find a drug by a name or brand without making the others.
    A command reads one drug or two of the packaged catalogue, and checking the drugs it did
    not read was about half the time reading the catalogue took (issue 19, section 1).

    >>> made = []
    >>> drugs = DrugsOnUse({"x": ("Ex",)}, lambda name: made.append(name) or _EXAMPLE)
    >>> list(drugs), made
    (['x'], [])
    >>> drugs["x"] is drugs["x"], made
    (True, ['x'])
    """

    __slots__ = ("_brands", "_made", "_make")

    def __init__(self, brand_names: Mapping[str, tuple[str, ...]], make: Callable[[str], Drug]):
        self._brands = brand_names
        self._make = make
        self._made: dict[str, Drug] = {}

    @property
    def brand_names(self) -> Mapping[str, tuple[str, ...]]:
        """Each drug's brand names by drug name."""
        return self._brands

    def __getitem__(self, name: str) -> Drug:
        drug = self._made.get(name)
        if drug is None:
            if name not in self._brands:
                raise KeyError(name)
            # setdefault: two threads making it at once both get the one kept
            drug = self._made.setdefault(name, self._make(name))
        return drug

    def __iter__(self) -> Iterator[str]:
        return iter(self._brands)

    def __len__(self) -> int:
        return len(self._brands)

    def __repr__(self) -> str:
        return f"DrugsOnUse({list(self._brands)!r}, made {list(self._made)!r})"


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
        index = self.name_index()
        key = name.strip().casefold()
        if key in index:
            return self.drugs[index[key]]
        import difflib  # only for the did-you-mean of a mistake

        close = difflib.get_close_matches(key, list(index), n=1, cutoff=0.6)
        hint = f" Did you mean {index[close[0]]!r}?" if close else ""
        raise UnknownDrugError(
            f"unknown drug {name.strip()!r}.{hint} Known drugs: {', '.join(self.names)}"
        )

    def name_index(self) -> dict[str, str]:
        """Each drug's name and brand names, case-folded, to the drug's name (:meth:`get`'s).

        >>> from taperline.catalogue_data import load_catalogue
        >>> load_catalogue().name_index()["klonopin"]
        'clonazepam'
        """
        index = {name.casefold(): name for name in self.drugs}
        if isinstance(self.drugs, DrugsOnUse):  # the brands without making every drug
            brands = self.drugs.brand_names
        else:
            brands = {drug.name: drug.brand_names for drug in self.drugs.values()}
        for name, names in brands.items():
            index.update({brand.casefold(): name for brand in names})
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
