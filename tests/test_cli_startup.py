"""How the `taperline` process starts: the cyclic garbage collector (issue 19, section 1).

A command is a short process whose objects are nearly all modules, classes and functions that
live until it exits: ``main`` turns the cyclic collector off (``bench/cli.py`` measures what it
saves), and ``serve``, which runs until stopped, turns it back on before it serves.
"""

from __future__ import annotations

import gc
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

import taperline.cli.main


@pytest.fixture
def collector() -> Iterator[None]:
    """Whatever a test does to the collector, it is on again afterwards."""
    yield
    gc.enable()


def test_main_runs_the_command_with_the_collector_off(
    collector: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[tuple[bool, bool]] = []
    keep = lambda: taperline.cli.main._KEEP_DATACLASS_CODE  # noqa: E731 -- main's switch
    monkeypatch.setattr(taperline.cli.main, "_KEEP_DATACLASS_CODE", False)  # put back after
    monkeypatch.setattr(
        taperline.cli.main, "cli", lambda **_: seen.append((gc.isenabled(), keep()))
    )
    assert gc.isenabled()
    taperline.cli.main.main()
    assert seen == [(False, True)]  # and the dataclasses' code kept (tests/test_dataclass_code.py)


def test_serve_turns_the_collector_back_on_before_it_serves(
    collector: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import uvicorn

    import taperline.web.app
    from taperline.cli.serve import serve

    seen: list[tuple[str, bool]] = []
    settle = lambda: seen.append(("settle", gc.isenabled()))  # noqa: E731 -- a one-line stand-in
    monkeypatch.setattr(taperline.web.app, "settle_garbage_collector", settle)
    monkeypatch.setattr(uvicorn, "run", lambda *_, **__: seen.append(("run", gc.isenabled())))
    monkeypatch.setenv("TAPERLINE_DATABASE_URL", f"sqlite:///{tmp_path}/serve.db")
    monkeypatch.delenv("TAPERLINE_ENV", raising=False)
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    gc.disable()  # as main() leaves it
    result = CliRunner().invoke(serve, ["--port", str(port)])
    assert result.exit_code == 0, result.output
    assert seen == [("settle", True), ("run", True)]
