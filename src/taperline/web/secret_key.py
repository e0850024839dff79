"""How guessable a secret key is: a cautious estimate of its entropy, in bits.

The key signs CSRF tokens, and a visitor sees both a token and what it signs, so a guessable
key can be found offline. :func:`key_strength_bits` takes the least of these guesses:

* the characters: each worth ``log2`` of its alphabet (the classes the key uses, digits,
  hex, lower, upper, symbols, but at most twice the characters it actually uses); a word
  from a small built-in list is worth :data:`WORD_BITS` as a whole; a key mostly of
  letters is text, in lower case, or words apart in Title Case (``My-Secret-Key``) or
  capitals (``MY-SECRET-KEY``) if its letters are as rich in vowels as words are
  (:data:`TEXT_VOWELS`): :data:`TEXT_BITS` a letter, and the other characters each worth
  ``log2`` of their own alphabet;
* what zlib makes of it (repeated blocks: ``abcabc...``, ``aaaa...``);
* what zlib makes of the steps between neighbouring characters (runs: ``1234...``);
* a block typed again and again (``token_hex(8) * 2``): what that one block is worth;
* a walk on a US keyboard, shifted or not (``1qaz2wsx``, ``!QAZ@WSX``), when two thirds of
  its steps go to the same or a neighbouring key (in random keys about a fifth do):
  :data:`WALK_TURN_BITS` a step that changes direction, :data:`WALK_ON_BITS` one that keeps
  it, a bit more for a change of shift, and a jump elsewhere ``log2`` of the key's alphabet;
* a UUID (``8-4-4-4-12`` hex digits): its random bits, 122 at most (version 4), 74 for
  version 7 and 14 for versions 1 and 6 (the rest is a clock and a MAC address);
* digits (a decimal point allowed) found in the first :data:`CONSTANT_DIGITS` digits of
  pi, e, the golden ratio or the square root of 2 or 3: where they start, about 13 bits.

Keys from ``secrets.token_urlsafe(32)`` (about 256 bits) or ``token_hex(32)`` pass easily;
:data:`MIN_KEY_BITS` is 128, the strength of ``token_hex(16)``.

>>> import secrets
>>> key_strength_bits(secrets.token_urlsafe(32)) >= MIN_KEY_BITS
True
>>> [key_strength_bits(k) < MIN_KEY_BITS for k in ("k" * 40, "ab" * 20, "1234567890" * 4)]
[True, True, True]
>>> key_strength_bits("my-production-secret-key-for-the-clinic") < MIN_KEY_BITS
True
>>> guessable = ("Purple-Elephant-Dancing-Quietly-Under-Moonlight", secrets.token_hex(8) * 2,
...     "12345678-9abc-4def-8123-456789abcdef", "3.1415926535897932384626433832795028841971",
...     "!QAZ@WSX#EDC$RFV%TGB^YHN&UJM*IK<")
>>> [key_strength_bits(k) < MIN_KEY_BITS for k in guessable]
[True, True, True, True, True]
"""

from __future__ import annotations

import functools
import itertools
import math
import re
import string
import zlib
from typing import Final, NamedTuple

from taperline.errors import InputError

__all__ = [
    "CONSTANT_DIGITS",
    "MAKE_A_KEY",
    "MIN_KEY_BITS",
    "MIN_KEY_LENGTH",
    "TEXT_BITS",
    "TEXT_VOWELS",
    "WALK_ON_BITS",
    "WALK_TURN_BITS",
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
#: A letter of words: English text carries 1-2 bits a letter (Shannon, 1951).
TEXT_BITS: Final = 2
#: The least share of vowels (``y`` counted) in the letters of a key with capitals that is
#: text: words have about 0.4, random letters 6/26 (0.23).
TEXT_VOWELS: Final = 0.3
#: A keyboard step that changes direction: a key has about 8 neighbours.
WALK_TURN_BITS: Final = 3
#: A keyboard step in the direction of the one before: on or stop.
WALK_ON_BITS: Final = 1
#: Digits of each well-known constant searched for digit keys.
CONSTANT_DIGITS: Final = 1000
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
_ALPHANUMERIC_RUN: Final = re.compile(r"[^\W_]+")
_VOWELS: Final = frozenset("aeiouy")
_UUID: Final = re.compile(
    r"(?:urn:uuid:)?\{?[0-9a-f]{8}-[0-9a-f]{4}-([0-9a-f])[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}\}?",
    re.IGNORECASE,
)
#: The random bits of a UUID by version: v1 and v6 have only the clock sequence (the time
#: and the MAC address are guessable), v7 its 74 random bits, v4 (and any other) 122.
_UUID_BITS: Final = {"1": 14.0, "6": 14.0, "7": 74.0}
_UUID_MAX_BITS: Final = 122.0
#: A US keyboard, unshifted and shifted, and how far each row starts from the left.
_KEYBOARD: Final = (
    ("`1234567890-=", "~!@#$%^&*()_+", 0.0),
    ("qwertyuiop[]\\", "QWERTYUIOP{}|", 1.5),
    ("asdfghjkl;'", 'ASDFGHJKL:"', 1.75),
    ("zxcvbnm,./", "ZXCVBNM<>?", 2.25),
)


class _Key(NamedTuple):
    row: int
    x: float
    shifted: bool


_KEYS: Final = {
    char: _Key(row, offset + column, shifted)
    for row, (plain, shift, offset) in enumerate(_KEYBOARD)
    for shifted, layer in ((False, plain), (True, shift))
    for column, char in enumerate(layer)
}


def check_secret_key(key: str) -> None:
    """Refuse a production key that is short or guessable, saying how to make a good one.

    >>> check_secret_key("abc" * 12)
    Traceback (most recent call last):
    ...
    taperline.errors.InputError: TAPERLINE_SECRET_KEY: too easy to guess (about 8 bits; a key needs 128: no repeats, runs, words, keyboard walks, UUIDs or famous numbers); make one with: python -c "import secrets; print(secrets.token_urlsafe(32))"
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
            f" {MIN_KEY_BITS}: no repeats, runs, words, keyboard walks, UUIDs or famous"
            f" numbers); {MAKE_A_KEY}"
        )


def key_strength_bits(key: str) -> float:
    """A cautious estimate of ``key``'s entropy in bits (see the module docstring).

    >>> key_strength_bits("0123456789abcdef" * 2)
    38.0
    >>> key_strength_bits("f84f53824340889f69208c6f523e8c92")  # token_hex(16)
    128.0
    """
    estimates = [
        _by_characters(key),
        _squeezed(key.encode()),
        _squeezed(_steps(key)),
        _walked(key),
        _as_uuid(key),
        _as_constant(key),
    ]
    period = _period(key)
    if period < len(key):
        estimates.append(key_strength_bits(key[:period]))
    return min(estimates)


def _squeezed(data: bytes) -> float:
    """Bits zlib needs for ``data``, beyond what it needs for nothing."""
    return 8.0 * (len(zlib.compress(data, 9)) - len(zlib.compress(b"", 9)))


def _steps(key: str) -> bytes:
    return bytes((ord(b) - ord(a)) % 256 for a, b in itertools.pairwise(key))


def _period(key: str) -> int:
    """The shortest block that ``key`` repeats at least twice (``len(key)`` when none).

    >>> _period("abcabcab"), _period("abcd"), _period("aXa")
    (3, 4, 3)
    """
    border = [0] * len(key)  # the longest proper prefix of key[: i + 1] that ends it
    for i in range(1, len(key)):
        k = border[i - 1]
        while k and key[i] != key[k]:
            k = border[k - 1]
        border[i] = k + (key[i] == key[k])
    period = len(key) - (border[-1] if key else 0)
    return period if 2 * period <= len(key) else len(key)


def _as_uuid(key: str) -> float:
    found = _UUID.fullmatch(key)
    return _UUID_BITS.get(found.group(1), _UUID_MAX_BITS) if found else math.inf


@functools.cache
def _constants() -> tuple[str, ...]:
    """The first :data:`CONSTANT_DIGITS` digits of pi, e, phi, sqrt(2) and sqrt(3).

    >>> [c[:6] for c in _constants()]
    ['314159', '271828', '161803', '141421', '173205']
    """
    one = 10 ** (CONSTANT_DIGITS + 10)

    def arctan_inverse(x: int) -> int:  # arctan(1/x) * one
        total, term, n, sign = 0, one // x, 1, 1
        while term:
            total += sign * (term // n)
            term, n, sign = term // (x * x), n + 2, -sign
        return total

    pi = 16 * arctan_inverse(5) - 4 * arctan_inverse(239)  # Machin's formula
    e, term, n = 0, one, 1
    while term:
        e, term, n = e + term, term // n, n + 1
    phi = (one + math.isqrt(5 * one * one)) // 2
    roots = (math.isqrt(k * one * one) for k in (2, 3))
    return tuple(str(value)[:CONSTANT_DIGITS] for value in (pi, e, phi, *roots))


def _as_constant(key: str) -> float:
    digits = key.replace(".", "", 1)
    if not (digits.isascii() and digits.isdigit()):
        return math.inf
    if any(digits in constant for constant in _constants()):
        return math.log2(len(_constants()) * CONSTANT_DIGITS)
    return math.inf


def _walked(key: str) -> float:
    """Bits of ``key`` as a keyboard walk, if two thirds of its steps are keyboard steps."""
    jump = math.log2(_alphabet(key))
    bits, on_keys, direction = jump, 0, None
    for before, after in itertools.pairwise(_KEYS.get(c) for c in key):
        move = _move(before, after)
        if move is None or before is None or after is None:
            bits, direction = bits + jump, None
            continue
        on_keys += 1
        bits += WALK_ON_BITS if move == direction else WALK_TURN_BITS
        bits += before.shifted != after.shifted
        direction = move
    return bits if 3 * on_keys >= 2 * (len(key) - 1) else math.inf


def _move(before: _Key | None, after: _Key | None) -> tuple[int, int] | None:
    """The direction from one key to the same or a neighbouring one (``None``: neither)."""
    if before is None or after is None:
        return None
    rows, across = after.row - before.row, after.x - before.x
    neighbours = abs(across) <= 1 if rows == 0 else abs(rows) == 1 and abs(across) < 1
    return (rows, (across > 0) - (across < 0)) if neighbours else None


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
    """Whether the key is mostly letters, written as words are (hex is not text).

    Lower case is text. With capitals the key must be words apart (split by what is not a
    letter or digit, none mixing letters and digits), each in Title or lower case (or all
    in capitals, more than one), as rich in vowels as words are. A random key of mixed case
    mixes digits into its runs of letters and capitals inside them: ``token_urlsafe(24)``
    passes about once in 10^11.

    >>> [_is_text(k) for k in ("my-secret-key", "My-Secret-Key", "MY-SECRET-KEY", "My secret")]
    [True, True, True, True]
    >>> [_is_text(k) for k in ("MYSECRETKEY", "Mq-Hwrt-Kxz", "mY-sEcrEt-kEy", "My7Secret")]
    [False, False, False, False]
    """
    letters = sum(c.isalpha() for c in key)
    if 2 * letters < len(key) or _is_hex(key):
        return False
    if not any(c.isupper() for c in key):
        return True
    words = [word for word in _ALPHANUMERIC_RUN.findall(key) if not word.isdigit()]
    if not all(word.isalpha() for word in words):
        return False
    if any(c.islower() for c in key):
        cased = all(word.istitle() or word.islower() for word in words)
    else:  # capitals only: more than one word (base32 is one run of capitals and digits)
        cased = len(words) > 1
    vowels = sum(c in _VOWELS for c in key.casefold())
    return cased and vowels >= TEXT_VOWELS * letters


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
