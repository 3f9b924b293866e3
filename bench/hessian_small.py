"""Hessians at small n: ``dg.hessian`` against num-dual's and finite differences of
``dg.gradient``, in one process.

    python bench/hessian_small.py [--cases rosen2 rosen10 rosen100 kalman gp]
                                  [--rounds 7] [--seconds 0.2] [--compare DIR]

The cases: ``scipy.optimize.rosen`` at n = 2, 10, 100 (``rosenN``); ``kalman``: the
scalar Kalman-filter log-likelihood loop user42 measured (an unnamed corpus ``mle``,
/work/user42/kalman.py, 6 parameters, T = 50 observations: Python floats and
``np.log`` in a loop); ``gp``: the Gaussian process likelihood of bench/scipy_gp.py
(80 points, 3 log-hyperparameters) in its two spellings, ``dualgrad.scipy.linalg``'s
``cho_factor`` / ``cho_solve`` and ``np.linalg.solve`` / ``slogdet``.  Per case:

* ``f``: the function on floats;
* ``num-dual``: ``num_dual.hessian`` (its hyper-dual numbers) of ``f`` on an object
  array (not for ``gp``: num-dual has no Cholesky of its numbers);
* ``dg.hessian``: ``dg.hessian(f, x)``;
* ``jac(grad)``: ``dg.jacobian(dg.grad(f), x)`` (the nested spelling);
* ``fd(grad)``: forward differences of ``dg.gradient`` (n + 1 gradients), the
  peer a user without a Hessian helper writes;
* with ``--compare DIR``: ``dg.hessian`` of another checkout's dualgrad (imported under
  another name), alternating with this one in every round, and the ratio this / that
  (of the medians, and the median of the rounds' own ratios).

Each subject runs in interleaved rounds of about ``--seconds`` of process time
(this process's CPU time: the machine is shared), medians over ``--rounds`` in
microseconds per call; the ratios to num-dual are those of the same run.  Before
timing, ``dg.hessian`` is checked against the case's oracle (Rosenbrock's closed form
``rosen_hess``; the others against the other spelling or checkout, 1e-9).  Nothing is
written.
"""

import argparse
import importlib.util
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]
import _common  # noqa: E402,F401  (one thread per library)


def _load_other(root):
    """Another checkout's dualgrad as a separate package named ``dualgrad_other``."""
    init = Path(root) / "dualgrad" / "__init__.py"
    spec = importlib.util.spec_from_file_location(
        "dualgrad_other", init, submodule_search_locations=[str(init.parent)])
    module = importlib.util.module_from_spec(spec)
    sys.modules["dualgrad_other"] = module
    spec.loader.exec_module(module)
    return module


def mle(training_set, B, a, c, H, phi, Q):
    """user42's scalar Kalman log-likelihood (an unnamed corpus file, copied as is)."""
    import numpy as np
    T = len(training_set)
    log_likelihood = - (T / 2) * np.log(2 * np.pi)
    predicted_mean = 0
    predicted_var = 1
    for t in range(T):
        y_mean = a + B * predicted_mean
        y_var = B * predicted_var * B + H
        v_t = training_set[t] - y_mean
        log_likelihood -= 0.5 * np.log(y_var)
        log_likelihood -= 0.5 * (v_t**2) / y_var
        k_t = predicted_var * B / y_var
        updated_mean = predicted_mean + k_t * v_t
        updated_var = (1 - k_t * B) * predicted_var
        predicted_mean = c + phi * updated_mean
        predicted_var = phi * updated_var * phi + Q
    return -log_likelihood


def _kalman_case(np):
    rng = np.random.default_rng(3)
    T = 50
    h = np.zeros(T)
    for t in range(1, T):
        h[t] = 0.95 * h[t - 1] + 0.2 * rng.standard_normal()
    yobs = np.log((np.exp(h / 2) * rng.standard_normal(T)) ** 2).tolist()
    par = np.array([1.0, -1.27, 0.0, np.pi ** 2 / 2, 0.9, 0.09])
    return (lambda q: mle(yobs, *q)), par


def _gp_case(np, spelling):
    import scipy.linalg  # noqa: F401
    rng = np.random.default_rng(0)
    n = 80
    X = np.sort(rng.uniform(0, 10, n))
    y = np.sin(X) + 0.1 * rng.normal(size=n)

    def kernel(theta):
        ls, sf, sn = np.exp(theta)
        return sf**2 * np.exp(-0.5 * (X[:, None] - X[None, :])**2 / ls**2) + \
            (sn**2 + 1e-8) * np.eye(n)

    def nll_numpy(theta):
        K = kernel(theta)
        return 0.5 * y @ np.linalg.solve(K, y) + 0.5 * np.linalg.slogdet(K)[1]

    def nll_scipy(theta):
        from dualgrad.scipy.linalg import cho_factor, cho_solve
        c, low = cho_factor(kernel(theta), lower=True)
        return 0.5 * y @ cho_solve((c, low), y) + np.sum(np.log(np.diag(c)))
    return (nll_scipy if spelling == "scipy" else nll_numpy), np.array([0.2, 0.1, -1.5])


def _case(name, np):
    """``(f, x, reference Hessian or None, num-dual's f or None)``."""
    from scipy.optimize import rosen, rosen_hess
    if name.startswith("rosen"):
        x = np.linspace(-1.2, 1.2, int(name[5:]))
        return rosen, x, rosen_hess(x), lambda v: rosen(np.array(v, dtype=object))
    if name == "kalman":
        f, x = _kalman_case(np)
        return f, x, None, f
    if name.startswith("gp"):
        f, x = _gp_case(np, "scipy" if name == "gp" else "numpy")
        return f, x, None, None
    raise SystemExit(f"unknown case {name}")


def _fd(dg, f, x, np):
    """Forward differences of ``dg.gradient``: n + 1 gradients."""
    g0 = dg.gradient(f, x)
    h = 1.49e-8 * np.maximum(1.0, np.abs(x))
    cols = []
    for j in range(x.size):
        xj = x.copy()
        xj[j] += h[j]
        cols.append((dg.gradient(f, xj) - g0) / h[j])
    return np.array(cols)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", nargs="+",
                        default=["rosen2", "rosen10", "rosen100", "kalman", "gp", "gpnumpy"])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--seconds", type=float, default=0.2)
    parser.add_argument("--compare", help="another checkout, timed alternately")
    opts = parser.parse_args()
    import numpy as np
    import dualgrad as dg
    other = _load_other(opts.compare) if opts.compare else None
    try:
        import num_dual as nd
    except ImportError:
        nd = None
    clock = time.process_time
    for name in opts.cases:
        f, x, ref, ndf = _case(name, np)
        subjects = {"f": lambda: f(x)}
        if nd is not None and ndf is not None:
            xs = list(x)
            subjects["num-dual"] = lambda: nd.hessian(ndf, xs)
        subjects["dg.hessian"] = lambda: dg.hessian(f, x)
        if other is not None:
            subjects["dg.hessian (other)"] = lambda: other.hessian(f, x)
        subjects["jac(grad)"] = lambda: dg.jacobian(dg.grad(f), x)
        subjects["fd(grad)"] = lambda: _fd(dg, f, x, np)
        H = dg.hessian(f, x)
        check = ref if ref is not None else (other.hessian(f, x) if other else None)
        if check is not None:
            err = np.max(np.abs(H - check)) / np.max(np.abs(check))
            assert err < (1e-13 if ref is not None else 1e-9), (name, err)
        if nd is not None and ndf is not None:
            hn = np.array(nd.hessian(ndf, list(x))[2])
            assert np.max(np.abs(H - hn)) <= 1e-9 * np.max(np.abs(hn)), name
        calls = {}
        for k, g in subjects.items():        # warm-up, and calls per round
            g()
            t = clock()
            g()
            calls[k] = max(1, int(opts.seconds / max(clock() - t, 1e-6)))
        times = {k: [] for k in subjects}
        for _ in range(opts.rounds):
            for k, g in subjects.items():
                t = clock()
                for _ in range(calls[k]):
                    g()
                times[k].append((clock() - t) / calls[k] * 1e6)
        med = {k: statistics.median(v) for k, v in times.items()}
        print(f"{name}: n = {x.size} (medians of {opts.rounds} rounds, us per call)")
        for k, v in med.items():
            extra = f"   {v / med['f']:.0f}x f"
            if "num-dual" in med and k != "f":
                extra += f", {v / med['num-dual']:.2f}x num-dual"
            if k == "dg.hessian (other)":
                paired = statistics.median(a / b for a, b in
                                           zip(times["dg.hessian"], times[k]))
                extra += f"; this / other {med['dg.hessian'] / v:.2f} (per round {paired:.2f})"
            print(f"  {k:20s} {v:10.1f}{extra}")


if __name__ == "__main__":
    main()
