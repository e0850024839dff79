"""The planner's answer to a fixed set of generated requests: proof that a change changed no plan.

The requests are drawn by Hypothesis, derandomized (a fixed seed, generate phase only, no
database): ``tests.strategies.plan_requests`` (valid requests) and
``tests.test_rules_properties.wild_requests`` (any settings: refusals, custom steps, two
liquids ...). For each one line ``== <kind> <repr(request)>`` and one line
``-> <repr(plan)>`` or ``-> <ErrorType>: <message>``. Run it from the repository root in two
trees (``git worktree add /tmp/wt HEAD``; there ``PYTHONPATH=src python bench/plan_dump.py``)
and compare the files byte for byte (``cmp``): the same requests and the same plans, field
by field, floats and Decimals as repr shows them. ``--hashes`` writes a SHA-256 of each line
instead (the whole dump is a few hundred MB).

Hypothesis' exploration was seen to change with an unrelated change to a module the requests
never call (the examples, not their plans): when the ``==`` lines differ, compare the plans of
the requests both files share, or time is better spent on a smaller change.

Usage: ``python bench/plan_dump.py OUT [--plans 5000] [--wild 3000] [--hashes]``
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
from collections.abc import Callable
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the repository's tests

from tests.strategies import plan_requests
from tests.test_rules_properties import wild_requests

from taperline.core.plan import PlanRequest, propose
from taperline.errors import TaperlineError


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", help="the file to write")
    parser.add_argument("--plans", type=int, default=5000, help="plan_requests to draw")
    parser.add_argument("--wild", type=int, default=3000, help="wild_requests to draw")
    parser.add_argument("--hashes", action="store_true", help="a SHA-256 a line, not the line")
    return parser.parse_args()


def collect(strategy: st.SearchStrategy[PlanRequest], count: int) -> list[PlanRequest]:
    """``count`` requests drawn derandomized: the same ones in every run."""
    found: list[PlanRequest] = []

    @settings(
        max_examples=count,
        derandomize=True,
        database=None,
        phases=[Phase.generate],
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def run(request: PlanRequest) -> None:
        found.append(request)

    run()
    return found


def answer(request: PlanRequest) -> str:
    try:
        return repr(propose(request))
    except TaperlineError as exc:
        return f"{type(exc).__name__}: {exc}"


def main() -> None:
    args = parse_args()
    started = time.perf_counter()
    requests = [("plan", r) for r in collect(plan_requests(), args.plans)]
    requests += [("wild", r) for r in collect(wild_requests(), args.wild)]
    drawn = time.perf_counter()
    line: Callable[[str], str] = (
        (lambda text: hashlib.sha256(text.encode()).hexdigest()) if args.hashes else str
    )
    with Path(args.out).open("w", encoding="utf-8") as out:
        for kind, request in requests:
            out.write(f"== {line(f'{kind} {request!r}')}\n")
            out.write(f"-> {line(answer(request))}\n")
    done = time.perf_counter()
    print(
        f"{len(requests)} requests: drawn in {drawn - started:.1f} s, proposed in "
        f"{done - drawn:.1f} s; written to {args.out}"
    )


if __name__ == "__main__":
    main()
