"""Item text of the PHQ-9 and GAD-7, shown on the weekly questionnaire page.

Both questionnaires are free to reproduce and display ("no permission required", Pfizer)
[KROENKE-2001]; scoring lives in :mod:`taperline.core.instruments`.
"""

from __future__ import annotations

from typing import Final

__all__ = ["ANSWERS", "GAD7_ITEMS", "PHQ9_ITEMS", "STEM"]

STEM: Final = "Over the last 2 weeks, how often have you been bothered by the following?"

ANSWERS: Final[tuple[tuple[int, str], ...]] = (
    (0, "Not at all"),
    (1, "Several days"),
    (2, "More than half the days"),
    (3, "Nearly every day"),
)

PHQ9_ITEMS: Final[tuple[str, ...]] = (
    "Little interest or pleasure in doing things",
    "Feeling down, depressed, or hopeless",
    "Trouble falling or staying asleep, or sleeping too much",
    "Feeling tired or having little energy",
    "Poor appetite or overeating",
    "Feeling bad about yourself, or that you are a failure or have let yourself or your"
    " family down",
    "Trouble concentrating on things, such as reading the newspaper or watching television",
    "Moving or speaking so slowly that other people could have noticed; or the opposite,"
    " being so fidgety or restless that you have been moving around a lot more than usual",
    "Thoughts that you would be better off dead, or of hurting yourself in some way",
)

GAD7_ITEMS: Final[tuple[str, ...]] = (
    "Feeling nervous, anxious, or on edge",
    "Not being able to stop or control worrying",
    "Worrying too much about different things",
    "Trouble relaxing",
    "Being so restless that it is hard to sit still",
    "Becoming easily annoyed or irritable",
    "Feeling afraid, as if something awful might happen",
)
