"""How near an independent oracle the singular values' and vectors' Jacobians of this
checkout's dualgrad are (svd68: the vectors' gaps ``1 / ((s_j - s_i)(s_j + s_i))`` on
``s / s_1`` in place of ``1 / (s_j^2 - s_i^2)``, which changes their bits; prints only).

    python bench/svd68_accuracy.py [--count 40]

Run it with ``PYTHONPATH`` at each checkout.  Families of matrices (seed 0): random normal
4 x 4 and 6 x 4, ``Q1 diag(s) Q2^T`` with a close pair (``s = (1, 0.5, 0.1 + 1e-7, 0.1)``)
and graded (``s = (1e6, 1, 1e-3, 1e-6)``).  The oracle is first-order perturbation theory
in mpmath at 30 digits on mpmath's own SVD of the float64 matrix: ``ds_i = u_i^T dA v_i``,
``du_k = sum_i u_i (P_ik s_k + s_i P_ki) / (s_k^2 - s_i^2) + (I - U U^T) dA v_k / s_k``.
The Jacobian compared is of ``s`` and of each ``u_k u_k^T`` (sign-free), its error per
matrix ``max|J - J*| / max|J*|`` of the vectors' part; printed: the median and the largest
over the family, and the values' part's largest.
"""

import argparse

import numpy as np


def oracle(A):
    import mpmath
    mp = mpmath.mp
    mp.dps = 30
    m, n = A.shape
    U, S, Vt = mp.svd_r(mp.matrix(A.tolist()), full_matrices=False)
    V = Vt.T
    I = mp.eye(m)
    R = I - U * U.T
    rows_s, rows_p = [], []
    for a in range(m):
        for b in range(n):
            E = mp.zeros(m, n)
            E[a, b] = 1
            P = U.T * E * V
            ds = [P[i, i] for i in range(n)]
            proj = []
            for k in range(n):
                du = R * E * V[:, k] / S[k]
                for i in range(n):
                    if i != k:
                        x = (P[i, k] * S[k] + S[i] * P[k, i]) / (S[k] ** 2 - S[i] ** 2)
                        du += U[:, i] * x
                D = du * U[:, k].T + U[:, k] * du.T
                proj += [D[c, d] for c in range(m) for d in range(m)]
            rows_s.append([float(x) for x in ds])
            rows_p.append([float(x) for x in proj])
    return np.array(rows_s).T, np.array(rows_p).T


def main():
    import dualgrad as dg
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=40)
    args = parser.parse_args()
    rng = np.random.default_rng(0)

    def planted(s):
        m = len(s)
        Q1 = np.linalg.qr(rng.standard_normal((m, m)))[0]
        Q2 = np.linalg.qr(rng.standard_normal((m, m)))[0]
        return Q1 @ np.diag(s) @ Q2.T
    families = {"random 4x4": lambda: rng.standard_normal((4, 4)),
                "random 6x4": lambda: rng.standard_normal((6, 4)),
                "close pair 4x4": lambda: planted([1.0, 0.5, 0.1 + 1e-7, 0.1]),
                "graded 4x4": lambda: planted([1e6, 1.0, 1e-3, 1e-6])}
    print("| family | vectors' error: median | largest | values' largest |")
    print("| --- | --- | --- | --- |")
    for name, make in families.items():
        errs, errs_s = [], []
        for _ in range(args.count):
            A = make()
            m, n = A.shape

            def f(x):
                U, s, _ = np.linalg.svd(x.reshape(m, n), full_matrices=False)
                return np.concatenate([s] + [(U[:, k:k + 1] * U[:, k]).ravel()
                                             for k in range(n)])
            J = dg.jacobian(f, A.ravel())
            Js, Jp = oracle(A)
            errs.append(np.abs(J[n:] - Jp).max() / np.abs(Jp).max())
            errs_s.append(np.abs(J[:n] - Js).max() / np.abs(Js).max())
        print(f"| {name} | {np.median(errs):.3g} | {np.max(errs):.3g} | {np.max(errs_s):.3g} |")


if __name__ == "__main__":
    main()
