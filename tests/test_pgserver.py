"""The throwaway PostgreSQL server and the database URL fixtures built on it."""

from __future__ import annotations

import os
from pathlib import Path

import psycopg
import pytest
import sqlalchemy

from taperline.adapters.storage.db import make_engine, revision
from taperline.adapters.storage.repo import Store
from taperline.core.record import Profile
from tests import pgserver
from tests.pgserver import PgServer, PgServerUnavailable, postgres_server, process_alive
from tests.support.pgpool import DatabasePool

#: ``pytester`` runs a pytest session in this process (the missing-PostgreSQL tests below).
pytest_plugins = ["pytester"]

#: Database names handed out by ``pg_url`` in this module, to check they are all different.
_seen_databases: set[str] = set()


def _scalar(conninfo: str, query: str) -> object:
    with psycopg.connect(conninfo, autocommit=True) as conn:
        row = conn.execute(query).fetchone()
    assert row is not None
    return row[0]


def test_server_answers_on_localhost_tcp(pg_server: PgServer) -> None:
    assert pg_server.running
    assert pg_server.host == "127.0.0.1"
    version = _scalar(pg_server.conninfo(), "select version()")
    assert isinstance(version, str)
    assert version.startswith("PostgreSQL ")
    with psycopg.connect(pg_server.conninfo(), autocommit=True) as conn:
        row = conn.execute("select inet_server_addr()::text, inet_server_port()").fetchone()
    assert row == ("127.0.0.1/32", pg_server.port)


def test_server_uses_the_newest_installed_major_version(pg_server: PgServer) -> None:
    server_major = _scalar(pg_server.conninfo(), "show server_version_num")
    assert isinstance(server_major, str)
    assert int(server_major) // 10000 == int(pg_server.bin_dir.parent.name)


def test_server_settings(pg_server: PgServer) -> None:
    with psycopg.connect(pg_server.conninfo(), autocommit=True) as conn:
        settings: dict[object, object] = dict(
            conn.execute(
                "select name, setting from pg_settings where name = any(%s)",
                (["listen_addresses", "fsync", "server_encoding", "lc_collate", "port"],),
            ).fetchall()
        )
    assert settings == {
        "listen_addresses": "127.0.0.1",
        "fsync": "off",
        "server_encoding": "UTF8",
        "lc_collate": "C",
        "port": str(pg_server.port),
    }


def test_server_also_listens_on_its_socket_dir(pg_server: PgServer) -> None:
    assert (pg_server.socket_dir / f".s.PGSQL.{pg_server.port}").exists()
    conninfo = psycopg.conninfo.make_conninfo(
        host=str(pg_server.socket_dir), port=pg_server.port, user="taperline", dbname="postgres"
    )
    assert _scalar(conninfo, "select 1") == 1


@pytest.mark.parametrize("run", [1, 2])
def test_each_pg_url_is_a_fresh_empty_database(pg_server: PgServer, pg_url: str, run: int) -> None:
    url = sqlalchemy.make_url(pg_url)
    assert url.drivername == "postgresql+psycopg"
    assert (url.username, url.host, url.port) == ("taperline", "127.0.0.1", pg_server.port)
    assert url.database is not None
    assert url.database not in _seen_databases
    _seen_databases.add(url.database)

    engine = sqlalchemy.create_engine(pg_url)
    try:
        with engine.begin() as conn:
            assert conn.scalar(sqlalchemy.text("select current_database()")) == url.database
            tables = conn.scalar(
                sqlalchemy.text(
                    "select count(*) from information_schema.tables where table_schema = 'public'"
                )
            )
            assert tables == 0
            # Same table name in every run: it would clash if databases were shared or reused.
            conn.execute(sqlalchemy.text("create table marker (run integer primary key)"))
            conn.execute(sqlalchemy.text("insert into marker values (:run)"), {"run": run})
    finally:
        engine.dispose()


def test_earlier_test_databases_are_dropped(
    pg_server: PgServer, pg_url: str, pg_empty_databases: DatabasePool
) -> None:
    current = sqlalchemy.make_url(pg_url).database
    handed_out = pg_empty_databases.taken()
    assert handed_out[-1] == current  # this test's, from the pool of databases made ahead
    assert current not in pg_empty_databases.ready()
    with pg_server.connect() as conn:
        names = {row[0] for row in conn.execute("select datname from pg_database")}
    # Those handed to earlier tests are gone; the ones made ahead for later tests are not
    # counted (they are no test's yet).
    assert names & set(handed_out) == {current}


@pytest.mark.parametrize("run", [1, 2])
def test_each_migrated_pg_url_is_a_fresh_copy_of_the_template(
    pg_server: PgServer, migrated_pg_url: str, pg_template: str, run: int
) -> None:
    name = sqlalchemy.make_url(migrated_pg_url).database
    assert name is not None
    assert name not in _seen_databases
    assert name != pg_template
    _seen_databases.add(name)
    engine = make_engine(migrated_pg_url)
    try:
        with engine.connect() as conn:
            assert conn.scalar(sqlalchemy.text("select current_database()")) == name
        assert revision(engine) is not None
        # No earlier test's rows; a person in every run, which the next run must not see.
        store = Store(engine)
        assert store.person_ids() == []
        store.create_person(Profile("UTC"))
        assert len(store.person_ids()) == 1
    finally:
        engine.dispose()


def test_the_server_is_this_processs_own(pg_server: PgServer) -> None:
    # Under pytest-xdist each worker is a process with its own session, so its own server (and
    # its own pools of databases): started here, registered here, nobody else's.
    assert pgserver._owner_pid == os.getpid()
    assert pgserver._live_servers.get(id(pg_server)) is pg_server


def test_drop_database_terminates_open_connections(pg_server: PgServer) -> None:
    pg_server.create_database("left_open")
    leaked = psycopg.connect(pg_server.conninfo("left_open"), autocommit=True)
    try:
        pg_server.drop_database("left_open")
        with pytest.raises(psycopg.OperationalError):
            leaked.execute("select 1")
    finally:
        leaked.close()
    with pg_server.connect() as conn:
        row = conn.execute("select count(*) from pg_database where datname = 'left_open'")
        assert row.fetchone() == (0,)


def test_sqlite_url_is_a_file_in_tmp_path(sqlite_url: str, tmp_path: Path) -> None:
    assert sqlite_url == f"sqlite:///{tmp_path}/taperline.db"
    engine = sqlalchemy.create_engine(sqlite_url)
    try:
        with engine.connect() as conn:
            assert conn.scalar(sqlalchemy.text("select 1")) == 1
    finally:
        engine.dispose()
    assert (tmp_path / "taperline.db").exists()


def test_db_url_runs_once_per_backend(db_url: str, request: pytest.FixtureRequest) -> None:
    backend = request.node.callspec.params["db_url"]
    assert sqlalchemy.make_url(db_url).get_backend_name() == backend
    # The fixture of the other backend is not set up: SQLite tests never start PostgreSQL.
    assert ("pg_server" in request.fixturenames) == (backend == "postgresql")
    engine = sqlalchemy.create_engine(db_url)
    try:
        with engine.connect() as conn:
            assert conn.scalar(sqlalchemy.text("select 1 + 1")) == 2
    finally:
        engine.dispose()


@pytest.mark.slow
def test_context_manager_stops_the_server_and_removes_its_directory() -> None:
    with postgres_server(durable=True, settings={"timezone": "Pacific/Auckland"}) as server:
        pid, base_dir = server.pid, server.base_dir
        assert process_alive(pid)
        assert (base_dir / "data" / "PG_VERSION").exists()
        with server.connect() as conn:
            rows = conn.execute(
                "select name, setting from pg_settings where name in ('fsync', 'TimeZone')"
            ).fetchall()
        assert dict(rows) == {"fsync": "on", "TimeZone": "Pacific/Auckland"}
    assert not process_alive(pid)
    assert not base_dir.exists()
    assert not server.running
    server.stop()  # a second stop is harmless


@pytest.mark.slow
def test_stop_falls_back_to_signals_when_pg_ctl_does_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    server = pgserver.start_server()
    stopped_by_pg_ctl: list[list[str]] = []
    real_run = pgserver._run

    def ignore_stop(argv: list[str], **kwargs: object) -> object:
        if "stop" in argv:
            stopped_by_pg_ctl.append(argv)
            return None
        return real_run(argv, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pgserver, "_run", ignore_stop)
    monkeypatch.setattr(pgserver, "_STOP_GRACE_S", 0.2)
    try:
        server.stop(timeout=5)
    finally:
        monkeypatch.undo()
        server.stop()
    assert stopped_by_pg_ctl
    assert not process_alive(server.pid)
    assert not server.base_dir.exists()


@pytest.mark.slow
def test_atexit_safety_net_stops_servers_left_running(monkeypatch: pytest.MonkeyPatch) -> None:
    server = pgserver.start_server()
    try:
        assert pgserver._live_servers.get(id(server)) is server
        # Only this server: the session's shared server (pg_server) must keep running.
        monkeypatch.setattr(pgserver, "_live_servers", {id(server): server})
        pgserver._stop_leftover_servers()
        assert not process_alive(server.pid)
        assert not server.base_dir.exists()
        assert id(server) not in pgserver._live_servers
    finally:
        server.stop()


def test_missing_binaries_raise_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(pgserver.BIN_DIR_ENV, str(tmp_path))

    def no_directory() -> Path:
        pytest.fail("a temporary directory was created without a PostgreSQL to use it")

    monkeypatch.setattr(pgserver, "_make_base_dir", no_directory)
    with pytest.raises(PgServerUnavailable, match="initdb and pg_ctl"), postgres_server():
        pass


def test_newest_version_sorts_last() -> None:
    names = ["9.6", "15", "10", "13"]
    assert max(names, key=pgserver._version_key) == "15"


@pytest.mark.parametrize(
    ("required_by", "exit_code", "expected"),
    [
        ("CI", 1, "PostgreSQL is required when CI or TAPERLINE_REQUIRE_POSTGRES is set"),
        ("TAPERLINE_REQUIRE_POSTGRES", 1, "PostgreSQL is required"),
        (None, 0, "1 skipped"),
    ],
    ids=["ci-fails", "required-fails", "local-skips"],
)
def test_missing_postgres_fails_in_ci_and_skips_locally(
    pytester: pytest.Pytester,
    monkeypatch: pytest.MonkeyPatch,
    required_by: str | None,
    exit_code: int,
    expected: str,
) -> None:
    # A pytest session of its own, in this process (pytester keeps it apart: its own
    # options, fixtures, output and modules), on this repository's conftest: a subprocess
    # took ~3 s, most of it importing what the conftest imports, which is imported here.
    for name in ("CI", "TAPERLINE_REQUIRE_POSTGRES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(pgserver.BIN_DIR_ENV, "/nonexistent")
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")  # xdist and the rest stay out
    if required_by:
        monkeypatch.setenv(required_by, "true")
    result = pytester.runpytest_inprocess(
        "-p",
        "no:cacheprovider",
        "-q",
        "-rsE",
        f"--rootdir={Path(__file__).parent.parent}",
        f"{__file__}::test_server_answers_on_localhost_tcp",
    )
    output = "\n".join(result.outlines + result.errlines)
    assert result.ret == exit_code, output
    assert expected in output
