"""Demo accounts and ``taperline serve`` (without actually serving)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from taperline.errors import InputError
from taperline.web.context import build_services
from taperline.web.demo import DEMO_CLINICIAN, DEMO_PATIENT, NOTE, ensure_demo
from taperline.web.settings import Settings
from tests.support.web import make_site


@pytest.fixture(autouse=True)
def _garbage_collector_as_it_was() -> Iterator[None]:
    """``serve`` settles the collector of the process it runs in: put it back afterwards."""
    import gc

    thresholds = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)


def test_demo_accounts_have_clearly_marked_data(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        made = ensure_demo(site.services)
        assert made.created
        pid = site.person_id(DEMO_PATIENT)
        store = site.services.store
        checkins = store.checkins(pid)
        assert len(checkins) >= 28
        assert all(c.notes == NOTE for c in checkins)
        assert store.profile(pid).label == "Demo patient"
        assert store.plan_in_force(pid) is not None
        assert store.scores(pid)
        web = site.browser()
        assert web.signin(DEMO_PATIENT, made.patient_password).status_code == 303
        page = web.get("/dashboard")
        assert page.status_code == 200
        assert "clonazePAM" in page.text
        doc = site.browser()
        assert doc.signin(DEMO_CLINICIAN, made.clinician_password).status_code == 303
        assert "Demo patient" in doc.get("/clinician").text


def test_demo_again_gives_new_passwords_and_no_new_data(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        first = ensure_demo(site.services)
        count = len(site.services.store.checkins(site.person_id(DEMO_PATIENT)))
        second = ensure_demo(site.services)
        assert not second.created
        assert second.patient_password != first.patient_password
        assert len(site.services.store.checkins(site.person_id(DEMO_PATIENT))) == count
        assert site.browser().signin(DEMO_PATIENT, first.patient_password).status_code == 401
        assert site.browser().signin(DEMO_PATIENT, second.patient_password).status_code == 303


def test_demo_is_refused_in_production(tmp_path: Path) -> None:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'p.db'}",
        environment="production",
        secret_key=Settings.for_tests("sqlite://").secret_key,
    )
    with pytest.raises(InputError, match="development"):
        ensure_demo(build_services(settings))


def test_serve_migrates_makes_the_demo_and_runs_uvicorn(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import uvicorn

    from taperline.cli.serve import serve

    calls: list[tuple[Any, dict[str, Any]]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.append((app, kw)))
    monkeypatch.setenv("TAPERLINE_DATABASE_URL", f"sqlite:///{tmp_path / 'serve.db'}")
    monkeypatch.delenv("TAPERLINE_ENV", raising=False)
    result = CliRunner().invoke(serve, ["--demo", "--port", "8123"])
    assert result.exit_code == 0, result.output
    assert DEMO_PATIENT in result.output
    assert "password demo-" in result.output
    assert "http://127.0.0.1:8123" in result.output
    app, options = calls[0]
    assert options["port"] == 8123
    assert options["access_log"] is False
    assert hasattr(app, "router")


def test_serve_with_workers_uses_the_factory_on_a_tcp_socket(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import socket

    import uvicorn.supervisors

    from taperline.cli.serve import serve

    started: list[tuple[Any, list[socket.socket]]] = []

    class Supervisor:
        def __init__(self, config: Any, sockets: list[socket.socket]) -> None:
            started.append((config, sockets))

        def run(self) -> None:
            pass

    monkeypatch.setattr(uvicorn.supervisors, "Multiprocess", Supervisor)
    monkeypatch.setenv("TAPERLINE_DATABASE_URL", f"sqlite:///{tmp_path / 'serve.db'}")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = CliRunner().invoke(serve, ["--workers", "2", "--port", str(port)])
    assert result.exit_code == 0, result.output
    (config, sockets), *_ = started
    assert config.app == "taperline.web.app:create_app_from_env"
    assert config.factory is True
    assert config.workers == 2
    # asyncio sets TCP_NODELAY on accepted connections only when the listener says TCP
    assert sockets[0].proto == socket.IPPROTO_TCP
    assert sockets[0].getsockname()[1] == port
    sockets[0].close()


def test_serve_refuses_demo_in_production(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from taperline.cli.serve import serve

    monkeypatch.setenv("TAPERLINE_DATABASE_URL", f"sqlite:///{tmp_path / 'serve.db'}")
    monkeypatch.setenv("TAPERLINE_ENV", "production")
    monkeypatch.setenv("TAPERLINE_SECRET_KEY", Settings.for_tests("sqlite://").secret_key)
    result = CliRunner().invoke(serve, ["--demo"])
    assert result.exit_code == 2
    assert "development" in result.output


def test_a_server_process_freezes_its_start_up_objects_and_collects_less_often(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gc

    from taperline.web.app import GC_THRESHOLDS, create_app_from_env

    monkeypatch.setenv("TAPERLINE_DATABASE_URL", f"sqlite:///{tmp_path / 'gc.db'}")
    monkeypatch.setenv("TAPERLINE_SECRET_KEY", Settings.for_tests("sqlite://").secret_key)
    gc.set_threshold(700, 10, 10)  # CPython's default
    gc.unfreeze()
    create_app_from_env()  # what each worker of ``serve --workers N`` runs
    assert gc.get_threshold() == GC_THRESHOLDS
    assert gc.get_freeze_count() > 10_000  # the modules and the app


def test_a_connection_accepted_on_the_workers_socket_sends_without_delay() -> None:
    # uvicorn's own socket (proto 0) leaves Nagle on, so each kept-alive reply waits about
    # 40 ms for the client's delayed ACK (uvicorn issue 3149); asyncio turns TCP_NODELAY on
    # for connections accepted on the socket _TcpConfig binds. Checked on the socket itself,
    # not by timing replies.
    import asyncio
    import socket

    import uvicorn

    from taperline.cli.serve import _TcpConfig

    def nodelay_of_an_accepted_connection(config: uvicorn.Config) -> int:
        listener = config.bind_socket()
        flags: list[int] = []

        async def accept(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            accepted = writer.get_extra_info("socket")
            flags.append(accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            writer.close()

        async def run() -> None:
            server = await asyncio.start_server(accept, sock=listener)
            async with server:
                port = listener.getsockname()[1]
                _, writer = await asyncio.open_connection("127.0.0.1", port)
                while not flags:
                    await asyncio.sleep(0.01)
                writer.close()

        asyncio.run(run())
        return flags[0]

    options = {"host": "127.0.0.1", "port": 0, "workers": 2}
    assert nodelay_of_an_accepted_connection(_TcpConfig("x:app", **options)) != 0
    # the control: uvicorn's plain Config, which is why _TcpConfig exists
    assert nodelay_of_an_accepted_connection(uvicorn.Config("x:app", **options)) == 0
