"""Derivatives of ``x ** y`` (``y`` a dual too) at ``x = 0``: the limits x -> 0+.

Outside attack 15 (/work/attack15/a5_pow_base0.py, a2_hess_inf.py): the rows' branches
``x == 0`` were constants, so nested duals differentiated a constant where ``x ** y``
is not one: d2/dxdy at (0, 1) was 1 one way, 0 the other (dense 0.5, sparse 1), at
(0, 0.5) +inf; the limit is -inf both.  The oracle: mpmath, the closed form
``d^j/dy^j ((y)_i x**(y-i))`` (falling factorial in x; mp.diff in y, where it is
analytic) at x = 1e-30, 1e-300 and 1e-3000, read as a limit (growing: the signed
infinity; shrinking: 0; constant: that number).  The first derivatives keep the rows'
conventions (d/dx x**0 = 0, d/dy 0**y = 0).
"""

import itertools
import math

import mpmath as mp
import numpy as np
import pytest

import dualgrad as dg

YS = [-2.0, -1.5, -1.0, -0.5, 0.0, 0.25, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0]


def _closed(i, j, x, y):
    """d^i/dx^i d^j/dy^j x**y at (x, y), mpmath numbers, x > 0."""
    def dxi(t):
        fall = mp.mpf(1)
        for k in range(i):
            fall *= t - k
        return fall * x ** (t - i)
    return mp.diff(dxi, y, j) if j else dxi(y)


def _limit(i, j, y):
    """The limit x -> 0+ of d^i/dx^i d^j/dy^j x**y: a float, inf or -inf."""
    with mp.workdps(40):
        v = [_closed(i, j, mp.mpf(10) ** -e, mp.mpf(y)) for e in (30, 300, 3000)]
    a = [abs(t) for t in v]
    if a[0] == a[1] == a[2]:
        return float(v[2])
    if a[0] < a[1] < a[2]:
        assert mp.sign(v[1]) == mp.sign(v[2]), (i, j, y, v)
        return math.copysign(math.inf, float(mp.sign(v[2])))
    assert a[0] > a[1] > a[2] and a[2] < 1e-100, (i, j, y, v)
    return 0.0


def _want(y, order):
    """The array of order ``order`` (2 or 3) of d/dv at (0, y), v = (x, y)."""
    out = np.empty((2,) * order)
    for index in itertools.product(range(2), repeat=order):
        i = index.count(0)
        out[index] = _limit(i, order - i, y)
    return out


def _same(got, want, what):
    got = np.asarray(got, dtype=float)
    assert got.shape == want.shape, what
    assert np.array_equal(got, want), (what, got.tolist(), want.tolist())


POWERS = {"**": lambda v: v[0] ** v[1], "np.power": lambda v: np.power(v[0], v[1]),
          "np.float_power": lambda v: np.float_power(v[0], v[1])}


@pytest.mark.parametrize("engine", ["eager", "fused"])
@pytest.mark.parametrize("power", list(POWERS))
@pytest.mark.parametrize("y", YS)
@pytest.mark.engine_independent
def test_second_and_third_derivatives_at_zero_are_the_limits(y, power, engine):
    """Dense and sparse Hessians, both orders of the mixed derivative, and the third
    derivatives (jacobian of the hessian), at x = 0.0 and -0.0; the gradient keeps the
    conventions.  Fails on main: at y = 1 d2/dxdy is 0.5 dense, 1 sparse (-inf); at
    y = 0.5 +inf (-inf); at y <= 0 d2/dy2 0 (+inf)."""
    f = POWERS[power]
    H, T = _want(y, 2), _want(y, 3)
    with dg.engine(engine):
        for x0 in (0.0, -0.0):
            point = np.array([x0, y])
            what = f"{power} at ({x0!r}, {y}), {engine}"
            grad = dg.gradient(f, point)
            with np.errstate(all="ignore"):
                first = 0.0 if y == 0.0 else y * np.power(x0, y - 1.0)
            _same(grad, np.array([first, 0.0]), what + ": gradient")
            h, t = H.copy(), T.copy()
            if math.copysign(1.0, x0) < 0 and y < 0 and y == round(y):
                # the pure x-derivatives at a pole of an integer power: NumPy's sign of
                # (-0.0)**(y-i), from the left (x**y is two-sided there)
                h[0, 0] = dg.hessian(f, point)[0, 0]
                t[0, 0, 0] = dg.jacobian(lambda v: dg.hessian(f, v), point)[0, 0, 0]
                assert abs(h[0, 0]) == abs(H[0, 0]) and abs(t[0, 0, 0]) == abs(T[0, 0, 0])
            _same(dg.hessian(f, point), h, what + ": hessian")
            _same(dg.hessian(f, point, sparsity="auto").toarray(), h, what + ": sparse")
            _same(dg.jacobian(lambda v: dg.hessian(f, v), point), t, what + ": third")
            xy = dg.gradient(lambda v: dg.gradient(f, v)[0], point)[1]
            yx = dg.gradient(lambda v: dg.gradient(f, v)[1], point)[0]
            _same([xy, yx], np.array([H[0, 1]] * 2), what + ": both orders")


@pytest.mark.parametrize("y", YS)
def test_scalar_duals_nested(y):
    """Scalar duals: dg.derivative nested, in every order of x and y, through the third."""
    H, T = _want(y, 2), _want(y, 3)
    d = dg.derivative
    got = {(0, 1): d(lambda t: d(lambda s: s ** t, 0.0), y),
           (1, 0): d(lambda s: d(lambda t: s ** t, y), 0.0),
           (1, 1): d(lambda t: d(lambda u: 0.0 ** u, t), y),
           (0, 1, 1): d(lambda t: d(lambda u: d(lambda s: s ** u, 0.0), t), y),
           (1, 0, 1): d(lambda u: d(lambda s: d(lambda t: s ** t, u), 0.0), y),
           (0, 0, 1): d(lambda t: d(lambda r: d(lambda s: s ** t, r), 0.0), y),
           (1, 1, 1): d(lambda t: d(lambda u: d(lambda w: 0.0 ** w, u), t), y)}
    for index, value in got.items():
        want = (H if len(index) == 2 else T)[index]
        assert value == want or (math.isnan(want) and math.isnan(value)), (y, index, value,
                                                                           want)


def test_a_sum_of_powers_of_one_base():
    """attack15's g = sum(v0 ** v[1:]) at (0, .5, 1, 2): row 0 of the Hessian was
    [-inf, inf, 0.5, 0] dense and [-inf, 0, 0, 0] sparse; the limits [-inf, -inf, -inf, 0]."""
    g = lambda v: np.sum(v[0] ** v[1:])     # noqa: E731
    point = np.array([0.0, 0.5, 1.0, 2.0])
    want = [-math.inf, -math.inf, -math.inf, 0.0]
    assert np.array_equal(dg.hessian(g, point)[0], want)
    assert np.array_equal(dg.hessian(g, point, sparsity="auto").toarray()[0], want)


@pytest.mark.parametrize("y", [-1.5, 0.0, 0.5, 1.0, 2.0])
@pytest.mark.engine_independent
def test_first_derivatives_inside_jitted_code(y):
    """Users' @njit code sees floats only: the conventions, every spelling."""
    numba = pytest.importorskip("numba")

    @numba.njit
    def h(v):
        return np.array([v[0] ** v[1], np.power(v[0], v[1]), np.float_power(v[0], v[1]),
                         math.pow(v[0], v[1])])
    with np.errstate(all="ignore"):
        first = 0.0 if y == 0.0 else y * np.power(0.0, y - 1.0)
    assert np.array_equal(dg.jacobian(h, np.array([0.0, y])), [[first, 0.0]] * 4)


def test_away_from_zero_and_the_nan_domain_are_unchanged():
    """x != 0: the formulas (complex step on the real line, the closed form for a
    complex base); x < 0 with a non-integer y: NaN as before."""
    f = lambda v: v[0] ** v[1]      # noqa: E731
    for x, y in [(0.5, 1.0), (2.0, -1.5), (1e-300, 0.5)]:
        h = dg.hessian(f, np.array([x, y]))
        with mp.workdps(40):
            X, Y = mp.mpf(x), mp.mpf(y)
            want = [[_closed(2, 0, X, Y), _closed(1, 1, X, Y)],
                    [_closed(1, 1, X, Y), _closed(0, 2, X, Y)]]
        assert np.allclose(h, np.array(want, dtype=float), rtol=1e-13, atol=0), (x, y, h)
    assert np.isnan(dg.hessian(f, np.array([-0.5, 0.5]))).all()
    z = dg.hessian(f, np.array([0.5 + 0.2j, 2.0 + 0j]), holomorphic=True)
    with mp.workdps(40):
        X, Y = mp.mpc(0.5, 0.2), mp.mpf(2)
        want = X ** (Y - 1) * (1 + Y * mp.log(X))
    assert abs(z[0, 1] - complex(want)) <= 1e-13 * abs(complex(want))



def _closed_array(x, y, order):
    """The derivatives of order ``order`` of x**y at (x, y), floats rounded from mpmath
    (``x > 0``)."""
    with mp.workdps(40):
        X, Y = mp.mpf(x), mp.mpf(y)
        return np.array([float(_closed(index.count(0), order - index.count(0), X, Y))
                         for index in itertools.product(range(2), repeat=order)]
                        ).reshape((2,) * order)


@pytest.mark.parametrize("engine", ["eager", "fused"])
@pytest.mark.engine_independent
def test_tiny_bases_whose_power_underflows(engine):
    """attack61: where ``out = x ** y`` underflows beside a representable d2/dxdy
    (x = 1e-200, y = 2: out = 1e-400), ``out * log(x)``'s nested d/dx lost its term
    ``out / x`` (the two orders -9.2103e-198 and -9.2003e-198, the Hessian their mean,
    5e-4 off).  At a subnormal x, ``x ** -1`` overflows, and the regular branch
    ``y * x ** (y - 1)`` was ``0 * inf``: d/dx x**0 NaN for 0, and every derivative of
    order k of ``x ** k`` through it (a polynomial's Hessian).  The oracle: the closed
    forms in mpmath, rounded to floats."""
    f = lambda v: v[0] ** v[1]      # noqa: E731
    d = dg.derivative
    with dg.engine(engine):
        for x, y in itertools.product([1e-160, 1e-200, 1e-300], [1.0, 2.0, 2.5]):
            point = np.array([x, y])
            assert np.allclose(dg.hessian(f, point), _closed_array(x, y, 2), rtol=1e-14,
                               atol=0), (x, y)
            both = [d(lambda t: d(lambda s: s ** t, x), y), d(lambda s: d(lambda t: s ** t, y), x)]
            assert np.allclose(both, _closed_array(x, y, 2)[0, 1], rtol=1e-14, atol=0), (x, y)
        for x in (1e-310, -1e-310, 5e-324):
            assert d(lambda s: s ** 0, x) == 0.0 and d(lambda s: s ** 0.0, x) == 0.0
            assert d(lambda s: d(lambda t: t ** 1.0, s), x) == 0.0
        xs = np.array([1e-310, 2.5, -3e-320, 5e-324])
        assert np.array_equal(dg.jacobian(lambda v: v ** 0.0, xs), np.zeros((4, 4)))
        assert np.array_equal(dg.hessian(lambda v: np.sum(v ** 1.0 + v ** 2), xs),
                              2.0 * np.eye(4))


@pytest.mark.parametrize("engine", ["eager", "fused"])
@pytest.mark.engine_independent
def test_the_tiny_forms_stay_where_they_belong(engine):
    """The forms above only where they are needed: an imaginary y is no zero (d/dx
    x**2j dropped the factor x**2j: attack61 06), ``y / x`` only at a subnormal x (its
    d2/dy2 is 0: d3/dx dy2 x**y at (2, 0) read 0.0 for log 2: attack61 05), the
    underflowed out's form only at |x| <= 1 (at x = 1e300, y = -1.03, x**(y-1) underflows
    first: d/dy read 0.0 for 6.9e-307: attack61 13).  Closed forms in mpmath."""
    d = dg.derivative
    with dg.engine(engine), mp.workdps(40):
        for x, y in [(0.7, 2j), (-2.5, 2j), (3.0, 1j), (0.7, -0.5j)]:
            want = complex(y * mp.power(mp.mpf(x), y - 1))
            got = [d(lambda s: s ** y, x), dg.jacobian(lambda v: v ** y, np.array([x]))[0, 0]]
            assert np.allclose(got, want, rtol=1e-14, atol=0), (x, y, got, want)
        x3 = d(lambda s: d(lambda t: d(lambda u: s ** u, t), 0.0), 2.0)
        assert x3 == pytest.approx(float(mp.log(2)), rel=1e-15, abs=0)
        for x in (1e-310, 5e-324):          # 2 log(x) / x past the largest float (diff61 17)
            assert d(lambda s: d(lambda t: d(lambda u: s ** u, t), 0.0), x) == -np.inf
        for x, y in [(1e300, -1.03), (1e200, -1.545), (2.0, -1030.0), (0.5, 1030.0)]:
            want = float(mp.power(mp.mpf(x), y) * mp.log(x))
            assert d(lambda t: x ** t, y) == pytest.approx(want, rel=1e-12, abs=0), (x, y)
