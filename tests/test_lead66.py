"""The lead's stop-66 mends, each against a closed form."""
import numpy as np
import pytest

import dualgrad as dg


@pytest.mark.parametrize("name", ["brentq", "newton"])
def test_a_nan_or_inf_partial_at_a_simple_root_comes_back_not_refused(name):
    # attack65 03: a NaN / inf tangent into a root finder was refused as "not a simple
    # root" though df/ds = 2 s is finite and nonzero.  s**2 = 2 + x0 sqrt(x1) at x = (1, 0):
    # ds/dx0 = sqrt(x1) / (2 s) = 0 exactly, ds/dx1 = x0 / (4 s sqrt(x1)) = +inf
    optimize = pytest.importorskip("dualgrad.scipy.optimize")
    pytest.importorskip("scipy")
    finder = getattr(optimize, name)
    start = (0.0, 5.0) if name == "brentq" else (1.0,)

    def root(x):
        return finder(lambda s: s ** 2 - (2.0 + x[0] * np.sqrt(x[1])), *start)
    with np.errstate(all="ignore"):
        J = dg.jacobian(root, np.array([1.0, 0.0]))
        value, t = dg.jvp(root, np.array([1.0, 0.0]), np.array([np.nan, 0.0]))
    assert J[0] == 0.0 and (np.isnan(J[1]) or J[1] == np.inf)
    assert np.isnan(t) and value == dg.jvp(root, np.array([1.0, 0.0]), np.array([1.0, 0.0]))[0]
    assert abs(value - np.sqrt(2.0)) <= 4e-16


def test_a_multiple_root_with_a_nan_tangent_is_still_refused():
    optimize = pytest.importorskip("dualgrad.scipy.optimize")
    pytest.importorskip("scipy")
    with np.errstate(all="ignore"), pytest.raises(TypeError, match="is not a simple root"):
        dg.jvp(lambda a: optimize.brentq(lambda s: (s - a[0]) ** 3, -1.0, 5.0),
               np.array([2.0]), np.array([np.nan]))


def test_a_nan_direction_does_not_end_the_other_directions_steps():
    # diff66 F1 / attack66 F1 (a regression of the first mend): one NaN direction ended
    # the steps after two, so a double root gave ds/dx0 = 0.75 and a loose xtol's simple
    # root an unsettled -0.19202956.  A double root (s - x0)**2 is still refused; the
    # loose root's ds/dx0 = -s / (3 s**2 + x0) beside the NaN direction
    optimize = pytest.importorskip("dualgrad.scipy.optimize")
    mpmath = pytest.importorskip("mpmath")

    def double(s, x):
        return (s - x[0]) ** 2 + 0.0 * np.sqrt(x[1])

    def cubic(s, x):
        return s ** 3 + x[0] * s - 5.0 + 0.0 * np.sqrt(x[1])
    with np.errstate(all="ignore"):
        with pytest.raises(TypeError, match="not a simple root"):
            dg.jacobian(lambda x: np.atleast_1d(optimize.newton(double, 1.0, args=(x,))),
                        np.array([2.1, 0.0]))
        J = dg.jacobian(lambda x: np.atleast_1d(optimize.brentq(cubic, 0.0, 3.0, args=(x,),
                                                                xtol=0.1)),
                        np.array([1.0, 0.0]))
    with mpmath.workdps(40):
        s = mpmath.findroot(lambda s: s ** 3 + s - 5, 1.5)
        want = float(-s / (3 * s * s + 1))
    assert abs(J[0, 0] - want) <= 4e-16 * abs(want) and np.isnan(J[0, 1])


@pytest.mark.parametrize("f", [lambda z: np.cumprod(z)[-1], lambda z: np.sum(np.cumprod(z)),
                               lambda z: np.multiply.accumulate(z)[-1]])
def test_cumprod_hessian_at_factors_of_different_sizes(f):
    # attack66 F2: the ratio form c * cumsum(p / v) one level down gave H[0, 0] = -131072
    # (c / v**2 - c / v**2 rounded) for 0.  Exact, for z0 z1 z2 (+ z0 + z0 z1): the
    # diagonal 0, H[0, 1] = z2 (+ 1), H[0, 2] = z1, H[1, 2] = z0
    z = np.array([1e-20, 2.0, 3.0])
    extra = 1.0 if f(np.ones(3)) == 3.0 else 0.0
    want = np.array([[0.0, 3.0 + extra, 2.0], [3.0 + extra, 0.0, 1e-20], [2.0, 1e-20, 0.0]])
    np.testing.assert_allclose(dg.hessian(f, z), want, rtol=1e-15, atol=0)


def _cofactors(A):
    """The cofactor matrix of a small matrix, in mpmath (40 digits), as floats."""
    mpmath = pytest.importorskip("mpmath")
    m = A.shape[0]
    with mpmath.workdps(40):
        M = mpmath.matrix(A.tolist())
        out = np.empty((m, m))
        for i in range(m):
            for j in range(m):
                minor = mpmath.matrix([[M[r, c] for c in range(m) if c != j]
                                       for r in range(m) if r != i])
                out[i, j] = float((-1) ** (i + j) * mpmath.det(minor))
    return out


@pytest.mark.parametrize("A", [np.diag([1e-300, 1e-30]),
                               1e-120 * np.array([[2.0, 1.0, 0.5], [0.3, 1.5, -1.0],
                                                  [0.1, 0.2, 3.0]]),
                               np.array([[1e170, 2e169], [-3e169, 1e170]])])
def test_det_gradient_where_numpys_det_leaves_the_float_range(A):
    # attack66 F3: det * tr(A^-1 dA) gave the gradient [0, 0, 0, 0] where NumPy's det
    # underflowed to 0 (inf where it overflowed); exact: the cofactors
    with np.errstate(all="ignore"):
        g = dg.gradient(lambda z: np.linalg.det(z.reshape(A.shape)), A.ravel())
    np.testing.assert_allclose(g, _cofactors(A).ravel(), rtol=1e-14, atol=0)


def test_det_hessian_where_numpys_det_underflows():
    # d2 det / dA_ij dA_kl of a 3 x 3 is +-A_rc (the entry left), so at c A0 it is c
    # times A0's; the 5 x 5 (beyond the expansion) is refused, not silently 0
    A0 = np.array([[2.0, 1.0, 0.5], [0.3, 1.5, -1.0], [0.1, 0.2, 3.0]])
    f = (lambda z: np.linalg.det(z.reshape(3, 3)))
    want = np.zeros((9, 9))
    for i, j, k, l in np.ndindex(3, 3, 3, 3):
        if i != k and j != l:
            r, c = 3 - i - k, 3 - j - l
            sign = np.linalg.det(np.eye(3)[[j if q == i else l if q == k else c
                                            for q in range(3)]])
            want[3 * i + j, 3 * k + l] = sign * 1e-130 * A0[r, c]
    with np.errstate(all="ignore"):
        H = dg.hessian(f, 1e-130 * A0.ravel())
    np.testing.assert_allclose(H, want, rtol=1e-14, atol=0)
    with np.errstate(all="ignore"), pytest.raises(TypeError, match="leaves the float range"):
        dg.hessian(lambda z: np.linalg.det(z.reshape(5, 5)), 1e-100 * (np.eye(5).ravel() + 0.1))


def test_cumprod_under_numpys_engine_keeps_the_kernels_step_rule():
    # diff66 F2: the doubling (for nested values) also served plain values under
    # use("numpy") and formed x2 x3 = 1e400 first: d c_3 / d x_0 = inf for x1 x2 x3 = 1e100
    x = np.array([0.0, 1e-300, 1e200, 1e200])
    with dg.backend.use("numpy"), np.errstate(all="ignore"):
        J = dg.jacobian(np.cumprod, x)
    assert J[3, 0] == pytest.approx(1e100, rel=1e-15)


def test_a_nested_scalars_nan_partial_is_seen_by_the_hushed_rerun():
    # attack66 F4: partials_hushed reruns under the user's error state where a finite
    # result has a NaN partial; a nested scalar keeps its partials as inner duals (an
    # object array), which the test read as "no NaN" (det's Hessian at 1e-160 came back
    # all NaN with no report under over="raise")
    from dualgrad.dispatch import _quiet
    seen = []

    def f(z):
        with np.errstate(all="ignore"):
            s = z[0] + 0.0 * np.sqrt(z[1])      # d/dz1 = 0 * inf: NaN, value finite
        seen.append(_quiet._lost(s))
        return s
    x = np.array([1.0, 0.0])        # the NaN only in the top level's partials (along z1)
    dg.jvp(lambda y: dg.jvp(f, y, np.array([0.0, 1.0]))[1], x, np.array([1.0, 0.0]))
    assert seen == [True]


@pytest.mark.parametrize("edge_order", [1, 2])
@pytest.mark.parametrize("axis", [0, 1])
def test_np_gradient_with_dual_coordinates_against_the_complex_step(edge_order, axis):
    # attackb66 R1: np.gradient(u, x) with x a dual array (a mesh whose nodes move) was
    # refused; NumPy's non-uniform formula on duals.  Oracle: the complex step through
    # NumPy's own np.gradient (its formula is analytic in the nodes)
    x = np.cumsum(np.random.default_rng(1).uniform(0.5, 1.5, 7))
    w = np.arange(1.0, 4.0)

    def f(c):
        u = np.outer(np.sin(c), w) if axis == 0 else np.outer(w, np.exp(c / 5.0))
        return np.gradient(u, c, axis=axis, edge_order=edge_order).ravel()
    h = 1e-30
    want = np.stack([np.imag(f(x + 1j * h * np.eye(7)[j])) / h for j in range(7)], axis=-1)
    J = dg.jacobian(f, x)
    np.testing.assert_allclose(J, want, rtol=1e-13, atol=1e-13 * np.abs(want).max())
    assert np.array_equal(dg.jvp(f, x, np.ones(7))[0], f(x))      # NumPy's value bits


@pytest.mark.parametrize("f", [lambda q: (q[0] * 1.3) ** 0, lambda q: (q[0] * 1.3) ** 0.0,
                               lambda q: (q[0] * 1.3) ** (q[1] * 0.0)])
def test_x_to_the_zero_takes_no_extended_range_path(monkeypatch, f):
    # 9c54ce26 sent x ** 0 (its slope an exact 0, y x**(y - 1) with y = 0) down the
    # careful far-range path: s ** 0 took 61 us for 1.4 (bench/power_zero_ab.py; the
    # Erlang C row's factorial loop, 0.76x -> 4.47x approx_fprime).  d/dq (1.3 q0) **
    # (0 q1) = (0, log(1.3 q0) * 0)
    # (an array dual's Hessian of a ** 0 still takes it one level down: MISSES lead66)
    from dualgrad.dispatch import _farpower
    from _probes import spy_on
    seen = spy_on(monkeypatch, _farpower, "power_terms", lambda args, result: True)
    q = np.array([1.0, 3.2])
    assert np.all(dg.gradient(f, q) == 0.0)
    assert np.all(dg.hessian(f, q)[0, 0] == 0.0)
    assert seen == []


def test_det_gradient_where_the_cofactors_overflow_too_keeps_their_signs():
    # attack66 F9 (a regression of 502d5bcd): the adjugate's inf * 0 gave NaN in every
    # entry where det and its cofactors (c**2 cof(A0) ~ 1e400) overflow; exact: +-inf by
    # the cofactors' signs
    A0 = np.array([[2.0, 1.0, 0.5], [0.3, 1.5, -1.0], [0.1, 0.2, 3.0]])
    with np.errstate(all="ignore"):
        g = dg.gradient(lambda z: np.linalg.det(z.reshape(3, 3)), 1e200 * A0.ravel())
    want = np.sign(_cofactors(A0).ravel()) * np.inf
    assert np.array_equal(g, want)


def test_singular_values_of_a_matrix_with_inf_entries_are_nan_at_once():
    # attack66 F10: with numba loaded the tie resolution never returned on the NaN
    # vectors LAPACK gives here (NumPy's own values: NaN in 0.3 ms)
    from dualgrad.backend import _loader
    _loader.load()
    S = np.diag([2.0, 3.0, 4.0]).ravel()
    S[1] = S[3] = np.inf
    with np.errstate(all="ignore"):
        J = dg.jacobian(lambda z: np.linalg.svd(z.reshape(3, 3), compute_uv=False), S)
    assert J.shape == (3, 9) and np.isnan(J).all()
