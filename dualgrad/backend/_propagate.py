"""Partials propagation for array duals: ``sum_k f_k * p_k``, NaN-safe.

``f_k`` is a local derivative of the output's shape ``S`` (or a scalar) and
``p_k`` the partials of an argument, of shape ``S_k + (n,)`` broadcasting to
``S + (n,)``.  Large same-shape float64 work goes to the numba kernels in
:mod:`dualgrad.backend._kernels`; everything else (broadcasting, nested duals, small
arrays) is written with NumPy calls, which also run on nested duals.
"""

import cmath
import math

import numpy as np

from . import _buffers, _hush, _kernels, _loader

_sum = np.add.reduce

__all__ = ["combine", "small", "lean_work", "LEAN_WORK", "LEAN_FLAT", "LEAN_ROWS", "DEFERRING",
           "combine_small", "combine_complex", "complex_term", "outer_small",
           "scaled_small", "pair_small", "scaled_kernel", "cube_kernel", "CUBE",
           "power_pair_kernel", "POWER_PAIR", "power_mixed_entry", "POWER_MIXED",
           "power_number_entry", "POWER_NUMBER", "outer_row_entry", "OUTER_ROW", "const_entry",
           "CONST", "entry_made",
           "pair_kernel", "local_kernel", "local_kernel2", "lean_sum", "EXACT", "EXACT_FLAT",
           "exact1", "exact2", "exact_number", "exact_row", "exact_plain", "exact_cell", "scaled", "outer", "cross", "weighted_sum", "where",
           "finite", "halved", "rows", "from_rows", "take", "take_along", "running_product", "convolve",
           "triangle", "join", "complex_parts"]


def _finite(f):
    """All entries finite? (One pass, no temporary: a sum of finite numbers is
    finite unless it overflows, which only sends us down the careful path.)"""
    if isinstance(f, (float, int, complex)):
        return f - f == 0.0
    if isinstance(f, np.ndarray):
        total = _sum(f, axis=None)
        if f.dtype == object:       # duals of two outer levels: their sum is one
            return _finite(total)
        return cmath.isfinite(total) if f.dtype.kind == "c" else math.isfinite(total)
    if _nested(f):                  # a dual of an outer level: its partials count too
        return _finite(f.value) and _finite(f.partials)
    return bool(np.all(np.isfinite(f)))


def _nested(a):
    """Is ``a`` a dual (of an outer level of a nested computation)?  Told by its
    attributes: the backend knows no dual types."""
    return hasattr(type(a), "partials") and hasattr(a, "tag")   # (the class's: reading
    #  a scalar dual of duals' .partials builds an object array, noted as f's own)


def _zero(p):
    """Where ``p`` is 0 at every level: a nested dual's value and all its partials.
    (Where only its value is 0, ``f * p`` still carries ``f``'s value times ``p``'s
    partials.)"""
    if _nested(p):
        return _zero(p.value) & np.all(_zero(p.partials), axis=-1)
    return p == 0.0


def scaled(f, p, owned=True):
    """``f[..., None] * p``; a zero partial stays 0 even where ``f`` is inf or NaN.

    With ``owned=False`` the result may be ``p`` itself.  Large results go into a
    buffer of the helpers' pool (:mod:`dualgrad.backend._buffers`) when it serves one.
    """
    number = type(f) is float or type(f) is int
    if number and f == 1.0 and not owned:
        return p
    out = _buffers.like(p)
    if number and f == 1.0:
        return p.copy() if out is None else _copy_into(out, p)
    if number and f == -1.0:
        return -p if out is None else np.negative(p, out=out)
    ndim = getattr(f, "ndim", 0)
    finite = _finite(f)
    if _by_columns(f, p):
        t = _columns(f, p, out)
    elif out is not None and type(f) in _PLAIN and \
            (ndim == 0 or f.dtype == np.float64 and f.shape == p.shape[:-1]):
        t = np.multiply(f[..., None] if ndim else f, p, out=out)
    elif ndim and _spread(f, p):
        t = _spread_factor(f, p.shape[-1]) * p
    elif ndim and finite and type(f) is np.ndarray and f.size >= _ALONG_FROM and \
            type(p) is np.ndarray and 1 < p.shape[-1] < 4 and f.dtype is _F64 and \
            p.dtype is _F64:        # (finite: NaN * NaN keeps the NaN NumPy's loop keeps)
        t = _along(f, p)
    else:                                     # small, broadcasting, nested duals
        t = (f[..., None] if ndim else f) * p
    if not finite:
        # a zero partial stays 0 where the product is NaN (f inf or NaN there); beside a
        # finite f it is f * 0 already, the signed zero IEEE float code's ``f * dx`` gives
        # (-0.0 at a negative f; the compiled kernels' products keep it too: power71)
        t = np.where(_zero(p) & (t != t), 0.0, t) if type(t) is np.ndarray else \
            np.where(_zero(p), 0.0, t)
        if ndim and _nested(f) and _nested(p):
            _per_direction(f, p, t)
        elif type(t) is np.ndarray and t.dtype.kind == "c":
            t = complex_parts(f[..., None] if ndim else f, p, t)
    return t


def complex_parts(f, p, t):
    """The complex product ``t = f * p`` of a local derivative ``f`` that is not finite
    somewhere and partials ``p``, with each part that is NaN taken again part by part
    under the zero rule: ``Re = f_r p_r - f_i p_i``, ``Im = f_r p_i + f_i p_r``, a term
    whose partial's part is an exact zero 0 whatever ``f``'s part (inf or NaN), as a
    real partial times an infinite local derivative is 0 (:func:`scaled`).  A complex
    product is four real ones: where one part of ``f`` overflowed, the directions'
    ``1 + 0j`` (a real partial read as complex, or a holomorphic seed) made ``inf * 0``
    NaN in the part that is finite (``Re exp(x + 1j)`` at x = 710, f' = 1.2070e308, was
    NaN: attack73 F2).  A float ``f`` or ``p`` has no imaginary part to multiply.  The
    parts that are not NaN stay NumPy's (the same bits); ``f``, ``p`` and ``t``
    ndarrays that broadcast to ``t``'s shape (``t`` written in place and returned) or
    numbers (one of ``t``'s type returned)."""
    number = type(t) is not np.ndarray
    if number:
        if t.real == t.real and t.imag == t.imag:
            return t
        kind, t = type(t), np.array(t, dtype=np.complex128)
    with np.errstate(all="ignore"):
        bad_re, bad_im = np.isnan(t.real), np.isnan(t.imag)
        if not (bad_re.any() or bad_im.any()):
            return kind(t[()]) if number else t
        fc, pc = np.iscomplexobj(f), np.iscomplexobj(p)
        fr, pr = np.real(f), np.real(p)
        re = _zero_term(fr, pr)
        if fc and pc:
            re = re - _zero_term(np.imag(f), np.imag(p))
        im = _zero_term(fr, np.imag(p)) if pc else 0.0
        if fc:
            im = im + _zero_term(np.imag(f), pr)
        if bad_re.any():
            t.real[bad_re] = np.broadcast_to(re, t.shape)[bad_re]
        if bad_im.any():
            t.imag[bad_im] = np.broadcast_to(im, t.shape)[bad_im]
    return kind(t[()]) if number else t


def _zero_term(x, y):
    """``x * y`` of real parts, 0 where the partial's part ``y`` is 0 and the product NaN
    (:func:`complex_parts`)."""
    r = x * y
    return np.where((y == 0.0) & (r != r), 0.0, r)


def _per_direction(f, p, t):
    """The nested zero rule per inner direction, in place on ``t = f[..., None] * p``:
    its inner partial ``p.v f.p_j + f.v p.p_j`` takes the first term as 0 where ``p.v``
    is 0 and ``f.p_j`` not finite (lim f(h) p(h) / h = f(0) p_j), as seeding ``j`` alone
    gives (``_zero(p)`` there), so a Hessian's entry does not depend on ``chunk=``
    (hess54: ``np.sum(np.sqrt(x[[1]]) / (1 + x[[1]] * x[[3]]))`` at 0, H[1, 3] NaN beside
    x3's seed, 0 alone); the scalar kind's ``_zero_rule_product``.  Float inner levels
    only (a third level keeps the whole-partial rule)."""
    fv, fp, pv, pp = f.value, f.partials, p.value, p.partials
    if not all(type(a) is np.ndarray and a.dtype == np.float64 for a in (fv, fp, pv, pp)):
        return
    if fv.shape != pv.shape[:-1] or fp.shape[:-1] != fv.shape or pp.shape[:-1] != pv.shape:
        return              # f broadcast against p (a level wrapped around the Hessian's:
        #                     its value shape is not p's): the whole-partial rule, hess55
    mask = (pv == 0.0)[..., None] & ~np.isfinite(fp)[..., None, :]
    if not mask.any():
        return
    with np.errstate(all="ignore"):
        second = fv[..., None, None] * pp
        if not np.isfinite(fv).all():
            second[pp == 0.0] = 0.0
    t.partials = np.where(mask, second, t.partials)


_PLAIN = frozenset({float, int, np.float64, np.ndarray})


def _spread(f, p):
    """Should ``f[..., None] * p`` spread the factor ``f`` over the ``n`` directions
    first (:func:`_spread_factor`)?  For float64 ``f`` and ``p`` with 2 to
    :data:`_MASK_ROWS` directions where ``f`` broadcasts over axes of ``p`` (a factor
    smaller than the result: VFI's ``v * Q`` of (1, 1, 30, 5) by (1, 5, 1, 5)).  There
    ``f[..., None]``'s stride 0 along the directions keeps NumPy's loop at ``n``
    elements; spread, the directions and the value axes after the last broadcast one
    run as one loop (the same products: the same bits; ``v * Q`` 40 -> 35 us, ``python
    bench/scalar_loops.py --parts``, vfi46)."""
    if type(p) is not np.ndarray or type(f) is not np.ndarray or f.dtype != np.float64 or \
            p.dtype != np.float64 or \
            not 1 < p.shape[-1] <= _MASK_ROWS or f.ndim > p.ndim - 1:
        return False
    shape = f.shape
    for a, b in zip(p.shape[p.ndim - 1 - f.ndim:-1], shape):
        if b == 1 and a != 1:
            return True                       # f broadcasts along this axis
    return False


def _spread_factor(f, n):
    """``f[..., None]`` copied ``n`` times along a new last axis (``f.size * n``
    numbers, fewer than the product's)."""
    out = np.empty(f.shape + (n,))
    out[...] = f[..., None]
    return out


# NumPy's loops run along the last axis, the n directions: a product
# ``f[..., None] * p`` of a few directions calls its inner loop once a row of ``n``
# elements.  Iterated over ``p`` with the directions first (``p.transpose`` of the
# axes :data:`_ALONG_AXES`, ``order="C"``), the inner loop runs along the value's last
# axis instead, ``n`` times a row of the value.  ``python bench/along_ab.py --compare``
# (twodir68, load ~14): scaled_small / pair_small at n = 2, N = 1e3 0.74 / 0.73 of the
# broadcast product's, N = 1e4 0.39 / 0.44; n = 3 0.86 / 0.87, 0.58 / 0.62; below ~500
# value elements the tests here cost what the loop saves, at n = 4 the strided passes
# lose below ~3e4 elements, at n = 3 past ~1e5 partials elements (they leave the
# cache).  Each element is the same IEEE product of the same two numbers, written into
# a C-ordered array as the broadcast product of C-ordered operands writes it.
_ALONG_FROM = 512
_ALONG_UPTO = 1 << 17
_ALONG_AXES = {2: (1, 0), 3: (2, 0, 1), 4: (3, 0, 1, 2)}


def _along(f, p):
    """``f[..., None] * p`` for float64 arrays ``f`` of the value shape ``p.shape[:-1]``
    and ``p``, by :data:`_ALONG_AXES` (the inner loop along the value) where that is
    faster: 2 directions, or 3 up to :data:`_ALONG_UPTO` partials elements, both arrays
    C-ordered (the broadcast product's result is C-ordered then too); else NumPy's
    broadcast product.  The same products, so the same bits, but for the NaN of NaN *
    NaN: IEEE 754 leaves which operand's NaN to the implementation, and NumPy's
    broadcast loop gives ``f``'s except on some rows' tail elements, this one always
    ``f``'s (callers decline a factor that is not finite, or run the broadcast).
    Callers ask from :data:`_ALONG_FROM` value elements and for 2 or 3 directions only:
    elsewhere these tests cost what they save."""
    n = p.shape[-1]
    if (n == 2 or n == 3 and p.size <= _ALONG_UPTO) and p.ndim <= 4 and \
            f.shape == p.shape[:-1] and p.flags.c_contiguous and \
            (f.ndim == 1 or f.flags.c_contiguous):
        axes = _ALONG_AXES[p.ndim]
        out = np.empty(p.shape)
        np.multiply(f, p.transpose(axes), out=out.transpose(axes), order="C")
        return out
    return (f[:, None] if f.ndim == 1 else f[..., None]) * p


def _copy_into(out, p):
    np.copyto(out, p)
    return out


def combine(factors, partials, shape, n, scratch=None):
    """The partials ``sum_k factors[k][..., None] * partials[k]`` of shape ``shape + (n,)``.

    ``scratch``: one of ``factors``, a temporary that may be overwritten.
    """
    target = tuple(shape) + (n,)
    if n > _COLUMNS and _row_terms(factors, partials, target):
        return _from_row_terms(factors, partials, target)
    if len(factors) == 1 and isinstance(factors[0], float):     # c * p: one NumPy pass
        total = scaled(factors[0], partials[0])
        return total if total.shape == target else _broadcast(total, target)
    fast = _kernels.combine(factors, partials, target, scratch)
    if fast is not None:
        return fast
    if len(factors) == 2 and all(type(f) is float for f in factors) and \
            factors[0] == 1.0 and abs(factors[1]) == 1.0:       # a + b, a - b: one pass
        p, q = partials
        op = np.add if factors[1] == 1.0 else np.subtract
        total = _columns2(op, p, q, target)
        if total is None:
            out = _buffers.like(p) if type(q) is np.ndarray and p.shape == q.shape and \
                q.dtype == np.float64 else None
            total = op(p, q) if out is None else op(p, q, out=out)
        factors = ()
    else:
        total = None
    mine = False                 # may total be written? (not when it is a source's partials)
    for f, p in zip(factors, partials):
        if total is None:
            total = scaled(f, p, owned=len(factors) == 1)
            mine = total is not p
            continue
        term = scaled(f, p, owned=False)
        if mine and type(total) is np.ndarray and type(term) is np.ndarray and \
                total.dtype == term.dtype == np.float64 and total.shape == term.shape:
            np.add(total, term, out=total)     # no fresh pages for the sum
        else:
            summed = None if total.shape == term.shape else \
                _columns2(np.add, total, term, target)
            total, mine = (total + term if summed is None else summed), True
    return total if total.shape == target else _broadcast(total, target)


def _row_terms(factors, partials, target):
    """Is every term a float64 factor of the value's shape (or a number) times a row of
    ``n`` partials (a seed's unit rows, times an argument's probe codes in
    ``dg.elementwise_grad``), with at least :data:`_COLUMNS_FROM` elements?"""
    if math.prod(target) < _COLUMNS_FROM or len(target) < 2:
        return False
    for f, p in zip(factors, partials):
        if type(p) is not np.ndarray or p.shape != target[-1:] or p.dtype != np.float64:
            return False
        if type(f) is np.ndarray:
            if f.dtype != np.float64 or f.shape != target[:-1]:
                return False
        elif type(f) is not float and type(f) is not int:
            return False
    return True


def _from_row_terms(factors, rows, target):
    """``sum_k factors[k][..., None] * rows[k]`` for :func:`_row_terms`, bit for bit: a
    direction at a time from the rows' nonzero entries (the same IEEE products summed
    in the same order), written contiguously and transposed once.  A row's zero
    entries add a 0 whatever the factor (the zero rule), which changes only the sign
    of a zero total: it is -0.0 when every term is.  NumPy's broadcasting would make
    each term a product of partials size with a loop of ``n`` per element: an
    elementwise gradient's seeds when its graph is interpreted (``python
    bench/first_sight.py --compare OTHER``: the grid field's interpreted pass 0.42 of
    the broadcast form's, stop 36)."""
    n = target[-1]
    finite = [_finite(f) for f in factors]
    columns = np.zeros((n,) + target[:-1])     # (pages of zeros: read, never written)
    for j in range(n):
        terms, plus, signed = [], False, []    # plus: some zero term is +0.0 everywhere
        for f, row, ok in zip(factors, rows, finite):
            r = row[j]
            if r != 0.0:
                terms.append(f * r if type(f) is not np.ndarray else (f, r))
            elif not ok or type(f) is not np.ndarray and \
                    math.copysign(1.0, f) * math.copysign(1.0, r) > 0:
                plus = True
            elif type(f) is np.ndarray:
                signed.append((f, r))          # +0.0 where f's sign is r's
        column = columns[j]
        for k, term in enumerate(terms):
            if type(term) is tuple:
                term = np.multiply(term[0], term[1], out=column if not k else None)
            if k:
                column += term
            elif type(term) is not np.ndarray:
                column.fill(term)
        if not terms and not plus:
            column.fill(-0.0)                  # the empty sum, as far as signs go
        if plus:
            if terms:
                column += 0.0
        else:
            for f, r in signed:
                np.copyto(column, 0.0, where=(column == 0.0) &
                          (np.signbit(f) == (math.copysign(1.0, r) < 0)))
    out = _buffers.empty(target)
    np.copyto(out, np.moveaxis(columns, 0, -1))
    return out


def _broadcast(total, target):
    """``total`` broadcast into a new array of shape ``target``."""
    if type(total) is np.ndarray and total.dtype == np.float64:
        full = _buffers.empty(target)          # every element is written below
        if target[-1] <= _COLUMNS and full.size >= _COLUMNS_FROM:
            for k in range(target[-1]):        # a row of n copied down: see _by_columns
                full[..., k] = total[..., k]
            return full
    else:
        full = np.zeros(target, dtype=np.result_type(total.dtype, float)) \
            if isinstance(total, np.ndarray) \
            else np.zeros_like(np.broadcast_to(total, target))
    full[...] = total
    return full


# NumPy's loops run along the last axis, the n directions: with n = 2 to 4 a loop
# of 2 to 4 elements per row of a large array.  A column at a time makes each loop
# N long (``python bench/columns_ab.py``, N = 1e5, quiet: n = 2, ``f[:, None] * p``
# 350 -> 106 us, a row broadcast down 640 -> 65 us, ``f[:, None] * row`` 1089 ->
# 93 us; at n = 4 the first is a wash, the others 3-4x; from n = 8 the strided
# columns lose).  Each element is the same IEEE product either way.
_COLUMNS = 4
_COLUMNS_FROM = 1 << 14


def _by_columns(f, p):
    """Should ``f[..., None] * p`` run a direction at a time?  For float64 ``f`` of
    the result's shape (``p`` of it or broadcasting from a row of partials) with
    2 to :data:`_COLUMNS` directions and at least :data:`_COLUMNS_FROM` elements."""
    if type(f) is not np.ndarray or type(p) is not np.ndarray or f.dtype != np.float64 \
            or p.dtype != np.float64 or not 1 < p.shape[-1] <= _COLUMNS \
            or f.size * p.shape[-1] < _COLUMNS_FROM:
        return False
    return p.shape[:-1] == f.shape or p.ndim == 1 or \
        np.broadcast_shapes(p.shape[:-1], f.shape) == f.shape


def _columns2(op, p, q, target):
    """``op(p, q)`` for partials broadcasting to ``target`` (one a row of ``n``, say),
    a direction at a time into a new array, or ``None`` where :func:`_by_columns`
    would not take it."""
    if type(p) is not np.ndarray or type(q) is not np.ndarray or p.dtype != np.float64 \
            or q.dtype != np.float64 or not 1 < target[-1] <= _COLUMNS \
            or math.prod(target) < _COLUMNS_FROM or p.shape[-1] != q.shape[-1] \
            or p.shape == q.shape:                     # one flat pass is faster
        return None
    out = _buffers.empty(target)
    for k in range(target[-1]):
        op(p[..., k], q[..., k], out=out[..., k])
    return out


def _columns(f, p, out):
    """``f[..., None] * p`` into ``out`` (or a new array), a direction at a time."""
    n = p.shape[-1]
    if out is None or out.shape != f.shape + (n,):
        out = _buffers.empty(f.shape + (n,))
    for k in range(n):
        np.multiply(f, p[..., k], out=out[..., k])
    return out


def small(work):
    """Does propagation of ``work`` partials elements run on NumPy whatever the rule
    (the automatic choice, below every kernel's threshold)?  Dispatch's small-array
    path (``dualgrad.dispatch._ufuncs.small``) runs only then, so its results are
    NumPy's.  The sizes and the mode are :mod:`._kernels`' (the engine choice); the
    test sits here, beside :func:`combine_small`, so that a small operation runs in
    one module of the backend."""
    return work < _kernels.MIN_WORK_FUSED and _kernels._mode == "auto"


# The fused engine's switch, ``[deferring now?, from how many partials elements]``:
# ``_fused.ACTIVE`` is this list (the engine sets it in place; it lives here so that
# :func:`lean_work` reads it without importing the engine, which imports this module).
DEFERRING = [False, 1 << 14]
# Partials elements below which dispatch's lean path runs at medium sizes
# (:func:`lean_work`), with n >= 2 directions and with one: past them its kernels (a
# finiteness test in the loop, no vector instructions) lose to the general path's
# (``python bench/bench_engine.py --medium``; stop 30, mid12).
LEAN_WORK = 1 << 15
LEAN_FLAT = 1 << 13
# Numbers of directions whose lean kernels run a row as a loop of that literal length
# (``scale_finite``, ``scale2_finite``, the rule kernels' ``_small``): those cost what the
# general path's kernels cost at every size, so the lean path takes 1-D values of
# these at any size and saves the general path's Python (~40 us a call at N = 1e5,
# about one float call of np.multiply: ``python bench/bench_engine.py --medium
# --large``, stop 32 rows14).  Other numbers of directions keep :data:`LEAN_WORK`.
LEAN_ROWS = (2, 4)


def lean_work(work, shape):
    """May dispatch's lean path (``dualgrad.dispatch._ufuncs.lean``, ``small``) take
    ``work`` partials elements of values of ``shape``?

    Below :func:`small`'s size, as :func:`small`.  From there, values of any number
    of axes (the lean kernels read values of more than one as rows of one flat axis,
    :func:`_flat`; before stop 33 those went to the general path, 25-45 us a call at
    30 x 30 elements): with a number of directions in :data:`LEAN_ROWS` at any size, else up
    to :data:`LEAN_WORK` partials elements (:data:`LEAN_FLAT` for one direction),
    unless the fused engine defers this work now (``DEFERRING``: inside a helper, from
    its size on), which the general path then leaves to it.  The engine is the
    automatic one in both (``use("numpy")``/``use("numba")`` force the general path).
    The lean path's operations are the general path's (the same IEEE products and
    sums, in the same order, by NumPy or by a kernel: they round alike), so what it
    returns is the general path's to the bit; a local derivative that is not finite
    sends it to the general path, which keeps a zero partial 0 beside it."""
    if work < _kernels.MIN_WORK_FUSED:
        return _kernels._mode == "auto"
    if _kernels._mode != "auto" or DEFERRING[0] and work >= DEFERRING[1]:
        return False
    n = work // (shape[0] if len(shape) == 1 else math.prod(shape))
    return work < (LEAN_FLAT if n == 1 else LEAN_WORK) or n in LEAN_ROWS


def combine_small(factors, partials, target):
    """:func:`combine` for small float64 work that :func:`small` admits, in plain
    NumPy calls, or ``None`` when a factor is not finite somewhere (then
    :func:`combine`, which keeps a zero partial 0 beside it, must run).

    ``factors``: local derivatives (numbers, or float64 arrays broadcasting to the
    value shape ``target[:-1]``); ``partials``: float64 arrays broadcasting to
    ``target``.  The arithmetic is :func:`combine`'s NumPy path's own (each term a
    product of the same two numbers, the terms summed in the same order), so the
    result is the same to the bit; only its finiteness test is cheaper on small
    factors.  A float64 factor of more than one element that broadcasts over the
    value (operands of two shapes: VFI's ``v * Q`` of (1, 1, 30, 5) by (1, 5, 1, 5))
    is first copied along the 2 .. :data:`SPREAD_ROWS` directions (``f.size * n``
    numbers): ``f[..., None]``'s stride 0 along them holds NumPy's inner loop at
    ``n`` elements, while the spread factor and the partials run their trailing
    axes as one loop (vfi47: VFI's products 14 -> 6 us each); from that term on, once
    the sum is an array of ``target``'s shape made here, later terms are added into
    it (NumPy's in-place loop, whose NaN of NaN + NaN may differ in sign from the
    new-array loop's: kept where each was before, so every bit as before).  (This
    was two functions until stop 48, this one and dispatch's ``_spread_terms``:
    ``python bench/combine_check.py`` checks the merge bit for bit.)
    """
    n = target[-1]
    total = None
    mine = False                   # total: an array of target's shape made here
    spreading = False              # a factor broadcast: sums into total from then on
    for f, p in zip(factors, partials):
        if type(f) is float:                          # a constant of the table: +-1
            if f == 1.0:
                term = p
            elif f == -1.0:
                if total is not None:                 # a - b: one pass
                    if mine and spreading:
                        np.subtract(total, p, out=total)
                    else:
                        total = total - p
                        mine = total.shape == target
                    continue
                term = -p
            elif f - f == 0.0:
                term = f * p
            else:
                return None
        elif f.ndim == 0:
            if not f - f == 0.0:
                return None
            term = f * p
        else:
            if not math.isfinite(sum(f.tolist()) if f.ndim == 1 and f.size <= 64
                                 else _sum(f, axis=None)):
                return None
            if 1 < n <= SPREAD_ROWS and f.size * n < math.prod(target):
                spreading = True                      # f broadcasts over the value
                if f.dtype is _F64:
                    spread = np.empty(f.shape + (n,))
                    spread[...] = f[..., None]
                    term = spread * p
                else:
                    term = f[..., None] * p
            elif f.size >= _ALONG_FROM and f.dtype is _F64 and type(p) is np.ndarray \
                    and 1 < p.shape[-1] < 4 and p.dtype is _F64:
                term = _along(f, p)
            else:
                term = (f[:, None] if f.ndim == 1 else f[..., None]) * p
        if total is None:
            total = term
            mine = term is not p and term.shape == target
        elif mine and spreading:
            np.add(total, term, out=total)
        else:
            total = total + term
            mine = total.shape == target
    if total.shape != target:                # (an assignment: 3x faster than
        full = np.empty(target, total.dtype)  # np.broadcast_to(total, target).copy())
        full[...] = total
        return full
    return total if mine else total.copy()


# Directions up to which :func:`combine_small` spreads a broadcasting factor first.
SPREAD_ROWS = 8


def combine_complex(factors, partials):
    """:func:`combine` of one or two terms where a factor or a partials array is
    complex128 (which its kernels decline), in its own NumPy calls without its
    general tests, or ``None`` where it must run instead: a local derivative that
    is not finite somewhere (it keeps a zero partial 0 beside it), a table constant
    other than +-1, more terms.

    ``factors``: the table's local derivatives (Python floats +-1, NumPy scalars,
    ndarrays of the value's shape); ``partials``: ndarrays of ``value shape + (n,)``.
    Each product and sum is the one :func:`combine` (:func:`scaled`) computes, with
    the same operands in the same order, so the result is its own to the bit; the
    finiteness test is :func:`_finite`'s (the same reduction), so the two take the
    careful path on the same factors."""
    if len(factors) == 2:
        f, g = factors
        p, q = partials
        if type(f) is float and type(g) is float:      # a + b, a - b
            if f == 1.0 and (g == 1.0 or g == -1.0):
                return p + q if g == 1.0 else p - q
            return None
        first = complex_term(f, p)
        if first is None:
            return None
        if g is f and type(f) is np.ndarray:            # u * u: tested once
            return first + (f[..., None] * q if f.ndim else f * q)
        second = complex_term(g, q)
        return None if second is None else first + second
    if len(factors) == 1:
        f, p = factors[0], partials[0]
        if type(f) is float:                            # a + 2.0, 2.0 - a
            return p.copy() if f == 1.0 else -p if f == -1.0 else None
        return complex_term(f, p)
    return None


def complex_term(f, p):
    """:func:`scaled` of a NumPy scalar or ndarray ``f`` (not a Python number) and
    ``p``, or ``None`` where ``f`` is not finite somewhere."""
    if type(f) is np.ndarray and f.ndim:
        total = _sum(f, axis=None)
        if not (cmath.isfinite(total) if f.dtype.kind == "c" else math.isfinite(total)):
            return None
        return f[..., None] * p
    if type(f) is float or type(f) is int or not f - f == 0.0:
        return None                 # (a Python number: scaled's own cases)
    return f * p


def _finite_small(f, quiet=False):
    """Are all entries of the small float64 array ``f`` finite?  (A sum of Python
    floats for a short row: cheaper than a NumPy reduction at this size; an
    overflow only sends the caller down the careful path.)  ``quiet``: the caller
    runs with NumPy's reports hushed, so past a short row :func:`_quiet_finite`
    answers."""
    if f.ndim == 1 and f.size <= 64:
        return math.isfinite(sum(f.tolist()))
    return _quiet_finite(f) if quiet else math.isfinite(_sum(f, axis=None))


def _quiet_finite(f):
    """``math.isfinite(np.add.reduce(f, axis=None))`` for an ndarray ``f``, the same
    answer by one BLAS dot where it is cheaper to get, for a caller that hushed NumPy's
    reports (the dot's overflow and underflow are not the reduction's, and its
    report's text names dot: rows65_bits' ``2-D power`` case warned "overflow
    encountered in dot" where the unhushed caller's reduction said nothing, shallow69).
    ``s = v . v`` of ``f``'s float64 elements ``v``: ``s <= 1e300`` holds only where
    every element is finite (an inf or NaN element makes ``s`` inf or NaN) and the sum
    of their magnitudes is at most ``sqrt(f.size s)`` (Cauchy-Schwarz; squares that
    underflowed are of elements below 1.5e-154), so the reduction cannot overflow:
    True, its answer.  Else (some element not finite, or a sum that may overflow) the
    reduction itself answers; another dtype (complex: ``v . v`` is no sum of squares)
    takes it at once.  At a few hundred elements the dot costs ~0.35 us against the
    reduction's ~0.9: every lean product's finiteness test on the shallow water row's
    fields (its 16 quotients, 16 squares and 8 products a step)."""
    if f.dtype is not _F64:
        return math.isfinite(_sum(f, axis=None))
    v = f.reshape(-1)
    return v.dot(v) <= 1e300 or math.isfinite(_sum(f, axis=None))


# What one small operation on 1-D values saves with a kernel over NumPy's calls, in
# the loader's currency (partials elements at ~5 ns, :data:`_loader.LOAD_AFTER`):
# ``python bench/bench_engine.py --small`` (N = 10, n = 2-10) measured ~4 us for two
# factors (finiteness tests, two broadcast products, a sum) and ~2 us for one.  Until
# numba is loaded each such operation counts this much, so that a long loop of small
# operations loads it after about a load's worth of NumPy calls, as large work does.
SMALL_PAIR_WORK = 800
SMALL_ONE_WORK = 400
_empty = np.empty
_POOLED = _buffers.MIN_BYTES // 8
_compiled = None                  # the kernel module, once this module has used it


def _small_kernels():
    """The kernel module (numba loaded), kept here: a small operation's calls stay
    in this module of the backend (``tests/test_architecture.py`` counts them)."""
    global _compiled
    _compiled = _kernels._kernels()
    return _compiled


def _flat(p, rows):
    """Partials ``p`` (directions last) of ``rows`` value elements with their value
    axes as one, for a lean kernel, which reads 1-D values and rows of partials
    (values: ``x.reshape(-1)``; ``rows`` spelled out for no directions).
    A view where the layout allows (C-contiguous: every result of the lean path),
    else a C-contiguous copy; the kernel's elementwise work on the flat rows is the
    same operations per element as on the axes, so the same bits."""
    return p.reshape(rows, p.shape[-1])


def _out(p):
    """An uninitialised float64 array shaped like the partials ``p`` for a lean
    kernel's result: NumPy's below the pool's size, else :func:`_buffers.empty`'s (a
    free buffer of that size when one is, so that a large lean result does not
    fault in fresh pages)."""
    return _empty(p.shape) if p.size < _POOLED else _buffers.empty(p.shape)


def lean_sum(ufunc, p, q=None):
    """``ufunc(p, q)``, or ``ufunc(p)`` without ``q``, for ``np.add``, ``np.subtract`` or
    ``np.negative`` on partials of one shape: the lean path of ``a + b``, ``a - b`` and
    ``-a`` (local derivatives +-1, NumPy's one pass), its result past the pool's size
    in a pooled buffer as :func:`_out`'s (a large result held while the next is made,
    ``u = u + v``, then takes a free buffer, not fresh pages)."""
    out = None if p.size < _POOLED else _buffers.empty(p.shape)
    return ufunc(p, out=out) if q is None else ufunc(p, q, out=out)


def _kernel_now(size, small_work):
    """May a lean operation on ``size`` partials elements call its kernel, numba not
    loaded when it began?  It counts towards the load first (``_loader.ready``'s count,
    without a call into the loader): ``small_work`` below :func:`small`'s size (where it
    then runs NumPy's calls this once), else its ``size``, as the general path counts
    that work (and runs the kernel when that count loads numba)."""
    small = size < _kernels.MIN_WORK_FUSED
    _loader._spent += small_work if small else size
    if _loader._spent >= _loader.LOAD_AFTER:
        _loader.load()
    return not small and _loader.READY


def scaled_small(f, p, quiet=False):
    """``combine_small([f], [p], p.shape)`` for one float64 array factor ``f`` of the
    value shape ``p.shape[:-1]`` (the lean path of one array dual): ``f[..., None] * p``,
    or ``None`` when ``f`` is not finite somewhere.  ``quiet``: the caller hushed
    NumPy's reports (:func:`_finite_small`'s).

    Once numba is loaded, one kernel call (values of more axes read flat, :func:`_flat`;
    ``scale_finite``: the finiteness test and the products in one loop, the same IEEE
    products, so the same bits) instead of NumPy's test and broadcast product, ~3x
    slower at N = 10."""
    if _loader.READY or _kernel_now(p.size, SMALL_ONE_WORK):
        return scaled_kernel(f, p)           # (numba loaded: READY now)
    if not quiet:                            # a caller in the user's error state: the
        token = _hush.enter()                # products' reports are not f's (fperr73)
        try:
            return _scaled_numpy(f, p, False)    # (its tests as they were: the reduction)
        finally:
            _hush.leave(token)
    return _scaled_numpy(f, p, True)


def _scaled_numpy(f, p, quiet):
    """:func:`scaled_small`'s NumPy calls."""
    if not _finite_small(f, quiet):
        return None
    if f.size >= _ALONG_FROM and 1 < p.shape[-1] < 4:
        return _along(f, p)
    return (f[:, None] if f.ndim == 1 else f[..., None]) * p


def pair_small(f, p, g, q, quiet=False):
    """``combine_small([f, g], [p, q], p.shape)`` for float64 array factors ``f`` and
    ``g`` of the value shape and partials ``p``, ``q`` of one shape (the lean path of
    two array duals): ``f[..., None] * p + g[..., None] * q`` in the same operations
    and order (the sum written into the first product, which nothing else holds), or
    ``None`` when a factor is not finite somewhere.

    Once numba is loaded, one kernel call (values of more axes read flat; ``scale2_finite``: each
    product rounded, then their sum, as NumPy's three calls round them) instead of
    NumPy's two finiteness tests, two broadcast products and a sum, ~4x slower at
    N = 10 (``bench/bench_engine.py --small``).  ``quiet``: the caller hushed NumPy's
    reports (:func:`_finite_small`'s)."""
    if _loader.READY or _kernel_now(p.size, SMALL_PAIR_WORK):
        return pair_kernel(f, p, g, q)       # (numba loaded: READY now)
    if not quiet:                            # as scaled_small's (fperr73)
        token = _hush.enter()
        try:
            return _pair_numpy(f, p, g, q, False)
        finally:
            _hush.leave(token)
    return _pair_numpy(f, p, g, q, True)


def _pair_numpy(f, p, g, q, quiet):
    """:func:`pair_small`'s NumPy calls."""
    if f.size > 64 and 0 < p.shape[-1] <= 2:
        # one test of the sum where the factors' two cost more (rows66): a factor
        # that is not finite makes a product inf or NaN (0 * inf), and so the sum;
        # a sum that is not finite (an overflow, inf or NaN partials) asks the
        # factors as below, so the same answer (the caller hushes the products)
        if f.size >= _ALONG_FROM and 1 < p.shape[-1] < 4:
            total = _along(f, p)
            total += _along(g, q)
        else:
            total = f[..., None] * p
            total += g[..., None] * q
        if (_quiet_finite(total) if quiet else math.isfinite(_sum(total, axis=None))) \
                or _finite_small(f, quiet) and _finite_small(g, quiet):
            return total
        return None
    if not (_finite_small(f, quiet) and _finite_small(g, quiet)):
        return None
    if f.size >= _ALONG_FROM and 1 < p.shape[-1] < 4:
        total = _along(f, p)
        total += _along(g, q)
    elif f.ndim == 1:
        total = f[:, None] * p
        total += g[:, None] * q
    else:
        total = f[..., None] * p
        total += g[..., None] * q
    return total


def outer_small(c, p, g, q):
    """``c * p + g[:, None] * q`` for the lean path of a scalar dual with an array dual
    (``k * u``: ``c`` the Python float factor of the array's 2-D partials
    ``p``, ``g`` the 1-D float64 factor of the scalar's partials ``q``, shape ``(n,)``):
    one ``scale_outer`` kernel call once numba is loaded (counted towards the load as
    :func:`pair_small`), each product rounded, then their sum, as NumPy's broadcast
    products and addition in ``combine_small`` round them, so the same bits; below
    ``SMALL_BELOW`` (the automatic engine) its compiled entry point ``outer_entry``
    instead, called without numba's dispatcher (partials of any layout; small42), past
    it C-contiguous partials only (``NotImplemented`` for others).  Numba not
    loaded, one direction (``n = 1``: a derivative) takes two NumPy products of the
    partials' and the value's shape and their sum, without ``combine_small``'s broadcast
    product (the same products of the same numbers, so the same bits again). ``None``
    where a factor is not finite somewhere (the caller's careful path), ``NotImplemented``
    otherwise (more directions, no kernel: the caller then runs ``combine_small``)."""
    if _loader.READY or _kernel_now(p.size, SMALL_PAIR_WORK):
        if p.size < _kernels.SMALL_BELOW[0] and p.ndim == 2 and g.ndim == 1:
            entry = _OUTER[0] or _outer_entry()     # small: no dispatcher (small42)
            out = _empty(p.shape)
            return out if entry(c, p, g, q, out) else None
        if not p.flags.c_contiguous:
            return NotImplemented
        if not (c - c == 0.0 and _finite_small(g)):
            return None
        out = _out(p)
        (_compiled or _small_kernels()).scale_outer(c, p, g, q, out)
        return out
    if q.shape[0] != 1:
        return NotImplemented
    if not (c - c == 0.0 and _finite_small(g)):        # one direction (a derivative):
        return None                                     # no broadcast product, the
    out = c * p                                         # same products and sum
    out += (g * q[0])[:, None]
    return out


_OUTER = [None]                   # outer_small's compiled entry point, once made


def _outer_entry():
    _OUTER[0] = _kernels.small_outer_entry()
    return _OUTER[0]


# The lean path's compiled entry points for the partials of a unary rule on small 1-D
# values (``_kernels.small_entry``), one cell ``[entry]`` per ufunc (``None``: the factor
# given, ``scale_entry``) shared with dispatch's generated function, which calls the
# entry itself (no dispatcher, no Python call of this module: small39) while the cell
# holds one and the work is below ``SMALL_BELOW``.  A cell holds ``None`` until its
# entry is first wanted, numba loaded (made here by :func:`scaled_kernel` or
# :func:`local_kernel`, which the function calls until then), ``False`` for a ufunc
# without.
_ENTRIES = {}


def entry_cell(ufunc):
    """The cell ``[entry point, None or False]`` of ``ufunc``'s lean entry point
    (``None``: the one that takes the factor: ``np.sin``'s ``np.cos(x)``, ``np.exp``'s
    value): call ``cell[0](f, p, t)`` (or ``(x, out, p, t)`` for a :func:`fusable`
    rule's) when it is truthy, ``x`` / ``f`` native float64 1-D ndarrays, ``p`` 2-D of
    fewer than ``SMALL_BELOW[0]`` elements and ``t`` a C-contiguous float64 array of its
    shape (``small_empty(p.shape)``): True, the partials written, or False (a local
    derivative not finite, lengths that do not match: nothing usable in ``t``)."""
    cell = _ENTRIES.get(ufunc)
    if cell is None:
        cell = _ENTRIES.setdefault(ufunc, [None])
    return cell


def _install(cell, ufunc):
    """Makes ``cell``'s entry point (numba loaded); returns it, or ``False``."""
    cell[0] = _kernels.small_entry(ufunc) or False
    return cell[0]


def entry_made(cell, ufunc):
    """``cell``'s (:func:`entry_cell` of ``ufunc``) entry point, made now where it holds
    none (numba loaded by the caller): the entry point, or ``False``."""
    return cell[0] if cell[0] is not None else _install(cell, ufunc)


# The lean path's compiled entry points that compute a unary rule's value and factor by
# NumPy's own loops and the partials in one call (``_numba_kernels.loop_scale_entry``,
# small71), one cell ``[entry point, loops table]`` per ufunc: ``None`` until first
# wanted with numba loaded (:func:`loop_made`), ``False`` for a ufunc without (no loop
# to be had: ``_numpy_loops.loops``).  Dispatch's generated function calls the entry
# itself, as it calls :func:`entry_cell`'s.
_LOOP_CELLS = {}
_LOOP_ENTRY = [None]


def loop_cell(ufunc):
    """The cell ``[entry point, loops table]`` of ``ufunc``'s :func:`loop_made` entry:
    call ``cell[0](cell[1], x, out, p, t)`` when ``cell[0]`` is truthy, ``x`` a native
    float64 1-D ndarray, ``out`` and ``t`` C-contiguous float64 arrays of its length and
    of ``p``'s shape (``small_empty``), ``p`` 2-D of fewer than ``SMALL_BELOW[0]``
    elements: True, the value in ``out`` and the partials in ``t``, or False (nothing
    usable: the caller's NumPy calls then run)."""
    cell = _LOOP_CELLS.get(ufunc)
    if cell is None:
        cell = _LOOP_CELLS.setdefault(ufunc, [None, None])
    return cell


def loop_made(cell, ufunc, part, negate):
    """``cell``'s (:func:`loop_cell` of ``ufunc``) entry point, made now (numba loaded by
    the caller): the value by ``ufunc``'s loop, the factor by ``part``'s (negated where
    ``negate``; ``part`` ``None``: the value), or ``False`` where a loop is not to be
    had."""
    from ._numpy_loops import loops
    table = loops(ufunc, part, negate)
    if table is None:
        cell[0] = False
        return False
    entry = _LOOP_ENTRY[0]
    if entry is None:
        entry = _LOOP_ENTRY[0] = _kernels.small_loop_entry()
    cell[1] = table
    cell[0] = entry
    return entry


def split_loops_made(cell, ufunc):
    """``cell``'s (:func:`loop_cell` of ``ufunc``) entry point for a split row whose part
    NumPy's loop computes (``_kernels.small_split_loops_entry``: ``np.tanh``'s value and
    ``np.cosh(x)``, ``sc.erf``'s ``np.exp(-x * x)``; small72), made now (numba loaded by
    the caller): called as :func:`loop_made`'s, ``out`` holding the value already for
    a scipy.special ufunc; or ``False`` where the row has none or no loop is to be had."""
    from ._numpy_loops import split_loops
    got = _kernels.small_split_loops_entry(ufunc)
    table = None if got is None else split_loops(ufunc, got[1])
    if table is None:
        cell[0] = False
        return False
    cell[1] = table
    cell[0] = got[0]
    return got[0]


def value_loops_made(cell, ufunc):
    """``cell``'s (:func:`loop_cell` of ``ufunc``) entry point for a fusable row whose
    value NumPy's loop computes before the row's own loop of the partials
    (``_kernels.small_value_loops_entry``: ``np.log``, ``np.sqrt``...; small74), made now
    (numba loaded by the caller): called as :func:`loop_made`'s; or ``False`` where the
    row has none or no loop is to be had."""
    from ._numpy_loops import value_loops
    table = value_loops(ufunc)
    entry = None if table is None else _kernels.small_value_loops_entry(ufunc)
    if entry is None:
        cell[0] = False
        return False
    cell[1] = table
    cell[0] = entry
    return entry


# ``u ** v``'s entry of the same kind (``_numba_kernels.loop_power_pair_entry``): the
# cell ``[entry point, loops table]``, ``None`` until made (numba loaded), ``False``
# where no loop is to be had; dispatch's ``lean_power_pair`` calls it itself.
POWER_LOOPS = [None, None]


def _loops_made(cell, tables, entry):
    """``cell``'s entry point (``entry()``) with ``tables`` in its other slots, or
    ``False`` there where one of ``tables`` is ``None`` (no loop to be had)."""
    if any(t is None for t in tables):
        cell[0] = False
        return False
    cell[1:] = tables
    cell[0] = entry()
    return cell[0]


def power_loops_made():
    """:data:`POWER_LOOPS`' entry point, made now (numba loaded by the caller), or
    ``False``."""
    from ._numpy_loops import pair_loops
    return _loops_made(POWER_LOOPS, [pair_loops()], _kernels.small_loop_power_pair_entry)


# ``u ** c``'s (a number ``c``) of the same kind (``_numba_kernels.loop_power_number_entry``):
# ``[entry point, np.power's table, np.reciprocal's, np.sqrt's]`` (the value as
# ``np.power(u, c)`` takes it, as the operator's ``u ** -1`` / ``u ** 0.5`` do), ``None``
# until made (numba loaded), ``False`` where no loop is to be had.
NUMBER_LOOPS = [None, None, None, None]


def number_loops_made():
    """:data:`NUMBER_LOOPS`' entry point, made now (numba loaded by the caller), or
    ``False``."""
    from ._numpy_loops import number_loops
    tables = [number_loops(u) for u in (np.power, np.reciprocal, np.sqrt)]
    return _loops_made(NUMBER_LOOPS, tables, _kernels.small_loop_power_number_entry)


# ``u ** k``'s and ``t ** k``'s (a scalar dual's exponent: ``EXPONENT_LOOPS``), ``k **
# u``'s and ``2.0 ** u``'s (a float base: ``BASE_LOOPS``) of the same kind
# (``_numba_kernels.loop_power_exponent_entry`` / ``loop_power_base_entry``, small72):
# ``[entry point, its table]``, ``None`` until made (numba loaded), ``False`` where no
# loop is to be had.
EXPONENT_LOOPS = [None, None]
BASE_LOOPS = [None, None]


def exponent_loops_made():
    """:data:`EXPONENT_LOOPS`' entry point, made now (numba loaded by the caller), or
    ``False``."""
    from ._numpy_loops import exponent_loops
    return _loops_made(EXPONENT_LOOPS, [exponent_loops()],
                       _kernels.small_loop_power_exponent_entry)


def base_loops_made():
    """:data:`BASE_LOOPS`' entry point, made now (numba loaded by the caller), or
    ``False``."""
    from ._numpy_loops import base_loops
    return _loops_made(BASE_LOOPS, [base_loops()], _kernels.small_loop_power_base_entry)


# Partials of the lean entry points' size (under ``SMALL_BELOW``, far under the pool's
# ``_buffers.MIN_BYTES``): NumPy's ``np.empty``, which :func:`_out` calls there too.
small_empty = np.empty
_F64 = np.dtype(np.float64)


def scaled_kernel(f, p):
    """:func:`scaled_small`'s kernel call alone: its result (``None`` for a factor
    that is not finite), or ``NotImplemented`` where no kernel runs (numba not
    loaded), the caller then running :func:`scaled_small` with
    NumPy's reports hushed.  A kernel reports nothing to NumPy's error state, so a
    caller whose factors need no NumPy call (``np.exp``: the result) skips the hush.
    Small 1-D work first makes the cell's entry point (:func:`entry_cell`) that the
    caller calls itself from then on, and calls it."""
    if _loader.READY:
        if p.size < _kernels.SMALL_BELOW[0] and f.ndim == 1 and p.ndim == 2 and \
                f.dtype is _F64 and p.dtype is _F64:
            cell = _ENTRIES.get(None)
            if cell is not None and cell[0] is None and _install(cell, None):
                out = _empty(p.shape)
                return out if cell[0](f, p, out) else None
        out = _out(p)
        if f.ndim == 1:
            return out if (_compiled or _small_kernels()).scale_finite(f, p, out) else None
        return out if (_compiled or _small_kernels()).scale_finite(
            f.reshape(-1), _flat(p, f.size), _flat(out, f.size)) else None
    return NotImplemented


# ``u ** 3``'s compiled entry point (``_kernels.small_cube_entry``) once
# :func:`cube_kernel` made it: dispatch calls it itself from then on, as it calls the
# cells of :func:`entry_cell`
CUBE = [None]


def cube_kernel(x, p):
    """The partials of ``u ** 3`` (``3.0 * (x * x)`` times each row of ``p``: the factor
    ``dispatch._lean_small.lean_power`` computes in two NumPy calls, evaluated in the
    loop, the same products, so the same bits) for 1-D float64 values ``x`` and 2-D
    float64 partials ``p`` under ``SMALL_BELOW`` (the automatic engine) once numba is
    loaded: one call of the compiled entry point, which this call makes and keeps in
    :data:`CUBE`; ``None`` for a factor that is not finite somewhere or underflowed
    beside a nonzero ``x`` (the general path's extended range: farpow67); ``NotImplemented``
    for anything else (the caller's NumPy calls, as :func:`scaled_kernel`).  No NumPy
    call computes the factor, so the caller skips its hush."""
    if _loader.READY and p.size < _kernels.SMALL_BELOW[0] and x.ndim == 1 and \
            p.ndim == 2 and x.dtype is _F64 and p.dtype is _F64:
        entry = CUBE[0]
        if entry is None:
            entry = CUBE[0] = _kernels.small_cube_entry()
        out = _empty(p.shape)
        return out if entry(x, p, out) else None
    return NotImplemented


# ``u ** y``'s (a number ``y``) compiled entry point (``_kernels.small_power_scale_entry``)
# once :func:`power_scale_entry` made it: dispatch calls it itself, as ``CUBE``
POWER_SCALE = [None]


def power_scale_entry():
    """:data:`POWER_SCALE`'s entry point, made now (numba loaded by the caller) and kept
    there."""
    entry = POWER_SCALE[0] = _kernels.small_power_scale_entry()
    return entry


# ``u ** y``'s (a number ``y``) compiled entry point from the regular branch's NumPy part
# (``_kernels.small_power_number_entry``) once :func:`power_number_entry` made it, as
# ``POWER_SCALE`` (which takes the factor made; small68)
POWER_NUMBER = [None]


def power_number_entry():
    """:data:`POWER_NUMBER`'s entry point, made now (numba loaded by the caller) and kept
    there."""
    entry = POWER_NUMBER[0] = _kernels.small_power_number_entry()
    return entry


# ``k * t``'s / ``t / k``'s compiled entry point (a factor of a plain array's elements
# times a scalar dual's row: ``_kernels.small_outer_row_entry``), once made
OUTER_ROW = [None]


def outer_row_entry():
    """:data:`OUTER_ROW`'s entry point, made now (numba loaded by the caller; small69)."""
    entry = OUTER_ROW[0] = _kernels.small_outer_row_entry()
    return entry


# A scalar dual's entry points beside a plain 1-D array (``np.arctan2(t, k)``, ``t /
# k``: ``_kernels.small_const_entry``), (ufunc, the scalar's argument) -> the entry
# point, or False (a pair without one), once asked; (ufunc, k, True) -> the entry that
# makes the value too (``+ - * /``, small70), or False
CONST = {}


def const_entry(ufunc, k, value=False):
    """:data:`CONST`'s entry for ``(ufunc, k)`` (``value``: ``(ufunc, k, True)``), made
    now (numba loaded by the caller; const69, small70): the entry point, or ``False``."""
    entry = _kernels.small_const_entry(ufunc, k, value) or False
    CONST[(ufunc, k, True) if value else (ufunc, k)] = entry
    return entry


def const_loops_made(ufunc, k):
    """:data:`CONST`'s ``(ufunc, k, "loops")``: ``(entry, table)`` of the entry that also
    computes the value by NumPy's own loop (``np.arctan2(t, k)``: small72), made now
    (numba loaded by the caller), or ``False`` (none, or no loop to be had)."""
    from ._numpy_loops import const_loops
    entry = _kernels.small_const_entry(ufunc, k, "loops")
    table = None if not entry else const_loops(ufunc, k)
    got = CONST[(ufunc, k, "loops")] = False if table is None else (entry, table)
    return got


# ``u ** v``'s compiled entry point (``_kernels.small_power_pair_entry``) once
# :func:`power_pair_kernel` made it; dispatch calls it itself from then on, as ``CUBE``
POWER_PAIR = [None]


def power_pair_kernel(x, y, out, w, v, p, q):
    """The partials of ``u ** v`` of two array duals from the power row's regular
    factors, given ``w = x ** (y - 1.0)`` and ``v = np.log(x)`` (NumPy's), for 1-D
    float64 values ``x``, ``y``, ``out``, ``w``, ``v`` and 2-D float64 partials ``p``,
    ``q`` of one shape under ``SMALL_BELOW`` once numba is loaded: one call of the
    compiled entry point (``_numba_kernels.power_pair_entry``), which this call makes and
    keeps in :data:`POWER_PAIR`; ``None`` where the kernel declines (a zero base or
    exponent, an underflowed value or factor, a factor that is not finite: the caller's
    general path); ``NotImplemented`` for anything else (no kernel runs)."""
    if _loader.READY and p.size < _kernels.SMALL_BELOW[0] and x.ndim == 1 and \
            p.ndim == 2 and q.ndim == 2 and p.dtype is _F64 and q.dtype is _F64:
        entry = POWER_PAIR[0]
        if entry is None:
            entry = POWER_PAIR[0] = _kernels.small_power_pair_entry()
        t = _empty(p.shape)
        return t if entry(x, y, out, w, v, p, q, t) else None
    return NotImplemented


# The compiled entry points of a scalar's power with small 1-D values
# (``_kernels.small_power_mixed_entry``): ``[the exponent a float (u ** k, t ** k), the
# base a float (k ** u, 2.0 ** u)]``, each made by :func:`power_mixed_entry` when first
# wanted; dispatch calls them itself, as ``CUBE``
POWER_MIXED = [None, None]


def power_mixed_entry(base):
    """:data:`POWER_MIXED`'s entry point ``base`` (0 or 1), made now (numba loaded by the
    caller) and kept there."""
    entry = POWER_MIXED[base] = _kernels.small_power_mixed_entry(base)
    return entry


def pair_kernel(f, p, g, q):
    """:func:`pair_small`'s kernel call alone, or ``NotImplemented``, as
    :func:`scaled_kernel` (``a * b``: the factors are the values)."""
    if _loader.READY:
        out = _out(p)
        if f.ndim == 1:
            return out if (_compiled or _small_kernels()).scale2_finite(f, p, g, q, out) \
                else None
        return out if (_compiled or _small_kernels()).scale2_finite(
            f.reshape(-1), _flat(p, f.size), g.reshape(-1), _flat(q, f.size),
            _flat(out, f.size)) else None
    return NotImplemented


_LOCAL = {}                       # ufunc -> its small-array kernel (or None), once asked
_MISSING = object()


def _local(ufunc):
    k = _LOCAL[ufunc] = _kernels.small_local(ufunc)
    return k


def local_kernel(ufunc, x, out, p):
    """The partials of a unary ufunc whose local derivative is arithmetic
    (``_kernels.fusable``: ``np.square``'s ``2.0 * x``, ``np.sqrt``'s ``0.5 / out``) on
    the lean path, in one kernel call that evaluates the table's expression, tests it
    and multiplies it in (the same IEEE operations as NumPy's calls of
    :func:`scaled_small`, so the same bits): the partials, ``None`` for a local
    derivative that is not finite somewhere, or ``NotImplemented`` where no kernel
    runs (numba not loaded), as :func:`scaled_kernel`.  No NumPy call
    computes the derivative, so the caller skips its hush."""
    if _loader.READY:
        if p.size < _kernels.SMALL_BELOW[0] and out.ndim == 1 and x.ndim == 1 and \
                p.ndim == 2 and x.dtype is _F64 and out.dtype is _F64 and p.dtype is _F64:
            cell = _ENTRIES.get(ufunc)
            if cell is not None and cell[0] is None and _install(cell, ufunc):
                q = _empty(p.shape)
                return q if cell[0](x, out, p, q) else None
        k = _LOCAL.get(ufunc, _MISSING)
        if k is _MISSING:
            k = _local(ufunc)
        if k is not None:
            q = _out(p)
            if out.ndim == 1:
                return q if k(x, out, p, q) else None
            return q if k(x.reshape(-1), out.reshape(-1), _flat(p, out.size),
                          _flat(q, out.size)) else None
    return NotImplemented


def local_kernel2(ufunc, x, y, out, p, q):
    """:func:`local_kernel` for a binary ufunc of two array duals (``a / b``: ``1.0 / y``
    and ``-out / y`` in the loop, then :func:`pair_small`'s products and sum)."""
    if _loader.READY:
        k = _LOCAL.get(ufunc, _MISSING)
        if k is _MISSING:
            k = _local(ufunc)
        if k is not None:
            t = _out(p)
            if out.ndim == 1:
                return t if k(x, y, out, p, q, t) else None
            return t if k(x.reshape(-1), y.reshape(-1), out.reshape(-1), _flat(p, out.size),
                          _flat(q, out.size), _flat(t, out.size)) else None
    return NotImplemented


# The ufuncs whose value a kernel rounds as NumPy's call does, each with a kernel of
# value and partials in ``_rule_kernels`` (``_kernelgen.EXACT``, which holds their
# sources; written out here so that importing the backend imports no generator).
EXACT = frozenset({np.add, np.subtract, np.multiply, np.divide, np.square, np.negative})
# Those of them whose kernels also take small values of more than one axis (read flat,
# stop 33): for + - and negation NumPy's one pass over the partials costs less than the
# reshapes (python bench/perop_ab.py --numba, 3 x 4, n = 2: u + u 3.7 us by NumPy, 4.4
# flat; u * u 10.6 -> 4.6).
EXACT_FLAT = frozenset({np.multiply, np.divide, np.square})
_EXACT = {}                       # ufunc -> its value-and-partials kernel, once asked
_EXACT_NUMBER = {}                # (ufunc, position of the dual) -> its kernel, once asked


_EXACT_ROW = {}                   # (ufunc, position of the scalar dual) -> its kernel;
#                                   (ufunc, position of the plain array, "plain") -> its
_EXACT_CELLS = {}                 # a kernel's key above -> its cell (exact_cell)


def exact_cell(key):
    """The cell ``[kernel]`` of :func:`exact2`'s / :func:`exact1`'s kernel (``key`` the
    ufunc), :func:`exact_number`'s (``key`` ``(ufunc, k)``), :func:`exact_row`'s
    (``(ufunc, k, "row")``) or :func:`exact_plain`'s (``(ufunc, k, "plain")``), for a
    caller that calls
    the kernel itself (the operators: no Python call between them and it): ``None``
    until that function makes the kernel (numba loaded, small work, the automatic
    engine), then the kernel's entry point.  Call ``cell[0]`` as that function does,
    only for 1-D values and 2-D partials (its arguments' types exactly: native float64
    ndarrays, a Python float for a number; the kernel tests the lengths) and only while
    ``p.size < _kernels.SMALL_BELOW[0]`` (0 under ``use()``: then not at all)."""
    cell = _EXACT_CELLS.get(key)
    if cell is None:
        cell = _EXACT_CELLS.setdefault(key, [None])
        got = made_exact(key)
        if got is not None:
            cell[0] = got
    return cell


def made_exact(key, made=None):
    """The kernel :func:`exact_cell`'s ``key`` names, if made (in ``made``: the three
    tables of :func:`exact2`/:func:`exact1`, :func:`exact_number` and :func:`exact_row`
    in that order, by default this module's), else ``None``."""
    exact, number, row = made or (_EXACT, _EXACT_NUMBER, _EXACT_ROW)
    if type(key) is not tuple:
        return exact.get(key)
    return number.get(key) if len(key) == 2 else row.get(key[:2] if key[2] == "row" else key)


def _exact(ufunc):
    k = _EXACT[ufunc] = _kernels.small_exact(ufunc, (0, 1) if ufunc.nin == 2 else (0,))
    exact_cell(ufunc)[0] = k
    return k


def exact2(ufunc, x, y, p, q):
    """``(value, partials)`` of a binary ufunc of :data:`EXACT` (``+ - * /``: values that
    numba's arithmetic rounds as NumPy's does) on two array duals of 1-D float64 values
    ``x``, ``y`` and float64 partials ``p``, ``q`` (of one shape: the kernel tests the
    shapes, so that the caller reads none; broadcasting is the caller's), in one kernel call
    that computes the value, the local derivatives and the partials (the operations of
    NumPy's value call and of :func:`local_kernel2`/:func:`pair_small`/``p + q``, in the
    same order, so the same bits); ``None``, with nothing the caller sees computed,
    where no kernel runs (numba not loaded, work that is not small, the engine forced)
    or where it declines: a local derivative that is not finite, or a value NumPy would
    report on (not finite, or tiny and rounded), so that the caller's NumPy path runs
    and reports.  The kernel is called at its entry point, without numba's type check
    (``_kernels.small_exact``): the caller passes native float64 ndarrays, 1-D values
    and 2-D partials, or values of more axes (``x.ndim >= 1``) and partials of one more
    (``p.ndim == x.ndim + 1``): those pass to the kernel as one flat axis (:func:`_flat`;
    the shapes tested here, stop 33), and nothing else."""
    if _loader.READY and p.size < _kernels.MIN_WORK_FUSED and _kernels._mode == "auto":
        k = _EXACT.get(ufunc, _MISSING)
        if k is _MISSING:
            k = _exact(ufunc)
        t = _empty(p.shape)
        if x.ndim == 1:
            out = _empty(len(x))
            return (out, t) if k(x, y, out, p, q, t) else None
        if x.shape != y.shape or p.shape != q.shape or p.shape[:-1] != x.shape:
            return None
        out = _empty(x.shape)
        if k(x.reshape(-1), y.reshape(-1), out.reshape(-1), _flat(p, x.size), _flat(q, x.size),
             _flat(t, x.size)):
            return out, t
    return None


def exact_number(ufunc, k, x, c, p):
    """:func:`exact2` for a binary ufunc of :data:`EXACT` with an array dual (value ``x``,
    partials ``p``) at argument ``k`` and the float ``c`` at the other (``a * 2.0``,
    ``1.0 - a``): the bits of the operators' ``with_number`` path (and of ``small`` for
    ``1.0 / a``).  ``c`` must be a Python float (the entry point's float64)."""
    if _loader.READY and p.size < _kernels.MIN_WORK_FUSED and _kernels._mode == "auto":
        key = (ufunc, k)
        kernel = _EXACT_NUMBER.get(key, _MISSING)
        if kernel is _MISSING:
            kernel = _EXACT_NUMBER[key] = _kernels.small_exact(ufunc, (k,))
            exact_cell(key)[0] = kernel
        t = _empty(p.shape)
        if x.ndim == 1:
            out = _empty(len(x))
            ok = kernel(x, c, out, p, t) if k == 0 else kernel(c, x, out, p, t)
            return (out, t) if ok else None
        if p.shape[:-1] != x.shape:
            return None
        out = _empty(x.shape)
        xf, of, pf, tf = x.reshape(-1), out.reshape(-1), _flat(p, x.size), _flat(t, x.size)
        ok = kernel(xf, c, of, pf, tf) if k == 0 else kernel(c, xf, of, pf, tf)
        return (out, t) if ok else None
    return None




def exact_row(ufunc, k, c, row, x, p):
    """:func:`exact2` for a binary ufunc of :data:`EXACT` of a scalar dual at argument
    ``k`` (its value the Python float ``c``, its partials the float64 ``row`` of shape
    ``(n,)``) and an array dual at the other (1-D float64 values ``x``, 2-D float64
    partials ``p``): ``k * u``, ``u - k``.  The bits of ``dispatch._lean_small.lean_mixed``
    (NumPy's value; the products of ``backend.outer_small`` or ``combine_small`` and their
    sum); ``None``, nothing the caller sees computed, where no kernel runs or it declines.
    The kernel tests the lengths; the caller passes exactly those types."""
    if _loader.READY and p.size < _kernels.MIN_WORK_FUSED and _kernels._mode == "auto":
        key = (ufunc, k)
        kernel = _EXACT_ROW.get(key, _MISSING)
        if kernel is _MISSING:
            kernel = _EXACT_ROW[key] = _kernels.small_row(ufunc, k)
            exact_cell((ufunc, k, "row"))[0] = kernel
        t = _empty(p.shape)
        out = _empty(len(x))
        ok = kernel(c, x, out, row, p, t) if k == 0 else kernel(x, c, out, p, row, t)
        return (out, t) if ok else None
    return None


def exact_plain(ufunc, k, x, y, p):
    """:func:`exact2` for a binary ufunc of :data:`EXACT` of a plain float64 array at
    argument ``k`` (1-D values ``y``) and an array dual at the other (1-D values ``x``,
    2-D partials ``p``): ``u * t``, ``u / t``.  The bits of ``dispatch._ufuncs._pair``
    (NumPy's value, its one term); ``None``, nothing the caller sees computed, where no
    kernel runs or it declines (small70).  The kernel tests the lengths; the caller passes
    native float64 ndarrays of exactly those dimensions."""
    if _loader.READY and p.size < _kernels.MIN_WORK_FUSED and _kernels._mode == "auto":
        key = (ufunc, k, "plain")
        kernel = _EXACT_ROW.get(key, _MISSING)
        if kernel is _MISSING:
            kernel = _EXACT_ROW[key] = _kernels.small_plain(ufunc, k)
            exact_cell(key)[0] = kernel
        t = _empty(p.shape)
        out = _empty(len(x))
        ok = kernel(y, x, out, p, t) if k == 0 else kernel(x, y, out, p, t)
        return (out, t) if ok else None
    return None


def exact1(ufunc, x, p):
    """:func:`exact2` for a unary ufunc of :data:`EXACT` (``np.square``, ``np.negative``)."""
    if _loader.READY and p.size < _kernels.MIN_WORK_FUSED and _kernels._mode == "auto":
        k = _EXACT.get(ufunc, _MISSING)
        if k is _MISSING:
            k = _exact(ufunc)
        t = _empty(p.shape)
        if x.ndim == 1:
            out = _empty(len(x))
            return (out, t) if k(x, out, p, t) else None
        if p.shape[:-1] != x.shape:
            return None
        out = _empty(x.shape)
        if k(x.reshape(-1), out.reshape(-1), _flat(p, x.size), _flat(t, x.size)):
            return out, t
    return None


def convolve(p, w):
    """The full convolution of each column of partials ``p`` (``L x n``) with the
    constant taps ``w`` (1-D): ``out[i, :] = sum_j w[j] p[i - j, :]``, shape
    ``(L + len(w) - 1, n)``.  One kernel pass when the engine takes it; else one
    NumPy pass per tap (``w`` should be short)."""
    fast = _kernels.convolve(p, w)
    if fast is not None:
        return fast
    length = p.shape[0]
    out = np.zeros((length + w.shape[0] - 1, p.shape[1]), dtype=np.result_type(p, w))
    scratch = None                          # one temporary for every tap
    for j, wj in enumerate(w.tolist()):
        scratch = np.multiply(p, wj, out=scratch)
        out[j:j + length] += scratch
    return out


def running_product(v, c, p, ax, steps=True):
    """The partials of ``c = np.cumprod(v, axis=ax)`` from ``v``'s partials ``p`` as the
    step-by-step products give them, exact to rounding where a running product or
    partial leaves the float range or a factor is 0: in one kernel pass, under NumPy's
    engine by :func:`_scaled_steps` (``steps=False``: ``None`` there); ``None`` for
    nested duals and mixed dtypes (the caller's dual products run)."""
    fast = _kernels.running_product(v, c, p, ax)
    if fast is not None or not steps or type(p) is not np.ndarray or type(v) is not np.ndarray or \
            p.dtype not in (np.float64, np.complex128) or v.dtype != p.dtype or \
            p.shape[:-1] != v.shape or v.ndim == 0:
        return fast
    vs = np.moveaxis(v, ax, 0)
    ps = np.moveaxis(p, ax, 0)
    with np.errstate(all="ignore"):
        if v.dtype == np.float64:
            out = _scaled_steps(vs, ps)
        else:
            re, im = _scaled_steps_complex(vs, ps)
            out = np.empty(ps.shape, dtype=p.dtype)
            out.real, out.imag = re, im
    return np.moveaxis(out, 0, ax)


# np.cumprod's steps under NumPy's engine (the kernels' _scaled_row, one step across all
# rows and directions at a time): each number ``m * 2**e``, ``m`` from np.frexp (0, inf,
# NaN: themselves), so no running product or partial leaves the float range; each
# product and sum rounded once as the plain steps round them, so their bits where those
# stay in range.
_NO_EXPONENT = np.int64(-(1 << 40))     # a zero's, below every other (int64: np.frexp's are int32)


def _scaled_add(xm, xe, ym, ye):
    """``xm 2**xe + ym 2**ye`` (arrays), rounded once, as np.frexp's pair."""
    xe = np.where(xm == 0.0, _NO_EXPONENT, xe)
    ye = np.where(ym == 0.0, _NO_EXPONENT, ye)
    e = np.maximum(xe, ye)
    s = np.ldexp(xm, np.maximum(xe - e, -2200)) + np.ldexp(ym, np.maximum(ye - e, -2200))
    m, k = np.frexp(s)
    return m, e + k


def _unscaled(m, e):
    """``m * 2**e``, rounded once."""
    return np.ldexp(m, np.clip(e, -2200, 2200))


def _scaled_steps(vs, ps):
    """:func:`running_product`'s partials (real): ``vs`` ``(L, ...)``, ``ps`` ``vs.shape +
    (n,)``, the axis first."""
    fm, fe = np.frexp(vs)
    fm, fe = fm[..., None], fe[..., None].astype(np.int64)
    out = np.empty(ps.shape)
    out[0] = ps[0]
    tm, te = np.frexp(ps[0])
    gm, ge = fm[0], fe[0]
    for i in range(1, vs.shape[0]):
        bm, be = np.frexp(ps[i])
        x, y = fm[i] * tm, gm * bm
        loose = ~(np.isfinite(fm[i]) & np.isfinite(gm))
        if loose.any():                 # NaN-safe as the kernels' _step
            x = np.where(loose & (tm == 0.0), 0.0, x)
            y = np.where(loose & (bm == 0.0), 0.0, y)
        tm, te = _scaled_add(x, fe[i] + te, y, ge + be)
        out[i] = _unscaled(tm, te)
        gm, k = np.frexp(gm * fm[i])
        ge = ge + fe[i] + k
    return out


def _complex_product(a, b):
    """``(a_re + i a_im)(b_re + i b_im)`` of scaled parts ``((m, e), (m, e))``, as the
    complex product forms it: ``ac - bd``, ``ad + bc``."""
    (am, ae), (bm, be) = a
    (cm, ce), (dm, de) = b
    return (_scaled_add(am * cm, ae + ce, -(bm * dm), be + de),
            _scaled_add(am * dm, ae + de, bm * cm, be + ce))


def _scaled_steps_complex(vs, ps):
    """:func:`_scaled_steps` for complex128, each part its own scaled pair; the real and
    imaginary parts of the partials."""
    f = (np.frexp(vs.real[..., None]), np.frexp(vs.imag[..., None]))
    re = np.empty(ps.shape)
    im = np.empty(ps.shape)
    re[0], im[0] = ps[0].real, ps[0].imag
    t = (np.frexp(ps[0].real), np.frexp(ps[0].imag))
    g = ((f[0][0][0], f[0][1][0]), (f[1][0][0], f[1][1][0]))
    for i in range(1, vs.shape[0]):
        fi = ((f[0][0][i], f[0][1][i]), (f[1][0][i], f[1][1][i]))
        b = (np.frexp(ps[i].real), np.frexp(ps[i].imag))
        x = _complex_product(fi, t)
        y = _complex_product(g, b)
        loose = ~(np.isfinite(fi[0][0]) & np.isfinite(fi[1][0]) &
                  np.isfinite(g[0][0]) & np.isfinite(g[1][0]))
        if loose.any():                 # NaN-safe as the kernels' _step
            zt = loose & (t[0][0] == 0.0) & (t[1][0] == 0.0)
            zb = loose & (b[0][0] == 0.0) & (b[1][0] == 0.0)
            x = tuple((np.where(zt, 0.0, m), e) for m, e in x)
            y = tuple((np.where(zb, 0.0, m), e) for m, e in y)
        t = (_scaled_add(*x[0], *y[0]), _scaled_add(*x[1], *y[1]))
        re[i], im[i] = _unscaled(*t[0]), _unscaled(*t[1])
        g = _complex_product(g, fi)
    return re, im


def finite(a):
    """Are all entries of the plain array or number ``a`` finite (one pass, no temporary)?"""
    return _finite(a)


def weighted_sum(w, p, axes, finite=False, times=None):
    """``np.sum(w[..., None] * p, axis=axes)`` as one BLAS contraction, or ``None``.

    ``w`` is a plain float or complex array of the value's shape (a product's other
    factor, a deviation from the mean...), ``p`` the plain partials.  The whole
    partials array is read once, directions last, with no temporary of its size
    (``w @ p`` for a reduction over every axis, a batched ``matmul`` with the
    reduced axis moved next to the directions otherwise).  ``None`` where the
    caller's elementwise path must run: nested duals, several but not all axes,
    and an ``inf`` or NaN in ``w`` (a zero partial times it must stay 0, which a
    dot product does not keep).  ``finite=True``: the caller knows every entry of
    ``w`` finite (``np.linalg.norm``: its finite sum of squares), and the pass that
    tests it is skipped.  ``times``: a number the result is then multiplied by, in
    place (``np.var``'s ``2 / (N - ddof)``, a norm's 2).  NumPy's reports are hushed
    outside its default state (:mod:`._hush`): the sums are the partials' products.
    """
    if type(w) is not np.ndarray or type(p) is not np.ndarray or \
            w.dtype.kind not in "fc" or p.dtype.kind not in "fc" or \
            w.shape != p.shape[:-1] or not w.size or len(axes) != w.ndim and len(axes) != 1:
        return None
    n = p.shape[-1]
    token = _hush.enter()       # the partials' products: their reports are not f's (np.prod's
    try:                        # others, a norm's values: attack72 C1, fperr73)
        if not (finite or _finite(w)):
            return None
        if len(axes) == w.ndim:
            s = np.matmul(w.reshape(-1), p.reshape(-1, n))
        else:
            ax = axes[0]
            s = np.matmul(np.moveaxis(w, ax, -1)[..., None, :], np.moveaxis(p, ax, -2))[..., 0, :]
        if times is not None:
            s *= times
        return s
    finally:
        _hush.leave(token)


def halved(p):
    """``0.5 * p``: a selection's partials at a tie (``rules.TIES``: half each), with
    NumPy's reports hushed outside its default state (:mod:`._hush`: a half that
    underflows is no report of f's, ``np.clip`` / ``np.maximum`` at a tie: attack72 C1)."""
    token = _hush.enter()
    try:
        return 0.5 * p
    finally:
        _hush.leave(token)


def rows(p):
    """Partials ``p`` (value shape ``S`` + ``(n,)``) seen as an array of shape ``S`` whose
    items are the rows of ``n`` partials (a view, one opaque item per element), or
    ``None`` (nested duals, a last axis that is not contiguous).

    Gathers (fancy indexing, ``take``, ``take_along_axis``, ``delete``) then move one
    item of ``8 n`` bytes per value element instead of walking ``n`` numbers each,
    NumPy's slow inner loop of length ``n``; :func:`from_rows` turns the result back.
    """
    if type(p) is not np.ndarray or p.ndim == 0 or not p.shape[-1] or \
            p.strides[-1] != p.itemsize or p.dtype.kind not in "fc":
        return None
    try:
        return p.view(_row_dtype(p.itemsize * p.shape[-1]))[..., 0]
    except ValueError:                      # strides NumPy cannot reinterpret
        return None


_ROW_DTYPES = {}          # bytes per row -> its opaque dtype: one per (dtype, n) met


def _row_dtype(nbytes):
    """The opaque dtype of ``nbytes`` bytes that :func:`rows` views partials with,
    made once per size: building it is three quarters of a view's cost (issue 13)."""
    dtype = _ROW_DTYPES.get(nbytes)
    if dtype is None:
        dtype = _ROW_DTYPES[nbytes] = np.dtype((np.void, nbytes))
    return dtype


def from_rows(r, like):
    """The partials array (directions last, dtype of ``like``) that :func:`rows` items
    ``r`` (a fresh gather) hold."""
    n = like.shape[-1]
    return np.ascontiguousarray(r).reshape(-1).view(like.dtype).reshape(r.shape + (n,))


def _gathered(r, shape, like):
    """An empty partials array (``shape`` + ``(n,)``, ``like``'s dtype, pooled when
    large) and its :func:`rows` view, for a gather of the items ``r``."""
    n = like.shape[-1]
    out = _buffers.empty(shape + (n,)) if like.dtype == np.float64 else \
        np.empty(shape + (n,), like.dtype)
    return out, out.view(r.dtype)[..., 0] if n else None


def take(p, indices, axis, mode="raise"):
    """``np.take(p, indices, axis=axis, mode=mode)`` over the value axis ``axis`` of
    plain partials ``p`` (value shape + ``(n,)``), or ``None`` (nested duals, a last
    axis that is not contiguous, indices that are not integers).

    The caller has taken the same ``indices`` from the value first, so an index out
    of range has raised there: ``"raise"`` reads as ``"wrap"`` (the same items for
    indices in range, negative ones too), which lets NumPy write into the result
    instead of into a copy it makes for ``"raise"``.  One ``np.take`` of the
    :func:`rows` items (a ``memcpy`` of ``8 n`` bytes each): NumPy's fancy indexing
    ``rows[indices]`` walks the same opaque items through its general loop, several
    times slower (``bench/bench_functions.py``'s gather rows, before and after: the
    commit that brought this).
    """
    r = rows(p)
    if r is None:
        return None
    idx = np.asarray(indices)
    if idx.dtype.kind not in "iu" or not p.shape[-1]:
        return None
    ax = axis % r.ndim
    out, items = _gathered(r, r.shape[:ax] + idx.shape + r.shape[ax + 1:], p)
    np.take(r, idx, axis=ax, mode="wrap" if mode == "raise" else mode, out=items)
    return out


def take_along(p, indices, axis):
    """``np.take_along_axis`` of plain partials ``p`` over the value axis ``axis``
    (``indices`` of the value's number of axes, broadcasting as NumPy broadcasts
    them), or ``None``.  The caller has gathered the value with the same indices
    (an index out of range raised there).  A 1-D value: one ``np.take``; more axes:
    the gather's flat positions (``np.ravel_multi_index``, a pass over the indices)
    and one ``np.take`` from the flattened items, where NumPy's own
    ``take_along_axis`` indexes the opaque items through its general loop."""
    r = rows(p)
    if r is None or not p.shape[-1]:
        return None
    idx = np.asarray(indices)
    if idx.dtype.kind not in "iu" or idx.ndim != r.ndim:
        return None
    if r.ndim == 1:
        out, items = _gathered(r, idx.shape, p)
        np.take(r, idx, mode="wrap", out=items)
        return out
    dims = r.shape
    ax = axis % r.ndim
    shape = np.broadcast_shapes(dims[:ax] + (1,) + dims[ax + 1:], idx.shape)
    if 0 in shape or 0 in dims:
        return None
    index = [idx if k == ax else
             np.arange(dims[k]).reshape((-1,) + (1,) * (r.ndim - k - 1)) if dims[k] > 1
             else 0 for k in range(r.ndim)]
    flat = np.ravel_multi_index(index, dims, mode="wrap")
    out, items = _gathered(r, shape, p)
    np.take(np.ravel(r), np.broadcast_to(flat, shape), mode="wrap", out=items)
    return out


def where(cond, p, q, target):
    """``np.where(cond[..., None], p, q)`` as partials of shape ``target``.

    ``cond`` is a boolean array that broadcasts to the value's shape ``target[:-1]``;
    ``p`` and ``q`` are partials (or numbers) whose value axes broadcast to it, aligned
    from the right like values.  One kernel pass when the engine takes it.
    """
    fast = _kernels.where(cond, p, q, target)
    if fast is not None:
        return fast
    if 1 < target[-1] <= _MASK_ROWS and type(cond) is np.ndarray and \
            cond.shape == target[:-1] and _full(p, target) and _full(q, target):
        # NumPy's where broadcasting cond down the n directions runs an inner loop of
        # n per element; the condition copied into each direction's column first
        # makes it one flat pass (the same selection, so the same bits; VFI's
        # np.where(c > 0, .., -inf) at (30, 5, 30) x 3: 49 -> 26 us, ``python
        # bench/scalar_loops.py --parts``, vfi46)
        mask = np.empty(target, dtype=np.bool_)
        for k in range(target[-1]):
            mask[..., k] = cond
        return np.where(mask, p, q)
    ndim = len(target)
    cond = np.reshape(cond, (1,) * (ndim - 1 - np.ndim(cond)) + np.shape(cond))[..., None]
    if not isinstance(p, (float, int)):
        p = np.broadcast_to(np.reshape(p, (1,) * (ndim - np.ndim(p)) + np.shape(p)), target)
    return np.where(cond, p, q)


_MASK_ROWS = 8           # directions up to which where() copies the condition per column


def _full(p, target):
    """Is ``p`` a number, or a float64 ndarray of shape ``target`` (no broadcasting)?"""
    if type(p) is float or type(p) is int:
        return True
    return type(p) is np.ndarray and p.dtype == np.float64 and p.shape == target


def outer(a, p, b, q):
    """The partials of ``np.outer(a, b)``, ``p[i, :] * b[j] + a[i] * q[j, :]``, of shape
    ``(a.size, b.size, n)``.  ``a`` and ``b`` are 1-D values, ``p`` and ``q`` their
    partials of shape ``(size, n)``, or ``None`` for a constant operand."""
    fast = _kernels.outer(a, p, b, q)
    if fast is not None:
        return fast
    total = None
    if p is not None:
        total = p[:, None, :] * b.reshape(1, -1, 1)
    if q is not None:
        term = a.reshape(-1, 1, 1) * q[None, :, :]
        if total is None:
            total = term
        else:
            total += term
    return total


def cross(a, p, b, q):
    """The partials of ``np.cross(a, b)`` of 3-vectors along the last axis, every
    direction at once: ``cross(p_k, b) + cross(a, q_k)``, each component rounded as
    ``np.cross`` rounds it.  ``a``, ``b``: float64 values of one shape ``S + (3,)``
    (finite: the caller's NaN-safe path takes the others); ``p``, ``q``: their
    partials (``S + (3, n)``), ``None`` for a constant.  One kernel pass when the
    engine takes it, else a few NumPy passes per component."""
    fast = _kernels.cross(a, p, b, q)
    if fast is not None:
        return fast
    n = (p if p is not None else q).shape[-1]
    out = _buffers.empty(a.shape + (n,))
    for c in range(3):
        c1, c2 = (c + 1) % 3, (c + 2) % 3
        total = None
        if p is not None:
            total = p[..., c1, :] * b[..., c2, None] - p[..., c2, :] * b[..., c1, None]
        if q is not None:
            right = a[..., c1, None] * q[..., c2, :] - a[..., c2, None] * q[..., c1, :]
            total = right if total is None else total + right
        out[..., c, :] = total
    return out


def rank2(u, a, v, b):
    """``u[:, None] * a + v[:, None] * b``: rows ``u``, ``v`` (1-D float64 values), ``a``,
    ``b`` (``n`` partials each); one pass when the engine takes it."""
    fast = _kernels.rank2(u, a, v, b)
    if fast is not None:
        return fast
    return u[:, None] * a + v[:, None] * b


def triangle(v, p, k, upper):
    """``np.tril(v, k)`` (``np.triu`` when ``upper``) and its partials ``p`` in one
    kernel pass, as ``(value, partials)``, or ``None`` (the caller's NumPy path:
    nested or non-contiguous arrays, other dtypes, numba not loaded)."""
    return _kernels.triangle(v, p, k, upper)


def join(parts, outer, out):
    """Float64 partials ``parts`` joined along an inner value axis into ``out``
    (each seen as ``(outer, width)``) in one kernel pass: ``True``, or ``False`` when
    the caller's NumPy path should run (nothing written)."""
    return _kernels.join(parts, outer, out)
