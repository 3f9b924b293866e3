"""numba kernels that propagate partials of large array duals.

NumPy computes values and transcendental local derivatives (its SIMD functions
beat numba's here); these kernels fuse the propagation ``out[i, :] = f[i] * p[i, :]
(+ g[i] * q[i, :])`` and the reductions over value axes, which NumPy does in
several passes, and, for the rules whose local derivatives are arithmetic,
those derivatives with their propagation (:mod:`dualgrad.backend._rule_kernels`, generated
from the rule table).  numba is imported once the calls that cross the size
threshold have done enough work to pay for it (:mod:`dualgrad.backend._loader`; the
NumPy path runs until then), never at ``import dualgrad``.  Kernels take C-contiguous float64
arrays (one compilation each), never allocate (outputs come from NumPy), use
``error_model='numpy'`` (inf and NaN as NumPy gives them) and no fastmath.

The wrappers return ``None`` when the NumPy path should run instead.  The sizes
below are also read by ``_propagate.small`` (the small-array path's test).
:func:`use` forces one path, so that tests can check both give the same.
"""

import contextlib
import functools
import math

import numpy as np

from ..rules import _special, _table
from . import _buffers, _loader

__all__ = ["combine", "local", "fusable", "small_local", "small_exact", "pairwise", "where",
           "cross", "outer", "matvec", "correlation", "swap_shifted", "symmetric_sum",
           "rank2", "running_product", "convolve", "gradient", "triangle", "join",
           "sparse_dual", "use", "trigamma", "tetragamma",
           "MIN_WORK", "MIN_N", "MIN_WORK_FUSED", "SMALL_BELOW"]

# Partials elements (N * n) from which the kernels run, and the smallest n:
# chosen from bench/bench_engine.py (see bench/RESULTS.md).
MIN_WORK = 2048
MIN_N = 2
# One direction (n = 1) has flat kernels of its own, worth it on long arrays.
MIN_WORK_FLAT = 1 << 16
# The generated kernels (local derivatives evaluated in the loop) replace several
# NumPy passes and pay from N = 1e3 with any n (bench_engine's third table).
MIN_WORK_FUSED = 1000

_mode = "auto"
# Partials elements below which the small-array paths run with no other test:
# MIN_WORK_FUSED while the engine is automatic, none while use() forces one (kept by
# use(); dispatch's lean functions read ``SMALL_BELOW[0]`` before they call
# ``_propagate.lean_work``, whose first test it is: a Python call saved per operation).
SMALL_BELOW = [MIN_WORK_FUSED]
_FUSABLE = {}            # ufunc -> has kernels in _rule_kernels (_kernelgen.fusable)
_compiled = None
_fused = None


@contextlib.contextmanager
def use(mode):
    """Force ``"numba"`` or ``"numpy"`` propagation inside a ``with`` block."""
    global _mode
    if mode not in ("auto", "numba", "numpy"):
        raise ValueError(f"use(): expected 'auto', 'numba' or 'numpy', got {mode!r}")
    old, _mode = _mode, mode
    SMALL_BELOW[0] = MIN_WORK_FUSED if mode == "auto" else 0
    try:
        yield
    finally:
        _mode = old
        SMALL_BELOW[0] = MIN_WORK_FUSED if old == "auto" else 0


def _wanted(work, n, fused=False):
    """Run a kernel for ``work`` partials elements in ``n`` directions?  In ``auto``
    mode only once numba pays for its load (:mod:`dualgrad.backend._loader`)."""
    if _mode == "auto":
        if fused:
            big = work >= MIN_WORK_FUSED
        else:
            big = work >= MIN_WORK and n >= MIN_N or n == 1 and work >= MIN_WORK_FLAT
        return big and (_loader.READY or _loader.ready(work))
    if _mode == "numba":
        _loader.load()
        return True
    return False


def _kernels():
    global _compiled
    if _compiled is None:
        from . import _numba_kernels
        _compiled = _numba_kernels
    return _compiled


def _rule_kernels():
    global _fused
    if _fused is None:
        from ._rule_kernels import kernels
        _fused = kernels
    return _fused


def fusable(rule):
    """Has ``rule`` kernels that evaluate its local derivatives in the loop
    (:func:`dualgrad.backend._kernelgen.fusable`, asked once per ufunc without
    loading numba)?"""
    got = _FUSABLE.get(rule.ufunc)
    if got is None:
        from ._kernelgen import fusable as test
        got = _FUSABLE[rule.ufunc] = test(rule)
    return got


def loops_entry(rule):
    """Has ``rule`` a generated loops entry, and does it compute the value
    (:func:`dualgrad.backend._kernelgen.loops_entry`: ``"value"``, ``"given"`` or
    ``None``; asked without loading numba)?"""
    from ._kernelgen import loops_entry as kind
    return kind(rule)


def value_loops_entry(rule):
    """Has the unary ``rule`` a generated value-loops entry (the value by NumPy's loop,
    then the row's own loop of the partials: ``np.log``, ``np.sqrt``; small74;
    :func:`dualgrad.backend._kernelgen.value_loops_entry`, asked without loading numba)?"""
    from ._kernelgen import value_loops_entry as has
    return has(rule)


def small_local(ufunc):
    """The small-array kernel of a :func:`fusable` ufunc (every argument a dual), or
    ``None`` (numba loaded by the caller)."""
    from ._rule_kernels import small_kernel
    return small_kernel(ufunc)


def small_entry(ufunc):
    """The lean path's compiled entry point for the partials of ``ufunc`` (every argument
    a dual) on small 1-D values, or ``None``: ``_numba_kernels.scale_entry`` (the factor
    given: ``np.sin``'s ``np.cos(x)``, ``np.exp``'s value) for ``None``,
    else the rule's ``_rule_kernels.entry_kernel``: the factors evaluated in the loop
    (``np.log``'s ``1.0 / x``, from ``x`` and ``out``), or from NumPy's parts of them
    (``np.tanh``'s from ``x`` and ``a0 = np.cosh(x)``: ``_kernelgen._split_entry``); numba
    loaded by the caller.  One signature, as :func:`small_exact`'s: values, parts and
    partials of any layout (``A``), the result C-contiguous; the CALLER must pass native
    float64 ndarrays of exactly those dimensions (the kernel's 1-D arrays, then one 2-D
    partials per argument, a 2-D C-contiguous result), or the compiled code reads memory
    it does not own; the kernel tests the lengths."""
    from numba import types
    values, partials = types.float64[:], types.float64[:, :]
    result = types.float64[:, ::1]
    if ufunc is None:
        return _kernels().scale_entry.compile(types.boolean(values, partials, result))
    from ._rule_kernels import entry_kernel
    kernel = entry_kernel(ufunc)
    if kernel is None:
        return None
    arrays = kernel.py_func.__code__.co_argcount - ufunc.nin - 1     # (its 1-D arguments)
    signature = types.boolean(*[values] * arrays, *[partials] * ufunc.nin, result)
    return kernel.compile(signature)


def small_loop_entry():
    """``_numba_kernels.loop_scale_entry`` compiled as the entry point of its one signature
    (the read-only int64 table of ``_numpy_loops.loops``, 1-D ``x`` and 2-D partials of
    any layout, ``out`` 1-D and the result 2-D C-contiguous), numba loaded by the caller,
    who must pass exactly those types (the kernel tests the lengths, and that ``x`` is
    contiguous), as :func:`small_entry`'s callers do."""
    from numba import types
    return _kernels().loop_scale_entry.compile(types.boolean(
        types.Array(types.int64, 1, "C", readonly=True), types.float64[:],
        types.float64[::1], types.float64[:, :], types.float64[:, ::1]))


def small_split_loops_entry(ufunc):
    """``(entry, part)``: the generated loops entry of ``ufunc``'s split row
    (``_rule_kernels.loops_kernel``: ``np.tanh``'s value, ``a0 = np.cosh(x)`` by NumPy's
    loops and the partials; small72) compiled as the entry point of its one signature
    (:func:`small_loop_entry`'s), and the part's NumPy ufunc; or ``None`` for a ufunc
    without.  numba loaded by the caller, who must pass exactly those types."""
    from numba import types
    from ._rule_kernels import loops_kernel
    got = loops_kernel(ufunc)
    if got is None:
        return None
    return got[0].compile(types.boolean(
        types.Array(types.int64, 1, "C", readonly=True), types.float64[:],
        types.float64[::1], types.float64[:, :], types.float64[:, ::1])), got[1]


def small_value_loops_entry(ufunc):
    """The generated value-loops entry of ``ufunc``'s fusable row
    (``_rule_kernels.value_loops_kernel``: ``np.log``'s value by NumPy's loop, then its
    own loop of the partials; small74) compiled as the entry point of its one signature
    (:func:`small_loop_entry`'s), or ``None`` for a ufunc without.  numba loaded by the
    caller, who must pass exactly those types."""
    from numba import types
    from ._rule_kernels import value_loops_kernel
    kernel = value_loops_kernel(ufunc)
    if kernel is None:
        return None
    return kernel.compile(types.boolean(
        types.Array(types.int64, 1, "C", readonly=True), types.float64[:],
        types.float64[::1], types.float64[:, :], types.float64[:, ::1]))


def small_loop_power_pair_entry():
    """``_numba_kernels.loop_power_pair_entry`` compiled as the entry point of its one
    signature (the read-only int64 table of ``_numpy_loops.pair_loops``, 1-D ``x``,
    ``y`` and 2-D partials of any layout, ``out``, the scratch ``s`` and the result
    C-contiguous), numba loaded by the caller, as :func:`small_loop_entry`'s."""
    from numba import types
    vector = types.float64[:]
    return _kernels().loop_power_pair_entry.compile(types.boolean(
        types.Array(types.int64, 1, "C", readonly=True), vector, vector,
        types.float64[::1], types.float64[::1], types.float64[:, :], types.float64[:, :],
        types.float64[:, ::1]))


def small_loop_power_exponent_entry():
    """``_numba_kernels.loop_power_exponent_entry`` compiled as the entry point of its
    one signature (the read-only int64 table of ``_numpy_loops.exponent_loops``, 1-D
    ``x``, 2-D partials and the 1-D row of any layout, the float ``c``, ``out``, the
    scratch ``s`` and the result C-contiguous), numba loaded by the caller, as
    :func:`small_loop_entry`'s (small72)."""
    from numba import types
    vector = types.float64[:]
    return _kernels().loop_power_exponent_entry.compile(types.boolean(
        types.Array(types.int64, 1, "C", readonly=True), vector, types.float64,
        types.float64[::1], types.float64[::1], types.float64[:, :], vector,
        types.float64[:, ::1]))


def small_loop_power_base_entry():
    """``_numba_kernels.loop_power_base_entry`` compiled as the entry point of its one
    signature (the read-only int64 table of ``_numpy_loops.base_loops``, the floats ``c``
    and ``lc``, 1-D ``y``, the 1-D row and 2-D partials of any layout, ``out``, the scratch ``s`` and
    the result C-contiguous), numba loaded by the caller, as :func:`small_loop_entry`'s
    (small72)."""
    from numba import types
    vector = types.float64[:]
    return _kernels().loop_power_base_entry.compile(types.boolean(
        types.Array(types.int64, 1, "C", readonly=True), types.float64, types.float64,
        vector, types.float64[::1], types.float64[::1], vector, types.float64[:, :],
        types.float64[:, ::1]))


def small_loop_power_number_entry():
    """``_numba_kernels.loop_power_number_entry`` compiled as the entry point of its one
    signature (the read-only int64 table of ``_numpy_loops.number_loops``, 1-D ``x`` and
    2-D partials of any layout, the read-only 0-d exponents, a float, ``out``, ``w`` and
    the result C-contiguous), numba loaded by the caller, as :func:`small_loop_entry`'s."""
    from numba import types
    scalar = types.Array(types.float64, 0, "C", readonly=True)
    return _kernels().loop_power_number_entry.compile(types.boolean(
        types.Array(types.int64, 1, "C", readonly=True), types.float64[:], scalar, scalar,
        types.float64, types.float64[::1], types.float64[::1], types.float64[:, :],
        types.float64[:, ::1]))


def small_cube_entry():
    """``_numba_kernels.cube_entry`` compiled as the entry point of its one signature (1-D
    values and 2-D partials of any layout, the result 2-D C-contiguous), numba loaded by
    the caller, who must pass native float64 ndarrays of exactly those dimensions (the
    kernel tests the lengths), as :func:`small_entry`'s callers do."""
    from numba import types
    return _kernels().cube_entry.compile(
        types.boolean(types.float64[:], types.float64[:, :], types.float64[:, ::1]))


def small_power_scale_entry():
    """``_numba_kernels.power_scale_entry`` compiled as the entry point of its one
    signature (1-D ``x``, ``f`` and 2-D partials of any layout, the result 2-D
    C-contiguous, the float ``room``), numba loaded by the caller, as :func:`small_cube_entry`'s."""
    from numba import types
    vector = types.float64[:]
    return _kernels().power_scale_entry.compile(
        types.boolean(vector, vector, types.float64[:, :], types.float64[:, ::1],
                      types.float64))


def small_power_number_entry():
    """``_numba_kernels.power_number_entry`` compiled as the entry point of its one
    signature (1-D ``x``, ``out``, ``w`` and 2-D partials of any layout, the float
    ``c``; the result 2-D C-contiguous), numba loaded by the caller, who must pass
    native float64 ndarrays of exactly those dimensions and a Python or NumPy float
    (the kernel tests the lengths), as :func:`small_entry`'s callers do."""
    from numba import types
    vector = types.float64[:]
    return _kernels().power_number_entry.compile(types.boolean(
        vector, types.float64, vector, vector, types.float64[:, :], types.float64[:, ::1]))


def small_power_pair_entry():
    """``_numba_kernels.power_pair_entry`` compiled as the entry point of its one
    signature (five 1-D float64 arrays ``x, y, out, w, v`` and two 2-D ``p, q`` of any
    layout; the result 2-D C-contiguous), numba loaded by the caller, who must pass
    native float64 ndarrays of exactly those dimensions (the kernel tests the lengths),
    as :func:`small_entry`'s callers do."""
    from numba import types
    vector, matrix = types.float64[:], types.float64[:, :]
    return _kernels().power_pair_entry.compile(
        types.boolean(*[vector] * 5, matrix, matrix, types.float64[:, ::1]))


def small_power_mixed_entry(base):
    """``_numba_kernels.power_exponent_entry`` (``base`` False: ``u ** k``, ``t ** k``) or
    ``power_base_entry`` (True: ``k ** u``, ``2.0 ** u``) compiled as the entry point of
    its one signature (1-D and 2-D float64 arrays of any layout, the float ``c`` and, for
    the base's, the float ``lc``; the result 2-D C-contiguous), numba loaded by the
    caller, who must pass native float64 ndarrays of exactly those dimensions and Python
    or NumPy floats (the kernel tests the lengths), as :func:`small_entry`'s callers do."""
    from numba import types
    vector, matrix, number = types.float64[:], types.float64[:, :], types.float64
    result = types.float64[:, ::1]
    if base:
        return _kernels().power_base_entry.compile(types.boolean(
            number, vector, vector, vector, number, vector, matrix, result))
    return _kernels().power_exponent_entry.compile(types.boolean(
        vector, number, vector, vector, vector, matrix, vector, result))


def small_outer_row_entry():
    """``_numba_kernels.outer_row_entry`` compiled as the entry point of its one signature
    (1-D ``f`` and ``q`` of any layout, the result 2-D C-contiguous), numba loaded by the
    caller, who must pass native float64 ndarrays of exactly those dimensions (the
    kernel tests the lengths), as :func:`small_entry`'s callers do."""
    from numba import types
    vector = types.float64[:]
    return _kernels().outer_row_entry.compile(
        types.boolean(vector, vector, types.float64[:, ::1]))


def small_const_entry(ufunc, k, value=False):
    """The compiled entry point of ``_rule_kernels.const_kernel(ufunc, k, value)`` (a
    scalar dual at argument ``k`` beside a plain 1-D array: the factor and the products,
    const69; ``value``: the value too, written into the result's array, small70) at its
    one signature (the scalar's value a float; the array, the result's values and the
    row 1-D of any layout; the partials 2-D C-contiguous; ``value`` ``"loops"``: the
    value by NumPy's loop, the table of ``_numpy_loops.const_loops`` first and the
    result's values C-contiguous, small72), or ``None`` for a pair without; numba loaded by the caller, who must pass native float64 ndarrays of exactly
    those dimensions (the kernel tests the lengths), as :func:`small_entry`'s callers do."""
    from ._rule_kernels import const_kernel
    kernel = const_kernel(ufunc, k, value)
    if kernel is None:
        return None
    from numba import types
    vector = types.float64[:]
    pair = (types.float64, vector) if k == 0 else (vector, types.float64)
    if value == "loops":          # (the table first, the value's array C-contiguous: small72)
        return kernel.compile(types.boolean(
            types.Array(types.int64, 1, "C", readonly=True), *pair, types.float64[::1],
            vector, types.float64[:, ::1]))
    return kernel.compile(types.boolean(*pair, vector, vector, types.float64[:, ::1]))


def small_outer_entry():
    """``_numba_kernels.outer_entry`` compiled as the entry point of its one signature
    (a float ``c``; ``p`` 2-D, ``g`` and ``q`` 1-D, any layout; the result 2-D
    C-contiguous), numba loaded by the caller, who must pass native float64 ndarrays of
    exactly those dimensions and a Python float (the kernel tests the lengths), as
    :func:`small_entry`'s callers do."""
    from numba import types
    vector, matrix = types.float64[:], types.float64[:, :]
    return _kernels().outer_entry.compile(
        types.boolean(types.float64, matrix, vector, vector, types.float64[:, ::1]))


def small_exact(ufunc, duals):
    """The small-array kernel of a ufunc of ``_kernelgen.EXACT`` that also computes the
    value, for dual arguments at the positions ``duals`` (the others numbers), as the
    compiled entry point of its one signature, or ``None`` (numba loaded by the caller).

    The signature takes arrays of any layout (numba's ``A``: strided, reversed,
    Fortran-ordered and read-only operands share one compilation, where the dispatcher
    would compile each layout on first use) and is called without numba's dispatcher,
    whose type check of six arguments costs a third of a dual operation at N = 10:
    the CALLER must pass exactly what the signature says, native float64 ndarrays of
    the values (1-D) and partials (2-D) and Python floats for the numbers, or the
    compiled code reads memory it does not own."""
    from numba import types
    from ._rule_kernels import exact_kernel
    kernel = exact_kernel(ufunc, duals)
    if kernel is None:
        return None
    values, partials = types.float64[:], types.float64[:, :]
    args = [values if k in duals else types.float64 for k in range(ufunc.nin)]
    signature = types.boolean(*args, values, *[partials] * (len(duals) + 1))
    return kernel.compile(signature)         # (numba: the entry point of that signature)


def small_row(ufunc, k):
    """:func:`small_exact` for a binary ufunc of ``_kernelgen.EXACT`` of a scalar dual at
    argument ``k`` (a float value, its partials a 1-D row) and an array dual at the
    other (1-D values, 2-D partials): the compiled entry point of its one signature, or
    ``None``; the CALLER passes exactly that (native float64 ndarrays, a Python float),
    as :func:`small_exact`'s."""
    from numba import types
    from ._rule_kernels import exact_kernel
    kernel = exact_kernel(ufunc, ("row", k))
    if kernel is None:
        return None
    values, partials = types.float64[:], types.float64[:, :]
    args = [types.float64, values] if k == 0 else [values, types.float64]
    rows = [values, partials] if k == 0 else [partials, values]
    return kernel.compile(types.boolean(*args, values, *rows, partials))


def small_plain(ufunc, k):
    """:func:`small_exact` for a binary ufunc of ``_kernelgen.EXACT`` of a plain float64
    array at argument ``k`` and an array dual at the other (1-D values, 2-D partials):
    the compiled entry point of its one signature, or ``None``; the CALLER passes
    exactly that (native float64 ndarrays), as :func:`small_exact`'s (small70)."""
    from numba import types
    from ._rule_kernels import exact_kernel
    kernel = exact_kernel(ufunc, ("plain", k))
    if kernel is None:
        return None
    values, partials = types.float64[:], types.float64[:, :]
    return kernel.compile(types.boolean(values, values, values, partials, partials))


# What one call of the trigamma kernel saves over :func:`dualgrad.rules._special.trigamma_array`
# (NumPy's ~90 passes, while numba is not loaded), in the loader's currency (partials
# elements at ~5 ns): the passes took ~200 us a call at N = 10 and ~200 ns an element at
# N = 1e5 (a timeit of the two at load 3; an estimate for the load policy, as
# ``_propagate.SMALL_ONE_WORK`` is), the kernel ~1 us and ~20 ns.  Tetragamma's passes
# are the same in number (one more product a step): the same estimate.
TRIGAMMA_CALL_WORK = 40_000
TRIGAMMA_ELEMENT_WORK = 36


def _special_kernel(name):
    """The array function of the table's own function ``name`` (``"trigamma"``,
    ``"tetragamma"``) for ``rules._table.ARRAY_KERNELS``: the numba kernel of each
    element of a float64 ndarray, or ``None`` where the caller's NumPy passes run
    instead (numba not loaded, and the work so far not worth loading it, or
    ``use("numpy")``)."""
    def kernel(x):
        if _mode == "numpy":
            return None
        if not _loader.READY:
            if _mode == "numba":
                _loader.load()
            elif not _loader.ready(TRIGAMMA_CALL_WORK + TRIGAMMA_ELEMENT_WORK * x.size):
                return None
        out = np.empty(x.shape)
        loop = getattr(_kernels(), name)
        if x.ndim == 1:             # any stride: numba compiles that layout on first use
            loop(x, out)
        else:
            loop(np.ascontiguousarray(x).reshape(-1), out.reshape(-1))
        return out
    kernel.__name__ = kernel.__qualname__ = name
    return kernel


trigamma = _table.ARRAY_KERNELS["trigamma"] = _special_kernel("trigamma")
tetragamma = _table.ARRAY_KERNELS["tetragamma"] = _special_kernel("tetragamma")


# What one call of a shape-slope kernel saves over the NumPy steps of
# dualgrad/rules/_special.py (``_gamma_series``, ``_continued_fraction``), in the loader's
# currency (partials elements at ~5 ns): the steps' calls cost ~0.7-20 ms a call at N = 1
# .. 10 (their count, not the elements', sets it), the kernels ~0.06-1.2 ms; at N = 1e5
# the kernels saved 1.4 us (gammainc's slope), 2.5 (betainc's) and 4.7 (its second
# order) an element (a timing of the two at load ~3, slopes56; an estimate for the load
# policy, as TRIGAMMA_CALL_WORK is), at shapes to 100.  The steps grow as the square root
# of the largest shape (``_special._gamma_limit``): the work is scaled by sqrt(shape) / 10
# from 100 on (one gammainc slope at a = 1e8, x = a: ~1 s of NumPy steps, 4 ms here).
SLOPE_CALL_WORK = 400_000
SLOPE_ELEMENT_WORK = 300


def _slope_kernel(name):
    """The per-element kernel ``name`` of :mod:`dualgrad.backend._slope_kernels` for
    ``rules._special.KERNELS``, or ``None`` where the caller's NumPy steps run instead
    (numba not loaded and the work so far not worth loading it, or ``use("numpy")``)."""
    def kernel(*args):
        if _mode == "numpy":
            return None
        if not _loader.READY:
            if _mode == "numba":
                _loader.load()
            else:
                shape = args[0] if name.startswith("gamma") else args[0] + args[1]
                steps = max(1.0, math.sqrt(float(np.max(shape))) / 10.0) if shape.size else 1.0
                if not _loader.ready(int((SLOPE_CALL_WORK + SLOPE_ELEMENT_WORK * args[0].size) *
                                         min(steps, 1e6))):
                    return None
        from . import _slope_kernels
        return getattr(_slope_kernels, name)(
            *(np.ascontiguousarray(v, dtype=np.float64) if type(v) is np.ndarray else v
              for v in args))
    kernel.__name__ = kernel.__qualname__ = name
    return kernel


_special.KERNELS.update((name, _slope_kernel(name)) for name in
                        ("gamma_series", "gamma_fraction", "beta_fraction"))


def _plain(a, shape):
    return type(a) is np.ndarray and a.dtype == np.float64 and a.shape == shape


def _operand(a, shape, flat):
    """``a`` as a float64 view of ``shape`` for a kernel, flattened to ``flat``, or ``None``.

    Same-shape arrays pass as they are; scalars and arrays that broadcast along
    the leading axes (a scalar dual's partials, a constant factor) become
    stride-0 views: no copy.  Flattening the value axes keeps zero strides
    wherever NumPy can.
    """
    if type(a) is np.ndarray:
        if a.dtype != np.float64:
            return None
        if a.shape == shape:
            return a if a.ndim == len(flat) else a.reshape(flat)
        if a.ndim <= len(shape) and a.shape == shape[len(shape) - a.ndim:]:
            return np.broadcast_to(a, shape).reshape(flat)
        return None
    if isinstance(a, (float, int, np.floating, np.integer)):   # cheaper than broadcast_to
        return np.ndarray(flat, np.float64, np.array(a, dtype=np.float64), 0, (0,) * len(flat))
    return None


def combine(factors, partials, target, scratch=None):
    """Fused ``sum_k factors[k][..., None] * partials[k]``, or ``None``.

    ``scratch``, a temporary of the value's shape nobody else holds (a local
    derivative just computed), receives the result when there is one direction:
    no new array, no fresh pages to fault in.
    """
    if len(factors) > 2 or isinstance(factors[0], float) and \
            (len(factors) == 1 or isinstance(factors[1], float)):
        return None           # constant factors (c * p, a +- b): one NumPy pass is the floor
    n = target[-1]
    work = math.prod(target)
    if not _wanted(work, n):
        return None
    shape, rows = target[:-1], work // n
    if len(target) >= 3 and n > 1:
        done = _middle_broadcast(factors, partials, target)
        if done is not None:
            return done
    if n > 1 and len(factors) == 2:
        done = _scalar_times_array(factors, partials, target)
        if done is not None:
            return done
    fs, ps = [], []
    row_shape, partial_shape = (rows,), ((rows,) if n == 1 else (rows, n))
    for f, p in zip(factors, partials):
        f, p = _operand(f, shape, row_shape), _operand(p, target, partial_shape)
        if f is None or p is None:
            return None
        fs.append(f)
        ps.append(p)
    if n == 1 and scratch is not None and _plain(scratch, shape) and \
            scratch.flags.c_contiguous and scratch.flags.writeable:
        out = scratch.reshape(target)
    else:
        out = _buffers.empty(target)
    k = _kernels()
    flat = out if out.shape == partial_shape else out.reshape(partial_shape)
    if n == 1:                  # one direction: flat loops that vectorize
        if len(fs) == 1:
            k.scale_flat(fs[0], ps[0], flat)
        else:
            k.scale2_flat(fs[0], ps[0], fs[1], ps[1], flat)
    elif len(fs) == 1:
        k.scale(fs[0], ps[0], flat, _rows_flat(ps[0]), _rows_flat(flat))
    else:
        k.scale2(fs[0], ps[0], fs[1], ps[1], flat, _rows_flat(ps[0]), _rows_flat(ps[1]),
                 _rows_flat(flat))
    return out


_NO_FLAT = np.empty(0)


def _rows_flat(p):
    """``p``'s memory as a 1-D view for :func:`~dualgrad.backend._numba_kernels.scale`'s
    rows of 4 or 2 (C-contiguous ``p``), else an empty array (the kernel's loop per
    row): made here, as a ``ravel`` inside the kernel put numba's array module into
    its cached environment (imported at the kernel's load from the disk cache)."""
    if p.shape[1] in (2, 4) and p.flags.c_contiguous:
        return p.reshape(-1)
    return _NO_FLAT


def _middle_broadcast(factors, partials, target):
    """One pass for the outer level of a Hessian, or ``None``: ``target`` is ``(R, m,
    n)`` (``R`` one or more axes: a 2-D value's), every factor a float64 ``(R, m)`` or
    ``(R, 1)`` array and every partial a float64 ``(R, m, n)`` or ``(R, 1, n)`` one,
    some of size 1 along ``m`` (the inner
    value times the outer partials of a factor, ``(R, m) x (R, 1, n)``, plus the
    factor's value times the second partials, ``(R, 1) x (R, m, n)``).  NumPy took a
    broadcast product per term and a sum, three passes over ``R m n`` partials (``python
    bench/hessian_large.py --compare``: rosen's Hessian at n = 500 0.53x without them).  The
    same products and sum in the same order, and ``scaled``'s zero rule where a factor
    is not finite: the same bits."""
    lead, m, n = target[:-2], target[-2], target[-1]
    rows = math.prod(lead)
    broadcast = False
    for f, p in zip(factors, partials):
        if type(f) is not np.ndarray or f.dtype != np.float64 or f.shape[:-1] != lead or \
                f.ndim != len(target) - 1 or f.shape[-1] not in (1, m):
            return None
        if type(p) is not np.ndarray or p.dtype != np.float64 or p.shape[:-2] != lead or \
                p.ndim != len(target) or p.shape[-2] not in (1, m) or p.shape[-1] != n:
            return None
        broadcast = broadcast or f.shape[-1] != m or p.shape[-2] != m
    if not broadcast:                       # same shapes: the kernels below
        return None
    zero = [not math.isfinite(np.add.reduce(f, axis=None)) for f in factors]
    # (R, m) and (R, m, n) views: 2-D values' leading axes flattened (a copy only where
    # an operand is not laid out for it)
    fs = [np.broadcast_to(f.reshape(rows, f.shape[-1]), (rows, m)) for f in factors]
    ps = [np.broadcast_to(p.reshape(rows, p.shape[-2], n), (rows, m, n)) for p in partials]
    out = _buffers.empty(target)
    if not out.flags.c_contiguous:
        out = np.empty(target)
    flat = out.reshape(rows, m, n)           # a view: the kernel writes into out
    if len(factors) == 1:
        _kernels().rows_scale(fs[0], ps[0], zero[0], flat)
    else:
        _kernels().rows_scale2(fs[0], ps[0], zero[0], fs[1], ps[1], zero[1], flat)
    return out


def _scalar_times_array(factors, partials, target):
    """The product rule of a scalar dual and an array dual (``kappa * u``), or ``None``:
    ``out[i, :] = c * p[i, :] + g[i] * q`` with the number ``c``, the value-sized ``g``
    and the scalar's partials ``q`` of shape ``(n,)`` read as they are."""
    (f0, p0), (f1, p1) = zip(factors, partials)
    if type(p0) is np.ndarray and p0.ndim == 1:         # the scalar dual's term first
        (f0, p0), (f1, p1) = (f1, p1), (f0, p0)
    if not (type(p1) is np.ndarray and p1.ndim == 1 and p1.dtype == np.float64 and
            isinstance(f0, (float, np.floating)) and _plain(f1, target[:-1]) and
            _plain(p0, target) and p0.flags.c_contiguous and f1.flags.c_contiguous):
        return None
    rows = f1.size
    out = _buffers.empty(target)
    _kernels().scale_outer(float(f0), p0.reshape(rows, target[-1]), f1.reshape(rows), p1,
                           out.reshape(rows, target[-1]))
    return out


def local(rule, values, out, duals, partials):
    """The partials ``sum_k f_k[..., None] * partials[k]`` of ``rule``'s result, in one
    loop that also evaluates the local derivatives ``f_k``, or ``None``.

    ``values`` are the ufunc's arguments (plain), ``out`` its result, ``duals`` the
    positions of the arguments that carry ``partials``.  Kernels exist for the rules
    whose derivatives :mod:`dualgrad.backend._kernelgen` found arithmetic.  The
    values reach the kernel C-contiguous (a number's or a broadcast operand's stride-0
    view, a strided array copied first: ``N`` elements against the kernel's ``N * n``),
    so that each kernel compiles at most two signatures (``_rule_kernels._dispatchers``:
    C-contiguous partials or not), not one per combination of layouts (stop 65's CI
    run: 281 signatures of 176 rule kernels, ~0.7 s of CPU each).  Partials are not
    copied: a strided copy of ``N * n`` cost more than the kernel's strided reads
    (``python bench/rule_layouts_ab.py``: fastci67).
    """
    p = partials[0]
    if type(p) is not np.ndarray or type(out) is not np.ndarray or \
            out.dtype != np.float64:
        return None
    n = p.shape[-1]
    work = out.size * n
    if not fusable(rule) or not _wanted(work, n, fused=True):
        return None
    pair = _rule_kernels()(rule.ufunc).get(tuple(duals))
    if pair is None:
        return None
    target = out.shape + (n,)
    row_shape, partial_shape = (out.size,), ((out.size,) if n == 1 else (out.size, n))
    operands = [_operand(v, out.shape, row_shape) for v in (*values, out)]
    operands += [_operand(p, target, partial_shape) for p in partials]
    if any(a is None for a in operands):
        return None
    k = len(values) + 1                 # the values and the result first, then partials
    operands = [a if i >= k or a.flags.c_contiguous else np.ascontiguousarray(a)
                for i, a in enumerate(operands)]
    q = _buffers.empty(target)
    pair[n > 1](*operands, q.reshape(partial_shape))
    return q


def pairwise(q3):
    """NumPy's pairwise sum of each column of each ``q3[a]`` (``(before, length,
    after)``, C-contiguous float64): the ``(before, after)`` sums, or ``None`` (the
    NumPy route of :mod:`._sums` gives the same bits)."""
    before, length, after = q3.shape
    if not q3.size or after == 1 or not _wanted(q3.size, after):
        return None                 # one column: NumPy's own loop on 1-D rows is faster
    out = np.empty((before, after))
    if 8 <= length <= 128 and after <= 512:         # one block of NumPy's: its own loop
        _kernels().pairwise_block(q3, out)
    else:
        _kernels().pairwise_sum(q3, out, *plan(length))
    return out


@functools.lru_cache(maxsize=64)
def plan(length):
    """NumPy's pairwise summation of ``length`` numbers as a plan for the kernels:
    the blocks of at most 128 numbers it sums with its 8 accumulators (first index,
    size), and the additions of the halves' sums, children before parents, each
    ``(i, j)`` meaning ``sum of the run starting at block i += sum of the run
    starting at block j``.  (The same for every column and every call of one
    length: computed once, not per column in the kernel.)"""
    starts, sizes, merges = [], [], []
    todo = [(0, length, False)]               # (first, size, halves done?)
    firsts = []                               # first block of each finished run
    while todo:
        lo, m, done = todo.pop()
        if m <= 128:
            firsts.append(len(starts))
            starts.append(lo)
            sizes.append(m)
        elif done:
            right, left = firsts.pop(), firsts.pop()
            merges.append((left, right))
            firsts.append(left)
        else:
            half = m // 2 - m // 2 % 8
            todo += [(lo, m, True), (lo + half, m - half, False), (lo, half, False)]
    return (np.array(starts, dtype=np.int64), np.array(sizes, dtype=np.int64),
            np.array(merges, dtype=np.int64).reshape(-1, 2))


def where(cond, p, q, target):
    """``np.where(cond[..., None], p, q)`` of shape ``target`` in one pass, or ``None``.

    ``cond`` is a boolean array of the value's shape; ``p`` and ``q`` are partials
    (or numbers) that broadcast along the leading axes.
    """
    if type(cond) is not np.ndarray or cond.dtype != np.bool_ or cond.shape != target[:-1]:
        return None
    n = target[-1]
    work = math.prod(target)
    if not _wanted(work, n) and not (n == 1 and _wanted(work, 2)):
        return None
    rows = work // n
    zero_p, zero_q = _zero(p), _zero(q)
    if zero_p != zero_q:                      # one zero branch: mask the other's rows
        kept = _operand(q if zero_p else p, target, (rows, n))
        if kept is None:
            return None
        out = _buffers.empty(target)
        _kernels().zero_rows(cond.reshape(rows), np.ascontiguousarray(kept),
                             out.reshape(rows, n), 1 if zero_p else 0)
        return out
    ps = _operand(p, target, (rows, n))
    qs = _operand(q, target, (rows, n))
    if ps is None or qs is None:
        return None
    out = _buffers.empty(target)
    _kernels().where_rows(cond.reshape(rows), ps, qs, out.reshape(rows, n))
    return out


def bincount(x, p, length):
    """The partials of ``np.bincount(x, w, minlength)`` for ``w``'s partials ``p``
    (``(N, n)``, C-contiguous float64) and indices ``x`` (``(N,)``, checked by NumPy's
    call on the values, which gave ``length`` counts): ``(length, n)`` sums in one
    kernel pass, each direction's sums in NumPy's order (the same bits), or ``None``
    where no kernel runs."""
    if type(p) is not np.ndarray or p.dtype != np.float64 or p.ndim != 2 or \
            not p.flags.c_contiguous or x.shape != p.shape[:1] or not p.size or \
            not _wanted(p.size, p.shape[1]):
        return None
    out = _buffers.empty((length, p.shape[1]))
    _kernels().bincount_rows(np.ascontiguousarray(x, dtype=np.intp), p, out)
    return out


def match_places(got, out, axis):
    """The places ``m`` along ``axis`` with ``np.take_along_axis(got, m, axis)`` equal
    to ``out`` bit for bit (float64 arrays of one shape whose lines along ``axis`` hold
    the same bit patterns; equal patterns matched in order of place), in one kernel
    pass over a table of each line's patterns, or ``None`` where no kernel runs or a
    line's patterns differ.  The caller's fallback sorts both (a sort each: the cost
    of ``np.partition`` of a dual, 25x its float call at N = 1e5)."""
    if got.dtype != np.float64 or out.dtype != np.float64 or got.shape != out.shape \
            or not got.size or not _wanted(got.size, MIN_N):
        return None
    g = np.ascontiguousarray(np.moveaxis(got, axis, -1)).view(np.int64)
    o = np.ascontiguousarray(np.moveaxis(out, axis, -1)).view(np.int64)
    size = g.shape[-1]
    m = np.empty(g.shape, np.intp)
    if _kernels().match_rows(g.reshape(-1, size), o.reshape(-1, size),
                             m.reshape(-1, size)) >= 0:
        return None
    return np.moveaxis(m, -1, axis)


def clip_between(v, lo, hi, p):
    """The partials of ``np.clip(v, lo, hi)`` between two numbers (``None``: no
    bound) in one kernel pass, or ``None``: where ``v`` is beyond a bound, or the
    bounds are equal and ``v`` a number, zeros, elsewhere ``p``'s rows, bit for bit.
    Also ``None`` where a kept element equals a bound (a tie: half the partials, the
    caller's path) or a bound is NaN.  ``v`` and ``p`` C-contiguous float64, ``p`` of
    shape ``v.shape + (n,)``."""
    if type(v) is not np.ndarray or type(p) is not np.ndarray or v.dtype != np.float64 or \
            p.dtype != np.float64 or p.shape[:-1] != v.shape or not v.flags.c_contiguous or \
            not p.flags.c_contiguous or not v.size:
        return None
    n = p.shape[-1]
    if not _wanted(p.size, n):
        return None
    lo = math.nan if lo is None else float(lo)
    hi = math.nan if hi is None else float(hi)
    if lo != lo and hi != hi:
        return None
    out = _buffers.empty(p.shape)
    ties = _kernels().clip_rows(v.reshape(-1), lo, hi, lo == hi, p.reshape(-1, n),
                                out.reshape(-1, n))
    return None if ties else out


def _zero(a):
    """Is ``a`` the number +0.0 (or 0), a branch of :func:`where` that needs no reading?"""
    return type(a) in (float, int) and a == 0 and math.copysign(1.0, a) > 0


def cross(a, p, b, q):
    """The partials of ``np.cross(a, b)`` of 3-vectors along the last axis in one pass,
    or ``None``: ``a``, ``b`` float64 values of one shape ``S + (3,)``; ``p``, ``q``
    their partials (``S + (3, n)``) or ``None`` for a constant."""
    parts = [x for x in (p, q) if x is not None]
    if not parts or a.dtype != np.float64 or b.dtype != np.float64 or a.shape != b.shape \
            or a.shape[-1:] != (3,) or not all(
                type(x) is np.ndarray and x.dtype == np.float64 and x.shape[:-1] == a.shape
                for x in parts):
        return None
    n = parts[0].shape[-1]
    target = a.shape + (n,)
    work = math.prod(target)
    if not _wanted(work, n):
        return None
    rows = work // (3 * n)
    out = _buffers.empty(target)
    p3 = parts[0] if p is None else p
    q3 = parts[0] if q is None else q
    _kernels().cross_rows(np.ascontiguousarray(a).reshape(rows, 3),
                          np.ascontiguousarray(p3).reshape(rows, 3, n),
                          np.ascontiguousarray(b).reshape(rows, 3),
                          np.ascontiguousarray(q3).reshape(rows, 3, n),
                          out.reshape(rows, 3, n), p is not None, q is not None)
    return out


def outer(a, p, b, q):
    """The partials of ``np.outer(a, b)``, ``p[i, :] * b[j] + a[i] * q[j, :]``, in one
    pass writing each output element once, or ``None``.  ``p`` or ``q`` is ``None``
    for a constant operand; ``a`` and ``b`` are 1-D, ``p`` and ``q`` their partials."""
    parts = [x for x in (p, q) if x is not None]
    if not all(type(x) is np.ndarray and x.dtype == np.float64 and x.ndim == 2
               for x in parts) or a.dtype != np.float64 or b.dtype != np.float64:
        return None
    n = parts[0].shape[-1]
    target = (a.shape[0], b.shape[0], n)
    if not _wanted(math.prod(target), n):
        return None
    out = _buffers.empty(target)
    k = _kernels()
    a, b = np.ascontiguousarray(a), np.ascontiguousarray(b)
    if p is not None and q is not None:
        k.outer2(a, np.ascontiguousarray(p), b, np.ascontiguousarray(q), out)
    elif p is not None:
        k.outer_left(np.ascontiguousarray(p), b, out)
    else:
        k.outer_right(a, np.ascontiguousarray(q), out)
    return out


_NO_ROWS, _NO_ROW = np.zeros((0, 0, 4)), np.zeros((0, 4))   # matvec4's unread operands


def _four_wide(x):
    return type(x) is np.ndarray and x.shape[-1] == 4 and x.dtype == np.float64 and \
        x.flags.c_contiguous


def matvec(a, p, v, q):
    """The partials of ``a @ v`` (``a``: ``(rows, K)``, ``v``: ``(K,)``, float64) in one
    kernel pass, or ``None``: four directions only (the kernel's fixed width), ``p``
    and ``q`` C-contiguous float64 partials (``(rows, K, 4)``, ``(K, 4)``) or ``None``
    for a constant, and enough work for a kernel."""
    if not (p is None or _four_wide(p)) or not (q is None or _four_wide(q)) or \
            type(a) is not np.ndarray or type(v) is not np.ndarray or a.dtype != np.float64 or \
            v.dtype != np.float64 or not _wanted(4 * a.size, 4):
        return None
    out = _buffers.empty((a.shape[0], 4))
    a, v = np.ascontiguousarray(a), np.ascontiguousarray(v)
    _kernels().matvec4(a, _NO_ROWS if p is None else p, v, _NO_ROW if q is None else q,
                       out, p is not None, q is not None)
    return out


def matvec_checked(a, p, v, q):
    """:func:`matvec` for operands whose caller has checked them
    (``dispatch._lean_products``): ``a`` C-contiguous float64 ``(rows, K)``, ``v``
    C-contiguous float64 ``(K,)``, ``p`` and ``q`` C-contiguous float64 ``(rows, K, 4)``
    and ``(K, 4)`` or ``None`` for a constant; ``None`` where no kernel runs.  Its
    checks cost more than the kernel's pass at K = 1000."""
    if not _wanted(4 * a.size, 4):
        return None
    out = _buffers.empty((a.shape[0], 4))
    _kernels().matvec4(a, _NO_ROWS if p is None else p, v, _NO_ROW if q is None else q,
                       out, p is not None, q is not None)
    return out


def dot4(a, p, b, q):
    """The partials of ``a @ b`` for 1-D ``a``, ``b`` (``(K,)``): :func:`matvec_checked`
    of the one-row matrix ``a[None]``, a ``(4,)`` array, or ``None``."""
    if not _wanted(4 * a.shape[0], 4):
        return None
    out = np.empty((1, 4))
    _kernels().matvec4(a[None], _NO_ROWS if p is None else p[None], b,
                       _NO_ROW if q is None else q, out, p is not None, q is not None)
    return out[0]


_I32 = np.dtype(np.int32)
_F64 = np.dtype(np.float64)


def sparse_dual(S, x, p):
    """``(S @ x, S @ p)`` for a scipy.sparse CSR matrix ``S`` (``(m, N)``, float64
    entries, int32 indices), a 1-D float64 value ``x`` and its partials ``p``
    (``(N, n)``), both C-contiguous and writeable, by one kernel pass over ``S``
    (:func:`dualgrad.backend._numba_kernels.csr_dual`: SciPy's sums in SciPy's order,
    the same bits as ``S @ x`` and ``S @ p``), or for a DIA matrix (``sp.diags``'s
    default format: :func:`_dia_dual`); ``None`` where any of that does not
    hold, where the work is small or numba not yet worth loading, or where ``S``
    stores an inf or NaN (the caller's path: SciPy's products, and a zero partial
    times a non-finite entry made 0).  A method-of-lines step reads the matrix once
    instead of twice and skips SciPy's loop over a run-time number of columns."""
    if type(x) is not np.ndarray or type(p) is not np.ndarray or x.dtype != _F64 or \
            p.dtype != _F64 or x.ndim != 1 or p.ndim != 2:
        return None
    form = getattr(S, "format", None)
    if form == "dia":
        return _dia_dual(S, x, p)
    if form != "csr":
        return None
    data, indices, indptr = S.data, S.indices, S.indptr
    m, cols = S.shape
    n = p.shape[1]
    if type(data) is not np.ndarray or type(indices) is not np.ndarray or \
            type(indptr) is not np.ndarray or data.dtype != _F64 or indices.dtype != _I32 or \
            indptr.dtype != _I32 or x.shape[0] != cols or p.shape[0] != cols or not n or \
            indptr.shape != (m + 1,) or data.shape != indices.shape or \
            not _wanted(m * n, n, True):
        return None
    for a in (data, indices, indptr, x, p):
        flags = a.flags
        if not (flags.c_contiguous and flags.writeable):
            return None
    if indptr[0] != 0 or indptr[m] > data.shape[0]:
        return None
    value = np.empty(m)
    out = _buffers.empty((m, n))
    if not _kernels().csr_dual(indptr, indices, data, x, p.reshape(-1), value,
                               out.reshape(-1), n):
        return None
    return value, out


def _dia_dual(S, x, p):
    """:func:`sparse_dual` for a DIA matrix ``S`` (float64 diagonals stored
    C-contiguous, int32 offsets): :func:`dualgrad.backend._numba_kernels.dia_dual`."""
    data, offsets = S.data, S.offsets
    m, cols = S.shape
    n = p.shape[1]
    if type(data) is not np.ndarray or type(offsets) is not np.ndarray or \
            data.dtype != _F64 or offsets.dtype != _I32 or data.ndim != 2 or \
            offsets.shape != (data.shape[0],) or x.shape[0] != cols or p.shape[0] != cols or \
            not n or not _wanted(m * n, n, True):
        return None
    for a in (data, offsets, x, p):
        flags = a.flags
        if not (flags.c_contiguous and flags.writeable):
            return None
    value = np.empty(m)
    out = _buffers.empty((m, n))
    if not _kernels().dia_dual(offsets, data, x, p.reshape(-1), value, out.reshape(-1), n):
        return None
    return value, out


def correlation(p, w, r, s):
    """``p * w[..., None] - r[..., None] * (s[:, None, :] + s[None, :, :])`` for
    C-contiguous float64 ``p`` (``(m, m, n)``), ``w``, ``r`` (``(m, m)``) and ``s``
    (``(m, n)``) in one kernel pass, or ``None`` (small, or not plain float64)."""
    if type(p) is not np.ndarray or p.dtype != np.float64 or not p.flags.c_contiguous or \
            not _wanted(p.size, p.shape[-1]):
        return None
    out = _buffers.empty(p.shape)
    _kernels().correlation_rows(p, np.ascontiguousarray(w), np.ascontiguousarray(r),
                                np.ascontiguousarray(s), out)
    return out


def swap_shifted(p):
    """``np.swapaxes(p, 0, 1) - p[:, 0]`` for float64 partials ``p`` (``(rows, cols,
    n)``) as a C-contiguous array written by one kernel pass, or ``None`` (small, or
    ``p`` not C-contiguous float64: NumPy's subtraction into such an array then)."""
    if type(p) is not np.ndarray or p.dtype != np.float64 or p.ndim != 3 or \
            not p.flags.c_contiguous or not _wanted(p.size, p.shape[-1]):
        return None
    out = _buffers.empty((p.shape[1], p.shape[0], p.shape[2]))
    _kernels().swap_shifted(p, out)
    return out


def symmetric_sum(g, s):
    """``g + g^T`` (the first two axes swapped) times ``s``, in place, for C-contiguous
    float64 ``(m, m, n)`` ``g``, by a kernel: ``True``, or ``False`` (small or not
    such an array), when nothing is written."""
    if type(g) is not np.ndarray or g.dtype != np.float64 or not g.flags.c_contiguous or \
            not _wanted(g.size, g.shape[-1]):
        return False
    _kernels().symmetric_sum(g, float(s))
    return True


def rank2(u, a, v, b):
    """``u[:, None] * a + v[:, None] * b`` for 1-D float64 ``u``, ``v`` (rows) and
    ``a``, ``b`` (n directions) in one pass, or ``None`` (small: NumPy's turn)."""
    n = a.shape[0]
    if not _wanted(u.shape[0] * n, n):
        return None
    out = _buffers.empty((u.shape[0], n))
    _kernels().rank2_rows(np.ascontiguousarray(u), a, np.ascontiguousarray(v), b, out)
    return out


def running_product(v, c, p, ax):
    """The partials of ``c = np.cumprod(v, axis=ax)`` (``v``'s partials ``p``), step by
    step in one kernel pass (the product rule of each step's multiplication), or
    ``None`` when NumPy's path is forced or the arrays are not plain float64 or
    complex128 of one dtype (nested duals).  Unlike ``c * cumsum(p / v)`` it needs no
    nonzero factor; a row whose steps could leave the float range takes them on
    (mantissa, exponent) pairs in the same pass, so each partial is the exact one to
    rounding wherever that is a float (``_numba_kernels.running_product``)."""
    if _mode == "numpy" or type(p) is not np.ndarray or type(v) is not np.ndarray or \
            p.dtype not in (np.float64, np.complex128) or v.dtype != p.dtype or \
            c.dtype != p.dtype or p.shape[:-1] != v.shape or v.ndim == 0:
        return None
    _loader.load()                 # the NumPy path is no match here (see np.cumprod's)
    n = p.shape[-1]
    length = v.shape[ax]
    vs = np.ascontiguousarray(np.moveaxis(v, ax, 0)).reshape(length, -1)
    cs = np.ascontiguousarray(np.moveaxis(c, ax, 0)).reshape(length, -1)
    ps = np.ascontiguousarray(np.moveaxis(p, ax, 0))
    out = np.empty(ps.shape, dtype=p.dtype)
    if v.dtype == np.float64:
        _kernels().running_product(vs, cs, ps.reshape(length, -1, n), out.reshape(length, -1, n),
                                   vs.view(np.int64))
    else:
        _kernels().running_product_complex(vs, cs, ps.reshape(length, -1, n),
                                           out.reshape(length, -1, n),
                                           vs.view(np.float64).view(np.int64))
    return np.moveaxis(out, 0, ax)


def convolve(p, w):
    """The full convolution of each column of float64 partials ``p`` (``L x n``) with
    the float64 taps ``w``, in one kernel pass, or ``None`` (small, NumPy's engine
    forced, other dtypes: the caller's NumPy path)."""
    if type(p) is not np.ndarray or p.dtype != np.float64 or p.ndim != 2 or \
            type(w) is not np.ndarray or w.dtype != np.float64 or w.ndim != 1 or \
            not _wanted(p.size, p.shape[1]):
        return None
    out = _buffers.empty((p.shape[0] + w.shape[0] - 1, p.shape[1]))
    _kernels().convolve_rows(np.ascontiguousarray(p), np.ascontiguousarray(w), out)
    return out


def gradient(p, ax, h, edge_order, finite=False):
    """``np.gradient(p, h, axis=ax, edge_order=edge_order)`` of float64 partials ``p``
    (``ax`` a value axis, ``h`` a float spacing) in one kernel pass into a pooled
    array, the bits of NumPy's operations (:func:`_numba_kernels.gradient_rows`), or
    ``None`` (small, NumPy's engine forced, not C-contiguous: the caller's NumPy
    lines).  ``finite``: ``None`` too where a result is not finite (the pass reports
    nothing: the caller's NumPy lines make NumPy's reports there, fperr73)."""
    rows = _gradient_rows(p, ax, 2 if edge_order == 1 else 3)
    if rows is None:
        return None
    pre, length, post = rows
    h = float(h)
    if h == 0.0:
        return None     # (NumPy's lines: inf / NaN with its report, where Python's -1.5 / h raised)
    first, last = _edge_weights(h, edge_order)
    out = _buffers.empty(p.shape)
    ok = _kernels().gradient_rows(p.reshape(pre, length * post),
                                  out.reshape(pre, length * post), post, 2. * h, h, first, last)
    return out if ok or not finite else None


def _gradient_rows(p, ax, shortest):
    """``(pre, length, post)``: float64 C-contiguous partials ``p`` as the kernels'
    rows along value axis ``ax``, or ``None`` where :func:`gradient` and
    :func:`gradient_twice` decline (another dtype or layout, small, NumPy's engine
    forced, an axis shorter than ``shortest``, no elements)."""
    if type(p) is not np.ndarray or p.dtype != np.float64 or not p.flags.c_contiguous or \
            not _wanted(p.size, p.shape[-1]):
        return None
    length = p.shape[ax]
    pre = math.prod(p.shape[:ax])
    post = p.size // (pre * length) if length else 0
    if length < shortest or not post:
        return None
    return pre, length, post


def _edge_weights(h, edge_order):
    """:func:`gradient`'s end weights for one call (NumPy's, computed from ``h``)."""
    if edge_order == 1:
        return np.empty(0), np.empty(0)
    return np.array([-1.5 / h, 2. / h, -0.5 / h]), np.array([0.5 / h, -2. / h, 1.5 / h])


def _reciprocal(d):
    """``1 / d`` where ``d`` and it are powers of two (``x / d`` and ``x * (1 / d)`` then
    round the same real number: the same bits and floating-point flags), else 0.0."""
    if not math.isfinite(d) or d == 0.0 or math.frexp(d)[0] not in (0.5, -0.5):
        return 0.0
    r = 1.0 / d
    return r if math.isfinite(r) and math.frexp(r)[0] in (0.5, -0.5) and r * d == 1.0 \
        else 0.0


def gradient_twice(p, ax, h1, edge1, h2, edge2):
    """``np.gradient(np.gradient(p, h1, axis=ax, edge_order=edge1), h2, axis=ax,
    edge_order=edge2)`` of float64 partials ``p`` in one kernel pass into a pooled
    array, writing no inner gradient (:func:`_numba_kernels.gradient_twice_rows`: each
    element by NumPy's operations, so the bits of two :func:`gradient` calls), or
    ``None``: what :func:`gradient` declines, an axis shorter than 4, a platform
    without the floating-point flags' functions, or a pass that raised any
    floating-point flag NumPy's two calls may report (invalid, divide, overflow,
    underflow: nothing is kept; the caller's two calls compute it again and report as
    they do)."""
    rows = _gradient_rows(p, ax, 4)
    if rows is None:
        return None
    pre, length, post = rows
    h1, h2 = float(h1), float(h2)
    if h1 == 0.0 or h2 == 0.0:
        return None
    from ._numpy_loops import MASK
    if MASK is None:
        return None
    first1, last1 = _edge_weights(h1, edge1)
    first2, last2 = _edge_weights(h2, edge2)
    d1, d2 = 2. * h1, 2. * h2
    out = _buffers.empty(p.shape)
    flags = _kernels().gradient_twice_rows(
        p.reshape(pre, length * post), out.reshape(pre, length * post), post,
        d1, _reciprocal(d1), h1, first1, last1, d2, _reciprocal(d2), h2, first2, last2,
        np.int32(MASK))
    return None if flags else out

def triangle(v, p, k, upper):
    """``(np.tril(v, k), its partials)`` (``np.triu`` when ``upper``) in one kernel
    pass, or ``None``: ``v`` a C-contiguous float64 array of at least 2 axes, ``p``
    its C-contiguous float64 partials (``v.shape + (n,)``), ``k`` an int.  The value
    is NumPy's bit for bit (the kept elements copied, +0.0 elsewhere), the partials
    alike, in one pass instead of NumPy's mask (``tri``), ``where`` of the value and
    a masked copy of the partials."""
    if type(v) is not np.ndarray or type(p) is not np.ndarray or v.dtype != np.float64 or \
            p.dtype != np.float64 or v.ndim < 2 or p.shape[:-1] != v.shape or \
            not v.flags.c_contiguous or not p.flags.c_contiguous:
        return None
    n = p.shape[-1]
    if not v.size or not _wanted(p.size, n):
        return None
    rows, cols = v.shape[-2:]
    k = min(max(int(k), -rows - 1), cols + 1)           # beyond the matrix: the same rows
    start = np.arange(k, rows + k) if upper else np.zeros(rows, np.int64)
    stop = np.full(rows, cols) if upper else np.arange(k + 1, rows + k + 1)
    lo = np.clip(start, 0, cols).astype(np.int64)
    hi = np.clip(stop, lo, cols).astype(np.int64)
    value = np.empty(v.shape)
    partials = _buffers.empty(p.shape)
    batch = v.size // (rows * cols)
    _kernels().triangle(v.reshape(batch, rows, cols), p.reshape(batch, rows, cols * n), lo, hi,
                        value.reshape(batch, rows, cols), partials.reshape(batch, rows, cols * n))
    return value, partials


MAX_JOIN = 4       # parts joined by one kernel call (numba compiles one per count)


def join(parts, outer, out):
    """Write the float64 ``parts`` joined along an inner axis into ``out`` in one
    kernel pass: each part and ``out`` seen as ``(outer, width)`` (C-contiguous), the
    parts' widths adding up to ``out``'s.  ``False`` (nothing written) when the
    kernel does not take it."""
    parts = [a for a in parts if getattr(a, "size", 1)]      # an empty part adds nothing
    if not 1 < len(parts) <= MAX_JOIN or type(out) is not np.ndarray or \
            not out.flags.c_contiguous or not out.size or \
            not all(type(a) is np.ndarray and a.dtype == np.float64 and
                    a.flags.c_contiguous for a in parts) or \
            not _wanted(out.size, out.shape[-1]):
        return False
    if len(parts) > 2 and not all(a.flags.writeable for a in parts):
        return False         # numba types a tuple of arrays only when all are alike
    if len(parts) == 2:                  # the common join: no tuple for numba to type
        _kernels().join_two(parts[0].reshape(outer, -1), parts[1].reshape(outer, -1),
                            out.reshape(outer, -1))
        return True
    _kernels().join_rows(tuple(a.reshape(outer, -1) for a in parts), out.reshape(outer, -1))
    return True
