"""A PHQ-9 taken again the same day: a higher answer to item 9 is never lost (2026-12-04).

One of each questionnaire is kept a day. A retake is refused, except a PHQ-9 whose answer to
item 9 (thoughts of death or self-harm) is higher than the stored one's: it replaces the day's
answers, so the urgent flag reaches the clinician, and each door says it replaced them. A
refused retake with item 9 above 0 gives the crisis resources (the stored answer, as high, is
already flagged). A lower answer never replaces (a 0 never hides a positive).
tests/test_phq9_sleep_window_review.py has the review's cases through each door; these are the
rule's own and the words each door says.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from hypothesis import given
from hypothesis import strategies as st

from taperline.core.instruments import retake_replaces, score_gad7, score_phq9
from tests.support.journal_cli import Result, Taperline, refused
from tests.support.web import Site, make_site, share

ITEM9: Final = "item 9 (thoughts of death or self-harm) was above 0"
CRISIS: Final = "call or text 988 (US) now"
REPLACED: Final = "your answer to item 9 is higher, so your clinician is shown it"
DAY: Final = "2027-01-02"

answers = st.lists(st.integers(0, 3), min_size=9, max_size=9)


@given(answers, answers)
def test_only_a_higher_item_9_replaces(stored: list[int], retake: list[int]) -> None:
    replaces = retake_replaces(score_phq9(stored), score_phq9(retake))
    assert replaces == (retake[8] > stored[8])


@given(st.lists(st.integers(0, 3), min_size=7, max_size=7))
def test_a_gad7_retake_never_replaces(retake: list[int]) -> None:
    assert not retake_replaces(score_gad7([0] * 7), score_gad7(retake))


def _cli(tmp_path: Path) -> Taperline:
    run = Taperline(f"sqlite:///{tmp_path}/j.db")
    run.ok("init", "--time-zone", "Europe/London", "--no-ask")
    return run


def _phq9(cli: Taperline, item9: int) -> Result:
    return cli("phq9", "--answers", ",".join(["1"] * 8 + [str(item9)]), "--date", DAY)


def test_cli_a_retake_with_a_higher_item_9_replaces_the_day_s_answers(tmp_path: Path) -> None:
    cli = _cli(tmp_path)
    cli.ok("phq9", "--answers", "0,0,0,0,0,0,0,0,0", "--date", DAY)
    result = cli.ok("phq9", "--answers", "1,1,1,1,1,1,1,1,3", "--date", DAY)
    assert REPLACED in result.output
    assert "URGENT (Sat 2 Jan 2027)" in result.stderr
    assert CRISIS in result.stderr
    [stored] = cli.store().scores(1)
    assert stored.items == (1,) * 8 + (3,)
    assert stored.total == 11
    assert ITEM9 in cli.ok("status").output


def test_cli_a_retake_as_high_is_refused_with_the_crisis_resources(tmp_path: Path) -> None:
    cli = _cli(tmp_path)
    cli.ok("phq9", "--answers", "0,0,0,0,0,0,0,0,2", "--date", DAY)
    result = _phq9(cli, 1)
    refused(result, "already stored")
    assert CRISIS in result.stderr
    assert "your clinician is shown it" in result.stderr
    assert [s.items[8] for s in cli.store().scores(1)] == [2]


def test_cli_a_retake_lower_is_refused_and_the_positive_kept(tmp_path: Path) -> None:
    cli = _cli(tmp_path)
    cli.ok("phq9", "--answers", "0,0,0,0,0,0,0,0,2", "--date", DAY)
    result = _phq9(cli, 0)
    refused(result, "one of each a day is kept")
    assert CRISIS not in result.stderr  # a 0: no crisis words of its own
    assert [s.items[8] for s in cli.store().scores(1)] == [2]


def test_cli_a_gad7_retake_is_refused(tmp_path: Path) -> None:
    cli = _cli(tmp_path)
    cli.ok("gad7", "--answers", "0,0,0,0,0,0,0", "--date", DAY)
    refused(cli("gad7", "--answers", "3,3,3,3,3,3,3", "--date", DAY), "already stored")
    assert [s.total for s in cli.store().scores(1)] == [0]


def test_web_and_api_say_the_retake_replaced_the_day_s_answers(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        _web_and_api(site)


def _web_and_api(site: Site) -> None:
    web = site.patient()
    form = {"instrument": "PHQ-9", **{f"item_{i}": "0" for i in range(1, 10)}}
    assert web.post("/questionnaires", form).status_code == 303
    saved = web.post("/questionnaires", form | {"item_9": "1"})
    assert saved.status_code == 303
    assert saved.headers["location"].endswith("done=questionnaire-replaced")
    page = web.get(saved.headers["location"]).text
    assert "It replaces the PHQ-9 you gave earlier today" in page
    assert ITEM9 in page
    body = {"instrument": "PHQ-9", "date": site.clock.today.isoformat(), "items": [0] * 8 + [3]}
    answer = web.client.post("/api/scores", json=body, headers={"X-CSRF-Token": web.csrf()})
    assert answer.status_code == 201, answer.text
    assert (answer.json()["created"], answer.json()["replaced"]) == (True, True)
    lower = web.client.post(
        "/api/scores", json=body | {"items": [0] * 8 + [2]}, headers={"X-CSRF-Token": web.csrf()}
    )
    assert lower.status_code == 409
    assert CRISIS in lower.json()["detail"]


def test_the_answers_a_retake_replaced_are_kept_and_shown(tmp_path: Path) -> None:
    """The day's answers are the retake's; the ones it replaced stay with it (nothing lost)."""
    with make_site(tmp_path) as site:
        web = site.patient()
        pid = site.person_id("pat@example.org")
        doc = site.clinician("doc@example.org")
        share(site, web, doc)
        first = {"instrument": "PHQ-9", **{f"item_{i}": "3" for i in range(1, 9)}, "item_9": "0"}
        assert web.post("/questionnaires", first).status_code == 303
        retake = {"instrument": "PHQ-9", **{f"item_{i}": "0" for i in range(1, 9)}, "item_9": "1"}
        assert web.post("/questionnaires", retake).status_code == 303
        [stored] = site.services.store.scores(pid)
        assert (stored.total, stored.replaced) == (1, ((3,) * 8 + (0,),))
        said = "it replaced the answers given earlier that day: 24 (severe)"
        assert said in web.get("/questionnaires").text
        assert said in doc.get(f"/clinician/patients/{pid}").text
        [out] = web.client.get("/api/scores").json()
        assert out["replaced_items"] == [[3] * 8 + [0]]
        # the first answers sent again (a retry whose answer was lost) are answered as saved
        assert web.post("/questionnaires", first).status_code == 303
        assert site.services.store.scores(pid) == [stored]


def test_the_findings_command_names_a_red_flag_s_day(tmp_path: Path) -> None:
    cli = _cli(tmp_path)
    cli.ok("phq9", "--answers", "0,0,0,0,0,0,0,0,2", "--date", DAY)
    shown = cli.ok("findings").output
    assert "URGENT (Sat 2 Jan 2027):" in shown


def test_the_report_shows_the_answers_a_retake_replaced() -> None:
    import html
    import re
    from datetime import UTC, date, datetime

    from taperline.adapters.report import report_html
    from taperline.core.instruments import replacing
    from taperline.core.record import PersonRecord, Profile
    from taperline.core.review import review

    day, today = date(2027, 2, 22), date(2027, 3, 1)
    kept = replacing(score_phq9([3] * 8 + [0], day), score_phq9([0] * 8 + [1], day))
    record = PersonRecord(Profile("Europe/London", "40-64"), scores=(kept,))
    page = report_html(
        record,
        review(record, today),
        start=None,
        end=None,
        today=today,
        generated_at=datetime(2027, 3, 1, 9, tzinfo=UTC),
    )
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())
    assert "1 (minimal) on 2027-02-22; it replaced that day's earlier answers, 24 (severe)" in text
