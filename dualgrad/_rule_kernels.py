"""Fused local derivative and propagation for the unary rules, one loop each.

GENERATED from the rule table by ``python -m dualgrad._kernelgen``: do not edit.
``KERNELS`` maps a ufunc to ``(flat, rows)``: ``flat(xs, outs, p, q)`` for
one direction, ``q[i] = f(xs[i], outs[i]) * p[i]``, and ``rows`` for partials of
shape ``(rows, n)``.  A zero partial stays 0 where the local derivative is inf or
NaN, as in :mod:`dualgrad._numba_kernels`.
"""

import numpy as np
from numba import njit

_JIT = dict(cache=True, error_model="numpy", nogil=True)


@njit(**_JIT)
def where(cond, a, b):
    return a if cond else b


@njit(**_JIT)
def d_square_flat(xs, outs, p, q):
    """``np.square``: ``q = (2.0 * x) * p``, one direction."""
    for i in range(p.shape[0]):
        x = xs[i]
        f = 2.0 * x
        pi = p[i]
        q[i] = 0.0 if pi == 0.0 else f * pi


@njit(**_JIT)
def d_square(xs, outs, p, q):
    """``np.square``: ``q[i, :] = (2.0 * x) * p[i, :]``."""
    rows, n = p.shape
    for i in range(rows):
        x = xs[i]
        f = 2.0 * x
        if f - f == 0.0:
            for k in range(n):
                q[i, k] = f * p[i, k]
        else:
            for k in range(n):
                pk = p[i, k]
                q[i, k] = 0.0 if pk == 0.0 else f * pk


@njit(**_JIT)
def d_reciprocal_flat(xs, outs, p, q):
    """``np.reciprocal``: ``q = (-(out * out)) * p``, one direction."""
    for i in range(p.shape[0]):
        out = outs[i]
        f = -(out * out)
        pi = p[i]
        q[i] = 0.0 if pi == 0.0 else f * pi


@njit(**_JIT)
def d_reciprocal(xs, outs, p, q):
    """``np.reciprocal``: ``q[i, :] = (-(out * out)) * p[i, :]``."""
    rows, n = p.shape
    for i in range(rows):
        out = outs[i]
        f = -(out * out)
        if f - f == 0.0:
            for k in range(n):
                q[i, k] = f * p[i, k]
        else:
            for k in range(n):
                pk = p[i, k]
                q[i, k] = 0.0 if pk == 0.0 else f * pk


@njit(**_JIT)
def d_sqrt_flat(xs, outs, p, q):
    """``np.sqrt``: ``q = (0.5 / out) * p``, one direction."""
    for i in range(p.shape[0]):
        out = outs[i]
        f = 0.5 / out
        pi = p[i]
        q[i] = 0.0 if pi == 0.0 else f * pi


@njit(**_JIT)
def d_sqrt(xs, outs, p, q):
    """``np.sqrt``: ``q[i, :] = (0.5 / out) * p[i, :]``."""
    rows, n = p.shape
    for i in range(rows):
        out = outs[i]
        f = 0.5 / out
        if f - f == 0.0:
            for k in range(n):
                q[i, k] = f * p[i, k]
        else:
            for k in range(n):
                pk = p[i, k]
                q[i, k] = 0.0 if pk == 0.0 else f * pk


@njit(**_JIT)
def d_cbrt_flat(xs, outs, p, q):
    """``np.cbrt``: ``q = (1.0 / (3.0 * out * out)) * p``, one direction."""
    for i in range(p.shape[0]):
        out = outs[i]
        f = 1.0 / (3.0 * out * out)
        pi = p[i]
        q[i] = 0.0 if pi == 0.0 else f * pi


@njit(**_JIT)
def d_cbrt(xs, outs, p, q):
    """``np.cbrt``: ``q[i, :] = (1.0 / (3.0 * out * out)) * p[i, :]``."""
    rows, n = p.shape
    for i in range(rows):
        out = outs[i]
        f = 1.0 / (3.0 * out * out)
        if f - f == 0.0:
            for k in range(n):
                q[i, k] = f * p[i, k]
        else:
            for k in range(n):
                pk = p[i, k]
                q[i, k] = 0.0 if pk == 0.0 else f * pk


@njit(**_JIT)
def d_absolute_flat(xs, outs, p, q):
    """``np.absolute``: ``q = (np.sign(x)) * p``, one direction."""
    for i in range(p.shape[0]):
        x = xs[i]
        f = np.sign(x)
        pi = p[i]
        q[i] = 0.0 if pi == 0.0 else f * pi


@njit(**_JIT)
def d_absolute(xs, outs, p, q):
    """``np.absolute``: ``q[i, :] = (np.sign(x)) * p[i, :]``."""
    rows, n = p.shape
    for i in range(rows):
        x = xs[i]
        f = np.sign(x)
        if f - f == 0.0:
            for k in range(n):
                q[i, k] = f * p[i, k]
        else:
            for k in range(n):
                pk = p[i, k]
                q[i, k] = 0.0 if pk == 0.0 else f * pk


@njit(**_JIT)
def d_fabs_flat(xs, outs, p, q):
    """``np.fabs``: ``q = (np.sign(x)) * p``, one direction."""
    for i in range(p.shape[0]):
        x = xs[i]
        f = np.sign(x)
        pi = p[i]
        q[i] = 0.0 if pi == 0.0 else f * pi


@njit(**_JIT)
def d_fabs(xs, outs, p, q):
    """``np.fabs``: ``q[i, :] = (np.sign(x)) * p[i, :]``."""
    rows, n = p.shape
    for i in range(rows):
        x = xs[i]
        f = np.sign(x)
        if f - f == 0.0:
            for k in range(n):
                q[i, k] = f * p[i, k]
        else:
            for k in range(n):
                pk = p[i, k]
                q[i, k] = 0.0 if pk == 0.0 else f * pk


@njit(**_JIT)
def d_exp_flat(xs, outs, p, q):
    """``np.exp``: ``q = (out) * p``, one direction."""
    for i in range(p.shape[0]):
        out = outs[i]
        f = out
        pi = p[i]
        q[i] = 0.0 if pi == 0.0 else f * pi


@njit(**_JIT)
def d_exp(xs, outs, p, q):
    """``np.exp``: ``q[i, :] = (out) * p[i, :]``."""
    rows, n = p.shape
    for i in range(rows):
        out = outs[i]
        f = out
        if f - f == 0.0:
            for k in range(n):
                q[i, k] = f * p[i, k]
        else:
            for k in range(n):
                pk = p[i, k]
                q[i, k] = 0.0 if pk == 0.0 else f * pk


@njit(**_JIT)
def d_exp2_flat(xs, outs, p, q):
    """``np.exp2``: ``q = (out * 0.6931471805599453) * p``, one direction."""
    for i in range(p.shape[0]):
        out = outs[i]
        f = out * 0.6931471805599453
        pi = p[i]
        q[i] = 0.0 if pi == 0.0 else f * pi


@njit(**_JIT)
def d_exp2(xs, outs, p, q):
    """``np.exp2``: ``q[i, :] = (out * 0.6931471805599453) * p[i, :]``."""
    rows, n = p.shape
    for i in range(rows):
        out = outs[i]
        f = out * 0.6931471805599453
        if f - f == 0.0:
            for k in range(n):
                q[i, k] = f * p[i, k]
        else:
            for k in range(n):
                pk = p[i, k]
                q[i, k] = 0.0 if pk == 0.0 else f * pk


@njit(**_JIT)
def d_expm1_flat(xs, outs, p, q):
    """``np.expm1``: ``q = (out + 1.0) * p``, one direction."""
    for i in range(p.shape[0]):
        out = outs[i]
        f = out + 1.0
        pi = p[i]
        q[i] = 0.0 if pi == 0.0 else f * pi


@njit(**_JIT)
def d_expm1(xs, outs, p, q):
    """``np.expm1``: ``q[i, :] = (out + 1.0) * p[i, :]``."""
    rows, n = p.shape
    for i in range(rows):
        out = outs[i]
        f = out + 1.0
        if f - f == 0.0:
            for k in range(n):
                q[i, k] = f * p[i, k]
        else:
            for k in range(n):
                pk = p[i, k]
                q[i, k] = 0.0 if pk == 0.0 else f * pk


@njit(**_JIT)
def d_log_flat(xs, outs, p, q):
    """``np.log``: ``q = (1.0 / x) * p``, one direction."""
    for i in range(p.shape[0]):
        x = xs[i]
        f = 1.0 / x
        pi = p[i]
        q[i] = 0.0 if pi == 0.0 else f * pi


@njit(**_JIT)
def d_log(xs, outs, p, q):
    """``np.log``: ``q[i, :] = (1.0 / x) * p[i, :]``."""
    rows, n = p.shape
    for i in range(rows):
        x = xs[i]
        f = 1.0 / x
        if f - f == 0.0:
            for k in range(n):
                q[i, k] = f * p[i, k]
        else:
            for k in range(n):
                pk = p[i, k]
                q[i, k] = 0.0 if pk == 0.0 else f * pk


@njit(**_JIT)
def d_log2_flat(xs, outs, p, q):
    """``np.log2``: ``q = (1.0 / (x * 0.6931471805599453)) * p``, one direction."""
    for i in range(p.shape[0]):
        x = xs[i]
        f = 1.0 / (x * 0.6931471805599453)
        pi = p[i]
        q[i] = 0.0 if pi == 0.0 else f * pi


@njit(**_JIT)
def d_log2(xs, outs, p, q):
    """``np.log2``: ``q[i, :] = (1.0 / (x * 0.6931471805599453)) * p[i, :]``."""
    rows, n = p.shape
    for i in range(rows):
        x = xs[i]
        f = 1.0 / (x * 0.6931471805599453)
        if f - f == 0.0:
            for k in range(n):
                q[i, k] = f * p[i, k]
        else:
            for k in range(n):
                pk = p[i, k]
                q[i, k] = 0.0 if pk == 0.0 else f * pk


@njit(**_JIT)
def d_log10_flat(xs, outs, p, q):
    """``np.log10``: ``q = (1.0 / (x * 2.302585092994046)) * p``, one direction."""
    for i in range(p.shape[0]):
        x = xs[i]
        f = 1.0 / (x * 2.302585092994046)
        pi = p[i]
        q[i] = 0.0 if pi == 0.0 else f * pi


@njit(**_JIT)
def d_log10(xs, outs, p, q):
    """``np.log10``: ``q[i, :] = (1.0 / (x * 2.302585092994046)) * p[i, :]``."""
    rows, n = p.shape
    for i in range(rows):
        x = xs[i]
        f = 1.0 / (x * 2.302585092994046)
        if f - f == 0.0:
            for k in range(n):
                q[i, k] = f * p[i, k]
        else:
            for k in range(n):
                pk = p[i, k]
                q[i, k] = 0.0 if pk == 0.0 else f * pk


@njit(**_JIT)
def d_log1p_flat(xs, outs, p, q):
    """``np.log1p``: ``q = (1.0 / (1.0 + x)) * p``, one direction."""
    for i in range(p.shape[0]):
        x = xs[i]
        f = 1.0 / (1.0 + x)
        pi = p[i]
        q[i] = 0.0 if pi == 0.0 else f * pi


@njit(**_JIT)
def d_log1p(xs, outs, p, q):
    """``np.log1p``: ``q[i, :] = (1.0 / (1.0 + x)) * p[i, :]``."""
    rows, n = p.shape
    for i in range(rows):
        x = xs[i]
        f = 1.0 / (1.0 + x)
        if f - f == 0.0:
            for k in range(n):
                q[i, k] = f * p[i, k]
        else:
            for k in range(n):
                pk = p[i, k]
                q[i, k] = 0.0 if pk == 0.0 else f * pk


@njit(**_JIT)
def d_tan_flat(xs, outs, p, q):
    """``np.tan``: ``q = (1.0 + out * out) * p``, one direction."""
    for i in range(p.shape[0]):
        out = outs[i]
        f = 1.0 + out * out
        pi = p[i]
        q[i] = 0.0 if pi == 0.0 else f * pi


@njit(**_JIT)
def d_tan(xs, outs, p, q):
    """``np.tan``: ``q[i, :] = (1.0 + out * out) * p[i, :]``."""
    rows, n = p.shape
    for i in range(rows):
        out = outs[i]
        f = 1.0 + out * out
        if f - f == 0.0:
            for k in range(n):
                q[i, k] = f * p[i, k]
        else:
            for k in range(n):
                pk = p[i, k]
                q[i, k] = 0.0 if pk == 0.0 else f * pk


@njit(**_JIT)
def d_arcsin_flat(xs, outs, p, q):
    """``np.arcsin``: ``q = (1.0 / np.sqrt(1.0 - x * x)) * p``, one direction."""
    for i in range(p.shape[0]):
        x = xs[i]
        f = 1.0 / np.sqrt(1.0 - x * x)
        pi = p[i]
        q[i] = 0.0 if pi == 0.0 else f * pi


@njit(**_JIT)
def d_arcsin(xs, outs, p, q):
    """``np.arcsin``: ``q[i, :] = (1.0 / np.sqrt(1.0 - x * x)) * p[i, :]``."""
    rows, n = p.shape
    for i in range(rows):
        x = xs[i]
        f = 1.0 / np.sqrt(1.0 - x * x)
        if f - f == 0.0:
            for k in range(n):
                q[i, k] = f * p[i, k]
        else:
            for k in range(n):
                pk = p[i, k]
                q[i, k] = 0.0 if pk == 0.0 else f * pk


@njit(**_JIT)
def d_arccos_flat(xs, outs, p, q):
    """``np.arccos``: ``q = (-1.0 / np.sqrt(1.0 - x * x)) * p``, one direction."""
    for i in range(p.shape[0]):
        x = xs[i]
        f = -1.0 / np.sqrt(1.0 - x * x)
        pi = p[i]
        q[i] = 0.0 if pi == 0.0 else f * pi


@njit(**_JIT)
def d_arccos(xs, outs, p, q):
    """``np.arccos``: ``q[i, :] = (-1.0 / np.sqrt(1.0 - x * x)) * p[i, :]``."""
    rows, n = p.shape
    for i in range(rows):
        x = xs[i]
        f = -1.0 / np.sqrt(1.0 - x * x)
        if f - f == 0.0:
            for k in range(n):
                q[i, k] = f * p[i, k]
        else:
            for k in range(n):
                pk = p[i, k]
                q[i, k] = 0.0 if pk == 0.0 else f * pk


@njit(**_JIT)
def d_arctan_flat(xs, outs, p, q):
    """``np.arctan``: ``q = (1.0 / (1.0 + x * x)) * p``, one direction."""
    for i in range(p.shape[0]):
        x = xs[i]
        f = 1.0 / (1.0 + x * x)
        pi = p[i]
        q[i] = 0.0 if pi == 0.0 else f * pi


@njit(**_JIT)
def d_arctan(xs, outs, p, q):
    """``np.arctan``: ``q[i, :] = (1.0 / (1.0 + x * x)) * p[i, :]``."""
    rows, n = p.shape
    for i in range(rows):
        x = xs[i]
        f = 1.0 / (1.0 + x * x)
        if f - f == 0.0:
            for k in range(n):
                q[i, k] = f * p[i, k]
        else:
            for k in range(n):
                pk = p[i, k]
                q[i, k] = 0.0 if pk == 0.0 else f * pk


@njit(**_JIT)
def d_tanh_flat(xs, outs, p, q):
    """``np.tanh``: ``q = (1.0 - out * out) * p``, one direction."""
    for i in range(p.shape[0]):
        out = outs[i]
        f = 1.0 - out * out
        pi = p[i]
        q[i] = 0.0 if pi == 0.0 else f * pi


@njit(**_JIT)
def d_tanh(xs, outs, p, q):
    """``np.tanh``: ``q[i, :] = (1.0 - out * out) * p[i, :]``."""
    rows, n = p.shape
    for i in range(rows):
        out = outs[i]
        f = 1.0 - out * out
        if f - f == 0.0:
            for k in range(n):
                q[i, k] = f * p[i, k]
        else:
            for k in range(n):
                pk = p[i, k]
                q[i, k] = 0.0 if pk == 0.0 else f * pk


@njit(**_JIT)
def d_arcsinh_flat(xs, outs, p, q):
    """``np.arcsinh``: ``q = (1.0 / np.sqrt(x * x + 1.0)) * p``, one direction."""
    for i in range(p.shape[0]):
        x = xs[i]
        f = 1.0 / np.sqrt(x * x + 1.0)
        pi = p[i]
        q[i] = 0.0 if pi == 0.0 else f * pi


@njit(**_JIT)
def d_arcsinh(xs, outs, p, q):
    """``np.arcsinh``: ``q[i, :] = (1.0 / np.sqrt(x * x + 1.0)) * p[i, :]``."""
    rows, n = p.shape
    for i in range(rows):
        x = xs[i]
        f = 1.0 / np.sqrt(x * x + 1.0)
        if f - f == 0.0:
            for k in range(n):
                q[i, k] = f * p[i, k]
        else:
            for k in range(n):
                pk = p[i, k]
                q[i, k] = 0.0 if pk == 0.0 else f * pk


@njit(**_JIT)
def d_arccosh_flat(xs, outs, p, q):
    """``np.arccosh``: ``q = (1.0 / np.sqrt(x * x - 1.0)) * p``, one direction."""
    for i in range(p.shape[0]):
        x = xs[i]
        f = 1.0 / np.sqrt(x * x - 1.0)
        pi = p[i]
        q[i] = 0.0 if pi == 0.0 else f * pi


@njit(**_JIT)
def d_arccosh(xs, outs, p, q):
    """``np.arccosh``: ``q[i, :] = (1.0 / np.sqrt(x * x - 1.0)) * p[i, :]``."""
    rows, n = p.shape
    for i in range(rows):
        x = xs[i]
        f = 1.0 / np.sqrt(x * x - 1.0)
        if f - f == 0.0:
            for k in range(n):
                q[i, k] = f * p[i, k]
        else:
            for k in range(n):
                pk = p[i, k]
                q[i, k] = 0.0 if pk == 0.0 else f * pk


@njit(**_JIT)
def d_arctanh_flat(xs, outs, p, q):
    """``np.arctanh``: ``q = (1.0 / (1.0 - x * x)) * p``, one direction."""
    for i in range(p.shape[0]):
        x = xs[i]
        f = 1.0 / (1.0 - x * x)
        pi = p[i]
        q[i] = 0.0 if pi == 0.0 else f * pi


@njit(**_JIT)
def d_arctanh(xs, outs, p, q):
    """``np.arctanh``: ``q[i, :] = (1.0 / (1.0 - x * x)) * p[i, :]``."""
    rows, n = p.shape
    for i in range(rows):
        x = xs[i]
        f = 1.0 / (1.0 - x * x)
        if f - f == 0.0:
            for k in range(n):
                q[i, k] = f * p[i, k]
        else:
            for k in range(n):
                pk = p[i, k]
                q[i, k] = 0.0 if pk == 0.0 else f * pk


KERNELS = {
    np.square: (d_square_flat, d_square),
    np.reciprocal: (d_reciprocal_flat, d_reciprocal),
    np.sqrt: (d_sqrt_flat, d_sqrt),
    np.cbrt: (d_cbrt_flat, d_cbrt),
    np.absolute: (d_absolute_flat, d_absolute),
    np.fabs: (d_fabs_flat, d_fabs),
    np.exp: (d_exp_flat, d_exp),
    np.exp2: (d_exp2_flat, d_exp2),
    np.expm1: (d_expm1_flat, d_expm1),
    np.log: (d_log_flat, d_log),
    np.log2: (d_log2_flat, d_log2),
    np.log10: (d_log10_flat, d_log10),
    np.log1p: (d_log1p_flat, d_log1p),
    np.tan: (d_tan_flat, d_tan),
    np.arcsin: (d_arcsin_flat, d_arcsin),
    np.arccos: (d_arccos_flat, d_arccos),
    np.arctan: (d_arctan_flat, d_arctan),
    np.tanh: (d_tanh_flat, d_tanh),
    np.arcsinh: (d_arcsinh_flat, d_arcsinh),
    np.arccosh: (d_arccosh_flat, d_arccosh),
    np.arctanh: (d_arctanh_flat, d_arctanh),
}
