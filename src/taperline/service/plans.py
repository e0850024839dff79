"""Plan use cases: save a planner result, decide on a version; every result passes the rules."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Final

from taperline.adapters.storage.repo import Store
from taperline.core.plan import Plan
from taperline.core.quantity import fmt
from taperline.core.record import (
    PlanAction,
    PlanBasis,
    PlanVersion,
    Profile,
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

if TYPE_CHECKING:
    from taperline.core.catalogue import Catalogue

__all__ = ["check_version_change", "checked_version", "decide_plan", "save_plan", "with_outside"]


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
        outside = check_version_change(followed, candidate, today, profile, what)
        basis = with_outside(basis, outside)
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


def with_outside(basis: PlanBasis, outside: Sequence[str]) -> PlanBasis:
    """``basis`` with more lines of what an override allowed (each once)."""
    lines = tuple(dict.fromkeys((*basis.outside_guideline, *outside)))
    return basis if lines == basis.outside_guideline else replace(basis, outside_guideline=lines)
