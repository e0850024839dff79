"""bench/import.py runs end to end on a small export and reports its figures (no timing here)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "bench" / "import.py"


def test_import_bench_reads_a_small_export_and_reports_its_figures() -> None:
    done = subprocess.run(  # our own script, with this interpreter
        [sys.executable, str(BENCH), "--mb", "2"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    number = r"\d+(?:\.\d+)?"
    last = done.stdout.strip().splitlines()[-1]
    assert re.fullmatch(
        rf"mb={number} mb_per_s={number} peak_rss_mb={number} baseline_rss_mb={number}"
        rf" peak_per_file={number} sleep_records=\d+ targets=50MB/s/200MB",
        last,
    ), last
