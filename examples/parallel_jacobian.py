"""A Jacobian of an expensive simulation, its chunks on a process pool.

Run:  python examples/parallel_jacobian.py
"""

import time
from concurrent.futures import ProcessPoolExecutor

import numpy as np

import dualgrad as dg


def simulate(params, steps=1500):
    """An oscillator driven by 64 parameters, stepped in plain Python."""
    p = [params[i] for i in range(len(params))]
    x, v = 1.0, 0.0
    for _ in range(steps):
        force = 0.0
        for j in range(0, len(p), 4):
            force = force + p[j] * np.sin(x * p[j + 1]) + p[j + 2] * v * p[j + 3]
        v = v + 0.001 * (force - x)
        x = x + 0.001 * v
    return np.array([x, v])


def main():
    params = np.linspace(0.5, 1.5, 64)
    t0 = time.perf_counter()
    serial = dg.jacobian(simulate, params, chunk=16)
    t_serial = time.perf_counter() - t0
    with ProcessPoolExecutor(2) as pool:
        dg.jacobian(simulate, params, chunk=16, executor=pool)      # workers warm up
        t0 = time.perf_counter()
        parallel = dg.jacobian(simulate, params, chunk=16, executor=pool)
        t_pool = time.perf_counter() - t0
    print(f"Jacobian {serial.shape}: serial {t_serial:.2f} s, 2 processes {t_pool:.2f} s, "
          f"identical: {np.array_equal(serial, parallel)}")


if __name__ == "__main__":
    main()
