"""Rendering pages: the shared context (viewer, CSRF token, crisis banner, notices).

Every page goes through :func:`render`, so the crisis banner is at the top of every page a
patient with an unacknowledged red flag sees, and a visitor who is not signed in gets the
anonymous CSRF cookie that the sign-in and sign-up forms need.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse

from taperline.adapters.storage.flags import flag_key, red_flags
from taperline.core.findings import Finding
from taperline.web.auth import ANON_COOKIE, Viewer, anon_binding, secure_request
from taperline.web.context import Services
from taperline.web.security import csrf_token

__all__ = ["NOTICES", "Banner", "banner_for", "error_page", "redirect", "render"]

#: Fixed notices shown after a redirect (``?done=...``): no user text is ever reflected.
NOTICES: Final[Mapping[str, str]] = {
    "checkin": "Check-in saved. Thank you.",
    "checkin-deleted": "Check-in deleted.",
    "checkin-restored": "The check-in is back in your journal, as it was.",
    "offline-dropped": (
        "The check-in saved on this phone while offline is gone from it: the one saved on your"
        " other device is kept."
    ),
    "dose-restored": "The dose is back in the log.",
    "dose-already": "That dose was already in your log: nothing changed.",
    "questionnaire": "Questionnaire saved.",
    "questionnaire-replaced": (
        "Questionnaire saved. It replaces the PHQ-9 you gave earlier today: your answer to"
        " item 9 is higher, so your clinician is shown it."
    ),
    "shared": "Your record is now shared with your clinician.",
    "share-revoked": "Sharing stopped. That clinician can no longer see your record.",
    "session-revoked": "That session was signed out.",
    "sessions-revoked": "All your other sessions were signed out.",
    "profile": "Profile saved.",
    "password": "Password changed. Your other sessions were signed out.",
    "acknowledged": "Thank you. The crisis resources stay on your Learn page.",
    "decision": "Decision saved as a new plan version.",
    "adjusted": (
        "Adjustment saved as a new version. It is a proposal: it needs approval before the"
        " patient follows it."
    ),
    "plan-saved": "Plan saved as a proposal. It needs a clinician's approval.",
    "invite-cancelled": "Invite withdrawn.",
    "deleted": "Your account and every record of it were deleted.",
    "signed-out": "You are signed out.",
    "dose": "Dose saved.",
}
_ANON_MAX_AGE_S: Final = 2 * 60 * 60


@dataclass(frozen=True, slots=True)
class Banner:
    """The crisis banner: the unacknowledged red flags and their keys."""

    flags: tuple[Finding, ...]
    keys: tuple[str, ...]


def banner_for(
    svc: Services, viewer: Viewer | None, flags: tuple[Finding, ...] | None = None
) -> Banner | None:
    """The crisis banner for a patient with unacknowledged red flags (None otherwise).

    ``flags`` are the viewer's red flags when the page has them already (else they are read).
    """
    if viewer is None or not viewer.user.is_patient or viewer.user.person_id is None:
        return None
    person_id = viewer.user.person_id
    if flags is None:
        flags = red_flags(svc.store.engine, person_id, svc.settings.crisis_local(), now=svc.now())
    if not flags:
        return None
    seen = svc.accounts.acknowledged(person_id, viewer.user.id)
    open_flags = tuple(f for f in flags if flag_key(f) not in seen)
    return Banner(open_flags, tuple(flag_key(f) for f in open_flags)) if open_flags else None


def _csrf(request: Request, svc: Services, viewer: Viewer | None) -> str:
    if viewer is not None:
        return viewer.csrf
    return csrf_token(svc.settings.secret_key, anon_binding(request))


def render(
    request: Request,
    name: str,
    context: Mapping[str, Any] | None = None,
    *,
    viewer: Viewer | None,
    status_code: int = 200,
    banner: bool = True,
    flags: tuple[Finding, ...] | None = None,
) -> HTMLResponse:
    """Render ``templates/web/<name>`` with the shared context.

    ``banner=False`` leaves the crisis banner out; ``flags`` are the viewer's red flags when
    the page has them already (see :func:`banner_for`).
    """
    svc: Services = request.app.state.services
    done = request.query_params.get("done", "")
    shared: dict[str, Any] = {
        "viewer": viewer,
        "csrf": _csrf(request, svc, viewer),
        "banner": banner_for(svc, viewer, flags) if banner else None,
        "emergency": svc.settings.crisis_local(),
        "notice": NOTICES.get(done),
        "path": request.url.path,
        "development": svc.settings.development,
    }
    shared.update(context or {})
    response = svc.templates.TemplateResponse(request, name, shared, status_code=status_code)
    _send_anon_cookie(request, svc, response)
    return response


def _send_anon_cookie(request: Request, svc: Services, response: HTMLResponse) -> None:
    new = getattr(request.state, "new_anon", "")
    if new:
        response.set_cookie(
            ANON_COOKIE,
            new,
            max_age=_ANON_MAX_AGE_S,
            path="/",
            secure=secure_request(request, svc),
            httponly=True,
            samesite="lax",
        )


def error_page(
    request: Request, status: int, message: str, *, headers: Mapping[str, str] | None = None
) -> HTMLResponse:
    """A plain error page (no database reads: it must work when the database does not)."""
    svc: Services = request.app.state.services
    viewer = getattr(request.state, "viewer", None)
    context = {
        "viewer": viewer,
        "csrf": viewer.csrf if viewer else "",
        "banner": None,
        "emergency": svc.settings.crisis_local(),
        "notice": None,
        "path": request.url.path,
        "development": svc.settings.development,
        "status": status,
        "message": message,
    }
    return svc.templates.TemplateResponse(
        request, "error.html", context, status_code=status, headers=dict(headers or {})
    )


def redirect(url: str) -> RedirectResponse:
    """See Other: after a POST, the browser GETs ``url``."""
    return RedirectResponse(url, status_code=303)


def local_path(target: str, default: str = "/") -> str:
    """``target`` when it is a path on this site, else ``default`` (no open redirects)."""
    ok = target.startswith("/") and not target.startswith(("//", "/\\")) and "\n" not in target
    return target if ok and len(target) <= 500 else default  # noqa: PLR2004 -- a sane URL length
