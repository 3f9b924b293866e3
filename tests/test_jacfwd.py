"""dg.jacfwd: the Jacobian as a function, SciPy's ``jac=``, against analytic Jacobians."""

import numpy as np
import pytest

import dualgrad as dg


def residuals(p, t, y):
    return p[0] * np.exp(-p[1] * t) + p[2] - y


def residuals_jac(p, t, y):
    e = np.exp(-p[1] * t)
    return np.column_stack([e, -p[0] * t * e, np.ones_like(t)])


T = np.linspace(0.0, 4.0, 9)
Y = 2.0 * np.exp(-0.7 * T) + 0.3


def test_jacfwd_is_jacobian_with_args_after_the_point():
    p = np.array([1.5, 0.4, 0.1])
    J = dg.jacfwd(residuals)(p, T, Y)
    assert np.allclose(J, residuals_jac(p, T, Y), rtol=1e-14, atol=1e-15)
    assert np.array_equal(J, dg.jacobian(residuals, p, T, Y))


def test_argnums_kwargs_aux_and_options():
    def rhs(t, y, k=1.0):
        return np.array([y[1], -k * np.sin(y[0]) * t])

    y = np.array([0.3, -0.2])
    J = dg.jacfwd(rhs, argnums=1)(2.0, y, k=3.0)             # keywords go to f
    assert np.allclose(J, [[0.0, 1.0], [-3.0 * np.cos(0.3) * 2.0, 0.0]], rtol=1e-15)
    Jt, Jy = dg.jacfwd(rhs, argnums=(0, 1))(2.0, y, k=3.0)
    assert np.allclose(Jt, [0.0, -3.0 * np.sin(0.3)], rtol=1e-15) and np.allclose(Jy, J)
    (J2, aux) = dg.jacfwd(lambda x: (x ** 2, "note"), has_aux=True)(np.array([1.0, 2.0]))
    assert aux == "note" and np.array_equal(J2, np.diag([2.0, 4.0]))
    S = dg.jacfwd(lambda x: np.diff(x) ** 2, sparsity="auto", format="csc")(np.arange(5.0))
    assert S.format == "csc"
    assert np.array_equal(S.toarray(), dg.jacobian(lambda x: np.diff(x) ** 2, np.arange(5.0)))


def test_misuse_names_the_fix():
    with pytest.raises(TypeError, match=r"dg\.jacfwd\(f\)\(x\)"):
        dg.jacfwd(np.array([1.0]))
    with pytest.raises(TypeError, match="scale=2.0"):
        dg.jacfwd(np.sin, scale=2.0)
    with pytest.raises(TypeError, match=r"dg\.jacfwd\(f\)\(x\)"):
        dg.jacfwd(np.sin)()


def test_errors_name_jacfwd_and_check_has_aux():
    with pytest.raises(ValueError, match=r"dualgrad\.jacfwd: expected has_aux as True or False"):
        dg.jacfwd(np.sin, has_aux="yes")
    with pytest.raises(ValueError, match=r"dualgrad\.jacobian: expected has_aux"):
        dg.jacobian(np.sin, 1.0, has_aux=1)
    for helper in (dg.gradient, dg.hessian):
        with pytest.raises(ValueError, match="has_aux=True when f returns"):
            helper(np.sin, 1.0, has_aux="no")
    with pytest.raises(ValueError, match=r"^dualgrad\.jacfwd: expected argnums"):
        dg.jacfwd(np.sin, argnums=1)(np.ones(2))
    with pytest.raises(TypeError, match=r"^dualgrad\.jacfwd: expected f to return a pair"):
        dg.jacfwd(np.sin, has_aux=True)(np.ones(2))


def test_as_scipys_jac():
    opt = pytest.importorskip("scipy.optimize")
    integrate = pytest.importorskip("scipy.integrate")
    p0 = np.array([1.0, 0.2, 0.0])
    fit = opt.least_squares(residuals, p0, jac=dg.jacfwd(residuals), args=(T, Y))
    assert np.allclose(fit.x, [2.0, 0.7, 0.3], rtol=1e-8)
    assert np.allclose(fit.jac, residuals_jac(fit.x, T, Y), rtol=1e-12, atol=1e-14)

    def F(x):
        return np.array([x[0] ** 2 + x[1] ** 2 - 4.0, x[0] - x[1]])

    sol = opt.root(F, np.array([1.0, 0.5]), jac=dg.jacfwd(F))
    assert sol.success and np.allclose(sol.x, [np.sqrt(2.0)] * 2, rtol=1e-12)

    def robertson(t, y):
        return np.array([-0.04 * y[0] + 1e4 * y[1] * y[2],
                         0.04 * y[0] - 1e4 * y[1] * y[2] - 3e7 * y[1] ** 2,
                         3e7 * y[1] ** 2])

    calls = []

    def jac(t, y):
        calls.append(1)
        return dg.jacfwd(robertson, argnums=1)(t, y)

    s = integrate.solve_ivp(robertson, (0.0, 40.0), [1.0, 0.0, 0.0], method="BDF", jac=jac,
                            rtol=1e-6, atol=1e-10)
    assert s.success and calls
    y = s.y[:, -1]
    assert np.allclose(jac(0.0, y), [[-0.04, 1e4 * y[2], 1e4 * y[1]],
                                     [0.04, -1e4 * y[2] - 6e7 * y[1], -1e4 * y[1]],
                                     [0.0, 6e7 * y[1], 0.0]], rtol=1e-14, atol=0)


def test_keywords_reach_a_jitted_f_through_dualgrads_door():
    numba = pytest.importorskip("numba")

    @numba.njit
    def f(x, c=1.0):
        out = np.empty_like(x)
        out[0] = x[0] * x[1] * c
        out[1] = np.sin(x[0]) + c * x[1] ** 2
        return out

    x = np.array([0.5, 2.0])
    expected = np.array([[3.0 * x[1], 3.0 * x[0]], [np.cos(x[0]), 6.0 * x[1]]])
    assert np.allclose(dg.jacfwd(f)(x, c=3.0), expected, rtol=1e-15)

    @numba.njit
    def plain(x, c=1.0):             # a plain buffer: dualgrad's message, not numba's
        out = np.empty(2)
        out[0] = x[0] * c
        out[1] = x[1]
        return out

    with pytest.raises(TypeError, match=r"^dualgrad\.jacfwd: numba-jitted code"):
        dg.jacfwd(plain)(x, c=3.0)


def test_a_later_argument_takes_the_one_pass_path_and_stays_the_callers():
    """``jacfwd(rhs, argnums=1)(t, y)`` (solve_ivp's ``jac``) now seeds ``y`` in place
    in one pass, as argument 0 was: the Robertson Jacobian against its analytic form,
    keywords passed on, and an ``f`` that writes into its ``y`` leaves the caller's
    array as it was."""
    def rhs(t, y, scale=1.0):
        out = np.stack([-0.04 * y[0] + 1e4 * y[1] * y[2],
                        0.04 * y[0] - 1e4 * y[1] * y[2] - 3e7 * y[1] ** 2,
                        3e7 * y[1] ** 2])
        y[0] = -1.0                                   # scribbles on its argument
        return scale * out

    y = np.array([1.0, 1e-4, 1e-3])
    before = y.copy()
    J = dg.jacfwd(rhs, argnums=1)(0.5, y, scale=2.0)
    exact = np.array([[-0.04, 1e4 * y[2], 1e4 * y[1]],
                      [0.04, -1e4 * y[2] - 6e7 * y[1], -1e4 * y[1]],
                      [0.0, 6e7 * y[1], 0.0]])
    np.testing.assert_allclose(J, 2.0 * exact, rtol=1e-15)
    np.testing.assert_array_equal(y, before)
    np.testing.assert_allclose(dg.jacobian(lambda a, b, c: a * b * c, 1.0, 2.0, 3.0,
                                           argnums=2), 2.0, rtol=0)
