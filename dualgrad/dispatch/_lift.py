"""The steps every ``dualgrad.scipy`` function (and dispatch's few uses of SciPy) shares: SciPy imported on first use,
arguments read as NumPy reads them, duals split at their newest tag.

A function here computes on duals one level at a time: the value by the same
function applied to the values (SciPy itself once no dual is left, so the value is
SciPy's, bit for bit), the partials by the function's derivative identity applied
to all directions at once (the directions stacked as extra columns or a leading
stack axis).  Each level's values may themselves be duals of an inner tag (a
Hessian); the same functions then run on them, so second derivatives are exact too.
"""

import numpy as np

from .. import errors
from ._operands import is_complex, operand
from ..dual import HOLOMORPHIC, Dual, make, newest, primal

__all__ = ["Dual", "scipy_linalg", "scipy_special", "read", "read_objects", "outer", "split", "last", "make",
           "primal", "traced", "check_finite", "columns", "uncolumns", "not_holomorphic",
           "moveaxis"]


def scipy_linalg(who):
    """``scipy.linalg``, imported on first use (``import dualgrad`` never imports it)."""
    try:
        import scipy.linalg
    except ImportError as exc:
        raise errors.scipy_missing(who) from exc
    return scipy.linalg


def scipy_special(who):
    """``scipy.special``, imported on first use."""
    try:
        import scipy.special
    except ImportError as exc:
        raise errors.scipy_missing(who) from exc
    return scipy.special


def read(x):
    """``x`` as NumPy reads an operand: a list or tuple (maybe holding duals) as an
    array, an object array of scalar duals (``np.array([d1, d2])``) as one array dual;
    a dual or a plain array unchanged."""
    if isinstance(x, Dual) or type(x) is np.ndarray and x.dtype != object:
        return x
    return operand(x)


def read_objects(x):
    """``x`` read as :func:`read` reads it where it may hold duals NumPy cannot see (a
    list, a tuple, an object array: ``np.array([0.2, d])``, attack60 04); anything else
    as it is (a dual, an ndarray of any class -- a masked array or np.matrix a plain
    SciPy call takes, attack60 08 -- or a sparsity tracer)."""
    if isinstance(x, (list, tuple)) or type(x) is np.ndarray and x.dtype == object:
        return read(x)
    return x


def traced(*xs):
    """Does one of ``xs`` carry something other than duals and plain numbers: the
    index sets of ``dg.sparsity`` / ``sparsity="auto"`` (an array type of its own with
    ``__array_function__``)?"""
    return any(not isinstance(x, (Dual, np.ndarray)) and hasattr(type(x), "__array_function__")
               for x in xs)


def outer(who, *xs):
    """The newest tag among the duals in ``xs`` and its number of directions
    (``(-1, 0)`` when there is none)."""
    return newest([x for x in xs if isinstance(x, Dual)], who)


def moveaxis(x, source, destination):
    """``np.moveaxis(x, source, destination)`` for one axis (negative numbers count from
    the end): for a plain ndarray the same view by the transpose NumPy's call makes
    (its axis normalisation was a share of a Gaussian process likelihood's ~11 calls,
    each a view of a few hundred numbers: small60), NumPy's call otherwise (a dual's
    ``__array_function__``, its errors)."""
    if type(x) is not np.ndarray:
        return np.moveaxis(x, source, destination)
    ndim = x.ndim
    if not -ndim <= source < ndim or not -ndim <= destination < ndim:
        return np.moveaxis(x, source, destination)          # NumPy's AxisError
    source, destination = source % ndim, destination % ndim
    order = [k for k in range(ndim) if k != source]
    order.insert(destination, source)
    return x.transpose(order)


def split(x, tag):
    """The value of ``x`` at ``tag`` and its partials with the directions as the
    leading axis (a stack the matrix functions broadcast over), or ``None`` for
    partials when ``x`` is constant at that level."""
    if isinstance(x, Dual) and x.tag == tag:
        return x.value, moveaxis(x.partials, -1, 0)
    return x, None


def last(stack):
    """A stack of per-direction results (directions leading) as partials (directions
    last)."""
    return moveaxis(stack, 0, -1)


def columns(stack, vector):
    """Right-hand sides for every direction (``stack``: directions leading, each
    shaped like ``b``) as the columns of one right-hand side: ``(..., m, n)`` for a
    vector ``b``, ``(..., m, k * n)`` for a matrix ``b`` (one solve for all)."""
    moved = moveaxis(stack, 0, -1)                    # (..., m, n) or (..., m, k, n)
    if vector:
        return moved
    shape = np.shape(primal(moved))
    return np.reshape(moved, shape[:-2] + (shape[-2] * shape[-1],))


def uncolumns(solved, n, vector):
    """:func:`columns`' inverse on a solution: the partials, directions last."""
    if vector:
        return solved
    shape = np.shape(primal(solved))
    return np.reshape(solved, shape[:-1] + (shape[-1] // n, n))


def check_finite(who, *xs):
    """SciPy's ``check_finite=True`` on duals: ``ValueError`` with SciPy's own message
    where a value (at any level) holds an inf or a NaN."""
    for x in xs:
        if x is not None:
            finite = np.isfinite(primal(x))
            if not (finite.all() if type(finite) in _BOOLS else np.all(finite)):
                raise ValueError("array must not contain infs or NaNs")


_BOOLS = (np.ndarray, np.bool_)


def not_holomorphic(who, *xs):
    """Raise NumPy's ``DualTypeError`` (as ``np.linalg.cholesky`` / ``eigvalsh`` / ``np.conj``
    do) where a complex dual of a ``holomorphic=True`` call, at any level of nesting,
    reaches a function with no complex derivative (one that reads a conjugate, a
    Hermitian triangle or the real part of a diagonal): the derivative along the real
    axis would be returned as if it were the complex one."""
    for x in xs:
        while isinstance(x, Dual):
            if x.tag in HOLOMORPHIC and is_complex(x):
                raise errors.not_holomorphic(who)
            x = x.value
