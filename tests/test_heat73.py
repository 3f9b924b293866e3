"""Issue 14, stop 73 (heat73): ``np.gradient(np.gradient(u))``'s partials in one pass.

While the engine defers, ``np.gradient`` of an array dual along one axis with a float
spacing leaves its partials pending (``backend.defer_gradient``: a node kind of its own
that no fused kernel reads, computed by ``backend.gradient``'s pass when read); a
gradient of such a pending gradient along the same axis is computed in one pass over
the first call's partials (``backend.gradient_twice``, ``_numba_kernels.
gradient_twice_rows``: the inner gradient's rows block by block in a scratch array, by
NumPy's operations), so the inner gradient's partials are never written.  Where the
pass raises a floating-point flag NumPy's two calls could report, it keeps nothing and
the two calls run as before (their reports, their bits).

Oracles: NumPy's own ``np.gradient`` applied twice to the same partials (the same
operations: equal bits, -0.0, inf, NaN and subnormals included); the Jacobian of the
linear ``x -> np.gradient(np.gradient(x))`` as NumPy's double gradient of the analytic
columns; the eager engine's bits; the heat form against its hand tangent
(bench/problems.py).  On main before this change the path tests fail (no
``backend.gradient_twice``; the inner gradient written by ``gradient_rows``); the
oracles pass there."""

import numpy as np
import pytest

import dualgrad as dg
from dualgrad import backend
from dualgrad.backend import _fused, _kernels, _loader

from _heat import special_partials as _special_partials
from _probes import bench_module


def _twice(p, ax, h1, e1, h2, e2):
    with np.errstate(all="ignore"):
        return np.gradient(np.gradient(p, h1, axis=ax, edge_order=e1), h2, axis=ax,
                           edge_order=e2)


def _kernel_twice(p, ax, h1, e1, h2, e2):
    """The one pass with the flags' test off (every input taken), numba forced."""
    from dualgrad.backend import _numba_kernels
    length = p.shape[ax]
    pre = int(np.prod(p.shape[:ax]))
    post = p.size // (pre * length)
    out = np.empty(p.shape)
    w1, w2 = _kernels._edge_weights(h1, e1), _kernels._edge_weights(h2, e2)
    d1, d2 = 2. * h1, 2. * h2
    _numba_kernels.gradient_twice_rows(
        p.reshape(pre, -1), out.reshape(pre, -1), post, d1, _kernels._reciprocal(d1), h1,
        *w1, d2, _kernels._reciprocal(d2), h2, *w2, np.int32(0))
    return out


ORDERS = [(1, 1), (1, 2), (2, 1), (2, 2)]


@pytest.mark.parametrize("e1,e2", ORDERS)
@pytest.mark.parametrize("h1,h2", [(1.0, 1.0), (0.3, 0.3), (2.0 ** -3, 3.0), (-2.0, 0.7),
                                   (1e-300, 1.0), (1.0, 4.0)])
@pytest.mark.parametrize("shape,ax", [((50, 4), 0), ((7, 9, 3), 1), ((7, 9, 3), 0),
                                      ((3, 5, 6, 2), 2), ((4, 4), 0), ((5, 1), 0),
                                      ((6, 4), 0), ((3000, 4), 0), ((1100, 3, 2), 0)])
@pytest.mark.engine_independent
def test_twice_kernel_gives_numpys_bits(shape, ax, h1, h2, e1, e2):
    """The pass against NumPy's two calls on the same partials, byte for byte, special
    values included (the flags' test off: every element's operations checked, the
    blocks' seams at 3000 and 1100 rows, the shortest axis taken, 4 rows)."""
    _loader.load()
    p = _special_partials(shape, seed=shape[ax] * 7 + e1 + 3 * e2)
    want = _twice(p, ax, h1, e1, h2, e2)
    with np.errstate(all="ignore"):
        got = _kernel_twice(p, ax, h1, e1, h2, e2)
    assert got.tobytes() == want.tobytes()


@pytest.mark.parametrize("e1,e2", ORDERS)
@pytest.mark.parametrize("shape,ax", [((3000, 4), 0), ((7, 9, 3), 1)])
@pytest.mark.engine_independent
def test_twice_wrapper_on_finite_partials(shape, ax, e1, e2):
    """``backend.gradient_twice`` of ordinary partials, and of partials with one inf
    (inf minus a number raises no flag, as in NumPy's calls): an array, the bits of
    NumPy's two calls; with inf minus inf, a pair whose difference overflows or one that
    underflows: ``None`` (the caller's two calls report as they do)."""
    p = np.random.default_rng(3).standard_normal(shape)
    with _kernels.use("numba"):
        for q in (p, p.copy()):
            q.reshape(-1)[q.size // 2] = np.inf if q is not p else q.reshape(-1)[0]
            got = _kernels.gradient_twice(q, ax, 0.5, e1, 1.0, e2)
            assert got is not None
            assert got.tobytes() == _twice(q, ax, 0.5, e1, 1.0, e2).tobytes()
        q = p.copy()
        q[(slice(None),) * ax + (slice(None, None, 2),)] = np.inf   # inf - inf inside
        assert _kernels.gradient_twice(q, ax, 0.5, e1, 1.0, e2) is None
        q = p.copy()
        q.reshape(-1)[:q.size // 2] = 1.7e308
        q.reshape(-1)[q.size // 2:] = -1.7e308
        assert _kernels.gradient_twice(q, ax, 0.5, e1, 1.0, e2) is None
        q = p * 1e-310                 # subnormal quotients: underflow's flag
        assert _kernels.gradient_twice(q, ax, 3.0, e1, 3.0, e2) is None


@pytest.mark.engine_independent
def test_twice_wrapper_declines():
    """NumPy's engine forced, a strided array, an axis shorter than 4, a zero spacing."""
    p = np.arange(40.0).reshape(10, 4)
    with _kernels.use("numpy"):
        assert _kernels.gradient_twice(p, 0, 1.0, 1, 1.0, 1) is None
    with _kernels.use("numba"):
        assert _kernels.gradient_twice(p[::2], 0, 1.0, 1, 1.0, 1) is None
        assert _kernels.gradient_twice(p[:3], 0, 1.0, 1, 1.0, 1) is None
        assert _kernels.gradient_twice(p, 0, 0.0, 1, 1.0, 1) is None


def _counting(monkeypatch):
    """Counts of the two compiled passes' calls (the inner gradient's and the pair's)."""
    from dualgrad.backend import _numba_kernels
    seen = {"gradient_rows": 0, "gradient_twice_rows": 0}
    for name in seen:
        real = getattr(_numba_kernels, name)

        def spy(*args, _real=real, _name=name):
            seen[_name] += 1
            return _real(*args)
        monkeypatch.setattr(_numba_kernels, name, spy)
    return seen


S = np.linspace(0.0, 1.0, 20_000)
P = np.array([0.4, 0.8, 0.1, 1.5])


def _columns():
    """The analytic Jacobian of ``_inner`` by column."""
    return np.stack([P[1] * S ** 2, S ** 2 * P[0], np.zeros_like(S), np.ones_like(S)], 1)


def _inner(p):
    return p[1] * S ** 2 * p[0] + p[3]


@pytest.mark.parametrize("e1,e2", ORDERS)
@pytest.mark.parametrize("varargs", [(), (0.25,), (3,), (np.float64(0.7),)])
def test_gradient_twice_in_one_pass(varargs, e1, e2, monkeypatch):
    """The fused engine at 20,000 x 4: ``np.gradient(np.gradient(u))`` writes no inner
    gradient (one call of the pair's pass, none of the single one) and its Jacobian is
    NumPy's double gradient of the analytic columns, to the bit."""
    _loader.load()
    seen = _counting(monkeypatch)

    def f(p):
        return np.gradient(np.gradient(_inner(p), *varargs, edge_order=e1), *varargs,
                           edge_order=e2)
    want = _twice(_columns(), 0, float((varargs or (1.0,))[0]), e1,
                  float((varargs or (1.0,))[0]), e2)
    with _fused.engine("fused"):
        jac = dg.jacobian(f, P)
    assert seen == {"gradient_rows": 0, "gradient_twice_rows": 1}
    np.testing.assert_array_equal(jac, want)


@pytest.mark.parametrize("engine", ["fused", "auto", "eager"])
def test_inner_gradient_read_later(engine):
    """The inner gradient's dual kept and read after the pair's pass (computed then from
    its pending node), and a single gradient: the eager engine's bits and NumPy's
    gradients of the analytic columns."""
    _loader.load()

    def f(p):
        g = np.gradient(_inner(p), 0.5)
        return np.concatenate([np.gradient(g), g, np.gradient(_inner(p), edge_order=2)])
    cols = _columns()
    g = np.gradient(cols, 0.5, axis=0)
    want = np.concatenate([np.gradient(g, axis=0), g,
                           np.gradient(cols, axis=0, edge_order=2)])
    with _fused.engine(engine):
        jac = dg.jacobian(f, P)
    np.testing.assert_array_equal(jac, want)


@pytest.mark.parametrize("engine", ["fused", "auto"])
def test_write_after_pending_gradient(engine):
    """A write into ``u`` (its value and partials) after ``g = np.gradient(u)`` and before
    ``g`` is read: ``g`` is the gradient of ``u`` as it was (the pending node is
    computed before the write), as the eager engine gives it."""
    _loader.load()

    def f(p):
        u = _inner(p) * 1.0
        g = np.gradient(u)
        u[100:200] = p[2] * 3.0
        return np.gradient(g) + u

    cols = _columns()
    written = cols.copy()
    written[100:200] = 0.0
    written[100:200, 2] = 3.0
    want = np.gradient(np.gradient(cols, axis=0), axis=0) + written
    with _fused.engine(engine):
        jac = dg.jacobian(f, P)
    with _fused.engine("eager"):
        eager = dg.jacobian(f, P)
    assert jac.tobytes() == eager.tobytes()
    np.testing.assert_allclose(jac, want, rtol=1e-15, atol=0)


@pytest.mark.parametrize("engine", ["fused", "auto"])
def test_pending_gradient_as_a_leaf(engine):
    """A pending gradient used by an elementwise operation (a leaf of the next node: the
    gradient computed first) and along another axis: the eager engine's bits."""
    _loader.load()
    X = np.linspace(0.0, 1.0, 4000).reshape(200, 20)

    def f(p):
        u = p[0] * X ** 2 + p[1] * X
        a = np.gradient(u, axis=0)
        b = np.gradient(np.gradient(u, axis=1), axis=0)
        c = np.gradient(np.gradient(u, axis=0), axis=1)
        return (2.0 * a + b * c).ravel()
    with _fused.engine(engine):
        jac = dg.jacobian(f, P)
    with _fused.engine("eager"):
        eager = dg.jacobian(f, P)
    assert jac.tobytes() == eager.tobytes()


@pytest.mark.parametrize("engine", ["fused", "auto"])
def test_reports_as_two_calls(engine):
    """Partials whose gradient overflows (diff72's repro): the pass raises the overflow
    flag and keeps nothing, so the two calls run as in the eager engine: the same
    result and the same reports, under errstate raise and ignore."""
    _loader.load()
    x = np.linspace(0.0, 1e-300, 3000)

    def f(v):
        return np.gradient(np.gradient(v * 1e300, 1e-10), 1e-10)

    def run(name, how):
        with _fused.engine(name), np.errstate(all=how):
            try:
                return dg.jacobian(f, x)
            except FloatingPointError as e:
                return str(e)
    for how in ("raise", "ignore"):
        got, want = run(engine, how), run("eager", how)
        if isinstance(want, str):
            assert got == want
        else:
            assert got.tobytes() == want.tobytes()


@pytest.mark.parametrize("engine", ["fused", "auto"])
def test_heat_gradient_form(engine, monkeypatch):
    """bench/problems.py's np.gradient-twice heat form with every structure compiled:
    against its hand tangent (1e-12 of each column's scale) and the eager engine's bits;
    the pair's pass once a step, no inner gradient written."""
    _loader.load()
    problems = bench_module("problems")
    n, steps = 20_000, 12
    monkeypatch.setattr(_fused, "COMPILE_AFTER", 1)
    monkeypatch.setattr(_fused, "COMPILE_TIMES", 1)
    seen = _counting(monkeypatch)
    with _fused.engine(engine):
        jac = dg.jacobian(lambda p: problems.heat_gradient(p, n=n, steps=steps), P)
    assert seen == {"gradient_rows": 0, "gradient_twice_rows": steps}
    want = problems.heat_gradient_tangent(P, n=n, steps=steps)
    scale = np.abs(want).max(axis=0)
    assert np.all(np.abs(jac - want) <= 1e-12 * scale)
    with _fused.engine("eager"):
        eager = dg.jacobian(lambda p: problems.heat_gradient(p, n=n, steps=steps), P)
    assert jac.tobytes() == eager.tobytes()
