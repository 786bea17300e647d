"""Timing helpers every benchmark shares: the best of several runs (the machine is shared
and noisy), as wall seconds, or as wall and CPU seconds of this process."""

from __future__ import annotations

import time
from collections.abc import Callable

Timing = tuple[float, float]  # (wall seconds, CPU seconds of this process)


def best_time(fn: Callable[[], object], runs: int) -> float:
    """The fastest wall time of ``runs`` calls of ``fn``."""
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def clock() -> Timing:
    return time.perf_counter(), time.process_time()


def since(t0: Timing) -> Timing:
    return time.perf_counter() - t0[0], time.process_time() - t0[1]


def best(runs: list[Timing]) -> Timing:
    """The fastest of several runs, wall and CPU each."""
    return min(r[0] for r in runs), min(r[1] for r in runs)
