"""How guessable a secret key is: a cautious estimate of its entropy, in bits.

The key signs CSRF tokens, and a visitor sees both a token and what it signs, so a guessable
key can be found offline. :func:`key_strength_bits` takes the least of three guesses:

* the characters: each worth ``log2`` of its alphabet (the classes the key uses, digits,
  hex, lower, upper, symbols, but at most twice the characters it actually uses); a word
  from a small built-in list is worth :data:`WORD_BITS` as a whole; a key mostly of
  letters, capitals only starting words (``My-secret-key``), is text: :data:`TEXT_BITS` a
  letter, and the other characters each worth ``log2`` of their own alphabet;
* what zlib makes of it (repeated blocks: ``abcabc...``, ``aaaa...``);
* what zlib makes of the steps between neighbouring characters (runs: ``1234...``).

Keys from ``secrets.token_urlsafe(32)`` (about 256 bits) or ``token_hex(32)`` pass easily;
:data:`MIN_KEY_BITS` is 128, the strength of ``token_hex(16)``.

>>> import secrets
>>> key_strength_bits(secrets.token_urlsafe(32)) >= MIN_KEY_BITS
True
>>> [key_strength_bits(k) < MIN_KEY_BITS for k in ("k" * 40, "ab" * 20, "1234567890" * 4)]
[True, True, True]
>>> key_strength_bits("my-production-secret-key-for-the-clinic") < MIN_KEY_BITS
True
"""

from __future__ import annotations

import itertools
import math
import string
import zlib
from typing import Final

from taperline.errors import InputError

__all__ = [
    "MAKE_A_KEY",
    "MIN_KEY_BITS",
    "MIN_KEY_LENGTH",
    "TEXT_BITS",
    "WORD_BITS",
    "check_secret_key",
    "key_strength_bits",
]

MAKE_A_KEY: Final = 'make one with: python -c "import secrets; print(secrets.token_urlsafe(32))"'
MIN_KEY_LENGTH: Final = 32

#: 128 bits: beyond any offline search (NIST SP 800-57 part 1, table 2).
MIN_KEY_BITS: Final = 128
#: A word of the list, as if drawn from 2,048 (a generous diceware-sized guess).
WORD_BITS: Final = 11
#: A letter of lowercase words: English text carries 1-2 bits a letter (Shannon, 1951).
TEXT_BITS: Final = 2
#: Words people put in keys (none made only of hex letters: hex keys never contain them).
_WORD_TEXT: Final = """
    password passwd secret secrets private token django flask taperline clinic clinical
    production prod development staging testing test example sample changeme change default
    admin root super insecure unsafe letmein welcome hello monkey dragon master login qwerty
    qwertyuiop asdfghjkl zxcvbnm key keys the for this not use only very long random string
    value server session cookie signing my your our please dont correct horse battery staple
"""
_WORDS: Final = tuple(sorted(_WORD_TEXT.split(), key=len, reverse=True))
_HEX: Final = frozenset(string.hexdigits)
_SYMBOLS: Final = 33  # printable ASCII that is not a letter or digit, space included


def check_secret_key(key: str) -> None:
    """Refuse a production key that is short or guessable, saying how to make a good one.

    >>> check_secret_key("abc" * 12)
    Traceback (most recent call last):
    ...
    taperline.errors.InputError: TAPERLINE_SECRET_KEY: too easy to guess (about 40 bits; a key needs 128: no repeats, runs or words); make one with: python -c "import secrets; print(secrets.token_urlsafe(32))"
    """  # noqa: E501 -- a doctest line reads better whole
    if len(key) < MIN_KEY_LENGTH:
        raise InputError(
            f"TAPERLINE_SECRET_KEY: too short ({len(key)} characters; use at least"
            f" {MIN_KEY_LENGTH}); {MAKE_A_KEY}"
        )
    bits = key_strength_bits(key)
    if bits < MIN_KEY_BITS:
        raise InputError(
            f"TAPERLINE_SECRET_KEY: too easy to guess (about {bits:.0f} bits; a key needs"
            f" {MIN_KEY_BITS}: no repeats, runs or words); {MAKE_A_KEY}"
        )


def key_strength_bits(key: str) -> float:
    """A cautious estimate of ``key``'s entropy in bits (see the module docstring).

    >>> key_strength_bits("0123456789abcdef" * 2)
    80.0
    """
    return min(_by_characters(key), _squeezed(key.encode()), _squeezed(_steps(key)))


def _squeezed(data: bytes) -> float:
    """Bits zlib needs for ``data``, beyond what it needs for nothing."""
    return 8.0 * (len(zlib.compress(data, 9)) - len(zlib.compress(b"", 9)))


def _steps(key: str) -> bytes:
    return bytes((ord(b) - ord(a)) % 256 for a, b in itertools.pairwise(key))


def _is_hex(key: str) -> bool:
    used = set(key)
    return used <= _HEX and (used.isdisjoint("ABCDEF") or used.isdisjoint("abcdef"))


def _alphabet(key: str) -> int:
    used = set(key)
    if used <= set(string.digits):
        size = 10
    elif _is_hex(key):
        size = 16
    else:
        classes = ((str.islower, 26), (str.isupper, 26), (str.isdigit, 10))
        size = sum(n for test, n in classes if any(test(c) and c.isascii() for c in key))
        size += _SYMBOLS if any(not (c.isascii() and c.isalnum()) for c in key) else 0
    return max(1, min(size, 2 * len(used)))


def _is_text(key: str) -> bool:
    """Whether the key is mostly letters, none of them capitals (hex is not text).

    A random key of mixed case lacks capitals about once in 10^10 (``token_urlsafe(32)``).
    """
    letters = sum(c.isalpha() for c in key)
    return 2 * letters >= len(key) and not any(c.isupper() for c in key) and not _is_hex(key)


def _words(key: str) -> tuple[list[str], str]:
    """The listed words in ``key`` (any case, longest first, not overlapping), and the rest."""
    folded = key.casefold() if len(key.casefold()) == len(key) else key
    taken = [False] * len(key)
    found = []
    for word in _WORDS:
        start = folded.find(word)
        while start >= 0:
            if not any(taken[start : start + len(word)]):
                found.append(word)
                taken[start : start + len(word)] = [True] * len(word)
            start = folded.find(word, start + 1)
    return found, "".join(c for c, t in zip(key, taken, strict=True) if not t)


def _by_characters(key: str) -> float:
    words, rest = _words(key)
    text = _is_text(key)
    others = "".join(c for c in rest if not (text and c.isalpha()))
    per_other = math.log2(_alphabet(others or "0"))
    per_letter = TEXT_BITS if text else per_other
    in_words = sum(min(len(word) * per_letter, WORD_BITS) for word in words)
    return in_words + sum(per_letter if c.isalpha() else per_other for c in rest)
