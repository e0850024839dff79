"""Sleep from devices and apps in the FHIR bundle (issue 21): one Observation per stored record.

Device sleep is kept apart from the diary here too. A diary night is a ``survey``
Observation coded LOINC 93832-4 and hangs from its check-in. A device record is an
Observation of category ``DEVICE_SLEEP_SYSTEM#device-sleep``, coded by its stage in that
same local system (clinical-basis.md lists no standard code for a device's sleep stages, so
none is claimed). ``effectivePeriod`` is the record's span, ``device`` the bundle's Device
of the record's source (``user-friendly-name``) and model (``model-name``), one for each
(a contained Device in every record tripled the time to validate a bundle), the file's own
record id an ``identifier``, and a summary session's minutes asleep its
``valueQuantity``. Each record's full URL is made from its identity
(:attr:`~taperline.core.device_sleep.DeviceSleepRecord.key`), and each Device's from its
source and model, so both are the same on every export. An import reads the records back
exactly (:func:`read_device_sleep`).
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Final
from zoneinfo import ZoneInfo

from taperline.adapters.fhir.builders import _concept, _ext, _minutes
from taperline.adapters.fhir.codes import (
    _ODD_SPACE,
    DEVICE_RECORD_SYSTEM,
    DEVICE_SLEEP_SYSTEM,
    EXTENSION_BASE,
)
from taperline.adapters.fhir.common import Json
from taperline.adapters.fhir.reading import _about, _aware, _coding, _Res, _whole_minutes
from taperline.core.device_sleep import STAGES, DeviceSleepRecord

__all__ = [
    "DEVICE_SLEEP_CODES",
    "device_observation",
    "device_resource",
    "is_device_sleep",
    "read_device_sleep",
]

#: The codes of ``DEVICE_SLEEP_SYSTEM``: the category, then each stage, with its meaning.
DEVICE_SLEEP_CODES: Final = MappingProxyType(
    {
        "device-sleep": "Sleep recorded by a device or app (not the sleep diary)",
        "in_bed": "Device: in bed",
        "asleep": "Device: asleep (no stage)",
        "light": "Device: light sleep",
        "core": "Device: core sleep",
        "deep": "Device: deep sleep",
        "rem": "Device: REM sleep",
        "awake": "Device: awake",
        "session": "Device: a sleep session (a summary; the value is the minutes asleep)",
    }
)
_CATEGORY: Final = "device-sleep"
_TEXT_UTF8: Final = f"{EXTENSION_BASE}/text-utf8"


def _string(key: str, text: str) -> Json:
    """``{key: text}``, or for a text of whitespace only its UTF-8 in an extension.

    No FHIR string or markdown holds such a text, so it goes into a ``text-utf8``
    extension (base64) of the primitive, and reads back exactly.
    """
    if _ODD_SPACE.fullmatch(text) or not text.strip():
        encoded = base64.b64encode(text.encode()).decode("ascii")
        return {f"_{key}": {"extension": [_ext("text-utf8", "Base64Binary", encoded)]}}
    return {key: text}


def _read_string(res: _Res, where: str, element: Json, key: str) -> str | None:
    """What :func:`_string` wrote under ``key`` (None: neither the value nor the extension)."""
    if element.get(key) is not None:
        return str(element[key])
    extensions = (element.get(f"_{key}") or {}).get("extension") or []
    texts = [e.get("valueBase64Binary") for e in extensions if e.get("url") == _TEXT_UTF8]
    if not texts or texts[0] is None:
        return None
    try:
        return base64.b64decode(str(texts[0]), validate=True).decode()
    except (ValueError, UnicodeDecodeError):
        raise res.fail(where, "is not base64 UTF-8") from None


def device_resource(source: str, device: str, patient: Json) -> Json:
    """The Device a source's records name: the source, and its model when the file gave one."""
    names = [_string("name", source) | {"type": "user-friendly-name"}]
    if device:
        names.append(_string("name", device) | {"type": "model-name"})
    return {"resourceType": "Device", "deviceName": names, "patient": patient}


def device_observation(
    record: DeviceSleepRecord, zone: ZoneInfo, patient: Json, device: str
) -> Json:
    """One stored device sleep record as an Observation (moments in the person's zone).

    ``device`` is the full URL of its source's Device (:func:`device_resource`).
    """
    observation: Json = {
        "resourceType": "Observation",
        "status": "final",
        "category": [_concept(DEVICE_SLEEP_SYSTEM, _CATEGORY, DEVICE_SLEEP_CODES[_CATEGORY])],
        "code": _concept(DEVICE_SLEEP_SYSTEM, record.stage, DEVICE_SLEEP_CODES[record.stage]),
        "subject": patient,
        "effectivePeriod": {
            "start": record.start.astimezone(zone).isoformat(),
            "end": record.end.astimezone(zone).isoformat(),
        },
        "device": {"reference": device},
    }
    if record.origin_id:
        identifier = {"system": DEVICE_RECORD_SYSTEM} | _string("value", record.origin_id)
        observation["identifier"] = [identifier]
    if record.asleep_min is not None:
        observation["valueQuantity"] = _minutes(record.asleep_min)
    return observation


def is_device_sleep(res: _Res) -> bool:
    """Whether an Observation is a device sleep record (its category is ``device-sleep``)."""
    return res.kind == "Observation" and any(
        _coding(category) == (DEVICE_SLEEP_SYSTEM, _CATEGORY)
        for category in res.data.get("category") or []
    )


def _read_name(device: _Res, names: list[Json], kind: str) -> str | None:
    found = [n for n in names if n.get("type") == kind]
    if not found:
        return None
    where = f"deviceName {kind}"
    name = _read_string(device, where, found[0], "name")
    if name is None:
        raise device.fail(where, "has no name")
    return name


def _device_names(res: _Res, by_url: Mapping[str, _Res]) -> tuple[str, str]:
    reference = str((res.data.get("device") or {}).get("reference") or "")
    device = by_url.get(reference)
    if device is None or device.kind != "Device":
        raise res.fail("device", f"refers to {reference!r}, not a Device in the bundle")
    names = device.data.get("deviceName") or []
    source = _read_name(device, names, "user-friendly-name")
    if not source:
        raise device.fail("deviceName", "names no source (a user-friendly-name)")
    return source, _read_name(device, names, "model-name") or ""


def _moment(res: _Res, where: str, period: Json) -> datetime:
    text = period.get(where)
    if text is None:
        raise res.fail(f"effectivePeriod.{where}", "is missing")
    return _aware(res, f"effectivePeriod.{where}", str(text))


def read_device_sleep(res: _Res, by_url: Mapping[str, _Res]) -> DeviceSleepRecord:
    """The device sleep record an Observation from :func:`device_observation` holds.

    ``by_url`` finds its Device by the reference (a full URL, or ``Type/id`` from a server).
    """
    system, code = _coding(res.data.get("code"))
    if system != DEVICE_SLEEP_SYSTEM or code not in STAGES:
        raise res.fail("code", f"{system}#{code} is not a device sleep stage")
    source, device = _device_names(res, by_url)
    period: Json = res.need("effectivePeriod")
    quantity = res.data.get("valueQuantity")
    identifiers = [
        _read_string(res, "identifier", i, "value") or ""
        for i in res.data.get("identifier") or []
        if i.get("system") == DEVICE_RECORD_SYSTEM
    ]
    with _about(res.label):
        return DeviceSleepRecord(
            source,
            device,
            code,
            _moment(res, "start", period),
            _moment(res, "end", period),
            asleep_min=None if quantity is None else _whole_minutes(res, "valueQuantity", quantity),
            origin_id=identifiers[0] if identifiers else "",
        )
