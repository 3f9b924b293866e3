"""A scalar Kalman filter's log-likelihood (user44): a loop of T = 500 steps that reads
and stores the elements of four 1-D buffers one at a time, against the same filter
with its state in Python variables, dg.gradient / dg.hessian / scipy's approx_fprime /
the function on floats, n = 2 parameters.

    python bench/kalman_loop.py [--compare OTHER_CHECKOUT] [--rounds 3]

"buffers": joseManuelAyala/2GradedProblemSet KalmanFilterAlgorithm.py@a0102371 as
written (four ``np.zeros(T)`` buffers, here ``np.zeros_like(theta, shape=T)``, each
step reads ``prior_vars[t]`` and ``prior_means[t]`` and stores four elements);
"variables": the same recursion with the state in Python variables.  Medians of
process CPU time per call, ms (fresh processes, alternating with --compare), and the
load (``uptime``) before the runs.
"""
import argparse
import json
import os
import statistics
import sys
import time

import numpy as np

from _common import alternate, median_time
import econ  # noqa: E402  (its copy of the filter and the data)

T = 500


def _data():
    return econ._sv_data(np)


def _parameters(theta):
    phi, sigma_eta = theta
    Q = sigma_eta ** 2
    P1 = Q / (1 - phi ** 2) if abs(phi) < 1 else 1.0
    return phi, Q, P1


def buffers(theta, y):
    """The filter as written: its state in four buffers of T elements (bench/econ.py's
    copy of it, the buffers made as dualgrad's refusal says)."""
    return econ._sv_objective(theta, y, lambda n: np.zeros_like(theta, shape=n))


def variables(theta, y):
    """The same recursion, its state in Python variables."""
    a, B, H, a1 = -1.2704, 1.0, np.pi ** 2 / 2, 0.0
    Phi, Q, P1 = _parameters(theta)
    prior_mean, prior_var = a1, P1
    log_likelihood = 0
    for t in range(T):
        F_t = B * prior_var * B + H
        K_t = (prior_var * B) / F_t
        v_t = y[t] - (a + B * prior_mean)
        log_likelihood += -0.5 * (np.log(2 * np.pi) + np.log(F_t) + (v_t ** 2) / F_t)
        filtered_mean = prior_mean + K_t * v_t
        filtered_var = prior_var * (1 - K_t * B)
        prior_mean = Phi * filtered_mean
        prior_var = (Phi ** 2) * filtered_var + Q
    return -log_likelihood


def child():
    import dualgrad as dg
    from scipy.optimize import approx_fprime
    y, th = _data(), np.array([0.9, 0.25])
    out = {}
    for name, f in (("buffers", buffers), ("variables", variables)):
        for what, call in (("f", lambda: f(th, y)),
                           ("approx_fprime", lambda: approx_fprime(th, f, 1.49e-8, y)),
                           ("dg.gradient", lambda: dg.gradient(f, th, y)),
                           ("dg.hessian", lambda: dg.hessian(f, th, y))):
            out[f"{name}: {what}"] = 1e3 * median_time(call, repeat=7,
                                                       clock=time.process_time)
    print(json.dumps(out))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--compare", help="another checkout of dualgrad (before)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child()
    print("load:", os.popen("uptime").read().strip())
    got = alternate("kalman_loop.py", [], args.compare, args.rounds)
    header = "| case | ms (this) | this / approx_fprime |"
    if args.compare:
        header += " ms (other) | other / approx_fprime | this / other |"
    print(header)
    print("|" + "---|" * (header.count("|") - 1))
    for case in got["after"][0]:
        form = case.split(":")[0]

        def ms(side, key=case):
            return statistics.median(r[key] for r in got[side])
        now, fd = ms("after"), ms("after", f"{form}: approx_fprime")
        row = f"| {case} | {now:.2f} | {now / fd:.2f} |"
        if args.compare:
            then, fd0 = ms("before"), ms("before", f"{form}: approx_fprime")
            row += f" {then:.2f} | {then / fd0:.2f} | {now / then:.2f} |"
        print(row)
    print("load:", os.popen("uptime").read().strip())


if __name__ == "__main__":
    sys.exit(main())
