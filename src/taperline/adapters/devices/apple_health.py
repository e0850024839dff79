"""Apple Health ``export.zip`` / ``export.xml``: the sleep records, streamed in bounded memory.

Real exports are hundreds of MB to several GB, almost all of it other data (heart rate,
steps). The file is read in 1 MiB pieces and searched for the sleep records' tags, which are
the only ones parsed (an XML parser calling back for every element reads about 10 MB/s; the
search, hundreds): memory does not grow with the file and no tree is built. Comments and
CDATA sections are skipped (a record edited out by hand in one is not read); attributes are
read in either quote (a tool that re-saves the file may write ``type='...'``)
(``bench/import.py`` measures both). The document must begin with ``<HealthData>`` and end
with ``</HealthData>`` (a cut file does not). A zip is read member by member from disk, its
``export.xml`` decompressed as it is read (a damaged or cut zip fails its checks).

Sleep is ``<Record type="HKCategoryTypeIdentifierSleepAnalysis" value=...>``: before iOS 16
``InBed`` and ``Asleep``; from iOS 16 also ``AsleepUnspecified``, ``AsleepCore``,
``AsleepDeep``, ``AsleepREM`` and ``Awake``. Any other sleep value is refused (a format this
code does not know), not skipped. Moments carry their UTC offset in the file.
"""

from __future__ import annotations

import hashlib
import html
import re
import zipfile
import zlib
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import IO, Final

from taperline.adapters.devices import Progress, ReadFile
from taperline.core.device_sleep import DeviceSleepRecord, Stage
from taperline.errors import InputError

__all__ = ["SLEEP_TYPE", "SLEEP_VALUES", "read_apple_health"]

SLEEP_TYPE: Final = "HKCategoryTypeIdentifierSleepAnalysis"
_PREFIX: Final = "HKCategoryValueSleepAnalysis"
#: Apple's sleep values and the stage each is.
SLEEP_VALUES: Final[dict[str, Stage]] = {
    f"{_PREFIX}InBed": "in_bed",
    f"{_PREFIX}Asleep": "asleep",  # before iOS 16
    f"{_PREFIX}AsleepUnspecified": "asleep",
    f"{_PREFIX}AsleepCore": "core",
    f"{_PREFIX}AsleepDeep": "deep",
    f"{_PREFIX}AsleepREM": "rem",
    f"{_PREFIX}Awake": "awake",
}
_CHUNK: Final = 1 << 20
_DEVICE_NAME: Final = re.compile(r"name:([^,>]*)")


def _device(text: str | None) -> str:
    """The device's name in Apple's ``<<HKDevice: 0x..>, name:Apple Watch, ...>`` text."""
    if not text:
        return ""
    found = _DEVICE_NAME.search(text)
    return found.group(1).strip()[:200] if found else ""


def _moment(text: str | None, what: str) -> datetime:
    if not text:
        raise InputError(f"a sleep record has no {what}")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise InputError(f"a sleep record's {what} {text!r} is not a date and time") from None
    if moment.tzinfo is None:
        raise InputError(f"a sleep record's {what} {text!r} has no UTC offset")
    return moment


_KEY: Final = SLEEP_TYPE.encode()
# An attribute in either of XML's quotes ("..." or '...').
_ATTRIBUTE: Final = re.compile(rb"""([A-Za-z_:][-.\w:]*)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
#: Markup whose text is not elements (a night edited out by hand in a comment): its opening
#: after "<!" and its end. No end holds a "<", so a piece (cut before a "<") never splits one.
_NOT_ELEMENTS: Final = ((b"!--", b"-->"), (b"![CDATA[", b"]]>"))


def _not_elements(text: bytes, at: int) -> tuple[int, bytes | None]:
    """Where the next comment or CDATA section from ``at`` opens, and its end (none: the end).

    "!" is searched, not "<!": it is rare in an export, "<" is in every tag (4 times faster).
    """
    while (bang := text.find(b"!", at)) >= 0:
        if bang > 0 and text[bang - 1] == ord("<"):
            for opening, closing in _NOT_ELEMENTS:
                if text.startswith(opening, bang):
                    return bang - 1, closing
        at = bang + 1
    return len(text), None


_FIRST_ELEMENT: Final = re.compile(rb"<([A-Za-z_][-.\w:]*)")
_HEAD_BYTES: Final = 1 << 16
_END: Final = b"</HealthData>"
#: A tag longer than this (no "<" in it) is not Apple's: the file is not an export.
_MAX_TAG: Final = 1 << 24


def _first_element(head: bytes) -> str | None:
    """The name of the first element of the document (after the prolog, DOCTYPE, comments)."""
    text = re.sub(rb"<!--.*?-->", b"", head, flags=re.DOTALL)
    text = re.sub(rb"<!DOCTYPE[^\[>]*(\[.*?\])?\s*>", b"", text, count=1, flags=re.DOTALL)
    found = _FIRST_ELEMENT.search(re.sub(rb"<\?.*?\?>", b"", text, flags=re.DOTALL))
    return found.group(1).decode("utf-8", "replace") if found else None


class _Reader:
    """Finds the sleep records in the text, piece by piece, and counts the other records.

    Only ``<Record type="HKCategoryTypeIdentifierSleepAnalysis" ...>`` tags are parsed (their
    attributes, entities decoded); the rest of the file (almost all of it) is only searched,
    which is what makes a several-GB export quick. XML allows no "<" inside an attribute
    value, so every tag that starts before a piece's last "<" is whole.
    """

    def __init__(self) -> None:
        self.records: list[DeviceSleepRecord] = []
        self.others = 0
        self.empty = 0
        self.head = b""
        self.tail = b""
        self.closing: bytes | None = None  # inside a comment or CDATA: the end awaited

    def feed(self, text: bytes) -> None:
        if len(self.head) < _HEAD_BYTES:
            self.head += text[: _HEAD_BYTES - len(self.head)]
        at = 0
        while at < len(text):
            if self.closing is not None:  # a comment's text: never records
                end = text.find(self.closing, at)
                if end < 0:
                    break
                at, self.closing = end + len(self.closing), None
                continue
            stop, close = _not_elements(text, at)
            self._elements(text, at, stop)
            at, self.closing = stop, close
        self.tail = (self.tail + text[-64:])[-64:]

    def _elements(self, text: bytes, start: int, stop: int) -> None:
        """Sleep records parsed, other records counted, in ``text[start:stop]`` (no copy)."""
        self.others += text.count(b"<Record ", start, stop)
        at = start
        while (found := text.find(_KEY, at, stop)) >= 0:
            opening = text.rfind(b"<", start, found)
            closing = text.find(b">", found, stop)
            if opening < 0 or closing < 0:
                raise InputError("a sleep record is not a whole XML tag")
            self._record(text[opening:closing])
            at = closing

    def _record(self, tag: bytes) -> None:
        attributes = {
            name.decode(): html.unescape((double or single).decode("utf-8", "replace"))
            for name, double, single in _ATTRIBUTE.findall(tag)
        }
        if not re.match(rb"<Record\s", tag) or attributes.get("type") != SLEEP_TYPE:
            return  # the name elsewhere (another attribute, another element): not sleep
        if tag.startswith(b"<Record "):
            self.others -= 1  # counted among the others above
        value = attributes.get("value", "")
        start = _moment(attributes.get("startDate"), "startDate")
        stage = SLEEP_VALUES.get(value)
        if stage is None:
            raise InputError(
                f"a sleep record from {start.isoformat()} has the value {value!r}, which this"
                " version of taperline does not know (a newer Apple Health format?)"
            )
        end = _moment(attributes.get("endDate"), "endDate")
        if end <= start:  # Apple writes some zero-length records: nothing to count
            self.empty += 1
            return
        self.records.append(
            DeviceSleepRecord(
                attributes.get("sourceName", "").strip()[:200] or "Apple Health",
                _device(attributes.get("device")),
                stage,
                start,
                end,
            )
        )


def _parse(
    stream: IO[bytes], size: int, progress: Progress | None, digest: Callable[[bytes], None]
) -> _Reader:
    reader = _Reader()
    carry = b""
    done = 0
    while chunk := stream.read(_CHUNK):
        digest(chunk)
        text = carry + chunk
        cut = max(text.rfind(b"<"), 0)
        reader.feed(text[:cut])
        carry = text[cut:]
        if len(carry) > _MAX_TAG:
            raise InputError("it holds no XML elements where an export has its records")
        done += len(chunk)
        if progress is not None:
            progress(done, size)
        if done == len(chunk) and reader.head.strip():
            _check_root(reader.head)  # a file that is not an export fails at once, however big
    if not (reader.head + carry).strip():
        raise InputError("it is empty, not an Apple Health export")
    _check_root((reader.head + carry)[:_HEAD_BYTES])
    if not (reader.tail + carry).rstrip().endswith(_END):
        raise InputError(
            "it ends early, without </HealthData> (truncated while copying or unzipping?)"
        )
    reader.feed(carry)
    if reader.closing is not None:
        raise InputError(f"a comment or CDATA section is never closed ({reader.closing!r})")
    return reader


def _check_root(head: bytes) -> None:
    root = _first_element(head)
    if root is not None and root != "HealthData":
        raise InputError(f"its first element is <{root}>, not Apple Health's <HealthData>")


def _export_member(archive: zipfile.ZipFile) -> zipfile.ZipInfo:
    members = [m for m in archive.infolist() if m.filename.lower().endswith(".xml")]
    named = [m for m in members if m.filename.rsplit("/", 1)[-1].lower() == "export.xml"]
    others = [m for m in members if not m.filename.lower().endswith("export_cda.xml")]
    chosen = named or sorted(others, key=lambda m: -m.file_size)
    if not chosen:
        raise InputError("the zip holds no export.xml: it is not an Apple Health export")
    return chosen[0]


def read_apple_health(path: Path, *, progress: Progress | None = None) -> ReadFile:
    """The sleep records of an Apple Health export (a zip or its ``export.xml``)."""
    digest = hashlib.sha256()
    try:
        with path.open("rb") as raw:
            is_zip = raw.read(4) == b"PK\x03\x04"
        if is_zip:
            try:
                archive = zipfile.ZipFile(path)
            except zipfile.BadZipFile:
                raise InputError(
                    "it is not a complete zip file (truncated while copying?)"
                ) from None
            with archive:
                member = _export_member(archive)
                with archive.open(member) as stream:
                    reader = _parse(stream, member.file_size, progress, digest.update)
        else:
            with path.open("rb") as stream:
                reader = _parse(stream, path.stat().st_size, progress, digest.update)
    except (zipfile.BadZipFile, zlib.error, EOFError) as error:
        raise InputError(f"{path}: the zip is damaged or truncated ({error})") from None
    except InputError as error:
        raise InputError(f"{path}: {error}; nothing was imported") from None
    left_out = (
        (f"{reader.empty} sleep record(s) that end when they start (nothing to count)",)
        if reader.empty
        else ()
    )
    return ReadFile(
        "apple-health",
        path.name,
        digest.hexdigest(),
        tuple(reader.records),
        other_entries=reader.others,
        left_out=left_out,
    )
