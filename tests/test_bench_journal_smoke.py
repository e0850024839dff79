"""The journal benchmark runs end to end on a few people, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "bench" / "journal.py"


def test_journal_bench_runs_on_a_few_people_and_reports_its_figures(pg_server: object) -> None:
    # pg_server makes sure PostgreSQL binaries exist (or the test fails in CI); the script
    # starts its own throwaway server the same way.
    done = subprocess.run(  # our own script, with this interpreter
        [sys.executable, str(BENCH), "--people", "4", "--repeat", "1"],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    lines = done.stdout.strip().splitlines()
    number = r"\d+(?:\.\d+)?"
    assert re.fullmatch(
        rf"one_year_ms={number} sqlite_s={number} postgresql_s={number}"
        rf" ratio_one_year={number} ratio_sqlite={number} ratio_postgresql={number}"
        r" targets=100ms/60s",
        lines[-1],
    ), lines[-1]
    findings = next(line for line in lines if line.startswith("one person-year findings"))
    for kind in ("flare", "escalation"):
        assert kind in findings, findings
    assert any(line.startswith("sqlite: 4 people") for line in lines), lines
    assert any(line.startswith("postgresql: 4 people") for line in lines), lines
