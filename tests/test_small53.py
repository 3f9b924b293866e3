"""small53: the small-array kernels' compiled entry points run without numba's runtime.

The entry points (``backend._kernels.small_exact`` / ``small_row`` / ``small_entry`` /
``small_outer_entry``) are called without numba's dispatcher; numba's runtime made a
reference-counted MemInfo for each array argument (0.2 us of a 0.5 us call at N = 10).
They allocate nothing, so they are compiled without it (``_jit.ENTRY``), kept in numba's
disk cache under their own key.  The derivatives they compute are checked here against
NumPy's own values and the analytic partials, on operands of every layout the entry
points take (strided, reversed, read-only, Fortran-ordered partials).
"""

import importlib.util
import sys
import textwrap

import numpy as np
import pytest

import dualgrad as dg

numba = pytest.importorskip("numba")

from dualgrad.backend import _jit, _kernels, _loader  # noqa: E402
from dualgrad.backend import _rule_kernels as rk  # noqa: E402
from dualgrad.dual._base import new_tag  # noqa: E402


@pytest.fixture(scope="module", autouse=True)
def _numba_loaded():
    _loader.load()


def _operands(rng, n, layout):
    """Array duals a, b of one tag, N = 10, ``n`` directions, laid out as ``layout``
    (views made by slicing duals; read-only and Fortran-ordered arrays set in place),
    and their values and partials."""
    tag = new_tag()
    big = [dg.Dual(rng.uniform(0.5, 2.0, 20), rng.standard_normal((20, n)), tag=tag),
           dg.Dual(rng.uniform(-2.0, -0.5, 20), rng.standard_normal((20, n)), tag=tag)]
    if layout == "strided":
        a, b = big[0][::2], big[1][1::2]
    elif layout == "reversed":
        a, b = big[0][:10][::-1], big[1][5:15][::-1]
    else:
        a, b = big[0][:10] * 1.0, big[1][:10] * 1.0
        for d in (a, b):
            if layout == "fortran":
                d._p = np.asfortranarray(d._p)
            elif layout == "readonly":
                d.value.flags.writeable = False
                d._p.flags.writeable = False
    if layout in ("strided", "reversed"):
        assert not a.value.flags.c_contiguous and not a._p.flags.c_contiguous
    return a, b, a.value, b.value, a._p, b._p


_FORMULAS = {       # value, and the analytic partials' two terms
    np.add: (lambda x, y: x + y, lambda x, y, p, q: (p, q)),
    np.subtract: (lambda x, y: x - y, lambda x, y, p, q: (p, -q)),
    np.multiply: (lambda x, y: x * y, lambda x, y, p, q: (y[:, None] * p, x[:, None] * q)),
    np.divide: (lambda x, y: x / y,
                lambda x, y, p, q: (p / y[:, None], (-x / (y * y))[:, None] * q)),
}


@pytest.mark.parametrize("layout", ["contiguous", "strided", "reversed", "fortran", "readonly"])
@pytest.mark.parametrize("n", [1, 4, 10])
@pytest.mark.parametrize("ufunc", list(_FORMULAS))
def test_binary_operators_on_every_layout_give_numpys_values(ufunc, n, layout):
    rng = np.random.default_rng(53 + n)
    a, b, x, y, p, q = _operands(rng, n, layout)
    value, partials = _FORMULAS[ufunc]
    r = ufunc(a, b) if ufunc is not np.divide else a / b
    np.testing.assert_array_equal(r.value, value(x, y))           # IEEE: the same bits
    s, t = partials(x, y, p, q)
    if ufunc in (np.add, np.subtract):
        np.testing.assert_array_equal(r.partials, s + t)      # one rounding: the same bits
    else:               # each term's rounding and the sum's, against the terms' size
        assert np.all(np.abs(r.partials - (s + t)) <= 4.5e-16 * (np.abs(s) + np.abs(t)))


def test_the_operator_path_ran_the_entry_point():
    """``a + b`` at N = 10 goes to the exact kernel's entry point (its cell filled), and
    that kernel's dispatcher compiled without numba's runtime."""
    tag = new_tag()
    a = dg.Dual(np.arange(1.0, 11.0), np.eye(10), tag=tag)
    b = dg.Dual(np.arange(2.0, 12.0), np.ones((10, 10)), tag=tag)
    for op in (lambda: a + b, lambda: a * b, lambda: a - b, lambda: a / b, lambda: a * 2.0,
               lambda: 3.0 - a):
        op()
    for ufunc in (np.add, np.multiply, np.subtract, np.divide):
        d = rk.EXACT_KERNELS[(ufunc, (0, 1))]
        assert d.targetoptions.get("_nrt") is False
        assert len(d.overloads) == 1          # one signature: the entry point's
    assert rk.EXACT_KERNELS[(np.multiply, (0,))].targetoptions.get("_nrt") is False
    assert rk.EXACT_KERNELS[(np.subtract, (1,))].targetoptions.get("_nrt") is False


@pytest.mark.engine_independent
def test_every_entry_kernel_compiles_without_the_runtime():
    """Each entry and exact kernel of the generated module, and the hand-written entry
    kernels, compile with numba's runtime off (a kernel that allocated would not)."""
    for ufunc in rk._ENTRY:
        assert _kernels.small_entry(ufunc) is not None
        assert rk.ENTRY_KERNELS[ufunc].targetoptions.get("_nrt") is False
    for ufunc, duals in rk._EXACT:         # (small70's plain-array kernels: "plain")
        made = {"row": _kernels.small_row, "plain": _kernels.small_plain}.get(duals[0])
        got = made(ufunc, duals[1]) if made else _kernels.small_exact(ufunc, duals)
        assert got is not None
        assert rk.EXACT_KERNELS[(ufunc, duals)].targetoptions.get("_nrt") is False
    assert _kernels.small_entry(None) is not None and _kernels.small_outer_entry() is not None
    assert _kernels.small_cube_entry() is not None
    from dualgrad.backend import _numba_kernels
    for name in ("scale_entry", "cube_entry", "outer_entry"):
        assert getattr(_numba_kernels, name).targetoptions.get("_nrt") is False
    assert _numba_kernels.scale.targetoptions.get("_nrt", True) is True   # the others keep it


@pytest.mark.parametrize("layout", ["contiguous", "strided", "readonly"])
def test_unary_entry_points_against_the_analytic_partials(layout):
    rng = np.random.default_rng(7)
    a, _, x, _, p, _ = _operands(rng, 4, layout)
    for f, df in ((np.sin, np.cos), (np.exp, np.exp), (np.log, lambda x: 1.0 / x),
                  (np.sqrt, lambda x: 0.5 / np.sqrt(x)), (np.tanh, lambda x: 1.0 - np.tanh(x) ** 2)):
        r = f(a)
        np.testing.assert_array_equal(r.value, f(x))
        np.testing.assert_allclose(r.partials, df(x)[:, None] * p, rtol=3e-15, atol=0)
    k = dg.Dual(1.5, np.array([0.25, -1.0, 2.0, 0.5]), tag=a.tag)     # scalar * array
    r = k * a
    np.testing.assert_array_equal(r.value, 1.5 * x)
    np.testing.assert_allclose(r.partials, 1.5 * p + x[:, None] * k.partials[None, :],
                               rtol=4e-16, atol=1e-300)


def test_gradient_and_hessian_of_rosenbrock_at_n_10():
    """Whole helper calls through the entry points: closed forms."""
    from scipy.optimize import rosen, rosen_der, rosen_hess
    x = np.linspace(-1.2, 1.3, 10)
    np.testing.assert_allclose(dg.gradient(rosen, x), rosen_der(x), rtol=1e-14, atol=1e-12)
    np.testing.assert_allclose(dg.hessian(rosen, x), rosen_hess(x), rtol=1e-14, atol=1e-11)
    f = lambda v: np.sum(np.exp(v[1:] * v[:-1]) / (3.0 + v[1:]))             # noqa: E731
    g = dg.gradient(f, x)
    h = 1e-3                                    # five-point central differences
    fd = [(f(x - 2 * h * e) - 8 * f(x - h * e) + 8 * f(x + h * e) - f(x + 2 * h * e)) / (12 * h)
          for e in np.eye(10)]
    np.testing.assert_allclose(g, fd, rtol=1e-9)


@pytest.mark.engine_independent
def test_disk_cache_keeps_kernels_without_the_runtime_apart(tmp_path, monkeypatch):
    """numba's cache key holds no compile flags: the same function compiled with and
    without the runtime, one signature, must not load each other's entry."""
    module = tmp_path / "nrt_pair53.py"
    module.write_text(textwrap.dedent("""
        def twice(x, out):
            for i in range(x.shape[0]):
                out[i] = 2.0 * x[i]
            return True
    """))
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path / "cache"))
    from numba.core import config
    monkeypatch.setattr(config, "CACHE_DIR", str(tmp_path / "cache"))
    spec = importlib.util.spec_from_file_location("nrt_pair53", module)
    mod = importlib.util.module_from_spec(spec)
    sys.modules["nrt_pair53"] = mod
    try:
        spec.loader.exec_module(mod)
        from numba import types
        sig = types.boolean(types.float64[:], types.float64[:])
        with_rt = _jit.njit(cache=True)(mod.twice)
        with_rt.compile(sig)
        assert with_rt.stats.cache_misses[sig] == 1        # compiled and written
        without = _jit.njit(cache=True, **_jit.ENTRY)(mod.twice)
        without.compile(sig)
        assert without.stats.cache_hits.get(sig, 0) == 0   # not the runtime's entry
        again = _jit.njit(cache=True, **_jit.ENTRY)(mod.twice)
        entry = again.compile(sig)
        assert again.stats.cache_hits[sig] == 1             # its own entry, kept
        out = np.empty(3)
        assert entry(np.array([1.0, 2.5, -3.0]), out) and list(out) == [2.0, 5.0, -6.0]
    finally:
        sys.modules.pop("nrt_pair53", None)


# The backend scope (every helper call opens one): the buffer pool's depth is a list's
# length (atomic append / pop, no lock), and the fused engine's switch is recomputed only
# as the depth leaves or reaches 0.

def test_the_pool_depth_takes_no_lock():
    """begin() / end() of a scope that pooled nothing run while another thread holds the
    pool's lock (they used to wait for it)."""
    import threading
    from dualgrad.backend import _buffers
    held, release, done = threading.Event(), threading.Event(), []

    def holder():
        with _buffers._lock:
            held.set()
            release.wait(10)

    t = threading.Thread(target=holder)
    t.start()
    held.wait(10)
    try:
        def scopes():
            for _ in range(3):
                _buffers.begin()
                _buffers.begin()
                _buffers.end()
                _buffers.end()
            done.append(_buffers.depth())
        u = threading.Thread(target=scopes)
        u.start()
        u.join(5)
        assert done == [0], "begin / end waited for the pool's lock"
    finally:
        release.set()
        t.join()


def test_scopes_from_threads_keep_the_depth_and_drop_the_pool():
    """Eight threads opening nested scopes and taking pooled buffers: at the end the
    depth is 0, the pool empty, the fused engine's switch off, and every buffer a thread
    took was its own while it held it (no buffer handed to two holders)."""
    import threading
    from dualgrad import backend
    from dualgrad.backend import _buffers, _fused
    bad, start = [], threading.Barrier(8)

    def work(k):
        start.wait()
        for i in range(300):
            backend.open_scope()
            try:
                backend.open_scope()
                try:
                    a = _buffers.empty((_buffers.MIN_BYTES // 32, 4))
                    a[...] = k * 1000 + i
                    b = _buffers.empty((_buffers.MIN_BYTES // 32, 4))
                    b[...] = -1.0
                    if not (a == k * 1000 + i).all() or np.shares_memory(a, b):
                        bad.append((k, i))
                finally:
                    backend.close_scope()
            finally:
                backend.close_scope()

    threads = [threading.Thread(target=work, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert bad == []
    assert _buffers.depth() == 0 and _buffers._pool == {}
    assert _fused._depth == 0 and backend.FUSING[0] is False


def test_the_engine_switch_is_recomputed_as_the_depth_crosses_zero(monkeypatch):
    """Nested scopes: the fused engine's switch (``FUSING[0]``) on from the outermost
    entry to its exit, with ``_update`` called there only, under every engine."""
    from dualgrad import backend
    from dualgrad.backend import _fused
    calls = []
    update = _fused._update
    monkeypatch.setattr(_fused, "_update", lambda: (calls.append(_fused._depth), update()))
    for name, on in (("fused", True), ("eager", False), ("auto", True)):
        with dg.engine(name):
            calls.clear()
            seen = []
            backend.open_scope()
            seen.append(backend.FUSING[0])
            backend.open_scope()
            backend.open_scope()
            seen.append(backend.FUSING[0])
            backend.close_scope()
            backend.close_scope()
            seen.append(backend.FUSING[0])
            backend.close_scope()
            seen.append(backend.FUSING[0])
            assert seen == [on, on, on, False]
            assert calls == [1, 0]
