"""Override and clinical reasons: :func:`check_reason` and :func:`is_reason`."""

from __future__ import annotations

import re
from typing import Final

from taperline.errors import InputError

#: taperline's bar for a reason a colleague could audit: at least 12 letters and two different
#: words that are not placeholders or typing.
MIN_REASON_WORDS: Final = 2
MIN_REASON_LETTERS: Final = 12
_PLACEHOLDERS: Final = frozenset(
    {
        "x", "xx", "xxx", "ok", "okay", "yes", "no", "fast", "faster", "quick", "quicker",
        "na", "n/a", "none", "nil", "test", "testing", "todo", "tbd", "tbc", "asdf", "qwerty",
        "foo", "bar", "override", "overridden", "reason", "because", "why", "see", "notes",
        "note", "above", "below", "etc", "whatever", "dunno", "idk", "please", "needed",
        "required", "clinical", "clinician", "doctor", "patient", "request", "requested",
        "wants", "want", "wish", "preference", "decision", "decided", "per", "the", "a", "an",
        "and", "or", "of", "to", "for", "by", "it", "is", "as", "on", "in", "at", "ok'd",
        "approved", "agreed", "fine", "good", "sure", "go", "do", "this", "that", "same",
        "other", "misc", "various", "plan", "taper", "cap", "cut", "cuts", "dose", "speed",
        "blah", "lorem", "ipsum", "dolor", "amet", "hmm", "hmmm", "said", "say", "says", "so",
        "just", "cause", "cos", "coz", "nothing", "anything", "stuff",
        "thing", "things", "something", "xyz", "abc", "aaa", "zzz", "dummy", "sample",
        # Deferrals and pointers elsewhere: not the reason itself.
        "later", "will", "document", "documented", "documenting", "documentation", "pending",
        "review", "reviewed", "verbal", "verbally", "given", "discussed", "discussion",
        "earlier", "previously", "before", "here", "there", "add", "added", "mentioned",
        "explained", "told", "attached", "elsewhere", "chart", "record", "file", "email",
        "phone", "call", "one", "two", "three", "follow", "follows", "soon", "asap",
    }
)  # fmt: skip
#: Runs of letters that are typing, not words ("asdfgh", "qwerty", "jklmnop").
_RUNS: Final = ("qwertyuiop", "asdfghjkl", "zxcvbnm", "abcdefghijklmnopqrstuvwxyz")
#: Keys typed down the keyboard's columns ("qazwsx", "edcrfv").
_COLUMNS_RE: Final = re.compile(r"(?:qaz|wsx|edc|rfv|tgb|yhn|ujm|zaq|xsw|cde|vfr|bgt|nhy|mju)+")
_VOWELS: Final = frozenset("aeiouy")
_WORD_RE: Final = re.compile(r"[^\W\d_]+(?:['/][^\W\d_]+)*")


def _junk(word: str) -> bool:
    """A placeholder, a one-letter run ("aaaaaa"), a keyboard or alphabet run, no vowel."""
    letters = word.replace("'", "").replace("/", "")
    return (
        word in _PLACEHOLDERS
        or len(letters) <= 2  # noqa: PLR2004 -- "ok", "dr", "so": too short to say anything
        or len(set(letters)) == 1
        or (len(letters) >= 4 and any(letters in run for run in _RUNS))  # noqa: PLR2004
        or _COLUMNS_RE.fullmatch(letters) is not None
        or not _VOWELS & set(letters)
    )


def check_reason(text: str | None, what: str = "the override reason") -> str:
    """The reason, stripped, when it is a sentence a colleague could audit; else InputError.

    Refused: empty text, fewer than 12 letters, or fewer than two different words that are
    not placeholders ("x", "ok", "fast", "n/a", "patient request", "override", "blah",
    "because I said so") or typing ("asdfgh", "aaaaaa").

    >>> check_reason("  Nardi 2010 regimen, inpatient unit  ")
    'Nardi 2010 regimen, inpatient unit'
    >>> check_reason("fast")
    Traceback (most recent call last):
    ...
    taperline.errors.InputError: the override reason 'fast' is not a reason a colleague could \
audit: write what makes this plan right for this person, e.g. 'short-term use for 6 weeks, \
panic disorder label discontinuation'
    """
    cleaned = " ".join((text or "").split())
    words = [w.casefold() for w in _WORD_RE.findall(cleaned)]
    letters = sum(len(w) for w in words)
    meaningful = {w for w in words if not _junk(w)}
    if not cleaned:
        raise InputError(f"{what} is empty: write what makes this plan right for this person")
    if letters < MIN_REASON_LETTERS or len(meaningful) < MIN_REASON_WORDS:
        raise InputError(
            f"{what} {cleaned!r} is not a reason a colleague could audit: write what makes this "
            "plan right for this person, e.g. 'short-term use for 6 weeks, panic disorder "
            "label discontinuation'"
        )
    return cleaned


def is_reason(text: str) -> bool:
    """Whether ``text`` passes :func:`check_reason`.

    >>> is_reason("breakthrough seizures, EEG"), is_reason("ok")
    (True, False)
    """
    try:
        check_reason(text)
    except InputError:
        return False
    return True
