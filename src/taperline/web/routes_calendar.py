"""Reminders in the person's own calendar: the settings page and the subscription feed.

``/reminders`` (the patient) chooses which reminders and when, and makes or revokes the
private feed URL, shown once when made: the POST that makes it redirects to the page, and
the new token rides along in a cookie for that one page (HttpOnly, this path only, five
minutes, removed as the page is sent), so reloading the page never makes another link and
ends the one the phone just subscribed to. ``/calendar/<token>.ics`` is the feed itself: it
takes no session (a calendar app cannot sign in), only the token, and answers 404 for a
token it does not know and 410 for a revoked one, with nothing of anyone's record. Each read
is audited against the person ("calendar feed"). A feed read is cheap when nothing changed:
the last calendar of each feed is kept for the record version, the person's day, their
settings and what was last sent, and a client that sends the ETag gets 304.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from taperline.adapters.lru import LruCache
from taperline.adapters.storage.record_version import RecordVersion, record_version
from taperline.core.reminders import REMINDER_KINDS, REMINDER_LABELS, ReminderSettings
from taperline.errors import InputError
from taperline.service import local_today
from taperline.service.calendar import (
    FEED_REFRESH_MIN,
    feed_of_token,
    new_feed,
    person_calendar,
    revoke_feed,
    save_reminders,
)
from taperline.web.auth import PatientViewer, secure_request
from taperline.web.context import Services, services
from taperline.web.errors import status_for
from taperline.web.forms import Form, in_words
from taperline.web.pages import redirect, render

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
Svc = Annotated[Services, Depends(services)]
FEED_ACTOR: Final = "calendar feed (subscription)"
_CALENDAR_TYPE: Final = "text/calendar; charset=utf-8"
_NEW_LINK_COOKIE: Final = "taperline_new_calendar_link"  # the link made, for one page
_NEW_LINK_MAX_AGE_S: Final = 300
_PAGE: Final = "/reminders"


# --- the feed ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Kept:
    """A feed's last calendar and what it was made from."""

    made_from: tuple[RecordVersion, date, ReminderSettings, datetime | None]
    data: bytes
    etag: str


@dataclass
class _FeedCache:
    """The last calendar of each feed (by feed id), per app."""

    items: LruCache[int, _Kept] = field(default_factory=lambda: LruCache(256))


def _cache(request: Request) -> _FeedCache:
    state = request.app.state
    if not hasattr(state, "calendar_feeds"):
        state.calendar_feeds = _FeedCache()
    found: _FeedCache = state.calendar_feeds
    return found


def _gone(status: int, text: str) -> Response:
    return Response(text, status_code=status, media_type="text/plain; charset=utf-8")


@router.api_route("/calendar/{token}.ics", methods=["GET", "HEAD"])
def calendar_feed(token: str, request: Request, svc: Svc) -> Response:
    """The person's reminders as an iCalendar feed, for a calendar app to subscribe to.

    Some calendar apps ask with HEAD first: it answers the same headers, and only a GET
    (which sends the reminders) is an audited read.
    """
    feed = feed_of_token(svc.store, token)
    if feed is None:
        return _gone(404, "No such calendar.")
    if not feed.live:
        return _gone(410, "This calendar link was turned off. Make a new one in taperline.")
    pid, now = feed.person_id, svc.now()
    time_zone, version = record_version(svc.store.engine, pid)
    settings = svc.store.reminder_settings(pid)
    made_from = (version, local_today(time_zone, now), settings, svc.store.calendar_sent_at(pid))
    cache = _cache(request).items
    kept = cache.get(feed.id)
    if kept is None or kept.made_from != made_from:
        data = person_calendar(
            svc.store, pid, now=now, settings=settings, refresh_minutes=FEED_REFRESH_MIN
        ).data
        # what was just recorded as sent is part of what the next read compares
        made_from = (*made_from[:3], svc.store.calendar_sent_at(pid))
        kept = _Kept(made_from, data, f'"{hashlib.sha256(data).hexdigest()[:32]}"')
        cache.put(feed.id, kept)
    if request.method == "GET":
        svc.accounts.audit(None, pid, "read", f"calendar feed {feed.id}", now, label=FEED_ACTOR)
    headers = {"ETag": kept.etag, "Cache-Control": "private, no-cache"}
    if request.headers.get("if-none-match") == kept.etag:
        return Response(status_code=304, headers=headers)
    return Response(kept.data, media_type=_CALENDAR_TYPE, headers=headers)


# --- the settings page ---------------------------------------------------------------------


#: The reminder form's fields as it labels them (for errors).
_LABELS: Final = {
    "checkin_clock": "Check-in reminder at",
    "alarm_minutes_before": "Dose alarm, minutes before the dose",
}


def _page(
    request: Request,
    viewer: PatientViewer,
    svc: Services,
    *,
    settings: ReminderSettings | None = None,
    feed_url: str = "",
    error: str = "",
    status: int = 200,
) -> Response:
    pid = viewer.person_id
    context: dict[str, Any] = {
        "settings": settings or svc.store.reminder_settings(pid),
        "kinds": [(kind, REMINDER_LABELS[kind]) for kind in REMINDER_KINDS],
        "feed": svc.store.calendar_feed(pid),
        "feed_url": feed_url,
        "webcal_url": "webcal://" + feed_url.split("://", 1)[1] if feed_url else "",
        "has_plan": svc.store.plan_in_force(pid) is not None,
        "error": error,
    }
    return render(request, "reminders.html", context, viewer=viewer, status_code=status)


def _audit(svc: Services, viewer: PatientViewer, action: str, obj: str) -> None:
    svc.accounts.audit(viewer.user, viewer.person_id, action, obj, svc.now())


def _new_link(request: Request, viewer: PatientViewer, svc: Services) -> str:
    """The URL of the link just made, when the cookie holds the person's live feed's token."""
    token = request.cookies.get(_NEW_LINK_COOKIE, "")
    if not token:
        return ""
    feed, current = feed_of_token(svc.store, token), svc.store.calendar_feed(viewer.person_id)
    if feed is None or current is None or feed.id != current.id or not feed.live:
        return ""  # another person's, replaced or turned off since: never shown
    return str(request.url_for("calendar_feed", token=token))


@router.get("/reminders", response_class=HTMLResponse)
def reminders_page(request: Request, viewer: PatientViewer, svc: Svc) -> Response:
    """Which reminders the calendar holds and when, and the private calendar link."""
    _audit(svc, viewer, "read", "reminder settings")
    feed_url = _new_link(request, viewer, svc)
    response = _page(request, viewer, svc, feed_url=feed_url)
    if _NEW_LINK_COOKIE in request.cookies:  # shown once: a reload shows the link no more
        response.delete_cookie(
            _NEW_LINK_COOKIE,
            path=_PAGE,
            secure=secure_request(request, svc),
            httponly=True,
            samesite="strict",
        )
    if feed_url:
        response.headers["Cache-Control"] = "no-store"
    return response


@router.post("/reminders", response_class=HTMLResponse)
def reminders_save(request: Request, viewer: PatientViewer, form: Form, svc: Svc) -> Response:
    """Save the reminder settings; the feed follows them at its next read."""
    try:
        saved = save_reminders(
            svc.store,
            viewer.person_id,
            reminders=[kind for kind in REMINDER_KINDS if form.has(kind)],
            checkin_clock=form.text("checkin_clock", max_len=5),
            alarm_minutes_before=form.integer("alarm_minutes_before", 0, 1440, default=0),
            discreet=form.has("discreet"),
            now=svc.now(),
        )
    except InputError as error:
        return _page(
            request, viewer, svc, error=in_words(str(error), _LABELS), status=status_for(error)
        )
    _audit(svc, viewer, "write", f"reminder settings {','.join(saved.reminders) or 'none'}")
    return redirect(_PAGE)


@router.post("/reminders/feed", response_class=HTMLResponse)
def reminders_new_feed(request: Request, viewer: PatientViewer, form: Form, svc: Svc) -> Response:
    """Make a new private calendar link (the old one stops working); it is shown once.

    See Other to the page, which shows it (a reload of that page is a GET: no new link).
    The form names the link it replaces ("none"): a page loaded before another link was made
    (a second tab, the back button) is answered 409 with the page, and nothing changes.
    """
    current = svc.store.calendar_feed(viewer.person_id)
    expected = str(current.id) if current is not None and current.live else "none"
    if (form.text("replaces", max_len=20) or "none") != expected:  # a page of before
        return _page(
            request,
            viewer,
            svc,
            error=(
                "Your calendar link changed since this page was loaded (in another tab?), so no"
                " new link was made and the one your calendar follows still works. To replace"
                " it, press the button again."
            ),
            status=409,
        )
    token = new_feed(svc.store, viewer.person_id, now=svc.now())
    _audit(svc, viewer, "write", "calendar feed made")
    response = redirect(_PAGE)
    response.set_cookie(
        _NEW_LINK_COOKIE,
        token,
        max_age=_NEW_LINK_MAX_AGE_S,
        path=_PAGE,
        secure=secure_request(request, svc),
        httponly=True,
        samesite="strict",
    )
    return response


@router.post("/reminders/feed/revoke", response_class=HTMLResponse)
def reminders_revoke_feed(
    request: Request, viewer: PatientViewer, form: Form, svc: Svc
) -> Response:
    """Turn the private calendar link off: calendar apps get nothing more from it."""
    del form, request  # checked for its CSRF token only
    if revoke_feed(svc.store, viewer.person_id, now=svc.now()):
        _audit(svc, viewer, "write", "calendar feed revoked")
    return redirect(_PAGE)
