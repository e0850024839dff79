"""What FHIR export and import share: the JSON type and the time-zone lookup."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from taperline.zones import zone

Json = dict[str, Any]


def _zone(name: str) -> ZoneInfo:
    return zone(name)  # one validator; the store checks an imported profile's zone again
