"""Benchmark: the prescriber's PDF report (issue 19, section 2).

One person with a 90-day record (a 10 %-every-14-days clonazepam taper, a check-in every day:
a full sleep diary most days, a quick check-in (an estimate of the night, no symptom
checklist) every fifth day, a flare after one cut, one missed dose, weekly PHQ-9 and GAD-7)
is put in a temporary SQLite database through the library before the clock starts. Then:

* ``taperline report --out report.pdf`` in a subprocess, the median of ``--repeat`` runs,
  next to a bare ``python -c pass`` (the interpreter floor) and WeasyPrint's floor (a bare
  interpreter that imports WeasyPrint as the report does and turns the report's own HTML,
  written before the clock starts, into the same PDF), the three interleaved in one run;
* the web download (``GET /account/report.pdf`` of the signed-in patient, in process through
  the app), cold (the first request of a new app) and warm (the median of ``--repeat`` more).

Targets: the CLI at most 2 s, the warm download at most 1 s. What the CLI takes above
WeasyPrint's floor is taperline's own (the CLI, the database, the review, the HTML); the line
before the last says how much. Bytecode is written as usual
(``PYTHONDONTWRITEBYTECODE`` is removed from the subprocesses' environment), so the runs after
the first start from cached bytecode, as an installed taperline does.
The last line is ``cli_report_s=<x> python_floor_s=<f> ratio=<x/f> web_cold_s=<c>
web_warm_s=<w> targets=2s/1s``.

Usage: ``python bench/report.py [--repeat 5] [--days 90]``
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

TARGET_CLI_S = 2.0
TARGET_WEB_WARM_S = 1.0
TODAY = date(2027, 4, 3)
NOW = datetime(2027, 4, 3, 9, 30, tzinfo=UTC)
SECRET_KEY = "bench-report-" + "k" * 40


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="median of this many runs")
    parser.add_argument("--days", type=int, default=90, help="days of record")
    return parser.parse_args()


def seed(url: str, days: int) -> tuple[int, str]:  # noqa: PLR0915 -- one linear script
    """The person's record in a new database; their id and a signed-in session's cookie."""
    from taperline.adapters.storage.accounts import Accounts
    from taperline.adapters.storage.db import make_engine, migrate
    from taperline.adapters.storage.repo import Store
    from taperline.catalogue_data import load_catalogue
    from taperline.core.instruments import score_gad7, score_phq9
    from taperline.core.journal import CheckIn, ReportedSleep, SleepDiary, night_times
    from taperline.core.plan import PlanRequest, propose
    from taperline.core.quantity import Mass
    from taperline.core.record import DoseRecord, Profile
    from taperline.core.regimen import ScheduledDose
    from taperline.core.strategies import Strategy
    from taperline.service import save_plan
    from taperline.web.security import Passwords, hash_token, new_token
    from taperline.web.settings import Settings

    engine = make_engine(url)
    migrate(engine)
    store, accounts = Store(engine), Accounts(engine)
    start = TODAY - timedelta(days=days - 1)
    plan = propose(
        PlanRequest(
            drug=load_catalogue().get("clonazepam"),
            regimen=(ScheduledDose(22.0, Mass.of_mg("1")),),
            start=start,
            strategy=Strategy(kind="percent", percent=Decimal(10), interval_days=14),
        )
    )
    pid = store.create_person(Profile("UTC", "40-64", label="Bench R"), at=NOW)
    save_plan(store, pid, plan, by="Dr Bench", now=NOW)
    store.decide(pid, "approve", by="Dr Bench", reason="bench", at=NOW)
    checkins, doses, scores = [], [], []
    for offset in range(days):
        day = start + timedelta(days=offset)
        flare = 44 <= offset <= 48
        mood, anxiety = (3, 7) if flare else (6 + offset % 2, 3 + offset % 3)
        if offset % 5 == 4:
            checkins.append(
                CheckIn(
                    day,
                    None,
                    mood,
                    anxiety,
                    reported_sleep=ReportedSleep(360 + 7 * (offset % 9), 3),
                    symptoms_rated=False,
                )
            )
        else:
            times = night_times(day, "23:00", "23:10", f"06:{offset % 50:02d}", "06:55")
            sol = 60 if flare else 10 + offset % 20
            sleep = SleepDiary(*times, sol_min=sol, waso_min=20, awakenings=1, quality=3)
            symptoms = {"anxiety": 2, "insomnia": 3, "tremor": 1} if flare else {"insomnia": 1}
            checkins.append(CheckIn(day, sleep, mood, anxiety, symptoms=symptoms))
        step = plan.steps[0]
        for s in plan.steps:
            if s.start <= day:
                step = s
        planned = Mass.of_mg(sum((d.amount.mg for d in step.doses), Decimal(0)))
        taken = datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=22, minutes=5)
        if offset == 60:
            doses.append(DoseRecord(day, "clonazepam", "22:00", planned, None, None))
        else:
            doses.append(DoseRecord(day, "clonazepam", "22:00", planned, taken, planned))
        if offset % 7 == 3:
            scores.append(score_phq9([1, 1, 1, 0, 1, 0, 1, 0, 0], taken_on=day))
            scores.append(score_gad7([1, 1, 1, 1, 0, 1, 0], taken_on=day))
    store.import_checkins(pid, checkins)
    store.import_doses(pid, doses)
    for score in scores:
        store.save_score(pid, score)
    password_hash = Passwords(Settings(database_url=url)).hash("bench password " + "x" * 8)
    user = accounts.create_user(
        email="bench-report@example.org",
        password_hash=password_hash,
        role="patient",
        display_name="Bench R",
        person_id=pid,
        now=NOW,
    )
    token = new_token()
    accounts.create_session(user.id, hash_token(token), now=NOW, user_agent="bench", address="x")
    engine.dispose()
    return pid, token


_WEASYPRINT_FLOOR = """
import sys
try:
    from taperline.adapters.report.libraries import import_weasyprint
    weasyprint = import_weasyprint()
except ImportError:  # a taperline from before adapters/report/libraries.py (an A/B run)
    import weasyprint
html = open(sys.argv[1], encoding="utf-8").read()
pdf = weasyprint.HTML(string=html).write_pdf(pdf_variant="pdf/ua-1")
open(sys.argv[2], "wb").write(pdf)
"""


def _interleaved(
    commands: dict[str, list[str]], env: dict[str, str], repeat: int
) -> dict[str, float]:
    """Each command's median wall time, run in turn ``repeat`` times (the order alternating).

    The median CPU time (user + system, child processes included) is printed beside each.
    """
    times: dict[str, list[float]] = {name: [] for name in commands}
    cpu: dict[str, list[float]] = {name: [] for name in commands}
    for round_ in range(repeat):
        names = list(commands) if round_ % 2 == 0 else list(reversed(commands))
        for name in names:
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            started = time.perf_counter()
            subprocess.run(commands[name], env=env, check=True, capture_output=True)
            times[name].append(time.perf_counter() - started)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu[name].append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    for name in commands:
        print(f"  {name}: cpu median {statistics.median(cpu[name]):.3f} s")
    return {name: statistics.median(times[name]) for name in commands}


def _report_html(url: str, person_id: int, path: Path) -> None:
    """The HTML ``taperline report`` lays out, for WeasyPrint's floor."""
    from taperline.adapters.report import report_html
    from taperline.adapters.storage.db import make_engine
    from taperline.adapters.storage.repo import Store
    from taperline.service.store import reviewed_record

    engine = make_engine(url)
    found = reviewed_record(Store(engine), person_id, now=NOW)
    html = report_html(
        found.record, found.review, start=None, end=None, today=found.today, generated_at=NOW
    )
    path.write_text(html, encoding="utf-8")
    engine.dispose()


def bench_cli(url: str, person_id: int, folder: Path, repeat: int) -> tuple[float, float, float]:
    """The median ``taperline report``, bare interpreter and WeasyPrint floor, in seconds."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(TAPERLINE_DATABASE_URL=url, TAPERLINE_NOW=NOW.isoformat())
    taperline = Path(sys.executable).with_name("taperline")
    out, html, floor_pdf = folder / "report.pdf", folder / "report.html", folder / "floor.pdf"
    _report_html(url, person_id, html)
    commands = {
        "taperline report": [str(taperline), "report", "--out", str(out)],
        "python -c pass": [sys.executable, "-c", "pass"],
        "weasyprint floor": [sys.executable, "-c", _WEASYPRINT_FLOOR, str(html), str(floor_pdf)],
    }
    for command in commands.values():
        subprocess.run(command, env=env, check=True, capture_output=True)  # bytecode cached
    medians = _interleaved(commands, env, repeat)
    assert floor_pdf.read_bytes() == out.read_bytes(), "the floor must write the same PDF"
    report, floor, weasy = medians.values()
    print(f"taperline report: median {report:.3f} s of {repeat} ({out.stat().st_size} bytes)")
    print(f"python -c pass:   median {floor:.3f} s of {repeat}")
    print(f"weasyprint floor: median {weasy:.3f} s of {repeat} (the same HTML to PDF)")
    return report, floor, weasy


def bench_web(url: str, token: str, repeat: int) -> tuple[float, float]:
    """The first download of a new app, and the median of the next ``repeat``, in seconds."""
    from fastapi.testclient import TestClient

    from taperline.web.app import create_app
    from taperline.web.auth import SESSION_COOKIE
    from taperline.web.settings import Settings

    settings = Settings(database_url=url, secret_key=SECRET_KEY, clock=lambda: NOW)
    with TestClient(create_app(settings), base_url="http://127.0.0.1") as client:
        client.cookies.set(SESSION_COOKIE, token)
        times = []
        for _ in range(repeat + 1):
            started = time.perf_counter()
            response = client.get("/account/report.pdf")
            times.append(time.perf_counter() - started)
            response.raise_for_status()
            assert response.content.startswith(b"%PDF"), response.text[:200]
    print(f"web download: cold {times[0]:.3f} s, warm median {statistics.median(times[1:]):.3f} s")
    return times[0], statistics.median(times[1:])


def main() -> int:
    args = parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/bench.db"
        person_id, token = seed(url, args.days)
        cli, floor, weasy = bench_cli(url, person_id, Path(folder), args.repeat)
        cold, warm = bench_web(url, token, args.repeat)
    print(f"weasyprint_floor_s={weasy:.3f} above_floor_s={cli - weasy:.3f}")
    print(
        f"cli_report_s={cli:.3f} python_floor_s={floor:.3f} ratio={cli / floor:.1f}"
        f" web_cold_s={cold:.3f} web_warm_s={warm:.3f}"
        f" targets={TARGET_CLI_S:g}s/{TARGET_WEB_WARM_S:g}s"
    )
    ok = cli <= TARGET_CLI_S and warm <= TARGET_WEB_WARM_S
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
