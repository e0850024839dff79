"""Plan versions, their statuses and the decisions that make one from another."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from types import MappingProxyType
from typing import Final, Literal, get_args

from taperline.core.journal import check_text
from taperline.core.record.entries import MAX_TEXT
from taperline.core.record.steps import PlanBasis, RecordDose, RecordStep, RecordSupply
from taperline.errors import InputError, NotFoundError

PlanStatus = Literal["proposed", "active", "held", "rejected"]
PLAN_STATUSES: Final[tuple[PlanStatus, ...]] = get_args(PlanStatus)
PlanAction = Literal["approve", "hold", "adjust", "reject", "proceed"]
MAX_POSTPONE_DAYS: Final = 365  # taperline's limit: a longer hold is a new plan


def _start_of(step: RecordStep) -> date:
    return step.start


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
        # the steps start on increasing dates (checked above): the last one started by ``day``
        index = bisect_right(self.steps, day, key=_start_of)
        return self.steps[index - 1] if index else None

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


def schedule_on(version: PlanVersion | None, day: date) -> tuple[RecordDose, ...]:
    """The doses planned for ``day`` (none on the off days of an every-other-day step)."""
    if version is None:
        return ()
    step = version.step_on(day)
    return () if step is None else step_doses_on(step, day)


def step_doses_on(step: RecordStep, day: date) -> tuple[RecordDose, ...]:
    """The doses of ``step`` on a day it is followed (none on the off days of every other day)."""
    if step.every_other_day and (day - step.start).days % 2 == 1:
        return ()
    return step.doses


_NEXT_STATUS: Final[Mapping[PlanAction, PlanStatus]] = MappingProxyType(
    {
        "approve": "active",
        "hold": "held",
        "adjust": "proposed",
        "reject": "rejected",
        "proceed": "active",
    }
)
_ALLOWED_FROM: Final[Mapping[PlanAction, frozenset[PlanStatus]]] = MappingProxyType(
    {
        "approve": frozenset({"proposed", "held"}),
        "hold": frozenset({"active"}),
        "adjust": frozenset({"active", "proposed", "held"}),
        "reject": frozenset({"proposed"}),
        "proceed": frozenset({"active"}),
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
    proposal; ``proceed`` keeps an active plan as it is and records a clinician's go-ahead
    with its coming cut (see :mod:`taperline.core.readiness`). Approving a held plan resumes
    it: the steps not yet taken move later by the days it was held (:func:`resume`), so no
    cut is skipped or doubled. Who and why are required. The new steps must pass
    :func:`taperline.core.rules.check_plan` before they are stored (the service layer does
    it).

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
    rejecting decides on the latest version. Holding and proceeding decide on the plan in
    force, and so does adjusting unless the latest version is a proposal: a later proposal,
    even a rejected one, never stops a clinician from holding or resuming the plan a person
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
