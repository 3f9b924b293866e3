"""fperr73: a derivative's own products report nothing as f's (attack72 C1), and
np.gradient's compiled pass makes the reports partials_hushed makes (diff72 F2).

The rule followed (dispatch._quiet, backend._hush): f's values report as its float code
does; the partials' products are hushed outside NumPy's default state, and made again
under the caller's state where a partial was lost (NaN beside a finite value); in the
default state an inf or NaN partial of a partials_hushed function warns as NumPy's own
lines do.  Oracles: mpmath at the doubles' exact values, NumPy's np.gradient of the
partials."""
import warnings

import mpmath
import numpy as np
import pytest

import dualgrad as dg
from _probes import loaded_or_not  # noqa: F401  (the loaded fixture: numba loaded or not)

X = np.array([1.0, 2.0])
TINY = 1e-310                      # a tangent whose products underflow
ULP = 5e-324


def _exact(v):
    return mpmath.mpf(float(v))


def _float_code_quiet(f, x):
    """f's float code raises nothing under np.errstate(all="raise") (the premise)."""
    with np.errstate(all="raise"):
        f(x)


def _gradient(f, x, state):
    """dg.gradient under np.errstate(all=state), every RuntimeWarning an error."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        with np.errstate(all=state):
            return dg.gradient(f, x)


def _power(k):
    def f(z):
        return np.sum((0.3 + TINY * (z - X)) ** k)
    # d/dz_i = k 0.3**(k - 1) * TINY at z = X
    return f, lambda: [k * _exact(0.3) ** (k - 1) * _exact(TINY)] * 2


def _prod():
    return (lambda z: np.prod(0.5 + TINY * (z - X)),
            lambda: [_exact(0.5) * _exact(TINY)] * 2)


def _norm():
    return (lambda z: np.linalg.norm(0.5 + TINY * (z - X)),
            lambda: [_exact(0.5) / mpmath.sqrt(2 * _exact(0.5) ** 2) * _exact(TINY)] * 2)


def _sinc(at):
    def slope(x):
        x = _exact(x)
        return (mpmath.cos(mpmath.pi * x) - mpmath.sinpi(x) / (mpmath.pi * x)) / x
    return (lambda z: np.sum(np.sinc(at + TINY * (z - X))),
            lambda: [slope(at) * _exact(TINY)] * 2)


def _tie(kind):
    def f(z):
        u = 0.5 + TINY * (z - X)           # the value 0.5 exactly: at the bound
        return np.sum(np.clip(u, 0.5, 1.0) if kind == "clip" else np.maximum(u, 0.5))
    return f, lambda: [_exact(TINY) / 2] * 2     # rules.TIES: half of u's partials


CASES = {"u ** 2.0": _power(2.0), "u ** 2.5": _power(2.5), "u ** 3": _power(3),
         "u ** -1": _power(-1), "u ** -2.5": _power(-2.5), "np.prod": _prod(),
         "np.linalg.norm": _norm(), "np.sinc": _sinc(0.3), "np.sinc far": _sinc(2.7),
         "np.clip tie": _tie("clip"), "np.maximum tie": _tie("maximum")}


@pytest.mark.parametrize("state", ["raise", "warn"])
@pytest.mark.parametrize("name", list(CASES))
def test_underflowing_partials_report_nothing(name, state, loaded):
    """attack72 C1: f's float code raises nothing, so neither does its derivative,
    whose partials underflow; the partials are the exact ones, rounded once."""
    f, exact = CASES[name]
    _float_code_quiet(f, X)
    got = _gradient(f, X, state)
    for g, e in zip(got, exact()):
        assert abs(g - float(e)) <= ULP, (name, g, e)


@pytest.mark.parametrize("state", ["raise", "warn"])
def test_sinc_at_a_tiny_value_reports_nothing(state, loaded):
    """np.sinc's slope near 0 is its series, whose (pi x)**2 underflows at x = 1e-300:
    the slope's own arithmetic, hushed; the exact partial -pi**2 x / 3 * 1e-300 rounds
    to zero."""
    def f(z):
        return np.sum(np.sinc(1e-300 * z))
    _float_code_quiet(f, X)
    got = _gradient(f, X, state)
    exact = [-(mpmath.pi ** 2) * _exact(1e-300) * k / 3 * _exact(1e-300) for k in (1, 2)]
    assert all(abs(g - float(e)) <= ULP for g, e in zip(got, exact))


def _gradient_partials(P, h, edge_order=1):
    """NumPy's np.gradient of the partials P (rows: the value's axis), with the
    warnings it gives in NumPy's default state."""
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        G = np.gradient(P, h, axis=0, edge_order=edge_order)
    return G, sorted(str(m.message) for m in w)


@pytest.fixture
def numba_loaded():
    """numba loaded and the eager engine: the compiled pass of np.gradient, not the fused
    engine's pending gradient (heat73), whose partials are computed when read, outside
    the call (their reports: Left, as np.convolve's deferred rows')."""
    from dualgrad.backend import _loader
    _loader.load()
    with dg.engine("eager"):
        yield


@pytest.mark.parametrize("edge_order", [1, 2])
def test_gradient_kernel_warns_of_overflowing_partials(edge_order, numba_loaded):
    """diff72 F2: in NumPy's default state the compiled pass dropped the overflow
    warnings NumPy's lines give for the partials (an inf partial of a finite value,
    as every partials_hushed function warns there); the Jacobian is NumPy's gradient of
    the partials, bit for bit."""
    x = np.linspace(0, 1e-300, 300)
    def f(v):
        return np.gradient(v * 1e300, 1e-10, edge_order=edge_order)
    want, words = _gradient_partials(1e300 * np.eye(300), 1e-10, edge_order)
    assert words and set(words) <= {"overflow encountered in divide",
                                    "overflow encountered in multiply"}
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        J = dg.jacobian(f, x)
    assert set(str(m.message) for m in w) == set(words)
    np.testing.assert_array_equal(J, want)


def test_gradient_kernel_raises_nothing_of_inf_partials(numba_loaded):
    """Under np.errstate(all="raise") f raises nothing, nor does its derivative: an
    inf partial beside a finite value is kept quiet, as every product's is."""
    x = np.linspace(0, 1e-300, 300)
    def f(v):
        return np.gradient(v * 1e300, 1e-10)
    _float_code_quiet(f, x)
    with np.errstate(all="raise"):
        J = dg.jacobian(f, x)
    with np.errstate(all="ignore"):
        want = np.gradient(1e300 * np.eye(300), 1e-10, axis=0)
    np.testing.assert_array_equal(J, want)


@pytest.mark.parametrize("n", [40, 300])
@pytest.mark.parametrize("edge_order", [1, 2])
def test_gradient_of_tiny_partials_raises_nothing(n, edge_order, loaded):
    """NumPy's lines (n = 40) raised "underflow encountered in divide" of the partials'
    differences under np.errstate(all="raise"), where f's float code raises nothing."""
    x = np.linspace(0.1, 0.9, n)
    def f(v):
        return np.gradient(1e-310 * (v - x) + x, 3.0, edge_order=edge_order)
    _float_code_quiet(f, x)
    with np.errstate(all="raise"):
        J = dg.jacobian(f, x)
    with np.errstate(all="ignore"):
        want = np.gradient(1e-310 * np.eye(n), 3.0, axis=0, edge_order=edge_order)
    np.testing.assert_array_equal(J, want)


def test_gradient_kernel_reports_a_lost_partial(numba_loaded):
    """A NaN partial beside a finite value (inf - inf of the partials' differences) is a
    derivative lost: under np.errstate(all="raise") it raises as NumPy's lines do on
    the partials, where the compiled pass returned the NaN silently."""
    x = np.linspace(0.1, 0.9, 300)
    def f(v):
        return np.gradient((1e300 * (v[0] - x[0])) * 1e300 + x, 0.5)
    with np.errstate(all="raise"):
        f(x)
        with pytest.raises(FloatingPointError, match="invalid value encountered in subtract"):
            dg.jacobian(f, x)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        J = dg.jacobian(f, x)
    assert "invalid value encountered in subtract" in {str(m.message) for m in w}
    with np.errstate(all="ignore"):
        P = np.zeros((300, 300))
        P[:, 0] = np.inf
        want = np.gradient(P, 0.5, axis=0)
    np.testing.assert_array_equal(J, want)


@pytest.mark.parametrize("fn", [np.var, np.std])
def test_var_of_underflowing_partials_reports_nothing(fn, loaded):
    """np.var's weighted sum and its 2 / N were products of the partials in the user's
    state: "underflow encountered in multiply" at 1e-310 tangents of 100,000 values,
    where f's float code raises nothing.  A shift of every value moves neither: the
    exact partials are 0 (each of the 100,000 products rounds by half a subnormal ulp
    at most)."""
    x0 = np.linspace(0.3, 0.9, 100_000)
    def f(z):
        return fn(x0 + TINY * ((z[0] + z[1]) - 3.0))
    _float_code_quiet(f, X)
    got = _gradient(f, X, "raise")
    assert np.all(np.abs(got) <= 1e-318)
