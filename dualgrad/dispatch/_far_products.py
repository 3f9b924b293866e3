"""Products of nested duals whose partial products could leave the float range one level
down (cumprod70: ``dg.hessian`` / ``dg.jacfwd(dg.jacfwd(...))`` of ``np.prod`` and
``np.cumprod``).

A product of factors ``x_k`` that are nested duals is a polynomial in the directions of
every level, each level's directions squaring to 0: its coefficient for a set of levels
``K`` (one direction of each) is a sum of products of one coefficient of each factor,
the sets of the factors' coefficients splitting ``K``.  The dual products that form
np.prod's ``others * partials`` and np.cumprod's running products take those products
through partial products one level down (``x2 x3`` of ``[inf, 1e200, 5e-324, -0.5]``
underflows to -0 before the times 1e200), so a coefficient that is a float can come
out 0, inf or NaN.

:func:`in_range` bounds every product those steps can form from the factors' exponents
(each value row's least and greatest subset products, times at most one partial a
level, with room for the sums); where it holds, the dual products stay in range and
the callers keep them (their bits).  Elsewhere :func:`prod_partials` and
:func:`cumprod_partials` take the same products on coefficients held as ``(mantissa,
exponent)`` pairs, each coefficient with its own exponent at every level (scaling a
factor's partials by its value's exponent overflows for a subnormal factor's seed), so
no product leaves the range: each is the exact one to a few roundings, rounded once to
a float.  A term with a partial coefficient that is exactly 0 is 0 whatever the other
coefficients (an inf or NaN value), as the dual product's rule gives it (``x[0] * x[1]
* x[2]`` of ``[nan, 2, 3]``: gradient ``[6, nan, nan]``); a value 0 times an inf value
is NaN.  Complex coefficients scale by their modulus' exponent (norm-wise).
"""

import numpy as np

from ..dual import Dual, make

__all__ = ["nested", "coefficients", "in_range", "prod_partials", "cumprod_partials", "frexp",
           "ldexp"]

_NO_EXPONENT = np.int64(-(1 << 40))     # a zero coefficient's: below every other
_LIMIT = 1020                           # |log2| of every product the dual steps may form
_MAGNITUDE = np.int64(0x7FFFFFFFFFFFFFFF)  # a float64's bits less its sign
_INF_BITS = 0x7FF0000000000000


def nested(a):
    """Is ``a`` a dual with a dual one level down (its value or its partials)?"""
    return isinstance(a.value, Dual) or isinstance(getattr(a, "_p", None), Dual)


def coefficients(d):
    """``{levels: array}`` of a nested dual ``d``: ``levels`` a tuple of tags, outermost
    first, each level's direction axis after the value's axes in that order (``()``:
    the plain values); ``None`` where a leaf is not a float or complex ndarray or the
    tags do not decrease inward."""
    if not isinstance(d, Dual):
        if type(d) is not np.ndarray or d.dtype.kind not in "fc":
            return None
        return {(): d}
    inner = coefficients(d.value)
    below = coefficients(d.partials)
    if inner is None or below is None:
        return None
    for k, arr in below.items():
        if k and k[0] >= d.tag:
            return None
        inner[(d.tag,) + k] = arr
    for k in inner:
        if k and k[0] > d.tag:
            return None
    return inner


def in_range(coef, ax):
    """Do the dual products of :func:`prod` / :func:`cumprod` along ``ax`` stay in the
    float range at every level, for factors of coefficients ``coef``?

    Read from the exponent fields ``F`` (integer passes, no ``where=`` reductions): a
    nonzero ``|v|`` lies in ``[2**(F - 1023), 2**(F - 1022))`` (a subnormal's bound
    fails the test), so a product of a row's values lies between ``2**sum(min(F - 1023,
    0))`` and ``2**sum(max(F - 1022, 0))`` (zeros left out: they make 0); a
    coefficient's term takes at most one partial coefficient a level (each within the
    least and greatest nonzero partial's bounds), and a coefficient sums at most ``(2
    N)**depth`` terms.  Every number finite.  The bounds of all values at once first
    (``N`` times the greatest and least): the rows' sums only where those are loose."""
    v = coef[()]
    if not v.size:
        return True
    depth = len({t for k in coef for t in k})
    hi = lo = 0
    for k, arr in coef.items():
        if k and arr.size:
            bounds = _fields(arr)
            if bounds is None:
                return False
            hi, lo = max(hi, bounds[0]), min(lo, bounds[1])
    w = np.abs(v) if v.dtype.kind == "c" else v
    bounds = _fields(w)
    if bounds is None:
        return False
    room = depth * (v.shape[ax].bit_length() + 2) + 4
    length = v.shape[ax]
    if length * bounds[0] + depth * hi + room <= _LIMIT and \
            length * bounds[1] + depth * lo >= -_LIMIT:
        return True                     # every value's bounds, so every row's
    field = w.view(np.int64) >> 52 & 0x7FF
    up = np.maximum(field - 1022, 0).sum(axis=ax)
    down = np.minimum(field - 1023, 0)
    down[w == 0.0] = 0
    return int(up.max()) + depth * hi + room <= _LIMIT and \
        int(down.sum(axis=ax).min()) + depth * lo >= -_LIMIT


def _fields(arr):
    """``(max(F - 1022, 0), min(F' - 1023, 0))`` of the real or complex float64 ``arr``
    (``F`` the greatest exponent field of its parts, ``F'`` the least of the nonzero
    ones; 0, 0 where all are 0), or ``None`` where one is inf or NaN."""
    hi = lo = 0
    for part in ((arr.real, arr.imag) if arr.dtype.kind == "c" else (arr,)):
        u = part.view(np.int64) & _MAGNITUDE
        top = int(u.max())
        if top >= _INF_BITS:
            return None
        if top:
            u -= 1                              # 0 -> the largest unsigned number
            least = int(u.view(np.uint64).min()) + 1
            hi = max(hi, (top >> 52) - 1022)
            lo = min(lo, (least >> 52) - 1023)
    return hi, lo


# ---- coefficients as (mantissa, exponent) pairs --------------------------------------

def frexp(z):
    """``z = m * 2**e``, ``|m|`` in [0.5, 1) (0, inf, NaN: themselves), ``e`` int64."""
    if z.dtype.kind != "c":
        m, e = np.frexp(z)
        return m, e.astype(np.int64)
    e = np.frexp(np.abs(z))[1].astype(np.int64)
    return ldexp(z, -e), e


def ldexp(z, e):
    """``z * 2**e`` (one rounding where subnormal), real or complex."""
    e = np.clip(e, -2200, 2200)
    if z.dtype.kind != "c":
        return np.ldexp(z, e)
    out = np.empty(np.broadcast_shapes(z.shape, np.shape(e)), dtype=z.dtype)
    out.real = np.ldexp(z.real, e)
    out.imag = np.ldexp(z.imag, e)
    return out


def _add(x, y):
    """``xm 2**xe + ym 2**ye``, rounded once, as a pair (and the structural zeros of
    both)."""
    (xm, xe, xz), (ym, ye, yz) = x, y
    xe = np.where(xm == 0.0, _NO_EXPONENT, xe)
    ye = np.where(ym == 0.0, _NO_EXPONENT, ye)
    e = np.maximum(xe, ye)
    m, k = frexp(ldexp(xm, xe - e) + ldexp(ym, ye - e))
    return m, np.where(m == 0.0, 0, e + k), None if xz is None or yz is None else xz & yz


def _spread(arr, k, key):
    """A coefficient's array of levels ``k`` with a unit axis for each level of ``key``
    not in ``k`` (``k`` is a subsequence of ``key``)."""
    if arr is None:
        return None
    lead = arr.shape[:arr.ndim - len(k)]
    return arr.reshape(lead + tuple(arr.shape[len(lead) + k.index(t)] if t in k else 1
                                    for t in key))


def _times(x, y):
    """The product of two scaled jets (``{levels: (m, e, z)}``, ``z`` where the
    coefficient is a structural 0: each of its terms holds a factor's partial
    coefficient that is exactly 0; ``None``: nowhere): each pair of coefficients of
    disjoint levels, summed into the coefficient of their union.  A term with a
    structural 0 is 0 whatever the other (inf, NaN)."""
    out = {}
    for kx, px in x.items():
        for ky, py in y.items():
            if set(kx) & set(ky):
                continue
            key = tuple(sorted(kx + ky, reverse=True))
            xm, xe, xz = (_spread(a, kx, key) for a in px)
            ym, ye, yz = (_spread(a, ky, key) for a in py)
            z = xz if yz is None else yz if xz is None else xz | yz
            with np.errstate(invalid="ignore", over="ignore", under="ignore"):
                m = xm * ym
                if z is not None:
                    nan = m != m
                    if nan.any():
                        m = np.where(nan & z, 0.0, m)
                m, k = frexp(m)
            term = (m, xe + ye + k, z)
            out[key] = _add(out[key], term) if key in out else term
    return out


def _scaled(coef, ax):
    """``coef`` as pairs and structural zeros, the axis ``ax`` first."""
    out = {}
    for k, arr in coef.items():
        arr = np.moveaxis(arr, ax, 0)
        out[k] = frexp(arr) + ((arr == 0.0) if k else None,)
    return out


def _part(x, index):
    """The coefficients of ``x`` at ``index`` of the first axis."""
    return {k: tuple(None if a is None else a[index] for a in c) for k, c in x.items()}


def _join(x, y):
    """``x`` then ``y`` along the first axis, a level missing from one a structural 0
    there."""
    out = {}
    for k in x.keys() | y.keys():
        ref = x.get(k, y.get(k))[0]
        parts = []
        for z in (x, y):
            if k in z:
                m, e, zero = z[k]
                parts.append((m, e, np.zeros(m.shape, bool) if zero is None else zero))
            else:
                rows = next(iter(z.values()))[0].shape[0]
                shape = (rows,) + ref.shape[1:]
                parts.append((np.zeros(shape, ref.dtype), np.zeros(shape, np.int64),
                              np.ones(shape, bool)))
        m, e, zero = (np.concatenate([a, b]) for a, b in zip(*parts))
        out[k] = (m, e, zero if k else None)
    return out


def _top_partials(x, tag, ax):
    """The partials of level ``tag`` (outermost) of scaled coefficients ``x`` as a dual
    of the levels below (every level of ``x`` at every level: 0 where missing), the
    first axis moved back to ``ax`` (``ax`` None: reduced)."""
    coef = {}
    for k, (m, e, _) in x.items():
        if k and k[0] == tag:
            arr = ldexp(m, e)
            coef[k[1:]] = arr if ax is None else np.moveaxis(arr, 0, ax)
    tags = sorted({t for k in x for t in k if t != tag}, reverse=True)
    return _build(coef, tags)


def _build(coef, tags):
    """The dual of levels ``tags`` (outermost first) whose coefficients are ``coef``
    (``{levels: array}``; a missing one 0)."""
    ref_k, ref = next(iter(coef.items()))
    lead = ref.shape[:ref.ndim - len(ref_k)]
    dims = {t: ref.shape[len(lead) + i] for i, t in enumerate(ref_k)}
    for k, arr in coef.items():
        dims.update({t: arr.shape[arr.ndim - len(k) + i] for i, t in enumerate(k)})

    def zeros(k):
        return np.zeros(lead + tuple(dims[t] for t in k), ref.dtype)

    def walk(levels, prefix):
        if not levels:
            return coef[prefix] if prefix in coef else zeros(prefix)
        t = levels[0]
        value = walk(levels[1:], prefix)
        partials = walk(levels[1:], prefix + (t,))
        return make(value, partials, t)
    return walk(tags, ())


def prod_partials(coef, tag, ax):
    """np.prod's partials of level ``tag`` along ``ax`` of factors of coefficients
    ``coef`` (:func:`coefficients`): pairwise products on scaled pairs."""
    x = _scaled(coef, ax)
    while True:
        n = next(iter(x.values()))[0].shape[0]
        if n == 1:
            break
        h = n // 2
        y = _times(_part(x, slice(h, 2 * h)), _part(x, slice(0, h)))
        x = _join(y, _part(x, slice(2 * h, None))) if n % 2 else y
    return _top_partials(_part(x, 0), tag, None)


def cumprod_partials(coef, tag, ax):
    """np.cumprod's partials of level ``tag`` along ``ax``: running products by doubling
    (after the pass with offset d each element holds the product of the 2d before it
    and itself) on scaled pairs."""
    x = _scaled(coef, ax)
    length = next(iter(x.values()))[0].shape[0]
    d = 1
    while d < length:
        x = _join(_part(x, slice(None, d)),
                  _times(_part(x, slice(d, None)), _part(x, slice(None, -d))))
        d *= 2
    return _top_partials(x, tag, ax)
