"""np.var / np.std / np.nanvar / np.nanstd with NumPy 2's ``correction=`` and ``mean=``
keywords, and reductions refusing keywords they do not implement (attack12 08).

Oracles: NumPy's own value; the analytic gradients ``2 (x - c) / (N - ddof)`` of
``var`` about a constant or its own mean; central differences of NumPy's function
(tests/_oracles.py).
"""

import warnings

import numpy as np
import pytest

import _oracles
import dualgrad as dg

X = np.array([0.3, -0.7, 1.2, 0.45, 2.1, 0.9, -0.2])
M = np.array([[0.3, -0.7, np.nan, 1.2], [1.0, np.nan, 2.5, -0.4], [0.2, 0.1, np.nan, 3.0]])


@pytest.mark.parametrize("name", ["var", "std"])
@pytest.mark.parametrize("ddof", [1, 2, 0.5])
def test_correction_is_ddof(name, ddof):
    f = getattr(np, name)
    value, grad = dg.value_and_grad(lambda t: f(t, correction=ddof))(X)
    assert value == pytest.approx(f(X, correction=ddof), rel=1e-15)
    n, m = X.size, X.mean()
    analytic = 2 * (X - m) / (n - ddof)
    if name == "std":
        analytic = analytic / (2 * np.std(X, ddof=ddof))
    np.testing.assert_allclose(grad, analytic, rtol=1e-13)
    # the methods spell it the same way
    assert dg.value_and_grad(lambda t: getattr(t, name)(correction=ddof))(X)[0] == \
        pytest.approx(f(X, correction=ddof), rel=1e-15)


@pytest.mark.parametrize("name", ["var", "std", "nanvar", "nanstd"])
def test_ddof_and_correction_together_is_numpys_error(name):
    with pytest.raises(ValueError, match="simultaneously") as numpy_error:
        getattr(np, name)(X, ddof=1, correction=1)
    with pytest.raises(ValueError, match="simultaneously") as ours:
        dg.gradient(lambda t: getattr(np, name)(t, ddof=1, correction=1), X)
    assert str(ours.value).startswith(str(numpy_error.value))


def test_mean_keyword_constant_is_used():
    c = np.array([0.5])
    value, grad = dg.value_and_grad(lambda t: np.var(t, mean=c))(X)
    assert value == pytest.approx(np.var(X, mean=c), rel=1e-15)
    np.testing.assert_allclose(grad, 2 * (X - 0.5) / X.size, rtol=1e-13)


def test_mean_keyword_dual_and_keepdims_shape():
    A = X[:6].reshape(2, 3)

    def f(t):
        return np.std(t, axis=1, mean=np.mean(t, axis=1, keepdims=True) + 0.1, ddof=1)

    def plain(t):
        return np.std(t, axis=1, mean=np.mean(t, axis=1, keepdims=True) + 0.1, ddof=1)

    d = dg.Dual(A, np.zeros(A.shape + (1,)))
    np.testing.assert_allclose(f(d).value, plain(A), rtol=1e-15)
    np.testing.assert_allclose(dg.jacobian(f, A), _oracles.central(plain, A), atol=1e-8)
    # mean= through the method, keepdims=True kept
    g = dg.jacobian(lambda t: t.var(axis=0, keepdims=True, mean=t.mean(axis=0, keepdims=True)), A)
    np.testing.assert_allclose(g, _oracles.central(lambda t: t.var(axis=0, keepdims=True), A),
                               atol=1e-8)


def test_ddof_beyond_the_count_divides_by_zero_as_numpy():
    x = X[:2]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        want = np.var(x, ddof=3)
        got = np.var(dg.Dual(x, np.eye(2)), ddof=3).value
    assert got == want                 # N - ddof clipped at 0: inf, not a negative variance


@pytest.mark.parametrize("name", ["nanvar", "nanstd"])
@pytest.mark.parametrize("kw", [{}, {"ddof": 1}, {"correction": 1}, {"axis": 1},
                                {"axis": 0, "correction": 1, "keepdims": True},
                                {"axis": 1, "mean": np.ones((3, 1))},
                                {"mean": np.zeros((1, 1)), "ddof": 1}])
def test_nanvar_nanstd(name, kw):
    f = getattr(np, name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        want = f(M, **kw)
        got = f(dg.Dual(M, np.zeros(M.shape + (1,))), **kw).value
        np.testing.assert_allclose(got, want, rtol=1e-15)
        J = dg.jacobian(lambda t: f(t, **kw), M)
        cd = _oracles.central(lambda t: f(t, **kw), M)
    finite = np.isfinite(cd)
    np.testing.assert_allclose(J[finite], cd[finite], atol=1e-7)


def test_nanvar_without_nan_is_var():
    grad = dg.gradient(lambda t: np.nanvar(t, correction=1), X)
    np.testing.assert_allclose(grad, 2 * (X - X.mean()) / (X.size - 1), rtol=1e-13)


@pytest.mark.parametrize("call", [
    lambda t: np.nanstd(t, dtype=np.float32), lambda t: np.sort(t, order="x"),
])          # (initial= and where= of sum, mean, var, max work: tests/test_refuse41.py)
def test_unimplemented_keywords_raise(call):
    with pytest.raises((TypeError, ValueError)):
        dg.gradient(lambda t: np.sum(call(t)), X)


def test_check_kwargs_refuses_any_other_keyword():
    from dualgrad.dispatch._reductions import check_kwargs
    with pytest.raises(TypeError, match=r"np\.sum.*frobnicate="):
        check_kwargs("sum", {"frobnicate": 1})
    check_kwargs("sum", {"dtype": None, "out": None, "where": True, "initial": None})
