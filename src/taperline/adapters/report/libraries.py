"""WeasyPrint imported with its shared libraries found from one reading of the linker cache.

WeasyPrint opens GObject, Pango, HarfBuzz (and its subset and vector parts), fontconfig and
PangoFT2 through cffi when it is imported, trying up to six names for each. cffi hands each
name it cannot open as a file name to :func:`ctypes.util.find_library`, which on Linux runs
``/sbin/ldconfig -p`` and, for a name that is not in its cache, ``gcc`` and then ``ld``: 22
look-ups, 16 of them misses of three child processes each. On the machine of issue 19 that was
0.23 s of the report's 2 s and 0.24 s of CPU in the children, more on a busy machine.

:func:`import_weasyprint` imports WeasyPrint while ``find_library`` answers from one run of
``ldconfig -p``, read by the standard library's own rule (``_findSoname_ldconfig``): a name in
the cache gets the same answer, and a name not in it is not found, so WeasyPrint tries its
next name. Nothing is lost by that: on Linux ``find_library`` answers a soname (the ``gcc``
and ``ld`` routes too), which cffi then opens through the dynamic loader, and each library's
soname (``libpango-1.0.so.0``) is among WeasyPrint's own names, opened by the loader with no
look-up. Should WeasyPrint still fail to load, it is imported again with the standard
look-up. Where ``ldconfig -p`` cannot be read (macOS, Windows, musl) the standard look-up is
used as it is.
"""

from __future__ import annotations

import ctypes.util
import importlib
import os
import re
import struct
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Final, Protocol

__all__ = ["FindLibrary", "cache_lookup", "import_weasyprint"]

LDCONFIG: Final = "/sbin/ldconfig"
# ctypes.util's names for the ABI of a 64-bit interpreter's libraries, as ldconfig prints them.
_ABI: Final = {
    "x86_64-64": "libc6,x86-64",
    "ppc64-64": "libc6,64bit",
    "sparc64-64": "libc6,64bit",
    "s390x-64": "libc6,64bit",
    "ia64-64": "libc6,IA-64",
}
_lock = threading.Lock()


class FindLibrary(Protocol):
    """The signature of :func:`ctypes.util.find_library`."""

    def __call__(self, name: str) -> str | None:
        """The soname to open for the library ``name``, or None."""


def import_weasyprint(name: str = "weasyprint") -> ModuleType:
    """The module ``name`` (WeasyPrint), imported once with the linker cache as its look-up.

    ``name`` is for tests. The second call returns the imported module:

    >>> import_weasyprint("json") is import_weasyprint("json")
    True
    """
    if name in sys.modules:  # import_module waits while another thread is importing it
        return importlib.import_module(name)
    with _lock:
        if name in sys.modules:  # imported by another thread meanwhile
            return importlib.import_module(name)
        lookup = cache_lookup()
        if lookup is None:
            return importlib.import_module(name)
        try:
            with _find_library_as(lookup):
                return importlib.import_module(name)
        except OSError:  # a library only the standard look-up finds: load the usual way
            for loaded in [m for m in sys.modules if m == name or m.startswith(name + ".")]:
                del sys.modules[loaded]
            return importlib.import_module(name)


def cache_lookup(listing: bytes | None = None, abi: str | None = None) -> FindLibrary | None:
    r"""A ``find_library`` that reads the linker cache ``listing`` (default: ``ldconfig -p``).

    ``abi`` is ldconfig's name for this interpreter's ABI (default: ctypes.util's for this
    machine). None when the cache cannot be read (not Linux, or no glibc ``ldconfig``).

    >>> find = cache_lookup(
    ...     b"\tlibpango-1.0.so.0 (libc6,x86-64) => /lib/x86_64-linux-gnu/libpango-1.0.so.0\n",
    ...     abi="libc6,x86-64",
    ... )
    >>> find("pango-1.0")
    'libpango-1.0.so.0'
    >>> find("libpango-1.0-0") is None
    True
    """
    if listing is None:
        listing = _ldconfig_listing()
        if listing is None:
            return None
    if abi is None:
        bits = "-32" if struct.calcsize("l") == 4 else "-64"  # noqa: PLR2004 -- a 4-byte C long
        abi = _ABI.get(os.uname().machine + bits, "libc6")
    cached, abi_bytes = listing, abi.encode()

    def find_library(name: str) -> str | None:
        # The pattern of ctypes.util._findSoname_ldconfig, on the one listing.
        pattern = rb"\s+(lib%s\.[^\s]+)\s+\(%s" % (re.escape(name).encode(), abi_bytes)
        found = re.search(pattern, cached)
        return os.fsdecode(found.group(1)) if found else None

    return find_library


def _ldconfig_listing() -> bytes | None:
    """``ldconfig -p`` as ctypes.util runs it; None where that is not how libraries are found."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        done = subprocess.run(  # noqa: S603 -- a fixed command, no shell, no input
            [LDCONFIG, "-p"],
            stdin=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            env={"LC_ALL": "C", "LANG": "C"},
            check=False,
        )
    except OSError:
        return None
    return done.stdout if done.returncode == 0 and done.stdout else None


@contextmanager
def _find_library_as(lookup: FindLibrary) -> Iterator[None]:
    """``ctypes.util.find_library`` is ``lookup`` inside the block, and the original after."""
    original = ctypes.util.find_library
    ctypes.util.find_library = lookup
    try:
        yield
    finally:
        ctypes.util.find_library = original
