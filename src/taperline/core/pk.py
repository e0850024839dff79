"""Pharmacokinetics: a one-compartment model with first-order oral absorption.

(Being written: the parameter type below is fixed; the engine follows.)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from taperline.errors import InputError

__all__ = ["PKParams"]


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
