"""Item text of the PHQ-9 and GAD-7 for the weekly questionnaire page.

The wording lives in :mod:`taperline.core.instruments` (free to reproduce and display,
[KROENKE-2001]), shared with the CLI; the page wants the answers numbered.
"""

from __future__ import annotations

from typing import Final

from taperline.core.instruments import ANSWERS as ANSWER_TEXT
from taperline.core.instruments import GAD7_ITEMS, PHQ9_ITEMS, STEM

__all__ = ["ANSWERS", "GAD7_ITEMS", "PHQ9_ITEMS", "STEM"]

#: (score, answer) pairs in the order the page lists them.
ANSWERS: Final[tuple[tuple[int, str], ...]] = tuple(enumerate(ANSWER_TEXT))
