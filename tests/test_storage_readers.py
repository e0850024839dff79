"""A bulk read's shorter result readers give what SQLAlchemy's processors give (issue 18).

On SQLite, :class:`ExactDecimal` and :class:`UtcDateTime` read a column by a function of
their own (``result_reader``: no decorator wrapper, and each stored amount worked out once)
where the cold dashboard reads a year of check-ins and doses. Whatever the type writes, the
reader gives the value ``process_result_value`` gives, to the digit and the offset;
elsewhere (PostgreSQL) the dialect's processor is used as before.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.dialects import postgresql, sqlite

from taperline.adapters.storage.repo.records import _processor
from taperline.adapters.storage.schema import ExactDecimal, UtcDateTime

SQLITE = sqlite.dialect()
POSTGRES = postgresql.dialect()

amounts = st.decimals(allow_nan=False, allow_infinity=False, min_value=0, max_value=10**6)


@given(amounts, st.integers(0, 4))
def test_an_amount_reads_as_the_processor_reads_it(amount: Decimal, zeros: int) -> None:
    column = ExactDecimal()
    text = column.process_bind_param(amount, SQLITE)
    padded = text + ("0" * zeros if "." in text else "." + "0" * zeros if zeros else "")
    reader = _processor(column, SQLITE, None)
    assert reader is not None
    for stored in (text, padded, text):  # read again: the kept value
        expected = column.process_result_value(stored, SQLITE)
        assert expected is not None
        got = reader(stored)
        assert (str(got), got) == (str(expected), expected)
    assert reader(None) is None


def test_equal_amounts_written_differently_read_as_one_canonical_decimal() -> None:
    reader = _processor(ExactDecimal(), SQLITE, None)
    assert reader is not None
    assert [str(reader(text)) for text in ("0.50", "0.5", "1.000", "1", "10", "1E+1")] == [
        "0.5",
        "0.5",
        "1",
        "1",
        "10",
        "10",
    ]


@given(st.datetimes(timezones=st.just(UTC)))
def test_a_moment_reads_as_the_processor_reads_it(moment: datetime) -> None:
    column = UtcDateTime()
    stored = column.process_bind_param(moment, SQLITE)
    reader = _processor(column, SQLITE, None)
    assert reader is not None
    got, expected = reader(stored), column.process_result_value(stored, SQLITE)
    assert got == expected == moment
    assert got is not None
    assert got.utcoffset() == expected.utcoffset() == UTC.utcoffset(None)
    assert reader(None) is None


def test_other_databases_keep_the_dialects_processors() -> None:
    assert ExactDecimal().result_reader(POSTGRES) is None
    assert UtcDateTime().result_reader(POSTGRES) is None
    # psycopg gives a Decimal (NUMERIC, type code 1700) and a naive datetime: converted as
    # the decorators' process_result_value converts them
    amount = _processor(ExactDecimal(), POSTGRES, 1700)
    assert amount is not None
    assert str(amount(Decimal("0.50"))) == "0.5"
    moment = _processor(UtcDateTime(), POSTGRES, 1114)
    assert moment is not None
    aware = datetime(2027, 1, 5, 7, 0, tzinfo=UTC)
    assert moment(aware.replace(tzinfo=None)) == aware
