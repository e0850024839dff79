"""Time zones: one validator (taperline.zones) behind every place a person gives one."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import update

from taperline.adapters.storage import schema as t
from taperline.adapters.storage.db import make_engine
from taperline.adapters.storage.repo import Store
from taperline.cli.main import cli
from taperline.core.record import PersonRecord, Profile
from taperline.errors import InputError
from taperline.zones import PSEUDO_ZONES, check_zone, known_zones, zone
from tests.support.db import migrate
from tests.support.web import make_site

REGIONS = ("Europe", "America", "Africa", "Asia", "Australia", "Pacific", "europe", "America/")
PSEUDO = ("localtime", "posixrules", "Factory", "LOCALTIME")
NONSENSE = ("", "   ", "Mars/Olympus", "Europe/Londn", "GMT+5:30", "../../etc/passwd", "/etc/hosts")


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [("Europe/London", "Europe/London"), ("europe/london", "Europe/London"),
     ("America/New York", "America/New_York"), ("  Asia/Kolkata ", "Asia/Kolkata"),
     ("UTC", "UTC"), ("Etc/UTC", "Etc/UTC"), ("US/Eastern", "US/Eastern")],
)  # fmt: skip
def test_real_zones_are_taken_in_their_database_spelling(typed: str, canonical: str) -> None:
    assert check_zone(typed) == canonical
    assert zone(canonical).key == canonical


@pytest.mark.parametrize("typed", REGIONS)
def test_a_region_is_refused_with_cities_in_it(typed: str) -> None:
    with pytest.raises(InputError, match="is a region, not a time zone: give a city in it"):
        check_zone(typed)
    with pytest.raises(InputError):  # never IsADirectoryError
        zone(typed)


@pytest.mark.parametrize("typed", PSEUDO)
def test_pseudo_zones_are_refused(typed: str) -> None:
    with pytest.raises(InputError, match="not a place"):
        check_zone(typed)


@pytest.mark.parametrize("typed", NONSENSE)
def test_anything_else_is_refused_with_an_example(typed: str) -> None:
    with pytest.raises(InputError, match="Europe/London"):
        check_zone(typed)


@pytest.mark.parametrize(
    ("typed", "hint"),
    [("EST", "America/New_York"), ("mst", "America/Phoenix"), ("GMT", "Europe/London"),
     ("Greenwich", "Europe/London"), ("Etc/GMT", "Europe/London"),
     ("Etc/GMT+1", "1 h behind UTC"), ("etc/gmt-10", "10 h ahead of UTC")],
)  # fmt: skip
def test_zones_that_mislead_are_refused_with_the_city_meant(typed: str, hint: str) -> None:
    # EST, MST and GMT keep standard time all year (a New Yorker's or a Londoner's day and
    # doses an hour off all summer); the database's Etc/GMT+1 is an hour behind UTC
    with pytest.raises(InputError, match=re.escape(hint)):
        check_zone(typed)


@pytest.mark.parametrize("typed", ["UTC", "Etc/UTC", "HST", "EST5EDT", "Pacific/Honolulu"])
def test_fixed_zones_that_say_what_they_are_are_taken(typed: str) -> None:
    assert check_zone(typed) == typed


def test_the_known_zones_are_the_iana_database_without_pseudo_zones() -> None:
    assert len(known_zones()) > 400
    assert not PSEUDO_ZONES & known_zones()
    assert "Europe/London" in known_zones()


def test_a_misspelt_zone_gets_a_did_you_mean() -> None:
    with pytest.raises(InputError, match=r"did you mean Europe/London\?"):
        check_zone("Europe/Londn")


# --- every door ------------------------------------------------------------------------------


def test_the_store_refuses_to_write_a_region_or_a_pseudo_zone(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path}/z.db")
    migrate(engine)
    store = Store(engine)
    for bad in ("Europe", "localtime", "Factory"):
        with pytest.raises(InputError):
            store.create_person(Profile(bad))
        with pytest.raises(InputError):
            store.import_record(PersonRecord(Profile(bad)))
    assert store.person_ids() == []
    pid = store.create_person(Profile("europe/paris"))
    assert store.profile(pid).time_zone == "Europe/Paris"  # stored in the database's spelling
    # A pseudo-zone an older version stored is still readable (nothing is lost).
    with engine.begin() as connection:
        connection.execute(update(t.persons).values(time_zone="localtime"))
    assert store.profile(pid).time_zone == "localtime"
    assert zone("localtime") is not None
    engine.dispose()


@pytest.mark.parametrize(
    "typed", ["Europe", "America", "localtime", "posixrules", "Mars/Base", "EST", "Etc/GMT+1"]
)
def test_init_refuses_it_with_one_line_and_no_traceback(tmp_path: Path, typed: str) -> None:
    env = {"TAPERLINE_DATABASE_URL": f"sqlite:///{tmp_path}/cli.db"}
    result = CliRunner().invoke(cli, ["init", "--time-zone", typed, "--no-ask"], env=env)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert "--time-zone" in result.stderr
    assert any(w in result.stderr for w in ("Europe/London", "give a city", "America/New_York"))


@pytest.mark.parametrize("typed", ["Europe", "localtime", "Factory", "GMT"])
def test_sign_up_and_the_profile_form_refuse_it_without_a_500(tmp_path: Path, typed: str) -> None:
    with make_site(tmp_path) as site:
        web = site.browser()
        response = web.signup("new@example.org", time_zone=typed)
        assert response.status_code == 422
        assert "time_zone" in response.text
        assert site.services.accounts.credentials("new@example.org") is None
        ann = site.patient("ann@example.org")
        form = {"display_name": "Ann", "time_zone": typed}
        assert ann.post("/account/profile", form).status_code == 422
        pid = site.person_id("ann@example.org")
        assert site.services.store.profile(pid).time_zone != typed
