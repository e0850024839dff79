"""Plan use cases: save a planner result, decide on a version; every result passes the rules."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Final

from taperline.adapters.storage.repo import Store
from taperline.core.plan import Plan
from taperline.core.quantity import fmt
from taperline.core.readiness import Readiness, ReadinessRules
from taperline.core.record import (
    PersonRecord,
    PlanAction,
    PlanBasis,
    PlanVersion,
    Profile,
    RecordStep,
    Regimen,
    catch_up,
    decision_base,
    in_force,
    plan_steps,
    postpone,
    resume,
    transition,
)
from taperline.errors import InputError
from taperline.service.store import local_today
from taperline.service.today import readiness_of

if TYPE_CHECKING:
    from taperline.core.catalogue import Catalogue

__all__ = [
    "check_version_change",
    "checked_version",
    "decide_plan",
    "hold_keeps_dose_before_cut",
    "regimen_version",
    "save_plan",
    "with_outside",
    "with_regimen_warning",
]


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
    """Approve, hold, reject, adjust (postpone by ``delay_days``) or proceed: a new version.

    Holding, adjusting and proceeding act on the plan in force (:func:`decision_base`); a hold
    keeps the dose of the person's today, except while the readiness check makes a cut a
    question (:attr:`~taperline.core.readiness.Readiness.is_question`: Hold, unanswered, on the
    cut day or after) or the day is finished on the dose before it: then it keeps the dose
    before that cut, the dose the patient was asked to stay on. ``proceed`` is a clinician's
    go-ahead with the cut the readiness check is about (the plan is unchanged; the reason
    recorded names the cut); it is refused when no cut is in view. Approving a proposal starts
    it from today: what it planned after the day it was proposed moves later by the days it
    waited (:func:`catch_up`), and approving a held plan resumes it (:func:`resume`). The new
    steps pass the rules engine, and so does the change from the dose taken today to the dose
    the new version gives.

    Raises:
        NotFoundError: there is no plan.
        ConflictError: ``version`` is not the one to decide on (someone decided meanwhile).
        SafetyError: the new steps, or the change from today's dose, break a rule.
        InputError: ``proceed`` with no cut in view.
    """
    versions = store.plans(person_id)
    base = decision_base(versions, action)
    profile = store.profile(person_id)
    today = local_today(profile.time_zone, now)
    decided_on = today
    if action in {"hold", "proceed"}:
        decided_on, reason = _readiness_decision(store, person_id, action, today, reason)
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
        outside = check_version_change(followed, candidate, today, profile, what)
        basis = with_outside(basis, outside)
    elif action == "approve" and basis is not None and followed is None and profile.regimen:
        # no plan in force: the change is from the regimen the person takes (never an
        # increase of it on its own, as from a plan in force)
        what = f"approving version {base.version} today (from the recorded regimen)"
        taken = regimen_version(profile.regimen, candidate, today)
        basis = with_outside(basis, check_version_change(taken, candidate, today, profile, what))
    return store.decide(
        person_id,
        action,
        by=by,
        reason=reason,
        at=now,
        version=version if version is not None else base.version,
        steps=candidate.steps if steps is not None else None,
        today=decided_on,
        basis=basis,
    )


def _readiness_decision(
    store: Store, person_id: int, action: PlanAction, today: date, reason: str
) -> tuple[date, str]:
    """The day a hold keeps the dose of, and the reason recorded, given the readiness check.

    A hold while a cut is a question, or on the day a go-ahead with it finished on the dose
    before it (:attr:`~taperline.core.readiness.Readiness.finishes_on_before`) or may have
    (a dose to stay on until the go-ahead not logged yet), keeps the dose of the day before
    that cut. A proceed
    names the cut it goes ahead with in its reason; with no cut in view it is refused.
    """
    record = store.record(person_id)
    check = readiness_of(record, today)
    if action == "hold":
        # while the cut is a question, or on the day finished on the dose before it (a
        # go-ahead after a dose to stay on was taken that day), the person's dose today is
        # the dose before the cut; so it may be while a dose to stay on until today's
        # go-ahead is not logged (taken, it finishes the day on the dose before the cut)
        stays = hold_keeps_dose_before_cut(record, today, check)
        return (check.cut - timedelta(days=1) if check and stays else today), reason
    if not reason.strip():
        raise InputError("--reason is empty: say why")
    if check is None:
        raise InputError(
            f"proceed: no dose change is due within {ReadinessRules().lead_days} days or"
            " waiting for a decision, so there is no cut to go ahead with"
        )
    return today, f"go ahead with the cut of {check.cut.isoformat()}: {reason.strip()}"


def hold_keeps_dose_before_cut(record: PersonRecord, today: date, check: Readiness | None) -> bool:
    """Whether a hold made ``today`` keeps the dose before the cut in view, not today's dose.

    ``check``: today's readiness check (:func:`taperline.service.today.readiness_of`). While
    its cut is a question, or the day is finished on the dose before it, or may be (a dose to
    stay on until today's go-ahead not logged yet): what :func:`decide_plan` holds, and what
    the clinician's decision form says it will.
    """
    return check is not None and (check.stays_on_before or _stay_unsaid(record, today))


def _stay_unsaid(record: PersonRecord, today: date) -> bool:
    """Whether a dose to stay on until a go-ahead today is not logged yet (taken or not)."""
    from taperline.service.journal import unlogged_stays

    return bool(unlogged_stays(record, today))


def check_version_change(
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


def with_regimen_warning(plan: Plan, profile: Profile, *, plan_in_force: bool) -> Plan:
    """``plan`` with a warning when it starts above the regimen the person is recorded taking.

    With no plan in force, the regimen is what the person takes: a plan starting above it is
    an increase, which approving refuses (:func:`decide_plan`); the preview says so first.
    """
    regimen = profile.regimen
    if plan_in_force or regimen is None or not plan.steps or regimen.drug != plan.drug:
        return plan
    start = plan.steps[0].daily
    if start.mg <= regimen.daily.mg:
        return plan
    warning = (
        f"an increase: the plan starts from {fmt(start)} a day, above the regimen recorded"
        f" for the person ({regimen.text}, {fmt(regimen.daily)} a day); it cannot be approved"
        " as it is (never an increase on its own): correct the regimen if it changed"
    )
    return replace(plan, warnings=(warning, *plan.warnings))


def regimen_version(regimen: Regimen, candidate: PlanVersion, today: date) -> PlanVersion:
    """The regimen the person takes, as a plan followed up to ``today`` (to check a change).

    >>> from datetime import UTC, datetime
    >>> from taperline.core.quantity import Mass
    >>> taken = Regimen.of("clonazepam", [("22:00", Mass.of_mg(1))])
    >>> more = Regimen.of("clonazepam", [("22:00", Mass.of_mg(2))])
    >>> first = RecordStep(date(2027, 1, 8), more.doses)
    >>> plan = PlanVersion(1, "proposed", "clonazepam", "fixed", (first,), "Dr A",
    ...                    datetime(2027, 1, 1, tzinfo=UTC))
    >>> fmt(regimen_version(taken, plan, date(2027, 1, 5)).steps[0].daily)
    '1 mg'
    """
    step = RecordStep(today - timedelta(days=1), regimen.doses)
    return replace(candidate, version=0, status="active", steps=(step,), supply=(), warnings=())


def with_outside(basis: PlanBasis, outside: Sequence[str]) -> PlanBasis:
    """``basis`` with more lines of what an override allowed (each once)."""
    lines = tuple(dict.fromkeys((*basis.outside_guideline, *outside)))
    return basis if lines == basis.outside_guideline else replace(basis, outside_guideline=lines)
