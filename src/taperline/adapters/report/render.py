"""The report as HTML (the templates filled with its context) and as PDF."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from functools import cache
from typing import TYPE_CHECKING, Any, Final

from taperline.adapters.report.charts import chart_alt, chart_data, chart_svg
from taperline.adapters.report.libraries import import_weasyprint
from taperline.adapters.report.period import Period, _within, resolve_period
from taperline.adapters.report.summary import (
    _baseline_text,
    _finding_row,
    _grouped,
    _journal_summary,
    _lately,
    _next_change,
    _proposal,
    _regimen,
    _who,
)
from taperline.adapters.report.tables import _adherence, _steps, _supply
from taperline.core.findings import crisis_message
from taperline.core.quantity import drug_label
from taperline.core.record import PersonRecord

if TYPE_CHECKING:
    from jinja2 import Environment

    from taperline.core.review import Review

HEADER: Final = "taperline report — not a prescription; a clinician decides"
_RED_FLAGS_SHOWN: Final = 6
PDF_VARIANT: Final = "pdf/ua-1"  # the accessible (tagged) PDF WeasyPrint writes


def render_report(
    record: PersonRecord,
    review: Review,
    *,
    start: date | None,
    end: date | None,
    today: date,
    generated_at: datetime,
    progress: Callable[[str], None] | None = None,
) -> bytes:
    """The prescriber's report as PDF bytes (A4, one to three pages for a typical record).

    ``start``/``end`` limit the journal, dose log and scores shown (default: from the first
    entry to ``today``); the findings are the caller's ``review`` as given. Raises
    :class:`~taperline.errors.InputError` when ``start`` is after ``end``. ``progress`` is
    told each stage as it starts.
    """
    if progress is not None:
        progress("Drawing the charts")
    html = report_html(record, review, start=start, end=end, today=today, generated_at=generated_at)
    if progress is not None:
        progress("Laying out the PDF")
    # WeasyPrint ships no type information; it is loaded by name (typed Any, not a
    # missing-stubs error for mypy --strict), its libraries found from the linker cache.
    weasyprint: Any = import_weasyprint()
    # PDF/UA-1: a tagged PDF (headings, lists, tables, the charts as figures with their text
    # as alternative), its language and title, for screen readers [issue 18, section 4].
    pdf: bytes = weasyprint.HTML(string=html).write_pdf(pdf_variant=PDF_VARIANT)
    return pdf


def report_html(
    record: PersonRecord,
    review: Review,
    *,
    start: date | None,
    end: date | None,
    today: date,
    generated_at: datetime,
) -> str:
    """The report as one HTML document (charts embedded), for previews and tests."""
    period = resolve_period(record, start, end, today)
    shown = _within(record, period)
    context = _context(record, shown, review, period, today, generated_at)
    return _environment().get_template("report.html").render(**context)


@cache
def _environment() -> Environment:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("taperline", "templates/report"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


# --- the context ----------------------------------------------------------------------------


def _generated(moment: datetime, time_zone: str) -> str:
    """When the report was made: in the person's zone, and in UTC beside it.

    >>> _generated(datetime(2027, 4, 3, 9, 30, tzinfo=UTC), "Europe/London")
    '2027-04-03 10:30 Europe/London (09:30 UTC)'
    """
    if moment.tzinfo is None:  # a caller's naive moment: shown as it is
        return moment.strftime("%Y-%m-%d %H:%M")
    utc = moment.astimezone(UTC)
    if time_zone in {"UTC", "Etc/UTC"}:
        return f"{utc:%Y-%m-%d %H:%M} UTC"
    from taperline.zones import zone

    return f"{moment.astimezone(zone(time_zone)):%Y-%m-%d %H:%M} {time_zone} ({utc:%H:%M} UTC)"


def _context(  # noqa: PLR0917 -- one private helper of report_html(), called once
    record: PersonRecord,
    shown: PersonRecord,
    review: Review,
    period: Period,
    today: date,
    generated_at: datetime,
) -> dict[str, Any]:
    plan = record.plan
    chart = chart_data(shown, review, plan, period)
    urgent = _grouped([f for f in review.findings if f.severity == "urgent"])
    return {
        "header": HEADER,
        "generated": _generated(generated_at, record.profile.time_zone),
        "period": period,
        "today": today,
        "label": record.profile.label,
        "drug": drug_label(plan.drug) if plan else None,
        "who": _who(record, plan),
        "journal": _journal_summary(shown),
        "lately": _lately(shown, review, period),
        "regimen": _regimen(plan, today),
        "next_change": _next_change(plan, today),
        "proposal": _proposal(review),
        "crisis": crisis_message(),
        "red_flags": [_finding_row(f) for f in urgent[:_RED_FLAGS_SHOWN]],
        "red_flags_more": max(0, len(urgent) - _RED_FLAGS_SHOWN),
        "findings": [_finding_row(f) for f in review.findings if f.severity != "urgent"],
        "skipped": review.skipped,
        "baseline": _baseline_text(review),
        "chart": chart_svg(shown, chart) if chart.panels else None,
        "chart_alt": chart_alt(shown, chart),
        "chart_notes": chart.notes,
        "steps": _steps(plan, period, today),
        "adherence": _adherence(shown, plan, period, today),
        "supply": _supply(plan, today),
        "warnings": plan.warnings if plan else (),
    }
