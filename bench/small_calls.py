"""Small derivatives users call in a loop: an ODE solver's Jacobian, a stack of scalars.

    python bench/small_calls.py [--rounds 9] [--min-time 0.05]

Each row is one call a user's program makes many times (SciPy's implicit solvers
call ``jac`` at every Newton restart), timed in one process with the other rows of
its group interleaved round by round (process time: this process's CPU time, the
machine is shared); medians over rounds, microseconds per call:

* ``robertson``: the 3 x 3 Jacobian of Robertson's stiff kinetics in ``y``, as
  ``solve_ivp(method="BDF", jac=...)`` asks for it: ``dg.jacfwd(rhs, argnums=1)(t, y)``,
  ``dg.jacobian`` of ``y -> rhs(t, y)``, SciPy's finite differences
  (``approx_derivative``, 2-point and 3-point) and ``rhs`` itself;
* ``stack``: a gradient whose f builds a vector from scalars (``np.stack([x[0] * x[1],
  np.sin(x[0])])``: scalar duals in, one array dual out) against the float f;
* ``max``: the builtin ``max`` over a dual array (a scalar dual per element) against
  ``np.max`` of the same dual and the float ``max``, N = 100, n = 4;
* ``spectral``: ``dg.jvp`` of a Kuramoto-Sivashinsky spectral solver (user21's:
  johnfgibson/whyjulia ks-benchmark/ksintegrate.py, 64 cells, 200 steps: complex
  array duals through ``u * u``, ``np.fft``, ``np.real`` and ``G * ...``) against
  the solver itself.

Every dualgrad row is checked before it is timed: against the analytic derivative,
the spectral row against central differences (to their accuracy).  ``--only GROUP``
runs one group.
Prints a table; nothing is written.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]
import _common  # noqa: E402,F401  (one thread per library)


def robertson(t, y, k1=0.04, k2=3e7, k3=1e4):
    """Robertson's chemical kinetics (Hairer and Wanner's stiff test problem)."""
    y1, y2, y3 = y
    return np.array([-k1 * y1 + k3 * y2 * y3,
                     k1 * y1 - k3 * y2 * y3 - k2 * y2 ** 2,
                     k2 * y2 ** 2])


def robertson_jac(t, y, k1=0.04, k2=3e7, k3=1e4):
    y1, y2, y3 = y
    return np.array([[-k1, k3 * y3, k3 * y2],
                     [k1, -k3 * y3 - 2 * k2 * y2, -k3 * y2],
                     [0.0, 2 * k2 * y2, 0.0]])


def ksintegrate(u, Lx, dt, Nt):
    """johnfgibson/whyjulia ks-benchmark/ksintegrate.py (f808808e): Kuramoto-Sivashinsky
    by a Crank-Nicolson / Adams-Bashforth spectral scheme (``from numpy import *``
    spelled out)."""
    Nx = np.size(u)
    kx = np.concatenate((np.arange(0, Nx / 2), np.array([0]), np.arange(-Nx / 2 + 1, 0)))
    alpha = 2 * np.pi * kx / Lx
    D = 1j * alpha
    L = pow(alpha, 2) - pow(alpha, 4)
    G = -0.5 * D
    dt2 = dt / 2
    dt32 = 3 * dt / 2
    A = np.ones(Nx) + dt2 * L
    B = 1.0 / (np.ones(Nx) - dt2 * L)
    Nn = G * np.fft.fft(u * u)
    u = np.fft.fft(u)
    for _ in range(0, int(Nt)):
        Nn1 = Nn
        Nn = G * np.fft.fft(np.real(np.fft.ifft(u * u)))
        u = B * (A * u + dt32 * Nn - dt2 * Nn1)
    return np.real(np.fft.ifft(u))


def _groups(dg):
    from scipy.optimize._numdiff import approx_derivative
    t, y = 0.3, np.array([0.9, 2e-5, 0.1])
    jac = dg.jacfwd(robertson, argnums=1)
    x = np.array([0.7, 1.3])
    u = np.linspace(-1.0, 1.0, 100)
    d = dg.Dual(u, np.random.default_rng(0).standard_normal((100, 4)))

    def stacked(v):
        return np.stack([v[0] * v[1], np.sin(v[0])])

    Lx = 22.0
    grid = Lx * np.arange(64) / 64
    u0 = np.cos(2 * np.pi * grid / Lx) * (1 + np.sin(2 * np.pi * grid / Lx))
    ks = lambda v: ksintegrate(v, Lx, 1 / 16, 200)              # noqa: E731
    ones, h = np.ones(64), 1e-6
    central = ((ks(u0 + h * ones) - ks(u0 - h * ones)) / (2 * h), 1e-5, 1e-6)
    return {
        "robertson": ({
            "rhs(t, y)": lambda: robertson(t, y),
            "dg.jacfwd(rhs, argnums=1)(t, y)": lambda: jac(t, y),
            "dg.jacobian(lambda y: rhs(t, y), y)": lambda: dg.jacobian(
                lambda v: robertson(t, v), y),
            "approx_derivative 2-point": lambda: approx_derivative(
                lambda v: robertson(t, v), y),
            "approx_derivative 3-point": lambda: approx_derivative(
                lambda v: robertson(t, v), y, method="3-point"),
        }, "rhs(t, y)", {"dg.jacfwd(rhs, argnums=1)(t, y)": robertson_jac(t, y),
                         "dg.jacobian(lambda y: rhs(t, y), y)": robertson_jac(t, y)}),
        "stack": ({
            "f(x)": lambda: stacked(x),
            "dg.jacobian(f, x)": lambda: dg.jacobian(stacked, x),
        }, "f(x)", {"dg.jacobian(f, x)": np.array([[x[1], x[0]], [np.cos(x[0]), 0.0]])}),
        "max": ({
            "max(u) on floats": lambda: max(u),
            "np.max(d)": lambda: np.max(d),
            "max(d)": lambda: max(d),
        }, "max(u) on floats", {}),
        "spectral": ({
            "ksintegrate(u0), 64 cells, 200 steps": lambda: ks(u0),
            "dg.jvp(ksintegrate, u0, ones)": lambda: dg.jvp(ks, u0, ones)[1],
        }, "ksintegrate(u0), 64 cells, 200 steps", {"dg.jvp(ksintegrate, u0, ones)": central}),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--min-time", type=float, default=0.05,
                        help="seconds of calls per row and round")
    parser.add_argument("--only", help="one group: robertson, stack, max or spectral")
    opts = parser.parse_args()
    import dualgrad as dg
    clock = time.process_time
    for group, (rows, base, expected) in _groups(dg).items():
        if opts.only and group != opts.only:
            continue
        for name, want in expected.items():
            want, rtol, atol = want if type(want) is tuple else (want, 1e-14, 0)
            np.testing.assert_allclose(rows[name](), want, rtol=rtol, atol=atol, err_msg=name)
        calls = {}
        for name, fn in rows.items():              # warm-up, and calls per round
            fn()
            t0 = clock()
            fn()
            calls[name] = max(1, int(opts.min_time / max(clock() - t0, 1e-7)))
        times = {name: [] for name in rows}
        for _ in range(opts.rounds):
            for name, fn in rows.items():
                t0 = clock()
                for _ in range(calls[name]):
                    fn()
                times[name].append((clock() - t0) / calls[name] * 1e6)
        med = {name: statistics.median(v) for name, v in times.items()}
        print(f"{group} (medians of {opts.rounds} rounds, us per call)")
        for name, v in med.items():
            print(f"  {name:40s} {v:9.1f}   {v / med[base]:6.1f}x {base}")


if __name__ == "__main__":
    main()
