"""The profile and the dose log: who the person is, and what was planned and taken."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from types import MappingProxyType
from typing import TYPE_CHECKING, Final, Literal, get_args

from taperline.core.journal import check_text
from taperline.core.quantity import Mass, fmt
from taperline.core.values import is_clock_text
from taperline.errors import InputError

if TYPE_CHECKING:  # current.py imports this module (a RecordDose checks its clock here)
    from taperline.core.record.current import Regimen

AgeBand = Literal["under 18", "18-39", "40-64", "65-79", "80 or over"]
AGE_BANDS: Final[tuple[AgeBand, ...]] = get_args(AgeBand)
#: The age a band stands for when a rule needs a number: its lowest age, so that age rules
#: such as avoiding benzodiazepines from 65 [BEERS-2023] apply to the whole band.
AGE_BAND_YEARS: Final[Mapping[AgeBand, int]] = MappingProxyType(
    {"under 18": 17, "18-39": 18, "40-64": 40, "65-79": 65, "80 or over": 80}
)

DoseStatus = Literal["taken", "late", "missed", "extra"]
MAX_TEXT: Final = 2000
MAX_NAME: Final = 200


def _clean_names(kind: str, names: Sequence[str]) -> tuple[str, ...]:
    out: list[str] = []
    for raw in names:
        name = raw.strip()
        if not name:
            continue
        if len(name) > MAX_NAME:
            raise InputError(f"{kind}: {name[:20]!r}... is longer than {MAX_NAME} characters")
        if name.lower() not in (n.lower() for n in out):
            out.append(name)
    return tuple(out)


@dataclass(frozen=True, slots=True)
class Profile:
    """A person's profile. ``time_zone`` is an IANA name (checked by the adapter).

    ``label`` is how reports name the person: a pseudonym by default, never required.
    ``regimen`` is what they take now, before a plan starts (None: not recorded); the day's
    doses are matched against it until a plan is in force
    (:func:`~taperline.core.record.current.planned_on`).

    >>> Profile("Europe/London", "65-79", ("insomnia",), ()).age_years
    65
    >>> Profile("Europe/London", "sixty")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    taperline.errors.InputError: age_band 'sixty' is unknown: use one of under 18, 18-39, ...
    """

    time_zone: str
    age_band: AgeBand | None = None
    conditions: tuple[str, ...] = ()
    other_medicines: tuple[str, ...] = ()
    label: str = "Person A"
    regimen: Regimen | None = None

    def __post_init__(self) -> None:
        if not self.time_zone or " " in self.time_zone.strip():
            raise InputError(f"time_zone {self.time_zone!r} is not an IANA zone name")
        if self.age_band is not None and self.age_band not in AGE_BANDS:
            raise InputError(
                f"age_band {self.age_band!r} is unknown: use one of {', '.join(AGE_BANDS)}"
            )
        object.__setattr__(self, "conditions", _clean_names("conditions", self.conditions))
        object.__setattr__(
            self, "other_medicines", _clean_names("other_medicines", self.other_medicines)
        )
        if len(self.label) > MAX_NAME:
            raise InputError(f"label is longer than {MAX_NAME} characters")
        check_text("label", self.label)
        check_text("conditions", *self.conditions)
        check_text("other_medicines", *self.other_medicines)

    @property
    def age_years(self) -> int | None:
        """The band's lowest age (see :data:`AGE_BAND_YEARS`), or None."""
        return AGE_BAND_YEARS[self.age_band] if self.age_band else None


@dataclass(frozen=True, slots=True)
class DoseRecord:
    """One line of the dose log: what was planned and what was taken (local wall clock).

    A missed dose has ``taken_at`` and ``amount`` None; an extra (unplanned) dose has no
    ``planned_clock``. ``units`` says which product units were used ("1 x tablet 0.5 mg").

    What the person was asked to take, kept as it was when the line was logged (so that a
    check-in written or deleted later does not change it), by the decisions made before the
    dose was taken (a dose to stay on taken before a clinician answered that day, logged
    after, was asked to be stayed on): ``cut_checked`` is true when a cut
    had changed a planned dose of the line's day and the readiness check was read for it
    (the line itself may be that dose, taken or missed, or an extra dose that day);
    ``stay_on_before`` is then the date of the cut the check held with no clinician's answer
    (the person was asked to stay on the dose before that cut), or None when the cut went
    ahead (the plan's new dose was asked). Both unset: no cut had changed the day's doses, or
    not known (a line logged before taperline kept this, or imported without it).

    ``time_zone`` (an IANA name, checked by the adapter) is the zone ``taken_at``'s clock was
    read in when that is not the person's zone now: a dose logged before their time zone
    changed keeps the moment it was taken (08:00 in Asia/Kathmandu is not 08:00 in London).
    None, as for every line logged in the person's own zone: the clock is the profile's.
    A missed dose (no ``taken_at``) has none.

    >>> taken = datetime(2027, 5, 1, 8)
    >>> there = DoseRecord(taken.date(), "clonazepam", None, None, taken, Mass.of_mg("0.5"),
    ...                    time_zone="Asia/Kathmandu")
    >>> there == DoseRecord(taken.date(), "clonazepam", None, None, taken, Mass.of_mg("0.5"))
    False
    >>> DoseRecord(date(2027, 5, 1), "clonazepam", "08:00", None, None, None, time_zone="UTC")
    Traceback (most recent call last):
    ...
    taperline.errors.InputError: time_zone 'UTC' is given for a dose not taken: only a taken \
dose has a clock to read in a zone
    """

    day: date
    drug: str
    planned_clock: str | None
    planned_amount: Mass | None
    taken_at: datetime | None
    amount: Mass | None
    units: str = ""
    note: str = ""
    cut_checked: bool = False
    stay_on_before: date | None = None
    time_zone: str | None = None

    def __post_init__(self) -> None:
        if (self.taken_at is None) != (self.amount is None):
            raise InputError("a taken dose needs both taken_at and amount; a missed one neither")
        if self.amount is not None and self.amount.mg <= 0:
            raise InputError(f"amount must be above zero, got {fmt(self.amount)}")
        if self.planned_amount is not None and self.planned_amount.mg <= 0:
            raise InputError(f"planned_amount must be above zero, got {fmt(self.planned_amount)}")
        if self.planned_clock is None and self.taken_at is None:
            raise InputError("a dose record needs a planned time or a taken time")
        if self.planned_clock is not None:
            _check_clock("planned_clock", self.planned_clock)
        if self.taken_at is not None and abs((self.taken_at.date() - self.day).days) > 1:
            raise InputError(
                f"taken_at {self.taken_at.isoformat(sep=' ', timespec='minutes')} is more"
                f" than a day from the dose's day {self.day.isoformat()}"
            )
        if len(self.note) > MAX_TEXT or len(self.units) > MAX_NAME:
            raise InputError("note or units text is too long")
        check_text("dose", self.drug, self.units, self.note)
        if type(self.cut_checked) is not bool:
            raise InputError(f"cut_checked must be true or false, got {self.cut_checked!r}")
        if self.time_zone is not None:
            _check_zone_name(self.time_zone, taken=self.taken_at is not None)
        if self.stay_on_before is not None:
            if not self.cut_checked:
                raise InputError("stay_on_before is set but no readiness check was read")
            if self.stay_on_before > self.day:
                raise InputError(
                    f"stay_on_before ({self.stay_on_before.isoformat()}) is after the dose's"
                    f" day ({self.day.isoformat()}): a cut held is one already due"
                )

    def status(self, late_after_h: float = 2.0) -> DoseStatus:
        """taken, late (more than ``late_after_h`` after its time), missed or extra."""
        if self.taken_at is None:
            return "missed"
        if self.planned_clock is None:
            return "extra"
        hours, minutes = (int(part) for part in self.planned_clock.split(":"))
        planned = datetime.combine(self.day, datetime.min.time()) + timedelta(
            hours=hours, minutes=minutes
        )
        late = self.taken_at - planned > timedelta(hours=late_after_h)
        return "late" if late else "taken"


def _check_zone_name(name: object, *, taken: bool) -> None:
    """A dose's own zone: a name (the adapter checks it is IANA's), for a taken dose only."""
    if not isinstance(name, str) or not name.strip() or " " in name.strip():
        raise InputError(f"time_zone {name!r} is not an IANA zone name")
    if not taken:
        raise InputError(
            f"time_zone {name!r} is given for a dose not taken: only a taken dose has a clock"
            " to read in a zone"
        )


def _check_clock(name: str, clock: str) -> None:
    """A stored clock time is written HH:MM exactly (see :func:`.values.is_clock_text`)."""
    if not isinstance(clock, str) or not is_clock_text(clock):
        raise InputError(f"{name} must be a 24-hour clock time HH:MM, got {clock!r}")
