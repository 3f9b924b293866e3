"""numba's ``njit`` for dualgrad's kernel modules, with the disk cache where it can be.

The kernels ask for ``cache=True`` so that later processes skip the compile.  numba
needs somewhere to write that cache (the package's ``__pycache__``, the user's cache
directory under ``HOME``, or ``NUMBA_CACHE_DIR``); an install with none of them
writable (a read-only image run as another user) makes numba refuse the decorator
with ``RuntimeError: cannot cache function ...: no locator available``.  Then the
kernels compile without the disk cache, in every process, and dualgrad warns once.
Imported only by the kernel modules, so never at ``import dualgrad``.

A kernel loaded from the disk cache leaves numba's CPU target unreadied (only
numba's runtime is initialized, its machine code also read from the disk cache:
:class:`_LoadOrCompile`, :func:`_runtime_library`); :func:`ready_target`
readies it for a kernel that must compile, without importing ``scipy.linalg``,
which numba imports there only to probe for BLAS.
"""

import importlib.machinery
import importlib.util
import os
import sys
import threading
import warnings

import numba
import numpy as np

__all__ = ["njit", "NoDiskCacheWarning", "ready_target", "fail_closed", "ENTRY", "one_layout"]

# The options of a kernel called through its compiled entry point without numba's
# dispatcher (``dispatcher.compile(signature)``, the small-array kernels of
# ``_kernels.small_exact`` / ``small_row`` / ``small_entry`` / ``small_outer_entry``),
# beside the kernel module's own: numba's runtime (NRT) off.  Such a kernel writes into
# the arrays it is given and allocates nothing, so it needs no runtime; with it, numba's
# unboxing makes a reference-counted ``MemInfo`` for every array argument (a ``malloc``,
# an incref, and their undoing at the return): 0.23 of a 0.53 us call of ``np.add``'s
# kernel on six arrays of N = 10 (small53).  The same machine code otherwise, so the
# same bits.  A kernel that did allocate would fail to compile ("NRT required"), not
# run.  The disk cache keeps such kernels under their own key (:class:`_LoadOrCompile`).
ENTRY = dict(_nrt=False)


class NoDiskCacheWarning(UserWarning):
    """numba found no writable cache location: kernels compile in every process."""


_warned = False


def njit(**options):
    """``numba.njit(**options)`` that falls back to ``cache=False`` when numba has no
    writable cache location."""
    def decorate(fn):
        global _warned
        if options.get("cache"):
            try:
                return fail_closed(numba.njit(**options)(fn))
            except RuntimeError as exc:
                if "no locator available" not in str(exc):
                    raise
            if not _warned:
                _warned = True
                warnings.warn(
                    "dualgrad: numba has no writable cache location (a read-only install "
                    "and no writable home), so dualgrad's kernels are compiled in every "
                    "process. Set NUMBA_CACHE_DIR to a writable directory to keep them.",
                    NoDiskCacheWarning, stacklevel=2)
        return fail_closed(numba.njit(**dict(options, cache=False))(fn))
    return decorate


class _LoadOrCompile:
    """numba's disk cache of one dispatcher, with loads that fail closed and that
    leave numba's CPU target unreadied.

    An entry numba cannot load (a truncated or corrupted file, whose unpickling or
    LLVM object code raises) is a miss, so numba compiles the kernel again and
    writes the entry anew, where numba itself would raise from the kernel's first
    call.  Everything else is numba's cache (its index keyed by the source file's
    stamp and the CPU, so a stale entry is a miss already), its key extended by the
    source the kernels call in another file (:func:`_called_source`).

    numba's own load first readies the whole target (``target_context.refresh()``:
    the lowering and typing registries of everything numba can compile, some 50
    modules), which loading machine code does not use: the entry is unpickled, its
    object code linked and its entry point taken.  What that code does need is
    numba's runtime (NRT: its allocation and reference-counting functions, which
    the linker resolves), so a load readies only that (:func:`_ready_runtime`), and
    a miss readies the target (:func:`ready_target`) before numba compiles; a
    compile refreshes the target itself as well (``numba.core.compiler``), so a
    user's own jitted code meets numba as it always does.
    """

    def __init__(self, cache, runtime=True):
        self._cache = cache
        own = getattr(cache, "_index_key", None)       # (none: no disk cache)
        if own is not None:         # numba's Cache calls it as self._index_key: on the instance
            # (numba's key has no compile flags: a kernel compiled without the runtime,
            # :data:`ENTRY`, is kept apart from one of the same source compiled with it)
            flags = () if runtime else ("no NRT",)
            cache._index_key = lambda sig, codegen: own(sig, codegen) + (_called_source(),) + flags

    def __getattr__(self, name):
        return getattr(self._cache, name)

    def load_overload(self, sig, target_context):
        try:
            _ready_runtime(target_context)
            load = getattr(self._cache, "_load_overload", None)    # numba's, less refresh()
            found = load(sig, target_context) if load else None      # (None: no disk cache)
        except Exception:       # noqa: BLE001 (whatever a broken file raises: recompile)
            found = None
        if found is None:
            ready_target()      # numba compiles next
        return found


_CALLED = []


def _called_source():
    """The digest of the source dualgrad's kernels call into from another file
    (``rules/_special.py``: trigamma and tetragamma, jitted where they are used;
    ``backend/_regular_kernels.py``: the power rows' regular branches, generated from
    the table, which the compiled power entries call), part of every kernel's cache
    key.  numba's key holds the kernel's own bytecode and its file's stamp, not what
    it calls: an upgrade that changed ``_special.py`` alone left the array loops
    running the old tetragamma (attack25), and a regenerated ``_regular_kernels.py``
    left the power entries on the old branch.  A file changed since this process
    imported it (:func:`._disk.loaded_bytes`) gives a digest of this process alone: no
    cached kernel is reused, none is filed under the new text."""
    if not _CALLED:
        import hashlib
        from ..rules import _special
        from ._disk import loaded_bytes
        regular = os.path.join(os.path.dirname(__file__), "_regular_kernels.py")
        texts = loaded_bytes([_special.__file__, regular])
        _CALLED.append(hashlib.sha256(b"\0".join(texts) if texts else os.urandom(16)).hexdigest())
    return _CALLED[0]


def _ready_runtime(target_context):
    """Initialize numba's runtime (NRT) for ``target_context``, as its target's
    refresh does first (numba's ``rtsys.initialize`` returns at once once done), with
    the runtime's own machine code from the disk cache (:func:`_runtime_library`)."""
    from numba.core.runtime import nrtdynmod, rtsys
    done = getattr(rtsys, "_init", None)
    if done:
        return
    from numba.core import config
    from numba.core.compiler_lock import global_compiler_lock
    from numba.core.registry import cpu_target
    if done is None or target_context is not cpu_target.target_context or \
            config.DEBUG_NRT or not hasattr(nrtdynmod, "create_nrt_module"):
        rtsys.initialize(target_context)     # numba's way (another numba, its debug build)
        return
    with global_compiler_lock:      # initialize takes it too: the one caller of the swap
        compile_functions = nrtdynmod.compile_nrt_functions
        nrtdynmod.compile_nrt_functions = _runtime_library
        try:
            rtsys.initialize(target_context)
        finally:
            nrtdynmod.compile_nrt_functions = compile_functions


def _runtime_key(codegen):
    """What the runtime's machine code depends on: numba's and llvmlite's versions
    (numba writes the runtime's IR), its optimization level, the target triple, the
    CPU and its features."""
    import llvmlite
    from numba.core import config
    return repr(("nrt", numba.__version__, llvmlite.__version__, config.OPT,
                 codegen.magic_tuple()))


def _runtime_library(target_context):
    """numba's ``nrtdynmod.compile_nrt_functions``, its machine code kept on disk.

    numba compiles its runtime's functions (reference counts, the abort for
    unresolved symbols) from LLVM IR in every process that calls a compiled
    function: 23-36 ms at load 1-3 here, more than loading a kernel from the
    cache (in ``python bench/first_split.py``'s fused check: the first call's).
    The library is compiled with numba's own object caching and kept under
    :func:`_runtime_key` (``_disk``: a digest checked before numba sees a byte); a
    later process unserializes it as numba's cache unserializes a kernel (4-5 ms).
    A file that does not load (damaged, missing, another version) is compiled again
    and rewritten."""
    import marshal

    from numba.core.runtime import nrtdynmod

    from . import _disk
    codegen = target_context.codegen()
    key = _runtime_key(codegen)
    payload = _disk.read_blob(key)
    if payload is not None:
        try:
            state = marshal.loads(payload)
            library = codegen.unserialize_library(state)
            if library.name == "nrt" and all(
                    library.get_pointer_to_function(name) for name in _RUNTIME_FUNCTIONS):
                return library
        except Exception:   # noqa: BLE001 (unreadable: compiled again, as a miss)
            pass
    module, library = nrtdynmod.create_nrt_module(target_context)
    library.enable_object_caching()
    library.add_ir_module(module)
    library.finalize()
    try:
        _disk.write_blob(key, marshal.dumps(library.serialize_using_object_code()))
    except Exception:       # noqa: BLE001 (not kept: the next process compiles it)
        pass
    return library


# functions the runtime's library defines (numba.core.runtime.nrtdynmod)
_RUNTIME_FUNCTIONS = ("nrt_atomic_add", "nrt_atomic_sub", "nrt_atomic_cas",
                      "NRT_MemInfo_data_fast", "NRT_incref", "NRT_decref",
                      "nrt_unresolved_abort")


def fail_closed(dispatcher):
    """``dispatcher`` (a numba dispatcher) with its disk cache's loads failing closed
    and its target readied only to compile (:class:`_LoadOrCompile`; without a disk
    cache every load misses), and without initializing numba's extension entry points
    as its calls begin (:func:`_no_extensions`)."""
    if not isinstance(dispatcher._cache, _LoadOrCompile):
        dispatcher._cache = _LoadOrCompile(dispatcher._cache,
                                           dispatcher.targetoptions.get("_nrt", True))
    dispatcher._compilation_chain_init_hook = _no_extensions
    return dispatcher


def _no_extensions():
    """A dispatcher's hook before it types its arguments and compiles or loads: numba's
    own runs ``entrypoints.init_all()`` (every installed distribution's metadata read
    through ``importlib.metadata``, imported for it: 7-9 ms and ~20 ms, the warm first
    call's, bench/MISSES.md stops 35 and 43), for third-party types and functions that
    dualgrad's kernels never take nor call.  A load from the disk cache needs none; a
    compile initializes them anyway (numba's compiler refreshes its target, whose
    ``load_additional_registries`` calls ``init_all``), and so does the first call of
    any other dispatcher (a user's own jitted code)."""


# the numba dispatcher's private parts :func:`one_layout` uses (as numba 0.68 has them)
_DISPATCHER_PARTS = ("_compile_for_args", "_compilation_chain_init_hook", "_insert",
                     "typeof_pyval", "compile")


def one_layout(dispatcher, groups):
    """``dispatcher`` (a numba dispatcher) compiling one signature per layout family of
    its read-only array arguments instead of one per combination of layouts.

    ``groups`` is a tuple of tuples of argument positions, each an input the kernel
    only reads.  At a call whose types have no compiled signature, each group's array
    arguments are typed read-only, ``'C'`` where every array of the group is
    C-contiguous, else ``'A'`` (any strides); the signature so made is compiled (or
    loaded from the disk cache) and filed under the call's own types too, so later
    calls of those types go straight to it from numba's C dispatcher.  A broadcast
    operand (read-only, stride 0), a transposed or strided one and a writable one thus
    share a signature where each compiled its own (stop 63: 490 signatures of 312
    kernels in the suite's numba cache, 178 a second or later layout of a kernel).
    Only the types change, not the code: the same operations in the same order, so
    the same bits.  A written argument is never relaxed (numba refuses to compile a
    store into a read-only array, so a wrong ``groups`` fails at its compile, never
    silently); nor is anything where every argument keeps its type (numba's own
    compile of the call's types runs)."""
    from numba.core import types
    from numba.core.compiler_lock import global_compiler_lock
    if not all(hasattr(dispatcher, name) for name in _DISPATCHER_PARTS):
        return dispatcher       # (numba's private parts moved: its own signatures)
    own = dispatcher._compile_for_args
    filed = set()       # the call types filed under a family's signature (each once: a
    # second entry of the same types would make numba's C dispatcher see two matches,
    # ambiguous, and come back here at every call)

    def compile_for_args(*args, **kws):
        if kws or len(args) != dispatcher.py_func.__code__.co_argcount:
            return own(*args, **kws)
        given = [dispatcher.typeof_pyval(a) for a in args]
        wanted = list(given)
        for group in groups:
            arrays = [given[i] for i in group if isinstance(given[i], types.Array)]
            layout = "C" if all(t.layout == "C" for t in arrays) else "A"
            for i in group:
                if isinstance(given[i], types.Array):
                    wanted[i] = given[i].copy(layout=layout, readonly=True)
        if wanted == given:
            return own(*args)
        dispatcher._compilation_chain_init_hook()
        codes = tuple(t._code for t in given)
        with global_compiler_lock:          # (numba's own, reentrant: compile takes it)
            entry = dispatcher.compile(tuple(wanted))
            if codes not in filed:
                filed.add(codes)
                dispatcher._insert(list(codes), entry, False)
        return entry

    dispatcher._compile_for_args = compile_for_args
    return dispatcher


class _NoLinalg:
    """A meta path finder that refuses ``scipy.linalg`` (and its submodules) to
    one thread: the one readying numba's target (other threads import as usual)."""

    def __init__(self):
        self.thread = threading.get_ident()
        self.refused = False

    def find_spec(self, name, path=None, target=None):
        if threading.get_ident() == self.thread and \
                (name == "scipy.linalg" or name.startswith("scipy.linalg.")):
            self.refused = True
            raise ImportError(f"dualgrad: {name} not imported while numba readies its target")
        return None


def _cython_blas_installed():
    """Is scipy's ``linalg/cython_blas`` extension on disk (what numba's BLAS probe
    imports), found without importing ``scipy.linalg``?"""
    spec = importlib.util.find_spec("scipy")
    for location in (spec.submodule_search_locations or []) if spec else []:
        for suffix in importlib.machinery.EXTENSION_SUFFIXES:
            if os.path.isfile(os.path.join(location, "linalg", "cython_blas" + suffix)):
                return True
    return False


def ready_target():
    """Ready numba's CPU target (what numba's first compile or cache load does)
    without importing ``scipy.linalg``.

    Readying the target imports ``numba.np.arraymath``, which probes for BLAS by
    importing ``scipy.linalg.cython_blas``: all of ``scipy.linalg`` (and, through
    ``scipy._lib``'s array API layer, ``numpy.f2py``, ``numpy.testing``, ...),
    none of it used by dualgrad's kernels (its share of the first load:
    ``python bench/first_call.py``'s target phase; the warm first call: ``python
    bench/bench_fused.py --first --compare OTHER``).  So the target is readied
    with that import refused to this thread, and the probe's answer
    (``numba.np.arraymath._HAVE_BLAS``) is then set to whether the extension is
    installed.  The answer only chooses how numba compiles ``np.correlate`` and
    ``np.convolve`` in a user's own jitted code: through ``np.dot``, whose typing
    imports ``scipy.linalg.cython_blas`` itself (``numba.np.linalg.ensure_blas``,
    with numba's BLAS integer-width check) and raises numba's own ``ImportError``
    there if it cannot, or by a loop when scipy is not installed, as numba would
    choose.  Nothing is done when numba's target is ready already or
    ``scipy.linalg`` is imported (nothing to save).  Other threads' imports are
    never refused; one that imports ``numba.np.arraymath`` while this runs waits
    on the import lock and may see the probe's answer before it is set.
    """
    if "numba.np.arraymath" in sys.modules or "scipy.linalg" in sys.modules:
        return
    finder = _NoLinalg()
    sys.meta_path.insert(0, finder)
    try:
        from numba.core.registry import cpu_target
        cpu_target.target_context.refresh()
    finally:
        sys.meta_path.remove(finder)
    if finder.refused:
        from numba.np import arraymath
        arraymath._HAVE_BLAS = _cython_blas_installed()


def _typeof_plain_arrays():
    """numba's type of an argument that is a plain ``np.ndarray`` without importing
    ``numpy.ma``.

    numba types an array it has not seen in this process (its C dispatcher's cache of
    array types is empty) with ``typeof``'s ``_typeof_ndarray``, whose first line
    refuses a ``np.ma.MaskedArray``; NumPy 2 imports ``numpy.ma`` at that attribute's
    first use: 11-15 ms of the warm first call (bench/MISSES.md, stops 35 and 43),
    for an answer already known when the type is exactly ``np.ndarray``.  Such an
    array gets the same type numba gives it (dtype, dimensions, layout, read-only);
    any other (a subclass, a masked array, an unsupported dtype) goes to numba's own
    function, with its own errors.  Registered once, for every dispatcher of the
    process."""
    from numba.core import errors, types
    from numba.core.typing.typeof import typeof_impl
    from numba.np import numpy_support
    numba_own = typeof_impl.dispatch(np.ndarray)
    if getattr(numba_own, "_dualgrad", False):
        return

    def typeof_ndarray(val, c):
        if type(val) is np.ndarray:
            try:
                dtype = numpy_support.from_dtype(val.dtype)
            except errors.NumbaNotImplementedError:
                return numba_own(val, c)
            return types.Array(dtype, val.ndim, numpy_support.map_layout(val),
                               readonly=not val.flags.writeable)
        return numba_own(val, c)

    typeof_ndarray._dualgrad = True
    typeof_impl.register(np.ndarray)(typeof_ndarray)


_typeof_plain_arrays()
