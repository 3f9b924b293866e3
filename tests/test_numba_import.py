"""numba imported for dualgrad's kernels without scipy and yaml
(dualgrad/backend/_loader.py, ``_import_numba``; dualgrad/backend/_jit.py,
``fail_closed``), and a warm process that loads every kernel and compiles none.

Oracles: the hand-written forward sensitivity of an explicit heat step (analytic),
numba's own dispatcher statistics (cache hits and misses), numba's configuration
read from its file, and the deferred modules' own answers once used.
"""

import json
import os
import subprocess
import sys

import pytest

import dualgrad as dg

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(dg.__file__)))

HEAT = """
import json, sys
import numpy as np
import dualgrad as dg
from dualgrad.backend import _fused, _fusedgen, _loader
_fused.COMPILE_AFTER = 0        # (the filling process compiles at the second step)
_loader.load()


def heat(p, n=6000, steps=6, dt=0.01):
    s = np.linspace(0.0, 1.0, n)
    u = p[1] * np.exp(-((s - 0.5) / p[2]) ** 2)
    for _ in range(steps):
        lap = u[2:] - 2.0 * u[1:-1] + u[:-2]
        u[1:-1] += p[0] * lap + dt * p[3] * u[1:-1] * (1.0 - u[1:-1])
    return u


def tangent(p, n=6000, steps=6, dt=0.01):
    kappa, amp, width, rate = p
    s = np.linspace(0.0, 1.0, n)
    g = np.exp(-((s - 0.5) / width) ** 2)
    u = amp * g
    S = np.zeros((n, 4))
    S[:, 1] = g
    S[:, 2] = amp * g * 2 * (s - 0.5) ** 2 / width ** 3
    for _ in range(steps):
        lap = u[2:] - 2.0 * u[1:-1] + u[:-2]
        mid = u[1:-1]
        dS = kappa * (S[2:] - 2.0 * S[1:-1] + S[:-2]) + (dt * rate * (1.0 - 2.0 * mid))[:, None] * S[1:-1]
        dS[:, 0] += lap
        dS[:, 3] += dt * mid * (1.0 - mid)
        u[1:-1] += kappa * lap + dt * rate * mid * (1.0 - mid)
        S[1:-1] += dS
    return S


p = np.array([0.4, 0.8, 0.1, 1.5])
deferred = {name: type(sys.modules.get(name)).__name__
            for name in ("scipy", "yaml", "importlib.metadata")}
J = [dg.jacobian(heat, p) for _ in range(3)]
from numba.core import entrypoints
from dualgrad.backend import _numba_kernels as K
used = [fn for fn in _fusedgen._compiled.values()] + [K.scale, K.scale_outer]
stats = [sum(len(d.stats.cache_hits) for d in used), sum(len(d.stats.cache_misses) for d in used)]
after = {name: type(sys.modules.get(name)).__name__
         for name in ("scipy", "yaml", "importlib.metadata")}
extensions = entrypoints._already_initialized
ma = "numpy.ma" in sys.modules
err = max(float(np.max(np.abs(j - tangent(p)))) for j in J)
import numba
@numba.njit
def twice(x):                    # a user's own function: numba as usual
    return 2.0 * x
import scipy, yaml
from importlib import metadata
print(json.dumps(dict(deferred=deferred, after=after, stats=stats, fused=len(_fusedgen._compiled), ma=ma,
                      extensions=[extensions, entrypoints._already_initialized], err=err,
                      twice=twice(1.5), extensions_after=entrypoints._already_initialized,
                      scipy=scipy.__version__, yaml=yaml.safe_load("a: [1, 2]"),
                      numpy=metadata.version("numpy") == np.__version__)))
"""


def _run(code, cache, cwd):
    env = dict(os.environ, NUMBA_CACHE_DIR=str(cache), PYTHONPATH=ROOT)
    env.pop("DUALGRAD_ENGINE", None)
    got = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=env, cwd=cwd, timeout=600)
    assert got.returncode == 0, got.stderr[-3000:]
    assert "Warning" not in got.stderr, got.stderr[-3000:]
    return json.loads(got.stdout.strip().splitlines()[-1])


@pytest.mark.engine_independent
# its subprocesses run without DUALGRAD_ENGINE (the default engine: fused kernels)
def test_a_warm_process_imports_neither_scipy_nor_yaml_and_compiles_nothing(tmp_path):
    """The first process compiles (misses), the second loads everything (hits only)
    with neither scipy nor yaml imported until the process itself imports them; both against the analytic sensitivity; then a user's
    own jitted function, scipy, yaml and importlib.metadata work as usual."""
    pytest.importorskip("numba")
    pytest.importorskip("scipy")
    pytest.importorskip("yaml")
    cache = tmp_path / "cache"
    cache.mkdir()
    for process in ("cold", "warm"):
        r = _run(HEAT, cache, tmp_path)
        assert r["err"] < 1e-12
        assert r["fused"] >= 1
        assert r["deferred"]["scipy"] == r["deferred"]["yaml"] == "NoneType"
        hits, misses = r["stats"]
        if process == "cold":
            assert misses >= r["fused"] and hits == 0
            assert r["extensions"] == [True, True]        # a compile initializes them
        else:
            assert misses == 0 and hits >= r["fused"]
            assert r["after"] == r["deferred"]             # nothing used them
            assert r["extensions"] == [False, False]       # loads only
            assert r["ma"] is False              # numba typed plain arrays without it
        assert r["twice"] == 3.0 and r["extensions_after"] is True
        assert r["yaml"] == {"a": [1, 2]} and r["numpy"] is True and r["scipy"]


CONFIG = """
import json, os, sys, warnings
warnings.simplefilter("error")
from dualgrad.backend import _loader
_loader.load()
from numba.core import config
first = config.BOUNDSCHECK
lazy = type(sys.modules.get("yaml")).__name__
with open(".numba_config.yaml", "w") as f:
    f.write("boundscheck: 0\\n")
config.reload_config()              # what numba's compiler does at each compile
print(json.dumps([first, lazy, config.BOUNDSCHECK]))
"""


@pytest.mark.engine_independent
@pytest.mark.parametrize("file_at_import", [True, False])
def test_numba_reads_its_configuration_file_with_or_without_the_deferred_yaml(
        tmp_path, file_at_import):
    """A ``.numba_config.yaml`` in the working directory when numba is imported is read
    as numba reads it (yaml imported at once); one that appears later is read at
    numba's next reload through the yaml stand-in, with no warning of a missing yaml."""
    pytest.importorskip("numba")
    pytest.importorskip("yaml")
    if file_at_import:
        (tmp_path / ".numba_config.yaml").write_text("boundscheck: 1\n")
    first, lazy, later = _run(CONFIG, tmp_path / "cache", tmp_path)
    assert first == (1 if file_at_import else None)
    assert lazy == ("module" if file_at_import else "NoneType")
    assert later == 0


def test_the_refusal_is_the_importing_threads_only():
    """``_loader._Refused`` refuses its names (and their submodules) to the thread
    that made it; another thread imports them as usual, and sys.modules is untouched."""
    import threading
    from dualgrad.backend import _loader
    finder = _loader._Refused({"dualgrad_refused_probe", "json"})
    with pytest.raises(ImportError, match="not imported while numba"):
        finder.find_spec("json.decoder")
    assert finder.refused == {"json"}
    seen = []
    worker = threading.Thread(target=lambda: seen.append(finder.find_spec("json")))
    worker.start()
    worker.join()
    assert seen == [None]                     # another thread: the usual finders decide
    assert finder.find_spec("os") is None


def test_plain_arrays_get_numbas_own_type_without_numpy_ma():
    """The registered typeof of ``np.ndarray`` (``_jit._typeof_plain_arrays``) against
    numba's own function on every layout, dtype, read-only flag and dimension count;
    a masked array, a subclass and an unsupported dtype reach numba's own answer
    (its refusal of masked arrays included)."""
    pytest.importorskip("numba")
    import numpy as np
    from numba.core import errors
    from numba.core.typing.typeof import Purpose, typeof, typeof_impl
    from dualgrad.backend import _jit
    ours = typeof_impl.dispatch(np.ndarray)
    assert ours._dualgrad
    numba_own, = [cell.cell_contents for cell in ours.__closure__
                  if getattr(cell.cell_contents, "__name__", "") == "_typeof_ndarray"]
    base = np.arange(24.0).reshape(2, 3, 4)
    readonly = np.linspace(0.0, 1.0, 7)
    readonly.flags.writeable = False
    arrays = [base, base[:, ::2], np.asfortranarray(base), base.T, base[0, 0, :1],
              np.ones(()), readonly, np.arange(5), np.arange(5, dtype=np.int32),
              np.ones(3, dtype=np.complex128), np.ones(4, dtype=bool), np.empty((0, 3)),
              np.ones(3, dtype=np.float32)[::-1],
              np.zeros(2, dtype=object), np.zeros(2, dtype="M8[s]"), np.zeros(2, dtype=np.float16)]
    c = Purpose.argument
    for a in arrays:
        assert ours(a, c) == numba_own(a, c) == typeof(a), a
    masked = np.ma.masked_array([1.0, 2.0], mask=[False, True])
    with pytest.raises(errors.NumbaTypeError, match="MaskedArray"):
        typeof(masked)

    class Sub(np.ndarray):
        pass
    sub = np.ones(3).view(Sub)
    assert ours(sub, c) == numba_own(sub, c)
    with pytest.raises(errors.NumbaValueError, match="Unsupported array dtype"):
        ours(np.zeros(2, dtype=np.longdouble), c)
    _jit._typeof_plain_arrays()                    # registered once
    assert typeof_impl.dispatch(np.ndarray) is ours
