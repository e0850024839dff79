"""FHIR R4 export and import of a person's record: a ``collection`` Bundle, lossless both ways.

fhir.resources 8.3.0 ships FHIR R5 at its root and R4B (4.3.0) and STU3 as subpackages; it has
no pure R4 (4.0.1) package. R4B changed none of the elements used here, so the bundle is built
and validated with ``fhir.resources.R4B`` and is R4 as well.

What goes where (``BASE_URL`` prefixes every taperline code system, naming system and
extension; ``EXTENSION_BASE/<name>`` is each extension's URL):

* **Patient**, pseudonymous: the label is an identifier under ``LABEL_SYSTEM`` (no name);
  extensions ``time-zone``, ``age-band``, ``condition``, ``other-medicine`` and
  ``device-sleep-preferred-source`` (the source chosen for nights several recorded).
* **MedicationRequest** per plan version and drug (a crossover has two; every version with
  ``history``, else the plan in force and the proposals waiting), the tapering order
  of HL7's example medicationrequest0303 (see :mod:`~taperline.adapters.fhir.orders`):
  ``groupIdentifier`` = the version under ``PLAN_SYSTEM``, ``identifier`` version/drug under
  ``ORDER_SYSTEM``; status active / on-hold for the plan in force, draft for a pending
  proposal, completed / cancelled once replaced (``priorPrescription`` names the version it
  came from); intent ``proposal`` or ``order``; ``authoredOn`` = proposed at; ``requester`` =
  the approving clinician (a Practitioner), or the Patient for what the person proposed;
  RxNorm SCD codes of the catalogue products the supply uses (a compounded one is a contained
  Medication); one dosage per dose of each step (``sequence`` = the step's number,
  ``timing.repeat.boundsPeriod`` = the step, ``timeOfDay``, a 1- or 2-day period,
  ``doseQuantity`` in UCUM ``mg``, instructions as ``additionalInstruction``, and extension
  ``plan-step`` with the step's rule, source, reason, note, every-other-day and the dose's
  place); the end of a taper is a dosage with no dose. Extension ``plan-version`` holds
  taperline's status, drug, proposer, strategy, reason, decided by / at, parent version and,
  on the plan drug's order, its supply lines, warnings and assumptions. (Bundles from before
  had one request per step, which an import still reads.)
* **MedicationStatement**: the regimen before a plan (active until a plan is in force).
* **MedicationAdministration** per dose-log line: ``completed`` (taken) or ``not-done``
  (missed), at the time taken (or planned, when missed); extension ``dose-log`` holds the day,
  planned time, planned dose and units, ``cut-went-ahead`` (true) when the line was logged
  as the cut of its day went ahead, and ``time-zone`` (an IANA code) on a dose taken in
  another zone than the person's now (logged before they moved), whose time has that
  zone's offset. Of what a line was asked that is all a bundle carries and all an import
  reads (it adds findings; docs/fhir.md). That a day was held (a dose to stay on), which
  would excuse a dose, is not written and is not read from a file: such a claim, or
  ``false``, imports as a line that does not say; a part with no boolean is refused.
* **Observation** per check-in (``JOURNAL_SYSTEM#check-in``): mood, anxiety, symptom ratings
  (``SYMPTOM_SYSTEM``), worst time, caffeine, alcohol, opioid use and red-flag events as
  components, notes as ``note``; and, when the night was logged, a ``hasMember`` sleep
  Observation: LOINC 93832-4 (total sleep time [CARNEY-2012], from
  :func:`taperline.core.metrics.night_metrics`) with the diary as components, and the
  extension ``time-zone`` (an IANA code) on a night logged in another zone than the
  person's now (before they moved), whose times have that zone's offset. Both are dated
  by the date of waking.
* **QuestionnaireResponse** per PHQ-9 / GAD-7 (LOINC's canonical ``http://loinc.org/q/``
  and the panel; each item's linkId ``/`` and its LOINC code, its answer LOINC's answer code
  with the score as ``ordinalValue``) and its Observations: PHQ-9 panel 44249-1, total
  44261-6 and item 9 44260-8; GAD-7 panel 69737-5 and total 70274-6 [clinical-basis.md,
  Journal instruments]; every LOINC Coding with the display ``docs/terminology.md`` gives
  (where each was confirmed). Older bundles' canonicals and item-number answers still read;
  an import checks each score Observation against its response and refuses one that is not
  derived from a response of the bundle or says another thing
  (:mod:`~taperline.adapters.fhir.questionnaires`).
  A PHQ-9 retaken the same day with a higher item 9 keeps the answers it replaced: the day's
  response and its Observations are ``amended`` (the Observations' ``note`` gives the
  replaced totals), the response names each earlier answer set, oldest first, in the
  extension ``questionnaire-replaces``, and each is a ``completed`` response of its own
  naming it back in ``questionnaire-replaced-by``, with no Observation; an import reads
  them back as the day's score's replaced answers, never as a second score of the day.
* **Observation** per stored device sleep record (issue 21), kept apart from the diary's:
  category and code (the stage) in ``DEVICE_SLEEP_SYSTEM``, ``effectivePeriod`` the
  record's span, ``device`` the Device (one per source and model, named by them), the
  file's record id as ``identifier``, a summary session's minutes asleep as ``valueQuantity``
  (:mod:`~taperline.adapters.fhir.device_sleep`). :func:`read_bundle` reads them back.
* **Flag** per finding (status active; code text = kind; ``identifier`` under
  ``FINDING_ID_SYSTEM`` and ``period.start`` = the finding's first day of evidence, both the
  same on every export; extension ``finding`` with severity, message, evidence, source,
  suggested action and clinician flag).

Clock times are local wall-clock times written with the offset of the profile's zone (a
dose's or a night's own ``time-zone``'s, when it has one); an import keeps the wall clock
when the offset is that zone's own and converts otherwise: an offset alone names no zone
("+01:00" fits dozens), so a time from another system with another offset keeps its moment
as the person's clock. Full URLs are ``urn:uuid:`` UUID5s of what each resource is about (a plan
version and drug, a day, a finding), so a resource keeps its identity from one export to
the next;
:func:`transaction_bundle` makes the ``transaction`` to load into a server, and an import
also reads what a server hands back (``searchset``, ``Type/id`` references, server ids).
Amounts are JSON numbers; an amount a float cannot carry exactly also gets an
``exact-decimal`` extension. Free texts in extensions are ``valueMarkdown``, which takes
any text; a FHIR ``string`` cannot be empty or made only of whitespace other than spaces,
tabs and line breaks, so a drug name, instruction or label that is goes into a ``text``
(``label``) extension instead.
Import rebuilds the record from these resources; derived values (total sleep time, scores'
observations, findings) are recomputed rather than read. Doses travel in the dose log only
(a record's check-ins hold none; see :class:`~taperline.core.record.PersonRecord`).

The package: :mod:`~taperline.adapters.fhir.codes` (code systems, codes and URLs),
:mod:`~taperline.adapters.fhir.export` (record -> Bundle, its plans in
:mod:`~taperline.adapters.fhir.orders` and its small builders in
:mod:`~taperline.adapters.fhir.builders`), :mod:`~taperline.adapters.fhir.importing`
(Bundle -> record, with its reading helpers in :mod:`~taperline.adapters.fhir.reading`) and
:mod:`~taperline.adapters.fhir.common` (what both share).
"""

from __future__ import annotations

from taperline.adapters.fhir.codes import BASE_URL, EXTENSION_BASE, JOURNAL_SYSTEM, SYMPTOM_SYSTEM
from taperline.adapters.fhir.codes import BUNDLE_SYSTEM as BUNDLE_SYSTEM
from taperline.adapters.fhir.codes import EVENT_SYSTEM as EVENT_SYSTEM
from taperline.adapters.fhir.codes import FINDING_SYSTEM as FINDING_SYSTEM
from taperline.adapters.fhir.codes import GAD7_PANEL as GAD7_PANEL
from taperline.adapters.fhir.codes import GAD7_TOTAL as GAD7_TOTAL
from taperline.adapters.fhir.codes import JOURNAL_CODES as JOURNAL_CODES
from taperline.adapters.fhir.codes import LABEL_SYSTEM as LABEL_SYSTEM
from taperline.adapters.fhir.codes import LOINC as LOINC
from taperline.adapters.fhir.codes import PHQ9_ITEM9 as PHQ9_ITEM9
from taperline.adapters.fhir.codes import PHQ9_PANEL as PHQ9_PANEL
from taperline.adapters.fhir.codes import PHQ9_TOTAL as PHQ9_TOTAL
from taperline.adapters.fhir.codes import PLAN_SYSTEM as PLAN_SYSTEM
from taperline.adapters.fhir.codes import QUESTIONNAIRE_BASE as QUESTIONNAIRE_BASE
from taperline.adapters.fhir.codes import RXNORM as RXNORM
from taperline.adapters.fhir.codes import RXNORM_INGREDIENTS as RXNORM_INGREDIENTS
from taperline.adapters.fhir.codes import SLEEP_DURATION as SLEEP_DURATION
from taperline.adapters.fhir.codes import TIME_OF_DAY_SYSTEM as TIME_OF_DAY_SYSTEM
from taperline.adapters.fhir.codes import UCUM as UCUM
from taperline.adapters.fhir.common import Json as Json
from taperline.adapters.fhir.export import export_bundle
from taperline.adapters.fhir.export import finding_key as finding_key
from taperline.adapters.fhir.export import transaction_bundle as transaction_bundle
from taperline.adapters.fhir.importing import ImportedBundle as ImportedBundle
from taperline.adapters.fhir.importing import import_bundle
from taperline.adapters.fhir.importing import read_bundle as read_bundle
from taperline.adapters.fhir.reading import _clock as _clock  # tests read values with it
from taperline.adapters.fhir.reading import _date as _date  # tests read values with it

# The ``name as name`` imports are names outside __all__, importable from here as before.
__all__ = [
    "BASE_URL",
    "EXTENSION_BASE",
    "JOURNAL_SYSTEM",
    "SYMPTOM_SYSTEM",
    "export_bundle",
    "import_bundle",
]
