"""Read the drug catalogue from TOML: the packaged ``data/drugs.toml`` or a clinician's own file.

The reading lives here (an adapter); validation lives in :mod:`taperline.core.catalogue`.

``data/drugs.toml`` is the catalogue, the file clinicians review. Parsing its TOML took most
of the time of reading it (tomllib is pure Python), so the package also holds that parse as
JSON (:mod:`taperline.catalogue_parsed`, written by ``python -m taperline.catalogue_data``),
stamped with the SHA-256 of the TOML text it came from. :func:`load_catalogue` reads the TOML
file, and uses the copy only when the stamp is that of the text just read; otherwise (an edited
file, no copy) it parses the TOML. Either way the same mapping is validated by the core:
each drug in full when a command first reads it (``parse_catalogue(..., on_use=True)``; a
command reads one or two of them), the rest at once. ``tests/test_catalogue.py`` checks every
drug of the packaged file.
``tests/test_catalogue_parsed.py`` fails when the copy is not the current file's.

``taperline learn`` reads the catalogue on every call, so this module imports neither
:mod:`pathlib` nor :mod:`hashlib` (OpenSSL's library is loaded by the latter) for that: the
file is found with :mod:`os.path`, and its SHA-256 is taken by CPython's own
(:mod:`taperline.digest`: the same digest; :mod:`hashlib` otherwise).

``taperline learn`` shows one drug's lesson, the same for the same catalogue text: the package
keeps each drug's lesson too (:mod:`taperline.lessons_parsed`, written by the same command,
stamped alike), and :func:`kept_lesson` gives it without reading the catalogue into its model
at all (the model's import and a drug's validation were a third of what a lesson cost).
``tests/test_lessons_parsed.py`` fails when the kept lessons are not what the catalogue and
the lesson code give now.

>>> load_catalogue().get("Klonopin").label
'clonazePAM'
>>> kept_lesson(" KLONOPIN ")["drug_label"]
'clonazePAM'
"""

from __future__ import annotations

import functools
import json
import os
import sys
from typing import TYPE_CHECKING, Any, cast

from taperline.digest import sha256 as _sha256
from taperline.errors import CatalogueError

if TYPE_CHECKING:  # the model is imported where a catalogue is made, not for a kept lesson
    from taperline.core.catalogue import Catalogue
    from taperline.core.check.documents import LessonOut

__all__ = ["kept_lesson", "load_catalogue", "load_catalogue_from", "parse_catalogue_text"]

_PACKAGED = "drugs.toml"
_HERE = os.path.dirname(os.path.abspath(__file__))  # noqa: PTH100, PTH120 -- no pathlib: see above
_COPY = os.path.join(_HERE, "catalogue_parsed.py")  # noqa: PTH118 -- no pathlib: see above
_LESSONS = os.path.join(_HERE, "lessons_parsed.py")  # noqa: PTH118 -- no pathlib: see above


def parse_catalogue_text(text: str, *, origin: str) -> Catalogue:
    """Parse and validate catalogue TOML text; ``origin`` names the file in errors.

    >>> parse_catalogue_text("schema_version = [", origin="mine.toml")
    Traceback (most recent call last):
    ...
    taperline.errors.CatalogueError: mine.toml: not valid TOML: Invalid value (at end of document)
    """
    from taperline.core.catalogue import parse_catalogue

    return parse_catalogue(_toml(text, origin=origin), origin=origin)


def _toml(text: str, *, origin: str) -> dict[str, Any]:
    import tomllib  # only when there is TOML to parse: the packaged file's parse is kept

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CatalogueError(f"{origin}: not valid TOML: {exc}") from exc


def _stamp(text: str) -> str:
    digest: str = _sha256(text.encode("utf-8")).hexdigest()
    return digest


def _packaged_text() -> str:
    """The packaged ``data/drugs.toml`` (through importlib.resources only when not a file)."""
    beside = os.path.join(_HERE, "data", _PACKAGED)  # noqa: PTH118 -- no pathlib: see above
    if os.path.isfile(beside):  # noqa: PTH113 -- no pathlib: see above
        with open(beside, encoding="utf-8") as file:  # noqa: PTH123 -- no pathlib: see above
            return file.read()
    from importlib import resources

    return resources.files("taperline").joinpath("data", _PACKAGED).read_text(encoding="utf-8")


def _packaged_data(text: str) -> dict[str, Any]:
    """The parse of the packaged ``text``: the kept copy when it was made from this text."""
    try:
        from taperline import catalogue_parsed
    except ImportError:  # a package without the copy: parse the TOML
        return _toml(text, origin=_PACKAGED)
    if _stamp(text) != catalogue_parsed.TOML_SHA256:  # the file changed since the copy was made
        return _toml(text, origin=_PACKAGED)
    data: dict[str, Any] = json.loads(catalogue_parsed.JSON)
    return data


@functools.cache
def load_catalogue() -> Catalogue:
    """The packaged catalogue, read once per process; each drug checked when first read."""
    from taperline.core.catalogue import parse_catalogue

    text = _packaged_text()
    return parse_catalogue(_packaged_data(text), origin=_PACKAGED, on_use=True)


def kept_lesson(name: str) -> LessonOut | None:
    """The lesson of the packaged catalogue's drug ``name`` (or brand name, any case), as kept.

    What ``lesson_document(learn(load_catalogue().get(name)))`` gives, read from
    :mod:`taperline.lessons_parsed` when its stamp is that of the packaged file's text. None
    when there is no such copy, the file changed since it was made, or the name is not one
    the catalogue knows (its own lookup says so, with a did-you-mean).
    """
    try:
        from taperline import lessons_parsed
    except ImportError:  # a package without the copy
        return None
    drug = lessons_parsed.NAMES.get(name.strip().casefold())  # as Catalogue.get looks it up
    if drug is None or _stamp(_packaged_text()) != lessons_parsed.TOML_SHA256:
        return None
    return cast("LessonOut", json.loads(lessons_parsed.LESSONS[drug]))


def load_catalogue_from(path: str | os.PathLike[str]) -> Catalogue:
    """A catalogue from a file of the same format (for example a clinician's reviewed copy).

    Raises:
        CatalogueError: the file cannot be read or is invalid; the message names the file.
    """
    from pathlib import Path

    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogueError(f"{file}: cannot read the catalogue: {exc}") from exc
    return parse_catalogue_text(text, origin=str(file))


def parsed_copy(text: str) -> str:
    """The source of :mod:`taperline.catalogue_parsed` for the catalogue TOML ``text``.

    The JSON of the parse, one key or item a line, in a raw string (JSON never holds three
    double quotes in a row, and a raw string keeps its backslashes for ``json.loads``).
    """
    body = json.dumps(_toml(text, origin=_PACKAGED), ensure_ascii=False, indent=0)
    if '"""' in body or body.endswith("\\"):  # pragma: no cover -- not valid JSON text
        raise CatalogueError("the catalogue's JSON cannot be kept in a raw string")
    return (
        '"""The parse of data/drugs.toml as JSON, for taperline.catalogue_data (generated).\n\n'
        "Do not edit: change data/drugs.toml, then run ``python -m taperline.catalogue_data``.\n"
        '"""\n\n'
        "# ruff: noqa: E501 -- generated: a JSON line holds a whole catalogue text\n\n"
        "from typing import Final\n\n"
        "#: The SHA-256 of the UTF-8 text of data/drugs.toml that :data:`JSON` is the parse of.\n"
        f'TOML_SHA256: Final = "{_stamp(text)}"\n'
        f'JSON: Final = r"""{body}\n"""\n'
    )


def lessons_copy(text: str) -> str:
    """The source of :mod:`taperline.lessons_parsed` for the catalogue TOML ``text``.

    Each drug's lesson as the JSON ``taperline learn --format json`` prints (one raw string a
    drug, read only when asked for), and the names :meth:`Catalogue.get` finds each drug by.
    """
    from taperline.core.check import learn
    from taperline.core.check.documents import lesson_document

    catalogue = parse_catalogue_text(text, origin=_PACKAGED)
    lessons = {}
    for name in catalogue.names:
        body = json.dumps(lesson_document(learn(catalogue.get(name))), ensure_ascii=False)
        if '"""' in body or body.endswith("\\"):  # pragma: no cover -- not valid JSON text
            raise CatalogueError(f"the lesson of {name} cannot be kept in a raw string")
        lessons[name] = body
    names = "".join(
        f"    {json.dumps(key, ensure_ascii=False)}: {json.dumps(name, ensure_ascii=False)},\n"
        for key, name in sorted(catalogue.name_index().items())
    )
    kept = "".join(
        f'    {json.dumps(name, ensure_ascii=False)}: r"""{body}""",\n'
        for name, body in lessons.items()
    )
    return (
        '"""The lessons of ``taperline learn`` for data/drugs.toml (generated).\n\n'
        "Do not edit: change data/drugs.toml or the lessons' code (taperline.core.check), then"
        " run\n``python -m taperline.catalogue_data``.\n"
        '"""\n\n'
        "# ruff: noqa: E501 -- generated: a lesson's JSON is one line\n\n"
        "from typing import Final\n\n"
        "#: The SHA-256 of the UTF-8 text of data/drugs.toml these lessons were made from.\n"
        f'TOML_SHA256: Final = "{_stamp(text)}"\n'
        "#: A drug's name or brand name, case-folded -> the drug's name (Catalogue.get's).\n"
        f"NAMES: Final[dict[str, str]] = {{\n{names}}}\n"
        "#: A drug's name -> its lesson, the JSON of lesson_document(learn(drug)).\n"
        f"LESSONS: Final[dict[str, str]] = {{\n{kept}}}\n"
    )


def _write_parsed_copy() -> None:
    """Write the kept parse and lessons (:mod:`taperline.catalogue_parsed`, ``lessons_parsed``)."""
    text = _packaged_text()
    for path, source in ((_COPY, parsed_copy(text)), (_LESSONS, lessons_copy(text))):
        with open(path, "w", encoding="utf-8") as file:  # noqa: PTH123 -- no pathlib: see above
            file.write(source)
        print(f"wrote {path}", file=sys.stderr)


if __name__ == "__main__":  # python -m taperline.catalogue_data
    _write_parsed_copy()
