"""Small arrays' per-operation cost, stop 60: the shallow water row's quotients and the
Gaussian process row's axis moves (bench/corpus59.py).

(1) A quotient of array duals whose factor underflowed beside a nonzero numerator
(``-out / h`` below the smallest normal number: a field filling from zeros meets it at
one quotient in seven) left the lean path for :func:`dispatch._ufuncs.call`'s whole way;
it now takes the general path's own steps from there (``_ufuncs._careful``).  Oracles:
the general path itself, bit for bit (values and every partial), over underflows,
zeros, -0.0, NaN / inf, 1e308, views and both engines; the closed forms of the
quotient's partials; the shallow water row by the complex step.  (2) ``_tiny``'s
second test in two NumPy calls: against the test it replaced, written out here.
(3) ``dispatch._lift.moveaxis``: NumPy's view (shape, strides, memory) for plain
arrays; the Gaussian process row's partials against fourth-order differences.
"""

import sys
from pathlib import Path

import numpy as np
import pytest

import dualgrad as dg
from dualgrad.backend import _loader
from dualgrad.dispatch import _lift, _ufuncs
from dualgrad.dual._array import _LEAN
from dualgrad.rules._table import rule_for

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from corpus59 import gp_likelihood, shallow_water_row  # noqa: E402

TINY = np.finfo(float).tiny


def _bits(x):
    return np.ascontiguousarray(np.asarray(x, dtype=float)).view(np.int64)


def _same(got, want):
    """Values and partials of two array duals, bit for bit."""
    assert type(got) is type(want)
    assert np.array_equal(_bits(got.value), _bits(want.value))
    assert got.partials.shape == want.partials.shape
    assert np.array_equal(_bits(got.partials), _bits(want.partials))


def _grids(kind):
    """Numerator and denominator value grids (17, 16) with their partials' scales."""
    r = np.random.default_rng(len(kind))
    x = r.uniform(0.5, 2.0, (17, 16))
    y = r.uniform(1.0, 3.0, (17, 16))
    x[::3] = 0.0                                  # a field from zeros
    if kind in ("tiny", "nan", "inf", "huge", "negzero"):
        x[1, 1::4] = 1e-300                        # -out / y: subnormal, nonzero numerator
        y[1, 1::8] = 1e10
        x[2, 3] = -5e-310                          # a subnormal numerator
    if kind == "negzero":
        x[0, :4] = -0.0
    if kind == "nan":
        x[4, 4] = np.nan
    if kind == "inf":
        y[5, 5] = np.inf
        x[6, 6] = np.inf
    if kind == "huge":
        y[7, :3] = 1e308
        x[8, :3] = 1e308
    if kind == "zero_divisor":
        y[9, 9] = 0.0
    return x, y


KINDS = ["plain", "tiny", "negzero", "nan", "inf", "huge", "zero_divisor"]


def _compare(kind, n, view=False, reflect=False):
    """``a / b`` (the operator: the lean path) against ``call`` (the general path) for
    array duals of ``n`` directions made from ``kind``'s grids inside one pass."""
    x, y = _grids(kind)
    seen = []

    def f(p):
        a = x * p[0] + 0.0 * p[-1]           # partials x and 0: zeros beside values
        b = y * p[-1] + 1e-300 * p[0]
        if view:
            a, b = a[1:, ::2], b[:-1, 1::2]
        if reflect:
            a, b = b, a
        with np.errstate(all="ignore"):
            got = a / b
            want = _ufuncs.call(rule_for(np.divide), (a, b))
        seen.append((got, want))
        return got.value.ravel()[:1] if hasattr(got, "value") else np.zeros(1)

    with np.errstate(all="ignore"):
        dg.jacobian(f, np.linspace(1.0, 2.0, n))
    return seen


@pytest.fixture(params=["loaded", "unloaded"])
def numba_state(request, monkeypatch):
    """numba loaded (the suite's state: the lean kernels, which decline an underflow)
    or not (bench_corpus.py's short runs: NumPy's calls)."""
    if request.param == "unloaded":
        monkeypatch.setattr(_loader, "READY", False)
    return request.param


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("n", [1, 3])
@pytest.mark.parametrize("view", [False, True])
@pytest.mark.parametrize("reflect", [False, True])
def test_quotient_is_the_general_paths_bits(kind, n, view, reflect, numba_state):
    for got, want in _compare(kind, n, view, reflect):
        _same(got, want)


@pytest.mark.parametrize("engine", ["eager", "fused"])
def test_the_underflow_takes_the_general_steps_without_call(monkeypatch, numba_state, engine):
    """A factor below the smallest normal number beside a nonzero numerator: the lean
    divide no longer runs ``call`` (a spy in its own namespace) where the eager engine
    computes (the fused one defers every operation through ``call``), and its partials
    are the closed form's, each element, the underflowed ones to 2 ulps (the rule's
    ``-out / y`` times ``dy`` in one product would be 0 or a subnormal: 100 % off)."""
    op = _LEAN[np.divide]
    reached = []
    general = op.__globals__["_call"]
    monkeypatch.setitem(op.__globals__, "_call",
                        lambda *a, **k: reached.append(1) or general(*a, **k))
    x, y = _grids("tiny")
    with np.errstate(all="ignore"), dg.engine(engine):
        J = dg.jacobian(lambda p: (x * p[0] / (y * p[1])).ravel(), np.array([1.0, 1.0]))
    assert not reached or engine == "fused"
    np.testing.assert_allclose(J[:, 0], (x / y).ravel(), rtol=5e-16, atol=0)
    np.testing.assert_allclose(J[:, 1], (-x / y).ravel(), rtol=5e-16, atol=0)
    under = (x != 0.0) & (np.abs(x / y) < TINY * 1e10)
    assert under.sum() >= 3 and (J[:, 1][under.ravel()] != 0.0).all()


@pytest.mark.parametrize("n", [1, 2])
def test_a_field_from_zeros_takes_the_general_bits(n, numba_state):
    """Bohrium's shallow water (bench/corpus59.py: U / H, U starting at zeros) with the
    careful steps of its quotients: the general path's Jacobian to the bit (the lean
    divide switched off) and the complex step's (rtol 1e-12)."""
    def f(p):
        return shallow_water_row(p[:1] + 0.0 * p[-1], n=10, timesteps=12)

    p = np.linspace(5.0, 6.0, n)
    J = dg.jacobian(f, p)
    saved = _LEAN[np.divide]
    try:
        _LEAN[np.divide] = None                  # the operator then runs small() / call()
        J0 = dg.jacobian(f, p)
    finally:
        _LEAN[np.divide] = saved
    assert np.array_equal(_bits(J), _bits(J0))
    h = 1e-30
    cs = np.imag(shallow_water_row(np.array([p[0] + 1j * h]), n=10, timesteps=12)) / h
    np.testing.assert_allclose(J[:, 0], cs, rtol=1e-12, atol=1e-14 * np.abs(cs).max())


def _tiny_reference(f, a):
    """The test ``_tiny`` makes, written out: an element below TINY beside a nonzero
    numerator (a NaN element counts for nothing; stop 60's form first asked for
    ``min(|f|) < TINY``, False wherever a NaN was: attack67 F6, exact68)."""
    return bool(((np.absolute(f) < TINY) & (np.asarray(a) != 0.0)).any())


@pytest.mark.parametrize("seed", range(40))
def test_tiny_answers_as_before(seed):
    r = np.random.default_rng(seed)
    shape = [(7,), (3, 4), (2, 3, 2), ()][seed % 4]
    pool = np.array([0.0, -0.0, 1e-310, -4e-320, 1e-300, 1.0, -2.5, np.nan, np.inf, -np.inf,
                     TINY, -TINY, np.nextafter(TINY, 0)])
    a = r.choice(pool, size=shape)
    b = r.choice(np.array([1.0, 3.0, 1e10, 1e-10, np.inf, 0.0]), size=shape)
    with np.errstate(all="ignore"):
        out = a / b
        f = -out / b
    rule = rule_for(np.divide)
    with np.errstate(all="ignore"):
        got = _ufuncs._tiny(np.asarray(f, dtype=float), rule, 1, (a, b, np.asarray(out)))
    assert got == _tiny_reference(np.asarray(f, dtype=float), -np.asarray(out))


@pytest.mark.parametrize("shape", [(5,), (3, 4), (2, 3, 4), (2, 1, 3, 2)])
def test_moveaxis_is_numpys_view(shape):
    base = np.arange(float(np.prod(shape) * 2)).reshape(shape + (2,))[..., 0]
    for src in range(-len(shape), len(shape)):
        for dst in range(-len(shape), len(shape)):
            got, want = _lift.moveaxis(base, src, dst), np.moveaxis(base, src, dst)
            assert got.shape == want.shape and got.strides == want.strides
            assert np.shares_memory(got, base) and np.array_equal(got, want)
    with pytest.raises(np.exceptions.AxisError):
        _lift.moveaxis(base, len(shape), 0)


def test_gp_likelihood_without_numpys_moveaxis(monkeypatch):
    """The Gaussian process row (cho_factor / cho_solve of a 25 x 25 covariance):
    NumPy's moveaxis not called, and the derivative against fourth-order central
    differences of the float function."""
    x = np.array([0.8])
    J0 = dg.jacobian(gp_likelihood, x)
    calls = []
    real = np.moveaxis
    monkeypatch.setattr(np, "moveaxis", lambda *a, **k: calls.append(1) or real(*a, **k))
    J = dg.jacobian(gp_likelihood, x)
    assert not calls
    assert np.array_equal(_bits(J), _bits(J0))
    monkeypatch.undo()
    h = 1e-3
    g = [gp_likelihood(x + k * h)[0] for k in (-2, -1, 1, 2)]
    fd = (g[0] - 8 * g[1] + 8 * g[2] - g[3]) / (12 * h)
    np.testing.assert_allclose(J[0, 0], fd, rtol=1e-6)
