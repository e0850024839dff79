"""JSON shapes: the one definition of each document the CLI prints and the API answers.

A shape is a ``TypedDict`` written beside the function that builds it from core objects
(``checkin_document`` returns a ``CheckInOut``), so mypy checks every key and type of the
builder against it. The web API names the same shapes as its response models (pydantic reads
TypedDicts, so the OpenAPI schema documents them and an answer with a key its shape lacks is a
500, never a silent extra), and the CLI's ``--format json`` prints the builders' output as it
is: one definition, no restatement, and no pydantic import on the CLI's paths.

>>> @closed
... class PointOut(TypedDict):
...     '''A point.'''
...     x_mm: int
>>> PointOut(x_mm=3), PointOut.__pydantic_config__
({'x_mm': 3}, {'extra': 'forbid'})
"""

from __future__ import annotations

from typing import NotRequired, TypeVar

# pydantic reads TypedDicts from typing_extensions on Python < 3.12, not from typing.
from typing_extensions import TypedDict

__all__ = ["NotRequired", "TypedDict", "closed"]

_Shape = TypeVar("_Shape", bound=type)


def closed(shape: _Shape) -> _Shape:
    """Mark a shape as closed: validated, a key it does not name is an error, not dropped."""
    shape.__pydantic_config__ = {"extra": "forbid"}  # type: ignore[attr-defined]  # read by pydantic
    return shape
