"""SHA-256 without OpenSSL, for what start-up hashes (the catalogue's text, dataclass code).

:mod:`hashlib`'s import loads OpenSSL's library, a few milliseconds of a command that only
hashes its own files. CPython has its own SHA-256 as a built-in module: ``_sha256`` up to
3.11, ``_sha2`` from 3.12. Either gives the same digest as :func:`hashlib.sha256`, which is
the fallback on another Python.

>>> sha256(b"taperline").hexdigest() == __import__("hashlib").sha256(b"taperline").hexdigest()
True
"""

from __future__ import annotations

__all__ = ["sha256"]

try:  # up to 3.11
    from _sha256 import sha256  # type: ignore[import-not-found,unused-ignore]  # CPython's own
except ImportError:  # pragma: no cover -- 3.12 on
    try:
        from _sha2 import sha256  # type: ignore[import-not-found,no-redef,unused-ignore]  # ditto
    except ImportError:  # another Python: the same digest from hashlib
        from hashlib import sha256  # type: ignore[assignment,unused-ignore]  # same digest
