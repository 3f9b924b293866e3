"""Local derivatives fused with their propagation, one loop per rule and case.

GENERATED from the rule table by ``python -m dualgrad.backend._kernelgen``: do not edit.

``kernels(ufunc)[duals]`` is ``(flat, rows)`` for the arguments at positions
``duals`` carrying partials: ``flat`` for one direction, ``rows`` for partials of
shape ``(rows, n)``; their numba dispatchers are made at the ufunc's first request
and kept in ``KERNELS``.  A kernel takes the arguments' values, the result, the dual
arguments' partials and the output ``q = sum_k f_k(x, y, out) * p_k``, where
``f_k`` is the table's expression for argument ``k``, evaluated per element.  A
zero partial stays 0 where its local derivative is inf or NaN, as in
:mod:`dualgrad.backend._numba_kernels`.  A selection row's (``select``: maximum,
minimum, fmax, fmin) select instead: ``q`` is the partials of the argument whose 0/1
indicator is 1 (the second's where it is, else the first's, +0.0 beside a constant),
on the bits, never a product.

``small_kernel(ufunc)`` is the kernel of dispatch's lean path on small arrays (every
argument a dual, 1-D values, partials of shape ``(rows, n)`` in any layout), made at
its first request and kept in ``SMALL_KERNELS``: the same expressions and products,
returning True, or False where a local derivative is not finite (tested by a flag
over the rows, no early return; ``q`` then written: the caller's careful path runs
instead, as after NumPy's finiteness test).

``entry_kernel(ufunc)`` is the lean path's kernel for small 1-D values called through
one compiled entry point (``_kernels.small_entry``: every argument a dual, any layout,
no numba dispatcher), kept in ``ENTRY_KERNELS``: the same expressions and products,
True, or False where a local derivative is not finite or the lengths differ.  A row of
``rules._table.entry_form`` (``np.cos``, ``np.tanh``; scipy.special's in ``_SC_ENTRY``,
by name: ``sc.erf``, ``sc.k1``...) has one as well, whose factor is
the table's kernel arithmetic on NumPy's parts of it, which the lean path computes and
passes (``d_tanh_x_entry(xs, a0s, px, q)``, ``a0 = np.cosh(x)``); False also where a
``where`` of the row would take its other branch.

``exact_kernel(ufunc, duals)`` is the same for a rule whose value rounds alike in numba
and NumPy (``+ - * /``, ``np.square``, ``np.negative``), that also computes the value
into ``outs``, for the dual arguments at ``duals`` (a binary rule's other argument a
float: ``a * 2.0``): False as well where NumPy would report on the value (not finite,
or tiny and rounded), so that NumPy's own call then makes its report.
``exact_kernel(ufunc, ("row", k))`` is that kernel for a binary rule of a scalar dual at
argument ``k`` (its value a float, its partials a row of shape ``(n,)``) and an array
dual at the other (``k * u``, ``u - k``): the row's products broadcast over the rows.
"""

import sys

import numpy as np
from ._jit import ENTRY, njit, one_layout
from ._numpy_loops import fe_clear, fe_test, numpy_loop, numpy_loop2_steps

_JIT = dict(cache=True, error_model="numpy", nogil=True)


@njit(**_JIT)
def where(cond, a, b):
    return a if cond else b


@njit(**_JIT)
def sign(x):
    """``np.sign``'s values (numba's np.sign gives -0.0 at -0.0, NumPy's 0.0), as
    selects: a chain of ``if``s compiled to jumps, mispredicted at every other row of
    values of random sign (np.absolute's kernel 3-4x slower at N = 1e5, n = 4: sel12)."""
    return where(x > 0.0, 1.0, where(x < 0.0, -1.0, where(x == 0.0, 0.0, x)))


@njit(**_JIT)
def over(f, a, b, p):
    """``f * p`` for a nonzero partial ``p`` beside a local derivative ``f = a / b`` that
    is not finite or underflowed (the table's ``quotient``): where ``f`` overflowed, or
    is below the smallest normal number with ``a`` nonzero, and ``a`` and ``b`` are
    finite, ``b`` nonzero, in two steps, ``(p / b) * a`` for ``|a| >= 1``, else
    ``(p * a) / b`` (``rules._table.two_step``'s, to the bit: a subnormal ``b`` taken times its
    ``LIFT`` first, with ``p`` where ``|a| >= 1``, else with ``a``): finite wherever the product is (``-1 / u**2`` at u
    = 1e-159 times du = 1e-80)."""
    if (f - f != 0.0 and f == f or -2.2250738585072014e-308 < f < 2.2250738585072014e-308
            and a != 0.0) and a - a == 0.0 and b - b == 0.0 and b != 0.0:
        if -2.2250738585072014e-308 < b < 2.2250738585072014e-308:
            if abs(a) >= 1.0:
                return (p * 2.028240960365167e+31 / (b * 2.028240960365167e+31)) * a
            return (p * (a * 2.028240960365167e+31)) / (b * 2.028240960365167e+31)
        return (p / b) * a if abs(a) >= 1.0 else (p * a) / b
    return f * p


def d_divide_x_flat(xs, ys, outs, px, q):
    """``np.divide``, one direction: ``q = (1.0 / y) * px``."""
    for i in range(q.shape[0]):
        y = ys[i]
        fx = 1.0 / y
        t = fx * px[i]
        if not (fx - fx == 0.0 and not (-2.2250738585072014e-308 < fx < 2.2250738585072014e-308 and (y) - (y) == 0.0)):
            t = (fx * px[i] if px[i] == 0.0 and fx - fx == 0.0 else (0.0 if px[i] == 0.0 else over(fx, 1.0, y, px[i])))
        q[i] = t


def d_divide_x(xs, ys, outs, px, q):
    """``np.divide``: ``q[i, :] = (1.0 / y) * px``.

    Rows of 4 or 2 C-contiguous partials: the products over the flat arrays, then the
    zero rule on the rows whose local derivatives are not finite, if any (the
    generator's ``_SHORT``); other lengths and layouts: a loop over ``n`` per row."""
    rows, n = q.shape
    short = False
    bad = False
    if n == 4 and px.flags.c_contiguous and q.flags.c_contiguous:
        short = True
        pxf = px.ravel()
        qf = q.ravel()
        for i in range(rows):
            y = ys[i]
            fx = 1.0 / y
            bad |= (fx - fx != 0.0) | (-2.2250738585072014e-308 < fx < 2.2250738585072014e-308 and (y) - (y) == 0.0)
            for j in range(4 * i, 4 * i + 4):
                qf[j] = fx * pxf[j]
    if n == 2 and px.flags.c_contiguous and q.flags.c_contiguous:
        short = True
        pxf = px.ravel()
        qf = q.ravel()
        for i in range(rows):
            y = ys[i]
            fx = 1.0 / y
            bad |= (fx - fx != 0.0) | (-2.2250738585072014e-308 < fx < 2.2250738585072014e-308 and (y) - (y) == 0.0)
            for j in range(2 * i, 2 * i + 2):
                qf[j] = fx * pxf[j]
    if not short:
        d_divide_x_loop(xs, ys, outs, px, q)
    elif bad:
        for i in range(rows):
            y = ys[i]
            fx = 1.0 / y
            if not (fx - fx == 0.0 and not (-2.2250738585072014e-308 < fx < 2.2250738585072014e-308 and (y) - (y) == 0.0)):
                for k in range(n):
                    q[i, k] = (fx * px[i, k] if px[i, k] == 0.0 and fx - fx == 0.0 else (0.0 if px[i, k] == 0.0 else over(fx, 1.0, y, px[i, k])))


def d_divide_x_loop(xs, ys, outs, px, q):
    """``np.divide``'s rows kernel for other lengths and layouts: a loop over ``n`` per
    row, its own compiled function (in the kernel's body, after the flat loops, LLVM
    laid it out 1.06-1.18x slower at n = 3, 5, 8: stop 33 rows15)."""
    rows, n = q.shape
    for i in range(rows):
        y = ys[i]
        fx = 1.0 / y
        if fx - fx == 0.0 and not (-2.2250738585072014e-308 < fx < 2.2250738585072014e-308 and (y) - (y) == 0.0):
            for k in range(n):
                q[i, k] = fx * px[i, k]
        else:
            for k in range(n):
                q[i, k] = (fx * px[i, k] if px[i, k] == 0.0 and fx - fx == 0.0 else (0.0 if px[i, k] == 0.0 else over(fx, 1.0, y, px[i, k])))


def d_divide_y_flat(xs, ys, outs, py, q):
    """``np.divide``, one direction: ``q = (-out / y) * py``."""
    for i in range(q.shape[0]):
        y = ys[i]
        out = outs[i]
        fy = -out / y
        t = fy * py[i]
        if not (fy - fy == 0.0 and not (-2.2250738585072014e-308 < fy < 2.2250738585072014e-308 and -out != 0.0 and (y) - (y) == 0.0)):
            t = (fy * py[i] if py[i] == 0.0 and fy - fy == 0.0 else (0.0 if py[i] == 0.0 else over(fy, -out, y, py[i])))
        q[i] = t


def d_divide_y(xs, ys, outs, py, q):
    """``np.divide``: ``q[i, :] = (-out / y) * py``.

    Rows of 4 or 2 C-contiguous partials: the products over the flat arrays, then the
    zero rule on the rows whose local derivatives are not finite, if any (the
    generator's ``_SHORT``); other lengths and layouts: a loop over ``n`` per row."""
    rows, n = q.shape
    short = False
    bad = False
    if n == 4 and py.flags.c_contiguous and q.flags.c_contiguous:
        short = True
        pyf = py.ravel()
        qf = q.ravel()
        for i in range(rows):
            y = ys[i]
            out = outs[i]
            fy = -out / y
            bad |= (fy - fy != 0.0) | (-2.2250738585072014e-308 < fy < 2.2250738585072014e-308 and -out != 0.0 and (y) - (y) == 0.0)
            for j in range(4 * i, 4 * i + 4):
                qf[j] = fy * pyf[j]
    if n == 2 and py.flags.c_contiguous and q.flags.c_contiguous:
        short = True
        pyf = py.ravel()
        qf = q.ravel()
        for i in range(rows):
            y = ys[i]
            out = outs[i]
            fy = -out / y
            bad |= (fy - fy != 0.0) | (-2.2250738585072014e-308 < fy < 2.2250738585072014e-308 and -out != 0.0 and (y) - (y) == 0.0)
            for j in range(2 * i, 2 * i + 2):
                qf[j] = fy * pyf[j]
    if not short:
        d_divide_y_loop(xs, ys, outs, py, q)
    elif bad:
        for i in range(rows):
            y = ys[i]
            out = outs[i]
            fy = -out / y
            if not (fy - fy == 0.0 and not (-2.2250738585072014e-308 < fy < 2.2250738585072014e-308 and -out != 0.0 and (y) - (y) == 0.0)):
                for k in range(n):
                    q[i, k] = (fy * py[i, k] if py[i, k] == 0.0 and fy - fy == 0.0 else (0.0 if py[i, k] == 0.0 else over(fy, -out, y, py[i, k])))


def d_divide_y_loop(xs, ys, outs, py, q):
    """``np.divide``'s rows kernel for other lengths and layouts: a loop over ``n`` per
    row, its own compiled function (in the kernel's body, after the flat loops, LLVM
    laid it out 1.06-1.18x slower at n = 3, 5, 8: stop 33 rows15)."""
    rows, n = q.shape
    for i in range(rows):
        y = ys[i]
        out = outs[i]
        fy = -out / y
        if fy - fy == 0.0 and not (-2.2250738585072014e-308 < fy < 2.2250738585072014e-308 and -out != 0.0 and (y) - (y) == 0.0):
            for k in range(n):
                q[i, k] = fy * py[i, k]
        else:
            for k in range(n):
                q[i, k] = (fy * py[i, k] if py[i, k] == 0.0 and fy - fy == 0.0 else (0.0 if py[i, k] == 0.0 else over(fy, -out, y, py[i, k])))


def d_divide_xy_flat(xs, ys, outs, px, py, q):
    """``np.divide``, one direction: ``q = (1.0 / y) * px + (-out / y) * py``."""
    for i in range(q.shape[0]):
        y = ys[i]
        out = outs[i]
        fx = 1.0 / y
        fy = -out / y
        t = fx * px[i] + fy * py[i]
        if not (fx - fx == 0.0 and not (-2.2250738585072014e-308 < fx < 2.2250738585072014e-308 and (y) - (y) == 0.0) and fy - fy == 0.0 and not (-2.2250738585072014e-308 < fy < 2.2250738585072014e-308 and -out != 0.0 and (y) - (y) == 0.0)):
            t = (fx * px[i] if px[i] == 0.0 and fx - fx == 0.0 and fy - fy == 0.0 else (0.0 if px[i] == 0.0 else over(fx, 1.0, y, px[i]))) + (fy * py[i] if py[i] == 0.0 and fx - fx == 0.0 and fy - fy == 0.0 else (0.0 if py[i] == 0.0 else over(fy, -out, y, py[i])))
        q[i] = t


def d_divide_xy(xs, ys, outs, px, py, q):
    """``np.divide``: ``q[i, :] = (1.0 / y) * px + (-out / y) * py``.

    Rows of 4 or 2 C-contiguous partials: the products over the flat arrays, then the
    zero rule on the rows whose local derivatives are not finite, if any (the
    generator's ``_SHORT``); other lengths and layouts: a loop over ``n`` per row."""
    rows, n = q.shape
    short = False
    bad = False
    if n == 4 and px.flags.c_contiguous and py.flags.c_contiguous and q.flags.c_contiguous:
        short = True
        pxf = px.ravel()
        pyf = py.ravel()
        qf = q.ravel()
        for i in range(rows):
            y = ys[i]
            out = outs[i]
            fx = 1.0 / y
            fy = -out / y
            bad |= (fx - fx != 0.0) | (-2.2250738585072014e-308 < fx < 2.2250738585072014e-308 and (y) - (y) == 0.0) | (fy - fy != 0.0) | (-2.2250738585072014e-308 < fy < 2.2250738585072014e-308 and -out != 0.0 and (y) - (y) == 0.0)
            for j in range(4 * i, 4 * i + 4):
                qf[j] = fx * pxf[j] + fy * pyf[j]
    if n == 2 and px.flags.c_contiguous and py.flags.c_contiguous and q.flags.c_contiguous:
        short = True
        pxf = px.ravel()
        pyf = py.ravel()
        qf = q.ravel()
        for i in range(rows):
            y = ys[i]
            out = outs[i]
            fx = 1.0 / y
            fy = -out / y
            bad |= (fx - fx != 0.0) | (-2.2250738585072014e-308 < fx < 2.2250738585072014e-308 and (y) - (y) == 0.0) | (fy - fy != 0.0) | (-2.2250738585072014e-308 < fy < 2.2250738585072014e-308 and -out != 0.0 and (y) - (y) == 0.0)
            for j in range(2 * i, 2 * i + 2):
                qf[j] = fx * pxf[j] + fy * pyf[j]
    if not short:
        d_divide_xy_loop(xs, ys, outs, px, py, q)
    elif bad:
        for i in range(rows):
            y = ys[i]
            out = outs[i]
            fx = 1.0 / y
            fy = -out / y
            if not (fx - fx == 0.0 and not (-2.2250738585072014e-308 < fx < 2.2250738585072014e-308 and (y) - (y) == 0.0) and fy - fy == 0.0 and not (-2.2250738585072014e-308 < fy < 2.2250738585072014e-308 and -out != 0.0 and (y) - (y) == 0.0)):
                for k in range(n):
                    q[i, k] = (fx * px[i, k] if px[i, k] == 0.0 and fx - fx == 0.0 and fy - fy == 0.0 else (0.0 if px[i, k] == 0.0 else over(fx, 1.0, y, px[i, k]))) + (fy * py[i, k] if py[i, k] == 0.0 and fx - fx == 0.0 and fy - fy == 0.0 else (0.0 if py[i, k] == 0.0 else over(fy, -out, y, py[i, k])))


def d_divide_xy_loop(xs, ys, outs, px, py, q):
    """``np.divide``'s rows kernel for other lengths and layouts: a loop over ``n`` per
    row, its own compiled function (in the kernel's body, after the flat loops, LLVM
    laid it out 1.06-1.18x slower at n = 3, 5, 8: stop 33 rows15)."""
    rows, n = q.shape
    for i in range(rows):
        y = ys[i]
        out = outs[i]
        fx = 1.0 / y
        fy = -out / y
        if fx - fx == 0.0 and not (-2.2250738585072014e-308 < fx < 2.2250738585072014e-308 and (y) - (y) == 0.0) and fy - fy == 0.0 and not (-2.2250738585072014e-308 < fy < 2.2250738585072014e-308 and -out != 0.0 and (y) - (y) == 0.0):
            for k in range(n):
                q[i, k] = fx * px[i, k] + fy * py[i, k]
        else:
            for k in range(n):
                q[i, k] = (fx * px[i, k] if px[i, k] == 0.0 and fx - fx == 0.0 and fy - fy == 0.0 else (0.0 if px[i, k] == 0.0 else over(fx, 1.0, y, px[i, k]))) + (fy * py[i, k] if py[i, k] == 0.0 and fx - fx == 0.0 and fy - fy == 0.0 else (0.0 if py[i, k] == 0.0 else over(fy, -out, y, py[i, k])))


def d_divide_xy_small(xs, ys, outs, px, py, q):
    """``np.divide``, small arrays: ``q[i, :] = (1.0 / y) * px + (-out / y) * py``; False where a local
    derivative is not finite (``q`` then written, as the plain products)."""
    rows, n = q.shape
    if n == 4 and px.flags.c_contiguous and py.flags.c_contiguous and q.flags.c_contiguous:
        pxf = px.ravel()
        pyf = py.ravel()
        qf = q.ravel()
        bad = False
        for i in range(rows):
            y = ys[i]
            out = outs[i]
            fx = 1.0 / y
            fy = -out / y
            bad |= (fx - fx != 0.0) | (-2.2250738585072014e-308 < fx < 2.2250738585072014e-308 and (y) - (y) == 0.0) | (fy - fy != 0.0) | (-2.2250738585072014e-308 < fy < 2.2250738585072014e-308 and -out != 0.0 and (y) - (y) == 0.0)
            for j in range(4 * i, 4 * i + 4):
                qf[j] = fx * pxf[j] + fy * pyf[j]
        return not bad
    if n == 2 and px.flags.c_contiguous and py.flags.c_contiguous and q.flags.c_contiguous:
        pxf = px.ravel()
        pyf = py.ravel()
        qf = q.ravel()
        bad = False
        for i in range(rows):
            y = ys[i]
            out = outs[i]
            fx = 1.0 / y
            fy = -out / y
            bad |= (fx - fx != 0.0) | (-2.2250738585072014e-308 < fx < 2.2250738585072014e-308 and (y) - (y) == 0.0) | (fy - fy != 0.0) | (-2.2250738585072014e-308 < fy < 2.2250738585072014e-308 and -out != 0.0 and (y) - (y) == 0.0)
            for j in range(2 * i, 2 * i + 2):
                qf[j] = fx * pxf[j] + fy * pyf[j]
        return not bad
    bad = False
    for i in range(rows):
        y = ys[i]
        out = outs[i]
        fx = 1.0 / y
        fy = -out / y
        bad |= (fx - fx != 0.0) | (-2.2250738585072014e-308 < fx < 2.2250738585072014e-308 and (y) - (y) == 0.0) | (fy - fy != 0.0) | (-2.2250738585072014e-308 < fy < 2.2250738585072014e-308 and -out != 0.0 and (y) - (y) == 0.0)
        for k in range(n):
            q[i, k] = fx * px[i, k] + fy * py[i, k]
    return not bad


def d_divide_xy_entry(xs, ys, outs, px, py, q):
    """``np.divide``, small 1-D values of any layout: ``q[i, :] = (1.0 / y) * px + (-out / y) * py``; False for
    operands of other lengths and where a local derivative is not finite."""
    rows, n = q.shape
    if xs.shape[0] != rows or ys.shape[0] != rows or outs.shape[0] != rows or px.shape[0] != rows or px.shape[1] != n or py.shape[0] != rows or py.shape[1] != n:
        return False
    bad = False
    for i in range(rows):
        y = ys[i]
        out = outs[i]
        fx = 1.0 / y
        fy = -out / y
        bad |= (fx - fx != 0.0) | (-2.2250738585072014e-308 < fx < 2.2250738585072014e-308 and (y) - (y) == 0.0) | (fy - fy != 0.0) | (-2.2250738585072014e-308 < fy < 2.2250738585072014e-308 and -out != 0.0 and (y) - (y) == 0.0)
        for k in range(n):
            q[i, k] = fx * px[i, k] + fy * py[i, k]
    return not bad


def d_square_x_flat(xs, outs, px, q):
    """``np.square``, one direction: ``q = (2.0 * x) * px``."""
    for i in range(q.shape[0]):
        x = xs[i]
        fx = 2.0 * x
        t = fx * px[i]
        if not (fx - fx == 0.0):
            t = (0.0 if px[i] == 0.0 else fx * px[i])
        q[i] = t


def d_square_x(xs, outs, px, q):
    """``np.square``: ``q[i, :] = (2.0 * x) * px``.

    Rows of 4 or 2 C-contiguous partials: the products over the flat arrays, then the
    zero rule on the rows whose local derivatives are not finite, if any (the
    generator's ``_SHORT``); other lengths and layouts: a loop over ``n`` per row."""
    rows, n = q.shape
    short = False
    bad = False
    if n == 4 and px.flags.c_contiguous and q.flags.c_contiguous:
        short = True
        pxf = px.ravel()
        qf = q.ravel()
        for i in range(rows):
            x = xs[i]
            fx = 2.0 * x
            bad |= (fx - fx != 0.0)
            for j in range(4 * i, 4 * i + 4):
                qf[j] = fx * pxf[j]
    if n == 2 and px.flags.c_contiguous and q.flags.c_contiguous:
        short = True
        pxf = px.ravel()
        qf = q.ravel()
        for i in range(rows):
            x = xs[i]
            fx = 2.0 * x
            bad |= (fx - fx != 0.0)
            for j in range(2 * i, 2 * i + 2):
                qf[j] = fx * pxf[j]
    if not short:
        d_square_x_loop(xs, outs, px, q)
    elif bad:
        for i in range(rows):
            x = xs[i]
            fx = 2.0 * x
            if not (fx - fx == 0.0):
                for k in range(n):
                    q[i, k] = (0.0 if px[i, k] == 0.0 else fx * px[i, k])


def d_square_x_loop(xs, outs, px, q):
    """``np.square``'s rows kernel for other lengths and layouts: a loop over ``n`` per
    row, its own compiled function (in the kernel's body, after the flat loops, LLVM
    laid it out 1.06-1.18x slower at n = 3, 5, 8: stop 33 rows15)."""
    rows, n = q.shape
    for i in range(rows):
        x = xs[i]
        fx = 2.0 * x
        if fx - fx == 0.0:
            for k in range(n):
                q[i, k] = fx * px[i, k]
        else:
            for k in range(n):
                q[i, k] = (0.0 if px[i, k] == 0.0 else fx * px[i, k])


def d_square_x_small(xs, outs, px, q):
    """``np.square``, small arrays: ``q[i, :] = (2.0 * x) * px``; False where a local
    derivative is not finite (``q`` then written, as the plain products)."""
    rows, n = q.shape
    if n == 4 and px.flags.c_contiguous and q.flags.c_contiguous:
        pxf = px.ravel()
        qf = q.ravel()
        bad = False
        for i in range(rows):
            x = xs[i]
            fx = 2.0 * x
            bad |= (fx - fx != 0.0)
            for j in range(4 * i, 4 * i + 4):
                qf[j] = fx * pxf[j]
        return not bad
    if n == 2 and px.flags.c_contiguous and q.flags.c_contiguous:
        pxf = px.ravel()
        qf = q.ravel()
        bad = False
        for i in range(rows):
            x = xs[i]
            fx = 2.0 * x
            bad |= (fx - fx != 0.0)
            for j in range(2 * i, 2 * i + 2):
                qf[j] = fx * pxf[j]
        return not bad
    bad = False
    for i in range(rows):
        x = xs[i]
        fx = 2.0 * x
        bad |= (fx - fx != 0.0)
        for k in range(n):
            q[i, k] = fx * px[i, k]
    return not bad


def d_square_x_entry(xs, outs, px, q):
    """``np.square``, small 1-D values of any layout: ``q[i, :] = (2.0 * x) * px``; False for
    operands of other lengths and where a local derivative is not finite."""
    rows, n = q.shape
    if xs.shape[0] != rows or outs.shape[0] != rows or px.shape[0] != rows or px.shape[1] != n:
        return False
    bad = False
    for i in range(rows):
        x = xs[i]
        fx = 2.0 * x
        bad |= (fx - fx != 0.0)
        for k in range(n):
            q[i, k] = fx * px[i, k]
    return not bad


def d_reciprocal_x_flat(xs, outs, px, q):
    """``np.reciprocal``, one direction: ``q = (-(out * out)) * px``."""
    for i in range(q.shape[0]):
        x = xs[i]
        out = outs[i]
        fx = -(out * out)
        t = fx * px[i]
        if not (fx - fx == 0.0 and not (-2.2250738585072014e-308 < fx < 2.2250738585072014e-308 and -out != 0.0 and (x) - (x) == 0.0)):
            t = (fx * px[i] if px[i] == 0.0 and fx - fx == 0.0 else (0.0 if px[i] == 0.0 else over(fx, -out, x, px[i])))
        q[i] = t


def d_reciprocal_x(xs, outs, px, q):
    """``np.reciprocal``: ``q[i, :] = (-(out * out)) * px``.

    Rows of 4 or 2 C-contiguous partials: the products over the flat arrays, then the
    zero rule on the rows whose local derivatives are not finite, if any (the
    generator's ``_SHORT``); other lengths and layouts: a loop over ``n`` per row."""
    rows, n = q.shape
    short = False
    bad = False
    if n == 4 and px.flags.c_contiguous and q.flags.c_contiguous:
        short = True
        pxf = px.ravel()
        qf = q.ravel()
        for i in range(rows):
            x = xs[i]
            out = outs[i]
            fx = -(out * out)
            bad |= (fx - fx != 0.0) | (-2.2250738585072014e-308 < fx < 2.2250738585072014e-308 and -out != 0.0 and (x) - (x) == 0.0)
            for j in range(4 * i, 4 * i + 4):
                qf[j] = fx * pxf[j]
    if n == 2 and px.flags.c_contiguous and q.flags.c_contiguous:
        short = True
        pxf = px.ravel()
        qf = q.ravel()
        for i in range(rows):
            x = xs[i]
            out = outs[i]
            fx = -(out * out)
            bad |= (fx - fx != 0.0) | (-2.2250738585072014e-308 < fx < 2.2250738585072014e-308 and -out != 0.0 and (x) - (x) == 0.0)
            for j in range(2 * i, 2 * i + 2):
                qf[j] = fx * pxf[j]
    if not short:
        d_reciprocal_x_loop(xs, outs, px, q)
    elif bad:
        for i in range(rows):
            x = xs[i]
            out = outs[i]
            fx = -(out * out)
            if not (fx - fx == 0.0 and not (-2.2250738585072014e-308 < fx < 2.2250738585072014e-308 and -out != 0.0 and (x) - (x) == 0.0)):
                for k in range(n):
                    q[i, k] = (fx * px[i, k] if px[i, k] == 0.0 and fx - fx == 0.0 else (0.0 if px[i, k] == 0.0 else over(fx, -out, x, px[i, k])))


def d_reciprocal_x_loop(xs, outs, px, q):
    """``np.reciprocal``'s rows kernel for other lengths and layouts: a loop over ``n`` per
    row, its own compiled function (in the kernel's body, after the flat loops, LLVM
    laid it out 1.06-1.18x slower at n = 3, 5, 8: stop 33 rows15)."""
    rows, n = q.shape
    for i in range(rows):
        x = xs[i]
        out = outs[i]
        fx = -(out * out)
        if fx - fx == 0.0 and not (-2.2250738585072014e-308 < fx < 2.2250738585072014e-308 and -out != 0.0 and (x) - (x) == 0.0):
            for k in range(n):
                q[i, k] = fx * px[i, k]
        else:
            for k in range(n):
                q[i, k] = (fx * px[i, k] if px[i, k] == 0.0 and fx - fx == 0.0 else (0.0 if px[i, k] == 0.0 else over(fx, -out, x, px[i, k])))


def d_reciprocal_x_small(xs, outs, px, q):
    """``np.reciprocal``, small arrays: ``q[i, :] = (-(out * out)) * px``; False where a local
    derivative is not finite (``q`` then written, as the plain products)."""
    rows, n = q.shape
    if n == 4 and px.flags.c_contiguous and q.flags.c_contiguous:
        pxf = px.ravel()
        qf = q.ravel()
        bad = False
        for i in range(rows):
            x = xs[i]
            out = outs[i]
            fx = -(out * out)
            bad |= (fx - fx != 0.0) | (-2.2250738585072014e-308 < fx < 2.2250738585072014e-308 and -out != 0.0 and (x) - (x) == 0.0)
            for j in range(4 * i, 4 * i + 4):
                qf[j] = fx * pxf[j]
        return not bad
    if n == 2 and px.flags.c_contiguous and q.flags.c_contiguous:
        pxf = px.ravel()
        qf = q.ravel()
        bad = False
        for i in range(rows):
            x = xs[i]
            out = outs[i]
            fx = -(out * out)
            bad |= (fx - fx != 0.0) | (-2.2250738585072014e-308 < fx < 2.2250738585072014e-308 and -out != 0.0 and (x) - (x) == 0.0)
            for j in range(2 * i, 2 * i + 2):
                qf[j] = fx * pxf[j]
        return not bad
    bad = False
    for i in range(rows):
        x = xs[i]
        out = outs[i]
        fx = -(out * out)
        bad |= (fx - fx != 0.0) | (-2.2250738585072014e-308 < fx < 2.2250738585072014e-308 and -out != 0.0 and (x) - (x) == 0.0)
        for k in range(n):
            q[i, k] = fx * px[i, k]
    return not bad


def d_reciprocal_x_entry(xs, outs, px, q):
    """``np.reciprocal``, small 1-D values of any layout: ``q[i, :] = (-(out * out)) * px``; False for
    operands of other lengths and where a local derivative is not finite."""
    rows, n = q.shape
    if xs.shape[0] != rows or outs.shape[0] != rows or px.shape[0] != rows or px.shape[1] != n:
        return False
    bad = False
    for i in range(rows):
        x = xs[i]
        out = outs[i]
        fx = -(out * out)
        bad |= (fx - fx != 0.0) | (-2.2250738585072014e-308 < fx < 2.2250738585072014e-308 and -out != 0.0 and (x) - (x) == 0.0)
        for k in range(n):
            q[i, k] = fx * px[i, k]
    return not bad


def d_reciprocal_x_value_loops(loops, xs, outs, px, q):
    """``np.reciprocal``'s value and partials in one call on small 1-D values, NumPy's
    loop of the table ``loops`` (``_numpy_loops.value_loops``) making the value:
    ``q[i, :] = (-(out * out)) * px``; False (nothing usable: the caller's lines then run) for
    ``x`` not contiguous and aligned, other lengths, no directions, a report the
    value's loop would make, and where a local derivative is not finite."""
    rows, n = q.shape
    if xs.shape[0] != rows or outs.shape[0] != rows or px.shape[0] != rows or px.shape[1] != n or \
            rows == 0 or n == 0 or xs.strides[0] != 8 or xs.ctypes.data % 8 != 0:
        return False
    mask = np.int32(loops[0])
    if fe_test(mask) != 0:      # (as NumPy: a clear costs ~6 tests)
        fe_clear(mask)
    if numpy_loop(loops[1], loops[2], loops[3], xs.ctypes.data, outs.ctypes.data, rows) != 0 \
            or fe_test(mask) != 0:
        fe_clear(mask)
        return False
    bad = False
    for i in range(rows):
        x = xs[i]
        out = outs[i]
        fx = -(out * out)
        bad |= (fx - fx != 0.0) | (-2.2250738585072014e-308 < fx < 2.2250738585072014e-308 and -out != 0.0 and (x) - (x) == 0.0)
        for k in range(n):
            q[i, k] = fx * px[i, k]
    return not bad


def d_sqrt_x_flat(xs, outs, px, q):
    """``np.sqrt``, one direction: ``q = (0.5 / (out + 0.0)) * px``."""
    for i in range(q.shape[0]):
        out = outs[i]
        fx = 0.5 / (out + 0.0)
        t = fx * px[i]
        if not (fx - fx == 0.0):
            t = (0.0 if px[i] == 0.0 else fx * px[i])
        q[i] = t


def d_sqrt_x(xs, outs, px, q):
    """``np.sqrt``: ``q[i, :] = (0.5 / (out + 0.0)) * px``.

    Rows of 4 or 2 C-contiguous partials: the products over the flat arrays, then the
    zero rule on the rows whose local derivatives are not finite, if any (the
    generator's ``_SHORT``); other lengths and layouts: a loop over ``n`` per row."""
    rows, n = q.shape
    short = False
    bad = False
    if n == 4 and px.flags.c_contiguous and q.flags.c_contiguous:
        short = True
        pxf = px.ravel()
        qf = q.ravel()
        for i in range(rows):
            out = outs[i]
            fx = 0.5 / (out + 0.0)
            bad |= (fx - fx != 0.0)
            for j in range(4 * i, 4 * i + 4):
                qf[j] = fx * pxf[j]
    if n == 2 and px.flags.c_contiguous and q.flags.c_contiguous:
        short = True
        pxf = px.ravel()
        qf = q.ravel()
        for i in range(rows):
            out = outs[i]
            fx = 0.5 / (out + 0.0)
            bad |= (fx - fx != 0.0)
            for j in range(2 * i, 2 * i + 2):
                qf[j] = fx * pxf[j]
    if not short:
        d_sqrt_x_loop(xs, outs, px, q)
    elif bad:
        for i in range(rows):
            out = outs[i]
            fx = 0.5 / (out + 0.0)
            if not (fx - fx == 0.0):
                for k in range(n):
                    q[i, k] = (0.0 if px[i, k] == 0.0 else fx * px[i, k])


def d_sqrt_x_loop(xs, outs, px, q):
    """``np.sqrt``'s rows kernel for other lengths and layouts: a loop over ``n`` per
    row, its own compiled function (in the kernel's body, after the flat loops, LLVM
    laid it out 1.06-1.18x slower at n = 3, 5, 8: stop 33 rows15)."""
    rows, n = q.shape
    for i in range(rows):
        out = outs[i]
        fx = 0.5 / (out + 0.0)
        if fx - fx == 0.0:
            for k in range(n):
                q[i, k] = fx * px[i, k]
        else:
            for k in range(n):
                q[i, k] = (0.0 if px[i, k] == 0.0 else fx * px[i, k])


def d_sqrt_x_small(xs, outs, px, q):
    """``np.sqrt``, small arrays: ``q[i, :] = (0.5 / (out + 0.0)) * px``; False where a local
    derivative is not finite (``q`` then written, as the plain products)."""
    rows, n = q.shape
    if n == 4 and px.flags.c_contiguous and q.flags.c_contiguous:
        pxf = px.ravel()
        qf = q.ravel()
        bad = False
        for i in range(rows):
            out = outs[i]
            fx = 0.5 / (out + 0.0)
            bad |= (fx - fx != 0.0)
            for j in range(4 * i, 4 * i + 4):
                qf[j] = fx * pxf[j]
        return not bad
    if n == 2 and px.flags.c_contiguous and q.flags.c_contiguous:
        pxf = px.ravel()
        qf = q.ravel()
        bad = False
        for i in range(rows):
            out = outs[i]
            fx = 0.5 / (out + 0.0)
            bad |= (fx - fx != 0.0)
            for j in range(2 * i, 2 * i + 2):
                qf[j] = fx * pxf[j]
        return not bad
    bad = False
    for i in range(rows):
        out = outs[i]
        fx = 0.5 / (out + 0.0)
        bad |= (fx - fx != 0.0)
        for k in range(n):
            q[i, k] = fx * px[i, k]
    return not bad


def d_sqrt_x_entry(xs, outs, px, q):
    """``np.sqrt``, small 1-D values of any layout: ``q[i, :] = (0.5 / (out + 0.0)) * px``; False for
    operands of other lengths and where a local derivative is not finite."""
    rows, n = q.shape
    if xs.shape[0] != rows or outs.shape[0] != rows or px.shape[0] != rows or px.shape[1] != n:
        return False
    bad = False
    for i in range(rows):
        out = outs[i]
        fx = 0.5 / (out + 0.0)
        bad |= (fx - fx != 0.0)
        for k in range(n):
            q[i, k] = fx * px[i, k]
    return not bad


def d_sqrt_x_value_loops(loops, xs, outs, px, q):
    """``np.sqrt``'s value and partials in one call on small 1-D values, NumPy's
    loop of the table ``loops`` (``_numpy_loops.value_loops``) making the value:
    ``q[i, :] = (0.5 / (out + 0.0)) * px``; False (nothing usable: the caller's lines then run) for
    ``x`` not contiguous and aligned, other lengths, no directions, a report the
    value's loop would make, and where a local derivative is not finite."""
    rows, n = q.shape
    if xs.shape[0] != rows or outs.shape[0] != rows or px.shape[0] != rows or px.shape[1] != n or \
            rows == 0 or n == 0 or xs.strides[0] != 8 or xs.ctypes.data % 8 != 0:
        return False
    mask = np.int32(loops[0])
    if fe_test(mask) != 0:      # (as NumPy: a clear costs ~6 tests)
        fe_clear(mask)
    if numpy_loop(loops[1], loops[2], loops[3], xs.ctypes.data, outs.ctypes.data, rows) != 0 \
            or fe_test(mask) != 0:
        fe_clear(mask)
        return False
    bad = False
    for i in range(rows):
        out = outs[i]
        fx = 0.5 / (out + 0.0)
        bad |= (fx - fx != 0.0)
        for k in range(n):
            q[i, k] = fx * px[i, k]
    return not bad


def d_cbrt_x_flat(xs, outs, px, q):
    """``np.cbrt``, one direction: ``q = (1.0 / (3.0 * out * out)) * px``."""
    for i in range(q.shape[0]):
        out = outs[i]
        fx = 1.0 / (3.0 * out * out)
        t = fx * px[i]
        if not (fx - fx == 0.0):
            t = (0.0 if px[i] == 0.0 else fx * px[i])
        q[i] = t


def d_cbrt_x(xs, outs, px, q):
    """``np.cbrt``: ``q[i, :] = (1.0 / (3.0 * out * out)) * px``.

    Rows of 4 or 2 C-contiguous partials: the products over the flat arrays, then the
    zero rule on the rows whose local derivatives are not finite, if any (the
    generator's ``_SHORT``); other lengths and layouts: a loop over ``n`` per row."""
    rows, n = q.shape
    short = False
    bad = False
    if n == 4 and px.flags.c_contiguous and q.flags.c_contiguous:
        short = True
        pxf = px.ravel()
        qf = q.ravel()
        for i in range(rows):
            out = outs[i]
            fx = 1.0 / (3.0 * out * out)
            bad |= (fx - fx != 0.0)
            for j in range(4 * i, 4 * i + 4):
                qf[j] = fx * pxf[j]
    if n == 2 and px.flags.c_contiguous and q.flags.c_contiguous:
        short = True
        pxf = px.ravel()
        qf = q.ravel()
        for i in range(rows):
            out = outs[i]
            fx = 1.0 / (3.0 * out * out)
            bad |= (fx - fx != 0.0)
            for j in range(2 * i, 2 * i + 2):
                qf[j] = fx * pxf[j]
    if not short:
        d_cbrt_x_loop(xs, outs, px, q)
    elif bad:
        for i in range(rows):
            out = outs[i]
            fx = 1.0 / (3.0 * out * out)
            if not (fx - fx == 0.0):
                for k in range(n):
                    q[i, k] = (0.0 if px[i, k] == 0.0 else fx * px[i, k])


def d_cbrt_x_loop(xs, outs, px, q):
    """``np.cbrt``'s rows kernel for other lengths and layouts: a loop over ``n`` per
    row, its own compiled function (in the kernel's body, after the flat loops, LLVM
    laid it out 1.06-1.18x slower at n = 3, 5, 8: stop 33 rows15)."""
    rows, n = q.shape
    for i in range(rows):
        out = outs[i]
        fx = 1.0 / (3.0 * out * out)
        if fx - fx == 0.0:
            for k in range(n):
                q[i, k] = fx * px[i, k]
        else:
            for k in range(n):
                q[i, k] = (0.0 if px[i, k] == 0.0 else fx * px[i, k])


def d_cbrt_x_small(xs, outs, px, q):
    """``np.cbrt``, small arrays: ``q[i, :] = (1.0 / (3.0 * out * out)) * px``; False where a local
    derivative is not finite (``q`` then written, as the plain products)."""
    rows, n = q.shape
    if n == 4 and px.flags.c_contiguous and q.flags.c_contiguous:
        pxf = px.ravel()
        qf = q.ravel()
        bad = False
        for i in range(rows):
            out = outs[i]
            fx = 1.0 / (3.0 * out * out)
            bad |= (fx - fx != 0.0)
            for j in range(4 * i, 4 * i + 4):
                qf[j] = fx * pxf[j]
        return not bad
    if n == 2 and px.flags.c_contiguous and q.flags.c_contiguous:
        pxf = px.ravel()
        qf = q.ravel()
        bad = False
        for i in range(rows):
            out = outs[i]
            fx = 1.0 / (3.0 * out * out)
            bad |= (fx - fx != 0.0)
            for j in range(2 * i, 2 * i + 2):
                qf[j] = fx * pxf[j]
        return not bad
    bad = False
    for i in range(rows):
        out = outs[i]
        fx = 1.0 / (3.0 * out * out)
        bad |= (fx - fx != 0.0)
        for k in range(n):
            q[i, k] = fx * px[i, k]
    return not bad


def d_cbrt_x_entry(xs, outs, px, q):
    """``np.cbrt``, small 1-D values of any layout: ``q[i, :] = (1.0 / (3.0 * out * out)) * px``; False for
    operands of other lengths and where a local derivative is not finite."""
    rows, n = q.shape
    if xs.shape[0] != rows or outs.shape[0] != rows or px.shape[0] != rows or px.shape[1] != n:
        return False
    bad = False
    for i in range(rows):
        out = outs[i]
        fx = 1.0 / (3.0 * out * out)
        bad |= (fx - fx != 0.0)
        for k in range(n):
            q[i, k] = fx * px[i, k]
    return not bad


def d_cbrt_x_value_loops(loops, xs, outs, px, q):
    """``np.cbrt``'s value and partials in one call on small 1-D values, NumPy's
    loop of the table ``loops`` (``_numpy_loops.value_loops``) making the value:
    ``q[i, :] = (1.0 / (3.0 * out * out)) * px``; False (nothing usable: the caller's lines then run) for
    ``x`` not contiguous and aligned, other lengths, no directions, a report the
    value's loop would make, and where a local derivative is not finite."""
    rows, n = q.shape
    if xs.shape[0] != rows or outs.shape[0] != rows or px.shape[0] != rows or px.shape[1] != n or \
            rows == 0 or n == 0 or xs.strides[0] != 8 or xs.ctypes.data % 8 != 0:
        return False
    mask = np.int32(loops[0])
    if fe_test(mask) != 0:      # (as NumPy: a clear costs ~6 tests)
        fe_clear(mask)
    if numpy_loop(loops[1], loops[2], loops[3], xs.ctypes.data, outs.ctypes.data, rows) != 0 \
            or fe_test(mask) != 0:
        fe_clear(mask)
        return False
    bad = False
    for i in range(rows):
        out = outs[i]
        fx = 1.0 / (3.0 * out * out)
        bad |= (fx - fx != 0.0)
        for k in range(n):
            q[i, k] = fx * px[i, k]
    return not bad


def d_absolute_x_flat(xs, outs, px, q):
    """``np.absolute``, one direction: ``q = (sign(x)) * px``."""
    for i in range(q.shape[0]):
        x = xs[i]
        fx = sign(x)
        t = fx * px[i]
        if not (fx - fx == 0.0):
            t = (0.0 if px[i] == 0.0 else fx * px[i])
        q[i] = t


def d_absolute_x(xs, outs, px, q):
    """``np.absolute``: ``q[i, :] = (sign(x)) * px``.

    Rows of 4 or 2 C-contiguous partials: the products over the flat arrays, then the
    zero rule on the rows whose local derivatives are not finite, if any (the
    generator's ``_SHORT``); other lengths and layouts: a loop over ``n`` per row."""
    rows, n = q.shape
    short = False
    bad = False
    if n == 4 and px.flags.c_contiguous and q.flags.c_contiguous:
        short = True
        pxf = px.ravel()
        qf = q.ravel()
        for i in range(rows):
            x = xs[i]
            fx = sign(x)
            bad |= (fx - fx != 0.0)
            for j in range(4 * i, 4 * i + 4):
                qf[j] = fx * pxf[j]
    if n == 2 and px.flags.c_contiguous and q.flags.c_contiguous:
        short = True
        pxf = px.ravel()
        qf = q.ravel()
        for i in range(rows):
            x = xs[i]
            fx = sign(x)
            bad |= (fx - fx != 0.0)
            for j in range(2 * i, 2 * i + 2):
                qf[j] = fx * pxf[j]
    if not short:
        d_absolute_x_loop(xs, outs, px, q)
    elif bad:
        for i in range(rows):
            x = xs[i]
            fx = sign(x)
            if not (fx - fx == 0.0):
                for k in range(n):
                    q[i, k] = (0.0 if px[i, k] == 0.0 else fx * px[i, k])


def d_absolute_x_loop(xs, outs, px, q):
    """``np.absolute``'s rows kernel for other lengths and layouts: a loop over ``n`` per
    row, its own compiled function (in the kernel's body, after the flat loops, LLVM
    laid it out 1.06-1.18x slower at n = 3, 5, 8: stop 33 rows15)."""
    rows, n = q.shape
    for i in range(rows):
        x = xs[i]
        fx = sign(x)
        if fx - fx == 0.0:
            for k in range(n):
                q[i, k] = fx * px[i, k]
        else:
            for k in range(n):
                q[i, k] = (0.0 if px[i, k] == 0.0 else fx * px[i, k])


def d_absolute_x_small(xs, outs, px, q):
    """``np.absolute``, small arrays: ``q[i, :] = (sign(x)) * px``; False where a local
    derivative is not finite (``q`` then written, as the plain products)."""
    rows, n = q.shape
    if n == 4 and px.flags.c_contiguous and q.flags.c_contiguous:
        pxf = px.ravel()
        qf = q.ravel()
        bad = False
        for i in range(rows):
            x = xs[i]
            fx = sign(x)
            bad |= (fx - fx != 0.0)
            for j in range(4 * i, 4 * i + 4):
                qf[j] = fx * pxf[j]
        return not bad
    if n == 2 and px.flags.c_contiguous and q.flags.c_contiguous:
        pxf = px.ravel()
        qf = q.ravel()
        bad = False
        for i in range(rows):
            x = xs[i]
            fx = sign(x)
            bad |= (fx - fx != 0.0)
            for j in range(2 * i, 2 * i + 2):
                qf[j] = fx * pxf[j]
        return not bad
    bad = False
    for i in range(rows):
        x = xs[i]
        fx = sign(x)
        bad |= (fx - fx != 0.0)
        for k in range(n):
            q[i, k] = fx * px[i, k]
    return not bad


def d_absolute_x_entry(xs, outs, px, q):
    """``np.absolute``, small 1-D values of any layout: ``q[i, :] = (sign(x)) * px``; False for
    operands of other lengths and where a local derivative is not finite."""
    rows, n = q.shape
    if xs.shape[0] != rows or outs.shape[0] != rows or px.shape[0] != rows or px.shape[1] != n:
        return False
    bad = False
    for i in range(rows):
        x = xs[i]
        fx = sign(x)
        bad |= (fx - fx != 0.0)
        for k in range(n):
            q[i, k] = fx * px[i, k]
    return not bad


def d_absolute_x_value_loops(loops, xs, outs, px, q):
    """``np.absolute``'s value and partials in one call on small 1-D values, NumPy's
    loop of the table ``loops`` (``_numpy_loops.value_loops``) making the value:
    ``q[i, :] = (sign(x)) * px``; False (nothing usable: the caller's lines then run) for
    ``x`` not contiguous and aligned, other lengths, no directions, a report the
    value's loop would make, and where a local derivative is not finite."""
    rows, n = q.shape
    if xs.shape[0] != rows or outs.shape[0] != rows or px.shape[0] != rows or px.shape[1] != n or \
            rows == 0 or n == 0 or xs.strides[0] != 8 or xs.ctypes.data % 8 != 0:
        return False
    mask = np.int32(loops[0])
    if fe_test(mask) != 0:      # (as NumPy: a clear costs ~6 tests)
        fe_clear(mask)
    if numpy_loop(loops[1], loops[2], loops[3], xs.ctypes.data, outs.ctypes.data, rows) != 0 \
            or fe_test(mask) != 0:
        fe_clear(mask)
        return False
    bad = False
    for i in range(rows):
        x = xs[i]
        fx = sign(x)
        bad |= (fx - fx != 0.0)
        for k in range(n):
            q[i, k] = fx * px[i, k]
    return not bad


def d_fabs_x_flat(xs, outs, px, q):
    """``np.fabs``, one direction: ``q = (sign(x)) * px``."""
    for i in range(q.shape[0]):
        x = xs[i]
        fx = sign(x)
        t = fx * px[i]
        if not (fx - fx == 0.0):
            t = (0.0 if px[i] == 0.0 else fx * px[i])
        q[i] = t


def d_fabs_x(xs, outs, px, q):
    """``np.fabs``: ``q[i, :] = (sign(x)) * px``.

    Rows of 4 or 2 C-contiguous partials: the products over the flat arrays, then the
    zero rule on the rows whose local derivatives are not finite, if any (the
    generator's ``_SHORT``); other lengths and layouts: a loop over ``n`` per row."""
    rows, n = q.shape
    short = False
    bad = False
    if n == 4 and px.flags.c_contiguous and q.flags.c_contiguous:
        short = True
        pxf = px.ravel()
        qf = q.ravel()
        for i in range(rows):
            x = xs[i]
            fx = sign(x)
            bad |= (fx - fx != 0.0)
            for j in range(4 * i, 4 * i + 4):
                qf[j] = fx * pxf[j]
    if n == 2 and px.flags.c_contiguous and q.flags.c_contiguous:
        short = True
        pxf = px.ravel()
        qf = q.ravel()
        for i in range(rows):
            x = xs[i]
            fx = sign(x)
            bad |= (fx - fx != 0.0)
            for j in range(2 * i, 2 * i + 2):
                qf[j] = fx * pxf[j]
    if not short:
        d_fabs_x_loop(xs, outs, px, q)
    elif bad:
        for i in range(rows):
            x = xs[i]
            fx = sign(x)
            if not (fx - fx == 0.0):
                for k in range(n):
                    q[i, k] = (0.0 if px[i, k] == 0.0 else fx * px[i, k])


def d_fabs_x_loop(xs, outs, px, q):
    """``np.fabs``'s rows kernel for other lengths and layouts: a loop over ``n`` per
    row, its own compiled function (in the kernel's body, after the flat loops, LLVM
    laid it out 1.06-1.18x slower at n = 3, 5, 8: stop 33 rows15)."""
    rows, n = q.shape
    for i in range(rows):
        x = xs[i]
        fx = sign(x)
        if fx - fx == 0.0:
            for k in range(n):
                q[i, k] = fx * px[i, k]
        else:
            for k in range(n):
                q[i, k] = (0.0 if px[i, k] == 0.0 else fx * px[i, k])


def d_fabs_x_small(xs, outs, px, q):
    """``np.fabs``, small arrays: ``q[i, :] = (sign(x)) * px``; False where a local
    derivative is not finite (``q`` then written, as the plain products)."""
    rows, n = q.shape
    if n == 4 and px.flags.c_contiguous and q.flags.c_contiguous:
        pxf = px.ravel()
        qf = q.ravel()
        bad = False
        for i in range(rows):
            x = xs[i]
            fx = sign(x)
            bad |= (fx - fx != 0.0)
            for j in range(4 * i, 4 * i + 4):
                qf[j] = fx * pxf[j]
        return not bad
    if n == 2 and px.flags.c_contiguous and q.flags.c_contiguous:
        pxf = px.ravel()
        qf = q.ravel()
        bad = False
        for i in range(rows):
            x = xs[i]
            fx = sign(x)
            bad |= (fx - fx != 0.0)
            for j in range(2 * i, 2 * i + 2):
                qf[j] = fx * pxf[j]
        return not bad
    bad = False
    for i in range(rows):
        x = xs[i]
        fx = sign(x)
        bad |= (fx - fx != 0.0)
        for k in range(n):
            q[i, k] = fx * px[i, k]
    return not bad


def d_fabs_x_entry(xs, outs, px, q):
    """``np.fabs``, small 1-D values of any layout: ``q[i, :] = (sign(x)) * px``; False for
    operands of other lengths and where a local derivative is not finite."""
    rows, n = q.shape
    if xs.shape[0] != rows or outs.shape[0] != rows or px.shape[0] != rows or px.shape[1] != n:
        return False
    bad = False
    for i in range(rows):
        x = xs[i]
        fx = sign(x)
        bad |= (fx - fx != 0.0)
        for k in range(n):
            q[i, k] = fx * px[i, k]
    return not bad


def d_fabs_x_value_loops(loops, xs, outs, px, q):
    """``np.fabs``'s value and partials in one call on small 1-D values, NumPy's
    loop of the table ``loops`` (``_numpy_loops.value_loops``) making the value:
    ``q[i, :] = (sign(x)) * px``; False (nothing usable: the caller's lines then run) for
    ``x`` not contiguous and aligned, other lengths, no directions, a report the
    value's loop would make, and where a local derivative is not finite."""
    rows, n = q.shape
    if xs.shape[0] != rows or outs.shape[0] != rows or px.shape[0] != rows or px.shape[1] != n or \
            rows == 0 or n == 0 or xs.strides[0] != 8 or xs.ctypes.data % 8 != 0:
        return False
    mask = np.int32(loops[0])
    if fe_test(mask) != 0:      # (as NumPy: a clear costs ~6 tests)
        fe_clear(mask)
    if numpy_loop(loops[1], loops[2], loops[3], xs.ctypes.data, outs.ctypes.data, rows) != 0 \
            or fe_test(mask) != 0:
        fe_clear(mask)
        return False
    bad = False
    for i in range(rows):
        x = xs[i]
        fx = sign(x)
        bad |= (fx - fx != 0.0)
        for k in range(n):
            q[i, k] = fx * px[i, k]
    return not bad


def d_exp2_x_flat(xs, outs, px, q):
    """``np.exp2``, one direction: ``q = (out * 0.6931471805599453) * px``."""
    for i in range(q.shape[0]):
        out = outs[i]
        fx = out * 0.6931471805599453
        t = fx * px[i]
        if not (fx - fx == 0.0):
            t = (0.0 if px[i] == 0.0 else fx * px[i])
        q[i] = t


def d_exp2_x(xs, outs, px, q):
    """``np.exp2``: ``q[i, :] = (out * 0.6931471805599453) * px``.

    Rows of 4 or 2 C-contiguous partials: the products over the flat arrays, then the
    zero rule on the rows whose local derivatives are not finite, if any (the
    generator's ``_SHORT``); other lengths and layouts: a loop over ``n`` per row."""
    rows, n = q.shape
    short = False
    bad = False
    if n == 4 and px.flags.c_contiguous and q.flags.c_contiguous:
        short = True
        pxf = px.ravel()
        qf = q.ravel()
        for i in range(rows):
            out = outs[i]
            fx = out * 0.6931471805599453
            bad |= (fx - fx != 0.0)
            for j in range(4 * i, 4 * i + 4):
                qf[j] = fx * pxf[j]
    if n == 2 and px.flags.c_contiguous and q.flags.c_contiguous:
        short = True
        pxf = px.ravel()
        qf = q.ravel()
        for i in range(rows):
            out = outs[i]
            fx = out * 0.6931471805599453
            bad |= (fx - fx != 0.0)
            for j in range(2 * i, 2 * i + 2):
                qf[j] = fx * pxf[j]
    if not short:
        d_exp2_x_loop(xs, outs, px, q)
    elif bad:
        for i in range(rows):
            out = outs[i]
            fx = out * 0.6931471805599453
            if not (fx - fx == 0.0):
                for k in range(n):
                    q[i, k] = (0.0 if px[i, k] == 0.0 else fx * px[i, k])


def d_exp2_x_loop(xs, outs, px, q):
    """``np.exp2``'s rows kernel for other lengths and layouts: a loop over ``n`` per
    row, its own compiled function (in the kernel's body, after the flat loops, LLVM
    laid it out 1.06-1.18x slower at n = 3, 5, 8: stop 33 rows15)."""
    rows, n = q.shape
    for i in range(rows):
        out = outs[i]
        fx = out * 0.6931471805599453
        if fx - fx == 0.0:
            for k in range(n):
                q[i, k] = fx * px[i, k]
        else:
            for k in range(n):
                q[i, k] = (0.0 if px[i, k] == 0.0 else fx * px[i, k])


def d_exp2_x_small(xs, outs, px, q):
    """``np.exp2``, small arrays: ``q[i, :] = (out * 0.6931471805599453) * px``; False where a local
    derivative is not finite (``q`` then written, as the plain products)."""
    rows, n = q.shape
    if n == 4 and px.flags.c_contiguous and q.flags.c_contiguous:
        pxf = px.ravel()
        qf = q.ravel()
        bad = False
        for i in range(rows):
            out = outs[i]
            fx = out * 0.6931471805599453
            bad |= (fx - fx != 0.0)
            for j in range(4 * i, 4 * i + 4):
                qf[j] = fx * pxf[j]
        return not bad
    if n == 2 and px.flags.c_contiguous and q.flags.c_contiguous:
        pxf = px.ravel()
        qf = q.ravel()
        bad = False
        for i in range(rows):
            out = outs[i]
            fx = out * 0.6931471805599453
            bad |= (fx - fx != 0.0)
            for j in range(2 * i, 2 * i + 2):
                qf[j] = fx * pxf[j]
        return not bad
    bad = False
    for i in range(rows):
        out = outs[i]
        fx = out * 0.6931471805599453
        bad |= (fx - fx != 0.0)
        for k in range(n):
            q[i, k] = fx * px[i, k]
    return not bad


def d_exp2_x_entry(xs, outs, px, q):
    """``np.exp2``, small 1-D values of any layout: ``q[i, :] = (out * 0.6931471805599453) * px``; False for
    operands of other lengths and where a local derivative is not finite."""
    rows, n = q.shape
    if xs.shape[0] != rows or outs.shape[0] != rows or px.shape[0] != rows or px.shape[1] != n:
        return False
    bad = False
    for i in range(rows):
        out = outs[i]
        fx = out * 0.6931471805599453
        bad |= (fx - fx != 0.0)
        for k in range(n):
            q[i, k] = fx * px[i, k]
    return not bad


def d_exp2_x_value_loops(loops, xs, outs, px, q):
    """``np.exp2``'s value and partials in one call on small 1-D values, NumPy's
    loop of the table ``loops`` (``_numpy_loops.value_loops``) making the value:
    ``q[i, :] = (out * 0.6931471805599453) * px``; False (nothing usable: the caller's lines then run) for
    ``x`` not contiguous and aligned, other lengths, no directions, a report the
    value's loop would make, and where a local derivative is not finite."""
    rows, n = q.shape
    if xs.shape[0] != rows or outs.shape[0] != rows or px.shape[0] != rows or px.shape[1] != n or \
            rows == 0 or n == 0 or xs.strides[0] != 8 or xs.ctypes.data % 8 != 0:
        return False
    mask = np.int32(loops[0])
    if fe_test(mask) != 0:      # (as NumPy: a clear costs ~6 tests)
        fe_clear(mask)
    if numpy_loop(loops[1], loops[2], loops[3], xs.ctypes.data, outs.ctypes.data, rows) != 0 \
            or fe_test(mask) != 0:
        fe_clear(mask)
        return False
    bad = False
    for i in range(rows):
        out = outs[i]
        fx = out * 0.6931471805599453
        bad |= (fx - fx != 0.0)
        for k in range(n):
            q[i, k] = fx * px[i, k]
    return not bad


def d_log_x_flat(xs, outs, px, q):
    """``np.log``, one direction: ``q = (1.0 / (x + 0.0)) * px``."""
    for i in range(q.shape[0]):
        x = xs[i]
        fx = 1.0 / (x + 0.0)
        t = fx * px[i]
        if not (fx - fx == 0.0 and not (-2.2250738585072014e-308 < fx < 2.2250738585072014e-308 and (x + 0.0) - (x + 0.0) == 0.0)):
            t = (fx * px[i] if px[i] == 0.0 and fx - fx == 0.0 else (0.0 if px[i] == 0.0 else over(fx, 1.0, x + 0.0, px[i])))
        q[i] = t


def d_log_x(xs, outs, px, q):
    """``np.log``: ``q[i, :] = (1.0 / (x + 0.0)) * px``.

    Rows of 4 or 2 C-contiguous partials: the products over the flat arrays, then the
    zero rule on the rows whose local derivatives are not finite, if any (the
    generator's ``_SHORT``); other lengths and layouts: a loop over ``n`` per row."""
    rows, n = q.shape
    short = False
    bad = False
    if n == 4 and px.flags.c_contiguous and q.flags.c_contiguous:
        short = True
        pxf = px.ravel()
        qf = q.ravel()
        for i in range(rows):
            x = xs[i]
            fx = 1.0 / (x + 0.0)
            bad |= (fx - fx != 0.0) | (-2.2250738585072014e-308 < fx < 2.2250738585072014e-308 and (x + 0.0) - (x + 0.0) == 0.0)
            for j in range(4 * i, 4 * i + 4):
                qf[j] = fx * pxf[j]
    if n == 2 and px.flags.c_contiguous and q.flags.c_contiguous:
        short = True
        pxf = px.ravel()
        qf = q.ravel()
        for i in range(rows):
            x = xs[i]
            fx = 1.0 / (x + 0.0)
            bad |= (fx - fx != 0.0) | (-2.2250738585072014e-308 < fx < 2.2250738585072014e-308 and (x + 0.0) - (x + 0.0) == 0.0)
            for j in range(2 * i, 2 * i + 2):
                qf[j] = fx * pxf[j]
    if not short:
        d_log_x_loop(xs, outs, px, q)
    elif bad:
        for i in range(rows):
            x = xs[i]
            fx = 1.0 / (x + 0.0)
            if not (fx - fx == 0.0 and not (-2.2250738585072014e-308 < fx < 2.2250738585072014e-308 and (x + 0.0) - (x + 0.0) == 0.0)):
                for k in range(n):
                    q[i, k] = (fx * px[i, k] if px[i, k] == 0.0 and fx - fx == 0.0 else (0.0 if px[i, k] == 0.0 else over(fx, 1.0, x + 0.0, px[i, k])))


def d_log_x_loop(xs, outs, px, q):
    """``np.log``'s rows kernel for other lengths and layouts: a loop over ``n`` per
    row, its own compiled function (in the kernel's body, after the flat loops, LLVM
    laid it out 1.06-1.18x slower at n = 3, 5, 8: stop 33 rows15)."""
    rows, n = q.shape
    for i in range(rows):
        x = xs[i]
        fx = 1.0 / (x + 0.0)
        if fx - fx == 0.0 and not (-2.2250738585072014e-308 < fx < 2.2250738585072014e-308 and (x + 0.0) - (x + 0.0) == 0.0):
            for k in range(n):
                q[i, k] = fx * px[i, k]
        else:
            for k in range(n):
                q[i, k] = (fx * px[i, k] if px[i, k] == 0.0 and fx - fx == 0.0 else (0.0 if px[i, k] == 0.0 else over(fx, 1.0, x + 0.0, px[i, k])))


def d_log_x_small(xs, outs, px, q):
    """``np.log``, small arrays: ``q[i, :] = (1.0 / (x + 0.0)) * px``; False where a local
    derivative is not finite (``q`` then written, as the plain products)."""
    rows, n = q.shape
    if n == 4 and px.flags.c_contiguous and q.flags.c_contiguous:
        pxf = px.ravel()
        qf = q.ravel()
        bad = False
        for i in range(rows):
            x = xs[i]
            fx = 1.0 / (x + 0.0)
            bad |= (fx - fx != 0.0) | (-2.2250738585072014e-308 < fx < 2.2250738585072014e-308 and (x + 0.0) - (x + 0.0) == 0.0)
            for j in range(4 * i, 4 * i + 4):
                qf[j] = fx * pxf[j]
        return not bad
    if n == 2 and px.flags.c_contiguous and q.flags.c_contiguous:
        pxf = px.ravel()
        qf = q.ravel()
        bad = False
        for i in range(rows):
            x = xs[i]
            fx = 1.0 / (x + 0.0)
            bad |= (fx - fx != 0.0) | (-2.2250738585072014e-308 < fx < 2.2250738585072014e-308 and (x + 0.0) - (x + 0.0) == 0.0)
            for j in range(2 * i, 2 * i + 2):
                qf[j] = fx * pxf[j]
        return not bad
    bad = False
    for i in range(rows):
        x = xs[i]
        fx = 1.0 / (x + 0.0)
        bad |= (fx - fx != 0.0) | (-2.2250738585072014e-308 < fx < 2.2250738585072014e-308 and (x + 0.0) - (x + 0.0) == 0.0)
        for k in range(n):
            q[i, k] = fx * px[i, k]
    return not bad


def d_log_x_entry(xs, outs, px, q):
    """``np.log``, small 1-D values of any layout: ``q[i, :] = (1.0 / (x + 0.0)) * px``; False for
    operands of other lengths and where a local derivative is not finite."""
    rows, n = q.shape
    if xs.shape[0] != rows or outs.shape[0] != rows or px.shape[0] != rows or px.shape[1] != n:
        return False
    bad = False
    for i in range(rows):
        x = xs[i]
        fx = 1.0 / (x + 0.0)
        bad |= (fx - fx != 0.0) | (-2.2250738585072014e-308 < fx < 2.2250738585072014e-308 and (x + 0.0) - (x + 0.0) == 0.0)
        for k in range(n):
            q[i, k] = fx * px[i, k]
    return not bad


def d_log_x_value_loops(loops, xs, outs, px, q):
    """``np.log``'s value and partials in one call on small 1-D values, NumPy's
    loop of the table ``loops`` (``_numpy_loops.value_loops``) making the value:
    ``q[i, :] = (1.0 / (x + 0.0)) * px``; False (nothing usable: the caller's lines then run) for
    ``x`` not contiguous and aligned, other lengths, no directions, a report the
    value's loop would make, and where a local derivative is not finite."""
    rows, n = q.shape
    if xs.shape[0] != rows or outs.shape[0] != rows or px.shape[0] != rows or px.shape[1] != n or \
            rows == 0 or n == 0 or xs.strides[0] != 8 or xs.ctypes.data % 8 != 0:
        return False
    mask = np.int32(loops[0])
    if fe_test(mask) != 0:      # (as NumPy: a clear costs ~6 tests)
        fe_clear(mask)
    if numpy_loop(loops[1], loops[2], loops[3], xs.ctypes.data, outs.ctypes.data, rows) != 0 \
            or fe_test(mask) != 0:
        fe_clear(mask)
        return False
    bad = False
    for i in range(rows):
        x = xs[i]
        fx = 1.0 / (x + 0.0)
        bad |= (fx - fx != 0.0) | (-2.2250738585072014e-308 < fx < 2.2250738585072014e-308 and (x + 0.0) - (x + 0.0) == 0.0)
        for k in range(n):
            q[i, k] = fx * px[i, k]
    return not bad


def d_log2_x_flat(xs, outs, px, q):
    """``np.log2``, one direction: ``q = (1.4426950408889634 / (x + 0.0)) * px``."""
    for i in range(q.shape[0]):
        x = xs[i]
        fx = 1.4426950408889634 / (x + 0.0)
        t = fx * px[i]
        if not (fx - fx == 0.0 and not (-2.2250738585072014e-308 < fx < 2.2250738585072014e-308 and (x + 0.0) - (x + 0.0) == 0.0)):
            t = (fx * px[i] if px[i] == 0.0 and fx - fx == 0.0 else (0.0 if px[i] == 0.0 else over(fx, 1.4426950408889634, x + 0.0, px[i])))
        q[i] = t


def d_log2_x(xs, outs, px, q):
    """``np.log2``: ``q[i, :] = (1.4426950408889634 / (x + 0.0)) * px``.

    Rows of 4 or 2 C-contiguous partials: the products over the flat arrays, then the
    zero rule on the rows whose local derivatives are not finite, if any (the
    generator's ``_SHORT``); other lengths and layouts: a loop over ``n`` per row."""
    rows, n = q.shape
    short = False
    bad = False
    if n == 4 and px.flags.c_contiguous and q.flags.c_contiguous:
        short = True
        pxf = px.ravel()
        qf = q.ravel()
        for i in range(rows):
            x = xs[i]
            fx = 1.4426950408889634 / (x + 0.0)
            bad |= (fx - fx != 0.0) | (-2.2250738585072014e-308 < fx < 2.2250738585072014e-308 and (x + 0.0) - (x + 0.0) == 0.0)
            for j in range(4 * i, 4 * i + 4):
                qf[j] = fx * pxf[j]
    if n == 2 and px.flags.c_contiguous and q.flags.c_contiguous:
        short = True
        pxf = px.ravel()
        qf = q.ravel()
        for i in range(rows):
            x = xs[i]
            fx = 1.4426950408889634 / (x + 0.0)
            bad |= (fx - fx != 0.0) | (-2.2250738585072014e-308 < fx < 2.2250738585072014e-308 and (x + 0.0) - (x + 0.0) == 0.0)
            for j in range(2 * i, 2 * i + 2):
                qf[j] = fx * pxf[j]
    if not short:
        d_log2_x_loop(xs, outs, px, q)
    elif bad:
        for i in range(rows):
            x = xs[i]
            fx = 1.4426950408889634 / (x + 0.0)
            if not (fx - fx == 0.0 and not (-2.2250738585072014e-308 < fx < 2.2250738585072014e-308 and (x + 0.0) - (x + 0.0) == 0.0)):
                for k in range(n):
                    q[i, k] = (fx * px[i, k] if px[i, k] == 0.0 and fx - fx == 0.0 else (0.0 if px[i, k] == 0.0 else over(fx, 1.4426950408889634, x + 0.0, px[i, k])))


def d_log2_x_loop(xs, outs, px, q):
    """``np.log2``'s rows kernel for other lengths and layouts: a loop over ``n`` per
    row, its own compiled function (in the kernel's body, after the flat loops, LLVM
    laid it out 1.06-1.18x slower at n = 3, 5, 8: stop 33 rows15)."""
    rows, n = q.shape
    for i in range(rows):
        x = xs[i]
        fx = 1.4426950408889634 / (x + 0.0)
        if fx - fx == 0.0 and not (-2.2250738585072014e-308 < fx < 2.2250738585072014e-308 and (x + 0.0) - (x + 0.0) == 0.0):
            for k in range(n):
                q[i, k] = fx * px[i, k]
        else:
            for k in range(n):
                q[i, k] = (fx * px[i, k] if px[i, k] == 0.0 and fx - fx == 0.0 else (0.0 if px[i, k] == 0.0 else over(fx, 1.4426950408889634, x + 0.0, px[i, k])))


def d_log2_x_small(xs, outs, px, q):
    """``np.log2``, small arrays: ``q[i, :] = (1.4426950408889634 / (x + 0.0)) * px``; False where a local
    derivative is not finite (``q`` then written, as the plain products)."""
    rows, n = q.shape
    if n == 4 and px.flags.c_contiguous and q.flags.c_contiguous:
        pxf = px.ravel()
        qf = q.ravel()
        bad = False
        for i in range(rows):
            x = xs[i]
            fx = 1.4426950408889634 / (x + 0.0)
            bad |= (fx - fx != 0.0) | (-2.2250738585072014e-308 < fx < 2.2250738585072014e-308 and (x + 0.0) - (x + 0.0) == 0.0)
            for j in range(4 * i, 4 * i + 4):
                qf[j] = fx * pxf[j]
        return not bad
    if n == 2 and px.flags.c_contiguous and q.flags.c_contiguous:
        pxf = px.ravel()
        qf = q.ravel()
        bad = False
        for i in range(rows):
            x = xs[i]
            fx = 1.4426950408889634 / (x + 0.0)
            bad |= (fx - fx != 0.0) | (-2.2250738585072014e-308 < fx < 2.2250738585072014e-308 and (x + 0.0) - (x + 0.0) == 0.0)
            for j in range(2 * i, 2 * i + 2):
                qf[j] = fx * pxf[j]
        return not bad
    bad = False
    for i in range(rows):
        x = xs[i]
        fx = 1.4426950408889634 / (x + 0.0)
        bad |= (fx - fx != 0.0) | (-2.2250738585072014e-308 < fx < 2.2250738585072014e-308 and (x + 0.0) - (x + 0.0) == 0.0)
        for k in range(n):
            q[i, k] = fx * px[i, k]
    return not bad


def d_log2_x_entry(xs, outs, px, q):
    """``np.log2``, small 1-D values of any layout: ``q[i, :] = (1.4426950408889634 / (x + 0.0)) * px``; False for
    operands of other lengths and where a local derivative is not finite."""
    rows, n = q.shape
    if xs.shape[0] != rows or outs.shape[0] != rows or px.shape[0] != rows or px.shape[1] != n:
        return False
    bad = False
    for i in range(rows):
        x = xs[i]
        fx = 1.4426950408889634 / (x + 0.0)
        bad |= (fx - fx != 0.0) | (-2.2250738585072014e-308 < fx < 2.2250738585072014e-308 and (x + 0.0) - (x + 0.0) == 0.0)
        for k in range(n):
            q[i, k] = fx * px[i, k]
    return not bad


def d_log2_x_value_loops(loops, xs, outs, px, q):
    """``np.log2``'s value and partials in one call on small 1-D values, NumPy's
    loop of the table ``loops`` (``_numpy_loops.value_loops``) making the value:
    ``q[i, :] = (1.4426950408889634 / (x + 0.0)) * px``; False (nothing usable: the caller's lines then run) for
    ``x`` not contiguous and aligned, other lengths, no directions, a report the
    value's loop would make, and where a local derivative is not finite."""
    rows, n = q.shape
    if xs.shape[0] != rows or outs.shape[0] != rows or px.shape[0] != rows or px.shape[1] != n or \
            rows == 0 or n == 0 or xs.strides[0] != 8 or xs.ctypes.data % 8 != 0:
        return False
    mask = np.int32(loops[0])
    if fe_test(mask) != 0:      # (as NumPy: a clear costs ~6 tests)
        fe_clear(mask)
    if numpy_loop(loops[1], loops[2], loops[3], xs.ctypes.data, outs.ctypes.data, rows) != 0 \
            or fe_test(mask) != 0:
        fe_clear(mask)
        return False
    bad = False
    for i in range(rows):
        x = xs[i]
        fx = 1.4426950408889634 / (x + 0.0)
        bad |= (fx - fx != 0.0) | (-2.2250738585072014e-308 < fx < 2.2250738585072014e-308 and (x + 0.0) - (x + 0.0) == 0.0)
        for k in range(n):
            q[i, k] = fx * px[i, k]
    return not bad


def d_log10_x_flat(xs, outs, px, q):
    """``np.log10``, one direction: ``q = (0.43429448190325176 / (x + 0.0)) * px``."""
    for i in range(q.shape[0]):
        x = xs[i]
        fx = 0.43429448190325176 / (x + 0.0)
        t = fx * px[i]
        if not (fx - fx == 0.0 and not (-2.2250738585072014e-308 < fx < 2.2250738585072014e-308 and (x + 0.0) - (x + 0.0) == 0.0)):
            t = (fx * px[i] if px[i] == 0.0 and fx - fx == 0.0 else (0.0 if px[i] == 0.0 else over(fx, 0.43429448190325176, x + 0.0, px[i])))
        q[i] = t


def d_log10_x(xs, outs, px, q):
    """``np.log10``: ``q[i, :] = (0.43429448190325176 / (x + 0.0)) * px``.

    Rows of 4 or 2 C-contiguous partials: the products over the flat arrays, then the
    zero rule on the rows whose local derivatives are not finite, if any (the
    generator's ``_SHORT``); other lengths and layouts: a loop over ``n`` per row."""
    rows, n = q.shape
    short = False
    bad = False
    if n == 4 and px.flags.c_contiguous and q.flags.c_contiguous:
        short = True
        pxf = px.ravel()
        qf = q.ravel()
        for i in range(rows):
            x = xs[i]
            fx = 0.43429448190325176 / (x + 0.0)
            bad |= (fx - fx != 0.0) | (-2.2250738585072014e-308 < fx < 2.2250738585072014e-308 and (x + 0.0) - (x + 0.0) == 0.0)
            for j in range(4 * i, 4 * i + 4):
                qf[j] = fx * pxf[j]
    if n == 2 and px.flags.c_contiguous and q.flags.c_contiguous:
        short = True
        pxf = px.ravel()
        qf = q.ravel()
        for i in range(rows):
            x = xs[i]
            fx = 0.43429448190325176 / (x + 0.0)
            bad |= (fx - fx != 0.0) | (-2.2250738585072014e-308 < fx < 2.2250738585072014e-308 and (x + 0.0) - (x + 0.0) == 0.0)
            for j in range(2 * i, 2 * i + 2):
                qf[j] = fx * pxf[j]
    if not short:
        d_log10_x_loop(xs, outs, px, q)
    elif bad:
        for i in range(rows):
            x = xs[i]
            fx = 0.43429448190325176 / (x + 0.0)
            if not (fx - fx == 0.0 and not (-2.2250738585072014e-308 < fx < 2.2250738585072014e-308 and (x + 0.0) - (x + 0.0) == 0.0)):
                for k in range(n):
                    q[i, k] = (fx * px[i, k] if px[i, k] == 0.0 and fx - fx == 0.0 else (0.0 if px[i, k] == 0.0 else over(fx, 0.43429448190325176, x + 0.0, px[i, k])))


def d_log10_x_loop(xs, outs, px, q):
    """``np.log10``'s rows kernel for other lengths and layouts: a loop over ``n`` per
    row, its own compiled function (in the kernel's body, after the flat loops, LLVM
    laid it out 1.06-1.18x slower at n = 3, 5, 8: stop 33 rows15)."""
    rows, n = q.shape
    for i in range(rows):
        x = xs[i]
        fx = 0.43429448190325176 / (x + 0.0)
        if fx - fx == 0.0 and not (-2.2250738585072014e-308 < fx < 2.2250738585072014e-308 and (x + 0.0) - (x + 0.0) == 0.0):
            for k in range(n):
                q[i, k] = fx * px[i, k]
        else:
            for k in range(n):
                q[i, k] = (fx * px[i, k] if px[i, k] == 0.0 and fx - fx == 0.0 else (0.0 if px[i, k] == 0.0 else over(fx, 0.43429448190325176, x + 0.0, px[i, k])))


def d_log10_x_small(xs, outs, px, q):
    """``np.log10``, small arrays: ``q[i, :] = (0.43429448190325176 / (x + 0.0)) * px``; False where a local
    derivative is not finite (``q`` then written, as the plain products)."""
    rows, n = q.shape
    if n == 4 and px.flags.c_contiguous and q.flags.c_contiguous:
        pxf = px.ravel()
        qf = q.ravel()
        bad = False
        for i in range(rows):
            x = xs[i]
            fx = 0.43429448190325176 / (x + 0.0)
            bad |= (fx - fx != 0.0) | (-2.2250738585072014e-308 < fx < 2.2250738585072014e-308 and (x + 0.0) - (x + 0.0) == 0.0)
            for j in range(4 * i, 4 * i + 4):
                qf[j] = fx * pxf[j]
        return not bad
    if n == 2 and px.flags.c_contiguous and q.flags.c_contiguous:
        pxf = px.ravel()
        qf = q.ravel()
        bad = False
        for i in range(rows):
            x = xs[i]
            fx = 0.43429448190325176 / (x + 0.0)
            bad |= (fx - fx != 0.0) | (-2.2250738585072014e-308 < fx < 2.2250738585072014e-308 and (x + 0.0) - (x + 0.0) == 0.0)
            for j in range(2 * i, 2 * i + 2):
                qf[j] = fx * pxf[j]
        return not bad
    bad = False
    for i in range(rows):
        x = xs[i]
        fx = 0.43429448190325176 / (x + 0.0)
        bad |= (fx - fx != 0.0) | (-2.2250738585072014e-308 < fx < 2.2250738585072014e-308 and (x + 0.0) - (x + 0.0) == 0.0)
        for k in range(n):
            q[i, k] = fx * px[i, k]
    return not bad


def d_log10_x_entry(xs, outs, px, q):
    """``np.log10``, small 1-D values of any layout: ``q[i, :] = (0.43429448190325176 / (x + 0.0)) * px``; False for
    operands of other lengths and where a local derivative is not finite."""
    rows, n = q.shape
    if xs.shape[0] != rows or outs.shape[0] != rows or px.shape[0] != rows or px.shape[1] != n:
        return False
    bad = False
    for i in range(rows):
        x = xs[i]
        fx = 0.43429448190325176 / (x + 0.0)
        bad |= (fx - fx != 0.0) | (-2.2250738585072014e-308 < fx < 2.2250738585072014e-308 and (x + 0.0) - (x + 0.0) == 0.0)
        for k in range(n):
            q[i, k] = fx * px[i, k]
    return not bad


def d_log10_x_value_loops(loops, xs, outs, px, q):
    """``np.log10``'s value and partials in one call on small 1-D values, NumPy's
    loop of the table ``loops`` (``_numpy_loops.value_loops``) making the value:
    ``q[i, :] = (0.43429448190325176 / (x + 0.0)) * px``; False (nothing usable: the caller's lines then run) for
    ``x`` not contiguous and aligned, other lengths, no directions, a report the
    value's loop would make, and where a local derivative is not finite."""
    rows, n = q.shape
    if xs.shape[0] != rows or outs.shape[0] != rows or px.shape[0] != rows or px.shape[1] != n or \
            rows == 0 or n == 0 or xs.strides[0] != 8 or xs.ctypes.data % 8 != 0:
        return False
    mask = np.int32(loops[0])
    if fe_test(mask) != 0:      # (as NumPy: a clear costs ~6 tests)
        fe_clear(mask)
    if numpy_loop(loops[1], loops[2], loops[3], xs.ctypes.data, outs.ctypes.data, rows) != 0 \
            or fe_test(mask) != 0:
        fe_clear(mask)
        return False
    bad = False
    for i in range(rows):
        x = xs[i]
        fx = 0.43429448190325176 / (x + 0.0)
        bad |= (fx - fx != 0.0) | (-2.2250738585072014e-308 < fx < 2.2250738585072014e-308 and (x + 0.0) - (x + 0.0) == 0.0)
        for k in range(n):
            q[i, k] = fx * px[i, k]
    return not bad


def d_log1p_x_flat(xs, outs, px, q):
    """``np.log1p``, one direction: ``q = (1.0 / (1.0 + x)) * px``."""
    for i in range(q.shape[0]):
        x = xs[i]
        fx = 1.0 / (1.0 + x)
        t = fx * px[i]
        if not (fx - fx == 0.0):
            t = (0.0 if px[i] == 0.0 else fx * px[i])
        q[i] = t


def d_log1p_x(xs, outs, px, q):
    """``np.log1p``: ``q[i, :] = (1.0 / (1.0 + x)) * px``.

    Rows of 4 or 2 C-contiguous partials: the products over the flat arrays, then the
    zero rule on the rows whose local derivatives are not finite, if any (the
    generator's ``_SHORT``); other lengths and layouts: a loop over ``n`` per row."""
    rows, n = q.shape
    short = False
    bad = False
    if n == 4 and px.flags.c_contiguous and q.flags.c_contiguous:
        short = True
        pxf = px.ravel()
        qf = q.ravel()
        for i in range(rows):
            x = xs[i]
            fx = 1.0 / (1.0 + x)
            bad |= (fx - fx != 0.0)
            for j in range(4 * i, 4 * i + 4):
                qf[j] = fx * pxf[j]
    if n == 2 and px.flags.c_contiguous and q.flags.c_contiguous:
        short = True
        pxf = px.ravel()
        qf = q.ravel()
        for i in range(rows):
            x = xs[i]
            fx = 1.0 / (1.0 + x)
            bad |= (fx - fx != 0.0)
            for j in range(2 * i, 2 * i + 2):
                qf[j] = fx * pxf[j]
    if not short:
        d_log1p_x_loop(xs, outs, px, q)
    elif bad:
        for i in range(rows):
            x = xs[i]
            fx = 1.0 / (1.0 + x)
            if not (fx - fx == 0.0):
                for k in range(n):
                    q[i, k] = (0.0 if px[i, k] == 0.0 else fx * px[i, k])


def d_log1p_x_loop(xs, outs, px, q):
    """``np.log1p``'s rows kernel for other lengths and layouts: a loop over ``n`` per
    row, its own compiled function (in the kernel's body, after the flat loops, LLVM
    laid it out 1.06-1.18x slower at n = 3, 5, 8: stop 33 rows15)."""
    rows, n = q.shape
    for i in range(rows):
        x = xs[i]
        fx = 1.0 / (1.0 + x)
        if fx - fx == 0.0:
            for k in range(n):
                q[i, k] = fx * px[i, k]
        else:
            for k in range(n):
                q[i, k] = (0.0 if px[i, k] == 0.0 else fx * px[i, k])


def d_log1p_x_small(xs, outs, px, q):
    """``np.log1p``, small arrays: ``q[i, :] = (1.0 / (1.0 + x)) * px``; False where a local
    derivative is not finite (``q`` then written, as the plain products)."""
    rows, n = q.shape
    if n == 4 and px.flags.c_contiguous and q.flags.c_contiguous:
        pxf = px.ravel()
        qf = q.ravel()
        bad = False
        for i in range(rows):
            x = xs[i]
            fx = 1.0 / (1.0 + x)
            bad |= (fx - fx != 0.0)
            for j in range(4 * i, 4 * i + 4):
                qf[j] = fx * pxf[j]
        return not bad
    if n == 2 and px.flags.c_contiguous and q.flags.c_contiguous:
        pxf = px.ravel()
        qf = q.ravel()
        bad = False
        for i in range(rows):
            x = xs[i]
            fx = 1.0 / (1.0 + x)
            bad |= (fx - fx != 0.0)
            for j in range(2 * i, 2 * i + 2):
                qf[j] = fx * pxf[j]
        return not bad
    bad = False
    for i in range(rows):
        x = xs[i]
        fx = 1.0 / (1.0 + x)
        bad |= (fx - fx != 0.0)
        for k in range(n):
            q[i, k] = fx * px[i, k]
    return not bad


def d_log1p_x_entry(xs, outs, px, q):
    """``np.log1p``, small 1-D values of any layout: ``q[i, :] = (1.0 / (1.0 + x)) * px``; False for
    operands of other lengths and where a local derivative is not finite."""
    rows, n = q.shape
    if xs.shape[0] != rows or outs.shape[0] != rows or px.shape[0] != rows or px.shape[1] != n:
        return False
    bad = False
    for i in range(rows):
        x = xs[i]
        fx = 1.0 / (1.0 + x)
        bad |= (fx - fx != 0.0)
        for k in range(n):
            q[i, k] = fx * px[i, k]
    return not bad


def d_log1p_x_value_loops(loops, xs, outs, px, q):
    """``np.log1p``'s value and partials in one call on small 1-D values, NumPy's
    loop of the table ``loops`` (``_numpy_loops.value_loops``) making the value:
    ``q[i, :] = (1.0 / (1.0 + x)) * px``; False (nothing usable: the caller's lines then run) for
    ``x`` not contiguous and aligned, other lengths, no directions, a report the
    value's loop would make, and where a local derivative is not finite."""
    rows, n = q.shape
    if xs.shape[0] != rows or outs.shape[0] != rows or px.shape[0] != rows or px.shape[1] != n or \
            rows == 0 or n == 0 or xs.strides[0] != 8 or xs.ctypes.data % 8 != 0:
        return False
    mask = np.int32(loops[0])
    if fe_test(mask) != 0:      # (as NumPy: a clear costs ~6 tests)
        fe_clear(mask)
    if numpy_loop(loops[1], loops[2], loops[3], xs.ctypes.data, outs.ctypes.data, rows) != 0 \
            or fe_test(mask) != 0:
        fe_clear(mask)
        return False
    bad = False
    for i in range(rows):
        x = xs[i]
        fx = 1.0 / (1.0 + x)
        bad |= (fx - fx != 0.0)
        for k in range(n):
            q[i, k] = fx * px[i, k]
    return not bad


def d_tan_x_flat(xs, outs, px, q):
    """``np.tan``, one direction: ``q = (1.0 + out * out) * px``."""
    for i in range(q.shape[0]):
        out = outs[i]
        fx = 1.0 + out * out
        t = fx * px[i]
        if not (fx - fx == 0.0):
            t = (0.0 if px[i] == 0.0 else fx * px[i])
        q[i] = t


def d_tan_x(xs, outs, px, q):
    """``np.tan``: ``q[i, :] = (1.0 + out * out) * px``.

    Rows of 4 or 2 C-contiguous partials: the products over the flat arrays, then the
    zero rule on the rows whose local derivatives are not finite, if any (the
    generator's ``_SHORT``); other lengths and layouts: a loop over ``n`` per row."""
    rows, n = q.shape
    short = False
    bad = False
    if n == 4 and px.flags.c_contiguous and q.flags.c_contiguous:
        short = True
        pxf = px.ravel()
        qf = q.ravel()
        for i in range(rows):
            out = outs[i]
            fx = 1.0 + out * out
            bad |= (fx - fx != 0.0)
            for j in range(4 * i, 4 * i + 4):
                qf[j] = fx * pxf[j]
    if n == 2 and px.flags.c_contiguous and q.flags.c_contiguous:
        short = True
        pxf = px.ravel()
        qf = q.ravel()
        for i in range(rows):
            out = outs[i]
            fx = 1.0 + out * out
            bad |= (fx - fx != 0.0)
            for j in range(2 * i, 2 * i + 2):
                qf[j] = fx * pxf[j]
    if not short:
        d_tan_x_loop(xs, outs, px, q)
    elif bad:
        for i in range(rows):
            out = outs[i]
            fx = 1.0 + out * out
            if not (fx - fx == 0.0):
                for k in range(n):
                    q[i, k] = (0.0 if px[i, k] == 0.0 else fx * px[i, k])


def d_tan_x_loop(xs, outs, px, q):
    """``np.tan``'s rows kernel for other lengths and layouts: a loop over ``n`` per
    row, its own compiled function (in the kernel's body, after the flat loops, LLVM
    laid it out 1.06-1.18x slower at n = 3, 5, 8: stop 33 rows15)."""
    rows, n = q.shape
    for i in range(rows):
        out = outs[i]
        fx = 1.0 + out * out
        if fx - fx == 0.0:
            for k in range(n):
                q[i, k] = fx * px[i, k]
        else:
            for k in range(n):
                q[i, k] = (0.0 if px[i, k] == 0.0 else fx * px[i, k])


def d_tan_x_small(xs, outs, px, q):
    """``np.tan``, small arrays: ``q[i, :] = (1.0 + out * out) * px``; False where a local
    derivative is not finite (``q`` then written, as the plain products)."""
    rows, n = q.shape
    if n == 4 and px.flags.c_contiguous and q.flags.c_contiguous:
        pxf = px.ravel()
        qf = q.ravel()
        bad = False
        for i in range(rows):
            out = outs[i]
            fx = 1.0 + out * out
            bad |= (fx - fx != 0.0)
            for j in range(4 * i, 4 * i + 4):
                qf[j] = fx * pxf[j]
        return not bad
    if n == 2 and px.flags.c_contiguous and q.flags.c_contiguous:
        pxf = px.ravel()
        qf = q.ravel()
        bad = False
        for i in range(rows):
            out = outs[i]
            fx = 1.0 + out * out
            bad |= (fx - fx != 0.0)
            for j in range(2 * i, 2 * i + 2):
                qf[j] = fx * pxf[j]
        return not bad
    bad = False
    for i in range(rows):
        out = outs[i]
        fx = 1.0 + out * out
        bad |= (fx - fx != 0.0)
        for k in range(n):
            q[i, k] = fx * px[i, k]
    return not bad


def d_tan_x_entry(xs, outs, px, q):
    """``np.tan``, small 1-D values of any layout: ``q[i, :] = (1.0 + out * out) * px``; False for
    operands of other lengths and where a local derivative is not finite."""
    rows, n = q.shape
    if xs.shape[0] != rows or outs.shape[0] != rows or px.shape[0] != rows or px.shape[1] != n:
        return False
    bad = False
    for i in range(rows):
        out = outs[i]
        fx = 1.0 + out * out
        bad |= (fx - fx != 0.0)
        for k in range(n):
            q[i, k] = fx * px[i, k]
    return not bad


def d_tan_x_value_loops(loops, xs, outs, px, q):
    """``np.tan``'s value and partials in one call on small 1-D values, NumPy's
    loop of the table ``loops`` (``_numpy_loops.value_loops``) making the value:
    ``q[i, :] = (1.0 + out * out) * px``; False (nothing usable: the caller's lines then run) for
    ``x`` not contiguous and aligned, other lengths, no directions, a report the
    value's loop would make, and where a local derivative is not finite."""
    rows, n = q.shape
    if xs.shape[0] != rows or outs.shape[0] != rows or px.shape[0] != rows or px.shape[1] != n or \
            rows == 0 or n == 0 or xs.strides[0] != 8 or xs.ctypes.data % 8 != 0:
        return False
    mask = np.int32(loops[0])
    if fe_test(mask) != 0:      # (as NumPy: a clear costs ~6 tests)
        fe_clear(mask)
    if numpy_loop(loops[1], loops[2], loops[3], xs.ctypes.data, outs.ctypes.data, rows) != 0 \
            or fe_test(mask) != 0:
        fe_clear(mask)
        return False
    bad = False
    for i in range(rows):
        out = outs[i]
        fx = 1.0 + out * out
        bad |= (fx - fx != 0.0)
        for k in range(n):
            q[i, k] = fx * px[i, k]
    return not bad


def d_arcsin_x_flat(xs, outs, px, q):
    """``np.arcsin``, one direction: ``q = (where(np.absolute(x) < 0.5, 1.0 / np.sqrt(1.0 - x * x), 1.0 / ((np.sqrt(-(x - 1.0)) + 0.0) * np.sqrt(x - -1.0)))) * px``."""
    for i in range(q.shape[0]):
        x = xs[i]
        fx = where(np.absolute(x) < 0.5, 1.0 / np.sqrt(1.0 - x * x), 1.0 / ((np.sqrt(-(x - 1.0)) + 0.0) * np.sqrt(x - -1.0)))
        t = fx * px[i]
        if not (fx - fx == 0.0):
            t = (0.0 if px[i] == 0.0 else fx * px[i])
        q[i] = t


def d_arcsin_x(xs, outs, px, q):
    """``np.arcsin``: ``q[i, :] = (where(np.absolute(x) < 0.5, 1.0 / np.sqrt(1.0 - x * x), 1.0 / ((np.sqrt(-(x - 1.0)) + 0.0) * np.sqrt(x - -1.0)))) * px``.

    Rows of 4 or 2 C-contiguous partials: the products over the flat arrays, then the
    zero rule on the rows whose local derivatives are not finite, if any (the
    generator's ``_SHORT``); other lengths and layouts: a loop over ``n`` per row."""
    rows, n = q.shape
    short = False
    bad = False
    if n == 4 and px.flags.c_contiguous and q.flags.c_contiguous:
        short = True
        pxf = px.ravel()
        qf = q.ravel()
        for i in range(rows):
            x = xs[i]
            fx = where(np.absolute(x) < 0.5, 1.0 / np.sqrt(1.0 - x * x), 1.0 / ((np.sqrt(-(x - 1.0)) + 0.0) * np.sqrt(x - -1.0)))
            bad |= (fx - fx != 0.0)
            for j in range(4 * i, 4 * i + 4):
                qf[j] = fx * pxf[j]
    if n == 2 and px.flags.c_contiguous and q.flags.c_contiguous:
        short = True
        pxf = px.ravel()
        qf = q.ravel()
        for i in range(rows):
            x = xs[i]
            fx = where(np.absolute(x) < 0.5, 1.0 / np.sqrt(1.0 - x * x), 1.0 / ((np.sqrt(-(x - 1.0)) + 0.0) * np.sqrt(x - -1.0)))
            bad |= (fx - fx != 0.0)
            for j in range(2 * i, 2 * i + 2):
                qf[j] = fx * pxf[j]
    if not short:
        d_arcsin_x_loop(xs, outs, px, q)
    elif bad:
        for i in range(rows):
            x = xs[i]
            fx = where(np.absolute(x) < 0.5, 1.0 / np.sqrt(1.0 - x * x), 1.0 / ((np.sqrt(-(x - 1.0)) + 0.0) * np.sqrt(x - -1.0)))
            if not (fx - fx == 0.0):
                for k in range(n):
                    q[i, k] = (0.0 if px[i, k] == 0.0 else fx * px[i, k])


def d_arcsin_x_loop(xs, outs, px, q):
    """``np.arcsin``'s rows kernel for other lengths and layouts: a loop over ``n`` per
    row, its own compiled function (in the kernel's body, after the flat loops, LLVM
    laid it out 1.06-1.18x slower at n = 3, 5, 8: stop 33 rows15)."""
    rows, n = q.shape
    for i in range(rows):
        x = xs[i]
        fx = where(np.absolute(x) < 0.5, 1.0 / np.sqrt(1.0 - x * x), 1.0 / ((np.sqrt(-(x - 1.0)) + 0.0) * np.sqrt(x - -1.0)))
        if fx - fx == 0.0:
            for k in range(n):
                q[i, k] = fx * px[i, k]
        else:
            for k in range(n):
                q[i, k] = (0.0 if px[i, k] == 0.0 else fx * px[i, k])


def d_arcsin_x_small(xs, outs, px, q):
    """``np.arcsin``, small arrays: ``q[i, :] = (where(np.absolute(x) < 0.5, 1.0 / np.sqrt(1.0 - x * x), 1.0 / ((np.sqrt(-(x - 1.0)) + 0.0) * np.sqrt(x - -1.0)))) * px``; False where a local
    derivative is not finite (``q`` then written, as the plain products)."""
    rows, n = q.shape
    if n == 4 and px.flags.c_contiguous and q.flags.c_contiguous:
        pxf = px.ravel()
        qf = q.ravel()
        bad = False
        for i in range(rows):
            x = xs[i]
            fx = where(np.absolute(x) < 0.5, 1.0 / np.sqrt(1.0 - x * x), 1.0 / ((np.sqrt(-(x - 1.0)) + 0.0) * np.sqrt(x - -1.0)))
            bad |= (fx - fx != 0.0)
            for j in range(4 * i, 4 * i + 4):
                qf[j] = fx * pxf[j]
        return not bad
    if n == 2 and px.flags.c_contiguous and q.flags.c_contiguous:
        pxf = px.ravel()
        qf = q.ravel()
        bad = False
        for i in range(rows):
            x = xs[i]
            fx = where(np.absolute(x) < 0.5, 1.0 / np.sqrt(1.0 - x * x), 1.0 / ((np.sqrt(-(x - 1.0)) + 0.0) * np.sqrt(x - -1.0)))
            bad |= (fx - fx != 0.0)
            for j in range(2 * i, 2 * i + 2):
                qf[j] = fx * pxf[j]
        return not bad
    bad = False
    for i in range(rows):
        x = xs[i]
        fx = where(np.absolute(x) < 0.5, 1.0 / np.sqrt(1.0 - x * x), 1.0 / ((np.sqrt(-(x - 1.0)) + 0.0) * np.sqrt(x - -1.0)))
        bad |= (fx - fx != 0.0)
        for k in range(n):
            q[i, k] = fx * px[i, k]
    return not bad


def d_arcsin_x_entry(xs, outs, px, q):
    """``np.arcsin``, small 1-D values of any layout: ``q[i, :] = (where(np.absolute(x) < 0.5, 1.0 / np.sqrt(1.0 - x * x), 1.0 / ((np.sqrt(-(x - 1.0)) + 0.0) * np.sqrt(x - -1.0)))) * px``; False for
    operands of other lengths and where a local derivative is not finite."""
    rows, n = q.shape
    if xs.shape[0] != rows or outs.shape[0] != rows or px.shape[0] != rows or px.shape[1] != n:
        return False
    bad = False
    for i in range(rows):
        x = xs[i]
        fx = where(np.absolute(x) < 0.5, 1.0 / np.sqrt(1.0 - x * x), 1.0 / ((np.sqrt(-(x - 1.0)) + 0.0) * np.sqrt(x - -1.0)))
        bad |= (fx - fx != 0.0)
        for k in range(n):
            q[i, k] = fx * px[i, k]
    return not bad


def d_arcsin_x_value_loops(loops, xs, outs, px, q):
    """``np.arcsin``'s value and partials in one call on small 1-D values, NumPy's
    loop of the table ``loops`` (``_numpy_loops.value_loops``) making the value:
    ``q[i, :] = (where(np.absolute(x) < 0.5, 1.0 / np.sqrt(1.0 - x * x), 1.0 / ((np.sqrt(-(x - 1.0)) + 0.0) * np.sqrt(x - -1.0)))) * px``; False (nothing usable: the caller's lines then run) for
    ``x`` not contiguous and aligned, other lengths, no directions, a report the
    value's loop would make, and where a local derivative is not finite."""
    rows, n = q.shape
    if xs.shape[0] != rows or outs.shape[0] != rows or px.shape[0] != rows or px.shape[1] != n or \
            rows == 0 or n == 0 or xs.strides[0] != 8 or xs.ctypes.data % 8 != 0:
        return False
    mask = np.int32(loops[0])
    if fe_test(mask) != 0:      # (as NumPy: a clear costs ~6 tests)
        fe_clear(mask)
    if numpy_loop(loops[1], loops[2], loops[3], xs.ctypes.data, outs.ctypes.data, rows) != 0 \
            or fe_test(mask) != 0:
        fe_clear(mask)
        return False
    bad = False
    for i in range(rows):
        x = xs[i]
        fx = where(np.absolute(x) < 0.5, 1.0 / np.sqrt(1.0 - x * x), 1.0 / ((np.sqrt(-(x - 1.0)) + 0.0) * np.sqrt(x - -1.0)))
        bad |= (fx - fx != 0.0)
        for k in range(n):
            q[i, k] = fx * px[i, k]
    return not bad


def d_arccos_x_flat(xs, outs, px, q):
    """``np.arccos``, one direction: ``q = (where(np.absolute(x) < 0.5, -1.0 / np.sqrt(1.0 - x * x), -1.0 / ((np.sqrt(-(x - 1.0)) + 0.0) * np.sqrt(x - -1.0)))) * px``."""
    for i in range(q.shape[0]):
        x = xs[i]
        fx = where(np.absolute(x) < 0.5, -1.0 / np.sqrt(1.0 - x * x), -1.0 / ((np.sqrt(-(x - 1.0)) + 0.0) * np.sqrt(x - -1.0)))
        t = fx * px[i]
        if not (fx - fx == 0.0):
            t = (0.0 if px[i] == 0.0 else fx * px[i])
        q[i] = t


def d_arccos_x(xs, outs, px, q):
    """``np.arccos``: ``q[i, :] = (where(np.absolute(x) < 0.5, -1.0 / np.sqrt(1.0 - x * x), -1.0 / ((np.sqrt(-(x - 1.0)) + 0.0) * np.sqrt(x - -1.0)))) * px``.

    Rows of 4 or 2 C-contiguous partials: the products over the flat arrays, then the
    zero rule on the rows whose local derivatives are not finite, if any (the
    generator's ``_SHORT``); other lengths and layouts: a loop over ``n`` per row."""
    rows, n = q.shape
    short = False
    bad = False
    if n == 4 and px.flags.c_contiguous and q.flags.c_contiguous:
        short = True
        pxf = px.ravel()
        qf = q.ravel()
        for i in range(rows):
            x = xs[i]
            fx = where(np.absolute(x) < 0.5, -1.0 / np.sqrt(1.0 - x * x), -1.0 / ((np.sqrt(-(x - 1.0)) + 0.0) * np.sqrt(x - -1.0)))
            bad |= (fx - fx != 0.0)
            for j in range(4 * i, 4 * i + 4):
                qf[j] = fx * pxf[j]
    if n == 2 and px.flags.c_contiguous and q.flags.c_contiguous:
        short = True
        pxf = px.ravel()
        qf = q.ravel()
        for i in range(rows):
            x = xs[i]
            fx = where(np.absolute(x) < 0.5, -1.0 / np.sqrt(1.0 - x * x), -1.0 / ((np.sqrt(-(x - 1.0)) + 0.0) * np.sqrt(x - -1.0)))
            bad |= (fx - fx != 0.0)
            for j in range(2 * i, 2 * i + 2):
                qf[j] = fx * pxf[j]
    if not short:
        d_arccos_x_loop(xs, outs, px, q)
    elif bad:
        for i in range(rows):
            x = xs[i]
            fx = where(np.absolute(x) < 0.5, -1.0 / np.sqrt(1.0 - x * x), -1.0 / ((np.sqrt(-(x - 1.0)) + 0.0) * np.sqrt(x - -1.0)))
            if not (fx - fx == 0.0):
                for k in range(n):
                    q[i, k] = (0.0 if px[i, k] == 0.0 else fx * px[i, k])


def d_arccos_x_loop(xs, outs, px, q):
    """``np.arccos``'s rows kernel for other lengths and layouts: a loop over ``n`` per
    row, its own compiled function (in the kernel's body, after the flat loops, LLVM
    laid it out 1.06-1.18x slower at n = 3, 5, 8: stop 33 rows15)."""
    rows, n = q.shape
    for i in range(rows):
        x = xs[i]
        fx = where(np.absolute(x) < 0.5, -1.0 / np.sqrt(1.0 - x * x), -1.0 / ((np.sqrt(-(x - 1.0)) + 0.0) * np.sqrt(x - -1.0)))
        if fx - fx == 0.0:
            for k in range(n):
                q[i, k] = fx * px[i, k]
        else:
            for k in range(n):
                q[i, k] = (0.0 if px[i, k] == 0.0 else fx * px[i, k])


def d_arccos_x_small(xs, outs, px, q):
    """``np.arccos``, small arrays: ``q[i, :] = (where(np.absolute(x) < 0.5, -1.0 / np.sqrt(1.0 - x * x), -1.0 / ((np.sqrt(-(x - 1.0)) + 0.0) * np.sqrt(x - -1.0)))) * px``; False where a local
    derivative is not finite (``q`` then written, as the plain products)."""
    rows, n = q.shape
    if n == 4 and px.flags.c_contiguous and q.flags.c_contiguous:
        pxf = px.ravel()
        qf = q.ravel()
        bad = False
        for i in range(rows):
            x = xs[i]
            fx = where(np.absolute(x) < 0.5, -1.0 / np.sqrt(1.0 - x * x), -1.0 / ((np.sqrt(-(x - 1.0)) + 0.0) * np.sqrt(x - -1.0)))
            bad |= (fx - fx != 0.0)
            for j in range(4 * i, 4 * i + 4):
                qf[j] = fx * pxf[j]
        return not bad
    if n == 2 and px.flags.c_contiguous and q.flags.c_contiguous:
        pxf = px.ravel()
        qf = q.ravel()
        bad = False
        for i in range(rows):
            x = xs[i]
            fx = where(np.absolute(x) < 0.5, -1.0 / np.sqrt(1.0 - x * x), -1.0 / ((np.sqrt(-(x - 1.0)) + 0.0) * np.sqrt(x - -1.0)))
            bad |= (fx - fx != 0.0)
            for j in range(2 * i, 2 * i + 2):
                qf[j] = fx * pxf[j]
        return not bad
    bad = False
    for i in range(rows):
        x = xs[i]
        fx = where(np.absolute(x) < 0.5, -1.0 / np.sqrt(1.0 - x * x), -1.0 / ((np.sqrt(-(x - 1.0)) + 0.0) * np.sqrt(x - -1.0)))
        bad |= (fx - fx != 0.0)
        for k in range(n):
            q[i, k] = fx * px[i, k]
    return not bad


def d_arccos_x_entry(xs, outs, px, q):
    """``np.arccos``, small 1-D values of any layout: ``q[i, :] = (where(np.absolute(x) < 0.5, -1.0 / np.sqrt(1.0 - x * x), -1.0 / ((np.sqrt(-(x - 1.0)) + 0.0) * np.sqrt(x - -1.0)))) * px``; False for
    operands of other lengths and where a local derivative is not finite."""
    rows, n = q.shape
    if xs.shape[0] != rows or outs.shape[0] != rows or px.shape[0] != rows or px.shape[1] != n:
        return False
    bad = False
    for i in range(rows):
        x = xs[i]
        fx = where(np.absolute(x) < 0.5, -1.0 / np.sqrt(1.0 - x * x), -1.0 / ((np.sqrt(-(x - 1.0)) + 0.0) * np.sqrt(x - -1.0)))
        bad |= (fx - fx != 0.0)
        for k in range(n):
            q[i, k] = fx * px[i, k]
    return not bad


def d_arccos_x_value_loops(loops, xs, outs, px, q):
    """``np.arccos``'s value and partials in one call on small 1-D values, NumPy's
    loop of the table ``loops`` (``_numpy_loops.value_loops``) making the value:
    ``q[i, :] = (where(np.absolute(x) < 0.5, -1.0 / np.sqrt(1.0 - x * x), -1.0 / ((np.sqrt(-(x - 1.0)) + 0.0) * np.sqrt(x - -1.0)))) * px``; False (nothing usable: the caller's lines then run) for
    ``x`` not contiguous and aligned, other lengths, no directions, a report the
    value's loop would make, and where a local derivative is not finite."""
    rows, n = q.shape
    if xs.shape[0] != rows or outs.shape[0] != rows or px.shape[0] != rows or px.shape[1] != n or \
            rows == 0 or n == 0 or xs.strides[0] != 8 or xs.ctypes.data % 8 != 0:
        return False
    mask = np.int32(loops[0])
    if fe_test(mask) != 0:      # (as NumPy: a clear costs ~6 tests)
        fe_clear(mask)
    if numpy_loop(loops[1], loops[2], loops[3], xs.ctypes.data, outs.ctypes.data, rows) != 0 \
            or fe_test(mask) != 0:
        fe_clear(mask)
        return False
    bad = False
    for i in range(rows):
        x = xs[i]
        fx = where(np.absolute(x) < 0.5, -1.0 / np.sqrt(1.0 - x * x), -1.0 / ((np.sqrt(-(x - 1.0)) + 0.0) * np.sqrt(x - -1.0)))
        bad |= (fx - fx != 0.0)
        for k in range(n):
            q[i, k] = fx * px[i, k]
    return not bad


def d_arctan_x_flat(xs, outs, px, q):
    """``np.arctan``, one direction: ``q = (1.0 / (1.0 + x * x)) * px``."""
    for i in range(q.shape[0]):
        x = xs[i]
        fx = 1.0 / (1.0 + x * x)
        t = fx * px[i]
        if not (fx - fx == 0.0 and not (-2.2250738585072014e-308 < fx < 2.2250738585072014e-308 and 1.0 / x != 0.0 and (x + 1.0 / x) - (x + 1.0 / x) == 0.0)):
            t = (fx * px[i] if px[i] == 0.0 and fx - fx == 0.0 else (0.0 if px[i] == 0.0 else over(fx, 1.0 / x, x + 1.0 / x, px[i])))
        q[i] = t


def d_arctan_x(xs, outs, px, q):
    """``np.arctan``: ``q[i, :] = (1.0 / (1.0 + x * x)) * px``.

    Rows of 4 or 2 C-contiguous partials: the products over the flat arrays, then the
    zero rule on the rows whose local derivatives are not finite, if any (the
    generator's ``_SHORT``); other lengths and layouts: a loop over ``n`` per row."""
    rows, n = q.shape
    short = False
    bad = False
    if n == 4 and px.flags.c_contiguous and q.flags.c_contiguous:
        short = True
        pxf = px.ravel()
        qf = q.ravel()
        for i in range(rows):
            x = xs[i]
            fx = 1.0 / (1.0 + x * x)
            bad |= (fx - fx != 0.0) | (-2.2250738585072014e-308 < fx < 2.2250738585072014e-308 and 1.0 / x != 0.0 and (x + 1.0 / x) - (x + 1.0 / x) == 0.0)
            for j in range(4 * i, 4 * i + 4):
                qf[j] = fx * pxf[j]
    if n == 2 and px.flags.c_contiguous and q.flags.c_contiguous:
        short = True
        pxf = px.ravel()
        qf = q.ravel()
        for i in range(rows):
            x = xs[i]
            fx = 1.0 / (1.0 + x * x)
            bad |= (fx - fx != 0.0) | (-2.2250738585072014e-308 < fx < 2.2250738585072014e-308 and 1.0 / x != 0.0 and (x + 1.0 / x) - (x + 1.0 / x) == 0.0)
            for j in range(2 * i, 2 * i + 2):
                qf[j] = fx * pxf[j]
    if not short:
        d_arctan_x_loop(xs, outs, px, q)
    elif bad:
        for i in range(rows):
            x = xs[i]
            fx = 1.0 / (1.0 + x * x)
            if not (fx - fx == 0.0 and not (-2.2250738585072014e-308 < fx < 2.2250738585072014e-308 and 1.0 / x != 0.0 and (x + 1.0 / x) - (x + 1.0 / x) == 0.0)):
                for k in range(n):
                    q[i, k] = (fx * px[i, k] if px[i, k] == 0.0 and fx - fx == 0.0 else (0.0 if px[i, k] == 0.0 else over(fx, 1.0 / x, x + 1.0 / x, px[i, k])))


def d_arctan_x_loop(xs, outs, px, q):
    """``np.arctan``'s rows kernel for other lengths and layouts: a loop over ``n`` per
    row, its own compiled function (in the kernel's body, after the flat loops, LLVM
    laid it out 1.06-1.18x slower at n = 3, 5, 8: stop 33 rows15)."""
    rows, n = q.shape
    for i in range(rows):
        x = xs[i]
        fx = 1.0 / (1.0 + x * x)
        if fx - fx == 0.0 and not (-2.2250738585072014e-308 < fx < 2.2250738585072014e-308 and 1.0 / x != 0.0 and (x + 1.0 / x) - (x + 1.0 / x) == 0.0):
            for k in range(n):
                q[i, k] = fx * px[i, k]
        else:
            for k in range(n):
                q[i, k] = (fx * px[i, k] if px[i, k] == 0.0 and fx - fx == 0.0 else (0.0 if px[i, k] == 0.0 else over(fx, 1.0 / x, x + 1.0 / x, px[i, k])))


def d_arctan_x_small(xs, outs, px, q):
    """``np.arctan``, small arrays: ``q[i, :] = (1.0 / (1.0 + x * x)) * px``; False where a local
    derivative is not finite (``q`` then written, as the plain products)."""
    rows, n = q.shape
    if n == 4 and px.flags.c_contiguous and q.flags.c_contiguous:
        pxf = px.ravel()
        qf = q.ravel()
        bad = False
        for i in range(rows):
            x = xs[i]
            fx = 1.0 / (1.0 + x * x)
            bad |= (fx - fx != 0.0) | (-2.2250738585072014e-308 < fx < 2.2250738585072014e-308 and 1.0 / x != 0.0 and (x + 1.0 / x) - (x + 1.0 / x) == 0.0)
            for j in range(4 * i, 4 * i + 4):
                qf[j] = fx * pxf[j]
        return not bad
    if n == 2 and px.flags.c_contiguous and q.flags.c_contiguous:
        pxf = px.ravel()
        qf = q.ravel()
        bad = False
        for i in range(rows):
            x = xs[i]
            fx = 1.0 / (1.0 + x * x)
            bad |= (fx - fx != 0.0) | (-2.2250738585072014e-308 < fx < 2.2250738585072014e-308 and 1.0 / x != 0.0 and (x + 1.0 / x) - (x + 1.0 / x) == 0.0)
            for j in range(2 * i, 2 * i + 2):
                qf[j] = fx * pxf[j]
        return not bad
    bad = False
    for i in range(rows):
        x = xs[i]
        fx = 1.0 / (1.0 + x * x)
        bad |= (fx - fx != 0.0) | (-2.2250738585072014e-308 < fx < 2.2250738585072014e-308 and 1.0 / x != 0.0 and (x + 1.0 / x) - (x + 1.0 / x) == 0.0)
        for k in range(n):
            q[i, k] = fx * px[i, k]
    return not bad


def d_arctan_x_entry(xs, outs, px, q):
    """``np.arctan``, small 1-D values of any layout: ``q[i, :] = (1.0 / (1.0 + x * x)) * px``; False for
    operands of other lengths and where a local derivative is not finite."""
    rows, n = q.shape
    if xs.shape[0] != rows or outs.shape[0] != rows or px.shape[0] != rows or px.shape[1] != n:
        return False
    bad = False
    for i in range(rows):
        x = xs[i]
        fx = 1.0 / (1.0 + x * x)
        bad |= (fx - fx != 0.0) | (-2.2250738585072014e-308 < fx < 2.2250738585072014e-308 and 1.0 / x != 0.0 and (x + 1.0 / x) - (x + 1.0 / x) == 0.0)
        for k in range(n):
            q[i, k] = fx * px[i, k]
    return not bad


def d_arctan_x_value_loops(loops, xs, outs, px, q):
    """``np.arctan``'s value and partials in one call on small 1-D values, NumPy's
    loop of the table ``loops`` (``_numpy_loops.value_loops``) making the value:
    ``q[i, :] = (1.0 / (1.0 + x * x)) * px``; False (nothing usable: the caller's lines then run) for
    ``x`` not contiguous and aligned, other lengths, no directions, a report the
    value's loop would make, and where a local derivative is not finite."""
    rows, n = q.shape
    if xs.shape[0] != rows or outs.shape[0] != rows or px.shape[0] != rows or px.shape[1] != n or \
            rows == 0 or n == 0 or xs.strides[0] != 8 or xs.ctypes.data % 8 != 0:
        return False
    mask = np.int32(loops[0])
    if fe_test(mask) != 0:      # (as NumPy: a clear costs ~6 tests)
        fe_clear(mask)
    if numpy_loop(loops[1], loops[2], loops[3], xs.ctypes.data, outs.ctypes.data, rows) != 0 \
            or fe_test(mask) != 0:
        fe_clear(mask)
        return False
    bad = False
    for i in range(rows):
        x = xs[i]
        fx = 1.0 / (1.0 + x * x)
        bad |= (fx - fx != 0.0) | (-2.2250738585072014e-308 < fx < 2.2250738585072014e-308 and 1.0 / x != 0.0 and (x + 1.0 / x) - (x + 1.0 / x) == 0.0)
        for k in range(n):
            q[i, k] = fx * px[i, k]
    return not bad


def d_arctan2_x_flat(xs, ys, outs, px, q):
    """``np.arctan2``, one direction: ``q = (where(y - y == 0.0, where(x * x + y * y > 1e+300, y * 2.409919865102884e-181 / (x * 2.409919865102884e-181 * (x * 2.409919865102884e-181) + y * 2.409919865102884e-181 * (y * 2.409919865102884e-181)) * 2.409919865102884e-181, where(x * x + y * y < 1e-200, y * 4.149515568880993e+180 / (x * 4.149515568880993e+180 * (x * 4.149515568880993e+180) + y * 4.149515568880993e+180 * (y * 4.149515568880993e+180)) * 4.149515568880993e+180, y / (x * x + y * y))), where(y == y, x - x, y))) * px``."""
    for i in range(q.shape[0]):
        x = xs[i]
        y = ys[i]
        fx = where(y - y == 0.0, where(x * x + y * y > 1e+300, y * 2.409919865102884e-181 / (x * 2.409919865102884e-181 * (x * 2.409919865102884e-181) + y * 2.409919865102884e-181 * (y * 2.409919865102884e-181)) * 2.409919865102884e-181, where(x * x + y * y < 1e-200, y * 4.149515568880993e+180 / (x * 4.149515568880993e+180 * (x * 4.149515568880993e+180) + y * 4.149515568880993e+180 * (y * 4.149515568880993e+180)) * 4.149515568880993e+180, y / (x * x + y * y))), where(y == y, x - x, y))
        t = fx * px[i]
        if not (fx - fx == 0.0 and not (-2.2250738585072014e-308 < fx < 2.2250738585072014e-308 and where(np.absolute(x) <= np.absolute(y), 1.0 / y, y / x) != 0.0 and (where(np.absolute(x) <= np.absolute(y), 1.0 + x / y * (x / y), x + y * (y / x))) - (where(np.absolute(x) <= np.absolute(y), 1.0 + x / y * (x / y), x + y * (y / x))) == 0.0)):
            t = (fx * px[i] if px[i] == 0.0 and fx - fx == 0.0 else (0.0 if px[i] == 0.0 else over(fx, where(np.absolute(x) <= np.absolute(y), 1.0 / y, y / x), where(np.absolute(x) <= np.absolute(y), 1.0 + x / y * (x / y), x + y * (y / x)), px[i])))
        q[i] = t


def d_arctan2_x(xs, ys, outs, px, q):
    """``np.arctan2``: ``q[i, :] = (where(y - y == 0.0, where(x * x + y * y > 1e+300, y * 2.409919865102884e-181 / (x * 2.409919865102884e-181 * (x * 2.409919865102884e-181) + y * 2.409919865102884e-181 * (y * 2.409919865102884e-181)) * 2.409919865102884e-181, where(x * x + y * y < 1e-200, y * 4.149515568880993e+180 / (x * 4.149515568880993e+180 * (x * 4.149515568880993e+180) + y * 4.149515568880993e+180 * (y * 4.149515568880993e+180)) * 4.149515568880993e+180, y / (x * x + y * y))), where(y == y, x - x, y))) * px``.

    Rows of 4 or 2 C-contiguous partials: the products over the flat arrays, then the
    zero rule on the rows whose local derivatives are not finite, if any (the
    generator's ``_SHORT``); other lengths and layouts: a loop over ``n`` per row."""
    rows, n = q.shape
    short = False
    bad = False
    if n == 4 and px.flags.c_contiguous and q.flags.c_contiguous:
        short = True
        pxf = px.ravel()
        qf = q.ravel()
        for i in range(rows):
            x = xs[i]
            y = ys[i]
            fx = where(y - y == 0.0, where(x * x + y * y > 1e+300, y * 2.409919865102884e-181 / (x * 2.409919865102884e-181 * (x * 2.409919865102884e-181) + y * 2.409919865102884e-181 * (y * 2.409919865102884e-181)) * 2.409919865102884e-181, where(x * x + y * y < 1e-200, y * 4.149515568880993e+180 / (x * 4.149515568880993e+180 * (x * 4.149515568880993e+180) + y * 4.149515568880993e+180 * (y * 4.149515568880993e+180)) * 4.149515568880993e+180, y / (x * x + y * y))), where(y == y, x - x, y))
            bad |= (fx - fx != 0.0) | (-2.2250738585072014e-308 < fx < 2.2250738585072014e-308 and where(np.absolute(x) <= np.absolute(y), 1.0 / y, y / x) != 0.0 and (where(np.absolute(x) <= np.absolute(y), 1.0 + x / y * (x / y), x + y * (y / x))) - (where(np.absolute(x) <= np.absolute(y), 1.0 + x / y * (x / y), x + y * (y / x))) == 0.0)
            for j in range(4 * i, 4 * i + 4):
                qf[j] = fx * pxf[j]
    if n == 2 and px.flags.c_contiguous and q.flags.c_contiguous:
        short = True
        pxf = px.ravel()
        qf = q.ravel()
        for i in range(rows):
            x = xs[i]
            y = ys[i]
            fx = where(y - y == 0.0, where(x * x + y * y > 1e+300, y * 2.409919865102884e-181 / (x * 2.409919865102884e-181 * (x * 2.409919865102884e-181) + y * 2.409919865102884e-181 * (y * 2.409919865102884e-181)) * 2.409919865102884e-181, where(x * x + y * y < 1e-200, y * 4.149515568880993e+180 / (x * 4.149515568880993e+180 * (x * 4.149515568880993e+180) + y * 4.149515568880993e+180 * (y * 4.149515568880993e+180)) * 4.149515568880993e+180, y / (x * x + y * y))), where(y == y, x - x, y))
            bad |= (fx - fx != 0.0) | (-2.2250738585072014e-308 < fx < 2.2250738585072014e-308 and where(np.absolute(x) <= np.absolute(y), 1.0 / y, y / x) != 0.0 and (where(np.absolute(x) <= np.absolute(y), 1.0 + x / y * (x / y), x + y * (y / x))) - (where(np.absolute(x) <= np.absolute(y), 1.0 + x / y * (x / y), x + y * (y / x))) == 0.0)
            for j in range(2 * i, 2 * i + 2):
                qf[j] = fx * pxf[j]
    if not short:
        d_arctan2_x_loop(xs, ys, outs, px, q)
    elif bad:
        for i in range(rows):
            x = xs[i]
            y = ys[i]
            fx = where(y - y == 0.0, where(x * x + y * y > 1e+300, y * 2.409919865102884e-181 / (x * 2.409919865102884e-181 * (x * 2.409919865102884e-181) + y * 2.409919865102884e-181 * (y * 2.409919865102884e-181)) * 2.409919865102884e-181, where(x * x + y * y < 1e-200, y * 4.149515568880993e+180 / (x * 4.149515568880993e+180 * (x * 4.149515568880993e+180) + y * 4.149515568880993e+180 * (y * 4.149515568880993e+180)) * 4.149515568880993e+180, y / (x * x + y * y))), where(y == y, x - x, y))
            if not (fx - fx == 0.0 and not (-2.2250738585072014e-308 < fx < 2.2250738585072014e-308 and where(np.absolute(x) <= np.absolute(y), 1.0 / y, y / x) != 0.0 and (where(np.absolute(x) <= np.absolute(y), 1.0 + x / y * (x / y), x + y * (y / x))) - (where(np.absolute(x) <= np.absolute(y), 1.0 + x / y * (x / y), x + y * (y / x))) == 0.0)):
                for k in range(n):
                    q[i, k] = (fx * px[i, k] if px[i, k] == 0.0 and fx - fx == 0.0 else (0.0 if px[i, k] == 0.0 else over(fx, where(np.absolute(x) <= np.absolute(y), 1.0 / y, y / x), where(np.absolute(x) <= np.absolute(y), 1.0 + x / y * (x / y), x + y * (y / x)), px[i, k])))


def d_arctan2_x_loop(xs, ys, outs, px, q):
    """``np.arctan2``'s rows kernel for other lengths and layouts: a loop over ``n`` per
    row, its own compiled function (in the kernel's body, after the flat loops, LLVM
    laid it out 1.06-1.18x slower at n = 3, 5, 8: stop 33 rows15)."""
    rows, n = q.shape
    for i in range(rows):
        x = xs[i]
        y = ys[i]
        fx = where(y - y == 0.0, where(x * x + y * y > 1e+300, y * 2.409919865102884e-181 / (x * 2.409919865102884e-181 * (x * 2.409919865102884e-181) + y * 2.409919865102884e-181 * (y * 2.409919865102884e-181)) * 2.409919865102884e-181, where(x * x + y * y < 1e-200, y * 4.149515568880993e+180 / (x * 4.149515568880993e+180 * (x * 4.149515568880993e+180) + y * 4.149515568880993e+180 * (y * 4.149515568880993e+180)) * 4.149515568880993e+180, y / (x * x + y * y))), where(y == y, x - x, y))
        if fx - fx == 0.0 and not (-2.2250738585072014e-308 < fx < 2.2250738585072014e-308 and where(np.absolute(x) <= np.absolute(y), 1.0 / y, y / x) != 0.0 and (where(np.absolute(x) <= np.absolute(y), 1.0 + x / y * (x / y), x + y * (y / x))) - (where(np.absolute(x) <= np.absolute(y), 1.0 + x / y * (x / y), x + y * (y / x))) == 0.0):
            for k in range(n):
                q[i, k] = fx * px[i, k]
        else:
            for k in range(n):
                q[i, k] = (fx * px[i, k] if px[i, k] == 0.0 and fx - fx == 0.0 else (0.0 if px[i, k] == 0.0 else over(fx, where(np.absolute(x) <= np.absolute(y), 1.0 / y, y / x), where(np.absolute(x) <= np.absolute(y), 1.0 + x / y * (x / y), x + y * (y / x)), px[i, k])))


def d_arctan2_y_flat(xs, ys, outs, py, q):
    """``np.arctan2``, one direction: ``q = (where(x - x == 0.0, where(x * x + y * y > 1e+300, -(x * 2.409919865102884e-181) / (x * 2.409919865102884e-181 * (x * 2.409919865102884e-181) + y * 2.409919865102884e-181 * (y * 2.409919865102884e-181)) * 2.409919865102884e-181, where(x * x + y * y < 1e-200, -(x * 4.149515568880993e+180) / (x * 4.149515568880993e+180 * (x * 4.149515568880993e+180) + y * 4.149515568880993e+180 * (y * 4.149515568880993e+180)) * 4.149515568880993e+180, -x / (x * x + y * y))), where(x == x, y - y, x))) * py``."""
    for i in range(q.shape[0]):
        x = xs[i]
        y = ys[i]
        fy = where(x - x == 0.0, where(x * x + y * y > 1e+300, -(x * 2.409919865102884e-181) / (x * 2.409919865102884e-181 * (x * 2.409919865102884e-181) + y * 2.409919865102884e-181 * (y * 2.409919865102884e-181)) * 2.409919865102884e-181, where(x * x + y * y < 1e-200, -(x * 4.149515568880993e+180) / (x * 4.149515568880993e+180 * (x * 4.149515568880993e+180) + y * 4.149515568880993e+180 * (y * 4.149515568880993e+180)) * 4.149515568880993e+180, -x / (x * x + y * y))), where(x == x, y - y, x))
        t = fy * py[i]
        if not (fy - fy == 0.0 and not (-2.2250738585072014e-308 < fy < 2.2250738585072014e-308 and where(np.absolute(y) <= np.absolute(x), -1.0 / x, -x / y) != 0.0 and (where(np.absolute(y) <= np.absolute(x), 1.0 + y / x * (y / x), y + x * (x / y))) - (where(np.absolute(y) <= np.absolute(x), 1.0 + y / x * (y / x), y + x * (x / y))) == 0.0)):
            t = (fy * py[i] if py[i] == 0.0 and fy - fy == 0.0 else (0.0 if py[i] == 0.0 else over(fy, where(np.absolute(y) <= np.absolute(x), -1.0 / x, -x / y), where(np.absolute(y) <= np.absolute(x), 1.0 + y / x * (y / x), y + x * (x / y)), py[i])))
        q[i] = t


def d_arctan2_y(xs, ys, outs, py, q):
    """``np.arctan2``: ``q[i, :] = (where(x - x == 0.0, where(x * x + y * y > 1e+300, -(x * 2.409919865102884e-181) / (x * 2.409919865102884e-181 * (x * 2.409919865102884e-181) + y * 2.409919865102884e-181 * (y * 2.409919865102884e-181)) * 2.409919865102884e-181, where(x * x + y * y < 1e-200, -(x * 4.149515568880993e+180) / (x * 4.149515568880993e+180 * (x * 4.149515568880993e+180) + y * 4.149515568880993e+180 * (y * 4.149515568880993e+180)) * 4.149515568880993e+180, -x / (x * x + y * y))), where(x == x, y - y, x))) * py``.

    Rows of 4 or 2 C-contiguous partials: the products over the flat arrays, then the
    zero rule on the rows whose local derivatives are not finite, if any (the
    generator's ``_SHORT``); other lengths and layouts: a loop over ``n`` per row."""
    rows, n = q.shape
    short = False
    bad = False
    if n == 4 and py.flags.c_contiguous and q.flags.c_contiguous:
        short = True
        pyf = py.ravel()
        qf = q.ravel()
        for i in range(rows):
            x = xs[i]
            y = ys[i]
            fy = where(x - x == 0.0, where(x * x + y * y > 1e+300, -(x * 2.409919865102884e-181) / (x * 2.409919865102884e-181 * (x * 2.409919865102884e-181) + y * 2.409919865102884e-181 * (y * 2.409919865102884e-181)) * 2.409919865102884e-181, where(x * x + y * y < 1e-200, -(x * 4.149515568880993e+180) / (x * 4.149515568880993e+180 * (x * 4.149515568880993e+180) + y * 4.149515568880993e+180 * (y * 4.149515568880993e+180)) * 4.149515568880993e+180, -x / (x * x + y * y))), where(x == x, y - y, x))
            bad |= (fy - fy != 0.0) | (-2.2250738585072014e-308 < fy < 2.2250738585072014e-308 and where(np.absolute(y) <= np.absolute(x), -1.0 / x, -x / y) != 0.0 and (where(np.absolute(y) <= np.absolute(x), 1.0 + y / x * (y / x), y + x * (x / y))) - (where(np.absolute(y) <= np.absolute(x), 1.0 + y / x * (y / x), y + x * (x / y))) == 0.0)
            for j in range(4 * i, 4 * i + 4):
                qf[j] = fy * pyf[j]
    if n == 2 and py.flags.c_contiguous and q.flags.c_contiguous:
        short = True
        pyf = py.ravel()
        qf = q.ravel()
        for i in range(rows):
            x = xs[i]
            y = ys[i]
            fy = where(x - x == 0.0, where(x * x + y * y > 1e+300, -(x * 2.409919865102884e-181) / (x * 2.409919865102884e-181 * (x * 2.409919865102884e-181) + y * 2.409919865102884e-181 * (y * 2.409919865102884e-181)) * 2.409919865102884e-181, where(x * x + y * y < 1e-200, -(x * 4.149515568880993e+180) / (x * 4.149515568880993e+180 * (x * 4.149515568880993e+180) + y * 4.149515568880993e+180 * (y * 4.149515568880993e+180)) * 4.149515568880993e+180, -x / (x * x + y * y))), where(x == x, y - y, x))
            bad |= (fy - fy != 0.0) | (-2.2250738585072014e-308 < fy < 2.2250738585072014e-308 and where(np.absolute(y) <= np.absolute(x), -1.0 / x, -x / y) != 0.0 and (where(np.absolute(y) <= np.absolute(x), 1.0 + y / x * (y / x), y + x * (x / y))) - (where(np.absolute(y) <= np.absolute(x), 1.0 + y / x * (y / x), y + x * (x / y))) == 0.0)
            for j in range(2 * i, 2 * i + 2):
                qf[j] = fy * pyf[j]
    if not short:
        d_arctan2_y_loop(xs, ys, outs, py, q)
    elif bad:
        for i in range(rows):
            x = xs[i]
            y = ys[i]
            fy = where(x - x == 0.0, where(x * x + y * y > 1e+300, -(x * 2.409919865102884e-181) / (x * 2.409919865102884e-181 * (x * 2.409919865102884e-181) + y * 2.409919865102884e-181 * (y * 2.409919865102884e-181)) * 2.409919865102884e-181, where(x * x + y * y < 1e-200, -(x * 4.149515568880993e+180) / (x * 4.149515568880993e+180 * (x * 4.149515568880993e+180) + y * 4.149515568880993e+180 * (y * 4.149515568880993e+180)) * 4.149515568880993e+180, -x / (x * x + y * y))), where(x == x, y - y, x))
            if not (fy - fy == 0.0 and not (-2.2250738585072014e-308 < fy < 2.2250738585072014e-308 and where(np.absolute(y) <= np.absolute(x), -1.0 / x, -x / y) != 0.0 and (where(np.absolute(y) <= np.absolute(x), 1.0 + y / x * (y / x), y + x * (x / y))) - (where(np.absolute(y) <= np.absolute(x), 1.0 + y / x * (y / x), y + x * (x / y))) == 0.0)):
                for k in range(n):
                    q[i, k] = (fy * py[i, k] if py[i, k] == 0.0 and fy - fy == 0.0 else (0.0 if py[i, k] == 0.0 else over(fy, where(np.absolute(y) <= np.absolute(x), -1.0 / x, -x / y), where(np.absolute(y) <= np.absolute(x), 1.0 + y / x * (y / x), y + x * (x / y)), py[i, k])))


def d_arctan2_y_loop(xs, ys, outs, py, q):
    """``np.arctan2``'s rows kernel for other lengths and layouts: a loop over ``n`` per
    row, its own compiled function (in the kernel's body, after the flat loops, LLVM
    laid it out 1.06-1.18x slower at n = 3, 5, 8: stop 33 rows15)."""
    rows, n = q.shape
    for i in range(rows):
        x = xs[i]
        y = ys[i]
        fy = where(x - x == 0.0, where(x * x + y * y > 1e+300, -(x * 2.409919865102884e-181) / (x * 2.409919865102884e-181 * (x * 2.409919865102884e-181) + y * 2.409919865102884e-181 * (y * 2.409919865102884e-181)) * 2.409919865102884e-181, where(x * x + y * y < 1e-200, -(x * 4.149515568880993e+180) / (x * 4.149515568880993e+180 * (x * 4.149515568880993e+180) + y * 4.149515568880993e+180 * (y * 4.149515568880993e+180)) * 4.149515568880993e+180, -x / (x * x + y * y))), where(x == x, y - y, x))
        if fy - fy == 0.0 and not (-2.2250738585072014e-308 < fy < 2.2250738585072014e-308 and where(np.absolute(y) <= np.absolute(x), -1.0 / x, -x / y) != 0.0 and (where(np.absolute(y) <= np.absolute(x), 1.0 + y / x * (y / x), y + x * (x / y))) - (where(np.absolute(y) <= np.absolute(x), 1.0 + y / x * (y / x), y + x * (x / y))) == 0.0):
            for k in range(n):
                q[i, k] = fy * py[i, k]
        else:
            for k in range(n):
                q[i, k] = (fy * py[i, k] if py[i, k] == 0.0 and fy - fy == 0.0 else (0.0 if py[i, k] == 0.0 else over(fy, where(np.absolute(y) <= np.absolute(x), -1.0 / x, -x / y), where(np.absolute(y) <= np.absolute(x), 1.0 + y / x * (y / x), y + x * (x / y)), py[i, k])))


def d_arctan2_xy_flat(xs, ys, outs, px, py, q):
    """``np.arctan2``, one direction: ``q = (where(y - y == 0.0, where(x * x + y * y > 1e+300, y * 2.409919865102884e-181 / (x * 2.409919865102884e-181 * (x * 2.409919865102884e-181) + y * 2.409919865102884e-181 * (y * 2.409919865102884e-181)) * 2.409919865102884e-181, where(x * x + y * y < 1e-200, y * 4.149515568880993e+180 / (x * 4.149515568880993e+180 * (x * 4.149515568880993e+180) + y * 4.149515568880993e+180 * (y * 4.149515568880993e+180)) * 4.149515568880993e+180, y / (x * x + y * y))), where(y == y, x - x, y))) * px + (where(x - x == 0.0, where(x * x + y * y > 1e+300, -(x * 2.409919865102884e-181) / (x * 2.409919865102884e-181 * (x * 2.409919865102884e-181) + y * 2.409919865102884e-181 * (y * 2.409919865102884e-181)) * 2.409919865102884e-181, where(x * x + y * y < 1e-200, -(x * 4.149515568880993e+180) / (x * 4.149515568880993e+180 * (x * 4.149515568880993e+180) + y * 4.149515568880993e+180 * (y * 4.149515568880993e+180)) * 4.149515568880993e+180, -x / (x * x + y * y))), where(x == x, y - y, x))) * py``."""
    for i in range(q.shape[0]):
        x = xs[i]
        y = ys[i]
        fx = where(y - y == 0.0, where(x * x + y * y > 1e+300, y * 2.409919865102884e-181 / (x * 2.409919865102884e-181 * (x * 2.409919865102884e-181) + y * 2.409919865102884e-181 * (y * 2.409919865102884e-181)) * 2.409919865102884e-181, where(x * x + y * y < 1e-200, y * 4.149515568880993e+180 / (x * 4.149515568880993e+180 * (x * 4.149515568880993e+180) + y * 4.149515568880993e+180 * (y * 4.149515568880993e+180)) * 4.149515568880993e+180, y / (x * x + y * y))), where(y == y, x - x, y))
        fy = where(x - x == 0.0, where(x * x + y * y > 1e+300, -(x * 2.409919865102884e-181) / (x * 2.409919865102884e-181 * (x * 2.409919865102884e-181) + y * 2.409919865102884e-181 * (y * 2.409919865102884e-181)) * 2.409919865102884e-181, where(x * x + y * y < 1e-200, -(x * 4.149515568880993e+180) / (x * 4.149515568880993e+180 * (x * 4.149515568880993e+180) + y * 4.149515568880993e+180 * (y * 4.149515568880993e+180)) * 4.149515568880993e+180, -x / (x * x + y * y))), where(x == x, y - y, x))
        t = fx * px[i] + fy * py[i]
        if not (fx - fx == 0.0 and not (-2.2250738585072014e-308 < fx < 2.2250738585072014e-308 and where(np.absolute(x) <= np.absolute(y), 1.0 / y, y / x) != 0.0 and (where(np.absolute(x) <= np.absolute(y), 1.0 + x / y * (x / y), x + y * (y / x))) - (where(np.absolute(x) <= np.absolute(y), 1.0 + x / y * (x / y), x + y * (y / x))) == 0.0) and fy - fy == 0.0 and not (-2.2250738585072014e-308 < fy < 2.2250738585072014e-308 and where(np.absolute(y) <= np.absolute(x), -1.0 / x, -x / y) != 0.0 and (where(np.absolute(y) <= np.absolute(x), 1.0 + y / x * (y / x), y + x * (x / y))) - (where(np.absolute(y) <= np.absolute(x), 1.0 + y / x * (y / x), y + x * (x / y))) == 0.0)):
            t = (fx * px[i] if px[i] == 0.0 and fx - fx == 0.0 and fy - fy == 0.0 else (0.0 if px[i] == 0.0 else over(fx, where(np.absolute(x) <= np.absolute(y), 1.0 / y, y / x), where(np.absolute(x) <= np.absolute(y), 1.0 + x / y * (x / y), x + y * (y / x)), px[i]))) + (fy * py[i] if py[i] == 0.0 and fx - fx == 0.0 and fy - fy == 0.0 else (0.0 if py[i] == 0.0 else over(fy, where(np.absolute(y) <= np.absolute(x), -1.0 / x, -x / y), where(np.absolute(y) <= np.absolute(x), 1.0 + y / x * (y / x), y + x * (x / y)), py[i])))
        q[i] = t


def d_arctan2_xy(xs, ys, outs, px, py, q):
    """``np.arctan2``: ``q[i, :] = (where(y - y == 0.0, where(x * x + y * y > 1e+300, y * 2.409919865102884e-181 / (x * 2.409919865102884e-181 * (x * 2.409919865102884e-181) + y * 2.409919865102884e-181 * (y * 2.409919865102884e-181)) * 2.409919865102884e-181, where(x * x + y * y < 1e-200, y * 4.149515568880993e+180 / (x * 4.149515568880993e+180 * (x * 4.149515568880993e+180) + y * 4.149515568880993e+180 * (y * 4.149515568880993e+180)) * 4.149515568880993e+180, y / (x * x + y * y))), where(y == y, x - x, y))) * px + (where(x - x == 0.0, where(x * x + y * y > 1e+300, -(x * 2.409919865102884e-181) / (x * 2.409919865102884e-181 * (x * 2.409919865102884e-181) + y * 2.409919865102884e-181 * (y * 2.409919865102884e-181)) * 2.409919865102884e-181, where(x * x + y * y < 1e-200, -(x * 4.149515568880993e+180) / (x * 4.149515568880993e+180 * (x * 4.149515568880993e+180) + y * 4.149515568880993e+180 * (y * 4.149515568880993e+180)) * 4.149515568880993e+180, -x / (x * x + y * y))), where(x == x, y - y, x))) * py``.

    Rows of 4 or 2 C-contiguous partials: the products over the flat arrays, then the
    zero rule on the rows whose local derivatives are not finite, if any (the
    generator's ``_SHORT``); other lengths and layouts: a loop over ``n`` per row."""
    rows, n = q.shape
    short = False
    bad = False
    if n == 4 and px.flags.c_contiguous and py.flags.c_contiguous and q.flags.c_contiguous:
        short = True
        pxf = px.ravel()
        pyf = py.ravel()
        qf = q.ravel()
        for i in range(rows):
            x = xs[i]
            y = ys[i]
            fx = where(y - y == 0.0, where(x * x + y * y > 1e+300, y * 2.409919865102884e-181 / (x * 2.409919865102884e-181 * (x * 2.409919865102884e-181) + y * 2.409919865102884e-181 * (y * 2.409919865102884e-181)) * 2.409919865102884e-181, where(x * x + y * y < 1e-200, y * 4.149515568880993e+180 / (x * 4.149515568880993e+180 * (x * 4.149515568880993e+180) + y * 4.149515568880993e+180 * (y * 4.149515568880993e+180)) * 4.149515568880993e+180, y / (x * x + y * y))), where(y == y, x - x, y))
            fy = where(x - x == 0.0, where(x * x + y * y > 1e+300, -(x * 2.409919865102884e-181) / (x * 2.409919865102884e-181 * (x * 2.409919865102884e-181) + y * 2.409919865102884e-181 * (y * 2.409919865102884e-181)) * 2.409919865102884e-181, where(x * x + y * y < 1e-200, -(x * 4.149515568880993e+180) / (x * 4.149515568880993e+180 * (x * 4.149515568880993e+180) + y * 4.149515568880993e+180 * (y * 4.149515568880993e+180)) * 4.149515568880993e+180, -x / (x * x + y * y))), where(x == x, y - y, x))
            bad |= (fx - fx != 0.0) | (-2.2250738585072014e-308 < fx < 2.2250738585072014e-308 and where(np.absolute(x) <= np.absolute(y), 1.0 / y, y / x) != 0.0 and (where(np.absolute(x) <= np.absolute(y), 1.0 + x / y * (x / y), x + y * (y / x))) - (where(np.absolute(x) <= np.absolute(y), 1.0 + x / y * (x / y), x + y * (y / x))) == 0.0) | (fy - fy != 0.0) | (-2.2250738585072014e-308 < fy < 2.2250738585072014e-308 and where(np.absolute(y) <= np.absolute(x), -1.0 / x, -x / y) != 0.0 and (where(np.absolute(y) <= np.absolute(x), 1.0 + y / x * (y / x), y + x * (x / y))) - (where(np.absolute(y) <= np.absolute(x), 1.0 + y / x * (y / x), y + x * (x / y))) == 0.0)
            for j in range(4 * i, 4 * i + 4):
                qf[j] = fx * pxf[j] + fy * pyf[j]
    if n == 2 and px.flags.c_contiguous and py.flags.c_contiguous and q.flags.c_contiguous:
        short = True
        pxf = px.ravel()
        pyf = py.ravel()
        qf = q.ravel()
        for i in range(rows):
            x = xs[i]
            y = ys[i]
            fx = where(y - y == 0.0, where(x * x + y * y > 1e+300, y * 2.409919865102884e-181 / (x * 2.409919865102884e-181 * (x * 2.409919865102884e-181) + y * 2.409919865102884e-181 * (y * 2.409919865102884e-181)) * 2.409919865102884e-181, where(x * x + y * y < 1e-200, y * 4.149515568880993e+180 / (x * 4.149515568880993e+180 * (x * 4.149515568880993e+180) + y * 4.149515568880993e+180 * (y * 4.149515568880993e+180)) * 4.149515568880993e+180, y / (x * x + y * y))), where(y == y, x - x, y))
            fy = where(x - x == 0.0, where(x * x + y * y > 1e+300, -(x * 2.409919865102884e-181) / (x * 2.409919865102884e-181 * (x * 2.409919865102884e-181) + y * 2.409919865102884e-181 * (y * 2.409919865102884e-181)) * 2.409919865102884e-181, where(x * x + y * y < 1e-200, -(x * 4.149515568880993e+180) / (x * 4.149515568880993e+180 * (x * 4.149515568880993e+180) + y * 4.149515568880993e+180 * (y * 4.149515568880993e+180)) * 4.149515568880993e+180, -x / (x * x + y * y))), where(x == x, y - y, x))
            bad |= (fx - fx != 0.0) | (-2.2250738585072014e-308 < fx < 2.2250738585072014e-308 and where(np.absolute(x) <= np.absolute(y), 1.0 / y, y / x) != 0.0 and (where(np.absolute(x) <= np.absolute(y), 1.0 + x / y * (x / y), x + y * (y / x))) - (where(np.absolute(x) <= np.absolute(y), 1.0 + x / y * (x / y), x + y * (y / x))) == 0.0) | (fy - fy != 0.0) | (-2.2250738585072014e-308 < fy < 2.2250738585072014e-308 and where(np.absolute(y) <= np.absolute(x), -1.0 / x, -x / y) != 0.0 and (where(np.absolute(y) <= np.absolute(x), 1.0 + y / x * (y / x), y + x * (x / y))) - (where(np.absolute(y) <= np.absolute(x), 1.0 + y / x * (y / x), y + x * (x / y))) == 0.0)
            for j in range(2 * i, 2 * i + 2):
                qf[j] = fx * pxf[j] + fy * pyf[j]
    if not short:
        d_arctan2_xy_loop(xs, ys, outs, px, py, q)
    elif bad:
        for i in range(rows):
            x = xs[i]
            y = ys[i]
            fx = where(y - y == 0.0, where(x * x + y * y > 1e+300, y * 2.409919865102884e-181 / (x * 2.409919865102884e-181 * (x * 2.409919865102884e-181) + y * 2.409919865102884e-181 * (y * 2.409919865102884e-181)) * 2.409919865102884e-181, where(x * x + y * y < 1e-200, y * 4.149515568880993e+180 / (x * 4.149515568880993e+180 * (x * 4.149515568880993e+180) + y * 4.149515568880993e+180 * (y * 4.149515568880993e+180)) * 4.149515568880993e+180, y / (x * x + y * y))), where(y == y, x - x, y))
            fy = where(x - x == 0.0, where(x * x + y * y > 1e+300, -(x * 2.409919865102884e-181) / (x * 2.409919865102884e-181 * (x * 2.409919865102884e-181) + y * 2.409919865102884e-181 * (y * 2.409919865102884e-181)) * 2.409919865102884e-181, where(x * x + y * y < 1e-200, -(x * 4.149515568880993e+180) / (x * 4.149515568880993e+180 * (x * 4.149515568880993e+180) + y * 4.149515568880993e+180 * (y * 4.149515568880993e+180)) * 4.149515568880993e+180, -x / (x * x + y * y))), where(x == x, y - y, x))
            if not (fx - fx == 0.0 and not (-2.2250738585072014e-308 < fx < 2.2250738585072014e-308 and where(np.absolute(x) <= np.absolute(y), 1.0 / y, y / x) != 0.0 and (where(np.absolute(x) <= np.absolute(y), 1.0 + x / y * (x / y), x + y * (y / x))) - (where(np.absolute(x) <= np.absolute(y), 1.0 + x / y * (x / y), x + y * (y / x))) == 0.0) and fy - fy == 0.0 and not (-2.2250738585072014e-308 < fy < 2.2250738585072014e-308 and where(np.absolute(y) <= np.absolute(x), -1.0 / x, -x / y) != 0.0 and (where(np.absolute(y) <= np.absolute(x), 1.0 + y / x * (y / x), y + x * (x / y))) - (where(np.absolute(y) <= np.absolute(x), 1.0 + y / x * (y / x), y + x * (x / y))) == 0.0)):
                for k in range(n):
                    q[i, k] = (fx * px[i, k] if px[i, k] == 0.0 and fx - fx == 0.0 and fy - fy == 0.0 else (0.0 if px[i, k] == 0.0 else over(fx, where(np.absolute(x) <= np.absolute(y), 1.0 / y, y / x), where(np.absolute(x) <= np.absolute(y), 1.0 + x / y * (x / y), x + y * (y / x)), px[i, k]))) + (fy * py[i, k] if py[i, k] == 0.0 and fx - fx == 0.0 and fy - fy == 0.0 else (0.0 if py[i, k] == 0.0 else over(fy, where(np.absolute(y) <= np.absolute(x), -1.0 / x, -x / y), where(np.absolute(y) <= np.absolute(x), 1.0 + y / x * (y / x), y + x * (x / y)), py[i, k])))


def d_arctan2_xy_loop(xs, ys, outs, px, py, q):
    """``np.arctan2``'s rows kernel for other lengths and layouts: a loop over ``n`` per
    row, its own compiled function (in the kernel's body, after the flat loops, LLVM
    laid it out 1.06-1.18x slower at n = 3, 5, 8: stop 33 rows15)."""
    rows, n = q.shape
    for i in range(rows):
        x = xs[i]
        y = ys[i]
        fx = where(y - y == 0.0, where(x * x + y * y > 1e+300, y * 2.409919865102884e-181 / (x * 2.409919865102884e-181 * (x * 2.409919865102884e-181) + y * 2.409919865102884e-181 * (y * 2.409919865102884e-181)) * 2.409919865102884e-181, where(x * x + y * y < 1e-200, y * 4.149515568880993e+180 / (x * 4.149515568880993e+180 * (x * 4.149515568880993e+180) + y * 4.149515568880993e+180 * (y * 4.149515568880993e+180)) * 4.149515568880993e+180, y / (x * x + y * y))), where(y == y, x - x, y))
        fy = where(x - x == 0.0, where(x * x + y * y > 1e+300, -(x * 2.409919865102884e-181) / (x * 2.409919865102884e-181 * (x * 2.409919865102884e-181) + y * 2.409919865102884e-181 * (y * 2.409919865102884e-181)) * 2.409919865102884e-181, where(x * x + y * y < 1e-200, -(x * 4.149515568880993e+180) / (x * 4.149515568880993e+180 * (x * 4.149515568880993e+180) + y * 4.149515568880993e+180 * (y * 4.149515568880993e+180)) * 4.149515568880993e+180, -x / (x * x + y * y))), where(x == x, y - y, x))
        if fx - fx == 0.0 and not (-2.2250738585072014e-308 < fx < 2.2250738585072014e-308 and where(np.absolute(x) <= np.absolute(y), 1.0 / y, y / x) != 0.0 and (where(np.absolute(x) <= np.absolute(y), 1.0 + x / y * (x / y), x + y * (y / x))) - (where(np.absolute(x) <= np.absolute(y), 1.0 + x / y * (x / y), x + y * (y / x))) == 0.0) and fy - fy == 0.0 and not (-2.2250738585072014e-308 < fy < 2.2250738585072014e-308 and where(np.absolute(y) <= np.absolute(x), -1.0 / x, -x / y) != 0.0 and (where(np.absolute(y) <= np.absolute(x), 1.0 + y / x * (y / x), y + x * (x / y))) - (where(np.absolute(y) <= np.absolute(x), 1.0 + y / x * (y / x), y + x * (x / y))) == 0.0):
            for k in range(n):
                q[i, k] = fx * px[i, k] + fy * py[i, k]
        else:
            for k in range(n):
                q[i, k] = (fx * px[i, k] if px[i, k] == 0.0 and fx - fx == 0.0 and fy - fy == 0.0 else (0.0 if px[i, k] == 0.0 else over(fx, where(np.absolute(x) <= np.absolute(y), 1.0 / y, y / x), where(np.absolute(x) <= np.absolute(y), 1.0 + x / y * (x / y), x + y * (y / x)), px[i, k]))) + (fy * py[i, k] if py[i, k] == 0.0 and fx - fx == 0.0 and fy - fy == 0.0 else (0.0 if py[i, k] == 0.0 else over(fy, where(np.absolute(y) <= np.absolute(x), -1.0 / x, -x / y), where(np.absolute(y) <= np.absolute(x), 1.0 + y / x * (y / x), y + x * (x / y)), py[i, k])))


def d_arctan2_xy_small(xs, ys, outs, px, py, q):
    """``np.arctan2``, small arrays: ``q[i, :] = (where(y - y == 0.0, where(x * x + y * y > 1e+300, y * 2.409919865102884e-181 / (x * 2.409919865102884e-181 * (x * 2.409919865102884e-181) + y * 2.409919865102884e-181 * (y * 2.409919865102884e-181)) * 2.409919865102884e-181, where(x * x + y * y < 1e-200, y * 4.149515568880993e+180 / (x * 4.149515568880993e+180 * (x * 4.149515568880993e+180) + y * 4.149515568880993e+180 * (y * 4.149515568880993e+180)) * 4.149515568880993e+180, y / (x * x + y * y))), where(y == y, x - x, y))) * px + (where(x - x == 0.0, where(x * x + y * y > 1e+300, -(x * 2.409919865102884e-181) / (x * 2.409919865102884e-181 * (x * 2.409919865102884e-181) + y * 2.409919865102884e-181 * (y * 2.409919865102884e-181)) * 2.409919865102884e-181, where(x * x + y * y < 1e-200, -(x * 4.149515568880993e+180) / (x * 4.149515568880993e+180 * (x * 4.149515568880993e+180) + y * 4.149515568880993e+180 * (y * 4.149515568880993e+180)) * 4.149515568880993e+180, -x / (x * x + y * y))), where(x == x, y - y, x))) * py``; False where a local
    derivative is not finite (``q`` then written, as the plain products)."""
    rows, n = q.shape
    if n == 4 and px.flags.c_contiguous and py.flags.c_contiguous and q.flags.c_contiguous:
        pxf = px.ravel()
        pyf = py.ravel()
        qf = q.ravel()
        bad = False
        for i in range(rows):
            x = xs[i]
            y = ys[i]
            fx = where(y - y == 0.0, where(x * x + y * y > 1e+300, y * 2.409919865102884e-181 / (x * 2.409919865102884e-181 * (x * 2.409919865102884e-181) + y * 2.409919865102884e-181 * (y * 2.409919865102884e-181)) * 2.409919865102884e-181, where(x * x + y * y < 1e-200, y * 4.149515568880993e+180 / (x * 4.149515568880993e+180 * (x * 4.149515568880993e+180) + y * 4.149515568880993e+180 * (y * 4.149515568880993e+180)) * 4.149515568880993e+180, y / (x * x + y * y))), where(y == y, x - x, y))
            fy = where(x - x == 0.0, where(x * x + y * y > 1e+300, -(x * 2.409919865102884e-181) / (x * 2.409919865102884e-181 * (x * 2.409919865102884e-181) + y * 2.409919865102884e-181 * (y * 2.409919865102884e-181)) * 2.409919865102884e-181, where(x * x + y * y < 1e-200, -(x * 4.149515568880993e+180) / (x * 4.149515568880993e+180 * (x * 4.149515568880993e+180) + y * 4.149515568880993e+180 * (y * 4.149515568880993e+180)) * 4.149515568880993e+180, -x / (x * x + y * y))), where(x == x, y - y, x))
            bad |= (fx - fx != 0.0) | (-2.2250738585072014e-308 < fx < 2.2250738585072014e-308 and where(np.absolute(x) <= np.absolute(y), 1.0 / y, y / x) != 0.0 and (where(np.absolute(x) <= np.absolute(y), 1.0 + x / y * (x / y), x + y * (y / x))) - (where(np.absolute(x) <= np.absolute(y), 1.0 + x / y * (x / y), x + y * (y / x))) == 0.0) | (fy - fy != 0.0) | (-2.2250738585072014e-308 < fy < 2.2250738585072014e-308 and where(np.absolute(y) <= np.absolute(x), -1.0 / x, -x / y) != 0.0 and (where(np.absolute(y) <= np.absolute(x), 1.0 + y / x * (y / x), y + x * (x / y))) - (where(np.absolute(y) <= np.absolute(x), 1.0 + y / x * (y / x), y + x * (x / y))) == 0.0)
            for j in range(4 * i, 4 * i + 4):
                qf[j] = fx * pxf[j] + fy * pyf[j]
        return not bad
    if n == 2 and px.flags.c_contiguous and py.flags.c_contiguous and q.flags.c_contiguous:
        pxf = px.ravel()
        pyf = py.ravel()
        qf = q.ravel()
        bad = False
        for i in range(rows):
            x = xs[i]
            y = ys[i]
            fx = where(y - y == 0.0, where(x * x + y * y > 1e+300, y * 2.409919865102884e-181 / (x * 2.409919865102884e-181 * (x * 2.409919865102884e-181) + y * 2.409919865102884e-181 * (y * 2.409919865102884e-181)) * 2.409919865102884e-181, where(x * x + y * y < 1e-200, y * 4.149515568880993e+180 / (x * 4.149515568880993e+180 * (x * 4.149515568880993e+180) + y * 4.149515568880993e+180 * (y * 4.149515568880993e+180)) * 4.149515568880993e+180, y / (x * x + y * y))), where(y == y, x - x, y))
            fy = where(x - x == 0.0, where(x * x + y * y > 1e+300, -(x * 2.409919865102884e-181) / (x * 2.409919865102884e-181 * (x * 2.409919865102884e-181) + y * 2.409919865102884e-181 * (y * 2.409919865102884e-181)) * 2.409919865102884e-181, where(x * x + y * y < 1e-200, -(x * 4.149515568880993e+180) / (x * 4.149515568880993e+180 * (x * 4.149515568880993e+180) + y * 4.149515568880993e+180 * (y * 4.149515568880993e+180)) * 4.149515568880993e+180, -x / (x * x + y * y))), where(x == x, y - y, x))
            bad |= (fx - fx != 0.0) | (-2.2250738585072014e-308 < fx < 2.2250738585072014e-308 and where(np.absolute(x) <= np.absolute(y), 1.0 / y, y / x) != 0.0 and (where(np.absolute(x) <= np.absolute(y), 1.0 + x / y * (x / y), x + y * (y / x))) - (where(np.absolute(x) <= np.absolute(y), 1.0 + x / y * (x / y), x + y * (y / x))) == 0.0) | (fy - fy != 0.0) | (-2.2250738585072014e-308 < fy < 2.2250738585072014e-308 and where(np.absolute(y) <= np.absolute(x), -1.0 / x, -x / y) != 0.0 and (where(np.absolute(y) <= np.absolute(x), 1.0 + y / x * (y / x), y + x * (x / y))) - (where(np.absolute(y) <= np.absolute(x), 1.0 + y / x * (y / x), y + x * (x / y))) == 0.0)
            for j in range(2 * i, 2 * i + 2):
                qf[j] = fx * pxf[j] + fy * pyf[j]
        return not bad
    bad = False
    for i in range(rows):
        x = xs[i]
        y = ys[i]
        fx = where(y - y == 0.0, where(x * x + y * y > 1e+300, y * 2.409919865102884e-181 / (x * 2.409919865102884e-181 * (x * 2.409919865102884e-181) + y * 2.409919865102884e-181 * (y * 2.409919865102884e-181)) * 2.409919865102884e-181, where(x * x + y * y < 1e-200, y * 4.149515568880993e+180 / (x * 4.149515568880993e+180 * (x * 4.149515568880993e+180) + y * 4.149515568880993e+180 * (y * 4.149515568880993e+180)) * 4.149515568880993e+180, y / (x * x + y * y))), where(y == y, x - x, y))
        fy = where(x - x == 0.0, where(x * x + y * y > 1e+300, -(x * 2.409919865102884e-181) / (x * 2.409919865102884e-181 * (x * 2.409919865102884e-181) + y * 2.409919865102884e-181 * (y * 2.409919865102884e-181)) * 2.409919865102884e-181, where(x * x + y * y < 1e-200, -(x * 4.149515568880993e+180) / (x * 4.149515568880993e+180 * (x * 4.149515568880993e+180) + y * 4.149515568880993e+180 * (y * 4.149515568880993e+180)) * 4.149515568880993e+180, -x / (x * x + y * y))), where(x == x, y - y, x))
        bad |= (fx - fx != 0.0) | (-2.2250738585072014e-308 < fx < 2.2250738585072014e-308 and where(np.absolute(x) <= np.absolute(y), 1.0 / y, y / x) != 0.0 and (where(np.absolute(x) <= np.absolute(y), 1.0 + x / y * (x / y), x + y * (y / x))) - (where(np.absolute(x) <= np.absolute(y), 1.0 + x / y * (x / y), x + y * (y / x))) == 0.0) | (fy - fy != 0.0) | (-2.2250738585072014e-308 < fy < 2.2250738585072014e-308 and where(np.absolute(y) <= np.absolute(x), -1.0 / x, -x / y) != 0.0 and (where(np.absolute(y) <= np.absolute(x), 1.0 + y / x * (y / x), y + x * (x / y))) - (where(np.absolute(y) <= np.absolute(x), 1.0 + y / x * (y / x), y + x * (x / y))) == 0.0)
        for k in range(n):
            q[i, k] = fx * px[i, k] + fy * py[i, k]
    return not bad


def d_arctan2_xy_entry(xs, ys, outs, px, py, q):
    """``np.arctan2``, small 1-D values of any layout: ``q[i, :] = (where(y - y == 0.0, where(x * x + y * y > 1e+300, y * 2.409919865102884e-181 / (x * 2.409919865102884e-181 * (x * 2.409919865102884e-181) + y * 2.409919865102884e-181 * (y * 2.409919865102884e-181)) * 2.409919865102884e-181, where(x * x + y * y < 1e-200, y * 4.149515568880993e+180 / (x * 4.149515568880993e+180 * (x * 4.149515568880993e+180) + y * 4.149515568880993e+180 * (y * 4.149515568880993e+180)) * 4.149515568880993e+180, y / (x * x + y * y))), where(y == y, x - x, y))) * px + (where(x - x == 0.0, where(x * x + y * y > 1e+300, -(x * 2.409919865102884e-181) / (x * 2.409919865102884e-181 * (x * 2.409919865102884e-181) + y * 2.409919865102884e-181 * (y * 2.409919865102884e-181)) * 2.409919865102884e-181, where(x * x + y * y < 1e-200, -(x * 4.149515568880993e+180) / (x * 4.149515568880993e+180 * (x * 4.149515568880993e+180) + y * 4.149515568880993e+180 * (y * 4.149515568880993e+180)) * 4.149515568880993e+180, -x / (x * x + y * y))), where(x == x, y - y, x))) * py``; False for
    operands of other lengths and where a local derivative is not finite."""
    rows, n = q.shape
    if xs.shape[0] != rows or ys.shape[0] != rows or outs.shape[0] != rows or px.shape[0] != rows or px.shape[1] != n or py.shape[0] != rows or py.shape[1] != n:
        return False
    bad = False
    for i in range(rows):
        x = xs[i]
        y = ys[i]
        fx = where(y - y == 0.0, where(x * x + y * y > 1e+300, y * 2.409919865102884e-181 / (x * 2.409919865102884e-181 * (x * 2.409919865102884e-181) + y * 2.409919865102884e-181 * (y * 2.409919865102884e-181)) * 2.409919865102884e-181, where(x * x + y * y < 1e-200, y * 4.149515568880993e+180 / (x * 4.149515568880993e+180 * (x * 4.149515568880993e+180) + y * 4.149515568880993e+180 * (y * 4.149515568880993e+180)) * 4.149515568880993e+180, y / (x * x + y * y))), where(y == y, x - x, y))
        fy = where(x - x == 0.0, where(x * x + y * y > 1e+300, -(x * 2.409919865102884e-181) / (x * 2.409919865102884e-181 * (x * 2.409919865102884e-181) + y * 2.409919865102884e-181 * (y * 2.409919865102884e-181)) * 2.409919865102884e-181, where(x * x + y * y < 1e-200, -(x * 4.149515568880993e+180) / (x * 4.149515568880993e+180 * (x * 4.149515568880993e+180) + y * 4.149515568880993e+180 * (y * 4.149515568880993e+180)) * 4.149515568880993e+180, -x / (x * x + y * y))), where(x == x, y - y, x))
        bad |= (fx - fx != 0.0) | (-2.2250738585072014e-308 < fx < 2.2250738585072014e-308 and where(np.absolute(x) <= np.absolute(y), 1.0 / y, y / x) != 0.0 and (where(np.absolute(x) <= np.absolute(y), 1.0 + x / y * (x / y), x + y * (y / x))) - (where(np.absolute(x) <= np.absolute(y), 1.0 + x / y * (x / y), x + y * (y / x))) == 0.0) | (fy - fy != 0.0) | (-2.2250738585072014e-308 < fy < 2.2250738585072014e-308 and where(np.absolute(y) <= np.absolute(x), -1.0 / x, -x / y) != 0.0 and (where(np.absolute(y) <= np.absolute(x), 1.0 + y / x * (y / x), y + x * (x / y))) - (where(np.absolute(y) <= np.absolute(x), 1.0 + y / x * (y / x), y + x * (x / y))) == 0.0)
        for k in range(n):
            q[i, k] = fx * px[i, k] + fy * py[i, k]
    return not bad


def d_hypot_x_flat(xs, ys, outs, px, q):
    """``np.hypot``, one direction: ``q = (where(out == 0.0, 0.0, where(np.absolute(y) <= np.absolute(x), sign(x) / np.sqrt(1.0 + y / x * (y / x)), x / out))) * px``."""
    for i in range(q.shape[0]):
        x = xs[i]
        y = ys[i]
        out = outs[i]
        fx = where(out == 0.0, 0.0, where(np.absolute(y) <= np.absolute(x), sign(x) / np.sqrt(1.0 + y / x * (y / x)), x / out))
        t = fx * px[i]
        if not (fx - fx == 0.0):
            t = (0.0 if px[i] == 0.0 else fx * px[i])
        q[i] = t


def d_hypot_x(xs, ys, outs, px, q):
    """``np.hypot``: ``q[i, :] = (where(out == 0.0, 0.0, where(np.absolute(y) <= np.absolute(x), sign(x) / np.sqrt(1.0 + y / x * (y / x)), x / out))) * px``.

    Rows of 4 or 2 C-contiguous partials: the products over the flat arrays, then the
    zero rule on the rows whose local derivatives are not finite, if any (the
    generator's ``_SHORT``); other lengths and layouts: a loop over ``n`` per row."""
    rows, n = q.shape
    short = False
    bad = False
    if n == 4 and px.flags.c_contiguous and q.flags.c_contiguous:
        short = True
        pxf = px.ravel()
        qf = q.ravel()
        for i in range(rows):
            x = xs[i]
            y = ys[i]
            out = outs[i]
            fx = where(out == 0.0, 0.0, where(np.absolute(y) <= np.absolute(x), sign(x) / np.sqrt(1.0 + y / x * (y / x)), x / out))
            bad |= (fx - fx != 0.0)
            for j in range(4 * i, 4 * i + 4):
                qf[j] = fx * pxf[j]
    if n == 2 and px.flags.c_contiguous and q.flags.c_contiguous:
        short = True
        pxf = px.ravel()
        qf = q.ravel()
        for i in range(rows):
            x = xs[i]
            y = ys[i]
            out = outs[i]
            fx = where(out == 0.0, 0.0, where(np.absolute(y) <= np.absolute(x), sign(x) / np.sqrt(1.0 + y / x * (y / x)), x / out))
            bad |= (fx - fx != 0.0)
            for j in range(2 * i, 2 * i + 2):
                qf[j] = fx * pxf[j]
    if not short:
        d_hypot_x_loop(xs, ys, outs, px, q)
    elif bad:
        for i in range(rows):
            x = xs[i]
            y = ys[i]
            out = outs[i]
            fx = where(out == 0.0, 0.0, where(np.absolute(y) <= np.absolute(x), sign(x) / np.sqrt(1.0 + y / x * (y / x)), x / out))
            if not (fx - fx == 0.0):
                for k in range(n):
                    q[i, k] = (0.0 if px[i, k] == 0.0 else fx * px[i, k])


def d_hypot_x_loop(xs, ys, outs, px, q):
    """``np.hypot``'s rows kernel for other lengths and layouts: a loop over ``n`` per
    row, its own compiled function (in the kernel's body, after the flat loops, LLVM
    laid it out 1.06-1.18x slower at n = 3, 5, 8: stop 33 rows15)."""
    rows, n = q.shape
    for i in range(rows):
        x = xs[i]
        y = ys[i]
        out = outs[i]
        fx = where(out == 0.0, 0.0, where(np.absolute(y) <= np.absolute(x), sign(x) / np.sqrt(1.0 + y / x * (y / x)), x / out))
        if fx - fx == 0.0:
            for k in range(n):
                q[i, k] = fx * px[i, k]
        else:
            for k in range(n):
                q[i, k] = (0.0 if px[i, k] == 0.0 else fx * px[i, k])


def d_hypot_y_flat(xs, ys, outs, py, q):
    """``np.hypot``, one direction: ``q = (where(out == 0.0, 0.0, where(np.absolute(x) <= np.absolute(y), sign(y) / np.sqrt(1.0 + x / y * (x / y)), y / out))) * py``."""
    for i in range(q.shape[0]):
        x = xs[i]
        y = ys[i]
        out = outs[i]
        fy = where(out == 0.0, 0.0, where(np.absolute(x) <= np.absolute(y), sign(y) / np.sqrt(1.0 + x / y * (x / y)), y / out))
        t = fy * py[i]
        if not (fy - fy == 0.0):
            t = (0.0 if py[i] == 0.0 else fy * py[i])
        q[i] = t


def d_hypot_y(xs, ys, outs, py, q):
    """``np.hypot``: ``q[i, :] = (where(out == 0.0, 0.0, where(np.absolute(x) <= np.absolute(y), sign(y) / np.sqrt(1.0 + x / y * (x / y)), y / out))) * py``.

    Rows of 4 or 2 C-contiguous partials: the products over the flat arrays, then the
    zero rule on the rows whose local derivatives are not finite, if any (the
    generator's ``_SHORT``); other lengths and layouts: a loop over ``n`` per row."""
    rows, n = q.shape
    short = False
    bad = False
    if n == 4 and py.flags.c_contiguous and q.flags.c_contiguous:
        short = True
        pyf = py.ravel()
        qf = q.ravel()
        for i in range(rows):
            x = xs[i]
            y = ys[i]
            out = outs[i]
            fy = where(out == 0.0, 0.0, where(np.absolute(x) <= np.absolute(y), sign(y) / np.sqrt(1.0 + x / y * (x / y)), y / out))
            bad |= (fy - fy != 0.0)
            for j in range(4 * i, 4 * i + 4):
                qf[j] = fy * pyf[j]
    if n == 2 and py.flags.c_contiguous and q.flags.c_contiguous:
        short = True
        pyf = py.ravel()
        qf = q.ravel()
        for i in range(rows):
            x = xs[i]
            y = ys[i]
            out = outs[i]
            fy = where(out == 0.0, 0.0, where(np.absolute(x) <= np.absolute(y), sign(y) / np.sqrt(1.0 + x / y * (x / y)), y / out))
            bad |= (fy - fy != 0.0)
            for j in range(2 * i, 2 * i + 2):
                qf[j] = fy * pyf[j]
    if not short:
        d_hypot_y_loop(xs, ys, outs, py, q)
    elif bad:
        for i in range(rows):
            x = xs[i]
            y = ys[i]
            out = outs[i]
            fy = where(out == 0.0, 0.0, where(np.absolute(x) <= np.absolute(y), sign(y) / np.sqrt(1.0 + x / y * (x / y)), y / out))
            if not (fy - fy == 0.0):
                for k in range(n):
                    q[i, k] = (0.0 if py[i, k] == 0.0 else fy * py[i, k])


def d_hypot_y_loop(xs, ys, outs, py, q):
    """``np.hypot``'s rows kernel for other lengths and layouts: a loop over ``n`` per
    row, its own compiled function (in the kernel's body, after the flat loops, LLVM
    laid it out 1.06-1.18x slower at n = 3, 5, 8: stop 33 rows15)."""
    rows, n = q.shape
    for i in range(rows):
        x = xs[i]
        y = ys[i]
        out = outs[i]
        fy = where(out == 0.0, 0.0, where(np.absolute(x) <= np.absolute(y), sign(y) / np.sqrt(1.0 + x / y * (x / y)), y / out))
        if fy - fy == 0.0:
            for k in range(n):
                q[i, k] = fy * py[i, k]
        else:
            for k in range(n):
                q[i, k] = (0.0 if py[i, k] == 0.0 else fy * py[i, k])


def d_hypot_xy_flat(xs, ys, outs, px, py, q):
    """``np.hypot``, one direction: ``q = (where(out == 0.0, 0.0, where(np.absolute(y) <= np.absolute(x), sign(x) / np.sqrt(1.0 + y / x * (y / x)), x / out))) * px + (where(out == 0.0, 0.0, where(np.absolute(x) <= np.absolute(y), sign(y) / np.sqrt(1.0 + x / y * (x / y)), y / out))) * py``."""
    for i in range(q.shape[0]):
        x = xs[i]
        y = ys[i]
        out = outs[i]
        fx = where(out == 0.0, 0.0, where(np.absolute(y) <= np.absolute(x), sign(x) / np.sqrt(1.0 + y / x * (y / x)), x / out))
        fy = where(out == 0.0, 0.0, where(np.absolute(x) <= np.absolute(y), sign(y) / np.sqrt(1.0 + x / y * (x / y)), y / out))
        t = fx * px[i] + fy * py[i]
        if not (fx - fx == 0.0 and fy - fy == 0.0):
            t = (0.0 if px[i] == 0.0 else fx * px[i]) + (0.0 if py[i] == 0.0 else fy * py[i])
        q[i] = t


def d_hypot_xy(xs, ys, outs, px, py, q):
    """``np.hypot``: ``q[i, :] = (where(out == 0.0, 0.0, where(np.absolute(y) <= np.absolute(x), sign(x) / np.sqrt(1.0 + y / x * (y / x)), x / out))) * px + (where(out == 0.0, 0.0, where(np.absolute(x) <= np.absolute(y), sign(y) / np.sqrt(1.0 + x / y * (x / y)), y / out))) * py``.

    Rows of 4 or 2 C-contiguous partials: the products over the flat arrays, then the
    zero rule on the rows whose local derivatives are not finite, if any (the
    generator's ``_SHORT``); other lengths and layouts: a loop over ``n`` per row."""
    rows, n = q.shape
    short = False
    bad = False
    if n == 4 and px.flags.c_contiguous and py.flags.c_contiguous and q.flags.c_contiguous:
        short = True
        pxf = px.ravel()
        pyf = py.ravel()
        qf = q.ravel()
        for i in range(rows):
            x = xs[i]
            y = ys[i]
            out = outs[i]
            fx = where(out == 0.0, 0.0, where(np.absolute(y) <= np.absolute(x), sign(x) / np.sqrt(1.0 + y / x * (y / x)), x / out))
            fy = where(out == 0.0, 0.0, where(np.absolute(x) <= np.absolute(y), sign(y) / np.sqrt(1.0 + x / y * (x / y)), y / out))
            bad |= (fx - fx != 0.0) | (fy - fy != 0.0)
            for j in range(4 * i, 4 * i + 4):
                qf[j] = fx * pxf[j] + fy * pyf[j]
    if n == 2 and px.flags.c_contiguous and py.flags.c_contiguous and q.flags.c_contiguous:
        short = True
        pxf = px.ravel()
        pyf = py.ravel()
        qf = q.ravel()
        for i in range(rows):
            x = xs[i]
            y = ys[i]
            out = outs[i]
            fx = where(out == 0.0, 0.0, where(np.absolute(y) <= np.absolute(x), sign(x) / np.sqrt(1.0 + y / x * (y / x)), x / out))
            fy = where(out == 0.0, 0.0, where(np.absolute(x) <= np.absolute(y), sign(y) / np.sqrt(1.0 + x / y * (x / y)), y / out))
            bad |= (fx - fx != 0.0) | (fy - fy != 0.0)
            for j in range(2 * i, 2 * i + 2):
                qf[j] = fx * pxf[j] + fy * pyf[j]
    if not short:
        d_hypot_xy_loop(xs, ys, outs, px, py, q)
    elif bad:
        for i in range(rows):
            x = xs[i]
            y = ys[i]
            out = outs[i]
            fx = where(out == 0.0, 0.0, where(np.absolute(y) <= np.absolute(x), sign(x) / np.sqrt(1.0 + y / x * (y / x)), x / out))
            fy = where(out == 0.0, 0.0, where(np.absolute(x) <= np.absolute(y), sign(y) / np.sqrt(1.0 + x / y * (x / y)), y / out))
            if not (fx - fx == 0.0 and fy - fy == 0.0):
                for k in range(n):
                    q[i, k] = (0.0 if px[i, k] == 0.0 else fx * px[i, k]) + (0.0 if py[i, k] == 0.0 else fy * py[i, k])


def d_hypot_xy_loop(xs, ys, outs, px, py, q):
    """``np.hypot``'s rows kernel for other lengths and layouts: a loop over ``n`` per
    row, its own compiled function (in the kernel's body, after the flat loops, LLVM
    laid it out 1.06-1.18x slower at n = 3, 5, 8: stop 33 rows15)."""
    rows, n = q.shape
    for i in range(rows):
        x = xs[i]
        y = ys[i]
        out = outs[i]
        fx = where(out == 0.0, 0.0, where(np.absolute(y) <= np.absolute(x), sign(x) / np.sqrt(1.0 + y / x * (y / x)), x / out))
        fy = where(out == 0.0, 0.0, where(np.absolute(x) <= np.absolute(y), sign(y) / np.sqrt(1.0 + x / y * (x / y)), y / out))
        if fx - fx == 0.0 and fy - fy == 0.0:
            for k in range(n):
                q[i, k] = fx * px[i, k] + fy * py[i, k]
        else:
            for k in range(n):
                q[i, k] = (0.0 if px[i, k] == 0.0 else fx * px[i, k]) + (0.0 if py[i, k] == 0.0 else fy * py[i, k])


def d_hypot_xy_small(xs, ys, outs, px, py, q):
    """``np.hypot``, small arrays: ``q[i, :] = (where(out == 0.0, 0.0, where(np.absolute(y) <= np.absolute(x), sign(x) / np.sqrt(1.0 + y / x * (y / x)), x / out))) * px + (where(out == 0.0, 0.0, where(np.absolute(x) <= np.absolute(y), sign(y) / np.sqrt(1.0 + x / y * (x / y)), y / out))) * py``; False where a local
    derivative is not finite (``q`` then written, as the plain products)."""
    rows, n = q.shape
    if n == 4 and px.flags.c_contiguous and py.flags.c_contiguous and q.flags.c_contiguous:
        pxf = px.ravel()
        pyf = py.ravel()
        qf = q.ravel()
        bad = False
        for i in range(rows):
            x = xs[i]
            y = ys[i]
            out = outs[i]
            fx = where(out == 0.0, 0.0, where(np.absolute(y) <= np.absolute(x), sign(x) / np.sqrt(1.0 + y / x * (y / x)), x / out))
            fy = where(out == 0.0, 0.0, where(np.absolute(x) <= np.absolute(y), sign(y) / np.sqrt(1.0 + x / y * (x / y)), y / out))
            bad |= (fx - fx != 0.0) | (fy - fy != 0.0)
            for j in range(4 * i, 4 * i + 4):
                qf[j] = fx * pxf[j] + fy * pyf[j]
        return not bad
    if n == 2 and px.flags.c_contiguous and py.flags.c_contiguous and q.flags.c_contiguous:
        pxf = px.ravel()
        pyf = py.ravel()
        qf = q.ravel()
        bad = False
        for i in range(rows):
            x = xs[i]
            y = ys[i]
            out = outs[i]
            fx = where(out == 0.0, 0.0, where(np.absolute(y) <= np.absolute(x), sign(x) / np.sqrt(1.0 + y / x * (y / x)), x / out))
            fy = where(out == 0.0, 0.0, where(np.absolute(x) <= np.absolute(y), sign(y) / np.sqrt(1.0 + x / y * (x / y)), y / out))
            bad |= (fx - fx != 0.0) | (fy - fy != 0.0)
            for j in range(2 * i, 2 * i + 2):
                qf[j] = fx * pxf[j] + fy * pyf[j]
        return not bad
    bad = False
    for i in range(rows):
        x = xs[i]
        y = ys[i]
        out = outs[i]
        fx = where(out == 0.0, 0.0, where(np.absolute(y) <= np.absolute(x), sign(x) / np.sqrt(1.0 + y / x * (y / x)), x / out))
        fy = where(out == 0.0, 0.0, where(np.absolute(x) <= np.absolute(y), sign(y) / np.sqrt(1.0 + x / y * (x / y)), y / out))
        bad |= (fx - fx != 0.0) | (fy - fy != 0.0)
        for k in range(n):
            q[i, k] = fx * px[i, k] + fy * py[i, k]
    return not bad


def d_hypot_xy_entry(xs, ys, outs, px, py, q):
    """``np.hypot``, small 1-D values of any layout: ``q[i, :] = (where(out == 0.0, 0.0, where(np.absolute(y) <= np.absolute(x), sign(x) / np.sqrt(1.0 + y / x * (y / x)), x / out))) * px + (where(out == 0.0, 0.0, where(np.absolute(x) <= np.absolute(y), sign(y) / np.sqrt(1.0 + x / y * (x / y)), y / out))) * py``; False for
    operands of other lengths and where a local derivative is not finite."""
    rows, n = q.shape
    if xs.shape[0] != rows or ys.shape[0] != rows or outs.shape[0] != rows or px.shape[0] != rows or px.shape[1] != n or py.shape[0] != rows or py.shape[1] != n:
        return False
    bad = False
    for i in range(rows):
        x = xs[i]
        y = ys[i]
        out = outs[i]
        fx = where(out == 0.0, 0.0, where(np.absolute(y) <= np.absolute(x), sign(x) / np.sqrt(1.0 + y / x * (y / x)), x / out))
        fy = where(out == 0.0, 0.0, where(np.absolute(x) <= np.absolute(y), sign(y) / np.sqrt(1.0 + x / y * (x / y)), y / out))
        bad |= (fx - fx != 0.0) | (fy - fy != 0.0)
        for k in range(n):
            q[i, k] = fx * px[i, k] + fy * py[i, k]
    return not bad


def d_arcsinh_x_flat(xs, outs, px, q):
    """``np.arcsinh``, one direction: ``q = (where(np.absolute(x) > 1e+150, 1.0 / np.sqrt(x * 2.409919865102884e-181 * -(-x * 2.409919865102884e-181)) * 2.409919865102884e-181, 1.0 / np.sqrt(x * x - -1.0))) * px``."""
    for i in range(q.shape[0]):
        x = xs[i]
        fx = where(np.absolute(x) > 1e+150, 1.0 / np.sqrt(x * 2.409919865102884e-181 * -(-x * 2.409919865102884e-181)) * 2.409919865102884e-181, 1.0 / np.sqrt(x * x - -1.0))
        t = fx * px[i]
        if not (fx - fx == 0.0):
            t = (0.0 if px[i] == 0.0 else fx * px[i])
        q[i] = t


def d_arcsinh_x(xs, outs, px, q):
    """``np.arcsinh``: ``q[i, :] = (where(np.absolute(x) > 1e+150, 1.0 / np.sqrt(x * 2.409919865102884e-181 * -(-x * 2.409919865102884e-181)) * 2.409919865102884e-181, 1.0 / np.sqrt(x * x - -1.0))) * px``.

    Rows of 4 or 2 C-contiguous partials: the products over the flat arrays, then the
    zero rule on the rows whose local derivatives are not finite, if any (the
    generator's ``_SHORT``); other lengths and layouts: a loop over ``n`` per row."""
    rows, n = q.shape
    short = False
    bad = False
    if n == 4 and px.flags.c_contiguous and q.flags.c_contiguous:
        short = True
        pxf = px.ravel()
        qf = q.ravel()
        for i in range(rows):
            x = xs[i]
            fx = where(np.absolute(x) > 1e+150, 1.0 / np.sqrt(x * 2.409919865102884e-181 * -(-x * 2.409919865102884e-181)) * 2.409919865102884e-181, 1.0 / np.sqrt(x * x - -1.0))
            bad |= (fx - fx != 0.0)
            for j in range(4 * i, 4 * i + 4):
                qf[j] = fx * pxf[j]
    if n == 2 and px.flags.c_contiguous and q.flags.c_contiguous:
        short = True
        pxf = px.ravel()
        qf = q.ravel()
        for i in range(rows):
            x = xs[i]
            fx = where(np.absolute(x) > 1e+150, 1.0 / np.sqrt(x * 2.409919865102884e-181 * -(-x * 2.409919865102884e-181)) * 2.409919865102884e-181, 1.0 / np.sqrt(x * x - -1.0))
            bad |= (fx - fx != 0.0)
            for j in range(2 * i, 2 * i + 2):
                qf[j] = fx * pxf[j]
    if not short:
        d_arcsinh_x_loop(xs, outs, px, q)
    elif bad:
        for i in range(rows):
            x = xs[i]
            fx = where(np.absolute(x) > 1e+150, 1.0 / np.sqrt(x * 2.409919865102884e-181 * -(-x * 2.409919865102884e-181)) * 2.409919865102884e-181, 1.0 / np.sqrt(x * x - -1.0))
            if not (fx - fx == 0.0):
                for k in range(n):
                    q[i, k] = (0.0 if px[i, k] == 0.0 else fx * px[i, k])


def d_arcsinh_x_loop(xs, outs, px, q):
    """``np.arcsinh``'s rows kernel for other lengths and layouts: a loop over ``n`` per
    row, its own compiled function (in the kernel's body, after the flat loops, LLVM
    laid it out 1.06-1.18x slower at n = 3, 5, 8: stop 33 rows15)."""
    rows, n = q.shape
    for i in range(rows):
        x = xs[i]
        fx = where(np.absolute(x) > 1e+150, 1.0 / np.sqrt(x * 2.409919865102884e-181 * -(-x * 2.409919865102884e-181)) * 2.409919865102884e-181, 1.0 / np.sqrt(x * x - -1.0))
        if fx - fx == 0.0:
            for k in range(n):
                q[i, k] = fx * px[i, k]
        else:
            for k in range(n):
                q[i, k] = (0.0 if px[i, k] == 0.0 else fx * px[i, k])


def d_arcsinh_x_small(xs, outs, px, q):
    """``np.arcsinh``, small arrays: ``q[i, :] = (where(np.absolute(x) > 1e+150, 1.0 / np.sqrt(x * 2.409919865102884e-181 * -(-x * 2.409919865102884e-181)) * 2.409919865102884e-181, 1.0 / np.sqrt(x * x - -1.0))) * px``; False where a local
    derivative is not finite (``q`` then written, as the plain products)."""
    rows, n = q.shape
    if n == 4 and px.flags.c_contiguous and q.flags.c_contiguous:
        pxf = px.ravel()
        qf = q.ravel()
        bad = False
        for i in range(rows):
            x = xs[i]
            fx = where(np.absolute(x) > 1e+150, 1.0 / np.sqrt(x * 2.409919865102884e-181 * -(-x * 2.409919865102884e-181)) * 2.409919865102884e-181, 1.0 / np.sqrt(x * x - -1.0))
            bad |= (fx - fx != 0.0)
            for j in range(4 * i, 4 * i + 4):
                qf[j] = fx * pxf[j]
        return not bad
    if n == 2 and px.flags.c_contiguous and q.flags.c_contiguous:
        pxf = px.ravel()
        qf = q.ravel()
        bad = False
        for i in range(rows):
            x = xs[i]
            fx = where(np.absolute(x) > 1e+150, 1.0 / np.sqrt(x * 2.409919865102884e-181 * -(-x * 2.409919865102884e-181)) * 2.409919865102884e-181, 1.0 / np.sqrt(x * x - -1.0))
            bad |= (fx - fx != 0.0)
            for j in range(2 * i, 2 * i + 2):
                qf[j] = fx * pxf[j]
        return not bad
    bad = False
    for i in range(rows):
        x = xs[i]
        fx = where(np.absolute(x) > 1e+150, 1.0 / np.sqrt(x * 2.409919865102884e-181 * -(-x * 2.409919865102884e-181)) * 2.409919865102884e-181, 1.0 / np.sqrt(x * x - -1.0))
        bad |= (fx - fx != 0.0)
        for k in range(n):
            q[i, k] = fx * px[i, k]
    return not bad


def d_arcsinh_x_entry(xs, outs, px, q):
    """``np.arcsinh``, small 1-D values of any layout: ``q[i, :] = (where(np.absolute(x) > 1e+150, 1.0 / np.sqrt(x * 2.409919865102884e-181 * -(-x * 2.409919865102884e-181)) * 2.409919865102884e-181, 1.0 / np.sqrt(x * x - -1.0))) * px``; False for
    operands of other lengths and where a local derivative is not finite."""
    rows, n = q.shape
    if xs.shape[0] != rows or outs.shape[0] != rows or px.shape[0] != rows or px.shape[1] != n:
        return False
    bad = False
    for i in range(rows):
        x = xs[i]
        fx = where(np.absolute(x) > 1e+150, 1.0 / np.sqrt(x * 2.409919865102884e-181 * -(-x * 2.409919865102884e-181)) * 2.409919865102884e-181, 1.0 / np.sqrt(x * x - -1.0))
        bad |= (fx - fx != 0.0)
        for k in range(n):
            q[i, k] = fx * px[i, k]
    return not bad


def d_arcsinh_x_value_loops(loops, xs, outs, px, q):
    """``np.arcsinh``'s value and partials in one call on small 1-D values, NumPy's
    loop of the table ``loops`` (``_numpy_loops.value_loops``) making the value:
    ``q[i, :] = (where(np.absolute(x) > 1e+150, 1.0 / np.sqrt(x * 2.409919865102884e-181 * -(-x * 2.409919865102884e-181)) * 2.409919865102884e-181, 1.0 / np.sqrt(x * x - -1.0))) * px``; False (nothing usable: the caller's lines then run) for
    ``x`` not contiguous and aligned, other lengths, no directions, a report the
    value's loop would make, and where a local derivative is not finite."""
    rows, n = q.shape
    if xs.shape[0] != rows or outs.shape[0] != rows or px.shape[0] != rows or px.shape[1] != n or \
            rows == 0 or n == 0 or xs.strides[0] != 8 or xs.ctypes.data % 8 != 0:
        return False
    mask = np.int32(loops[0])
    if fe_test(mask) != 0:      # (as NumPy: a clear costs ~6 tests)
        fe_clear(mask)
    if numpy_loop(loops[1], loops[2], loops[3], xs.ctypes.data, outs.ctypes.data, rows) != 0 \
            or fe_test(mask) != 0:
        fe_clear(mask)
        return False
    bad = False
    for i in range(rows):
        x = xs[i]
        fx = where(np.absolute(x) > 1e+150, 1.0 / np.sqrt(x * 2.409919865102884e-181 * -(-x * 2.409919865102884e-181)) * 2.409919865102884e-181, 1.0 / np.sqrt(x * x - -1.0))
        bad |= (fx - fx != 0.0)
        for k in range(n):
            q[i, k] = fx * px[i, k]
    return not bad


def d_arccosh_x_flat(xs, outs, px, q):
    """``np.arccosh``, one direction: ``q = (1.0 / (np.sqrt(x - 1.0) * np.sqrt(x - -1.0))) * px``."""
    for i in range(q.shape[0]):
        x = xs[i]
        fx = 1.0 / (np.sqrt(x - 1.0) * np.sqrt(x - -1.0))
        t = fx * px[i]
        if not (fx - fx == 0.0):
            t = (0.0 if px[i] == 0.0 else fx * px[i])
        q[i] = t


def d_arccosh_x(xs, outs, px, q):
    """``np.arccosh``: ``q[i, :] = (1.0 / (np.sqrt(x - 1.0) * np.sqrt(x - -1.0))) * px``.

    Rows of 4 or 2 C-contiguous partials: the products over the flat arrays, then the
    zero rule on the rows whose local derivatives are not finite, if any (the
    generator's ``_SHORT``); other lengths and layouts: a loop over ``n`` per row."""
    rows, n = q.shape
    short = False
    bad = False
    if n == 4 and px.flags.c_contiguous and q.flags.c_contiguous:
        short = True
        pxf = px.ravel()
        qf = q.ravel()
        for i in range(rows):
            x = xs[i]
            fx = 1.0 / (np.sqrt(x - 1.0) * np.sqrt(x - -1.0))
            bad |= (fx - fx != 0.0)
            for j in range(4 * i, 4 * i + 4):
                qf[j] = fx * pxf[j]
    if n == 2 and px.flags.c_contiguous and q.flags.c_contiguous:
        short = True
        pxf = px.ravel()
        qf = q.ravel()
        for i in range(rows):
            x = xs[i]
            fx = 1.0 / (np.sqrt(x - 1.0) * np.sqrt(x - -1.0))
            bad |= (fx - fx != 0.0)
            for j in range(2 * i, 2 * i + 2):
                qf[j] = fx * pxf[j]
    if not short:
        d_arccosh_x_loop(xs, outs, px, q)
    elif bad:
        for i in range(rows):
            x = xs[i]
            fx = 1.0 / (np.sqrt(x - 1.0) * np.sqrt(x - -1.0))
            if not (fx - fx == 0.0):
                for k in range(n):
                    q[i, k] = (0.0 if px[i, k] == 0.0 else fx * px[i, k])


def d_arccosh_x_loop(xs, outs, px, q):
    """``np.arccosh``'s rows kernel for other lengths and layouts: a loop over ``n`` per
    row, its own compiled function (in the kernel's body, after the flat loops, LLVM
    laid it out 1.06-1.18x slower at n = 3, 5, 8: stop 33 rows15)."""
    rows, n = q.shape
    for i in range(rows):
        x = xs[i]
        fx = 1.0 / (np.sqrt(x - 1.0) * np.sqrt(x - -1.0))
        if fx - fx == 0.0:
            for k in range(n):
                q[i, k] = fx * px[i, k]
        else:
            for k in range(n):
                q[i, k] = (0.0 if px[i, k] == 0.0 else fx * px[i, k])


def d_arccosh_x_small(xs, outs, px, q):
    """``np.arccosh``, small arrays: ``q[i, :] = (1.0 / (np.sqrt(x - 1.0) * np.sqrt(x - -1.0))) * px``; False where a local
    derivative is not finite (``q`` then written, as the plain products)."""
    rows, n = q.shape
    if n == 4 and px.flags.c_contiguous and q.flags.c_contiguous:
        pxf = px.ravel()
        qf = q.ravel()
        bad = False
        for i in range(rows):
            x = xs[i]
            fx = 1.0 / (np.sqrt(x - 1.0) * np.sqrt(x - -1.0))
            bad |= (fx - fx != 0.0)
            for j in range(4 * i, 4 * i + 4):
                qf[j] = fx * pxf[j]
        return not bad
    if n == 2 and px.flags.c_contiguous and q.flags.c_contiguous:
        pxf = px.ravel()
        qf = q.ravel()
        bad = False
        for i in range(rows):
            x = xs[i]
            fx = 1.0 / (np.sqrt(x - 1.0) * np.sqrt(x - -1.0))
            bad |= (fx - fx != 0.0)
            for j in range(2 * i, 2 * i + 2):
                qf[j] = fx * pxf[j]
        return not bad
    bad = False
    for i in range(rows):
        x = xs[i]
        fx = 1.0 / (np.sqrt(x - 1.0) * np.sqrt(x - -1.0))
        bad |= (fx - fx != 0.0)
        for k in range(n):
            q[i, k] = fx * px[i, k]
    return not bad


def d_arccosh_x_entry(xs, outs, px, q):
    """``np.arccosh``, small 1-D values of any layout: ``q[i, :] = (1.0 / (np.sqrt(x - 1.0) * np.sqrt(x - -1.0))) * px``; False for
    operands of other lengths and where a local derivative is not finite."""
    rows, n = q.shape
    if xs.shape[0] != rows or outs.shape[0] != rows or px.shape[0] != rows or px.shape[1] != n:
        return False
    bad = False
    for i in range(rows):
        x = xs[i]
        fx = 1.0 / (np.sqrt(x - 1.0) * np.sqrt(x - -1.0))
        bad |= (fx - fx != 0.0)
        for k in range(n):
            q[i, k] = fx * px[i, k]
    return not bad


def d_arccosh_x_value_loops(loops, xs, outs, px, q):
    """``np.arccosh``'s value and partials in one call on small 1-D values, NumPy's
    loop of the table ``loops`` (``_numpy_loops.value_loops``) making the value:
    ``q[i, :] = (1.0 / (np.sqrt(x - 1.0) * np.sqrt(x - -1.0))) * px``; False (nothing usable: the caller's lines then run) for
    ``x`` not contiguous and aligned, other lengths, no directions, a report the
    value's loop would make, and where a local derivative is not finite."""
    rows, n = q.shape
    if xs.shape[0] != rows or outs.shape[0] != rows or px.shape[0] != rows or px.shape[1] != n or \
            rows == 0 or n == 0 or xs.strides[0] != 8 or xs.ctypes.data % 8 != 0:
        return False
    mask = np.int32(loops[0])
    if fe_test(mask) != 0:      # (as NumPy: a clear costs ~6 tests)
        fe_clear(mask)
    if numpy_loop(loops[1], loops[2], loops[3], xs.ctypes.data, outs.ctypes.data, rows) != 0 \
            or fe_test(mask) != 0:
        fe_clear(mask)
        return False
    bad = False
    for i in range(rows):
        x = xs[i]
        fx = 1.0 / (np.sqrt(x - 1.0) * np.sqrt(x - -1.0))
        bad |= (fx - fx != 0.0)
        for k in range(n):
            q[i, k] = fx * px[i, k]
    return not bad


def d_arctanh_x_flat(xs, outs, px, q):
    """``np.arctanh``, one direction: ``q = (where(np.absolute(x) < 0.5, 1.0 / (1.0 - x * x), 1.0 / ((1.0 - x) * (1.0 + x)))) * px``."""
    for i in range(q.shape[0]):
        x = xs[i]
        fx = where(np.absolute(x) < 0.5, 1.0 / (1.0 - x * x), 1.0 / ((1.0 - x) * (1.0 + x)))
        t = fx * px[i]
        if not (fx - fx == 0.0 and not (-2.2250738585072014e-308 < fx < 2.2250738585072014e-308 and 1.0 / x != 0.0 and (1.0 / x - x) - (1.0 / x - x) == 0.0)):
            t = (fx * px[i] if px[i] == 0.0 and fx - fx == 0.0 else (0.0 if px[i] == 0.0 else over(fx, 1.0 / x, 1.0 / x - x, px[i])))
        q[i] = t


def d_arctanh_x(xs, outs, px, q):
    """``np.arctanh``: ``q[i, :] = (where(np.absolute(x) < 0.5, 1.0 / (1.0 - x * x), 1.0 / ((1.0 - x) * (1.0 + x)))) * px``.

    Rows of 4 or 2 C-contiguous partials: the products over the flat arrays, then the
    zero rule on the rows whose local derivatives are not finite, if any (the
    generator's ``_SHORT``); other lengths and layouts: a loop over ``n`` per row."""
    rows, n = q.shape
    short = False
    bad = False
    if n == 4 and px.flags.c_contiguous and q.flags.c_contiguous:
        short = True
        pxf = px.ravel()
        qf = q.ravel()
        for i in range(rows):
            x = xs[i]
            fx = where(np.absolute(x) < 0.5, 1.0 / (1.0 - x * x), 1.0 / ((1.0 - x) * (1.0 + x)))
            bad |= (fx - fx != 0.0) | (-2.2250738585072014e-308 < fx < 2.2250738585072014e-308 and 1.0 / x != 0.0 and (1.0 / x - x) - (1.0 / x - x) == 0.0)
            for j in range(4 * i, 4 * i + 4):
                qf[j] = fx * pxf[j]
    if n == 2 and px.flags.c_contiguous and q.flags.c_contiguous:
        short = True
        pxf = px.ravel()
        qf = q.ravel()
        for i in range(rows):
            x = xs[i]
            fx = where(np.absolute(x) < 0.5, 1.0 / (1.0 - x * x), 1.0 / ((1.0 - x) * (1.0 + x)))
            bad |= (fx - fx != 0.0) | (-2.2250738585072014e-308 < fx < 2.2250738585072014e-308 and 1.0 / x != 0.0 and (1.0 / x - x) - (1.0 / x - x) == 0.0)
            for j in range(2 * i, 2 * i + 2):
                qf[j] = fx * pxf[j]
    if not short:
        d_arctanh_x_loop(xs, outs, px, q)
    elif bad:
        for i in range(rows):
            x = xs[i]
            fx = where(np.absolute(x) < 0.5, 1.0 / (1.0 - x * x), 1.0 / ((1.0 - x) * (1.0 + x)))
            if not (fx - fx == 0.0 and not (-2.2250738585072014e-308 < fx < 2.2250738585072014e-308 and 1.0 / x != 0.0 and (1.0 / x - x) - (1.0 / x - x) == 0.0)):
                for k in range(n):
                    q[i, k] = (fx * px[i, k] if px[i, k] == 0.0 and fx - fx == 0.0 else (0.0 if px[i, k] == 0.0 else over(fx, 1.0 / x, 1.0 / x - x, px[i, k])))


def d_arctanh_x_loop(xs, outs, px, q):
    """``np.arctanh``'s rows kernel for other lengths and layouts: a loop over ``n`` per
    row, its own compiled function (in the kernel's body, after the flat loops, LLVM
    laid it out 1.06-1.18x slower at n = 3, 5, 8: stop 33 rows15)."""
    rows, n = q.shape
    for i in range(rows):
        x = xs[i]
        fx = where(np.absolute(x) < 0.5, 1.0 / (1.0 - x * x), 1.0 / ((1.0 - x) * (1.0 + x)))
        if fx - fx == 0.0 and not (-2.2250738585072014e-308 < fx < 2.2250738585072014e-308 and 1.0 / x != 0.0 and (1.0 / x - x) - (1.0 / x - x) == 0.0):
            for k in range(n):
                q[i, k] = fx * px[i, k]
        else:
            for k in range(n):
                q[i, k] = (fx * px[i, k] if px[i, k] == 0.0 and fx - fx == 0.0 else (0.0 if px[i, k] == 0.0 else over(fx, 1.0 / x, 1.0 / x - x, px[i, k])))


def d_arctanh_x_small(xs, outs, px, q):
    """``np.arctanh``, small arrays: ``q[i, :] = (where(np.absolute(x) < 0.5, 1.0 / (1.0 - x * x), 1.0 / ((1.0 - x) * (1.0 + x)))) * px``; False where a local
    derivative is not finite (``q`` then written, as the plain products)."""
    rows, n = q.shape
    if n == 4 and px.flags.c_contiguous and q.flags.c_contiguous:
        pxf = px.ravel()
        qf = q.ravel()
        bad = False
        for i in range(rows):
            x = xs[i]
            fx = where(np.absolute(x) < 0.5, 1.0 / (1.0 - x * x), 1.0 / ((1.0 - x) * (1.0 + x)))
            bad |= (fx - fx != 0.0) | (-2.2250738585072014e-308 < fx < 2.2250738585072014e-308 and 1.0 / x != 0.0 and (1.0 / x - x) - (1.0 / x - x) == 0.0)
            for j in range(4 * i, 4 * i + 4):
                qf[j] = fx * pxf[j]
        return not bad
    if n == 2 and px.flags.c_contiguous and q.flags.c_contiguous:
        pxf = px.ravel()
        qf = q.ravel()
        bad = False
        for i in range(rows):
            x = xs[i]
            fx = where(np.absolute(x) < 0.5, 1.0 / (1.0 - x * x), 1.0 / ((1.0 - x) * (1.0 + x)))
            bad |= (fx - fx != 0.0) | (-2.2250738585072014e-308 < fx < 2.2250738585072014e-308 and 1.0 / x != 0.0 and (1.0 / x - x) - (1.0 / x - x) == 0.0)
            for j in range(2 * i, 2 * i + 2):
                qf[j] = fx * pxf[j]
        return not bad
    bad = False
    for i in range(rows):
        x = xs[i]
        fx = where(np.absolute(x) < 0.5, 1.0 / (1.0 - x * x), 1.0 / ((1.0 - x) * (1.0 + x)))
        bad |= (fx - fx != 0.0) | (-2.2250738585072014e-308 < fx < 2.2250738585072014e-308 and 1.0 / x != 0.0 and (1.0 / x - x) - (1.0 / x - x) == 0.0)
        for k in range(n):
            q[i, k] = fx * px[i, k]
    return not bad


def d_arctanh_x_entry(xs, outs, px, q):
    """``np.arctanh``, small 1-D values of any layout: ``q[i, :] = (where(np.absolute(x) < 0.5, 1.0 / (1.0 - x * x), 1.0 / ((1.0 - x) * (1.0 + x)))) * px``; False for
    operands of other lengths and where a local derivative is not finite."""
    rows, n = q.shape
    if xs.shape[0] != rows or outs.shape[0] != rows or px.shape[0] != rows or px.shape[1] != n:
        return False
    bad = False
    for i in range(rows):
        x = xs[i]
        fx = where(np.absolute(x) < 0.5, 1.0 / (1.0 - x * x), 1.0 / ((1.0 - x) * (1.0 + x)))
        bad |= (fx - fx != 0.0) | (-2.2250738585072014e-308 < fx < 2.2250738585072014e-308 and 1.0 / x != 0.0 and (1.0 / x - x) - (1.0 / x - x) == 0.0)
        for k in range(n):
            q[i, k] = fx * px[i, k]
    return not bad


def d_arctanh_x_value_loops(loops, xs, outs, px, q):
    """``np.arctanh``'s value and partials in one call on small 1-D values, NumPy's
    loop of the table ``loops`` (``_numpy_loops.value_loops``) making the value:
    ``q[i, :] = (where(np.absolute(x) < 0.5, 1.0 / (1.0 - x * x), 1.0 / ((1.0 - x) * (1.0 + x)))) * px``; False (nothing usable: the caller's lines then run) for
    ``x`` not contiguous and aligned, other lengths, no directions, a report the
    value's loop would make, and where a local derivative is not finite."""
    rows, n = q.shape
    if xs.shape[0] != rows or outs.shape[0] != rows or px.shape[0] != rows or px.shape[1] != n or \
            rows == 0 or n == 0 or xs.strides[0] != 8 or xs.ctypes.data % 8 != 0:
        return False
    mask = np.int32(loops[0])
    if fe_test(mask) != 0:      # (as NumPy: a clear costs ~6 tests)
        fe_clear(mask)
    if numpy_loop(loops[1], loops[2], loops[3], xs.ctypes.data, outs.ctypes.data, rows) != 0 \
            or fe_test(mask) != 0:
        fe_clear(mask)
        return False
    bad = False
    for i in range(rows):
        x = xs[i]
        fx = where(np.absolute(x) < 0.5, 1.0 / (1.0 - x * x), 1.0 / ((1.0 - x) * (1.0 + x)))
        bad |= (fx - fx != 0.0) | (-2.2250738585072014e-308 < fx < 2.2250738585072014e-308 and 1.0 / x != 0.0 and (1.0 / x - x) - (1.0 / x - x) == 0.0)
        for k in range(n):
            q[i, k] = fx * px[i, k]
    return not bad


def d_maximum_x_flat(xs, ys, outs, px, q):
    """``np.maximum``, one direction: ``q = px if (1.0 - (where(x >= y, 0.0, where(x == x, 1.0, 0.0)) + where(x == y, 0.5, 0.0))) != 0.0 else 0.0``; at a tie (the
    indicator ``t`` neither 0 nor 1) ``t * px``."""
    bx = px.view(np.int64)
    bq = q.view(np.int64)
    for i in range(q.shape[0]):
        x = xs[i]
        y = ys[i]
        m = where((1.0 - (where(x >= y, 0.0, where(x == x, 1.0, 0.0)) + where(x == y, 0.5, 0.0))) != 0.0, np.int64(-1), np.int64(0))
        bq[i] = bx[i] & m
    ties = 0
    for i in range(q.shape[0]):
        x = xs[i]
        y = ys[i]
        t = 1.0 - (where(x >= y, 0.0, where(x == x, 1.0, 0.0)) + where(x == y, 0.5, 0.0))
        ties += where(t * (1.0 - t) != 0.0, 1, 0)
    if ties:
        for i in range(q.shape[0]):
            x = xs[i]
            y = ys[i]
            t = 1.0 - (where(x >= y, 0.0, where(x == x, 1.0, 0.0)) + where(x == y, 0.5, 0.0))
            if t != 0.0 and t != 1.0:
                q[i] = t * px[i]


def d_maximum_x(xs, ys, outs, px, q):
    """``np.maximum``: ``q[i, :] = px if (1.0 - (where(x >= y, 0.0, where(x == x, 1.0, 0.0)) + where(x == y, 0.5, 0.0))) != 0.0 else 0.0``; at a tie (the indicator
    ``t`` neither 0 nor 1) ``t * px``.  Rows of 4 or 2
    partials: a loop of that constant length, which the compiler vectorizes across
    rows (the mask an integer select); other lengths: a loop over ``n`` per row."""
    rows, n = q.shape
    bx = px.view(np.int64)
    bq = q.view(np.int64)
    if n == 4:
        for i in range(rows):
            x = xs[i]
            y = ys[i]
            m = where((1.0 - (where(x >= y, 0.0, where(x == x, 1.0, 0.0)) + where(x == y, 0.5, 0.0))) != 0.0, np.int64(-1), np.int64(0))
            for k in range(4):
                bq[i, k] = bx[i, k] & m
    elif n == 2:
        for i in range(rows):
            x = xs[i]
            y = ys[i]
            m = where((1.0 - (where(x >= y, 0.0, where(x == x, 1.0, 0.0)) + where(x == y, 0.5, 0.0))) != 0.0, np.int64(-1), np.int64(0))
            for k in range(2):
                bq[i, k] = bx[i, k] & m
    else:
        for i in range(rows):
            x = xs[i]
            y = ys[i]
            m = -np.int64(1.0 - (where(x >= y, 0.0, where(x == x, 1.0, 0.0)) + where(x == y, 0.5, 0.0)))
            for k in range(n):
                bq[i, k] = bx[i, k] & m
    ties = 0
    for i in range(rows):
        x = xs[i]
        y = ys[i]
        t = 1.0 - (where(x >= y, 0.0, where(x == x, 1.0, 0.0)) + where(x == y, 0.5, 0.0))
        ties += where(t * (1.0 - t) != 0.0, 1, 0)
    if ties:
        for i in range(rows):
            x = xs[i]
            y = ys[i]
            t = 1.0 - (where(x >= y, 0.0, where(x == x, 1.0, 0.0)) + where(x == y, 0.5, 0.0))
            if t != 0.0 and t != 1.0:
                for k in range(n):
                    q[i, k] = t * px[i, k]


def d_maximum_y_flat(xs, ys, outs, py, q):
    """``np.maximum``, one direction: ``q = py if (where(x >= y, 0.0, where(x == x, 1.0, 0.0)) + where(x == y, 0.5, 0.0)) != 0.0 else 0.0``; at a tie (the
    indicator ``t`` neither 0 nor 1) ``t * py``."""
    by = py.view(np.int64)
    bq = q.view(np.int64)
    for i in range(q.shape[0]):
        x = xs[i]
        y = ys[i]
        m = where((where(x >= y, 0.0, where(x == x, 1.0, 0.0)) + where(x == y, 0.5, 0.0)) != 0.0, np.int64(-1), np.int64(0))
        bq[i] = by[i] & m
    ties = 0
    for i in range(q.shape[0]):
        x = xs[i]
        y = ys[i]
        t = where(x >= y, 0.0, where(x == x, 1.0, 0.0)) + where(x == y, 0.5, 0.0)
        ties += where(t * (1.0 - t) != 0.0, 1, 0)
    if ties:
        for i in range(q.shape[0]):
            x = xs[i]
            y = ys[i]
            t = where(x >= y, 0.0, where(x == x, 1.0, 0.0)) + where(x == y, 0.5, 0.0)
            if t != 0.0 and t != 1.0:
                q[i] = t * py[i]


def d_maximum_y(xs, ys, outs, py, q):
    """``np.maximum``: ``q[i, :] = py if (where(x >= y, 0.0, where(x == x, 1.0, 0.0)) + where(x == y, 0.5, 0.0)) != 0.0 else 0.0``; at a tie (the indicator
    ``t`` neither 0 nor 1) ``t * py``.  Rows of 4 or 2
    partials: a loop of that constant length, which the compiler vectorizes across
    rows (the mask an integer select); other lengths: a loop over ``n`` per row."""
    rows, n = q.shape
    by = py.view(np.int64)
    bq = q.view(np.int64)
    if n == 4:
        for i in range(rows):
            x = xs[i]
            y = ys[i]
            m = where((where(x >= y, 0.0, where(x == x, 1.0, 0.0)) + where(x == y, 0.5, 0.0)) != 0.0, np.int64(-1), np.int64(0))
            for k in range(4):
                bq[i, k] = by[i, k] & m
    elif n == 2:
        for i in range(rows):
            x = xs[i]
            y = ys[i]
            m = where((where(x >= y, 0.0, where(x == x, 1.0, 0.0)) + where(x == y, 0.5, 0.0)) != 0.0, np.int64(-1), np.int64(0))
            for k in range(2):
                bq[i, k] = by[i, k] & m
    else:
        for i in range(rows):
            x = xs[i]
            y = ys[i]
            m = -np.int64(where(x >= y, 0.0, where(x == x, 1.0, 0.0)) + where(x == y, 0.5, 0.0))
            for k in range(n):
                bq[i, k] = by[i, k] & m
    ties = 0
    for i in range(rows):
        x = xs[i]
        y = ys[i]
        t = where(x >= y, 0.0, where(x == x, 1.0, 0.0)) + where(x == y, 0.5, 0.0)
        ties += where(t * (1.0 - t) != 0.0, 1, 0)
    if ties:
        for i in range(rows):
            x = xs[i]
            y = ys[i]
            t = where(x >= y, 0.0, where(x == x, 1.0, 0.0)) + where(x == y, 0.5, 0.0)
            if t != 0.0 and t != 1.0:
                for k in range(n):
                    q[i, k] = t * py[i, k]


def d_maximum_xy_flat(xs, ys, outs, px, py, q):
    """``np.maximum``, one direction: ``q = py if (where(x >= y, 0.0, where(x == x, 1.0, 0.0)) + where(x == y, 0.5, 0.0)) != 0.0 else px``; at a tie (the
    indicator ``t`` neither 0 nor 1) ``t * py + (1 - t) * px``."""
    bx = px.view(np.int64)
    by = py.view(np.int64)
    bq = q.view(np.int64)
    for i in range(q.shape[0]):
        x = xs[i]
        y = ys[i]
        m = where((where(x >= y, 0.0, where(x == x, 1.0, 0.0)) + where(x == y, 0.5, 0.0)) != 0.0, np.int64(-1), np.int64(0))
        bq[i] = (by[i] & m) | (bx[i] & ~m)
    ties = 0
    for i in range(q.shape[0]):
        x = xs[i]
        y = ys[i]
        t = where(x >= y, 0.0, where(x == x, 1.0, 0.0)) + where(x == y, 0.5, 0.0)
        ties += where(t * (1.0 - t) != 0.0, 1, 0)
    if ties:
        for i in range(q.shape[0]):
            x = xs[i]
            y = ys[i]
            t = where(x >= y, 0.0, where(x == x, 1.0, 0.0)) + where(x == y, 0.5, 0.0)
            if t != 0.0 and t != 1.0:
                q[i] = t * py[i] + (1.0 - t) * px[i]


def d_maximum_xy(xs, ys, outs, px, py, q):
    """``np.maximum``: ``q[i, :] = py if (where(x >= y, 0.0, where(x == x, 1.0, 0.0)) + where(x == y, 0.5, 0.0)) != 0.0 else px``; at a tie (the indicator
    ``t`` neither 0 nor 1) ``t * py + (1 - t) * px``.  Rows of 4 or 2
    partials: a loop of that constant length, which the compiler vectorizes across
    rows (the mask an integer select); other lengths: a loop over ``n`` per row."""
    rows, n = q.shape
    bx = px.view(np.int64)
    by = py.view(np.int64)
    bq = q.view(np.int64)
    if n == 4:
        for i in range(rows):
            x = xs[i]
            y = ys[i]
            m = where((where(x >= y, 0.0, where(x == x, 1.0, 0.0)) + where(x == y, 0.5, 0.0)) != 0.0, np.int64(-1), np.int64(0))
            for k in range(4):
                bq[i, k] = (by[i, k] & m) | (bx[i, k] & ~m)
    elif n == 2:
        for i in range(rows):
            x = xs[i]
            y = ys[i]
            m = where((where(x >= y, 0.0, where(x == x, 1.0, 0.0)) + where(x == y, 0.5, 0.0)) != 0.0, np.int64(-1), np.int64(0))
            for k in range(2):
                bq[i, k] = (by[i, k] & m) | (bx[i, k] & ~m)
    else:
        for i in range(rows):
            x = xs[i]
            y = ys[i]
            m = -np.int64(where(x >= y, 0.0, where(x == x, 1.0, 0.0)) + where(x == y, 0.5, 0.0))
            for k in range(n):
                bq[i, k] = (by[i, k] & m) | (bx[i, k] & ~m)
    ties = 0
    for i in range(rows):
        x = xs[i]
        y = ys[i]
        t = where(x >= y, 0.0, where(x == x, 1.0, 0.0)) + where(x == y, 0.5, 0.0)
        ties += where(t * (1.0 - t) != 0.0, 1, 0)
    if ties:
        for i in range(rows):
            x = xs[i]
            y = ys[i]
            t = where(x >= y, 0.0, where(x == x, 1.0, 0.0)) + where(x == y, 0.5, 0.0)
            if t != 0.0 and t != 1.0:
                for k in range(n):
                    q[i, k] = t * py[i, k] + (1.0 - t) * px[i, k]


def d_maximum_xy_small(xs, ys, outs, px, py, q):
    """``np.maximum``, small arrays: ``q[i, :] = py if (where(x >= y, 0.0, where(x == x, 1.0, 0.0)) + where(x == y, 0.5, 0.0)) != 0.0 else px``; at a tie (the
    indicator ``t`` neither 0 nor 1) ``t * py + (1 - t) * px``; True (its indicators are 0, 1/2
    or 1: always finite).  Rows of 4 or 2 partials: the large kernel's loop of
    constant length, vectorized across rows (the lean path takes 1-D values of any
    size)."""
    rows, n = q.shape
    bx = px.view(np.int64)
    by = py.view(np.int64)
    bq = q.view(np.int64)
    if n == 4:
        for i in range(rows):
            x = xs[i]
            y = ys[i]
            m = where((where(x >= y, 0.0, where(x == x, 1.0, 0.0)) + where(x == y, 0.5, 0.0)) != 0.0, np.int64(-1), np.int64(0))
            for k in range(4):
                bq[i, k] = (by[i, k] & m) | (bx[i, k] & ~m)
    elif n == 2:
        for i in range(rows):
            x = xs[i]
            y = ys[i]
            m = where((where(x >= y, 0.0, where(x == x, 1.0, 0.0)) + where(x == y, 0.5, 0.0)) != 0.0, np.int64(-1), np.int64(0))
            for k in range(2):
                bq[i, k] = (by[i, k] & m) | (bx[i, k] & ~m)
    else:
        for i in range(rows):
            x = xs[i]
            y = ys[i]
            m = -np.int64(where(x >= y, 0.0, where(x == x, 1.0, 0.0)) + where(x == y, 0.5, 0.0))
            for k in range(n):
                bq[i, k] = (by[i, k] & m) | (bx[i, k] & ~m)
    ties = 0
    for i in range(rows):
        x = xs[i]
        y = ys[i]
        t = where(x >= y, 0.0, where(x == x, 1.0, 0.0)) + where(x == y, 0.5, 0.0)
        ties += where(t * (1.0 - t) != 0.0, 1, 0)
    if ties:
        for i in range(rows):
            x = xs[i]
            y = ys[i]
            t = where(x >= y, 0.0, where(x == x, 1.0, 0.0)) + where(x == y, 0.5, 0.0)
            if t != 0.0 and t != 1.0:
                for k in range(n):
                    q[i, k] = t * py[i, k] + (1.0 - t) * px[i, k]
    return True


def d_minimum_x_flat(xs, ys, outs, px, q):
    """``np.minimum``, one direction: ``q = px if (1.0 - (where(x <= y, 0.0, where(x == x, 1.0, 0.0)) + where(x == y, 0.5, 0.0))) != 0.0 else 0.0``; at a tie (the
    indicator ``t`` neither 0 nor 1) ``t * px``."""
    bx = px.view(np.int64)
    bq = q.view(np.int64)
    for i in range(q.shape[0]):
        x = xs[i]
        y = ys[i]
        m = where((1.0 - (where(x <= y, 0.0, where(x == x, 1.0, 0.0)) + where(x == y, 0.5, 0.0))) != 0.0, np.int64(-1), np.int64(0))
        bq[i] = bx[i] & m
    ties = 0
    for i in range(q.shape[0]):
        x = xs[i]
        y = ys[i]
        t = 1.0 - (where(x <= y, 0.0, where(x == x, 1.0, 0.0)) + where(x == y, 0.5, 0.0))
        ties += where(t * (1.0 - t) != 0.0, 1, 0)
    if ties:
        for i in range(q.shape[0]):
            x = xs[i]
            y = ys[i]
            t = 1.0 - (where(x <= y, 0.0, where(x == x, 1.0, 0.0)) + where(x == y, 0.5, 0.0))
            if t != 0.0 and t != 1.0:
                q[i] = t * px[i]


def d_minimum_x(xs, ys, outs, px, q):
    """``np.minimum``: ``q[i, :] = px if (1.0 - (where(x <= y, 0.0, where(x == x, 1.0, 0.0)) + where(x == y, 0.5, 0.0))) != 0.0 else 0.0``; at a tie (the indicator
    ``t`` neither 0 nor 1) ``t * px``.  Rows of 4 or 2
    partials: a loop of that constant length, which the compiler vectorizes across
    rows (the mask an integer select); other lengths: a loop over ``n`` per row."""
    rows, n = q.shape
    bx = px.view(np.int64)
    bq = q.view(np.int64)
    if n == 4:
        for i in range(rows):
            x = xs[i]
            y = ys[i]
            m = where((1.0 - (where(x <= y, 0.0, where(x == x, 1.0, 0.0)) + where(x == y, 0.5, 0.0))) != 0.0, np.int64(-1), np.int64(0))
            for k in range(4):
                bq[i, k] = bx[i, k] & m
    elif n == 2:
        for i in range(rows):
            x = xs[i]
            y = ys[i]
            m = where((1.0 - (where(x <= y, 0.0, where(x == x, 1.0, 0.0)) + where(x == y, 0.5, 0.0))) != 0.0, np.int64(-1), np.int64(0))
            for k in range(2):
                bq[i, k] = bx[i, k] & m
    else:
        for i in range(rows):
            x = xs[i]
            y = ys[i]
            m = -np.int64(1.0 - (where(x <= y, 0.0, where(x == x, 1.0, 0.0)) + where(x == y, 0.5, 0.0)))
            for k in range(n):
                bq[i, k] = bx[i, k] & m
    ties = 0
    for i in range(rows):
        x = xs[i]
        y = ys[i]
        t = 1.0 - (where(x <= y, 0.0, where(x == x, 1.0, 0.0)) + where(x == y, 0.5, 0.0))
        ties += where(t * (1.0 - t) != 0.0, 1, 0)
    if ties:
        for i in range(rows):
            x = xs[i]
            y = ys[i]
            t = 1.0 - (where(x <= y, 0.0, where(x == x, 1.0, 0.0)) + where(x == y, 0.5, 0.0))
            if t != 0.0 and t != 1.0:
                for k in range(n):
                    q[i, k] = t * px[i, k]


def d_minimum_y_flat(xs, ys, outs, py, q):
    """``np.minimum``, one direction: ``q = py if (where(x <= y, 0.0, where(x == x, 1.0, 0.0)) + where(x == y, 0.5, 0.0)) != 0.0 else 0.0``; at a tie (the
    indicator ``t`` neither 0 nor 1) ``t * py``."""
    by = py.view(np.int64)
    bq = q.view(np.int64)
    for i in range(q.shape[0]):
        x = xs[i]
        y = ys[i]
        m = where((where(x <= y, 0.0, where(x == x, 1.0, 0.0)) + where(x == y, 0.5, 0.0)) != 0.0, np.int64(-1), np.int64(0))
        bq[i] = by[i] & m
    ties = 0
    for i in range(q.shape[0]):
        x = xs[i]
        y = ys[i]
        t = where(x <= y, 0.0, where(x == x, 1.0, 0.0)) + where(x == y, 0.5, 0.0)
        ties += where(t * (1.0 - t) != 0.0, 1, 0)
    if ties:
        for i in range(q.shape[0]):
            x = xs[i]
            y = ys[i]
            t = where(x <= y, 0.0, where(x == x, 1.0, 0.0)) + where(x == y, 0.5, 0.0)
            if t != 0.0 and t != 1.0:
                q[i] = t * py[i]


def d_minimum_y(xs, ys, outs, py, q):
    """``np.minimum``: ``q[i, :] = py if (where(x <= y, 0.0, where(x == x, 1.0, 0.0)) + where(x == y, 0.5, 0.0)) != 0.0 else 0.0``; at a tie (the indicator
    ``t`` neither 0 nor 1) ``t * py``.  Rows of 4 or 2
    partials: a loop of that constant length, which the compiler vectorizes across
    rows (the mask an integer select); other lengths: a loop over ``n`` per row."""
    rows, n = q.shape
    by = py.view(np.int64)
    bq = q.view(np.int64)
    if n == 4:
        for i in range(rows):
            x = xs[i]
            y = ys[i]
            m = where((where(x <= y, 0.0, where(x == x, 1.0, 0.0)) + where(x == y, 0.5, 0.0)) != 0.0, np.int64(-1), np.int64(0))
            for k in range(4):
                bq[i, k] = by[i, k] & m
    elif n == 2:
        for i in range(rows):
            x = xs[i]
            y = ys[i]
            m = where((where(x <= y, 0.0, where(x == x, 1.0, 0.0)) + where(x == y, 0.5, 0.0)) != 0.0, np.int64(-1), np.int64(0))
            for k in range(2):
                bq[i, k] = by[i, k] & m
    else:
        for i in range(rows):
            x = xs[i]
            y = ys[i]
            m = -np.int64(where(x <= y, 0.0, where(x == x, 1.0, 0.0)) + where(x == y, 0.5, 0.0))
            for k in range(n):
                bq[i, k] = by[i, k] & m
    ties = 0
    for i in range(rows):
        x = xs[i]
        y = ys[i]
        t = where(x <= y, 0.0, where(x == x, 1.0, 0.0)) + where(x == y, 0.5, 0.0)
        ties += where(t * (1.0 - t) != 0.0, 1, 0)
    if ties:
        for i in range(rows):
            x = xs[i]
            y = ys[i]
            t = where(x <= y, 0.0, where(x == x, 1.0, 0.0)) + where(x == y, 0.5, 0.0)
            if t != 0.0 and t != 1.0:
                for k in range(n):
                    q[i, k] = t * py[i, k]


def d_minimum_xy_flat(xs, ys, outs, px, py, q):
    """``np.minimum``, one direction: ``q = py if (where(x <= y, 0.0, where(x == x, 1.0, 0.0)) + where(x == y, 0.5, 0.0)) != 0.0 else px``; at a tie (the
    indicator ``t`` neither 0 nor 1) ``t * py + (1 - t) * px``."""
    bx = px.view(np.int64)
    by = py.view(np.int64)
    bq = q.view(np.int64)
    for i in range(q.shape[0]):
        x = xs[i]
        y = ys[i]
        m = where((where(x <= y, 0.0, where(x == x, 1.0, 0.0)) + where(x == y, 0.5, 0.0)) != 0.0, np.int64(-1), np.int64(0))
        bq[i] = (by[i] & m) | (bx[i] & ~m)
    ties = 0
    for i in range(q.shape[0]):
        x = xs[i]
        y = ys[i]
        t = where(x <= y, 0.0, where(x == x, 1.0, 0.0)) + where(x == y, 0.5, 0.0)
        ties += where(t * (1.0 - t) != 0.0, 1, 0)
    if ties:
        for i in range(q.shape[0]):
            x = xs[i]
            y = ys[i]
            t = where(x <= y, 0.0, where(x == x, 1.0, 0.0)) + where(x == y, 0.5, 0.0)
            if t != 0.0 and t != 1.0:
                q[i] = t * py[i] + (1.0 - t) * px[i]


def d_minimum_xy(xs, ys, outs, px, py, q):
    """``np.minimum``: ``q[i, :] = py if (where(x <= y, 0.0, where(x == x, 1.0, 0.0)) + where(x == y, 0.5, 0.0)) != 0.0 else px``; at a tie (the indicator
    ``t`` neither 0 nor 1) ``t * py + (1 - t) * px``.  Rows of 4 or 2
    partials: a loop of that constant length, which the compiler vectorizes across
    rows (the mask an integer select); other lengths: a loop over ``n`` per row."""
    rows, n = q.shape
    bx = px.view(np.int64)
    by = py.view(np.int64)
    bq = q.view(np.int64)
    if n == 4:
        for i in range(rows):
            x = xs[i]
            y = ys[i]
            m = where((where(x <= y, 0.0, where(x == x, 1.0, 0.0)) + where(x == y, 0.5, 0.0)) != 0.0, np.int64(-1), np.int64(0))
            for k in range(4):
                bq[i, k] = (by[i, k] & m) | (bx[i, k] & ~m)
    elif n == 2:
        for i in range(rows):
            x = xs[i]
            y = ys[i]
            m = where((where(x <= y, 0.0, where(x == x, 1.0, 0.0)) + where(x == y, 0.5, 0.0)) != 0.0, np.int64(-1), np.int64(0))
            for k in range(2):
                bq[i, k] = (by[i, k] & m) | (bx[i, k] & ~m)
    else:
        for i in range(rows):
            x = xs[i]
            y = ys[i]
            m = -np.int64(where(x <= y, 0.0, where(x == x, 1.0, 0.0)) + where(x == y, 0.5, 0.0))
            for k in range(n):
                bq[i, k] = (by[i, k] & m) | (bx[i, k] & ~m)
    ties = 0
    for i in range(rows):
        x = xs[i]
        y = ys[i]
        t = where(x <= y, 0.0, where(x == x, 1.0, 0.0)) + where(x == y, 0.5, 0.0)
        ties += where(t * (1.0 - t) != 0.0, 1, 0)
    if ties:
        for i in range(rows):
            x = xs[i]
            y = ys[i]
            t = where(x <= y, 0.0, where(x == x, 1.0, 0.0)) + where(x == y, 0.5, 0.0)
            if t != 0.0 and t != 1.0:
                for k in range(n):
                    q[i, k] = t * py[i, k] + (1.0 - t) * px[i, k]


def d_minimum_xy_small(xs, ys, outs, px, py, q):
    """``np.minimum``, small arrays: ``q[i, :] = py if (where(x <= y, 0.0, where(x == x, 1.0, 0.0)) + where(x == y, 0.5, 0.0)) != 0.0 else px``; at a tie (the
    indicator ``t`` neither 0 nor 1) ``t * py + (1 - t) * px``; True (its indicators are 0, 1/2
    or 1: always finite).  Rows of 4 or 2 partials: the large kernel's loop of
    constant length, vectorized across rows (the lean path takes 1-D values of any
    size)."""
    rows, n = q.shape
    bx = px.view(np.int64)
    by = py.view(np.int64)
    bq = q.view(np.int64)
    if n == 4:
        for i in range(rows):
            x = xs[i]
            y = ys[i]
            m = where((where(x <= y, 0.0, where(x == x, 1.0, 0.0)) + where(x == y, 0.5, 0.0)) != 0.0, np.int64(-1), np.int64(0))
            for k in range(4):
                bq[i, k] = (by[i, k] & m) | (bx[i, k] & ~m)
    elif n == 2:
        for i in range(rows):
            x = xs[i]
            y = ys[i]
            m = where((where(x <= y, 0.0, where(x == x, 1.0, 0.0)) + where(x == y, 0.5, 0.0)) != 0.0, np.int64(-1), np.int64(0))
            for k in range(2):
                bq[i, k] = (by[i, k] & m) | (bx[i, k] & ~m)
    else:
        for i in range(rows):
            x = xs[i]
            y = ys[i]
            m = -np.int64(where(x <= y, 0.0, where(x == x, 1.0, 0.0)) + where(x == y, 0.5, 0.0))
            for k in range(n):
                bq[i, k] = (by[i, k] & m) | (bx[i, k] & ~m)
    ties = 0
    for i in range(rows):
        x = xs[i]
        y = ys[i]
        t = where(x <= y, 0.0, where(x == x, 1.0, 0.0)) + where(x == y, 0.5, 0.0)
        ties += where(t * (1.0 - t) != 0.0, 1, 0)
    if ties:
        for i in range(rows):
            x = xs[i]
            y = ys[i]
            t = where(x <= y, 0.0, where(x == x, 1.0, 0.0)) + where(x == y, 0.5, 0.0)
            if t != 0.0 and t != 1.0:
                for k in range(n):
                    q[i, k] = t * py[i, k] + (1.0 - t) * px[i, k]
    return True


def d_fmax_x_flat(xs, ys, outs, px, q):
    """``np.fmax``, one direction: ``q = px if (1.0 - (where(x >= y, 0.0, where(y == y, 1.0, 0.0)) + where(x == y, 0.5, 0.0))) != 0.0 else 0.0``; at a tie (the
    indicator ``t`` neither 0 nor 1) ``t * px``."""
    bx = px.view(np.int64)
    bq = q.view(np.int64)
    for i in range(q.shape[0]):
        x = xs[i]
        y = ys[i]
        m = where((1.0 - (where(x >= y, 0.0, where(y == y, 1.0, 0.0)) + where(x == y, 0.5, 0.0))) != 0.0, np.int64(-1), np.int64(0))
        bq[i] = bx[i] & m
    ties = 0
    for i in range(q.shape[0]):
        x = xs[i]
        y = ys[i]
        t = 1.0 - (where(x >= y, 0.0, where(y == y, 1.0, 0.0)) + where(x == y, 0.5, 0.0))
        ties += where(t * (1.0 - t) != 0.0, 1, 0)
    if ties:
        for i in range(q.shape[0]):
            x = xs[i]
            y = ys[i]
            t = 1.0 - (where(x >= y, 0.0, where(y == y, 1.0, 0.0)) + where(x == y, 0.5, 0.0))
            if t != 0.0 and t != 1.0:
                q[i] = t * px[i]


def d_fmax_x(xs, ys, outs, px, q):
    """``np.fmax``: ``q[i, :] = px if (1.0 - (where(x >= y, 0.0, where(y == y, 1.0, 0.0)) + where(x == y, 0.5, 0.0))) != 0.0 else 0.0``; at a tie (the indicator
    ``t`` neither 0 nor 1) ``t * px``.  Rows of 4 or 2
    partials: a loop of that constant length, which the compiler vectorizes across
    rows (the mask an integer select); other lengths: a loop over ``n`` per row."""
    rows, n = q.shape
    bx = px.view(np.int64)
    bq = q.view(np.int64)
    if n == 4:
        for i in range(rows):
            x = xs[i]
            y = ys[i]
            m = where((1.0 - (where(x >= y, 0.0, where(y == y, 1.0, 0.0)) + where(x == y, 0.5, 0.0))) != 0.0, np.int64(-1), np.int64(0))
            for k in range(4):
                bq[i, k] = bx[i, k] & m
    elif n == 2:
        for i in range(rows):
            x = xs[i]
            y = ys[i]
            m = where((1.0 - (where(x >= y, 0.0, where(y == y, 1.0, 0.0)) + where(x == y, 0.5, 0.0))) != 0.0, np.int64(-1), np.int64(0))
            for k in range(2):
                bq[i, k] = bx[i, k] & m
    else:
        for i in range(rows):
            x = xs[i]
            y = ys[i]
            m = -np.int64(1.0 - (where(x >= y, 0.0, where(y == y, 1.0, 0.0)) + where(x == y, 0.5, 0.0)))
            for k in range(n):
                bq[i, k] = bx[i, k] & m
    ties = 0
    for i in range(rows):
        x = xs[i]
        y = ys[i]
        t = 1.0 - (where(x >= y, 0.0, where(y == y, 1.0, 0.0)) + where(x == y, 0.5, 0.0))
        ties += where(t * (1.0 - t) != 0.0, 1, 0)
    if ties:
        for i in range(rows):
            x = xs[i]
            y = ys[i]
            t = 1.0 - (where(x >= y, 0.0, where(y == y, 1.0, 0.0)) + where(x == y, 0.5, 0.0))
            if t != 0.0 and t != 1.0:
                for k in range(n):
                    q[i, k] = t * px[i, k]


def d_fmax_y_flat(xs, ys, outs, py, q):
    """``np.fmax``, one direction: ``q = py if (where(x >= y, 0.0, where(y == y, 1.0, 0.0)) + where(x == y, 0.5, 0.0)) != 0.0 else 0.0``; at a tie (the
    indicator ``t`` neither 0 nor 1) ``t * py``."""
    by = py.view(np.int64)
    bq = q.view(np.int64)
    for i in range(q.shape[0]):
        x = xs[i]
        y = ys[i]
        m = where((where(x >= y, 0.0, where(y == y, 1.0, 0.0)) + where(x == y, 0.5, 0.0)) != 0.0, np.int64(-1), np.int64(0))
        bq[i] = by[i] & m
    ties = 0
    for i in range(q.shape[0]):
        x = xs[i]
        y = ys[i]
        t = where(x >= y, 0.0, where(y == y, 1.0, 0.0)) + where(x == y, 0.5, 0.0)
        ties += where(t * (1.0 - t) != 0.0, 1, 0)
    if ties:
        for i in range(q.shape[0]):
            x = xs[i]
            y = ys[i]
            t = where(x >= y, 0.0, where(y == y, 1.0, 0.0)) + where(x == y, 0.5, 0.0)
            if t != 0.0 and t != 1.0:
                q[i] = t * py[i]


def d_fmax_y(xs, ys, outs, py, q):
    """``np.fmax``: ``q[i, :] = py if (where(x >= y, 0.0, where(y == y, 1.0, 0.0)) + where(x == y, 0.5, 0.0)) != 0.0 else 0.0``; at a tie (the indicator
    ``t`` neither 0 nor 1) ``t * py``.  Rows of 4 or 2
    partials: a loop of that constant length, which the compiler vectorizes across
    rows (the mask an integer select); other lengths: a loop over ``n`` per row."""
    rows, n = q.shape
    by = py.view(np.int64)
    bq = q.view(np.int64)
    if n == 4:
        for i in range(rows):
            x = xs[i]
            y = ys[i]
            m = where((where(x >= y, 0.0, where(y == y, 1.0, 0.0)) + where(x == y, 0.5, 0.0)) != 0.0, np.int64(-1), np.int64(0))
            for k in range(4):
                bq[i, k] = by[i, k] & m
    elif n == 2:
        for i in range(rows):
            x = xs[i]
            y = ys[i]
            m = where((where(x >= y, 0.0, where(y == y, 1.0, 0.0)) + where(x == y, 0.5, 0.0)) != 0.0, np.int64(-1), np.int64(0))
            for k in range(2):
                bq[i, k] = by[i, k] & m
    else:
        for i in range(rows):
            x = xs[i]
            y = ys[i]
            m = -np.int64(where(x >= y, 0.0, where(y == y, 1.0, 0.0)) + where(x == y, 0.5, 0.0))
            for k in range(n):
                bq[i, k] = by[i, k] & m
    ties = 0
    for i in range(rows):
        x = xs[i]
        y = ys[i]
        t = where(x >= y, 0.0, where(y == y, 1.0, 0.0)) + where(x == y, 0.5, 0.0)
        ties += where(t * (1.0 - t) != 0.0, 1, 0)
    if ties:
        for i in range(rows):
            x = xs[i]
            y = ys[i]
            t = where(x >= y, 0.0, where(y == y, 1.0, 0.0)) + where(x == y, 0.5, 0.0)
            if t != 0.0 and t != 1.0:
                for k in range(n):
                    q[i, k] = t * py[i, k]


def d_fmax_xy_flat(xs, ys, outs, px, py, q):
    """``np.fmax``, one direction: ``q = py if (where(x >= y, 0.0, where(y == y, 1.0, 0.0)) + where(x == y, 0.5, 0.0)) != 0.0 else px``; at a tie (the
    indicator ``t`` neither 0 nor 1) ``t * py + (1 - t) * px``."""
    bx = px.view(np.int64)
    by = py.view(np.int64)
    bq = q.view(np.int64)
    for i in range(q.shape[0]):
        x = xs[i]
        y = ys[i]
        m = where((where(x >= y, 0.0, where(y == y, 1.0, 0.0)) + where(x == y, 0.5, 0.0)) != 0.0, np.int64(-1), np.int64(0))
        bq[i] = (by[i] & m) | (bx[i] & ~m)
    ties = 0
    for i in range(q.shape[0]):
        x = xs[i]
        y = ys[i]
        t = where(x >= y, 0.0, where(y == y, 1.0, 0.0)) + where(x == y, 0.5, 0.0)
        ties += where(t * (1.0 - t) != 0.0, 1, 0)
    if ties:
        for i in range(q.shape[0]):
            x = xs[i]
            y = ys[i]
            t = where(x >= y, 0.0, where(y == y, 1.0, 0.0)) + where(x == y, 0.5, 0.0)
            if t != 0.0 and t != 1.0:
                q[i] = t * py[i] + (1.0 - t) * px[i]


def d_fmax_xy(xs, ys, outs, px, py, q):
    """``np.fmax``: ``q[i, :] = py if (where(x >= y, 0.0, where(y == y, 1.0, 0.0)) + where(x == y, 0.5, 0.0)) != 0.0 else px``; at a tie (the indicator
    ``t`` neither 0 nor 1) ``t * py + (1 - t) * px``.  Rows of 4 or 2
    partials: a loop of that constant length, which the compiler vectorizes across
    rows (the mask an integer select); other lengths: a loop over ``n`` per row."""
    rows, n = q.shape
    bx = px.view(np.int64)
    by = py.view(np.int64)
    bq = q.view(np.int64)
    if n == 4:
        for i in range(rows):
            x = xs[i]
            y = ys[i]
            m = where((where(x >= y, 0.0, where(y == y, 1.0, 0.0)) + where(x == y, 0.5, 0.0)) != 0.0, np.int64(-1), np.int64(0))
            for k in range(4):
                bq[i, k] = (by[i, k] & m) | (bx[i, k] & ~m)
    elif n == 2:
        for i in range(rows):
            x = xs[i]
            y = ys[i]
            m = where((where(x >= y, 0.0, where(y == y, 1.0, 0.0)) + where(x == y, 0.5, 0.0)) != 0.0, np.int64(-1), np.int64(0))
            for k in range(2):
                bq[i, k] = (by[i, k] & m) | (bx[i, k] & ~m)
    else:
        for i in range(rows):
            x = xs[i]
            y = ys[i]
            m = -np.int64(where(x >= y, 0.0, where(y == y, 1.0, 0.0)) + where(x == y, 0.5, 0.0))
            for k in range(n):
                bq[i, k] = (by[i, k] & m) | (bx[i, k] & ~m)
    ties = 0
    for i in range(rows):
        x = xs[i]
        y = ys[i]
        t = where(x >= y, 0.0, where(y == y, 1.0, 0.0)) + where(x == y, 0.5, 0.0)
        ties += where(t * (1.0 - t) != 0.0, 1, 0)
    if ties:
        for i in range(rows):
            x = xs[i]
            y = ys[i]
            t = where(x >= y, 0.0, where(y == y, 1.0, 0.0)) + where(x == y, 0.5, 0.0)
            if t != 0.0 and t != 1.0:
                for k in range(n):
                    q[i, k] = t * py[i, k] + (1.0 - t) * px[i, k]


def d_fmax_xy_small(xs, ys, outs, px, py, q):
    """``np.fmax``, small arrays: ``q[i, :] = py if (where(x >= y, 0.0, where(y == y, 1.0, 0.0)) + where(x == y, 0.5, 0.0)) != 0.0 else px``; at a tie (the
    indicator ``t`` neither 0 nor 1) ``t * py + (1 - t) * px``; True (its indicators are 0, 1/2
    or 1: always finite).  Rows of 4 or 2 partials: the large kernel's loop of
    constant length, vectorized across rows (the lean path takes 1-D values of any
    size)."""
    rows, n = q.shape
    bx = px.view(np.int64)
    by = py.view(np.int64)
    bq = q.view(np.int64)
    if n == 4:
        for i in range(rows):
            x = xs[i]
            y = ys[i]
            m = where((where(x >= y, 0.0, where(y == y, 1.0, 0.0)) + where(x == y, 0.5, 0.0)) != 0.0, np.int64(-1), np.int64(0))
            for k in range(4):
                bq[i, k] = (by[i, k] & m) | (bx[i, k] & ~m)
    elif n == 2:
        for i in range(rows):
            x = xs[i]
            y = ys[i]
            m = where((where(x >= y, 0.0, where(y == y, 1.0, 0.0)) + where(x == y, 0.5, 0.0)) != 0.0, np.int64(-1), np.int64(0))
            for k in range(2):
                bq[i, k] = (by[i, k] & m) | (bx[i, k] & ~m)
    else:
        for i in range(rows):
            x = xs[i]
            y = ys[i]
            m = -np.int64(where(x >= y, 0.0, where(y == y, 1.0, 0.0)) + where(x == y, 0.5, 0.0))
            for k in range(n):
                bq[i, k] = (by[i, k] & m) | (bx[i, k] & ~m)
    ties = 0
    for i in range(rows):
        x = xs[i]
        y = ys[i]
        t = where(x >= y, 0.0, where(y == y, 1.0, 0.0)) + where(x == y, 0.5, 0.0)
        ties += where(t * (1.0 - t) != 0.0, 1, 0)
    if ties:
        for i in range(rows):
            x = xs[i]
            y = ys[i]
            t = where(x >= y, 0.0, where(y == y, 1.0, 0.0)) + where(x == y, 0.5, 0.0)
            if t != 0.0 and t != 1.0:
                for k in range(n):
                    q[i, k] = t * py[i, k] + (1.0 - t) * px[i, k]
    return True


def d_fmin_x_flat(xs, ys, outs, px, q):
    """``np.fmin``, one direction: ``q = px if (1.0 - (where(x <= y, 0.0, where(y == y, 1.0, 0.0)) + where(x == y, 0.5, 0.0))) != 0.0 else 0.0``; at a tie (the
    indicator ``t`` neither 0 nor 1) ``t * px``."""
    bx = px.view(np.int64)
    bq = q.view(np.int64)
    for i in range(q.shape[0]):
        x = xs[i]
        y = ys[i]
        m = where((1.0 - (where(x <= y, 0.0, where(y == y, 1.0, 0.0)) + where(x == y, 0.5, 0.0))) != 0.0, np.int64(-1), np.int64(0))
        bq[i] = bx[i] & m
    ties = 0
    for i in range(q.shape[0]):
        x = xs[i]
        y = ys[i]
        t = 1.0 - (where(x <= y, 0.0, where(y == y, 1.0, 0.0)) + where(x == y, 0.5, 0.0))
        ties += where(t * (1.0 - t) != 0.0, 1, 0)
    if ties:
        for i in range(q.shape[0]):
            x = xs[i]
            y = ys[i]
            t = 1.0 - (where(x <= y, 0.0, where(y == y, 1.0, 0.0)) + where(x == y, 0.5, 0.0))
            if t != 0.0 and t != 1.0:
                q[i] = t * px[i]


def d_fmin_x(xs, ys, outs, px, q):
    """``np.fmin``: ``q[i, :] = px if (1.0 - (where(x <= y, 0.0, where(y == y, 1.0, 0.0)) + where(x == y, 0.5, 0.0))) != 0.0 else 0.0``; at a tie (the indicator
    ``t`` neither 0 nor 1) ``t * px``.  Rows of 4 or 2
    partials: a loop of that constant length, which the compiler vectorizes across
    rows (the mask an integer select); other lengths: a loop over ``n`` per row."""
    rows, n = q.shape
    bx = px.view(np.int64)
    bq = q.view(np.int64)
    if n == 4:
        for i in range(rows):
            x = xs[i]
            y = ys[i]
            m = where((1.0 - (where(x <= y, 0.0, where(y == y, 1.0, 0.0)) + where(x == y, 0.5, 0.0))) != 0.0, np.int64(-1), np.int64(0))
            for k in range(4):
                bq[i, k] = bx[i, k] & m
    elif n == 2:
        for i in range(rows):
            x = xs[i]
            y = ys[i]
            m = where((1.0 - (where(x <= y, 0.0, where(y == y, 1.0, 0.0)) + where(x == y, 0.5, 0.0))) != 0.0, np.int64(-1), np.int64(0))
            for k in range(2):
                bq[i, k] = bx[i, k] & m
    else:
        for i in range(rows):
            x = xs[i]
            y = ys[i]
            m = -np.int64(1.0 - (where(x <= y, 0.0, where(y == y, 1.0, 0.0)) + where(x == y, 0.5, 0.0)))
            for k in range(n):
                bq[i, k] = bx[i, k] & m
    ties = 0
    for i in range(rows):
        x = xs[i]
        y = ys[i]
        t = 1.0 - (where(x <= y, 0.0, where(y == y, 1.0, 0.0)) + where(x == y, 0.5, 0.0))
        ties += where(t * (1.0 - t) != 0.0, 1, 0)
    if ties:
        for i in range(rows):
            x = xs[i]
            y = ys[i]
            t = 1.0 - (where(x <= y, 0.0, where(y == y, 1.0, 0.0)) + where(x == y, 0.5, 0.0))
            if t != 0.0 and t != 1.0:
                for k in range(n):
                    q[i, k] = t * px[i, k]


def d_fmin_y_flat(xs, ys, outs, py, q):
    """``np.fmin``, one direction: ``q = py if (where(x <= y, 0.0, where(y == y, 1.0, 0.0)) + where(x == y, 0.5, 0.0)) != 0.0 else 0.0``; at a tie (the
    indicator ``t`` neither 0 nor 1) ``t * py``."""
    by = py.view(np.int64)
    bq = q.view(np.int64)
    for i in range(q.shape[0]):
        x = xs[i]
        y = ys[i]
        m = where((where(x <= y, 0.0, where(y == y, 1.0, 0.0)) + where(x == y, 0.5, 0.0)) != 0.0, np.int64(-1), np.int64(0))
        bq[i] = by[i] & m
    ties = 0
    for i in range(q.shape[0]):
        x = xs[i]
        y = ys[i]
        t = where(x <= y, 0.0, where(y == y, 1.0, 0.0)) + where(x == y, 0.5, 0.0)
        ties += where(t * (1.0 - t) != 0.0, 1, 0)
    if ties:
        for i in range(q.shape[0]):
            x = xs[i]
            y = ys[i]
            t = where(x <= y, 0.0, where(y == y, 1.0, 0.0)) + where(x == y, 0.5, 0.0)
            if t != 0.0 and t != 1.0:
                q[i] = t * py[i]


def d_fmin_y(xs, ys, outs, py, q):
    """``np.fmin``: ``q[i, :] = py if (where(x <= y, 0.0, where(y == y, 1.0, 0.0)) + where(x == y, 0.5, 0.0)) != 0.0 else 0.0``; at a tie (the indicator
    ``t`` neither 0 nor 1) ``t * py``.  Rows of 4 or 2
    partials: a loop of that constant length, which the compiler vectorizes across
    rows (the mask an integer select); other lengths: a loop over ``n`` per row."""
    rows, n = q.shape
    by = py.view(np.int64)
    bq = q.view(np.int64)
    if n == 4:
        for i in range(rows):
            x = xs[i]
            y = ys[i]
            m = where((where(x <= y, 0.0, where(y == y, 1.0, 0.0)) + where(x == y, 0.5, 0.0)) != 0.0, np.int64(-1), np.int64(0))
            for k in range(4):
                bq[i, k] = by[i, k] & m
    elif n == 2:
        for i in range(rows):
            x = xs[i]
            y = ys[i]
            m = where((where(x <= y, 0.0, where(y == y, 1.0, 0.0)) + where(x == y, 0.5, 0.0)) != 0.0, np.int64(-1), np.int64(0))
            for k in range(2):
                bq[i, k] = by[i, k] & m
    else:
        for i in range(rows):
            x = xs[i]
            y = ys[i]
            m = -np.int64(where(x <= y, 0.0, where(y == y, 1.0, 0.0)) + where(x == y, 0.5, 0.0))
            for k in range(n):
                bq[i, k] = by[i, k] & m
    ties = 0
    for i in range(rows):
        x = xs[i]
        y = ys[i]
        t = where(x <= y, 0.0, where(y == y, 1.0, 0.0)) + where(x == y, 0.5, 0.0)
        ties += where(t * (1.0 - t) != 0.0, 1, 0)
    if ties:
        for i in range(rows):
            x = xs[i]
            y = ys[i]
            t = where(x <= y, 0.0, where(y == y, 1.0, 0.0)) + where(x == y, 0.5, 0.0)
            if t != 0.0 and t != 1.0:
                for k in range(n):
                    q[i, k] = t * py[i, k]


def d_fmin_xy_flat(xs, ys, outs, px, py, q):
    """``np.fmin``, one direction: ``q = py if (where(x <= y, 0.0, where(y == y, 1.0, 0.0)) + where(x == y, 0.5, 0.0)) != 0.0 else px``; at a tie (the
    indicator ``t`` neither 0 nor 1) ``t * py + (1 - t) * px``."""
    bx = px.view(np.int64)
    by = py.view(np.int64)
    bq = q.view(np.int64)
    for i in range(q.shape[0]):
        x = xs[i]
        y = ys[i]
        m = where((where(x <= y, 0.0, where(y == y, 1.0, 0.0)) + where(x == y, 0.5, 0.0)) != 0.0, np.int64(-1), np.int64(0))
        bq[i] = (by[i] & m) | (bx[i] & ~m)
    ties = 0
    for i in range(q.shape[0]):
        x = xs[i]
        y = ys[i]
        t = where(x <= y, 0.0, where(y == y, 1.0, 0.0)) + where(x == y, 0.5, 0.0)
        ties += where(t * (1.0 - t) != 0.0, 1, 0)
    if ties:
        for i in range(q.shape[0]):
            x = xs[i]
            y = ys[i]
            t = where(x <= y, 0.0, where(y == y, 1.0, 0.0)) + where(x == y, 0.5, 0.0)
            if t != 0.0 and t != 1.0:
                q[i] = t * py[i] + (1.0 - t) * px[i]


def d_fmin_xy(xs, ys, outs, px, py, q):
    """``np.fmin``: ``q[i, :] = py if (where(x <= y, 0.0, where(y == y, 1.0, 0.0)) + where(x == y, 0.5, 0.0)) != 0.0 else px``; at a tie (the indicator
    ``t`` neither 0 nor 1) ``t * py + (1 - t) * px``.  Rows of 4 or 2
    partials: a loop of that constant length, which the compiler vectorizes across
    rows (the mask an integer select); other lengths: a loop over ``n`` per row."""
    rows, n = q.shape
    bx = px.view(np.int64)
    by = py.view(np.int64)
    bq = q.view(np.int64)
    if n == 4:
        for i in range(rows):
            x = xs[i]
            y = ys[i]
            m = where((where(x <= y, 0.0, where(y == y, 1.0, 0.0)) + where(x == y, 0.5, 0.0)) != 0.0, np.int64(-1), np.int64(0))
            for k in range(4):
                bq[i, k] = (by[i, k] & m) | (bx[i, k] & ~m)
    elif n == 2:
        for i in range(rows):
            x = xs[i]
            y = ys[i]
            m = where((where(x <= y, 0.0, where(y == y, 1.0, 0.0)) + where(x == y, 0.5, 0.0)) != 0.0, np.int64(-1), np.int64(0))
            for k in range(2):
                bq[i, k] = (by[i, k] & m) | (bx[i, k] & ~m)
    else:
        for i in range(rows):
            x = xs[i]
            y = ys[i]
            m = -np.int64(where(x <= y, 0.0, where(y == y, 1.0, 0.0)) + where(x == y, 0.5, 0.0))
            for k in range(n):
                bq[i, k] = (by[i, k] & m) | (bx[i, k] & ~m)
    ties = 0
    for i in range(rows):
        x = xs[i]
        y = ys[i]
        t = where(x <= y, 0.0, where(y == y, 1.0, 0.0)) + where(x == y, 0.5, 0.0)
        ties += where(t * (1.0 - t) != 0.0, 1, 0)
    if ties:
        for i in range(rows):
            x = xs[i]
            y = ys[i]
            t = where(x <= y, 0.0, where(y == y, 1.0, 0.0)) + where(x == y, 0.5, 0.0)
            if t != 0.0 and t != 1.0:
                for k in range(n):
                    q[i, k] = t * py[i, k] + (1.0 - t) * px[i, k]


def d_fmin_xy_small(xs, ys, outs, px, py, q):
    """``np.fmin``, small arrays: ``q[i, :] = py if (where(x <= y, 0.0, where(y == y, 1.0, 0.0)) + where(x == y, 0.5, 0.0)) != 0.0 else px``; at a tie (the
    indicator ``t`` neither 0 nor 1) ``t * py + (1 - t) * px``; True (its indicators are 0, 1/2
    or 1: always finite).  Rows of 4 or 2 partials: the large kernel's loop of
    constant length, vectorized across rows (the lean path takes 1-D values of any
    size)."""
    rows, n = q.shape
    bx = px.view(np.int64)
    by = py.view(np.int64)
    bq = q.view(np.int64)
    if n == 4:
        for i in range(rows):
            x = xs[i]
            y = ys[i]
            m = where((where(x <= y, 0.0, where(y == y, 1.0, 0.0)) + where(x == y, 0.5, 0.0)) != 0.0, np.int64(-1), np.int64(0))
            for k in range(4):
                bq[i, k] = (by[i, k] & m) | (bx[i, k] & ~m)
    elif n == 2:
        for i in range(rows):
            x = xs[i]
            y = ys[i]
            m = where((where(x <= y, 0.0, where(y == y, 1.0, 0.0)) + where(x == y, 0.5, 0.0)) != 0.0, np.int64(-1), np.int64(0))
            for k in range(2):
                bq[i, k] = (by[i, k] & m) | (bx[i, k] & ~m)
    else:
        for i in range(rows):
            x = xs[i]
            y = ys[i]
            m = -np.int64(where(x <= y, 0.0, where(y == y, 1.0, 0.0)) + where(x == y, 0.5, 0.0))
            for k in range(n):
                bq[i, k] = (by[i, k] & m) | (bx[i, k] & ~m)
    ties = 0
    for i in range(rows):
        x = xs[i]
        y = ys[i]
        t = where(x <= y, 0.0, where(y == y, 1.0, 0.0)) + where(x == y, 0.5, 0.0)
        ties += where(t * (1.0 - t) != 0.0, 1, 0)
    if ties:
        for i in range(rows):
            x = xs[i]
            y = ys[i]
            t = where(x <= y, 0.0, where(y == y, 1.0, 0.0)) + where(x == y, 0.5, 0.0)
            if t != 0.0 and t != 1.0:
                for k in range(n):
                    q[i, k] = t * py[i, k] + (1.0 - t) * px[i, k]
    return True


def d_add_x_const(x, ys, outs, row, q):
    """``np.add`` of a plain 1-D array and a scalar dual ``x`` (its row
    ``row``): ``q[i, :] = (1.0) * row``; False for operands of other lengths,
    where the factor is not finite, or their sum overflows."""
    rows, n = q.shape
    if ys.shape[0] != rows or outs.shape[0] != rows or row.shape[0] != n:
        return False
    s = 0.0
    for i in range(rows):
        f = 1.0
        if f - f != 0.0:
            return False
        s += f
        for k in range(n):
            q[i, k] = row[k]
    return s - s == 0.0


def d_add_x_const_value(x, ys, outs, row, q):
    """``np.add`` of a plain 1-D array and a scalar dual ``x`` (its row
    ``row``), and its value: ``outs[i] = x + y``, ``q[i, :] = (1.0) * row``;
    False for operands of other lengths, at the first element whose value NumPy would
    report, where the factor is not finite, or their sum overflows."""
    rows, n = q.shape
    if ys.shape[0] != rows or outs.shape[0] != rows or row.shape[0] != n:
        return False
    s = 0.0
    for i in range(rows):
        y = ys[i]
        out = x + y
        if not (out - out == 0.0):
            return False
        f = 1.0
        if f - f != 0.0:
            return False
        s += f
        outs[i] = out
        for k in range(n):
            q[i, k] = row[k]
    return s - s == 0.0


def d_add_y_const(xs, y, outs, row, q):
    """``np.add`` of a plain 1-D array and a scalar dual ``y`` (its row
    ``row``): ``q[i, :] = (1.0) * row``; False for operands of other lengths,
    where the factor is not finite, or their sum overflows."""
    rows, n = q.shape
    if xs.shape[0] != rows or outs.shape[0] != rows or row.shape[0] != n:
        return False
    s = 0.0
    for i in range(rows):
        f = 1.0
        if f - f != 0.0:
            return False
        s += f
        for k in range(n):
            q[i, k] = row[k]
    return s - s == 0.0


def d_add_y_const_value(xs, y, outs, row, q):
    """``np.add`` of a plain 1-D array and a scalar dual ``y`` (its row
    ``row``), and its value: ``outs[i] = x + y``, ``q[i, :] = (1.0) * row``;
    False for operands of other lengths, at the first element whose value NumPy would
    report, where the factor is not finite, or their sum overflows."""
    rows, n = q.shape
    if xs.shape[0] != rows or outs.shape[0] != rows or row.shape[0] != n:
        return False
    s = 0.0
    for i in range(rows):
        x = xs[i]
        out = x + y
        if not (out - out == 0.0):
            return False
        f = 1.0
        if f - f != 0.0:
            return False
        s += f
        outs[i] = out
        for k in range(n):
            q[i, k] = row[k]
    return s - s == 0.0


def d_subtract_x_const(x, ys, outs, row, q):
    """``np.subtract`` of a plain 1-D array and a scalar dual ``x`` (its row
    ``row``): ``q[i, :] = (1.0) * row``; False for operands of other lengths,
    where the factor is not finite, or their sum overflows."""
    rows, n = q.shape
    if ys.shape[0] != rows or outs.shape[0] != rows or row.shape[0] != n:
        return False
    s = 0.0
    for i in range(rows):
        f = 1.0
        if f - f != 0.0:
            return False
        s += f
        for k in range(n):
            q[i, k] = row[k]
    return s - s == 0.0


def d_subtract_x_const_value(x, ys, outs, row, q):
    """``np.subtract`` of a plain 1-D array and a scalar dual ``x`` (its row
    ``row``), and its value: ``outs[i] = x - y``, ``q[i, :] = (1.0) * row``;
    False for operands of other lengths, at the first element whose value NumPy would
    report, where the factor is not finite, or their sum overflows."""
    rows, n = q.shape
    if ys.shape[0] != rows or outs.shape[0] != rows or row.shape[0] != n:
        return False
    s = 0.0
    for i in range(rows):
        y = ys[i]
        out = x - y
        if not (out - out == 0.0):
            return False
        f = 1.0
        if f - f != 0.0:
            return False
        s += f
        outs[i] = out
        for k in range(n):
            q[i, k] = row[k]
    return s - s == 0.0


def d_subtract_y_const(xs, y, outs, row, q):
    """``np.subtract`` of a plain 1-D array and a scalar dual ``y`` (its row
    ``row``): ``q[i, :] = (-1.0) * row``; False for operands of other lengths,
    where the factor is not finite, or their sum overflows."""
    rows, n = q.shape
    if xs.shape[0] != rows or outs.shape[0] != rows or row.shape[0] != n:
        return False
    s = 0.0
    for i in range(rows):
        f = -1.0
        if f - f != 0.0:
            return False
        s += f
        for k in range(n):
            q[i, k] = -row[k]
    return s - s == 0.0


def d_subtract_y_const_value(xs, y, outs, row, q):
    """``np.subtract`` of a plain 1-D array and a scalar dual ``y`` (its row
    ``row``), and its value: ``outs[i] = x - y``, ``q[i, :] = (-1.0) * row``;
    False for operands of other lengths, at the first element whose value NumPy would
    report, where the factor is not finite, or their sum overflows."""
    rows, n = q.shape
    if xs.shape[0] != rows or outs.shape[0] != rows or row.shape[0] != n:
        return False
    s = 0.0
    for i in range(rows):
        x = xs[i]
        out = x - y
        if not (out - out == 0.0):
            return False
        f = -1.0
        if f - f != 0.0:
            return False
        s += f
        outs[i] = out
        for k in range(n):
            q[i, k] = -row[k]
    return s - s == 0.0


def d_multiply_x_const(x, ys, outs, row, q):
    """``np.multiply`` of a plain 1-D array and a scalar dual ``x`` (its row
    ``row``): ``q[i, :] = (y) * row``; False for operands of other lengths,
    where the factor is not finite, or their sum overflows."""
    rows, n = q.shape
    if ys.shape[0] != rows or outs.shape[0] != rows or row.shape[0] != n:
        return False
    s = 0.0
    for i in range(rows):
        y = ys[i]
        f = y
        if f - f != 0.0:
            return False
        s += f
        for k in range(n):
            q[i, k] = f * row[k]
    return s - s == 0.0


def d_multiply_x_const_value(x, ys, outs, row, q):
    """``np.multiply`` of a plain 1-D array and a scalar dual ``x`` (its row
    ``row``), and its value: ``outs[i] = x * y``, ``q[i, :] = (y) * row``;
    False for operands of other lengths, at the first element whose value NumPy would
    report, where the factor is not finite, or their sum overflows."""
    rows, n = q.shape
    if ys.shape[0] != rows or outs.shape[0] != rows or row.shape[0] != n:
        return False
    s = 0.0
    for i in range(rows):
        y = ys[i]
        out = x * y
        if not (out - out == 0.0 and (abs(out) >= 2.2250738585072014e-308 or x == 0.0 or y == 0.0)):
            return False
        f = y
        if f - f != 0.0:
            return False
        s += f
        outs[i] = out
        for k in range(n):
            q[i, k] = f * row[k]
    return s - s == 0.0


def d_multiply_y_const(xs, y, outs, row, q):
    """``np.multiply`` of a plain 1-D array and a scalar dual ``y`` (its row
    ``row``): ``q[i, :] = (x) * row``; False for operands of other lengths,
    where the factor is not finite, or their sum overflows."""
    rows, n = q.shape
    if xs.shape[0] != rows or outs.shape[0] != rows or row.shape[0] != n:
        return False
    s = 0.0
    for i in range(rows):
        x = xs[i]
        f = x
        if f - f != 0.0:
            return False
        s += f
        for k in range(n):
            q[i, k] = f * row[k]
    return s - s == 0.0


def d_multiply_y_const_value(xs, y, outs, row, q):
    """``np.multiply`` of a plain 1-D array and a scalar dual ``y`` (its row
    ``row``), and its value: ``outs[i] = x * y``, ``q[i, :] = (x) * row``;
    False for operands of other lengths, at the first element whose value NumPy would
    report, where the factor is not finite, or their sum overflows."""
    rows, n = q.shape
    if xs.shape[0] != rows or outs.shape[0] != rows or row.shape[0] != n:
        return False
    s = 0.0
    for i in range(rows):
        x = xs[i]
        out = x * y
        if not (out - out == 0.0 and (abs(out) >= 2.2250738585072014e-308 or x == 0.0 or y == 0.0)):
            return False
        f = x
        if f - f != 0.0:
            return False
        s += f
        outs[i] = out
        for k in range(n):
            q[i, k] = f * row[k]
    return s - s == 0.0


def d_divide_x_const(x, ys, outs, row, q):
    """``np.divide`` of a plain 1-D array and a scalar dual ``x`` (its row
    ``row``): ``q[i, :] = (1.0 / y) * row``; False for operands of other lengths,
    where the factor is not finite, or their sum overflows."""
    rows, n = q.shape
    if ys.shape[0] != rows or outs.shape[0] != rows or row.shape[0] != n:
        return False
    s = 0.0
    for i in range(rows):
        y = ys[i]
        f = 1.0 / y
        if f - f != 0.0:
            return False
        s += f
        for k in range(n):
            q[i, k] = f * row[k]
    return s - s == 0.0


def d_divide_x_const_value(x, ys, outs, row, q):
    """``np.divide`` of a plain 1-D array and a scalar dual ``x`` (its row
    ``row``), and its value: ``outs[i] = x / y``, ``q[i, :] = (1.0 / y) * row``;
    False for operands of other lengths, at the first element whose value NumPy would
    report, where the factor is not finite, or their sum overflows."""
    rows, n = q.shape
    if ys.shape[0] != rows or outs.shape[0] != rows or row.shape[0] != n:
        return False
    s = 0.0
    for i in range(rows):
        y = ys[i]
        out = x / y
        if not (out - out == 0.0 and (abs(out) >= 2.2250738585072014e-308 or x == 0.0)):
            return False
        f = 1.0 / y
        if f - f != 0.0:
            return False
        s += f
        outs[i] = out
        for k in range(n):
            q[i, k] = f * row[k]
    return s - s == 0.0


def d_divide_y_const(xs, y, outs, row, q):
    """``np.divide`` of a plain 1-D array and a scalar dual ``y`` (its row
    ``row``): ``q[i, :] = (-out / y) * row``; False for operands of other lengths,
    where the factor is not finite, below the smallest normal number beside ``-out`` nonzero, or their sum overflows."""
    rows, n = q.shape
    if xs.shape[0] != rows or outs.shape[0] != rows or row.shape[0] != n:
        return False
    s = 0.0
    for i in range(rows):
        out = outs[i]
        f = -out / y
        if f - f != 0.0 or -2.2250738585072014e-308 < f < 2.2250738585072014e-308 and -out != 0.0:
            return False
        s += f
        for k in range(n):
            q[i, k] = f * row[k]
    return s - s == 0.0


def d_divide_y_const_value(xs, y, outs, row, q):
    """``np.divide`` of a plain 1-D array and a scalar dual ``y`` (its row
    ``row``), and its value: ``outs[i] = x / y``, ``q[i, :] = (-out / y) * row``;
    False for operands of other lengths, at the first element whose value NumPy would
    report, where the factor is not finite, below the smallest normal number beside ``-out`` nonzero, or their sum overflows."""
    rows, n = q.shape
    if xs.shape[0] != rows or outs.shape[0] != rows or row.shape[0] != n:
        return False
    s = 0.0
    for i in range(rows):
        x = xs[i]
        out = x / y
        if not (out - out == 0.0 and (abs(out) >= 2.2250738585072014e-308 or x == 0.0)):
            return False
        f = -out / y
        if f - f != 0.0 or -2.2250738585072014e-308 < f < 2.2250738585072014e-308 and -out != 0.0:
            return False
        s += f
        outs[i] = out
        for k in range(n):
            q[i, k] = f * row[k]
    return s - s == 0.0


def d_arctan2_x_const(x, ys, outs, row, q):
    """``np.arctan2`` of a plain 1-D array and a scalar dual ``x`` (its row
    ``row``): ``q[i, :] = (where(y - y == 0.0, where(x * x + y * y > 1e+300, y * 2.409919865102884e-181 / (x * 2.409919865102884e-181 * (x * 2.409919865102884e-181) + y * 2.409919865102884e-181 * (y * 2.409919865102884e-181)) * 2.409919865102884e-181, where(x * x + y * y < 1e-200, y * 4.149515568880993e+180 / (x * 4.149515568880993e+180 * (x * 4.149515568880993e+180) + y * 4.149515568880993e+180 * (y * 4.149515568880993e+180)) * 4.149515568880993e+180, y / (x * x + y * y))), where(y == y, x - x, y))) * row``; False for operands of other lengths,
    where the factor is not finite, below the smallest normal number beside ``where(np.absolute(x) <= np.absolute(y), 1.0 / y, y / x)`` nonzero, or their sum overflows."""
    rows, n = q.shape
    if ys.shape[0] != rows or outs.shape[0] != rows or row.shape[0] != n:
        return False
    s = 0.0
    for i in range(rows):
        y = ys[i]
        f = where(y - y == 0.0, where(x * x + y * y > 1e+300, y * 2.409919865102884e-181 / (x * 2.409919865102884e-181 * (x * 2.409919865102884e-181) + y * 2.409919865102884e-181 * (y * 2.409919865102884e-181)) * 2.409919865102884e-181, where(x * x + y * y < 1e-200, y * 4.149515568880993e+180 / (x * 4.149515568880993e+180 * (x * 4.149515568880993e+180) + y * 4.149515568880993e+180 * (y * 4.149515568880993e+180)) * 4.149515568880993e+180, y / (x * x + y * y))), where(y == y, x - x, y))
        if f - f != 0.0 or -2.2250738585072014e-308 < f < 2.2250738585072014e-308 and where(np.absolute(x) <= np.absolute(y), 1.0 / y, y / x) != 0.0:
            return False
        s += f
        for k in range(n):
            q[i, k] = f * row[k]
    return s - s == 0.0


def d_arctan2_x_const_loops(loops, x, ys, outs, row, q):
    """``np.arctan2`` of a plain 1-D array and a scalar dual ``x`` (its row
    ``row``), its value by NumPy's loop (the table ``loops``) and ``q[i, :] =
    (where(y - y == 0.0, where(x * x + y * y > 1e+300, y * 2.409919865102884e-181 / (x * 2.409919865102884e-181 * (x * 2.409919865102884e-181) + y * 2.409919865102884e-181 * (y * 2.409919865102884e-181)) * 2.409919865102884e-181, where(x * x + y * y < 1e-200, y * 4.149515568880993e+180 / (x * 4.149515568880993e+180 * (x * 4.149515568880993e+180) + y * 4.149515568880993e+180 * (y * 4.149515568880993e+180)) * 4.149515568880993e+180, y / (x * x + y * y))), where(y == y, x - x, y))) * row``; False where the array is not contiguous and aligned, for
    operands of other lengths or no directions, where the value's loop sets a flag
    NumPy's call would report, the factor is not finite, below the smallest normal number beside ``where(np.absolute(x) <= np.absolute(y), 1.0 / y, y / x)`` nonzero, or their sum
    overflows."""
    rows, n = q.shape
    if ys.shape[0] != rows or outs.shape[0] != rows or row.shape[0] != n or rows == 0 or n == 0 or ys.strides[0] != 8 or \
            ys.ctypes.data % 8 != 0:
        return False
    q[0, 0] = x
    mask = np.int32(loops[0])
    if fe_test(mask) != 0:      # (as NumPy: a clear costs ~6 tests)
        fe_clear(mask)
    if numpy_loop2_steps(loops[1], loops[2], loops[3], q.ctypes.data, ys.ctypes.data, outs.ctypes.data,
                         rows, 0, 8) != 0 or fe_test(mask) != 0:
        fe_clear(mask)
        return False
    s = 0.0
    for i in range(rows):
        y = ys[i]
        f = where(y - y == 0.0, where(x * x + y * y > 1e+300, y * 2.409919865102884e-181 / (x * 2.409919865102884e-181 * (x * 2.409919865102884e-181) + y * 2.409919865102884e-181 * (y * 2.409919865102884e-181)) * 2.409919865102884e-181, where(x * x + y * y < 1e-200, y * 4.149515568880993e+180 / (x * 4.149515568880993e+180 * (x * 4.149515568880993e+180) + y * 4.149515568880993e+180 * (y * 4.149515568880993e+180)) * 4.149515568880993e+180, y / (x * x + y * y))), where(y == y, x - x, y))
        if f - f != 0.0 or -2.2250738585072014e-308 < f < 2.2250738585072014e-308 and where(np.absolute(x) <= np.absolute(y), 1.0 / y, y / x) != 0.0:
            return False
        s += f
        for k in range(n):
            q[i, k] = f * row[k]
    return s - s == 0.0


def d_arctan2_y_const(xs, y, outs, row, q):
    """``np.arctan2`` of a plain 1-D array and a scalar dual ``y`` (its row
    ``row``): ``q[i, :] = (where(x - x == 0.0, where(x * x + y * y > 1e+300, -(x * 2.409919865102884e-181) / (x * 2.409919865102884e-181 * (x * 2.409919865102884e-181) + y * 2.409919865102884e-181 * (y * 2.409919865102884e-181)) * 2.409919865102884e-181, where(x * x + y * y < 1e-200, -(x * 4.149515568880993e+180) / (x * 4.149515568880993e+180 * (x * 4.149515568880993e+180) + y * 4.149515568880993e+180 * (y * 4.149515568880993e+180)) * 4.149515568880993e+180, -x / (x * x + y * y))), where(x == x, y - y, x))) * row``; False for operands of other lengths,
    where the factor is not finite, below the smallest normal number beside ``where(np.absolute(y) <= np.absolute(x), -1.0 / x, -x / y)`` nonzero, or their sum overflows."""
    rows, n = q.shape
    if xs.shape[0] != rows or outs.shape[0] != rows or row.shape[0] != n:
        return False
    s = 0.0
    for i in range(rows):
        x = xs[i]
        f = where(x - x == 0.0, where(x * x + y * y > 1e+300, -(x * 2.409919865102884e-181) / (x * 2.409919865102884e-181 * (x * 2.409919865102884e-181) + y * 2.409919865102884e-181 * (y * 2.409919865102884e-181)) * 2.409919865102884e-181, where(x * x + y * y < 1e-200, -(x * 4.149515568880993e+180) / (x * 4.149515568880993e+180 * (x * 4.149515568880993e+180) + y * 4.149515568880993e+180 * (y * 4.149515568880993e+180)) * 4.149515568880993e+180, -x / (x * x + y * y))), where(x == x, y - y, x))
        if f - f != 0.0 or -2.2250738585072014e-308 < f < 2.2250738585072014e-308 and where(np.absolute(y) <= np.absolute(x), -1.0 / x, -x / y) != 0.0:
            return False
        s += f
        for k in range(n):
            q[i, k] = f * row[k]
    return s - s == 0.0


def d_arctan2_y_const_loops(loops, xs, y, outs, row, q):
    """``np.arctan2`` of a plain 1-D array and a scalar dual ``y`` (its row
    ``row``), its value by NumPy's loop (the table ``loops``) and ``q[i, :] =
    (where(x - x == 0.0, where(x * x + y * y > 1e+300, -(x * 2.409919865102884e-181) / (x * 2.409919865102884e-181 * (x * 2.409919865102884e-181) + y * 2.409919865102884e-181 * (y * 2.409919865102884e-181)) * 2.409919865102884e-181, where(x * x + y * y < 1e-200, -(x * 4.149515568880993e+180) / (x * 4.149515568880993e+180 * (x * 4.149515568880993e+180) + y * 4.149515568880993e+180 * (y * 4.149515568880993e+180)) * 4.149515568880993e+180, -x / (x * x + y * y))), where(x == x, y - y, x))) * row``; False where the array is not contiguous and aligned, for
    operands of other lengths or no directions, where the value's loop sets a flag
    NumPy's call would report, the factor is not finite, below the smallest normal number beside ``where(np.absolute(y) <= np.absolute(x), -1.0 / x, -x / y)`` nonzero, or their sum
    overflows."""
    rows, n = q.shape
    if xs.shape[0] != rows or outs.shape[0] != rows or row.shape[0] != n or rows == 0 or n == 0 or xs.strides[0] != 8 or \
            xs.ctypes.data % 8 != 0:
        return False
    q[0, 0] = y
    mask = np.int32(loops[0])
    if fe_test(mask) != 0:      # (as NumPy: a clear costs ~6 tests)
        fe_clear(mask)
    if numpy_loop2_steps(loops[1], loops[2], loops[3], xs.ctypes.data, q.ctypes.data, outs.ctypes.data,
                         rows, 8, 0) != 0 or fe_test(mask) != 0:
        fe_clear(mask)
        return False
    s = 0.0
    for i in range(rows):
        x = xs[i]
        f = where(x - x == 0.0, where(x * x + y * y > 1e+300, -(x * 2.409919865102884e-181) / (x * 2.409919865102884e-181 * (x * 2.409919865102884e-181) + y * 2.409919865102884e-181 * (y * 2.409919865102884e-181)) * 2.409919865102884e-181, where(x * x + y * y < 1e-200, -(x * 4.149515568880993e+180) / (x * 4.149515568880993e+180 * (x * 4.149515568880993e+180) + y * 4.149515568880993e+180 * (y * 4.149515568880993e+180)) * 4.149515568880993e+180, -x / (x * x + y * y))), where(x == x, y - y, x))
        if f - f != 0.0 or -2.2250738585072014e-308 < f < 2.2250738585072014e-308 and where(np.absolute(y) <= np.absolute(x), -1.0 / x, -x / y) != 0.0:
            return False
        s += f
        for k in range(n):
            q[i, k] = f * row[k]
    return s - s == 0.0


def d_hypot_x_const(x, ys, outs, row, q):
    """``np.hypot`` of a plain 1-D array and a scalar dual ``x`` (its row
    ``row``): ``q[i, :] = (where(out == 0.0, 0.0, where(np.absolute(y) <= np.absolute(x), sign(x) / np.sqrt(1.0 + y / x * (y / x)), x / out))) * row``; False for operands of other lengths,
    where the factor is not finite, or their sum overflows."""
    rows, n = q.shape
    if ys.shape[0] != rows or outs.shape[0] != rows or row.shape[0] != n:
        return False
    s = 0.0
    for i in range(rows):
        y = ys[i]
        out = outs[i]
        f = where(out == 0.0, 0.0, where(np.absolute(y) <= np.absolute(x), sign(x) / np.sqrt(1.0 + y / x * (y / x)), x / out))
        if f - f != 0.0:
            return False
        s += f
        for k in range(n):
            q[i, k] = f * row[k]
    return s - s == 0.0


def d_hypot_x_const_loops(loops, x, ys, outs, row, q):
    """``np.hypot`` of a plain 1-D array and a scalar dual ``x`` (its row
    ``row``), its value by NumPy's loop (the table ``loops``) and ``q[i, :] =
    (where(out == 0.0, 0.0, where(np.absolute(y) <= np.absolute(x), sign(x) / np.sqrt(1.0 + y / x * (y / x)), x / out))) * row``; False where the array is not contiguous and aligned, for
    operands of other lengths or no directions, where the value's loop sets a flag
    NumPy's call would report, the factor is not finite, or their sum
    overflows."""
    rows, n = q.shape
    if ys.shape[0] != rows or outs.shape[0] != rows or row.shape[0] != n or rows == 0 or n == 0 or ys.strides[0] != 8 or \
            ys.ctypes.data % 8 != 0:
        return False
    q[0, 0] = x
    mask = np.int32(loops[0])
    if fe_test(mask) != 0:      # (as NumPy: a clear costs ~6 tests)
        fe_clear(mask)
    if numpy_loop2_steps(loops[1], loops[2], loops[3], q.ctypes.data, ys.ctypes.data, outs.ctypes.data,
                         rows, 0, 8) != 0 or fe_test(mask) != 0:
        fe_clear(mask)
        return False
    s = 0.0
    for i in range(rows):
        y = ys[i]
        out = outs[i]
        f = where(out == 0.0, 0.0, where(np.absolute(y) <= np.absolute(x), sign(x) / np.sqrt(1.0 + y / x * (y / x)), x / out))
        if f - f != 0.0:
            return False
        s += f
        for k in range(n):
            q[i, k] = f * row[k]
    return s - s == 0.0


def d_hypot_y_const(xs, y, outs, row, q):
    """``np.hypot`` of a plain 1-D array and a scalar dual ``y`` (its row
    ``row``): ``q[i, :] = (where(out == 0.0, 0.0, where(np.absolute(x) <= np.absolute(y), sign(y) / np.sqrt(1.0 + x / y * (x / y)), y / out))) * row``; False for operands of other lengths,
    where the factor is not finite, or their sum overflows."""
    rows, n = q.shape
    if xs.shape[0] != rows or outs.shape[0] != rows or row.shape[0] != n:
        return False
    s = 0.0
    for i in range(rows):
        x = xs[i]
        out = outs[i]
        f = where(out == 0.0, 0.0, where(np.absolute(x) <= np.absolute(y), sign(y) / np.sqrt(1.0 + x / y * (x / y)), y / out))
        if f - f != 0.0:
            return False
        s += f
        for k in range(n):
            q[i, k] = f * row[k]
    return s - s == 0.0


def d_hypot_y_const_loops(loops, xs, y, outs, row, q):
    """``np.hypot`` of a plain 1-D array and a scalar dual ``y`` (its row
    ``row``), its value by NumPy's loop (the table ``loops``) and ``q[i, :] =
    (where(out == 0.0, 0.0, where(np.absolute(x) <= np.absolute(y), sign(y) / np.sqrt(1.0 + x / y * (x / y)), y / out))) * row``; False where the array is not contiguous and aligned, for
    operands of other lengths or no directions, where the value's loop sets a flag
    NumPy's call would report, the factor is not finite, or their sum
    overflows."""
    rows, n = q.shape
    if xs.shape[0] != rows or outs.shape[0] != rows or row.shape[0] != n or rows == 0 or n == 0 or xs.strides[0] != 8 or \
            xs.ctypes.data % 8 != 0:
        return False
    q[0, 0] = y
    mask = np.int32(loops[0])
    if fe_test(mask) != 0:      # (as NumPy: a clear costs ~6 tests)
        fe_clear(mask)
    if numpy_loop2_steps(loops[1], loops[2], loops[3], xs.ctypes.data, q.ctypes.data, outs.ctypes.data,
                         rows, 8, 0) != 0 or fe_test(mask) != 0:
        fe_clear(mask)
        return False
    s = 0.0
    for i in range(rows):
        x = xs[i]
        out = outs[i]
        f = where(out == 0.0, 0.0, where(np.absolute(x) <= np.absolute(y), sign(y) / np.sqrt(1.0 + x / y * (x / y)), y / out))
        if f - f != 0.0:
            return False
        s += f
        for k in range(n):
            q[i, k] = f * row[k]
    return s - s == 0.0


def d_cos_x_entry(a0s, px, q):
    """``np.cos``, small 1-D values of any layout, given ``a0 = np.sin(x)``:
    ``q[i, :] = (-a0) * px``; False for operands of other lengths, and
    where the local derivative is not finite."""
    rows, n = q.shape
    if a0s.shape[0] != rows or px.shape[0] != rows or px.shape[1] != n:
        return False
    bad = False
    for i in range(rows):
        a0 = a0s[i]
        fx = -a0
        bad |= (fx - fx != 0.0)
        for k in range(n):
            q[i, k] = fx * px[i, k]
    return not bad


def d_tanh_x_entry(xs, a0s, px, q):
    """``np.tanh``, small 1-D values of any layout, given ``a0 = np.cosh(x)``:
    ``q[i, :] = (1.0 / a0 * (1.0 / a0)) * px``; False for operands of other lengths, where ``np.absolute(x) > 374.0``, and
    where the local derivative is not finite."""
    rows, n = q.shape
    if xs.shape[0] != rows or a0s.shape[0] != rows or px.shape[0] != rows or px.shape[1] != n:
        return False
    bad = False
    for i in range(rows):
        x = xs[i]
        a0 = a0s[i]
        fx = 1.0 / a0 * (1.0 / a0)
        bad |= (np.absolute(x) > 374.0) | (fx - fx != 0.0)
        for k in range(n):
            q[i, k] = fx * px[i, k]
    return not bad


def d_tanh_x_loops(loops, xs, outs, px, q):
    """``np.tanh``'s value, part and partials in one call on small 1-D values, NumPy's
    loops of the table ``loops`` (``_numpy_loops.split_loops``) making ``a0 = np.cosh(x)``
    in ``q``: ``q[i, :] = (1.0 / a0 * (1.0 / a0)) * px``; False (nothing usable: the caller's
    lines then run) for ``x`` not contiguous and aligned, other lengths, no directions,
    a report the value's loop would make, where ``np.absolute(x) > 374.0``, and where the local derivative is not finite."""
    n = xs.shape[0]
    rows, m = px.shape
    if rows != n or outs.shape[0] != n or q.shape[0] != n or q.shape[1] != m or \
            n == 0 or m == 0 or xs.strides[0] != 8 or xs.ctypes.data % 8 != 0:
        return False
    mask = np.int32(loops[0])
    if loops[1] != 0:
        if fe_test(mask) != 0:      # (as NumPy: a clear costs ~6 tests)
            fe_clear(mask)
        if numpy_loop(loops[1], loops[2], loops[3], xs.ctypes.data, outs.ctypes.data, n) != 0 \
                or fe_test(mask) != 0:
            fe_clear(mask)
            return False
    done = numpy_loop(loops[4], loops[5], loops[6], xs.ctypes.data, q.ctypes.data, n)
    if fe_test(mask) != 0:      # (as NumPy: a clear costs ~6 tests)
        fe_clear(mask)
    if done != 0:
        return False
    bad = False
    for i in range(n - 1, -1, -1):
        x = xs[i]
        a0 = q[i // m, i % m]
        fx = 1.0 / a0 * (1.0 / a0)
        bad |= (np.absolute(x) > 374.0) | (fx - fx != 0.0)
        for k in range(m):
            q[i, k] = fx * px[i, k]
    return not bad


def d_sc_erf_x_entry(a0s, px, q):
    """``sc.erf``, small 1-D values of any layout, given ``a0 = np.exp(-x * x)``:
    ``q[i, :] = (1.1283791670955126 * a0) * px``; False for operands of other lengths, and
    where the local derivative is not finite."""
    rows, n = q.shape
    if a0s.shape[0] != rows or px.shape[0] != rows or px.shape[1] != n:
        return False
    bad = False
    for i in range(rows):
        a0 = a0s[i]
        fx = 1.1283791670955126 * a0
        bad |= (fx - fx != 0.0)
        for k in range(n):
            q[i, k] = fx * px[i, k]
    return not bad


def d_sc_erf_x_loops(loops, xs, outs, px, q):
    """``sc.erf``'s part and partials in one call on small 1-D values, NumPy's
    loops of the table ``loops`` (``_numpy_loops.split_loops``) making ``a0 = np.exp(-x * x)``
    in ``q``: ``q[i, :] = (1.1283791670955126 * a0) * px``; False (nothing usable: the caller's
    lines then run) for ``x`` not contiguous and aligned, other lengths, no directions,
    and where the local derivative is not finite."""
    n = xs.shape[0]
    rows, m = px.shape
    if rows != n or outs.shape[0] != n or q.shape[0] != n or q.shape[1] != m or \
            n == 0 or m == 0 or xs.strides[0] != 8 or xs.ctypes.data % 8 != 0:
        return False
    mask = np.int32(loops[0])
    if loops[1] != 0:
        if fe_test(mask) != 0:      # (as NumPy: a clear costs ~6 tests)
            fe_clear(mask)
        if numpy_loop(loops[1], loops[2], loops[3], xs.ctypes.data, outs.ctypes.data, n) != 0 \
                or fe_test(mask) != 0:
            fe_clear(mask)
            return False
    for i in range(n):
        x = xs[i]
        q[i // m, i % m] = -x * x
    done = numpy_loop(loops[4], loops[5], loops[6], q.ctypes.data, q.ctypes.data, n)
    if fe_test(mask) != 0:      # (as NumPy: a clear costs ~6 tests)
        fe_clear(mask)
    if done != 0:
        return False
    bad = False
    for i in range(n - 1, -1, -1):
        a0 = q[i // m, i % m]
        fx = 1.1283791670955126 * a0
        bad |= (fx - fx != 0.0)
        for k in range(m):
            q[i, k] = fx * px[i, k]
    return not bad


def d_sc_erfc_x_entry(a0s, px, q):
    """``sc.erfc``, small 1-D values of any layout, given ``a0 = np.exp(-x * x)``:
    ``q[i, :] = (-1.1283791670955126 * a0) * px``; False for operands of other lengths, and
    where the local derivative is not finite."""
    rows, n = q.shape
    if a0s.shape[0] != rows or px.shape[0] != rows or px.shape[1] != n:
        return False
    bad = False
    for i in range(rows):
        a0 = a0s[i]
        fx = -1.1283791670955126 * a0
        bad |= (fx - fx != 0.0)
        for k in range(n):
            q[i, k] = fx * px[i, k]
    return not bad


def d_sc_erfc_x_loops(loops, xs, outs, px, q):
    """``sc.erfc``'s part and partials in one call on small 1-D values, NumPy's
    loops of the table ``loops`` (``_numpy_loops.split_loops``) making ``a0 = np.exp(-x * x)``
    in ``q``: ``q[i, :] = (-1.1283791670955126 * a0) * px``; False (nothing usable: the caller's
    lines then run) for ``x`` not contiguous and aligned, other lengths, no directions,
    and where the local derivative is not finite."""
    n = xs.shape[0]
    rows, m = px.shape
    if rows != n or outs.shape[0] != n or q.shape[0] != n or q.shape[1] != m or \
            n == 0 or m == 0 or xs.strides[0] != 8 or xs.ctypes.data % 8 != 0:
        return False
    mask = np.int32(loops[0])
    if loops[1] != 0:
        if fe_test(mask) != 0:      # (as NumPy: a clear costs ~6 tests)
            fe_clear(mask)
        if numpy_loop(loops[1], loops[2], loops[3], xs.ctypes.data, outs.ctypes.data, n) != 0 \
                or fe_test(mask) != 0:
            fe_clear(mask)
            return False
    for i in range(n):
        x = xs[i]
        q[i // m, i % m] = -x * x
    done = numpy_loop(loops[4], loops[5], loops[6], q.ctypes.data, q.ctypes.data, n)
    if fe_test(mask) != 0:      # (as NumPy: a clear costs ~6 tests)
        fe_clear(mask)
    if done != 0:
        return False
    bad = False
    for i in range(n - 1, -1, -1):
        a0 = q[i // m, i % m]
        fx = -1.1283791670955126 * a0
        bad |= (fx - fx != 0.0)
        for k in range(m):
            q[i, k] = fx * px[i, k]
    return not bad


def d_sc_erfinv_x_entry(a0s, px, q):
    """``sc.erfinv``, small 1-D values of any layout, given ``a0 = np.exp(out * out)``:
    ``q[i, :] = (0.886226925452758 * a0) * px``; False for operands of other lengths, and
    where the local derivative is not finite."""
    rows, n = q.shape
    if a0s.shape[0] != rows or px.shape[0] != rows or px.shape[1] != n:
        return False
    bad = False
    for i in range(rows):
        a0 = a0s[i]
        fx = 0.886226925452758 * a0
        bad |= (fx - fx != 0.0)
        for k in range(n):
            q[i, k] = fx * px[i, k]
    return not bad


def d_sc_erfinv_x_loops(loops, xs, outs, px, q):
    """``sc.erfinv``'s part and partials in one call on small 1-D values, NumPy's
    loops of the table ``loops`` (``_numpy_loops.split_loops``) making ``a0 = np.exp(out * out)``
    in ``q``: ``q[i, :] = (0.886226925452758 * a0) * px``; False (nothing usable: the caller's
    lines then run) for ``x`` not contiguous and aligned, other lengths, no directions,
    and where the local derivative is not finite."""
    n = xs.shape[0]
    rows, m = px.shape
    if rows != n or outs.shape[0] != n or q.shape[0] != n or q.shape[1] != m or \
            n == 0 or m == 0 or xs.strides[0] != 8 or xs.ctypes.data % 8 != 0:
        return False
    mask = np.int32(loops[0])
    if loops[1] != 0:
        if fe_test(mask) != 0:      # (as NumPy: a clear costs ~6 tests)
            fe_clear(mask)
        if numpy_loop(loops[1], loops[2], loops[3], xs.ctypes.data, outs.ctypes.data, n) != 0 \
                or fe_test(mask) != 0:
            fe_clear(mask)
            return False
    for i in range(n):
        out = outs[i]
        q[i // m, i % m] = out * out
    done = numpy_loop(loops[4], loops[5], loops[6], q.ctypes.data, q.ctypes.data, n)
    if fe_test(mask) != 0:      # (as NumPy: a clear costs ~6 tests)
        fe_clear(mask)
    if done != 0:
        return False
    bad = False
    for i in range(n - 1, -1, -1):
        a0 = q[i // m, i % m]
        fx = 0.886226925452758 * a0
        bad |= (fx - fx != 0.0)
        for k in range(m):
            q[i, k] = fx * px[i, k]
    return not bad


def d_sc_erfcinv_x_entry(a0s, px, q):
    """``sc.erfcinv``, small 1-D values of any layout, given ``a0 = np.exp(out * out)``:
    ``q[i, :] = (-0.886226925452758 * a0) * px``; False for operands of other lengths, and
    where the local derivative is not finite."""
    rows, n = q.shape
    if a0s.shape[0] != rows or px.shape[0] != rows or px.shape[1] != n:
        return False
    bad = False
    for i in range(rows):
        a0 = a0s[i]
        fx = -0.886226925452758 * a0
        bad |= (fx - fx != 0.0)
        for k in range(n):
            q[i, k] = fx * px[i, k]
    return not bad


def d_sc_erfcinv_x_loops(loops, xs, outs, px, q):
    """``sc.erfcinv``'s part and partials in one call on small 1-D values, NumPy's
    loops of the table ``loops`` (``_numpy_loops.split_loops``) making ``a0 = np.exp(out * out)``
    in ``q``: ``q[i, :] = (-0.886226925452758 * a0) * px``; False (nothing usable: the caller's
    lines then run) for ``x`` not contiguous and aligned, other lengths, no directions,
    and where the local derivative is not finite."""
    n = xs.shape[0]
    rows, m = px.shape
    if rows != n or outs.shape[0] != n or q.shape[0] != n or q.shape[1] != m or \
            n == 0 or m == 0 or xs.strides[0] != 8 or xs.ctypes.data % 8 != 0:
        return False
    mask = np.int32(loops[0])
    if loops[1] != 0:
        if fe_test(mask) != 0:      # (as NumPy: a clear costs ~6 tests)
            fe_clear(mask)
        if numpy_loop(loops[1], loops[2], loops[3], xs.ctypes.data, outs.ctypes.data, n) != 0 \
                or fe_test(mask) != 0:
            fe_clear(mask)
            return False
    for i in range(n):
        out = outs[i]
        q[i // m, i % m] = out * out
    done = numpy_loop(loops[4], loops[5], loops[6], q.ctypes.data, q.ctypes.data, n)
    if fe_test(mask) != 0:      # (as NumPy: a clear costs ~6 tests)
        fe_clear(mask)
    if done != 0:
        return False
    bad = False
    for i in range(n - 1, -1, -1):
        a0 = q[i // m, i % m]
        fx = -0.886226925452758 * a0
        bad |= (fx - fx != 0.0)
        for k in range(m):
            q[i, k] = fx * px[i, k]
    return not bad


def d_sc_ndtr_x_entry(a0s, px, q):
    """``sc.ndtr``, small 1-D values of any layout, given ``a0 = np.exp(-0.5 * x * x)``:
    ``q[i, :] = (0.3989422804014327 * a0) * px``; False for operands of other lengths, and
    where the local derivative is not finite."""
    rows, n = q.shape
    if a0s.shape[0] != rows or px.shape[0] != rows or px.shape[1] != n:
        return False
    bad = False
    for i in range(rows):
        a0 = a0s[i]
        fx = 0.3989422804014327 * a0
        bad |= (fx - fx != 0.0)
        for k in range(n):
            q[i, k] = fx * px[i, k]
    return not bad


def d_sc_ndtr_x_loops(loops, xs, outs, px, q):
    """``sc.ndtr``'s part and partials in one call on small 1-D values, NumPy's
    loops of the table ``loops`` (``_numpy_loops.split_loops``) making ``a0 = np.exp(-0.5 * x * x)``
    in ``q``: ``q[i, :] = (0.3989422804014327 * a0) * px``; False (nothing usable: the caller's
    lines then run) for ``x`` not contiguous and aligned, other lengths, no directions,
    and where the local derivative is not finite."""
    n = xs.shape[0]
    rows, m = px.shape
    if rows != n or outs.shape[0] != n or q.shape[0] != n or q.shape[1] != m or \
            n == 0 or m == 0 or xs.strides[0] != 8 or xs.ctypes.data % 8 != 0:
        return False
    mask = np.int32(loops[0])
    if loops[1] != 0:
        if fe_test(mask) != 0:      # (as NumPy: a clear costs ~6 tests)
            fe_clear(mask)
        if numpy_loop(loops[1], loops[2], loops[3], xs.ctypes.data, outs.ctypes.data, n) != 0 \
                or fe_test(mask) != 0:
            fe_clear(mask)
            return False
    for i in range(n):
        x = xs[i]
        q[i // m, i % m] = -0.5 * x * x
    done = numpy_loop(loops[4], loops[5], loops[6], q.ctypes.data, q.ctypes.data, n)
    if fe_test(mask) != 0:      # (as NumPy: a clear costs ~6 tests)
        fe_clear(mask)
    if done != 0:
        return False
    bad = False
    for i in range(n - 1, -1, -1):
        a0 = q[i // m, i % m]
        fx = 0.3989422804014327 * a0
        bad |= (fx - fx != 0.0)
        for k in range(m):
            q[i, k] = fx * px[i, k]
    return not bad


def d_sc_ndtri_x_entry(a0s, px, q):
    """``sc.ndtri``, small 1-D values of any layout, given ``a0 = np.exp(0.5 * out * out)``:
    ``q[i, :] = (2.5066282746310002 * a0) * px``; False for operands of other lengths, and
    where the local derivative is not finite."""
    rows, n = q.shape
    if a0s.shape[0] != rows or px.shape[0] != rows or px.shape[1] != n:
        return False
    bad = False
    for i in range(rows):
        a0 = a0s[i]
        fx = 2.5066282746310002 * a0
        bad |= (fx - fx != 0.0)
        for k in range(n):
            q[i, k] = fx * px[i, k]
    return not bad


def d_sc_ndtri_x_loops(loops, xs, outs, px, q):
    """``sc.ndtri``'s part and partials in one call on small 1-D values, NumPy's
    loops of the table ``loops`` (``_numpy_loops.split_loops``) making ``a0 = np.exp(0.5 * out * out)``
    in ``q``: ``q[i, :] = (2.5066282746310002 * a0) * px``; False (nothing usable: the caller's
    lines then run) for ``x`` not contiguous and aligned, other lengths, no directions,
    and where the local derivative is not finite."""
    n = xs.shape[0]
    rows, m = px.shape
    if rows != n or outs.shape[0] != n or q.shape[0] != n or q.shape[1] != m or \
            n == 0 or m == 0 or xs.strides[0] != 8 or xs.ctypes.data % 8 != 0:
        return False
    mask = np.int32(loops[0])
    if loops[1] != 0:
        if fe_test(mask) != 0:      # (as NumPy: a clear costs ~6 tests)
            fe_clear(mask)
        if numpy_loop(loops[1], loops[2], loops[3], xs.ctypes.data, outs.ctypes.data, n) != 0 \
                or fe_test(mask) != 0:
            fe_clear(mask)
            return False
    for i in range(n):
        out = outs[i]
        q[i // m, i % m] = 0.5 * out * out
    done = numpy_loop(loops[4], loops[5], loops[6], q.ctypes.data, q.ctypes.data, n)
    if fe_test(mask) != 0:      # (as NumPy: a clear costs ~6 tests)
        fe_clear(mask)
    if done != 0:
        return False
    bad = False
    for i in range(n - 1, -1, -1):
        a0 = q[i // m, i % m]
        fx = 2.5066282746310002 * a0
        bad |= (fx - fx != 0.0)
        for k in range(m):
            q[i, k] = fx * px[i, k]
    return not bad


def d_sc_gamma_x_entry(outs, a0s, px, q):
    """``sc.gamma``, small 1-D values of any layout, given ``a0 = sc.digamma(x)``:
    ``q[i, :] = (out * a0) * px``; False for operands of other lengths, and
    where the local derivative is not finite."""
    rows, n = q.shape
    if outs.shape[0] != rows or a0s.shape[0] != rows or px.shape[0] != rows or px.shape[1] != n:
        return False
    bad = False
    for i in range(rows):
        out = outs[i]
        a0 = a0s[i]
        fx = out * a0
        bad |= (fx - fx != 0.0)
        for k in range(n):
            q[i, k] = fx * px[i, k]
    return not bad


def d_sc_j0_x_entry(a0s, px, q):
    """``sc.j0``, small 1-D values of any layout, given ``a0 = sc.j1(x)``:
    ``q[i, :] = (-a0) * px``; False for operands of other lengths, and
    where the local derivative is not finite."""
    rows, n = q.shape
    if a0s.shape[0] != rows or px.shape[0] != rows or px.shape[1] != n:
        return False
    bad = False
    for i in range(rows):
        a0 = a0s[i]
        fx = -a0
        bad |= (fx - fx != 0.0)
        for k in range(n):
            q[i, k] = fx * px[i, k]
    return not bad


def d_sc_y0_x_entry(a0s, px, q):
    """``sc.y0``, small 1-D values of any layout, given ``a0 = sc.y1(x)``:
    ``q[i, :] = (-a0) * px``; False for operands of other lengths, and
    where the local derivative is not finite."""
    rows, n = q.shape
    if a0s.shape[0] != rows or px.shape[0] != rows or px.shape[1] != n:
        return False
    bad = False
    for i in range(rows):
        a0 = a0s[i]
        fx = -a0
        bad |= (fx - fx != 0.0)
        for k in range(n):
            q[i, k] = fx * px[i, k]
    return not bad


def d_sc_y1_x_entry(xs, outs, a0s, px, q):
    """``sc.y1``, small 1-D values of any layout, given ``a0 = sc.y0(x)``:
    ``q[i, :] = (a0 - out / x) * px``; False for operands of other lengths, and
    where the local derivative is not finite."""
    rows, n = q.shape
    if xs.shape[0] != rows or outs.shape[0] != rows or a0s.shape[0] != rows or px.shape[0] != rows or px.shape[1] != n:
        return False
    bad = False
    for i in range(rows):
        x = xs[i]
        out = outs[i]
        a0 = a0s[i]
        fx = a0 - out / x
        bad |= (fx - fx != 0.0)
        for k in range(n):
            q[i, k] = fx * px[i, k]
    return not bad


def d_sc_ndtri_exp_x_entry(a0s, px, q):
    """``sc.ndtri_exp``, small 1-D values of any layout, given ``a0 = sc.erfcx(-0.7071067811865476 * out)``:
    ``q[i, :] = (1.2533141373155003 * a0) * px``; False for operands of other lengths, and
    where the local derivative is not finite."""
    rows, n = q.shape
    if a0s.shape[0] != rows or px.shape[0] != rows or px.shape[1] != n:
        return False
    bad = False
    for i in range(rows):
        a0 = a0s[i]
        fx = 1.2533141373155003 * a0
        bad |= (fx - fx != 0.0)
        for k in range(n):
            q[i, k] = fx * px[i, k]
    return not bad


def d_sc_loggamma_x_entry(outs, a0s, px, q):
    """``sc.loggamma``, small 1-D values of any layout, given ``a0 = sc.digamma(x)``:
    ``q[i, :] = (out - out + a0) * px``; False for operands of other lengths, and
    where the local derivative is not finite."""
    rows, n = q.shape
    if outs.shape[0] != rows or a0s.shape[0] != rows or px.shape[0] != rows or px.shape[1] != n:
        return False
    bad = False
    for i in range(rows):
        out = outs[i]
        a0 = a0s[i]
        fx = out - out + a0
        bad |= (fx - fx != 0.0)
        for k in range(n):
            q[i, k] = fx * px[i, k]
    return not bad


def d_sc_exp1_x_entry(xs, a0s, px, q):
    """``sc.exp1``, small 1-D values of any layout, given ``a0 = np.exp(-x)``:
    ``q[i, :] = (-a0 / x) * px``; False for operands of other lengths, and
    where the local derivative is not finite."""
    rows, n = q.shape
    if xs.shape[0] != rows or a0s.shape[0] != rows or px.shape[0] != rows or px.shape[1] != n:
        return False
    bad = False
    for i in range(rows):
        x = xs[i]
        a0 = a0s[i]
        fx = -a0 / x
        bad |= (fx - fx != 0.0)
        for k in range(n):
            q[i, k] = fx * px[i, k]
    return not bad


def d_sc_exp1_x_loops(loops, xs, outs, px, q):
    """``sc.exp1``'s part and partials in one call on small 1-D values, NumPy's
    loops of the table ``loops`` (``_numpy_loops.split_loops``) making ``a0 = np.exp(-x)``
    in ``q``: ``q[i, :] = (-a0 / x) * px``; False (nothing usable: the caller's
    lines then run) for ``x`` not contiguous and aligned, other lengths, no directions,
    and where the local derivative is not finite."""
    n = xs.shape[0]
    rows, m = px.shape
    if rows != n or outs.shape[0] != n or q.shape[0] != n or q.shape[1] != m or \
            n == 0 or m == 0 or xs.strides[0] != 8 or xs.ctypes.data % 8 != 0:
        return False
    mask = np.int32(loops[0])
    if loops[1] != 0:
        if fe_test(mask) != 0:      # (as NumPy: a clear costs ~6 tests)
            fe_clear(mask)
        if numpy_loop(loops[1], loops[2], loops[3], xs.ctypes.data, outs.ctypes.data, n) != 0 \
                or fe_test(mask) != 0:
            fe_clear(mask)
            return False
    for i in range(n):
        x = xs[i]
        q[i // m, i % m] = -x
    done = numpy_loop(loops[4], loops[5], loops[6], q.ctypes.data, q.ctypes.data, n)
    if fe_test(mask) != 0:      # (as NumPy: a clear costs ~6 tests)
        fe_clear(mask)
    if done != 0:
        return False
    bad = False
    for i in range(n - 1, -1, -1):
        x = xs[i]
        a0 = q[i // m, i % m]
        fx = -a0 / x
        bad |= (fx - fx != 0.0)
        for k in range(m):
            q[i, k] = fx * px[i, k]
    return not bad


def d_sc_expi_x_entry(xs, a0s, px, q):
    """``sc.expi``, small 1-D values of any layout, given ``a0 = np.exp(x)``:
    ``q[i, :] = (a0 / x) * px``; False for operands of other lengths, and
    where the local derivative is not finite."""
    rows, n = q.shape
    if xs.shape[0] != rows or a0s.shape[0] != rows or px.shape[0] != rows or px.shape[1] != n:
        return False
    bad = False
    for i in range(rows):
        x = xs[i]
        a0 = a0s[i]
        fx = a0 / x
        bad |= (fx - fx != 0.0)
        for k in range(n):
            q[i, k] = fx * px[i, k]
    return not bad


def d_sc_expi_x_loops(loops, xs, outs, px, q):
    """``sc.expi``'s part and partials in one call on small 1-D values, NumPy's
    loops of the table ``loops`` (``_numpy_loops.split_loops``) making ``a0 = np.exp(x)``
    in ``q``: ``q[i, :] = (a0 / x) * px``; False (nothing usable: the caller's
    lines then run) for ``x`` not contiguous and aligned, other lengths, no directions,
    and where the local derivative is not finite."""
    n = xs.shape[0]
    rows, m = px.shape
    if rows != n or outs.shape[0] != n or q.shape[0] != n or q.shape[1] != m or \
            n == 0 or m == 0 or xs.strides[0] != 8 or xs.ctypes.data % 8 != 0:
        return False
    mask = np.int32(loops[0])
    if loops[1] != 0:
        if fe_test(mask) != 0:      # (as NumPy: a clear costs ~6 tests)
            fe_clear(mask)
        if numpy_loop(loops[1], loops[2], loops[3], xs.ctypes.data, outs.ctypes.data, n) != 0 \
                or fe_test(mask) != 0:
            fe_clear(mask)
            return False
    done = numpy_loop(loops[4], loops[5], loops[6], xs.ctypes.data, q.ctypes.data, n)
    if fe_test(mask) != 0:      # (as NumPy: a clear costs ~6 tests)
        fe_clear(mask)
    if done != 0:
        return False
    bad = False
    for i in range(n - 1, -1, -1):
        x = xs[i]
        a0 = q[i // m, i % m]
        fx = a0 / x
        bad |= (fx - fx != 0.0)
        for k in range(m):
            q[i, k] = fx * px[i, k]
    return not bad


def d_sc_erfi_x_entry(a0s, px, q):
    """``sc.erfi``, small 1-D values of any layout, given ``a0 = np.exp(x * x)``:
    ``q[i, :] = (1.1283791670955126 * a0) * px``; False for operands of other lengths, and
    where the local derivative is not finite."""
    rows, n = q.shape
    if a0s.shape[0] != rows or px.shape[0] != rows or px.shape[1] != n:
        return False
    bad = False
    for i in range(rows):
        a0 = a0s[i]
        fx = 1.1283791670955126 * a0
        bad |= (fx - fx != 0.0)
        for k in range(n):
            q[i, k] = fx * px[i, k]
    return not bad


def d_sc_erfi_x_loops(loops, xs, outs, px, q):
    """``sc.erfi``'s part and partials in one call on small 1-D values, NumPy's
    loops of the table ``loops`` (``_numpy_loops.split_loops``) making ``a0 = np.exp(x * x)``
    in ``q``: ``q[i, :] = (1.1283791670955126 * a0) * px``; False (nothing usable: the caller's
    lines then run) for ``x`` not contiguous and aligned, other lengths, no directions,
    and where the local derivative is not finite."""
    n = xs.shape[0]
    rows, m = px.shape
    if rows != n or outs.shape[0] != n or q.shape[0] != n or q.shape[1] != m or \
            n == 0 or m == 0 or xs.strides[0] != 8 or xs.ctypes.data % 8 != 0:
        return False
    mask = np.int32(loops[0])
    if loops[1] != 0:
        if fe_test(mask) != 0:      # (as NumPy: a clear costs ~6 tests)
            fe_clear(mask)
        if numpy_loop(loops[1], loops[2], loops[3], xs.ctypes.data, outs.ctypes.data, n) != 0 \
                or fe_test(mask) != 0:
            fe_clear(mask)
            return False
    for i in range(n):
        x = xs[i]
        q[i // m, i % m] = x * x
    done = numpy_loop(loops[4], loops[5], loops[6], q.ctypes.data, q.ctypes.data, n)
    if fe_test(mask) != 0:      # (as NumPy: a clear costs ~6 tests)
        fe_clear(mask)
    if done != 0:
        return False
    bad = False
    for i in range(n - 1, -1, -1):
        a0 = q[i // m, i % m]
        fx = 1.1283791670955126 * a0
        bad |= (fx - fx != 0.0)
        for k in range(m):
            q[i, k] = fx * px[i, k]
    return not bad


def d_sc_k0_x_entry(a0s, px, q):
    """``sc.k0``, small 1-D values of any layout, given ``a0 = sc.k1(x)``:
    ``q[i, :] = (-a0) * px``; False for operands of other lengths, and
    where the local derivative is not finite."""
    rows, n = q.shape
    if a0s.shape[0] != rows or px.shape[0] != rows or px.shape[1] != n:
        return False
    bad = False
    for i in range(rows):
        a0 = a0s[i]
        fx = -a0
        bad |= (fx - fx != 0.0)
        for k in range(n):
            q[i, k] = fx * px[i, k]
    return not bad


def d_sc_k1_x_entry(xs, outs, a0s, px, q):
    """``sc.k1``, small 1-D values of any layout, given ``a0 = sc.k0(x)``:
    ``q[i, :] = (-a0 - out / x) * px``; False for operands of other lengths, and
    where the local derivative is not finite."""
    rows, n = q.shape
    if xs.shape[0] != rows or outs.shape[0] != rows or a0s.shape[0] != rows or px.shape[0] != rows or px.shape[1] != n:
        return False
    bad = False
    for i in range(rows):
        x = xs[i]
        out = outs[i]
        a0 = a0s[i]
        fx = -a0 - out / x
        bad |= (fx - fx != 0.0)
        for k in range(n):
            q[i, k] = fx * px[i, k]
    return not bad


def d_add_exact(xs, ys, outs, px, py, q):
    """``np.add`` and its value, small arrays: ``outs[i] = x + y``,
    ``q[i, :] = (1.0) * px + (1.0) * py``; False for operands of other lengths or numbers of
    directions (the caller's general path broadcasts them or raises), and at the first
    element whose value NumPy would report or whose local derivative is not finite."""
    rows, n = q.shape
    if xs.shape[0] != rows or ys.shape[0] != rows or px.shape[0] != rows or px.shape[1] != n or py.shape[0] != rows or py.shape[1] != n:
        return False
    for i in range(rows):
        x = xs[i]
        y = ys[i]
        out = x + y
        if not (out - out == 0.0):
            return False
        outs[i] = out
        for k in range(n):
            q[i, k] = px[i, k] + py[i, k]
    return True


def d_add_y_exact(x, ys, outs, py, q):
    """``np.add`` and its value, small arrays: ``outs[i] = x + y``,
    ``q[i, :] = (1.0) * py``; False for operands of other lengths or numbers of
    directions (the caller's general path broadcasts them or raises), and at the first
    element whose value NumPy would report or whose local derivative is not finite."""
    rows, n = q.shape
    if ys.shape[0] != rows or py.shape[0] != rows or py.shape[1] != n:
        return False
    for i in range(rows):
        y = ys[i]
        out = x + y
        if not (out - out == 0.0):
            return False
        outs[i] = out
        for k in range(n):
            q[i, k] = py[i, k]
    return True


def d_add_x_exact(xs, y, outs, px, q):
    """``np.add`` and its value, small arrays: ``outs[i] = x + y``,
    ``q[i, :] = (1.0) * px``; False for operands of other lengths or numbers of
    directions (the caller's general path broadcasts them or raises), and at the first
    element whose value NumPy would report or whose local derivative is not finite."""
    rows, n = q.shape
    if xs.shape[0] != rows or px.shape[0] != rows or px.shape[1] != n:
        return False
    for i in range(rows):
        x = xs[i]
        out = x + y
        if not (out - out == 0.0):
            return False
        outs[i] = out
        for k in range(n):
            q[i, k] = px[i, k]
    return True


def d_add_xrow_exact(x, ys, outs, px, py, q):
    """``np.add`` and its value, small arrays, ``x`` a scalar dual's value and
    ``px`` its partials (a row of ``n``): ``outs[i] = x + y``,
    ``q[i, :] = (1.0) * px + (1.0) * py``; False for operands of other lengths or numbers of
    directions (the caller's general path broadcasts them or raises), and at the first
    element whose value NumPy would report or whose local derivative is not finite."""
    rows, n = q.shape
    if ys.shape[0] != rows or py.shape[0] != rows or py.shape[1] != n or px.shape[0] != n:
        return False
    for i in range(rows):
        y = ys[i]
        out = x + y
        if not (out - out == 0.0):
            return False
        outs[i] = out
        for k in range(n):
            q[i, k] = px[k] + py[i, k]
    return True


def d_add_yrow_exact(xs, y, outs, px, py, q):
    """``np.add`` and its value, small arrays, ``y`` a scalar dual's value and
    ``py`` its partials (a row of ``n``): ``outs[i] = x + y``,
    ``q[i, :] = (1.0) * px + (1.0) * py``; False for operands of other lengths or numbers of
    directions (the caller's general path broadcasts them or raises), and at the first
    element whose value NumPy would report or whose local derivative is not finite."""
    rows, n = q.shape
    if xs.shape[0] != rows or px.shape[0] != rows or px.shape[1] != n or py.shape[0] != n:
        return False
    for i in range(rows):
        x = xs[i]
        out = x + y
        if not (out - out == 0.0):
            return False
        outs[i] = out
        for k in range(n):
            q[i, k] = px[i, k] + py[k]
    return True


def d_add_xplain_exact(xs, ys, outs, py, q):
    """``np.add`` and its value, small arrays, ``xs`` a plain array (no partials),
    ``ys`` an array dual's values (partials ``py``): ``outs[i] = x + y``,
    ``q[i, :] = (1.0) * py``; False for operands of other lengths or numbers of
    directions (the caller's general path broadcasts them or raises), and at the first
    element whose value NumPy would report or whose local derivative is not finite."""
    rows, n = q.shape
    if xs.shape[0] != rows or ys.shape[0] != rows or py.shape[0] != rows or py.shape[1] != n:
        return False
    for i in range(rows):
        x = xs[i]
        y = ys[i]
        out = x + y
        if not (out - out == 0.0):
            return False
        outs[i] = out
        for k in range(n):
            q[i, k] = py[i, k]
    return True


def d_add_yplain_exact(xs, ys, outs, px, q):
    """``np.add`` and its value, small arrays, ``ys`` a plain array (no partials),
    ``xs`` an array dual's values (partials ``px``): ``outs[i] = x + y``,
    ``q[i, :] = (1.0) * px``; False for operands of other lengths or numbers of
    directions (the caller's general path broadcasts them or raises), and at the first
    element whose value NumPy would report or whose local derivative is not finite."""
    rows, n = q.shape
    if xs.shape[0] != rows or ys.shape[0] != rows or px.shape[0] != rows or px.shape[1] != n:
        return False
    for i in range(rows):
        x = xs[i]
        y = ys[i]
        out = x + y
        if not (out - out == 0.0):
            return False
        outs[i] = out
        for k in range(n):
            q[i, k] = px[i, k]
    return True


def d_subtract_exact(xs, ys, outs, px, py, q):
    """``np.subtract`` and its value, small arrays: ``outs[i] = x - y``,
    ``q[i, :] = (1.0) * px + (-1.0) * py``; False for operands of other lengths or numbers of
    directions (the caller's general path broadcasts them or raises), and at the first
    element whose value NumPy would report or whose local derivative is not finite."""
    rows, n = q.shape
    if xs.shape[0] != rows or ys.shape[0] != rows or px.shape[0] != rows or px.shape[1] != n or py.shape[0] != rows or py.shape[1] != n:
        return False
    for i in range(rows):
        x = xs[i]
        y = ys[i]
        out = x - y
        if not (out - out == 0.0):
            return False
        outs[i] = out
        for k in range(n):
            q[i, k] = px[i, k] - py[i, k]
    return True


def d_subtract_y_exact(x, ys, outs, py, q):
    """``np.subtract`` and its value, small arrays: ``outs[i] = x - y``,
    ``q[i, :] = (-1.0) * py``; False for operands of other lengths or numbers of
    directions (the caller's general path broadcasts them or raises), and at the first
    element whose value NumPy would report or whose local derivative is not finite."""
    rows, n = q.shape
    if ys.shape[0] != rows or py.shape[0] != rows or py.shape[1] != n:
        return False
    for i in range(rows):
        y = ys[i]
        out = x - y
        if not (out - out == 0.0):
            return False
        outs[i] = out
        for k in range(n):
            q[i, k] = -py[i, k]
    return True


def d_subtract_x_exact(xs, y, outs, px, q):
    """``np.subtract`` and its value, small arrays: ``outs[i] = x - y``,
    ``q[i, :] = (1.0) * px``; False for operands of other lengths or numbers of
    directions (the caller's general path broadcasts them or raises), and at the first
    element whose value NumPy would report or whose local derivative is not finite."""
    rows, n = q.shape
    if xs.shape[0] != rows or px.shape[0] != rows or px.shape[1] != n:
        return False
    for i in range(rows):
        x = xs[i]
        out = x - y
        if not (out - out == 0.0):
            return False
        outs[i] = out
        for k in range(n):
            q[i, k] = px[i, k]
    return True


def d_subtract_xrow_exact(x, ys, outs, px, py, q):
    """``np.subtract`` and its value, small arrays, ``x`` a scalar dual's value and
    ``px`` its partials (a row of ``n``): ``outs[i] = x - y``,
    ``q[i, :] = (1.0) * px + (-1.0) * py``; False for operands of other lengths or numbers of
    directions (the caller's general path broadcasts them or raises), and at the first
    element whose value NumPy would report or whose local derivative is not finite."""
    rows, n = q.shape
    if ys.shape[0] != rows or py.shape[0] != rows or py.shape[1] != n or px.shape[0] != n:
        return False
    for i in range(rows):
        y = ys[i]
        out = x - y
        if not (out - out == 0.0):
            return False
        outs[i] = out
        for k in range(n):
            q[i, k] = px[k] - py[i, k]
    return True


def d_subtract_yrow_exact(xs, y, outs, px, py, q):
    """``np.subtract`` and its value, small arrays, ``y`` a scalar dual's value and
    ``py`` its partials (a row of ``n``): ``outs[i] = x - y``,
    ``q[i, :] = (1.0) * px + (-1.0) * py``; False for operands of other lengths or numbers of
    directions (the caller's general path broadcasts them or raises), and at the first
    element whose value NumPy would report or whose local derivative is not finite."""
    rows, n = q.shape
    if xs.shape[0] != rows or px.shape[0] != rows or px.shape[1] != n or py.shape[0] != n:
        return False
    for i in range(rows):
        x = xs[i]
        out = x - y
        if not (out - out == 0.0):
            return False
        outs[i] = out
        for k in range(n):
            q[i, k] = px[i, k] - py[k]
    return True


def d_subtract_xplain_exact(xs, ys, outs, py, q):
    """``np.subtract`` and its value, small arrays, ``xs`` a plain array (no partials),
    ``ys`` an array dual's values (partials ``py``): ``outs[i] = x - y``,
    ``q[i, :] = (-1.0) * py``; False for operands of other lengths or numbers of
    directions (the caller's general path broadcasts them or raises), and at the first
    element whose value NumPy would report or whose local derivative is not finite."""
    rows, n = q.shape
    if xs.shape[0] != rows or ys.shape[0] != rows or py.shape[0] != rows or py.shape[1] != n:
        return False
    for i in range(rows):
        x = xs[i]
        y = ys[i]
        out = x - y
        if not (out - out == 0.0):
            return False
        outs[i] = out
        for k in range(n):
            q[i, k] = -py[i, k]
    return True


def d_subtract_yplain_exact(xs, ys, outs, px, q):
    """``np.subtract`` and its value, small arrays, ``ys`` a plain array (no partials),
    ``xs`` an array dual's values (partials ``px``): ``outs[i] = x - y``,
    ``q[i, :] = (1.0) * px``; False for operands of other lengths or numbers of
    directions (the caller's general path broadcasts them or raises), and at the first
    element whose value NumPy would report or whose local derivative is not finite."""
    rows, n = q.shape
    if xs.shape[0] != rows or ys.shape[0] != rows or px.shape[0] != rows or px.shape[1] != n:
        return False
    for i in range(rows):
        x = xs[i]
        y = ys[i]
        out = x - y
        if not (out - out == 0.0):
            return False
        outs[i] = out
        for k in range(n):
            q[i, k] = px[i, k]
    return True


def d_multiply_exact(xs, ys, outs, px, py, q):
    """``np.multiply`` and its value, small arrays: ``outs[i] = x * y``,
    ``q[i, :] = (y) * px + (x) * py``; False for operands of other lengths or numbers of
    directions (the caller's general path broadcasts them or raises), and at the first
    element whose value NumPy would report or whose local derivative is not finite."""
    rows, n = q.shape
    if xs.shape[0] != rows or ys.shape[0] != rows or px.shape[0] != rows or px.shape[1] != n or py.shape[0] != rows or py.shape[1] != n:
        return False
    for i in range(rows):
        x = xs[i]
        y = ys[i]
        out = x * y
        if not (out - out == 0.0 and (abs(out) >= 2.2250738585072014e-308 or x == 0.0 or y == 0.0)):
            return False
        fx = y
        fy = x
        if not (fx - fx == 0.0 and fy - fy == 0.0):
            return False
        outs[i] = out
        for k in range(n):
            q[i, k] = fx * px[i, k] + fy * py[i, k]
    return True


def d_multiply_y_exact(x, ys, outs, py, q):
    """``np.multiply`` and its value, small arrays: ``outs[i] = x * y``,
    ``q[i, :] = (x) * py``; False for operands of other lengths or numbers of
    directions (the caller's general path broadcasts them or raises), and at the first
    element whose value NumPy would report or whose local derivative is not finite."""
    rows, n = q.shape
    if ys.shape[0] != rows or py.shape[0] != rows or py.shape[1] != n:
        return False
    for i in range(rows):
        y = ys[i]
        out = x * y
        if not (out - out == 0.0 and (abs(out) >= 2.2250738585072014e-308 or x == 0.0 or y == 0.0)):
            return False
        fy = x
        if not (fy - fy == 0.0):
            return False
        outs[i] = out
        for k in range(n):
            q[i, k] = fy * py[i, k]
    return True


def d_multiply_x_exact(xs, y, outs, px, q):
    """``np.multiply`` and its value, small arrays: ``outs[i] = x * y``,
    ``q[i, :] = (y) * px``; False for operands of other lengths or numbers of
    directions (the caller's general path broadcasts them or raises), and at the first
    element whose value NumPy would report or whose local derivative is not finite."""
    rows, n = q.shape
    if xs.shape[0] != rows or px.shape[0] != rows or px.shape[1] != n:
        return False
    for i in range(rows):
        x = xs[i]
        out = x * y
        if not (out - out == 0.0 and (abs(out) >= 2.2250738585072014e-308 or x == 0.0 or y == 0.0)):
            return False
        fx = y
        if not (fx - fx == 0.0):
            return False
        outs[i] = out
        for k in range(n):
            q[i, k] = fx * px[i, k]
    return True


def d_multiply_xrow_exact(x, ys, outs, px, py, q):
    """``np.multiply`` and its value, small arrays, ``x`` a scalar dual's value and
    ``px`` its partials (a row of ``n``): ``outs[i] = x * y``,
    ``q[i, :] = (y) * px + (x) * py``; False for operands of other lengths or numbers of
    directions (the caller's general path broadcasts them or raises), and at the first
    element whose value NumPy would report or whose local derivative is not finite."""
    rows, n = q.shape
    if ys.shape[0] != rows or py.shape[0] != rows or py.shape[1] != n or px.shape[0] != n:
        return False
    for i in range(rows):
        y = ys[i]
        out = x * y
        if not (out - out == 0.0 and (abs(out) >= 2.2250738585072014e-308 or x == 0.0 or y == 0.0)):
            return False
        fx = y
        fy = x
        if not (fx - fx == 0.0 and fy - fy == 0.0):
            return False
        outs[i] = out
        for k in range(n):
            q[i, k] = fx * px[k] + fy * py[i, k]
    return True


def d_multiply_yrow_exact(xs, y, outs, px, py, q):
    """``np.multiply`` and its value, small arrays, ``y`` a scalar dual's value and
    ``py`` its partials (a row of ``n``): ``outs[i] = x * y``,
    ``q[i, :] = (y) * px + (x) * py``; False for operands of other lengths or numbers of
    directions (the caller's general path broadcasts them or raises), and at the first
    element whose value NumPy would report or whose local derivative is not finite."""
    rows, n = q.shape
    if xs.shape[0] != rows or px.shape[0] != rows or px.shape[1] != n or py.shape[0] != n:
        return False
    for i in range(rows):
        x = xs[i]
        out = x * y
        if not (out - out == 0.0 and (abs(out) >= 2.2250738585072014e-308 or x == 0.0 or y == 0.0)):
            return False
        fx = y
        fy = x
        if not (fx - fx == 0.0 and fy - fy == 0.0):
            return False
        outs[i] = out
        for k in range(n):
            q[i, k] = fx * px[i, k] + fy * py[k]
    return True


def d_multiply_xplain_exact(xs, ys, outs, py, q):
    """``np.multiply`` and its value, small arrays, ``xs`` a plain array (no partials),
    ``ys`` an array dual's values (partials ``py``): ``outs[i] = x * y``,
    ``q[i, :] = (x) * py``; False for operands of other lengths or numbers of
    directions (the caller's general path broadcasts them or raises), and at the first
    element whose value NumPy would report or whose local derivative is not finite."""
    rows, n = q.shape
    if xs.shape[0] != rows or ys.shape[0] != rows or py.shape[0] != rows or py.shape[1] != n:
        return False
    for i in range(rows):
        x = xs[i]
        y = ys[i]
        out = x * y
        if not (out - out == 0.0 and (abs(out) >= 2.2250738585072014e-308 or x == 0.0 or y == 0.0)):
            return False
        fy = x
        if not (fy - fy == 0.0):
            return False
        outs[i] = out
        for k in range(n):
            q[i, k] = fy * py[i, k]
    return True


def d_multiply_yplain_exact(xs, ys, outs, px, q):
    """``np.multiply`` and its value, small arrays, ``ys`` a plain array (no partials),
    ``xs`` an array dual's values (partials ``px``): ``outs[i] = x * y``,
    ``q[i, :] = (y) * px``; False for operands of other lengths or numbers of
    directions (the caller's general path broadcasts them or raises), and at the first
    element whose value NumPy would report or whose local derivative is not finite."""
    rows, n = q.shape
    if xs.shape[0] != rows or ys.shape[0] != rows or px.shape[0] != rows or px.shape[1] != n:
        return False
    for i in range(rows):
        x = xs[i]
        y = ys[i]
        out = x * y
        if not (out - out == 0.0 and (abs(out) >= 2.2250738585072014e-308 or x == 0.0 or y == 0.0)):
            return False
        fx = y
        if not (fx - fx == 0.0):
            return False
        outs[i] = out
        for k in range(n):
            q[i, k] = fx * px[i, k]
    return True


def d_divide_exact(xs, ys, outs, px, py, q):
    """``np.divide`` and its value, small arrays: ``outs[i] = x / y``,
    ``q[i, :] = (1.0 / y) * px + (-out / y) * py``; False for operands of other lengths or numbers of
    directions (the caller's general path broadcasts them or raises), and at the first
    element whose value NumPy would report or whose local derivative is not finite."""
    rows, n = q.shape
    if xs.shape[0] != rows or ys.shape[0] != rows or px.shape[0] != rows or px.shape[1] != n or py.shape[0] != rows or py.shape[1] != n:
        return False
    for i in range(rows):
        x = xs[i]
        y = ys[i]
        out = x / y
        if not (out - out == 0.0 and (abs(out) >= 2.2250738585072014e-308 or x == 0.0)):
            return False
        fx = 1.0 / y
        fy = -out / y
        if not (fx - fx == 0.0 and not (-2.2250738585072014e-308 < fx < 2.2250738585072014e-308 and (y) - (y) == 0.0) and fy - fy == 0.0 and not (-2.2250738585072014e-308 < fy < 2.2250738585072014e-308 and -out != 0.0 and (y) - (y) == 0.0)):
            return False
        outs[i] = out
        for k in range(n):
            q[i, k] = fx * px[i, k] + fy * py[i, k]
    return True


def d_divide_y_exact(x, ys, outs, py, q):
    """``np.divide`` and its value, small arrays: ``outs[i] = x / y``,
    ``q[i, :] = (-out / y) * py``; False for operands of other lengths or numbers of
    directions (the caller's general path broadcasts them or raises), and at the first
    element whose value NumPy would report or whose local derivative is not finite."""
    rows, n = q.shape
    if ys.shape[0] != rows or py.shape[0] != rows or py.shape[1] != n:
        return False
    for i in range(rows):
        y = ys[i]
        out = x / y
        if not (out - out == 0.0 and (abs(out) >= 2.2250738585072014e-308 or x == 0.0)):
            return False
        fy = -out / y
        if not (fy - fy == 0.0 and not (-2.2250738585072014e-308 < fy < 2.2250738585072014e-308 and -out != 0.0 and (y) - (y) == 0.0)):
            return False
        outs[i] = out
        for k in range(n):
            q[i, k] = fy * py[i, k]
    return True


def d_divide_x_exact(xs, y, outs, px, q):
    """``np.divide`` and its value, small arrays: ``outs[i] = x / y``,
    ``q[i, :] = (1.0 / y) * px``; False for operands of other lengths or numbers of
    directions (the caller's general path broadcasts them or raises), and at the first
    element whose value NumPy would report or whose local derivative is not finite."""
    rows, n = q.shape
    if xs.shape[0] != rows or px.shape[0] != rows or px.shape[1] != n:
        return False
    for i in range(rows):
        x = xs[i]
        out = x / y
        if not (out - out == 0.0 and (abs(out) >= 2.2250738585072014e-308 or x == 0.0)):
            return False
        fx = 1.0 / y
        if not (fx - fx == 0.0 and not (-2.2250738585072014e-308 < fx < 2.2250738585072014e-308 and (y) - (y) == 0.0)):
            return False
        outs[i] = out
        for k in range(n):
            q[i, k] = fx * px[i, k]
    return True


def d_divide_xrow_exact(x, ys, outs, px, py, q):
    """``np.divide`` and its value, small arrays, ``x`` a scalar dual's value and
    ``px`` its partials (a row of ``n``): ``outs[i] = x / y``,
    ``q[i, :] = (1.0 / y) * px + (-out / y) * py``; False for operands of other lengths or numbers of
    directions (the caller's general path broadcasts them or raises), and at the first
    element whose value NumPy would report or whose local derivative is not finite."""
    rows, n = q.shape
    if ys.shape[0] != rows or py.shape[0] != rows or py.shape[1] != n or px.shape[0] != n:
        return False
    for i in range(rows):
        y = ys[i]
        out = x / y
        if not (out - out == 0.0 and (abs(out) >= 2.2250738585072014e-308 or x == 0.0)):
            return False
        fx = 1.0 / y
        fy = -out / y
        if not (fx - fx == 0.0 and not (-2.2250738585072014e-308 < fx < 2.2250738585072014e-308 and (y) - (y) == 0.0) and fy - fy == 0.0 and not (-2.2250738585072014e-308 < fy < 2.2250738585072014e-308 and -out != 0.0 and (y) - (y) == 0.0)):
            return False
        outs[i] = out
        for k in range(n):
            q[i, k] = fx * px[k] + fy * py[i, k]
    return True


def d_divide_yrow_exact(xs, y, outs, px, py, q):
    """``np.divide`` and its value, small arrays, ``y`` a scalar dual's value and
    ``py`` its partials (a row of ``n``): ``outs[i] = x / y``,
    ``q[i, :] = (1.0 / y) * px + (-out / y) * py``; False for operands of other lengths or numbers of
    directions (the caller's general path broadcasts them or raises), and at the first
    element whose value NumPy would report or whose local derivative is not finite."""
    rows, n = q.shape
    if xs.shape[0] != rows or px.shape[0] != rows or px.shape[1] != n or py.shape[0] != n:
        return False
    for i in range(rows):
        x = xs[i]
        out = x / y
        if not (out - out == 0.0 and (abs(out) >= 2.2250738585072014e-308 or x == 0.0)):
            return False
        fx = 1.0 / y
        fy = -out / y
        if not (fx - fx == 0.0 and not (-2.2250738585072014e-308 < fx < 2.2250738585072014e-308 and (y) - (y) == 0.0) and fy - fy == 0.0 and not (-2.2250738585072014e-308 < fy < 2.2250738585072014e-308 and -out != 0.0 and (y) - (y) == 0.0)):
            return False
        outs[i] = out
        for k in range(n):
            q[i, k] = fx * px[i, k] + fy * py[k]
    return True


def d_divide_xplain_exact(xs, ys, outs, py, q):
    """``np.divide`` and its value, small arrays, ``xs`` a plain array (no partials),
    ``ys`` an array dual's values (partials ``py``): ``outs[i] = x / y``,
    ``q[i, :] = (-out / y) * py``; False for operands of other lengths or numbers of
    directions (the caller's general path broadcasts them or raises), and at the first
    element whose value NumPy would report or whose local derivative is not finite."""
    rows, n = q.shape
    if xs.shape[0] != rows or ys.shape[0] != rows or py.shape[0] != rows or py.shape[1] != n:
        return False
    for i in range(rows):
        x = xs[i]
        y = ys[i]
        out = x / y
        if not (out - out == 0.0 and (abs(out) >= 2.2250738585072014e-308 or x == 0.0)):
            return False
        fy = -out / y
        if not (fy - fy == 0.0 and not (-2.2250738585072014e-308 < fy < 2.2250738585072014e-308 and -out != 0.0 and (y) - (y) == 0.0)):
            return False
        outs[i] = out
        for k in range(n):
            q[i, k] = fy * py[i, k]
    return True


def d_divide_yplain_exact(xs, ys, outs, px, q):
    """``np.divide`` and its value, small arrays, ``ys`` a plain array (no partials),
    ``xs`` an array dual's values (partials ``px``): ``outs[i] = x / y``,
    ``q[i, :] = (1.0 / y) * px``; False for operands of other lengths or numbers of
    directions (the caller's general path broadcasts them or raises), and at the first
    element whose value NumPy would report or whose local derivative is not finite."""
    rows, n = q.shape
    if xs.shape[0] != rows or ys.shape[0] != rows or px.shape[0] != rows or px.shape[1] != n:
        return False
    for i in range(rows):
        x = xs[i]
        y = ys[i]
        out = x / y
        if not (out - out == 0.0 and (abs(out) >= 2.2250738585072014e-308 or x == 0.0)):
            return False
        fx = 1.0 / y
        if not (fx - fx == 0.0 and not (-2.2250738585072014e-308 < fx < 2.2250738585072014e-308 and (y) - (y) == 0.0)):
            return False
        outs[i] = out
        for k in range(n):
            q[i, k] = fx * px[i, k]
    return True


def d_negative_exact(xs, outs, px, q):
    """``np.negative`` and its value, small arrays: ``outs[i] = -x``,
    ``q[i, :] = (-1.0) * px``; False for operands of other lengths or numbers of
    directions (the caller's general path broadcasts them or raises), and at the first
    element whose value NumPy would report or whose local derivative is not finite."""
    rows, n = q.shape
    if xs.shape[0] != rows or px.shape[0] != rows or px.shape[1] != n:
        return False
    for i in range(rows):
        x = xs[i]
        out = -x
        if not (out - out == 0.0):
            return False
        outs[i] = out
        for k in range(n):
            q[i, k] = -px[i, k]
    return True


def d_square_exact(xs, outs, px, q):
    """``np.square`` and its value, small arrays: ``outs[i] = x * x``,
    ``q[i, :] = (2.0 * x) * px``; False for operands of other lengths or numbers of
    directions (the caller's general path broadcasts them or raises), and at the first
    element whose value NumPy would report or whose local derivative is not finite."""
    rows, n = q.shape
    if xs.shape[0] != rows or px.shape[0] != rows or px.shape[1] != n:
        return False
    for i in range(rows):
        x = xs[i]
        out = x * x
        if not (out - out == 0.0 and (abs(out) >= 2.2250738585072014e-308 or x == 0.0)):
            return False
        fx = 2.0 * x
        if not (fx - fx == 0.0):
            return False
        outs[i] = out
        for k in range(n):
            q[i, k] = fx * px[i, k]
    return True


_PLAIN = {
    np.divide: {
        (0,): (d_divide_x_flat, d_divide_x, d_divide_x_loop),
        (1,): (d_divide_y_flat, d_divide_y, d_divide_y_loop),
        (0, 1): (d_divide_xy_flat, d_divide_xy, d_divide_xy_loop),
    },
    np.square: {
        (0,): (d_square_x_flat, d_square_x, d_square_x_loop),
    },
    np.reciprocal: {
        (0,): (d_reciprocal_x_flat, d_reciprocal_x, d_reciprocal_x_loop),
    },
    np.sqrt: {
        (0,): (d_sqrt_x_flat, d_sqrt_x, d_sqrt_x_loop),
    },
    np.cbrt: {
        (0,): (d_cbrt_x_flat, d_cbrt_x, d_cbrt_x_loop),
    },
    np.absolute: {
        (0,): (d_absolute_x_flat, d_absolute_x, d_absolute_x_loop),
    },
    np.fabs: {
        (0,): (d_fabs_x_flat, d_fabs_x, d_fabs_x_loop),
    },
    np.exp2: {
        (0,): (d_exp2_x_flat, d_exp2_x, d_exp2_x_loop),
    },
    np.log: {
        (0,): (d_log_x_flat, d_log_x, d_log_x_loop),
    },
    np.log2: {
        (0,): (d_log2_x_flat, d_log2_x, d_log2_x_loop),
    },
    np.log10: {
        (0,): (d_log10_x_flat, d_log10_x, d_log10_x_loop),
    },
    np.log1p: {
        (0,): (d_log1p_x_flat, d_log1p_x, d_log1p_x_loop),
    },
    np.tan: {
        (0,): (d_tan_x_flat, d_tan_x, d_tan_x_loop),
    },
    np.arcsin: {
        (0,): (d_arcsin_x_flat, d_arcsin_x, d_arcsin_x_loop),
    },
    np.arccos: {
        (0,): (d_arccos_x_flat, d_arccos_x, d_arccos_x_loop),
    },
    np.arctan: {
        (0,): (d_arctan_x_flat, d_arctan_x, d_arctan_x_loop),
    },
    np.arctan2: {
        (0,): (d_arctan2_x_flat, d_arctan2_x, d_arctan2_x_loop),
        (1,): (d_arctan2_y_flat, d_arctan2_y, d_arctan2_y_loop),
        (0, 1): (d_arctan2_xy_flat, d_arctan2_xy, d_arctan2_xy_loop),
    },
    np.hypot: {
        (0,): (d_hypot_x_flat, d_hypot_x, d_hypot_x_loop),
        (1,): (d_hypot_y_flat, d_hypot_y, d_hypot_y_loop),
        (0, 1): (d_hypot_xy_flat, d_hypot_xy, d_hypot_xy_loop),
    },
    np.arcsinh: {
        (0,): (d_arcsinh_x_flat, d_arcsinh_x, d_arcsinh_x_loop),
    },
    np.arccosh: {
        (0,): (d_arccosh_x_flat, d_arccosh_x, d_arccosh_x_loop),
    },
    np.arctanh: {
        (0,): (d_arctanh_x_flat, d_arctanh_x, d_arctanh_x_loop),
    },
    np.maximum: {
        (0,): (d_maximum_x_flat, d_maximum_x),
        (1,): (d_maximum_y_flat, d_maximum_y),
        (0, 1): (d_maximum_xy_flat, d_maximum_xy),
    },
    np.minimum: {
        (0,): (d_minimum_x_flat, d_minimum_x),
        (1,): (d_minimum_y_flat, d_minimum_y),
        (0, 1): (d_minimum_xy_flat, d_minimum_xy),
    },
    np.fmax: {
        (0,): (d_fmax_x_flat, d_fmax_x),
        (1,): (d_fmax_y_flat, d_fmax_y),
        (0, 1): (d_fmax_xy_flat, d_fmax_xy),
    },
    np.fmin: {
        (0,): (d_fmin_x_flat, d_fmin_x),
        (1,): (d_fmin_y_flat, d_fmin_y),
        (0, 1): (d_fmin_xy_flat, d_fmin_xy),
    },
}

_SMALL = {
    np.divide: d_divide_xy_small,
    np.square: d_square_x_small,
    np.reciprocal: d_reciprocal_x_small,
    np.sqrt: d_sqrt_x_small,
    np.cbrt: d_cbrt_x_small,
    np.absolute: d_absolute_x_small,
    np.fabs: d_fabs_x_small,
    np.exp2: d_exp2_x_small,
    np.log: d_log_x_small,
    np.log2: d_log2_x_small,
    np.log10: d_log10_x_small,
    np.log1p: d_log1p_x_small,
    np.tan: d_tan_x_small,
    np.arcsin: d_arcsin_x_small,
    np.arccos: d_arccos_x_small,
    np.arctan: d_arctan_x_small,
    np.arctan2: d_arctan2_xy_small,
    np.hypot: d_hypot_xy_small,
    np.arcsinh: d_arcsinh_x_small,
    np.arccosh: d_arccosh_x_small,
    np.arctanh: d_arctanh_x_small,
    np.maximum: d_maximum_xy_small,
    np.minimum: d_minimum_xy_small,
    np.fmax: d_fmax_xy_small,
    np.fmin: d_fmin_xy_small,
}

_EXACT = {
    (np.add, (0, 1)): d_add_exact,
    (np.add, (1,)): d_add_y_exact,
    (np.add, (0,)): d_add_x_exact,
    (np.add, ("row", 0)): d_add_xrow_exact,
    (np.add, ("row", 1)): d_add_yrow_exact,
    (np.add, ("plain", 0)): d_add_xplain_exact,
    (np.add, ("plain", 1)): d_add_yplain_exact,
    (np.subtract, (0, 1)): d_subtract_exact,
    (np.subtract, (1,)): d_subtract_y_exact,
    (np.subtract, (0,)): d_subtract_x_exact,
    (np.subtract, ("row", 0)): d_subtract_xrow_exact,
    (np.subtract, ("row", 1)): d_subtract_yrow_exact,
    (np.subtract, ("plain", 0)): d_subtract_xplain_exact,
    (np.subtract, ("plain", 1)): d_subtract_yplain_exact,
    (np.multiply, (0, 1)): d_multiply_exact,
    (np.multiply, (1,)): d_multiply_y_exact,
    (np.multiply, (0,)): d_multiply_x_exact,
    (np.multiply, ("row", 0)): d_multiply_xrow_exact,
    (np.multiply, ("row", 1)): d_multiply_yrow_exact,
    (np.multiply, ("plain", 0)): d_multiply_xplain_exact,
    (np.multiply, ("plain", 1)): d_multiply_yplain_exact,
    (np.divide, (0, 1)): d_divide_exact,
    (np.divide, (1,)): d_divide_y_exact,
    (np.divide, (0,)): d_divide_x_exact,
    (np.divide, ("row", 0)): d_divide_xrow_exact,
    (np.divide, ("row", 1)): d_divide_yrow_exact,
    (np.divide, ("plain", 0)): d_divide_xplain_exact,
    (np.divide, ("plain", 1)): d_divide_yplain_exact,
    (np.negative, (0,)): d_negative_exact,
    (np.square, (0,)): d_square_exact,
}

_ENTRY = {
    np.divide: d_divide_xy_entry,
    np.square: d_square_x_entry,
    np.reciprocal: d_reciprocal_x_entry,
    np.sqrt: d_sqrt_x_entry,
    np.cbrt: d_cbrt_x_entry,
    np.absolute: d_absolute_x_entry,
    np.fabs: d_fabs_x_entry,
    np.exp2: d_exp2_x_entry,
    np.log: d_log_x_entry,
    np.log2: d_log2_x_entry,
    np.log10: d_log10_x_entry,
    np.log1p: d_log1p_x_entry,
    np.tan: d_tan_x_entry,
    np.arcsin: d_arcsin_x_entry,
    np.arccos: d_arccos_x_entry,
    np.arctan: d_arctan_x_entry,
    np.arctan2: d_arctan2_xy_entry,
    np.hypot: d_hypot_xy_entry,
    np.arcsinh: d_arcsinh_x_entry,
    np.arccosh: d_arccosh_x_entry,
    np.arctanh: d_arctanh_x_entry,
    np.cos: d_cos_x_entry,
    np.tanh: d_tanh_x_entry,
}

_SC_ENTRY = {
    "erf": d_sc_erf_x_entry,
    "erfc": d_sc_erfc_x_entry,
    "erfinv": d_sc_erfinv_x_entry,
    "erfcinv": d_sc_erfcinv_x_entry,
    "ndtr": d_sc_ndtr_x_entry,
    "ndtri": d_sc_ndtri_x_entry,
    "gamma": d_sc_gamma_x_entry,
    "j0": d_sc_j0_x_entry,
    "y0": d_sc_y0_x_entry,
    "y1": d_sc_y1_x_entry,
    "ndtri_exp": d_sc_ndtri_exp_x_entry,
    "loggamma": d_sc_loggamma_x_entry,
    "exp1": d_sc_exp1_x_entry,
    "expi": d_sc_expi_x_entry,
    "erfi": d_sc_erfi_x_entry,
    "k0": d_sc_k0_x_entry,
    "k1": d_sc_k1_x_entry,
}

_CONST = {
    (np.add, 0): d_add_x_const,
    (np.add, 0, "value"): d_add_x_const_value,
    (np.add, 1): d_add_y_const,
    (np.add, 1, "value"): d_add_y_const_value,
    (np.subtract, 0): d_subtract_x_const,
    (np.subtract, 0, "value"): d_subtract_x_const_value,
    (np.subtract, 1): d_subtract_y_const,
    (np.subtract, 1, "value"): d_subtract_y_const_value,
    (np.multiply, 0): d_multiply_x_const,
    (np.multiply, 0, "value"): d_multiply_x_const_value,
    (np.multiply, 1): d_multiply_y_const,
    (np.multiply, 1, "value"): d_multiply_y_const_value,
    (np.divide, 0): d_divide_x_const,
    (np.divide, 0, "value"): d_divide_x_const_value,
    (np.divide, 1): d_divide_y_const,
    (np.divide, 1, "value"): d_divide_y_const_value,
    (np.arctan2, 0): d_arctan2_x_const,
    (np.arctan2, 0, "loops"): d_arctan2_x_const_loops,
    (np.arctan2, 1): d_arctan2_y_const,
    (np.arctan2, 1, "loops"): d_arctan2_y_const_loops,
    (np.hypot, 0): d_hypot_x_const,
    (np.hypot, 0, "loops"): d_hypot_x_const_loops,
    (np.hypot, 1): d_hypot_y_const,
    (np.hypot, 1, "loops"): d_hypot_y_const_loops,
}

_LOOPS = {
    np.tanh: (d_tanh_x_loops, np.cosh),
}

_SC_LOOPS = {
    "erf": (d_sc_erf_x_loops, np.exp),
    "erfc": (d_sc_erfc_x_loops, np.exp),
    "erfinv": (d_sc_erfinv_x_loops, np.exp),
    "erfcinv": (d_sc_erfcinv_x_loops, np.exp),
    "ndtr": (d_sc_ndtr_x_loops, np.exp),
    "ndtri": (d_sc_ndtri_x_loops, np.exp),
    "exp1": (d_sc_exp1_x_loops, np.exp),
    "expi": (d_sc_expi_x_loops, np.exp),
    "erfi": (d_sc_erfi_x_loops, np.exp),
}

_VALUE_LOOPS = {
    np.reciprocal: d_reciprocal_x_value_loops,
    np.sqrt: d_sqrt_x_value_loops,
    np.cbrt: d_cbrt_x_value_loops,
    np.absolute: d_absolute_x_value_loops,
    np.fabs: d_fabs_x_value_loops,
    np.exp2: d_exp2_x_value_loops,
    np.log: d_log_x_value_loops,
    np.log2: d_log2_x_value_loops,
    np.log10: d_log10_x_value_loops,
    np.log1p: d_log1p_x_value_loops,
    np.tan: d_tan_x_value_loops,
    np.arcsin: d_arcsin_x_value_loops,
    np.arccos: d_arccos_x_value_loops,
    np.arctan: d_arctan_x_value_loops,
    np.arcsinh: d_arcsinh_x_value_loops,
    np.arccosh: d_arccosh_x_value_loops,
    np.arctanh: d_arctanh_x_value_loops,
}

KERNELS = {}    # ufunc -> {duals: (flat, rows)}: numba dispatchers, made when first asked


def kernels(ufunc):
    """The kernels of ``ufunc``, ``{duals: (flat, rows)}`` (empty for a ufunc without),
    numba dispatchers made at the ufunc's first request: making one runs numba's
    cache locator (it looks at the file system), and a process runs few of these
    kernels."""
    got = KERNELS.get(ufunc)
    if got is None:
        cases = _PLAIN.get(ufunc)
        if cases is None:
            return {}
        got = KERNELS.setdefault(ufunc, {
            duals: _dispatchers(*fns) for duals, fns in cases.items()})
    return got


def _dispatchers(flat, rows, loop=None):
    """``(flat, rows)`` numba dispatchers; the rows kernel's loop over ``n`` (a product
    rule's) is made first, under its name in this module, where numba looks up a
    kernel's callees when it compiles it.  Each types its values and its partials as
    two read-only groups (``_jit.one_layout``): ``_kernels.local``'s C-contiguous
    values, writable or not, share one signature per layout family of the partials
    (all C-contiguous, else ``'A'``); another caller's strided values leave the
    partials' C loops in place."""
    if loop is not None:
        globals()[loop.__name__] = njit(**_JIT)(loop)
    names = flat.__code__.co_varnames[:flat.__code__.co_argcount - 1]
    groups = (tuple(i for i, a in enumerate(names) if not a.startswith("p")),
              tuple(i for i, a in enumerate(names) if a.startswith("p")))
    return tuple(one_layout(njit(**_JIT)(fn), groups) for fn in (flat, rows))


SMALL_KERNELS = {}    # ufunc -> the numba dispatcher of its small-array kernel


def small_kernel(ufunc):
    """The small-array kernel of ``ufunc`` (every argument a dual), or ``None`` for a
    ufunc without; its numba dispatcher is made at the first request."""
    got = SMALL_KERNELS.get(ufunc)
    if got is None:
        fn = _SMALL.get(ufunc)
        if fn is None:
            return None
        got = SMALL_KERNELS.setdefault(ufunc, njit(**_JIT)(fn))
    return got


# The entry and exact kernels are called through their compiled entry points alone
# (``_kernels.small_entry`` / ``small_exact`` / ``small_row``): compiled without numba's
# runtime (``_jit.ENTRY``: they allocate nothing; its unboxing cost ~0.2 us a call).
ENTRY_KERNELS = {}    # ufunc -> the numba dispatcher of its lean entry kernel


def entry_kernel(ufunc):
    """The small-array kernel of ``ufunc`` for the lean path's compiled entry point
    (every argument a dual; 1-D values and partials of any layout, the lengths tested in
    the kernel), or ``None`` for a ufunc without; made at the first request.  A
    scipy.special ufunc's is ``_SC_ENTRY``'s, by its name (this module imports no
    SciPy)."""
    got = ENTRY_KERNELS.get(ufunc)
    if got is None:
        fn = _ENTRY.get(ufunc)
        if fn is None:
            sc = sys.modules.get("scipy.special")
            name = getattr(ufunc, "__name__", None)
            if sc is not None and name in _SC_ENTRY and getattr(sc, name, None) is ufunc:
                fn = _SC_ENTRY[name]
        if fn is None:
            return None
        got = ENTRY_KERNELS.setdefault(ufunc, njit(**_JIT, **ENTRY)(fn))
    return got


CONST_KERNELS = {}    # (ufunc, k) -> the numba dispatcher of a scalar dual's kernel


def const_kernel(ufunc, k, value=False):
    """The small-array kernel of ``ufunc`` for a scalar dual at argument ``k`` beside a
    plain 1-D float64 array (``_CONST``), or ``None`` for a pair without; made at the
    first request.  ``value``: the kernel that also computes the value (``+ - * /``);
    ``"loops"``: the one whose value NumPy's loop computes (``np.arctan2``: small72)."""
    key = ((ufunc, k, "loops") if value == "loops" else (ufunc, k, "value") if value else
           (ufunc, k))
    got = CONST_KERNELS.get(key)
    if got is None:
        fn = _CONST.get(key)
        if fn is None:
            return None
        got = CONST_KERNELS.setdefault(key, njit(**_JIT, **ENTRY)(fn))
    return got


LOOPS_KERNELS = {}    # ufunc -> (the numba dispatcher of its loops entry, its part's ufunc)


def loops_kernel(ufunc):
    """``(kernel, part)``: the lean path's entry of a split row whose part NumPy's loop
    computes in the kernel (``_LOOPS``; scipy.special's ``_SC_LOOPS``, by name, as
    :func:`entry_kernel`), its numba dispatcher made at the first request, and the
    part's NumPy ufunc (``np.cosh`` for ``np.tanh``); or ``None`` for a ufunc without."""
    got = LOOPS_KERNELS.get(ufunc)
    if got is None:
        pair = _LOOPS.get(ufunc)
        if pair is None:
            sc = sys.modules.get("scipy.special")
            name = getattr(ufunc, "__name__", None)
            if sc is not None and name in _SC_LOOPS and getattr(sc, name, None) is ufunc:
                pair = _SC_LOOPS[name]
        if pair is None:
            return None
        got = LOOPS_KERNELS.setdefault(ufunc, (njit(**_JIT, **ENTRY)(pair[0]), pair[1]))
    return got


VALUE_LOOPS_KERNELS = {}    # ufunc -> the numba dispatcher of its value-loops entry


def value_loops_kernel(ufunc):
    """The lean path's entry of a unary row whose value NumPy's loop computes in the
    kernel, before the row's own loop of the partials (``_VALUE_LOOPS``: ``np.log``,
    ``np.sqrt``...; small74), its numba dispatcher made at the first request; or
    ``None`` for a ufunc without."""
    got = VALUE_LOOPS_KERNELS.get(ufunc)
    if got is None:
        fn = _VALUE_LOOPS.get(ufunc)
        if fn is None:
            return None
        got = VALUE_LOOPS_KERNELS.setdefault(ufunc, njit(**_JIT, **ENTRY)(fn))
    return got


EXACT_KERNELS = {}    # (ufunc, duals) -> the numba dispatcher of a value-and-partials kernel


def exact_kernel(ufunc, duals):
    """The small-array kernel of ``ufunc`` that also computes the value, for dual
    arguments at the positions ``duals`` (a tuple; the others numbers; ``("row", k)``:
    a scalar dual at ``k``, an array dual at the other), or ``None`` for a ufunc
    without; made at the first request."""
    key = (ufunc, duals)
    got = EXACT_KERNELS.get(key)
    if got is None:
        fn = _EXACT.get(key)
        if fn is None:
            return None
        got = EXACT_KERNELS.setdefault(key, njit(**_JIT, **ENTRY)(fn))
    return got
