"""A schemathesis session calling an ASGI app on the calling thread: no thread hop, no new session.

Schemathesis' own ASGI transport makes a new ``requests`` session for every call (which reads
the proxy variables and ``~/.netrc`` each time) and hands every request to an event loop on
another thread, and back. :class:`InProcessClient` is passed as ``case.call(session=...)``: it
is one of schemathesis' ``ASGIClient`` sessions, so the request is built and serialised by
schemathesis exactly as before, and only the last step differs: the app is awaited on an event
loop this thread drives, with one long-lived task serving the requests (so the app's worker
threads for its sync handlers are reused, as under a server). Cookies a response sets are
dropped after each call, as a fresh session per call did.

::

    with InProcessClient(app) as client:
        response = case.call(session=client, cookies=cookies)
"""

from __future__ import annotations

import asyncio
import http
import io
from collections.abc import Awaitable, Callable, MutableMapping
from types import TracebackType
from typing import Any, cast
from urllib.parse import unquote, urlsplit

import requests
import requests.adapters
import urllib3
from schemathesis.python import asgi
from starlette.types import ASGIApp

__all__ = ["InProcessClient"]

_DEFAULT_PORTS = {"http": 80, "https": 443}


class _Loop:
    """An event loop this thread drives, with one task serving what :meth:`run` is given.

    AnyIO ties its worker threads to the task that first asks for one and stops them when
    that task ends; awaiting each request inside the same long-lived task keeps them.
    """

    def __init__(self, on_start: Callable[[], None]) -> None:
        self.loop = asyncio.new_event_loop()
        self.inbox: asyncio.Queue[tuple[Callable[[], Awaitable[None]], asyncio.Future[None]]]
        self.inbox = asyncio.Queue()
        self.server = self.loop.create_task(self._serve(on_start))

    async def _serve(self, on_start: Callable[[], None]) -> None:
        on_start()
        while True:
            work, done = await self.inbox.get()
            try:
                await work()
            except BaseException as error:  # handed to the caller, who re-raises
                done.set_exception(error)
            else:
                done.set_result(None)

    def run(self, work: Callable[[], Awaitable[None]]) -> None:
        done: asyncio.Future[None] = self.loop.create_future()
        self.inbox.put_nowait((work, done))
        self.loop.run_until_complete(done)

    def close(self) -> None:
        self.server.cancel()
        self.loop.run_until_complete(asyncio.gather(self.server, return_exceptions=True))
        self.loop.run_until_complete(self.loop.shutdown_default_executor())
        self.loop.close()


class _Headers:
    """What ``requests`` reads a response's cookies from (``msg.get_all``)."""

    def __init__(self, headers: list[tuple[str, str]]) -> None:
        self.headers = headers
        self.closed = False

    @property
    def msg(self) -> _Headers:
        return self

    def get_all(self, name: str, default: list[str] | None = None) -> list[str] | None:
        return [v for k, v in self.headers if k.lower() == name.lower()] or default

    def isclosed(self) -> bool:
        return self.closed

    def close(self) -> None:
        self.closed = True


class _Adapter(requests.adapters.HTTPAdapter):
    """A prepared request as an ASGI call on :class:`_Loop` (the scope schemathesis makes)."""

    def __init__(self, app: ASGIApp, loop: _Loop) -> None:
        super().__init__()
        self.app = app
        self.runner = loop

    def send(
        self, request: requests.PreparedRequest, *args: Any, **kwargs: Any
    ) -> requests.Response:
        parts = urlsplit(str(request.url))
        scheme, host = parts.scheme, parts.hostname or ""
        port = parts.port or _DEFAULT_PORTS[scheme]
        headers: list[tuple[bytes, bytes]] = []
        if "host" not in request.headers:
            named = host if port == _DEFAULT_PORTS[scheme] else f"{host}:{port}"
            headers.append((b"host", named.encode()))
        headers += [
            (str(k).lower().encode("latin-1"), str(v).encode("latin-1"))
            for k, v in request.headers.items()
        ]
        scope: dict[str, Any] = {
            "type": "http",
            "http_version": "1.1",
            "method": request.method,
            "path": unquote(parts.path),
            "raw_path": parts.path.encode(),
            "root_path": "",
            "scheme": scheme,
            "query_string": parts.query.encode(),
            "headers": headers,
            "client": ["testclient", 50000],
            "server": [host, port],
            "state": {},
        }
        body = request.body
        sent = body.encode() if isinstance(body, str) else (body or b"")
        assert isinstance(sent, bytes), f"a streamed request body: {type(body)}"
        start: dict[str, Any] = {}
        chunks = io.BytesIO()

        async def call() -> None:
            finished = asyncio.Event()
            asked = False

            async def receive() -> MutableMapping[str, Any]:
                nonlocal asked
                if asked:
                    await finished.wait()
                    return {"type": "http.disconnect"}
                asked = True
                return {"type": "http.request", "body": sent}

            async def reply(message: MutableMapping[str, Any]) -> None:
                if message["type"] == "http.response.start":
                    assert not start, 'a second "http.response.start"'
                    start.update(message)
                elif message["type"] == "http.response.body":
                    assert start, 'a body before "http.response.start"'
                    assert not finished.is_set(), "a body after the response ended"
                    if request.method != "HEAD":
                        chunks.write(message.get("body", b""))
                    if not message.get("more_body", False):
                        finished.set()

            await self.app(scope, receive, reply)

        self.runner.run(call)
        assert start, "the app sent no response"
        got = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in start.get("headers", [])]
        chunks.seek(0)
        raw = urllib3.HTTPResponse(
            body=chunks,
            headers=urllib3.HTTPHeaderDict(got),
            status=start["status"],
            reason=_phrase(start["status"]),
            version=11,
            preload_content=False,
            original_response=cast("Any", _Headers(got)),  # what requests reads cookies from
            request_method=request.method,
        )
        return self.build_response(request, raw)

    def close(self) -> None:
        """Nothing to close per request; :class:`InProcessClient` closes the loop."""


def _phrase(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return ""


class InProcessClient(asgi.ASGIClient):
    """One session for every call of a test: the app awaited on this thread (see the module)."""

    def __init__(self, app: ASGIApp, on_start: Callable[[], None] = lambda: None) -> None:
        super().__init__(cast("Any", app))  # any ASGI app (its stub asks for dict scopes)
        self.trust_env = False  # no proxy or netrc look-up: the app is in this process
        self.runner = _Loop(on_start)
        self.adapter = _Adapter(app, self.runner)  # type: ignore[assignment]  # its own adapter
        self.mount("http://", self.adapter)
        self.mount("https://", self.adapter)

    def request(
        self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any
    ) -> requests.Response:
        try:
            return super().request(method, url, *args, **kwargs)
        finally:
            self.cookies.clear()  # a fresh session per call kept none

    def __enter__(self) -> InProcessClient:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
        self.runner.close()
