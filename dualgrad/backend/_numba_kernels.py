"""The jitted loops themselves; imported lazily by :mod:`dualgrad.backend._kernels`.

Kept in a real source file with ``cache=True`` so that numba's on-disk cache
(keyed by file, name and line) spares later processes the compile.
"""

import math

import numpy as np
from numba import types

from ..rules import _special
from ._jit import ENTRY, njit, one_layout
from ._numpy_loops import fe_clear, fe_test, numpy_loop, numpy_loop2, numpy_loop2_steps
from ._regular_kernels import regular_power_x, regular_power_y

_JIT = dict(cache=True, error_model="numpy", nogil=True)

_PLAIN = {}         # name -> the Python function of a kernel whose dispatcher is not made yet


def _lazy(fn):
    """Keep the kernel ``fn`` for :func:`__getattr__`, which makes its numba dispatcher
    when the module's attribute is first read: making one runs numba's cache locator
    (it looks at the file system), and a process runs few of these kernels.  Only a kernel that no other kernel calls is lazy (a kernel's
    callees are looked up in this module's namespace when numba compiles it).  The
    module's end removes the Python functions from its namespace."""
    _PLAIN[fn.__name__] = fn
    return fn


_VECTOR = {}        # name -> argument types compiled with LLVM's SLP vectorizer on
# Lazy kernels called only through their compiled entry point (``_kernels.small_entry``,
# ``small_cube_entry``, ``small_outer_entry``): compiled without numba's runtime (``_jit.ENTRY``)
_ENTRIES = {"scale_entry", "cube_entry", "power_scale_entry", "power_number_entry", "outer_entry",
            "power_pair_entry", "power_exponent_entry", "power_base_entry", "outer_row_entry",
            "loop_scale_entry", "loop_power_pair_entry", "loop_power_number_entry",
            "loop_power_exponent_entry", "loop_power_base_entry"}


def _vector(*types):
    """Mark a lazy kernel whose signature ``types`` (the one its wrapper passes) is
    compiled with LLVM's SLP vectorizer on, which numba leaves off: straight-line sums
    of the four directions become one 4-wide operation each, the same operations in
    the same order (no reassociation), so the same bits.  Another signature (a
    read-only operand) compiles on its first call as any kernel does."""
    def mark(fn):
        _VECTOR[fn.__name__] = types
        return fn
    return mark


_LAYOUTS = {}       # name -> groups of read-only arguments typed by one layout (_jit.one_layout)


def _layouts(*groups):
    """Mark a lazy kernel whose read-only array arguments at the positions of each of
    ``groups`` compile one signature per layout family (all ``'C'``, else ``'A'``),
    not one per combination of layouts and writability (:func:`._jit.one_layout`)."""
    def mark(fn):
        _LAYOUTS[fn.__name__] = groups
        return fn
    return mark


def __getattr__(name):
    fn = _PLAIN.get(name)
    if fn is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    dispatcher = njit(**_JIT, **ENTRY)(fn) if name in _ENTRIES else njit(**_JIT)(fn)
    if name in _LAYOUTS:
        dispatcher = one_layout(dispatcher, _LAYOUTS[name])
    if name in _VECTOR:
        from ._fusedgen import vectorizing
        with vectorizing():                 # compiles, or loads from the disk cache
            dispatcher.compile(_VECTOR[name])
    return globals().setdefault(name, dispatcher)


# Rows of 4 or 2 C-contiguous partials (``scale``, ``scale2``): the generated rule kernels'
# form (``_SHORT``, dualgrad/backend/_kernelgen.py): the plain products over the flat
# arrays with a flag over the rows, vectorized across rows, then the zero rule on the
# flagged rows alone; the same statements, so the same bits (stop 33 rows15: 0.72-0.79x
# the literal row loop of stop 31 at N = 1e5, n = 4).  Other lengths and layouts call the
# loop over n, its own compiled function: in the kernel's body after the flat loops LLVM
# laid it out 1.06-1.18x slower at n = 3, 5, 8.


@njit(**_JIT)
def _scale_loop(f, p, out):
    """:func:`scale`'s loop over ``n`` per row."""
    rows, n = p.shape
    for i in range(rows):
        fi = f[i]
        if fi - fi == 0.0:
            for k in range(n):
                out[i, k] = fi * p[i, k]
        else:
            for k in range(n):
                q = p[i, k]
                out[i, k] = 0.0 if q == 0.0 else fi * q


@njit(**_JIT)
def _scale2_loop(f, p, g, q, out):
    """:func:`scale2`'s loop over ``n`` per row."""
    rows, n = p.shape
    for i in range(rows):
        fi = f[i]
        gi = g[i]
        if fi - fi == 0.0 and gi - gi == 0.0:
            for k in range(n):
                out[i, k] = fi * p[i, k] + gi * q[i, k]
        else:
            for k in range(n):
                a = p[i, k]
                b = q[i, k]
                ta = 0.0 if a == 0.0 else fi * a
                tb = 0.0 if b == 0.0 else gi * b
                out[i, k] = ta + tb


@_lazy
@_layouts((0, 1), (3,))
def scale(f, p, out, pf, of):
    """``out[i, :] = f[i] * p[i, :]``; a zero ``p`` stays 0 where ``f`` is inf/NaN.

    Rows of 4 or 2 C-contiguous partials: the products over the flat arrays ``pf``,
    ``of`` (``p``'s and ``out``'s memory as 1-D views, which the caller makes: a
    ``ravel`` inside the kernel put ``numba.np.arrayobj`` into its cached
    environment, ~35 ms of imports when the kernel is loaded from the disk cache, in
    the second call of every heat form; empty otherwise), vectorized across rows,
    then the zero rule on the rows whose ``f[i]`` is not finite, if any (the
    generated rows kernels' form, ``_kernelgen._SHORT``; stop 33 rows15); other
    lengths and layouts: a loop over ``n`` per row."""
    rows, n = p.shape
    short = False
    bad = False
    if n == 4 and pf.shape[0] == 4 * rows and of.shape[0] == 4 * rows:
        short = True
        for i in range(rows):
            fi = f[i]
            bad |= fi - fi != 0.0
            for j in range(4 * i, 4 * i + 4):
                of[j] = fi * pf[j]
    if n == 2 and pf.shape[0] == 2 * rows and of.shape[0] == 2 * rows:
        short = True
        for i in range(rows):
            fi = f[i]
            bad |= fi - fi != 0.0
            for j in range(2 * i, 2 * i + 2):
                of[j] = fi * pf[j]
    if not short:
        _scale_loop(f, p, out)
    elif bad:
        for i in range(rows):
            fi = f[i]
            if fi - fi != 0.0:
                for k in range(n):
                    q = p[i, k]
                    out[i, k] = 0.0 if q == 0.0 else fi * q


@_lazy
@_layouts((0, 1, 2, 3), (5, 6))
def scale2(f, p, g, q, out, pf, qf, of):
    """``out[i, :] = f[i] * p[i, :] + g[i] * q[i, :]``, NaN-safe as :func:`scale`
    (rows of 4 or 2 partials likewise: ``pf``, ``qf``, ``of`` the flat views the caller
    makes, empty otherwise)."""
    rows, n = p.shape
    short = False
    bad = False
    if n == 4 and pf.shape[0] == 4 * rows and qf.shape[0] == 4 * rows and \
            of.shape[0] == 4 * rows:
        short = True
        for i in range(rows):
            fi = f[i]
            gi = g[i]
            bad |= (fi - fi != 0.0) | (gi - gi != 0.0)
            for j in range(4 * i, 4 * i + 4):
                of[j] = fi * pf[j] + gi * qf[j]
    if n == 2 and pf.shape[0] == 2 * rows and qf.shape[0] == 2 * rows and \
            of.shape[0] == 2 * rows:
        short = True
        for i in range(rows):
            fi = f[i]
            gi = g[i]
            bad |= (fi - fi != 0.0) | (gi - gi != 0.0)
            for j in range(2 * i, 2 * i + 2):
                of[j] = fi * pf[j] + gi * qf[j]
    if not short:
        _scale2_loop(f, p, g, q, out)
    elif bad:
        for i in range(rows):
            fi = f[i]
            gi = g[i]
            if not (fi - fi == 0.0 and gi - gi == 0.0):
                for k in range(n):
                    a = p[i, k]
                    b = q[i, k]
                    out[i, k] = (0.0 if a == 0.0 else fi * a) + (0.0 if b == 0.0 else gi * b)


@_lazy
@_layouts((0,), (1,))
def scale_finite(f, p, out):
    """``out[i, :] = f[i] * p[i, :]`` for 1-D ``f``, returning True; False where an
    ``f[i]`` is inf or NaN (``out`` then written: the caller's careful
    path runs).  The small-array path's one call in place of NumPy's finiteness test
    and broadcast product: the same IEEE products, so the same bits.  Rows of 4 or 2
    C-contiguous partials take the generated small kernels' loop (``_kernelgen``'s
    ``_SMALL_SHORT``: flat indices, the test a flag over the rows, vectorized across
    rows; stop 32 rows14), other lengths and layouts the loop over n, its test a flag
    as well (an early return per row cost 1.15-1.6x at n = 8: stop 33 rows15)."""
    rows, n = p.shape
    if n == 4 and p.flags.c_contiguous and out.flags.c_contiguous:
        pf, of = p.ravel(), out.ravel()
        bad = False
        for i in range(rows):
            fi = f[i]
            bad |= fi - fi != 0.0
            for j in range(4 * i, 4 * i + 4):
                of[j] = fi * pf[j]
        return not bad
    if n == 2 and p.flags.c_contiguous and out.flags.c_contiguous:
        pf, of = p.ravel(), out.ravel()
        bad = False
        for i in range(rows):
            fi = f[i]
            bad |= fi - fi != 0.0
            for j in range(2 * i, 2 * i + 2):
                of[j] = fi * pf[j]
        return not bad
    bad = False
    for i in range(rows):
        fi = f[i]
        bad |= fi - fi != 0.0
        for k in range(n):
            out[i, k] = fi * p[i, k]
    return not bad


@_lazy
def scale_entry(f, p, out):
    """:func:`scale_finite` for the lean path of a unary rule on small 1-D values, compiled
    as one entry point (``_kernels.small_scale_entry``: ``f`` and ``p`` of any layout,
    ``out`` C-contiguous) and called without numba's dispatcher: ``out[i, :] = f[i] *
    p[i, :]``, True; False for a factor that is not finite (``out`` then written) and
    for operands of other lengths (none: the caller's careful path runs).  The same IEEE
    products, so the same bits.  A row loop of any stride (no ``ravel``: an ``A``
    array's is a copy), which at this size (under ``MIN_WORK_FUSED`` elements) costs
    less than the dispatcher's type check of three arrays (small39)."""
    rows, n = p.shape
    if f.shape[0] != rows or out.shape[0] != rows or out.shape[1] != n:
        return False
    bad = False
    for i in range(rows):
        fi = f[i]
        bad |= fi - fi != 0.0
        for k in range(n):
            out[i, k] = fi * p[i, k]
    return not bad


@_lazy
def loop_scale_entry(loops, x, out, p, t):
    """``np.sin(a)``'s value, factor and partials in one compiled call (small71): NumPy's
    own float64 loops (``_numpy_loops.loops``' table ``loops``) compute ``out = ufunc(x)``
    and the factor ``f = part(x)`` (``np.cos(x)``; negated where ``loops[7]``; ``out``
    itself where no part: ``np.exp``), then :func:`scale_entry`'s products ``t[i, :] =
    f[i] * p[i, :]``: the same loops on the same contiguous operands as NumPy's calls
    and the same products, so the same bits.  True, ``out`` and ``t`` written; False
    (nothing usable: the caller's NumPy calls then run from the value on) where ``x`` is
    not contiguous and aligned, a length does not match, there are no directions, the
    value's loop set a floating-point exception flag that NumPy's call would report
    (``loops[0]``'s), or the factor is not finite.  The factor is written to the first
    ``n`` elements of ``t`` (as NumPy's ``np.cos(x)`` writes its fresh contiguous
    result) and read from there with the rows taken from the last: row ``i`` writes
    elements from ``i * m`` on, past every factor still to be read (``j < i``), after
    reading its own.  The flags are cleared before the value's loop, as NumPy's call
    clears them, and after the factor's (whose reports the old way hushed); as NumPy's
    ``npy_clear_floatstatus_barrier`` does, each clear tests the flags first and clears
    only where one is set: ``feclearexcept`` rewrites the x87 environment, ~6 times
    ``fetestexcept``'s cost, and two of them were ~0.4 us of the call at N = 10
    (small73; the same flags after, so the same reports)."""
    n = x.shape[0]
    rows, m = p.shape
    if rows != n or out.shape[0] != n or t.shape[0] != n or t.shape[1] != m or \
            n == 0 or m == 0 or x.strides[0] != 8 or x.ctypes.data % 8 != 0:
        return False
    mask = np.int32(loops[0])
    if fe_test(mask) != 0:      # (as NumPy: a clear costs ~6 tests)
        fe_clear(mask)
    if numpy_loop(loops[1], loops[2], loops[3], x.ctypes.data, out.ctypes.data, n) != 0 or \
            fe_test(mask) != 0:
        fe_clear(mask)
        return False
    part = loops[4] != 0
    if part:
        done = numpy_loop(loops[4], loops[5], loops[6], x.ctypes.data, t.ctypes.data, n)
        if fe_test(mask) != 0:      # (as NumPy: a clear costs ~6 tests)
            fe_clear(mask)
        if done != 0:
            return False
    negate = loops[7] != 0
    bad = False
    for i in range(n - 1, -1, -1):
        fi = t[i // m, i % m] if part else out[i]
        if negate:
            fi = -fi
        bad |= fi - fi != 0.0
        for k in range(m):
            t[i, k] = fi * p[i, k]
    return not bad


@_lazy
def cube_entry(x, p, out):
    """:func:`scale_entry` of ``u ** 3``'s factor, evaluated in the loop: ``x[i] * x[i]``,
    then times ``3.0`` (``dispatch._lean_small.lean_power``'s NumPy calls ``f = x * x;
    f *= 3.0``: the same IEEE products in the same order, so the same bits), without the
    two NumPy calls and the error state's hush around them (small61).  True, the
    partials written; False for a factor that is not finite or below the smallest
    normal number beside a nonzero ``x[i]`` (3e-320 at x = 1e-160 kept 4 digits of
    3e-120 times dx = 1e200: the general path's extended range, farpow67) or operands
    of other lengths.  Compiled as one entry point (``_kernels.small_cube_entry``)."""
    rows, n = p.shape
    if x.shape[0] != rows or out.shape[0] != rows or out.shape[1] != n:
        return False
    bad = False
    for i in range(rows):
        fi = x[i] * x[i]
        fi = fi * 3.0
        bad |= (fi - fi != 0.0) | (fi < 2.2250738585072014e-308) & (x[i] != 0.0)
        for k in range(n):
            out[i, k] = fi * p[i, k]
    return not bad


@_lazy
def power_scale_entry(x, f, p, out, room):
    """:func:`scale_entry` of ``x ** y``'s factor ``f`` for a number ``y``
    (``dispatch._lean_small.lean_power``): ``out[i, :] = f[i] * p[i, :]``, True; False
    also where ``|f[i]|`` is below the smallest normal number beside a nonzero ``x[i]``
    (an underflowed factor that lost bits or fell to 0, beside a partial that may make
    the slope normal: 0 for 2.5e-165 at x = 1e-310, y = 2.5, dx = 1e300; the caller's
    general path takes it in extended range, farpow67), the smallest normal number
    times ``room = max(1, |y|)``: ``y x**(y - 1)`` is normal beside an ``x**(y - 1)``
    that underflowed and lost its bits (x = 1 - 7.3e-8, y = 1e10: 1.06e-7 off, power74).
    Compiled as one entry point (``_kernels.small_power_scale_entry``)."""
    rows, n = p.shape
    if x.shape[0] != rows or f.shape[0] != rows or out.shape[0] != rows or \
            out.shape[1] != n:
        return False
    bad = False
    for i in range(rows):
        fi = f[i]
        bad |= (fi - fi != 0.0) | (np.absolute(fi) < 2.2250738585072014e-308 * room) & \
            (x[i] != 0.0)
        for k in range(n):
            out[i, k] = fi * p[i, k]
    return not bad


@_lazy
def power_number_entry(x, c, out, w, p, t):
    """The partials of ``x ** c`` for small 1-D values ``x`` of an array dual (partials
    ``p``) and a number ``c`` (``dispatch._lean_small.lean_power``), given NumPy's part
    ``w = x ** (c - 1.0)`` of the power row's regular branch (``Expr.kernel_split``'s):
    the factor ``f[i]`` by the table's generated ``regular_power_x`` (``c * w[i]``, the
    product NumPy's ``y * x ** (y - 1.0)`` rounds) and ``t[i, :] = f[i] * p[i, :]``
    (:func:`power_scale_entry`'s products), so the same bits, without the branch's
    NumPy product and the zero test before it (small68).  At a zero ``x[i]`` (either
    sign) the factor is ``c * w[i]`` itself, which ``regular_power_x`` leaves NaN (the
    row's limits): for a number ``c != 0`` (the caller's) the row's branch there is
    that product plus signed zeros that cannot change it (``dispatch._lean_small``'s
    ``_ZERO_BASE``), the factor the caller's old way computes and
    :func:`power_scale_entry` takes where it is finite (``(a * z) ** 2.5``: small70).
    True where every factor is finite: ``regular_power_x`` makes it NaN at ``c == 0``
    and where ``|f[i]|`` is below the smallest normal number beside a nonzero
    ``x[i]`` (farpow67's underflowed factor), the cases :func:`power_scale_entry`
    declines or the caller tests first.  False, ``t`` partly written, for anything
    else and for operands of other lengths: the caller's old way runs.  Compiled as
    one entry point (``_kernels.small_power_number_entry``)."""
    rows, n = p.shape
    if x.shape[0] != rows or out.shape[0] != rows or w.shape[0] != rows or \
            t.shape[0] != rows or t.shape[1] != n:
        return False
    return _power_number_rows(x, c, out, w, p, t)


@njit(**_JIT)
def _power_number_rows(x, c, out, w, p, t):
    """:func:`power_number_entry`'s loop, its lengths tested by the caller."""
    rows, n = p.shape
    for i in range(rows):
        xi = x[i]
        if xi == 0.0 and c != 0.0:          # _ZERO_BASE: the regular product itself
            fi = c * w[i]
        else:
            fi = regular_power_x(xi, c, out[i], w[i])
        if fi - fi != 0.0:
            return False
        for k in range(n):
            t[i, k] = fi * p[i, k]
    return True


@_lazy
def loop_power_number_entry(loops, x, e, em1, c, out, w, p, t):
    """``u ** c`` of an array dual (small 1-D values) and a number ``c != 0`` in one
    compiled call (small71): NumPy's own float64 loops (``_numpy_loops.number_loops``'
    table ``loops``) compute the value (``np.power(x, e)`` of the 0-d ``e`` holding
    ``c``, stride 0 as NumPy's call broadcasts it; or the operator's ``np.reciprocal(x)``
    / ``np.sqrt(x)`` where ``loops[7]`` is 0) and the row's regular part ``w = x ** em1``
    (``em1`` the 0-d ``c - 1.0``), then :func:`power_number_entry`'s factors, tests and
    products: the same loops on the same operands as ``lean_power``'s NumPy calls, so
    the same bits.  True, ``out``, ``w`` and ``t`` written; False (nothing usable: the
    caller's NumPy calls then run from the value on) where ``x`` is not contiguous and
    aligned, a length does not match, the value's loop set a floating-point flag that
    NumPy's call would report (``loops[0]``'s), or :func:`power_number_entry` declines.
    The flags are cleared before the value's loop and after the part's (whose reports
    the old way hushed)."""
    n = x.shape[0]
    rows, m = p.shape
    if rows != n or out.shape[0] != n or w.shape[0] != n or t.shape[0] != n or \
            t.shape[1] != m or n == 0 or m == 0 or x.strides[0] != 8 or \
            x.ctypes.data % 8 != 0:
        return False
    mask = np.int32(loops[0])
    if fe_test(mask) != 0:      # (as NumPy: a clear costs ~6 tests)
        fe_clear(mask)
    if loops[7] != 0:
        done = numpy_loop2(loops[1], loops[2], loops[3], x.ctypes.data, e.ctypes.data,
                           out.ctypes.data, n, 0)
    else:
        done = numpy_loop(loops[1], loops[2], loops[3], x.ctypes.data, out.ctypes.data, n)
    if done != 0 or fe_test(mask) != 0:
        fe_clear(mask)
        return False
    done = numpy_loop2(loops[4], loops[5], loops[6], x.ctypes.data, em1.ctypes.data,
                       w.ctypes.data, n, 0)
    if fe_test(mask) != 0:      # (as NumPy: a clear costs ~6 tests)
        fe_clear(mask)
    if done != 0:
        return False
    return _power_number_rows(x, c, out, w, p, t)


@_lazy
def power_pair_entry(x, y, out, w, v, p, q, t):
    """The partials of ``u ** v`` (two array duals, small 1-D values) from the power row's
    regular branches, given NumPy's parts of them (``Expr.kernel_split``'s: ``w = x **
    (y - 1.0)``, ``v = np.log(x)``; ``dispatch._lean_small.lean_power_pair``): the
    factors ``f[i]``, ``g[i]`` by the table's generated ``regular_power_x`` and
    ``regular_power_y`` (NumPy's products ``y * w``, ``out * v``) and ``t[i, :] = f[i] *
    p[i, :] + g[i] * q[i, :]`` (:func:`scale2_finite`'s), so the same bits, and True where
    those branches are the row's and the product is the general path's: every factor
    finite, which the generated functions make NaN elsewhere (a zero base or exponent,
    ``|out[i]|`` below the smallest normal number, a quotient factor not normal).  False,
    ``t`` partly written, for anything else and for operands of other lengths: the
    caller's general path runs.  Compiled as one entry point
    (``_kernels.small_power_pair_entry``)."""
    rows, n = p.shape
    if x.shape[0] != rows or y.shape[0] != rows or out.shape[0] != rows or \
            w.shape[0] != rows or v.shape[0] != rows or q.shape[0] != rows or \
            q.shape[1] != n or t.shape[0] != rows or t.shape[1] != n:
        return False
    return _power_pair_rows(x, y, out, w, v, p, q, t)


@njit(**_JIT)
def _power_pair_rows(x, y, out, w, v, p, q, t):
    """:func:`power_pair_entry`'s loop, its lengths tested by the caller."""
    rows, n = p.shape
    for i in range(rows):
        fi = regular_power_x(x[i], y[i], out[i], w[i])
        gi = regular_power_y(x[i], y[i], out[i], v[i])
        if fi - fi != 0.0 or gi - gi != 0.0:
            return False
        for k in range(n):
            t[i, k] = fi * p[i, k] + gi * q[i, k]
    return True


@_lazy
def loop_power_pair_entry(loops, x, y, out, s, p, q, t):
    """``u ** v`` of two array duals (small 1-D values) in one compiled call (small71):
    NumPy's own float64 loops (``_numpy_loops.pair_loops``' table ``loops``) compute the
    value ``out = np.power(x, y)``, the row's regular parts ``w = x ** (y - 1.0)`` (the
    exponent ``y - 1.0`` here: one IEEE subtraction, NumPy's ``y - _ONE``) and ``v =
    np.log(x)``, then :func:`power_pair_entry`'s factors, tests and products: the same
    loops on the same contiguous operands as ``lean_power_pair``'s NumPy calls, so the
    same bits.  ``y - 1.0`` is written to the first ``n`` elements of ``t`` (the
    products overwrite it after ``w`` is made), ``w`` and ``v`` to the scratch ``s`` of
    ``2 n + 2`` elements, ``v`` from a 16-byte boundary past ``w`` (as NumPy's fresh
    results lie).  True, ``out`` and ``t`` written; False (nothing usable: the caller's
    NumPy calls then run from the value on) where ``x`` or ``y`` is not contiguous and
    aligned, a length does not match, the value's loop set a floating-point flag that
    NumPy's call would report (``loops[0]``'s), or :func:`power_pair_entry` declines.
    The flags are cleared before the value's loop, as NumPy's call clears them, and
    after the parts' (whose reports the old way hushed)."""
    n = x.shape[0]
    rows, m = p.shape
    if rows != n or y.shape[0] != n or out.shape[0] != n or q.shape[0] != n or \
            q.shape[1] != m or t.shape[0] != n or t.shape[1] != m or s.shape[0] < 2 * n + 2 \
            or n == 0 or m == 0 or x.strides[0] != 8 or y.strides[0] != 8 or \
            x.ctypes.data % 8 != 0 or y.ctypes.data % 8 != 0:
        return False
    mask = np.int32(loops[0])
    if fe_test(mask) != 0:      # (as NumPy: a clear costs ~6 tests)
        fe_clear(mask)
    if numpy_loop2(loops[1], loops[2], loops[3], x.ctypes.data, y.ctypes.data,
                   out.ctypes.data, n, 8) != 0 or fe_test(mask) != 0:
        fe_clear(mask)
        return False
    for i in range(n):
        t[i // m, i % m] = y[i] - 1.0
    start = n + (n & 1)
    w = s[:n]
    v = s[start:start + n]
    done = numpy_loop2(loops[1], loops[2], loops[3], x.ctypes.data, t.ctypes.data,
                       w.ctypes.data, n, 8)
    if done == 0:
        done = numpy_loop(loops[4], loops[5], loops[6], x.ctypes.data, v.ctypes.data, n)
    if fe_test(mask) != 0:      # (as NumPy: a clear costs ~6 tests)
        fe_clear(mask)
    if done != 0:
        return False
    return _power_pair_rows(x, y, out, w, v, p, q, t)


@_lazy
def outer_row_entry(f, q, t):
    """``t[i, :] = f[i] * q[:]``: a scalar dual's partials ``q`` (a row) times the factor
    ``f`` of a plain 1-D array's elements (``k * t``, ``t / k``:
    ``dispatch._lean_small.lean_constant``), the products ``backend.combine_small``'s
    broadcast product ``f[:, None] * q`` rounds, so the same bits (small69).  True where
    every ``f[i]`` is finite and so is their sum taken left to right (combine_small's
    test, ``sum(f.tolist())``, declines where that sum overflows); False, ``t`` partly
    written, for anything else and for operands of other lengths: the caller's old way
    runs.  Compiled as one entry point (``_kernels.small_outer_row_entry``)."""
    rows = f.shape[0]
    n = q.shape[0]
    if t.shape[0] != rows or t.shape[1] != n:
        return False
    s = 0.0
    for i in range(rows):
        fi = f[i]
        if fi - fi != 0.0:
            return False
        s += fi
        for k in range(n):
            t[i, k] = fi * q[k]
    return s - s == 0.0


@_lazy
def power_exponent_entry(x, c, out, w, v, p, q, t):
    """The partials of ``x ** c`` for small 1-D values ``x`` and the float exponent ``c``
    of a scalar dual (its partials the row ``q``): ``x`` an array dual's, partials ``p``
    (``u ** k``), or a plain array's, ``p`` of no rows (``t ** k``:
    ``dispatch._lean_small.lean_power_mixed``).  Given NumPy's parts ``w = x ** (c -
    1.0)`` (``u ** k`` only) and ``v = np.log(x)``, the factors ``f[i]`` (``u ** k`` only)
    and ``g[i]`` by the generated ``regular_power_x`` and ``regular_power_y``, as
    :func:`power_pair_entry`, then ``t[i, :] = f[i] * p[i, :] + g[i] * q[:]`` (``g[i] *
    q[:]`` alone for ``t ** k``): each product rounded, then their sum, as
    ``combine_small``'s broadcast products and sum, so the same bits.  True where every
    factor is finite (those branches the row's, the product the general path's; a zero
    ``c``: the caller's test); False, ``t`` partly written, for anything else and for
    operands of other lengths.  Compiled as one entry point
    (``_kernels.small_power_mixed_entry``)."""
    rows = x.shape[0]
    n = q.shape[0]
    dual = p.shape[0] != 0
    if out.shape[0] != rows or v.shape[0] != rows or t.shape[0] != rows or \
            t.shape[1] != n or dual and (p.shape[0] != rows or p.shape[1] != n or
                                         w.shape[0] != rows):
        return False
    return _power_exponent_rows(x, c, out, w, v, p, q, t)


@njit(**_JIT)
def _power_exponent_rows(x, c, out, w, v, p, q, t):
    """:func:`power_exponent_entry`'s loop, its lengths tested by the caller."""
    rows = x.shape[0]
    n = q.shape[0]
    dual = p.shape[0] != 0
    for i in range(rows):
        gi = regular_power_y(x[i], c, out[i], v[i])
        if gi - gi != 0.0:
            return False
        if dual:
            fi = regular_power_x(x[i], c, out[i], w[i])
            if fi - fi != 0.0:
                return False
            for k in range(n):
                t[i, k] = fi * p[i, k] + gi * q[k]
        else:
            for k in range(n):
                t[i, k] = gi * q[k]
    return True


@_lazy
def loop_power_exponent_entry(loops, x, c, out, s, p, q, t):
    """``u ** k`` (``t ** k``: ``p`` of no rows) for small 1-D values ``x`` and the float
    exponent ``c`` of a scalar dual (its partials the row ``q``) in one compiled call
    (small72): NumPy's own float64 loops (``_numpy_loops.exponent_loops``' table
    ``loops``) compute the value ``out = np.power(x, c)`` with ``c`` as NumPy's 0-d
    exponent (stride 0: ``lean_power_mixed``'s ``np.power(x, np.array(c))``), the row's
    regular parts ``w = x ** (c - 1.0)`` (``u ** k`` only; ``out`` for ``t ** k``, as
    there) and ``v = np.log(x)``, then :func:`power_exponent_entry`'s factors, tests and
    products: the same loops on the same operands, so the same bits.  ``w`` and ``v``
    lie in the scratch ``s`` of at least ``2 n + 4`` elements, ``v`` from a 16-byte
    boundary past ``w`` (as NumPy's fresh results lie), ``c`` and ``c - 1.0`` after it.
    True, ``out`` and ``t`` written; False (nothing usable: the caller's NumPy calls
    then run from the value on) where ``x`` is not contiguous and aligned, a length does
    not match, the value's loop set a floating-point flag that NumPy's call would report
    (``loops[0]``'s), or :func:`power_exponent_entry` declines.  The flags are cleared
    before the value's loop and after the parts' (whose reports the old way hushed)."""
    n = x.shape[0]
    m = q.shape[0]
    dual = p.shape[0] != 0
    if out.shape[0] != n or t.shape[0] != n or t.shape[1] != m or s.shape[0] < 2 * n + 4 \
            or n == 0 or m == 0 or dual and (p.shape[0] != n or p.shape[1] != m) or \
            x.strides[0] != 8 or x.ctypes.data % 8 != 0:
        return False
    start = n + (n & 1)
    w = s[:n]
    v = s[start:start + n]
    s[start + n] = c
    s[start + n + 1] = c - 1.0
    mask = np.int32(loops[0])
    if fe_test(mask) != 0:      # (as NumPy: a clear costs ~6 tests)
        fe_clear(mask)
    if numpy_loop2(loops[1], loops[2], loops[3], x.ctypes.data, s[start + n:].ctypes.data,
                   out.ctypes.data, n, 0) != 0 or fe_test(mask) != 0:
        fe_clear(mask)
        return False
    done = 0
    if dual:
        done = numpy_loop2(loops[1], loops[2], loops[3], x.ctypes.data,
                           s[start + n + 1:].ctypes.data, w.ctypes.data, n, 0)
    if done == 0:
        done = numpy_loop(loops[4], loops[5], loops[6], x.ctypes.data, v.ctypes.data, n)
    if fe_test(mask) != 0:      # (as NumPy: a clear costs ~6 tests)
        fe_clear(mask)
    if done != 0:
        return False
    return _power_exponent_rows(x, c, out, w if dual else out, v, p, q, t)


@_lazy
def power_base_entry(c, y, out, w, lc, q, p, t):
    """The partials of ``c ** y`` for the float base ``c`` and small 1-D values ``y`` of
    an array dual (partials ``p``): ``c`` a scalar dual's, its partials the row ``q``
    (``k ** u``), or a number's, ``q`` empty (``2.0 ** u``:
    ``dispatch._lean_small.lean_power_mixed``).  Given NumPy's parts ``w = c ** (y -
    1.0)`` (``k ** u`` only) and ``lc = np.log(c)``, the factors ``f[i]`` (``k ** u``
    only) and ``g[i]`` by the generated ``regular_power_x`` and ``regular_power_y``, as
    :func:`power_pair_entry`, then ``t[i, :] = f[i] * q[:] + g[i] * p[i, :]`` (the base's
    term first, as ``combine_small`` sums them; ``g[i] * p[i, :]`` alone for ``2.0 **
    u``, ``scale_finite``'s products), so the same bits.  True where every factor is
    finite (a zero ``c``: the caller's test); False, ``t`` partly written, for anything
    else and for operands of other lengths.  Compiled as one entry point
    (``_kernels.small_power_mixed_entry``)."""
    rows, n = p.shape
    dual = q.shape[0] != 0
    if y.shape[0] != rows or out.shape[0] != rows or t.shape[0] != rows or \
            t.shape[1] != n or dual and (q.shape[0] != n or w.shape[0] != rows):
        return False
    return _power_base_rows(c, y, out, w, lc, q, p, t)


@njit(**_JIT)
def _power_base_rows(c, y, out, w, lc, q, p, t):
    """:func:`power_base_entry`'s loop, its lengths tested by the caller."""
    rows, n = p.shape
    dual = q.shape[0] != 0
    for i in range(rows):
        gi = regular_power_y(c, y[i], out[i], lc)
        if gi - gi != 0.0:
            return False
        if dual:
            fi = regular_power_x(c, y[i], out[i], w[i])
            if fi - fi != 0.0:
                return False
            for k in range(n):
                t[i, k] = fi * q[k] + gi * p[i, k]
        else:
            for k in range(n):
                t[i, k] = gi * p[i, k]
    return True


@_lazy
def loop_power_base_entry(loops, c, lc, y, out, s, q, p, t):
    """``k ** u`` (``2.0 ** u``: ``q`` empty) for the float base ``c`` and small 1-D
    values ``y`` of an array dual (partials ``p``) in one compiled call (small72):
    NumPy's own float64 loop (``_numpy_loops.base_loops``' table ``loops``) computes the
    value ``out = np.power(c, y)`` with ``c`` as NumPy's 0-d base (stride 0:
    ``lean_power_mixed``'s ``np.power(np.array(c), y)``) and the row's regular part ``w
    = c ** (y - 1.0)`` (``k ** u`` only, ``y - 1.0`` one IEEE subtraction, NumPy's ``y -
    _ONE``; ``out`` for ``2.0 ** u``, as there), then :func:`power_base_entry`'s factors
    (``lc``: the caller's ``np.log(c)``), tests and products: the same loop on the same
    operands, so the same bits.  ``y - 1.0`` is written to the first ``n`` elements of
    ``t`` (the products overwrite it after ``w`` is made), ``w`` to the scratch ``s`` of
    at least ``2 n + 4`` elements, ``c`` from a 16-byte boundary past it.  True, ``out``
    and ``t`` written; False (nothing usable: the caller's NumPy calls then run from the
    value on) where ``y`` is not contiguous and aligned, a length does not match, the
    value's loop set a floating-point flag that NumPy's call would report
    (``loops[0]``'s), or :func:`power_base_entry` declines.  The flags are cleared
    before the value's loop and after the part's (whose reports the old way hushed)."""
    n = y.shape[0]
    rows, m = p.shape
    dual = q.shape[0] != 0
    if rows != n or out.shape[0] != n or t.shape[0] != n or t.shape[1] != m or \
            s.shape[0] < 2 * n + 4 or n == 0 or m == 0 or dual and q.shape[0] != m or \
            y.strides[0] != 8 or y.ctypes.data % 8 != 0:
        return False
    start = n + (n & 1)
    w = s[:n]
    s[start] = c
    mask = np.int32(loops[0])
    if fe_test(mask) != 0:      # (as NumPy: a clear costs ~6 tests)
        fe_clear(mask)
    if numpy_loop2_steps(loops[1], loops[2], loops[3], s[start:].ctypes.data, y.ctypes.data,
                         out.ctypes.data, n, 0, 8) != 0 or fe_test(mask) != 0:
        fe_clear(mask)
        return False
    if dual:
        for i in range(n):
            t[i // m, i % m] = y[i] - 1.0
        done = numpy_loop2_steps(loops[1], loops[2], loops[3], s[start:].ctypes.data,
                                 t.ctypes.data, w.ctypes.data, n, 0, 8)
        if fe_test(mask) != 0:      # (as NumPy: a clear costs ~6 tests)
            fe_clear(mask)
        if done != 0:
            return False
    return _power_base_rows(c, y, out, w if dual else out, lc, q, p, t)


@_lazy
@_layouts((0, 2), (1, 3))
def scale2_finite(f, p, g, q, out):
    """``out[i, :] = f[i] * p[i, :] + g[i] * q[i, :]`` (each product rounded, then the
    sum: NumPy's two products and addition) when every factor is finite; False where
    one is not, as :func:`scale_finite` (rows of 4 or 2 partials likewise)."""
    rows, n = p.shape
    if n == 4 and p.flags.c_contiguous and q.flags.c_contiguous and out.flags.c_contiguous:
        pf, qf, of = p.ravel(), q.ravel(), out.ravel()
        bad = False
        for i in range(rows):
            fi = f[i]
            gi = g[i]
            bad |= (fi - fi != 0.0) | (gi - gi != 0.0)
            for j in range(4 * i, 4 * i + 4):
                of[j] = fi * pf[j] + gi * qf[j]
        return not bad
    if n == 2 and p.flags.c_contiguous and q.flags.c_contiguous and out.flags.c_contiguous:
        pf, qf, of = p.ravel(), q.ravel(), out.ravel()
        bad = False
        for i in range(rows):
            fi = f[i]
            gi = g[i]
            bad |= (fi - fi != 0.0) | (gi - gi != 0.0)
            for j in range(2 * i, 2 * i + 2):
                of[j] = fi * pf[j] + gi * qf[j]
        return not bad
    bad = False
    for i in range(rows):
        fi = f[i]
        gi = g[i]
        bad |= (fi - fi != 0.0) | (gi - gi != 0.0)
        for k in range(n):
            out[i, k] = fi * p[i, k] + gi * q[i, k]
    return not bad


@_lazy
def scale_outer(c, p, g, q, out):
    """``out[i, :] = c * p[i, :] + g[i] * q[:]`` (a scalar dual's partials ``q``),
    NaN-safe as :func:`scale2`."""
    rows, n = p.shape
    finite = c - c == 0.0
    for i in range(rows):
        gi = g[i]
        if finite and gi - gi == 0.0:
            for k in range(n):
                out[i, k] = c * p[i, k] + gi * q[k]
        else:
            for k in range(n):
                a = p[i, k]
                b = q[k]
                out[i, k] = (0.0 if a == 0.0 else c * a) + (0.0 if b == 0.0 else gi * b)


@_lazy
def outer_entry(c, p, g, q, out):
    """:func:`scale_outer` for the lean path of a scalar dual with an array dual on small
    1-D values (``k * u``), compiled as one entry point (``_kernels.small_outer_entry``:
    ``p``, ``g``, ``q`` of any layout, ``out`` C-contiguous) and called without numba's
    dispatcher, whose type check of five arguments was a quarter of ``k * u`` at N = 10
    (small42): ``out[i, :] = c * p[i, :] + g[i] * q[:]``, True, when ``c`` and every
    ``g[i]`` are finite (the products and sums of :func:`scale_outer`'s finite branch,
    so the same bits); False where one is not (``out`` partly written: the caller's
    careful path runs) and for operands of other lengths (nothing written)."""
    rows, n = p.shape
    if g.shape[0] != rows or q.shape[0] != n or out.shape[0] != rows or out.shape[1] != n:
        return False
    if c - c != 0.0:
        return False
    for i in range(rows):
        gi = g[i]
        if gi - gi != 0.0:
            return False
        for k in range(n):
            out[i, k] = c * p[i, k] + gi * q[k]
    return True


# NumPy's pairwise summation of a contiguous 1-D float64 array (``DOUBLE_pairwise_sum``,
# numpy/_core/src/umath/loops_utils.h.src): fewer than 8 numbers are added one after
# the other to 0.0; up to ``_BLOCK`` numbers go to 8 accumulators, each taking every
# 8th number, folded as ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7)), the last
# ``m % 8`` numbers then added one by one; longer runs split in two, the first half
# ``m // 2`` rounded down to a multiple of 8, and the halves' sums added.  The
# reduction adds that sum to its identity 0.0.  ``pairwise_sum`` does the same for
# each column of a (rows, columns) block at once, reading each row once.
_BLOCK = 128
_WIDE = 512             # wider rows are summed in column tiles of this width


@njit(inline="always", **_JIT)
def _block_plain(flat, row0, m, stride, c0, width, acc, res):
    """``res[c]``, ``c < width``: the pairwise sum of column ``c0 + c`` over the rows
    ``row0 .. row0 + m - 1`` (``m <= _BLOCK``) of ``flat`` (rows of ``stride``
    numbers).  Indices are unsigned, or rows are slices: numba's test for negative
    indices would keep these loops from vectorizing (10x slower).  Four runs of 8
    rows are added per pass (each in its turn, so in NumPy's order): fewer loop
    starts per block, the cost that remains against a plain strided sum."""
    full = m - m % 8 if m >= 8 else 0
    if full and width == stride:             # 8 whole rows are one contiguous run
        run = 8 * width
        u = np.uint64
        nblk = full // 8
        i = row0
        if nblk >= 4:                        # the first 4 runs: r = x0; r += x1 ...
            b0, b1 = u(i * stride), u((i + 8) * stride)
            b2, b3 = u((i + 16) * stride), u((i + 24) * stride)
            for t in range(run):
                k = u(t)
                acc[k] = ((flat[b0 + k] + flat[b1 + k]) + flat[b2 + k]) + flat[b3 + k]
            i += 32
        else:
            b0 = u(i * stride)
            for t in range(run):
                acc[u(t)] = flat[b0 + u(t)]
            i += 8
        while i + 32 <= row0 + full:         # 4 runs a pass, each added in its turn
            b0, b1 = u(i * stride), u((i + 8) * stride)
            b2, b3 = u((i + 16) * stride), u((i + 24) * stride)
            for t in range(run):
                k = u(t)
                acc[k] = (((acc[k] + flat[b0 + k]) + flat[b1 + k]) + flat[b2 + k]) + \
                    flat[b3 + k]
            i += 32
        left = (row0 + full - i) // 8        # 0 to 3 runs
        if left == 3:
            b0, b1, b2 = u(i * stride), u((i + 8) * stride), u((i + 16) * stride)
            for t in range(run):
                k = u(t)
                acc[k] = ((acc[k] + flat[b0 + k]) + flat[b1 + k]) + flat[b2 + k]
        elif left == 2:
            b0, b1 = u(i * stride), u((i + 8) * stride)
            for t in range(run):
                k = u(t)
                acc[k] = (acc[k] + flat[b0 + k]) + flat[b1 + k]
        elif left == 1:
            b0 = u(i * stride)
            for t in range(run):
                k = u(t)
                acc[k] += flat[b0 + k]
    elif full:                               # a tile of columns of wide rows
        for j in range(8):
            row = flat[(row0 + j) * stride + c0:(row0 + j) * stride + c0 + width]
            dst = acc[j * width:(j + 1) * width]
            for c in range(width):
                dst[c] = row[c]
        for i in range(row0 + 8, row0 + full, 8):
            for j in range(8):
                row = flat[(i + j) * stride + c0:(i + j) * stride + c0 + width]
                dst = acc[j * width:(j + 1) * width]
                for c in range(width):
                    dst[c] += row[c]
    _fold(acc, width, full, res)
    for i in range(row0 + full, row0 + m):
        row = flat[i * stride + c0:i * stride + c0 + width]
        for c in range(width):
            res[c] += row[c]


@njit(inline="always", **_JIT)
def _fold(acc, width, full, res):
    """``res[c] = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))``, ``r_j`` the
    ``j``-th accumulator of column ``c`` (0.0 when ``full`` is 0: no accumulators)."""
    if not full:
        for c in range(width):
            res[c] = 0.0
        return
    u = np.uint64
    w = u(width)
    for c in range(width):
        k = u(c)
        res[c] = (((acc[k] + acc[w + k]) + (acc[2 * w + k] + acc[3 * w + k])) +
                  ((acc[4 * w + k] + acc[5 * w + k]) + (acc[6 * w + k] + acc[7 * w + k])))


@_lazy
def pairwise_sum(p, out, starts, sizes, merges):
    """``out[a, c] = np.add.reduce(p[a, :, c].copy())`` to the bit (``p`` C-contiguous,
    ``(before, length, after)``; ``out`` ``(before, after)``), every row read once,
    along the plan of ``length`` from ``_kernels.plan``: the sums of its blocks in
    order (``starts``, ``sizes``), then ``vals[i] += vals[j]`` for each of its
    ``merges``, children before parents; the whole is ``vals[0]``, added to 0.0."""
    before, length, after = p.shape
    width = after if after <= _WIDE else _WIDE
    acc = np.empty(8 * width)
    vals = np.empty((starts.shape[0], width))
    for a in range(before):
        flat = p[a].reshape(length * after)
        for c0 in range(0, after, width):
            cols = min(width, after - c0)
            for k in range(starts.shape[0]):
                _block_plain(flat, starts[k], sizes[k], after, c0, cols, acc, vals[k])
            for k in range(merges.shape[0]):
                left, right = merges[k, 0], merges[k, 1]
                for c in range(cols):
                    vals[left, c] += vals[right, c]
            for c in range(cols):
                out[a, c0 + c] = 0.0 + vals[0, c]


@_lazy
def pairwise_block(p, out):
    """:func:`pairwise_sum` for ``8 <= length <= 128`` (NumPy's pairwise sum is then
    one block: 8 accumulators over the runs of 8, folded as :func:`_fold` folds
    them, the rest added in order, the whole added to 0.0), every column of a row
    at once.  Many short sums (``x.reshape(-1, 10).T.sum(axis=0)``) spent most of
    their time in the general kernel's per-sum set-up (same bits)."""
    before, length, after = p.shape
    full = length - length % 8
    acc = np.empty((8, after))
    for a in range(before):
        for j in range(8):
            for c in range(after):
                acc[j, c] = p[a, j, c]
        for i in range(8, full, 8):
            for j in range(8):
                for c in range(after):
                    acc[j, c] += p[a, i + j, c]
        for c in range(after):
            res = ((acc[0, c] + acc[1, c]) + (acc[2, c] + acc[3, c])) + \
                ((acc[4, c] + acc[5, c]) + (acc[6, c] + acc[7, c]))
            for i in range(full, length):
                res += p[a, i, c]
            out[a, c] = 0.0 + res


@_lazy
@_layouts((0, 1),)
def sum_small(v, p, out):
    """``out[0]`` = NumPy's sum of the 1-D ``v``, ``out[1 + c]`` = of the column
    ``p[:, c]``, for ``8 <= len(v) <= 128`` (one block of NumPy's pairwise sum, as
    :func:`pairwise_block` sums it: 8 accumulators over the runs of 8, folded, the
    rest added in order, the whole added to 0.0; same bits): the small-array path of
    ``d.sum()``, value and partials in one call, any layout."""
    length, n = p.shape
    full = length - length % 8
    a0, a1, a2, a3, a4, a5, a6, a7 = v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]
    for i in range(8, full, 8):
        a0 += v[i]
        a1 += v[i + 1]
        a2 += v[i + 2]
        a3 += v[i + 3]
        a4 += v[i + 4]
        a5 += v[i + 5]
        a6 += v[i + 6]
        a7 += v[i + 7]
    res = ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7))
    for i in range(full, length):
        res += v[i]
    out[0] = 0.0 + res
    for c in range(n):
        a0, a1, a2, a3 = p[0, c], p[1, c], p[2, c], p[3, c]
        a4, a5, a6, a7 = p[4, c], p[5, c], p[6, c], p[7, c]
        for i in range(8, full, 8):
            a0 += p[i, c]
            a1 += p[i + 1, c]
            a2 += p[i + 2, c]
            a3 += p[i + 3, c]
            a4 += p[i + 4, c]
            a5 += p[i + 5, c]
            a6 += p[i + 6, c]
            a7 += p[i + 7, c]
        res = ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7))
        for i in range(full, length):
            res += p[i, c]
        out[c + 1] = 0.0 + res


@_lazy
def scale_flat(f, p, out):
    """One direction: ``out[i] = f[i] * p[i]``, 0 where ``p[i]`` is 0 and ``f[i]``
    is not finite (branch-free; a finite factor keeps the product's signed zero,
    as NumPy's and the rows kernels' do)."""
    for i in range(p.shape[0]):
        q = p[i]
        fi = f[i]
        t = fi * q
        out[i] = 0.0 if q == 0.0 and fi - fi != 0.0 else t


@_lazy
def scale2_flat(f, p, g, q, out):
    """One direction: ``out[i] = f[i] * p[i] + g[i] * q[i]``, NaN-safe as above."""
    for i in range(p.shape[0]):
        a = p[i]
        b = q[i]
        fi = f[i]
        gi = g[i]
        ta = fi * a
        tb = gi * b
        out[i] = (0.0 if a == 0.0 and fi - fi != 0.0 else ta) + \
            (0.0 if b == 0.0 and gi - gi != 0.0 else tb)


@_lazy
@_layouts((0,), (1, 2))
def where_rows(cond, p, q, out):
    """``out[i, :] = p[i, :] if cond[i] else q[i, :]``, bit for bit.

    A select on the bits (``p & m | q & ~m`` with ``m`` all ones or zeros per row),
    neither a branch (random conditions cost a misprediction per row) nor a
    floating-point select, which the compiler left scalar: 4x faster at N = 1e5,
    n = 4 (``np.clip`` of bench_functions).  Rows of 4 or 2 partials take a loop of
    that constant length, which the compiler vectorizes across rows (sel12).
    """
    rows, n = out.shape
    pb = p.view(np.uint64)
    qb = q.view(np.uint64)
    ob = out.view(np.uint64)
    c8 = cond.view(np.uint8)
    if n == 4:
        for i in range(rows):
            m = np.uint64(0) - np.uint64(c8[i])
            for k in range(4):
                ob[i, k] = (pb[i, k] & m) | (qb[i, k] & ~m)
        return
    if n == 2:
        for i in range(rows):
            m = np.uint64(0) - np.uint64(c8[i])
            for k in range(2):
                ob[i, k] = (pb[i, k] & m) | (qb[i, k] & ~m)
        return
    for i in range(rows):
        m = np.uint64(0) - np.uint64(c8[i])
        for k in range(n):
            ob[i, k] = (pb[i, k] & m) | (qb[i, k] & ~m)


@_lazy
def outer2(a, p, b, q, out):
    """``out[i, j, :] = p[i, :] * b[j] + a[i] * q[j, :]`` (the product rule of ``outer``;
    the values are finite, so no NaN-safety is needed)."""
    rows, n = p.shape
    cols = b.shape[0]
    for i in range(rows):
        ai = a[i]
        for j in range(cols):
            bj = b[j]
            for k in range(n):
                out[i, j, k] = p[i, k] * bj + ai * q[j, k]


@_lazy
def outer_left(p, b, out):
    """``out[i, j, :] = p[i, :] * b[j]``."""
    rows, n = p.shape
    cols = b.shape[0]
    for i in range(rows):
        for j in range(cols):
            bj = b[j]
            for k in range(n):
                out[i, j, k] = p[i, k] * bj


@_lazy
def outer_right(a, q, out):
    """``out[i, j, :] = a[i] * q[j, :]``."""
    rows = a.shape[0]
    cols, n = q.shape
    for i in range(rows):
        ai = a[i]
        for j in range(cols):
            for k in range(n):
                out[i, j, k] = ai * q[j, k]


@_lazy
def rank2_rows(u, a, v, b, out):
    """``out[i, :] = u[i] * a[:] + v[i] * b[:]`` (``linspace`` of scalar ends: ``u = 1 - t``,
    ``v = t``; finite weights, so no NaN-safety is needed)."""
    rows, n = out.shape
    for i in range(rows):
        ui = u[i]
        vi = v[i]
        for k in range(n):
            out[i, k] = ui * a[k] + vi * b[k]


@njit(**_JIT)
def _step(f, g, a, b):
    """``f * a + g * b``, a zero ``a`` or ``b`` staying 0 beside an inf/NaN factor."""
    if f - f == 0.0 and g - g == 0.0:
        return f * a + g * b
    return (0.0 if a == 0.0 else f * a) + (0.0 if b == 0.0 else g * b)


# ---- np.cumprod's partials: the step rule, and where a step would leave the float range,
# the same steps on (mantissa, exponent) pairs --------------------------------------------
# A factor or partial is read by its bits (an int64 view): ``u`` the unbiased exponent,
# ``|x|`` in [2**u, 2**(u + 1)).  A row is sent to the scaled steps where a bound on some
# product its steps form could leave [2**_LOW, 2**_HIGH] (normal numbers, a bit to spare):
# the bound only costs time where loose, the scaled steps give the fast ones' bits where
# those stay in range (below).
_LOW = -1021
_HIGH = 1022
_FAR = 1 << 40          # an exponent bound no row reaches ("none yet")
_MANTISSA = (1 << 52) - 1


@njit(**_JIT)
def _window(vb, parts):
    """``(low, high)``: where every row's partials may lie for each product the steps form
    to stay normal, from bounds over all the factors at once (``high = -1``: none found;
    :func:`_rows_in_range` reads each row).  Every product of at most ``L`` factors of
    exponent in ``[lo, hi]`` lies in ``[2**(L min(lo, 0)), 2**(L max(hi + 1, 0)))``; one
    pass over the bits, branch-free (0.5 <= |v| < 2 at L = 300: partials in [2**-721,
    2**711])."""
    flat = vb.ravel()
    lo = 4095
    hi = 0
    for q in range(flat.shape[0]):
        bits = flat[q]
        field = (bits >> 52) & 0x7FF
        hi = max(hi, field)
        lo = min(lo, field if bits & 0x7FFFFFFFFFFFFFFF != 0 else 4095)
    length = vb.shape[0]
    if hi == 0x7FF or lo == 0:              # an inf or NaN, a subnormal factor
        return 0.0, -1.0
    if lo == 4095:                          # every factor 0
        return 0.0, math.inf
    spread = 1 if parts == 1 else 2
    terms = 1
    while (1 << terms) <= length + 2:
        terms += 1
    low = length * min(lo - 1023, 0)
    high = length * max(hi - 1023 + spread, 0)
    if _LOW - low > _HIGH - high - spread - terms:
        return 0.0, -1.0
    return math.ldexp(1.0, max(_LOW - low, -1100)), \
        math.ldexp(1.0, min(_HIGH - high - spread - terms, 1023))


@njit(**_JIT)
def _rows_in_range(vb, parts, low_p, high_p):
    """Where row ``r``'s partials may lie for every product its steps form to stay
    normal: ``low_p[r] <= |part| <= high_p[r]`` for each nonzero part of a partial
    (``high_p[r] = -1``: no partial may, a factor is subnormal, inf or NaN).  ``vb``:
    the factors' int64 view, ``(L, R * parts)`` (``parts`` 2: real and imaginary parts
    side by side).

    The steps form ``c_{i-1}`` and the running partials ``sum_{j <= i} P_ij p_j`` with
    ``P_ij = prod_{k <= i, k != j} v_k``: each term of a product of factors lies in
    ``[2**A, 2**B)``, ``A`` the sum of the factors' least (nonzero part's) exponents,
    ``B`` of their greatest plus one (two for a complex factor: ``|z| < 2**(u + 1.5)``);
    a zero factor counts as 1 (a product holding it is an exact 0), a subnormal, inf or
    NaN one fails the row.  ``A_i - max_{j <= i} lo_j`` and ``B_i - min_{j <= i} hi_j``
    bound every ``P_ij``: a prefix sum and a running extreme each (``c_{i-1} = P_ii``);
    the partials and the ``i + 1`` terms of a sum add their exponents and ``log2(L)``
    (the fast steps read each partial against the window: no pass of their own).
    Cancellation below the range is no loss (a difference that is subnormal is exact).
    One pass along the rows (contiguous, all rows at once)."""
    length = vb.shape[0]
    rows = low_p.shape[0]
    spread = 1 if parts == 1 else 2
    a = np.zeros(rows, np.int64)
    b = np.zeros(rows, np.int64)
    maxlo = np.full(rows, -_FAR, np.int64)
    minhi = np.full(rows, _FAR, np.int64)
    low = np.full(rows, _FAR, np.int64)
    high = np.full(rows, -_FAR, np.int64)
    bad = np.zeros(rows, np.bool_)
    for i in range(length):
        for r in range(rows):
            lo = _FAR
            hi = -_FAR
            for q in range(parts):
                bits = vb[i, r * parts + q]
                field = (bits >> 52) & 0x7FF
                if field == 0x7FF or field == 0 and bits & _MANTISSA != 0:
                    bad[r] = True
                elif field != 0:
                    lo = min(lo, field - 1023)
                    hi = max(hi, field - 1023)
            if lo > hi:                 # a zero factor
                lo = 0
                hi = 0
            else:
                hi += spread
            a[r] += lo
            b[r] += hi
            maxlo[r] = max(maxlo[r], lo)
            minhi[r] = min(minhi[r], hi)
            low[r] = min(low[r], a[r] - maxlo[r])
            high[r] = max(high[r], b[r] - minhi[r])
    terms = 1
    while (1 << terms) <= length + 2:
        terms += 1
    for r in range(rows):
        low_p[r] = math.ldexp(1.0, min(max(_LOW - low[r], -1100), 1100))
        high_p[r] = -1.0 if bad[r] else \
            math.ldexp(1.0, min(max(_HIGH - high[r] - spread - terms, -1100), 1023))


@njit(inline="always", **_JIT)
def _split(x):
    """``x = m * 2**e`` with ``|m|`` in [0.5, 1); 0, inf and NaN as ``(x, 0)``."""
    if x != 0.0 and x - x == 0.0:
        return math.frexp(x)
    return x, 0


@njit(inline="always", **_JIT)
def _scaled_add(am, ae, bm, be):
    """``am 2**ae + bm 2**be`` as a pair from :func:`_split`: one rounding, the sum's
    (the smaller term scaled to the larger's exponent exactly, unless it lies more than
    1022 binades below it: then it is below half the larger's last bit)."""
    if am == 0.0 or bm == 0.0 or am - am != 0.0 or bm - bm != 0.0:
        if bm == 0.0 and am != 0.0 and am - am == 0.0:
            m, k = math.frexp(am)
            return m, ae + k
        if am == 0.0 and bm != 0.0 and bm - bm == 0.0:
            m, k = math.frexp(bm)
            return m, be + k
        return am + bm, 0                 # both 0 (the sum's sign), or an inf or NaN
    e = max(ae, be)
    s = math.ldexp(am, max(ae - e, -2200)) + math.ldexp(bm, max(be - e, -2200))
    if s == 0.0:
        return s, 0
    m, k = math.frexp(s)
    return m, e + k


@njit(**_JIT)
def _scaled_sum(am, ae, bm, be):
    """:func:`_scaled_add` as a call, for the complex steps: their six sums inlined
    cost numba ~2 s more to compile on a cold cache (issue 13|14, stop 71, fastci71);
    the real steps' one sum stays inlined."""
    return _scaled_add(am, ae, bm, be)


@njit(inline="always", **_JIT)
def _unscaled(m, e):
    """``m * 2**e``, rounded once (to a subnormal, 0 or inf where the number is)."""
    return math.ldexp(m, min(max(e, -2200), 2200))


@njit(**_JIT)
def _scaled_row(v, p, out, r):
    """Row ``r`` of :func:`running_product` with every factor, running product and
    running partial held as ``m * 2**e``: the same products and sums as the fast steps, each rounded once, so their
    bits wherever those stay in range, and the exact number to rounding where they
    leave it (``cumprod([0, 1e200, 1e200, 1e-150])``'s ``[3, 0]``: 1e250, not inf).  The
    step's NaN safety is the fast one's, on these finite pairs: an inf or NaN only
    where one came in (a true ``0 * inf`` stays NaN)."""
    length, rows, n = p.shape
    fm = np.empty(length)
    fe = np.empty(length, np.int64)
    gm = np.empty(length)
    ge = np.empty(length, np.int64)
    for i in range(length):
        fm[i], fe[i] = _split(v[i, r])
    gm[0], ge[0] = fm[0], fe[0]
    for i in range(1, length):
        gm[i], k = _split(gm[i - 1] * fm[i])
        ge[i] = ge[i - 1] + fe[i] + k
    for k in range(n):
        t = p[0, r, k]
        out[0, r, k] = t
        tm, te = _split(t)
        for i in range(1, length):
            bm, be = _split(p[i, r, k])
            f = fm[i]
            g = gm[i - 1]
            if f - f == 0.0 and g - g == 0.0:
                x = f * tm
                y = g * bm
            else:
                x = 0.0 if tm == 0.0 else f * tm
                y = 0.0 if bm == 0.0 else g * bm
            tm, te = _scaled_add(x, fe[i] + te, y, ge[i - 1] + be)
            out[i, r, k] = _unscaled(tm, te)


@njit(**_JIT)
def _scaled_product(am, ae, bm, be, cm, ce, dm, de):
    """``(a + ib)(c + id)`` of scaled parts, as numba's complex product forms it
    (``ac - bd``, ``ad + bc``): each part's product and sum rounded once."""
    rm, re = _scaled_sum(am * cm, ae + ce, -(bm * dm), be + de)
    im, ie = _scaled_sum(am * dm, ae + de, bm * cm, be + ce)
    return rm, re, im, ie


@njit(**_JIT)
def _scaled_row_complex(v, p, out, r):
    """:func:`_scaled_row` for complex128, each part held as its own scaled pair (a part
    far below the other keeps its digits, as the fast steps' do)."""
    length, rows, n = p.shape
    fm = np.empty((length, 2))
    fe = np.empty((length, 2), np.int64)
    gm = np.empty((length, 2))
    ge = np.empty((length, 2), np.int64)
    for i in range(length):
        fm[i, 0], fe[i, 0] = _split(v[i, r].real)
        fm[i, 1], fe[i, 1] = _split(v[i, r].imag)
    gm[0, 0], ge[0, 0], gm[0, 1], ge[0, 1] = fm[0, 0], fe[0, 0], fm[0, 1], fe[0, 1]
    for i in range(1, length):
        gm[i, 0], ge[i, 0], gm[i, 1], ge[i, 1] = _scaled_product(
            gm[i - 1, 0], ge[i - 1, 0], gm[i - 1, 1], ge[i - 1, 1],
            fm[i, 0], fe[i, 0], fm[i, 1], fe[i, 1])
    for k in range(n):
        t = p[0, r, k]
        out[0, r, k] = t
        am, ae = _split(t.real)
        bm, be = _split(t.imag)
        for i in range(1, length):
            pr, pre = _split(p[i, r, k].real)
            pi, pie = _split(p[i, r, k].imag)
            finite = fm[i, 0] - fm[i, 0] == 0.0 and fm[i, 1] - fm[i, 1] == 0.0 and \
                gm[i - 1, 0] - gm[i - 1, 0] == 0.0 and gm[i - 1, 1] - gm[i - 1, 1] == 0.0
            if finite or am != 0.0 or bm != 0.0:
                xr, xre, xi, xie = _scaled_product(fm[i, 0], fe[i, 0], fm[i, 1], fe[i, 1],
                                                   am, ae, bm, be)
            else:
                xr, xre, xi, xie = 0.0, 0, 0.0, 0
            if finite or pr != 0.0 or pi != 0.0:
                yr, yre, yi, yie = _scaled_product(gm[i - 1, 0], ge[i - 1, 0], gm[i - 1, 1],
                                                   ge[i - 1, 1], pr, pre, pi, pie)
            else:
                yr, yre, yi, yie = 0.0, 0, 0.0, 0
            am, ae = _scaled_sum(xr, xre, yr, yre)
            bm, be = _scaled_sum(xi, xie, yi, yie)
            out[i, r, k] = complex(_unscaled(am, ae), _unscaled(bm, be))


@njit(inline="always", **_JIT)
def _inside(b, low, high):
    """Is each part of the partial ``b`` 0 or in ``[low, high]`` (NaN: no)?"""
    x = abs(b.real)
    y = abs(b.imag)
    return (x <= high) & ((x >= low) | (x == 0.0)) & (y <= high) & ((y >= low) | (y == 0.0))


@njit(inline="always", **_JIT)
def _fast_row(v, c, p, out, r, low, high):
    """Row ``r`` of :func:`running_product` by the plain steps; whether every partial
    read lay in ``[low, high]`` (or was 0): if not, the row's steps may have left the
    float range."""
    length, rows, n = p.shape
    inside = True
    k = 0
    while k + 4 <= n:
        t0 = p[0, r, k]
        t1 = p[0, r, k + 1]
        t2 = p[0, r, k + 2]
        t3 = p[0, r, k + 3]
        inside &= _inside(t0, low, high) & _inside(t1, low, high) & \
            _inside(t2, low, high) & _inside(t3, low, high)
        out[0, r, k] = t0
        out[0, r, k + 1] = t1
        out[0, r, k + 2] = t2
        out[0, r, k + 3] = t3
        for i in range(1, length):
            f = v[i, r]
            g = c[i - 1, r]
            b0 = p[i, r, k]
            b1 = p[i, r, k + 1]
            b2 = p[i, r, k + 2]
            b3 = p[i, r, k + 3]
            inside &= _inside(b0, low, high) & _inside(b1, low, high) & \
                _inside(b2, low, high) & _inside(b3, low, high)
            t0 = _step(f, g, t0, b0)
            t1 = _step(f, g, t1, b1)
            t2 = _step(f, g, t2, b2)
            t3 = _step(f, g, t3, b3)
            out[i, r, k] = t0
            out[i, r, k + 1] = t1
            out[i, r, k + 2] = t2
            out[i, r, k + 3] = t3
        k += 4
    while k < n:
        t = p[0, r, k]
        inside &= _inside(t, low, high)
        out[0, r, k] = t
        for i in range(1, length):
            b = p[i, r, k]
            inside &= _inside(b, low, high)
            t = _step(v[i, r], c[i - 1, r], t, b)
            out[i, r, k] = t
        k += 1
    return inside


@_lazy
@_vector(types.float64[:, ::1], types.float64[:, ::1], types.float64[:, :, ::1],
         types.float64[:, :, ::1], types.int64[:, ::1])
def running_product(v, c, p, out, vb):
    """The partials of ``np.cumprod`` of real values along the first axis, step by step
    as NumPy's own left-to-right loop: ``out[0] = p[0]``, ``out[i] = v[i] * out[i - 1] +
    c[i - 1] * p[i]`` (``v``, ``c``: values and running products, shape ``(L, R)``;
    ``p``, ``out``: ``(L, R, n)``; ``vb``: the int64 view of ``v``).  The product rule
    of one dual multiplication per step, with its rounding, and NaN-safe as
    :func:`scale2` (a zero partial times an infinite or NaN factor stays 0).

    A row whose steps could leave the float range (a running partial 1e400 before a
    factor 1e-150, 1e-500 before 1e200, 0 times 1e400: :func:`_rows_in_range` bounds
    them from the factors' exponents in one pass, the steps read each partial against
    the row's window) takes :func:`_scaled_row`, the same steps on (mantissa, exponent)
    pairs: exact to rounding (attackb68 F1, prod68's Left (1)), the plain steps' bits
    where those stay in range.

    Each running partial is a chain of dependent steps: four chains advance together
    in registers (5x faster at n = 4 than a loop over directions inside the steps,
    which stores and reloads every value)."""
    length, rows, n = p.shape
    if length == 0:
        return
    low, high = _window(vb, 1)
    if high >= 0.0:
        for r in range(rows):
            if not _fast_row(v, c, p, out, r, low, high):
                _scaled_row(v, p, out, r)
        return
    lows = np.empty(rows)
    highs = np.empty(rows)
    _rows_in_range(vb, 1, lows, highs)
    for r in range(rows):
        if highs[r] < 0.0 or not _fast_row(v, c, p, out, r, lows[r], highs[r]):
            _scaled_row(v, p, out, r)


@_lazy
def running_product_complex(v, c, p, out, vb):
    """:func:`running_product` for complex128 (``vb``: the int64 view of ``v``'s real and
    imaginary parts, ``(L, 2 R)``): the plain steps where :func:`_rows_in_range` bounds
    every part's products, else :func:`_scaled_row_complex`."""
    length, rows, n = p.shape
    if length == 0:
        return
    low, high = _window(vb, 2)
    if high >= 0.0:
        for r in range(rows):
            if not _fast_row(v, c, p, out, r, low, high):
                _scaled_row_complex(v, p, out, r)
        return
    lows = np.empty(rows)
    highs = np.empty(rows)
    _rows_in_range(vb, 2, lows, highs)
    for r in range(rows):
        if highs[r] < 0.0 or not _fast_row(v, c, p, out, r, lows[r], highs[r]):
            _scaled_row_complex(v, p, out, r)


@njit(inline="always", **_JIT)
def _convolve_edge(fp, w, fo, n, lo, hi):
    """``fo[m] = sum_j w[j] fp[m - n j]`` for ``lo <= m < hi``, over the taps whose
    row lies in ``fp``, added in tap order onto 0.0 (the outputs near the ends)."""
    size = fp.shape[0]
    for m in range(lo, hi):
        acc = 0.0
        for j in range(w.shape[0]):
            s = m - j * n
            if 0 <= s < size:
                acc += w[j] * fp[s]
        fo[m] = acc


@_lazy
def convolve_rows(p, w, out):
    """The full convolution of every column of ``p`` (``L x n``, C-contiguous) with the
    taps ``w``: ``out[i, :] = sum_j w[j] * p[i - j, :]`` over ``0 <= i - j < L``, the
    terms added in tap order onto 0.0 (``((0.0 + w[0] p[i]) + w[1] p[i-1]) + ...``:
    the order NumPy's shifted sums of :func:`dualgrad.backend.convolve` add them).

    On the flat arrays row ``i - j`` is the run ``n * j`` elements back.  Where every
    tap's row is in range (all but ``len(w) - 1`` rows at each end), one to four taps
    are spelled out: each output is written once from the shifted runs, one
    vectorized loop (``bench_floors.py --fastest --only np.convolve``: dual / floor
    1.4 against 2.2 for a pass per tap over blocks of 512 outputs, which more taps
    still take).  The runs are sliced first so that the loops index from 0 (numba
    then drops its negative-index check and the loop vectorizes)."""
    length, n = p.shape
    taps = w.shape[0]
    fp = p.reshape(length * n)
    fo = out.reshape((length + taps - 1) * n)
    total = fo.shape[0]
    size = length * n
    span = (taps - 1) * n
    if span >= size:                                   # no row sees every tap
        _convolve_edge(fp, w, fo, n, 0, total)
        return
    _convolve_edge(fp, w, fo, n, 0, span)
    _convolve_edge(fp, w, fo, n, size, total)
    count = size - span
    o = fo[span:size]
    a = fp[span:size]
    w0 = w[0]
    if taps == 1:
        for q in range(count):
            o[q] = 0.0 + w0 * a[q]
        return
    b = fp[span - n:size - n]
    w1 = w[1]
    if taps == 2:
        for q in range(count):
            o[q] = (0.0 + w0 * a[q]) + w1 * b[q]
        return
    c = fp[span - 2 * n:size - 2 * n]
    w2 = w[2]
    if taps == 3:
        for q in range(count):
            o[q] = ((0.0 + w0 * a[q]) + w1 * b[q]) + w2 * c[q]
        return
    d = fp[span - 3 * n:size - 3 * n]
    w3 = w[3]
    if taps == 4:
        for q in range(count):
            o[q] = (((0.0 + w0 * a[q]) + w1 * b[q]) + w2 * c[q]) + w3 * d[q]
        return
    for start in range(0, count, 512):                 # five taps or more: blocks
        stop = min(start + 512, count)
        block = o[start:stop]
        src = a[start:stop]
        for q in range(stop - start):
            block[q] = 0.0 + w0 * src[q]
        for j in range(1, taps):
            wj = w[j]
            src = fp[span - j * n + start:span - j * n + stop]
            for q in range(stop - start):
                block[q] += wj * src[q]


@_lazy
def gradient_rows(p, out, post, d, h, first, last):
    """``np.gradient`` along the middle axis of float64 partials, every direction at
    once, in one pass: ``p`` and ``out`` C-contiguous ``(pre, L * post)`` (``L >= 2``
    rows of ``post`` numbers each).  Inside ``(p[i + 1] - p[i - 1]) / d`` (``d = 2. *
    h``): NumPy's subtraction and then its division by ``2. * dx``, element by
    element, so the same bits.  At the ends, with ``first`` empty, ``(p[1] - p[0]) / h``
    and ``(p[L - 1] - p[L - 2]) / h`` (``edge_order=1``), else ``first[0] p[0] +
    first[1] p[1] + first[2] p[2]`` and ``last[0] p[L - 3] + last[1] p[L - 2] + last[2]
    p[L - 1]`` summed left to right (``edge_order=2``, with the weights NumPy
    computes from ``h``).  NumPy's operations wrote the interior into the result
    and then read and wrote it again for the division (heat72).  Returns whether every
    result is finite (``r - r == 0``, tested in the same loops: NumPy's lines, which
    report, run where one is not, fperr73)."""
    pre, size = p.shape
    inner = size - 2 * post
    bad = False
    for a in range(pre):
        row = p[a]
        o = out[a][post:size - post]
        x = row[2 * post:]
        y = row[:inner]
        for q in range(inner):
            r = (x[q] - y[q]) / d
            o[q] = r
            bad |= r - r != 0.0
        o = out[a]
        if first.shape[0] == 0:
            for k in range(post):
                o[k] = (row[post + k] - row[k]) / h
                o[size - post + k] = (row[size - post + k] - row[size - 2 * post + k]) / h
        else:
            f0, f1, f2 = first[0], first[1], first[2]
            l0, l1, l2 = last[0], last[1], last[2]
            for k in range(post):
                o[k] = f0 * row[k] + f1 * row[post + k] + f2 * row[2 * post + k]
                o[size - post + k] = l0 * row[size - 3 * post + k] + \
                    l1 * row[size - 2 * post + k] + l2 * row[size - post + k]
        for k in range(post):
            bad |= o[k] - o[k] != 0.0
            bad |= o[size - post + k] - o[size - post + k] != 0.0
    return not bad


@_lazy
def gradient_twice_rows(p, out, post, d1, r1, h1, first1, last1, d2, r2, h2, first2, last2,
                        mask):
    """``np.gradient(np.gradient(p))`` along the middle axis of float64 partials, every
    direction at once, in one pass that writes no inner gradient: ``p`` and ``out``
    C-contiguous ``(pre, L * post)`` (``L >= 4`` rows of ``post`` numbers each).  Each
    call's ``(d, r, h, first, last)`` as :func:`gradient_rows`'s (``d = 2. * h``); ``r``
    is ``1 / d`` where ``d`` is a power of two whose reciprocal is one too (then ``x /
    d`` and ``x * r`` round the same real number: the same bits and flags), else 0.0
    (the division).  With two such products each inner element of the interior is
    computed where each outer one reads it (``((p[i + 2] - p[i]) * r1 - (p[i] - p[i -
    2]) * r1) * r2``: 91 us against 136 us for the blocks below at 100,000 x 4, process
    time, heat73); else the inner gradient's rows are computed block by block into a
    scratch array (each once, NumPy's operations), the outer one's from them (the
    divisions bound it).  The four end rows of the outer call come from the inner one's
    six end rows.  The
    floating-point exception flags ``mask`` are cleared first and returned (nonzero:
    something NumPy's two calls might report; the caller discards ``out`` and takes
    them)."""
    pre, size = p.shape
    L = size // post
    fe_clear(mask)
    B = 2048
    g = np.empty(B + 2 * post)
    ends = np.empty((6, post))
    last_rows = (0, 1, 2, L - 3, L - 2, L - 1)
    for a in range(pre):
        row = p[a]
        o = out[a]
        # the inner gradient's end rows (0, 1, 2 and L - 3, L - 2, L - 1), NumPy's lines
        for e in range(6):
            j = last_rows[e]
            base = j * post
            for k in range(post):
                if j == 0:
                    if first1.shape[0] == 0:
                        v = (row[post + k] - row[k]) / h1
                    else:
                        v = first1[0] * row[k] + first1[1] * row[post + k] + \
                            first1[2] * row[2 * post + k]
                elif j == L - 1:
                    if last1.shape[0] == 0:
                        v = (row[base + k] - row[base - post + k]) / h1
                    else:
                        v = last1[0] * row[base - 2 * post + k] + \
                            last1[1] * row[base - post + k] + last1[2] * row[base + k]
                else:
                    v = (row[base + post + k] - row[base - post + k]) / d1
                ends[e, k] = v
        # the outer gradient's end rows 0, 1, L - 2, L - 1 from those
        for k in range(post):
            if first2.shape[0] == 0:
                o[k] = (ends[1, k] - ends[0, k]) / h2
            else:
                o[k] = first2[0] * ends[0, k] + first2[1] * ends[1, k] + \
                    first2[2] * ends[2, k]
            o[post + k] = (ends[2, k] - ends[0, k]) / d2
            o[(L - 2) * post + k] = (ends[5, k] - ends[3, k]) / d2
            if last2.shape[0] == 0:
                o[(L - 1) * post + k] = (ends[5, k] - ends[4, k]) / h2
            else:
                o[(L - 1) * post + k] = last2[0] * ends[3, k] + last2[1] * ends[4, k] + \
                    last2[2] * ends[5, k]
        # the interior rows 2 .. L - 3
        start, stop = 2 * post, (L - 2) * post
        if r1 != 0.0 and r2 != 0.0:         # products: each inner element computed twice
            x = row[start + 2 * post:]      # costs less than a scratch array's round trip
            y = row[start:]
            z = row[start - 2 * post:]
            w = o[start:stop]
            for q in range(stop - start):
                w[q] = ((x[q] - y[q]) * r1 - (y[q] - z[q]) * r1) * r2
            continue
        # a block of flat positions at a time: the inner gradient at [s - post, t +
        # post) (its interior rows 1 .. L - 2) into the scratch array, then the outer
        for s in range(start, stop, B):
            t = min(s + B, stop)
            m = t - s + 2 * post
            x = row[s:s + m]                    # p[q + post] for g[q - (s - post)]
            y = row[s - 2 * post:s - 2 * post + m]
            if r1 != 0.0:
                for q in range(m):
                    g[q] = (x[q] - y[q]) * r1
            else:
                for q in range(m):
                    g[q] = (x[q] - y[q]) / d1
            w = o[s:t]
            gx = g[2 * post:2 * post + t - s]
            gy = g[:t - s]
            if r2 != 0.0:
                for q in range(t - s):
                    w[q] = (gx[q] - gy[q]) * r2
            else:
                for q in range(t - s):
                    w[q] = (gx[q] - gy[q]) / d2
    got = fe_test(mask)
    fe_clear(mask)
    return got


@_lazy
@_layouts((0,), (1,))
def zero_rows(cond, p, out, when):
    """``out[i, :] = 0 if cond[i] == when else p[i, :]``, bit for bit (``np.where`` with
    a zero branch: ``np.clip`` between constants).  A mask on the bits as in
    :func:`where_rows`, reading one partials array instead of a stride-0 zero
    array (which compiled to a loop twice as slow)."""
    rows, n = out.shape
    pb = p.view(np.uint64)
    ob = out.view(np.uint64)
    c8 = cond.view(np.uint8)
    flip = np.uint8(when ^ 1)
    if n == 4:                  # a constant length: vectorized across rows (where_rows)
        for i in range(rows):
            m = np.uint64(c8[i] ^ flip) - np.uint64(1)
            for k in range(4):
                ob[i, k] = pb[i, k] & m
        return
    if n == 2:
        for i in range(rows):
            m = np.uint64(c8[i] ^ flip) - np.uint64(1)
            for k in range(2):
                ob[i, k] = pb[i, k] & m
        return
    for i in range(rows):
        m = np.uint64(c8[i] ^ flip) - np.uint64(1)      # all ones where p is kept
        for k in range(n):
            ob[i, k] = pb[i, k] & m


@_lazy
def clip_rows(v, lo, hi, flat, p, out):
    """The partials of ``np.clip(v, lo, hi)`` between two numbers where no element ties
    with a bound: ``out[i, :] = 0`` where ``v[i] < lo``, ``v[i] > hi`` or (``flat``:
    the bounds are equal) ``v[i]`` is a number, else ``p[i, :]``, bit for bit.  The
    test is made here from ``v`` into a byte per element, then the rows are masked on
    their bits as in :func:`zero_rows` (the test inside the rows' loop kept LLVM from
    vectorizing it: 3-4x slower): one call instead of NumPy's comparisons, their
    ``or``, the ties' tests and a mask read back.  A bound that is not there is NaN
    (no element is beyond it or at it).  Returns how many kept elements equal a
    bound: the caller's tie path replaces ``out`` where there are any."""
    rows, n = out.shape
    pb = p.view(np.uint64)
    ob = out.view(np.uint64)
    beyond = np.empty(rows, np.uint8)
    ties = 0
    for i in range(rows):
        x = v[i]
        o = (x < lo) | (x > hi) | (flat & (x == x))
        beyond[i] = o
        ties += ((x == lo) | (x == hi)) & (not o)
    if ties:
        return ties
    if n == 4:                  # a constant length: vectorized across rows (zero_rows)
        for i in range(rows):
            m = np.uint64(beyond[i]) - np.uint64(1)
            for k in range(4):
                ob[i, k] = pb[i, k] & m
        return 0
    for i in range(rows):
        m = np.uint64(beyond[i]) - np.uint64(1)
        for k in range(n):
            ob[i, k] = pb[i, k] & m
    return 0


@_lazy
def bincount_rows(x, p, out):
    """``out[x[i], :] += p[i, :]`` for ``i`` in order into ``out`` zeroed first: each
    direction's ``np.bincount(x, p[:, k])`` (NumPy adds the weights in that order
    from zeros, so the same bits), all directions in one pass over the rows instead
    of a strided column copy and a pass per direction.  ``x``: indices NumPy's own
    call on the values has checked (``0 <= x[i] < out.shape[0]``)."""
    rows, n = p.shape
    out[:] = 0.0
    for i in range(rows):
        j = x[i]
        for k in range(n):
            out[j, k] += p[i, k]


_NEGATIVE_ZERO = np.int64(-9223372036854775807 - 1)      # -0.0's bits as an int64


@njit(**_JIT)
def _slot(table, key, mask):
    """:func:`match_rows`'s ``(pattern, its slot)`` in ``table`` for the bits ``key``
    (-0.0 read as 0.0): a multiplicative hash (int64 arithmetic wraps), then linear
    probing to the pattern's slot or a free one."""
    if key == _NEGATIVE_ZERO:
        key = 0
    h = ((key ^ (key >> 29)) * -7046029254386353131 >> 17) & mask
    while table[h, 1] != -2 and table[h, 0] != key:
        h = (h + 1) & mask
    return key, h


@_lazy
def match_rows(got, out, m):
    """Per row ``r``, ``m[r, i]`` = the place ``j`` of ``got[r]`` whose bits are
    ``out[r, i]``'s (int64 views of float64 rows), equal patterns matched in order of
    place: a table of the row's patterns (:func:`_slot`; a slot's pattern beside its
    first place, the places of a pattern chained in order), then one pass over
    ``out`` taking each pattern's next place.  -0.0 is 0.0's pattern (NumPy's
    partition may return 0.0 for a -0.0).  O(row length), where matching by sorting
    both rows is a sort each.  Returns the first row whose multisets of patterns
    differ (``-1``: none)."""
    rows, size = got.shape
    cap = 16
    while cap < 2 * size:
        cap *= 2
    mask = cap - 1
    table = np.empty((cap, 2), np.int64)     # pattern, its first unused place (-2: free)
    nxt = np.empty(size, np.int64)
    for r in range(rows):
        table[:, 1] = -2
        for j in range(size - 1, -1, -1):      # backwards: each chain in order of place
            key, h = _slot(table, got[r, j], mask)
            if table[h, 1] == -2:
                table[h, 0] = key
                nxt[j] = -1
            else:
                nxt[j] = table[h, 1]
            table[h, 1] = j
        for i in range(size):
            h = _slot(table, out[r, i], mask)[1]
            j = table[h, 1]
            if j < 0:                 # -2: no such pattern; -1: its places are used up
                return r
            m[r, i] = j
            table[h, 1] = nxt[j]
    return -1


@_lazy
def cross_rows(a, p, b, q, out, left, right):
    """The partials of ``np.cross`` of 3-vectors ``a`` and ``b`` (rows of shape
    ``(rows, 3)``; partials ``p``, ``q`` of shape ``(rows, 3, n)``):
    ``out[i, c, :] = (p[i, c1] b[i, c2] - p[i, c2] b[i, c1])
    + (a[i, c1] q[i, c2] - a[i, c2] q[i, c1])`` with ``(c1, c2)`` the cyclic successors
    of ``c``, each product and difference rounded as ``np.cross`` rounds them for one
    direction.  ``left`` / ``right``: whether ``a`` / ``b`` carries partials (the other
    array is then not read).  The values are finite (the caller's NaN-safe path runs
    otherwise)."""
    rows, _, n = out.shape
    for i in range(rows):
        for c in range(3):
            c1 = (c + 1) % 3
            c2 = (c + 2) % 3
            b1 = b[i, c1]
            b2 = b[i, c2]
            a1 = a[i, c1]
            a2 = a[i, c2]
            if left and right:
                for k in range(n):
                    out[i, c, k] = (p[i, c1, k] * b2 - p[i, c2, k] * b1) + \
                        (a1 * q[i, c2, k] - a2 * q[i, c1, k])
            elif left:
                for k in range(n):
                    out[i, c, k] = p[i, c1, k] * b2 - p[i, c2, k] * b1
            else:
                for k in range(n):
                    out[i, c, k] = a1 * q[i, c2, k] - a2 * q[i, c1, k]


@njit(inline="always", **_JIT)
def _four(p, w, q, u, two):
    """``sum_j p[j, :] * w[j]`` (plus ``q[j, :] * u[j]`` when ``two``) of rows of four
    partials, as four numbers: each direction's sum in a register, both operands'
    rows read in one pass."""
    s0 = s1 = s2 = s3 = 0.0
    for j in range(w.shape[0]):
        x = w[j]
        if two:
            y = u[j]
            s0 += p[j, 0] * x + q[j, 0] * y
            s1 += p[j, 1] * x + q[j, 1] * y
            s2 += p[j, 2] * x + q[j, 2] * y
            s3 += p[j, 3] * x + q[j, 3] * y
        else:
            s0 += p[j, 0] * x
            s1 += p[j, 1] * x
            s2 += p[j, 2] * x
            s3 += p[j, 3] * x
    return s0, s1, s2, s3


@_lazy
@_vector(types.float64[:, ::1], types.float64[:, :, ::1], types.float64[::1],
         types.float64[:, ::1], types.float64[:, ::1], types.boolean, types.boolean)
def matvec4(a, p, v, q, out, left, right):
    """The partials of ``a @ v`` (``a``: ``(rows, K)``, ``v``: ``(K,)``) in four
    directions: ``out[i, :] = sum_j p[i, j, :] v[j] + a[i, j] q[j, :]``, ``p`` and ``q``
    the partials (``(rows, K, 4)``, ``(K, 4)``), ``left`` / ``right`` whether ``a`` /
    ``v`` carries them (the other is then not read).  The loop over the directions
    has a fixed trip count, so each direction's sum stays in a register and every
    partials row is read once; with a trip count known only at run time the sums
    went through memory at half the speed of BLAS's (MISSES, stop 31).  The values
    are finite (the caller's NaN-safe path runs otherwise)."""
    for i in range(a.shape[0]):
        if left and right:
            s = _four(p[i], v, q, a[i], True)
        elif left:
            s = _four(p[i], v, p[i], v, False)
        else:
            s = _four(q, a[i], q, a[i], False)
        out[i, 0], out[i, 1], out[i, 2], out[i, 3] = s


@_lazy
@_vector(types.int32[::1], types.int32[::1], types.float64[::1], types.float64[::1],
         types.float64[::1], types.float64[::1], types.float64[::1], types.int64)
def csr_dual(indptr, indices, data, x, flat, value, res, n):
    """``value = S @ x`` and ``out = S @ p`` for a CSR matrix ``S`` (``indptr``,
    ``indices``, ``data``; ``(m, N)``), ``x`` ``(N,)`` and its partials ``p`` ``(N, n)``,
    in one pass over ``S``: each sum starts at 0.0 and adds ``data[j] * x[col]`` in
    the stored order, as SciPy's ``csr_matvec`` / ``csr_matvecs`` add them (the same
    bits; no fused multiply-add).  The directions go four at a time, each in a
    register (the SLP vectorizer makes the four one operation), the value with the
    first four.  ``False`` (``value`` and ``out`` partly written) at a stored entry
    that is not finite: its product with a zero partial must be 0, which the
    caller's path makes."""
    m = value.shape[0]
    full = n - n % 4
    u = np.uint64
    if n == 4:                  # the rows' stride a constant: shifts, not multiplies
        for i in range(m):      # (0.65-0.75x the loop below on the heat matrix, n = 4)
            lo = u(indptr[i])
            hi = u(indptr[i + 1])
            base = u(i) * u(4)
            v = 0.0
            a0 = 0.0
            a1 = 0.0
            a2 = 0.0
            a3 = 0.0
            for j in range(lo, hi):
                a = data[j]
                if a - a != 0.0:
                    return False
                col = u(indices[j])
                o = col * u(4)
                v += a * x[col]
                a0 += a * flat[o]
                a1 += a * flat[o + u(1)]
                a2 += a * flat[o + u(2)]
                a3 += a * flat[o + u(3)]
            value[i] = v
            res[base] = a0
            res[base + u(1)] = a1
            res[base + u(2)] = a2
            res[base + u(3)] = a3
        return True
    k = u(n)
    for i in range(m):
        lo = u(indptr[i])
        hi = u(indptr[i + 1])
        base = u(i) * k
        v = 0.0
        if full:
            a0 = 0.0
            a1 = 0.0
            a2 = 0.0
            a3 = 0.0
            for j in range(lo, hi):
                a = data[j]
                if a - a != 0.0:
                    return False
                col = u(indices[j])
                o = col * k
                v += a * x[col]
                a0 += a * flat[o]
                a1 += a * flat[o + u(1)]
                a2 += a * flat[o + u(2)]
                a3 += a * flat[o + u(3)]
            res[base] = a0
            res[base + u(1)] = a1
            res[base + u(2)] = a2
            res[base + u(3)] = a3
            for c0 in range(4, full, 4):
                c = u(c0)
                a0 = 0.0
                a1 = 0.0
                a2 = 0.0
                a3 = 0.0
                for j in range(lo, hi):
                    a = data[j]
                    o = u(indices[j]) * k + c
                    a0 += a * flat[o]
                    a1 += a * flat[o + u(1)]
                    a2 += a * flat[o + u(2)]
                    a3 += a * flat[o + u(3)]
                res[base + c] = a0
                res[base + c + u(1)] = a1
                res[base + c + u(2)] = a2
                res[base + c + u(3)] = a3
        else:
            for j in range(lo, hi):
                a = data[j]
                if a - a != 0.0:
                    return False
                v += a * x[u(indices[j])]
        value[i] = v
        for c1 in range(full, n):
            c = u(c1)
            a0 = 0.0
            for j in range(lo, hi):
                a0 += data[j] * flat[u(indices[j]) * k + c]
            res[base + c] = a0
    return True


@_lazy
@_vector(types.int32[::1], types.float64[:, ::1], types.float64[::1], types.float64[::1],
         types.float64[::1], types.float64[::1], types.int64)
def dia_dual(offsets, diags, x, flat, value, res, n):
    """:func:`csr_dual` for a DIA matrix (``offsets``, ``diags``: ``(diagonals, L)``,
    entry ``(i, j)`` of diagonal ``d`` at ``diags[d, j]``, ``j = i + offsets[d]``, read
    for ``0 <= j < min(N, L)``): each sum starts at 0.0 and adds the diagonals' terms
    in the stored order of the diagonals, as SciPy's ``dia_matvec`` / ``dia_matvecs``
    add them into their zeroed results (the same bits); row by row, the directions
    four to a set of registers.  ``False`` at a read entry that is not finite."""
    m = value.shape[0]
    cols = x.shape[0]
    top = min(cols, diags.shape[1])
    nd = offsets.shape[0]
    full = n - n % 4
    u = np.uint64
    if n == 4:                  # the rows' stride a constant, as in csr_dual
        for i in range(m):
            base = u(i) * u(4)
            v = 0.0
            a0 = 0.0
            a1 = 0.0
            a2 = 0.0
            a3 = 0.0
            for d in range(nd):
                j = i + offsets[d]
                if j < 0 or j >= top:
                    continue
                a = diags[d, j]
                if a - a != 0.0:
                    return False
                v += a * x[j]
                o = u(j) * u(4)
                a0 += a * flat[o]
                a1 += a * flat[o + u(1)]
                a2 += a * flat[o + u(2)]
                a3 += a * flat[o + u(3)]
            value[i] = v
            res[base] = a0
            res[base + u(1)] = a1
            res[base + u(2)] = a2
            res[base + u(3)] = a3
        return True
    k = u(n)
    for i in range(m):
        base = u(i) * k
        v = 0.0
        a0 = 0.0
        a1 = 0.0
        a2 = 0.0
        a3 = 0.0
        for d in range(nd):
            j = i + offsets[d]
            if j < 0 or j >= top:
                continue
            a = diags[d, j]
            if a - a != 0.0:
                return False
            v += a * x[j]
            if full:
                o = u(j) * k
                a0 += a * flat[o]
                a1 += a * flat[o + u(1)]
                a2 += a * flat[o + u(2)]
                a3 += a * flat[o + u(3)]
        value[i] = v
        if full:
            res[base] = a0
            res[base + u(1)] = a1
            res[base + u(2)] = a2
            res[base + u(3)] = a3
        for c0 in range(4, full, 4):
            c = u(c0)
            a0 = 0.0
            a1 = 0.0
            a2 = 0.0
            a3 = 0.0
            for d in range(nd):
                j = i + offsets[d]
                if j < 0 or j >= top:
                    continue
                a = diags[d, j]
                o = u(j) * k + c
                a0 += a * flat[o]
                a1 += a * flat[o + u(1)]
                a2 += a * flat[o + u(2)]
                a3 += a * flat[o + u(3)]
            res[base + c] = a0
            res[base + c + u(1)] = a1
            res[base + c + u(2)] = a2
            res[base + c + u(3)] = a3
        for c1 in range(full, n):
            c = u(c1)
            a0 = 0.0
            for d in range(nd):
                j = i + offsets[d]
                if j < 0 or j >= top:
                    continue
                a0 += diags[d, j] * flat[u(j) * k + c]
            res[base + c] = a0
    return True


@_lazy
def correlation_rows(p, w, r, s, out):
    """``out[i, j, :] = p[i, j, :] * w[i, j] - r[i, j] * (s[i, :] + s[j, :])``: the
    partials of ``np.corrcoef``'s normalisation (``w = 1 / (d_i d_j)``, ``r`` the
    correlations, ``s`` the variances' relative partials over 2), one pass."""
    rows, cols, n = p.shape
    for i in range(rows):
        for j in range(cols):
            wij = w[i, j]
            rij = r[i, j]
            for k in range(n):
                out[i, j, k] = p[i, j, k] * wij - rij * (s[i, k] + s[j, k])


@_lazy
def swap_shifted(p, out):
    """``out[k, j, :] = p[j, k, :] - p[j, 0, :]``: the first two axes of ``(rows, cols,
    n)`` partials exchanged into a C-contiguous ``(cols, rows, n)`` copy (so that BLAS
    can contract the middle axis), each row less its first column: ``np.cov``'s
    partials with the part common to every observation taken out, which a product
    with centred values cancels only to rounding times its size.  NumPy's strided
    copy moves a run of ``n`` numbers per step of its iterator (4x slower at 316 x
    316, n = 4)."""
    rows, cols, n = p.shape
    for j in range(rows):
        for k in range(cols):
            for c in range(n):
                out[k, j, c] = p[j, k, c] - p[j, 0, c]


@_lazy
def symmetric_sum(g, s):
    """``g[i, j, :] = g[j, i, :] = (g[i, j, :] + g[j, i, :]) * s`` in place for square
    ``(m, m, n)`` partials: ``G + G^T`` scaled, each pair of elements read once."""
    m, _, n = g.shape
    for i in range(m):
        for j in range(i, m):
            for c in range(n):
                t = (g[i, j, c] + g[j, i, c]) * s
                g[i, j, c] = t
                g[j, i, c] = t


@_lazy
def triangle(v, p, lo, hi, vout, pout):
    """``np.tril``/``np.triu`` of a stack of matrices and their partials in one pass:
    row ``i`` keeps columns ``lo[i] <= j < hi[i]`` of ``v`` (``(batch, rows, cols)``)
    and of ``p`` (``(batch, rows, cols * n)``, each element's ``n`` partials in a
    run) and writes +0.0 elsewhere, as NumPy's ``where(mask, m, 0)`` does: copies
    and zeros, the same bits, each row a few contiguous runs."""
    batch, rows, cols = v.shape
    n = p.shape[2] // cols if cols else 0
    for b in range(batch):
        for i in range(rows):
            a = lo[i]
            z = hi[i]
            vr = v[b, i]             # (slices of row views: numba's copies of runs,
            vo = vout[b, i]          # 3x faster than loops over the elements here)
            pr = p[b, i]
            po = pout[b, i]
            vo[:a] = 0.0
            vo[a:z] = vr[a:z]
            vo[z:] = 0.0
            po[:a * n] = 0.0
            po[a * n:z * n] = pr[a * n:z * n]
            po[z * n:] = 0.0

@_lazy
def join_rows(parts, out):
    """``out[i, :] = concatenate([a[i, :] for a in parts])``: a join along an inner
    axis (``np.concatenate(axis > 0)``, ``np.stack``, ``np.column_stack``) of arrays
    seen as ``(rows, width)``, one pass writing each row of ``out`` once, where NumPy
    copies each part into its strided slice of ``out`` (a short run per row: at
    n = 4, ``column_stack`` of two vectors' partials took 2.5x their concatenation)."""
    rows = out.shape[0]
    for i in range(rows):
        at = 0
        for a in parts:
            w = a.shape[1]
            for j in range(w):
                out[i, at + j] = a[i, j]
            at += w


@_lazy
def join_two(a, b, out):
    """:func:`join_rows` of two parts, passed as arrays: numba types a tuple of arrays
    on every call (8 us of the 14 us a 1000-row ``column_stack`` of two vectors' partials
    took, bench/MISSES.md stop 31), two arrays in a fraction of that."""
    wa = a.shape[1]
    wb = b.shape[1]
    for i in range(out.shape[0]):
        for j in range(wa):
            out[i, j] = a[i, j]
        for j in range(wb):
            out[i, wa + j] = b[i, j]



# The trigamma and tetragamma functions of one float (dualgrad/rules/_special.py: the
# same source is the scalar twin on Python floats, and NumPy's passes there give the
# same bits), compiled here as the bodies of the loops below.
_trigamma = njit(**_JIT)(_special.trigamma)
_tetragamma = njit(**_JIT)(_special.tetragamma)


@_lazy
def trigamma(x, out):
    """``out[i] = trigamma(x[i])`` over 1-D float64 arrays (scipy.special.psi's local
    derivative: ~20 ns an element, against ~350 for SciPy's Hurwitz zeta)."""
    for i in range(x.shape[0]):
        out[i] = _trigamma(x[i])


@_lazy
def tetragamma(x, out):
    """``out[i] = tetragamma(x[i])`` over 1-D float64 arrays (trigamma's derivative: psi's
    second, in Hessians)."""
    for i in range(x.shape[0]):
        out[i] = _tetragamma(x[i])


@_lazy
@_layouts((0, 1),)
def rows_scale(f, p, z, out):
    """``out[r, j, :] = f[r, j] * p[r, j, :]`` on 3-D views that may broadcast (stride 0)
    along the middle axis: a Hessian's outer level, value ``(R, m)`` times ``n`` outer
    directions.  ``z``: ``f`` is not finite somewhere (``_propagate._finite``), so a
    zero ``p`` gives +0.0 everywhere, as ``scaled``'s ``np.where`` does."""
    rows, m, n = out.shape
    for r in range(rows):
        for j in range(m):
            fi = f[r, j]
            for k in range(n):
                a = p[r, j, k]
                out[r, j, k] = 0.0 if z and a == 0.0 else fi * a


@_lazy
@_layouts((0, 1, 3, 4),)
def rows_scale2(f, p, zf, g, q, zg, out):
    """``out[r, j, :] = f[r, j] * p[r, j, :] + g[r, j] * q[r, j, :]`` as :func:`rows_scale`
    (the two products summed in this order: ``combine``'s NumPy passes, the same bits)."""
    rows, m, n = out.shape
    for r in range(rows):
        for j in range(m):
            fi = f[r, j]
            gi = g[r, j]
            for k in range(n):
                a = p[r, j, k]
                b = q[r, j, k]
                out[r, j, k] = (0.0 if zf and a == 0.0 else fi * a) + \
                    (0.0 if zg and b == 0.0 else gi * b)


for _name in _PLAIN:       # read through __getattr__: a dispatcher when first asked
    del globals()[_name]
del _name
