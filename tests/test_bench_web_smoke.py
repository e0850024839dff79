"""The web load benchmark runs end to end for a few seconds, on SQLite and PostgreSQL.

The runs are as short as the bench allows while each still does everything (a warm-up, the
three kinds of request on each database, the reports): half a second of load at twice the
rate, so the same number of requests, the same mix, and a quarter-second warm-up. Most of
the time left is the servers' start (``taperline serve`` on each database, two workers on
PostgreSQL) and PostgreSQL's ``initdb``. The run without PostgreSQL calls the bench's
``main`` in this process, where what it imports is imported already (and its new SQLite
file gets the schema as every test's does, a copy of the session's template); the full run
is the script, as people run it.
"""

from __future__ import annotations

import asyncio
import importlib.util
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench" / "web.py"
NUMBER = r"\d+(?:\.\d+)?"


@pytest.mark.slow
def test_web_bench_runs_briefly_and_reports_its_figures(pg_server: object) -> None:
    # pg_server makes sure PostgreSQL binaries exist (or the test fails in CI); the script
    # starts its own throwaway server the same way.
    done = subprocess.run(  # our own script, with this interpreter
        [
            sys.executable,
            str(BENCH),
            *("--rate", "16", "--seconds", "0.5", "--patients", "6", "--history", "14"),
            *("--warmup", "0.25"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    lines = done.stdout.strip().splitlines()
    last = re.fullmatch(
        rf"sqlite_p50_ms=({NUMBER}) sqlite_p99_ms=({NUMBER}) sqlite_errors=(\d+)"
        rf" sqlite_locked=(\d+) pg_p50_ms=({NUMBER}) pg_p99_ms=({NUMBER}) pg_errors=(\d+)"
        r" targets=15/150",
        lines[-1],
    )
    assert last, lines[-1]
    sqlite_p50, sqlite_p99, sqlite_errors, locked, pg_p50, pg_p99, pg_errors = last.groups()
    assert (sqlite_errors, locked, pg_errors) == ("0", "0", "0"), done.stdout
    assert float(sqlite_p50) <= float(sqlite_p99)
    assert float(pg_p50) <= float(pg_p99)
    assert any(line.startswith("sqlite (1 worker): 8 requests") for line in lines), lines
    assert any(line.startswith("postgresql (2 workers): 16 requests") for line in lines), lines
    lags = [line for line in lines if line.strip().startswith("client lag")]
    assert len(lags) == 2, lines
    for label, count in (("sqlite", 4), ("postgresql", 8)):  # 0.25 s at each run's rate
        warm = f"{label} warm-up (not counted): {count} dashboards over 0.25 s, 0 errors, p50 "
        assert any(line.startswith(warm) for line in lines), lines
    slowest = [line for line in lines if line.strip().startswith("slowest seconds")]
    assert len(slowest) == 2, lines
    for kind in ("dashboard", "checkin-new", "checkin-edit"):
        assert sum(line.strip().startswith(kind) for line in lines) == 2, (kind, lines)


@pytest.mark.slow
def test_web_bench_without_postgres_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    bench = _bench_module()
    assert (
        bench.main(
            [
                *("--rate", "10", "--seconds", "0.5", "--patients", "2", "--history", "7"),
                *("--warmup", "0", "--no-postgres"),
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "warm-up" not in out
    assert any(line.startswith("sqlite (1 worker): 5 requests") for line in out.splitlines())
    last = out.strip().splitlines()[-1]
    assert re.fullmatch(
        rf"sqlite_p50_ms={NUMBER} sqlite_p99_ms={NUMBER} sqlite_errors=0 sqlite_locked=0"
        r" pg_p50_ms=- pg_p99_ms=- pg_errors=- targets=15/150",
        last,
    ), last


def _bench_module() -> Any:
    spec = importlib.util.spec_from_file_location("bench_web", BENCH)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    loaded = sys.modules.setdefault("bench_web", module)  # dataclasses look their module up
    spec.loader.exec_module(loaded)
    return loaded


def test_bench_client_reads_both_body_framings_and_retries_a_closed_idle_connection() -> None:
    bench = _bench_module()
    served: list[bytes] = []

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        length = re.search(rb"Content-Length: (\d+)", head)
        body = await reader.readexactly(int(length.group(1))) if length else b""
        served.append(head.split(b"\r\n")[0] + b" " + body)
        if head.startswith(b"GET /chunked"):
            writer.write(
                b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                b"5\r\nhello\r\n6;x=1\r\n world\r\n0\r\n\r\n"
            )
        else:
            writer.write(
                b"HTTP/1.1 303 See Other\r\nLocation: /dashboard\r\nContent-Length: 2\r\n\r\nok"
            )
        await writer.drain()
        writer.close()  # every connection closes after one answer, unannounced

    async def run() -> list[tuple[int, dict[str, str], bytes]]:
        server = await asyncio.start_server(answer, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        client = bench.Connections("127.0.0.1", port, "c00kie")
        async with server:
            got = [await client.request("GET", "/chunked")]
            await asyncio.sleep(0.05)
            got.append(await client.request("POST", "/checkin", {"a": "1 2", "b": "&"}))
            # the server closed that kept connection without a word: the next request
            # finds it closed (or retries once on a new one) and still gets its answer
            got.append(await client.request("POST", "/checkin", {"a": "3"}))
            client.close()
        return got

    got = asyncio.run(run())
    assert got[0] == (200, {"transfer-encoding": "chunked"}, b"hello world")
    assert got[1] == (303, {"location": "/dashboard", "content-length": "2"}, b"ok")
    assert got[2][0] == 303
    assert served == [
        b"GET /chunked HTTP/1.1 ",
        b"POST /checkin HTTP/1.1 a=1+2&b=%26",
        b"POST /checkin HTTP/1.1 a=3",
    ]
