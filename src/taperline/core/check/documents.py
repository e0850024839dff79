"""The JSON documents of a check (``taperline check --format json``) and of a lesson."""

from __future__ import annotations

from taperline.core.catalogue import DoseBand, SleepUse
from taperline.core.check.lessons import Lesson
from taperline.core.check.request import DISCLAIMER, CheckReport, WithdrawalRisk
from taperline.core.quantity import Mass
from taperline.core.screening import maximum_document, regimen_issue_document, screening_document
from taperline.core.screening.documents import (
    ClassMatchOut,
    MaximumOut,
    RegimenIssueOut,
    UnknownOut,
)
from taperline.core.shapes import TypedDict, closed


@closed
class BandOut(TypedDict):
    """A dose band: its range, effects and risks."""

    name: str
    low_mg: float | None
    high_mg: float | None
    effects: str
    risks: str
    source: str
    assumption: bool
    note: str


@closed
class SleepUseOut(TypedDict):
    """How the drug is used for sleep (``short_term_weeks``: the low and high end)."""

    low_mg: float | None
    high_mg: float | None
    before_bed_min: int
    short_term_weeks: list[int]
    source: str
    note: str


@closed
class RiskOut(TypedDict):
    """The withdrawal-risk band under one equivalence source."""

    equivalence_source: str
    dose_equivalent_to_diazepam_10_mg: float | None
    diazepam_equivalent_mg: float | None
    band: str | None
    risks: str | None
    band_source: str | None


@closed
class CheckDoseOut(TypedDict):
    """A dose of the regimen checked."""

    time: str | None
    amount_mg: float | None


@closed
class CheckOut(TypedDict):
    """A regimen checked, as ``taperline check --format json`` prints it (``exit_code`` 1: ask)."""

    drug: str
    drug_label: str
    daily_dose_mg: float | None
    doses: list[CheckDoseOut]
    weeks_of_use: int | None
    band: BandOut | None
    daily_max_mg: float | None
    daily_max_source: str | None
    daily_max: MaximumOut | None
    indication: str | None
    sleep_use: SleepUseOut | None
    withdrawal_risk: list[RiskOut]
    findings: list[RegimenIssueOut]
    unknown: list[str]
    unknown_details: list[UnknownOut]
    classes: list[ClassMatchOut]
    contraindications: list[str]
    crisis: bool
    clinician_flag: bool
    refusals: list[str]
    known_conditions: list[str]
    exit_code: int
    disclaimer: str


@closed
class PointOut(TypedDict):
    """A cited point of a lesson."""

    text: str
    source: str


@closed
class TopicOut(TypedDict):
    """A section of a lesson (``key`` is stable)."""

    key: str
    heading: str
    points: list[PointOut]


@closed
class LessonOut(TypedDict):
    """What ``taperline learn --format json`` prints about one drug."""

    drug: str
    drug_label: str
    brand_names: list[str]
    drug_class: str
    sparse: bool
    topics: list[TopicOut]
    disclaimer: str


def _mg(mass: Mass | None) -> float | None:
    return None if mass is None else float(mass.mg)


def _band_document(band: DoseBand | None) -> BandOut | None:
    if band is None:
        return None
    return {
        "name": band.name,
        "low_mg": _mg(band.low_mg),
        "high_mg": _mg(band.high_mg),
        "effects": band.effects,
        "risks": band.risks,
        "source": band.source,
        "assumption": band.assumption,
        "note": band.note,
    }


def _sleep_use_document(use: SleepUse | None) -> SleepUseOut | None:
    if use is None:
        return None
    return {
        "low_mg": _mg(use.low_mg),
        "high_mg": _mg(use.high_mg),
        "before_bed_min": use.before_bed_min,
        "short_term_weeks": [use.short_term_low_weeks, use.short_term_high_weeks],
        "source": use.source,
        "note": use.note,
    }


def _risk_document(risk: WithdrawalRisk) -> RiskOut:
    band = risk.band
    return {
        "equivalence_source": risk.equivalence.source,
        "dose_equivalent_to_diazepam_10_mg": _mg(risk.equivalence.dose_mg),
        "diazepam_equivalent_mg": _mg(risk.diazepam_mg),
        "band": None if band is None else band.name,
        "risks": None if band is None else band.risks,
        "band_source": None if band is None else band.source,
    }


def check_document(report: CheckReport) -> CheckOut:
    """The JSON contract of ``taperline check --format json``.

    >>> from datetime import time
    >>> from taperline.catalogue_data import load_catalogue
    >>> from taperline.core.check import CheckRequest, build_doses, check_regimen
    >>> from taperline.core.quantity import Mass
    >>> catalogue = load_catalogue()
    >>> doc = check_document(check_regimen(catalogue, catalogue.get("clonazepam"),
    ...     CheckRequest(build_doses([Mass.of_mg("0.5")], [time(22, 0)]))))
    >>> doc["daily_dose_mg"], doc["doses"], doc["exit_code"]
    (0.5, [{'time': '22:00', 'amount_mg': 0.5}], 0)
    >>> doc["daily_max"]["applies_to"][:40], doc["indication"]
    ('anyone whose reason for taking it is not', None)
    """
    drug = report.drug
    limit = report.daily_max
    screened = screening_document(report.screening) if report.screening is not None else None
    return {
        "drug": drug.name,
        "drug_label": drug.label,
        "daily_dose_mg": _mg(report.daily_dose),
        "doses": [{"time": d.clock_text, "amount_mg": _mg(d.amount)} for d in report.doses],
        "weeks_of_use": report.weeks,
        "band": _band_document(report.band),
        "daily_max_mg": None if limit is None else _mg(limit.max_mg),
        "daily_max_source": None if limit is None else limit.source,
        "daily_max": maximum_document(limit),
        "indication": screened["indication"] if screened else None,
        "sleep_use": _sleep_use_document(drug.sleep_use),
        "withdrawal_risk": [_risk_document(r) for r in report.withdrawal_risk],
        "findings": [regimen_issue_document(f) for f in report.findings],
        "unknown": list(report.unknown),
        "unknown_details": screened["unknown"] if screened else [],
        "classes": screened["classes"] if screened else [],
        "contraindications": screened["contraindications"] if screened else [],
        "crisis": bool(screened["crisis"]) if screened else False,
        "clinician_flag": any(f.clinician_flag for f in report.findings),
        "refusals": screened["refusals"] if screened else [],
        "known_conditions": list(report.known_conditions),
        "exit_code": report.exit_code,
        "disclaimer": DISCLAIMER,
    }


def lesson_document(lesson: Lesson) -> LessonOut:
    """The JSON contract of ``taperline learn --format json``.

    >>> from taperline.catalogue_data import load_catalogue
    >>> from taperline.core.check import learn
    >>> doc = lesson_document(learn(load_catalogue().get("clonazepam")))
    >>> doc["drug_label"], doc["topics"][0]["key"], doc["topics"][0]["points"][0]["source"]
    ('clonazePAM', 'onset', 'SEED-AURA')
    """
    drug = lesson.drug
    return {
        "drug": drug.name,
        "drug_label": drug.label,
        "brand_names": list(drug.brand_names),
        "drug_class": drug.drug_class,
        "sparse": lesson.sparse,
        "topics": [
            {
                "key": t.key,
                "heading": t.heading,
                "points": [{"text": p.text, "source": p.source} for p in t.points],
            }
            for t in lesson.topics
        ],
        "disclaimer": DISCLAIMER,
    }
