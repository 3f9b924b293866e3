"""Second and third derivatives of np.prod / np.cumprod where products of the factors
leave the float range one level down (cumprod70: cumprod69's Left (1)).

A product is linear in each factor, so every partial of order k of ``prod(x)`` is the
product of the factors left out of k distinct ones, and 0 where an index repeats; for
factors ``g(x)`` the chain rule's sum of such products.  Oracle: those products in exact
rational arithmetic (``fractions.Fraction``), rounded once to float (inf past the range;
an inf factor times a nonzero product inf, times an exact 0 NaN: IEEE's product of the
few floats where they hold an inf).  Each entry is compared exactly where it is 0 or
inf, to 1e-13 relative otherwise.
"""

import itertools
import math
import warnings
from fractions import Fraction

import numpy as np
import pytest

import dualgrad as dg

ENGINES = ["auto", "numpy"]


def _exact(factors):
    """The product of the float ``factors``: exact then rounded once; with an inf or NaN
    factor IEEE's product of them (inf times a finite nonzero inf, times 0 NaN)."""
    if not all(math.isfinite(v) for v in factors):
        out = 1.0
        for v in factors:
            out *= v if not math.isfinite(v) else (0.0 if v == 0.0 else math.copysign(1.0, v))
        return out
    out = Fraction(1)
    for v in factors:
        out *= Fraction(v)
    try:
        return float(out)
    except OverflowError:
        return math.inf if out > 0 else -math.inf


def _prod_partial(x, idx):
    """d^k prod(x) / dx_idx: 0 where an index repeats."""
    if len(set(idx)) < len(idx):
        return 0.0
    return _exact([v for k, v in enumerate(x) if k not in idx])


def _cumprod_partial(x, i, idx):
    """d^k cumprod(x)[i] / dx_idx."""
    if any(j > i for j in idx):
        return 0.0
    return _prod_partial(list(x[:i + 1]), idx)


def _close(got, want):
    if want != want:
        return got != got
    if want == 0.0 or math.isinf(want):
        return got == want
    return abs(got - want) <= 1e-13 * abs(want) + 1e-323


def _quiet(call, *args, engine="auto"):
    with warnings.catch_warnings(), dg.backend.use(engine):
        warnings.simplefilter("ignore")         # NumPy's own value may overflow
        return np.asarray(call(*args))


def _nest(f, order):
    for _ in range(order):
        f = dg.jacfwd(f)
    return f


SECOND = {"hessian": lambda f: (lambda z: dg.hessian(f, z)),
          "jacfwd2": lambda f: _nest(f, 2)}


def _wrong(D, want_of, order, n):
    """The entries of ``D`` (order ``order`` over n inputs) that differ from the oracle."""
    out = []
    for idx in itertools.product(range(n), repeat=order):
        want = want_of(idx)
        if not _close(D[idx], want):
            out.append((idx, D[idx], want))
    return out


# ---- cumprod69's Left (1): the reported point -------------------------------------------

X = np.array([np.inf, 1e200, 5e-324, -0.5])


@pytest.mark.parametrize("how", list(SECOND))
@pytest.mark.parametrize("engine", ENGINES)
def test_the_reported_point(how, engine):
    # H[1, 0] = x2 x3 = -0.0, H[1, 1] = 0 were NaN (x2 x3 underflowed to -0 before the
    # times 1e200 / inf one level down)
    H = _quiet(SECOND[how](np.prod), X, engine=engine)
    assert _wrong(H, lambda idx: _prod_partial(list(X), idx), 2, 4) == []
    assert H[1, 0] == 0.0 and math.copysign(1.0, H[1, 0]) == -1.0
    C = _quiet(SECOND[how](lambda z: np.cumprod(z)[3]), X, engine=engine)
    assert _wrong(C, lambda idx: _prod_partial(list(X), idx), 2, 4) == []


def test_the_inner_gradient_of_the_reported_point():
    # under jacfwd(jacfwd(np.prod)) the inner gradient read [0, NaN, -inf, inf]
    seen = []

    def inner(z):
        g = dg.jacfwd(np.prod)(z)
        seen.append(g.value)
        return g
    _quiet(dg.jacfwd(inner), X)
    want = [_prod_partial(list(X), (i,)) for i in range(4)]
    assert want[0] == pytest.approx(-2.4703282292062327e-124, rel=1e-15)
    assert all(_close(g, w) for g, w in zip(np.asarray(seen[0]), want)), seen[0]


# ---- random points of 1e-300..1e300 with zeros ------------------------------------------

def _points(seed, count, length):
    rng = np.random.default_rng(seed)
    x = 10.0 ** rng.uniform(-300, 300, (count, length)) * rng.choice([-1, 1], (count, length))
    x[rng.random((count, length)) < 0.15] = 0.0
    x[rng.random((count, length)) < 0.03] = 5e-324 * 7919.0         # subnormal
    x[rng.random((count, length)) < 0.03] = np.inf
    return x


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("how", list(SECOND))
def test_random_points_prod_and_cumprod_second_derivatives(how, engine):
    # cumprod69_hessian_grid's points: 62 / 51 of 1500 entries off for prod, 64 / 71 for
    # cumprod[4] before
    for x in _points(7000, 30, 5):
        H = _quiet(SECOND[how](np.prod), x, engine=engine)
        assert _wrong(H, lambda idx: _prod_partial(list(x), idx), 2, 5) == [], x
        for i in (2, 4):
            C = _quiet(SECOND[how](lambda z, i=i: np.cumprod(z)[i]), x, engine=engine)
            assert _wrong(C, lambda idx: _cumprod_partial(x, i, idx), 2, 5) == [], (x, i)


@pytest.mark.parametrize("nest", ["jacfwd3", "hessian-under-jacfwd"])
def test_third_derivatives(nest):
    third = (_nest(np.prod, 3) if nest == "jacfwd3" else
             dg.jacfwd(lambda z: dg.hessian(np.prod, z)))
    for x in _points(7011, 6, 5):
        D = _quiet(third, x)
        assert _wrong(D, lambda idx: _prod_partial(list(x), idx), 3, 5) == [], x


def test_a_long_row_of_factors_near_one_and_far_ones():
    # 40 factors: the window's per-row sums, the pairwise products of the scaled path
    rng = np.random.default_rng(7020)
    x = rng.uniform(0.5, 2.0, 40)
    x[[3, 17, 30]] = [1e-300, 1e250, 1e200]
    H = _quiet(dg.hessian, np.prod, x)
    assert _wrong(H, lambda idx: _prod_partial(list(x), idx), 2, 40) == []
    C = _quiet(dg.jacfwd(dg.jacfwd(lambda z: np.cumprod(z)[-1])), x)
    assert _wrong(C, lambda idx: _prod_partial(list(x), idx), 2, 40) == []


# ---- factors with partials of their own (a cross level, scales far from 1) --------------

def _frac_prod(values):
    out = Fraction(1)
    for v in values:
        out *= v
    return out


def _round(q):
    try:
        return float(q)
    except OverflowError:
        return math.inf if q > 0 else -math.inf


@pytest.mark.parametrize("engine", ENGINES)
def test_squares_of_far_factors(engine):
    # prod(x**2): factors with a second level of their own (2) and first (2 x), values
    # v = x**2 as the power rounds them: d2 / dxi dxj = 2 x_i 2 x_j prod_{k != i, j} v_k,
    # d2 / dxi2 = 2 prod_{k != i} v_k
    for x in ([1e-100, 1e100, 3.0, 1e-60], [1e150, 1e-150, 2.0, -1e10],
              [1e-160, 1e150, 1e140, 0.5]):
        v = [Fraction(a * a) for a in x]            # (1e-160**2: subnormal, as the power's)

        def want(idx):
            i, j = idx
            if i == j:
                return _round(2 * _frac_prod(w for k, w in enumerate(v) if k != i))
            return _round(4 * Fraction(x[i]) * Fraction(x[j]) *
                          _frac_prod(w for k, w in enumerate(v) if k not in idx))
        for how in SECOND:
            H = _quiet(SECOND[how](lambda z: np.prod(z ** 2)), np.array(x), engine=engine)
            assert _wrong(H, want, 2, 4) == [], (x, how)


@pytest.mark.parametrize("engine", ENGINES)
def test_scaled_factors(engine):
    # prod(s * x) at x = 1: each coefficient s_i s_j prod_{k != i, j} s_k, partials of
    # 1e-300 beside factors of 1e200
    s = np.array([1e-300, 1e200, 1e200, 1e-200, 1e150])
    x = np.ones(5)

    def want(idx):
        if idx[0] == idx[1]:
            return 0.0
        return _exact([s[idx[0]], s[idx[1]]] + [v for k, v in enumerate(s) if k not in idx])
    for how in SECOND:
        H = _quiet(SECOND[how](lambda z: np.prod(s * z)), x, engine=engine)
        assert _wrong(H, want, 2, 5) == [], how
        C = _quiet(SECOND[how](lambda z: np.cumprod(s * z)[4]), x, engine=engine)
        assert _wrong(C, want, 2, 5) == [], how


# ---- along an axis ----------------------------------------------------------------------

@pytest.mark.parametrize("axis", [0, 1])
@pytest.mark.parametrize("keepdims", [False, True])
def test_prod_along_an_axis_hessian_blocks(axis, keepdims):
    rows = _points(7030, 6, 5)
    rows[1] = [0.5, 1.5, -2.0, 3.0, 0.75]                  # in range beside far rows
    X = rows if axis == 1 else rows.T.copy()

    def f(a):
        return np.sum(np.prod(a.reshape(X.shape), axis=axis, keepdims=keepdims))
    D = _quiet(dg.hessian, f, X.ravel()).reshape(X.shape + X.shape)
    for r in range(6):
        block = D[r, :, r, :] if axis == 1 else D[:, r, :, r]
        assert _wrong(block, lambda idx: _prod_partial(list(rows[r]), idx), 2, 5) == [], r


@pytest.mark.parametrize("axis", [0, 1])
def test_cumprod_along_an_axis(axis):
    rows = _points(7040, 5, 4)
    X = rows if axis == 1 else rows.T.copy()

    def f(a):
        c = np.cumprod(a.reshape(X.shape), axis=axis)
        return c[:, 3] if axis == 1 else c[3]
    D = _quiet(dg.jacfwd(dg.jacfwd(f)), X.ravel())        # (5, 20, 20)
    D = D.reshape((5,) + X.shape + X.shape)
    for r in range(5):
        block = D[r, r, :, r, :] if axis == 1 else D[r, :, r, :, r]
        assert _wrong(block, lambda idx: _prod_partial(list(rows[r]), idx), 2, 4) == [], r


# ---- complex factors ---------------------------------------------------------------------

def test_complex_factors_norm_wise():
    # real(prod(c * x)) at x = 1: d2 / dxi dxj = real(c_i c_j prod_{k != i, j} c_k)
    c = np.array([1e200 + 1e200j, 1e200 - 2e200j, 1e-300j, 3e-150 + 1e-150j, 0.5])

    def exact(idx):
        re, im = Fraction(1), Fraction(0)
        for v in [c[idx[0]], c[idx[1]]] + [v for k, v in enumerate(c) if k not in idx]:
            a, b = Fraction(v.real), Fraction(v.imag)
            re, im = re * a - im * b, re * b + im * a
        return re, im
    H = _quiet(dg.hessian, lambda z: np.real(np.prod(c * z)), np.ones(5))
    for i, j in itertools.product(range(5), repeat=2):
        if i == j:
            assert H[i, j] == 0.0
            continue
        re, im = exact((i, j))
        norm = math.sqrt(float(re * re + im * im))
        assert abs(H[i, j] - float(re)) <= 1e-13 * norm, (i, j, H[i, j], float(re))


# ---- in range: the dual products as before ----------------------------------------------

def test_in_range_products_keep_the_dual_products(monkeypatch):
    from dualgrad.dispatch import _far_products
    called = []
    for name in ("prod_partials", "cumprod_partials"):
        real = getattr(_far_products, name)
        monkeypatch.setattr(_far_products, name,
                            lambda *a, real=real, name=name: called.append(name) or real(*a))
    x = np.linspace(0.5, 1.5, 300)
    dg.hessian(np.prod, x)
    dg.hessian(lambda z: np.sum(np.cumprod(z)), x)
    dg.jacfwd(dg.jacfwd(np.prod))(np.linspace(-3.0, 3.0, 40))
    assert called == []
    dg.hessian(np.prod, X[1:])                             # (1e200 * 5e-324 one level down)
    assert called == ["prod_partials"]


# ---- np.prod over several axes ------------------------------------------------------------

@pytest.mark.parametrize("axis, keepdims", [(None, False), ((0, 1), True), ((1, 0), False)])
def test_prod_over_several_axes_at_once(axis, keepdims):
    # reduced axis by axis, the row product 1e200 * 1e200 (inf) made d / dx[1, 1] inf for
    # x00 x01 x10 = 1e100, at the first level too
    X = np.array([[1e200, 1e200], [1e-300, 2.0]])
    flat = list(X.ravel())
    g = _quiet(dg.gradient, lambda z: np.sum(np.prod(z, axis=axis, keepdims=keepdims)), X)
    assert _wrong(g.ravel(), lambda idx: _prod_partial(flat, idx), 1, 4) == []
    H = _quiet(dg.hessian, lambda z: np.prod(z.reshape(2, 2), axis=axis), X.ravel())
    assert _wrong(H.reshape(4, 4), lambda idx: _prod_partial(flat, idx), 2, 4) == []


def test_prod_over_two_of_three_axes():
    rng = np.random.default_rng(7050)
    X = 10.0 ** rng.uniform(-200, 200, (2, 3, 2))
    X[:, 1, :] = [[1e200, 1e200], [1e-300, 2.0]]          # the first pass's 1e400
    G = _quiet(dg.jacobian, lambda z: np.prod(z, axis=(0, 2)), X)      # (3, 2, 3, 2)
    for j in range(3):
        block = list(X[:, j, :].ravel())
        got = G[j][:, j, :].ravel()
        assert _wrong(got, lambda idx: _prod_partial(block, idx), 1, 4) == [], j
        assert not G[j][:, [k for k in range(3) if k != j], :].any()


@pytest.mark.parametrize("engine", ENGINES)
def test_exponentials_every_coefficient_of_each_factor(engine):
    # prod(exp(x)): each factor's value, partials and cross level all exp(x_k) (1e-300 ..
    # 1e300), so every Hessian entry is the product of the factors, the diagonal too
    rng = np.random.default_rng(7060)
    for x in rng.uniform(-700.0, 700.0, (12, 5)):
        whole = _exact(list(np.exp(x)))
        for f in (lambda z: np.prod(np.exp(z)), lambda z: np.cumprod(np.exp(z))[-1]):
            H = _quiet(dg.hessian, f, x, engine=engine)
            assert _wrong(H, lambda idx: whole, 2, 5) == [], x
