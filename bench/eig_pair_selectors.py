"""How often dualgrad's Hessian of a function of ``np.linalg.eigvals`` is right at a
repeated complex pair of a real non-normal matrix (stop 48; eig47's open class).

    python bench/eig_pair_selectors.py [--trials 30]
    PYTHONPATH=<another checkout> python bench/eig_pair_selectors.py   # the same, before

``A(x) = S D S^-1 + (x0^2 + x1^2) C``, ``D = blockdiag(R, R, 0.1)`` with ``R`` a rotation
by 0.7 (``lam = e^{0.7i}`` twice), ``S`` and ``C`` Gaussian per seed.  Near 0 the
cluster's members are ``lam + r^2 mu_i`` with ``mu_i`` the eigenvalues of ``Y C X`` on the
cluster (``X``, ``Y`` from D's exact eigenvectors), so each key's Hessian is
``2 g'(mu) I`` (first-order perturbation theory, written out per key).  A case counts as
right when the dense and the chunk=1 Hessians both match it to 1e-6.
"""
import argparse

import numpy as np

import dualgrad as dg

TH = 0.7
LAM = np.exp(1j * TH)
KEYS = {"max Im": lambda w: np.max(w.imag), "min Im": lambda w: np.min(w.imag),
        "max |w|": lambda w: np.max(np.abs(w)), "max Re": lambda w: np.max(w.real),
        "sum w^2": lambda w: np.sum(w ** 2).real, "prod w": lambda w: np.prod(w).real}


def case(seed):
    R = np.array([[np.cos(TH), -np.sin(TH)], [np.sin(TH), np.cos(TH)]])
    D = np.zeros((5, 5))
    D[:2, :2] = D[2:4, 2:4] = R
    D[4, 4] = 0.1
    X = np.zeros((5, 2), complex)
    X[[0, 2], [0, 1]] = 1.0
    X[[1, 3], [0, 1]] = -1j
    rng = np.random.default_rng(seed)
    S, C = rng.normal(size=(5, 5)), rng.normal(size=(5, 5))
    Si = np.linalg.inv(S)
    mu = np.linalg.eigvals((np.conj(X).T @ Si) @ C @ (S @ X) / 2.0)
    other = (Si @ C @ S)[4, 4]
    m0 = np.array([LAM, LAM, np.conj(LAM), np.conj(LAM), 0.1])
    dm = np.concatenate([mu, np.conj(mu), [other]])
    want = {"max Im": np.max(mu.imag), "min Im": -np.max(mu.imag),
            "max |w|": np.max((np.conj(LAM) * mu).real) / abs(LAM),
            "max Re": np.max(mu.real), "sum w^2": np.sum(2 * m0 * dm).real,
            "prod w": sum(dm[i] * np.prod(np.delete(m0, i)) for i in range(5)).real}
    return S @ D @ Si, C, {k: 2.0 * v for k, v in want.items()}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--trials", type=int, default=30)
    args = ap.parse_args()
    right = dict.fromkeys(KEYS, 0)
    nan = dict.fromkeys(KEYS, 0)
    for seed in range(args.trials):
        A0, C, want = case(seed)
        for key, g in KEYS.items():
            f = lambda x: g(np.linalg.eigvals(A0 + (x[0] ** 2 + x[1] ** 2) * C))  # noqa: E731
            Hs = [dg.hessian(f, np.zeros(2), chunk=c) for c in (None, 1)]
            if any(np.isnan(H).any() for H in Hs):
                nan[key] += 1
            elif all(np.allclose(H, want[key] * np.eye(2), rtol=1e-6,
                                 atol=1e-6 * max(1.0, abs(want[key]))) for H in Hs):
                right[key] += 1
    print(f"{args.trials} seeds; right (dense and chunk=1) / NaN per key:")
    for key in KEYS:
        print(f"  {key:8s} {right[key]:3d} right, {nan[key]:3d} NaN")


if __name__ == "__main__":
    main()
