"""numba is loaded once kernels pay for it (dualgrad/backend/_loader.py): until then
large operations take the NumPy path, with the same derivatives.

Oracles: analytic derivatives, and the kernels' own results (the numba path forced),
which tests/test_kernels.py holds to the NumPy path's independently.
"""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

import dualgrad as dg
from dualgrad.backend import _fused, _fusedgen, _kernels, _loader

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(dg.__file__)))


def wave(x):
    return np.sin(x) * np.exp(-x ** 2) + np.log1p(x ** 2)


def wave_derivative(x):
    return np.cos(x) * np.exp(-x ** 2) - 2 * x * np.sin(x) * np.exp(-x ** 2) + \
        2 * x / (1 + x ** 2)


ONE_SHOT = f"""
import sys
import numpy as np
sys.path.insert(0, {os.path.dirname(os.path.abspath(__file__))!r})
import dualgrad as dg
from dualgrad.backend import _kernels, _loader
from test_loader import wave, wave_derivative
x = np.linspace(-3.0, 3.0, 200_001)
d = dg.elementwise_grad(wave)(x)
J = dg.jacobian(lambda v: np.sum(wave(np.outer(v, x)), axis=1), np.array([0.5, 1.5]))
loaded = "numba" in sys.modules
with _kernels.use("numba"):
    d_numba = dg.elementwise_grad(wave)(x)
    J_numba = dg.jacobian(lambda v: np.sum(wave(np.outer(v, x)), axis=1),
                          np.array([0.5, 1.5]))
np.testing.assert_allclose(d, wave_derivative(x), rtol=1e-13, atol=1e-15)
np.testing.assert_array_equal(d, d_numba)
np.testing.assert_array_equal(J, J_numba)
print(loaded, _loader.READY)
"""


@pytest.mark.engine_independent
# its subprocess runs without DUALGRAD_ENGINE
def test_a_one_shot_call_takes_numpy_and_never_imports_numba(tmp_path):
    """A script that differentiates once (here 1.2e6 partials elements, far below
    LOAD_AFTER) does not wait 0.7-1 s for numba; its derivatives are the analytic
    ones and the kernels' (forced afterwards in the same process)."""
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path), PYTHONPATH=ROOT)
    env.pop("DUALGRAD_ENGINE", None)
    run = subprocess.run([sys.executable, "-c", ONE_SHOT], capture_output=True, text=True,
                         env=env, cwd=tmp_path, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.stdout.split() == ["False", "True"]       # loaded only when forced


@pytest.fixture
def unloaded(monkeypatch, exact_cells_emptied):
    """This process as if numba were not loaded yet (it is: the kernels still run
    once the budget says so), with a budget of ``LOAD_AFTER`` elements."""
    monkeypatch.setattr(_loader, "READY", False)
    monkeypatch.setattr(_loader, "_spent", 0)
    monkeypatch.setattr(_loader, "_soon", False)
    from dualgrad.backend import _propagate
    calls = []
    real, real_exact = _kernels._kernels, _kernels.small_exact
    monkeypatch.setattr(_kernels, "_kernels", lambda: calls.append(1) or real())
    # the operators' kernels of value and partials (a * b of 1-D values), asked for once
    monkeypatch.setattr(_kernels, "small_exact",
                        lambda ufunc, duals: calls.append(1) or real_exact(ufunc, duals))
    monkeypatch.setattr(_propagate, "_EXACT", {})
    monkeypatch.setattr(_propagate, "_EXACT_NUMBER", {})
    monkeypatch.setattr(_propagate, "_compiled", None)      # (the lean path keeps it)
    return calls


def test_numba_is_loaded_when_the_numpy_work_reaches_the_budget(unloaded, monkeypatch):
    calls = unloaded
    rng = np.random.default_rng(3)
    a = dg.Dual(rng.uniform(0.5, 2.0, 5000), rng.standard_normal((5000, 4)))
    b = dg.Dual(rng.uniform(0.5, 2.0, 5000), rng.standard_normal((5000, 4)))
    monkeypatch.setattr(_loader, "LOAD_AFTER", 3 * a.partials.size)
    want = [(a * b).partials, (a * b).partials]          # 2 x 20000 elements: NumPy
    assert calls == [] and not _loader.READY
    got = (a * b).partials                               # the third reaches the budget
    assert calls == [1] and _loader.READY                # and runs the kernel
    (a * b).partials
    assert calls == [1]          # the lean path (stop 30) keeps the module it asked for
    np.testing.assert_array_equal(want[0], want[1])
    np.testing.assert_array_equal(got, want[0])
    np.testing.assert_array_equal(got, a.value[:, None] * b.partials +
                                  b.value[:, None] * a.partials)


def test_small_work_counts_what_a_kernel_saves_it(unloaded, monkeypatch):
    """An operation on small arrays counts the microseconds a kernel saves it
    (``_propagate.SMALL_PAIR_WORK`` for a product), not its 40 elements: a long loop
    of them loads numba, as large work does, a short one does not; the kernel then
    gives NumPy's result."""
    from dualgrad.backend import _propagate
    calls = unloaded
    monkeypatch.setattr(_loader, "LOAD_AFTER", 100 * _propagate.SMALL_PAIR_WORK)
    monkeypatch.setattr(_propagate, "_compiled", None)      # (kept after first use)
    a = dg.Dual(np.linspace(1.0, 2.0, 10), np.ones((10, 4)))
    b = dg.Dual(np.linspace(1.5, 3.0, 10), np.eye(10, 4))
    want = (a * b).partials
    for _ in range(98):
        a * b
    assert _loader._spent == 99 * _propagate.SMALL_PAIR_WORK and not _loader.READY
    assert calls == []
    got = (a * b).partials                               # the 100th reaches the budget
    assert _loader.READY and calls == []
    np.testing.assert_array_equal(got, want)
    got = (a * b).partials                               # the kernel, loaded
    assert calls == [1]
    np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(got, b.value[:, None] * a.partials +
                                  a.value[:, None] * b.partials)


def test_forcing_the_kernels_loads_numba_at_once(unloaded, monkeypatch):
    calls = unloaded
    monkeypatch.setattr(_loader, "LOAD_AFTER", 10 ** 12)
    a = dg.Dual(np.linspace(1.0, 2.0, 5000), np.ones((5000, 4)))
    with _kernels.use("numba"):
        a * a
    assert calls == [1] and _loader.READY


@pytest.mark.engine_independent
def test_a_fused_kernel_on_disk_is_loaded_once_numba_pays(unloaded, monkeypatch):
    """A structure an earlier process compiled (on disk) is interpreted while numba
    is unloaded, its work counting towards the budget; then the kernel is loaded,
    and checked before its first use like any other."""
    from test_fused import random_graph
    monkeypatch.setattr(_fused, "MIN_WORK", 0)
    monkeypatch.setattr(_fused, "_failed", set())
    monkeypatch.setattr(_fused, "_seen", {})
    monkeypatch.setattr(_fusedgen, "on_disk", lambda key: True)
    monkeypatch.setattr(_fusedgen, "compiled_kernel", lambda key: None)
    loaded, checked = [], []
    real_kernel, real_check = _fusedgen.kernel, _fused._check
    monkeypatch.setattr(_fusedgen, "kernel", lambda key: loaded.append(key) or real_kernel(key))
    monkeypatch.setattr(_fused, "_check",
                        lambda key, fn: checked.append(key) or real_check(key, fn))
    monkeypatch.setattr(_loader, "LOAD_AFTER", 10 ** 12)
    with _fused.engine("eager"):
        expected = _fused._interpret(_fused._order(random_graph(8, 300, 4, True))[0],
                                     (300,), 4)
    first = _fused.materialize(random_graph(8, 300, 4, True))
    assert loaded == [] and not _loader.READY and _loader._spent > 0
    monkeypatch.setattr(_loader, "LOAD_AFTER", 1)
    second = _fused.materialize(random_graph(8, 300, 4, True))
    assert len(loaded) == 1 and checked == loaded and _loader.READY
    np.testing.assert_array_equal(first, expected)
    np.testing.assert_array_equal(second, expected)


@pytest.mark.engine_independent
def test_a_wrong_kernel_loaded_after_the_budget_still_warns_and_is_dropped(unloaded,
                                                                          monkeypatch):
    from test_fused import random_graph
    monkeypatch.setattr(_fused, "MIN_WORK", 0)
    monkeypatch.setattr(_fused, "_failed", set())
    monkeypatch.setattr(_fused, "_seen", {})
    monkeypatch.setattr(_fusedgen, "on_disk", lambda key: True)
    monkeypatch.setattr(_fusedgen, "compiled_kernel", lambda key: None)
    monkeypatch.setattr(_loader, "LOAD_AFTER", 1)
    real = _fusedgen.kernel

    def miscompiled(key):
        fn = real(key)

        def wrong(out, *args):
            fn(out, *args)
            out[-1, -1] = -out[-1, -1] + 1.0
        return wrong
    monkeypatch.setattr(_fusedgen, "kernel", miscompiled)
    with _fused.engine("eager"):
        expected = _fused._interpret(_fused._order(random_graph(9, 300, 4, False))[0],
                                     (300,), 4)
    with pytest.warns(RuntimeWarning, match="disagreed with the eager engine"):
        got = _fused.materialize(random_graph(9, 300, 4, False))
    np.testing.assert_array_equal(got, expected)
    assert len(_fused._failed) == 1


CALLS = f"""
import json, sys
import numpy as np
sys.path.insert(0, {os.path.dirname(os.path.abspath(__file__))!r})
import dualgrad as dg
from dualgrad.backend import _fused, _fusedgen, _loader
from test_loader import wave, wave_derivative
_loader.LOAD_AFTER = float("inf")     # only the fused engine's rule loads numba
_fused.COMPILE_AFTER = 0              # a structure met twice is due
made, seen = [], []
real = _fusedgen.kernel
def kernel(key):
    if key not in _fusedgen._compiled:
        made[-1].append("loaded" if _fusedgen.on_disk(key) else "compiled")
    return real(key)
_fusedgen.kernel = kernel
def f(x):
    seen.append(_loader.READY)        # numba loaded when f meets its seed?
    return wave(x)
g = dg.elementwise_grad(f)
x = np.linspace(-3.0, 3.0, 20_001)
for _ in range(4):
    made.append([])
    np.testing.assert_allclose(g(x), wave_derivative(x), rtol=1e-13, atol=1e-15)
print(json.dumps([made, seen]))
"""


@pytest.mark.engine_independent
def test_a_graph_over_a_dense_seed_is_never_compiled(tmp_path):
    """Until numba is loaded a transform's seed is dense; with numba it is deferred,
    so the graph is another structure.  The first, met twice, would be compiled for
    a single use (a user's second call on a new cache: 5-7 s on a loaded machine,
    bench/new_cache.py); instead, when it would be due, the next call's seed loads
    numba and the deferred structure is compiled at its second meeting.  A second
    process on that cache compiles nothing and loads numba at its second call."""
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path), PYTHONPATH=ROOT)
    env.pop("DUALGRAD_ENGINE", None)
    runs = []
    for _ in range(2):
        run = subprocess.run([sys.executable, "-c", CALLS], capture_output=True, text=True,
                             env=env, cwd=tmp_path, timeout=600)
        assert run.returncode == 0, run.stderr[-3000:]
        runs.append(json.loads(run.stdout.strip().splitlines()[-1]))
    assert runs[0] == [[[], [], ["compiled"], []], [False, True, True, True]]
    assert runs[1] == [[[], ["loaded"], [], []], [False, True, True, True]]


HEAT = f"""
import json, sys
import numpy as np
import dualgrad as dg
from dualgrad.backend import _fused, _loader
_fused.COMPILE_AFTER = 0              # the step's structure is compiled at its second meeting


def heat(p, n=5000, steps=30, dt=0.01):
    kappa, amp, width, rate = p[0], p[1], p[2], p[3]
    s = np.linspace(0.0, 1.0, n)
    u = amp * np.exp(-((s - 0.5) / width) ** 2)
    for _ in range(steps):
        lap = u[2:] - 2.0 * u[1:-1] + u[:-2]
        u[1:-1] += kappa * lap + dt * rate * u[1:-1] * (1.0 - u[1:-1])
    return u


p = np.array([0.4, 0.8, 0.1, 1.5])
_loader.load()
with dg.engine("fused"):
    J = np.asarray(dg.jacobian(heat, p))
h = 1e-30
step = np.array([heat(p + 1j * h * e).imag / h for e in np.eye(4)]).T
err = float(np.max(np.abs(J - step)) / np.max(np.abs(step)))
print(json.dumps([err, _fused.kernels_compiled(), "dualgrad.backend._rule_kernels" in sys.modules]))
"""


@pytest.mark.engine_independent
# its subprocesses run without DUALGRAD_ENGINE
def test_loading_numba_leaves_the_rule_kernels_unimported(tmp_path):
    """``_loader.load`` imports numba and dualgrad's numba layer, not the kernel modules:
    a heat step whose partials the fused engine's generated kernel computes never
    imports the rule kernels' module (4,800 lines), cold cache (the kernel compiled)
    or warm (loaded); its Jacobian is the complex step's."""
    pytest.importorskip("numba")
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path), PYTHONPATH=ROOT)
    env.pop("DUALGRAD_ENGINE", None)
    for _ in range(2):
        run = subprocess.run([sys.executable, "-c", HEAT], capture_output=True, text=True,
                             env=env, cwd=tmp_path, timeout=600)
        assert run.returncode == 0, run.stderr[-3000:]
        err, kernels, imported = json.loads(run.stdout.strip().splitlines()[-1])
        assert err < 1e-13
        assert kernels >= 1
        assert not imported
