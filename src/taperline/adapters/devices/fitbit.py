"""Fitbit sleep: ``sleep-YYYY-MM-DD.json`` files (alone, in a folder or zip) and the Fitbit CSV.

A JSON file is a list of sleep logs (``logId``, ``dateOfSleep``, ``startTime``, ``endTime``,
``minutesAsleep``, ``minutesAwake``, ``levels.data[{dateTime, level, seconds}]`` and, for
stage logs, ``levels.shortData``: wakes under 3 minutes). Each log gives its time in bed
(start to end) and each level as a record: ``wake``/``awake``/``restless`` are awake,
``light``/``deep``/``rem``/``asleep`` are sleep. Its times are the person's wall clock,
without an offset: they are read in the person's time zone.

The Fitbit CSV (the account's data export) has a ``Sleep`` part with the columns ``Start
Time, End Time, Minutes Asleep, Minutes Awake, Number of Awakenings, Time in Bed, ...``: each
row is a summary (a session with its minutes asleep).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import zipfile
import zlib
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any, Final

from taperline.adapters.devices import ReadFile, localized
from taperline.core.device_sleep import DeviceSleepRecord, Stage
from taperline.errors import InputError

__all__ = ["LEVELS", "read_fitbit", "read_fitbit_csv", "read_fitbit_json"]

SOURCE: Final = "Fitbit"
#: Fitbit's sleep levels and the stage each is (stage logs, then classic logs).
LEVELS: Final[dict[str, Stage]] = {
    "wake": "awake",
    "light": "light",
    "deep": "deep",
    "rem": "rem",
    "asleep": "asleep",
    "restless": "awake",
    "awake": "awake",
}
_SLEEP_FILE: Final = re.compile(r"sleep-\d{4}-\d{2}-\d{2}\.json", re.IGNORECASE)
_CSV_TIMES: Final = ("%Y-%m-%d %I:%M%p", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S")


def _clock(text: object, where: str, tz: tzinfo) -> datetime:
    if not isinstance(text, str):
        raise InputError(f"{where} is missing")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise InputError(f"{where} {text!r} is not a date and time") from None
    return moment if moment.tzinfo is not None else localized(moment, tz)


def _record(where: str, **fields: Any) -> DeviceSleepRecord:
    try:
        return DeviceSleepRecord(SOURCE, "", **fields)
    except InputError as error:
        raise InputError(f"{where}: {error}") from None


def _log_records(log: object, where: str, tz: tzinfo) -> list[DeviceSleepRecord]:
    if not isinstance(log, dict):
        raise InputError(f"{where} is not a sleep log object")
    log_id = str(log.get("logId", ""))[:100]
    start = _clock(log.get("startTime"), f"{where}: startTime", tz)
    end = _clock(log.get("endTime"), f"{where}: endTime", tz)
    records = [_record(where, stage="in_bed", start=start, end=end, origin_id=log_id)]
    levels = log.get("levels")
    if not isinstance(levels, dict) or not isinstance(levels.get("data"), list):
        raise InputError(f"{where}: no levels.data (the stages of the night)")
    for part in ("data", "shortData"):
        entries = levels.get(part) or []
        if not isinstance(entries, list):
            raise InputError(f"{where}: levels.{part} is not a list")
        for index, entry in enumerate(entries):
            at = f"{where}: levels.{part}[{index}]"
            if not isinstance(entry, dict):
                raise InputError(f"{at} is not an object")
            stage = LEVELS.get(str(entry.get("level")))
            if stage is None:
                raise InputError(f"{at}: unknown sleep level {entry.get('level')!r}")
            seconds = entry.get("seconds")
            if not isinstance(seconds, int) or isinstance(seconds, bool) or seconds < 0:
                raise InputError(f"{at}: seconds must be a whole number")
            if seconds == 0:
                continue
            begins = _clock(entry.get("dateTime"), f"{at}: dateTime", tz)
            # The end is counted in seconds from the start: right across a clock change.
            ends = begins.timestamp() + seconds
            records.append(
                _record(
                    at,
                    stage=stage,
                    start=begins,
                    end=datetime.fromtimestamp(ends, tz),
                    origin_id=log_id,
                )
            )
    return records


def read_fitbit_json(
    path: Path, tz: tzinfo, data: bytes | None = None
) -> tuple[list[DeviceSleepRecord], bytes]:
    """The records of one ``sleep-YYYY-MM-DD.json`` and its bytes (for the import's hash).

    ``data``: the file's bytes when they were read already (a member of a zip, ``path``
    naming it as ``zip/member``).
    """
    data = path.read_bytes() if data is None else data
    try:
        logs = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InputError(f"{path} is not complete JSON ({error}); nothing was imported") from None
    if not isinstance(logs, list):
        raise InputError(
            f"{path} is not a Fitbit sleep export (a list of sleep logs); nothing was imported"
        )
    records: list[DeviceSleepRecord] = []
    try:
        for index, log in enumerate(logs):
            records.extend(_log_records(log, f"sleep log {index + 1}", tz))
    except InputError as error:
        raise InputError(f"{path}: {error}; nothing was imported") from None
    return records, data


def _csv_moment(text: str, where: str, tz: tzinfo) -> datetime:
    cleaned = " ".join(text.split()).upper().replace(" AM", "AM").replace(" PM", "PM")
    for layout in _CSV_TIMES:
        try:
            return localized(datetime.strptime(cleaned, layout), tz)  # noqa: DTZ007
        except ValueError:
            continue
    raise InputError(f"{where} {text!r} is not a date and time like 2027-01-04 11:10PM")


def read_fitbit_csv(path: Path, tz: tzinfo) -> tuple[list[DeviceSleepRecord], bytes]:
    """The sessions of the Fitbit CSV's ``Sleep`` part (or a file of that part alone)."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"{path} is not UTF-8 text; nothing was imported") from None
    rows = list(csv.reader(io.StringIO(text)))
    header_at = next(
        (
            i
            for i, row in enumerate(rows)
            if {"Start Time", "End Time", "Minutes Asleep"} <= {c.strip() for c in row}
        ),
        None,
    )
    if header_at is None:
        raise InputError(
            f"{path} has no Fitbit sleep columns (Start Time, End Time, Minutes Asleep):"
            " not a Fitbit export; nothing was imported"
        )
    names = [c.strip() for c in rows[header_at]]
    records: list[DeviceSleepRecord] = []
    for number, row in enumerate(rows[header_at + 1 :], start=header_at + 2):
        if not any(cell.strip() for cell in row) or len(row) == 1:
            break  # the end of the Sleep part
        where = f"{path}: line {number}"
        cells = dict(zip(names, (c.strip() for c in row), strict=False))
        start = _csv_moment(cells.get("Start Time", ""), f"{where}: Start Time", tz)
        end = _csv_moment(cells.get("End Time", ""), f"{where}: End Time", tz)
        asleep = cells.get("Minutes Asleep", "").replace(",", "")
        if not asleep.isdecimal():
            raise InputError(f"{where}: Minutes Asleep {asleep!r} is not a whole number")
        records.append(
            _record(where, stage="session", start=start, end=end, asleep_min=int(asleep))
        )
    return records, data


def _read_zip(path: Path, tz: tzinfo) -> ReadFile:
    """A Takeout (or Fitbit) zip: its ``sleep-*.json`` members, wherever they are in it."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = sorted(
                (
                    m
                    for m in archive.infolist()
                    if _SLEEP_FILE.fullmatch(m.filename.rsplit("/")[-1])
                ),
                key=lambda m: m.filename,
            )
            if not members:
                raise InputError(
                    f"{path} holds no sleep-YYYY-MM-DD.json files: not a Fitbit or Google"
                    " Takeout export; nothing was imported"
                )
            digest = hashlib.sha256()
            records: list[DeviceSleepRecord] = []
            for member in members:
                data = archive.read(member)
                found, _ = read_fitbit_json(path / member.filename, tz, data)
                digest.update(hashlib.sha256(data).digest())
                records.extend(found)
    except (zipfile.BadZipFile, zlib.error, EOFError) as error:
        raise InputError(
            f"{path} is not a complete zip file ({error}); nothing was imported"
        ) from None
    return ReadFile("fitbit", path.name, digest.hexdigest(), tuple(records))


def read_fitbit(path: Path, tz: tzinfo) -> ReadFile:
    """A Fitbit JSON or CSV file, a folder or a zip (Takeout) of ``sleep-*.json`` files."""
    if path.is_file():
        with path.open("rb") as head:
            zipped = head.read(4) == b"PK\x03\x04"
        if zipped:
            return _read_zip(path, tz)
    if path.is_dir():
        files = sorted(p for p in path.rglob("sleep-*.json") if p.is_file())
        if not files:
            raise InputError(
                f"{path} holds no sleep-YYYY-MM-DD.json files (Fitbit's or Google Takeout's"
                " Global Export Data folder); nothing was imported"
            )
    else:
        files = [path]
    digest = hashlib.sha256()
    records: list[DeviceSleepRecord] = []
    for file in files:
        if file.suffix.lower() == ".csv":
            found, data = read_fitbit_csv(file, tz)
        else:
            found, data = read_fitbit_json(file, tz)
        digest.update(hashlib.sha256(data).digest())
        records.extend(found)
    return ReadFile("fitbit", path.name, digest.hexdigest(), tuple(records))
