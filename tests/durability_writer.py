"""The writing process of ``tests/test_durability.py``, killed with SIGKILL at random moments.

Usage::

    python tests/durability_writer.py URL PERSON_ID START STOP

Logs one dose per key ``dose-000START`` ... ``dose-(STOP-1)`` for the person through
:class:`~taperline.adapters.storage.repo.Store`, each in its own transaction with an idempotency
key. Prints ``ready`` once the database is open, then, for each write, ``ack KEY CREATED``
(CREATED is 1 when this call stored it, 0 when an earlier attempt had) only after the
transaction has committed: that line is the acknowledgement. Each line goes to stdout in one
``write`` call, so a kill never leaves half a line behind a complete one.

The dose of key number ``n`` is fully determined by ``n`` (:func:`dose_for`), so the test can
check every stored value, not only the keys.
"""

from __future__ import annotations

import os
import sys
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from taperline.adapters.storage.db import make_engine
from taperline.adapters.storage.repo import Store
from taperline.core.quantity import Mass
from taperline.core.record import DoseRecord

FIRST_DAY = date(2027, 1, 1)


def key_for(number: int) -> str:
    """The idempotency key of write ``number``."""
    return f"dose-{number:06d}"


def amount_for(number: int) -> Decimal:
    """An exact amount in mg: a sixteenth of a milligram times 1 to 16 (0.0625 ... 1)."""
    return Decimal(number % 16 + 1) / 16


def dose_for(number: int) -> DoseRecord:
    """The dose-log line that write ``number`` stores (four a day, taken ten minutes late)."""
    day = FIRST_DAY + timedelta(days=number // 4)
    clock = time(6 + 4 * (number % 4), 0)
    taken = datetime.combine(day, clock) + timedelta(minutes=10)
    amount = Mass.of_mg(amount_for(number))
    return DoseRecord(day, "clonazepam", clock.strftime("%H:%M"), amount, taken, amount)


def main(argv: list[str]) -> int:
    """Write doses START..STOP-1, acknowledging each after its commit."""
    url, person, start, stop = argv[0], int(argv[1]), int(argv[2]), int(argv[3])
    store = Store(make_engine(url))
    os.write(1, b"ready\n")
    for number in range(start, stop):
        saved = store.log_dose(person, dose_for(number), idempotency_key=key_for(number))
        # log_dose has returned: its transaction committed. Only now acknowledge it.
        os.write(1, f"ack {key_for(number)} {int(saved.created)}\n".encode())
    store.engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
