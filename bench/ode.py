"""``dg.solve_ivp``: the Jacobian of an ODE solution through SciPy's adaptive solvers,
against the solve alone (f) and ``scipy.optimize.approx_fprime`` of it, interleaved in one
process, CPU time; each Jacobian's error against a reference at tight tolerances (the
sensitivities by ``dg.solve_ivp`` at rtol 1e-13, checked first against eighth-order central
differences of SciPy's solve at the same tolerance).

Problems: Lotka-Volterra (2 states, 4 parameters, RK45 and LSODA) and Robertson's stiff
kinetics (3 states, 3 rate constants, BDF and Radau; ``dualgrad.testing.robertson``).

    python bench/ode.py [--rounds R] [--rtol RTOL]

Prints its table and writes ``bench/RESULTS_ode.md``.
"""

import argparse
import os
import pathlib
import sys
import time

for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ.setdefault(var, "1")

import numpy as np  # noqa: E402

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import dualgrad as dg  # noqa: E402
from dualgrad.testing import robertson  # noqa: E402
from scipy.integrate import solve_ivp  # noqa: E402
from scipy.optimize import approx_fprime  # noqa: E402


def lotka(t, y, p):
    return np.stack([p[0] * y[0] - p[1] * y[0] * y[1], -p[2] * y[1] + p[3] * y[0] * y[1]])


def robertson_rhs(t, y, p):
    return robertson(t, y, p[0], p[1], p[2])


PROBLEMS = {   # name: (rhs, y0, t_end, p, methods)
    "Lotka-Volterra": (lotka, [1.0, 0.5], 10.0, np.array([1.1, 0.4, 0.9, 0.3]),
                       ["RK45", "LSODA"]),
    "Robertson (stiff)": (robertson_rhs, [1.0, 0.0, 0.0], 40.0,
                          np.array([0.04, 3e7, 1e4]), ["BDF", "Radau"]),
}


def ends(solver, rhs, y0, t_end, method, rtol):
    def f(p):
        return solver(rhs, (0.0, t_end), y0, args=(p,), method=method, rtol=rtol,
                      atol=rtol * 1e-3).y[:, -1]
    return f


def central8(f, p, rel=1e-3):
    weights = (4 / 5, -1 / 5, 4 / 105, -1 / 280)
    cols = []
    for j in range(len(p)):
        h = rel * abs(p[j])
        e = np.zeros(len(p))
        e[j] = h
        cols.append(sum(w * (f(p + (i + 1) * e) - f(p - (i + 1) * e))
                        for i, w in enumerate(weights)) / h)
    return np.array(cols).T


def clock(fn, repeat):
    t = time.process_time()
    for _ in range(repeat):
        fn()
    return (time.process_time() - t) / repeat


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--rtol", type=float, default=1e-8)
    opts = parser.parse_args()
    rows = []
    for name, (rhs, y0, t_end, p, methods) in PROBLEMS.items():
        for method in methods:
            f = ends(solve_ivp, rhs, y0, t_end, method, opts.rtol)
            ours = ends(dg.solve_ivp, rhs, y0, t_end, method, opts.rtol)
            reference = dg.jacobian(ends(dg.solve_ivp, rhs, y0, t_end, method, 1e-13), p)
            check = central8(ends(solve_ivp, rhs, y0, t_end, method, 1e-13), p)
            scale = np.max(np.abs(reference), axis=0)
            ref_err = np.max(np.abs(check - reference) / scale)
            jac = dg.jacobian(ours, p)
            fd = approx_fprime(p, f)
            err_dg = np.max(np.abs(jac - reference) / scale)
            err_fd = np.max(np.abs(fd - reference) / scale)
            times = {"f": [], "dg": [], "fd": []}
            repeat = 3
            for _ in range(opts.rounds):
                times["f"].append(clock(lambda: f(p), repeat))
                times["dg"].append(clock(lambda: dg.jacobian(ours, p), repeat))
                times["fd"].append(clock(lambda: approx_fprime(p, f), repeat))
            med = {k: float(np.median(v)) for k, v in times.items()}
            rows.append((name, method, len(p), med["f"] * 1e3, med["dg"] / med["f"],
                         med["fd"] / med["f"], med["dg"] / med["fd"], err_dg, err_fd, ref_err))
            print(f"{name:18s} {method:6s} f {med['f'] * 1e3:8.2f} ms  dg.jacobian "
                  f"{med['dg'] / med['f']:6.2f}x f  approx_fprime {med['fd'] / med['f']:6.2f}x f"
                  f"  dg/fd {med['dg'] / med['fd']:.2f}  error dg {err_dg:.1e} fd {err_fd:.1e}"
                  f"  (reference vs central8 {ref_err:.1e})", flush=True)
    lines = ["## Jacobians through SciPy's ODE solvers (bench/ode.py)", "",
             f"rtol {opts.rtol:g}, atol {opts.rtol * 1e-3:g}; CPU time, medians of "
             f"{opts.rounds} rounds, interleaved in one process; `approx_fprime` is SciPy's "
             "(its default step, one call for the whole Jacobian); errors: largest "
             "difference from the reference over each column's largest entry.", "",
             "| problem | method | parameters | f (ms) | dg.jacobian / f | approx_fprime / f "
             "| dg / approx_fprime | error dg | error approx_fprime | reference vs central8 |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r[0]} | {r[1]} | {r[2]} | {r[3]:.2f} | {r[4]:.2f}x | {r[5]:.2f}x "
                     f"| {r[6]:.2f} | {r[7]:.1e} | {r[8]:.1e} | {r[9]:.1e} |")
    (HERE / "RESULTS_ode.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
