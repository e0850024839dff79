"""The one rules engine: every plan, whatever made it, is checked here before it is shown or stored.

A plan reaches this module as the steps a person follows (:class:`~taperline.core.record.
RecordStep`), whether the planner made it (any strategy, ``custom``, bands, holds), a
clinician adjusted or resumed a stored plan, or a FHIR import brought it. :func:`check_plan`
returns every rule it breaks; :meth:`RulesReport.raise_if_refused` refuses it.

The rules, where each number comes from, and whether an override reason can lift it:

=============== ========================================================== ======== ===============
rule            what it holds                                              override source
=============== ========================================================== ======== ===============
daily_max       no step gives more of a drug a day than its maximum for     never    LABEL,
                the indication                                                      SEED-AURA
increase        no step raises the daily dose (diazepam equivalents)        never    taperline
                unless the clinician wrote the clinical reason on that step
abrupt_stop     a step to zero only from the smallest makeable dose (or     never    ASAM-2025,
                from at most diazepam 0.5 mg equivalent)                            NICE-CKS
label_rate      the dose never falls faster than the fastest documented     never    LABEL
                clonazepam discontinuation: 0.25 mg a day every 3 days
                (its diazepam equivalent for other drugs), counted over
                every period of at least 14 days
cap             in no 14-day window does the daily dose fall by more than   yes      ASAM-2025,
                25 % of the window's highest dose, or near the end by               NICE-CKS
                more than diazepam 0.5 mg equivalent, however the steps
                are spaced
stabilisation   the first change comes at least 14 days after the start     yes      SEED-MICROTAPER
switch          a crossover switch is not a cut above the cap by any        yes      ASHTON,
                equivalence source                                                  VADOD-2021
parameter       the plan's settings are within the guideline (cap,          yes      ASAM-2025
                window, stabilisation, a strategy's percent or interval)
=============== ========================================================== ======== ===============

Windows compare the dose on a day with the doses in force on the 14 days before it, so
"25 % every 14 days" is exactly allowed and 10 % every 3 days is not. The last step to
zero is judged by the ``abrupt_stop`` rule, not the cap. An every-other-day step counts as
half its daily dose. An override reason must be a sentence a colleague could audit
(:func:`check_reason`); with one, the ``cap``, ``stabilisation``, ``switch`` and
``parameter`` rules are lifted and each lifted rule is listed in
:attr:`RulesReport.outside_guideline`, which every surface shows as "outside the guideline
by clinician override: <reason>" (:func:`~taperline.core.guideline.override_mark`).

The package: :mod:`~taperline.core.rules.model` (the rule ids, :class:`Limits`,
:class:`Violation`, :class:`RulesReport`, numbers in messages),
:mod:`~taperline.core.rules.reasons` (:func:`check_reason`, :func:`is_reason`),
:mod:`~taperline.core.rules.engine` (:func:`check_plan` and the daily maximum, stabilisation,
increase and stop rules), :mod:`~taperline.core.rules.window` (the cap and the label rate over a
window, and the planner's floors), :mod:`~taperline.core.rules.switch` (crossover switches) and
:mod:`~taperline.core.rules.settings` (:func:`parameter_violations`).

>>> from datetime import date
>>> from decimal import Decimal
>>> from taperline.core.quantity import Mass
>>> from taperline.core.record import RecordDose, RecordStep
>>> def step(day, mg):
...     doses = (RecordDose("22:00", "clonazepam", Mass.of_mg(mg)),) if mg != "0" else ()
...     return RecordStep(date(2027, 1, day), doses)
>>> from taperline.core.catalogue import DailyMaximum
>>> limits = Limits(start_drug="clonazepam", ratios={"clonazepam": Decimal(20)},
...     daily_max={"clonazepam": DailyMaximum("panic", Mass.of_mg(4), "adults", "LABEL")},
...     smallest={"clonazepam": Mass.of_mg("0.125")})
>>> report = check_plan([step(1, "1"), step(15, "0.9"), step(18, "0.8"), step(21, "0.7")], limits)
>>> [v.rule for v in report.refused]
['cap']
>>> report.refused[0].message  # doctest: +NORMALIZE_WHITESPACE
'the step on 2027-01-21 takes the daily dose from 1 mg (on 2027-01-14) to 0.7 mg: a 30 % cut
within 14 days, above the guideline cap of 25 % per 14 days [ASAM-2025]: space the cuts out,
or give an override reason to allow it'
"""

from __future__ import annotations

from taperline.core.rules.engine import check_plan, stop_allowance
from taperline.core.rules.model import CLONAZEPAM as CLONAZEPAM
from taperline.core.rules.model import (
    HARD_RULES,
    RULE_IDS,
    Limits,
    RuleId,
    RulesReport,
    Violation,
    pct_text,
)
from taperline.core.rules.reasons import MIN_REASON_LETTERS as MIN_REASON_LETTERS
from taperline.core.rules.reasons import MIN_REASON_WORDS as MIN_REASON_WORDS
from taperline.core.rules.reasons import check_reason, is_reason
from taperline.core.rules.settings import parameter_violations
from taperline.core.rules.switch import describe_change, switch_changes
from taperline.core.rules.window import (
    cap_floor,
    label_rate_floor,
    lowest_allowed,
    rate_allowance,
    window_highest,
)

# The ``name as name`` imports are names outside __all__, importable from here as before.
__all__ = [
    "HARD_RULES",
    "RULE_IDS",
    "Limits",
    "RuleId",
    "RulesReport",
    "Violation",
    "cap_floor",
    "check_plan",
    "check_reason",
    "describe_change",
    "is_reason",
    "label_rate_floor",
    "lowest_allowed",
    "parameter_violations",
    "pct_text",
    "rate_allowance",
    "stop_allowance",
    "switch_changes",
    "window_highest",
]
