"""dg.quad's watch over np.linalg.qr's Householder signs (attack53 08 (a)): ``R[j, j] =
-sign(Re alpha) |(alpha, x)|``, so where ``alpha`` crosses 0 a row of ``R`` and a column
of ``Q`` flip, a jump whose place moves with the parameters; dg.quad integrated it as
smooth (2.329 for 3.329).  Oracle: central differences of scipy.integrate.quad with the
jump given in ``points``; basis-free ``Q @ R`` and ``|R|`` stay exact."""

import warnings

import numpy as np
import pytest

import dualgrad as dg

si = pytest.importorskip("scipy.integrate")


def _matrix(x, p):
    """``[[x - p, 1], [0.5, 1]]``: nonsingular where ``x - p`` crosses 0."""
    z = 0 * x
    return np.stack([np.stack([x - p, z + 1.0]), np.stack([z + 0.5, z + 1.0])])


CASES = {
    "R[0, 0]": (lambda x, p: np.linalg.qr(_matrix(x, p))[1][0, 0], False),
    "Q[0, 1]": (lambda x, p: np.linalg.qr(_matrix(x, p))[0][0, 1], False),
    "Q @ R and |R|": (lambda x, p: (lambda q: (q[0] @ q[1])[0, 0] + np.abs(q[1][0, 0]))(
        np.linalg.qr(_matrix(x, p))), True),
}


def _oracle(g, p, h=1e-5):
    def I(q):
        return si.quad(lambda x: float(g(x, q)), 0.0, 3.0, limit=500, epsabs=1e-13,
                       points=[q])[0]
    return (I(p + h) - I(p - h)) / (2 * h)


@pytest.mark.parametrize("name", sorted(CASES))
def test_qr_sign_jumps_inside_quad_refuse_and_smooth_uses_are_exact(name):
    g, smooth = CASES[name]
    p = 0.3
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        F = lambda q: dg.quad(lambda x: g(x, q), 0.0, 3.0)[0]     # noqa: E731
        want = _oracle(g, p)
        if smooth:
            assert dg.derivative(F, p) == pytest.approx(want, rel=1e-8)
        else:
            with pytest.raises(TypeError, match=r"np\.linalg\.qr"):
                dg.derivative(F, p)
