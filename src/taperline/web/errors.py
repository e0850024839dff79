"""The one place where errors become HTTP statuses, for the pages and the JSON API alike.

==================================  ======  ===============================================
error                               status  meaning
==================================  ======  ===============================================
``NotFoundError``                   404     does not exist, or is not yours (same answer)
``ConflictError``                   409     clashes with what is stored
``InputError`` (others)             422     bad input; the message names the field
``SafetyError``                     422     would break a safety rule (API type "safety_rule")
``CatalogueError``                  500     the packaged drug data is broken
:class:`SignInRequiredError`        401     API: sign in first; pages: go to /signin
:class:`ForbiddenError`             403     the wrong kind of account for this page
:class:`CsrfError`                  403     a write without a valid CSRF token
:class:`ThrottledError`             429     too many attempts; ``Retry-After`` says when
:class:`UnreadableBodyError`        400     a form whose bytes are not UTF-8 text
request validation (pydantic)       422     FastAPI's field-by-field detail
anything else                       500     logged by type and route only (no values)
==================================  ======  ===============================================

API paths (``/api/...``) answer ``{"detail": ...}`` JSON; pages answer an HTML page.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any, Final
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from taperline.errors import (
    CatalogueError,
    ConflictError,
    InputError,
    NotFoundError,
    SafetyError,
    TaperlineError,
)

__all__ = [
    "CsrfError",
    "ForbiddenError",
    "SignInRequiredError",
    "ThrottledError",
    "UnreadableBodyError",
    "install_error_handlers",
    "is_api",
    "status_for",
]

_LOG: Final = logging.getLogger("taperline.web")
NOT_FOUND: Final = 404
SERVER_ERROR: Final = 500


class SignInRequiredError(Exception):
    """No valid session (none, expired or revoked)."""


class ForbiddenError(Exception):
    """Signed in, but with the wrong kind of account for this page."""


class CsrfError(Exception):
    """A state-changing request without a valid CSRF token (or cross-site)."""


class ThrottledError(Exception):
    """Too many attempts; ``retry_after_s`` says when to try again."""

    def __init__(self, message: str, retry_after_s: int) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class UnreadableBodyError(Exception):
    """A request body that cannot be read as text: its bytes are not UTF-8."""


def status_for(error: BaseException) -> int:
    """The HTTP status of a taperline or web error (500 for anything unexpected)."""
    table: tuple[tuple[type[BaseException], int], ...] = (
        (NotFoundError, 404),
        (ConflictError, 409),
        (InputError, 422),
        (SafetyError, 422),
        (CatalogueError, 500),
        (SignInRequiredError, 401),
        (ForbiddenError, 403),
        (CsrfError, 403),
        (ThrottledError, 429),
        (UnreadableBodyError, 400),
    )
    return next((status for kind, status in table if isinstance(error, kind)), 500)


def is_api(request: Request) -> bool:
    """Whether the request is for the JSON API."""
    return request.url.path.startswith("/api/") or request.url.path == "/api"


def _message(error: BaseException) -> str:
    if isinstance(error, CatalogueError):
        return "the drug catalogue could not be read; please tell the people who run this site"
    return str(error) or error.__class__.__name__


def _page(request: Request, status: int, message: str, headers: dict[str, str]) -> Response:
    from taperline.web.pages import error_page

    return error_page(request, status, message, headers=headers)


def _answer(
    request: Request,
    status: int,
    message: str,
    headers: dict[str, str] | None = None,
    *,
    kind: str = "value_error",
) -> Response:
    headers = headers or {}
    if is_api(request):
        detail: object = message
        if status == 422:  # noqa: PLR2004 -- the same shape as request validation errors
            detail = [{"loc": ["request"], "msg": message, "type": kind}]
        return JSONResponse({"detail": detail}, status_code=status, headers=headers)
    return _page(request, status, message, headers)


def _taperline_error(request: Request, error: Exception) -> Response:
    status = status_for(error)
    if status >= SERVER_ERROR:
        _LOG.error("catalogue error on %s %s", request.method, _route(request))
    # A broken safety rule is told apart from bad input: "safety_rule" (the message says which).
    kind = "safety_rule" if isinstance(error, SafetyError) else "value_error"
    return _answer(request, status, _message(error), kind=kind)


def _sign_in(request: Request, _error: Exception) -> Response:
    if is_api(request):
        return JSONResponse({"detail": "sign in first"}, status_code=401)
    target = request.url.path
    if request.url.query:
        target += "?" + request.url.query
    if request.method != "GET" or request.headers.get("hx-request"):
        target = "/"
    return RedirectResponse(f"/signin?next={quote(target, safe='/')}", status_code=303)


def _web_error(request: Request, error: Exception) -> Response:
    headers = {}
    if isinstance(error, ThrottledError):
        headers["Retry-After"] = str(max(1, error.retry_after_s))
    return _answer(request, status_for(error), str(error), headers)


def _http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, StarletteHTTPException)  # noqa: S101 -- registered for this type only
    detail = error.detail if isinstance(error.detail, str) else "request refused"
    headers = dict(error.headers or {})
    if error.status_code == NOT_FOUND:
        detail = "not found"
    return _answer(request, error.status_code, detail, headers)


def _validation_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)  # noqa: S101 -- registered for this type only
    if is_api(request):
        return JSONResponse({"detail": _clean(error.errors())}, status_code=422)
    fields = ", ".join(".".join(str(p) for p in e.get("loc", ())[1:]) for e in error.errors())
    return _page(request, 422, f"some values could not be read: {fields or 'the request'}", {})


def _clean(errors: Any) -> list[dict[str, Any]]:
    """Validation errors without the rejected input (it may be health data or huge)."""
    return [
        {
            "loc": list(e.get("loc", ())),
            "msg": str(e.get("msg", "")),
            "type": str(e.get("type", "")),
        }
        for e in errors
    ]


def _unexpected(request: Request, error: Exception) -> Response:
    _LOG.error(
        "unhandled %s on %s %s",
        type(error).__name__,
        request.method,
        _route(request),
        exc_info=error,
    )
    return _answer(request, 500, "something went wrong on our side; nothing was changed")


def _route(request: Request) -> str:
    route = request.scope.get("route")
    return str(getattr(route, "path", "?"))


Handler = Callable[[Request, Exception], Response | Awaitable[Response]]


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers above on ``app``."""
    handlers: dict[type[Exception] | int, Handler] = {
        TaperlineError: _taperline_error,
        SignInRequiredError: _sign_in,
        ForbiddenError: _web_error,
        CsrfError: _web_error,
        ThrottledError: _web_error,
        UnreadableBodyError: _web_error,
        StarletteHTTPException: _http_error,
        RequestValidationError: _validation_error,
        Exception: _unexpected,
    }
    for kind, handler in handlers.items():
        app.add_exception_handler(kind, handler)
