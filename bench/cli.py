"""Benchmark: the journal CLI against the library floor (issue 19, section 1).

Each measurement starts a fresh interpreter, as a person typing the command does:

* ``bare``: ``python -c pass``;
* ``floor``: Python importing what a journal command must import: click and SQLAlchemy's
  engine (``import click, sqlalchemy.engine``);
* each journal command (``status``, ``checkin``, ``findings``, ``log-dose``, ``journal list``)
  on a 90-day record with an approved plan, and ``--help`` and ``learn``.

The median of ``--repeat`` runs (default 7) of each, in one run, interleaved so a busy moment
hits all alike; the ratios are printed against the floor (journal commands: target at most
1.5x) and against the bare interpreter (``--help``, ``learn``: target at most 5x). Bytecode is
written (``PYTHONDONTWRITEBYTECODE`` is unset for the children) and warmed first.

Beside the wall-clock time, each run's CPU time (user + system, of the child) is printed with
its ratios: on a machine busy with other work the wall clock also counts the time a process
waits for a core, which the CPU time does not, so its ratios move less from run to run.

The last line is ``floor_s=<f> worst_journal_ratio=<r> worst_help_ratio=<h> targets=1.5x/5x``
followed by the same two ratios of the CPU times (``cpu_worst_journal_ratio``,
``cpu_worst_help_ratio``).

Usage: ``python bench/cli.py [--repeat 7]``
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
from pathlib import Path

JOURNAL = {
    "status": ["status"],
    "status json": ["status", "--format", "json"],
    "findings": ["findings"],
    "journal list": ["journal", "list", "--format", "json"],
    "checkin": ["checkin", "--no-ask", "--quick", "--slept", "6h30", "--quality", "3",
                "--mood", "6", "--anxiety", "4", "--key", "bench"],
    # the readiness check holds that day's cut (no clinician has answered): the amount taken
    # is the person's to say (issue 16), here the dose before the cut
    "log-dose": ["log-dose", "--date", "2027-03-30", "--time", "22:05", "--amount", "0.875 mg",
                 "--key", "bench-dose"],
}  # fmt: skip
HELP = {"--help": ["--help"], "learn": ["learn", "clonazepam"]}
NOW = "2027-03-31T08:00:00+00:00"
#: The console script a person runs (installed beside this interpreter by ``make install``).
_TAPERLINE = str(Path(sys.executable).parent / "taperline")


def _env(url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(TAPERLINE_DATABASE_URL=url, TAPERLINE_NOW=NOW)
    return env


def _seconds(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """The wall-clock and CPU (user + system) seconds of one run of ``argv``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _record(url: str) -> None:
    """A person with an approved plan from 2027-01-01 and 90 days of check-ins and doses."""
    from datetime import date, datetime, timedelta

    from taperline.core.journal import CheckIn, SleepDiary, night_times
    from taperline.core.quantity import Mass
    from taperline.core.record import DoseRecord
    from taperline.service import open_store

    env = _env(url)
    cli = [_TAPERLINE]
    plan = ["plan", "clonazepam", "--dose", "1 mg", "--at", "22:00", "--start", "2027-01-01"]
    env["TAPERLINE_NOW"] = "2026-12-31T12:00:00+00:00"
    for args in (
        ["init", "--time-zone", "Europe/London", "--no-ask"],
        [*plan, "--save"],
        ["plan", "approve", "--by", "Dr Bench", "--reason", "bench"],
    ):
        subprocess.run([*cli, *args], env=env, check=True, stdout=subprocess.DEVNULL)
    store = open_store(url)
    first = date(2027, 1, 1)
    days = [first + timedelta(days=n) for n in range(88)]
    night = {"bed": "23:00", "tried": "23:10", "final_wake": "06:40", "out_of_bed": "07:00"}
    store.import_checkins(
        1,
        [
            CheckIn(d, SleepDiary(*night_times(d, **night), 20, 10, 1, 3), mood=6, anxiety=4,
                    symptoms={"tremor": 1})
            for d in days
        ],
    )  # fmt: skip
    for d in days:
        taken = datetime.combine(d, datetime.min.time()).replace(hour=22, minute=5)
        store.log_dose(1, DoseRecord(d, "clonazepam", "22:00", None, taken, Mass.of_mg(1)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        print("making a 90-day record ...", file=sys.stderr)
        _record(url)
        env = _env(url)
        taperline = [_TAPERLINE]
        runs: dict[str, list[str]] = {
            "bare": [sys.executable, "-c", "pass"],
            "floor": [sys.executable, "-c", "import click, sqlalchemy.engine"],
            **{name: [*taperline, *a] for name, a in {**JOURNAL, **HELP}.items()},
        }
        for name, argv in runs.items():  # warm the bytecode and the page cache; check each
            done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
            if done.returncode != 0:
                sys.exit(f"{name} failed ({done.returncode}): {done.stderr.strip()[:300]}")
        times: dict[str, list[float]] = {name: [] for name in runs}
        cpu_times: dict[str, list[float]] = {name: [] for name in runs}
        for _ in range(args.repeat):
            for name, argv in runs.items():
                wall, used = _seconds(argv, env)
                times[name].append(wall)
                cpu_times[name].append(used)
    median = {name: statistics.median(values) for name, values in times.items()}
    cpu = {name: statistics.median(values) for name, values in cpu_times.items()}
    floor, bare = median["floor"], median["bare"]
    print(
        f"{'command':<14} {'median s':>9} {'x floor':>8} {'x bare':>7}"
        f" {'cpu s':>7} {'x floor':>8} {'x bare':>7}"
    )
    for name, value in median.items():
        print(
            f"{name:<14} {value:9.3f} {value / floor:8.2f} {value / bare:7.1f}"
            f" {cpu[name]:7.3f} {cpu[name] / cpu['floor']:8.2f} {cpu[name] / cpu['bare']:7.1f}"
        )
    worst_journal = max(median[name] / floor for name in JOURNAL)
    worst_help = max(median[name] / bare for name in HELP)
    cpu_journal = max(cpu[name] / cpu["floor"] for name in JOURNAL)
    cpu_help = max(cpu[name] / cpu["bare"] for name in HELP)
    print(
        f"floor_s={floor:.3f} worst_journal_ratio={worst_journal:.2f}"
        f" worst_help_ratio={worst_help:.1f} targets=1.5x/5x"
        f" cpu_worst_journal_ratio={cpu_journal:.2f} cpu_worst_help_ratio={cpu_help:.1f}"
    )


if __name__ == "__main__":
    main()
