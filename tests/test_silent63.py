"""Complex local derivatives written as quotients keep their number where the one
number under- or overflows (attack62 11 and 03): d/dt 1 / (t c) at |c| = 1e200 was 0j,
at 1e-200 NaN; Faddeeva's w(c t) had a slope of 0j past |c| ~ 1e200 and half its
second derivative at 1e154 .. 1e160.  Oracles: closed forms in mpmath (50 digits)."""
import warnings

import mpmath as mp
import numpy as np
import pytest

import dualgrad as dg

sc = pytest.importorskip("scipy.special")
pytestmark = pytest.mark.mp_dps(50)   # (tests/conftest.py)

# (spelling, d/dt and d2/dt2 of it at t = 1 as closed forms in c)
_RECIPROCALS = {
    "np.reciprocal": (lambda t, c: np.reciprocal(t * c), lambda c: -1 / c, lambda c: 2 / c),
    "1 / u": (lambda t, c: 1.0 / (t * c), lambda c: -1 / c, lambda c: 2 / c),
    "u ** -1": (lambda t, c: (t * c) ** -1, lambda c: -1 / c, lambda c: 2 / c),
    "np.arctan": (lambda t, c: np.arctan(t * c), lambda c: c / (1 + c * c),
                  lambda c: -2 * c ** 3 / (1 + c * c) ** 2),
}


def _levels(f, c):
    """d/dt f(t, c) at t = 1 by the scalar and array paths, and d2/dt2 by nested scalars
    and by dg.hessian (complex numbers)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return (complex(dg.derivative(lambda t: f(t, c), 1.0)),
                complex(dg.jacobian(lambda x: f(x, c), np.ones(2))[0, 0]),
                complex(dg.derivative(lambda s: dg.derivative(lambda t: f(t, c), s), 1.0)),
                complex(dg.hessian(lambda x: np.sum(f(x, c)), np.ones(2))[0, 0]))


def _close(got, exact):
    return abs(got - exact) <= 1e-14 * abs(exact)


@pytest.mark.parametrize("name", sorted(_RECIPROCALS))
@pytest.mark.parametrize("c", [1e200 + 1e200j, -3e250 + 4e250j, 1e160 + 0j, 3e-170 - 4e-170j])
def test_complex_quotients_keep_their_number_far_out(name, c):
    """-out / x (or y out / x, (1 / x) / (x + 1 / x)) in two steps for complex x where
    the one number fell to 0j or NaN (|x| past 1.3e154) or overflowed (below 1e-154)."""
    f, first, second = _RECIPROCALS[name]
    if name == "np.arctan" and abs(c) < 1:
        pytest.skip("arctan's slope is ~1 there: nothing to lose")
    e1, e2 = (complex(g(mp.mpc(c))) for g in (first, second))
    d1, a1, d2, h2 = _levels(f, c)
    assert _close(d1, e1) and _close(a1, e1), (d1, a1, e1)
    assert _close(d2, e2) and _close(h2, e2), (d2, h2, e2)


@pytest.mark.parametrize("name, c", [("wofz", 1e160), ("wofz", 1e200), ("wofz", -3e250 + 4e250j),
                                     ("erfcx", 1e200 + 1e200j), ("dawsn", -1e300 + 1j)])
def test_faddeeva_family_far_out(name, c):
    """w, erfcx and Dawson's F(c t) where their exponential parts are 0: F(z) = a / z to
    the last bit (a = i / sqrt(pi), 1 / sqrt(pi), 1 / 2), so d/dt = -a / c and d2/dt2 =
    2 a / c at t = 1; the value itself is checked against a / c first."""
    a = {"wofz": 1j / mp.sqrt(mp.pi), "erfcx": 1 / mp.sqrt(mp.pi), "dawsn": mp.mpf(0.5)}[name]
    u = getattr(sc, name)
    z = mp.mpc(c)
    assert _close(complex(u(c)), complex(a / z))
    d1, a1, d2, h2 = _levels(lambda t, c: u(t * c), c)
    e1, e2 = complex(-a / z), complex(2 * a / z)
    assert _close(d1, e1) and _close(a1, e1), (d1, a1, e1)
    assert _close(d2, e2) and _close(h2, e2), (d2, h2, e2)
