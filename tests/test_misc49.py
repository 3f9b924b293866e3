"""misc49: stop 48's attacks' open items (bench/MISSES.md, attack48 06 / 09 / 10 / 12,
userepi48, special48's Left (1)).

1. ``eval_gegenbauer(1, a, x)``'s slope at ``a <= -0.5`` (attack48 10): SciPy's
   integer-degree ``C_1^(a)(x) = 2 a x`` is defined at every ``a``, its float-degree
   ``C_0^(b)`` (the row's ``n - 1``) NaN for ``b <= -0.5``.  Oracle: the closed form
   ``2 a`` and SciPy's own value differenced (Richardson); where SciPy's value is NaN
   the derivatives are NaN at every order (no number where the value has none).
2. A Hessian through ``np.fmod`` / ``np.remainder`` at a NaN-valued point, then an array
   lift (attack48 09): the lifted spelling gives what the scalar one gives (their
   partials mix a plain 1.0 with inner duals), and the closed form (0) at a regular
   point.
3. A scipy.sparse matrix's product method called as a function on a dual (attack48
   06): dualgrad's TypeError naming ``L @ u``, not a ``NotImplemented`` value; the
   operator spellings still give the dense product (oracle ``D @ x``: a linear map's
   Jacobian is its matrix).
"""

import functools
import operator
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
import scipy.special as sc

import dualgrad as dg
from dualgrad.scipy import stats as dg_stats


# ---- 1. eval_gegenbauer at degree 1, alpha <= -0.5 -----------------------------------

def _richardson(f, x, h=1e-3):
    """f'(x) by Richardson's extrapolation of central differences (h, h / 2)."""
    d1 = (f(x + h) - f(x - h)) / (2 * h)
    d2 = (f(x + h / 2) - f(x - h / 2)) / h
    return (4 * d2 - d1) / 3


@pytest.mark.parametrize("a", [-0.5, -1.0, -1.5, -2.0, -3.0, 0.0, 0.5])
@pytest.mark.parametrize("x", [-0.7, 0.2, 3.0])
def test_gegenbauer_degree_one_slope(a, x):
    assert sc.eval_gegenbauer(1, a, x) == pytest.approx(2 * a * x)    # SciPy's value
    got = dg.derivative(lambda t: sc.eval_gegenbauer(1, a, t), x)
    assert got == pytest.approx(2 * a, abs=1e-15)
    assert got == pytest.approx(_richardson(lambda t: sc.eval_gegenbauer(1, a, t), x),
                                abs=1e-9)
    xs = np.array([x, x + 0.5])
    jac = dg.jacobian(lambda t: sc.eval_gegenbauer(np.array([1, 1]), a, t), xs)
    np.testing.assert_allclose(np.diag(jac), [2 * a, 2 * a], atol=1e-15)
    hess = dg.hessian(lambda t: sc.eval_gegenbauer(np.array([1, 1]), a, t).sum(), xs)
    np.testing.assert_array_equal(hess, np.zeros((2, 2)))           # C_1 is linear


@pytest.mark.parametrize("n", [2, 3, 5])
@pytest.mark.parametrize("a", [-0.5, -1.0, -2.0])
def test_gegenbauer_nan_value_nan_derivatives(n, a):
    """Where SciPy's value is NaN (degree >= 2, a <= -0.5), no derivative is a number."""
    assert np.isnan(sc.eval_gegenbauer(n, a, 0.2))
    first = dg.derivative(lambda t: sc.eval_gegenbauer(n, a, t), 0.2)
    second = dg.derivative(lambda s: dg.derivative(lambda t: sc.eval_gegenbauer(n, a, t), s), 0.2)
    assert np.isnan(first) and np.isnan(second)


def test_gegenbauer_regular_degrees_unchanged():
    """The closed form C_3^(1/2) = P_3 = (5 x^3 - 3 x) / 2 (a > -0.5, where SciPy's paths agree)."""
    x = 0.3
    assert dg.derivative(lambda t: sc.eval_gegenbauer(3, 0.5, t), x) == \
        pytest.approx((15 * x * x - 3) / 2, rel=1e-14)
    assert dg.derivative(lambda s: dg.derivative(
        lambda t: sc.eval_gegenbauer(3, 0.5, t), s), x) == pytest.approx(15 * x, rel=1e-14)


# ---- 2. fmod / remainder's Hessian at a NaN value, lifted ---------------------------

_LIFTS = {
    "ravel": lambda v: np.ravel(v)[0],
    "stack": lambda v: np.sum(np.stack([v, v])) / 2,
    "atleast_1d": lambda v: np.atleast_1d(v)[0],
}


@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")
@pytest.mark.parametrize("lift", sorted(_LIFTS))
@pytest.mark.parametrize("func", [np.fmod, np.remainder])
@pytest.mark.parametrize("point", [(1.3, 0.0), (0.0, 0.0), (np.nan, 0.7), (1.3, np.nan),
                                   (np.inf, 0.7), (1.3, 0.7)])
def test_mod_hessian_lifted(func, lift, point):
    p = np.array(point)
    plain = dg.hessian(lambda x: func(x[0], x[1]), p)
    lifted = dg.hessian(lambda x: _LIFTS[lift](func(x[0], x[1])), p)
    np.testing.assert_array_equal(lifted, plain)
    if point == (1.3, 0.7):                 # piecewise linear: the closed form is 0
        np.testing.assert_array_equal(lifted, np.zeros((2, 2)))


# ---- 3. a bound sparse product method called as a function --------------------------

def _laplacian(n=5):
    return sp.diags([1.0, -2.5, 1.0], [-1, 0, 1], shape=(n, n), format="csr")


@pytest.mark.parametrize("spelling", ["direct", "map", "spmatrix __mul__", "__rmatmul__"])
def test_sparse_bound_method_refused(spelling):
    L = _laplacian()
    x0 = np.linspace(0.2, 1.0, 5)
    f = {"direct": lambda x: L.__matmul__(x) + 0.0,
         "map": lambda x: list(map(L.__matmul__, [x]))[0],
         "spmatrix __mul__": lambda x: sp.csr_matrix(L).__mul__(x),
         "__rmatmul__": lambda x: L.__rmatmul__(x)}[spelling]
    with pytest.raises(TypeError, match=r"L @ u.*NotImplemented.*Fix: write L @ u"):
        dg.jacobian(f, x0)


@pytest.mark.parametrize("spelling", ["@", "dot", "operator.matmul", "reduce", "spmatrix *",
                                      "coo @", "csc @"])
def test_sparse_operator_spellings_exact(spelling):
    L = _laplacian()
    D = L.toarray()
    x0 = np.linspace(0.2, 1.0, 5)
    f = {"@": lambda x: L @ x, "dot": lambda x: L.dot(x),
         "operator.matmul": lambda x: operator.matmul(L, x),
         "reduce": lambda x: functools.reduce(operator.matmul, [L, x]),
         "spmatrix *": lambda x: sp.csr_matrix(L) * x,
         "coo @": lambda x: L.tocoo() @ x, "csc @": lambda x: L.tocsc() @ x}[spelling]
    np.testing.assert_array_equal(dg.jacobian(f, x0), D)
    np.testing.assert_array_equal(dg.hessian(lambda x: np.sum(f(x) ** 2), x0), 2 * D.T @ D)


# ---- 4. a Hessian through a dense product with an inf / NaN constant entry -----------

def _bilinear_spellings(c):
    C = np.array([c, [0.5, 1.0, 3.0]])
    big = np.vstack([c] * 70)                        # the M @ u kernel's sizes
    return {"@": lambda g: c @ g, "dot": lambda g: np.dot(c, g),
            "inner": lambda g: np.inner(c, g), "vecdot": lambda g: np.vecdot(c, g),
            "einsum": lambda g: np.einsum("i,i->", c, g),
            "tensordot": lambda g: np.tensordot(c, g, 1), "C @ g": lambda g: (C @ g)[0],
            "matvec": lambda g: np.matvec(C, g)[0], "g @ c": lambda g: g @ c,
            "outer trace": lambda g: np.outer(c, g).trace(), "70 rows": lambda g: (big @ g)[3],
            "elementwise": lambda g: np.sum(c * g)}


@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")
@pytest.mark.parametrize("bad", [np.inf, -np.inf, np.nan])
@pytest.mark.parametrize("power", [2, 3])
@pytest.mark.parametrize("x1", [-0.7, 0.0])
@pytest.mark.parametrize("spelling", sorted(_bilinear_spellings(np.ones(3))))
def test_nonfinite_constant_hessian(bad, power, x1, spelling):
    """d2/dx_i2 sum_j c_j x_j**p = c_i p (p - 1) x_i**(p - 2): IEEE's product where the
    second-order factor is nonzero (inf * 2 = inf), 0 where it is 0 (API.md: a zero
    seed times an infinite factor stays 0); off the diagonal 0 (attack48 12)."""
    c = np.array([1.0, bad, 2.0])
    x = np.array([0.3, x1, 1.1])
    f = _bilinear_spellings(c)[spelling]
    coef = power * (power - 1) * x ** (power - 2)
    with np.errstate(invalid="ignore"):
        expected = np.diag(np.where(coef == 0.0, 0.0, c * coef))
    np.testing.assert_array_equal(dg.hessian(lambda t: f(t ** power), x), expected)


@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")
def test_nonfinite_constant_third_order():
    """d3/dx_i3 sum_j c_j x_j**3 = 6 c_i: inf where c_i is."""
    c = np.array([1.0, np.inf, 2.0])
    x = np.array([0.3, -0.7, 1.1])
    got = dg.jacobian(lambda y: dg.hessian(lambda t: c @ t ** 3, y), x)
    expected = np.zeros((3, 3, 3))
    for i in range(3):
        expected[i, i, i] = 6 * c[i]
    np.testing.assert_array_equal(got, expected)


# ---- 5. scipy.stats under warnings-as-errors ----------------------------------------

def test_stats_refusal_under_warnings_as_errors():
    """userepi48: under ``-W error`` (pytest's filterwarnings = error) scipy.stats'
    frozen ppf stopped on NumPy's RuntimeWarning from its object array (``_b * scale``
    with ``_b = inf``) before dualgrad's TypeError naming the drop-in; now that
    TypeError, whose fix works under the same filter (oracle: SciPy's ppf differenced,
    fourth order)."""
    import scipy.stats
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(TypeError, match=r"scipy\.stats\.gamma\(\.\.\.\)\.ppf converts "
                           r".*dualgrad\.scipy\.stats\.gamma\.ppf"):
            dg.derivative(lambda d: scipy.stats.gamma(a=d, scale=d).ppf(0.5), 2.0)
        got = dg.derivative(lambda d: dg_stats.gamma(a=d, scale=d).ppf(0.5), 2.0)
    f = lambda d: scipy.stats.gamma(a=d, scale=d).ppf(0.5)
    h = 1e-3
    expected = (8 * (f(2 + h) - f(2 - h)) - (f(2 + 2 * h) - f(2 - 2 * h))) / (12 * h)
    assert got == pytest.approx(expected, rel=1e-10)


# ---- 6. ellipkinc / ellipeinc's second derivatives in m -----------------------------

_ELLIPTIC_POINTS = [(0.7, 0.3), (0.7, 0.0), (0.7, 1e-12), (1e-5, 0.5), (1e-5, 1e-9),
                    (np.pi / 2, 0.5), (np.pi, 0.5), (3 * np.pi / 2, 0.7), (4.0, 0.5),
                    (-4.0, 0.5), (10.0, -3.0), (1.0, 1 - 1e-7), (-1.2, -50.0), (1.2, 0.99),
                    (0.3, 0.999999)]


@pytest.mark.parametrize("name", ["ellipkinc", "ellipeinc"])
@pytest.mark.parametrize("point", _ELLIPTIC_POINTS)
def test_incomplete_elliptic_hessian_matches_mpmath(name, point):
    """The full Hessian in (phi, m), special48's refused d2/dm2 and d2/dphi dm included:
    mpmath's derivatives of ellipf / ellipe at 40 digits, where m -> 0 and phi -> 0 (R_D's
    arguments meet) and m -> 1.  The scale: the largest entry (at phi = pi, the mixed
    entry ~1e-32 is phi's reduction by a rounded pi, 1e-33 of it)."""
    import mpmath as mp
    f = getattr(sc, name)
    mf = {"ellipkinc": mp.ellipf, "ellipeinc": mp.ellipe}[name]
    with mp.workdps(40):
        P, Q = (mp.mpf(float(v)) for v in point)
        expected = np.array([[float(mp.diff(mf, (P, Q), (2 - i - j, i + j))) for j in (0, 1)]
                             for i in (0, 1)])
    got = dg.hessian(lambda v: f(v[0], v[1]), np.array(point))
    scale = np.max(np.abs(expected))
    np.testing.assert_allclose(got, expected, rtol=2e-13, atol=1e-15 * scale)


@pytest.mark.parametrize("name", ["ellipkinc", "ellipeinc"])
def test_incomplete_elliptic_m_derivatives_arrays_and_third_order(name):
    """Array duals (one R_D duplication for every element, its steps the most any needs)
    and a third derivative in m, against mpmath."""
    import mpmath as mp
    f = getattr(sc, name)
    mf = {"ellipkinc": mp.ellipf, "ellipeinc": mp.ellipe}[name]
    phi = np.array([0.3, 0.7, 1e-4, 2.5])
    m = np.array([0.2, -1.0, 0.5, 0.9])
    second = dg.jacobian(lambda t: np.diag(dg.jacobian(lambda u: f(phi, u), t)), m)
    third = dg.derivative(lambda s: dg.derivative(lambda t: dg.derivative(
        lambda u: f(0.7, u), t), s), 0.3)
    with mp.workdps(40):
        for k in range(4):
            ref = float(mp.diff(lambda u: mf(mp.mpf(phi[k]), u), mp.mpf(m[k]), 2))
            assert second[k, k] == pytest.approx(ref, rel=1e-13)
        ref3 = float(mp.diff(lambda u: mf(mp.mpf(0.7), u), mp.mpf(0.3), 3))
    assert third == pytest.approx(ref3, rel=1e-13)
