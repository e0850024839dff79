"""Products and the dose solver: examples, brute-force properties and the product grammar."""

# ruff: noqa: RUF001 -- the labels under test display the multiplication sign on purpose

from __future__ import annotations

import math
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from taperline.core.products import (
    PRODUCT_GRAMMAR,
    Composition,
    DoseSolver,
    Product,
    UnitCount,
    dose_solver,
    parse_products,
    suggest_finer_products,
)
from taperline.core.quantity import Concentration, Mass, Volume, fmt
from taperline.errors import InputError, QuantityError

from .strategies import product_sets, target_doses

CLONAZEPAM = "clonazepam"


def mg(value: str | int | Decimal) -> Mass:
    return Mass.of_mg(value)


def products(text: str) -> tuple[Product, ...]:
    return parse_products(text, drug=CLONAZEPAM, source="test")


US_TABLETS = products("tablet 0.5 mg scored, tablet 1 mg, tablet 2 mg")
SUSPENSION = products("liquid 0.1 mg/mL @ 0.1 mL")


@pytest.fixture(scope="module")
def tablets() -> DoseSolver:
    return DoseSolver(US_TABLETS, mg(4))


# --- examples: tablets ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dose", "label", "cost"),
    [
        ("0.25", "0.5 × tablet 0.5 mg (scored)", (1, 1)),
        ("0.5", "1 × tablet 0.5 mg (scored)", (1, 0)),
        ("0.75", "1.5 × tablet 0.5 mg (scored)", (2, 1)),
        ("1.5", "1 × tablet 1 mg + 1 × tablet 0.5 mg (scored)", (2, 0)),
        ("1.75", "1 × tablet 1 mg + 1.5 × tablet 0.5 mg (scored)", (3, 1)),
        ("3", "1 × tablet 2 mg + 1 × tablet 1 mg", (2, 0)),
        ("4", "2 × tablet 2 mg", (2, 0)),
    ],
)
def test_us_tablets_fewest_units_then_fewest_splits(
    tablets: DoseSolver, dose: str, label: str, cost: tuple[int, int]
) -> None:
    made = tablets.make(mg(dose))
    assert made is not None
    assert (made.label, made.cost, made.total) == (label, cost, mg(dose))


def test_doses_off_the_grid_cannot_be_made(tablets: DoseSolver) -> None:
    assert tablets.quantum == mg("0.25")
    assert tablets.make(mg("0.3")) is None
    assert not tablets.can_make(mg("0.1"))
    assert tablets.can_make(mg("0.25"))


def test_zero_is_the_empty_composition(tablets: DoseSolver) -> None:
    made = tablets.make(Mass.zero())
    assert made == Composition()
    assert (made.label, made.instructions, made.total) == ("no dose", ("No dose.",), Mass.zero())


def test_unscored_tablet_is_never_halved() -> None:
    solver = DoseSolver(products("tablet 1 mg"), mg(3))
    assert solver.make(mg("0.5")) is None
    assert [fmt(m) for m in solver.makeable_amounts()] == ["1 mg", "2 mg", "3 mg"]


def test_odt_is_never_split() -> None:
    solver = DoseSolver(products("odt 0.25 mg"), mg(1))
    assert solver.make(mg("0.125")) is None
    made = solver.make(mg("0.75"))
    assert made is not None
    assert made.units[0].count == 3
    assert "do not split it" in made.instructions[0]


def test_quarter_scored_tablet_makes_quarters() -> None:
    solver = DoseSolver(products("tablet 2 mg /4"), mg(4))
    made = solver.make(mg("1.5"))
    assert made is not None
    assert (made.label, made.cost) == ("0.75 × tablet 2 mg (quarter-scored)", (1, 1))
    assert "into quarters" in made.instructions[0]


def test_a_whole_odt_beats_a_half_tablet_on_splits() -> None:
    solver = DoseSolver(products("tablet 0.5 mg scored, odt 0.25 mg"), mg(2))
    quarter, three_quarters = solver.make(mg("0.25")), solver.make(mg("0.75"))
    assert quarter is not None
    assert three_quarters is not None
    assert (quarter.label, quarter.cost) == ("1 × ODT 0.25 mg", (1, 0))
    assert three_quarters.cost == (2, 0)


def test_capsules_are_whole() -> None:
    solver = DoseSolver(products("capsule 0.075 mg"), mg(1))
    made = solver.make(mg("0.225"))
    assert made is not None
    assert made.label == "3 × compounded capsule 0.075 mg"
    assert solver.make(mg("0.1")) is None


# --- examples: liquids ---------------------------------------------------------------------------


def test_suspension_gives_exact_hundredth_mg_steps() -> None:
    solver = DoseSolver(SUSPENSION, mg(1))
    assert solver.quantum == mg("0.01")
    assert solver.makeable_amounts() == tuple(mg(Decimal(i) / 100) for i in range(1, 101))
    made = solver.make(mg("0.37"))
    assert made is not None
    assert (made.label, made.cost) == ("3.7 mL of oral suspension 0.1 mg/mL", (1, 0))


def test_one_syringe_measure_beats_half_tablet_plus_liquid() -> None:
    # 3.7 mL is one unit; half a 0.5 mg tablet + 1.2 mL would be two.
    solver = DoseSolver((*US_TABLETS, *SUSPENSION), mg(4))
    made = solver.make(mg("0.37"))
    assert made is not None
    assert made.label == "3.7 mL of oral suspension 0.1 mg/mL"


def test_suspension_instructions() -> None:
    made = DoseSolver(SUSPENSION, mg(1)).make(mg("0.37"))
    assert made is not None
    assert made.instructions == (
        "Shake well: clonazePAM is a suspension, not a solution.",
        "Measure with an oral syringe: 3.7 mL of oral suspension 0.1 mg/mL (marks every 0.1 mL).",
        "Total dose: 0.37 mg.",
    )


def test_a_solution_needs_no_shaking() -> None:
    made = DoseSolver(products("solution 1 mg/mL"), mg(2)).make(mg("0.5"))
    assert made is not None
    assert not any("Shake" in line for line in made.instructions)
    assert made.instructions[0].startswith("Measure with an oral syringe: 0.5 mL")


def test_max_measure_moves_the_bulk_to_tablets() -> None:
    mixed = (*US_TABLETS, *SUSPENSION)
    capped = DoseSolver(mixed, mg(4), max_measure=Volume(Decimal(5)))
    made = capped.make(mg("2.37"))
    assert made is not None
    assert made.label == "1 × tablet 2 mg + 3.7 mL of oral suspension 0.1 mg/mL"
    uncapped = DoseSolver(mixed, mg(4)).make(mg("2.37"))
    assert uncapped is not None
    assert uncapped.label == "23.7 mL of oral suspension 0.1 mg/mL"


def test_drops_with_a_fine_syringe() -> None:
    solver = DoseSolver(products("liquid 2.5 mg/mL @ 0.01 mL"), mg(1))
    assert solver.quantum == mg("0.025")
    made = solver.make(mg("0.1"))
    assert made is not None
    assert made.label == "0.04 mL of oral suspension 2.5 mg/mL"


# --- nearest, smallest, amounts ------------------------------------------------------------------


def test_nearest_at_or_below(tablets: DoseSolver) -> None:
    def nearest(dose: str, floor: str | None = None) -> str | None:
        made = tablets.nearest_at_or_below(mg(dose), floor=mg(floor) if floor else None)
        return None if made is None else fmt(made.total)

    assert nearest("0.9") == "0.75 mg"
    assert nearest("0.75") == "0.75 mg"
    assert nearest("0.9", "0.8") is None
    assert nearest("0.9", "0.75") == "0.75 mg"
    assert nearest("0.2") is None  # never rounds to "no dose"
    assert nearest("0") is None


def test_smallest_positive_and_amounts(tablets: DoseSolver) -> None:
    assert tablets.smallest_positive().label == "0.5 × tablet 0.5 mg (scored)"
    amounts = tablets.makeable_amounts()
    assert amounts == tuple(mg(Decimal(i) / 4) for i in range(1, 17))


def test_dose_solver_is_reused() -> None:
    first = dose_solver(US_TABLETS, mg(4))
    assert dose_solver(list(US_TABLETS), mg(4)) is first
    assert dose_solver(US_TABLETS, mg(2)) is not first


# --- solver errors -------------------------------------------------------------------------------


def test_no_products_refused() -> None:
    with pytest.raises(InputError, match="no products given"):
        DoseSolver((), mg(4))


def test_too_fine_a_grid_refused() -> None:
    fine = products("liquid 0.1 mg/mL @ 0.01 mL")
    with pytest.raises(InputError, match=r"steps of 0\.001 mg: up to 400 mg that is 400,000"):
        DoseSolver(fine, mg(400))


def test_maximum_below_every_product_refused() -> None:
    with pytest.raises(InputError, match=r"nothing can be made up to 0\.1 mg"):
        DoseSolver(US_TABLETS, mg("0.1"))


def test_doses_outside_the_table_refused(tablets: DoseSolver) -> None:
    with pytest.raises(QuantityError, match="above 4 mg"):
        tablets.make(mg("4.25"))
    with pytest.raises(QuantityError, match="negative"):
        tablets.nearest_at_or_below(mg("-0.5"))


def test_products_of_two_drugs_refused() -> None:
    diazepam = parse_products("tablet 2 mg", drug="diazepam", source="test")
    with pytest.raises(InputError, match="different drugs"):
        DoseSolver((*US_TABLETS, *diazepam), mg(4))


def test_measure_below_one_mark_refused() -> None:
    with pytest.raises(InputError, match="less than one mark"):
        DoseSolver(SUSPENSION, mg(1), max_measure=Volume(Decimal("0.05")))


# --- unit counts and compositions ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "count", "message"),
    [
        ("odt 0.5 mg", "0.5", "an ODT is whole only"),
        ("capsule 0.1 mg", "1.5", "a capsule is whole only"),
        ("tablet 1 mg", "0.5", "whole tablets only"),
        ("tablet 0.5 mg scored", "0.25", "halves at most"),
        ("liquid 0.1 mg/mL", "0.15", "marked every 0.1 mL"),
        ("tablet 1 mg", "0", "above zero"),
    ],
)
def test_unit_count_refuses_what_the_product_cannot_deliver(
    spec: str, count: str, message: str
) -> None:
    with pytest.raises(QuantityError, match=message):
        UnitCount(products(spec)[0], Decimal(count))


def test_unit_count_json_and_label() -> None:
    unit = UnitCount(SUSPENSION[0], Decimal("2.30"))
    assert unit.label == "2.3 mL of oral suspension 0.1 mg/mL"
    assert unit.to_json() == {
        "product": "oral suspension 0.1 mg/mL",
        "form": "liquid",
        "count": 2.3,
        "count_unit": "mL",
        "amount_mg": 0.23,
        "splits": 0,
    }


def test_composition_refuses_a_product_twice() -> None:
    unit = UnitCount(US_TABLETS[1], Decimal(1))
    with pytest.raises(QuantityError, match="same product twice"):
        Composition((unit, unit))


def test_composition_json(tablets: DoseSolver) -> None:
    made = tablets.make(mg("1.75"))
    assert made is not None
    data = made.to_json()
    assert (data["total_mg"], data["unit_count"], data["split_count"]) == (1.75, 3, 1)
    assert made.instructions[-1] == "Total dose: 1.75 mg."
    assert "break one tablet along its score line" in made.instructions[1]


# --- advice when cuts are finer than the products ------------------------------------------------


def test_no_advice_when_products_allow_the_cut() -> None:
    assert suggest_finer_products(US_TABLETS, mg("0.25"), CLONAZEPAM) == ()
    assert suggest_finer_products(US_TABLETS, mg("0.75"), CLONAZEPAM) == ()


def test_advice_proposes_suspension_and_capsule_and_no_bigger_cuts() -> None:
    advice = suggest_finer_products(US_TABLETS, mg("0.0375"), CLONAZEPAM)
    text = "\n".join(advice)
    assert "steps of 0.25 mg" in advice[0]
    assert "oral suspension 0.1 mg/mL" in text
    assert "steps of 0.01 mg" in text
    assert "Shake well: clonazePAM is a suspension, not a solution." in text
    assert "capsules of 0.025 mg" in text  # 0.0375 mg rounded down to a sensible strength
    assert advice[-1].startswith("Do not take bigger cuts instead")


def test_advice_for_drops_on_hand_proposes_a_finer_syringe() -> None:
    drops = products("liquid 2.5 mg/mL")
    advice = suggest_finer_products(drops, mg("0.05"), CLONAZEPAM)
    assert any("finer oral syringe (marks every 0.01 mL)" in line for line in advice)


def test_advice_does_not_repeat_a_liquid_on_hand() -> None:
    advice = suggest_finer_products(SUSPENSION, mg("0.005"), CLONAZEPAM)
    assert not any(line.startswith("Ask for clonazePAM oral suspension") for line in advice)
    assert any("marks every 0.05 mL" in line for line in advice)


def test_advice_for_another_drug_and_no_products() -> None:
    advice = suggest_finer_products((), mg("0.5"), "diazepam")
    assert advice[0] == "No diazePAM products are listed, so a cut of 0.5 mg cannot be made."
    assert "oral liquid of diazePAM at 5 mg/mL or weaker" in advice[1]


def test_advice_refuses_a_zero_cut() -> None:
    with pytest.raises(QuantityError, match="above zero"):
        suggest_finer_products(US_TABLETS, Mass.zero(), CLONAZEPAM)


# --- parse_products ------------------------------------------------------------------------------


def test_parse_the_documented_example() -> None:
    parsed = products(
        "tablet 0.5 mg, odt 0.125 mg, liquid 0.1 mg/mL @ 0.1 mL, capsule 0.075 mg, tablet 0.5 mg /2"
    )
    assert [p.label for p in parsed] == [
        "tablet 0.5 mg",
        "ODT 0.125 mg",
        "oral suspension 0.1 mg/mL",
        "compounded capsule 0.075 mg",
        "tablet 0.5 mg (scored)",
    ]
    assert all(p.drug == CLONAZEPAM and p.source == "test" for p in parsed)
    liquid = parsed[2]
    assert (liquid.compounded, liquid.suspension, liquid.step) == (True, True, mg("0.01"))


@pytest.mark.parametrize(
    ("text", "form", "divisible_by", "strength"),
    [
        ("tablet 0.5 mg scored", "tablet", 2, "0.5"),
        ("TAB 2 mg quarter-scored", "tablet", 4, "2"),
        ("tablet 2mg/4", "tablet", 4, "2"),
        ("tablet 500 mcg / 2", "tablet", 2, "0.5"),
        ("tablet 1 mg unscored", "tablet", 1, "1"),
        ("Odt 0.25 mg", "odt", 1, "0.25"),
        ("cap 0.05 mg", "capsule", 1, "0.05"),
    ],
)
def test_parse_solids(text: str, form: str, divisible_by: int, strength: str) -> None:
    (product,) = products(text)
    assert (product.form, product.divisible_by, product.strength) == (
        form,
        divisible_by,
        mg(strength),
    )


def test_parse_liquids() -> None:
    default, fine, solution = products(
        "liquid 0.1 mg/mL, suspension 2.5 mg/mL @ 0.01 mL, solution 100 mcg/mL @ 0.05 mL"
    )
    assert default.resolution == Volume(Decimal("0.1"))
    assert (fine.step, fine.suspension) == (mg("0.025"), True)
    assert (solution.suspension, solution.concentration) == (False, Concentration(Decimal("0.1")))
    assert solution.label == "oral solution 100 mcg/mL"


KNOWN = (
    Product("tablet", mg("0.5"), "LABEL", divisible_by=2, rxnorm="197527"),
    Product("tablet", mg(1), "LABEL", rxnorm="197528"),
)


def test_parse_with_known_products() -> None:
    half, one, odd = parse_products(
        "tablet 0.5 mg, tablet 1 mg, tablet 0.75 mg", drug=CLONAZEPAM, source="user", known=KNOWN
    )
    assert (half.divisible_by, half.rxnorm, half.source, half.drug) == (
        2,
        "197527",
        "LABEL",
        CLONAZEPAM,
    )
    assert (one.rxnorm, one.compounded) == ("197528", False)
    assert (odd.compounded, odd.source, odd.rxnorm) == (True, "user", None)


def test_parse_stated_scoring_overrides_known() -> None:
    (quartered,) = parse_products("tablet 1 mg /4", drug=CLONAZEPAM, source="user", known=KNOWN)
    assert (quartered.divisible_by, quartered.rxnorm, quartered.source) == (4, None, "user")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "no products given"),
        ("  ", "no products given"),
        ("tablet 0.5 mg,", r"product 2 \(''\): empty"),
        ("pill 0.5 mg", r"product 1 \('pill 0.5 mg'\): unknown form 'pill'"),
        ("0.5 mg tablet", "start with a form"),
        ("tablet", "no strength given"),
        ("tablet 0.1 mg/mL", "'0.1 mg/mL' is not a strength"),
        ("tablet 0 mg", "'0 mg' must be above zero"),
        ("tablet 0.5 mg blue", "unknown unit 'mg blue'"),
        ("tablet 5 cc", "write mL instead of cc"),
        ("tablet 0.5 mg /3", r"'/3': tablets split only into halves \(/2\) or quarters \(/4\)"),
        ("odt 0.5 mg scored", "an ODT is taken whole"),
        ("capsule 0.1 mg /2", "a capsule is taken whole"),
        ("liquid 0.5 mg", "'0.5 mg' is not a concentration"),
        ("liquid 0 mg/mL", "must be above zero"),
        ("liquid 0.1 mg/mL scored", "a liquid is measured, not split"),
        ("liquid 0.1 mg/mL @ 0.1 mg", "'0.1 mg' is not a syringe resolution"),
        ("liquid 0.1 mg/mL @", "no quantity given"),
        ("tablet 1 mg, odt 1 mg, tablet 1 mg", r"product 3 .*same product as product 1"),
    ],
)
def test_parse_errors_name_the_item_and_show_the_grammar(text: str, message: str) -> None:
    with pytest.raises(InputError, match=message) as caught:
        products(text)
    assert PRODUCT_GRAMMAR in str(caught.value)


# --- properties ----------------------------------------------------------------------------------

MICRO = 10**6  # every step in these product sets is a whole number of 1e-6 mg


def micro(value: Decimal) -> int:
    scaled = value * MICRO
    assert scaled == scaled.to_integral_value()
    return int(scaled)


def brute_cost(items: tuple[Product, ...], target: int) -> tuple[int, int] | None:
    """The cheapest (units, splits) by trying every count of every solid (small sets only)."""
    solids = [p for p in items if p.form != "liquid"]
    liquid_steps = [micro(p.step.mg) for p in items if p.form == "liquid"]
    best: list[tuple[int, int]] = []

    def walk(index: int, remaining: int, units: int, splits: int) -> None:
        if best and units > best[0][0]:
            return
        if index == len(solids):
            if remaining and not any(remaining % step == 0 for step in liquid_steps):
                return
            cost = (units + (1 if remaining else 0), splits)
            if not best or cost < best[0]:
                best[:] = [cost]
            return
        product = solids[index]
        step, pieces = micro(product.step.mg), product.divisible_by
        for count in range(remaining // step + 1):
            whole_units = math.ceil(count / pieces)
            walk(
                index + 1,
                remaining - count * step,
                units + whole_units,
                splits + (count % pieces != 0),
            )

    walk(0, target, 0, 0)
    return best[0] if best else None


def brute_makeable(items: tuple[Product, ...], top: int) -> list[bool]:
    """Which amounts 0 .. top (in gcd units) are sums of product steps, by plain reachability."""
    steps = [micro(p.step.mg) for p in items]
    unit = math.gcd(*steps)
    reach = [True] + [False] * top
    for step in (s // unit for s in steps):
        for amount in range(step, top + 1):
            reach[amount] = reach[amount] or reach[amount - step]
    return reach


def doses_up_to(most_mcg: int) -> st.SearchStrategy[Mass]:
    """Doses from 1 mcg to ``most_mcg``, to the mcg."""
    return st.integers(1, most_mcg).map(lambda mcg: Mass.of_mg(Decimal(mcg).scaleb(-3)))


def check_deliverable(made: Composition) -> None:
    for unit in made.units:
        product = unit.product
        if product.form == "liquid":
            assert product.resolution is not None
            assert unit.count % product.resolution.ml == 0
        else:
            assert (unit.count * product.divisible_by) % 1 == 0
            if product.form in {"odt", "capsule"}:
                assert unit.count % 1 == 0


@pytest.mark.slow
@settings(max_examples=700, deadline=None)
@given(items=product_sets, data=st.data())
def test_made_doses_are_exact_and_respect_the_products(
    items: tuple[Product, ...], data: st.DataObject
) -> None:
    solver = dose_solver(items, mg(2))
    size = int(mg(2).mg / solver.quantum.mg)
    dose = data.draw(st.integers(0, size).map(lambda i: Mass.of_mg(i * solver.quantum.mg)))
    made = solver.make(dose)
    if made is None:
        return
    assert made.total == dose
    check_deliverable(made)
    assert made.unit_count == sum(u.units for u in made.units)


@settings(max_examples=350, deadline=None)
@given(items=product_sets, dose=doses_up_to(1000))
def test_made_doses_are_minimal_by_brute_force(items: tuple[Product, ...], dose: Mass) -> None:
    made = dose_solver(items, mg(2)).make(dose)
    expected = brute_cost(items, micro(dose.mg))
    assert (made.cost if made else None) == expected


@pytest.mark.slow
@settings(max_examples=600, deadline=None)
@given(items=product_sets, dose=doses_up_to(2000), floor=target_doses)
def test_nearest_is_the_largest_makeable_amount_in_range(
    items: tuple[Product, ...], dose: Mass, floor: Mass
) -> None:
    solver = dose_solver(items, mg(2))
    floor = Mass.of_mg(floor.mg / 4)  # mostly below the dose, sometimes above
    unit = Decimal(math.gcd(*(micro(p.step.mg) for p in items))) / MICRO
    reach = brute_makeable(items, int(mg(2).mg / unit))
    fits = [i for i in range(1, len(reach)) if reach[i] and floor.mg <= i * unit <= dose.mg]
    found = solver.nearest_at_or_below(dose, floor=floor)
    assert (found.total if found else None) == (Mass.of_mg(max(fits) * unit) if fits else None)


@settings(max_examples=200, deadline=None)
@given(items=product_sets)
def test_makeable_amounts_agree_with_can_make(items: tuple[Product, ...]) -> None:
    solver = dose_solver(items, mg(2))
    amounts = solver.makeable_amounts()
    assert list(amounts) == sorted(amounts)
    assert all(amount.mg > 0 and solver.can_make(amount) for amount in amounts)
    assert solver.smallest_positive().total == amounts[0]
    assert amounts[0] == min(p.step for p in items)


@settings(max_examples=200, deadline=None)
@given(items=product_sets, cap=st.sampled_from(["0.5", "1", "5"]), data=st.data())
def test_capped_measures_stay_within_the_cap(
    items: tuple[Product, ...], cap: str, data: st.DataObject
) -> None:
    limit = Volume(Decimal(cap))  # every resolution in the strategies is at most 0.1 mL
    solver = dose_solver(items, mg(2), max_measure=limit)
    amounts = solver.makeable_amounts()
    dose = data.draw(st.sampled_from(amounts))
    made = solver.make(dose)
    assert made is not None
    assert made.total == dose
    assert all(u.count <= limit.ml for u in made.units if u.is_liquid)


def as_text(product: Product) -> str:
    if product.concentration is not None and product.resolution is not None:
        return f"liquid {fmt(product.concentration)} @ {fmt(product.resolution)}"
    return f"{product.form} {fmt(product.strength)} /{product.divisible_by}".removesuffix(" /1")


@settings(max_examples=300, deadline=None)
@given(items=product_sets)
def test_parse_reads_back_what_the_grammar_writes(items: tuple[Product, ...]) -> None:
    parsed = products(", ".join(as_text(p) for p in items))
    keys = [(p.form, p.strength, p.divisible_by, p.concentration, p.resolution) for p in parsed]
    assert keys == [
        (p.form, p.strength, p.divisible_by, p.concentration, p.resolution) for p in items
    ]
