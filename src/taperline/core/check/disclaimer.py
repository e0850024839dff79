"""The footer of every check and lesson: :data:`DISCLAIMER`.

In a module of its own so that ``taperline learn`` prints it without importing the check's
request and report types (:mod:`taperline.core.check.request`, which re-exports it).
"""

from __future__ import annotations

from typing import Final

__all__ = ["DISCLAIMER"]

#: The footer of every check and lesson.
DISCLAIMER: Final = "taperline supports your prescriber; it does not replace them."
