"""The dataclasses' compiled methods, kept between runs (issue 19, section 1).

:mod:`taperline.dataclass_code` lets :mod:`dataclasses` run code kept from an earlier run
instead of compiling the same text again. These tests check that a class made from kept code
is the class the standard library makes, that a second process compiles nothing, that the file
is written as bytecode is (or not at all) and that a damaged or foreign file is only ignored.
"""

from __future__ import annotations

import dataclasses
import inspect
import marshal
import os
import subprocess
import sys
import zlib
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

import pytest

from taperline import dataclass_code

# Written without ``from __future__ import annotations``: the fields' types are objects, and
# the kept code must not turn the methods' own annotations into strings either.
CLASSES = """
import dataclasses
from dataclasses import InitVar, dataclass, field

@dataclass(frozen=True, slots=True, order=True)
class Dose:
    amount_mcg: int
    time: str = "22:00"
    notes: tuple = ()

@dataclass(kw_only=True)
class Day:
    day: str
    doses: list = field(default_factory=list)
    scale: InitVar[int] = 1
    total_mcg: int = field(init=False, default=0)

    def __post_init__(self, scale):
        self.total_mcg = scale * sum(dose.amount_mcg for dose in self.doses)

@dataclass(eq=False, repr=False)
class Plain:
    name: str

@dataclass(unsafe_hash=True)
class Hashed:
    a: int
    b: float = 0.5
"""


@pytest.fixture
def kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A cache file's path, written as bytecode would be; whatever a test installs is taken out."""
    monkeypatch.setattr(sys, "dont_write_bytecode", False)  # as `make test` runs
    yield tmp_path / "__pycache__" / "dataclasses.marshal"
    dataclass_code.uninstall()
    assert "exec" not in vars(dataclasses)


def _made(source: str = CLASSES) -> SimpleNamespace:
    """The classes of ``source``, made in a module of their own (dataclasses looks it up)."""
    module = ModuleType("taperline_test_made")
    sys.modules[module.__name__] = module
    try:
        # without this module's `annotations` (exec would inherit it): types are objects
        code = compile(source, "<classes>", "exec", dont_inherit=True)
        exec(code, vars(module))  # noqa: S102 -- the test's own class definitions
    finally:
        del sys.modules[module.__name__]
    return SimpleNamespace(**vars(module))


def _behaviour(made: SimpleNamespace) -> list[object]:
    """What a person of these classes can see: reprs, comparisons, hashes, errors, signatures."""
    dose = made.Dose(500, notes=("with food",))
    later = made.Dose(500, "23:00")
    day = made.Day(day="2027-01-01", doses=[dose, later], scale=2)
    seen: list[object] = [
        repr(dose),
        dose == made.Dose(500, "22:00", ("with food",)),
        dose < later,
        sorted([later, dose]) == [dose, later],
        hash(dose) == hash(made.Dose(500, "22:00", ("with food",))),
        repr(day),
        day.total_mcg,
        day == made.Day(day="2027-01-01", doses=[dose, later], scale=2),
        made.Plain("a") == made.Plain("a"),
        hash(made.Hashed(1)) == hash(made.Hashed(1)),
        repr(made.Hashed(2, 1.5)),
        [str(inspect.signature(cls.__init__)) for cls in (made.Dose, made.Day, made.Hashed)],
        made.Dose.__init__.__annotations__["amount_mcg"] is int,
        made.Dose.__init__.__annotations__["return"] is None,
        made.Dose.__match_args__,
        [f.name for f in dataclasses.fields(made.Day)],
    ]
    with pytest.raises(dataclasses.FrozenInstanceError):
        dose.time = "08:00"
    with pytest.raises(TypeError, match="positional"):
        made.Day("2027-01-01")
    return seen


def test_classes_made_from_kept_code_are_the_classes_dataclasses_makes(kept: Path) -> None:
    plain = _made()
    cache = dataclass_code.install(str(kept))
    compiled = _made()
    assert cache.compiled > 0
    dataclass_code.uninstall()
    assert kept.is_file()

    cache = dataclass_code.install(str(kept))
    from_file = _made()
    assert cache.compiled == 0  # every method came from the file
    assert _behaviour(plain) == _behaviour(compiled) == _behaviour(from_file)
    assert _behaviour(plain)[-4:-2] == [True, True]  # annotations are objects, not strings
    for name in ("__init__", "__repr__", "__eq__", "__lt__", "__hash__", "__setattr__"):
        assert getattr(plain.Dose, name).__code__ == getattr(from_file.Dose, name).__code__


def test_code_made_under_python_o_is_kept_apart(
    kept: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``python -O`` compiles without asserts: its code must never be run without -O."""
    checked = "def f():\n assert False, 'checked'\n"
    cache = dataclass_code.CodeCache(str(kept))
    plain: dict[str, Any] = {}
    exec(cache.code(checked), plain)  # noqa: S102 -- the test's own text
    with pytest.raises(AssertionError, match="checked"):
        plain["f"]()
    monkeypatch.setattr(sys, "flags", SimpleNamespace(optimize=2))
    optimised: dict[str, Any] = {}
    exec(cache.code(checked), optimised)  # noqa: S102 -- the test's own text
    optimised["f"]()  # the assert was stripped: this text was compiled again, at -OO
    assert cache.compiled == 2
    monkeypatch.undo()
    again: dict[str, Any] = {}
    exec(cache.code(checked), again)  # noqa: S102 -- the test's own text
    with pytest.raises(AssertionError):
        again["f"]()
    assert cache.compiled == 2


def test_install_twice_keeps_one_cache(kept: Path) -> None:
    first = dataclass_code.install(str(kept))
    assert dataclass_code.install(str(kept.with_name("other.marshal"))) is first


def test_nothing_is_written_when_nothing_was_compiled(kept: Path) -> None:
    dataclass_code.install(str(kept))
    _made()
    dataclass_code.uninstall()
    written = kept.stat().st_mtime_ns
    os.utime(kept, ns=(written - 10**9, written - 10**9))
    dataclass_code.install(str(kept))
    _made()
    dataclass_code.uninstall()
    assert kept.stat().st_mtime_ns == written - 10**9


HEADER = b"taperline dataclass code\0" + sys.version.encode() + b"\0"


def _file(body: bytes, header: bytes = HEADER) -> bytes:
    """A cache file's bytes: a header, the CRC-32 of the body, the body."""
    return header + zlib.crc32(body).to_bytes(4, "big") + body


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"not a cache at all",
        _file(marshal.dumps({}), b"taperline dataclass code\0Python 2.7.18\0"),  # not ours
        _file(b"\xe3\x01"),  # cut short
        _file(marshal.dumps([b"a list"])),
        _file(marshal.dumps({"text": b"not bytes"})),
        HEADER + b"\0\0\0\0" + marshal.dumps({}),  # a wrong checksum
    ],
    ids=["empty", "foreign", "other-python", "truncated", "a-list", "str-key", "checksum"],
)
def test_a_damaged_or_foreign_file_is_ignored_and_replaced(kept: Path, content: bytes) -> None:
    kept.parent.mkdir(parents=True)
    kept.write_bytes(content)
    cache = dataclass_code.install(str(kept))
    assert _behaviour(_made()) == _behaviour(_made())
    assert cache.compiled > 0
    dataclass_code.uninstall()
    cache = dataclass_code.install(str(kept))
    _made()
    assert cache.compiled == 0


def test_a_damaged_entry_is_compiled_again(kept: Path) -> None:
    dataclass_code.install(str(kept))
    _made()
    dataclass_code.uninstall()
    entries = _entries(kept)
    not_code = (b"\xe3\x01", marshal.dumps(0), b"")  # cut short, an int, nothing
    damaged = {key: not_code[n % 3] for n, key in enumerate(entries)}
    kept.write_bytes(_file(marshal.dumps(damaged)))
    cache = dataclass_code.install(str(kept))
    plain = _behaviour(_made())
    assert cache.compiled == len(entries)
    dataclass_code.uninstall()
    assert plain == _behaviour(_made())


def test_nothing_is_written_when_bytecode_is_not(
    kept: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    cache = dataclass_code.install(str(kept))
    _made()
    assert cache.compiled > 0
    dataclass_code.uninstall()
    assert not kept.parent.exists()


def test_a_directory_that_cannot_be_written_is_left_alone(kept: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    path = blocker / "__pycache__" / "dataclasses.marshal"
    dataclass_code.install(str(path))
    _made()
    dataclass_code.uninstall()  # writes, fails quietly
    assert blocker.read_text() == "not a directory"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file"]


def test_a_full_file_keeps_only_what_this_process_used(
    kept: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dataclass_code.install(str(kept))
    _made()
    dataclass_code.uninstall()
    everything = _entries(kept)
    monkeypatch.setattr(dataclass_code, "MAX_ENTRIES", 1)
    cache = dataclass_code.install(str(kept))
    _made(  # Plain again (its __init__ is kept) and one new class
        "from dataclasses import dataclass\n"
        "@dataclass(eq=False, repr=False)\nclass Plain:\n    name: str\n"
        "@dataclass(eq=False, repr=False)\nclass Other:\n    other_mcg: int\n"
    )
    assert cache.compiled == 1  # Other's __init__
    dataclass_code.uninstall()
    kept_now = _entries(kept)
    assert len(everything) > 2
    assert len(kept_now) == 2  # the two __init__ this process used
    assert len(set(kept_now) & set(everything)) == 1


def test_a_bit_changed_on_disk_is_never_run(kept: Path) -> None:
    dataclass_code.install(str(kept))
    _made()
    dataclass_code.uninstall()
    texts = len(_entries(kept))
    data = bytearray(kept.read_bytes())
    data[len(data) // 2] ^= 0x10
    kept.write_bytes(bytes(data))
    cache = dataclass_code.install(str(kept))
    made = _made()
    assert cache.compiled == texts  # the whole file was set aside, not just one text
    assert _behaviour(made) == _behaviour(_made())


def _entries(path: Path) -> dict[bytes, bytes]:
    assert path.read_bytes().startswith(HEADER)
    body = path.read_bytes()[len(HEADER) + 4 :]
    entries: dict[bytes, bytes] = marshal.loads(body)  # noqa: S302 -- the test's own file
    return entries


def test_the_default_place_is_beside_the_bytecode(monkeypatch: pytest.MonkeyPatch) -> None:
    package = Path(dataclass_code.__file__).parent
    tag = sys.implementation.cache_tag
    monkeypatch.setattr(sys, "pycache_prefix", None)
    assert Path(dataclass_code.default_path()) == (
        package / "__pycache__" / f"dataclasses.{tag}.marshal"
    )
    monkeypatch.setattr(sys, "pycache_prefix", "/var/cache/py")
    assert Path(dataclass_code.default_path()) == (
        Path("/var/cache/py", *package.parts[1:], f"dataclasses.{tag}.marshal")
    )


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    code = "import sys; from taperline.cli.main import main; main()"
    return subprocess.run(
        [sys.executable, "-c", code, *args], env=env, capture_output=True, text=True, check=False
    )


def test_the_console_script_keeps_the_code_and_prints_the_same(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(tmp_path / "prefix")
    env["TAPERLINE_DATABASE_URL"] = f"sqlite:///{tmp_path}/none.db"
    # a check makes the catalogue's model (a lesson is kept made: tests/test_lessons_parsed.py)
    command = ["check", "clonazepam", "--dose", "0.5 mg", "--at", "22:00"]
    first = _run(command, env)
    assert first.returncode == 0, first.stderr
    kept = list((tmp_path / "prefix").rglob("dataclasses.*.marshal"))
    assert len(kept) == 1
    written = kept[0].stat().st_mtime_ns
    second = _run(command, env)
    assert (second.returncode, second.stdout, second.stderr) == (0, first.stdout, first.stderr)
    assert kept[0].stat().st_mtime_ns == written  # nothing new was compiled

    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["PYTHONPYCACHEPREFIX"] = str(tmp_path / "unwritten")
    third = _run(command, env)
    assert (third.returncode, third.stdout) == (0, first.stdout)
    assert not (tmp_path / "unwritten").exists()


def test_only_the_console_script_installs_it() -> None:
    from click.testing import CliRunner

    import taperline.cli.main

    assert taperline.cli.main._KEEP_DATACLASS_CODE is False
    check = ["check", "clonazepam", "--dose", "0.5 mg", "--at", "22:00"]  # makes the model
    result = CliRunner().invoke(taperline.cli.main.cli, check)
    assert result.exit_code == 0, result.output
    assert "exec" not in vars(dataclasses)
