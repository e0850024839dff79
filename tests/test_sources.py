"""Every source id written anywhere in the package has a plain name and a citation.

The ids are found the ways they are written: the id patterns of docs/clinical-basis.md
(``ASAM-2025``, ``LABEL``, ``SEED-AURA``, ...), any run of ids in brackets (``[LABEL, SEED-AURA]``,
``[LABEL: linear kinetics]``) and any ``source`` value (``source = "RXNORM"`` in drugs.toml,
``source="SEED-MINDED; LABEL"``, ``cap_source: str = "ASAM-2025"``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Final

import pytest

import taperline
from taperline.core.catalogue import KNOWN_SOURCES
from taperline.core.sources import SOURCES, cited_ids, source_parts, without_ids

SRC: Final = Path(taperline.__file__).parent
_ID: Final = r"[A-Z]{2,}[A-Z0-9]*(?:-[A-Z0-9]+)*"
_PATTERNS: Final = re.compile(
    r"(?<![\w-])([A-Z][A-Z0-9-]+-\d{4}|LABEL(?:-[A-Z]+)*|ASHTON|NICE-CKS|TDM|SEED-[A-Z]+"
    r"|FDA-[A-Z-]+)(?![\w-])"
)
_BRACKETED: Final = re.compile(rf"\[\s*({_ID}(?:\s*[,;/]\s*{_ID})*)\s*[\]:]")
_SOURCE_VALUE: Final = re.compile(r"source\w*\s*(?::\s*\w+\s*)?=\s*\"([^\"]*)\"")
#: Upper-case words in brackets that are not source ids: cli/check.py's docstring says a line
#: "ends with its [SOURCE]".
NOT_IDS: Final = frozenset({"SOURCE"})


def ids_written_in(text: str) -> set[str]:
    """Every source id ``text`` writes, by any of the three ways above."""
    found = set(_PATTERNS.findall(text))
    for run in _BRACKETED.findall(text):
        found.update(re.split(r"\s*[,;/]\s*", run))
    for value in _SOURCE_VALUE.findall(text):
        found.update(p for p in re.split(r"\s*[,;]\s*", value) if re.fullmatch(_ID, p))
    return found - NOT_IDS


def unnamed(texts: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    """The ids written in ``texts`` ((where, text) pairs) that have no name, with where."""
    missing: dict[str, list[str]] = {}
    for where, text in texts:
        for source_id in ids_written_in(text) - set(SOURCES):
            missing.setdefault(source_id, []).append(where)
    return missing


def _package_texts() -> list[tuple[str, str]]:
    suffixes = {".py", ".toml", ".html", ".md"}
    return [
        (str(path.relative_to(SRC)), path.read_text(encoding="utf-8"))
        for path in sorted(SRC.rglob("*"))
        if path.suffix in suffixes and "__pycache__" not in path.parts
    ]


def test_every_source_id_in_the_package_has_a_name_and_a_citation() -> None:
    texts = _package_texts()
    assert len(texts) > 100
    assert not unnamed(texts), "add these ids to taperline.core.sources.SOURCES"
    written = set().union(*(ids_written_in(text) for _, text in texts))
    assert {"ASAM-2025", "LABEL", "SEED-AURA", "RXNORM", "FDA-DDI-TABLE"} <= written


@pytest.mark.parametrize(
    "text",
    [
        "a rule [NEW-2030]",
        "at most 4 mg [LABEL, NEW-GUIDE]",
        "the label says so [NEWSOURCE: section 2]",
        'source = "PHARMACOPEIA"',
        'source="SEED-MINDED; SEED-FORUM"',
        '    cap_source: str = "BRAND-NEW"',
        "text citing LABEL-FLURAZEPAM inline",
    ],
)
def test_an_id_without_a_name_is_found(text: str) -> None:
    missing = unnamed([("example.py", text)])
    assert len(missing) == 1, missing
    assert next(iter(missing.values())) == ["example.py"]


def test_words_that_are_not_ids_are_not_taken_for_ids() -> None:
    text = "regex [A-Z] and [123I]iomazenil, PHQ-9 and GAD-7, a line ends with its [SOURCE]"
    assert not unnamed([("example.py", text)])


def test_every_source_has_a_plain_name_and_a_citation() -> None:
    names = [s.name for s in SOURCES.values()]
    assert len(set(names)) == len(names), "two sources share a name"
    for source_id, source in SOURCES.items():
        assert source.id == source_id
        assert source.name, source_id
        assert source.citation, source_id
        # A patient's name holds no id, neither its own nor another's.
        assert not cited_ids(source.name), source.name
        assert not cited_ids(source.citation), source.citation


def test_the_catalogue_accepts_exactly_the_named_sources() -> None:
    assert frozenset(SOURCES) == KNOWN_SOURCES


def test_a_source_field_in_its_parts() -> None:
    parts = source_parts("LABEL; SEED-AURA, taperline")
    assert [(text, s.id if s else None) for text, s in parts] == [
        ("LABEL", "LABEL"),
        ("SEED-AURA", "SEED-AURA"),
        ("taperline", None),
    ]
    assert [s.id for _, s in source_parts("[ASAM-2025]") if s] == ["ASAM-2025"]
    assert source_parts("") == ()


@pytest.mark.parametrize(
    ("text", "plain"),
    [
        ("At most 4 mg a day [LABEL, SEED-AURA].", "At most 4 mg a day."),
        (
            "Ask first [ASAM-2025; SEED-MINDED]; never stop at once.",
            "Ask first; never stop at once.",
        ),
        ("half-lives [LAI-1978 / KAPLAN-1980]", "half-lives"),
        ("diazepam 5 mg by ASHTON", "diazepam 5 mg by the Ashton Manual"),
        (
            "[LABEL: linear kinetics] stays",
            "[the US prescribing information (Klonopin label): linear kinetics] stays",
        ),
        ("RELABEL and LABELS are words", "RELABEL and LABELS are words"),
        ("a [note] in brackets", "a [note] in brackets"),
    ],
)
def test_a_message_without_ids(text: str, plain: str) -> None:
    assert without_ids(text) == plain
    assert not cited_ids(without_ids(text))
