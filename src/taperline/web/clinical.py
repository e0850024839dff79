"""What a clinician does with a shared patient's record (no routes here).

The patient list, a decision on a plan version and a proposal from the plan builder's
fields: the clinician pages and the JSON API both call these, and they call the service.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Final

from taperline.core.findings import FINDING_KIND_LABELS
from taperline.core.record import PersonRecord, PlanAction, PlanVersion, Profile
from taperline.errors import InputError
from taperline.plan_input import PlanSpec
from taperline.service import decide_plan, local_today, pending_plan, save_plan
from taperline.service.plans import with_regimen_warning
from taperline.service.store import review_as_of
from taperline.web.auth import Viewer
from taperline.web.context import Services
from taperline.web.forms import FormInput

__all__ = ["ACTIONS", "PatientRow", "apply_decision", "decide", "patient_rows", "propose_for"]

ACTIONS: Final[tuple[PlanAction, ...]] = ("approve", "hold", "adjust", "reject", "proceed")


@dataclass(frozen=True, slots=True)
class PatientRow:
    """One line of the patient list."""

    person_id: int
    name: str
    urgent: int
    flagged: int
    warnings: int
    latest: tuple[str, ...]
    latest_day: date | None
    proposal: str
    plan_status: str
    pending: bool
    last_checkin: date | None

    def order(self) -> tuple[int, int, int, str, str]:
        """Flags first, then clinician flags, warnings, the latest finding, the name."""
        latest = self.latest_day.isoformat() if self.latest_day else ""
        return (-self.urgent, -self.flagged, -self.warnings, _desc(latest), self.name.casefold())


def _desc(text: str) -> str:
    return "".join(chr(0x10FFFF - ord(ch)) for ch in text)


def _row(person_id: int, name: str, record: PersonRecord, today: date) -> PatientRow:
    result = review_as_of(record, today)
    findings = result.findings
    days = [e.day for f in findings for e in f.evidence]
    plan = record.plan
    return PatientRow(
        person_id=person_id,
        name=name,
        urgent=sum(f.severity == "urgent" for f in findings),
        flagged=sum(f.clinician_flag for f in findings),
        warnings=sum(f.severity == "warning" for f in findings),
        latest=tuple(dict.fromkeys(FINDING_KIND_LABELS[f.kind] for f in findings))[:4],
        latest_day=max(days, default=None),
        proposal=result.proposal.words,
        plan_status=plan.status if plan else "no plan",
        pending=pending_plan(record) is not None,
        last_checkin=max((c.wake_date for c in record.checkins), default=None),
    )


def patient_rows(svc: Services, clinician_id: int) -> list[PatientRow]:
    """The clinician's patients, red flags and latest findings first."""
    rows = []
    for link in svc.accounts.patients_of(clinician_id):
        record = svc.store.record(link.person_id)
        today = local_today(record.profile.time_zone, svc.now())
        rows.append(_row(link.person_id, link.display_name, record, today))
    return sorted(rows, key=PatientRow.order)


def apply_decision(
    svc: Services,
    viewer: Viewer,
    pid: int,
    version: int,
    *,
    action: str,
    reason: str,
    postpone_days: int | None = None,
) -> PlanVersion:
    """Approve, hold, reject, adjust (postpone the coming steps) or proceed with a cut.

    The decision goes through :func:`taperline.service.decide_plan`, as from the CLI: the
    new steps of an adjust or of resuming a held plan pass the same safety rules.
    """
    if action not in ACTIONS:
        raise InputError(f"action: choose one of {', '.join(ACTIONS)}")
    if not reason.strip():
        raise InputError("reason: say why (it is kept with the new plan version)")
    new = decide_plan(
        svc.store,
        pid,
        action,
        by=f"{viewer.user.display_name} (clinician)",
        reason=reason.strip(),
        now=svc.now(),
        version=version,
        delay_days=postpone_days,
    )
    svc.accounts.audit(
        viewer.user, pid, "write", f"plan v{version}: {action} -> v{new.version}", svc.now()
    )
    return new


def decide(svc: Services, viewer: Viewer, pid: int, version: int, given: FormInput) -> PlanVersion:
    """:func:`apply_decision` with the fields of the decision form."""
    action = given.text("action", max_len=10)
    days = given.optional_integer("postpone_days", 1, 365) if action == "adjust" else None
    return apply_decision(
        svc,
        viewer,
        pid,
        version,
        action=action,
        reason=given.text("reason", max_len=2000),
        postpone_days=days,
    )


def propose_for(
    svc: Services, viewer: Viewer, pid: int, spec_of: Callable[[Profile], PlanSpec]
) -> PlanVersion:
    """Plan from a spec (made with the patient's profile) and store it as a proposal.

    The one path of the builder form and the JSON API: the same parser, planner and rules.
    """
    from taperline.catalogue_data import load_catalogue
    from taperline.core.plan import propose
    from taperline.plan_input import build_request

    profile = svc.store.profile(pid)
    today = local_today(profile.time_zone, svc.now())
    plan = propose(build_request(load_catalogue(), spec_of(profile), today=today))
    in_force = svc.store.plan_in_force(pid) is not None
    plan = with_regimen_warning(plan, profile, plan_in_force=in_force)
    saved = save_plan(
        svc.store, pid, plan, by=f"{viewer.user.display_name} (clinician)", now=svc.now()
    )
    svc.accounts.audit(viewer.user, pid, "write", f"plan v{saved.version} proposed", svc.now())
    return saved
