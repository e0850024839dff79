"""WeasyPrint imported with its libraries found from one reading of the linker cache (issue 19).

The fast look-up must give the standard look-up's answer for every name the linker cache
holds, find no name it does not hold without running anything, put the standard look-up back
afterwards, fall back to it when loading fails, and load the very same shared objects.
"""

from __future__ import annotations

import ctypes.util
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from taperline.adapters.report import libraries
from taperline.adapters.report.libraries import cache_lookup, import_weasyprint

linux_cache = pytest.mark.skipif(
    libraries._ldconfig_listing() is None, reason="no glibc ldconfig -p to read"
)
# WeasyPrint 70's names for its libraries, in the order it tries them (weasyprint/text/ffi.py).
WEASYPRINT_NAMES = (
    "libgobject-2.0-0", "gobject-2.0-0", "gobject-2.0", "libpango-1.0-0", "pango-1.0-0",
    "pango-1.0", "libharfbuzz-0", "harfbuzz", "libharfbuzz-subset-0", "harfbuzz-subset",
    "libharfbuzz-vector-0", "harfbuzz-vector", "libfontconfig-1", "fontconfig-1", "fontconfig",
    "libpangoft2-1.0-0", "pangoft2-1.0-0", "pangoft2-1.0",
)  # fmt: skip


@linux_cache
def test_a_name_in_the_cache_gets_the_standard_answer() -> None:
    find = cache_lookup()
    assert find is not None
    found = {name: find(name) for name in (*WEASYPRINT_NAMES, "c", "m", "z")}
    hits = {name: soname for name, soname in found.items() if soname is not None}
    assert {"gobject-2.0", "pango-1.0", "fontconfig", "pangoft2-1.0"} <= set(hits)
    for name, soname in hits.items():
        assert soname == ctypes.util.find_library(name), name


@linux_cache
def test_a_name_not_in_the_cache_is_not_found_and_nothing_runs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    find = cache_lookup()
    assert find is not None

    def no_process(*args: object, **kwargs: object) -> None:
        raise AssertionError("a look-up ran a process")

    monkeypatch.setattr(subprocess, "Popen", no_process)
    assert find("libgobject-2.0-0") is None
    assert find("no-such-library-taperline") is None


def test_no_cache_to_read_means_the_standard_look_up(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(libraries, "LDCONFIG", "/nonexistent/ldconfig")
    assert cache_lookup() is None
    monkeypatch.setattr(sys, "platform", "darwin")
    assert cache_lookup() is None


def _module(tmp_path: Path, name: str, body: str) -> None:
    (tmp_path / f"{name}.py").write_text(textwrap.dedent(body))


def test_the_standard_look_up_is_back_after_the_import(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    standard = ctypes.util.find_library
    monkeypatch.setattr(libraries, "cache_lookup", lambda: lambda name: "libseen.so.1")
    monkeypatch.syspath_prepend(str(tmp_path))
    _module(tmp_path, "probe_ok", "import ctypes.util\nSEEN = ctypes.util.find_library('x')\n")
    _module(tmp_path, "probe_fails", "raise ValueError('not an OSError')\n")
    try:
        assert import_weasyprint("probe_ok").SEEN == "libseen.so.1"
        assert ctypes.util.find_library is standard
        with pytest.raises(ValueError, match="not an OSError"):
            import_weasyprint("probe_fails")
        assert ctypes.util.find_library is standard
    finally:
        sys.modules.pop("probe_ok", None)
        sys.modules.pop("probe_fails", None)


def test_a_library_only_the_standard_look_up_finds_is_loaded_the_usual_way(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(libraries, "cache_lookup", lambda: lambda name: None)
    monkeypatch.setattr(ctypes.util, "find_library", lambda name: "libonly.so.1")
    monkeypatch.syspath_prepend(str(tmp_path))
    (tmp_path / "probe_pkg").mkdir()
    _module(tmp_path / "probe_pkg", "__init__", "from probe_pkg import lib\nSONAME = lib.SONAME\n")
    _module(
        tmp_path / "probe_pkg",
        "lib",
        """
        import ctypes.util
        SONAME = ctypes.util.find_library("only")
        if SONAME is None:
            raise OSError("cannot load library 'only'")
        """,
    )
    try:
        assert import_weasyprint("probe_pkg").SONAME == "libonly.so.1"
    finally:
        for name in ("probe_pkg", "probe_pkg.lib"):
            sys.modules.pop(name, None)


_LOADED = """
import sys
import taperline.adapters.report.libraries as libraries
if sys.argv[1] == "cache":
    libraries.import_weasyprint()
else:
    import weasyprint
print("\\n".join(sorted({line.split()[-1] for line in open("/proc/self/maps") if ".so" in line})))
"""


@linux_cache
def test_weasyprint_loads_the_same_shared_objects_either_way() -> None:
    def loaded(how: str) -> list[str]:
        done = subprocess.run(
            [sys.executable, "-c", _LOADED, how], capture_output=True, check=True, text=True
        )
        return done.stdout.splitlines()

    with_cache = loaded("cache")
    assert any("libpango-1.0.so" in path for path in with_cache)
    assert with_cache == loaded("standard")
