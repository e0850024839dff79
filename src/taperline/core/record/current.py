"""The current regimen: what a person takes before a plan starts, and each day's planned doses.

A person records their regimen at sign-up or ``taperline init``: one drug and its doses at
clock times. Until a plan is in force on a day, that day's doses are the regimen's
(:func:`planned_on`), so the usual nightly dose is matched like a planned one, never "extra";
from the day a plan in force starts (its first step), the plan's doses take over.

Stored as JSON (:meth:`Regimen.to_json`), with the unit in each key's name::

    {"drug": "clonazepam", "doses": [{"clock": "22:00", "amount_mg": "0.5"}]}

>>> from datetime import date
>>> from taperline.core.quantity import Mass
>>> usual = Regimen.of("clonazepam", [("22:00", Mass.of_mg("0.5"))])
>>> usual.text
'clonazepam 0.5 mg at 22:00'
>>> [d.clock for d in planned_on(None, usual, date(2027, 1, 7))]
['22:00']
>>> Regimen.from_json(usual.to_json()) == usual
True
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Final

from taperline.core.journal import check_text
from taperline.core.quantity import Mass, fmt
from taperline.core.record.entries import MAX_NAME
from taperline.core.record.steps import RecordDose
from taperline.core.record.versions import step_doses_on
from taperline.errors import InputError

if TYPE_CHECKING:
    from taperline.core.catalogue import Drug, Indication
    from taperline.core.record.versions import PlanVersion

__all__ = [
    "MAX_REGIMEN_DOSES",
    "Regimen",
    "check_regimen",
    "doses_text",
    "planned_on",
    "read_doses",
]

#: At most this many doses a day in a regimen (taperline's limit on what a form takes, not a
#: clinical number: a regimen past it is a typing slip more likely than a real one).
MAX_REGIMEN_DOSES: Final = 8


@dataclass(frozen=True, slots=True)
class Regimen:
    """One drug taken at clock times, before any plan: ``doses`` sorted by clock.

    Every dose is of ``drug``, above zero (:class:`RecordDose`), at a distinct HH:MM time.

    >>> Regimen.of("clonazepam", [("22:00", Mass.of_mg(1)), ("22:00", Mass.of_mg(1))])
    Traceback (most recent call last):
    ...
    taperline.errors.InputError: regimen: two doses at 22:00; give each time once
    """

    drug: str
    doses: tuple[RecordDose, ...]

    def __post_init__(self) -> None:
        drug = self.drug.strip()
        if not drug:
            raise InputError("regimen: say which medicine")
        if len(drug) > MAX_NAME:
            raise InputError(f"regimen: the drug's name is longer than {MAX_NAME} characters")
        check_text("regimen", drug)
        if not self.doses:
            raise InputError("regimen: give at least one dose with its time")
        if len(self.doses) > MAX_REGIMEN_DOSES:
            raise InputError(f"regimen: at most {MAX_REGIMEN_DOSES} doses a day")
        seen: set[str] = set()
        for dose in self.doses:
            if dose.drug != drug:
                raise InputError(f"regimen: every dose is of {drug}, not {dose.drug}")
            if dose.clock in seen:
                raise InputError(f"regimen: two doses at {dose.clock}; give each time once")
            seen.add(dose.clock)
        object.__setattr__(self, "drug", drug)
        object.__setattr__(self, "doses", tuple(sorted(self.doses, key=lambda d: d.clock)))

    @classmethod
    def of(cls, drug: str, doses: Iterable[tuple[str, Mass]]) -> Regimen:
        """A regimen from (HH:MM, amount) pairs."""
        name = drug.strip()
        return cls(name, tuple(RecordDose(clock, name, amount) for clock, amount in doses))

    @property
    def daily(self) -> Mass:
        """The day's total."""
        return Mass.of_mg(sum((d.amount.mg for d in self.doses), Decimal(0)))

    @property
    def text(self) -> str:
        """In plain words: 'clonazepam 0.25 mg at 08:00 and 0.5 mg at 22:00'."""
        parts = [f"{fmt(d.amount)} at {d.clock}" for d in self.doses]
        return f"{self.drug} {' and '.join(parts)}"

    def to_json(self) -> dict[str, object]:
        """The stored shape: drug, and each dose's clock and ``amount_mg`` (exact decimal text)."""
        return {
            "drug": self.drug,
            "doses": [
                {"clock": d.clock, "amount_mg": format(d.amount.mg, "f")} for d in self.doses
            ],
        }

    @classmethod
    def from_json(cls, document: Mapping[str, object]) -> Regimen:
        """The regimen :meth:`to_json` wrote.

        Raises:
            InputError: the document is malformed.
        """
        drug, doses = document.get("drug"), document.get("doses")
        if not isinstance(drug, str) or not isinstance(doses, list):
            raise InputError("regimen: a drug and a list of doses are needed")
        pairs = []
        for dose in doses:
            if not isinstance(dose, Mapping) or not isinstance(dose.get("clock"), str):
                raise InputError("regimen: each dose needs a clock and an amount_mg")
            try:
                amount = Mass.of_mg(Decimal(str(dose.get("amount_mg"))))
            except (InvalidOperation, ValueError):
                raise InputError(f"regimen: amount_mg {dose.get('amount_mg')!r}") from None
            pairs.append((str(dose["clock"]), amount))
        return cls.of(drug, pairs)


def read_doses(text: str) -> tuple[tuple[str, Mass], ...]:
    """A regimen's doses as a person types them: '<dose> at HH:MM', comma-separated.

    The one reader of the CLI's question and the web forms' field (the dose and the clock
    each by their own parser, :func:`~taperline.core.quantity.parse_quantity` and
    :func:`~taperline.core.values.parse_clock`).

    >>> [(clock, fmt(dose)) for clock, dose in read_doses("0.25 mg at 8:00, 500 mcg at 22:00")]
    [('08:00', '0.25 mg'), ('22:00', '500 mcg')]
    >>> read_doses("0.5 mg 22:00")
    Traceback (most recent call last):
    ...
    taperline.errors.InputError: regimen: '0.5 mg 22:00': write each dose as '<dose> at HH:MM', e.g. 0.5 mg at 22:00
    """  # noqa: E501 -- a doctest line reads better whole
    from taperline.core.quantity import parse_quantity
    from taperline.core.values import parse_clock

    pairs = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        dose, at, clock = part.rpartition(" at ")
        if not at:
            raise InputError(
                f"regimen: {part!r}: write each dose as '<dose> at HH:MM', e.g. 0.5 mg at 22:00"
            )
        amount = parse_quantity(dose)
        if not isinstance(amount, Mass):
            raise InputError(f"regimen: {dose.strip()!r} is not a dose: use mg or mcg")
        pairs.append((f"{parse_clock(clock):%H:%M}", amount))
    if not pairs:
        raise InputError("regimen: give at least one dose with its time, e.g. 0.5 mg at 22:00")
    return tuple(pairs)


def doses_text(regimen: Regimen) -> str:
    """The regimen's doses as :func:`read_doses` reads them: '0.25 mg at 08:00, 0.5 mg at 22:00'."""
    return ", ".join(f"{fmt(d.amount)} at {d.clock}" for d in regimen.doses)


def planned_on(
    plan: PlanVersion | None, regimen: Regimen | None, day: date
) -> tuple[RecordDose, ...]:
    """The doses planned on ``day``: the plan's once it is in force that day, else the regimen's.

    A plan is in force on ``day`` from its first step's start (:meth:`PlanVersion.step_on`);
    from then on its doses are the day's, even none (an every-other-day step's off day, the
    end of the taper). Before it, or with no plan, the regimen's doses (none without one).

    >>> from taperline.core.quantity import Mass
    >>> from taperline.core.record.steps import RecordStep
    >>> from taperline.core.record.versions import PlanVersion
    >>> from datetime import datetime, UTC
    >>> usual = Regimen.of("clonazepam", [("22:00", Mass.of_mg(1))])
    >>> new = RecordDose("21:00", "clonazepam", Mass.of_mg("0.75"))
    >>> step = RecordStep(date(2027, 2, 1), (new,))
    >>> plan = PlanVersion(1, "active", "clonazepam", "percent", (step,), "dr",
    ...                    datetime(2027, 1, 1, tzinfo=UTC))
    >>> [d.clock for d in planned_on(plan, usual, date(2027, 1, 31))]
    ['22:00']
    >>> [d.clock for d in planned_on(plan, usual, date(2027, 2, 1))]
    ['21:00']
    """
    step = plan.step_on(day) if plan is not None else None
    if step is not None:
        return step_doses_on(step, day)  # schedule_on's, the step found once
    return regimen.doses if regimen is not None else ()


def check_regimen(regimen: Regimen, drug: Drug, indication: Indication | None = None) -> Regimen:
    """``regimen`` named as the catalogue names ``drug``, each dose plausible, the day allowed.

    The day's total is compared with the daily maximum for ``indication`` (the lowest when it
    is not known) [LABEL, SEED-AURA], as a logged dose is.

    Raises:
        ImplausibleDoseError: a dose outside the drug's plausible single doses (an mcg/mg slip).
        SafetyError: the day's total is above the daily maximum.
    """
    for dose in regimen.doses:
        drug.check_single_dose(dose.amount)
    drug.check_daily_dose(regimen.daily, indication)
    return Regimen.of(drug.name, ((d.clock, d.amount) for d in regimen.doses))
