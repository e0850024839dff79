"""Sleep recorded by a watch, ring, phone or sleep app: nights beside the diary, never in it.

The diary (the Consensus Sleep Diary [CARNEY-2012]) stays the clinical record. Device sleep is
a second view, kept apart: it never fills a missing diary value, and it is compared with the
diary night by night so a clinician can see whether a bad week is in both or in one only.

The rules (docs/device-sleep.md says them for people):

* **Which night.** A record belongs to the night of the date its sleep *starts* on in the
  person's time zone, moved on a day when it starts at or after noon: the diary's rule that a
  night belongs to the date of waking, and that times from noon on are the evening before
  [CARNEY-2012]. A night that crosses midnight is one night; a daylight-saving night is as
  long as it really was (durations are measured between moments, not wall clocks).
* **One source a night (never adding minutes twice).** When several sources (a phone and a
  watch) recorded the same night, the night's numbers come from one of them: the source the
  person chose, when it recorded that night; else a source that recorded sleep (not only time
  in bed); then the source that recorded the most (the device worn most: the service counts
  all the person's stored records); then by name. The others are listed as also recording
  the night, never added.
* **Within a source.** Time in bed is the time covered by any of its records that night
  (overlapping records are counted once; a gap, such as between a nap and the night, is not
  counted). Time asleep is the time covered by its sleep stages (asleep, light or core, deep,
  REM) less the time it marked awake; a source that gives only a summary (a Fitbit CSV row,
  a generic CSV row) gives its minutes asleep. Efficiency is time asleep / time in bed.

>>> from datetime import UTC, datetime
>>> at = lambda h, m=0, d=5: datetime(2027, 1, d, h, m, tzinfo=UTC)
>>> records = [
...     DeviceSleepRecord("Watch", "", "asleep", at(23, 0, 4), at(3, 0)),
...     DeviceSleepRecord("Watch", "", "awake", at(3, 0), at(3, 30)),
...     DeviceSleepRecord("Watch", "", "asleep", at(3, 30), at(7, 0)),
...     DeviceSleepRecord("Phone", "", "in_bed", at(22, 30, 4), at(7, 15)),
... ]
>>> [(n.wake_date.isoformat(), n.source, n.in_bed_min, n.asleep_min, n.also_recorded_by)
...  for n in device_nights(records, UTC)]
[('2027-01-05', 'Watch', 480, 450, ('Phone',))]
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Final, Literal, get_args

from taperline.core.device_sleep_settings import DeviceSleepSettings
from taperline.core.journal import check_text
from taperline.core.metrics import NightMetrics
from taperline.core.series import SeriesDay
from taperline.errors import InputError

__all__ = [
    "ASLEEP_STAGES",
    "STAGES",
    "DeviceNight",
    "DeviceSleepRecord",
    "DeviceSleepSettings",
    "NightComparison",
    "Stage",
    "compare_with_diary",
    "device_nights",
    "difference_words",
    "night_of",
    "with_device_nights",
]

Stage = Literal["in_bed", "asleep", "light", "core", "deep", "rem", "awake", "session"]
#: Every stage a record may have; ``session`` is a summary (a span in bed and minutes asleep).
STAGES: Final[tuple[Stage, ...]] = get_args(Stage)
#: The stages that count as sleep.
ASLEEP_STAGES: Final = frozenset({"asleep", "light", "core", "deep", "rem"})
_NOON: Final = time(12, 0)
#: Longest record taken (a day and a half): longer is not a night's sleep but a broken file.
MAX_RECORD: Final = timedelta(hours=36)
_TEXT_MAX: Final = 200


@dataclass(frozen=True, slots=True)
class DeviceSleepRecord:
    """One record of a file: a stage (or a summary session) from ``start`` to ``end``.

    ``source`` is what recorded it ("Ann's Apple Watch", "Fitbit", "Oura via CSV"), ``device``
    the model when the file names one. Moments are timezone-aware. ``asleep_min`` is given
    for a ``session`` (a summary row) only. ``origin_id`` is the file's own id of the record,
    when it has one (a Fitbit logId).
    """

    source: str
    device: str
    stage: Stage
    start: datetime
    end: datetime
    asleep_min: int | None = None
    origin_id: str = ""

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise InputError("a device sleep record's start and end must carry their time zone")
        if self.stage not in STAGES:
            raise InputError(f"unknown sleep stage {self.stage!r}")
        if not self.source.strip() or len(self.source) > _TEXT_MAX:
            raise InputError("a device sleep record needs a source (at most 200 characters)")
        if len(self.device) > _TEXT_MAX or len(self.origin_id) > _TEXT_MAX:
            raise InputError("a device name or record id is longer than 200 characters")
        # a NUL or a lone surrogate cannot be stored (PostgreSQL refuses it inside a write)
        check_text("a device sleep record's source or device", self.source, self.device)
        check_text("a device sleep record's id", self.origin_id)
        length = self.end - self.start
        if length <= timedelta(0):
            raise InputError(
                f"a {self.stage} record from {self.start.isoformat()} ends at or before it"
                f" starts ({self.end.isoformat()})"
            )
        if length > MAX_RECORD:
            raise InputError(
                f"a {self.stage} record from {self.start.isoformat()} lasts more than 36 hours"
            )
        if (self.stage == "session") != (self.asleep_min is not None):
            raise InputError("minutes asleep are given for a summary session and only for one")
        if self.asleep_min is not None and not (
            0 <= self.asleep_min <= length.total_seconds() / 60
        ):
            raise InputError(
                f"{self.asleep_min} minutes asleep do not fit in the session from"
                f" {self.start.isoformat()} to {self.end.isoformat()}"
            )

    @property
    def key(self) -> str:
        """The record's identity: SHA-256 of source, stage, moments, minutes and id.

        Re-importing the same record, from the same file or another, finds it already there.
        """
        utc = (self.start.timestamp(), self.end.timestamp())
        text = "|".join(
            (self.source, self.stage, f"{utc[0]:.0f}", f"{utc[1]:.0f}", str(self.asleep_min))
        )
        return hashlib.sha256(f"{text}|{self.origin_id}".encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class DeviceNight:
    """One night as the chosen source recorded it (minutes are whole, rounded)."""

    wake_date: date
    source: str
    device: str
    in_bed_min: int
    asleep_min: int
    awake_min: int
    first_start: datetime
    last_end: datetime
    staged: bool
    also_recorded_by: tuple[str, ...] = ()

    @property
    def se_pct(self) -> float | None:
        """Time asleep as a percentage of time in bed (None for a night of no time in bed)."""
        return 100.0 * self.asleep_min / self.in_bed_min if self.in_bed_min else None


def night_of(start: datetime, tz: tzinfo) -> date:
    """The wake date of the night a record starting at ``start`` belongs to, in ``tz``.

    >>> from datetime import UTC
    >>> night_of(datetime(2027, 1, 4, 23, 10, tzinfo=UTC), UTC).isoformat()
    '2027-01-05'
    >>> night_of(datetime(2027, 1, 5, 1, 30, tzinfo=UTC), UTC).isoformat()
    '2027-01-05'
    """
    local = start.astimezone(tz)
    return local.date() + timedelta(days=1) if local.time() >= _NOON else local.date()


Span = tuple[float, float]


def _union(spans: Iterable[Span]) -> list[Span]:
    merged: list[Span] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _length(spans: Sequence[Span]) -> float:
    return sum(end - start for start, end in spans)


def _minus(spans: Sequence[Span], cuts: Sequence[Span]) -> float:
    """Seconds of ``spans`` (a union) outside ``cuts`` (a union)."""
    total = _length(spans)
    for start, end in spans:
        for cut_start, cut_end in cuts:
            overlap = min(end, cut_end) - max(start, cut_start)
            if overlap > 0:
                total -= overlap
    return total


def _span(record: DeviceSleepRecord) -> Span:
    return (record.start.timestamp(), record.end.timestamp())


def _night(
    wake: date, records: Sequence[DeviceSleepRecord], tz: tzinfo, others: tuple[str, ...]
) -> DeviceNight:
    covered = _union(_span(r) for r in records)
    awake = _union(_span(r) for r in records if r.stage == "awake")
    asleep_spans = _union(_span(r) for r in records if r.stage in ASLEEP_STAGES)
    sessions = [r for r in records if r.stage == "session"]
    in_bed_s = _length(covered)
    if asleep_spans:
        asleep_s = _minus(asleep_spans, awake)
    else:
        asleep_s = sum(60.0 * (r.asleep_min or 0) for r in sessions)
    asleep_s = min(asleep_s, in_bed_s)
    devices = sorted({r.device for r in records if r.device})
    return DeviceNight(
        wake,
        records[0].source,
        ", ".join(devices),
        round(in_bed_s / 60),
        round(asleep_s / 60),
        round(_length(awake) / 60),
        min(r.start for r in records).astimezone(tz),
        max(r.end for r in records).astimezone(tz),
        staged=any(r.stage in {"light", "core", "deep", "rem"} for r in records),
        also_recorded_by=others,
    )


def device_nights(
    records: Iterable[DeviceSleepRecord],
    tz: tzinfo,
    *,
    preferred_source: str | None = None,
    worn: Mapping[str, int] | None = None,
) -> tuple[DeviceNight, ...]:
    """Each night's sleep from one source, oldest first (the module's rules).

    ``tz`` is the person's time zone (the caller's ``zone(profile.time_zone)``). ``worn``
    ranks the sources for the third rule (how much each recorded: the store's count of all
    the person's records, so that every view of a night chooses alike); by default, how
    many of these nights each source recorded.
    """
    by_night: dict[date, dict[str, list[DeviceSleepRecord]]] = defaultdict(
        lambda: defaultdict(list)
    )
    unique = {record.key: record for record in records}  # a record imported twice counts once
    for record in unique.values():
        by_night[night_of(record.start, tz)][record.source].append(record)
    if worn is None:
        worn = Counter(source for sources in by_night.values() for source in sources)

    def rank(item: tuple[str, list[DeviceSleepRecord]]) -> tuple[bool, bool, int, str]:
        source, its = item
        slept = any(r.stage in ASLEEP_STAGES or r.stage == "session" for r in its)
        return (source != preferred_source, not slept, -worn.get(source, 0), source)

    nights = []
    for wake in sorted(by_night):
        ranked = sorted(by_night[wake].items(), key=rank)
        chosen = ranked[0][1]
        others = tuple(sorted(name for name, _ in ranked[1:]))
        ordered = sorted(chosen, key=lambda r: (r.start, r.end, r.stage))
        nights.append(_night(wake, ordered, tz, others))
    return tuple(nights)


@dataclass(frozen=True, slots=True)
class NightComparison:
    """One night in the diary and on the device, side by side (either may be missing)."""

    wake_date: date
    diary: NightMetrics | None
    device: DeviceNight | None

    @property
    def difference_min(self) -> int | None:
        """Device minus diary total sleep time (None unless both have the night)."""
        if self.diary is None or self.device is None:
            return None
        return self.device.asleep_min - self.diary.tst_min

    @property
    def words(self) -> str:
        """The difference in plain words (:func:`difference_words`)."""
        return difference_words(self.difference_min, diary=self.diary, device=self.device)


def difference_words(
    difference_min: int | None, *, diary: NightMetrics | None, device: DeviceNight | None
) -> str:
    """Why the device and the diary differ, in plain words (no numbers beyond the minutes).

    >>> difference_words(35, diary=None, device=None)
    'The device counted 35 min more sleep than the diary: devices count lying still awake as sleep.'
    """
    if difference_min is None:
        if device is None and diary is None:
            return ""
        if device is None:
            return "No device sleep for this night (the diary alone)."
        return "No diary for this night: the device's night is not used in its place."
    if difference_min > 0:
        return (
            f"The device counted {difference_min} min more sleep than the diary:"
            " devices count lying still awake as sleep."
        )
    if difference_min < 0:
        return (
            f"The device counted {-difference_min} min less sleep than the diary: it may not"
            " have been worn all night, or it counted restless sleep as awake."
        )
    return "The device and the diary counted the same sleep."


def compare_with_diary(
    nights: Sequence[DeviceNight], diary: Mapping[date, NightMetrics]
) -> tuple[NightComparison, ...]:
    """Every night in either, oldest first: the diary's and the device's, never merged."""
    by_date = {night.wake_date: night for night in nights}
    return tuple(
        NightComparison(day, diary.get(day), by_date.get(day))
        for day in sorted(set(by_date) | set(diary))
    )


def with_device_nights(
    days: Sequence[SeriesDay], nights: Sequence[DeviceNight]
) -> tuple[SeriesDay, ...]:
    """``days`` with each device night's hours asleep and efficiency on its wake date.

    The diary's values are left as they are: a day without a diary night keeps None there.

    >>> night = DeviceNight(date(2027, 1, 5), "Watch", "", 480, 420, 0, *[None] * 2, staged=False)
    >>> day, = with_device_nights([SeriesDay(date(2027, 1, 5))], [night])
    >>> day.slept_h, day.device_slept_h, day.device_se_pct
    (None, 7.0, 87.5)
    """
    from dataclasses import replace

    by_date = {night.wake_date: night for night in nights}
    return tuple(
        replace(day, device_slept_h=found.asleep_min / 60, device_se_pct=found.se_pct)
        if (found := by_date.get(day.day)) is not None
        else day
        for day in days
    )
