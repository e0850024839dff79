"""The guideline's values that a taper is held to, each with its source.

A plan that keeps to these is "within the guideline". Changing one beyond it (a larger cap,
a shorter window or stabilisation) needs a clinician's override reason, and the plan is then
marked "outside the guideline by clinician override" wherever it is shown
(:mod:`taperline.core.rules` decides; this module only holds the numbers).

>>> GUIDELINE.max_cut_pct, GUIDELINE.window_days, GUIDELINE.stabilisation_days
(Decimal('25'), 14, 14)
>>> GUIDELINE.describe_cap()
'25 % per 14 days [ASAM-2025]'
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from taperline.core.quantity import fmt_number

__all__ = [
    "END_PHASE_DIAZEPAM_MG",
    "GUIDELINE",
    "LABEL_STEP_DAYS",
    "LABEL_STEP_DIAZEPAM_MG",
    "LABEL_STEP_MG",
    "OVERRIDE_SOURCE",
    "Guideline",
    "override_mark",
]

#: End-phase cuts of up to diazepam 0.5 mg equivalent may exceed the percentage cap
#: [NICE-CKS: "0.5-1 mg to zero"]; for clonazepam at Ashton's 1:20 this is 0.025 mg
#: [SEED-MICROTAPER: "cuts as small as 0.025 mg"].
END_PHASE_DIAZEPAM_MG: Final = Decimal("0.5")
#: The fastest documented clonazepam discontinuation: 0.125 mg twice daily less every 3 days,
#: that is 0.25 mg a day every 3 days, in the panic-disorder trials [LABEL].
LABEL_STEP_MG: Final = Decimal("0.25")
LABEL_STEP_DAYS: Final = 3
#: The same step in diazepam equivalents for plans of other drugs: 0.25 mg clonazepam by the
#: VA/DoD equivalence (1 mg = diazepam 10 mg [VADOD-2021]), the smaller of the two sources
#: (Ashton's gives 5 mg), so the rule is never looser for another drug.
LABEL_STEP_DIAZEPAM_MG: Final = Decimal("2.5")
#: What a rule line cites when a value was set by a clinician's override, not a guideline.
OVERRIDE_SOURCE: Final = "clinician override"


@dataclass(frozen=True, slots=True)
class Guideline:
    """The guideline values of a taper, with their sources."""

    # [ASAM-2025] "typically not more than 25 % every 2 weeks"
    max_cut_pct: Decimal = Decimal(25)
    window_days: int = 14
    cap_source: str = "ASAM-2025"
    # [SEED-MICROTAPER] stabilise on a dose 2-4 weeks before the first cut
    stabilisation_days: int = 14
    stabilisation_source: str = "SEED-MICROTAPER"

    def describe_cap(self) -> str:
        """The cap in words with its source."""
        return f"{fmt_number(self.max_cut_pct)} % per {self.window_days} days [{self.cap_source}]"

    def describe_stabilisation(self) -> str:
        """The stabilisation in words with its source.

        >>> GUIDELINE.describe_stabilisation()
        'at least 14 days [SEED-MICROTAPER]'
        """
        return f"at least {self.stabilisation_days} days [{self.stabilisation_source}]"


GUIDELINE: Final = Guideline()


def override_mark(reason: str) -> str:
    """How every surface marks a plan or step that an override took outside the guideline.

    >>> override_mark("inpatient detoxification, supervised daily")
    'outside the guideline by clinician override: inpatient detoxification, supervised daily'
    """
    return f"outside the guideline by clinician override: {reason}"
