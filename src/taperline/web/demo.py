"""Demo accounts for a development server: a clinician and a patient with five weeks of data.

Everything is clearly marked: the patient is called "Demo patient", every check-in note
says "demo data", and the plan's reasons say so too. Demo accounts are refused outside
development. Each start gives the demo accounts new random passwords (printed by
``taperline serve --demo``), so a demo database never has a known password.
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Final

from taperline.adapters.storage.accounts import User
from taperline.core.instruments import score_gad7, score_phq9
from taperline.core.journal import CheckIn, SleepDiary, night_times
from taperline.core.quantity import Mass
from taperline.core.record import DoseRecord, PlanVersion, Profile, schedule_on
from taperline.errors import InputError
from taperline.service import (
    decide_plan,
    import_checkins,
    import_doses,
    local_today,
    record_score,
    save_plan,
    save_profile,
)
from taperline.web.context import Services
from taperline.web.security import hash_token, invite_hash

__all__ = ["DEMO_CLINICIAN", "DEMO_PATIENT", "DemoAccounts", "ensure_demo"]

DEMO_CLINICIAN: Final = "demo-clinician@example.org"
DEMO_PATIENT: Final = "demo-patient@example.org"
DEMO_ZONE: Final = "America/New_York"
DEMO_DAYS: Final = 35
NOTE: Final = "demo data"


@dataclass(frozen=True, slots=True)
class DemoAccounts:
    """The demo sign-ins (passwords are new at every start) and whether data was made now."""

    clinician_email: str
    clinician_password: str
    patient_email: str
    patient_password: str
    created: bool


def _password() -> str:
    return "demo-" + secrets.token_urlsafe(12)


def _user(
    svc: Services, email: str, name: str, password: str, person_id: int | None
) -> tuple[User, bool]:
    found = svc.accounts.credentials(email)
    if found is not None:
        svc.accounts.set_password(found[0].id, svc.passwords.hash(password))
        return found[0], False
    user = svc.accounts.create_user(
        email=email,
        password_hash=svc.passwords.hash(password),
        role="clinician" if person_id is None else "patient",
        display_name=name,
        person_id=person_id,
        now=svc.now(),
    )
    return user, True


def ensure_demo(svc: Services) -> DemoAccounts:
    """Make the demo clinician and patient (with data) if missing; new passwords either way."""
    if not svc.settings.development:
        raise InputError("demo accounts are for development servers only (TAPERLINE_ENV)")
    clinician_password, patient_password = _password(), _password()
    clinician, _ = _user(svc, DEMO_CLINICIAN, "Demo clinician", clinician_password, None)
    created = svc.accounts.credentials(DEMO_PATIENT) is None
    if created:
        person_id = save_profile(
            svc.store, None, Profile(DEMO_ZONE, "40-64", (), (), label="Demo patient")
        )
        _user(svc, DEMO_PATIENT, "Demo patient", patient_password, person_id)
        _fill(svc, person_id, clinician)
        _share(svc, clinician, person_id)
    else:
        _user(svc, DEMO_PATIENT, "Demo patient", patient_password, None)
    return DemoAccounts(DEMO_CLINICIAN, clinician_password, DEMO_PATIENT, patient_password, created)


def _share(svc: Services, clinician: User, person_id: int) -> None:
    code = hash_token(secrets.token_urlsafe(16))
    key = invite_hash(svc.settings.secret_key, code)
    svc.accounts.create_invite(clinician.id, key, now=svc.now(), valid_for=timedelta(days=1))
    svc.accounts.accept_invite(key, person_id, svc.now())


def _plan(
    svc: Services, person_id: int, start: date, clinician: User, now: datetime
) -> PlanVersion:
    from taperline.catalogue_data import load_catalogue
    from taperline.core.plan import PlanRequest, propose
    from taperline.core.regimen import ScheduledDose
    from taperline.core.strategies import Strategy

    request = PlanRequest(
        drug=load_catalogue().get("clonazepam"),
        regimen=(ScheduledDose(22.0, Mass.of_mg(1)),),
        start=start,
        strategy=Strategy(kind="percent", percent=Decimal(10), interval_days=14),
    )
    by = f"{clinician.display_name} (clinician)"
    save_plan(svc.store, person_id, propose(request), by=by, now=now - timedelta(days=DEMO_DAYS))
    return decide_plan(
        svc.store,
        person_id,
        "approve",
        by=by,
        reason="demo data: agreed at the first visit",
        now=now - timedelta(days=DEMO_DAYS - 1),
    )


def _day(rng: random.Random, day: date, flare: int) -> CheckIn:
    times = night_times(
        day,
        bed=f"22:{rng.randint(40, 59)}",
        tried=f"23:{rng.randint(0, 15):02d}",
        final_wake=f"06:{rng.randint(20, 50)}",
        out_of_bed="07:00",
    )
    sleep = SleepDiary(
        *times,
        sol_min=rng.randint(15, 35) + 15 * flare,
        waso_min=rng.randint(10, 40) + 20 * flare,
        awakenings=rng.randint(1, 3) + flare,
        quality=max(1, 4 - flare - rng.randint(0, 1)),
    )
    symptoms = {"insomnia": min(3, flare + rng.randint(0, 1)), "anxiety": min(3, flare)}
    if flare:
        symptoms.update({"irritability": 1, "tremor": min(3, flare)})
    return CheckIn(
        day,
        sleep,
        mood=max(0, 7 - flare - rng.randint(0, 1)),
        anxiety=min(10, 3 + 2 * flare + rng.randint(0, 1)),
        symptoms={k: v for k, v in symptoms.items() if v},
        worst_time="evening" if flare else None,
        caffeine_drinks=rng.randint(1, 2),
        notes=NOTE,
    )


def _fill(svc: Services, person_id: int, clinician: User) -> None:
    rng = random.Random(20270105)  # noqa: S311 -- demo data, not security
    now = svc.now()
    today = local_today(DEMO_ZONE, now)
    start = today - timedelta(days=DEMO_DAYS)
    plan = _plan(svc, person_id, start, clinician, now)
    cuts = [s.start for s in plan.steps[1:]]
    checkins, doses = [], []
    for offset in range(DEMO_DAYS):
        day = start + timedelta(days=offset)
        since_cut = min(((day - c).days for c in cuts if c <= day), default=99)
        flare = 1 if 1 <= since_cut <= 3 else 0  # noqa: PLR2004 -- a short flare after each cut
        checkins.append(_day(rng, day, flare))
        for planned in schedule_on(plan, day):
            missed = offset in {9, 23}
            taken = datetime.combine(day, datetime.min.time()) + timedelta(
                hours=22, minutes=rng.randint(0, 40)
            )
            doses.append(
                DoseRecord(
                    day,
                    planned.drug,
                    planned.clock,
                    planned.amount,
                    None if missed else taken,
                    None if missed else planned.amount,
                    note=NOTE,
                )
            )
    # Through the import use cases: a day in the future would refuse the demo, not be stored.
    import_checkins(svc.store, person_id, checkins, now=svc.now(), skip=False)
    import_doses(svc.store, person_id, doses, now=svc.now(), skip=False)
    for week in range(0, DEMO_DAYS, 7):
        day = start + timedelta(days=week + 6)
        record_score(
            svc.store, person_id, score_phq9([1, 1, 2, 1, 0, 1, 1, 0, 0], day), now=svc.now()
        )
        record_score(svc.store, person_id, score_gad7([1, 2, 1, 2, 1, 1, 0], day), now=svc.now())
