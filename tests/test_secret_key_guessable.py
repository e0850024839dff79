"""Guessable production keys that a naive entropy estimate would take.

Each key below has far less than the 128 bits :data:`MIN_KEY_BITS` asks for; production
refuses it and says how to make a good key.
"""

from __future__ import annotations

import secrets
import uuid

import pytest

from taperline.errors import InputError
from taperline.web.secret_key import MAKE_A_KEY, MIN_KEY_BITS, key_strength_bits
from taperline.web.settings import Settings


def _refusal(key: str) -> str | None:
    """The production refusal of ``key`` (``None`` when it is taken)."""
    try:
        Settings(
            database_url="sqlite://",
            environment="production",
            secret_key=key,
            secure_cookies=True,
        )
    except InputError as error:
        return str(error)
    return None


# (name, key, why it is guessable)
GUESSABLE = [
    (
        "title-case-words",
        "Purple-Elephant-Dancing-Quietly-Under-Moonlight",
        "about 6 words of a dictionary: ~70 bits; Title Case words are text too",
    ),
    (
        "title-case-sentence",
        "The Quick Brown Fox Jumps Over The Lazy Dog Near The River Bank",
        "a famous pangram with a tail: a handful of bits",
    ),
    (
        "capital-words",
        "PURPLE-ELEPHANT-DANCING-QUIETLY-UNDER-MOONLIGHT",
        "the same words in capitals",
    ),
    (
        "short-token-typed-twice",
        secrets.token_hex(8) * 2,
        "token_hex(8) pasted twice to pass the 32-character minimum: 64 bits",
    ),
    (
        "short-urlsafe-token-typed-twice",
        secrets.token_urlsafe(12) * 2,
        "token_urlsafe(12) pasted twice: 96 bits (zlib counts ~8 bits per base64 literal)",
    ),
    (
        "uuid1",
        str(uuid.uuid1()),
        "a time-based UUID: the clock and the MAC address, guessable to a few dozen bits",
    ),
    (
        "uuid4",
        str(uuid.uuid4()),
        "a random UUID: 122 random bits, fewer than 128",
    ),
    (
        "digits-of-pi",
        "31415926535897932384626433832795028841971693993751",
        "the first 50 digits of pi: 0 bits",
    ),
    (
        "digits-of-e-with-a-point",
        "2.718281828459045235360287471352662497757247093699",
        "e: 0 bits",
    ),
    (
        "shifted-keyboard-walk",
        "!QAZ@WSX#EDC$RFV%TGB^YHN&UJM*IK<",
        "a keyboard column walk with shift: on every cracking list",
    ),
    (
        "keyboard-walk",
        "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik,",
        "the same walk without shift",
    ),
]


@pytest.mark.parametrize(("name", "key", "why"), GUESSABLE, ids=[g[0] for g in GUESSABLE])
def test_a_guessable_key_is_refused_in_production(name: str, key: str, why: str) -> None:
    refusal = _refusal(key)
    assert refusal is not None, (
        f"production accepted the guessable secret key {name} ({key!r}): {why}; estimated"
        f" {key_strength_bits(key):.0f} bits against the required {MIN_KEY_BITS}"
    )
    assert refusal.startswith("TAPERLINE_SECRET_KEY: too easy to guess")
    assert MAKE_A_KEY in refusal
