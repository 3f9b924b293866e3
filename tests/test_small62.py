"""small62: the lean products' partials with NumPy's reports hushed; ``M @ u``'s value and
partials by ``ndarray.dot`` (the same BLAS call as ``np.matmul``'s) in NumPy's default
error state; a scalar dual's row in ``k * u`` tested once (its length by the kernel).

Oracles: the product is linear, so the partials of ``A @ u`` are NumPy's ``A @ P`` on
plain arrays (of ``u @ v``: ``v.value @ P + u.value @ Q``); NumPy's value of the float
product, to the bit, and the warnings it gives; for ``k * u`` the definition
``d(k u) = u dk + k du`` and NumPy's mismatch error.
"""

import warnings

import numpy as np
import pytest

import dualgrad as dg
from dualgrad.backend import _loader
from dualgrad.dual import make_real
from dualgrad.dual._base import new_tag

RNG = np.random.default_rng(62)


# op, its partials from NumPy on the plain arrays (A, x, P, y, Q)
PRODUCTS = {
    "A @ u": (lambda A, u, v: A @ u, lambda A, x, P, y, Q: A @ P),
    "np.dot(A, u)": (lambda A, u, v: np.dot(A, u), lambda A, x, P, y, Q: A @ P),
    "u @ v": (lambda A, u, v: u @ v, lambda A, x, P, y, Q: y @ P + x @ Q),
    "u @ A": (lambda A, u, v: u @ A, lambda A, x, P, y, Q: A.T @ P),
    "A @ U": (lambda A, u, v: A[:, :5] @ u.reshape(5, 2),
              lambda A, x, P, y, Q: (A[:, :5] @ P.reshape(5, -1)).reshape(5, 2, -1)),
}


@pytest.mark.parametrize("name", sorted(PRODUCTS))
def test_underflowing_partials_raise_nothing(name):
    """Under ``np.errstate(all="raise")`` the float product of these values is fine and
    some partials underflow (1e-200 * 1e-200): the dual product raises nothing (it
    raised FloatingPointError "underflow encountered in matmul" before small62), its
    value is NumPy's and its partials NumPy's quiet product."""
    op, partials = PRODUCTS[name]
    tag = new_tag()
    A = np.ones((5, 10) if name != "u @ A" else (10, 5))
    A[0], A[:, 0] = 1e-200, 1e-200         # its first row and column tiny
    x, y = RNG.uniform(0.5, 2.0, 10), np.full(10, 1e-200)
    P, Q = RNG.uniform(0.5, 2.0, (10, 3)), RNG.uniform(0.5, 2.0, (10, 3))
    P[:, 0] = 1e-200                         # a tiny direction
    u, v = dg.Dual(x, P, tag=tag), dg.Dual(y, Q, tag=tag)
    with np.errstate(all="raise"):
        got = op(A, u, v)
        value = op(A, x, y)
        with pytest.raises(FloatingPointError, match="underflow"):
            partials(A, x, P, y, Q)                   # (NumPy's product underflows)
    with np.errstate(all="ignore"):
        expected = partials(A, x, P, y, Q)
    assert np.asarray(got.value).tobytes() == np.asarray(value).tobytes()
    np.testing.assert_allclose(got.partials, expected, rtol=1e-14, atol=0)


def test_matvec_reports_as_the_float_product():
    """NumPy's default error state, ``A @ u`` of a C-ordered matrix (the ndarray.dot
    path): partials that overflow (a 1e308 partial) warn nothing, as the float product
    does not (before: "overflow encountered in matmul"); a value that overflows warns as
    the float product does, first.  The other products (``u @ A``, ``u @ v``, an
    F-ordered ``A @ u``) still warn of an overflowing partial in the default state: the
    hush costs ~0.3 us of their ~4 (bench/product_ab.py, lead63; diff62 4c)."""
    tag = new_tag()
    A = RNG.uniform(-2.0, 2.0, (10, 10))
    x = RNG.uniform(0.5, 2.0, 10)
    A[:, 3] = 4.0
    P = RNG.standard_normal((10, 3))
    P[3, 1] = 1e308
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = A @ dg.Dual(x, P, tag=tag)
        value = A @ x
    assert got.value.tobytes() == value.tobytes()
    with np.errstate(over="ignore"):
        expected = A @ P
    assert np.isinf(expected).any()
    np.testing.assert_array_equal(got.partials, expected)
    A[2] = 1e308
    with warnings.catch_warnings(record=True) as floats:
        warnings.simplefilter("always")
        A @ x
    with warnings.catch_warnings(record=True) as duals:
        warnings.simplefilter("always")
        A @ dg.Dual(x, np.ones((10, 3)), tag=tag)
    assert [str(w.message) for w in duals][:1] == [str(w.message) for w in floats] == \
        ["overflow encountered in matmul"]


def test_matvec_bits_across_layouts_and_states():
    """The value is NumPy's ``np.matmul`` (or ``np.dot``) of the floats and the partials
    ``np.matmul(A, P)``, to the bit, on every layout and shape the ndarray.dot path takes
    or leaves (dimensions of 1, a Fortran-ordered, strided or reversed matrix, a
    strided or reversed value: ``make_real`` keeps it as given, where ``dg.Dual`` copies
    it), in NumPy's default state and another."""
    _loader.load()
    tag = new_tag()
    seen = 0
    for m, k, n in [(10, 10, 10), (3, 7, 2), (1, 10, 4), (10, 1, 4), (10, 10, 1), (64, 2, 3)]:
        base = RNG.standard_normal((m, k)) * 10.0 ** RNG.integers(-3, 3, (m, k))
        matrices = [base, np.asfortranarray(base), np.repeat(base, 2, axis=1)[:, ::2],
                    base[::-1]]
        xs = RNG.standard_normal(k)
        vectors = [xs, np.repeat(xs, 2)[::2], xs[::-1].copy()[::-1]]
        P = RNG.standard_normal((k, n))
        for A in matrices:
            for x in vectors:
                for state in ({}, {"under": "warn"}):
                    with np.errstate(**state):
                        for op in (np.matmul, np.dot):
                            got = op(A, make_real(x, P, tag))
                            assert got.value.tobytes() == op(A, x).tobytes()
                            assert got.partials.tobytes() == np.matmul(A, P).tobytes()
                            seen += 1
    assert seen == 6 * 4 * 3 * 2 * 2


@pytest.mark.parametrize("spell", ["k * u", "u * k", "k - u", "u / k"])
def test_scalar_row_of_other_directions_raises(spell):
    """``k * u`` with numba loaded: a scalar of 3 directions and an array of 4 still meet
    NumPy's / the general path's ValueError (the row's length is the kernel's test now),
    and equal directions give ``u dk + k du``."""
    _loader.load()
    tag = new_tag()
    x, P = RNG.uniform(0.5, 2.0, 10), RNG.standard_normal((10, 4))
    u = dg.Dual(x, P, tag=tag)
    op = {"k * u": lambda k, u: k * u, "u * k": lambda k, u: u * k,
          "k - u": lambda k, u: k - u, "u / k": lambda k, u: u / k}[spell]
    with pytest.raises(ValueError, match="direction"):
        op(dg.Dual(0.7, [1.0, 2.0, 3.0], tag=tag), u)
    row = np.array([1.0, -2.0, 0.5, 3.0])
    got = op(dg.Dual(0.7, row, tag=tag), u)
    expected = {"k * u": x[:, None] * row + 0.7 * P, "u * k": x[:, None] * row + 0.7 * P,
                "k - u": row - P, "u / k": P / 0.7 - x[:, None] * row / 0.49}[spell]
    np.testing.assert_allclose(got.partials, expected, rtol=1e-14, atol=1e-15)
