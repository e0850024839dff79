"""A taper-plan request as people give it, in text: one parser for the CLI, the web and the API.

The three interfaces fill a :class:`PlanSpec` from their own fields (``taperline plan``
options, the clinician's plan builder, ``POST /api/patients/{id}/plans``) and call
:func:`build_request`, so the same text is read the same way everywhere and a request the
planner refuses is refused with the same message on every surface. Errors name the field
(``bands``, ``custom``, ``every``...), as the JSON API spells it; the CLI options carry the
same names (``--bands``, ``--custom``, ``--every``).

>>> from taperline.catalogue_data import load_catalogue
>>> spec = PlanSpec(drug="clonazepam", doses=(("1 mg", "22:00"),), start="2027-01-04")
>>> request = build_request(load_catalogue(), spec, today=date(2027, 1, 1))
>>> request.strategy.kind, request.constraints.stabilisation_days, request.start.isoformat()
('percent', 14, '2027-01-04')
>>> parse_days("2w", "every"), parse_days("14", "every")
(14, 14)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, Final

from taperline.core import values
from taperline.core.quantity import Mass, parse_quantity
from taperline.errors import InputError, QuantityError, ValueFormatError

if TYPE_CHECKING:
    from taperline.core.catalogue import Catalogue, Drug
    from taperline.core.plan import Hold, PlanRequest
    from taperline.core.products import Product
    from taperline.core.regimen import ScheduledDose
    from taperline.core.strategies import CustomStep, FixedBand, Strategy

__all__ = [
    "STRATEGY_CHOICES",
    "THEN_CHOICES",
    "PlanSpec",
    "build_request",
    "parse_days",
    "parse_months",
]

STRATEGY_CHOICES: Final = ("percent", "fixed", "occupancy", "deprescribing", "crossover", "custom")
THEN_CHOICES: Final = ("percent", "fixed", "occupancy", "deprescribing")
_BAND_RE: Final = re.compile(r"^\s*(?P<above>[^:]+):(?P<step>[^/]+)/(?P<every>.+?)\s*$")
MAX_DAYS: Final = 365  # taperline's limit for any interval, stabilisation or hold
MAX_TEXT: Final = 2000


@dataclass(frozen=True, slots=True)
class PlanSpec:
    """What a person asks the planner for, as text (defaults: the guideline's values).

    ``doses`` pairs each current dose with its clock time; ``holds`` are ``DATE:DAYS``;
    ``bands`` ``ABOVE:STEP/EVERY, ...``; ``custom`` ``DATE=DAILY DOSE, ...``. Durations are
    days, written ``14``, ``14d`` or ``2w``.
    """

    drug: str
    doses: tuple[tuple[str, str], ...]
    strategy: str = "percent"
    percent: str = "10"
    every: str = "14d"
    start: str | None = None
    goal: str | None = None
    stabilise: str = "14d"
    products: str | None = None
    auto_liquid: bool = True
    cap_pct: str = "25"
    override_reason: str | None = None
    min_step: str | None = None
    holds: tuple[str, ...] = ()
    final_hold: str | None = None
    ed50: str | None = None
    bands: str | None = None
    custom: str | None = None
    reason: str = ""
    then: str = "fixed"
    equivalence: str | None = None
    swap_every: str = "7d"
    alternate_days: bool = False
    age: int | None = None
    used_for: str | None = None
    conditions: tuple[str, ...] = field(default=())
    others: tuple[str, ...] = field(default=())


def build_request(catalogue: Catalogue, spec: PlanSpec, *, today: date) -> PlanRequest:
    """The planner request for ``spec``; ``today`` is the person's date (no start before it).

    Raises:
        InputError: a field cannot be read; the message names it.
        UnknownDrugError: the drug is not in the catalogue (with a did-you-mean).
    """
    from taperline.core.plan import Constraints, PlanRequest
    from taperline.core.screening import screen

    drug = catalogue.get(spec.drug)
    override = _optional_text(spec.override_reason, "override_reason")
    constraints = Constraints(
        max_cut_pct=_decimal(spec.cap_pct, "cap_pct", low=Decimal(0), high=Decimal(100)),
        stabilisation_days=parse_days(spec.stabilise, "stabilise", allow_zero=True),
        min_step=_mass(spec.min_step, "min_step") if spec.min_step else None,
        holds=tuple(_hold(text) for text in spec.holds),
        override_reason=override,
        final_hold_days=parse_days(spec.final_hold, "final_hold") if spec.final_hold else 0,
    )
    target = catalogue.get("diazepam") if drug.name != "diazepam" else None
    conditions = _names(spec.conditions)
    others = _names(spec.others)
    age = _age(spec.age)
    screening = screen(catalogue, drug, agents=others, conditions=conditions, age_years=age)
    return PlanRequest(
        drug=drug,
        regimen=_regimen(drug, spec.doses),
        start=_date(spec.start, "start", today=today) if spec.start else today,
        strategy=_strategy(drug, spec),
        goal=_mass(spec.goal, "goal", allow_zero=True) if spec.goal else Mass.zero(),
        constraints=constraints,
        products=_products(drug, spec.products),
        use_months=parse_months(spec.used_for) if spec.used_for else None,
        age_years=age,
        conditions=conditions,
        other_medicines=others,
        equivalence_source=drug.equivalence(spec.equivalence).source if spec.equivalence else None,
        target=target,
        alternate_days=spec.alternate_days,
        add_finer_products=spec.auto_liquid,
        indication=screening.indication,
        today=today,
        screening=screening,
    )


# --- fields -------------------------------------------------------------------------------------


def parse_days(text: str | None, name: str, *, allow_zero: bool = False) -> int:
    """Whole days from '14', '14d' or '2w' (1-365; 0 too with ``allow_zero``).

    Read by :func:`taperline.core.values.parse_days`; the message names the field.

    >>> parse_days("3 weeks", "stabilise")
    21
    >>> parse_days("36h", "every")
    Traceback (most recent call last):
    ...
    taperline.errors.InputError: every: '36h' is not a number of days such as 14d or 2w
    """
    try:
        days = values.parse_days(text or "")
    except ValueFormatError as error:
        raise InputError(f"{name}: {error}") from None
    low = 0 if allow_zero else 1
    if not low <= days <= MAX_DAYS:
        raise InputError(f"{name}: give {low}-{MAX_DAYS} days, got {days}")
    return days


def parse_months(text: str) -> Decimal:
    """How long a drug has been taken, in months, from '6m', '2y' or '8w'.

    >>> parse_months("2y"), parse_months("6 months")
    (Decimal('24'), Decimal('6'))
    """
    try:
        return values.parse_months(text)
    except ValueFormatError as error:
        raise InputError(f"used_for: {error}") from None


def _decimal(text: str, name: str, *, low: Decimal, high: Decimal) -> Decimal:
    """A number such as '10', '12.5' or '25 %'."""
    try:
        value = Decimal(str(text).strip().removesuffix("%").strip()).normalize()
    except InvalidOperation:
        raise InputError(f"{name}: {str(text)[:20]!r} is not a number") from None
    if not low < value < high or not value.is_finite():
        raise InputError(f"{name}: give a number above {low} and below {high}, got {text}")
    return value


def _mass(text: str, name: str, *, allow_zero: bool = False) -> Mass:
    try:
        quantity = parse_quantity(text)
    except QuantityError as error:
        raise InputError(f"{name}: {error}") from None
    if not isinstance(quantity, Mass):
        raise InputError(f"{name}: {text[:20]!r} is not a dose in mg or mcg")
    if quantity.mg == 0 and not allow_zero:
        raise InputError(f"{name}: a dose must be more than zero")
    return quantity


#: The words a plan's start date may be typed as besides YYYY-MM-DD.
START_WORDS: Final = ("today", "tomorrow")


def _date(text: str, name: str, *, today: date | None = None) -> date:
    """A YYYY-MM-DD date; with ``today`` given, also 'today' or 'tomorrow'.

    >>> _date(" Tomorrow ", "start", today=date(2027, 2, 28))
    datetime.date(2027, 3, 1)
    """
    try:
        if today is None:
            return values.parse_date(text)
        return values.resolve_day(values.parse_day(text, START_WORDS), today)
    except ValueFormatError as error:
        raise InputError(f"{name}: {error}") from None


def _optional_text(text: str | None, name: str) -> str | None:
    if text is None or not text.strip():
        return None
    if len(text) > MAX_TEXT:
        raise InputError(f"{name}: at most {MAX_TEXT} characters")
    return text


def _age(age: int | None) -> int | None:
    if age is not None and not 0 <= age <= 120:  # noqa: PLR2004 -- taperline's plausibility limit
        raise InputError(f"age: give 0-120 years, got {age}")
    return age


def _names(given: tuple[str, ...]) -> tuple[str, ...]:
    names = (name.strip() for value in given for name in value.split(","))
    return tuple(dict.fromkeys(name for name in names if name))


def _clock_h(text: str, name: str) -> float:
    try:
        clock = values.parse_clock(text)
    except ValueFormatError as error:
        raise InputError(f"{name}: {error}") from None
    return clock.hour + clock.minute / 60


def _regimen(drug: Drug, doses: tuple[tuple[str, str], ...]) -> tuple[ScheduledDose, ...]:
    """The current doses, each checked for plausibility (the daily maximum is the rules')."""
    from taperline.core.regimen import ScheduledDose

    if not doses:
        raise InputError("doses: give the current dose and its time, e.g. 1 mg at 22:00")
    schedule = []
    for number, (amount, clock) in enumerate(doses, start=1):
        if not amount.strip() or not clock.strip():
            raise InputError(f"dose {number}: give both the amount and the time")
        schedule.append(
            ScheduledDose(_clock_h(clock, f"dose {number} time"), drug.parse_dose(amount))
        )
    return tuple(schedule)


def _products(drug: Drug, text: str | None) -> tuple[Product, ...] | None:
    from taperline.core.products import parse_products

    if text is None or not text.strip():
        return None
    return parse_products(text, drug=drug.name, source="prescriber", known=drug.products)


def _hold(text: str) -> Hold:
    from taperline.core.plan import Hold

    when_text, sep, days_text = text.partition(":")
    if not sep:
        raise InputError(f"holds: {text[:30]!r}: write DATE:DAYS, e.g. 2027-03-01:14d")
    return Hold(_date(when_text, "holds"), parse_days(days_text, "holds"))


def _strategy(drug: Drug, spec: PlanSpec) -> Strategy:
    from taperline.core.compare import default_fixed_bands
    from taperline.core.strategies import Strategy, nice_diazepam_bands

    kind = spec.strategy.strip().lower()
    if kind not in STRATEGY_CHOICES:
        raise InputError(f"strategy: choose one of {', '.join(STRATEGY_CHOICES)}")
    base: dict[str, Any] = {
        "percent": _decimal(spec.percent, "percent", low=Decimal(0), high=Decimal(100)),
        "interval_days": parse_days(spec.every, "every"),
        "swap_days": parse_days(spec.swap_every, "swap_every"),
    }
    if spec.ed50:
        base["ed50_mg"] = _mass(spec.ed50, "ed50").mg
    then_kind = spec.then.strip().lower()
    if kind == "crossover" and then_kind not in THEN_CHOICES:
        raise InputError(f"then: choose one of {', '.join(THEN_CHOICES)}")
    if kind == "fixed" or (kind == "crossover" and then_kind == "fixed"):
        if spec.bands:
            base["bands"] = _bands(spec.bands)
        elif kind == "crossover":
            base["bands"] = nice_diazepam_bands(base["interval_days"])
        else:
            base["bands"] = default_fixed_bands(drug)
    if kind == "custom":
        base["custom_steps"] = _custom(spec.custom, spec.reason)
    if kind == "crossover":
        then = Strategy(kind=then_kind, **base)  # type: ignore[arg-type]  # checked above
        return Strategy(
            kind="crossover", then=then, **{k: v for k, v in base.items() if k != "bands"}
        )
    return Strategy(kind=kind, **base)  # type: ignore[arg-type]  # checked above


def _bands(text: str) -> tuple[FixedBand, ...]:
    from taperline.core.strategies import FixedBand

    bands = []
    for part in text.split(","):
        match = _BAND_RE.match(part)
        if match is None:
            raise InputError(
                f"bands: {part.strip()[:30]!r}: write ABOVE:STEP/EVERY, e.g. '1 mg:0.5 mg/14d'"
            )
        above = _mass(match["above"], "bands", allow_zero=True)
        step = _mass(match["step"], "bands")
        bands.append(FixedBand(above, step, parse_days(match["every"], "bands"), "clinician"))
    return tuple(bands)


def _custom(text: str | None, reason: str) -> tuple[CustomStep, ...]:
    from taperline.core.strategies import CustomStep

    if not text or not text.strip():
        raise InputError("custom: a custom plan needs 'DATE=DAILY DOSE, ...' steps")
    steps = []
    for part in text.split(","):
        when_text, sep, dose_text = part.partition("=")
        if not sep:
            raise InputError(
                f"custom: {part.strip()[:30]!r}: write DATE=DAILY DOSE, e.g. 2027-02-01=0.75 mg"
            )
        steps.append(
            CustomStep(
                _date(when_text, "custom"), _mass(dose_text, "custom", allow_zero=True), reason
            )
        )
    return tuple(steps)
