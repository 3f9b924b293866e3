"""When a process loads numba: not before its kernels have work worth the load.

A process's first use of numba costs far more than loading dualgrad's kernels from
numba's disk cache (5-22 ms each, a fused kernel's check 1-2 ms more):
``import numba`` (0.36-1.01 s) and readying numba's CPU target for its first
compile or cache load (``target_context.refresh()``: numba's lowering registries,
and through ``numba.np.arraymath`` an import of ``scipy.linalg``, 0.55-1.96 s), in
fresh processes on the loaded 2-core machine of bench/ (``python
bench/first_call.py``, bench/RESULTS_first_call.md).  dualgrad readies the target
only for a kernel that must compile, and then without that import
(dualgrad/backend/_jit.py): a process whose kernels are all in the disk cache pays
``import numba`` and numba's runtime, not the target.  Those were most of the
first call on a warm cache, and more than the whole call of the elementwise and
grid problems takes on the NumPy path.

So, as the fused engine interprets an expression before it compiles its kernel
(``_fused.COMPILE_AFTER``), a process propagates with NumPy until a kernel's work
pays for loading numba:

* every operation large enough for an eager kernel (``_kernels._wanted``) asks
  :func:`ready` with its partials elements; until :data:`LOAD_AFTER` elements
  have gone the NumPy way, the answer is no, and the operation takes the NumPy
  path that smaller arrays and ``use("numpy")`` take (the same products and the
  same arithmetic for the local derivatives; ``tests/test_kernels.py`` holds both
  paths to the same results);
* a fused structure whose kernel an earlier process compiled is interpreted (its
  nodes with the NumPy path) until the budget is spent, its elements x nodes
  counting; one that has met its compile threshold (``_fused.COMPILE_AFTER``,
  about a compile's worth of interpreted work) loads numba at once;
* a graph over a transform's seed, which is dense until numba is loaded (deferred
  after), is never compiled; one that would be due when met again loads numba as
  the transform's next call begins (:func:`soon`), whose graph then has deferred seeds;
* ``use("numba")`` and the step-by-step ``np.cumprod`` kernel (whose NumPy path
  is no match) load it at once;
* an operation on small 1-D arrays that dispatch's lean path propagates
  (``_propagate.pair_small``/``scaled_small``: a kernel call once loaded, ~3-4x
  cheaper than NumPy's calls at N = 10) counts what the kernel would save it, in
  these elements (``SMALL_PAIR_WORK``, ``SMALL_ONE_WORK``), not its few elements.

A thread that loads numba in the background while NumPy works was tried (with a
script not kept in bench/) and dropped: the imports hold the GIL against the main
thread's many short NumPy calls; the elementwise problem's first call took longer
than with numba loaded first, its second too, numba still loading.
"""

import os
import sys

__all__ = ["ready", "load", "loaded", "soon", "at_call", "LOAD_AFTER"]

# Partials elements propagated with NumPy (where a loaded numba would have run a
# kernel) after which numba is loaded.  The kernels save 5 ns an element on the
# elementwise problem, none on the grid field, 4-13 ns an element x node on the
# heat equation (bench/first_call.py), so this much NumPy work costs 0.2-0.65 s
# more, about what the load costs: a script that differentiates once or a few
# times never waits for numba, and a loop pays at most about a load's worth
# before it loads it.
LOAD_AFTER = 5 * 10 ** 7

READY = False            # numba and dualgrad's numba layer are imported
_spent = 0               # partials elements the NumPy path took in numba's stead
_soon = False            # a graph over a dense seed asked for numba at the next call


def load():
    """Import numba (:func:`_import_numba`) and dualgrad's numba layer
    (:mod:`dualgrad.backend._jit`).  The kernel modules are imported at their first
    use (``_kernels._kernels``, ``_kernels._rule_kernels``), and each kernel's cached
    machine code at its first call: a process whose work is the fused engine's
    generated kernels never imports the rule kernels' module (4,800 lines, whose
    source a process without bytecode compiles: bench/MISSES.md, stop 50)."""
    global READY
    if not READY:
        _import_numba()
        from . import _jit  # noqa: F401
        READY = True


def _import_numba():
    """``import numba`` without two modules it imports for a use a process loading
    dualgrad's kernels never makes: ``scipy`` (numba checks its version, and passes
    over it as when scipy is not installed) and ``yaml`` (to read numba's
    configuration file, where there is one; numba's configuration then gets
    :class:`_YamlAtUse`, so a file that appears later is still read).  The imports
    are refused to this thread only, by a finder on ``sys.meta_path`` for the
    duration of the import (:class:`_Refused`): nothing in ``sys.modules`` changes,
    and another thread importing either meanwhile, or anyone after, gets the module
    as usual.  Nothing is done when numba is imported already; yaml is left to numba
    where its configuration file is in the working directory."""
    if "numba" in sys.modules:
        return
    names = {"scipy", "yaml"} - set(sys.modules)
    if os.path.exists(".numba_config.yaml"):
        names.discard("yaml")
    finder = _Refused(names)
    sys.meta_path.insert(0, finder)
    try:
        import numba  # noqa: F401
    finally:
        sys.meta_path.remove(finder)
    config = sys.modules.get("numba.core.config")
    if "yaml" in finder.refused and getattr(config, "_HAVE_YAML", True) is False:
        import importlib.util
        if importlib.util.find_spec("yaml") is not None:    # installed: read files with it
            config.yaml, config._HAVE_YAML = _YamlAtUse(), True


class _Refused:
    """A ``sys.meta_path`` finder that refuses the top-level modules ``names`` (and
    their submodules) to the thread that made it, and records which it refused."""

    def __init__(self, names):
        import threading
        self.names, self.thread, self.refused = names, threading.get_ident(), set()
        self._ident = threading.get_ident

    def find_spec(self, name, path=None, target=None):
        top = name.partition(".")[0]
        if top in self.names and self._ident() == self.thread:
            self.refused.add(top)
            raise ImportError(f"dualgrad: {name} not imported while numba is imported")
        return None


class _YamlAtUse:
    """numba's configuration's ``yaml`` module, imported at its first use (numba reads
    ``.numba_config.yaml`` with ``yaml.safe_load`` when the file exists)."""

    def __getattr__(self, name):
        import yaml
        return getattr(yaml, name)


def loaded():
    """Has this process loaded numba (without counting any work)?"""
    return READY


def ready(work):
    """May a kernel take ``work`` partials elements now?  Yes once numba is loaded;
    else the work is counted, and numba is loaded when the count reaches
    :data:`LOAD_AFTER`."""
    global _spent
    if READY:
        return True
    _spent += work
    if _spent < LOAD_AFTER:
        return False
    load()
    return True


def soon():
    """Load numba when the next call of a transform begins (:func:`at_call`): a
    graph over a seed made dense for lack of numba would be due for a compile when
    met again (``_fused._kernel``).  Not at the next seed: the passes of one call
    (one per argument until numba is loaded) keep one kind of seed."""
    global _soon
    _soon = True


def at_call():
    """Has numba been loaded, as a transform's call begins?  Loads it first when
    :func:`soon` asked for it."""
    if _soon and not READY:
        load()
    return READY
