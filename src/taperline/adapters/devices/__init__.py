"""Reading sleep from the files devices and apps export (docs/device-sleep.md).

Each reader turns one file (or a folder of them) into
:class:`~taperline.core.device_sleep.DeviceSleepRecord` s, reading the whole input before
anything is stored: a bad file raises :class:`~taperline.errors.InputError` with one line
saying what is wrong, so a failed import stores nothing. Unknown records of a known type
(a sleep value Apple adds later) are refused, not skipped.

* :mod:`.apple_health`: Apple Health ``export.zip`` / ``export.xml``, streamed.
* :mod:`.fitbit`: Fitbit / Google Takeout ``sleep-YYYY-MM-DD.json`` and the Fitbit CSV export.
* :mod:`.sleep_csv`: the generic CSV (its columns in docs/device-sleep.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Final, Literal

from taperline.core.device_sleep import DeviceSleepRecord
from taperline.errors import InputError

__all__ = ["KINDS", "Kind", "Progress", "ReadFile", "localized", "read_device_file"]

Kind = Literal["apple-health", "fitbit", "sleep-csv"]
KINDS: Final[tuple[Kind, ...]] = ("apple-health", "fitbit", "sleep-csv")
#: Called with the bytes read so far and the file's size, as a file is read.
Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class ReadFile:
    """What a file held: its records, how many entries were other data, and what was left out.

    ``left_out`` says, in words, each kind of record read but not kept (zero-length records).
    ``sha256`` is the file's (a folder's: of its files' hashes in name order).
    """

    kind: Kind
    name: str
    sha256: str
    records: tuple[DeviceSleepRecord, ...]
    other_entries: int = 0
    left_out: tuple[str, ...] = field(default=())


def localized(local: datetime, tz: tzinfo) -> datetime:
    """A file's wall-clock time (Fitbit and CSV files carry no offset) in the person's zone.

    A time in the hour skipped by a daylight-saving change reads as the offset before the
    change (Python's ``fold=0``); durations are measured between moments, so a night is as
    long as it was.
    """
    return local.replace(tzinfo=tz)


def read_device_file(
    kind: Kind, path: Path, tz: tzinfo, *, progress: Progress | None = None
) -> ReadFile:
    """Read ``path`` as ``kind``; ``tz`` is the person's zone, for files without offsets."""
    if not path.exists():
        raise InputError(f"{path}: no such file or folder")
    if kind == "apple-health":
        from taperline.adapters.devices.apple_health import read_apple_health

        return read_apple_health(path, progress=progress)
    if kind == "fitbit":
        from taperline.adapters.devices.fitbit import read_fitbit

        return read_fitbit(path, tz)
    from taperline.adapters.devices.sleep_csv import read_sleep_csv

    return read_sleep_csv(path, tz)
