"""The timing loop both reference scripts share: untimed warm-up calls, then wall and CPU time per timed call."""
import time

import numpy as np


def time_calls(call, warmup, iterations):
    """Runs `call` warmup + iterations times; returns (median ms, mean ms, CPU ms) of the timed calls."""
    for _ in range(warmup):
        call()
    times = []
    cpu0 = time.process_time()
    for _ in range(iterations):
        start = time.perf_counter()
        call()
        times.append(1000 * (time.perf_counter() - start))
    cpu = 1000 * (time.process_time() - cpu0) / iterations
    return round(float(np.median(times)), 3), round(float(np.mean(times)), 3), round(cpu, 3)
