"""How far apart LAPACK's eig puts an eigenvalue repeated in exact arithmetic, against
the tie tolerance of ``np.linalg.eig`` / ``eigvals``' derivative (eig47,
dualgrad/dispatch/_spectral.py ``sensitivity``), and how close genuinely distinct
eigenvalues of random matrices come to it.

    python bench/eig_tie_resolution.py [--trials 3000]

Repeated: ``A = S D S^-1`` (computed in float64), ``D`` with a double or triple
eigenvalue 1 (real) or ``e^{0.7i}`` (rotation blocks), ``S`` random with singular
values ``10^U(0, 1..4)``, Gaussian, or rows scaled by ``10^U(-3, 3)``; ``m`` the order.
Printed per (m, k): the largest ``split / (m eps max(|w|_max, kappa_i, kappa_j))``
(``kappa``: ``|y_i|^T |A| |x_i|``); a pair ties below ``NEAR = 8`` of it.  Distinct:
random Gaussian, triangular (+ small diagonal) and badly scaled (``D A D^-1``)
matrices, the smallest ``gap / (m eps max(...))`` over their pairs (a tie needs < 8).
"""
import argparse

import numpy as np

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


def repeated(trials, sizes):
    out = {}
    for seed in range(trials):
        rng = np.random.default_rng(seed)
        m = int(rng.choice(sizes))
        k = int(rng.choice([2, 3])) if m >= 4 else 2
        cplx = rng.random() < 0.4 and m >= 2 * k + 1
        U, _ = np.linalg.qr(rng.standard_normal((m, m)))
        W, _ = np.linalg.qr(rng.standard_normal((m, m)))
        S = U @ np.diag(10.0 ** rng.uniform(0, rng.uniform(1, 4), m)) @ W
        if seed % 3 == 1:
            S = rng.standard_normal((m, m))
        if seed % 3 == 2:
            S = np.diag(10.0 ** rng.uniform(-3, 3, m)) @ S
        if cplx:
            D = _block_diag(*[_rot(0.7)] * k, np.diag(3.0 + np.arange(m - 2 * k)))
            target = np.exp(0.7j)
        else:
            D, target = np.diag(np.r_[[1.0] * k, 3.0 + np.arange(m - k)]), 1.0
        A = S @ D @ np.linalg.inv(S)
        w, V = np.linalg.eig(A)
        kap = _kappa(A, V, np.linalg.inv(V))
        idx = np.flatnonzero(np.abs(w - target) < 1e-4)
        if len(idx) != k:
            continue
        scale = np.maximum(np.maximum(kap[idx][:, None], kap[idx][None, :]), np.max(np.abs(w)))
        ratio = np.abs(w[idx][:, None] - w[idx][None, :]) / (m * EPS * scale)
        out.setdefault((m, k, "complex" if cplx else "real"), []).append(np.max(ratio))
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
    args = parser.parse_args()
    print("repeated eigenvalues: split / (m eps max(|w|, kappa)), ties below 8")
    for key, v in sorted(repeated(args.trials, [3, 4, 5, 6, 8, 12, 16, 24]).items()):
        print(f"  m {key[0]:2d}, k {key[1]}, {key[2]:7s}: {len(v):4d} matrices, max {max(v):6.2f}, "
              f"90% {np.quantile(v, 0.9):6.2f}")
    print("distinct eigenvalues: smallest gap / (m eps max(|w|, kappa)), a tie below 8")
    for kind, v in sorted(distinct(args.trials).items()):
        print(f"  {kind:10s}: {len(v):4d} matrices, min {min(v):.3g}, "
              f"1% {np.quantile(v, 0.01):.3g}")


if __name__ == "__main__":
    main()
