"""Random search over np.clip Hessians at a three-way tie (clip47; attack46's clip_rand.py).

Each draw: three quadratics a, lo, hi in x (n = 2) with integer gradients and Hessians,
all 0 at x = 0 (a three-way tie), some with zero parts, lo sometimes the constant 0.
f = np.clip(a, lo, hi) is smooth at 0 iff it is one quadratic near 0: a least-squares
fit of f's samples on two circles (radius 0.01, 0.02; 2 x 20000 points) leaves a
residual < 1e-12.  Smooth draws: the fitted Hessian is the oracle, and every mode
(dense, chunk=1, jacfwd(grad), jacobian(grad), sparsity="auto") must give it (a NaN
counts apart).  Draws that are not smooth: the modes are compared with one another
(the same numbers, or NaN), and the dense Hessian is counted where it
is a number (``dense_number``).

    python bench/clip_search.py SEED DRAWS [--engine fused|eager] [--show]
"""
import argparse
import os
import sys

import numpy as np


def quad(g, A):
    return lambda x: g[0] * x[0] + g[1] * x[1] + 0.5 * (A[0, 0] * x[0] * x[0] +
                                                       2 * A[0, 1] * x[0] * x[1] +
                                                       A[1, 1] * x[1] * x[1])


def draw(rng):
    g = rng.integers(-1, 2, 2).astype(float) * rng.integers(0, 2)
    B = rng.integers(-2, 3, (2, 2)).astype(float)
    A = B + B.T
    if rng.random() < 0.3:
        A[:] = 0
    return g, A


_T = np.linspace(0, 2 * np.pi, 20001)[:-1] + 0.1
_P = np.concatenate([r * np.column_stack([np.cos(_T), np.sin(_T)]) for r in (0.01, 0.02)])
_M = np.column_stack([np.ones(len(_P)), _P[:, 0], _P[:, 1], _P[:, 0] ** 2 / 2,
                      _P[:, 0] * _P[:, 1], _P[:, 1] ** 2 / 2])


def fit(f):
    """(gradient, Hessian, residual) of the quadratic fitted to f's samples."""
    V = f(_P.T)
    c, *_ = np.linalg.lstsq(_M, V, rcond=None)
    H = np.array([[c[3], c[4]], [c[4], c[5]]])
    return c[1:3], H, np.max(np.abs(_M @ c - V))


def clip_case(qa, ql, qh, kind):
    def f(x):
        lo = 0.0 if kind == 1 else ql(x)
        return np.clip(qa(x), lo, qh(x))
    return f


def modes(dg, f):
    x0 = np.zeros(2)
    return {"hess": dg.hessian(f, x0), "hess1": dg.hessian(f, x0, chunk=1),
            "jfg": dg.jacfwd(dg.grad(f))(x0), "gg": dg.jacobian(dg.grad(f), x0),
            "gg1": dg.jacobian(dg.grad(f), x0, chunk=1),
            "sp": dg.hessian(f, x0, sparsity="auto").toarray()}


def search(seed, draws, show=False):
    """Counts over ``draws`` draws of seed ``seed``: a dict."""
    import dualgrad as dg
    rng = np.random.default_rng(seed)
    out = dict(draws=draws, smooth=0, wrong=0, nan=0, nonsmooth=0, inconsistent=0,
               dense_number=0)
    for trial in range(draws):
        qs = [draw(rng) for _ in range(3)]
        kind = int(rng.integers(0, 3))
        f = clip_case(*[quad(*q) for q in qs], kind)
        _, H, res = fit(f)
        got = modes(dg, f)
        if res < 1e-12:
            out["smooth"] += 1
            nan = any(np.isnan(v).any() for v in got.values())
            bad = [k for k, v in got.items() if not np.isnan(v).any() and
                   not np.allclose(v, H, atol=1e-6)]
            out["nan"] += nan
            out["wrong"] += bool(bad)
            if show and (bad or nan):
                print("SMOOTH", trial, kind, "bad" if bad else "nan", bad,
                      {k: v.tolist() for k, v in got.items()}, "ref", H.tolist(),
                      [(q[0].tolist(), q[1].tolist()) for q in qs])
        else:
            out["nonsmooth"] += 1
            vals = list(got.values())
            same = all(np.allclose(v, vals[0], atol=1e-9, equal_nan=True) for v in vals)
            out["inconsistent"] += not same
            out["dense_number"] += not np.isnan(got["hess"]).any()
            if show and not np.isnan(got["hess"]).any():
                print("KINK-NUMBER", trial, kind, got["hess"].tolist(),
                      [(q[0].tolist(), q[1].tolist()) for q in qs])
            if show and not same:
                print("KINK", trial, kind, {k: v.tolist() for k, v in got.items()},
                      [(q[0].tolist(), q[1].tolist()) for q in qs])
    return out


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("seed", type=int)
    p.add_argument("draws", type=int)
    p.add_argument("--engine", default=None)
    p.add_argument("--show", action="store_true")
    args = p.parse_args()
    if args.engine:
        os.environ["DUALGRAD_ENGINE"] = args.engine
    sys.path.insert(0, os.getcwd())
    print(args.seed, search(args.seed, args.draws, args.show))
