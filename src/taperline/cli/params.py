"""Click parameter types for clinical input: doses, clock times, dates, durations.

Each converts text to a typed value or fails with a message naming the option. Clock times,
dates, date-times and durations are read by :mod:`taperline.core.values` (one rule for the
CLI, the web and the files); zones by :func:`taperline.zones.check_zone`.

Those readers are imported when a value is converted, not with this module: every command
imports it for its options, and ``taperline learn`` reads no dose, time or date (issue 19,
section 1). The types' annotations name them as strings for the same reason.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any, Final, TypeVar, overload

import click

from taperline.errors import QuantityError, RegimenError, ValueFormatError

if TYPE_CHECKING:
    from taperline.core import values
    from taperline.core.catalogue import Drug, Indication
    from taperline.core.quantity import Mass
    from taperline.core.regimen import ScheduledDose

_F = TypeVar("_F", bound=Callable[..., Any])


class DoseType(click.ParamType["Mass", Any]):
    """A dose such as '0.5 mg' or '500 mcg' (drug plausibility is checked by the command)."""

    name = "dose"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Mass:
        """Parse text into a Mass."""
        from taperline.core.quantity import Mass, parse_quantity

        if isinstance(value, Mass):
            return value
        try:
            quantity = parse_quantity(str(value))
        except QuantityError as error:
            self.fail(str(error), param, ctx)
        if not isinstance(quantity, Mass):
            self.fail(f"{value!r} is not a dose: use mg or mcg, for example '0.5 mg'", param, ctx)
        if quantity.mg == 0:
            self.fail(f"{value!r}: a dose must be more than zero", param, ctx)
        return quantity


class ClockType(click.ParamType[time, Any]):
    """A clock time HH:MM (24-hour), e.g. 22:00 (:func:`taperline.core.values.parse_clock`)."""

    name = "HH:MM"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> time:
        """Parse HH:MM."""
        from taperline.core import values

        if isinstance(value, time):
            return value
        try:
            return values.parse_clock(str(value))
        except ValueFormatError as error:
            self.fail(str(error), param, ctx)


#: The words a date option takes besides YYYY-MM-DD; a word is read as a
#: :class:`~taperline.core.values.RelativeDay`, which the command resolves with
#: :func:`resolve_day` once it knows the person's time zone.
DAY_WORDS: Final = ("today", "yesterday")


@overload
def resolve_day(value: None, today: date) -> None: ...
@overload
def resolve_day(value: date | values.RelativeDay, today: date) -> date: ...
def resolve_day(value: date | values.RelativeDay | None, today: date) -> date | None:
    """The date a --date value stands for, given the person's ``today``.

    >>> from taperline.core import values
    >>> yesterday = values.RelativeDay(-1)
    >>> resolve_day(yesterday, date(2027, 3, 1)), resolve_day(date(2027, 1, 4), date(2027, 3, 1))
    (datetime.date(2027, 2, 28), datetime.date(2027, 1, 4))
    """
    from taperline.core import values

    return None if value is None else values.resolve_day(value, today)


class DateType(click.ParamType["date | values.RelativeDay", Any]):
    """A calendar date YYYY-MM-DD, or 'today' or 'yesterday' (see :func:`resolve_day`)."""

    name = "YYYY-MM-DD"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> date | values.RelativeDay:
        """Parse an ISO date or a day word."""
        from taperline.core import values

        if isinstance(value, date | values.RelativeDay):
            return value
        try:
            return values.parse_day(str(value), DAY_WORDS)
        except ValueFormatError as error:
            self.fail(str(error), param, ctx)


class DateTimeType(click.ParamType[datetime, Any]):
    """A local date and time YYYY-MM-DDTHH:MM."""

    name = "YYYY-MM-DDTHH:MM"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> datetime:
        """Parse an ISO date-time without a time zone (local to the person)."""
        from taperline.core import values

        if isinstance(value, datetime):
            return value
        try:
            return values.parse_local_datetime(str(value))
        except ValueFormatError as error:
            self.fail(str(error), param, ctx)


class DurationType(click.ParamType[float, Any]):
    """A duration such as 14d, 2w, 36h or 90min; returned in hours."""

    name = "duration"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> float:
        """Parse a duration into hours."""
        from taperline.core import values

        if isinstance(value, float):
            return value
        try:
            return values.parse_hours(str(value))
        except ValueFormatError as error:
            self.fail(str(error), param, ctx)


class SleptType(click.ParamType[int, Any]):
    """About how long someone slept: 6h30, 6:30, 6.5h or 390min; returned in minutes."""

    name = "time asleep"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        """Parse a time asleep into whole minutes."""
        from taperline.core import values

        if isinstance(value, int):
            return value
        try:
            return values.parse_sleep_minutes(str(value))
        except ValueFormatError as error:
            self.fail(str(error), param, ctx)


class ZoneType(click.ParamType[str, Any]):
    """An IANA time zone, checked by :func:`taperline.zones.check_zone` (a prompt asks again)."""

    name = "time zone"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        """The zone in the database's spelling."""
        from taperline.errors import InputError
        from taperline.zones import check_zone

        try:
            return check_zone(str(value), "time zone")
        except InputError as error:
            self.fail(str(error), param, ctx)


def schedule_from(
    drug: Drug,
    doses: tuple[Mass, ...],
    clocks: tuple[time, ...],
    indication: Indication | None = None,
) -> tuple[ScheduledDose, ...]:
    """A daily schedule from --dose/--at: one dose at several times, or one time per dose.

    Each dose is checked for plausibility and the total against the daily maximum for
    ``indication`` (the lowest maximum when it is not given).
    """
    from taperline.core.regimen import ScheduledDose, daily_total

    if len(doses) == 1:
        doses = doses * len(clocks)
    if len(doses) != len(clocks):
        raise RegimenError(
            f"give one --at per --dose (got {len(doses)} doses and {len(clocks)} times)"
        )
    for dose in doses:
        drug.check_single_dose(dose)
    schedule = tuple(
        ScheduledDose(clock.hour + clock.minute / 60, dose)
        for dose, clock in zip(doses, clocks, strict=True)
    )
    drug.check_daily_dose(daily_total(schedule), indication)
    return schedule


def dose_option(help_text: str) -> Callable[[_F], _F]:
    """The shared repeatable --dose option (paired with --at)."""
    return click.option("--dose", "doses", type=DOSE, multiple=True, required=True, help=help_text)


def at_option(help_text: str, *, required: bool = True) -> Callable[[_F], _F]:
    """The shared repeatable --at option: clock times of the doses."""
    return click.option(
        "--at", "clocks", type=CLOCK, multiple=True, required=required, help=help_text
    )


def format_option(*choices: str, help_text: str) -> Callable[[_F], _F]:
    """The shared --format option (the first choice is the default)."""
    return click.option(
        "--format",
        "output_format",
        type=click.Choice(list(choices)),
        default=choices[0],
        show_default=True,
        help=help_text,
    )


def plot_option(help_text: str) -> Callable[[_F], _F]:
    """The shared --plot option: a chart file (.svg, .png or .pdf)."""
    from pathlib import Path

    return click.option(
        "--plot",
        "plot_path",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help=help_text,
    )


DOSE = DoseType()
CLOCK = ClockType()
DATE = DateType()
DATETIME = DateTimeType()
DURATION = DurationType()
SLEPT = SleptType()
ZONE = ZoneType()


def option_names(message: str, options: Mapping[str, str]) -> str:
    """An error naming a field ('bands: ...') names its option instead ('--bands: ...').

    >>> option_names("bands: no band", {"bands": "--bands"}), option_names("x", {})
    ('--bands: no band', 'x')
    """
    field, sep, rest = message.partition(": ")
    return f"{options[field]}: {rest}" if sep and field in options else message
