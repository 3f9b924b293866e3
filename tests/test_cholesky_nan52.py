"""Cholesky of a matrix with a NaN at A[0, 0], or a stack with an all-NaN matrix
(attack52 05): the factor's structural zeros above the diagonal, and the imaginary
part of its real diagonal, have derivative 0 (they were NaN).  Oracle: central
differences of NumPy's own factor, wherever they are finite."""

import numpy as np
import pytest

import dualgrad as dg

B = np.random.default_rng(1).normal(size=(4, 4))


def _matrix(p, cplx):
    M = (B * p[0]) @ (B * p[0]).T + 3 * np.eye(4)
    return M + 1j * (B - B.T) * 0.1 * p[0] if cplx else M


def _split(L):
    return np.concatenate([L.real.ravel(), L.imag.ravel()]) if np.iscomplexobj(L) else L.ravel()


def _check(g, p=np.array([0.7]), h=1e-6):
    want = (g(p + h) - g(p - h)) / (2 * h)
    got = dg.jacobian(g, p)[..., 0]
    finite = np.isfinite(want)
    assert finite.sum() >= 6
    np.testing.assert_allclose(got[finite], want[finite], atol=1e-6)


@pytest.mark.parametrize("upper", [False, True])
@pytest.mark.parametrize("cplx", [False, True])
def test_a_nan_at_the_first_entry(upper, cplx):
    mask = np.ones((4, 4))
    mask[0, 0] = np.nan
    _check(lambda p: _split(np.linalg.cholesky(_matrix(p, cplx) * mask, upper=upper)))


@pytest.mark.parametrize("cplx", [False, True])
def test_a_stack_with_an_all_nan_matrix(cplx):
    def g(p):
        M = _matrix(p, cplx)
        return _split(np.linalg.cholesky(np.stack([M, M * np.nan])))
    _check(g)
