"""The packaged catalogue checks each drug when first read, and every drug is checked here.

:func:`taperline.catalogue_data.load_catalogue` parses with ``on_use=True``
(:class:`~taperline.core.catalogue.lookup.DrugsOnUse`): a command reads one drug or two, and
checking the others was about half of reading the catalogue (issue 19, section 1). The shipped
data is still never trusted unchecked: the first test checks the whole packaged file at once,
as a clinician's own file is, and the drugs read on use are the same; a problem in a drug's
rows is the same error, raised when that drug is read.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from taperline import catalogue_data
from taperline.catalogue_data import load_catalogue
from taperline.core.catalogue import Catalogue, parse_catalogue
from taperline.core.catalogue.lookup import DrugsOnUse
from taperline.errors import CatalogueError, UnknownDrugError
from tests.support.catalogue_corruptions import CORRUPTIONS, Mutation


@pytest.fixture(scope="module")
def packaged() -> dict[str, Any]:
    """The mapping load_catalogue validates: the kept parse of the packaged drugs.toml."""
    return catalogue_data._packaged_data(catalogue_data._packaged_text())


def _read_all(catalogue: Catalogue) -> None:
    for name in catalogue.names:
        catalogue.drugs[name]


def test_the_whole_packaged_catalogue_is_checked_and_read_on_use_gives_the_same(
    packaged: dict[str, Any],
) -> None:
    every = parse_catalogue(packaged)  # every drug checked now, as load_catalogue_from does
    on_use = load_catalogue()
    assert isinstance(on_use.drugs, DrugsOnUse)
    assert on_use.names == every.names
    for name in every.names:
        assert on_use.drugs[name] == every.drugs[name], name
    assert on_use == every
    assert on_use.classes == every.classes
    assert on_use.withdrawal_risk_bands == every.withdrawal_risk_bands


def test_a_drug_is_made_when_first_read_and_kept(packaged: dict[str, Any]) -> None:
    catalogue = parse_catalogue(packaged, on_use=True)
    drugs = catalogue.drugs
    assert isinstance(drugs, DrugsOnUse)
    assert "made []" in repr(drugs)
    assert catalogue.get("Klonopin") is catalogue.get("clonazepam")  # by brand, no other made
    assert repr(drugs).endswith("made ['clonazepam'])")
    with pytest.raises(UnknownDrugError, match="Did you mean 'clonazepam'"):
        catalogue.get("clonazepan")
    with pytest.raises(KeyError):
        drugs["klonopin"]  # the mapping is by name, as before
    assert repr(drugs).endswith("made ['clonazepam'])")


@pytest.mark.parametrize(
    ("mutate", "message"),
    [pytest.param(m, msg, id=name) for name, m, msg in CORRUPTIONS],
)
def test_a_problem_is_the_same_error_when_checked_on_use(
    packaged: dict[str, Any], mutate: Mutation, message: str
) -> None:
    data = copy.deepcopy(packaged)
    mutate(data)
    with pytest.raises(CatalogueError, match=r"^drugs\.toml: .*" + message):
        parse_catalogue(data)
    with pytest.raises(CatalogueError, match=r"^drugs\.toml: .*" + message):
        _read_all(parse_catalogue(data, on_use=True))


def test_a_drug_s_problem_waits_for_the_drug_names_do_not(packaged: dict[str, Any]) -> None:
    data = copy.deepcopy(packaged)
    diazepam = next(d for d in data["drugs"] if d["name"] == "diazepam")
    diazepam["half_life_h"]["low"] = -1.0
    catalogue = parse_catalogue(data, on_use=True)
    assert catalogue.get("clonazepam").name == "clonazepam"
    with pytest.raises(CatalogueError, match=r"drug 'diazepam', half_life_h: low -1.0"):
        catalogue.get("Valium")
    diazepam["brand_names"] = ["Klonopin"]
    with pytest.raises(CatalogueError, match="name 'Klonopin' is already used by drug"):
        parse_catalogue(data, on_use=True)
