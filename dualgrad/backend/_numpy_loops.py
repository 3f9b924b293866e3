"""NumPy's own float64 inner loops, called from compiled code (issue 13, small71).

A ufunc call on ten float64 values costs ~0.4 us, nearly all of it NumPy's machinery
around the loop (argument parsing, type resolution, the error state): ``np.sin(a)`` of
an array dual paid it twice (the value, then the factor ``np.cos(x)`` under a hush of
the error state), then ``np.empty`` and the compiled entry of the products.  NumPy
hands out the loop itself: ``ufunc._resolve_dtypes_and_context`` and
``ufunc._get_strided_loop`` (NumPy >= 1.24, "unstable" but public) fill a capsule with
the strided loop's function pointer, its context and its auxiliary data, the very
function NumPy's call runs on a 1-D contiguous operand (its trivial loop: one call over
the ``N`` elements with strides 8, 8).  :func:`loops` reads them into an int64 array
that ``_numba_kernels.loop_scale_entry`` takes; :func:`numpy_loop` (a numba intrinsic)
calls one: the same machine code on the same operands, so the same bits.

Reports: NumPy's call clears the floating-point exception flags before its loop and
reads them after it (invalid, divide by zero, overflow, underflow), and reports per
the error state.  The kernel does the same and declines (nothing reported, nothing
kept) where any of those flags is set after the value's loop; the caller's NumPy
call then computes the value again, and reports as before.  ``mask`` is this
platform's ``FE_INVALID | FE_DIVBYZERO | FE_OVERFLOW | FE_UNDERFLOW`` (``<fenv.h>``),
known for x86-64 and AArch64 only: elsewhere :func:`loops` answers ``None`` and the
callers keep NumPy's calls.  Only NumPy's own ufuncs: scipy.special's loops report
through ``sc.errstate`` (Python warnings and exceptions raised inside the loop), which
no flag shows.

Imported with the kernels (numba loaded), never at ``import dualgrad``.
"""

import ctypes
import platform

import numpy as np
from llvmlite import binding as _ll, ir
from numba import types
from numba.extending import intrinsic

__all__ = ["loops", "split_loops", "value_loops", "pair_loops", "exponent_loops", "base_loops", "const_loops", "number_loops", "numpy_loop", "numpy_loop2", "numpy_loop2_steps", "fe_clear", "fe_test"]

# <fenv.h>'s FE_INVALID | FE_DIVBYZERO | FE_OVERFLOW | FE_UNDERFLOW of glibc and Apple's
# libm by machine; not Windows' "AMD64" (MSVC's values differ: FE_INEXACT is 1 there)
_MASKS = {"x86_64": 0x01 | 0x04 | 0x08 | 0x10,
          "aarch64": 0x01 | 0x02 | 0x04 | 0x08, "arm64": 0x01 | 0x02 | 0x04 | 0x08}
MASK = _MASKS.get(platform.machine().lower())

# glibc's fenv functions live in libm; the symbols the kernels below name are looked up
# there when they load.  By its file name, not ctypes.util.find_library, which starts
# processes (ldconfig -p, gcc...) at this import: fastci71's recorder counted them
# (40f2eb76).  Where neither name nor the process itself has them: NumPy's calls.
for _name in ("libm.so.6", "libm.so", None):
    try:
        _ll.load_library_permanently(_name)
    except RuntimeError:
        continue
    if _ll.address_of_symbol("fetestexcept") and _ll.address_of_symbol("feclearexcept"):
        break
else:                           # pragma: no cover
    MASK = None

fe_clear = types.ExternalFunction("feclearexcept", types.int32(types.int32))
fe_test = types.ExternalFunction("fetestexcept", types.int32(types.int32))


@intrinsic
def numpy_loop(typingctx, fn, context, aux, src, dst, n):
    """``fn(context, {src, dst}, {n}, {8, 8}, aux)``: a NumPy strided loop of one input
    and one output (``PyArrayMethod_StridedLoop``) on ``n`` contiguous float64 elements
    at the addresses ``src`` and ``dst`` (int64 all); its int32 result (0: done)."""
    sig = types.int32(types.int64, types.int64, types.int64, types.int64, types.int64,
                      types.int64)

    def codegen(cgctx, builder, signature, args):
        fn, context, aux, src, dst, n = args
        i8p, i64 = ir.IntType(8).as_pointer(), ir.IntType(64)
        data = builder.alloca(i8p, size=ir.Constant(i64, 2))
        builder.store(builder.inttoptr(src, i8p), data)
        builder.store(builder.inttoptr(dst, i8p), builder.gep(data, [ir.Constant(i64, 1)]))
        dims = builder.alloca(i64)
        builder.store(n, dims)
        steps = builder.alloca(i64, size=ir.Constant(i64, 2))
        builder.store(ir.Constant(i64, 8), steps)
        builder.store(ir.Constant(i64, 8), builder.gep(steps, [ir.Constant(i64, 1)]))
        fnty = ir.FunctionType(ir.IntType(32), [i8p, data.type, dims.type, steps.type, i8p])
        call = builder.inttoptr(fn, fnty.as_pointer())
        return builder.call(call, [builder.inttoptr(context, i8p), data, dims, steps,
                                   builder.inttoptr(aux, i8p)])
    return sig, codegen


@intrinsic
def numpy_loop2(typingctx, fn, context, aux, src, src2, dst, n, step2):
    """:func:`numpy_loop` of a loop of two inputs and one output (``np.power``): strides
    8, ``step2`` (8, or 0 for a 0-d exponent: NumPy's broadcast scalar), 8."""
    sig = types.int32(types.int64, types.int64, types.int64, types.int64, types.int64,
                      types.int64, types.int64, types.int64)

    def codegen(cgctx, builder, signature, args):
        fn, context, aux, src, src2, dst, n, step2 = args
        i8p, i64 = ir.IntType(8).as_pointer(), ir.IntType(64)
        data = builder.alloca(i8p, size=ir.Constant(i64, 3))
        for k, a in enumerate((src, src2, dst)):
            builder.store(builder.inttoptr(a, i8p), builder.gep(data, [ir.Constant(i64, k)]))
        dims = builder.alloca(i64)
        builder.store(n, dims)
        steps = builder.alloca(i64, size=ir.Constant(i64, 3))
        for k, step in enumerate((ir.Constant(i64, 8), step2, ir.Constant(i64, 8))):
            builder.store(step, builder.gep(steps, [ir.Constant(i64, k)]))
        fnty = ir.FunctionType(ir.IntType(32), [i8p, data.type, dims.type, steps.type, i8p])
        call = builder.inttoptr(fn, fnty.as_pointer())
        return builder.call(call, [builder.inttoptr(context, i8p), data, dims, steps,
                                   builder.inttoptr(aux, i8p)])
    return sig, codegen


@intrinsic
def numpy_loop2_steps(typingctx, fn, context, aux, src, src2, dst, n, step1, step2):
    """:func:`numpy_loop2` with the first input's stride too (``0, 8, 8``: ``c ** y`` of
    a 0-d base ``c``, as NumPy's call broadcasts it; small72)."""
    sig = types.int32(types.int64, types.int64, types.int64, types.int64, types.int64,
                      types.int64, types.int64, types.int64, types.int64)

    def codegen(cgctx, builder, signature, args):
        fn, context, aux, src, src2, dst, n, step1, step2 = args
        i8p, i64 = ir.IntType(8).as_pointer(), ir.IntType(64)
        data = builder.alloca(i8p, size=ir.Constant(i64, 3))
        for k, a in enumerate((src, src2, dst)):
            builder.store(builder.inttoptr(a, i8p), builder.gep(data, [ir.Constant(i64, k)]))
        dims = builder.alloca(i64)
        builder.store(n, dims)
        steps = builder.alloca(i64, size=ir.Constant(i64, 3))
        for k, step in enumerate((step1, step2, ir.Constant(i64, 8))):
            builder.store(step, builder.gep(steps, [ir.Constant(i64, k)]))
        fnty = ir.FunctionType(ir.IntType(32), [i8p, data.type, dims.type, steps.type, i8p])
        call = builder.inttoptr(fn, fnty.as_pointer())
        return builder.call(call, [builder.inttoptr(context, i8p), data, dims, steps,
                                   builder.inttoptr(aux, i8p)])
    return sig, codegen


# PyCapsule_GetPointer with its own prototype: setting restype / argtypes on
# ctypes.pythonapi's shared function object would change it for every user in the process
_capsule_pointer = ctypes.PYFUNCTYPE(ctypes.c_void_p, ctypes.py_object, ctypes.c_char_p)(
    ("PyCapsule_GetPointer", ctypes.pythonapi))


class _CallInfo(ctypes.Structure):      # NumPy's ufunc_call_info (ufunc_object.c)
    _fields_ = [("strided_loop", ctypes.c_void_p), ("context", ctypes.c_void_p),
                ("auxdata", ctypes.c_void_p), ("requires_pyapi", ctypes.c_bool),
                ("no_floatingpoint_errors", ctypes.c_bool)]


_CAPSULE = "numpy_1.24_ufunc_call_info"
# (ufunc, strides) -> ``(addresses, capsule)``, made once and kept for the process: the capsule owns
# the context and the auxiliary data whose addresses every table made of it holds (a
# capsule made again and this one dropped would free them under the older tables)
_KEPT = {}
_F64 = np.dtype(np.float64)


def _loop(ufunc, strides=None):
    """``(loop, context, auxdata)`` addresses of ``ufunc``'s float64 -> float64 loop as
    NumPy's call on 1-D contiguous float64 operands takes it (``strides``: other fixed
    strides, ``(8, 0, 8)`` for a 0-d second operand), or ``None``."""
    if type(ufunc) is not np.ufunc or ufunc.nin not in (1, 2) or ufunc.nout != 1 or \
            getattr(np, ufunc.__name__, None) is not ufunc:
        return None
    strides = strides or (8,) * (ufunc.nin + 1)
    kept = _KEPT.get((ufunc, strides))
    if kept is not None:
        return kept[0]
    try:
        dtypes, info = ufunc._resolve_dtypes_and_context((_F64,) * ufunc.nin + (None,))
        if tuple(dtypes) != (_F64,) * (ufunc.nin + 1):
            return None
        ufunc._get_strided_loop(info, fixed_strides=strides)
        address = _capsule_pointer(info, _CAPSULE.encode())
    except Exception:           # (another NumPy's unstable API: NumPy's calls, as before)
        return None
    call = _CallInfo.from_address(address)
    if not call.strided_loop or call.requires_pyapi:
        return None
    addresses = call.strided_loop, call.context or 0, call.auxdata or 0
    return _KEPT.setdefault((ufunc, strides), (addresses, info))[0]


def _table(*parts):
    """The read-only int64 array ``[MASK, *parts[0], *parts[1], ...]`` (each part a
    loop's ``(loop, context, aux)`` addresses or a one-flag tuple), or ``None`` where a
    part is ``None`` (no loop to be had) or the platform has no mask."""
    if MASK is None or any(part is None for part in parts):
        return None
    values = [MASK]
    for part in parts:
        values.extend(part)
    table = np.array(values, dtype=np.int64)
    table.flags.writeable = False
    return table


def loops(value, part=None, negate=False):
    """The int64 array ``[mask, value's loop, context, aux, part's loop, context, aux,
    negate]`` that ``_numba_kernels.loop_scale_entry`` reads (``part`` ``None``: zeros,
    the factor is the value itself, ``np.exp``'s), or ``None`` where a loop is not to
    be had (another platform, a ufunc of another module or type, NumPy's unstable API
    changed)."""
    if MASK is None or value.nin != 1 or part is not None and part.nin != 1:
        return None
    return _table(_loop(value), (0, 0, 0) if part is None else _loop(part), (1 if negate else 0,))


def split_loops(value, part):
    """The int64 array ``[mask, value's loop, context, aux, part's loop, context, aux]``
    that a generated ``_rule_kernels`` loops entry reads (``np.tanh``'s value and ``a0 =
    np.cosh(x)``; small72): the value's loop for a NumPy ufunc ``value``, zeros for
    scipy.special's (whose value the caller computes: its loops report through
    ``sc.errstate``), or ``None`` (as :func:`loops`, and where a NumPy ``value`` has no
    loop to be had: the caller would take zeros for a value given)."""
    if MASK is None or value.nin != 1 or part.nin != 1:
        return None
    own = getattr(np, getattr(value, "__name__", ""), None) is value
    return _table(_loop(value) if own else (0, 0, 0), _loop(part))


def value_loops(value):
    """The int64 array ``[mask, value's loop, context, aux]`` that a generated
    ``_rule_kernels`` value-loops entry reads (``np.log``'s value, then the row's own
    loop of the partials; small74), or ``None`` (as :func:`loops`)."""
    if MASK is None or value.nin != 1:
        return None
    return _table(_loop(value))


def pair_loops():
    """The int64 array ``[mask, np.power's loop, context, aux, np.log's loop, context,
    aux]`` that ``_numba_kernels.loop_power_pair_entry`` reads, or ``None`` (as
    :func:`loops`)."""
    return _table(_loop(np.power), _loop(np.log))


def exponent_loops():
    """The int64 array ``[mask, np.power's loop with a 0-d exponent, context, aux,
    np.log's loop, context, aux]`` that ``_numba_kernels.loop_power_exponent_entry``
    reads (``u ** k``, ``t ** k``: small72), or ``None`` (as :func:`loops`)."""
    return _table(_loop(np.power, (8, 0, 8)), _loop(np.log))


def base_loops():
    """The int64 array ``[mask, np.power's loop with a 0-d base, context, aux]`` that
    ``_numba_kernels.loop_power_base_entry`` reads (``k ** u``, ``2.0 ** u``: small72),
    or ``None`` (as :func:`loops`)."""
    return _table(_loop(np.power, (0, 8, 8)))


def const_loops(ufunc, k):
    """The int64 array ``[mask, ufunc's loop with a 0-d argument k, context, aux]`` that
    ``_rule_kernels``' ``*_const_loops`` entries read (``np.arctan2(t, k)``: strides 8,
    0, 8 for ``k`` 1; small72), or ``None`` (as :func:`loops`; a ufunc not NumPy's)."""
    if type(ufunc) is not np.ufunc or ufunc.nin != 2:
        return None
    return _table(_loop(ufunc, (0, 8, 8) if k == 0 else (8, 0, 8)))


def number_loops(value):
    """The int64 array ``[mask, value's loop, context, aux, np.power's loop with a 0-d
    exponent, context, aux, binary]`` that ``_numba_kernels.loop_power_number_entry``
    reads: ``value`` ``np.power`` (``binary`` 1: the value ``x ** y`` of the 0-d ``y``),
    or the operator's ``np.reciprocal`` / ``np.sqrt`` (``u ** -1``, ``u ** 0.5``:
    ``binary`` 0); ``None`` as :func:`loops`."""
    binary = value is np.power
    return _table(_loop(value, (8, 0, 8) if binary else None), _loop(np.power, (8, 0, 8)),
                  (1 if binary else 0,))
