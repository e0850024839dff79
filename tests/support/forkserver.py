"""Child processes forked from a Python that has already imported what they need.

``tests/test_durability.py`` starts its writer (``tests/durability_writer.py``) 20 to 40
times a run, to SIGKILL each one; a new interpreter took ~0.7 s to import SQLAlchemy and the
storage layer before it was ready, most of each round. A :class:`ForkServer` is one
``python`` subprocess that imports those modules once, then forks a child for each
:meth:`ForkServer.spawn`: the child runs the script as ``__main__`` (``runpy``) with its own
``sys.argv``, its stdout and stderr on pipes this process made (passed over a Unix socket),
its stdin ``/dev/null``, in the server's working directory (``cwd``). A child is a process
of its own: its own pid, and whatever it opens (database connections) it opens after the
fork; nothing is open in the server when it forks. A signal ends it as it would any process.

The server is the child's parent: it reaps the child and sends its exit status back, as
:class:`subprocess.Popen` reports it (``-N`` for signal N). :class:`Child` has the part of
``Popen``'s interface the tests use: ``pid``, ``stdout``, ``stderr``, ``send_signal``,
``kill``, ``poll``, ``wait``. One child at a time: the server waits for it before it reads
the next request.

    with ForkServer(["tests.durability_writer"], cwd=ROOT) as server:
        child = server.spawn(ROOT / "tests" / "durability_writer.py", [url, "1", "0", "5"])
        assert child.wait(timeout=60) == 0
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import runpy
import signal
import socket
import subprocess
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import IO, NoReturn, Self

__all__ = ["Child", "ForkServer"]

#: Largest control message: a request (script and argv) or a reply.
_MESSAGE_BYTES = 65536


class ForkServer:
    """A Python subprocess that has imported ``preload`` and forks children on request."""

    def __init__(self, preload: Sequence[str], *, cwd: Path) -> None:
        self._preload = list(preload)
        self._cwd = cwd
        self._socket: socket.socket | None = None
        self._server: subprocess.Popen[bytes] | None = None
        self._child: Child | None = None

    def __enter__(self) -> Self:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        with theirs:
            self._server = subprocess.Popen(  # this interpreter, this module's _serve
                [
                    sys.executable,
                    "-c",
                    "import sys; from tests.support.forkserver import _serve; _serve(sys.argv[1:])",
                    str(theirs.fileno()),
                    *self._preload,
                ],
                cwd=self._cwd,
                stdin=subprocess.DEVNULL,
                pass_fds=[theirs.fileno()],
            )
        self._socket = ours
        if self._receive(timeout=120) != {"ready": True}:
            raise RuntimeError("the fork server did not start")
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._child is not None and self._child.poll() is None:
            self._child.kill()
            self._child.wait(timeout=60)
        if self._socket is not None:
            self._socket.close()  # the server reads end-of-file and exits
        if self._server is not None:
            try:
                self._server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self._server.kill()
                self._server.wait()

    def spawn(self, script: Path, argv: Sequence[str]) -> Child:
        """Fork a child that runs ``script`` as ``__main__`` with ``argv`` (``sys.argv[1:]``)."""
        if self._socket is None:
            raise RuntimeError("the fork server is not running")
        if self._child is not None and self._child.poll() is None:
            raise RuntimeError("one child at a time: the last one is still running")
        out_read, out_write = os.pipe()
        err_read, err_write = os.pipe()
        try:
            request = json.dumps({"script": str(script), "argv": list(argv)}).encode()
            socket.send_fds(self._socket, [request], [out_write, err_write])
        finally:
            os.close(out_write)
            os.close(err_write)
        pid = int(str(self._receive(timeout=60)["pid"]))
        stdout, stderr = os.fdopen(out_read, "rb"), os.fdopen(err_read, "rb")
        self._child = Child(self, pid, stdout, stderr)
        return self._child

    def _receive(self, timeout: float | None) -> dict[str, object]:
        """The next reply of the server (TimeoutError when none comes within ``timeout``)."""
        assert self._socket is not None
        self._socket.settimeout(timeout)
        data = self._socket.recv(_MESSAGE_BYTES)
        if not data:
            raise RuntimeError("the fork server exited")
        found: dict[str, object] = json.loads(data)
        return found


class Child:
    """A forked child: the part of :class:`subprocess.Popen` the tests use."""

    def __init__(self, server: ForkServer, pid: int, stdout: IO[bytes], stderr: IO[bytes]) -> None:
        self.pid = pid
        self.stdout = stdout
        self.stderr = stderr
        self.returncode: int | None = None
        self._server = server

    def send_signal(self, signum: int) -> None:
        """Send ``signum`` unless the child was reaped (its pid may be another's by then)."""
        if self.poll() is None:
            os.kill(self.pid, signum)  # not reaped: the pid is still this child's

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def poll(self) -> int | None:
        """The exit status if the child has ended (and been reaped), else None."""
        if self.returncode is None:
            with contextlib.suppress(TimeoutError, BlockingIOError):
                self._take_status(0.0)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        """Wait for the exit status (``subprocess.TimeoutExpired`` after ``timeout`` s)."""
        if self.returncode is None:
            try:
                self._take_status(timeout)
            except (TimeoutError, BlockingIOError) as error:
                raise subprocess.TimeoutExpired(f"child {self.pid}", timeout or 0.0) from error
        assert self.returncode is not None
        return self.returncode

    def _take_status(self, timeout: float | None) -> None:
        reply = self._server._receive(timeout)
        if reply.get("pid") != self.pid:
            raise RuntimeError(f"the fork server answered for another child: {reply}")
        self.returncode = int(str(reply["exit"]))


# --- the server process ------------------------------------------------------------------------


def _send(channel: socket.socket, message: dict[str, object]) -> None:
    channel.send(json.dumps(message).encode())


def _serve(args: list[str]) -> None:
    """The fork server's main: import the modules, then fork a child per request."""
    channel = socket.socket(fileno=int(args[0]))
    for name in args[1:]:
        importlib.import_module(name)
    _send(channel, {"ready": True})
    while True:
        request, fds, _, _ = socket.recv_fds(channel, _MESSAGE_BYTES, 2)
        if not request:
            os._exit(0)  # the test process closed its end (no interpreter shutdown to wait for)
        pid = os.fork()
        if pid == 0:
            _child(channel, fds, json.loads(request))
        for fd in fds:
            os.close(fd)
        _send(channel, {"pid": pid})
        _, status = os.waitpid(pid, 0)
        _send(channel, {"pid": pid, "exit": os.waitstatus_to_exitcode(status)})


def _child(channel: socket.socket, fds: list[int], request: dict[str, object]) -> NoReturn:
    """In the forked child: run the script as ``__main__``, then leave (never return)."""
    code = 1
    try:
        channel.close()
        stdin = os.open(os.devnull, os.O_RDONLY)
        for fd, target in ((stdin, 0), *zip(fds, (1, 2), strict=True)):
            os.dup2(fd, target)
            os.close(fd)
        script = str(request["script"])
        argv = request["argv"]
        assert isinstance(argv, list)
        sys.argv = [script, *map(str, argv)]
        sys.path[0] = str(Path(script).parent)  # as ``python script`` would have it
        try:
            runpy.run_path(script, run_name="__main__")
            code = 0
        except SystemExit as done:
            if done.code is None or isinstance(done.code, int):
                code = done.code or 0
            else:
                print(done.code, file=sys.stderr)
    except BaseException:  # anything: the child reports it on its stderr and exits 1
        traceback.print_exc()
    finally:
        with contextlib.suppress(BaseException):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)
