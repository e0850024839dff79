"""The undo of a deleted check-in: the check-in itself, sealed, in the journal's notice.

The deleted day is put back as it was stored, never read again from the check-in form: the
form cannot say "not asked" (a quick check-in's night in brief, its checklist and drinks not
asked), so an undo through it stored a checklist of zeros and lost the night in brief. The
fields carry the day's :func:`~taperline.adapters.csvio.checkin_code` (exact: every field,
copy marks, a night's own zone) and a seal binding it to the person.
"""

from __future__ import annotations

from taperline.adapters.csvio import checkin_code, checkin_of_code
from taperline.core.journal import CheckIn
from taperline.errors import InputError
from taperline.web.forms import FormInput
from taperline.web.security import seal, seal_matches

__all__ = ["checkin_from_undo", "undo_fields"]

#: Longest accepted ``checkin`` field: a check-in's row in base64, under the request body's
#: limit (256 KiB): notes typed in the form (2,000 characters of up to 4 bytes, every quote
#: doubled: 16,000 bytes, ~22,700 in base64) or longer ones written at the command line.
_MAX_FIELD = 250_000


def undo_fields(checkin: CheckIn, *, secret_key: str, person_id: int) -> dict[str, str]:
    """The hidden fields that put ``checkin`` back (see :func:`checkin_from_undo`)."""
    code = checkin_code(checkin, person_id=person_id)
    return {"checkin": code, "checkin_seal": seal(secret_key, _sealed(person_id, code))}


def checkin_from_undo(form: FormInput, *, secret_key: str, person_id: int) -> CheckIn:
    """The check-in :func:`undo_fields` wrote.

    Raises:
        InputError: the fields are not the ones the page gave this person.
    """
    code = form.text("checkin", max_len=_MAX_FIELD)
    given = form.text("checkin_seal", max_len=64)
    if not seal_matches(secret_key, _sealed(person_id, code), given):
        raise InputError(
            "This undo is not the one the page gave (it was changed, or it is for another"
            " person): check in for that day again instead."
        )
    return checkin_of_code(code, person_id=person_id)


def _sealed(person_id: int, code: str) -> str:
    return f"checkin-undo:{person_id}:{code}"
