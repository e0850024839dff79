"""The layers stay apart, checked on the source (AST) of every module.

* The core stays pure: no I/O, UI, database or web imports; no environment, files or
  clock; from taperline it imports only the core and ``taperline.errors``.
* Adapters (storage, exports, documents) import no interface: nothing from
  ``taperline.web`` or ``taperline.cli``.
* Storage owns SQL: ``taperline.web`` and ``taperline.cli`` import no SQLAlchemy (nor
  Alembic or a database driver) and no storage schema module; they reach the database
  through the repositories in ``taperline.adapters.storage``.
* Route modules are leaves: only the app that mounts them imports them (the imports
  that are still there are listed, and no new one may appear).

An import counts wherever it is written: at the top, inside a function (lazy imports),
or under ``TYPE_CHECKING``.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

import pytest

import taperline

SRC = Path(taperline.__file__).parent
CORE_FILES = sorted((SRC / "core").rglob("*.py"))
ADAPTER_FILES = sorted((SRC / "adapters").rglob("*.py"))
INTERFACE_FILES = sorted([*(SRC / "web").rglob("*.py"), *(SRC / "cli").rglob("*.py")])
ALL_FILES = sorted(SRC.rglob("*.py"))

FORBIDDEN_MODULES = {
    "sqlite3",
    "sqlalchemy",
    "alembic",
    "psycopg",
    "fastapi",
    "starlette",
    "typer",
    "click",
    "rich",
    "matplotlib",
    "httpx",
    "requests",
    "urllib",
    "socket",
    "subprocess",
    "shutil",
    "tempfile",
    "pathlib",
    "io",
    "os",
    "sys",
    "time",
    "importlib",
    "tomllib",
    "scipy",
    "logging",
    "uvicorn",
    "jinja2",
    "weasyprint",
}
#: What the core may import from taperline: itself and the shared error types.
CORE_MAY_IMPORT = ("taperline.core", "taperline.errors")
#: The interfaces, which adapters must not import.
INTERFACES = ("taperline.web", "taperline.cli")
#: SQL and its schema, which only storage (``taperline.adapters.storage``) imports.
SQL_MODULES = (
    "sqlalchemy",
    "alembic",
    "psycopg",
    "sqlite3",
    "taperline.adapters.storage.schema",
    "taperline.adapters.storage.accounts_schema",
)
#: The module that mounts the route modules' routers: the one place that imports them.
APP = "taperline.web.app"
# Names that read the environment, files or the clock, wherever they come from.
FORBIDDEN_CALLS = {
    "open",
    "input",
    "print",
    "getenv",
    "environ",
    "now",
    "today",
    "utcnow",
    "monotonic",
    "perf_counter",
    "read_text",
    "read_bytes",
    "exec",
    "eval",
}


def _imports(tree: ast.AST) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
            if node.module == "datetime":
                # Dates are fine as values; `datetime.now`/`date.today` are caught as calls below.
                continue
    return found


def module_name(path: Path) -> str:
    """The dotted name of a module file under ``src/taperline``."""
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_names(path: Path) -> set[str]:
    """Everything the module file imports (see :func:`names_imported`)."""
    return names_imported(
        path.read_text(encoding="utf-8"), module_name(path), package=path.name == "__init__.py"
    )


def names_imported(source: str, module: str, *, package: bool = False) -> set[str]:
    """Everything ``source`` imports, fully qualified, wherever the import is written.

    ``import a.b`` gives ``a.b``; ``from a.b import c`` gives ``a.b.c`` (a module, or a name
    in one); relative imports are resolved against ``module``'s package (``module`` itself
    when it is a package's ``__init__``).
    """
    parts = module.split(".") if package else module.split(".")[:-1]
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = parts[: len(parts) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def _within(name: str, prefixes: Iterable[str]) -> bool:
    """``name`` is one of ``prefixes`` or inside one of them."""
    return any(name == p or name.startswith(f"{p}.") for p in prefixes)


def _calls(tree: ast.AST) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name):
                names.add(func.id)
            elif isinstance(func, ast.Attribute):
                names.add(func.attr)
        elif isinstance(node, ast.Attribute) and node.attr == "environ":
            names.add("environ")
    return names


def test_core_files_found() -> None:
    assert len(CORE_FILES) >= 3


@pytest.mark.parametrize("path", CORE_FILES, ids=lambda p: p.name)
def test_core_imports_nothing_impure(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    bad = _imports(tree) & FORBIDDEN_MODULES
    assert not bad, f"{path.name} imports {sorted(bad)}; the core must stay pure"


@pytest.mark.parametrize("path", CORE_FILES, ids=lambda p: p.name)
def test_core_reads_no_environment_files_or_clock(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    bad = _calls(tree) & FORBIDDEN_CALLS
    assert not bad, f"{path.name} calls {sorted(bad)}; pass values in instead"


def test_core_imports_only_core_and_errors_from_taperline() -> None:
    for path in CORE_FILES:
        for name in imported_names(path):
            if _within(name, ("taperline",)):
                assert _within(name, CORE_MAY_IMPORT), (
                    f"{path.name} imports {name}: the core depends on nothing outside it"
                )


def test_errors_imports_nothing_from_taperline() -> None:
    """``taperline.errors``, the one module outside the core that the core imports, stays a leaf."""
    names = imported_names(SRC / "errors.py")
    assert not [n for n in names if _within(n, ("taperline",))]


def test_importing_core_loads_no_forbidden_module() -> None:
    code = (
        "import sys, taperline.core.quantity, taperline.core.products, taperline.core.pk;"
        "bad = {'sqlalchemy','fastapi','click','rich','matplotlib','scipy','sqlite3'}"
        " & set(sys.modules);"
        "print(sorted(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# --- layer contracts ---------------------------------------------------------------------


def test_names_imported_resolves_every_form() -> None:
    source = (
        "import sqlalchemy.engine\n"
        "from taperline.adapters.storage import schema as t\n"
        "from . import accounts\n"
        "from ..core.quantity import Mass\n"
        "if TYPE_CHECKING:\n"
        "    from sqlalchemy import Engine\n"
        "def lazy() -> None:\n"
        "    import taperline.cli.main\n"
    )
    assert names_imported(source, "taperline.web.example") == {
        "sqlalchemy.engine",
        "taperline.adapters.storage.schema",
        "taperline.web.accounts",
        "taperline.core.quantity.Mass",
        "sqlalchemy.Engine",
        "taperline.cli.main",
    }
    assert names_imported("from . import db", "taperline.adapters.storage", package=True) == {
        "taperline.adapters.storage.db"
    }


def test_layer_files_found() -> None:
    assert len(ADAPTER_FILES) >= 5
    assert len(INTERFACE_FILES) >= 10
    assert {module_name(p) for p in (SRC / "adapters" / "storage").rglob("*.py")} >= {
        "taperline.adapters.storage.accounts",
        "taperline.adapters.storage.flags",
        "taperline.adapters.storage.record_version",
    }


@pytest.mark.parametrize("path", ADAPTER_FILES, ids=lambda p: str(p.relative_to(SRC)))
def test_adapters_import_no_interface(path: Path) -> None:
    bad = sorted(n for n in imported_names(path) if _within(n, INTERFACES))
    assert not bad, (
        f"{module_name(path)} imports {bad}: adapters serve the web app and the CLI, and"
        " import neither (move what both need below them)"
    )


@pytest.mark.parametrize("path", INTERFACE_FILES, ids=lambda p: str(p.relative_to(SRC)))
def test_web_and_cli_import_no_sql(path: Path) -> None:
    bad = sorted(n for n in imported_names(path) if _within(n, SQL_MODULES))
    assert not bad, (
        f"{module_name(path)} imports {bad}: SQL lives in taperline.adapters.storage; call"
        " a repository there (Store, Accounts, record_version, red_flags) instead"
    )


def test_only_the_app_imports_route_modules() -> None:
    routes = {module_name(p) for p in (SRC / "web").glob("routes_*.py")}
    assert len(routes) >= 4
    found = {
        (module_name(path), route)
        for path in ALL_FILES
        if module_name(path) != APP
        for name in imported_names(path)
        for route in routes
        if _within(name, (route,))
    }
    assert not found, (
        f"{sorted(found)}: a route module is a leaf that only {APP} imports; move what is"
        " shared to a service or a web helper module"
    )


# --- typed CLI commands -------------------------------------------------------------------

#: Every module of the command-line interface.
CLI_FILES = sorted((SRC / "cli").rglob("*.py"))


def untyped_kwargs(source: str) -> list[str]:
    """The functions in ``source`` whose ``**kwargs`` are typed ``Any``, or not typed at all.

    A command takes one typed keyword parameter per Click option instead, so that mypy checks
    every use; ``**options: Any`` (read as ``options["..."]``) checks none.
    """
    found: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            continue
        kwarg = node.args.kwarg
        if kwarg is None:
            continue
        annotation = kwarg.annotation
        written = "" if annotation is None else ast.unparse(annotation).strip("'\"")
        if annotation is None or written.rpartition(".")[2] == "Any":
            name = "<lambda>" if isinstance(node, ast.Lambda) else node.name
            found.append(f"{name}(**{kwarg.arg}: {written or 'untyped'})")
    return found


def test_untyped_kwargs_finds_every_form() -> None:
    source = (
        "import typing\n"
        "from typing import Any\n"
        "def a(**o: Any) -> None: ...\n"
        "def b(x: int, **options: typing.Any) -> None: ...\n"
        "async def c(**kw: 'Any') -> None: ...\n"
        "def d(**kw): ...\n"
        "class K:\n"
        "    def e(self, **kw: Any) -> None:\n"
        "        def f(**inner: Any) -> None: ...\n"
        "g = lambda **kw: kw\n"
        "def typed(*, person_id: int | None, x: Any, **counts: int) -> None: ...\n"
    )
    assert sorted(untyped_kwargs(source)) == [
        "<lambda>(**kw: untyped)",
        "a(**o: Any)",
        "b(**options: typing.Any)",
        "c(**kw: Any)",
        "d(**kw: untyped)",
        "e(**kw: Any)",
        "f(**inner: Any)",
    ]


def test_cli_files_found() -> None:
    assert {p.name for p in CLI_FILES} >= {"journal.py", "plan.py", "exchange.py", "status.py"}


@pytest.mark.parametrize("path", CLI_FILES, ids=lambda p: str(p.relative_to(SRC)))
def test_cli_functions_take_no_untyped_kwargs(path: Path) -> None:
    bad = untyped_kwargs(path.read_text(encoding="utf-8"))
    assert not bad, (
        f"{module_name(path)}: {', '.join(bad)}: give the command one typed keyword parameter"
        " per Click option (or a helper typed values or a frozen dataclass of them)"
    )


#: What the Store does, by kind: the interfaces may read through it, and write only through
#: a service function (which checks, reviews, and is the one place a rule is enforced).
STORE_READS = frozenset(
    {"checkin", "checkins", "dose_by_key", "doses", "person_ids", "plan_in_force", "plans"}
    | {"person_created_at", "profile", "record", "refresh", "scores"}
    | {"sleep_windows"}
    | {"calendar_feed", "calendar_feed_by_token", "issued_events", "reminder_settings"}
    | {"calendar_sent_at"}
    | {"device_sleep_new", "device_sleep_records", "device_sleep_imports", "device_sleep_settings"}
    | {"device_sleep_sources"}
)
STORE_WRITES = frozenset(
    {"add_plan", "create_person", "decide", "delete_checkin", "delete_dose", "delete_person"}
    | {"import_checkins"}
    | {"import_doses", "import_record", "log_dose", "save_checkin", "save_score", "update_profile"}
    | {"replace_score"}
    | {"add_sleep_window"}
    | {"add_calendar_feed", "record_issued_events", "revoke_calendar_feed"}
    | {"add_device_sleep", "undo_device_sleep_import", "save_device_sleep_settings"}
    | {"save_reminder_settings"}
)


def test_every_store_method_is_a_read_or_a_write() -> None:
    """A new Store method is classified here before an interface can call it."""
    from taperline.adapters.storage.repo import Store

    public = {name for name in dir(Store) if not name.startswith("_")}
    assert public <= STORE_READS | STORE_WRITES, sorted(public - STORE_READS - STORE_WRITES)
    assert not STORE_READS & STORE_WRITES


def _store_writes(tree: ast.AST) -> list[str]:
    """Calls ``store.<write>(...)`` or ``<x>.store.<write>(...)`` in ``tree``."""
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        owner = node.func.value
        on_store = (isinstance(owner, ast.Name) and owner.id == "store") or (
            isinstance(owner, ast.Attribute) and owner.attr == "store"
        )
        if on_store and node.func.attr in STORE_WRITES:
            found.append(f"line {node.lineno}: {node.func.attr}")
    return found


@pytest.mark.parametrize("path", INTERFACE_FILES, ids=lambda p: p.name)
def test_interfaces_write_only_through_the_service(path: Path) -> None:
    bad = _store_writes(ast.parse(path.read_text(encoding="utf-8")))
    assert not bad, f"{path.name} writes to the store itself ({bad}): call a service function"


def test_a_direct_store_write_is_caught() -> None:
    """The check above can fail."""
    tree = ast.parse("svc.store.delete_checkin(1, day)\nstore.save_score(1, s)\nstore.doses(1)")
    assert _store_writes(tree) == ["line 1: delete_checkin", "line 2: save_score"]
