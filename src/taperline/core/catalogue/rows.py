"""Reading one table of drugs.toml: :class:`_Row` and the parsers of its cited fields.

Every error names the file, the row and the field (see
:func:`~taperline.core.catalogue.parse_catalogue`).
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Final, cast

from taperline.core.catalogue.model import _T, KNOWN_SOURCES, DoseBand, Equivalence, Range, Sourced
from taperline.core.quantity import Concentration, Mass, Volume, parse_quantity
from taperline.errors import CatalogueError, QuantityError

_SLUG_RE: Final = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_RXNORM_RE: Final = re.compile(r"^\d{1,10}$")
_MAX_CV: Final = 2.0  # taperline's sanity limit: a CV above 200 % is a typo, not a population


# --- parsing and validation -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Row:
    """One table of the file being validated, with its path for error messages."""

    origin: str
    path: str
    data: Mapping[str, object]

    def fail(self, message: str) -> CatalogueError:
        return CatalogueError(f"{self.origin}: {self.path}: {message}")

    def check_keys(self, required: Iterable[str], optional: Iterable[str] = ()) -> None:
        required, allowed = set(required), set(required) | set(optional)
        if missing := sorted(required - set(self.data)):
            raise self.fail(f"missing required key {missing[0]!r}")
        if unknown := sorted(set(self.data) - allowed):
            import difflib  # only for the did-you-mean of a mistake

            close = difflib.get_close_matches(unknown[0], sorted(allowed), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise self.fail(f"unknown key {unknown[0]!r}{hint}")

    def child(self, key: str, label: str | None = None) -> _Row:
        value = self.data[key]
        if not isinstance(value, Mapping):
            raise self.fail(f"{key} must be a table, got {_kind(value)}")
        return _Row(
            self.origin, f"{self.path}, {label or key}", cast("Mapping[str, object]", value)
        )

    def children(self, key: str) -> tuple[_Row, ...]:
        value = self.data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
            raise self.fail(f"{key} must be a list of tables ([[...{key}]])")
        return tuple(
            _Row(self.origin, f"{self.path}, {key}[{i}]", cast("Mapping[str, object]", v))
            for i, v in enumerate(value)
        )

    def text(self, key: str, default: str | None = None) -> str:
        value = self.data.get(key, default)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(f"{key} must be non-empty text, got {_kind(value)}")
        return value.strip()

    def texts(self, key: str) -> tuple[str, ...]:
        value = self.data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise self.fail(f"{key} must be a list of text")
        return tuple(cast("list[str]", value))

    def flag(self, key: str, *, default: bool = False) -> bool:
        value = self.data.get(key, default)
        if not isinstance(value, bool):
            raise self.fail(f"{key} must be true or false, got {_kind(value)}")
        return value

    def number(self, key: str) -> float:
        value = self.data[key]
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(f"{key} must be a number, got {_kind(value)}")
        if not math.isfinite(value):
            raise self.fail(f"{key} must be a finite number, got {value!r}")
        return float(value)

    def integer(self, key: str, default: int) -> int:
        value = self.data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(f"{key} must be a whole number, got {_kind(value)}")
        return value

    def source(self, key: str = "source") -> str:
        source = self.text(key)
        if source not in KNOWN_SOURCES:
            import difflib  # only for the did-you-mean of a mistake

            close = difflib.get_close_matches(source, sorted(KNOWN_SOURCES), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise self.fail(
                f"{key} {source!r} is not a known source id{hint}; add it to clinical-basis.md "
                "and KNOWN_SOURCES first"
            )
        return source

    def quantity(self, key: str) -> Mass | Volume | Concentration:
        value = self.data[key]
        if not isinstance(value, str):
            raise self.fail(f"{key} must be text with a unit, such as '0.5 mg', got {_kind(value)}")
        try:
            return parse_quantity(value)
        except QuantityError as exc:
            raise self.fail(f"{key}: {exc}") from exc

    def mass(self, key: str) -> Mass:
        value = self.quantity(key)
        if not isinstance(value, Mass):
            raise self.fail(f"{key} {self.data[key]!r} must be a mass such as '0.5 mg'")
        if key.endswith("_mg") and value.unit != "mg":
            raise self.fail(
                f"{key} is in mg (the key says so) but the value {self.data[key]!r} is in "
                f"{value.unit}; write it in mg"
            )
        return value


def _kind(value: object) -> str:
    return "nothing" if value is None else f"{type(value).__name__} {value!r}"


_CITE_KEYS: Final = ("note", "assumption")


def _sourced_number(row: _Row, key: str, check: Callable[[float], str | None]) -> Sourced[float]:
    cell = row.child(key)
    cell.check_keys(["value", "source"], _CITE_KEYS)
    value = cell.number("value")
    if (problem := check(value)) is not None:
        raise cell.fail(f"value {value!r} {problem}")
    return Sourced(value, cell.source(), _note(cell), cell.flag("assumption"))


def _positive(value: float) -> str | None:
    return None if value > 0 else "must be above zero"


def _fraction(value: float) -> str | None:
    return None if 0 < value <= 1 else "must be above 0 and at most 1"


def _cv(value: float) -> str | None:
    return None if 0 <= value <= _MAX_CV else f"must be between 0 and {_MAX_CV} (a fraction)"


def _optional(row: _Row, key: str, parse: Callable[[_Row, str], _T]) -> _T | None:
    return parse(row, key) if key in row.data else None


def _note(row: _Row) -> str:
    return row.text("note") if "note" in row.data else ""


def _parse_range(row: _Row, key: str) -> Range:
    cell = row.child(key)
    cell.check_keys(["typical", "low", "high", "source"], _CITE_KEYS)
    typical, low, high = cell.number("typical"), cell.number("low"), cell.number("high")
    if low <= 0:
        raise cell.fail(f"low {low!r} must be above zero")
    if not low <= typical <= high:
        raise cell.fail(f"needs low <= typical <= high, got {low!r}, {typical!r}, {high!r}")
    return Range(typical, low, high, cell.source(), cell.flag("assumption"), _note(cell))


def _parse_sourced_mass(row: _Row, key: str) -> Sourced[Mass]:
    cell = row.child(key)
    cell.check_keys(["value", "source"], _CITE_KEYS)
    value = cell.mass("value")
    if key.endswith("_mg") and value.unit != "mg":
        raise cell.fail(f"value {cell.data['value']!r} is in {value.unit} but {key} is in mg")
    if value.mg <= 0:
        raise cell.fail(f"value {cell.data['value']!r} must be above zero")
    return Sourced(value, cell.source(), _note(cell), cell.flag("assumption"))


def _parse_sourced_code(row: _Row, key: str) -> Sourced[str]:
    cell = row.child(key)
    cell.check_keys(["value", "source"], _CITE_KEYS)
    code = cell.data["value"]
    if not isinstance(code, str) or not _RXNORM_RE.match(code):
        raise cell.fail(f"value {code!r} must be an RxNorm code: digits written as text")
    return Sourced(code, cell.source(), _note(cell), cell.flag("assumption"))


def _parse_band(row: _Row) -> DoseBand:
    row.check_keys(
        ["name", "low_mg", "effects", "risks", "source"],
        ["high_mg", "includes_low", "includes_high", *_CITE_KEYS],
    )
    low = row.mass("low_mg")
    high = row.mass("high_mg") if "high_mg" in row.data else None
    if high is not None and high.mg <= low.mg:
        raise row.fail(f"high_mg {row.data['high_mg']!r} must be above low_mg")
    return DoseBand(
        name=row.text("name"),
        low_mg=low,
        high_mg=high,
        effects=row.text("effects"),
        risks=row.text("risks"),
        source=row.source(),
        includes_low=row.flag("includes_low", default=True),
        includes_high=row.flag("includes_high", default=True),
        assumption=row.flag("assumption"),
        note=_note(row),
    )


def _parse_bands(row: _Row, key: str) -> tuple[DoseBand, ...]:
    rows = row.children(key)
    bands = tuple(_parse_band(r) for r in rows)
    for (prev, band), r in zip(itertools.pairwise(bands), rows[1:], strict=False):
        if prev.high_mg is None:
            raise r.fail(f"band {band.name!r} follows the open-ended band {prev.name!r}")
        if band.low_mg.mg != prev.high_mg.mg or band.includes_low == prev.includes_high:
            raise r.fail(
                f"band {band.name!r} must start where {prev.name!r} ends, with the shared "
                "boundary in exactly one of them (includes_low / includes_high)"
            )
    names = [b.name for b in bands]
    if len(set(names)) != len(names):
        raise row.fail(f"{key}: band names must be unique, got {names}")
    return bands


def _parse_equivalence(row: _Row) -> Equivalence:
    row.check_keys(["dose_mg", "source"], _CITE_KEYS)
    dose = row.mass("dose_mg")
    if dose.mg <= 0:
        raise row.fail(f"dose_mg {row.data['dose_mg']!r} must be above zero")
    return Equivalence(dose, row.source(), _note(row), row.flag("assumption"))
