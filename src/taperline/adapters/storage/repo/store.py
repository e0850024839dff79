"""The :class:`Store`: the one entry point to a person's record, made of its parts."""

from __future__ import annotations

from taperline.adapters.storage.repo.calendar import _Calendar
from taperline.adapters.storage.repo.checkins import _CheckIns
from taperline.adapters.storage.repo.device_sleep import _DeviceSleep
from taperline.adapters.storage.repo.doses import _DoseLog
from taperline.adapters.storage.repo.persons import _Persons
from taperline.adapters.storage.repo.plans import _Plans
from taperline.adapters.storage.repo.records import _Records
from taperline.adapters.storage.repo.scores import _Scores
from taperline.adapters.storage.repo.sleep_windows import _SleepWindows


class Store(
    _Persons,
    _CheckIns,
    _DoseLog,
    _Scores,
    _Plans,
    _Records,
    _SleepWindows,
    _Calendar,
    _DeviceSleep,
):
    """A person-by-person view of one database (the engine is made by :mod:`.db`)."""
