"""Faddeeva's, Dawson's and erfcx's slopes where float64 still carries them (silent62).

Below the real axis w = wofz has the exponential part ``2 exp(-z**2)``: small in w near
the lower diagonal, it leads w' there, and its phase rounds by ~|z|**2 ulps (diff61 12:
w' 7.6e-5 off at |z| = 1.4e6, 141 % at 3.9e8 with w right).  The row now gives NaN in
that band (dawsn's treatment) and, elsewhere below the axis, the continued fraction at
-z plus the exponential part's own term (its second level had cancelled: 2e-6 at
224 - 224i).  Past |z| = 1e100, where the exponential parts are 0, the three rows take
the leading term ``-out / z`` (the fraction's ``z * z`` overflowed: complex NaN past
|z| ~ 1e154, a real second level's NaN).  Oracles: mpmath at 90 digits, and the
asymptotic series past 1e100 (the next term is ~1e-200 relative).
"""

import mpmath as mp
import numpy as np
import pytest

import dualgrad as dg

sp = pytest.importorskip("scipy.special")


def _wofz(z):
    """w, w' and w'' at z in mpmath (90 digits)."""
    with mp.workdps(90):
        Z = mp.mpc(z)
        w = mp.exp(-Z * Z) * mp.erfc(-1j * Z)
        d1 = 2j / mp.sqrt(mp.pi) - 2 * Z * w
        return w, d1, -2 * w - 2 * Z * d1


def _rel(got, want):
    return float(abs(mp.mpc(complex(got)) - want) / abs(want))


def _both(f, z, n=None):
    """d/dt and d2/dt2 of f(t + z) at 0 (a scalar dual, or an array of n)."""
    u = (lambda t: t + z) if n is None else (lambda t: (t + z) * np.ones(n))
    g1 = np.ravel(dg.derivative(lambda t: f(u(t)), 0.0))[0]
    g2 = np.ravel(dg.derivative(lambda q: dg.derivative(lambda t: f(u(t)), q), 0.0))[0]
    return g1, g2


@pytest.mark.parametrize("engine", ["eager", "fused"])
def test_wofz_slope_below_the_diagonal_is_nan_where_its_phase_is_lost(engine):
    """|exp(-z**2)| = exp(-33) at 3.9e8 (1 ulp off the diagonal): w held to 5e-7, w' was
    7 % off (141 % at diff61's point); at 1.4e6, 7.6e-5 off.  NaN, scalar and array."""
    with dg.engine(engine), np.errstate(all="ignore"):
        for z in (275771644.6627536 - 275771644.6627535j, -(1e6 + 2e-5) - 1e6j):
            for n in (None, 3):
                assert np.isnan(_both(sp.wofz, z, n)).all(), (z, n)


@pytest.mark.parametrize("engine", ["eager", "fused"])
def test_wofz_slopes_below_the_axis_against_mpmath(engine):
    """The fraction at -z plus -4 z exp(-z**2): first and second level to 1e-12 where
    the exponential part counts a little (224 - 224i: the near form's second level
    was 2.2e-6 off, 55.9 - 55.8i 9e-9) and where it leads (-30 - 29.9i)."""
    with dg.engine(engine), np.errstate(all="ignore"):
        for z in (224.1919682744326 - 224.1137241697523j, -55.955491293428366 - 55.76050989066346j,
                  -30 - 29.9j, 1e4 - 3e3j):
            _, d1, d2 = _wofz(z)
            for n in (None, 3):
                g1, g2 = _both(sp.wofz, z, n)
                assert _rel(g1, d1) <= 1e-12 and _rel(g2, d2) <= 1e-12, (z, n, _rel(g1, d1), _rel(g2, d2))


@pytest.mark.parametrize("engine", ["eager", "fused"])
def test_complex_slopes_past_1e154(engine):
    """At z = 1.2e154 (1 -+ 0.5i) the slopes ~ -1 / (2 z**2) are subnormal but carried
    (NaN before: z * z overflowed); at 1 + 1e120 i erfcx's slope was NaN (its off-axis
    band), -1 / (sqrt(pi) z**2) to the last bit."""
    with mp.workdps(40):
        cases = []
        for z in (1.2e154 * (1 + 0.5j), 1.2e154 * (1 - 0.5j)):
            Z = mp.mpc(z)
            cases += [(sp.dawsn, z, -1 / (2 * Z ** 2)), (sp.erfcx, z, -1 / (mp.sqrt(mp.pi) * Z ** 2)),
                      (sp.wofz, z, -1j / (mp.sqrt(mp.pi) * Z ** 2))]
        Z = mp.mpc(1 + 1e120j)
        cases.append((sp.erfcx, 1 + 1e120j, -1 / (mp.sqrt(mp.pi) * Z ** 2)))
    with dg.engine(engine), np.errstate(all="ignore"):
        for f, z, want in cases:
            for n in (None, 3):
                u = (lambda t: t + z) if n is None else (lambda t: (t + z) * np.ones(n))
                got = np.ravel(dg.derivative(lambda t: f(u(t)), 0.0))[0]
                assert abs(mp.mpc(complex(got)) - want) <= 1e-14 * abs(want) + 1e-323, (f, z, n, got)


@pytest.mark.parametrize("engine", ["eager", "fused"])
def test_real_second_levels_past_1e160(engine):
    """d2/dt2 of dawsn(c t) and erfcx(c t) at c = 1e200, t = 1e5: c**2 f''(c t) ~
    1e-215, NaN before (the fraction's derivative met x * x = inf).  D'' ~ 1 / x**3,
    erfcx'' ~ 2 / (sqrt(pi) x**3)."""
    c, t = 1e200, 1e5
    with mp.workdps(40):
        X = mp.mpf(c) * mp.mpf(t)
        wants = ((sp.dawsn, mp.mpf(c) ** 2 / X ** 3),
                 (sp.erfcx, mp.mpf(c) ** 2 * 2 / (mp.sqrt(mp.pi) * X ** 3)))
    with dg.engine(engine), np.errstate(all="ignore"):
        for f, want in wants:
            got = dg.derivative(lambda q: dg.derivative(lambda s: f(c * s), q), t)
            assert abs(got - want) <= 1e-14 * want, (f, got, float(want))


@pytest.mark.parametrize("engine", ["eager", "fused"])
def test_dawsn_erfcx_second_levels_off_the_axis(engine):
    """The near forms' second levels cancel ~|z|**2 times their first (~|z|**4 ulps):
    dawsn at 223.5 + 223.4i was 1.3e-6 off, erfcx at -151 + 180i 1.6e-6, each value
    right.  The fraction plus the exponential part's term now (dawsn; erfcx as i w'(i z)),
    against mpmath at 90 digits to 1e-12."""
    with mp.workdps(90):
        cases = []
        for z in (223.48473809060158 + 223.40674081274992j, -55.955491293428366 + 55.76050989066346j):
            Z = mp.mpc(z)
            d = mp.sqrt(mp.pi) / 2 * mp.exp(-Z * Z) * mp.erfi(Z)
            d1 = 1 - 2 * Z * d
            cases.append((sp.dawsn, z, d1, -2 * d - 2 * Z * d1))
        for z in (-151.06428726200164 + 180.03140705717416j, 1.9349419426528182e-14 - 316j):
            Z = mp.mpc(z)
            e = mp.exp(Z * Z) * mp.erfc(Z)
            d1 = 2 * Z * e - 2 / mp.sqrt(mp.pi)
            cases.append((sp.erfcx, z, d1, 2 * e + 2 * Z * d1))
    with dg.engine(engine), np.errstate(all="ignore"):
        for f, z, d1, d2 in cases:
            for n in (None, 3):
                g1, g2 = _both(f, z, n)
                assert _rel(g1, d1) <= 1e-12 and _rel(g2, d2) <= 1e-12, (f, z, n)


@pytest.mark.parametrize("engine", ["eager", "fused"])
def test_wofz_second_level_on_the_real_axis(engine):
    """A complex z on the real axis at 8 < |z| < 27.3 took the near form, whose second
    level was 1.4e-9 off at 26.55 (the value right): the fraction for w - exp(-z**2)
    and that part's own term now; Re w' (the Gaussian wing, -2 z exp(-z**2)) to 1e-12
    (exp of the rounded z**2: ~z**2 ulps)."""
    with dg.engine(engine), np.errstate(all="ignore"):
        for z in (26.552644562143804 + 0j, -15.0 + 0j, 9.5 + 0j):
            _, d1, d2 = _wofz(z)
            for n in (None, 3):
                g1, g2 = _both(sp.wofz, z, n)
                assert _rel(g1, d1) <= 1e-13 and _rel(g2, d2) <= 1e-13, (z, n, _rel(g1, d1), _rel(g2, d2))
                assert abs(g1.real - float(d1.real)) <= 1e-12 * abs(float(d1.real)), (z, n, g1)
