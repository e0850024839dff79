"""An adversarial review of :mod:`taperline.dataclass_code` (the kept dataclass code).

tests/test_dataclass_code.py checks the ordinary path; these try to break it: classes whose
method text is unusual or is the same text for classes that need different globals and locals,
many processes new to the file at once, a file system that refuses (a directory or a symlink
where the file goes, a full disk, a read-only directory), a file that would grow with every
code version, and the console script's own commands, whose output must not depend on whether
the code was kept. The two defects it found are fixed and their tests pass: the temporary
file was opened through a link left at its name, and ``taperline serve`` kept the code too.
"""

from __future__ import annotations

import dataclasses
import errno
import gc
import marshal
import os
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from taperline import dataclass_code

# Classes whose generated text is unusual. Written without ``from __future__ import
# annotations`` (FUTURE below adds it): each probe's answer is a plain, deterministic value or
# the name of the exception raised, so that two processes can compare their answers as text.
EDGES = """
import copy
import dataclasses
import inspect
import weakref
from dataclasses import KW_ONLY, InitVar, dataclass, field, make_dataclass
from typing import ClassVar, Generic, TypeVar

T = TypeVar("T")
LIMIT = 5


@dataclass
class SelfField:  # dataclasses calls self "__dataclass_self__" in __init__ here
    self: int
    other: str = "x"


@dataclass(frozen=True)
class BuiltinsName:  # the name of the local a frozen __init__ assigns through
    __dataclass_builtins_object__: int


@dataclass(frozen=True)
class Shadows:  # names the generated methods use, as fields
    hash: int
    type: int = 1
    cls: int = 2
    name: int = 3
    MISSING: int = 4


@dataclass(slots=True, weakref_slot=True, frozen=True)
class Slotted:
    a: int
    b: list = field(default_factory=list, compare=False)


@dataclass(match_args=False, kw_only=True)
class NoMatch:
    a: int = LIMIT
    b: int = field(default=LIMIT * 2, repr=False)


@dataclass
class Mixed:
    a: int
    _: KW_ONLY
    b: int = 1
    c: InitVar[int] = 3
    d: int = field(init=False)
    e: ClassVar[int] = 9
    f: list = field(init=False, default_factory=lambda: [LIMIT])

    def __post_init__(self, c):
        self.d = self.a + self.b + c


@dataclass(frozen=True)
class Base:
    a: int = 0


@dataclass(frozen=True, eq=False)
class Child(Base):
    b: int = 1


@dataclass(order=True)
class Box(Generic[T]):
    item: T
    items: list = field(default_factory=list)


class Outer:
    @dataclass
    class Inner:
        a: int


Made = make_dataclass(
    "Made", [("dos\\u00e9", int), ("b", int, field(default=2))],
    namespace={"double": lambda self: getattr(self, "dos\\u00e9") * 2},
)


def self_names():  # the name dataclasses picks for self, when a field is called self
    @dataclass
    class SelfNames:
        __dataclass_self__: int
        self: int = 0
    return SelfNames(1, 2)


def unfrozen_child():
    @dataclass
    class Bad(Base):
        c: int = 2


def mutable_default():
    @dataclass
    class Bad:
        x: list = []


def ligature():  # NFKC: the text's name is not the name dataclasses passes
    return make_dataclass("Lig", [("\\ufb01eld", int)])(1)


def debug_field():  # __debug__ cannot be assigned: a SyntaxError from compile
    return make_dataclass("Dbg", [("__debug__", int)])


def attempt(probe):
    try:
        return probe()
    except Exception as error:
        return f"{type(error).__name__}: {error}"


def set_b(obj):
    obj.b = 5


def probes():
    slotted = Slotted(1)
    mixed = Mixed(1, b=2, c=4)
    box = Box[int](1)
    classes = (SelfField, BuiltinsName, Shadows, Slotted, NoMatch, Mixed, Child,
               Box, Outer.Inner, Made)
    return [
        attempt(lambda: repr(SelfField(1, "y"))),
        attempt(lambda: SelfField(self=1) == SelfField(1)),
        attempt(lambda: repr(self_names())),
        attempt(lambda: repr(BuiltinsName(7))),
        attempt(lambda: repr(Shadows(1)) + str(hash(Shadows(1)) == hash(Shadows(1)))),
        attempt(lambda: weakref.ref(slotted)() is slotted),
        attempt(lambda: (Slotted.__slots__, repr(slotted), slotted == Slotted(1, [2]))),
        attempt(lambda: hash(slotted) == hash(Slotted(1))),
        attempt(lambda: repr(copy.copy(slotted))),
        attempt(lambda: set_b(slotted)),
        attempt(lambda: (hasattr(NoMatch, "__match_args__"), repr(NoMatch()))),
        attempt(lambda: NoMatch(1)),
        attempt(lambda: (repr(mixed), mixed.d, mixed.f, Mixed.e, Mixed.__match_args__)),
        attempt(lambda: Mixed(1, 2)),
        attempt(lambda: (repr(Child(1, 2)), Child(1, 2) == Child(1, 2), Child() == Base())),
        attempt(lambda: set_b(Child())),
        attempt(lambda: (repr(box), Box(1) < Box(2), Box(1).items is not Box(1).items)),
        attempt(lambda: repr(copy.deepcopy(box))),
        attempt(lambda: repr(Outer.Inner(3))),
        attempt(lambda: (repr(Made(3)), Made(3).double())),
        attempt(unfrozen_child),
        attempt(mutable_default),
        attempt(ligature),
        attempt(debug_field),
        [
            (
                name,
                str(inspect.signature(getattr(cls, name))),
                getattr(cls, name).__qualname__,
                getattr(cls, name).__module__,
                getattr(cls, name).__code__.co_filename,
                getattr(cls, name).__code__.co_qualname,
                repr(getattr(cls, name).__defaults__),
                repr(getattr(cls, name).__kwdefaults__),
                repr(getattr(cls, name).__annotations__),
            )
            for cls in classes
            for name in ("__init__", "__repr__", "__eq__", "__lt__", "__hash__", "__setattr__")
            if callable(vars(cls).get(name))
        ],
    ]
"""

# The same classes in a module with string annotations: they must stay strings in dataclasses'
# own reading of them, and must not make the methods' annotations strings.
FUTURE = "from __future__ import annotations\n" + EDGES


def _module(source: str, name: str = "taperline_review_edges") -> ModuleType:
    """``source`` run as the module ``name`` (dataclasses looks the module up while it works)."""
    module = ModuleType(name)
    sys.modules[name] = module
    try:
        exec(compile(source, f"<{name}>", "exec", dont_inherit=True), vars(module))  # noqa: S102 -- the test's own classes
    finally:
        del sys.modules[name]
    return module


def _probes(source: str = EDGES) -> object:
    probes: Callable[[], object] = _module(source).probes
    return probes()


@pytest.fixture
def kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A cache file's path, written as bytecode would be; whatever a test installs is taken out."""
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    yield tmp_path / "__pycache__" / "dataclasses.marshal"
    dataclass_code.uninstall()
    assert "exec" not in vars(dataclasses)


HEADER = b"taperline dataclass code\0" + sys.version.encode() + b"\0"


def _entries(path: Path) -> dict[bytes, bytes]:
    data = path.read_bytes()
    assert data.startswith(HEADER)
    entries: dict[bytes, bytes] = marshal.loads(data[len(HEADER) + 4 :])  # noqa: S302 -- the test's own file
    return entries


# ---------------------------------------------------------------------------------------------
# Semantics: a class made from kept code is the class dataclasses makes.


@pytest.mark.parametrize("source", [EDGES, FUTURE], ids=["annotations", "future-annotations"])
def test_unusual_classes_from_kept_code_behave_as_dataclasses_makes_them(
    kept: Path, source: str
) -> None:
    plain = _probes(source)
    cache = dataclass_code.install(str(kept))
    compiled = _probes(source)
    assert cache.compiled > 0
    dataclass_code.uninstall()

    cache = dataclass_code.install(str(kept))
    from_file = _probes(source)
    assert cache.compiled == 0  # every text came from the file, the failing ones included
    assert plain == compiled == from_file
    assert "SyntaxError" in str(plain)  # the __debug__ probe really failed to compile
    assert "int" in str(plain[-1])  # type: ignore[index]  # annotations are objects or strings


SAME_TEXT = """
from dataclasses import dataclass, field

@dataclass(frozen=True)
class {name}:
    a: int
    b: object = field(default_factory={factory}, compare=False)
{extra}
"""


def test_one_text_for_classes_that_need_different_globals_and_locals(kept: Path) -> None:
    """Two modules whose classes make the same method texts: each must run with its own names.

    The factories are the __init__'s locals; ``hash`` and ``type`` are looked up in the module's
    globals first by the generated ``__hash__`` and ``__setattr__`` (as dataclasses does).
    """
    first = SAME_TEXT.format(name="Key", factory="list", extra="")
    second = SAME_TEXT.format(
        name="Lock",
        factory="dict",
        extra=(
            "import builtins\ntyped = []\n"
            "def hash(value):\n    return 42\n"
            "def type(obj):\n    typed.append(obj.a)\n    return builtins.type(obj)\n"
        ),
    )

    def seen(made: ModuleType, name: str) -> list[object]:
        cls = getattr(made, name)
        obj = cls(1)
        try:
            obj.a = 2
        except dataclasses.FrozenInstanceError as error:
            refused = str(error)
        return [repr(obj), obj.b, hash(obj), cls(1) == cls(1, "other"), refused]

    plain = [seen(_module(first), "Key"), seen(_module(second), "Lock")]
    cache = dataclass_code.install(str(kept))
    made_first = _module(first)
    compiled = cache.compiled
    made_second = _module(second)
    assert cache.compiled == compiled  # the second module's texts were the first one's
    assert [seen(made_first, "Key"), seen(made_second, "Lock")] == plain
    assert plain[0][1] == []
    assert plain[1][1] == {}
    assert plain[1][2] == 42
    assert made_second.typed == [1]  # its own `type`, in the kept __setattr__
    assert not hasattr(made_first, "typed")
    assert plain[0][2] == hash((1,))


def test_classes_in_a_module_not_in_sys_modules(kept: Path) -> None:
    """dataclasses then passes ``{}`` as the globals: exec fills in ``__builtins__`` both ways."""
    source = SAME_TEXT.format(name="Loose", factory="tuple", extra="")

    def made() -> list[object]:
        namespace: dict[str, Any] = {"__name__": "taperline_review_nowhere"}
        exec(compile(source, "<loose>", "exec", dont_inherit=True), namespace)  # noqa: S102 -- the test's own class
        loose = namespace["Loose"](1)
        return [repr(loose), hash(loose) == hash((1,)), loose == namespace["Loose"](1)]

    plain = made()
    dataclass_code.install(str(kept))
    assert made() == made() == plain


# ---------------------------------------------------------------------------------------------
# Processes and the file system.

WORKER = """
import sys
from taperline import dataclass_code
cache = dataclass_code.install(sys.argv[1])
import taperline_review_edges
print(repr(taperline_review_edges.probes()))
print("compiled", cache.compiled)
"""


@pytest.fixture(scope="module")
def pycache_prefix(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One bytecode prefix for this file's processes: only the first one compiles the modules."""
    return tmp_path_factory.mktemp("prefix")


def _writing_env(prefix: Path, **extra: str) -> dict[str, str]:
    """The environment of a process that writes bytecode, under ``prefix``."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(prefix)
    env.update(extra)
    return env


def test_eight_processes_new_to_the_file_at_once(tmp_path: Path, pycache_prefix: Path) -> None:
    """No crash, no wrong class, no half-written file read, no temporary file left behind."""
    (tmp_path / "taperline_review_edges.py").write_text(EDGES)
    path = tmp_path / "cache" / "dataclasses.marshal"
    env = _writing_env(pycache_prefix, PYTHONPATH=str(tmp_path))
    command = [sys.executable, "-c", WORKER, str(path)]
    workers = [
        subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(8)
    ]
    runs = [(worker.communicate(), worker.returncode) for worker in workers]
    expected = repr(_probes())
    for (stdout, stderr), returncode in runs:
        assert (returncode, stderr) == (0, b"")
        assert stdout.decode().splitlines()[0] == expected
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no *.tmp left

    last = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    assert last.returncode == 0, last.stderr
    assert last.stdout.splitlines() == [expected, "compiled 0"]


def _make_some(n: int, prefix: str = "C") -> None:
    """``n`` classes whose __init__ texts are new (a field name of their own)."""
    lines = ["from dataclasses import dataclass"]
    for i in range(n):
        lines += [
            "@dataclass(eq=False, repr=False)",
            f"class {prefix}{i}:",
            f"    {prefix.lower()}_{i}: int",
        ]
    _module("\n".join(lines) + "\n")


def test_a_directory_where_the_file_goes_is_left_alone(kept: Path) -> None:
    kept.mkdir(parents=True)
    (kept / "inside").write_text("kept")
    cache = dataclass_code.install(str(kept))
    assert _probes() == _probes()
    assert cache.compiled > 0
    dataclass_code.uninstall()
    assert sorted(p.name for p in kept.parent.iterdir()) == [kept.name]  # no *.tmp left
    assert [p.name for p in kept.iterdir()] == ["inside"]


def test_a_symlinked_file_is_replaced_not_written_through(kept: Path, tmp_path: Path) -> None:
    """As the interpreter writes bytecode: a new file in the link's place; its target untouched."""
    target = tmp_path / "shared.marshal"
    target.write_bytes(b"somebody else's")
    kept.parent.mkdir(parents=True)
    kept.symlink_to(target)
    dataclass_code.install(str(kept))
    _make_some(2)
    dataclass_code.uninstall()
    assert target.read_bytes() == b"somebody else's"
    assert not kept.is_symlink()
    assert len(_entries(kept)) == 2


def test_a_symlink_at_the_temporary_name_is_not_written_through(kept: Path, tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("someone's journal export")
    kept.parent.mkdir(parents=True)
    Path(f"{kept}.{os.getpid()}.tmp").symlink_to(victim)
    dataclass_code.install(str(kept))
    _make_some(1)
    dataclass_code.uninstall()
    assert victim.read_bytes() == b"someone's journal export"
    assert not kept.is_symlink()


class _FailingFile:
    """A real file whose write stores half the bytes and then fails, or whose close fails."""

    def __init__(self, path: str, fail_on: str) -> None:
        self._file = open(path, "wb")  # noqa: PTH123, SIM115 -- closed in __exit__
        self._fail_on = fail_on

    def __enter__(self) -> _FailingFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self._file.close()
        if self._fail_on == "close":
            raise OSError(errno.ENOSPC, "No space left on device")

    def write(self, data: bytes) -> int:
        if self._fail_on == "write":
            self._file.write(data[: len(data) // 2])
            raise OSError(errno.ENOSPC, "No space left on device")
        return self._file.write(data)


@pytest.mark.parametrize("failure", ["open", "write", "close", "replace", "makedirs"])
def test_a_full_disk_or_a_read_only_directory_keeps_the_old_file(
    kept: Path, monkeypatch: pytest.MonkeyPatch, failure: str
) -> None:
    dataclass_code.install(str(kept))
    _make_some(2, "Old")
    dataclass_code.uninstall()
    before = kept.read_bytes()

    def refuse(*_: object, **__: object) -> None:
        raise PermissionError(errno.EACCES, "Permission denied")

    def opening(path: str, mode: str = "r", *args: Any, **kwargs: Any) -> object:
        if "w" not in mode:
            return open(path, mode, *args, **kwargs)  # noqa: PTH123 -- the reader's
        if failure == "open":
            refuse()
        return _FailingFile(path, failure)

    monkeypatch.setattr(dataclass_code, "open", opening, raising=False)  # found before builtins
    if failure in {"replace", "makedirs"}:
        monkeypatch.setattr(os, failure, refuse)  # the module dataclass_code uses
    cache = dataclass_code.install(str(kept))
    _make_some(3, "New")
    assert cache.compiled == 3
    dataclass_code.uninstall()  # writes, fails quietly
    monkeypatch.undo()
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    assert kept.read_bytes() == before
    assert sorted(p.name for p in kept.parent.iterdir()) == [kept.name]  # no *.tmp left
    cache = dataclass_code.install(str(kept))
    _make_some(2, "Old")
    assert cache.compiled == 0  # the old file is still read whole


def test_the_file_stays_bounded_over_many_code_versions(
    kept: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each "version" renames its fields: its texts are new, the old ones never used again."""
    monkeypatch.setattr(dataclass_code, "MAX_ENTRIES", 7)
    sizes = []
    for version in range(10):
        cache = dataclass_code.install(str(kept))
        _make_some(3, f"V{version}x")
        assert cache.compiled == 3
        dataclass_code.uninstall()
        sizes.append(len(_entries(kept)))
    assert max(sizes) <= 7
    assert sizes[:2] == [3, 6]  # kept whole while it fits
    cache = dataclass_code.install(str(kept))
    _make_some(3, "V9x")
    assert cache.compiled == 0  # the newest version's texts are always kept


# ---------------------------------------------------------------------------------------------
# The console script.


def _taperline() -> list[str]:
    script = Path(sys.executable).with_name("taperline")
    if script.is_file():  # the console script itself
        return [str(script)]
    return [sys.executable, "-c", "from taperline.cli.main import main; main()"]


def _kept_files(prefix: Path) -> list[Path]:
    return sorted(prefix.rglob("dataclasses.*.marshal"))


@pytest.mark.parametrize(
    "args",
    [[], ["--help"], ["--version"], ["no-such-command"], ["-h"]],
    ids=["nothing", "help", "version", "unknown", "h"],
)
def test_commands_that_make_no_class_install_nothing(
    tmp_path: Path, pycache_prefix: Path, args: list[str]
) -> None:
    for kept in _kept_files(pycache_prefix):
        kept.unlink()
    env = _writing_env(pycache_prefix, TAPERLINE_DATABASE_URL=f"sqlite:///{tmp_path}/none.db")
    run = subprocess.run(
        [*_taperline(), *args], env=env, capture_output=True, text=True, check=False
    )
    assert run.returncode in {0, 2}, run.stderr
    assert _kept_files(pycache_prefix) == []


def test_another_entry_than_main_installs_nothing(tmp_path: Path, pycache_prefix: Path) -> None:
    """``cli()`` called by a script of someone's own (not the console script) compiles as usual."""
    for kept in _kept_files(pycache_prefix):
        kept.unlink()
    env = _writing_env(pycache_prefix, TAPERLINE_DATABASE_URL=f"sqlite:///{tmp_path}/none.db")
    code = (
        "import dataclasses, sys\n"
        "from taperline.cli.main import cli\n"
        "try:\n    cli(['check', 'clonazepam', '--dose', '0.5 mg', '--at', '22:00'])\n"
        "finally:\n    print('exec' in vars(dataclasses), file=sys.stderr)\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
    )
    assert (run.returncode, run.stderr) == (0, "False\n")
    assert _kept_files(pycache_prefix) == []


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["status", "--help"],
        ["learn", "clonazepam"],
        ["check", "clonazepam", "--dose", "0.5 mg", "--at", "22:00"],
        ["no-such-command"],
    ],
    ids=["help", "status-help", "learn", "check", "unknown"],
)
def test_cli_runner_never_installs_it(tmp_path: Path, args: list[str]) -> None:
    """Tests (and any caller of ``cli``) compile as usual, whatever the command."""
    from click.testing import CliRunner

    import taperline.cli.main

    env = {"TAPERLINE_DATABASE_URL": f"sqlite:///{tmp_path}/none.db"}
    result = CliRunner().invoke(taperline.cli.main.cli, args, env=env)
    assert result.exit_code in {0, 2}, result.output
    assert dataclass_code._installed is None
    assert "exec" not in vars(dataclasses)


def test_the_commands_print_the_same_with_and_without_kept_code(
    tmp_path: Path, pycache_prefix: Path
) -> None:
    env = _writing_env(
        pycache_prefix,
        TAPERLINE_DATABASE_URL=f"sqlite:///{tmp_path}/journal.db",
        TAPERLINE_NOW="2027-01-05T08:00+00:00",
        COLUMNS="100",
    )
    setup = [
        "init", "--no-ask", "--time-zone", "Europe/London", "--age-band", "40-64",
        "--drug", "clonazepam", "--dose", "0.5 mg", "--at", "22:00",
    ]  # fmt: skip
    made = subprocess.run(
        [*_taperline(), *setup], env=env, capture_output=True, text=True, check=False
    )
    assert made.returncode == 0, made.stderr
    commands = [  # the journal's review and the check (a lesson makes no dataclass: it is kept)
        ["status"],
        ["check", "clonazepam", "--dose", "0.5 mg", "--at", "22:00", "--with", "beer"],
    ]
    for args in commands:
        for kept in _kept_files(pycache_prefix):
            kept.unlink()
        cold = subprocess.run([*_taperline(), *args], env=env, capture_output=True, check=False)
        [kept] = _kept_files(pycache_prefix)
        written = kept.stat().st_mtime_ns
        warm = subprocess.run([*_taperline(), *args], env=env, capture_output=True, check=False)
        assert kept.stat().st_mtime_ns == written  # the warm run compiled nothing new
        assert (cold.returncode, cold.stdout, cold.stderr) == (
            warm.returncode,
            warm.stdout,
            warm.stderr,
        ), args
        assert cold.returncode in {0, 1}, cold.stderr  # check finds the beer: 1
        assert cold.stdout


def test_serve_through_the_console_script_compiles_as_usual(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import uvicorn

    import taperline.cli.main
    import taperline.web.app

    seen: list[bool] = []
    monkeypatch.setattr(dataclass_code, "default_path", lambda: str(tmp_path / "kept.marshal"))
    monkeypatch.setattr(taperline.cli.main, "_KEEP_DATACLASS_CODE", False)  # put back after
    monkeypatch.setattr(taperline.web.app, "settle_garbage_collector", lambda: None)
    monkeypatch.setattr(uvicorn, "run", lambda *_, **__: seen.append("exec" in vars(dataclasses)))
    monkeypatch.setenv("TAPERLINE_DATABASE_URL", f"sqlite:///{tmp_path}/serve.db")
    monkeypatch.delenv("TAPERLINE_ENV", raising=False)
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setattr(sys, "argv", ["taperline", "serve", "--port", str(port)])
    try:
        with pytest.raises(SystemExit) as exited:
            taperline.cli.main.main()
    finally:
        gc.enable()
        dataclass_code.uninstall()
    assert exited.value.code == 0
    assert seen == [False]
