"""The access-control matrix: every route that takes an object id, each method, each kind of user.

The users (``ACTORS``) are the owner of the record (Ann, a patient), another patient (Bob),
a clinician Ann shares with, a clinician she never shared with, a clinician whose share she
revoked, and an anonymous visitor. Each object in a URL (Ann's person id, a check-in date, a
plan version, a session id, a share id, an invite id) is Ann's (or, for an invite, her
clinician's); every (route, method, user) cell asserts:

* the exact status (and for a redirect, where to);
* that nothing of Ann's leaks to a user who may not see it (her name, e-mail address,
  notes, conditions, medicines, the reason on her plan) and nothing of Bob's to anyone else;
* that a refused request changed nothing, and an allowed one did what it says.

The routes come from the app itself: a route with a path parameter that is not in
``MATRIX`` fails :func:`test_every_route_with_a_path_parameter_is_in_the_matrix`, and every
other route must be in ``GATES`` (who may use it at all), so a new route cannot slip past.
Ids placed in forms, JSON bodies and query strings are tested at the end: they are ignored
(forms, queries) or refused (JSON bodies forbid unknown keys).

Each cell runs on its own copy of one prepared SQLite database, so cells are independent and
cheap (the users, shares and records are made once per module). What a fresh copy holds
(:meth:`World.snapshot`) is read once per module too (``World.fresh``, checked against a
copy by :func:`test_a_fresh_copy_is_the_prepared_database`), and each user's browser starts
with the CSRF token the prepared app gave it (an anonymous visitor with the cookie it is
bound to), as a browser with the page open would: no page fetched for it in each test.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable, Iterator, Mapping
from contextlib import closing, contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, Final

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient

from taperline.web.app import create_app
from taperline.web.auth import ANON_COOKIE, SESSION_COOKIE
from taperline.web.context import Services
from taperline.web.security import hash_token
from taperline.web.settings import Settings
from tests.support.web import PASSWORD, START, Clock, Web, checkin_form, make_site, share

KEY = "matrix-test-key-not-a-secret-0123456789abcdef"  # same key for every copy of the database
TODAY = START.date()
D0 = TODAY - timedelta(days=1)  # Ann and Bob both checked in
D1 = TODAY - timedelta(days=2)  # only Ann checked in

ANN_EMAIL = "annabel.owner@example.org"
ANN_NAME = "Annabel Zorvath"
ANN_NOTE_0 = "ann-note-0-kestrel"
ANN_NOTE_1 = "ann-note-1-heron"
ANN_CONDITION = "ann-condition-osprey"
ANN_MEDICINE = "ann-medicine-plover"
ANN_REASON = "ann-plan-reason-curlew"
ANN_MARKERS = (ANN_NAME, ANN_EMAIL, ANN_NOTE_0, ANN_NOTE_1, ANN_CONDITION, ANN_MEDICINE, ANN_REASON)

BOB_EMAIL = "bob.other@example.org"
BOB_NAME = "Bobrick Quillfeather"
BOB_NOTE = "bob-note-wren"
BOB_MARKERS = (BOB_NAME, BOB_EMAIL, BOB_NOTE)

OWNER = "owner"
OTHER = "other_patient"
SHARED = "clinician_shared"
UNSHARED = "clinician_unshared"
REVOKED = "clinician_revoked"
ANON = "anonymous"
ACTORS = (OWNER, OTHER, SHARED, UNSHARED, REVOKED, ANON)
PATIENTS = (OWNER, OTHER)
CLINICIANS = (SHARED, UNSHARED, REVOKED)
EMAILS = {
    OWNER: ANN_EMAIL,
    OTHER: BOB_EMAIL,
    SHARED: "dr.shared@example.org",
    UNSHARED: "dr.stranger@example.org",
    REVOKED: "dr.former@example.org",
}


# --- the prepared database -----------------------------------------------------------------


@dataclass(frozen=True)
class Ids:
    """The objects of the prepared database."""

    ann_pid: int
    bob_pid: int
    user_ids: Mapping[str, int]
    ann_spare_session: int  # Ann's second session (another device)
    ann_share: int  # Ann's active share with the shared clinician
    revoked_share: int  # Ann's share with the clinician she stopped sharing with
    open_invite: int  # an unused invite of the shared clinician
    plan_version: int  # the latest version of Ann's plan (active)
    ann_import: int = 0  # Ann's import of device sleep


@dataclass(frozen=True)
class Template:
    """The prepared database file, each user's session token (the anonymous visitor's
    ``ANON_COOKIE``) and CSRF token, and the ids."""

    db: Path
    tokens: Mapping[str, str]
    csrf: Mapping[str, str]
    ids: Ids


def _approve_plan(services: Services, pid: int, start: date) -> int:
    from taperline.catalogue_data import load_catalogue
    from taperline.core.plan import PlanRequest, propose
    from taperline.core.quantity import Mass
    from taperline.core.regimen import ScheduledDose
    from taperline.core.strategies import Strategy
    from taperline.service import save_plan

    request = PlanRequest(
        drug=load_catalogue().get("clonazepam"),
        regimen=(ScheduledDose(22.0, Mass.of_mg("1")),),
        start=start,
        strategy=Strategy(kind="percent", percent=Decimal(10), interval_days=14),
    )
    store = services.store
    save_plan(store, pid, propose(request), by="Dr Shared", now=START)
    return store.decide(pid, "approve", by="Dr Shared", reason=ANN_REASON, at=START).version


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    folder = tmp_path_factory.mktemp("matrix")
    with make_site(folder, secret_key=KEY) as site:
        ann = site.patient(
            ANN_EMAIL,
            display_name=ANN_NAME,
            conditions=ANN_CONDITION,
            other_medicines=ANN_MEDICINE,
        )
        spare = site.browser()
        assert spare.signin(ANN_EMAIL).status_code == 303
        bob = site.patient(BOB_EMAIL, display_name=BOB_NAME)
        doc = site.clinician(EMAILS[SHARED], display_name="Dr Shared")
        stranger = site.clinician(EMAILS[UNSHARED], display_name="Dr Stranger")
        former = site.clinician(EMAILS[REVOKED], display_name="Dr Former")
        share(site, ann, doc)
        share(site, ann, former)
        accounts = site.services.accounts
        ann_pid, bob_pid = site.person_id(ANN_EMAIL), site.person_id(BOB_EMAIL)
        shares = {s.clinician_name: s.id for s in accounts.shares_of(ann_pid)}
        revoked = ann.post(f"/sharing/{shares['Dr Former']}/revoke")
        assert revoked.status_code == 303
        assert doc.post("/clinician/invites").status_code == 200
        user_ids = {actor: _user_id(site.services, email) for actor, email in EMAILS.items()}
        (invite,) = accounts.invites_of(user_ids[SHARED], START)
        for web, day, notes, events in (
            (ann, D0, ANN_NOTE_0, ["fall"]),  # a red flag: Ann sees the crisis banner
            (ann, D1, ANN_NOTE_1, []),
            (bob, D0, BOB_NOTE, []),
        ):
            saved = web.post("/checkin", checkin_form(day, notes=notes, events=events))
            assert saved.status_code == 303, saved.text[:300]
        version = _approve_plan(site.services, ann_pid, TODAY - timedelta(days=20))
        ann_import = _device_sleep(site.services, ann_pid)
        active = accounts.sessions_of(user_ids[OWNER], active_since=START - timedelta(hours=1))
        spare_token = spare.client.cookies.get(SESSION_COOKIE)
        assert spare_token
        (spare_session,) = [s for s in active if s.token_hash == hash_token(spare_token)]
        webs = {OWNER: ann, OTHER: bob, SHARED: doc, UNSHARED: stranger, REVOKED: former}
        tokens = {
            actor: web.client.cookies.get(SESSION_COOKIE) or "" for actor, web in webs.items()
        }
        webs[ANON] = site.browser()
        csrf = {actor: web.csrf() for actor, web in webs.items()}  # the anonymous cookie too
        tokens[ANON] = webs[ANON].client.cookies.get(ANON_COOKIE) or ""
        assert all(tokens.values())
        ids = Ids(
            ann_pid=ann_pid,
            bob_pid=bob_pid,
            user_ids=user_ids,
            ann_spare_session=spare_session.id,
            ann_share=shares["Dr Shared"],
            revoked_share=shares["Dr Former"],
            open_invite=invite.id,
            plan_version=version,
            ann_import=ann_import,
        )
        site.services.store.engine.dispose()
    with closing(sqlite3.connect(folder / "web.db")) as connection:
        # Everything into the main file: a copy of the file alone is the whole database.
        (busy, _, _) = connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        assert busy == 0
    return Template(folder / "web.db", tokens, csrf, ids)


def _device_sleep(services: Services, pid: int) -> int:
    from taperline.core.device_sleep import DeviceSleepRecord

    start = START - timedelta(hours=10)
    night = DeviceSleepRecord("Watch", "", "asleep", start, start + timedelta(hours=7))
    batch = services.store.add_device_sleep(
        pid, [night], kind="sleep-csv", file_name="s.csv", file_sha256="a" * 64, now=START
    )
    assert batch is not None
    return batch.id


def _user_id(services: Services, email: str) -> int:
    found = services.accounts.credentials(email)
    assert found is not None
    return found[0].id


# --- one copy per test ---------------------------------------------------------------------


@dataclass
class World:
    """A copy of the prepared database behind a new app, and a browser for each user.

    ``fresh``: :meth:`snapshot` of a copy no request has touched (the same for every copy).
    """

    app: FastAPI
    ids: Ids
    fresh: Mapping[str, Any]
    webs: dict[str, Web] = field(default_factory=dict)

    def fresh_snapshot(self, *, include_other: bool = True) -> dict[str, Any]:
        """:meth:`snapshot` before this world's first request, read once per module."""
        return {k: v for k, v in self.fresh.items() if include_other or k != "bob"}

    @property
    def services(self) -> Services:
        found: Services = self.app.state.services
        return found

    def snapshot(self, *, include_other: bool = True) -> dict[str, Any]:
        """What a refused request must not change (audit lines aside)."""
        svc, ids = self.services, self.ids
        since = START - timedelta(hours=1)

        def person(pid: int, actor: str) -> dict[str, Any]:
            uid = ids.user_ids[actor]
            user = svc.accounts.user(uid)
            return {
                "profile": svc.store.profile(pid),
                "name": user.display_name,
                "checkins": svc.store.checkins(pid),
                "doses": svc.store.doses(pid),
                "scores": svc.store.scores(pid),
                "plans": [(p.version, p.status, p.reason) for p in svc.store.plans(pid)],
                "shares": svc.accounts.shares_of(pid),
                "sessions": [s.id for s in svc.accounts.sessions_of(uid, active_since=since)],
                "acknowledged": svc.accounts.acknowledged(pid, uid),
            }

        found = {
            "ann": person(ids.ann_pid, OWNER),
            "invites": svc.accounts.invites_of(ids.user_ids[SHARED], START),
        }
        if include_other:
            found["bob"] = person(ids.bob_pid, OTHER)
        return found


@contextmanager
def _world(template: Template, copy: Path, fresh: Mapping[str, Any]) -> Iterator[World]:
    """A copy of the prepared database at ``copy``, an app on it, a browser for each user."""
    shutil.copyfile(template.db, copy)  # checkpointed: the file is the whole database
    settings = Settings.for_tests(
        f"sqlite:///{copy}", secret_key=KEY, clock=Clock(), migrate_on_start=False
    )
    app = create_app(settings)
    clients: list[TestClient] = []
    try:
        found = World(app, template.ids, fresh)
        for actor in ACTORS:
            client = TestClient(app)
            clients.append(client)
            cookie = SESSION_COOKIE if actor != ANON else ANON_COOKIE
            client.cookies.set(cookie, template.tokens[actor])
            found.webs[actor] = Web(client, csrf_cache=template.csrf[actor])
        yield found
    finally:
        for client in clients:
            client.close()
        app.state.services.store.engine.dispose()


@pytest.fixture(scope="module")
def fresh(template: Template, tmp_path_factory: pytest.TempPathFactory) -> Mapping[str, Any]:
    """What :meth:`World.snapshot` reads on a copy of the prepared database, read once."""
    with _world(template, tmp_path_factory.mktemp("fresh") / "copy.db", {}) as found:
        return found.snapshot()


@pytest.fixture
def world(template: Template, fresh: Mapping[str, Any], tmp_path: Path) -> Iterator[World]:
    with _world(template, tmp_path / "copy.db", fresh) as found:
        yield found


# --- requests and expectations ----------------------------------------------------------------


@dataclass(frozen=True)
class Req:
    """A request: a form POST (``form``, CSRF token added), JSON, or a bare request."""

    method: str
    url: str
    form: dict[str, Any] | None = None
    json: Any = None


def send(world: World, actor: str, req: Req) -> httpx.Response:
    web = world.webs[actor]
    if req.form is not None:
        return web.post(req.url, req.form)
    kwargs: dict[str, Any] = {"follow_redirects": False}
    if req.json is not None:
        kwargs["json"] = req.json
    response: httpx.Response = web.client.request(req.method, req.url, **kwargs)
    return response


@dataclass(frozen=True)
class Expect:
    """What one user gets.

    ``status`` and, for a redirect, the start of ``location``; ``sees_ann``: the answer may
    hold Ann's data; ``changes``: the parts of :meth:`World.snapshot` the request may change
    (None: not compared, the cell's effect check says what must have happened);
    ``effect``: run the cell's effect check.
    """

    status: int
    location: str | None = None
    sees_ann: bool = False
    changes: tuple[str, ...] | None = ()
    effect: bool = False


SIGNIN_POST = Expect(303, "/signin?next=/")
SIGNIN_CLINICIAN_GET = Expect(303, "/signin?next=/clinician/patients/")
API_401 = Expect(401)
FORBIDDEN = Expect(403)
NOT_FOUND = Expect(404)
PUBLIC = Expect(200)


def _ok(status: int, location: str | None = None) -> Expect:
    """Allowed on Ann's object (a read shows her data; a write changes it)."""
    return Expect(status, location, sees_ann=True, changes=None, effect=True)


def _own(status: int, location: str | None = None, changes: str = "bob") -> Expect:
    """Allowed, but on the user's own data: Ann's stays as it was."""
    return Expect(status, location, changes=(changes,), effect=True)


Effect = Callable[[World, str, httpx.Response], None]


@dataclass(frozen=True)
class Cell:
    """One route and method of the matrix: the request and what each user gets."""

    method: str
    path: str
    request: Callable[[Ids, str], Req]
    expect: Mapping[str, Expect]
    effect: Effect | None = None

    @property
    def key(self) -> tuple[str, str]:
        return (self.method, self.path)


def _checkin_json(day: date, notes: str) -> dict[str, Any]:
    return {"date": day.isoformat(), "mood_0_10": 4, "anxiety_0_10": 6, "notes": notes}


def _builder_form() -> dict[str, str]:
    return {
        "drug": "clonazepam",
        "dose_0": "1 mg",
        "time_0": "22:00",
        "strategy": "percent",
        "percent": "10",
        "every_days": "14",
        "stabilise_days": "14",
        "start": TODAY.isoformat(),
    }


def _patient_only(owner: Expect, other: Expect, signin: Expect) -> dict[str, Expect]:
    """A patient page or API operation: on the viewer's own record, never Ann's for others."""
    return {
        OWNER: owner,
        OTHER: other,
        SHARED: FORBIDDEN,
        UNSHARED: FORBIDDEN,
        REVOKED: FORBIDDEN,
        ANON: signin,
    }


def _clinician_only(shared: Expect, signin: Expect) -> dict[str, Expect]:
    """A clinician page or API operation on Ann's record, reached only through a share."""
    return {
        OWNER: FORBIDDEN,
        OTHER: FORBIDDEN,
        SHARED: shared,
        UNSHARED: NOT_FOUND,
        REVOKED: NOT_FOUND,
        ANON: signin,
    }


# Effects of the allowed requests, checked in the database rather than on the page.


def _ann_d1_gone(world: World, actor: str, response: httpx.Response) -> None:
    days = [c.wake_date for c in world.services.store.checkins(world.ids.ann_pid)]
    assert days == [D0], days
    assert [c.notes for c in world.services.store.checkins(world.ids.bob_pid)] == [BOB_NOTE]


def _spare_session_revoked(world: World, actor: str, response: httpx.Response) -> None:
    uid = world.ids.user_ids[OWNER]
    active = world.services.accounts.sessions_of(uid, active_since=START - timedelta(hours=1))
    assert world.ids.ann_spare_session not in [s.id for s in active]
    assert active, "the session that asked must survive"
    assert world.webs[OWNER].get("/dashboard").status_code == 200


def _share_revoked(world: World, actor: str, response: httpx.Response) -> None:
    assert not world.services.accounts.can_see(world.ids.user_ids[SHARED], world.ids.ann_pid)
    assert world.webs[SHARED].get(f"/clinician/patients/{world.ids.ann_pid}").status_code == 404


def _invite_cancelled(world: World, actor: str, response: httpx.Response) -> None:
    assert world.services.accounts.invites_of(world.ids.user_ids[SHARED], START) == []
    assert world.services.accounts.can_see(world.ids.user_ids[SHARED], world.ids.ann_pid)


def _shows_ann(world: World, actor: str, response: httpx.Response) -> None:
    assert ANN_NAME in response.text  # so the leak checks of the other cells mean something


def _shows_ann_journal(world: World, actor: str, response: httpx.Response) -> None:
    assert ANN_NAME in response.text
    assert ANN_NOTE_1 in response.text
    assert ANN_REASON in response.text


def _new_version(status: str) -> Effect:
    def effect(world: World, actor: str, response: httpx.Response) -> None:
        plans = world.services.store.plans(world.ids.ann_pid)
        assert plans[-1].version == world.ids.plan_version + 1
        assert plans[-1].status == status
        assert world.services.store.plans(world.ids.bob_pid) == []

    return effect


def _api_checkin(world: World, actor: str, response: httpx.Response) -> None:
    assert response.json()["notes"] == ANN_NOTE_1


def _api_put(world: World, actor: str, response: httpx.Response) -> None:
    assert response.json()["checkin"]["notes"] == f"put by {actor}"
    pid = world.ids.ann_pid if actor == OWNER else world.ids.bob_pid
    assert world.services.store.checkin(pid, D1).notes == f"put by {actor}"


def _api_deleted(world: World, actor: str, response: httpx.Response) -> None:
    assert response.content == b""
    _ann_d1_gone(world, actor, response)


def _api_record(world: World, actor: str, response: httpx.Response) -> None:
    assert response.json()["person_id"] == world.ids.ann_pid
    assert ANN_NOTE_1 in response.text


def _api_decision(world: World, actor: str, response: httpx.Response) -> None:
    assert response.json()["version"] == world.ids.plan_version + 1
    _new_version("held")(world, actor, response)


def _sleep_window_set(world: World, actor: str, response: httpx.Response) -> None:
    weeks = world.services.store.sleep_windows(world.ids.ann_pid)
    assert [(w.time_in_bed_min, w.set_by, w.reason) for w in weeks] == [
        (360, "clinician", "matrix")
    ]
    assert world.services.store.sleep_windows(world.ids.bob_pid) == []


def _findings_switched_on(world: World, actor: str, response: httpx.Response) -> None:
    assert world.services.store.device_sleep_settings(world.ids.ann_pid).in_findings
    assert not world.services.store.device_sleep_settings(world.ids.bob_pid).in_findings


def _import_undone(world: World, actor: str, response: httpx.Response) -> None:
    (batch,) = world.services.store.device_sleep_imports(world.ids.ann_pid)
    assert batch.undone_at is not None
    assert world.services.store.device_sleep_records(world.ids.ann_pid) == []


def _job_shown(world: World, actor: str, response: httpx.Response) -> None:
    assert "ann-upload.zip" in response.text


def _ann_job(ids: Ids) -> str:
    from taperline.web.routes_device_sleep import Job, jobs

    return jobs.add(Job(ids.ann_pid, "ann-upload.zip", dry_run=True))


_PLAN_BODY: Final = {"doses": [{"amount": "1 mg", "time": "22:00"}]}


def _nothing_stored(world: World, actor: str, response: httpx.Response) -> None:
    assert response.json()["status"] == "proposed"  # a preview, never stored
    assert world.services.store.plans(world.ids.ann_pid)[-1].version == world.ids.plan_version


def _decision_url(ids: Ids, prefix: str = "/clinician") -> str:
    return f"{prefix}/patients/{ids.ann_pid}/plans/{ids.plan_version}/decision"


MATRIX: tuple[Cell, ...] = (
    Cell(
        "POST",
        "/journal/{day}/delete",
        lambda ids, actor: Req("POST", f"/journal/{D1.isoformat()}/delete", form={}),
        _patient_only(_ok(200), NOT_FOUND, SIGNIN_POST),  # the journal, with an undo
        _ann_d1_gone,
    ),
    Cell(
        "POST",
        "/account/sessions/{session_id}/revoke",
        lambda ids, actor: Req(
            "POST", f"/account/sessions/{ids.ann_spare_session}/revoke", form={}
        ),
        {
            OWNER: _ok(303, "/account?done=session-revoked"),
            OTHER: NOT_FOUND,
            SHARED: NOT_FOUND,
            UNSHARED: NOT_FOUND,
            REVOKED: NOT_FOUND,
            ANON: SIGNIN_POST,
        },
        _spare_session_revoked,
    ),
    Cell(
        "POST",
        "/sharing/{share_id}/revoke",
        lambda ids, actor: Req("POST", f"/sharing/{ids.ann_share}/revoke", form={}),
        _patient_only(_ok(303, "/sharing?done=share-revoked"), NOT_FOUND, SIGNIN_POST),
        _share_revoked,
    ),
    Cell(
        "POST",
        "/clinician/invites/{share_id}/cancel",
        lambda ids, actor: Req("POST", f"/clinician/invites/{ids.open_invite}/cancel", form={}),
        {
            OWNER: FORBIDDEN,
            OTHER: FORBIDDEN,
            SHARED: _own(303, "/clinician?done=invite-cancelled", changes="invites"),
            UNSHARED: NOT_FOUND,
            REVOKED: NOT_FOUND,
            ANON: SIGNIN_POST,
        },
        _invite_cancelled,
    ),
    Cell(
        "GET",
        "/clinician/patients/{person_id}",
        lambda ids, actor: Req("GET", f"/clinician/patients/{ids.ann_pid}"),
        _clinician_only(_ok(200), SIGNIN_CLINICIAN_GET),
        _shows_ann_journal,
    ),
    Cell(
        "POST",
        "/clinician/patients/{person_id}/plans/{version}/decision",
        lambda ids, actor: Req(
            "POST", _decision_url(ids), form={"action": "hold", "reason": "matrix hold"}
        ),
        _clinician_only(_ok(303, "/clinician/patients/"), SIGNIN_POST),
        _new_version("held"),
    ),
    Cell(
        "GET",
        "/clinician/patients/{person_id}/charts",
        lambda ids, actor: Req("GET", f"/clinician/patients/{ids.ann_pid}/charts?range=all"),
        _clinician_only(_ok(200), SIGNIN_CLINICIAN_GET),
        _shows_ann,
    ),
    Cell(
        "GET",
        "/clinician/patients/{person_id}/plan/new",
        lambda ids, actor: Req("GET", f"/clinician/patients/{ids.ann_pid}/plan/new"),
        _clinician_only(_ok(200), SIGNIN_CLINICIAN_GET),
        _shows_ann,
    ),
    Cell(
        "POST",
        "/clinician/patients/{person_id}/plans",
        lambda ids, actor: Req(
            "POST", f"/clinician/patients/{ids.ann_pid}/plans", form=_builder_form()
        ),
        _clinician_only(_ok(303, "/clinician/patients/"), SIGNIN_POST),
        _new_version("proposed"),
    ),
    Cell(
        "GET",
        "/clinician/patients/{person_id}/sleep-window",
        lambda ids, actor: Req("GET", f"/clinician/patients/{ids.ann_pid}/sleep-window"),
        _clinician_only(_ok(200), SIGNIN_CLINICIAN_GET),
        _shows_ann,
    ),
    Cell(
        "POST",
        "/clinician/patients/{person_id}/sleep-window",
        lambda ids, actor: Req(
            "POST",
            f"/clinician/patients/{ids.ann_pid}/sleep-window",
            form={"rise": "06:30", "time_in_bed_min": "360", "reason": "matrix"},
        ),
        _clinician_only(_ok(303, "/clinician/patients/"), SIGNIN_POST),
        _sleep_window_set,
    ),
    Cell(
        "GET",
        "/clinician/patients/{person_id}/device-sleep",
        lambda ids, actor: Req("GET", f"/clinician/patients/{ids.ann_pid}/device-sleep"),
        _clinician_only(_ok(200), SIGNIN_CLINICIAN_GET),
        _shows_ann,
    ),
    Cell(
        "POST",
        "/clinician/patients/{person_id}/device-sleep",
        lambda ids, actor: Req(
            "POST", f"/clinician/patients/{ids.ann_pid}/device-sleep", form={"in_findings": "1"}
        ),
        _clinician_only(_ok(303, "/clinician/patients/"), SIGNIN_POST),
        _findings_switched_on,
    ),
    Cell(
        "GET",
        "/sleep/devices/jobs/{job_id}",
        lambda ids, actor: Req("GET", f"/sleep/devices/jobs/{_ann_job(ids)}"),
        _patient_only(
            Expect(200, changes=None, effect=True),
            NOT_FOUND,
            Expect(303, "/signin?next=/sleep/devices/jobs/"),
        ),
        _job_shown,
    ),
    Cell(
        "POST",
        "/sleep/devices/imports/{import_id}/undo",
        lambda ids, actor: Req("POST", f"/sleep/devices/imports/{ids.ann_import}/undo", form={}),
        _patient_only(_ok(303, "/sleep/devices"), NOT_FOUND, SIGNIN_POST),
        _import_undone,
    ),
    Cell(
        "GET",
        "/api/checkins/{day}",
        lambda ids, actor: Req("GET", f"/api/checkins/{D1.isoformat()}"),
        _patient_only(_ok(200), NOT_FOUND, API_401),
        _api_checkin,
    ),
    Cell(
        "PUT",
        "/api/checkins/{day}",
        lambda ids, actor: Req(
            "PUT", f"/api/checkins/{D1.isoformat()}", json=_checkin_json(D1, f"put by {actor}")
        ),
        _patient_only(_ok(200), _own(200), API_401),
        _api_put,
    ),
    Cell(
        "DELETE",
        "/api/checkins/{day}",
        lambda ids, actor: Req("DELETE", f"/api/checkins/{D1.isoformat()}"),
        _patient_only(_ok(204), NOT_FOUND, API_401),
        _api_deleted,
    ),
    Cell(
        "GET",
        "/api/patients/{person_id}/record",
        lambda ids, actor: Req("GET", f"/api/patients/{ids.ann_pid}/record"),
        _clinician_only(_ok(200), API_401),
        _api_record,
    ),
    Cell(
        "POST",
        "/api/patients/{person_id}/plans/preview",
        lambda ids, actor: Req(
            "POST", f"/api/patients/{ids.ann_pid}/plans/preview", json=_PLAN_BODY
        ),
        _clinician_only(_ok(200), API_401),
        _nothing_stored,
    ),
    Cell(
        "POST",
        "/api/patients/{person_id}/plans",
        lambda ids, actor: Req("POST", f"/api/patients/{ids.ann_pid}/plans", json=_PLAN_BODY),
        _clinician_only(_ok(201), API_401),
        _new_version("proposed"),
    ),
    Cell(
        "POST",
        "/api/patients/{person_id}/plans/{version}/decision",
        lambda ids, actor: Req(
            "POST", _decision_url(ids, "/api"), json={"action": "hold", "reason": "matrix hold"}
        ),
        _clinician_only(_ok(201), API_401),
        _api_decision,
    ),
    # The calendar feed takes no session: its token is the credential, so every user gets
    # the same answer. A token that is no feed's is 404 for all; a real one, a revoked one
    # and whose data each holds: tests/test_calendar_feed_web.py.
    Cell(
        "GET",
        "/calendar/{token}.ics",
        lambda ids, actor: Req("GET", "/calendar/" + "A" * 43 + ".ics"),
        dict.fromkeys(ACTORS, NOT_FOUND),
    ),
    # Public: the object is a catalogue entry or a packaged file, nobody's data.
    Cell(
        "GET",
        "/learn/drugs/{name}",
        lambda ids, actor: Req("GET", "/learn/drugs/clonazepam"),
        dict.fromkeys(ACTORS, PUBLIC),
    ),
    Cell(
        "GET",
        "/static",
        lambda ids, actor: Req("GET", "/static/taperline.css"),
        dict.fromkeys(ACTORS, PUBLIC),
    ),
)
MATRIX_BY_KEY = {cell.key: cell for cell in MATRIX}


def _assert_no_leak(response: httpx.Response, markers: tuple[str, ...], whose: str) -> None:
    text = response.text + "\n" + "\n".join(f"{k}: {v}" for k, v in response.headers.items())
    leaked = [m for m in markers if m in text]
    assert not leaked, f"{whose} data leaked: {leaked}"


@pytest.mark.parametrize(
    ("cell", "actor"),
    [(cell, actor) for cell in MATRIX for actor in ACTORS],
    ids=[f"{cell.method} {cell.path} as {actor}" for cell in MATRIX for actor in ACTORS],
)
def test_access_matrix(world: World, cell: Cell, actor: str) -> None:
    expect = cell.expect[actor]
    before = world.fresh_snapshot()
    response = send(world, actor, cell.request(world.ids, actor))
    where = response.headers.get("location", "")
    assert response.status_code == expect.status, (response.status_code, where, response.text[:300])
    if expect.location is not None:
        assert where.startswith(expect.location), where
    if not expect.sees_ann:
        _assert_no_leak(response, ANN_MARKERS, "Ann's")
    if actor != OTHER:
        _assert_no_leak(response, BOB_MARKERS, "Bob's")
    if expect.changes is not None:
        after = world.snapshot()
        changed = sorted(k for k in before if before[k] != after[k] and k not in expect.changes)
        assert not changed, f"the request changed {changed}"
    if expect.effect:
        assert cell.effect is not None
        cell.effect(world, actor, response)


def test_a_fresh_copy_is_the_prepared_database(world: World, template: Template) -> None:
    # The other tests compare with World.fresh, read once per module: it is what this copy
    # reads before any request, and it holds what the leak and change checks look for.
    assert world.snapshot() == world.fresh
    assert [c.notes for c in world.fresh["ann"]["checkins"]] == [ANN_NOTE_1, ANN_NOTE_0]
    assert [c.notes for c in world.fresh["bob"]["checkins"]] == [BOB_NOTE]
    assert world.fresh["invites"]
    # Each browser's CSRF token is the one this copy's app gives it on a page (the
    # anonymous visitor's, bound to its cookie): a refusal is never a stale token's 403.
    for actor in ACTORS:
        web = world.webs[actor]
        web.csrf_cache = ""
        assert web.csrf() == template.csrf[actor], actor


# --- every route is classified -------------------------------------------------------------


def _app_without_database() -> FastAPI:
    return create_app(Settings.for_tests("sqlite://"))  # nothing connects until it starts


def _routes() -> list[tuple[str, str, bool]]:
    """(method, path, takes a path parameter) for every route of the app."""
    found: list[tuple[str, str, bool]] = []
    for route in iter_route_contexts(_app_without_database().routes):
        methods = sorted((route.methods or {"GET"}) - {"HEAD"})
        takes_id = bool(getattr(route, "param_convertors", {}))
        found.extend((method, str(route.path), takes_id) for method in methods)
    return found


def test_every_route_with_a_path_parameter_is_in_the_matrix() -> None:
    with_ids = {(m, p) for m, p, takes_id in _routes() if takes_id}
    missing = sorted(with_ids - set(MATRIX_BY_KEY))
    assert not missing, f"add these routes to MATRIX (who may use them, on whose object): {missing}"
    stale = sorted(set(MATRIX_BY_KEY) - with_ids)
    assert not stale, f"MATRIX lists routes the app no longer has: {stale}"
    for cell in MATRIX:
        assert set(cell.expect) == set(ACTORS), cell.key


# Who may use each route without a path parameter (ids in their bodies are tested below).
# public: anyone; auth: the sign-in and sign-up forms themselves; signed_in: any account;
# patient / clinician: that kind of account only.
GATES: Mapping[tuple[str, str], str] = {
    ("GET", "/api/openapi.json"): "public",
    ("GET", "/"): "public",
    ("GET", "/healthz"): "public",
    ("GET", "/sw.js"): "public",
    ("POST", "/theme"): "public",
    ("GET", "/signup"): "auth",
    ("POST", "/signup"): "auth",
    ("GET", "/signin"): "auth",
    ("POST", "/signin"): "auth",
    ("POST", "/signout"): "auth",
    ("GET", "/dashboard"): "patient",
    ("POST", "/doses/taken"): "patient",
    ("GET", "/checkin"): "patient",
    ("POST", "/checkin"): "patient",
    ("GET", "/journal"): "patient",
    ("POST", "/journal/doses"): "patient",
    ("POST", "/journal/doses/remove"): "patient",
    ("POST", "/journal/doses/restore"): "patient",
    ("POST", "/journal/restore"): "patient",
    ("GET", "/questionnaires"): "patient",
    ("POST", "/questionnaires"): "patient",
    ("GET", "/plan"): "patient",
    ("GET", "/charts"): "patient",
    ("POST", "/flags/acknowledge"): "patient",
    ("GET", "/sleep"): "patient",
    ("GET", "/reminders"): "patient",
    ("POST", "/reminders"): "patient",
    ("POST", "/reminders/feed"): "patient",
    ("POST", "/reminders/feed/revoke"): "patient",
    ("POST", "/sleep/start"): "patient",
    ("POST", "/sleep/review"): "patient",
    ("GET", "/sleep/devices"): "patient",
    ("POST", "/sleep/devices/upload"): "patient",
    ("POST", "/sleep/devices/source"): "patient",
    ("GET", "/learn"): "public",
    ("GET", "/learn/check"): "public",
    ("GET", "/learn/sources"): "public",
    ("GET", "/learn/sleep"): "public",
    ("GET", "/account"): "signed_in",
    ("POST", "/account/profile"): "signed_in",
    ("POST", "/account/password"): "signed_in",
    ("POST", "/account/sessions/revoke-others"): "signed_in",
    ("GET", "/account/export"): "patient",
    ("GET", "/account/export.fhir.json"): "patient",
    ("GET", "/account/report.pdf"): "patient",
    ("GET", "/account/audit"): "patient",
    ("POST", "/account/delete"): "signed_in",
    ("GET", "/sharing"): "patient",
    ("POST", "/sharing"): "patient",
    ("GET", "/clinician"): "clinician",
    ("POST", "/clinician/invites"): "clinician",
    ("GET", "/api/me"): "signed_in",
    ("GET", "/api/checkins"): "patient",
    ("POST", "/api/checkins"): "patient",
    ("GET", "/api/doses"): "patient",
    ("POST", "/api/doses"): "patient",
    ("POST", "/api/scores"): "patient",
    ("GET", "/api/scores"): "patient",
    ("GET", "/api/findings"): "patient",
    ("GET", "/api/plans"): "patient",
    ("GET", "/api/status"): "patient",
    ("GET", "/api/export"): "patient",
    ("GET", "/api/audit"): "patient",
    ("GET", "/api/patients"): "clinician",
}
NO_ID_ROUTES = [(m, p) for m, p, takes_id in _routes() if not takes_id]


def test_every_other_route_is_gated() -> None:
    missing = sorted(set(NO_ID_ROUTES) - set(GATES))
    assert not missing, f"add these routes to GATES (who may use them): {missing}"
    stale = sorted(set(GATES) - set(NO_ID_ROUTES))
    assert not stale, f"GATES lists routes the app no longer has: {stale}"


def _bare(method: str, path: str) -> Req:
    if path.startswith("/api/"):
        return Req(method, path, json={} if method != "GET" else None)
    return Req(method, path, form={} if method != "GET" else None)


@pytest.mark.parametrize(
    ("method", "path"), NO_ID_ROUTES, ids=[f"{m} {p}" for m, p in NO_ID_ROUTES]
)
def test_role_gates_and_no_leaks_on_routes_without_ids(
    world: World, method: str, path: str
) -> None:
    gate = GATES.get((method, path))
    if gate is None:
        pytest.fail(f"{method} {path} is not in GATES")
    api = path.startswith("/api/")
    req = _bare(method, path)
    signin = (
        API_401 if api else Expect(303, f"/signin?next={path}") if method == "GET" else SIGNIN_POST
    )
    denied: dict[str, Expect] = {}
    if gate in {"patient", "clinician", "signed_in"}:
        denied[ANON] = signin
    if gate == "patient":
        denied.update(dict.fromkeys(CLINICIANS, FORBIDDEN))
    if gate == "clinician":
        denied.update(dict.fromkeys(PATIENTS, FORBIDDEN))
    before = world.fresh_snapshot()
    for actor, expect in denied.items():
        response = send(world, actor, req)
        assert response.status_code == expect.status, (actor, response.status_code)
        if expect.location:
            assert response.headers["location"].startswith(expect.location), actor
        _assert_no_leak(response, ANN_MARKERS + BOB_MARKERS, actor)
    assert world.snapshot() == before, "a refused request changed something"
    if method != "GET" or gate == "auth":
        return
    # Reads by those who may: nobody sees another person's data (Ann shares with one clinician).
    for actor in (*PATIENTS, *CLINICIANS, ANON):
        if actor in denied:
            continue
        response = send(world, actor, req)
        assert response.status_code in {200, 303}, (actor, response.status_code)
        if actor not in {OWNER, SHARED}:
            _assert_no_leak(response, ANN_MARKERS, f"Ann's (to {actor})")
        if actor != OTHER:
            _assert_no_leak(response, BOB_MARKERS, f"Bob's (to {actor})")
    if (method, path) in {("GET", "/clinician"), ("GET", "/api/patients")}:
        assert ANN_NAME in send(world, SHARED, req).text  # the leak checks mean something


# --- ids in forms, JSON bodies and query strings ----------------------------------------------


def test_ids_in_forms_are_ignored(world: World) -> None:
    ids, svc = world.ids, world.services
    bob = world.webs[OTHER]
    planted = {"person_id": str(ids.ann_pid), "user_id": str(ids.user_ids[OWNER])}
    ann_before = world.fresh_snapshot(include_other=False)

    saved = bob.post("/checkin", {**checkin_form(D1, notes="bob-d1"), **planted})
    assert saved.status_code == 303
    assert svc.store.checkin(ids.bob_pid, D1).notes == "bob-d1"

    form = {"display_name": "Bob Renamed", "time_zone": "UTC", **planted}
    assert bob.post("/account/profile", form).status_code == 303
    assert svc.accounts.user(ids.user_ids[OTHER]).display_name == "Bob Renamed"

    answers = {f"item_{i}": "1" for i in range(1, 8)}
    scored = bob.post("/questionnaires", {"instrument": "GAD-7", **answers, **planted})
    assert scored.status_code == 303
    assert len(svc.store.scores(ids.bob_pid)) == 1

    # Ann has a 22:00 dose today; Bob has no plan, so there is nothing for him to log.
    dose = bob.post("/doses/taken", {"clock": "22:00", "status": "taken", **planted})
    assert dose.status_code == 404
    _assert_no_leak(dose, ANN_MARKERS, "Ann's")

    # Ann has an unacknowledged red flag; Bob's acknowledgement does not touch it.
    assert bob.post("/flags/acknowledge", {"next": "/dashboard", **planted}).status_code == 303
    assert "If you are in danger" in world.webs[OWNER].get("/dashboard").text

    spare = f"/account/sessions/{ids.ann_spare_session}/revoke"
    assert bob.post(spare, planted).status_code == 404
    assert bob.post(f"/sharing/{ids.ann_share}/revoke", planted).status_code == 404
    assert world.snapshot(include_other=False) == ann_before

    # The clinician's forms: the record is the one in the URL (and shared), never the body's.
    doc = world.webs[SHARED]
    # A new plan from the dose Ann takes today (a plan from 1 mg would be an increase).
    taken = svc.store.plans(ids.ann_pid)[-1].step_on(TODAY)
    assert taken is not None
    amount = f"{taken.daily.mg.normalize()} mg"
    body = {**_builder_form(), "dose_0": amount, "person_id": str(ids.bob_pid)}
    assert doc.post(f"/clinician/patients/{ids.ann_pid}/plans", body).status_code == 303
    decision = {"action": "approve", "reason": "agreed with Ann", "person_id": str(ids.bob_pid)}
    url = f"/clinician/patients/{ids.ann_pid}/plans/{ids.plan_version + 1}/decision"
    assert doc.post(url, decision).status_code == 303
    assert [p.status for p in svc.store.plans(ids.ann_pid)][-2:] == ["proposed", "active"]
    assert svc.store.plans(ids.bob_pid) == []
    stranger = world.webs[UNSHARED]
    cancel = {"clinician_user_id": str(ids.user_ids[SHARED])}
    assert stranger.post(f"/clinician/invites/{ids.open_invite}/cancel", cancel).status_code == 404
    assert svc.accounts.invites_of(ids.user_ids[SHARED], START) != []

    # Deleting an account deletes the asker's, whatever ids the form names.
    gone = bob.post("/account/delete", {"confirm": "DELETE", "password": PASSWORD, **planted})
    assert gone.status_code == 303
    assert svc.accounts.credentials(BOB_EMAIL) is None
    assert svc.accounts.credentials(ANN_EMAIL) is not None
    assert [c.wake_date for c in svc.store.checkins(ids.ann_pid)] == [D1, D0]
    assert world.webs[OWNER].get("/dashboard").status_code == 200


@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        ("POST", "/api/checkins", {**_checkin_json(D1, "x"), "person_id": "ANN"}),
        ("POST", "/api/checkins", {**_checkin_json(D1, "x"), "user_id": "ANN_USER"}),
        ("PUT", f"/api/checkins/{D1.isoformat()}", {**_checkin_json(D1, "x"), "person_id": "ANN"}),
        ("POST", "/api/doses", {"date": D0.isoformat(), "person_id": "ANN"}),
        (
            "POST",
            "/api/scores",
            {"instrument": "GAD-7", "date": D0.isoformat(), "items": [1] * 7, "person_id": "ANN"},
        ),
    ],
    ids=["checkin person_id", "checkin user_id", "put person_id", "dose person_id", "score"],
)
def test_ids_in_json_bodies_are_refused(world: World, method: str, url: str, body: Any) -> None:
    ids = world.ids
    planted = {
        k: ids.ann_pid if v == "ANN" else ids.user_ids[OWNER] if v == "ANN_USER" else v
        for k, v in body.items()
    }
    before = world.fresh_snapshot()
    response = send(world, OTHER, Req(method, url, json=planted))
    assert response.status_code == 422, response.text
    assert any(e["type"] == "extra_forbidden" for e in response.json()["detail"])
    _assert_no_leak(response, ANN_MARKERS, "Ann's")
    assert world.snapshot() == before


def test_ids_in_clinician_json_bodies_are_refused(world: World) -> None:
    ids = world.ids
    before = world.fresh_snapshot()
    url = f"/api/patients/{ids.ann_pid}/plans/{ids.plan_version}/decision"
    for body in (
        {"action": "hold", "reason": "x", "person_id": ids.bob_pid},
        {"action": "hold", "reason": "x", "version": ids.plan_version - 1},
    ):
        assert send(world, SHARED, Req("POST", url, json=body)).status_code == 422
    # Bob never shared with this clinician: his id in the URL is not found.
    bob_url = f"/api/patients/{ids.bob_pid}/plans/1/decision"
    hold = {"action": "hold", "reason": "x"}
    assert send(world, SHARED, Req("POST", bob_url, json=hold)).status_code == 404
    assert world.snapshot() == before


def test_ids_in_query_strings_are_ignored(world: World) -> None:
    ids = world.ids
    bob = world.webs[OTHER]
    query = f"person_id={ids.ann_pid}&user_id={ids.user_ids[OWNER]}"
    for url in (
        f"/api/checkins?{query}",
        f"/api/doses?{query}",
        f"/api/plans?{query}",
        f"/api/export?{query}",
        f"/checkin?date={D1.isoformat()}&{query}",
        f"/journal?days=365&{query}",
        f"/plan?{query}",
        f"/dashboard?{query}",
        f"/account/export?{query}",
        f"/learn/sleep?{query}",
    ):
        response = bob.get(url)
        assert response.status_code == 200, (url, response.status_code)
        _assert_no_leak(response, ANN_MARKERS, "Ann's")
    assert [c["notes"] for c in bob.get(f"/api/checkins?{query}").json()["checkins"]] == [BOB_NOTE]
    builder = world.webs[SHARED].get(f"/clinician/patients/{ids.ann_pid}/plan/new?{query}")
    assert ANN_NAME in builder.text
    _assert_no_leak(builder, BOB_MARKERS, "Bob's")


# --- sharing -------------------------------------------------------------------------------


def _clinician_requests(ids: Ids, pid: int, version: int) -> list[Req]:
    """Every clinician request of MATRIX that names a person, aimed at ``pid`` and ``version``."""
    aimed = replace(ids, ann_pid=pid, plan_version=version)
    return [cell.request(aimed, SHARED) for cell in MATRIX if "{person_id}" in cell.path]


def test_a_clinician_reaches_no_record_that_was_not_shared_with_them(world: World) -> None:
    ids = world.ids
    before = world.fresh_snapshot()
    for req in _clinician_requests(ids, ids.bob_pid, 1):
        assert f"/patients/{ids.bob_pid}" in req.url
        response = send(world, SHARED, req)
        assert response.status_code == 404, (req.method, req.url, response.status_code)
        _assert_no_leak(response, BOB_MARKERS, "Bob's")
    assert world.snapshot() == before
    listed = world.webs[SHARED].get("/api/patients").json()
    assert [p["person_id"] for p in listed] == [ids.ann_pid]


def test_once_the_share_is_revoked_the_clinician_reaches_nothing(world: World) -> None:
    ids = world.ids
    doc, ann = world.webs[SHARED], world.webs[OWNER]
    page = doc.get(f"/clinician/patients/{ids.ann_pid}")
    assert page.status_code == 200
    assert ANN_NOTE_1 in page.text
    doc.csrf()  # the clinician's page stays open in a tab, with a valid CSRF token
    assert ann.post(f"/sharing/{ids.ann_share}/revoke").status_code == 303
    before = world.snapshot()
    for req in _clinician_requests(ids, ids.ann_pid, ids.plan_version):
        response = send(world, SHARED, req)
        assert response.status_code == 404, (req.method, req.url, response.status_code)
        _assert_no_leak(response, ANN_MARKERS, "Ann's")
    for url in ("/clinician", "/api/patients", "/account", "/learn"):
        response = doc.get(url)
        assert response.status_code == 200
        _assert_no_leak(response, ANN_MARKERS, "Ann's")
    assert doc.get("/api/patients").json() == []
    assert world.snapshot() == before
    # An ended share stays ended, and cannot be ended twice.
    assert ann.post(f"/sharing/{ids.ann_share}/revoke").status_code == 404
    assert ann.post(f"/sharing/{ids.revoked_share}/revoke").status_code == 404
    former = world.webs[REVOKED]
    assert former.post(f"/clinician/invites/{ids.revoked_share}/cancel").status_code == 404
