"""Properties of the findings over any journal around a cut (issue 17).

No finding cites a day outside the window it states; no "stable" over a red flag or within a
week of a cut; a flare is one episode however many cuts come before it settles; and a quick
check-in (no symptom checklist) never moves the interdose finding, as it never moves the
other symptom findings (``tests/test_findings_inputs.py``).
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, timedelta
from itertools import pairwise
from typing import Final

from hypothesis import given
from hypothesis import strategies as st

from taperline.core.findings import Finding, FindingRules
from taperline.core.record import PersonRecord
from taperline.core.review import cut_dates, review
from tests.strategies import ReadinessCase, flare_journals, readiness_cases

RULES: Final = FindingRules()
#: Journals around a cut: today from 5 days before it to 30 after (the next cut is 14 after).
CASES: Final = readiness_cases(st.integers(-5, 30))
FROM_TO: Final = re.compile(r"from (\d{4}-\d{2}-\d{2}) to (\d{4}-\d{2}-\d{2})")
STEP: Final = re.compile(r"after the step on (\d{4}-\d{2}-\d{2}):")
SETTLED: Final = re.compile(r"settled from (\d{4}-\d{2}-\d{2})\.")


def stated_window(finding: Finding, today: date) -> tuple[date, date] | None:
    """The first and last day a finding says it read (None: it states none)."""
    if finding.kind in {"stable", "interdose"}:
        match = FROM_TO.search(finding.message)
        assert match is not None, finding.message  # these two always say it
        return date.fromisoformat(match[1]), date.fromisoformat(match[2])
    if finding.kind == "flare":
        step = STEP.search(finding.message)
        assert step is not None, finding.message
        settled = SETTLED.search(finding.message)
        last = date.fromisoformat(settled[1]) - timedelta(days=1) if settled else today
        return date.fromisoformat(step[1]), last
    return None


@given(CASES)
def test_no_finding_cites_a_day_outside_its_stated_window(case: ReadinessCase) -> None:
    for finding in review(case.record, case.today).findings:
        window = stated_window(finding, case.today)
        for evidence in finding.evidence:
            assert evidence.day <= case.today, (finding.kind, evidence)
            if window is not None:
                assert window[0] <= evidence.day <= window[1], (finding.message, evidence)
        if window is not None:
            assert window[1] <= case.today


def _red_flag_days(record: PersonRecord, today: date) -> set[date]:
    return {c.wake_date for c in record.checkins if c.events and c.wake_date <= today}


@given(CASES)
def test_no_stable_over_a_red_flag(case: ReadinessCase) -> None:
    result = review(case.record, case.today)
    kinds = {f.kind for f in result.findings}
    week = {case.today - timedelta(days=n) for n in range(RULES.stable_days)}
    if _red_flag_days(case.record, case.today) & week:
        assert "stable" not in kinds
    if "red_flag" in kinds:
        assert result.proposal.action != "proceed"
        assert not any("stayed near your baseline" in r for r in result.proposal.reasons)


@given(CASES)
def test_no_proceed_within_a_week_of_a_cut(case: ReadinessCase) -> None:
    plan = case.record.plan
    assert plan is not None
    cuts = [c for c in cut_dates(plan) if c <= case.today]
    result = review(case.record, case.today)
    if cuts and (case.today - cuts[-1]).days < RULES.cut_watch_days:
        assert result.proposal.action != "proceed"
        assert "stable" not in {f.kind for f in result.findings}


@given(CASES)
def test_a_cut_before_a_flare_settled_is_no_new_flare(case: ReadinessCase) -> None:
    flares = [f for f in review(case.record, case.today).findings if f.kind == "flare"]
    windows = sorted(w for f in flares if (w := stated_window(f, case.today)) is not None)
    for (_, end), (later_step, _) in pairwise(windows):
        assert later_step > end, windows  # each later flare starts after the one before ended


@given(CASES)
def test_too_few_check_ins_is_said_not_held(case: ReadinessCase) -> None:
    result = review(case.record, case.today)
    if result.proposal.action == "not_enough_checkins":
        assert result.proposal.hold_days == 0
        assert any("not enough check-ins to judge" in r for r in result.proposal.reasons)
        assert not {f.kind for f in result.findings} & {"red_flag", "flare", "interdose"}


@given(CASES)
def test_a_quick_check_in_never_moves_the_interdose_finding(case: ReadinessCase) -> None:
    """A quick day (no checklist) moves no interdose finding; one noting a red flag stays in
    both records (a red flag is no symptom rating: see test_findings_inputs)."""
    rated = replace(
        case.record,
        checkins=tuple(c for c in case.record.checkins if c.symptoms_rated or c.events),
    )

    def interdose(record: PersonRecord) -> list[Finding]:
        return [f for f in review(record, case.today).findings if f.kind == "interdose"]

    assert interdose(case.record) == interdose(rated)


@given(flare_journals())
def test_a_flare_lasts_until_it_settles_whatever_the_cuts(
    journal: tuple[PersonRecord, date],
) -> None:
    """Bad stretches across cuts: never a flare blamed on a cut made before the last settled."""
    record, today = journal
    flares = [f for f in review(record, today).findings if f.kind == "flare"]
    windows = sorted(w for f in flares if (w := stated_window(f, today)) is not None)
    for (_, end), (later_step, _) in pairwise(windows):
        assert later_step > end + timedelta(days=RULES.flare_settle_days - 1), windows
    for finding in flares:
        window = stated_window(finding, today)
        assert window is not None
        assert all(window[0] <= e.day <= window[1] for e in finding.evidence)
        settled = "They settled from" in finding.message
        assert (finding.severity == "info") == settled
        if not settled:  # an open flare's last bad day is recent: at most the settling days ago
            assert (today - max(e.day for e in finding.evidence)).days < RULES.flare_settle_days
