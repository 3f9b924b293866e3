"""Second levels of a quotient whose numerator is 0 at the point, at extreme scales
(attack59 15, second60).

``f = (p - 1) / (c p)`` at p = 1: the nested local derivative ``-out / h`` of the
divide row has value 0 (``out`` is 0) and partial ``-1 / c**2``, which underflows
(c = 1e200: 0.0) or overflows (c = 1e-160: -inf) where the product ``f * p`` needs it
times ``dh = c``; the two steps ``(p a) / b`` keep it.  f''(1) = -2 / c was -1e-200
for -2e-200 and -inf for -2e160.  Oracles: closed forms in mpmath at 40 digits.
"""

import mpmath as mp
import numpy as np
import pytest

import dualgrad as dg

pytestmark = pytest.mark.mp_dps(40)   # (tests/conftest.py)

SCALES = [1e160, 1e200, 1e300, 1e-160, 1e-200, 1e-300]


def d2(f, x):
    return dg.derivative(lambda q: dg.derivative(f, q), x)


def _close(got, want, rtol=1e-14):
    want = float(want)
    got = np.ravel(np.asarray(got, float))
    assert np.all(np.abs(got - want) <= rtol * abs(want)), (got, want)


@pytest.mark.parametrize("engine", ["eager", "fused"])
@pytest.mark.parametrize("c", SCALES)
def test_zero_numerator_second_level_scalar_and_arrays(engine, c):
    """(p - 1) / (c p): f'' = -2 / c, f''' = 6 / c at p = 1; the scalar path, a small
    array (elementwise nested scalars) and arrays the array path takes (N = 17, 40)."""
    C = mp.mpf(c)
    with dg.engine(engine), np.errstate(all="ignore"):
        _close(d2(lambda p: (p - 1.0) / (c * p), 1.0), -2 / C)
        _close(d2(lambda p: np.divide(p - 1.0, c * p), 1.0), -2 / C)
        _close(dg.derivative(lambda r: d2(lambda p: (p - 1.0) / (c * p), r), 1.0), 6 / C)
        for n in (3, 17, 40):
            _close(d2(lambda p: (np.full(n, 1.0) * p - 1.0) / (c * (np.full(n, 1.0) * p)), 1.0),
                   -2 / C)


@pytest.mark.parametrize("engine", ["eager", "fused"])
@pytest.mark.parametrize("c", SCALES)
def test_zero_numerator_second_level_log_over_scale(engine, c):
    """scipy-style log(p) / (c p): f''(1) = -3 / c (scalar and array)."""
    C = mp.mpf(c)
    with dg.engine(engine), np.errstate(all="ignore"):
        _close(d2(lambda p: np.log(p) / (c * p), 1.0), -3 / C)
        _close(d2(lambda p: np.log(np.full(20, 1.0) * p) / (c * p), 1.0), -3 / C)


@pytest.mark.parametrize("engine", ["eager", "fused"])
@pytest.mark.parametrize("c", SCALES)
def test_zero_numerator_hessian(engine, c):
    """H01 of (v0 - 1) / (c v1) at (1, 1) is -1 / c; the summed array form's H[0, n] too,
    at chunk None (n = 20) and 1 (n = 4: chunk 1 costs n**2 passes, and n = 20 takes
    the same branch of the nested array quotient, ``_ufuncs._lost_elements``: both read
    -0.5 / c (chunk None) and 0 (chunk 1) with it switched off)."""
    C = mp.mpf(c)
    with dg.engine(engine), np.errstate(all="ignore"):
        _close(dg.hessian(lambda v: (v[0] - 1.0) / (c * v[1]), np.array([1.0, 1.0]))[0, 1],
               -1 / C)
        for chunk, n in ((None, 20), (1, 4)):
            h = dg.hessian(lambda v: np.sum((v[:n] - 1.0) / (c * v[n:])), np.ones(2 * n),
                           chunk=chunk)
            _close(h[0, n], -1 / C)
            _close(h[3, n + 3], -1 / C)
            _close(h[0, 0], 0.0 * C, rtol=0.0)


def test_zero_numerator_ordinary_scale_unchanged():
    """At c = 3 the product's number is kept (no two steps at ordinary arguments): the
    same bits as the product spelling's own arithmetic gives, and the closed form."""
    with np.errstate(all="ignore"):
        _close(d2(lambda p: (p - 1.0) / (3.0 * p), 1.0), -2 / mp.mpf(3), rtol=2e-16)


@pytest.mark.parametrize("numba_loaded", [False, True])
@pytest.mark.parametrize("engine", ["eager", "fused"])
@pytest.mark.parametrize("n", [1, 3, 20, 200])
@pytest.mark.parametrize("c", [1e160, 1e200, 1e300])
def test_array_over_scalar_dual_first_derivative(numba_loaded, engine, n, c):
    """d/dp (2 - p) / (c p) = -2 / c at p = 1 where one side is an array dual and the
    other a scalar dual (u / k, k / u): the lean mixed path's -out / k underflowed
    (-1e-400) and its product lost it: -1e-200 for -2e-200."""
    if numba_loaded:
        from dualgrad.backend import _loader
        pytest.importorskip("numba")
        _loader.load()
    want = -2 / mp.mpf(c)
    with dg.engine(engine), np.errstate(all="ignore"):
        _close(dg.derivative(lambda p: (np.ones(n) * (2 - p)) / (c * p), 1.0), want)
        _close(dg.derivative(lambda p: (2 - p) / (c * p * np.ones(n)), 1.0), want)
        _close(dg.jacobian(lambda v: (np.ones(n) * (2 - v[0])) / (c * v[0] * v[1]),
                           np.array([1.0, 1.0]))[:, 0], want)


# ---- attack59 03: first derivatives whose local partial underflows beside du ~ 1e200 ----

BIG = [1e160, 1e170, 1e200, 1e300]


@pytest.mark.parametrize("engine", ["eager", "fused"])
@pytest.mark.parametrize("c", BIG)
def test_arctan2_partial_beside_a_huge_input_partial(engine, c):
    """d/dt arctan2(3, c t) = -3 c / (9 + c**2 t**2), d/dt arctan2(c t, 3) = 3 c / (...):
    -0.0 for -1.78e-200 at c = 1e200 (the scaled formula's -3 / (c t)**2 underflowed
    before the product with c); scalar, arrays of 3 / 40 / 300 elements, a Hessian's
    second level (2 * 3 * c**2 (c t) / (9 + (c t)**2)**2)."""
    t = 1.3
    C, T = mp.mpf(c), mp.mpf(t)
    want = -3 * C / (9 + (C * T) ** 2)
    with dg.engine(engine), np.errstate(all="ignore"):
        _close(dg.derivative(lambda s: np.arctan2(3.0, c * s), t), want)
        _close(dg.derivative(lambda s: np.arctan2(c * s, 3.0), t), -want)
        for n in (3, 40, 300):
            _close(dg.derivative(lambda s: np.arctan2(3.0, c * s * np.ones(n)), t), want)
            _close(dg.derivative(lambda s: np.arctan2(c * s * np.ones(n), 3.0), t), -want)
        _close(dg.derivative(lambda u: dg.derivative(lambda s: np.arctan2(3.0, c * s), u), t),
               6 * C ** 2 * (C * T) / (9 + (C * T) ** 2) ** 2)


@pytest.mark.parametrize("c", BIG)
def test_arctan2_partial_in_jitted_code(c):
    """The same partial through users' @njit code (the generated quotient parts)."""
    numba = pytest.importorskip("numba")
    t = 1.3
    want = float(-3 * mp.mpf(c) / (9 + (mp.mpf(c) * mp.mpf(t)) ** 2))
    f = numba.njit(lambda s: np.arctan2(3.0, c * s))
    g = numba.njit(lambda s: np.arctan2(c * s, 3.0))
    _close(f(dg.Dual(t, [1.0])).partials, want)
    _close(g(dg.Dual(t, [1.0])).partials, -want)


@pytest.mark.parametrize("engine", ["eager", "fused"])
@pytest.mark.parametrize("c", BIG)
def test_erfcx_and_dawsn_partials_beside_a_huge_input_partial(engine, c):
    """d/dt erfcx(c t) and dawsn(c t): the asymptotic closed forms c erfcx'(z) =
    -c / (sqrt(pi) z**2) (1 - 3 / (2 z**2)) and c D'(z) = -c / (2 z**2) (1 + 3 / (2 z**2)),
    z = c t >= 1e160, where the next terms are 1e-320 of the first: -0.0 for -3.3e-201 at
    c = 1e200, 4e-4 off at 1e160."""
    sp = pytest.importorskip("scipy.special")
    t = 1.3
    C, Z = mp.mpf(c), mp.mpf(c) * mp.mpf(t)
    with dg.engine(engine), np.errstate(all="ignore"):
        for n in (None, 3, 300):
            u = (lambda s: c * s) if n is None else (lambda s: c * s * np.ones(n))
            _close(dg.derivative(lambda s: sp.erfcx(u(s)), t),
                   -C / (mp.sqrt(mp.pi) * Z ** 2) * (1 - 3 / (2 * Z ** 2)))
            _close(dg.derivative(lambda s: sp.dawsn(u(s)), t),
                   -C / (2 * Z ** 2) * (1 + 3 / (2 * Z ** 2)))


# ---- attack59 04: nbinom.logpmf's n-slope in the near-Poisson limit (k < 10) ----

@pytest.mark.mp_dps(50)
@pytest.mark.parametrize("n, k, p", [(1e6, 1.0, 1 - 1e-6), (1e6, 3.0, 1 - 3e-6), (1e9, 2.0, 1 - 2e-9),
                                     (1e9, 5.0, 1 - 5e-9), (1e12, 1.0, 1 - 1e-12),
                                     (1e4, 9.0, 1 - 9e-4), (2e3, 4.0, 0.3)])
def test_nbinom_n_slope_near_the_poisson_limit(n, k, p):
    """d/dn logpmf = psi(n + k) - psi(n) + log p (mpmath, 50 digits): SciPy's two psi
    values cancelled (n = 1e9, k = 2: 1.09e-16 for -5.75e-17, the wrong sign).  The
    slope's two terms ~k / n cancel in float64 too: the bound is 8 ulps of k / n."""
    ds = pytest.importorskip("dualgrad.scipy.stats")
    N, K, P = mp.mpf(n), mp.mpf(k), mp.mpf(p)
    g = dg.gradient(lambda v: ds.nbinom.logpmf(k, v[0], v[1]), np.array([n, p]))
    want = mp.digamma(N + K) - mp.digamma(N) + mp.log(P)
    assert abs(g[0] - float(want)) <= 8 * 2.2e-16 * k / n, (g[0], float(want))
