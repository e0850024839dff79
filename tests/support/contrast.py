"""The WCAG 2.2 contrast ratio of two colours, and the least the app's colours must reach
(tests/test_web_theme.py from the style sheet, the browser tests from computed colours).

Text at least 4.5:1 on its background (``TEXT_MIN``) [WCAG 2.2, 1.4.3]; a focus ring, a
chart's lines and marks at least 3:1 (``FOCUS_MIN``) [WCAG 2.2, 1.4.11 and 2.4.13].
"""

from __future__ import annotations

FOCUS_MIN = 3.0
TEXT_MIN = 4.5


def luminance(colour: str) -> float:
    """Relative luminance of ``#rrggbb`` [WCAG 2.2, definition]."""

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    """The contrast ratio of two colours, 1 to 21.

    >>> round(contrast("#ffffff", "#000000"), 1)
    21.0
    """
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)
