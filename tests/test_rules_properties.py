"""Hypothesis: whatever the settings, a plan is refused or keeps every rule, checked day by day.

The requests are wild on purpose: any strategy and percent, intervals of a day, short
stabilisations, caps up to 60 %, bands and custom steps (increases and stops included), any
products (two liquids included), holds, alternate days, crossovers by either equivalence,
with or without an override reason. ``propose`` either refuses (a :class:`TaperlineError`)
or returns a plan that an independent day-by-day check finds keeps to the rules
(:mod:`taperline.core.rules`): no window falls beyond the cap without the override mark,
never faster than the label's taper, never above the maximum, never an increase without a
reason, never an abrupt stop, never two liquids in one dose.
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from taperline.catalogue_data import load_catalogue
from taperline.core.guideline import END_PHASE_DIAZEPAM_MG
from taperline.core.plan import Constraints, Hold, Plan, PlanRequest, propose
from taperline.core.products import Product, dose_solver
from taperline.core.quantity import Mass
from taperline.core.regimen import ScheduledDose
from taperline.core.rules import check_reason
from taperline.core.strategies import CustomStep, FixedBand, Strategy
from taperline.errors import InputError, TaperlineError

CATALOGUE = load_catalogue()
CLONAZEPAM = CATALOGUE.get("clonazepam")
DIAZEPAM = CATALOGUE.get("diazepam")
START = date(2027, 1, 4)
REASON = "inpatient detoxification unit, supervised daily by the team"
_HUNDRED = Decimal(100)
_RATIOS = {"ASHTON": Decimal(20), "VADOD-2021": Decimal(10)}  # diazepam mg per clonazepam mg
_LABEL_STEP = Decimal("0.25")  # clonazepam mg a day every 3 days [LABEL]
_ALL = CLONAZEPAM.products
_AMOUNTS = tuple(m for m in dose_solver(_ALL, Mass.of_mg(4)).makeable_amounts() if m.mg <= 4)

SETTINGS = settings(
    max_examples=800,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


# Every strategy drawn from is made once (a strategy made on each draw is validated and
# labelled again each time, most of this property's generation). The same elements and
# bounds give the same labels and choices, so the same requests as when they were made anew.
_KIND = st.sampled_from(["percent", "occupancy", "deprescribing", "fixed", "custom",
                         "crossover"])  # fmt: skip
_PERCENT = st.integers(1, 60)
_INTERVAL = st.integers(1, 30)
_BAND_STEPS = st.lists(st.sampled_from(["0.025", "0.05", "0.125", "0.25", "0.5", "1"]),
                       min_size=1, max_size=3)  # fmt: skip
_BAND_ABOVES = {
    count: st.lists(
        st.sampled_from(["0.25", "0.5", "1", "2"]), unique=True, min_size=count, max_size=count
    )
    for count in range(3)
}
_BAND_DAYS = st.integers(1, 21)
_CUSTOM_DAYS = st.lists(st.integers(1, 120), min_size=1, max_size=6)
_CUSTOM_REASONS = st.sampled_from(["", "ok", REASON])
_CUSTOM_DAILY = st.sampled_from((Mass.zero(), *_AMOUNTS))
_SWAP_DAYS = st.integers(1, 14)
_ED50 = st.sampled_from(["0.5", "2", "10"])


@st.composite
def _strategies(draw: st.DrawFn) -> Strategy:
    kind = draw(_KIND)
    percent = Decimal(draw(_PERCENT))
    interval = draw(_INTERVAL)
    if kind == "fixed":
        steps = draw(_BAND_STEPS)
        aboves = sorted(draw(_BAND_ABOVES[len(steps) - 1]), key=Decimal, reverse=True)
        bands = tuple(
            FixedBand(Mass.of_mg(above), Mass.of_mg(step), draw(_BAND_DAYS), "test")
            for above, step in zip([*aboves, "0"], steps, strict=True)
        )
        return Strategy(kind="fixed", bands=bands)
    if kind == "custom":
        days = sorted(set(draw(_CUSTOM_DAYS)))
        return Strategy(
            kind="custom",
            custom_steps=tuple(
                CustomStep(START + timedelta(days=d), draw(_CUSTOM_DAILY), draw(_CUSTOM_REASONS))
                for d in days
            ),
        )
    if kind == "crossover":
        return Strategy(kind="crossover", swap_days=draw(_SWAP_DAYS))
    ed50 = Decimal(draw(_ED50))
    return Strategy(kind=kind, percent=percent, interval_days=interval, ed50_mg=ed50)


_PRODUCTS = st.lists(st.sampled_from(_ALL), min_size=1, max_size=5, unique=True)
_HOURS = st.lists(st.sampled_from([8.0, 14.0, 22.0]), min_size=1, max_size=2, unique=True)
_OVERRIDE = st.sampled_from([None, REASON])
_HOLDS = st.lists(st.tuples(st.integers(0, 200), st.integers(1, 30)), max_size=2)
_CAP = st.sampled_from([10, 25, 40, 60])
_STABILISATION = st.integers(1, 30)
_STRATEGY = _strategies()
_SOURCE = st.sampled_from([None, "ASHTON", "VADOD-2021"])
_BOOLEAN = st.booleans()
#: Per product set: the amounts up to 3 mg a dose may take, as the strategy to draw one.
_DOSE_AMOUNTS: dict[tuple[Product, ...], st.SearchStrategy[Mass]] = {}


def _dose_amounts(products: tuple[Product, ...]) -> st.SearchStrategy[Mass]:
    found = _DOSE_AMOUNTS.get(products)
    if found is None:
        amounts = [m for m in dose_solver(products, Mass.of_mg(4)).makeable_amounts() if m.mg <= 3]
        found = _DOSE_AMOUNTS[products] = st.sampled_from(amounts or [Mass.of_mg(1)])
    return found


@st.composite
def wild_requests(draw: st.DrawFn) -> PlanRequest:
    products = tuple(draw(_PRODUCTS))
    amounts = _dose_amounts(products)
    hours = draw(_HOURS)
    regimen = tuple(ScheduledDose(h, draw(amounts)) for h in hours)
    override = draw(_OVERRIDE)
    holds = tuple(Hold(START + timedelta(days=offset), days) for offset, days in draw(_HOLDS))
    constraints = Constraints(
        max_cut_pct=Decimal(draw(_CAP)),
        stabilisation_days=draw(_STABILISATION),
        holds=holds,
        override_reason=override,
    )
    strategy = draw(_STRATEGY)
    return PlanRequest(
        drug=CLONAZEPAM,
        regimen=regimen,
        start=START,
        strategy=strategy,
        constraints=constraints,
        products=products,
        target=DIAZEPAM if strategy.kind == "crossover" else None,
        equivalence_source=draw(_SOURCE),
        alternate_days=draw(_BOOLEAN),
        add_finer_products=draw(_BOOLEAN),
    )


def _series(request: PlanRequest, plan: Plan) -> list[tuple[date, Decimal]]:
    """The reference daily dose (diazepam mg) of every day of the plan, start to end."""
    ratio = _RATIOS[request.equivalence_source or "ASHTON"]
    days = []
    for index, step in enumerate(plan.steps):
        following = plan.steps[index + 1].start if index + 1 < len(plan.steps) else step.start
        total = sum(
            (d.amount.mg * (ratio if d.drug == "clonazepam" else 1) for d in step.doses),
            Decimal(0),
        )
        ref = total / 2 if step.every_other_day else total
        span = max((following - step.start).days, 1)
        days += [(step.start + timedelta(days=n), ref) for n in range(span)]
    return days


def _check_rate(request: PlanRequest, refs: list[Decimal]) -> None:
    """Never faster than the label: any fall over any span within 0.25 mg per 3 days (over
    at least 14 days)."""
    step = _LABEL_STEP * _RATIOS[request.equivalence_source or "ASHTON"]
    peak = max(refs)
    for b in range(1, len(refs)):
        if refs[b] >= refs[b - 1]:
            continue
        for a in range(b - 1, -1, -1):
            allowance = step * math.ceil(max(b - a, 14) / 3)
            if allowance >= peak:
                break
            assert refs[a] - refs[b] <= allowance, (a, b, refs[a], refs[b])


def _check_cap(request: PlanRequest, plan: Plan, days: list[tuple[date, Decimal]]) -> None:
    """Without an override no 14-day window falls by more than 25 % (or the end phase);
    with one, every step that does is marked."""
    refs = [r for _, r in days]
    marked = {
        s.start for s in plan.steps if "outside the guideline by clinician override" in s.note
    }
    for b in range(1, len(refs)):
        if refs[b] >= refs[b - 1] or refs[b] == 0:  # the stop is the stop rule's
            continue
        highest = max(refs[max(0, b - 14) : b])
        allowed = max(highest * Decimal(25) / _HUNDRED, END_PHASE_DIAZEPAM_MG)
        if highest - refs[b] <= allowed:
            continue
        assert request.constraints.override_reason, (days[b], highest, refs[b])
        assert days[b][0] in marked, days[b]


def _check_steps(request: PlanRequest, plan: Plan) -> None:
    """Maxima, increases, stops and liquids, step by step."""
    ratio = _RATIOS[request.equivalence_source or "ASHTON"]
    for previous, step in zip(plan.steps, plan.steps[1:], strict=False):
        for dose in step.doses:
            units = dose.composition.units if dose.composition else ()
            assert sum(u.is_liquid for u in units) <= 1, dose  # one liquid per measured dose
        by_drug: dict[str, Decimal] = {}
        for dose in step.doses:
            by_drug[dose.drug] = by_drug.get(dose.drug, Decimal(0)) + dose.amount.mg
        assert by_drug.get("clonazepam", Decimal(0)) <= 4  # the lowest maximum [LABEL]
        assert by_drug.get("diazepam", Decimal(0)) <= 40
        if step.reference_daily.mg > previous.reference_daily.mg:
            check_reason(step.reason, "the reason")  # an increase carries a real reason
        if step.daily.mg == 0 and previous.daily.mg > 0:
            assert len({d.drug for d in previous.doses}) == 1
            drug = previous.doses[0].drug
            assert previous.daily.mg <= _stop_bound(request, drug, ratio), previous


def _stop_bound(request: PlanRequest, drug: str, ratio: Decimal) -> Decimal:
    """The most a plan may stop from: the smallest dose the products listed make, or diazepam
    0.5 mg equivalent, whichever is larger (a liquid the planner adds only lowers it)."""
    if drug == "clonazepam":
        products = request.products or ()
        end_phase = END_PHASE_DIAZEPAM_MG / ratio
    else:
        products = tuple(p for p in DIAZEPAM.products if p.form != "liquid")
        end_phase = END_PHASE_DIAZEPAM_MG
    smallest = dose_solver(products, Mass.of_mg(40)).smallest_positive().total.mg
    return max(smallest, end_phase)


def _check_stabilisation(request: PlanRequest, plan: Plan) -> None:
    if request.constraints.override_reason or len(plan.steps) < 2:
        return
    assert (plan.steps[1].start - plan.steps[0].start).days >= 14


@pytest.mark.slow
@SETTINGS
@given(wild_requests())
def test_any_request_is_refused_or_keeps_every_rule(request: PlanRequest) -> None:
    try:
        plan = propose(request)
    except InputError:
        event("bad input")
        return  # bad input, named in its message (covered by the dangerous-request suite)
    except TaperlineError as error:
        event("refused")
        refusal = str(error)
        assert refusal  # a refusal always says why
        return
    event("planned, outside the guideline" if plan.basis.outside_guideline else "planned")
    days = _series(request, plan)
    refs = [r for _, r in days]
    _check_rate(request, refs)
    _check_cap(request, plan, days)
    _check_steps(request, plan)
    _check_stabilisation(request, plan)
    if plan.basis.outside_guideline:
        assert request.constraints.override_reason
        assert plan.mark.endswith(REASON)
