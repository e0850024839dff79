"""A patient's own pages: dashboard, doses, check-in, journal, questionnaires, plan, flags.

Every handler takes the record from the signed-in patient (``viewer.person_id``), never
from the request, and writes one audit line for each read or write of health data.
"""

from __future__ import annotations

import functools
import re
import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Annotated, Any, Final
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from taperline.core.instruments import score_gad7, score_phq9
from taperline.core.journal import SYMPTOMS, CheckIn, kept_unasked
from taperline.core.record import PersonRecord
from taperline.core.values import parse_local_datetime
from taperline.errors import ConfirmationNeededError, ConflictError, InputError, NotFoundError
from taperline.service import (
    AuditLine,
    DoseEntry,
    auditor,
    check_answers,
    checkin_asks,
    confirm_doses,
    local_now,
    local_today,
    log_dose,
    mark_copies,
    match_doses,
    pending_plan,
    readiness_of,
    record_score,
    remove_checkin,
    remove_dose,
    restore_checkin,
    restore_dose,
)
from taperline.web.auth import PatientViewer, Viewer
from taperline.web.checkin_form import (
    ASLEEP_CHOICES_MIN,
    BLANK,
    CopySection,
    FieldsError,
    as_date,
    checkin_from_form,
    claimed_copy,
    copied_fields,
    dose_answers,
    fields_from_checkin,
    fields_from_form,
    is_quick,
    quick_checkin_from_form,
)
from taperline.web.checkin_undo import checkin_from_undo, undo_fields
from taperline.web.context import Services, services
from taperline.web.dose_form import dose_fields, dose_from_fields
from taperline.web.dose_log_form import (
    DoseLogState,
    entry_from_form,
    errors_of,
    form_context,
    kept_fields,
)
from taperline.web.errors import status_for
from taperline.web.filters import day as show_day
from taperline.web.forms import Form, FormInput, parse_day
from taperline.web.pages import NOTICES, banner_for, local_path, redirect, render
from taperline.web.questionnaires import ANSWERS, GAD7_ITEMS, PHQ9_ITEMS
from taperline.web.records import current_record, dashboard_and_flags, save_checkin, today_of
from taperline.web.views import (
    journal_rows,
    plan_months,
    split_steps,
    step_changes,
)
from taperline.zones import zone

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
Svc = Annotated[Services, Depends(services)]
_KEY_RE: Final = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
JOURNAL_DAYS: Final = (14, 30, 60, 90, 365)
QUEUED_DOSE_DAYS: Final = timedelta(days=7)


def audit(svc: Services, viewer: Viewer, action: str, obj: str) -> None:
    """One audit line about the viewer's own record."""
    svc.accounts.audit(viewer.user, viewer.person_id, action, obj, svc.now())


def _zone(svc: Services, viewer: Viewer) -> ZoneInfo:
    """The person's time zone: a long night's hours are those that passed in it."""
    return zone(svc.store.profile(viewer.person_id).time_zone)


def _key(text: str) -> str | None:
    return text if _KEY_RE.match(text) else None


# --- dashboard and doses --------------------------------------------------------------------


@router.get("/dashboard", response_class=HTMLResponse)
def dashboard(request: Request, viewer: PatientViewer, svc: Svc) -> Response:
    """Today: doses, check-in, next change, findings and the charts."""
    board, flags = dashboard_and_flags(svc, viewer.person_id, viewer.record)
    audit(svc, viewer, "read", "dashboard")
    return render(request, "dashboard.html", {"d": board}, viewer=viewer, flags=flags)


@router.post("/doses/taken", response_class=HTMLResponse)
def dose_taken(request: Request, viewer: PatientViewer, form: Form, svc: Svc) -> Response:
    """Log one of today's planned doses as taken (or not taken); htmx gets the new line."""
    clock = form.text("clock", max_len=5)
    status = form.text("status", "taken", max_len=10)
    taken = status != "missed"
    pid, now = viewer.person_id, svc.now()
    time_zone = svc.store.profile(pid).time_zone
    today = local_today(time_zone, now)
    day = _dose_day(form, today)
    entry = DoseEntry(
        day=day if day != today else None,
        planned_clock=clock,
        missed=not taken,
        taken_at=_tapped_at(form, time_zone, now) if taken else None,
        # "I stayed on 1 mg" at a cut the readiness check holds: the dose before the cut
        units_from_plan=status != "stayed",
        dose_before_cut=status == "stayed",
    )
    key = f"dose:{day.isoformat()}:{clock}"  # one line per planned dose: a replay is refused
    done = log_dose(
        svc.store, pid, entry, now=now, idempotency_key=key, read_record=_record_of(svc, pid)
    )
    if not done.saved.created:  # a second tap on the same dose
        if not request.headers.get("hx-request"):  # a page, not a fragment: today's, told
            # still 409: the offline queue reads it as sent (the dose is in the log)
            board, flags = dashboard_and_flags(svc, pid)
            context = {"d": board, "notice": NOTICES["dose-already"]}
            return render(
                request, "dashboard.html", context, viewer=viewer, flags=flags, status_code=409
            )
        raise ConflictError(f"the {clock} dose of {show_day(day)} is already in the log")
    audit(svc, viewer, "write", f"dose {day.isoformat()} {clock}")
    if request.headers.get("hx-request"):
        planned = done.planned
        assert planned is not None  # noqa: S101 -- a planned_clock was given: log_dose found it
        # a held cut's line stays one: no instructions for the new dose beside what was taken
        line = replace(match_doses((planned,), [done.record])[0], ask_first=status == "stayed")
        return render(request, "_dose_line.html", {"line": line}, viewer=viewer, banner=False)
    return redirect("/dashboard?done=dose")


def _record_of(svc: Services, person_id: int) -> Callable[[], PersonRecord]:
    """The person's record as stored now, for the service to read when it needs it.

    The one kept with the dashboard when it has not changed: a tap need not read a year again.
    """
    return functools.partial(current_record, svc, person_id)


def _dose_day(form: FormInput, today: date) -> date:
    """The day of the dose tapped: the page's (``day``, sent with a tap queued offline), or today.

    A tap queued on the phone is sent when the connection returns, maybe after midnight:
    the dose is the one of the day the page showed, up to a week back.
    """
    if not form.text("day", max_len=10):
        return today
    day = form.day("day")
    if day > today or day < today - QUEUED_DOSE_DAYS:
        raise InputError(f"day: {day.isoformat()} is not one of the last 7 days")
    return day


def _tapped_at(form: FormInput, time_zone: str, now: datetime) -> datetime | None:
    """When a tap queued offline was made (``tapped_at``, an ISO instant), as local wall clock.

    None when not given (the dose is logged at the time it reaches the server); a moment
    after ``now`` (a phone's clock ahead) counts as now.
    """
    text = form.text("tapped_at", max_len=40)
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise InputError(f"tapped_at: {text!r} is not a moment (ISO 8601)") from None
    if moment.tzinfo is None:
        raise InputError("tapped_at: give the moment with its offset (ISO 8601, e.g. ...Z)")
    return local_now(time_zone, min(moment, now))


# --- check-in ---------------------------------------------------------------------------------


def _checkin_page(
    request: Request,
    viewer: Viewer,
    svc: Services,
    *,
    day: date,
    today: date,
    fields: dict[str, Any],
    edit: bool,
    quick: bool | None = None,
    error: str = "",
    errors: dict[str, str] | None = None,
    copied: str = "",
    status: int = 200,
    existing: date | None = None,
) -> Response:
    """The check-in page: quick or full (None: as the day calls for, see ``checkin_asks``).

    ``existing``: the day already has a check-in (a second new one was refused): the page
    links to that day's edit form.
    """
    from taperline.core.asking import FINDING_INPUTS, QUICK_LEAVES_OUT
    from taperline.core.findings import FINDING_KIND_LABELS
    from taperline.core.journal import RED_FLAG_EVENTS, SYMPTOMS, TIMES_OF_DAY

    errors = errors or {}
    asks = checkin_asks(svc.store.record(viewer.person_id), day)
    context = {
        "day": day,
        "today": today,
        "yesterday": today - timedelta(days=1),
        "v": fields,
        "edit": edit,
        "quick": not asks.asking.full if quick is None else quick,
        "asking": asks.asking,
        "dose_questions": asks.doses,
        "asleep_choices": ASLEEP_CHOICES_MIN,
        "leaves_out": QUICK_LEAVES_OUT,
        "finding_inputs": [(FINDING_KIND_LABELS[k], text) for k, text in FINDING_INPUTS.items()],
        "error": error,
        "errors": errors,
        "first_error": next(iter(errors), ""),
        "copied": copied,
        "shared": any(s.revoked_at is None for s in svc.accounts.shares_of(viewer.person_id)),
        "copied_from": {
            section: _as_day(fields.get(f"{section}_copied_from", "")) for section in _COPY_SECTIONS
        },
        "idem": uuid.uuid4().hex,
        "symptoms": list(enumerate(SYMPTOMS)),
        "times_of_day": TIMES_OF_DAY,
        "events": RED_FLAG_EVENTS,
        "existing": existing,
    }
    return render(request, "checkin.html", context, viewer=viewer, status_code=status)


def _requested_kind(request: Request) -> bool | None:
    """``?quick=1`` or ``?full=1`` (the link between the two forms); None: not asked."""
    if request.query_params.get("quick"):
        return True
    if request.query_params.get("full"):
        return False
    return None


@router.get("/checkin", response_class=HTMLResponse)
def checkin_form(request: Request, viewer: PatientViewer, svc: Svc) -> Response:
    """The check-in form: today's (or ``?date=``); blank for a new day, never prefilled."""
    pid = viewer.person_id
    today = today_of(svc, viewer)
    day = (
        parse_day("date", request.query_params.get("date", ""))
        if request.query_params.get("date")
        else today
    )
    if day > today:
        raise InputError(f"date: {day.isoformat()} is in the future")
    quick = _requested_kind(request)
    try:
        stored = svc.store.checkin(pid, day)
    except NotFoundError:
        fields, edit = dict(BLANK), False
    else:
        fields, edit = fields_from_checkin(stored), True
        quick = is_quick(stored) if quick is None else quick
    audit(svc, viewer, "read", f"check-in {day.isoformat()}")
    return _checkin_page(
        request, viewer, svc, day=day, today=today, fields=fields, edit=edit, quick=quick
    )


_COPY_SECTIONS: dict[str, CopySection] = {"sleep": "sleep", "symptoms": "symptoms"}


def _as_day(text: str) -> date | None:
    """A form's ISO date (a hidden field), or None when it is empty or not one."""
    return as_date(text)


def _stored_checkin(svc: Services, person_id: int, day: date) -> CheckIn | None:
    """The day's stored check-in an edit changes (None: there is none any more)."""
    try:
        return svc.store.checkin(person_id, day)
    except NotFoundError:
        return None


@router.post("/checkin", response_class=HTMLResponse)
def checkin_save(request: Request, viewer: PatientViewer, form: Form, svc: Svc) -> Response:
    """Save a check-in (an edit replaces the day's), or copy a section into the form.

    A ``copy`` button ("same as last night") shows the form again with that section from the
    latest earlier check-in, and nothing is saved; errors show the form again, each next to
    its field, with every value kept.
    """
    today = today_of(svc, viewer)
    day = form.day("date")
    edit = form.text("mode", max_len=10) == "edit"
    quick = form.text("kind", max_len=10) == "quick"
    section = _COPY_SECTIONS.get(form.text("copy", max_len=20))
    if section is not None:
        return _copy_section(
            request, viewer, svc, form, day=day, today=today, section=section, edit=edit
        )
    key = _key(form.text("idem", max_len=100))
    try:
        answers = dose_answers(form)
        if answers:
            try:
                check_answers(checkin_asks(svc.store.record(viewer.person_id), day), answers)
            except InputError as error:
                words = str(error).removeprefix("doses: ")
                raise FieldsError({"doses": words[:1].upper() + words[1:] + "."}) from None
        # an edit's stored night, read here (never from the form): clocks sent back as shown
        # keep it as stored (core.journal.edited_night)
        stored = _stored_checkin(svc, viewer.person_id, day) if edit and not quick else None
        checkin = (
            quick_checkin_from_form(form, day)
            if quick
            else mark_copies(
                svc.store,
                viewer.person_id,
                checkin_from_form(
                    form,
                    day,
                    time_zone=_zone(svc, viewer),
                    stored=stored.sleep if stored is not None else None,
                ),
                sleep_from=claimed_copy(form, "sleep"),
                symptoms_from=claimed_copy(form, "symptoms"),
            )
        )
        if edit:
            checkin = _kept_on_edit(svc, viewer, form, checkin, quick=quick)
        save_checkin(svc, viewer, checkin, idempotency_key=key, replace=edit, today=today)
        for done in confirm_doses(
            svc.store, viewer.person_id, answers, now=svc.now(), idempotency_key=key
        ):
            dose = done.record
            audit(svc, viewer, "write", f"dose {dose.day.isoformat()} {dose.planned_clock}")
    except InputError as error:
        errors = error.errors if isinstance(error, FieldsError) else {}
        # saved already (Back, then Save again): the day's check-in is edited, not made twice
        existing = day if isinstance(error, ConflictError) and not edit else None
        return _checkin_page(
            request,
            viewer,
            svc,
            day=day,
            today=today,
            fields=fields_from_form(form),
            edit=edit,
            quick=quick,
            error=(f"you already saved a check-in for {show_day(day)}" if existing else str(error)),
            errors=errors,
            status=status_for(error),
            existing=existing,
        )
    return redirect("/dashboard?done=checkin")


def _kept_on_edit(
    svc: Services, viewer: Viewer, form: FormInput, checkin: CheckIn, *, quick: bool
) -> CheckIn:
    """An edit with what its form did not show kept from the stored day (none: as it is).

    The quick form asks the night in brief, mood, anxiety and events: a full day edited
    through it keeps its diary (when no night is given), its checklist, notes, drinks and
    worst time. The full form does not show a night in brief: with no diary given it is
    kept, and a day whose checklist (or drinks and opioids) was not asked stays not asked
    unless a symptom is rated (a drink or opioid use given).
    """
    try:
        stored = svc.store.checkin(viewer.person_id, checkin.wake_date)
    except NotFoundError:
        return checkin
    if quick:
        night = checkin.reported_sleep is not None
        return kept_unasked(stored, checkin, night=night, checklist=False, rest=False)
    rated = any(form.text(f"sym_{i}", max_len=2) for i in range(len(SYMPTOMS)))
    answered = form.text("caffeine", max_len=3) or form.text("alcohol", max_len=3)
    return kept_unasked(
        stored,
        checkin,
        night=checkin.sleep is not None or stored.sleep is not None,
        checklist=rated or stored.symptoms_rated,
        rest=True,
        substances=bool(answered) or form.has("opioid") or stored.substances_asked,
    )


def _copy_section(
    request: Request,
    viewer: Viewer,
    svc: Services,
    form: FormInput,
    *,
    day: date,
    today: date,
    section: CopySection,
    edit: bool,
) -> Response:
    earlier = svc.store.checkins(viewer.person_id, day - timedelta(days=14), day)
    fields, source = copied_fields(fields_from_form(form), section, earlier, day)
    what = "night" if section == "sleep" else "symptoms"
    if source is None:
        note = f"There is no earlier check-in in the last 14 days to copy the {what} from."
    else:
        note = (
            f"The {what} of {show_day(source.wake_date)} are filled in: change what was"
            " different, then save."
        )
    audit(svc, viewer, "read", f"check-in {source.wake_date.isoformat()}" if source else "journal")
    return _checkin_page(  # the copy buttons are the full form's
        request,
        viewer,
        svc,
        day=day,
        today=today,
        fields=fields,
        edit=edit,
        quick=False,
        copied=note,
    )


# --- journal ------------------------------------------------------------------------------------


@router.get("/journal", response_class=HTMLResponse)
def journal(request: Request, viewer: PatientViewer, svc: Svc) -> Response:
    """The journal history, newest first, each day editable."""
    return _journal_page(request, viewer, svc, days=_days(request.query_params.get("days", "")))


def _days(text: str) -> int:
    """The journal's period: one of its choices, else 60 days."""
    return int(text) if text in {str(d) for d in JOURNAL_DAYS} else 60


def _journal_page(
    request: Request,
    viewer: Viewer,
    svc: Services,
    *,
    days: int = 60,
    undo: dict[str, Any] | None = None,
    dose_log: DoseLogState | None = None,
    status: int = 200,
) -> Response:
    """The journal page; ``undo`` is what was just removed, with a button to put it back.

    ``dose_log`` is the "Log a dose" form sent back with its errors (None: a blank one).
    """
    record = svc.store.record(viewer.person_id)
    today = local_today(record.profile.time_zone, svc.now())
    audit(svc, viewer, "read", "journal")
    context = {
        "rows": journal_rows(record, days, today),
        "days": days,
        "choices": JOURNAL_DAYS,
        "scores": list(reversed(record.scores))[:8],
        "doses": [d for d in reversed(record.doses) if d.day > today - timedelta(days=days)][:60],
        "undo": undo,
        "log": form_context(record, today, dose_log),
    }
    return render(request, "journal.html", context, viewer=viewer, status_code=status)


@router.post("/journal/doses", response_class=HTMLResponse)
def dose_log(request: Request, viewer: PatientViewer, form: Form, svc: Svc) -> Response:
    """Log a dose with its own day, time and amount (the journal's "Log a dose" form).

    The service decides, as for ``log-dose`` and ``POST /api/doses``; an error shows the
    form again with every value kept and each error next to its field. An amount far from
    the plan is stored only once confirmed ("Log it as I gave it"), and the form's ``idem``
    key makes a second send of the same form store nothing more. ``back=dashboard`` (the
    dashboard's form for a dose to stay on until the clinician answered, with its time) goes
    back to the dashboard once logged.
    """
    try:
        entry = entry_from_form(form)
        done = log_dose(
            svc.store,
            viewer.person_id,
            entry,
            now=svc.now(),
            idempotency_key=_key(form.text("idem", max_len=100)),
            read_record=_record_of(svc, viewer.person_id),
        )
    except InputError as error:
        state = DoseLogState(
            kept_fields(form),
            errors_of(error),
            confirm=isinstance(error, ConfirmationNeededError),
        )
        return _journal_page(request, viewer, svc, dose_log=state, status=status_for(error))
    if done.saved.created:  # a second send of the same form stored nothing
        line = done.record
        audit(svc, viewer, "write", f"dose {line.day.isoformat()} {line.planned_clock or 'extra'}")
    if form.text("back", max_len=10) == "dashboard":  # the dashboard's own form for a dose
        return redirect("/dashboard?done=dose")
    return redirect("/journal?done=dose#log-dose")


def _auditor(svc: Services, viewer: Viewer) -> AuditLine:
    return auditor(viewer.person_id, svc.now(), user=viewer.user)


@router.post("/journal/{day}/delete", response_class=HTMLResponse)
def journal_delete(
    request: Request, day: str, viewer: PatientViewer, form: Form, svc: Svc
) -> Response:
    """Delete one day's check-in; the page then offers to put it back (an undo)."""
    when = parse_day("date", day)
    days = _days(form.shown("days", max_len=3))  # the period shown: shown again
    removed = remove_checkin(svc.store, viewer.person_id, when, audit=_auditor(svc, viewer))
    fields = undo_fields(removed, secret_key=svc.settings.secret_key, person_id=viewer.person_id)
    undo: dict[str, Any] = {
        "what": f"Check-in of {show_day(when)} deleted.",
        "action": "/journal/restore",
        "fields": {**fields, "days": str(days)},
    }
    return _journal_page(request, viewer, svc, days=days, undo=undo)


@router.post("/journal/restore")
def journal_restore(viewer: PatientViewer, form: Form, svc: Svc) -> Response:
    """Put back the check-in just deleted, as it was stored (the undo)."""
    checkin = checkin_from_undo(
        form, secret_key=svc.settings.secret_key, person_id=viewer.person_id
    )
    restore_checkin(
        svc.store, viewer.person_id, checkin, now=svc.now(), audit=_auditor(svc, viewer)
    )
    return redirect(f"/journal?days={_days(form.shown('days', max_len=3))}&done=checkin-restored")


@router.post("/journal/doses/remove", response_class=HTMLResponse)
def dose_remove(request: Request, viewer: PatientViewer, form: Form, svc: Svc) -> Response:
    """Remove a dose-log line logged by mistake; the page then offers to put it back."""
    when = form.day("day")
    clock = form.text("planned_clock", max_len=5) or None
    taken = form.text("taken_at", max_len=20)
    taken_at = parse_local_datetime(taken) if taken else None
    removed = remove_dose(
        svc.store,
        viewer.person_id,
        when,
        planned_clock=clock,
        taken_at=taken_at,
        audit=_auditor(svc, viewer),
    )
    undo = {
        "what": f"Dose of {show_day(when)} {clock or 'extra'} removed from the log.",
        "action": "/journal/doses/restore",
        "fields": dose_fields(
            removed, secret_key=svc.settings.secret_key, person_id=viewer.person_id
        ),
    }
    return _journal_page(request, viewer, svc, undo=undo)


@router.post("/journal/doses/restore")
def dose_restore(viewer: PatientViewer, form: Form, svc: Svc) -> Response:
    """Put back a dose-log line just removed (the undo)."""
    record = dose_from_fields(form, secret_key=svc.settings.secret_key, person_id=viewer.person_id)
    restore_dose(svc.store, viewer.person_id, record, now=svc.now(), audit=_auditor(svc, viewer))
    return redirect("/journal?done=dose-restored")


# --- questionnaires -----------------------------------------------------------------------------


def _questionnaire_page(
    request: Request, viewer: Viewer, svc: Services, error: str = "", status: int = 200
) -> Response:
    scores = svc.store.scores(viewer.person_id)
    context = {
        "phq9": PHQ9_ITEMS,
        "gad7": GAD7_ITEMS,
        "answers": ANSWERS,
        "scores": list(reversed(scores)),
        "error": error,
        "idem": uuid.uuid4().hex,
    }
    return render(request, "questionnaires.html", context, viewer=viewer, status_code=status)


@router.get("/questionnaires", response_class=HTMLResponse)
def questionnaires(request: Request, viewer: PatientViewer, svc: Svc) -> Response:
    """The weekly PHQ-9 and GAD-7, with past scores."""
    audit(svc, viewer, "read", "questionnaires")
    return _questionnaire_page(request, viewer, svc)


@router.post("/questionnaires", response_class=HTMLResponse)
def questionnaire_save(request: Request, viewer: PatientViewer, form: Form, svc: Svc) -> Response:
    """Score and store one questionnaire (one of each kind per day)."""
    instrument = form.text("instrument", max_len=10)
    today = today_of(svc, viewer)
    try:
        if instrument not in {"PHQ-9", "GAD-7"}:
            raise InputError("instrument: choose PHQ-9 or GAD-7")
        count = 9 if instrument == "PHQ-9" else 7
        items = [form.integer(f"item_{i}", 0, 3) for i in range(1, count + 1)]
        score = score_phq9(items, today) if instrument == "PHQ-9" else score_gad7(items, today)
        saved, _ = record_score(
            svc.store,
            viewer.person_id,
            score,
            now=svc.now(),
            idempotency_key=_key(form.text("idem", max_len=100)),
        )
    except InputError as error:
        return _questionnaire_page(request, viewer, svc, str(error), status_for(error))
    audit(svc, viewer, "write", f"{instrument} {today.isoformat()}")
    done = "questionnaire-replaced" if saved.replaced else "questionnaire"
    return redirect(f"/questionnaires?done={done}")


# --- plan -------------------------------------------------------------------------------------


@router.get("/plan", response_class=HTMLResponse)
def plan(request: Request, viewer: PatientViewer, svc: Svc) -> Response:
    """The plan in force: a calendar of steps, how to make each dose, supply; versions."""
    record = svc.store.record(viewer.person_id)
    today = local_today(record.profile.time_zone, svc.now())
    current = record.plan
    audit(svc, viewer, "read", "plan")
    past, coming, later = split_steps(step_changes(current), today) if current else ([], [], [])
    # a held cut is a question until the clinician answers: the step before is the one "now"
    ready = readiness_of(record, today) if current else None
    stays = ready is not None and ready.stays_on_before
    context = {
        "plan": current,
        "pending": pending_plan(record),
        "versions": list(reversed(record.plans)),
        "past": past,
        "coming": coming,
        "later": later,
        "months": plan_months(current, today) if current else [],
        "today": today,
        "current_step": ready.before
        if ready and stays
        else current.step_on(today)
        if current
        else None,
        "ready": ready,
    }
    return render(request, "plan.html", context, viewer=viewer)


# --- red flags -------------------------------------------------------------------------------


@router.post("/flags/acknowledge")
def acknowledge(viewer: PatientViewer, form: Form, svc: Svc) -> Response:
    """Hide the crisis banner for the red flags shown now (new ones show it again)."""
    banner = banner_for(svc, viewer)
    if banner is not None:
        svc.accounts.acknowledge(viewer.person_id, viewer.user.id, banner.keys, svc.now())
        audit(svc, viewer, "write", f"acknowledged {len(banner.keys)} red flag(s)")
    target = local_path(form.text("next", max_len=500), "/dashboard")
    joiner = "&" if "?" in target else "?"
    return redirect(f"{target}{joiner}done=acknowledged")
