"""nan59: psi's derivative (trigamma) overflows at tiny arguments beside a tiny partial.

attack58 11: ``d2/dt2 scipy.special.gammaln(c t)`` at c = 1e-160 .. 1e-300 is
``c**2 trigamma(c t)`` ~ ``1 / t**2`` (1.0 at t = 1), and came back inf: trigamma(1e-160)
is 1e320, past the float range, before c's partial 1e-160 scaled it.  The row of
``sc.digamma`` now also writes its derivative as the quotient ``(1 / x + x trigamma(x +
1)) / x`` (the recurrence), applied in two steps where the one number overflows; the
first derivative of ``psi(c t)``, ``c trigamma(c t)`` ~ ``1 / (c t**2)``, was inf for
1e160 the same way.  Oracle: mpmath's polygamma at 50 digits.
"""

import numpy as np
import pytest
import scipy.special as sc

import dualgrad as dg
from dualgrad.backend import _fused

mpmath = pytest.importorskip("mpmath")
pytestmark = pytest.mark.mp_dps(50)   # (tests/conftest.py)

ENGINES = ["eager", "fused"]
SCALES = [1e-160, 1e-200, 1e-300, 1e-100, 0.7]
TS = [1.0, 1.5, 2.0]


def _second(c, t):
    c, t = mpmath.mpf(c), mpmath.mpf(t)
    return float(c ** 2 * mpmath.polygamma(1, c * t))


def _first_psi(c, t):
    c, t = mpmath.mpf(c), mpmath.mpf(t)
    return float(c * mpmath.polygamma(1, c * t))


@pytest.mark.parametrize("c", SCALES)
@pytest.mark.parametrize("t", TS)
def test_gammaln_second_level_at_tiny_scales(c, t):
    got = dg.derivative(lambda u: dg.derivative(lambda s: sc.gammaln(c * s), u), t)
    assert got == pytest.approx(_second(c, t), rel=4e-16)


@pytest.mark.parametrize("c", SCALES)
@pytest.mark.parametrize("t", TS)
def test_psi_first_derivative_at_tiny_scales(c, t):
    got = dg.derivative(lambda s: sc.psi(c * s), t)
    assert got == pytest.approx(_first_psi(c, t), rel=4e-16)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("n", [3, 50, 2000])
@pytest.mark.parametrize("c", [1e-160, 1e-300])
def test_gammaln_second_level_on_arrays(engine, n, c):
    t = np.linspace(1.0, 2.0, n)
    with _fused.engine(engine):
        # (check=False: the first level ~1 / (c t) ~ 1e300 overflows the check's probes)
        d = dg.elementwise_grad(lambda u: dg.elementwise_grad(
            lambda v: sc.gammaln(c * v), check=False)(u), check=False)(t)
    for i in (0, n // 2, n - 1):
        assert d[i] == pytest.approx(_second(c, t[i]), rel=4e-16)


@pytest.mark.parametrize("engine", ENGINES)
def test_gammaln_hessian_at_a_tiny_scale(engine):
    """f = gammaln(1e-160 x0) + gammaln(1e-200 x0 x1): dg.hessian against the closed
    forms (u = c x0 x1: H01 = c psi(u) + c**2 x0 x1 trigamma(u), two terms of +-0.4
    whose sum is ~-5.8e-201: the float sum's rounding, ~1e-16, is its error)."""
    with mpmath.workdps(450):
        c1, c2 = mpmath.mpf(1e-160), mpmath.mpf(1e-200)
        x0, x1 = mpmath.mpf(1.25), mpmath.mpf(2.0)
        u = c2 * x0 * x1
        want = [[float(c1 ** 2 * mpmath.polygamma(1, c1 * x0) + (c2 * x1) ** 2 *
                       mpmath.polygamma(1, u)),
                 float(c2 * mpmath.digamma(u) + c2 ** 2 * x0 * x1 * mpmath.polygamma(1, u))],
                [None, float((c2 * x0) ** 2 * mpmath.polygamma(1, u))]]
    with _fused.engine(engine):
        H = dg.hessian(lambda x: sc.gammaln(1e-160 * x[0]) + sc.gammaln(1e-200 * x[0] * x[1]),
                       np.array([1.25, 2.0]))
    assert H[0, 0] == pytest.approx(want[0][0], rel=1e-15)
    assert H[0, 1] == pytest.approx(want[0][1], abs=2e-16)
    assert H[1, 0] == pytest.approx(want[0][1], abs=2e-16)
    assert H[1, 1] == pytest.approx(want[1][1], rel=1e-15)


@pytest.mark.parametrize("x", [1e-3, 0.3, 1.0, 7.5, 1e3, 1e8])
def test_trigamma_at_ordinary_arguments(x):
    """Control: where trigamma is a number the row's one number is used (mpmath)."""
    assert dg.derivative(sc.digamma, x) == pytest.approx(
        float(mpmath.polygamma(1, mpmath.mpf(x))), rel=1e-15)


@pytest.mark.parametrize("c", [1e160, 1e200, 1e300, 1e100, 3.0])
@pytest.mark.parametrize("t", TS)
def test_psi_second_level_at_large_scales(c, t):
    """attack57 12: d2/dt2 psi(c t) = c**2 psi''(c t) ~ -1 / t**2 went through
    tetragamma's subnormal -1e-320 (-0.99998887 for -1 at 1e160, 0.0 from 1e200)."""
    got = dg.derivative(lambda u: dg.derivative(lambda s: sc.psi(c * s), u), t)
    want = float(mpmath.mpf(c) ** 2 * mpmath.polygamma(2, mpmath.mpf(c) * mpmath.mpf(t)))
    assert got == pytest.approx(want, rel=4e-16)


@pytest.mark.parametrize("x", [0.0, -0.0, -1.0, -2.0])
@pytest.mark.parametrize("name", ["psi", "digamma", "trigamma"])
def test_second_levels_at_the_poles_are_infinite_not_a_crash(name, x):
    """diff59 R3: the digamma row's quotient ``(1 / x + x trigamma(x + 1)) / x`` was
    evaluated in Python floats at the pole x = 0 (and -0.0): ZeroDivisionError where
    4633f09 gave the product's infinity.  At a pole there is no number: the second level
    is infinite (mpmath's polygamma(2, x) beside it grows without bound), on every path."""
    from dualgrad.scipy import special as dsp
    f = (lambda z: dsp.polygamma(1, z)) if name == "trigamma" else getattr(sc, name)
    nested = dg.derivative(lambda u: dg.derivative(f, u), x)
    H = dg.hessian(lambda v: f(v[0] * 1.0) + v[1] ** 2, np.array([x, 1.0]))
    assert np.isinf(nested) and np.isinf(H[0, 0])
    beside = abs(float(mpmath.polygamma(2 if name != "trigamma" else 3, mpmath.mpf(x) + 1e-8)))
    assert beside > 1e20
