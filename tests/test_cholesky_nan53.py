"""Complex Cholesky with a NaN at ``A[r, r]``, ``r > 0`` (attack52 05b): the factor's
entries that do not depend on it (the rows above ``r``, and the first ``r`` entries of
the later rows) have their derivatives, as the real factor's (the lead's stop-52 fix at
``A[0, 0]``: tests/test_cholesky_nan52.py); they were NaN (complex factors were not
confined).  Oracle: central differences of NumPy's own factor wherever they are
finite, second differences for a Hessian."""

import numpy as np
import pytest

import dualgrad as dg

B = np.random.default_rng(1).normal(size=(4, 4))
C = np.random.default_rng(2).normal(size=(4, 4))


def _matrix(p):
    """Hermitian positive definite, complex, in two parameters."""
    A = (B * p[0]) @ (B * p[0]).T + 3 * np.eye(4) + 0.2 * p[1] * (C + C.T)
    return A + 0.1j * p[0] * p[1] * (B - B.T)


def _mask(r):
    m = np.ones((4, 4))
    m[r, r] = np.nan
    return m


def _split(L):
    return np.concatenate([L.real.ravel(), L.imag.ravel()])


P0 = np.array([0.7, 0.4])


def _check(g, h=1e-6):
    for i in range(2):
        e = np.eye(2)[i] * h
        want = (g(P0 + e) - g(P0 - e)) / (2 * h)
        got = dg.jacobian(g, P0)[..., i]
        assert np.array_equal(np.isfinite(got), np.isfinite(want))   # NaN exactly there
        assert np.isfinite(want).sum() >= 10
        np.testing.assert_allclose(got[np.isfinite(want)], want[np.isfinite(want)],
                                   atol=1e-7)


@pytest.mark.parametrize("upper", [False, True])
@pytest.mark.parametrize("r", [1, 2, 3])
def test_a_nan_on_a_later_diagonal_entry(r, upper):
    _check(lambda p: _split(np.linalg.cholesky(_matrix(p) * _mask(r), upper=upper)))


def test_a_stack_with_a_nan_on_the_diagonal():
    def g(p):
        A = _matrix(p)
        return _split(np.linalg.cholesky(np.stack([A, A * _mask(2), A * _mask(1)])))
    _check(g)


@pytest.mark.parametrize("upper", [False, True])
def test_the_hessian_of_the_finite_entries(upper):
    r = 2

    def f(p):
        L = np.linalg.cholesky(_matrix(p) * _mask(r), upper=upper)
        L = L.conj().T if upper else L
        return np.sum(np.abs(L[:, :r]) ** 2 * np.arange(1, 5)[:, None]) + \
            np.sum(L[r:, :r].imag * L[r:, :r].real)
    h = 1e-4
    want = np.empty((2, 2))
    for i in range(2):
        for j in range(2):
            a, b = np.eye(2)[i] * h, np.eye(2)[j] * h
            want[i, j] = (f(P0 + a + b) - f(P0 + a - b) - f(P0 - a + b) +
                          f(P0 - a - b)) / (4 * h * h)
    np.testing.assert_allclose(dg.hessian(f, P0), want, rtol=1e-6)
