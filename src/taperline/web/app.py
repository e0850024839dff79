"""The app factory: ``create_app(settings)`` builds the web app; nothing connects on import.

Pages are server-rendered (Jinja2) with htmx for one-tap updates; the JSON API lives under
``/api/`` with its schema at ``/api/openapi.json`` (no interactive docs: they would load
scripts from a CDN). Static files, htmx included, are served from the package.

Every response carries security headers, error pages and the 500 page included: a strict
Content-Security-Policy (scripts, styles and images from this site only; no inline script
or style), no framing, no sniffing, no referrer to other sites, and ``Cache-Control:
no-store`` for everything but static files found, so health data is not kept in caches.
Request bodies are limited in size. The client's address and scheme come from forwarded
headers only when a listed proxy sends them (:mod:`taperline.web.forwarded`).

For ``uvicorn --factory`` and several workers, :func:`create_app_from_env` reads the
settings from ``TAPERLINE_*`` variables (see :mod:`taperline.web.settings`); run uvicorn
with ``--no-proxy-headers`` then, as ``taperline serve`` does, so that only the app decides
whose forwarded headers to believe.
"""

from __future__ import annotations

import gc
import logging
import os
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any, Final

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware.body_limit import RequestBodyLimitMiddleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from taperline import __version__
from taperline.web.context import build_services
from taperline.web.errors import install_error_handlers
from taperline.web.forwarded import ForwardedHeaders
from taperline.web.settings import Settings

__all__ = [
    "AccessLog",
    "SecurityHeaders",
    "create_app",
    "create_app_from_env",
    "settle_garbage_collector",
]

CSP: Final = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
    " connect-src 'self'; font-src 'self'; worker-src 'self'; manifest-src 'self';"
    " object-src 'none'; base-uri 'none';"
    " form-action 'self'; frame-ancestors 'none'"
)
_HEADERS: Final = (
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=()"),
)
HSTS: Final = (b"strict-transport-security", b"max-age=31536000")
ERROR_STATUS: Final = 400


class SecurityHeaders:
    """ASGI middleware adding the security headers to every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on; add the headers when the response starts."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = str(scope.get("path", "")).startswith("/static/")
        https = scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                extra = list(_HEADERS)
                if https:
                    extra.append(HSTS)
                found = static and message.get("status", 500) < ERROR_STATUS
                cache = b"public, max-age=3600" if found else b"no-store"
                extra.append((b"cache-control", cache))
                headers += [(k, v) for k, v in extra if k not in present]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


class CompressedStatic:
    """ASGI middleware: static files and the worker gzip-compressed for browsers that take it.

    A phone on a weak signal fetches htmx in about 17 KB, not 52 KB. Pages are never
    compressed: they carry the CSRF token beside text a request can put in them, and a
    compressed page's length would let an attacker guess the token (BREACH). Images already
    compressed (PNG) go as they are (GZipMiddleware's exclusions). ``gzip;q=0`` is a refusal
    (RFC 9110 12.5.3). A static file's ETag is weak and its answers vary by Accept-Encoding,
    compressed or not, 200 or 304 (the same file, other bytes on the wire: RFC 9110 8.8.3).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.gzip = GZipMiddleware(app, compresslevel=6)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Compress the answer to a static file's or the worker's request, pass on the rest."""
        path = str(scope.get("path", "")) if scope["type"] == "http" else ""
        if not (path.startswith("/static/") or path == "/sw.js"):
            await self.app(scope, receive, send)
            return
        coding = b"gzip" if takes_gzip(Headers(scope=scope).get("accept-encoding", "")) else b""
        kept = [(k, v) for k, v in scope["headers"] if k != b"accept-encoding"]
        scope = {**scope, "headers": [*kept, (b"accept-encoding", coding)]}

        async def send_weak(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                etag = headers.get("etag", "")
                if etag and not etag.startswith("W/"):
                    headers["etag"] = "W/" + etag
                headers.add_vary_header("Accept-Encoding")
            await send(message)

        await self.gzip(scope, receive, send_weak)


def takes_gzip(accept_encoding: str) -> bool:
    """Whether an Accept-Encoding value takes gzip: named (any case) or ``*``, not with q=0.

    >>> [takes_gzip(v) for v in ("gzip", "GZIP, br", "br, gzip;q=0", "*", "x-gzip", "")]
    [True, True, False, True, False, False]
    """
    weights: dict[str, float] = {}
    for part in accept_encoding.lower().split(","):
        name, *params = (item.strip() for item in part.split(";"))
        weight = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        if name:
            weights[name] = weight
    return weights.get("gzip", weights.get("*", 0.0)) > 0


def _logged_path(path: str) -> str:
    """The path as logged: a calendar feed's token is a credential, never written down.

    >>> _logged_path("/calendar/abc.ics"), _logged_path("/dashboard")
    ('/calendar/<token>.ics', '/dashboard')
    """
    return "/calendar/<token>.ics" if path.startswith("/calendar/") else path


class AccessLog:
    """ASGI middleware logging method, path, status and time: never the query or the body.

    Queries can hold health data (the checker's medicines, the builder's doses), so the
    server's own access log is off (``taperline serve``) and this one is used instead.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.log = logging.getLogger("taperline.access")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on; log one line when the response starts."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()

        async def send_logged(message: Message) -> None:
            if message["type"] == "http.response.start":
                self.log.info(
                    "%s %s %s %.0f ms",
                    scope.get("method", "?"),
                    _logged_path(scope.get("path", "?")),
                    message.get("status", 0),
                    (time.perf_counter() - started) * 1000,
                )
            await send(message)

        await self.app(scope, receive, send_logged)


class _App(FastAPI):
    """FastAPI with layers around the whole stack, Starlette's 500 handler included.

    Starlette answers an unhandled exception in ``ServerErrorMiddleware``, outside every
    middleware added with ``add_middleware``: the 500 page would miss what those add.
    """

    outer: tuple[Callable[[ASGIApp], ASGIApp], ...] = ()

    def build_middleware_stack(self) -> ASGIApp:
        """Starlette's stack, wrapped in :attr:`outer` (the first is outermost)."""
        app = super().build_middleware_stack()
        for layer in reversed(self.outer):
            app = layer(app)
        return app

    def openapi(self) -> dict[str, Any]:
        """The API's schema, with the documents only the CLI prints (:mod:`.schema`)."""
        if self.openapi_schema is None:
            from taperline.web.schema import with_cli_shapes

            self.openapi_schema = with_cli_shapes(super().openapi())
        return self.openapi_schema


def create_app(settings: Settings) -> FastAPI:
    """The web app for ``settings`` (the database is first touched when it starts)."""
    from taperline.web import (
        api,
        routes_account,
        routes_auth,
        routes_calendar,
        routes_charts,
        routes_clinician,
        routes_device,
        routes_device_sleep,
        routes_learn,
        routes_patient,
        routes_sleep,
    )

    services = build_services(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if settings.migrate_on_start:
            from taperline.adapters.storage.db import migrate

            migrate(services.store.engine)
        import anyio.to_thread

        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.request_threads
        yield
        services.store.engine.dispose()

    app = _App(
        title="taperline",
        version=__version__,
        description=(
            "Taperline's JSON API. Sign in on the web pages; the session cookie authenticates"
            " the API. Writes must be JSON from this site. Taperline supports a prescriber;"
            " it does not replace one."
        ),
        openapi_url="/api/openapi.json",
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.services = services
    install_error_handlers(app)
    # Routes are matched in order, one by one: a patient's daily pages first.
    for module in (
        routes_patient,
        routes_auth,
        routes_learn,
        routes_account,
        routes_clinician,
        routes_sleep,
        routes_device_sleep,
        routes_calendar,
        routes_device,
        routes_charts,
        api,
    ):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(packages=[("taperline", "static")]), name="static")
    app.add_middleware(RequestBodyLimitMiddleware, max_body_size=settings.max_body_bytes)
    app.add_middleware(CompressedStatic)
    if settings.allowed_hosts:
        app.add_middleware(TrustedHostMiddleware, allowed_hosts=list(settings.allowed_hosts))
    app.outer = (
        lambda inner: ForwardedHeaders(inner, settings.forwarded_allow_ips),
        AccessLog,
        SecurityHeaders,
    )
    return app


def create_app_from_env() -> FastAPI:
    """The app with settings from the environment (for ``uvicorn --factory``)."""
    app = create_app(Settings.from_env(os.environ))
    settle_garbage_collector()
    return app


#: Collector thresholds of a server process (CPython's default is 700, 10, 10).
GC_THRESHOLDS: Final = (10_000, 10, 10)


def settle_garbage_collector() -> None:
    """Freeze the start-up objects and collect young objects less often (server processes).

    A server process holds a few hundred thousand long-lived objects from start-up (modules,
    the app): frozen, no collection walks them again. Generation 0 is collected after
    10,000 net new container objects instead of 700: most of a request's objects are freed
    by reference counting before that, so fewer of them are walked and fewer survive into
    the older generations, whose full collections walk every cached dashboard (a pause
    of tens of milliseconds with a few hundred patients cached). ``bench/web.py`` shows the
    effect; the measurements are in the history of this function.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
