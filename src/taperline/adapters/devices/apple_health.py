"""Apple Health ``export.zip`` / ``export.xml``: the sleep records, streamed in bounded memory.

Real exports are hundreds of MB to several GB, almost all of it other data (heart rate,
steps). The XML is read in 1 MiB pieces by expat with a handler for element starts only: no
tree is built, so memory does not grow with the file (``bench/import.py`` measures it). A
zip is read member by member from disk, its ``export.xml`` decompressed as it is read.

Sleep is ``<Record type="HKCategoryTypeIdentifierSleepAnalysis" value=...>``: before iOS 16
``InBed`` and ``Asleep``; from iOS 16 also ``AsleepUnspecified``, ``AsleepCore``,
``AsleepDeep``, ``AsleepREM`` and ``Awake``. Any other sleep value is refused (a format this
code does not know), not skipped. Moments carry their UTC offset in the file.
"""

from __future__ import annotations

import hashlib
import re
import zipfile
import zlib
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import IO, Final
from xml.parsers import expat

from taperline.adapters.devices import Progress, ReadFile
from taperline.core.device_sleep import DeviceSleepRecord, Stage
from taperline.errors import InputError

__all__ = ["SLEEP_TYPE", "SLEEP_VALUES", "read_apple_health"]

SLEEP_TYPE: Final = "HKCategoryTypeIdentifierSleepAnalysis"
_PREFIX: Final = "HKCategoryValueSleepAnalysis"
#: Apple's sleep values and the stage each is.
SLEEP_VALUES: Final[dict[str, Stage]] = {
    f"{_PREFIX}InBed": "in_bed",
    f"{_PREFIX}Asleep": "asleep",  # before iOS 16
    f"{_PREFIX}AsleepUnspecified": "asleep",
    f"{_PREFIX}AsleepCore": "core",
    f"{_PREFIX}AsleepDeep": "deep",
    f"{_PREFIX}AsleepREM": "rem",
    f"{_PREFIX}Awake": "awake",
}
_CHUNK: Final = 1 << 20
_DEVICE_NAME: Final = re.compile(r"name:([^,>]*)")


def _device(text: str | None) -> str:
    """The device's name in Apple's ``<<HKDevice: 0x..>, name:Apple Watch, ...>`` text."""
    if not text:
        return ""
    found = _DEVICE_NAME.search(text)
    return found.group(1).strip()[:200] if found else ""


def _moment(text: str | None, what: str) -> datetime:
    if not text:
        raise InputError(f"a sleep record has no {what}")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise InputError(f"a sleep record's {what} {text!r} is not a date and time") from None
    if moment.tzinfo is None:
        raise InputError(f"a sleep record's {what} {text!r} has no UTC offset")
    return moment


class _Reader:
    """Expat handlers that keep the sleep records and count the rest."""

    def __init__(self) -> None:
        self.records: list[DeviceSleepRecord] = []
        self.root: str | None = None
        self.others = 0
        self.empty = 0

    def start(self, name: str, attributes: dict[str, str]) -> None:
        if self.root is None:
            self.root = name
            if name != "HealthData":
                raise InputError(f"its first element is <{name}>, not Apple Health's <HealthData>")
            return
        if name != "Record":
            return
        if attributes.get("type") != SLEEP_TYPE:
            self.others += 1
            return
        value = attributes.get("value", "")
        start = _moment(attributes.get("startDate"), "startDate")
        stage = SLEEP_VALUES.get(value)
        if stage is None:
            raise InputError(
                f"a sleep record from {start.isoformat()} has the value {value!r}, which this"
                " version of taperline does not know (a newer Apple Health format?)"
            )
        end = _moment(attributes.get("endDate"), "endDate")
        if end <= start:  # Apple writes some zero-length records: nothing to count
            self.empty += 1
            return
        self.records.append(
            DeviceSleepRecord(
                attributes.get("sourceName", "").strip()[:200] or "Apple Health",
                _device(attributes.get("device")),
                stage,
                start,
                end,
            )
        )


def _parse(
    stream: IO[bytes], size: int, progress: Progress | None, digest: Callable[[bytes], None]
) -> _Reader:
    reader = _Reader()
    parser = expat.ParserCreate()
    parser.StartElementHandler = reader.start
    done = 0
    while chunk := stream.read(_CHUNK):
        digest(chunk)
        parser.Parse(chunk, False)  # noqa: FBT003 -- expat's signature
        done += len(chunk)
        if progress is not None:
            progress(done, size)
    parser.Parse(b"", True)  # noqa: FBT003
    if reader.root is None:
        raise InputError("it is empty, not an Apple Health export")
    return reader


def _export_member(archive: zipfile.ZipFile) -> zipfile.ZipInfo:
    members = [m for m in archive.infolist() if m.filename.lower().endswith(".xml")]
    named = [m for m in members if m.filename.rsplit("/", 1)[-1].lower() == "export.xml"]
    others = [m for m in members if not m.filename.lower().endswith("export_cda.xml")]
    chosen = named or sorted(others, key=lambda m: -m.file_size)
    if not chosen:
        raise InputError("the zip holds no export.xml: it is not an Apple Health export")
    return chosen[0]


def read_apple_health(path: Path, *, progress: Progress | None = None) -> ReadFile:
    """The sleep records of an Apple Health export (a zip or its ``export.xml``)."""
    digest = hashlib.sha256()
    try:
        with path.open("rb") as raw:
            is_zip = raw.read(4) == b"PK\x03\x04"
        if is_zip:
            try:
                archive = zipfile.ZipFile(path)
            except zipfile.BadZipFile:
                raise InputError(
                    "it is not a complete zip file (truncated while copying?)"
                ) from None
            with archive:
                member = _export_member(archive)
                with archive.open(member) as stream:
                    reader = _parse(stream, member.file_size, progress, digest.update)
        else:
            with path.open("rb") as stream:
                reader = _parse(stream, path.stat().st_size, progress, digest.update)
    except expat.ExpatError as error:
        raise InputError(
            f"{path} is not a complete Apple Health export: the XML breaks at line"
            f" {error.lineno} ({expat.ErrorString(error.code)}); nothing was imported"
        ) from None
    except (zipfile.BadZipFile, zlib.error, EOFError) as error:
        raise InputError(f"{path}: the zip is damaged or truncated ({error})") from None
    except InputError as error:
        raise InputError(f"{path}: {error}; nothing was imported") from None
    left_out = (
        (f"{reader.empty} sleep record(s) that end when they start (nothing to count)",)
        if reader.empty
        else ()
    )
    return ReadFile(
        "apple-health",
        path.name,
        digest.hexdigest(),
        tuple(reader.records),
        other_entries=reader.others,
        left_out=left_out,
    )
