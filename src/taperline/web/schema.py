"""The OpenAPI schema, with the documents only the CLI prints added to its components.

The API's operations document their own answers (each response model is a shape from
:mod:`taperline.core.shapes`); ``taperline check``, ``learn``, ``simulate``, ``plan`` and
``sleep-window`` print documents that no operation answers with in full, so their shapes are
added here under the same names, and ``/api/openapi.json`` documents every ``--format json``.
"""

from __future__ import annotations

from typing import Any, Final

from taperline.adapters.documents import PlanOut
from taperline.core.check.documents import CheckOut, LessonOut
from taperline.core.simulation_documents import SimulationOut
from taperline.service.sleep_window import SleepWindowOut

#: The documents of CLI commands without an API operation of their own, by schema name.
CLI_SHAPES: Final[dict[str, type]] = {
    "CheckOut": CheckOut,
    "LessonOut": LessonOut,
    "PlanOut": PlanOut,
    "SimulationOut": SimulationOut,
    "SleepWindowOut": SleepWindowOut,
}


def with_cli_shapes(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` with :data:`CLI_SHAPES` (and the shapes they use) in its components."""
    from pydantic import TypeAdapter

    schemas = schema.setdefault("components", {}).setdefault("schemas", {})
    for name, shape in CLI_SHAPES.items():
        document = TypeAdapter(shape).json_schema(
            ref_template="#/components/schemas/{model}", mode="serialization"
        )
        for inner, definition in document.pop("$defs", {}).items():
            schemas.setdefault(inner, definition)
        schemas.setdefault(name, document)
    return schema
