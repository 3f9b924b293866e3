"""The process-wide state a test must leave as it found it (tests/conftest.py's
``_global_state_kept``).

A test that changes global state and leaves it changed passes, and fails a later test
on a machine where pytest-xdist hands the tests out in another order: stop 71's CI
failed nine of test_stats46's 50-digit mpmath oracles, computed at 24 digits, after
test_small71 had set ``mpmath.mp.prec = 80`` in a test body on the same worker.
:func:`snapshot` reads the cheap states below before a test, :func:`changed` names
those that differ after it, each with its fix (:data:`FIXES`):

* mpmath's working precision (a test runs at the digits of its ``mp_dps`` marker,
  :data:`DEFAULT_DPS` without one: :func:`kept`) and its ``pretty`` flag;
* NumPy's floating-point error handling (``np.seterr``, ``np.seterrcall``), print
  options, and the legacy global generator's state (``np.random.seed``, or a draw
  from ``np.random.random``; not Python's ``random``: no test calls its module-level
  functions, and its ``getstate()`` costs 25 us);
* ``os.environ``, the working directory, ``sys.path``, and the modules in
  ``sys.modules`` (one removed or replaced: new imports are allowed);
* the garbage collector's switch and thresholds;
* dualgrad's settings: the engine (``_fused``: ``_DEFAULT``, ``_engine``, ``ACTIVE[0]``, the
  open blocks, the depth and the deferred work), the kernels' mode, the buffer pool's
  switch, the fused kernels' thresholds, numba's ``config``.

Not read: the warnings filters, which pytest's warnings plugin puts back after every
test and every collection (a filter set in a test body cannot outlive it; a library
imported for the first time in a test may add its own), and Python's ``random``.

Each read is cheap (tens of microseconds a test, the sum ``bench/state_guard.py``
measures): no state is copied that a test cannot be expected to leave alone (caches
that fill, counters that count).
"""

import contextlib
import ctypes
import gc
import os
import sys

import numpy as np
import pytest

try:                # imported before any test, so that a test importing it in its body
    import mpmath   # noqa: F401  runs at its marker's digits too, not mpmath's own 15
except ImportError:  # (diff72 F3: such a test ran its oracle at 15 digits, and failed here)
    pass

# (state, fix): the message a test that leaves the state changed fails with
FIXES = {
    "mpmath precision": "set it with @pytest.mark.mp_dps(n) on the test (or "
                        "pytestmark = pytest.mark.mp_dps(n) on its file), or in a "
                        "`with mpmath.workdps(n):` block",
    "mpmath pretty": "set it in a try/finally that puts it back",
    "np.seterr": "use `with np.errstate(...)`",
    "np.seterrcall": "use `with np.errstate(call=...)`",
    "np.set_printoptions": "use `with np.printoptions(...)`",
    "np.random's global state": "draw from np.random.default_rng(seed) or a "
                                "np.random.RandomState(seed) of the test's own, or save "
                                "np.random.get_state() and set it back in a finally",
    "os.environ": "use monkeypatch.setenv / monkeypatch.delenv",
    "the working directory": "use monkeypatch.chdir (or tmp_path with it)",
    "sys.path": "use monkeypatch.syspath_prepend",
    "sys.modules": "use monkeypatch.setitem(sys.modules, ...) / monkeypatch.delitem",
    "gc": "put gc.enable() / gc.set_threshold back in a finally",
    "dualgrad's settings": "use `with dg.engine(...)`, the setting's own context "
                           "manager, or monkeypatch.setattr",
    "numba.config": "use monkeypatch.setattr(numba.config, ...)",
}

# The digits of a test without an ``mp_dps`` marker: those every such test of README's
# fused half ran at before stop 72 (test_stats46, the last file collected that set
# ``mp.mp.dps`` as it was imported, set them for the whole run); never fewer.
DEFAULT_DPS = 50


_MT = []        # (the global generator, the address of its MT19937 state), once read


def _random_state():
    """The legacy global generator's MT19937 state (its key and position: 2,500 bytes
    read in place; ``get_state()`` builds a dict with a copy of the key, 100 times the
    cost)."""
    rs = np.random.mtrand._rand
    if not _MT or _MT[0][0] is not rs:
        _MT[:] = [(rs, rs._bit_generator.ctypes.state_address)]
    return ctypes.string_at(_MT[0][1], 624 * 4 + 4)


_CURRENT = os.environ.encodekey("PYTEST_CURRENT_TEST")     # (pytest's own, set per phase)


def _environ():
    env = os.environ._data.copy()
    env.pop(_CURRENT, None)
    return env


def _dualgrad_settings():
    mods = sys.modules
    fused = mods.get("dualgrad.backend._fused")
    if fused is None:
        return None
    kernels = mods.get("dualgrad.backend._kernels")
    buffers = mods.get("dualgrad.backend._buffers")
    # (ACTIVE[1], from how many elements to defer, is _update's function of _engine and
    # MIN_WORK, read only while ACTIVE[0] is true: stale from the import until _update's
    # first call, which the first helper call of a process makes)
    return (fused._DEFAULT, fused._engine, fused.ACTIVE[0], len(fused._BLOCKS),
            fused._depth, len(fused.PENDING), fused.COMPILE_AFTER, fused.COMPILE_TIMES,
            fused.MIN_WORK,
            kernels and (kernels._mode, tuple(kernels.SMALL_BELOW)),
            buffers and buffers._enabled)


def snapshot():
    """The states, read now (a tuple :func:`changed` compares)."""
    mods = sys.modules
    mp = mods.get("mpmath")
    numba = mods.get("numba")
    config = mods.get("numba.core.config") if numba is not None else None
    return (
        (mp.mp.prec, mp.mp.pretty) if mp is not None else None,
        np.geterr(),
        np.geterrcall(),
        np.get_printoptions(),
        _random_state(),
        _environ(),
        os.getcwd(),
        list(sys.path),
        list(mods.values()),
        (gc.isenabled(), gc.get_threshold()),
        _dualgrad_settings(),
        vars(config).copy() if config is not None else None,
    )


_NAMES = ("mpmath", "np.seterr", "np.seterrcall", "np.set_printoptions",
          "np.random's global state",
          "os.environ", "the working directory", "sys.path", "sys.modules", "gc",
          "dualgrad's settings", "numba.config")


def _allowed(name, old, new):
    """Whether a difference is one a test may leave."""
    if name == "mpmath" and old is None:     # imported by the test (:func:`kept` puts
        return True                          # its precision back)
    if name == "sys.modules":           # modules imported since are appended; one taken
        if old == new[:len(old)]:       # out and put back (monkeypatch) moves to the end
            return True
        present = set(map(id, new))
        return all(id(m) in present for m in old)
    if name == "numba.config":          # names set for the first time are allowed
        return new is None or all(new.get(k, v) is v or new.get(k) == v
                                  for k, v in old.items()) if old is not None else True
    if name == "dualgrad's settings" and old is None:
        return True
    return False


# What importing a library for the first time changes, measured (tests/_state.py's
# snapshot around each import of the test dependencies): jax draws from np.random's
# global generator and sets two variables.  A test that imports it first in its
# process (tests import it in their bodies, pytest.importorskip) is not failed for it.
IMPORT_EFFECTS = {"jax": {"np.random's global state": True,
                          "os.environ": {"TF_CPP_MIN_LOG_LEVEL", "TPU_SKIP_MDS_QUERY"}}}


def _imported(name, old, new, imported):
    """Whether the difference in ``name`` is what the libraries first imported between
    the snapshots (:data:`IMPORT_EFFECTS`) do."""
    effects = [IMPORT_EFFECTS[lib][name] for lib in imported
               if name in IMPORT_EFFECTS.get(lib, ())]
    if not effects:
        return False
    if name == "os.environ":
        keys = {k for k in old.keys() | new.keys() if old.get(k) != new.get(k)}
        allowed = {os.environ.encodekey(v) for e in effects for v in e}
        return keys <= allowed
    return True


def changed(before, after):
    """The names of the states that differ between two snapshots, each with what it
    was and is (for the message)."""
    if _eq(before, after):
        return []
    mods = _NAMES.index("sys.modules")
    imported = {getattr(m, "__name__", None) for m in after[mods][len(before[mods]):]}
    out = []
    for name, old, new in zip(_NAMES, before, after):
        if old is new or _eq(old, new) or _allowed(name, old, new) or \
                _imported(name, old, new, imported):
            continue
        if name == "mpmath":
            if old[0] != new[0]:
                out.append(("mpmath precision", f"{old[0]} bits", f"{new[0]} bits"))
            if old[1] != new[1]:
                out.append(("mpmath pretty", old[1], new[1]))
            continue
        out.append((name, _short(name, old, new, 0), _short(name, old, new, 1)))
    return out


def _short(name, old, new, which):
    """What the state was (``which`` 0) or is (1), shortened to what differs."""
    if isinstance(old, dict) and isinstance(new, dict):
        keys = sorted({k for k in old.keys() | new.keys() if old.get(k) is not new.get(k)
                       and not _eq(old.get(k), new.get(k))}, key=str)[:4]
        side = (old, new)[which]
        return {k: side.get(k, "(unset)") for k in keys}
    if name == "sys.modules":
        present = set(map(id, new))
        gone = [getattr(m, "__name__", m) for m in old if id(m) not in present][:4]
        return f"{len(old)} modules" if which == 0 else f"{len(new)} modules, " \
            f"these removed or replaced: {gone}"
    if name == "sys.path":
        if which == 0:
            return f"{len(old)} entries"
        return f"{len(new)} entries, added {[p for p in new if p not in old][:4]}, " \
            f"removed {[p for p in old if p not in new][:4]}"
    if name == "np.random's global state":
        return "as before the test" if which == 0 else "moved (seeded, or drawn from)"
    return (old, new)[which]


def _eq(a, b):
    try:
        return bool(a == b)
    except Exception:
        return False


def message(nodeid, diffs):
    lines = [f"{nodeid} left process-wide state changed, which fails later tests "
             "where pytest-xdist orders them otherwise (tests/_state.py):"]
    for name, old, new in diffs:
        lines.append(f"  {name}: was {old!r}, now {new!r}; fix: {FIXES[name]}")
    return "\n".join(lines)


@contextlib.contextmanager
def kept(node):
    """Runs a test (pytest's ``node``) at its mpmath precision and fails it, naming the
    state and the fix, where it leaves a state of :func:`snapshot` changed; the
    precision goes back either way.  The precision is the ``mp_dps`` marker's digits
    nearest the test (a file's ``pytestmark``), :data:`DEFAULT_DPS` without one: never
    what a file collected or a test run before left."""
    marker = node.get_closest_marker("mp_dps")
    if marker is not None:
        pytest.importorskip("mpmath")
    mp = sys.modules.get("mpmath")
    prec = mp.mp.prec if mp is not None else None
    if mp is not None:
        mp.mp.dps = marker.args[0] if marker is not None else DEFAULT_DPS
    before = snapshot()
    yield
    diffs = changed(before, snapshot())
    mp = sys.modules.get("mpmath")
    if mp is not None:
        if prec is None:                # (imported by the test)
            if mp.mp.dps != DEFAULT_DPS:
                diffs.insert(0, ("mpmath precision", "mpmath's default (first imported "
                                 "here)", f"{mp.mp.dps} digits"))
        else:
            mp.mp.prec = prec
    if diffs:
        pytest.fail(message(node.nodeid, diffs), pytrace=False)
