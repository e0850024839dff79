"""Corruptions of the packaged catalogue's data, each with the error it must give.

Shared by tests/test_catalogue.py (the whole file checked at once, as a clinician's file is)
and tests/test_catalogue_on_use.py (each drug checked when first read): every corruption must
name the drug and the field the same way on both paths.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any


def _drug(data: dict[str, Any], name: str) -> dict[str, Any]:
    return next(d for d in data["drugs"] if d["name"] == name)


Mutation = Callable[[dict[str, Any]], None]


def _set(drug: str, path: tuple[str | int, ...], value: object) -> Mutation:
    def mutate(data: dict[str, Any]) -> None:
        target: Any = _drug(data, drug)
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = value

    return mutate


def _delete(drug: str, path: tuple[str | int, ...]) -> Mutation:
    def mutate(data: dict[str, Any]) -> None:
        target: Any = _drug(data, drug)
        for step in path[:-1]:
            target = target[step]
        del target[path[-1]]

    return mutate


def _duplicate_drug(data: dict[str, Any]) -> None:
    data["drugs"].append(copy.deepcopy(_drug(data, "diazepam")))


def _brand_clash(data: dict[str, Any]) -> None:
    _drug(data, "zolpidem")["brand_names"] = ["Klonopin"]


CORRUPTIONS: list[tuple[str, Mutation, str]] = [
    (
        "missing source",
        _delete("clonazepam", ("products", 2, "source")),
        r"drug 'clonazepam', products\[2\]: missing required key 'source'",
    ),
    (
        "unknown source id",
        _set("clonazepam", ("ka_per_h", "source"), "BERLIN-1957"),
        r"drug 'clonazepam', ka_per_h: source 'BERLIN-1957' is not a known source id "
        r"\(did you mean 'BERLIN-1975'\?\)",
    ),
    (
        "zero strength",
        _set("clonazepam", ("products", 2, "strength"), "0 mg"),
        r"drug 'clonazepam', products\[2\]: strength '0 mg' must be above zero",
    ),
    (
        "negative strength",
        _set("diazepam", ("products", 0, "strength"), "-2 mg"),
        r"drug 'diazepam', products\[0\]: strength: '-2 mg' is negative",
    ),
    (
        "F above 1",
        _set("clonazepam", ("bioavailability", "value"), 1.2),
        r"drug 'clonazepam', bioavailability: value 1.2 must be above 0 and at most 1",
    ),
    (
        "low above typical",
        _set("clonazepam", ("half_life_h", "low"), 36.0),
        r"drug 'clonazepam', half_life_h: needs low <= typical <= high",
    ),
    (
        "negative half-life",
        _set("lorazepam", ("half_life_h", "low"), -1.0),
        r"drug 'lorazepam', half_life_h: low -1.0 must be above zero",
    ),
    ("duplicate drug", _duplicate_drug, r"drug 'diazepam' is listed twice"),
    (
        "brand clash",
        _brand_clash,
        r"drug 'zolpidem': name 'Klonopin' is already used by drug 'clonazepam'",
    ),
    (
        "unknown form",
        _set("clonazepam", ("products", 0, "form"), "patch"),
        r"drug 'clonazepam', products\[0\]: form 'patch' is not one of capsule, liquid, odt",
    ),
    (
        "missing key",
        _delete("alprazolam", ("half_life_h",)),
        r"drug 'alprazolam': missing required key 'half_life_h'",
    ),
    (
        "wrong unit for a _mg key",
        _set("diazepam", ("daily_max_mg", "value"), "40000 mcg"),
        r"drug 'diazepam', daily_max_mg: value '40000 mcg' is in mcg but daily_max_mg is in mg",
    ),
    (
        "wrong unit for a daily maximum",
        _set("clonazepam", ("daily_maxima", 0, "max_mg"), "4000 mcg"),
        r"drug 'clonazepam', daily_maxima\[0\]: max_mg is in mg .* '4000 mcg' is in mcg",
    ),
    (
        "unknown indication",
        _set("clonazepam", ("daily_maxima", 1, "indication"), "anxiety"),
        r"drug 'clonazepam', daily_maxima\[1\]: indication 'anxiety' is not one of seizure, panic",
    ),
    (
        "two maxima for one indication",
        _set("clonazepam", ("daily_maxima", 1, "indication"), "panic"),
        r"drug 'clonazepam': daily_maxima: one maximum per indication",
    ),
    (
        "one maximum and maxima by indication",
        _set("clonazepam", ("daily_max_mg",), {"value": "4 mg", "source": "LABEL"}),
        r"drug 'clonazepam': give daily_max_mg or daily_maxima, not both",
    ),
    (
        "interaction naming an unknown class",
        _set("clonazepam", ("interactions", 0, "class"), "opiods"),
        r"drug 'clonazepam', interactions\[0\]: class 'opiods' is not a known substance class "
        r"\(did you mean 'opioids'\?\)",
    ),
    (
        "a contraindication that is not urgent",
        _set("clonazepam", ("cautions", 1, "severity"), "info"),
        r"drug 'clonazepam', cautions\[1\]: a contraindication is urgent",
    ),
    (
        "unknown caution severity",
        _set("clonazepam", ("cautions", 0, "severity"), "severe"),
        r"drug 'clonazepam', cautions\[0\]: severity 'severe' is not one of urgent",
    ),
    (
        "volume for a mass",
        _set("clonazepam", ("products", 1, "strength"), "1 mL"),
        r"drug 'clonazepam', products\[1\]: strength '1 mL' must be a mass",
    ),
    (
        "non-numeric RxNorm",
        _set("clonazepam", ("products", 0, "rxnorm"), "19752A"),
        r"drug 'clonazepam', products\[0\]: rxnorm '19752A' must be an RxNorm code",
    ),
    (
        "RxNorm as a number",
        _set("clonazepam", ("products", 0, "rxnorm"), 197527),
        r"drug 'clonazepam', products\[0\]: rxnorm 197527 must be an RxNorm code",
    ),
    (
        "unknown key with a typo",
        _set("clonazepam", ("half_life_hours",), 35.0),
        r"drug 'clonazepam': unknown key 'half_life_hours' \(did you mean 'half_life_h'\?\)",
    ),
    (
        "benzodiazepine without equivalence",
        _set("oxazepam", ("equivalences",), []),
        r"drug 'oxazepam': equivalences: a benzodiazepine needs at least one",
    ),
    (
        "daily max below the top band",
        _set("clonazepam", ("daily_maxima", 0, "max_mg"), "1.5 mg"),
        r"drug 'clonazepam': daily_max_mg is below the lower bound of the highest dose band",
    ),
    (
        "gap between bands",
        _set("clonazepam", ("dose_bands", 2, "low_mg"), "1.2 mg"),
        r"drug 'clonazepam', dose_bands\[2\]: band 'moderate' must start where 'low-moderate' ends",
    ),
    (
        "string for a number",
        _set("clonazepam", ("cl_l_per_h", "value"), "4 L/h"),
        r"drug 'clonazepam', cl_l_per_h: value must be a number, got str '4 L/h'",
    ),
    (
        "unknown interaction kind",
        _set("clonazepam", ("interactions", 0, "kind"), "synergy"),
        r"drug 'clonazepam', interactions\[0\]: kind 'synergy' is not one of",
    ),
    (
        "caution slug with spaces",
        _set("clonazepam", ("cautions", 0, "condition"), "Sleep Apnea"),
        r"drug 'clonazepam', cautions\[0\]: condition 'Sleep Apnea' must be a slug",
    ),
    (
        "scored ODT",
        _set("clonazepam", ("products", 3, "divisible_by"), 2),
        r"drug 'clonazepam', products\[3\]: a odt cannot be split",
    ),
    (
        "plausible minimum above the smallest step",
        _set("clonazepam", ("plausible_single_dose", "min_mg"), "0.1 mg"),
        r"drug 'clonazepam': plausible_single_dose: min_mg is above the smallest product step",
    ),
]
