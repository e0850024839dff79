"""The undo of a deleted check-in: the check-in itself, sealed, in the journal's notice.

The deleted day is put back as it was stored, never read again from the check-in form: the
form cannot say "not asked" (a quick check-in's night in brief, its checklist and drinks not
asked), so an undo through it stored a checklist of zeros and lost the night in brief. The
fields carry the day as the journal CSV writes it (its round trip is exact: every field,
copy marks, a night's zone), base64url so that a browser's form keeps it byte for byte (a
form sends its line breaks as CRLF), and a seal binding it to the person.
"""

from __future__ import annotations

import base64
import binascii
import hashlib

from taperline.adapters.csvio import journal_csv, read_journal_csv
from taperline.core.journal import CheckIn
from taperline.errors import InputError
from taperline.web.forms import FormInput
from taperline.web.security import seal, seal_matches

__all__ = ["checkin_from_undo", "undo_fields"]

#: Longest accepted ``checkin`` field: a check-in's row in base64 (its notes up to 2,000
#: characters of up to 4 bytes, every quote doubled: 16,000 bytes; ~22,700 with the rest).
_MAX_FIELD = 32_000

_NOT_THIS_UNDO = (
    "checkin: this undo is not the one the page gave (it was changed, or it is for another"
    " person); check in for that day again instead"
)


def undo_fields(checkin: CheckIn, *, secret_key: str, person_id: int) -> dict[str, str]:
    """The hidden fields that put ``checkin`` back (see :func:`checkin_from_undo`)."""
    text = base64.urlsafe_b64encode(journal_csv([checkin]).encode()).decode("ascii")
    return {"checkin": text, "checkin_seal": seal(secret_key, _sealed(person_id, text))}


def checkin_from_undo(form: FormInput, *, secret_key: str, person_id: int) -> tuple[CheckIn, str]:
    """The check-in :func:`undo_fields` wrote, and the idempotency key of putting it back.

    Raises:
        InputError: the fields are not the ones the page gave this person.
    """
    text = form.text("checkin", max_len=_MAX_FIELD)
    if not seal_matches(
        secret_key, _sealed(person_id, text), form.text("checkin_seal", max_len=64)
    ):
        raise InputError(_NOT_THIS_UNDO)
    try:
        csv = base64.urlsafe_b64decode(text.encode("ascii")).decode()
    except (binascii.Error, UnicodeError):
        raise InputError(_NOT_THIS_UNDO) from None
    read = read_journal_csv(csv)
    if read.errors or len(read.rows) != 1:  # sealed by this server: not expected
        raise InputError(_NOT_THIS_UNDO)
    key = "restore:" + hashlib.sha256(text.encode("ascii")).hexdigest()
    return read.rows[0], key


def _sealed(person_id: int, text: str) -> str:
    return f"checkin-undo:{person_id}:{text}"
