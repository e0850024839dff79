"""What storage counts of earlier throttled attempts: a plain value, no SQL.

:class:`~taperline.adapters.storage.accounts.Accounts` counts a sign-in's or an invite
code's earlier failures into a :class:`Throttle`; the web app's policy
(:func:`taperline.web.security.throttle_wait`) decides from it how long to wait. This module
imports nothing heavy, so that policy can use the type without loading SQLAlchemy.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

__all__ = ["ACCOUNT_WINDOW", "Throttle"]

ACCOUNT_WINDOW: Final = timedelta(hours=1)  # failures per account are counted over an hour


@dataclass(frozen=True, slots=True)
class Throttle:
    """Earlier failures of an account and an address.

    Of the account in the last hour, of the address (whatever the account) in the address
    window, and of the account from this address in the last hour.
    """

    account_failures_hour: int
    address_failures: int
    address_last_failure: datetime | None
    pair_failures_hour: int = 0
    pair_last_failure: datetime | None = None
