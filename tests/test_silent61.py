"""Complex Dawson's derivative far from the origin (attack60 09, silent61).

``D'(z) = 1 - 2 z D(z)`` cancels as ``|z|**2`` ulps where ``D ~ 1 / (2 z)`` (every digit
at |z| = 1e8); off the real line the row now takes the continued fraction's ``-2 K(z)
D(z)`` where D's exponential part is negligible in D' too, and gives NaN (not the
cancelled digits) where neither form holds.  Oracle: mpmath at 40 digits,
``D(z) = sqrt(pi) / 2 exp(-z**2) erfi(z)``.
"""

import mpmath as mp
import numpy as np
import pytest

import dualgrad as dg

sp = pytest.importorskip("scipy.special")

FAR = [1e8 + 1e3j, 1e8 - 1j, -1e8 + 5e7j, 1e5 + 1e4j, -300 - 290j, 11 + 1e-3j, 1e12 * (1 + 0.5j),
       40 + 39j, 1e4 + (1e4 - 0.01) * 1j, 1e4 + (1e4 - 0.003) * 1j]


def _dawsn_slope(z):
    with mp.workdps(40):
        Z = mp.mpc(z)
        return 1 - 2 * Z * (mp.sqrt(mp.pi) / 2 * mp.exp(-Z * Z) * mp.erfi(Z))


@pytest.mark.parametrize("engine", ["eager", "fused"])
def test_complex_dawsn_slope_far_from_the_origin(engine):
    """Scalar and array duals (N = 3, the array path at 40) against mpmath: 2e-13."""
    with dg.engine(engine), np.errstate(all="ignore"):
        for z in FAR:
            want = _dawsn_slope(z)
            for n in (None, 3, 40):
                u = (lambda t: t + z) if n is None else (lambda t: (t + z) * np.ones(n))
                got = np.ravel(dg.derivative(lambda t: sp.dawsn(u(t)), 0.0))
                err = max(abs(mp.mpc(g) - want) / abs(want) for g in got)
                assert err <= 2e-13, (z, n, got[0], complex(want))


@pytest.mark.parametrize("engine", ["eager", "fused"])
def test_complex_dawsn_slope_lost_is_nan(engine):
    """Near a diagonal at |z| = 1.4e6, exp(-Re z**2) ~ e**-40: D' = -1 / (2 z**2) - 2 z E
    needs E's phase 2 Re z Im z (2e12 rad) past float64's rounding: NaN, where the near
    form's digits were 1e-4 off (and every one at 1e8).  (At 1e4 + (1e4 - 0.003) i, E's
    term is 1e-10 of D' there: FAR, silent62.)"""
    z = 1e6 + (1e6 - 2e-5) * 1j
    with dg.engine(engine), np.errstate(all="ignore"):
        assert np.isnan(dg.derivative(lambda t: sp.dawsn(t + z), 0.0))


@pytest.mark.parametrize("engine", ["eager", "fused"])
def test_complex_dawsn_slope_near_the_threshold(engine):
    """15 + 14j takes the near form off the axis (|z|**2 < 1e5), good there to 1e-10:
    a far test moved to 4 took the fraction there, 7.8e-9 off (diff61 9)."""
    z = 15 + 14j
    with dg.engine(engine), np.errstate(all="ignore"):
        got = dg.derivative(lambda t: sp.dawsn(t + z), 0.0)
    want = _dawsn_slope(z)
    assert abs(mp.mpc(got) - want) / abs(want) <= 1e-10


@pytest.mark.parametrize("engine", ["eager", "fused"])
def test_complex_erfcx_slopes_off_the_axis(engine):
    """Off the axis at Re z <= 3 and |z|**2 >= 1e5, 2 z erfcx - 2 / sqrt(pi) cancels
    (290 % off at 1 + 1e8 i; 76834f6 raised TypeError for a scalar, gave the cancelled
    digits for an array: diff61 19; silent61 made it NaN): i w'(i z) by Faddeeva's
    fraction (silent62), scalar and array, first and second level against mpmath at 60
    digits to 1e-14 (0.5 - 7i, the near form: 4e-14; -224 + 223.9i: erfcx's exponential
    part leads, its phase as good as SciPy's value, 5.5e-12); NaN where that part's phase is lost in the slope alone
    (diff61 12's point, 1 ulp off the anti-diagonal)."""
    with dg.engine(engine), np.errstate(all="ignore"), mp.workdps(60):
        for z in (1 + 1e8j, 2.9 + 1e4j, -5e8 - 8.66e8j, 1e-5 - 1e8j, -1e6 - 1e8j, 0.5 - 7j, -224 + 223.9j):
            Z = mp.mpc(z)
            e = mp.exp(Z * Z) * mp.erfc(Z)
            d1 = 2 * Z * e - 2 / mp.sqrt(mp.pi)
            d2 = 2 * e + 2 * Z * d1
            tol = {-224 + 223.9j: 1e-11, 0.5 - 7j: 1e-12}.get(z, 1e-14)     # (near forms)
            for n in (None, 3):
                u = (lambda t: t + z) if n is None else (lambda t: (t + z) * np.ones(n))
                g1 = np.ravel(dg.derivative(lambda t: sp.erfcx(u(t)), 0.0))[0]
                g2 = np.ravel(dg.derivative(lambda q: dg.derivative(lambda t: sp.erfcx(u(t)), q), 0.0))[0]
                assert abs(mp.mpc(g1) - d1) <= tol * abs(d1), (z, n, g1, complex(d1))
                assert abs(mp.mpc(g2) - d2) <= tol * abs(d2), (z, n, g2, complex(d2))
        z = -273806530.59881335 + 273806530.5988134j
        for n in (None, 3):
            u = (lambda t: t + z) if n is None else (lambda t: (t + z) * np.ones(n))
            assert np.isnan(dg.derivative(lambda t: sp.erfcx(u(t)), 0.0)).all(), n


@pytest.mark.parametrize("engine", ["eager", "fused"])
def test_complex_erfcx_second_level(engine):
    """A second level of erfcx at a complex point raised TypeError (the row's switch
    compared a complex dual, z > 3).  erfcx' and erfcx'' = 2 erfcx + 2 z erfcx' against
    mpmath at 60 digits, on both sides of the switch."""
    with dg.engine(engine), np.errstate(all="ignore"), mp.workdps(60):
        for z in (-20 + 19j, 5 + 3j, 3.5 + 1e8j, 7.0):
            Z = mp.mpc(z)
            e = mp.exp(Z * Z) * mp.erfc(Z)
            d1 = 2 * Z * e - 2 / mp.sqrt(mp.pi)
            d2 = 2 * e + 2 * Z * d1
            g1 = dg.derivative(lambda t: sp.erfcx((t + z) * np.ones(3)), 0.0)[0]
            g2 = dg.derivative(lambda q: dg.derivative(lambda t: sp.erfcx(t + z), q), 0.0)
            assert abs(mp.mpc(g1) - d1) <= 1e-14 * abs(d1), (z, g1, complex(d1))
            assert abs(mp.mpc(g2) - d2) <= 1e-14 * abs(d2), (z, g2, complex(d2))


@pytest.mark.parametrize("n, k, p", [(1e9, 10.0, 1 - 1e-7), (1e12, 100.0, 1 - 1e-6),
                                     (1e15, 1000.0, 1 - 1e-7), (1e6, 30.0, 1 - 1e-4),
                                     (1e15, 1e5, 0.9)])
def test_nbinom_n_slope_from_k_10_away_from_the_mode(n, k, p):
    """d/dn logpmf = psi(n + k) - psi(n) + log p (mpmath, 50 digits) for k >= 10 where the
    Stirling form near the mode does not reach (attack60 10): SciPy's two psi values
    cancelled (5e-8 relative at n = 1e9, k = 10, p = 1 - 1e-7; 8e7 ulps of the terms at
    1e15).  The bound: 8 ulps of the terms' size, k / n + |log p| (log p's own rounding)."""
    ds = pytest.importorskip("dualgrad.scipy.stats")
    g = dg.gradient(lambda v: ds.nbinom.logpmf(k, v[0], v[1]), np.array([n, p]))
    with mp.workdps(50):
        N, K, P = mp.mpf(n), mp.mpf(k), mp.mpf(p)
        want = mp.digamma(N + K) - mp.digamma(N) + mp.log(P)
        assert abs(g[0] - want) <= 8 * 2.2e-16 * (K / N + abs(mp.log(P))), (g[0], float(want))


@pytest.mark.parametrize("engine", ["eager", "fused"])
@pytest.mark.parametrize("c", [1e150, 1e200, 1e300])
def test_polygamma_slopes_beside_a_huge_input_partial(engine, c):
    """d/dt and d2/dt2 of polygamma(1, c t): c psi''(c t) and c**2 psi'''(c t) are ~1 / c
    while psi'' ~ -1 / q**2 underflows (-0.0 for -5.9e-201 at c = 1e200; the second
    level 0.0 from c = 1e150).  Oracle: psi^(k)(q)'s asymptotic series to three terms in
    mpmath (the next is ~q**-3 of the first)."""
    dsp = pytest.importorskip("dualgrad.scipy.special")
    t = 1.3
    with mp.workdps(40):
        Q = mp.mpf(c) * mp.mpf(t)

        def psi(k):
            return (-1) ** (k + 1) * (mp.factorial(k - 1) / Q ** k + mp.factorial(k) / (2 * Q ** (k + 1))
                                      + mp.factorial(k + 1) / (12 * Q ** (k + 2)))
        w1, w2 = mp.mpf(c) * psi(2), mp.mpf(c) ** 2 * psi(3)
    with dg.engine(engine), np.errstate(all="ignore"):
        g1 = dg.derivative(lambda s: dsp.polygamma(1, c * s * np.ones(3)), t)[0]
        g2 = dg.derivative(lambda q: dg.derivative(lambda s: dsp.polygamma(1, c * s), q), t)
    assert abs(g1 - w1) <= 1e-15 * abs(w1), (g1, float(w1))
    assert abs(g2 - w2) <= 1e-15 * abs(w2), (g2, float(w2))


@pytest.mark.parametrize("engine", ["eager", "fused"])
@pytest.mark.parametrize("c", [1e210, 1e300, -1e300])
def test_i0e_i1e_slopes_beside_a_huge_input_partial(engine, c):
    """d/dt and d2/dt2 of i0e(c t) and i1e(c t): ~|c|**-1/2 while f' ~ -|x|**-3/2 /
    (2 sqrt(2 pi)) underflows (-0.0 for -1.3e-151 at c = 1e300).  Oracle: Hankel's
    expansion to three terms, differentiated in mpmath (the next is ~x**-3 of the first)."""
    t = 1.3
    with mp.workdps(40):
        X, k = abs(mp.mpf(c) * mp.mpf(t)), (2 * mp.pi) ** -0.5
        sign = 1 if c > 0 else -1
        for f, A, B, s1, s2 in ((sp.i0e, mp.mpf(1) / 8, mp.mpf(9) / 128, sign, 1),
                                (sp.i1e, -mp.mpf(3) / 8, -mp.mpf(15) / 128, 1, sign)):
            w1 = s1 * mp.mpf(c) * k * (-X ** -1.5 / 2 - 3 * A / 2 * X ** -2.5 - 5 * B / 2 * X ** -3.5)
            w2 = s2 * mp.mpf(c) ** 2 * k * (3 * X ** -2.5 / 4 + 15 * A / 4 * X ** -3.5)
            with dg.engine(engine), np.errstate(all="ignore"):
                g1 = dg.derivative(lambda q: f(c * q * np.ones(3)), t)[0]
                g2 = dg.derivative(lambda q: dg.derivative(lambda r: f(c * r), q), t)
            assert abs(g1 - w1) <= 1e-15 * abs(w1), (f, g1, float(w1))
            assert abs(g2 - w2) <= 1e-15 * abs(w2), (f, g2, float(w2))
