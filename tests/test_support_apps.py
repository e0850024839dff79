"""The apps of a test process share route handling and templates, and nothing of their own.

``tests/conftest.py`` turns both on for every test (``tests/support/apps.py``).
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Depends, FastAPI
from fastapi.testclient import TestClient

from taperline.web.app import create_app
from taperline.web.auth import SESSION_COOKIE
from taperline.web.settings import Settings
from tests.support import apps
from tests.support.web import make_site


def test_two_apps_share_the_route_handling_and_keep_their_own_databases(tmp_path: Path) -> None:
    with make_site(tmp_path / "one") as one:
        ann = one.patient("ann@example.org")
        assert ann.get("/api/me").status_code == 200
        built = dict(apps._BUILT)
        assert len(built) >= 18  # the JSON API's routes at least
        with make_site(tmp_path / "two") as two:
            stranger = two.browser()
            token = ann.client.cookies.get(SESSION_COOKIE)
            assert token
            stranger.client.cookies.set(SESSION_COOKIE, token)  # Ann's session, on app two
            assert stranger.get("/api/me").status_code == 401  # not in this app's database
            bob = two.patient("bob@example.org")
            assert bob.get("/api/me").json()["email"] == "bob@example.org"
            assert built == apps._BUILT  # nothing built again for the second app
            assert two.services.templates is one.services.templates
            assert two.services.store is not one.services.store


def _depends_on() -> str:
    return "the dependency"


router = APIRouter()


@router.get("/which")
def which(value: str = Depends(_depends_on)) -> dict[str, str]:
    return {"value": value}


def test_an_app_with_dependency_overrides_gets_its_own_route_handling() -> None:
    plain = FastAPI()
    plain.include_router(router)
    with TestClient(plain) as client:
        assert client.get("/which").json() == {"value": "the dependency"}
    overridden = FastAPI()
    overridden.include_router(router)
    overridden.dependency_overrides[_depends_on] = lambda: "the override"
    with TestClient(overridden) as client:
        assert client.get("/which").json() == {"value": "the override"}
    prefixed = FastAPI()
    prefixed.include_router(router, prefix="/under")
    with TestClient(prefixed) as client:
        assert client.get("/under/which").json() == {"value": "the dependency"}
        assert client.get("/which").status_code == 404


def test_sharing_is_on_and_turning_it_on_again_changes_nothing() -> None:
    first = create_app(Settings.for_tests("sqlite://")).state.services.templates
    apps.share_route_handling()
    apps.share_templates()
    assert create_app(Settings.for_tests("sqlite://")).state.services.templates is first
