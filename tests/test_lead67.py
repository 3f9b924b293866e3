"""Stop 67's lead fixes: each test fails on the tree before its fix (2a9a2d7)."""
import warnings

import numpy as np
import pytest

import dualgrad as dg
from _probes import loaded_or_not  # noqa: F401  (the fixture ``loaded``)


def _singular_values(z):
    return np.linalg.svd(np.diag(z) + np.ones((3, 3)), compute_uv=False)


def test_singular_values_exact_jacobian_reports_nothing_numpy_does_not():
    # attack66 F7: in NumPy's default error state the singular values' exact Jacobian at
    # diag(1e200, 2, 1e-200) + 1 warned "overflow" / "invalid" of an intermediate product
    # (an exception under -W error) where NumPy's svd is silent.  Oracle: first-order
    # perturbation theory, ds_i / dz_j = u_ji v_ij.
    z = np.array([1e200, 2.0, 1e-200])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _singular_values(z)
        got = dg.jacobian(_singular_values, z)
    U, _, Vh = np.linalg.svd(np.diag(z) + np.ones((3, 3)))
    want = U.T * Vh
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-300)


def test_an_infinite_partial_still_reports_its_overflow_in_the_default_state():
    # the other side of F7's fix: d/dx x**-1 at 2**-660 is -2**1320, past the float
    # range: the partial is -inf and reports, as NumPy's own overflow would
    x = np.array([[2.0 ** -660]])
    with pytest.warns(RuntimeWarning, match="overflow"):
        got = dg.jacobian(np.linalg.inv, x)
    assert got.ravel()[0] == -np.inf


def _thomas(a, b, c, d):
    # a Thomas solver as public code writes it (attackb66 case08b): copies by map
    ac, bc, cc, dc = map(np.array, (a, b, c, d))
    for it in range(1, len(d)):
        mc = ac[it - 1] / bc[it - 1]
        bc[it] = bc[it] - mc * cc[it - 1]
        dc[it] = dc[it] - mc * dc[it - 1]
    return dc


def test_a_store_into_a_copy_of_numbers_offers_the_dual_zero_that_keeps_them():
    # attackb66 R2: the copies' refusal offered np.zeros_like(x), which loses the copied
    # numbers; the fix that keeps them (a dual zero added) is the one to name, and it works
    a, b, c = np.array([3.0, 1, 3]), np.array([10.0, 10, 7, 4]), np.array([2.0, 4, 5])
    d = np.array([3.0, 4, 5, 6])
    with pytest.raises(TypeError) as info:
        dg.jacobian(lambda bb: _thomas(a, bb, c, d), b)
    assert "dc = dc + np.zeros_like(b, shape=dc.shape)" in str(info.value)


def _transfer(p):
    n = np.array([1.0, p[0], 3.5])            # an object array of scalar duals
    return np.abs(np.exp(-1j * p[1] * n[1]))


def test_the_complex_refusal_names_the_object_array_f_made():
    # attackb66 R3: "after f made a NumPy object array of scalar duals" named none of
    # the function's arrays (a transfer-matrix code had four)
    with pytest.raises(TypeError, match=r"\(n, made at line \d+: n = np.array\(\[1.0, "):
        dg.jacobian(_transfer, np.array([1.45, 2.0]))


def test_a_refused_argument_is_named_in_words():
    # attackb66 R4: "not differentiable in argument 1; differentiable in x only" for
    # jv(v, z) with a dual order v
    sc = pytest.importorskip("scipy.special")
    with pytest.raises(TypeError, match=r"argument 1 \(the first of 2\); differentiable "
                                        r"in the last argument only"):
        dg.derivative(lambda v: sc.jv(v, 2.0), 1.0)


def test_a_zero_exponent_with_a_nonzero_direction_keeps_its_slope(loaded):
    # attack67 F1 (a regression of stop 66's x ** 0 fix): one level down the exponent
    # 1e-200 v1 is 0 in value but not in its partial, and its slope was taken as an
    # exact 0.  f = (A v0) ** (B v1): d2f / dv0 dv1 at v1 = 0 is B / v0 (f = 1, df/dv0 = 0)
    H = dg.hessian(lambda v: (1e200 * v[0]) ** (1e-200 * v[1]), np.array([1.0, 0.0]))
    assert H[0, 1] == pytest.approx(1e-200, rel=1e-14, abs=0)
    assert H[1, 0] == pytest.approx(1e-200, rel=1e-14, abs=0)


def test_an_inf_matrix_in_a_stack_leaves_the_others_singular_values_exact():
    # attack67 F2 (a regression of stop 66's svd of non-finite A): one inf entry in one
    # matrix of a stack made every matrix's partials NaN.  Oracle: first-order
    # perturbation theory per finite matrix, ds_i / dA_jk = u_ji v_ik
    B = np.random.default_rng(7).standard_normal((3, 3, 3))
    B[1, 0, 1] = np.inf
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        J = dg.jacobian(lambda a: np.linalg.svd(a.reshape(3, 3, 3), compute_uv=False),
                        B.ravel()).reshape(3, 3, 3, 3, 3)
    for m in (0, 2):
        U, _, Vh = np.linalg.svd(B[m])
        want = np.einsum("ji,ik->ijk", U, Vh)
        np.testing.assert_allclose(J[m, :, m], want, rtol=1e-12, atol=1e-14)
    assert np.isnan(J[1, :, 1]).all()


def test_third_derivatives_of_a_far_range_power_of_an_array():
    # attack67 F3 (a regression of stop 66's far-range powers): a third level's term came
    # back from the extended-range product as a 0-d scalar dual for a (1,) array dual
    # (IndexError, or a refusal of an object array the user never made, at u = 1075).
    # d3/dk3 k**u = u (u - 1) (u - 2) k**(u - 3): inf at u = 1075, exactly rounded by
    # ldexp at u = -700
    import math
    for u in (1075.0, -700.0):
        T = dg.jacobian(lambda y: dg.hessian(lambda x: np.sum(x[0] ** x[1:]), y),
                        np.array([2.0, u]))
        want = math.inf if u > 1024 else math.ldexp(u * (u - 1) * (u - 2), int(u) - 3)
        assert T[0, 0, 0] == pytest.approx(want, rel=1e-13, abs=0)


@pytest.mark.parametrize("dtype", [np.uint8, np.int16, list])
def test_gradient_of_plain_integers_over_dual_coordinates(dtype):
    # diff67 F2: np.gradient differences integer data as float64; dualgrad's dual-node
    # formula differenced it in its dtype, which wrapped (uint8: 256 off), and a list's
    # f[index] raised TypeError.  Oracle: the complex step through NumPy's own formula
    # (diff68 F6: data that wraps in int16 too, 32767 - (-32768))
    data = [5, 1, 0, 100, 7] if dtype is np.uint8 else [32767, -32768, 0, 100, 7]
    f = data if dtype is list else np.array(data, dtype=dtype)
    x0 = np.array([0.0, 1.0, 2.5, 3.0, 4.5])
    want = np.array([np.imag(np.gradient(np.asarray(f, dtype=complex), x0 + 1j * 1e-30 * e)) / 1e-30
                     for e in np.eye(5)]).T
    np.testing.assert_allclose(dg.jacobian(lambda x: np.gradient(f, x), x0), want,
                               rtol=1e-13, atol=1e-13)


def test_det_of_a_stack_takes_its_formula_matrix_by_matrix():
    # diff67 F3 / attack67 F5: one member whose cofactors overflow sent every member to
    # det * tr(A^-1 dA), 0 where the first member's cofactor is 1e-30.  d det / d a_00 of
    # diag(1e-300, 1e-30, 1) is the cofactor 1e-30 * 1
    A = np.stack([np.diag([1e-300, 1e-30, 1.0]), np.diag([1e200, 1e200, 1e200])])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        J = dg.jacobian(lambda a: np.linalg.det(a.reshape(2, 3, 3)), A.ravel())
    assert J[0, 0] == pytest.approx(1e-30, rel=1e-14, abs=0)
    assert J[0, 4] == pytest.approx(1e-300, rel=1e-14, abs=0)
