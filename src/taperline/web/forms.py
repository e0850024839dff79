"""HTML form input: read once, CSRF-checked, and turned into typed values naming the field.

:func:`checked_form` is the dependency of every page that changes something: it reads the
form (small limits: no files, 300 fields, 64 KiB a field), refuses it with 400 unless its
fields are UTF-8 (see :func:`check_form_bytes`), and with 403 unless its ``csrf_token``
field (or the ``X-CSRF-Token`` header that htmx sends) matches the session's token, or
before sign-in the anonymous cookie's.

>>> f = FormInput({"mood": ["7"], "note": ["ok"]})
>>> f.integer("mood", 0, 10), f.text("note")
(7, 'ok')
>>> f.integer("mood", 0, 5)
Traceback (most recent call last):
...
taperline.errors.InputError: mood: must be a whole number from 0 to 5
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Mapping, Sequence
from datetime import date, time
from typing import Annotated, Final
from urllib.parse import parse_qsl

from fastapi import Depends, Path, Request

from taperline.core import values
from taperline.errors import InputError, ValueFormatError
from taperline.web.auth import Viewer, anon_binding, optional_viewer
from taperline.web.context import Services, services
from taperline.web.errors import CsrfError, UnreadableBodyError
from taperline.web.security import csrf_matches

__all__ = [
    "CheckedForm",
    "Form",
    "FormInput",
    "IdPath",
    "check_form_bytes",
    "checked_form",
    "clean_text",
    "in_words",
    "parse_clock",
    "parse_day",
]

MAX_FIELDS: Final = 300
MAX_PART_BYTES: Final = 64 * 1024
EARLIEST: Final = date(1900, 1, 1)
LATEST: Final = date(2999, 12, 31)
MAX_ID: Final = 2_147_483_647  # the databases' INTEGER; larger ids cannot exist
NOT_UTF8: Final = (
    "this form could not be read: its text is not UTF-8. Go back, reload the page and send it again"
)
_CHARSET_RE: Final = re.compile(r"charset\s*=\s*\"?([^\";\s]+)", re.IGNORECASE)

#: A row id in a URL: a positive 32-bit integer (anything else is refused with 422).
IdPath = Annotated[int, Path(ge=1, le=MAX_ID)]


def in_words(message: str, labels: Mapping[str, str]) -> str:
    """An error about a form's field named as the form labels it, for the person who filled it.

    The services name a field by its code ("display_name: at most 200 characters", "time_zone
    'Europe' is a region ..."), as the CLI and the API show it; a page says the label the
    person read ("Your name: ...", "Time zone 'Europe' ...") and no jargon.

    >>> in_words("time_zone 'Europe' is not a known IANA time zone", {"time_zone": "Time zone"})
    "Time zone 'Europe' is not a known time zone"
    >>> in_words("something else", {"time_zone": "Time zone"})
    'something else'
    """
    code = next((c for c in labels if message.startswith((f"{c}: ", f"{c} "))), None)
    if code is not None:
        message = labels[code] + message[len(code) :]
    return message.replace("IANA time zone", "time zone")


def _control(ch: str) -> bool:
    code = ord(ch)
    return (code < 32 and ch not in "\n\r\t") or code == 127 or 0xD800 <= code <= 0xDFFF  # noqa: PLR2004 -- control and surrogate ranges


def clean_text(name: str, value: str, max_len: int) -> str:
    """Text without NUL and other control characters (except newlines and tabs), trimmed."""
    if len(value) > max_len:
        raise InputError(f"{name}: at most {max_len} characters")
    if any(_control(ch) for ch in value):
        raise InputError(f"{name}: contains control characters")
    return value.strip()


def parse_day(name: str, text: str) -> date:
    """A date YYYY-MM-DD between 1900 and 2999 (:func:`taperline.core.values.parse_date`)."""
    try:
        day = values.parse_date(text)
    except ValueFormatError as error:
        raise InputError(f"{name}: {error}") from None
    if not EARLIEST <= day <= LATEST:
        raise InputError(
            f"{name}: {values.shown(text)} is out of range: give a date from "
            f"{EARLIEST.year} to {LATEST.year}"
        )
    return day


def parse_clock(name: str, text: str) -> time:
    """A 24-hour clock time HH:MM (:func:`taperline.core.values.parse_clock`)."""
    try:
        return values.parse_clock(text)
    except ValueFormatError as error:
        raise InputError(f"{name}: {error}") from None


class FormInput:
    """The fields of a submitted form (every value is text until asked for a type)."""

    def __init__(self, fields: Mapping[str, Sequence[str]]) -> None:
        self._fields = {k: list(v) for k, v in fields.items()}

    def has(self, name: str) -> bool:
        """Whether the field was sent (a ticked checkbox, a pressed button)."""
        return name in self._fields

    def text(self, name: str, default: str = "", max_len: int = 2000) -> str:
        """The field's text, cleaned (see :func:`clean_text`)."""
        given = self._fields.get(name)
        return clean_text(name, given[0], max_len) if given else default

    def shown(self, name: str, default: str = "", max_len: int = 2000) -> str:
        """The field's text as typed, to show a form again, never refused.

        Control characters are dropped: :meth:`text` refuses them, and the page says so next
        to the field.
        """
        given = self._fields.get(name)
        if not given:
            return default
        return "".join(ch for ch in given[0][:max_len] if not _control(ch))

    def names(self) -> list[str]:
        """The names of the fields sent, in order."""
        return list(self._fields)

    def texts(self, name: str, max_len: int = 200) -> list[str]:
        """Every value of a repeated field (checkboxes), cleaned."""
        return [clean_text(name, v, max_len) for v in self._fields.get(name, [])]

    def integer(self, name: str, low: int, high: int, default: int | None = None) -> int:
        """A whole number from ``low`` to ``high`` (``default`` when empty)."""
        text = self.text(name, max_len=20)
        if not text and default is not None:
            return default
        if not re.fullmatch(r"[+-]?\d{1,9}", text) or not low <= int(text) <= high:
            raise InputError(f"{name}: must be a whole number from {low} to {high}")
        return int(text)

    def optional_integer(self, name: str, low: int, high: int) -> int | None:
        """Like :meth:`integer`, but None when empty."""
        return self.integer(name, low, high) if self.text(name, max_len=20) else None

    def day(self, name: str) -> date:
        """A date field."""
        return parse_day(name, self.text(name, max_len=20))

    def clock(self, name: str) -> time:
        """A time field HH:MM."""
        return parse_clock(name, self.text(name, max_len=20))

    def raw(self) -> dict[str, list[str]]:
        """The fields as sent (to fill the form again after an error)."""
        return {k: list(v) for k, v in self._fields.items()}


def check_form_bytes(content_type: str, body: bytes) -> None:
    """Refuse a form body whose fields are not UTF-8, as the JSON API does (400).

    Starlette would read them anyway, as U+FFFD or Latin-1, and that would be stored. The
    whole body must be UTF-8 (a multipart form without files is text), and so must each
    %-escaped byte of a urlencoded one.

    >>> check_form_bytes("application/x-www-form-urlencoded", b"note=caf%C3%A9+%E2%98%95")
    >>> check_form_bytes("application/x-www-form-urlencoded", b"note=caf%E9")
    Traceback (most recent call last):
    ...
    taperline.web.errors.UnreadableBodyError: this form could not be read: ...
    """
    media, _, params = content_type.partition(";")
    declared = _CHARSET_RE.search(params)
    try:
        if declared and codecs.lookup(declared[1]).name != "utf-8" and not body.isascii():
            raise UnicodeError(declared[1])
        text = body.decode("utf-8")
        if media.strip().lower() == "application/x-www-form-urlencoded":
            parse_qsl(text, keep_blank_values=True, errors="strict")
    except (UnicodeError, LookupError):
        raise UnreadableBodyError(NOT_UTF8) from None


class CheckedForm(FormInput):
    """A form whose CSRF token was checked."""


async def checked_form(
    request: Request,
    viewer: Annotated[Viewer | None, Depends(optional_viewer)],
    svc: Annotated[Services, Depends(services)],
) -> CheckedForm:
    """Read the form and check its bytes and its CSRF token (a FastAPI dependency)."""
    # the body is kept: the form is parsed from it, not read again
    check_form_bytes(request.headers.get("content-type", ""), await request.body())
    form = await request.form(max_files=0, max_fields=MAX_FIELDS, max_part_size=MAX_PART_BYTES)
    fields: dict[str, list[str]] = {}
    for key, value in form.multi_items():
        if isinstance(value, str):
            fields.setdefault(key, []).append(value)
    given = request.headers.get("x-csrf-token") or (fields.get("csrf_token") or [""])[0]
    binding = f"session:{viewer.session.token_hash}" if viewer else anon_binding(request)
    if not csrf_matches(svc.settings.secret_key, binding, given):
        raise CsrfError(
            "this form has expired or did not come from this site; go back, reload the page"
            " and try again"
        )
    return CheckedForm(fields)


Form = Annotated[CheckedForm, Depends(checked_form)]
