"""The dashboard cache never shows a stale dashboard, whoever changed the record."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from taperline.core.journal import CheckIn
from taperline.web.cache import VersionedCache, record_version
from tests.test_web_support import START, approved_plan, checkin_form, make_site

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
