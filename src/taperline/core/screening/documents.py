"""The JSON documents of a screening, a finding and a daily maximum."""

from __future__ import annotations

from taperline.core.catalogue import DailyMaximum
from taperline.core.screening.model import RegimenIssue, Screening


def regimen_issue_document(finding: RegimenIssue) -> dict[str, object]:
    """One finding as JSON (the keys of ``taperline check --format json``)."""
    return {
        "kind": finding.kind,
        "severity": finding.severity,
        "message": finding.message,
        "source": finding.source,
        "clinician_flag": finding.clinician_flag,
        "crisis": finding.crisis,
    }


def maximum_document(maximum: DailyMaximum | None) -> dict[str, object] | None:
    """The daily maximum that applies, as JSON."""
    if maximum is None:
        return None
    return {
        "indication": maximum.indication,
        "max_mg": float(maximum.max_mg.mg),
        "applies_to": maximum.applies_to,
        "source": maximum.source,
        "note": maximum.note,
    }


def screening_document(screening: Screening) -> dict[str, object]:
    """The JSON shape of a screening (for the API and ``--format json``).

    >>> from taperline.catalogue_data import load_catalogue
    >>> from taperline.core.screening import screen
    >>> catalogue = load_catalogue()
    >>> doc = screening_document(screen(catalogue, catalogue.get("clonazepam"),
    ...                                 agents=["oxycodon"]))
    >>> doc["unknown"]
    [{'name': 'oxycodon', 'field': 'agent', 'suggestion': 'oxycodone', 'message': "unknown: ask a pharmacist. taperline does not recognise the medicine or substance 'oxycodon' (did you mean 'oxycodone'?); unknown is not the same as safe."}]
    """  # noqa: E501 -- a doctest line reads better whole
    return {
        "drug": screening.drug.name,
        "findings": [regimen_issue_document(f) for f in screening.findings],
        "unknown": [
            {"name": u.name, "field": u.field, "suggestion": u.suggestion, "message": u.message}
            for u in screening.unknown
        ],
        "classes": [
            {
                "given": m.given,
                "class": m.substance_class.slug,
                "class_name": m.substance_class.name,
                "member": None if m.member is None else m.member.name,
                "source": m.substance_class.source,
            }
            for m in screening.classes
        ],
        "conditions": [
            {
                "given": c.given,
                "recognised_as": c.name,
                "contraindication": c.contraindication,
                "indication": c.indication,
            }
            for c in screening.conditions
        ],
        "contraindications": [c.name for c in screening.contraindications],
        "crisis": [{"category": m.category, "typed": m.typed} for m in screening.crisis],
        "indication": screening.indication,
        "daily_max": maximum_document(screening.daily_max),
        "refusals": list(screening.refusals),
        "clinician_flag": screening.clinician_flag,
    }
