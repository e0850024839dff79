"""The order of the tests under xdist (tests/support/order.py): the slow ones head each run."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tests.support.order import deal, runs


@given(st.lists(st.booleans(), max_size=60), st.integers(1, 5))
def test_each_run_starts_with_its_share_of_the_slow_tests(marks: list[bool], workers: int) -> None:
    items = list(enumerate(marks))  # (position, slow)
    ordered = deal(items, workers, lambda item: item[1])
    assert sorted(ordered) == items  # nothing lost, nothing twice
    quick = [item for item in items if not item[1]]
    assert [item for item in ordered if not item[1]] == quick  # in their own order
    if workers < 2:
        assert ordered == items
        return
    slow = [item for item in items if item[1]]
    lengths = runs(len(items), workers)
    if any(len(slow[w::workers]) > length for w, length in enumerate(lengths)):
        return  # a run too short for its share (a handful of tests): nothing more to say
    start = 0
    for worker, length in enumerate(lengths):
        run = ordered[start : start + length]
        share = slow[worker::workers]
        assert run[: len(share)] == share
        assert not any(item[1] for item in run[len(share) :])
        start += length


def test_runs_are_the_lengths_worksteal_gives() -> None:
    assert runs(10, 3) == [3, 3, 4]
    assert sum(runs(4027, 4)) == 4027
