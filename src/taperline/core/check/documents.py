"""The JSON documents of a check (``taperline check --format json``) and of a lesson."""

from __future__ import annotations

from taperline.core.catalogue import DoseBand, SleepUse
from taperline.core.check.lessons import Lesson
from taperline.core.check.request import DISCLAIMER, CheckReport, WithdrawalRisk
from taperline.core.quantity import Mass
from taperline.core.screening import maximum_document, regimen_issue_document, screening_document


def _mg(mass: Mass | None) -> float | None:
    return None if mass is None else float(mass.mg)


def _band_document(band: DoseBand | None) -> dict[str, object] | None:
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


def _sleep_use_document(use: SleepUse | None) -> dict[str, object] | None:
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


def _risk_document(risk: WithdrawalRisk) -> dict[str, object]:
    band = risk.band
    return {
        "equivalence_source": risk.equivalence.source,
        "dose_equivalent_to_diazepam_10_mg": _mg(risk.equivalence.dose_mg),
        "diazepam_equivalent_mg": _mg(risk.diazepam_mg),
        "band": None if band is None else band.name,
        "risks": None if band is None else band.risks,
        "band_source": None if band is None else band.source,
    }


def check_document(report: CheckReport) -> dict[str, object]:
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
    screened = screening_document(report.screening) if report.screening is not None else {}
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
        "indication": screened.get("indication"),
        "sleep_use": _sleep_use_document(drug.sleep_use),
        "withdrawal_risk": [_risk_document(r) for r in report.withdrawal_risk],
        "findings": [regimen_issue_document(f) for f in report.findings],
        "unknown": list(report.unknown),
        "unknown_details": screened.get("unknown", []),
        "classes": screened.get("classes", []),
        "contraindications": screened.get("contraindications", []),
        "crisis": bool(screened.get("crisis")),
        "clinician_flag": any(f.clinician_flag for f in report.findings),
        "refusals": screened.get("refusals", []),
        "known_conditions": list(report.known_conditions),
        "exit_code": report.exit_code,
        "disclaimer": DISCLAIMER,
    }


def lesson_document(lesson: Lesson) -> dict[str, object]:
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
