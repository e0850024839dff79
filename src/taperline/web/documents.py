"""JSON documents of the web app: the whole record for export, doses, scores, accounts.

Keys carry their units (``amount_mg``, ``*_utc``), like the CLI's documents; check-ins, plan
versions and findings use the service's documents so every interface says the same. Each
shape is a closed ``TypedDict`` beside its builder (:mod:`taperline.core.shapes`), and the
API's envelopes (a list of check-ins, a stored row and its review) are here too: the API names
them as its response models, so the OpenAPI schema is these definitions.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC
from typing import Literal

from taperline.adapters.storage.accounts import AuditEntry, ShareView, User
from taperline.core.device_sleep import DeviceSleepRecord
from taperline.core.instruments import InstrumentScore
from taperline.core.quantity import fmt
from taperline.core.record import DoseRecord, PersonRecord, Profile, Regimen
from taperline.core.shapes import TypedDict, closed
from taperline.service import checkin_document, plan_version_document
from taperline.service.documents import CheckInOut, PlanVersionOut, ReviewOut

__all__ = [
    "CheckInList",
    "DoseList",
    "DoseOut",
    "ExportOut",
    "MeOut",
    "PatientOut",
    "PatientRecordOut",
    "PlanList",
    "RecordOut",
    "SavedCheckIn",
    "SavedOut",
    "SavedScore",
    "ScoreOut",
    "audit_document",
    "dose_document",
    "export_document",
    "profile_document",
    "record_document",
    "score_document",
    "user_document",
]

EXPORT_FORMAT = "taperline-export-1"


@closed
class RegimenDoseOut(TypedDict):
    """A dose of the regimen taken now: its clock time and amount."""

    time: str
    amount_mg: float
    amount: str


@closed
class RegimenOut(TypedDict):
    """The regimen taken before a plan starts (what doses are matched against until then)."""

    drug: str
    doses: list[RegimenDoseOut]
    daily_mg: float


@closed
class ProfileOut(TypedDict):
    """A patient's profile (``regimen``: the doses taken now, null when not recorded)."""

    label: str
    time_zone: str
    age_band: str | None
    conditions: list[str]
    other_medicines: list[str]
    regimen: RegimenOut | None


@closed
class MeOut(TypedDict):
    """The signed-in user."""

    user_id: int
    email: str
    display_name: str
    role: Literal["patient", "clinician"]
    person_id: int | None
    created_at_utc: str
    profile: ProfileOut | None


@closed
class DoseOut(TypedDict):
    """A dose-log line."""

    date: str
    drug: str
    planned_time: str | None
    planned_amount_mg: float | None
    planned_amount: str | None
    taken_at: str | None
    amount_mg: float | None
    amount: str | None
    status: str
    units: str
    note: str


@closed
class ScoreOut(TypedDict):
    """A scored questionnaire; ``replaced_items``: that day's answers it replaced, oldest first."""

    instrument: str
    date: str | None
    items: list[int]
    total: int
    band: str
    replaced_items: list[list[int]]


@closed
class AuditOut(TypedDict):
    """One audit line."""

    at_utc: str
    actor: str
    action: str
    object: str


@closed
class RecordOut(TypedDict):
    """A person's whole record: profile, journal, dose log, questionnaires and plans."""

    profile: ProfileOut
    checkins: list[CheckInOut]
    doses: list[DoseOut]
    scores: list[ScoreOut]
    plans: list[PlanVersionOut]


@closed
class PatientRecordOut(RecordOut):
    """A shared patient's whole record and its review, for their clinician."""

    person_id: int
    display_name: str
    review: ReviewOut


@closed
class ShareOut(TypedDict):
    """A clinician the record is (or was) shared with."""

    clinician: str
    clinician_email: str
    accepted_at_utc: str
    revoked_at_utc: str | None


@closed
class DeviceSleepOut(TypedDict):
    """One record of sleep from a device (kept apart from the diary), as stored.

    ``asleep_min`` is given for a summary session only; ``origin_id`` is the file's own id.
    """

    source: str
    device: str
    stage: str
    start_utc: str
    end_utc: str
    asleep_min: int | None
    origin_id: str


@closed
class ExportOut(TypedDict):
    """Everything stored about a patient, for them to keep or take elsewhere.

    ``device_sleep``: the records imported from devices (kept apart from the diary).
    """

    format: str
    exported_at_utc: str
    account: MeOut
    record: RecordOut
    device_sleep: list[DeviceSleepOut]
    shares: list[ShareOut]
    audit_log: list[AuditOut]


@closed
class CheckInList(TypedDict):
    """Check-ins by date."""

    checkins: list[CheckInOut]


@closed
class SavedCheckIn(TypedDict):
    """A stored check-in (``created`` is false for a repeat or an edit) and the review."""

    checkin: CheckInOut
    created: bool
    review: ReviewOut


@closed
class SavedOut(TypedDict):
    """A stored row."""

    id: int
    created: bool


@closed
class DoseList(TypedDict):
    """Dose-log lines in order."""

    doses: list[DoseOut]


@closed
class SavedScore(TypedDict):
    """A stored questionnaire and the review (PHQ-9 item 9 above 0 is a red flag)."""

    score: ScoreOut
    created: bool
    #: The score replaced the day's stored one (a PHQ-9 retaken with a higher item 9).
    replaced: bool
    review: ReviewOut


@closed
class PlanList(TypedDict):
    """Every version, oldest first, and which one is followed now."""

    plans: list[PlanVersionOut]
    in_force_version: int | None


@closed
class PatientOut(TypedDict):
    """A patient who shares their record with the signed-in clinician."""

    person_id: int
    display_name: str
    urgent_findings: int
    clinician_flags: int
    warnings: int
    proposal: str
    plan_status: str
    plan_pending: bool
    last_checkin: str | None


def profile_document(profile: Profile) -> ProfileOut:
    """A profile as JSON."""
    return {
        "label": profile.label,
        "time_zone": profile.time_zone,
        "age_band": profile.age_band,
        "conditions": list(profile.conditions),
        "other_medicines": list(profile.other_medicines),
        "regimen": _regimen_document(profile.regimen) if profile.regimen else None,
    }


def _regimen_document(regimen: Regimen) -> RegimenOut:
    return {
        "drug": regimen.drug,
        "doses": [
            {"time": d.clock, "amount_mg": float(d.amount.mg), "amount": fmt(d.amount)}
            for d in regimen.doses
        ],
        "daily_mg": float(regimen.daily.mg),
    }


def dose_document(dose: DoseRecord) -> DoseOut:
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


def score_document(score: InstrumentScore) -> ScoreOut:
    """A PHQ-9 or GAD-7 as JSON."""
    return {
        "instrument": score.instrument,
        "date": score.taken_on.isoformat() if score.taken_on else None,
        "items": list(score.items),
        "total": score.total,
        "band": score.band,
        "replaced_items": [list(items) for items in score.replaced],
    }


def user_document(user: User, profile: Profile | None) -> MeOut:
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


def audit_document(entry: AuditEntry) -> AuditOut:
    """One audit line."""
    return {
        "at_utc": entry.at.isoformat(),
        "actor": entry.actor,
        "action": entry.action,
        "object": entry.object,
    }


def record_document(record: PersonRecord) -> RecordOut:
    """A person's whole record: profile, journal, dose log, questionnaires and plans."""
    return {
        "profile": profile_document(record.profile),
        "checkins": [checkin_document(c) for c in record.checkins],
        "doses": [dose_document(d) for d in record.doses],
        "scores": [score_document(s) for s in record.scores],
        "plans": [plan_version_document(p) for p in record.plans],
    }


def export_document(
    user: User,
    record: PersonRecord,
    shares: list[ShareView],
    audit: list[AuditEntry],
    exported_at: str,
    *,
    device_sleep: Sequence[DeviceSleepRecord] = (),
) -> ExportOut:
    """Everything stored about a patient, for them to keep or take elsewhere."""
    return {
        "format": EXPORT_FORMAT,
        "exported_at_utc": exported_at,
        "account": user_document(user, record.profile),
        "record": record_document(record),
        "device_sleep": [
            {
                "source": r.source,
                "device": r.device,
                "stage": r.stage,
                "start_utc": r.start.astimezone(UTC).isoformat(),
                "end_utc": r.end.astimezone(UTC).isoformat(),
                "asleep_min": r.asleep_min,
                "origin_id": r.origin_id,
            }
            for r in device_sleep
        ],
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
