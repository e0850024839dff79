"""A crossover switch judged by every equivalence source [ASHTON, VADOD-2021]."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import timedelta
from decimal import Decimal

from taperline.core.guideline import GUIDELINE
from taperline.core.quantity import Mass
from taperline.core.record import RecordStep
from taperline.core.rules.model import _HUNDRED, _ZERO, Limits, Violation, _Series, pct_text
from taperline.core.rules.window import cap_floor, window_highest


def _switch(
    steps: Sequence[RecordStep], series: _Series, index: int, limits: Limits
) -> list[Violation]:
    """A crossover judged by every equivalence source [ASHTON, VADOD-2021].

    In no 14-day window holding a switch may the dose fall beyond the cap by any source.
    """
    if not limits.ratios_by_source or not _switch_in_window(steps, series, index):
        return []
    falls = []
    for source, ratios in limits.ratios_by_source.items():
        refs = [_ref_by(step, ratios) for step in steps[: index + 1]]
        if any(ref is None for ref in refs):
            continue  # a drug this source gives no equivalence for
        known = [ref for ref in refs if ref is not None]
        highest, _ = window_highest(
            series.days[:index], known[:index], series.days[index], GUIDELINE.window_days
        )
        if highest > 0:
            falls.append((source, highest, known[index]))
    cap = GUIDELINE.max_cut_pct
    cut_by = [s for s, high, ref in falls if ref < cap_floor(high, cap, limits.end_phase)]
    if not cut_by:
        return []
    shown = "; ".join(
        f"{describe_change((ref / high - 1) * _HUNDRED)} by {source}" for source, high, ref in falls
    )
    text = (
        f"the switch on {steps[index].start.isoformat()} changes the daily dose within 14 days "
        f"by {shown}: a cut above the guideline cap of {GUIDELINE.describe_cap()} by "
        f"{', '.join(cut_by)}: {_choose_source(limits)}, or give an override reason"
    )
    outside = (
        f"a switch that changes the daily dose within 14 days by {shown} (the guideline: at "
        f"most {GUIDELINE.describe_cap()})"
    )
    return [Violation("switch", text, steps[index].start, outside)]


def _ref_by(step: RecordStep, ratios: Mapping[str, Decimal]) -> Decimal | None:
    total = _ZERO
    for dose in step.doses:
        ratio = ratios.get(dose.drug)
        if ratio is None:
            return None
        total += dose.amount.mg * ratio
    return total / 2 if step.every_other_day else total


def _switch_in_window(steps: Sequence[RecordStep], series: _Series, index: int) -> bool:
    """Whether a step in the 14 days up to step ``index`` changes which drugs are taken."""
    start = series.days[index] - timedelta(days=GUIDELINE.window_days)
    for k in range(index, 0, -1):
        if series.days[k] <= start:
            break
        if {d.drug for d in steps[k].doses} - {d.drug for d in steps[k - 1].doses}:
            return True
    return False


def _choose_source(limits: Limits) -> str:
    """Planned by the source giving the most diazepam, a switch is a cut by no source."""
    start = limits.start_drug
    sources = [s for s, r in limits.ratios_by_source.items() if start in r]
    highest = max(sources, key=lambda s: limits.ratios_by_source[s][start], default=None)
    if highest is not None and limits.ratios_by_source[highest][start] > limits.ratios.get(
        start, _ZERO
    ):
        return f"choose the equivalence that keeps the dose ({highest})"
    return "switch more gradually"


def _is_switch(before: Mapping[str, Mass], after: Mapping[str, Mass]) -> bool:
    """True when one drug's dose falls while another's rises or appears."""
    drugs = set(before) | set(after)
    up = any(after.get(d, Mass.zero()).mg > before.get(d, Mass.zero()).mg for d in drugs)
    down = any(after.get(d, Mass.zero()).mg < before.get(d, Mass.zero()).mg for d in drugs)
    return up and down


def switch_changes(
    before: Mapping[str, Mass], after: Mapping[str, Mass], limits: Limits
) -> list[tuple[str, Decimal]]:
    """The change of the daily dose (%) by each equivalence source, in the sources' order."""
    changes = []
    for source, ratios in limits.ratios_by_source.items():
        if not all(d in ratios for d in (*before, *after)):
            continue
        old = sum((m.mg * ratios[d] for d, m in before.items()), _ZERO)
        new = sum((m.mg * ratios[d] for d, m in after.items()), _ZERO)
        if old > 0:
            changes.append((source, (new / old - 1) * _HUNDRED))
    return changes


def describe_change(change: Decimal) -> str:
    """'0 %', 'a 50 % cut' or 'a 100 % increase'.

    >>> describe_change(Decimal("-50")), describe_change(Decimal("0.0")), describe_change(
    ...     Decimal(100))
    ('a 50 % cut', '0 %', 'a 100 % increase')
    """
    shown = pct_text(abs(change))
    if shown == "0":
        return "0 %"
    return f"a {shown} % {'cut' if change < 0 else 'increase'}"
