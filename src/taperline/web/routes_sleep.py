"""The sleep window (CBT-I) as a course: the patient's page, and the clinician's view and set.

The patient sees this week's window and its review in plain words and starts or reviews it;
a clinician with a share sees the same course with the rules and their source ids, and can
set the window. Both go through :mod:`taperline.service.sleep_window`, as the CLI does.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from taperline.errors import InputError
from taperline.service.sleep_window import (
    review_sleep_window,
    set_sleep_window,
    sleep_window_document,
    sleep_window_state,
    start_sleep_window,
)
from taperline.web.auth import ClinicianViewer, PatientViewer, Viewer, shared_person
from taperline.web.context import Services, services
from taperline.web.errors import status_for
from taperline.web.forms import Form, IdPath
from taperline.web.pages import redirect, render

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
Svc = Annotated[Services, Depends(services)]


def _page(
    request: Request,
    viewer: Viewer,
    svc: Services,
    pid: int,
    *,
    error: str = "",
    status: int = 200,
) -> Response:
    state = sleep_window_state(svc.store, pid, now=svc.now())
    context: dict[str, Any] = {
        "state": state,
        "doc": sleep_window_document(state),
        "pid": pid,
        "error": error,
    }
    if viewer.user.is_patient:
        return render(request, "sleep_window.html", context, viewer=viewer, status_code=status)
    context["name"] = svc.accounts.patient_name(pid)
    return render(
        request, "clinician_sleep_window.html", context, viewer=viewer, status_code=status
    )


def _audit(svc: Services, viewer: Viewer, pid: int, action: str, obj: str) -> None:
    svc.accounts.audit(viewer.user, pid, action, obj, svc.now())


@router.get("/sleep", response_class=HTMLResponse)
def sleep_page(request: Request, viewer: PatientViewer, svc: Svc) -> Response:
    """This week's sleep window, its review, and the diary nights it rests on."""
    _audit(svc, viewer, viewer.person_id, "read", "sleep window")
    return _page(request, viewer, svc, viewer.person_id)


@router.post("/sleep/start", response_class=HTMLResponse)
def sleep_start(request: Request, viewer: PatientViewer, form: Form, svc: Svc) -> Response:
    """Start the course: the first window from the last week of the diary."""
    rise = form.text("rise", max_len=5) or None
    try:
        week = start_sleep_window(svc.store, viewer.person_id, now=svc.now(), rise=rise)
    except InputError as error:
        return _page(
            request, viewer, svc, viewer.person_id, error=str(error), status=status_for(error)
        )
    _audit(svc, viewer, viewer.person_id, "write", f"sleep window {week.set_on.isoformat()}")
    return redirect("/sleep?done=sleep-window")


@router.post("/sleep/review", response_class=HTMLResponse)
def sleep_review(request: Request, viewer: PatientViewer, form: Form, svc: Svc) -> Response:
    """The weekly review: the next week's window from the nights inside this one."""
    del form  # checked for its CSRF token only
    try:
        week = review_sleep_window(svc.store, viewer.person_id, now=svc.now())
    except InputError as error:
        return _page(
            request, viewer, svc, viewer.person_id, error=str(error), status=status_for(error)
        )
    _audit(svc, viewer, viewer.person_id, "write", f"sleep window review {week.set_on.isoformat()}")
    return redirect("/sleep?done=sleep-window-review")


@router.get("/clinician/patients/{person_id}/sleep-window", response_class=HTMLResponse)
def clinician_sleep(
    person_id: IdPath, request: Request, viewer: ClinicianViewer, svc: Svc
) -> Response:
    """A patient's sleep window course, with the rules and their sources; a form to set it."""
    pid = shared_person(svc, viewer, person_id)
    _audit(svc, viewer, pid, "read", "sleep window")
    return _page(request, viewer, svc, pid)


@router.post("/clinician/patients/{person_id}/sleep-window", response_class=HTMLResponse)
def clinician_set(
    person_id: IdPath, request: Request, viewer: ClinicianViewer, form: Form, svc: Svc
) -> Response:
    """Set this week's window for a patient (the floor and contraindications still hold)."""
    pid = shared_person(svc, viewer, person_id)
    try:
        week = set_sleep_window(
            svc.store,
            pid,
            now=svc.now(),
            rise=form.text("rise", max_len=5),
            time_in_bed_min=form.integer("time_in_bed_min", 1, 720),
            by=viewer.user.display_name,
            reason=form.text("reason", max_len=500),
        )
    except InputError as error:
        return _page(request, viewer, svc, pid, error=str(error), status=status_for(error))
    _audit(svc, viewer, pid, "write", f"sleep window {week.set_on.isoformat()}")
    return redirect(f"/clinician/patients/{pid}/sleep-window?done=sleep-window")
