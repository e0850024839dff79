"""`taperline serve`: run the web app with uvicorn (migrating the database first).

Settings come from ``TAPERLINE_*`` variables (see :mod:`taperline.web.settings`); forwarded
headers are believed from ``TAPERLINE_FORWARDED_ALLOW_IPS`` only, never by uvicorn. With
``--demo`` the database defaults to its own file (``taperline-demo.db``), never your real
journal, and the demo accounts get new passwords, printed here.
"""

from __future__ import annotations

import contextlib
import errno
import os
import socket
from typing import TYPE_CHECKING

import click
import uvicorn

from taperline.cli.main import collector_on, fail

if TYPE_CHECKING:
    from taperline.web.demo import DemoAccounts

EPILOG = """\b
Examples:
  taperline serve                      # http://127.0.0.1:8000, your own database
  taperline serve --demo               # a demo clinician and patient with five weeks of data
  TAPERLINE_ENV=production TAPERLINE_SECRET_KEY=... \\
      TAPERLINE_DATABASE_URL=postgresql+psycopg://... taperline serve --workers 2
"""


def _demo_url() -> str:
    from platformdirs import user_data_path

    folder = user_data_path("taperline", appauthor=False, ensure_exists=True)
    return f"sqlite:///{folder / 'taperline-demo.db'}"


def _log_config() -> dict[str, object]:
    """Uvicorn's logging, plus taperline's own access and error logs on the same handler."""
    import copy

    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["loggers"]["taperline"] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    return config


def _print_demo(accounts: DemoAccounts) -> None:
    made = "made" if accounts.created else "ready (new passwords)"
    click.echo(f"taperline: demo accounts {made}; the data is marked 'demo data':")
    click.echo(f"  clinician  {accounts.clinician_email}  password {accounts.clinician_password}")
    click.echo(f"  patient    {accounts.patient_email}  password {accounts.patient_password}")


def _check_port(host: str, port: int) -> None:
    """Fail in one line, naming the port and how to choose another, when it is taken."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            probe.bind((host, port))
        except OSError as error:
            if error.errno != errno.EADDRINUSE:
                fail(f"cannot listen on {host} port {port}: {error.strerror or error}")
            other = port + 1 if port < 65535 else 8000  # noqa: PLR2004 -- the last port
            fail(
                f"port {port} on {host} is busy (taperline already serving, or another"
                f" program): stop it, or choose another port: taperline serve --port {other}"
                f" (make run PORT={other})"
            )


class _TcpConfig(uvicorn.Config):
    """A uvicorn Config whose listening socket says it is TCP, so replies are not delayed.

    With ``workers > 1`` uvicorn binds the socket itself with ``proto=0``; asyncio sets
    TCP_NODELAY only on sockets whose ``proto`` is ``IPPROTO_TCP``, so every reply on a
    kept-alive connection would wait about 40 ms for the client's delayed ACK (uvicorn
    issue 3149). It lives at module level so the worker processes can unpickle it.
    """

    def bind_socket(self) -> socket.socket:
        sock = super().bind_socket()
        if sock.family not in {socket.AF_INET, socket.AF_INET6} or sock.proto:
            return sock
        tcp = socket.socket(sock.family, sock.type, socket.IPPROTO_TCP, sock.detach())
        tcp.set_inheritable(True)
        return tcp


@click.command(epilog=EPILOG)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port", type=click.IntRange(1, 65535), default=8000, show_default=True, help="Port."
)
@click.option(
    "--demo/--no-demo",
    default=False,
    show_default=True,
    help="Create demo accounts with demo data (development only; own database file).",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Worker processes (use PostgreSQL for more than one busy worker).",
)
def serve(host: str, port: int, demo: bool, workers: int) -> None:  # noqa: FBT001 -- Click passes flags by name
    """Serve the web app for patients and clinicians (and its JSON API under /api/).

    Migrates the database, then serves until stopped with Ctrl-C. Never expose a
    development server (the default TAPERLINE_ENV) beyond your own machine.
    """
    from taperline.adapters.storage.db import ENV_DATABASE_URL, migrate, shown_url
    from taperline.web.app import create_app, settle_garbage_collector
    from taperline.web.context import build_services
    from taperline.web.settings import Settings

    collector_on()  # main() turned it off: a server runs until stopped

    _check_port(host, port)  # before the demo's passwords are reset, or the database touched
    environ = dict(os.environ)
    if demo and not environ.get(ENV_DATABASE_URL, "").strip():
        environ[ENV_DATABASE_URL] = _demo_url()
    settings = Settings.from_env(environ)
    if demo and not settings.development:
        fail("--demo is for development servers only (unset TAPERLINE_ENV)")
    services = build_services(settings)
    migrate(services.store.engine)
    if demo:
        from taperline.web.demo import ensure_demo

        _print_demo(ensure_demo(services))
    services.store.engine.dispose()
    click.echo(f"taperline: database {shown_url(settings.database_url)}")
    click.echo(f"taperline: serving on http://{host}:{port} (Ctrl-C to stop)")
    options = {
        "host": host,
        "port": port,
        "access_log": False,
        "server_header": False,
        # uvicorn believes X-Forwarded-* from 127.0.0.1 by default; the app believes them
        # only from TAPERLINE_FORWARDED_ALLOW_IPS (taperline.web.forwarded)
        "proxy_headers": False,
        "log_config": _log_config(),
    }
    if workers == 1:
        app = create_app(settings)
        settle_garbage_collector()
        uvicorn.run(app, **options)  # type: ignore[arg-type]  # uvicorn's kwargs are typed loosely
        return
    os.environ[ENV_DATABASE_URL] = settings.database_url  # the workers read their settings
    from uvicorn.supervisors import Multiprocess

    config = _TcpConfig(
        "taperline.web.app:create_app_from_env",
        factory=True,
        workers=workers,
        **options,  # type: ignore[arg-type]  # as above
    )
    with contextlib.suppress(KeyboardInterrupt):
        Multiprocess(config, sockets=[config.bind_socket()]).run()
