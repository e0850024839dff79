"""A filter that depends on the reader follows the page's reader, also on a literal.

Jinja computes a filter of a literal when the template compiles; a template compiled for
a patient's page must still show a clinician the source id, and the reverse.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import jinja2
import pytest

from taperline.web import context, filters
from tests.support.web import approved_plan, make_site, share

LITERALS = (
    '{{ "SPIELMAN-1987" | sources }}',
    '{{ "At most 4 mg [LABEL]." | plain }}',
)


def _environment() -> jinja2.Environment:
    """The app's filters; the reader is the one set with ``reading_as`` (not a viewer's)."""
    env = jinja2.Environment(autoescape=True)
    filters.install(env)
    env.template_class = jinja2.Template
    return env


@pytest.mark.parametrize("source", LITERALS)
def test_a_template_compiled_for_one_reader_renders_for_the_next(source: str) -> None:
    patient = filters.Reader(zone="America/New_York")
    clinician = filters.Reader(clinician=True)
    shown = {}
    for first, then in ((patient, clinician), (clinician, patient)):
        with filters.reading_as(first):
            template = _environment().from_string(source)  # compiled for the first reader
            template.render()
        with filters.reading_as(then):
            shown[then] = template.render()
        with filters.reading_as(then):
            assert shown[then] == _environment().from_string(source).render()
    assert shown[patient] != shown[clinician]


def test_the_clinician_reads_the_id_on_a_page_a_patient_compiled(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # This app's own templates, compiled here (the tests' apps share theirs: tests/support/apps.py)
    own = getattr(context._templates, "__wrapped__", context._templates)
    monkeypatch.setattr(context, "_templates", own)
    with make_site(tmp_path) as site:
        ann = site.patient("ann@example.org")
        doc = site.clinician("doc@example.org")
        share(site, ann, doc)
        pid = site.person_id("ann@example.org")
        approved_plan(site, pid, site.clock.today - timedelta(days=20))
        assert "MAUDSLEY-2024" not in ann.get("/charts").text
        assert "MAUDSLEY-2024" in doc.get(f"/clinician/patients/{pid}/charts").text
        assert "MAUDSLEY-2024" not in ann.get("/charts").text
