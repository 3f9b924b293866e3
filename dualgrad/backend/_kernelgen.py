"""Writes :mod:`dualgrad.backend._rule_kernels` from the rule table.

A unary or binary rule whose local derivatives are plain arithmetic on ``x``,
``y`` and ``out`` (``2.0 * x`` for ``square``, ``1.0 / (1.0 + x)`` for
``log1p``, ``1.0 / y`` and ``-out / y`` for division) gets numba kernels that
evaluate those expressions element by element and multiply them into the
partials in the same loop: one pass over memory and no temporaries, where NumPy
needs a pass and a temporary per operator of each expression and one more for
the product.  The expression source is the table's own, as
:mod:`dualgrad.rules._expr` reads and writes it back, so both paths compute the
same IEEE operations in the same order.  Expressions that call a transcendental
(``np.cos(x)`` for ``sin``) stay with NumPy, whose SIMD functions are faster than
numba's and would not round the same on every machine.

The kernels live in a real source file so that numba's on-disk cache serves
them; ``tests/test_kernels.py`` checks that the file matches this generator.
Regenerate it after changing the table::

    python -m dualgrad.backend._kernelgen
"""

from pathlib import Path

import numpy as np

from ..rules._expr import Expr
from ..rules._table import _TABLE, RULES, entry_form, regular_form, rule_for

__all__ = ["PATH", "REGULAR_PATH", "EXACT", "fusable", "value_loops_entry", "source", "regular_source"]

PATH = Path(__file__).with_name("_rule_kernels.py")
REGULAR_PATH = Path(__file__).with_name("_regular_kernels.py")

_ARGS = ("x", "y")

# Rules whose VALUE a kernel computes to NumPy's bits (IEEE ``+ - * /`` and negation
# round correctly: the same operation gives the same float), for the lean path's
# kernels that compute the value and the partials in one call: the rule's name ->
# (the value as source on ``x``, ``y``; the operands of which one being 0 makes a
# tiny result exact, or ``None`` where the operation never rounds a tiny result).
# The kernel declines (returns False) wherever NumPy would raise a floating-point
# flag for the value, so that its reports (a warning, ``np.seterr(all="raise")``)
# still come from NumPy's own call: a result that is not finite (overflow, invalid,
# a division by zero, a non-finite operand) or tiny (below the smallest normal: a
# possible underflow) unless an operand named here is 0.  A tiny sum or difference
# is exact, so ``+``/``-`` never underflow.
EXACT = {
    "add": ("x + y", None),
    "subtract": ("x - y", None),
    "multiply": ("x * y", ("x", "y")),
    "divide": ("x / y", ("x",)),
    "square": ("x * x", ("x",)),
    "negative": ("-x", None),
}


def fusable(rule):
    """Does ``rule`` get fused kernels?

    Yes for a smooth unary or binary ufunc whose local derivatives are all
    arithmetic that rounds alike in numba and NumPy (no ``**``, no
    transcendental: :meth:`dualgrad.rules._expr.Expr.kernel_source`), one of them
    more than an operand or a constant: those need no temporary already.
    """
    if rule.kind != "smooth" or rule.ufunc.nin > 2 or None in rule.exprs:
        return False
    if any(e.kernel_source() is None for e in rule.exprs):
        return False
    return any(e.names and e.variable is None for e in rule.exprs)


_HEADER = '''"""Local derivatives fused with their propagation, one loop per rule and case.

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
'''

# Both kernels keep NumPy's bits: the plain products where the local derivatives are
# finite (a zero partial gives f * p, a signed zero), the zero rule (a zero partial
# gives +0.0) where one is not.  (The flat kernel applied the zero rule everywhere,
# so a -0.0 partial, or a positive one times a negative factor, gave +0.0 where
# NumPy and the rows kernel give -0.0: stop 30 mid12; the statement ``if`` keeps the
# loop's cost, a conditional expression cost it 8-16% at N = 1e5-1e6.)
_KERNEL = '''

def {name}_flat({params}, q):
    """``np.{ufunc}``, one direction: ``q = {formula}``."""
    for i in range(q.shape[0]):
{binds}{factors}        t = {plain_flat}
        if not ({finite}):
            t = {safe_flat}
        q[i] = t


def {name}({params}, q):
    """``np.{ufunc}``: ``q[i, :] = {formula}``.

    Rows of 4 or 2 C-contiguous partials: the products over the flat arrays, then the
    zero rule on the rows whose local derivatives are not finite, if any (the
    generator's ``_SHORT``); other lengths and layouts: a loop over ``n`` per row."""
    rows, n = q.shape
    short = False
    bad = False
{short}    if not short:
        {name}_loop({params}, q)
    elif bad:
        for i in range(rows):
{binds2}{factors2}            if not ({finite}):
                for k in range(n):
                    q[i, k] = {safe_rows}


def {name}_loop({params}, q):
    """``np.{ufunc}``'s rows kernel for other lengths and layouts: a loop over ``n`` per
    row, its own compiled function (in the kernel's body, after the flat loops, LLVM
    laid it out 1.06-1.18x slower at n = 3, 5, 8: stop 33 rows15)."""
    rows, n = q.shape
    for i in range(rows):
{binds}{factors}        if {finite}:
            for k in range(n):
                q[i, k] = {plain}
        else:
            for k in range(n):
                q[i, k] = {safe_rows}
'''

# Rows of 4 or 2 C-contiguous partials, the small kernels' form (``_SMALL_SHORT``): the
# partials read flat, a row's elements ``j`` from ``c * i`` to ``c * i + c``, every row
# given the plain products and a flag or-ed over the rows where a local derivative is
# not finite; LLVM vectorizes that loop across rows.  Only when the flag is set does the
# loop over ``n`` after it run again over the rows, rewriting those rows alone by the
# zero rule (a zero partial gives +0.0): the same statements row by row as before, so
# the same bits.  The zero rule inside the loop (a statement ``if`` per partial, stop 31
# kern13) kept these kernels scalar.  Kernel alone at N = 1e5, n = 4
# (``bench/rule_kernel_ab.py``, stop 33 rows15): np.divide 0.54x the row loop, np.sqrt
# 0.67x, np.absolute 0.70-0.74x, np.square 0.79x; n = 2 0.44-0.98x; n = 8 unchanged.
_SHORT = '''    if n == {c} and {contiguous}:
        short = True
{flats}        qf = q.ravel()
        for i in range(rows):
{binds}{factors}            bad |= {infinite}
            for j in range({c} * i, {c} * i + {c}):
                qf[j] = {plain_flat_j}
'''

_SMALL_KERNEL = '''

def {name}_small({params}, q):
    """``np.{ufunc}``, small arrays: ``q[i, :] = {formula}``; False where a local
    derivative is not finite (``q`` then written, as the plain products)."""
    rows, n = q.shape
{short}    bad = False
    for i in range(rows):
{binds}{factors}        bad |= {infinite}
        for k in range(n):
            q[i, k] = {plain}
    return not bad
'''

# The small kernel's rows of 4 or 2 partials (C-contiguous, as the lean path's are
# but for views): the partials read as flat arrays (``ravel``: a view of an array numba
# types C-contiguous; one of another layout has the test false, so the copy ``ravel``
# makes of it never runs), a row's elements ``j`` from ``c * i`` to ``c * i + c``, and
# the test a flag or-ed over the rows, not an early return.  LLVM vectorizes that loop
# across rows, the local derivatives too (np.divide's two divisions 4 rows at a time),
# where the 2-D indexing ``q[i, k]`` (a runtime row stride) or a return inside the loop
# kept it scalar.  The same operations, so the same bits; a factor that is not finite
# still returns False (after the whole loop).  Kernel alone, N = 1e5, n = 4
# (``bench/rule_kernel_ab.py``, stop 32 rows14): np.divide's 0.54-0.59x the row loop,
# the others 0.75-0.94x.  Other layouts take the loop over n.
_SMALL_SHORT = '''    if n == {c} and {contiguous}:
{flats}        qf = q.ravel()
        bad = False
        for i in range(rows):
{binds}{factors}            bad |= {infinite}
            for j in range({c} * i, {c} * i + {c}):
                qf[j] = {plain_flat_j}
        return not bad
'''

# The rows' loop of the entries below: each row's factors, then its products into q (the
# same generated lines in both, so the same bits)
_ENTRY_ROWS = '''    bad = False
    for i in range(rows):
{binds}{factors}        bad |= {infinite}
        for k in range(n):
            q[i, k] = {plain}
    return not bad
'''

# The lean path's compiled entry point for small 1-D values (every argument a dual, a
# rule that is not a selection): called without numba's dispatcher, whose type check of
# four or six arrays cost as much as the work at N = 10 (small39), at one signature of
# any layout (``_kernels.small_entry``: the values and partials ``A``, ``q`` C), so the
# kernel tests the lengths itself (False: the caller's careful path) and reads the
# partials row by row at their strides (an ``A`` array's ``ravel`` is a copy).  The same
# expressions and products as :data:`_SMALL_KERNEL`, so the same bits.
_ENTRY_KERNEL = '''

def {name}_entry({params}, q):
    """``np.{ufunc}``, small 1-D values of any layout: ``q[i, :] = {formula}``; False for
    operands of other lengths and where a local derivative is not finite."""
    rows, n = q.shape
    if {shapes}:
        return False
''' + _ENTRY_ROWS

# The same entry of a one-argument row with the value by NumPy's own loop in the call
# (``_numpy_loops.value_loops``: ``np.log``'s, ``np.sqrt``'s), tried by the lean path
# before NumPy's call of the value, whose machinery is ~0.3 us of a ten-element call
# (small74): the value's loop on contiguous ``x`` into ``outs`` with
# :data:`_LOOPS_ENTRY`'s flag test (a report NumPy's call would make: declined, the
# caller's call then computes and reports it), then this entry's own loop, so the same
# bits as NumPy's value and :data:`_ENTRY_KERNEL`'s products.
_VALUE_LOOPS_ENTRY = '''

def {name}_value_loops(loops, {params}, q):
    """``np.{ufunc}``'s value and partials in one call on small 1-D values, NumPy's
    loop of the table ``loops`` (``_numpy_loops.value_loops``) making the value:
    ``q[i, :] = {formula}``; False (nothing usable: the caller's lines then run) for
    ``x`` not contiguous and aligned, other lengths, no directions, a report the
    value's loop would make, and where a local derivative is not finite."""
    rows, n = q.shape
    if {shapes} or \\
            rows == 0 or n == 0 or xs.strides[0] != 8 or xs.ctypes.data % 8 != 0:
        return False
    mask = np.int32(loops[0])
    if fe_test(mask) != 0:      # (as NumPy: a clear costs ~6 tests)
        fe_clear(mask)
    if numpy_loop(loops[1], loops[2], loops[3], xs.ctypes.data, outs.ctypes.data, rows) != 0 \\
            or fe_test(mask) != 0:
        fe_clear(mask)
        return False
''' + _ENTRY_ROWS


def value_loops_entry(rule):
    """Has the unary ``rule`` a :data:`_VALUE_LOOPS_ENTRY` (``_rule_kernels``'
    ``_VALUE_LOOPS``): a fusable row (its factor kernel arithmetic) of a NumPy ufunc
    whose value a kernel does not round itself (not :data:`EXACT`'s)?"""
    return rule.ufunc.nin == 1 and fusable(rule) and not rule.select and \
        rule.name not in EXACT and getattr(np, rule.name, None) is rule.ufunc


# A one-argument row whose local derivative is kernel arithmetic on NumPy calls
# (``rules._table.entry_form``: ``np.cos``'s ``-a0``, ``np.tanh``'s ``1.0 / a0 * (1.0 /
# a0)``): the lean path computes the parts and calls this entry, which makes the factor
# and the products in one loop, declining (False) where a ``where`` of the table would
# take its other branch, a factor is not finite, or the lengths differ (small66).
_SPLIT_ENTRY = '''

def {name}_entry({params}, px, q):
    """``{ufunc}``, small 1-D values of any layout, given {given}:
    ``q[i, :] = ({formula}) * px``; False for operands of other lengths, {declines}and
    where the local derivative is not finite."""
    rows, n = q.shape
    if {shapes}:
        return False
    bad = False
    for i in range(rows):
{binds}        fx = {formula}
        bad |= {bad}
        for k in range(n):
            q[i, k] = fx * px[i, k]
    return not bad
'''


def _split_entry(rule, prefix=""):
    """``(source, name)`` of ``rule``'s :data:`_SPLIT_ENTRY`, or ``None`` for a row
    without one (``rules._table.entry_form``).  Its parameters are the arrays of the
    form's ``reads`` (``x``, ``out``, ``a0``...), which the lean path passes
    (``dispatch._ufuncs._split_lines``); ``prefix`` in its name (``sc_``: scipy.special's
    rows, whose names may be NumPy's too)."""
    form = entry_form(rule)
    if form is None:
        return None
    tests, kernel, parts, names = form
    name = f"d_{prefix}{rule.name}_x"
    conditions = [t.kernel_source() for t in tests]
    text = _SPLIT_ENTRY.format(
        name=name, ufunc=("sc." if prefix else "np.") + rule.name,
        params=", ".join(f"{a}s" for a in names),
        given=", ".join(f"``a{j} = {p.source()}``" for j, p in enumerate(parts)),
        formula=kernel.kernel_source(),
        declines="".join(f"where ``{c}``, " for c in conditions),
        shapes=" or ".join([f"{a}s.shape[0] != rows" for a in names] +
                           ["px.shape[0] != rows or px.shape[1] != n"]),
        binds="".join(f"        {a} = {a}s[i]\n" for a in names),
        bad=" | ".join([f"({c})" for c in conditions] + ["(fx - fx != 0.0)"]))
    return text, name


# The same row where its one part is a NumPy float64 ufunc of kernel arithmetic
# (``np.tanh``'s ``np.cosh(x)``, ``sc.erf``'s ``np.exp(-x * x)``): the part by NumPy's
# own loop (``_numpy_loops``), its argument computed into the result first and taken
# in place (NumPy's SIMD loops take an operand and a result that coincide, as they take
# two apart; two less than 64 bytes apart they would not), and for a NumPy ufunc the
# value by its loop too, reporting as :data:`_numba_kernels.loop_scale_entry` does;
# then the factor and the products, the rows taken from the last (small72).
_LOOPS_ENTRY = """

def {name}_loops(loops, xs, outs, px, q):
    \"\"\"``{ufunc}``'s {what} and partials in one call on small 1-D values, NumPy's
    loops of the table ``loops`` (``_numpy_loops.split_loops``) making ``a0 = {part}``
    in ``q``: ``q[i, :] = ({formula}) * px``; False (nothing usable: the caller's
    lines then run) for ``x`` not contiguous and aligned, other lengths, no directions,
    {flags}{declines}and where the local derivative is not finite.\"\"\"
    n = xs.shape[0]
    rows, m = px.shape
    if rows != n or outs.shape[0] != n or q.shape[0] != n or q.shape[1] != m or \\
            n == 0 or m == 0 or xs.strides[0] != 8 or xs.ctypes.data % 8 != 0:
        return False
    mask = np.int32(loops[0])
    if loops[1] != 0:
        if fe_test(mask) != 0:      # (as NumPy: a clear costs ~6 tests)
            fe_clear(mask)
        if numpy_loop(loops[1], loops[2], loops[3], xs.ctypes.data, outs.ctypes.data, n) != 0 \\
                or fe_test(mask) != 0:
            fe_clear(mask)
            return False
{argument}    done = numpy_loop(loops[4], loops[5], loops[6], {source}, q.ctypes.data, n)
    if fe_test(mask) != 0:      # (as NumPy: a clear costs ~6 tests)
        fe_clear(mask)
    if done != 0:
        return False
    bad = False
    for i in range(n - 1, -1, -1):
{binds}        a0 = q[i // m, i % m]
        fx = {formula}
        bad |= {bad}
        for k in range(m):
            q[i, k] = fx * px[i, k]
    return not bad
"""


def loops_entry(rule):
    """Has ``rule`` a generated loops entry (:func:`_loops_entry`, ``_rule_kernels``'
    ``_LOOPS`` / ``_SC_LOOPS``)?  ``"value"``: it computes the value too (a NumPy
    ufunc's), ``"given"``: the caller passes it (scipy.special's); else ``None``."""
    own = getattr(np, rule.name, None) is rule.ufunc
    if _loops_entry(rule, "" if own else "sc_") is None:
        return None
    return "value" if own else "given"


def _loops_entry(rule, prefix=""):
    """``(source, name, part)`` of ``rule``'s :data:`_LOOPS_ENTRY` (``part`` the name of
    the NumPy ufunc of its part, ``"cosh"``), or ``None`` for a row without one: no
    ``rules._table.entry_form``, more than one part, a part not NumPy's, or one whose
    argument is no kernel arithmetic of ``x`` and ``out``.  The value is the entry's
    for a NumPy ufunc (``prefix`` empty), given (``outs``, NumPy's call) for
    scipy.special's, whose loops report through ``sc.errstate``."""
    form = entry_form(rule)
    if form is None or len(form[2]) != 1:
        return None
    tests, kernel, (part,), _ = form
    node = part.tree
    if node[0] != "call" or node[1][:3] != "np." or len(node[2]) != 1:
        return None
    if not prefix and node[2][0] == ("name", "x") and \
            kernel.tree in (("name", "a0"), ("unary", "-", ("name", "a0"))):
        return None         # np.cos's -np.sin(x): loop_scale_entry's (small71)
    inner = Expr(part.text, part.params, node[2][0])
    argument = inner.kernel_source()
    if argument is None or not inner.names <= {"x", "out"}:
        return None
    name = f"d_{prefix}{rule.name}_x"
    conditions = [t.kernel_source() for t in tests]
    reads = [a for a in ("x", "out") if a in kernel.names.union(*(t.names for t in tests))]
    if node[2][0] in (("name", "x"), ("name", "out")):
        source, lines = f"{node[2][0][1]}s.ctypes.data", ""
    else:
        source = "q.ctypes.data"
        lines = ("    for i in range(n):\n" +
                 "".join(f"        {a} = {a}s[i]\n" for a in ("x", "out") if a in inner.names) +
                 f"        q[i // m, i % m] = {argument}\n")
    text = _LOOPS_ENTRY.format(
        name=name, ufunc=("sc." if prefix else "np.") + rule.name,
        what="part" if prefix else "value, part",
        part=part.source(), formula=kernel.kernel_source(),
        flags="" if prefix else "a report the value's loop would make, ",
        declines="".join(f"where ``{c}``, " for c in conditions),
        argument=lines, source=source,
        binds="".join(f"        {a} = {a}s[i]\n" for a in reads),
        bad=" | ".join([f"({c})" for c in conditions] + ["(fx - fx != 0.0)"]))
    return text, name, node[1][3:]


# A selection row (``rule.select``): the partials of the argument whose 0/1 indicator is
# 1, on the bits: ``m = -int64(indicator)`` is all ones or all zeros per row, so
# ``p & m | q & ~m`` selects without a branch, as ``_numba_kernels.where_rows`` does for
# np.where (a float select on a condition fixed for the row compiled to a jump per row,
# mispredicted at every other row of random operands; bench_floors' maximum went from
# ~9x to ~25x the float call); the int64 conversion is one instruction where uint64's
# is several.  numba views any layout (stride-0 partials of a scalar dual too).  Rows
# of 4 or 2 partials (and the flat kernel) take a loop of constant length that the
# compiler vectorizes across rows, the mask an integer select there (x86 without
# AVX-512 has no vector float-to-int64 conversion); as a scalar loop the same select
# compiled to a jump (3x slower), so the loop over n keeps the conversion (sel12).
_SELECT_KERNEL = '''

def {name}_flat({params}, q):
    """``np.{ufunc}``, one direction: ``q = {formula}``; at a tie (the
    indicator ``t`` neither 0 nor 1) ``{blend}``."""
{views}    for i in range(q.shape[0]):
{binds}{mask}        bq[i] = {flat}
{ties_flat}

def {name}({params}, q):
    """``np.{ufunc}``: ``q[i, :] = {formula}``; at a tie (the indicator
    ``t`` neither 0 nor 1) ``{blend}``.  Rows of 4 or 2
    partials: a loop of that constant length, which the compiler vectorizes across
    rows (the mask an integer select); other lengths: a loop over ``n`` per row."""
    rows, n = q.shape
{views}    if n == 4:
        for i in range(rows):
{binds4}{mask4}            for k in range(4):
                bq[i, k] = {rows}
    elif n == 2:
        for i in range(rows):
{binds4}{mask4}            for k in range(2):
                bq[i, k] = {rows}
    else:
        for i in range(rows):
{binds4}{factor4}            for k in range(n):
                bq[i, k] = {rows}
{ties}'''

_SELECT_SMALL = '''

def {name}_small({params}, q):
    """``np.{ufunc}``, small arrays: ``q[i, :] = {formula}``; at a tie (the
    indicator ``t`` neither 0 nor 1) ``{blend}``; True (its indicators are 0, 1/2
    or 1: always finite).  Rows of 4 or 2 partials: the large kernel's loop of
    constant length, vectorized across rows (the lean path takes 1-D values of any
    size)."""
    rows, n = q.shape
{views}    if n == 4:
        for i in range(rows):
{binds4}{mask4}            for k in range(4):
                bq[i, k] = {rows}
    elif n == 2:
        for i in range(rows):
{binds4}{mask4}            for k in range(2):
                bq[i, k] = {rows}
    else:
        for i in range(rows):
{binds4}{factor4}            for k in range(n):
                bq[i, k] = {rows}
{ties}    return True
'''

# The ties (rules/_table.py, TIES): a second pass over the values after the select,
# ``t * p_last + (1 - t) * p_other`` (``t * p_last`` beside a constant) where the
# indicator ``t`` is neither 0 nor 1.  A pass of its own keeps the select loops
# above as they were (vectorized across rows); it first counts the ties branch-free
# (a reduction the compiler vectorizes: a loop with the fix-up's branch in it made
# np.maximum's kernel 3.7x slower at N = 1e5, n = 4), and fixes rows only if any.
_TIES = '''    ties = 0
    for i in range({rows}):
{binds}        t = {e}
        ties += where(t * (1.0 - t) != 0.0, 1, 0)
    if ties:
        for i in range({rows}):
{binds2}            t = {e}
            if t != 0.0 and t != 1.0:
    {loop}'''


def _selection(rule, args, ds, used, name, template):
    """The source of a selection row's kernels (:data:`_SELECT_KERNEL`, or
    :data:`_SELECT_SMALL` for ``template`` :data:`_SMALL_KERNEL`): the last dual
    argument's partials where its indicator is 1, elsewhere the other dual argument's
    or +0.0 (a constant there), bit for bit as ``np.where`` selects them."""
    (a, e), rest = ds[-1], ds[:-1]
    other = rest[0][0] if rest else None

    def pick(index):
        kept = f"b{a}[{index}] & m"
        return f"({kept}) | (b{other}[{index}] & ~m)" if other else kept

    def binds(indent):
        return "".join(f"{indent}{v} = {v}s[i]\n" for v in (*args, "out") if v in used)
    mask = f"where(({e}) != 0.0, np.int64(-1), np.int64(0))"

    def blend(index):
        kept = f"t * p{a}[{index}]"
        return f"{kept} + (1.0 - t) * p{other}[{index}]" if other else kept

    def ties(rows, index, loop):
        return _TIES.format(rows=rows, binds=binds("        "), binds2=binds("            "),
                            e=e, loop=loop.format(blend(index)).replace("\n    ", "\n        "))
    return (_SELECT_SMALL if template is _SMALL_KERNEL else _SELECT_KERNEL).format(
        name=name, ufunc=rule.name,
        params=", ".join([f"{v}s" for v in args] + ["outs"] + [f"p{v}" for v, _ in ds]),
        formula=f"p{a} if ({e}) != 0.0 else {f'p{other}' if other else '0.0'}",
        blend=f"t * p{a} + (1 - t) * p{other}" if other else f"t * p{a}",
        views="".join(f"    b{v} = p{v}.view(np.int64)\n" for v, _ in ds) +
        "    bq = q.view(np.int64)\n",
        binds=binds("        "), binds4=binds("            "),
        factor4=f"            m = -np.int64({e})\n", mask=f"        m = {mask}\n",
        mask4=f"            m = {mask}\n", flat=pick("i"), rows=pick("i, k"),
        ties_flat=ties("q.shape[0]", "i", "            q[i] = {}\n"),
        ties=ties("rows", "i, k", "            for k in range(n):\n"
                                  "                q[i, k] = {}\n"))


_EXACT_KERNEL = '''

def {name}_exact({params}, q):
    """``np.{ufunc}`` and its value, small arrays: ``outs[i] = {value}``,
    ``q[i, :] = {formula}``; False for operands of other lengths or numbers of
    directions (the caller's general path broadcasts them or raises), and at the first
    element whose value NumPy would report or whose local derivative is not finite."""
    rows, n = q.shape
    if {shapes}:
        return False
    for i in range(rows):
{binds}        out = {value}
        if not (out - out == 0.0{tiny}):
            return False
{factors}{check}        outs[i] = out
        for k in range(n):
            q[i, k] = {plain}
    return True
'''

_ROW_KERNEL = '''

def {name}_exact({params}, q):
    """``np.{ufunc}`` and its value, small arrays, ``{s}`` a scalar dual's value and
    ``p{s}`` its partials (a row of ``n``): ``outs[i] = {value}``,
    ``q[i, :] = {formula}``; False for operands of other lengths or numbers of
    directions (the caller's general path broadcasts them or raises), and at the first
    element whose value NumPy would report or whose local derivative is not finite."""
    rows, n = q.shape
    if {a}s.shape[0] != rows or p{a}.shape[0] != rows or p{a}.shape[1] != n or p{s}.shape[0] != n:
        return False
    for i in range(rows):
        {a} = {a}s[i]
        out = {value}
        if not (out - out == 0.0{tiny}):
            return False
{factors}{check}        outs[i] = out
        for k in range(n):
            q[i, k] = {plain}
    return True
'''

# An array dual and a plain 1-D float64 array (``u * t``, ``u / t``: no partials at the
# plain one), whose general path is ``dispatch._ufuncs._pair``'s NumPy value and its
# one term (``backend.scaled_small``'s product, ``combine_small``'s copy or negation of a
# constant +-1's partials): those operations in one loop, declining as ``_EXACT_KERNEL``
# (small70)
_PLAIN_KERNEL = '''

def {name}_exact(xs, ys, outs, p{d}, q):
    """``np.{ufunc}`` and its value, small arrays, ``{c}s`` a plain array (no partials),
    ``{d}s`` an array dual's values (partials ``p{d}``): ``outs[i] = {value}``,
    ``q[i, :] = {formula}``; False for operands of other lengths or numbers of
    directions (the caller's general path broadcasts them or raises), and at the first
    element whose value NumPy would report or whose local derivative is not finite."""
    rows, n = q.shape
    if xs.shape[0] != rows or ys.shape[0] != rows or p{d}.shape[0] != rows or p{d}.shape[1] != n:
        return False
    for i in range(rows):
        x = xs[i]
        y = ys[i]
        out = {value}
        if not (out - out == 0.0{tiny}):
            return False
{factors}{check}        outs[i] = out
        for k in range(n):
            q[i, k] = {plain}
    return True
'''

_TAIL = '''
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
'''


_TINY = "2.2250738585072014e-308"       # the smallest normal float64 (rules._table.TINY)


def _underflow(a, quotients):
    """The test, in a kernel, that argument ``a``'s local derivative ``f{a} = num / den``
    (``quotients``: the table's parts by argument) underflowed with ``num`` nonzero and
    ``den`` finite (``over``'s two steps keep the bits ``f * p`` loses), or ``None``."""
    if a not in quotients:
        return None
    num, den = quotients[a]
    tail = "" if num.constant is not None else f" and {num.kernel_source()} != 0.0"
    if den.constant is None:            # (1 / x at x = inf is 0.0: no two steps there)
        d = den.kernel_source()
        tail += f" and ({d}) - ({d}) == 0.0"
    return f"-{_TINY} < f{a} < {_TINY}{tail}"


def _normal(a, quotients):
    """`` and not (the underflow test)`` for a finiteness test, or ``""``."""
    test = _underflow(a, quotients)
    return "" if test is None else f" and not ({test})"


def _subnormal(a, quotients):
    """`` | (the underflow test)`` for a test of a bad factor, or ``""``."""
    test = _underflow(a, quotients)
    return "" if test is None else f" | ({test})"


def _kernel(rule, duals, template=_KERNEL):
    """``(source, name)`` of the kernels of ``rule`` for dual arguments ``duals``
    (``template``: the large path's pair, or :data:`_SMALL_KERNEL`)."""
    args = _ARGS[:rule.ufunc.nin]
    exprs = [rule.exprs[k].real_line() for k in duals]     # (kernels see floats)
    quotients = {args[k]: rule.quotient_exprs[k] for k in duals if rule.quotient_exprs and
                 rule.quotient_exprs[k] is not None}
    used = set().union(*(e.names for e in exprs),
                       *(e.names for pair in quotients.values() for e in pair))
    ds = [(args[k], e.kernel_source()) for k, e in zip(duals, exprs)]
    name = f"d_{rule.name}_{''.join(a for a, _ in ds)}"
    if rule.select:
        return _selection(rule, args, ds, used, name, template), name

    def product(a, index):
        """``f * p`` of argument ``a`` beside a non-finite factor: in two steps where
        the table writes the factor as a quotient."""
        if a not in quotients:
            return f"f{a} * p{a}[{index}]"
        num, den = (e.kernel_source() for e in quotients[a])
        return f"over(f{a}, {num}, {den}, p{a}[{index}])"

    plain_finite = " and ".join(f"f{a} - f{a} == 0.0" for a, _ in ds)

    def safe(index):
        if not quotients:
            return " + ".join(f"(0.0 if p{a}[{index}] == 0.0 else {product(a, index)})"
                              for a, _ in ds)
        # a row here only because a quotient underflowed (every factor finite): its zero
        # partials keep the plain product's signed zero, as NumPy's path (_array_quotient)
        return " + ".join(f"(f{a} * p{a}[{index}] if p{a}[{index}] == 0.0 and "
                          f"{plain_finite} else (0.0 if p{a}[{index}] == 0.0 else "
                          f"{product(a, index)}))" for a, _ in ds)

    def binds(indent):
        return "".join(f"{indent}{a} = {a}s[i]\n" for a in (*args, "out") if a in used)

    def factors(indent):
        return "".join(f"{indent}f{a} = {e}\n" for a, e in ds)
    loops = dict(finite=" and ".join(f"f{a} - f{a} == 0.0" + _normal(a, quotients)
                                     for a, _ in ds),
                 infinite=" | ".join(f"(f{a} - f{a} != 0.0)" + _subnormal(a, quotients)
                                     for a, _ in ds),
                 contiguous=" and ".join(f"p{a}.flags.c_contiguous" for a, _ in ds) +
                 " and q.flags.c_contiguous",
                 plain_flat_j=" + ".join(f"f{a} * p{a}f[j]" for a, _ in ds),
                 plain=" + ".join(f"f{a} * p{a}[i, k]" for a, _ in ds), safe_rows=safe("i, k"))
    short = "".join((_SMALL_SHORT if template is _SMALL_KERNEL else _SHORT).format(
        c=c, binds=binds("            "), factors=factors("            "),
        flats="".join(f"        p{a}f = p{a}.ravel()\n" for a, _ in ds),
        **loops) for c in (4, 2))
    shapes = " or ".join([f"{a}s.shape[0] != rows" for a in (*args, "out")] +
                         [f"p{a}.shape[0] != rows or p{a}.shape[1] != n" for a, _ in ds])
    text = template.format(
        name=name, ufunc=rule.name, shapes=shapes,
        params=", ".join([f"{a}s" for a in args] + ["outs"] + [f"p{a}" for a, _ in ds]),
        formula=" + ".join(f"({e}) * p{a}" for a, e in ds),
        binds=binds("        "), factors=factors("        "), short=short,
        binds2=binds("            "), factors2=factors("            "),
        plain_flat=" + ".join(f"f{a} * p{a}[i]" for a, _ in ds), safe_flat=safe("i"),
        **loops)
    return text, name


def _exact_kernel(rule, duals):
    """``(source, name)`` of the value-and-partials kernel of ``rule`` (in :data:`EXACT`)
    for the dual arguments at ``duals``; any other argument is a number (a float
    parameter of the kernel: ``a * 2.0``, ``1.0 - a``).  A constant local derivative of
    1 or -1 adds, subtracts or copies the partials, as the lean path's and
    ``with_number``'s NumPy calls do (``p + q``, ``p - q``, ``-p``, ``p.copy()``)."""
    args = _ARGS[:rule.ufunc.nin]
    value, zeros = EXACT[rule.name]
    factors, finite, plain, tiny = _exact_terms(
        rule, [(args[k], rule.exprs[k], f"p{args[k]}[i, k]") for k in duals], zeros)
    arrays = [args[k] for k in duals]
    name = f"d_{rule.name}" + ("" if len(duals) == len(args) else "_" + "".join(arrays))
    text = _EXACT_KERNEL.format(
        name=name, ufunc=rule.name,
        params=", ".join([f"{a}s" if a in arrays else a for a in args] + ["outs"] +
                         [f"p{a}" for a in arrays]),
        value=value, tiny=tiny,
        shapes=" or ".join([f"{a}s.shape[0] != rows" for a in arrays] +
                           [f"p{a}.shape[0] != rows or p{a}.shape[1] != n" for a in arrays]),
        formula=" + ".join(f"({rule.exprs[k].kernel_source()}) * p{args[k]}" for k in duals),
        binds="".join(f"        {a} = {a}s[i]\n" for a in arrays),
        factors="".join(factors),
        check=f"        if not ({' and '.join(finite)}):\n            return False\n"
        if finite else "",
        plain=plain)
    return text, name + "_exact"


def _exact_terms(rule, reads, zeros):
    """``(factors, finite, plain, tiny)`` of an exact kernel: for each ``(argument,
    expression, read)`` of ``reads`` its local derivative's line (none for a constant
    +-1, which adds or subtracts the partials it reads), its finiteness test, the sum of
    the terms, and the test that keeps NumPy's value where it underflows beside a zero
    argument in ``zeros``."""
    terms, factors, finite = [], [], []
    quotients = {arg: pair for arg, pair in zip(_ARGS, rule.quotient_exprs or ())
                 if pair is not None}
    for a, e, read in reads:
        if e.constant in (1.0, -1.0):
            terms.append(f"{'+' if e.constant == 1.0 else '-'} {read}")
        elif e.constant is not None:
            raise ValueError(f"np.{rule.name}: a constant local derivative other than +-1")
        else:
            factors.append(f"        f{a} = {e.kernel_source()}\n")
            finite.append(f"f{a} - f{a} == 0.0" + _normal(a, quotients))
            terms.append(f"+ f{a} * {read}")
    plain = " ".join(terms)
    plain = plain[2:] if plain.startswith("+ ") else "-" + plain[2:]
    return factors, finite, plain, _value_tiny(zeros)


def _row_kernel(rule, k):
    """``(source, name)`` of the value-and-partials kernel of the binary ``rule`` (in
    :data:`EXACT`) for a scalar dual at argument ``k`` (a float value and a row of
    partials, ``p{x|y}[k]``) and an array dual at the other: :func:`_exact_kernel`'s
    value, tests and terms, the scalar's partials read from the row.  The terms are
    those of ``dispatch._lean_small.lean_mixed`` (each product rounded, then the sum,
    in an order that IEEE addition does not see: the same bits)."""
    args = _ARGS[:2]
    s, a = args[k], args[1 - k]
    value, zeros = EXACT[rule.name]
    factors, finite, plain, tiny = _exact_terms(
        rule, [(x, e, f"p{x}[k]" if x == s else f"p{x}[i, k]")
               for x, e in zip(args, rule.exprs)], zeros)
    name = f"d_{rule.name}_{s}row"
    text = _ROW_KERNEL.format(
        name=name, ufunc=rule.name, s=s, a=a, value=value, tiny=tiny,
        params=", ".join([f"{x}s" if x == a else x for x in args] + ["outs"] +
                         [f"p{x}" for x in args]),
        formula=" + ".join(f"({e.kernel_source()}) * p{x}" for x, e in zip(args, rule.exprs)),
        factors="".join(factors),
        check=f"        if not ({' and '.join(finite)}):\n            return False\n"
        if finite else "",
        plain=plain)
    return text, name + "_exact"


def _plain_kernel(rule, k):
    """``(source, name)`` of the value-and-partials kernel of the binary ``rule`` (in
    :data:`EXACT`) for a plain array at argument ``k`` and an array dual at the other
    (:data:`_PLAIN_KERNEL`): :func:`_exact_kernel`'s value, tests and term for the one
    dual argument."""
    args = _ARGS[:2]
    c, d = args[k], args[1 - k]
    value, zeros = EXACT[rule.name]
    factors, finite, plain, tiny = _exact_terms(
        rule, [(d, rule.exprs[1 - k], f"p{d}[i, k]")], zeros)
    name = f"d_{rule.name}_{c}plain"
    text = _PLAIN_KERNEL.format(
        name=name, ufunc=rule.name, c=c, d=d, value=value, tiny=tiny,
        formula=f"({rule.exprs[1 - k].kernel_source()}) * p{d}",
        factors="".join(factors),
        check=f"        if not ({' and '.join(finite)}):\n            return False\n"
        if finite else "",
        plain=plain)
    return text, name + "_exact"


# A scalar dual with a plain 1-D float64 array (``np.arctan2(t, k)``, ``t / k``, ``k -
# t``: ``dispatch._lean_small.lean_constant``): the scalar's argument's local derivative
# evaluated per element from the array's values, the scalar's value and NumPy's result,
# times the scalar's row, in one compiled call (const69).  It declines (False; ``q``
# partly written) where the lean path's NumPy steps would not reach ``combine_small``'s
# products or those would decline: a factor not finite, below the smallest normal
# number beside a nonzero numerator of a quotient (``dispatch._ufuncs._tiny``'s test),
# or the factors' sum taken left to right not finite (``combine_small``'s); the caller's
# NumPy steps then run as before.  The same IEEE arithmetic, so the same bits.
_CONST_ENTRY = '''

def {name}({params}, row, q):
    """``np.{ufunc}`` of a plain 1-D array and a scalar dual ``{scalar}`` (its row
    ``row``): ``q[i, :] = ({formula}) * row``; False for operands of other lengths,
    where the factor is not finite, {declines}or their sum overflows."""
    rows, n = q.shape
    if {shapes}:
        return False
    s = 0.0
    for i in range(rows):
{binds}        f = {formula}
        if f - f != 0.0{tiny}:
            return False
        s += f
        for k in range(n):
            q[i, k] = {product}
    return s - s == 0.0
'''

# The same entry for another NumPy ufunc (``np.arctan2(t, k)``, ``np.hypot(k, t)``) that
# also computes the value by NumPy's own loop (``_numpy_loops.const_loops``: the scalar
# stored in ``q`` as NumPy's broadcast 0-d operand, stride 0), declining where that loop
# sets a flag NumPy's call would report: the caller's NumPy call then runs (small72).
_CONST_LOOPS_ENTRY = '''

def {name}_loops(loops, {params}, row, q):
    """``np.{ufunc}`` of a plain 1-D array and a scalar dual ``{scalar}`` (its row
    ``row``), its value by NumPy's loop (the table ``loops``) and ``q[i, :] =
    ({formula}) * row``; False where the array is not contiguous and aligned, for
    operands of other lengths or no directions, where the value's loop sets a flag
    NumPy's call would report, the factor is not finite, {declines}or their sum
    overflows."""
    rows, n = q.shape
    if {shapes} or rows == 0 or n == 0 or {array}s.strides[0] != 8 or \\
            {array}s.ctypes.data % 8 != 0:
        return False
    q[0, 0] = {scalar}
    mask = np.int32(loops[0])
    if fe_test(mask) != 0:      # (as NumPy: a clear costs ~6 tests)
        fe_clear(mask)
    if numpy_loop2_steps(loops[1], loops[2], loops[3], {first}, {second}, outs.ctypes.data,
                         rows, {steps}) != 0 or fe_test(mask) != 0:
        fe_clear(mask)
        return False
    s = 0.0
    for i in range(rows):
{binds}        f = {formula}
        if f - f != 0.0{tiny}:
            return False
        s += f
        for k in range(n):
            q[i, k] = {product}
    return s - s == 0.0
'''

# The same entry for ``+ - * /`` (:data:`EXACT`) that also computes the value, as
# ``_ROW_KERNEL`` does beside an array dual (``k * t``, ``t / k``, ``k - t``: NumPy's
# value call saved, small70): ``out = {value}``, declining where NumPy would raise a
# flag for it (:data:`EXACT`'s tests: not finite, or tiny beside no zero operand named
# there), so that the caller's NumPy call and the entry above run there as before;
# IEEE ``+ - * /`` round correctly, so the same value, and the factor read from it.
_CONST_VALUE_ENTRY = '''

def {name}({params}, row, q):
    """``np.{ufunc}`` of a plain 1-D array and a scalar dual ``{scalar}`` (its row
    ``row``), and its value: ``outs[i] = {value}``, ``q[i, :] = ({formula}) * row``;
    False for operands of other lengths, at the first element whose value NumPy would
    report, where the factor is not finite, {declines}or their sum overflows."""
    rows, n = q.shape
    if {shapes}:
        return False
    s = 0.0
    for i in range(rows):
        {array} = {array}s[i]
        out = {value}
        if not (out - out == 0.0{vtiny}):
            return False
        f = {formula}
        if f - f != 0.0{tiny}:
            return False
        s += f
        outs[i] = out
        for k in range(n):
            q[i, k] = {product}
    return s - s == 0.0
'''


def _value_tiny(zeros):
    """:data:`EXACT`'s test that keeps NumPy's value where it may underflow: a result
    below the smallest normal number is the kernel's only beside a zero operand named
    in ``zeros`` (``None``: the operation never rounds a tiny result)."""
    return "" if zeros is None else \
        f" and (abs(out) >= {_TINY} or " + " or ".join(f"{z} == 0.0" for z in zeros) + ")"


def _const_entry(rule, k, value=False):
    """``(source, name)`` of ``rule``'s :data:`_CONST_ENTRY` for a scalar dual at
    argument ``k`` beside a plain array, or ``None`` (a factor of 0, a spread);
    ``value``: its :data:`_CONST_VALUE_ENTRY` (a rule of :data:`EXACT`); ``"loops"``:
    its :data:`_CONST_LOOPS_ENTRY` (``name`` then ends ``_loops``)."""
    args = _ARGS[:2]
    expr = rule.exprs[k]
    if expr.constant == 0.0 or rule.spread_exprs and rule.spread_exprs[k] is not None:
        return None
    expr = expr.real_line()
    scalar = args[k]
    name = f"d_{rule.name}_{scalar}_const" + ("_value" if value is True else "")
    pair = rule.quotient_exprs[k] if rule.quotient_exprs else None
    used = set(expr.names)
    tiny = declines = ""
    if pair is not None and pair[0].constant is None:      # _ufuncs._variable's
        num = pair[0].real_line() if hasattr(pair[0], "real_line") else pair[0]
        used |= set(num.names)
        tiny = f" or -{_TINY} < f < {_TINY} and {num.kernel_source()} != 0.0"
        declines = f"below the smallest normal number beside ``{num.kernel_source()}`` nonzero, "
    c = expr.constant
    product = "row[k]" if c == 1.0 else "-row[k]" if c == -1.0 else "f * row[k]"
    arrays = [a for a in (*args, "out") if a != scalar]
    if value is True:
        source, zeros = EXACT[rule.name]
        text = _CONST_VALUE_ENTRY.format(
            name=name, ufunc=rule.name, scalar=scalar, declines=declines, tiny=tiny,
            params=", ".join(scalar if a == scalar else f"{a}s" for a in (*args, "out")),
            formula=expr.kernel_source(), product=product, value=source,
            vtiny=_value_tiny(zeros), array=args[1 - k],
            shapes=" or ".join(f"{a}s.shape[0] != rows" for a in arrays) +
            " or row.shape[0] != n")
        return text, name
    fields = dict(
        name=name, ufunc=rule.name, scalar=scalar, declines=declines, tiny=tiny,
        params=", ".join(scalar if a == scalar else f"{a}s" for a in (*args, "out")),
        formula=expr.kernel_source(), product=product,
        shapes=" or ".join(f"{a}s.shape[0] != rows" for a in arrays) +
        " or row.shape[0] != n",
        binds="".join(f"        {a} = {a}s[i]\n" for a in arrays if a in used))
    if value == "loops":
        array = args[1 - k]
        pointers = ("q.ctypes.data", f"{array}s.ctypes.data")
        return _CONST_LOOPS_ENTRY.format(
            **fields, array=array, first=pointers[k], second=pointers[1 - k],
            steps="0, 8" if k == 0 else "8, 0"), name
    return _CONST_ENTRY.format(**fields), name


def _cases(rule):
    """The positions of the dual arguments: each argument alone, then both."""
    return [(0,)] if rule.ufunc.nin == 1 else [(0,), (1,), (0, 1)]


def source():
    """The text of ``_rule_kernels.py`` for the table of NumPy's ufuncs (numba
    cannot call scipy.special's)."""
    parts, entries, small, entry, const, value = [_HEADER], [], [], [], [], []
    for rule in (r for r in _TABLE if fusable(r)):
        cases = []
        for duals in _cases(rule):
            text, name = _kernel(rule, duals)
            parts.append(text)
            loop = "" if rule.select else f", {name}_loop"
            cases.append(f"        {duals}: ({name}_flat, {name}{loop}),\n")
        entries.append(f"    np.{rule.name}: {{\n{''.join(cases)}    }},\n")
        text, name = _kernel(rule, _cases(rule)[-1], _SMALL_KERNEL)   # every argument a dual
        parts.append(text)
        small.append(f"    np.{rule.name}: {name}_small,\n")
        if not rule.select:
            text, name = _kernel(rule, _cases(rule)[-1], _ENTRY_KERNEL)
            parts.append(text)
            entry.append(f"    np.{rule.name}: {name}_entry,\n")
        if value_loops_entry(rule):     # the value by NumPy's loop too (small74)
            text, name = _kernel(rule, (0,), _VALUE_LOOPS_ENTRY)
            parts.append(text)
            value.append(f"    np.{rule.name}: {name}_value_loops,\n")
    # a scalar dual beside a plain array: every smooth binary row whose factors kernels
    # evaluate (+ - * too, whose factors are arguments or constants: k - t's -row)
    for rule in (r for r in _TABLE if r.kind == "smooth" and r.ufunc.nin == 2 and
                 not r.select and None not in r.exprs and
                 all(e.kernel_source() is not None for e in r.exprs)):
        for k in (0, 1):
            got = _const_entry(rule, k)
            if got is not None:
                parts.append(got[0])
                const.append(f"    (np.{rule.name}, {k}): {got[1]},\n")
            if rule.name in EXACT:          # + - * /: the value too (small70)
                got = _const_entry(rule, k, True)
                if got is not None:
                    parts.append(got[0])
                    const.append(f"    (np.{rule.name}, {k}, \"value\"): {got[1]},\n")
            else:                           # the value by NumPy's loop (small72)
                got = _const_entry(rule, k, "loops")
                if got is not None:
                    parts.append(got[0])
                    const.append(f"    (np.{rule.name}, {k}, \"loops\"): {got[1]}_loops,\n")
    loops, sc_loops = [], []
    for rule in _TABLE:
        split = _split_entry(rule)
        if split is not None:
            parts.append(split[0])
            entry.append(f"    np.{rule.name}: {split[1]}_entry,\n")
        got = _loops_entry(rule)
        if got is not None:
            parts.append(got[0])
            loops.append(f"    np.{rule.name}: ({got[1]}_loops, np.{got[2]}),\n")
    import scipy.special as sc      # (SciPy's rows join the table on their first use)
    rule_for(sc.erf)
    scipy = []
    for rule in RULES.values():
        split = _split_entry(rule, "sc_") if getattr(np, rule.name, None) is not rule.ufunc \
            else None
        if split is not None:
            parts.append(split[0])
            scipy.append(f"    \"{rule.name}\": {split[1]}_entry,\n")
            got = _loops_entry(rule, "sc_")
            if got is not None:
                parts.append(got[0])
                sc_loops.append(f"    \"{rule.name}\": ({got[1]}_loops, np.{got[2]}),\n")
    exact = []
    for rule in (r for r in _TABLE if r.name in EXACT):
        for duals in _cases(rule)[::-1]:        # every argument a dual, then one
            text, name = _exact_kernel(rule, duals)
            parts.append(text)
            exact.append(f"    (np.{rule.name}, {duals}): {name},\n")
        if rule.ufunc.nin == 2:                 # a scalar dual with an array dual
            for k in (0, 1):
                text, name = _row_kernel(rule, k)
                parts.append(text)
                exact.append(f"    (np.{rule.name}, (\"row\", {k})): {name},\n")
            for k in (0, 1):                    # a plain array with an array dual
                text, name = _plain_kernel(rule, k)
                parts.append(text)
                exact.append(f"    (np.{rule.name}, (\"plain\", {k})): {name},\n")
    parts.append(f"\n\n_PLAIN = {{\n{''.join(entries)}}}\n\n_SMALL = {{\n{''.join(small)}}}\n"
                 f"\n_EXACT = {{\n{''.join(exact)}}}\n\n_ENTRY = {{\n{''.join(entry)}}}\n"
                 f"\n_SC_ENTRY = {{\n{''.join(scipy)}}}\n"
                 f"\n_CONST = {{\n{''.join(const)}}}\n"
                 f"\n_LOOPS = {{\n{''.join(loops)}}}\n\n_SC_LOOPS = {{\n{''.join(sc_loops)}}}\n"
                 f"\n_VALUE_LOOPS = {{\n{''.join(value)}}}\n" +
                 _TAIL)
    return "".join(parts)


# The rows whose regular branches (``rules._table.regular_form``) the compiled entries of
# ``u ** v`` and a scalar's power call (``_numba_kernels.power_pair_entry``,
# ``power_exponent_entry``, ``power_base_entry``), one function per argument
REGULAR_ROWS = ("power",)

_REGULAR_HEADER = '''"""The power rows' regular branches as numba functions of one element.

GENERATED from the rule table by ``python -m dualgrad.backend._kernelgen``: do not edit.

``regular_<row>_<argument>(x, y, out, a0, ...)`` is the row's local derivative in that
argument on its regular branch (``rules._table.regular_form``), given the parts of it
that NumPy computes (``rules._expr.Expr.kernel_split``: a ``**`` or a call that numba
would round otherwise): the table's own arithmetic on them, so the bits of NumPy's path
where that branch is the row's; NaN where the row's tests take another branch, and
where the argument's factor, which the table also writes as a quotient, is below the
smallest normal number (the general path's two steps decide there).  A NaN factor is
the caller's signal to decline: the compiled entries of ``u ** v`` and of a scalar's
power (``_numba_kernels.power_pair_entry``, ``power_exponent_entry``,
``power_base_entry``) return False on a factor that is not finite.  Kept in their own
small file: those entries' module imports them, not the rule kernels' 4,800 lines.
"""

import numpy as np
from ._jit import njit

_JIT = dict(cache=True, error_model="numpy", nogil=True)
'''


def _regular_function(rule, k):
    """The source of ``regular_<row>_<argument>`` (see :data:`_REGULAR_HEADER`)."""
    tests, branch = regular_form(rule, k)
    kernel, parts = branch.kernel_split()
    arg = rule.exprs[k].params[k]
    test = " or ".join(t.kernel_source() for t in tests)
    body = f"    if {test}:\n        return np.nan\n"
    if rule.quotient_exprs[k] is None:
        body += f"    return {kernel.kernel_source()}\n"
    else:
        # (d/dx's spread factor |y| lifts an underflowed part: y x**(y - 1) is normal
        # beside an x**(y - 1) that lost its bits, x = 1 - 7.3e-8, y = 1e10, power74)
        room = " * max(1.0, np.absolute(y))" if k == 0 and rule.spread and \
            rule.spread_exprs[k] is not None else ""
        body += (f"    f = {kernel.kernel_source()}\n"
                 f"    return f if np.absolute(f) >= {_TINY}{room} else np.nan\n")
    given = ", ".join(f"``a{j} = {part.source()}``" for j, part in enumerate(parts))
    return (f"\n\n@njit(**_JIT)\ndef regular_{rule.name}_{arg}({', '.join(kernel.params)}):\n"
            f'    """np.{rule.name}\'s d/d{arg} on its regular branch, ``{branch.source()}``,\n'
            f"    given {given}.\"\"\"\n{body}")


def regular_source():
    """The text of ``_regular_kernels.py``: :func:`_regular_function` of each argument
    of each row of :data:`REGULAR_ROWS`."""
    return _REGULAR_HEADER + "".join(_regular_function(rule, k) for rule in _TABLE
                                     if rule.name in REGULAR_ROWS
                                     for k in range(len(rule.exprs)))


if __name__ == "__main__":
    PATH.write_text(source())
    REGULAR_PATH.write_text(regular_source())
    print(f"wrote {PATH} and {REGULAR_PATH}")
