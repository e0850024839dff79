"""Benchmark: reading an Apple Health export in bounded memory (issue 21, Tests and measures).

Writes a synthetic ``export.xml`` of ``--mb`` MB (default 400; the issue's figure is 1 GB:
``--mb 1024``) in Apple's layout: mostly heart-rate records, with a night of iOS 16 sleep
stages every 24 hours of records, as real exports are. It is written before the clock starts
(generation is not import), then read by ``taperline.adapters.devices.read_device_file`` in a
child process, whose peak resident memory (``ru_maxrss``) is compared with that of a child
that only imports the same modules: the growth is what reading the file costs. Targets: at
least 50 MB/s, peak under 200 MB whatever the file's size.

The last line is ``mb=<size> mb_per_s=<x> peak_rss_mb=<y> baseline_rss_mb=<z>
peak_per_file=<ratio> sleep_records=<n> targets=50MB/s/200MB``.

Usage: ``python bench/import.py [--mb 400] [--keep PATH]``
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # for tests.support

from tests.support.device_files import HEAD, WATCH, other_record, sleep_record

_STAGES = ("AsleepCore", "AsleepDeep", "AsleepCore", "AsleepREM", "Awake", "AsleepCore")
_READ = """
import sys, time
from datetime import UTC
from pathlib import Path
from taperline.adapters.devices import read_device_file
if sys.argv[1] != "-":
    started = time.perf_counter()
    read = read_device_file("apple-health", Path(sys.argv[1]), UTC)
    print(len(read.records), time.perf_counter() - started)
"""


def _clock(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S +0000")


def write_export(path: Path, megabytes: int) -> int:
    """Write an export of about ``megabytes`` MB; the number of sleep records in it."""
    limit = megabytes * 1024 * 1024
    moment = datetime(2024, 1, 1, tzinfo=UTC)
    sleep = 0
    with path.open("w", encoding="utf-8") as out:
        out.write(HEAD)
        written = len(HEAD)
        while written < limit:
            lines = []
            for _ in range(24 * 60):  # a day of heart rate, one a minute
                lines.append(other_record(_clock(moment)))
                moment += timedelta(minutes=1)
            bed = moment.replace(hour=23, minute=0) - timedelta(days=1)
            for index, stage in enumerate(_STAGES):
                start = bed + timedelta(minutes=80 * index)
                end = start + timedelta(minutes=80)
                lines.append(sleep_record("Watch", WATCH, stage, _clock(start), _clock(end)))
                sleep += 1
            chunk = "".join(lines)
            out.write(chunk)
            written += len(chunk)
        out.write("</HealthData>\n")
    return sleep


def _child(argument: str) -> tuple[str, float]:
    """Run the reader in a child process: its output and its peak RSS in MB."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    done = subprocess.run(  # this interpreter, our own code
        [sys.executable, "-c", _READ, argument], capture_output=True, text=True, check=True
    )
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    # ru_maxrss of children is the largest of any child so far: run the small one first.
    return done.stdout, max(peak_kb, before) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mb", type=int, default=400, help="size of the export (MB)")
    parser.add_argument("--keep", type=Path, help="write the export here and keep it")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = args.keep or Path(folder) / "export.xml"
        sleep = write_export(path, args.mb)
        size_mb = path.stat().st_size / 1024 / 1024
        _, baseline_mb = _child("-")
        out, peak_mb = _child(str(path))
    records, seconds = out.split()
    assert int(records) == sleep, (records, sleep)
    speed = size_mb / float(seconds)
    print(f"read {size_mb:.0f} MB ({sleep} sleep records) in {float(seconds):.1f} s")
    print(
        f"mb={size_mb:.0f} mb_per_s={speed:.1f} peak_rss_mb={peak_mb:.1f}"
        f" baseline_rss_mb={baseline_mb:.1f} peak_per_file={peak_mb / size_mb:.3f}"
        f" sleep_records={sleep} targets=50MB/s/200MB"
    )


if __name__ == "__main__":
    main()
