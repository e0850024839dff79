"""Benchmark: the dashboard's server time on SQLite for a year of data (issue 18, section 5).

One patient with ``--days`` days (default 365) of sleep-diary check-ins and dose log and an
approved plan (``bench/web.py``'s ``seed``), on a SQLite file. The app runs in this process
(no network, no server): each ``GET /dashboard`` is timed from the request to the whole
answer, so the figure is the server's time plus the in-process client's small share, an
upper bound of the server's own. Two kinds are measured ``--repeat`` times each:

* ``miss``: the per-process dashboard cache emptied first, so the record is read and every
  finding run, as on the first page of the day or after a check-in;
* ``hit``: the cache kept (the record's version is still checked against the database).

Target: p50 of a miss at most 20 ms. The last line is ``dashboard_days=.. miss_p50_ms=..
miss_p95_ms=.. hit_p50_ms=.. hit_p95_ms=.. bytes=.. target_ms=20``.

Usage: ``python bench/dashboard.py [--days 365] [--repeat 50]``.
"""

from __future__ import annotations

import argparse
import importlib.util
import secrets
import sys
import tempfile
import time
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


def measure(days: int, repeat: int) -> dict[str, float]:
    """Seed a database, then time the dashboard's misses and hits (ms)."""
    from fastapi.testclient import TestClient

    from taperline.web.app import create_app
    from taperline.web.auth import SESSION_COOKIE
    from taperline.web.cache import VersionedCache
    from taperline.web.settings import Settings

    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        secret_key = secrets.token_hex(32)
        (patient,) = _bench_web().seed(url, secret_key, 1, days)
        app = create_app(Settings(database_url=url, secret_key=secret_key))
        with TestClient(app, base_url="http://127.0.0.1") as client:
            client.cookies.set(SESSION_COOKIE, patient.cookie)
            services = app.state.services
            first = client.get("/dashboard")
            assert first.status_code == 200, first.text[:300]
            timings: dict[str, list[float]] = {"miss": [], "hit": []}
            for _ in range(repeat):
                for kind in ("miss", "hit"):
                    if kind == "miss":
                        object.__setattr__(services, "dashboards", VersionedCache())
                    started = time.perf_counter()
                    response = client.get("/dashboard")
                    timings[kind].append((time.perf_counter() - started) * 1000)
                    assert response.status_code == 200
    return {
        "miss_p50_ms": percentile(timings["miss"], 50),
        "miss_p95_ms": percentile(timings["miss"], 95),
        "hit_p50_ms": percentile(timings["hit"], 50),
        "hit_p95_ms": percentile(timings["hit"], 95),
        "bytes": float(len(first.content)),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=365, help="days of journal and doses")
    parser.add_argument("--repeat", type=int, default=50, help="requests of each kind")
    args = parser.parse_args(argv)
    if args.days < 1 or args.repeat < 1:
        parser.error("--days and --repeat must be positive")
    found = measure(args.days, args.repeat)
    print(
        f"dashboard_days={args.days} miss_p50_ms={found['miss_p50_ms']:.1f}"
        f" miss_p95_ms={found['miss_p95_ms']:.1f} hit_p50_ms={found['hit_p50_ms']:.1f}"
        f" hit_p95_ms={found['hit_p95_ms']:.1f} bytes={found['bytes']:.0f}"
        f" target_ms={TARGET_MS:.0f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
