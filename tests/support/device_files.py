"""Small synthetic device sleep exports for the tests (no real person's data).

:func:`apple_health_xml` writes an ``export.xml`` in Apple's layout: the DOCTYPE, ExportDate,
Me, other records (heart rate, steps) around the sleep records, which carry Apple's
attributes (sourceName, device, startDate/endDate with UTC offsets, value) and a metadata
entry. ``bench/import.py`` uses :func:`apple_health_lines` to write a big one.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path

HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE HealthData [
<!-- HealthKit Export Version: 14 -->
<!ELEMENT HealthData (ExportDate,Me,(Record|Correlation|Workout|ActivitySummary)*)>
<!ATTLIST HealthData locale CDATA #REQUIRED>
<!ELEMENT Record ((MetadataEntry|HeartRateVariabilityMetadataList)*)>
<!ATTLIST Record type CDATA #REQUIRED value CDATA #IMPLIED>
]>
<HealthData locale="en_GB">
 <ExportDate value="2027-01-20 09:00:00 +0000"/>
 <Me HKCharacteristicTypeIdentifierBiologicalSex="HKBiologicalSexNotSet"/>
"""
WATCH = (
    "&lt;&lt;HKDevice: 0x283c&gt;, name:Apple Watch, manufacturer:Apple Inc., model:Watch,"
    " hardware:Watch6,2, software:10.1&gt;"
)
#: (source, device, value suffix, start, end) of a sleep record.
Sleep = tuple[str, str, str, str, str]


def sleep_record(source: str, device: str, value: str, start: str, end: str) -> str:
    """One ``<Record>`` of Apple's sleep type (``value``: the part after SleepAnalysis)."""
    return (
        f' <Record type="HKCategoryTypeIdentifierSleepAnalysis" sourceName="{source}"'
        f' sourceVersion="10.1" device="{device}" creationDate="{end}" startDate="{start}"'
        f' endDate="{end}" value="HKCategoryValueSleepAnalysis{value}">\n'
        '  <MetadataEntry key="HKTimeZone" value="Europe/London"/>\n </Record>\n'
    )


def other_record(start: str) -> str:
    """A heart-rate record (what most of an export is)."""
    return (
        ' <Record type="HKQuantityTypeIdentifierHeartRate" sourceName="Apple Watch"'
        f' unit="count/min" creationDate="{start}" startDate="{start}" endDate="{start}"'
        ' value="61"/>\n'
    )


def apple_health_lines(sleep: Sequence[Sleep], others: int = 3) -> Iterator[str]:
    """The export's text, a few other records between each sleep record."""
    yield HEAD
    for record in sleep:
        for _ in range(others):
            yield other_record(record[3])
        yield sleep_record(*record)
    yield "</HealthData>\n"


def apple_health_xml(path: Path, sleep: Sequence[Sleep]) -> Path:
    """Write ``export.xml`` with these sleep records."""
    path.write_text("".join(apple_health_lines(sleep)), encoding="utf-8")
    return path


def apple_health_zip(path: Path, sleep: Sequence[Sleep]) -> Path:
    """Write ``export.zip`` as the Health app does (apple_health_export/export.xml and a CDA)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("apple_health_export/export.xml", "".join(apple_health_lines(sleep)))
        archive.writestr("apple_health_export/export_cda.xml", "<ClinicalDocument/>")
    return path


def fitbit_log(
    log_id: int, start: str, levels: Sequence[tuple[str, str, int]], **extra: object
) -> dict[str, object]:
    """A Fitbit sleep log: ``levels`` is (dateTime, level, seconds); the end is the last level's."""
    from datetime import datetime, timedelta

    last = levels[-1]
    end = datetime.fromisoformat(last[0]) + timedelta(seconds=last[2])
    return {
        "logId": log_id,
        "dateOfSleep": end.date().isoformat(),
        "startTime": start,
        "endTime": end.isoformat(timespec="milliseconds"),
        "duration": 0,
        "minutesAsleep": 0,
        "minutesAwake": 0,
        "type": "stages",
        "mainSleep": True,
        "levels": {
            "summary": {},
            "data": [{"dateTime": t, "level": lv, "seconds": s} for t, lv, s in levels],
            **extra,
        },
    }


def fitbit_json(path: Path, logs: Sequence[dict[str, object]]) -> Path:
    """Write a ``sleep-YYYY-MM-DD.json`` (a list of logs)."""
    path.write_text(json.dumps(logs), encoding="utf-8")
    return path
