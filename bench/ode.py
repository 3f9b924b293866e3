"""``dg.solve_ivp``: the Jacobian of an ODE solution through SciPy's adaptive solvers,
against the solve alone (f) and ``scipy.optimize.approx_fprime`` of it, interleaved in one
process, CPU time; each Jacobian's error against a reference at tight tolerances (the
sensitivities by ``dg.solve_ivp`` at rtol 1e-13, checked first against eighth-order central
differences of SciPy's solve at the same tolerance).

Problems: Lotka-Volterra (2 states, 4 parameters, RK45 and LSODA) and Robertson's stiff
kinetics (3 states, 3 rate constants, BDF and Radau; ``dualgrad.testing.robertson``).

    python bench/ode.py [--rounds R] [--rtol RTOL]
    python bench/ode.py --hessian [--rounds R] [--rtol RTOL]

Prints its table and writes ``bench/RESULTS_ode.md``.  ``--hessian`` (ode43) times
instead the Hessian of a negative log-likelihood whose model is an ODE (SEIR, RK45; a
one-compartment oral PK model, LSODA): ``dg.hessian`` through the solver (every
coefficient of the nested duals stepped together) against fourth-order central
differences of ``dg.gradient`` through the solver (4 n gradients, step 1e-4 relative),
with their errors against ``dg.hessian`` at rtol 1e-12 (tests/test_ode_hessians_events.py checks it
against sympy's closed form and central differences); writes
``bench/RESULTS_ode_hessian.md``.
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


def seir(t, y, beta, sigma, gamma):
    S, E, I = y[0], y[1], y[2]
    return np.stack([-beta * S * I, beta * S * I - sigma * E, sigma * E - gamma * I,
                     gamma * I])


def pk(t, y, ka, k, V):
    return np.stack([-ka * y[0], ka * y[0] - k * y[1]])


SEIR_T = np.linspace(1.0, 30.0, 8)
PK_T = np.array([0.5, 1.0, 2.0, 4.0, 8.0, 12.0])
LIKELIHOODS = {  # name: (rhs, y0, times, observed component, index of a
    #       volume dividing it (or None), p, data, method)
    "SEIR (4 states)": (seir, [0.99, 0.0, 0.01, 0.0], SEIR_T, 2, None,
                        np.array([0.9, 0.3, 0.2]), 0.02 + 0.1 * np.sin(SEIR_T / 10.0), "RK45"),
    "PK 1-cmt oral (2 states)": (pk, [100.0, 0.0], PK_T, 1, 2, np.array([1.3, 0.25, 20.0]),
                                 np.array([1.9, 2.9, 3.3, 2.4, 1.3, 0.7]), "LSODA"),
}


def nll_of(rhs, y0, times, comp, scale, data, method, rtol):
    def nll(p):
        sol = dg.solve_ivp(rhs, (0.0, times[-1]), y0, t_eval=times, args=tuple(p),
                           method=method, rtol=rtol, atol=rtol * 1e-2)
        model = sol.y[comp] / p[scale] if scale is not None else sol.y[comp]
        return 0.5 * np.sum((model - data) ** 2)
    return nll


def fd_hessian(nll, p, rel=1e-4):
    cols = []
    for j in range(len(p)):
        e = np.zeros(len(p))
        e[j] = rel * abs(p[j])
        g = [dg.gradient(nll, p + s * e) for s in (-2, -1, 1, 2)]
        cols.append((g[0] - 8 * g[1] + 8 * g[2] - g[3]) / (12 * e[j]))
    H = np.array(cols).T
    return 0.5 * (H + H.T)


def hessians(opts):
    rows = []
    for name, (rhs, y0, times, comp, scale, p, data, method) in LIKELIHOODS.items():
        nll = nll_of(rhs, y0, times, comp, scale, data, method, opts.rtol)
        reference = dg.hessian(nll_of(rhs, y0, times, comp, scale, data, method, 1e-12), p)
        top = np.max(np.abs(reference))
        err_dg = np.max(np.abs(dg.hessian(nll, p) - reference)) / top
        err_fd = np.max(np.abs(fd_hessian(nll, p) - reference)) / top
        times_ = {"f": [], "grad": [], "hess": [], "fd": []}
        for _ in range(opts.rounds):
            times_["f"].append(clock(lambda: nll(p), 1))
            times_["grad"].append(clock(lambda: dg.gradient(nll, p), 1))
            times_["hess"].append(clock(lambda: dg.hessian(nll, p), 1))
            times_["fd"].append(clock(lambda: fd_hessian(nll, p), 1))
        med = {k: float(np.median(v)) for k, v in times_.items()}
        comps = len(y0) * (len(p) + 1) ** 2
        rows.append((name, method, len(p), comps, med["f"] * 1e3, med["grad"] * 1e3,
                     med["hess"] * 1e3, med["fd"] * 1e3, med["hess"] / med["fd"],
                     err_dg, err_fd))
        print(" | ".join(str(round(v, 4)) if isinstance(v, float) else str(v)
                         for v in rows[-1]), flush=True)
    lines = ["## Hessians of ODE likelihoods through dg.solve_ivp (bench/ode.py --hessian)",
             "", f"rtol {opts.rtol:g}, atol {opts.rtol * 1e-2:g}; CPU time, medians of "
             f"{opts.rounds} rounds, interleaved in one process; FD: 4th-order central "
             "differences of dg.gradient through the solver (4 n gradients, step 1e-4 "
             "relative); errors: largest difference from dg.hessian at rtol 1e-12 over "
             "its largest entry.", "",
             "| problem | method | n | components | nll (ms) | dg.gradient (ms) "
             "| dg.hessian (ms) | FD of gradients (ms) | hessian / FD | error hessian "
             "| error FD |", "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r[0]} | {r[1]} | {r[2]} | {r[3]} | {r[4]:.1f} | {r[5]:.1f} "
                     f"| {r[6]:.1f} | {r[7]:.1f} | {r[8]:.2f} | {r[9]:.1e} | {r[10]:.1e} |")
    (HERE / "RESULTS_ode_hessian.md").write_text("\n".join(lines) + "\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--rtol", type=float, default=1e-8)
    parser.add_argument("--hessian", action="store_true",
                        help="Hessians of ODE likelihoods (ode43) instead")
    opts = parser.parse_args()
    if opts.hessian:
        return hessians(opts)
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
