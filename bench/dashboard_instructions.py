"""Benchmark: a cold dashboard's work in CPU instructions, which do not move with the machine.

``bench/dashboard.py`` times the dashboard in milliseconds against issue 18's 20 ms; on this
shared 2-core machine the same code measures 19-37 ms from one minute to the next (the host's
load, not ours). This counts instructions instead (valgrind's callgrind): the same code
gives the same count within a few per cent (Python's hash seed and memory layout vary from
run to run: 132-143 M for one version in six runs), so a change of more than that shows as
a same-run ratio (repeat it to see the spread).

What is counted: a cold dashboard as the web app builds it after a restart (the per-process
cache emptied: ``dashboard_and_flags``, the year read from SQLite and decoded, every finding,
the chart, the red flags), one person with ``--days`` days (``bench/web.py``'s ``seed``).
Each side runs twice under callgrind, with 0 and ``--misses`` cold dashboards after one warm
one (imports, compiled statements), and the difference is divided by ``--misses``: start-up
is not counted. The request around it (session, audit line, the page's template: about 3 ms
of a miss's time) is not either.

``--against REV``: the same, for the code of a git revision (a temporary worktree), on the
same database, and the ratio. Needs ``valgrind`` (Debian package ``valgrind``).

Usage: ``python bench/dashboard_instructions.py [--days 365] [--misses 4] [--against REV]``.
The last line is ``dashboard_cold_minstr=<this code> [against_minstr=<REV's> ratio=<x>]``.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

_CHILD = """
import sys
from taperline.web.app import create_app, settle_garbage_collector
from taperline.web.cache import VersionedCache
from taperline.web.records import dashboard_and_flags
from taperline.web.settings import Settings

app = create_app(Settings(database_url=sys.argv[1], secret_key="k" * 64))
settle_garbage_collector()
services = app.state.services
(person_id,) = services.store.person_ids()
dashboard_and_flags(services, person_id)  # warm: imports, compiled statements
for _ in range(int(sys.argv[2])):
    object.__setattr__(services, "dashboards", VersionedCache())
    dashboard_and_flags(services, person_id)
"""
_COLLECTED = re.compile(r"Collected : (\d+)")


def _instructions(src: Path, database: Path, misses: int, folder: Path) -> int:
    """Instructions of ``misses`` cold dashboards with the code under ``src`` (its package)."""
    counts = []
    for n in (0, misses):
        copy = folder / f"run-{n}.db"
        shutil.copy(database, copy)
        env = os.environ | {"PYTHONPATH": str(src)}
        done = subprocess.run(
            [
                "valgrind",
                "--tool=callgrind",
                "--callgrind-out-file=/dev/null",
                sys.executable,
                "-c",
                _CHILD,
                f"sqlite:///{copy}",
                str(n),
            ],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        found = _COLLECTED.search(done.stderr)
        if done.returncode != 0 or found is None:
            raise SystemExit(f"callgrind run failed ({done.returncode}): {done.stderr[-600:]}")
        counts.append(int(found.group(1)))
    return (counts[1] - counts[0]) // misses


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=365, help="days of journal and doses")
    parser.add_argument("--misses", type=int, default=4, help="cold dashboards counted")
    parser.add_argument("--against", metavar="REV", help="a git revision to compare with")
    args = parser.parse_args(argv)
    if args.days < 1 or args.misses < 1:
        parser.error("--days and --misses must be positive")
    if shutil.which("valgrind") is None:
        parser.error("valgrind is not installed (Debian: apt-get install valgrind)")
    import dashboard  # bench/dashboard.py: its seed

    root = Path(__file__).resolve().parent.parent
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        database = folder / "bench.db"
        dashboard._bench_web().seed(f"sqlite:///{database}", secrets.token_hex(32), 1, args.days)
        print(f"counting {args.misses} cold dashboards of {args.days} days...", file=sys.stderr)
        mine = _instructions(root / "src", database, args.misses, folder)
        line = f"dashboard_cold_minstr={mine / 1e6:.1f}"
        if args.against:
            other = folder / "against"
            git = ["git", "-C", str(root), "worktree"]
            subprocess.run([*git, "add", "--detach", "-q", str(other), args.against], check=True)
            try:
                theirs = _instructions(other / "src", database, args.misses, folder)
            finally:
                subprocess.run([*git, "remove", "--force", str(other)], check=False)
            line += f" against_minstr={theirs / 1e6:.1f} ratio={mine / theirs:.3f}"
    print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
