"""Reading device sleep files: Apple Health (XML and zip), Fitbit (JSON, folder, CSV), the
generic CSV. Each fixture is a small synthetic file written by the test; each bad file gets a
one-line error saying what is wrong."""

from __future__ import annotations

import zipfile
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from taperline.adapters.devices import read_device_file
from taperline.core.device_sleep import device_nights
from taperline.errors import InputError
from tests.support.device_files import (
    WATCH,
    apple_health_lines,
    apple_health_xml,
    apple_health_zip,
    fitbit_json,
    fitbit_log,
)

LONDON = ZoneInfo("Europe/London")
NIGHT = [
    # the iPhone before iOS 16: in bed and asleep
    ("iPhone", "", "InBed", "2027-01-04 22:50:00 +0000", "2027-01-05 07:00:00 +0000"),
    ("iPhone", "", "Asleep", "2027-01-04 23:20:00 +0000", "2027-01-05 06:40:00 +0000"),
    # the watch after iOS 16: stages and awake
    ("Ann's Watch", WATCH, "AsleepCore", "2027-01-04 23:15:00 +0000", "2027-01-05 01:00:00 +0000"),
    ("Ann's Watch", WATCH, "AsleepDeep", "2027-01-05 01:00:00 +0000", "2027-01-05 02:00:00 +0000"),
    ("Ann's Watch", WATCH, "Awake", "2027-01-05 02:00:00 +0000", "2027-01-05 02:15:00 +0000"),
    ("Ann's Watch", WATCH, "AsleepREM", "2027-01-05 02:15:00 +0000", "2027-01-05 06:30:00 +0000"),
    (
        "Ann's Watch",
        WATCH,
        "AsleepUnspecified",
        "2027-01-05 06:30:00 +0000",
        "2027-01-05 06:45:00 +0000",
    ),
    # summer time: an offset in the file
    ("Ann's Watch", WATCH, "AsleepCore", "2027-07-04 23:00:00 +0100", "2027-07-05 06:00:00 +0100"),
]


def test_apple_health_xml_keeps_every_sleep_record_and_counts_the_rest(tmp_path: Path) -> None:
    seen: list[tuple[int, int]] = []
    read = read_device_file(
        "apple-health",
        apple_health_xml(tmp_path / "export.xml", NIGHT),
        LONDON,
        progress=lambda done, size: seen.append((done, size)),
    )
    assert len(read.records) == len(NIGHT)
    assert read.other_entries == 3 * len(NIGHT)
    assert [r.stage for r in read.records] == [
        "in_bed",
        "asleep",
        "core",
        "deep",
        "awake",
        "rem",
        "asleep",
        "core",
    ]
    assert read.records[2].source == "Ann's Watch"
    assert read.records[2].device == "Apple Watch"
    assert read.records[-1].start == datetime(2027, 7, 4, 22, 0, tzinfo=UTC)
    assert seen[-1][0] == seen[-1][1] == (tmp_path / "export.xml").stat().st_size
    first, summer = device_nights(read.records, LONDON)
    assert (first.wake_date, first.source, first.also_recorded_by) == (
        date(2027, 1, 5),
        "Ann's Watch",
        ("iPhone",),
    )
    assert (first.in_bed_min, first.asleep_min, first.awake_min) == (450, 435, 15)
    assert summer.wake_date == date(2027, 7, 5)


def test_apple_health_zip_reads_as_its_export_xml(tmp_path: Path) -> None:
    xml = read_device_file("apple-health", apple_health_xml(tmp_path / "export.xml", NIGHT), UTC)
    zipped = read_device_file("apple-health", apple_health_zip(tmp_path / "export.zip", NIGHT), UTC)
    assert zipped.records == xml.records
    assert zipped.sha256 == xml.sha256  # of the XML: the same export however it came


def test_zero_length_records_are_left_out_and_said(tmp_path: Path) -> None:
    empty = ("iPhone", "", "InBed", "2027-01-04 22:50:00 +0000", "2027-01-04 22:50:00 +0000")
    read = read_device_file("apple-health", apple_health_xml(tmp_path / "e.xml", [empty]), UTC)
    assert read.records == ()
    assert read.left_out == ("1 sleep record(s) that end when they start (nothing to count)",)


def _bad(tmp_path: Path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(InputError) as caught:
        read_device_file("apple-health", path, UTC)
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_bad_apple_health_files_say_what_is_wrong(tmp_path: Path) -> None:
    text = "".join(apple_health_lines(NIGHT)).encode()
    assert "ends early, without </HealthData>" in _bad(tmp_path, "cut.xml", text[: len(text) // 2])
    assert "ends early" in _bad(tmp_path, "cut2.xml", text[:-3])
    assert "not Apple Health's <HealthData>" in _bad(tmp_path, "x.xml", b"<Other/>")
    assert "empty" in _bad(tmp_path, "empty.xml", b"")
    unknown = text.replace(b"AsleepDeep", b"AsleepLucid")
    assert "'HKCategoryValueSleepAnalysisAsleepLucid', which this version" in _bad(
        tmp_path, "new.xml", unknown
    )
    apple_health_zip(tmp_path / "whole.zip", NIGHT)
    whole = (tmp_path / "whole.zip").read_bytes()
    assert "not a complete zip" in _bad(tmp_path, "cut.zip", whole[: len(whole) - 40])
    with zipfile.ZipFile(tmp_path / "other.zip", "w") as archive:
        archive.writestr("photo.jpg", b"x")
    assert "holds no export.xml" in _bad(
        tmp_path, "other2.zip", (tmp_path / "other.zip").read_bytes()
    )


def test_fitbit_json_levels_short_wakes_and_local_times(tmp_path: Path) -> None:
    log = fitbit_log(
        31,
        "2027-03-27T23:00:00.000",
        [
            ("2027-03-27T23:00:00.000", "light", 3 * 3600),  # across the spring change
            ("2027-03-28T03:00:00.000", "deep", 3600),
            ("2027-03-28T04:00:00.000", "rem", 3 * 3600),
        ],
        shortData=[{"dateTime": "2027-03-28T05:00:00.000", "level": "wake", "seconds": 120}],
    )
    read = read_device_file(
        "fitbit", fitbit_json(tmp_path / "sleep-2027-03-28.json", [log]), LONDON
    )
    assert {r.origin_id for r in read.records} == {"31"}
    (night,) = device_nights(read.records, LONDON)
    assert night.wake_date == date(2027, 3, 28)
    assert (night.asleep_min, night.awake_min) == (7 * 60 - 2, 2)
    assert night.source == "Fitbit"


def test_a_fitbit_folder_reads_every_sleep_file_in_it(tmp_path: Path) -> None:
    folder = tmp_path / "Takeout" / "Fitbit" / "Global Export Data"
    folder.mkdir(parents=True)
    for day in (4, 5):
        start = f"2027-01-0{day}T23:00:00.000"
        fitbit_json(
            folder / f"sleep-2027-01-0{day}.json",
            [fitbit_log(day, start, [(start, "asleep", 7 * 3600)])],
        )
    (folder / "heart_rate-2027-01-05.json").write_text("[]")
    read = read_device_file("fitbit", tmp_path / "Takeout", UTC)
    assert [n.wake_date.day for n in device_nights(read.records, UTC)] == [5, 6]
    takeout = tmp_path / "takeout.zip"
    with zipfile.ZipFile(takeout, "w") as archive:
        for file in sorted(folder.iterdir()):
            archive.write(file, f"Takeout/Fitbit/Global Export Data/{file.name}")
    zipped = read_device_file("fitbit", takeout, UTC)
    assert zipped.records == read.records
    assert zipped.sha256 == read.sha256
    with zipfile.ZipFile(tmp_path / "photos.zip", "w") as archive:
        archive.writestr("Takeout/Photos/a.json", "[]")
    with pytest.raises(InputError, match="not a Fitbit or Google Takeout export"):
        read_device_file("fitbit", tmp_path / "photos.zip", UTC)
    (tmp_path / "none").mkdir()
    with pytest.raises(InputError, match=r"holds no sleep-YYYY-MM-DD\.json"):
        read_device_file("fitbit", tmp_path / "none", UTC)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{", "is not complete JSON"),
        ('{"sleep": []}', "a list of sleep logs"),
        (
            '[{"startTime": "2027-01-04T23:00:00", "endTime": "2027-01-05T07:00:00"}]',
            "no levels.data",
        ),
        (
            '[{"startTime": "2027-01-04T23:00:00", "endTime": "2027-01-05T07:00:00",'
            ' "levels": {"data": [{"dateTime": "2027-01-04T23:00:00", "level": "dozing",'
            ' "seconds": 60}]}}]',
            "unknown sleep level 'dozing'",
        ),
    ],
)
def test_bad_fitbit_files_say_what_is_wrong(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "sleep-2027-01-05.json"
    path.write_text(content)
    with pytest.raises(InputError, match=message):
        read_device_file("fitbit", path, UTC)


def test_the_fitbit_csv_sleep_part_gives_sessions(tmp_path: Path) -> None:
    path = tmp_path / "fitbit_export_20270120.csv"
    path.write_text(
        "Body\nDate,Weight\n2027-01-05,70\n\nSleep\n"
        "Start Time,End Time,Minutes Asleep,Minutes Awake,Number of Awakenings,Time in Bed,"
        "Minutes REM Sleep,Minutes Light Sleep,Minutes Deep Sleep\n"
        '"2027-01-04 11:10PM","2027-01-05 6:58AM","402","66","28","468","84","235","83"\n'
        '"2027-01-05 10:40PM","2027-01-06 6:30AM","420","50","20","470","N/A","N/A","N/A"\n'
        "\nActivities\nDate,Steps\n",
        encoding="utf-8",
    )
    read = read_device_file("fitbit", path, LONDON)
    nights = device_nights(read.records, LONDON)
    assert [(n.wake_date.day, n.in_bed_min, n.asleep_min) for n in nights] == [
        (5, 468, 402),
        (6, 470, 420),
    ]


GENERIC = (
    "wake_date,in_bed,asleep,woke,out_of_bed,asleep_min,source,device\n"
    "2027-01-05,23:00,23:30,06:30,07:00,400,Oura,Oura Ring 3\n"
    "2027-01-06,22:30,23:00,06:00,06:15,,Oura,\n"
    "2027-03-28,23:00,,,07:00,420,,\n"
)


def test_the_generic_csv(tmp_path: Path) -> None:
    path = tmp_path / "sleep.csv"
    path.write_text(GENERIC, encoding="utf-8")
    read = read_device_file("sleep-csv", path, LONDON)
    nights = device_nights(read.records, LONDON)
    assert [(n.wake_date.day, n.source, n.in_bed_min, n.asleep_min) for n in nights] == [
        (5, "Oura", 480, 400),
        (6, "Oura", 465, 420),
        (28, "sleep CSV", 420, 420),  # the clocks went forward: 8 h on the clock, 7 in bed
    ]
    assert nights[0].device == "Oura Ring 3"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("date,bed\n", "line 1: no wake_date, in_bed, out_of_bed column and unknown column"),
        ("wake_date,in_bed,out_of_bed,mood\n", "unknown column\\(s\\) mood"),
        ("wake_date,in_bed,out_of_bed\n2027-01-05,23:00,07:00\n", "line 2: give asleep_min"),
        ("wake_date,in_bed,out_of_bed,asleep_min\n2027-13-05,23:00,07:00,1\n", "line 2: wake_date"),
        ("wake_date,in_bed,out_of_bed,asleep_min\n2027-01-05,23:00,07:00,900\n", "do not fit"),
    ],
)
def test_bad_generic_csv_rows_name_their_line(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "sleep.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=message):
        read_device_file("sleep-csv", path, UTC)
