"""np.prod / np.cumprod derivatives beside a zero factor and products out of the float
range, at one to three levels (prod68, diff68 F3); the store refusal's advice for
``np.ndarray(n)`` and ``np.asarray(v)`` buffers (diff68 F8).

A product is linear in each factor, so every partial of order k is the product of the
factors left out of k distinct ones, and 0 where an index repeats.  Oracle: those
products in exact rational arithmetic (``fractions.Fraction``), rounded once to float.
"""

import itertools
import math
import warnings
from fractions import Fraction

import numpy as np
import pytest

import dualgrad as dg
from dualgrad.errors import DualTypeError


def _exact(factors):
    """The product of the float ``factors``, exact then rounded (None: a factor inf/NaN)."""
    if not all(math.isfinite(v) for v in factors):
        return None
    out = Fraction(1)
    for v in factors:
        out *= Fraction(v)
    try:
        return float(out)
    except OverflowError:
        return math.inf if out > 0 else -math.inf


def _prod_partial(x, idx):
    """d^k prod(x) / dx_idx."""
    if len(set(idx)) < len(idx):
        return 0.0 if all(math.isfinite(v) for v in x) else None
    return _exact([v for k, v in enumerate(x) if k not in idx])


def _cumprod_partial(x, i, idx):
    """d^k cumprod(x)[i] / dx_idx."""
    if any(j > i for j in idx):
        return 0.0
    return _prod_partial(list(x[:i + 1]), idx)


def _check(got, want, where, rtol=8e-16):
    """``got`` is ``want`` to a few roundings: inf for inf, 0 for 0, never NaN for a
    finite ``want`` (None: no oracle)."""
    if want is None:
        return
    if math.isinf(want) or want == 0.0:
        assert got == want, (where, got, want)
    else:
        assert got == pytest.approx(want, rel=rtol, abs=2 * 5e-324), (where, got, want)


def _quiet(call, *args):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")         # NumPy's own value may overflow
        return np.asarray(call(*args))


def _jac(f, order):
    """f's derivative of ``order``: dg.jacfwd nested."""
    for _ in range(order):
        f = dg.jacfwd(f)
    return f


def _hess(f, order):
    """dg.hessian's two levels at once (f scalar: its seeds differ from nested jacfwd's),
    under dg.jacfwd for order 3."""
    g = lambda z: dg.hessian(f, z)          # noqa: E731
    return g if order == 2 else dg.jacfwd(g)


# ---- diff68 F3's two reproducers -------------------------------------------------------

def test_prod_hessian_diagonal_is_zero_beside_an_overflowed_inner_partial():
    # H[1, 1] and H[3, 3] were NaN: the seed's 0 times x0 * x2 = 1e400 (inf) one level down
    x = np.array([1e200, 1e-200, 1e200, 1e-300])
    H = _quiet(dg.hessian, np.prod, x)
    for i, j in itertools.product(range(4), repeat=2):
        _check(H[i, j], _prod_partial(list(x), (i, j)), (i, j))


def test_cumprod_jacobian_after_a_zero_factor_is_zero():
    # J[3, 1] was NaN: 0 times the running partial x0 * x2 = 1e400 (inf)
    y = np.array([1e200, 1e-200, 1e200, 0.0])
    J = _quiet(dg.jacobian, np.cumprod, y)
    for i, j in itertools.product(range(4), repeat=2):
        _check(J[i, j], _cumprod_partial(y, i, (j,)), (i, j))


@pytest.mark.parametrize("axis", [0, 1])
def test_cumprod_along_an_axis_rows_with_and_without_zeros(axis):
    rows = np.array([[1e200, 1e-200, 1e200, 0.0, 3.0],     # zero after an overflow
                     [2.0, 1e200, 1e200, -0.0, 3.0],       # signed zero, NumPy's NaN value
                     [5e-324, 1e300, 1e10, 0.0, 2.0],        # subnormal factor
                     [0.5, 1.5, -2.0, 3.0, 0.25]])         # in range
    x = rows if axis == 1 else rows.T.copy()
    J = _quiet(dg.jacobian, lambda a: np.cumprod(a, axis=axis), x)
    for r in range(4):
        for i, j in itertools.product(range(5), repeat=2):
            at = (r, i) if axis == 1 else (i, r)
            got = J[at + ((r, j) if axis == 1 else (j, r))]
            _check(got, _cumprod_partial(rows[r], i, (j,)), (r, i, j))


def test_a_true_infinite_partial_times_a_zero_factor_stays_nan():
    # sqrt at 0: an inf partial that came in, not an overflow: 0 * inf is no number
    J = _quiet(dg.jacobian, lambda t: np.cumprod(np.array([np.sqrt(t[0]), 1e200 + 0 * t[0],
                                                           1e200 + 0 * t[0], 0.0 * t[0]])),
               np.zeros(1))
    assert np.isinf(J[0, 0]) and np.isnan(J[3, 0])


# ---- grids: values with 0, +-1e+-200, 1e-300, subnormals, at one to three levels --------

VALS = [0.0, 1e200, -1e200, 1e-200, 1e-300, 5e-324, 3.0, -0.5]


FIXED = [[1e200, 1e-200, 1e200, 1e-300],          # diff68 F3: x0 x2 = 1e400 beside a seed's 0
         [-1e200, 1e-300, 1e-200, -1e200],
         [1e200, 0.0, 1e200, 1e-200],
         [1e200, 1e200, 1e-300, 0.0]]


def _cases(count):
    rng = np.random.default_rng(68)
    return np.array(FIXED + [rng.choice(VALS, 4) for _ in range(count - len(FIXED))])


@pytest.mark.parametrize("order, nest", [(1, _jac), (2, _jac), (2, _hess), (3, _jac), (3, _hess)])
def test_prod_grid_every_level(order, nest):
    for x in _cases({1: 60, 2: 40, 3: 12}[order]):
        D = _quiet(nest(np.prod, order), x)
        for idx in itertools.product(range(4), repeat=order):
            _check(D[idx], _prod_partial(list(x), idx), (x, idx))


@pytest.mark.parametrize("keepdims", [False, True])
def test_prod_along_an_axis_hessian_blocks(keepdims):
    X = _cases(16)
    K = len(X)

    def f(a):
        return np.sum(np.prod(a.reshape(K, 4), axis=1, keepdims=keepdims))
    D = _quiet(dg.hessian, f, X.ravel())        # block diagonal: each case's own partials
    for c in range(K):
        for idx in itertools.product(range(4), repeat=2):
            _check(D[tuple(4 * c + k for k in idx)], _prod_partial(list(X[c]), idx), (X[c], idx))


@pytest.mark.parametrize("order", [1, 2, 3])
def test_cumprod_grid_no_nan_where_the_exact_partial_is_a_number(order):
    # the zeros and the NaN: exact; products that leave the range between steps of the
    # running partial (1e-300 * 1e-200 before * 1e200) are MISSES' "left" (stop 68)
    X = _cases({1: 160, 2: 30, 3: 8}[order])
    K = len(X)
    for i in range(4):
        def f(a, i=i):
            return np.cumprod(a.reshape(K, 4), axis=1)[:, i]
        D = _quiet(_jac(f, order), X.ravel())
        for c in range(K):
            for idx in itertools.product(range(4), repeat=order - 1):
                for j in range(4):
                    got = D[(c,) + tuple(4 * c + k for k in idx) + (4 * c + j,)]
                    want = _cumprod_partial(X[c], i, idx + (j,))
                    if want is not None and want == want:
                        assert want != 0.0 or got == 0.0, (X[c], i, idx, j, got)
                        assert math.isnan(want) or not math.isnan(got), (X[c], i, idx, j)


def test_nanprod_and_nancumprod_take_the_same_path():
    x = np.array([1e200, np.nan, 1e-200, 1e200, 1e-300])
    H = _quiet(dg.hessian, np.nanprod, x)
    y = [1e200, 1.0, 1e-200, 1e200, 1e-300]          # NaN as one, its partials 0
    for i, j in itertools.product(range(5), repeat=2):
        want = 0.0 if 1 in (i, j) else _prod_partial(y, (i, j))
        _check(H[i, j], want, (i, j))
    z = np.array([1e200, 1e-200, np.nan, 1e200, 0.0])
    J = _quiet(dg.jacobian, np.nancumprod, z)
    w = [1e200, 1e-200, 1.0, 1e200, 0.0]
    for i, j in itertools.product(range(5), repeat=2):
        _check(J[i, j], 0.0 if j == 2 else _cumprod_partial(w, i, (j,)), (i, j))


# ---- diff68 F8: the store refusal's advice ---------------------------------------------

def test_an_ndarray_buffer_is_advised_zeros_like_not_kept_numbers():
    def f(x):
        buf = np.ndarray(len(x))
        for i in range(len(x)):
            buf[i] = x[i] * 2
        return buf
    with pytest.raises(DualTypeError) as caught:
        dg.jacobian(f, np.arange(1.0, 4.0))
    message = str(caught.value)
    assert "keep its numbers" not in message
    assert "buf = np.zeros_like(x, shape=len(x))" in message


def test_an_asarray_alias_is_not_called_a_copy_of_numbers():
    def g(x, v=np.ones(3)):
        out = np.asarray(v)
        out[0] = x[0]
        return out
    with pytest.raises(DualTypeError) as caught:
        dg.jacobian(g, np.arange(1.0, 4.0))
    message = str(caught.value)
    assert "keep its numbers" not in message and "np.zeros_like(x" in message
