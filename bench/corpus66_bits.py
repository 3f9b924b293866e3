"""A digest of corpus66's eigenvalue short cuts, bit for bit (issue 13): the residuals
of close pairs taken diagonal by diagonal for a banded matrix, the ties' closure on
the pairs' own block, and ``couple`` / ``clustered``'s tests at the tied pairs alone
(dualgrad/dispatch/_spectral.py ``_banded_product``, ``_closed``, ``_couple_pairs``,
``_rows_at_pairs``).  Cases: ``np.linalg.eigh`` / ``eigvalsh`` / ``eig`` / ``eigvals`` and
``svd`` of tridiagonal and banded dual matrices with near ties (double wells, whose
deep levels come in pairs ``1e-9`` apart), of block-diagonal and dense ones, orders
32 to 300, values with -0.0, subnormals, NaN and inf, partials with NaN / inf / -0.0,
a complex Hermitian band, a Hessian of a well's levels; corpus64's square well row
(values, Jacobian, at three points).  Each case's value, partials (every level's
arrays as bytes), exception and warnings go into one SHA-1 (prints only).

    python bench/corpus66_bits.py [--compare /tmp/main_before]

Runs fresh processes for each engine (eager, fused), numba loaded and not, of this
checkout and, with ``--compare``, of ``DIR`` (bench/_common.digest_sides); equal
digests: the same bits.
"""
import sys
from functools import partial
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _common import child_dualgrad, digest_main, print_digest, record  # noqa: E402
out = []
run = partial(record, out)     # run(label, f): one case


def well(m, depth, width=1.0, half=2.0):
    """A finite-difference double well's Hamiltonian (tridiagonal): two barriers of
    ``depth`` apart, so that the levels below them pair up, split by tunnelling."""
    x = np.linspace(-half, half, m)
    dx = x[1] - x[0]
    v = np.where(np.abs(np.abs(x) - width) < width / 2, 0.0, depth)
    return np.diag(1 / dx ** 2 + v) + np.diag(np.full(m - 1, -0.5 / dx ** 2), 1) + \
        np.diag(np.full(m - 1, -0.5 / dx ** 2), -1)


def matrices(rng):
    """``(name, A)``: plain symmetric matrices with close pairs."""
    found = []
    for m in (32, 60, 300):
        for depth in (500.0, 5000.0):
            found.append((f"well {m} {depth}", well(m, depth)))
    for m in (32, 64):
        b = np.diag(rng.standard_normal(m)) * 1e-3
        pairs = np.kron(np.eye(m // 2), np.array([[2.0, 1e-13], [1e-13, 2.0]]))
        found.append((f"doublets {m}", pairs + np.diag(np.arange(m // 2).repeat(2) * 1.0)))
        band = np.triu(np.tril(rng.standard_normal((m, m)), 2), -2)
        band = band + band.T
        found.append((f"pentadiagonal {m}", band))
        found.append((f"pentadiagonal tied {m}", np.kron(np.eye(2), band[:m // 2, :m // 2])))
        dense = rng.standard_normal((m, m))
        found.append((f"dense tied {m}", np.kron(np.eye(2), (dense + dense.T)[:m // 2, :m // 2])))
    return found


def child(numba):
    dg = child_dualgrad(numba)
    rng = np.random.default_rng(66)
    sys.path.insert(0, str(HERE))
    from corpus64 import well_row

    for name, A in matrices(rng):
        m = len(A)
        d1 = np.sign(A) * (np.abs(A) > 0)               # the matrix's own pattern
        d2 = np.diag(np.linspace(-1.0, 1.0, m))
        for pname, P in (("pattern", np.stack([d1, d2], -1)),
                         ("specials", np.stack([np.where(d1 != 0, -0.0, 0.0), d2 * 5e-324],
                                               -1))):
            seeded = lambda A=A, P=P: dg.Dual(A, P)      # noqa: E731
            run(f"{name} {pname} eigh", lambda: np.linalg.eigh(seeded()))
            run(f"{name} {pname} eigh U", lambda: np.linalg.eigh(seeded(), "U"))
            run(f"{name} {pname} eigvalsh", lambda: np.linalg.eigvalsh(seeded()))
        if m <= 64:
            run(f"{name} eig", lambda: np.linalg.eig(dg.Dual(A, d1[..., None])))
            run(f"{name} eigvals", lambda: np.linalg.eigvals(dg.Dual(A, d1[..., None])))
            run(f"{name} svd", lambda: np.linalg.svd(dg.Dual(A, d1[..., None])))
    A = well(64, 500.0)
    for special in (np.nan, np.inf, -0.0, 5e-324, 1e308):
        B = A.copy()
        B[3, 4] = B[4, 3] = special
        P = np.zeros((64, 64, 1))
        P[10, 10] = special
        run(f"well special {special}", lambda: np.linalg.eigh(dg.Dual(B, P)))
        run(f"well partial {special}", lambda: np.linalg.eigh(dg.Dual(A, P)))
    H = well(64, 500.0) + 1j * (np.diag(np.full(63, 0.01), 1) - np.diag(np.full(63, 0.01), -1))
    run("complex band", lambda: np.linalg.eigh(dg.Dual(H, np.ones((64, 64, 1)) * (H != 0))))
    run("complex band eigvalsh", lambda: np.linalg.eigvalsh(dg.Dual(H, (H != 0)[..., None] * 1.0)))

    def levels(q):
        return np.linalg.eigvalsh(well(48, 200.0) * q[0] + np.diag(np.full(48, q[1])))[:6]
    run("well Hessian", lambda: dg.hessian(lambda q: levels(q)[1], np.array([1.0, 0.5])))
    run("well jacobian", lambda: dg.jacobian(levels, np.array([1.0, 0.5])))
    for q in ([500.0, 2.0], [50.0, 2.0], [5000.0, 1.5]):
        run(f"square well {q}", lambda: (well_row(np.array(q)),
                                         dg.jacobian(well_row, np.array(q))))
    print_digest(out)


if __name__ == "__main__":
    digest_main(__file__, child)
