"""The adapters' LRU cache."""

from __future__ import annotations

import doctest
import threading

from taperline.adapters import lru
from taperline.adapters.lru import LruCache


def test_doctests() -> None:
    assert doctest.testmod(lru).failed == 0


def test_least_recently_used_go_first() -> None:
    cache: LruCache[int, str] = LruCache(3)
    for key in range(3):
        cache.put(key, str(key))
    assert cache.get(0) == "0"  # 0 is now the most recent
    cache.put(3, "3")
    assert cache.get(1) is None
    assert [cache.get(k) for k in (0, 2, 3)] == ["0", "2", "3"]
    cache.put(2, "two")  # replacing keeps the size
    assert len(cache) == 3
    assert cache.get(2) == "two"


def test_threads_never_see_more_than_the_size() -> None:
    cache: LruCache[int, int] = LruCache(50)

    def work(offset: int) -> None:
        for n in range(2_000):
            cache.put(offset + n % 200, n)
            cache.get(offset + (n * 7) % 200)

    threads = [threading.Thread(target=work, args=(k * 1_000,)) for k in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(cache) == 50
