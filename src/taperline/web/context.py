"""What every request handler uses: settings, the store, accounts, passwords and templates.

One :class:`Services` per app (one engine per app), made by :func:`build_services` in the
app factory and found on ``request.app.state``. Nothing here connects at import time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import jinja2
from fastapi import Request
from fastapi.templating import Jinja2Templates

from taperline.adapters.storage.accounts import Accounts
from taperline.adapters.storage.repo import KnownRows, Store
from taperline.core.findings import Finding
from taperline.core.record import PersonRecord
from taperline.web.cache import VersionedCache
from taperline.web.security import Passwords
from taperline.web.settings import Settings
from taperline.web.views import Dashboard

__all__ = ["Services", "build_services", "services"]


@dataclass(frozen=True, slots=True)
class Services:
    """The app's long-lived objects."""

    settings: Settings
    store: Store
    accounts: Accounts
    passwords: Passwords
    templates: Jinja2Templates
    # a person's dashboard and red flags, for one version of their record (the record, and
    # its rows as read, for the next version's read)
    dashboards: VersionedCache[tuple[Dashboard, tuple[Finding, ...], PersonRecord, KnownRows]] = (
        field(default_factory=VersionedCache)
    )

    def now(self) -> datetime:
        """The current moment from the settings' clock (timezone-aware)."""
        return self.settings.clock()


def _templates() -> Jinja2Templates:
    from taperline.web import filters

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("taperline", "templates/web"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    filters.install(env)
    return Jinja2Templates(env=env)


def build_services(settings: Settings) -> Services:
    """Make the engine (not yet connected), store, accounts, hasher and templates."""
    from taperline.adapters.storage.db import make_engine

    options: dict[str, object] = {"hide_parameters": True}  # no health data in error logs
    if _pooled(settings.database_url):
        options.update(pool_size=settings.db_pool_size, max_overflow=2 * settings.db_pool_size)
    engine = make_engine(settings.database_url, **options)
    return Services(
        settings=settings,
        store=Store(engine),
        accounts=Accounts(engine),
        passwords=Passwords(settings),
        templates=_templates(),
    )


def _pooled(url: str) -> bool:
    """Whether the URL names a file or server (an in-memory SQLite has no queue pool)."""
    memory = url.rstrip("/") in {"sqlite:", "sqlite:/", "sqlite://"} or ":memory:" in url
    return not memory


async def services(request: Request) -> Services:
    """The app's services (a FastAPI dependency; async: no thread for an attribute read)."""
    found: Services = request.app.state.services
    return found
