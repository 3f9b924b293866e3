"""Hessian entries beside a gradient entry that is inf only because a finite product
overflowed (attack56 16, hess57): no infinite order through it.  Oracles: closed forms
evaluated by mpmath (p (1 - p) of the logistic; sech(706)**2 ~ 1e-612 is 0.0)."""

import mpmath as mp
import numpy as np
import pytest

import dualgrad as dg

pytestmark = pytest.mark.mp_dps(60)   # (tests/conftest.py)


def close(got, exact, rel=1e-13):
    exact = float(exact)
    return got == exact or abs(got - exact) <= rel * abs(exact)

# attack56 16: a gradient entry that is inf only because a finite product overflowed
# (forward mode: d cosh(a b) / db = a sinh(a b) = 7e308 before the division by cosh) is
# no singularity, and the order through it is no infinite limit: NaN, not inf
OVERFLOWED = [
    ("log(cosh(a b))", lambda q: np.log(np.cosh(q[0] * q[1])), [706.0, 1.0]),
    ("log(exp(a b))", lambda q: np.log(np.exp(q[0] * q[1])), [708.0, 1.0]),
    ("naive logsumexp", lambda q: np.log(np.exp(q[0] * q[1]) + np.exp(q[2])),
     [705.0, 1.0, 700.0]),
]


@pytest.mark.parametrize("name, f, x", OVERFLOWED, ids=[c[0] for c in OVERFLOWED])
def test_overflowed_gradient_entry_is_not_an_infinite_order(name, f, x):
    """H[0, 1] (exact 1 - a small term: tanh(z) + z sech(z)**2, or p) is NaN at every
    chunk= and sparse, never inf; the entries beside the overflowed one are exact."""
    x = np.array(x)
    z = mp.mpf(x[0]) * mp.mpf(x[1])
    g = dg.gradient(f, x)
    assert g[1] == np.inf          # the overflow itself (documented: forward mode)
    for h in (dg.hessian(f, x), dg.hessian(f, x, chunk=1),
              dg.hessian(f, x, sparsity="auto").toarray()):
        assert np.isnan(h[0, 1]) and np.isnan(h[1, 0])
        if name == "naive logsumexp":     # H[0, 0] = b**2 p (1 - p), H[0, 2] = -b p (1 - p)
            p = 1 / (1 + mp.exp(mp.mpf(x[2]) - z))
            assert close(h[0, 0], p * (1 - p)) and close(h[0, 2], -p * (1 - p))
        else:                             # b**2 sech(z)**2 (~1e-612) or 0
            assert h[0, 0] == 0.0


def test_singular_infinity_kept():
    """The rules' own infinity stays (hess56): arctan2(cbrt(x1), 1 + x0) + x0 x2 at x1 = 0,
    H[0, 1] = -inf (d/dx0 of (1 + x0) / r**2 cbrt'(x1), cbrt'(0) = +inf)."""
    f = lambda x: np.arctan2(np.cbrt(x[1]), 1.0 + x[0]) + x[0] * x[2]   # noqa: E731
    x = np.array([0.7, 0.0, 1.3])
    for h in (dg.hessian(f, x), dg.hessian(f, x, chunk=1),
              dg.hessian(f, x, sparsity="auto").toarray()):
        assert h[0, 1] == -np.inf and h[1, 0] == -np.inf


# attack56 07: dg.jacobian(dg.grad(f)) (one order by definition) gave the nested zero
# rule's 0.0 in the row of a gradient entry that is NaN (0 * inf): it takes that row's
# entries as dg.hessian does, from the order through the finite gradient entries
def _hypot_sqrt(x):
    return np.hypot(np.sqrt(x[0]), 1.0 + x[1]) + x[0] * x[2]     # sqrt(x0 + (1 + x1)**2) + x0 x2


@pytest.mark.parametrize("chunk", [None, 1, 2])
def test_jacobian_of_grad_beside_a_nan_gradient_entry(chunk):
    x = np.array([0.0, 0.5, 1.3])
    J = dg.jacobian(dg.grad(_hypot_sqrt), x, chunk=chunk)
    H = dg.hessian(_hypot_sqrt, x)
    # exact d2f/dx0 dx1 = -(1 + x1) / (2 r**3) = -0.2222 (r = 1.5): NaN, never 0.0
    assert np.isnan(J[0, 1]) and np.isnan(J[1, 0])
    assert J[0, 2] == 1.0 and J[2, 0] == 1.0          # d2/dx0 dx2 of x0 x2
    # the rows at finite gradient entries: d2/dx1**2 = x0 / r**3 = 0, d2/dx2**2 = 0
    assert J[1, 1] == 0.0 and J[2, 2] == 0.0 and J[1, 2] == 0.0 and J[2, 1] == 0.0
    np.testing.assert_array_equal(np.isnan(J), np.isnan(H))
    np.testing.assert_array_equal(J[~np.isnan(J)], H[~np.isnan(H)])


def test_jacobian_of_grad_unchanged_where_the_gradient_is_finite():
    """Rows at finite gradient entries keep their one order: the Jacobian of the
    gradient of a function without symmetric bits (x0 x1 / x2) against its closed form."""
    f = lambda x: x[0] * x[1] / x[2] + np.log(x[0])                      # noqa: E731
    x = np.array([0.7, 1.9, 2.3])
    J = dg.jacobian(dg.grad(f), x)
    a, b, c = x
    exact = np.array([[-1 / a**2, 1 / c, -b / c**2], [1 / c, 0.0, -a / c**2],
                      [-b / c**2, -a / c**2, 2 * a * b / c**3]])
    np.testing.assert_allclose(J, exact, rtol=1e-14)


@pytest.mark.parametrize("chunk", [None, 1])
def test_a_finite_entry_near_the_largest_float_is_not_overflowed_by_the_mean(chunk):
    """diff60 S1: the two orders' mean (M + M.T) / 2 overflowed H[0, 1] = -1 / (c y0**2)
    = -1e308 at c = 1e-308 to -inf.  Oracle: the closed form; H[0, 0] = -2 / (c y0**3)
    = -2e308 is past the largest float (-inf is its rounding)."""
    x0 = np.array([1.0, 2.0, 3.0])
    c = 1e-308

    def f(y):
        return np.sum((y - x0) / (c * y[0]))
    H = dg.hessian(f, x0, chunk=chunk)
    assert H[0, 0] == -np.inf
    np.testing.assert_array_equal(H[0, 1:], [-1e308, -1e308])
    np.testing.assert_array_equal(H[1:, 0], [-1e308, -1e308])
    np.testing.assert_array_equal(H[1:, 1:], 0.0)
