"""The kept parse of data/drugs.toml (taperline.catalogue_parsed) is the current file's (issue 19).

:func:`taperline.catalogue_data.load_catalogue` uses the JSON copy only when its stamp is the
SHA-256 of the TOML text it has just read; these tests check that the copy in the package is
current (regenerate it with ``python -m taperline.catalogue_data`` after editing the TOML),
that it is exactly what tomllib gives, and that an edited file is read as TOML.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from taperline import catalogue_data, catalogue_parsed
from taperline.catalogue_data import load_catalogue, parse_catalogue_text, parsed_copy
from taperline.errors import CatalogueError

TOML = Path(catalogue_data.__file__).with_name("data") / "drugs.toml"


def test_the_kept_copy_is_the_current_file_s() -> None:
    text = TOML.read_text(encoding="utf-8")
    kept = Path(catalogue_parsed.__file__).read_text(encoding="utf-8")
    assert kept == parsed_copy(text), "run `python -m taperline.catalogue_data` to regenerate it"


def test_the_copy_is_exactly_what_tomllib_reads() -> None:
    data = json.loads(catalogue_parsed.JSON)
    expected = tomllib.loads(TOML.read_text(encoding="utf-8"))
    assert repr(data) == repr(expected)  # the same values of the same types, in the same order


def test_the_packaged_catalogue_is_the_one_parsed_from_the_toml() -> None:
    text = TOML.read_text(encoding="utf-8")
    assert load_catalogue() == parse_catalogue_text(text, origin="drugs.toml")


def test_an_edited_file_is_read_as_toml(monkeypatch: pytest.MonkeyPatch) -> None:
    text = TOML.read_text(encoding="utf-8")
    edited = text.replace('brand_names = ["Klonopin"', 'brand_names = ["Klonopin", "Edited"', 1)
    assert edited != text
    monkeypatch.setattr(catalogue_data, "_packaged_text", lambda: edited)
    catalogue = catalogue_data.load_catalogue.__wrapped__()  # not the process's cached one
    assert catalogue.get("Edited").name == "clonazepam"


def test_a_copy_of_another_text_is_not_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(catalogue_parsed, "JSON", '{"schema_version": 2}')
    text = TOML.read_text(encoding="utf-8")
    monkeypatch.setattr(catalogue_parsed, "TOML_SHA256", "0" * 64)
    assert catalogue_data.load_catalogue.__wrapped__() == load_catalogue()
    monkeypatch.setattr(catalogue_parsed, "TOML_SHA256", catalogue_data._stamp(text))
    with pytest.raises(CatalogueError, match="schema_version must be 1"):  # the stamped copy
        catalogue_data.load_catalogue.__wrapped__()
