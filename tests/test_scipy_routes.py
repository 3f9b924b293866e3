"""The spellings dualgrad's errors suggest for SciPy functions that refuse duals give
SciPy's values (so the advice is right) and differentiate (so it works)."""

import numpy as np
import pytest
import scipy.linalg
import scipy.special as sc
import scipy.stats as st

import dualgrad as dg

X = np.array([0.3, 1.7, 2.4])


@pytest.mark.parametrize("scipy_call, spelled", [
    (lambda x: st.norm.cdf(x, 0.5, 2.0), lambda x: sc.ndtr((x - 0.5) / 2.0)),
    (lambda x: st.norm.logpdf(x, 0.5, 2.0),
     lambda x: -0.5 * ((x - 0.5) / 2.0) ** 2 - np.log(np.sqrt(2 * np.pi) * 2.0)),
    (lambda x: st.expon.cdf(x, 0.1, 2.0), lambda x: -np.expm1(-(x - 0.1) / 2.0)),
    (lambda x: st.expon.logpdf(x, 0.1, 2.0), lambda x: -(x - 0.1) / 2.0 - np.log(2.0)),
    (lambda x: st.logistic.cdf(x, 0.1, 2.0), lambda x: sc.expit((x - 0.1) / 2.0)),
    (lambda x: st.gamma.cdf(x, 2.5, 0.1, 2.0), lambda x: sc.gammainc(2.5, (x - 0.1) / 2.0)),
    (lambda x: st.gamma.logpdf(x, 2.5, 0.1, 2.0),
     lambda x: 1.5 * np.log((x - 0.1) / 2.0) - (x - 0.1) / 2.0 - sc.gammaln(2.5) - np.log(2.0)),
    (lambda x: st.beta.cdf(x / 3, 2.0, 3.0), lambda x: sc.betainc(2.0, 3.0, x / 3)),
    (lambda x: sc.log_softmax(x), lambda x: x - np.max(x) - np.log(np.sum(np.exp(x - np.max(x))))),
    (lambda x: sc.logsumexp(x), lambda x: np.max(x) + np.log(np.sum(np.exp(x - np.max(x))))),
    (lambda x: sc.polygamma(2, x), lambda x: -2.0 * sc.gamma(3.0) / 2.0 * sc.zeta(3.0, x)),
    (lambda x: scipy.linalg.solve(np.diag(x) + 1.0, x), lambda x: np.linalg.solve(np.diag(x) + 1.0, x)),
])
def test_the_suggested_spelling_gives_scipys_value_and_a_derivative(scipy_call, spelled):
    np.testing.assert_allclose(spelled(X), scipy_call(X), rtol=1e-12)
    with pytest.raises(TypeError, match=r"scipy\.(stats|special|linalg)\.\w+.*Fix"):
        dg.jacobian(scipy_call, X)
    J = dg.jacobian(spelled, X)
    h = 1e-6
    fd = np.stack([(spelled(X + h * e) - spelled(X - h * e)) / (2 * h) for e in np.eye(3)], -1)
    np.testing.assert_allclose(J, fd, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("call, name", [
    (lambda x: scipy.linalg.expm(np.outer(x, x)), "scipy.linalg.expm"),
    (lambda x: scipy.linalg.cho_solve(scipy.linalg.cho_factor(np.eye(3) * 2), x),
     "scipy.linalg"),
    (lambda x: st.norm.ppf(x / 3), "scipy.stats.norm.ppf"),
])
def test_scipy_functions_name_themselves(call, name):
    with pytest.raises(TypeError, match=rf"{name}.*Fix"):
        dg.jacobian(call, X)


@pytest.mark.parametrize("helper", ["jacobian", "jvp", "elementwise_grad"])
@pytest.mark.parametrize("call, name", [
    (lambda x: __import__("scipy.signal").signal.lfilter([1.0, 0.5], [1.0, -0.3], x),
     "scipy.signal.lfilter"),
    (lambda x: __import__("scipy.ndimage").ndimage.convolve1d(x, [1.0, 2.0, 1.0]),
     "scipy.ndimage.convolve1d"),
    (lambda x: __import__("scipy.ndimage").ndimage.gaussian_filter1d(x, 1.0),
     "scipy.ndimage.gaussian_filter1d"),
])
def test_compiled_scipy_refusing_object_arrays_names_itself(helper, call, name):
    # compiled SciPy code raises NotImplementedError / RuntimeError on the object array
    # np.asarray makes of a dual: dualgrad's TypeError, as for the others
    run = {"jacobian": lambda: dg.jacobian(call, X),
           "jvp": lambda: dg.jvp(call, X, np.ones(3)),
           "elementwise_grad": lambda: dg.elementwise_grad(call)(X)}[helper]
    with pytest.raises(TypeError, match=rf"{name}.*Fix"):
        run()


@pytest.mark.parametrize("helper", ["jacobian", "jvp", "elementwise_grad"])
def test_scipy_errors_that_name_nothing_of_the_dual_name_the_function(helper):
    """scipy.sparse.diags_array(u) of a dual raised SciPy's own "Different number of
    diagonals and offsets" (attack16): now dualgrad's TypeError naming the function
    and the NumPy spelling (u * v); the same SciPy error without a dual argument is
    SciPy's, untouched; and the spelling's derivative is the closed form."""
    import scipy.sparse as sp
    call = lambda u: sp.diags_array(u) @ np.ones(3)          # noqa: E731
    run = {"jacobian": lambda: dg.jacobian(call, X),
           "jvp": lambda: dg.jvp(call, X, np.ones(3)),
           "elementwise_grad": lambda: dg.elementwise_grad(call)(X)}[helper]
    with pytest.raises(TypeError, match=r"scipy\.sparse\.diags_array raised ValueError.*"
                                        r"Fix: write that step as u \* v"):
        run()
    with pytest.raises(ValueError, match="Different number of diagonals"):
        dg.jacobian(lambda u: sp.diags_array([np.ones(3)], offsets=[0, 1]) @ u, X)
    np.testing.assert_allclose(dg.jacobian(lambda u: u * np.ones(3), X), np.eye(3))
