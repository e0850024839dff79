"""The web test helpers of ``tests/support/web.py`` do what the web tests rely on."""

from __future__ import annotations

from pathlib import Path

# Only for test files written before the helpers moved to tests/support/web.py (import them
# from there): remove once no test imports them from here.
from tests.support.web import (  # noqa: F401
    PASSWORD,
    START,
    ZONE,
    Clock,
    Site,
    Web,
    approved_plan,
    checkin_form,
    make_site,
    share,
)


def test_the_helpers_sign_up_and_keep_a_session(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        web = site.patient()
        assert web.get("/dashboard").status_code == 200
        site.clock.advance(minutes=1)
        assert site.clock.today == START.date()


def test_request_threads_come_from_the_environment_and_are_checked() -> None:
    import pytest

    from taperline.errors import InputError
    from taperline.web.settings import Settings

    base = {"TAPERLINE_DATABASE_URL": "sqlite:///unused.db"}
    assert Settings.from_env(base).request_threads == 4
    assert Settings.from_env({**base, "TAPERLINE_REQUEST_THREADS": " 2 "}).request_threads == 2
    for bad in ("0", "65", "two", "-1"):
        with pytest.raises(InputError, match="TAPERLINE_REQUEST_THREADS"):
            Settings.from_env({**base, "TAPERLINE_REQUEST_THREADS": bad})
