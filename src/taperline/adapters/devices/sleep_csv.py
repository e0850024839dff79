"""The generic sleep CSV, for every device or app without a reader of its own.

Columns (header names as written, in any order; docs/device-sleep.md has an example):

* ``wake_date`` (YYYY-MM-DD, the date the night ended), ``in_bed`` and ``out_of_bed``
  (HH:MM, 24-hour): required;
* ``asleep`` and ``woke`` (HH:MM: fell asleep, final awakening) and/or ``asleep_min`` (the
  minutes asleep the device counted): one of the two is required; ``asleep_min`` wins when
  both are given (a device subtracts its wakes in the night; the span asleep-to-woke does not);
* ``source`` and ``device`` (text): optional; the source is "sleep CSV" when not given.

Clock times resolve across midnight as in the diary (from noon on: the evening before the
wake date) in the person's time zone. A bad row stops the import with its line number; an
unknown column, or one named twice, is refused (its cells would otherwise be dropped without
a word).
"""

from __future__ import annotations

import csv
import hashlib
import io
from datetime import date, datetime, tzinfo
from pathlib import Path
from typing import Final

from taperline.adapters.devices import ReadFile, localized
from taperline.core.device_sleep import DeviceSleepRecord
from taperline.core.journal import night_times
from taperline.errors import InputError

__all__ = ["COLUMNS", "DEFAULT_SOURCE", "REQUIRED", "read_sleep_csv"]

COLUMNS: Final = (
    "wake_date",
    "in_bed",
    "asleep",
    "woke",
    "out_of_bed",
    "asleep_min",
    "source",
    "device",
)
REQUIRED: Final = ("wake_date", "in_bed", "out_of_bed")
DEFAULT_SOURCE: Final = "sleep CSV"


def _row(cells: dict[str, str], tz: tzinfo) -> DeviceSleepRecord:
    for name in REQUIRED:
        if not cells.get(name):
            raise InputError(f"{name} is empty")
    try:
        wake = date.fromisoformat(cells["wake_date"])
    except ValueError:
        raise InputError(f"wake_date {cells['wake_date']!r} is not a date YYYY-MM-DD") from None
    asleep, woke = cells.get("asleep") or "", cells.get("woke") or ""
    times = night_times(
        wake,
        bed=cells["in_bed"],
        tried=asleep or cells["in_bed"],
        final_wake=woke or cells["out_of_bed"],
        out_of_bed=cells["out_of_bed"],
        # a device's record, measured: no 12-hour clock slipped on it, and no one to ask (a
        # night over 16 h, which a check-in asks about, is kept as the device wrote it)
        long_night_confirmed=True,
        time_zone=tz,
    )

    def at(moment: datetime) -> datetime:
        return localized(moment, tz)

    minutes_text = cells.get("asleep_min") or ""
    if minutes_text:
        if not minutes_text.isdecimal():
            raise InputError(f"asleep_min {minutes_text!r} is not a whole number of minutes")
        minutes = int(minutes_text)
    elif asleep and woke:
        seconds = at(times.final_wake).timestamp() - at(times.tried).timestamp()
        if seconds < 0:
            raise InputError(f"woke ({woke}) is before asleep ({asleep})")
        minutes = round(seconds / 60)
    else:
        raise InputError("give asleep_min, or both asleep and woke")
    return DeviceSleepRecord(
        cells.get("source") or DEFAULT_SOURCE,
        cells.get("device") or "",
        "session",
        at(times.bed),
        at(times.out_of_bed),
        asleep_min=minutes,
    )


def read_sleep_csv(path: Path, tz: tzinfo) -> ReadFile:
    """Every row of a generic sleep CSV, or an error naming the first bad line."""
    if path.is_dir():
        raise InputError(f"{path} is a folder: give the CSV file")
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"{path} is not UTF-8 text; nothing was imported") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [name.strip().lower() for name in next(reader, [])]
    unknown = [name for name in header if name not in COLUMNS]
    missing = [name for name in REQUIRED if name not in header]
    twice = sorted({name for name in header if header.count(name) > 1})
    if twice:  # a dict of the row would keep one cell and drop the other in silence
        raise InputError(
            f"{path}: line 1: column(s) {', '.join(repr(n) for n in twice)} appear more than"
            " once; name each column once; nothing was imported"
        )
    if not header or missing or unknown:
        problem = f"unknown column(s) {', '.join(unknown)}" if unknown else ""
        if missing:
            problem = f"no {', '.join(missing)} column" + (f" and {problem}" if problem else "")
        raise InputError(
            f"{path}: line 1: {problem or 'no header'}; the columns are {', '.join(COLUMNS)}"
            " (docs/device-sleep.md); nothing was imported"
        )
    records = []
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(header):
            raise InputError(f"{path}: line {reader.line_num}: more cells than columns")
        cells = {name: cell.strip() for name, cell in zip(header, row, strict=False)}
        try:
            records.append(_row(cells, tz))
        except InputError as error:
            raise InputError(
                f"{path}: line {reader.line_num}: {error}; nothing was imported"
            ) from None
    return ReadFile("sleep-csv", path.name, hashlib.sha256(data).hexdigest(), tuple(records))
