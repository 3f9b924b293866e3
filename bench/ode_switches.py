"""What dg.solve_ivp's watch of fun's switches costs (ode50): the derivative of an ODE's end
state through ``dg.solve_ivp`` for right-hand sides without comparisons on duals, with a
continuous clamp (each crossing bisected to its switch, then trusted), and with a Newton
loop inside (its stopping test compares duals at every evaluation), median CPU time of
``--repeat`` calls, and ``dg.solve_ivp`` without derivatives against SciPy's solve_ivp.

    PYTHONPATH=/path/to/checkout python bench/ode_switches.py [--repeat R]

Run it with PYTHONPATH alternating between two checkouts to compare them (it imports the
dualgrad that PYTHONPATH names; it does not add its own checkout to the path).
"""

import argparse
import os
import time

for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ.setdefault(var, "1")

import numpy as np  # noqa: E402
from scipy.integrate import solve_ivp  # noqa: E402

import dualgrad as dg  # noqa: E402

TOL = {"rtol": 1e-8, "atol": 1e-10}


def lotka(t, y, p):
    return np.stack([p[0] * y[0] - p[1] * y[0] * y[1], -p[2] * y[1] + p[3] * y[0] * y[1]])


def clamp(t, y, p):
    return -1.0 - np.where(y > 0, p[0] * y, 0.0) + 0.0 * p[1]


def newton_sqrt(a):
    z = a * 0 + 1.0
    while abs(z * z - a) > 1e-14 * abs(a):
        z = 0.5 * (z + a / z)
    return z


def newton(t, y, p):
    return -newton_sqrt(y[0] + p[0]) * np.ones(1) + 0.0 * p[1]


PROBLEMS = {   # name: (rhs, y0, t_end, p)
    "Lotka-Volterra, gradient (no comparison)": (lotka, [1.0, 0.5], 10.0,
                                                 np.array([1.1, 0.4, 0.9, 0.3])),
    "clamp -1 - where(y > 0, k y, 0), gradient": (clamp, [1.0], 3.0, np.array([0.8, 0.0])),
    "Newton sqrt inside fun, gradient": (newton, [4.0], 1.0, np.array([0.5, 0.0])),
}


def cpu_ms(f, repeat):
    times = []
    for _ in range(repeat):
        t0 = time.process_time()
        f()
        times.append(1e3 * (time.process_time() - t0))
    return float(np.median(times))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    print(f"dualgrad from {os.path.dirname(dg.__file__)}; load {os.getloadavg()[0]:.1f}")
    for name, (rhs, y0, t_end, p) in PROBLEMS.items():
        def grad(rhs=rhs, y0=y0, t_end=t_end):
            return dg.gradient(lambda q: dg.solve_ivp(rhs, (0.0, t_end), y0, args=(q,),
                                                      **TOL).y[0, -1], p)

        def plain(rhs=rhs, y0=y0, t_end=t_end):
            return dg.solve_ivp(rhs, (0.0, t_end), y0, args=(p,), **TOL)

        def scipy(rhs=rhs, y0=y0, t_end=t_end):
            return solve_ivp(rhs, (0.0, t_end), y0, args=(p,), **TOL)

        grad()
        g, v, s = cpu_ms(grad, args.repeat), cpu_ms(plain, args.repeat), \
            cpu_ms(scipy, args.repeat)
        print(f"{name:44s} gradient {g:8.2f} ms   dg.solve_ivp plain {v:7.2f} ms   "
              f"scipy {s:7.2f} ms   plain / scipy {v / s:5.2f}")


if __name__ == "__main__":
    main()
