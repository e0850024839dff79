"""Use cases: what the CLI, the web pages and the JSON API do with a person's record.

Each function joins the pure core (checks, findings) and the store (one transaction per
write). The interfaces pass in the clock (``now``, timezone-aware) so that "today" is the
person's own date in their time zone. One module per family of use cases:

* :mod:`~taperline.service.store`: opening the store, the person's today, their review;
* :mod:`~taperline.service.journal`: a check-in, a dose, a questionnaire;
* :mod:`~taperline.service.people`: a profile saved, an account made or deleted;
* :mod:`~taperline.service.plans`: saving a planner result, deciding on a version;
* :mod:`~taperline.service.exchange`: importing a whole record;
* :mod:`~taperline.service.exports`: the PDF report, the FHIR Bundle, calendar reminders;
* :mod:`~taperline.service.today`: today at a glance (the CLI's status, the dashboard, the
  API's status);
* :mod:`~taperline.service.documents`: JSON documents of core objects.

The names below are the service's public interface; import them from here.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

from taperline.core.lazy import lazy_names

if TYPE_CHECKING:  # the names for type checkers; at run time each is imported when first used
    from taperline.service.documents import (
        checkin_document,
        finding_document,
        plan_version_document,
        review_document,
    )
    from taperline.service.exchange import (
        RowsImported,
        import_checkins,
        import_doses,
        import_record,
    )
    from taperline.service.exports import calendar_file, fhir_bundle, fhir_json, report_pdf
    from taperline.service.journal import (
        AT_THIS_COMPUTER,
        AuditLine,
        DoseEntry,
        LoggedDose,
        auditor,
        log_dose,
        mark_copies,
        record_checkin,
        record_dose,
        record_score,
        remove_checkin,
        remove_dose,
        restore_checkin,
        restore_dose,
        store_checkin,
    )
    from taperline.service.people import create_account, delete_account, save_profile
    from taperline.service.plans import (
        checked_version,
        decide_plan,
        hold_keeps_dose_before_cut,
        save_plan,
    )
    from taperline.service.quick import (
        CheckInAsks,
        DoseAnswer,
        check_answers,
        checkin_asks,
        confirm_doses,
    )
    from taperline.service.status_documents import today_document
    from taperline.service.store import (
        Reviewed,
        local_now,
        local_today,
        open_store,
        person_review,
        reviewed_record,
    )
    from taperline.service.today import (
        DayGlance,
        DoseToday,
        Today,
        build_today,
        glance,
        match_doses,
        pending_plan,
        plan_decision,
        readiness_of,
        status,
    )

#: Each public name and the module it lives in: a name is imported on first use (PEP 562),
#: so a journal command pays for its own use cases only, never the planner's NumPy or the
#: exports' libraries (tests/test_journal_imports.py lists what each command imports).
_WHERE: dict[str, str] = {
    "AT_THIS_COMPUTER": "taperline.service.journal",
    "AuditLine": "taperline.service.journal",
    "CheckInAsks": "taperline.service.quick",
    "DayGlance": "taperline.service.today",
    "DoseAnswer": "taperline.service.quick",
    "DoseEntry": "taperline.service.journal",
    "DoseToday": "taperline.service.today",
    "LoggedDose": "taperline.service.journal",
    "Reviewed": "taperline.service.store",
    "RowsImported": "taperline.service.exchange",
    "Today": "taperline.service.today",
    "auditor": "taperline.service.journal",
    "build_today": "taperline.service.today",
    "calendar_file": "taperline.service.exports",
    "check_answers": "taperline.service.quick",
    "checked_version": "taperline.service.plans",
    "checkin_asks": "taperline.service.quick",
    "checkin_document": "taperline.service.documents",
    "confirm_doses": "taperline.service.quick",
    "create_account": "taperline.service.people",
    "decide_plan": "taperline.service.plans",
    "hold_keeps_dose_before_cut": "taperline.service.plans",
    "delete_account": "taperline.service.people",
    "fhir_bundle": "taperline.service.exports",
    "fhir_json": "taperline.service.exports",
    "finding_document": "taperline.service.documents",
    "glance": "taperline.service.today",
    "import_checkins": "taperline.service.exchange",
    "import_doses": "taperline.service.exchange",
    "import_record": "taperline.service.exchange",
    "local_now": "taperline.service.store",
    "local_today": "taperline.service.store",
    "log_dose": "taperline.service.journal",
    "mark_copies": "taperline.service.journal",
    "match_doses": "taperline.service.today",
    "open_store": "taperline.service.store",
    "pending_plan": "taperline.service.today",
    "person_review": "taperline.service.store",
    "plan_decision": "taperline.service.today",
    "plan_version_document": "taperline.service.documents",
    "readiness_of": "taperline.service.today",
    "record_checkin": "taperline.service.journal",
    "record_dose": "taperline.service.journal",
    "record_score": "taperline.service.journal",
    "remove_checkin": "taperline.service.journal",
    "remove_dose": "taperline.service.journal",
    "report_pdf": "taperline.service.exports",
    "restore_checkin": "taperline.service.journal",
    "restore_dose": "taperline.service.journal",
    "review_document": "taperline.service.documents",
    "reviewed_record": "taperline.service.store",
    "save_plan": "taperline.service.plans",
    "save_profile": "taperline.service.people",
    "status": "taperline.service.today",
    "store_checkin": "taperline.service.journal",
    "today_document": "taperline.service.status_documents",
}


__getattr__, __dir__ = lazy_names(globals(), _WHERE, import_module)


__all__ = [
    "AT_THIS_COMPUTER",
    "AuditLine",
    "CheckInAsks",
    "DayGlance",
    "DoseAnswer",
    "DoseEntry",
    "DoseToday",
    "LoggedDose",
    "Reviewed",
    "RowsImported",
    "Today",
    "auditor",
    "build_today",
    "calendar_file",
    "check_answers",
    "checked_version",
    "checkin_asks",
    "checkin_document",
    "confirm_doses",
    "create_account",
    "decide_plan",
    "delete_account",
    "fhir_bundle",
    "fhir_json",
    "finding_document",
    "glance",
    "hold_keeps_dose_before_cut",
    "import_checkins",
    "import_doses",
    "import_record",
    "local_now",
    "local_today",
    "log_dose",
    "mark_copies",
    "match_doses",
    "open_store",
    "pending_plan",
    "person_review",
    "plan_decision",
    "plan_version_document",
    "readiness_of",
    "record_checkin",
    "record_dose",
    "record_score",
    "remove_checkin",
    "remove_dose",
    "report_pdf",
    "restore_checkin",
    "restore_dose",
    "review_document",
    "reviewed_record",
    "save_plan",
    "save_profile",
    "status",
    "store_checkin",
    "today_document",
]
