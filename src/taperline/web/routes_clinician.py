"""A clinician's pages: patient list, invites, a patient's record, plan builder, decisions.

Every ``person_id`` in a URL goes through :func:`~taperline.web.auth.shared_person` first:
without an active share from that patient it is "not found" (404).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from taperline.core.device_sleep import DeviceNight, with_device_nights
from taperline.core.progress import taper_progress
from taperline.core.record import PersonRecord
from taperline.core.series import day_series
from taperline.errors import InputError, SafetyError
from taperline.plan_input import THEN_CHOICES
from taperline.service import (
    hold_keeps_dose_before_cut,
    local_today,
    readiness_of,
    reviewed_record,
)
from taperline.service.device_sleep import device_nights_between, device_sleep_view
from taperline.web.auth import ClinicianViewer, Viewer, shared_person
from taperline.web.chartpage import ED50_MG_PER_DAY
from taperline.web.charts import (
    ChartRow,
    StrategyLine,
    chart_rows,
    strategy_chart_markup,
    strategy_rows,
)
from taperline.web.clinical import ACTIONS, decide, patient_rows, propose_for
from taperline.web.context import Services, services
from taperline.web.errors import status_for
from taperline.web.forms import Form, FormInput, IdPath
from taperline.web.pages import redirect, render
from taperline.web.planning import (
    BUILDER_STRATEGIES,
    COMPARABLE,
    builder_defaults,
    plan_request,
    read_builder,
    strategy_lines,
)
from taperline.web.security import invite_code, invite_hash
from taperline.web.views import chart_pair, journal_rows, step_changes

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
Svc = Annotated[Services, Depends(services)]
_SEVERITY_RANK: Final = {"urgent": 0, "warning": 1, "info": 2}


def _list_page(request: Request, viewer: Viewer, svc: Services, code: str = "") -> Response:
    context = {
        "rows": patient_rows(svc, viewer.user.id),
        "invites": svc.accounts.invites_of(viewer.user.id, svc.now()),
        "code": code,
        "valid_days": svc.settings.invite_valid_for.days,
    }
    return render(request, "clinician_list.html", context, viewer=viewer)


@router.get("/clinician", response_class=HTMLResponse)
def patient_list(request: Request, viewer: ClinicianViewer, svc: Svc) -> Response:
    """Patients who share their record, flags and latest findings first."""
    return _list_page(request, viewer, svc)


@router.post("/clinician/invites", response_class=HTMLResponse)
def invite(request: Request, viewer: ClinicianViewer, form: Form, svc: Svc) -> Response:
    """Make an invite code (shown once) for a patient to enter on their Sharing page."""
    del form  # checked for its CSRF token only
    code = invite_code()
    svc.accounts.create_invite(
        viewer.user.id,
        invite_hash(svc.settings.secret_key, code),
        now=svc.now(),
        valid_for=svc.settings.invite_valid_for,
    )
    return _list_page(request, viewer, svc, code)


@router.post("/clinician/invites/{share_id}/cancel")
def invite_cancel(share_id: IdPath, viewer: ClinicianViewer, form: Form, svc: Svc) -> Response:
    """Withdraw an unused invite."""
    del form  # checked for its CSRF token only
    svc.accounts.cancel_invite(viewer.user.id, share_id, svc.now())
    return redirect("/clinician?done=invite-cancelled")


# --- one patient --------------------------------------------------------------------------------


@router.get("/clinician/patients/{person_id}", response_class=HTMLResponse)
def patient(person_id: IdPath, request: Request, viewer: ClinicianViewer, svc: Svc) -> Response:
    """A patient's findings, charts, journal, questionnaires and plan versions, with decisions."""
    pid = shared_person(svc, viewer, person_id)
    return _patient_page(request, viewer, svc, pid)


def _device_table(
    record: PersonRecord, today: date, device: Sequence[DeviceNight]
) -> list[ChartRow]:
    """The last 14 days as a text table, newest first, with the device's own columns."""
    days = day_series(record, today - timedelta(days=13), today)
    return chart_rows(with_device_nights(days, device))[::-1]


def _patient_page(
    request: Request, viewer: Viewer, svc: Services, pid: int, *, error: str = "", status: int = 200
) -> Response:
    found = reviewed_record(svc.store, pid, now=svc.now())
    record, today, result = found.record, found.today, found.review
    device = device_nights_between(svc.store, pid, today - timedelta(days=89), today)
    chart_14, chart_90 = chart_pair(record, today, result, "patient", device)
    rows_14 = _device_table(record, today, device)
    latest = record.plans[-1] if record.plans else None
    svc.accounts.audit(viewer.user, pid, "read", "record overview", svc.now())
    readiness = readiness_of(record, today, result)
    plan = record.plan
    context = {
        "pid": pid,
        "name": svc.accounts.patient_name(pid),
        "record": record,
        "today": today,
        "review": result,
        "chart_14": chart_14,
        "chart_90": chart_90,
        "chart_rows": rows_14,
        "chart_rows_device": any(row.device_slept or row.device_se for row in rows_14),
        "progress": taper_progress(plan, today, readiness) if plan is not None else None,
        "ed50_mg": ED50_MG_PER_DAY,
        "rows": journal_rows(record, 28, today),
        "scores": list(reversed(record.scores))[:8],
        "plan": record.plan,
        "latest": latest,
        "latest_steps": step_changes(latest) if latest else [],
        "versions": list(reversed(record.plans)),
        "actions": ACTIONS,
        "readiness": readiness,
        # what a hold keeps, as decide_plan holds it (the dose before the cut, or today's)
        "hold_before": hold_keeps_dose_before_cut(record, today, readiness),
        "device": device_sleep_view(svc.store, pid, now=svc.now(), days=7),
        "error": error,
    }
    return render(request, "clinician_patient.html", context, viewer=viewer, status_code=status)


@router.post(
    "/clinician/patients/{person_id}/plans/{version}/decision", response_class=HTMLResponse
)
def decision(
    *,
    person_id: IdPath,
    version: IdPath,
    request: Request,
    viewer: ClinicianViewer,
    form: Form,
    svc: Svc,
) -> Response:
    """Record a decision on the latest plan version (a new version; nothing is overwritten)."""
    pid = shared_person(svc, viewer, person_id)
    try:
        saved = decide(svc, viewer, pid, version, form)
    except (InputError, SafetyError) as error:
        return _patient_page(request, viewer, svc, pid, error=str(error), status=status_for(error))
    done = "adjusted" if saved.status == "proposed" else "decision"  # an adjustment waits
    return redirect(f"/clinician/patients/{pid}?done={done}")


# --- plan builder ------------------------------------------------------------------------------


def _builder_page(
    request: Request,
    viewer: Viewer,
    svc: Services,
    pid: int,
    query: dict[str, list[str]],
    *,
    status: int = 200,
) -> Response:
    from taperline.adapters.documents import plan_document
    from taperline.catalogue_data import load_catalogue
    from taperline.core.compare import compare
    from taperline.core.plan import propose

    record = svc.store.record(pid)
    today = local_today(record.profile.time_zone, svc.now())
    values: dict[str, Any] = builder_defaults(record.plan, today)
    preview, compared, error = None, [], ""
    comparison: dict[str, Any] | None = None
    if "strategy" in query:
        values = {k: (v if k == "compare" else v[0]) for k, v in query.items() if v}
        values.setdefault("compare", [])
        try:
            given = read_builder(FormInput(query), record.profile)
            request_ = plan_request(load_catalogue(), given, today)
            preview = plan_document(propose(request_))
            if len(given.compare) >= 2:  # noqa: PLR2004 -- a comparison needs two
                plans = compare(request_, given.compare)
                compared = [plan_document(p) for p in plans]
                comparison = _comparison(strategy_lines(plans))
        except (InputError, SafetyError) as exc:
            error, status = str(exc), status_for(exc)
    svc.accounts.audit(viewer.user, pid, "read", "plan builder", svc.now())
    context = {
        "pid": pid,
        "name": svc.accounts.patient_name(pid),
        "profile": record.profile,
        "values": values,
        "strategies": BUILDER_STRATEGIES,
        "thens": THEN_CHOICES,
        "comparable": COMPARABLE,
        "drugs": load_catalogue().names,
        "preview": preview,
        "compared": compared,
        "comparison": comparison,
        "error": error,
    }
    return render(request, "plan_builder.html", context, viewer=viewer, status_code=status)


def _comparison(lines: list[StrategyLine]) -> dict[str, Any]:
    """The strategy chart (each strategy's dose over time) and its text table."""
    return {
        "chart": strategy_chart_markup(lines, title="Daily dose over time, by strategy"),
        "names": [line.name for line in lines],
        "rows": strategy_rows(lines),
    }


@router.get("/clinician/patients/{person_id}/plan/new", response_class=HTMLResponse)
def builder(person_id: IdPath, request: Request, viewer: ClinicianViewer, svc: Svc) -> Response:
    """The plan builder: preview one strategy and compare several (changes nothing)."""
    pid = shared_person(svc, viewer, person_id)
    query = {k: request.query_params.getlist(k) for k in request.query_params}
    return _builder_page(request, viewer, svc, pid, query)


@router.post("/clinician/patients/{person_id}/plans", response_class=HTMLResponse)
def plan_save(
    person_id: IdPath, request: Request, viewer: ClinicianViewer, form: Form, svc: Svc
) -> Response:
    """Save the builder's plan as a new proposed version (approve it on the patient page)."""
    pid = shared_person(svc, viewer, person_id)
    try:
        saved = propose_for(svc, viewer, pid, lambda profile: read_builder(form, profile).spec)
    except (InputError, SafetyError) as error:
        fields = {k: v for k, v in form.raw().items() if k != "csrf_token"}
        return _builder_page(request, viewer, svc, pid, fields, status=status_for(error))
    return redirect(f"/clinician/patients/{pid}?done=plan-saved&version={saved.version}")
