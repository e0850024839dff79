"""Use cases: what the CLI and the web app do with a person's record.

Each function joins the pure core (checks, findings) and the store (one transaction per
write). The interfaces pass in the clock (``now``, timezone-aware) so that "today" is the
person's own date in their time zone.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Final

from taperline.adapters.storage.repo import Saved, Store, zone
from taperline.core.findings import Finding
from taperline.core.instruments import InstrumentScore
from taperline.core.journal import CheckIn, validate_not_future
from taperline.core.metrics import burden, night_metrics, sleep_efficiency
from taperline.core.plan import Plan
from taperline.core.quantity import fmt
from taperline.core.record import (
    DoseRecord,
    PersonRecord,
    PlanAction,
    PlanBasis,
    PlanVersion,
    Profile,
    RecordDose,
    RecordStep,
    catch_up,
    decision_base,
    in_force,
    plan_steps,
    postpone,
    resume,
    schedule_on,
    transition,
)
from taperline.core.review import Review, review
from taperline.errors import InputError

if TYPE_CHECKING:
    from taperline.core.catalogue import Catalogue

__all__ = [
    "DayGlance",
    "DoseToday",
    "Status",
    "checked_version",
    "checkin_document",
    "decide_plan",
    "finding_document",
    "glance",
    "import_record",
    "local_today",
    "open_store",
    "person_review",
    "plan_version_document",
    "record_checkin",
    "record_dose",
    "record_score",
    "review_document",
    "save_plan",
    "status",
]


def open_store(url: str, *, migrate_schema: bool = True) -> Store:
    """A store on ``url``, migrated to the newest schema first (the default)."""
    from taperline.adapters.storage.db import make_engine, migrate

    engine = make_engine(url)
    if migrate_schema:
        migrate(engine)
    return Store(engine)


def local_today(time_zone: str, now: datetime) -> date:
    """The date it is now in ``time_zone`` (``now`` must be timezone-aware)."""
    if now.tzinfo is None:
        raise InputError("now must be timezone-aware")
    return now.astimezone(zone(time_zone)).date()


def record_checkin(
    store: Store,
    person_id: int,
    checkin: CheckIn,
    *,
    now: datetime,
    idempotency_key: str | None = None,
    replace: bool = False,
) -> tuple[Saved, Review]:
    """Store a check-in (never one dated in the future) and review the record at once.

    The review is returned so an urgent finding (a red flag) is shown straight away.
    """
    today = local_today(store.profile(person_id).time_zone, now)
    validate_not_future(checkin, today)
    saved = store.save_checkin(person_id, checkin, idempotency_key=idempotency_key, replace=replace)
    return saved, person_review(store, person_id, now=now)


def record_dose(
    store: Store,
    person_id: int,
    dose: DoseRecord,
    *,
    now: datetime,
    idempotency_key: str | None = None,
) -> Saved:
    """Add a dose to the log (never one dated in the future)."""
    today = local_today(store.profile(person_id).time_zone, now)
    if dose.day > today:
        raise InputError(f"day {dose.day.isoformat()} is in the future (today is {today})")
    return store.log_dose(person_id, dose, idempotency_key=idempotency_key)


def record_score(
    store: Store,
    person_id: int,
    score: InstrumentScore,
    *,
    now: datetime,
    idempotency_key: str | None = None,
) -> tuple[Saved, Review]:
    """Store a PHQ-9 or GAD-7 and review (item 9 above 0 raises an urgent finding)."""
    today = local_today(store.profile(person_id).time_zone, now)
    if score.taken_on is None or score.taken_on > today:
        raise InputError("the questionnaire's date must be given and not in the future")
    saved = store.save_score(person_id, score, idempotency_key=idempotency_key)
    return saved, person_review(store, person_id, now=now)


def person_review(store: Store, person_id: int, *, now: datetime) -> Review:
    """All findings on the person's record as of their today."""
    record = store.record(person_id)
    return review(record, local_today(record.profile.time_zone, now))


def checked_version(
    version: PlanVersion, catalogue: Catalogue | None = None, profile: Profile | None = None
) -> PlanVersion:
    """``version`` once it passes the rules engine, with what is outside the guideline noted.

    Every path that stores a plan calls this: a planner result, a decision that changes the
    steps (adjust, approving a proposal or a held plan), an imported record. With the
    person's ``profile`` the maximum follows what they take it for, and under 18 is refused.

    Raises:
        SafetyError: the plan breaks a rule (the message names it, the guideline and the fix).
    """
    from taperline.core.plan_limits import check_version
    from taperline.core.rules import is_reason

    if catalogue is None:
        from taperline.catalogue_data import load_catalogue

        catalogue = load_catalogue()
    report = check_version(catalogue, version, profile)
    report.raise_if_refused()
    # The settings the planner found beyond the guideline (a strategy's percent, say) have no
    # date and cannot be worked out again from the steps: kept while the override stands.
    kept = [
        line
        for line in version.basis.outside_guideline
        if not _DATED.match(line) and is_reason(version.basis.override_reason)
    ]
    outside = tuple(dict.fromkeys([*kept, *report.outside_guideline]))
    return replace(version, basis=replace(version.basis, outside_guideline=outside))


_DATED: Final = re.compile(r"^\d{4}-\d{2}-\d{2}: ")


def save_plan(store: Store, person_id: int, plan: Plan, *, by: str, now: datetime) -> PlanVersion:
    """Store a planner result as a new ``proposed`` version (a clinician approves it later)."""
    steps, supply = plan_steps(plan)
    version = PlanVersion(
        version=0,
        status="proposed",
        drug=plan.drug,
        strategy=plan.strategy,
        steps=steps,
        proposed_by=by,
        proposed_at=now.astimezone(UTC),
        supply=supply,
        warnings=tuple(plan.warnings),
        assumptions=dict(plan.assumptions),
        basis=plan.basis,
    )
    return store.add_plan(person_id, checked_version(version, profile=store.profile(person_id)))


def decide_plan(
    store: Store,
    person_id: int,
    action: PlanAction,
    *,
    by: str,
    reason: str,
    now: datetime,
    version: int | None = None,
    delay_days: int | None = None,
) -> PlanVersion:
    """Approve, hold, reject or adjust (postpone by ``delay_days``) a plan: a new version.

    Holding and adjusting act on the plan in force (:func:`decision_base`); a hold keeps the
    dose of the person's today. Approving a proposal starts it from today: what it planned
    after the day it was proposed moves later by the days it waited (:func:`catch_up`), and
    approving a held plan resumes it (:func:`resume`). The new steps pass the rules engine,
    and so does the change from the dose taken today to the dose the new version gives.

    Raises:
        NotFoundError: there is no plan.
        ConflictError: ``version`` is not the one to decide on (someone decided meanwhile).
        SafetyError: the new steps, or the change from today's dose, break a rule.
    """
    versions = store.plans(person_id)
    base = decision_base(versions, action)
    profile = store.profile(person_id)
    today = local_today(profile.time_zone, now)
    steps = None
    if action == "adjust":
        if delay_days is None:
            raise InputError("postpone_days: say how many days to postpone the coming steps")
        steps = postpone(resume(base, today), today, delay_days)
    elif action == "approve" and base.status == "proposed":
        proposed_on = local_today(profile.time_zone, base.proposed_at)
        steps = catch_up(base.steps, proposed_on, today)
    candidate = transition(
        base,
        action,
        by=by,
        reason=reason,
        at=now,
        new_version=versions[-1].version + 1,
        steps=steps,
        today=today,
    )
    basis = None
    if action in {"approve", "adjust"}:
        basis = checked_version(candidate, profile=profile).basis
    followed = in_force(versions)
    resumed = followed is not None and followed.version == base.version
    if action == "approve" and basis is not None and followed is not None and not resumed:
        what = f"approving version {base.version} today"
        outside = _check_change(followed, candidate, today, profile, what)
        basis = _with_outside(basis, outside)
    return store.decide(
        person_id,
        action,
        by=by,
        reason=reason,
        at=now,
        version=version if version is not None else base.version,
        steps=candidate.steps if steps is not None else None,
        today=today,
        basis=basis,
    )


def _check_change(
    followed: PlanVersion, candidate: PlanVersion, day: date, profile: Profile, what: str
) -> tuple[str, ...]:
    """Refuse a new version whose dose on ``day`` jumps from the dose of the plan followed.

    Returns what the candidate's override reason allowed of the change (lines for its
    basis, so the mark shows on it); raises :class:`SafetyError` for what it may not.
    """
    from taperline.catalogue_data import load_catalogue
    from taperline.core.plan_limits import check_change
    from taperline.errors import SafetyError

    report = check_change(load_catalogue(), followed, candidate, day, profile)
    if report.refused:
        taken = followed.step_on(day) or followed.steps[0]
        dose = fmt(taken.daily) if taken.doses else "no dose"
        raise SafetyError(
            f"{what} would change the dose taken on {day.isoformat()} ({dose} a day, by "
            f"version {followed.version}): "
            + "; ".join(dict.fromkeys(v.message for v in report.refused))
        )
    # Not dated at the start: a later check of the candidate's own steps keeps these lines.
    return tuple(
        f"the change from version {followed.version} on {day.isoformat()}: {v.outside or v.message}"
        for v in report.overridden
    )


def import_record(store: Store, record: PersonRecord, *, now: datetime | None = None) -> int:
    """Store an imported record as a new person, once every plan version passes the rules.

    A rejected proposal is history (it can never be approved) and is kept as it is. The
    rules read the imported profile (what the drug is taken for, the age), not a plan's own
    claim; a hold cannot begin after today.
    """
    today = local_today(record.profile.time_zone, now or datetime.now(UTC))
    plans: list[PlanVersion] = []
    followed: PlanVersion | None = None
    for version in sorted(record.plans, key=lambda p: p.version):
        if version.status == "rejected":
            plans.append(version)
            continue
        checked = _imported(version, record.profile, today)
        if version.status in {"active", "held"}:
            if followed is not None:
                checked = _imported_change(followed, checked, record.profile)
            followed = checked
        plans.append(checked)
    return store.import_record(replace(record, plans=tuple(plans)))


def _imported_change(followed: PlanVersion, version: PlanVersion, profile: Profile) -> PlanVersion:
    """An imported version put in force after another: the change on its day is checked too.

    Its day is the person's date it was decided on; a resumed hold is checked like any
    other change (an import's steps were not worked out by taperline).
    """
    day = local_today(profile.time_zone, version.decided_at or version.proposed_at)
    what = f"plan version {version.version} of the import (nothing was imported)"
    outside = _check_change(followed, version, day, profile, what)
    return replace(version, basis=_with_outside(version.basis, outside))


def _with_outside(basis: PlanBasis, outside: Sequence[str]) -> PlanBasis:
    """``basis`` with more lines of what an override allowed (each once)."""
    lines = tuple(dict.fromkeys((*basis.outside_guideline, *outside)))
    return basis if lines == basis.outside_guideline else replace(basis, outside_guideline=lines)


def _imported(version: PlanVersion, profile: Profile, today: date) -> PlanVersion:
    from taperline.errors import SafetyError

    if version.held_from is not None and version.held_from > today:
        raise InputError(
            f"plan version {version.version} of the import is held from "
            f"{version.held_from.isoformat()}, after today ({today.isoformat()}): nothing was "
            "imported"
        )
    try:
        return checked_version(version, profile=profile)
    except SafetyError as error:
        raise SafetyError(
            f"plan version {version.version} of the import breaks a safety rule, so nothing was"
            f" imported: {error}"
        ) from None


@dataclass(frozen=True, slots=True)
class DoseToday:
    """A planned dose of today and what the log says of it."""

    planned: RecordDose
    taken: DoseRecord | None

    @property
    def done(self) -> bool:
        """Taken (on time or late)."""
        return self.taken is not None and self.taken.taken_at is not None


@dataclass(frozen=True, slots=True)
class DayGlance:
    """One day of the last two weeks at a glance."""

    day: date
    checked_in: bool
    mood: int | None
    anxiety: int | None
    burden: int | None
    se_pct: float | None
    doses_taken: int
    doses_missed: int


@dataclass(frozen=True, slots=True)
class Status:
    """Today: doses, next change, the review and the last 14 days."""

    today: date
    plan: PlanVersion | None
    doses: tuple[DoseToday, ...]
    next_change: RecordStep | None
    checked_in_today: bool
    review: Review
    days: tuple[DayGlance, ...]


def _match_doses(planned: tuple[RecordDose, ...], logged: list[DoseRecord]) -> list[DoseToday]:
    remaining = list(logged)
    out = []
    for dose in planned:
        match = next((d for d in remaining if d.planned_clock == dose.clock), None)
        if match is not None:
            remaining.remove(match)
        out.append(DoseToday(dose, match))
    return out


def glance(record: PersonRecord, today: date, days: int = 14) -> tuple[DayGlance, ...]:
    """The last ``days`` days, oldest first."""
    by_day = {c.wake_date: c for c in record.checkins}
    first = today - timedelta(days=days - 1)
    counts: dict[date, list[int]] = {}  # day -> [doses taken, doses missed]
    for dose in record.doses:
        if first <= dose.day <= today:
            count = counts.setdefault(dose.day, [0, 0])
            count[0 if dose.taken_at is not None else 1] += 1
    out = []
    for offset in range(days - 1, -1, -1):
        day = today - timedelta(days=offset)
        checkin = by_day.get(day)
        taken, missed = counts.get(day, (0, 0))
        if checkin is None:
            out.append(
                DayGlance(
                    day,
                    checked_in=False,
                    mood=None,
                    anxiety=None,
                    burden=None,
                    se_pct=None,
                    doses_taken=taken,
                    doses_missed=missed,
                )
            )
            continue
        sleep = checkin.sleep
        out.append(
            DayGlance(
                day,
                checked_in=True,
                mood=checkin.mood,
                anxiety=checkin.anxiety,
                burden=burden(checkin),
                se_pct=sleep_efficiency(sleep) if sleep is not None else None,
                doses_taken=taken,
                doses_missed=missed,
            )
        )
    return tuple(out)


def status(store: Store, person_id: int, *, now: datetime) -> Status:
    """What today looks like for the person."""
    record = store.record(person_id)
    today = local_today(record.profile.time_zone, now)
    plan = record.plan
    planned = schedule_on(plan, today)
    logged = [d for d in record.doses if d.day == today]
    return Status(
        today=today,
        plan=plan,
        doses=tuple(_match_doses(planned, logged)),
        next_change=plan.next_change(today) if plan and plan.status == "active" else None,
        checked_in_today=any(c.wake_date == today for c in record.checkins),
        review=review(record, today),
        days=glance(record, today),
    )


def finding_document(finding: Finding) -> dict[str, Any]:
    """A finding as JSON (the keys of the findings contract)."""
    return {
        "kind": finding.kind,
        "severity": finding.severity,
        "message": finding.message,
        "evidence": [
            {"date": e.day.isoformat(), "label": e.label, "value": e.value}
            for e in finding.evidence
        ],
        "source": finding.source,
        "suggested_action": finding.suggested_action,
        "clinician_flag": finding.clinician_flag,
    }


def review_document(result: Review) -> dict[str, Any]:
    """A review as JSON: findings, proposal, what was not checked."""
    return {
        "findings": [finding_document(f) for f in result.findings],
        "proposal": {
            "action": result.proposal.action,
            "hold_days": result.proposal.hold_days,
            "reasons": list(result.proposal.reasons),
            "clinician_only": result.proposal.clinician_only,
            "status": result.proposal.status,
        },
        "skipped": list(result.skipped),
    }


def plan_version_document(plan: PlanVersion) -> dict[str, Any]:
    """A stored plan version as JSON, with its guideline mark (see :func:`guideline_document`)."""
    from taperline.adapters.documents import guideline_document

    return {
        "version": plan.version,
        "status": plan.status,
        "drug": plan.drug,
        "strategy": plan.strategy,
        "proposed_by": plan.proposed_by,
        "proposed_at_utc": plan.proposed_at.isoformat(),
        "decided_by": plan.decided_by,
        "decided_at_utc": plan.decided_at.isoformat() if plan.decided_at else None,
        "reason": plan.reason,
        "parent_version": plan.parent_version,
        "held_from": plan.held_from.isoformat() if plan.held_from else None,
        "guideline": guideline_document(plan.basis),
        "steps": [
            {
                "start_date": s.start.isoformat(),
                "daily_dose_mg": float(s.daily.mg),
                "daily_dose": fmt(s.daily),
                "every_other_day": s.every_other_day,
                "rule": s.rule,
                "source": s.source,
                "note": s.note,
                "reason": s.reason or None,
                "doses": [
                    {
                        "time": d.clock,
                        "drug": d.drug,
                        "amount_mg": float(d.amount.mg),
                        "amount": fmt(d.amount),
                        "instructions": list(d.instructions),
                    }
                    for d in s.doses
                ],
            }
            for s in plan.steps
        ],
    }


def checkin_document(checkin: CheckIn) -> dict[str, Any]:
    """A check-in as JSON (local wall-clock times; units in the keys)."""
    sleep = checkin.sleep
    night: Mapping[str, Any] | None = None
    if sleep is not None:
        metrics = night_metrics(sleep)
        night = {
            "bed": sleep.bed.isoformat(timespec="minutes"),
            "tried": sleep.tried.isoformat(timespec="minutes"),
            "final_wake": sleep.final_wake.isoformat(timespec="minutes"),
            "out_of_bed": sleep.out_of_bed.isoformat(timespec="minutes"),
            "sol_min": sleep.sol_min,
            "waso_min": sleep.waso_min,
            "awakenings": sleep.awakenings,
            "quality_1_5": sleep.quality,
            "tib_min": metrics.tib_min,
            "tst_min": metrics.tst_min,
            "se_pct": round(metrics.se_pct, 1),
        }
    return {
        "date": checkin.wake_date.isoformat(),
        "sleep": night,
        "mood_0_10": checkin.mood,
        "anxiety_0_10": checkin.anxiety,
        "symptoms_0_3": dict(checkin.symptoms),
        "burden": burden(checkin),
        "worst_time": checkin.worst_time,
        "caffeine_drinks": checkin.caffeine_drinks,
        "alcohol_drinks": checkin.alcohol_drinks,
        "opioid_use": checkin.opioid_use,
        "events": sorted(checkin.events),
        "notes": checkin.notes,
    }
