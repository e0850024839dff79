"""Pydantic models of the JSON API: input is validated at the edge, output documented.

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

from taperline.core.journal import SYMPTOMS, RedFlagEvent, TimeOfDay
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
    "CheckInList",
    "CheckInOut",
    "DecisionIn",
    "DoseIn",
    "DoseList",
    "DoseOut",
    "ErrorOut",
    "MeOut",
    "PatientOut",
    "PlanList",
    "PlanVersionOut",
    "ReviewOut",
    "SavedCheckIn",
    "SavedOut",
    "SavedScore",
    "ScoreIn",
    "ScoreOut",
    "StatusOut",
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
    quality_1_5: Annotated[Int, Field(ge=1, le=5)] = 3


class CheckInIn(_In):
    """A day's check-in. ``symptoms_0_3`` maps checklist names to 0-3 (missing names are 0)."""

    date: Day
    sleep: SleepIn | None = None
    mood_0_10: Annotated[Int, Field(ge=0, le=10)]
    anxiety_0_10: Annotated[Int, Field(ge=0, le=10)]
    symptoms_0_3: Annotated[
        dict[str, Annotated[Int, Field(ge=0, le=3)]],
        Field(max_length=len(SYMPTOMS), description="names: " + ", ".join(SYMPTOMS)),
    ] = {}
    worst_time: TimeOfDay | None = None
    caffeine_drinks: Annotated[Int, Field(ge=0, le=40)] = 0
    alcohol_drinks: Annotated[Int, Field(ge=0, le=40)] = 0
    opioid_use: Annotated[bool, Strict()] = False
    events: Annotated[list[RedFlagEvent], Field(max_length=5)] = []
    notes: Text = ""

    @field_validator("symptoms_0_3")
    @classmethod
    def _known_symptoms(cls, value: dict[str, int]) -> dict[str, int]:
        unknown = sorted(set(value) - _SYMPTOMS)
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


class _Out(BaseModel):
    """An answer: exactly the keys of its document, so a document and its model never drift.

    The documents are built once (``taperline.service.documents`` and
    ``taperline.web.documents``) and printed by the CLI's ``--format json`` as they are;
    these models restate them for the OpenAPI schema, and a key one has and the other lacks
    fails the response (and the tests that compare them).
    """

    model_config = ConfigDict(extra="forbid")


class ErrorOut(BaseModel):
    """An error: what went wrong, for the person reading it."""

    detail: str


class ProfileOut(_Out):
    """A patient's profile."""

    label: str
    time_zone: str
    age_band: str | None
    conditions: list[str]
    other_medicines: list[str]


class MeOut(_Out):
    """The signed-in user."""

    user_id: int
    email: str
    display_name: str
    role: Literal["patient", "clinician"]
    person_id: int | None
    created_at_utc: str
    profile: ProfileOut | None


class SleepOut(_Out):
    """A night with its metrics."""

    bed: str
    tried: str
    final_wake: str
    out_of_bed: str
    sol_min: int
    waso_min: int
    awakenings: int
    quality_1_5: int
    tib_min: int
    tst_min: int
    se_pct: float


class CheckInOut(_Out):
    """A stored check-in (``burden`` is taperline's own 0-68 score)."""

    date: str
    sleep: SleepOut | None
    mood_0_10: int
    anxiety_0_10: int
    symptoms_0_3: dict[str, int]
    burden: int
    worst_time: str | None
    caffeine_drinks: int
    alcohol_drinks: int
    opioid_use: bool
    events: list[str]
    notes: str


class CheckInList(_Out):
    """Check-ins by date."""

    checkins: list[CheckInOut]


class EvidenceOut(_Out):
    """A day and value behind a finding."""

    date: str
    label: str
    value: str


class FindingOut(_Out):
    """An advisory finding; a clinician decides."""

    kind: str
    severity: str
    message: str
    evidence: list[EvidenceOut]
    source: str
    suggested_action: str
    clinician_flag: bool


class ProposalOut(_Out):
    """What the findings suggest (never applied on its own)."""

    action: str
    hold_days: int
    reasons: list[str]
    clinician_only: bool
    status: str


class ReviewOut(_Out):
    """All findings, the proposal, and what could not be checked."""

    findings: list[FindingOut]
    proposal: ProposalOut
    skipped: list[str]


class SavedCheckIn(_Out):
    """A stored check-in (``created`` is false for a repeat or an edit) and the review."""

    checkin: CheckInOut
    created: bool
    review: ReviewOut


class SavedOut(_Out):
    """A stored row."""

    id: int
    created: bool


class DoseOut(_Out):
    """A dose-log line."""

    date: str
    drug: str
    planned_time: str | None
    planned_amount_mg: float | None
    planned_amount: str | None
    taken_at: str | None
    amount_mg: float | None
    amount: str | None
    status: str
    units: str
    note: str


class DoseList(_Out):
    """Dose-log lines in order."""

    doses: list[DoseOut]


class ScoreOut(_Out):
    """A scored questionnaire."""

    instrument: str
    date: str | None
    items: list[int]
    total: int
    band: str


class SavedScore(_Out):
    """A stored questionnaire and the review (PHQ-9 item 9 above 0 is a red flag)."""

    score: ScoreOut
    created: bool
    review: ReviewOut


class StepDoseOut(_Out):
    """One dose of a plan step."""

    time: str
    drug: str
    amount_mg: float
    amount: str
    instructions: list[str]


class StepOut(_Out):
    """One step of a plan version."""

    start_date: str
    daily_dose_mg: float
    daily_dose: str
    every_other_day: bool
    rule: str
    source: str
    note: str
    reason: str | None
    doses: list[StepDoseOut]


class GuidelineOut(_Out):
    """Whether a plan keeps to the guideline; ``mark`` is set when an override took it outside."""

    within_guideline: bool
    mark: str | None
    override_reason: str | None
    outside_guideline: list[str]
    max_cut_pct: float
    cap_window_days: int
    stabilisation_days: int
    equivalence_source: str | None
    indication: str | None


class PlanVersionOut(_Out):
    """A plan version (versions are never overwritten)."""

    version: int
    status: str
    drug: str
    strategy: str
    proposed_by: str
    proposed_at_utc: str
    decided_by: str | None
    decided_at_utc: str | None
    reason: str
    parent_version: int | None
    held_from: str | None
    guideline: GuidelineOut
    steps: list[StepOut]


class PlanList(_Out):
    """Every version, oldest first, and which one is followed now."""

    plans: list[PlanVersionOut]
    in_force_version: int | None


class DoseTodayOut(_Out):
    """A dose planned for today and what the dose log says of it."""

    time: str
    drug: str
    amount_mg: float
    amount: str
    instructions: list[str]
    status: Literal["due", "taken", "late", "missed"]
    taken_at: str | None


class NextChangeOut(_Out):
    """The next step of the plan."""

    start_date: str
    daily_dose_mg: float
    daily_dose: str
    in_days: int


class PlanTodayOut(_Out):
    """The plan followed today."""

    version: int
    status: str
    drug: str
    held_from: str | None
    guideline_mark: str | None


class DayGlanceOut(_Out):
    """One of the last 14 days at a glance."""

    date: str
    checked_in: bool
    mood_0_10: int | None
    anxiety_0_10: int | None
    burden: int | None
    se_pct: float | None
    doses_taken: int
    doses_missed: int


class StatusOut(_Out):
    """Today for the signed-in patient: also what ``taperline status --format json`` prints."""

    today: str
    plan: PlanTodayOut | None
    pending_version: int | None
    checked_in_today: bool
    questionnaire_due: bool
    doses_today: list[DoseTodayOut]
    next_change: NextChangeOut | None
    findings: list[FindingOut]
    proposal: ProposalOut
    skipped: list[str]
    urgent_findings: int
    last_14_days: list[DayGlanceOut]


class PatientOut(_Out):
    """A patient who shares their record with the signed-in clinician."""

    person_id: int
    display_name: str
    urgent_findings: int
    clinician_flags: int
    warnings: int
    proposal: str
    plan_status: str
    plan_pending: bool
    last_checkin: str | None


RecordOut = dict[str, Any]
