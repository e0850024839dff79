"""The device sleep doors after their fixes: a column named twice, comments, either quote.

The neighbours of the defects pinned in tests/test_exchange_doors_review.py: a column named
twice in another case or with spaces, a comment or CDATA cut across the pieces the export is
read in, one never closed, the sleep type named in another attribute, a zip.
"""

from __future__ import annotations

import zipfile
from datetime import UTC
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from taperline.adapters.devices import apple_health, read_device_file
from taperline.errors import InputError
from tests.support.device_files import HEAD

_RECORD = (
    '<Record type="HKCategoryTypeIdentifierSleepAnalysis" sourceName="Watch"'
    ' value="HKCategoryValueSleepAnalysisAsleepCore" startDate="2027-01-05 {h:02d}:00:00 +0000"'
    ' endDate="2027-01-05 {h:02d}:30:00 +0000"/>'
)
_HEART = (
    '<Record type="HKQuantityTypeIdentifierHeartRate" sourceName="Watch" unit="count/min"'
    ' value="60" startDate="2027-01-05 05:00:00 +0000" endDate="2027-01-05 05:00:00 +0000"/>'
)


def _export(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "export.xml"
    path.write_text(f"{HEAD}{body}\n</HealthData>\n")
    return path


def _hours(path: Path) -> list[int]:
    return [r.start.hour for r in read_device_file("apple-health", path, UTC).records]


# --- the generic sleep CSV -----------------------------------------------------------------------


@pytest.mark.parametrize("end", ["\n", "\r\n"])
def test_a_column_named_twice_in_another_case_is_refused(tmp_path: Path, end: str) -> None:
    path = tmp_path / "sleep.csv"
    rows = ["wake_date,in_bed,out_of_bed,asleep_min, ASLEEP_MIN", "2027-01-05,23:00,07:00,400,30"]
    path.write_bytes((end.join(rows) + end).encode())
    with pytest.raises(InputError, match=r"line 1: column\(s\) 'asleep_min' appear more than once"):
        read_device_file("sleep-csv", path, ZoneInfo("Europe/London"))


def test_each_column_once_is_read_as_before(tmp_path: Path) -> None:
    path = tmp_path / "sleep.csv"
    path.write_text("wake_date,in_bed,out_of_bed,asleep_min\n2027-01-05,23:00,07:00,400\n")
    read = read_device_file("sleep-csv", path, ZoneInfo("Europe/London"))
    assert [r.asleep_min for r in read.records] == [400]


# --- Apple Health --------------------------------------------------------------------------------


def test_a_comment_cut_across_the_pieces_hides_its_records(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    hidden = f"<!-- edited out: {_RECORD.format(h=3)} {_HEART} -->"
    path = _export(tmp_path, f"{_RECORD.format(h=1)}\n{hidden}\n{_RECORD.format(h=4)}")
    assert _hours(path) == [1, 4]
    for size in (5, 7, 64):  # pieces smaller than a tag: every cut point is tried
        monkeypatch.setattr(apple_health, "_CHUNK", size)
        assert _hours(path) == [1, 4]


def test_a_record_in_cdata_is_not_read(tmp_path: Path) -> None:
    path = _export(tmp_path, f"<![CDATA[{_RECORD.format(h=3)}]]>{_RECORD.format(h=1)}")
    assert _hours(path) == [1]


def test_a_comment_never_closed_is_refused(tmp_path: Path) -> None:
    path = _export(tmp_path, f"{_RECORD.format(h=1)}<!-- {_RECORD.format(h=3)}")
    with pytest.raises(InputError, match="never closed"):
        read_device_file("apple-health", path, UTC)


def test_the_sleep_type_named_in_another_attribute_is_not_sleep(tmp_path: Path) -> None:
    other = _HEART.replace('unit="count/min"', 'note="not HKCategoryTypeIdentifierSleepAnalysis"')
    read = read_device_file("apple-health", _export(tmp_path, f"{other}{_RECORD.format(h=1)}"), UTC)
    assert [r.start.hour for r in read.records] == [1]
    assert read.other_entries == 1


def test_mixed_quotes_and_spaces_around_equals_are_read(tmp_path: Path) -> None:
    record = (
        "<Record type = 'HKCategoryTypeIdentifierSleepAnalysis' sourceName=\"Ann's Watch\""
        " value='HKCategoryValueSleepAnalysisAsleepREM' startDate='2027-01-05 02:00:00 +0000'"
        ' endDate="2027-01-05 02:45:00 +0000"/>'
    )
    read = read_device_file("apple-health", _export(tmp_path, record), UTC)
    assert [(r.source, r.stage, r.start.hour) for r in read.records] == [("Ann's Watch", "rem", 2)]


def test_a_zip_holding_a_commented_record_reads_only_the_real_one(tmp_path: Path) -> None:
    xml = _export(tmp_path, f"<!--{_RECORD.format(h=3)}-->{_RECORD.format(h=1)}")
    path = tmp_path / "export.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(xml, "apple_health_export/export.xml")
    assert _hours(path) == [1]
