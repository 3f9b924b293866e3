"""How far apart LAPACK's eig puts an eigenvalue repeated in exact arithmetic, against
the tie tolerance of ``np.linalg.eig`` / ``eigvals``' derivative (eig47,
dualgrad/dispatch/_spectral.py ``sensitivity``), and how close genuinely distinct
eigenvalues of random matrices come to it.

    PYTHONPATH=. python bench/eig_tie_resolution.py [--trials 3000] [--log-cond 4] [--sizes ..]

Repeated: ``A = S D S^-1`` (computed in float64), ``D`` with a double or triple
eigenvalue 1 (real) or ``e^{0.7i}`` (rotation blocks), ``S`` random with singular
values ``10^U(0, 1..4)``, Gaussian, or rows scaled by ``10^U(-3, 3)``; ``m`` the order.
Printed per (m, k): the largest ``split / (m eps max(|w|_max, kappa_i, kappa_j))``
(``kappa``: ``|y_i|^T |A| |x_i|``); a pair ties below ``NEAR = 8`` of it.  Distinct:
random Gaussian, triangular (+ small diagonal) and badly scaled (``D A D^-1``)
matrices, the smallest ``gap / (m eps max(...))`` over their pairs (a tie needs < 8).

The residual columns (eig49, ``_spectral.resolved``): a pair tied as above stays tied
unless its gap exceeds ``NEAR = 8`` times ``||P|| (rho_i + rho_j)`` (``rho`` each computed
pair's residual ``|A x - w x| / |x|`` in ``np.longdouble``, ``||P||`` the bound
``||X_c|| ||Y_c||`` of its cluster's spectral projector).  Printed per repeated class:
the largest ``split / (||P|| (rho_i + rho_j))`` and how many of the class
``resolved`` unties (must be 0; Jordan blocks ``S J S^-1`` included); and for close
distinct pairs of normal matrices (``Q blockdiag(R(1, 1), R(1, 1 + d), diag(..))
Q^T``, ``|w|`` up to ``10^U(0, 6)``, ``d = g eps ||A||``) the share that ``tied`` ties
and that ``resolved`` leaves tied, per ``g``.
"""
import argparse

import numpy as np

from dualgrad.dispatch import _spectral

EPS = np.finfo(float).eps


def _kappa(A, V, Vi):
    return np.sum(np.abs(Vi) * (np.abs(A) @ np.abs(V)).T, axis=-1)


def _rot(t):
    return np.array([[np.cos(t), -np.sin(t)], [np.sin(t), np.cos(t)]])


def _block_diag(*blocks):
    n = sum(b.shape[0] for b in blocks)
    out, i = np.zeros((n, n)), 0
    for b in blocks:
        out[i:i + b.shape[0], i:i + b.shape[0]] = b
        i += b.shape[0]
    return out


def repeated(trials, sizes, log_cond=4):
    out = {}
    for seed in range(trials):
        rng = np.random.default_rng(seed)
        m = int(rng.choice(sizes))
        k = int(rng.choice([2, 3])) if m >= 4 else 2
        cplx = rng.random() < 0.4 and m >= 2 * k + 1
        U, _ = np.linalg.qr(rng.standard_normal((m, m)))
        W, _ = np.linalg.qr(rng.standard_normal((m, m)))
        S = U @ np.diag(10.0 ** rng.uniform(0, rng.uniform(1, log_cond), m)) @ W
        if seed % 3 == 1:
            S = rng.standard_normal((m, m))
        if seed % 3 == 2:
            S = np.diag(10.0 ** rng.uniform(-3, 3, m)) @ S
        if cplx:
            D = _block_diag(*[_rot(0.7)] * k, np.diag(3.0 + np.arange(m - 2 * k)))
            target = np.exp(0.7j)
        else:
            D, target = np.diag(np.r_[[1.0] * k, 3.0 + np.arange(m - k)]), 1.0
        jordan = not cplx and seed % 5 == 4
        if jordan:                       # a Jordan block: defective, tied at ~sqrt(eps)
            D[0, 1] = 1.0
        A = S @ D @ np.linalg.inv(S)
        w, V = np.linalg.eig(A)
        Vi = np.linalg.inv(V)
        kap = _kappa(A, V, Vi)
        idx = np.flatnonzero(np.abs(w - target) < (1e-4 if not jordan else 1e-3))
        if len(idx) != k:
            continue
        scale = np.maximum(np.maximum(kap[idx][:, None], kap[idx][None, :]), np.max(np.abs(w)))
        ratio = np.abs(w[idx][:, None] - w[idx][None, :]) / (m * EPS * scale)
        ties = _spectral.tied(None, w, kappa=_spectral.sensitivity(A, V, Vi))
        kept = ties is not None and np.all(ties[np.ix_(idx, idx)] | np.eye(k, dtype=bool))
        if kept:
            left = _spectral.resolved(ties, A, w, V, Vi)
            untied = left is None or not np.all(left[np.ix_(idx, idx)] | np.eye(k, dtype=bool))
            own = _residual_ratio(A, w, V, Vi, idx)
        else:
            untied, own = False, np.nan
        key = (m, k, "jordan" if jordan else "complex" if cplx else "real")
        out.setdefault(key, []).append((np.max(ratio), own, untied))
    return out


def _residual_ratio(A, w, V, Vi, idx):
    """The largest ``|w_i - w_j| / (||P|| (rho_i + rho_j))`` over the cluster ``idx``."""
    x = V[:, idx].astype(np.clongdouble)
    r = A.astype(np.longdouble) @ x - x * w[idx].astype(np.clongdouble)
    rho = np.linalg.norm(np.abs(r).astype(float), axis=0) / np.linalg.norm(V[:, idx], axis=0)
    P = np.linalg.norm(V[:, idx], 2) * np.linalg.norm(Vi[idx, :], 2)
    gap = np.abs(w[idx][:, None] - w[idx][None, :])
    return np.max(gap / (P * (rho[:, None] + rho[None, :])))


def close_pairs(trials, gs=(4, 8, 16, 32, 64, 128, 256)):
    """The share of close distinct pairs tied (a priori) and left tied (residuals)."""
    out = {}
    R = lambda a, b: np.array([[a, -b], [b, a]])  # noqa: E731
    for seed in range(trials):
        rng = np.random.default_rng(2 * 10 ** 6 + seed)
        m = int(rng.choice([5, 8, 12, 20, 40]))
        top = 10.0 ** rng.uniform(0, 6)
        Q, _ = np.linalg.qr(rng.standard_normal((m, m)))
        g = gs[seed % len(gs)]
        d = g * EPS * top
        D = np.zeros((m, m))
        D[:2, :2], D[2:4, 2:4] = R(1.0, 1.0), R(1.0, 1.0 + d)
        D[4:, 4:] = np.diag(np.linspace(-top, top, m - 4))
        A = Q @ D @ Q.T
        w, V = np.linalg.eig(A)
        Vi = np.linalg.inv(V)
        ties = _spectral.tied(None, w, kappa=_spectral.sensitivity(A, V, Vi))
        up = np.flatnonzero(np.abs(w - (1 + 1j)) < 1e-6 * top + 1e-3)
        tied = ties is not None and bool(ties[up[0], up[-1]]) and len(up) == 2
        left = tied and _spectral.resolved(ties, A, w, V, Vi)
        left = tied and left is not None and bool(left[up[0], up[-1]])
        out.setdefault(g, []).append((tied, left))
    return out


def distinct(trials):
    out = {}
    for seed in range(trials):
        rng = np.random.default_rng(10 ** 6 + seed)
        m = 3 + seed % 8
        A = rng.standard_normal((m, m))
        kind = ("gaussian", "triangular", "scaled")[seed % 3]
        if kind == "triangular":
            A = np.triu(A) + np.diag(rng.uniform(0, 1e-3, m))
        if kind == "scaled":
            d = 10.0 ** rng.uniform(-4, 4, m)
            A = A * d[:, None] / d[None, :]
        w, V = np.linalg.eig(A)
        kap = _kappa(A, V, np.linalg.inv(V))
        scale = np.maximum(np.maximum(kap[:, None], kap[None, :]), np.max(np.abs(w)))
        gap = np.abs(w[:, None] - w[None, :]) / (m * EPS * scale)
        np.fill_diagonal(gap, np.inf)
        out.setdefault(kind, []).append(np.min(gap))
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=3000)
    parser.add_argument("--log-cond", type=float, default=4.0,
                        help="S's singular values up to 10^U(1, this) (repeated)")
    parser.add_argument("--sizes", type=int, nargs="+", default=[3, 4, 5, 6, 8, 12, 16, 24, 40])
    args = parser.parse_args()
    print("repeated eigenvalues: split / (m eps max(|w|, kappa)), ties below 8; "
          "split / (||P|| (rho_i + rho_j)), kept below 8; untied by the residuals")
    for key, v in sorted(repeated(args.trials, args.sizes, args.log_cond).items()):
        a = np.array([t[0] for t in v])
        own = np.array([t[1] for t in v])
        own = own[np.isfinite(own)]
        print(f"  m {key[0]:2d}, k {key[1]}, {key[2]:7s}: {len(v):4d} matrices, max {max(a):6.2f}, "
              f"90% {np.quantile(a, 0.9):6.2f}; residual max "
              f"{(np.max(own) if own.size else np.nan):6.3f}; untied {sum(t[2] for t in v)}")
    print("distinct eigenvalues: smallest gap / (m eps max(|w|, kappa)), a tie below 8")
    for kind, v in sorted(distinct(args.trials).items()):
        print(f"  {kind:10s}: {len(v):4d} matrices, min {min(v):.3g}, "
              f"1% {np.quantile(v, 0.01):.3g}")
    print("close distinct pairs of normal matrices, gap g eps ||A||: tied a priori / "
          "left tied by the residuals")
    for g, v in sorted(close_pairs(args.trials).items()):
        print(f"  g {g:4d}: {len(v):4d} matrices, tied {sum(t[0] for t in v):4d}, "
              f"left tied {sum(t[1] for t in v):4d}")


if __name__ == "__main__":
    main()
