"""JSON documents of the web app: the whole record for export, doses, scores, accounts.

Keys carry their units (``amount_mg``, ``*_utc``), like the CLI's documents; check-ins, plan
versions and findings use the service's documents so every interface says the same.
"""

from __future__ import annotations

from typing import Any

from taperline.adapters.storage.accounts import AuditEntry, ShareView, User
from taperline.core.instruments import InstrumentScore
from taperline.core.quantity import fmt
from taperline.core.record import DoseRecord, PersonRecord, Profile
from taperline.core.review import Review
from taperline.service import checkin_document, plan_version_document, review_document

__all__ = [
    "audit_document",
    "dose_document",
    "export_document",
    "profile_document",
    "record_document",
    "score_document",
    "user_document",
]

EXPORT_FORMAT = "taperline-export-1"


def profile_document(profile: Profile) -> dict[str, Any]:
    """A profile as JSON."""
    return {
        "label": profile.label,
        "time_zone": profile.time_zone,
        "age_band": profile.age_band,
        "conditions": list(profile.conditions),
        "other_medicines": list(profile.other_medicines),
    }


def dose_document(dose: DoseRecord) -> dict[str, Any]:
    """A dose-log line as JSON (local wall-clock time)."""
    return {
        "date": dose.day.isoformat(),
        "drug": dose.drug,
        "planned_time": dose.planned_clock,
        "planned_amount_mg": float(dose.planned_amount.mg) if dose.planned_amount else None,
        "planned_amount": fmt(dose.planned_amount) if dose.planned_amount else None,
        "taken_at": dose.taken_at.isoformat(timespec="minutes") if dose.taken_at else None,
        "amount_mg": float(dose.amount.mg) if dose.amount else None,
        "amount": fmt(dose.amount) if dose.amount else None,
        "status": dose.status(),
        "units": dose.units,
        "note": dose.note,
    }


def score_document(score: InstrumentScore) -> dict[str, Any]:
    """A PHQ-9 or GAD-7 as JSON."""
    return {
        "instrument": score.instrument,
        "date": score.taken_on.isoformat() if score.taken_on else None,
        "items": list(score.items),
        "total": score.total,
        "band": score.band,
    }


def user_document(user: User, profile: Profile | None) -> dict[str, Any]:
    """The signed-in user (never the password hash)."""
    return {
        "user_id": user.id,
        "email": user.email,
        "display_name": user.display_name,
        "role": user.role,
        "person_id": user.person_id,
        "created_at_utc": user.created_at.isoformat(),
        "profile": profile_document(profile) if profile else None,
    }


def audit_document(entry: AuditEntry) -> dict[str, Any]:
    """One audit line."""
    return {
        "at_utc": entry.at.isoformat(),
        "actor": entry.actor,
        "action": entry.action,
        "object": entry.object,
    }


def record_document(record: PersonRecord, result: Review | None = None) -> dict[str, Any]:
    """A person's whole record: profile, journal, dose log, questionnaires and plans."""
    document: dict[str, Any] = {
        "profile": profile_document(record.profile),
        "checkins": [checkin_document(c) for c in record.checkins],
        "doses": [dose_document(d) for d in record.doses],
        "scores": [score_document(s) for s in record.scores],
        "plans": [plan_version_document(p) for p in record.plans],
    }
    if result is not None:
        document["review"] = review_document(result)
    return document


def export_document(
    user: User,
    record: PersonRecord,
    shares: list[ShareView],
    audit: list[AuditEntry],
    exported_at: str,
) -> dict[str, Any]:
    """Everything stored about a patient, for them to keep or take elsewhere."""
    return {
        "format": EXPORT_FORMAT,
        "exported_at_utc": exported_at,
        "account": user_document(user, record.profile),
        "record": record_document(record),
        "shares": [
            {
                "clinician": s.clinician_name,
                "clinician_email": s.clinician_email,
                "accepted_at_utc": s.accepted_at.isoformat(),
                "revoked_at_utc": s.revoked_at.isoformat() if s.revoked_at else None,
            }
            for s in shares
        ],
        "audit_log": [audit_document(e) for e in audit],
    }
