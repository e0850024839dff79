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
