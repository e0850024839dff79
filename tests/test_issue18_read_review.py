"""An adversarial review of cbfcd77 (issue 18: a cold dashboard's read of a year costs less).

The commit is a pure performance change: SQLite's bulk read (``_RawRead``) reads amounts and
moments by shorter readers of ``ExactDecimal`` and ``UtcDateTime`` (an amount's canonical
decimal kept by its text), ``CheckIn`` and ``SleepDiary`` check their whole numbers at once
in the common case, and the row decoder converted a night's moments inline (by ``to_local``
again since: no gain was measured) and lends a check-in the symptoms dict it decoded.
Nothing anyone can see may change.

Where it can be, the code before the commit (``git show cbfcd77^:<path>``, loaded into a
module of its own) is the oracle: the same inputs, at every door, give the same outcome
(the value, or the same error and message). What is left differs is pinned: a difference
that is a defect as a strict xfail, one that mends an old defect as a passing test of the
right behaviour. The storage contract tests run on SQLite and PostgreSQL (``store``).
"""

from __future__ import annotations

import decimal
import enum
import functools
import gc
import subprocess
import sys
import types
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import fields, replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from sqlalchemy.dialects import postgresql, sqlite

from taperline.adapters.storage import schema as t
from taperline.adapters.storage.repo import KnownRows, Store
from taperline.adapters.storage.repo import common as new_common
from taperline.adapters.storage.repo.checkins import _CHECKINS_BETWEEN
from taperline.adapters.storage.repo.doses import _DOSES_BETWEEN
from taperline.adapters.storage.repo.records import _processor
from taperline.core import journal as new_journal
from taperline.core.journal import CheckIn, SleepDiary, TakenDose, night_times
from taperline.core.quantity import Mass
from taperline.core.record import DoseRecord, Profile
from taperline.errors import CheckInError

REVIEWED = "cbfcd77"
REPO = Path(__file__).resolve().parent.parent
WAKE = date(2027, 1, 5)
LONDON = "Europe/London"
KATHMANDU = "Asia/Kathmandu"
SQLITE = sqlite.dialect()
POSTGRES = postgresql.dialect()


# --- the code before the commit -----------------------------------------------------------------


@functools.cache
def _before(path: str) -> types.ModuleType:
    """``path`` as it was before the reviewed commit, as a module of its own."""
    found = subprocess.run(
        ["git", "show", f"{REVIEWED}^:{path}"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    if found.returncode != 0:
        pytest.skip(f"{REVIEWED}^ is not in this clone: {found.stderr.strip()}")
    name = f"_before_{REVIEWED}_" + path.replace("/", "_").removesuffix(".py")
    module = types.ModuleType(name)
    sys.modules[name] = module  # dataclasses look their module up
    exec(compile(found.stdout, f"{REVIEWED}^:{path}", "exec"), module.__dict__)  # noqa: S102 -- our own history
    return module


def old_journal() -> Any:
    return _before("src/taperline/core/journal.py")


def old_common() -> Any:
    return _before("src/taperline/adapters/storage/repo/common.py")


def old_schema() -> Any:
    return _before("src/taperline/adapters/storage/schema.py")


def _outcome(build: Callable[[], Any]) -> tuple[Any, ...]:
    """What building gives, comparable across the old and new classes: fields, or the error."""
    try:
        made = build()
    except Exception as error:
        return ("error", type(error).__name__, str(error))
    return ("made", *(_shown(getattr(made, f.name)) for f in fields(made)))


def _shown(value: Any) -> Any:
    if isinstance(value, Mapping):
        return (type(value).__name__, sorted(value.items(), key=repr))
    if isinstance(value, (set, frozenset)):
        return (type(value).__name__, sorted(value, key=repr))
    if isinstance(value, datetime):
        return (repr(value), value.fold)
    if hasattr(value, "__dataclass_fields__"):
        return _outcome(lambda: value)
    return (type(value).__name__, repr(value))


# --- odd values -----------------------------------------------------------------------------------


class _Five(enum.IntEnum):
    FIVE = 5


class _Int(int):
    pass


class _Str(str):
    __slots__ = ()


class _FrozenSub(frozenset[Any]):
    pass


class _TupleSub(tuple[Any, ...]):
    pass


class _DictSub(dict[str, Any]):
    pass


class _ListKeyed(Mapping[Any, int]):
    """A mapping whose names are lists (unhashable): only ``items`` and iteration work."""

    def __init__(self, pairs: list[tuple[Any, int]]) -> None:
        self._pairs = pairs

    def __getitem__(self, key: Any) -> int:
        for name, rating in self._pairs:
            if name == key:
                return rating
        raise KeyError(key)

    def __iter__(self) -> Iterator[Any]:
        return iter([name for name, _ in self._pairs])

    def __len__(self) -> int:
        return len(self._pairs)


NUMBERS: tuple[Any, ...] = (
    5,
    0,
    10,
    11,
    -1,
    40,
    41,
    True,
    False,
    5.0,
    "5",
    None,
    np.int64(5),
    _Five.FIVE,
    _Int(5),
    Decimal(5),
    Fraction(5),
    10**100,
)
CHECKIN_NUMBERS = ("mood", "anxiety", "caffeine_drinks", "alcohol_drinks")


def _clock(day: date, hour: int, minute: int = 0, *, fold: int = 0) -> datetime:
    """A naive wall-clock time, as check-ins and dose lines hold them."""
    return datetime.combine(day, time(hour, minute, fold=fold))


def _dose(hour: int, day: date = WAKE) -> TakenDose:
    return TakenDose(_clock(day, hour), Mass.of_mg("0.5"))


#: Each other field of a check-in, with values given every way a caller might (factories:
#: an iterator is used up once). Events given as an iterator, and symptoms named by an
#: unhashable key, differ since the commit and have tests of their own below.
CHECKIN_OTHERS: dict[str, tuple[Callable[[], Any], ...]] = {
    "events": (
        list,
        tuple,
        lambda: {"fall"},
        lambda: frozenset({"fall"}),
        lambda: _FrozenSub({"fall"}),
        lambda: {"fall": 1},
        lambda: "fall",
        lambda: ["fall", "faint"],
        lambda: ["fall", "zzz", "aaa"],
        lambda: [["fall"]],
        lambda: None,
        lambda: 5,
        lambda: [1, "x"],
        lambda: [_Str("fall")],
        lambda: range(3),
    ),
    "doses": (
        tuple,
        list,
        lambda: None,
        lambda: [_dose(22), _dose(8)],
        _TupleSub,
        lambda: _TupleSub((_dose(22), _dose(8))),
        lambda: (_dose(8, WAKE - timedelta(days=1)),),
        lambda: "",
        lambda: 0,
        lambda: {_dose(22): 1},
        lambda: [1],
        lambda: iter([]),  # a generator of doses: kept now, lost before (its own test)
    ),
    "symptoms": (
        dict,
        lambda: {"tremor": 1},
        lambda: MappingProxyType({"tremor": 2}),
        lambda: _DictSub(tremor=1),
        lambda: OrderedDict(tremor=3),
        lambda: {"tremor": True},
        lambda: {"unknown": 1},
        lambda: {"tremor": np.int64(1)},
        lambda: {"tremor": _Int(1)},
        lambda: {_Str("tremor"): 1},
        lambda: {"tremor": 4},
        lambda: {"tremor": -1},
        lambda: {"tremor": 1.0},
        lambda: {"unknown": 9, "tremor": 9},
        lambda: {"tremor": 9, "unknown": 9},
        lambda: _ListKeyed([("tremor", 1)]),
        lambda: None,
        lambda: [("tremor", 1)],
        lambda: {1: 1},
    ),
    "sleep_copied_from": (
        lambda: None,
        lambda: WAKE - timedelta(days=1),
        lambda: WAKE,
        lambda: False,
        lambda: "2027-01-01",
    ),
    "symptoms_copied_from": (
        lambda: None,
        lambda: WAKE - timedelta(days=1),
        lambda: WAKE,
        lambda: False,
        lambda: "",
    ),
    "symptoms_rated": (lambda: True, lambda: False, lambda: 1, lambda: None),
    "worst_time": (lambda: None, lambda: "night", lambda: "noon"),
}


def _checkin_cases() -> list[Any]:
    cases: list[Any] = []
    for name in CHECKIN_NUMBERS:
        cases += [pytest.param({name: lambda v=v: v}, id=f"{name}={v!r}") for v in NUMBERS]
    for first, second in (("mood", "alcohol_drinks"), ("anxiety", "caffeine_drinks")):
        cases += [
            pytest.param(
                {first: lambda v=v: v, second: lambda w=w: w}, id=f"{first}={v!r},{second}={w!r}"
            )
            for v in NUMBERS
            for w in (11, True, "5", 5)
        ]
    for name, makers in CHECKIN_OTHERS.items():
        for n, make in enumerate(makers):
            cases.append(pytest.param({name: make}, id=f"{name}#{n}"))
            cases.append(pytest.param({name: make, "mood": lambda: 11}, id=f"{name}#{n}+mood"))
            cases.append(
                pytest.param({name: make, "events": lambda: ["faint"]}, id=f"{name}#{n}+event")
            )
            cases.append(pytest.param({name: make, "notes": lambda: "\x00"}, id=f"{name}#{n}+nul"))
    return cases


# --- the core: CheckIn and SleepDiary as before --------------------------------------------------


@pytest.mark.parametrize("given_values", _checkin_cases())
def test_a_checkin_is_built_or_refused_as_before(given_values: dict[str, Any]) -> None:
    old = old_journal()

    def build(module: Any) -> Any:
        values = {"mood": 5, "anxiety": 5} | {k: make() for k, make in given_values.items()}
        return module.CheckIn(WAKE, None, **values)

    assert _outcome(lambda: build(new_journal)) == _outcome(lambda: build(old))


NIGHT_NUMBERS = ("clock_shift_min", "sol_min", "waso_min", "awakenings", "quality")
NIGHT_VALUES: tuple[Any, ...] = (
    0,
    1,
    3,
    5,
    6,
    -1,
    50,
    51,
    120,
    121,
    -121,
    720,
    721,
    True,
    False,
    1.0,
    "1",
    None,
    np.int64(1),
    _Int(1),
    Decimal(1),
)


@pytest.mark.parametrize("zone_name", [None, KATHMANDU, "", "Asia Kathmandu", 5])
@pytest.mark.parametrize("value", NIGHT_VALUES, ids=repr)
@pytest.mark.parametrize("name", NIGHT_NUMBERS)
def test_a_night_is_built_or_refused_as_before(name: str, value: Any, zone_name: Any) -> None:
    night = night_times(WAKE, bed="22:30", tried="22:45", final_wake="06:45", out_of_bed="07:00")
    values = {"sol_min": 10, "waso_min": 0, "awakenings": 0, "quality": 3}
    values |= {name: value, "time_zone": zone_name}
    new = _outcome(lambda: SleepDiary(*night, **values))
    assert new == _outcome(lambda: old_journal().SleepDiary(*night, **values))


@pytest.mark.parametrize("value", [-1, 121, True, "1"], ids=repr)
@pytest.mark.parametrize("name", NIGHT_NUMBERS)
def test_a_night_out_of_order_is_refused_for_its_order_first_as_before(
    name: str, value: Any
) -> None:
    bed, tried, final_wake, out_of_bed = night_times(WAKE)
    values = {"sol_min": 10, "waso_min": 0, "awakenings": 0, "quality": 3, name: value}
    new = _outcome(lambda: SleepDiary(tried, bed, final_wake, out_of_bed, **values))
    old = _outcome(lambda: old_journal().SleepDiary(tried, bed, final_wake, out_of_bed, **values))
    assert new == old
    assert new[0] == "error"


@pytest.mark.parametrize(
    "events",
    [lambda: (e for e in ["fall"]), lambda: iter(["fall", "seizure"])],
    ids=["generator", "iterator"],
)
def test_events_given_as_an_iterator_are_kept(events: Callable[[], Any]) -> None:
    """Changed by the commit, for the better: before it, ``set(events)`` used the iterator
    up and ``frozenset(events)`` then kept none (a red flag lost); now they are kept."""
    expected = frozenset(events())
    assert CheckIn(WAKE, None, mood=5, anxiety=5, events=events()).events == expected
    assert old_journal().CheckIn(WAKE, None, mood=5, anxiety=5, events=events()).events == (
        frozenset()
    )


def test_an_unknown_event_given_as_an_iterator_is_still_named() -> None:
    with pytest.raises(CheckInError, match="unknown event 'faint'"):
        CheckIn(WAKE, None, mood=5, anxiety=5, events=(e for e in ["fall", "faint"]))


def test_a_symptom_named_by_an_unhashable_key_is_an_unknown_symptom() -> None:
    old = old_journal()
    with pytest.raises(CheckInError, match=r"unknown symptom \['tremor'\]"):
        old.CheckIn(WAKE, None, mood=5, anxiety=5, symptoms=_ListKeyed([(["tremor"], 1)]))
    with pytest.raises(CheckInError, match=r"unknown symptom \['tremor'\]"):
        CheckIn(WAKE, None, mood=5, anxiety=5, symptoms=_ListKeyed([(["tremor"], 1)]))


def test_doses_given_as_a_generator_are_kept() -> None:
    doses = (d for d in [_dose(22), _dose(8)])
    assert CheckIn(WAKE, None, mood=5, anxiety=5, doses=doses).doses == (_dose(8), _dose(22))


def test_the_symptoms_given_are_copied_whatever_mapping_they_come_in() -> None:
    given_symptoms = _DictSub(tremor=1)
    proxy_source = {"headache": 2}
    first = CheckIn(WAKE, None, mood=5, anxiety=5, symptoms=given_symptoms)
    second = CheckIn(WAKE, None, mood=5, anxiety=5, symptoms=MappingProxyType(proxy_source))
    given_symptoms["tremor"] = 3
    proxy_source["headache"] = 3
    assert (dict(first.symptoms), dict(second.symptoms)) == ({"tremor": 1}, {"headache": 2})
    assert type(first.symptoms) is MappingProxyType


# --- the decoder: inline moments, lent symptoms ---------------------------------------------------

ZONES = (LONDON, KATHMANDU, "Australia/Lord_Howe", "America/St_Johns", "UTC", "Pacific/Apia")
#: Moments near London's and Lord Howe's clock changes (folds and gaps), and plain ones.
NEAR_CHANGES = (
    datetime(2026, 10, 25, 0, 0, tzinfo=UTC),
    datetime(2026, 3, 29, 0, 0, tzinfo=UTC),
    datetime(2027, 4, 3, 14, 0, tzinfo=UTC),
    datetime(2027, 1, 5, 0, 0, tzinfo=UTC),
)


def _row(
    zone_name: str,
    tried_at: datetime,
    *,
    before_min: int,
    asleep_min: int,
    up_min: int,
    person_zone: str,
    symptoms: str = '{"tremor": 1}',
    events: str = '["fall"]',
) -> tuple[Any, ...]:
    """A stored check-in row (``CHECKIN_COLUMNS``' order) as the readers give it."""
    bed_at = tried_at - timedelta(minutes=before_min)
    final_wake_at = tried_at + timedelta(minutes=asleep_min)
    out_of_bed_at = final_wake_at + timedelta(minutes=up_min)
    wake = final_wake_at.astimezone(ZoneInfo(zone_name)).date()
    return (
        wake,
        zone_name,
        bed_at,
        tried_at,
        final_wake_at,
        out_of_bed_at,
        0,  # sol_min
        0,  # waso_min
        0,  # awakenings
        3,  # quality
        5,  # mood
        4,  # anxiety
        symptoms,
        None,
        0,
        0,
        False,
        events,
        "",
        None,
        None,
        None,
        True,
        True,
        person_zone,
    )


@settings(max_examples=300)
@given(
    zone_name=st.sampled_from(ZONES),
    person_zone=st.sampled_from((LONDON, KATHMANDU)),
    near=st.sampled_from(NEAR_CHANGES),
    offset_min=st.integers(-180, 180),
    before_min=st.integers(0, 90),
    asleep_min=st.integers(1, 16 * 60),
    up_min=st.integers(0, 90),
    second=st.integers(0, 59),
    micro=st.sampled_from((0, 1, 999_999)),
)
def test_a_night_decodes_as_before_across_clock_changes(
    zone_name: str,
    person_zone: str,
    near: datetime,
    offset_min: int,
    before_min: int,
    asleep_min: int,
    up_min: int,
    second: int,
    micro: int,
) -> None:
    """The four moments a night decodes are ``to_local``'s: the same clock and ``fold``."""
    tried_at = near + timedelta(minutes=offset_min, seconds=second, microseconds=micro)
    row = _row(
        zone_name,
        tried_at,
        before_min=before_min,
        asleep_min=asleep_min,
        up_min=up_min,
        person_zone=person_zone,
    )
    new = _outcome(lambda: new_common._Decoder().checkin(row))
    assert new == _outcome(lambda: old_common()._Decoder().checkin(row))


def test_a_fold_time_keeps_its_fold() -> None:
    """01:30 twice in London on 25 October 2026: the second is fold 1, as ``to_local`` says."""
    row = _row(
        LONDON,
        datetime(2026, 10, 24, 23, 20, tzinfo=UTC),
        before_min=10,
        asleep_min=130,  # 01:30 BST is 00:30 UTC; 01:30 GMT is 01:30 UTC
        up_min=30,
        person_zone=LONDON,
    )
    sleep = new_common._Decoder().checkin(row).sleep
    assert sleep is not None
    assert (sleep.final_wake, sleep.final_wake.fold) == (_clock(date(2026, 10, 25), 1, 30), 1)
    assert sleep.clock_shift_min == -60
    assert sleep == old_common()._Decoder().checkin(row).sleep


def _underlying(proxy: Mapping[str, int]) -> dict[str, int]:
    """The dict a MappingProxyType shows (to change it behind the proxy's back)."""
    (found,) = [r for r in gc.get_referents(proxy) if isinstance(r, dict)]
    return found


def test_two_checkins_decoded_from_one_symptoms_text_share_no_dict() -> None:
    decode = new_common._Decoder()
    night = _row(
        LONDON,
        datetime(2027, 1, 4, 23, 0, tzinfo=UTC),
        before_min=10,
        asleep_min=420,
        up_min=10,
        person_zone=LONDON,
    )
    row = (night[0], LONDON, *[None] * 8, *night[10:])  # no night: any date will do
    later = (row[0] + timedelta(days=1), *row[1:])
    one, other = decode.checkin(row), decode.checkin(later)
    assert one.symptoms == other.symptoms == {"tremor": 1}
    _underlying(one.symptoms)["tremor"] = 3
    _underlying(one.symptoms)["headache"] = 2
    assert dict(other.symptoms) == {"tremor": 1}
    assert dict(decode.checkin(row).symptoms) == {"tremor": 1}  # the decoder's own is intact


# --- the store: rows it wrote, and rows written raw (SQLite and PostgreSQL) -----------------------


def _person(store: Store, time_zone: str = LONDON) -> int:
    return store.create_person(Profile(time_zone, "40-64"))


def _raw(store: Store, sql: str, **params: Any) -> None:
    with store.engine.begin() as c:
        c.execute(text(sql), params)


def _pg(store: Store) -> bool:
    return store.engine.dialect.name == "postgresql"


def _stored_rows(store: Store, pid: int) -> list[Any]:
    with store.engine.connect() as c:
        return list(
            c.execute(_CHECKINS_BETWEEN, {"person_id": pid, "start": date.min, "end": date.max})
        )


def test_checkins_sharing_stored_symptoms_share_no_dict_in_a_read(store: Store) -> None:
    pid = _person(store)
    for n in range(3):
        store.save_checkin(
            pid, CheckIn(WAKE + timedelta(days=n), None, mood=5, anxiety=4, symptoms={"tremor": 2})
        )
    for read in (
        lambda: store.record(pid).checkins,
        lambda: tuple(store.checkins(pid)),
        lambda: store.record(pid, known=KnownRows()).checkins,
    ):
        first, second, third = read()
        _underlying(first.symptoms)["tremor"] = 0
        _underlying(second.symptoms).clear()
        assert dict(third.symptoms) == {"tremor": 2}
        assert dict(read()[0].symptoms) == {"tremor": 2}


@pytest.mark.parametrize(
    ("stored", "expected"),
    [("[]", {}), ('[["tremor", 2]]', {"tremor": 2})],
    ids=["empty-array", "array-of-pairs"],
)
def test_stored_symptoms_given_as_an_array_read_as_before(
    store: Store, stored: str, expected: dict[str, int]
) -> None:
    """Before cbfcd77, ``dict(found)`` made any pairs a dict: so does the read now."""
    pid = _person(store)
    store.save_checkin(pid, CheckIn(WAKE, None, mood=5, anxiety=4))
    cast = "CAST(:s AS JSON)" if _pg(store) else ":s"
    _raw(store, f"UPDATE checkins SET symptoms_0_3 = {cast} WHERE person_id = :p", s=stored, p=pid)  # noqa: S608 -- our own SQL
    (row,) = _stored_rows(store, pid)
    assert dict(old_common()._Decoder().checkin(row).symptoms) == expected
    (read,) = store.record(pid).checkins
    assert dict(read.symptoms) == expected


def test_a_stored_night_decodes_as_before_in_a_moved_zone_and_a_fold(store: Store) -> None:
    """A night logged in Kathmandu, then the person moved to London; and London's 01:30 fold."""
    pid = _person(store, KATHMANDU)
    store.save_checkin(
        pid,
        CheckIn(
            WAKE,
            SleepDiary(*night_times(WAKE), sol_min=10, waso_min=0, awakenings=0),
            mood=5,
            anxiety=4,
            symptoms={"tremor": 1},
            events=frozenset({"fall"}),
        ),
    )
    store.update_profile(pid, replace(store.profile(pid), time_zone=LONDON))
    fold_wake = date(2026, 10, 25)
    tried, out_of_bed = _clock(fold_wake, 0, 20), _clock(fold_wake, 2)
    fold_night = SleepDiary(
        tried - timedelta(minutes=10),
        tried,
        _clock(fold_wake, 1, 30, fold=1),
        out_of_bed,
        sol_min=5,
        waso_min=0,
        awakenings=0,
    )
    store.save_checkin(pid, CheckIn(fold_wake, fold_night, mood=5, anxiety=4))
    expected = tuple(old_common()._Decoder().checkin(row) for row in _stored_rows(store, pid))
    for read in (store.record(pid).checkins, tuple(store.checkins(pid))):
        assert [_outcome(lambda c=c: c) for c in read] == [
            _outcome(lambda c=c: c) for c in expected
        ]
    folded, moved = store.record(pid).checkins  # by date
    assert moved.sleep is not None
    assert moved.sleep.time_zone == KATHMANDU
    assert folded.sleep is not None
    assert folded.sleep.final_wake.fold == 1


#: Amounts as text another writer might leave in SQLite's text column, and what they read as.
SQLITE_AMOUNTS = {
    "0.50": "0.5",
    "1E+1": "10",
    "1e1": "10",
    "5e-1": "0.5",
    "1.000000000000000000001": "1.000000000000000000001",
    " 0.5": "0.5",
    "0.5 ": "0.5",
    "+0.5": "0.5",
    "00.5": "0.5",
    ".5": "0.5",
    "5.": "5",
    "2.50000": "2.5",
    "\u0661": "1",  # ARABIC-INDIC DIGIT ONE
    "1.0000000000000000000000000001": "1",  # 29 digits: rounded to 28, as ever
}
#: Amounts PostgreSQL's NUMERIC takes, and what they read as.
PG_AMOUNTS = {
    "0.50": "0.5",
    "1E+1": "10",
    "5e-1": "0.5",
    "1.000000000000000000001": "1.000000000000000000001",
    "2.50000": "2.5",
    ".5": "0.5",
    "5.": "5",
}


def _amounts(store: Store, pid: int) -> dict[str, list[tuple[str, str]]]:
    def shown(doses: Any) -> list[tuple[str, str]]:
        return [(str(d.planned_amount.value), str(d.amount.value)) for d in doses]

    known = KnownRows()
    return {
        "record": shown(store.record(pid, known=known).doses),
        "again": shown(store.record(pid, known=known).doses),
        "fresh": shown(store.record(pid).doses),
        "slow": shown(store.doses(pid)),
    }


def _dose_row(store: Store) -> int:
    pid = _person(store)
    store.log_dose(
        pid,
        DoseRecord(
            WAKE,
            "clonazepam",
            "22:00",
            Mass.of_mg("0.5"),
            _clock(WAKE, 22),
            Mass.of_mg("0.5"),
        ),
    )
    return pid


def test_amounts_written_raw_read_as_before(store: Store) -> None:
    amounts = PG_AMOUNTS if _pg(store) else SQLITE_AMOUNTS
    cast = "CAST(:v AS NUMERIC)" if _pg(store) else ":v"
    for stored, expected in amounts.items():
        pid = _dose_row(store)
        _raw(
            store,
            f"UPDATE dose_log SET amount_mg = {cast}, planned_amount_mg = {cast}"  # noqa: S608 -- ours
            " WHERE person_id = :p",
            v=stored,
            p=pid,
        )
        read = _amounts(store, pid)
        assert read == {how: [(expected, expected)] for how in read}, stored


@pytest.mark.parametrize(
    "stored",
    ["abc", "", "1E+30", "NaN", "Infinity", "-0", "0.0", b"0.5"],
    ids=["text", "empty", "huge", "nan", "infinity", "minus-zero", "zero", "blob"],
)
def test_a_wrong_amount_written_raw_is_refused_as_by_the_processors(
    stored: Any, tmp_path: Path
) -> None:
    """SQLite only (its text column holds anything): the bulk read raises what the typed read
    (SQLAlchemy's processors, ``Store.doses``) raises."""
    from taperline.service import open_store

    store = open_store(f"sqlite:///{tmp_path}/raw.db")
    pid = _dose_row(store)
    _raw(store, "UPDATE dose_log SET amount_mg = :v WHERE person_id = :p", v=stored, p=pid)
    expected = _outcome(lambda: store.doses(pid))
    assert expected[0] == "error"
    assert _outcome(lambda: store.record(pid)) == expected
    assert _outcome(lambda: store.record(pid)) == expected  # nothing kept from a failure


#: Moments as text in SQLite's text column (the store writes the first), read the same by the
#: bulk read and the typed read; the wrong ones refused alike.
SQLITE_MOMENTS = (
    "2027-01-05 06:35:00.000000",
    "2027-01-05T06:35:00",
    "2027-01-05 06:35:00",
    "2027-01-05 06:35",
    "2027-01-05 06:35:00.5",
    "2027-01-05 06:35:00.123",
    "2027-01-05 06:35:00,5",
    "2027-01-05 06:35:00.999999",
    "20270105T063500",
    "2027-01-05 06:35:00+01:00",
    "2027-01-05 06:35:00Z",
    "2027-01-05 24:00:00",
    "1700000000",
)


@pytest.mark.parametrize("stored", SQLITE_MOMENTS)
def test_moments_written_raw_read_as_by_the_processors(stored: str, tmp_path: Path) -> None:
    from taperline.service import open_store

    store = open_store(f"sqlite:///{tmp_path}/raw.db")
    pid = _dose_row(store)
    store.save_checkin(
        pid,
        CheckIn(WAKE, SleepDiary(*night_times(WAKE), sol_min=10, waso_min=0, awakenings=0), 5, 4),
    )
    _raw(store, "UPDATE dose_log SET taken_at_utc = :v WHERE person_id = :p", v=stored, p=pid)
    _raw(store, "UPDATE checkins SET final_wake_at_utc = :v WHERE person_id = :p", v=stored, p=pid)

    def typed() -> tuple[Any, ...]:
        return (*store.doses(pid), *store.checkins(pid))

    def bulk() -> tuple[Any, ...]:
        record = store.record(pid)
        return (*record.doses, *record.checkins)

    assert _read(bulk) == _read(typed)


def _read(read: Callable[[], tuple[Any, ...]]) -> tuple[Any, ...]:
    """What a read gives: each value's fields (folds shown), or the error."""
    try:
        values = read()
    except Exception as error:
        return ("error", type(error).__name__, str(error))
    return tuple(_outcome(lambda v=v: v) for v in values)


def test_a_blob_moment_is_refused_with_a_type_error_as_before(tmp_path: Path) -> None:
    """A blob in a moment's text column: a TypeError either way (its message differs:
    "can't concat str to bytes", not "bytes.replace() takes no keyword arguments")."""
    from taperline.service import open_store

    store = open_store(f"sqlite:///{tmp_path}/raw.db")
    pid = _dose_row(store)
    _raw(store, "UPDATE dose_log SET taken_at_utc = :v WHERE person_id = :p", v=b"x", p=pid)
    with pytest.raises(TypeError):
        store.doses(pid)
    with pytest.raises(TypeError):
        store.record(pid)


# --- the readers themselves ---------------------------------------------------------------------

decimal_texts = st.one_of(
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.decimals(allow_nan=False, allow_infinity=False, places=6).map(lambda d: f"{d:f}"),
    st.from_regex(r"\A[ +-]?[0-9]{0,30}(\.[0-9]{0,30})?([eE][+-]?[0-9]{1,3})?\Z"),
)


def _call(f: Callable[[Any], Any], value: Any) -> tuple[Any, ...]:
    try:
        got = f(value)
    except Exception as error:
        return ("error", type(error).__name__)
    return ("value", str(got), type(got).__name__)


@given(decimal_texts)
def test_the_kept_amount_reader_reads_any_text_as_the_old_processor(stored: str) -> None:
    reader = _processor(t.ExactDecimal(), SQLITE, None)
    assert reader is not None
    old = old_schema().ExactDecimal()
    expected = _call(lambda v: old.process_result_value(v, SQLITE), stored)
    assert _call(reader, stored) == expected
    assert _call(reader, stored) == expected  # kept
    assert _call(reader, _Str(stored)) == expected  # a text of another type: a key of its own


def test_equal_texts_of_unequal_canonical_decimals_are_kept_apart() -> None:
    reader = _processor(t.ExactDecimal(), SQLITE, None)
    assert reader is not None
    assert [str(reader(v)) for v in ("0", "-0", "0", "-0.0", "0.00", "1E+1", "10", "1.0")] == [
        "0",
        "-0",
        "0",
        "-0",
        "0",
        "10",
        "10",
        "1",
    ]


@pytest.mark.parametrize("number", [0.5, -0.0, 0.0, 1, True], ids=repr)
def test_sqlite_gives_the_amount_reader_text_whatever_number_was_written(
    number: Any, tmp_path: Path
) -> None:
    """The kept reader is keyed by type and value: SQLite's text column (VARCHAR: text
    affinity) turns any number written into it into text, so it never sees equal numbers
    of one type with different canonical decimals (the reader keeps only text: see below)."""
    from taperline.service import open_store

    store = open_store(f"sqlite:///{tmp_path}/raw.db")
    pid = _dose_row(store)
    _raw(store, "UPDATE dose_log SET amount_mg = :v WHERE person_id = :p", v=number, p=pid)
    with store.engine.connect() as c:
        kind = c.execute(text("SELECT typeof(amount_mg) FROM dose_log")).scalar_one()
    assert kind == "text"


@pytest.mark.parametrize(
    ("first", "then"),
    [(0.0, -0.0), (Decimal("0"), Decimal("-0"))],
    ids=["float", "decimal"],
)
def test_the_kept_reader_keeps_signed_zeros_apart_given_numbers(first: Any, then: Any) -> None:
    reader = _processor(t.ExactDecimal(), SQLITE, None)
    assert reader is not None
    old = old_schema().ExactDecimal()
    try:
        reader(first)
        assert str(reader(then)) == str(old.process_result_value(then, SQLITE)) == "-0"
    finally:
        t._exact_of_text.cache_clear()  # what this test kept is no other test's


@given(
    st.datetimes(min_value=_clock(date(1, 1, 2), 0), max_value=_clock(date(9999, 12, 30), 0)),
    st.sampled_from(["%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"]),
)
def test_the_moment_reader_reads_any_iso_text_as_the_old_processor(
    moment: datetime, layout: str
) -> None:
    reader = _processor(t.UtcDateTime(), SQLITE, None)
    assert reader is not None
    stored = moment.strftime(layout)
    old = old_schema().UtcDateTime()
    expected = _call(lambda v: old.process_result_value(v, SQLITE), stored)
    assert _call(reader, stored) == expected


@pytest.mark.parametrize(
    "statement", [_CHECKINS_BETWEEN, _DOSES_BETWEEN], ids=["checkins", "doses"]
)
def test_only_our_two_types_read_by_a_reader_of_their_own(statement: Any) -> None:
    assert {
        type(column.type).__name__
        for column in statement.selected_columns
        if getattr(column.type, "result_reader", None) is not None
    } <= {"ExactDecimal", "UtcDateTime"}
    # PostgreSQL: none of the columns has one; each gets the dialect's processor, as before
    for column in statement.selected_columns:
        reader = getattr(column.type, "result_reader", None)
        assert reader is None or reader(POSTGRES) is None


@pytest.mark.parametrize(
    ("type_", "code", "values"),
    [
        (t.ExactDecimal(), 1700, [Decimal("0.50"), Decimal("1E+1"), Decimal("-0"), None]),
        (t.UtcDateTime(), 1114, [_clock(date(2026, 10, 25), 1, 30).replace(microsecond=5), None]),
    ],
    ids=["numeric", "timestamp"],
)
def test_postgresql_reads_by_the_processors_before_the_commit(
    type_: Any, code: int, values: list[Any]
) -> None:
    now = _processor(type_, POSTGRES, code)
    old_type = getattr(old_schema(), type(type_).__name__)()
    before = old_type.dialect_impl(POSTGRES).result_processor(POSTGRES, code)
    assert now is not None
    assert before is not None
    for value in values:
        assert _call(now, value) == _call(before, value)
        got = now(value)
        assert got is None or str(got) == str(before(value))


def test_an_amount_read_under_another_decimal_context_reads_exactly_later(tmp_path: Path) -> None:
    from taperline.service import open_store

    store = open_store(f"sqlite:///{tmp_path}/raw.db")
    pid = _dose_row(store)
    stored = "0.1234567891"
    _raw(store, "UPDATE dose_log SET amount_mg = :v WHERE person_id = :p", v=stored, p=pid)
    try:
        with decimal.localcontext(prec=5):
            store.record(pid)
        assert str(store.doses(pid)[0].amount.value) == stored  # the typed read: exact
        assert str(store.record(pid).doses[0].amount.value) == stored
    finally:
        t._exact_of_text.cache_clear()  # what this test kept is no other test's
