"""A patient's record as the pages and the JSON API read and write it (no routes here).

The dashboard of today (cached per record version), the patient's today, and a check-in
stored with its audit line. The patient pages and the API both call these.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from taperline.adapters.storage.accounts import audit_row
from taperline.adapters.storage.flags import red_flags_in
from taperline.adapters.storage.record_version import RecordVersion, changed_parts, record_version
from taperline.adapters.storage.repo import KnownRows, Saved
from taperline.core.findings import Finding
from taperline.core.journal import CheckIn
from taperline.core.record import PersonRecord
from taperline.core.review import with_findings
from taperline.service import local_today, store_checkin
from taperline.service.store import sleep_window_findings
from taperline.web.auth import Viewer
from taperline.web.context import Services
from taperline.web.views import Dashboard, build_dashboard

__all__ = ["current_record", "dashboard_and_flags", "dashboard_for", "save_checkin", "today_of"]


def today_of(svc: Services, viewer: Viewer) -> date:
    """Today in the patient's time zone (read with their session)."""
    time_zone = viewer.time_zone or svc.store.profile(viewer.person_id).time_zone
    return local_today(time_zone, svc.now())


def dashboard_for(svc: Services, person_id: int) -> Dashboard:
    """The person's dashboard for today, from the cache when the record has not changed."""
    return dashboard_and_flags(svc, person_id)[0]


def dashboard_and_flags(
    svc: Services, person_id: int, known: tuple[str, RecordVersion] | None = None
) -> tuple[Dashboard, tuple[Finding, ...]]:
    """The dashboard and the red flags of the same reading of the record (both cached).

    ``known`` is the record's time zone and version when already read (with the patient's
    session); a record read after it can only be newer, so the cache is never stale. When
    the version moved, only the parts of the kept record that were written are read again,
    and of those only the rows written since are decoded (:class:`KnownRows`).
    """
    time_zone, version = known or record_version(svc.store.engine, person_id)
    today = local_today(time_zone, svc.now())
    found = svc.dashboards.get(person_id, version, today)
    if found is not None:
        return found[0], found[1]
    record, rows = _record_at(svc, person_id, version)
    board = build_dashboard(record, today)
    # a sleep window withdrawn since it was set, among the findings: it can only become so
    # by a profile change, which moves the record's version (so it is kept with the board)
    extra = sleep_window_findings(svc.store, person_id, record, today, conditions_first=True)
    if extra:
        board = replace(board, review=with_findings(board.review, extra))
    flags = red_flags_in(record, svc.settings.crisis_local(), today=today)
    svc.dashboards.put(person_id, version, today, (board, flags, record, rows))
    return board, flags


def current_record(svc: Services, person_id: int) -> PersonRecord:
    """The person's whole record as stored now: what ``svc.store.record`` reads.

    The record kept with the person's cached dashboard when the record has not changed
    since (its version, read now, says so), with only the parts written since read again
    otherwise (of those, only the rows written since decoded); read whole when there is
    none. The cache is left as it is.
    """
    return _record_at(svc, person_id, record_version(svc.store.engine, person_id)[1])[0]


def _record_at(
    svc: Services, person_id: int, version: RecordVersion
) -> tuple[PersonRecord, KnownRows]:
    """The record at ``version`` (the one just read) and its rows, from the cache's if any."""
    kept = svc.dashboards.latest(person_id)
    if kept is None:
        rows = KnownRows()
        return svc.store.record(person_id, known=rows), rows
    old_version, (_, _, old_record, rows) = kept
    changed = changed_parts(old_version, version)
    if not changed:
        return old_record, rows
    # only the rows written since are decoded
    return svc.store.refresh(old_record, person_id, changed, known=rows), rows


def save_checkin(
    svc: Services,
    viewer: Viewer,
    checkin: CheckIn,
    *,
    idempotency_key: str | None,
    replace: bool,
    today: date,
) -> Saved:
    """Store a check-in (never one dated after the viewer's ``today``), without reviewing.

    :func:`taperline.service.store_checkin` with the viewer's audit line in the same
    transaction; the dashboard reviews the record once after the write (and caches it).
    """
    line = audit_row(
        viewer.user, viewer.person_id, "write", f"check-in {checkin.wake_date}", svc.now()
    )
    return store_checkin(
        svc.store,
        viewer.person_id,
        checkin,
        today=today,
        idempotency_key=idempotency_key,
        replace=replace,
        audit=line,
    )
