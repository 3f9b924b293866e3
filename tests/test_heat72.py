"""Issue 13, stop 72 (heat72): two heat forms' partials in fewer passes.

``np.gradient`` of float64 partials with a uniform spacing in one compiled pass
(``backend.gradient``, ``_numba_kernels.gradient_rows``: NumPy's subtraction and
division per element, the ends NumPy's way), where NumPy's operations wrote the
interior and then read and wrote it again; ``np.convolve``'s "valid" rows of an
array dual deferred (``backend.defer_convolve``: one node over row slices of the
partials, whose sum starts at a zero row as the eager engine's starts at 0.0), so
that the next pass reads the partials' rows instead of a convolution written first.

Oracles: NumPy's own ``np.gradient`` of the same partials (the same operations: equal
bits, -0.0, inf and NaN included); the Jacobian of ``x -> np.convolve(x, w, "valid")``
as a hand-written sum of shifted columns (integer data: exact in any order) and the
eager engine's bits, whose sum of all -0.0 terms is +0.0 (``((0.0 + w0 a) + w1 b) +
w2 c``, written here in NumPy); the heat forms against their hand tangents
(bench/problems.py) and the eager engine's bits with the structures compiled.  On main
before this change the path tests fail (no ``backend.gradient``; the convolution's
partials concrete); the oracles pass there."""

import functools

import numpy as np
import pytest

import dualgrad as dg
from dualgrad import backend
from dualgrad.backend import _fused, _kernels, _loader
from dualgrad.dispatch import _functions

from _heat import special_partials as _special_partials
from _probes import bench_module


@pytest.mark.parametrize("edge_order", [1, 2])
@pytest.mark.parametrize("h", [1.0, 0.3, 3, np.float64(0.7), 2.0 ** -3])
@pytest.mark.parametrize("shape,ax", [((50, 4), 0), ((7, 9, 3), 1), ((7, 9, 3), 0),
                                      ((3, 5, 6, 2), 2), ((2, 4), 0), ((3, 4), 0)])
@pytest.mark.engine_independent
def test_gradient_kernel_gives_numpys_bits(shape, ax, h, edge_order):
    """``backend.gradient`` (numba forced) against NumPy's ``np.gradient`` of the same
    partials, byte for byte, special values included; the shortest axes each edge
    order takes (2 and 3 rows)."""
    if shape[ax] < edge_order + 1:
        pytest.skip("NumPy refuses this axis length")
    p = _special_partials(shape, seed=shape[ax] * 7 + edge_order)
    with np.errstate(all="ignore"):
        want = np.gradient(p, h, axis=ax, edge_order=edge_order)
    with _kernels.use("numba"):
        got = backend.gradient(p, ax, h, edge_order)
    assert got is not None
    assert got.shape == want.shape and got.tobytes() == want.tobytes()


@pytest.mark.engine_independent
def test_gradient_kernel_declines():
    """NumPy's engine forced, a non-contiguous array, an axis too short: ``None``."""
    p = np.arange(40.0).reshape(10, 4)
    with _kernels.use("numpy"):
        assert backend.gradient(p, 0, 1.0, 1) is None
    with _kernels.use("numba"):
        assert backend.gradient(p[::2], 0, 1.0, 1) is None
        assert backend.gradient(p[:2], 0, 1.0, 2) is None
        assert backend.gradient(p[:1], 0, 1.0, 1) is None


@pytest.mark.parametrize("edge_order", [1, 2])
@pytest.mark.parametrize("h", [np.float64(0.0), np.float64(-0.0)])
def test_gradient_zero_spacing_is_numpys(h, edge_order):
    """A zero np.float64 spacing: NumPy's inf / NaN for the value and the partials, where the
    kernel's wrapper divided in Python and raised ZeroDivisionError at edge order 2
    (attack72 F4)."""
    _loader.load()
    rng = np.random.default_rng(4)
    v, p = rng.standard_normal((300, 40)), rng.standard_normal((300, 40, 4))
    with np.errstate(all="ignore"), _kernels.use("numba"):
        want_v = np.gradient(v, h, axis=0, edge_order=edge_order)
        want_p = np.gradient(p, h, axis=0, edge_order=edge_order)
        got = np.gradient(dg.Dual(v, p), h, axis=0, edge_order=edge_order)
    assert got.value.tobytes() == want_v.tobytes()
    assert got.partials.tobytes() == want_p.tobytes()


@pytest.mark.parametrize("engine", ["fused", "auto", "eager"])
@pytest.mark.parametrize("edge_order", [1, 2])
@pytest.mark.parametrize("varargs", [(), (0.25,), (3,)])
def test_gradient_takes_the_kernel(varargs, edge_order, engine):
    """At 20,000 x 4 the partials' gradient is the kernel's (one call of
    ``backend.gradient`` that returns an array: dispatch's, or the pending gradient's
    when read, heat73) and the Jacobian is NumPy's gradient of the analytic columns, to
    the bit."""
    _loader.load()
    s = np.linspace(0.0, 1.0, 20_000)
    p = np.array([0.4, 0.8, 0.1, 1.5])

    def f(p):
        return np.gradient(p[1] * s ** 2 * p[0] + p[3], *varargs, edge_order=edge_order)
    cols = np.stack([p[1] * s ** 2, s ** 2 * p[0], np.zeros_like(s), np.ones_like(s)], 1)
    want = np.gradient(cols, *varargs, axis=0, edge_order=edge_order)
    seen = []
    real = _functions.backend.gradient

    def spy(*args):
        got = real(*args)
        seen.append(got is not None)
        return got
    _functions.backend.gradient = _kernels.gradient = spy
    try:
        with _fused.engine(engine):
            jac = dg.jacobian(f, p)
    finally:
        _functions.backend.gradient = _kernels.gradient = real
    assert seen == [True]
    np.testing.assert_array_equal(jac, want)


def test_gradient_huge_int_spacing_keeps_numpys_lines():
    """An int spacing past 2**53 (not exact as a float): NumPy's lines, not the kernel."""
    p = np.arange(40.0).reshape(10, 4)
    seen = []
    real = _functions.backend.gradient

    def spy(*args):
        seen.append(args)
        return real(*args)
    _functions.backend.gradient = spy
    try:
        got = _functions._gradient_uniform(p, (2 ** 60 + 1,), (0,), 1)
    finally:
        _functions.backend.gradient = real
    assert seen == []
    np.testing.assert_array_equal(got, np.gradient(p, 2 ** 60 + 1, axis=0))


def _shifted_sum(cols, w, start, rows):
    """Rows ``start ..`` of the full convolution of ``cols``' columns with ``w``, as
    ``((0.0 + w0 a) + w1 b) + ...`` in NumPy (the eager engine's order)."""
    total = np.zeros((rows,) + cols.shape[1:])
    for j, c in enumerate(w):
        total = total + c * cols[start - j:start - j + rows]
    return total


@pytest.mark.parametrize("engine", ["fused", "auto"])
@pytest.mark.parametrize("w", [[1.0, -2.0, 1.0], [0.5, 2.0], [3.0], [1.0, 2.0, 3.0, 4.0, 5.0]])
@pytest.mark.parametrize("func", [np.convolve, np.correlate])
def test_convolve_valid_is_deferred(func, w, engine):
    """``np.convolve(u, w, "valid")`` (and ``np.correlate``) of an array dual of 20,000
    x 4: the partials are pending (a :class:`backend.Deferred`), and the Jacobian is
    the hand-written sum of shifted columns (integer data: exact) and the eager
    engine's bits."""
    rng = np.random.default_rng(3)
    cols = rng.integers(-8, 9, size=(20_000, 4)).astype(float)
    taps = np.array(w)
    kept = []

    def f(p):
        u = cols @ p                      # partials: cols, concrete
        got = func(u, taps, mode="valid")
        kept.append(type(got._p))
        return got
    x = np.array([0.5, -1.0, 2.0, 0.25])
    with _fused.engine(engine):
        jac = dg.jacobian(f, x)
    assert kept == [_fused.Deferred]
    w_full = taps if func is np.convolve else taps[::-1]
    want = _shifted_sum(cols, w_full, len(w) - 1, 20_000 - len(w) + 1)
    np.testing.assert_array_equal(jac, want)
    with _fused.engine("eager"):
        eager = dg.jacobian(f, x)
    assert eager.tobytes() == jac.tobytes()


@pytest.mark.parametrize("compiled", [False, True])
def test_convolve_zero_sum_is_plus_zero(compiled, monkeypatch):
    """Partials all -0.0 and taps of one sign: every product is -0.0, and the eager
    sum ``0.0 + -0.0 + ...`` is +0.0 (a sum from its first term would keep -0.0):
    interpreted node by node and by the compiled kernel, also inside an in-place
    update (the heat form's ``u[1:-1] += kappa * lap``)."""
    _loader.load()
    if compiled:
        monkeypatch.setattr(_fused, "COMPILE_AFTER", 1)
        monkeypatch.setattr(_fused, "COMPILE_TIMES", 1)
    n = 20_000
    taps = np.array([1.0, 2.0, 1.0])

    kept = []

    def f(p):
        u = -(p[0] * np.zeros(n))             # partials -0.0 in every direction
        lap = np.convolve(u, taps, mode="valid")
        kept.append(type(lap._p))
        u[1:-1] += p[2] * lap                 # the pass reads u's rows it writes
        return np.concatenate([lap, u])
    x = np.array([0.5, 1.5, 2.0, 0.25])
    with _fused.engine("fused"):
        jac = dg.jacobian(f, x)
    assert kept == [_fused.Deferred]
    with _fused.engine("eager"):
        eager = dg.jacobian(f, x)
    assert jac.tobytes() == eager.tobytes()
    zeros = -np.zeros((n, 4))
    want = _shifted_sum(zeros, taps, 2, n - 2)
    assert not np.signbit(want).any()
    assert jac[:n - 2].tobytes() == want.tobytes()


@pytest.mark.parametrize("mode", ["same", "full"])
def test_convolve_other_modes_stay_eager(mode):
    """``"same"`` and ``"full"`` reach rows some taps miss: the eager pass, the hand sum's
    numbers."""
    rng = np.random.default_rng(5)
    cols = rng.integers(-8, 9, size=(20_000, 4)).astype(float)
    taps = np.array([1.0, -2.0, 1.0])
    kept = []

    def f(p):
        got = np.convolve(cols @ p, taps, mode=mode)
        kept.append(type(got._p))
        return got
    with _fused.engine("fused"):
        jac = dg.jacobian(f, np.ones(4))
    assert kept == [np.ndarray]
    padded = np.concatenate([np.zeros((2, 4)), cols, np.zeros((2, 4))])
    full = _shifted_sum(padded, taps, 2, 20_002)
    want = full if mode == "full" else full[1:20_001]
    np.testing.assert_array_equal(jac, want)


def test_convolve_non_finite_taps_stay_eager():
    """An inf tap: the eager engine's NaN-safe path, nothing deferred."""
    cols = np.ones((20_000, 4))
    kept = []

    def f(p):
        got = np.convolve(cols @ p, np.array([1.0, np.inf]), mode="valid")
        kept.append(type(got._p))
        return got
    with np.errstate(all="ignore"), _fused.engine("fused"):
        jac = dg.jacobian(f, np.ones(4))
    assert kept == [np.ndarray]
    assert np.isinf(jac).all()


def _convolve_laplacian(a):
    """np.convolve's "valid" Laplacian along the first axis (heat71's)."""
    taps = [1.0, -2.0, 1.0]
    if a.ndim == 1:
        return np.convolve(a, taps, mode="valid")
    return np.stack([np.convolve(a[:, j], taps, mode="valid") for j in range(a.shape[1])], 1)


@pytest.mark.parametrize("form", ["heat_convolve", "heat_gradient"])
def test_heat_forms_compiled_against_hand_tangents(form, monkeypatch):
    """The two forms with every structure compiled at once (the bench's steady state),
    against the hand tangents (1e-12 of each column's scale) and the eager engine's bits."""
    _loader.load()
    problems = bench_module("problems")
    f = getattr(problems, form)
    tangent = functools.partial(problems.heat_tangent, laplacian=_convolve_laplacian) \
        if form == "heat_convolve" else problems.heat_gradient_tangent
    n, steps = 20_000, 12
    P = problems.HEAT_P
    monkeypatch.setattr(_fused, "COMPILE_AFTER", 1)
    monkeypatch.setattr(_fused, "COMPILE_TIMES", 1)
    with _fused.engine("auto"):
        jac = dg.jacobian(lambda p: f(p, n=n, steps=steps), P)
    want = tangent(P, n=n, steps=steps)
    scale = np.abs(want).max(axis=0)
    assert np.all(np.abs(jac - want) <= 1e-12 * scale)
    with _fused.engine("eager"):
        eager = dg.jacobian(lambda p: f(p, n=n, steps=steps), P)
    assert jac.tobytes() == eager.tobytes()
