"""A person's choices about device sleep (:mod:`taperline.core.device_sleep`'s settings).

A module of its own so that what reads only the choices (every review asks whether the
clinician's switch is on: ``taperline status``) does not load the device-sleep model.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DeviceSleepSettings"]


@dataclass(frozen=True, slots=True)
class DeviceSleepSettings:
    """A person's choices about device sleep.

    ``preferred_source`` wins a night several sources recorded (None: the rule's order).
    ``in_findings`` is the clinician's switch: off (the default), device sleep feeds no finding.
    """

    preferred_source: str | None = None
    in_findings: bool = False
