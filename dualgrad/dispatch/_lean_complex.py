"""Complex small-array operations in one generated function per rule (issue 13, complex68).

:func:`._ufuncs.complex_small` serves a smooth rule on array duals holding complex128
values (a magnetotelluric impedance recursion's ``zo * (1 - R * e) / (1 + R * e)``,
Mie's ``(da * px - p1x) / (da * gsx - gs1x)``, a split-step solver's ``G * fft(u)``)
by a scan of its arguments, the table's derivative functions called one by one,
``backend.combine_complex`` and ``dual.make_array``: ~4 us of Python around ~3-5 us
of NumPy at 26 elements and 8 directions.  :func:`lean_complex` writes that path out
for one rule, as ``_ufuncs.lean`` does for float64 values (``_lean_source``): the
checks, the value, the table's expressions inlined as NumPy source (``y`` and ``x``
for ``a * b``, ``1.0 / y`` and ``-out / y`` for ``a / b``), the same finiteness tests
and products, NumPy's reports hushed as ``_ufuncs._hushed`` writes it.

The cases, each one :func:`._ufuncs.complex_small` takes: two array duals of one live
tag, values of one shape (at least one axis) and partials complex128 or float64, one
of them complex partials (``zo * R``; Mie's ``D / m + n / x``, a complex dual beside a
real one); an array dual beside a Python ``int``, ``float`` or ``complex`` or a NumPy
``float64`` or ``complex128`` (``1 - R * e``, ``2 * gamma``); and, read by
``complex_small``'s own loop, a scalar dual of plain numbers beside a complex128 or
float64 ndarray or an array dual (``1j * w * mu_0 * rho[j]`` of a frequency grid),
and an ndarray beside an array dual.  The rule: smooth, not a selection, no tangent
(``np.abs``), every argument differentiable, its table constants +-1 (``a + b``,
``a - b``, ``-a``), not a row of ``regular_branch``'s form (``np.power``) nor with a
real-argument guard.  Anything else answers ``None`` having computed nothing, and
``complex_small`` runs as before.

The same bits: the value is NumPy's ufunc on the same operands, read as
``complex_small`` reads them; each factor is the table's expression as
``derivative_functions`` compiles it (the same source, the same spelling of
``where``); each term is ``combine_complex``'s (``f[..., None] * p`` after the same
``np.add.reduce`` finiteness test, ``backend.complex_term`` for a NumPy scalar or a
factor that fails it; ``p + q``, ``p - q``, ``p.copy()``, ``-p`` for the constants),
summed in the same order; a quotient row's factors get ``complex_small``'s underflow
test (:func:`._ufuncs._complex_lost`) after a cheaper necessary one (no modulus below
``2 * TINY``, NumPy's ``np.absolute``).  Where ``complex_small`` would not reach
``combine_complex`` (no factor or partials complex: ``backend.combine``) or would
combine again (a scalar's row whose product is not of the value's shape), and where a
test fails (a factor that is not finite, an underflowed quotient factor),
``complex_small`` takes over from the value on (``out=``), which is what it computed
before.  ``python bench/complex_lean_bits.py --compare OTHER`` checks it case by case.
"""

import cmath

import numpy as np

from .. import backend, dual
from ..dual import LIVE as _LIVE
from ..rules._table import _NAMESPACE, _REAL_ARGUMENTS, TINY, regular_branch
from . import _ufuncs
from ._ufuncs import _LAZY_SPELLING, _complex_lost, _hushed, _integer_only

__all__ = ["lean_complex"]

_C128 = np.dtype(np.complex128)
_LOW = 2.0 * TINY       # np.absolute's modulus at least this: Python's abs is >= TINY

# What the generated functions see besides the table's names (_NAMESPACE).
_COMPLEX_NAMESPACE = {
    "_AD": dual.ArrayDual, "_nd": np.ndarray, "_C": _C128, "_LIVE": _LIVE,
    "_f64": np.float64, "_c128": np.complex128, "_sum": np.add.reduce, "_fin": cmath.isfinite,
    "_min": np.minimum.reduce, "_abs": np.absolute, "_LOW": _LOW,
    "_term": backend.complex_term, "_lost": _complex_lost, "_new": object.__new__,
    "_F": np.dtype(np.float64), "_pa": dual.partials_array,
    "_NUMBERS": frozenset({int, float, complex, np.float64, np.complex128}),
    "_hush": _ufuncs._hush, "_unhush": _ufuncs._unhush, "_HL": _ufuncs._LAST}
if _ufuncs._errstate is not None:
    _COMPLEX_NAMESPACE.update(_eget=_ufuncs._errstate.get, _eset=_ufuncs._errstate.set,
                              _ereset=_ufuncs._errstate.reset)

_MISS = object()
MADE = _ufuncs._COMPLEX_LEAN    # ufunc -> its function, or None (not this path's rule)


def lean_complex(rule):
    """The generated function of ``rule`` for complex small-array duals (made on first
    use and kept in :data:`MADE`), or ``None`` for a rule it does not cover.

    Parameters
    ----------
    rule : dualgrad.rules._table.Rule
        A row of the rule table.

    Returns
    -------
    callable or None
        ``op(a)`` or ``op(a, b)`` (the ufunc's arguments as given): the result dual,
        or ``None`` having computed nothing where the case does not hold (module
        docstring); ``None`` where ``rule`` has no such function.
    """
    made = MADE.get(rule.ufunc, _MISS)
    if made is _MISS:
        made = MADE[rule.ufunc] = _made(rule)
    return made


def _made(rule):
    """:func:`lean_complex`'s function for ``rule``, compiled from :func:`_source`."""
    ufunc = rule.ufunc
    if rule.kind != "smooth" or rule.select or rule.tangent or ufunc.nout != 1 or \
            not 0 < ufunc.nin <= 2 or len(rule.exprs) != ufunc.nin or \
            any(e is None for e in rule.exprs) or rule.name in _REAL_ARGUMENTS or \
            ufunc.nin == 2 and regular_branch(rule, 0) is not None:
        return None
    consts = [None if e.constant is None else float(e.constant) for e in rule.exprs]
    if any(c is not None and c not in (1.0, -1.0) for c in consts):
        return None                     # (combine_complex leaves those to combine)
    name = f"_complex_{rule.name}"
    source = _source(rule, name, consts)
    namespace = dict(_COMPLEX_NAMESPACE)
    namespace.update(_NAMESPACE)        # the names the table's sources use
    namespace.update(_U=ufunc, _R=rule, _cs=_ufuncs.complex_small, _call=_ufuncs.call,
                     __name__=__name__)     # (an error NumPy raises in it: dualgrad's own
    #                                         frame, as complex_small's, errors._frames)
    exec(compile(source, f"<dualgrad complex lean path, np.{rule.name}>", "exec"),  # noqa: S102
         namespace)
    return namespace[name]


def _term_lines(rule, k, consts, p):
    """Lines computing argument ``k``'s term ``_tk`` (``None`` where its factor is not
    finite) from its partials ``p``, as ``combine_complex`` computes one term: a
    constant's ``p.copy()`` / ``-p``, else the factor ``_fk`` (the table's expression)
    and its product (``complex_term``'s, its test written out for an array)."""
    c = consts[k]
    if c is not None:
        return [f"_t{k} = {p}.copy()" if c == 1.0 else f"_t{k} = -{p}"]
    return [f"_f{k} = {rule.exprs[k].source(_LAZY_SPELLING)}",
            f"_t{k} = _f{k}[..., None] * {p} if type(_f{k}) is _nd and _f{k}.ndim and "
            f"_fin(_sum(_f{k}, axis=None)) else _term(_f{k}, {p})"]


def _complex_factor(k):
    """Source: is the factor ``_fk`` complex (``_complex_partials``' test: a NumPy
    complex scalar or a complex128 ndarray)?"""
    return f"(type(_f{k}) is _c128 or type(_f{k}) is _nd and _f{k}.dtype is _C)"


def _lost_test(rule, ks):
    """The condition (source) under which a quotient row's term must be taken again by
    ``complex_small`` (``_complex_lost`` of a factor of ``ks``), or ``None``: a modulus
    below ``2 * TINY`` first (NumPy's, one pass), which any modulus below ``TINY`` by
    Python's ``abs`` (``_complex_lost``'s) also is."""
    if not rule.quotient:
        return None
    args = "(x, out)" if rule.ufunc.nin == 1 else "(x, y, out)"
    tests = [f"(_min(_abs(_f{k}), axis=None) < _LOW and _lost(_R, _f{k}, {k}, {args}))"
             for k in ks if rule.quotient_exprs[k] is not None]
    return " or ".join(tests) if tests else None


def _body(rule, ks, consts, args, partials, gate=False, shape=False):
    """The statements after the value: the terms of the duals at ``ks`` (partials named
    ``partials``) hushed, then the result, or ``complex_small`` from the value on.
    ``gate``: test that a factor or the partials are complex (else ``complex_small``
    leaves the sum to ``backend.combine``); ``shape``: test that the partials have the
    value's shape and the directions (a scalar dual's row times a number does not)."""
    if len(ks) == 2 and consts[0] is not None and consts[1] is not None:
        lines = [f"_t = _p {'+' if consts[1] == 1.0 else '-'} _q"]        # a + b, a - b
    else:
        lines = []
        for k, p in zip(ks, partials):
            lines += _term_lines(rule, k, consts, p)
        if len(ks) == 2:
            lines.append("_t = None if _t0 is None or _t1 is None else _t0 + _t1")
        else:
            lines.append(f"_t = _t{ks[0]}")
        lost = _lost_test(rule, ks)
        if lost is not None:
            lines.append(f"if _t is not None and ({lost}): _t = None")
    tests = []
    if gate:
        tests.append(" or ".join([f"{p}.dtype is _C" for p in partials] +
                                 [_complex_factor(k) for k in ks if consts[k] is None]))
    if shape:
        tests.append(f"_t.shape == out.shape + {partials[0]}.shape[-1:]")
    check = ["if _t is not None and not (" + " and ".join(f"({t})" for t in tests) +
             "): _t = None"] if tests else []
    return [*_hushed(lines + check, 4),
            "    if _t is None:                 # not finite, an underflowed quotient, ...",
            f"        return _cs(_R, {args}, out)",
            "    _r = _new(_AD)",
            "    _r.value = out",
            "    _r._p = _t",
            "    _r.tag = _tag",
            "    _r._c = None",
            "    return _r"]


_PLAIN = ("type({0}) is not _nd or type({1}) is not _nd or {0}.dtype is not _C and "
          "{0}.dtype is not _F or {1}.dtype is not _C and {1}.dtype is not _F")


def _number(rule, k, a, v):
    """Lines reading the number ``a`` (argument ``k``) into ``v`` as ``complex_small``
    reads it (an ``int`` as ``_promoted`` makes it: float64 but for an integer-only
    argument, left to ``complex_small``); ``_h`` is its type, one of :data:`_NUMBERS`."""
    return [f"if _h is _f64 or _h is _c128: {v} = {a}",
            f"elif _h is float: {v} = _f64({a})",
            f"elif _h is complex: {v} = _c128({a})",
            "else: return None" if _integer_only(rule, k) else f"else: {v} = _f64({a})"]


def _operand(rule, k, a, v, p):
    """Lines of the general branch reading argument ``k`` (``a``) into the value ``v``
    and the partials ``p`` (``None`` for a constant) as ``complex_small``'s loop reads
    it, ``_sh`` the array dual's shape and ``_y`` whether an ndarray of an axis or more
    was met; ``return None`` for anything else (deferred or nested partials, other
    types)."""
    return [
        f"_h = type({a})",
        "if _h is _AD:",
        f"    {v} = {a}.value",
        f"    {p} = {a}._p",
        f"    if {_PLAIN.format(v, p)}: return None",
        f"    if _sh is None: _sh = {v}.shape",
        f"    elif {v}.shape != _sh: return None",
        "elif _h in _NUMBERS:",
        f"    {p} = None",
        *("    " + line for line in _number(rule, k, a, v)),
        "elif _h is _nd:",
        f"    if {a}.dtype is not _C and {a}.dtype is not _F: return None",
        f"    {v} = {a}",
        f"    {p} = None",
        f"    _y = _y or {a}.ndim > 0",
        "elif getattr(_h, '_kind', None) == 'slots':      # a scalar dual: its partials a row",
        f"    {v} = {a}.value",
        f"    if type({v}) is float: {v} = _f64({v})",
        f"    elif type({v}) is complex: {v} = _c128({v})",
        "    else: return None",
        f"    {p} = _pa({a})",
        f"    if type({p}) is not _nd or {p}.dtype is not _C and {p}.dtype is not _F: return None",
        "else:",
        "    return None"]


def _indent(lines, pad):
    return [" " * pad + line for line in lines]


def _source(rule, name, consts):
    """The source of :func:`lean_complex`'s function for ``rule``."""
    if rule.ufunc.nin == 1:
        return "\n".join([
            f"def {name}(_a):",
            "    if type(_a) is not _AD:",
            "        return None",
            "    x = _a.value",
            "    _p = _a._p",
            "    _tag = _a.tag",
            "    if type(x) is not _nd or type(_p) is not _nd or x.dtype is not _C or "
            "_p.dtype is not _C or not x.ndim or _tag not in _LIVE:",
            "        return None",
            "    out = _U(x)",
            "    if type(out) is not _nd or out.dtype is not _C:",
            "        return _call(_R, (_a,), out)",
            *_body(rule, (0,), consts, "(_a,)", ("_p",))]) + "\n"
    pair = consts[0] is None and consts[1] is None or \
        consts[0] is not None and consts[1] is not None   # (a constant beside a factor:
    value = ["out = _U(x, y)",                              # combine's, not this path's)
             "if type(out) is not _nd or out.dtype is not _C:",
             "    return _call(_R, (_a, _b), out)"]
    lines = [f"def {name}(_a, _b):",
             "    _ta = type(_a)",
             "    _tb = type(_b)",
             # two array duals (complex128 or float64 values and partials, one of them
             # complex partials): the commonest case first
             "    if _ta is _AD and _tb is _AD:"]
    if pair:
        lines += _indent([
            "x = _a.value",
            "_p = _a._p",
            "y = _b.value",
            "_q = _b._p",
            "_tag = _a.tag",
            f"if {_PLAIN.format('x', '_p')} or {_PLAIN.format('y', '_q')} or "
            "_p.dtype is not _C and _q.dtype is not _C or not x.ndim or "
            "y.shape != x.shape or _q.shape[-1] != _p.shape[-1] or _b.tag != _tag or "
            "_tag not in _LIVE:",
            "    return None",
            *value], 8)
        lines += _indent(_body(rule, (0, 1), consts, "(_a, _b)", ("_p", "_q")), 4)
    else:
        lines += ["        return None"]
    for k, (d, c, v, w) in enumerate((("_a", "_b", "x", "y"), ("_b", "_a", "y", "x"))):
        lines += [f"    if {'_ta' if k == 0 else '_tb'} is _AD and "
                  f"{'_tb' if k == 0 else '_ta'} in _NUMBERS:    # an array dual and a number",
                  *_indent([
                      f"{v} = {d}.value",
                      f"_p = {d}._p",
                      f"_tag = {d}.tag",
                      f"if {_PLAIN.format(v, '_p')} or not {v}.ndim or _tag not in _LIVE:",
                      "    return None",
                      f"_h = type({c})",
                      *_number(rule, 1 - k, c, w),
                      *value], 8),
                  *_indent(_body(rule, (k,), consts, "(_a, _b)", ("_p",),
                                 gate=True), 4)]
    # the rest as complex_small's loop reads it: a scalar dual beside a complex ndarray
    # (1j * w * s of a frequency grid) or an array dual, an ndarray beside an array dual
    lines += ["    _sh = None",
              "    _y = False",
              *_indent(_operand(rule, 0, "_a", "x", "_p"), 4),
              *_indent(_operand(rule, 1, "_b", "y", "_q"), 4),
              "    if _p is None:",
              "        if _q is None:",
              "            return None",
              "        _tag = _b.tag",
              *_indent(_general(rule, 1, consts, "_q"), 8),
              "    _tag = _a.tag",
              "    if _q is None:",
              *_indent(_general(rule, 0, consts, "_p"), 8),
              "    if _b.tag != _tag or _q.shape[-1] != _p.shape[-1]:",
              "        return None"]
    if pair:
        lines += _indent(_general(rule, None, consts, None), 4)
    else:
        lines += ["    return None"]
    return "\n".join(lines) + "\n"


def _general(rule, k, consts, p):
    """The general branch's lines past the reading for the dual at ``k`` (``None``: two
    duals, ``_p`` and ``_q``) named ``p``: complex_small's tests, the value, the body."""
    ks, partials = ((0, 1), ("_p", "_q")) if k is None else ((k,), (p,))
    lines = ["if not (_sh or _y) or _tag not in _LIVE:",
             "    return None"]
    if k is not None and consts[k] is not None:
        lines += [f"if _sh is None or {p}.dtype is not _C: return None"]  # (a row's copy: combine's)
    lines += ["out = _U(x, y)",
              "if type(out) is not _nd or out.dtype is not _C or not out.ndim or "
              "_sh is not None and out.shape != _sh:",
              "    return _call(_R, (_a, _b), out)"]
    return lines + [line[4:] for line in
                    _body(rule, ks, consts, "(_a, _b)", partials, gate=True, shape=True)]
