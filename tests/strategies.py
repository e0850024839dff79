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
