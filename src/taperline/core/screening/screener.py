"""The screening itself (:func:`screen`): cautions, age and the daily maximum for one drug."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Final

from taperline.core.catalogue import INDICATIONS, Catalogue, Caution, DailyMaximum, Drug, Indication
from taperline.core.quantity import fmt
from taperline.core.screening.crisis import _crisis_finding, crisis_matches, denies_seizures
from taperline.core.screening.model import (
    ADULT_AGE_YEARS,
    MAX_AGE_YEARS,
    OLDER_ADULT_AGE_YEARS,
    OWN_SOURCE,
    ConditionMatch,
    CrisisMatch,
    RegimenIssue,
    RegimenIssueKind,
    Screening,
    Unknown,
    _finding,
)
from taperline.core.screening.recognition import (
    _agent_findings,
    _Agents,
    _condition_matches,
    _condition_names,
    _screen_agent,
    _suggest,
    indication_of,
    read_agents,
    read_conditions,
)
from taperline.core.words import tokens
from taperline.errors import InputError

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


# --- cautions --------------------------------------------------------------------------------


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
        if not found and not typed and not denies_seizures(item):  # "denies seizures": said
            unknown.append(Unknown(item, "condition", _suggest(item, _condition_names(catalogue))))
    return matches, findings, unknown, crisis


#: Words of a condition item that say a medicine named in it is not taken.
_NOT_TAKEN: Final = frozenset(
    {"allergic", "allergy", "allergies", "sensitivity", "sensitive", "intolerance",
     "intolerant", "reaction", "reactions", "rash", "hives", "anaphylaxis", "no", "not",
     "never", "without", "denies", "denied", "stopped", "quit", "off"}
)  # fmt: skip


def _as_agent(catalogue: Catalogue, drug: Drug, item: str, gathered: _Agents) -> bool:
    """Whether a condition item names a medicine or a class (then gathered as an agent).

    Not when it says the medicine is not taken: an allergy or reaction to it ("allergic to
    zolpidem" stays unknown: ask a pharmacist), or a no ("no opioids", "stopped methadone").
    """
    if _NOT_TAKEN & set(tokens(item)):
        return False
    probe = _Agents()
    _screen_agent(catalogue, drug, item, probe)
    if not (probe.names or probe.classes):
        return False
    for interaction, given in probe.names.items():
        gathered.names.setdefault(interaction, []).extend(given)
    gathered.classes += probe.classes
    for slug, given in probe.no_data.items():
        gathered.no_data.setdefault(slug, []).extend(given)
    gathered.same_drug += probe.same_drug
    return True


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
    agent_items = read_agents(catalogue, (drug,), agents)
    conditions = tuple(conditions)  # read twice: the items, and the reason (indication_of)
    condition_items = read_conditions(catalogue, (drug,), conditions)
    gathered = _Agents()
    for item in agent_items:
        _screen_agent(catalogue, drug, item, gathered)
    matches, condition_findings, unknown, crisis = _screen_conditions(
        catalogue, drug, condition_items, local_emergency
    )
    # a medicine among the conditions ("on methadone program", "opioid use disorder"): its
    # class's interaction, as among the medicines (the boxed warning is for every opioid)
    unknown = [u for u in unknown if not _as_agent(catalogue, drug, u.name, gathered)]
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
    chosen = indication if indication is not None else indication_of(conditions)
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
