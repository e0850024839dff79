"""Template filters: doses always by the ISMP rules (:func:`~taperline.core.quantity.fmt`).

>>> from decimal import Decimal
>>> dose(Mass.of_mg(Decimal("0.50"))), day(date(2027, 1, 5)), drug("clonazepam")
('0.5 mg', 'Tue 5 Jan 2027', 'clonazePAM')
>>> short_day(date(2027, 12, 31)), moment(datetime(2027, 3, 9, 7, 5))
('31 Dec', '9 Mar 2027 07:05 UTC')

Some filters depend on who reads the page (the :class:`Reader`, taken from the ``viewer`` of
the page's context when it is rendered, so the macros of ``_macros.html`` follow it too):

* a patient (or a visitor) reads sources by their plain names, linked to the sources page, and
  messages without their bracketed source ids and with dates as people write them
  (:func:`sources`, :func:`plain`); a clinician keeps the ids, as the CLI does;
* a patient reads moments in their own time zone (:func:`moment`); a clinician reads UTC.

>>> with reading_as(Reader(zone="America/New_York")):
...     moment(datetime(2027, 3, 9, 7, 5, tzinfo=UTC)), plain("At most 4 mg [LABEL].")
('9 Mar 2027 02:05', 'At most 4 mg.')
>>> with reading_as(Reader(clinician=True)):
...     plain("At most 4 mg [LABEL].")
'At most 4 mg [LABEL].'
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, Final

import jinja2
from markupsafe import Markup, escape

from taperline.core.quantity import Mass, drug_label, fmt, fmt_number
from taperline.core.sources import Source, patients_words, source_parts, without_ids
from taperline.core.values import MONTH_NAMES, written_day
from taperline.errors import InputError
from taperline.zones import zone

if TYPE_CHECKING:
    from taperline.web.auth import Viewer

__all__ = [
    "SOURCES_PAGE",
    "Reader",
    "day",
    "dose",
    "drug",
    "install",
    "moment",
    "number",
    "plain",
    "reader_of",
    "reading_as",
    "short_day",
    "source_anchor",
    "sources",
]

#: The public page that lists every source by its name, with its citation.
SOURCES_PAGE: Final = "/learn/sources"


@dataclass(frozen=True, slots=True)
class Reader:
    """Who reads the page being rendered: a clinician (ids, UTC) or not; a patient's zone."""

    clinician: bool = False
    zone: str | None = None


_VISITOR: Final = Reader()
_READER: Final[ContextVar[Reader | None]] = ContextVar("taperline_page_reader", default=None)


def _reader() -> Reader:
    return _READER.get() or _VISITOR


def reader_of(viewer: Viewer | None) -> Reader:
    """The reader of a page shown to ``viewer`` (a visitor reads as a patient does)."""
    if viewer is None:
        return Reader()
    if not viewer.user.is_patient:
        return Reader(clinician=True)
    return Reader(zone=viewer.time_zone)


@contextmanager
def reading_as(reader: Reader) -> Iterator[None]:
    """Render what is inside for ``reader``."""
    token = _READER.set(reader)
    try:
        yield
    finally:
        _READER.reset(token)


class _Page(jinja2.Template):
    """A template rendered for the reader its context's ``viewer`` is (see :func:`reader_of`)."""

    def render(self, *args: Any, **kwargs: Any) -> str:
        values = dict(*args, **kwargs)
        with reading_as(reader_of(values.get("viewer"))):
            return super().render(values)


def dose(value: Mass | None) -> str:
    """A dose by the ISMP rules ('0.5 mg', never '.5 mg' or '0.50 mg')."""
    return "" if value is None else fmt(value)


def drug(name: str | None) -> str:
    """A drug name with tall-man lettering where confusable."""
    return "" if not name else drug_label(name)


def day(value: date | None) -> str:
    """A date for reading: 'Tue 5 Jan 2027'."""
    if value is None:
        return ""
    return written_day(value)


def short_day(value: date | None) -> str:
    """A short date: '5 Jan'."""
    return "" if value is None else f"{value.day} {MONTH_NAMES[value.month - 1]}"


def moment(value: datetime | None) -> str:
    """A moment: in a patient's own zone '5 Jan 2027 09:03', else UTC '5 Jan 2027 14:03 UTC'.

    A naive value is UTC (as stored).
    """
    if value is None:
        return ""
    utc = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    shown, suffix = utc, " UTC"
    reader = _reader()
    if reader.zone and not reader.clinician:
        with suppress(InputError):  # a zone this system no longer knows: UTC, said so
            shown, suffix = utc.astimezone(zone(reader.zone)), ""
    return f"{shown.day} {MONTH_NAMES[shown.month - 1]} {shown.year} {shown:%H:%M}{suffix}"


def number(value: float | int | None, places: int = 0) -> str:
    """A number rounded for display (ISMP: no trailing zeros)."""
    return "" if value is None else fmt_number(round(value, places))


def source_anchor(source_id: str) -> str:
    """The anchor of a source on the sources page: 'src-asam-2025'."""
    return f"src-{source_id.lower()}"


def _link(source: Source, *, clinician: bool) -> Markup:
    href = f"{SOURCES_PAGE}#{source_anchor(source.id)}"
    if clinician:
        return Markup('<a href="{}" title="{}">{}</a>').format(href, source.name, source.id)
    return Markup('<a href="{}">{}</a>').format(href, source.name)


def sources(field: str | None) -> Markup:
    """A source field ('LABEL; SEED-AURA', '[ASAM-2025]'), each source linked to the sources page.

    A patient reads the plain names, a clinician the ids; words that are not an id ('taperline',
    'clinician override') are kept.

    >>> str(sources("LABEL; taperline"))
    '<a href="/learn/sources#src-label">US prescribing information (Klonopin label)</a>; taperline'
    >>> with reading_as(Reader(clinician=True)):
    ...     str(sources("[ASAM-2025]"))  # doctest: +ELLIPSIS
    '<a href="/learn/sources#src-asam-2025" title="ASAM 2025 ...">ASAM-2025</a>'
    """
    if not field:
        return Markup("")
    clinician = _reader().clinician
    shown = [
        _link(found, clinician=clinician)
        if found
        else escape(text if clinician else without_ids(text))
        for text, found in source_parts(field)
    ]
    return Markup("; ").join(shown)


def plain(text: str | None) -> str:
    """A message as its reader reads it: a patient's without source ids, dates as people write.

    >>> plain("Symptoms rose after the step on 2027-02-19 [ASAM-2025].")
    'Symptoms rose after the step on Fri 19 Feb 2027.'
    """
    if not text:
        return ""
    if _reader().clinician:
        return text
    return _patients_words(text)


@functools.lru_cache(maxsize=1024)
def _patients_words(text: str) -> str:
    """A patient's words of ``text``, kept: the same few messages fill every page.

    A year's dashboard passes 102 texts through :func:`plain`, 15 of them different: 0.34 ms
    of each render before. A pure function of the text (no reader, clock or zone in it).
    """
    return patients_words(text)


def _per_render(filter_: Callable[..., str]) -> Callable[..., str]:
    """``filter_``, computed each time a page is rendered, never when its template compiles.

    Jinja computes a filter of a literal (``"SPIELMAN-1987" | sources``) once, when it
    compiles the template, unless the filter takes the render's context: a filter that
    depends on the reader would then show every later reader the words of whoever's page
    compiled the template first (a clinician's ids to patients, or the reverse).
    """

    @jinja2.pass_context
    def per_render(_context: object, *args: Any, **kwargs: Any) -> str:
        return filter_(*args, **kwargs)

    return per_render


def install(env: jinja2.Environment) -> None:
    """Register the filters on ``env``, whose pages are rendered for their reader."""
    env.template_class = _Page
    env.filters.update(
        dose=dose,
        drug=drug,
        day=day,
        short_day=short_day,
        moment=_per_render(moment),
        number=number,
        sources=_per_render(sources),
        plain=_per_render(plain),
        source_anchor=source_anchor,
    )
