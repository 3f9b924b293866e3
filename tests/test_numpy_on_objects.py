"""NumPy computing with dual numbers itself (object arrays, masked arrays, NumPy's
scalar spellings) and np.linalg.solve's broadcasting: each case either gives the exact
derivative (checked against an analytic oracle) or raises dualgrad's TypeError, whose
key words are matched here (outside attacks, errors13)."""

import numpy as np
import pytest

import dualgrad as dg

X = np.array([0.7, -1.3, 2.1])


# ---- np.linalg.solve broadcasting (NumPy 2: b is a vector only when 1-D) ------------
_RNG = np.random.default_rng(13)
_A = _RNG.normal(size=(4, 4)) + 4 * np.eye(4)
_E = _RNG.normal(size=(4, 4))                       # dA/dt
_STACK = _A + 0.3 * _RNG.normal(size=(3, 4, 4))      # a stack of matrices
_CASES = {                                           # A, b: NumPy takes each on floats
    "matrix, stack of matrices": (_A, _RNG.normal(size=(3, 4, 2))),
    "stack, matrix": (_STACK, _RNG.normal(size=(4, 2))),
    "stack, vector": (_STACK, _RNG.normal(size=4)),
    "matrix, vector": (_A, _RNG.normal(size=4)),
}


@pytest.mark.parametrize("which", ["A", "b", "both"])
@pytest.mark.parametrize("case", list(_CASES))
def test_solve_broadcasts_as_numpy_does_with_the_exact_derivative(case, which):
    """d/dt solve(A + t E, b + t F) = solve(A, F - E x) at t = 0 (analytic)."""
    A, b = _CASES[case]
    F = np.cos(np.arange(b.size)).reshape(b.shape)
    dA = _E if which != "b" else 0.0 * _E
    db = F if which != "A" else 0.0 * F
    f = {"A": lambda t: np.linalg.solve(A + t * _E, b),
         "b": lambda t: np.linalg.solve(A, b + t * F),
         "both": lambda t: np.linalg.solve(A + t * _E, b + t * F)}[which]
    x = np.linalg.solve(A, b)
    col = (lambda v: v[..., None]) if b.ndim == 1 else (lambda v: v)
    uncol = (lambda v: v[..., 0]) if b.ndim == 1 else (lambda v: v)
    expected = uncol(np.linalg.solve(A, col(db) - dA @ col(x)))
    got = dg.derivative(f, 0.0)
    assert got.shape == x.shape
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-13)


# ---- exact: NumPy's own sort of an object array compares values -------------------
def test_sort_of_an_object_array_of_scalar_duals_is_exact():
    J = dg.jacobian(lambda x: np.sort(np.array([x[0], x[1], x[2]])), X)
    np.testing.assert_array_equal(J, np.eye(3)[np.argsort(X)])


# ---- clear errors --------------------------------------------------------------------
_RAISES = {
    "np.ma.sqrt": (lambda x: np.ma.sqrt(np.ma.masked_array(x, mask=[0, 1, 0])),
                   r"np\.ma\.masked_array\) received a dual array .*numpy\.ma.*Fix: call the NumPy "
                   r"function on "
                   r"the dual itself .*x\[~mask\]"),
    "np.ma.max": (lambda x: np.ma.max(x),
                  r"np\.ma\.max received a dual array .*Fix: .*np\.max\(x\)"),
    "masked .std()": (lambda x: np.ma.masked_array(x, mask=[0, 1, 0]).std(),
                      r"masked.*numpy\.ma.*Fix: .*np\.std\(x\)"),
    "np.isnan(np.asarray(x))": (lambda x: x + np.isnan(np.asarray(x)).sum(),
                                r"np\.isnan received an object array holding dual "
                                r"numbers.*Fix: call np\.isnan on the dual array itself "
                                r"\(np\.asarray"),
    "np.angle of an object array": (lambda x: np.angle(np.array([x[0], x[1]])),
                                    r"np\.angle received an object array.*Fix: call "
                                    r"np\.angle on the dual array itself.*np\.stack"),
    "np.sum(x * x)[()]": (lambda x: np.sum(x * x)[()],
                          r"indexing a scalar dual.*Fix: use d itself"),
    "np.linalg.det(np.asfortranarray(d))": (
        lambda x: np.linalg.det(np.asfortranarray(np.outer(x, x) + np.eye(3))),
        r"np\.linalg\.det received a list or an object array.*np\.asfortranarray.*pass "
        r"the dual array itself"),
}


@pytest.mark.parametrize("helper", ["jacobian", "grad"])
@pytest.mark.parametrize("case", list(_RAISES))
def test_numpys_own_errors_on_duals_become_ours(case, helper):
    f, message = _RAISES[case]
    g = (lambda x: np.sum(f(x))) if helper == "grad" else f
    with pytest.raises(TypeError, match=message):
        (dg.jacobian if helper == "jacobian" else dg.grad(g))(*([g, X] if helper ==
                                                                 "jacobian" else [X]))


def test_the_spellings_the_messages_name_work():
    """np.isnan(x), np.angle(x), np.max(x), np.std(x[~mask]), the reduction itself and
    np.linalg.det of the dual array: exact (analytic oracles)."""
    mask = np.array([False, True, False])
    np.testing.assert_array_equal(dg.gradient(lambda x: np.sum(x * ~np.isnan(x)), X),
                                  np.ones(3))
    np.testing.assert_array_equal(dg.jacobian(lambda x: np.angle(x), X), np.zeros((3, 3)))
    np.testing.assert_array_equal(dg.gradient(lambda x: np.max(x), X), [0.0, 0.0, 1.0])
    kept, expected = X[~mask], np.zeros(3)          # d std = (x - mean) / (N std)
    expected[~mask] = (kept - kept.mean()) / (kept.size * kept.std())
    np.testing.assert_allclose(dg.gradient(lambda x: np.std(x[~mask]), X), expected,
                               rtol=1e-14)
    np.testing.assert_allclose(dg.gradient(lambda x: np.sum(x * x), X), 2 * X, rtol=1e-15)
    M = np.outer(X, X) + np.eye(3)                   # det = 1 + |x|^2
    np.testing.assert_allclose(dg.gradient(lambda x: np.linalg.det(np.outer(x, x) +
                                                                   np.eye(3)), X),
                               2 * X, rtol=1e-13)
    assert np.linalg.det(M) == pytest.approx(1 + X @ X)


def test_numpys_other_errors_inside_f_are_left_alone():
    """A masked array of plain numbers with a wrong mask, a ufunc on strings: NumPy's
    own errors, nothing of the duals (no object array in NumPy's frames)."""
    def f(x):
        np.ma.masked_array([1.0, 2.0], mask=[0, 1, 0])
        return x
    with pytest.raises(np.ma.MaskError, match="Mask and data not compatible"):
        dg.gradient(f, X)
    with pytest.raises(AttributeError, match="has no attribute 'no_such'"):
        dg.gradient(lambda x: np.sum(x) + (1.0).no_such, X)
