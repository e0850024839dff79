"""The journal commands import only what they need (issue 19, section 1).

A journal command (``status``, ``findings``, ``journal list``, ``checkin``, ``log-dose``) on a
current database imports neither Alembic (the schema's revision is read with one query;
migrations run only when it differs: ``service.open_store``) nor NumPy (the review's troughs
are computed in plain floats: ``core.findings.dosing._steady_day``, checked here against the
NumPy simulation), and not Rich (JSON needs none; ``status``'s text is drawn by
:mod:`taperline.cli.plain` where the output is not a terminal). ``taperline --help`` imports no
command. ``bench/cli.py`` measures the times; this file keeps the imports honest.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from taperline.cli.main import COMMANDS, SUMMARIES, cli
from taperline.core.findings.dosing import trough_hour, trough_hours
from taperline.core.pk import CLONAZEPAM_PK, DoseEvent, PKParams, concentrations_ng_per_ml

HEAVY = ("numpy", "alembic", "scipy", "pydantic", "jinja2", "fastapi", "uvicorn", "matplotlib",
         "weasyprint", "mako")  # fmt: skip
NOW = "2027-01-10T08:00:00+00:00"  # before the first cut (2027-01-18)
JOURNAL = {
    "status": ["status"],
    "status json": ["status", "--format", "json"],
    "findings": ["findings"],
    "findings json": ["findings", "--format", "json"],
    "journal list json": ["journal", "list", "--format", "json"],
    "checkin": ["checkin", "--no-ask", "--quick", "--slept", "7h", "--quality", "3",
                "--mood", "6", "--anxiety", "4", "--dose", "22:00=taken"],
    "log-dose": ["log-dose", "--date", "2027-01-07", "--time", "22:05"],  # a time gone by
}  # fmt: skip
#: Work done once, on first use, that no journal command needs (each a functools.cache): the
#: walk of every file of the zone folders, the patterns holding every source id.
LAZY = ("taperline.zones.known_zones", "taperline.core.sources._id_re")
_LOADED = (
    "import json, sys\n"
    f"LAZY = {LAZY!r}\n"
    "from taperline.cli.main import cli\n"
    "code = 0\n"
    "try:\n"
    "    cli(sys.argv[1:])\n"
    "except SystemExit as done:\n"
    "    code = done.code or 0\n"
    "modules = sorted(m for m in sys.modules if '.' not in m)\n"
    "filled = []\n"
    "for name in LAZY:\n"
    "    module, _, function = name.rpartition('.')\n"
    "    if module in sys.modules:\n"
    "        cached = getattr(sys.modules[module], function, None)\n"
    "        if cached is None or cached.cache_info().currsize:\n"
    "            filled.append(name)\n"
    "ours = sorted(m for m in sys.modules if m.startswith('taperline.'))\n"
    "found = {'modules': modules, 'code': code, 'filled': filled, 'ours': ours}\n"
    "print('LOADED ' + json.dumps(found), file=sys.stderr)\n"
)


def _env(url: str) -> dict[str, str]:
    return {**os.environ, "TAPERLINE_DATABASE_URL": url, "TAPERLINE_NOW": NOW}


def _found(args: list[str], env: dict[str, str]) -> dict[str, Any]:
    """What a command run in a fresh interpreter loaded (and whether it walked the zone files)."""
    done = subprocess.run(
        [sys.executable, "-c", _LOADED, *args], check=False, env=env, capture_output=True,
        text=True,
    )  # fmt: skip
    line = next((x for x in done.stderr.splitlines() if x.startswith("LOADED ")), None)
    assert line is not None, done.stderr[-2000:]
    found: dict[str, Any] = json.loads(line.removeprefix("LOADED "))
    return found


def _loaded(args: list[str], env: dict[str, str]) -> tuple[set[str], object]:
    found = _found(args, env)
    return set(found["modules"]), found["code"]


@pytest.fixture(scope="module")
def journal_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A current database: a person on a plan from 2027-01-04, a check-in of yesterday."""
    url = f"sqlite:///{tmp_path_factory.mktemp('imports') / 't.db'}"
    env = {"TAPERLINE_DATABASE_URL": url, "TAPERLINE_NOW": "2027-01-03T12:00:00+00:00"}
    for args in (
        ["init", "--time-zone", "Europe/London", "--no-ask"],
        ["plan", "clonazepam", "--dose", "1 mg", "--at", "22:00", "--start", "2027-01-04",
         "--save"],
        ["plan", "approve", "--by", "Dr Lee", "--reason", "agreed"],
    ):  # fmt: skip
        result = CliRunner().invoke(cli, args, env=env)
        assert result.exit_code == 0, result.output
    yesterday = ["checkin", "--date", "2027-01-08", "--no-sleep", "--mood", "5", "--anxiety", "5",
                 "--symptom", "none"]  # fmt: skip
    result = CliRunner().invoke(cli, yesterday, env={**env, "TAPERLINE_NOW": NOW})
    assert result.exit_code == 0, result.output
    return url


@pytest.mark.parametrize("name", list(JOURNAL))
def test_a_journal_command_imports_no_heavy_library(journal_url: str, name: str) -> None:
    found = _found(JOURNAL[name], _env(journal_url))
    modules, code = set(found["modules"]), found["code"]
    assert code == 0, (name, code)
    # e.g. the person's zone is one of tzdata's list: no walk of the zone folders
    assert found["filled"] == [], name
    assert not modules & set(HEAVY), (name, sorted(modules & set(HEAVY)))
    assert "tomllib" not in modules, name  # the catalogue's kept parse (catalogue_parsed)
    # JSON needs no Rich; text is drawn without it where the output is not a terminal
    # (cli.plain; tests/test_cli_plain.py checks it draws what Rich draws)
    assert "rich" not in modules, name


def test_journal_list_imports_no_review_and_no_other_command(journal_url: str) -> None:
    """A list of check-ins reviews nothing: no rules, no catalogue, no readiness check.

    ``core.findings`` loads its rules on first use, ``service.store`` the review, and today's
    document (which reads the readiness check) is ``service.status_documents``.
    """
    found = _found(JOURNAL["journal list json"], _env(journal_url))
    assert found["code"] == 0
    review = {f"taperline.core.{m}" for m in ("review", "readiness", "catalogue", "screening",
              "products", "findings.dosing", "findings.flares", "findings.safety")}  # fmt: skip
    assert not set(found["ours"]) & review, sorted(set(found["ours"]) & review)
    assert "taperline.service.status_documents" not in found["ours"]
    # nor the checkin command (journal edit takes its flags from cli.checkin_options)
    commands = {"taperline.cli.checkin", "taperline.cli.profile"}
    assert not set(found["ours"]) & commands, sorted(set(found["ours"]) & commands)


#: What a command that only reads the record needs none of: the accounts' tables (the audit
#: line's insert is loaded by a write), and the models of device sleep, reminders and the sleep
#: course (the store builds their rows where it reads them).
READ_UNUSED = {
    "taperline.adapters.storage.accounts_schema", "taperline.core.device_sleep",
    "taperline.core.series", "taperline.core.reminders", "taperline.core.sleep_course",
    "taperline.core.sleep",
}  # fmt: skip


@pytest.mark.parametrize("name", ["status", "status json", "findings", "journal list json"])
def test_a_read_command_loads_no_other_feature_s_model(journal_url: str, name: str) -> None:
    found = _found(JOURNAL[name], _env(journal_url))
    assert found["code"] == 0, name
    loaded = set(found["ours"]) & READ_UNUSED
    assert not loaded, (name, sorted(loaded))


@pytest.mark.parametrize("output", ["text", "json"])
def test_learn_imports_no_storage_and_parses_no_toml(tmp_path: Path, output: str) -> None:
    found = _found(["learn", "clonazepam", "--format", output], _env(f"sqlite:///{tmp_path}/n.db"))
    modules = set(found["modules"])
    assert found["code"] == 0
    unwanted = {*HEAVY, "sqlalchemy", "tomllib", "rich"}  # the text drawn by cli.plain
    assert not modules & unwanted, sorted(modules & unwanted)
    # the packaged file is read from the disk, not through importlib.resources' readers
    assert not modules & {"zipfile", "tempfile"}, sorted(modules & {"zipfile", "tempfile"})
    # core.check and core.screening load their names on first use: a lesson needs neither
    # the checker nor the screening it runs
    unused = {
        f"taperline.core.{m}"
        for m in (
            "check.checker",
            "screening.screener",
            "screening.recognition",
            "screening.crisis",
        )
    }
    assert not set(found["ours"]) & unused, sorted(set(found["ours"]) & unused)
    if output == "text":  # the JSON shapes and the JSON printer are for JSON
        json_only = {"taperline.core.check.documents", "taperline.cli.render"}
        assert not set(found["ours"]) & json_only, sorted(set(found["ours"]) & json_only)


#: Everything of taperline's that ``taperline learn clonazepam`` imports for text (issue 19,
#: section 1: at most 5x a bare interpreter, ``bench/cli.py``): the lesson is the package's kept
#: one (``taperline.lessons_parsed``), so neither the catalogue's model nor the lesson's code is
#: imported. A module added here is time every lesson pays: import it where it is used
#: instead, or say why learn needs it.
LEARN_TEXT_MODULES = {
    "taperline.errors", "taperline.cli", "taperline.cli.main",
    "taperline.cli.learn", "taperline.cli.params", "taperline.cli.plain",
    "taperline.catalogue_data", "taperline.lessons_parsed", "taperline.digest",
}  # fmt: skip
#: Libraries no lesson needs: paths are joined by os.path, the catalogue's stamp taken without
#: OpenSSL, did-you-mean hints made only for a mistake, no model of amounts or of a drug.
LEARN_UNUSED_LIBRARIES = {
    "pathlib", "hashlib", "_hashlib", "difflib", "typing_extensions", "decimal", "dataclasses",
}  # fmt: skip


def test_learn_as_text_imports_only_the_kept_lesson(tmp_path: Path) -> None:
    """Not the catalogue's model, the check, the screening, the solver or the PK model."""
    found = _found(["learn", "clonazepam"], _env(f"sqlite:///{tmp_path}/n.db"))
    assert found["code"] == 0
    assert set(found["ours"]) == LEARN_TEXT_MODULES, (
        sorted(set(found["ours"]) - LEARN_TEXT_MODULES),
        sorted(LEARN_TEXT_MODULES - set(found["ours"])),
    )
    loaded = set(found["modules"]) & LEARN_UNUSED_LIBRARIES
    assert not loaded, sorted(loaded)


def test_help_imports_no_command(tmp_path: Path) -> None:
    modules, code = _loaded(["--help"], _env(f"sqlite:///{tmp_path}/none.db"))
    assert code == 0
    assert not modules & {*HEAVY, "sqlalchemy", "rich"}, sorted(modules & {*HEAVY, "sqlalchemy"})


@pytest.mark.parametrize("name", list(COMMANDS))
def test_each_summary_is_the_command_s_own_first_sentence(name: str) -> None:
    command = cli.get_command(None, name)  # type: ignore[arg-type]  # the context is unused
    assert command is not None
    first = " ".join((command.help or "").split("\n\n")[0].split())
    assert SUMMARIES[name] == first, name


def test_help_lists_every_command_with_its_summary() -> None:
    out = CliRunner().invoke(cli, ["--help"]).output
    for name in COMMANDS:
        assert f"  {name} " in out
    assert "Simulate plasma concentration and receptor occupancy of a..." in out


def _numpy_troughs(params: PKParams, schedule: list[tuple[float, float]]) -> tuple[float, ...]:
    """The troughs as the NumPy simulation finds them (the code before issue 19)."""
    days = min(60, int(np.ceil(7 * params.half_life_h / 24)) + 1)
    events = [DoseEvent(day * 24 + hour, mg) for day in range(days) for hour, mg in schedule]
    hours = np.arange(96) * 0.25
    conc = concentrations_ng_per_ml(params, events, (days - 1) * 24 + hours)
    minima = np.flatnonzero((conc < np.roll(conc, 1)) & (conc <= np.roll(conc, -1)))
    return tuple(float(hours[i]) for i in minima)


schedules = st.lists(
    st.tuples(st.integers(0, 95).map(lambda q: q / 4), st.sampled_from([0.125, 0.25, 0.5, 1.0])),
    min_size=1,
    max_size=3,
    unique_by=lambda dose: dose[0],
).map(sorted)
params = st.builds(
    PKParams,
    ka_per_h=st.sampled_from([0.5, 1.1, 1.7, 4.0]),
    cl_l_per_h=st.sampled_from([2.98, 4.0, 6.0]),
    v_l=st.sampled_from([109.5, 200.0, 300.0]),
)


@given(params, schedules)
def test_the_plain_float_troughs_are_the_numpy_simulation_s(
    model: PKParams, schedule: list[tuple[float, float]]
) -> None:
    expected = _numpy_troughs(model, schedule)
    assert trough_hours(model, schedule) == expected
    lowest = _numpy_lowest(model, schedule)
    assert trough_hour(model, schedule) == lowest


def _numpy_lowest(params: PKParams, schedule: list[tuple[float, float]]) -> float:
    days = min(60, int(np.ceil(7 * params.half_life_h / 24)) + 1)
    events = [DoseEvent(day * 24 + hour, mg) for day in range(days) for hour, mg in schedule]
    hours = np.arange(96) * 0.25
    conc = concentrations_ng_per_ml(params, events, (days - 1) * 24 + hours)
    return float(hours[int(np.argmin(conc))])


def test_clonazepam_s_troughs_are_before_each_dose() -> None:
    assert trough_hours(CLONAZEPAM_PK, [(8.0, 0.5), (20.0, 0.5)]) == (8.0, 20.0)


def test_the_head_read_from_the_files_is_alembic_s() -> None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from taperline.adapters.storage import db

    config = Config()
    config.set_main_option("script_location", str(db._MIGRATIONS))  # the migrations we ship
    assert db.head_revision() == ScriptDirectory.from_config(config).get_current_head()


def test_the_store_migrates_only_when_the_schema_is_behind(tmp_path: Path) -> None:
    from taperline.adapters.storage.db import (
        downgrade,
        head_revision,
        make_engine,
        migrate,
        stored_revision,
    )
    from taperline.service import open_store

    url = f"sqlite:///{tmp_path}/m.db"
    said: list[str] = []
    open_store(url, announce=lambda: said.append("new"))  # a new database: made, no word
    assert said == []
    engine = make_engine(url)
    assert stored_revision(engine) == head_revision()
    open_store(url, announce=lambda: said.append("current"))  # current: one query, no Alembic
    assert said == []
    downgrade(engine, "0006_person_regimen")
    assert stored_revision(engine) == "0006_person_regimen"
    open_store(url, announce=lambda: said.append("behind"))
    assert said == ["behind"]
    assert stored_revision(engine) == head_revision()
    migrate(engine)  # idempotent
    engine.dispose()


def test_a_zone_of_tzdata_s_list_is_a_known_zone() -> None:
    """The short cut of :func:`taperline.zones.zone` and ``check_zone`` gives what the walk does."""
    from taperline.zones import _listed_zones, _misleading, check_zone, known_zones, zone

    listed = _listed_zones()
    assert len(listed) > 400
    assert listed <= known_zones()
    taken = [name for name in listed if _misleading(name, name, "zone") is None]  # not EST...
    assert len(taken) > len(listed) - 40
    assert all(check_zone(name) == name for name in taken)
    assert zone("Europe/London").key == "Europe/London"
