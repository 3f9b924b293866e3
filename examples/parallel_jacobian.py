"""A Jacobian of an expensive array simulation, its chunks on a process pool.

A pollutant spreads along a river of 60,000 cells, released at 64 sources whose
rates are the parameters; 20 sensors read the concentration.  The Jacobian of the
readings with respect to the rates comes from the default call, serially and with
``executor=``: dualgrad splits the 64 directions into one chunk per worker, and each
chunk carries (and pays for) only its own directions.

Run:  python examples/parallel_jacobian.py
"""

import time
from concurrent.futures import ProcessPoolExecutor

import numpy as np

import dualgrad as dg


def readings(rates, cells=60_000, steps=60):
    """Explicit diffusion with sources; module level, so a process pool can pickle it."""
    u = np.zeros_like(rates, shape=(cells,))
    sources = np.linspace(0, cells - 1, len(rates)).astype(int)
    for _ in range(steps):
        u[1:-1] += 0.2 * (u[2:] - 2 * u[1:-1] + u[:-2])
        u[sources] += 0.01 * rates
    return u[::3000]


def main():
    rates = np.linspace(0.5, 1.5, 64)
    t0 = time.perf_counter()
    serial = dg.jacobian(readings, rates)
    t_serial = time.perf_counter() - t0
    with ProcessPoolExecutor(2) as pool:
        dg.jacobian(readings, rates, executor=pool)                # workers warm up
        t0 = time.perf_counter()
        parallel = dg.jacobian(readings, rates, executor=pool)
        t_pool = time.perf_counter() - t0
    print(f"Jacobian {serial.shape}: serial {t_serial:.2f} s, 2 processes {t_pool:.2f} s "
          f"({t_serial / t_pool:.2f}x), identical: {np.array_equal(serial, parallel)}")


if __name__ == "__main__":
    main()
