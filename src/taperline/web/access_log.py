"""The patient's access log, sorted by who made each line.

A line is a clinician's, the patient's own, or another's (taperline itself, the person's
calendar subscription).

A clinician viewing or changing a record is what a patient most wants to see in the log,
and their own page views would otherwise bury it: the page separates the two and filters
by either (``/account/audit?who=clinicians``).

>>> from datetime import datetime, UTC
>>> at = datetime(2027, 3, 1, tzinfo=UTC)
>>> entry_kind(AuditEntry(at, "Dr Lee (clinician)", "read", "record", 7, "clinician"), 3)
'clinicians'
>>> entry_kind(AuditEntry(at, "Ann (patient)", "read", "dashboard", 3, "patient"), 3)
'you'
>>> entry_kind(AuditEntry(at, "Dr Gone (clinician)", "write", "plan v2", None, None), 3)
'clinicians'
>>> entry_kind(AuditEntry(at, "taperline", "read", "calendar feed", None, None), 3)
'other'
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final, Literal

from taperline.adapters.storage.accounts import AuditEntry

__all__ = ["WHO", "Kind", "entry_kind", "filtered"]

Kind = Literal["clinicians", "you", "other"]
#: The filter's choices: the query value and what the link says.
WHO: Final[dict[str, str]] = {
    "all": "Everyone",
    "clinicians": "Clinicians",
    "you": "You",
    "other": "taperline and your calendar",
}


def entry_kind(entry: AuditEntry, user_id: int) -> Kind:
    """Who made ``entry``: the patient (``user_id``), a clinician, or something else.

    A clinician's account deleted since leaves no user id: its label still says clinician.
    """
    if entry.user_id is not None and entry.user_id == user_id:
        return "you"
    if entry.role == "clinician" or (entry.user_id is None and entry.actor.endswith("(clinician)")):
        return "clinicians"
    return "other"


def filtered(
    entries: Sequence[AuditEntry], user_id: int, who: str
) -> list[tuple[AuditEntry, Kind]]:
    """The entries ``who`` chooses (``all``, or one kind), each with its kind."""
    kinds = [(e, entry_kind(e, user_id)) for e in entries]
    return kinds if who not in WHO or who == "all" else [(e, k) for e, k in kinds if k == who]
