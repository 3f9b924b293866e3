"""A sampler's per-call cost: the gradient of a log posterior, called thousands of times
in HMC's leapfrog loop, against the float log density, approx_fprime and the peers.

    python bench/bayes.py [--reps 7] [--out bench/RESULTS_bayes.md]

Three log posteriors (userbayes51):

* ``logistic``: examples/hmc_logistic.py's non-centered hierarchical logistic
  regression, 3,000 rows, 6 parameters, with ``dualgrad.scipy.stats``;
* ``schools``: the eight schools, non-centered (10 parameters), written with
  ``dualgrad.scipy.stats`` (norm, cauchy) and, as ``schools (by hand)``, with
  the same densities written out in NumPy;
* ``gp``: a Gaussian process's log marginal likelihood, 40 points, 3 log
  hyperparameters, through ``dualgrad.scipy.linalg.cholesky`` / ``cho_solve``, and as
  ``gp (np.linalg)`` through ``np.linalg.cholesky`` and ``np.linalg.solve``.

Columns: the float log density itself; ``dg.gradient``; ``dg.value_and_grad``;
``dg.hessian`` (a Laplace approximation's); ``scipy.optimize.approx_fprime``
(forward differences of the float density: n + 1 calls, inexact); and, where
installed, ``jax.jit(jax.value_and_grad)`` of a jax.numpy port (warm: compiled
once), ``torch`` (a fresh graph and ``backward()`` per call, as a sampler does) and
``autograd`` (HIPS). Every gradient is checked against jax's (or the hand-written
one) before it is timed. One process, one BLAS thread, medians of ``--reps``
repeats (bench/_common.py's ``median_time``, CPU time), in microseconds per call.
"""

import argparse
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import median_time, table  # noqa: E402  (one thread per library)


def models():
    """name -> (f(theta, data, np-like, stats-or-linalg-like), theta, kind, data)."""
    import numpy as np
    from scipy.special import expit
    rng = np.random.default_rng(42)
    N, K = 3000, 4
    X = rng.normal(size=(N, K))
    y = (rng.random(N) < expit(-0.3 + X @ np.array([0.8, -0.5, 0.0, 0.25]))).astype(float)

    def logistic(theta, d, m, st):
        alpha, z, s = theta[0], theta[1:K + 1], theta[K + 1]
        sigma = m.exp(s)
        eta = alpha + d["X"] @ (sigma * z)
        return (m.sum(d["y"] * eta - m.logaddexp(d["zero"], eta))
                + st.norm.logpdf(alpha, 0.0, 5.0) + m.sum(st.norm.logpdf(z))
                + st.expon.logpdf(sigma) + s)

    def schools(theta, d, m, st):
        mu, logtau, eta = theta[0], theta[1], theta[2:]
        tau = m.exp(logtau)
        return (m.sum(st.norm.logpdf(d["y"], mu + tau * eta, d["s"]))
                + st.norm.logpdf(mu, 0.0, 5.0) + st.cauchy.logpdf(tau, 0.0, 5.0) + logtau
                + m.sum(st.norm.logpdf(eta)))

    def schools_hand(theta, d, m, st):
        mu, logtau, eta = theta[0], theta[1], theta[2:]
        tau = m.exp(logtau)
        return (-0.5 * m.sum(((d["y"] - mu - tau * eta) / d["s"]) ** 2)
                - 0.5 * (mu / 5.0) ** 2 - m.log1p((tau / 5.0) ** 2) + logtau
                - 0.5 * m.sum(eta ** 2))

    t = np.sort(rng.uniform(0.0, 5.0, 40))

    def gp(p, d, m, la):
        amp, ls, noise = m.exp(p[0]), m.exp(p[1]), m.exp(p[2])
        Kx = amp ** 2 * m.exp(-0.5 * d["D2"] / ls ** 2) + (noise ** 2 + 1e-8) * d["I"]
        L = la.cholesky(Kx, lower=True)
        a = la.cho_solve((L, True), d["y"])
        return -0.5 * d["y"] @ a - m.sum(m.log(m.diagonal(L))) - 0.5 * m.sum(p ** 2)

    def gp_numpy(p, d, m, la):
        """The same GP through np.linalg (cholesky for the log determinant, solve)."""
        amp, ls, noise = m.exp(p[0]), m.exp(p[1]), m.exp(p[2])
        Kx = amp ** 2 * m.exp(-0.5 * d["D2"] / ls ** 2) + (noise ** 2 + 1e-8) * d["I"]
        L = m.linalg.cholesky(Kx)
        a = m.linalg.solve(Kx, d["y"])
        return -0.5 * d["y"] @ a - m.sum(m.log(m.diagonal(L))) - 0.5 * m.sum(p ** 2)

    schools_data = {"y": np.array([28., 8, -3, 7, -1, 1, 18, 12]),
                    "s": np.array([15., 10, 16, 11, 9, 11, 10, 18])}
    gp_data = {"D2": (t[:, None] - t[None, :]) ** 2, "I": np.eye(40),
               "y": np.sin(t) + 0.1 * rng.normal(size=40)}
    return {
        "logistic": (logistic, np.array([-0.2, 0.5, -0.4, 0.1, 0.3, -0.3]), "stats",
                     {"X": X, "y": y, "zero": np.zeros(N)}),
        "schools": (schools, rng.normal(size=10), "stats", schools_data),
        "schools (by hand)": (schools_hand, rng.normal(size=10), "stats", schools_data),
        "gp": (gp, np.array([0.1, -0.2, -1.5]), "linalg", gp_data),
        "gp (np.linalg)": (gp_numpy, np.array([0.1, -0.2, -1.5]), "numpy", gp_data),
    }


def jax_port(f, kind, data):
    import jax
    import numpy as np
    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp
    import jax.scipy.linalg as jla
    import jax.scipy.stats as jst
    d = {k: jnp.asarray(v) for k, v in data.items()}
    fn = jax.jit(jax.value_and_grad(lambda p: f(p, d, jnp, jla if kind == "linalg" else jst)))
    return lambda x: [np.asarray(v) for v in fn(x)]


def torch_port(f, kind, data):
    import numpy as np
    import torch
    torch.set_num_threads(1)
    f64 = torch.float64

    class _Dist:                      # the densities the models use, written in torch
        def __init__(self, dist):
            self.dist = dist

        def logpdf(self, x, loc=0.0, scale=1.0):
            x, loc, scale = (torch.as_tensor(v, dtype=f64) for v in (x, loc, scale))
            if self.dist == "norm":
                return (-0.5 * ((x - loc) / scale) ** 2 - torch.log(scale)
                        - 0.5 * np.log(2 * np.pi))
            if self.dist == "cauchy":
                return -torch.log(np.pi * scale * (1 + ((x - loc) / scale) ** 2))
            return -(x - loc) / scale - torch.log(scale)                 # expon, x >= loc

    class _Stats:
        norm, cauchy, expon = _Dist("norm"), _Dist("cauchy"), _Dist("expon")

    class _Linalg:
        @staticmethod
        def cholesky(a, lower=True):
            return torch.linalg.cholesky(a)

        @staticmethod
        def cho_solve(c, b):
            return torch.cholesky_solve(b[:, None], c[0])[:, 0]

    d = {k: torch.as_tensor(v, dtype=f64) for k, v in data.items()}

    def vg(theta):
        t = torch.tensor(theta, dtype=f64, requires_grad=True)
        out = f(t, d, torch, _Linalg if kind == "linalg" else _Stats)
        out.backward()
        return out.item(), t.grad.numpy()
    return vg


def autograd_port(f, kind, data):
    if kind in ("linalg", "numpy"):
        return None                # autograd.scipy.linalg has no cholesky / cho_solve
    import autograd
    import autograd.numpy as anp
    import autograd.scipy.stats as ast

    class _Stats:                  # autograd.scipy.stats has norm and t, no cauchy / expon
        norm = ast.norm

        class cauchy:
            @staticmethod
            def logpdf(x, loc, scale):
                return -anp.log(anp.pi * scale * (1 + ((x - loc) / scale) ** 2))

        class expon:
            @staticmethod
            def logpdf(x):
                return -x
    return autograd.value_and_grad(lambda p: f(p, data, anp, _Stats))


def available(name):
    import importlib.util
    return importlib.util.find_spec(name) is not None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=7)
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    import warnings

    import numpy as np
    from scipy.optimize import approx_fprime

    import dualgrad as dg
    import dualgrad.scipy.linalg as dla
    from dualgrad.scipy import stats
    warnings.simplefilter("ignore", RuntimeWarning)
    clock = time.process_time
    load = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    rows, checks = [], []
    for name, (model, x, kind, data) in models().items():
        def f(theta, model=model, kind=kind, data=data):
            return model(theta, data, np, dla if kind == "linalg" else stats)
        peers = {}
        if available("jax"):
            peers["jax.jit(value_and_grad)"] = jax_port(model, kind, data)
        if available("torch"):
            peers["torch"] = torch_port(model, kind, data)
        if available("autograd"):
            peers["autograd"] = autograd_port(model, kind, data)
        peers = {k: v for k, v in peers.items() if v is not None}
        oracle = next(iter(peers.values()))(x)[1] if peers else None
        errors = {"dg.gradient": dg.gradient(f, x), "approx_fprime": approx_fprime(x, f)}
        errors.update({k: v(x)[1] for k, v in peers.items()})
        if oracle is not None:
            scale = np.max(np.abs(oracle))
            checks.append(f"{name}: " + ", ".join(
                f"{k} {np.max(np.abs(np.asarray(g) - oracle)) / scale:.1e}"
                for k, g in errors.items())
                + f" (largest error over the largest entry of {next(iter(peers))}'s)")
        t = {"f": median_time(lambda: f(x), args.reps, clock=clock),
             "dg.gradient": median_time(lambda: dg.gradient(f, x), args.reps, clock=clock),
             "dg.value_and_grad": median_time(lambda: dg.value_and_grad(f)(x), args.reps,
                                              clock=clock),
             "dg.hessian": median_time(lambda: dg.hessian(f, x), args.reps, clock=clock),
             "approx_fprime": median_time(lambda: approx_fprime(x, f), args.reps,
                                          clock=clock)}
        for k, v in peers.items():
            t[k] = median_time(lambda v=v: v(x), args.reps, clock=clock)
        rows.append((name, x.size, t))
    cols = list(dict.fromkeys(c for _, _, t in rows for c in t))
    lines = [table(["model", "n"] + [f"{c} (us)" for c in cols],
                   [[name, n] + [f"{t[c] * 1e6:.0f}" if c in t else "-" for c in cols]
                    for name, n, t in rows]),
             "",
             table(["model"] + [f"{c} / dg.gradient" for c in cols if c != "dg.gradient"],
                   [[name] + [f"{t[c] / t['dg.gradient']:.2f}" if c in t else "-"
                              for c in cols if c != "dg.gradient"] for name, _, t in rows])]
    text = "\n".join([f"`python bench/bayes.py --reps {args.reps}`, CPU time, one BLAS "
                      f"thread; load: `{load}`", "", *lines, "", "Accuracy:", "",
                      *[f"* {c}" for c in checks]])
    print(text)
    if args.out:
        Path(args.out).write_text(text + "\n")


if __name__ == "__main__":
    main()
