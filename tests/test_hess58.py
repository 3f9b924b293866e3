"""Quotient rows' two steps inside users' @njit code, and the power rows' again (hess58).

A local derivative the table writes as a quotient ``a / b`` (``Rule.quotient``) is
applied in two steps where its one number overflows or underflows (hess54 .. hess57);
the numba extension (``dualgrad.jit``) took the one number always: ``1 / x`` at
x = 1e-160 with dx = 1e-200 gave -inf for -1e120, ``x ** 1e-300`` at x = 5e-324 inf for
2.0e23, ``arctan(x)`` at 1e160 with dx = 1e160 0.0 for 1e-160.  With the extension's
two steps the power rows' quotient ``(y out) / x`` is back (87aec22 took it out: the
@njit grid disagreed with NumPy's path, and the nested two steps made x**0.5's Hessian
at 1e-300 NaN, where the one number's -inf is the overflowed exact -2.5e449).
Oracles: closed forms in mpmath at 50 digits.
"""

import math

import mpmath as mp
import numpy as np
import pytest

import dualgrad as dg

numba = pytest.importorskip("numba")

pytestmark = pytest.mark.mp_dps(50)   # (tests/conftest.py)

# (name, jitted f, x, dx, exact derivative as an mpmath function of x, dx)
CASES = [
    ("1 / x", lambda x: 1.0 / x, 1e-160, 1e-200, lambda x, p: -p / x**2),
    ("np.reciprocal", lambda x: np.reciprocal(x), 1e-160, 1e-200, lambda x, p: -p / x**2),
    ("np.log", lambda x: np.log(x), 5e-324, 1e-300, lambda x, p: p / x),
    ("np.log10", lambda x: np.log10(x), 5e-324, 1e-300, lambda x, p: p / (x * mp.log(10))),
    ("x ** 1e-300", lambda x: x ** 1e-300, 5e-324, 1.0,
     lambda x, p: p * mp.mpf(1e-300) * x ** (mp.mpf(1e-300) - 1)),
    ("x ** -1", lambda x: x ** -1.0, 1e160, 1e160, lambda x, p: -p / x**2),
    ("np.power(x, -0.5)", lambda x: np.power(x, -0.5), 1e300, 1e300,
     lambda x, p: -p / 2 * x ** mp.mpf(-1.5)),
    ("np.float_power(x, -1.5)", lambda x: np.float_power(x, -1.5), 1e200, 1e200,
     lambda x, p: -1.5 * p * x ** mp.mpf(-2.5)),
    ("np.arctan", lambda x: np.arctan(x), 1e160, 1e160, lambda x, p: p / (1 + x**2)),
    ("x / y", lambda x: 2.0 / x, 1e-160, 1e-200, lambda x, p: -2 * p / x**2),
]


@pytest.mark.engine_independent
@pytest.mark.parametrize("name, fn, x, p, exact", CASES, ids=[c[0] for c in CASES])
def test_quotient_rows_inside_jitted_code(name, fn, x, p, exact):
    """dg.Dual(x, [p]) through an @njit function: the partial against the closed form,
    and the same as NumPy's path (dualgrad's own rows outside numba)."""
    jitted = numba.njit(fn)
    with np.errstate(all="ignore"):
        got = jitted(dg.Dual(x, [p]))
        numpy_path = fn(dg.Dual(np.array([x]), np.array([[p]])))
    want = float(exact(mp.mpf(x), mp.mpf(p)))
    d = got.partials[0]
    assert math.isfinite(want)
    assert abs(d - want) <= 1e-13 * abs(want), (name, d, want)
    assert abs(numpy_path.partials[0, 0] - d) <= 1e-14 * abs(want), (name, numpy_path, d)


@pytest.mark.engine_independent
def test_the_two_steps_keep_the_products_elsewhere_in_jitted_code():
    """Ordinary arguments: the one number's product, to the bit; 0 / x: 0 and -0 kept;
    an overflow beside a zero partial gives 0, not NaN."""
    f = numba.njit(lambda x, y: x ** y + 1.0 / x + np.log(x))
    with np.errstate(all="ignore"):
        a, b = dg.Dual(1.7, [1.0, 0.0]), dg.Dual(-2.5, [0.0, 1.0])
        got = f(a, b)
        want = f.py_func(a, b)
        assert list(got.partials) == list(want.partials)
        z = numba.njit(lambda x: 1.0 / x)(dg.Dual(0.0, [0.0, 1.0]))
    assert z.partials[0] == 0.0 and z.partials[1] == -math.inf


@pytest.mark.parametrize("engine", ["eager", "fused"])
@pytest.mark.parametrize("spelling", ["**", "np.power", "np.float_power"])
def test_nested_two_steps_keep_an_overflows_infinity(engine, spelling):
    """d2/dx2 x**0.5 at x = 1e-300 is -x**-1.5 / 4 = -2.5e449: -inf (the one number's
    product); the nested two steps alone gave NaN (inf - inf in their quotient rule).
    Beside it the mixed and d2/dy2 entries are finite, against the closed forms."""
    f = {"**": lambda v: v[0] ** v[1], "np.power": lambda v: np.power(v[0], v[1]),
         "np.float_power": lambda v: np.float_power(v[0], v[1])}[spelling]
    x, y = mp.mpf(1e-300), mp.mpf(0.5)
    with dg.engine(engine):
        h = dg.hessian(f, np.array([1e-300, 0.5]))
        h1 = dg.hessian(f, np.array([1e-300, 0.5]), chunk=1)
    for got in (h, h1):
        assert got[0, 0] == -math.inf
        xy = float(x ** (y - 1) * (1 + y * mp.log(x)))
        yy = float(x ** y * mp.log(x) ** 2)
        assert abs(got[0, 1] - xy) <= 1e-13 * abs(xy) and got[1, 0] == got[0, 1]
        assert abs(got[1, 1] - yy) <= 1e-13 * abs(yy)
    d2 = dg.derivative(lambda t: dg.derivative(lambda u: u ** 0.5, t), 1e-300)
    assert d2 == -math.inf


def _float_power_h11(x0, x1, y):
    """d2/dx1^2 (x0 x1)**y = y (y - 1) x0**2 (x0 x1)**(y - 2), mpmath."""
    x0, x1 = mp.mpf(x0), mp.mpf(x1)
    return float(y * (y - 1) * x0**2 * (x0 * x1) ** (y - 2))


with mp.workdps(50):     # (the entries' digits, whatever the collection left)
    D28 = [   # (f, x, {entry: exact}) of diff57 R1 / attack57 d28
        (lambda x: np.float_power(x[0] * x[1], -1.5), [1e-160, 1.0],
         {(1, 1): _float_power_h11(1e-160, 1.0, -1.5)}),
        (lambda x: np.float_power(x[0] * x[1], -1.5), [1e-200, 3.0],
         {(1, 1): _float_power_h11(1e-200, 3.0, -1.5)}),
        (lambda x: (x[0] * x[1]) ** 0.3, [1e-200, 3.0],
         {(0, 0): -math.inf, (1, 1): _float_power_h11(1e-200, 3.0, 0.3),
          (0, 1): float(mp.mpf(0.09) * (mp.mpf(1e-200) * 3) ** mp.mpf(-0.7))}),
        (lambda x: np.arctan(np.exp(x[0] * x[1])) + 0 * x[2], [100.0, 7.06, 0.5], {}),
    ]


@pytest.mark.parametrize("engine", ["eager", "fused"])
@pytest.mark.parametrize("case", range(len(D28)))
def test_hessian_entries_do_not_depend_on_chunk(engine, case):
    """The Hessian is the same at chunk=1, 2 and None, and its finite entries exact:
    chunk=1 refused float_power(x0 x1, -1.5) at (1e-160, 1) as "not a function of x
    alone" (a pass's gradient took the two steps, another's the product), its H11
    3.75e240 was inf at other chunks; arctan(exp(x0 x1))'s H00 at (100, 7.06) was +inf
    at chunk=1, NaN at 2 and None (the plain and nested thresholds differed)."""
    f, x, exact = D28[case]
    with dg.engine(engine), np.errstate(all="ignore"):
        hs = [dg.hessian(f, np.array(x), chunk=c) for c in (1, 2, None)]
    for h in hs[:2]:            # ((x0 x1)**0.3's H11 is 1e-14 .. 3e-14 off at every
        # chunk, differently, as it was at the start of stop 58: the same to 1e-13)
        np.testing.assert_allclose(h, hs[2], rtol=1e-13, atol=0)
    for (i, j), want in exact.items():
        got = hs[2][i, j]
        assert got == want or abs(got - want) <= 1e-13 * abs(want), ((i, j), got, want)


@pytest.mark.parametrize("c, y", [(1e-160, -1.0), (1e-200, -1.0), (1e-300, -0.5),
                                  (1e-100, -3.0), (1e-160, -1.5)])
def test_first_derivative_of_a_small_base_power(c, y):
    """d/dt (c t)**y at t = 1 is y c**y: the row's y x**(y - 1) overflows beside dx = c
    (-inf for -1e160 at c = 1e-160, y = -1; attack58 03), scalar and array paths."""
    want = float(mp.mpf(y) * mp.mpf(c) ** y)
    got = [dg.derivative(lambda t: (c * t) ** y, 1.0),
           dg.gradient(lambda v: np.sum(np.power(c * v, y)), np.array([1.0, 1.0]))[0],
           dg.gradient(lambda v: np.sum((c * v) ** y), np.array([1.0, 1.0]))[0]]
    for g in got:
        assert abs(g - want) <= 1e-13 * abs(want), (c, y, got, want)


@pytest.mark.parametrize("engine", ["eager", "fused"])
@pytest.mark.parametrize("c", [1e-100, 1e-101])
def test_second_level_of_a_small_base_cube(engine, c):
    """d2/dt2 (c t)**3 = 6 c**3 t (6e-300 at c = 1e-100): the two steps' (p a) / b
    underflows (1e-100 * 3e-300) where the one number's product does not; the product
    is kept there (attack58 02, on a preview of this change: 0.0)."""
    want = float(6 * mp.mpf(c) ** 3)
    with dg.engine(engine):
        got = [dg.derivative(lambda u: dg.derivative(lambda t: (c * t) ** 3, u), 1.0),
               dg.hessian(lambda v: (c * v[0]) ** 3 + v[1], np.array([1.0, 1.0]))[0, 0],
               dg.hessian(lambda v: np.sum((c * v) ** 3), np.array([1.0, 2.0, 3.0]))[0, 0],
               dg.hessian(lambda v: np.sum(np.power(c * v, 3.0)), np.linspace(1, 2, 50),
                          chunk=1)[0, 0]]
    for g in got:
        assert abs(g - want) <= 1e-13 * abs(want), (c, got, want)


@pytest.mark.parametrize("x0", [1e-160, 1e-155, 1e-170])
def test_a_dual_exponent_beside_a_subnormal_power(x0):
    """x0**y x1 at (x0, 1, 2): H00 = 2, H01 = 2 x0 (4 x0 for (x0 x1)**y); with out = x0**2
    subnormal (1e-320) the two steps (y out) / x carried its few bits (H00 2.0000223;
    diff58 d2, a regression of this lane's first landing): the product there."""
    for f, h01 in ((lambda x: x[0] ** x[2] * x[1], 2 * x0),
                   (lambda x: np.power(x[0] * x[1], x[2]), 4 * x0)):
        h = dg.hessian(f, np.array([x0, 1.0, 2.0]))
        assert h[0, 0] == 2.0
        assert abs(h[0, 1] - h01) <= 1e-13 * h01
        # (H02 goes through the d/dy row's out log x, out subnormal: not this lane's)
