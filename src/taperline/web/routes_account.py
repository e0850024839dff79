"""The account: profile, password, sessions, sharing, export, audit log and deletion.

Sharing works by invite code: a clinician makes a code (shown once, valid 7 days, single
use) and gives it to the patient; the patient enters it here. So a record is only ever
shared by the patient's own action, and the patient can stop sharing at any time.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Annotated, Final

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from taperline.adapters.storage.accounts import SessionInfo
from taperline.core.record import AGE_BANDS, Profile, doses_text
from taperline.core.screening import Recognition
from taperline.errors import InputError, SafetyError
from taperline.service import save_profile
from taperline.web.auth import (
    PatientViewer,
    Viewer,
    clear_session_cookie,
    client_address,
    require_viewer,
    session_limits,
)
from taperline.web.context import Services, services
from taperline.web.documents import export_document
from taperline.web.errors import ThrottledError, status_for
from taperline.web.forms import Form, IdPath, in_words
from taperline.web.pages import redirect, render
from taperline.web.profile_form import PROFILE_LABELS, read_profile
from taperline.web.security import (
    check_password_rules,
    invite_hash,
    throttle_address,
    throttle_wait,
)
from taperline.web.settings import Settings

__all__ = ["delete_account", "router"]

router = APIRouter(include_in_schema=False)
Svc = Annotated[Services, Depends(services)]
AnyViewer = Annotated[Viewer, Depends(require_viewer)]
CONFIRM: Final = "DELETE"
AUDIT_READ: Final = 5000  # lines read to filter: a clinician's view is not cut off by own reads
# lines shown: 200 keep the page under the issue-18 weight of 150 KB with its scripts (500 made
# it 168 KB); the downloads have every line
AUDIT_SHOWN: Final = 200


#: The profile form's fields, drawn again as typed when a save is refused (nothing typed lost).
_PROFILE_FIELDS: Final = (
    "display_name", "time_zone", "age_band", "conditions", "other_medicines", "regimen_drug",
    "regimen_doses",
)  # fmt: skip


def _account_page(
    request: Request,
    viewer: Viewer,
    svc: Services,
    error: str = "",
    status: int = 200,
    *,
    typed: dict[str, str] | None = None,
) -> Response:
    """The account page; ``typed``: the profile form's fields as submitted, drawn again."""
    now, settings = svc.now(), svc.settings
    longest = max(settings.session_idle, settings.remembered_idle)
    sessions = [  # each by its own limits: one kept on a phone lasts longer
        s
        for s in svc.accounts.sessions_of(viewer.user.id, active_since=now - longest)
        if _live(s, now, settings)
    ]
    profile = svc.store.profile(viewer.person_id) if viewer.user.is_patient else None
    context = {
        "sessions": sessions,
        "profile": profile,
        "profile_check": _profile_check(profile),
        "regimen_doses": doses_text(profile.regimen) if profile and profile.regimen else "",
        "age_bands": AGE_BANDS,
        "error": error,
        "confirm": CONFIRM,
        "typed": typed,
        "limits": {
            "idle": _duration(settings.session_idle),
            "absolute": _duration(settings.session_absolute),
            "kept_idle": _duration(settings.remembered_idle),
            "kept_absolute": _duration(settings.remembered_absolute),
        },
    }
    return render(request, "account.html", context, viewer=viewer, status_code=status)


def _live(session: SessionInfo, now: datetime, settings: Settings) -> bool:
    idle, absolute = session_limits(settings, remembered=session.remembered)
    return now - session.last_seen_at <= idle and now - session.created_at <= absolute


def _duration(span: timedelta) -> str:
    """A session limit in words ("30 minutes", "12 hours", "14 days").

    >>> [_duration(timedelta(**k)) for k in ({"minutes": 30}, {"hours": 12}, {"days": 1})]
    ['30 minutes', '12 hours', '1 day']
    """
    minutes = int(span.total_seconds() // 60)
    for size, unit in ((24 * 60, "day"), (60, "hour"), (1, "minute")):
        if minutes % size == 0:
            count = minutes // size
            return f"{count} {unit}{'' if count == 1 else 's'}"
    return f"{minutes} minutes"  # pragma: no cover -- every minute count divides by 1


def _profile_check(profile: Profile | None) -> Recognition | None:
    """Unknown names and crisis words in the profile (shown under the form; kept as typed)."""
    if profile is None:
        return None
    from taperline.catalogue_data import load_catalogue
    from taperline.core.screening import recognise

    return recognise(
        load_catalogue(), agents=profile.other_medicines, conditions=profile.conditions
    )


@router.get("/account", response_class=HTMLResponse)
def account(request: Request, viewer: AnyViewer, svc: Svc) -> Response:
    """Profile, password, sessions, export, audit and deletion."""
    return _account_page(request, viewer, svc)


def _words(error: Exception) -> str:
    """An error of the account page's forms, its fields named as the forms label them."""
    return in_words(str(error), PROFILE_LABELS)


@router.post("/account/profile", response_class=HTMLResponse)
def profile_save(request: Request, viewer: AnyViewer, form: Form, svc: Svc) -> Response:
    """Change the display name (and, for a patient, the profile)."""
    try:
        name = form.text("display_name", max_len=200) or viewer.user.display_name
        if viewer.user.is_patient:
            profile = read_profile(form, name)
            save_profile(svc.store, viewer.person_id, profile)
            svc.accounts.audit(viewer.user, viewer.person_id, "write", "profile", svc.now())
        svc.accounts.set_display_name(viewer.user.id, name)
    except (InputError, SafetyError) as error:  # a regimen above the daily maximum: refused
        typed = {name: form.text(name, max_len=1000) for name in _PROFILE_FIELDS}
        return _account_page(request, viewer, svc, _words(error), status_for(error), typed=typed)
    return redirect("/account?done=profile")


@router.post("/account/password", response_class=HTMLResponse)
def password_save(request: Request, viewer: AnyViewer, form: Form, svc: Svc) -> Response:
    """Change the password (the current one is needed); other sessions end."""
    current = form.text("current_password", max_len=4096)
    new = form.text("new_password", max_len=4096)
    try:
        if not svc.passwords.verify(current, svc.accounts.password_hash(viewer.user.id)):
            raise InputError("current_password: that is not your current password")
        check_password_rules(new, email=viewer.user.email)
    except InputError as error:
        return _account_page(request, viewer, svc, _words(error), status_for(error))
    svc.accounts.set_password(viewer.user.id, svc.passwords.hash(new))
    svc.accounts.revoke_sessions(viewer.user.id, keep=viewer.session.id)
    return redirect("/account?done=password")


@router.post("/account/sessions/{session_id}/revoke")
def session_revoke(
    session_id: IdPath, request: Request, viewer: AnyViewer, form: Form, svc: Svc
) -> Response:
    """Sign out one session (this one too, if chosen)."""
    del form  # checked for its CSRF token only
    svc.accounts.revoke_session(viewer.user.id, session_id)
    if session_id == viewer.session.id:
        response = redirect("/?done=signed-out")
        clear_session_cookie(response, request, svc)
        return response
    return redirect("/account?done=session-revoked")


@router.post("/account/sessions/revoke-others")
def sessions_revoke(viewer: AnyViewer, form: Form, svc: Svc) -> Response:
    """Sign out every other session."""
    del form  # checked for its CSRF token only
    svc.accounts.revoke_sessions(viewer.user.id, keep=viewer.session.id)
    return redirect("/account?done=sessions-revoked")


@router.get("/account/export")
def export(viewer: PatientViewer, svc: Svc) -> Response:
    """Download the whole record as JSON."""
    pid = viewer.person_id
    now = svc.now()
    svc.accounts.audit(viewer.user, pid, "export", "whole record (JSON)", now)
    document = export_document(
        viewer.user,
        svc.store.record(pid),
        svc.accounts.shares_of(pid),
        svc.accounts.audit_of(pid, limit=100_000),
        now.isoformat(),
        device_sleep=svc.store.device_sleep_records(pid),
    )
    filename = f"taperline-export-{now:%Y-%m-%d}.json"
    return Response(
        json.dumps(document, indent=2, ensure_ascii=False),
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _download(content: bytes | str, media_type: str, filename: str) -> Response:
    return Response(
        content,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get("/account/export.fhir.json")
def export_fhir(viewer: PatientViewer, svc: Svc, *, history: bool = False) -> Response:
    """Download the whole record as a FHIR R4 Bundle (as `taperline export fhir` writes).

    ``?history=true`` adds the plan versions the plan in force replaced (``--history``).
    """
    from taperline.service import fhir_bundle, fhir_json

    pid, now = viewer.person_id, svc.now()
    what = "whole record with plan history (FHIR)" if history else "whole record (FHIR)"
    svc.accounts.audit(viewer.user, pid, "export", what, now)
    text = fhir_json(fhir_bundle(svc.store, pid, now=now, history=history))
    return _download(text, "application/fhir+json", f"taperline-fhir-{now:%Y-%m-%d}.json")


@router.get("/account/report.pdf")
def report_pdf(viewer: PatientViewer, svc: Svc) -> Response:
    """Download the prescriber's PDF report (as `taperline report` writes)."""
    from taperline.service import report_pdf as make_report

    pid, now = viewer.person_id, svc.now()
    svc.accounts.audit(viewer.user, pid, "export", "prescriber report (PDF)", now)
    pdf = make_report(svc.store, pid, now=now)
    return _download(pdf, "application/pdf", f"taperline-report-{now:%Y-%m-%d}.pdf")


@router.get("/account/audit", response_class=HTMLResponse)
def audit_log(request: Request, viewer: PatientViewer, svc: Svc) -> Response:
    """Who read or wrote the record, and when; ``?who=clinicians`` (``you``, ``other``) filters."""
    from taperline.web.access_log import WHO, filtered

    who = request.query_params.get("who", "all")
    who = who if who in WHO else "all"
    entries = svc.accounts.audit_of(viewer.person_id, limit=AUDIT_READ)
    # the others' lines read apart: the patient's own page views never push them out
    others = svc.accounts.audit_of(viewer.person_id, limit=AUDIT_READ, not_by=viewer.user.id)
    rows = filtered(entries if who in {"all", "you"} else others, viewer.user.id, who)
    clinicians = [e for e, kind in filtered(others, viewer.user.id, "clinicians")]
    context = {
        "rows": rows[:AUDIT_SHOWN],
        "more": max(len(rows) - AUDIT_SHOWN, 0),
        "who": who,
        "choices": WHO,
        "clinicians": clinicians,
    }
    return render(request, "audit.html", context, viewer=viewer)


def delete_account(svc: Services, viewer: Viewer) -> None:
    """Remove the user and, for a patient, every row of their record."""
    from taperline.service import delete_account as remove

    remove(svc.store, svc.accounts, viewer.user)


@router.post("/account/delete", response_class=HTMLResponse)
def account_delete(request: Request, viewer: AnyViewer, form: Form, svc: Svc) -> Response:
    """Delete the account for good (password and the word DELETE are needed)."""
    try:
        if form.text("confirm", max_len=20) != CONFIRM:
            raise InputError(f"confirm: type {CONFIRM} to delete your account")
        if not svc.passwords.verify(
            form.text("password", max_len=4096), svc.accounts.password_hash(viewer.user.id)
        ):
            raise InputError("password: that is not your password")
    except InputError as error:
        return _account_page(request, viewer, svc, _words(error), status_for(error))
    delete_account(svc, viewer)
    response = redirect("/?done=deleted")
    clear_session_cookie(response, request, svc)
    return response


# --- sharing (patients) ------------------------------------------------------------------------


def _sharing_page(
    request: Request, viewer: Viewer, svc: Services, error: str = "", status: int = 200
) -> Response:
    shares = svc.accounts.shares_of(viewer.person_id)
    return render(
        request,
        "sharing.html",
        {"shares": shares, "error": error},
        viewer=viewer,
        status_code=status,
    )


@router.get("/sharing", response_class=HTMLResponse)
def sharing(request: Request, viewer: PatientViewer, svc: Svc) -> Response:
    """Who sees the record; enter a clinician's invite code; stop sharing."""
    return _sharing_page(request, viewer, svc)


@router.post("/sharing", response_class=HTMLResponse)
def share(request: Request, viewer: PatientViewer, form: Form, svc: Svc) -> Response:
    """Accept a clinician's invite code (attempts are throttled like sign-ins).

    Here the account is the caller's own, so too many wrong codes on it in an hour make it
    wait an hour from any address (``lock_account``).
    """
    now, user_id = svc.now(), viewer.user.id
    claim = svc.accounts.claim_attempt(
        "invite",
        f"user:{user_id}",
        throttle_address(client_address(request)),
        now=now,
        address_window=svc.settings.address_window,
        wait=lambda state: throttle_wait(state, now, svc.settings, lock_account=True),
        user_id=user_id,
    )
    if claim.attempt_id is None:
        raise ThrottledError(
            "Too many wrong codes. Wait a little and try again.",
            int(claim.wait.total_seconds()) + 1,
        )
    code = form.text("code", max_len=40)
    try:
        name = svc.accounts.accept_invite(
            invite_hash(svc.settings.secret_key, code), viewer.person_id, now
        )
    except InputError as error:  # the claim stays a failure
        return _sharing_page(request, viewer, svc, str(error), status_for(error))
    svc.accounts.finish_attempt(claim.attempt_id, user_id=user_id, success=True)
    svc.accounts.audit(viewer.user, viewer.person_id, "share", f"shared with {name}", now)
    return redirect("/sharing?done=shared")


@router.post("/sharing/{share_id}/revoke")
def share_revoke(share_id: IdPath, viewer: PatientViewer, form: Form, svc: Svc) -> Response:
    """Stop sharing with one clinician."""
    del form  # checked for its CSRF token only
    svc.accounts.revoke_share(viewer.person_id, share_id, svc.now())
    svc.accounts.audit(
        viewer.user, viewer.person_id, "unshare", f"share {share_id} revoked", svc.now()
    )
    return redirect("/sharing?done=share-revoked")
