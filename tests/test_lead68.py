"""Stop 68's lead fixes: each test fails on the tree before its fix (0e40b8b)."""
import math
import warnings

import numpy as np
import pytest

import dualgrad as dg

scipy_integrate = pytest.importorskip("scipy.integrate")


def _chained_store(x):
    D = np.zeros((2, 2))
    D[0][1] = x[0] * x[1]          # a view of D: the store the refusal must name
    return D.ravel()


def _chained_store_fixed(x):
    D = np.zeros_like(x, shape=(2, 2))
    D[0][1] = x[0] * x[1]
    return D.ravel()


def test_a_chained_store_names_its_buffer_and_a_fix_that_works():
    # attackb67 R1: D[0][1] = d into a plain D gave the general text, naming no store
    x = np.array([1.5, 2.0])
    with pytest.raises(TypeError) as info:
        dg.jacobian(_chained_store, x)
    text = str(info.value)
    assert "D[0][1] = ... stores a dual number into D" in text
    assert "D = np.zeros_like(x, shape=(2, 2))" in text
    want = np.zeros((4, 2))
    want[1] = [x[1], x[0]]            # d(x0 x1) / dx
    np.testing.assert_array_equal(dg.jacobian(_chained_store_fixed, x), want)


def test_an_object_arrays_element_is_not_named_as_a_view():
    # the other side of R1's walk down D[0][1]: L[0] of an object array is no view of L
    def f(x):
        L = np.empty(2, dtype=object)
        L[0], L[1] = np.zeros(2), np.zeros(2)
        L[0][1] = x[0] * x[1]
        return L[0]
    with pytest.raises(TypeError) as info:
        dg.jacobian(f, np.array([1.5, 2.0]))
    assert "stores a dual number into L" not in str(info.value)


def _quad_of_dual(x):
    return scipy_integrate.quad(lambda t: t * x[0], 0.0, 1.0)[0]


def test_a_scipy_refusal_names_the_users_line():
    # attackb67 R2: SciPy's refusals named no line, math's did
    with pytest.raises(TypeError) as info:
        dg.gradient(_quad_of_dual, np.array([2.0]))
    assert "(at line" in str(info.value)
    assert "scipy_integrate.quad(lambda t: t * x[0], 0.0, 1.0)[0]`" in str(info.value)


def _math_mixed(x):
    c = 3.0
    return math.sin(x[0]) + math.cos(2.0) * math.sqrt(c) + math.exp(x[1] * 2)


def test_math_calls_on_plain_numbers_are_not_listed():
    # attackb67 R3: math.cos(2.0) and math.sqrt(c) of a plain c were listed beside the
    # calls that met a dual
    with pytest.raises(TypeError) as info:
        dg.gradient(_math_mixed, np.array([0.5, 1.0]))
    text = str(info.value)
    assert "write np.sin for math.sin, np.exp for math.exp (they take duals)" in text
    fix = text.split("Fix: ")[1].split("elsewhere")[0]
    assert "math.cos" not in fix and "math.sqrt" not in fix


@pytest.mark.mp_dps(40)
@pytest.mark.parametrize("s, u, v0", [(1e300, -1.0, 1e4), (1e-200, -0.5, 1e-5)])
def test_third_derivative_of_a_far_range_array_power(s, u, v0):
    # diff68 F1: a third level's extended-range power term came back as a scalar dual
    # holding arrays; keeping the plain product instead was silent: -inf for -5.9e117,
    # -3e-316 for -6e-316.  Oracle: mpmath, d3/dv3 (s v)**u = s^3 u (u-1) (u-2) (s v)**(u-3)
    mpmath = pytest.importorskip("mpmath")

    def g(x):
        return np.sum((s * x[:1]) ** x[1:])
    with np.errstate(all="ignore"):
        T = dg.jacobian(lambda y: dg.hessian(g, y), np.array([v0, u]))
    S, U, V = mpmath.mpf(s), mpmath.mpf(u), mpmath.mpf(v0)
    want = float(S ** 3 * U * (U - 1) * (U - 2) * (S * V) ** (U - 3))
    assert T[0, 0, 0] == pytest.approx(want, rel=1e-12, abs=0)


def test_an_infinite_second_derivative_of_inv_reports_its_overflow():
    # diff68 F2: a partials_hushed call nested in another (a Hessian's inner level) hushed
    # under the outer one's count, so inv's infinite second derivative came back silent
    # in NumPy's default state.  Oracle: f = 2**800 / w1, d2f/dw1^2 = 2**801 / w1**3 =
    # 2**1101 at w1 = 2**-100, past the float range: inf, and a report as NumPy's own
    v = np.array([1.0, 2.0 ** -100])

    def f(w):
        return np.linalg.inv(np.diag(w * np.array([1.0, 2.0 ** -800])))[1, 1]
    with pytest.warns(RuntimeWarning, match="overflow"):
        H = dg.hessian(f, v)
    assert H[1, 1] == np.inf


def _flat_store(x):
    D = np.zeros(3)
    D.flat[0] = x[0]
    return D.sum() + x.sum()


def test_a_store_through_flat_raises_the_store_refusal():
    # attack68 F4: NumPy's flat iterator replaced the refusal by a bare ValueError
    # ("Error setting single item of array."), API.md's TypeError lost
    with pytest.raises(TypeError) as info:
        dg.gradient(_flat_store, np.array([1.0, 2.0, 3.0]))
    assert "D.flat[0] = ... stores a dual number into D" in str(info.value)
    assert isinstance(info.value.__cause__, ValueError)


def test_numpys_own_flat_store_error_is_left_alone():
    # the other side: a ValueError of the same text with no refusal behind it
    def f(x):
        D = np.zeros(3)
        D.flat[0] = "not a number"
        return x.sum()
    with pytest.raises(ValueError):
        dg.gradient(f, np.array([1.0, 2.0, 3.0]))


def test_det_of_a_stack_with_a_singular_member_beside_an_out_of_range_one():
    # attack68 F3: the singular member made the stack's Jacobi formula fail, and the
    # member whose adjugate overflowed kept its NaN (and d det(M1) / d M0 NaN for 0).
    # Oracle: a diagonal matrix's cofactors, the products of the other diagonal entries
    M1 = np.diag([1e160, 1e160, 1e-30])
    stack = np.array([np.zeros((3, 3)), M1])
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        J = dg.jacobian(lambda x: np.linalg.det(x.reshape(2, 3, 3)), stack.ravel())
    J = J.reshape(2, 2, 3, 3)
    assert not np.isnan(J).any()
    assert np.diag(J[1, 1]) == pytest.approx([1e130, 1e130, np.inf], rel=1e-12, abs=0)
    assert (J[1, 0] == 0).all() and (J[0] == 0).all()


def test_qr_of_a_matrix_holding_inf_gives_numpys_factors_and_nan_partials():
    # attack68 F5: refused as "rank-deficient ... got rank 0"; NumPy's own qr returns
    # its NaN factors there, and a function of a non-finite value has NaN partials
    M = np.array([[np.inf, 1.0, 1.0], [1.0, 2.0, 1.0], [1.0, 1.0, 3.0]])
    with np.errstate(all="ignore"):
        Q, R = np.linalg.qr(M)
        out = dg.jvp(lambda x: np.linalg.qr(x.reshape(3, 3))[1], M.ravel(), np.ones(9))
    np.testing.assert_array_equal(out[0], R)
    assert np.isnan(out[1]).all()


def _enumerated(x):
    H = np.zeros_like(x[0], shape=(2, 2))
    for index, h in np.ndenumerate(H):
        H[index] = x[0] * (index[0] + 1) + x[1] * index[1]
    return H.ravel()


def _indexed(x):
    H = np.zeros_like(x[0], shape=(2, 2))
    for index in np.ndindex(H.shape):
        H[index] = x[0] * (index[0] + 1) + x[1] * index[1]
    return H.ravel()


def test_a_write_inside_ndenumerate_names_the_loop_and_a_fix_that_works():
    # user68: the refusal named an np.asarray call the user never wrote (np.ndenumerate
    # makes it), no array and no line.  Oracle for the fix: H_ij = x0 (i + 1) + x1 j
    x = np.array([1.0, 2.0])
    with pytest.raises(TypeError) as info:
        dg.jacobian(_enumerated, x)
    text = str(info.value)
    assert text.startswith("dualgrad.jacobian: a write into H inside `for index, h in "
                           "np.ndenumerate(H):`")
    assert "for index in np.ndindex(H.shape):" in text
    want = np.array([[1.0, 0.0], [1.0, 1.0], [2.0, 0.0], [2.0, 1.0]])
    np.testing.assert_array_equal(dg.jacobian(_indexed, x), want)


def test_an_errstate_with_the_defaults_settings_reports_as_the_default_does():
    # diff68 F7: partials_hushed told the default state by identity, so inside
    # np.errstate(divide="warn") (the default's settings, another object) inv's -inf
    # partial at 2**-660 (exactly -2**1320, past the range) was silent
    x = np.array([[2.0 ** -660]])
    with np.errstate(divide="warn"), pytest.warns(RuntimeWarning, match="overflow"):
        J = dg.jacobian(np.linalg.inv, x)
    assert J.ravel()[0] == -np.inf
