"""What a patient asks about a drug (:func:`learn`): the lesson's topics, each point cited."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from taperline.core.catalogue import DIAZEPAM_REFERENCE, Drug, Interaction, Range
from taperline.core.quantity import fmt, fmt_number
from taperline.core.sources import OWN_SOURCE

#: Half-lives to reach 90 % of steady state with regular dosing: 1 - 2**-n = 0.9, so
#: n = ln 10 / ln 2 (about 3.3). Arithmetic of first-order kinetics, which hold for
#: clonazepam [LABEL: linear kinetics].
HALF_LIVES_TO_90_PCT: Final = math.log(10) / math.log(2)
#: After 5 half-lives 1 - 2**-5 (about 97 %) is gone: "practically cleared" (same arithmetic).
HALF_LIVES_TO_CLEAR: Final = 5
CLEARED_PCT: Final = round(100 * (1 - 2**-HALF_LIVES_TO_CLEAR))

_HOURS_PER_DAY: Final = 24.0
_DAYS_THRESHOLD_H: Final = 48.0  # show durations of two days or more in days, else in hours


@dataclass(frozen=True, slots=True)
class HalfLifeTimes:
    """Times (h) to 90 % of steady state and to practically clear, typical and range."""

    steady_90_h: tuple[float, float, float]
    cleared_h: tuple[float, float, float]


@dataclass(frozen=True, slots=True)
class Point:
    """One cited statement of a lesson."""

    text: str
    source: str


@dataclass(frozen=True, slots=True)
class Topic:
    """A section of a lesson: a key (stable, for JSON), a heading and cited points."""

    key: str
    heading: str
    points: tuple[Point, ...]


@dataclass(frozen=True, slots=True)
class Lesson:
    """What ``taperline learn`` shows about one drug; ``sparse`` when it has no catalogue facts."""

    drug: Drug
    topics: tuple[Topic, ...]
    sparse: bool


def times_from_half_life(half_life_h: Range) -> HalfLifeTimes:
    """Times to 90 % of steady state (about 3.3 half-lives) and to clear (5 half-lives).

    Typical, low and high follow the half-life's typical value and range.

    >>> times = times_from_half_life(Range(35.0, 30.0, 40.0, "LABEL"))
    >>> [round(h / 24, 1) for h in times.steady_90_h], [round(h / 24, 1) for h in times.cleared_h]
    ([4.8, 4.2, 5.5], [7.3, 6.2, 8.3])
    """

    def scaled(factor: float) -> tuple[float, float, float]:
        return (half_life_h.typical * factor, half_life_h.low * factor, half_life_h.high * factor)

    return HalfLifeTimes(scaled(HALF_LIVES_TO_90_PCT), scaled(HALF_LIVES_TO_CLEAR))


def _span(typical_h: float, low_h: float, high_h: float) -> str:
    """'about 4.8 days (4.2-5.5 days)' or 'about 8 h (5-15 h)', in one unit chosen by size.

    >>> _span(8.3, 4.6, 14.9)
    'about 8 h (5-15 h)'
    """
    if typical_h >= _DAYS_THRESHOLD_H:
        values = [fmt_number(round(v / _HOURS_PER_DAY, 1)) for v in (typical_h, low_h, high_h)]
        return f"about {values[0]} days ({values[1]}-{values[2]} days)"
    values = [fmt_number(round(v)) for v in (typical_h, low_h, high_h)]
    return f"about {values[0]} h ({values[1]}-{values[2]} h)"


def _range_text(value: Range) -> str:
    low, high = fmt_number(round(value.low, 1)), fmt_number(round(value.high, 1))
    return f"about {fmt_number(round(value.typical, 1))} h (range {low}-{high} h)"


def _facts(drug: Drug, *topics: str) -> tuple[Point, ...]:
    return tuple(Point(f.text, f.source) for t in topics for f in drug.facts_about(t))


def _half_life_points(drug: Drug) -> tuple[Point, ...]:
    hl = drug.half_life_h
    text = f"The elimination half-life is {_range_text(hl)}."
    if hl.note:
        text += f" Note: {hl.note}."
    points = [Point(text, hl.source)]
    metabolite = drug.active_metabolite_half_life_h
    if metabolite is not None:
        points.append(
            Point(
                f"Its active metabolite's half-life is {_range_text(metabolite)}.",
                metabolite.source,
            )
        )
    return tuple(points)


def _steady_state_points(drug: Drug) -> tuple[Point, ...]:
    times = times_from_half_life(drug.half_life_h)
    text = (
        "Taken regularly, levels build up: about 90 % of steady state after about "
        f"{fmt_number(round(HALF_LIVES_TO_90_PCT, 1))} half-lives, {_span(*times.steady_90_h)}; "
        f"practically all of it (about {CLEARED_PCT} %) after {HALF_LIVES_TO_CLEAR} half-lives, "
        f"{_span(*times.cleared_h)}. A dose change takes as long to settle."
    )
    return (Point(text, drug.half_life_h.source),)


def _clear_points(drug: Drug) -> tuple[Point, ...]:
    times = times_from_half_life(drug.half_life_h)
    text = (
        "After the last dose the level halves every half-life; about "
        f"{CLEARED_PCT} % is gone after {HALF_LIVES_TO_CLEAR} half-lives: "
        f"{_span(*times.cleared_h)}."
    )
    points = [Point(text, drug.half_life_h.source)]
    metabolite = drug.active_metabolite_half_life_h
    if metabolite is not None:
        span = _span(*times_from_half_life(metabolite).cleared_h)
        points.append(
            Point(f"Its active metabolite takes longer to clear: {span}.", metabolite.source)
        )
    return tuple(points)


def _onset_points(drug: Drug) -> tuple[Point, ...]:
    points = list(_facts(drug, "onset"))
    tmax = drug.tmax_h
    if tmax is not None:
        low, high = fmt_number(round(tmax.low, 1)), fmt_number(round(tmax.high, 1))
        points.append(Point(f"Blood levels peak about {low}-{high} h after a dose.", tmax.source))
    return tuple(points)


def _daily_max_points(drug: Drug) -> tuple[Point, ...]:
    """The maximum, or the maximum for each indication and which applies to whom."""
    if drug.daily_maxima:
        points = [
            Point(f"For {m.applies_to}: at most {fmt(m.max_mg)} of {drug.label} a day.", m.source)
            for m in sorted(drug.daily_maxima, key=lambda m: -m.max_mg.mg)
        ]
        lowest = drug.daily_maximum_for(None)
        if lowest is not None:
            text = (
                f"When the reason for taking it is not known, taperline uses the lowest: "
                f"{fmt(lowest.max_mg)} a day."
            )
            points.append(Point(text, OWN_SOURCE))
        return (*points, *_facts(drug, "daily_max"))
    limit = drug.daily_max_mg
    if limit is None:
        return _facts(drug, "daily_max")
    text = f"Do not take more than {fmt(limit.value)} of {drug.label} a day."
    if limit.assumption and limit.note:
        text += f" ({limit.note})"
    return (Point(text, limit.source), *_facts(drug, "daily_max"))


_SEVERITY_ORDER: Final[dict[str, int]] = {"major": 0, "moderate": 1, "minor": 2}


def _interaction_point(interaction: Interaction) -> Point:
    what = interaction.agent[:1].upper() + interaction.agent[1:]
    if interaction.class_examples:
        what += f" (for example {interaction.class_examples})"
    elif interaction.aliases:
        what += f" ({', '.join(interaction.aliases[:3])})"
    advice = interaction.advice[:1].upper() + interaction.advice[1:]
    text = f"{what}: {interaction.effect}. {advice.rstrip('.')}."
    if interaction.assumption and interaction.note:
        text += f" ({interaction.note})"
    return Point(text, interaction.source)


def _interactions_points(drug: Drug) -> tuple[Point, ...]:
    """Boxed warning, the classes and other interactions, contraindications, pregnancy."""
    points = list(_facts(drug, "boxed_warning", "warnings"))
    # who should not take it: the contraindications, and what is not one (open-angle glaucoma)
    points += [Point(c.message, c.source) for c in drug.cautions if c.contraindication]
    points += [Point(c.message, c.source) for c in drug.cautions if c.severity == "info"]
    rows = sorted(drug.interactions, key=lambda i: _SEVERITY_ORDER[i.severity])
    points += [_interaction_point(i) for i in rows]
    points += [
        Point(c.message, c.source)
        for c in drug.cautions
        if c.condition in {"pregnancy", "breastfeeding"}
    ]
    return tuple(points)


def _stopping_points(drug: Drug) -> tuple[Point, ...]:
    points = list(_facts(drug, "side_effects_stopping", "tapering"))
    if drug.drug_class == "benzodiazepine":
        text = (
            "Never stop abruptly after regular use. A taper usually starts with cuts of 5-10 % "
            "every 2-4 weeks (typically not more than 25 % every 2 weeks), slowed or paused when "
            "withdrawal symptoms are significant; they may appear up to a week after a cut."
        )
        points.append(Point(text, "ASAM-2025"))
    else:
        text = (
            "Taper gradually with the prescriber rather than stopping suddenly: about 25 % every "
            "2 weeks, and 12.5 % steps near the end."
        )
        points.append(Point(text, "DEPRESCRIBING-2018"))
    return tuple(points)


def _equivalence_points(drug: Drug) -> tuple[Point, ...]:
    reference = drug.name == "diazepam"  # equivalences are stated against diazepam 10 mg
    if (
        reference
        and drug.equivalences
        and all(eq.dose_mg == DIAZEPAM_REFERENCE for eq in drug.equivalences)
    ):
        text = f"{drug.label} {fmt(DIAZEPAM_REFERENCE)} is the reference dose for equivalences."
        return (Point(text, drug.equivalences[0].source),)
    points = [
        Point(f"{fmt(eq.dose_mg)} of {drug.label} is about as strong as diazepam 10 mg.", eq.source)
        for eq in drug.equivalences
    ]
    doses_mg = [eq.dose_mg.mg for eq in drug.equivalences]
    if len(set(doses_mg)) > 1:
        fold = fmt_number(round(max(doses_mg) / min(doses_mg), 1))
        text = f"The sources disagree ({fold}-fold): taperline shows each rather than pick one."
        points.append(Point(text, "ASAM-2025"))
    return tuple(points)


def _product_points(drug: Drug) -> tuple[Point, ...]:
    return tuple(Point(p.label, p.source) for p in drug.products)


_Builder = Callable[[Drug], tuple[Point, ...]]

_TOPICS: Final[tuple[tuple[str, str, _Builder], ...]] = (
    ("onset", "Onset: when it starts working", _onset_points),
    ("duration", "Duration: how long the effect lasts", lambda d: _facts(d, "duration")),
    ("half_life", "Half-life", _half_life_points),
    ("steady_state", "How long to reach steady state", _steady_state_points),
    ("time_to_clear", "How long to clear after the last dose", _clear_points),
    ("sleep_use", "Use for sleep", lambda d: _facts(d, "sleep_use")),
    ("daily_max", "Daily maximum", _daily_max_points),
    ("interactions", "Interactions and who should not take it", _interactions_points),
    (
        "side_effects",
        "Side effects",
        lambda d: _facts(
            d, "side_effects_common", "side_effects_behavioural", "side_effects_physical"
        ),
    ),
    ("insomnia_paradox", "Why it can cause insomnia", lambda d: _facts(d, "insomnia_paradox")),
    ("alternatives", "Alternatives (CBT-I first)", lambda d: _facts(d, "alternatives")),
    ("discuss_before", "Discuss with your prescriber", lambda d: _facts(d, "discuss_before")),
    ("stopping", "Stopping: never abruptly", _stopping_points),
    ("equivalence", "Strength compared with diazepam", _equivalence_points),
    ("products", "Products", _product_points),
    ("pharmacology", "How the body handles it", lambda d: _facts(d, "pharmacology", "levels")),
)


def learn(drug: Drug) -> Lesson:
    """The facts a patient asks about, each cited; says so plainly when the catalogue holds few.

    Topics without content are left out, so every topic shown has at least one point.

    >>> from taperline.catalogue_data import load_catalogue
    >>> lesson = learn(load_catalogue().get("zolpidem"))
    >>> lesson.sparse, lesson.topics[-1].key
    (True, 'little_else')
    """
    topics = [
        Topic(key, heading, points) for key, heading, build in _TOPICS if (points := build(drug))
    ]
    sparse = not drug.facts
    if sparse:
        text = (
            f"The catalogue holds little else about {drug.label}: ask the prescriber or "
            "pharmacist about onset, side effects and interactions."
        )
        topics.append(
            Topic("little_else", "What the catalogue does not hold", (Point(text, OWN_SOURCE),))
        )
    return Lesson(drug, tuple(topics), sparse)
