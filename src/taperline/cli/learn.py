"""`taperline learn`: the facts a patient asks about a drug, each with its source.

Thin: calls :func:`taperline.core.check.learn` and renders; Rich and the core are imported
inside the function so `taperline --help` stays light.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from taperline.cli.params import format_option

if TYPE_CHECKING:
    from taperline.core.check import Lesson

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
    from taperline.catalogue_data import load_catalogue
    from taperline.core.check import learn as build_lesson

    lesson = build_lesson(load_catalogue().get(drug_name))
    if output_format == "json":
        from taperline.cli.render import print_json
        from taperline.core.check import lesson_document  # the JSON shapes: for JSON only

        print_json(lesson_document(lesson))
    else:
        _print_lesson(lesson)


def _print_lesson(lesson: Lesson) -> None:
    """The lesson, in one write: drawn here where Rich would draw it plain, else by Rich."""
    import sys

    from taperline.cli.plain import plain_output

    text = _lesson_text(lesson) if plain_output() else None
    if text is not None:
        sys.stdout.write(text)
        return
    _rich_lesson(lesson)


def _lesson_text(lesson: Lesson) -> str | None:
    """What Rich prints for the lesson where it draws no style (None: it must draw it).

    A rule under the drug's name, each topic's heading and points, and the disclaimer, each
    wrapped at the console's width as Rich wraps them (:mod:`taperline.cli.plain`), without
    importing Rich: half of what ``taperline learn`` cost.
    """
    from taperline.cli.plain import console_width, rule_line, text_lines
    from taperline.core.check.disclaimer import DISCLAIMER  # not the check's request types

    width = console_width()
    drug = lesson.drug
    brands = f" ({', '.join(drug.brand_names)})" if drug.brand_names else ""
    parts = [rule_line(f"{drug.label}{brands}: a {drug.drug_class}", width)]
    for topic in lesson.topics:
        parts += ["", text_lines(topic.heading, width)]
        parts += [text_lines(f"• {point.text} [{point.source}]", width) for point in topic.points]
    parts += ["", text_lines(DISCLAIMER, width)]
    lines = [part for part in parts if part is not None]
    return "\n".join(lines) + "\n" if len(lines) == len(parts) else None


def _rich_lesson(lesson: Lesson) -> None:
    """The lesson drawn by Rich (a terminal, or text it must draw), in one write."""
    from rich.console import Console
    from rich.text import Text

    from taperline.core.check.disclaimer import DISCLAIMER

    console = Console()
    drug = lesson.drug
    brands = f" ({', '.join(drug.brand_names)})" if drug.brand_names else ""
    with console:  # one write of the whole lesson, not one per line
        console.rule(Text(f"{drug.label}{brands}: a {drug.drug_class}", style="bold"), align="left")
        for topic in lesson.topics:
            console.print()
            console.print(Text(topic.heading, style="bold underline"))
            for point in topic.points:
                line = Text("• ")
                line.append(point.text)
                line.append(f" [{point.source}]", style="dim")
                console.print(line)
        console.print()
        console.print(Text(DISCLAIMER, style="dim"))
