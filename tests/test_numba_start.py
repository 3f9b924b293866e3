"""numba's CPU target readied for dualgrad's kernels without importing scipy.linalg
(dualgrad/backend/_jit.py, ``ready_target``), numba's own BLAS probe answered as
numba answers it.

Oracles: a process in which numba readies its target itself (its probe's answer),
analytic derivatives, and NumPy's ``np.correlate`` for a user's jitted one.
"""

import json
import os
import subprocess
import sys
import threading

import numpy as np
import pytest

import dualgrad as dg

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(dg.__file__)))

OURS = """
import json, sys
import numpy as np
import dualgrad as dg
from dualgrad.backend import _jit, _kernels, _loader
_loader.load()
x = np.linspace(0.5, 2.0, 5000)
with _kernels.use("numba"):
    d = dg.elementwise_grad(lambda x: np.log1p(x) * x)(x)
err = float(np.max(np.abs(d - (np.log1p(x) + x / (1.0 + x))) / np.abs(d)))
target = "numba.np.arraymath" in sys.modules      # readied: by a compile only
linalg_after_load = "scipy.linalg" in sys.modules
import numba
from numba.np import arraymath
blas = arraymath._HAVE_BLAS
left = [f for f in sys.meta_path if type(f).__name__ == "_NoLinalg"]

@numba.njit
def correlate(a, b):
    return np.correlate(a, b)

rng = np.random.default_rng(3)
a, b = rng.standard_normal(40), rng.standard_normal(7)
corr = float(np.max(np.abs(correlate(a, b) - np.correlate(a, b))))
print(json.dumps([linalg_after_load, blas, len(left), err, corr,
                  "scipy.linalg" in sys.modules, target]))
"""

NUMBAS = """
import json, sys
import numba
from numba.core.registry import cpu_target
cpu_target.target_context.refresh()
from numba.np import arraymath
print(json.dumps([arraymath._HAVE_BLAS, "scipy.linalg" in sys.modules]))
"""


def _fresh(code, tmp_path):
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path), PYTHONPATH=ROOT)
    env.pop("DUALGRAD_ENGINE", None)
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=env, cwd=tmp_path, timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    return json.loads(run.stdout.strip().splitlines()[-1])


@pytest.mark.engine_independent
# its subprocesses run without DUALGRAD_ENGINE (_fresh drops it)
def test_loading_the_kernels_does_not_import_scipy_linalg(tmp_path):
    """Loading numba for the kernels leaves scipy.linalg unimported (the old code
    imported it through numba's BLAS probe), answers the probe as numba does in a
    process of its own, leaves no finder behind, and the kernels and a user's
    jitted np.correlate (numba's BLAS path, which imports scipy.linalg itself)
    still give their analytic and NumPy's results."""
    pytest.importorskip("numba")
    linalg, blas, left, err, corr, linalg_at_end, target = _fresh(OURS, tmp_path)
    numba_blas, numba_linalg = _fresh(NUMBAS, tmp_path)
    assert target                   # an empty cache: the kernels compiled
    assert not linalg
    assert blas == numba_blas
    assert left == 0
    assert err < 1e-14
    assert corr < 1e-12
    assert linalg_at_end == (numba_blas and numba_linalg)


@pytest.mark.engine_independent
# its subprocesses run without DUALGRAD_ENGINE (_fresh drops it)
def test_kernels_loaded_from_the_cache_leave_the_target_unreadied(tmp_path):
    """A process whose kernels all come from numba's disk cache never readies numba's
    CPU target (its lowering and typing registries: numba's own cache load does), yet
    its kernels give the analytic derivatives; a user's jitted code compiled after
    them still readies it and gives NumPy's result."""
    pytest.importorskip("numba")
    assert _fresh(OURS, tmp_path)[6]                 # cold: compiled, target readied
    linalg, blas, left, err, corr, linalg_at_end, target = _fresh(OURS, tmp_path)
    assert not target and not linalg
    assert err < 1e-14 and corr < 1e-12 and left == 0


@pytest.mark.engine_independent
# its subprocess runs without DUALGRAD_ENGINE (_fresh drops it)
def test_nothing_is_refused_once_scipy_linalg_is_imported(tmp_path):
    pytest.importorskip("scipy.linalg")
    code = ("import scipy.linalg\n" + OURS.replace("linalg_after_load = ", "linalg_after_load = "
                                                   "not "))
    linalg_missing, blas, left, err, corr, _, _ = _fresh(code, tmp_path)
    assert not linalg_missing and blas is True and left == 0
    assert err < 1e-14 and corr < 1e-12


def test_the_finder_refuses_scipy_linalg_to_its_own_thread_only():
    pytest.importorskip("numba")
    from dualgrad.backend import _jit
    finder = _jit._NoLinalg()
    assert finder.find_spec("scipy") is None
    assert finder.find_spec("scipy.linalg_extra") is None
    for name in ("scipy.linalg", "scipy.linalg.cython_blas"):
        with pytest.raises(ImportError, match=name):
            finder.find_spec(name)
    others = []
    thread = threading.Thread(target=lambda: others.append(
        finder.find_spec("scipy.linalg.cython_blas")))
    thread.start()
    thread.join()
    assert others == [None]


def test_no_scipy_means_no_blas(monkeypatch):
    pytest.importorskip("numba")
    from dualgrad.backend import _jit
    monkeypatch.setattr(_jit.importlib.util, "find_spec", lambda name: None)
    assert _jit._cython_blas_installed() is False


BROKEN = """
import json, sys
import numpy as np
import dualgrad as dg
from dualgrad.backend import _kernels, _loader
_loader.load()
x = np.linspace(0.5, 2.0, 5000)
a = dg.Dual(x, np.ones((5000, 3)))
with _kernels.use("numba"):
    y = np.log1p(a)                              # a generated rule kernel
    z = dg.Dual(x, np.ones((5000, 3))) * x       # _numba_kernels.scale
from dualgrad.backend import _numba_kernels as K, _rule_kernels as R
used = [R.KERNELS[np.log1p][(0,)][1], K.scale]
print(json.dumps([float(np.max(np.abs(y.partials - (1 / (1 + x))[:, None]))),
                  float(np.max(np.abs(z.partials - x[:, None]))),
                  sum(len(d.stats.cache_hits) for d in used),
                  sum(len(d.stats.cache_misses) for d in used)]))
"""


@pytest.mark.parametrize("damage", ["garbage", "truncated"])
@pytest.mark.engine_independent
# its subprocesses run with DUALGRAD_ENGINE=eager
def test_a_broken_cache_entry_is_compiled_again(tmp_path, damage):
    """An entry of numba's disk cache that cannot be loaded is compiled again and
    written anew (numba alone raised from the kernel's first call: the old code
    failed here), and the kernels still give the analytic derivatives."""
    pytest.importorskip("numba")
    cache = tmp_path / "cache"
    cache.mkdir()
    env = dict(os.environ, NUMBA_CACHE_DIR=str(cache), PYTHONPATH=ROOT, DUALGRAD_ENGINE="eager")

    def run():
        got = subprocess.run([sys.executable, "-c", BROKEN], capture_output=True, text=True,
                             env=env, cwd=tmp_path, timeout=600)
        assert got.returncode == 0, got.stderr[-3000:]
        return json.loads(got.stdout.strip().splitlines()[-1])
    assert run()[2:] == [0, 2]                       # compiled and written
    assert run()[2:] == [2, 0]                       # loaded
    files = [f for f in cache.rglob("*.nbc")
             if "d_log1p_x-" in f.name or ".scale-" in f.name]
    assert len(files) == 2
    for f in files:
        data = f.read_bytes()
        f.write_bytes(b"\x80\x04not a pickle" * 8 if damage == "garbage" else data[:len(data) // 2])
    err_log1p, err_scale, hits, misses = run()       # compiled again
    assert err_log1p == 0.0 and err_scale == 0.0 and (hits, misses) == (0, 2)
    assert run()[2:] == [2, 0]                       # and written anew


RUNTIME = """
import json
import numpy as np
from numba.core.runtime import nrtdynmod
made = []
build = nrtdynmod.create_nrt_module
nrtdynmod.create_nrt_module = lambda ctx: (made.append(1), build(ctx))[1]
import dualgrad as dg
from dualgrad.backend import _kernels, _loader
_loader.load()
x = np.linspace(0.5, 2.0, 5000)
with _kernels.use("numba"):
    d = dg.elementwise_grad(lambda x: np.log1p(x) * x)(x)
err = float(np.max(np.abs(d - (np.log1p(x) + x / (1.0 + x))) / np.abs(d)))
import numba
from numba.core.runtime import rtsys

@numba.njit
def halves(n):                  # arrays made and dropped: the runtime's counts
    s = 0.0
    for i in range(n):
        s += (np.arange(i + 1) * 2.0)[::2].sum()
    return s

before = rtsys.get_allocation_stats()
got = halves(300)
after = rtsys.get_allocation_stats()
want = float(sum((np.arange(i + 1) * 2.0)[::2].sum() for i in range(300)))
print(json.dumps([len(made), err, got == want, after.alloc - before.alloc,
                  after.free - before.free, after.mi_alloc - before.mi_alloc,
                  after.mi_free - before.mi_free]))
"""


@pytest.mark.parametrize("damage", ["flipped", "truncated", "foreign"])
@pytest.mark.engine_independent
# its subprocesses run without DUALGRAD_ENGINE (_fresh drops it)
def test_numbas_runtime_is_read_from_the_cache_and_compiled_again_when_damaged(
        tmp_path, damage, monkeypatch):
    """numba's runtime (its reference counts, compiled from IR in every process by
    numba) is compiled once per cache and read by later processes, whose kernels
    still give the analytic derivative and whose jitted code still counts every
    array it makes and frees (numba's own runtime statistics); a damaged file, or
    a verified one whose bytes are not numba's, is compiled again and rewritten."""
    pytest.importorskip("numba")
    monkeypatch.setenv("NUMBA_NRT_STATS", "1")
    made, err, right, *counts = _fresh(RUNTIME, tmp_path)
    assert made == 1 and err < 1e-14 and right
    assert counts == [600] * 4     # an arange and a product an iteration
    made, err, right, *counts = _fresh(RUNTIME, tmp_path)
    assert made == 0 and err < 1e-14 and right          # read, not compiled
    assert counts == [600] * 4
    (blob,) = (tmp_path / "dualgrad-code").glob("*.blob")
    good = blob.read_bytes()
    if damage == "flipped":
        bad = bytearray(good)
        bad[len(bad) // 2] ^= 0x04
        blob.write_bytes(bytes(bad))
    elif damage == "truncated":
        blob.write_bytes(good[:len(good) // 3])
    else:                               # the digest matches: numba must refuse it
        from dualgrad.backend import _disk
        payload = b"\x00not marshal, not numba" * 9
        blob.write_bytes(_disk._MAGIC + _disk._digest(payload) + payload)
    made, err, right, *counts = _fresh(RUNTIME, tmp_path)
    assert made == 1 and err < 1e-14 and right          # compiled again
    assert counts == [600] * 4
    assert _fresh(RUNTIME, tmp_path)[0] == 0            # and rewritten


def test_the_runtimes_key_names_numbas_version_and_the_cpu(monkeypatch):
    pytest.importorskip("numba")
    import numba
    from numba.core.registry import cpu_target

    from dualgrad.backend import _jit
    codegen = cpu_target.target_context.codegen()
    key = _jit._runtime_key(codegen)
    assert codegen.magic_tuple()[1] in key              # the CPU's name
    monkeypatch.setattr(numba, "__version__", numba.__version__ + "+other")
    assert _jit._runtime_key(codegen) != key


TETRAGAMMA = """
import json
import numpy as np
from dualgrad.rules import _special
from dualgrad.backend import _numba_kernels
x = np.array([0.3, 2.5, -1.7])
out = np.empty(3)
_numba_kernels.tetragamma(x, out)
print(json.dumps([out.tolist(), [_special.tetragamma(float(v)) for v in x]]))
"""


@pytest.mark.engine_independent
def test_a_kernel_follows_the_source_it_calls_in_another_file(tmp_path):
    """attack25: the tetragamma array loop (backend/_numba_kernels.py) calls
    rules/_special.tetragamma; numba's cache key holds the loop's own bytecode and its
    file's stamp, so an upgrade that changed _special.py alone kept running the old
    tetragamma from the disk cache.  The key now holds _special.py's digest: a copy
    whose tetragamma is doubled gets the doubled loop from the same cache."""
    import shutil
    root = os.path.dirname(os.path.dirname(os.path.abspath(dg.__file__)))
    copy = tmp_path / "copy"
    shutil.copytree(os.path.join(root, "dualgrad"), copy / "dualgrad",
                    ignore=shutil.ignore_patterns("__pycache__"))
    cache = tmp_path / "cache"
    cache.mkdir()

    def run():
        env = dict(os.environ, NUMBA_CACHE_DIR=str(cache), PYTHONPATH=str(copy))
        done = subprocess.run([sys.executable, "-c", TETRAGAMMA], capture_output=True,
                              text=True, env=env, cwd=tmp_path, timeout=600)
        assert done.returncode == 0, done.stderr[-3000:]
        return json.loads(done.stdout.strip().splitlines()[-1])
    loop, twin = run()
    assert loop == twin                                 # compiled, kept on disk
    special = copy / "dualgrad" / "rules" / "_special.py"
    text = special.read_text()
    old = ("        return psi2 - _2PI3 * cs / (sn * sn * sn)\n    return psi2\n")
    assert text.count(old) == 1
    special.write_text(text.replace(old, "        return 2.0 * (psi2 - _2PI3 * cs / (sn * sn * "
                                         "sn))\n    return 2.0 * psi2\n"))
    doubled, twin2 = run()
    assert twin2 == [2.0 * v for v in twin] and doubled == twin2
