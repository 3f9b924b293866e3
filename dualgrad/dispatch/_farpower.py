"""``x ** y``'s local derivative times a partial at every level of a nested dual, in
extended range, read from the rule table.

The rule table's spread (:func:`dualgrad.rules._table.spread_product`) takes the
power row's ``c * h**4 * p`` by mantissas and exponents, but on plain numbers only:
one level down the partials of ``y x**(y - 1)`` hold ``x**(y - 2) dx``, which
overflows where the product with a small partial does not (diff65 F4: the jvp of a
jvp of ``u ** k`` at u = k = 1e-310 gave the slope 1.0 where the exact -1e310
overflows, and -inf for -1e-110 at u = 1e-100).  Here each number of a nested dual
(its value, its partials, theirs) is a pair ``(m, e)``, ``m * 2**e`` with ``m`` in
``[0.5, 1)`` (NumPy's ``frexp``), so no product or sum over- or underflows on the
way; a number leaves the pairs once, rounded by ``ldexp`` (an honest inf where it
overflows, the subnormal or 0 where it underflows).

The local derivative is the row's own spread, ``c * h**4`` with ``(c, h)`` the
table's expressions (:attr:`dualgrad.rules._table.Rule.spread`: ``y`` and ``x ** ((y
- 1.0) * 0.25)`` for d/dx of ``x ** y``), evaluated on :class:`_Pairs` (``+ - * /
**`` and ``np.log`` by the rules of dual arithmetic: a product's partial is ``a'b +
ab'``; ``x**q``'s is ``x**q (q' log x + q x' / x)``, a zero partial of ``q`` or ``x``
adding nothing), the newest tag outermost as in :mod:`dualgrad.dual`.  No row's
derivative is written here; what is, is a dual number's own arithmetic (the sum,
product, quotient, power and log rules the pairs' operators apply, as any dual's do,
diff71 F1).  At a negative base ``h`` is taken of the base's magnitude, and the sign
``(-1) ** (y - 1)`` of d/dx is the table's, in its ``c`` (the table's
``_ODD_POWER_SIGN``: ``where``, ``value`` and NumPy's ``floor`` / ``copysign`` /
``real`` on the plain values, :class:`_PairNumPy`).
Plain numbers and NumPy float64 arrays of one shape both serve as the pairs' parts.
"""

import numpy as np

from .. import dual
from ..dual import Dual, partials_array as _partials_array

_NONE = -(1 << 20)      # the exponent of a zero: below any other in a sum
_BIG = 1 << 12          # exponents past this leave float64's range either way


class _Node:
    """A dual of tag ``tag`` whose value and partials are pairs or nodes."""
    __slots__ = ("tag", "value", "parts")

    def __init__(self, tag, value, parts):
        self.tag, self.value, self.parts = tag, value, parts


def _pair(x):
    m, e = np.frexp(x)
    return m, np.where(m == 0.0, _NONE, e).astype(np.int64)


_MINUS_ONE = _pair(-1.0)


def _float(a):
    m, e = a
    return np.ldexp(m, np.clip(e, -_BIG, _BIG))


def _pmul(a, b):
    m, e = _pair(a[0] * b[0])
    return m, np.where(m == 0.0, _NONE, a[1] + b[1] + e)


def _padd(a, b):
    top = np.maximum(a[1], b[1])
    s = np.ldexp(a[0], np.clip(a[1] - top, -_BIG, 0)) + \
        np.ldexp(b[0], np.clip(b[1] - top, -_BIG, 0))
    m, e = _pair(s)
    return m, np.where(m == 0.0, _NONE, top + e)


def _precip(a):
    m, e = _pair(1.0 / a[0])
    return m, np.where(m == 0.0, _NONE, e - a[1])


def _tag(a):
    return a.tag if type(a) is _Node else -1


def _split(a, tag):
    """``a``'s value and partials in ``tag`` (``None``: constant in it)."""
    return (a.value, a.parts) if _tag(a) == tag else (a, None)


def _zero(a):
    if type(a) is _Node:
        return _zero(a.value) and all(_zero(p) for p in a.parts)
    return not np.any(a[0])


def _same(ap, bp):
    if len(ap) != len(bp):
        raise ValueError("partials of one tag in unequal numbers")


def _add(a, b):
    t = max(_tag(a), _tag(b))
    if t < 0:
        return _padd(a, b)
    (av, ap), (bv, bp) = _split(a, t), _split(b, t)
    if ap is None or bp is None:
        return _Node(t, _add(av, bv), ap if bp is None else bp)
    _same(ap, bp)
    return _Node(t, _add(av, bv), [_add(p, q) for p, q in zip(ap, bp)])


def _mul(a, b):
    t = max(_tag(a), _tag(b))
    if t < 0:
        return _pmul(a, b)
    (av, ap), (bv, bp) = _split(a, t), _split(b, t)
    if bp is None:
        return _Node(t, _mul(av, bv), [_mul(p, bv) for p in ap])
    if ap is None:
        return _Node(t, _mul(av, bv), [_mul(av, q) for q in bp])
    _same(ap, bp)
    return _Node(t, _mul(av, bv), [_add(_mul(av, q), _mul(p, bv)) for p, q in zip(ap, bp)])


def _square(a):
    """``a * a``, :func:`_mul`'s numbers in half its products (``a' a + a a'`` is ``2 a
    a'`` exactly: a pair's sum with itself, or its exponent plus one)."""
    if type(a) is not _Node:
        return _pmul(a, a)
    return _Node(a.tag, _square(a.value), [_twice(_mul(a.value, p)) for p in a.parts])


def _twice(a):
    if type(a) is _Node:
        return _Node(a.tag, _twice(a.value), [_twice(p) for p in a.parts])
    return _padd(a, a)


def _recip(a):
    if type(a) is not _Node:
        return _precip(a)
    r = _recip(a.value)
    rr = _mul(r, r)
    return _Node(a.tag, r, [_mul(_mul(p, rr), _MINUS_ONE) for p in a.parts])


def _log(a):
    if type(a) is not _Node:
        return _pair(np.log(_float(a)))
    r = _recip(a.value)
    return _Node(a.tag, _log(a.value), [_mul(p, r) for p in a.parts])


def _neg(a):
    """``-a`` (exact: every mantissa's sign)."""
    if type(a) is _Node:
        return _Node(a.tag, _neg(a.value), [_neg(p) for p in a.parts])
    return -a[0], a[1]


def _pow(x, q):
    """``x ** q`` by the dual rule; a plain level's ``|x| ** q`` (NumPy's, in the float
    range: the table's quarter powers ``h`` are): the sign of a negative base's power
    is the row's ``c``'s (:func:`_local`).  The
    partials read the signed ``x`` (``x' / x`` is that of ``|x|``; ``log x`` is NaN for
    a negative ``x``, NumPy's: no real slope in the exponent there)."""
    t = max(_tag(x), _tag(q))
    if t < 0:
        return _pair(np.power(np.absolute(_float(x)), _float(q)))
    (xv, xp), (qv, qp) = _split(x, t), _split(q, t)
    v = _pow(xv, qv)
    n = len(xp if xp is not None else qp)
    lx = rx = None
    parts = []
    for i in range(n):
        s = None
        if xp is not None and not _zero(xp[i]):
            rx = _recip(xv) if rx is None else rx
            s = _mul(_mul(qv, xp[i]), rx)
        if qp is not None and not _zero(qp[i]):
            lx = _log(xv) if lx is None else lx
            u = _mul(qp[i], lx)
            s = u if s is None else _add(s, u)
        parts.append(_pair(0.0) if s is None else _mul(v, s))
    return _Node(t, v, parts)


def _arg(a):
    if type(a) is _Pairs:
        return a.t
    if type(a) in (float, int, np.float64):
        return _pair(float(a))
    if type(a) is np.ndarray and a.dtype == np.float64:    # (a plain where's, values only)
        return _pair(a)
    raise TypeError(f"dualgrad: the extended-range pairs take numbers and pairs; got "
                    f"{type(a).__name__}")


class _Pairs:
    """A number of the pairs (a pair ``(m, e)`` or a :class:`_Node` of them) under the
    rule table's vocabulary of a spread (``+ - * / **``, ``np.log`` /
    ``np.power`` / ``np.float_power`` through :class:`_PairNumPy`), so the row's
    ``(c, h)`` evaluate in extended range at every level (:func:`spread_pairs`)."""
    __slots__ = ("t",)

    def __init__(self, t):
        self.t = t

    def __add__(self, o):
        return _Pairs(_add(self.t, _arg(o)))

    def __radd__(self, o):
        return _Pairs(_add(_arg(o), self.t))

    def __sub__(self, o):
        return _Pairs(_add(self.t, _neg(_arg(o))))

    def __rsub__(self, o):
        return _Pairs(_add(_arg(o), _neg(self.t)))

    def __mul__(self, o):
        return _Pairs(_mul(self.t, _arg(o)))

    def __rmul__(self, o):
        return _Pairs(_mul(_arg(o), self.t))

    def __truediv__(self, o):
        return _Pairs(_mul(self.t, _recip(_arg(o))))

    def __rtruediv__(self, o):
        return _Pairs(_mul(_arg(o), _recip(self.t)))

    def __pow__(self, o):
        return _Pairs(_pow(self.t, _arg(o)))

    def __rpow__(self, o):
        return _Pairs(_pow(_arg(o), self.t))

    def __neg__(self):
        return _Pairs(_neg(self.t))

    def __pos__(self):
        return self


class _PairNumPy:
    """The ``np`` of a spread's expressions on :class:`_Pairs`."""

    @staticmethod
    def log(a):
        return _Pairs(_log(_arg(a)))

    @staticmethod
    def power(a, b):
        return _Pairs(_pow(_arg(a), _arg(b)))

    float_power = power

    # (on plain values only: a spread's tests of values, the table's _ODD_POWER_SIGN)
    floor, copysign, real = staticmethod(np.floor), staticmethod(np.copysign), \
        staticmethod(np.real)


def _value(a):
    """The table's ``value`` of a :class:`_Pairs` number: its plain level as floats."""
    return _primal(a.t) if type(a) is _Pairs else a


def _where(cond, a, b):
    """The table's ``where`` on plain values (a spread's sign: numbers in each branch)."""
    return np.where(cond, a, b)


_PAIR_NAMESPACE = {"np": _PairNumPy, "value": _value, "where": _where}
_SPREADS = {}


def spread_pairs(rule, k):
    """Argument ``k``'s ``(c, h)`` of ``rule``'s spread (:attr:`Rule.spread
    <dualgrad.rules._table.Rule.spread>`) as functions of :class:`_Pairs` ``(x, y,
    out)``, compiled once; ``None`` where the argument has none."""
    key = (rule, k)                 # (a row's hash is its fields': an edited row its own)
    fns = _SPREADS.get(key)
    if fns is None:
        pair = rule.spread_exprs[k] if rule.spread_exprs else None
        fns = _SPREADS[key] = () if pair is None else \
            tuple(e.function(_PAIR_NAMESPACE) for e in pair)
    return fns or None


def _local(rule, k, tx, ty):
    """Argument ``k``'s local derivative ``c * h**4`` of the power row ``rule`` at the
    pairs ``tx``, ``ty`` (``h**4`` as ``(h h)(h h)``, :func:`_square`; at a negative
    base ``h`` of its magnitude, :func:`_pow`, and the sign ``(-1)**(y - 1)`` the row's
    ``c``'s)."""
    c, h = (g(_Pairs(tx), _Pairs(ty), None).t for g in spread_pairs(rule, k))
    return _mul(c, _square(_square(h)))


def _tree(d, lift=False):
    """The real scalar or array ``d`` (plain or a nested dual) as pairs; ``lift``: an
    array's leaves given a last axis of one (the directions' of a partials array)."""
    if isinstance(d, Dual):
        if d._kind == "slots":
            ps = d._plist()
        else:
            full = _partials_array(d)
            ps = [full[..., j] for j in range(full.shape[-1])]
        return _Node(d.tag, _tree(d.value, lift), [_tree(p, lift) for p in ps])
    d = np.asarray(d)
    if d.dtype != np.float64:
        raise TypeError("not a float64 number")
    return _pair(d[..., None] if lift and d.ndim else d)


def _leaves(t):
    if type(t) is _Node:
        yield from _leaves(t.value)
        for p in t.parts:
            yield from _leaves(p)
    else:
        yield t


def _finite(t):
    """Where every number of the pairs ``t`` is finite (an element mask)."""
    ok = True
    for m, _ in _leaves(t):
        ok = ok & np.isfinite(m)
    return ok


def _primal(t):
    while type(t) is _Node:
        t = t.value
    return _float(t)


_CLOSE = 2.0 ** -40     # an old number this near the pairs' keeps its bits, relative,
_STEPS = 2.0 ** -1074   # or one step of the least subnormal number (see _choose)


def _choose(old, new, ok):
    """The numbers the term takes, and whether any changed: ``old`` where ``ok`` is
    false, where ``new`` is NaN, where ``old`` is the pairs' ``new`` to 2**-40 relative
    or one step of the least subnormal number, else ``new`` (a product or sum of the
    dual arithmetic over- or underflowed on the way).  The pairs' number rounds once
    into the subnormal range (half a step) after errors up to ~|log x| eps relative
    (``y - 1.0``'s rounding in ``x**(y - 1)``: 1e-13 at x = 1e-310): an old number
    past the room is the farther of the two.  Four steps were kept: 0.0 for 1.84e-323,
    the slope of ``u ** 3`` at 6e-179 times 1.7e33 (diff67 F5)."""
    n = _float(new)
    o = np.asarray(old, dtype=np.float64)
    keep = ~ok | (n != n) | (o == n) | np.isfinite(n) & \
        (np.absolute(o - n) <= _CLOSE * np.absolute(n) + _STEPS)
    if np.all(keep):
        return old, False
    r = np.where(keep, o, n)
    return (float(r) if type(old) in (float, np.float64) else r), True


def _zero_like(v):
    while isinstance(v, Dual):
        v = v.value
    return np.zeros_like(v) if type(v) is np.ndarray else 0.0


def _merge(old, new, ok):
    """The term ``old`` (as dual arithmetic built it) with its numbers chosen by
    :func:`_choose` against the pairs' ``new``, and whether any changed; levels either
    lacks are constant there (zero partials)."""
    to, tn = old.tag if isinstance(old, Dual) else -1, _tag(new)
    if to < 0 and tn < 0:
        return _choose(old, new, ok)
    t = max(to, tn)
    if to == t:
        ov = old.value
        if old._kind == "slots":
            op = old._plist()
        else:
            full = _partials_array(old)
            op = [full[..., j] for j in range(full.shape[-1])]
    else:
        ov, op = old, None
    nv, np_ = (new.value, new.parts) if tn == t else (new, None)
    n = len(op) if op is not None else len(np_)
    if op is None:
        op = [_zero_like(ov)] * n
    if np_ is None:
        np_ = [_pair(0.0)] * n
    _same(op, np_)
    value, changed = _merge(ov, nv, ok)
    parts = []
    for p, q in zip(op, np_):
        p, c = _merge(p, q, ok)
        parts.append(p)
        changed = changed or c
    if not changed and to == t:
        return old, False
    if type(value) is np.ndarray:
        if any(isinstance(p, Dual) for p in parts):
            raise ValueError("a third level of an array")
        return dual.make_array(value, np.stack(np.broadcast_arrays(*parts), axis=-1), t), True
    return dual.make_scalar(value, parts, t), True


def power_terms(rule, k, values, ps, terms, lift=False):
    """``terms``, argument ``k``'s ``f * p`` of ``x ** y`` (``rule``: the power row,
    ``np.power`` or ``np.float_power``) for each partial ``p`` of ``ps`` (``values`` ``x,
    y``: real numbers, float64 arrays or nested duals of them), with each number that
    is not the extended-range product's to a few ulps replaced by it (the row's spread
    ``c * h**4`` times ``p`` in pairs, :func:`_local`: ``y x**(y - 1) p`` for ``k`` 0,
    ``log(x) x**y p`` for 1): where the inputs are
    finite, ``x`` nonzero and ``y``'s value nonzero (the row's own branches; an exponent
    of value 0 with partials too: ``y x**(y - 1)``'s own are ``dy / x``, which underflow
    beside ``dx ~ x``, attack68 F2) and ``x`` positive, or
    for ``k`` 0 negative beside an integer ``y`` below 2**53 (``out`` is NaN for
    another: no finite slope there, though ``y - 1.0`` may round to an integer; past
    2**53 ``y - 1.0`` rounds to the wrong parity: the sign of ``x**(y - 1)``).
    ``lift``: ``ps`` and ``terms`` are partials arrays, the values' shape plus the
    directions' axis.  ``terms`` unchanged where the structures disagree
    (partials of one tag in unequal numbers, an array three levels deep)."""
    with np.errstate(all="ignore"):
        try:
            tx, ty = (_tree(v, lift) for v in values)
            tps = [_tree(p) for p in ps]
            x0, y0 = _primal(tx), _primal(ty)
            # an exponent of value 0 whose partials are not (nested): d/dx's factor's
            # own value is an exact 0, its partials ``dy / x`` may underflow beside ``dx
            # ~ x`` (attack68 F2); d/dy's factor ``log(x) x**y`` has a partial -dx**2 /
            # x**2 whose 1 / x**2 leaves the range (-inf for -1e10 at x = 1e-305, dx =
            # 1e-300); a plain y = 0 leaves nothing to mend
            zero_y = type(ty) is _Node
            ok = _finite(tx) & _finite(ty) & (x0 != 0.0) & ((y0 != 0.0) | zero_y) & \
                ((x0 > 0.0) | (k == 0) & (y0 == np.floor(y0)) & (np.absolute(y0) < 2.0 ** 53))
            if not np.any(ok):
                return terms
            f = _local(rule, k, tx, ty)
            new = [_merge(t, _mul(f, q), ok & _finite(q)) for t, q in zip(terms, tps)]
        except (TypeError, ValueError):
            return terms
    return [t for t, _ in new] if any(c for _, c in new) else terms
