"""Stop 43, the lead's fixes of attack43's smaller findings: arguments NumPy's
dispatchers never hand to dualgrad (np.interp's period= / left= / right=, np.select's
default=) are named with the spelling that works, and dualgrad.scipy.special.polygamma
traces under dg.sparsity."""

import numpy as np
import pytest

import dualgrad as dg

XP, FP = np.array([0.0, 1.0, 2.0]), np.array([1.0, 3.0, 2.0])
X = np.array([-0.3, 1.7, 4.3])


def _central(f, p, h=1e-5):
    """4th-order central differences of a function of one float."""
    return (8 * (f(p + h) - f(p - h)) - (f(p + 2 * h) - f(p - 2 * h))) / (12 * h)


@pytest.mark.parametrize("keyword, p0", [("period", 3.0), ("left", 0.5), ("right", 4.0)])
def test_interp_keyword_dual_names_the_spelling_that_works(keyword, p0):
    with pytest.raises(TypeError, match=r"not for period=, left= or right= alone.*"
                                        r"np\.interp\(x \+ 0\.0 \* period"):
        dg.derivative(lambda p: np.interp(X, XP, FP, **{keyword: p}), p0)
    d = dg.derivative(lambda p: np.interp(X + 0.0 * p, XP, FP, **{keyword: p}), p0)
    oracle = _central(lambda p: np.interp(X, XP, FP, **{keyword: p}), p0)
    np.testing.assert_allclose(d, oracle, atol=1e-9)
    assert np.any(d != 0)               # the keyword moves something at these points


def test_interp_of_an_object_array_keeps_its_own_message():
    fo = lambda p: np.interp(X, XP, np.array([p[0], p[1], p[0] * p[1]], dtype=object))  # noqa: E731
    with pytest.raises(TypeError, match="object array") as info:
        dg.jacobian(fo, np.array([1.0, 2.0]))
    assert "period=" not in str(info.value)


def test_select_dual_default_names_np_where():
    x = np.array([0.3, 1.1, -0.7])
    c = np.array([5.0, 6.0, 7.0])
    with pytest.raises(TypeError, match=r"(?s)np\.select.*never for default= alone.*"
                                        r"np\.where\(cond, choice, d\)"):
        dg.jacobian(lambda x: np.select([x > 0], [c], default=x), x)
    J = dg.jacobian(lambda x: np.where(x > 0, c, x), x)      # the spelling it names
    np.testing.assert_array_equal(J, np.diag([0.0, 0.0, 1.0]))
    J = dg.jacobian(lambda x: np.select([x > 0, x <= 0], [c, x]), x)
    np.testing.assert_array_equal(J, np.diag([0.0, 0.0, 1.0]))


def test_polygamma_traces_under_sparsity():
    special = pytest.importorskip("scipy.special")
    from dualgrad.scipy.special import polygamma
    x = np.array([0.1, 0.7, 2.5])
    f = lambda x: polygamma(2, x)      # noqa: E731
    pattern = dg.sparsity(f, x)
    np.testing.assert_array_equal(pattern.toarray(), np.eye(3, dtype=bool))
    J = dg.jacobian(f, x, sparsity="auto")
    np.testing.assert_allclose(J.toarray(), np.diag(special.polygamma(3, x)), rtol=1e-13)
    H = dg.hessian(lambda x: np.sum(polygamma(1, x)), x, sparsity="auto")
    np.testing.assert_allclose(H.toarray(), np.diag(special.polygamma(3, x)), rtol=1e-13)
    np.testing.assert_array_equal(polygamma(2, x), special.polygamma(2, x))   # plain: SciPy
