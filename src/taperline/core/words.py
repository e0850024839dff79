"""Words as people type them: normalised tokens and phrase matching.

The catalogue and :mod:`taperline.core.screening` recognise medicines, drinks, conditions and
crisis words with these rules, so that spelling variants never decide what is recognised:

* Text is lower-cased (ASCII letters only: what SQL ``lower()`` does everywhere, so a database
  pre-filter and this module agree) and cut into **tokens**: runs of ASCII letters and digits.
  Everything else separates tokens: spaces, punctuation, ``#``, ``/``, hyphens, apostrophes and
  non-ASCII characters. So ``"Percocet 5/325"`` is ``percocet 5 325``, ``"Tylenol #3"`` is
  ``tylenol 3``, ``"self-harm"`` is ``self harm`` and ``"don't"`` is ``don t``.
* Text that is not all ASCII is **folded** first, character by character: invisible format
  characters (a soft hyphen pasted from a web page) are dropped, except the zero-width space,
  a word break; a letter drawn otherwise (full-width, a "bold" maths letter, a ligature) is
  its plain letter, and an accent is dropped from a Latin letter (``é`` is ``e``; Turkish
  dotted and dotless capitals and small letters are ``i``); superscripts, fractions and
  symbols such as ``™`` stay separators. A token's position is still its place in the text as
  typed. (A database pre-filter cannot fold: it lets every non-ASCII text through, see
  :mod:`taperline.adapters.storage.flags`.)
* A **phrase** (a name, itself cut into tokens) matches a run of consecutive tokens, never part
  of a token: ``fit`` is not in ``benefit``. A typed token also matches a phrase token of three
  or more characters followed by ``s`` or ``es`` (plurals: ``beers``, ``seizures``, ``opioids``).
* :meth:`PhraseIndex.find` keeps the longest matches: a shorter match that overlaps a longer one
  is dropped (``sleep apnea`` hides ``sleep``; ``seizure disorder`` hides ``seizure``), and every
  target of the same span is kept.

>>> tokens("Percocet 5/325, Tylenol #3 and BEERS")
('percocet', '5', '325', 'tylenol', '3', 'and', 'beers')
>>> index = PhraseIndex([("beer", "alcohol"), ("sleep", "sleep"), ("sleep apnea", "osa")])
>>> [(m.text, m.targets) for m in index.find("Two beers; sleep-apnea")]
[('beers', ('alcohol',)), ('sleep-apnea', ('osa',))]
>>> contains("a benefit", "fit"), contains("had a fit", "fit")
(False, True)
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final, Generic, TypeVar

__all__ = [
    "BREAKS",
    "Match",
    "PhraseIndex",
    "Token",
    "ascii_lower",
    "contains",
    "phrase_key",
    "spans",
    "token_matches",
    "tokens",
]

_T = TypeVar("_T")
_TOKEN_RE: Final = re.compile(r"[a-z0-9]+")
_ASCII_LOWER: Final = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_PLURAL_MIN: Final = 3  # "as" is not the plural of "a"; plurals only for tokens of 3+ characters
_PLURAL_SUFFIXES: Final = ("es", "s")


@dataclass(frozen=True, slots=True)
class Token:
    """One token and where it is in the text (``text[start:end]``, lower-cased)."""

    word: str
    start: int
    end: int


def ascii_lower(text: str) -> str:
    """Lower-case ASCII letters only (as SQL ``lower()`` does on every database); same length.

    >>> ascii_lower("ÉPILEPSY Oxy"), ascii_lower("Klonopin")
    ('Épilepsy oxy', 'klonopin')
    """
    if text.isascii():  # then lower() changes A-Z only, and is far quicker than translate
        return text.lower()
    return text.translate(_ASCII_LOWER)


#: Invisible characters that are word breaks (the zero-width space, the invisible separator):
#: every other format character (a soft hyphen, a zero-width joiner) is dropped.
BREAKS: Final = frozenset("\u200b\u2063")
#: The compatibility forms that are the same letter or digit drawn otherwise (full-width,
#: half-width, mathematical "font" letters, ligatures): folded. Superscripts, subscripts,
#: fractions and circled numbers are not: they separate ("Seizure¹" is "seizure", "1").
_SAME_LETTER: Final = ("<wide>", "<narrow>", "<font>", "<compat>")


#: Letters of other alphabets drawn like Latin ones, as "fancy text" apps and pasted text bring
#: them: small capitals and the Cyrillic and Greek look-alikes (a confusable subset of
#: Unicode's list: only letters nearly always drawn the same).
_LOOK_ALIKES: Final = str.maketrans(
    {
        **dict(zip("ᴀʙᴄᴅᴇꜰɢʜɪᴊᴋʟᴍɴᴏᴘǫʀꜱᴛᴜᴠᴡʏᴢ", "abcdefghijklmnopqrstuvwyz", strict=True)),
        **dict(zip("аеорсухіјѕԁһӏԛԝ", "aeopcyxijsdhlqw", strict=True)),  # noqa: RUF001 -- look-alikes, on purpose
        **dict(zip("АВЕКМНОРСТХІЈЅ", "ABEKMHOPCTXIJS", strict=True)),  # noqa: RUF001 -- look-alikes, on purpose
        **dict(zip("οαικνρτυΑΒΕΖΗΙΚΜΝΟΡΤΥΧ", "oaikvptuABEZHIKMNOPTYX", strict=True)),
    }
)


def _fold_char(char: str) -> str:
    """One non-ASCII character as the tokens read it ("" when dropped)."""
    import unicodedata  # only for text that is not ASCII

    alike = char.translate(_LOOK_ALIKES)
    if alike != char:
        return alike
    kind = unicodedata.category(char)
    if kind == "Cf":
        return char if char in BREAKS else ""
    if kind == "Mn":  # a combining accent typed after its letter
        return ""
    if char == "\u0131":  # the dotless small i of Turkish: i
        return "i"
    if kind[0] != "L" and kind != "Nd":
        return char
    if unicodedata.decomposition(char).startswith(_SAME_LETTER):
        char = unicodedata.normalize("NFKC", char)
    bare = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
    return bare if bare.isascii() else char  # "é" is "e", "İ" is "I"; other scripts stay


def _folded(text: str) -> tuple[str, list[int]]:
    """Non-ASCII ``text`` folded (module rules), and where each folded character came from.

    ``places[i]`` is the index in ``text`` of the character that gave folded character ``i``;
    one more entry, ``len(text)``, stands for the end.
    """
    out: list[str] = []
    places: list[int] = []
    for i, char in enumerate(text):
        form = char if char.isascii() else _fold_char(char)
        out.append(form)
        places.extend([i] * len(form))
    places.append(len(text))
    return ascii_lower("".join(out)), places


def spans(text: str) -> tuple[Token, ...]:
    """The tokens of ``text`` with their positions in ``text`` as typed.

    >>> [(t.word, t.start) for t in spans("Self-harm!")]
    [('self', 0), ('harm', 5)]
    >>> [(t.word, t.start, t.end) for t in spans("had a sei\u00adzure")]
    [('had', 0, 3), ('a', 4, 5), ('seizure', 6, 14)]
    """
    if text.isascii():
        return tuple(Token(m.group(), m.start(), m.end()) for m in _TOKEN_RE.finditer(text.lower()))
    folded, places = _folded(text)
    return tuple(
        Token(m.group(), places[m.start()], places[m.end() - 1] + 1)
        for m in _TOKEN_RE.finditer(folded)
    )


def tokens(text: str) -> tuple[str, ...]:
    """The tokens of ``text`` (see the module rules).

    >>> tokens("Oxycodone/Paracetamol (don't)"), tokens("\uff2f\uff58\uff59 e\u00adx")
    (('oxycodone', 'paracetamol', 'don', 't'), ('oxy', 'ex'))
    """
    return tuple(_TOKEN_RE.findall(text.lower() if text.isascii() else _folded(text)[0]))


def phrase_key(text: str) -> str:
    """A name's tokens joined by spaces: its normalised form, for comparing and suggesting.

    >>> phrase_key("Narrow-angle  GLAUCOMA")
    'narrow angle glaucoma'
    """
    return " ".join(tokens(text))


def token_matches(word: str, token: str) -> bool:
    """Whether a typed ``word`` matches a phrase ``token``: equal, or its plural (3+ characters).

    >>> token_matches("beers", "beer"), token_matches("as", "a"), token_matches("beer", "beers")
    (True, False, False)
    """
    if word == token:
        return True
    return len(token) >= _PLURAL_MIN and any(word == token + s for s in _PLURAL_SUFFIXES)


def _run_matches(words: Sequence[str], start: int, phrase: Sequence[str]) -> bool:
    if start + len(phrase) > len(words):
        return False
    return all(token_matches(words[start + i], t) for i, t in enumerate(phrase))


def contains(text: str, phrase: str) -> bool:
    """Whether ``phrase`` occurs in ``text`` as whole tokens (plurals allowed).

    >>> contains("Liver disease (cirrhosis)", "liver disease"), contains("deliver", "liver")
    (True, False)
    """
    words, wanted = tokens(text), tokens(phrase)
    if not wanted:
        return False
    return any(_run_matches(words, i, wanted) for i in range(len(words)))


@dataclass(frozen=True, slots=True)
class Match(Generic[_T]):
    """A matched span: token positions, the text as typed, and every target of that phrase."""

    first: int
    last: int  # one past the last token
    text: str
    targets: tuple[_T, ...]

    @property
    def length(self) -> int:
        """How many tokens the match covers."""
        return self.last - self.first


def _stems(word: str) -> tuple[str, ...]:
    """The phrase tokens a typed word could stand for: itself, or itself without a plural."""
    found = [word]
    for suffix in _PLURAL_SUFFIXES:
        stem = word[: -len(suffix)]
        if word.endswith(suffix) and len(stem) >= _PLURAL_MIN:
            found.append(stem)
    return tuple(found)


class PhraseIndex(Generic[_T]):
    """Phrases (names) and what each stands for; finds the longest non-overlapping matches.

    Built once from ``(phrase, target)`` pairs; a phrase may have several targets (a drug that
    is in two classes), and a target several phrases (a generic name and its brands). Phrases
    without a token (only punctuation) are ignored.
    """

    __slots__ = ("_by_first", "_phrases")

    def __init__(self, entries: Iterable[tuple[str, _T]]) -> None:
        by_phrase: dict[tuple[str, ...], list[_T]] = {}
        for text, target in entries:
            key = tokens(text)
            if key and target not in by_phrase.setdefault(key, []):
                by_phrase[key].append(target)
        self._phrases: dict[tuple[str, ...], tuple[_T, ...]] = {
            key: tuple(targets) for key, targets in by_phrase.items()
        }
        self._by_first: dict[str, list[tuple[str, ...]]] = {}
        for key in self._phrases:
            self._by_first.setdefault(key[0], []).append(key)

    @property
    def phrases(self) -> tuple[str, ...]:
        """Every phrase, normalised (for suggestions)."""
        return tuple(" ".join(key) for key in self._phrases)

    def find(self, text: str) -> tuple[Match[_T], ...]:
        """The longest non-overlapping matches in ``text``, in the order they appear.

        >>> index = PhraseIndex([("seizure", "crisis"), ("seizure disorder", "epilepsy")])
        >>> [m.targets for m in index.find("Seizure disorder; had a seizure")]
        [('epilepsy',), ('crisis',)]
        """
        found = spans(text)
        words = [t.word for t in found]
        candidates: list[tuple[int, int, tuple[str, ...]]] = []
        for i, word in enumerate(words):
            for stem in _stems(word):
                candidates.extend(
                    (i, i + len(key), key)
                    for key in self._by_first.get(stem, ())
                    if _run_matches(words, i, key)
                )
        chosen: dict[tuple[int, int], list[_T]] = {}
        taken: set[int] = set()
        for first, last, key in sorted(candidates, key=lambda c: (c[0] - c[1], c[0])):
            span = (first, last)
            if span not in chosen and taken.intersection(range(first, last)):
                continue
            targets = chosen.setdefault(span, [])
            targets.extend(t for t in self._phrases[key] if t not in targets)
            taken.update(range(first, last))
        return tuple(
            Match(first, last, text[found[first].start : found[last - 1].end], tuple(targets))
            for (first, last), targets in sorted(chosen.items())
        )
