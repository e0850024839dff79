"""PK values that need no array maths: the model's parameters, clonazepam's, a dose event.

Split from :mod:`taperline.core.pk` (which re-exports every name) so the journal's paths (the
catalogue, the review's interdose troughs) read a drug's parameters without importing NumPy;
the simulations stay in :mod:`taperline.core.pk`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

from taperline.errors import InputError, RegimenError

__all__ = [
    "CLONAZEPAM_PK",
    "DEFAULT_ED50_MG_PER_DAY",
    "NG_PER_ML_PER_MG_PER_L",
    "DoseEvent",
    "PKParams",
]

#: ng/mL in one mg/L.
NG_PER_ML_PER_MG_PER_L: Final = 1000.0

#: ⚠ Assumed clonazepam daily dose giving 50 % receptor occupancy (Occ = D / (D + ED50)).
#: No published clonazepam ED50 or human occupancy figure was confirmed [MAUDSLEY-2024].
#: Plausible values span 0.5 mg (the steep curve the Maudsley schedules imply) to about
#: 10 mg (alprazolam 2 mg/day ~ 16 % occupancy [FUJITA-1999], carried over through the
#: equivalence table); 2 mg sits between them, with therapeutic doses mid-curve. It is an
#: overridable, clinician-visible assumption, not a published value: callers should show
#: how results change across 0.5, 2 and 10 mg.
DEFAULT_ED50_MG_PER_DAY: Final = 2.0


@dataclass(frozen=True, slots=True)
class PKParams:
    """Apparent one-compartment parameters of an oral drug.

    ``cl_l_per_h`` and ``v_l`` are apparent values (CL/F and V/F) when
    ``bioavailability`` is 1; otherwise true values, and the absorbed dose is
    ``bioavailability * dose``.

    >>> round(PKParams(ka_per_h=1.7, cl_l_per_h=4.0, v_l=200.0).half_life_h, 1)
    34.7
    """

    ka_per_h: float
    cl_l_per_h: float
    v_l: float
    bioavailability: float = 1.0

    def __post_init__(self) -> None:
        for name in ("ka_per_h", "cl_l_per_h", "v_l"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value > 0):
                raise InputError(f"{name} must be a finite number above zero, got {value!r}")
        if not (0 < self.bioavailability <= 1):
            raise InputError(f"bioavailability must be in (0, 1], got {self.bioavailability!r}")

    @property
    def ke_per_h(self) -> float:
        """Elimination rate constant CL/V (1/h)."""
        return self.cl_l_per_h / self.v_l

    @property
    def half_life_h(self) -> float:
        """Elimination half-life ln 2 / ke (h)."""
        return math.log(2) / self.ke_per_h


#: Clonazepam, one-compartment default consistent with the label: absorption half-life
#: about 24 min (ka 1.7 /h) [LABEL, GREENBLATT-2005]; CL/F about 4 L/h and V/F about
#: 200 L (t1/2 about 35 h) [LABEL, GREENBLATT-2005, CREVOISIER-2003]; apparent values,
#: so the bioavailability is 1.
CLONAZEPAM_PK: Final = PKParams(ka_per_h=1.7, cl_l_per_h=4.0, v_l=200.0)


@dataclass(frozen=True, slots=True)
class DoseEvent:
    """One dose taken: when (hours on the regimen's clock) and how much.

    A missed dose is simply absent from the regimen; a late dose has a later time.

    >>> DoseEvent(time_h=22.0, amount_mg=0.5).amount_mg
    0.5
    """

    time_h: float
    amount_mg: float

    def __post_init__(self) -> None:
        if not math.isfinite(self.time_h):
            raise RegimenError(f"a dose time must be a finite number of hours, got {self.time_h!r}")
        if not (math.isfinite(self.amount_mg) and self.amount_mg > 0):
            raise RegimenError(
                f"a dose amount must be a finite number of mg above zero, got {self.amount_mg!r}"
                " (leave a missed dose out instead)"
            )
