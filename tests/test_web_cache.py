"""The dashboard cache never shows a stale dashboard, whoever changed the record."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import text

from taperline.adapters.storage.db import make_engine
from taperline.adapters.storage.record_version import changed_parts, record_version
from taperline.adapters.storage.repo import RECORD_PARTS, Store
from taperline.core.instruments import score_phq9
from taperline.core.journal import CheckIn
from taperline.core.quantity import Mass
from taperline.core.record import DoseRecord, Profile
from taperline.web.cache import VersionedCache
from tests.support.web import START, approved_plan, checkin_form, make_site

TODAY = START.date()


def test_versioned_cache_keeps_the_newest_and_forgets_the_oldest() -> None:
    cache: VersionedCache[str] = VersionedCache(size=2)
    cache.put(1, ("a",), TODAY, "one")
    assert cache.get(1, ("a",), TODAY) == "one"
    assert cache.get(1, ("b",), TODAY) is None
    assert cache.get(1, ("a",), TODAY + timedelta(days=1)) is None
    cache.put(2, ("a",), TODAY, "two")
    cache.put(3, ("a",), TODAY, "three")
    assert cache.get(1, ("a",), TODAY) is None
    assert len(cache) == 2


def test_every_kind_of_write_changes_the_version(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        site.patient("ann@example.org")
        pid = site.person_id("ann@example.org")
        store, engine = site.services.store, site.services.store.engine
        versions = [record_version(engine, pid)[1]]
        store.save_checkin(pid, CheckIn(TODAY, None, mood=5, anxiety=5))
        versions.append(record_version(engine, pid)[1])
        store.save_checkin(pid, CheckIn(TODAY, None, mood=2, anxiety=5), replace=True)
        versions.append(record_version(engine, pid)[1])
        approved_plan(site, pid, TODAY)
        versions.append(record_version(engine, pid)[1])
        store.delete_checkin(pid, TODAY)
        versions.append(record_version(engine, pid)[1])
        store.save_checkin(pid, CheckIn(TODAY, None, mood=5, anxiety=5))  # the same id again
        versions.append(record_version(engine, pid)[1])
        assert len(set(versions)) == len(versions)


def test_the_dashboard_follows_writes_made_outside_the_web_app(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        web = site.patient("ann@example.org")
        pid = site.person_id("ann@example.org")
        assert "Check in now" in web.get("/dashboard").text
        assert "Check in now" in web.get("/dashboard").text  # from the cache
        site.services.store.save_checkin(pid, CheckIn(TODAY, None, mood=5, anxiety=5))
        assert "Done for today" in web.get("/dashboard").text
        approved_plan(site, pid, TODAY - timedelta(days=3))  # e.g. the CLI
        assert "clonazePAM 1 mg" in web.get("/dashboard").text
        site.clock.advance(minutes=20)
        web.post("/checkin", checkin_form(TODAY, mode="edit", events="seizure"))
        assert "If you are in danger" in web.get("/dashboard").text


def test_a_new_day_makes_a_new_dashboard(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        web = site.patient("ann@example.org")
        web.post("/checkin", checkin_form(TODAY))
        assert "Done for today" in web.get("/dashboard").text
        site.clock.advance(hours=12, minutes=1)  # 00:01 in London
        web = site.browser()
        web.signin("ann@example.org")
        page = web.get("/dashboard").text
        assert "Check in now" in page
        assert "Tue 2 Mar 2027" in page


def test_the_database_bumps_the_revision_for_every_writer(migrated_db_url: str) -> None:
    """Bulk imports, doses, scores, plain SQL and deletes: each write moves the version."""
    engine = make_engine(migrated_db_url)
    try:
        store = Store(engine)
        pid, other = (store.create_person(Profile("Europe/London")) for _ in range(2))

        def revisions() -> tuple[int, int]:
            return (
                int(record_version(engine, pid)[1][2]),
                int(record_version(engine, other)[1][2]),
            )

        before = revisions()
        days = [TODAY - timedelta(days=n) for n in range(1, 31)]
        store.import_checkins(pid, [CheckIn(day, None, mood=5, anxiety=5) for day in days])
        steps = [revisions()]
        taken = datetime.combine(TODAY, datetime.min.time())
        amount = Mass.of_mg("1")
        store.log_dose(pid, DoseRecord(TODAY, "clonazepam", "22:00", amount, taken, amount))
        steps.append(revisions())
        store.save_score(pid, score_phq9([0] * 9, TODAY))
        steps.append(revisions())
        with engine.begin() as c:  # e.g. a clinic's own script
            c.execute(text("UPDATE checkins SET sol_min = 30 WHERE person_id = :p"), {"p": pid})
        steps.append(revisions())
        with engine.begin() as c:
            c.execute(text("DELETE FROM dose_log WHERE person_id = :p"), {"p": pid})
        steps.append(revisions())
        ann = [before[0]] + [step[0] for step in steps]
        assert ann == sorted(set(ann)), ann  # rises at every step
        assert {step[1] for step in steps} == {before[1]}  # another person's stays
        store.delete_person(pid)  # the cascade's triggers find no person to bump
        assert store.person_ids() == [other]
    finally:
        engine.dispose()


def test_changed_parts_names_what_moved() -> None:
    every = {"profile", "checkins", "doses", "scores", "plans"}
    old = ("c0", "t0", 7, 3, 5, 0, 7)
    assert changed_parts(old, old) == frozenset()
    assert changed_parts(old, ("c0", "t0", 8, 8, 5, 0, 7)) == {"checkins"}
    assert changed_parts(old, ("c0", "t0", 9, 3, 9, 0, 9)) == {"doses", "plans"}
    assert changed_parts(old, ("c0", "t1", 7, 3, 5, 0, 7)) == every  # a new profile
    assert changed_parts(old, ("c1", "t0", 7, 3, 5, 0, 7)) == every  # a new person, same id


def test_a_refreshed_record_equals_a_fresh_read_after_each_kind_of_write(
    migrated_db_url: str,
) -> None:
    """Reading again just the parts whose revision moved gives the record a full read gives."""
    from decimal import Decimal

    from taperline.catalogue_data import load_catalogue
    from taperline.core.plan import PlanRequest, propose
    from taperline.core.regimen import ScheduledDose
    from taperline.core.strategies import Strategy
    from taperline.service import save_plan

    engine = make_engine(migrated_db_url)
    try:
        store = Store(engine)
        pid = store.create_person(Profile("Europe/London"))
        other = store.create_person(Profile("UTC"))
        kept, version = store.record(pid), record_version(engine, pid)[1]
        amount = Mass.of_mg("0.5")
        taken = datetime.combine(TODAY, datetime.min.time())
        plan = propose(
            PlanRequest(
                drug=load_catalogue().get("clonazepam"),
                regimen=(ScheduledDose(22.0, Mass.of_mg("1")),),
                start=TODAY,
                strategy=Strategy(kind="percent", percent=Decimal(10), interval_days=14),
            )
        )
        writes = [
            ("checkins", lambda: store.save_checkin(pid, CheckIn(TODAY, None, mood=5, anxiety=5))),
            (
                "checkins",
                lambda: store.save_checkin(
                    pid, CheckIn(TODAY, None, mood=2, anxiety=5), replace=True
                ),
            ),
            (
                "doses",
                lambda: store.log_dose(
                    pid, DoseRecord(TODAY, "clonazepam", "22:00", amount, taken, amount)
                ),
            ),
            ("scores", lambda: store.save_score(pid, score_phq9([1] * 9, TODAY))),
            ("plans", lambda: save_plan(store, pid, plan, by="Dr A", now=START)),
            (
                "profile",
                lambda: store.update_profile(pid, Profile("Europe/Paris", "40-64")),
            ),
            ("checkins", lambda: store.delete_checkin(pid, TODAY)),
        ]
        for part, write in writes:
            store.save_checkin(other, CheckIn(TODAY, None, mood=1, anxiety=1), replace=True)
            write()
            new = record_version(engine, pid)[1]
            changed = changed_parts(version, new)
            assert changed == ({part} if part != "profile" else RECORD_PARTS), part
            kept, version = store.refresh(kept, pid, changed), new
            assert kept == store.record(pid), part
    finally:
        engine.dispose()


def test_the_record_a_dose_tap_reads_is_the_stored_one_whoever_wrote_last(tmp_path: Path) -> None:
    """``current_record`` (what a dose logged on the web checks a held cut with) is what the
    store reads now: the one kept with the dashboard while nothing changed, the parts written
    since read again after any write (the web's, the CLI's, plain SQL), read whole without one.
    """
    from taperline.web.records import current_record

    with make_site(tmp_path) as site:
        web = site.patient("ann@example.org")
        pid = site.person_id("ann@example.org")
        store, services = site.services.store, site.services
        assert current_record(services, pid) == store.record(pid)  # nothing cached yet
        approved_plan(site, pid, TODAY - timedelta(days=20))
        web.get("/dashboard")
        kept = services.dashboards.latest(pid)
        assert kept is not None
        assert current_record(services, pid) is kept[1][2]  # unchanged: not read again
        morning = datetime.combine(TODAY, datetime.min.time()) + timedelta(hours=8)  # local
        writes = (
            lambda: store.save_checkin(pid, CheckIn(TODAY, None, mood=5, anxiety=5)),
            lambda: web.post("/checkin", checkin_form(TODAY, mode="edit", events="seizure")),
            lambda: store.log_dose(
                pid, DoseRecord(TODAY, "clonazepam", None, None, morning, Mass.of_mg("0.5"))
            ),
            lambda: store.save_score(pid, score_phq9([1] * 9, TODAY)),
            lambda: store.decide(pid, "hold", by="Dr A", reason="wait", at=START),
            lambda: store.delete_checkin(pid, TODAY),
        )
        for write in writes:
            write()
            assert current_record(services, pid) == store.record(pid)
        with store.engine.begin() as c:  # plain SQL, as a clinic's DBA might
            c.execute(text("UPDATE checkins SET mood_0_10 = 9 WHERE person_id = :p"), {"p": pid})
        assert current_record(services, pid) == store.record(pid)
