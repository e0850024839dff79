"""taperline's own code systems as CodeSystem resources a bundle includes (issue 20, item 4).

A receiver reads what each local code means instead of meeting a bare code. Only the
systems a bundle uses are included. Their codes are taperline's own (check-in fields, the
withdrawal-symptom checklist, red-flag events, times of day, finding kinds, device sleep's
category and stages); no standard code is claimed for them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final, get_args

from taperline.adapters.fhir.codes import (
    DEVICE_SLEEP_SYSTEM,
    EVENT_SYSTEM,
    FINDING_SYSTEM,
    JOURNAL_CODES,
    JOURNAL_SYSTEM,
    SYMPTOM_SYSTEM,
    TIME_OF_DAY_SYSTEM,
)
from taperline.adapters.fhir.common import Json
from taperline.adapters.fhir.device_sleep import DEVICE_SLEEP_CODES
from taperline.core.findings import FINDING_KIND_LABELS
from taperline.core.journal import RED_FLAG_EVENTS, SYMPTOMS, TimeOfDay

#: Each system: (name, title, its codes with their displays).
_SYSTEMS: Final[Mapping[str, tuple[str, str, Mapping[str, str]]]] = {
    JOURNAL_SYSTEM: (
        "TaperlineJournal",
        "taperline check-in and sleep-diary fields",
        JOURNAL_CODES,
    ),
    SYMPTOM_SYSTEM: (
        "TaperlineWithdrawalSymptom",
        "taperline's withdrawal-symptom checklist (each rated 0-3; the code is the plain name)",
        {name: name for name in SYMPTOMS},
    ),
    EVENT_SYSTEM: (
        "TaperlineRedFlagEvent",
        "Red-flag events a person can log in a check-in",
        {name: name for name in RED_FLAG_EVENTS},
    ),
    TIME_OF_DAY_SYSTEM: (
        "TaperlineTimeOfDay",
        "The part of the day a person felt worst",
        {name: name for name in get_args(TimeOfDay)},
    ),
    FINDING_SYSTEM: (
        "TaperlineFinding",
        "Kinds of advisory finding taperline reads from a journal",
        {str(kind): label for kind, label in FINDING_KIND_LABELS.items()},
    ),
    DEVICE_SLEEP_SYSTEM: (
        "TaperlineDeviceSleep",
        "Sleep recorded by a device or app, kept apart from the diary: category and stages",
        DEVICE_SLEEP_CODES,
    ),
}


#: What a value of a code means, where its display alone does not say (the concept's
#: ``definition``): a symptom's rating, and mood's and anxiety's scales.
_DEFINITIONS: Final[Mapping[str, Mapping[str, str]]] = {
    JOURNAL_SYSTEM: {
        "mood": "The person's own rating of their mood that day on taperline's 0-10 scale"
        " (valueInteger), higher is better; not a standard instrument.",
        "anxiety": "The person's own rating of their anxiety that day on taperline's 0-10"
        " scale (valueInteger), higher is worse; not a standard instrument.",
    },
    SYMPTOM_SYSTEM: {
        name: f"Withdrawal symptom '{name}' on taperline's own checklist (not CIWA-B or"
        " BWSQ), as the person rated it that day, 0-3 (valueInteger): 0 not present, higher"
        " is worse."
        for name in SYMPTOMS
    },
}


def _concept(url: str, code: str, text: str) -> Json:
    concept = {"code": code, "display": text}
    definition = _DEFINITIONS.get(url, {}).get(code)
    if definition is not None:
        concept["definition"] = definition
    return concept


def code_systems(used: str) -> list[Json]:
    """The CodeSystem of each of taperline's systems named in ``used`` (the bundle's JSON)."""
    return [
        {
            "resourceType": "CodeSystem",
            "url": url,
            "name": name,
            "title": title,
            "status": "active",
            "content": "complete",
            "caseSensitive": True,
            "concept": [_concept(url, code, text) for code, text in codes.items()],
        }
        for url, (name, title, codes) in _SYSTEMS.items()
        if f'"{url}"' in used
    ]
