"""Check a regimen against the catalogue, and gather what a patient asks about a drug.

Pure functions that return frozen values, shared by ``taperline check`` and
``taperline learn`` (and later the web app): no I/O, clock, environment or printing.

Findings and exit codes (``taperline check``):

* every :class:`RegimenIssue` has a kind, a severity, a message, a source id, ``clinician_flag``
  (set on every urgent finding) and ``crisis`` (the message carries the crisis resources);
* ``info`` is context (for example "about 30 min before bed") and never changes the exit code;
  ``warning`` is something to discuss with the prescriber (a moderate interaction, a
  condition, long use, an unknown name); ``urgent`` is a danger (above the daily maximum, a
  major interaction, a contraindication, crisis words, under 18);
* :attr:`CheckReport.exit_code` is 1 when any finding is a warning or urgent, or any name was
  not in the catalogue, and 0 otherwise. Bad input raises
  :class:`~taperline.errors.InputError` (exit 2 in the CLI), never a finding.

What the other medicines and conditions mean is decided by
:func:`taperline.core.screening.screen` (classes, contraindications, crisis words, the
indication and its daily maximum, age); names it does not know (``--with tea``,
``--condition gout``) are reported as "unknown: ask a pharmacist", with a did-you-mean when one
is close, never silently ignored: an unknown agent is not a safe agent.

The daily maximum is the one for the indication read from the conditions (20 mg for a seizure
disorder, 4 mg for panic disorder or sleep [LABEL, SEED-AURA]); without one, the lowest. With a
seizure or panic indication the sleep-use advice (bedtime range, short-term use) is left out.

The package: :mod:`~taperline.core.check.request` (:class:`CheckRequest`,
:class:`CheckReport`, reading doses and names), :mod:`~taperline.core.check.checker`
(:func:`check_regimen`), :mod:`~taperline.core.check.lessons` (:func:`learn`) and
:mod:`~taperline.core.check.documents` (the JSON of a check and of a lesson).

>>> from datetime import time
>>> from taperline.catalogue_data import load_catalogue
>>> from taperline.core.quantity import Mass
>>> from taperline.core.check import CheckRequest, build_doses, check_regimen
>>> catalogue = load_catalogue()
>>> drug = catalogue.get("clonazepam")
>>> report = check_regimen(catalogue, drug, CheckRequest(
...     doses=build_doses((Mass.of_mg("0.5"),), (time(22, 0),)), agents=("oxycodone",)))
>>> report.band.name, report.exit_code, report.findings[0].severity
('low', 1, 'urgent')
"""

from __future__ import annotations

from types import ModuleType
from typing import TYPE_CHECKING

from taperline.core.lazy import lazy_names

if TYPE_CHECKING:  # the names for type checkers; at run time each is imported when first used
    from taperline.core.check.checker import (
        EVENING_START_H as EVENING_START_H,
    )
    from taperline.core.check.checker import (
        LATE_NIGHT_END_H as LATE_NIGHT_END_H,
    )
    from taperline.core.check.checker import (
        WEEKS_PER_MONTH as WEEKS_PER_MONTH,
    )
    from taperline.core.check.checker import (
        check_regimen,
        withdrawal_risks,
    )
    from taperline.core.check.documents import (
        check_document,
        lesson_document,
    )
    from taperline.core.check.lessons import (
        CLEARED_PCT as CLEARED_PCT,
    )
    from taperline.core.check.lessons import (
        HALF_LIVES_TO_90_PCT as HALF_LIVES_TO_90_PCT,
    )
    from taperline.core.check.lessons import (
        HALF_LIVES_TO_CLEAR as HALF_LIVES_TO_CLEAR,
    )
    from taperline.core.check.lessons import (
        HalfLifeTimes,
        Lesson,
        Point,
        Topic,
        learn,
        times_from_half_life,
    )
    from taperline.core.check.request import (
        DISCLAIMER,
        CheckReport,
        CheckRequest,
        TimedDose,
        WithdrawalRisk,
        build_doses,
        split_names,
    )
    from taperline.core.check.request import (
        MAX_WEEKS as MAX_WEEKS,
    )
    from taperline.core.screening import (
        MAX_AGE_YEARS,
        OLDER_ADULT_AGE_YEARS,
        OWN_SOURCE,
        REGIMEN_ISSUE_KINDS,
        REGIMEN_ISSUE_SEVERITIES,
        RegimenIssue,
        RegimenIssueKind,
        RegimenIssueSeverity,
    )

# RegimenIssue, RegimenIssueKind, RegimenIssueSeverity, REGIMEN_ISSUE_KINDS,
# REGIMEN_ISSUE_SEVERITIES, OWN_SOURCE, OLDER_ADULT_AGE_YEARS (65: avoid benzodiazepines
# [BEERS-2023]) and MAX_AGE_YEARS come from taperline.core.screening and are re-exported
# here for the callers of the check.

# The ``name as name`` imports are names outside __all__, importable from here as before.

#: Each name and the module it lives in: a name is imported on first use (PEP 562), so
#: ``taperline learn`` pays for the lessons only, not the checker and the screening it runs.
_WHERE: dict[str, str] = {
    "CLEARED_PCT": "lessons",
    "CheckReport": "request",
    "CheckRequest": "request",
    "DISCLAIMER": "request",
    "EVENING_START_H": "checker",
    "HALF_LIVES_TO_90_PCT": "lessons",
    "HALF_LIVES_TO_CLEAR": "lessons",
    "HalfLifeTimes": "lessons",
    "LATE_NIGHT_END_H": "checker",
    "Lesson": "lessons",
    "MAX_AGE_YEARS": "screening",
    "MAX_WEEKS": "request",
    "OLDER_ADULT_AGE_YEARS": "screening",
    "OWN_SOURCE": "screening",
    "Point": "lessons",
    "REGIMEN_ISSUE_KINDS": "screening",
    "REGIMEN_ISSUE_SEVERITIES": "screening",
    "RegimenIssue": "screening",
    "RegimenIssueKind": "screening",
    "RegimenIssueSeverity": "screening",
    "TimedDose": "request",
    "Topic": "lessons",
    "WEEKS_PER_MONTH": "checker",
    "WithdrawalRisk": "request",
    "build_doses": "request",
    "check_document": "documents",
    "check_regimen": "checker",
    "learn": "lessons",
    "lesson_document": "documents",
    "split_names": "request",
    "times_from_half_life": "lessons",
    "withdrawal_risks": "checker",
}


def _module(where: str) -> ModuleType:
    """The module a name of :data:`_WHERE` is in (imported by its name: no importlib in core)."""
    if where == "checker":
        from taperline.core.check import checker

        return checker
    if where == "documents":
        from taperline.core.check import documents

        return documents
    if where == "lessons":
        from taperline.core.check import lessons

        return lessons
    if where == "request":
        from taperline.core.check import request

        return request
    if where == "screening":
        from taperline.core import screening

        return screening
    raise AssertionError(where)  # a name of _WHERE without its module here


__getattr__, __dir__ = lazy_names(globals(), _WHERE, _module)


__all__ = [
    "DISCLAIMER",
    "MAX_AGE_YEARS",
    "OLDER_ADULT_AGE_YEARS",
    "OWN_SOURCE",
    "REGIMEN_ISSUE_KINDS",
    "REGIMEN_ISSUE_SEVERITIES",
    "CheckReport",
    "CheckRequest",
    "HalfLifeTimes",
    "Lesson",
    "Point",
    "RegimenIssue",
    "RegimenIssueKind",
    "RegimenIssueSeverity",
    "TimedDose",
    "Topic",
    "WithdrawalRisk",
    "build_doses",
    "check_document",
    "check_regimen",
    "learn",
    "lesson_document",
    "split_names",
    "times_from_half_life",
    "withdrawal_risks",
]
