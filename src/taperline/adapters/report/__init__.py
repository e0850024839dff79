"""The prescriber's PDF report: a taper's story on one to three A4 pages.

Page 1 says who and what, the regimen in force, the next change, the proposal and the
findings (red flags first, in a marked box with crisis resources); page 2 holds the taper
chart (dose, hours slept, sleep efficiency, mood, anxiety and each symptom rated, with finding
days and dose changes marked: the web app's SVG); page 3 the plan's steps with how each dose
is made, adherence and supply. Long plans and logs are cut to what a prescriber needs, and the
report says how much was left out.

The HTML comes from the Jinja2 templates in ``taperline/templates/report`` (autoescaped) and
WeasyPrint turns it into PDF. Jinja2 and WeasyPrint are imported inside the
functions that need them, so importing this module stays cheap; the module itself pulls in
the core (and with it NumPy), so interfaces import it only when a report is asked for.

The person is named by ``profile.label``, a pseudonym by default. Every dose is shown by the
ISMP rules (:func:`~taperline.core.quantity.fmt`) and drug names in tall-man letters.

The package, by page: :mod:`~taperline.adapters.report.period` (the period and the record cut
to it), :mod:`~taperline.adapters.report.summary` (page 1),
:mod:`~taperline.adapters.report.charts` (page 2), :mod:`~taperline.adapters.report.tables`
(page 3) and :mod:`~taperline.adapters.report.render` (the templates' context, HTML and PDF),
which imports WeasyPrint through :mod:`~taperline.adapters.report.libraries` (its shared
libraries found from one reading of the linker cache: a tenth of the CLI's time, issue 19).
"""

from __future__ import annotations

from taperline.adapters.report.charts import ChartData, chart_data, chart_svg
from taperline.adapters.report.period import LATE_AFTER_H as LATE_AFTER_H
from taperline.adapters.report.period import Period, resolve_period
from taperline.adapters.report.render import HEADER as HEADER
from taperline.adapters.report.render import render_report, report_html

# The ``name as name`` imports are names outside __all__, importable from here as before.
__all__ = [
    "ChartData",
    "Period",
    "chart_data",
    "chart_svg",
    "render_report",
    "report_html",
    "resolve_period",
]
