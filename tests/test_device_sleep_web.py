"""The device sleep pages: upload (inline and in the background), the nights beside the diary,
undo, the preferred source, a bad file storing nothing, and the clinician's view and switch."""

from __future__ import annotations

import re
import time
from datetime import date
from pathlib import Path

import pytest

from taperline.web import routes_device_sleep
from tests.support.device_files import WATCH, apple_health_zip
from tests.support.web import Web, checkin_form, make_site, share

# Nights ending 2027-02-25 to 2027-02-28 (the site's today is 2027-03-01).
NIGHTS = [
    (
        "Ann's Watch",
        WATCH,
        "AsleepCore",
        f"2027-02-{d:02} 23:00:00 +0000",
        f"2027-02-{d + 1:02} 06:30:00 +0000",
    )
    for d in range(24, 28)
]


def _text(page: str) -> str:
    """The page with its white space collapsed (templates break lines freely)."""
    return re.sub(r"\s+", " ", page)


def _upload(web: Web, path: Path, kind: str = "apple-health", **fields: str) -> str:
    with path.open("rb") as handle:
        response = web.client.post(
            "/sleep/devices/upload",
            data={"csrf_token": web.csrf(), "kind": kind, **fields},
            files={"file": (path.name, handle, "application/zip")},
            follow_redirects=False,
        )
    assert response.status_code == 303, response.text[:300]
    location = response.headers["location"]
    assert location.startswith("/sleep/devices?job=")
    return location


def test_upload_show_beside_the_diary_reimport_and_undo(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        web = site.patient("ann@example.org")
        pid = site.person_id("ann@example.org")
        assert web.post("/checkin", checkin_form(date(2027, 2, 26))).status_code == 303
        export = apple_health_zip(tmp_path / "export.zip", NIGHTS)

        checked = _text(web.get(_upload(web, export, dry_run="1")).text)
        assert "it would add 4 sleep record(s), 4 night(s)" in checked
        assert site.services.store.device_sleep_records(pid) == []

        page = _text(web.get(_upload(web, export)).text)
        assert "export.zip:</strong> added 4 sleep record(s), 4 night(s)" in page
        assert "7 h 30 min (100 %)" in page  # the device's night
        assert "not filled in" in page  # the diary's empty nights stay empty
        assert "more sleep than the diary" in page  # the night both have
        assert len(site.services.store.checkins(pid)) == 1
        chart = web.get("/charts?range=2w").text
        assert "Hours slept (hollow square: your estimate; dotted: device)" in chart
        assert 'stroke-dasharray="1 3"' in chart  # the device's line beside the diary's

        again = _text(web.get(_upload(web, export)).text)
        assert "nothing new: everything in it was already here" in again
        (batch,) = site.services.store.device_sleep_imports(pid)
        assert web.post(f"/sleep/devices/imports/{batch.id}/undo").status_code == 303
        assert site.services.store.device_sleep_records(pid) == []
        assert "undone" in web.get("/sleep/devices").text
        assert 'href="/sleep/devices"' in web.get("/sleep").text


def test_a_bad_file_stores_nothing_and_a_big_one_is_read_in_the_background(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with make_site(tmp_path) as site:
        web = site.patient("ann@example.org")
        pid = site.person_id("ann@example.org")
        export = apple_health_zip(tmp_path / "export.zip", NIGHTS)
        cut = tmp_path / "cut.zip"
        cut.write_bytes(export.read_bytes()[:-30])
        failed = _text(web.get(_upload(web, cut)).text)
        assert "cut.zip was not imported:</strong> cut.zip: it is not a complete zip file" in failed
        assert str(tmp_path) not in failed  # the server's temporary path is not shown
        assert site.services.store.device_sleep_imports(pid) == []

        monkeypatch.setattr(routes_device_sleep, "BACKGROUND_FROM_BYTES", 1)
        job = _upload(web, export).split("=", 1)[1]
        for _ in range(200):  # the thread is done in well under a second; no time is asserted
            fragment = _text(web.get(f"/sleep/devices/jobs/{job}").text)
            if "Reading" not in fragment:
                break
            assert 'hx-trigger="load delay:1s"' in fragment
            time.sleep(0.02)
        assert "added 4 sleep record(s)" in fragment
        other = site.patient("bob@example.org")
        assert other.get(f"/sleep/devices/jobs/{job}").status_code == 404


def test_the_preferred_source_and_a_missing_csrf_token(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        web = site.patient("ann@example.org")
        pid = site.person_id("ann@example.org")
        phone = [("iPhone", "", "InBed", n[3], n[4]) for n in NIGHTS]
        web.get(_upload(web, apple_health_zip(tmp_path / "export.zip", [*NIGHTS, *phone])))
        page = _text(web.get("/sleep/devices").text)
        assert "also recorded by iPhone, not added" in page
        unknown = web.post("/sleep/devices/source", {"source": "iPhone 99"})
        assert unknown.status_code == 422
        assert "no sleep stored from &#39;iPhone 99&#39;" in unknown.text
        assert site.services.store.device_sleep_settings(pid).preferred_source is None
        assert web.post("/sleep/devices/source", {"source": "iPhone"}).status_code == 303
        assert site.services.store.device_sleep_settings(pid).preferred_source == "iPhone"
        assert "also recorded by Ann&#39;s Watch, not added" in _text(
            web.get("/sleep/devices").text
        )
        with (tmp_path / "export.zip").open("rb") as handle:
            refused = web.client.post(
                "/sleep/devices/upload",
                data={"kind": "apple-health"},
                files={"file": ("export.zip", handle)},
                follow_redirects=False,
            )
        assert refused.status_code == 403
        with (tmp_path / "export.zip").open("rb") as handle:
            unkind = web.client.post(
                "/sleep/devices/upload",
                data={"csrf_token": web.csrf()},
                files={"file": ("export.zip", handle)},
            )
        assert unkind.status_code == 422
        assert "Choose what kind of file it is." in unkind.text
        nofile = web.client.post(
            "/sleep/devices/upload", data={"csrf_token": web.csrf(), "kind": "fitbit"}
        )
        assert nofile.status_code == 422
        assert "Choose the file to upload." in nofile.text


def test_the_clinician_sees_both_and_turns_findings_on(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        patient = site.patient("ann@example.org")
        pid = site.person_id("ann@example.org")
        doctor = site.clinician("lee@example.org")
        share(site, patient, doctor)
        patient.get(_upload(patient, apple_health_zip(tmp_path / "export.zip", NIGHTS)))
        record = doctor.get(f"/clinician/patients/{pid}").text
        assert f'href="/clinician/patients/{pid}/device-sleep"' in record
        assert "Device sleep beside the diary, last 7 nights" in record
        assert "Hours slept (hollow square: your estimate; dotted: device)" in record
        page = _text(doctor.get(f"/clinician/patients/{pid}/device-sleep").text)
        assert "device sleep beside the diary" in page
        assert "#src-carney-2012" in page
        assert "Ann&#39;s Watch" in page
        assert "Upload" not in page
        assert (
            doctor.post(f"/clinician/patients/{pid}/device-sleep", {"in_findings": "1"}).status_code
            == 303
        )
        assert site.services.store.device_sleep_settings(pid).in_findings
        assert doctor.post(f"/clinician/patients/{pid}/device-sleep", {}).status_code == 303
        assert not site.services.store.device_sleep_settings(pid).in_findings
        stranger = site.clinician("kim@example.org")
        assert stranger.get(f"/clinician/patients/{pid}/device-sleep").status_code == 404
        assert patient.get(f"/clinician/patients/{pid}/device-sleep").status_code == 403


def _table_row(page: str, day: str) -> list[str]:
    """The cells of the chart table's row for ``day`` ("26 Feb"), header cell first."""
    table = page.split('<details class="chart-table">', 1)[1].split("</details>", 1)[0]
    row = re.search(rf'<tr><th scope="row">{day}</th>(.*?)</tr>', table)
    assert row is not None, table[:500]
    return [day, *re.findall(r"<td>(.*?)</td>", row.group(1))]


def test_the_chart_tables_have_the_device_columns_apart_from_the_diary(tmp_path: Path) -> None:
    """/charts and the clinician's charts and record: diary and device in their own columns."""
    with make_site(tmp_path) as site:
        patient = site.patient("ann@example.org")
        pid = site.person_id("ann@example.org")
        doctor = site.clinician("lee@example.org")
        share(site, patient, doctor)
        assert patient.post("/checkin", checkin_form(date(2027, 2, 26))).status_code == 303
        plain = patient.get("/charts?range=2w").text
        assert "Slept (device)" not in plain  # no device sleep: the table as before
        assert '<th scope="col">Slept</th>' in plain
        patient.get(_upload(patient, apple_health_zip(tmp_path / "export.zip", NIGHTS)))
        heads = (
            '<th scope="col">Slept (diary)</th><th scope="col">Sleep efficiency (diary)</th>'
            '<th scope="col">Slept (device)</th><th scope="col">Sleep efficiency (device)</th>'
        )
        pages = {
            "/charts?range=2w": patient,
            f"/clinician/patients/{pid}/charts?range=2w": doctor,
            f"/clinician/patients/{pid}": doctor,
        }
        for url, web in pages.items():
            page = web.get(url).text
            assert heads in page, url
            both = _table_row(page, "26 Feb")  # the night in the diary and on the watch
            diary_slept, diary_se, device_slept, device_se = both[2:6]
            assert (device_slept, device_se) == ("7.5 h", "100 %"), url
            assert diary_slept.endswith(" h"), url
            assert diary_slept != device_slept, url
            assert diary_se.endswith(" %"), url
            only_device = _table_row(page, "25 Feb")  # no diary that night: it stays empty
            assert only_device[2:6] == ["—", "—", "7.5 h", "100 %"], url
            assert "never used to fill the diary in" in page, url
        assert "Slept (device)" not in patient.get("/").text  # the dashboard is unchanged


def test_the_process_keeps_the_newest_uploads_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(routes_device_sleep, "KEPT_JOBS", 2)
    kept = routes_device_sleep.Jobs()
    first, second, third = (
        kept.add(routes_device_sleep.Job(1, f"{n}.zip", dry_run=False)) for n in range(3)
    )
    assert kept.get(first, 1) is None
    assert kept.get(second, 1) is not None
    assert kept.get(third, 2) is None  # another person's
