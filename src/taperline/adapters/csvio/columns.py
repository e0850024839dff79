"""The documented columns of each file, and what an import returns."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final, Generic, TypeVar

from taperline.core.journal import (
    MAX_AWAKENINGS,
    MAX_DRINKS,
    MAX_LATENCY_MIN,
    MAX_REPORTED_SLEEP_MIN,
    RED_FLAG_EVENTS,
    SYMPTOM_MAX,
    SYMPTOMS,
    TIMES_OF_DAY,
)

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class RowError:
    """A problem in an imported file: the line the row starts on (header = 1) and what is wrong."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass(frozen=True, slots=True)
class ImportResult(Generic[T]):
    """What an import read: the good rows, and every problem found (none when all is well)."""

    rows: tuple[T, ...] = ()
    errors: tuple[RowError, ...] = ()


@dataclass(frozen=True, slots=True)
class Column:
    """One documented CSV column: its name, unit or range, meaning and whether it is required."""

    name: str
    unit: str
    meaning: str
    required: bool = False


# --- columns ----------------------------------------------------------------------------------


def symptom_column(name: str) -> str:
    """The journal column of a checklist symptom.

    >>> symptom_column("muscle pain or stiffness")
    'symptom_muscle_pain_or_stiffness_0_3'
    """
    return f"symptom_{re.sub(r'[^a-z0-9]+', '_', name.lower()).strip('_')}_0_{SYMPTOM_MAX}"


#: Journal column -> checklist symptom name.
_SYMPTOM_BY_COLUMN: Final[Mapping[str, str]] = MappingProxyType(
    {symptom_column(name): name for name in SYMPTOMS}
)
_CLOCK_HELP: Final = "HH:MM, 24 h"
#: A night's clock: HH:MM, or with its date when the check-in's rule would place it otherwise.
_NIGHT_CLOCK_HELP: Final = "HH:MM, 24 h (or YYYY-MM-DDTHH:MM)"
_PLACED: Final = (
    'placed around the final awakening as a check-in places it (see "A night crossing midnight")'
)
_SLEEP: Final[tuple[Column, ...]] = (
    Column("bed_clock", _NIGHT_CLOCK_HELP, f"got into bed, {_PLACED}"),
    Column(
        "tried_clock",
        _NIGHT_CLOCK_HELP,
        f"started trying to sleep, {_PLACED}; more than 16 h before the final awakening is"
        " refused as a likely a.m./p.m. slip unless the four clocks are written with dates",
    ),
    Column("sol_min", f"min, 0-{MAX_LATENCY_MIN}", "sleep onset latency: minutes to fall asleep"),
    Column(
        "awakenings",
        f"count, 0-{MAX_AWAKENINGS}",
        "times woken between falling asleep and the final awakening",
    ),
    Column(
        "waso_min",
        f"min, 0-{MAX_LATENCY_MIN}",
        "wake after sleep onset: minutes awake in the night",
    ),
    Column("final_wake_clock", _NIGHT_CLOCK_HELP, "final awakening, on wake_date"),
    Column(
        "out_of_bed_clock",
        _NIGHT_CLOCK_HELP,
        "got out of bed, at most 12 h after final_wake_clock (the day after wake_date if"
        " before it)",
    ),
    Column("sleep_quality_1_5", "1-5", "quality of the night: 1 very poor to 5 very good"),
)
#: A quick check-in's night: how long the person slept, by their own estimate.
REPORTED_SLEEP: Final = Column(
    "sleep_reported_min",
    f"min, 0-{MAX_REPORTED_SLEEP_MIN}",
    "a quick check-in's night: about how long the person slept, their own estimate (not"
    " worked out from clock times); with it only sleep_quality_1_5 of the sleep columns is"
    " filled, and the diary's metrics are not computed",
)
#: Whether the symptom checklist was asked that day.
SYMPTOMS_RATED: Final = Column(
    "symptoms_rated",
    "yes / no",
    "no: the symptom checklist was not asked that day (a quick check-in), the symptom columns"
    " are empty and the day has no symptom score; empty: yes when a symptom column is filled,"
    " else no (a file without them never rates every symptom 0)",
)
JOURNAL_COLUMNS: Final[tuple[Column, ...]] = (
    Column(
        "wake_date",
        "date YYYY-MM-DD",
        "the date of waking: the night before it and the"
        " day's check-in belong to it; once per file",
        required=True,
    ),
    *_SLEEP,
    REPORTED_SLEEP,
    Column("mood_0_10", "0-10", "mood: 0 worst to 10 best", required=True),
    Column("anxiety_0_10", "0-10", "anxiety: 0 none to 10 worst", required=True),
    Column("worst_time", " / ".join(TIMES_OF_DAY), "when symptoms were worst; empty: not given"),
    SYMPTOMS_RATED,
    *(
        Column(
            column,
            f"0-{SYMPTOM_MAX}",
            f"{name}: 0 none to {SYMPTOM_MAX} severe; empty: not rated (counts as 0 when"
            " the checklist was asked)",
        )
        for column, name in _SYMPTOM_BY_COLUMN.items()
    ),
    Column(
        "caffeine_drinks",
        f"count, 0-{MAX_DRINKS}",
        "caffeinated drinks; empty: 0, or with the next two empty too, not asked that day",
    ),
    Column(
        "alcohol_drinks",
        f"count, 0-{MAX_DRINKS}",
        "alcoholic drinks; empty: 0, or with the other two empty too, not asked that day",
    ),
    Column(
        "opioid_use",
        "yes / no",
        "took an opioid that day; empty: no, or with both counts empty too, not asked that day",
    ),
    Column(
        "events", "; ".join(RED_FLAG_EVENTS), "red-flag events of the day, separated by semicolons"
    ),
    Column(
        "sleep_copied_from",
        "date YYYY-MM-DD",
        'the earlier check-in the night was copied from (the person chose "same as last'
        ' night" and kept it); empty: their own entry',
    ),
    Column(
        "symptoms_copied_from",
        "date YYYY-MM-DD",
        "the earlier check-in the symptom ratings were copied from; empty: their own entry",
    ),
    Column("notes", "text", "free text, kept exactly (may hold commas, quotes and line breaks)"),
    Column(
        "time_zone",
        "IANA zone, e.g. Asia/Kathmandu",
        "the zone the night's clock times were logged in when not the person's (a night logged"
        " before they moved): the four clocks are that zone's wall clock, and an offset after"
        " one must be that zone's then; empty: the person's zone (a clock with an offset is"
        " then refused). Only for a night given by its clock times",
    ),
)
DOSE_LOG_COLUMNS: Final[tuple[Column, ...]] = (
    Column("day", "date YYYY-MM-DD", "the day the dose belongs to", required=True),
    Column("drug", "name", "the drug, for example clonazepam", required=True),
    Column(
        "planned_clock",
        _CLOCK_HELP,
        "the planned time; empty for an extra (unplanned) dose",
        required=True,
    ),
    Column("planned_amount_mg", "mg, above 0", "the planned amount; empty if none was planned"),
    Column(
        "taken_at",
        "YYYY-MM-DDTHH:MM, local",
        "when it was taken (local wall clock, no zone); empty for a missed dose. A time in"
        " the hour the clocks repeat (going back) is written with its UTC offset, which says"
        " which of the two it was (2027-10-31T01:30+00:00 is London's second 01:30); without"
        " one it is the first. A time the clocks skipped is refused. With time_zone filled,"
        " the clock of that zone, written with its offset",
        required=True,
    ),
    Column("amount_mg", "mg, above 0", "the amount taken; empty for a missed dose", required=True),
    Column(
        "status",
        "taken / late / missed / extra",
        "worked out on export (late: more than 2 h after planned_clock); on import it may be"
        " empty; when given it must agree with the cells (missed: no taken_at; extra: taken"
        " with no planned_clock; taken or late: taken with a planned_clock) and is not"
        " otherwise used",
    ),
    Column("units", "text", "the product units used, for example 1 x tablet 0.5 mg"),
    Column("note", "text", "free text, kept exactly"),
    Column(
        "time_zone",
        "IANA zone, e.g. Asia/Kathmandu",
        "the zone taken_at was logged in when not the person's (a dose logged before they"
        " moved): taken_at is that zone's wall clock, and an offset after it must be that"
        " zone's then; empty: the person's zone (an offset of another zone is then refused)."
        " Only for a taken dose",
    ),
)
#: The documented columns of each file, in file order (rendered into docs/csv.md by a test).
COLUMNS_DOC: Final[Mapping[str, tuple[Column, ...]]] = MappingProxyType(
    {"journal": JOURNAL_COLUMNS, "dose log": DOSE_LOG_COLUMNS}
)
_TEXT_COLUMNS: Final = frozenset({"notes", "drug", "units", "note"})
# A spreadsheet runs a cell starting with one of these as a formula; such text is written with
# a leading apostrophe (and so is text that starts with one), which import takes off again.
_FORMULA_START: Final = ("=", "+", "-", "@", "\t", "\r", "'")


def columns_markdown(columns: Sequence[Column]) -> str:
    """A Markdown table of ``columns`` (the one in docs/csv.md is made by this)."""
    lines = ["| column | unit / range | required | meaning |", "| --- | --- | --- | --- |"]
    lines.extend(
        f"| `{c.name}` | {c.unit} | {'yes' if c.required else ''} | {c.meaning} |" for c in columns
    )
    return "\n".join(lines) + "\n"
