"""The sources taperline cites: each id with a name a patient understands and its citation.

Every clinical value, rule and message cites its source by an id of the Sources table in
docs/clinical-basis.md (``ASAM-2025``, ``LABEL``; the ids added with the catalogue are in
``src/taperline/data/SOURCES-ADDED.md``). Clinicians read the ids. Patients read
:attr:`Source.name`, linked to the sources page that gives :attr:`Source.citation` in full.
:data:`SOURCES` is the one list: the catalogue accepts only its ids
(:data:`~taperline.core.catalogue.KNOWN_SOURCES`), and a test fails when an id written anywhere
in the package has no entry here.

A *source field* (``Finding.source``, a lesson's point, a plan step) holds one id or several,
separated by ``;`` or ``,`` (``"LABEL; SEED-AURA"``), or words that are not an id
(``"taperline"``, ``"clinician override"``). A *message* may end a clause with its ids in
brackets (``"... 4 mg a day [LABEL, SEED-AURA]"``). For a patient, :func:`without_ids` takes the
bracketed ids out of a message and names any other id it holds.

>>> SOURCES["ASAM-2025"].name
'ASAM 2025 benzodiazepine tapering guideline'
>>> [s.name if s else text for text, s in source_parts("LABEL; taperline")]
['US prescribing information (Klonopin label)', 'taperline']
>>> without_ids("Take at most 4 mg a day [LABEL, SEED-AURA]. Ask first [ASAM-2025].")
'Take at most 4 mg a day. Ask first.'
>>> without_ids("diazepam 5 mg by ASHTON; 10 mg by VADOD-2021 [ASAM-2025]")
'diazepam 5 mg by the Ashton Manual; 10 mg by the VA/DoD 2021 guideline'
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType
from typing import Final

__all__ = [
    "OWN_SOURCE",
    "SOURCES",
    "Source",
    "cited_ids",
    "patients_words",
    "source_parts",
    "without_ids",
]


@dataclass(frozen=True, slots=True)
class Source:
    """One cited source: its id, a plain name for patients, and the full citation.

    ``article`` is what reads before the name in a sentence ("by the Ashton Manual"): "the" or
    "" (a name that is a title or a person's name).
    """

    id: str
    name: str
    citation: str
    article: str = "the"

    @property
    def in_a_sentence(self) -> str:
        """The name as it reads in a sentence: 'the Ashton Manual'."""
        return f"{self.article} {self.name}" if self.article else self.name


_ALL: Final[tuple[Source, ...]] = (
    # docs/clinical-basis.md, "Sources"
    Source(
        "ASAM-2025",
        "ASAM 2025 benzodiazepine tapering guideline",
        "Joint Clinical Practice Guideline on Benzodiazepine Tapering, J Gen Intern Med 2025, "
        "doi 10.1007/s11606-025-09499-2 (and its patient guide)",
    ),
    Source(
        "ASHTON",
        "Ashton Manual",
        "Ashton CH, Benzodiazepines: How They Work and How to Withdraw (the Ashton Manual), 2002",
    ),
    Source(
        "NICE-CKS",
        "NICE guidance on stopping benzodiazepines",
        "NICE Clinical Knowledge Summary, benzodiazepine and z-drug withdrawal (schedule adapted "
        "from the Ashton Manual)",
    ),
    Source(
        "DEPRESCRIBING-2018",
        "Canadian guideline on stopping sleeping pills (2018)",
        "Pottie K et al., Deprescribing benzodiazepine receptor agonists, Can Fam Physician "
        "2018;64:339-51",
    ),
    Source(
        "MAUDSLEY-2024",
        "Maudsley Deprescribing Guidelines (2024)",
        "Horowitz MA, Taylor DM, The Maudsley Deprescribing Guidelines, Wiley 2024 (chapter 3)",
    ),
    Source(
        "LABEL",
        "US prescribing information (Klonopin label)",
        "Klonopin (clonazepam) US prescribing information (DailyMed)",
    ),
    Source(
        "GREENBLATT-2005",
        "a 2005 study of clonazepam levels (Greenblatt)",
        "Greenblatt DJ et al., clonazepam pharmacokinetics at 0.5 mg three times a day "
        "(PubMed 16239362)",
        "",
    ),
    Source(
        "BERLIN-1975",
        "a 1975 study of clonazepam levels (Berlin)",
        "Berlin A, Dahlström H, Eur J Clin Pharmacol 1975 (clonazepam pharmacokinetics, 8 people)",
        "",
    ),
    Source(
        "CARNEY-2012",
        "Consensus Sleep Diary",
        "Carney CE et al., The Consensus Sleep Diary, SLEEP 2012;35(2):287",
    ),
    Source(
        "SPIELMAN-1987",
        "sleep restriction therapy (Spielman 1987)",
        "Spielman AJ et al., Sleep restriction therapy, Sleep 1987;10:45-56",
        "",
    ),
    Source(
        "KROENKE-2001",
        "PHQ-9 and GAD-7 questionnaires",
        "Kroenke K et al., PHQ-9 validation, 2001 (free to use, Pfizer); Spitzer RL et al., "
        "GAD-7, 2006 (free to use)",
    ),
    Source(
        "ISMP",
        "safe ways to write doses (Institute for Safe Medication Practices)",
        "Institute for Safe Medication Practices, List of Error-Prone Abbreviations, Symbols and "
        "Dose Designations (2021), and its tall-man lettering list with the FDA",
        "",
    ),
    Source(
        "KRUIZINGA-2022",
        "a 2022 study of clonazepam liquid (Kruizinga)",
        "Kruizinga MD et al., population pharmacokinetics of clonazepam oral solution, Br J Clin "
        "Pharmacol 2022;88:2236, doi 10.1111/bcp.15152 (values as transcribed in the nlmixr2lib "
        "model library)",
        "",
    ),
    Source(
        "YUKAWA-2002",
        "a 2002 study of clonazepam in young people (Yukawa)",
        "Yukawa E et al., clonazepam population pharmacokinetics in paediatric and young "
        "patients, J Clin Pharmacol 2002;42:81",
        "",
    ),
    Source(
        "CREVOISIER-2003",
        "a 2003 study of how much clonazepam is absorbed (Crevoisier)",
        "Crevoisier C et al., clonazepam absolute bioavailability, doi 10.1159/000069089",
        "",
    ),
    Source(
        "LAI-1978",
        "a 1978 study of carbamazepine with clonazepam (Lai)",
        "Carbamazepine interaction with clonazepam, Clin Pharmacol Ther 1978, "
        "doi 10.1002/cpt1978243316",
        "",
    ),
    Source(
        "KAPLAN-1980",
        "a 1980 study of phenytoin and phenobarbital with clonazepam (Kaplan)",
        "Phenytoin and phenobarbital interactions with clonazepam, Clin Pharmacol Ther 1980;28:368",
        "",
    ),
    Source(
        "FUJITA-1999",
        "a 1999 brain-scan study of alprazolam (Fujita)",
        "Fujita M et al., [123I]iomazenil SPECT: alprazolam 2 mg a day gives about 16 % "
        "benzodiazepine-receptor occupancy, 1999",
        "",
    ),
    Source(
        "KLOTZ-1975",
        "a 1975 study of diazepam and age (Klotz)",
        "Klotz U et al., diazepam half-life rises with age (about 20 h at 20 to 90 h at 80; "
        "clearance unchanged), J Clin Invest 1975;55:347",
        "",
    ),
    Source(
        "TDM",
        "laboratory reference ranges for clonazepam blood levels",
        "Laboratory reference ranges for clonazepam (ARUP 20-70 ng/mL, toxic above 80; Mayo "
        "20-60, toxic above 100) and the Swiss product information (2 mg three times a day: "
        "mean trough 55 ng/mL)",
    ),
    Source(
        "FDA-GABAPENTINOIDS",
        "FDA warning on gabapentin and pregabalin (2019)",
        "US FDA Drug Safety Communication, 19 Dec 2019: serious breathing difficulties with "
        "gabapentin and pregabalin taken with medicines that slow the brain (CNS depressants)",
    ),
    Source(
        "BEERS-2023",
        "Beers Criteria 2023 (medicines for older adults)",
        "American Geriatrics Society Beers Criteria 2023 (avoid benzodiazepines in older adults)",
    ),
    Source(
        "SEED-INSOMNIA",
        'article "Can Klonopin cause insomnia?"',
        'Article "Can Klonopin cause insomnia?" (one of the documents taperline was built from)',
    ),
    Source(
        "SEED-AURA",
        "Aura Health article on Klonopin for sleep",
        'Aura Health, "What is the recommended Klonopin dosage for sleep?" (one of the documents '
        "taperline was built from)",
    ),
    Source(
        "SEED-MINDED",
        "Minded article on Klonopin for sleep",
        'Minded, "Klonopin for sleep: dosage, uses, benefits, and side effects" (one of the '
        "documents taperline was built from)",
    ),
    Source(
        "SEED-MICROTAPER",
        "TaperOffBenzos article on micro-tapering",
        'TaperOffBenzos, "Quitting Klonopin: the importance of micro-tapering" (one of the '
        "documents taperline was built from)",
    ),
    # src/taperline/data/SOURCES-ADDED.md
    Source(
        "VADOD-2021",
        "VA/DoD 2021 guideline",
        "US Department of Veterans Affairs / Department of Defense Clinical Practice Guideline "
        "for the Management of Substance Use Disorders (2021): doses equivalent to diazepam "
        "10 mg, as tabulated in the ASAM 2025 guideline",
    ),
    Source(
        "RXNORM",
        "RxNorm medicine codes (US National Library of Medicine)",
        "US National Library of Medicine, RxNorm (clinical drug and ingredient concepts)",
        "",
    ),
    Source(
        "USP-COMPOUNDED",
        "USP recipe for clonazepam liquid made by a pharmacy",
        "USP compounded preparation monograph, Clonazepam Oral Suspension 0.1 mg/mL "
        "(beyond-use 60 days)",
    ),
    Source(
        "RIVOTRIL-DROPS",
        "Rivotril drops product information",
        "Rivotril (clonazepam) 2.5 mg/mL oral drops, product information in the countries where "
        "they are sold (e.g. the Swiss product information)",
    ),
    Source(
        "LABEL-DIAZEPAM",
        "US prescribing information (Valium label)",
        "Valium / diazepam tablets and diazepam oral solution US prescribing information "
        "(DailyMed)",
    ),
    Source(
        "LABEL-LORAZEPAM",
        "US prescribing information (Ativan label)",
        "Ativan / lorazepam tablets US prescribing information (DailyMed)",
    ),
    Source(
        "LABEL-ALPRAZOLAM",
        "US prescribing information (Xanax label)",
        "Xanax / alprazolam tablets US prescribing information (DailyMed)",
    ),
    Source(
        "LABEL-TEMAZEPAM",
        "US prescribing information (Restoril label)",
        "Restoril / temazepam capsules US prescribing information (DailyMed)",
    ),
    Source(
        "LABEL-OXAZEPAM",
        "US prescribing information (oxazepam label)",
        "Oxazepam capsules US prescribing information (DailyMed)",
    ),
    Source(
        "LABEL-CHLORDIAZEPOXIDE",
        "US prescribing information (Librium label)",
        "Librium / chlordiazepoxide capsules US prescribing information (DailyMed)",
    ),
    Source(
        "LABEL-ZOLPIDEM",
        "US prescribing information (Ambien label)",
        "Ambien / zolpidem tartrate tablets US prescribing information (DailyMed)",
    ),
    Source(
        "FDA-DDI-TABLE",
        "FDA table of medicines that change drug levels",
        "US FDA, Drug Development and Drug Interactions: Table of Substrates, Inhibitors and "
        "Inducers (strong and moderate CYP3A inhibitors and inducers)",
    ),
)

#: Every source id taperline cites, with its name and citation, in the order of the tables.
SOURCES: Final[Mapping[str, Source]] = MappingProxyType({s.id: s for s in _ALL})
#: The "source" of a note of taperline's own (for example "unknown"): not a clinical claim.
OWN_SOURCE: Final = "taperline"

_FIELD_SPLIT_RE: Final = re.compile(r"\s*[;,]\s*")


# The two patterns below hold every id (a long alternation): compiled on first use, not at
# import, because only the web pages call the functions that need them.
@functools.cache
def _id_re() -> re.Pattern[str]:
    """An id is a whole word: LABEL is not the start of LABEL-DIAZEPAM, nor inside "RELABEL"."""
    return re.compile(
        r"(?<![\w-])("
        + "|".join(re.escape(i) for i in sorted(SOURCES, key=len, reverse=True))
        + r")(?![\w-])"
    )


@functools.cache
def _bracketed_re() -> re.Pattern[str]:
    """A bracket of ids only, with the space before it: "[LABEL]", "[LAI-1978 / KAPLAN-1980]"."""
    one = _id_re().pattern
    return re.compile(rf"\s*\[\s*{one}(?:\s*[,;/]\s*{one})*\s*\]")


def cited_ids(text: str) -> tuple[str, ...]:
    """The known source ids in ``text``, each once, in order.

    >>> cited_ids("at most 4 mg [LABEL, SEED-AURA]; see LABEL-DIAZEPAM and LABEL")
    ('LABEL', 'SEED-AURA', 'LABEL-DIAZEPAM')
    """
    return tuple(dict.fromkeys(_id_re().findall(text)))


def source_parts(field: str) -> tuple[tuple[str, Source | None], ...]:
    """A source field in its parts, each with its :class:`Source` (None: not a known id).

    Brackets around the field are dropped (``"[ASAM-2025]"``); so are empty parts.

    >>> parts = source_parts("[SEED-MINDED; clinician override]")
    >>> [(text, s.id if s else None) for text, s in parts]
    [('SEED-MINDED', 'SEED-MINDED'), ('clinician override', None)]
    """
    inner = field.strip()
    if inner.startswith("[") and inner.endswith("]"):
        inner = inner[1:-1]
    parts = (p.strip() for p in _FIELD_SPLIT_RE.split(inner))
    return tuple((p, SOURCES.get(p)) for p in parts if p)


def without_ids(text: str) -> str:
    """``text`` for a patient: bracketed ids taken out, any other known id given its name.

    >>> without_ids("Never stop at once (the label's last step is 0.25 mg a day [LABEL]).")
    "Never stop at once (the label's last step is 0.25 mg a day)."
    >>> without_ids("[SEED-INSOMNIA] only")
    'only'
    """
    text = _bracketed_re().sub("", text).strip()
    return _id_re().sub(lambda m: SOURCES[m.group(1)].in_a_sentence, text)


_ISO_DATE_RE: Final = re.compile(r"(?<![\w-])(\d{4})-(\d{2})-(\d{2})(?![\w-])")


def patients_words(text: str) -> str:
    """``text`` as a patient reads it: no source ids (:func:`without_ids`), dates written out.

    >>> patients_words("Symptoms rose after the step on 2027-02-19 [ASAM-2025].")
    'Symptoms rose after the step on Fri 19 Feb 2027.'
    """
    return _ISO_DATE_RE.sub(_written, without_ids(text))


def _written(found: re.Match[str]) -> str:
    from taperline.core.values import written_day  # not for `learn`, which reads sources

    try:
        return written_day(date(*(int(part) for part in found.groups())))
    except ValueError:  # not a date after all
        return found.group(0)
