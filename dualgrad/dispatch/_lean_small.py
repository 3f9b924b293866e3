"""Small-array operations in few steps (issue 13, small41): a scalar dual with an
array dual (``k * u``, ``u - k``, ``u / k``: any smooth binary rule) and an array dual
to a number's power (``u ** 3``) or to another's (``u ** v``).

On arrays of a few elements a dual operation is a handful of NumPy calls; what made
these two 4-6x ``u + u`` (14 and 19 us against 3.6 at N = 3, n = 1) was the way to
them.  ``k * u`` went the scalar's operator -> ``call_ufunc`` -> ``small`` ->
``_pair`` (two operand scans, the factor list); ``u ** 3`` went ``small``'s general
loop and the table's ``np.power`` row, whose ``lazy_where`` on ``x == 0`` tests and
copies its branch.  Here each is one function with the checks written out:

* :func:`lean_mixed`: the scalar's value as a NumPy float and its partials as a row
  (what ``_pair`` reads), the same ufunc call, the table's local derivatives, and
  ``backend.combine_small`` on them in ``_pair``'s order: ``_pair`` reaches that same
  call for such a pair (the row never has the result's shape), so the partials are
  its own to the bit.  Where the array's factor is a number and the scalar's one of
  the value's shape (``k * u``, ``u / k``, 1-D values), ``backend.outer_small`` makes
  the same products and sum in one kernel call (numba loaded) or, for one direction,
  in two NumPy products without the broadcast one (``x[:, None] * row`` was 1.6 of
  ``combine_small``'s 4 us at N = 3); below ``SMALL_BELOW`` that kernel call is its
  compiled entry point, without numba's dispatcher (small42).  For ``+ - * /`` on 1-D
  values (``backend.EXACT``) one kernel call computes the value and the partials
  first (``backend.exact_row``, the table's generated ``_row`` kernels, called from
  their cell: lean45): NumPy's value bits (IEEE ``+ - * /``), the same products and
  sum; it declines (a value NumPy would report on, a factor that is not finite) to
  the NumPy calls above;
* :func:`lean_power`: NumPy's ``np.power(x, y)`` with ``y`` the exponent's float64,
  and, where no element of ``x`` is zero, the table's regular branch alone
  (``rules.regular_branch``: ``y * x ** (y - 1.0)``), which is what ``lazy_where``
  copies there; where one is, the table's whole row.  The product is
  ``backend.scaled_small``'s, as ``small`` takes it, or for small 1-D values the unary
  rules' entry point ``scale_entry`` (its cell, ``backend.entry_cell(None)``, filled
  by the first such product once numba is loaded): the same products (small42); for
  ``u ** 3`` on small 1-D values, numba loaded, ``backend.cube_kernel``'s entry point
  instead, which evaluates the factor ``3.0 * (x * x)`` in its loop (no NumPy call for
  it, so no hush: small61);
* :func:`lean_power_pair`: ``u ** v`` of two array duals, NumPy's value and the
  regular branches' NumPy calls, then the row's tests and the products in one
  compiled call (``backend.power_pair_kernel``; small63);
* :func:`lean_power_mixed`: a scalar's power with small 1-D values (``u ** k``, ``k **
  u``, ``t ** k``, ``2.0 ** u``), NumPy's value and the regular branches' NumPy calls,
  then the row's tests and the products in one compiled call (``backend.POWER_MIXED``;
  small64).

Each returns ``None`` having computed nothing where it is not sure (nested or complex
values, deferred partials, escaped or differing tags, other directions, 0-d values,
work past ``backend.LEAN_WORK`` or deferred by the fused engine, selection rules),
and the caller's general path runs with its checks and errors; where the value is
made and a local derivative is not finite somewhere, the general ``call`` gets that
value (it keeps a zero partial 0 beside an infinite factor).

Four of them hush NumPy's error state around their local derivatives by
:func:`._ufuncs._hush` written out (the context variable set to the last quiet pair
directly, ``_eget`` / ``_eset`` / ``_ereset``): a call of the helper costs ~0.06 us of
a ~1.3 us operation at N = 10, so the copies are one idiom kept inline on purpose.
"""

import numpy as np

from .. import backend, errors
from ..dual import LIVE, ArrayDual, ScalarDual, make_real
from ..dual._scalar import COMPLEX_SCALARS as _COMPLEX_SCALARS
from ..errors import ARRAYS as _ARRAYS, MADE as _MADE
from ..dual._array import ROW_KEPT as _ROW_KEPT, argument_factors, \
    array_and_scalar as _array_and_scalar, read_object, scalar_row as _scalar_row
from ..rules._table import RULES, TINY, derivative_functions, regular_branch
from ._lean_complex import lean_complex as _lean_complex
from ._nested import nested
from ._ufuncs import (_LAST, _errstate, _hush, _pair, _promoted, _tiny, _unhush, _variable, call,
                      call_ufunc as _call_ufunc, lean as _lean)
from . import _ufuncs

__all__ = ["call_ufunc", "lean", "lean_mixed", "lean_constant", "lean_power",
           "lean_power_pair", "lean_power_mixed", "operator_power"]

_nd = np.ndarray
_F64 = np.dtype(np.float64)
_C128 = np.dtype(np.complex128)
_f64 = np.float64
_new = object.__new__
_POWER = RULES[np.power]
_ND = np.ndarray
_OBJECT = np.dtype(object)
_lean_work = backend.lean_work
_LEAN_WORK = backend.LEAN_WORK
_FUSING = backend.FUSING              # [the fused engine defers now?, from how many elements]
_Deferred = backend.Deferred
_combine = backend.combine_small
_scaled = backend.scaled_small
_outer = backend.outer_small
_SCALE = backend.entry_cell(None)      # [scale_entry, once made]: f[:, None] * p
_CUBE = backend.CUBE                   # [cube_entry, once made]: 3 x**2 p (u ** 3)
_cube = backend.cube_kernel
_POWER_PAIR = backend.POWER_PAIR       # [power_pair_entry, once made]: u ** v
_POWER_LOOPS = backend.POWER_LOOPS     # [its entry by NumPy's loops, their table] (small71)
_NUMBER_LOOPS = backend.NUMBER_LOOPS   # [u ** c's of that kind, its three tables] (small71)
_number_loops_made = backend.number_loops_made
_power_loops_made = backend.power_loops_made
_EXPONENT_LOOPS = backend.EXPONENT_LOOPS   # [u ** k's / t ** k's of that kind, its table]
_exponent_loops_made = backend.exponent_loops_made     # (small72)
_BASE_LOOPS = backend.BASE_LOOPS       # [k ** u's / 2.0 ** u's of that kind, its table]
_base_loops_made = backend.base_loops_made
_power_pair = backend.power_pair_kernel
_POWER_MIXED = backend.POWER_MIXED     # [u ** k's / t ** k's entry, k ** u's / 2.0 ** u's]
_power_mixed = backend.power_mixed_entry
_POWER_SCALE = backend.POWER_SCALE     # [u ** y's entry (a number y), once made]
_power_scale = backend.power_scale_entry
_POWER_NUMBER = backend.POWER_NUMBER   # [u ** y's entry from x ** (y - 1.0), once made]
_power_number = backend.power_number_entry
_OUTER_ROW = backend.OUTER_ROW         # [k * t's entry: a plain array's factor times a row]
_outer_row = backend.outer_row_entry
_CONST = backend.CONST                 # (ufunc, k) -> np.arctan2(t, k)'s entry, or False
_const_entry = backend.const_entry
_const_loops_made = backend.const_loops_made
_NO_ROWS = np.empty((0, 0))            # the partials of a plain base (t ** k) ...
_NO_ROW = np.empty(0)                  # ... and of a number base (2.0 ** u): no term
# ``y - 1.0`` of a float64 array as ``y - _ONE``: the same subtraction in NumPy's float64
# loop, so the same bits, without converting the Python float (0.54 -> 0.35 us at N = 10;
# small65)
_ONE = np.array(1.0)
_ONE.flags.writeable = False
_pair_small = backend.pair_small
_array = np.array
_log = np.log
_fmin = np.fmin.reduce
_BELOW = backend.SMALL_BELOW
_small_empty = backend.small_empty
_EXACT = backend.EXACT
_exact_row = backend.exact_row
_loader = backend._loader
# the error state's context variable's methods (``_hush``/``_unhush`` written out)
_eget, _eset, _ereset = (None, None, None) if _errstate is None else \
    (_errstate.get, _errstate.set, _errstate.reset)
# the scalar dual first?  -> ufunc -> exact_row's kernel's cell, for + - * /
_ROWS = {first: {u: backend.exact_cell((u, 0 if first else 1, "row")) for u in _EXACT
                 if u.nin == 2} for first in (False, True)}


def lean_mixed(rule, a, b):
    """``rule``'s ufunc of ``a`` and ``b``, one an array dual of float64 values (at
    least one axis) and partials, the other a scalar dual of the same live tag holding
    a float and float partials; ``None`` (nothing computed) for anything else."""
    if rule is _POWER:                        # k ** u, t ** k, 2.0 ** u (small64)
        got = lean_power_mixed(a, b)
        if got is not None:
            return got
    got = _array_and_scalar(a, b)
    if got is None:
        return None
    array, scalar, first = got                # first: the scalar is the first argument
    fns = _MIXED.get(rule.ufunc, False)       # (a ufunc hashes faster than a Rule)
    if fns is False:
        fns = _mixed_factors(rule)
    x = array.value
    p = array._p
    tag = array.tag
    if fns is None or type(x) is not _nd or type(p) is not _nd or \
            x.dtype is not _F64 or p.dtype is not _F64 or not x.ndim or \
            scalar.tag != tag or tag not in LIVE:
        return None
    n = p.shape[-1]
    work = p.size
    kept = _ROW_KEPT[0]                       # (the scalar's row, once made: small70)
    row = kept[1] if kept[0] is scalar else _scalar_row(scalar)
    if row.dtype is not _F64 or row.shape != (n,):
        return None               # nested partials; other directions: the general error
    if x.ndim == 1 and p.ndim == 2 and rule.ufunc in _EXACT:    # + - * /: value and
        cell = _ROWS[first][rule.ufunc]                         # partials in one kernel
        kernel = cell[0]                                        # call (lean45)
        if kernel and _loader.READY and work < _BELOW[0]:      # (exact_row's, written out)
            t = _small_empty(p.shape)
            out = _small_empty(len(x))
            if kernel(scalar.value, x, out, row, p, t) if first else \
                    kernel(x, scalar.value, out, p, row, t):
                return make_real(out, t, tag)
        else:
            got = _exact_row(rule.ufunc, 0 if first else 1, scalar.value, row, x, p)
            if got is not None:
                return make_real(got[0], got[1], tag)
    if work >= _LEAN_WORK or not _lean_work(work, x.shape):
        return None
    fa, fb, quiet = fns
    c = _f64(scalar.value)
    if first:
        va, vb, pa, pb = c, x, row, p
    else:
        va, vb, pa, pb = x, c, p, row
    out = rule.ufunc(va, vb)
    if type(out) is not _nd or out.dtype is not _F64 or out.shape != x.shape:
        return call(rule, (a, b), out)
    token = None if quiet else _hush()    # + - *: the factors are arguments, computed
    try:                                  # by no NumPy call
        f = None if fa == "0" else fa(va, vb, out)
        g = None if fb == "0" else fb(va, vb, out)
        if rule.quotient and _lost(rule, (f, g), (va, vb, out)):
            total = None          # an underflowed quotient: -u / k**2 of u / k at k = 1e200
        elif f is None:
            total = _combine([g], [pb], p.shape)
        elif g is None:
            total = _combine([f], [pa], p.shape)
        else:
            fp, fr = (g, f) if first else (f, g)           # (p's factor, the row's)
            total = _outer(float(fp), p, fr, row) if (type(fp) is _f64 or type(fp) is float) \
                and type(fr) is _nd and fr.dtype is _F64 and fr.shape == x.shape and \
                x.ndim == 1 else NotImplemented                 # k * u, u / k
            if total is NotImplemented:
                total = _combine([f, g], [pa, pb], p.shape)
    finally:
        if token is not None:
            _unhush(token)
    if total is None:             # an inf or NaN met, an underflowed quotient: the
        return call(rule, (a, b), out)      # careful path
    return make_real(out, total, tag)


def _lost(rule, factors, args):
    """Did a local derivative in ``factors`` (``None`` where the rule's is "0") of the
    quotient row ``rule`` whose numerator varies (``-out / y`` of ``u / k``, ``k / u``)
    fall below the smallest normal number beside a nonzero numerator (``_tiny``, as
    ``_ufuncs._array_partials`` asks, and as the ``+ - * /`` kernels decline)?  Then
    ``f * p`` lost what the two steps keep: ``(2 - p) / (c p)`` over an array at
    c = 1e200 gave -1e-200 for -2e-200 with numba not loaded (attack59 15's first
    level)."""
    return any(factors[k] is not None and _tiny(factors[k], rule, k, args)
               for k in _variable(rule))


def lean_constant(rule, a, b):
    """``rule``'s ufunc of a scalar dual holding a float and float partials and a
    float64 ndarray of at least one axis (``n1 * np.cos(angles)``, ``x / k``: a
    scalar parameter on a fixed grid), ``_ufuncs._pair``'s steps for that pair
    without the way to it (``call_ufunc``, ``nested``, ``small``, ``_pair``'s two
    operand scans, ``_combined``: 11.4 -> 7.4 us at N = 15, numba not loaded,
    ``python bench/corpus_ops.py``, small58): the scalar's value as a NumPy float and its partials as a row, the same
    ufunc call, the table's local derivative for the scalar's argument under the
    same hushed error state, the same underflowed-quotient test (``_tiny``), and
    ``backend.combine_small`` on the one factor and the row, which ``_pair`` reaches
    for such a pair (``_combined`` finds the row not of the result's shape), so the
    result is ``_pair``'s to the bit.  ``None`` (nothing computed) for anything else:
    another operand, an escaped tag, nested or complex partials, a rule
    :func:`lean_mixed` does not take, work that ``_pair`` does not take (past
    ``backend.LEAN_WORK``, or deferred by the fused engine); where the value is made
    and the factor is not finite somewhere, the general ``call`` gets that value."""
    if type(b) is _nd:
        x, scalar, k = b, a, 0              # k: the scalar's argument
    elif type(a) is _nd:
        x, scalar, k = a, b, 1
    else:
        return None
    fns = _MIXED.get(rule.ufunc, False)
    if fns is False:
        fns = _mixed_factors(rule)
    if fns is None or not x.ndim or getattr(type(scalar), "_kind", None) != "slots":
        return None
    if x.dtype is _C128:          # a complex grid (``1j * w * s``): its lean line, which
        fast = _lean_complex(rule)    # complex_small would call after the general entry's
        return None if fast is None else fast(a, b)     # way to it (~2 us; complex68)
    if x.dtype is not _F64:       # an int or bool grid (``r * np.arange(1, 51)``): in
        x = _promoted(x, rule, 1 - k)   # float64, as ``call`` computes with it (loops61:
        if type(x) is not _nd or x.dtype is not _F64:    # 18 us there); else ``None``
            return None
    v = scalar.value
    tag = scalar.tag
    if type(v) is not float or tag not in LIVE:
        return None
    d = fns[k]
    kept = _ROW_KEPT[0]                       # (the scalar's row, once made: small70)
    row = kept[1] if kept[0] is scalar else _scalar_row(scalar)
    if d == "0" or row.dtype is not _F64:
        return None
    n = len(row)
    work = x.size * n
    if work >= _LEAN_WORK or not _lean_work(work, x.shape):
        return None
    if x.ndim == 1 and work < _BELOW[0] and _loader.READY:     # + - * /: the value, the
        entry = _CONST.get((rule.ufunc, k, True))   # factor and its products in one
        if entry is None:                           # compiled call (small70); it declines
            entry = _const_entry(rule.ufunc, k, True)   # where NumPy would report on the
        if entry:                                   # value or the entry below declines
            out = _small_empty(len(x))
            t = _small_empty((len(x), n))
            if entry(v, x, out, row, t) if k == 0 else entry(x, v, out, row, t):
                r = _new(ArrayDual)
                r.value = out
                r._p = t
                r.tag = tag
                r._c = None
                return r
    if x.ndim == 1 and work < _BELOW[0] and _loader.READY:     # np.arctan2(t, k): the
        got = _CONST.get((rule.ufunc, k, "loops"))      # value by NumPy's own loop, the
        if got is None:                                 # factor and its products in one
            got = _const_loops_made(rule.ufunc, k)      # compiled call (small72); it
        if got:                                         # declines where NumPy would
            out = _small_empty(len(x))                  # report on the value or the
            t = _small_empty((len(x), n))               # entry below declines
            if got[0](got[1], v, x, out, row, t) if k == 0 else \
                    got[0](got[1], x, v, out, row, t):
                r = _new(ArrayDual)
                r.value = out
                r._p = t
                r.tag = tag
                r._c = None
                return r
    c = _f64(v)
    va, vb = (c, x) if k == 0 else (x, c)
    out = rule.ufunc(va, vb)
    if type(out) is not _nd or out.dtype is not _F64 or out.shape != x.shape:
        return call(rule, (a, b), out)
    if x.ndim == 1 and work < _BELOW[0] and _loader.READY:     # the table's factor per
        entry = _CONST.get((rule.ufunc, k))     # element and its products in one compiled
        if entry is None:                       # call (np.arctan2(t, k), t / k: const69);
            entry = _const_entry(rule.ufunc, k)     # it declines where the NumPy steps
        if entry:                               # below would not make those products
            t = _small_empty((len(x), n))
            if entry(v, x, out, row, t) if k == 0 else entry(x, v, out, row, t):
                r = _new(ArrayDual)
                r.value = out
                r._p = t
                r.tag = tag
                r._c = None
                return r
    if _errstate is None:                               # pragma: no cover
        token = _hush()
    else:                         # _hush() written out (as lean_power's)
        e = _eget()
        s = _LAST[0]
        token = _eset(s[1]) if e is s[0] or e is s[1] else _hush()
    try:
        f = d(va, vb, out)
        if rule.quotient and k in _variable(rule) and _tiny(f, rule, k, (va, vb, out)):
            total = None
        else:
            total = NotImplemented            # small 1-D values: f[:, None] * row in one
            if type(f) is _nd and f.dtype is _F64 and f.ndim == 1 and x.ndim == 1 and \
                    f.shape == x.shape and work < _BELOW[0] and _loader.READY:
                t = _small_empty((len(x), n))   # compiled call (small69); it declines
                if (_OUTER_ROW[0] or _outer_row())(f, row, t):  # where combine_small
                    total = t                   # would (a factor or their sum not
            if total is NotImplemented:         # finite), which then runs
                total = _combine([f], [row], x.shape + (n,))
    finally:
        if _errstate is None:                           # pragma: no cover
            _unhush(token)
        else:
            _ereset(token)
    if total is None:             # an inf or NaN met, an underflowed quotient: the
        return call(rule, (a, b), out)      # careful path
    r = _new(ArrayDual)           # make_real, written out (as the lean functions')
    r.value = out
    r._p = total
    r.tag = tag
    r._c = None
    return r


# ufunc -> (d/da, d/db, quiet) for :func:`lean_mixed`, or None (not its rule); first use
_MIXED = {}


def _mixed_factors(rule):
    """:data:`_MIXED`'s entry for ``rule``: its two local derivative functions (either
    may be ``"0"``, not both) and whether they compute nothing (each a constant or an
    argument: ``argument_factors``, no NumPy error state to hush) for a smooth
    binary rule that selects nothing; ``None`` for any other."""
    entry = None
    if rule.kind == "smooth" and not rule.select and rule.ufunc.nin == 2 and \
            rule.ufunc.nout == 1:
        fa, fb = derivative_functions(rule)
        if fa is not None and fb is not None and (fa != "0" or fb != "0"):
            entry = fa, fb, argument_factors(rule) is not None
    _MIXED[rule.ufunc] = entry
    return entry


def lean_power(a, b, spelled=False):
    """``a ** b`` for an array dual ``a`` of float64 values (at least one axis) and
    partials of a live tag and a Python int or float or NumPy float64 ``b`` (finite);
    :func:`lean_power_pair` for an array dual ``b``; ``None`` (nothing computed) for
    anything else.  ``spelled``: the operator ``a ** b`` (not ``np.power(a, b)``),
    whose value at an int ``b = -1`` and a float ``b = 0.5`` is NumPy's operator's,
    ``np.reciprocal`` and ``np.sqrt`` (:func:`operator_power`)."""
    tb = type(b)
    if tb is int:
        if not -(1 << 53) <= b <= 1 << 53:
            return None
    elif tb is not float and tb is not _f64:
        return lean_power_pair(a, b) if tb is ArrayDual else lean_power_mixed(a, b)
    if type(a) is not ArrayDual:
        return None
    x = a.value
    p = a._p
    tag = a.tag
    if type(x) is not _nd or type(p) is not _nd or x.dtype is not _F64 or \
            p.dtype is not _F64 or not x.ndim or tag not in LIVE:
        return None
    work = p.size
    if work >= _BELOW[0] and (work >= _LEAN_WORK or not _lean_work(work, x.shape)):
        return None               # (under SMALL_BELOW lean_work admits any work: unasked)
    cube = b == 3 and _SQUARE_IS_MUL
    if cube:
        y = 3.0                   # (NumPy's float64 of 3 as np.float64(b) is: the same loop)
    else:                         # a Python float: NumPy's float64 of it, as of
        y = b if tb is float else float(b)      # np.float64(b) (the same loop; small68)
        if not -9007199254740992.0 < y < 9007199254740992.0:
            return None           # (not finite, or from 2**53 on: the row's own branch there)
    ys = _EXPONENTS[y]            # y and y - 1.0 as 0-d float64 arrays (small69)
    small = work < _BELOW[0] and x.ndim == 1 and p.ndim == 2
    if small and not cube and y != 0.0 and _loader.READY:   # the value, the part and
        entry = _NUMBER_LOOPS[0]            # the partials by NumPy's own loops in one
        if entry is None:                   # compiled call (small71), where it takes them
            entry = _number_loops_made()
        if entry:
            n = len(x)
            out = _small_empty(n)
            t = _small_empty(p.shape)
            if entry(_NUMBER_LOOPS[1] if not spelled else _NUMBER_LOOPS[2] if tb is int and
                     b == -1 else _NUMBER_LOOPS[3] if tb is float and b == 0.5 else
                     _NUMBER_LOOPS[1], x, ys[0], ys[1], y, out, _small_empty(n), p, t):
                return make_real(out, t, tag)
    out = np.power(x, ys[0]) if not spelled else _reciprocal(x) if tb is int and \
        b == -1 else _sqrt(x) if tb is float and b == 0.5 else np.power(x, ys[0])
    #                                     # (the operator's words: operator_power)
    if type(out) is not _nd or out.dtype is not _F64 or out.shape != x.shape:
        return call(_POWER, (a, b), out)
    if not cube and y != 0.0 and small and _loader.READY:
        if _errstate is None:                           # pragma: no cover
            token = _hush()
        else:                     # (the hush written out, as below)
            e = _eget()
            s = _LAST[0]
            token = _eset(s[1]) if e is s[0] or e is s[1] else _hush()
        try:                      # the regular branch's NumPy part (tests/test_kernels.py
            w = x ** ys[1]        # holds the table to it: x ** (y - 1.0)); its factor y * w, the tests
        finally:                  # (an underflowed or not finite factor)
            if _errstate is None:                       # pragma: no cover
                _unhush(token)    # and products in one compiled call (small68; a zero
            else:                 # base's y * w too, _ZERO_BASE: small70): the same bits
                _ereset(token)    # as the lines below, which run where it declines
        t = _small_empty(p.shape)
        if (_POWER_NUMBER[0] or _power_number())(x, y, out, w, p, t):
            return make_real(out, t, tag)
    if not cube:
        y = _f64(y)               # (the old way's exponent, as it was)
    if cube and _loader.READY and work < _BELOW[0] and x.ndim == 1 and p.ndim == 2:
        entry = _CUBE[0]          # small 1-D values: the factor and its products in one
        if entry:                 # compiled call, no hush (small61; the first call makes it)
            t = _small_empty(p.shape)
            if not entry(x, p, t):
                t = None
        else:
            t = _cube(x, p)
        if t is not NotImplemented:
            return call(_POWER, (a, b), out) if t is None else make_real(out, t, tag)
    if _errstate is None:                               # pragma: no cover
        token = _hush()
    else:                         # _hush() written out (small47: two Python calls)
        e = _eget()
        s = _LAST[0]
        token = _eset(s[1]) if e is s[0] or e is s[1] else _hush()
    try:                          # no zero in x: the branch lazy_where would copy (a
        if cube:                  # short row's test without NumPy)
            f = x * x             # the regular branch y * x ** (y - 1.0) at y = 3, to the
            f *= 3.0              # bit on any x (see _SQUARE_IS_MUL), zeros included
        elif y != 0.0:            # the regular branch is the row's own bits at a zero
            f = (_REGULAR or _regular())(x, y, out)     # base too (_ZERO_BASE)
        else:
            f = derivative_functions(_POWER)[0](x, y, out)
    finally:
        if _errstate is None:                           # pragma: no cover
            _unhush(token)
        else:
            _ereset(token)
    if not cube and (type(f) is not _nd or f.shape != x.shape or f.dtype is not _F64):
        return call(_POWER, (a, b), out)  # (the cube's x * x of float64 values: a float64
    # y x**(y - 1) underflowed beside a nonzero x: the general path's extended range
    # (x = 1e160, y = -1: -1e-320 beside dx ~ x, hess58; x = 1e-310, y = 2.5, dx = 1e300:
    # 0 for 2.5e-165, farpow67); not for 0.01 <= y <= 1 (|y| x**(y - 1) >= TINY for
    # every float x) nor y = 0 (the row's d/dx x**0 = 0: no test there)
    if y != 0.0 and small and _loader.READY:    # small 1-D values: the test in the
        t = _small_empty(p.shape)               # products' loop (one compiled call)
        if not (_POWER_SCALE[0] or _power_scale())(x, f, p, t, 1.0 if -1.0 <= y <= 1.0
                                                   else abs(y)):
            t = None
    elif y != 0.0 and (y < 0.01 or y > 1.0) and _tiny(f, _POWER, 0, (x, y, out)):
        return call(_POWER, (a, b), out)
    elif small and _SCALE[0]:             # the unary rules' entry point (no dispatcher)
        t = _small_empty(p.shape)
        if not _SCALE[0](f, p, t):
            t = None
    else:                         # (its first small call makes that entry point)
        t = _scaled(f, p)
    if t is None:                 # an inf or NaN met: the careful path
        return call(_POWER, (a, b), out)
    return make_real(out, t, tag)


_reciprocal = np.reciprocal
_sqrt = np.sqrt


def operator_power(a, b):
    """NumPy's operator's value of ``a ** b`` for an array dual ``a`` of float64 values
    and ``b`` the Python int -1 or the Python float 0.5, or ``None``: NumPy's ``x ** -1``
    of a float array is ``np.reciprocal(x)`` and ``x ** 0.5`` is ``np.sqrt(x)`` (the
    operator's fast exponents, with the int 2's ``np.square``, which the dual's
    ``__pow__`` takes already; NumPy 2.4 takes them for those Python types alone:
    ``x ** -1.0``, ``x ** np.float64(0.5)`` call ``np.power``, whose words the dual's
    keep too), the same numbers as ``np.power(x, -1.0)`` / ``np.power(x, 0.5)`` (NumPy's
    power loop divides and takes the square root there: -0.0 and NaN at -0.0 and -inf
    alike), and its reports name
    them: "divide by zero encountered in reciprocal", "invalid value encountered in
    sqrt", where ``np.power`` says "... in power" (small68's Left: the dual's ``u **
    -1`` of a zero reported the power the user never wrote).  The general path takes
    this value as its ``out``.

    A Hessian's outer level (``x`` an array dual of float64 values: its inner level)
    takes the inner dual's own operator, ``x ** b``, which makes its value the same way
    and records dg.quad's branch as ``np.power`` of it did (no watch answers a power):
    the inner level said "... in power" where the float code says "... in
    reciprocal", and dg.hessian's rescaled rerun said "reciprocal" beside it
    (refusals69's Left)."""
    x = a.value
    tb = type(b)
    if type(x) is ArrayDual:
        v = x.value
        if type(v) is _nd and v.dtype is _F64 and \
                (tb is int and b == -1 or tb is float and b == 0.5):
            return x ** b
        return None
    if type(x) is not _nd or x.dtype is not _F64:
        return None
    return _reciprocal(x) if tb is int and b == -1 else _sqrt(x) if tb is float and \
        b == 0.5 else None


def lean_power_pair(a, b):
    """``a ** b`` (``np.power(a, b)``) of two array duals of float64 values (one shape,
    at least one axis) and partials (one shape) of one live tag, in the work
    ``small`` takes, where the power row's regular branches are the row: no element of
    ``x`` or ``y`` zero (the limits at a zero base, ``d/dx x**0``), no value below
    the smallest normal number in magnitude (d/dy's ``x * (x**(y - 1) log x)``), the
    factor ``f = y * x ** (y - 1.0)`` normal and finite (no underflowed quotient for
    the general path's two steps) and ``g = out * np.log(x)`` finite.  There
    ``lazy_where`` evaluates exactly those branches and copies them, and ``_pair``
    multiplies them in by ``backend.pair_small``; here NumPy computes the same value
    and factors, hushed as there, and the tests and products are one call of
    ``backend.power_pair_kernel``'s compiled entry point (small 1-D values, numba
    loaded) or NumPy's tests and ``pair_small``: the same bits.  It went ``small``'s
    ``_pair`` through the table's whole row, ~20 lazy_where tests on arrays: 25 us
    against ``u * v``'s 1.3 at N = 10, n = 10 (small63).  ``None`` (the caller's
    general path) for anything else, nothing computed; where the value is made and
    a test fails, ``_pair`` from that value on."""
    if type(a) is not ArrayDual:
        return lean_power_mixed(a, b)     # np.power(2.0, u), np.power(k, u)
    x = a.value
    p = a._p
    y = b.value
    q = b._p
    tag = a.tag
    if type(x) is not _nd or type(p) is not _nd or type(y) is not _nd or \
            type(q) is not _nd or x.dtype is not _F64 or p.dtype is not _F64 or \
            y.dtype is not _F64 or q.dtype is not _F64 or not x.size or \
            x.shape != y.shape or p.shape != q.shape or b.tag != tag or tag not in LIVE:
        return None
    work = p.size
    if work >= _BELOW[0] and (work >= _LEAN_WORK or not _lean_work(work, x.shape)):
        return None
    kernel = _loader.READY and work < _BELOW[0] and x.ndim == 1 and p.ndim == 2
    if kernel:                    # the value, the parts and the partials by NumPy's own
        entry = _POWER_LOOPS[0]   # loops in one compiled call (small71), where it takes them
        if entry is None:
            entry = _power_loops_made()
        if entry:
            n = len(x)
            out = _small_empty(n)
            t = _small_empty(p.shape)
            if entry(_POWER_LOOPS[1], x, y, out, _small_empty(2 * n + 2), p, q, t):
                return make_real(out, t, tag)
    out = np.power(x, y)             # (float64 ndarrays: NumPy's float64 loop, their shape)
    if _errstate is None:                               # pragma: no cover
        token = _hush()
    else:                         # _hush() written out (as lean_power's)
        e = _eget()
        s = _LAST[0]
        token = _eset(s[1]) if e is s[0] or e is s[1] else _hush()
    t = None
    try:                          # the row's regular branches' NumPy parts
        w = x ** (y - _ONE)       # (rules.regular_form's kernel_split, y - 1.0 as y - _ONE:
        v = np.log(x)             # tests/test_kernels.py holds the table to these)
        if not kernel:            # (pair_small's finiteness sum hushed too: diff63 F2)
            f = y * w
            g = out * v
            if x.all() and y.all() and _fmin(np.absolute(out), axis=None) >= TINY and \
                    np.absolute(f).min() >= TINY:   # (NaN: fmin passes it over, min gives
                t = _pair_small(f, p, g, q)  # it: a NaN f declined here, a NaN g by pair_small)
    finally:
        if _errstate is None:                           # pragma: no cover
            _unhush(token)
        else:
            _ereset(token)
    if kernel:
        entry = _POWER_PAIR[0]    # the factors (the table's generated regular_power_x,
        if entry:                 # _y), the tests and the partials in one compiled call
            t = _small_empty(p.shape)
            if not entry(x, y, out, w, v, p, q, t):
                t = None
        else:
            t = _power_pair(x, y, out, w, v, p, q)      # (makes the entry point)
    if t is None:                 # the general path from the value on (NumPy's
        got = _pair(_POWER, a, b, out)     # reports on it made once; _MISS, nothing
        return call(_POWER, (a, b), out) if got is _ufuncs._MISS else got   # done: call's)
    return make_real(out, t, tag)


def lean_power_mixed(a, b):
    """``a ** b`` (``np.power(a, b)``) of a scalar with small 1-D values once numba is
    loaded: an array dual to a scalar dual's power (``u ** k``) or a float64 ndarray's
    (``t ** k``), a scalar dual or a Python or NumPy float to an array dual's
    (``k ** u``, ``2.0 ** u``); the scalar dual holding a float and float partials of the
    array dual's live tag (its directions as many), the work under ``SMALL_BELOW``.

    These went ``_pair`` (``u ** k``, ``2.0 ** u``), ``lean_mixed`` (``k ** u``) or
    ``lean_constant`` (``t ** k``): the scalar's value as a NumPy float, its partials as
    a row, the table's regular-first factors (each argument's tests of zeros and an
    underflowed value on arrays), the quotient's ``_tiny`` and ``combine_small``'s
    broadcast products: 10-21 us at N = 10 where ``k * u`` costs 2 (small63).  Here
    NumPy computes the same value ``np.power`` and the regular branches' NumPy calls
    (``x ** (c - 1.0)`` and ``np.log(x)`` for an exponent ``c``, ``c ** (y - 1.0)`` and
    ``np.log(c)`` for a base ``c``: each argument's factor as the row spells it), hushed
    as there, and one compiled call (``backend.POWER_MIXED``) makes the factors'
    products, tests that the regular branches are the row's (no zero base, no
    underflowed value, a normal finite quotient factor, finite factors) and makes the
    partials with ``combine_small``'s products and sum: the same bits.  A zero scalar
    takes the general path (``u ** 0.0``'s and ``0.0 ** u``'s limits); where the value
    is made and the kernel declines, ``_pair`` from that value on, which is what each
    caller's path computes from there.  ``None`` (nothing computed) for anything else."""
    if not _loader.READY:
        return None
    ta = type(a)
    tb = type(b)
    if tb is ArrayDual:                       # the exponent an array dual: k ** u, 2.0 ** u
        base = 1
        scalar = None if ta is float or ta is _f64 else a
        c = a
        d = b
    elif ta is ArrayDual or ta is _nd:        # the base: u ** k, t ** k
        base = 0
        scalar = b
        d = a if ta is ArrayDual else None
    else:
        return None
    if scalar is not None:
        if getattr(type(scalar), "_kind", None) != "slots":
            return None
        c = scalar.value
        if type(c) is not float:
            return None
    if d is None:                             # t ** k: a plain base, no partials
        x = a
        p = _NO_ROWS
        tag = scalar.tag
        if type(x) is not _nd or x.dtype is not _F64:
            return None
    else:
        x = d.value
        p = d._p
        tag = d.tag
        if type(x) is not _nd or type(p) is not _nd or x.dtype is not _F64 or \
                p.dtype is not _F64 or p.ndim != 2 or \
                scalar is not None and scalar.tag != tag:
            return None
    if x.ndim != 1 or not x.size or c == 0.0 or tag not in LIVE:
        return None
    if scalar is None:
        row = _NO_ROW
        n = p.shape[1]
    else:
        kept = _ROW_KEPT[0]                   # (the scalar's row, once made: small70)
        row = kept[1] if kept[0] is scalar else None
        n = len(scalar._plist() if row is None else row)
        if d is not None and n != p.shape[1]:
            return None                       # other directions: the general error
        if row is None:
            row = _scalar_row(scalar)
            if row.dtype is not _F64:
                return None                   # complex partials
    if x.size * n >= _BELOW[0]:
        return None
    # the value, the parts and the partials by NumPy's own loops in one compiled call,
    # where it takes them (small72); else the lines below
    if base:                                  # k ** u, 2.0 ** u
        entry = _BASE_LOOPS[0]
        if entry is None:
            entry = _base_loops_made()
        if entry and c > 0.0:                 # (np.log(c) unhushed here: no report)
            m = len(x)
            out = _small_empty(m)
            t = _small_empty((m, n))
            if entry(_BASE_LOOPS[1], c, _log(c), x, out, _small_empty(2 * m + 4), row, p,
                     t):                      # (np.log(c) as below: NumPy's call)
                return make_real(out, t, tag)
    else:                                     # u ** k, t ** k
        entry = _EXPONENT_LOOPS[0]
        if entry is None:
            entry = _exponent_loops_made()
        if entry:
            m = len(x)
            out = _small_empty(m)
            t = _small_empty((m, n))
            if entry(_EXPONENT_LOOPS[1], x, c, out, _small_empty(2 * m + 4), p, row, t):
                return make_real(out, t, tag)
    # c as a 0-d float64 array (a number's from _EXPONENTS, which also holds c - 1.0; a
    # scalar dual's made here): NumPy's float64 loop with the scalar broadcast, as for
    # the NumPy float c was, without the scalar's conversion in each call (small69)
    if scalar is None:
        cc = _EXPONENTS[c][0]
    else:
        cc = _array(c)
    out = np.power(cc, x) if base else np.power(x, cc)
    if _errstate is None:                               # pragma: no cover
        token = _hush()
    else:                         # _hush() written out (as lean_power's)
        e = _eget()
        s = _LAST[0]
        token = _eset(s[1]) if e is s[0] or e is s[1] else _hush()
    try:                          # the row's regular branches' NumPy parts, spelled as
        if base:                  # the table's (x ** (y - 1.0), np.log(x): as lean_power_pair)
            w = out if scalar is None else cc ** (x - _ONE)
            v = _log(c)           # (a NumPy float64, from c's float64 as before)
        else:
            w = out if d is None else x ** _array(c - 1.0)
            v = np.log(x)
    finally:
        if _errstate is None:                           # pragma: no cover
            _unhush(token)
        else:
            _ereset(token)
    entry = _POWER_MIXED[base] or _power_mixed(base)
    t = _small_empty((len(x), n))
    if not (entry(c, x, out, w, v, row, p, t) if base else entry(x, c, out, w, v, p, row, t)):
        got = _pair(_POWER, a, b, out)    # the general path from the value on
        return call(_POWER, (a, b), out) if got is _ufuncs._MISS else got
    return make_real(out, t, tag)


def lean(rule):
    """``dispatch._ufuncs.lean(rule)``, the lean function of ``ArrayDual.__array_ufunc__``
    (``dual._array._LEAN``), except for ``np.power``: a function that also takes an
    array dual to a number's power, ``np.power(u, 3)``, through :func:`lean_power` as
    ``u ** 3`` goes (the same result: ``lean_power`` is ``small``'s to the bit); it went
    ``small``'s general loop, 19.5x the float op against ``u ** 3``'s 4.0x at N = 10
    (``python bench/small_ab.py --numba --n 10``; small61).  Two array duals
    take :func:`lean_power_pair` (``u ** v``'s path, small63); ``None`` from either,
    the caller's general path."""
    fast = _lean(rule)
    if rule.ufunc is np.maximum or rule.ufunc is np.minimum:
        return _bounded(rule.ufunc, fast)     # (two array duals: ``fast``, as before)
    if rule.ufunc is not np.power:
        return fast

    def power(a, b):
        return lean_power_pair(a, b) if type(b) is ArrayDual else lean_power(a, b)
    return power


def _bounded(ufunc, fast):
    """``np.maximum(u, c)`` / ``np.minimum(u, c)`` (either order) of an array dual ``u``
    of float64 values and partials and a Python or NumPy float ``c`` that is not NaN
    (``np.maximum(np.diagonal(L), 1e-200)``: the GP row, ~40 us at N = 25 through
    ``small``'s ``_pair`` and ``_selected``; rows62): ``_selected``'s answer written
    for this case.  There the table's indicator (``_selection``'s row, "a NaN wins")
    is 0 exactly where ``u < c`` (``u > c`` for the minimum) and 1/2 where ``u == c``,
    so the partials are ``u``'s where that condition fails and 0.0 elsewhere (the
    selection ``backend.where`` makes, by its kernel or NumPy's: each element p's bits
    or +0.0), then ``0.5 * p`` at the ties, as ``split_ties`` makes them: the same
    selection and products, so the same bits.  Two array duals: ``fast``
    (``_ufuncs.lean``'s function) as before.  ``None`` (nothing computed; small's way)
    for anything else: an int, a NaN, deferred partials, work ``small`` leaves to the
    general path, values of several axes not C-ordered."""
    loses = np.less if ufunc is np.maximum else np.greater

    def bounded(a, b):
        if type(a) is ArrayDual:
            if type(b) is ArrayDual:
                return None if fast is None else fast(a, b)
            u, c = a, b
        elif type(b) is ArrayDual:
            u, c = b, a
        else:
            return None
        tc = type(c)
        if tc is not float and tc is not _f64 or c != c:
            return None
        x, p, tag = u.value, u._p, u.tag
        if type(x) is not _nd or type(p) is not _nd or x.dtype is not _F64 or \
                p.dtype is not _F64 or not x.ndim or tag not in LIVE or \
                x.ndim > 1 and not (x.flags.c_contiguous and p.flags.c_contiguous) or \
                not _lean_work(p.size, x.shape):
            return None
        c = _f64(c)
        out = ufunc(x, c) if u is a else ufunc(c, x)
        chosen = loses(x, c)
        np.logical_not(chosen, out=chosen)
        total = np.where(chosen[..., None], p, 0.0)
        tie = x == c
        if tie.any():
            total = np.where(tie[..., None], backend.halved(p), total)
        return make_real(out, total, tag)
    return bounded


_REGULAR = None                   # np.power's regular branch in x, once made
# _ZERO_BASE: at x = +-0 and a plain exponent y != 0 the row's branch (rules._table's
# _power_at_zero) is ``y x**(y - 1)`` plus terms in ``y - value(y)``, here 0: sqrt(0)
# and sqrt(0 x + 0) with signs, -0.0 or +0.0.  A +0.0 term turns a -0.0 sum into +0.0
# only where ``0 <= y <= 1`` (or y < 0), and there ``y x**(y - 1)`` is 1 or +-inf, no
# zero: so the regular branch alone has the row's bits at a zero base, which
# lean_power takes instead of the row's ~20 lazy_where tests (26.8x the float op
# at N = 10 with one zero; tests/test_lead69.py holds the bits over a grid of y)

# A number's power's exponent y (``u ** 2.5``, ``np.power(u, -1)``) or base c (``2.0 ** u``),
# a float, and y - 1.0, as read-only 0-d float64 arrays: NumPy's calls take one as the
# float64 loop with the scalar broadcast, the loop that a Python or NumPy float takes,
# without converting the scalar in each call (0.56 -> 0.38 us for ``np.power(x, y)`` at N =
# 10; small69).  Bounded: cleared at 64 numbers; a zero (0.0 and -0.0 are one key), an
# infinity or a NaN is made each time.  ``_EXPONENTS[y]`` is the one lookup: a number not
# kept is made by ``__missing__`` (:func:`_exponents`), a kept one read at dict speed.
class _Exponents(dict):
    __slots__ = ()

    def __missing__(self, y):
        return _exponents(y)


_EXPONENTS = _Exponents()


def _exponents(y):
    """``y`` and ``y - 1.0`` (a Python or NumPy float ``y``) as read-only 0-d float64
    arrays, kept in :data:`_EXPONENTS` where ``y`` is finite and not zero."""
    y = float(y)                  # (Python floats' arithmetic: no NumPy scalar's reports)
    pair = _array(y), _array(y - 1.0)
    pair[0].flags.writeable = pair[1].flags.writeable = False
    if y != 0.0 and y - y == 0.0:
        if len(_EXPONENTS) >= 64:
            _EXPONENTS.clear()
        _EXPONENTS[y] = pair
    return pair

# ``u ** 3``'s factor as ``3.0 * (x * x)``: the table's regular branch ``y * x ** (y - 1.0)``
# squares by NumPy's float64 power loop at the scalar exponent 2.0, which from NumPy 2.1
# (numpy PR 26055) computes ``x * x`` itself (``python bench/power_fast_path.py``: no
# element of 2e6, every magnitude, differs), and ``y * s`` is ``s * 3.0`` (IEEE products
# commute).  At ``x == 0`` (either sign) the table's limit branch is ``3 * x ** 2.0 +
# -0.0 + -0.0 = 0.0``, the product's own ``0.0``: no zero test (small50).
_SQUARE_IS_MUL = np.lib.NumpyVersion(np.__version__) >= "2.1.0"


def _regular():
    global _REGULAR
    _REGULAR = regular_branch(_POWER, 0)
    return _REGULAR


def call_ufunc(ufunc, *args):
    """The scalar duals' general entry (``_ufuncs.call_ufunc``), :func:`lean_mixed` first
    for a scalar dual with an array dual (``k * u``), ``_nested.nested`` for nested
    scalar duals (a Hessian's ``d ** 2``, ``np.log(d)``).  A complex scalar result is
    checked by :func:`_turned_complex` where an object array of scalar duals was made
    since its call began (``errors.object_arrays_made``, its cheap half inline: one type
    lookup on a real result, a thread-local read on a complex one; ``1j * p[1]``
    ``python bench/ssfm.py --ops``)."""
    rule = RULES.get(ufunc)
    if rule is not None:
        if len(args) == 2:
            a, b = args
            tb = type(b)
            if type(a) is complex or tb is complex:     # 2j * d: what the general
                result = _ufuncs._with_complex(rule, args, 1 if tb is complex else 0)
                if result is not None:     # entry reaches (lean_mixed, lean_constant
                    if _MADE.scalar_at > result.tag or _ARRAYS:   # and nested take no
                        _turned_complex(ufunc, args, result)    # complex constant)
                    return result
            if type(a) is _ND and a.dtype is _OBJECT or type(b) is _ND and b.dtype is _OBJECT:
                read = read_object(a), read_object(b)       # s * np.array([dx, dy]): read
                if read[0] is not a or read[1] is not b:    # once, then this entry again
                    return call_ufunc(ufunc, *read)         # (object60)
            result = None
            if tb is ArrayDual and rule is not _POWER and (
                    type(b._p) is _Deferred or type(b._p) is _nd and b._p.size >= _LEAN_WORK) \
                    and _FUSING[0]:
                # k * u of a scalar dual and an array dual with deferred or large partials
                # while the fused engine defers: the general entry's _pending_scalar first,
                # where lean_mixed, lean_constant and nested would each decline (and where
                # that entry reads the engine's flag too; 6 Python calls a step of the
                # heat equation's kappa * lap, heat69)
                result = _ufuncs._pending_scalar(rule, a, b)
            if result is None:
                result = lean_mixed(rule, args[0], args[1])
            if result is None:
                result = lean_constant(rule, args[0], args[1])
            if result is not None:
                return result           # (an array dual: no object loop makes one)
        elif len(args) == 1 and type(args[0]) in _COMPLEX_SCALARS:
            # np.exp(z) of a complex scalar dual: where the general entry's nested, small
            # and complex_small decline to (no array, not nested): 9.6 -> 4.8 us (rows62)
            result = _ufuncs._complex_unary(rule, args[0])
            if result is not None:
                return result
        result = nested(rule, args)
        if result is not None:
            if type(result) in _COMPLEX_SCALARS and (_MADE.scalar_at > result.tag or
                                                     _ARRAYS):
                _turned_complex(ufunc, args, result)
            return result
    result = _call_ufunc(ufunc, *args)
    if type(result) in _COMPLEX_SCALARS and (_MADE.scalar_at > result.tag or _ARRAYS):
        _turned_complex(ufunc, args, result)
    return result


def _turned_complex(ufunc, args, result):
    """Refuse a real scalar dual among ``args`` turning into the complex scalar dual
    ``result`` after an object array of the call's scalar duals was made
    (``errors.object_arrays_made``): NumPy's object loop over that array's elements
    (``np.array([x[0], x[1]]) * (1 + 2j)``) runs these same operators without a frame
    of its own, so this cannot be told from plain scalar code, and the loop's result
    would be an object array of complex scalar duals, whose ``.real`` NumPy gives as the
    array itself and ``.imag`` as zeros: silently wrong derivatives (attack44 06).  The
    real operand is what makes it a birth: a complex dual's own operations make none."""
    if errors.object_arrays_made(result.tag) and any(
            isinstance(a, ScalarDual) and not a.complex_kind for a in args):
        raise errors.complex_after_object_array(ufunc, args)

