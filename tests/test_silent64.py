"""Silent or imprecise numbers left open after stop 63 (silent64), each against an
independent oracle: mpmath's closed forms (50 digits).

log10's local derivative ``0.434 / x`` is taken in two steps where it overflows, ``(p *
0.434) / x``; with a subnormal partial ``p`` the product fell below the normal range
first: d/dt log10(t c) at c = 5e-324 was 0 for 0.434, at 3e-320 1.4e-5 off (diff63
F1b), and the complex array path gave NaN for log, log2 and log10 there (NumPy's
complex division by a subnormal); at |c| ~ 1.4e308 complex logs' slopes were 0 or NaN.
Complex arccosh's second derivative near 0; partials under np.errstate(all="raise")."""
import warnings

import mpmath as mp
import numpy as np
import pytest

import dualgrad as dg

mp.mp.dps = 50

_LOGS = {"log10": (np.log10, 1 / mp.log(10)), "log2": (np.log2, 1 / mp.log(2)),
         "log": (np.log, mp.mpf(1))}


def _paths(f, c):
    """d/dt f(t c) at t = 1 by the scalar and array paths (three and 200 elements: the
    general path and the kernels), d2/dt2 by nested scalars and by nested arrays."""
    big = np.linspace(1.0, 2.0, 200) * (1.0 if isinstance(c, float) else 1 + 1j)
    big[7] = c
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got = [dg.derivative(lambda t: f(t * c), 1.0),
               dg.jacobian(lambda t: f(t[0] * np.full(3, c)), np.ones(1))[1, 0],
               dg.derivative(lambda s: dg.derivative(lambda t: f(t * c), s), 1.0),
               dg.jacobian(lambda s: dg.jacobian(lambda t: f(t[0] * np.full(3, c)), s)[:, 0],
                           np.ones(1))[1, 0]]
        got.append(dg.jacobian(lambda t: f(t[0] * big), np.ones(1))[7, 0])
    return [complex(g) for g in got]


@pytest.mark.parametrize("name", sorted(_LOGS))
@pytest.mark.parametrize("c", [5e-324, 3e-320, 1e-310, 3e-320j, 1e-310 - 1e-310j])
def test_logs_of_subnormal_arguments(name, c):
    """d/dt log_b(t c) = 1 / ln b and d2/dt2 = -1 / ln b at t = 1, whatever c."""
    f, k = _LOGS[name]
    k = complex(k)
    got = _paths(f, c)
    want = [k, k, -k, -k, k]
    assert all(abs(g - w) <= 1e-15 * abs(w) for g, w in zip(got, want)), (got, want)


@pytest.mark.parametrize("name", sorted(_LOGS))
@pytest.mark.parametrize("c", [1e308 + 1e308j, -1.1e308 - 1.1e308j])
def test_complex_logs_far_out(name, c):
    """NumPy's complex 1 / x is 0 past |x| ~ 9e307, and its complex division overflows
    inside there (NaN): d/dt log(t c) at c = 1e308 (1 + i) was 0 (array paths) or NaN
    (scalar path) for 1 (silent63's Left (b)).  The same closed forms."""
    f, k = _LOGS[name]
    k = complex(k)
    got = _paths(f, c)
    want = [k, k, -k, -k, k]
    assert all(abs(g - w) <= 1e-15 * abs(w) for g, w in zip(got, want)), (got, want)


@pytest.mark.parametrize("c", [1e-8 + 1e-8j, 1e-6 + 0j, -3e-7 + 0j, 1e-4 - 2e-4j, 0.4 + 0.2j,
                               0.3 + 0.45j, -0.45 - 0.3j])
def test_complex_arccosh_second_derivative_near_zero(c):
    """d2/dt2 arccosh(c t) = c**2 f''(c), f'' = -z f' / (z**2 - 1) with f' = 1 / (sqrt(z - 1)
    sqrt(z + 1)) (mpmath's principal roots): the factored form's product rule adds two
    terms of size 1/2 that cancel to z, 8 digits left at 1e-8 (1 + i) (attack63 04)."""
    z = mp.mpc(c)
    d1 = 1 / (mp.sqrt(z - 1) * mp.sqrt(z + 1))
    w1, w2 = complex(z * d1), complex(-z ** 3 * d1 / (z * z - 1))
    got = _paths(np.arccosh, c)
    assert all(abs(g - w) <= 1e-15 * abs(w) for g, w in zip(got, [w1, w1, w2, w2])), (got, w2)
