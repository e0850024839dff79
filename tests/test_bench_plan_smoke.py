from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "bench" / "plan.py"


def test_plan_bench_runs_once_and_reports_its_figures() -> None:
    done = subprocess.run(  # our own script, with this interpreter
        [sys.executable, str(BENCH), "--repeat", "1"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    lines = done.stdout.strip().splitlines()
    number = r"\d+(?:\.\d+)?"
    pattern = rf"occupancy_plan_ms={number} compare5_ms={number} target_ms=50/500"
    assert re.fullmatch(pattern, lines[-1]), lines[-1]
    found = re.search(r"\((\d+\.\d) months\)", lines[0])
    assert found, lines[0]
    months = float(found.group(1))
    assert 17.5 <= months <= 19.5, lines[0]
