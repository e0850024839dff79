from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "bench" / "pk_population.py"


def test_population_bench_runs_small_and_reports_its_ratios() -> None:
    done = subprocess.run(
        [sys.executable, str(BENCH), "--people", "50", "--days", "10", "--ivp-sample", "1"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    last = done.stdout.strip().splitlines()[-1]
    number = r"\d+(?:\.\d+)?"
    pattern = rf"ratio_vs_solve_ivp={number} ratio_vs_floor={number} peak_rss_mb={number}"
    assert re.fullmatch(pattern, last), last
