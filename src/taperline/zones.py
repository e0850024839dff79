"""IANA time zones: the one validator of every place a person gives one.

A person's date (today, a check-in's night, the day a dose is due) is read in their own time
zone, so a zone taken in must be a real one: sign-up, the profile form, ``taperline init``,
the JSON API, an imported record all call :func:`check_zone`, and the store calls it again
before it writes a profile. Accepted: the zones of the IANA database (``Europe/London``,
``America/New_York``, ``UTC``, and its backward-compatible names such as ``US/Eastern``),
in any letter case and with spaces for underscores (``america/new york``), given back in the
database's spelling. Refused, with a hint: a region (``Europe``, a folder of the database,
which ``ZoneInfo`` opens as a file and fails on), the pseudo-zones of a system's zone
folder (``localtime``, ``posixrules``, ``Factory``), the database's zones that mislead (``EST``,
``MST`` and ``GMT`` never change for summer time, where people who type them mostly do;
``Etc/GMT+1`` is an hour *behind* UTC), and anything else, with a did-you-mean. A profile
that holds one already keeps working; it is asked for a city when it is next saved.

>>> check_zone("europe/london"), check_zone(" America/New York ")
('Europe/London', 'America/New_York')
>>> check_zone("Europe")
Traceback (most recent call last):
...
taperline.errors.ValueFormatError: time_zone 'Europe' is a region, not a time zone: give a city in \
it, e.g. Europe/Amsterdam, Europe/Berlin or Europe/London
"""

from __future__ import annotations

import difflib
import functools
import re
from importlib import resources
from typing import Final
from zoneinfo import ZoneInfo, available_timezones

from taperline.errors import InputError, ValueFormatError

__all__ = ["EXAMPLE", "check_zone", "known_zone", "known_zones", "zone"]

#: A zone to show in messages.
EXAMPLE: Final = "Europe/London"
#: Files of a system's zone folder that are not places: the server's own zone, a rules
#: template, and tzdata's "zone unknown" placeholder.
PSEUDO_ZONES: Final = frozenset({"localtime", "posixrules", "Factory"})
#: What :func:`zoneinfo.available_timezones` leaves out of the names it finds.
_NOT_ZONES: Final = frozenset({"posixrules"})
#: An offset typed as a zone: "GMT+1", "UTC -05:00", "+0100" (the database's Etc/GMT±N names,
#: whose sign is reversed, are not these).
_OFFSET: Final = re.compile(r"^(?:gmt|utc|z)?\s*[+\-\u2212]\s*\d{1,2}(?::?\d{2})?$", re.IGNORECASE)
#: The database's zones that keep one offset all year where people who type them usually live
#: by summer time: the person's day and dose times would be an hour off for half the year.
#: Refused, with the city meant. (HST is Hawaii's own time all year, and UTC is what it says.)
_NO_SUMMER: Final = {
    "est": "US Eastern standard time all year: give America/New_York",
    "mst": "US Mountain standard time all year: give America/Denver (or America/Phoenix in"
    " Arizona)",
    "gmt": "Greenwich time all year, without British summer time: give Europe/London (or UTC"
    " for no summer time at all)",
}
_GMT_NAMES: Final = frozenset({"gmt", "gmt0", "gmt+0", "gmt-0", "greenwich", "etc/gmt",
                               "etc/gmt0", "etc/gmt+0", "etc/gmt-0", "etc/greenwich"})  # fmt: skip
#: The database's Etc/GMT+N zones, whose sign is the reverse of what people mean: Etc/GMT+1 is
#: one hour *behind* UTC.
_ETC_OFFSET: Final = re.compile(r"^etc/gmt([+\-])(\d{1,2})$", re.IGNORECASE)
#: Examples preferred in hints (else the first zones of the region, alphabetically).
_PREFERRED: Final = ("Europe/London", "Europe/Berlin", "America/New_York", "Australia/Sydney")


@functools.cache
def known_zones() -> frozenset[str]:
    """The IANA zone names a person may give (the pseudo-zones left out)."""
    return frozenset(available_timezones()) - PSEUDO_ZONES


@functools.cache
def _listed_zones() -> frozenset[str]:
    """The zones the tzdata package lists in one file (none when it is not installed).

    :func:`zoneinfo.available_timezones` starts from this same list and then opens every file
    of the system's zone folders, which takes longer than a journal command's own work. Each
    name listed here (the pseudo-zones left out) is in :func:`known_zones`, so a name found
    here is known without that walk; any other name is looked up in the whole set.
    """
    try:
        listed = resources.files("tzdata").joinpath("zones").read_text(encoding="utf-8")
    except (ImportError, OSError):
        return frozenset()
    return frozenset(filter(None, map(str.strip, listed.splitlines()))) - PSEUDO_ZONES - _NOT_ZONES


def _known(name: str) -> bool:
    """Whether ``name`` is in :func:`known_zones` (a name of tzdata's list without the walk)."""
    return name in _listed_zones() or name in known_zones()


@functools.cache
def _by_folded() -> dict[str, str]:
    return {_fold(name): name for name in known_zones()}


def _fold(text: str) -> str:
    return "_".join(text.split()).replace(" ", "_").casefold()


def check_zone(name: str, what: str = "time_zone") -> str:
    """The IANA zone ``name`` in the database's spelling; ValueFormatError with a hint if none.

    The zone parser beside :mod:`taperline.core.values` (which may not read the zone
    database): its refusal is a :class:`~taperline.errors.ValueFormatError`, an InputError.

    >>> check_zone("UTC"), check_zone("US/Eastern")
    ('UTC', 'US/Eastern')
    >>> check_zone("localtime")
    Traceback (most recent call last):
    ...
    taperline.errors.ValueFormatError: time_zone 'localtime' is the server's setting, not a place: \
give your IANA time zone, e.g. Europe/London
    """
    text = name.strip()
    misleading = _misleading(name, text, what)
    if misleading is not None:
        raise ValueFormatError(misleading)
    return known_zone(name, what)


def known_zone(name: str, what: str = "time_zone") -> str:
    """A zone of the database in its spelling, misleading ones too (EST, Etc/GMT+1).

    For a zone something was recorded in (a dose line logged under EST before the person gave
    their city), not one a person gives now (:func:`check_zone`).

    >>> known_zone("est"), known_zone("Etc/GMT+1")
    ('EST', 'Etc/GMT+1')
    """
    text = name.strip()
    if _known(text):
        return text
    found = _by_folded().get(_fold(text))
    if found is not None:
        return found
    raise ValueFormatError(_refusal(name, text, what))


def _misleading(name: str, text: str, what: str) -> str | None:
    """Why a zone of the database is refused as the person's own (None: it is not).

    >>> print(_misleading("Etc/GMT+1", "Etc/GMT+1", "time_zone"))  # doctest: +ELLIPSIS
    time_zone 'Etc/GMT+1' is 1 h behind UTC (the database's Etc/GMT signs are reversed)...
    """
    folded = _fold(text)
    key = "gmt" if folded in _GMT_NAMES else folded
    if key in _NO_SUMMER:
        return f"{what} {name!r} is {_NO_SUMMER[key]}"
    offset = _ETC_OFFSET.match(text)
    if offset is not None and int(offset.group(2)):
        side = "behind" if offset.group(1) == "+" else "ahead of"
        return (
            f"{what} {name!r} is {int(offset.group(2))} h {side} UTC (the database's Etc/GMT"
            " signs are reversed), and never follows summer time: give the city whose time you"
            f" live by, e.g. {EXAMPLE} or America/New_York"
        )
    return None


def _refusal(name: str, text: str, what: str) -> str:
    if text in PSEUDO_ZONES or _fold(text) in {_fold(p) for p in PSEUDO_ZONES}:
        return (
            f"{what} {name!r} is the server's setting, not a place: give your IANA time zone, "
            f"e.g. {EXAMPLE}"
        )
    if not text:
        return f"{what} is empty: give your IANA time zone, e.g. {EXAMPLE}"
    region = _fold(text).rstrip("/") + "/"
    inside = sorted(z for z in known_zones() if _fold(z).startswith(region) and z.count("/") == 1)
    if inside:
        shown = [z for z in _PREFERRED if z in inside] + [z for z in inside if z not in _PREFERRED]
        picks = sorted(shown[:3])
        return (
            f"{what} {name!r} is a region, not a time zone: give a city in it, e.g. "
            f"{', '.join(picks[:-1])} or {picks[-1]}"
        )
    if _OFFSET.match(text):  # "GMT+1", "UTC-5", "+01:00": never answered with another offset
        return (
            f"{what} {name!r} is an offset from UTC, not a time zone (an offset does not follow"
            f" the clocks' summer changes): give the city whose time you live by, e.g."
            f" {EXAMPLE} or America/New_York"
        )
    close = difflib.get_close_matches(_fold(text), list(_by_folded()), n=1, cutoff=0.75)
    hint = f" (did you mean {_by_folded()[close[0]]}?)" if close else ""
    return (
        f"{what} {name!r} is not a known IANA time zone{hint}: give one such as {EXAMPLE} or "
        "America/New_York"
    )


@functools.cache
def zone(name: str) -> ZoneInfo:
    """The zone ``name`` for computing a person's dates; InputError when it is not one.

    A name stored by an older taperline that is a pseudo-zone still loads (the data stays
    readable); every new entry goes through :func:`check_zone` first.
    """
    if _known(name):
        return ZoneInfo(name)
    if name in PSEUDO_ZONES:
        try:
            return ZoneInfo(name)
        except (OSError, ValueError):
            pass
    raise InputError(_refusal(name, name.strip(), "time_zone"))
