"""A package's names imported from their modules on first use (PEP 562), for the core.

``taperline learn`` and ``journal list`` should not pay for the checker, the screening or
the findings they never run, so :mod:`taperline.core.check`, :mod:`taperline.core.findings`
and :mod:`taperline.core.screening` import each name when it is first read. The core may
not import ``importlib`` (tests/test_architecture.py), so each package gives the function
that imports its own modules by name; :func:`lazy_names` gives the package its
``__getattr__`` and ``__dir__``.

>>> from types import SimpleNamespace
>>> space = {"__name__": "pkg"}
>>> getattr_, dir_ = lazy_names(space, {"pi": "maths"}, lambda where: SimpleNamespace(pi=3.14))
>>> getattr_("pi"), space["pi"], dir_()
(3.14, 3.14, ['__name__', 'pi'])
>>> getattr_("tau")
Traceback (most recent call last):
AttributeError: module 'pkg' has no attribute 'tau'
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, MutableMapping
from typing import Any

__all__ = ["lazy_names"]


def lazy_names(
    namespace: MutableMapping[str, Any],
    where: Mapping[str, str],
    load: Callable[[str], object],
) -> tuple[Callable[[str], object], Callable[[], list[str]]]:
    """The ``__getattr__`` and ``__dir__`` of a package whose names are imported on first use.

    ``namespace`` is the package's ``globals()``, ``where`` each lazy name's module (a key
    ``load`` knows), ``load`` imports that module. A name read is kept in ``namespace``, so
    it is looked up once.
    """

    def __getattr__(name: str) -> object:  # noqa: N807 -- PEP 562's name
        """Import ``name`` from its module on first use (and keep it in the package)."""
        module = where.get(name)
        if module is None:
            raise AttributeError(f"module {namespace['__name__']!r} has no attribute {name!r}")
        value = getattr(load(module), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:  # noqa: N807 -- PEP 562's name
        return sorted({*namespace, *where})  # a name read is in both: listed once

    return __getattr__, __dir__
