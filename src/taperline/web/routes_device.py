"""What the app keeps on the person's device: the service worker and the colour theme.

* ``GET /sw.js``: the service worker (``static/sw.js``), served from the site's root so
  that its scope is the whole site, its shell cache named by the static files' version
  (:func:`shell_version`). It keeps the app shell and today's pages for offline
  use and queues check-ins and dose taps made offline (see the script's header). No
  health data is in it; ``Cache-Control: no-store`` (the security headers' default) makes
  the browser check for a new version on every visit.
* ``POST /theme``: the manual light / dark switch. The choice is a cookie, read by
  ``base.html`` (``<html data-theme>``), so it works without JavaScript; "auto" removes
  it and the device's setting (``prefers-color-scheme``) decides.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterable, Iterator
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Annotated, Final

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from taperline.web.auth import secure_request
from taperline.web.context import Services, services
from taperline.web.forms import Form
from taperline.web.pages import local_path, redirect

__all__ = ["THEMES", "THEME_COOKIE", "router", "shell_version"]

router = APIRouter(include_in_schema=False)
Svc = Annotated[Services, Depends(services)]
THEME_COOKIE: Final = "theme"
THEMES: Final = ("light", "dark")
_THEME_MAX_AGE_S: Final = 365 * 24 * 60 * 60


SHELL_NAME: Final = b'"taperline-shell-1"'  # in sw.js; replaced by the files' version


def shell_version(files: Iterable[tuple[str, bytes]]) -> str:
    """A version of the static files (name and content): the shell cache's name.

    The worker serves the shell from its cache first, so a new style sheet or script must
    come with a new cache: the script's bytes change with it, the browser installs the new
    worker, and the old cache is deleted when it takes over.

    >>> shell_version([("a.css", b"x")]) == shell_version([("a.css", b"x")])
    True
    >>> shell_version([("a.css", b"x")]) == shell_version([("a.css", b"y")])
    False
    """
    digest = hashlib.sha256()
    for name, content in sorted(files):
        digest.update(name.encode() + b"\0" + hashlib.sha256(content).digest())
    return digest.hexdigest()[:16]


def _static_files(folder: Traversable, prefix: str = "") -> Iterator[tuple[str, bytes]]:
    for entry in folder.iterdir():
        if entry.is_dir():
            yield from _static_files(entry, f"{prefix}{entry.name}/")
        elif entry.name != "sw.js":
            yield f"{prefix}{entry.name}", entry.read_bytes()


@functools.cache
def _worker_script() -> bytes:
    static = resources.files("taperline").joinpath("static")
    script = static.joinpath("sw.js").read_bytes()
    version = shell_version(_static_files(static))
    return script.replace(SHELL_NAME, f'"taperline-shell-{version}"'.encode(), 1)


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
