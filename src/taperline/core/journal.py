"""The daily check-in: a sleep diary, mood, anxiety, a symptom checklist, doses and events.

The sleep diary follows the Consensus Sleep Diary [CARNEY-2012]: a night belongs to the
date of waking and its clock times cross midnight. Times are naive local wall-clock
``datetime`` values in the person's own zone. The withdrawal-symptom checklist uses
taperline's own plain symptom names rated 0-3 (not CIWA-B or BWSQ item text, whose licences
are unclear). Every value is checked when it is made; a bad value raises
:class:`CheckInError` naming the field.

>>> times = night_times(date(2027, 1, 5), bed="23:10", tried="23:20", final_wake="06:30")
>>> times.bed.isoformat(), times.out_of_bed.isoformat()
('2027-01-04T23:10:00', '2027-01-05T06:45:00')
>>> diary = SleepDiary(*times, sol_min=20, waso_min=30, awakenings=2, quality=3)
>>> CheckIn(date(2027, 1, 5), diary, mood=6, anxiety=4, symptoms={"tremor": 1}).symptoms
mappingproxy({'tremor': 1})
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta, tzinfo
from itertools import pairwise
from types import MappingProxyType
from typing import Any, Final, Literal, NamedTuple, get_args

from taperline.core.quantity import Mass, fmt
from taperline.core.values import parse_clock, shown
from taperline.errors import CheckInError, LongNightError, NightSlipError, ValueFormatError

__all__ = [
    "LONGEST_UNASKED_NIGHT",
    "RED_FLAG_EVENTS",
    "SYMPTOMS",
    "CheckIn",
    "LongNightError",
    "NightTimes",
    "RedFlagEvent",
    "ReportedSleep",
    "SleepDiary",
    "TakenDose",
    "TimeOfDay",
    "check_text",
    "copied_night",
    "edited_night",
    "kept_night",
    "kept_unasked",
    "night_times",
    "same_night",
    "validate_not_future",
    "with_copies",
]

#: taperline's own withdrawal-symptom checklist (plain names, each rated 0-3).
SYMPTOMS: Final[tuple[str, ...]] = (
    "insomnia",
    "anxiety",
    "irritability",
    "tremor",
    "sweating",
    "palpitations",
    "muscle pain or stiffness",
    "headache",
    "nausea",
    "dizziness",
    "light or sound sensitivity",
    "tingling",
    "tinnitus",
    "feeling unreal",
    "low mood",
    "poor concentration",
)
SYMPTOM_MAX: Final = 3

TimeOfDay = Literal["morning", "afternoon", "evening", "night"]
TIMES_OF_DAY: Final[tuple[TimeOfDay, ...]] = get_args(TimeOfDay)

RedFlagEvent = Literal["suicidal thoughts", "seizure", "confusion", "psychosis", "fall"]
#: Events that always raise an urgent finding and a clinician flag [ASAM-2025, SEED-MINDED].
RED_FLAG_EVENTS: Final[tuple[RedFlagEvent, ...]] = get_args(RedFlagEvent)

_KNOWN_EVENTS: Final = frozenset(RED_FLAG_EVENTS)
_KNOWN_SYMPTOMS: Final = frozenset(SYMPTOMS)
_NOON: Final = time(12, 0)
#: A night longer than this from trying to sleep to the final awakening, either side of
#: noon, is asked about before it is kept: most are a 12-hour clock's slip (06:30 p.m. picked
#: for 06:30 a.m.; a short night of insomnia slipped so is 16-17 h), some a real long sleep
#: (a person ill in withdrawal), which the person confirms. A plausibility bound on typed
#: clocks, not a clinical figure.
LONGEST_UNASKED_NIGHT: Final = timedelta(hours=16)
#: Getting up is at most this long after the final awakening, after midnight too (a bound on
#: typed clocks: a rise typed before the awakening, or 19:00 for 07:00, is an error to correct).
_UP_AFTER_MIDNIGHT: Final = timedelta(hours=12)

MAX_LATENCY_MIN: Final = 720  # 12 h: any longer is a typo, not a night
MAX_AWAKENINGS: Final = 50
MAX_DRINKS: Final = 40
MAX_TIME_IN_BED: Final = timedelta(hours=24)
MAX_SHIFT_MIN: Final = 120  # the largest daylight-saving change in use is 1 h; 2 h in history
MAX_REPORTED_SLEEP_MIN: Final = 24 * 60  # a night is at most the 24 h MAX_TIME_IN_BED allows


def check_text(name: str, *values: str) -> None:
    """Refuse text that cannot be stored: a NUL character, or a lone surrogate (not UTF-8)."""
    for value in values:
        if "\x00" in value:
            raise CheckInError(f"{name} contains a NUL character; remove it")
        if type(value) is str and value.isascii():  # ASCII is valid UTF-8: no need to encode
            continue
        try:
            value.encode()
        except UnicodeEncodeError:
            raise CheckInError(f"{name} is not valid Unicode text") from None


def _hhmm(value: datetime) -> str:
    return value.strftime("%H:%M")


def _require_range(name: str, value: int, low: int, high: int) -> None:
    if type(value) is int and low <= value <= high:  # the common case, checked quickly
        return
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise CheckInError(
            f"{name} must be a whole number {low}-{high}, got {value!r}", field=name, kind="range"
        )


class NightTimes(NamedTuple):
    """The four clock times of a night, resolved to full datetimes."""

    bed: datetime
    tried: datetime
    final_wake: datetime
    out_of_bed: datetime


def _clock(name: str, clock: str) -> time:
    try:
        return parse_clock(clock)
    except ValueFormatError:
        raise CheckInError(
            f"{name} must be a clock time HH:MM (24-hour, such as 22:00), got {shown(clock)}",
            field=name,
            kind="clock",
        ) from None


def _before_waking(clock: time, final_wake: datetime) -> datetime:
    """Bed or the time tried to sleep, for a night whose final awakening is ``final_wake``."""
    if final_wake.time() < _NOON:  # the usual night: from noon on is the evening before
        day = final_wake.date() - timedelta(days=1) if clock >= _NOON else final_wake.date()
        return datetime.combine(day, clock)
    at = datetime.combine(final_wake.date(), clock)  # woken from noon on: the last such time
    return at - timedelta(days=1) if at > final_wake else at


def night_times(
    wake_date: date,
    bed: str = "23:10",
    tried: str = "23:20",
    final_wake: str = "06:30",
    out_of_bed: str = "06:45",
    *,
    long_night_confirmed: bool = False,
    time_zone: tzinfo | None = None,
) -> NightTimes:
    """Resolve HH:MM clock times of the night ending on ``wake_date`` across midnight.

    The one rule of every door (the check-in form, the CLI, the API, the journal CSV). The
    final awakening and getting out of bed are on ``wake_date`` [CARNEY-2012: the night
    belongs to the date of waking]. For a final awakening before noon, bed and the time tried
    to sleep from noon on are the evening before, earlier ones ``wake_date`` itself; for one
    from noon on (someone who works nights and sleeps from 08:00 to 15:00, or a late riser)
    they are the last such clock times at or before it. Either side of noon, more than 16 h
    from trying to sleep to the final awakening raises :class:`LongNightError` unless
    ``long_night_confirmed``: most such nights are a slip (18:30 picked for 06:30), and a
    real one the person confirms. The 16 h are the time that really passed: in the night's
    ``time_zone`` (the person's, given by the door that knows it) an hour less than the
    clocks say when they went forward in the night, one more when they went back; without
    one, the clocks' difference. Getting up is at most 12 h after the final awakening (more
    is a slip, refused), the next day when the awakening was late in the evening (woken at
    23:50, up at 00:10). Any other time typed out of order is an error to correct, never
    moved to another day.

    >>> night_times(date(2027, 1, 5), bed="00:30").bed.isoformat()
    '2027-01-05T00:30:00'
    >>> night_times(date(2027, 1, 5), bed="22:00").bed.isoformat()
    '2027-01-04T22:00:00'
    >>> [t.strftime("%d %H:%M") for t in night_times(date(2027, 1, 5), "08:00", "08:15",
    ...                                             "15:00", "15:20")]
    ['05 08:00', '05 08:15', '05 15:00', '05 15:20']
    >>> night_times(date(2027, 1, 5), "19:30", "19:40", "12:05", "12:30")
    Traceback (most recent call last):
    ...
    taperline.errors.LongNightError: final_wake (12:05) would be 16 h 25 min after \
tried (19:40): check the times (a.m. or p.m.?), or confirm a night that long
    >>> night_times(date(2027, 1, 5), "19:30", "19:40", "12:05", "12:30",
    ...             long_night_confirmed=True).tried.isoformat()
    '2027-01-04T19:40:00'
    >>> from zoneinfo import ZoneInfo  # the clocks went forward in London on 28 March 2027
    >>> night_times(date(2027, 3, 28), "19:20", "19:30", "11:50", "12:10",
    ...             time_zone=ZoneInfo("Europe/London")).tried.isoformat()  # 15 h 20 min
    '2027-03-27T19:30:00'
    >>> night_times(date(2027, 10, 31), "19:50", "20:00", "11:30", "11:45",
    ...             time_zone=ZoneInfo("Europe/London"))  # back on 31 October
    Traceback (most recent call last):
    ...
    taperline.errors.LongNightError: final_wake (11:30) would be 16 h 30 min after \
tried (20:00): check the times (a.m. or p.m.?), or confirm a night that long
    """
    final = datetime.combine(wake_date, _clock("final_wake", final_wake))
    tried_at = _before_waking(_clock("tried", tried), final)
    passed = final - tried_at - _clock_shift(tried_at, final, time_zone)
    if passed > LONGEST_UNASKED_NIGHT and not long_night_confirmed:
        slip = _slip("final_wake", final, "tried", tried_at, passed)
        raise LongNightError(f"{slip}, or confirm a night that long", tried_at, final, passed)
    out = datetime.combine(wake_date, _clock("out_of_bed", out_of_bed))
    if out < final and out + timedelta(days=1) - final <= _UP_AFTER_MIDNIGHT:
        out += timedelta(days=1)  # woken late in the evening, up after midnight
    elif out - final > _UP_AFTER_MIDNIGHT:  # "19:00" picked for 07:00
        raise _slip("out_of_bed", out, "final_wake", final)
    return NightTimes(_before_waking(_clock("bed", bed), final), tried_at, final, out)


def _clock_shift(tried: datetime, final_wake: datetime, time_zone: tzinfo | None) -> timedelta:
    """How far the clocks of ``time_zone`` went forward between two wall clocks (back: < 0)."""
    if time_zone is None:
        return timedelta(0)
    before, after = time_zone.utcoffset(tried), time_zone.utcoffset(final_wake)
    return after - before if before is not None and after is not None else timedelta(0)


def _slip(
    later_name: str,
    later: datetime,
    earlier_name: str,
    earlier: datetime,
    passed: timedelta | None = None,
) -> NightSlipError:
    """A night too long to be meant: a 12-hour clock's a.m. read as p.m.

    ``passed``: the time that really passed (the clocks' difference when not given).
    """
    span = later - earlier if passed is None else passed
    hours, minutes = divmod(int(span.total_seconds() // 60), 60)
    return NightSlipError(
        f"{later_name} ({_hhmm(later)}) would be {hours} h {minutes} min after {earlier_name}"
        f" ({_hhmm(earlier)}): check the times (a.m. or p.m.?)",
        field=later_name,
        later=later,
        earlier_field=earlier_name,
        earlier=earlier,
        span=span,
    )


@dataclass(frozen=True, slots=True)
class SleepDiary:
    """One night of the Consensus Sleep Diary [CARNEY-2012].

    ``quality`` is 1 (very poor) to 5 (very good). The sleep opportunity after trying and
    before the final awakening must hold the latency and the wake time after sleep onset.
    ``clock_shift_min`` is how far the clocks went forward in the night (negative: back),
    so that a night across a daylight-saving change counts the minutes that really passed;
    the adapter that knows the person's time zone sets it (the core has no zone data).
    ``time_zone`` (an IANA name, checked by the adapter) is the zone the night's clock times
    were read in when that is not the person's zone now: a night logged before their time
    zone changed keeps its moments (23:10 in Asia/Kathmandu is not 23:10 in London). None,
    as for every night logged in the person's own zone: the clocks are the profile's.

    >>> night = night_times(date(2027, 1, 5))
    >>> SleepDiary(*night, sol_min=300, waso_min=200, awakenings=1)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    taperline.errors.CheckInError: sol_min + waso_min (500 min) exceed the 430 min ...
    >>> there = SleepDiary(*night, sol_min=20, waso_min=0, awakenings=0,
    ...                    time_zone="Asia/Kathmandu")
    >>> there == SleepDiary(*night, sol_min=20, waso_min=0, awakenings=0)
    False
    >>> SleepDiary(*night, sol_min=20, waso_min=0, awakenings=0, time_zone="Asia Kathmandu")
    Traceback (most recent call last):
    ...
    taperline.errors.CheckInError: time_zone 'Asia Kathmandu' is not an IANA zone name
    """

    bed: datetime
    tried: datetime
    final_wake: datetime
    out_of_bed: datetime
    sol_min: int
    waso_min: int
    awakenings: int
    quality: int = 3
    clock_shift_min: int = 0
    time_zone: str | None = None

    def __post_init__(self) -> None:
        self._check_order()
        shift, sol, waso, awakenings, quality = (
            self.clock_shift_min,
            self.sol_min,
            self.waso_min,
            self.awakenings,
            self.quality,
        )
        in_range = (  # the common case, checked at once (a year of nights is read often)
            type(shift) is int
            and type(sol) is int
            and type(waso) is int
            and type(awakenings) is int
            and type(quality) is int
            and -MAX_SHIFT_MIN <= shift <= MAX_SHIFT_MIN
            and 0 <= sol <= MAX_LATENCY_MIN
            and 0 <= waso <= MAX_LATENCY_MIN
            and 0 <= awakenings <= MAX_AWAKENINGS
            and 1 <= quality <= 5  # noqa: PLR2004 -- the scale's top, as _require_range's below
        )
        if not in_range:
            _require_range("clock_shift_min", shift, -MAX_SHIFT_MIN, MAX_SHIFT_MIN)
        name = self.time_zone
        if name is not None and (not isinstance(name, str) or not name.strip() or " " in name):
            raise CheckInError(f"time_zone {name!r} is not an IANA zone name")
        if not in_range:  # find which, and say so (in the order they were always checked)
            _require_range("sol_min", sol, 0, MAX_LATENCY_MIN)
            _require_range("waso_min", waso, 0, MAX_LATENCY_MIN)
            _require_range("awakenings", awakenings, 0, MAX_AWAKENINGS)
            _require_range("quality", quality, 1, 5)
        if self.waso_min > 0 and self.awakenings == 0:
            raise CheckInError(
                "awakenings is 0 but waso_min is above 0; count the awakenings",
                field="awakenings",
                kind="no_awakenings",
            )
        window_min = (self.final_wake - self.tried).total_seconds() / 60 - self.clock_shift_min
        if self.sol_min + self.waso_min > window_min:
            raise CheckInError(
                f"sol_min + waso_min ({self.sol_min + self.waso_min} min) exceed the"
                f" {window_min:.0f} min from tried ({_hhmm(self.tried)}) to final_wake"
                f" ({_hhmm(self.final_wake)}): that would be negative sleep",
                field="waso_min",
                kind="awake_over_night",
            )

    def _check_order(self) -> None:
        bed, tried, final_wake, out_of_bed = self.bed, self.tried, self.final_wake, self.out_of_bed
        in_order = (
            type(bed) is datetime
            and type(tried) is datetime
            and type(final_wake) is datetime
            and type(out_of_bed) is datetime
            and bed <= tried <= final_wake <= out_of_bed
        )
        if not in_order:  # find what is wrong, and say so
            self._check_each_pair()
        if out_of_bed - bed > MAX_TIME_IN_BED:
            raise CheckInError(
                "out_of_bed is more than 24 h after bed; check the dates",
                field="out_of_bed",
                kind="over_24h",
            )

    def _check_each_pair(self) -> None:
        names = ("bed", "tried", "final_wake", "out_of_bed")
        for earlier, later in pairwise(names):
            first, second = getattr(self, earlier), getattr(self, later)
            if not isinstance(first, datetime) or not isinstance(second, datetime):
                raise CheckInError(f"{earlier} and {later} must be date-times")
            if second < first:
                raise CheckInError(
                    f"{later} ({_hhmm(second)}) is before {earlier} ({_hhmm(first)})",
                    field=later,
                    kind="order",
                )


@dataclass(frozen=True, slots=True)
class ReportedSleep:
    """Last night in brief, as a quick check-in asks it: about how long the person slept.

    ``asleep_min`` is the person's own estimate of their sleep, not the diary's clock times, so
    the diary's metrics that need the times (time in bed, latency, wake after sleep onset,
    efficiency) are not computed from it; ``quality`` is 1 (very poor) to 5 (very good), as in
    the diary [CARNEY-2012].

    >>> ReportedSleep(asleep_min=390, quality=3).asleep_min
    390
    >>> ReportedSleep(asleep_min=1500, quality=3)
    Traceback (most recent call last):
    ...
    taperline.errors.CheckInError: asleep_min must be a whole number 0-1440, got 1500
    """

    asleep_min: int
    quality: int

    def __post_init__(self) -> None:
        _require_range("asleep_min", self.asleep_min, 0, MAX_REPORTED_SLEEP_MIN)
        _require_range("quality", self.quality, 1, 5)


@dataclass(frozen=True, slots=True)
class TakenDose:
    """A dose taken: when (local wall clock) and how much.

    >>> fmt(TakenDose(datetime(2027, 1, 5, 22, 0), Mass.of_mg("0.5")).amount)
    '0.5 mg'
    """

    taken_at: datetime
    amount: Mass

    def __post_init__(self) -> None:
        if self.amount.mg <= 0:
            raise CheckInError(
                f"amount must be above zero, got {fmt(self.amount)} (leave a missed dose out)"
            )


@dataclass(frozen=True, slots=True)
class CheckIn:
    """One day's check-in, dated by the date of waking.

    ``sleep`` is the night that ended on ``wake_date`` (None when not filled in);
    ``reported_sleep`` is that night in brief instead (a quick check-in: the person's estimate
    of their sleep, no clock times), never both; ``doses`` are the doses taken on
    ``wake_date``; ``symptoms`` maps checklist names to 0-3 (missing names count as 0) when
    ``symptoms_rated``; a check-in whose checklist was not asked (a quick one) has
    ``symptoms_rated`` false and no ratings: it has no symptom score, rather than a score of
    zeros. ``events`` holds red-flag events of the day. ``substances_asked`` is false when the
    day's caffeine, alcohol and opioid use were not asked (a quick check-in): the counts are
    then 0 and ``opioid_use`` false only as placeholders, never shown or exported as the
    person's answer (an honest "not asked", not "none").
    ``sleep_copied_from`` and ``symptoms_copied_from`` are the earlier check-in's date when
    the person chose "same as last night" for that section and kept it as it was: a copy is
    marked as a copy, in the record, the journal and the clinician's view.

    >>> CheckIn(date(2027, 1, 5), None, mood=11, anxiety=0)
    Traceback (most recent call last):
    ...
    taperline.errors.CheckInError: mood must be a whole number 0-10, got 11
    """

    wake_date: date
    sleep: SleepDiary | None
    mood: int
    anxiety: int
    symptoms: Mapping[str, int] = field(default_factory=dict, hash=False)
    worst_time: TimeOfDay | None = None
    doses: tuple[TakenDose, ...] = ()
    caffeine_drinks: int = 0
    alcohol_drinks: int = 0
    opioid_use: bool = False
    events: frozenset[RedFlagEvent] = frozenset()
    notes: str = ""
    sleep_copied_from: date | None = None
    symptoms_copied_from: date | None = None
    reported_sleep: ReportedSleep | None = None
    symptoms_rated: bool = True
    substances_asked: bool = True

    def __post_init__(self) -> None:
        mood, anxiety, caffeine, alcohol = (
            self.mood,
            self.anxiety,
            self.caffeine_drinks,
            self.alcohol_drinks,
        )
        in_range = (  # the common case, checked at once (a year of check-ins is read often)
            type(mood) is int
            and type(anxiety) is int
            and type(caffeine) is int
            and type(alcohol) is int
            and 0 <= mood <= 10  # noqa: PLR2004 -- the scale's top, as _require_range's below
            and 0 <= anxiety <= 10  # noqa: PLR2004 -- the same
            and 0 <= caffeine <= MAX_DRINKS
            and 0 <= alcohol <= MAX_DRINKS
        )
        if not in_range:  # find which, and say so
            _require_range("mood", mood, 0, 10)
            _require_range("anxiety", anxiety, 0, 10)
            _require_range("caffeine_drinks", caffeine, 0, MAX_DRINKS)
            _require_range("alcohol_drinks", alcohol, 0, MAX_DRINKS)
        self._check_sleep()
        self._check_symptoms()
        self._check_substances()
        if self.worst_time is not None and self.worst_time not in TIMES_OF_DAY:
            raise CheckInError(
                f"worst_time {self.worst_time!r} is unknown: use one of {', '.join(TIMES_OF_DAY)}"
            )
        events = self.events
        if type(events) is not frozenset:
            events = frozenset(events)
            object.__setattr__(self, "events", events)
        if not events <= _KNOWN_EVENTS:
            raise CheckInError(
                f"unknown event {sorted(events - _KNOWN_EVENTS)[0]!r}: known are"
                f" {', '.join(RED_FLAG_EVENTS)}"
            )
        check_text("notes", self.notes)
        if type(self.doses) is not tuple or self.doses:  # () has nothing to check or sort
            self._check_doses()
        if self.sleep_copied_from is not None or self.symptoms_copied_from is not None:
            self._check_copies()

    def _check_copies(self) -> None:
        """A copy comes from an earlier day, and a night is copied only when there is one."""
        for name, source in (
            ("sleep_copied_from", self.sleep_copied_from),
            ("symptoms_copied_from", self.symptoms_copied_from),
        ):
            if source is not None and source >= self.wake_date:
                raise CheckInError(
                    f"{name} ({source.isoformat()}) must be before the check-in's date"
                    f" ({self.wake_date.isoformat()})"
                )
        if self.sleep_copied_from is not None and self.sleep is None:
            raise CheckInError("sleep_copied_from is set but there is no night to be a copy")
        if self.symptoms_copied_from is not None and not self.symptoms_rated:
            raise CheckInError("symptoms_copied_from is set but the checklist was not rated")

    def _check_sleep(self) -> None:
        if self.sleep is not None and self.reported_sleep is not None:
            raise CheckInError(
                "give last night's sleep once: either the diary's times or about how long you"
                " slept, not both"
            )
        if self.sleep is not None and self.sleep.final_wake.date() != self.wake_date:
            raise CheckInError(
                f"final_wake ({self.sleep.final_wake.date().isoformat()}) is not on the"
                f" wake_date ({self.wake_date.isoformat()}): a night belongs to the date of waking"
            )

    def _check_symptoms(self) -> None:
        if type(self.symptoms_rated) is not bool:
            raise CheckInError(f"symptoms_rated must be true or false, got {self.symptoms_rated!r}")
        if not self.symptoms_rated and self.symptoms:
            raise CheckInError("symptoms are rated but symptoms_rated is false; say which is meant")
        for name, rating in self.symptoms.items():
            if (
                type(name) is str
                and name in _KNOWN_SYMPTOMS
                and type(rating) is int
                and 0 <= rating <= SYMPTOM_MAX
            ):
                continue  # the common case, checked at once
            if name not in SYMPTOMS:
                raise CheckInError(f"unknown symptom {name!r}: known are {', '.join(SYMPTOMS)}")
            _require_range(f"symptom {name!r}", rating, 0, SYMPTOM_MAX)
        object.__setattr__(self, "symptoms", MappingProxyType(dict(self.symptoms)))

    def _check_substances(self) -> None:
        if type(self.substances_asked) is not bool:
            raise CheckInError(
                f"substances_asked must be true or false, got {self.substances_asked!r}"
            )
        if type(self.opioid_use) is not bool:
            raise CheckInError(f"opioid_use must be true or false, got {self.opioid_use!r}")
        given = self.caffeine_drinks or self.alcohol_drinks or self.opioid_use
        if not self.substances_asked and given:
            raise CheckInError(
                "caffeine, alcohol or opioid use is given but substances_asked is false;"
                " say which is meant"
            )

    def _check_doses(self) -> None:
        doses = tuple(self.doses)  # given any way (a generator is read once)
        for dose in doses:
            if dose.taken_at.date() != self.wake_date:
                raise CheckInError(
                    f"doses: a dose at {dose.taken_at.isoformat(sep=' ', timespec='minutes')}"
                    f" is not on the check-in's date {self.wake_date.isoformat()}"
                )
        object.__setattr__(self, "doses", tuple(sorted(doses, key=lambda d: d.taken_at)))


def copied_night(source: SleepDiary, wake_date: date) -> SleepDiary:
    """``source``'s night at the same clock times, ending on ``wake_date`` ("same as last night").

    A stored long night was confirmed (or measured): its copy is too, not asked again.

    >>> night = SleepDiary(*night_times(date(2027, 1, 4), bed="23:10", tried="23:30",
    ...     final_wake="06:40", out_of_bed="07:00"), sol_min=20, waso_min=30, awakenings=2,
    ...     quality=3)
    >>> copy = copied_night(night, date(2027, 1, 5))
    >>> copy.bed.isoformat(), copy.out_of_bed.isoformat(), copy.waso_min
    ('2027-01-04T23:10:00', '2027-01-05T07:00:00', 30)
    """
    clocks = {
        name: getattr(source, name).strftime("%H:%M")
        for name in ("bed", "tried", "final_wake", "out_of_bed")
    }
    return SleepDiary(
        *night_times(wake_date, **clocks, long_night_confirmed=True),
        sol_min=source.sol_min,
        waso_min=source.waso_min,
        awakenings=source.awakenings,
        quality=source.quality,
    )


def same_night(one: SleepDiary | None, other: SleepDiary | None) -> bool:
    """Whether two nights say the same: the same clock times and numbers (dates aside).

    >>> night = SleepDiary(*night_times(date(2027, 1, 4), bed="23:10", tried="23:30",
    ...     final_wake="06:40", out_of_bed="07:00"), sol_min=20, waso_min=30, awakenings=2,
    ...     quality=3)
    >>> same_night(night, copied_night(night, date(2027, 1, 9))), same_night(night, None)
    (True, False)
    """
    if one is None or other is None:
        return False
    try:
        copy = copied_night(one, other.final_wake.date())
    except CheckInError:  # a night no clock door takes (up 12 h 30 min after waking): not typed
        return False
    return copy == replace(other, clock_shift_min=0)


def with_copies(
    checkin: CheckIn, *, sleep_source: CheckIn | None, symptoms_source: CheckIn | None
) -> CheckIn:
    """``checkin`` marked as a copy where it says what the source said ("same as last night").

    A section is marked only when the person chose to copy it (a source is given) and kept it
    as it was; a section they changed is their own entry, and unmarked.

    >>> night = SleepDiary(*night_times(date(2027, 1, 4), bed="23:10", tried="23:30",
    ...     final_wake="06:40", out_of_bed="07:00"), sol_min=20, waso_min=30, awakenings=2,
    ...     quality=3)
    >>> source = CheckIn(date(2027, 1, 4), night, mood=5, anxiety=5, symptoms={"tremor": 1})
    >>> today = CheckIn(date(2027, 1, 5), copied_night(night, date(2027, 1, 5)), mood=4,
    ...     anxiety=6, symptoms={"tremor": 2})
    >>> marked = with_copies(today, sleep_source=source, symptoms_source=source)
    >>> marked.sleep_copied_from, marked.symptoms_copied_from
    (datetime.date(2027, 1, 4), None)
    """
    sleep_from = (
        sleep_source.wake_date
        if sleep_source is not None and same_night(sleep_source.sleep, checkin.sleep)
        else None
    )
    symptoms_from = (
        symptoms_source.wake_date
        if symptoms_source is not None
        and symptoms_source.symptoms_rated
        and checkin.symptoms_rated
        and _rated(symptoms_source.symptoms) == _rated(checkin.symptoms)
        else None
    )
    return replace(checkin, sleep_copied_from=sleep_from, symptoms_copied_from=symptoms_from)


def kept_night(stored: SleepDiary | None, edited: SleepDiary | None) -> SleepDiary | None:
    """``edited``, in the zone of the ``stored`` night when the edit kept its clock times.

    A night logged in another zone before a move (``stored.time_zone``) is shown by its clock
    times there; an edit of the day that leaves them as they were (the mood changed, or the
    minutes to fall asleep) keeps the night in its zone, rather than moving it to the same
    clocks in the person's zone now. New clock times are the person's zone's.

    >>> night = SleepDiary(*night_times(date(2027, 1, 5)), sol_min=20, waso_min=0,
    ...                    awakenings=0, time_zone="Asia/Kathmandu")
    >>> kept_night(night, replace(night, time_zone=None, sol_min=30)).time_zone
    'Asia/Kathmandu'
    >>> later = night_times(date(2027, 1, 5), out_of_bed="07:30")
    >>> kept_night(night, replace(night, time_zone=None, out_of_bed=later.out_of_bed)).time_zone
    """
    if stored is None or edited is None or stored.time_zone is None or edited.time_zone:
        return edited
    clocks = ("bed", "tried", "final_wake", "out_of_bed")
    if any(getattr(stored, c) != getattr(edited, c) for c in clocks):
        return edited
    return replace(edited, time_zone=stored.time_zone, clock_shift_min=stored.clock_shift_min)


def edited_night(
    stored: SleepDiary | None,
    wake_date: date,
    clocks: Mapping[str, str],
    *,
    sol_min: int,
    waso_min: int,
    awakenings: int,
    quality: int = 3,
    long_night_confirmed: bool = False,
    time_zone: tzinfo | None = None,
) -> SleepDiary:
    """The night of ``wake_date`` from the clock times of an edit of ``stored`` (None: new).

    The one rule of every door's edit (the check-in form, ``journal edit``, the API's PUT):
    ``clocks`` (``bed``, ``tried``, ``final_wake``, ``out_of_bed`` as HH:MM) that are the
    stored night's own keep the stored night's moments as they are, never read again by
    :func:`night_times` (a night stored by a dated journal CSV row or FHIR, up 12 h 30 min
    after waking, or a confirmed long night, is edited for its mood); a stored long night
    whose two ends are kept stays confirmed. Changed clocks are read by :func:`night_times`
    in the zone of the night they edit (``stored.time_zone``: shown in the zone it was
    logged in, the clocks not changed are that zone's). ``time_zone`` is that zone's data
    (the door's: the stored night's zone, else the person's), to count the hours passed.

    >>> up_late = SleepDiary(datetime(2027, 1, 4, 23), datetime(2027, 1, 4, 23, 10),
    ...                      datetime(2027, 1, 5, 6, 30), datetime(2027, 1, 5, 19),
    ...                      sol_min=10, waso_min=0, awakenings=0, time_zone="Asia/Kathmandu")
    >>> clocks = {"bed": "23:00", "tried": "23:10", "final_wake": "06:30", "out_of_bed": "19:00"}
    >>> edited_night(up_late, date(2027, 1, 5), clocks, sol_min=20, waso_min=0,
    ...              awakenings=0) == replace(up_late, sol_min=20)
    True
    >>> earlier = edited_night(up_late, date(2027, 1, 5), {**clocks, "out_of_bed": "07:00"},
    ...                        sol_min=10, waso_min=0, awakenings=0)
    >>> earlier.out_of_bed.isoformat(), earlier.time_zone
    ('2027-01-05T07:00:00', 'Asia/Kathmandu')
    """
    if (
        stored is not None
        and stored.final_wake.date() == wake_date
        and _kept_clocks(stored, clocks)
    ):
        return replace(
            stored, sol_min=sol_min, waso_min=waso_min, awakenings=awakenings, quality=quality
        )
    kept_ends = stored is not None and _kept_clocks(stored, clocks, ("tried", "final_wake"))
    confirmed = long_night_confirmed or (
        kept_ends
        and stored is not None
        and stored.final_wake - stored.tried > LONGEST_UNASKED_NIGHT
    )
    times = night_times(wake_date, **clocks, long_night_confirmed=confirmed, time_zone=time_zone)
    zone = stored.time_zone if stored is not None else None
    return SleepDiary(
        *times,
        sol_min=sol_min,
        waso_min=waso_min,
        awakenings=awakenings,
        quality=quality,
        time_zone=zone,
    )


def _kept_clocks(
    stored: SleepDiary,
    clocks: Mapping[str, str],
    names: tuple[str, ...] = ("bed", "tried", "final_wake", "out_of_bed"),
) -> bool:
    """Whether ``clocks`` give ``names`` as the ``stored`` night's own clock times."""
    try:
        return all(parse_clock(clocks[n]) == getattr(stored, n).time() for n in names)
    except (KeyError, ValueFormatError):
        return False


def kept_unasked(
    stored: CheckIn,
    edited: CheckIn,
    *,
    night: bool,
    checklist: bool,
    rest: bool,
    substances: bool | None = None,
) -> CheckIn:
    """``edited`` (an edit of ``stored``'s day) with what its form did not ask kept as stored.

    An edit never erases what the person was not shown: ``night`` is false when the form gave
    no night (the stored diary or night in brief is kept, with its copy mark),
    ``checklist`` when it did not ask the symptom checklist (the ratings, or their absence,
    are kept), ``rest`` when it did not ask the worst time, the drinks, opioids and the notes
    (a quick form asks none of them); ``substances`` (default: ``rest``) when it gave no
    drinks or opioid answer (a day where they were not asked stays so).

    >>> full = CheckIn(date(2027, 1, 5), None, mood=3, anxiety=6, notes="want to die",
    ...                symptoms={"tremor": 2}, reported_sleep=ReportedSleep(420, 3))
    >>> quick = CheckIn(date(2027, 1, 5), None, mood=5, anxiety=4, symptoms_rated=False)
    >>> kept = kept_unasked(full, quick, night=False, checklist=False, rest=False)
    >>> kept.mood, kept.notes, dict(kept.symptoms), kept.reported_sleep.asleep_min
    (5, 'want to die', {'tremor': 2}, 420)
    """
    changes: dict[str, Any] = {}
    if not night:
        changes.update(
            sleep=stored.sleep,
            reported_sleep=stored.reported_sleep,
            sleep_copied_from=stored.sleep_copied_from,
        )
    if not checklist:
        changes.update(
            symptoms=stored.symptoms,
            symptoms_rated=stored.symptoms_rated,
            symptoms_copied_from=stored.symptoms_copied_from,
        )
    if not rest:
        changes.update(worst_time=stored.worst_time, notes=stored.notes)
    if not (rest if substances is None else substances):
        changes.update(
            caffeine_drinks=stored.caffeine_drinks,
            alcohol_drinks=stored.alcohol_drinks,
            opioid_use=stored.opioid_use,
            substances_asked=stored.substances_asked,
        )
    return replace(edited, **changes) if changes else edited


def _rated(symptoms: Mapping[str, int]) -> dict[str, int]:
    return {name: rating for name, rating in symptoms.items() if rating}


def validate_not_future(checkin: CheckIn, today: date) -> CheckIn:
    """Refuse a check-in dated after ``today`` (the caller's clock; the core has none).

    >>> validate_not_future(CheckIn(date(2027, 1, 6), None, mood=5, anxiety=5), date(2027, 1, 5))
    Traceback (most recent call last):
    ...
    taperline.errors.CheckInError: wake_date 2027-01-06 is in the future (today is 2027-01-05)
    """
    if checkin.wake_date > today:
        raise CheckInError(
            f"wake_date {checkin.wake_date.isoformat()} is in the future"
            f" (today is {today.isoformat()})"
        )
    return checkin
