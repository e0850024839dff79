"""Plan versions: only inserted, never updated; a decision is a new version."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Final

from sqlalchemy import Connection, Row, bindparam, func, insert, select
from sqlalchemy.exc import IntegrityError

from taperline.adapters.lru import LruCache
from taperline.adapters.storage import schema as t
from taperline.adapters.storage.repo.common import _now, _StoreBase
from taperline.core.quantity import Mass
from taperline.core.record import (
    PlanAction,
    PlanBasis,
    PlanVersion,
    RecordDose,
    RecordStep,
    RecordSupply,
    decision_base,
    in_force,
    transition,
)
from taperline.errors import ConflictError, NotFoundError

_PLANS_OF: Final = (
    select(t.plan_versions)
    .where(t.plan_versions.c.person_id == t.PERSON_ID)
    .order_by(t.plan_versions.c.version)
)
_PLAN_KEY_COLUMNS: Final = tuple(
    t.plan_versions.c[name] for name in ("id", "person_id", "version", "created_at_utc")
)
_PLAN_KEYS_OF: Final = (
    select(*_PLAN_KEY_COLUMNS)
    .where(t.plan_versions.c.person_id == t.PERSON_ID)
    .order_by(t.plan_versions.c.version)
)
_PLANS_BY_ID: Final = select(t.plan_versions).where(
    t.plan_versions.c.id.in_(bindparam("ids", expanding=True))
)


def steps_json(steps: Sequence[RecordStep]) -> list[dict[str, Any]]:
    """Plan steps as JSON (amounts as exact decimal strings in ``amount_mg``)."""
    return [
        {
            "start_date": s.start.isoformat(),
            "rule": s.rule,
            "source": s.source,
            "every_other_day": s.every_other_day,
            "note": s.note,
            "reason": s.reason,
            "doses": [
                {
                    "clock": d.clock,
                    "drug": d.drug,
                    "amount_mg": format(d.amount.mg, "f"),
                    "instructions": list(d.instructions),
                }
                for d in s.doses
            ],
        }
        for s in steps
    ]


def steps_from_json(document: Sequence[dict[str, Any]]) -> tuple[RecordStep, ...]:
    """The inverse of :func:`steps_json`."""
    return tuple(
        RecordStep(
            date.fromisoformat(s["start_date"]),
            tuple(
                RecordDose(
                    d["clock"], d["drug"], Mass.of_mg(d["amount_mg"]), tuple(d["instructions"])
                )
                for d in s["doses"]
            ),
            s["rule"],
            s["source"],
            s["every_other_day"],
            s["note"],
            # absent in steps stored before migration 0004: the note kept an increase's reason
            s["reason"] if "reason" in s else RecordStep.legacy_reason(s["note"]),
        )
        for s in document
    )


def _plan_row(plan: PlanVersion) -> dict[str, Any]:
    return {
        "version": plan.version,
        "status": plan.status,
        "drug": plan.drug,
        "strategy": plan.strategy,
        "proposed_by": plan.proposed_by,
        "proposed_at_utc": plan.proposed_at,
        "decided_by": plan.decided_by,
        "decided_at_utc": plan.decided_at,
        "reason": plan.reason,
        "parent_version": plan.parent_version,
        "steps": steps_json(plan.steps),
        "supply": [
            {
                "period_start": s.period_start.isoformat(),
                "period_end": s.period_end.isoformat(),
                "drug": s.drug,
                "product": s.product,
                "count": format(s.count, "f"),
                "unit": s.unit,
            }
            for s in plan.supply
        ],
        "warnings": list(plan.warnings),
        "assumptions": dict(plan.assumptions),
        "basis": plan.basis.to_json(),
        "held_from": plan.held_from,
    }


def _plan(row: Row[Any]) -> PlanVersion:
    steps = steps_from_json(row.steps)
    return PlanVersion(
        version=row.version,
        status=row.status,
        drug=row.drug,
        strategy=row.strategy,
        steps=steps,
        proposed_by=row.proposed_by,
        proposed_at=row.proposed_at_utc,
        reason=row.reason,
        decided_by=row.decided_by,
        decided_at=row.decided_at_utc,
        parent_version=row.parent_version,
        supply=tuple(
            RecordSupply(
                date.fromisoformat(s["period_start"]),
                date.fromisoformat(s["period_end"]),
                s["drug"],
                s["product"],
                Decimal(s["count"]),
                s["unit"],
            )
            for s in row.supply
        ),
        warnings=tuple(row.warnings),
        assumptions=dict(row.assumptions),
        basis=PlanBasis.from_json(row.basis) if row.basis is not None else PlanBasis.legacy(steps),
        held_from=row.held_from,
    )


def _next_version(c: Connection, person_id: int) -> int:
    latest = c.execute(
        select(func.max(t.plan_versions.c.version)).where(t.plan_versions.c.person_id == person_id)
    ).scalar()
    return 1 if latest is None else int(latest) + 1


def _renumber(plan: PlanVersion, version: int) -> PlanVersion:
    return replace(plan, version=version)


def _plan_versions(c: Connection, person_id: int) -> list[PlanVersion]:
    """The person's plan versions, oldest first; each row is fetched and decoded once per process.

    Plan versions are insert-only, so a version is known by its key: the row's id, person,
    version and creation time (a deleted row whose id is used again is not mistaken for its
    successor). Only the keys are read each time; whole rows (whose JSON a driver would
    parse again on every fetch) only for versions not yet seen.
    """
    keys = [tuple(row) for row in c.execute(_PLAN_KEYS_OF, {"person_id": person_id})]
    missing = [key[0] for key in keys if _PLANS.get(key) is None]
    if missing:
        for row in c.execute(_PLANS_BY_ID, {"ids": missing}):
            _PLANS.put((row.id, row.person_id, row.version, row.created_at_utc), _plan(row))
    found = [_PLANS.get(key) for key in keys]
    if any(plan is None for plan in found):  # evicted between the two reads: decode again
        return [_plan(row) for row in c.execute(_PLANS_OF, {"person_id": person_id})]
    return [plan for plan in found if plan is not None]


_PLANS: Final[LruCache[tuple[Any, ...], PlanVersion]] = LruCache(4096)


class _Plans(_StoreBase):
    """Plan versions: add a plan, decide on one, read them and the plan in force."""

    def add_plan(self, person_id: int, plan: PlanVersion) -> PlanVersion:
        """Store ``plan`` as the person's next version (its ``version`` is assigned here)."""
        try:
            with self._write() as c:
                self._zone_of(c, person_id)
                version = _next_version(c, person_id)
                stored = _renumber(plan, version)
                c.execute(
                    insert(t.plan_versions).values(
                        **_plan_row(stored), person_id=person_id, created_at_utc=_now()
                    )
                )
                return stored
        except IntegrityError:
            raise ConflictError("the plan changed meanwhile; look again and retry") from None

    def decide(
        self,
        person_id: int,
        action: PlanAction,
        *,
        by: str,
        reason: str,
        at: datetime | None = None,
        version: int | None = None,
        steps: tuple[RecordStep, ...] | None = None,
        today: date | None = None,
        basis: PlanBasis | None = None,
    ) -> PlanVersion:
        """Approve, hold, adjust or reject a plan version: a new version records it.

        The version decided on is :func:`~taperline.core.record.decision_base`'s (the latest
        for approving or rejecting, the plan in force for holding). ``version``, when given,
        must be that one: deciding on another is refused (someone else changed the plan
        meanwhile). ``today`` is the person's date (a hold keeps its dose; approving a held
        plan resumes it). The steps must have passed the rules
        (:func:`taperline.service.decide_plan` checks them).
        """
        try:
            with self._write() as c:
                versions = _plan_versions(c, person_id)
                base = decision_base(versions, action)
                latest = versions[-1]
                if version is not None and version != base.version:
                    if version not in {v.version for v in versions}:
                        raise NotFoundError(f"plan version {version} not found")
                    raise ConflictError(
                        f"version {version} is not the one to {action} (version "
                        f"{base.version} is); look at the latest and decide on it"
                    )
                new = transition(
                    base,
                    action,
                    by=by,
                    reason=reason,
                    at=at or _now(),
                    new_version=latest.version + 1,
                    steps=steps,
                    today=today,
                    basis=basis,
                )
                c.execute(
                    insert(t.plan_versions).values(
                        **_plan_row(new), person_id=person_id, created_at_utc=_now()
                    )
                )
                return new
        except IntegrityError:
            raise ConflictError("the plan changed meanwhile; look again and retry") from None

    def plans(self, person_id: int) -> list[PlanVersion]:
        """Every plan version, oldest first."""
        with self._read() as c:
            return _plan_versions(c, person_id)

    def plan_in_force(self, person_id: int) -> PlanVersion | None:
        """The version being followed (latest active or held), if any."""
        return in_force(self.plans(person_id))
