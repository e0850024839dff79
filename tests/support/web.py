"""Helpers for the in-process web tests: an app on a temporary SQLite file, a movable clock,
a client that fills in CSRF tokens, and the hidden fields of a page's form.
``tests/test_web_support.py`` checks them.

The app migrates its new SQLite file when it starts; during a test that is a copy of the
session's schema template (``tests/support/db.py``, swapped in by ``tests/conftest.py``).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient

from taperline.web.app import create_app
from taperline.web.context import Services
from taperline.web.settings import Settings

PASSWORD = "correct horse battery staple"  # noqa: S105 -- a test account's password
START = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)
ZONE = "Europe/London"
_CSRF_RE = re.compile(r'"X-CSRF-Token": "([0-9a-f]+)"')


@dataclass
class Clock:
    """A clock the tests move by hand."""

    now: datetime = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)

    @property
    def today(self) -> date:
        return self.now.date()


@dataclass
class Web:
    """One browser: a TestClient with its own cookies, and form helpers."""

    client: TestClient
    csrf_cache: str = ""

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        response: httpx.Response = self.client.get(path, **kwargs)
        return response

    def csrf(self, page: str = "/learn") -> str:
        """The CSRF token of this browser's session (or anonymous cookie)."""
        if not self.csrf_cache:
            found = _CSRF_RE.search(self.client.get(page).text)
            assert found, f"no CSRF token on {page}"
            self.csrf_cache = found.group(1)
        return self.csrf_cache

    def post(self, path: str, data: dict[str, Any] | None = None, **kwargs: Any) -> httpx.Response:
        """POST a form with this browser's CSRF token (unless the data names one)."""
        fields = {"csrf_token": self.csrf(), **(data or {})}
        kwargs.setdefault("follow_redirects", False)
        response: httpx.Response = self.client.post(path, data=fields, **kwargs)
        return response

    def signup(self, email: str, role: str = "patient", **fields: str) -> httpx.Response:
        self.csrf_cache = ""
        data = {
            "role": role,
            "email": email,
            "password": PASSWORD,
            "display_name": fields.pop("display_name", email.split("@", maxsplit=1)[0].title()),
            "time_zone": ZONE,
            **fields,
        }
        response = self.post("/signup", data)
        self.csrf_cache = ""
        return response

    def signin(self, email: str, password: str = PASSWORD) -> httpx.Response:
        self.csrf_cache = ""
        response = self.post("/signin", {"email": email, "password": password})
        self.csrf_cache = ""
        return response

    def signout(self) -> httpx.Response:
        response = self.post("/signout")
        self.csrf_cache = ""
        return response


@dataclass
class Site:
    """An app with its clock, and a way to open browsers on it."""

    app: FastAPI
    clock: Clock
    browsers: list[TestClient] = field(default_factory=list)

    @property
    def services(self) -> Services:
        found: Services = self.app.state.services
        return found

    def browser(self, **kwargs: Any) -> Web:
        client = TestClient(self.app, **kwargs)
        self.browsers.append(client)
        return Web(client)

    def patient(self, email: str = "pat@example.org", **fields: str) -> Web:
        web = self.browser()
        assert web.signup(email, **fields).status_code == 303
        return web

    def clinician(self, email: str = "doc@example.org", **fields: str) -> Web:
        web = self.browser()
        assert web.signup(email, role="clinician", **fields).status_code == 303
        return web

    def person_id(self, email: str) -> int:
        found = self.services.accounts.credentials(email)
        assert found is not None
        assert found[0].person_id is not None
        return found[0].person_id


@contextmanager
def template_site(tmp_path: Path, **changes: Any) -> Iterator[Site]:
    """:func:`make_site` migrated from the session's schema template (as conftest does for a
    test), for a site a fixture keeps beyond one test (a module's)."""
    import pytest

    from taperline.adapters.storage import db
    from tests.support import db as support_db

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(db, "migrate", support_db.migrate)
        with make_site(tmp_path, **changes) as made:
            yield made


@contextmanager
def make_site(tmp_path: Path, **changes: Any) -> Iterator[Site]:
    """An app on a fresh SQLite file in ``tmp_path``, migrated, with a movable clock."""
    clock = Clock()
    settings = Settings.for_tests(f"sqlite:///{tmp_path / 'web.db'}", clock=clock, **changes)
    app = create_app(settings)
    with TestClient(app) as main:
        site = Site(app, clock, [main])
        yield site


def share(site: Site, patient: Web, clinician: Web) -> None:
    """The clinician makes an invite; the patient enters it."""
    page = clinician.post("/clinician/invites")
    code = re.search(r'<p class="code">([A-Z0-9-]+)</p>', page.text)
    assert code, page.text[:500]
    assert patient.post("/sharing", {"code": code.group(1)}).status_code == 303


def approved_plan(site: Site, person_id: int, start: date, dose_mg: str = "1") -> None:
    """A percent plan from ``start`` (stabilise 14 days), approved."""
    from taperline.catalogue_data import load_catalogue
    from taperline.core.plan import PlanRequest, propose
    from taperline.core.quantity import Mass
    from taperline.core.regimen import ScheduledDose
    from taperline.core.strategies import Strategy
    from taperline.service import save_plan

    request = PlanRequest(
        drug=load_catalogue().get("clonazepam"),
        regimen=(ScheduledDose(22.0, Mass.of_mg(dose_mg)),),
        start=start,
        strategy=Strategy(kind="percent", percent=Decimal(10), interval_days=14),
    )
    store = site.services.store
    save_plan(store, person_id, propose(request), by="Dr Test", now=site.clock.now)
    store.decide(person_id, "approve", by="Dr Test", reason="agreed", at=site.clock.now)


def checkin_form(day: date, **changes: Any) -> dict[str, Any]:
    """The fields of a valid check-in form."""
    fields: dict[str, Any] = {
        "date": day.isoformat(),
        "mode": "new",
        "bed": "23:00",
        "tried": "23:10",
        "final_wake": "06:40",
        "out_of_bed": "07:00",
        "sol_min": "20",
        "awakenings": "1",
        "waso_min": "10",
        "quality": "3",
        "mood": "6",
        "anxiety": "4",
        "sym_0": "1",
        "caffeine": "1",
        "alcohol": "0",
        "notes": "slept fine",
    }
    fields.update(changes)
    return fields


def hidden_fields(page: str, form_start: str) -> dict[str, Any]:
    """The hidden fields of the form that starts with ``form_start`` (repeated names: lists)."""
    form = page[page.index(form_start) :]
    form = form[: form.index("</form>")]
    fields: dict[str, Any] = {}
    for name, raw in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form):
        value = html.unescape(raw)
        if name in fields:
            fields[name] = [
                *([fields[name]] if isinstance(fields[name], str) else fields[name]),
                value,
            ]
        else:
            fields[name] = value
    return fields
