"""The order the tests run in under xdist: each worker starts with its share of the slow ones.

``make test`` runs ``--dist worksteal``: the collection is cut into one run of tests per
worker (the first ``len // workers`` tests to the first worker, and so on), and a worker that
runs out takes the second half of the longest queue. Slow tests left in file order pile up: a
47 s browser walk starting near the end keeps one worker busy while the other has nothing
left to do (a quiet 2-core run, 2026-12-03: 431 s, the workers ending far apart). Dealt out
in turn to the head of each worker's run, where no one steals them, with the quick tests
filling the rest of each run to be shared out at the end, the same tests took 399 s and
both workers ended within a second of each other.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

__all__ = ["deal", "runs"]

_T = TypeVar("_T")


def runs(count: int, workers: int) -> list[int]:
    """The lengths worksteal's first share-out gives each worker's run, in order.

    >>> runs(4027, 2)
    [2013, 2014]
    """
    lengths, left = [], count
    for worker in range(workers):
        lengths.append(left // (workers - worker))
        left -= lengths[-1]
    return lengths


def deal(items: Sequence[_T], workers: int, slow: Callable[[_T], bool]) -> list[_T]:
    """``items`` ordered so each worker's run starts with every ``workers``-th slow item.

    Each group keeps its own order; with fewer than two workers nothing moves.

    >>> deal(["s1", "a", "b", "s2", "c", "d"], 2, lambda name: name.startswith("s"))
    ['s1', 'a', 'b', 's2', 'c', 'd']
    >>> deal(["a", "b", "c", "d", "s1", "s2"], 2, lambda name: name.startswith("s"))
    ['s1', 'a', 'b', 's2', 'c', 'd']
    """
    if workers < 2:
        return list(items)
    heavy = [item for item in items if slow(item)]
    quick = [item for item in items if not slow(item)]
    ordered: list[_T] = []
    spilt: list[_T] = []  # slow items beyond a run's length (only in tiny collections)
    for worker, length in enumerate(runs(len(items), workers)):
        mine = heavy[worker::workers]
        take = max(0, length - len(mine))
        ordered += mine[:length] + quick[:take]
        spilt += mine[length:]
        quick = quick[take:]
    return ordered + spilt + quick
