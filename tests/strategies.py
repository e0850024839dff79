"""Shared hypothesis strategies. Each module's strategies live in its own section."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import strategies as st

from taperline.core.quantity import Mass

# --- quantities -------------------------------------------------------------------------------

#: Exact decimal amounts as people write them: up to 4 integer digits and 3 decimals.
decimal_amounts = st.builds(
    lambda units, places: Decimal(units).scaleb(-places),
    st.integers(min_value=1, max_value=9_999_999),
    st.integers(min_value=0, max_value=3),
)

#: Masses in mg, mcg or g.
masses = st.builds(Mass, decimal_amounts, st.sampled_from(["mg", "mcg", "g"]))

# --- products ---------------------------------------------------------------------------------

# Imports stay with their section because each module appends its own.
from taperline.core.products import Product  # noqa: E402 -- appended section, see above
from taperline.core.quantity import Concentration, Volume  # noqa: E402 -- likewise


def _tablet(strength: str, divisible_by: int) -> Product:
    return Product("tablet", Mass.of_mg(strength), "test", divisible_by=divisible_by)


def _liquid(concentration: str, resolution: str) -> Product:
    return Product.liquid(
        Concentration(Decimal(concentration)), Volume(Decimal(resolution)), source="test"
    )


#: Tablets (unscored, scored for halves or quarters) of real clonazepam strengths and 0.25 mg.
tablets = st.builds(_tablet, st.sampled_from(["0.25", "0.5", "1", "2"]), st.sampled_from([1, 2, 4]))
#: Orally disintegrating tablets of the clonazepam strengths.
odts = st.builds(
    lambda mg: Product("odt", Mass.of_mg(mg), "test"),
    st.sampled_from(["0.125", "0.25", "0.5", "1", "2"]),
)
#: Compounded capsules of small custom strengths.
capsules = st.builds(
    lambda mg: Product("capsule", Mass.of_mg(mg), "test", compounded=True),
    st.sampled_from(["0.025", "0.05", "0.075", "0.1", "0.3"]),
)
#: Liquids: 0.1 mg/mL suspension or 2.5 mg/mL drops, syringe marks 0.1, 0.05 or 0.01 mL.
liquids = st.builds(
    _liquid, st.sampled_from(["0.1", "2.5"]), st.sampled_from(["0.1", "0.05", "0.01"])
)
solid_products = st.one_of(tablets, odts, capsules)

#: Small product sets: up to three solids and at most one liquid, never empty.
product_sets = st.builds(
    lambda solids, liquid: tuple(dict.fromkeys([*solids, *liquid])),
    st.lists(solid_products, max_size=3),
    st.lists(liquids, max_size=1),
).filter(bool)

#: Target doses from 0.001 mg to 4 mg, to the mcg (many not makeable by a given set).
target_doses = st.builds(
    lambda mcg: Mass.of_mg(Decimal(mcg).scaleb(-3)), st.integers(min_value=1, max_value=4000)
)

# --- catalogue --------------------------------------------------------------------------------

#: Clonazepam daily doses from the lowest SEED-INSOMNIA band (0.25 mg) up to 10 mg, to the mcg.
clonazepam_daily_doses = st.builds(
    lambda mcg: Mass.of_mg(Decimal(mcg).scaleb(-3)),
    st.integers(min_value=250, max_value=10_000),
)

# --- pharmacokinetics -------------------------------------------------------------------------

from taperline.core.pk import DoseEvent, PKParams  # noqa: E402 -- each section imports its own names

#: One-compartment parameters across and beyond the clinical range, including ka close to ke.
pk_params = st.builds(
    PKParams,
    ka_per_h=st.floats(min_value=0.01, max_value=20.0),
    cl_l_per_h=st.floats(min_value=0.5, max_value=20.0),
    v_l=st.floats(min_value=20.0, max_value=600.0),
    bioavailability=st.floats(min_value=0.1, max_value=1.0),
)

#: One dose: within a month, 0.01 mg to 4 mg.
dose_events = st.builds(
    DoseEvent,
    time_h=st.floats(min_value=0.0, max_value=720.0),
    amount_mg=st.floats(min_value=0.01, max_value=4.0),
)

#: An irregular regimen (missed, late, changed doses are all just events), up to 12 doses.
regimens = st.lists(dose_events, min_size=0, max_size=12)

#: Times at which to look, within the month after the regimen starts (and a little before).
sample_times_h = st.lists(st.floats(min_value=-24.0, max_value=800.0), min_size=1, max_size=20)

# --- plans ------------------------------------------------------------------------------------

import bisect  # noqa: E402 -- each section imports its own names
import functools  # noqa: E402 -- likewise
from collections.abc import Sequence  # noqa: E402 -- likewise
from datetime import date, timedelta  # noqa: E402 -- likewise
from typing import NamedTuple, TypeVar  # noqa: E402 -- likewise

from taperline.catalogue_data import load_catalogue  # noqa: E402 -- likewise
from taperline.core.catalogue import Drug  # noqa: E402 -- likewise
from taperline.core.guideline import LABEL_STEP_DIAZEPAM_MG, LABEL_STEP_MG  # noqa: E402 -- likewise
from taperline.core.plan import Constraints, Hold, PlanRequest  # noqa: E402 -- likewise
from taperline.core.plan_limits import strategy_fall  # noqa: E402 -- likewise
from taperline.core.products import dose_solver  # noqa: E402 -- likewise
from taperline.core.regimen import ScheduledDose  # noqa: E402 -- likewise
from taperline.core.strategies import FixedBand, Strategy, nice_diazepam_bands  # noqa: E402 -- likewise

T = TypeVar("T")

#: Drugs of the catalogue with a diazepam equivalence (every planner drug needs one).
PLAN_DRUGS = (
    "clonazepam",
    "diazepam",
    "lorazepam",
    "alprazolam",
    "oxazepam",
    "temazepam",
    "chlordiazepoxide",
)
#: Long half-life drugs, for which alternate days may be asked [ASHTON].
LONG_HALF_LIFE = ("clonazepam", "diazepam")
PLAN_START = date(2027, 1, 4)
#: Dose times people use (hours after midnight), distinct by construction.
DOSE_HOURS = (7.0, 8.0, 12.5, 14.0, 18.0, 21.0, 22.0, 23.5)


def _scaled_bands(drug: Drug) -> tuple[FixedBand, ...]:
    """NICE-CKS diazepam bands scaled to ``drug`` by its first (Ashton) equivalence."""
    if drug.name == "diazepam":
        return nice_diazepam_bands()
    factor = drug.equivalence().dose_mg.mg / Decimal(10)
    return tuple(
        FixedBand(Mass.of_mg(b.above.mg * factor), Mass.of_mg(b.step.mg * factor), 14, b.source)
        for b in nice_diazepam_bands()
    )


def _product_set(drug: Drug, choice: str) -> tuple[Product, ...] | None:
    """None (the planner's default: commercial solids), every product, or solids + liquid."""
    if choice == "default":
        return None
    if choice == "all":
        return drug.products
    solids = tuple(p for p in drug.products if p.form != "liquid")
    return solids or drug.products


@functools.cache
def _makeable_amounts(products: tuple[Product, ...], daily_max: Mass) -> tuple[Mass, ...]:
    """Every makeable amount up to the daily maximum (cached: generation must be fast)."""
    return dose_solver(products, daily_max).makeable_amounts()


class _PlanSetup(NamedTuple):
    """What a request's drug and product choice fix, worked out once (generation is hot)."""

    drug: Drug
    products: tuple[Product, ...] | None
    daily_max: Mass
    amounts: tuple[Mass, ...]  # ascending
    amounts_mg: tuple[Decimal, ...]


@functools.cache
def _plan_setup(name: str, choice: str) -> _PlanSetup:
    drug = load_catalogue().get(name)
    products = _product_set(drug, choice)
    chosen = (
        products
        if products is not None
        else tuple(p for p in drug.products if p.form != "liquid" and not p.compounded)
    )
    assert drug.daily_max_mg is not None
    daily_max = drug.daily_max_mg.value
    amounts = _makeable_amounts(chosen, daily_max)
    return _PlanSetup(drug, products, daily_max, amounts, tuple(m.mg for m in amounts))


_KINDS = ("percent", "occupancy", "deprescribing", "fixed", "crossover")
_ED50_MG = st.sampled_from(("0.5", "1", "2", "5", "10"))
_SWAP_DAYS = st.sampled_from((7, 14))
# The strategies of every draw, made once: a sampled_from made on each draw is validated
# again every time (the same choices and labels as a fresh one, so the same examples).
_KIND_CHOICES = {True: st.sampled_from(_KINDS), False: st.sampled_from(_KINDS[:-1])}
_PERCENTS = st.integers(min_value=5, max_value=25)
_INTERVALS = {
    small: st.integers(min_value=7 if small else 14, max_value=28) for small in (True, False)
}
_BOOLEANS = st.booleans()


def draw_plan_strategy(draw: st.DrawFn, drug: Drug) -> Strategy:
    """A strategy for ``drug`` (see :func:`plan_strategies`), drawn with ``draw``."""
    kind = draw(_KIND_CHOICES[drug.name != "diazepam"])
    percent = Decimal(draw(_PERCENTS))
    # Within the guideline: two cuts fall in one 14-day window when they are under 14 days
    # apart, which keeps to 25 % only up to 13 % a cut [ASAM-2025].
    interval = draw(_INTERVALS[percent <= 13])
    if kind == "percent":
        return Strategy(kind="percent", percent=percent, interval_days=interval)
    if kind == "occupancy":
        ed50 = Decimal(draw(_ED50_MG))
        return Strategy(kind="occupancy", percent=percent, interval_days=interval, ed50_mg=ed50)
    if kind == "fixed":
        return Strategy(kind="fixed", bands=_cached_bands(drug))
    if kind == "crossover":
        then = Strategy(kind="percent", percent=percent) if draw(_BOOLEANS) else None
        return Strategy(kind="crossover", then=then, swap_days=draw(_SWAP_DAYS))
    return Strategy(kind=kind)


_BANDS: dict[int, tuple[Drug, tuple[FixedBand, ...]]] = {}


def _cached_bands(drug: Drug) -> tuple[FixedBand, ...]:
    """:func:`_scaled_bands`, made once a drug (by identity; the drug is kept, bands are frozen)."""
    found = _BANDS.get(id(drug))
    if found is None or found[0] is not drug:
        found = _BANDS[id(drug)] = (drug, _scaled_bands(drug))
    return found[1]


@st.composite
def plan_strategies(draw: st.DrawFn, drug: Drug) -> Strategy:
    """Percent, occupancy, deprescribing, fixed or (not for diazepam) crossover."""
    return draw_plan_strategy(draw, drug)


def _pick(draw: st.DrawFn, items: Sequence[T], count: int | None = None) -> T:
    """One of ``items`` (of the first ``count`` only, when given), drawn as an index:
    ``st.sampled_from`` of a fresh list is a new strategy on every draw (its label hashes
    every element), an index strategy is cached."""
    return items[draw(st.integers(0, (len(items) if count is None else count) - 1))]


#: 1-3 distinct dose hours, one strategy per count (made once, not on every draw).
_DOSE_HOUR_LISTS = {
    count: st.lists(st.sampled_from(DOSE_HOURS), min_size=count, max_size=count, unique=True)
    for count in (1, 2, 3)
}


_PRODUCT_CHOICES = st.sampled_from(("default", "all", "solids"))
_HOLDS = st.lists(st.tuples(st.integers(0, 365), st.integers(1, 28)), max_size=2)
_PLAN_DRUG_NAMES = st.sampled_from(PLAN_DRUGS)
_DOSE_COUNTS = st.integers(min_value=1, max_value=3)
_STABILISATION_DAYS = st.integers(14, 28)
_USE_MONTHS = st.integers(0, 120)
_AGES = st.integers(18, 95)


@st.composite
def plan_requests(draw: st.DrawFn) -> PlanRequest:
    """A valid request: a catalogue drug, 1-3 makeable doses at distinct times within the
    daily maximum, a strategy, products with or without a liquid, a goal, stabilisation,
    holds and (long half-life drugs only) alternate days."""
    setup = _plan_setup(draw(_PLAN_DRUG_NAMES), draw(_PRODUCT_CHOICES))
    drug, products, daily_max = setup.drug, setup.products, setup.daily_max
    amounts = setup.amounts
    count = draw(_DOSE_COUNTS)
    hours = draw(_DOSE_HOUR_LISTS[count])
    doses: list[ScheduledDose] = []
    total = Decimal(0)
    for hour in hours:
        # The amounts that fit, ``[m for m in amounts if total + m.mg <= daily_max.mg]``, are
        # the first ``fits`` (ascending): found by bisection with the same comparison.
        fits = bisect.bisect_right(setup.amounts_mg, daily_max.mg, key=lambda mg: total + mg)
        if not fits:
            break
        amount = _pick(draw, amounts, max(1, fits // count))
        total += amount.mg
        doses.append(ScheduledDose(hour, amount))
    strategy = draw_plan_strategy(draw, drug)
    ratio = Decimal(10) / drug.equivalence().dose_mg.mg  # diazepam mg per mg [ASHTON]
    smallest = min(d.amount.mg for d in doses)
    if strategy.kind == "crossover" and (total * ratio > 40 or smallest * ratio < 4):
        # Refused on purpose (above diazepam's daily maximum, or a dose finer than diazepam
        # 1 mg steps make within 25 %): covered by the dangerous-input suite, not valid here.
        strategy = Strategy(kind="percent")
    if strategy.kind == "occupancy" and strategy_fall(strategy, total * ratio, ratio):
        # Its first cuts break the window at this dose and ED50: refused without an override
        # (covered by the rules tests), not a valid request here.
        strategy = Strategy(kind="percent")
    label = LABEL_STEP_MG * ratio if drug.name == "clonazepam" else LABEL_STEP_DIAZEPAM_MG
    if strategy.kind != "crossover" and strategy_fall(strategy, total * ratio, ratio, label):
        # At this high dose its cuts are faster than the label's taper: refused whatever the
        # override (the rules tests), not a valid request here.
        strategy = Strategy(kind="percent", percent=Decimal(5), interval_days=28)
    goal = Mass.zero()
    below = bisect.bisect_left(setup.amounts_mg, total)  # the first, ``m.mg < total``
    if strategy.kind != "crossover" and below and draw(_BOOLEANS):
        goal = _pick(draw, amounts, max(1, below // 2))
    holds = tuple(Hold(PLAN_START + timedelta(days=offset), days) for offset, days in draw(_HOLDS))
    constraints = Constraints(stabilisation_days=draw(_STABILISATION_DAYS), holds=holds)
    alternate = drug.name in LONG_HALF_LIFE and goal.mg == 0 and draw(_BOOLEANS)
    # A switch planned by the source giving the most diazepam is a cut by no source; by
    # another it may be a cut above the cap, refused without an override (rules tests).
    source = (
        max(drug.equivalences, key=lambda e: -e.dose_mg.mg).source
        if strategy.kind == "crossover"
        else None
    )
    return PlanRequest(
        drug=drug,
        regimen=tuple(doses),
        start=PLAN_START,
        strategy=strategy,
        goal=goal,
        constraints=constraints,
        products=products,
        use_months=Decimal(draw(_USE_MONTHS)),
        age_years=draw(_AGES),
        target=load_catalogue().get("diazepam") if strategy.kind == "crossover" else None,
        alternate_days=alternate,
        equivalence_source=source,
    )


# --- journal ----------------------------------------------------------------------------------

from datetime import datetime, time  # noqa: E402 -- each section imports its own names

from taperline.core.journal import SYMPTOMS, CheckIn, ReportedSleep, SleepDiary  # noqa: E402 -- likewise

#: Wake dates of journal nights.
wake_dates = st.dates(min_value=date(2026, 1, 1), max_value=date(2028, 12, 31))


# Generating is most of many properties' time (issue 19 section 4), and a strategy made anew
# on each draw (a composite called with a day, a ``one_of`` or ``map`` of it) is validated
# and labelled again every time: the check-ins below are drawn by plain functions from
# strategies made once (``st.integers`` is cached by its bounds), about half the time.
_FINAL_WAKE_MIN = st.integers(0, 540)
_LYING_MIN = st.integers(60, 14 * 60)
_OUT_OF_BED_MIN = st.integers(0, 120)
_QUALITY = st.integers(1, 5)
_SCALE = st.integers(0, 10)
_WORST_TIMES = st.sampled_from([None, "morning", "afternoon", "evening", "night"])
_DAYS_BEFORE = st.none() | st.integers(1, 14)


def draw_sleep_diary(draw: st.DrawFn, wake: date) -> SleepDiary:
    """A valid night waking on ``wake`` (see :func:`sleep_diaries`), drawn with ``draw``."""
    final_wake = datetime.combine(wake, time(3, 0)) + timedelta(minutes=draw(_FINAL_WAKE_MIN))
    lying_min = draw(_LYING_MIN)
    bed = final_wake - timedelta(minutes=lying_min)
    before_min = draw(st.integers(0, min(120, lying_min)))
    tried = bed + timedelta(minutes=before_min)
    opportunity_min = lying_min - before_min
    sol_min = draw(st.integers(0, min(720, opportunity_min)))
    waso_min = draw(st.integers(0, min(720, opportunity_min - sol_min)))
    awakenings = draw(st.integers(1 if waso_min else 0, 10))
    out_of_bed = final_wake + timedelta(minutes=draw(_OUT_OF_BED_MIN))
    quality = draw(_QUALITY)
    return SleepDiary(bed, tried, final_wake, out_of_bed, sol_min, waso_min, awakenings, quality)


@st.composite
def sleep_diaries(draw: st.DrawFn, wake_date: date | None = None) -> SleepDiary:
    """A valid night: final wake 03:00-12:00 on the wake date, 1-14 h in bed before it."""
    return draw_sleep_diary(draw, wake_date if wake_date is not None else draw(wake_dates))


#: Checklist ratings: a few known symptoms rated 0-3.
symptom_ratings = st.dictionaries(st.sampled_from(SYMPTOMS), st.integers(0, 3), max_size=6)


#: A quick check-in's night: the person's estimate of their sleep and its quality.
reported_sleeps = st.builds(ReportedSleep, st.integers(0, 24 * 60), st.integers(1, 5))
_REPORTED = st.none() | reported_sleeps


def draw_checkin(draw: st.DrawFn, wake: date) -> CheckIn:
    """A valid check-in of ``wake`` (see :func:`checkins`), drawn with ``draw``."""
    sleep = draw_sleep_diary(draw, wake) if draw(st.booleans()) else None
    reported = draw(_REPORTED) if sleep is None else None
    rated = draw(st.booleans())
    return CheckIn(
        wake,
        sleep,
        mood=draw(_SCALE),
        anxiety=draw(_SCALE),
        symptoms=draw(symptom_ratings) if rated else {},
        worst_time=draw(_WORST_TIMES),
        # "same as last night": the day copied from, before the check-in's (a night only
        # when there is one)
        sleep_copied_from=_days_before(wake, draw(_DAYS_BEFORE)) if sleep is not None else None,
        symptoms_copied_from=_days_before(wake, draw(_DAYS_BEFORE)) if rated else None,
        reported_sleep=reported,
        symptoms_rated=rated,
        substances_asked=draw(st.booleans()),  # the counts stay 0: a placeholder when not
    )


@st.composite
def checkins(draw: st.DrawFn, wake_date: date | None = None) -> CheckIn:
    """A valid check-in: a sleep diary, a quick one's reported sleep, or no night; the symptom
    checklist rated or not asked (a quick check-in)."""
    return draw_checkin(draw, wake_date if wake_date is not None else draw(wake_dates))


def _days_before(wake: date, days: int | None) -> date | None:
    return None if days is None else wake - timedelta(days=days)


def wall_clock(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A naive local wall-clock time, as check-ins hold them (the person's own zone)."""
    return datetime.combine(date(year, month, day), time(hour, minute))


# --- CSV --------------------------------------------------------------------------------------

from dataclasses import replace  # noqa: E402 -- each section imports its own names

from taperline.core.journal import RED_FLAG_EVENTS  # noqa: E402 -- likewise
from taperline.core.record import DoseRecord  # noqa: E402 -- likewise

#: Free text as people type it, often with what CSV must quote: commas, quotes, line breaks
#: (LF, CRLF, lone CR), leading formula signs and apostrophes, semicolons and non-ASCII.
#: Text as people type it: anything but NUL, which stored text refuses (journal.check_text).
stored_text = st.characters(codec="utf-8", exclude_characters="\x00")
csv_texts = st.one_of(
    st.text(stored_text, max_size=60),
    st.lists(st.sampled_from([*",\"'\n\r\t =+-@;aZ0é—😀", "\r\n"]), max_size=30).map("".join),
)


@st.composite
def csv_checkins(draw: st.DrawFn, wake_date: date | None = None) -> CheckIn:
    """A valid check-in with every field the journal CSV carries (no doses)."""
    checkin = draw_checkin(draw, wake_date if wake_date is not None else draw(wake_dates))
    asked = draw(st.booleans())  # not asked (a quick check-in): 0, 0 and false as placeholders
    return replace(
        checkin,
        caffeine_drinks=draw(st.integers(0, 40)) if asked else 0,
        alcohol_drinks=draw(st.integers(0, 40)) if asked else 0,
        opioid_use=draw(st.booleans()) if asked else False,
        substances_asked=asked,
        events=frozenset(draw(st.sets(st.sampled_from(RED_FLAG_EVENTS), max_size=3))),
        notes=draw(csv_texts),
    )


#: A journal as a file holds it: check-ins on distinct wake dates, in any order.
csv_journals = st.lists(csv_checkins(), max_size=8, unique_by=lambda c: c.wake_date)

#: Clock times HH:MM on the minute.
clock_texts = st.builds(lambda h, m: f"{h:02d}:{m:02d}", st.integers(0, 23), st.integers(0, 59))


@st.composite
def dose_records(draw: st.DrawFn) -> DoseRecord:
    """A valid dose-log line: planned, taken (on time, late, early), missed or extra."""
    day = draw(wake_dates)
    kind = draw(st.sampled_from(["taken", "missed", "extra"]))
    planned = draw(clock_texts) if kind != "extra" else None
    taken_at = None
    amount = None
    if kind != "missed":
        offset_min = draw(st.integers(-12 * 60, 36 * 60 - 1))
        seconds = draw(st.sampled_from([0, 0, 0, 17]))
        taken_at = datetime.combine(day, time()) + timedelta(minutes=offset_min, seconds=seconds)
        amount = draw(masses)
    return DoseRecord(
        day,
        draw(st.sampled_from(["clonazepam", "diazepam", "lorazepam"])),
        planned,
        draw(st.none() | masses) if planned is not None else None,
        taken_at,
        amount,
        units=draw(st.sampled_from(["", "1 x tablet 0.5 mg", "0.25 mL of 0.1 mg/mL"])),
        note=draw(csv_texts),
    )


# --- records (FHIR) ---------------------------------------------------------------------------

from datetime import UTC  # noqa: E402 -- each section imports its own names

from taperline.core.findings import Evidence, Finding  # noqa: E402 -- likewise
from taperline.core.instruments import InstrumentScore, score_gad7, score_phq9  # noqa: E402 -- likewise
from taperline.core.record import (  # noqa: E402 -- likewise
    AGE_BANDS,
    PLAN_STATUSES,
    PersonRecord,
    PlanBasis,
    PlanVersion,
    Profile,
    RecordDose,
    RecordStep,
    RecordSupply,
    Regimen,
)

#: IANA zones: no daylight saving, DST at either end of the day, half-hour DST, +12:45.
time_zones = st.sampled_from(
    ["UTC", "Europe/London", "America/New_York", "Australia/Lord_Howe", "Pacific/Chatham"]
)
#: Short non-empty names as the core keeps them (stripped).
record_names = st.text(stored_text, min_size=1, max_size=20).map(str.strip).filter(bool)

#: Profiles with any zone, band, conditions, other medicines and label (empty included).
profiles = st.builds(
    Profile,
    time_zones,
    st.sampled_from([None, *AGE_BANDS]),
    st.lists(record_names, max_size=3).map(tuple),
    st.lists(record_names, max_size=3).map(tuple),
    st.text(stored_text, max_size=30),
)

#: Current regimens (before a plan): a drug and 1-4 doses at distinct clock times, amounts of
#: any precision (the core sorts them by clock). Not ``regimens``: the PK dose lists above.
current_regimens = st.builds(
    lambda drug, clocks, amounts: Regimen.of(drug, zip(clocks, amounts, strict=False)),
    st.sampled_from(["clonazepam", "diazepam", "lorazepam"]),
    st.lists(clock_texts, min_size=1, max_size=4, unique=True),
    st.lists(masses, min_size=4, max_size=4),
)
#: Profiles as above, with a regimen or none.
profiles_with_regimens = st.builds(
    lambda profile, regimen: replace(profile, regimen=regimen),
    profiles,
    st.none() | current_regimens,
)

#: Masses a float cannot carry exactly (20 significant digits) as well as everyday ones.
exact_masses = st.one_of(
    masses, st.builds(lambda n: Mass.of_mg(Decimal(n).scaleb(-19)), st.integers(1, 10**20))
)
#: Drugs as plans name them: known to RxNorm here, other catalogue drugs, or free names.
plan_drug_names = st.one_of(st.sampled_from(["clonazepam", "diazepam", "lorazepam"]), record_names)

record_doses = st.builds(
    RecordDose,
    clock_texts,
    plan_drug_names,
    exact_masses,
    st.lists(record_names, max_size=2).map(tuple),
)

record_supplies = st.builds(
    lambda start, days, drug, product, count, unit: RecordSupply(
        start, start + timedelta(days=days), drug, product, count, unit
    ),
    wake_dates,
    st.integers(0, 60),
    plan_drug_names,
    record_names,
    st.one_of(decimal_amounts, st.builds(lambda n: Decimal(n).scaleb(-18), st.integers(1, 10**19))),
    st.sampled_from(["", "tablet", "mL"]),
)
#: Timezone-aware UTC moments (hypothesis takes naive bounds for aware datetimes).
utc_moments = st.datetimes(
    min_value=wall_clock(2026, 1, 1), max_value=wall_clock(2028, 12, 31), timezones=st.just(UTC)
)


# Strategies a draw uses made once (a new one on every draw is validated every time).
_STEP_DOSES = st.lists(record_doses, max_size=3)
_STEP_SOURCES = st.sampled_from(("", "ASAM-2025", "clinician"))
_STEP_REASONS = st.just("") | csv_texts
_PLAN_STRATEGY_NAMES = st.sampled_from(("", "percent", "occupancy", "crossover"))
_SUPPLY_LINES = st.lists(record_supplies, max_size=2)
_WARNINGS = st.lists(record_names, max_size=2)
_ASSUMPTIONS = st.dictionaries(record_names, record_names, max_size=2)


@st.composite
def record_steps(draw: st.DrawFn) -> tuple[RecordStep, ...]:
    """1-4 steps on increasing dates; any step may have no doses or several drugs."""
    day = draw(wake_dates)
    steps = []
    for _ in range(draw(st.integers(1, 4))):
        steps.append(
            RecordStep(
                day,
                tuple(draw(_STEP_DOSES)),
                rule=draw(csv_texts),
                source=draw(_STEP_SOURCES),
                every_other_day=draw(st.booleans()),
                note=draw(csv_texts),
                reason=draw(_STEP_REASONS),
            )
        )
        day += timedelta(days=draw(st.integers(1, 60)))
    return tuple(steps)


_RECORD_STEPS = record_steps()

#: Rule bases as stored with a plan: the guideline's, or other settings with an override.
plan_bases = st.one_of(
    st.just(PlanBasis()),
    st.builds(
        PlanBasis,
        max_cut_pct=st.builds(Decimal, st.sampled_from(["10", "25", "33.3", "50"])),
        window_days=st.integers(1, 28),
        stabilisation_days=st.integers(1, 28),
        override_reason=st.one_of(st.just(""), record_names),
        equivalence_source=st.sampled_from(["", "ASHTON", "VADOD-2021"]),
        indication=st.sampled_from(["", "seizure", "panic", "sleep"]),
        smallest_doses=st.lists(st.tuples(plan_drug_names, exact_masses), max_size=2)
        .map(lambda pairs: tuple(dict(pairs).items()))
        .map(lambda pairs: tuple(sorted(pairs))),
        outside_guideline=st.lists(record_names, max_size=2).map(tuple),
    ),
)


@st.composite
def plan_versions(draw: st.DrawFn, version: int, parent: int | None) -> PlanVersion:
    """A stored plan version, decided or not, with supply lines, warnings and assumptions."""
    decided = draw(st.booleans())
    status = draw(st.sampled_from(PLAN_STATUSES))
    return PlanVersion(
        version=version,
        status=status,
        drug=draw(plan_drug_names),
        strategy=draw(_PLAN_STRATEGY_NAMES),
        steps=draw(_RECORD_STEPS),
        proposed_by=draw(record_names),
        proposed_at=draw(utc_moments),
        reason=draw(csv_texts),
        decided_by=draw(record_names) if decided else None,
        decided_at=draw(utc_moments) if decided else None,
        parent_version=parent,
        supply=tuple(draw(_SUPPLY_LINES)),
        warnings=tuple(draw(_WARNINGS)),
        assumptions=draw(_ASSUMPTIONS),
        basis=draw(plan_bases),
        held_from=draw(wake_dates) if status == "held" and draw(st.booleans()) else None,
    )


@st.composite
def plan_histories(draw: st.DrawFn) -> tuple[PlanVersion, ...]:
    """0-3 versions numbered 1, 2, 3, each (but the first) from the one before."""
    count = draw(st.integers(0, 3))
    return tuple(draw(plan_versions(n, n - 1 if n > 1 else None)) for n in range(1, count + 1))


instrument_scores: st.SearchStrategy[InstrumentScore] = st.one_of(
    st.builds(
        score_phq9, st.lists(st.integers(0, 3), min_size=9, max_size=9), st.none() | wake_dates
    ),
    st.builds(
        score_gad7, st.lists(st.integers(0, 3), min_size=7, max_size=7), st.none() | wake_dates
    ),
)

findings = st.builds(
    Finding,
    st.sampled_from(["flare", "stable", "waves", "interdose", "rebound", "red_flag", "co_use"]),
    st.sampled_from(["info", "warning", "urgent"]),
    record_names,
    st.lists(
        st.builds(Evidence, wake_dates, st.text(max_size=10), st.text(max_size=10)), max_size=2
    ).map(tuple),
    st.sampled_from(["", "ASAM-2025"]),
    st.text(max_size=20),
    st.booleans(),
)

#: Whole records: profile, check-ins (any fields), dose log, scores and plan versions.
person_records = st.builds(
    PersonRecord,
    profiles,
    st.lists(csv_checkins(), max_size=3).map(tuple),
    st.lists(dose_records(), max_size=3).map(tuple),
    st.lists(instrument_scores, max_size=2).map(tuple),
    plan_histories(),
)


# --- screening --------------------------------------------------------------------------------

from taperline.core.screening import CRISIS_PHRASES  # noqa: E402 -- appended section

#: (class slug, a name of one of its members or the class itself), every one in the catalogue.
class_names = st.sampled_from(
    [(c.slug, name) for c in load_catalogue().classes.values() for name in c.names]
)

#: Words around a name that name nothing: doses, times, "a glass of".
_AROUND = (
    ("", "a ", "some ", "taking ", "a glass of ", "two ", "prn "),
    ("", " 5 mg", " 10/325", " daily", " at night", " (as needed)", ".", " tabs", " ER"),
)


@st.composite
def spelt_like_people(draw: st.DrawFn, name: str) -> str:
    """``name`` as people type it: any casing, separators changed, words around it."""
    separators = st.sampled_from([" ", "  ", "-", "_", " - ", "\t"])
    parts = name.replace("-", " ").split()
    text = parts[0]
    for part in parts[1:]:
        text += draw(separators) + part
    cased = "".join(ch.upper() if draw(st.booleans()) else ch.lower() for ch in text)
    return draw(st.sampled_from(_AROUND[0])) + cased + draw(st.sampled_from(_AROUND[1]))


#: Names no catalogue knows: one token that starts with "zq" (no known name does).
unknown_names = st.text("abcdefghijklmnopqrstuvwxyz0123456789", min_size=2, max_size=10).map(
    lambda tail: f"zq{tail}"
)

#: (category, a crisis phrase of it).
crisis_phrases = st.sampled_from(
    [(category, phrase) for category, phrases in CRISIS_PHRASES.items() for phrase in phrases]
)

#: Words that neither make nor hide crisis words.
filler_words = st.lists(
    st.sampled_from(
        ["today", "I", "felt", "really", "bad", "then", "slept", "badly", "so", "tired"]
    ),
    max_size=4,
).map(" ".join)

# --- typed values (clock times, dates, durations) ---------------------------------------------

from datetime import date as _date  # noqa: E402 -- each section imports its own names
from datetime import time as _time  # noqa: E402 -- likewise

#: Clock times on the minute (what a clock field holds).
minute_times = st.builds(_time, st.integers(0, 23), st.integers(0, 59))
#: Any calendar date (years 1-9999, which YYYY-MM-DD can write).
calendar_dates = st.dates(min_value=_date(1, 1, 1), max_value=_date(9999, 12, 31))
#: Whitespace people leave around a typed value.
surrounding_space = st.sampled_from(["", " ", "  ", "\t", "\n", "\u00a0", "\u3000"])

#: Digits, ASCII and not (full-width, Arabic-Indic): only ASCII ones count in a value.
_DIGITS = [*"0123456789", "\uff10", "\uff17", "\u0660", "\u0667"]
#: Pieces of text near the forms of clock times, dates and durations, and their usual typos.
_VALUE_PIECES = [
    *_DIGITS,
    *"0123456789",
    ":",
    "-",
    ".",
    ",",
    " ",
    "T",
    "W",
    "Z",
    "+",
    "am",
    " pm",
    "h",
    "min",
    "d",
    "w",
    "m",
    "y",
    "weeks",
    "Days",
    "today",
    "yesterday",
    "tomorrow",
    "\u00a0",
]


#: Units of durations taperline reads, and ones it does not.
_DURATION_UNITS = [
    *["", "min", "minutes", "h", "hours", "d", "D", "day", "days", "w", "weeks", "Week"],
    *["m", "months", "y", "years", "mins", "hr", "s", "dd", "\uff44"],
]


@st.composite
def _value_like_texts(draw: st.DrawFn) -> str:
    """Text near the forms taperline reads: shuffled pieces of clocks, dates and durations."""
    choice = draw(st.integers(0, 4))
    if choice == 0:
        return draw(st.text(max_size=12))
    if choice == 1:  # a clock time, perhaps off
        hours = draw(st.integers(0, 99)) if draw(st.booleans()) else draw(st.integers(0, 23))
        minutes = draw(st.integers(0, 99)) if draw(st.booleans()) else draw(st.integers(0, 59))
        width = draw(st.sampled_from(["", "02", "03"]))
        text = f"{hours:{width}d}:{minutes:{draw(st.sampled_from(['', '02']))}d}"
        return draw(surrounding_space) + text + draw(st.sampled_from(["", "", " pm", ":00"]))
    if choice == 2:  # a date, perhaps off
        year = draw(st.integers(0, 10_000))
        text = f"{year:04d}-{draw(st.integers(0, 13)):02d}-{draw(st.integers(0, 32)):02d}"
        return draw(surrounding_space) + text + draw(st.sampled_from(["", "", "T22:00", " 7:05"]))
    if choice == 3:  # a duration, perhaps off
        number = draw(st.sampled_from(["0", "1", "2", "14", "1.5", "0.25", "365", "366", "007"]))
        unit = draw(st.sampled_from(_DURATION_UNITS))
        return draw(surrounding_space) + number + draw(st.sampled_from(["", " "])) + unit
    return "".join(draw(st.lists(st.sampled_from(_VALUE_PIECES), max_size=8)))


#: Text near the forms taperline reads, as people (and their keyboards) type it.
value_like_texts = _value_like_texts()


# --- readiness before a cut -------------------------------------------------------------------

from dataclasses import dataclass as _dataclass  # noqa: E402 -- each section imports its own names

from taperline.core.journal import RedFlagEvent  # noqa: E402 -- likewise
from taperline.core.readiness import ClinicianDecision, ReadinessRules  # noqa: E402 -- likewise

#: The red-flag events of a day that has some.
_day_events: st.SearchStrategy[frozenset[RedFlagEvent]] = st.sets(
    st.sampled_from(RED_FLAG_EVENTS), min_size=1, max_size=2
).map(frozenset)
#: Days back from today (0-20): some of them, or all but some of them.
_days_back = st.one_of(
    st.sets(st.integers(0, 20), max_size=21),
    st.sets(st.integers(0, 20), max_size=6).map(lambda gaps: set(range(21)) - gaps),
)


@_dataclass(frozen=True)
class ReadinessCase:
    """An active plan with a cut, a day near it, and the record of the days before."""

    record: PersonRecord
    today: date
    cut: date
    decision: ClinicianDecision | None


def _step(day: date, mg: str) -> RecordStep:
    return RecordStep(day, (RecordDose("22:00", "clonazepam", Mass.of_mg(mg)),))


@st.composite
def readiness_cases(
    draw: st.DrawFn, offsets: st.SearchStrategy[int] | None = None
) -> ReadinessCase:
    """A cut, today ``offsets`` days from it (default: 5 before to 5 after), and a record.

    Check-ins fall on some or nearly all of the 21 days up to today (a red-flag event on up
    to two of them), missed doses on any of the 10 days up to today, and the plan in force
    may carry a clinician's decision on any day of the last three weeks.
    """
    cut = draw(st.dates(min_value=date(2027, 1, 20), max_value=date(2027, 12, 1)))
    start = cut - timedelta(days=draw(st.integers(14, 28)))
    before, after = draw(st.sampled_from([("2", "1.75"), ("1", "0.875"), ("0.5", "0.25")]))
    steps = (_step(start, before), _step(cut, after), _step(cut + timedelta(days=14), "0.125"))
    today = cut + timedelta(days=draw(offsets if offsets is not None else st.integers(-5, 5)))
    days = [today - timedelta(days=n) for n in sorted(draw(_days_back))]
    flagged = draw(
        st.just(set()) | st.sets(st.sampled_from(days), max_size=2) if days else st.just(set())
    )
    journal = tuple(
        replace(draw_checkin(draw, day), events=draw(_day_events))
        if day in flagged
        else draw_checkin(draw, day)
        for day in days
    )
    missed = tuple(
        DoseRecord(today - timedelta(days=n), "clonazepam", "22:00", None, None, None)
        for n in sorted(draw(st.sets(st.integers(0, 9), max_size=6)))
    )
    decided = draw(st.none() | st.integers(-20, 0).map(lambda n: today + timedelta(days=n)))
    decision = ClinicianDecision("Dr Lee", decided, "agreed") if decided is not None else None
    at = datetime.combine(start, time(9), tzinfo=UTC)
    plan = PlanVersion(2, "active", "clonazepam", "percent", steps, "Dr Lee", at)
    record = PersonRecord(Profile("UTC"), checkins=journal, doses=missed, plans=(plan,))
    return ReadinessCase(record, today, cut, decision)


#: Today within the readiness window: from ``lead_days`` before the cut to the cut day.
window_offsets = st.integers(-ReadinessRules().lead_days, 0)


# --- the sleep window (CBT-I) ---------------------------------------------------------------

from taperline.core.metrics import NightMetrics  # noqa: E402 -- each section imports its own names
from taperline.core.sleep import SleepRules  # noqa: E402 -- likewise
from taperline.core.sleep_course import WindowWeek  # noqa: E402 -- likewise

#: Sleep-window rules: the default, the 85 % widening threshold, Spielman's 4.5 h floor.
sleep_rules = st.builds(
    SleepRules,
    floor_min=st.sampled_from([270, 300, 330]),
    raise_above_se_pct=st.sampled_from([85.0, 90.0]),
    lower_below_se_pct=st.sampled_from([75.0, 80.0]),
)


@st.composite
def window_weeks(draw: st.DrawFn, set_on: date = date(2027, 1, 7)) -> WindowWeek:
    """A prescribed week's window (any time in bed from 4 h 30 min to 9 h)."""
    return WindowWeek(
        set_on,
        draw(st.integers(0, 24 * 60 - 1)),
        draw(st.integers(270, 540)),
        draw(st.sampled_from(["patient", "clinician"])),
        draw(st.sampled_from(["patient", "Dr Lee"])),
        "drawn",
    )


@st.composite
def nights_after(draw: st.DrawFn, first: date, days: int = 7) -> list[NightMetrics]:
    """Diary nights woken up on some of the ``days`` days from ``first`` (metrics only)."""
    nights = []
    for offset in range(days):
        if not draw(st.booleans()) and offset % 3 == 0:
            continue  # a night not in the diary
        tib = draw(st.integers(240, 600))
        tst = draw(st.integers(0, tib))
        nights.append(
            NightMetrics(first + timedelta(days=offset), tib, tst, 0, tib - tst, 100 * tst / tib)
        )
    return nights


# --- flares across cuts (issue 17) ----------------------------------------------------------

#: Where a journal of :func:`flare_journals` starts: its plan's first day.
FLARE_START = date(2027, 3, 1)


@st.composite
def flare_journals(draw: st.DrawFn) -> tuple[PersonRecord, date]:
    """A nightly plan cutting every 7 to 14 days and a journal of calm and bad days.

    The 14 days before the first cut are calm (the baseline: burden 8); after it, runs of bad
    days (burden 17) and calm days of drawn lengths, so flares start, persist through cuts
    and settle. Returns the record and today (the last day).
    """
    every = draw(st.integers(7, 14))
    doses = ["1", "0.875", "0.75", "0.625", "0.5", "0.375"]
    steps = tuple(
        _step(FLARE_START + timedelta(days=14 + every * (i - 1) if i else 0), mg)
        for i, mg in enumerate(doses)
    )
    runs = draw(st.lists(st.tuples(st.booleans(), st.integers(1, 8)), min_size=1, max_size=10))
    days = [False] * 14 + [bad for bad, length in runs for _ in range(length)]
    journal = tuple(
        CheckIn(
            FLARE_START + timedelta(days=n),
            None,
            mood=3 if bad else 6,
            anxiety=7 if bad else 3,
            symptoms={"insomnia": 2, "tremor": 1} if bad else {"insomnia": 1},
        )
        for n, bad in enumerate(days)
    )
    at = datetime.combine(FLARE_START, time(9), tzinfo=UTC)
    plan = PlanVersion(1, "active", "clonazepam", "percent", steps, "Dr Lee", at)
    today = FLARE_START + timedelta(days=len(days) - 1)
    return PersonRecord(Profile("UTC"), checkins=journal, plans=(plan,)), today


# --- device sleep (issue 21) ------------------------------------------------------------------

from taperline.core.device_sleep import DeviceSleepRecord  # noqa: E402 -- appended section

#: The sources of device sleep records: a watch, a phone and a ring.
DEVICE_SOURCES = ("Watch", "Phone", "Ring")
_DEVICE_START = datetime(2027, 3, 1, tzinfo=UTC)


@st.composite
def device_sleep_records(draw: st.DrawFn, days: int = 40) -> DeviceSleepRecord:
    """A stage record of one of :data:`DEVICE_SOURCES` in a 40-day span crossing the March DST
    changes (Europe and America), 1 minute to 10 hours long; sometimes a summary session."""
    start = _DEVICE_START + timedelta(minutes=draw(st.integers(0, days * 24 * 60)))
    length = timedelta(minutes=draw(st.integers(1, 600)))
    source = draw(st.sampled_from(DEVICE_SOURCES))
    stage = draw(st.sampled_from(["in_bed", "asleep", "core", "deep", "rem", "awake", "session"]))
    asleep = draw(st.integers(0, int(length.total_seconds() // 60))) if stage == "session" else None
    return DeviceSleepRecord(source, "", stage, start, start + length, asleep_min=asleep)
