"""Leftovers that raised on correct code (stop 40): a Hessian (or a Jacobian) of f linear
in x through np.array of scalar duals nested in another helper; object arrays of scalar
duals under sparsity="auto" through np.round, np.var / np.std, np.linalg.solve / det and
np.interp; np.put, np.place and np.putmask on dual arrays; np.remainder by zero and
np.emath.sqrt at 0.  Oracles: closed forms (the mixed derivatives of polynomials in x
and c), 8th-order central differences (h = 1e-3, smooth cases or piecewise linear with
no kink within 4h of the point), and NumPy's own values on floats."""

import numpy as np
import pytest

import dualgrad as dg
from dualgrad.testing import numerical_jacobian

X = np.array([0.3, 0.7, 1.1, 0.45])
C = 0.7


# ---- 1. helpers nested in another helper, f linear in x through np.array ---------------
# f(x, c) and its Hessian in x as a closed form H(x, c); dH/dc is checked against the
# central difference of that closed form (H is a polynomial in c).
def _lin(x, c):
    return np.sum(np.array([x[0] * c, x[1], x[2] * c ** 2]))


def _mixed(x, c):
    return np.sum(np.array([x[0] * x[1] + c * x[0], x[2] * np.sin(c)]))


def _nonlin(x, c):
    return np.sum(np.array([x[0] * x[1] * c, x[2] ** 2 * c ** 2, x[3]]))


def _H_lin(x, c):
    return np.zeros((4, 4))


def _H_mixed(x, c):
    H = np.zeros((4, 4))
    H[0, 1] = H[1, 0] = 1.0
    return H


def _H_nonlin(x, c):
    H = np.zeros((4, 4))
    H[0, 1] = H[1, 0] = c
    H[2, 2] = 2 * c ** 2
    return H


NESTED = {"linear": (_lin, _H_lin), "mixed": (_mixed, _H_mixed),
          "nonlinear": (_nonlin, _H_nonlin)}


def _dc(F, c=C, h=1e-3):
    """8th-order central difference of F at c."""
    w = [(1, 4 / 5), (2, -1 / 5), (3, 4 / 105), (4, -1 / 280)]
    return sum(a * (F(c + k * h) - F(c - k * h)) for k, a in w) / h


@pytest.mark.parametrize("name", sorted(NESTED))
def test_hessian_nested_in_derivative(name):
    f, H = NESTED[name]
    np.testing.assert_allclose(dg.hessian(lambda x: f(x, C), X), H(X, C), atol=1e-14)
    want = _dc(lambda c: H(X, c))
    got = dg.derivative(lambda c: dg.hessian(lambda x: f(x, c), X), C)
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-10)
    got = dg.jacobian(lambda c: dg.hessian(lambda x: f(x, c[0]), X), np.array([C]))
    np.testing.assert_allclose(got[..., 0], want, rtol=1e-9, atol=1e-10)
    got = dg.jacfwd(lambda c: dg.jacfwd(dg.grad(lambda x: f(x, c)))(X))(C)
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-10)


@pytest.mark.parametrize("chunk", [None, 1])
def test_jacobian_and_gradient_nested_in_derivative(chunk):
    # J = [[1, 0], [0, 1]] does not move with c (dJ/dc = 0); the second has dJ/dc = e00
    def lin(c):
        return dg.jacobian(lambda x: np.array([x[0] + c, x[1]]), X[:2], chunk=chunk)

    def scaled(c):
        return dg.jacobian(lambda x: np.array([x[0] * c, x[1]]), X[:2], chunk=chunk)

    np.testing.assert_array_equal(dg.derivative(lin, C), np.zeros((2, 2)))
    np.testing.assert_allclose(dg.derivative(scaled, C), _dc(lambda c: np.diag([c, 1.0])),
                               rtol=1e-9)
    g = dg.derivative(lambda c: dg.gradient(lambda x: np.sum(np.array([x[0] + c, x[1]])),
                                            X[:2], chunk=chunk), C)
    np.testing.assert_array_equal(g, [0.0, 0.0])
    g = dg.derivative(lambda c: dg.gradient(lambda x: np.sum(np.array([x[0] * c ** 2,
                                                                      x[1]])),
                                            X[:2], chunk=chunk), C)
    np.testing.assert_allclose(g, [2 * C, 0.0], rtol=1e-12)


def test_guard_still_refuses_a_swallowed_refusal_nested():
    # the constant-gradient shortcut must not hide an object array nobody read
    def f(x, c):
        try:
            np.asarray(x * c).astype(float)     # refused: a dual array's object array
        except TypeError:
            pass
        return np.sum(x)

    with pytest.raises(TypeError, match="without derivatives after an error"), \
            pytest.warns(dg.CaughtErrorWarning):
        dg.derivative(lambda c: dg.hessian(lambda x: f(x, c), X), C)


# ---- 2. object arrays of scalar duals under sparsity="auto" ----------------------------
def _obj(x):
    return np.array([x[0] * x[1], x[2] + x[3], x[1] * x[3], x[0]])   # an object array


def _check(f, x=X):
    """dense Jacobian == central differences; sparsity='auto' == dense; the detected
    pattern covers every nonzero."""
    want = numerical_jacobian(f, x)
    J = dg.jacobian(f, x)
    np.testing.assert_allclose(J, want, rtol=1e-9, atol=1e-10)
    Ja = dg.jacobian(f, x, sparsity="auto").toarray()
    np.testing.assert_array_equal(Ja, J)
    assert dg.sparsity(f, x).toarray()[J != 0].all()
    assert dg.sparsity(f, x, mode="global").toarray()[J != 0].all()
    return J


WORKING = {
    # rounded values are constant near X (no .5 within 4h), the term beside them is not
    "np.round": lambda x: np.round(_obj(x) * 7) * x + _obj(x),
    "np.around decimals": lambda x: np.around(_obj(x) + 0.013, 1) * x + _obj(x),
    "np.var": lambda x: np.var(_obj(x)) * x,
    "np.var axis ddof": lambda x: np.var(_obj(x).reshape(2, 2), axis=0, ddof=1),
    "np.std": lambda x: np.std(_obj(x)) + x,
    "np.std axis": lambda x: np.std(_obj(x).reshape(2, 2), axis=1) * x[:2],
    "np.mean": lambda x: np.mean(_obj(x)) * x,
}


@pytest.mark.parametrize("name", sorted(WORKING))
def test_object_arrays_under_auto_work(name):
    J = _check(WORKING[name])
    assert np.count_nonzero(J) > 0


def test_object_arrays_under_auto_hessian():
    def f(x):
        return np.sum(np.round(np.array([x[0] * x[1], x[2]]), 1) * x[:2]) + \
            np.var(np.array([x[0] * x[1], x[2], x[3]]))

    H = dg.hessian(f, X)
    np.testing.assert_allclose(H, numerical_jacobian(lambda x: dg.gradient(f, x), X),
                               rtol=1e-8, atol=1e-9)
    np.testing.assert_allclose(dg.hessian(f, X, sparsity="auto").toarray(), H, atol=1e-15)


REFUSED_BOTH = {
    "np.linalg.solve": lambda x: np.linalg.solve(_obj(x).reshape(2, 2) + 3 * np.eye(2),
                                                 _obj(x)[:2]),
    "np.linalg.det": lambda x: np.linalg.det(_obj(x).reshape(2, 2)) * x,
    "np.interp": lambda x: np.interp(_obj(x), [0, 0.5, 1, 2], [0, 1, 3, 2]),
}
# the advised spelling: np.stack of the same scalar duals
ADVISED = {
    "np.linalg.solve": lambda x: np.linalg.solve(np.stack(list(_obj(x))).reshape(2, 2) +
                                                 3 * np.eye(2), np.stack(list(_obj(x)[:2]))),
    "np.linalg.det": lambda x: np.linalg.det(np.stack(list(_obj(x))).reshape(2, 2)) * x,
    "np.interp": lambda x: np.interp(np.stack(list(_obj(x))), [0, 0.5, 1, 2], [0, 1, 3, 2]),
}


@pytest.mark.parametrize("name", sorted(REFUSED_BOTH))
def test_object_arrays_dense_refuses_so_does_auto(name):
    f = REFUSED_BOTH[name]
    with pytest.raises(TypeError, match=f"{name}.*np.stack") as dense:
        dg.jacobian(f, X)
    with pytest.raises(TypeError, match=f"{name}.*np.stack") as auto:
        dg.jacobian(f, X, sparsity="auto")
    assert type(auto.value) is type(dense.value)
    _check(ADVISED[name])


# ---- 3. np.put, np.place, np.putmask ---------------------------------------------------
def _writes(step):
    """f(x): a dual array built from x, ``step`` writes into it (in place), the array
    and a view of it taken before the write returned together."""
    def f(x):
        a = np.outer(x, x[:3]).ravel() if step.__name__.endswith("2d") else x * 2
        view = a[1::2]
        step(a, x)
        return np.concatenate([np.ravel(a), np.ravel(view) * 1.0])
    return f


def put_negative(a, x):
    np.put(a, [0, -1], x[1:3] ** 2)


def put_wrap(a, x):
    np.put(a, [5, -6], [x[0] * x[1], 3.0], mode="wrap")


def put_clip(a, x):
    np.put(a, [9, -9], x[0] ** 3, mode="clip")


def put_float_repeated(a, x):
    np.put(a, [1, 2, 3], [5.0, 6.0])


def put_method(a, x):
    a.put([1, 2], x[:2] * x[3])


def put_into_view_2d(a, x):
    np.put(a.reshape(4, 3)[:, 1], [0, -1], np.exp(x[:2]))


def place_dual(a, x):
    np.place(a, a > 1.0, x[0] * x[3])


def place_repeated(a, x):
    np.place(a, np.arange(a.size) % 3 != 1, x[:2] ** 2)


def place_float_list(a, x):
    np.place(a, [True, False, True, False], [1.0, 2.0])


def place_list_with_dual(a, x):
    np.place(a, [True, False, True, True], [x[0] * x[1], 2.0])


def place_2d(a, x):
    np.place(a, a > 0.3, np.sin(x[:2]))


def putmask_dual(a, x):
    np.putmask(a, a > 1.0, x ** 2)


def putmask_repeated(a, x):
    np.putmask(a, np.arange(a.size) % 2 == 0, x[:3] * x[3])


def putmask_float(a, x):
    np.putmask(a, [True, False, True, False], 7.0)


def putmask_float_list(a, x):
    np.putmask(a, [True, False, True, True], [1.0, 2.0])


def putmask_list_with_dual(a, x):
    np.putmask(a, [True, False, True, True], [x[0] * x[1], 2.0])


def putmask_overlapping_2d(a, x):
    np.putmask(a, a > 0.3, a[::-1] * 1.5)


def putmask_aliasing(a, x):
    np.putmask(a, np.ones(a.size, bool), a[1:4])        # NumPy copies before writing


def empty_values(a, x):
    np.put(a, [0, 1], [])
    np.putmask(a, np.ones(a.size, bool), [])
    np.place(a, np.zeros(a.size, bool), [])


WRITES = [put_negative, put_wrap, put_clip, put_float_repeated, put_method,
          put_into_view_2d, place_dual, place_repeated, place_float_list,
          place_list_with_dual, place_2d, putmask_dual, putmask_repeated, putmask_float,
          putmask_float_list, putmask_list_with_dual, putmask_overlapping_2d, putmask_aliasing, empty_values]


@pytest.mark.parametrize("step", WRITES, ids=lambda s: s.__name__)
def test_writes_against_differences_and_numpy(step):
    f = _writes(step)
    J = _check(f)
    # the values are NumPy's on floats, to the bit
    np.testing.assert_array_equal(np.asarray(dg.jvp(f, X, np.ones(4))[0]), f(X))
    assert J.shape == (f(X).size, 4)


def test_writes_nested_hessian():
    def f(x):
        a = x * x[0]
        np.put(a, [-1], x[1] * x[2])
        np.place(a, [False, True, False, False], np.sin(x[3]))
        np.putmask(a, [True, False, False, False], a[::-1] * x[2])
        return np.sum(a * x)

    H = dg.hessian(f, X)
    np.testing.assert_allclose(H, numerical_jacobian(lambda x: dg.gradient(f, x), X),
                               rtol=1e-8, atol=1e-9)
    np.testing.assert_allclose(dg.hessian(f, X, sparsity="auto").toarray(), H, atol=1e-15)


def test_writes_refused_with_the_fix():
    def into_plain(x):
        a = np.ones(4)
        np.put(a, [0], x[0])
        return a

    def place_own_view(x):
        a = x * 2
        np.place(a, [False, True, True, False], a[0:2])   # NumPy reads a[1] after it wrote it
        return a

    def place_read_first(x):      # (small52: a[1] and a[2] are read before they are written:
        a = x * 2                 # NumPy's order is a copy's, followed exactly, not refused)
        np.place(a, [True, False, True, False], a[1:3])
        return a
    np.testing.assert_array_equal(dg.jacobian(place_read_first, X),
                                  2 * np.eye(4)[[1, 1, 2, 3]])

    for kw in ({}, {"sparsity": "auto"}):
        with pytest.raises(TypeError, match="plain NumPy array"):
            dg.jacobian(into_plain, X, **kw)
        with pytest.raises(TypeError, match=r"vals.copy\(\)"):
            dg.jacobian(place_own_view, X, **kw)
    with pytest.raises(ValueError, match="same size"):
        dg.jacobian(lambda x: np.putmask(x * 1, [True], 1.0), X)
    with pytest.raises(ValueError, match="empty array"):
        dg.jacobian(lambda x: np.place(x * 1, [True] * 4, []), X)


# ---- 4. NaN and infinite derivatives beside NumPy's values -----------------------------
@pytest.mark.parametrize("op", [np.remainder, np.fmod, lambda a, b: a % b],
                         ids=["remainder", "fmod", "operator"])
def test_remainder_by_zero_partials_are_nan_beside_a_nan_value(op):
    P = np.array([[1.0, 0.0], [-1.0, 0.0], [0.0, 0.0], [np.inf, 2.0], [5.3, 1.2],
                  [1.0, np.inf]])
    for a, b in P:
        with np.errstate(all="ignore"):
            value = op(a, b)
            J = dg.jacobian(lambda v: op(v[0], v[1]), np.array([a, b]))
        assert J[0] == 1.0                      # d/dx = 1 wherever (as fmod's)
        if np.isnan(value):
            assert np.isnan(J[1]), (a, b, J)    # no slope -floor(a / 0) = -inf
        else:                                   # d/dy = -(the quotient NumPy used)
            want = -np.trunc(a / b) if op is np.fmod else -np.floor_divide(a, b)
            assert J[1] == want, (a, b, J)
    x = np.array([1.0, 2.0, 3.0])
    with np.errstate(all="ignore"):
        J = dg.jacobian(lambda y: op(x, y), np.array([0.0, 0.7, 0.0]))
        Ja = dg.jacobian(lambda y: op(x, y), np.array([0.0, 0.7, 0.0]), sparsity="auto")
    np.testing.assert_array_equal(np.isnan(J), np.diag([True, False, True]))
    np.testing.assert_array_equal(Ja.toarray(), J)


def test_remainder_nan_point_hessian_is_nan_there_exact_elsewhere():
    with np.errstate(all="ignore"):
        H = dg.hessian(lambda v: np.remainder(v[0] ** 2, v[1]), np.array([1.0, 0.0]))
        assert np.isnan(H[1, 1])
        H = dg.hessian(lambda v: np.remainder(v[0] ** 2 * v[1], v[1] + 1.0),
                       np.array([1.3, 0.7]))
    # x^2 y mod (y + 1) = x^2 y - (y + 1) (floor: 1.183 / 1.7 -> 0) = x^2 y near here
    np.testing.assert_allclose(H, [[2 * 0.7, 2 * 1.3], [2 * 1.3, 0.0]], rtol=1e-14)


def test_emath_sqrt_of_an_array_gone_complex_at_zero():
    X0 = np.array([0.0, -1.0, 4.0, -0.3, 2.0])
    J = dg.jacobian(np.emath.sqrt, X0)
    # d/dx sqrt(x) = 1 / (2 sqrt(x)) for x > 0, -0.5j / sqrt(-x) for x < 0, and at 0
    # the real path's one-sided inf (np.emath.sqrt of an array that stays real)
    want = np.diag([np.inf, -0.5j, 0.25, -0.5j / np.sqrt(0.3), 0.5 / np.sqrt(2.0)])
    np.testing.assert_array_equal(J, want)
    assert dg.jacobian(np.emath.sqrt, np.array([0.0, 4.0]))[0, 0] == np.inf
    value = dg.jvp(np.emath.sqrt, X0, np.ones(5))[0]
    np.testing.assert_array_equal(np.asarray(value), np.emath.sqrt(X0))   # NumPy's bits

    def f(x):
        return np.sum(np.real(np.emath.sqrt(x)) ** 2 + np.imag(np.emath.sqrt(x * x[1])))

    X1 = np.array([1.0, -2.0, 3.0])
    np.testing.assert_allclose(dg.hessian(f, X1),
                               numerical_jacobian(lambda x: dg.gradient(f, x), X1),
                               rtol=1e-8, atol=1e-9)


def test_remainder_by_zero_inside_njit_agrees():
    numba = pytest.importorskip("numba")

    @numba.njit
    def f(v):
        return np.remainder(v[0], v[1]) + v[0] % v[1]

    with np.errstate(all="ignore"):
        g = dg.gradient(f, np.array([1.0, 0.0]))
    assert g[0] == 2.0 and np.isnan(g[1])
    np.testing.assert_array_equal(dg.gradient(f, np.array([5.3, 1.2])), [2.0, -8.0])
