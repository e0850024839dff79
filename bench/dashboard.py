"""Benchmark: the dashboard's server time on SQLite for a year of data (issue 18, section 5).

One patient with ``--days`` days (default 365) of sleep-diary check-ins and dose log and an
approved plan (``bench/web.py``'s ``seed``), on a SQLite file. The app runs in this process
(no network, no server). Each ``GET /dashboard`` is timed twice: by the server, from the
moment the app is called with the request to the moment it has sent the last byte of the
answer (:class:`ServerClock`, an ASGI wrapper around the app: the figures compared with the
target), and by the client, from the call to the whole answer read (the server's time plus
the in-process test client's share: its thread hops and HTTP model, about 1-2 ms here,
printed on a line of its own). Five kinds are measured ``--repeat`` times each:

* ``miss`` (cold): the per-process dashboard cache emptied first, so the whole record is read
  and every finding run: the first dashboard of this person after a server restart (or in a
  new worker, or after the cache's 256 entries let the person go);
* ``checkin`` (after a write): the dashboard the patient is sent to after saving a check-in
  (``POST /checkin``, an edit of yesterday's, then ``GET /dashboard?done=checkin``): the
  check-ins are read again (``Store.refresh``) and the dashboard built again;
* ``dose`` (after a write): the dashboard after a dose tap (``POST /doses/taken`` as htmx
  sends it, today's 22:00 dose; the line is deleted again after the request, untimed): the
  dose log is read again and the dashboard built again;
* ``day``: the first page of a new day: the kept record is not read again (its version has
  not moved) but the dashboard is built again, every finding run (the cache's entry is put
  back as yesterday's before each request);
* ``hit``: the cache kept (the record's version is still checked against the database).

The writes' own server times (the POSTs) are reported too (``checkin_post``, ``dose_post``), so
time moved from a page into a write would show.

The process's garbage collector is set as a server process's is
(:func:`taperline.web.app.settle_garbage_collector`, as ``taperline serve`` and the uvicorn
factory do): without it, full collections walking the whole app land in a few requests.

Where a miss's time goes is measured in the same run, each part ``--repeat`` times by
itself on the same database: reading the record (``Store.record``), the dashboard's build
(``build_dashboard``: the review, every finding, timed by itself too; charts, today, the
table), the red-flag banner; a hit's time is the rest of a request (session, version, audit
line, the page's template).

Target: p50 of the server's time at most 20 ms both cold (``miss``) and after a write
(``checkin`` and ``dose``). The third line from the end gives the client's times
(``client_p50_ms miss=.. checkin=.. dose=.. day=.. hit=..``), the line before last where a
miss goes; the last line is ``dashboard_days=..
notes=.. miss_p50_ms=.. miss_p95_ms=.. checkin_p50_ms=.. checkin_p95_ms=.. dose_p50_ms=..
dose_p95_ms=.. checkin_post_p50_ms=.. dose_post_p50_ms=.. day_p50_ms=.. day_p95_ms=..
hit_p50_ms=.. hit_p95_ms=.. bytes=.. target_ms=20 miss_vs_target=<p50 / target>
write_vs_target=<the larger of checkin's and dose's p50 / target> day_vs_target=..
target=met|missed`` (met: cold and after a write both at most the target).

Usage: ``python bench/dashboard.py [--days 365] [--repeat 50] [--notes]`` (``--notes``: a
different note on each day, as a real journal has).
"""

from __future__ import annotations

import argparse
import importlib.util
import random
import secrets
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

TARGET_MS = 20.0


def _bench_web() -> Any:
    """``bench/web.py`` (its ``seed``), loaded by path: bench/ is not a package."""
    path = Path(__file__).with_name("web.py")
    spec = importlib.util.spec_from_file_location("bench_web", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_web"] = module
    spec.loader.exec_module(module)
    return module


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


class ServerClock:
    """An ASGI app around ``app`` that times each HTTP request the server answers (ms).

    From the call with the request to the return after the last ``send`` (the answer's
    last body part): what the server spends, the route's thread hop included, without the
    client's. ``last_ms`` is the latest request's time.
    """

    def __init__(self, app: Any) -> None:
        self.app = app
        self.last_ms = float("nan")

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":  # lifespan: passed through, untimed
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        await self.app(scope, receive, send)
        self.last_ms = (time.perf_counter() - started) * 1000


def measure(days: int, repeat: int, *, notes: bool = False) -> dict[str, float]:
    """Seed a database, then time each kind of dashboard, the writes and a miss's parts (ms)."""
    from fastapi.testclient import TestClient

    from taperline.web.app import create_app, settle_garbage_collector
    from taperline.web.auth import SESSION_COOKIE
    from taperline.web.cache import VersionedCache
    from taperline.web.settings import Settings

    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        secret_key = secrets.token_hex(32)
        (patient,) = _bench_web().seed(url, secret_key, 1, days, notes=notes)
        app = create_app(Settings(database_url=url, secret_key=secret_key))
        settle_garbage_collector()
        clock = ServerClock(app)
        with TestClient(clock, base_url="http://127.0.0.1") as client:
            client.cookies.set(SESSION_COOKIE, patient.cookie)
            services = app.state.services
            first = client.get("/dashboard")
            assert first.status_code == 200, first.text[:300]
            (person_id,) = services.store.person_ids()
            today = _today(services, person_id)
            kinds = ("miss", "day", "hit", "checkin", "dose", "checkin_post", "dose_post")
            timings: dict[str, list[float]] = {kind: [] for kind in kinds}
            timings |= {f"client_{kind}": [] for kind in kinds[:5]}
            for index in range(repeat):
                for kind in kinds[:5]:
                    path = "/dashboard"
                    if kind == "miss":
                        object.__setattr__(services, "dashboards", VersionedCache())
                    elif kind == "day":
                        _as_yesterdays(services, person_id)
                    elif kind == "checkin":
                        _check_in(client, patient, index)
                        timings["checkin_post"].append(clock.last_ms)
                        path = "/dashboard?done=checkin"
                    elif kind == "dose":
                        _take_dose(client, patient)
                        timings["dose_post"].append(clock.last_ms)
                    started = time.perf_counter()
                    response = client.get(path)
                    timings[f"client_{kind}"].append((time.perf_counter() - started) * 1000)
                    timings[kind].append(clock.last_ms)
                    assert response.status_code == 200
                    if kind == "dose":  # untimed: the next tap is a new line again
                        services.store.delete_dose(person_id, today, planned_clock="22:00")
            timings |= _parts(services, repeat)
    found = {
        f"{kind}_p{q}_ms": percentile(values, q)
        for kind, values in timings.items()
        for q in (50, 95)
    }
    return found | {"bytes": float(len(first.content))}


def _today(services: Any, person_id: int) -> date:
    from taperline.adapters.storage.record_version import record_version
    from taperline.service import local_today

    time_zone, _ = record_version(services.store.engine, person_id)
    return local_today(time_zone, services.now())


def _check_in(client: Any, patient: Any, index: int) -> None:
    """Save an edit of yesterday's check-in as the page does."""
    bench_web = sys.modules["bench_web"]
    job = bench_web.Job(index, "checkin-edit", 0, patient.edit_days[-1])
    form = bench_web.checkin_form(job, patient, random.Random(index))
    response = client.post("/checkin", data=form, follow_redirects=False)
    assert response.status_code == 303, response.text[:300]


def _take_dose(client: Any, patient: Any) -> None:
    """Tap today's 22:00 dose as taken, as htmx sends it."""
    form = {"csrf_token": patient.csrf, "clock": "22:00", "status": "taken"}
    response = client.post("/doses/taken", data=form, headers={"hx-request": "true"})
    assert response.status_code == 200, response.text[:300]


def _as_yesterdays(services: Any, person_id: int) -> None:
    """Put the person's cached dashboard back as made yesterday (same record version)."""
    from taperline.adapters.storage.record_version import record_version
    from taperline.service import local_today

    time_zone, version = record_version(services.store.engine, person_id)
    kept = services.dashboards.latest(person_id)
    assert kept is not None
    assert kept[0] == version
    yesterday = local_today(time_zone, services.now()) - timedelta(days=1)
    services.dashboards.put(person_id, version, yesterday, kept[1])


def _parts(services: Any, repeat: int) -> dict[str, list[float]]:
    """A miss's parts, each timed by itself ``repeat`` times: read, build, review, flags (ms)."""
    from taperline.adapters.storage.flags import red_flags_in
    from taperline.adapters.storage.record_version import record_version
    from taperline.service import local_today
    from taperline.service.store import review_as_of
    from taperline.web.views import build_dashboard

    (person_id,) = services.store.person_ids()
    time_zone, _ = record_version(services.store.engine, person_id)
    today = local_today(time_zone, services.now())
    crisis_local = services.settings.crisis_local()
    timings: dict[str, list[float]] = {"read": [], "build": [], "review": [], "flags": []}
    for _ in range(repeat):
        moments = [time.perf_counter()]
        record = services.store.record(person_id)
        moments.append(time.perf_counter())
        build_dashboard(record, today)
        moments.append(time.perf_counter())
        review_as_of(record, today)
        moments.append(time.perf_counter())
        red_flags_in(record, crisis_local, today=today)
        moments.append(time.perf_counter())
        for name, start, end in zip(timings, moments[:-1], moments[1:], strict=True):
            timings[name].append((end - start) * 1000)
    return timings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=365, help="days of journal and doses")
    parser.add_argument("--repeat", type=int, default=50, help="requests of each kind")
    parser.add_argument("--notes", action="store_true", help="a different note each day")
    args = parser.parse_args(argv)
    if args.days < 1 or args.repeat < 1:
        parser.error("--days and --repeat must be positive")
    found = measure(args.days, args.repeat, notes=args.notes)
    print(
        "client_p50_ms "
        + " ".join(
            f"{kind}={found[f'client_{kind}_p50_ms']:.1f}"
            for kind in ("miss", "checkin", "dose", "day", "hit")
        )
        + " (the server's time and the in-process client's share)"
    )
    print(
        f"miss_parts_p50_ms read={found['read_p50_ms']:.1f} build={found['build_p50_ms']:.1f}"
        f" (of which review={found['review_p50_ms']:.1f}) flags={found['flags_p50_ms']:.1f};"
        f" the rest (session, version, audit line, template) is a hit:"
        f" {found['hit_p50_ms']:.1f}"
    )
    ratio = found["miss_p50_ms"] / TARGET_MS
    write_ratio = max(found["checkin_p50_ms"], found["dose_p50_ms"]) / TARGET_MS
    print(
        f"dashboard_days={args.days} notes={'yes' if args.notes else 'no'}"
        f" miss_p50_ms={found['miss_p50_ms']:.1f} miss_p95_ms={found['miss_p95_ms']:.1f}"
        f" checkin_p50_ms={found['checkin_p50_ms']:.1f}"
        f" checkin_p95_ms={found['checkin_p95_ms']:.1f}"
        f" dose_p50_ms={found['dose_p50_ms']:.1f} dose_p95_ms={found['dose_p95_ms']:.1f}"
        f" checkin_post_p50_ms={found['checkin_post_p50_ms']:.1f}"
        f" dose_post_p50_ms={found['dose_post_p50_ms']:.1f}"
        f" day_p50_ms={found['day_p50_ms']:.1f} day_p95_ms={found['day_p95_ms']:.1f}"
        f" hit_p50_ms={found['hit_p50_ms']:.1f} hit_p95_ms={found['hit_p95_ms']:.1f}"
        f" bytes={found['bytes']:.0f} target_ms={TARGET_MS:.0f} miss_vs_target={ratio:.2f}"
        f" write_vs_target={write_ratio:.2f}"
        f" day_vs_target={found['day_p50_ms'] / TARGET_MS:.2f}"
        f" target={'met' if max(ratio, write_ratio) <= 1 else 'missed'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
