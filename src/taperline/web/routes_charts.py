"""The charts page over a chosen range, for the patient and for a clinician they share with.

``/charts?range=2w|3m|all`` shows the patient's own record; the clinician's
``/clinician/patients/{person_id}/charts`` shows a shared patient's (through
:func:`~taperline.web.auth.shared_person`: without an active share it is "not found").
A range that is not one of the three shows two weeks with a message, answered 422.
"""

from __future__ import annotations

from typing import Annotated, Final

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from taperline.service import reviewed_record
from taperline.service.device_sleep import device_nights_between
from taperline.web.auth import ClinicianViewer, PatientViewer, Viewer, shared_person
from taperline.web.chartpage import ED50_MG_PER_DAY, RANGES, chart_page, pick_range
from taperline.web.context import Services, services
from taperline.web.forms import IdPath
from taperline.web.pages import render

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
Svc = Annotated[Services, Depends(services)]
_BAD_RANGE: Final = 422


def _page(request: Request, viewer: Viewer, svc: Services, pid: int, base: str) -> Response:
    chosen, error = pick_range(request.query_params.get("range"))
    found = reviewed_record(svc.store, pid, now=svc.now())
    page = chart_page(
        found.record,
        found.today,
        found.review,
        chosen,
        error=error,
        device_nights=lambda first, last: device_nights_between(svc.store, pid, first, last),
    )
    svc.accounts.audit(viewer.user, pid, "read", f"charts {chosen.key}", svc.now())
    clinician = viewer.user.role == "clinician"
    context = {
        "c": page,
        "ranges": RANGES,
        "base": base,
        "plan": found.record.plan,
        "clinician": clinician,
        "name": svc.accounts.patient_name(pid) if clinician else "",
        "pid": pid,
        "ed50_mg": ED50_MG_PER_DAY,
    }
    status = _BAD_RANGE if error else 200
    return render(request, "charts.html", context, viewer=viewer, status_code=status)


@router.get("/charts", response_class=HTMLResponse)
def charts(request: Request, viewer: PatientViewer, svc: Svc) -> Response:
    """The patient's taper chart over 2 weeks, 3 months or the whole taper, with its table."""
    return _page(request, viewer, svc, viewer.person_id, "/charts")


@router.get("/clinician/patients/{person_id}/charts", response_class=HTMLResponse)
def patient_charts(
    person_id: IdPath, request: Request, viewer: ClinicianViewer, svc: Svc
) -> Response:
    """A shared patient's taper chart over the chosen range, with its table and progress."""
    pid = shared_person(svc, viewer, person_id)
    return _page(request, viewer, svc, pid, f"/clinician/patients/{pid}/charts")
