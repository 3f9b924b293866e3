"""The table's own trigamma and tetragamma (dualgrad/rules/_special.py), psi's first
and second derivatives.

Against mpmath at 60 digits (an oracle that shares no code with it): within 6 ulp on
[-50, 1e8] with points next to the poles, tiny and huge arguments (SciPy's zeta(2, x),
the former derivative, is within 7 there); its three forms (Python on floats, NumPy's
passes, the numba kernel) give the same bits; the infinities and NaN are SciPy's.
Tetragamma likewise from 1e-300 to 1e300 and down to -2**51 (there against mpmath's
psi(2, 1 - x) and its sinpi / cospi through the reflection formula: mpmath's own psi
takes seconds a point below -1e5), and on every path that differentiates trigamma.
"""

import math

import mpmath as mp
import numpy as np
import pytest
import scipy.special as sc

import dualgrad as dg
from dualgrad.backend import _kernels
from dualgrad.rules import _table
from dualgrad.rules._special import tetragamma, tetragamma_array, trigamma, trigamma_array


def _points():
    rng = np.random.default_rng(16)
    poles = np.arange(0.0, 51.0)
    near = [-k + d for k in poles for d in (1e-13, -1e-13, 1e-7, -1e-7, 0.5, 0.25)]
    x = np.concatenate([
        rng.uniform(-50.0, 0.0, 600), rng.uniform(0.0, 12.0, 600),
        np.exp(rng.uniform(math.log(1e-150), math.log(1e8), 600)),
        -np.exp(rng.uniform(math.log(1e-150), math.log(0.5), 200)),
        near, [1e-150, 9.999999999999998, 10.0, 10.000000000000002, 1e8, 2e8]])
    return x[x != np.floor(x)]          # the poles are checked apart


@pytest.mark.engine_independent
def test_trigamma_within_a_few_ulp_of_mpmath():
    x = _points()
    with mp.workdps(60):
        want = np.array([float(mp.psi(1, mp.mpf(float(v)))) for v in x])
    ulps = np.abs(trigamma_array(x) - want) / np.spacing(np.abs(want))
    scipy_ulps = np.abs(sc.zeta(2.0, x) - want) / np.spacing(np.abs(want))
    worst = int(np.argmax(ulps))
    assert ulps.max() <= 6.0, (x[worst], ulps.max())
    assert ulps.max() <= scipy_ulps.max() + 1.0, (ulps.max(), scipy_ulps.max())


@pytest.mark.engine_independent
def test_trigamma_a_wrong_coefficient_fails_the_oracle():
    """The oracle sees the series: at x = 10 its B_6 term is ~2e-8 of the sum, so a
    truncation after B_4 (what a wrong table of coefficients could give) is far off."""
    t = 1.0 / 10.0
    truncated = sum(1.0 / (0.3 + k) ** 2 for k in range(10)) + \
        t * (1.0 + t * (0.5 + t * (1.0 / 6.0 - t * t / 30.0)))
    with mp.workdps(60):
        want = float(mp.psi(1, 0.3))
    assert abs(truncated - want) > 1e-12 * want
    assert abs(trigamma_array(np.array([0.3]))[0] - want) <= 4e-16 * want


SPECIAL = [0.0, -0.0, -1.0, -2.0, -50.0, -1e20, -2.0 ** 60, np.inf, -np.inf, np.nan, 1e-170,
           1e-300, 5e-324, -1e-170, -5e-324, 1e300, 1e17, 1.5, -1.5]


@pytest.mark.engine_independent
def test_trigamma_infinities_and_nan_are_scipys():
    x = np.array(SPECIAL)
    want = sc.zeta(2.0, x)
    got = trigamma_array(x)
    finite = np.isfinite(want)
    assert np.array_equal(np.isnan(got), np.isnan(want))
    assert np.array_equal(got[np.isinf(want)], want[np.isinf(want)])
    np.testing.assert_allclose(got[finite], want[finite], rtol=1e-15, atol=0.0)


@pytest.mark.engine_independent
@pytest.mark.parametrize("name", ["trigamma", "tetragamma"])
def test_three_forms_give_the_same_bits(name):
    scalar, passes_of, table = {"trigamma": (trigamma, trigamma_array, _table.trigamma),
                                "tetragamma": (tetragamma, tetragamma_array,
                                               _table.tetragamma)}[name]
    x = np.concatenate([_points(), SPECIAL, _far_negative()])
    numpy = passes_of(x)
    with _kernels.use("numba"):
        kernel = table(x)
        strided = table(np.repeat(x, 2)[::2])
        grid = table(x[:1000].reshape(20, 50).T)
    with _kernels.use("numpy"):
        passes = table(x)
    assert np.array_equal(kernel, numpy, equal_nan=True)
    assert np.array_equal(passes, numpy, equal_nan=True)
    assert np.array_equal(strided, numpy, equal_nan=True)
    assert np.array_equal(grid, numpy[:1000].reshape(20, 50).T, equal_nan=True)
    for v, w in zip(x.tolist(), numpy.tolist()):
        try:
            got = scalar(v)
        except ArithmeticError:             # the infinities: the array path's
            assert math.isinf(w), v
            got = table(v)
        assert type(got) in (float, np.float64)
        assert got == w or (math.isnan(got) and math.isnan(w)), v
        assert math.copysign(1.0, got) == math.copysign(1.0, w), v     # -0 too


@pytest.mark.parametrize("engine", ["numba", "numpy"])
def test_psi_derivative_on_array_scalar_and_nested_duals(engine):
    """First derivatives on arrays and floats, and the second (a Hessian's nested dual,
    which the table's trigamma hands to zeta(2, x)'s own rule) against mpmath."""
    x = np.array([-2.5, -0.3, 0.2, 1.0, 3.7, 15.0, 1e5])
    with mp.workdps(40):
        d1 = np.array([float(mp.psi(1, v)) for v in x])
        d2 = np.array([float(mp.psi(2, v)) for v in x])
    with _kernels.use(engine):
        jac = dg.jacobian(sc.psi, x)
        np.testing.assert_allclose(np.diag(jac), d1, rtol=1e-14)
        for v, want in zip(x, d1):
            assert dg.derivative(sc.psi, float(v)) == pytest.approx(want, rel=1e-14)
        for v, want in zip(x, d2):
            got = dg.hessian(lambda t: sc.psi(t[0]), np.array([v]))[0, 0]
            assert got == pytest.approx(want, rel=1e-12)


# ---- tetragamma, psi's second derivative -------------------------------------------------
def _far_negative():
    """Negative non-integers far from 0: half-integers (where the reflection's cosine
    is 0 and the value is psi2(1 - x) ~ -1/x**2 alone), quarters, points next to the
    poles, and random ones down to -2**51."""
    rng = np.random.default_rng(17)
    big = -np.exp(rng.uniform(math.log(60.0), math.log(2.0 ** 51), 300))
    ends = [-1e5 - 0.5, -1e6 - 0.5, -1e9 - 0.5, -2.0 ** 51 - 0.5, -1e6 - 0.25,
            -1e6 + 1e-7, -1e6 - 1e-7, -1e9 + 2.0 ** -20, -123456.75]
    x = np.concatenate([big, np.floor(big) + 0.5, ends])
    return x[x != np.floor(x)]


def _psi2(v):
    """psi(2, v) by mpmath at 60 digits, and the size of the terms the reflection adds
    for v < 0 (the bound's scale where they cancel, at psi2's zeros): mpmath's own psi
    below -60 (it steps up to 0, seconds a point at -1e6) and the reflection formula in
    mpmath's exact sinpi / cospi and its psi at 1 - v (> 60) there."""
    v = mp.mpf(float(v))
    if v > -60:
        got = mp.psi(2, v)
        return got, abs(got) if v > 0 else max(abs(got), abs(mp.psi(2, 1 - v)))
    right = mp.psi(2, 1 - v)
    got = right - 2 * mp.pi ** 3 * mp.cospi(v) / mp.sinpi(v) ** 3
    return got, max(abs(got), abs(right))


@pytest.mark.engine_independent
def test_tetragamma_within_a_few_ulp_of_mpmath():
    """Within 6 ulp of the result's scale (the result itself for x > 0; for x < 0 the
    larger of it and psi2(1 - x), what the reflection cancels near psi2's zeros)
    from 1e-150 to 1e300, next to every pole down to -50, and to -2**51."""
    x = np.concatenate([_points(), _far_negative(),
                        np.exp(np.linspace(math.log(1e8), math.log(1e300), 40))])
    with mp.workdps(60):
        pairs = [_psi2(v) for v in x]
    want = np.array([float(w) for w, _ in pairs])
    scale = np.array([float(c) for _, c in pairs])
    got = tetragamma_array(x)
    infinite = np.isinf(want)           # -2 / x**3 overflows for 0 < x < ~2.2e-103
    assert np.array_equal(got[infinite], want[infinite])
    got, want, scale, x = got[~infinite], want[~infinite], scale[~infinite], x[~infinite]
    ulps = np.abs(got - want) / np.spacing(scale)
    worst = int(np.argmax(ulps))
    assert ulps.max() <= 6.0, (x[worst], ulps.max())
    positive = x > 0                     # no cancellation there: relative ulp
    rel = np.abs(got - want)[positive] / np.spacing(np.abs(want[positive]))
    assert rel.max() <= 4.0, rel.max()


@pytest.mark.engine_independent
def test_tetragamma_at_large_negative_half_integers():
    """psi2(-n - 1/2) = psi2(n + 3/2): the reflection's term is exactly 0 there, so the
    relative error is psi2's at n + 3/2 (SciPy's zeta(3, x) gave 1.5e-3 at -1e6 - 0.5)
    and the time does not grow with n (a loop to 0 would not return at -1e9)."""
    for n in (1e5, 1e6, 1e9, 1e15, 2.0 ** 51):
        x = -n - 0.5
        with mp.workdps(60):
            want = float(mp.psi(2, mp.mpf(n) + 1.5))
        assert tetragamma(x) == pytest.approx(want, rel=1e-15, abs=0.0), x


@pytest.mark.engine_independent
def test_tetragamma_a_wrong_coefficient_fails_the_oracle():
    """The oracle sees the series: at x = 10 its B_8 term (-0.3 / z**10) is 3e-9 of the
    sum, so a table that stopped after B_6 would be far off; the whole one is not."""
    t = 1.0 / 10.0
    truncated = -t * t * (1.0 + t * (1.0 + t * (0.5 + t * t * (-1.0 / 6.0 + t * t / 6.0))))
    with mp.workdps(60):
        want = float(mp.psi(2, 10.0))
    assert abs(truncated - want) > 1e-12 * abs(want)
    assert abs(tetragamma(10.0) - want) <= 4e-16 * abs(want)


@pytest.mark.engine_independent
def test_tetragamma_infinities_and_nan_are_scipys():
    """SciPy's polygamma(2, x) = -2 zeta(3, x): -inf at the poles and at -inf, +inf just
    left of 0, -0 at +inf, NaN at NaN (the sign of the zeros too)."""
    x = np.array(SPECIAL)
    with np.errstate(over="ignore"):
        want = sc.polygamma(2, x)
    got = tetragamma_array(x)
    finite = np.isfinite(want)
    assert np.array_equal(np.isnan(got), np.isnan(want))
    assert np.array_equal(got[np.isinf(want)], want[np.isinf(want)])
    # (SciPy is 3.8e-15 off at -1.5, where this is within half an ulp of mpmath)
    np.testing.assert_allclose(got[finite], want[finite], rtol=1e-14, atol=0.0)
    assert np.array_equal(np.signbit(got[got == 0.0]), np.signbit(want[got == 0.0]))


@pytest.mark.parametrize("engine", ["numba", "numpy"])
def test_psi_second_derivative_is_tetragamma_on_every_nesting(engine):
    """psi's second derivative (trigamma's derivative on a nested dual) on array duals
    (a Hessian), scalar duals (a derivative of a derivative), a Hessian of a loss of
    many psi terms, gammaln's third derivative (psi2: its trigamma on a dual) and psi's
    third (tetragamma on a dual: -2 zeta(3, x)'s rule) against mpmath; at large
    negative half-integers too, where zeta(3, x) took seconds (the reflection's
    term is 0 there: mpmath's psi at 1 - x is the oracle)."""
    x = np.array([-2.5, -0.3, 0.2, 1.0, 3.7, 15.0, 1e5, 1e200])
    far = [-1e6 - 0.5, -1e9 - 0.5]
    with mp.workdps(40):
        d2 = [float(mp.psi(2, v)) for v in x] + [float(mp.psi(2, 1 - mp.mpf(v))) for v in far]
        d3 = [float(mp.psi(3, v)) for v in x[:6]]
        loss = np.array([float(2 * mp.psi(1, v) + v * mp.psi(2, v)) for v in x[:6]])
    x2 = np.concatenate([x, far])
    with _kernels.use(engine):
        for v, want in zip(x2, d2):
            got = dg.hessian(lambda t: sc.psi(t[0]), np.array([v]))[0, 0]
            assert got == pytest.approx(want, rel=1e-14), v
            got = dg.derivative(lambda t: dg.derivative(sc.psi, t), float(v))
            assert got == pytest.approx(want, rel=1e-14), v
        hess = dg.hessian(lambda t: np.sum(t * sc.psi(t)), x[:6])
        np.testing.assert_allclose(np.diag(hess), loss, rtol=1e-14)
        assert np.all(hess[~np.eye(6, dtype=bool)] == 0.0)
        for v, want in zip(x[:6], d2):     # gammaln's third derivative is psi2
            third = dg.derivative(lambda t: dg.derivative(
                lambda u: dg.derivative(sc.gammaln, u), t), float(v))
            assert third == pytest.approx(want, rel=1e-14), v
        for v, want in zip(x[:6], d3):
            third = dg.derivative(lambda t: dg.derivative(
                lambda u: dg.derivative(sc.psi, u), t), float(v))
            assert third == pytest.approx(want, rel=1e-12), v


def test_psi_second_derivative_at_poles_nan_and_complex():
    """A Hessian at a pole is SciPy's -inf, at NaN NaN; a complex point is refused naming
    scipy.special.psi (its derivatives are real only here), never a zeta."""
    assert dg.derivative(lambda t: dg.derivative(sc.psi, t), -3.0) == -np.inf
    assert math.isnan(dg.derivative(lambda t: dg.derivative(sc.psi, t), math.nan))
    with pytest.raises(TypeError, match=r"scipy\.special\.psi") as info:
        dg.hessian(lambda t: sc.psi(t[0] + 1j), np.array([0.5]))
    assert "zeta" not in str(info.value)


def test_entropy_functions_are_constant_off_their_domain():
    # attack48 08: entr = -inf for x < 0, rel_entr = kl_div = inf for x < 0 or y < 0
    # (SciPy's constants): every derivative there is 0; the first was NaN and the
    # Hessian a finite -1/x beside it
    sc = pytest.importorskip("scipy.special")
    assert dg.derivative(sc.entr, -0.5) == 0.0
    assert dg.derivative(lambda s: dg.derivative(sc.entr, s), -0.5) == 0.0
    for f in (sc.rel_entr, sc.kl_div):
        for p in ([-0.5, 1.0], [0.5, -1.0]):
            g = lambda q: f(q[0], q[1])  # noqa: E731
            assert np.all(dg.gradient(g, np.array(p)) == 0.0)
            assert np.all(dg.hessian(g, np.array(p)) == 0.0)
    x, y = 0.7, 1.3                      # inside: the closed forms, unchanged
    np.testing.assert_allclose(dg.hessian(lambda q: sc.kl_div(q[0], q[1]), np.array([x, y])),
                               [[1 / x, -1 / y], [-1 / y, x / y ** 2]], rtol=1e-14)
    assert dg.derivative(lambda s: dg.derivative(sc.entr, s), 0.3) == pytest.approx(-1 / 0.3,
                                                                                    rel=1e-15)
