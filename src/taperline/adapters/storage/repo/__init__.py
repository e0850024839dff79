"""Reading and writing a person's record. Every write is one transaction.

Wall-clock times are converted with the person's time zone to UTC on the way in and back on
the way out; a time that does not exist in that zone (skipped by a daylight-saving change)
is refused rather than silently moved. Check-ins, doses and scores may carry an idempotency
key: writing the same key again returns the first write and changes nothing, so a retried
submit never duplicates. Plan versions are only inserted, never updated.

The package, by aggregate: :mod:`~taperline.adapters.storage.repo.persons` (a person and their
profile), :mod:`~taperline.adapters.storage.repo.checkins`,
:mod:`~taperline.adapters.storage.repo.doses`, :mod:`~taperline.adapters.storage.repo.scores`,
:mod:`~taperline.adapters.storage.repo.plans` and :mod:`~taperline.adapters.storage.repo.records`
(the whole record: read and import), each a part of :class:`Store` (in
:mod:`~taperline.adapters.storage.repo.store`), the one entry point; what they share (the
transactions, time zones, idempotency keys, the row decoder) is in
:mod:`~taperline.adapters.storage.repo.common`.
"""

from __future__ import annotations

from taperline.adapters.storage.repo.checkins import CHECKIN_COLUMNS as CHECKIN_COLUMNS
from taperline.adapters.storage.repo.checkins import checkin_row as checkin_row
from taperline.adapters.storage.repo.common import Saved
from taperline.adapters.storage.repo.common import _by_key as _by_key  # tests wrap it
from taperline.adapters.storage.repo.common import clock_shift_min as clock_shift_min
from taperline.adapters.storage.repo.common import to_local as to_local
from taperline.adapters.storage.repo.common import to_utc as to_utc
from taperline.adapters.storage.repo.common import with_clock_shift as with_clock_shift
from taperline.adapters.storage.repo.doses import DOSE_COLUMNS as DOSE_COLUMNS
from taperline.adapters.storage.repo.plans import steps_from_json as steps_from_json
from taperline.adapters.storage.repo.plans import steps_json as steps_json
from taperline.adapters.storage.repo.records import RECORD_PARTS, KnownRows
from taperline.adapters.storage.repo.store import Store
from taperline.zones import zone

# The ``name as name`` imports are names outside __all__, importable from here as before.
__all__ = ["RECORD_PARTS", "KnownRows", "Saved", "Store", "zone"]
