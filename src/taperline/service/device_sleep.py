"""Sleep from devices and apps: import a file, undo an import, the nights beside the diary.

An import can be a dry run (what it would import); docs/device-sleep.md has the rules.

The whole file is read and checked before anything is stored; the new records and their
batch are then written in one transaction, so a bad file or a failure stores nothing.
Device sleep never fills a missing diary value: the views keep the two side by side.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from pathlib import Path

from taperline.adapters.devices import Kind, Progress, ReadFile, read_device_file
from taperline.adapters.storage.repo import Store, zone
from taperline.adapters.storage.repo.device_sleep import DeviceImport
from taperline.core.device_sleep import (
    DeviceNight,
    DeviceSleepSettings,
    NightComparison,
    compare_with_diary,
    device_nights,
)
from taperline.core.metrics import night_metrics
from taperline.errors import InputError
from taperline.service.store import local_today

__all__ = [
    "DeviceImportResult",
    "DeviceSleepView",
    "device_nights_between",
    "device_sleep_view",
    "import_device_sleep",
    "prefer_device_source",
    "save_device_sleep_settings",
    "undo_device_import",
]


@dataclass(frozen=True, slots=True)
class DeviceImportResult:
    """What an import read, what it stored (None: nothing new, or a dry run), and its nights.

    ``nights`` are the nights of the file's new records alone (what the import adds to the
    view), the rule of one source a night applied.
    """

    read: ReadFile
    new_records: int
    batch: DeviceImport | None
    nights: tuple[DeviceNight, ...]
    dry_run: bool
    records_read: int = 0

    @property
    def already(self) -> int:
        """Records of the file already stored (from this file or another)."""
        return self.records_read - self.new_records

    def summary(self) -> DeviceImportResult:
        """This result without the file's records (what a page keeps to show it)."""
        return replace(self, read=replace(self.read, records=()))


def import_device_sleep(
    store: Store,
    person_id: int,
    kind: Kind,
    path: Path,
    *,
    now: datetime,
    dry_run: bool = False,
    progress: Progress | None = None,
    file_name: str | None = None,
) -> DeviceImportResult:
    """Read ``path`` as ``kind`` in the person's time zone and store what is new as a batch.

    ``dry_run`` reads and compares with what is stored, and stores nothing. ``file_name`` is
    the name to keep (an upload's own name; by default the path's).
    """
    profile = store.profile(person_id)
    tz = zone(profile.time_zone)
    read = read_device_file(kind, path, tz, progress=progress)
    fresh = store.device_sleep_new(person_id, read.records)
    settings = store.device_sleep_settings(person_id)
    nights = device_nights(fresh, tz, preferred_source=settings.preferred_source)
    batch = None
    if not dry_run and fresh:
        batch = store.add_device_sleep(
            person_id,
            fresh,
            kind=kind,
            file_name=file_name or read.name,
            file_sha256=read.sha256,
            now=now,
        )
    return DeviceImportResult(read, len(fresh), batch, nights, dry_run, len(read.records))


def undo_device_import(
    store: Store, person_id: int, import_id: int, *, now: datetime
) -> DeviceImport:
    """Remove an import's records (the batch stays, marked undone)."""
    return store.undo_device_sleep_import(person_id, import_id, now)


def save_device_sleep_settings(
    store: Store, person_id: int, settings: DeviceSleepSettings, *, by: str, now: datetime
) -> DeviceSleepSettings:
    """The person's preferred source, or the clinician's findings switch (``by``: who)."""
    return store.save_device_sleep_settings(person_id, settings, by=by, now=now)


def prefer_device_source(
    store: Store, person_id: int, source: str | None, *, by: str, now: datetime
) -> DeviceSleepSettings:
    """Set the source that wins nights several recorded (None: the rule's order again).

    The source must be one the person has records from (named exactly); the clinician's
    findings switch is kept as it is.

    Raises:
        InputError: no stored record has that source.
    """
    if source is not None:
        sources = store.device_sleep_sources(person_id)
        if source not in sources:
            known = ", ".join(repr(s) for s in sorted(sources)) or "none yet"
            raise InputError(f"no sleep stored from {source!r}; the sources are: {known}")
    current = store.device_sleep_settings(person_id)
    settings = DeviceSleepSettings(source, in_findings=current.in_findings)
    return store.save_device_sleep_settings(person_id, settings, by=by, now=now)


@dataclass(frozen=True, slots=True)
class DeviceSleepView:
    """The last ``days`` nights: diary and device side by side, the imports, the settings."""

    today: date
    nights: tuple[NightComparison, ...]
    imports: tuple[DeviceImport, ...]
    settings: DeviceSleepSettings
    sources: tuple[str, ...]

    @property
    def has_device_sleep(self) -> bool:
        """Whether any night in the view has device sleep."""
        return any(n.device is not None for n in self.nights)


def device_sleep_view(
    store: Store,
    person_id: int,
    *,
    now: datetime,
    days: int = 28,
) -> DeviceSleepView:
    """The person's last ``days`` nights (to their today) in the diary and on devices."""
    profile = store.profile(person_id)
    tz = zone(profile.time_zone)
    today = local_today(profile.time_zone, now)
    first = today - timedelta(days=days - 1)
    # A night's records start from noon of the evening before its first wake date.
    since = datetime.combine(first - timedelta(days=1), time(12), tzinfo=tz)
    records = store.device_sleep_records(person_id, since=since)
    settings = store.device_sleep_settings(person_id)
    worn = store.device_sleep_sources(person_id)
    nights = [
        n
        for n in device_nights(records, tz, preferred_source=settings.preferred_source, worn=worn)
        if first <= n.wake_date <= today
    ]
    diary = {
        c.wake_date: night_metrics(c.sleep)
        for c in store.checkins(person_id, first, today)
        if c.sleep is not None
    }
    compared = compare_with_diary(nights, diary)
    return DeviceSleepView(
        today,
        compared,
        tuple(store.device_sleep_imports(person_id)),
        settings,
        tuple(sorted({r.source for r in records})),
    )


def device_nights_between(
    store: Store, person_id: int, first: date, last: date
) -> tuple[DeviceNight, ...]:
    """The person's device nights with wake dates from ``first`` to ``last`` (for charts)."""
    profile = store.profile(person_id)
    tz = zone(profile.time_zone)
    since = datetime.combine(first - timedelta(days=1), time(12), tzinfo=tz)
    until = datetime.combine(last, time(12), tzinfo=tz)
    records = store.device_sleep_records(person_id, since=since)
    settings = store.device_sleep_settings(person_id)
    worn = store.device_sleep_sources(person_id)
    return tuple(
        night
        for night in device_nights(
            (r for r in records if r.start < until),
            tz,
            preferred_source=settings.preferred_source,
            worn=worn,
        )
        if first <= night.wake_date <= last
    )
