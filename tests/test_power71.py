"""The power row past 2**53, the signs of zero partials beside a non-finite factor, and
the power / divide reports of the operators in NumPy's words (power71).

(1) attack70 F3: past 2**53 every float is an even integer and ``k - 1.0`` rounds to an
even one, so ``k * x ** (k - 1.0)`` took the even power's sign at a negative base (+k
for -k at x = -1): scalar and array duals, ``np.power``, ``np.float_power``, ``u ** v``,
Hessians, third derivatives and the jit wing alike.  Oracle: mpmath's ``k (k - 1) ...
x**(k - n)`` at 60 digits.

(2) refusals70's Left: the general path's products ``f * p`` wrote +0.0 at every zero
partial once any factor was inf or NaN, where IEEE float code's ``f * dx`` gives -0.0
beside a negative ``f`` (and the compiled square kernel did): ``u ** 2.0`` (power row)
and ``u ** 2`` (square row) differed so with numba loaded.  Oracle: the float code
``2.0 * x * dx`` itself.  Then ``u ** 2.0`` takes ``np.power`` and ``u **= 2``
``np.square`` as NumPy's operators do, and their reports are NumPy's (oracle: NumPy's
own warnings for the float array).
"""

import math
import warnings

import numpy as np
import pytest

import dualgrad as dg

mpmath = pytest.importorskip("mpmath")

# even exponents past 2**53 (k - 1.0 rounds to k, or to k - 2 by ties to even), and
# bases where x ** k stays finite: |x| within a few ulps of 1
KS = [2.0 ** 54, 2.0 ** 53 + 2, 1e30, -(2.0 ** 54), -1e30]
XS = [-1.0, -(1 + 2.0 ** -52), -(1 - 2.0 ** -53), 1 + 2.0 ** -52]


def _exact(x, k, order):
    """d^order/dx^order x**k by mpmath at 60 digits, rounded once."""
    with mpmath.workdps(60):
        x, k = mpmath.mpf(x), mpmath.mpf(k)
        c = mpmath.mpf(1)
        for i in range(order):
            c *= k - i
        return float(c * x ** (k - order))


def _close(got, want):
    got = float(got)
    assert math.copysign(1.0, got) == math.copysign(1.0, want), (got, want)
    assert got == pytest.approx(want, rel=1e-13, abs=0), (got, want)


SPELLINGS = {
    "scalar dual": lambda x, k: dg.gradient(lambda v: v[0] ** k, np.array([x, 1.0]))[0],
    "derivative": lambda x, k: dg.derivative(lambda t: t ** k, x),
    "array dual": lambda x, k: dg.jacobian(lambda v: v ** k, np.array([x, 1.0]))[0, 0],
    "float64 exponent": lambda x, k: dg.jacobian(lambda v: v ** np.float64(k),
                                                 np.array([x, 1.0]))[0, 0],
    "np.power": lambda x, k: dg.jacobian(lambda v: np.power(v, k), np.array([x, 1.0]))[0, 0],
    "np.float_power": lambda x, k: dg.jacobian(lambda v: np.float_power(v, k),
                                               np.array([x, 1.0]))[0, 0],
    "u ** v": lambda x, k: dg.jacobian(lambda v: v[:2] ** v[2:],
                                       np.array([x, 1.0, k, k]))[0, 0],
}


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_the_first_derivative_past_2_53_has_the_odd_powers_sign(spelling):
    for k in KS:
        for x in XS:
            got, want = SPELLINGS[spelling](x, k), _exact(x, k, 1)
            if spelling == "u ** v" and want == 0.0:
                assert got == 0.0       # (an underflowed u ** v's zero: +0.0, left)
                continue
            _close(got, want)


def test_attack70_f3_repro():
    """attack70's F3_bigpow.py: -k at x = -1, where each spelling gave +k."""
    for k in (2 ** 54, 10 ** 30, 2.0 ** 60):
        want = -float(k)
        assert dg.gradient(lambda v: v[0] ** k, np.array([-1.0, 1.0]))[0] == want
        assert dg.jacobian(lambda v: v ** k, np.array([-1.0, 1.0]))[0, 0] == want
        assert dg.jacobian(lambda v: np.power(v, k), np.array([-1.0, 1.0]))[0, 0] == want


def test_second_and_third_derivatives_past_2_53():
    for k in KS:
        for x in XS:
            e2, e3 = _exact(x, k, 2), _exact(x, k, 3)
            X = np.array([x, 1.0])
            _close(dg.hessian(lambda v: np.sum(v ** k), X)[0, 0], e2)
            _close(dg.hessian(lambda v: v[0] ** k + v[1], X)[0, 0], e2)
            _close(dg.derivative(lambda s: dg.derivative(lambda t: t ** k, s), x), e2)
            _close(dg.derivative(lambda r: dg.derivative(
                lambda s: dg.derivative(lambda t: t ** k, s), r), x), e3)


def test_an_overflowing_second_derivative_past_2_53_is_inf_not_nan():
    """x ** (k - 1.0) * x ** c differentiated as a product met inf - inf where the
    power overflows; x ** c is taken on x's value."""
    x, k = -(1 + 2.0 ** -50), 2.0 ** 60
    assert _exact(x, k, 2) == np.inf
    assert dg.derivative(lambda s: dg.derivative(lambda t: t ** k, s), x) == np.inf
    assert dg.hessian(lambda v: np.sum(v ** k), np.array([x, 1.0]))[0, 0] == np.inf


def test_zero_and_far_bases_past_2_53_keep_the_odd_powers_sign():
    """At -0.0, -inf and a subnormal negative base x ** (k - 1) is a signed 0 or inf."""
    for k in (2.0 ** 54, 1e30):
        for x, want in ((-0.0, -0.0), (-np.inf, -np.inf), (-1e-310, -0.0), (-7.0, -np.inf)):
            got = dg.jacobian(lambda v: v ** k, np.array([x, 1.0]))[0, 0]
            assert got == want and math.copysign(1.0, got) == math.copysign(1.0, want)
        for x, want in ((-0.0, np.inf), (-np.inf, 0.0), (-7.0, 0.0)):   # k < 0
            got = dg.jacobian(lambda v: v ** -k, np.array([x, 1.0]))[0, 0]
            assert got == want and math.copysign(1.0, got) == math.copysign(1.0, want)


def test_the_ordinary_range_keeps_its_numbers():
    """2**53 - 1 and 2**53 (k - 1.0 exact) and an infinite exponent as before."""
    for k in (2.0 ** 53, 2.0 ** 53 - 1):
        for x in XS:
            _close(dg.jacobian(lambda v: v ** k, np.array([x, 1.0]))[0, 0], _exact(x, k, 1))
    with np.errstate(all="ignore"):
        got = dg.jacobian(lambda v: v ** np.inf, np.array([2.0, 0.5]))
    np.testing.assert_array_equal(np.diag(got), [np.inf, np.nan])


def test_the_jit_wing_past_2_53():
    numba = pytest.importorskip("numba")

    @numba.njit
    def one(v, k):
        return v[0] ** k

    @numba.njit
    def each(v, k):
        out = np.zeros_like(v)
        for i in range(v.shape[0]):
            out[i] = v[i] ** k
        return out
    for k in (2.0 ** 54, -1e30):
        for x in (-1.0, -(1 + 2.0 ** -52)):
            X = np.array([x, 1.0])
            _close(dg.gradient(lambda v: one(v, k), X)[0], _exact(x, k, 1))
            _close(dg.jacobian(lambda v: each(v, k), X)[0, 0], _exact(x, k, 1))


# ---- (2) zero partials' signs beside a non-finite factor ---------------------------

SPECIAL = np.array([0.0, -0.0, np.nan, np.inf, -np.inf, 1e-310, 1e300, -2.5, 0.3, 7.0])


def _square_spellings():
    def inplace(k):
        def f(v):
            v = v * 1.0
            v **= k
            return v
        return f
    return {"u ** 2": lambda v: v ** 2, "u ** 2.0": lambda v: v ** 2.0,
            "u ** np.float64(2.0)": lambda v: v ** np.float64(2.0),
            "np.power(u, 2.0)": lambda v: np.power(v, 2.0), "np.square(u)": np.square,
            "u **= 2": inplace(2), "u **= 2.0": inplace(2.0)}


@pytest.mark.parametrize("spelling", list(_square_spellings()))
def test_zero_partials_take_the_float_codes_signs_beside_a_non_finite_factor(spelling):
    """refusals70's 585 of 1600 entries: +0.0 where ``2.0 * x * dx`` is -0.0."""
    f = _square_spellings()[spelling]
    x = np.concatenate([SPECIAL, np.random.default_rng(69).normal(size=30) * 3])
    with np.errstate(all="ignore"):
        J = dg.jacobian(f, x)
        float_code = 2.0 * x[:, None] * np.eye(len(x))
    rows = np.isfinite(x)                       # (a non-finite x's row: 0, not NaN)
    np.testing.assert_array_equal(np.signbit(J[rows]), np.signbit(float_code[rows]))
    np.testing.assert_array_equal(J[rows], float_code[rows])


def test_a_product_beside_a_non_finite_factor_keeps_ieee_zero_signs():
    """The general path's ``scaled``: -0.0 at a negative factor's zero partial, 0 (not
    NaN) beside an inf or NaN factor."""
    for other in (np.nan, np.inf):
        x = np.array([-2.5, other])
        with np.errstate(all="ignore"):
            J = dg.jacobian(np.sin, x)       # cos(-2.5) < 0
        assert J[0, 1] == 0.0 and math.copysign(1.0, J[0, 1]) == -1.0
        assert J[1, 0] == 0.0


def _texts(call):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        try:
            call()
        except FloatingPointError as exc:
            return ["FloatingPointError: " + str(exc)]
    return sorted({str(m.message) for m in w if issubclass(m.category, RuntimeWarning)})


@pytest.mark.parametrize("state", ["warn", "raise"])
def test_u_squared_spellings_report_as_numpys_operators(state):
    """``x ** 2.0`` is np.power ("... in power"), ``x **= 2`` np.square ("... in
    square") in NumPy 2.4; the dual's said "square" and "power"."""
    x = np.linspace(-1, 1, 40)
    x[20], x[-1] = 0.0, 1e200
    spellings = _square_spellings()
    for name in ("u ** 2.0", "u **= 2", "u ** 2", "u **= 2.0"):
        f = spellings[name]
        with np.errstate(all=state):
            want = _texts(lambda: f(x.copy()))
            got = _texts(lambda: dg.jvp(f, x, np.ones(40)))
        assert want and got == want, name


# ---- (3) scalar duals' operators in NumPy's float64 scalar words ---------------------

SCALAR_CASES = [
    ("u ** np.int64(3)", lambda t: t ** np.int64(3), (1e200, -1e-200)),       # attack70 M2
    ("u ** np.int64(-1)", lambda t: t ** np.int64(-1), (0.0, 1e-320)),
    ("2.0 ** u", lambda t: 2.0 ** t, (2000.0, -2000.0)),
    ("0.0 ** u", lambda t: 0.0 ** t, (-1.0,)),
    ("(-2.0) ** u", lambda t: (-2.0) ** t, (0.5,)),
    ("u ** (2 u)", lambda t: t ** (t * 2.0), (1e200,)),
    ("u / 0", lambda t: t / 0, (1.0, 0.0, -1.0)),
    ("u / 0.0", lambda t: t / 0.0, (1.0,)),
    ("1.0 / u", lambda t: 1.0 / t, (0.0,)),
    ("u / (u - 1)", lambda t: t / (t - 1.0), (1.0,)),
]


@pytest.mark.parametrize("state", ["warn", "raise"])
@pytest.mark.parametrize("name", [c[0] for c in SCALAR_CASES])
def test_scalar_operators_report_as_numpys_float64_scalar(name, state):
    """"... in scalar power" / "... in scalar divide" where the dual's general path said
    "... in power" / "... in divide"; at a first and a second derivative."""
    f, values = next((f, v) for n, f, v in SCALAR_CASES if n == name)
    for v in values:
        with np.errstate(all=state):
            want = _texts(lambda: f(np.float64(v)))
            first = _texts(lambda: dg.derivative(f, v))
            second = _texts(lambda: dg.derivative(lambda s: dg.derivative(f, s), v))
        assert want and all("scalar" in w for w in want)
        assert first == want, (v, first, want)
        if name not in ("u / 0", "u / (u - 1)") or v != 0.0:     # (0 / 0's slope: left)
            assert second == want, (v, second, want)


def test_the_ufunc_spellings_keep_the_ufuncs_words():
    """np.power(u, k) and np.divide(u, k) of a scalar dual: "... in power" / "... in
    divide", as np.power / np.divide of NumPy's float64 scalar say."""
    for f, v in ((lambda t: np.power(t, np.int64(3)), 1e200), (lambda t: np.divide(t, 0.0), 1.0),
                 (lambda t: np.power(t, 3.0), 1e200)):
        want = _texts(lambda: f(np.float64(v)))
        assert want and not any("scalar" in w for w in want)
        assert _texts(lambda: dg.derivative(f, v)) == want


def test_scalar_words_keep_the_numbers():
    """The operators' values and slopes are the general path's, as before: against
    analytic slopes (and NumPy's float64 values)."""
    with np.errstate(all="ignore"):
        assert dg.derivative(lambda t: t ** np.int64(3), 1e200) == np.inf
        assert dg.derivative(lambda t: t ** np.int64(3), -2.0) == 12.0
        assert dg.derivative(lambda t: 2.0 ** t, 3.0) == pytest.approx(8.0 * math.log(2.0),
                                                                     rel=1e-15)
        assert dg.derivative(lambda t: t / 0.0, 1.0) == np.inf
        assert dg.derivative(lambda t: 1.0 / t, 0.0) == -np.inf
        g = dg.gradient(lambda v: v[0] ** v[1], np.array([2.0, 3.0]))
        np.testing.assert_allclose(g, [12.0, 8.0 * math.log(2.0)], rtol=1e-15)
