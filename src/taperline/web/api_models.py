"""Pydantic models of the JSON API's input, validated at the edge.

What the API answers is not restated here: its shapes are the closed ``TypedDict``s beside the
functions that build them (:mod:`taperline.service.documents`, :mod:`taperline.web.documents`,
:mod:`taperline.adapters.documents`), which the CLI's ``--format json`` prints too.

Input models forbid unknown keys (an id placed in a body is refused, never used), take
whole numbers strictly (``true`` or ``5.5`` is not a mood), bound every number and text,
and refuse control characters and lone surrogates in text. Clock times, dates and local
date-times are read as text by the shared parsers (:mod:`taperline.core.values`), as the CLI,
the web forms and the imports read them ('7:30' is 07:30, '7:3' and 20270104 are refused);
a date is 1900-2999.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Final, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    field_validator,
)

from taperline.core.journal import MAX_REPORTED_SLEEP_MIN, SYMPTOMS, RedFlagEvent, TimeOfDay
from taperline.core.record import PlanAction
from taperline.core.values import (
    format_clock,
    parse_clock,
    parse_date,
    parse_local_datetime,
    shown,
)
from taperline.errors import ValueFormatError

__all__ = [
    "CheckInIn",
    "DecisionIn",
    "DoseIn",
    "ErrorOut",
    "PlanIn",
    "ReportedSleepIn",
    "ScoreIn",
]

EARLIEST: Final = dt.date(1900, 1, 1)
LATEST: Final = dt.date(2999, 12, 31)
_SYMPTOMS: Final = frozenset(SYMPTOMS)


def _plain(text: str) -> str:
    for ch in text:
        code = ord(ch)
        if (code < 32 and ch not in "\n\r\t") or code == 127 or 0xD800 <= code <= 0xDFFF:  # noqa: PLR2004 -- control and surrogate ranges
            raise ValueError("must not contain control characters")
    return text


def _shared(parse: Any, kind: str) -> Any:
    """A before-validator: JSON text read by the shared parser (:mod:`taperline.core.values`).

    The API reads clock times, dates and local date-times by the same rules as the CLI, the
    web forms and the imports; anything but text is refused (no timestamps as numbers).
    """

    def read(value: object) -> object:
        if not isinstance(value, str):
            raise ValueError(f"must be text: {kind}")
        try:
            return parse(value)
        except ValueFormatError as error:
            raise ValueError(str(error)) from None

    return BeforeValidator(read)


def _day_in_range(text: str) -> dt.date:
    day = parse_date(text)
    if not EARLIEST <= day <= LATEST:
        raise ValueFormatError(f"{shown(text)} is not between 1900-01-01 and 2999-12-31")
    return day


def _local_in_range(text: str) -> dt.datetime:
    moment = parse_local_datetime(text)
    if not EARLIEST <= moment.date() <= LATEST:
        raise ValueFormatError(f"{shown(text)} is not between 1900-01-01 and 2999-12-31")
    return moment


Day = Annotated[
    dt.date,
    _shared(_day_in_range, "a date such as 2027-01-04"),
    Field(examples=["2027-01-04"]),
]
Clock = Annotated[
    str,
    _shared(lambda text: format_clock(parse_clock(text)), "a clock time such as 22:00"),
    Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$", examples=["22:00"]),
]
Int = Annotated[int, Strict()]
Text = Annotated[str, Field(max_length=2000), AfterValidator(_plain)]
Name = Annotated[str, Field(min_length=1, max_length=40), AfterValidator(_plain)]
Milligrams = Annotated[Decimal, Field(gt=0, le=1000, max_digits=12, decimal_places=6)]
LocalTime = Annotated[
    dt.datetime,
    _shared(_local_in_range, "a local date and time such as 2027-01-04T22:00"),
]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- input ------------------------------------------------------------------------------------


class SleepIn(_In):
    """The night that ended on the check-in's date (Consensus Sleep Diary), local clock times."""

    bed: Clock
    tried: Clock
    final_wake: Clock
    out_of_bed: Clock
    sol_min: Annotated[Int, Field(ge=0, le=720)]
    waso_min: Annotated[Int, Field(ge=0, le=720)]
    awakenings: Annotated[Int, Field(ge=0, le=50)]
    quality_1_5: Annotated[Int, Field(ge=1, le=5)]
    long_night_confirmed: Annotated[bool, Strict()] = Field(
        default=False,
        description="The person confirmed a night of more than 16 h from trying to sleep to"
        " waking up for good (without it such a night is refused with 422 as a likely a.m./p.m."
        " slip, the same either side of noon). A PUT that sends a stored night's clock times"
        " back as GET gives them keeps the stored night as it is, a long one too, without it.",
    )


class ReportedSleepIn(_In):
    """A quick check-in's night: about how long the person slept (their estimate), and how well."""

    asleep_min: Annotated[Int, Field(ge=0, le=MAX_REPORTED_SLEEP_MIN)]
    quality_1_5: Annotated[Int, Field(ge=1, le=5)]


class CheckInIn(_In):
    """A day's check-in.

    ``sleep`` (the diary's times) or ``reported_sleep`` (a quick check-in's estimate), not
    both. ``symptoms_0_3`` maps checklist names to 0-3 (missing names are 0); left out (or
    null), the checklist was not filled in: stored so, with no symptom score, never as zeros.
    ``caffeine_drinks``, ``alcohol_drinks`` and ``opioid_use`` all left out (or null): they
    were not asked that day (as a quick check-in), stored so, never as none; any of them
    given, one left out is none (0, false).
    """

    date: Day
    sleep: SleepIn | None = None
    reported_sleep: ReportedSleepIn | None = None
    mood_0_10: Annotated[Int, Field(ge=0, le=10)]
    anxiety_0_10: Annotated[Int, Field(ge=0, le=10)]
    symptoms_0_3: (
        Annotated[
            dict[str, Annotated[Int, Field(ge=0, le=3)]],
            Field(max_length=len(SYMPTOMS), description="names: " + ", ".join(SYMPTOMS)),
        ]
        | None
    ) = None
    worst_time: TimeOfDay | None = None
    caffeine_drinks: Annotated[Int, Field(ge=0, le=40)] | None = None
    alcohol_drinks: Annotated[Int, Field(ge=0, le=40)] | None = None
    opioid_use: Annotated[bool, Strict()] | None = None
    events: Annotated[list[RedFlagEvent], Field(max_length=5)] = []
    notes: Text = ""

    @field_validator("symptoms_0_3")
    @classmethod
    def _known_symptoms(cls, value: dict[str, int] | None) -> dict[str, int] | None:
        unknown = sorted(set(value or ()) - _SYMPTOMS)
        if unknown:
            raise ValueError(f"unknown symptom {unknown[0][:40]!r}")
        return value


class DoseIn(_In):
    """A dose-log line: a planned dose taken or missed, or an extra dose (local clock)."""

    date: Day
    drug: Name = "clonazepam"
    planned_time: Clock | None = None
    planned_amount_mg: Milligrams | None = None
    taken_at: LocalTime | None = Field(default=None, examples=["2027-01-05T22:05"])
    amount_mg: Milligrams | None = None
    units: Annotated[str, Field(max_length=200), AfterValidator(_plain)] = ""
    note: Text = ""
    confirmed: Annotated[bool, Strict()] = Field(
        default=False,
        description="Store an amount above the day's planned total or the daily maximum as given"
        " (without it such an amount is refused with 422).",
    )


class ScoreIn(_In):
    """A PHQ-9 (9 answers) or GAD-7 (7 answers), each 0-3, item 1 first."""

    instrument: Literal["PHQ-9", "GAD-7"]
    date: Day
    items: Annotated[list[Annotated[Int, Field(ge=0, le=3)]], Field(min_length=7, max_length=9)]


Short = Annotated[str, Field(max_length=40), AfterValidator(_plain)]


class PlanDoseIn(_In):
    """One current dose and its clock time."""

    amount: Annotated[str, Field(min_length=1, max_length=30), AfterValidator(_plain)] = Field(
        examples=["1 mg"]
    )
    time: Clock


class PlanIn(_In):
    """A taper plan to propose: the fields of ``taperline plan``, as text people write.

    Durations are days (``14``, ``14d`` or ``2w``); ``bands`` are ``ABOVE:STEP/EVERY, ...``;
    ``custom`` is ``DATE=DAILY DOSE, ...``; ``holds`` are ``DATE:DAYS``. The patient's age,
    conditions and other medicines come from their profile. A plan outside the guideline
    needs ``override_reason``, a sentence a colleague could audit.
    """

    drug: Name = "clonazepam"
    doses: Annotated[list[PlanDoseIn], Field(min_length=1, max_length=6)]
    strategy: Literal["percent", "fixed", "occupancy", "deprescribing", "crossover", "custom"] = (
        "percent"
    )
    percent: Short = "10"
    every: Short = "14d"
    start: Day | None = None
    goal: Short | None = None
    stabilise: Short = "14d"
    products: Text | None = None
    auto_liquid: Annotated[bool, Strict()] = True
    cap_pct: Short = "25"
    override_reason: Text | None = None
    min_step: Short | None = None
    holds: Annotated[list[Short], Field(max_length=20)] = []
    final_hold: Short | None = None
    ed50: Short | None = None
    bands: Text | None = None
    custom: Text | None = None
    reason: Text = ""
    then: Literal["percent", "fixed", "occupancy", "deprescribing"] = "fixed"
    equivalence: Short | None = None
    swap_every: Short = "7d"
    alternate_days: Annotated[bool, Strict()] = False
    used_for: Short | None = None


class DecisionIn(_In):
    """A clinician's decision on the latest plan version; ``adjust`` postpones coming steps."""

    action: PlanAction
    reason: Annotated[Text, Field(min_length=1)]
    postpone_days: Annotated[Int, Field(ge=1, le=365)] | None = None


# --- output -----------------------------------------------------------------------------------


class ErrorOut(BaseModel):
    """An error: what went wrong, for the person reading it."""

    detail: str
