"""Who is asking: sessions from cookies, roles, and the record a viewer may see.

A session is valid while it is not revoked, was seen within the idle timeout (30 minutes)
and is younger than the absolute timeout (12 hours). Its last-seen time is moved at most
once a minute (``session_touch_every``) so reads do not all turn into writes.

Access to a record is decided here and only here (:func:`own_person`,
:func:`shared_person`): a patient reaches only their own ``person_id`` (never one from a
URL, form or body); a clinician reaches a person only through an active share. Anything
else is "not found" (404), so the answer does not reveal whether the record exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated, Final

from fastapi import Depends, Request, Response

from taperline.adapters.storage.accounts import SessionInfo, User
from taperline.adapters.storage.record_version import RecordVersion
from taperline.errors import NotFoundError
from taperline.web.context import Services, services
from taperline.web.errors import ForbiddenError, SignInRequiredError
from taperline.web.security import csrf_token, hash_token, new_token
from taperline.web.settings import Settings

__all__ = [
    "ANON_COOKIE",
    "SESSION_COOKIE",
    "ClinicianViewer",
    "PatientViewer",
    "Viewer",
    "anon_binding",
    "clear_session_cookie",
    "client_address",
    "optional_viewer",
    "require_clinician",
    "require_patient",
    "require_viewer",
    "secure_request",
    "set_session_cookie",
    "shared_person",
]

SESSION_COOKIE: Final = "taperline_session"
CLEAR_SITE_DATA: Final = '"cache", "storage"'  # not "cookies": the theme chosen stays
ANON_COOKIE: Final = "taperline_anon"
_MAX_TOKEN: Final = 128


@dataclass(frozen=True, slots=True)
class Viewer:
    """A signed-in user, their session and the CSRF token of that session."""

    user: User
    session: SessionInfo
    csrf: str
    record: tuple[str, RecordVersion] | None = None  # own record's time zone and version

    @property
    def time_zone(self) -> str | None:
        """The time zone of the patient's record, read with the session (None: clinician)."""
        return None if self.record is None else self.record[0]

    @property
    def person_id(self) -> int:
        """The viewer's own record (patients only)."""
        if self.user.person_id is None:
            raise ForbiddenError("this page is for patient accounts")
        return self.user.person_id


def optional_viewer(request: Request, svc: Annotated[Services, Depends(services)]) -> Viewer | None:
    """The signed-in viewer, or None (no cookie, unknown, revoked or expired session)."""
    if hasattr(request.state, "viewer"):
        cached: Viewer | None = request.state.viewer
        return cached
    viewer = _lookup(request, svc)
    request.state.viewer = viewer
    return viewer


def _lookup(request: Request, svc: Services) -> Viewer | None:
    token = request.cookies.get(SESSION_COOKIE, "")
    if not token or len(token) > _MAX_TOKEN:
        return None
    found = svc.accounts.session(hash_token(token))
    if found is None:
        return None
    session, user, record = found
    now, settings = svc.now(), svc.settings
    idle_limit, absolute_limit = session_limits(settings, remembered=session.remembered)
    idle = now - session.last_seen_at
    if session.revoked or idle > idle_limit:
        return None
    if now - session.created_at > absolute_limit:
        return None
    if idle >= settings.session_touch_every:
        svc.accounts.touch_session(session.id, now)
    binding = f"session:{session.token_hash}"
    return Viewer(user, session, csrf_token(settings.secret_key, binding), record)


async def require_viewer(viewer: Annotated[Viewer | None, Depends(optional_viewer)]) -> Viewer:
    """A signed-in viewer, or :class:`SignInRequiredError`."""
    if viewer is None:
        raise SignInRequiredError
    return viewer


async def require_patient(viewer: Annotated[Viewer, Depends(require_viewer)]) -> Viewer:
    """A signed-in patient (with a record), or :class:`ForbiddenError`."""
    if not viewer.user.is_patient:
        raise ForbiddenError(
            "this is for patient accounts; clinicians open a patient from their list"
        )
    return viewer


async def require_clinician(viewer: Annotated[Viewer, Depends(require_viewer)]) -> Viewer:
    """A signed-in clinician, or :class:`ForbiddenError`."""
    if viewer.user.role != "clinician":
        raise ForbiddenError("this is for clinician accounts")
    return viewer


PatientViewer = Annotated[Viewer, Depends(require_patient)]
ClinicianViewer = Annotated[Viewer, Depends(require_clinician)]


def shared_person(svc: Services, viewer: Viewer, person_id: int) -> int:
    """``person_id`` if this clinician has an active share of it; otherwise "not found"."""
    if viewer.user.role != "clinician" or not svc.accounts.can_see(viewer.user.id, person_id):
        raise NotFoundError("no such patient")
    return person_id


def client_address(request: Request) -> str:
    """The client's address as the server sees it (the proxy's, unless it is trusted)."""
    return request.client.host if request.client else "unknown"


def secure_request(request: Request, svc: Services) -> bool:
    """Whether cookies get the Secure attribute (settings, or HTTPS when on auto)."""
    forced = svc.settings.secure_cookies
    return forced if forced is not None else request.url.scheme == "https"


def session_limits(settings: Settings, *, remembered: bool) -> tuple[timedelta, timedelta]:
    """How long a session may sit unused, and last in all (a remembered one: longer)."""
    if remembered:
        return settings.remembered_idle, settings.remembered_absolute
    return settings.session_idle, settings.session_absolute


def set_session_cookie(
    response: Response, request: Request, svc: Services, token: str, *, remembered: bool = False
) -> None:
    """Send the session cookie: HttpOnly, SameSite=Lax, Secure over HTTPS, as long as it lasts.

    12 hours at most; a remembered session's (kept on a patient's phone), 30 days.
    """
    _, lasts = session_limits(svc.settings, remembered=remembered)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(lasts.total_seconds()),
        path="/",
        secure=secure_request(request, svc),
        httponly=True,
        samesite="lax",
    )


def clear_session_cookie(response: Response, request: Request, svc: Services) -> None:
    """Remove the session cookie, and what the browser kept of the session's pages.

    ``Clear-Site-Data`` drops the pages and the offline queue the service worker kept (and
    the worker): nothing health-related stays on the device after sign-out. The page's
    script clears them too, before it signs out, where the header is not supported.
    """
    response.delete_cookie(
        SESSION_COOKIE, path="/", secure=secure_request(request, svc), httponly=True, samesite="lax"
    )
    response.headers["Clear-Site-Data"] = CLEAR_SITE_DATA


def anon_binding(request: Request) -> str:
    """The CSRF binding of a visitor who is not signed in (a random cookie, made if missing).

    A new cookie value is left on ``request.state.new_anon`` for the page to send.
    """
    value = request.cookies.get(ANON_COOKIE, "")
    if not value or len(value) > _MAX_TOKEN:
        value = getattr(request.state, "new_anon", "") or new_token()
        request.state.new_anon = value
    return f"anonymous:{value}"
