"""dg.quad's watch: the silent holes attack55 left (quad56).

attack55 09: a smooth step with a flat centre (``np.tanh(z) ** 3``, ``sc.erf(z) ** 3``,
``np.tanh(z ** 3)``, ``z ** 3 / (1 + |z| ** 3)``; ``z = s (x - p)``) whose place sits
exactly on a node of the rule (p = 1 or 0.5 over [0, 2]): the node reads a zero
partial, and the two node pairs beside it each see the other's slope, so the gap check
found nothing and d/dp came out 0.0 for -2.  Closed form: ``d/dp int_0^2 g(s (x - p))
dx = g(-s p) - g(s (2 - p))``.

attack55 04: the second derivative of ``int_0^3 |x - p| dx`` (2, closed form) spelled
as a fractional power, a logarithm, ``scipy.linalg.sqrtm`` or ``scipy.special.huber`` of
a small delta gave ~1e-15 (0.0 for huber) with no warning: refused by name now, while
smooth integrands through the same functions stay exact (mpmath's second differences
of mpmath.quad split at p).

attack55 05: ``int_0^inf clip(s (x - p), 0, 1) e^-x dx`` at s = 1000: its partial's
jump at the ramp's upper end p + 1 / s lay between an interval's end and its first
node in the mapped variable: d/dp -0.4946890 for -e^-p s (1 - e^{-1/s}) = -0.4963371.
"""

import mpmath
import numpy as np
import pytest
import scipy.linalg as sl
import scipy.special as sc

import dualgrad as dg

FLAT = {
    "tanh**3": lambda z: np.tanh(z) ** 3,
    "erf**3": lambda z: sc.erf(z) ** 3,
    "tanh(z**3)": lambda z: np.tanh(z ** 3),
    "tanh*|tanh|": lambda z: np.tanh(z) * np.abs(np.tanh(z)),
    "(2 expit - 1)**3": lambda z: (2 * sc.expit(z) - 1) ** 3,
    "z**3/(1+|z|**3)": lambda z: z ** 3 / (1 + np.abs(z) ** 3),
    "z**5/(1+z**6)**(5/6)": lambda z: z ** 5 / (1 + z ** 6) ** (5 / 6),
    "tanh (control)": np.tanh,
}


@pytest.mark.parametrize("p", [1.0, 0.5])
@pytest.mark.parametrize("s", [1e3, 1e6])
@pytest.mark.parametrize("name", sorted(FLAT))
def test_a_flat_centred_step_on_a_node_is_exact(name, s, p):
    """attack55 09: 0.0 (or ~1e-14) for -2 before."""
    g = FLAT[name]

    def f(q):
        return dg.quad(lambda x: g(s * (x - q)), 0.0, 2.0)[0]
    closed = g(-s * p) - g(s * (2 - p))
    assert float(dg.derivative(f, p)) == pytest.approx(closed, rel=1e-7)


def test_a_flat_centred_step_on_a_node_vectorized():
    def f(q):
        return dg.quad(lambda x: np.tanh(1e4 * (x - q)) ** 3, 0.0, 2.0, vectorized=True)[0]
    assert float(dg.derivative(f, 1.0)) == pytest.approx(-2.0, rel=1e-7)


KINKS = {
    "float_power": lambda x, p: np.float_power((x - p) ** 2, 0.5),
    "((x-p)**4)**0.25": lambda x, p: ((x - p) ** 4) ** 0.25,
    "cbrt**1.5": lambda x, p: np.cbrt((x - p) ** 2) ** 1.5,
    "exp(0.5 log)": lambda x, p: np.exp(0.5 * np.log((x - p) ** 2)),
    "exp(0.5 ln2 log2)": lambda x, p: np.exp(0.5 * np.log(2) * np.log2((x - p) ** 2)),
    "sqrtm": lambda x, p: sl.sqrtm(np.array([[(x - p) ** 2]]))[0, 0].real,
    "huber(1e-12)": lambda x, p: sc.huber(1e-12, x - p) / 1e-12,
}


def _d2(F, p0=1.2):
    def f(p):
        return dg.quad(lambda x: F(x, p), 0.0, 3.0)[0]
    return float(dg.derivative(lambda q: dg.derivative(f, q), p0))


@pytest.mark.parametrize("name", sorted(KINKS))
def test_a_touch_spelled_without_a_square_root_is_refused_at_second_order(name):
    """attack55 04: ~1e-15 (0.0) for 2 before, no warning."""
    with pytest.raises(TypeError, match="touches 0|steep changes"):
        _d2(KINKS[name])


@pytest.mark.parametrize("name", sorted(KINKS))
def test_the_first_derivative_of_those_spellings_stays_exact(name):
    """d/dp int_0^3 |x - p| dx = 2 p - 3."""
    def f(p):
        return dg.quad(lambda x: KINKS[name](x, p), 0.0, 3.0)[0]
    assert float(dg.derivative(f, 1.2)) == pytest.approx(2 * 1.2 - 3, rel=1e-7)


SMOOTH = {
    "((x-p)**2)**1.5": (lambda x, p: ((x - p) ** 2) ** 1.5, lambda x, p: abs(x - p) ** 3),
    "log(1+(x-p)**2)": (lambda x, p: np.log(1 + (x - p) ** 2),
                        lambda x, p: mpmath.log(1 + (x - p) ** 2)),
    "(x+p)**1.5": (lambda x, p: (x + p) ** 1.5, lambda x, p: (x + p) ** 1.5),
    "log(x+p)": (lambda x, p: np.log(x + p), lambda x, p: mpmath.log(x + p)),
    "float_power(x+p,2.5)": (lambda x, p: np.float_power(x + p, 2.5),
                             lambda x, p: (x + p) ** 2.5),
    "log10(1+(x-p)**4)": (lambda x, p: np.log10(1 + (x - p) ** 4),
                          lambda x, p: mpmath.log10(1 + (x - p) ** 4)),
    "((x-p)**4)**0.5": (lambda x, p: ((x - p) ** 4) ** 0.5, lambda x, p: (x - p) ** 2),
    "((x-p)**2+1e-3)**0.25": (lambda x, p: ((x - p) ** 2 + 1e-3) ** 0.25,
                              lambda x, p: ((x - p) ** 2 + mpmath.mpf("1e-3")) ** 0.25),
    "sqrtm(1+(x-p)**2)": (lambda x, p: sl.sqrtm(np.array([[1 + (x - p) ** 2]]))[0, 0].real,
                          lambda x, p: mpmath.sqrt(1 + (x - p) ** 2)),
}


@pytest.mark.mp_dps(30)
@pytest.mark.parametrize("name", sorted(SMOOTH))
def test_smooth_powers_and_logs_stay_exact_at_second_order(name):
    F, G = SMOOTH[name]
    ref = mpmath.diff(lambda q: mpmath.quad(lambda x: G(x, q), [0, q, 3]), 1.2, 2)
    assert _d2(F) == pytest.approx(float(ref), rel=1e-8)


def _ramp(s, p=0.7):
    return -np.exp(-p) * s * (1 - np.exp(-1 / s))


@pytest.mark.parametrize("s", [1e2, 5e2, 1e3, 2e3, 1e4])
@pytest.mark.parametrize("hi", [np.inf, 40.0])
def test_a_clip_ramp_over_an_infinite_range_is_exact(s, hi):
    """attack55 05: -0.4946890 for -0.4963371 at s = 1000 over [0, inf) before."""
    def f(p):
        return dg.quad(lambda x: np.clip(s * (x - p), 0, 1) * np.exp(-x), 0.0, hi)[0]
    assert float(dg.derivative(f, 0.7)) == pytest.approx(_ramp(s), rel=1e-8)


@pytest.mark.parametrize("s", [1e3, 1e4])
def test_the_mirrored_clip_ramp_over_a_lower_infinite_range_is_exact(s):
    """x -> -x: the same integral over (-inf, 0]."""
    def f(p):
        return dg.quad(lambda x: np.clip(s * (-x - p), 0, 1) * np.exp(x), -np.inf, 0.0)[0]
    assert float(dg.derivative(f, 0.7)) == pytest.approx(_ramp(s), rel=1e-8)


def test_a_fixed_jump_of_a_partial_stays_exact():
    """np.where on plain x: d/dp int_0^3 (p if x < 1.3 else 2 p) e^-x dx, closed form."""
    def f(p):
        return dg.quad(lambda x: np.where(x < 1.3, p, 2 * p) * np.exp(-x), 0.0, 3.0)[0]
    exact = (1 - np.exp(-1.3)) + 2 * (np.exp(-1.3) - np.exp(-3.0))
    assert float(dg.derivative(f, 0.4)) == pytest.approx(exact, rel=1e-8)
