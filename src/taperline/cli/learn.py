"""`taperline learn`: the facts a patient asks about a drug, each with its source.

Thin: calls :func:`taperline.core.check.learn` and renders; Rich and the core are imported
inside the function so `taperline --help` stays light.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from taperline.cli.params import format_option

if TYPE_CHECKING:
    from taperline.core.check.documents import LessonOut

EPILOG = """\b
Examples:
  taperline learn clonazepam
  taperline learn Klonopin --format json
"""


@click.command(epilog=EPILOG)
@click.argument("drug_name", metavar="DRUG")
@format_option(
    "text", "json", help_text="Output format: readable sections, or one JSON object of topics."
)
def learn(drug_name: str, output_format: str) -> None:
    """Explain a drug: onset, duration, half-life, steady state and how long it takes to clear.

    Also side effects, why it can cause insomnia, alternatives (CBT-I first), what to
    discuss with your prescriber and why it must never be stopped abruptly. Everything
    comes from the catalogue and carries its source; for drugs the catalogue knows
    little about, it says so plainly.
    """
    lesson = _lesson(drug_name)
    if output_format == "json":
        from taperline.cli.render import print_json

        print_json(lesson)
    else:
        _print_lesson(lesson)


def _lesson(drug_name: str) -> LessonOut:
    """The drug's lesson: the package's kept one, else made from the catalogue.

    The kept lesson is the one made here for the same catalogue text
    (:func:`taperline.catalogue_data.kept_lesson`); a name the catalogue does not know is
    looked up in it, which says so with a did-you-mean.
    """
    from taperline.catalogue_data import kept_lesson, load_catalogue

    kept = kept_lesson(drug_name)
    if kept is not None:
        return kept
    from taperline.core.check import learn as build_lesson
    from taperline.core.check.documents import lesson_document

    return lesson_document(build_lesson(load_catalogue().get(drug_name)))


def _print_lesson(lesson: LessonOut) -> None:
    """The lesson, in one write: drawn here where Rich would draw it plain, else by Rich."""
    import sys

    from taperline.cli.plain import plain_output

    text = _lesson_text(lesson) if plain_output() else None
    if text is not None:
        sys.stdout.write(text)
        return
    _rich_lesson(lesson)


def _title(lesson: LessonOut) -> str:
    """The drug's label, brand names and class: the rule's text."""
    brands = f" ({', '.join(lesson['brand_names'])})" if lesson["brand_names"] else ""
    return f"{lesson['drug_label']}{brands}: a {lesson['drug_class']}"


def _lesson_text(lesson: LessonOut) -> str | None:
    """What Rich prints for the lesson where it draws no style (None: it must draw it).

    A rule under the drug's name, each topic's heading and points, and the disclaimer, each
    wrapped at the console's width as Rich wraps them (:mod:`taperline.cli.plain`), without
    importing Rich: half of what ``taperline learn`` cost.
    """
    from taperline.cli.plain import console_width, rule_line, text_lines

    width = console_width()
    parts = [rule_line(_title(lesson), width)]
    for topic in lesson["topics"]:
        parts += ["", text_lines(topic["heading"], width)]
        parts += [text_lines(f"• {p['text']} [{p['source']}]", width) for p in topic["points"]]
    parts += ["", text_lines(lesson["disclaimer"], width)]
    lines = [part for part in parts if part is not None]
    return "\n".join(lines) + "\n" if len(lines) == len(parts) else None


def _rich_lesson(lesson: LessonOut) -> None:
    """The lesson drawn by Rich (a terminal, or text it must draw), in one write."""
    from rich.console import Console
    from rich.text import Text

    console = Console()
    with console:  # one write of the whole lesson, not one per line
        console.rule(Text(_title(lesson), style="bold"), align="left")
        for topic in lesson["topics"]:
            console.print()
            console.print(Text(topic["heading"], style="bold underline"))
            for point in topic["points"]:
                line = Text("• ")
                line.append(point["text"])
                line.append(f" [{point['source']}]", style="dim")
                console.print(line)
        console.print()
        console.print(Text(lesson["disclaimer"], style="dim"))
