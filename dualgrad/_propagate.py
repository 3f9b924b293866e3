"""Partials propagation for array duals: ``sum_k f_k * p_k``, NaN-safe.

``f_k`` is a local derivative of the output's shape ``S`` (or a scalar) and
``p_k`` the partials of an argument, of shape ``S_k + (n,)`` broadcasting to
``S + (n,)``.  Large same-shape float64 work goes to the numba kernels in
:mod:`dualgrad._kernels`; everything else (broadcasting, nested duals, small
arrays) is written with NumPy calls, which also run on nested duals.
"""

import math

import numpy as np

from . import _buffers, _kernels

_sum = np.add.reduce

__all__ = ["combine", "scaled", "sum_partials"]


def _finite(f):
    """All entries finite? (One pass, no temporary: a sum of finite numbers is
    finite unless it overflows, which only sends us down the careful path.)"""
    if isinstance(f, (float, int)):
        return f - f == 0.0
    if isinstance(f, np.ndarray):
        return math.isfinite(_sum(f, axis=None))
    return bool(np.all(np.isfinite(f)))


def scaled(f, p, owned=True):
    """``f[..., None] * p``; a zero partial stays 0 even where ``f`` is inf or NaN.

    With ``owned=False`` the result may be ``p`` itself.
    """
    if type(f) is float or type(f) is int:
        if f == 1.0:
            return _copy(p) if owned else p
        if f == -1.0:
            return np.negative(p, out=_like(p))
    tf = type(f)
    if tf is float or tf is int or tf is np.float64:
        t = np.multiply(f, p, out=_like(p))
    elif tf is np.ndarray and f.dtype == np.float64 and f.shape == p.shape[:-1]:
        t = np.multiply(f[..., None], p, out=_like(p))
    else:                                     # broadcasting, nested duals
        t = (f[..., None] if getattr(f, "ndim", 0) else f) * p
    if not _finite(f):
        t = np.where(p == 0.0, 0.0, t)
    return t


def _like(p):
    """A new float64 array shaped like ``p`` (from the helpers' buffer pool when large),
    or ``None`` (NumPy allocates) when ``p`` is not a float64 array."""
    if type(p) is np.ndarray and p.dtype == np.float64:
        return _buffers.empty(p.shape)
    return None


def _copy(p):
    out = _like(p)
    if out is None:
        return p.copy()
    np.copyto(out, p)
    return out


def combine(factors, partials, shape, n, scratch=None):
    """The partials ``sum_k factors[k][..., None] * partials[k]`` of shape ``shape + (n,)``.

    ``scratch``: one of ``factors``, a temporary that may be overwritten.
    """
    target = tuple(shape) + (n,)
    if len(factors) == 1 and isinstance(factors[0], float):     # c * p: one NumPy pass
        total = scaled(factors[0], partials[0])
        return total if total.shape == target else _broadcast(total, target)
    fast = _kernels.combine(factors, partials, target, scratch)
    if fast is not None:
        return fast
    if len(factors) == 2 and all(type(f) is float for f in factors) and \
            factors[0] == 1.0 and abs(factors[1]) == 1.0:       # a + b, a - b: one pass
        p, q = partials
        same = type(q) is np.ndarray and q.dtype == np.float64 and p.shape == q.shape
        total = (np.add if factors[1] == 1.0 else np.subtract)(
            p, q, out=_like(p) if same else None)
        factors = ()
    else:
        total = None
    for f, p in zip(factors, partials):
        if total is None:
            total = scaled(f, p, owned=len(factors) == 1)
        else:
            total = total + scaled(f, p, owned=False)
    return total if total.shape == target else _broadcast(total, target)


def _broadcast(total, target):
    """``total`` broadcast into a new array of shape ``target``."""
    full = np.zeros(target, dtype=float) if isinstance(total, np.ndarray) \
        else np.zeros_like(np.broadcast_to(total, target))
    full[...] = total
    return full


def sum_partials(p, axes, keepdims):
    """``p.sum(axis=axes)`` over value axes ``axes`` of partials ``p``."""
    fast = _kernels.sum_leading(p, axes, keepdims)
    if fast is not None:
        return fast
    return np.sum(p, axis=axes, keepdims=keepdims)
