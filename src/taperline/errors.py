"""The one error hierarchy of taperline.

Every error the program raises on purpose derives from :class:`TaperlineError`.
Interfaces map these classes to exit codes (CLI) and HTTP statuses (web) in one
place each; nothing else inspects error types.

::

    TaperlineError
    ├── InputError                 bad user input (exit 2, HTTP 422)
    │   ├── ValueFormatError       a clock time, date, duration or time zone not in its form
    │   ├── QuantityError          a dose/amount that cannot be parsed or is not allowed
    │   │   └── ImplausibleDoseError   parses, but is implausible for the drug (mcg/mg mix-up?)
    │   ├── UnknownDrugError       a drug name that the catalogue does not hold
    │   ├── RegimenError           dose events or schedules that make no sense
    │   ├── CheckInError           a journal check-in value that cannot be used (names the field)
    │   │   └── NightSlipError     a night too long to be meant: a likely a.m./p.m. slip
    │   │       └── LongNightError a night over 16 h: kept once the person confirms it
    │   ├── InstrumentError        questionnaire answers that cannot be scored (names the item)
    │   ├── NotFoundError          a record that does not exist, or is not yours (HTTP 404)
    │   └── ConflictError          a write that clashes with what is stored (HTTP 409)
    ├── SafetyError                a request that would break a safety rule (exit 2, HTTP 422)
    └── CatalogueError             the packaged drug data is invalid (exit 3, HTTP 500)

All messages are written for the person reading them: they name the problem and,
where possible, the fix.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from datetime import datetime, timedelta

__all__ = [
    "CatalogueError",
    "CheckInError",
    "CheckInKind",
    "ConfirmationNeededError",
    "ConflictError",
    "ImplausibleDoseError",
    "InputError",
    "InstrumentError",
    "LongNightError",
    "NightSlipError",
    "NotFoundError",
    "QuantityError",
    "RegimenError",
    "SafetyError",
    "TaperlineError",
    "UnknownDrugError",
    "ValueFormatError",
]


class TaperlineError(Exception):
    """Base of every error taperline raises on purpose."""


class InputError(TaperlineError, ValueError):
    """Input from a person or a file that cannot be used as given."""


class ValueFormatError(InputError):
    """Text that is not a clock time, date, duration or time zone in the form taperline reads.

    Raised by :mod:`taperline.core.values` (and :func:`taperline.zones.check_zone`); the
    message names the text and the form expected. Each interface adds its field's name.
    """


class QuantityError(InputError):
    """A dose, amount, concentration or volume that cannot be parsed or is not allowed."""


class ImplausibleDoseError(QuantityError):
    """A dose that parses but is implausible for the drug (often a mcg/mg mix-up)."""


class UnknownDrugError(InputError):
    """A drug name that the catalogue does not hold."""


class RegimenError(InputError):
    """Dose events, times or schedules that make no sense (for example out of order)."""


#: What is wrong with a check-in's value (:attr:`CheckInError.kind`): a number out of its
#: range, a clock time that is not one, two of a night's times out of order, wake time with no
#: awakening, more minutes awake than the night holds, more than 24 h in bed, an a.m./p.m.
#: slip (:class:`NightSlipError`).
CheckInKind = Literal[
    "range", "clock", "order", "no_awakenings", "awake_over_night", "over_24h", "slip"
]


class CheckInError(InputError):
    """A check-in value that cannot be used; the message names the field.

    A refused value (a number, a night's times) is also named without words to parse:
    ``field`` (the value's name: ``bed``, ``final_wake``, ``waso_min``, ``mood`` ...) and
    ``kind`` (:data:`CheckInKind`), so that each door says it in its own words (the web form's
    plain words, a CSV file's columns) whatever the message's wording; None: not one of those.
    """

    def __init__(
        self, message: str, *, field: str | None = None, kind: CheckInKind | None = None
    ) -> None:
        super().__init__(message)
        self.field = field
        self.kind = kind


class NightSlipError(CheckInError):
    """A night too long to be meant, most likely a 12-hour clock's slip (07:00 p.m. for a.m.).

    ``field`` (``final_wake`` or ``out_of_bed``) at ``later`` would be ``span`` after
    ``earlier_field`` at ``earlier`` (wall clocks; ``span`` the time that really passed).
    """

    def __init__(
        self,
        message: str,
        *,
        field: str,
        later: datetime,
        earlier_field: str,
        earlier: datetime,
        span: timedelta,
    ) -> None:
        super().__init__(message, field=field, kind="slip")
        self.later = later
        self.earlier_field = earlier_field
        self.earlier = earlier
        self.span = span


class LongNightError(NightSlipError):
    """A night over 16 h from trying to sleep to the final awakening, not confirmed.

    Most are a 12-hour clock's slip, some a real long sleep: each door asks the person (the
    check-in form's "Yes, I slept that long", the CLI's ``--long-night``, the API's
    ``long_night_confirmed``) and reads the clocks again confirmed
    (:func:`taperline.core.journal.night_times`); ``tried`` and ``final_wake`` are the night's
    two ends as read (wall clocks), ``passed`` the time that really passed between them (an
    hour less than the clocks say when they went forward in the night, one more when they went
    back; the clocks' difference when not given).
    """

    def __init__(
        self,
        message: str,
        tried: datetime,
        final_wake: datetime,
        passed: timedelta | None = None,
    ) -> None:
        passed = final_wake - tried if passed is None else passed
        super().__init__(
            message,
            field="final_wake",
            later=final_wake,
            earlier_field="tried",
            earlier=tried,
            span=passed,
        )
        self.tried = tried
        self.final_wake = final_wake
        self.passed = passed


class InstrumentError(InputError):
    """Questionnaire answers that cannot be scored; the message names the item."""


class SafetyError(TaperlineError):
    """A request that would break a safety rule (daily maximum, abrupt stop, increase)."""


class CatalogueError(TaperlineError):
    """The packaged drug catalogue is invalid; the message names the bad row."""


class NotFoundError(InputError):
    """A record that does not exist (or that the asker may not see: the same answer)."""


class ConflictError(InputError):
    """A write that clashes with what is stored (a duplicate, or a plan changed meanwhile)."""


class ConfirmationNeededError(InputError):
    """Input that may be right but is far from what was expected: stored only once confirmed.

    ``reason`` says what is unexpected; each interface says how to confirm.
    """

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}; if that is what was taken, confirm it")
        self.field, self.reason = field, reason
