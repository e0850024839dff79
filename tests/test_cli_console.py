"""The CLI's Rich output is drawn faster, and the same (issue 19, section 1).

Rich's highlighter adds styles to every line printed (numbers, dates, quoted text, paths);
without a colour system no style is drawn, so taperline's console skips it and prints the
same text faster. These tests check that it skips it only then, and that the text is the same.
``taperline learn`` writes its lesson (the JSON document it keeps or makes) at once (a buffered
console), the same text as the lesson written one line at a time; where the output is not a
terminal it is drawn without Rich (:mod:`taperline.cli.plain`), the same text at any width.
"""

from __future__ import annotations

import io

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.console import Console

from taperline.catalogue_data import load_catalogue
from taperline.cli.learn import _lesson_text, _print_lesson
from taperline.cli.render import console
from taperline.core.check import Lesson, learn
from taperline.core.check.documents import lesson_document

LINES = [
    "[bold]Today, 2027-03-31[/bold]",
    "  22:00  clonazePAM 0.495 mg  [new dose: ask your clinician first]",
    "Next change: 2027-04-09 to 0.445 mg a day",
    "Suggestion: hold (clinician decides) {'a': 1, \"b\": None} https://example.org/x?y=1",
    "  hold     more taken than planned on 14 days (Tue 26 Jan, Wed 27 Jan and 11 earlier)",
    "/usr/share/taperline/report.pdf <tag attr=1> 0x1f 3.14e-2 True False uuid "
    "123e4567-e89b-12d3-a456-426614174000",
]


def _printed(out: Console, line: str, *, markup: bool, capsys: pytest.CaptureFixture[str]) -> str:
    out.print(line, markup=markup)
    return capsys.readouterr().out


def test_a_console_without_colours_does_not_highlight(capsys: pytest.CaptureFixture[str]) -> None:
    out = console()  # pytest captures stdout: not a terminal
    assert out.color_system is None
    assert out.render_str("2027-03-31 at 22:00, 0.5 mg").spans == []
    for line in LINES:
        assert _printed(out, line, markup=True, capsys=capsys) == _printed(
            Console(width=120), line, markup=True, capsys=capsys
        )


def test_a_console_with_colours_still_highlights(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.delenv("NO_COLOR", raising=False)
    out = console()
    assert out.color_system is not None
    assert out.render_str("2027-03-31 at 22:00, 0.5 mg").spans != []


@given(st.text(max_size=300))
def test_any_text_prints_the_same_without_the_highlighter(text: str) -> None:
    plain, highlighting = console(), Console(width=120)
    with plain.capture() as first:
        plain.print(text, markup=False)
    with highlighting.capture() as second:
        highlighting.print(text, markup=False)
    assert first.get() == second.get()


def _lesson_line_by_line(lesson: Lesson) -> None:
    """``taperline learn``'s text as it was printed before issue 19: one write per line."""
    from rich.text import Text

    from taperline.core.check import DISCLAIMER

    out = Console()
    drug = lesson.drug
    brands = f" ({', '.join(drug.brand_names)})" if drug.brand_names else ""
    out.rule(Text(f"{drug.label}{brands}: a {drug.drug_class}", style="bold"), align="left")
    for topic in lesson.topics:
        out.print()
        out.print(Text(topic.heading, style="bold underline"))
        for point in topic.points:
            line = Text("• ")
            line.append(point.text)
            line.append(f" [{point.source}]", style="dim")
            out.print(line)
    out.print()
    out.print(Text(DISCLAIMER, style="dim"))


@pytest.mark.parametrize("drug", load_catalogue().names)
def test_a_lesson_written_at_once_is_the_lesson_line_by_line(
    drug: str, capsys: pytest.CaptureFixture[str]
) -> None:
    lesson = learn(load_catalogue().get(drug))
    _print_lesson(lesson_document(lesson))
    at_once = capsys.readouterr().out
    _lesson_line_by_line(lesson)
    assert at_once == capsys.readouterr().out
    assert at_once.count("\n") > 10


@pytest.mark.parametrize("columns", ["20", "33", "57", "131"])
def test_a_lesson_at_any_width_is_rich_s_lesson(
    columns: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Drawn without Rich (where the output is not a terminal), wrapped as Rich wraps it."""
    monkeypatch.setenv("COLUMNS", columns)
    for drug in load_catalogue().names:
        lesson = learn(load_catalogue().get(drug))
        _print_lesson(lesson_document(lesson))
        drawn = capsys.readouterr().out
        _lesson_line_by_line(lesson)
        assert drawn == capsys.readouterr().out, (drug, columns)


def test_every_lesson_is_drawn_without_rich(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COLUMNS", raising=False)
    for drug in load_catalogue().names:
        assert _lesson_text(lesson_document(learn(load_catalogue().get(drug)))) is not None, drug


def test_a_lesson_is_one_write(monkeypatch: pytest.MonkeyPatch) -> None:
    writes: list[str] = []

    class Counting(io.StringIO):
        def write(self, text: str) -> int:
            writes.append(text)
            return super().write(text)

    monkeypatch.setattr("sys.stdout", Counting())
    _print_lesson(lesson_document(learn(load_catalogue().get("clonazepam"))))
    assert len(writes) == 1
