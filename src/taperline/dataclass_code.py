"""The code ``@dataclass`` compiles, kept between runs as Python keeps a module's bytecode.

Every ``@dataclass`` writes its methods (``__init__``, ``__repr__``, ``__eq__``, ``__hash__``
and, for a frozen class, ``__setattr__`` and ``__delattr__``) as source text and compiles each
with ``exec`` while its module is imported. A journal command imports about 75 dataclasses,
and compiling their 440 methods was about 15 % of the instructions of ``taperline status``
(``valgrind --tool=callgrind``, issue 19, section 1): every run compiled the same text again.

:func:`install` gives the :mod:`dataclasses` module an ``exec`` of its own (a module global,
which its one ``exec`` call finds before the builtin) that compiles each text once per machine.
The code objects are kept in ``__pycache__/dataclasses.<cache tag>.marshal`` beside this
package, in Python's own :mod:`marshal` format, each under the SHA-256 of its text and the
``-O`` level, after a header naming the exact interpreter and a CRC-32 of the rest: a file
damaged on disk is ignored, where a damaged bytecode file would be run.
The code run is the code the builtin would compile from the same text: the same file name
(``<string>``) and no inherited ``__future__`` flags (:mod:`dataclasses` has none; this module
has ``annotations``, which must not reach the methods' annotations).

The file is written as the interpreter writes bytecode: not when ``sys.dont_write_bytecode``
is set (``PYTHONDONTWRITEBYTECODE``, ``-B``), under ``sys.pycache_prefix`` when one is set, at
exit, only when something new was compiled, and through a temporary file and a rename, so a
reader never sees half of it. A file that cannot be read, or was written by another
interpreter, is ignored (and replaced); a directory that cannot be written is left alone.

Only the console script installs it (:func:`taperline.cli.main.main`), for a command: a short
process that imports many classes. ``taperline serve`` (it runs until stopped, with request
threads and, on PostgreSQL, worker processes of its own) and the tests compile as usual.
"""

from __future__ import annotations

import builtins
import contextlib
import dataclasses
import marshal
import os
import sys
import zlib
from types import CodeType
from typing import Any

from taperline.digest import sha256 as _sha256

__all__ = ["CodeCache", "install"]

#: Kept whole while the file has at most this many texts; past it, a write keeps only the
#: texts this process used, so code that changed over many versions does not pile up.
MAX_ENTRIES = 4096
_HEADER = f"taperline dataclass code\0{sys.version}\0".encode()
_HERE = os.path.dirname(os.path.abspath(__file__))  # noqa: PTH100, PTH120 -- no pathlib on start-up


def default_path() -> str:
    """Where the cache lives: this package's ``__pycache__`` (or under ``sys.pycache_prefix``)."""
    name = f"dataclasses.{sys.implementation.cache_tag}.marshal"
    prefix = sys.pycache_prefix
    if prefix:  # as the interpreter places bytecode: the package's path under the prefix
        return os.path.join(prefix, _HERE.lstrip(os.sep), name)  # noqa: PTH118 -- see above
    return os.path.join(_HERE, "__pycache__", name)  # noqa: PTH118 -- see above


class CodeCache:
    """Source text -> code object, read from ``path`` on first use and written back by :meth:`save`.

    The file maps the SHA-256 of each text (and ``-O`` level) to its code, marshalled on its
    own: a command unmarshals only the code of the classes it imports, not every class any
    command made.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self._codes: dict[bytes, bytes] | None = None
        self._used: set[bytes] = set()
        self.compiled = 0  # texts compiled by this process (none when all were kept)

    def code(self, source: str) -> CodeType:
        """The code of ``source``, compiled as ``exec(source)`` in :mod:`dataclasses` would."""
        codes = self._loaded()
        optimize = sys.flags.optimize  # -O strips asserts: its code is kept apart
        key = _sha256(b"%d\0" % optimize + source.encode("utf-8")).digest()
        self._used.add(key)
        kept = codes.get(key)
        if kept is not None:
            try:
                code = marshal.loads(kept)  # noqa: S302 -- our own file, trusted as bytecode is
            except (EOFError, ValueError, TypeError):
                code = None
            if isinstance(code, CodeType):
                return code
        code = compile(source, "<string>", "exec", dont_inherit=True, optimize=optimize)
        codes[key] = marshal.dumps(code)
        self.compiled += 1
        return code

    def _loaded(self) -> dict[bytes, bytes]:
        if self._codes is None:
            self._codes = _read(self.path)
        return self._codes

    def save(self) -> None:
        """Write the texts back if this process compiled any; never raises for the file."""
        if not self.compiled or sys.dont_write_bytecode or self._codes is None:
            return
        codes = self._codes
        if len(codes) > MAX_ENTRIES:
            codes = {key: code for key, code in codes.items() if key in self._used}
        directory = os.path.dirname(self.path)  # noqa: PTH120 -- no pathlib on start-up
        partial = f"{self.path}.{os.getpid()}.tmp"
        try:
            os.makedirs(directory, exist_ok=True)  # noqa: PTH103 -- no pathlib on start-up
            # a new file or nothing, as the interpreter writes bytecode: never through a link
            # (or a stale file) left at that name, which the cleanup below then takes away
            descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            with open(descriptor, "wb") as file:  # noqa: PTH123 -- no pathlib on start-up
                body = marshal.dumps(codes)
                file.write(_HEADER + zlib.crc32(body).to_bytes(4, "big") + body)
            os.replace(partial, self.path)  # noqa: PTH105 -- no pathlib on start-up
        except OSError:  # a read-only install, a full disk: compile again next time
            with contextlib.suppress(OSError):
                os.unlink(partial)  # noqa: PTH108 -- no pathlib on start-up
        else:
            self.compiled = 0


def _read(path: str) -> dict[bytes, bytes]:
    """The kept code, or nothing if the file is missing, damaged or another interpreter's."""
    try:
        with open(path, "rb") as file:  # noqa: PTH123 -- no pathlib on start-up
            data = file.read()
    except OSError:
        return {}
    if not data.startswith(_HEADER):
        return {}
    checksum, body = data[len(_HEADER) : len(_HEADER) + 4], memoryview(data)[len(_HEADER) + 4 :]
    if checksum != zlib.crc32(body).to_bytes(4, "big"):  # a damaged file: not run
        return {}
    try:
        codes = marshal.loads(body)  # noqa: S302 -- see above
    except (EOFError, ValueError, TypeError):
        return {}
    if not isinstance(codes, dict) or not all(
        isinstance(key, bytes) and isinstance(code, bytes) for key, code in codes.items()
    ):
        return {}
    return codes


_installed: CodeCache | None = None


def install(path: str | None = None) -> CodeCache:
    """Make :mod:`dataclasses` use the kept code from now on, and write new code at exit.

    Installing twice returns the first cache.
    """
    global _installed  # noqa: PLW0603 -- one cache per process, as there is one dataclasses
    if _installed is not None:
        return _installed
    cache = CodeCache(default_path() if path is None else path)

    def exec_kept(source: Any, globals: Any = None, locals: Any = None) -> None:
        if isinstance(source, str):
            source = cache.code(source)
        builtins.exec(source, globals, locals)  # noqa: S102 -- what dataclasses itself runs

    import atexit

    dataclasses.exec = exec_kept  # type: ignore[attr-defined]  # found before the builtin
    atexit.register(cache.save)
    _installed = cache
    return cache


def uninstall() -> None:
    """Give :mod:`dataclasses` the builtin ``exec`` back (for tests), writing what is new."""
    global _installed  # noqa: PLW0603 -- see install
    if _installed is None:
        return
    import atexit

    atexit.unregister(_installed.save)
    _installed.save()
    vars(dataclasses).pop("exec", None)
    _installed = None
