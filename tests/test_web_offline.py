"""Installable and offline (issue 18, section 1), in process: the manifest, its icons, the
service worker's route and headers, the replay of what a phone queued offline (each saved
once), and the sign-out that clears what the browser kept. The browser side is in
``tests/test_web_offline_browser.py``.
"""

from __future__ import annotations

import json
import re
import struct
from datetime import timedelta
from pathlib import Path

from taperline.web.app import CSP
from tests.support.web import Site, Web, approved_plan, checkin_form, make_site

MANIFEST = "/static/manifest.webmanifest"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == PNG_SIGNATURE
    width, height = struct.unpack(">II", data[16:24])  # the IHDR chunk comes first
    return width, height


def _patient_with_plan(site: Site) -> tuple[Web, int]:
    ann = site.patient("ann@example.org")
    pid = site.person_id("ann@example.org")
    approved_plan(site, pid, site.clock.today - timedelta(days=1))
    return ann, pid


def test_every_page_links_the_manifest_and_the_theme_colour(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        anon = site.browser()
        ann, _ = _patient_with_plan(site)
        for web, path in ((anon, "/"), (anon, "/signin"), (anon, "/learn"), (ann, "/dashboard")):
            page = web.get(path).text
            assert f'<link rel="manifest" href="{MANIFEST}">' in page, path
            assert '<meta name="theme-color"' in page, path
            assert 'id="offline" class="offline" role="status" hidden' in page, path
            assert '<script src="/static/taperline.js" defer></script>' in page, path


def test_the_manifest_has_what_chromium_needs_to_install(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        web = site.browser()
        response = web.get(MANIFEST)
        assert response.status_code == 200
        manifest = json.loads(response.text)
        assert manifest["name"] == manifest["short_name"] == "taperline"
        assert manifest["display"] == "standalone"
        assert manifest["start_url"] == "/dashboard"
        assert manifest["scope"] == "/"
        assert re.fullmatch(r"#[0-9a-f]{6}", manifest["theme_color"])
        assert re.fullmatch(r"#[0-9a-f]{6}", manifest["background_color"])
        sizes = {}
        for icon in manifest["icons"]:
            assert icon["src"].startswith("/static/"), icon  # nothing from another site
            served = web.get(icon["src"])
            assert served.status_code == 200, icon
            if icon["type"] == "image/png":
                width, height = _png_size(served.content)
                assert icon["sizes"] == f"{width}x{height}"
                sizes[width] = icon
        assert {192, 512} <= set(sizes)  # Chromium's installability: 144 px or more


SAFE_ZONE = 0.4  # a maskable icon's safe zone: a circle of 40 % of its width around its centre


def test_the_manifest_has_a_maskable_icon_drawn_inside_the_safe_zone(tmp_path: Path) -> None:
    from io import BytesIO

    from PIL import Image, ImageChops

    with make_site(tmp_path) as site:
        web = site.browser()
        manifest = json.loads(web.get(MANIFEST).text)
        maskable = [i for i in manifest["icons"] if "maskable" in i["purpose"].split()]
        assert len(maskable) == 1, manifest["icons"]
        any_icons = [i for i in manifest["icons"] if "any" in i["purpose"].split()]
        assert {i["sizes"] for i in any_icons} >= {"192x192", "512x512"}  # kept beside it
        icon = maskable[0]
        assert icon["type"] == "image/png"
        served = web.get(icon["src"])
        assert served.status_code == 200
    image = Image.open(BytesIO(served.content))
    size = image.width
    assert (image.width, image.height) == (512, 512)
    assert icon["sizes"] == "512x512"
    assert image.mode == "RGB"  # no transparency: the background fills the whole mask
    background = image.getpixel((0, 0))
    assert background == (0x1E, 0x3A, 0x8A)  # the manifest's theme colour, full bleed
    corners = [(0, 0), (size - 1, 0), (0, size - 1), (size - 1, size - 1)]
    assert all(image.getpixel(c) == background for c in corners)
    drawn = ImageChops.difference(image, Image.new("RGB", image.size, background)).getbbox()
    assert drawn is not None
    left, top, right, bottom = drawn
    centre, radius = size / 2, SAFE_ZONE * size
    for x, y in ((left, top), (right, top), (left, bottom), (right, bottom)):
        assert (x - centre) ** 2 + (y - centre) ** 2 <= radius**2, (drawn, x, y)


def test_the_service_worker_is_served_from_the_root_and_allowed_by_the_csp(
    tmp_path: Path,
) -> None:
    with make_site(tmp_path) as site:
        response = site.browser().get("/sw.js")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/javascript")
        assert response.headers["cache-control"] == "no-store"  # a new version is seen at once
        assert "worker-src 'self'" in CSP
        assert "manifest-src 'self'" in CSP
        assert response.headers["content-security-policy"] == CSP
        script = response.text
        for needed in ('"/checkin"', '"/doses/taken"', "indexedDB", "caches.open"):
            assert needed in script, needed
        # Background Sync where the browser has it (tests/test_web_offline_browser.py fires it)
        assert 'self.addEventListener("sync"' in script
        assert "sync.register(SYNC_TAG)" in script


def test_the_static_files_fetch_nothing_from_another_site() -> None:
    from importlib import resources

    static = resources.files("taperline").joinpath("static")
    for name in ("sw.js", "taperline.js", "taperline.css", "manifest.webmanifest"):
        text = static.joinpath(name).read_text(encoding="utf-8")
        assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}", text), name


def test_a_dose_tap_queued_offline_is_logged_for_its_day_and_time_once(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        site.clock.advance(hours=11, minutes=45)
        ann, pid = _patient_with_plan(site)
        tapped = site.clock.now  # 23:45 in London on 1 March, offline
        site.clock.advance(minutes=25)  # back online after midnight (sessions idle out at 30)
        day = tapped.date().isoformat()
        fields = {"clock": "22:00", "status": "taken", "day": day, "tapped_at": tapped.isoformat()}
        first = ann.post("/doses/taken", fields)
        assert first.status_code == 303
        again = ann.post("/doses/taken", fields)
        assert again.status_code == 409  # the same dose: the queue drops it as sent
        doses = site.services.store.doses(pid, tapped.date(), site.clock.today)
        assert len(doses) == 1
        assert doses[0].day == tapped.date()
        assert doses[0].taken_at is not None
        assert doses[0].taken_at.strftime("%Y-%m-%d %H:%M") == f"{day} 23:45"


def test_a_queued_tap_cannot_name_a_day_to_come_or_long_ago(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        ann, pid = _patient_with_plan(site)
        for day in (site.clock.today + timedelta(days=1), site.clock.today - timedelta(days=8)):
            fields = {"clock": "22:00", "day": day.isoformat()}
            assert ann.post("/doses/taken", fields).status_code == 422
        fields = {"clock": "22:00", "tapped_at": "2027-03-01 12:00"}  # no offset
        assert ann.post("/doses/taken", fields).status_code == 422
        assert (
            site.services.store.doses(pid, site.clock.today - timedelta(days=9), site.clock.today)
            == []
        )


def test_a_tap_from_a_phone_clock_ahead_is_logged_now(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        ann, pid = _patient_with_plan(site)
        ahead = (site.clock.now + timedelta(hours=3)).isoformat()
        fields = {"clock": "22:00", "day": site.clock.today.isoformat(), "tapped_at": ahead}
        assert ann.post("/doses/taken", fields).status_code == 303
        (dose,) = site.services.store.doses(pid, site.clock.today, site.clock.today)
        assert dose.taken_at is not None
        assert dose.taken_at.strftime("%H:%M") == "12:00"


def test_a_check_in_replayed_with_its_key_is_saved_once(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        ann, pid = _patient_with_plan(site)
        form = checkin_form(site.clock.today, idem="a1b2c3d4e5f6")
        assert ann.post("/checkin", form).status_code == 303
        assert ann.post("/checkin", form).status_code == 303
        assert len(site.services.store.checkins(pid, site.clock.today, site.clock.today)) == 1


def test_sign_out_tells_the_browser_to_clear_what_it_kept(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        ann, _ = _patient_with_plan(site)
        response = ann.signout()
        assert response.status_code == 303
        assert response.headers["clear-site-data"] == '"cache", "storage"'
        page = ann.get("/").text
        assert "data-signed-in" not in page  # the script forgets the saved pages here too


def test_the_shell_cache_is_named_by_the_static_files_version(tmp_path: Path) -> None:
    from taperline.web.routes_device import shell_version

    static = Path(__file__).parents[1] / "src" / "taperline" / "static"
    files = [
        (path.relative_to(static).as_posix(), path.read_bytes())
        for path in static.rglob("*")
        if path.is_file() and path.name != "sw.js"
    ]
    with make_site(tmp_path) as site:
        script = site.browser().get("/sw.js").text
    names = re.findall(r'var SHELL = "(taperline-shell-[0-9a-f]+)"', script)
    assert names == [f"taperline-shell-{shell_version(files)}"]  # a new style sheet: a new cache


#: Issue 18, section 5: per page, its scripts, style, icons and the worker included, as the
#: phone downloads them: the page as it is (pages are never compressed: BREACH), the static
#: files and the worker gzip-compressed (web/app.py CompressedStatic).
PAGE_WEIGHT_MAX = 150 * 1024


def _sent(web: Web, url: str) -> int:
    """The bytes the server sends for ``url`` to a browser that takes gzip (body only)."""
    with web.client.stream("GET", url, headers={"Accept-Encoding": "gzip"}) as response:
        assert response.status_code == 200, url
        return sum(len(chunk) for chunk in response.iter_raw())


def test_the_dashboard_with_a_quarter_of_check_ins_weighs_under_150_kb(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        ann, _pid = _patient_with_plan(site)
        for days_ago in range(90, 0, -1):
            day = site.clock.today - timedelta(days=days_ago)
            form = checkin_form(day, mood=str(days_ago % 10), sym_0=str(days_ago % 4))
            assert ann.post("/checkin", form).status_code == 303
        page = ann.get("/dashboard").text
        assert "<svg" in page  # the charts are drawn
        links = set(re.findall(r'(?:href|src)="(/static/[^"]+)"', page))
        assert {"/static/taperline.css", "/static/taperline.js", MANIFEST} <= links
        sizes = {"/dashboard": _sent(ann, "/dashboard")}
        assert sizes["/dashboard"] >= len(page.encode())  # the page itself is not compressed
        for url in [*sorted(links), "/sw.js"]:
            sizes[url] = _sent(ann, url)
        total = sum(sizes.values())
        print(f"dashboard page weight: {total} bytes {sizes}")
        assert total < PAGE_WEIGHT_MAX, f"{total} bytes: {sizes}"
        # the other pages that grow with the journal, each with the same scripts and worker
        shared = total - sizes["/dashboard"]
        for path in ("/journal", "/plan", "/charts?range=3m", "/charts?range=all"):
            weight = _sent(ann, path) + shared
            assert weight < PAGE_WEIGHT_MAX, f"{path}: {weight} bytes"


def test_the_access_log_page_stays_under_150_kb_however_long_the_log(tmp_path: Path) -> None:
    from taperline.web.routes_account import AUDIT_SHOWN

    with make_site(tmp_path) as site:
        ann, pid = _patient_with_plan(site)
        found = site.services.accounts.credentials("ann@example.org")
        assert found is not None
        user = found[0]
        for n in range(AUDIT_SHOWN + 20):  # reads (no disk flush each), with long objects
            what = f"journal and sleep diary, page {n} of the days before the plan started"
            site.services.accounts.audit(user, pid, "read", what, site.clock.now)
        page = ann.get("/account/audit").text
        assert page.count('<li class="audit-') == AUDIT_SHOWN
        assert "Only the newest 200 lines are shown here" in page
        static = set(re.findall(r'(?:href|src)="(/static/[^"]+)"', page)) | {"/sw.js"}
        total = _sent(ann, "/account/audit") + sum(_sent(ann, url) for url in static)
        assert total < PAGE_WEIGHT_MAX, f"{total} bytes"


def test_static_files_and_the_worker_are_compressed_and_pages_never(tmp_path: Path) -> None:
    """Text files gzip-compressed (same bytes once unpacked, a weak ETag that revalidates);
    a PNG as it is; a page never (it carries the CSRF token: BREACH)."""
    import gzip

    with make_site(tmp_path) as site:
        ann, _pid = _patient_with_plan(site)
        gz = {"Accept-Encoding": "gzip"}
        for url in ("/static/vendor/htmx-2.0.11.min.js", "/static/taperline.css", "/sw.js"):
            plain = ann.client.get(url, headers={"Accept-Encoding": "identity"})
            assert "content-encoding" not in plain.headers
            with ann.client.stream("GET", url, headers=gz) as packed:
                body = b"".join(packed.iter_raw())
                headers = packed.headers
            assert headers["content-encoding"] == "gzip", url
            assert "accept-encoding" in headers["vary"].lower()
            assert gzip.decompress(body) == plain.content
            assert len(body) < len(plain.content) / 2, url
            if url != "/sw.js":  # the worker is never cached (no ETag): the others revalidate
                assert headers["etag"] == plain.headers["etag"]  # one file: a weak ETag
                assert headers["etag"].startswith('W/"')
                again = ann.client.get(url, headers={**gz, "If-None-Match": headers["etag"]})
                assert again.status_code == 304
        icon = ann.client.get("/static/icon-192.png", headers=gz)
        assert "content-encoding" not in icon.headers
        for page in ("/dashboard", "/journal", "/account/audit", "/signin", "/api/status"):
            answer = ann.client.get(page, headers=gz)
            assert answer.status_code == 200, page
            assert "content-encoding" not in answer.headers, page
