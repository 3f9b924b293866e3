"""A NumPy ML user's gradients: where forward mode pays and where it stops paying.

Three problems from public NumPy code, each timed against ``approx_fprime`` and the
reverse-mode peers installed (JAX jitted and not, PyTorch, autograd) in one run:

* ``mlp``: the three-layer ReLU net of cryer/Fully_Connected_Nets_with_numpy
  (``fc_layer.py`` @ 36a3908f: ``affine_forward`` = ``np.dot(x_row, w) + b``,
  ``relu_forward`` = ``np.maximum(0, x)``, ``softmax_loss`` with the max shift and the
  fancy-indexed ``probs[np.arange(N), y]``; ``two_layer_fc.py`` @ d54381d4: the L2
  penalty), 256 samples of 10 features, 3 classes, the loss's gradient in the flat
  parameter vector for hidden widths giving ~130, ~1,200 and ~10,000 parameters.
* ``gp``: a Gaussian process's negative log marginal likelihood (an RBF kernel on
  200 points, 3 log-hyperparameters, ``np.linalg.cholesky`` and two solves, as
  alexis-roche/scripts ``stats/gaussian_process.py`` @ c4f16d08 with NumPy's
  factorization), its gradient and Hessian.
* ``laplace``: the Hessian of a logistic regression's penalized log-likelihood (500
  rows, 20 / 100 weights) for a Laplace approximation, with the closed form
  ``X^T diag(p (1 - p)) X + I`` as the reference.

Every number is a median of CPU time (BLAS and numba on one thread, ``_common``);
each row checks the gradients against the peer (max relative difference) and prints
the machine's load.  ``--quick`` runs the smallest sizes only.

    python bench/ml_numpy.py [--quick] [--chunk-sweep [--hidden H] [--chunks 32,64,128,0]]
"""

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
import _common                                          # noqa: E402,F401  one thread

import numpy as np                                      # noqa: E402
from scipy.optimize import approx_fprime                # noqa: E402

import dualgrad as dg                                   # noqa: E402

try:
    import jax
    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp
except ImportError:                                     # pragma: no cover
    jax = None
try:
    import torch
    torch.set_num_threads(1)
except ImportError:                                     # pragma: no cover
    torch = None
try:
    import autograd
    import autograd.numpy as anp
except ImportError:                                     # pragma: no cover
    autograd = None


def med(fn, budget=2.0, most=7):
    """Median CPU seconds of ``fn()`` (this process, all its threads: ``time.process_time``,
    so other jobs on a shared machine do not land in a sample) over up to ``most``
    calls within ``budget`` seconds, after two warm-up calls (compiles, caches)."""
    fn()
    fn()
    samples, start = [], time.process_time()
    while len(samples) < most and (not samples or time.process_time() - start < budget):
        t0 = time.process_time()
        fn()
        samples.append(time.process_time() - t0)
    return float(np.median(samples)), len(samples)


def rel(a, b):
    a, b = np.asarray(a, float), np.asarray(b, float)
    return float(np.max(np.abs(a - b)) / np.max(np.abs(b)))


# ---- the MLP (cryer/Fully_Connected_Nets_with_numpy, written for any xp) ----------

def mlp_loss(theta, X, y, shapes, xp=np, reg=1e-3):
    params, i = [], 0
    for s in shapes:
        n = int(np.prod(s))
        params.append(theta[i:i + n].reshape(s))
        i += n
    W1, b1, W2, b2, W3, b3 = params
    h1 = xp.maximum(0, xp.dot(X, W1) + b1)              # affine_relu_forward
    h2 = xp.maximum(0, xp.dot(h1, W2) + b2)
    scores = xp.dot(h2, W3) + b3                        # affine_forward
    probs = xp.exp(scores - xp.max(scores, axis=1, keepdims=True))
    probs = probs / xp.sum(probs, axis=1, keepdims=True)
    N = X.shape[0]
    data_loss = -xp.sum(xp.log(probs[np.arange(N), y])) / N
    return data_loss + 0.5 * reg * (xp.sum(W1 * W1) + xp.sum(W2 * W2) + xp.sum(W3 * W3))


def mlp_torch(theta, X, y, shapes, reg=1e-3):
    params, i = [], 0
    for s in shapes:
        n = int(np.prod(s))
        params.append(theta[i:i + n].reshape(s))
        i += n
    W1, b1, W2, b2, W3, b3 = params
    h1 = torch.clamp(X @ W1 + b1, min=0)
    h2 = torch.clamp(h1 @ W2 + b2, min=0)
    scores = h2 @ W3 + b3
    probs = torch.exp(scores - scores.max(dim=1, keepdim=True).values)
    probs = probs / probs.sum(dim=1, keepdim=True)
    data_loss = -torch.log(probs[torch.arange(X.shape[0]), y]).sum() / X.shape[0]
    return data_loss + 0.5 * reg * ((W1 * W1).sum() + (W2 * W2).sum() + (W3 * W3).sum())


def bench_mlp(hidden, rows):
    rng = np.random.default_rng(0)
    N, D, C, H = 256, 10, 3, hidden
    X = rng.standard_normal((N, D))
    y = rng.integers(0, C, N)
    shapes = [(D, H), (1, H), (H, H), (1, H), (H, C), (1, C)]
    theta = np.concatenate([0.3 * rng.standard_normal(int(np.prod(s))) for s in shapes])
    P = theta.size
    f = lambda th: mlp_loss(th, X, y, shapes)               # noqa: E731
    g_dg = dg.gradient(f, theta)
    row = {"problem": f"mlp H={H}", "n": P, "f": med(lambda: f(theta))[0]}
    row["dualgrad"], reps = med(lambda: dg.gradient(f, theta), budget=20, most=5)
    row["approx_fprime"], _ = med(lambda: approx_fprime(theta, f, 1.49e-8), budget=10,
                                  most=5)
    ref = None
    if jax is not None:
        gj = jax.grad(lambda th: mlp_loss(th, jnp.asarray(X), y, shapes, jnp))
        gjj = jax.jit(gj)
        ref = np.asarray(gjj(jnp.asarray(theta)))
        row["jax"], _ = med(lambda: gj(jnp.asarray(theta)).block_until_ready())
        row["jax.jit"], _ = med(lambda: gjj(jnp.asarray(theta)).block_until_ready())
    if torch is not None:
        Xt, yt = torch.from_numpy(X), torch.from_numpy(y)

        def tgrad():
            th = torch.tensor(theta, requires_grad=True)
            mlp_torch(th, Xt, yt, shapes).backward()
            return th.grad.numpy()
        ref = tgrad() if ref is None else ref
        row["torch"], _ = med(tgrad)
    if autograd is not None:
        ga = autograd.grad(lambda th: mlp_loss(th, X, y, shapes, anp))
        row["autograd"], _ = med(lambda: ga(theta))
    row["err dualgrad"] = rel(g_dg, ref) if ref is not None else None
    row["err approx_fprime"] = rel(approx_fprime(theta, f, 1.49e-8), ref) \
        if ref is not None else None
    row["repeats"] = reps
    rows.append(row)


# ---- the GP marginal likelihood -------------------------------------------------------

def gp_nll(p, t, yy, xp=np):
    sf2, ell, sn2 = xp.exp(p[0]), xp.exp(p[1]), xp.exp(p[2])
    D2 = (t[:, None] - t[None, :]) ** 2
    K = sf2 * xp.exp(-0.5 * D2 / ell ** 2) + sn2 * xp.eye(len(t))
    L = xp.linalg.cholesky(K)
    alpha = xp.linalg.solve(L.T, xp.linalg.solve(L, yy))
    return 0.5 * yy @ alpha + xp.sum(xp.log(xp.diag(L)))


def bench_gp(rows, n=200):
    rng = np.random.default_rng(1)
    t = np.sort(rng.uniform(0, 10, n))
    yy = np.sin(t) + 0.1 * rng.standard_normal(n)
    p = np.array([0.1, -0.2, -2.0])
    f = lambda q: gp_nll(q, t, yy)                          # noqa: E731
    row = {"problem": f"gp grad n={n}", "n": 3, "f": med(lambda: f(p))[0]}
    row["dualgrad"], reps = med(lambda: dg.gradient(f, p))
    row["approx_fprime"], _ = med(lambda: approx_fprime(p, f, 1.49e-8))
    hrow = {"problem": f"gp hessian n={n}", "n": 3, "f": row["f"]}
    hrow["dualgrad"], _ = med(lambda: dg.hessian(f, p))
    hrow["approx_fprime"], _ = med(
        lambda: approx_fprime(p, dg.grad(f), 1.49e-8))   # differences of the exact gradient
    if jax is not None:
        fj = lambda q: gp_nll(q, jnp.asarray(t), jnp.asarray(yy), jnp)   # noqa: E731
        gj, hj = jax.jit(jax.grad(fj)), jax.jit(jax.hessian(fj))
        ref, href = np.asarray(gj(jnp.asarray(p))), np.asarray(hj(jnp.asarray(p)))
        row["jax.jit"], _ = med(lambda: gj(jnp.asarray(p)).block_until_ready())
        hrow["jax.jit"], _ = med(lambda: hj(jnp.asarray(p)).block_until_ready())
        row["err dualgrad"] = rel(dg.gradient(f, p), ref)
        row["err approx_fprime"] = rel(approx_fprime(p, f, 1.49e-8), ref)
        hrow["err dualgrad"] = rel(dg.hessian(f, p), href)
        hrow["err approx_fprime"] = rel(approx_fprime(p, dg.grad(f), 1.49e-8), href)
    row["repeats"] = hrow["repeats"] = reps
    rows += [row, hrow]


# ---- a Laplace approximation's Hessian ---------------------------------------------------

def logreg(w, X, y, xp=np):
    z = X @ w
    return xp.sum(xp.logaddexp(0, z) - y * z) + 0.5 * xp.sum(w * w)


def bench_laplace(rows, d):
    rng = np.random.default_rng(2)
    X = rng.standard_normal((500, d))
    y = (rng.random(500) < 0.5).astype(float)
    w = 0.1 * rng.standard_normal(d)
    p = 1 / (1 + np.exp(-X @ w))
    exact = X.T @ (X * (p * (1 - p))[:, None]) + np.eye(d)
    f = lambda q: logreg(q, X, y)                           # noqa: E731
    row = {"problem": f"laplace hessian d={d}", "n": d, "f": med(lambda: f(w))[0]}
    row["dualgrad"], reps = med(lambda: dg.hessian(f, w), budget=10, most=5)
    row["approx_fprime"], _ = med(lambda: approx_fprime(w, dg.grad(f), 1.49e-8),
                                  budget=10, most=5)
    if jax is not None:
        hj = jax.jit(jax.hessian(lambda q: logreg(q, jnp.asarray(X), jnp.asarray(y), jnp)))
        row["jax.jit"], _ = med(lambda: hj(jnp.asarray(w)).block_until_ready())
    row["err dualgrad"] = rel(dg.hessian(f, w), exact)
    row["err approx_fprime"] = rel(approx_fprime(w, dg.grad(f), 1.49e-8), exact)
    row["repeats"] = reps
    rows.append(row)


def chunk_sweep(hidden=93, chunks=(32, 64, 128, None)):
    """The MLP's gradient at several ``chunk=`` widths (the default is the widest
    within the memory budget, 209 directions at 10,047 inputs; ``None``: the default),
    and the widths of the passes the default chose."""
    from dualgrad.api._seed import chunk_sizes
    rng = np.random.default_rng(0)
    N, D, C, H = 256, 10, 3, hidden
    X = rng.standard_normal((N, D))
    y = rng.integers(0, C, N)
    shapes = [(D, H), (1, H), (H, H), (1, H), (H, C), (1, C)]
    theta = np.concatenate([0.3 * rng.standard_normal(int(np.prod(s))) for s in shapes])
    f = lambda th: mlp_loss(th, X, y, shapes)               # noqa: E731
    print(f"| chunk | CPU s ({theta.size} inputs) |")
    print("| --- | --- |")
    print(f"default passes: {len(chunk_sizes(theta.size, None, theta.size))} of "
          f"{max(chunk_sizes(theta.size, None, theta.size))} directions at most")
    for chunk in chunks:
        g = lambda: dg.gradient(f, theta, chunk=chunk)      # noqa: E731
        g()
        times = []
        for _ in range(2):
            t0 = time.process_time()
            g()
            times.append(time.process_time() - t0)
        print(f"| {chunk or 'default'} | {np.median(times):.2f} |", flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--chunk-sweep", action="store_true",
                    help="only the 10,047-weight MLP's gradient at chunk= 32, 64, 128 and "
                    "the default (one warm-up, median of 2 CPU times each)")
    ap.add_argument("--hidden", type=int, default=93,
                    help="--chunk-sweep's hidden width (93: 10,047 weights, 28: 1,207)")
    ap.add_argument("--chunks", default="32,64,128,0",
                    help="--chunk-sweep's widths, comma-separated (0: the default)")
    args = ap.parse_args()
    print("load before:", os.getloadavg())
    if args.chunk_sweep:
        chunk_sweep(args.hidden, [int(c) or None for c in args.chunks.split(",")])
        print("load after:", os.getloadavg())
        return
    rows = []
    for H in ((6,) if args.quick else (6, 28, 93)):
        bench_mlp(H, rows)
    bench_gp(rows)
    for d in ((20,) if args.quick else (20, 100)):
        bench_laplace(rows, d)
    peers = ["f", "dualgrad", "approx_fprime", "jax", "jax.jit", "torch", "autograd"]
    print("| problem | inputs | " + " | ".join(f"{p} (ms)" for p in peers) +
          " | dualgrad / approx_fprime | dualgrad / best peer | err dualgrad | "
          "err approx_fprime | repeats |")
    print("|" + " --- |" * (len(peers) + 7))
    for r in rows:
        best = min((r[p] for p in ("jax", "jax.jit", "torch", "autograd") if p in r),
                   default=None)
        cells = [f"{1e3 * r[p]:.3g}" if p in r else "" for p in peers]
        ratio = f"{r['dualgrad'] / best:.3g}" if best else ""
        errs = [f"{r[k]:.1e}" if r.get(k) is not None else "" for k in
                ("err dualgrad", "err approx_fprime")]
        print(f"| {r['problem']} | {r['n']} | " + " | ".join(cells) +
              f" | {r['dualgrad'] / r['approx_fprime']:.3g} | {ratio} | " +
              " | ".join(errs) + f" | {r['repeats']} |")
    print("load after:", os.getloadavg())


if __name__ == "__main__":
    main()
