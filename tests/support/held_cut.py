"""What the held-cut tests share (tests/test_held_cut_*.py, tests/test_dose_asked*.py).

The CLI run in process against a database at a given moment, the days of the findings of
more taken than planned as ``taperline findings`` gives them, and a dose taken in the
morning logged through the JSON API.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from click.testing import CliRunner, Result

from taperline.cli.main import cli

if TYPE_CHECKING:
    from tests.support.web import Web

#: The findings of more taken than planned.
ABOVE_PLAN = frozenset({"escalation", "large_dose"})


def run_cli(url: str, *args: str, now: str) -> Result:
    """``taperline *args`` on the database at ``url``, with the clock at ``now`` (ISO)."""
    env = {"TAPERLINE_DATABASE_URL": url, "TAPERLINE_NOW": now}
    return CliRunner().invoke(cli, list(args), env=env)


def above_plan_cli(url: str, now: str) -> dict[str, list[str]]:
    """The days of the findings of more taken than planned (``findings --format json``)."""
    result = run_cli(url, "findings", "--format", "json", now=now)
    assert result.exit_code == 0, result.stderr
    return {
        f["kind"]: sorted(e["date"] for e in f["evidence"])
        for f in json.loads(result.stdout)
        if f["kind"] in ABOVE_PLAN
    }


def took_at_eight(web: Web, day: str, amount_mg: float) -> None:
    """The planned 08:00 dose of ``day`` taken at 08:00, logged by POST /api/doses."""
    body = {
        "date": day,
        "planned_time": "08:00",
        "amount_mg": amount_mg,
        "taken_at": f"{day}T08:00",
    }
    response = web.client.post("/api/doses", json=body)
    assert response.status_code == 201, response.text
