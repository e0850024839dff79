"""A clinician's pages: patient list, invites, a patient's record, plan builder, decisions.

Every ``person_id`` in a URL goes through :func:`~taperline.web.auth.shared_person` first:
without an active share from that patient it is "not found" (404).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from taperline.core.record import PersonRecord, PlanAction, PlanVersion, Profile
from taperline.core.review import review
from taperline.errors import InputError, SafetyError
from taperline.plan_input import THEN_CHOICES, PlanSpec
from taperline.service import decide_plan, local_today, save_plan
from taperline.web.auth import ClinicianViewer, Viewer, shared_person
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
)
from taperline.web.security import invite_code, invite_hash
from taperline.web.views import chart_pair, journal_rows, pending_plan, step_changes

__all__ = ["PatientRow", "apply_decision", "decide", "patient_rows", "propose_for", "router"]

router = APIRouter(include_in_schema=False)
Svc = Annotated[Services, Depends(services)]
ACTIONS: Final[tuple[PlanAction, ...]] = ("approve", "hold", "adjust", "reject")
_SEVERITY_RANK: Final = {"urgent": 0, "warning": 1, "info": 2}


@dataclass(frozen=True, slots=True)
class PatientRow:
    """One line of the patient list."""

    person_id: int
    name: str
    urgent: int
    flagged: int
    warnings: int
    latest: tuple[str, ...]
    latest_day: date | None
    proposal: str
    plan_status: str
    pending: bool
    last_checkin: date | None

    def order(self) -> tuple[int, int, int, str, str]:
        """Flags first, then clinician flags, warnings, the latest finding, the name."""
        latest = self.latest_day.isoformat() if self.latest_day else ""
        return (-self.urgent, -self.flagged, -self.warnings, _desc(latest), self.name.casefold())


def _desc(text: str) -> str:
    return "".join(chr(0x10FFFF - ord(ch)) for ch in text)


def _row(person_id: int, name: str, record: PersonRecord, today: date) -> PatientRow:
    result = review(record, today)
    findings = result.findings
    days = [e.day for f in findings for e in f.evidence]
    plan = record.plan
    return PatientRow(
        person_id=person_id,
        name=name,
        urgent=sum(f.severity == "urgent" for f in findings),
        flagged=sum(f.clinician_flag for f in findings),
        warnings=sum(f.severity == "warning" for f in findings),
        latest=tuple(dict.fromkeys(f.kind.replace("_", " ") for f in findings))[:4],
        latest_day=max(days, default=None),
        proposal=result.proposal.action.replace("_", " "),
        plan_status=plan.status if plan else "no plan",
        pending=pending_plan(record) is not None,
        last_checkin=max((c.wake_date for c in record.checkins), default=None),
    )


def patient_rows(svc: Services, clinician_id: int) -> list[PatientRow]:
    """The clinician's patients, red flags and latest findings first."""
    rows = []
    for link in svc.accounts.patients_of(clinician_id):
        record = svc.store.record(link.person_id)
        today = local_today(record.profile.time_zone, svc.now())
        rows.append(_row(link.person_id, link.display_name, record, today))
    return sorted(rows, key=PatientRow.order)


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


def _patient_page(
    request: Request, viewer: Viewer, svc: Services, pid: int, *, error: str = "", status: int = 200
) -> Response:
    record = svc.store.record(pid)
    today = local_today(record.profile.time_zone, svc.now())
    result = review(record, today)
    chart_14, chart_90 = chart_pair(record, today, result, "patient")
    latest = record.plans[-1] if record.plans else None
    svc.accounts.audit(viewer.user, pid, "read", "record overview", svc.now())
    context = {
        "pid": pid,
        "name": svc.accounts.patient_name(pid),
        "record": record,
        "today": today,
        "review": result,
        "chart_14": chart_14,
        "chart_90": chart_90,
        "rows": journal_rows(record, 28, today),
        "scores": list(reversed(record.scores))[:8],
        "plan": record.plan,
        "latest": latest,
        "latest_steps": step_changes(latest) if latest else [],
        "versions": list(reversed(record.plans)),
        "actions": ACTIONS,
        "error": error,
    }
    return render(request, "clinician_patient.html", context, viewer=viewer, status_code=status)


def apply_decision(
    svc: Services,
    viewer: Viewer,
    pid: int,
    version: int,
    *,
    action: str,
    reason: str,
    postpone_days: int | None = None,
) -> PlanVersion:
    """Approve, hold, reject or adjust (postpone the coming steps) the latest plan version.

    The decision goes through :func:`taperline.service.decide_plan`, as from the CLI: the
    new steps of an adjust or of resuming a held plan pass the same safety rules.
    """
    if action not in ACTIONS:
        raise InputError(f"action: choose one of {', '.join(ACTIONS)}")
    if not reason.strip():
        raise InputError("reason: say why (it is kept with the new plan version)")
    new = decide_plan(
        svc.store,
        pid,
        action,
        by=f"{viewer.user.display_name} (clinician)",
        reason=reason.strip(),
        now=svc.now(),
        version=version,
        delay_days=postpone_days,
    )
    svc.accounts.audit(
        viewer.user, pid, "write", f"plan v{version}: {action} -> v{new.version}", svc.now()
    )
    return new


def decide(svc: Services, viewer: Viewer, pid: int, version: int, given: FormInput) -> PlanVersion:
    """:func:`apply_decision` with the fields of the decision form."""
    action = given.text("action", max_len=10)
    days = given.optional_integer("postpone_days", 1, 365) if action == "adjust" else None
    return apply_decision(
        svc,
        viewer,
        pid,
        version,
        action=action,
        reason=given.text("reason", max_len=2000),
        postpone_days=days,
    )


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
        decide(svc, viewer, pid, version, form)
    except (InputError, SafetyError) as error:
        return _patient_page(request, viewer, svc, pid, error=str(error), status=status_for(error))
    return redirect(f"/clinician/patients/{pid}?done=decision")


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
    if "strategy" in query:
        values = {k: (v if k == "compare" else v[0]) for k, v in query.items() if v}
        values.setdefault("compare", [])
        try:
            given = read_builder(FormInput(query), record.profile)
            request_ = plan_request(load_catalogue(), given, today)
            preview = plan_document(propose(request_))
            if len(given.compare) >= 2:  # noqa: PLR2004 -- a comparison needs two
                compared = [plan_document(p) for p in compare(request_, given.compare)]
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
        "error": error,
    }
    return render(request, "plan_builder.html", context, viewer=viewer, status_code=status)


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


def propose_for(
    svc: Services, viewer: Viewer, pid: int, spec_of: Callable[[Profile], PlanSpec]
) -> PlanVersion:
    """Plan from a spec (made with the patient's profile) and store it as a proposal.

    The one path of the builder form and the JSON API: the same parser, planner and rules.
    """
    from taperline.catalogue_data import load_catalogue
    from taperline.core.plan import propose
    from taperline.plan_input import build_request

    profile = svc.store.profile(pid)
    today = local_today(profile.time_zone, svc.now())
    plan = propose(build_request(load_catalogue(), spec_of(profile), today=today))
    saved = save_plan(
        svc.store, pid, plan, by=f"{viewer.user.display_name} (clinician)", now=svc.now()
    )
    svc.accounts.audit(viewer.user, pid, "write", f"plan v{saved.version} proposed", svc.now())
    return saved
