"""NaN where a number exists in matrix functions, and no number where SciPy's value is
NaN (spectral46).

expm of a matrix with ``-inf`` on its diagonal that is not diagonal: SciPy's value is
NaN, so are the partials (they were the limit's, finite, beside a NaN value: attack45
L4).  Oracles: SciPy's own ``expm`` / ``expm_frechet`` and the complex step on the
block matrix ``[[A, E], [0, A]]``.
"""

import numpy as np
import pytest

import dualgrad as dg

sl = pytest.importorskip("scipy.linalg")
dl = pytest.importorskip("dualgrad.scipy.linalg")

NINF = -np.inf


# -- expm: partials NaN exactly where SciPy's value is ----------------------------------

def _D(p):
    return np.array([[NINF, p[0]], [p[1], p[0] * p[1]]])


def test_expm_nan_value_has_nan_partials():
    """attack45 L4: [[-inf, a], [b, ab]]: SciPy's value NaN in every entry; the
    Jacobian and the Hessian of the sum were finite (the limit's)."""
    p = np.array([0.4, -0.9])
    assert np.isnan(sl.expm(_D(p))).all()
    J = dg.jacobian(lambda q: dl.expm(_D(q)), p)
    assert np.isnan(J).all()
    H = dg.hessian(lambda q: np.sum(dl.expm(_D(q))), p)
    assert np.isnan(H).all()


def _frechet_by_complex_step(A, E, h=1e-20):
    """L(A, E): the upper right block of expm([[A, i h E], [0, A]]) / (i h)... the
    complex step on the block matrix: expm(B + i h [[0, E], [0, 0]]) has imaginary
    part h L(A, E) in its upper right block to O(h^3)."""
    m = A.shape[0]
    B = np.zeros((2 * m, 2 * m), complex)
    B[:m, :m] = B[m:, m:] = A
    B[:m, m:] = 1j * h * E
    return np.imag(sl.expm(B)[:m, m:]) / h


@pytest.mark.parametrize("seed", [0, 1])
def test_expm_batch_nan_slice_leaves_others_exact(seed):
    """A batch of a -inf slice (SciPy's NaN) and finite slices: the finite slices'
    partials are SciPy's expm_frechet and the complex step's; the NaN slice's NaN."""
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((3, 3, 3))
    A[1, 0, 0] = NINF
    E = rng.standard_normal((3, 3, 3))
    got = dg.derivative(lambda t: dl.expm(A + t * E), 0.0)
    value = sl.expm(A)
    np.testing.assert_array_equal(np.isnan(got), np.isnan(value))
    for k in (0, 2):
        want = sl.expm_frechet(A[k], E[k], compute_expm=False)
        np.testing.assert_allclose(got[k], want, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(got[k], _frechet_by_complex_step(A[k], E[k]),
                                   rtol=1e-11, atol=1e-13)


def test_expm_diagonal_minus_inf_keeps_the_limit():
    """diag(-inf, c) + t E: SciPy's value is the limit diag(0, e^c) at t = 0; the
    partials stay the limit's (0 in the -inf row and column, e^c E_11)."""
    E = np.array([[0.0, 0.0], [0.0, 2.0]])
    got = dg.derivative(lambda t: dl.expm(np.diag([NINF, 0.5]) + t * E), 0.0)
    np.testing.assert_allclose(got, [[0, 0], [0, 2 * np.exp(0.5)]], rtol=1e-14, atol=0)
