"""CSV export and import of the journal and the dose log (RFC 4180, one header row).

Every column carries its unit or range in its name (``mood_0_10``, ``amount_mg``); the columns
and their meaning are listed in :data:`COLUMNS_DOC`, which a test renders into docs/csv.md.
Import is all-or-nothing unless ``skip_bad`` is given. Every problem is reported as
``line N: column: 'value' ...``, where N is the line of the file on which the row starts (the
header is line 1; a quoted note may span several lines).

>>> from datetime import date
>>> from taperline.core.journal import CheckIn
>>> text = journal_csv([CheckIn(date(2027, 1, 5), None, mood=6, anxiety=4, notes="ok, fine")])
>>> read_journal_csv(text).rows[0].notes
'ok, fine'
>>> [str(error) for error in read_journal_csv(text.replace(",6,4,", ",11,4,")).errors]
["line 2: mood_0_10: '11' is not 0-10"]

The package: :mod:`~taperline.adapters.csvio.columns` (the documented columns, what an import
returns), :mod:`~taperline.adapters.csvio.journal` (the journal's CSV),
:mod:`~taperline.adapters.csvio.doses` (the dose log's CSV) and
:mod:`~taperline.adapters.csvio.cells` (what both share: writing rows, reading cells and files).
"""

from __future__ import annotations

from taperline.adapters.csvio.cells import _CellError as _CellError
from taperline.adapters.csvio.cells import _clock as _clock
from taperline.adapters.csvio.cells import _date as _date
from taperline.adapters.csvio.cells import _local_datetime as _local_datetime
from taperline.adapters.csvio.columns import (
    COLUMNS_DOC,
    DOSE_LOG_COLUMNS,
    JOURNAL_COLUMNS,
    Column,
    ImportResult,
    RowError,
    columns_markdown,
    symptom_column,
)
from taperline.adapters.csvio.doses import dose_log_csv, read_dose_log_csv
from taperline.adapters.csvio.journal import (
    checkin_code,
    checkin_of_code,
    journal_csv,
    read_journal_csv,
)

# The ``name as name`` imports are names outside __all__, importable from here as before
# (tests call the cell parsers).
__all__ = [
    "COLUMNS_DOC",
    "DOSE_LOG_COLUMNS",
    "JOURNAL_COLUMNS",
    "Column",
    "ImportResult",
    "RowError",
    "checkin_code",
    "checkin_of_code",
    "columns_markdown",
    "dose_log_csv",
    "journal_csv",
    "read_dose_log_csv",
    "read_journal_csv",
    "symptom_column",
]
