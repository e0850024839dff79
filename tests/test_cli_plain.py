"""The plain printer draws what Rich draws, to the byte (issue 19, section 1).

``taperline status`` prints through :class:`taperline.cli.plain.Printer`: where the output is
not a terminal it draws ASCII lines and tables itself, without importing Rich, and hands
everything else to Rich. These tests compare it with the Rich console the CLI used before
(:func:`taperline.cli.render.console`) for any text and table, and check that the common
lines are drawn without Rich.
"""

from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Callable, Iterator, Sequence
from unittest import mock

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from taperline.cli.plain import WIDTH, Printer, plain_output
from taperline.cli.render import console

#: Pieces that exercise Rich's markup, emoji codes, wrapping and folding, and wide characters.
TOKENS = ["[bold]", "[/bold]", "[/]", "[red]", "[/red]", "[b]", "[/b]", "[warning]",
          "[ASAM-2025]", "[1]", "[#fff]", "[@click]", "[bold red]", "[", "]", ":", ":smile:",
          " ", "  ", "\n", "\t", "\r", "\\", "word", "2027-03-31", "22:00", "x" * 57, "é", "漢",
          "—", "\u00d7", "e\u0301", "\xa0", "\xad", "\u200b", "0.875 mg", "-"]  # fmt: skip
texts = st.one_of(st.lists(st.sampled_from(TOKENS), max_size=40).map("".join), st.text())


@contextlib.contextmanager
def _no_forced_terminal() -> Iterator[None]:
    with mock.patch.dict(os.environ):
        for name in ("FORCE_COLOR", "TTY_COMPATIBLE"):
            os.environ.pop(name, None)
        yield


def _drawn(draw: Callable[[], None]) -> tuple[str, str | None]:
    """What ``draw`` writes to a pipe-like stdout, and the error it raised (if any)."""
    out = io.StringIO()
    error = None
    with _no_forced_terminal(), contextlib.redirect_stdout(out):
        try:
            draw()
        except Exception as raised:
            error = type(raised).__name__
    return out.getvalue(), error


def _rich_table(title: str, columns: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """The table as ``taperline status`` drew it before issue 19."""
    from rich.table import Table

    table = Table(title=title or None)
    for column in columns:
        table.add_column(column, justify="right")
    for values in rows:
        table.add_row(*values)
    console().print(table)


@settings(max_examples=300)
@given(texts, st.booleans())
@example("a " * 70, False)  # wrapped at the width
@example("x" * 250 + " y", True)  # a word folded across lines
@example(" " * 130 + "z", False)  # whitespace beyond the width
@example("[/bold] closed before it opens", True)  # Rich's MarkupError
@example("\\[bold] an escaped tag\\", True)  # Rich's escapes
@example("[b]bold[/bold] [#fff]x[/] [@click]y[/@click] [bold red]z[/red bold]", True)
def test_a_line_is_drawn_as_rich_draws_it(text: str, markup: bool) -> None:
    assert _drawn(lambda: Printer().print(text, markup=markup)) == _drawn(
        lambda: console().print(text, markup=markup)
    )


cells = st.one_of(
    st.sampled_from(["-", "yes", "2027-03-31", "88", "0", "", " x", "[b]", ":a:", "é"]),
    st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=30),
)


@given(
    st.one_of(st.sampled_from(["Last 14 days", "", "A title far too long for a narrow table"]),
              st.text(max_size=40)),
    st.lists(cells, min_size=1, max_size=9),
    st.data(),
)  # fmt: skip
@example("Last 14 days", ["date", "check-in"], None)
def test_a_table_is_drawn_as_rich_draws_it(
    title: str, columns: list[str], data: st.DataObject | None
) -> None:
    width = len(columns)
    rows = (
        []
        if data is None
        else data.draw(st.lists(st.lists(cells, min_size=width, max_size=width), max_size=15))
    )
    assert _drawn(lambda: Printer().table(title, columns, rows)) == _drawn(
        lambda: _rich_table(title, columns, rows)
    )


def test_the_characters_taken_as_one_cell_are_one_cell_to_rich() -> None:
    from rich.cells import cell_len

    from taperline.cli.plain import _ONE_CELL, _one_cell

    latin = [chr(c) for c in range(0x20, 0x100) if _one_cell(chr(c))]
    assert len(latin) > 180
    assert all(cell_len(c) == 1 for c in [*latin, *_ONE_CELL])


def test_status_lines_and_the_table_are_drawn_without_rich() -> None:
    printer: list[Printer] = []

    def draw() -> None:
        out = Printer()
        printer.append(out)
        out.print("[bold]Today, 2027-03-31[/bold]")
        out.print("[bold]Before the dose change: [red]Hold[/red][/bold]")
        out.print("Your plan changed your dose on Fri 29 Jan, from 0.875 mg a day ... " * 3)
        out.print(
            "  22:00  clonazePAM 0.495 mg  [new dose: ask your clinician first]", markup=False
        )
        out.print("  22:00  clonazePAM 1 mg  [due]  Take 1 \u00d7 tablet 1 mg.", markup=False)
        out.table("Last 14 days", ["date", "taken"], [["2027-03-31", "1"]] * 14)

    text, error = _drawn(draw)
    assert error is None
    assert printer[0]._rich is None
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= WIDTH
    assert len(lines) == 1 + 1 + 2 + 1 + 1 + 19  # the long line wrapped in two; the table
    assert "Before the dose change: Hold\n" in text


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_forced_colour_or_another_encoding_goes_to_rich(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with _no_forced_terminal():
        with contextlib.redirect_stdout(io.StringIO()):
            assert plain_output()
            monkeypatch.setenv("FORCE_COLOR", "1")
            assert not plain_output()
            monkeypatch.delenv("FORCE_COLOR")
        with contextlib.redirect_stdout(_Terminal()):
            assert not plain_output()
        with contextlib.redirect_stdout(io.TextIOWrapper(io.BytesIO(), encoding="latin-1")):
            assert not plain_output()  # Rich draws ASCII boxes there
