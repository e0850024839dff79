"""Benchmark: the taper planner (issue section 8).

* an 18-month occupancy plan for clonazepam 2 mg a day, made of the catalogue's products
  plus the 0.1 mg/mL suspension (target at most 50 ms);
* comparing 5 strategies (percent, occupancy, deprescribing, fixed, crossover) for 1 mg
  (target at most 500 ms).

Each figure is the best of ``--repeat`` runs (``time.perf_counter``), timed cold: the
dose-solver tables are rebuilt in every run ("with product solving"). Warm figures (solver
tables reused, as in a long-running server) are printed too.

The last line is ``occupancy_plan_ms=<x> compare5_ms=<y> target_ms=50/500``.

``--generated N`` times instead what the property tests pay (issue 19 section 4): ``propose``
over N requests drawn by ``tests.strategies.plan_requests`` (Hypothesis, derandomized, so the
same N requests each run and in any tree whose strategies draw the same), warm solver tables
as in a test session, CPU time (``time.process_time``, less disturbed by other processes),
best of ``--repeat`` passes; and the time to generate them (CPU, once). Run it from the
repository root (it imports ``tests``). Its last line is
``generated_plans=<n> propose_ms_per_plan=<x> generate_ms_per_request=<y>``.

Usage: ``python bench/plan.py [--repeat 20] [--generated 2000]``
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from datetime import date
from decimal import Decimal

from taperline.catalogue_data import load_catalogue
from taperline.core import plan as plan_module
from taperline.core import products as products_module
from taperline.core.compare import compare
from taperline.core.plan import PlanRequest, propose
from taperline.core.quantity import Mass
from taperline.core.regimen import ScheduledDose
from taperline.core.strategies import Strategy

START = date(2027, 1, 4)
KINDS = ("percent", "occupancy", "deprescribing", "fixed", "crossover")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20, help="best of this many runs")
    parser.add_argument(
        "--generated", type=int, default=0, help="time propose over this many generated requests"
    )
    return parser.parse_args()


def generated(count: int, repeat: int) -> None:
    """propose over ``count`` derandomized plan_requests: CPU ms a plan, best of ``repeat``."""
    # Loaded here: only this mode needs Hypothesis and the repository's tests, and
    # bench/plan_dump.py draws its requests the same way (bench/ is not a package).
    import importlib.util
    from pathlib import Path

    spec = importlib.util.spec_from_file_location(
        "bench_plan_dump", Path(__file__).with_name("plan_dump.py")
    )
    assert spec is not None
    assert spec.loader is not None
    dump = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(dump)

    started = time.process_time()
    requests: list[PlanRequest] = dump.collect(dump.plan_requests(), count)
    generate_s = time.process_time() - started

    def run() -> None:
        for request in requests:
            propose(request)  # plan_requests are valid: none is refused

    run()  # warm: solver tables are made once per product set, as in a test session
    best = float("inf")
    for _ in range(repeat):
        started = time.process_time()
        run()
        best = min(best, time.process_time() - started)
    per_plan = best * 1000.0 / len(requests)
    per_request = generate_s * 1000.0 / len(requests)
    print(
        f"{len(requests)} generated requests: propose {per_plan:.3f} ms a plan (CPU, best of ",
        end="",
    )
    print(f"{repeat}), generating {per_request:.3f} ms a request (CPU, once)")
    print(
        f"generated_plans={len(requests)} propose_ms_per_plan={per_plan:.3f} "
        f"generate_ms_per_request={per_request:.3f}"
    )


def clear_caches() -> None:
    """Forget every solver table, so each run solves the products again."""
    products_module._cached_solver.cache_clear()  # private: the bench times cold runs
    plan_module._makeable_for.cache_clear()


def best_ms(run: Callable[[], object], repeat: int, *, cold: bool) -> float:
    best = float("inf")
    for _ in range(repeat):
        if cold:
            clear_caches()
        started = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - started)
    return best * 1000.0


def main() -> None:
    args = parse_args()
    if args.generated:
        generated(args.generated, args.repeat)
        return
    catalogue = load_catalogue()
    clonazepam, diazepam = catalogue.get("clonazepam"), catalogue.get("diazepam")
    occupancy = PlanRequest(
        drug=clonazepam,
        regimen=(ScheduledDose(22.0, Mass.of_mg(2)),),
        start=START,
        strategy=Strategy(kind="occupancy", percent=Decimal(5), interval_days=22),
        products=clonazepam.products,  # tablets, ODTs and the liquids
    )
    plan = propose(occupancy)
    months = plan.duration_days / 30.44
    print(
        f"occupancy plan: {len(plan.steps)} steps, {plan.duration_days} days ({months:.1f} months)"
    )
    one_mg = PlanRequest(
        drug=clonazepam,
        regimen=(ScheduledDose(22.0, Mass.of_mg(1)),),
        start=START,
        strategy=Strategy(kind="percent"),
        target=diazepam,
    )
    plans = compare(one_mg, KINDS)
    for kind, compared in zip(KINDS, plans, strict=True):
        print(f"  {kind:<14} {len(compared.steps):>3} steps {compared.duration_days:>4} days")
    occupancy_ms = best_ms(lambda: propose(occupancy), args.repeat, cold=True)
    compare_ms = best_ms(lambda: compare(one_mg, KINDS), args.repeat, cold=True)
    warm_occupancy = best_ms(lambda: propose(occupancy), args.repeat, cold=False)
    warm_compare = best_ms(lambda: compare(one_mg, KINDS), args.repeat, cold=False)
    print(f"cold (products solved each run): occupancy {occupancy_ms:.2f} ms, ", end="")
    print(f"compare {compare_ms:.2f} ms")
    print(f"warm (solver tables reused): occupancy {warm_occupancy:.2f} ms, ", end="")
    print(f"compare {warm_compare:.2f} ms")
    print(f"occupancy_plan_ms={occupancy_ms:.2f} compare5_ms={compare_ms:.2f} target_ms=50/500")


if __name__ == "__main__":
    main()
