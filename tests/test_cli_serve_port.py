"""`taperline serve` (and so `make run`) on a busy port (issue 14, the first run).

The port is checked before anything else: the demo accounts are not reset (their passwords
would change for nothing) and the database is not touched. The message names the port and
how to choose another, in one line.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import taperline.web.demo


@pytest.fixture
def busy_port() -> Iterator[int]:
    """A port on 127.0.0.1 that another program is listening on."""
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        yield other.getsockname()[1]


def test_a_busy_port_is_refused_before_the_demo_is_reset(
    busy_port: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import uvicorn

    from taperline.cli.serve import serve

    reset: list[Any] = []
    monkeypatch.setattr(taperline.web.demo, "ensure_demo", reset.append)
    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: reset.append("served"))
    database = tmp_path / "demo.db"
    monkeypatch.setenv("TAPERLINE_DATABASE_URL", f"sqlite:///{database}")
    monkeypatch.delenv("TAPERLINE_ENV", raising=False)
    result = CliRunner().invoke(serve, ["--demo", "--port", str(busy_port)])
    assert result.exit_code == 2, result.output
    assert reset == []
    assert not database.exists()
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert f"port {busy_port} on 127.0.0.1 is busy" in lines[0]
    assert f"--port {busy_port + 1}" in lines[0]
    assert f"make run PORT={busy_port + 1}" in lines[0]


def test_make_run_passes_the_port_on() -> None:
    makefile = (Path(__file__).parent.parent / "Makefile").read_text(encoding="utf-8")
    assert "PORT ?= 8000" in makefile
    assert "taperline serve --demo --port $(PORT)" in makefile
