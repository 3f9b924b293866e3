"""Products of two float64 array operands, one or both plain array duals, in few steps
(issue 13, prod40): ``np.dot``, ``np.inner``, ``np.vdot``, ``np.vecdot``,
``np.matmul`` (``a @ b``), their ``np.linalg`` twins, and ``np.einsum`` of two
operands whose subscripts spell one of them (``"i,i->"``, ``"ij,j->i"``,
``"ij,jk->ik"``, ``"i,ij->j"``, any letters) or a stacked one (``"...i,...i->..."``,
``"wij,wjk->wik"`` with any number of batch letters).

At N = 1e3 such a product costs NumPy about a microsecond, and the general path
(``__array_function__`` -> :func:`dualgrad.dispatch._functions.dispatch` ->
:func:`dualgrad.dispatch._linalg.bilinear`, or ``__array_ufunc__`` -> ``apply`` ->
``call`` for the ``matmul`` and ``vecdot`` ufuncs) spent ten more in argument scans,
lifting and checks before its one kernel or BLAS call per operand.  Here one function
reads the operands once and makes the result; it covers:

* ``vv``: two 1-D operands (the partials ``b @ dA + a @ dB``: one pass of
  ``backend.dot4`` at four directions, else one BLAS call per dual operand);
* ``mv``: a 2-D ``a`` and a 1-D ``b`` (``backend.matvec_checked``, else ``b @ dA`` batched
  over ``dA``'s rows and ``a @ dB``);
* ``vm``: a 1-D ``a`` and a 2-D ``b`` (``B^T @ da`` and ``a @ dB`` with ``dB``'s columns
  and directions as one axis);
* ``mm``: two 2-D operands (``_linalg._matmul_partials``' two GEMMs);
* ``bvv``, ``bmm`` (einsum only): the stacked forms, one batched ``matmul`` per dual
  operand (:func:`_bvv`, :func:`_bmm`).

The value is always the NumPy function's own call on the values (``np.einsum``'s for
``np.einsum``), so its bits are NumPy's; the partials are exact to rounding.  Anything
else returns ``None`` having computed nothing, and the caller's general path runs with
its checks and errors: complex or integer values, nested or pending (fused) partials,
duals of two tags or an escaped one, keywords (``out=``, ``axis=``), other shapes and
subscripts, and values that are not finite (the NaN-safe products: a finite value means
finite operands, see :func:`dualgrad.dispatch._linalg._lean_product`).
"""

import math

import numpy as np

from .. import backend
from ..dual import LIVE, MAX_SLOTS, ArrayDual, make_real, make_scalar, scalar_class
from ._quiet import PLAIN as _PLAIN, _LAST, _errstate, _hush, _unhush

__all__ = ["LEAN_PRODUCTS", "lean_product", "lean_einsum"]

_F64 = np.dtype(np.float64)
_nd = np.ndarray
_finite = backend.finite
# Under this much work the automatic engine runs no product kernel (``matvec_checked``,
# ``dot4``: ``backend._wanted`` asks for MIN_WORK > SMALL_BELOW's MIN_WORK_FUSED), so
# their calls and the contiguity tests before them are skipped (0 under ``use()``:
# asked every time; small42)
_BELOW = backend.SMALL_BELOW

# function -> the shape kinds (ndim of a, ndim of b) it is the plain product for,
# real values only (vdot and vecdot conjugate their first operand)
_MATMUL_KINDS = {(1, 1): "vv", (2, 1): "mv", (1, 2): "vm", (2, 2): "mm"}
_KINDS = {np.dot: _MATMUL_KINDS, np.matmul: _MATMUL_KINDS, np.linalg.matmul: _MATMUL_KINDS,
          np.inner: {(1, 1): "vv", (2, 1): "mv"},
          np.vecdot: {(1, 1): "vv", (2, 1): "mv"},
          np.linalg.vecdot: {(1, 1): "vv", (2, 1): "mv"},
          np.vdot: {(1, 1): "vv"}}


def _operands(a, b):
    """``(tag, va, pa, vb, pb)`` for two operands that are float64 array duals of one
    live tag with C-contiguous float64 partials, or one such dual and a float64
    ndarray (its partials ``None``); ``None`` for anything else.  A dual ``a`` beside a
    plain ``b`` may have partials of any layout (a transposed matrix's: ``M.T @ v``),
    which :func:`_entry` takes for ``mv`` alone."""
    ta, tb = type(a), type(b)
    if ta is ArrayDual:
        tag, va, pa = a.tag, a.value, a._p
        if tb is ArrayDual:
            if b.tag != tag:
                return None
            vb, pb = b.value, b._p
            if type(pb) is not _nd or pb.dtype is not _F64 or not pb.flags.c_contiguous:
                return None
        elif tb is _nd:
            vb, pb = b, None
        else:
            return None
        if type(pa) is not _nd or pa.dtype is not _F64 or \
                pb is not None and not pa.flags.c_contiguous:
            return None
    elif ta is _nd and tb is ArrayDual:
        tag, va, pa, vb, pb = b.tag, a, None, b.value, b._p
        if type(pb) is not _nd or pb.dtype is not _F64 or not pb.flags.c_contiguous:
            return None
    else:
        return None
    if type(va) is not _nd or type(vb) is not _nd or va.dtype is not _F64 or \
            vb.dtype is not _F64 or tag not in LIVE:
        return None
    if pa is not None and pb is not None and pa.shape[-1] != pb.shape[-1]:
        return None
    return tag, va, pa, vb, pb


def lean_product(func, a, b):
    """``func(a, b)`` (a key of :data:`_KINDS`) for the operands and shapes the module
    covers, or ``None`` having computed nothing."""
    return LEAN_PRODUCTS[func](a, b)


def _finish(kind, value, tag, va, pa, vb, pb):
    """The dual of the product ``value`` of ``kind`` (see the module's docstring), or
    ``None`` where the value is not finite.  Outside NumPy's default error state the
    partials are computed with NumPy's reports hushed (the note above ``_eget``)."""
    if kind == "vv":
        if not math.isfinite(value):
            return None
    elif value.ndim == 1:        # one BLAS pass, less than a scan's call at N = 1e3, a
        if not math.isfinite(sum(value.tolist()) if value.shape[0] <= 64 else  # sum of
                             np.dot(value, value)):     # floats less below (small42): an
            return None                                  # inf or NaN stays one (an
    elif value.size and not _finite(value):              # overflow only sends it on)
        return None
    token = None if _eget() is _PLAIN else _hush()   # (the note above _eget)
    try:
        if kind == "vv":
            row = _vv(va, pa, vb, pb)
            n = row.shape[0]
            build = _BUILD.get(n)
            if build is None:
                if n > MAX_SLOTS:
                    return make_scalar(float(value), row, tag)
                build = _BUILD[n] = scalar_class(n)._from
            return build(float(value), row.tolist(), tag)   # make_scalar's, for a real row
        if kind == "mv":
            partials = None
            if (pa is None or pa.shape[2] == 4 and pa.flags.c_contiguous) and \
                    (pb is None or pb.shape[1] == 4) and 4 * va.size >= _BELOW[0] and \
                    va.flags.c_contiguous and vb.flags.c_contiguous:
                partials = backend.matvec_checked(va, pa, vb, pb)
            if partials is None:
                partials = _mv(va, pa, vb, pb)
        elif kind == "vm":
            partials = _vm(va, pa, vb, pb)
        elif kind == "bvv":
            partials = _bvv(va, pa, vb, pb)
        elif kind == "bmm":
            partials = _bmm(va, pa, vb, pb, value.shape)
        elif vb.shape[1] == 1 and (pa is None or pa.shape[2] == 4) and \
                (pb is None or pb.shape[2] == 4) and 4 * va.size >= _BELOW[0]:
            # a column on the right (np.linalg.multi_dot's last vector, made 2-D as NumPy
            # does): the matrix-vector kernel reads dA once, where _mm copied it transposed
            # first (M @ M @ v at N = 1e5, n = 4: that copy was most of the call)
            col = backend.matvec(va, pa, vb[:, 0], None if pb is None else pb[:, 0])
            partials = _mm(va, pa, vb, pb) if col is None else col[:, None]
        else:
            partials = _mm(va, pa, vb, pb)
    finally:
        if token is not None:
            _unhush(token)
    return make_real(value, partials, tag)


_BUILD = {}        # n -> the real scalar dual class's constructor (make_scalar's choice)

# The functions whose value M @ u takes as ``ndarray.dot``'s (small62).  For a C-contiguous,
# aligned float64 matrix M (m x k), a C-contiguous aligned vector x and C-contiguous
# aligned partials P (k x n), m, k > 1, ``M.dot(x)`` and ``np.matmul(M, x)`` make one
# BLAS call, gemv of M's rows and x (cblas_dgemv RowMajor NoTrans in NumPy's
# cblasfuncs.c, ColMajor Trans of the same memory in umath/matmul.c.src: one call once
# the CBLAS interface has normalized the order), as do ``M.dot(P)`` and ``np.matmul(M,
# P)`` for n = 1 (P a column), and for n > 1 they make the same cblas_dgemm(RowMajor,
# NoTrans, NoTrans, m, n, k, ...) (m or k of 1, or another layout, sends either
# elsewhere: dot's scalar and column cases or its copy, matmul's other special cases
# or its loop without BLAS), so their bits are equal; ndarray.dot skips the ufunc
# machinery (0.4 against 1.0 us at 10 x 10).  Its floating-point reports name
# "dot", so it runs hushed, in NumPy's default error state only: there a finite value
# means np.matmul reported nothing (an overflow or invalid operation leaves an inf or
# NaN in its sum; underflow is ignored), and any other value is computed again by
# ``func`` for NumPy's reports.
_DOT_VALUES = () if _errstate is None else (np.matmul, np.dot, np.linalg.matmul)
# Outside ``_PLAIN`` (NumPy's default error state) the partials of a product are computed
# with NumPy's reports hushed: NumPy's word on the value is the caller's call, and an
# underflowing partial raised FloatingPointError under ``np.errstate(all="raise")`` where
# the float product did not (small62).  In the default state (underflow ignored) a
# partial can at most warn of its overflow, as before: the hush costs ~0.3 us a product
# (``u @ v`` at N = 10: 4.5 -> 5.0 us, a /tmp clock).
_eget, _eset, _ereset = (lambda: None, None, None) if _errstate is None else \
    (_errstate.get, _errstate.set, _errstate.reset)


def _vv(a, p, b, q):
    """``b @ p + a @ q`` (a ``(n,)`` row; a ``None`` partials term left out)."""
    if (p is None or p.shape[1] == 4) and (q is None or q.shape[1] == 4) and \
            4 * a.shape[0] >= _BELOW[0] and a.flags.c_contiguous and b.flags.c_contiguous:
        row = backend.dot4(a, p, b, q)
        if row is not None:
            return row
    if p is None:
        return np.dot(a, q)
    term = np.dot(b, p)
    return term if q is None else term + np.dot(a, q)


def _mv(a, p, b, q):
    """The partials of ``a @ b``, ``a`` 2-D, ``b`` 1-D: ``(dA @ b)`` batched over
    ``dA``'s rows, ``(m, K, n) -> (m, n)``, and ``a @ dB``."""
    if p is None:
        return np.matmul(a, q)
    term = np.matmul(b, p)
    return term if q is None else term + np.matmul(a, q)


def _vm(a, p, b, q):
    """The partials of ``a @ b``, ``a`` 1-D (``K``), ``b`` 2-D (``K, l``):
    ``B^T @ da`` and ``a @ dB`` with ``dB``'s columns and directions as one axis."""
    term = None
    if p is not None:
        term = np.matmul(b.T, p)
    if q is not None:
        k, cols, n = q.shape
        other = np.matmul(a, q.reshape(k, cols * n)).reshape(cols, n)
        term = other if term is None else term + other
    return term


def _mm(a, p, b, q):
    """The partials of ``a @ b`` of two 2-D operands: one GEMM per dual operand, as
    :func:`dualgrad.dispatch._linalg._matmul_partials` (the same lines)."""
    term = None
    if p is not None:
        m, k, n = p.shape
        rows = np.ascontiguousarray(p.swapaxes(1, 2)).reshape(m * n, k)
        term = (rows @ b).reshape(m, n, b.shape[1]).swapaxes(1, 2)
    if q is not None:
        k, cols, n = q.shape
        other = np.matmul(a, q.reshape(k, cols * n)).reshape(a.shape[0], cols, n)
        # the first term's directions-middle view copied first: NumPy's sum of it
        # and a C-ordered array ran at a quarter of a copy's speed (32 x 32: 9 us
        # against 2.4 + 1.5); the same sums, so the same bits
        term = other if term is None else np.ascontiguousarray(term) + other
    return term


def _bvv(a, p, b, q):
    """The partials of ``np.einsum("...i,...i->...", a, b)``: ``sum_i dA[..., i, :]
    b[..., i]`` as ``matmul(b[..., None, :], dA)[..., 0, :]`` (batch axes broadcast as
    the ellipsis broadcasts them), the same for ``dB``."""
    term = None
    if p is not None:
        term = np.matmul(b[..., None, :], p)[..., 0, :]
    if q is not None:
        other = np.matmul(a[..., None, :], q)[..., 0, :]
        term = other if term is None else term + other
    return term


def _bmm(a, p, b, q, shape):
    """The partials of a stacked ``a @ b`` of equal batch axes (``"wij,wjk->wik"``), as
    :func:`dualgrad.dispatch._linalg._stacked_matmul_partials`: ``B^T`` times each
    row's ``(K, n)`` block of ``dA``, and ``A`` times ``dB`` with its columns and
    directions as one axis."""
    term = None
    if p is not None:
        term = np.matmul(np.swapaxes(b, -1, -2)[..., None, :, :], p)
    if q is not None:
        sq = q.shape
        flat = q.reshape(sq[:-3] + (sq[-3], sq[-2] * sq[-1]))
        other = np.matmul(a, flat).reshape(shape + (sq[-1],))
        term = other if term is None else term + other
    return term


# ---- np.einsum ------------------------------------------------------------------------
_SPECS = {}            # subscripts -> the kind they spell, or None


def _einsum_kind(spec):
    """The product ``spec`` (two operands, explicit output) spells: ``"vv"`` for
    ``"i,i->"``, ``"mv"`` for ``"ij,j->i"``, ``"vm"`` for ``"i,ij->j"``, ``"mm"`` for
    ``"ij,jk->ik"``, ``"bvv"`` for ``"...i,...i->..."``, ``"bmm"`` for
    ``"wij,wjk->wik"`` (any distinct letters, any number of batch letters, spaces
    ignored), else ``None``."""
    kind = _SPECS.get(spec)
    if kind is not None or spec in _SPECS:
        return kind
    kind = None
    s = spec.replace(" ", "")
    if s.count("->") == 1 and s.count(",") == 1 and "." not in s:
        inputs, out = s.split("->")
        x, y = inputs.split(",")
        if x.isalpha() and y.isalpha() and (out.isalpha() or not out):
            if len(x) == 1 and y == x and out == "":
                kind = "vv"
            elif len(x) == 2 and len(y) == 1 and x[0] != x[1] and y == x[1] and out == x[0]:
                kind = "mv"
            elif len(x) == 1 and len(y) == 2 and y[0] != y[1] and x == y[0] and out == y[1]:
                kind = "vm"
            elif len(x) == 2 and len(y) == 2 and len({x[0], x[1], y[1]}) == 3 and \
                    y[0] == x[1] and out == x[0] + y[1]:
                kind = "mm"
    elif s.count("->") == 1 and s.count(",") == 1:
        inputs, out = s.split("->")
        x, y = inputs.split(",")
        if x == y and out == "..." and len(x) == 4 and x.startswith("...") and x[3].isalpha():
            kind = "bvv"
    if kind is None and s.count("->") == 1 and s.count(",") == 1 and "." not in s:
        inputs, out = s.split("->")
        x, y = inputs.split(",")
        k = len(x) - 2
        if k >= 1 and x.isalpha() and len(y) == k + 2 and y[:k] == x[:k] and \
                out == x[:k] + x[k] + y[k + 1] and y[k] == x[k + 1] and \
                len(set(x + y[k + 1])) == k + 3:
            kind = "bmm"
    if len(_SPECS) < 256:
        _SPECS[spec] = kind
    return kind


_DIMS = {"vv": (1, 1), "mv": (2, 1), "vm": (1, 2), "mm": (2, 2)}


def _dims_fit(kind, spec, va, vb):
    """Do the operands' dimensions fit ``kind``, the contracted lengths equal?  The
    batched kinds: ``"bvv"`` (``"...i,...i->..."``) any of at least one, ``"bmm"``
    (``"wij,wjk->wik"``) the subscripts' count, the batch axes of equal lengths (no
    broadcasting).  ``np.einsum`` stretches a labelled axis of length 1 against the
    other operand's (``"i,i->"`` of ``(K,)`` and ``(1,)`` is ``sum(a) * b[0]``), which
    the kernels here do not (they loop over one operand's length): those go to the
    general path (attack33, repro_01)."""
    sa, sb = va.shape, vb.shape
    if kind == "bvv":
        return va.ndim >= 1 and vb.ndim >= 1 and sa[-1] == sb[-1]
    if kind == "bmm":
        k = spec.replace(" ", "").index(",")
        return va.ndim == k and vb.ndim == k and sa[:k - 2] == sb[:k - 2] and \
            sa[-1] == sb[-2]
    if (va.ndim, vb.ndim) != _DIMS[kind]:
        return False
    if kind == "vv" or kind == "vm":
        return sa[0] == sb[0]
    return sa[1] == sb[0]                     # "mv", "mm"


def lean_einsum(*operands, **kwargs):
    """``np.einsum(spec, a, b)`` with the subscripts of a plain product
    (:func:`_einsum_kind`) and no keywords: the value is ``np.einsum``'s own, the
    partials the product's; ``None`` for anything else."""
    if kwargs or len(operands) != 3 or type(operands[0]) is not str:
        return None
    kind = _einsum_kind(operands[0])
    if kind is None:
        return None
    got = _operands(operands[1], operands[2])
    if got is None:
        return None
    tag, va, pa, vb, pb = got
    if not _dims_fit(kind, operands[0], va, vb):
        return None
    if kind == "bvv" and va.ndim == 1 and vb.ndim == 1:
        kind = "vv"                                  # a number: "i,i->"
    return _finish(kind, np.einsum(operands[0], va, vb), tag, va, pa, vb, pb)


def _entry(func):
    kinds = _KINDS[func]
    mv = kinds.get((2, 1)) == "mv"
    by_dot = func in _DOT_VALUES

    def product(*args, **kwargs):
        if kwargs or len(args) != 2:
            return None
        a, b = args
        if mv and type(a) is _nd and type(b) is ArrayDual:    # M @ u, M a float matrix:
            vb, pb, tag = b.value, b._p, b.tag                # _operands' tests and, for
            if a.ndim == 2 and type(vb) is _nd and type(pb) is _nd and vb.ndim == 1 and \
                    a.dtype is _F64 and vb.dtype is _F64 and pb.dtype is _F64 and \
                    (fp := pb.flags).c_contiguous and tag in LIVE:   # small values,
                m, k = a.shape            # _finish's lines written out (small47)
                n = pb.shape[1]
                if m > 64 or n == 4 and 4 * a.size >= _BELOW[0]:
                    return _finish("mv", func(a, vb), tag, a, None, vb, pb)  # (its kernel)
                if by_dot and m > 1 and k > 1 and k == len(vb) and \
                        _eget() is _PLAIN and fp.aligned and (fa := a.flags).c_contiguous \
                        and fa.aligned and (fv := vb.flags).c_contiguous and fv.aligned:
                    last = _LAST[0]       # value and partials by ndarray.dot (_DOT_VALUES),
                    token = _eset(last[1]) if last[0] is _PLAIN else _hush()   # hushed
                    try:
                        value = a.dot(vb)
                        partials = a.dot(pb)
                    finally:
                        _ereset(token)
                    if math.isfinite(sum(value.tolist())):
                        return make_real(value, partials, tag)
                value = func(a, vb)       # (NumPy's reports on it, as on floats)
                if not math.isfinite(sum(value.tolist())):
                    return _finish("mv", value, tag, a, None, vb, pb)   # (declines)
                token = None if _eget() is _PLAIN else _hush()
                try:
                    return make_real(value, np.matmul(a, pb), tag)     # _mv's
                finally:
                    if token is not None:
                        _unhush(token)
        got = _operands(a, b)
        if got is None:
            return None
        tag, va, pa, vb, pb = got
        kind = kinds.get((va.ndim, vb.ndim))
        if kind is None or pa is not None and kind != "mv" and not pa.flags.c_contiguous:
            return None             # (mv's term b @ dA is the general path's own line on
        return _finish(kind, func(va, vb), tag, va, pa, vb, pb)     # any layout of dA)
    product.__name__ = product.__qualname__ = f"lean_{func.__name__}"
    product.__doc__ = f"``np.{func.__name__}(a, b)`` through :func:`lean_product`, or ``None``."
    return product


# NumPy function or ufunc -> its lean form (``ArrayDual.__array_function__``'s table of
# lean functions, and the ``matmul`` / ``vecdot`` ufuncs' lean operations)
LEAN_PRODUCTS = {func: _entry(func) for func in _KINDS}
LEAN_PRODUCTS[np.einsum] = lean_einsum
