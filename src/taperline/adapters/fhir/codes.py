"""FHIR codes and URLs: taperline's own systems and extensions, and the LOINC, RxNorm and UCUM.

Also the tables that map between these codes and taperline's values.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from taperline.core.record import PlanStatus

#: The root of taperline's own FHIR definitions (code systems, naming systems, extensions).
BASE_URL: Final = "https://taperline.example/fhir"
EXTENSION_BASE: Final = f"{BASE_URL}/StructureDefinition"
#: The part of the ``dose-log`` extension a line carries when the cut of its day went ahead:
#: the readiness check was read and held nothing (``DoseRecord.cut_checked``, no
#: ``stay_on_before``). The one part of what a line was asked that a bundle carries, and the
#: only one an import reads: the day is compared with the cut's new dose, which adds
#: findings (docs/fhir.md: the one exception); that a day was held, which would excuse a
#: dose, is never taken from a file.
CUT_WENT_AHEAD: Final = "cut-went-ahead"
#: Check-in and sleep-diary fields that have no standard code.
JOURNAL_SYSTEM: Final = f"{BASE_URL}/CodeSystem/journal"
#: taperline's withdrawal-symptom checklist: the code is the symptom's plain name.
SYMPTOM_SYSTEM: Final = f"{BASE_URL}/CodeSystem/withdrawal-symptom"
EVENT_SYSTEM: Final = f"{BASE_URL}/CodeSystem/red-flag-event"
TIME_OF_DAY_SYSTEM: Final = f"{BASE_URL}/CodeSystem/time-of-day"
FINDING_SYSTEM: Final = f"{BASE_URL}/CodeSystem/finding"
LABEL_SYSTEM: Final = f"{BASE_URL}/NamingSystem/person-label"
PLAN_SYSTEM: Final = f"{BASE_URL}/NamingSystem/plan-version"
BUNDLE_SYSTEM: Final = f"{BASE_URL}/NamingSystem/bundle"
#: A plan order's identifier: ``<version>/<drug>`` (one MedicationRequest per version and drug).
ORDER_SYSTEM: Final = f"{BASE_URL}/NamingSystem/plan-order"
#: A finding's identifier: its kind and what it is about (the same on every export).
FINDING_ID_SYSTEM: Final = f"{BASE_URL}/NamingSystem/finding"
QUESTIONNAIRE_BASE: Final = f"{BASE_URL}/Questionnaire"
#: Sleep recorded by a device or app (issue 21): the category of its Observations and the
#: stage each record is of. Local codes: clinical-basis.md lists no standard code for them.
DEVICE_SLEEP_SYSTEM: Final = f"{BASE_URL}/CodeSystem/device-sleep"
#: A device sleep record's own id in the file it came from (a Fitbit logId).
DEVICE_RECORD_SYSTEM: Final = f"{BASE_URL}/NamingSystem/device-sleep-record"

LOINC: Final = "http://loinc.org"
UCUM: Final = "http://unitsofmeasure.org"
RXNORM: Final = "http://www.nlm.nih.gov/research/umls/rxnorm"
_SURVEY: Final = {
    "coding": [
        {
            "system": "http://terminology.hl7.org/CodeSystem/observation-category",
            "code": "survey",
        }
    ]
}

#: RxNorm ingredient codes an import reads [clinical-basis.md, Products: clonazepam 2598 ⚠,
#: diazepam 3322]. Older exports wrote 2598, so it is still read.
RXNORM_INGREDIENTS: Final = MappingProxyType({"clonazepam": "2598", "diazepam": "3322"})
#: The ones an export writes: only those clinical-basis.md confirms (2598 is marked ⚠, so
#: clonazepam is named by its products' SCD codes and by text, never by an unconfirmed code).
RXNORM_CONFIRMED_INGREDIENTS: Final = MappingProxyType({"diazepam": "3322"})

# LOINC codes [clinical-basis.md, Journal instruments]. Their displays, the item and answer
# codes and the Questionnaire canonicals below are not in clinical-basis.md: each was read on
# LOINC's (or HL7's) own pages on 2026-12-03, and docs/terminology.md lists each code with
# its display and the page read (tests/test_fhir_terminology.py holds the two together).
SLEEP_DURATION: Final = "93832-4"
PHQ9_PANEL, PHQ9_TOTAL, PHQ9_ITEM9 = "44249-1", "44261-6", "44260-8"
GAD7_PANEL, GAD7_TOTAL = "69737-5", "70274-6"
#: The Observations written beside a PHQ-9 / GAD-7 response, and the instrument of each.
_SCORE_INSTRUMENTS: Final[Mapping[str, str]] = MappingProxyType(
    {PHQ9_PANEL: "PHQ-9", PHQ9_TOTAL: "PHQ-9", PHQ9_ITEM9: "PHQ-9"}
    | {GAD7_PANEL: "GAD-7", GAD7_TOTAL: "GAD-7"}
)
_SCORE_CODES: Final = frozenset(_SCORE_INSTRUMENTS)
#: Each item's LOINC code, in item order (docs/terminology.md, "Items"): a response's
#: ``linkId`` is ``/`` and the code.
LOINC_ITEMS: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {
        "PHQ-9": (
            "44250-9", "44255-8", "44259-0", "44254-1", "44251-7",
            "44258-2", "44252-5", "44253-3", "44260-8",
        ),
        "GAD-7": ("69725-0", "68509-9", "69733-4", "69734-2", "69735-9", "69689-8", "69736-7"),
    }
)  # fmt: skip
#: LOINC's answers to the PHQ-9 and GAD-7 items, by score 0-3: answer list LL358-3
#: (docs/terminology.md, "Answers").
LOINC_ANSWERS: Final[tuple[tuple[str, str], ...]] = (
    ("LA6568-5", "Not at all"),
    ("LA6569-3", "Several days"),
    ("LA6570-1", "More than half the days"),
    ("LA6571-9", "Nearly every day"),
)
#: The display every LOINC Coding the export writes carries: the LOINC long common name
#: (an answer's text for an answer code). None: no display confirmed on LOINC's pages, so
#: the Coding has none (docs/terminology.md says which and why).
LOINC_DISPLAYS: Final[Mapping[str, str | None]] = MappingProxyType(
    {
        SLEEP_DURATION: "Sleep duration",
        PHQ9_PANEL: "PHQ-9 quick depression assessment panel [Reported.PHQ]",
        PHQ9_TOTAL: "Patient Health Questionnaire 9 item (PHQ-9) total score [Reported]",
        PHQ9_ITEM9: "Thoughts that you would be better off dead, or of hurting yourself in"
        " some way in last 2 weeks [Reported.PHQ]",
        GAD7_PANEL: None,
        GAD7_TOTAL: "Generalized anxiety disorder 7 item (GAD-7) total score [Reported.PHQ]",
        **dict(LOINC_ANSWERS),
    }
)
#: LOINC's Questionnaire canonicals, ``http://loinc.org/q/`` and the panel code (the form
#: LOINC's panel pages give; docs/terminology.md, "Questionnaires").
LOINC_QUESTIONNAIRES: Final[Mapping[str, str]] = MappingProxyType(
    {"PHQ-9": f"{LOINC}/q/{PHQ9_PANEL}", "GAD-7": f"{LOINC}/q/{GAD7_PANEL}"}
)
#: The canonicals an import reads: LOINC's, and taperline's own that bundles written before
#: 2026-12-03 carry.
_QUESTIONNAIRES: Final = MappingProxyType(
    {
        f"{QUESTIONNAIRE_BASE}/phq-9": "PHQ-9",
        f"{QUESTIONNAIRE_BASE}/gad-7": "GAD-7",
        **{url: name for name, url in LOINC_QUESTIONNAIRES.items()},
    }
)
#: R4's extension for the score of a coded answer (hl7.org/fhir/R4/extension-ordinalvalue).
ORDINAL_VALUE: Final = "http://hl7.org/fhir/StructureDefinition/ordinalValue"

_MR_STATUS: Final[MappingProxyType[PlanStatus, str]] = MappingProxyType(
    {"active": "active", "proposed": "draft", "held": "on-hold", "rejected": "cancelled"}
)
_PLAN_STATUS: Final = MappingProxyType({v: k for k, v in _MR_STATUS.items()})

#: Codes of ``JOURNAL_SYSTEM`` and what they mean (the text shown with each).
JOURNAL_CODES: Final = MappingProxyType(
    {
        "check-in": "Daily check-in",
        "mood": "Mood (0-10, higher is better)",
        "anxiety": "Anxiety (0-10, higher is worse)",
        "worst-time": "Worst time of day",
        "caffeine-drinks": "Caffeinated drinks",
        "alcohol-drinks": "Alcoholic drinks",
        "opioid-use": "Opioid use",
        "event": "Red-flag event",
        "sleep-copied-from": "Night copied from an earlier check-in (same as last night)",
        "symptoms-copied-from": "Symptoms copied from an earlier check-in (same as last time)",
        "symptoms-rated": "Symptom checklist filled in (false: not asked, no symptom score)",
        "sleep-reported": "Sleep as the person's own estimate of time asleep (no diary times)",
        "bed-time": "Time into bed",
        "tried-time": "Time tried to sleep",
        "final-wake-time": "Time of final awakening",
        "out-of-bed-time": "Time out of bed",
        "sleep-onset-latency": "Sleep-onset latency",
        "wake-after-sleep-onset": "Wake time after sleep onset",
        "awakenings": "Number of awakenings",
        "sleep-quality": "Sleep quality (1-5)",
        "time-in-bed": "Time in bed (derived)",
        "sleep-efficiency": "Sleep efficiency (derived)",
    }
)
_DERIVED: Final = frozenset({"time-in-bed", "sleep-efficiency"})
_READ_TYPES: Final = frozenset(
    {
        "Patient",
        "MedicationRequest",
        "MedicationStatement",
        "MedicationAdministration",
        "Observation",
        "QuestionnaireResponse",
        "Flag",
        "Device",
    }
)
#: Resources a bundle may hold that the import passes over: who approved (derived from the
#: plans), and what a server adds to a search's answer.
_PASSED_TYPES: Final = frozenset({"Practitioner", "OperationOutcome", "CodeSystem"})
#: Bundle types the import reads: its own, a server's search answer, a transaction to load.
_BUNDLE_TYPES: Final = ("collection", "searchset", "transaction")
_NAMESPACE: Final = uuid.uuid5(uuid.NAMESPACE_URL, BASE_URL)
#: A FHIR ``string`` may not be empty or made only of this whitespace (Unicode White_Space
#: but space, tab and line breaks); ``markdown`` takes any text.
_ODD_SPACE: Final = re.compile(
    "[\x0b\x0c\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+"
)
