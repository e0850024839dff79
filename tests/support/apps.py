"""What the many web apps of a test process share: each route's request handling and the pages.

The tests make hundreds of apps (one per test, often on a fresh database), where a server
makes one per process. Two costs of a new app are the same for every app, and they took
about half of the web tests' time (the 33 in-process web test files, 630 tests, ``-n 2`` on
a busy 2-core machine: 198 s before, 92 s with both shared; 149 s and 70 s of CPU):

- FastAPI builds an included route's request handling (its dependant and the pydantic
  validators of its parameters, body and response) when the app first matches a request,
  once per app: 100-250 ms for the JSON API's routes alone. :func:`share_route_handling`
  builds it once per route and path for the whole process.
- Each app's Jinja environment compiles every template it renders, tens of milliseconds a
  page. :func:`share_templates` gives every app one environment, made by the app's own
  ``taperline.web.context._templates`` (templates are files that no test changes; the
  environment holds nothing of an app: the filters read the page's reader from a context
  variable, on each render: a86262b, found by sharing it).

What differs between apps stays each app's own: settings, database, services and caches
(``app.state``, which handlers read from the request), middleware and error handlers. A
route handling built for one app refers to that app only for dependency overrides, which no
test and no code here uses (:func:`share_route_handling` refuses to share one that has
any). ``tests/test_support_apps.py`` checks both.
"""

from __future__ import annotations

import functools
import threading
from typing import Any

from fastapi import routing

from taperline.web import context

__all__ = ["share_route_handling", "share_templates"]

_LOCK = threading.Lock()
#: (route, full path) -> the route handling built for it, and the route kept alive with it.
_BUILT: dict[tuple[int, str], tuple[Any, Any]] = {}


def _plain(include: Any) -> bool:
    """Whether an inclusion adds nothing but a prefix (how ``create_app`` includes routers)."""
    overrides = getattr(include.dependency_overrides_provider, "dependency_overrides", None)
    return not (include.dependencies or include.callbacks or include.tags or overrides)


def share_route_handling() -> None:
    """Build each included API route's request handling once per process (idempotent)."""
    effective = routing._EffectiveRouteContext  # FastAPI builds it per app, on first use
    build = effective.from_api_route
    if getattr(build, "shared", False):
        return

    def shared(*, original_route: routing.APIRoute, include_context: Any) -> Any:
        if not _plain(include_context):
            return build(original_route=original_route, include_context=include_context)
        key = (id(original_route), include_context.path_for(original_route))
        with _LOCK:
            if key not in _BUILT:
                built = build(original_route=original_route, include_context=include_context)
                _BUILT[key] = (built, original_route)  # the route kept: its id is not reused
            return _BUILT[key][0]

    shared.shared = True  # type: ignore[attr-defined]
    effective.from_api_route = staticmethod(shared)  # type: ignore[method-assign,assignment]


def share_templates() -> None:
    """One Jinja environment (with its compiled templates) for every app (idempotent)."""
    if not hasattr(context._templates, "cache_info"):
        context._templates = functools.cache(context._templates)
