"""dg.quad's watch over LAPACK's sign choices (attack53 08): np.linalg.qr's Householder
signs (``R[j, j] =
-sign(Re alpha) |(alpha, x)|``, so where ``alpha`` crosses 0 a row of ``R`` and a column
of ``Q`` flip, a jump whose place moves with the parameters; dg.quad integrated it as
smooth (2.329 for 3.329); eigh's and svd's vectors' signs (0.454 for -0.960, -0.345 for
1.034).  Oracle: central differences of scipy.integrate.quad with the
jump given in ``points``; basis-free ``Q @ R``, ``|R|``, ``V f(w) V^T``, ``U S V^H`` stay exact."""

import warnings

import numpy as np
import pytest

import dualgrad as dg

si = pytest.importorskip("scipy.integrate")


def _matrix(x, p):
    """``[[x - p, 1], [0.5, 1]]``: nonsingular where ``x - p`` crosses 0."""
    z = 0 * x
    return np.stack([np.stack([x - p, z + 1.0]), np.stack([z + 0.5, z + 1.0])])


O = np.array([[0.0, 1.0], [1.0, 0.0]])


def _sym(x, p):
    """``diag(x, p) + 0.3 O``: LAPACK's sign of eigh's first vector flips at x = p."""
    z = 0 * x
    return np.stack([np.stack([x + 0 * p, z + 0.3]), np.stack([z + 0.3, z + p])])


def _svd_matrix(x, p):
    """``[[x - p, 1], [-1, 1]]``: LAPACK's U flips at x = p; nonsingular, its singular
    values apart over [0, 1] (attack53 08 (b)'s matrix is singular where its U flips)."""
    z = 0 * x
    return np.stack([np.stack([x - p, z + 1.0]), np.stack([z - 1.0, z + 1.0])])


CASES = {
    "eigh V[0, 0]": (lambda x, p: np.linalg.eigh(_sym(x, p))[1][0, 0], False),
    "eigh V diag(w^2) V^T": (lambda x, p: (lambda r: ((r[1] * r[0] ** 2) @ r[1].T)[0, 1])(
        np.linalg.eigh(_sym(x, p))), True),
    "svd U[0, 0]": (lambda x, p: np.linalg.svd(_svd_matrix(x, p))[0][0, 0], False),
    "svd U S Vh": (lambda x, p: (lambda r: ((r[0] * r[1]) @ r[2])[0, 0])(
        np.linalg.svd(_svd_matrix(x, p))), True),
    "R[0, 0]": (lambda x, p: np.linalg.qr(_matrix(x, p))[1][0, 0], False),
    "Q[0, 1]": (lambda x, p: np.linalg.qr(_matrix(x, p))[0][0, 1], False),
    "Q @ R and |R|": (lambda x, p: (lambda q: (q[0] @ q[1])[0, 0] + np.abs(q[1][0, 0]))(
        np.linalg.qr(_matrix(x, p))), True),
}


def _oracle(g, p, h=1e-5, b=1.0):
    def I(q):
        return si.quad(lambda x: float(g(x, q)), 0.0, b, limit=500, epsabs=1e-13,
                       points=[q])[0]
    return (I(p + h) - I(p - h)) / (2 * h)


@pytest.mark.parametrize("name", sorted(CASES))
def test_qr_sign_jumps_inside_quad_refuse_and_smooth_uses_are_exact(name):
    g, smooth = CASES[name]
    p = 0.3
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        F = lambda q: dg.quad(lambda x: g(x, q), 0.0, 1.0)[0]     # noqa: E731
        want = _oracle(g, p)
        if smooth:
            assert dg.derivative(F, p) == pytest.approx(want, rel=1e-8)
        else:
            with pytest.raises(TypeError, match=r"np\.linalg\.(qr|eigh|svd)"):
                dg.derivative(F, p)
