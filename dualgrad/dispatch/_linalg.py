"""Products and linear algebra of duals, from the standard matrix identities.

Products are multilinear: the partial in direction k is the sum, over the dual
operands, of the product with that operand replaced by its k-th partial.
``matmul`` batches all directions into one call.  The decompositions use
``dX = -X dA X`` (inverse), ``dx = A^{-1}(db - dA x)`` (solve),
``d log|det A| = Re tr(A^{-1} dA)``, the Cholesky and Hermitian-eigen identities,
written with ``A^H`` so that complex matrices of a real input get the derivatives
of the real and imaginary parts (the vectors of ``eigh`` and ``svd`` with LAPACK's
phases).  Everything is written with NumPy calls, so nested duals (Hessians) work too.
"""

import cmath
import functools
import math

import numpy as np

from .. import backend, errors
from ..dual import HOLOMORPHIC, LIVE as _LIVE, ArrayDual, Dual, make, newest, partials_array, primal
from ..dual._array import VIEWS
from . import _lapack, _spectral
from ._einsum_stretch import unstretched
from ._quiet import partials_hushed
from ._operands import NotHolomorphic, abs2, is_complex, is_sparse, moved, operand
from ._reductions import axis_tuple
from ._sylvester import sqrtm
from ..backend import finite, weighted_sum

__all__ = ["bilinear", "gram", "LINALG"]


def _value(x, tag):
    return x.value if isinstance(x, Dual) and x.tag == tag else x


def _operands(func, args):
    """``args`` with list and tuple operands read as NumPy reads them (``np.asarray``);
    the arguments that are not operands (``tensordot``'s ``axes``, the sublists of
    ``einsum``'s interleaved form) stay as they are."""
    if func is np.einsum:
        if not isinstance(args[0], str):
            return args
        return (args[0],) + tuple(operand(a) for a in args[1:])
    return tuple(operand(a) if i < 2 else a for i, a in enumerate(args))


def bilinear(func, *args, **kwargs):
    """``func`` (multilinear in its array arguments) of duals and constants."""
    pair = _pair(args) if len(args) == 2 and not kwargs else None
    if pair is None and func in _TENSORDOT and len(args) == 3 and not kwargs and \
            type(args[2]) is int and args[2] == 1:
        pair = _pair(args[:2])                # np.tensordot(a, b, 1): a @ b's contraction
    if pair is not None:                      # x @ y, np.dot(x, y): the common case
        tag, n, values, duals = pair
        values += args[2:]                    # tensordot's axes, as the general entry's
        value = func(*values)
        if func in _MATVEC:
            partials = _lean_product(func, args, values, duals, value)
            if partials is not None:
                return make(value, partials, tag)
            if type(value) is np.ndarray and value.dtype == _C128:
                result = _lean_complex_product(func, args, values, duals, value, tag)
                if result is not None:
                    return result
        return _product(func, args, values, value, duals, tag, n, kwargs)
    if any(map(is_sparse, args)):
        if func in _SPARSE_PRODUCTS and len(args) == 2 and not kwargs:
            return _sparse_product(func, *args)
        raise errors.sparse_operand(f"np.{func.__name__}")
    args = _operands(func, args)
    tag, n = newest(args)
    if tag < 0:
        return func(*args, **kwargs)
    values = [_value(a, tag) for a in args]
    duals = [i for i, a in enumerate(args) if isinstance(a, Dual) and a.tag == tag]
    value = func(*values, **kwargs)
    if func is np.einsum and isinstance(args[0], str):
        stretched = unstretched(args)          # NumPy's value, partials of equal lengths
        if stretched is not args:
            args = stretched
            values = [_value(a, tag) for a in args]
    return _product(func, args, values, value, duals, tag, n, kwargs)


def _pair(args):
    """What :func:`bilinear`'s general entry finds for two operands that are array
    duals of one tag with plain partials or plain numeric arrays (at least one a
    dual): ``(tag, n, values, duals)``, or ``None`` for anything else (lists, object
    arrays, scalars, nested or pending partials, sparse matrices, duals of two tags),
    which the general entry reads.  It skips that entry's scans: a fifth of a
    1000-element ``dot``'s time (issue 13, fn12)."""
    a, b = args
    ta, tb = type(a), type(b)
    if ta is ArrayDual:
        pa = a._p
        if type(pa) is not np.ndarray:
            return None
        if tb is ArrayDual:
            pb = b._p
            if b.tag != a.tag or type(pb) is not np.ndarray:
                return None
            if pb.shape[-1] != pa.shape[-1]:
                raise errors.mismatched_directions("dualgrad", pa.shape[-1], pb.shape[-1])
            return a.tag, pa.shape[-1], [a.value, b.value], [0, 1]
        if tb is np.ndarray and b.dtype.kind in "biufc":
            return a.tag, pa.shape[-1], [a.value, b], [0]
        return None
    if tb is ArrayDual and ta is np.ndarray and a.dtype.kind in "biufc":
        pb = b._p
        if type(pb) is not np.ndarray:
            return None
        return b.tag, pb.shape[-1], [a, b.value], [1]
    return None


_TENSORDOT = (np.tensordot, np.linalg.tensordot)
# The products that contract the last axis of a 1-D or 2-D ``a`` with a 1-D ``b``
# (``a @ b``) at those shapes (``np.vdot``, which flattens, for 1-D ``a`` only), and
# those of them that are ``a @ b`` for two 2-D operands too.
_MATMAT = frozenset([np.dot, np.matmul, np.linalg.matmul, *_TENSORDOT])
_MATVEC = _MATMAT | {np.inner, np.vdot, np.vecdot, np.linalg.vecdot}


def _lean_product(func, args, values, duals, value):
    """The partials of ``func(a, b)`` (one of :data:`_MATVEC`, ``tensordot`` with
    ``axes=1``) of plain float64 values (not nested duals) that is ``a @ b``: ``a``
    1-D or 2-D and ``b`` 1-D (one kernel pass where :func:`dualgrad.backend.matvec`
    runs one), or both 2-D; else :func:`_product`'s own lines (so its bits) without
    its scans.  ``None`` for other shapes and dtypes, and where the value is not
    finite (an inf or NaN operand: the NaN-safe path).  A finite value means finite
    operands: every entry of ``a`` and of ``b`` meets a factor in one of the value's
    products (none when the value is empty: then no partial is computed either),
    and an inf or NaN term leaves its sum inf or NaN."""
    a, b = values[:2]
    if type(a) is not np.ndarray or type(b) is not np.ndarray or a.dtype != np.float64 or \
            b.dtype != np.float64 or not _lean_shapes(func, a, b, value):
        return None
    if b.ndim == 1:
        p = args[0]._p if 0 in duals else None
        q = args[1]._p if 1 in duals else None
        if a.ndim == 2:
            partials = backend.matvec(a, p, b, q)
        else:
            partials = backend.matvec(a.reshape(1, -1), None if p is None else p[None], b, q)
            partials = None if partials is None else partials[0]
        if partials is not None:
            return partials
    return _product_lines(func, args, values, duals, np.shape(value))


def _lean_shapes(func, a, b, value):
    """Is ``func(a, b)`` (one of :data:`_MATVEC`, of ndarrays ``a``, ``b``) ``a @ b``
    at the lean products' shapes, ``a`` 1-D or 2-D and ``b`` 1-D (``np.vdot`` for 1-D
    ``a`` only) or both 2-D (:data:`_MATMAT`), and its ``value`` finite?  (Finite
    operands then: :func:`_lean_product`.)"""
    return (b.ndim == 1 and (a.ndim == 1 or a.ndim == 2 and func is not np.vdot) or
            b.ndim == 2 and a.ndim == 2 and func in _MATMAT) and not _nonfinite(value)


def _product_lines(func, args, values, duals, shape):
    """The partials by :func:`_product`'s own lines (so its bits) for the lean
    products' shapes (:func:`_lean_shapes`), the value of shape ``shape``, without
    its scans of the factors."""
    if func in (np.matmul, np.linalg.matmul):
        return _matmul_partials(args, values, duals, shape)
    return _contracted_partials(func, args, values, duals, {})


_C128 = np.dtype(np.complex128)
_WIDE = (np.dtype(np.float64), _C128)


@partials_hushed
def _lean_complex_product(func, args, values, duals, value, tag):
    """:func:`_lean_product` for a complex128 value of float64 / complex128 operands
    (tmm's 2 x 2 transfer matrices, ``np.dot`` ~25 % cheaper): the same shapes, a
    finite, non-empty value (so finite operands: no NaN-safe path), and then
    :func:`_product`'s own lines (``_matmul_partials``, ``_contracted_partials``: its
    bits), hushed as :func:`_product` is, without its scans of the factors; ``None``,
    having computed no partial, for anything else, which :func:`_product` takes."""
    a, b = values[:2]
    if type(a) is not np.ndarray or type(b) is not np.ndarray or a.dtype not in _WIDE or \
            b.dtype not in _WIDE or not value.size or not _lean_shapes(func, a, b, value):
        return None
    partials = _product_lines(func, args, values, duals, value.shape)
    return None if partials is None else make(value, partials, tag)


@partials_hushed
def _product(func, args, values, value, duals, tag, n, kwargs):
    """The dual of ``func(*args)`` whose ``value`` is known: the partials of the
    operands ``duals`` (positions in ``args``) of ``tag``, ``n`` directions, hushed
    outside NumPy's default error state (np.einsum's value reported nothing where its
    partials' np.dot raised, attack63 05)."""
    return _product_partials(func, args, values, value, duals, tag, n, kwargs)


def _product_partials(func, args, values, value, duals, tag, n, kwargs):
    """:func:`_product`'s work."""
    ops = list(range(1, len(args))) if func is np.einsum else [0, 1]
    # the operands whose values multiply some dual's partials (an operand's own
    # partials never meet its own values: d(a b) = da b + a db)
    factors = [values[j] for j in ops if any(i != j for i in duals)]
    if len(args) >= 2 and factors and _maybe_nonfinite(value, factors) and \
            any(_nonfinite(f) for f in factors):
        if len(ops) == 2:
            partials = _nan_safe_partials(func, args, values, duals, ops, n, kwargs)
        else:
            partials = _einsum_nan_safe(args, values, duals, n, kwargs)
        if partials is not None:
            return make(value, partials, tag)
    if func in (np.matmul, np.linalg.matmul) and not kwargs:
        if all(np.ndim(primal(v)) <= 2 for v in values):
            return make(value, _matmul_partials(args, values, duals,
                                                np.shape(primal(value))), tag)
        return make(value, _stacked_matmul_partials(args, values, duals,
                                                    np.shape(primal(value))), tag)
    if func in _MATVEC_UFUNCS and not kwargs:
        return make(value, _matvec_partials(func, args, values, duals,
                                            np.shape(primal(value))), tag)
    partials = _contracted_partials(func, args, values, duals, kwargs)
    if partials is not None:
        return make(value, partials, tag)
    if func is np.einsum and isinstance(args[0], str) and not kwargs:
        partials = _einsum_partials(args, values, duals, n)
        if partials is not None:
            return make(value, partials, tag)
    columns = []
    for k in range(n):
        total = 0.0
        for i in duals:
            swapped = list(values)
            swapped[i] = args[i].partials[..., k]
            total = total + func(*swapped, **kwargs)
        columns.append(total)
    return make(value, np.stack(columns, axis=-1), tag)


def _maybe_nonfinite(value, operands):
    """May an operand hold an inf or NaN that meets a partial?  ``False`` when the
    product's ``value`` is finite and smaller than the operands: every operand entry
    that the partials' products multiply is multiplied in the value's products too
    (the same function, the same pairings), and there an inf or NaN factor makes
    its term inf or NaN (times 0: NaN) and so the sum non-finite.  One pass over
    ``dot``'s output instead of two over its inputs; an overflow to inf with finite
    operands only sends the caller to its scan of the operands."""
    size = _size(value)
    if not size or size > sum(map(_size, operands)):
        return True
    return _nonfinite(value)


def _size(v):
    """``np.size`` of the value ``v`` (maybe a nested dual), without NumPy's dispatch
    for arrays and NumPy scalars."""
    p = primal(v)
    return p.size if isinstance(p, (np.ndarray, np.generic)) else np.size(p)


def _nonfinite(v):
    """Does the value ``v`` (maybe a nested dual) hold an inf or a NaN?"""
    p = primal(v)
    if type(p) is np.ndarray and p.dtype.kind in "fc":
        return not finite(p)                      # one pass, no temporary
    if type(p) is np.float64 or type(p) is float:  # a product's scalar value: no
        return not math.isfinite(p)              # np.all's Python (issue 13, fn12)
    if type(p) is np.complex128 or type(p) is complex:
        return not cmath.isfinite(p)
    return isinstance(p, (np.ndarray, float, np.floating)) and \
        np.asarray(p).dtype.kind in "fc" and not bool(np.all(np.isfinite(p)))


def _nan_safe_partials(func, args, values, duals, ops, n, kwargs):
    """Partials of a product of two operands with an inf or NaN among the values,
    as the elementwise expression gives them (``x[0] * x[1] * x[2]``): a zero partial
    times an infinite or NaN factor contributes 0, never NaN.

    Every pairing of a non-finite factor with a nonzero partial contributes +inf,
    -inf or NaN; which of them meet in each output element is counted by applying
    ``func`` (a sum of products with unit coefficients) to indicator arrays, and
    the finite factors go through ``func`` as they are.  ``None`` for products
    with signed coefficients (``cross``): the caller spells those elementwise.
    """
    if func in (np.cross, np.linalg.cross):
        return _cross_elementwise(args, values, kwargs)
    finite = {j: _finite_part(values[j]) if _nonfinite(values[j]) else values[j]
              for j in ops}
    columns = []
    for k in range(n):
        total = 0.0
        for i in duals:
            (j,) = [o for o in ops if o != i]
            P = args[i].partials[..., k]
            swapped = list(values)
            swapped[i], swapped[j] = P, finite[j]
            if finite[j] is values[j]:
                term = func(*swapped, **kwargs)
            elif isinstance(values[j], Dual):
                term = _pair_nan_safe(func, values, i, j, P, values[j], kwargs)
            elif isinstance(P, Dual):
                term = _nested_nan_safe(func, values, i, j, P, finite[j], kwargs)
            else:
                term = func(*swapped, **kwargs) + \
                    _infinite_part(func, values, i, j, primal(P), primal(values[j]), kwargs)
            total = total + term
        columns.append(total)
    return np.stack(columns, axis=-1)


def _nested_nan_safe(func, values, i, j, P, finite, kwargs):
    """``func`` of the plain non-finite ``values[j]`` and a partial ``P`` that is a
    nested dual (a Hessian's), with ``P`` in place ``i``, NaN-safe at every level: its
    value as :func:`_nan_safe_partials` counts it (``P``'s plain value met by the
    non-finite entries), its partials those of ``func`` with ``P``'s partials, which
    the dispatch makes NaN-safe one level down (attack48 12: they were the finite
    entries' only, so a Hessian entry ``inf * 2`` of ``(M @ x**2)`` was 0 where the
    elementwise spelling gives inf)."""
    swapped = list(values)
    swapped[i], swapped[j] = P.value, finite
    if isinstance(P.value, Dual):
        value = _nested_nan_safe(func, values, i, j, P.value, finite, kwargs)
    else:
        value = func(*swapped, **kwargs) + \
            _infinite_part(func, values, i, j, P.value, values[j], kwargs)
    swapped[i], swapped[j] = P, values[j]
    return make(value, func(*swapped, **kwargs).partials, P.tag)


def _pair_nan_safe(func, values, i, j, P, V, kwargs):
    """``func`` of a partial ``P`` (place ``i``) and a value ``V`` (place ``j``), either
    a nested dual (a Hessian's) or plain, ``V`` holding an inf or NaN at some level,
    NaN-safe at every level: by the product rule one level down, ``func(P.value,
    V.value)``, and ``func(P.value, dV) + func(dP, V.value)`` in each direction, each
    pairing of a zero entry of the first factor with an infinite one of the second
    counted 0 (:func:`_infinite_part`).  (attack49 04: ``x @ M @ x`` and a three-operand
    einsum with an inf entry of M had NaN Hessian entries where the elementwise
    spelling gives 0: the zeros of P's value met V's inner partials, inf where M is,
    in a plain product.)"""
    if isinstance(V, Dual):
        if isinstance(P, Dual) and P.tag != V.tag:
            return None
        pv = P.value if isinstance(P, Dual) else P
        parts = [_pair_nan_safe(func, values, i, j, pv, V.value, kwargs)]
        for k in range(V.partials.shape[-1]):
            t = _pair_nan_safe(func, values, i, j, pv, V.partials[..., k], kwargs)
            if isinstance(P, Dual):
                t = t + _pair_nan_safe(func, values, i, j, P.partials[..., k], V.value,
                                       kwargs)
            parts.append(t)
        if any(t is None for t in parts):
            return None
        return make(parts[0], np.stack(parts[1:], axis=-1), V.tag)
    if isinstance(P, Dual):
        parts = [_pair_nan_safe(func, values, i, j, P.value, V, kwargs)] + \
            [_pair_nan_safe(func, values, i, j, P.partials[..., k], V, kwargs)
             for k in range(P.partials.shape[-1])]
        if any(t is None for t in parts):
            return None
        return make(parts[0], np.stack(parts[1:], axis=-1), P.tag)
    swapped = list(values)
    if not _nonfinite(V):
        swapped[i], swapped[j] = P, V
        return func(*swapped, **kwargs)
    swapped[i], swapped[j] = P, _finite_part(V)
    return func(*swapped, **kwargs) + _infinite_part(func, values, i, j, P, V, kwargs)


def _einsum_nan_safe(args, values, duals, n, kwargs):
    """``einsum`` of three or more operands with an inf or NaN among the values: for
    each dual operand, the other operands are first contracted over the indices that
    neither it nor the output carries, which leaves a product of two, made NaN-safe
    by :func:`_nan_safe_partials`.  ``None`` (plain IEEE products) for the implicit
    and ellipsis forms."""
    spec = args[0]
    if not isinstance(spec, str) or "->" not in spec or "." in spec or kwargs:
        return None
    inputs, output = spec.replace(" ", "").split("->")
    parts = inputs.split(",")
    total = None
    for i in duals:
        mine = parts[i - 1]
        others = [k for k in range(1, len(args)) if k != i]
        keep = "".join(dict.fromkeys(c for k in others for c in parts[k - 1]
                                     if c in mine or c in output))
        rest = np.einsum(",".join(parts[k - 1] for k in others) + "->" + keep,
                         *(values[k] for k in others))
        pair = [f"{mine},{keep}->{output}", args[i], rest]
        term = _nan_safe_partials(np.einsum, pair, [pair[0], values[i], rest], [1], [1, 2],
                                  args[i].partials.shape[-1], {})
        total = term if total is None else total + term
    return total


def _finite_part(v):
    """``v`` with its inf and NaN values replaced by 0; the partials of a nested dual
    stay as they are (a NaN value may have finite partials: d(nan * a + b)/db = 1)."""
    if isinstance(v, Dual):
        return make(_finite_part(v.value), v.partials, v.tag)
    return np.where(np.isfinite(v), v, 0.0)


def _infinite_part(func, values, i, j, p, v, kwargs):
    """What the pairings of the non-finite entries of ``v`` with the nonzero
    entries of the partials ``p`` add to ``func``: +-inf, NaN or 0 per element."""
    def count(a, b):
        swapped = list(values)
        swapped[i], swapped[j] = a.astype(float), b.astype(float)
        return func(*swapped, **kwargs)
    with np.errstate(invalid="ignore"):
        pos, neg, nan_p = p > 0, p < 0, np.isnan(p)
        plus_inf, minus_inf, nan_v = v == np.inf, v == -np.inf, np.isnan(v)
        up = count(pos, plus_inf) + count(neg, minus_inf)
        down = count(pos, minus_inf) + count(neg, plus_inf)
        nan = count(p != 0, nan_v) + count(nan_p, plus_inf | minus_inf)
    return np.where((nan > 0) | (up > 0) & (down > 0), np.nan,
                    np.where(up > 0, np.inf, np.where(down > 0, -np.inf, 0.0)))


def _cross_elementwise(args, values, kwargs):
    """``np.cross`` of 3-vectors along the last axis, spelled with products and
    differences of components, so that each product is NaN-safe."""
    if kwargs or any(np.shape(primal(v))[-1:] != (3,) for v in values[:2]):
        return None
    a, b = args[:2]
    first, second = [1, 2, 0], [2, 0, 1]
    lifted = [a if isinstance(a, Dual) else np.asarray(a, dtype=float),
              b if isinstance(b, Dual) else np.asarray(b, dtype=float)]
    x, y = lifted
    out = np.take(x, first, axis=-1) * np.take(y, second, axis=-1) - \
        np.take(x, second, axis=-1) * np.take(y, first, axis=-1)
    return out.partials if isinstance(out, Dual) else None


_DOT = (np.dot, np.inner, np.tensordot, np.linalg.tensordot)
_VDOT = (np.vecdot, np.linalg.vecdot)
_OUTER = (np.outer, np.linalg.outer)


def _plain(a):
    return type(a) is np.ndarray and a.dtype.kind in "biufc"


def _contracted_partials(func, args, values, duals, kwargs):
    """Partials of ``dot``, ``inner``, ``tensordot``, ``vdot``, ``vecdot``, ``outer``,
    ``kron`` and ``cross`` (3-vectors of one shape) of plain arrays with every direction in one NumPy call per dual
    operand: the direction axis rides along as a free axis of the partials (BLAS
    reads the whole partials array once) instead of one strided product per
    direction.  ``None`` for anything else (nested duals, 0-d operands, keywords
    other than ``tensordot``'s ``axes`` and ``vecdot``'s ``axis``), which the
    caller's direction-by-direction loop serves.  Values with an inf or NaN never
    come here (the NaN-safe path runs first)."""
    if len(values) < 2 or not all(_plain(v) and v.ndim for v in values[:2]) or \
            any(type(args[i].partials) is not np.ndarray for i in duals):
        return None
    a, b = values[:2]
    if func in (np.convolve, np.correlate):
        return _convolve_partials(func, args, values, duals, kwargs)
    if func in _DOT:
        if func is np.dot or func is np.inner:
            if kwargs or len(args) != 2:
                return None
            ax_b = [max(b.ndim - 2, 0)] if func is np.dot else [b.ndim - 1]
            ax_a = [a.ndim - 1]
        else:
            extra = set(kwargs) - {"axes"}
            if extra or len(args) > 3:
                return None
            axes = kwargs.get("axes", args[2] if len(args) > 2 else 2)
            ax_a, ax_b = _tensordot_axes(axes, a.ndim, b.ndim)
        return _tensordot_partials(args, a, b, ax_a, ax_b, duals)
    if func is np.vdot and not kwargs and len(args) == 2:
        total = None
        for i in duals:
            p = args[i].partials
            p = p.reshape(-1, p.shape[-1])
            term = np.matmul(b.reshape(-1), _conj(p)) if i == 0 else \
                np.matmul(_conj(a).reshape(-1), p)
            total = term if total is None else total + term
        return total
    if func in _VDOT and not set(kwargs) - {"axis"} and len(args) == 2:
        axis = kwargs.get("axis", -1)
        total = None
        for i in duals:
            p = args[i].partials
            own = moved(p, int(axis) % values[i].ndim, p.ndim - 2)
            other = moved(values[1 - i], int(axis) % values[1 - i].ndim,
                             values[1 - i].ndim - 1)
            if i == 0:
                term = np.matmul(other[..., None, :], _conj(own))[..., 0, :]
            else:
                term = np.matmul(_conj(other)[..., None, :], own)[..., 0, :]
            total = term if total is None else total + term
        return total
    if func in _OUTER and not kwargs and len(args) == 2:
        a, b = a.reshape(-1), b.reshape(-1)
        ps = [np.reshape(args[i].partials, (-1, args[i].partials.shape[-1]))
              if i in duals else None for i in (0, 1)]
        return backend.outer(a, ps[0], b, ps[1])
    if func in (np.cross, np.linalg.cross) and len(args) == 2 and \
            (not kwargs or kwargs == {"axis": -1}) and a.shape == b.shape and \
            a.shape[-1:] == (3,) and a.dtype == np.float64 and b.dtype == np.float64:
        ps = [args[i].partials if i in duals else None for i in (0, 1)]
        if all(x is None or x.dtype == np.float64 and x.shape[:-1] == a.shape for x in ps):
            return backend.cross(a, ps[0], b, ps[1])
        return None
    if func is np.kron and not kwargs and len(args) == 2:
        if a.ndim == 1 and b.ndim == 1:              # kron of vectors: outer, raveled
            ps = [args[i].partials if i in duals else None for i in (0, 1)]
            total = backend.outer(a, ps[0], b, ps[1])
            return total.reshape(a.size * b.size, total.shape[-1])
        total = None
        for i in duals:
            p = args[i].partials
            term = np.kron(p, b[..., None]) if i == 0 else np.kron(a[..., None], p)
            total = term if total is None else total + term
        return total
    return None


_SHORT = 16        # a kernel this short: shifted partials, one pass per tap


def _convolve_partials(func, args, values, duals, kwargs):
    """``np.convolve`` / ``np.correlate`` of 1-D plain arrays, every direction at once:
    the full convolution of the partials with the other operand's values as a sum of
    shifted copies (one pass over the partials per entry of the shorter operand, at
    most ``_SHORT``), then NumPy's slice for the mode; ``None`` (the caller's
    direction-by-direction loop) when both operands are longer."""
    if set(kwargs) - {"mode"} or len(args) > 3 or np.ndim(values[0]) != 1 or \
            np.ndim(values[1]) != 1:
        return None
    mode = kwargs.get("mode", args[2] if len(args) > 2 else
                      ("full" if func is np.convolve else "valid"))
    if mode not in ("full", "same", "valid"):
        return None
    a, v = values[:2]
    if func is np.correlate:                 # correlate(a, v) = convolve(a, conj(v)[::-1])
        v = _conj(v)[::-1]
    N, M = a.shape[0], v.shape[0]
    if not (N and M):
        return None
    short, long = min(N, M), max(N, M)
    start, rows = {"full": (0, N + M - 1),
                   "same": (short // 2 if func is np.correlate and N < M
                            else (short - 1) // 2, long),
                   "valid": (short - 1, long - short + 1)}[mode]
    if backend.FUSING[0] and len(duals) == 1 and not (duals[0] == 1 and func is np.correlate):
        i = duals[0]                          # the rows every tap reaches, deferred: the
        w = v if i == 0 else a                # next pass reads the partials' rows (heat72)
        p = args[i].partials
        if w.shape[0] <= p.shape[0]:
            d = backend.defer_convolve(p, w, start, rows)
            if d is not None:
                return d
    total = None
    for i in duals:
        p = args[i].partials
        flip = i == 1 and func is np.correlate
        if flip:                              # correlate(a, q) = r(convolve(r(a), conj(q)))
            w, p = a[::-1], _conj(p)
        else:
            w = v if i == 0 else a
        if min(w.shape[0], p.shape[0]) > _SHORT or p.ndim != 2:
            return None
        n, length = p.shape[1], p.shape[0]
        if w.shape[0] <= _SHORT:             # out[j + k] += w[j] * p[k]
            out = backend.convolve(p, w)
        else:                                 # out[j + k] += w[k] * p[j]
            out = backend.zeros((N + M - 1, n), dtype=np.result_type(p.dtype, w.dtype))
            for j in range(length):
                out[j:j + w.shape[0]] += np.multiply.outer(w, p[j])
        if flip:
            out = out[::-1]
        total = out if total is None else total + out
    return np.ascontiguousarray(total[start:start + rows])


def _conj(x):
    """``np.conj(x)``, and ``x`` itself (no copy) when it is real."""
    if type(x) is np.ndarray:                     # the products' path: no iscomplexobj
        return np.conj(x) if x.dtype.kind == "c" else x
    return np.conj(x) if np.iscomplexobj(primal(x)) else x


def _H(x):
    """The conjugate transpose of a stack of matrices (the transpose when real)."""
    return _conj(np.swapaxes(x, -1, -2))


def _is_complex(A):
    """Does the dual ``A`` hold a complex value or complex partials?"""
    return np.iscomplexobj(primal(A.value)) or np.iscomplexobj(primal(A.partials))


def _tensordot_axes(axes, a_ndim, b_ndim):
    """``tensordot``'s ``axes`` as two lists of non-negative value axes."""
    if np.ndim(axes) == 0:
        k = int(axes)
        return list(range(a_ndim - k, a_ndim)), list(range(k))
    ax_a, ax_b = axes
    ax_a = [ax_a] if np.ndim(ax_a) == 0 else list(ax_a)
    ax_b = [ax_b] if np.ndim(ax_b) == 0 else list(ax_b)
    return [int(x) % a_ndim for x in ax_a], [int(x) % b_ndim for x in ax_b]


def _tensordot_partials(args, a, b, ax_a, ax_b, duals):
    """``tensordot(a, b, (ax_a, ax_b))``'s partials, the directions a free axis."""
    total = None
    for i in duals:
        p = args[i].partials
        if i == 0:
            if ax_a == [a.ndim - 1] and ax_b == [0] and b.ndim == 1:
                term = np.matmul(b, p)                 # (..., K, n) -> (..., n): no copy
            else:
                term = _tensordot(p, b, ax_a, ax_b)
                free = a.ndim - len(ax_a)              # np.moveaxis(term, free, -1)
                term = term.transpose([k for k in range(term.ndim) if k != free] + [free])
        else:
            term = _tensordot(a, p, ax_a, ax_b)
        total = term if total is None else total + term
    return total


def _tensordot(a, b, ax_a, ax_b):
    """``np.tensordot(a, b, (ax_a, ax_b))`` of plain arrays whose contracted axes are
    known to match (their product's value was computed), the axes non-negative
    lists: NumPy's own transposes, reshapes and one ``np.dot``, so the same bits,
    without its argument checks (a third of a 1000-element product's time)."""
    sa, sb = a.shape, b.shape
    free_a = [k for k in range(a.ndim) if k not in ax_a]
    free_b = [k for k in range(b.ndim) if k not in ax_b]
    inner = math.prod(sa[k] for k in ax_a)
    at = a.transpose(free_a + ax_a).reshape((math.prod(sa[k] for k in free_a), inner))
    bt = b.transpose(ax_b + free_b).reshape((inner, math.prod(sb[k] for k in free_b)))
    return np.dot(at, bt).reshape([sa[k] for k in free_a] + [sb[k] for k in free_b])


def gram(x):
    """``x @ x.T`` of a 2-D dual (``np.cov``'s centred rows): the partials
    ``dX X^T + X dX^T`` are ``G + G^T`` (first two axes swapped) with one contraction
    ``G = X dX^T``, half the work of the general product of two duals; the general
    product for nested duals and values holding inf or NaN (NaN-safe there)."""
    v, p = x.value, x.partials
    if type(v) is not np.ndarray or type(p) is not np.ndarray or v.ndim != 2 or \
            v.dtype.kind != "f" or p.dtype.kind != "f" or _nonfinite(v):
        return x @ np.transpose(x)
    g = np.tensordot(v, p, ([1], [1]))              # g[i, j, :] = sum_k v[i, k] p[j, k, :]
    return make(v @ v.T, g + np.swapaxes(g, 0, 1), x.tag)


# ---- a scipy.sparse matrix times a dual ----------------------------------------------
# np.matmul(L, u), np.dot(L, u) and u @ L with L a scipy.sparse matrix or array (a
# method-of-lines Laplacian): L applied to the value and, as one sparse product, to every
# direction's partials.  SciPy's own `L @ u` (`L.dot(u)`, an spmatrix's `L * u`) asks
# np.asanyarray(u) first: a dual answers "not an array" there (dual._base's
# sparse_stand_in), so that Python calls u.__rmatmul__(L), which comes here.
_SPARSE_PRODUCTS = (np.matmul, np.linalg.matmul, np.dot)


def _sparse_product(func, a, b):
    """``func(a, b)`` where one of ``a``, ``b`` is a scipy.sparse matrix ``S`` and the
    other an array dual ``d`` of one or two dimensions (or a plain array)."""
    left = is_sparse(a)
    S, d = (a, b) if left else (b, a)
    if not isinstance(d, Dual):
        d = operand(d)
        if not isinstance(d, Dual):
            return S @ d if left else d @ S
    if is_sparse(d) or d.ndim not in (1, 2) or len(S.shape) != 2:   # (not np.ndim: NumPy's
        # function protocol would load dispatch's functions wing on a first call)
        raise errors.bad_type(
            f"dualgrad: np.{func.__name__} of a scipy.sparse matrix and a dual",
            "a 2-D sparse matrix and a dual of one or two dimensions",
            f"shapes {S.shape} and {np.shape(d)}",
            "Apply the sparse matrix to 1-D or 2-D duals, or use S.toarray().")
    if S.format not in ("csr", "csc", "coo", "bsr", "dia"):     # lil, dok: no .data array
        S = S.tocsr()
    return make(*(left and backend.sparse_dual(S, d.value, d.partials) or    # one pass
                  (_sparse_apply(S, d.value, left), _sparse_partials(S, d, left))), d.tag)


def _sparse_apply(S, x, left):
    """``S @ x`` (``left``) or ``x @ S`` for plain or dual ``x`` (nested duals)."""
    if isinstance(x, Dual):
        return _sparse_product(np.matmul, S, x) if left else \
            _sparse_product(np.matmul, x, S)
    return np.asarray(S @ x if left else x @ S)


def _times_partials(S, p):
    """``S @ p`` for partials ``p`` (2-D): a stored inf or NaN of ``S`` times a zero
    partial is 0 (API.md: a zero seed times an infinite derivative stays 0), as the
    dense products make it, without a dense copy of ``S``: the non-finite entries are
    applied apart, one row of ``p`` each."""
    if isinstance(p, Dual) or np.isfinite(S.data).all():
        return _sparse_apply(S, p, True)
    C = S.tocoo()
    bad = ~np.isfinite(C.data)
    finite = type(C)((C.data[~bad], (C.row[~bad], C.col[~bad])), shape=C.shape)
    out = np.array(_sparse_apply(finite, p, True), dtype=np.result_type(C.data, p))
    rows = p[C.col[bad]]
    with np.errstate(invalid="ignore"):
        terms = np.where(rows == 0.0, 0.0, C.data[bad][:, None] * rows)
    np.add.at(out, C.row[bad], terms)
    return out


def _sparse_partials(S, d, left):
    """The partials of ``S @ d`` or ``d @ S``: one sparse product of all directions."""
    p = d.partials
    n = p.shape[-1]
    if left:                                   # (N, [K,] n) -> (M, [K,] n)
        flat = _times_partials(S, np.reshape(p, (p.shape[0], -1)))
        return np.reshape(flat, (S.shape[0],) + tuple(p.shape[1:]))
    T = S.T                                    # (x @ S)[..., c] = sum_i S[i, c] x[..., i]
    if d.ndim == 1:
        return _times_partials(T, p)
    rows = p.shape[0]                          # (R, N, n) -> (C, R, n) -> (R, C, n)
    flat = np.reshape(np.transpose(p, (1, 0, 2)), (p.shape[1], rows * n))
    moved = np.transpose(np.reshape(_times_partials(T, flat), (S.shape[1], rows, n)),
                         (1, 0, 2))
    # (an outer level's partials, a Hessian's, are duals: they stay as they are, as
    # np.ascontiguousarray would ask a complex one for a plain array; attack48 01)
    return moved if isinstance(moved, Dual) else np.ascontiguousarray(moved)


def _matmul_partials(args, values, duals, out_shape):
    """Partials of ``A @ B`` (at most 2-D operands) without moving axes.

    ``(dA @ B)[..., j, :] = (B.T @ dA)`` batched over ``dA``'s rows, and
    ``A @ dB = (A @ dB.reshape(k, -1)).reshape(...)``: one BLAS call each, with
    contiguous outputs already in directions-last order.
    """
    a, b = values
    total = None
    for i in duals:
        p = args[i].partials
        n = p.shape[-1]
        if i == 0 and np.ndim(a) == 2 and np.ndim(b) == 2 and type(p) is np.ndarray \
                and type(b) is np.ndarray:
            # (dA @ B)[i, :, k] = dA[i, :, k] @ B: one GEMM of the (rows * n, K) matrix
            # of dA's directions with B (m small GEMMs of n columns each run at a
            # fraction of BLAS's speed), and the directions moved back last
            # (the arrays' own methods: NumPy's function wrappers cost a 4 x 4
            # matrix_power a fifth of its time)
            m, k = p.shape[:2]
            rows = np.ascontiguousarray(p.swapaxes(1, 2)).reshape(m * n, k)
            term = (rows @ b).reshape(m, n, -1).swapaxes(1, 2)
        elif i == 0:
            term = np.matmul(np.swapaxes(b, -1, -2) if np.ndim(b) == 2 else b, p)
        elif type(p) is np.ndarray and type(a) is np.ndarray:
            term = np.matmul(a, p.reshape(p.shape[0], math.prod(p.shape[1:]))) \
                .reshape(out_shape + (n,))                # (not -1: 0-size)
        else:
            flat = np.reshape(p, (p.shape[0], math.prod(p.shape[1:])))
            term = np.reshape(np.matmul(a, flat), out_shape + (n,))
        total = term if total is None else total + term
    return total


def _stacked_matmul_partials(args, values, duals, out_shape):
    """Partials of ``A @ B`` with a stacked operand (more than two dimensions, the
    batch axes broadcast as NumPy's), every direction in one ``matmul`` per dual
    operand, whatever the number of directions (issue 13, user25's transfer matrices:
    the direction-by-direction loop of 2 n products was half a gradient's time):

    * ``dA @ B``: ``B^T`` (a view) times each row's ``(K, n)`` block of ``dA``,
      ``matmul(B^T[..., None, :, :], dA)``, batched over ``dA``'s rows: the result
      lies directions last, no copy of ``dA``; a 1-D ``B``: ``matmul(b, dA)``.
    * ``A @ dB``: ``dB``'s columns and directions folded into one axis,
      ``A @ dB.reshape(..., K, l n)``, the same GEMMs with ``n`` times the columns.

    Operands that are nested duals (Hessians) go through the same calls, which
    dispatch on them; values holding an inf or NaN never come here (the NaN-safe
    path runs first)."""
    a, b = values
    total = None
    for i in duals:
        p = args[i].partials
        n = p.shape[-1]
        if i == 0:
            if np.ndim(b) == 1:                 # (..., m, K, n) -> (..., m, n)
                term = np.matmul(b, p)
            elif np.ndim(a) == 1:               # (..., l, K) @ (K, n) -> (..., l, n)
                term = np.matmul(np.swapaxes(b, -1, -2), p)
            else:                               # (..., 1, l, K) @ (..., m, K, n)
                term = np.matmul(np.swapaxes(b, -1, -2)[..., None, :, :], p)
        elif np.ndim(b) == 1:                   # (..., m, K) @ (K, n) -> (..., m, n)
            term = np.matmul(a, p)
        else:                                   # (..., K, l, n) -> (..., K, l n)
            shape = np.shape(p)
            flat = np.reshape(p, shape[:-3] + (shape[-3], shape[-2] * n))
            term = np.reshape(np.matmul(a, flat), out_shape + (n,))   # (not -1: 0-size)
        total = term if total is None else total + term
    return total


_MATVEC_UFUNCS = (np.matvec, np.vecmat)


def _matvec_partials(func, args, values, duals, out_shape):
    """Partials of ``np.matvec(A, x)`` (``A x`` over stacks) and ``np.vecmat(x, A)``
    (``x^H A``), every direction in one ``matmul`` per dual operand, as
    :func:`_stacked_matmul_partials` (the direction-by-direction loop before)."""
    total = None
    for i in duals:
        p = args[i].partials
        n = np.shape(p)[-1]
        if func is np.matvec:
            A, x = values
            if i == 0:                          # (..., 1, 1, K) @ (..., m, K, n)
                term = np.matmul(x[..., None, None, :], p)[..., 0, :]
            else:                               # (..., m, K) @ (..., K, n)
                term = np.matmul(A, p)
        else:
            x, A = values
            if i == 0:                          # (..., l, K) @ conj(..., K, n)
                term = np.matmul(np.swapaxes(A, -1, -2), _conj(p))
            else:                               # (..., 1, K) @ (..., K, l n)
                shape = np.shape(p)
                flat = np.reshape(p, shape[:-3] + (shape[-3], shape[-2] * n))
                term = np.reshape(np.matmul(_conj(x)[..., None, :], flat)[..., 0, :],
                                  out_shape + (n,))
        total = term if total is None else total + term
    return total


def _einsum_partials(args, values, duals, n):
    """One ``einsum`` per dual operand, the directions as an extra index."""
    spec = args[0]
    if len(args) == 3 and "->" in spec:
        total = _einsum_batched(spec.replace(" ", ""), args, values, duals)
        if total is not None:
            return total
    if "->" not in spec or "." in spec:
        return None
    inputs, output = spec.replace(" ", "").split("->")
    letter = next(c for c in "ZYXWVUTSRQPONMLKJIHGFEDCBA" "zyxwvutsrqponmlkjihgfedcba"
                  if c not in spec)
    parts = inputs.split(",")
    if len(parts) == 2 and len(args) == 3:
        total = _einsum_tensordot(parts, output, args, values, duals)
        if total is not None:
            return total
    total = None
    for i in duals:
        sub = ",".join(p + letter if j == i - 1 else p for j, p in enumerate(parts))
        operands = [args[i].partials if j == i else values[j] for j in range(1, len(args))]
        term = np.einsum(f"{sub}->{output}{letter}", *operands, optimize=True)
        total = term if total is None else total + term
    return total


def _einsum_batched(spec, args, values, duals):
    """A two-operand ``einsum`` that is a stacked product, through the calls of
    ``matmul`` and ``vecdot`` (one batched BLAS call per dual operand), where
    ``np.einsum`` with the directions as an extra index (``"wijZ,wjk->wikZ"``) or the
    direction-by-direction loop (ellipses) ran before (issue 13, prod40):

    * ``"...i,...i->..."`` (any letter): ``sum_i dA[..., i, :] b[..., i]`` as
      ``matmul(b[..., None, :], dA)[..., 0, :]``, the batch axes broadcast as
      ``np.einsum``'s ellipsis broadcasts them (no conjugate: ``einsum`` takes none);
    * ``"wij,wjk->wik"`` (any distinct letters, any number of batch letters leading all
      three, equal batch shapes): :func:`_stacked_matmul_partials`.

    Plain numeric values only; ``None`` otherwise (the caller's other paths)."""
    inputs, output = spec.split("->")
    if inputs.count(",") != 1:
        return None
    sa, sb = inputs.split(",")
    a, b = values[1], values[2]
    if not (_plain(a) and _plain(b)) or \
            any(type(args[i].partials) is not np.ndarray for i in duals):
        return None
    if sa == sb and output == "..." and sa.startswith("...") and len(sa) == 4 and \
            sa[3].isalpha() and a.ndim and b.ndim:
        total = None
        for i in duals:
            other = values[3 - i]
            term = np.matmul(other[..., None, :], args[i].partials)[..., 0, :]
            total = term if total is None else total + term
        return total
    if "." in spec or not (sa.isalpha() and sb.isalpha() and output.isalpha()):
        return None
    k = len(sa) - 2
    batch = sa[:k]
    if k < 1 or len(sb) != k + 2 or sb[:k] != batch or output != batch + sa[k] + sb[k + 1] or \
            sb[k] != sa[k + 1] or len(set(sa + sb[k + 1])) != k + 3 or a.ndim != k + 2 or \
            b.ndim != k + 2 or a.shape[:k] != b.shape[:k]:
        return None
    shape = a.shape[:k] + (a.shape[k], b.shape[k + 1])
    return _stacked_matmul_partials(args[1:], values[1:], [i - 1 for i in duals], shape)


def _einsum_tensordot(parts, output, args, values, duals):
    """A two-operand ``einsum`` that is a ``tensordot`` (each index once per operand,
    every shared index summed, none summed alone) through :func:`_tensordot_partials`:
    one BLAS call per dual operand on the partials as they lie.  ``np.einsum``'s own
    path for ``"iZ,i->Z"`` copied the partials into its batched layout first (9x
    the float call at N = 1e5, n = 4, against 7x for ``dot``).  ``None`` otherwise."""
    sa, sb = parts
    a, b = values[1], values[2]
    if not (_plain(a) and _plain(b) and a.ndim == len(sa) and b.ndim == len(sb)) or \
            any(type(args[i].partials) is not np.ndarray for i in duals) or \
            len(set(sa)) != len(sa) or len(set(sb)) != len(sb) or \
            len(set(output)) != len(output):
        return None
    shared = [c for c in sa if c in sb]
    if any(c in output for c in shared) or \
            any(c not in output for c in sa + sb if c not in shared):
        return None
    free = [c for c in sa if c not in shared] + [c for c in sb if c not in shared]
    if sorted(free) != sorted(output):
        return None
    ax_a, ax_b = [sa.index(c) for c in shared], [sb.index(c) for c in shared]
    total = _tensordot_partials(args[1:], a, b, ax_a, ax_b, [i - 1 for i in duals])
    order = [free.index(c) for c in output] + [len(free)]
    return total if order == sorted(order) else np.transpose(total, order)


def _split(A, tag):
    """Value and per-direction partials of a matrix argument (None if constant)."""
    if isinstance(A, Dual) and A.tag == tag:
        return A.value, [A.partials[..., k] for k in range(A.partials.shape[-1])]
    return A, None


def _stack(items):
    return np.stack(items, axis=-1)


def _directions(A, tag):
    """The partials of a matrix argument with the directions as the leading axis, a
    stack that the matrix functions broadcast over (every direction in one call
    each), or None if ``A`` is constant."""
    if isinstance(A, Dual) and A.tag == tag:
        p = A.partials
        if type(p) is np.ndarray:                 # np.moveaxis, without its checks
            return p.transpose((p.ndim - 1,) + tuple(range(p.ndim - 1)))
        return np.moveaxis(p, -1, 0)
    return None


def _last(X):
    """A stack of per-direction results (directions leading) as partials (directions
    last), contiguous."""
    if type(X) is np.ndarray:
        return np.ascontiguousarray(X.transpose(tuple(range(1, X.ndim)) + (0,)))
    return np.moveaxis(X, 0, -1)


@functools.lru_cache(maxsize=None)
def _result(name):
    """NumPy's named-tuple type of ``np.linalg.<name>``'s result (found once, on first
    use: a call on a 1 x 1 matrix costs as much as the small call it wraps)."""
    return type(getattr(np.linalg, name)(np.eye(1)))


@functools.lru_cache(maxsize=64)
def _masks(m):
    """For ``m x m`` matrices: the lower triangle with the diagonal (bool), and the
    weights of Cholesky's ``tril(S, -1) + diag(S) / 2`` (1 below, 1/2 on it, 0 above)."""
    lower = np.tri(m, dtype=bool)
    weights = np.tri(m) - 0.5 * np.eye(m)
    lower.flags.writeable = weights.flags.writeable = False
    return lower, weights


def _full(r, n, shape):
    """A stack of ``n`` right-hand sides ``r`` (directions leading) broadcast to the
    solution's ``shape`` (a constant ``A`` with a stack of matrices)."""
    have = np.shape(primal(r))[1:]
    if have == shape:
        return r
    r = np.reshape(r, (n,) + (1,) * (len(shape) - len(have)) + have)
    return np.broadcast_to(r, (n,) + shape)


def _solve_columns(A, R, vector):
    """``solve(A, r_k)`` for every direction ``k`` with one factorization of ``A``: the
    right-hand sides ``R`` (shape ``x.shape + (n,)``) become extra columns."""
    if vector:                                       # (..., m, n): n columns already
        return _lapack.solve(A, R)
    shape = np.shape(primal(R)) if isinstance(R, Dual) else R.shape
    flat = np.reshape(R, shape[:-2] + (shape[-2] * shape[-1],))
    return np.reshape(_lapack.solve(A, flat), shape)


def _trace_solve(A, dA):
    """``tr(A^{-1} dA_k)`` for every direction (``dA`` the partials, directions last)
    with one factorization of ``A``: the ``m * n`` columns of the directions solved
    together."""
    shape = np.shape(primal(dA)) if isinstance(dA, Dual) else dA.shape
    X = np.reshape(_lapack.solve(A, np.reshape(dA, shape[:-2] + (shape[-2] * shape[-1],))),
                   shape)
    return np.trace(X, axis1=-3, axis2=-2)


def _trace_inverse(A, dA):
    """``tr(A^{-1} dA_k) = sum_ij (A^{-1})_ji dA_ij,k`` for every direction from the
    inverse (one LAPACK call and one contraction of the ``m * m`` entries, instead of
    a solve of ``m * n`` columns, two reshapes and ``np.trace``), or ``None`` where
    ``A`` or ``dA`` is complex or not float64 (:func:`_trace_solve`).  Nested duals (a
    Hessian: ``A`` and ``dA`` duals of one inner tag) take the same two steps through
    dispatch, ``np.linalg.inv`` and ``@`` at the inner level: the solve of ``m * n``
    dual columns did ``m * n * (k + 1)`` column solves and ``k`` products of ``m x m``
    by ``m x m * n`` (``python bench/hessian_gp.py``).  Raises ``LinAlgError`` at a
    singular ``A``, as the solve does."""
    if type(dA) is np.ndarray:
        if not _lapack.square(A) or dA.dtype != np.float64:
            return None
        m, n = A.shape[-1], dA.shape[-1]
        inverse_t = np.swapaxes(_lapack.inv(A), -1, -2).reshape(A.shape[:-2] + (1, m * m))
        return np.matmul(inverse_t, dA.reshape(A.shape[:-2] + (m * m, n)))[..., 0, :]
    if not _nested_real(A, dA):
        return None
    shape = np.shape(primal(A))
    m, n = shape[-1], np.shape(primal(dA))[-1]
    inverse_t = np.reshape(np.swapaxes(np.linalg.inv(A), -1, -2), shape[:-2] + (1, m * m))
    return np.matmul(inverse_t, np.reshape(dA, shape[:-2] + (m * m, n)))[..., 0, :]


def _nested_real(A, dA):
    """Are ``A`` and ``dA`` duals of one tag (an outer dual's value and partials) over
    float64 square matrices, real at every level?"""
    if not (isinstance(A, Dual) and isinstance(dA, Dual) and A.tag == dA.tag):
        return False
    shape = np.shape(primal(A))
    if len(shape) < 2 or shape[-1] != shape[-2] or shape[-1] == 0:
        return False
    while isinstance(A, Dual):
        if not isinstance(dA, Dual) or _is_complex(A) or _is_complex(dA):
            return False
        A, dA = A.value, dA.value
    return primal(A).dtype == np.float64 and primal(dA).dtype == np.float64


def _solve(A, b):
    if type(A) is ArrayDual and type(b) is ArrayDual and A.tag == b.tag:
        x = _solve_vector(A, b)
        if x is not None:
            return x
    A, b = operand(A), operand(b)    # [[p0, 0], [0, 1]] beside a dual b: read as an array
    tag, n = newest([A, b])
    if tag < 0:
        return np.linalg.solve(A, b)
    Av, dA = _value(A, tag), _directions(A, tag)
    bv, db = _value(b, tag), _directions(b, tag)
    x = _lapack.solve(Av, bv)
    vector = np.ndim(primal(bv)) == 1      # NumPy 2's rule: b is a vector only when 1-D
    r = None                          # db - dA x, all directions stacked in front
    if dA is not None:
        extra = np.ndim(primal(x)) + vector - np.ndim(primal(Av))
        if extra > 0:                 # b's stack dimensions beyond A's: A broadcasts
            dA = np.expand_dims(dA, tuple(range(1, 1 + extra)))
        r = -(np.matmul(dA, x[..., None])[..., 0] if vector else dA @ x)
    if db is not None:
        db = _full(db, n, np.shape(primal(x)))
        r = db if r is None else db + r
    return make(x, _solve_columns(Av, _last(r), vector), tag)


def _solve_vector(A, b):
    """:func:`_solve` of one square matrix and a vector, array duals of one tag holding
    float64 ndarrays (Newmark's ``np.linalg.solve(M, .)``, 201 a Jacobian: rows68), or
    ``None``: its steps for that case (the same LAPACK calls on the same arrays, so the
    same bits) without its readers' generality (``operand``, ``newest``, the
    ``partials`` property, ``np.ndim`` / ``np.shape`` through NumPy's dispatch: ~5 us
    of ~20 at 3 x 3)."""
    Av, Ap, bv, bp = A.value, A._p, b.value, b._p
    if not (type(Av) is np.ndarray and type(Ap) is np.ndarray and type(bv) is np.ndarray
            and type(bp) is np.ndarray and Av.dtype == np.float64 and
            Ap.dtype == np.float64 and bv.dtype == np.float64 and bp.dtype == np.float64
            and Av.ndim == 2 and bv.ndim == 1 and Ap.ndim == 3 and bp.ndim == 2 and
            Ap.shape[2] == bp.shape[1]):
        return None
    x = _lapack.solve(Av, bv)
    if type(x) is not np.ndarray or x.ndim != 1:
        return None                     # (NumPy's own solve's errors: the general lines)
    r = -(np.matmul(Ap.transpose((2, 0, 1)), x[..., None])[..., 0])
    r = bp.transpose((1, 0)) + r        # db - dA x, directions leading (_directions)
    return make(x, _lapack.solve(Av, np.ascontiguousarray(r.transpose((1, 0)))), A.tag)


def _inv(A):
    return _inverse(A, _lapack.inv(A.value))


@partials_hushed
def _inverse(A, X):
    """:func:`_inv`'s dual of LAPACK's ``X``: ``dX = -X dA X``."""
    return make(X, _last(-(X @ _directions(A, A.tag) @ X)), A.tag)


def _slogdet(A):
    """``t = tr(A^{-1} dA)``: ``d log|det A| = Re t`` and, for a complex ``A``, the
    phase ``sign = det / |det|`` moves by ``d sign = i Im(t) sign`` (a real ``A``'s
    sign is constant).  At an exactly singular ``A`` NumPy's ``(0, -inf)`` with
    ``t = tr(adj(A) dA) / det`` from :func:`det`'s adjugate: ``+-inf`` or NaN (0 / 0)
    where ``det = 0``, no exception; the sign's partials there are 0."""
    sign, logdet = np.linalg.slogdet(A.value)
    singular = False
    try:
        t = _trace_inverse(A.value, A.partials)
        if t is None:                    # nested duals, complex
            t = _trace_solve(A.value, A.partials)
    except np.linalg.LinAlgError:        # singular (a stack: some of its matrices)
        t, singular = _slogdet_partials_singular(A), True
    if not _is_complex(A):
        return _result("slogdet")(sign, make(logdet, t, A.tag))
    s = sign if np.ndim(primal(sign)) == 0 else sign[..., None]
    if singular:                         # sign 0 there (det = 0): partials 0, not 0 * inf
        with np.errstate(invalid="ignore"):
            dsign = np.where(primal(s) == 0, 0.0, 1j * np.imag(t) * s)
    else:
        dsign = 1j * np.imag(t) * s
    return _result("slogdet")(make(sign, dsign, A.tag),
                              make(logdet, np.real(t), A.tag))


def _slogdet_partials_singular(A):
    """``tr(adj(A) dA) / det(A)`` for every direction, the singular matrices of a
    stack included: ``+-inf`` or NaN where ``det`` is 0 (NumPy's division), the
    same ``tr(A^{-1} dA)`` up to rounding elsewhere; 0 for a direction that does not
    move ``A`` at all (``dA`` exactly 0, as ``log`` of a constant 0 entry)."""
    det = _lapack.det(A.value)
    q = _det_partials_singular(A)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = q / (det if np.ndim(primal(det)) == 0 else det[..., None])
    still = np.all(_spectral.exactly_zero(A.partials), axis=(-3, -2))
    return np.where(still, 0.0, t) if still.any() else t


def _det(A):
    """``d det = det tr(A^{-1} dA)``; at a singular ``A`` (``solve`` fails) the same
    ``tr(adj(A) dA)`` with the adjugate, which exists everywhere (det is a polynomial).

    Second and higher orders (``A``'s value a dual) at an ill-conditioned ``A``
    (condition number above :data:`_CONDITIONED`, a singular one included): the
    partials of :func:`_eliminated`, Gaussian elimination with complete pivoting on
    the dual entries, which never divides by the last (tiny) pivot.  The inverse's
    formula there subtracts terms of size ``|det| ||A^{-1}||^2`` (``~1e16`` at a
    numerically rank-deficient ``A``) to get an O(1) second derivative."""
    det = _lapack.det(A.value)
    return _determinant(A, det)


@partials_hushed
def _determinant(A, det):
    """:func:`_det`'s dual of LAPACK's ``det``."""
    return make(det, _det_partials(A, det), A.tag)


def _det_partials(A, det):
    """:func:`_det`'s partials."""
    if _nonfinite(A.value):
        return _det_partials_nonfinite(A)
    if isinstance(A.value, Dual) and _ill_conditioned(primal(A.value)):
        return _eliminated(A).partials
    if _out_of_range(primal(det)):
        # det under- or overflowed where its cofactors need not: det * tr(A^-1 dA) gave
        # 0 for the cofactors [1e-30, 1e-300] (attack66 F3).  Plain values: Jacobi's
        # formula on the rows scaled by powers of two, else the adjugate's products;
        # nested: the Laplace expansion's (a polynomial, no division, so no 1 / p**2 out
        # of range as elimination's)
        if not isinstance(A.value, Dual):
            q, scaled = _det_partials_equilibrated(A)
            if bool(np.all(scaled)):
                return q
            far = _det_partials_far(A, det)
            far[scaled] = q[scaled]
            return far
        m = np.shape(primal(A.value))[-1]
        if m > _EXPANDED:
            raise errors.unsupported_function(
                f"np.linalg.det inside a Hessian of a {m} x {m} matrix whose "
                f"determinant leaves the float range (|det| = "
                f"{np.max(np.abs(primal(det))):.3g}; second derivatives there are given "
                f"up to {_EXPANDED} x {_EXPANDED}); scale the matrix (det(c A) = c**m "
                "det(A)) or take np.linalg.slogdet")
        return _laplace(A).partials
    try:
        q = _det_times_trace(A, det)
    except np.linalg.LinAlgError:
        return _det_partials_singular(A)
    if isinstance(A.value, Dual) or finite(q):
        return q
    # det in range, A finite, but NumPy's inverse overflowed (rows of 1e160 beside rows
    # of 1e-150: inf times a direction that does not move it, NaN; diff70 F1): the
    # rows scaled by powers of two hold what they can
    scaled, held = _det_partials_equilibrated(A)
    q = np.array(q)
    q[held] = scaled[held]
    return q


def _det_partials_far(A, det):
    """:func:`_det_partials` of plain matrices whose determinant left the float range
    and which :func:`_det_partials_equilibrated` cannot take: the adjugate's products
    (where the cofactors overflow too its inf * 0 gave NaN for det * tr's inf: attack66
    F9), else ``det * tr(A^-1 dA)``, matrix by matrix: a stack's member whose cofactors
    overflow took every member back to det * tr, 0 for a 1e-30 cofactor beside it
    (diff67 F3)."""
    q = _det_partials_singular(A)
    keep = np.all(np.isfinite(q), axis=-1) | (np.abs(det) < _TINY)
    if bool(np.all(keep)):
        return q
    if np.ndim(det) == 0:
        try:
            return _det_times_trace(A, det)
        except np.linalg.LinAlgError:
            return q
    # the other members alone: a singular one beside them made the stack's solve
    # fail, and every member kept the adjugate's NaN (attack68 F3)
    q, other = q.copy(), ~keep
    try:
        q[other] = _det_times_trace(A[other], det[other])
    except np.linalg.LinAlgError:         # one of them singular: each alone
        for k in zip(*np.nonzero(other)):
            try:
                q[k] = _det_times_trace(A[k], det[k])
            except np.linalg.LinAlgError:
                pass
    return q


def _det_partials_equilibrated(A):
    """:func:`_det_partials` of plain matrices up to :data:`_MINORS` x :data:`_MINORS`
    from their cofactors, each the determinant of its own minor with the minor's rows,
    then its columns, scaled by the powers of two that bring their largest entries
    into [0.5, 1) (exact where no nonzero entry leaves the normal range), rounded back
    once (``np.ldexp``); and which members of the stack it holds for.  Where det left
    the float range the SVD's adjugate, accurate only to ~eps times the largest
    singular value, gave 0 for the cofactors [1e-250, 1e-100, 1e-100] of diag(1e250,
    1e-100, 1e-250, 1e-250) and det * tr inf for the 1e50 and 1e250 of diag(1e300,
    1e100, 1e-50); where det is in range, NumPy's inverse of rows of 1e160 beside rows
    of 1e-150 overflowed (NaN and inf cofactors, diff70 F1).  Each minor scaled alone:
    ``det W (W^-1)^T`` of the whole scaled matrix is accurate only beside the largest
    cofactor (attack70 F1: 6.6e201 for -1.14e171).  A member with a minor whose scaling
    moves a nonzero entry below the normal range, or whose scaled determinant lies
    below it, is not held (the second result false there)."""
    V = A.value
    m = V.shape[-1]
    members = V.shape[:-2]
    if not 2 <= m <= _MINORS:
        return np.zeros(members + (A.partials.shape[-1],), dtype=A.partials.dtype), \
            np.zeros(members, dtype=bool)
    keep = np.array([[k for k in range(m) if k != i] for i in range(m)])
    M = V[..., keep[:, None, :, None], keep[None, :, None, :]]   # (..., i, j, m-1, m-1)
    with np.errstate(all="ignore"):
        r = np.frexp(np.max(np.abs(M), axis=-1))[1]
        W = _ldexp(M, -r[..., None])
        c = np.frexp(np.max(np.abs(W), axis=-2))[1]
        W = _ldexp(W, -c[..., None, :])
        d = np.linalg.det(W)
        held = ~np.any((np.abs(W) < _TINY) & (M != 0.0), axis=(-2, -1)) & \
            ((np.abs(d) >= _TINY) | (d == 0.0)) & np.isfinite(d)
        held = np.all(held, axis=(-2, -1))
        sign = np.where(np.add.outer(np.arange(m), np.arange(m)) % 2 == 0, 1.0, -1.0)
        C = sign * _ldexp(d, np.sum(r, axis=-1) + np.sum(c, axis=-1))
        dA = A.partials
        q = np.sum(np.where(dA == 0.0, 0.0, C[..., None] * dA), axis=(-3, -2))
    return q, held


_MINORS = 8          # det's partials by scaled minors (m**2 determinants) up to this size


def _ldexp(x, e):
    """``x * 2**e`` rounded once (complex ``x`` part by part)."""
    if np.iscomplexobj(x):
        return np.ldexp(x.real, e) + 1j * np.ldexp(x.imag, e)
    return np.ldexp(x, e)

def _det_times_trace(A, det):
    """``det * tr(A^-1 dA)``, Jacobi's formula (LinAlgError where A is singular)."""
    tr = _trace_inverse(A.value, A.partials)
    if tr is None:
        tr = _trace_solve(A.value, A.partials)
    return det * tr if np.ndim(primal(det)) == 0 else det[..., None] * tr


def _out_of_range(det):
    """Does some determinant of ``det`` (plain values) lie outside the normal range
    (0, subnormal, inf)?  There ``det * tr(A^-1 dA)`` loses the cofactors."""
    if type(det) is np.float64 or type(det) is float:
        return not _TINY <= abs(det) <= _HUGE
    d = np.abs(det)
    return not bool(np.all((d >= _TINY) & (d <= _HUGE)))


_EXPANDED = 4        # nested duals of a singular matrix: Laplace expansion up to this size
# The condition number above which det's second and higher derivatives leave the
# inverse's formula (its cancellation loses about cond * 1e-16, relative, per order)
_CONDITIONED = 1e4


def _ill_conditioned(V):
    """Is some matrix of the stack ``V`` (plain values) singular or has it a condition
    number above :data:`_CONDITIONED`?  (Its singular values: one SVD, no vectors.)"""
    if V.size == 0:
        return False
    s = np.linalg.svd(V, compute_uv=False)
    return bool(np.any(s[..., -1] * _CONDITIONED <= s[..., 0]))


def _eliminated(A):
    """``det`` of the dual matrix ``A`` (a stack; any nesting) by Gaussian elimination
    with complete pivoting on the dual entries: at each step the largest entry of the
    remaining block (by value) is the pivot, its row and column leave, the block
    takes the rank-one update.  Only the first ``m - 1`` pivots are divided by, and
    at a matrix of rank ``m - 1`` they are all O(its singular values), so the
    partials of every order are accurate to rounding there; the terms that cancel
    algebraically (``p (a - b c / p) = p a - b c``) stay O(1).  A remaining block
    whose largest value is exactly 0 (rank ``m - 2`` or less, exactly) goes to the
    Laplace expansion (a polynomial) up to ``_EXPANDED`` x ``_EXPANDED``.  A loop
    over the ``m`` pivots, each step whole-array operations on the stack."""
    shape = np.shape(primal(A))
    m = shape[-1]
    S = np.reshape(A, (-1, m, m))
    b = np.arange(np.shape(primal(S))[0])
    total = None
    for r in range(m, 0, -1):
        if r == 1:
            pivot = S[:, 0, 0]
            total = pivot if total is None else total * pivot
            break
        size = np.abs(primal(S)).reshape(len(b), r * r)
        flat = np.argmax(size, axis=-1)
        if np.any(size[b, flat] == 0.0):              # an exactly zero block: polynomial
            if r > _EXPANDED:
                raise errors.unsupported_function(
                    f"np.linalg.det inside a Hessian of a matrix whose rank is {m - r} "
                    f"or less ({r} x {r} block of zeros left; second derivatives there are "
                    f"given for such blocks up to {_EXPANDED} x {_EXPANDED}; move the "
                    "point off the singular set, or write det of the small blocks")
            rest = _laplace(S)
            total = rest if total is None else total * rest
            break
        i, j = np.divmod(flat, r)
        pivot = S[b, i, j]
        row = S[b, i, :]
        col = S[b, :, j]
        signed = np.where((i + j) % 2 == 0, pivot, -pivot)
        total = signed if total is None else total * signed
        S = S - col[:, :, None] * (row / pivot[:, None])[:, None, :]
        keep = np.arange(r - 1)[None, :]
        rows = np.where(keep < i[:, None], keep, keep + 1)
        cols = np.where(keep < j[:, None], keep, keep + 1)
        S = S[b[:, None, None], rows[:, :, None], cols[:, None, :]]
    return np.reshape(total, shape[:-2])


def _det_partials_singular(A):
    """``sum_ij adj(A)_ji dA_ij`` at a singular ``A``.  Plain values: the adjugate from
    the SVD ``A = U S V^H``, ``adj(A) = det(U) det(V^H) V adj(S) U^H`` with
    ``adj(S) = diag(prod_{j != i} s_j)`` (no division by the zero singular value).
    Nested duals (Hessians): the partials of the Laplace expansion of ``det``, a
    polynomial in the dual entries, for matrices up to ``_EXPANDED`` x ``_EXPANDED``."""
    V = A.value
    m = np.shape(primal(V))[-1]
    if isinstance(V, Dual):
        if m > _EXPANDED:
            raise errors.unsupported_function(
                f"np.linalg.det of a singular {m} x {m} matrix inside a Hessian (second "
                f"derivatives there are given up to {_EXPANDED} x {_EXPANDED}; move the "
                "point off the singular set, or write det of the small blocks")
        return _laplace(A).partials
    U, s, Vh = np.linalg.svd(V)
    ones = np.ones(s.shape[:-1] + (1,))
    before = np.cumprod(np.concatenate([ones, s[..., :-1]], axis=-1), axis=-1)
    after = np.cumprod(np.concatenate([ones, s[..., :0:-1]], axis=-1), axis=-1)[..., ::-1]
    phase = np.linalg.det(U) * np.linalg.det(Vh)
    adj = (_H(Vh) * (before * after)[..., None, :]) @ _H(U)
    adj = adj * np.asarray(phase)[..., None, None]
    if not np.iscomplexobj(V):
        adj = np.real(adj)
    return np.einsum("...ji,...ijn->...n", adj, A.partials)


def _laplace(A):
    """``det`` of a small dual matrix (stacked too) by the Laplace expansion along its
    first row: a polynomial in the entries, so its partials hold at any rank."""
    m = np.shape(primal(A))[-1]
    if m == 1:
        return A[..., 0, 0]
    total = 0.0
    for c in range(m):
        minor = np.delete(A[..., 1:, :], c, axis=-1)
        term = A[..., 0, c] * _laplace(minor)
        total = total + term if c % 2 == 0 else total - term
    return total


def _det_partials_nonfinite(A):
    """``d det = sum_ij C_ij dA_ij`` with the cofactors ``C_ij`` (determinants of the
    minors), each product NaN-safe: an entry that is inf or NaN reaches only the
    directions that move it, as in the expanded formula (``a d - b c``)."""
    V = A.value
    if isinstance(V, Dual):                       # nested: cofactors of the duals
        raise errors.unsupported_function(
            "np.linalg.det of a matrix holding inf or NaN inside a Hessian")
    m = V.shape[-1]
    cof = np.ones(V.shape, dtype=np.result_type(V.dtype, float))
    with np.errstate(invalid="ignore", over="ignore"):
        for r in range(m if m > 1 else 0):
            for c in range(m):
                minor = np.delete(np.delete(V, r, axis=-2), c, axis=-1)
                cof[..., r, c] = (-1.0) ** (r + c) * np.linalg.det(minor)
        parts = [np.sum(np.where(dA == 0.0, 0.0, cof * dA), axis=(-2, -1))
                 for dA in _split(A, A.tag)[1]]
    return _stack(parts)


def _triangle(dA, uplo):
    """The change of the Hermitian (real: symmetric) matrix NumPy factors when only
    the triangle ``uplo`` of ``A`` is read: that triangle, mirrored (conjugated for
    complex partials, whose diagonal NumPy reads as real: LAPACK takes the real part
    of a Hermitian matrix's diagonal).  The other triangle's entries do not move the
    result at all (``eigh``, ``eigvalsh`` and ``cholesky`` never look at it)."""
    m = np.shape(primal(dA))[-1]
    lower = _masks(m)[0]
    mirrored = _conj(np.swapaxes(dA, -1, -2))
    if uplo == "L":                      # entries i >= j as they are, i < j mirrored
        out = np.where(lower, dA, mirrored)
    else:
        out = np.where(lower, mirrored, dA)
    if np.iscomplexobj(primal(dA)):
        out = np.where(np.eye(m, dtype=bool), np.real(out), out)
    return out


def _hermitian(a):
    """The dual Hermitian matrix that NumPy's ``hermitian=True`` paths factor: the lower
    triangle of ``a`` mirrored (conjugated), its diagonal real for complex ``a``."""
    lower = _masks(np.shape(primal(a))[-1])[0]
    out = np.where(lower, a, _conj(np.swapaxes(a, -1, -2)))
    if np.iscomplexobj(primal(a)):
        m = np.shape(primal(a))[-1]
        out = np.where(np.eye(m, dtype=bool), np.real(out), out)
    return out


def _check_uplo(who, uplo):
    if uplo not in ("L", "U"):
        raise errors.bad_argument(who, "UPLO 'L' or 'U'", repr(uplo))


def _cholesky(A, upper=False):
    """NumPy reads the lower triangle (the upper one with ``upper=True``); the
    partials are those of the factor of that triangle mirrored (Hermitian):
    ``dL = L Phi`` with ``S = L^{-1} dA L^{-H}`` and ``Phi = tril(S, -1) + Re diag(S) / 2``
    (the factor's diagonal is real)."""
    V, P = A.value, A.partials
    if not upper and _lapack.square(V) and type(P) is np.ndarray and P.dtype == np.float64:
        L, dL = _cholesky_real(V, P)
        if not finite(L):                # each matrix of a stack with an inf or NaN
            bad = ~np.isfinite(L).all(axis=(-2, -1))
            for i in zip(*np.nonzero(bad)) if V.ndim > 2 else [()]:
                _confine(V[i], P[i], L[i], dL[i])
        return make(L, dL, A.tag)
    L = _lapack.cholesky(A.value)
    if upper:                            # NumPy's own factor of the upper triangle
        L = _H(np.linalg.cholesky(A.value, upper=True))
    Linv = _lapack.inv(L)
    dA = _triangle(_directions(A, A.tag), "U" if upper else "L")
    S = Linv @ dA @ _H(Linv)
    if np.iscomplexobj(primal(S)):       # rounding leaves an imaginary part there
        S = np.where(np.eye(np.shape(primal(S))[-1], dtype=bool), np.real(S), S)
    lower, weights = _masks(np.shape(primal(S))[-1])
    phi = np.where(lower, S * weights, 0.0)      # tril(S, -1) + diag(S) / 2
    dL = _last(L @ phi)
    if not finite(primal(L)):            # nested, upper or complex:
        V, P = A.value, A.partials                  # (the upper triangle read as lower:
        if upper:                                   # its conjugate transpose)
            V, P = _H(V), _conj(np.swapaxes(P, -3, -2))
        dL = _confined(V, P, L, dL, A.tag)
        if np.iscomplexobj(primal(L)):   # complex: the real diagonal stays real (NaN
            m = np.shape(primal(L))[-1]  # from the products: attack52 05)
            diagonal = (Ellipsis, np.arange(m), np.arange(m), slice(None))
            dL[diagonal] = np.real(dL[diagonal])
    out = make(L, dL, A.tag)
    if errors.WATCHING[0]:
        _report_roots(out)
    return _H(out) if upper else out


def _report_roots(L):
    """dg.quad's / dg.solve_ivp's watch: a Cholesky factor's diagonal is the square
    root of its pivots, a kink where a pivot touches 0 at a moving place
    (``cholesky(E1 (x - p)^2 + E2)[0, 0]`` is ``|x - p|``; attack53 03): reported as
    ``np.sqrt``'s touch is, its place the signed root ``sign(dL_ii / dp_j) L_ii``."""
    from ..rules._table import ROOT_TOUCH
    d = np.diagonal(L, axis1=-2, axis2=-1)
    if not isinstance(d, Dual) or np.iscomplexobj(primal(d)):
        return
    slopes = np.asarray(primal(d.partials))
    if slopes.dtype.kind != "f" or not slopes.size:
        return
    moving = np.flatnonzero(np.any(slopes.reshape(-1, slopes.shape[-1]) != 0, axis=0))
    if moving.size:
        sign = np.sign(slopes[..., int(moving[0])])
        errors.report_branch(ROOT_TOUCH, (d * np.where(sign == sign, sign, 0.0),), None)


def _confined(V, P, L, dL, tag):
    """:func:`_confine` for partials that are dual arrays themselves (Hessians: attack50
    16: one NaN entry of ``A`` gave an all-NaN second derivative) or the factor of the
    upper triangle (``upper=True``, attack51 08: ``V``, ``P`` transposed), real: each matrix of
    the stack with an inf or NaN, on a copy of ``dL`` (a dual array's writes are the
    dual setitem)."""
    dL = dL.copy()
    bad = ~np.isfinite(primal(L)).all(axis=(-2, -1))
    if not np.ndim(bad):
        _confine(V, P, L, dL, tag)
    for i in zip(*np.nonzero(bad)) if np.ndim(bad) else []:
        _confine(V[i], P[i], L[i], dL[i], tag)
    return dL


_TRIANGULAR = 16     # Cholesky's tangent by triangular products from this order on


def _cholesky_real(V, P):
    """``(L, dL)`` of real float64 matrices ``V`` with float64 partials ``P``: by
    triangular products for one large matrix (:func:`_cholesky_triangular`), else
    :func:`_cholesky`'s dense products."""
    if V.ndim == 2 and V.shape[-1] >= _TRIANGULAR and _scipy_blas_lapack() is not None:
        done = _cholesky_triangular(V, P)
        if done is not None:
            return done
    L, Linv = _lapack.cholesky_and_inverse(V)    # the general path's steps, real
    lower, weights = _masks(V.shape[-1])
    dA = P.transpose((P.ndim - 1,) + tuple(range(P.ndim - 1)))   # _directions'
    dA = np.where(lower, dA, np.swapaxes(dA, -1, -2))
    S = Linv @ dA @ np.swapaxes(Linv, -1, -2)
    return L, _last(L @ np.where(lower, S * weights, 0.0))


def _confine(V, P, L, dL, tag=None):
    """``dL`` where ``L`` is finite, written in place, for a factor ``L`` with an inf or
    NaN: the products over the whole matrix (an inverse, dense or blocked BLAS
    products) let one NaN entry of ``A`` make every row's tangent NaN (attack49 29: d
    L[0, 0] = 1 / (2 L[0, 0]) was NaN for a NaN at A[m - 1, 0]).  The rows above the
    first row ``r`` with one are the factor of ``V[:r, :r]``, their tangent that
    block's (0 right of it); a later row's first ``c <= r`` entries, where finite,
    solve ``X L_c^H = A[i, :c]``, so ``dX = (dA[i, :c] - X dL_c^H) L_c^-H`` (complex
    factors too: a NaN at ``A[r, r]``, attack52 05b)."""
    bad = ~np.isfinite(primal(L))
    dL[np.triu_indices(L.shape[-1], 1)] = 0.0   # (L's zeros above its diagonal: 0,
    r = int(np.argmax(bad.any(axis=-1)))         # a NaN at A[0, 0] too: attack52 05)
    if r == 0:
        return
    if tag is None:                      # float64 values and partials
        Lr, dLr = _cholesky_real(np.ascontiguousarray(V[:r, :r]),
                                 np.ascontiguousarray(P[:r, :r]))
    else:                                # (a dual block: its factor's own dispatch)
        top = _cholesky(make(V[:r, :r], P[:r, :r], tag))
        Lr, dLr = top.value, top.partials
    if not finite(primal(Lr)):           # (rounding gave another factor: leave it)
        return
    dL[:r, :r] = dLr
    leading = np.where(bad[r:].any(axis=-1), np.argmax(bad[r:], axis=-1), L.shape[-1])
    leading = np.minimum(leading, r)     # (finite entries of each later row, from 0)
    for c in np.unique(leading[leading > 0]):
        rows = r + np.flatnonzero(leading == c)
        Lc, dLc = Lr[:c, :c], np.moveaxis(dLr[:c, :c], -1, 0)      # (n, c, c)
        X = L[rows, :c]
        B = np.moveaxis(P[rows, :c], -1, 0) - X @ np.conj(np.swapaxes(dLc, -1, -2))
        Y = np.linalg.solve(np.conj(Lc), np.swapaxes(B, -1, -2))     # conj(L_c)^-1 B^T
        dL[rows, :c] = np.moveaxis(np.swapaxes(Y, -1, -2), 0, -1)


@functools.lru_cache(maxsize=None)
def _scipy_blas_lapack():
    """``(scipy.linalg.blas, scipy.linalg.lapack)``, imported on first use, or ``None``
    without SciPy (an optional dependency: :func:`_cholesky` then keeps its dense
    products)."""
    try:
        import scipy.linalg.blas
        import scipy.linalg.lapack
    except ImportError:                  # pragma: no cover - SciPy is installed in CI
        return None
    return scipy.linalg.blas, scipy.linalg.lapack


def _cholesky_triangular(V, P):
    """``(L, dL)`` of one real ``m x m`` matrix ``V`` and its float64 partials ``P``
    (``(m, m, n)``), or ``None`` where LAPACK reports a singular ``L`` (the general
    path then raises NumPy's error): :func:`_cholesky`'s ``S = L^-1 dA L^-T`` and
    ``dL = L Phi`` by three triangular products a direction (BLAS ``trmm``, every
    direction one call) and ``L^-1`` by ``trtri`` once: ``3 m^3`` flops a direction at
    ``trmm``'s rate, where ``inv`` and three dense products took ``6 m^3`` (userml48;
    ``PYTHONPATH=. python bench/cholesky_tangent.py``).  (Triangular solves, ``trsm``,
    take the same flops as ``trmm`` but OpenBLAS runs them at half its rate: slower
    than the dense products from two directions on.)  ``S`` is symmetric, so its
    second product is ``L^-1 X^T`` with ``X = L^-1 dA``.  The directions' matrices are
    laid side by side as Fortran's ``(m, n m)`` columns: a C stack of symmetric
    matrices is that already, without a copy.  Below order ``_TRIANGULAR`` the BLAS
    calls' overhead exceeds what they save."""
    blas, lapack = _scipy_blas_lapack()
    m, n = P.shape[-2], P.shape[-1]
    L = _lapack.cholesky(V)
    Li, info = lapack.dtrtri(L, lower=1)
    if info != 0:
        return None
    lower, weights = _masks(m)
    dA = P.transpose(2, 0, 1)                        # (n, m, m), read as NumPy reads A
    dA = np.where(lower, dA, dA.transpose(0, 2, 1))  # the lower triangle, mirrored
    U, W = L.T, np.asarray(Li).T                     # Fortran's views: op(U^T) = L
    X = blas.dtrmm(1.0, W, dA.reshape(n * m, m).T, lower=0, trans_a=1, overwrite_b=1)
    # X = [X_1 .. X_n] (Fortran); the next right-hand factors are the X_k^T side by side
    Xt = np.ascontiguousarray(X.T.reshape(n, m, m).transpose(0, 2, 1))
    S = blas.dtrmm(1.0, W, Xt.reshape(n * m, m).T, lower=0, trans_a=1, overwrite_b=1)
    # Fortran's [Phi_1 .. Phi_n] is the C stack of the Phi_k^T: triu(S_k, 1) + diag(S_k)
    # / 2 (S_k symmetric), read from S's own buffer as it is
    S = S.T.reshape(n, m, m)
    Pt = np.where(lower.T, S * weights.T, 0.0)
    dL = blas.dtrmm(1.0, U, Pt.reshape(n * m, m).T, lower=0, trans_a=1, overwrite_b=1)
    return L, np.ascontiguousarray(dL.reshape((m, m, n), order="F"))


def _pinned(V, dV, row, who):
    """``dV`` of unit columns whose phases LAPACK fixes by making row ``row`` of ``V``
    real (complex ``eigh``: the first row for ``UPLO='L'``, the last for ``'U'``;
    complex ``svd``: the first row of the right vectors, of the left ones for wide
    matrices): ``dV`` given with ``Im(v_k^H dv_k) = 0``, plus ``i theta_k v_k`` so that
    that row stays real.  Raises where the row is not real (another LAPACK's
    convention) or has a zero, where the phase has no derivative."""
    row = row % np.shape(primal(V))[-2]
    pivot = primal(V)[..., row, :]
    size = np.abs(pivot)
    if np.any(np.abs(pivot.imag) > 1e-12 * np.maximum(size, 1e-300)) or np.any(size == 0):
        raise errors.unsupported_function(
            f"{who} of a complex matrix here (its vectors' phases are set by LAPACK; "
            "this LAPACK does not make the expected row real, or that row has a zero, "
            "so they have no derivative dualgrad can give; functions of the values, or "
            "of |V|, V V^H, avoid the phases)")
    theta = -np.imag(dV[..., row:row + 1, :]) / np.real(V[..., row:row + 1, :])
    return dV + 1j * V * theta


def _eigh(A, UPLO="L", _phase=True):
    """NumPy reads the triangle ``UPLO`` only: the partials are those of the
    Hermitian matrix made of that triangle, mirrored: ``M = V^H dA V``,
    ``dw = Re diag(M)``, ``dV = V (F o M)`` (complex: with LAPACK's phases).

    At repeated eigenvalues (exactly, or within LAPACK's resolution ``8 m eps max|w|``:
    :func:`._spectral.resolution`) ``F_ij = 1 / 0``: the pair's term is 0 where
    ``M_ij`` is 0 to rounding (exact: the basis stays an eigenbasis), NaN otherwise
    (no derivative; see :mod:`._spectral`); ``dw`` stays ``diag(M)`` where ``M``'s
    block of the cluster is diagonal (so ``V f(w) V^H`` is exact) and is the
    cluster's mean ``trace(M_cc) / k`` where it mixes (:func:`._spectral.clustered`).
    ``eigvalsh`` gives the mean always.

    ``_phase=False`` (the inner level of a Hessian of the values alone): complex vectors'
    partials in the gauge ``Im(v_k^H dv_k) = 0``, not LAPACK's phase: the values'
    partials ``v_k^H dA v_k`` do not depend on a vector's phase, so a zero in the row
    whose phase LAPACK fixes does not refuse there (attack44 repro_12)."""
    _check_uplo("np.linalg.eigh", UPLO)
    w, V = _lapack.eigh(A.value, UPLO)
    gap = w[..., None, :] - w[..., :, None]
    M = _H(V) @ _triangle(_directions(A, A.tag), UPLO) @ V
    diag = np.diagonal(M, axis1=-2, axis2=-1)
    near = _spectral.tied(gap, w, lambda: _spectral.block_scale(A.value, V))
    ties = _resolved_h(near, A.value, UPLO, w, V)     # the values' ties (the vectors':
    dV = V @ _spectral.couple(_spectral.inverse_gaps(gap) * M, M, near)   # a priori)
    if np.iscomplexobj(primal(V)):
        diag = np.real(diag)
        if _phase:
            dV = _pinned(V, dV, 0 if UPLO == "L" else -1, "np.linalg.eigh")
    if ties is not None:
        diag, lost = _spectral.clustered(diag, ties, w, M, vectors=True, tag=A.tag)
        if lost.any():                   # the second order picks another basis / order
            dV = np.where(lost[..., None, :], _spectral.nan_like(dV), dV)
    result = _result("eigh")
    return result(make(w, _last(diag), A.tag), make(V, _last(dV), A.tag))


def _resolved_h(ties, A, UPLO, w, V):
    """:func:`._spectral.resolved` for ``eigh`` / ``eigvalsh`` (``A`` the value, maybe a
    dual, of which NumPy reads the triangle ``UPLO``): a close pair of a Hermitian
    matrix that its residuals resolve is no tie for the values (eig49: ``[0.5, 0.5]``
    for ``[1, 0]`` with the pair ``6e-11`` apart beside ``1e3``); ``V^-1 = V^H``,
    ``||P|| = 1``.  The vectors keep the a priori ties: their pair term ``C_ij / gap``
    takes rounding's turn of the pair's vectors (``~rho / gap``) over the gap once more,
    an error ``|dA| rho / gap^2`` (``3.6e6`` for an exact 0 at ``6e-11``), not the values'
    ``|dA| rho / gap``.  A stack's matrices each by their own (:func:`_each_member`)."""
    if ties is None:
        return ties

    def one(a, ties, w, V):
        def hermitian():                 # (only past resolved's cheap tests)
            lower = _masks(a.shape[-1])[0]
            mirrored = np.conj(a.T)
            H = np.where(lower, a, mirrored) if UPLO == "L" else np.where(lower, mirrored, a)
            if np.iscomplexobj(H):
                H = np.where(np.eye(a.shape[-1], dtype=bool), np.real(H), H)
            return H
        return _spectral.resolved(ties, hermitian, w, V, None, unitary=True)
    return _each_member(one, ties, primal(A), primal(w), primal(V))


def _each_member(one, ties, A, w, V):
    """``one(A, ties, w, V)`` (a 2-D matrix's :func:`._spectral.resolved` ties, or
    ``None``) of each matrix of a stack (plain ``A``, ``(..., m, n)``) that has a tied
    pair, gathered (``None`` where none is left).  Kept whole, a stack's a priori ties
    gave the cluster's mean slope to a pair that only its tolerance tied (attack68 F1,
    F1c: ``d s_3 / d A_00`` 0.22 for 0.64 beside ``2 I``).  A loop over the tied
    members only (the ordinary stack has none and never gets here)."""
    if A.ndim == 2:
        return one(A, ties, w, V)
    out = np.zeros_like(ties)
    for idx in zip(*np.nonzero(np.any(ties, axis=(-2, -1)))):
        kept = one(A[idx], ties[idx], w[idx], V[idx])
        if kept is not None:
            out[idx] = kept
    return out if out.any() else None


def _resolved_svd(ties, A, s, U, V, hermitian):
    """:func:`._spectral.resolved` for the singular values (``ties``:
    :func:`_singular_ties`' a priori ``NEAR m eps s_1``; of the squares, ``s = 1 +- 1e-9``
    beside ``1e3`` at ``m = 10`` was one value, its slopes ``[0.5, 0.5]`` for ``[1, 0]``): the
    pairs
    ``(u_i, v_i) / sqrt(2)`` are eigenvectors of the Hermitian dilation ``[[0, A], [A^H,
    0]]`` for ``s_i``, whose residuals bound each ``s_i``'s rounding.  The values only
    (the vectors keep the a priori ties, as :func:`_resolved_h`'s); ``hermitian=True``
    (NumPy's eigh of one triangle) keeps them too; a stack's matrices are resolved each
    by their own (:func:`_each_member`)."""
    if ties is None or hermitian:
        return ties

    def one(a, ties, s, X):
        def dilation():                  # (only past resolved's cheap tests)
            m, n = a.shape
            D = np.zeros((m + n, m + n), dtype=a.dtype)
            D[:m, m:], D[m:, :m] = a, np.conj(a.T)
            return D
        return _spectral.resolved(ties, dilation, s, X, None, unitary=True)
    X = np.concatenate([primal(U), primal(V)], axis=-2) / np.sqrt(2.0)
    return _each_member(one, ties, primal(A), primal(s), X)


def _eigvalsh_only(A, UPLO):
    """``dw_i = Re(v_i^H dA v_i)`` for every direction, without the eigenvectors' partials
    (nested duals: the inner level's vectors in any phase, :func:`_eigh`'s ``_phase``)."""
    if isinstance(A.value, Dual):
        w, V = _eigh(A.value, UPLO, _phase=False)
    else:
        w, V = _lapack.eigh(A.value, UPLO)
    dA = _triangle(_directions(A, A.tag), UPLO)
    dw = np.sum(_conj(V) * (dA @ V), axis=-2)       # the diagonal of V^H dA V
    if np.iscomplexobj(primal(dw)):
        dw = np.real(dw)
    ties = _resolved_h(_spectral.tied(w[..., None, :] - w[..., :, None], w,
                                      lambda: _spectral.block_scale(A.value, V)),
                       A.value, UPLO, w, V)
    if ties is not None:                                # repeated: the cluster's mean
        dw = _spectral.clustered(dw, ties, w, _H(V) @ dA @ V, tag=A.tag)
    return make(w, _last(dw), A.tag)


def _eigvalsh(A, UPLO="L"):
    _check_uplo("np.linalg.eigvalsh", UPLO)
    return _eigvalsh_only(A, UPLO)


@partials_hushed
def _svd(a, full_matrices=True, compute_uv=True, hermitian=False, _deficient="raise",
         _phase=True):
    """Singular values ``ds_i = Re(u_i^H dA v_i)``; singular vectors from the standard
    identities with ``F_ij = 1 / (s_j^2 - s_i^2)`` (distinct singular values; taken as
    ``1 / ((s_j - s_i)(s_j + s_i))`` on ``s / s_1``: :func:`_inverse_square_gaps`), for
    complex matrices with LAPACK's phases (see :func:`_pinned`).  Equal singular
    values (``s`` within ``NEAR k eps s_1``: :func:`_singular_ties`; a matrix of a stack
    resolved by its own residuals, :func:`_resolved_svd`): the pair's term is 0 where
    ``P = U^H dA V`` is 0 to rounding at
    ``(i, j)`` and ``(j, i)``, NaN otherwise (:mod:`._spectral`); a zero singular value
    (rank deficiency, so also a block of them) raises, as the ``1 / s`` terms of the
    vectors do not exist there.  ``ds`` is ``diag(P)``; at equal nonzero singular values
    as eigh's values with the vectors, as eigvalsh's without (:func:`_clustered_svd`:
    the cluster's mean where the direction mixes it, ordered by the second order where
    only that splits it).

    Only the thin factors are unique, so ``full_matrices=True`` is supported for
    square matrices alone.

    ``compute_uv=False`` of nested duals (a Hessian) differentiates the inner level's
    vectors: there a zero singular value does not raise (``_deficient="nan"``), its
    vectors' partials are NaN instead (a zero singular value has a kink: its own
    second derivative is NaN), the other columns exact where their singular values
    are nonzero (attack44 repro_03), and in any common phase of each pair ``(u_k, v_k)``
    (``_phase=False``: ``u_k^H dA v_k`` does not depend on it, so a zero in the row whose
    phase LAPACK fixes does not refuse there: attack44 repro_12)."""
    A = a.value
    m, n = A.shape[-2:]
    if compute_uv and full_matrices and m != n:
        raise errors.unsupported_function(
            "np.linalg.svd with full_matrices=True of a non-square matrix (the extra "
            "columns are not unique; pass full_matrices=False)")
    cplx = _is_complex(a)
    if compute_uv and hermitian and cplx:
        raise errors.unsupported_function(
            "np.linalg.svd with hermitian=True and compute_uv=True of a complex matrix "
            "(its vectors' phases follow eigh's; pass hermitian=False)")
    good = _finite_matrices(primal(A), hermitian)
    if not compute_uv and type(A) is np.ndarray and not good.all():
        # NumPy's NaN values, NaN partials: no vectors there (the tie resolution's
        # loops never ended on LAPACK's NaN vectors with numba loaded: attack66 F10)
        s = np.linalg.svd(A, compute_uv=False, hermitian=hermitian)
        partials = np.full(s.shape + a.partials.shape[-1:], np.nan)
        if good.any():                                    # (attack67 F2: per matrix)
            partials[good] = np.asarray(_svd(a[good], full_matrices, False, hermitian,
                                             _deficient, _phase=_phase).partials)
        return make(s, partials, a.tag)
    if not good.all():
        return _svd_not_finite(a, ~good, full_matrices, compute_uv, hermitian, _deficient,
                               _phase)
    if isinstance(A, Dual) and not compute_uv or _deficient == "nan" and isinstance(A, Dual):
        U, s, Vt = _svd(A, False, True, hermitian, "nan",    # the inner level's vectors
                        _phase=_phase and compute_uv)
    else:
        U, s, Vt = np.linalg.svd(A, full_matrices=False, hermitian=hermitian)
    if compute_uv and not hermitian and _deficient == "raise":
        lean = _svd_square(a, U, s, Vt)
        if lean is not None:
            return lean
    V = _H(Vt)
    Ut = _H(U)
    if compute_uv:
        F, C = _inverse_square_gaps(s)
        sv = primal(s)                       # numerically zero, as np.linalg.matrix_rank
        zero = sv <= sv[..., :1] * max(m, n) * np.finfo(float).eps
        if _deficient == "nan":
            S = s[..., None, :]
            inv_s = 1.0 / np.where(zero[..., None, :], 1.0, S)    # NaN'd below
        elif np.any(zero):
            raise errors.unsupported_function(
                "np.linalg.svd of a rank-deficient matrix (its singular vectors have no "
                "derivative there; compute_uv=False gives the singular values)")
        if _deficient != "nan":
            S = s[..., None, :]               # X * S == X @ diag(s);  St * X == diag(s) @ X
            inv_s = 1.0 / S
        St = np.swapaxes(S, -1, -2)
    dA = _directions(a, a.tag)
    if hermitian:                         # NumPy factors the lower triangle (eigh)
        dA = _triangle(dA, "L")
    if not compute_uv:                    # the diagonal of U^H dA V alone
        ds = np.sum(_conj(U) * (dA @ V), axis=-2)
        ds = np.real(ds) if np.iscomplexobj(primal(ds)) else ds
        ties = _resolved_svd(_nonzero_ties(_singular_ties(s), s), A, s, U, V, hermitian)
        if ties is not None:              # repeated: the cluster's mean, or the order
            ds = _clustered_svd(ds, ties, s, Ut @ dA @ V, a.tag)
        return make(s, _last(ds), a.tag)
    P = Ut @ dA @ V
    diag = np.diagonal(P, axis1=-2, axis2=-1)
    Ph = _H(P)
    ties = _singular_ties(s)            # equal singular values: 0 or NaN, not 1 / 0
    # a tied pair's terms are h / (s_j - s_i) +- a / (s_i + s_j) (h, a: P's Hermitian and
    # anti-Hermitian parts): the first as the rule decides on h (the pair of eigenvalues
    # +s of the dilation [[0, A], [A^H, 0]]), the second finite (+s against -s)
    Herm = 0.5 * (P + Ph) if ties is not None else P
    Ct = np.swapaxes(C, -1, -2)          # F (P S + S P^H) = F' (P C + C^T P^H): C = S / t
    XU = _spectral.couple(F * (P * C + Ct * Ph), Herm, ties)
    XV = _spectral.couple(F * (Ct * P + Ph * C), Herm, ties)
    apart = _nonzero_ties(ties, s)
    if apart is not None:
        sums = S + St
        anti = 0.5 * (P - Ph) / np.where(apart, sums, 1.0)
        XU = np.where(apart, XU + anti, XU)
        XV = np.where(apart, XV - anti, XV)
    dU = U @ XU + (dA @ V - U @ P) * inv_s
    dV = V @ XV + (_H(dA) @ U - V @ Ph) * inv_s
    if np.iscomplexobj(primal(P)):
        # u_k^H du_k - conj(v_k^H dv_k) = i Im(P_kk) / s_k: all of it on dU here, then
        # the common phase of (u_k, v_k) that keeps LAPACK's real row real
        diag_im = 1j * np.imag(diag)
        dU = dU + U * (diag_im[..., None, :] * inv_s)
        diag = np.real(diag)
        if not _phase:
            pass
        elif m >= n:
            phased = _pinned(V, dV, 0, "np.linalg.svd")
            dU = dU + U * (phased - dV)[..., :1, :] / V[..., :1, :]
            dV = phased
        else:
            phased = _pinned(U, dU, 0, "np.linalg.svd")
            dV = dV + V * (phased - dU)[..., :1, :] / U[..., :1, :]
            dU = phased
    if _deficient == "nan" and np.any(zero):     # a zero singular value's vectors
        cols = zero[..., None, :]
        dU = np.where(cols, _spectral.nan_like(dU), dU)
        dV = np.where(cols, _spectral.nan_like(dV), dV)
    ties = _resolved_svd(_nonzero_ties(ties, s), A, s, U, V, hermitian)
    if ties is not None:                  # repeated: as eigh's values (pairing)
        diag, lost = _clustered_svd(diag, ties, s, P, a.tag, vectors=True)
        if lost.any():                    # the second order picks another basis / order
            dU = np.where(lost[..., None, :], _spectral.nan_like(dU), dU)
            dV = np.where(lost[..., None, :], _spectral.nan_like(dV), dV)
    s_dual = make(s, _last(diag), a.tag)
    result = _result("svd")
    return result(make(U, _last(dU), a.tag), s_dual, make(Vt, _last(_H(dV)), a.tag))


def _finite_matrices(A, hermitian):
    """Which matrices of the stack ``A`` (plain values) NumPy's ``svd`` reads as finite:
    every entry, or with ``hermitian`` the lower triangle's (eigh's ``UPLO="L"``: an inf
    above the diagonal is never read)."""
    if hermitian:
        A = np.tril(A)
    return np.all(np.isfinite(A), axis=(-2, -1))


def _svd_not_finite(a, bad, full_matrices, compute_uv, hermitian, _deficient, _phase):
    """:func:`_svd` of ``a`` where the matrices ``bad`` of its stack hold an inf or NaN
    (at the innermost level, :func:`_finite_matrices`): NumPy's singular values (or
    NumPy's error), NaN vectors, and NaN partials at every level in those matrices; the
    others' own.  LAPACK's vectors of such a matrix are NaN, or a permutation beside
    NaN values (read as vectors they gave the singular values the identity's finite
    partials), or never come: ``np.linalg.svd`` itself loops in LAPACK on
    ``[[3, 1, .2], [.5, 2, -.4], [inf, -.3, 1]]``, where one level down (a Hessian)
    :func:`_svd` asked for the inner level's vectors (diff67 F4); its values alone
    (``compute_uv=False``) return.  The matrices ``bad`` are differentiated as a finite
    stand-in (distinct singular values), whose numbers are then replaced."""
    Ap = primal(a)
    values = np.linalg.svd(Ap, compute_uv=False, hermitian=hermitian)   # (NumPy's errors)
    m, n = Ap.shape[-2:]
    stand_in = np.zeros((m, n))
    k = min(m, n)
    stand_in[range(k), range(k)] = np.arange(k, 0, -1.0)   # singular values k .. 1
    got = _svd(np.where(bad[..., None, None], stand_in, a), full_matrices, compute_uv,
               hermitian, _deficient, _phase=_phase)
    if not compute_uv:
        return _spoiled(got, bad, values)
    U, s, Vt = got
    return _result("svd")(_spoiled(U, bad), _spoiled(s, bad, values), _spoiled(Vt, bad))


def _spoiled(d, bad, v=None):
    """The dual ``d`` (any nesting) with, in the matrices of the stack where ``bad``
    (its leading axes), the innermost value ``v``'s (``None``: NaN) and NaN partials
    at every level."""
    if not isinstance(d, Dual):
        if v is None:
            v = complex(np.nan, np.nan) if np.iscomplexobj(d) else np.nan
        return np.where(_lead(bad, np.ndim(d)), v, d)
    full = partials_array(d)
    return make(_spoiled(d.value, bad, v), _nanned(full, bad), d.tag)


def _nanned(x, bad):
    """``x`` (any nesting) NaN at every level in the matrices where ``bad``."""
    if isinstance(x, Dual):
        return make(_nanned(x.value, bad), _nanned(partials_array(x), bad), x.tag)
    nan = complex(np.nan, np.nan) if np.iscomplexobj(x) else np.nan
    return np.where(_lead(bad, np.ndim(x)), nan, x)


def _lead(mask, ndim):
    """``mask`` over a stack's leading axes, shaped to broadcast against ``ndim`` axes."""
    return np.reshape(mask, np.shape(mask) + (1,) * (ndim - np.ndim(mask)))


def _singular_ties(s):
    """:func:`._spectral.tied` of the singular values ``s`` (``(..., k)``, descending)
    themselves, within ``NEAR k eps s_1``: LAPACK's SVD is backward stable, each
    computed ``s_i`` within ``p(k) eps ||A|| = p(k) eps s_1`` of an exact one (Weyl), an
    absolute bound on ``s``.  The test on ``s^2`` within ``NEAR k eps s_1^2`` tied the pair
    ``(1.01, 1)`` beside ``1e8`` (a tolerance ``s_1 / s_i`` times too wide for the small
    ones), and every pair of a matrix scaled by ``1e-170``, whose squares underflow to 0
    (attack68 F1, F1b)."""
    sv = primal(s)
    return _spectral.tied(sv[..., None, :] - sv[..., :, None], sv)


def _inverse_square_gaps(s):
    """``(F', C)`` with ``F' = 1 / ((c_j - c_i)(c_j + c_i)) / t`` and ``C = c[..., None, :]``,
    ``c = s / t`` (``s``: ``(..., k)``, descending, plain or dual; ``t`` the power of 2 of
    ``s_1``, so the scaling is exact; ``F'`` 0 where the gap is exactly 0), so that ``F o
    (P S + S P^H) = F' o (P C + C^T P^H)`` with ``F = 1 / (s_j^2 - s_i^2)``: the difference
    of squares as a product keeps its digits at close pairs (``s_j - s_i`` exact there),
    and the scaling keeps ``F`` from overflowing and the gaps from underflowing at a
    matrix of ``1e-170`` (where ``s_j^2 - s_i^2`` was ``0 - 0``: NaN partials, attack68
    F1b)."""
    sv = primal(s)
    if sv.ndim == 1 and sv.size and 1e-100 < sv[0] < 1e100:
        c = s                                     # (the same bits as scaled: no underflow)
    else:
        top = np.ldexp(1.0, np.frexp(sv[..., :1])[1] - 1)   # 2^k <= s_1 < 2^(k+1)
        c = s / top                               # exact: the bits of (s_j - s_i)(s_j + s_i)
    gap = (c[..., None, :] - c[..., :, None]) * (c[..., None, :] + c[..., :, None])
    F = _spectral.inverse_gaps(gap)
    return (F if c is s else F / top[..., None]), c[..., None, :]


def _nonzero_ties(ties, s):
    """``ties`` (:func:`_singular_ties`' of the singular values) without the
    pairs of numerically zero ones (their kink is ``|s|``'s, not a cluster's); ``None``
    where none is left."""
    if ties is None:
        return None
    sv = primal(s)
    m = sv.shape[-1]
    big = sv > sv[..., :1] * m * np.finfo(float).eps
    ties = ties & big[..., :, None] & big[..., None, :]
    return ties if ties.any() else None


def _clustered_svd(ds, ties, s, P, tag, vectors=False):
    """:func:`._spectral.clustered` for singular values ``s`` (descending) with partials
    ``ds`` (directions leading): a cluster of equal nonzero singular values is the
    cluster of eigenvalues ``+s`` of the Hermitian dilation ``[[0, A], [A^H, 0]]``,
    whose block ``V^H dB V`` is ``Herm(U^H dA V)``; the order is reversed around the call
    (the rule orders a run ascending)."""
    flip = lambda x: x[..., ::-1]                   # noqa: E731
    flip2 = lambda x: x[..., ::-1, ::-1]            # noqa: E731
    M = 0.5 * (P + _H(P))
    # rounding of an anti-Hermitian P (I + t J) is no coupling: P's size sets it
    Mp, Pp = primal(M), np.abs(primal(P))
    tiny = np.abs(Mp) <= _spectral.NEAR * Pp.shape[-1] * np.finfo(float).eps * \
        np.max(Pp, axis=(-2, -1), keepdims=True)
    if tiny.any():
        M = M - np.where(tiny, Mp, 0.0)            # the value only: partials stay
        small = np.diagonal(tiny, axis1=-2, axis2=-1)
        ds = ds - np.where(small, primal(ds), 0.0)  # (ds is diag(M): the same rounding)
    out = _spectral.clustered(flip(ds), flip2(ties), flip(s), flip2(M), vectors, tag)
    if vectors:
        return flip(out[0]), flip(out[1])
    return flip(out)


def _svd_square(a, U, s, Vt):
    """:func:`_svd`'s factors' partials for one real square matrix of plain float64
    arrays with distinct, nonzero singular values: ``P = U^T dA V``, ``dU = U (F o
    (P S + S P^T))``, ``dV = V (F o (S P + P^T S))``, ``ds = diag(P)``.  The general
    lines' terms ``(dA V - U P) / s`` and ``(dA^T U - V P^T) / s`` are zero for a
    square matrix (``U U^T = I``: they hold rounding only), and neither ties nor rank
    need their tests past the one on the gaps, so about half of the small NumPy
    calls that a 4 x 4 matrix's time is made of go.  ``None`` for anything else."""
    A, p = a.value, a.partials
    if type(A) is not np.ndarray or type(p) is not np.ndarray or A.ndim != 2 or \
            A.dtype != np.float64 or p.dtype != np.float64 or A.shape[0] != A.shape[1]:
        return None
    m = A.shape[0]
    eps = np.finfo(float).eps
    if not s[-1] > s[0] * m * eps or \
            np.min(s[:-1] - s[1:], initial=np.inf) <= _spectral.NEAR * m * eps * s[0]:
        return None                     # rank deficiency, (near) ties: the general lines
    # F o (P S + S P^T) = F' o (P C + C^T P^T), C = S / t, F' = 1 / ((c_j - c_i)(c_j + c_i))
    # / t (:func:`_inverse_square_gaps`; t = 1 where nothing under- or overflows)
    top = None if 1e-100 < s[0] < 1e100 else np.ldexp(1.0, np.frexp(s[0])[1] - 1)
    c = s if top is None else s / top
    gap = (c[None, :] - c[:, None]) * (c[None, :] + c[:, None])
    k = np.arange(m)
    gap[k, k] = np.inf
    F = 1.0 / gap
    if top is not None:
        F /= top
    V = Vt.T
    P = U.T @ p.transpose(2, 0, 1) @ V  # (directions, m, m)
    PS = P * c                          # P @ diag(s) / t
    SP = P * c[:, None]                 # diag(s) @ P / t
    dU = U @ (F * (PS + PS.transpose(0, 2, 1)))
    dV = V @ (F * (SP + SP.transpose(0, 2, 1)))
    result = _result("svd")
    return result(make(U, _last(dU), a.tag), make(s, _last(np.diagonal(P, 0, 1, 2)), a.tag),
                  make(Vt, _last(dV.transpose(0, 2, 1)), a.tag))


def _qr(a, mode="reduced"):
    """``X = Q^H dA R^-1``, ``W = tril(X, -1) - tril(X, -1)^H`` (complex: plus
    ``i Im diag(X)``, as LAPACK's ``R`` keeps a real diagonal):
    ``dQ = Q W + (I - Q Q^H) dA R^-1`` and ``dR = (X - W) R`` (full column rank,
    ``m >= n``, where the thin factors are unique)."""
    A = a.value
    m, n = np.shape(primal(A))[-2:]
    if mode not in ("reduced", "r") and not (mode == "complete" and m == n) or m < n:
        raise errors.unsupported_function(
            f"np.linalg.qr with mode={mode!r} of a {m} x {n} matrix (supported: "
            "'reduced' and 'r' for m >= n, 'complete' for square matrices)")
    Q, R = np.linalg.qr(A)
    if not np.isfinite(primal(A)).all():    # NumPy's NaN factors, NaN partials (not a
        return _nan_qr(a, Q, R, mode)       # refusal of "rank 0": attack68 F5)
    _full_rank("np.linalg.qr", A, np.linalg.matrix_rank(primal(A)))
    if np.iscomplexobj(primal(R)) and np.any(
            np.abs(np.diagonal(primal(R), axis1=-2, axis2=-1).imag) >
            1e-12 * np.abs(np.diagonal(primal(R), axis1=-2, axis2=-1))):
        raise errors.unsupported_function(
            "np.linalg.qr of a complex matrix here (this LAPACK's R has a complex "
            "diagonal, so the factors' phases are not those dualgrad differentiates)")
    Rinv = _lapack.inv(R)
    B = _directions(a, a.tag) @ Rinv
    X = _H(Q) @ B
    L = np.tril(X, -1)
    W = L - _H(L)
    if np.iscomplexobj(primal(X)):       # LAPACK's R has a real diagonal: Q^H dQ gets
        eye = np.eye(np.shape(primal(X))[-1], dtype=bool)    # i Im(X_kk) on its diagonal
        W = W + np.where(eye, 1j * np.imag(X), 0.0)
    R_dual = make(R, _last((X - W) @ R), a.tag)
    if mode == "r":
        return R_dual
    result = _result("qr")
    return result(make(Q, _last(Q @ W + B - Q @ X), a.tag), R_dual)


def _nan_qr(a, Q, R, mode):
    """:func:`_qr` of a matrix holding inf or NaN: NumPy's factors (NaN where LAPACK
    made them so) with NaN partials, as any function of a non-finite value."""
    n = a.partials.shape[-1]
    nan = np.full(np.shape(primal(R)) + (n,), np.nan, dtype=np.result_type(R, float))
    R_dual = make(R, nan, a.tag)
    if mode == "r":
        return R_dual
    return _result("qr")(make(Q, np.full(np.shape(primal(Q)) + (n,), np.nan,
                                         dtype=nan.dtype), a.tag), R_dual)


def _svdvals(x, /):
    return _svd(x, compute_uv=False)


def _sum_of_squares(x, axes, keepdims):
    """``np.sum(|x|**2, axis=axes)``: for a real dual of plain arrays, the partials
    ``2 sum(x dx)`` as one weighted sum over the partials (no temporary of their
    size); the composition of ``abs2`` and ``sum`` otherwise.  Over every axis the
    value comes first: a finite sum of squares has every square, so every entry,
    finite, and the weighted sum need not test the values again (a pass: ~0.12 of
    the dual's time at N = 1e5, n = 4)."""
    v, p = x.value, x.partials
    if type(v) is np.ndarray and v.dtype == np.float64 and len(axes) in (1, v.ndim) \
            and type(p) is np.ndarray and p.dtype == np.float64:
        whole = len(axes) == v.ndim
        value = np.vdot(v, v) if whole else None
        f = float(value) if whole else 0.0      # (Python's inf - inf: no NumPy warning)
        s = weighted_sum(v, p, axes, finite=whole and f - f == 0.0, times=2.0)
        if s is not None:
            if not whole:
                value = np.add.reduce(v * v, axis=axes)
            if keepdims:
                value = np.reshape(value, tuple(1 if i in axes else k
                                                for i, k in enumerate(v.shape)))
                s = np.expand_dims(s, axes)
            return make(value, s, x.tag)
    return np.sum(abs2(x), axis=axes, keepdims=keepdims)


_TINY, _HUGE = float(np.finfo(np.float64).tiny), float(np.finfo(np.float64).max)


def _root_sum_of_squares(x, axes, keepdims, squares=None):
    """``sqrt(sum(|x|**2))`` over ``axes`` (the 2-norm; ``squares`` the sum of squares
    where the caller has it), its slopes made exact where the sum of squares alone
    under- or overflowed (:func:`_rescaled_slope`)."""
    if squares is None:
        squares = _sum_of_squares(x, axes, keepdims)
    w = primal(squares)
    if (type(w) is np.float64 or type(w) is float) and _TINY <= w <= _HUGE:
        return np.sqrt(squares)                     # (the common case: no other test)
    with np.errstate(divide="ignore"):              # (a 0 sum's slope: replaced below)
        out = np.sqrt(squares)
    return _rescaled_slope(x, axes, w, out)


def _rescaled_slope(x, axes, w, out):
    """``out`` (the 2-norm of ``x`` over ``axes``, ``w`` its sum of squares' value)
    with the partials ``(x / s) . dx / norm(x / s)`` where ``w`` is below the
    smallest normal float64 or inf while ``x`` is finite and not all 0: there ``x @
    x`` underflowed (a gradient of inf for 1/3 at 1e-170, attack62 04) or overflowed
    (0 at 1e200).  ``s``, a power of two near ``max |x|``, scales exactly.  The value
    stays NumPy's (0.0 / inf) and every other case keeps its bits.  A nested or
    complex ``x`` takes :func:`_scaled_norm`."""
    if not np.any((w < _TINY) | (w > _HUGE)):
        return out
    v, p = x.value, x.partials
    if isinstance(v, Dual) or type(v) is np.ndarray and v.dtype == np.complex128:
        return _scaled_norm(x, axes, w, out)
    if type(v) is not np.ndarray or type(p) is not np.ndarray or v.dtype != np.float64 \
            or p.dtype != np.float64 or p.ndim != v.ndim + 1:
        return out
    ok, scale = _scales(v, axes, w)
    if ok is None:
        return out
    u = v / scale
    n = np.sqrt(np.sum(u * u, axis=axes, keepdims=True))
    slope = np.sum(u[..., None] * p, axis=axes, keepdims=True) / n[..., None]
    shape = np.shape(out.partials)
    partials = np.where(np.reshape(ok, shape[:-1] + (1,)), np.reshape(slope, shape),
                        out.partials)
    return make(out.value, partials, out.tag)


def _scales(v, axes, w):
    """Where the 2-norm of the plain array ``v`` over ``axes`` needs the rescue (``w``
    its sum of squares under- or overflowed while ``v`` is finite and not all 0), and a
    power of two near ``max |v|`` there (1 elsewhere), both with ``axes`` kept;
    ``(None, None)`` where no entry does.  An empty axis rescues nothing (its sum 0.0
    is no underflow); the power stays normal, its reciprocal finite (a subnormal
    ``max |v|`` or one past 2**1023 made it 0 or inf, and 0 * inf NaN: attack64 01, 03)."""
    big = np.max(np.abs(v), axis=axes, keepdims=True, initial=0.0)
    w = np.reshape(w, big.shape)
    ok = (big > 0.0) & (big <= _HUGE) & ((w < _TINY) | (w > _HUGE))
    if not np.any(ok):
        return None, None
    return ok, np.ldexp(1.0, _normal_exponent(np.frexp(np.where(ok, big, 1.0))[1]))


def _normal_exponent(e):
    """The exponents ``e`` clipped so that ``2**e`` and ``2**-e`` are normal floats."""
    return np.clip(e, -1021, 1021)


def _scaled_norm(x, axes, w, out):
    """:func:`_rescaled_slope` for a nested or complex dual ``x``: ``x`` seen through
    ``t_j = r_j tau_j``, one power of two ``r`` per tag (per row of the batch) that
    brings the first partials of ``w = x / s`` to order 1, so that their products (a
    Hessian's second level) stay in range whatever the scale of x and of its seeds;
    a part of ``w`` of orders ``k_j`` is ``x``'s times ``prod r_j**k_j / s``, and the
    norm's is ``w``'s norm's times ``s / prod r_j**k_j`` (it is homogeneous of degree
    1); the value NumPy's (``out``'s).  (The nested case had set the outer partials NaN
    whole: a Hessian of ``norm(x[:3]) + x[3] ** 2`` at 1e-170 was NaN in every entry,
    attack63 01; the complex one was left as it was: 0 at 1e-170, attack63 02; one
    scale for the value and the partials alike gave 0 for ``norm(c t)``'s Hessian at
    c = 1e-170, where the partials are of x's size: diff63 F1.)"""
    ok, scale = _scales(primal(x), axes, w)
    if ok is None:
        return out
    rates = {}
    d = x
    while isinstance(d, Dual):          # the first partials of each tag, row by row
        p = np.absolute(primal(d.partials))
        m = np.max(p, axis=axes + (p.ndim - 1,), keepdims=True)[..., 0] if p.size else \
            np.zeros(scale.shape)
        use = ok & (m > 0.0) & (m <= _HUGE)           # (elsewhere 1: no scaling)
        shift = np.frexp(scale)[1] - np.frexp(np.where(use, m, 1.0))[1]
        rates[d.tag] = np.ldexp(1.0, np.where(use, _normal_exponent(shift), 0))
        d = d.value
    scaled = np.sqrt(_sum_of_squares(_by_order(x, 1.0 / scale, rates), axes, True))
    shape = np.shape(primal(out))
    scaled = _by_order(np.reshape(scaled, shape), np.reshape(scale, shape),
                       {t: np.reshape(1.0 / r, shape) for t, r in rates.items()})
    if not np.all(ok):
        scaled = np.where(np.reshape(ok, shape), scaled, out)
    return _with_primal(scaled, primal(out))


def _by_order(d, a, rates):
    """The dual ``d`` (any nesting) with each part of orders ``k_j`` in the tags ``j``
    times ``a * prod rates[j]**k_j``; ``a`` and the rates powers of two shaped as
    ``d``'s value (exact, unless a part leaves the float range)."""
    if type(d) is np.ndarray and d.dtype == object:     # (a nested scalar's partials:
        a0 = np.reshape(a, -1)[0]                        # its value has one element)
        r0 = {t: np.reshape(r, -1)[0] for t, r in rates.items()}
        return np.frompyfunc(lambda e: _by_order(e, a0, r0), 1, 1)(d)
    if not isinstance(d, Dual):
        return d * a
    a = np.asarray(a)
    return make(_by_order(d.value, a, rates),
                _by_order(d.partials, (a * rates[d.tag])[..., None],
                          {t: np.asarray(r)[..., None] for t, r in rates.items()}), d.tag)


def _with_primal(d, value):
    """The dual ``d`` (any nesting) with its innermost value replaced by ``value``."""
    v = d.value
    return make(_with_primal(v, value) if isinstance(v, Dual) else value, d.partials, d.tag)


def _norm(x, ord=None, axis=None, keepdims=False):
    if not isinstance(x, Dual):
        return np.linalg.norm(x, ord, axis, keepdims)
    if errors.WATCHING[0] and (ord is None or ord == 2 or ord == "fro"):
        _report_norm(x)
    ndim = x.ndim
    if axis is not None:
        axis = _norm_axes(axis, ndim)
    if axis is None and (ord is None or ord == "fro" and ndim == 2):
        return _root_sum_of_squares(x, tuple(range(ndim)), keepdims)
    if axis is None:
        axis = tuple(range(ndim)) if ndim == 2 else 0
    if isinstance(axis, int) or len(axis) == 1:
        ax = axis if isinstance(axis, int) else axis[0]
        if ord is None or ord == 2:
            return _root_sum_of_squares(x, (ax,) if ndim else (), keepdims)
        a = np.abs(x)                 # (not for the 2-norm: a pass over the partials)
        if ord == np.inf:
            return np.max(a, axis=ax, keepdims=keepdims)
        if ord == -np.inf:
            return np.min(a, axis=ax, keepdims=keepdims)
        if ord == 1:
            return np.sum(a, axis=ax, keepdims=keepdims)
        if isinstance(ord, (int, float)) and ord > 0:
            return np.sum(a ** ord, axis=ax, keepdims=keepdims) ** (1.0 / ord)
    else:
        r, c = axis
        if ord is None or ord == "fro":
            return _root_sum_of_squares(x, tuple(sorted(axis)), keepdims)
        a = np.abs(x)
        kept = tuple(sorted(axis))
        if ord in (1, -1, np.inf, -np.inf):
            inner, outer = (r, c) if ord in (1, -1) else (c, r)
            s = np.sum(a, axis=inner, keepdims=True)
            pick = np.max if ord > 0 else np.min
            out = pick(s, axis=outer, keepdims=True)
            return out if keepdims else np.squeeze(out, axis=kept)
        if ord in (2, -2, "nuc"):                        # from the singular values
            if ord == "nuc":
                out = _nuclear_at_cluster(np.moveaxis(x, (r, c), (-2, -1)))
                if out is not None:
                    return np.expand_dims(out, kept) if keepdims else out
            sv = _svd(np.moveaxis(x, (r, c), (-2, -1)), compute_uv=False)
            pick = {2: np.max, -2: np.min, "nuc": np.sum}[ord]
            out = pick(sv, axis=-1)
            return np.expand_dims(out, kept) if keepdims else out
    raise errors.unsupported_function(f"np.linalg.norm with ord={ord!r}")


_NORM_KINK = None


_F64 = np.dtype(np.float64)


def _lean_norm(x, ord=None, axis=None, keepdims=False):
    """``np.linalg.norm(x)`` of an array dual of float64 values (one axis or more) and
    float64 partials, no ``ord`` / ``axis`` / ``keepdims``, outside dg.quad's watch:
    :func:`_norm`'s own steps for that case (``_sum_of_squares``' whole-array branch:
    ``np.vdot``, its finiteness, ``weighted_sum``'s one ``matmul``, ``* 2``, then
    ``np.sqrt`` of the scalar dual) without ``dispatch``'s lift and the branches'
    tests (8.5 -> ~5 us of the perovskite row's ``1 / norm(recvec)``, rows62); the
    same calls, so the same bits.  ``None`` (the general path) for anything else:
    an empty or non-finite sum, deferred or nested partials, an escaped dual."""
    if ord is not None or axis is not None or keepdims is not False or \
            type(x) is not ArrayDual or errors.WATCHING[0]:
        return None
    if x.tag not in _LIVE:
        return None
    v, p = x.value, x.partials        # (as _sum_of_squares reads them)
    if type(v) is not np.ndarray or type(p) is not np.ndarray or v.dtype is not _F64 or \
            p.dtype is not _F64 or not v.ndim or not v.size:
        return None
    value = np.vdot(v, v)
    f = float(value)                  # (Python's inf - inf: no second NumPy warning)
    if not f - f == 0.0:
        return None                   # (weighted_sum then tests the values: the general way)
    token = backend.hush_enter()      # the partials' products: no report of f's (attack72 C1)
    try:
        s = np.matmul(v.reshape(-1), p.reshape(-1, p.shape[-1]))
        s *= 2.0
    finally:
        backend.hush_leave(token)
    if f >= _TINY:                    # (_root_sum_of_squares' common case, inline)
        return np.sqrt(make(value, s, x.tag))
    return _root_sum_of_squares(x, tuple(range(v.ndim)), False, make(value, s, x.tag))


def _report_norm(x):
    """dg.quad's watch: a 2-norm (sqrt of a sum of squares) kinks where every element
    of its group is 0 together (``norm(x - p)`` of one element is ``|x - p|``;
    attack51 05's note: 0.0 for 1.4): the signs of ``x``'s elements reported as
    ``np.absolute``'s are, so that a change is confirmed (a vector whose elements
    cross 0 apart is continuous in its partials there: not refused)."""
    global _NORM_KINK
    if _NORM_KINK is None:
        from ..rules._table import Branches
        _NORM_KINK = Branches("np.linalg.norm at a zero vector", (("kink", "sign", "x"),))
    errors.report_branch(_NORM_KINK, (x,), None)


def _nuclear_at_cluster(a):
    """``norm(A, 'nuc')`` (``a``: the matrices last) for nested duals (a Hessian) where
    equal nonzero singular values would give the members NaN second-order parts (a
    cluster that the first order splits has kinks in its members, none in their sum):
    ``trace(sqrtm(A^H A))`` (``A A^H`` for wide ``A``) by
    :func:`._sylvester.sqrtm` (SciPy's drop-in), whose partials solve ``S dS + dS S = dG``, a
    Sylvester equation that equal eigenvalues of a positive definite ``S`` leave
    regular; its value moved onto NumPy's ``sum(svd(A))`` (the partials unchanged).
    ``None`` elsewhere: first order (the cluster's mean sums to ``tr(U^H dA V)``), no
    cluster, a zero singular value (the norm's kink: the singular values' NaN), no
    SciPy."""
    if not isinstance(a, Dual) or not isinstance(a.value, Dual):
        return None
    s = np.linalg.svd(primal(a), compute_uv=False)
    n = np.shape(primal(a))[-2:]
    if not s.size or np.any(s <= s[..., :1] * max(n) * np.finfo(float).eps):
        return None
    if _nonzero_ties(_singular_ties(s), s) is None:
        return None
    try:
        route = np.trace(sqrtm(_H(a) @ a if n[0] >= n[1] else a @ _H(a)),
                         axis1=-2, axis2=-1)
    except ImportError:
        return None                     # (no SciPy: the singular values' NaN)
    route = np.real(route) if np.iscomplexobj(primal(route)) else route
    return route + (np.sum(s, axis=-1) - primal(route))


def _norm_axes(axis, ndim):
    """``np.linalg.norm``'s ``axis`` checked as NumPy checks it (an axis that is not a
    tuple goes through ``int()``: ``1.0`` and ``True`` pass), as non-negative ints in
    the order given: ``AxisError`` out of range, ``ValueError`` for a repeat or for
    more than two axes."""
    if not isinstance(axis, tuple):
        try:
            axis = (int(axis),)
        except Exception as exc:
            raise TypeError("np.linalg.norm: 'axis' must be None, an integer or a tuple "
                            f"of integers, got {axis!r}") from exc
    axis = axis_tuple(axis, ndim)
    if len(axis) > 2:
        raise ValueError("np.linalg.norm: improper number of dimensions to norm "
                         f"({len(axis)} axes; one for a vector norm, two for a matrix "
                         "norm)")
    return axis


def _matrix_norm(x, /, *, keepdims=False, ord="fro"):
    return _norm(x, ord, (-2, -1), keepdims)


def _vector_norm(x, /, *, axis=None, keepdims=False, ord=2):
    """A vector norm over one axis or several (flattened together), as NumPy's."""
    ndim = x.ndim
    axes = tuple(sorted(axis_tuple(axis, ndim) if axis is None or isinstance(axis, tuple)
                        else _norm_axes(axis, ndim)))      # (NumPy's norm reads that one)
    if axes == (ndim - 1,):          # one trailing axis (a vector): x is its own flat
        flat = x                     # form, no dual moveaxis and reshape of views
    else:
        rest = [d for d in range(ndim) if d not in axes]
        flat = np.moveaxis(x, axes, range(ndim - len(axes), ndim))
        flat = np.reshape(flat, [x.shape[d] for d in rest] + [-1])
    out = _norm(flat, ord, -1)
    return np.expand_dims(out, axes) if keepdims else out


def _full_rank(who, A, rank, cutoff=None):
    """Raise for a rank below full; ``cutoff``: the user's ``rcond``/``rtol``, named when
    the matrix is of full rank by NumPy's default tolerance and only that cutoff
    truncates it (a truncated pseudo-inverse, another function of ``A``)."""
    low = rank < min(np.shape(primal(A))[-2:])
    if not (low.any() if type(low) is np.ndarray else low):            # stacked too
        return
    if cutoff is not None:
        full = np.linalg.matrix_rank(primal(A)) == min(np.shape(primal(A))[-2:])
        if full.all() if type(full) is np.ndarray else full:
            raise errors.truncated(who, cutoff)
    raise errors.rank_deficient(who, np.min(rank), min(np.shape(primal(A))[-2:]))


def _pinv(a, rcond=None, hermitian=False, *, rtol=None):
    """``d(A+) = -A+ dA A+ + A+ A+^H dA^H (I - A A+) + (I - A+ A) dA^H A+^H A+``
    (Golub and Pereyra; of full rank, one of the last two terms is 0), valid where
    the rank does not change: every singular value
    above NumPy's cutoff (``rcond`` or ``rtol`` times the largest).  With
    ``hermitian=True`` NumPy reads the lower triangle: ``A`` is that triangle mirrored."""
    kwargs = {"rcond": rcond, "hermitian": hermitian}
    if rtol is not None:
        kwargs["rtol"] = rtol
    if not isinstance(a, Dual):
        return np.linalg.pinv(a, **kwargs)
    P = np.linalg.pinv(a.value, **kwargs)              # NumPy's own value (and checks)
    return _pinv_partials(a, P, rcond, rtol, hermitian)


@partials_hushed
def _pinv_partials(a, P, rcond, rtol, hermitian):
    """:func:`_pinv`'s dual of NumPy's value ``P``."""
    if hermitian:
        a = _hermitian(a)
    A = a.value
    m, k = np.shape(primal(A))[-2:]
    Ap = primal(A)
    bad = ~np.isfinite(Ap).all(axis=(-2, -1))
    if bad.any():     # NumPy's NaN members get NaN partials from the formula below (P is
        Ap = np.where(bad[..., None, None], np.eye(m, k), Ap)  # NaN), not a refusal of "rank 0"
    s = np.linalg.svd(Ap, compute_uv=False)
    cut = rcond if rcond is not None else rtol if rtol is not None else \
        max(m, k) * np.finfo(float).eps
    _full_rank("np.linalg.pinv", A,
               np.sum(s > np.asarray(cut)[..., None] * s[..., :1], axis=-1),
               f"rcond={rcond!r}" if rcond is not None else
               f"rtol={rtol!r}" if rtol is not None else None)
    dA = _directions(a, a.tag)
    d = -((P @ dA) @ P if m >= k else P @ (dA @ P))    # through the k x k or m x m side
    # Of full rank (checked above), A+ A = I when m >= k and A A+ = I when m <= k: their
    # terms are exactly 0, and are left out, not formed from I - A+ A in floats, whose
    # cond(A) * eps times A+^H A+ (~ 1 / s_min**2) swamped the rows of A+'s large
    # singular values (attack59 12: 100 % off at cond 1e8)
    # The projectors I - A A+ (m x m) and I - A+ A (k x k) are applied, never formed,
    # and the products associate through the small side: a (1, 8191) row's pinv
    # (newuser64's fibre phase, pinv([re])) formed 8191 x 8191 matrices, 23 s a call
    if m > k:
        t = (P @ _H(P)) @ _H(dA)
        d = d + t - (t @ A) @ P
    elif m < k:
        t = _H(dA) @ (_H(P) @ P)
        d = d + t - P @ (A @ t)
    d = _last(d)
    if bad.any():     # NaN partials for every non-finite member at every level, whatever
        d = d * np.where(np.reshape(bad, np.shape(bad) + (1,) * (np.ndim(d) - np.ndim(bad))),
                         np.nan, 1.0)   # NumPy's value (its zero matrix for [[inf, 1],
    return make(P, d, a.tag)            # [1, 2]]: attack69 F1)


@partials_hushed
def _lstsq(a, b, rcond=None):
    """Least squares for full column rank: ``dx = (A^H A)^{-1} (dA^H r - A^H dA x + A^H db)``
    with ``r = b - A x``; the value is NumPy's own solution."""
    a, b = operand(a), operand(b)    # a list holding duals beside a dual: an array
    tag, n = newest([a, b])
    if tag < 0:
        return np.linalg.lstsq(a, b, rcond=rcond)
    Av, dA = _value(a, tag), _directions(a, tag)
    bv, db = _value(b, tag), _directions(b, tag)
    x, _, rank, sv = _lapack.lstsq(Av, bv, rcond=rcond)
    _full_rank("np.linalg.lstsq", Av, rank, None if rcond is None else f"rcond={rcond!r}")
    if np.shape(primal(Av))[0] < np.shape(primal(Av))[1]:
        raise errors.unsupported_function("np.linalg.lstsq of an underdetermined system")
    r = bv - Av @ x
    vector = np.ndim(primal(x)) == 1
    svd = None
    if type(Av) is np.ndarray:
        svd = _lapack.svd_thin(Av)    # (also the singular values' partials below)
        dx = _lstsq_directions(svd, dA, db, x, r, vector)
    else:                             # nested duals: the normal equations, dual-aware
        def at(v):                    # A^H v_k for the stacked v_k (vectors: rows of v)
            return v @ _conj(Av) if vector else _H(Av) @ v
        dx = 0.0                      # every direction stacked in front
        if dA is not None:
            dx = dx + _H(dA) @ r - at(dA @ x)
        if db is not None:
            dx = dx + at(db)
        dx = _solve_columns(_H(Av) @ Av, _last(_full(dx, n, np.shape(primal(x)))), vector)
    xd = make(x, dx, tag)
    m, k = np.shape(primal(Av))
    sums = np.zeros((0,))             # NumPy's for a square A (no residual is formed)
    if m > k:
        residual = (b if isinstance(b, Dual) else bv) - (a if isinstance(a, Dual) else Av) @ xd
        if _any_holomorphic(residual) and is_complex(residual):
            # |r|**2 has no complex derivative, but x does (holomorphic in b for a
            # fixed A: pinv(A) b): the sums raise only where f uses them (attack25)
            sums = NotHolomorphic("np.linalg.lstsq's residual sums |b - A x|**2",
                                  (1,) if np.ndim(primal(bv)) == 1 else np.shape(primal(bv))[1:])
        else:
            sums = np.sum(abs2(residual), axis=0)
            if np.ndim(primal(bv)) == 1:
                sums = np.reshape(sums, (1,))           # NumPy's shape for a 1-D b
    if dA is not None:                # A's singular values move with A: NumPy's values,
        ds = _singular_partials(Av, dA, svd)                      # the svd's partials
        sv = make(sv, _svd(a, compute_uv=False).partials if ds is None else ds, tag)
    return xd, sums, rank, sv


def _any_holomorphic(d):
    """Is a level of the dual ``d`` (its value's, for a Hessian's nested duals) a
    ``holomorphic=True`` call's?  (attack27: the inner level of a holomorphic Hessian
    formed lstsq's residual sums, whose ``np.real`` the outer level refused.)"""
    while isinstance(d, Dual):
        if d.tag in HOLOMORPHIC:
            return True
        d = d.value
    return False


def _lstsq_directions(svd, dA, db, x, r, vector):
    """lstsq's partials ``dx = A+ (db - dA x) + (A^H A)^{-1} dA^H r`` for a plain full-rank
    ``A = U S V^H`` (thin SVD): ``A+ = V S^-1 U^H``, ``(A^H A)^{-1} = V S^-2 V^H``.  The
    normal equations (solving with ``A^H A``) square the condition number in the first
    term too: 11 % off at cond 1e8 (attack24, against mpmath); here only the residual's
    term carries ``S^-2``, as the problem's own sensitivity does.  Directions lead in
    ``dA``, ``db``; the result has them last.  ``svd``: ``(U, s, V^H)``, thin."""
    U, s, Vh = svd
    n = (dA if dA is not None else db).shape[0]
    move = 0.0 if db is None else db                       # db - dA x, directions first
    if dA is not None:
        move = move - dA @ x
    move = np.broadcast_to(move, (n, U.shape[0]) + np.shape(x)[1:])
    if vector:                        # rows: (V w)^T = w^T conj(Vh), (U^H v)^T = v^T conj(U)
        w = (move @ _conj(U)) / s
        if dA is not None:
            w = w + ((_H(dA) @ r) @ Vh.T) / (s * s)
        return _last(w @ _conj(Vh))
    w = (_H(U) @ move) / s[:, None]
    if dA is not None:
        w = w + (Vh @ (_H(dA) @ r)) / (s * s)[:, None]
    return _last(_H(Vh) @ w)


def _singular_partials(A, dA, svd=None):
    """The singular values' partials ``ds_i = u_i^T dA v_i`` of a real 2-D float64
    ``A`` with plain partials ``dA`` (directions first), by :func:`_svd`'s own
    operations (so its bits) without its dual-aware entry: a third of a 4 x 4
    ``lstsq``'s time.  ``None`` for anything else (complex, nested)."""
    if type(A) is not np.ndarray or type(dA) is not np.ndarray or A.ndim != 2 or \
            A.dtype != np.float64 or dA.dtype != np.float64:
        return None
    U, _, Vt = _lapack.svd_thin(A) if svd is None else svd
    return _last(np.sum(U * (dA @ Vt.T), axis=-2))


LINALG = {np.linalg.solve: _solve, np.linalg.inv: _inv, np.linalg.det: _det,
          np.linalg.slogdet: _slogdet, np.linalg.cholesky: _cholesky,
          np.linalg.eigh: _eigh, np.linalg.eigvalsh: _eigvalsh, np.linalg.norm: _norm,
          np.linalg.lstsq: _lstsq, np.linalg.pinv: _pinv, np.linalg.svd: _svd,
          np.linalg.qr: _qr}
VIEWS[np.linalg.norm] = _lean_norm      # ArrayDual.__array_function__'s first look
if hasattr(np.linalg, "svdvals"):                       # NumPy >= 2.0
    LINALG.update({np.linalg.svdvals: _svdvals, np.linalg.matrix_norm: _matrix_norm,
                   np.linalg.vector_norm: _vector_norm})
