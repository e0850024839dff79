"""What the app keeps on the person's device: the service worker and the colour theme.

* ``GET /sw.js``: the service worker (``static/sw.js``), served from the site's root so
  that its scope is the whole site. It keeps the app shell and today's pages for offline
  use and queues check-ins and dose taps made offline (see the script's header). No
  health data is in it; ``Cache-Control: no-store`` (the security headers' default) makes
  the browser check for a new version on every visit.
* ``POST /theme``: the manual light / dark switch. The choice is a cookie, read by
  ``base.html`` (``<html data-theme>``), so it works without JavaScript; "auto" removes
  it and the device's setting (``prefers-color-scheme``) decides.
"""

from __future__ import annotations

import functools
from importlib import resources
from typing import Annotated, Final

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from taperline.web.auth import secure_request
from taperline.web.context import Services, services
from taperline.web.forms import Form
from taperline.web.pages import local_path, redirect

__all__ = ["THEMES", "THEME_COOKIE", "router"]

router = APIRouter(include_in_schema=False)
Svc = Annotated[Services, Depends(services)]
THEME_COOKIE: Final = "theme"
THEMES: Final = ("light", "dark")
_THEME_MAX_AGE_S: Final = 365 * 24 * 60 * 60


@functools.cache
def _worker_script() -> bytes:
    return resources.files("taperline").joinpath("static", "sw.js").read_bytes()


@router.get("/sw.js")
def service_worker() -> Response:
    """The service worker script, scoped to the whole site."""
    return Response(_worker_script(), media_type="text/javascript")


@router.post("/theme")
def theme(request: Request, form: Form, svc: Svc) -> Response:
    """Choose light or dark colours on this device (``auto``: as the device is set)."""
    choice = form.text("theme", max_len=10)
    response = redirect(local_path(form.text("next", max_len=500), "/"))
    if choice in THEMES:
        response.set_cookie(
            THEME_COOKIE,
            choice,
            max_age=_THEME_MAX_AGE_S,
            path="/",
            secure=secure_request(request, svc),
            httponly=True,
            samesite="lax",
        )
    else:
        response.delete_cookie(THEME_COOKIE, path="/")
    return response
