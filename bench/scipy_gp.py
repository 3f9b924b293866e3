"""A Gaussian process's negative log-likelihood through dualgrad.scipy.linalg's
cho_factor / cho_solve against the np.linalg spelling users had to write before.

    python bench/scipy_gp.py [--n 80] [--reps 15]

The model of bench/hessian_gp.py (squared-exponential kernel, 80 points, 3
log-hyperparameters), written two ways: SciPy's (``cho_factor`` / ``cho_solve`` and
the factor's diagonal for the log-determinant, from ``dualgrad.scipy.linalg``) and
NumPy's (``np.linalg.solve`` and ``slogdet``, user22's rewrite).  One process, one
BLAS thread: f on floats (SciPy's and NumPy's), ``dg.gradient`` and ``dg.hessian`` of
each spelling, timed interleaved, ``--reps`` calls each after one to warm up, in CPU
time of this process (``time.process_time``: a shared machine's load stays out); the medians in ms and the ratios to SciPy's f are printed, with the largest
difference between the two spellings' gradients and Hessians (relative to the largest
entry).
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
    parser.add_argument("--n", type=int, default=80)
    parser.add_argument("--reps", type=int, default=15)
    args = parser.parse_args()
    import numpy as np

    import dualgrad as dg
    import scipy.linalg as sl
    from dualgrad.scipy.linalg import cho_factor, cho_solve
    rng = np.random.default_rng(0)
    n = args.n
    X = np.sort(rng.uniform(0, 10, n))
    y = np.sin(X) + 0.1 * rng.normal(size=n)
    th = np.array([0.2, 0.1, -1.5])

    def kernel(theta):
        ls, sf, sn = np.exp(theta)
        return sf**2 * np.exp(-0.5 * (X[:, None] - X[None, :])**2 / ls**2) + \
            (sn**2 + 1e-8) * np.eye(n)

    def nll_scipy(theta, cf=cho_factor, cs=cho_solve):
        c, low = cf(kernel(theta), lower=True)
        return 0.5 * y @ cs((c, low), y) + np.sum(np.log(np.diag(c)))

    def nll_numpy(theta):
        K = kernel(theta)
        return 0.5 * y @ np.linalg.solve(K, y) + 0.5 * np.linalg.slogdet(K)[1]

    calls = {
        "f scipy.linalg (floats)": lambda: nll_scipy(th, sl.cho_factor, sl.cho_solve),
        "f np.linalg (floats)": lambda: nll_numpy(th),
        "gradient dualgrad.scipy": lambda: dg.gradient(nll_scipy, th),
        "gradient np.linalg": lambda: dg.gradient(nll_numpy, th),
        "hessian dualgrad.scipy": lambda: dg.hessian(nll_scipy, th),
        "hessian np.linalg": lambda: dg.hessian(nll_numpy, th),
    }
    times = {k: [] for k in calls}
    for fn in calls.values():
        fn()
    for _ in range(args.reps):
        for k, fn in calls.items():
            t0 = time.process_time()
            fn()
            times[k].append(time.process_time() - t0)
    base = statistics.median(times["f scipy.linalg (floats)"])
    print(f"n = {n}, {args.reps} interleaved reps, medians")
    print("| call | ms | / f scipy |\n| --- | --- | --- |")
    for k, t in times.items():
        m = statistics.median(t)
        print(f"| {k} | {1e3 * m:.3f} | {m / base:.1f}x |")
    g1, g2 = dg.gradient(nll_scipy, th), dg.gradient(nll_numpy, th)
    h1, h2 = dg.hessian(nll_scipy, th), dg.hessian(nll_numpy, th)
    print(f"gradients differ by {np.max(np.abs(g1 - g2)) / np.max(np.abs(g2)):.1e}, "
          f"Hessians by {np.max(np.abs(h1 - h2)) / np.max(np.abs(h2)):.1e} (relative)")


if __name__ == "__main__":
    main()
