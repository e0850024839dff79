"""The JSON documents of a screening, a finding and a daily maximum."""

from __future__ import annotations

from taperline.core.catalogue import DailyMaximum
from taperline.core.catalogue.model import Indication
from taperline.core.screening.model import (
    CrisisCategory,
    Field,
    RegimenIssue,
    RegimenIssueKind,
    RegimenIssueSeverity,
    Screening,
)
from taperline.core.shapes import TypedDict, closed


@closed
class RegimenIssueOut(TypedDict):
    """A finding about a regimen (``crisis``: show the crisis message with it)."""

    kind: RegimenIssueKind
    severity: RegimenIssueSeverity
    message: str
    source: str
    clinician_flag: bool
    crisis: bool


@closed
class MaximumOut(TypedDict):
    """The daily maximum that applies, for which indication, and its source."""

    indication: Indication | None
    max_mg: float
    applies_to: str
    source: str
    note: str


@closed
class UnknownOut(TypedDict):
    """A medicine or condition taperline does not recognise (unknown is not safe)."""

    name: str
    field: Field
    suggestion: str | None
    message: str


# "class" is a Python keyword, so this shape is written in the functional form.
ClassMatchOut = TypedDict(
    "ClassMatchOut",
    {"given": str, "class": str, "class_name": str, "member": str | None, "source": str},
)
closed(ClassMatchOut)


@closed
class ConditionOut(TypedDict):
    """A condition recognised: a caution, a contraindication or an indication."""

    given: str
    recognised_as: str
    contraindication: bool
    indication: Indication | None


@closed
class CrisisOut(TypedDict):
    """Crisis words found, as typed."""

    category: CrisisCategory
    typed: str


@closed
class ScreeningOut(TypedDict):
    """What was recognised in the medicines, conditions and age, and what it means."""

    drug: str
    findings: list[RegimenIssueOut]
    unknown: list[UnknownOut]
    classes: list[ClassMatchOut]
    conditions: list[ConditionOut]
    contraindications: list[str]
    crisis: list[CrisisOut]
    indication: Indication | None
    daily_max: MaximumOut | None
    refusals: list[str]
    clinician_flag: bool


def regimen_issue_document(finding: RegimenIssue) -> RegimenIssueOut:
    """One finding as JSON (the keys of ``taperline check --format json``)."""
    return {
        "kind": finding.kind,
        "severity": finding.severity,
        "message": finding.message,
        "source": finding.source,
        "clinician_flag": finding.clinician_flag,
        "crisis": finding.crisis,
    }


def maximum_document(maximum: DailyMaximum | None) -> MaximumOut | None:
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


def screening_document(screening: Screening) -> ScreeningOut:
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
