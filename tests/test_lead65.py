"""The lead's stop-65 mends, each against a closed form."""
import numpy as np
import pytest

import dualgrad as dg


@pytest.mark.parametrize("f", [lambda z: z[1] ** z[0], lambda z: z[1:] ** z[0]])
def test_power_quotient_one_level_down_keeps_a_huge_inner_partial(f):
    # u ** k at u = k = 1e-310 with du = 1e300, then that tangent's slope along u: the
    # quotient's lift of the subnormal u took p * 2**104 on the nested level and gave
    # -inf (diff65 F1, a regression of 0a5b71b8); exact k (k - 1) u**(k - 2) du dv
    mpmath = pytest.importorskip("mpmath")
    u = k = 1e-310
    du, dv = 1e300, 1e-320
    with mpmath.workdps(40):
        U, K = mpmath.mpf(u), mpmath.mpf(k)
        want = float(K * (K - 1) * U ** (K - 2) * mpmath.mpf(du) * mpmath.mpf(dv))

    def tangent(x):
        return dg.jvp(f, x, np.array([0.0, du]))[1]
    with np.errstate(all="ignore"):
        _, t = dg.jvp(tangent, np.array([k, u]), np.array([0.0, dv]))
    assert float(np.ravel(t)[0]) == pytest.approx(want, rel=1e-13)


@pytest.mark.parametrize("kw", [{}, {"shape": ()}, {"device": "cpu"}, {"dtype": float}])
def test_full_like_of_a_nested_scalar_is_a_constant(kw):
    # a Hessian through np.full_like(s, 2.5) raised "'ScalarDual3' object does not support
    # item assignment", and device= an inner TypeError (attack65 01); exact: f = (2.5 +
    # x0 x1)**2, H = 2 g g^T + 2 (2.5 + x0 x1) (e0 e1^T + e1 e0^T), g = (x1, x0, 0)
    x = np.array([0.7, -1.3, 2.1])
    g = np.array([x[1], x[0], 0.0])
    want = 2.0 * np.outer(g, g)
    want[0, 1] += 2.0 * (2.5 + x[0] * x[1])
    want[1, 0] += 2.0 * (2.5 + x[0] * x[1])
    H = dg.hessian(lambda v: (np.full_like(v[0] * v[1], 2.5, **kw) + v[0] * v[1]) ** 2, x)
    np.testing.assert_allclose(H, want, rtol=1e-15)


@pytest.mark.parametrize("like", [np.full_like, np.zeros_like, np.ones_like])
def test_like_functions_keep_numpys_order(like):
    # the value's memory layout is NumPy's for order= (the partials' are dualgrad's):
    # full_like / zeros_like / ones_like of a dual dropped order="F"
    A = np.arange(6.0).reshape(2, 3)
    args = (7.0,) if like is np.full_like else ()

    def f(x):
        out = like(x.reshape(2, 3) * 1.0, *args, order="F")
        assert out.value.flags.f_contiguous == like(A, *args, order="F").flags.f_contiguous
        return np.ravel(out + x.reshape(2, 3), order="K")
    J = dg.jacobian(f, A.ravel())
    order = np.ravel(like(A, *args, order="F") * 0.0 + A, order="K").astype(int)
    np.testing.assert_array_equal(J, np.eye(6)[order])       # NumPy's order of the sum


_A = np.array([3.2, -0.4, 0.9, 0.3, 2.6, -1.1, 0.7, 0.5, 3.9])


@pytest.mark.parametrize("scale", [1e-160, 1e200])
@pytest.mark.parametrize("f", [
    lambda x: np.linalg.norm(x.reshape(3, 3), 2),
    lambda x: np.sum(np.linalg.svd(x.reshape(3, 3), compute_uv=False)),
    lambda x: np.sum(np.linalg.pinv(x[:6].reshape(2, 3))),
    lambda x: np.sum(np.linalg.lstsq(x[:6].reshape(3, 2), x[6:])[0])])
def test_lapack_valued_partials_keep_quiet_under_raise(f, scale):
    # the partials of the singular values, pinv and lstsq raised FloatingPointError under
    # np.errstate(all="raise") where NumPy's value reported nothing (attack65 02); the
    # gradient is the default state's, and norm(A, 2)'s is u1 v1^T at every scale
    x = _A * scale
    with np.errstate(all="ignore"):
        want = dg.gradient(f, x)
    with np.errstate(all="raise"):
        f(x)                                    # NumPy's value: no report
        if np.isnan(want).any():        # pinv's at 1e-160 (~1e320, inf - inf): reported
            with pytest.raises(FloatingPointError):
                dg.gradient(f, x)
            return
        g = dg.gradient(f, x)
    np.testing.assert_array_equal(g, want)
    U, _, Vt = np.linalg.svd(_A.reshape(3, 3))
    if f(_A) == np.linalg.norm(_A.reshape(3, 3), 2):
        np.testing.assert_allclose(g, np.outer(U[:, 0], Vt[0]).ravel(), rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("dtype", [int, bool, np.uint8, np.float32])
def test_full_like_with_a_dtype_keeps_numpys_array(dtype):
    # a plain result (an int / bool dtype) or a float32 one took the branch meant for a
    # nested dual's 0-d result and came back as its first element (attack65 05, a
    # regression of 39f45b50): sum(full_like(outer(x, x), 1, dtype)) * x had 1 for 16
    x = np.array([0.7, -1.3, 2.1, 0.4])

    def f(v):
        buf = np.full_like(np.outer(v, v), 1, dtype=dtype)
        assert np.shape(buf) == (4, 4)
        return np.sum(buf) * v
    np.testing.assert_array_equal(dg.jacobian(f, x), 16.0 * np.eye(4))


def test_spread_product_reads_a_nested_value_without_converting_it():
    # the power rows' spread test took np.asarray of each value; a value that is another
    # call's array dual became an object array, which the object-array watch reported as
    # the user's np.asarray (attack65 06, a regression of fcd027c6): a nested power at
    # s = 0 with NaN / inf exponents raised DualTypeError; the same rows as s ** 2.0's
    u = np.array([np.nan, np.inf, -np.inf])
    J = dg.jacobian(lambda v: dg.derivative(lambda s: s ** (v * 1.0), 0.0), u)
    assert J.shape == (3, 3)
    np.testing.assert_array_equal(J[~np.eye(3, dtype=bool)], 0.0)     # no cross terms


def test_hushed_partials_report_what_leaves_the_range():
    # U's Jacobian came back NaN with no report under an explicit errstate, hushing the
    # partials whole (attackb65 F0): the user's state reports it.  (At 1e-160 it was
    # NaN from 1 / (s_i**2 - s_j**2) overflowing; since svd68 that Jacobian is exact,
    # ~6e159.  Here its exact entries, ~5e9 / 1e-300, leave the range: +-inf meet in
    # U @ X, NaN.)
    rng = np.random.default_rng(1)
    Q1 = np.linalg.qr(rng.standard_normal((4, 4)))[0]
    Q2 = np.linalg.qr(rng.standard_normal((4, 4)))[0]
    A = 1e-300 * (Q1 @ np.diag([1.0, 3e-10, 2e-10, 1e-10]) @ Q2.T)

    def f(z):
        return np.linalg.svd(z.reshape(4, 4))[0].ravel()
    with np.errstate(over="raise"), pytest.raises(FloatingPointError):
        dg.jacobian(f, A.ravel())
    with np.errstate(all="warn"), pytest.warns(RuntimeWarning, match="overflow"):
        dg.jacobian(f, A.ravel())


@pytest.mark.parametrize("fill, kw", [(2 + 1j, {}), (np.nan, {"dtype": int}),
                                      (np.inf, {"dtype": np.int32}), (1j, {"shape": ()})])
@pytest.mark.parametrize("nested", [False, True])
def test_full_like_casts_its_fill_as_numpy_does(fill, kw, nested):
    # a complex fill into a real dual and a NaN into an int dtype raised Python's float()
    # TypeError / int() ValueError, where NumPy casts with a warning (attackb65 F3); the
    # oracle is NumPy's own full_like of the plain values (value, dtype, warning class)
    x = np.array([0.5, 2.0, -1.5])
    with pytest.warns((np.exceptions.ComplexWarning, RuntimeWarning)) as seen_np:
        want = np.full_like(x * x[1], fill, **kw)
    got = {}

    def f(v):
        arg = v * v[1] if not nested else v[0] * v[1] * np.ones(3)
        got["r"] = np.full_like(arg, fill, **kw)
        return np.sum(v ** 2)
    with pytest.warns((np.exceptions.ComplexWarning, RuntimeWarning)) as seen:
        (dg.hessian if nested else dg.gradient)(f, x)
    r = got["r"]
    while isinstance(r, dg.Dual):
        r = r.value
    assert np.asarray(r).dtype == want.dtype and np.shape(r) == want.shape
    np.testing.assert_array_equal(r, want)
    assert {w.category for w in seen} >= {w.category for w in seen_np}
