"""The kept lessons (taperline.lessons_parsed) are what the catalogue and code give (issue 19).

``taperline learn`` prints the package's kept lesson of a drug when the copy was made from the
packaged catalogue's text (:func:`taperline.catalogue_data.kept_lesson`), so a lesson needs
neither the catalogue's model nor the lesson's code. These tests check the copy is current
(regenerate it with ``python -m taperline.catalogue_data`` after editing data/drugs.toml or
taperline.core.check's lessons), that it finds a drug by every name the catalogue does, and that
the command prints the same with and without it (text and JSON), and reads an edited catalogue.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import taperline
from taperline import catalogue_data, lessons_parsed
from taperline.catalogue_data import kept_lesson, lessons_copy, load_catalogue
from taperline.cli import learn as learn_command
from taperline.cli.main import cli
from taperline.core.check import learn
from taperline.core.check.documents import lesson_document

TOML = Path(catalogue_data.__file__).with_name("data") / "drugs.toml"
CATALOGUE = load_catalogue()
#: Every name the catalogue finds a drug by, as typed (its case, and with spaces round it).
NAMES = sorted(
    {name for drug in CATALOGUE.names for name in (drug, *CATALOGUE.get(drug).brand_names)}
)


def test_the_kept_lessons_are_the_current_file_s_and_code_s() -> None:
    kept = Path(lessons_parsed.__file__).read_text(encoding="utf-8")
    expected = lessons_copy(TOML.read_text(encoding="utf-8"))
    assert kept == expected, "run `python -m taperline.catalogue_data` to regenerate it"


@pytest.mark.parametrize("name", NAMES)
def test_a_kept_lesson_is_the_one_the_catalogue_gives(name: str) -> None:
    made = lesson_document(learn(CATALOGUE.get(name)))
    for typed in (name, name.upper(), f"  {name.lower()} "):
        assert kept_lesson(typed) == made, typed


def test_every_drug_has_its_lesson_kept() -> None:
    assert set(lessons_parsed.LESSONS) == set(CATALOGUE.names)
    assert CATALOGUE.name_index() == lessons_parsed.NAMES


@pytest.mark.parametrize("name", ["klonopinn", "", "clonazepam 1 mg", "ZZZ"])
def test_a_name_the_catalogue_does_not_know_is_not_kept(name: str) -> None:
    assert kept_lesson(name) is None


def test_an_unknown_name_still_gets_the_catalogue_s_did_you_mean() -> None:
    result = CliRunner().invoke(cli, ["learn", "klonopinn"])
    assert result.exit_code == 2
    assert "Did you mean 'clonazepam'?" in result.output


def _printed(args: list[str]) -> str:
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize("output_format", ["text", "json"])
@pytest.mark.parametrize("name", ["clonazepam", "Klonopin", "zolpidem", "oxazepam"])
def test_the_command_prints_the_same_with_and_without_the_kept_lesson(
    monkeypatch: pytest.MonkeyPatch, name: str, output_format: str
) -> None:
    args = ["learn", name, "--format", output_format]
    kept = _printed(args)
    monkeypatch.setattr(catalogue_data, "kept_lesson", lambda _name: None)
    assert _printed(args) == kept
    if output_format == "json":
        assert json.loads(kept)["drug"] == CATALOGUE.get(name).name


def test_a_package_without_the_copy_makes_the_lesson(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "taperline.lessons_parsed", None)  # import: ImportError
    monkeypatch.delattr(taperline, "lessons_parsed")  # not found on the package either
    assert kept_lesson("clonazepam") is None
    assert "clonazePAM (Klonopin, Rivotril)" in _printed(["learn", "clonazepam"])


def test_an_edited_catalogue_is_not_read_from_the_kept_lessons(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    text = TOML.read_text(encoding="utf-8")
    edited = text.replace('brand_names = ["Klonopin"', 'brand_names = ["Klonopin", "Edited"', 1)
    assert edited != text
    monkeypatch.setattr(catalogue_data, "_packaged_text", lambda: edited)
    assert kept_lesson("clonazepam") is None  # the stamp is the old text's
    load_catalogue.cache_clear()  # the process's catalogue was read from the old text
    try:
        assert "clonazePAM (Klonopin, Edited, Rivotril)" in _printed(["learn", "Edited"])
    finally:
        load_catalogue.cache_clear()


def test_learn_reads_the_kept_lesson_through_the_command(monkeypatch: pytest.MonkeyPatch) -> None:
    """The command's lesson is the kept one: a kept text changed in memory is what it prints."""
    changed = json.loads(lessons_parsed.LESSONS["clonazepam"])
    changed["drug_class"] = "kept lesson"
    lessons = {**lessons_parsed.LESSONS, "clonazepam": json.dumps(changed)}
    monkeypatch.setattr(lessons_parsed, "LESSONS", lessons)
    assert learn_command._lesson("Klonopin")["drug_class"] == "kept lesson"
    assert ": a kept lesson" in _printed(["learn", "Klonopin"])
