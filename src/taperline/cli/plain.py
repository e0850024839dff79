r"""Lines and tables as the CLI's Rich console draws them, without Rich where that is certain.

Rich takes 20-30 ms to import and about as long again to draw ``taperline status``'s table,
a third of what the command costs above the library floor (issue 19, section 1). Where the
output is not a terminal (a pipe, a file, a script reading it), Rich draws no style: a line of
ASCII text is its text without the markup tags, wrapped at the console's width by Rich's
rule, and a table of ASCII cells is box lines and spaces. :class:`Printer` draws those cases
itself and hands everything else to Rich (a terminal, other characters, emoji codes, markup
it does not read the same way), so what is printed is Rich's to the byte:
tests/test_cli_plain.py checks it against Rich for any text and any table.

>>> import io, contextlib
>>> out = io.StringIO()
>>> with contextlib.redirect_stdout(out):
...     Printer().print("[bold]Today, 2027-03-31[/bold]")
>>> out.getvalue()
'Today, 2027-03-31\n'
"""

from __future__ import annotations

import itertools
import os
import re
import sys
from collections.abc import Sequence
from typing import Any

__all__ = ["WIDTH", "Printer", "console_width", "plain_output", "rule_line", "text_lines"]

#: The console's width when the output is not a terminal (:func:`taperline.cli.render.console`).
WIDTH = 120

#: A markup tag as Rich reads one (``rich.markup.RE_TAGS``, without its backslash escapes).
_TAG = re.compile(r"\[([a-z#/@][^[]*?)]")
#: The tags read here: a style of one word, its close, or ``[/]``; any other goes to Rich.
_SIMPLE_TAG = re.compile(r"/?[a-z]*")
#: What could be an emoji code (``rich._emoji_replace``): a line with one goes to Rich.
_EMOJI = re.compile(r":\S*?:")
#: One word and the whitespace after it (``rich._wrap.re_word``).
_WORD = re.compile(r"\s*\S+\s*")
_TRAILING = re.compile(r"\s+$")

# Rich's HEAVY_HEAD box: the top, the header row, the line under it, a row, the bottom.
_TOP, _HEAD, _UNDER, _ROW, _BOTTOM = ("┏━┳┓", "┃ ┃┃", "┡━╇┩", "│ ││", "└─┴┘")


def plain_output() -> bool:
    """Whether Rich would draw to stdout with no colour and no terminal codes, for certain.

    Not a terminal, no ``FORCE_COLOR`` or ``TTY_COMPATIBLE`` (either makes Rich treat it as
    one), a UTF encoding (Rich draws ASCII boxes otherwise) and not Windows (its legacy
    console is one column narrower).
    """
    if sys.platform == "win32" or {"FORCE_COLOR", "TTY_COMPATIBLE"} & set(os.environ):
        return False
    encoding = (getattr(sys.stdout, "encoding", None) or "utf-8").lower()
    isatty = getattr(sys.stdout, "isatty", None)
    try:
        terminal = isatty is not None and bool(isatty())
    except ValueError:  # a closed stream: Rich says not a terminal too
        terminal = False
    return encoding.startswith("utf") and not terminal


#: Characters past ASCII that Rich draws one cell wide (tests/test_cli_plain.py asks Rich).
_ONE_CELL = frozenset(
    "\u2013\u2014\u2018\u2019\u201c\u201d\u2022\u2026\u00d7\u00f7\u00b1\u2264\u2265\u2192\u2190\u00b0\u00b5\u20ac\u00a3"
)  # en and em dashes, quotation marks, bullet, ellipsis, signs, arrows, degree, micro, euro, pound


def _one_cell(c: str) -> bool:
    return " " <= c <= "~" or ("\xa0" <= c <= "\xff" and c.isprintable()) or c in _ONE_CELL


def _printable(text: str, width: int = WIDTH) -> bool:
    """Lines Rich draws as they are, or wraps by :func:`_wrapped`'s rule, at ``width``.

    Every character printable (Rich drops some control characters and expands tabs) and
    either one cell wide, or each line so short that it fits even at two cells a character.
    """
    lines = text.split("\n")
    chars = set(text.replace("\n", ""))  # each character asked once (a lesson is 13k of ~80)
    if all(_one_cell(c) for c in chars):
        return True
    return all(c.isprintable() for c in chars) and (2 * max(len(line) for line in lines) <= width)


#: The narrowest console drawn here (Rich's rules and wrapping are plain above it).
_NARROWEST = 20


def console_width() -> int:
    """The width of a Rich ``Console()`` made without one, off Windows (``Console.size``).

    ``COLUMNS`` when it is a number; else the size of the first of stdin, stdout and stderr
    that is a terminal; else 80.
    """
    columns = os.environ.get("COLUMNS")
    if columns is not None and columns.isdecimal():
        return int(columns)
    width = 0
    for descriptor in (0, 1, 2):
        try:
            width = os.get_terminal_size(descriptor).columns
        except (AttributeError, ValueError, OSError):  # not a terminal
            continue
        break
    return width or 80


def text_lines(text: str, width: int) -> str | None:
    """``text`` as Rich prints a ``Text`` of it at ``width`` (None: Rich must draw it).

    A ``Text`` is not read for markup or emoji codes: only wrapped.
    """
    if width < _NARROWEST or not _printable(text, width):
        return None
    return _wrapped(text, width)


def rule_line(title: str, width: int) -> str | None:
    """Rich's ``Console.rule(title, align="left")`` at ``width`` (None: Rich must draw it)."""
    if width < _NARROWEST or len(title) > width - 2 or not all(_one_cell(c) for c in title):
        return None
    return f"{title} {'─' * (width - len(title) - 1)}"


def _unmarked(text: str) -> str | None:
    """``text`` without its markup tags, as Rich prints it; None when Rich should read it."""
    if "\\" in text:
        return None  # Rich's escapes
    opened: list[str] = []
    for tag in _TAG.findall(text):
        if not _SIMPLE_TAG.fullmatch(tag):
            return None
        if not tag.startswith("/"):
            opened.append(tag)
        elif tag == "/" and opened:
            opened.pop()
        elif tag[1:] in opened:
            del opened[len(opened) - 1 - opened[::-1].index(tag[1:])]
        else:
            return None  # a close with nothing open: Rich's MarkupError
    return _TAG.sub("", text)


def _breaks(line: str, width: int) -> list[int]:
    """Where Rich breaks a line of single-cell characters (``rich._wrap.divide_line``)."""
    breaks: list[int] = []
    offset = 0
    for word in _WORD.finditer(line):
        start, text = word.start(), word.group()
        length = len(text.rstrip())
        if width - offset >= length:
            offset += len(text)
        elif length > width:  # folded across lines
            pieces = [text[i : i + width] for i in range(0, len(text), width)]
            for piece in pieces[:-1]:
                if start:
                    breaks.append(start)
                start += len(piece)
            if start:
                breaks.append(start)
            offset = len(pieces[-1])
        elif offset and start:
            breaks.append(start)
            offset = len(text)
    return breaks


def _wrapped(text: str, width: int) -> str:
    """``text`` wrapped as Rich wraps it (single-cell characters, no justification)."""
    lines: list[str] = []
    for line in text.split("\n"):
        ends = [0, *_breaks(line, width), len(line)]
        for start, end in itertools.pairwise(ends):
            piece = line[start:end]
            if len(piece) > width:  # Rich's rstrip_end, then its truncation
                space = _TRAILING.search(piece)
                if space is not None:
                    piece = piece[: len(piece) - min(len(space.group()), len(piece) - width)]
                piece = piece[:width]
            lines.append(piece)
    return "\n".join(lines)


def _table_text(title: str, columns: Sequence[str], rows: Sequence[Sequence[str]]) -> str | None:
    """A table of right-justified columns as Rich draws it (None: Rich draws it)."""
    cells = [title, *columns, *(cell for row in rows for cell in row)]
    if not columns or any(len(row) != len(columns) for row in rows):
        return None
    if any(not c.isascii() or not c.isprintable() or "[" in c or c != c.strip() for c in cells):
        return None
    if any(_EMOJI.search(c) for c in cells):
        return None
    widths = [
        max([len(column), *(len(row[i]) for row in rows)]) for i, column in enumerate(columns)
    ]
    total = sum(widths) + 3 * len(widths) + 1
    if total > WIDTH or len(title) > total:
        return None

    def rule(box: str) -> str:
        return box[0] + box[2].join(box[1] * (w + 2) for w in widths) + box[3]

    def row(box: str, values: Sequence[str]) -> str:
        inner = box[2].join(f" {v.rjust(w)} " for v, w in zip(values, widths, strict=True))
        return box[0] + inner + box[3]

    left = (total - len(title)) // 2
    lines = [" " * left + title + " " * (total - left - len(title)) if title else None]
    lines += [rule(_TOP), row(_HEAD, columns), rule(_UNDER)]
    lines += [row(_ROW, values) for values in rows]
    lines.append(rule(_BOTTOM))
    return "\n".join(line for line in lines if line is not None)


class Printer:
    """Prints as :func:`taperline.cli.render.console` does, importing Rich only when it must."""

    def __init__(self) -> None:
        self._plain = plain_output()
        self._rich: Any = None

    def rich(self) -> Any:
        """The Rich console (made on first use)."""
        if self._rich is None:
            from taperline.cli.render import console

            self._rich = console()
        return self._rich

    def print(self, text: str, *, markup: bool = True) -> None:
        """Print one line (or lines) of text, with Rich's markup unless ``markup`` is False."""
        shown = _unmarked(text) if markup and "[" in text else text
        if self._plain and shown is not None and _printable(shown) and not _EMOJI.search(shown):
            sys.stdout.write(_wrapped(shown, WIDTH) + "\n")
            return
        self.rich().print(text, markup=markup)

    def table(self, title: str, columns: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
        """Print a Rich table of right-justified columns under a centred title."""
        drawn = _table_text(title, columns, rows) if self._plain else None
        if drawn is not None:
            sys.stdout.write(drawn + "\n")
            return
        from rich.table import Table

        table = Table(title=title or None)
        for column in columns:
            table.add_column(column, justify="right")
        for values in rows:
            table.add_row(*values)
        self.rich().print(table)
