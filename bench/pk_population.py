"""Benchmark: a virtual population on once-nightly clonazepam, hour by hour, for a year.

Times ``simulate_nightly`` (the whole job: every hourly concentration plus the 5/50/95 %
bands of each night's trough and peak) against

* a per-person ``scipy.integrate.solve_ivp`` baseline (DOP853, rtol 1e-10, atol 1e-12 mg,
  restarted at every dose), timed on a few people and scaled to the population, and also
  used to check our matrix to 1e-6 relative;
* the memory floor: allocating and filling a fresh float64 array of the output's size (one
  thread: NumPy's ``np.full``).

``simulate_nightly`` runs on ``--threads`` threads (default: every core of the machine, as a
server would run it); ``--threads 1`` measures one. Its results are the same to the bit for
any number (tests/test_population.py).

Each timing is the best of ``--repeats`` runs. Peak memory is the rise of ``ru_maxrss``
during our runs (before the floor runs, which allocate less than we do).

The last line is ``ratio_vs_solve_ivp=<x> ratio_vs_floor=<y> peak_rss_mb=<z>``.

Usage: ``python bench/pk_population.py [--people 10000] [--days 365] [--ivp-sample 3]
[--threads N]``
"""

from __future__ import annotations

import argparse
import os
import resource
import time
from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray
from scipy.integrate import solve_ivp

from taperline.core.pk import CLONAZEPAM_PK
from taperline.core.population import Population, sample_population, simulate_nightly

DOSE_MG = 1.0
DOSE_HOUR = 22.0
HOURS_PER_DAY = 24.0
RTOL, ATOL_MG = 1e-10, 1e-12


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--ivp-sample", type=int, default=3, help="people timed with solve_ivp")
    parser.add_argument("--repeats", type=int, default=3, help="best of this many runs")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--threads", type=int, default=os.cpu_count() or 1, help="threads (default: the cores)"
    )
    return parser.parse_args()


def peak_rss_kb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux


def best_time(run: Callable[[], object], repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - start)
        del result  # free before the next run, so runs do not stack in memory
    return best


def solve_ivp_person(pop: Population, person: int, days: int) -> NDArray[np.float64]:
    """One person's hourly concentrations by numerical integration, restarted at each dose."""
    ka, ke = pop.ka_per_h[person], pop.ke_per_h[person]
    scale = 1000.0 / pop.v_l[person]
    grid = np.arange(int(days * HOURS_PER_DAY))
    out = np.zeros(grid.size)
    state = np.zeros(2)  # mg in the gut, mg in the body

    def rhs(_t: float, y: NDArray[np.float64]) -> list[float]:
        return [-ka * y[0], ka * y[0] - ke * y[1]]

    for night in range(days):
        start = night * HOURS_PER_DAY + DOSE_HOUR
        stop = start + HOURS_PER_DAY
        state[0] += pop.bioavailability * DOSE_MG
        inside = (grid >= start) & (grid < stop)
        t_eval = np.append(grid[inside].astype(float), stop)
        sol = solve_ivp(
            rhs, (start, stop), state, method="DOP853", rtol=RTOL, atol=ATOL_MG, t_eval=t_eval
        )
        out[inside] = sol.y[1, :-1] * scale
        state = sol.y[:, -1].copy()
    return out


def main() -> None:
    args = parse_args()
    pop = sample_population(CLONAZEPAM_PK, args.people, seed=args.seed)
    simulate_nightly(pop, DOSE_MG, min(args.days, 3), dose_hour=DOSE_HOUR)  # warm-up
    shape = (args.people, int(args.days * HOURS_PER_DAY))
    output_mb = shape[0] * shape[1] * 8 / 2**20

    baseline_kb = peak_rss_kb()
    ours_s = best_time(
        lambda: simulate_nightly(pop, DOSE_MG, args.days, threads=args.threads), args.repeats
    )
    ours_peak_mb = (peak_rss_kb() - baseline_kb) / 1024
    result = simulate_nightly(pop, DOSE_MG, args.days, dose_hour=DOSE_HOUR)
    sample = min(args.ivp_sample, args.people)
    ours_rows = result.concentrations_ng_per_ml[:sample].copy()
    last = args.days - 1
    trough, peak = result.trough_bands, result.peak_bands
    del result

    floor_s = best_time(lambda: np.full(shape, 1.0), args.repeats)

    start = time.perf_counter()
    ivp_rows = [solve_ivp_person(pop, person, args.days) for person in range(sample)]
    ivp_per_person_s = (time.perf_counter() - start) / sample
    ivp_total_s = ivp_per_person_s * args.people
    reference = np.array(ivp_rows)
    significant = reference > 1e-3 * reference.max()
    max_rel = float(np.max(np.abs(ours_rows - reference)[significant] / reference[significant]))

    print(f"people x days            {args.people} x {args.days} ({shape[0] * shape[1]:,} values)")
    print(f"output array             {output_mb:,.0f} MB")
    print(
        f"simulate_nightly + bands {ours_s:.3f} s (best of {args.repeats},"
        f" {args.threads} thread{'s' if args.threads > 1 else ''})"
    )
    print(f"memory floor (np.full)   {floor_s:.3f} s (best of {args.repeats})")
    print(f"solve_ivp per person     {ivp_per_person_s:.3f} s (sample of {sample})")
    print(f"solve_ivp, all (est.)    {ivp_total_s:,.0f} s")
    print(f"max rel. diff vs ivp     {max_rel:.2e} (where C > 0.1 % of max)")
    print(
        f"peak RSS rise            {ours_peak_mb:,.0f} MB ({ours_peak_mb / output_mb:.2f}x output)"
    )
    print(
        f"night {last + 1} trough p05/p50/p95  "
        f"{trough.p05[last]:.2f} / {trough.p50[last]:.2f} / {trough.p95[last]:.2f} ng/mL"
    )
    print(
        f"night {last + 1} peak   p05/p50/p95  "
        f"{peak.p05[last]:.2f} / {peak.p50[last]:.2f} / {peak.p95[last]:.2f} ng/mL"
    )
    print(
        f"ratio_vs_solve_ivp={ivp_total_s / ours_s:.0f} ratio_vs_floor={ours_s / floor_s:.2f} "
        f"peak_rss_mb={ours_peak_mb:.0f}"
    )


if __name__ == "__main__":
    main()
