"""Read the drug catalogue from TOML: the packaged ``data/drugs.toml`` or a clinician's own file.

The reading lives here (an adapter); validation lives in :mod:`taperline.core.catalogue`.

>>> load_catalogue().get("Klonopin").label
'clonazePAM'
"""

from __future__ import annotations

import functools
import os
import tomllib
from importlib import resources
from pathlib import Path

from taperline.core.catalogue import Catalogue, parse_catalogue
from taperline.errors import CatalogueError

__all__ = ["load_catalogue", "load_catalogue_from", "parse_catalogue_text"]

_PACKAGED = "drugs.toml"


def parse_catalogue_text(text: str, *, origin: str) -> Catalogue:
    """Parse and validate catalogue TOML text; ``origin`` names the file in errors.

    >>> parse_catalogue_text("schema_version = [", origin="mine.toml")
    Traceback (most recent call last):
    ...
    taperline.errors.CatalogueError: mine.toml: not valid TOML: Invalid value (at end of document)
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CatalogueError(f"{origin}: not valid TOML: {exc}") from exc
    return parse_catalogue(data, origin=origin)


@functools.cache
def load_catalogue() -> Catalogue:
    """The packaged catalogue, read and validated once per process."""
    resource = resources.files("taperline").joinpath("data", _PACKAGED)
    return parse_catalogue_text(resource.read_text(encoding="utf-8"), origin=_PACKAGED)


def load_catalogue_from(path: str | os.PathLike[str]) -> Catalogue:
    """A catalogue from a file of the same format (for example a clinician's reviewed copy).

    Raises:
        CatalogueError: the file cannot be read or is invalid; the message names the file.
    """
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogueError(f"{file}: cannot read the catalogue: {exc}") from exc
    return parse_catalogue_text(text, origin=str(file))
