"""Likelihoods written with scipy.stats: dualgrad.scipy.stats' exact gradient against
scipy.optimize.approx_fprime of SciPy's own function, in one run.

    python bench/stats_likelihood.py [--n 500] [--reps 15]

Two models on simulated data, ``--n`` observations, 5 covariates:

* negative-binomial regression: ``-sum nbinom.logpmf(y, r, r / (r + mu))`` with
  ``mu = exp(X b)``, parameters ``(b, log r)`` (6);
* t-distributed regression: ``-sum t.logpdf(y, nu, X b, sigma)``, parameters
  ``(b, log sigma, log nu)`` (7).

One process, one BLAS thread, CPU time (``time.process_time``), ``--reps`` calls
each after one to warm up, interleaved; medians in ms and the ratios to f on
floats (SciPy's).  The accuracy columns: the largest error of each gradient
relative to the largest entry, against the analytic gradient (written out below
with digamma: the oracle).
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common  # noqa: E402,F401  (one thread per library)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=500)
    parser.add_argument("--reps", type=int, default=15)
    args = parser.parse_args()
    import numpy as np
    import scipy.special as sc
    import scipy.stats as ss
    from scipy.optimize import approx_fprime

    import dualgrad as dg
    from dualgrad.scipy import stats as ds
    rng = np.random.default_rng(0)
    n = args.n
    X = np.column_stack([np.ones(n), rng.normal(size=(n, 4))])
    beta = np.array([0.5, 0.3, -0.2, 0.1, 0.4])
    mu = np.exp(X @ beta)
    r = 2.5
    y_nb = rng.negative_binomial(r, r / (r + mu)).astype(float)
    y_t = X @ beta + 0.7 * rng.standard_t(4.0, size=n)

    def nb(theta, st):
        b, r = theta[:5], np.exp(theta[5])
        m = np.exp(X @ b)
        return -np.sum(st.nbinom.logpmf(y_nb, r, r / (r + m)))

    def nb_grad(theta):                  # the oracle: d/db and d/dlog r, by hand
        b, r = theta[:5], np.exp(theta[5])
        m = np.exp(X @ b)
        db = X.T @ ((y_nb - m) * r / (r + m))
        dr = np.sum(sc.digamma(y_nb + r) - sc.digamma(r) + np.log(r / (r + m)) +
                    (m - y_nb) / (r + m))
        return -np.append(db, dr * r)

    def tr(theta, st):
        b, s, nu = theta[:5], np.exp(theta[5]), np.exp(theta[6])
        return -np.sum(st.t.logpdf(y_t, nu, X @ b, s))

    def tr_grad(theta):
        b, s, nu = theta[:5], np.exp(theta[5]), np.exp(theta[6])
        z = (y_t - X @ b) / s
        w = (nu + 1) * z / (nu + z * z)
        db = X.T @ w / s
        ds_ = np.sum(w * z - 1.0)
        dnu = np.sum(0.5 * (sc.digamma((nu + 1) / 2) - sc.digamma(nu / 2) - 1 / nu
                            - np.log1p(z * z / nu)) + (nu + 1) / 2 * z * z / (nu * (nu + z * z)))
        return -np.concatenate([db, [ds_, dnu * nu]])

    th_nb = np.append(beta, np.log(r)) + 0.05
    th_t = np.concatenate([beta, [np.log(0.7), np.log(4.0)]]) + 0.05
    calls = {
        "nbinom f (scipy.stats, floats)": lambda: nb(th_nb, ss),
        "nbinom dg.gradient (dualgrad.scipy.stats)": lambda: dg.gradient(nb, th_nb, ds),
        "nbinom approx_fprime (scipy.stats)": lambda: approx_fprime(th_nb, nb, 1.49e-8, ss),
        "t f (scipy.stats, floats)": lambda: tr(th_t, ss),
        "t dg.gradient (dualgrad.scipy.stats)": lambda: dg.gradient(tr, th_t, ds),
        "t approx_fprime (scipy.stats)": lambda: approx_fprime(th_t, tr, 1.49e-8, ss),
        "t dg.hessian (dualgrad.scipy.stats)": lambda: dg.hessian(tr, th_t, ds),
    }
    times = {k: [] for k in calls}
    for fn in calls.values():
        fn()
    for _ in range(args.reps):
        for k, fn in calls.items():
            t0 = time.process_time()
            fn()
            times[k].append(time.process_time() - t0)
    print(f"n = {n}, {args.reps} interleaved reps, CPU-time medians")
    print("| call | ms | / its f |\n| --- | --- | --- |")
    for k, t in times.items():
        base = statistics.median(times[("nbinom" if k.startswith("nbinom") else "t") +
                                       " f (scipy.stats, floats)"])
        m = statistics.median(t)
        print(f"| {k} | {1e3 * m:.3f} | {m / base:.1f}x |")

    def err(g, want):
        return np.max(np.abs(g - want)) / np.max(np.abs(want))
    for name, f, th, oracle in (("nbinom", nb, th_nb, nb_grad), ("t", tr, th_t, tr_grad)):
        want = oracle(th)
        print(f"{name}: value dualgrad vs SciPy {abs(f(th, ds) - f(th, ss)):.1e}; gradient "
              f"error vs analytic: dualgrad {err(dg.gradient(f, th, ds), want):.1e}, "
              f"approx_fprime {err(approx_fprime(th, f, 1.49e-8, ss), want):.1e}")


if __name__ == "__main__":
    main()
