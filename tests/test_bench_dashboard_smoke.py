"""The dashboard server-time benchmark (bench/dashboard.py) runs briefly and reports its line."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench" / "dashboard.py"
NUMBER = r"\d+(?:\.\d+)?"


@pytest.mark.slow  # a database migrated and seeded: about 5 s
def test_the_dashboard_bench_reports_its_figures(capsys: pytest.CaptureFixture[str]) -> None:
    spec = importlib.util.spec_from_file_location("bench_dashboard", BENCH)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_dashboard"] = module
    spec.loader.exec_module(module)
    assert module.main(["--days", "20", "--repeat", "2", "--notes"]) == 0
    client, parts, last = capsys.readouterr().out.strip().splitlines()[-3:]
    assert re.fullmatch(
        rf"client_p50_ms miss={NUMBER} checkin={NUMBER} dose={NUMBER} day={NUMBER} hit={NUMBER}"
        r" \(the server's time and the in-process client's share\)",
        client,
    ), client
    assert re.fullmatch(
        rf"dashboard_days=20 notes=yes miss_p50_ms={NUMBER} miss_p95_ms={NUMBER}"
        rf" checkin_p50_ms={NUMBER} checkin_p95_ms={NUMBER}"
        rf" dose_p50_ms={NUMBER} dose_p95_ms={NUMBER}"
        rf" checkin_post_p50_ms={NUMBER} dose_post_p50_ms={NUMBER}"
        rf" day_p50_ms={NUMBER} day_p95_ms={NUMBER}"
        rf" hit_p50_ms={NUMBER} hit_p95_ms={NUMBER} bytes=\d+ target_ms=20"
        rf" miss_vs_target={NUMBER} write_vs_target={NUMBER} day_vs_target={NUMBER}"
        rf" target=(met|missed)",
        last,
    ), last
    assert re.match(
        rf"miss_parts_p50_ms read={NUMBER} build={NUMBER} \(of which review={NUMBER}\)"
        rf" flags={NUMBER};",
        parts,
    ), parts
