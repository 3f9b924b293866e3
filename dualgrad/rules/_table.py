"""The rule table: the one place where a derivative is written.

Each NumPy ufunc has one record.  A differentiable ("smooth") ufunc gives, per
argument, an expression for its local derivative written in NumPy's own
vocabulary, in the names ``x`` (first argument), ``y`` (second argument) and
``out`` (the primal result), so that ``exp`` can reuse its output.  Because the
expressions use only NumPy calls, arithmetic and :func:`where`, they run on
floats, arrays and dual numbers alike: nesting duals (Hessians) needs no second
table.

Expressions for a third argument (``scipy.special.betainc``) use ``z``.

An argument's expression may be

* a string: the local derivative;
* ``"0"``: the output is locally constant in that argument (no partials flow);
* ``None``: the argument is not differentiable (integer-only); a dual there
  raises ``TypeError``.

Kinds:

``smooth``     derivatives as above.  With ``select`` (maximum, minimum, fmax, fmin),
               a selection: the derivatives are indicators adding up to 1, 0 or 1
               away from ties, and every path takes the partials of the argument
               whose indicator is 1 (a select of partials, as ``np.where``'s, never a
               product: the unselected operand's inf or NaN partials must not make
               0 * inf = NaN), +0.0 where that argument is a constant; at a tie both
               indicators are 1/2 and the partials are ``t * q + (1 - t) * p``.
``zero``       locally constant (``floor``, ``sign``, ...): zero partials.
``predicate``  boolean output (``isnan``, comparisons): plain bools.
``custom``     implemented elsewhere from table entries (products, ``modf``).
``unsupported``  raises ``TypeError`` naming the ufunc and the reason.

``branch``: where a row's value jumps or has a kink (a jump of its first derivative),
the branches it takes, as ``(kind, step, place)`` triples: ``kind`` ``"jump"`` or
``"kink"``, ``place`` an expression in the row's arguments (read by the same parser)
and ``step`` one of ``"sign"``, ``"floor"``, ``"ceil"``, ``"trunc"``, ``"rint"``: the
branch the plain arguments take is ``np.<step>(place)``, and it changes where ``place``
crosses 0 (``sign``) or an integer (a half-integer for ``rint``).  ``kind`` ``"nan"``:
the row's real value is NaN on the negative side of ``place`` (outside its domain:
``np.log``, ``np.sqrt``, ``np.arccos``, a negative base's power) or infinite (an
overflow: ``np.exp`` past log(max float)), a jump of whatever
the integrand makes of the NaN (``np.nan_to_num``, a ``np.where`` on ``np.isnan``).
``"step"``: a smooth step, no jump at all: the value changes by a finite amount where
``|place|`` is about 1 and is flat beyond (``np.tanh``, ``np.arctan``, ``erf``,
``expit``); a step narrower than an integrator's nodes (``np.tanh(1e12 (x - p))``) holds
its derivative's whole pulse where no node evaluates it, so dg.quad / dg.solve_ivp
watch it apart (:func:`step_of`; :func:`branch_functions` leaves it out).
``"kink2"``: the second derivative jumps there (``huber`` at ``|r| = delta``: third
derivatives lose a term).  ``"cut"``: a jump of a complex argument's principal value
across its branch cut (``np.log`` on the negative real axis), watched for complex
arguments only (:func:`cut_of`).  ``dg.quad``'s watch
(:mod:`dualgrad.api._quad`) reads it: derivatives under an integral sign miss the
boundary term of a branch point whose place moves with the parameters.  Every row
that can jump or kink carries one (tests/test_rules.py walks the table).

A smooth row may also write a derivative as a quotient, ``quotient=(("a", "b"), ...)``
per argument, ``a / b`` being the derivative (``("-out", "y")`` for division's d/dy):
where that one number overflows beside a partial ``p`` while ``a`` and ``b`` are
finite, every path applies it in two steps, ``(p / b) * a`` (:func:`two_step`), finite
wherever the product is (``d(1/u) = -du / u**2`` at |u| < 1e-154, a Hessian of ``log``
of a tiny likelihood); and where it underflows (below :data:`TINY`, the smallest normal
number, ``a`` nonzero): ``-out / y`` at y = 1e160 is 1e-320, 0 past ~1e162, beside a
partial ~y, so a second level of ``log(u)``, ``1 / u``, ``log1p``, ... lost its ``-(du /
u)**2`` term (the naive logsumexp's Hessian at logits ~400 was its diagonal).  A complex
one by its modulus, and where it is NaN too (a complex product of an overflow leaves NaN:
``-(out * out)`` at x = 1e-200 (1 + i) is nan + inf j) while ``a`` and ``b`` are finite.
Elsewhere the one number is used, to the same bits as before.  A power row also writes
its derivatives as ``c * h**4``, ``spread=(("c", "h"), ...)`` (:attr:`Rule.spread`), for
the products that overflow or underflow even in two steps (``y * out`` itself past the
float range: ``x ** -1`` at x = 1e-310), on the general path's plain values.

The strings are read by one parser, :mod:`dualgrad.rules._expr`, on first use of
a row (:attr:`Rule.exprs`, :attr:`Rule.tangent_expr`): a name other than the
row's arguments, or a function outside its vocabulary, raises ``ValueError``.
Dispatch (:mod:`dualgrad.dispatch._ufuncs`), the operators of both dual types, the
generated scalar fast path, the numba extension, the generated kernels,
``docs/supported.md`` and the tests are all derived from this table.
"""

import math
import threading
from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np

from .. import errors
from . import _special
from ._expr import LAZY as _LAZY, Expr, number_tangent, parse
from ._student import t_cdf_df_series

__all__ = ["Rule", "RULES", "PARTS", "NOT_HOLOMORPHIC", "rule_for", "where", "value",
           "derivative_functions", "entry_form", "regular_branch", "regular_form", "tangent_function",
           "number_tangent_function",
           "branch_functions", "cut_of", "step_of", "Branches", "float_places", "step_threshold", "Selection",
           "method_selection", "quotient_functions", "spread_functions", "spread_product", "two_step", "TINY", "NESTED_TINY", "tiny_below", "underflowed"]

_LN2 = 0.6931471805599453
_LN10 = 2.302585092994046
_2_SQRTPI = 1.1283791670955126   # 2 / sqrt(pi)
_1_SQRT2PI = 0.3989422804014327  # 1 / sqrt(2 pi)


# sqrt(1 - x) sqrt(1 + x) with the signed zeros of Im x kept on the cuts (arcsin, arccos);
# + 0.0 because -(x - 1) is -0.0 at a real x = 1, and 1 / sqrt(-0.0) = -inf
_SQRT_1_XX = "((np.sqrt(-(x - 1.0)) + 0.0) * np.sqrt(x - -1.0))"


# a complex value off the real line (a condition: False on real arguments)
_OFF_AXIS = "np.absolute(np.real(value(x) * -1j)) > 0.0"

# i for a complex x, NaN for a real one, in a branch only complex values take: a
# complex literal there made the text's value complex on real arrays, where NumPy's
# where computes both branches (39cf1146's erfcx; the lazy where computes one)
_IM = "np.sqrt((x - x) - 1.0)"

# i x for a complex x off the real line, the sign of a zero real part kept: i (a + bi)'s
# imaginary part is a + 0 * b, +0 for a = -0 where b > 0; -(-x i) keeps it there (-(+0 +
# -0)), x i where b < 0.  Then 1 + i x and 1 - i x as x - -1 and -(x - 1) (see arcsin)
# (:data:`_IM` spelled as the parser prints it back: tests/test_expr.py)
_IX = ("where(np.real(value(x) * -1j) > 0.0, -(-x * np.sqrt(x - x - 1.0)), "
       "x * np.sqrt(x - x - 1.0))")
_1_PLUS_IX, _1_MINUS_IX = f"{_IX} - -1.0", f"-({_IX} - 1.0)"
# :data:`_OFF_AXIS` by np.imag (no complex temporary of a real array's size: arctan' of a
# real array dual of 1e4 took 60 -> 87 us with it, bench/prec62.py)
_OFF_AXIS_IMAG = "np.absolute(np.imag(value(x))) > 0.0"


def _unoverflowed(expr, square, big, tiny=False, test=None):
    """``expr`` where ``square`` (a sum of squares of the arguments) stays below 1e300,
    else ``big``, ``expr`` (or its leading part) written in ``X`` and ``Y``, the
    arguments scaled by 2**-600, and its result scaled back: the scalings are powers
    of two, so exact, and the scaled squares round as the unscaled ones would have
    (a square too small to survive the scaling is far below the other's last place);
    ``expr`` must be homogeneous of degree -1.  With ``tiny`` (``big`` must then be all
    of ``expr``), also where ``square`` is below 1e-200, with the arguments scaled by
    2**600: the squares underflow below 1e-308 (arctan2's gradient was inf below |x| ~
    1e-154 for 5e299 at 1e-300, and 1e-5 off at 1e-160, where they are subnormal), and
    below 1e-200 a Hessian's quotient rule (out / square, ~ 1 / |x|**3) overflowed to
    NaN (at 1e-120 for 1.6e239).  ``test``, when given, replaces ``square > 1e+300`` as
    the large side's condition (a value-only one for a holomorphic row).  Written in
    the parser's canonical spelling (``X * (X)``, ``-(X)``), as the table's text must be,
    without parsing at import."""
    def scaled(factor):
        return big.replace("X", f"x * {factor}").replace("Y", f"y * {factor}")
    down = "2.409919865102884e-181"     # 2**-600
    up = "4.149515568880993e+180"       # 2**600
    if tiny:
        expr = f"where({square} < 1e-200, {scaled(up)} * {up}, {expr})"
    return f"where({test or f'{square} > 1e+300'}, {scaled(down)} * {down}, {expr})"


def _canonical(text):
    """A generated expression in the parser's canonical spelling (what the table's text
    must be; :mod:`dualgrad.rules._expr`); for scipy's rows, made on first use."""
    return parse(text, ("x", "y", "out")).source()


def _canonical3(text):
    """:func:`_canonical` of a ternary row's expression (in ``x``, ``y``, ``z``)."""
    return parse(text, _PARAMS[2]).source()


def _canonical4(text):
    """:func:`_canonical` of a row of four arguments (in ``x``, ``y``, ``z``, ``w``:
    ``hyp2f1(a, b, c, z)`` is ``(x, y, z, w)`` here)."""
    return parse(text, _PARAMS[3]).source()


def _erfcx_tail(depth=24):
    """``K(x)`` with ``erfcx(x) = 1 / (sqrt(pi) (x + K(x)))``: the continued fraction
    ``(1/2) / (x + 1 / (x + (3/2) / (x + ...)))`` to ``depth`` levels, its remainder
    started at the root ``t`` of ``t = ((depth + 1) / 2) / (x + t)``; so
    ``erfcx'(x) = 2 x erfcx(x) - 2 / sqrt(pi) = -2 K(x) erfcx(x)``, with no cancellation.
    At depth 24 it is within 1e-15 of mpmath for x >= 3 (the cancelling form's error
    there is 6e-15 and grows as x**2)."""
    c = depth + 1.0
    tail = f"{c} / (np.sqrt(x * x + {2.0 * c}) + x)"
    for k in range(depth, 0, -1):
        tail = f"{k / 2.0} / (x + {tail})"
    return tail


def _faddeeva_tail(first=1, depth=24, x="x", square=None):
    """``K(x)`` with ``wofz(x) = (i / sqrt(pi)) / (x - K(x))`` in the upper half plane
    (``first`` 1), a source string: Laplace's continued fraction ``(1/2) / (x - 1 / (x -
    (3/2) / (x - ...)))`` to ``depth`` levels, its remainder started at the root ``t``
    of ``t = ((depth + 1) / 2) / (x - t)`` nearest 0, ``(depth + 1) / (x + x sqrt(1 -
    2 (depth + 1) / x**2))``; from level ``first``, its tail ``T`` (``first`` 2: ``K =
    (1/2) / (x - T)``).  So ``w'(x) = 2 i / sqrt(pi) - 2 x w(x) = -2 K(x) w(x)`` without
    cancellation where w's exponential part is negligible (:func:`_wofz_forms`).  The
    cancelling form loses ~|x|**2 ulps (1e-12 relative at |x| = 8, 2e-8 at 1e4, every
    digit at 1e8); for |x| >= 6 at depth 24 the fraction is within 2e-14 of mpmath on
    every ray (73 angles; 1.6e-10 at |x| = 5, where it converges too slowly near the
    real axis).  The same continued fraction as :func:`_erfcx_tail`'s (``erfcx(x) =
    wofz(i x)``).

    With ``square`` (the source of s**2), the fraction scaled by ``s sqrt 2`` at ``x =
    zeta / (s sqrt 2)``, in ``zeta`` (``x``) and s**2 alone: ``k s**2 / (zeta - ...)``
    at level k, the remainder ``2 c s**2 / (zeta + zeta sqrt(1 - 4 c s**2 / zeta**2))``
    (voigt_profile's, finite at s = 0, where it is 0)."""
    c = depth + 1.0
    if square is None:
        tail = f"{c} / ({x} + {x} * np.sqrt(1.0 - {2.0 * c} / ({x} * {x})))"
        for k in range(depth, first - 1, -1):
            tail = f"{k / 2.0} / ({x} - {tail})"
        return tail
    tail = (f"{2.0 * c} * {square} / ({x} + {x} * np.sqrt(1.0 - {4.0 * c} * {square} / "
            f"({x} * {x})))")
    for k in range(depth, first - 1, -1):
        tail = f"{float(k)} * {square} / ({x} - {tail})"
    return tail


def _wofz_forms(near, far, below, axis, v="value(x)", start=6.0):
    """A function of Faddeeva's ``w = wofz`` (``out``), a source string: ``far`` (by the
    continued fraction ``K``, :func:`_faddeeva_tail`) where |x| > 6 above the real axis,
    away from it, and near it (|Re x| > |Im x|) where ``|exp(-x**2)| e |x|**4 <= 1e-18
    |Im x|``, ``e = exp(-2 |Re x Im x|)``; ``below`` (the same fraction at ``-x`` and
    ``w(x) = 2 exp(-x**2) - w(-x)``: the far form plus the exponential part's own term)
    in the same region's mirror below the axis; else ``near``.  Above the axis the
    fraction has no exponential part to miss but the one its depth leaves near the
    axis, which fades as ``e`` (mpmath: 2e-12 of |exp(-x**2)| at 7 + 0.5i); below it
    the fraction at ``-x`` leaves the same, while ``near`` cancels ~|x|**2 ulps
    (attack27: 4e-4 relative at 1e6 (1 + 1e-15) + 1e6 i).  Below the axis and near its
    diagonal, ``E = exp(-x**2)`` is small in w but leads w' (``-4 x E`` beside ``~1 /
    x**2``), and its phase ``2 Re x Im x`` rounds by ~|x|**2 ulps: NaN (dawsn's band,
    :func:`_dawsn_forms`) where that is past 1e-10 of w' (``Re x**2 < 5 log|x| - 10.4``,
    |x|**2 >= 1e5) unless E leads w too (``Re x**2 <= 3.6 + log1p|Re x|``: there w' is
    within ~10x of SciPy's w): w' was 7.6e-5 off at |x| = 1.4e6, 141 % at 3.9e8 while w
    held (diff61 12); with the edge at 12 + log1p|Re x| (silent62) a window where E leads
    w' but not w stayed finite and wrong, 55-88 % at |x| = 1e8 (diff62 1, 2).  On the real axis ``Re w = exp(-x**2)`` is the part the
    fraction lacks: its ``Re w' = -2 K exp(-x**2)`` was 2 x**2 times the true ``-2 x
    exp(-x**2)`` (a Gaussian's wing in voigt_profile at gamma = 0); where it is kept
    (|Re x| below 27.3 at Im x = 0, 7.3 at Im x = 1) the near form's cancellation is
    at most 750 ulps (1.7e-13 relative), but its second level's ~|x|**2 times that (1.4e-9
    at 26.55): on the axis past |x| = 8 ``axis``, the fraction for ``w - exp(-x**2)`` (its
    remainder's square root is real there) and that part's own term.  ``v``: the source
    of x's value (erfcx's row reads w at ``i x``); ``start``: the least |x| of the
    fraction (6: where it holds)."""
    a, b, im, fade, lost = _regions(v)
    near_axis = f"where({a} - 1e+300 * {b} > 8.0, {axis}, {near})"
    return (f"where(np.absolute({v}) > {start}, where({a} > {b}, where({fade}, {near_axis}, "
            f"where({im} >= 0.0, {far}, where({lost}, (x - x) / 0.0, {below}))), "
            f"where({im} >= 0.0, {far}, {near})), {near_axis})")


def _regions(v):
    """The tests of :func:`_wofz_forms` at the value ``v`` (a source string): ``|Re v|``,
    ``|Im v|``, ``Im v``, the fraction's residual counts (``fade``), exp(-v**2)'s phase
    is lost in the slope (``lost``)."""
    a, b, im = f"np.absolute(np.real({v}))", f"np.absolute(np.real({v} * -1j))", f"np.real({v} * -1j)"
    fade = (f"np.absolute(np.exp(-({v} * {v}) - 2.0 * {a} * {b})) * np.absolute({v} * {v} * {v} * {v}) > "
            f"1e-18 * {b}")
    square = f"({a} - {b}) * ({a} + {b})"
    lost = (f"np.real(where({a} * {a} + {b} * {b} < 100000.0, 0.0, "
            f"where(np.real({square} - np.log1p({a})) > 3.6, "
            f"5.0 * np.log1p(np.absolute({v})) - 10.4 - {square}, 0.0))) > 0.0")
    return a, b, im, fade, lost


def _dawsn_forms(far, near, lost, split):
    """Dawson's ``D'(z) = 1 - 2 z D(z)``, a source string: ``far`` (the continued
    fraction's ``-2 K(z) D(z)``, no cancellation) on the real line past |x| = 10 and,
    off it, where D's exponential part is negligible in D' too; ``split`` (the fraction
    and that part's own term) off the axis where the fraction holds (:func:`_wofz_forms`'
    regions), ``lost`` (NaN) where that part's phase is past float64 in D'; else
    ``near`` (the cancelling form).  Off the axis ``D = 1 / (2 (z - K)) + E``, ``E = i
    sign(Im z) (sqrt(pi) / 2) exp(-z**2)`` (the fraction's residual near the axis fades
    as ``exp(-2 |Re z Im z|)``), so ``D' = -2 K D - 2 (z - K) E``; the far form lacks
    the last term: ``4 sqrt(pi) |z|**3 exp(-Re z**2)`` relative to D' ~ -1 / (2 z**2),
    below 1e-17 where ``|Re z| > |Im z|``, ``|Re z| > 10`` and ``Re z**2 > 44 + 3
    log1p(|Re z|)`` (``|Re z| >= |z| / sqrt 2``).  The near form is off by ~2 eps |z|**2
    where E does not lead, and its second level by ~|z|**2 times that (1.3e-6 at 223 +
    223i, silent62), so it is kept at |z| <= 20 (1e-10 at the second level: the
    fraction costs more), near the real axis where the fraction's residual counts (|z| <
    28), and where E leads (|Im z| >= |Re z|).  Near the diagonals at |z| > 316, D' = -1 /
    (2 z**2) - 2 z E needs E's phase ``2 Re z Im z`` to better than its rounding (|z|**2
    eps radians), which float64 does not give: NaN there (attack60 09: 100 % off at |z| =
    1e8).  ``Re z**2`` as ``(a
    - b) (a + b)`` (a, b = |Re z|, |Im z|): no inf - inf.  On the real line (``Im z ==
    0``) the earlier row, bit for bit, and its tests alone (the lazy where calls one
    branch)."""
    v = "value(x)"
    a, b, _, fade, phase = _regions(v)
    square = f"({a} - {b}) * ({a} + {b})"
    real = f"where({a} - 1e+300 * {b} > 10.0, {far}, {near})"
    far_test = (f"np.real(where({a} > 10.0, where({a} > {b}, {square} - 3.0 * np.log1p({a}), 0.0), "
                "0.0)) > 44.0")
    off = (f"where({a} > {b}, where(np.absolute({v}) > 20.0, where({fade}, {near}, "
           f"where({phase}, {lost}, {split})), {near}), {near})")
    return f"where({_OFF_AXIS}, where({far_test}, {far}, {off}), {real})"


def _exp_square(sign):
    """``exp(sign x**2)`` (``sign`` "-" or ""), a source string, as ``exp(sign (x - v)(x +
    v)) exp(sign S)``: ``v = value(x)``, so the first factor is 1 and carries x**2's
    derivatives, and ``S`` is x**2's value with its real part as ``(|a| - |b|)(|a| +
    |b|)`` (a, b = Re x, Im x), which does not cancel as ``Re(x * x) = a*a - b*b`` does
    near the diagonals (|z|**2 ulps: wofz' / D' 9e-7 off at |z| = 1e5 with the values
    good to 4e-8, diff62 2); ``i`` as :data:`_IM` on values (real arrays keep their dtype)."""
    v = "value(x)"
    a, b = f"np.absolute(np.real({v}))", f"np.absolute(np.real({v} * -1j))"
    square = (f"({a} - {b}) * ({a} + {b}) + 2.0 * np.sqrt(({v} - {v}) - 1.0) * "
              f"np.real({v}) * np.real({v} * -1j)")
    return f"(np.exp({sign}((x - {v}) * (x + {v}))) * np.exp({sign}({square})))"


_E_MINUS = _exp_square("-")          # exp(-x**2)


def _dawsn_split():
    """``D' = -2 K D - 2 (z - K) E`` off the real axis (:func:`_dawsn_forms`), a source
    string: ``2 E = i sign(Im z) sqrt(pi) exp(-z**2)``."""
    k = _faddeeva_tail()
    return (f"-2.0 * ({k}) * out - where(np.real(value(x) * -1j) > 0.0, 1.7724538509055159, "
            f"-1.7724538509055159) * {_IM} * {_E_MINUS} * (x - ({k}))")


def _past_1e100(form, text, sign):
    """:func:`_huge` for Dawson's (``sign`` 1) and erfcx (``sign`` -1): ``text`` past
    |x| = 1e100 where the exponential part (``exp(-sign x**2)``) is 0, ``sign Re x**2 >
    1e4``, or for erfcx at ``Re x >= 0`` (where it has none): there D ~ 1 / (2 x) and
    erfcx ~ 1 / (sqrt(pi) x), so ``-out / x`` is D' and erfcx' to the last bit, where
    the fraction's ``x * x`` overflowed (complex: NaN past |x| ~ 1e154 at first
    order; real: a second level's NaN)."""
    v = "value(x)"
    a, b = _regions(v)[:2]
    rest = "1e+10" if sign > 0 else f"{a} - np.real({v})"
    return _huge(form, text, f"where({float(sign)} * ({a} - {b}) * ({a} + {b}) > 10000.0, 0.0, {rest})")


def _erfcx_forms(far, near, times=""):
    """erfcx's slope ``2 z out - 2 / sqrt(pi)`` (the forms but ``far`` after ``times``,
    the quotient's ``x * ``), a source string: ``far`` (the continued fraction's ``-2 out
    K(z)``) past ``Re z = 3``; ``near`` (the cancelling form) on the real line; off it at
    ``Re z <= 3``, ``erfcx(z) = w(i z)`` and ``erfcx' = i w'(i z)`` in
    :func:`_wofz_forms`' regions at ``i z`` (Faddeeva's fraction there past |z| = 20,
    with ``4 exp(z**2) (i z - K)`` at ``Re z < 0``, NaN where that part's phase is past
    float64, ``near`` where the fraction does not hold or costs more than the 1e-10 it
    saves).  The near form off the axis was off by ~2 eps |z|**2 relative, its second
    level by ~|z|**2 times that (1.6e-6 at -151 + 180i, silent62); 39cf1146's
    ``1j * wofz_slope(1j * x)`` in the row's own terms, built only for complex values
    (diff61 19: 290 % off at 1 + 1e8 i, then NaN, now the fraction's number; i as
    :data:`_IM`)."""
    v = "value(x)"
    zeta = f"({_IM} * x)"
    k = _faddeeva_tail(x=zeta)
    e = _exp_square("")                              # exp(-(i x)**2)
    off = _wofz_forms(f"{times}({near})", f"{times}({_IM} * (-2.0 * ({k}) * out))",
                      f"{times}({_IM} * (-2.0 * ({k}) * out - 4.0 * {e} * ({zeta} - ({k}))))",
                      f"{times}({_IM} * (-2.0 * ({k}) * (out - {e}) - 2.0 * {zeta} * {e}))",
                      v=f"({v} * 1j)", start=20.0)
    return (f"where(np.real({v}) > 3.0, {far}, "
            f"where({_OFF_AXIS}, {off}, {times}({near})))")


def _huge(form, text, beside=None):
    """``form`` (a source string in ``x``), but ``text`` where ``|x| > 1e100`` and the
    row's exponential part is 0: for w, on or above the real axis, or below it where ``Re
    x**2 > 1e4`` (``beside`` None); else where ``beside`` (the source of a number) is
    not positive; at |x| = inf too.  The continued fraction's ``x * x``
    overflows there (to inf - inf = NaN on the diagonal, to inf * 0 on the axis, and its
    derivative from |x| ~ 1e154 on the axis: a second level was NaN), so the terms are
    written to leading order, which is their value to the last bit (the next term is
    ~1e-200 relative); at ``|x| = inf`` (``w = 0``) that gives 0, the limit.  (One
    comparison below 1e100, ``form`` written twice: the rest is read past it only.)"""
    v = "value(x)"
    if beside is None:                              # (NaN at |x| = inf: tested first)
        a, b, im = _regions(v)[:3]
        beside = f"where(({a} - {b}) * ({a} + {b}) > 10000.0, 0.0, np.absolute({im}) - {im})"
    past = (f"where(np.absolute({v}) > 1.7976931348623157e308, {text}, "
            f"where(np.real({beside}) > 0.0, {form}, {text}))")
    return f"where(np.absolute({v}) > 1e100, {past}, {form})"


def _wofz_slope(times=False):
    """w'(x) of Faddeeva's ``w`` (``out``): ``2 i / sqrt(pi) - 2 x w``, or ``-2 K w``
    (:func:`_faddeeva_tail`, :func:`_wofz_forms`), below the axis ``-2 K w - 4 exp(-x**2)
    (x - K)``; beyond |x| = 1e100, ``-w / x`` (:func:`_huge`).  ``times``: ``x w'``
    instead, the numerator of the row's quotient ``(x w') / x`` (``-w`` far out, where
    ``-w / x`` ~ 1e-400 underflowed beside a partial ~x: d/dt w(1e200 t) was 0j for
    -5.6e-201j, attack62 03)."""
    k = _faddeeva_tail()
    forms = _wofz_forms(f"{_2_SQRTPI}j - 2.0 * x * out", f"-2.0 * ({k}) * out",
                        f"-2.0 * ({k}) * out - 4.0 * {_E_MINUS} * (x - ({k}))",
                        f"-2.0 * ({k}) * (out - {_E_MINUS}) - 2.0 * x * {_E_MINUS}")
    return _huge(f"x * ({forms})", "-out") if times else _huge(forms, "-out / x")


def _wofz_moment_slope():
    """``(x w(x))' = w + x w'`` (``out`` is w), a source string: ``w (1 - 2 x**2) + 2 i x
    / sqrt(pi)``, or where the two terms cancel to ``-w / (2 x**2)`` (relative error
    ~|x|**2 ulps: voigt_profile's d/dsigma was 7e-11 off at sigma = 1e-3, every digit
    by 1e-6) ``-2 K T w = -T w / (x - T)``, ``T`` the fraction's tail from its second
    level (``1 - 2 x K = -T / (x - T)``; :func:`_wofz_forms`), below the axis with
    ``-4 x exp(-x**2) (x - K)`` (:func:`_wofz_slope`'s term times x)."""
    k, t = _faddeeva_tail(), _faddeeva_tail(2)
    return _huge(_wofz_forms(f"out * (1.0 - 2.0 * x * x) + {_2_SQRTPI}j * x",
                             f"-({t}) * out / (x - ({t}))",
                             f"-({t}) * out / (x - ({t})) - 4.0 * x * {_E_MINUS} * (x - ({k}))",
                             f"-({t}) * (out - {_E_MINUS}) / (x - ({t})) + "
                             f"{_E_MINUS} * (1.0 - 2.0 * x * x)"),
                 "-(out / x) / x")


def _voigt_derivatives():
    """d/dx, d/dsigma and d/dgamma of ``voigt_profile(x, sigma, gamma)`` (``x``, ``y``,
    ``z``) ``= Re w(u) / (sigma sqrt(2 pi))``, ``u = zeta / (sigma sqrt 2)``, ``zeta = x
    + i gamma``.  Near (|u| <= 6, or where w's exponential part counts:
    :func:`_wofz_forms`' regions in u), the chain rule through the table's
    ``wofz_slope(u)`` (w') and ``wofz_moment_slope(u)`` (``(u w)'``): ``Re w'(u) / (2
    sqrt(pi) sigma**2)``, ``-Re (u w)'(u) / (sqrt(2 pi) sigma**2)``, ``Re(i w'(u)) /
    (2 sqrt(pi) sigma**2)``.  Far, the same continued fraction scaled to zeta and
    sigma**2 (:func:`_faddeeva_tail`: ``P``, ``Q``, ``R`` from levels 1, 2, 3), so that
    ``V = Re(i / (pi (zeta - P)))`` with no division by sigma: ``Re(-i / (pi (zeta -
    P) (zeta - Q)))``, ``Re(2 i sigma / (pi (zeta - P) (zeta - Q) (zeta - R)))`` (w'' =
    4 K T w), ``Re(1 / (pi (zeta - P) (zeta - Q)))``.  Through 1 / sigma**2 the
    second derivatives in sigma of a line with a thin Gaussian cancelled (~|u|**2
    ulps: 8e-5 relative at sigma = 1e-6, |zeta| = 2); this form holds them, and at
    sigma = 0 is SciPy's Lorentzian ``gamma / (pi |zeta|**2)`` and its derivatives,
    d/dsigma ``2 sigma Re(i / (pi zeta**3))``: 0, the limit from sigma > 0 (SciPy's
    profile is not defined below), its own derivative the heat equation's
    ``d2V/dsigma2 = d2V/dx2``.  At x = sigma = gamma = 0 (V = inf) the derivatives
    are NaN."""
    u = "(x + 1j * z) * (0.7071067811865476 / y)"
    slope = f"wofz_slope({u})"
    scale = "0.28209479177387814 / y / y"          # 1 / (2 sqrt(pi) sigma**2)
    near = (f"np.real({slope}) * ({scale})",
            f"-np.real(wofz_moment_slope({u})) * ({_1_SQRT2PI} / y / y)",
            f"np.real(1j * {slope}) * ({scale})")
    zeta, square = "(x + 1j * z)", "(y * y)"
    p, q, r = (_faddeeva_tail(k, x=zeta, square=square) for k in (1, 2, 3))
    pq = f"(3.141592653589793 * ({zeta} - ({p})) * ({zeta} - ({q})))"
    far = (f"np.real(-1j / {pq})", f"np.real(2j * y / ({pq} * ({zeta} - ({r}))))",
           f"np.real(1.0 / {pq})")
    # the regions of _wofz_forms in u, written in zeta and sigma (finite at sigma = 0)
    zv, yv = "(value(x) + 1j * value(z))", "value(y)"
    fade = (f"np.absolute(np.exp(-({zv} * {zv}) / (2.0 * {yv} * {yv}) - "
            f"np.absolute(np.real(value(x))) * where(np.real(value(z) * {yv}) > 0.0, np.real(value(z) * {yv}), 0.0) / "
            f"({yv} * {yv} * np.absolute({yv})))) * "
            f"np.absolute({zv} * {zv} * {zv} * {zv}) > "
            f"2.8284271247461903e-18 * np.absolute(value(z) * {yv} * {yv} * {yv})")

    def regions(n, f):
        return (f"where(np.absolute({zv}) > 8.485281374238571 * np.absolute({yv}), "
                f"where(np.absolute({yv}) == 0.0, {f}, "
                f"where(np.absolute(np.real(value(x))) > np.absolute(np.real(value(z))), "
                f"where({fade}, {n}, {f}), where(np.real(value(z) * {yv}) >= 0.0, {f}, {n}))), "
                f"{n})")

    # Beyond |zeta| = 1e100 + 1e10 sigma (|u| > 7e9) with gamma sigma >= 0, the far
    # form's products of three zeta-sized factors overflow (inf - inf, inf * 0: NaN
    # where V is 0 or nearly, at x = 1e300 or inf); there w's asymptotic series, V = Re
    # F, F = i / (pi zeta) (1 + s**2 / zeta**2 + 3 s**4 / zeta**4), in r = 1 / zeta
    # and s r (< 1e-10: the next term is 1e-60 relative), is V to the last bit, and its
    # derivatives are written out; r = 0 at |x| = inf: 0, the limit.  (The condition's
    # last term is 0 for gamma sigma >= 0 and inf below: "huge and above" in one test.)
    r, sr = "(1.0 / (x + 1j * z))", "(y / (x + 1j * z))"
    slope = (f"(0.3183098861837907j * (-({r} * {r}) - 3.0 * ({sr} * {sr}) * ({r} * {r}) - "
             f"15.0 * ({sr} * {sr}) * ({sr} * {sr}) * ({r} * {r})))")
    series = (f"np.real({slope})",
              f"np.real(0.3183098861837907j * (2.0 * {sr} * ({r} * {r}) + "
              f"12.0 * ({sr} * {sr}) * {sr} * ({r} * {r})))",
              f"np.real(1j * {slope})")
    gs = f"value(z) * {yv}"
    huge = (f"np.absolute({zv}) - 1e100 - 1e10 * np.absolute({yv}) > "
            f"1e308 * (np.absolute({gs}) - np.real({gs}))")
    return tuple(_canonical3(f"where({huge}, {h}, {regions(n, f)})")
                 for n, f, h in zip(near, far, series))


def _ive_slope(order, y, terms=30):
    """d/dy ive(order, y) for large positive ``y`` (a source string; ``order`` a number
    or the source of one): the term-by-term derivative of Hankel's expansion
    ``ive(v, y) ~ (2 pi y)**-1/2 sum_k (-1)**k a_k(v) y**-k``, ``a_k = a_(k-1) (4 v**2 -
    (2k - 1)**2) / (8k)``, so ``-(2 pi y)**-1/2 sum_k (-1)**k a_k (k + 1/2) y**(-k-1)``,
    in Horner form.  The closed form ``(ive(v-1, y) + ive(v+1, y)) / 2 - ive(v, y)``
    cancels there (relative error ~ 2 y ulps: 3e-12 at y = 1e4, every digit by 1e16;
    2e-7 at v = 300, y = 90019, next to the zero of the slope at y ~ v**2).  For
    y >= 20 + v**2 / 4 each term is at most 2 / k times the one before, so 30 terms
    leave under 1e-23 and the alternating sum cancels by at most e**2: within 3e-15 of
    mpmath there (checked for v = 0, 0.5, 1, 2, 2.7, 10, 25, 60, 100, 150, 300)."""
    if not isinstance(order, str):          # a number: the coefficients, exactly rounded,
        from fractions import Fraction      # in Horner form (three operations a term)
        v2, a, coeffs = Fraction(order) ** 2 * 4, Fraction(1), []
        for k in range(1, terms + 1):
            a = a * ((2 * k - 1) ** 2 - v2) / (8 * k)
            coeffs.append(float(a * (2 * k + 1) / 2))
        series = repr(coeffs[-1])
        for c in reversed(coeffs[:-1]):
            series = f"{c!r} + ({series}) / {y}"
        return f"-(0.5 + ({series}) / {y}) / ({y} * np.sqrt(6.283185307179586 * {y}))"
    series = ""
    for k in range(terms, 0, -1):
        square = float((2 * k - 1) ** 2)
        r = f"({square} - 4.0 * {order} * {order}) / {8.0 * k}"
        series = f"{r} / {y} * ({k + 0.5}{' + ' + series if series else ''})"
    return f"-(0.5 + {series}) / ({y} * np.sqrt(6.283185307179586 * {y}))"


def _ive_moment(order):
    """``|y| d/dy ive(order, y)`` for large ``|y|`` (a source string in ``x``): the series
    of :func:`_ive_slope` over ``sqrt(2 pi |x|)`` alone, ``|x| * sqrt(2 pi |x|)`` being
    the one that overflows (the quotient form of i0e's and i1e's rows)."""
    slope = _ive_slope(order, "np.absolute(x)")
    head = " / (np.absolute(x) * np.sqrt(6.283185307179586 * np.absolute(x)))"
    assert slope.endswith(head)
    return f"{slope[:-len(head)]} / (2.5066282746310002 * np.sqrt(np.absolute(x)))"


def _bessel1_slope_series(sign, terms=10):
    """J1'(x) (``sign`` -1) or I1'(x) (``sign`` +1) near 0, a source string: the Taylor
    series ``sum_k sign**k (2k + 1) / 2 (x / 2)**2k / (k! (k + 1)!)`` in Horner form in
    ``x * x``.  For |x| < 1 the first omitted term (k = 10) is below 2e-19 relative.
    The recurrences ``J0 - J1 / x`` and ``I0 - I1 / x`` are exact to rounding there, but
    their own derivative, ``(J1' - J1 / x) / x`` through the quotient rule, cancels as x
    falls (J1' and J1 / x both near 1/2): ~eps / x**2 relative in a second derivative
    (1e-8 at x = 1e-4, 6e-15 at 0.58), so below 1 the series, whose derivative is its
    own term by term."""
    from fractions import Fraction          # (not at import: scipy's rows are made on first use)
    from math import factorial
    coeffs = [float(Fraction(sign ** k * (2 * k + 1), 2 * 4 ** k * factorial(k) * factorial(k + 1)))
              for k in range(terms)]
    series = repr(coeffs[-1])
    for c in reversed(coeffs[:-1]):
        series = f"{c!r} + x * x * ({series})"
    return series



def _ellip_slope_series(kind, terms=30):
    """d/dm of ``ellipk`` (``kind`` "k") or ``ellipe`` ("e") near ``m = 0``, a source
    string: the term-by-term derivative of ``K(m) = (pi/2) sum c_n**2 m**n`` (``E(m) =
    (pi/2) sum c_n**2 m**n / (1 - 2n)``), ``c_n = (2n)! / (4**n n!**2)``, in Horner
    form in ``x``.  The closed forms ``(E / (1 - m) - K) / (2 m)`` and ``(E - K) / (2 m)``
    are 0 / 0 at ``m = 0`` (NaN for pi / 8 and -pi / 8) and cancel beside it (relative
    error ~eps / |m|); for ``|m| < 1/4`` the series instead, whose 30 terms leave under
    3e-19 relative there (``c_n**2 <= 1 / (pi n)``)."""
    from fractions import Fraction          # (not at import: scipy's rows are made on first use)
    from math import factorial
    coeffs = []
    for n in range(1, terms + 1):
        c = Fraction(n) * Fraction(factorial(2 * n), 4 ** n * factorial(n) ** 2) ** 2
        coeffs.append(float(c if kind == "k" else c / (1 - 2 * n)) * 1.5707963267948966)
    series = repr(coeffs[-1])
    for c in reversed(coeffs[:-1]):
        series = f"{c!r} + x * ({series})"
    return series


def _incomplete_slope(endpoint, powers, exponent):
    """The density behind ``gammainc`` / ``betainc``, a source string: ``exponent`` (a
    sum of ``sc.xlogy`` / ``sc.xlog1py`` terms and the log normalisation) exponentiated,
    but ``powers`` (the same density as ``**`` products) where ``endpoint`` (a test of
    values) says the variable is at an endpoint of its domain (0, or 1 for betainc).  ``(a - 1) log x`` was
    ``0 * -inf = NaN`` at ``x = 0``, ``a = 1`` (``gammainc(1, x)``'s derivative is
    ``exp(-x)``, 1 there; outside attack 32): ``xlogy`` takes it as 0 (SciPy's
    convention), so the first derivative is exact at the endpoints (``x**(a - 1)``'s
    limit: 0 for ``a > 1``, ``+inf`` for ``a < 1``, where the derivative does not exist
    and the one-sided limit is given); at the endpoints themselves ``**`` (the power
    row's exact limits at a zero base) keeps a Hessian's second derivative too
    (``xlogy``'s own derivative is ``(a - 1) / x``: ``0 * inf`` there).  Away from the
    endpoints the exponential form, whose terms do not overflow where the powers would
    (``x**(a - 1)`` at ``a = x = 200``)."""
    return f"where({endpoint}, {powers}, np.exp({exponent}))"


# The sign of ``x ** (y - 1)`` at a negative base to an integer power ``y``: ``(-1) ** (y
# - 1)``, -1 where ``y`` is even, read from ``y`` itself (``y - 2 floor(y / 2)`` is exact
# at every magnitude, where ``y - 1.0`` rounds past 2**53), values only; 1 at a positive
# base.  Written here once (diff71 F1): the power rows' d/dx branch past 2**53, where
# every float is even, takes its first factor (:func:`_power_at_zero`); their spread's
# ``c`` carries it whole, so the extended-range products, which take the base's
# magnitude (``dispatch._farpower``, the jit wing's ``_far``), take their sign from it
_NEGATIVE_BASE = "np.copysign(1.0, np.real(value(x)))"
_ODD_POWER_SIGN = (f"where(np.real(value(y)) == 2.0 * np.floor(0.5 * np.real(value(y))), "
                   f"{_NEGATIVE_BASE}, 1.0)")


def _power_at_zero(power):
    """d/dx and d/dy of ``x ** y`` (``power``: the call, ``{}`` its exponent) with the
    branch ``x == 0`` (values only) built from the limits x -> 0+, not the formula.

    There ``y x**(y-1)`` and ``x**y log x`` differentiate to terms ``x**(y-i) (log x)**m``
    whose limits are 0 (``y > i``) or a signed infinity (the highest power of log x with
    a nonzero coefficient wins), except the pure x-derivatives at an integer ``y``;
    the formula, differentiated as nested duals, met ``0 * inf`` and ``inf - inf`` there
    and its conventions at x = 0 (d/dx x**0 = 0, d/dy 0**y = 0, kept as the first
    derivatives) were differentiated as constants (outside attack 15: d2/dxdy 0**y at
    y = 1 was 1 one way, 0 the other, the limit is -inf).  The branch is a sum of terms
    in ``X = x + 0.0`` and ``E = y - value(y)`` (the value 0, y's partials) that are 0 on
    floats and whose derivatives are the limits' signs times inf: ``sqrt(E)`` (+, -, +,
    ... in y), ``sqrt(X E)`` (d2/dxdy only, through the third derivative of x ** y),
    ``X**a`` with ``a`` between ``value(y)`` rounded up and its predecessor (0 below it,
    then signs alternating), and ``value(y) x**(value(y)-1)``, the pure x-derivatives
    (exact); its zeros are -0.0 where ``x**(y-1)`` may be -0.0 (x = -0.0), which a
    sum keeps.  Exact limits through the third derivative, and in y alone and x alone at
    every order; the fourth and higher mixed ones are not held to them."""
    yv = "np.real(value(y))"
    eta = "where(np.absolute(value(y)) <= 1.7976931348623157e+308, y - value(y), 0.0)"
    s_eta, s_mix = f"np.sqrt({eta})", f"np.sqrt((x + 0.0) * {eta} + 0.0)"
    whole = f"{yv} == np.real(np.trunc({yv}))"
    up = f"where({whole}, {yv} - 0.5, {yv})"       # a in (ceil(y) - 1, ceil(y))
    # past 2**53 every float is an even integer and ``y - 1.0`` rounds to an even one (y,
    # or y - 2 by ties to even): ``x**(y - 1.0)`` loses the odd power's sign at a
    # negative base (+k for -k at x = -1, y = k = 2**54: attack70 F3) and is off by a
    # factor x.  There ``x**(y - 1) = x**(y - 1.0) * x**c``, ``c = (y - 1) - (y - 1.0)``
    # (-1 or 1, exact: ``(y - 1.0) - y`` is), ``x**c`` taken on x's value: its own
    # derivative's term is 1 / y of the other's (below the rounding), and where
    # ``x**(y - 1.0)`` overflows its partials and that term made inf - inf; at a
    # zero base (``x**c`` an inf beside a 0) the sign of x, the odd power's; an infinite
    # y as before (its ``c`` is NaN).  From 2**53 itself: ``-2**53 - 1.0`` rounds to the
    # even -2**53 (ties to even), and a nested level differentiates ``x ** (y - 1.0)``
    # at the exponent ``y - 1.0`` the level above left, so the second derivative of x
    # ** k at k = 1 - 2**53 met this row at y = -2**53 (attack71 F2: +8.1e31 for -8.1e31
    # at x = -1; the third at k = 2 - 2**53 likewise): below 2**53 in magnitude ``y -
    # 1.0`` is exact, so every order keeps the parity of the exact k - j
    huge = (f"np.absolute(value(y)) >= {2.0 ** 53!r}",
            "np.absolute(value(y)) <= 1.7976931348623157e+308")
    c = "-1.0 - (value(y) - 1.0 - value(y))"
    at_zero = power.format('value(y) - 1.0')
    # ``x**c`` where |x| is in [0.5, 2] (``x**(y - 1.0)`` is 0 or inf elsewhere, and
    # ``x**c`` may be too: inf * 0 at x = inf, 1e-310), else the odd power's sign alone
    near = "np.absolute(np.absolute(value(x)) - 1.25) <= 0.75"
    # (the sign of ``x**c`` there: x's, the odd power's, where c is -1 or 1; 1 at y =
    # 2**53 itself, whose ``y - 1.0`` is exact and odd (c = 0): its ``x**(y - 1.0)``
    # already has the odd power's sign, which x's sign flipped (attack72 F3: d/dx x **
    # 2**53 at x = -3 read +inf for -inf, the orders above at 2**53 + 2 alike)
    odd = f"where({yv} == {2.0 ** 53!r}, 1.0, {_NEGATIVE_BASE})"
    dx0 = (f"where({yv} == 0.0, 0.0, value(y) * where({huge[0]}, where({huge[1]}, "
           f"{at_zero} * {odd}, {at_zero}), {at_zero})) + "
           f"where({yv} > 1.0, -0.0, where({yv} > 0.0, -{s_eta}, {s_eta})) + "
           f"where({yv} > 2.0, -0.0, where({yv} > 1.0, -{s_mix}, "
           f"where({yv} > 0.0, {s_mix}, -{s_mix})))")
    dy0 = (f"where({yv} > 0.0, -np.float_power(x + 0.0, {up}), np.sqrt(x + 0.0)) + "
           f"where({yv} > 0.0, 0.0, {s_eta}) + "
           f"where({yv} > 1.0, 0.0, where({yv} > 0.0, {s_mix}, -{s_mix}))")
    zero = "np.absolute(value(x)) == 0.0"
    # y == 0 at a subnormal x: ``(y / x) out``, the same function, where ``0 * x**-1``
    # is NaN (x**-1 overflows; d/dx x**0 is 0 there, and d2/dx2 x**1 through it:
    # attack61 01); only there (y / x alone lost d2/dy2: attack61 05, diff61 17), and on
    # y's whole value: an imaginary y is no zero (attack61 06)
    formula = f"y * {power.format('y - 1.0')}"
    below = "np.absolute(value(x)) < 2.2250738585072014e-308"
    regular = (f"where(np.absolute(value(y)) == 0.0, where({below}, y / x * out, {formula}), "
               f"where({huge[0]}, where({huge[1]}, where({near}, y * ({power.format('y - 1.0')} * "
               f"{power.replace('x', 'value(x)', 1).format(c)}), y * ({power.format('y - 1.0')} * "
               f"{odd})), {formula}), {formula}))")
    # out underflowed at |x| <= 1: ``x * (x**(y-1) log x)``, whose nested d/dx keeps the
    # term ``out / x`` = x**(y-1) that ``out * log(x)`` loses (d2/dxdy x**y at x = 1e-200,
    # y = 2 was 5e-4 off: attack61); past 1, x**(y-1) underflows before out (attack61 13)
    lost = "np.absolute(value(out)) < 2.2250738585072014e-308"
    dy = (f"where({lost}, where(np.absolute(value(x)) <= 1.0, "
          f"x * ({power.format('y - 1.0')} * np.log(x)), out * np.log(x)), out * np.log(x))")
    return (f"where({zero}, {dx0}, {regular})", f"where({zero}, {dy0}, {dy})")


def where(cond, a, b):
    """``np.where`` that stays a Python scalar for a Python ``bool`` condition."""
    if cond is True or cond is False or type(cond) is np.bool_:
        return a if cond else b
    return np.where(cond, a, b)


def lazy_where(cond, a, b):
    """``where(cond, a(), b())`` for a condition on values only (rules/_expr.py's
    ``LAZY``), calling a branch only where some element takes it: the result where no
    element takes the other is the taken branch spread over ``cond``'s shape, as
    ``np.where`` would give it (the branches of one row share their dtype: formulas of
    the same arguments)."""
    if cond is True or cond is False or type(cond) is np.bool_:
        return a() if cond else b()
    if not cond.any():
        b = b()
        return np.where(cond, b, b)
    if cond.all():
        a = a()
        return np.where(cond, a, a)
    return np.where(cond, a(), b())


_DUAL = []      # [dualgrad.dual._base.Dual]: registered there (rules/ imports no higher wing)


def value(x):
    """The table's ``value(x)``: the primal value of ``x``, every dual layer stripped
    (a float, a complex number or an array of them; the innermost value of a nested
    dual), for a where's condition that must not be differentiated nor compare
    duals (:mod:`dualgrad.rules._expr`).  Not differentiable: the parser allows it in
    conditions only."""
    if _DUAL:
        dual = _DUAL[0]
        while isinstance(x, dual):
            x = x.value
    return x


@dataclass(frozen=True)
class Rule:
    """One row of the table; see the module docstring for the fields' meaning."""
    ufunc: object
    kind: str
    derivs: tuple = ()
    domain: tuple = ()          # per argument (low, high) for the tests
    operator: str = ""          # dunder stem generated on both dual types
    kink: str = ""              # the convention chosen where it is not smooth
    note: str = ""
    # Not holomorphic on complex values: the tangent in ``x``, ``out`` and the
    # partials ``dx`` (value axes broadcast against its last axis), the real-pair
    # convention (JAX's).  Used when a value or its partials are complex.
    tangent: str = ""
    # A selection row (see the module docstring): its derivatives are 0/1 indicators,
    # and each backend emits a select of the partials where other rows multiply.
    select: bool = False
    # Where the value jumps or kinks (see the module docstring): ``(kind, step, place)``
    # triples, read by dg.quad's watch.
    branch: tuple = ()
    # Per argument, ``(a, b)``: the local derivative is ``a / b``, in the same names.
    # Where it overflows (``-1 / u**2`` at |u| < 1e-154) while ``a`` and ``b`` are
    # finite, a partial ``p`` is multiplied by it in two steps, ``(p / b) * a`` (or
    # ``(p * a) / b`` for |a| < 1), which is finite wherever the product is; ``()``
    # or ``None`` for an argument: the one-number form only.
    quotient: tuple = ()
    # Per argument, ``(c, h)``: the local derivative is ``c * h**4`` (a power's, ``h`` the
    # base to a quarter of the exponent, in the float range wherever a product with a
    # partial can be; at a negative base the extended-range forms take ``h`` of its
    # magnitude and ``c`` carries the sign, :data:`_ODD_POWER_SIGN`).  Where that product with a plain partial ``p`` is not finite and
    # normal, the general path takes ``c h**4 p`` by mantissas and exponents
    # (:func:`spread_product`) where that is finite and normal: ``y x**(y - 1) dx`` at x
    # = 1e-310, y = -1, dx = 5e-324 is -4.9e296, where ``y * out`` (the quotient's
    # numerator) is -inf already.  ``None`` or ``()`` for an argument: no such form.
    spread: tuple = ()

    def __post_init__(self):
        # the hash of the fields (the one dataclass would generate: equal rows, equal
        # hashes), computed once: a row is a dictionary key on every operation's path
        # (the argument factors of a deferred ``u * v``), and hashing its twelve fields
        # per lookup cost 1-2 us, about six times a heat step (heat69)
        object.__setattr__(self, "_hash", hash((
            self.ufunc, self.kind, self.derivs, self.domain, self.operator, self.kink,
            self.note, self.tangent, self.select, self.branch, self.quotient, self.spread)))

    def __hash__(self):
        return self._hash

    def __reduce__(self):
        # made again from its fields where unpickled: the cached hash is this process's
        return (Rule, (self.ufunc, self.kind, self.derivs, self.domain, self.operator,
                       self.kink, self.note, self.tangent, self.select, self.branch,
                       self.quotient, self.spread))

    @property
    def name(self):
        return self.ufunc.__name__

    @cached_property
    def exprs(self):
        """The parsed derivatives (:class:`dualgrad.rules._expr.Expr`), one per
        argument; ``None`` where :attr:`derivs` holds ``None`` or ``"0"``.

        Parsed on first use (``import dualgrad`` stays fast); a name or
        function outside the table's vocabulary raises ``ValueError`` here.
        """
        params = _PARAMS[len(self.derivs) - 1] if self.derivs else ()
        return tuple(None if e is None or e == "0" else
                     parse(e, params, f"{self.name}, d/d{params[k]}")
                     for k, e in enumerate(self.derivs))

    def _parsed_pairs(self, given, word):
        """``given`` (:attr:`quotient` or :attr:`spread`: pairs of expressions, one per
        argument) parsed, ``None`` where an argument has none."""
        params = _PARAMS[len(self.derivs) - 1] if self.derivs else ()
        pairs = tuple(given) + (None,) * (len(self.derivs) - len(given))
        return tuple(None if not q else
                     tuple(parse(e, params, f"{self.name}, {word} of d/d{params[k]}")
                           for e in q) for k, q in enumerate(pairs))

    @cached_property
    def quotient_exprs(self):
        """The parsed :attr:`quotient` pairs, one per argument (``None`` where none)."""
        return self._parsed_pairs(self.quotient, "quotient")

    @cached_property
    def spread_exprs(self):
        """The parsed :attr:`spread` pairs, one per argument (``None`` where none)."""
        return self._parsed_pairs(self.spread, "spread")

    @cached_property
    def tangent_expr(self):
        """The parsed :attr:`tangent` (in ``x``, ``out``, ``dx``), or ``None``."""
        return parse(self.tangent, ("x", "out", "dx"), f"{self.name}, tangent") \
            if self.tangent else None

    @cached_property
    def number_tangents(self):
        """The tangent on Python numbers for a complex ``x`` (:func:`number_tangent_function`)
        where the partials are floats, complex numbers, or both (index 0, 1, 2), the
        value's kind NumPy's for a complex argument (``abs``, the parts: a float;
        ``conj``: complex); index 3: does the third serve all three (its source the
        first's: ``complex(p)`` only where the floats' own source promotes too, so
        complex numbers' ``complex(z)``, ``z`` itself, change nothing either)?  Made on
        first use; an attribute read after (the complex scalar duals' fast paths read
        it on every call)."""
        if not self.tangent:
            return (None, False), (None, False), (None, False), False
        out = "c" if np.iscomplexobj(self.ufunc(np.complex128(0.5 + 0.5j))) else "f"
        f, c, m = (number_tangent_function(self, out, dx) for dx in "fcm")
        return f, c, m, m[0] is not None and f[0].source == m[0].source


# the names of a derivative of a ufunc with 1, 2 or 3 arguments, in call order
_PARAMS = (("x", "out"), ("x", "y", "out"), ("x", "y", "z", "out"),
           ("x", "y", "z", "w", "out"))


# The convention at ties of every selection (maximum, minimum, fmax, fmin and the
# functions built on them: np.max, np.clip, np.ptp), stated once.
TIES = "ties: split evenly (0.5 / 0.5)"

_U = (-3.0, 3.0)        # an unbounded argument
_P = (0.2, 4.0)         # a positive argument
_I = (-0.9, 0.9)        # inside (-1, 1)
_INT = (-3, 3, "int")   # an integer-only argument


def _smooth(ufunc, *derivs, domain=None, operator="", kink="", note="", tangent="",
            select=False, quotient=(), spread=()):
    domain = domain or (_U,) * len(derivs)
    return Rule(ufunc, "smooth", tuple(derivs), tuple(domain), operator, kink, note,
                tangent, select, quotient=quotient, spread=spread)


def _selection(ufunc, wins, counted, kink):
    """A row that selects one of two arguments (``select=True``): ``x`` where ``x wins y``,
    else ``y`` where ``counted`` is not NaN; half each at a tie.  d/dy is the indicator
    of ``y``'s selection, d/dx its complement."""
    dy = (f"where(x {wins} y, 0.0, where({counted} == {counted}, 1.0, 0.0)) + "
          "where(x == y, 0.5, 0.0)")
    return _smooth(ufunc, f"1.0 - ({dy})", dy, kink=kink, select=True)


def _zero(ufunc, nin=1, operator="", note="", tangent=""):
    return Rule(ufunc, "zero", ("0",) * nin, (_U,) * nin, operator, "", note, tangent)


def _predicate(ufunc, operator="", note=""):
    return Rule(ufunc, "predicate", operator=operator, note=note)


def _unsupported(ufunc, note):
    return Rule(ufunc, "unsupported", note=note)


def _custom(ufunc, note, operator=""):
    return Rule(ufunc, "custom", operator=operator, note=note)


# np.absolute's tangent on complex values: the scale of the parts (2**600 below |x| =
# 2**-960, else 1.0) and the modulus of the scaled parts (out itself where the scale is
# 1.0), by a square root of their squares (normal numbers there: |x| >= 2**-1074 scaled
# is 2**-474), not np.absolute of a complex x, which the scalar twins have no source for
_ABS_LIFT = f"where(out < {2.0 ** -960!r}, {2.0 ** 600!r}, 1.0)"
_ABS_MODULUS = (f"where(out < {2.0 ** -960!r}, np.sqrt(np.real(x) * {2.0 ** 600!r} * "
                f"(np.real(x) * {2.0 ** 600!r}) + np.real(x * -1j) * {2.0 ** 600!r} * "
                f"(np.real(x * -1j) * {2.0 ** 600!r})), out)")
# np.sign's tangent's numerator on complex values (its denominator |x|)
_SIGN_STEP = "(dx - out * np.real(np.conjugate(out) * dx))"

_TABLE = [
    # ---- arithmetic -------------------------------------------------------------
    _smooth(np.add, "1.0", "1.0", operator="add"),
    _smooth(np.subtract, "1.0", "-1.0", operator="sub"),
    _smooth(np.multiply, "y", "x", operator="mul"),
    _smooth(np.true_divide, "1.0 / y", "-out / y", operator="truediv",
            domain=(_U, (0.5, 3.0)), quotient=(("1.0", "y"), ("-out", "y"))),
    _smooth(np.negative, "-1.0", operator="neg"),
    _smooth(np.positive, "1.0", operator="pos"),
    # d/dx y x**(y - 1) = (y out) / x: at x = 1e160, y = -1 it is 1e-320 beside dx ~ x
    # (d2/dt2 (1e160 t)**-1 was 0.0 for 2e-160): the two steps where it underflows
    # ... and spread over quarter powers where even y * out overflows (x = 1e-310, y = -1,
    # dx = 5e-324: -5e296) or (p a) / b underflows (x = 5e-324, y = 1e-310, dx = 1e-300:
    # 2e-287; diff64)
    _smooth(np.power, *_power_at_zero("x ** ({})"), quotient=(("y * out", "x"),),
            spread=((f"y * {_ODD_POWER_SIGN}", "x ** ((y - 1.0) * 0.25)"),
                    ("np.log(x)", "x ** (y * 0.25)")),
            domain=(_P, (-2.0, 2.0)), operator="pow",
            kink="d/dx x**0 = 0; d/dy 0**y = 0",
            note="at x = 0 the higher derivatives are the limits x -> 0+"),
    _smooth(np.float_power, *_power_at_zero("np.float_power(x, {})"),
            quotient=(("y * out", "x"),),
            spread=((f"y * {_ODD_POWER_SIGN}", "np.float_power(x, (y - 1.0) * 0.25)"),
                    ("np.log(x)", "np.float_power(x, y * 0.25)")),
            domain=(_P, (-2.0, 2.0)), kink="as power", note="as power"),
    _smooth(np.square, "2.0 * x"),
    _smooth(np.reciprocal, "-(out * out)", domain=((0.5, 3.0),), quotient=(("-out", "x"),)),
    # + 0.0: at an argument -0.0 (-(x) at x = 0) IEEE gives sqrt(-0.0) = -0.0 and log's 1 / -0.0 =
    # -inf; the one-sided slope from the domain (u >= 0) is +inf (attack58 06)
    _smooth(np.sqrt, "0.5 / (out + 0.0)", domain=(_P,), kink="inf at 0"),
    _smooth(np.cbrt, "1.0 / (3.0 * out * out)", domain=((0.2, 3.0),), kink="inf at 0"),
    _smooth(np.absolute, "np.sign(x)", operator="abs", kink="0 at x = 0",
            # Re(conj(x / |x|) dx) by real divisions, (Re x / |x|) Re dx + (Im x / |x|) Im dx:
            # conj(x) dx underflowed (0 for 5e-170 at |x| = 5e-170) or overflowed (inf at
            # 5e200, |x| finite) where Re x / |x| and Im x / |x|, in [-1, 1], do neither
            # (attack62 10); a complex x / |x| is NumPy's x * (1 / |x|), inf at a subnormal
            # |x| (NaN for 0.8 at 4e-309 + 3e-309i: diff62 0).  Below 2**-960 the parts
            # and |x| taken times 2**600 (exact: np.hypot's scaling), where |x|, near or
            # below the smallest normal number, kept a subnormal's few bits (d/dx |x (1 +
            # i)| at x = 1e-320 was 1.41440 for sqrt 2 = 1.41421: attack73 F4); elsewhere
            # the scale is 1.0 and the modulus out: the same numbers
            tangent=f"where(out == 0.0, 0.0, np.real(x) * {_ABS_LIFT} / "
                    f"where(out == 0.0, 1.0, {_ABS_MODULUS}) * np.real(dx) + "
                    f"np.real(x * -1j) * {_ABS_LIFT} / "
                    f"where(out == 0.0, 1.0, {_ABS_MODULUS}) * np.real(dx * -1j))"),
    _smooth(np.fabs, "np.sign(x)", kink="0 at x = 0"),
    _smooth(np.conjugate, "1.0", note="real inputs: the identity",
            tangent="np.conjugate(dx)"),
    # fmod(x, y) = x - q y exactly (IEEE fmod is exact), so x - out is q y up to one rounding
    # and rint((x - out) / y) is the quotient fmod used; trunc(x / y) was one more where x / y
    # rounds up to an integer (fmod(1.0, 0.1) = 1.0 - 9 * 0.1, x / y = 10.0: an outside attack)
    _smooth(np.fmod, "1.0", "-np.rint((x - out) / y)", domain=((0.1, 0.9), (1.1, 2.0)),
            kink="jumps where x / y is an integer"),
    # NumPy's floor_divide is the quotient its remainder used (both npy_divmod's):
    # floor_divide(x, y) == nint((x - remainder(x, y)) / y) on 24,500 points (mpmath)
    # where NumPy's value is NaN (y = 0, x infinite) the y-partial is NaN too, as fmod's
    # is: -floor_divide(1, 0) = -inf beside a NaN value read as a slope (attack31).  The
    # NaN branch is out * y: NaN, and so are its own derivatives (a Hessian's), NaN * 0
    _smooth(np.remainder, "1.0",
            "where(np.real(value(out)) != np.real(value(out)), out * y, "
            "-np.floor_divide(x, y))", operator="mod",
            domain=((0.1, 0.9), (1.1, 2.0)),
            kink="jumps where x / y is an integer; d/dy NaN where the value is NaN (y = 0)"),
    _zero(np.floor_divide, 2, operator="floordiv"),
    _custom(np.divmod, "(floor_divide, remainder)", operator="divmod"),
    _custom(np.modf, "(x - trunc(x), trunc(x))"),
    _smooth(np.ldexp, "np.ldexp(1.0, y)", None, domain=(_U, _INT),
            note="x * 2**i, integer i"),
    _unsupported(np.frexp, "its exponent output is an integer; use np.log2"),
    _smooth(np.copysign, "np.sign(x) * np.copysign(1.0, y)", "0",
            kink="0 at x = 0"),
    _smooth(np.nextafter, "1.0", "0", note="moves x by one ulp"),
    _zero(np.spacing),
    # ---- exponentials and logarithms --------------------------------------------
    _smooth(np.exp, "out"),
    _smooth(np.exp2, f"out * {_LN2}"),
    # exp(x), not out + 1: out rounds to -1 for x below about -37, where out + 1 gave 0
    # (for exp(x) = 4e-18 at x = -40)
    _smooth(np.expm1, "np.exp(x)"),
    _smooth(np.log, "1.0 / (x + 0.0)", domain=(_P,), quotient=(("1.0", "x + 0.0"),)),
    # (1 / ln b) / x, not 1 / (x ln b): x * ln 10 overflows from x ~ 7.8e307, where the
    # derivative is 5.6e-309 (an outside attack found 0 at 1e308)
    _smooth(np.log2, f"{1.0 / _LN2!r} / (x + 0.0)", domain=(_P,),
            quotient=((f"{1.0 / _LN2!r}", "x + 0.0"),)),
    _smooth(np.log10, f"{1.0 / _LN10!r} / (x + 0.0)", domain=(_P,),
            quotient=((f"{1.0 / _LN10!r}", "x + 0.0"),)),
    _smooth(np.log1p, "1.0 / (1.0 + x)", domain=((-0.8, 3.0),)),
    # 1 / (1 + e^(y - x)), not e^(x - out): out rounds to x's ulp for large x (at
    # x = y = 1e15, e^(x - out) gave 0.47 and 1.0 for 0.5 each) and inf - inf is NaN
    # and e^(x - y) / (1 + e^(x - y)) where x < y, the exponent never positive: e^(y - x)
    # overflowed from y - x ~ 710 (1 / inf is the right 0, but its own derivative, -0 /
    # inf times inf, was NaN: logaddexp'' at (800, 0)).  -|x - y| spelled with where, not
    # np.absolute, whose derivative is 0 at the tie x = y (the Hessian there was 0 for 1/4)
    _smooth(np.logaddexp,
            "where(x >= y, 1.0, np.exp(x - y)) / (1.0 + np.exp(where(x >= y, y - x, x - y)))",
            "where(y >= x, 1.0, np.exp(y - x)) / (1.0 + np.exp(where(y >= x, x - y, y - x)))"),
    _smooth(np.logaddexp2,
            "where(x >= y, 1.0, np.exp2(x - y)) / (1.0 + np.exp2(where(x >= y, y - x, x - y)))",
            "where(y >= x, 1.0, np.exp2(y - x)) / (1.0 + np.exp2(where(y >= x, x - y, y - x)))"),
    # ---- trigonometric ----------------------------------------------------------
    _smooth(np.sin, "np.cos(x)"),
    _smooth(np.cos, "-np.sin(x)"),
    # off the real axis 1 / cos(x)**2: 1 + tan(x)**2 cancels where tan x nears +-i (d/dz
    # tan at 30j was 0 for 1.05e-24, rel 0.96 at 3 - 25j: attack62 01); past |Im x| = 374
    # it is below the smallest subnormal (4 exp(-2 |Im x|)), 0, where cos would overflow (a
    # plain 0: 0 * x is NaN at Im x = +-inf, where tan x = +-i and the slope is 0: attack62 12)
    _smooth(np.tan, f"where({_OFF_AXIS}, where(np.absolute(np.real(value(x) * -1j)) > 374.0, "
            "0.0, (1.0 / np.cos(x)) ** 2.0), 1.0 + out * out)", domain=((-1.2, 1.2),)),
    # (1 - x)(1 + x), not 1 - x * x: near |x| = 1 the product x * x rounds by about an
    # ulp of 1 and 1 - x * x keeps that error (2.7e-9 relative at x = 1 - 1e-8); 1 - x and
    # 1 + x are exact there (Sterbenz).  Kahan's factors sqrt(1 - x) sqrt(1 + x), spelled
    # -(x - 1) and x - -1: on the cuts (complex x, |Re x| > 1, Im x = +-0) a real constant
    # becomes c + 0j, so 1 - x and x + 1 give Im +0 whatever Im x's sign (-0 + 0 = +0) and
    # the derivative took the other side (arcsin(x + 0j)' at x = 1.5 was -0.894j for
    # +0.894j); x - c keeps it (-0 - 0 = -0), and so does negation
    # Inside |x| < 1/2 (a disc for complex x, away from the cuts, where the two forms are
    # one analytic function) 1 - x * x instead: the factored form's own derivative,
    # -(1 + x) + (1 - x), cancels as x nears 0 (arcsin''(1e-12) was 9e-5 off), and
    # there 1 - x * x >= 3/4 keeps its bits.  The test reads values only (value(x)):
    # np.absolute(x) on the complex duals of a holomorphic second derivative raised
    # (np.absolute is not holomorphic; attack13 04)
    _smooth(np.arcsin, f"where(np.absolute(value(x)) < 0.5, 1.0 / np.sqrt(1.0 - x * x), "
            f"1.0 / {_SQRT_1_XX})", domain=(_I,)),
    _smooth(np.arccos, f"where(np.absolute(value(x)) < 0.5, -1.0 / np.sqrt(1.0 - x * x), "
            f"-1.0 / {_SQRT_1_XX})", domain=(_I,)),
    # 1 / (1 + x x) is 0 once x * x overflows (|x| > 1.3e154): d/dt arctan(1e160 t) was 0.0
    # for 1e-160; written (1 / x) / (x + 1 / x) too, a quotient whose parts stay finite
    # there, so the two steps keep the product beside du ~ x (and its second level)
    # Off the real axis with |x| >= 1/2, 1 / ((1 + i x) (1 - i x)): 1 + x * x cancels near
    # +-i (rel 4.9e-9 at 1e-9 + (1 + 1e-8)i, attack62 05) where 1 -+ i x are exact; inside
    # the disc the factored form's own derivative cancels near 0 (see arcsin)
    _smooth(np.arctan, f"where({_OFF_AXIS_IMAG}, where(np.absolute(value(x)) < 0.5, "
            f"1.0 / (1.0 + x * x), 1.0 / (({_1_PLUS_IX}) * {_1_MINUS_IX})), "
            "1.0 / (1.0 + x * x))",
            quotient=(("1.0 / x", "x + 1.0 / x"),)),
    # x * x + y * y overflows beyond |x| ~ 1e154 (a zero gradient at 1e200, where it is
    # 5e-201) and underflows below ~1e-154 (inf at 1e-300 for 5e299): there both
    # arguments are scaled by 2**-600 or 2**600 (exact), so the formula keeps its bits
    # wherever it neither overflowed nor underflowed
    # An infinite argument: y / (x * x + y * y) is inf / inf at y = +-inf, but d/dx is
    # 1 / y there, 0, where x is finite (x - x: NaN where x is not, the limit depends on
    # the path; a NaN y stays); likewise d/dy at x = +-inf
    _smooth(np.arctan2,
            "where(y - y == 0.0, " +
            _unoverflowed("y / (x * x + y * y)", "x * x + y * y", "Y / (X * (X) + Y * (Y))",
                          tiny=True) + ", where(y == y, x - x, y))",
            "where(x - x == 0.0, " +
            _unoverflowed("-x / (x * x + y * y)", "x * x + y * y",
                          "-(X) / (X * (X) + Y * (Y))", tiny=True) + ", where(x == x, y - y, x))",
            kink="nan at (0, 0)",
            # ... and as quotients whose parts stay normal where the scaled formula's one
            # number underflows (|x| or |y| past ~1e154 beside the other's ~1: 1e-400),
            # so the two steps keep it times a partial ~1e200: d/dt arctan2(3, c t) was
            # -0.0 for -1.78e-200 at c = 1e200 (attack59 03); divided by the larger one
            quotient=(("where(np.absolute(value(x)) <= np.absolute(value(y)), 1.0 / y, y / x)",
                       "where(np.absolute(value(x)) <= np.absolute(value(y)), "
                       "1.0 + x / y * (x / y), x + y * (y / x))"),
                      ("where(np.absolute(value(y)) <= np.absolute(value(x)), -1.0 / x, -x / y)",
                       "where(np.absolute(value(y)) <= np.absolute(value(x)), "
                       "1.0 + y / x * (y / x), y + x * (x / y))"))),
    # x / out's own derivative, 1 / out - (x / out)**2 / out, cancels where |y| << |x|
    # (d2/dx2 at (1, 1e-8) had no digit): where |y| <= |x| (values only), sign(x) /
    # sqrt(1 + (y / x)**2) instead, whose derivatives have no difference of near-equal
    # terms; where |y| > |x|, x / out's do not cancel (x**2 / out**2 < 1/2).  Written
    # with * (no **): the arithmetic a numba kernel rounds as NumPy does
    _smooth(np.hypot,
            "where(out == 0.0, 0.0, where(np.absolute(value(y)) <= np.absolute(value(x)), "
            "np.sign(x) / np.sqrt(1.0 + y / x * (y / x)), x / out))",
            "where(out == 0.0, 0.0, where(np.absolute(value(x)) <= np.absolute(value(y)), "
            "np.sign(y) / np.sqrt(1.0 + x / y * (x / y)), y / out))", kink="0 at (0, 0)"),
    _smooth(np.deg2rad, "0.017453292519943295"),
    _smooth(np.rad2deg, "57.29577951308232"),
    _smooth(np.radians, "0.017453292519943295", note="same as deg2rad"),
    _smooth(np.degrees, "57.29577951308232", note="same as rad2deg"),
    # ---- hyperbolic ---------------------------------------------------------------
    _smooth(np.sinh, "np.cosh(x)"),
    _smooth(np.cosh, "np.sinh(x)"),
    # sech(x)**2, not 1 - out**2: out rounds toward 1 as |x| grows and 1 - out**2
    # cancels (8 digits lost at x = 10, all from x = 19, where it gave 0 for 1.7e-17)
    # cosh's argument held at 709 where |Re x| > 374 (value(x): a test of values only; x * x
    # > 5e5 raised on complex values, attack13 04): sech**2 is 0 there either way (0.0 from
    # |x| = 373.5, below 1 / sinh(374)**2 in modulus for complex x too), and its derivative
    # (0, a constant's) no longer meets cosh's overflow (tanh'' was NaN beyond |x| ~ 710: 1
    # / inf's derivative times sinh = inf; and from |x| ~ 355, where cosh**2 overflows,
    # once sinh(x) times x's own partial did: hessian of tanh(q0 q1) at (100, 7.06) [0,
    # nan, nan, nan] for ~1e-600's 0.0, attack56 02; held at 707 until nan56).  |Re x|,
    # not |x|: sech(x)**2 at x = 800j is sec(800)**2
    _smooth(np.tanh, "(1.0 / np.cosh(where(np.absolute(np.real(value(x))) > 374.0, 709.0, x))) "
            "** 2.0"),
    # x * x overflows beyond |x| ~ 1e154 (a zero derivative at 1e200 for 1e-200): the
    # same scaling as arctan2 (there x * x + 1 is x * x, so sqrt of the scaled square)
    # x * x - -1, not x * x + 1: on the cut (Re x = +-0, |Im x| > 1) Im(x * x) is a signed
    # zero that + 1 turned to +0 (the other side's derivative; see arcsin)
    # The test on values, |x| > 1e150 (x * x > 1e300 raised on the nested complex duals of
    # a holomorphic second derivative, and on complex arrays compared Re(x * x) alone).
    # The square as X * -(-x * 2**-600), not X * X: a complex x times a real scale can
    # lose the sign of a zero real part (-0 * s - Im * 0 is +0 where Im < 0), and on the
    # cut (Re x = +-0, |Im x| > 1) X * X then took the other side's derivative; the two
    # factors lose it in opposite cases, and their product's Im has x * x's signed zero
    # (each factor's derivative is s: 2**-1200, x * (x s s)'s, underflows to 0)
    # Off the real axis with |x| >= 1/2, Kahan's 1 / (sqrt(1 + i x) sqrt(1 - i x)) (as
    # arcsin's, rotated): x * x - -1 cancels near +-i (rel 2.5e-9 at 1e-9 + (1 + 1e-8)i,
    # attack62 05); i x keeps a zero real part's sign (:data:`_IX`), so on the cut sqrt(1
    # + i x) takes the side of Re x as NumPy's arcsinh does; no square to overflow
    _smooth(np.arcsinh, f"where({_OFF_AXIS_IMAG}, where(np.absolute(value(x)) < 0.5, "
            f"1.0 / np.sqrt(x * x - -1.0), "
            f"1.0 / (np.sqrt({_1_PLUS_IX}) * np.sqrt({_1_MINUS_IX}))), " +
            _unoverflowed("1.0 / np.sqrt(x * x - -1.0)", "x * x",
                          "1.0 / np.sqrt(X * -(-x * 2.409919865102884e-181))",
                          test="np.absolute(value(x)) > 1e+150") + ")"),
    # x - -1, not x + 1: as arcsin (arccosh(conj(x + 0j))' at x = -1.5 had the wrong sign).
    # A complex x inside |x| < 1/2 (on the cut Re x < 1 too): +-1 / (i sqrt(1 - x * x)),
    # the sign of Im x's (sqrt(x - 1) = +-i sqrt(1 - x) there), whose derivative is x / (..)
    # ** 3; the factored form's product rule adds two terms of size 1/2 that cancel to x
    # (d2/dt2 arccosh(c t) at c = 1e-8 (1 + i) kept 8 digits: attack63 04)
    _smooth(np.arccosh, "where(np.iscomplexobj(value(x)) > 0.0, where(np.absolute(value(x)) < 0.5, "
            "where(np.copysign(1.0, np.imag(value(x))) > 0.0, 1.0, -1.0) / (np.sqrt(x - x - 1.0) * "
            "np.sqrt(1.0 - x * x)), 1.0 / (np.sqrt(x - 1.0) * np.sqrt(x - -1.0))), "
            "1.0 / (np.sqrt(x - 1.0) * np.sqrt(x - -1.0)))", domain=((1.2, 4.0),),
            note="sqrt(x - 1) sqrt(x + 1), not sqrt(x * x - 1): the principal branch for "
            "complex x; inside abs(x) < 1/2 +-1 / (i sqrt(1 - x * x)), the sign of Im x's"),
    # as arcsin; and as arctan, the quotient (1 / x) / (1 / x - x) for a complex x past
    # |x| ~ 1e154, where 1 - x * x overflows (d/dt arctanh(t c) was 0 at c = 1e154 (1 + i),
    # NaN at 1e200 (1 + i): attack63 09)
    _smooth(np.arctanh, "where(np.absolute(value(x)) < 0.5, 1.0 / (1.0 - x * x), "
            "1.0 / ((1.0 - x) * (1.0 + x)))", domain=(_I,),
            quotient=(("1.0 / x", "1.0 / x - x"),)),
    # ---- selection ----------------------------------------------------------------
    # TIES below: at a tie (x == y) each argument gets 1/2, the midpoint of the one-sided
    # derivatives (JAX's and PyTorch's rule).  For one seeded direction forward mode
    # computes a linear function of each kink's chosen derivative; the left and right
    # derivatives of f are that function at the left / right choices, so the midpoint
    # gives (L + R) / 2, which IS f's derivative wherever f is differentiable: the
    # stable BCE-with-logits max(z, 0) - z y + log1p(exp(-|z|)) at z = 0 (0.5 - y; the
    # first-wins rule gave 1 - y), max(z, 0) + min(z, 0) = z, max(z, -z) = |z|.
    # np.max / amax / maximum.reduce / np.ptp average the partials of all tied maximal
    # elements, np.clip at a bound splits between the argument and the bound (equal
    # bounds: the bound's), np.sort gives a run of equal values the mean of their
    # partials, maximum.accumulate the mean of the tied elements so far, the order
    # statistics (quantile / percentile / median, their nan forms, partition's k-th
    # values) a value several elements share the mean of theirs (np.sort(x)[k]'s; the
    # barycenter of the pieces' derivatives; nested: at every order).  Argmax-based
    # indexing and builtin max(a, b) (Python returns one object) cannot split: there
    # the first wins.  The argument holds for one kink at a point: two selections
    # chained at one point multiply their halves (maximum(minimum(x, c), c): 1/4).
    # Under nested duals a tie whose first-order parts agree too is no kink of f's
    # first derivative: there the second-order parts decide (dispatch/_second_order.py:
    # the argument dominant on the Hessian's diagonal).
    # A NaN argument of maximum/minimum wins (it is the result, as np.max selects it);
    # fmax/fmin ignore it.  A tie needs x == y, so never involves a NaN.
    # Each derivative is 0, 1/2 or 1 and the two add up to 1, so d/dx is written
    # 1 - d/dy (exact): every `where` then has a 0.0 arm, which the fused kernels
    # compile to a compare and a mask; `where(x <= y, 1.0, <not a constant 0>)`
    # compiled to a branch, mispredicted at every other element of random operands (3x
    # slower at N = 1e5).
    # select=True: away from ties the partials are taken from the selected argument,
    # not multiplied by these indicators: 0 * the other's inf partial was NaN (d/dt
    # max(1 + t, sqrt(t)) at t = 0, exactly 1); a zero factor cannot in general make
    # 0 * inf = 0 (d/dt sqrt(t)**2 at 0 is 1), so this is the rows' own flag, not a
    # product rule.  At a tie (an indicator strictly between 0 and 1) every path takes
    # t * (y's partials) + (1 - t) * (x's partials), t = 1/2 (+0.0 for a constant's).
    _selection(np.maximum, ">=", "x", TIES + "; a NaN wins"),
    _selection(np.minimum, "<=", "x", TIES + "; a NaN wins"),
    _selection(np.fmax, ">=", "y", TIES + "; a NaN argument is ignored"),
    _selection(np.fmin, "<=", "y", TIES + "; a NaN argument is ignored"),
    # ---- locally constant ---------------------------------------------------------
    _zero(np.floor), _zero(np.ceil), _zero(np.trunc), _zero(np.rint),
    # below |x| = 2**-960 the step and |x| taken times 2**600 (as np.absolute's tangent):
    # NumPy's complex division by the subnormal |x| made 0 / 1e-310 NaN (d/dx Re sign(x +
    # 0j) at 1e-310 was NaN for 0: attack73 F4); elsewhere the same numbers as before
    _zero(np.sign, note="complex z: z / abs(z), not locally constant",
          tangent=f"where(x == 0.0, 0.0, where(np.absolute(x) < {2.0 ** -960!r}, "
                  f"{_SIGN_STEP} * {2.0 ** 600!r} / "
                  f"where(x == 0.0, 1.0, np.absolute(x * {2.0 ** 600!r})), "
                  f"{_SIGN_STEP} / where(x == 0.0, 1.0, np.absolute(x))))"),
    # heaviside(x, h0) is h0 where x == 0: d/dh0 is 1 there (0 elsewhere and at NaN x)
    _smooth(np.heaviside, "0", "where(x == 0.0, 1.0, 0.0)", kink="jumps at x = 0 (d/dx 0)"),
    # ---- predicates -----------------------------------------------------------------
    _predicate(np.isnan), _predicate(np.isinf), _predicate(np.isfinite),
    _predicate(np.signbit),
    _predicate(np.less, "lt"), _predicate(np.less_equal, "le"),
    _predicate(np.greater, "gt"), _predicate(np.greater_equal, "ge"),
    _predicate(np.equal, "eq"), _predicate(np.not_equal, "ne"),
    _predicate(np.logical_and), _predicate(np.logical_or),
    _predicate(np.logical_xor), _predicate(np.logical_not),
    # ---- products (custom: bilinear, see _products) -----------------------------
    _custom(np.matmul, "bilinear: dA @ B + A @ dB", operator="matmul"),
    _custom(np.vecdot, "bilinear"),
    _custom(np.matvec, "bilinear"),
    _custom(np.vecmat, "bilinear"),
]

# integer-only ufuncs: a dual value is a float, so these never apply
for _u in (np.bitwise_and, np.bitwise_or, np.bitwise_xor, np.invert, np.left_shift,
           np.right_shift, np.gcd, np.lcm, np.bitwise_count):
    _TABLE.append(_unsupported(_u, "integer-only"))
_TABLE.append(_unsupported(np.isnat, "datetime-only"))


# ---- branches: where a row's value jumps or kinks ----------------------------------------
# (kind, step, place): the branch the plain arguments take is np.<step>(place) (module
# docstring).  dg.quad's watch reads these: a branch point whose place moves with the
# parameters has a boundary term the derivatives under the integral sign miss.
_SIGN_OF_DIFFERENCE = (("jump", "sign", "x - y"),)
_QUOTIENT = (("jump", "floor", "x / y"),)
_BRANCHES = {
    **{u: _SIGN_OF_DIFFERENCE for u in (np.less, np.less_equal, np.greater,
                                        np.greater_equal)},
    **{u: (("kink", "sign", "x - y"),) for u in (np.maximum, np.minimum, np.fmax,
                                                 np.fmin)},
    **{u: (("kink", "sign", "x"),) for u in (np.absolute, np.fabs)},
    **{u: (("jump", "sign", "x"),) for u in (np.sign, np.heaviside, np.signbit)},
    **{u: ((("jump", u.__name__, "x"),)) for u in (np.floor, np.ceil, np.trunc, np.rint)},
    **{u: _QUOTIENT for u in (np.floor_divide, np.remainder, np.divmod)},
    np.fmod: (("jump", "trunc", "x / y"),),
    np.modf: (("jump", "trunc", "x"),),                     # (its integer part)
    # copysign(x, y) = |x| sign(y): a jump where y crosses 0, a kink where x does
    np.copysign: (("jump", "sign", "y"), ("kink", "sign", "x")),
    # arctan2(x, y) (NumPy's x1, x2): its cut, x crossing 0 where y < 0 (a jump of 2 pi)
    np.arctan2: (("jump", "sign", "where(np.real(value(y)) < 0.0, x, 1.0)"),
                 # (a smooth step where y > 0: x crossing 0 over a width |y|, attack54 01)
                 ("step", "sign", "where(np.real(value(y)) > 0.0, x / y, 1.0)")),
    # hypot(x, 0) = |x|: a kink where x crosses 0 while y is 0 (and the other way round)
    np.hypot: (("kink", "sign", "where(np.absolute(value(y)) == 0.0, x, 1.0)"),
               ("kink", "sign", "where(np.absolute(value(x)) == 0.0, y, 1.0)")),
    # the ulp's size steps where |x| crosses a power of two
    np.spacing: (("jump", "floor", f"np.log(np.absolute(x)) * {1.0 / _LN2!r}"),),
    # real arguments past a domain's edge give NaN ("nan": a jump of whatever func makes
    # of the NaN: np.where(np.isnan(u), ...), np.nan_to_num, np.nansum, np.fmax against
    # it; attack50 07); complex arguments have no such edge (the watch skips them)
    **{u: (("nan", "sign", "x"),) for u in (np.log, np.log2, np.log10, np.sqrt)},
    np.log1p: (("nan", "sign", "x + 1.0"),),
    **{u: (("nan", "sign", "1.0 - x * x"),) for u in (np.arcsin, np.arccos, np.arctanh)},
    np.arccosh: (("nan", "sign", "x - 1.0"),),
    # a negative base to a power that is no integer
    **{u: (("nan", "sign", "where(np.absolute(np.floor(np.real(value(y))) - value(y)) == 0.0, 1.0, "
                           "x)"),) for u in (np.power, np.float_power)},
}
# smooth steps ("step", the module docstring): the value's change lies where |x| is about
# 1 (arctan's algebraic tails too); nothing jumps (attack52 08c / 09b: tanh(s (x - p)) at
# s = 1e12 gave 0.0 for -2 under dg.quad's nodes and dg.solve_ivp's steps)
_SMOOTH_STEP = (("step", "sign", "x"),)
for _u in (np.tanh, np.arctan):
    _BRANCHES[_u] = _SMOOTH_STEP + _BRANCHES.get(_u, ())
# logaddexp(x, y), a smooth max(x, y): its slopes are a smooth step in x - y (a difference
# of two, logaddexp(0, z) - logaddexp(0, z - 1), is a pulse: at s = 1e12 dg.quad gave 0.0
# for -1; attack53 21)
for _u in (np.logaddexp, np.logaddexp2):
    _BRANCHES[_u] = (("step", "sign", "x - y"),) + _BRANCHES.get(_u, ())
# overflow ("nan": the value is infinite past the edge, a finite argument's inf, which
# np.isinf / np.isfinite / np.nan_to_num make a number; attack51 20): exp(x) is finite
# up to log(max float) = _EXP_EDGE and inf past it, exp2 up to 1024, cosh / sinh up to
# _COSH_EDGE (largest float arguments with a finite value, tests/test_quadb52.py)
_EXP_EDGE = 709.782712893384
_COSH_EDGE = 710.4758600739439
_OVERFLOWS = {
    **{u: (("nan", "sign", f"{_EXP_EDGE!r} - np.real(x)"),) for u in (np.exp, np.expm1)},
    np.exp2: (("nan", "sign", "1023.9999999999999 - np.real(x)"),),
    **{u: (("nan", "sign", f"{_COSH_EDGE!r} - np.absolute(np.real(x))"),)
       for u in (np.cosh, np.sinh)},
    # |x|**y past max float: y log|x| beyond log(max float) (to rounding: the place's
    # log, not pow's own)
    **{u: (("nan", "sign", f"{_EXP_EDGE!r} - np.real(y) * np.log(np.absolute(np.real(x)))"),)
       for u in (np.power, np.float_power)},
}
# complex arguments crossing a principal branch's cut ("cut": a jump there, complex
# arguments only; the watch reports them as :class:`Branches`, attack51 10): the cut's
# side is the sign of the imaginary (real) part where the argument lies beside it.  An
# argument ON the cut's line (x - p + 0j: its imaginary part exactly 0) reaches the
# cut's end, the branch point, as its real part crosses the end: a second place, the
# real part's distance to the end along that line (log(x - p + 0j)'s imaginary part
# steps from pi to 0 at x = p, a place that moves with p; the first place's imaginary
# part has no derivative there, and the watch judged it fixed: lead, stop 53)
_CUT_REAL_BELOW = "where(np.real(value({a})) < {e}, np.imag({a}), 1.0)"
_END_REAL = "where(np.absolute(np.imag(value({a}))) == 0.0, {d}, 1.0)"
_CUT_REAL_BEYOND = "where(np.absolute(np.real(value(x))) > 1.0, np.imag(x), 1.0)"
_CUT_IMAG_BEYOND = "where(np.absolute(np.imag(value(x))) > 1.0, np.real(x), 1.0)"


def _cut_below(edge, arg="x"):
    """The cut along the real axis below ``edge`` of the argument ``arg``, and its end."""
    return (("cut", "sign", _CUT_REAL_BELOW.format(a=arg, e=edge)),
            ("cut", "sign", _END_REAL.format(a=arg, d=f"np.real({arg}) - {edge}")))


_CUTS = {
    **{u: _cut_below("0.0") for u in (np.log, np.log2, np.log10, np.sqrt)},
    np.log1p: _cut_below("-1.0"),
    # arccosh(x + 0j)'s second branch point, x = -1: its real part arccosh(-x) below,
    # 0 on [-1, 1] (a cusp of infinite slope; stop 54 read the cut's end, 1, alone)
    np.arccosh: _cut_below("1.0") + (
        ("cut", "sign", _END_REAL.format(a="x", d="np.real(x) + 1.0")),),
    **{u: (("cut", "sign", _CUT_REAL_BEYOND),
           ("cut", "sign", _END_REAL.format(a="x", d="1.0 - np.absolute(np.real(x))")))
       for u in (np.arcsin, np.arccos, np.arctanh)},
    **{u: (("cut", "sign", _CUT_IMAG_BEYOND),
           ("cut", "sign", "where(np.absolute(np.real(value(x))) == 0.0, "
                           "1.0 - np.absolute(np.imag(x)), 1.0)"))
       for u in (np.arcsinh, np.arctan)},
    # x**y = exp(y log x): log's cut, where y is no integer
    **{u: tuple(("cut", "sign", "where(np.absolute(np.floor(np.real(value(y))) - value(y)) "
                                f"== 0.0, 1.0, {place})") for _, _, place in _cut_below("0.0"))
       for u in (np.power, np.float_power)},
}
for _u, _b in list(_OVERFLOWS.items()) + list(_CUTS.items()):
    _BRANCHES[_u] = _BRANCHES.get(_u, ()) + _b
_TABLE = [replace(rule, branch=_BRANCHES[rule.ufunc]) if rule.ufunc in _BRANCHES else rule
          for rule in _TABLE]
# scipy.special's rows (loaded with scipy), by name
_SCIPY_BRANCHES = {
    # the sign of Gamma flips at each negative integer
    "gammasgn": (("jump", "floor", "where(np.real(value(x)) < 0.0, x, 0.0)"),),
    # exp(-|x|) I(x): a kink at x = 0 (i1e's is in its second derivative: I1(0) = 0)
    "i0e": (("kink", "sign", "x"),), "ive": (("kink", "sign", "y"),),
    # huber(delta, r): its second derivative jumps at |r| = delta (attack51 11)
    "huber": (("kink2", "sign", "np.absolute(y) - x"),),
    # exp(-|x|) I1(x) = x / 2 - x |x| / 2 + ...: its second derivative jumps at 0
    "i1e": (("kink2", "sign", "x"),),
    # real domains' edges (NaN past them, +-inf on them; attack51 20)
    **{name: (("nan", "sign", "x * (1.0 - x)"),) for name in ("ndtri", "logit")},
    "erfinv": (("nan", "sign", "1.0 - x * x"),), "erfcinv": (("nan", "sign", "x * (2.0 - x)"),),
    **{name: (("nan", "sign", "1.0 - x"),) for name in ("ellipk", "ellipe")},
    "ndtri_exp": (("nan", "sign", "-x"),),
    # complex arguments' cuts (attack51 10): loggamma's on the negative real axis, xlogy's
    # log(y), xlog1py's log1p(y)
    "loggamma": _cut_below("0.0"),
    "xlogy": _cut_below("0.0", "y"),
    "xlog1py": _cut_below("-1.0", "y"),
    # attack53 09: Bessel functions' z**v and log z (yv, kv at every order; jv, iv where
    # the order is no integer), E1 / Ei's log z, log_ndtr's log of ndtr(z), 2F1's cut
    # on [1, inf): each one's imaginary part jumped at a moving crossing unwatched
    **{name: _cut_below("0.0", "y") for name in ("yv", "kv")},
    **{name: tuple(("cut", "sign", f"where(np.absolute(np.floor(np.real(value(x))) - value(x)) "
                                   f"== 0.0, 1.0, {place})")
                   for _, _, place in _cut_below("0.0", "y")) for name in ("jv", "iv")},
    **{name: _cut_below("0.0") for name in ("exp1", "expi")},
    "log_ndtr": (("cut", "sign", "where(np.real(sc.ndtr(value(x))) < 0.0, "
                                 "np.imag(sc.ndtr(x)), 1.0)"),
                 ("cut", "sign", "where(np.absolute(np.imag(sc.ndtr(value(x)))) == 0.0, "
                                 "np.real(sc.ndtr(x)), 1.0)")),
    "hyp2f1": (("cut", "sign", "where(np.real(value(w)) > 1.0, np.imag(w), 1.0)"),
               ("cut", "sign", _END_REAL.format(a="w", d="1.0 - np.real(w)"))),
    # smooth steps (their changes where |x| is about 1), and log_expit's smooth kink (its
    # slope is expit: exp(log_expit(s (x - p))) at s = 1e12 gave 0.0 for -1, attack53 21)
    **{name: _SMOOTH_STEP for name in ("erf", "erfc", "expit", "ndtr", "log_expit")},
    # log_ndtr's smooth kink (its slope ~ ndtr(-x)), Student's t cdf in t (its tails
    # algebraic, as arctan's): attack54 01, exp(log_ndtr(z)) / stdtr(3, z) at s = 1e11
    # gave 0.0 / -8.9e-28 for -1
    "stdtr": (("step", "sign", "y"),),
}
_SCIPY_BRANCHES["log_ndtr"] = _SCIPY_BRANCHES["log_ndtr"] + _SMOOTH_STEP


def _off_domain(expr):
    """A derivative of rel_entr / kl_div, 0 where x < 0 or y < 0: SciPy's value is the
    constant inf there (attack48 08: d/dy gave -x/y, the Hessian a finite number beside
    a NaN gradient)."""
    return (f"where(np.real(value(x)) < 0.0, 0.0 * x, where(np.real(value(y)) < 0.0, 0.0 * y, "
            f"{expr}))")


# log(x / y) of rel_entr and kl_div, as log(x) - log(y) where x / y leaves the normal range
_LOG_RATIO = ("where(np.absolute(value(x) / value(y)) < 1e-300, np.log(x) - np.log(y), "
              "where(np.absolute(value(x) / value(y)) > 1e+300, np.log(x) - np.log(y), "
              "np.log(x / y)))")


# ---- the distribution functions' rows (stats44) ----------------------------------------
# Each is a cdf, a survival function or a quantile whose derivative in its continuous
# variable is a density (one over it at the result for a quantile): the densities of
# Student's t, chi-squared, gamma, beta, Poisson and the binomial / negative binomial
# counts, written with xlogy / xlog1py / betaln / gammaln so that they neither overflow
# nor meet 0 * log 0.  Their derivatives in a shape (df, a, b, n) have no closed form:
# None (a dual there raises the table's TypeError naming the ufunc and the argument).

def t_stirling_coefficients(terms=10):
    """The coefficients of :func:`_t_log_normalizer`'s Stirling series, ``(2**-n - 2)
    B_(n+1) / (n (n + 1))`` for odd ``n`` (``S(a) = sum_j c_j / a**(2 j + 1)``); also
    read by ``dualgrad.scipy.stats.t.logpdf``."""
    from fractions import Fraction          # (not at import: scipy's rows are made on first use)
    bernoulli = [Fraction(1, 6), Fraction(-1, 30), Fraction(1, 42), Fraction(-1, 30),
                 Fraction(5, 66), Fraction(-691, 2730), Fraction(7, 6), Fraction(-3617, 510),
                 Fraction(43867, 798), Fraction(-174611, 330)]
    return [float((Fraction(1, 2 ** n) - 2) * bernoulli[j] / (n * (n + 1)))
            for j, n in enumerate(range(1, 2 * terms, 2))]


def _t_log_normalizer(df, terms=10):
    """``-betaln(df / 2, 1 / 2) - log(df) / 2``, the log of Student's t density's
    constant (a source string).  SciPy's betaln(a, 1/2) loses ~|lgamma(a)| ulps as a
    grows (6e-13 relative in the density at df = 1e4); from df = 20 the two terms are
    ``-log(2 pi) / 2 + S(df / 2)`` instead, ``S(a) = log(Gamma(a + 1/2) / Gamma(a)) -
    log(a) / 2``, by Stirling's series ``sum_(n odd) (2**-n - 2) B_(n+1) / (n (n + 1)
    a**n)`` (through n = 19: the first omitted term is below 1e-19 at a = 10), with no
    cancellation: ``-1 / (8 a) + 1 / (192 a**3) - ...``."""
    coeffs = t_stirling_coefficients(terms)
    a = f"(0.5 * {df})"
    series = repr(coeffs[-1])
    for c in reversed(coeffs[:-1]):
        series = f"{c!r} + ({series}) / ({a} * {a})"
    stirling = f"-0.9189385332046728 + ({series}) / {a}"
    return (f"where(np.real(value({df})) >= 20.0, {stirling}, "
            f"-sc.betaln(0.5 * {df}, 0.5) - 0.5 * np.log({df}))")


def _t_logpdf(df, t):
    """Student's t log density at ``t`` with ``df`` degrees of freedom (a source
    string): ``-betaln(df / 2, 1 / 2) - log(df) / 2 - (df + 1) / 2 log1p(t**2 / df)``
    (the constant by :func:`_t_log_normalizer`)."""
    return (f"{_t_log_normalizer(df)} - "
            f"({df} + 1.0) * 0.5 * np.log1p({t} * {t} / {df})")


def _t_forms(df, normal, student):
    """``normal`` where ``df`` is +inf (SciPy's stdtr / stdtrit are ndtr / ndtri there;
    the t density's betaln(inf, 1/2) is -inf), else ``student``."""
    return (f"where(np.absolute(value({df})) > 1.7976931348623157e308, {normal}, "
            f"{student})")


def _t_cdf_df(df, t):
    """d/d(df) of Student's t cdf ``stdtr(df, t)`` (a source string): with ``s = df +
    t**2``, ``stdtr = 1 - I_z(df / 2, 1 / 2) / 2`` for ``t > 0`` (``I_z / 2`` below),
    ``z = df / s``, so ``-sign(t) (betainc_da(df / 2, 1 / 2, z) / 4 + I_z' dz / 2)``;
    ``I_z' dz`` (the beta density times ``dz/d(df) = t**2 / s**2``) written as
    ``z**(df/2 - 1) |t| / (s**1.5 B(df/2, 1/2))`` (finite at t = 0, where it is 0).
    Where ``z >= 1/2`` the shape slope is ``-betainc_db(1/2, df/2, t**2 / s)``, whose
    argument keeps its digits where ``z`` rounds to 1 (small ``|t|``); 0 at df = inf
    (the normal's cdf, no df).  For 1000 < df < inf the two terms are ~1/df, their
    sum ~1/df**2, and betainc_db's own relative error (~1e-12 there) grows by the
    cancellation (mpmath: 1e-8 relative at df = 1e4, 4e-4 at 1e6; 1e-10 at 1e3): there
    Fisher's expansion in 1 / df (:mod:`dualgrad.rules._student`) where ``t**4 < 2 df``
    (0 where also ``|t| > 40``: it underflows), elsewhere a quadrature over the tail
    (:func:`dualgrad.rules._special.t_cdf_df_tail`, the row :data:`T_CDF_DF_TAIL`)."""
    s = f"({df} + {t} * {t})"
    density = (f"{t} * np.exp(-(0.5 * {df} - 1.0) * np.log1p({t} * {t} / {df}) - "
               f"sc.betaln(0.5 * {df}, 0.5)) / ({s} * np.sqrt({s}))")
    shape = (f"np.sign({t}) * where(np.real(value({df})) < np.real(value({t}) * value({t})), "
             f"betainc_da(0.5 * {df}, 0.5, {df} / {s}), "
             f"-betainc_db(0.5, 0.5 * {df}, {t} * {t} / {s}))")
    # |t| < 1e-150 (t * t underflows, the shape slope with it): the series' term,
    # stdtr = 1/2 + c(df) t + O(t**3), c = G((df + 1) / 2) / (sqrt(pi df) G(df / 2)),
    # so c(df) t (psi((df + 1) / 2) - psi(df / 2) - 1 / df) / 2 (attack47b 04)
    series = (f"{t} * np.exp(sc.gammaln(0.5 * {df} + 0.5) - sc.gammaln(0.5 * {df}) - "
              f"0.5 * np.log({df}) - 0.5723649429247001) * 0.5 * (sc.digamma(0.5 * {df} + "
              f"0.5) - sc.digamma(0.5 * {df}) - 1.0 / {df})")
    # df > 1000: Fisher's expansion in 1 / df where t**4 < 2 df (nan53: 1e-10 relative
    # against mpmath; the exact form's cancellation gave 1e-8 at df = 1e4); |t| > 40 there
    # (df > 1.28e6) the derivative underflows (phi(40) ~ 1e-348); elsewhere past 1000 NaN
    # where t**4 >= 2 df (NaN until nan55; and 0 at |t| > 40 whatever df: 0 for -8.7e-272
    # at df = 1001, t = -50) a quadrature of the density's score over the tail
    large = (f"where(np.real(value({t}) * value({t}) * value({t}) * value({t})) < 2.0 * np.real(value({df})), "
             f"where(np.absolute(value({t})) > 40.0, 0.0 * {t}, {t_cdf_df_series(df, t)}), "
             f"t_cdf_df_tail({df}, {t}))")
    # t = +-inf: stdtr is the constant 1 / 0 in df (the terms below are inf * 0 there;
    # attack48 03); |t| > 1e10 (df + 1) the tail's leading term (_t_tail_df_terms): past
    # |t| = 1e154 t * t overflowed and the slope was NaN (attack56 19: -4.59e-198 at
    # df = 1, t = -3.2e199)
    mass, score = _t_tail_df_terms(df, t)
    return (f"where(np.absolute(value({t})) > 1.7976931348623157e308, 0.0 * {df}, "
            f"where(np.absolute(value({t})) > 1e10 * (np.absolute(value({df})) + 1.0), "
            f"-np.sign({t}) * {mass} * {score}, "
            f"where(np.absolute(value({df})) > 1.7976931348623157e308, 0.0 * {t}, "
            f"where(np.real(value({df})) > 1000.0, {large}, "
            f"where(np.absolute(value({t})) < 1e-150, {series}, "
            f"-0.25 * {shape} - 0.5 * {density})))))")


def _t_tail_df_terms(df, t):
    """Student's t tail far out, ``|t| > 1e10 (df + 1)`` (source strings ``(mass,
    score)``): the mass beyond ``|t|`` is ``T = K |t|**-df``, ``K = Gamma((df + 1) / 2)
    df**((df - 2) / 2) / (sqrt(pi) Gamma(df / 2))``, to a relative ``(df + 1) df / (2
    t**2)`` (below 1e-20 there), and ``d log T / d(df) = B = (psi((df + 1) / 2) - psi(df
    / 2) + log df) / 2 + (df - 2) / (2 df) - log |t|``; stdtr's df slope is ``-sign(t) T
    B``, and over the density ``T df / |t|`` at the same order, stdtrit's ``t B / df``
    (no t * t, no density that underflows: attack56 19)."""
    # (as (sqrt(df) / |t|)**df by the power: exp(-df log|t|) lost ~log|t| ulps, 3e-14 at
    # |t| = 1e199; df**((df - 2) / 2) alone overflowed from df ~ 280, inf * 0 = NaN where
    # the slope underflows: attack57 20)
    mass = (f"np.exp(sc.gammaln(0.5 * {df} + 0.5) - sc.gammaln(0.5 * {df}) - "
            f"0.5723649429247001 - np.log({df})) * "
            f"(np.sqrt({df}) / np.absolute({t})) ** {df}")
    score = (f"(0.5 * (sc.digamma(0.5 * {df} + 0.5) - sc.digamma(0.5 * {df}) + np.log({df})) + "
             f"({df} - 2.0) / (2.0 * {df}) - np.log(np.absolute({t})))")
    return mass, score


# B_2k / (2k (2k - 1)), k = 1 .. 8: 1/12, -1/360, 1/1260, -1/1680, 1/1188, -691/360360,
# 1/156, -3617/122400 (Stirling's series for gammaln)
_BINET = (0.08333333333333333, -0.002777777777777778, 0.0007936507936507937,
          -0.0005952380952380953, 0.0008417508417508417, -0.0019175269175269176,
          0.00641025641025641, -0.029550653594771242)


def _binet(a):
    """``S(a) = gammaln(a) - (a - 1/2) log a + a - log(2 pi) / 2`` by Stirling's series
    ``sum_k B_2k / (2k (2k - 1) a**(2k - 1))`` (:data:`_BINET`; a source string in ``a``,
    Horner form; through ``a**-15``: the first omitted term is below 1e-18 from ``a =
    10``)."""
    series = repr(_BINET[-1])
    for c in reversed(_BINET[:-1]):
        series = f"{c!r} + ({series}) / ({a} * {a})"
    return f"({series}) / {a}"


# From this shape on the gamma and beta log densities are written by Stirling's series
_STIRLING_SHAPE = 10.0


def _gamma_log(a, x, av, xv):
    """The gamma log density ``(a - 1) log x - x - gammaln(a)`` (a source string; ``av``,
    ``xv`` the real values of ``a``, ``x`` as a ``where`` condition spells them).  Its
    terms are ~``a log a`` each and cancel to O(1): the error is ~``a log a`` ulps,
    1e-6 relative at a = 1e9 and all digits at 1e16 (attack54 13: d/dx gammainc, chi2's
    and the Poisson cdf's slopes).  From ``a = 10`` where ``x >= a / 2`` it is ``a
    log1pmx(u) - log x + log(a) / 2 - log(2 pi) / 2 - S(a)``, ``u = (x - a) / a`` (``x -
    a`` exact there), whose terms do not cancel (:func:`_binet`): rounding leaves ~1 ulp
    of ``a u**2``, the density's own condition in ``x`` (``x``'s ulp moves it by
    ``|x - a| / a`` of ``a`` ulps).  Below ``a / 2`` the density is under ``e**(-a / 5)``
    of its peak and the plain form loses ~``a log a`` ulps of that (underflowing past
    ``a ~ 3600``)."""
    plain = f"sc.xlogy({a} - 1.0, {x}) - {x} - sc.gammaln({a})"
    large = (f"{a} * log1pmx(({x} - {a}) / {a}) - np.log({x}) + 0.5 * np.log({a}) - "
             f"0.9189385332046728 - {_binet(a)}")
    return (f"where({av} >= {_STIRLING_SHAPE!r}, where({xv} >= 0.5 * {av}, {large}, {plain}), "
            f"{plain})")


def _beta_log(a, b, x, av="", bv="", xv=""):
    """The beta log density ``(a - 1) log x + (b - 1) log(1 - x) - betaln(a, b)`` (a source
    string; ``av``, ``bv``, ``xv`` the values as a condition spells them, by default
    ``np.real(value(name))``).  Where both shapes are large its terms cancel as the gamma
    density's do (:func:`_gamma_log`; attack54 13: 1e-2 relative at a = b = 1e12).  From
    ``a, b >= 10`` with ``x`` within half its mean of either end, with ``c = a + b`` and
    ``u = x b - (1 - x) a = c x - a``, it is ``a log1pmx(u / a) + b log1pmx(-u / b) -
    log x - log1p(-x) + (log a + log b - log c) / 2 - log(2 pi) / 2 - S(a) - S(b) + S(c)``
    (the linear terms ``u - u`` cancel exactly), whose error is ~``|u|`` ulps, the
    density's own condition in ``x``."""
    av, bv, xv = (v or f"np.real(value({n}))" for v, n in ((av, a), (bv, b), (xv, x)))
    plain = f"sc.xlogy({a} - 1.0, {x}) + sc.xlog1py({b} - 1.0, -{x}) - sc.betaln({a}, {b})"
    c = f"({a} + {b})"
    u = f"({x} * {b} - (1.0 - {x}) * {a})"
    large = (f"{a} * log1pmx({u} / {a}) + {b} * log1pmx(-{u} / {b}) - np.log({x}) - "
             f"np.log1p(-{x}) + 0.5 * (np.log({a}) + np.log({b}) - np.log{c}) - "
             f"0.9189385332046728 - {_binet(a)} - {_binet(b)} + {_binet(c)}")
    inside = (f"where({xv} * ({av} + {bv}) >= 0.5 * {av}, "
              f"where((1.0 - {xv}) * ({av} + {bv}) >= 0.5 * {bv}, {large}, {plain}), {plain})")
    return (f"where({av} >= {_STIRLING_SHAPE!r}, where({bv} >= {_STIRLING_SHAPE!r}, {inside}, "
            f"{plain}), {plain})")


def _chi2_log(v, x):
    """The chi-squared log density (a source string; ``v``, ``x`` argument names): the
    gamma one (:func:`_gamma_log`) of ``x / 2`` with shape ``v / 2``, less ``log 2``."""
    return (_gamma_log(f"(0.5 * {v})", f"(0.5 * {x})", f"0.5 * np.real(value({v}))",
                       f"0.5 * np.real(value({x}))") + f" - {_LN2}")


def _binomial_tail(k, n, p):
    """d/dp of SciPy's binomial sf ``_binom_sf(k, n, p) = betainc(k + 1, n - k, p)``
    (the cdf's is its negative): the beta(k + 1, n - k) density at p, real k included
    (Boost's, as SciPy's own floors k before it calls); 0 where ``k >= n`` (the cdf is
    1, the sf 0 for every p), NaN where the value is (``k < 0``: SciPy's NaN).  At p = 0
    and 1 the density as powers (:func:`_incomplete_slope`), so that its own derivative
    there is the limit (stats45: xlog1py's at p = 1 was 0 * inf, NaN in a Hessian)."""
    density = _incomplete_slope(
        f"np.absolute(value({p}) * (1.0 - value({p}))) == 0.0",
        f"{p} ** {k} * (1.0 - {p}) ** ({n} - {k} - 1.0) * np.exp(-sc.betaln({k} + 1.0, {n} - {k}))",
        _beta_log(f"({k} + 1.0)", f"({n} - {k})", p, f"np.real(value({k})) + 1.0",
                  f"np.real(value({n})) - np.real(value({k}))"))
    return (f"out - out + where(np.real(value({n})) - np.real(value({k})) <= 0.0, 0.0 * {p}, "
            f"{density})")


def _inverse_ends(expr, sign=None):
    """``expr``, a derivative of an inverse incomplete gamma function (``chdtri``,
    ``gammaincinv``, ``gammainccinv``), at a result ``out`` of 0 or inf (``y`` at an
    end): with ``sign`` None (the shape's derivative) 0 there (the result is that
    constant for every shape); else (d/dy, one over the density) ``sign`` inf at an
    infinite result, where the density's ``out - (a - 1) log out`` is ``inf - inf``,
    and ``expr`` at 0 (its limits: inf, 1 / Gamma(1) or 0 by the sign of ``a - 1``)."""
    big = "np.absolute(value(out)) > 1.7976931348623157e308"
    if sign is None:
        return f"where({big}, 0.0 * x, where(np.absolute(value(out)) == 0.0, 0.0 * x, {expr}))"
    return f"where({big}, 0.0 * y {sign or '+'} 1.7976931348623157e308 * 2.0, {expr})"


def _beta_inverse_shape(slope, inverse_density):
    """d/da (d/db) of an inverse incomplete beta function at its result ``out``:
    ``-slope * inverse_density`` (``-I_a / I_x``), 0 where the result is 0 or 1 (the
    same for every shape there)."""
    return (f"where(np.absolute(value(out) * (1.0 - value(out))) == 0.0, 0.0 * out, "
            f"-{slope} * {inverse_density})")


def _distribution_rules(sc):
    """Rows of scipy.special's distribution functions, and of the private ufuncs behind
    scipy.stats' beta, cauchy, binom and nbinom (Boost's), all in their continuous
    variable only (dualgrad.scipy.stats reaches them through these rows)."""
    import scipy.special._ufuncs as scu
    t_pdf = _t_forms("x", f"{_1_SQRT2PI} * np.exp(-0.5 * y * y)", f"np.exp({_t_logpdf('x', 'y')})")
    t_inv = _t_forms("x", "2.5066282746310002 * np.exp(0.5 * out * out)",
                     f"np.exp(-({_t_logpdf('x', 'out')}))")
    # stdtrit's df slope, -stdtr_df / pdf, with e**h moved from one over the density to
    # the slope, h half the density's log1p term (a constant): 1 / pdf overflowed where
    # the slope is tiny (+inf for 3.7558e10 at df = 30, q = 1e-300; attack56 19)
    t_half = ("where(np.real(value(x)) < 1e300, 0.25 * (value(x) + 1.0) * "
              "np.log1p(value(out) * value(out) / value(x)), 0.0)")
    t_inv_half = _t_forms("x", "2.5066282746310002 * np.exp(0.5 * out * out)",
                          f"np.exp(-({_t_logpdf('x', 'out')}) - {t_half})")
    chi2_pdf = _incomplete_slope(
        "np.absolute(value(y)) == 0.0",
        "0.5 * (0.5 * y) ** (0.5 * x - 1.0) * np.exp(-0.5 * y - sc.gammaln(0.5 * x))",
        _chi2_log("x", "y"))
    # one over the gamma density at the result, by Stirling's series for large shapes
    # (_gamma_log: gammaln(a) and xlogy(a - 1, out) are ~a log a each and cancel to O(1);
    # nan53 wrote a log1p form past 1e4, 2e-8 relative at a = 1e7, 1e-8 at 1e16)
    gamma_inv = f"np.exp(-({_gamma_log('x', 'out', 'np.real(value(x))', 'np.real(value(out))')}))"
    beta_pdf = _incomplete_slope(
        "np.absolute(value(z) * (1.0 - value(z))) == 0.0",
        "z ** (x - 1.0) * (1.0 - z) ** (y - 1.0) * np.exp(-sc.betaln(x, y))",
        _beta_log("x", "y", "z"))
    beta_inv = f"np.exp(-({_beta_log('x', 'y', 'out')}))"
    # the Poisson pmf in m is the gamma density of shape floor(k) + 1 at m (the
    # conditions on k + 1, which floor(k) + 1 does not exceed)
    poisson = ("np.exp(" + _gamma_log("(np.floor(x) + 1.0)", "y", "np.real(value(x)) + 1.0",
                                      "np.real(value(y))") + ")")
    # tan(pi (p - 1/2)) as Boost computes it: p - 1 for p > 1/2 (exact), -1 / tan(pi p)
    half = "3.141592653589793 * where(np.real(value(x)) > 0.5, x - 1.0, x)"
    cauchy = f"3.141592653589793 * z / (np.sin({half}) * np.sin({half}))"
    # pmf (k / p - (n - k) / (1 - p)) as pmf (k - n p) / (p (1 - p)) (k - n p below); at p = 0 or 1 the
    # derivative of C(n, k) p**k (1 - p)**(n - k) term by term, each 0 where its count
    # is 0, through the power row's exact limits at a zero base: the one-sided
    # derivatives (d/dp at p = 0: -n for k = 0, n for k = 1, 0 above; stats45: pmf 0 * inf
    # was NaN), second derivatives included
    # k - n p exactly at the float p: (k - fl(n p)) - e, e = n p - fl(n p) by Dekker's
    # two-product of the values (a constant to differentiation: the residual's slope
    # stays -n); k - fl(n p) is exact where it cancels (Sterbenz).  The plain x - y * z
    # lost eps n p / |k - n p| of it: 1.6e-5 at n = k = 7, p = 1 - 1e-12, all of it at
    # n = 1e12, k = n - 1 (0.0 for -8138306; attack56 18).  k = n and k = 0 as out k / p
    # and -out n / (1 - p): the quotient's second level cancelled there (2.6e6 relative
    # at n = k = 7, p = 1 - 1e-12 before the residual, 2.3e-5 with it)
    split = {v: (f"(134217729.0 * value({v}) - (134217729.0 * value({v}) - value({v})))",)
             for v in ("y", "z")}
    for v in ("y", "z"):
        split[v] += (f"(value({v}) - {split[v][0]})",)
    (yh, yl), (zh, zl) = split["y"], split["z"]
    binom_residual = (f"((x - y * z) - ((({yh} * {zh} - value(y) * value(z)) + {yh} * {zl} + "
                      f"{yl} * {zh}) + {yl} * {zl}))")
    binom_ends = ("sc.binom(y, x) * "
                  "(where(np.absolute(value(x)) == 0.0, 0.0 * z, "
                  "x * z ** (x - 1.0) * (1.0 - z) ** (y - x)) - "
                  "where(np.absolute(value(y) - value(x)) == 0.0, 0.0 * z, "
                  "(y - x) * z ** x * (1.0 - z) ** (y - x - 1.0)))")
    nbinom_p = ("np.exp(" + _beta_log("y", "(x + 1.0)", "z", "", "np.real(value(x)) + 1.0")
                + ")")
    dist = "the derivative in the shape has no closed form"
    shape_note = "d/d(shape) by gammainc_da (stats45: a series or a continued fraction)"
    beta_note = "d/da, d/db by betainc_da, betainc_db (stats45: a continued fraction)"
    beta_ppf_inv = f"np.exp(-({_beta_log('y', 'z', 'out')}))"
    inverse_kink = ("y at an end (the result 0 or inf): d/d(shape) 0, d/dy one over the "
                    "density's limit there")
    return [
        # ndtri_exp(y) = ndtri(exp(y)): exp(y) / pdf(out) = ndtr(out) / pdf(out), Mills'
        # ratio, sqrt(pi / 2) erfcx(-out / sqrt 2) (truncnorm's ppf): no underflow of exp(y)
        # and pdf(out) in the far tail, and its own derivative through erfcx's row keeps
        # its digits there (exp(y + out**2 / 2)'s lost 2.5e-11 at y = -800: 1 + out out'
        # cancels as 1 / out**2)
        _smooth(sc.ndtri_exp, "1.2533141373155003 * sc.erfcx(-0.7071067811865476 * out)",
                domain=((-5.0, -0.1),)),
        # d/d(df) through betainc (misc47): stdtrit's by implicit differentiation,
        # -stdtr_df(df, out) / pdf(out)
        _smooth(sc.stdtr, _canonical(_t_cdf_df("x", "y")), _canonical(t_pdf),
                domain=((1.0, 10.0), _U),
                note="d/d(df) by betainc_da / betainc_db; past df = 1000 Fisher's expansion where t**4 < 2 df, else NaN"),
        # at p = 0 / 1 (out = -+inf) stdtrit is that constant in df: slope 0 (0 * inf
        # there; attack48b 11)
        _smooth(sc.stdtrit, _canonical(
            f"where(np.absolute(value(out)) > 1.7976931348623157e308, 0.0 * x, "
            f"where(np.absolute(value(out)) > 1e10 * (np.absolute(value(x)) + 1.0), "
            f"out * {_t_tail_df_terms('x', 'out')[1]} / x, "
            f"-({_t_cdf_df('x', 'out')} * np.exp({t_half})) * {t_inv_half}))"),
                _canonical(t_inv), domain=((0.6, 1.0), (0.05, 0.95)),
                note="d/d(df) -stdtr_df(df, out) / pdf(out); past df = 1000 as stdtr's"),
        # chdtr(v, x) = gammainc(v / 2, x / 2); the inverses' d/da by implicit
        # differentiation, -P_a / P_x at the result (the same for the complement's:
        # Q_a / Q_x = P_a / P_x); 0 where the result is 0 or inf (a constant there)
        _smooth(sc.chdtr, "0.5 * gammainc_da(0.5 * x, 0.5 * y)", _canonical(chi2_pdf),
                domain=((1.0, 6.0), _P),
                kink="x = 0: the chi-squared density's limit", note=shape_note),
        _smooth(sc.chdtrc, "-0.5 * gammainc_da(0.5 * x, 0.5 * y)",
                _canonical(f"-({chi2_pdf})"), domain=((1.0, 6.0), _P),
                kink="x = 0: the chi-squared density's limit", note=shape_note),
        _smooth(sc.chdtri, _canonical(_inverse_ends(
            "-gammainc_da(0.5 * x, 0.5 * out) * np.exp(-(" + _gamma_log(
                "(0.5 * x)", "(0.5 * out)", "0.5 * np.real(value(x))",
                "0.5 * np.real(value(out))") + "))")),
                _canonical(_inverse_ends(f"-2.0 * np.exp(-({_chi2_log('x', 'out')}) - {_LN2})",
                                         "-")),
                domain=((0.6, 1.0), (0.05, 0.95)), kink=inverse_kink, note=shape_note),
        _smooth(sc.gammaincinv, _canonical(_inverse_ends(f"-gammainc_da(x, out) * {gamma_inv}")),
                _canonical(_inverse_ends(gamma_inv, "")), domain=(_P, (0.05, 0.95)),
                kink=inverse_kink, note=shape_note),
        _smooth(sc.gammainccinv, _canonical(_inverse_ends(f"-gammainc_da(x, out) * {gamma_inv}")),
                _canonical(_inverse_ends(f"-{gamma_inv}", "-")), domain=(_P, (0.05, 0.95)),
                kink=inverse_kink, note=shape_note),
        _smooth(sc.betaincc, "-betainc_da(x, y, z)", "-betainc_db(x, y, z)",
                _canonical3(f"-({beta_pdf})"),
                domain=((1.2, 4.0), (1.2, 4.0), (0.05, 0.95)),
                kink="x = 0 and 1: minus the limit x**(a - 1) (1 - x)**(b - 1) / beta(a, b)",
                note=beta_note),
        # the inverses in a, b implicitly: -I_a / I_x at the result (the complement's
        # ratio is the same), 0 where the result is 0 or 1 (a constant there)
        _smooth(sc.betaincinv, _canonical3(_beta_inverse_shape("betainc_da(x, y, out)", beta_inv)),
                _canonical3(_beta_inverse_shape("betainc_db(x, y, out)", beta_inv)),
                _canonical3(beta_inv), domain=((1.2, 4.0), (1.2, 4.0), (0.05, 0.95)),
                note=beta_note),
        _smooth(sc.betainccinv, _canonical3(_beta_inverse_shape("betainc_da(x, y, out)", beta_inv)),
                _canonical3(_beta_inverse_shape("betainc_db(x, y, out)", beta_inv)),
                _canonical3(f"-{beta_inv}"), domain=((1.2, 4.0), (1.2, 4.0), (0.05, 0.95)),
                note=beta_note),
        _smooth(scu._beta_ppf, _canonical3(
            f"np.exp(-({_beta_log('y', 'z', 'out')}))"),
                _canonical3(_beta_inverse_shape("betainc_da(y, z, out)", beta_ppf_inv)),
                _canonical3(_beta_inverse_shape("betainc_db(y, z, out)", beta_ppf_inv)),
                domain=((0.05, 0.95), (1.2, 4.0), (1.2, 4.0)),
                note="scipy.stats.beta's ppf (Boost's); " + beta_note),
        _smooth(sc.pdtr, None, _canonical(f"out - out - {poisson}"), domain=((0, 6, "int"), _P),
                note="SciPy floors k; differentiable in m only (k a count); nan where "
                     "the value is"),
        _smooth(sc.pdtrc, None, _canonical(f"out - out + {poisson}"), domain=((0, 6, "int"), _P),
                note="SciPy floors k; differentiable in m only (k a count); nan where "
                     "the value is"),
        # Cephes' log1p(x) - x (its series below |x| = 1/2): d/dx -x / (1 + x), where
        # log1p's 1 / (1 + x) - 1 cancels for small x; the gamma / beta log densities at
        # large shapes are written with it (dualgrad.scipy.stats, stats46)
        _smooth(scu._log1pmx, "-x / (1.0 + x)", domain=((-0.5, 2.0),),
                note="log1p(x) - x (scipy.special's private ufunc)"),
        _smooth(scu._cauchy_ppf, _canonical3(cauchy), "1.0",
                _canonical3(f"-1.0 / np.tan({half})"), domain=((0.05, 0.95), _U, _P),
                note="scipy.stats.cauchy's ppf (Boost's)"),
        _smooth(scu._cauchy_isf, _canonical3(f"-({cauchy})"), "1.0",
                _canonical3(f"1.0 / np.tan({half})"), domain=((0.05, 0.95), _U, _P),
                note="scipy.stats.cauchy's isf (Boost's)"),
        _smooth(scu._binom_pmf, None, None, _canonical3(
            f"where(np.absolute(value(z) * (1.0 - value(z))) == 0.0, {binom_ends}, "
            "where(np.absolute(value(y) - value(x)) == 0.0, out * x / z, "
            "where(np.absolute(value(x)) == 0.0, -out * y / (1.0 - z), "
            f"out * {binom_residual} / (z * (1.0 - z)))))"),
                domain=((0, 6, "int"), (6, 12, "int"), (0.05, 0.95)),
                kink="p = 0, 1: the one-sided derivatives",
                note="scipy.stats.binom's pmf (Boost's); differentiable in p only"),
        _smooth(scu._binom_cdf, None, None, _canonical3(f"-({_binomial_tail('x', 'y', 'z')})"),
                domain=((0, 6, "int"), (6, 12, "int"), (0.05, 0.95)),
                note="scipy.stats.binom's cdf (Boost's); differentiable in p only"),
        _smooth(scu._binom_sf, None, None, _canonical3(_binomial_tail("x", "y", "z")),
                domain=((0, 6, "int"), (6, 12, "int"), (0.05, 0.95)),
                note="scipy.stats.binom's sf (Boost's); differentiable in p only"),
        _smooth(scu._nbinom_pmf, None, _canonical3("out * (np.log(z) - psi_difference(y, x))"),
                _canonical3("out * (y / z - where(x == 0.0, 0.0, x / (1.0 - z)))"),
                domain=((0, 6, "int"), _P, (0.05, 0.95)),
                kink="p = 1: nan for k > 0",
                note="scipy.stats.nbinom's pmf (Boost's); differentiable in n and p"),
        # nbinom's cdf is betainc(n, k + 1, p) (Boost's ibeta), its sf the complement
        _smooth(scu._nbinom_cdf, None, "out - out + betainc_da(y, x + 1.0, z)",
                _canonical3(f"out - out + {nbinom_p}"),
                domain=((0, 6, "int"), _P, (0.05, 0.95)),
                note="scipy.stats.nbinom's cdf (Boost's); differentiable in n and p"),
        _smooth(scu._nbinom_sf, None, "out - out - betainc_da(y, x + 1.0, z)",
                _canonical3(f"out - out - {nbinom_p}"),
                domain=((0, 6, "int"), _P, (0.05, 0.95)),
                note="scipy.stats.nbinom's sf (Boost's); differentiable in n and p"),
    ]


def _scipy_rules(sc):
    """Rules for scipy.special ufuncs; called only when scipy is importable."""
    return [
        _smooth(sc.erf, f"{_2_SQRTPI} * np.exp(-x * x)"),
        _smooth(sc.erfc, f"-{_2_SQRTPI} * np.exp(-x * x)"),
        # 2 x out - 2 / sqrt(pi) cancels as x grows (relative error ~ 2 x**2 ulps: 3e-11
        # at x = 1e3, 0 for -5.6e-17 at 1e8); above 3 it is -2 out K(x) with K the tail
        # of erfcx's continued fraction (within 1e-15 of mpmath there, see _erfcx_tail)
        # ... and as the quotient (x erfcx') / x, x K(x) ~ 1/2: erfcx' ~ -1 / (sqrt(pi) x**2)
        # underflows past x ~ 1e154 (d/dt erfcx(c t) at c = 1e200 was -0.0 for -3.3e-201,
        # attack59 03), the parts stay normal and the two steps keep it
        # (its test on Re z, a value test: a complex dual's x > 3.0 raised TypeError at a
        # second level; silent61)
        _smooth(sc.erfcx, _canonical(_past_1e100(_erfcx_forms(
            f"-2.0 * out * ({_erfcx_tail()})", f"2.0 * x * out - {_2_SQRTPI}"), "-out / x", -1)),
                quotient=((_canonical(_past_1e100(_erfcx_forms(
                    f"-2.0 * out * (x * ({_erfcx_tail()}))", f"2.0 * x * out - {_2_SQRTPI}", "x * "),
                    "-out", -1)), "x"),)),
        # Faddeeva's w(z) = exp(-z**2) erfc(-i z), entire (holomorphic); a real dual's
        # partials become complex as its value does
        _smooth(sc.wofz, _canonical(_wofz_slope()),
                quotient=((_canonical(_wofz_slope(times=True)), "x"),)),
        _smooth(sc.voigt_profile, *_voigt_derivatives(), domain=(_U, _P, _P),
                kink="sigma = 0: the Lorentzian's, d/dsigma 0 (the limit from sigma > 0); "
                     "nan at (0, 0, 0)",
                note="not defined for complex arguments"),
        _smooth(sc.erfinv, "0.886226925452758 * np.exp(out * out)", domain=(_I,)),
        _smooth(sc.erfcinv, "-0.886226925452758 * np.exp(out * out)",
                domain=((0.1, 1.9),)),
        # expit(x) expit(-x), not out (1 - out): 1 - out cancels for large x (2.7e-8
        # relative at x = 20, 0 from x = 37 for 8.5e-17 there); below |x| = 1 the same
        # as (1 - tanh(x / 2)**2) / 4, whose nested derivative does not cancel: the
        # product's, s(x) s(-x) (s(-x) - s(x)), was 6e-9 off at x = 1e-8 and 0.0 for -x / 8
        # from |x| = 1e-17 (attack61 02; log_expit's third derivative through it)
        _smooth(sc.expit, "where(np.absolute(value(x)) < 1.0, "
                          "0.25 * (1.0 - np.tanh(0.5 * x) * np.tanh(0.5 * x)), out * sc.expit(-x))"),
        _smooth(sc.logit, "1.0 / (x * (1.0 - x) + 0.0)", domain=((0.05, 0.95),)),
        _smooth(sc.log_expit, "sc.expit(-x)"),
        _smooth(sc.ndtr, f"{_1_SQRT2PI} * np.exp(-0.5 * x * x)"),
        # pdf / cdf = sqrt(2 / pi) / erfcx(-x / sqrt 2), not exp(-x**2 / 2 - out): the
        # difference of two numbers near x**2 / 2 lost digits as x fell (5e-7 relative
        # at x = -1e5, all of them at -1e8)
        # for x > 0, pdf / ndtr(x) itself (ndtr >= 1/2 there): erfcx(-x / sqrt 2) overflows
        # from x ~ 38, and 1 / inf's derivative was NaN (and -0 from x ~ 30 for ~ -1e-195)
        # (the test on the value's real part: ``x > 0.0`` compared the nested dual of a
        # complex argument's second level, a TypeError, attack62 06)
        _smooth(sc.log_ndtr, f"where(np.real(value(x)) > 0.0, {_1_SQRT2PI} * np.exp(-0.5 * x * x) / sc.ndtr(x), "
                "0.7978845608028654 / sc.erfcx(-0.7071067811865476 * x))"),
        _smooth(sc.ndtri, "2.5066282746310002 * np.exp(0.5 * out * out)",
                domain=((0.05, 0.95),)),
        _smooth(sc.gamma, "out * sc.digamma(x)", domain=(_P,)),
        _smooth(sc.gammaln, "sc.digamma(x)", domain=(_P,)),
        # trigamma, zeta(2, x), by the table's own function (rules/_special.py): SciPy's
        # Hurwitz zeta cost ~350 ns an element, 26 times psi itself
        # ... and as the quotient (1 / x + x trigamma(x + 1)) / x where trigamma overflows
        # (x < ~1e-154): d2/dt2 gammaln(c t) = c**2 trigamma(c t) at c = 1e-160 was inf
        # for 1, trigamma's 1e320 times c's partial 1e-160 (attack58 11)
        _smooth(sc.digamma, "trigamma(x)", domain=(_P,),
                quotient=(("1.0 / x + x * trigamma(x + 1.0)", "x"),)),
        # ... and as the quotient (q d/dq) / q where -s zeta(s + 1, q) ~ -q**-s underflows
        # beside a partial ~q (d/dt polygamma(1, c t) was -0.0 for -5.9e-201 at c = 1e200),
        # q d/dq by Euler-Maclaurin's -q**(1 - s) (1 + s / (2 q) + s (s + 1) / (12 q**2))
        # from q = 1e4 (1 + |s|): the next term is (s + 3)**4 / (720 q**4) < 1e-18 of it
        _smooth(sc._ufuncs._zeta, None, "-x * sc.zeta(x + 1.0, y)",
                quotient=(None, (_canonical(
                    "where(np.real(value(y)) > 10000.0 * (1.0 + np.absolute(np.real(value(x)))), "
                    "-(y ** (1.0 - x)) * (1.0 + x / y * (0.5 + (x + 1.0) / (12.0 * y))), "
                    "y * (-x * sc.zeta(x + 1.0, y)))"), "y")),
                domain=((2.0, 4.0), _P),
                note="Hurwitz zeta(s, q) behind sc.zeta; differentiable in q only"),
        _smooth(sc.xlogy, "np.log(y)",
                "where(x == 0.0, where(y == 0.0, 0.0, x / (y + 0.0)), x / (y + 0.0))",
                domain=(_U, _P), kink="d/dy is 0 where x = 0"),
        _smooth(sc.xlog1py, "np.log1p(y)",
                "where(x == 0.0, where(y == -1.0, 0.0, x / (1.0 + y)), x / (1.0 + y))",
                domain=(_U, _P), kink="d/dy is 0 where x = 0"),
        # entr is the constant -inf for x < 0 (SciPy's): slope 0 there at every order
        # (the log's NaN gave a NaN gradient beside a finite -1/x Hessian: attack48 08)
        _smooth(sc.entr, "where(np.real(value(x)) < 0.0, 0.0 * x, -np.log(x) - 1.0)",
                domain=(_P,)),
        _smooth(sc.j0, "-sc.j1(x)"),
        # the recurrences J1' = J0 - J1 / x, Y1' = Y0 - Y1 / x, I1' = I0 - I1 / x,
        # K1' = -K0 - K1 / x with Cephes' fast order-0 and -1 functions, not
        # (J0 - J2) / 2 with the real-order jv/yv/iv/kv of AMOS (yv(2.0, x) cost 70
        # times y1 itself); near 0, J1' and I1' take their series (the recurrence's own
        # derivative cancels there: _bessel1_slope_series); Y1' and K1' do not cancel
        # (their terms have one sign near 0, where Y1 / x ~ -2 / (pi x**2))
        _smooth(sc.j1, _canonical(f"where(x * x < 1.0, {_bessel1_slope_series(-1)}, "
                                  "sc.j0(x) - out / x)")),
        _smooth(sc.jv, None, "0.5 * (sc.jv(x - 1.0, y) - sc.jv(x + 1.0, y))",
                domain=((0.0, 3.0), _P), note="differentiable in the last argument only"),
        # orthogonal polynomials, in x only (climate47: scipy.special.legendre(n)(x),
        # an orthopoly1d, calls eval_legendre): P_n' = C_{n-1}^(3/2) and
        # d/dx C_n^(a) = 2 a C_{n-1}^(a+1), for real degree n too (both are 2F1's
        # derivative)
        # negative degrees by SciPy's symmetries (P_n = P_{-n-1}, T_n = T_{-n},
        # U_n = -U_{-n-2}); degree 0 (and -1 for P, U) is a constant, 0 here: SciPy's
        # real-degree C_{-1}(-1.0) is NaN (attack47b 10 too); conditions on np.real(value(x))
        _smooth(sc.eval_legendre, None, _canonical(
            "where(np.real(value(x)) < -0.5, where(np.real(value(x)) == -1.0, 0.0 * y, sc.eval_gegenbauer(-x - 2.0, 1.5, y)), "
            "where(np.real(value(x)) == 0.0, 0.0 * y, sc.eval_gegenbauer(x - 1.0, 1.5, y)))"),
                domain=((0, 6, "int"), _U), note="differentiable in the last argument only"),
        # Chebyshev's (spectral models): T_n' = n U_{n-1}, U_n = C_n^(1), so
        # U_n' = 2 C_{n-1}^(2); real degree too (the same 2F1 identities)
        _smooth(sc.eval_chebyt, None, _canonical(
            "where(np.real(value(x)) < 0.0, -x * sc.eval_gegenbauer(-x - 1.0, 1.0, y), "
            "where(np.real(value(x)) == 0.0, 0.0 * y, x * sc.eval_gegenbauer(x - 1.0, 1.0, y)))"),
                domain=((0, 6, "int"), _U), note="differentiable in the last argument only"),
        _smooth(sc.eval_chebyu, None, _canonical(
            "where(np.real(value(x)) < -1.0, where(np.real(value(x)) == -2.0, 0.0 * y, -2.0 * sc.eval_gegenbauer(-x - 3.0, 2.0, y)), "
            "where(np.real(value(x)) * (np.real(value(x)) + 1.0) == 0.0, 0.0 * y, 2.0 * sc.eval_gegenbauer(x - 1.0, 2.0, y)))"),
                domain=((0, 6, "int"), _U), note="differentiable in the last argument only"),
        _smooth(sc.eval_gegenbauer, None, None,
                # C_n for a whole n <= 0 is a constant (1 or 0); SciPy's real-degree
                # C_{-2.0} is NaN, which a Hessian of P_0 or T_0 reached.  The degree
                # n - 1 keeps n's type (an int stays one): SciPy's float-degree C_0^(b)
                # is NaN for b <= -0.5 and b = 0, its integer C_0 is 1, so C_1^(a)' = 2 a
                # at every a (attack48 10); where SciPy's value is NaN (C_n^(a), n >= 2,
                # a <= -0.5), so is the slope at every order
                _canonical3("where(out == out, where(np.real(value(x)) <= 0.0, "
                            "where(np.real(value(x) - np.floor(np.real(value(x)))) == 0.0, 0.0 * z, "
                            "2.0 * y * sc.eval_gegenbauer(x - 1, y + 1.0, z)), "
                            "2.0 * y * sc.eval_gegenbauer(x - 1, y + 1.0, z)), out)"),
                domain=((0, 6, "int"), (0.5, 2.5), _U), note="differentiable in the last argument only"),
        _smooth(sc.y0, "-sc.y1(x)", domain=(_P,)),
        _smooth(sc.y1, "sc.y0(x) - out / x", domain=(_P,)),
        _smooth(sc.yv, None, "0.5 * (sc.yv(x - 1.0, y) - sc.yv(x + 1.0, y))",
                domain=((0.0, 3.0), _P), note="differentiable in the last argument only"),
        _smooth(sc.i0, "sc.i1(x)"),
        # (where i1 overflows, beyond |x| ~ 709.8, so does i0, and inf - inf is NaN: there
        # the derivative is +inf as the function's own value is)
        _smooth(sc.i1, _canonical(f"where(x * x < 1.0, {_bessel1_slope_series(1)}, "
                                  "where(out - out == 0.0, sc.i0(x) - out / x, "
                                  "np.absolute(out)))")),
        _smooth(sc.iv, None, "0.5 * (sc.iv(x - 1.0, y) + sc.iv(x + 1.0, y))",
                domain=((0.0, 3.0), _P), note="differentiable in the last argument only"),
        # i0e' = i1e - sign(x) i0e and its kin cancel as |x| grows (~2|x| ulps: 3e-12
        # relative at 1e4); beyond 20 (+ order**2 for ive) Hankel's expansion (_ive_slope);
        # i0e is even (its slope odd), i1e odd (its slope even)
        # (both also as the quotient (x f') / x: f' ~ -|x|**-3/2 / (2 sqrt(2 pi)) underflows
        # past |x| ~ 1e205 beside a partial ~x, where x f' ~ |x|**-1/2 is normal: d/dt
        # i0e(c t) was -0.0 for -1.2e-151 at c = 1e300; silent61)
        _smooth(sc.i0e, _canonical(
            f"where(np.absolute(x) > 20.0, np.sign(x) * ({_ive_slope(0.0, 'np.absolute(x)')}), "
            "sc.i1e(x) - np.sign(x) * out)"), kink="0 slope term at x = 0",
                quotient=((_canonical(
                    f"where(np.absolute(value(x)) > 20.0, {_ive_moment(0.0)}, "
                    "x * (sc.i1e(x) - np.sign(x) * out))"), "x"),)),
        # i1e' = e**-|x| (I1' - sign(x) I1): I1' as in i1's row, the scaled recurrence
        # i0e - i1e / x (not (i0e + ive(2, x)) / 2, AMOS's ive: 2.7 times i1e's cost)
        _smooth(sc.i1e, _canonical(
            f"where(np.absolute(x) > 20.0, {_ive_slope(1.0, 'np.absolute(x)')}, "
            f"where(x * x < 1.0, np.exp(-np.absolute(x)) * ({_bessel1_slope_series(1)}), "
            "sc.i0e(x) - out / x) - np.sign(x) * out)"),
                quotient=((_canonical(
                    f"where(np.absolute(value(x)) > 20.0, np.sign(x) * ({_ive_moment(1.0)}), "
                    f"x * (where(x * x < 1.0, np.exp(-np.absolute(x)) * ({_bessel1_slope_series(1)}), "
                    "sc.i0e(x) - out / x) - np.sign(x) * out))"), "x"),)),
        # Hankel's series from y = 20 + v**2 / 4 (it was 20 + v**2: below, the closed form
        # lost up to 2e-7 relative at v = 300, the Hessian 9e-5); below the switch the
        # closed form still loses ~2 y ulps of ive (4e-11 relative at v = 300)
        _smooth(sc.ive, None, _canonical(
            f"where(y > 20.0 + 0.25 * x * x, {_ive_slope('x', 'y')}, "
            "0.5 * (sc.ive(x - 1.0, y) + sc.ive(x + 1.0, y)) - np.sign(y) * out)"),
                domain=((0.0, 3.0), _P), note="differentiable in the last argument only"),
        # ---- incomplete gamma and beta, beta, Bessel of integer order ---------------
        # the density at the endpoints exact (_incomplete_slope; attack32 06: NaN at
        # gammainc(1, 0), betainc(1, b, 0), betainc(a, 1, 1))
        _smooth(sc.gammainc, "gammainc_da(x, y)", _canonical(_incomplete_slope(
            "np.absolute(value(y)) == 0.0", "y ** (x - 1.0) * np.exp(-y - sc.gammaln(x))",
            _gamma_log("x", "y", "np.real(value(x))", "np.real(value(y))"))),
                domain=(_P, _P), kink="x = 0: the limit x**(a - 1) / gamma(a)",
                note="d/da by a series or a continued fraction (stats45)"),
        _smooth(sc.gammaincc, "-gammainc_da(x, y)", _canonical(
            "-(" + _incomplete_slope("np.absolute(value(y)) == 0.0",
                                     "y ** (x - 1.0) * np.exp(-y - sc.gammaln(x))",
                                     _gamma_log("x", "y", "np.real(value(x))",
                                                "np.real(value(y))")) + ")"),
                domain=(_P, _P), kink="x = 0: the limit x**(a - 1) / gamma(a)",
                note="d/da by a series or a continued fraction (stats45)"),
        _smooth(sc.betainc, "betainc_da(x, y, z)", "betainc_db(x, y, z)", _canonical3(_incomplete_slope(
            "np.absolute(value(z) * (1.0 - value(z))) == 0.0",
            "z ** (x - 1.0) * (1.0 - z) ** (y - 1.0) * np.exp(-sc.betaln(x, y))",
            _beta_log("x", "y", "z"))),
                domain=((1.2, 4.0), (1.2, 4.0), (0.05, 0.95)),
                kink="x = 0 and 1: the limit x**(a - 1) (1 - x)**(b - 1) / beta(a, b)",
                note="d/da, d/db by a continued fraction (stats45)"),
        # ---- distribution functions (stats44): the slopes dualgrad.scipy.stats lifted --
        *_distribution_rules(sc),
        # ---- attack32 05: smooth functions that were refused --------------------------
        # loggamma's real value is NaN below 0 (SciPy's): out - out keeps the derivative
        # NaN there (and 0 + psi elsewhere; complex z: the principal branch, psi(z))
        _smooth(sc.loggamma, "out - out + sc.digamma(x)", domain=(_P,),
                kink="nan where the real value is nan (x < 0)"),
        _smooth(sc.exp1, "-np.exp(-x) / x", domain=(_P,)),
        _smooth(sc.expi, "np.exp(x) / x", domain=(_P,)),
        _smooth(sc.erfi, f"{_2_SQRTPI} * np.exp(x * x)"),
        # 1 - 2 x D(x) cancels as |x| grows (D ~ 1 / (2 x): ~2 x**2 ulps); beyond 10,
        # -2 K(x) D(x), K the tail of Faddeeva's continued fraction (D = sqrt(pi) / 2 Im w
        # on the real line, w ~ (i / sqrt(pi)) / (x - K)), as erfcx's row
        # (and as the quotient (x D') / x, as erfcx's row: D' ~ -1 / (2 x**2) underflows)
        _smooth(sc.dawsn, _canonical(_past_1e100(_dawsn_forms(
            f"-2.0 * ({_faddeeva_tail()}) * out", "1.0 - 2.0 * x * out", "(x - x) / 0.0",
            _dawsn_split()), "-out / x", 1)),
                quotient=((_canonical(_past_1e100(_dawsn_forms(
                    f"-2.0 * (x * ({_faddeeva_tail()})) * out", "x * (1.0 - 2.0 * x * out)",
                    "(x - x) / 0.0", f"x * ({_dawsn_split()})"), "-out", 1)), "x"),)),
        # K'(m) = (E / (1 - m) - K) / (2 m), E'(m) = (E - K) / (2 m): 0 / 0 at m = 0, so
        # the series below |m| = 1/4 (_ellip_slope_series); K(1) = inf: +inf there
        # (E / 0 - inf was NaN)
        _smooth(sc.ellipk, _canonical(
            f"where(np.absolute(value(x)) < 0.25, {_ellip_slope_series('k')}, "
            "where(np.absolute(value(x) - 1.0) == 0.0, out, "
            "(sc.ellipe(x) / (1.0 - x) - out) / (2.0 * x)))"),
                domain=((-2.0, 0.9),), kink="inf at m = 1"),
        _smooth(sc.ellipe, _canonical(
            f"where(np.absolute(value(x)) < 0.25, {_ellip_slope_series('e')}, "
            "(out - sc.ellipk(x)) / (2.0 * x))"),
                domain=((-2.0, 0.9),), kink="-inf at m = 1"),
        # x log(x / y) (+ y - x): SciPy's value is 0 at x = 0 for every y >= 0, so d/dy
        # is 0 there (xlogy's guard: the mixed derivative -1 / y stays); d/dx is -inf at
        # x = 0 (the one-sided limit), NaN at (0, 0).  log(x / y) as log x - log y where
        # x / y underflows (x = 0 among them) or overflows: the quotient's own derivative
        # there met 0 * inf (the mixed derivative at x = 0 was 0 one way, -1 / y the other)
        _smooth(sc.rel_entr, _canonical(_off_domain(f"{_LOG_RATIO} + 1.0")),
                _off_domain("-where(x == 0.0, where(y == 0.0, 0.0, x / y), x / y)"),
                domain=(_P, _P), kink="d/dy is 0 where x = 0"),
        _smooth(sc.kl_div, _canonical(_off_domain(_LOG_RATIO)),
                _off_domain("1.0 - where(x == 0.0, where(y == 0.0, 0.0, x / y), x / y)"),
                domain=(_P, _P), kink="d/dy is 1 where x = 0"),
        # huber(delta, r): r**2 / 2 inside |r| <= delta, delta (|r| - delta / 2) outside:
        # one slope at |r| = delta; SciPy's value is inf for delta < 0, NaN slopes there
        _smooth(sc.huber,
                "where(np.real(value(x)) < 0.0, out - out, "
                "where(np.absolute(value(y)) <= np.real(value(x)), 0.0, np.absolute(y) - x))",
                "where(np.real(value(x)) < 0.0, out - out, "
                "where(np.absolute(value(y)) <= np.real(value(x)), y, x * np.sign(y)))",
                domain=((0.2, 0.8), _U), kink="nan where delta < 0",
                note="second derivatives jump at |r| = delta"),
        # pseudo_huber(delta, r) = delta**2 (s - 1), s = sqrt(1 + t**2), t = r / delta:
        # d/dr = r / s, d/ddelta = delta (s - 1)**2 / s with s - 1 = t (t / (s + 1)) (no
        # cancellation at small t); where |t| > 1e100 (delta = 0 too, SciPy's value 0 there)
        # the expansion delta |r| - delta**2 + ...: |r| - 2 delta and delta sign(r), the
        # limits delta -> 0+ through the second derivatives
        _smooth(sc.pseudo_huber,
                "where(np.real(value(x)) < 0.0, out - out, "
                "where(np.absolute(value(y)) >= 1e+100 * np.real(value(x)), np.absolute(y) - 2.0 * x, "
                "x * (y / x * (y / x / (np.sqrt(1.0 + y / x * (y / x)) + 1.0))) * "
                "(y / x * (y / x / (np.sqrt(1.0 + y / x * (y / x)) + 1.0)) / "
                "np.sqrt(1.0 + y / x * (y / x)))))",
                "where(np.real(value(x)) < 0.0, out - out, "
                "where(np.absolute(value(y)) >= 1e+100 * np.real(value(x)), x * np.sign(y), "
                "y / np.sqrt(1.0 + y / x * (y / x))))",
                domain=((0.5, 2.0), _U), kink="nan where delta < 0; delta = 0: the limits from delta > 0"),
        # psi(x) - psi(x + y) cancels as x grows (3.5e-10 relative at x = 1e6, y = 1,
        # 5 % at 1e14): the table's own psi_difference (rules/_special.py)
        _smooth(sc.beta, "out * psi_difference(x, y)", "out * psi_difference(y, x)",
                domain=(_P, _P)),
        _smooth(sc.betaln, "psi_difference(x, y)", "psi_difference(y, x)",
                domain=(_P, _P)),
        # rgamma is entire: at its zeros x = -k (where digamma has poles and -out * psi
        # is 0 * inf) and beside them (SciPy's psi loses 1e-7 relative at -3 + 1e-9) the
        # reflection rgamma(x) = sin(pi x) gamma(1 - x) / pi gives the slope,
        # gamma(1 - x) (cos(pi x) - sin(pi x) psi(1 - x) / pi), (-1)**k k! at -k, a form
        # whose own derivative is the second one there (within 1.2e-13 of mpmath on
        # [-60, 0.5] with points 1e-9 from the zeros; -out * psi alone: 1e-7, NaN at -k)
        _smooth(sc.rgamma, _canonical(
            "where(np.absolute(sc.digamma(x)) <= 30.0, -out * sc.digamma(x), "
            "where(x < 0.5, sc.gamma(1.0 - x) * (np.cos(3.141592653589793 * x) "
            "- np.sin(3.141592653589793 * x) * sc.digamma(1.0 - x) / 3.141592653589793), "
            "-out * sc.digamma(x)))"), domain=(_P,),
                note="at its zeros x = 0, -1, -2, ... the limit (-1)**k k!"),
        _smooth(sc.yn, None, "0.5 * (sc.yn(x - 1, y) - sc.yn(x + 1, y))",
                domain=(_INT, _P), note="integer order n; differentiable in the last argument only"),
        _zero(sc.gammasgn, note="the sign of gamma(x)"),
        _smooth(sc.k0, "-sc.k1(x)", domain=(_P,)),
        _smooth(sc.k1, "-sc.k0(x) - out / x", domain=(_P,)),
        _smooth(sc.kv, None, "-0.5 * (sc.kv(x - 1.0, y) + sc.kv(x + 1.0, y))",
                domain=((0.0, 3.0), _P), note="differentiable in the last argument only"),
        # integer orders (K_-n = K_n, as SciPy's kn): a relativistic Maxwell-Juttner
        # density's K_2, synchrotron kernels (user47)
        _smooth(sc.kn, None, "-0.5 * (sc.kn(x - 1, y) + sc.kn(x + 1, y))",
                domain=(_INT, _P), note="integer order n; differentiable in the last argument only"),
        # E_n' = -E_(n-1); E_0 = exp(-x) / x, whose slope SciPy's expn(-1, x) (NaN) does
        # not give: -exp(-x) (1 + x) / x**2 (a plane-parallel atmosphere's E_2, E_3),
        # written as two terms: at x = 0 the product's tangent was an exact 0 times an
        # infinite factor, so E_0'' gave 0 for +inf (attack48 07)
        _smooth(sc.expn, None,
                "where(x >= 1, -sc.expn(x - 1, y), -np.exp(-y) / y - np.exp(-y) / (y * y))",
                domain=((0, 4, "int"), _P),
                note="integer order n >= 0; differentiable in the last argument only"),
        *_special48_rules(sc),
    ]


def _whole_degree(constant, formula):
    """``constant`` where a polynomial's degree (the row's ``x``) is a whole number <= 0,
    else ``formula``: the polynomial is a constant there (SciPy's 1, 0, or NaN for a real
    degree its formula leaves undefined), and the formula's degree n - 1 is not one SciPy
    evaluates as the polynomial's own derivative (eval_gegenbauer's row's condition)."""
    return (f"where(np.real(value(x)) <= 0.0, where(np.real(value(x) - "
            f"np.floor(np.real(value(x)))) == 0.0, {constant}, {formula}), {formula})")


def _special48_rules(sc):
    """scipy.special rows users hit (special48): more orthogonal polynomials, 2F1 in z,
    Owen's T, Struve's functions."""
    # incomplete elliptic integrals F(phi, m), E(phi, m) (x = phi, y = m): d/dphi 1 / Delta and
    # Delta, Delta = sqrt(1 - m sin(phi)**2); d/dm (1/2) int_0^phi sin**2 / Delta**3 and
    # -(1/2) int_0^phi sin**2 / Delta by Carlson's R_D (DLMF 19.25.1's pieces), with no
    # cancellation as m -> 0 or phi -> 0 ((E - F) / (2 m) loses every digit there): for
    # phi = k pi + r, |r| <= pi / 2, k / 3 R_D(0, 1, 1 - m) (twice K's d/dm a half period,
    # the integrand's period pi) plus sin(r)**3 / 6 R_D(cos(r)**2, 1, Delta(r)**2) (for E
    # R_D(0, 1 - m, 1) and R_D(cos(r)**2, Delta(r)**2, 1)); SciPy's value is NaN for m > 1.
    # carlson_rd is SciPy's elliprd on numbers; on duals (a Hessian) Carlson's duplication
    # in NumPy's operations, which the duals differentiate (misc49: R_D's partials in
    # closed form are divided differences that lose every digit where arguments meet)
    half = "np.floor(x * 0.3183098861837907 + 0.5)"
    r = f"(x - {half} * 3.141592653589793)"
    near = {"f": f"np.sin(x) ** 3.0 / 6.0 * carlson_rd(np.cos(x) ** 2.0, 1.0, "
                 f"1.0 - y * np.sin(x) ** 2.0)",
            "e": f"np.sin(x) ** 3.0 / 6.0 * carlson_rd(np.cos(x) ** 2.0, "
                 f"1.0 - y * np.sin(x) ** 2.0, 1.0)"}
    far = {"f": f"{half} / 3.0 * carlson_rd(0.0, 1.0, 1.0 - y) + np.sin({r}) ** 3.0 / 6.0 * "
                f"carlson_rd(np.cos({r}) ** 2.0, 1.0, 1.0 - y * np.sin({r}) ** 2.0)",
           "e": f"{half} / 3.0 * carlson_rd(0.0, 1.0 - y, 1.0) + np.sin({r}) ** 3.0 / 6.0 * "
                f"carlson_rd(np.cos({r}) ** 2.0, 1.0 - y * np.sin({r}) ** 2.0, 1.0)"}

    def in_m(kind):
        return (f"where(np.real(value(y)) > 1.0, out - out, where(np.absolute(np.real(value(x))) <= "
                f"1.5707963267948966, {near[kind]}, {far[kind]}))")

    def in_phi(slope):
        return f"where(np.real(value(y)) > 1.0, out - out, {slope})"

    delta = "np.sqrt(1.0 - y * np.sin(x) ** 2.0)"
    # below |x| = 1 the series of H_v' (L_v': all signs +), DLMF 11.2.1 differentiated,
    # sum_k (+-1)**k (2k + v + 1) / 2 (x / 2)**(2k + v) / (Gamma(k + 3/2) Gamma(k + v + 3/2)),
    # 12 terms (the 13th below 1e-20 of the first): the recurrence's two terms cancel
    # there for v near -1 (-1.6e286 for 0 at H_(-1)'(1e-300)), and v / x is 0 / 0 at 0;
    # at x = 0 it gives the limits (power's x**0 convention: the second derivative too)
    # (a term whose coefficient 2k + v + 1 is 0 is a constant's: 0, not 0 * inf at x = 0)
    def struve_series(sign):
        return " + ".join(
            f"where(np.real(value(x)) == {-2.0 * k - 1.0}, 0.0 * y, {sign ** k:.1f} * "
            f"(x + {2 * k + 1.0}) * 0.5 * (y * 0.5) ** (x + {2.0 * k}) * "
            f"{1.0 / math.gamma(k + 1.5)!r} * sc.rgamma(x + {k + 1.5}))" for k in range(12))

    return [
        _smooth(sc.ellipkinc, _canonical(in_phi(f"1.0 / {delta}")), _canonical(in_m("f")),
                domain=((-4.0, 4.0), (-2.0, 0.9)), kink="nan for m > 1, as the value"),
        _smooth(sc.ellipeinc, _canonical(in_phi(delta)), _canonical("-(" + in_m("e") + ")"),
                domain=((-4.0, 4.0), (-2.0, 0.9)), kink="nan for m > 1, as the value"),
        # four outputs: dualgrad.scipy.special.airy gives them with their derivatives
        _unsupported(sc.airy, "it has four outputs (Ai, Ai', Bi, Bi'), which the rule "
                              "table's rows do not hold; call dualgrad.scipy.special.airy(x) "
                              "instead, which takes dual numbers (SciPy's values)"),
        # R_D's partials are divided differences of R_D, (R_D(y, z, x) - R_D(x, y, z)) /
        # (2 (x - z)), that lose every digit where the arguments meet: refused, not
        # approximated (ellipkinc's and ellipeinc's d/dm use the table's carlson_rd)
        _unsupported(sc.elliprd, "Carlson's R_D has no cancellation-free partial derivatives in "
                                 "SciPy's functions (its divided differences lose every digit "
                                 "where its arguments meet)"),
        # H_n' = 2 n H_(n-1), He_n' = n He_(n-1) (DLMF 18.9.25-26); SciPy's degree is an
        # integer (its only loop), NaN below 0: out - out keeps that, 0 at degree 0
        _smooth(sc.eval_hermite, None, _canonical(
            "where(np.real(value(x)) <= 0.0, out - out, 2.0 * x * sc.eval_hermite(x - 1, y))"),
                domain=((0, 6, "int"), _U),
                note="integer degree n; differentiable in the last argument only (nan below n = 0, as the value)"),
        _smooth(sc.eval_hermitenorm, None, _canonical(
            "where(np.real(value(x)) <= 0.0, out - out, x * sc.eval_hermitenorm(x - 1, y))"),
                domain=((0, 6, "int"), _U),
                note="integer degree n; differentiable in the last argument only (nan below n = 0, as the value)"),
        # L_n^(a)' = -L_(n-1)^(a+1) (DLMF 18.9.23), for a real degree too (both are
        # binom(n + a, n) 1F1(-n; a + 1; x)); SciPy's value is NaN for a <= -1
        _smooth(sc.eval_laguerre, None, _canonical(
            _whole_degree("out - out", "-sc.eval_genlaguerre(x - 1, 1.0, y)")),
                domain=((0, 6, "int"), (0.0, 4.0)), note="differentiable in the last argument only"),
        _smooth(sc.eval_genlaguerre, None, None, _canonical3(
            "where(np.real(value(y)) <= -1.0, out - out, "
            + _whole_degree("out - out", "-sc.eval_genlaguerre(x - 1, y + 1.0, z)") + ")"),
                domain=((0, 6, "int"), (0.0, 2.0), (0.0, 4.0)),
                note="differentiable in the last argument only: d/dalpha is a sum over the lower degrees, "
                     "with no closed form in SciPy's functions; pass alpha as a plain number"),
        # P_n^(a, b)' = (n + a + b + 1) / 2 P_(n-1)^(a+1, b+1) (DLMF 18.9.15)
        _smooth(sc.eval_jacobi, None, None, None, _canonical4(
            _whole_degree("out - out",
                          "0.5 * (x + y + z + 1.0) * sc.eval_jacobi(x - 1, y + 1.0, z + 1.0, w)")),
                domain=((0, 6, "int"), (0.0, 2.0), (0.0, 2.0), _I),
                note="differentiable in the last argument only: d/dalpha, d/dbeta have no closed form in "
                     "SciPy's functions; pass alpha and beta as plain numbers"),
        # d/dz 2F1(a, b; c; z) = a b / c 2F1(a + 1, b + 1; c + 1; z) (DLMF 15.5.1); a
        # constant 1 where a b = 0
        _smooth(sc.hyp2f1, None, None, None, _canonical4(
            "where(np.real(value(x) * value(y)) == 0.0, out - out, "
            "x * y / z * sc.hyp2f1(x + 1.0, y + 1.0, z + 1.0, w))"),
                domain=((0.2, 2.0), (0.2, 2.0), (2.5, 4.0), (-0.9, 0.9)),
                kink="z = 1: Gauss's sum, inf where c - a - b <= 1",
                # (the row's x, y, z, w are hyp2f1's a, b, c, z)
                note="differentiable in z only: d/da, d/db, d/dc are double series with no "
                     "closed form in SciPy's functions, which dualgrad does not approximate; "
                     "pass a, b and c as plain numbers"),
        # Owen's T(h, a) = (1 / 2 pi) int_0^a exp(-h**2 (1 + t**2) / 2) / (1 + t**2) dt:
        # d/dh = -phi(h) erf(a h / sqrt 2) / 2, d/da the integrand at t = a
        _smooth(sc.owens_t, f"-0.5 * {_1_SQRT2PI} * np.exp(-0.5 * x * x) * "
                            "sc.erf(0.7071067811865476 * y * x)",
                # (x * x + (x * y) ** 2, not x * x * (1 + y * y): 0 * inf was NaN at
                # h = 1e-300, a = 1e200, where the slope is 0; nan54)
                "0.15915494309189535 * np.exp(-0.5 * (x * x + x * y * (x * y))) / "
                "(1.0 + y * y)",
                domain=(_U, _U)),
        # H_v' = H_(v-1) - (v / x) H_v, L_v' = L_(v-1) - (v / x) L_v (DLMF 11.4.23-27), not
        # the half sum (H_(v-1) - H_(v+1)) / 2 + (x / 2)**v / (2 sqrt(pi) Gamma(v + 3/2)),
        # whose terms cancel for large x (2 / pi each against a slope ~ x**-1/2); below
        # |x| = 1 the series
        _smooth(sc.struve, None, _canonical(
            f"where(np.absolute(value(y)) < 1.0, {struve_series(-1)}, "
            "sc.struve(x - 1.0, y) - x / y * out)"),
                domain=((0.0, 3.0), _P), note="differentiable in the last argument only"),
        _smooth(sc.modstruve, None, _canonical(
            f"where(np.absolute(value(y)) < 1.0, {struve_series(1)}, "
            "sc.modstruve(x - 1.0, y) - x / y * out)"),
                domain=((0.0, 3.0), _P), note="differentiable in the last argument only"),
    ]


RULES = {rule.ufunc: rule for rule in _TABLE}

# The parts of a complex value, functions (not ufuncs: outside RULES, whose rows the
# kernels, the numba wing and the ufunc dispatch walk): linear and not holomorphic, so a
# tangent alone, the same part of the partials (of a float partial, itself and +0.0:
# NumPy's on a float64 array).  Dispatch's np.real / np.imag and the scalar duals'
# ``.real`` / ``.imag`` read these rows (:func:`tangent_function`,
# :func:`number_tangent_function`), as np.abs and np.conj read theirs above.
PARTS = {rule.ufunc: rule for rule in (
    Rule(np.real, "linear", note="real inputs: the identity", tangent="np.real(dx)"),
    Rule(np.imag, "linear", note="real inputs: 0.0", tangent="np.imag(dx)"),
)}

# Functions with no complex derivative (Cauchy-Riemann fails): the argument positions
# where a complex dual of a ``holomorphic=True`` call raises instead of giving the
# derivative along the real axis.  The ufuncs are the rows with a ``tangent``; the
# others take parts, conjugate an argument, or are defined through ``A^H``.
NOT_HOLOMORPHIC = {
    **{rule.ufunc: (0,) for rule in (*_TABLE, *PARTS.values()) if rule.tangent},
    np.angle: (0,),
    np.var: (0,), np.std: (0,), np.nanvar: (0,), np.nanstd: (0,), np.cov: (0, 1),
    np.corrcoef: (0, 1),
    np.vdot: (0,), np.vecdot: (0,), np.vecmat: (0,), np.linalg.vecdot: (0,), np.correlate: (1,),
    np.linalg.norm: (0,), np.linalg.vector_norm: (0,), np.linalg.matrix_norm: (0,),
    np.linalg.svd: (0,), np.linalg.svdvals: (0,), np.linalg.eigh: (0,),
    np.linalg.eigvalsh: (0,), np.linalg.cholesky: (0,), np.linalg.qr: (0,),
    np.linalg.pinv: (0,), np.linalg.lstsq: (0,), np.linalg.slogdet: (0,),
}
# (np.fft's transforms with real output, ``irfft``, ``hfft``, ``irfft2`` and ``irfftn``,
# read only the Hermitian half of their input: dispatch/_fft.py adds them here when
# NumPy's lazily loaded fft module is first used, so ``import dualgrad`` does not load it)
_SCIPY_LOADED = False
SCIPY_LOADED = [False]      # (the same, read by dg.quad's watch)
_SCIPY_LOCK = threading.Lock()


def _load_scipy():
    """Add the scipy.special rows once scipy has been imported by the user.

    Under a lock, and the flags set only after every row and the names its code reads
    are in place: a second thread's first scipy.special call waits for the first's
    load instead of finding the flag set and no row (attack56 03)."""
    global _SCIPY_LOADED
    import sys
    sc = sys.modules.get("scipy.special")
    if sc is None:
        return
    with _SCIPY_LOCK:
        if _SCIPY_LOADED:
            return
        _NAMESPACE["sc"] = sc
        _NAMESPACE["log1pmx"] = sys.modules["scipy.special._ufuncs"]._log1pmx
        rows = {}
        for rule in _scipy_rules(sc):
            branch = _SCIPY_BRANCHES.get(rule.name)
            rows[rule.ufunc] = replace(rule, branch=branch) if branch else rule
        RULES.update(rows)      # one step (the walks over RULES take a tuple of it first)
        _SCIPY_LOADED = SCIPY_LOADED[0] = True


def rule_for(ufunc):
    """The rule of ``ufunc``, or ``None`` when the table does not know it."""
    rule = RULES.get(ufunc)
    if rule is None and not _SCIPY_LOADED:
        _load_scipy()
        rule = RULES.get(ufunc)
    return rule


# Array functions of the backend for the table's own functions: name -> a callable of a
# float64 ndarray giving the result, or None where the NumPy passes should run
# (registered by dualgrad.backend._kernels: rules/ imports no higher wing).
ARRAY_KERNELS = {}
_F64 = np.dtype(np.float64)


def _own(name, scalar, passes, x):
    """The table's own function ``name`` (``_special``'s ``scalar`` on one float,
    ``passes`` on an array) of a float64 array, by the backend's kernel or the NumPy
    passes, or of a float, by its Python source (the array path where that raises, at
    the infinities): the same bits all three; ``None`` for anything else, after
    refusing complex numbers (SciPy's zeta is real only, and so are these)."""
    t = type(x)
    if t is np.ndarray and x.dtype == _F64:
        kernel = ARRAY_KERNELS.get(name)
        got = None if kernel is None else kernel(x)
        return passes(x) if got is None else got
    if t is float or t is np.float64:
        try:
            return np.float64(scalar(float(x)))
        except ArithmeticError:
            return passes(np.array(float(x)))[()]
    if t is complex or isinstance(x, np.complexfloating) or \
            t is np.ndarray and x.dtype.kind == "c":
        raise errors.unsupported_function(f"scipy.special.psi of complex numbers (its "
                                          f"derivatives, {name} among them, are real "
                                          f"only here)")
    return None


def trigamma(x):
    """The table's ``trigamma(x)`` (psi's derivative, ``zeta(2, x)``): :func:`_own`'s
    on floats and float64 arrays; on a dual (a Hessian's nested dual) the table's row
    :data:`TRIGAMMA` (its derivative :func:`tetragamma`); anything else (another
    dtype) by ``scipy.special.zeta(2.0, x)``."""
    got = _own("trigamma", _special.trigamma, _special.trigamma_array, x)
    if got is not None:
        return got
    if _DUAL and isinstance(x, _DUAL[0]):
        return _DUAL_CALL[0](TRIGAMMA, (x,))
    return _NAMESPACE["sc"].zeta(2.0, x)


def tetragamma(x):
    """The table's ``tetragamma(x)`` (trigamma's derivative, ``-2 zeta(3, x)``):
    :func:`_own`'s on floats and float64 arrays; anything else (a third derivative's
    nested dual, another dtype) by ``-2.0 * scipy.special.zeta(3.0, x)``, whose own
    rule differentiates it."""
    got = _own("tetragamma", _special.tetragamma, _special.tetragamma_array, x)
    if got is not None:
        return got
    return -2.0 * _NAMESPACE["sc"].zeta(3.0, x)


def psi_difference(x, y):
    """The table's ``psi_difference(x, y)``: ``psi(x) - psi(x + y)`` (betaln's and
    beta's d/dx), by :func:`dualgrad.rules._special.psi_difference_array` where both
    are real, positive and finite (the difference of SciPy's two values cancels as x
    grows: 3.5e-10 relative at x = 1e6, y = 1), SciPy's difference elsewhere; on a
    dual (a Hessian's nested dual) the row :data:`PSI_DIFFERENCE`."""
    return _psi_difference(x, y, 0)


def trigamma_difference(x, y):
    """The table's ``trigamma_difference(x, y)``: ``psi'(x) - psi'(x + y)``
    (:func:`psi_difference`'s d/dx), as :func:`psi_difference`; on a dual the row
    :data:`TRIGAMMA_DIFFERENCE`."""
    return _psi_difference(x, y, 1)


def _psi_difference(x, y, order):
    if _DUAL and (isinstance(x, _DUAL[0]) or isinstance(y, _DUAL[0])):
        return _DUAL_CALL[0](TRIGAMMA_DIFFERENCE if order else PSI_DIFFERENCE, (x, y))
    if order:
        plain = trigamma(x) - trigamma(x + y)
    else:
        sc = _NAMESPACE["sc"]
        plain = sc.digamma(x) - sc.digamma(x + y)
    dtype = np.result_type(plain)
    if dtype.kind != "f":                   # complex: SciPy's (psi is holomorphic)
        return plain
    with np.errstate(invalid="ignore"):
        ok = (np.isfinite(x) & np.isfinite(y)) & ((x > 0) & (y > 0))
    if not np.any(ok):
        return plain
    exact = _special.psi_difference_array(np.where(ok, x, 1.0), np.where(ok, y, 1.0), order)
    got = np.where(ok, exact, plain).astype(dtype, copy=False)
    return got[()] if np.ndim(got) == 0 else got


def t_cdf_df_tail(x, y):
    """The table's ``t_cdf_df_tail(df, t)``: d/d(df) of ``stdtr(df, t)`` past ``df =
    1000`` where ``t**4 >= 2 df`` (:func:`dualgrad.rules._special.t_cdf_df_tail`; NaN
    elsewhere); on a dual the row :data:`T_CDF_DF_TAIL`."""
    if _DUAL and (isinstance(x, _DUAL[0]) or isinstance(y, _DUAL[0])):
        return _DUAL_CALL[0](T_CDF_DF_TAIL, (x, y))
    if np.iscomplexobj(x) or np.iscomplexobj(y):
        raise errors.unsupported_function("scipy.special.stdtr of complex numbers "
                                          "(SciPy's is real only)")
    got = _special.t_cdf_df_tail(x, y)
    return got[()] if np.ndim(got) == 0 else got


def t_score_constant(x):
    """The table's ``t_score_constant(df)``: ``psi((df + 1) / 2) - psi(df / 2) - 1 / df``
    past ``df = 1000`` (:func:`dualgrad.rules._special.t_score_constant`; arithmetic, so
    duals go through it as they are)."""
    return _special.t_score_constant(x)


def gammainc_da(x, y):
    """The table's ``gammainc_da(a, x)``: d/da of ``scipy.special.gammainc(a, x)``
    (``gammaincc``'s is its negative), SciPy's ``P`` (or ``Q``) times the
    log-derivative of :func:`dualgrad.rules._special.gammainc_log_slopes`; 0 at
    ``x = 0`` and ``x = inf`` (``a > 0``), NaN where SciPy's value is NaN and at
    ``a <= 0``, ``a = inf``.  On a dual (a Hessian's) the row :data:`GAMMAINC_DA`."""
    return _gammainc_slope(x, y, 1)


def gammainc_daa(x, y):
    """The table's ``gammainc_daa(a, x)``: d2/da2 of ``gammainc(a, x)``, as
    :func:`gammainc_da`; on a dual the row :data:`GAMMAINC_DAA` (whose own d/da, a
    third derivative, is refused)."""
    return _gammainc_slope(x, y, 2)


def _gammainc_slope(a, x, order):
    if _DUAL and (isinstance(a, _DUAL[0]) or isinstance(x, _DUAL[0])):
        return _DUAL_CALL[0](GAMMAINC_DAA if order > 1 else GAMMAINC_DA, (a, x))
    if np.iscomplexobj(a) or np.iscomplexobj(x):
        raise errors.unsupported_function("scipy.special.gammainc of complex numbers "
                                          "(SciPy's is real only)")
    sc = _NAMESPACE["sc"]
    p, q = sc.gammainc(a, x), sc.gammaincc(a, x)
    with np.errstate(invalid="ignore"):
        af, xf = np.asarray(a, dtype=np.float64), np.asarray(x, dtype=np.float64)
        ends = ((xf == 0.0) | (xf == np.inf)) & (af > 0.0) & (af < np.inf)
        # P (or Q) underflowed to 0 inside: its slope (finite, ~log x) times it is 0 to
        # rounding; the fraction ran to its step limit there and overflowed to NaN
        # (gammaincc(3, 1e200) and chdtr's df slope there: NaN for 0, in 3 s; nan54)
        ends = ends | ((p == 0.0) | (q == 0.0)) & (af > 0.0) & (af < np.inf) & (xf > 0.0)
    if np.any(ends):
        a, x = np.where(ends, 1.0, af), np.where(ends, 1.0, xf)
    lower, first, second = _special.gammainc_log_slopes(a, x, order, ratio=True)
    slope = first if order == 1 else second
    with np.errstate(invalid="ignore"):
        got = np.where(lower, p, -q) * slope
    got = np.where(ends, 0.0, got).astype(np.result_type(p), copy=False)
    with np.errstate(invalid="ignore"):
        lost = np.isnan(got) & ~np.isnan(p) & (af > 0.0) & (af < np.inf) & (xf > 0.0) & \
            (xf < np.inf)
    if np.any(lost):
        # the series / fraction ran to its step limit (near x = a past a ~ 3e8): NaN was
        # returned silently until nan55
        k = np.flatnonzero(np.broadcast_to(lost, np.shape(got)).ravel())[0]
        at = (float(np.broadcast_to(af, np.shape(got)).ravel()[k]),
              float(np.broadcast_to(xf, np.shape(got)).ravel()[k]))
        raise errors.series_unconverged(
            "the derivative of scipy.special.gammainc(a, x) in its shape a (behind "
            "gammaincc, chdtr, chdtrc, gammaincinv, gammainccinv, chdtri and "
            "dualgrad.scipy.stats' gamma / chi2 / poisson shapes)",
            f"a shape whose series or continued fraction converges in "
            f"{_special._gamma_limit(af)} steps (near x = a: a below ~3e8 under it, "
            "~1e14 above it)",
            f"a = {at[0]!r}, x = {at[1]!r}")
    return got[()] if np.ndim(got) == 0 else got


def _betainc_slope(a, b, x, which):
    """``which`` ("a", "b", "aa", "ab", "bb") derivative of ``scipy.special.betainc(a, b,
    x)`` in its shapes: SciPy's ``I`` (or ``-(1 - I)``) times the log-derivatives of
    :func:`dualgrad.rules._special.betainc_log_slopes`; 0 at ``x = 0`` and ``x = 1``
    (``a, b > 0``: I is 0 or 1 there for every shape), NaN where SciPy's value is NaN
    and at ``a, b <= 0`` or infinite.  On a dual the row of :data:`BETAINC_ROWS`."""
    if _DUAL and any(isinstance(v, _DUAL[0]) for v in (a, b, x)):
        return _DUAL_CALL[0](BETAINC_ROWS[which], (a, b, x))
    if np.iscomplexobj(a) or np.iscomplexobj(b) or np.iscomplexobj(x):
        raise errors.unsupported_function("scipy.special.betainc of complex numbers "
                                          "(SciPy's is real only)")
    i, scale, first, second = _beta_slopes(a, b, x, len(which))
    with np.errstate(invalid="ignore"):
        if which == "a" or which == "b":
            slope = first["ab".index(which)]
        else:
            j, k = "ab".index(which[0]), "ab".index(which[1])
            slope = second[j + k] + first[j] * first[k]
        got = scale * slope
        af, bf = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
        xf = np.asarray(x, dtype=np.float64)
        ends = ((xf == 0.0) | (xf == 1.0)) & (af > 0.0) & (af < np.inf) & \
            (bf > 0.0) & (bf < np.inf)
    got = np.where(ends, 0.0, got).astype(np.result_type(i), copy=False)
    return got[()] if np.ndim(got) == 0 else got


_LAST_BETA = [None]     # ((a, b, x), order, got) of the latest plain arrays


def _beta_slopes(a, b, x, order):
    """``(I, scale, first, second)`` of ``(a, b, x)``: SciPy's ``I = betainc(a, b, x)``,
    ``scale`` ``I`` or ``-(1 - I)`` (SciPy's ``betaincc``) where
    :func:`dualgrad.rules._special.betainc_log_slopes` gives the log-derivatives
    ``first``, ``second`` of ``I`` or of ``1 - I``; the latest plain arrays' reused (up to
    :data:`_KEEP_W` elements): one call gives both shapes' jets, and a gradient in (a, b)
    asks for d/da and d/db at the same point (a Hessian for the three second
    derivatives), so it computes them once."""
    args = tuple(np.asarray(v) for v in (a, b, x))
    last = _LAST_BETA[0]
    if last is not None and last[1] >= order and all(
            p.shape == q.shape and p.dtype == q.dtype and np.array_equal(p, q)
            for p, q in zip(last[0], args)):
        return last[2]
    sc = _NAMESPACE["sc"]
    i = sc.betainc(a, b, x)
    lower, first, second = _special.betainc_log_slopes(a, b, x, order)
    with np.errstate(invalid="ignore"):
        # 1 - I only where it is the scale (the upper side): SciPy's betaincc takes ~13x
        # betainc's time (4 us an element, SciPy 1.17), 0.4 s of the 0.57 s d/da of 1e5
        # elements with the kernels (slopes56); elementwise, so the same bits
        scale = np.array(np.broadcast_to(i, np.shape(lower)))
        upper = ~np.asarray(lower)
        if upper.any():
            scale[upper] = -sc.betaincc(*(np.asarray(v)[upper] for v in
                                          np.broadcast_arrays(a, b, x)))
    got = (i, scale, first, second)
    if max(v.size for v in args) <= _KEEP_W:
        _LAST_BETA[0] = (tuple(v.copy() for v in args), order, got)
    return got


def betainc_da(x, y, z):
    """The table's ``betainc_da(a, b, x)``: d/da of ``betainc(a, b, x)``
    (:func:`_betainc_slope`)."""
    return _betainc_slope(x, y, z, "a")


def betainc_db(x, y, z):
    """The table's ``betainc_db(a, b, x)``: d/db of ``betainc(a, b, x)``."""
    return _betainc_slope(x, y, z, "b")


def betainc_daa(x, y, z):
    """The table's ``betainc_daa(a, b, x)``: d2/da2 of ``betainc(a, b, x)``."""
    return _betainc_slope(x, y, z, "aa")


def betainc_dab(x, y, z):
    """The table's ``betainc_dab(a, b, x)``: d2/dadb of ``betainc(a, b, x)``."""
    return _betainc_slope(x, y, z, "ab")


def betainc_dbb(x, y, z):
    """The table's ``betainc_dbb(a, b, x)``: d2/db2 of ``betainc(a, b, x)``."""
    return _betainc_slope(x, y, z, "bb")


class _OwnFunction:
    """One of the table's own functions where a :class:`Rule` holds a ufunc: a unary
    callable with the name and arity the dispatch reads (``call`` applies the rule)."""
    nout = 1

    def __init__(self, fn, nin=1):
        self.fn = fn
        self.nin = nin
        self.__name__ = fn.__name__

    def __call__(self, *args):
        return self.fn(*args)


# The row that differentiates trigamma on duals (psi's second derivative): not in
# RULES (no ufunc reaches it), applied by dispatch's ``call``, registered in _DUAL_CALL
# (rules/ imports no higher wing); its derivative is the table's own tetragamma, not
# SciPy's zeta(3, x), whose time grew with |x| (47 s at x = -1e9 - 0.5)
# (and as the quotient (x tetragamma(x)) / x, taken in two steps where tetragamma ~ -1 /
# x**2 underflows, x tetragamma(x) by its asymptotic series -1/x - 1/x**2 - 1/(2 x**3)
# there (x > 1e100: the next term is 1e-400 of it), not from the subnormal: d2/dt2
# psi(c t) at c = 1e160 was -0.99998887 for -1, 0.0 from 1e200; attack57 12, nan59)
TRIGAMMA = _smooth(_OwnFunction(trigamma), "tetragamma(x)", domain=(_P,),
                   quotient=(("where(x > 1e100, -(1.0 / x) * (1.0 + (1.0 / x) * (1.0 + 0.5 / x)), "
                              "x * tetragamma(x))", "x"),))
# the rows of psi_difference and trigamma_difference on duals, applied the same way:
# d/dy is -psi'(x + y) (resp. -psi''(x + y)), one value, nothing cancels
PSI_DIFFERENCE = _smooth(_OwnFunction(psi_difference, 2), "trigamma_difference(x, y)",
                         "-trigamma(x + y)", domain=(_P, _P))
TRIGAMMA_DIFFERENCE = _smooth(_OwnFunction(trigamma_difference, 2),
                              "tetragamma(x) - tetragamma(x + y)", "-tetragamma(x + y)",
                              domain=(_P, _P))
# t_cdf_df_tail on duals (a Hessian through stdtr's df-slope in the tail): d/dt is the
# density's own df-derivative, f(t) times its score (t_cdf_df_tail's G); d/d(df) there (a
# second derivative in df) is refused by name
_T_SCORE = ("0.5 * (t_score_constant(x) + log1pmx(-(y * y / (x + y * y))) + "
            "y * y / (x + y * y) / x)")
T_CDF_DF_TAIL = _smooth(_OwnFunction(t_cdf_df_tail, 2), None,
                        f"np.exp({_t_logpdf('x', 'y')}) * {_T_SCORE}",
                        domain=((1001.0, 1200.0), (7.0, 9.0)),
                        note="stdtr's second derivative in df past df = 1000 where "
                             "t**4 >= 2 df is not computed")
_DUAL_CALL = []
# gammainc_da and gammainc_daa on duals (a Hessian through gammainc's d/da): d/dx is
# d/da of the density x**(a - 1) e**-x / Gamma(a) (times (log x - psi(a)), then again);
# a third derivative in a is refused by name
_GAMMA_DENSITY = f"np.exp({_gamma_log('x', 'y', 'np.real(value(x))', 'np.real(value(y))')})"
_AT_ZERO_X = ("where(np.absolute(value(y)) == 0.0, "
              "where(np.real(value(x)) > 1.0, 0.0 * y, 0.0 * y - 1.7976931348623157e308 * 2.0), ")
GAMMAINC_DA = _smooth(_OwnFunction(gammainc_da, 2), "gammainc_daa(x, y)",
                      f"{_AT_ZERO_X}{_GAMMA_DENSITY} * (np.log(y) - sc.digamma(x)))",
                      domain=(_P, _P))
GAMMAINC_DAA = _smooth(_OwnFunction(gammainc_daa, 2), None,
                       f"{_AT_ZERO_X}{_GAMMA_DENSITY} * ((np.log(y) - sc.digamma(x)) * "
                       "(np.log(y) - sc.digamma(x)) - trigamma(x)))",
                       domain=(_P, _P),
                       note="gammainc's third derivative in a is not computed")

# betainc's shape derivatives on duals: d/dx is d/da (d/db) of the density x**(a - 1)
# (1 - x)**(b - 1) / B(a, b), log-derivatives La = log x - (psi(a) - psi(a + b)) and Lb =
# log(1 - x) - (psi(b) - psi(a + b)); at x = 0, 1 the limit 0 where the density
# vanishes there (a > 1 at 0, b > 1 at 1), NaN elsewhere (it is infinite); the second
# derivatives' own shape derivatives (third ones) are refused by name
_BETA_DENSITY = f"np.exp({_beta_log('x', 'y', 'z')})"
_LA, _LB = "(np.log(z) - psi_difference(x, y))", "(np.log1p(-z) - psi_difference(y, x))"


def _beta_density_slope(factor):
    return (f"where(np.absolute(value(z) * (1.0 - value(z))) == 0.0, "
            f"where(np.absolute(value(z)) == 0.0, where(np.real(value(x)) > 1.0, 0.0 * z, "
            f"0.0 * z / 0.0), where(np.real(value(y)) > 1.0, 0.0 * z, 0.0 * z / 0.0)), "
            f"{_BETA_DENSITY} * ({factor}))")


_THIRD = "betainc's third derivatives in its shapes are not computed"
BETAINC_ROWS = {
    "a": _smooth(_OwnFunction(betainc_da, 3), "betainc_daa(x, y, z)", "betainc_dab(x, y, z)",
                 _beta_density_slope(_LA), domain=(_P, _P, (0.05, 0.95))),
    "b": _smooth(_OwnFunction(betainc_db, 3), "betainc_dab(x, y, z)", "betainc_dbb(x, y, z)",
                 _beta_density_slope(_LB), domain=(_P, _P, (0.05, 0.95))),
    "aa": _smooth(_OwnFunction(betainc_daa, 3), None, None, _beta_density_slope(
        f"{_LA} * {_LA} - trigamma_difference(x, y)"), domain=(_P, _P, (0.05, 0.95)),
        note=_THIRD),
    "ab": _smooth(_OwnFunction(betainc_dab, 3), None, None, _beta_density_slope(
        f"{_LA} * {_LB} + trigamma(x + y)"), domain=(_P, _P, (0.05, 0.95)), note=_THIRD),
    "bb": _smooth(_OwnFunction(betainc_dbb, 3), None, None, _beta_density_slope(
        f"{_LB} * {_LB} - trigamma_difference(y, x)"), domain=(_P, _P, (0.05, 0.95)),
        note=_THIRD),
}


# The table's own functions of Faddeeva's w at a point that is no row's argument
# (voigt_profile's u): name -> the source string in x and out = w(x), compiled on first
# use; on duals (a Hessian's nested ones) the formula is differentiated as written.
_WOFZ_OWN = {"wofz_slope": _wofz_slope, "wofz_moment_slope": _wofz_moment_slope}


def _wofz_own(name, z):
    """The table's own function ``name`` of :data:`_WOFZ_OWN` at ``z`` (a number, an
    array or a dual), ``w(z)`` by SciPy's wofz."""
    fn = _COMPILED.get(name)
    if fn is None:
        expr = parse(_WOFZ_OWN[name](), ("x", "out"), name)
        fn = _COMPILED[name] = expr.function(_NAMESPACE, {"where": _LAZY})
    return fn(z, _w(z))


_LAST_W = [None]        # (z, w(z)) of the latest plain array: private copies
_KEEP_W = 1 << 20       # elements: at most 32 MB kept between calls


def _w(z):
    """SciPy's ``wofz(z)``, the latest plain array's reused: voigt_profile's three
    derivatives each need w at the same u (four wofz a call, the value's included,
    where two do: 8x the float call at N = 1e5, left37), and comparing u costs a
    fraction of one.  Up to :data:`_KEEP_W` elements; callers get their own copy."""
    wofz = _NAMESPACE["sc"].wofz
    if type(z) is not np.ndarray or z.size > _KEEP_W:
        return wofz(z)
    last = _LAST_W[0]
    if last is not None and last[0].shape == z.shape and last[0].dtype == z.dtype and \
            np.array_equal(last[0], z):
        return last[1].copy()
    w = wofz(z)
    _LAST_W[0] = (z.copy(), w.copy())
    return w


def wofz_slope(z):
    """The table's ``wofz_slope(z)``: w'(z) of Faddeeva's ``w = scipy.special.wofz``
    (the wofz row's own derivative: :func:`_wofz_slope`)."""
    return _wofz_own("wofz_slope", z)


def wofz_moment_slope(z):
    """The table's ``wofz_moment_slope(z)``: ``(z w(z))' = w + z w'`` without its
    cancellation for large |z| (:func:`_wofz_moment_slope`)."""
    return _wofz_own("wofz_moment_slope", z)


def carlson_rd(x, y, z):
    """The table's ``carlson_rd(x, y, z)``: Carlson's R_D, SciPy's ``elliprd`` on
    numbers; on dual numbers (a Hessian through ellipkinc's or ellipeinc's d/dm)
    Carlson's duplication (:func:`dualgrad.rules._special.carlson_rd_duplication`) in
    NumPy's operations, which the duals differentiate at every order, its steps counted
    at the plain values."""
    if not (_DUAL and any(isinstance(v, _DUAL[0]) for v in (x, y, z))):
        return _NAMESPACE["sc"].elliprd(x, y, z)
    if any(np.iscomplexobj(value(v)) for v in (x, y, z)):
        raise errors.unsupported_function("the derivatives of scipy.special.ellipkinc / "
                                          "ellipeinc in m at complex numbers")
    plain = np.broadcast_arrays(*(np.asarray(value(v), dtype=np.float64) for v in (x, y, z)))
    return _special.carlson_rd_duplication(x, y, z, _special.carlson_rd_steps(*plain))


_NAMESPACE = {"np": np, "where": where, "value": value, "lazy_where": lazy_where,
              "carlson_rd": carlson_rd,
              "trigamma": trigamma, "tetragamma": tetragamma, "wofz_slope": wofz_slope,
              "wofz_moment_slope": wofz_moment_slope, "psi_difference": psi_difference,
              "trigamma_difference": trigamma_difference, "gammainc_da": gammainc_da,
              "gammainc_daa": gammainc_daa, "t_cdf_df_tail": t_cdf_df_tail,
              "t_score_constant": t_score_constant, "betainc_da": betainc_da, "betainc_db": betainc_db,
              "betainc_daa": betainc_daa, "betainc_dab": betainc_dab, "betainc_dbb": betainc_dbb}
_COMPILED = {}
# the condition of a row whose branch at x = 0 :func:`regular_branch` leaves out
_AT_ZERO = parse("np.absolute(value(x)) == 0.0", ("x", "y", "out"))
_Y_ZERO = parse("np.absolute(value(y)) == 0.0", ("x", "y", "out"))
# (an exponent of 2**53 or past, where ``y - 1.0`` may lose the parity: :func:`_power_at_zero`)
_Y_HUGE = parse(f"np.absolute(value(y)) >= {2.0 ** 53!r}", ("x", "y", "out"))
# (and the test of np.power's d/dy for a value that underflowed, which it also leaves out)
_OUT_LOST = parse("np.absolute(value(out)) < 2.2250738585072014e-308", ("x", "y", "out"))


def tangent_function(rule):
    """``t(x, out, dx)``: the tangent of ``rule`` on complex values, or ``None`` when
    the rule's derivatives hold there as they are (a holomorphic function)."""
    if not rule.tangent:
        return None
    key = ("tangent", rule.ufunc)
    fn = _COMPILED.get(key)
    if fn is None:
        fn = _COMPILED[key] = rule.tangent_expr.function(_NAMESPACE)
    return fn


def number_tangent_function(rule, out, dx):
    """``(t, arithmetic)``: the tangent of ``rule`` (a row of :data:`RULES` or
    :data:`PARTS`) on Python numbers, ``t(x, out, dxs)`` the list of the tangents of
    the partials ``dxs``, a complex ``x``; ``out`` and ``dx`` say whether the value and
    the partials are floats (``"f"``) or complex numbers (``"c"``), the partials maybe
    both (``"m"``: a float read as the lift's complex128 holds it, ``complex(p)``).  The
    general path's bits on the 0-d lift wherever ``t`` returns
    (:func:`dualgrad.rules._expr.number_tangent`, whose ``arithmetic`` says when the
    numbers must be finite); ``(None, False)`` where the row has no tangent or it has
    no such source.  The complex scalar duals' ``abs``, ``conj``, ``.real`` and
    ``.imag`` (``dual._scalar.complex_tangent``)."""
    key = ("number tangent", rule.ufunc, out, dx)
    pair = _COMPILED.get(key)
    if pair is None:
        pair = _COMPILED[key] = number_tangent(rule.tangent_expr, {
            "x": "c", "out": out, "dx": dx}) if rule.tangent else (None, False)
    return pair


def regular_form(rule, k):
    """``(tests, branch)`` of argument ``k``'s local derivative of ``rule``, for a row
    written ``where(np.absolute(value(x)) == 0.0, at_zero, regular)`` (``np.power``,
    ``np.float_power``); ``None`` for any other row.  ``branch`` is the regular branch
    (:class:`Expr`: ``y * x ** (y - 1.0)``, past its own ``where(np.absolute(value(y))
    == 0.0, ...)``; ``out * np.log(x)``, past ``where(np.absolute(value(out)) <
    2.2250738585072014e-308, ...)``) and ``tests`` the value conditions (:class:`Expr`)
    under which the row takes another branch: ``x`` zero, then those peeled.  The one
    reading of that form: :func:`regular_branch` compiles it for NumPy,
    ``backend._kernelgen`` for the compiled entries of ``u ** v`` and a scalar's power."""
    key = ("form", rule.ufunc, k)
    form = _COMPILED.get(key, False)
    if form is False:
        expr = rule.exprs[k] if k < len(rule.exprs) else None
        tree = None if expr is None else expr.tree
        form = None
        if tree is not None and tree[0] == "call" and tree[1] == "where" and \
                tree[2][0] == _AT_ZERO.tree:
            branch, tests = tree[2][2], [_AT_ZERO]
            while branch[0] == "call" and branch[1] == "where" and \
                    branch[2][0] in (_Y_ZERO.tree, _Y_HUGE.tree, _OUT_LOST.tree):
                tests.append(_Y_ZERO if branch[2][0] == _Y_ZERO.tree else
                             _Y_HUGE if branch[2][0] == _Y_HUGE.tree else _OUT_LOST)
                branch = branch[2][2]
            form = tuple(tests), Expr(f"{expr.text} where x, y != 0, |out| normal",
                                      expr.params, branch)
        _COMPILED[key] = form
    return form


def entry_form(rule):
    """``(tests, kernel, parts, reads)`` of a one-argument smooth row of a NumPy or
    scipy.special ufunc whose local derivative is kernel arithmetic on calls of
    one-argument float64 ufuncs (``np.cos``'s ``-a0`` of ``a0 = np.sin(x)``; ``np.tanh``'s ``1.0 / a0 * (1.0 / a0)``
    of ``a0 = np.cosh(x)``, past ``where(np.absolute(np.real(value(x))) > 374.0, 709.0,
    x)``), or ``None``: a row whose derivative is kernel arithmetic alone (its own
    generated kernels, ``backend._kernelgen.fusable``), one NumPy call as it is (``np.sin``'s
    ``np.cos(x)``: the lean path's shared product ``scale_entry`` takes it), a quotient
    or spread row, anything else.  ``parts`` (:class:`Expr` of ``x``, ``out``) are
    :meth:`Expr.kernel_split`'s, each ``where`` in them written as its taken branch
    (:meth:`Expr.branch_taken`); ``kernel`` is the rest, on ``x``, ``out`` and the
    parts' names ``a0``, ...; ``tests`` the conditions of those ``where`` (on values),
    under which the row computes another branch; ``reads`` the names of
    ``kernel.params`` that the kernel and the tests read, in that order: the entry's
    1-D arguments.  ``backend._kernelgen`` writes the compiled entry that computes the
    kernel and the partials, declining where a test holds; the lean path
    (``dispatch._ufuncs.lean``) computes the parts and passes ``reads``."""
    key = ("entry", rule.ufunc)
    form = _COMPILED.get(key, False)
    if form is False:
        form = None
        expr = rule.exprs[0] if rule.ufunc.nin == 1 and rule.kind == "smooth" and \
            rule.exprs and type(rule.ufunc) is np.ufunc and \
            rule.ufunc in (getattr(np, rule.name, None), getattr(sc_module(), rule.name, None)) \
            and rule.quotient_exprs[0] is None and not rule.spread else None
        if expr is not None and expr.real_line().kernel_source() is None:
            kernel, parts = expr.kernel_split()
            tests, taken = [], []
            for part in parts:
                found, part = part.branch_taken()
                tests += found
                taken.append(part)
            if kernel.kernel_source() is not None and kernel.tree[0] != "name" and \
                    parts and all(map(_float_ufunc_call, taken)) and \
                    all(t.kernel_source() is not None for t in tests):
                used = kernel.names.union(*(t.names for t in tests))
                form = (tuple(tests), kernel, tuple(taken),
                        tuple(a for a in kernel.params if a in used))
        _COMPILED[key] = form
    return form


def _float_ufunc_call(part):
    """Is ``part`` (:class:`Expr`) a call of a one-argument NumPy or scipy.special ufunc
    with a float64 loop on kernel arithmetic (``np.sin(x)``, ``sc.j1(x)``)?  Then on 1-D
    float64 values it is a 1-D float64 ndarray, which a compiled entry may take
    unchecked."""
    node = part.tree
    if node[0] != "call" or node[1][:3] not in ("np.", "sc.") or len(node[2]) != 1:
        return False
    ufunc = getattr(np if node[1][:3] == "np." else sc_module(), node[1][3:], None)
    return type(ufunc) is np.ufunc and ufunc.nin == 1 and ufunc.nout == 1 and \
        "d->d" in ufunc.types and \
        Expr(part.text, part.params, node[2][0]).kernel_source() is not None


def regular_branch(rule, k):
    """``d(x, y, out)``: argument ``k``'s local derivative of ``rule`` where no value of
    ``x`` is zero, ``y`` is not zero and no ``|out|`` is below the smallest normal
    number (:func:`regular_form`'s branch), or ``None`` for a row not of that form.

    The table's own branch, compiled alone: where ``x`` has no zero element and ``y``
    none, :func:`lazy_where` evaluates this branch only and copies it, so the two agree
    to the bit, without the tests and the copy (the lean path of ``u ** b``, small41)."""
    key = ("regular", rule.ufunc, k)
    fn = _COMPILED.get(key, False)
    if fn is False:
        form = regular_form(rule, k)
        fn = None
        if form is not None:
            tests, branch = form
            fn = branch.function(_NAMESPACE, {"where": _LAZY})
            fn.peeled = frozenset(            # (what _regular_first must test first)
                "y" if t is _Y_ZERO else "huge" if t is _Y_HUGE else "out"
                for t in tests if t is not _AT_ZERO)
        _COMPILED[key] = fn
    return fn


def derivative_functions(rule):
    """Callables ``d(x, y, out)`` (or ``d(x, out)``), one per argument.

    ``None`` marks a non-differentiable argument and ``"0"`` a locally
    constant one; both are returned as is.
    """
    fns = _COMPILED.get(rule.ufunc)
    if fns is None:
        fns = tuple(text if expr is None else expr.function(_NAMESPACE, {"where": _LAZY})
                    for text, expr in zip(rule.derivs, rule.exprs))
        real = _REAL_ARGUMENTS.get(rule.name)
        if real is not None and getattr(sc_module(), rule.name, None) is rule.ufunc:
            fns = tuple(_real_argument(fn, rule.name, real) if callable(fn) else fn
                        for fn in fns)
        if len(fns) == 2 and callable(fns[0]) and regular_branch(rule, 0) is not None:
            fns = tuple(_regular_first(fn, regular_branch(rule, k))
                        for k, fn in enumerate(fns))
        fns = _COMPILED[rule.ufunc] = fns
    return fns


def _regular_first(full, regular):
    """``full``, argument ``k``'s local derivative of a row of :func:`regular_branch`'s
    form (``np.power``, ``np.float_power``), with the tests its ``lazy_where`` makes
    answered first for plain float64 values (Python and NumPy floats, float64
    ndarrays): where ``x`` has no zero and each condition :func:`regular_branch`
    peeled from this argument's row holds (``y`` no zero, no ``|out|`` below the
    smallest normal number: the conditions the row holds, not a list per argument,
    diff63 F8), every condition takes the regular branch,
    which ``lazy_where`` then evaluates alone and copies: ``regular`` itself, the same
    bits, without the row's ~20 NumPy calls of tests and copies (``a ** k``, ``2.0 **
    u``, ``t ** k``: 13-28 us at N = 10 where ``u * k`` costs 1.9, small63).  Anything
    else (a zero, nested or complex values): ``full``."""
    y_test, out_test = "y" in regular.peeled, "out" in regular.peeled
    huge_test = "huge" in regular.peeled

    def d(x, y, out):
        if _no_zero(x) and (not y_test or _no_zero(y)) and (not out_test or _normal(out)) \
                and (not huge_test or _not_huge(y)):
            return regular(x, y, out)
        return full(x, y, out)
    return d


_fmin = np.fmin.reduce


def _no_zero(v):
    """Is ``v`` a plain float64 (a Python or NumPy float, a float64 ndarray) with no
    element 0 (NaN is none: the table's ``np.absolute(value(x)) == 0.0`` is False)?"""
    t = type(v)
    if t is float or t is np.float64:
        return v != 0.0
    return t is np.ndarray and v.dtype is _F64 and bool(v.all())


_fmax = np.fmax.reduce


def _not_huge(v):
    """Is ``v`` a plain float64 with every element below 2**53 in magnitude (NaN passed
    over, as the table's ``>=`` does), where the power row's ``y - 1.0`` keeps the
    parity of ``y - 1``?"""
    t = type(v)
    if t is float or t is np.float64:
        return not abs(v) >= 9007199254740992.0
    return t is np.ndarray and v.dtype is _F64 and \
        not _fmax(np.absolute(v), axis=None, initial=0.0) >= 9007199254740992.0


def _normal(v):
    """Is ``v`` a plain float64 with no element below the smallest normal number in
    magnitude (NaN passed over, as the table's ``<`` does)?"""
    t = type(v)
    if t is float or t is np.float64:
        return not abs(v) < TINY
    return t is np.ndarray and v.dtype is _F64 and \
        _fmin(np.absolute(v), axis=None, initial=np.inf) >= TINY


# Arguments whose complex values have neither a complex derivative nor a tangent in
# the table (Cauchy-Riemann fails): ``sc.ive(v, z) = iv(v, z) exp(-|Re z|)``, whose
# row's ``- sign(y) out`` took |Re z|'s derivative as a complex number (attack53 10:
# 0.054 - 0.253j for -0.057 - 0.095j).  A complex value there raises, naming the
# spelling whose pieces the table differentiates.
_REAL_ARGUMENTS = {"ive": (1, "sc.iv(v, z) * np.exp(-np.abs(z.real))")}


def sc_module():
    """scipy.special where it is loaded (the table's scipy rows exist only then)."""
    import sys
    return sys.modules.get("scipy.special")


def _real_argument(fn, name, real):
    k, spelling = real

    def checked(*values):
        v = values[k]
        while hasattr(v, "partials"):       # (a nested dual's values)
            v = v.value
        if np.iscomplexobj(v):
            raise errors.bad_type(
                f"scipy.special.{name}", "a real argument at position "
                f"{k} (its scaling exp(-|Re z|) has no complex derivative)",
                "a complex one", f"Write {spelling}: each piece has its derivative.")
        return fn(*values)
    return checked


_STEPS = {"sign": np.sign, "floor": np.floor, "ceil": np.ceil, "trunc": np.trunc,
          "rint": np.rint}
# beside each step, where it changes value: the threshold of the place nearest v (0 for
# sign, the nearest integer for floor / ceil / trunc, a half-integer for rint); dg.quad's
# watch interpolates a place's derivative to it and tests a moving limit's tie against it
_THRESHOLDS = {"sign": lambda v: 0.0 * np.asarray(v), "floor": np.round, "ceil": np.round,
               "trunc": np.round, "rint": lambda v: np.floor(v) + 0.5}
_STEP_THRESHOLDS = {_STEPS[name]: _THRESHOLDS[name] for name in _STEPS}


def step_threshold(step):
    """The threshold function of ``step`` (a NumPy function of :data:`_STEPS`, as
    :func:`branch_functions` gives it): ``T(v)``, the value of the place nearest ``v``
    where ``step`` changes (``v == T(v)``: ``v`` sits on a branch point)."""
    return _STEP_THRESHOLDS[step]
_BRANCH_FUNCTIONS = {}


@dataclass(frozen=True)
class Selection:
    """A NumPy function that picks elements by their order (``np.max``, ``np.sort``,
    ``np.median``, ``np.argmax``, ``np.searchsorted``, ...) as a branch for dg.quad's
    watch (dispatch reports it where a watch runs): the branch is the index it picks
    (``arg``: ``"argmax"``, ``"argmin"``, ``"nanargmax"``, ``"nanargmin"``,
    ``"argsort"``, ``"lexsort"``, ``"searchsorted"`` or ``"digitize"``) of the plain
    values along ``axis`` (``None``: flattened; lexsort's keys are the values, or its
    one 2-D argument's rows where ``option`` is not ``"keys"``); ``kink``
    for a function whose value is continuous there (a maximum, a sorted element),
    a jump for one returning indices.  Equal selections are one place."""
    name: str
    arg: str
    axis: object = None
    option: object = None           # searchsorted's side, digitize's right
    kink: bool = True

    @property
    def __name__(self):
        return self.name

    def branch(self, *values):
        """The indices the plain ``values`` select."""
        if self.arg in ("eigh", "svd"):
            return _vector_signs(values[0], self.arg, self.option)
        if self.arg == "eig":
            return _eig_pivots(values[0])
        if self.arg == "qr":
            return _qr_signs(values[0])
        if self.arg == "slogdet":       # the determinant's sign (a phase: complex)
            with np.errstate(all="ignore"):
                return np.linalg.slogdet(np.asarray(values[0]))[0]
        if self.arg in ("eigh signs", "svd signs"):
            return _pivot_signs(values[0], self.arg, self.option)
        a = np.real(values[0])
        if self.arg == "searchsorted":
            return np.searchsorted(a, np.real(values[1]), self.option or "left")
        if self.arg == "digitize":
            return np.digitize(a, np.real(values[1]), bool(self.option))
        if self.arg == "lexsort":
            keys = [np.real(v) for v in values] if self.option == "keys" else a
            return np.lexsort(keys, axis=-1 if self.axis is None else self.axis)
        axis = self.axis
        if self.arg in ("cumargmax", "cumargmin"):      # the running extreme's index
            return _running_index(a if self.arg == "cumargmax" else -a,
                                  0 if axis is None else axis)
        if self.arg in ("nanargmax", "nanargmin"):      # (an all-NaN slice: argmax's
            a = np.where(np.isnan(a), -np.inf if self.arg == "nanargmax" else np.inf, a)
        if axis is None or isinstance(axis, tuple):
            a, axis = np.ravel(a), 0
        if self.arg == "argsort":
            return np.argsort(a, axis=axis, kind="stable")
        return getattr(np, self.arg.replace("nan", ""))(a, axis=axis)

    @property
    def specs(self):
        return ((self.kink, np.asarray, lambda *values: self.branch(*values[:-1])),)


class _FloatNumPy:
    """The places' vocabulary on Python floats (:func:`float_places`)."""
    absolute = staticmethod(abs)
    floor = staticmethod(math.floor)

    @staticmethod
    def log(v):                 # (NumPy's at 0 and below: no ValueError)
        return math.log(v) if v > 0.0 else -math.inf if v == 0.0 else math.nan
    real = staticmethod(float)


_FLOAT_NAMESPACE = {"np": _FloatNumPy, "value": float,
                    "where": lambda cond, a, b: a if cond else b}
_FLOAT_PLACES = {}


def float_places(ufunc):
    """The places of ``ufunc``'s NaN sources (kind ``"nan"``) as callables of
    Python floats (``(x, y)``, no ``out``), a fast test of a NaN source's side for
    dg.quad's watch (np.power's place costs ~3 us through NumPy's scalars); ``None``
    where a place calls a function this vocabulary lacks."""
    found = _FLOAT_PLACES.get(ufunc, False)
    if found is False:
        rule = RULES.get(ufunc)
        try:
            found = tuple(parse(place, _PARAMS[ufunc.nin - 1], f"{rule.name}, branch")
                          .function(_FLOAT_NAMESPACE) for kind, _, place in rule.branch
                          if kind == "nan")
            for f in found:
                f(*([0.5] * ufunc.nin), None)
        except Exception:  # noqa: BLE001 - a call outside the vocabulary: none
            found = None
        _FLOAT_PLACES[ufunc] = found
    return found


def _vector_signs(a, arg, uplo):
    """The order in which ``np.linalg.eigh`` (``arg`` ``"eigh"``) or ``np.linalg.svd``
    (``"svd"``) returns its sorted values, as the sign pattern of their vectors (each
    scaled by the phase of its first component beyond 1e-8; an SVD's left vectors by
    their right one's, so a singular value's sign is seen): two values that cross swap
    orthogonal vectors, and two orthogonal vectors never share a pattern (their products
    would all be >= 0).  A pattern that changes without a crossing (a component through
    1e-8, a repeated value's basis) costs dg.quad's watch a confirmation that finds
    func continuous."""
    a = np.asarray(a)
    with np.errstate(all="ignore"):
        vectors = _vectors_of(a, arg == "eigh", uplo)[::-1]     # (an SVD's right ones first)
        big = np.abs(vectors[0]) > 1e-8
        first = np.take_along_axis(vectors[0], np.argmax(big, axis=-2)[..., None, :], -2)
        phase = np.where(np.abs(first) > 0, first / np.abs(first), 1.0)
        keys = []
        for v in vectors:
            v = v / phase
            for part in (np.real(v), np.imag(v)):
                keys.append(np.sign(part) * (np.abs(part) > 1e-8))
    return np.concatenate([k.reshape(k.shape[:-2] + (-1,)) for k in keys], axis=-1)


def _eig_pivots(a):
    """``np.linalg.eig``'s vectors' normalization as a branch: for each column (LAPACK's
    order) the row of its largest-modulus component, which LAPACK makes real, and that
    component's sign (DGEEV's real vectors keep the sign of its back substitution); a
    change of either is a jump of the vector (its phase or sign)."""
    with np.errstate(all="ignore"):
        return _pivot_keys(np.linalg.eig(np.asarray(a))[1])


def _pivot_keys(v):
    """Per column of ``v``: ``2 row + (Re > 0)`` of its largest-modulus component."""
    k = np.argmax(np.abs(v), axis=-2)
    pivot = np.take_along_axis(v, k[..., None, :], -2)[..., 0, :]
    return 2 * k + (np.real(pivot) > 0)


def _vectors_of(a, eigh, uplo):
    """``[V]`` of ``np.linalg.eigh(a)``, or ``[U, V]`` of ``np.linalg.svd(a)`` (``V``
    the right vectors as columns, ``vh``'s conjugate transpose)."""
    if eigh:
        return [np.linalg.eigh(a, UPLO=uplo or "L")[1]]
    u, _, vh = np.linalg.svd(a, full_matrices=False)
    return [u, np.conj(np.swapaxes(vh, -1, -2))]


def _pivot_signs(a, arg, uplo):
    """``np.linalg.eigh``'s or ``np.linalg.svd``'s vectors' signs as a branch: for each
    column (and an SVD's right vectors) the row of its largest-modulus component and
    that component's sign (of its real part); LAPACK's sign is its own choice, and a
    flip is a jump of the vector (a change of row where the vector is continuous costs
    the watch a confirmation that finds func continuous)."""
    a = np.asarray(a)
    with np.errstate(all="ignore"):
        vectors = _vectors_of(a, arg == "eigh signs", uplo)
        return np.concatenate([_pivot_keys(v) for v in vectors], axis=-1)


def _qr_signs(a):
    """``np.linalg.qr``'s Householder signs as a branch: the signs of ``R``'s diagonal
    (LAPACK's ``-sign(Re alpha)``), whose change flips a row of ``R`` and a column of
    ``Q`` (a jump of each)."""
    with np.errstate(all="ignore"):
        R = np.linalg.qr(np.asarray(a), mode="r")
    return np.sign(np.real(np.diagonal(R, axis1=-2, axis2=-1)))


def _running_index(a, axis):
    """Along ``axis``, the index of the element holding the running maximum of ``a``
    (``np.maximum.accumulate``'s pick; NaN taken as -inf, ``fmax``'s skipping)."""
    a = np.where(np.isnan(a), -np.inf, a)
    axis = axis % a.ndim
    index = np.arange(a.shape[axis]).reshape((-1,) + (1,) * (a.ndim - axis - 1))
    return np.maximum.accumulate(np.where(a == np.maximum.accumulate(a, axis=axis),
                                          index, 0), axis=axis)


# ufunc methods that select (attack51 03: a running maximum np.maximum.accumulate, a
# maximum np.maximum.reduce of a stack): the selection their __call__'s kink makes
_METHOD_SELECTIONS = {("maximum", "reduce"): "argmax", ("minimum", "reduce"): "argmin",
                      ("fmax", "reduce"): "nanargmax", ("fmin", "reduce"): "nanargmin",
                      ("maximum", "accumulate"): "cumargmax", ("fmax", "accumulate"):
                      "cumargmax", ("minimum", "accumulate"): "cumargmin",
                      ("fmin", "accumulate"): "cumargmin"}


def method_selection(ufunc, method, kwargs):
    """The :class:`Selection` that ``ufunc.method(a, **kwargs)`` makes (``reduce`` /
    ``accumulate`` of maximum, minimum, fmax, fmin), or ``None``."""
    arg = _METHOD_SELECTIONS.get((getattr(ufunc, "__name__", None), method))
    if arg is None:
        return None
    return Selection(f"np.{ufunc.__name__}.{method}", arg, kwargs.get("axis", 0))


# a branch's kind -> the order of the derivative that jumps there (0: the value)
# ("step": nothing jumps; its values are continuous as a kink's, and the ODE watch tests
# it as it tests a kink's steep ramp)
_KINK_ORDER = {"jump": 0, "nan": 0, "cut": 0, "kink": 1, "kink2": 2, "step": 1}


@dataclass(frozen=True)
class Branches:
    """Branches that are no real row's own, reported to dg.quad's watch as a row's
    are (``branch``: :attr:`Rule.branch`'s triples over ``nin`` arguments): a row's
    cut on complex arguments (kind ``"cut"``: :func:`cut_of`), or a place that
    dualgrad's own code reports (laplace's cdf at loc, whose second derivative jumps:
    kind ``"kink2"``).  Equal ones are one place."""
    name: str
    branch: tuple
    nin: int = 1

    def __post_init__(self):    # (the watches key their records by it at every node)
        object.__setattr__(self, "_hash", hash((self.name, self.branch, self.nin)))

    def __hash__(self):
        return self._hash

    @property
    def __name__(self):
        return self.name

    @property
    def specs(self):
        found = _BRANCH_FUNCTIONS.get(self)
        if found is None:
            found = _BRANCH_FUNCTIONS[self] = _compiled_branches(self.name, self.nin,
                                                                 self.branch)
        return found


def _compiled_branches(name, nin, branch):
    return tuple(
        (_KINK_ORDER[kind], _STEPS[step],
         parse(place, _PARAMS[nin - 1], f"{name}, branch").function(_NAMESPACE))
        for kind, step, place in branch)


# a square root (a fractional power, a logarithm: api/_touch.py touching) whose argument
# touches 0 without crossing it (np.sqrt((x - p) ** 2) is |x - p|; a Cholesky factor's
# diagonal), reported to dg.quad's / dg.solve_ivp's watches
# with the signed root as its place (api/_touch.py): a kink there (attack53 03)
ROOT_TOUCH = Branches("np.sqrt, a fractional power or a logarithm where its argument "
                      "touches 0 (np.sqrt(g ** 2) is |g|, np.linalg.norm([g]), np.std of "
                      "two values, (g ** 2) ** 0.5, (g ** 4) ** 0.25, np.exp(0.5 * "
                      "np.log(g ** 2)), a Cholesky factor's diagonal)",
                      (("kink", "sign", "x"),))


def cut_of(ufunc):
    """``ufunc``'s branch cuts on complex arguments (its row's kind ``"cut"``) as
    :class:`Branches`, or ``None`` where it has none."""
    found = _CUT_OF.get(ufunc, False)
    if found is False:
        rule = rule_for(ufunc)
        cuts = tuple(b for b in rule.branch if b[0] == "cut") if rule is not None else ()
        name = ufunc.__name__
        found = _CUT_OF[ufunc] = Branches(
            f"{name if '.' in name else 'np.' + name} of a complex argument", cuts,
            ufunc.nin) if cuts else None
    return found


_CUT_OF = {}


def step_of(ufunc):
    """``ufunc``'s smooth step (its row's kind ``"step"``: np.tanh, np.arctan, erf,
    expit, ...) as :class:`Branches` named after it, or ``None`` where it has none (or
    the table does not know ``ufunc`` yet: not remembered, scipy's rows load later)."""
    found = _STEP_OF.get(ufunc, False)
    if found is False:
        rule = RULES.get(ufunc)
        if rule is None:
            return None
        steps = tuple(b for b in rule.branch if b[0] == "step")
        name = f"np.{rule.name}" if getattr(np, rule.name, None) is ufunc else \
            f"scipy.special.{rule.name}"
        found = _STEP_OF[ufunc] = Branches(f"{name} (a smooth step)", steps,
                                           ufunc.nin) if steps else None
    return found


_STEP_OF = {}


def branch_functions(ufunc):
    """The branches of ``ufunc``'s row (:attr:`Rule.branch`, its cuts on complex
    arguments left to :func:`cut_of`, its smooth steps to :func:`step_of`) as ``(kink,
    step, place)``: ``kink`` the order of the derivative that jumps (0: the value; 1: a
    kink; 2: the second derivative), ``step`` NumPy's ``sign`` / ``floor`` / ...,
    ``place`` a callable of the row's arguments; ``()`` where the row is smooth or the table does not know ``ufunc``
    (scipy's rows are not loaded here).  Compiled once per row, on first use."""
    if isinstance(ufunc, (Selection, Branches)):
        return ufunc.specs
    found = _BRANCH_FUNCTIONS.get(ufunc)
    if found is None:
        rule = RULES.get(ufunc)
        if rule is None:            # (not cached: scipy's rows may load later)
            return ()
        found = _BRANCH_FUNCTIONS[ufunc] = _compiled_branches(       # ("nan": a jump,
            rule.name, ufunc.nin, tuple(b for b in rule.branch
                                        if b[0] != "cut" and b[0] != "step"))
    return found                                                    # real values only)
def quotient_functions(rule):
    """``(a(x, y, out), b(x, y, out))`` per argument of ``rule``, the two parts of its
    local derivative ``a / b`` (:attr:`Rule.quotient`), or ``None`` for an argument
    without them."""
    key = ("quotient", rule.ufunc)
    fns = _COMPILED.get(key)
    if fns is None:
        fns = _COMPILED[key] = tuple(
            None if pair is None else
            tuple(e.function(_NAMESPACE, {"where": _LAZY}) for e in pair)
            for pair in rule.quotient_exprs)
    return fns


def spread_functions(rule):
    """``(c(x, y, out), h(x, y, out))`` per argument of ``rule``, the parts of its local
    derivative ``c * h**4`` (:attr:`Rule.spread`), or ``None`` for an argument without
    them."""
    key = ("spread", rule.ufunc)
    fns = _COMPILED.get(key)
    if fns is None:
        fns = _COMPILED[key] = tuple(
            None if pair is None else tuple(e.function(_NAMESPACE) for e in pair)
            for pair in rule.spread_exprs)
    return fns


def spread_product(c, h, p):
    """``c * h**4 * p`` for plain float64 ``c``, ``h`` of a local derivative's shape (or
    numbers) and partials ``p`` of that shape plus the directions' axis, by mantissas
    and exponents (``np.frexp``): the mantissas' product, in ``[2**-6, 1)``, and the
    exponents' sum, joined by ``np.ldexp``, so that no step over- or underflows where
    the result does not (``x**(y - 1)`` at x = 1e-310, y = -1 is 1e620, and a product
    with a subnormal ``p`` keeps few bits).  Five roundings and ``h``'s own taken four
    times: a few ulps from the one-number product where both are finite and normal."""
    (mc, ec), (mh, eh), (mq, eq) = (np.frexp(v) for v in (_rows(c), _rows(h), p))
    return np.ldexp(mq * mc * mh * mh * mh * mh, eq + ec + 4 * eh)


TINY = 2.2250738585072014e-308     # the smallest normal float64
# a nested local derivative's value below this: its own partials may have underflowed
# (``1 / u`` at u = 1e160 with du = 1: -1e-320, subnormal) beside a partial ~u
NESTED_TINY = 1e-150


def tiny_below(f):
    """The magnitude below which the local derivative ``f`` is taken in two steps
    (:func:`underflowed`): :data:`TINY` for a number, :data:`NESTED_TINY` for a dual,
    whose inner partials ``-f db / b`` underflow first."""
    return NESTED_TINY if _DUAL and isinstance(f, _DUAL[0]) else TINY


def underflowed(f, a, also=1.0):
    """Did the local derivative ``f = a / b`` (its innermost value, a number) underflow
    below :func:`tiny_below` in magnitude while ``a`` (and ``also``, a factor of it that
    may make it an exact 0: a power's exponent) is nonzero (so :func:`two_step` keeps
    the bits ``f * p`` loses)?  Values only: nested duals are read, not compared.
    A complex ``f`` by its modulus: ``-out / x`` of ``1 / x`` at x = 1e200 (1 + i) is 0j
    beside a partial ~x (attack62 11)."""
    small = tiny_below(f)
    f, a = value(f), value(a)
    return abs(f) < small and a != 0.0 and nonzero_somewhere(also)


def nonzero_somewhere(x):
    """Is ``x`` nonzero at some level (its value or a partial, any nesting)? (attack67 F1)"""
    if _DUAL and isinstance(x, _DUAL[0]):
        return nonzero_somewhere(x.value) or any(nonzero_somewhere(q) for q in x._plist())
    return x != 0.0


LIFT = 2.0 ** 104
_ROOM = 2.0 ** 919         # |p| below this: p * LIFT stays finite
_HUGE = 2.0 ** 1000


def two_step(a, b, p):
    """``(a / b) * p`` in two steps, ``(p / b) * a`` where ``|a| >= 1`` (else ``(p * a) /
    b``), for ``a``, ``b`` of a local derivative's shape (or numbers) and partials
    ``p`` of that shape plus the directions' axis: finite wherever the product is and
    ``a`` and ``b`` are, where ``a / b`` itself may overflow (``-1 / u**2`` at |u| <
    1e-154, times ``du``) or underflow (``-1 / u**2`` at |u| > 1e154 times ``du ~ u``).  Runs on nested duals too (their values decide the order).

    Where ``b`` is below the smallest normal number, ``b`` and one factor of the
    numerator are taken times :data:`LIFT` (a power of two: the quotient is the same
    number) first, ``a`` where ``|a| < 1`` and ``a`` is a number (``a * LIFT`` cannot
    overflow), else ``p``: ``p * a`` of a subnormal ``p`` fell below the normal range and
    lost its bits (log10's ``0.434 / x`` at x = 5e-324 with dx = x gave 0 for 0.434, at
    3e-320 1.4e-5 off; silent64), and NumPy's complex division by a subnormal gives inf
    + nan j.  Where ``|b| >= 2**1000`` ``b`` and ``p`` are taken divided by it: NumPy's and
    Python's complex division overflow inside (d/dt log(t c) at c = 1e308 (1 + i) was
    NaN for 1).  Real numbers keep their bits
    (a ``p`` that the scaling makes subnormal gives a quotient that underflows anyway);
    complex ones where ``p * a`` was a normal number."""
    big = _rows(np.absolute(value(a)) >= 1.0)
    mb = np.absolute(value(b))
    up = mb < TINY
    lift = _rows(where(up, LIFT, where(mb >= _HUGE, 1.0 / LIFT, 1.0)))
    nested = _DUAL and isinstance(a, _DUAL[0])
    in_a = _rows(up & (np.absolute(value(a)) < 1.0))
    a, b = _rows(a), _rows(b)
    # |a| < 1 lifts a, not p (a plain p past 2**920 overflowed: attackb64 01); the same
    # bits wherever p * lift did not overflow.  A nested a keeps p's lift (its inner
    # partials ~1e308 would overflow: test_hess57_orders' -1 / (c y0**2) at c = 1e-308)
    # where p has room; a p past 2**919 takes (p * a) * lift, which cannot fall below
    # the normal range there (|p * a| >= 2**-155) (diff65 F1: -inf one level down)
    roomy = np.absolute(value(p)) < _ROOM
    pl = where(roomy, p * lift * a, (p * a) * lift)
    lifted = pl if nested else where(in_a, p * (a * lift), pl)
    return where(big, p * lift / (b * lift) * a, lifted / (b * lift))


def _rows(v):
    """``v[..., None]`` for an array (its value against the partials' last axis)."""
    return v[..., None] if np.ndim(value(v)) else (v.item() if type(v) is np.ndarray else v)
