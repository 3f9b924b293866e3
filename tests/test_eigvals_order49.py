"""np.linalg.eigvals inside a derivative keeps the plain call's order (attack49 25).

From order 75 LAPACK's eig (Schur vectors wanted) and eigvals (values alone) may order
the eigenvalues differently; the dual path computes eig's, so eigvals(A(p))[k] was
another eigenvalue's slope inside a derivative.  Oracle: a symmetric matrix's simple
eigenvalue w has the slope v^T E v (v: eigh's unit vector of w), and the values seen
inside the derivative are the plain call's, in its order."""
import numpy as np
import pytest

import dualgrad as dg


@pytest.mark.parametrize("m", [80, 150, 200])
def test_eigvals_inside_a_derivative_keeps_the_plain_order_and_slopes(m):
    rng = np.random.default_rng(7)
    B = rng.normal(size=(m, m))
    A = B + B.T
    E = rng.normal(size=(m, m))
    E = E + E.T
    seen = {}

    def f(p):
        w = np.linalg.eigvals(A + p * E)
        seen["w"] = dg.stop_gradient(w)
        return np.real(w)

    d = dg.derivative(f, 0.0)
    plain = np.real(np.linalg.eigvals(A))
    np.testing.assert_allclose(np.real(seen["w"]), plain, rtol=0, atol=1e-10)
    we, V = np.linalg.eigh(A)
    k = np.argmin(np.abs(we[None, :] - plain[:, None]), axis=1)
    slopes = np.einsum("ik,ij,jk->k", V, E, V)[k]
    np.testing.assert_allclose(d, slopes, rtol=1e-8, atol=1e-8 * np.abs(slopes).max())
