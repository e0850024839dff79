"""A throwaway PostgreSQL server for tests.

``postgres_server()`` runs ``initdb`` into a fresh temporary directory, starts the server with
``pg_ctl`` on a free TCP port of 127.0.0.1 (and a Unix socket in the same directory), yields a
:class:`PgServer`, and on exit stops it and deletes the directory::

    with postgres_server() as server:
        server.create_database("contract")
        engine = sqlalchemy.create_engine(server.url("contract"))

How it works, and why:

* The binaries are the newest ``/usr/lib/postgresql/<version>/bin`` (Debian's layout); set
  ``TAPERLINE_PG_BIN`` to a directory holding ``initdb`` and ``pg_ctl`` to use another one.
* PostgreSQL refuses to run as root, and CI runs the tests as root. When the current uid is 0
  every server command runs as the unprivileged ``postgres`` user through
  ``runuser -u postgres --``, and the temporary directory (created under ``/tmp``, whose parents
  that user can traverse) is handed to it with ``chown``. Otherwise the commands run as the
  current user.
* The cluster is created with ``--auth=trust`` for the superuser ``taperline``, UTF-8 encoding and
  the ``C`` locale: byte-order collation, as in SQLite, so ordering does not depend on the
  machine's locales. With ``durable=False`` (the default) ``fsync``, ``synchronous_commit`` and
  ``full_page_writes`` are off: a test database never has to survive a power cut, and it is
  faster.
* The server only listens on 127.0.0.1. The port is found by binding port 0; if another process
  takes it before the server binds it, the start is retried on a new port.
* ``pg_ctl start`` detaches the postmaster, so it is not our child. Its PID is read from the first
  line of ``postmaster.pid``. Stopping is ``pg_ctl stop -m fast``; if the postmaster is still
  alive after that, it is signalled directly (SIGTERM, then SIGQUIT, then SIGKILL for it and its
  children). A postmaster that has exited but was not reaped by its parent (a zombie, common in
  containers whose PID 1 does not reap) counts as stopped.
* Every running server is also registered with :mod:`atexit`, so a test session that ends
  without unwinding the context manager (an error in a session fixture, ``sys.exit`` in a
  plugin, a ``KeyboardInterrupt`` in the wrong place) still stops it. Nothing can help after
  SIGKILL of the test process; such a server is then found with ``pgrep -a postgres`` and its
  directory under ``/tmp/taperline-pg-*``.

A machine without PostgreSQL raises :class:`PgServerUnavailable`; ``tests/conftest.py`` turns
that into a skip on a developer machine and into a failure when ``CI`` is set.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from psycopg import sql
from psycopg.rows import TupleRow

#: The cluster's superuser; trusted on 127.0.0.1, so URLs carry no password.
SUPERUSER = "taperline"
#: The only address the server listens on.
HOST = "127.0.0.1"
#: The OS account the server runs as when the tests run as root.
SERVICE_ACCOUNT = "postgres"
#: Environment variable naming a bin directory to use instead of the newest Debian one.
BIN_DIR_ENV = "TAPERLINE_PG_BIN"

_DEBIAN_ROOT = Path("/usr/lib/postgresql")
_START_ATTEMPTS = 3
#: Seconds to wait for the postmaster to exit after ``pg_ctl stop`` and after each signal.
_STOP_GRACE_S = 2.0


class PgServerError(RuntimeError):
    """The test server could not be created, started or stopped."""


class PgServerUnavailable(PgServerError):  # noqa: N818 - reads better than ...Error at call sites
    """This machine has no usable PostgreSQL installation (binaries or service account)."""


def find_bin_dir() -> Path:
    """Return the bin directory of the newest PostgreSQL installed, or raise if there is none.

    ``TAPERLINE_PG_BIN`` wins when set; otherwise ``/usr/lib/postgresql/<version>/bin`` with the
    highest version that has both ``initdb`` and ``pg_ctl``.

    Raises:
        PgServerUnavailable: no such directory exists.
    """
    override = os.environ.get(BIN_DIR_ENV)
    if override:
        bin_dir = Path(override)
        if not _has_server_binaries(bin_dir):
            raise PgServerUnavailable(
                f"{BIN_DIR_ENV}={override} does not contain executable initdb and pg_ctl"
            )
        return bin_dir
    candidates = [
        path / "bin" for path in _DEBIAN_ROOT.glob("*") if _has_server_binaries(path / "bin")
    ]
    if not candidates:
        raise PgServerUnavailable(
            f"no PostgreSQL server binaries found under {_DEBIAN_ROOT}/*/bin "
            f"(install the Debian package 'postgresql', or set {BIN_DIR_ENV})"
        )
    return max(candidates, key=lambda path: _version_key(path.parent.name))


def _has_server_binaries(bin_dir: Path) -> bool:
    return all(os.access(bin_dir / name, os.X_OK) for name in ("initdb", "pg_ctl"))


def _version_key(name: str) -> tuple[int, ...]:
    """Sort key for version directory names such as ``15`` or ``9.6`` (non-numbers sort first)."""
    return tuple(int(part) for part in re.findall(r"\d+", name)) or (-1,)


def free_port(host: str = HOST) -> int:
    """Return a TCP port on ``host`` that was free a moment ago (the OS picks it for port 0)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


# --- running commands as the service account --------------------------------------------------


def _running_as_root() -> bool:
    return os.geteuid() == 0


def _service_ids() -> tuple[int, int]:
    """Return the uid and gid of the ``postgres`` account, or raise if it does not exist."""
    import pwd

    try:
        entry = pwd.getpwnam(SERVICE_ACCOUNT)
    except KeyError:
        raise PgServerUnavailable(
            f"running as root, but there is no '{SERVICE_ACCOUNT}' user to run PostgreSQL as "
            "(the Debian package 'postgresql-common' creates it)"
        ) from None
    return entry.pw_uid, entry.pw_gid


def _as_service_account(argv: Sequence[str]) -> list[str]:
    """Prefix ``argv`` with ``runuser`` when root, since PostgreSQL will not run as root."""
    if not _running_as_root():
        return list(argv)
    runuser = shutil.which("runuser")
    if runuser is None:
        raise PgServerUnavailable("running as root, but 'runuser' (util-linux) is not installed")
    return [runuser, "-u", SERVICE_ACCOUNT, "--", *argv]


def _run(argv: Sequence[str], *, cwd: Path, timeout: float) -> subprocess.CompletedProcess[str]:
    """Run a server command (as the service account when root) and capture its output.

    ``cwd`` must be a directory the service account can enter: the PostgreSQL programs resolve
    their own path relative to it and fail in, say, root's home directory.
    """
    env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
    env["LC_ALL"] = "C"  # messages we may show in errors; the cluster's locale is set explicitly
    return subprocess.run(
        _as_service_account(argv),
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


# --- processes -----------------------------------------------------------------------------------


def _proc_stat(pid: int) -> tuple[str, str] | None:
    """Return ``(state, start time)`` of ``pid`` from ``/proc``, or None if unknown."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name (field 2) is in parentheses and may contain spaces; split after it.
    fields = stat[stat.rfind(")") + 2 :].split()
    return fields[0], fields[19]  # state (field 3), starttime (field 22)


def process_alive(pid: int, start_time: str | None = None) -> bool:
    """Tell whether ``pid`` is a live process (zombies count as dead).

    With ``start_time`` (from ``/proc/PID/stat``) a different process that has reused the PID
    also counts as dead.
    """
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # it exists, but belongs to someone else
    stat = _proc_stat(pid)
    if stat is None:
        return not Path("/proc/self").exists()  # no procfs: trust kill(0)
    state, started = stat
    if state in {"Z", "X", "x"}:
        return False
    return start_time is None or started == start_time


def _children(pid: int) -> list[int]:
    """Return the PIDs whose parent is ``pid`` (empty without procfs)."""
    found = []
    for stat_path in Path("/proc").glob("[0-9]*/stat"):
        try:
            stat = stat_path.read_text()
        except OSError:
            continue
        if int(stat[stat.rfind(")") + 2 :].split()[1]) == pid:
            found.append(int(stat_path.parent.name))
    return found


def _wait_gone(pid: int, start_time: str | None, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while process_alive(pid, start_time):
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)
    return True


def _signal(pid: int, signum: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signum)


# --- the server ----------------------------------------------------------------------------------


def create_database_sql(name: str, template: str | None = None) -> sql.Composed:
    """``CREATE DATABASE name`` (``TEMPLATE template`` when given), names quoted."""
    statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
    if template is None:
        return statement
    return sql.SQL("{} TEMPLATE {}").format(statement, sql.Identifier(template))


@dataclass
class PgServer:
    """A running throwaway PostgreSQL server; made by :func:`postgres_server`.

    Attributes:
        port: TCP port on ``host``.
        pid: PID of the postmaster.
        base_dir: temporary directory holding everything below; deleted on stop.
        bin_dir: directory of the PostgreSQL programs used.
        host: always 127.0.0.1.
        user: the trusted superuser (no password).
    """

    port: int
    pid: int
    base_dir: Path
    bin_dir: Path
    host: str = HOST
    user: str = SUPERUSER
    _start_time: str | None = field(default=None, repr=False)
    _stopped: bool = field(default=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def data_dir(self) -> Path:
        """The cluster's data directory (``PGDATA``)."""
        return self.base_dir / "data"

    @property
    def socket_dir(self) -> Path:
        """Directory of the server's Unix socket (``host=`` this path for libpq)."""
        return self.base_dir / "socket"

    @property
    def log_file(self) -> Path:
        """The server log written by ``pg_ctl -l``."""
        return self.base_dir / "server.log"

    def url(self, dbname: str = "postgres") -> str:
        """Return the SQLAlchemy URL of ``dbname``, e.g. ``postgresql+psycopg://taperline@...``."""
        return f"postgresql+psycopg://{self.user}@{self.host}:{self.port}/{dbname}"

    def conninfo(self, dbname: str = "postgres") -> str:
        """Return the libpq connection string of ``dbname`` (for ``psycopg.connect``)."""
        return psycopg.conninfo.make_conninfo(
            host=self.host, port=self.port, user=self.user, dbname=dbname, connect_timeout=10
        )

    def connect(self, dbname: str = "postgres") -> psycopg.Connection[TupleRow]:
        """Open an autocommit psycopg connection to ``dbname``; close it (``with``) when done."""
        return psycopg.connect(self.conninfo(dbname), autocommit=True)

    def create_database(self, name: str, template: str | None = None) -> str:
        """Create the database ``name`` and return its SQLAlchemy URL.

        Empty by default; with ``template``, a copy of that database (which must have no
        other session connected while it is copied).
        """
        with self.connect() as conn:
            conn.execute(create_database_sql(name, template))
        return self.url(name)

    def drop_database(self, name: str) -> None:
        """Drop ``name`` if it exists, terminating any sessions still connected to it."""
        with self.connect() as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )

    def log_tail(self, lines: int = 30) -> str:
        """Return the last ``lines`` lines of the server log (empty if there is none)."""
        return _log_tail(self.log_file, lines)

    @property
    def running(self) -> bool:
        """Tell whether the postmaster process is still alive."""
        return process_alive(self.pid, self._start_time)

    def stop(self, timeout: float = 30.0) -> None:
        """Stop the server and delete its directory; safe to call more than once.

        ``pg_ctl stop -m fast`` first (disconnects clients, shuts down cleanly); if the postmaster
        survives it, SIGTERM, SIGQUIT (immediate shutdown) and finally SIGKILL for it and its
        children. The directory is removed even if the process could not be stopped.

        Raises:
            PgServerError: the postmaster was still alive after SIGKILL.
        """
        with self._lock:
            if self._stopped:
                return
            self._stopped = True
        _live_servers.pop(id(self), None)
        try:
            self._stop_process(timeout)
        finally:
            shutil.rmtree(self.base_dir, ignore_errors=True)

    def _stop_process(self, timeout: float) -> None:
        if not self.running:
            return
        argv = [
            str(self.bin_dir / "pg_ctl"),
            "stop",
            "-D",
            str(self.data_dir),
            "-m",
            "fast",
            "-w",
            "-t",
            str(max(1, round(timeout))),
        ]
        with contextlib.suppress(subprocess.TimeoutExpired, OSError):
            _run(argv, cwd=self.base_dir, timeout=timeout + 5)
        if _wait_gone(self.pid, self._start_time, _STOP_GRACE_S):
            return
        for signum in (signal.SIGTERM, signal.SIGQUIT):
            _signal(self.pid, signum)
            if _wait_gone(self.pid, self._start_time, _STOP_GRACE_S):
                return
        children = _children(self.pid)
        _signal(self.pid, signal.SIGKILL)
        for child in children:
            _signal(child, signal.SIGKILL)
        if not _wait_gone(self.pid, self._start_time, 5.0):
            raise PgServerError(f"PostgreSQL postmaster {self.pid} survived SIGKILL")


#: Servers started by this process and not yet stopped, for the atexit safety net.
_live_servers: dict[int, PgServer] = {}
_owner_pid = os.getpid()


@atexit.register
def _stop_leftover_servers() -> None:
    """Stop servers whose context manager never exited (only in the process that started them)."""
    if os.getpid() != _owner_pid:
        return  # a forked child exiting must not stop its parent's server
    for server in list(_live_servers.values()):
        with contextlib.suppress(Exception):
            server.stop(timeout=10.0)


def _make_base_dir() -> Path:
    """Create the temporary directory, owned by the service account when root."""
    # /tmp rather than $TMPDIR: its parents are traversable by the service account, and Unix
    # socket paths must stay short (about 100 bytes).
    parent = "/tmp" if Path("/tmp").is_dir() else None  # noqa: S108 - mkdtemp makes it private
    base_dir = Path(tempfile.mkdtemp(prefix="taperline-pg-", dir=parent))
    try:
        base_dir.chmod(0o700)
        (base_dir / "socket").mkdir(mode=0o700)
        if _running_as_root():
            uid, gid = _service_ids()
            for path in (base_dir, base_dir / "socket"):
                os.chown(path, uid, gid)
    except BaseException:
        shutil.rmtree(base_dir, ignore_errors=True)
        raise
    return base_dir


def _read_postmaster_pid(data_dir: Path) -> int:
    lines = (data_dir / "postmaster.pid").read_text().splitlines()
    return int(lines[0])


def start_server(
    *,
    durable: bool = False,
    settings: Mapping[str, str] | None = None,
    timeout: float = 60.0,
) -> PgServer:
    """Create and start a server; the caller must call :meth:`PgServer.stop`.

    Prefer :func:`postgres_server`, which stops it for you.

    Args:
        durable: keep ``fsync``, ``synchronous_commit`` and ``full_page_writes`` on.
        settings: extra server settings (``-c name=value``), e.g. ``{"timezone": "UTC"}``.
        timeout: seconds allowed for ``initdb`` and for the start.

    Raises:
        PgServerUnavailable: PostgreSQL is not installed (or, as root, no ``postgres`` user).
        PgServerError: ``initdb`` or the start failed; the message ends with the server log.
    """
    bin_dir = find_bin_dir()
    _as_service_account([])  # fail early, and clearly, if runuser is missing
    base_dir = _make_base_dir()
    data_dir = base_dir / "data"
    try:
        initdb = [
            str(bin_dir / "initdb"),
            "-D",
            str(data_dir),
            "--auth=trust",
            f"--username={SUPERUSER}",
            "--encoding=UTF8",
            "--locale=C",
        ]
        if not durable:
            initdb.append("--no-sync")
        result = _run(initdb, cwd=base_dir, timeout=timeout)
        if result.returncode != 0:
            raise PgServerError(f"initdb failed ({result.returncode}):\n{result.stderr.strip()}")

        options = {"listen_addresses": HOST, "unix_socket_directories": str(base_dir / "socket")}
        if not durable:
            options |= {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"}
        options |= dict(settings or {})

        for attempt in range(1, _START_ATTEMPTS + 1):
            port = free_port()
            server_args = shlex.join(
                ["-p", str(port), *(f"-c{name}={value}" for name, value in options.items())]
            )
            start = [
                str(bin_dir / "pg_ctl"),
                "start",
                "-D",
                str(data_dir),
                "-w",
                "-t",
                str(max(1, round(timeout))),
                "-l",
                str(base_dir / "server.log"),
                "-o",
                server_args,
            ]
            result = _run(start, cwd=base_dir, timeout=timeout + 10)
            if result.returncode == 0:
                break
            log = _log_tail(base_dir / "server.log")
            port_taken = "could not bind" in log or "could not create any TCP/IP" in log
            _kill_half_started(data_dir)
            if not (port_taken and attempt < _START_ATTEMPTS):
                raise PgServerError(
                    f"pg_ctl start failed ({result.returncode}): {result.stderr.strip()}\n"
                    f"--- server log ---\n{log}"
                )
            (base_dir / "server.log").unlink(missing_ok=True)  # judge the next try on its own
        pid = _read_postmaster_pid(data_dir)
        stat = _proc_stat(pid)
        server = PgServer(
            port=port,
            pid=pid,
            base_dir=base_dir,
            bin_dir=bin_dir,
            _start_time=stat[1] if stat else None,
        )
    except BaseException:
        _kill_half_started(data_dir)
        shutil.rmtree(base_dir, ignore_errors=True)
        raise
    _live_servers[id(server)] = server
    return server


def _log_tail(log_file: Path, lines: int = 30) -> str:
    try:
        return "\n".join(log_file.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def _kill_half_started(data_dir: Path) -> None:
    """Kill a postmaster left behind by a failed or interrupted start, if there is one."""
    try:
        pid = _read_postmaster_pid(data_dir)
    except (OSError, ValueError, IndexError):
        return
    if process_alive(pid):
        _signal(pid, signal.SIGQUIT)
        if not _wait_gone(pid, None, 5.0):
            _signal(pid, signal.SIGKILL)
            _wait_gone(pid, None, 5.0)


@contextlib.contextmanager
def postgres_server(
    *,
    durable: bool = False,
    settings: Mapping[str, str] | None = None,
    timeout: float = 60.0,
) -> Iterator[PgServer]:
    """Run a throwaway PostgreSQL server for the duration of the ``with`` block.

    See :func:`start_server` for the arguments and errors. On exit the server is stopped and its
    temporary directory (data, socket, log) is deleted, whatever happened in the block.
    """
    server = start_server(durable=durable, settings=settings, timeout=timeout)
    try:
        yield server
    finally:
        server.stop()
