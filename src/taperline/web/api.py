"""The JSON API under ``/api/``: the same sessions, the same access rules, an OpenAPI schema.

Authentication is the session cookie of the pages (``taperline_session``). Cross-site
request forgery is blocked without a token header, because a browser can only send a
cross-site request without asking first (a CORS preflight, which this API never grants)
when it is a GET, HEAD or POST with a form or text content type:

* every POST, PUT and PATCH must be ``Content-Type: application/json`` (else 415);
* PUT and DELETE are never "simple" requests, so a foreign page cannot send them;
* as defence in depth, a write whose ``Origin`` is not this site, or whose
  ``Sec-Fetch-Site`` is ``cross-site``, is refused with 403.

Patients reach only their own record (``/api/checkins``, ``/api/doses``, ...); clinicians
reach a patient's record only through an active share (``/api/patients/{person_id}/...``),
and anything else is 404. Bodies forbid unknown keys, so an id placed in a body is refused.
"""

from __future__ import annotations

import functools
from datetime import date, tzinfo
from typing import Annotated, Any, Final
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Header, Path, Query, Request, Response, Security
from fastapi.security import APIKeyCookie
from starlette.exceptions import HTTPException

from taperline.adapters.documents import PlanOut
from taperline.core.instruments import score_gad7, score_phq9
from taperline.core.journal import (
    CheckIn,
    LongNightError,
    ReportedSleep,
    SleepDiary,
    edited_night,
)
from taperline.core.quantity import Mass
from taperline.core.record import Profile
from taperline.errors import ConfirmationNeededError, InputError, NotFoundError
from taperline.plan_input import PlanSpec
from taperline.service import (
    DoseEntry,
    auditor,
    checkin_document,
    local_today,
    log_dose,
    person_review,
    plan_version_document,
    record_score,
    remove_checkin,
    review_document,
    reviewed_record,
    today_document,
)
from taperline.service.documents import CheckInOut, PlanVersionOut, ReviewOut, StatusOut
from taperline.web import api_models as m
from taperline.web.auth import (
    SESSION_COOKIE,
    Viewer,
    require_clinician,
    require_patient,
    require_viewer,
    shared_person,
)
from taperline.web.context import Services, services
from taperline.web.documents import (
    AuditOut,
    CheckInList,
    DoseList,
    ExportOut,
    MeOut,
    PatientOut,
    PatientRecordOut,
    PlanList,
    SavedCheckIn,
    SavedOut,
    SavedScore,
    ScoreOut,
    audit_document,
    dose_document,
    export_document,
    record_document,
    score_document,
    user_document,
)
from taperline.web.errors import CsrfError
from taperline.zones import zone

__all__ = ["router"]

_UNSAFE: Final = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_WITH_BODY: Final = frozenset({"POST", "PUT", "PATCH"})
_ERRORS: Final[dict[int | str, dict[str, Any]]] = {
    401: {"model": m.ErrorOut, "description": "not signed in"},
    403: {"model": m.ErrorOut, "description": "wrong kind of account, or a cross-site write"},
}

cookie = APIKeyCookie(name=SESSION_COOKIE, auto_error=False, description="the session cookie")


async def same_origin_json(request: Request) -> None:
    """Refuse writes that a foreign site could send (see the module docstring).

    Async because it only reads headers: a sync dependency is run on a worker thread, a
    round trip every API request would pay for nothing.
    """
    if request.method not in _UNSAFE:
        return
    if request.method in _WITH_BODY:
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if kind != "application/json":
            raise HTTPException(415, "send the body as application/json")
    if request.headers.get("sec-fetch-site", "") == "cross-site":
        raise CsrfError("cross-site writes are refused")
    origin = request.headers.get("origin")
    # The host alone is compared: behind a TLS proxy the app may see http for an https page.
    if origin is not None and urlsplit(origin).netloc != request.headers.get("host", ""):
        raise CsrfError("writes from another origin are refused")


router = APIRouter(
    prefix="/api",
    tags=["api"],
    dependencies=[Depends(same_origin_json), Security(cookie)],
    responses=_ERRORS,
)
Svc = Annotated[Services, Depends(services)]
Patient = Annotated[Viewer, Depends(require_patient)]
Clinician = Annotated[Viewer, Depends(require_clinician)]
AnyViewer = Annotated[Viewer, Depends(require_viewer)]
Day = Annotated[date, Path(description="YYYY-MM-DD")]
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        pattern=r"^[A-Za-z0-9_.:-]{1,100}$",
        description="a retry with the same key writes nothing",
    ),
]
PersonId = Annotated[int, Path(ge=1, le=2_147_483_647)]
Version = Annotated[int, Path(ge=1, le=2_147_483_647)]
From = Annotated[date | None, Query(description="first date (inclusive)")]
To = Annotated[date | None, Query(description="last date (inclusive)")]
NOT_FOUND: Final[dict[int | str, dict[str, Any]]] = {
    404: {"model": m.ErrorOut, "description": "not found (or not yours)"}
}
CONFLICT: Final[dict[int | str, dict[str, Any]]] = {
    409: {"model": m.ErrorOut, "description": "clashes with what is stored"}
}
WRITE: Final[dict[int | str, dict[str, Any]]] = {
    413: {"description": "the body is too large"},
    415: {"model": m.ErrorOut, "description": "not JSON"},
    **CONFLICT,
}


def _day(value: date | None, name: str) -> date | None:
    """A date from the URL, refused outside 1900-2999 (no such record can exist)."""
    if value is not None and not m.EARLIEST <= value <= m.LATEST:
        raise InputError(f"{name}: {value.isoformat()} is out of range (1900-2999)")
    return value


def _url_day(value: date) -> date:
    checked = _day(value, "day")
    assert checked is not None  # noqa: S101 -- _day returns its non-None argument
    return checked


def _audit(svc: Services, viewer: Viewer, person_id: int, action: str, obj: str) -> None:
    svc.accounts.audit(viewer.user, person_id, action, obj, svc.now())


# --- the signed-in user -------------------------------------------------------------------


@router.get("/me", response_model=MeOut)
def me(viewer: AnyViewer, svc: Svc) -> MeOut:
    """Who is signed in (and the patient's profile)."""
    profile = svc.store.profile(viewer.person_id) if viewer.user.is_patient else None
    return user_document(viewer.user, profile)


# --- check-ins ------------------------------------------------------------------------------


def _checkin(
    body: m.CheckInIn, time_zone: tzinfo | None = None, stored: SleepDiary | None = None
) -> CheckIn:
    """The body as a check-in; ``stored``: the night a PUT edits, if any.

    Its clocks sent back as GET gives them keep it as stored, a confirmed long night too
    (:func:`~taperline.core.journal.edited_night`).
    """
    sleep = None
    if body.sleep is not None:
        s = body.sleep
        clocks = {"bed": s.bed, "tried": s.tried, "final_wake": s.final_wake}
        try:
            sleep = edited_night(
                stored,
                body.date,
                {**clocks, "out_of_bed": s.out_of_bed},
                sol_min=s.sol_min,
                waso_min=s.waso_min,
                awakenings=s.awakenings,
                quality=s.quality_1_5,
                long_night_confirmed=s.long_night_confirmed,
                time_zone=time_zone,
            )
        except LongNightError as error:
            raise InputError(
                f"sleep: {error}; if the person really slept that long, send it with"
                " sleep.long_night_confirmed: true"
            ) from None
    brief = body.reported_sleep
    rated = body.symptoms_0_3 is not None  # left out: the checklist was not filled in
    given = (body.caffeine_drinks, body.alcohol_drinks, body.opioid_use)
    asked = any(value is not None for value in given)  # all left out: not asked that day
    return CheckIn(
        body.date,
        sleep,
        reported_sleep=ReportedSleep(brief.asleep_min, brief.quality_1_5) if brief else None,
        symptoms_rated=rated,
        mood=body.mood_0_10,
        anxiety=body.anxiety_0_10,
        symptoms={k: v for k, v in (body.symptoms_0_3 or {}).items() if v},
        worst_time=body.worst_time,
        caffeine_drinks=body.caffeine_drinks or 0,
        alcohol_drinks=body.alcohol_drinks or 0,
        opioid_use=bool(body.opioid_use),
        substances_asked=asked,
        events=frozenset(body.events),
        notes=body.notes.strip(),
    )


def _save_checkin(
    svc: Services, viewer: Viewer, body: m.CheckInIn, key: str | None, *, replace: bool
) -> SavedCheckIn:
    from taperline.web.records import dashboard_for, save_checkin, today_of

    pid = viewer.person_id
    today = today_of(svc, viewer)
    night = _stored_night(svc, pid, body.date) if replace else None
    own = night.time_zone if night is not None else None  # a night logged before a move
    checkin = _checkin(body, zone(own or svc.store.profile(pid).time_zone), night)
    saved = save_checkin(svc, viewer, checkin, idempotency_key=key, replace=replace, today=today)
    stored = svc.store.checkin(pid, body.date)
    result = dashboard_for(svc, pid).review  # reviewed once, cached for the next read
    return {
        "checkin": checkin_document(stored),
        "created": saved.created,
        "review": review_document(result),
    }


def _stored_night(svc: Services, person_id: int, day: date) -> SleepDiary | None:
    """The night of the day's stored check-in (None: no check-in, or none in it)."""
    try:
        return svc.store.checkin(person_id, day).sleep
    except NotFoundError:
        return None


@router.get("/checkins", response_model=CheckInList)
def checkins(viewer: Patient, svc: Svc, start: From = None, end: To = None) -> CheckInList:
    """The patient's check-ins from ``start`` to ``end`` (inclusive), by date."""
    found = svc.store.checkins(viewer.person_id, _day(start, "start"), _day(end, "end"))
    _audit(svc, viewer, viewer.person_id, "read", "check-ins")
    return {"checkins": [checkin_document(c) for c in found]}


@router.post("/checkins", status_code=201, response_model=SavedCheckIn, responses=WRITE)
def checkin_create(
    body: m.CheckInIn, viewer: Patient, svc: Svc, key: IdempotencyKey = None
) -> SavedCheckIn:
    """Store a new check-in (409 if the day has one: PUT edits it) and review the record."""
    return _save_checkin(svc, viewer, body, key, replace=False)


@router.get("/checkins/{day}", response_model=CheckInOut, responses=NOT_FOUND)
def checkin_read(day: Day, viewer: Patient, svc: Svc) -> CheckInOut:
    """One day's check-in."""
    found = svc.store.checkin(viewer.person_id, _url_day(day))
    _audit(svc, viewer, viewer.person_id, "read", f"check-in {day.isoformat()}")
    return checkin_document(found)


@router.put("/checkins/{day}", response_model=SavedCheckIn, responses=WRITE)
def checkin_replace(day: Day, body: m.CheckInIn, viewer: Patient, svc: Svc) -> SavedCheckIn:
    """Store or replace the day's check-in (the body's date must be the URL's)."""
    if body.date != _url_day(day):
        raise InputError(f"date: the body says {body.date.isoformat()}, the URL {day.isoformat()}")
    return _save_checkin(svc, viewer, body, None, replace=True)


@router.delete("/checkins/{day}", status_code=204, responses=NOT_FOUND)
def checkin_delete(day: Day, viewer: Patient, svc: Svc) -> Response:
    """Delete the day's check-in (its audit line written with it, as every door's)."""
    audit = auditor(viewer.person_id, svc.now(), user=viewer.user)
    remove_checkin(svc.store, viewer.person_id, _url_day(day), audit=audit)
    return Response(status_code=204)


# --- doses and questionnaires ------------------------------------------------------------------


@router.get("/doses", response_model=DoseList)
def doses(viewer: Patient, svc: Svc, start: From = None, end: To = None) -> DoseList:
    """The dose log from ``start`` to ``end`` (inclusive)."""
    found = svc.store.doses(viewer.person_id, _day(start, "start"), _day(end, "end"))
    _audit(svc, viewer, viewer.person_id, "read", "dose log")
    return {"doses": [dose_document(d) for d in found]}


@router.post("/doses", status_code=201, response_model=SavedOut, responses=WRITE)
def dose_create(body: m.DoseIn, viewer: Patient, svc: Svc, key: IdempotencyKey = None) -> SavedOut:
    """Add a dose-log line: taken (``taken_at`` and ``amount_mg``) or missed (neither).

    A ``planned_time`` must be a dose the plan in force gives that day, or, while a cut that
    moved the dose times is held, a time of the dose before it the patient was told to stay
    on (404 if neither, 409 if it is already logged), and a ``planned_amount_mg`` the plan's;
    without one it is an extra dose. The matching is the one the CLI's ``log-dose`` and the
    dashboard use.
    """
    from taperline.catalogue_data import load_catalogue
    from taperline.web import records

    if (body.taken_at is None) != (body.amount_mg is None):
        raise InputError("a taken dose needs both taken_at and amount_mg; a missed one neither")
    # a planned dose's drug is the plan's unless the body names one (then it must match)
    defaulted_drug = body.planned_time is not None and "drug" not in body.model_fields_set
    entry = DoseEntry(
        day=body.date,
        planned_clock=body.planned_time,
        missed=body.taken_at is None,
        taken_at=body.taken_at,
        amount=Mass.of_mg(body.amount_mg) if body.amount_mg is not None else None,
        planned_amount=(
            Mass.of_mg(body.planned_amount_mg) if body.planned_amount_mg is not None else None
        ),
        drug=None if defaulted_drug else load_catalogue().get(body.drug).name,
        units=body.units.strip(),
        note=body.note.strip(),
        confirmed=body.confirmed,
    )
    try:
        done = log_dose(
            svc.store,
            viewer.person_id,
            entry,
            now=svc.now(),
            idempotency_key=key,
            read_record=functools.partial(records.current_record, svc, viewer.person_id),
        )
    except ConfirmationNeededError as error:
        raise InputError(
            f"amount_mg: {error.reason}; if that is what was taken, send it with confirmed: true"
        ) from None
    saved = done.saved
    _audit(svc, viewer, viewer.person_id, "write", f"dose {body.date.isoformat()}")
    return {"id": saved.id, "created": saved.created}


@router.post("/scores", status_code=201, response_model=SavedScore, responses=WRITE)
def score_create(
    body: m.ScoreIn, viewer: Patient, svc: Svc, key: IdempotencyKey = None
) -> SavedScore:
    """Score and store a PHQ-9 or GAD-7 (one of each per day) and review the record."""
    score = (
        score_phq9(body.items, body.date)
        if body.instrument == "PHQ-9"
        else score_gad7(body.items, body.date)
    )
    saved, result = record_score(
        svc.store, viewer.person_id, score, now=svc.now(), idempotency_key=key
    )
    _audit(svc, viewer, viewer.person_id, "write", f"{body.instrument} {body.date.isoformat()}")
    return {
        "score": score_document(score),
        "created": saved.created,
        "replaced": saved.replaced,
        "review": review_document(result),
    }


@router.get("/scores", response_model=list[ScoreOut])
def scores(viewer: Patient, svc: Svc) -> list[ScoreOut]:
    """Every questionnaire, oldest first."""
    _audit(svc, viewer, viewer.person_id, "read", "questionnaires")
    return [score_document(s) for s in svc.store.scores(viewer.person_id)]


# --- findings, plans, status, export ----------------------------------------------------------


@router.get("/findings", response_model=ReviewOut)
def findings(viewer: Patient, svc: Svc) -> ReviewOut:
    """Every finding on the record as of today, and the proposal they lead to."""
    _audit(svc, viewer, viewer.person_id, "read", "findings")
    return review_document(person_review(svc.store, viewer.person_id, now=svc.now()))


@router.get("/plans", response_model=PlanList)
def plans(viewer: Patient, svc: Svc) -> PlanList:
    """Every plan version, oldest first, and the one followed now."""
    versions = svc.store.plans(viewer.person_id)
    in_force = svc.store.plan_in_force(viewer.person_id)
    _audit(svc, viewer, viewer.person_id, "read", "plan")
    return {
        "plans": [plan_version_document(p) for p in versions],
        "in_force_version": in_force.version if in_force else None,
    }


@router.get("/status", response_model=StatusOut)
def status(viewer: Patient, svc: Svc) -> StatusOut:
    """Today: the plan, doses and what the log says, the next change, the review, 14 days.

    The same document as ``taperline status --format json``
    (:func:`~taperline.service.today_document`).
    """
    from taperline.web.records import dashboard_for

    board = dashboard_for(svc, viewer.person_id)
    _audit(svc, viewer, viewer.person_id, "read", "status")
    return today_document(board)


@router.get("/export", response_model=ExportOut)
def export(viewer: Patient, svc: Svc) -> ExportOut:
    """Everything stored about the signed-in patient (record, shares, audit log)."""
    pid, now = viewer.person_id, svc.now()
    _audit(svc, viewer, pid, "export", "whole record (JSON, API)")
    return export_document(
        viewer.user,
        svc.store.record(pid),
        svc.accounts.shares_of(pid),
        svc.accounts.audit_of(pid, limit=100_000),
        now.isoformat(),
        device_sleep=svc.store.device_sleep_records(pid),
    )


@router.get("/audit", response_model=list[AuditOut])
def audit(viewer: Patient, svc: Svc) -> list[AuditOut]:
    """The newest lines of the audit log about the signed-in patient's record."""
    return [audit_document(e) for e in svc.accounts.audit_of(viewer.person_id)]


# --- clinicians -------------------------------------------------------------------------------


@router.get("/patients", response_model=list[PatientOut])
def patients(viewer: Clinician, svc: Svc) -> list[PatientOut]:
    """The patients who share their record with the signed-in clinician, flags first."""
    from taperline.web.clinical import patient_rows

    return [
        {
            "person_id": row.person_id,
            "display_name": row.name,
            "urgent_findings": row.urgent,
            "clinician_flags": row.flagged,
            "warnings": row.warnings,
            "proposal": row.proposal,
            "plan_status": row.plan_status,
            "plan_pending": row.pending,
            "last_checkin": row.last_checkin.isoformat() if row.last_checkin else None,
        }
        for row in patient_rows(svc, viewer.user.id)
    ]


@router.get("/patients/{person_id}/record", response_model=PatientRecordOut, responses=NOT_FOUND)
def patient_record(person_id: PersonId, viewer: Clinician, svc: Svc) -> PatientRecordOut:
    """A shared patient's whole record and review (404 without an active share)."""
    pid = shared_person(svc, viewer, person_id)
    found = reviewed_record(svc.store, pid, now=svc.now())
    _audit(svc, viewer, pid, "read", "whole record (API)")
    record = record_document(found.record)
    return {
        "person_id": pid,
        "display_name": svc.accounts.patient_name(pid),
        "profile": record["profile"],
        "checkins": record["checkins"],
        "doses": record["doses"],
        "scores": record["scores"],
        "plans": record["plans"],
        "review": review_document(found.review),
    }


def _spec(body: m.PlanIn, profile: Profile) -> PlanSpec:
    from taperline.web.planning import spec_from_profile

    return spec_from_profile(
        profile,
        drug=body.drug,
        doses=tuple((d.amount, d.time) for d in body.doses),
        strategy=body.strategy,
        percent=body.percent,
        every=body.every,
        start=body.start.isoformat() if body.start else None,
        goal=body.goal,
        stabilise=body.stabilise,
        products=body.products,
        auto_liquid=body.auto_liquid,
        cap_pct=body.cap_pct,
        override_reason=body.override_reason,
        min_step=body.min_step,
        holds=tuple(body.holds),
        final_hold=body.final_hold,
        ed50=body.ed50,
        bands=body.bands,
        custom=body.custom,
        reason=body.reason,
        then=body.then,
        equivalence=body.equivalence,
        swap_every=body.swap_every,
        alternate_days=body.alternate_days,
        used_for=body.used_for,
    )


@router.post(
    "/patients/{person_id}/plans/preview",
    response_model=PlanOut,
    responses={**NOT_FOUND, 415: WRITE[415], 422: {"model": m.ErrorOut, "description": "refused"}},
)
def plan_preview(person_id: PersonId, body: m.PlanIn, viewer: Clinician, svc: Svc) -> PlanOut:
    """The plan a request makes for a shared patient (stores nothing), as ``taperline plan``.

    A plan that would break a safety rule is refused with 422 and the same message as the
    CLI and the plan builder.
    """
    from taperline.adapters.documents import plan_document
    from taperline.catalogue_data import load_catalogue
    from taperline.core.plan import propose
    from taperline.plan_input import build_request
    from taperline.service.plans import with_regimen_warning

    pid = shared_person(svc, viewer, person_id)
    profile = svc.store.profile(pid)
    today = local_today(profile.time_zone, svc.now())
    plan = propose(build_request(load_catalogue(), _spec(body, profile), today=today))
    in_force = svc.store.plan_in_force(pid) is not None
    plan = with_regimen_warning(plan, profile, plan_in_force=in_force)
    _audit(svc, viewer, pid, "read", "plan preview (API)")
    return plan_document(plan)


@router.post(
    "/patients/{person_id}/plans",
    status_code=201,
    response_model=PlanVersionOut,
    responses={**NOT_FOUND, **WRITE, 422: {"model": m.ErrorOut, "description": "refused"}},
)
def plan_propose(
    person_id: PersonId, body: m.PlanIn, viewer: Clinician, svc: Svc
) -> PlanVersionOut:
    """Propose a plan for a shared patient: a new ``proposed`` version (approve it later)."""
    from taperline.web.clinical import propose_for

    pid = shared_person(svc, viewer, person_id)
    saved = propose_for(svc, viewer, pid, lambda profile: _spec(body, profile))
    return plan_version_document(saved)


@router.post(
    "/patients/{person_id}/plans/{version}/decision",
    status_code=201,
    response_model=PlanVersionOut,
    responses={**NOT_FOUND, **WRITE},
)
def plan_decision(
    person_id: PersonId, version: Version, body: m.DecisionIn, viewer: Clinician, svc: Svc
) -> PlanVersionOut:
    """Approve, hold, reject or adjust (postpone) the latest plan version: a new version."""
    from taperline.web.clinical import apply_decision

    pid = shared_person(svc, viewer, person_id)
    new = apply_decision(
        svc,
        viewer,
        pid,
        version,
        action=body.action,
        reason=body.reason,
        postpone_days=body.postpone_days,
    )
    return plan_version_document(new)
