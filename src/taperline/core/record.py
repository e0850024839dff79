"""What a person's record holds besides check-ins: profile, dose log and plan versions.

These are plain values that storage, exports and the web app share. A plan version is kept as
the steps a person follows (dates, dose times, amounts and how to make them) rather than the
planner's working objects, so that a stored or imported plan reads back exactly.

Plan versions are never overwritten: approving, holding or adjusting a plan makes a new
version whose ``parent_version`` is the one it came from. A plan is ``proposed`` until a
clinician approves it; only then is it ``active``.

>>> from taperline.core.quantity import Mass
>>> entry = DoseRecord(date(2027, 1, 5), "clonazepam", "22:00", Mass.of_mg("0.5"),
...                    datetime(2027, 1, 5, 23, 30), Mass.of_mg("0.5"))
>>> entry.status(late_after_h=1.0)
'late'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from operator import attrgetter
from types import MappingProxyType
from typing import TYPE_CHECKING, Final, Literal, get_args

from taperline.core.guideline import GUIDELINE, override_mark
from taperline.core.instruments import InstrumentScore
from taperline.core.journal import CheckIn, TakenDose, check_text
from taperline.core.quantity import Mass, fmt
from taperline.core.values import is_clock_text
from taperline.errors import InputError, NotFoundError

if TYPE_CHECKING:  # the planner (and NumPy) load only when a plan is converted
    from taperline.core.plan import Plan, PlanStep

__all__ = [
    "AGE_BANDS",
    "PLAN_STATUSES",
    "AgeBand",
    "DoseRecord",
    "DoseStatus",
    "PersonRecord",
    "PlanAction",
    "PlanBasis",
    "PlanStatus",
    "PlanVersion",
    "Profile",
    "RecordDose",
    "RecordStep",
    "RecordSupply",
    "catch_up",
    "decision_base",
    "in_force",
    "plan_steps",
    "postpone",
    "record_from_plan",
    "record_steps",
    "resume",
    "schedule_on",
    "transition",
    "with_doses",
]

AgeBand = Literal["under 18", "18-39", "40-64", "65-79", "80 or over"]
AGE_BANDS: Final[tuple[AgeBand, ...]] = get_args(AgeBand)
#: The age a band stands for when a rule needs a number: its lowest age, so that age rules
#: such as avoiding benzodiazepines from 65 [BEERS-2023] apply to the whole band.
AGE_BAND_YEARS: Final[Mapping[AgeBand, int]] = MappingProxyType(
    {"under 18": 17, "18-39": 18, "40-64": 40, "65-79": 65, "80 or over": 80}
)

PlanStatus = Literal["proposed", "active", "held", "rejected"]
PLAN_STATUSES: Final[tuple[PlanStatus, ...]] = get_args(PlanStatus)
PlanAction = Literal["approve", "hold", "adjust", "reject"]

DoseStatus = Literal["taken", "late", "missed", "extra"]
MAX_TEXT: Final = 2000
MAX_NAME: Final = 200
MAX_POSTPONE_DAYS: Final = 365  # taperline's limit: a longer hold is a new plan


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
    """

    day: date
    drug: str
    planned_clock: str | None
    planned_amount: Mass | None
    taken_at: datetime | None
    amount: Mass | None
    units: str = ""
    note: str = ""

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


def _check_clock(name: str, clock: str) -> None:
    """A stored clock time is written HH:MM exactly (see :func:`.values.is_clock_text`)."""
    if not isinstance(clock, str) or not is_clock_text(clock):
        raise InputError(f"{name} must be a 24-hour clock time HH:MM, got {clock!r}")


@dataclass(frozen=True, slots=True)
class RecordDose:
    """One dose of a step: clock time, drug, amount and how to make it."""

    clock: str
    drug: str
    amount: Mass
    instructions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _check_clock("clock", self.clock)
        if self.amount.mg <= 0:
            raise InputError(f"a plan dose must be above zero, got {fmt(self.amount)}")
        check_text("plan dose", self.drug, *self.instructions)

    @property
    def clock_h(self) -> float:
        """The clock time in hours after midnight."""
        hours, minutes = (int(part) for part in self.clock.split(":"))
        return hours + minutes / 60


@dataclass(frozen=True, slots=True)
class RecordStep:
    """One step of a stored plan. A step with no doses is the end of the taper (0 mg)."""

    start: date
    doses: tuple[RecordDose, ...]
    rule: str = ""
    source: str = ""
    every_other_day: bool = False
    note: str = ""
    #: The clinician's own reason for this step (a custom step), required for any increase.
    reason: str = ""

    @staticmethod
    def legacy_reason(note: str) -> str:
        """The clinician's reason of a step stored before reasons were kept (migration 0004).

        Its note said "increase by the clinician: <reason>".

        >>> RecordStep.legacy_reason("increase by the clinician: breakthrough seizures")
        'breakthrough seizures'
        """
        marker = "increase by the clinician: "
        first = note.split("; ", maxsplit=1)[0]
        return first[len(marker) :].strip() if first.startswith(marker) else ""

    @property
    def daily(self) -> Mass:
        """The day's total over all drugs (a crossover step lists its drugs' doses)."""
        return Mass.of_mg(sum((d.amount.mg for d in self.doses), Decimal(0)))

    def daily_by_drug(self) -> dict[str, Mass]:
        """The day's total for each drug."""
        totals: dict[str, Decimal] = {}
        for dose in self.doses:
            totals[dose.drug] = totals.get(dose.drug, Decimal(0)) + dose.amount.mg
        return {drug: Mass.of_mg(mg) for drug, mg in totals.items()}


@dataclass(frozen=True, slots=True)
class RecordSupply:
    """What to dispense for one period: product and count (tablets, capsules or mL).

    The planner makes these (``taperline.core.plan`` calls them ``SupplyLine``).
    """

    period_start: date
    period_end: date
    drug: str
    product: str
    count: Decimal
    unit: str


@dataclass(frozen=True, slots=True)
class PlanBasis:
    """The rule settings a plan was made under, kept with every version of it.

    Every later change (an adjust, a resume after a hold, an import) is checked by
    :mod:`taperline.core.rules` against these, so no edit gets round what the proposal was
    held to. ``outside_guideline`` lists what an override allowed, one line each (empty when
    the plan keeps to the guideline); ``smallest_doses`` is the smallest makeable dose of
    each drug with the plan's products (the stop rule); ``equivalence_source`` and
    ``indication`` are empty for the catalogue's default and "not given".

    >>> basis = PlanBasis(override_reason="inpatient unit, supervised daily",
    ...                   outside_guideline=("a 33 % cut within 14 days",))
    >>> basis.mark
    'outside the guideline by clinician override: inpatient unit, supervised daily'
    >>> PlanBasis().mark
    ''
    """

    max_cut_pct: Decimal = GUIDELINE.max_cut_pct
    window_days: int = GUIDELINE.window_days
    stabilisation_days: int = GUIDELINE.stabilisation_days
    override_reason: str = ""
    equivalence_source: str = ""
    indication: str = ""
    smallest_doses: tuple[tuple[str, Mass], ...] = ()
    outside_guideline: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not 0 < self.max_cut_pct < 100:  # noqa: PLR2004 -- a percentage
            raise InputError("the cap must be between 0 and 100 %")
        if self.window_days < 1 or self.stabilisation_days < 1:
            raise InputError("the cap window and the stabilisation must be at least 1 day")
        if len(self.override_reason) > MAX_TEXT:
            raise InputError(f"the override reason is longer than {MAX_TEXT} characters")
        check_text("plan basis", self.override_reason, self.equivalence_source, self.indication)
        check_text("plan basis", *self.outside_guideline, *(d for d, _ in self.smallest_doses))

    @property
    def mark(self) -> str:
        """'outside the guideline by clinician override: <reason>', or '' within it."""
        return override_mark(self.override_reason) if self.outside_guideline else ""

    def smallest(self) -> dict[str, Mass]:
        """The smallest makeable dose by drug."""
        return dict(self.smallest_doses)

    def to_json(self) -> dict[str, object]:
        """The basis as JSON (decimals as exact strings); :meth:`from_json` reads it back.

        >>> PlanBasis.from_json(PlanBasis(smallest_doses=(("clonazepam", Mass.of_mg("0.125")),
        ...     )).to_json()).smallest()
        {'clonazepam': Mass(value=Decimal('0.125'), unit='mg')}
        """
        return {
            "max_cut_pct": format(self.max_cut_pct, "f"),
            "window_days": self.window_days,
            "stabilisation_days": self.stabilisation_days,
            "override_reason": self.override_reason,
            "equivalence_source": self.equivalence_source,
            "indication": self.indication,
            "smallest_doses_mg": {drug: format(m.mg, "f") for drug, m in self.smallest_doses},
            "outside_guideline": list(self.outside_guideline),
        }

    @classmethod
    def from_json(cls, document: Mapping[str, object]) -> PlanBasis:
        """The basis :meth:`to_json` wrote; missing keys take the guideline's values."""
        default = cls()
        smallest = document.get("smallest_doses_mg") or {}
        outside = document.get("outside_guideline") or []
        if not isinstance(smallest, Mapping) or not isinstance(outside, list):
            raise InputError("plan basis: smallest_doses_mg and outside_guideline are malformed")
        try:
            return cls(
                max_cut_pct=Decimal(str(document.get("max_cut_pct", default.max_cut_pct))),
                window_days=int(str(document.get("window_days", default.window_days))),
                stabilisation_days=int(
                    str(document.get("stabilisation_days", default.stabilisation_days))
                ),
                override_reason=str(document.get("override_reason") or ""),
                equivalence_source=str(document.get("equivalence_source") or ""),
                indication=str(document.get("indication") or ""),
                smallest_doses=tuple(
                    (str(drug), Mass.of_mg(str(mg))) for drug, mg in sorted(smallest.items())
                ),
                outside_guideline=tuple(str(line) for line in outside),
            )
        except (ArithmeticError, ValueError) as error:
            raise InputError(f"plan basis: {error}") from None

    @classmethod
    def legacy(cls, steps: Sequence[RecordStep]) -> PlanBasis:
        """The basis of a plan stored before bases were kept (migration 0004).

        The guideline's values, and the override reason its steps recorded ("cap
        overridden: <reason>"), if any.
        """
        marker = "cap overridden: "
        for step in steps:
            for part in step.note.split("; "):
                if part.startswith(marker) and part[len(marker) :].strip():
                    return cls(override_reason=part[len(marker) :].strip())
        return cls()


@dataclass(frozen=True, slots=True)
class PlanVersion:
    """One version of a person's plan and who did what to it, and why.

    Times (``proposed_at``, ``decided_at``) are timezone-aware UTC moments. A ``held``
    version keeps the dose of ``held_from`` (the person's date the hold began) until a
    clinician approves it again; ``basis`` holds the rule settings it is checked against.
    """

    version: int
    status: PlanStatus
    drug: str
    strategy: str
    steps: tuple[RecordStep, ...]
    proposed_by: str
    proposed_at: datetime
    reason: str = ""
    decided_by: str | None = None
    decided_at: datetime | None = None
    parent_version: int | None = None
    supply: tuple[RecordSupply, ...] = ()
    warnings: tuple[str, ...] = ()
    assumptions: Mapping[str, str] = field(default_factory=dict, hash=False)
    basis: PlanBasis = field(default_factory=PlanBasis)
    held_from: date | None = None

    def __post_init__(self) -> None:
        if self.status not in PLAN_STATUSES:
            raise InputError(f"plan status {self.status!r} is unknown")
        if not self.steps:
            raise InputError("a plan needs at least one step")
        starts = [s.start for s in self.steps]
        if starts != sorted(starts) or len(set(starts)) != len(starts):
            raise InputError("plan steps must start on increasing dates")
        if not self.proposed_by.strip():
            raise InputError("proposed_by is empty: say who proposed the plan")
        if len(self.reason) > MAX_TEXT:
            raise InputError(f"reason is longer than {MAX_TEXT} characters")
        check_text("plan", self.drug, self.strategy, self.proposed_by, self.reason)
        check_text("plan", self.decided_by or "", *self.warnings)
        check_text("plan", *self.assumptions.keys(), *self.assumptions.values())
        for step in self.steps:
            check_text("plan step", step.rule, step.source, step.note, step.reason)
        for line in self.supply:
            check_text("plan supply", line.drug, line.product, line.unit)
        object.__setattr__(self, "assumptions", MappingProxyType(dict(self.assumptions)))

    @property
    def end(self) -> date:
        """The first day of the last step."""
        return self.steps[-1].start

    def step_on(self, day: date) -> RecordStep | None:
        """The step followed on ``day`` (None before the plan starts).

        A held plan stays on the step of the day the hold began: it never moves on to a cut.
        """
        if self.status == "held" and self.held_from is not None:
            day = min(day, self.held_from)
        current = None
        for step in self.steps:
            if step.start <= day:
                current = step
        return current

    def next_change(self, day: date) -> RecordStep | None:
        """The first step starting after ``day`` (None for a held plan: no cut is due)."""
        if self.status == "held":
            return None
        return next((s for s in self.steps if s.start > day), None)

    @property
    def mark(self) -> str:
        """'outside the guideline by clinician override: <reason>', or ''."""
        return self.basis.mark

    @property
    def followed_steps(self) -> tuple[RecordStep, ...]:
        """The steps a person follows: a held plan ends on the step of the day it was held.

        Its later steps are not due until a clinician approves it again (then they move
        later by the days it was held, see :func:`resume`), so a calendar, reminders or a
        status built from these never announce a cut that is on hold.
        """
        if self.status != "held" or self.held_from is None:
            return self.steps
        kept = tuple(s for s in self.steps if s.start <= self.held_from)
        return kept or self.steps[:1]


def record_from_plan(plan: Plan) -> tuple[RecordStep, ...]:
    """The steps of a planner result as stored steps (instructions kept, working data not)."""
    return record_steps(plan.steps)


def record_steps(planned: Sequence[PlanStep]) -> tuple[RecordStep, ...]:
    """Planner steps as the steps a person follows (what is stored and what the rules check)."""
    steps = []
    for step in planned:
        doses = tuple(
            RecordDose(
                f"{int(d.clock_h):02d}:{round((d.clock_h % 1) * 60):02d}",
                d.drug,
                d.amount,
                tuple(d.composition.instructions) if d.composition else (),
            )
            for d in step.doses
            if d.amount.mg > 0
        )
        steps.append(
            RecordStep(
                step.start,
                doses,
                step.rule,
                step.source,
                step.every_other_day,
                step.note,
                step.reason,
            )
        )
    return tuple(steps)


def plan_steps(plan: Plan) -> tuple[tuple[RecordStep, ...], tuple[RecordSupply, ...]]:
    """Stored steps and supply lines of a planner result."""
    return record_from_plan(plan), tuple(plan.supply)


def schedule_on(version: PlanVersion | None, day: date) -> tuple[RecordDose, ...]:
    """The doses planned for ``day`` (none on the off days of an every-other-day step)."""
    if version is None:
        return ()
    step = version.step_on(day)
    if step is None:
        return ()
    if step.every_other_day and (day - step.start).days % 2 == 1:
        return ()
    return step.doses


_NEXT_STATUS: Final[Mapping[PlanAction, PlanStatus]] = MappingProxyType(
    {"approve": "active", "hold": "held", "adjust": "proposed", "reject": "rejected"}
)
_ALLOWED_FROM: Final[Mapping[PlanAction, frozenset[PlanStatus]]] = MappingProxyType(
    {
        "approve": frozenset({"proposed", "held"}),
        "hold": frozenset({"active"}),
        "adjust": frozenset({"active", "proposed", "held"}),
        "reject": frozenset({"proposed"}),
    }
)


def transition(
    current: PlanVersion,
    action: PlanAction,
    *,
    by: str,
    reason: str,
    at: datetime,
    new_version: int,
    steps: tuple[RecordStep, ...] | None = None,
    today: date | None = None,
    basis: PlanBasis | None = None,
) -> PlanVersion:
    """The new version that ``action`` by ``by`` makes of ``current`` (never changes it).

    ``approve`` makes an active plan; ``hold`` pauses it on the dose of ``today`` (the
    person's date; ``at``'s date when not given); ``adjust`` makes a new *proposed* version
    with other ``steps`` (and ``basis``, when its settings changed); ``reject`` closes a
    proposal. Approving a held plan resumes it: the steps not yet taken move later by the
    days it was held (:func:`resume`), so no cut is skipped or doubled. Who and why are
    required. The new steps must pass :func:`taperline.core.rules.check_plan` before they
    are stored (the service layer does it).

    >>> from datetime import timezone
    >>> from taperline.core.quantity import Mass
    >>> step = RecordStep(date(2027, 1, 1), (RecordDose("22:00", "clonazepam", Mass.of_mg(1)),))
    >>> at = datetime(2027, 1, 1, tzinfo=timezone.utc)
    >>> v1 = PlanVersion(1, "proposed", "clonazepam", "linear", (step,), "patient", at)
    >>> v2 = transition(v1, "approve", by="Dr Lee", reason="agreed", at=at, new_version=2)
    >>> v2.status, v2.parent_version, v2.decided_by, v1.status
    ('active', 1, 'Dr Lee', 'proposed')
    """
    if not by.strip():
        raise InputError("--by is empty: say who is making this decision")
    if not reason.strip():
        raise InputError("--reason is empty: say why")
    if current.status not in _ALLOWED_FROM[action]:
        raise InputError(f"cannot {action} a plan that is {current.status}")
    if action == "adjust" and steps is None:
        raise InputError("adjust needs the new steps")
    if steps is not None and action not in {"adjust", "approve"}:
        raise InputError(f"{action} keeps the steps; use adjust to change them")
    day = today if today is not None else at.date()
    if action == "approve" and current.status == "held" and steps is None:
        steps = resume(current, day)
    return PlanVersion(
        version=new_version,
        status=_NEXT_STATUS[action],
        drug=current.drug,
        strategy=current.strategy,
        steps=steps if steps is not None else current.steps,
        proposed_by=by if action == "adjust" else current.proposed_by,
        proposed_at=at if action == "adjust" else current.proposed_at,
        reason=reason,
        decided_by=None if action == "adjust" else by,
        decided_at=None if action == "adjust" else at,
        parent_version=current.version,
        supply=current.supply,
        warnings=current.warnings,
        assumptions=current.assumptions,
        basis=basis if basis is not None else current.basis,
        held_from=(current.held_from or day) if action == "hold" else None,
    )


def resume(version: PlanVersion, today: date) -> tuple[RecordStep, ...]:
    """The steps of ``version`` as followed from ``today``.

    For a held plan, every step that had not started when the hold began moves later by
    the days it was held, so the cut that was due comes after the hold, never two at once.
    Other plans keep their steps.

    >>> from datetime import timezone
    >>> from taperline.core.quantity import Mass
    >>> dose = (RecordDose("22:00", "clonazepam", Mass.of_mg(1)),)
    >>> steps = (RecordStep(date(2027, 1, 1), dose), RecordStep(date(2027, 1, 15), ()))
    >>> at = datetime(2027, 1, 10, tzinfo=timezone.utc)
    >>> held = PlanVersion(2, "held", "clonazepam", "percent", steps, "Dr Lee", at,
    ...                    held_from=date(2027, 1, 10))
    >>> [s.start.isoformat() for s in resume(held, date(2027, 1, 31))]
    ['2027-01-01', '2027-02-05']
    """
    if version.status != "held" or version.held_from is None:
        return version.steps
    return _moved(version.steps, version.held_from, today)


def catch_up(steps: Sequence[RecordStep], proposed_on: date, today: date) -> tuple[RecordStep, ...]:
    """A proposal's steps when it is approved on ``today``, ``proposed_on`` being its date.

    A proposal describes the future as of the day it was made (or of its first day, when
    that is later). Approved after its first cut was due, that future starts later by the
    days it waited: no cut fell due while nobody had approved it. Approved before, its
    dates stand. A first step still to come starts today, the regimen taken now.

    >>> from taperline.core.quantity import Mass
    >>> dose = (RecordDose("22:00", "clonazepam", Mass.of_mg(1)),)
    >>> steps = (RecordStep(date(2027, 1, 1), dose), RecordStep(date(2027, 1, 15), ()))
    >>> [s.start.isoformat() for s in catch_up(steps, date(2027, 1, 1), date(2027, 3, 1))]
    ['2027-01-01', '2027-03-15']
    >>> [s.start.isoformat() for s in catch_up(steps, date(2026, 12, 20), date(2026, 12, 28))]
    ['2026-12-28', '2027-01-15']
    >>> [s.start.isoformat() for s in catch_up(steps, date(2026, 12, 20), date(2027, 1, 3))]
    ['2027-01-01', '2027-01-15']
    """
    anchor = max(proposed_on, steps[0].start)
    due = next((s.start for s in steps if s.start > anchor), None)
    moved = tuple(steps) if due is None or due > today else _moved(steps, anchor, today)
    if moved[0].start > today:
        moved = (replace(moved[0], start=today), *moved[1:])
    return moved


def _moved(steps: Sequence[RecordStep], after: date, today: date) -> tuple[RecordStep, ...]:
    """The steps starting after ``after`` moved later by the days from ``after`` to today."""
    days = (today - after).days
    if days <= 0:
        return tuple(steps)
    return tuple(
        replace(s, start=s.start + timedelta(days=days)) if s.start > after else s for s in steps
    )


def decision_base(versions: Sequence[PlanVersion], action: PlanAction) -> PlanVersion:
    """The version a decision is made on.

    Approving decides on the latest version when it is a proposal, else on the plan in
    force (a held plan to approve again, even after a later proposal was rejected);
    rejecting decides on the latest version. Holding decides on the plan in force, and so
    does adjusting unless the latest version is a proposal: a later proposal, even a
    rejected one, never stops a clinician from holding or resuming the plan a person
    follows, and a hold never makes a proposal the plan followed.

    Raises:
        NotFoundError: there is no plan at all.
        InputError: no plan is in force to hold or adjust.
    """
    if not versions:
        raise NotFoundError("there is no plan yet (taperline plan ... --save)")
    latest = versions[-1]
    if action == "reject" or (latest.status == "proposed" and action in {"approve", "adjust"}):
        return latest
    followed = in_force(versions)
    if action == "approve":
        return followed if followed is not None and followed.status == "held" else latest
    if followed is None:
        raise InputError(f"cannot {action}: no plan is in force yet (approve one first)")
    return followed


def in_force(versions: Sequence[PlanVersion]) -> PlanVersion | None:
    """The plan a person follows now: the latest active or held version (proposals wait)."""
    followed = [v for v in versions if v.status in {"active", "held"}]
    return max(followed, key=lambda v: v.version) if followed else None


@dataclass(frozen=True, slots=True)
class PersonRecord:
    """Everything stored about one person, as exports and imports carry it.

    ``checkins`` hold no doses (``CheckIn.doses`` is empty): the dose log is ``doses``;
    :func:`with_doses` joins them for the findings.
    """

    profile: Profile
    checkins: tuple[CheckIn, ...] = ()
    doses: tuple[DoseRecord, ...] = ()
    scores: tuple[InstrumentScore, ...] = ()
    plans: tuple[PlanVersion, ...] = ()

    @property
    def plan(self) -> PlanVersion | None:
        """The plan in force (see :func:`in_force`)."""
        return in_force(self.plans)


def with_doses(checkins: Sequence[CheckIn], doses: Sequence[DoseRecord]) -> list[CheckIn]:
    """Check-ins with the taken doses of their day from the dose log attached.

    A dose taken after midnight but logged for the day before stays with its logged day
    only if it is on that date (``CheckIn`` holds the doses of its own date).
    """
    by_day: dict[date, list[TakenDose]] = {}
    for record in doses:
        taken = record.taken_at
        if taken is not None and record.amount is not None and taken.date() == record.day:
            by_day.setdefault(record.day, []).append(TakenDose(taken, record.amount))
    out = []
    for checkin in checkins:
        day_doses = by_day.get(checkin.wake_date)
        if not day_doses:
            out.append(checkin)
            continue
        # Already validated: the doses are on the check-in's date, so no need to re-check
        # the whole check-in (a copy with the sorted doses set, as __post_init__ would).
        out.append(_joined(checkin, tuple(sorted(day_doses, key=lambda d: d.taken_at))))
    return out


_CHECKIN_FIELDS: Final = tuple(f.name for f in fields(CheckIn))
_checkin_values: Final = attrgetter(*_CHECKIN_FIELDS)


def _joined(checkin: CheckIn, doses: tuple[TakenDose, ...]) -> CheckIn:
    """A copy of a validated check-in with ``doses`` set: what ``copy.copy`` makes, faster."""
    joined = object.__new__(CheckIn)
    set_field = object.__setattr__  # the class is frozen
    for name, value in zip(_CHECKIN_FIELDS, _checkin_values(checkin), strict=True):
        set_field(joined, name, value)
    set_field(joined, "doses", doses)
    return joined


def postpone(steps: Sequence[RecordStep], after: date, days: int) -> tuple[RecordStep, ...]:
    """The steps with every step starting after ``after`` moved ``days`` later (a hold).

    >>> from taperline.core.quantity import Mass
    >>> dose = (RecordDose("22:00", "clonazepam", Mass.of_mg(1)),)
    >>> steps = (RecordStep(date(2027, 1, 1), dose), RecordStep(date(2027, 1, 15), ()))
    >>> [s.start.isoformat() for s in postpone(steps, date(2027, 1, 10), 7)]
    ['2027-01-01', '2027-01-22']
    """
    if not 1 <= days <= MAX_POSTPONE_DAYS:
        raise InputError(f"a hold must be 1-{MAX_POSTPONE_DAYS} days, got {days}")
    if not any(s.start > after for s in steps):
        raise InputError("no step starts after today: there is nothing to postpone")
    return tuple(
        replace(s, start=s.start + timedelta(days=days)) if s.start > after else s for s in steps
    )
