"""Benchmark: the web app under a fixed arrival rate (issue 5, section 5).

An open model: request ``i`` is due at ``start + i / rate`` and is sent then, whether or not
earlier requests have been answered, so a slow server cannot slow the load down (no
coordinated omission). The run is bounded in time and in count (``rate x seconds``
requests; whatever is not answered ``--timeout`` seconds after the last one was due is an
error) and only talks to 127.0.0.1.

The mix, half and half, is what patients do on their phones:

* ``GET /dashboard`` of a signed-in patient (a 200 page);
* ``POST /checkin``: a form with the session's CSRF token and a new idempotency key, either
  a new day (each patient fills in earlier days, never the same one twice) or an edit of a
  day already in the journal (``mode=edit``); a 303 to the dashboard is a success.

The server is ``taperline serve`` itself, in a subprocess: first on SQLite with 1 worker at
``--rate`` (default 100/s), then on PostgreSQL (a throwaway server started like the tests
do) with 2 worker processes at twice the rate. ``--patients`` patients (default 200), each
with ``--history`` days of check-ins and dose log and an approved plan, are put in the
database through the library before the server starts (so the server's session cookies and
CSRF tokens are known). A warm-up of ``--warmup`` seconds (default 5) of dashboard GETs at
the run's rate comes first and is not counted: each worker process fills its connection
pool and its dashboard cache as a server that has been up a while would have; its own
percentiles are printed, so a cold start can be seen too (``--warmup 0`` measures it).

Latency is measured from the moment a request was due, so it includes any lag of the client
itself; that lag (actual send time minus due time) is reported separately to show the
client is not the bottleneck. The client is asyncio with a plain HTTP/1.1 client (up to 6
kept-alive connections, like a browser) per patient; ``--clients N`` splits the schedule
over N processes. Each request is bounded by ``--timeout`` (queueing included).
"database is locked" is counted in the server's log (an unexpected error is logged there
with its traceback).

Targets: p50 at most 15 ms, p99 at most 150 ms, zero errors, zero "database is locked".
The last line is ``sqlite_p50_ms=.. sqlite_p99_ms=.. sqlite_errors=.. sqlite_locked=..
pg_p50_ms=.. pg_p99_ms=.. pg_errors=.. targets=15/150`` (``-`` for a skipped database).

Usage: ``python bench/web.py [--rate 100] [--seconds 60] [--patients 200] [--clients 1]
[--no-postgres | --no-sqlite]``. PostgreSQL runs durable (fsync and synchronous commits on).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import re
import resource
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from multiprocessing import get_context
from pathlib import Path
from urllib.parse import urlencode, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # for tests.pgserver

import httpx

TARGET_P50_MS = 15.0
TARGET_P99_MS = 150.0
HOST = "127.0.0.1"
#: From the schedule made to the first request due, with the client in this process (s).
LEAD_IN_PROCESS_S = 0.2
TIME_ZONE = "UTC"
LOCKED = "database is locked"
_ERROR_RE = re.compile(r'class="error"[^>]*>(?:<strong>[^<]*</strong>)?([^<]*)<')


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=100.0, help="SQLite requests/s")
    parser.add_argument("--pg-rate", type=float, default=None, help="default: twice --rate")
    parser.add_argument("--seconds", type=float, default=60.0, help="length of each run")
    parser.add_argument("--patients", type=int, default=200, help="signed-in patients")
    parser.add_argument("--history", type=int, default=60, help="days of journal each")
    parser.add_argument("--post-share", type=float, default=0.5, help="share of check-ins")
    parser.add_argument("--clients", type=int, default=1, help="client processes")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds per request")
    parser.add_argument(
        "--warmup", type=float, default=5.0, help="seconds of dashboards first, not counted"
    )
    parser.add_argument("--seed", type=int, default=5, help="random seed of the mix")
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    args = parser.parse_args(argv)
    if args.no_sqlite and args.no_postgres:
        parser.error("--no-sqlite and --no-postgres leave nothing to measure")
    if args.rate <= 0 or args.seconds <= 0 or args.patients < 1 or args.clients < 1:
        parser.error("--rate, --seconds, --patients and --clients must be positive")
    if args.warmup < 0:
        parser.error("--warmup cannot be negative")
    return args


# --- the database: patients with a journal, a plan and a session -------------------------------


@dataclass(frozen=True)
class Patient:
    """A signed-in patient: the session cookie, its CSRF token, journal days to edit."""

    cookie: str
    csrf: str
    edit_days: tuple[str, ...]
    first_day: str  # the earliest day in the journal; new days go before it


#: Notes for ``seed(notes=True)``: everyday words (no crisis words), a different note each day.
_NOTE_PARTS = (
    ("Walked", "Cycled", "Swam", "Gardened", "Cleaned the flat"),
    ("for 20 minutes", "after lunch", "with my sister", "before work", "in the rain"),
    ("felt tired", "head was foggy", "calmer than yesterday", "jaw tense", "slept through"),
)


def _note(n: int) -> str:
    """Day ``n``'s note: three everyday phrases and the day number (each day's text differs)."""
    a, b, c = (parts[(n // 5**i) % len(parts)] for i, parts in enumerate(_NOTE_PARTS))
    return f"{a} {b}, {c} (day {n + 1})."


def seed(
    url: str, secret_key: str, patients: int, history: int, *, notes: bool = False
) -> list[Patient]:
    """Migrate and fill the database; return the patients' credentials.

    ``notes``: each check-in has a note, a different one each day (a realistic journal: the
    findings and the red-flag check read every note).
    """
    from taperline.adapters.storage.accounts import Accounts
    from taperline.adapters.storage.db import make_engine, migrate
    from taperline.adapters.storage.repo import Store
    from taperline.catalogue_data import load_catalogue
    from taperline.core.journal import CheckIn, SleepDiary, night_times
    from taperline.core.plan import PlanRequest, propose
    from taperline.core.quantity import Mass
    from taperline.core.record import DoseRecord, Profile
    from taperline.core.regimen import ScheduledDose
    from taperline.core.strategies import Strategy
    from taperline.service import save_plan
    from taperline.web.security import Passwords, csrf_token, hash_token, new_token
    from taperline.web.settings import Settings

    engine = make_engine(url)
    migrate(engine)
    store, accounts = Store(engine), Accounts(engine)
    now = datetime.now(UTC)
    today = now.date()
    password_hash = Passwords(Settings(database_url=url)).hash(secrets.token_urlsafe(16))
    plan = propose(
        PlanRequest(
            drug=load_catalogue().get("clonazepam"),
            regimen=(ScheduledDose(22.0, Mass.of_mg("1")),),
            start=today - timedelta(days=history),
            strategy=Strategy(kind="percent", percent=Decimal(10), interval_days=14),
        )
    )
    rng = random.Random(1)
    days = [today - timedelta(days=n) for n in range(history, 0, -1)]
    found = []
    for index in range(patients):
        pid = store.create_person(Profile(TIME_ZONE, "40-64", label=f"Bench {index}"), at=now)
        checkins, doses = [], []
        for n, day in enumerate(days):
            wake = f"0{rng.choice([5, 6, 7])}:{rng.randrange(60):02d}"
            times = night_times(day, "23:00", "23:10", wake, wake)
            sleep = SleepDiary(*times, sol_min=rng.randrange(5, 60), waso_min=10, awakenings=1)
            mood, anxiety = rng.randrange(3, 9), rng.randrange(2, 8)
            note = _note(n) if notes else ""
            checkins.append(CheckIn(day, sleep, mood=mood, anxiety=anxiety, notes=note))
            taken = datetime.combine(day, datetime.min.time()) + timedelta(hours=22, minutes=5)
            doses.append(
                DoseRecord(day, "clonazepam", "22:00", Mass.of_mg("1"), taken, Mass.of_mg("1"))
            )
        store.import_checkins(pid, checkins)
        store.import_doses(pid, doses)
        save_plan(store, pid, plan, by="Dr Bench", now=now)
        store.decide(pid, "approve", by="Dr Bench", reason="bench", at=now)
        user = accounts.create_user(
            email=f"bench{index}@example.org",
            password_hash=password_hash,
            role="patient",
            display_name=f"Bench {index}",
            person_id=pid,
            now=now,
        )
        token = new_token()
        accounts.create_session(
            user.id, hash_token(token), now=now, user_agent="bench", address=HOST
        )
        csrf = csrf_token(secret_key, f"session:{hash_token(token)}")
        edits = tuple(d.isoformat() for d in days[-14:])
        found.append(Patient(token, csrf, edits, days[0].isoformat()))
    engine.dispose()
    return found


# --- the server --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


@contextmanager
def serve(url: str, secret_key: str, workers: int, log: Path) -> Iterator[str]:
    """``taperline serve`` on a free port of 127.0.0.1; yields the base URL."""
    port = free_port()
    env = {
        **os.environ,
        "TAPERLINE_DATABASE_URL": url,
        "TAPERLINE_SECRET_KEY": secret_key,
        "TAPERLINE_ENV": "development",
    }
    command = [
        sys.executable,
        "-c",
        "from taperline.cli.main import main; main()",
        "serve",
        "--host",
        HOST,
        "--port",
        str(port),
        "--workers",
        str(workers),
    ]
    with log.open("wb") as out:
        server = subprocess.Popen(  # our own CLI, with this interpreter
            command, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    base = f"http://{HOST}:{port}"
    try:
        _wait_ready(base, server, log)
        yield base
    finally:
        _stop(server)


def _wait_ready(base: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server exited: {log.read_text()[-2000:]}")
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError("the server did not start within 60 s")


def _stop(server: subprocess.Popen[bytes]) -> None:
    """Stop the server and its worker processes (its own process group)."""
    if server.poll() is None:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=15)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.pid, signal.SIGKILL)  # workers left behind, if any


# --- the load ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Job:
    """One scheduled request."""

    index: int
    kind: str  # "dashboard", "checkin-new" or "checkin-edit"
    patient: int
    day: str = ""


@dataclass(frozen=True)
class Sample:
    """What happened to one request (times in seconds from the run's start)."""

    kind: str
    due: float
    sent: float
    done: float
    status: int  # 0: no answer (timeout or connection error)
    ok: bool
    reason: str = ""  # for an error: what the page or the exception said


def schedule(count: int, patients: list[Patient], post_share: float, seed_: int) -> list[Job]:
    """The requests in order: patients in turn, check-ins and dashboards mixed at random."""
    rng = random.Random(seed_)
    order = list(range(len(patients)))
    rng.shuffle(order)
    backfilled = dict.fromkeys(order, 0)
    jobs = []
    for index in range(count):
        who = order[index % len(order)]
        if rng.random() >= post_share:
            jobs.append(Job(index, "dashboard", who))
        elif rng.random() < 0.5:
            backfilled[who] += 1
            first = date.fromisoformat(patients[who].first_day)
            day = first - timedelta(days=backfilled[who])
            jobs.append(Job(index, "checkin-new", who, day.isoformat()))
        else:
            jobs.append(Job(index, "checkin-edit", who, rng.choice(patients[who].edit_days)))
    return jobs


def checkin_form(job: Job, patient: Patient, rng: random.Random) -> dict[str, str]:
    """A valid check-in form, as the page would send it (values vary from day to day)."""
    awakenings = rng.randrange(0, 4)
    return {
        "csrf_token": patient.csrf,
        "date": job.day,
        "mode": "edit" if job.kind == "checkin-edit" else "new",
        "idem": uuid.uuid4().hex,
        "bed": "23:00",
        "tried": "23:15",
        "final_wake": f"0{rng.choice([5, 6])}:{rng.randrange(60):02d}",
        "out_of_bed": "07:30",
        "sol_min": str(rng.randrange(5, 60)),
        "awakenings": str(awakenings),
        "waso_min": str(rng.randrange(5, 60) if awakenings else 0),
        "quality": str(rng.randrange(1, 6)),
        "mood": str(rng.randrange(2, 9)),
        "anxiety": str(rng.randrange(1, 8)),
        "sym_0": str(rng.randrange(0, 3)),
        "sym_3": str(rng.randrange(0, 2)),
        "caffeine": str(rng.randrange(0, 4)),
        "alcohol": "0",
        "notes": rng.choice(["", "ok", "tired after work", "walked in the evening"]),
    }


class Connections:
    """A patient's phone: up to ``size`` kept-alive HTTP/1.1 connections to the server.

    A plain client on asyncio streams. httpx took about 2 ms of CPU per request, 40 % of a
    core at 200/s on the same 2 cores as the server; this takes a fraction of that. It
    speaks just what the bench needs: Content-Length or chunked bodies, keep-alive, and one
    retry on a fresh connection when a kept-alive one turns out to be closed by the server
    before it answered anything (as browsers do).
    """

    def __init__(self, host: str, port: int, cookie: str, size: int = 6) -> None:
        self._address = (host, port)
        self._head = f"Host: {host}:{port}\r\nCookie: taperline_session={cookie}\r\n"
        self._idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
        self._slots = asyncio.Semaphore(size)

    async def request(
        self, method: str, path: str, form: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        """Send one request; the status, the headers (lower-case names) and the body."""
        body = urlencode(form).encode() if form is not None else b""
        extra = (
            f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(body)}\r\n"
            if form is not None
            else ""
        )
        message = f"{method} {path} HTTP/1.1\r\n{self._head}{extra}\r\n".encode() + body
        async with self._slots:
            while self._idle:
                reader, writer = self._idle.pop()
                if reader.at_eof():
                    writer.close()
                    continue
                try:
                    return await self._exchange(reader, writer, message)
                except _UnansweredError:
                    break  # the server closed it while idle: one try on a new connection
            reader, writer = await asyncio.open_connection(*self._address)
            return await self._exchange(reader, writer, message)

    async def _exchange(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, message: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        keep = False
        try:
            writer.write(message)
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except asyncio.IncompleteReadError as error:
                if not error.partial:
                    raise _UnansweredError from error
                raise
            except (ConnectionResetError, BrokenPipeError) as error:
                raise _UnansweredError from error
            lines = head.decode("latin-1").split("\r\n")
            status = int(lines[0].split(" ", 2)[1])
            headers = {}
            for line in lines[1:]:
                if line:
                    name, _, value = line.partition(":")
                    headers[name.strip().lower()] = value.strip()
            if "content-length" in headers:
                body = await reader.readexactly(int(headers["content-length"]))
            elif headers.get("transfer-encoding", "").lower() == "chunked":
                body = await _chunked(reader)
            else:
                body = await reader.read()
            keep = headers.get("connection", "").lower() != "close" and not reader.at_eof()
            return status, headers, body
        finally:
            if keep:
                self._idle.append((reader, writer))
            else:
                writer.close()

    def close(self) -> None:
        """Close the idle connections."""
        for _, writer in self._idle:
            writer.close()
        self._idle.clear()


class _UnansweredError(Exception):
    """A kept-alive connection closed before any byte of the answer."""


async def _chunked(reader: asyncio.StreamReader) -> bytes:
    parts = []
    while True:
        size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
        if size == 0:
            while (await reader.readuntil(b"\r\n")) != b"\r\n":
                pass  # trailers
            return b"".join(parts)
        parts.append(await reader.readexactly(size))
        await reader.readexactly(2)


async def _one(
    client: Connections, job: Job, patient: Patient, *, due: float, start: float, load: Load
) -> Sample:
    sent = time.perf_counter() - start
    status, ok, reason = 0, False, ""
    try:
        async with asyncio.timeout(load.timeout):  # the whole request, queueing included
            if job.kind == "dashboard":
                status, headers, body = await client.request("GET", "/dashboard")
                ok = status == 200
            else:
                form = checkin_form(job, patient, random.Random(load.seed * 1_000_003 + job.index))
                status, headers, body = await client.request("POST", "/checkin", form)
                ok = status == 303 and headers.get("location", "").startswith("/dashboard")
        if not ok:
            text = body.decode("utf-8", "replace")
            found = _ERROR_RE.search(text)
            reason = found.group(1) if found else text[:80]
    except TimeoutError:
        reason = f"no answer within {load.timeout:g} s"
    except (OSError, asyncio.IncompleteReadError, _UnansweredError, ValueError) as error:
        reason = type(error).__name__
    done = time.perf_counter() - start
    return Sample(job.kind, due, sent, done, status, ok, " ".join(reason.split())[:120])


@dataclass(frozen=True)
class Load:
    """Where and how fast to send: ``start_at`` is a wall-clock time shared by the clients."""

    base: str
    rate: float
    start_at: float
    timeout: float
    seed: int


async def _drive(load: Load, jobs: list[Job], patients: list[Patient]) -> list[Sample]:
    """Send each job when it is due, each patient from their own connections (their phone)."""
    address = urlsplit(load.base)
    clients = {
        who: Connections(str(address.hostname), int(address.port or 80), patients[who].cookie)
        for who in sorted({job.patient for job in jobs})
    }
    tasks = []
    try:
        start = time.perf_counter() + (load.start_at - time.time())
        for job in jobs:
            due = job.index / load.rate
            wait = start + due - time.perf_counter()
            if wait > 0:
                await asyncio.sleep(wait)
            request = _one(
                clients[job.patient], job, patients[job.patient], due=due, start=start, load=load
            )
            tasks.append(asyncio.create_task(request))
        done, pending = await asyncio.wait(tasks, timeout=load.timeout + 5) if tasks else ((), ())
        for task in pending:
            task.cancel()
        found = [task.result() for task in done]
    finally:
        for client in clients.values():
            client.close()
    end = time.perf_counter() - start
    lost = [Sample("lost", end, end, end, 0, ok=False, reason="not answered")] * len(pending)
    return found + lost


def _client_process(load: Load, jobs: list[Job], patients: list[Patient]) -> list[Sample]:
    return asyncio.run(_drive(load, jobs, patients))


def run_load(
    base: str, jobs: list[Job], patients: list[Patient], args: argparse.Namespace, rate: float
) -> list[Sample]:
    """Send ``jobs`` on schedule from ``args.clients`` processes (or this one)."""
    # Client processes are spawned and import before the first is due (2 s and 1 s each);
    # this process, which connects lazily, needs only the moment to set up its schedule.
    lead_s = 2.0 + args.clients if args.clients > 1 else LEAD_IN_PROCESS_S
    load = Load(base, rate, time.time() + lead_s, args.timeout, args.seed)
    busy, stolen = _machine_busy_s(), _stolen_s()
    client = time.process_time() + _children_cpu_s()
    servers = _cpu_by_kind()
    if args.clients == 1:
        samples = _client_process(load, jobs, patients)
    else:
        shares = [jobs[k :: args.clients] for k in range(args.clients)]
        with ProcessPoolExecutor(args.clients, mp_context=get_context("spawn")) as pool:
            futures = [pool.submit(_client_process, load, share, patients) for share in shares]
            samples = [sample for future in futures for sample in future.result()]
    client = time.process_time() + _children_cpu_s() - client
    if busy is not None:
        used = {kind: spent - servers.get(kind, 0.0) for kind, spent in _cpu_by_kind().items()}
        per_request = 1000 * used.get("server", 0.0) / max(1, len(jobs))
        print(
            f"  CPU over the run: machine busy {(_machine_busy_s() or 0.0) - busy:.1f} s"
            f" of {os.cpu_count()} cores; server {used.get('server', 0.0):.1f} s"
            f" ({per_request:.2f} ms per request), database {used.get('postgres', 0.0):.1f} s,"
            f" client {client:.1f} s; stolen by the hypervisor {_stolen_s() - stolen:.1f} s"
        )
    return samples


def _cpu_by_kind() -> dict[str, float]:
    """CPU seconds so far of the running app server processes and PostgreSQL's (Linux)."""
    found: dict[str, float] = {}
    tick = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes()
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone
        if b"taperline.cli.main" in command or b"spawn_main" in command:
            kind = "server"
        elif command.startswith(b"postgres"):
            kind = "postgres"
        else:
            continue
        found[kind] = found.get(kind, 0.0) + (int(fields[11]) + int(fields[12])) / tick
    return found


def _cpu_fields() -> list[int] | None:
    try:
        return [int(n) for n in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return None


def _machine_busy_s() -> float | None:
    """CPU seconds all cores have been busy since boot (Linux), or None elsewhere."""
    fields = _cpu_fields()
    if fields is None:
        return None
    idle = fields[3] + fields[4]  # idle and iowait
    return (sum(fields[:8]) - idle - fields[7]) / os.sysconf("SC_CLK_TCK")


def _stolen_s() -> float:
    """CPU seconds the hypervisor gave other machines since boot (a noisy neighbour)."""
    fields = _cpu_fields()
    return 0.0 if fields is None else fields[7] / os.sysconf("SC_CLK_TCK")


def _children_cpu_s() -> float:
    """CPU seconds of this process's ended children (the client processes, once joined)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


# --- the report --------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    """The nearest-rank percentile (``q`` in 0-100) of ``values``; NaN when empty."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


@dataclass(frozen=True)
class Result:
    """The figures of one run."""

    p50_ms: float
    p99_ms: float
    errors: int
    locked: int


def report(label: str, samples: list[Sample], rate: float, seconds: float, log: Path) -> Result:
    ms = [1000 * (s.done - s.due) for s in samples if s.ok]
    service = [1000 * (s.done - s.sent) for s in samples if s.ok]
    lag = [1000 * (s.sent - s.due) for s in samples if s.kind != "lost"]
    errors = [s for s in samples if not s.ok]
    server_errors = sum(s.status >= 500 for s in errors)
    no_answer = sum(s.status == 0 for s in errors)
    locked = log.read_text(errors="replace").count(LOCKED)
    span = max((s.done for s in samples), default=0.0)
    kinds = sorted({s.kind for s in samples})
    print(
        f"{label}: {len(samples)} requests due over {seconds:g} s at {rate:g}/s;"
        f" all answered within {span:.1f} s"
    )
    print(
        f"  ok {len(ms)}, errors {len(errors)} (5xx {server_errors}, no answer {no_answer},"
        f" other {len(errors) - server_errors - no_answer}), {LOCKED!r} in the log {locked}"
    )
    print(
        f"  latency from due time ms: p50 {percentile(ms, 50):.1f}  p90 {percentile(ms, 90):.1f}"
        f"  p99 {percentile(ms, 99):.1f}  max {max(ms, default=float('nan')):.1f}"
        f"  (from send: p50 {percentile(service, 50):.1f} p99 {percentile(service, 99):.1f})"
    )
    for kind in kinds:
        these = [1000 * (s.done - s.due) for s in samples if s.ok and s.kind == kind]
        bad = sum(not s.ok for s in samples if s.kind == kind)
        print(
            f"    {kind:13s} n={len(these) + bad:5d} p50 {percentile(these, 50):6.1f}"
            f"  p99 {percentile(these, 99):6.1f}  errors {bad}"
        )
    by_second: dict[int, list[float]] = {}
    for s in samples:
        if s.ok:
            by_second.setdefault(int(s.due), []).append(1000 * (s.done - s.due))
    worst = sorted(by_second.items(), key=lambda kv: -max(kv[1]))[:3]
    print(
        "  slowest seconds (due in second: max ms, how many over 150 ms): "
        + ", ".join(
            f"{second} s: {max(ms):.0f}, {sum(m > TARGET_P99_MS for m in ms)}"
            for second, ms in worst
        )
    )
    print(
        f"  client lag (send - due) ms: p50 {percentile(lag, 50):.2f}"
        f"  p99 {percentile(lag, 99):.2f}  max {max(lag, default=float('nan')):.2f}"
    )
    statuses: dict[int, int] = {}
    for s in errors:
        statuses[s.status] = statuses.get(s.status, 0) + 1
    if statuses:
        print(f"  error statuses: {dict(sorted(statuses.items()))}")
        reasons: dict[str, int] = {}
        for s in errors:
            reasons[s.reason] = reasons.get(s.reason, 0) + 1
        for reason, count in sorted(reasons.items(), key=lambda kv: -kv[1])[:5]:
            print(f"    {count:5d} x {reason}")
    return Result(percentile(ms, 50), percentile(ms, 99), len(errors), locked)


def bench_one(
    label: str, url: str, *, workers: int, rate: float, args: argparse.Namespace, folder: Path
) -> Result:
    secret_key = secrets.token_urlsafe(32)
    patients = seed(url, secret_key, args.patients, args.history)
    count = max(1, round(rate * args.seconds))
    jobs = schedule(count, patients, args.post_share, args.seed)
    log = folder / f"{label}-server.log"
    with serve(url, secret_key, workers, log) as base:
        if args.warmup > 0:  # dashboards only: the run's new check-in days stay unused
            warm = schedule(max(1, round(rate * args.warmup)), patients, 0.0, args.seed + 1)
            start_at = time.time() + 0.2
            ms = [
                1000 * (s.done - s.due)
                for s in _client_process(
                    Load(base, rate, start_at, args.timeout, args.seed), warm, patients
                )
                if s.ok
            ]
            print(
                f"{label} warm-up (not counted): {len(warm)} dashboards over {args.warmup:g} s,"
                f" {len(warm) - len(ms)} errors, p50 {percentile(ms, 50):.1f} ms,"
                f" p99 {percentile(ms, 99):.1f} ms"
            )
        samples = run_load(base, jobs, patients, args, rate)
    return report(
        f"{label} ({workers} worker{'s' if workers > 1 else ''})", samples, rate, args.seconds, log
    )


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    pg_rate = args.pg_rate or 2 * args.rate
    with ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="taperline-web-")))
        sqlite: Result | None = None
        if not args.no_sqlite:
            sqlite = bench_one(
                "sqlite",
                f"sqlite:///{folder / 'web.db'}",
                workers=1,
                rate=args.rate,
                args=args,
                folder=folder,
            )
        pg: Result | None = None
        if not args.no_postgres:
            from tests.pgserver import postgres_server

            # durable: fsync and synchronous commits on, as SQLite's synchronous=FULL
            server = stack.enter_context(postgres_server(durable=True))
            url = server.create_database("bench_web")
            pg = bench_one("postgresql", url, workers=2, rate=pg_rate, args=args, folder=folder)
    met = []
    if sqlite is not None:
        met += [
            sqlite.p50_ms <= TARGET_P50_MS,
            sqlite.p99_ms <= TARGET_P99_MS,
            sqlite.errors == 0,
            sqlite.locked == 0,
        ]
    if pg is not None:
        met += [pg.p50_ms <= TARGET_P50_MS, pg.p99_ms <= TARGET_P99_MS, pg.errors == 0]
    print(f"targets {'met' if all(met) else 'NOT met'}")
    print(
        f"sqlite_p50_ms={_fmt(sqlite.p50_ms if sqlite else None)}"
        f" sqlite_p99_ms={_fmt(sqlite.p99_ms if sqlite else None)}"
        f" sqlite_errors={sqlite.errors if sqlite else '-'}"
        f" sqlite_locked={sqlite.locked if sqlite else '-'}"
        f" pg_p50_ms={_fmt(pg.p50_ms if pg else None)} pg_p99_ms={_fmt(pg.p99_ms if pg else None)}"
        f" pg_errors={pg.errors if pg else '-'} targets=15/150"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
