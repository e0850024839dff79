"""Advisory findings from the journal, and the proposal they lead to.

Every finding has a kind, a severity (info, warning, urgent), a plain message, the days
and values behind it, a source and a suggested action. Findings advise; a clinician
decides. :func:`propose_next_step` turns findings into a :class:`Proposal` (proceed, hold N days,
slow, or return to the previous dose, which only a clinician may choose); a proposal is
never applied on its own.

The thresholds are taperline's documented, overridable defaults (:class:`FindingRules`),
not published cut-offs: the sources say *what* to watch for, not these numbers.

* flare: after a cut, burden at or above baseline + max(3, 1 SD) on 3 of 7 days within the
  14 days after the step -> hold or slow [ASAM-2025: symptoms may appear up to a week after a
  cut; slow or pause when significant]. A flare is an episode: it lasts until the burden is
  below that threshold 3 days in a row; a cut made before it settled is part of it, not a
  new flare, and a settled flare is information only.
* stable: the last 7 days below that threshold, with the checklist on at least 5 of them, no
  urgent finding within them and the last cut at least 7 days ago [ASAM-2025] -> ready for
  the next step. With fewer than 5 the proposal is "not enough check-ins to judge".
* waves: bad and good stretches alternate [SEED-MICROTAPER: "windows and waves"]: a bad
  wave is not failure.
* interdose: on most days with real symptoms (a score 3 or more above the person's good-day
  level) in the last 28 days, the worst time of day is at a predicted trough of the regimen in
  force that day (one before each dose, within 1 h) [SEED-INSOMNIA; ASAM-2025: consider a
  crossover for interdose withdrawal]; the advice is to split a once-daily dose, or with
  split doses a longer-acting crossover.
* rebound: worse sleep the night after a missed or late dose [SEED-INSOMNIA].
* device_rebound: the same rule read on device sleep (a watch's or ring's nights, one source
  a night), only for a person whose clinician turned device sleep on; a finding of its own
  beside the diary's, never merged with it [SEED-INSOMNIA].
* escalation: more taken than the plan [ASAM-2025].
* large_dose: a day above the daily maximum for the person's indication [LABEL, SEED-AURA], or
  one dose above the plan's whole day -> urgent, clinician flag: what logging refuses unless
  confirmed, found in the stored log whatever door a dose came in by.
* red_flag: PHQ-9 item 9 above 0, suicidal thoughts, seizure, confusion, psychosis, a fall
  -> urgent, crisis resources, clinician flag [KROENKE-2001, ASAM-2025, SEED-MINDED]. So do
  suicidal-thought, self-harm and seizure words typed in a check-in's notes or in the
  profile's conditions or medicines [LABEL] (the words and the rule "epilepsy is a condition,
  a seizure is an event": :mod:`taperline.core.screening`); the evidence quotes what was typed.
* co_use: alcohol or opioids with the benzodiazepine [SEED-MINDED, LABEL].

>>> from datetime import date
>>> from taperline.core.findings import find_red_flags, propose_next_step
>>> from taperline.core.journal import CheckIn
>>> day = CheckIn(date(2027, 1, 5), None, mood=5, anxiety=5, events=frozenset({"seizure"}))
>>> f = find_red_flags([day])[0]
>>> f.severity, f.clinician_flag, "112 in Europe" in f.message, "988" in f.message
('urgent', True, True, False)
>>> propose_next_step([f]).action
'hold'

The package: :mod:`~taperline.core.findings.model` (the kinds, their labels, the thresholds,
:class:`Finding` and :class:`Evidence`), :mod:`~taperline.core.findings.flares` (flares, stable,
waves), :mod:`~taperline.core.findings.dosing` (interdose, with the PK it needs, and rebound),
:mod:`~taperline.core.findings.safety` (escalation, large doses, red flags, co-use) and
:mod:`~taperline.core.findings.proposal` (:func:`propose_next_step`).
"""

from __future__ import annotations

from types import ModuleType
from typing import TYPE_CHECKING

from taperline.core.lazy import lazy_names

if TYPE_CHECKING:  # the names for type checkers; at run time each is imported when first used
    from taperline.core.findings.dosing import (
        find_device_rebound,
        find_interdose,
        find_rebound,
        good_day_level,
        near_trough,
        time_of_day,
        trough_hour,
        trough_hours,
    )
    from taperline.core.findings.flares import (
        find_flares,
        find_stable,
        find_waves,
        scored_days_in_week,
    )
    from taperline.core.findings.model import (
        FINDING_KIND_LABELS,
        Evidence,
        Finding,
        FindingKind,
        FindingRules,
        Severity,
        flare_threshold,
    )
    from taperline.core.findings.proposal import (
        PROPOSAL_WORDS,
        Proposal,
        propose_next_step,
    )
    from taperline.core.findings.proposal import (
        ProposalAction as ProposalAction,
    )
    from taperline.core.findings.safety import (
        crisis_message,
        emergency_message,
        find_co_use,
        find_escalation,
        find_escalation_taken,
        find_large_doses,
        find_plan_above_maximum,
        find_profile_red_flags,
        find_profile_screen,
        find_red_flags,
        red_flag_advice,
    )

# ``ProposalAction`` (outside __all__) is importable from here as before.

#: Each name and the module it lives in: a name is imported on first use (PEP 562), so
#: ``taperline journal list``, which shows no finding, loads none of the rules
#: (tests/test_journal_imports.py).
_WHERE: dict[str, str] = {
    "Evidence": "model",
    "FINDING_KIND_LABELS": "model",
    "Finding": "model",
    "FindingKind": "model",
    "FindingRules": "model",
    "PROPOSAL_WORDS": "proposal",
    "Proposal": "proposal",
    "ProposalAction": "proposal",
    "Severity": "model",
    "crisis_message": "safety",
    "emergency_message": "safety",
    "find_co_use": "safety",
    "find_device_rebound": "dosing",
    "find_escalation": "safety",
    "find_escalation_taken": "safety",
    "find_flares": "flares",
    "find_interdose": "dosing",
    "find_large_doses": "safety",
    "find_plan_above_maximum": "safety",
    "find_profile_red_flags": "safety",
    "find_profile_screen": "safety",
    "find_rebound": "dosing",
    "find_red_flags": "safety",
    "find_stable": "flares",
    "find_waves": "flares",
    "flare_threshold": "model",
    "good_day_level": "dosing",
    "near_trough": "dosing",
    "propose_next_step": "proposal",
    "red_flag_advice": "safety",
    "scored_days_in_week": "flares",
    "time_of_day": "dosing",
    "trough_hour": "dosing",
    "trough_hours": "dosing",
}


def _module(where: str) -> ModuleType:
    """The module a name of :data:`_WHERE` is in (imported by its name: no importlib in core)."""
    if where == "dosing":
        from taperline.core.findings import dosing

        return dosing
    if where == "flares":
        from taperline.core.findings import flares

        return flares
    if where == "model":
        from taperline.core.findings import model

        return model
    if where == "proposal":
        from taperline.core.findings import proposal

        return proposal
    if where == "safety":
        from taperline.core.findings import safety

        return safety
    raise AssertionError(where)  # a name of _WHERE without its module here


__getattr__, __dir__ = lazy_names(globals(), _WHERE, _module)


__all__ = [
    "FINDING_KIND_LABELS",
    "PROPOSAL_WORDS",
    "Evidence",
    "Finding",
    "FindingKind",
    "FindingRules",
    "Proposal",
    "Severity",
    "crisis_message",
    "emergency_message",
    "find_co_use",
    "find_device_rebound",
    "find_escalation",
    "find_escalation_taken",
    "find_flares",
    "find_interdose",
    "find_large_doses",
    "find_plan_above_maximum",
    "find_profile_red_flags",
    "find_profile_screen",
    "find_rebound",
    "find_red_flags",
    "find_stable",
    "find_waves",
    "flare_threshold",
    "good_day_level",
    "near_trough",
    "propose_next_step",
    "red_flag_advice",
    "scored_days_in_week",
    "time_of_day",
    "trough_hour",
    "trough_hours",
]
