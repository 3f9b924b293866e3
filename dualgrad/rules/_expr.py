"""The one reader of the rule table's expressions, and the sources written from them.

The table (:mod:`dualgrad.rules._table`) writes each local derivative as a string
in NumPy's vocabulary (``"1.0 / (1.0 + x)"``, ``"where(x == 0.0, 0.0, out * np.log(x))"``).
:func:`parse` reads such a string once, with Python's :mod:`ast`, into a small
tree of numbers (imaginary ones, ``1.5j``, too), the rule's argument names, calls
of the functions in :data:`FUNCTIONS`, arithmetic (``+ - * / **``, unary ``-``/``+``)
and single comparisons, and rejects everything else (other names, attributes,
subscripts, ``and``/``or``, ``if`` expressions, chained comparisons, wrong arities).

A ``where`` may test VALUES only: ``where(np.absolute(value(x)) < 0.5, A, B)``.
``value(x)`` is ``x``'s primal value, every dual layer stripped (for a nested dual
of a Hessian, the innermost number), so such a condition is never differentiated
and never compares a dual: the derivative of the expression is the derivative of
the branch it picks, element by element.  ``A`` and ``B`` must both be the
derivative (two formulas of it; the condition only picks the better-conditioned
one).  The parser holds such a condition to (see :func:`parse`): every argument in
it is inside ``value()``, ``value()`` takes an argument name, and each comparison's
operands are real for complex ``x`` too (numbers,
``np.absolute(...)``, ``np.real(...)`` and arithmetic of them: a complex value has
no order, so ``value(x) < 0.5`` is refused and the criterion is written out, e.g.
``|x|`` or ``|Re x|``).  On floats (kernels, the scalar twins) ``value`` and
``np.real`` are the identity and are emitted as their argument.

Outside a condition ``value(y)`` is a constant to differentiation, so a formula written
with it drops terms on purpose: only where a derivative is built from its limits,
not from its formula (``np.power`` at ``x = 0``, where ``y - value(y)`` carries
``y``'s partials with the value 0).  On floats it is ``y`` itself, as in a condition.

The other wings never read the strings; they ask the parsed :class:`Expr`:

* :meth:`Expr.source`: Python/NumPy source, the table's own text in canonical
  spelling (the same operations in the same order, so NumPy, numba and the
  generated kernels round the same), with the calls optionally renamed;
* :meth:`Expr.scalar_source`: the source on Python floats, to NumPy's bits (exact
  twins of its calls, :data:`SCALAR_NAMESPACE`), or ``None`` when a call has none;
* :meth:`Expr.kernel_source`: the source for a numba propagation kernel, or
  ``None`` unless the expression is arithmetic whose every call rounds alike in
  numba and NumPy;
* :meth:`Expr.element_template`: for an expression of ``+ - * /`` alone on
  numbers and arguments (``"2.0 * x"``, ``"1.0 / (1.0 + x)"``), its source with
  each argument a ``str.format`` field (``"1.0 / (1.0 + {0})"``), which the fused
  engine evaluates per element inside its kernels (IEEE ``+ - * /`` round
  correctly, so the same operations in the same order give NumPy's bits), or
  ``None``; :func:`template_function` reads such a template back into a NumPy
  callable (the fused engine's node-by-node evaluation and its kernels' checks);
* :meth:`Expr.function`: a callable of the rule's arguments, compiled from
  :meth:`Expr.source` in a namespace the caller gives (NumPy's ``where`` for
  arrays and duals, a numba ``where`` for the numba extension);
* :attr:`Expr.names` (the free argument names), :attr:`Expr.calls`,
  :attr:`Expr.operators`, :attr:`Expr.constant` (the number, for a constant
  expression) and :attr:`Expr.variable` (the name, for a bare argument).

This module imports nothing of dualgrad's but :mod:`dualgrad.errors` and
:mod:`dualgrad.rules._special` (and NumPy, for the twins of its functions on Python
floats).
"""

import ast
import math
from typing import NamedTuple

import numpy as np

from .. import errors
from ._special import tetragamma as _tetragamma, trigamma as _trigamma

__all__ = ["Expr", "FUNCTIONS", "KERNEL_NAMES", "SCALAR_NAMESPACE", "number_tangent", "parse",
           "sign", "template_function"]


class _Fn(NamedTuple):
    """What the table's vocabulary knows of a function."""
    arity: int
    scalar: str = ""        # its exact twin on Python floats (see SCALAR_NAMESPACE), or ""
    kernel: bool = False    # rounds the same in a numba kernel as in NumPy


# The spelling of a function that is the identity on floats (``value``, ``np.real``)
# in the sources on floats (scalar twins, numba kernels): its argument, bare.
_BARE = "(identity on floats)"


# ---- exact twins on Python floats (the scalar duals' fast paths) --------------------------
# A twin gives NumPy's own bits for a Python float, or raises ValueError where NumPy
# would warn (a singular point, an overflow, a NaN argument): the generated scalar
# code then takes the general path, which gives NumPy's inf/NaN quietly.  ``math``
# functions are not twins in general: on a NumPy built with AVX-512 (SVML loops) the
# float64 exp, log, sinh, cosh, tanh, tan, expm1, log1p and power differ from libm's in
# the last bit for a few percent of arguments (measured: np.sinh against math.sinh on
# 20,000 points in (-3, 3), 5162 differ).  ``math`` keeps the functions IEEE 754 defines
# exactly (sqrt, copysign, ldexp: an exact scaling by a power of 2, which raises
# OverflowError where NumPy's overflows) and sin and cos, for which NumPy's float64 loops
# call the C library as ``math`` does (no SIMD loop for them: 0 differences in 20,000
# points, and tests/test_expr.py compares every twin with NumPy bit for bit, so a NumPy
# where that changes fails there); the others call NumPy's ufunc behind a guard.
_INF = float("inf")


def _sign(x):
    """``np.sign`` on a Python float, NumPy's values: 0.0 at -0.0 and 0.0, NaN stays NaN."""
    return 1.0 if x > 0.0 else -1.0 if x < 0.0 else 0.0 if x == 0.0 else x


def _inside(ufunc, lo, hi):
    """The twin of the unary ``ufunc``: NumPy's value as a float on ``lo < x < hi``
    (where it neither warns nor overflows), ``ValueError`` elsewhere and at NaN."""
    def twin(x):
        if lo < x < hi:
            return float(ufunc(x))
        raise ValueError
    twin.__name__ = f"twin_{ufunc.__name__}"
    return twin


def _floor_divide(x, y):
    """Twin of ``np.floor_divide``: NumPy's value where it neither divides by zero nor
    overflows.  CPython's float ``//`` is NumPy's ``npy_divmod`` algorithm (NumPy took
    it from CPython): the same bits there (0 differences on 800,000 pairs of every
    magnitude and sign; the tests compare them)."""
    if y != 0.0 and y - y == 0.0 and abs(x / y) < 1e300:
        return x // y
    raise ValueError


def _float_power(x, y):
    """Twin of ``np.float_power`` for a positive finite base and a result far from
    overflow and underflow, and for a zero base (either sign) to a positive finite
    power: NumPy's own value there (0, the base's sign at an odd integer power), which
    raises no floating-point flag.  The power rows' d/dy at a zero base reads
    ``np.float_power(x + 0.0, y)``: ``0.0 ** m`` of a scalar dual m (Johnson-Cook's
    ``t_h ** m`` at room temperature) raised here and took the general path, ~500 us
    where a positive base takes ~3 (user72)."""
    if 0.0 < x < _INF and abs(y * math.log(x)) < 700.0 or x == 0.0 and 0.0 < y < _INF:
        return float(np.float_power(x, y))
    raise ValueError


_GUARDED = {"tan": (-_INF, _INF),
            "sinh": (-710.0, 710.0), "cosh": (-710.0, 710.0), "tanh": (-_INF, _INF),
            "exp": (-_INF, 709.0), "expm1": (-_INF, 709.0), "exp2": (-_INF, 1023.0),
            "log": (0.0, _INF), "log1p": (-1.0, _INF), "trunc": (-_INF, _INF),
            "rint": (-_INF, _INF)}

# The names an expression's :meth:`Expr.scalar_source` uses besides its arguments.
SCALAR_NAMESPACE = {"math": math, "_sign": _sign, "_floor_divide": _floor_divide,
                    "_float_power": _float_power, "abs": abs, "_trigamma": _trigamma,
                    "_tetragamma": _tetragamma,
                    **{f"_np_{name}": _inside(getattr(np, name), lo, hi)
                       for name, (lo, hi) in _GUARDED.items()}}


# The functions the table's expressions may call, and nothing else.  ``where`` is
# the table's own (:func:`dualgrad.rules._table.where`: NumPy's on arrays, a plain
# ``if`` on a Python bool; on Python floats a conditional expression, which evaluates
# only the branch it takes); ``value`` is :func:`dualgrad.rules._table.value` (the
# primal value, in a where's condition only: see the module docstring); ``sc`` is
# ``scipy.special``, bound when scipy is loaded.
# ``kernel`` marks what rounds alike in numba and NumPy (sqrt is correctly rounded
# by IEEE 754, sign and where select).  numba's own np.sign gives -0.0 at -0.0 where
# NumPy's gives 0.0 (abs's partial at -0.0 was -0.0 in the kernels, 0.0 on NumPy's
# path): numba code spells it ``sign`` (:data:`KERNEL_NAMES`), NumPy's values.
FUNCTIONS = {
    "where": _Fn(3, "if", True),
    "value": _Fn(1, _BARE, True),
    "np.sqrt": _Fn(1, "math.sqrt", True),
    "np.sign": _Fn(1, "_sign", True),
    "np.sin": _Fn(1, "math.sin"), "np.cos": _Fn(1, "math.cos"),
    **{f"np.{name}": _Fn(1, f"_np_{name}") for name in _GUARDED},
    # np.real of a float is the float (kernels and twins see floats only)
    "np.real": _Fn(1, _BARE, True), "np.conjugate": _Fn(1),
    # (a complex argument's branch cut: its place, rules/_table.py's kind "cut")
    "np.imag": _Fn(1),
    # (a complex row's own form, arccosh's near 0: the test no real value passes)
    "np.iscomplexobj": _Fn(1),
    # abs of a float is exact, as NumPy's absolute is, in numba too (kernels and the
    # scalar twins see floats only: a complex value takes NumPy's path)
    "np.absolute": _Fn(1, "abs", True),
    "np.float_power": _Fn(2, "_float_power"), "np.floor_divide": _Fn(2, "_floor_divide"),
    "np.ldexp": _Fn(2, "math.ldexp"), "np.copysign": _Fn(2, "math.copysign"),
    # floor of a count that SciPy floors itself (pdtr's k): no twin, no kernel (the
    # rows that read it call SciPy's functions beside it)
    "np.floor": _Fn(1),
    # the table's own (rules/_special.py): psi's derivative, SciPy's zeta(2, x) to a few
    # ulp, ~15x faster, and its derivative, -2 zeta(3, x); on Python floats each one's
    # source is its twin (ZeroDivisionError or OverflowError where it is infinite)
    "trigamma": _Fn(1, "_trigamma"), "tetragamma": _Fn(1, "_tetragamma"),
    **{f"sc.{name}": _Fn(1) for name in (
        "expit", "erfcx", "ndtr", "digamma", "gamma", "gammaln", "j0", "j1", "y0", "y1", "i0", "i1", "i0e", "i1e",
        "k0", "k1", "ellipk", "ellipe", "erf", "rgamma")},
    **{f"sc.{name}": _Fn(2) for name in (
        "zeta", "jv", "yv", "iv", "ive", "kv", "kn", "expn", "yn", "betaln", "xlogy",
        "xlog1py", "binom", "eval_hermite", "eval_hermitenorm", "struve", "modstruve")},
    # C_n^(a)(x), eval_legendre's and its own derivative (climate47)
    "sc.eval_gegenbauer": _Fn(3),
    # special48: the orthogonal polynomials' derivatives (L_n' = -L_(n-1)^(1), P_n^(a, b)'
    # a Jacobi polynomial) and 2F1's (a 2F1)
    "sc.eval_genlaguerre": _Fn(3), "sc.elliprd": _Fn(3), "sc.eval_jacobi": _Fn(4), "sc.hyp2f1": _Fn(4),
    # Carlson's R_D: SciPy's on numbers, its duplication on duals (rules/_table.py)
    "carlson_rd": _Fn(3),
    # Faddeeva's w(z) and the table's own w'(z) and (z w(z))' (rules/_table.py: voigt_profile's
    # row reads them at a point that is none of its arguments)
    "sc.wofz": _Fn(1), "wofz_slope": _Fn(1), "wofz_moment_slope": _Fn(1),
    # psi(x) - psi(x + y) and psi'(x) - psi'(x + y) without their cancellation
    # (rules/_special.py: betaln's and beta's derivatives)
    "psi_difference": _Fn(2), "trigamma_difference": _Fn(2),
    # log1p(x) - x, SciPy's private ufunc (Cephes' log1pmx; its own row in the table):
    # the gamma and beta log densities at large shapes (rules/_table.py's _gamma_log)
    "log1pmx": _Fn(1),
    # Student's t cdf's d/d(df) in the tail past df = 1000, and the score's constant
    # psi((df + 1) / 2) - psi(df / 2) - 1 / df there (rules/_special.py; nan55)
    "t_cdf_df_tail": _Fn(2), "t_score_constant": _Fn(1),
    # gammainc's d/da and d2/da2 (rules/_special.py: no closed form)
    "gammainc_da": _Fn(2), "gammainc_daa": _Fn(2),
    # betainc's in a and b, first and second (rules/_special.py)
    **{f"betainc_d{w}": _Fn(3) for w in ("a", "b", "aa", "ab", "bb")},
}

# The spellings of numba code (kernels, users' @njit code) for the calls whose numba
# function differs from NumPy's: ``sign`` is NumPy's sign (0.0 at -0.0, NaN at NaN),
# defined beside each kernel module (``dualgrad.backend._rule_kernels``, ``dualgrad.jit``).
KERNEL_NAMES = {"np.sign": "sign"}


def sign(x):
    """``np.sign`` of a float, NumPy's values (numba's np.sign gives -0.0 at -0.0): the
    kernels' ``sign`` (:data:`KERNEL_NAMES`), compiled by the modules that use it."""
    return 1.0 if x > 0.0 else -1.0 if x < 0.0 else 0.0 if x == 0.0 else x


# precedence of the emitted source, as Python's grammar has it
_CMP, _SUM, _PRODUCT, _UNARY, _POWER, _ATOM = range(6)
_BINARY = {ast.Add: ("+", _SUM), ast.Sub: ("-", _SUM), ast.Mult: ("*", _PRODUCT),
           ast.Div: ("/", _PRODUCT), ast.Pow: ("**", _POWER)}
_UNARY_OPS = {ast.USub: "-", ast.UAdd: "+"}
_COMPARE = {ast.Eq: "==", ast.NotEq: "!=", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">",
            ast.GtE: ">="}
_ARITHMETIC = {"+", "-", "*", "/", "u-", "u+", "==", "!=", "<", "<=", ">", ">="}
_ELEMENT_OPERATORS = {"+", "-", "*", "/", "u-"}


# ---- the tree: tuples whose first item says what they are --------------------------------
# ("num", value) | ("name", id) | ("call", function, args) | ("unary", op, operand)
# | ("binary", op, left, right) | ("compare", op, left, right)

def _emit(node, rename, names=None):
    """``(source, precedence)`` of ``node``; calls spelled ``rename[f]``, argument
    names ``names[x]`` (when given)."""
    kind = node[0]
    if kind == "num":
        return repr(node[1]), _ATOM
    if kind == "name":
        return (node[1] if names is None else names[node[1]]), _ATOM
    if kind == "call":
        if rename.get(node[1]) == _BARE:       # the identity on floats: its argument
            return _emit(node[2][0], rename, names)
        if rename.get(node[1]) == "if":         # where(c, a, b) as (a if c else b)
            c, a, b = (_emit(a, rename, names)[0] for a in node[2])
            return f"({a} if {c} else {b})", _ATOM
        if rename.get(node[1]) == LAZY:         # a value condition: branches on demand
            c, a, b = (_emit(a, rename, names)[0] for a in node[2])
            if any(map(_is_value, _walk(node[2][0]))):
                return f"{LAZY}({c}, lambda: {a}, lambda: {b})", _ATOM
            return f"where({c}, {a}, {b})", _ATOM
        args = ", ".join(_emit(a, rename, names)[0] for a in node[2])
        return f"{rename.get(node[1], node[1])}({args})", _ATOM
    if kind == "unary":
        text, prec = _emit(node[2], rename, names)
        return node[1] + (text if prec >= _UNARY else f"({text})"), _UNARY
    (left, lp), (right, rp) = _emit(node[2], rename, names), _emit(node[3], rename, names)
    op = node[1]
    if kind == "compare":
        prec = _CMP
        left_ok, right_ok = lp > _CMP, rp > _CMP
    elif op == "**":                    # right-associative; binds tighter than unary - on its left
        prec = _POWER
        left_ok, right_ok = lp > _POWER, rp >= _UNARY
    else:                               # left-associative: a - (b - c), a * (b * c) keep theirs
        prec = _SUM if op in "+-" else _PRODUCT
        left_ok, right_ok = lp >= prec, rp > prec
    left = left if left_ok else f"({left})"
    right = right if right_ok else f"({right})"
    return f"{left} {op} {right}", prec


# The spelling of ``where`` whose value-only conditions evaluate a branch only where some
# element takes it (``dualgrad.rules._table.lazy_where``; NumPy's path: np.where computes
# both branches at every element, and a branch such as np.power's at x = 0 costs as much
# as the derivative itself)
LAZY = "lazy_where"


def _walk(node):
    yield node
    if node[0] == "call":
        for a in node[2]:
            yield from _walk(a)
    elif node[0] == "unary":
        yield from _walk(node[2])
    elif node[0] in ("binary", "compare"):
        yield from _walk(node[2])
        yield from _walk(node[3])


def _off_axis(node):
    """Is ``node`` a test no real value passes: ``np.absolute(np.imag(value(x))) > 0.0``
    or ``np.absolute(np.real(value(x) * -1j)) > 0.0`` (the table's off-axis tests), or
    ``np.iscomplexobj(value(x)) > 0.0``?"""
    if node[0] == "compare" and node[1] == ">" and node[3] == ("num", 0.0) and \
            node[2][0] == "call" and node[2][1] == "np.iscomplexobj":
        inner = node[2][2][0]
        return inner[0] == "call" and inner[1] == "value"
    if node[0] != "compare" or node[1] != ">" or node[3] != ("num", 0.0) or \
            node[2][0] != "call" or node[2][1] != "np.absolute":
        return False
    part = node[2][2][0]
    if part[0] != "call":
        return False
    inner = part[2][0]
    if part[1] == "np.real" and inner[0] == "binary" and inner[1] == "*" and \
            inner[3] == ("unary", "-", ("num", 1j)):
        inner = inner[2]
    elif part[1] != "np.imag":
        return False
    return inner[0] == "call" and inner[1] == "value"


def _on_the_real_line(node):
    """``node`` with each ``where(<off-axis test>, a, b)`` written ``b``: what the
    expression computes on real values, where such a test is False everywhere (a
    row's complex form, ``np.tan``'s ``1 / cos(x)**2``, leaves the real kernels as
    they were)."""
    kind = node[0]
    if kind == "call":
        if node[1] == "where" and _off_axis(node[2][0]):
            return _on_the_real_line(node[2][2])
        return (kind, node[1], tuple(_on_the_real_line(a) for a in node[2]))
    if kind == "unary":
        return (kind, node[1], _on_the_real_line(node[2]))
    if kind in ("binary", "compare"):
        return (kind, node[1], _on_the_real_line(node[2]), _on_the_real_line(node[3]))
    return node


class Expr:
    """One parsed expression of the table; see the module docstring.

    Attributes
    ----------
    text : str
        The table's string.
    params : tuple of str
        The argument names the expression may use, in call order.
    names : frozenset of str
        The argument names it uses.
    calls : frozenset of str
        The functions it calls, spelled as in :data:`FUNCTIONS`.
    operators : frozenset of str
        Its operators (``"+"``, ``"**"``, ``"u-"`` for unary minus, ``"=="``, ...).
    constant : float or None
        Its value when it is a number (``"1.0"``, ``"-1.0"``), else ``None``.
    variable : str or None
        The name when it is a bare argument (``"y"``), else ``None``.
    """

    __slots__ = ("text", "params", "tree", "names", "calls", "operators", "constant",
                 "variable", "_source")

    def __init__(self, text, params, tree):
        self.text, self.params, self.tree = text, tuple(params), tree
        nodes = list(_walk(tree))
        self.names = frozenset(n[1] for n in nodes if n[0] == "name")
        self.calls = frozenset(n[1] for n in nodes if n[0] == "call")
        self.operators = frozenset(("u" + n[1]) if n[0] == "unary" else n[1]
                                   for n in nodes if n[0] in ("unary", "binary", "compare"))
        self.constant = _constant(tree)
        self.variable = tree[1] if tree[0] == "name" else None
        self._source = None

    def __repr__(self):
        return f"Expr({self.text!r})"

    def source(self, rename=None):
        """Python source of the expression, calls spelled ``rename.get(f, f)``.

        Without ``rename`` this is the table's text in canonical spelling: the
        same operations in the same order (parentheses where Python needs them,
        and wherever the table grouped an associative-looking ``*`` or ``+``).
        """
        if rename:
            return _emit(self.tree, rename)[0]
        if self._source is None:
            self._source = _emit(self.tree, {})[0]
        return self._source

    def scalar_source(self):
        """The source on Python floats, to NumPy's bits, or ``None`` when a call has
        no exact twin there.  One exception: ``**`` on floats is the C library's
        ``pow``, where NumPy's array power may take a vectorized loop (SVML on
        AVX-512 machines) that rounds another way in the last bit (``y * x ** (y -
        1.0)`` at some points for a non-integer ``y``, loops70); each is within
        an ulp of the exact power, and the float code a user wrote on scalars gets
        the C library's too.

        Calls become their twins (:data:`SCALAR_NAMESPACE`: ``math.sqrt`` for
        ``np.sqrt``, NumPy's own ufunc behind a guard for ``np.exp``), which raise
        ``ValueError`` where NumPy would warn; arithmetic on floats raises
        ``ZeroDivisionError`` or ``OverflowError`` instead of warning, and ``where``
        becomes a conditional expression (only the branch taken is evaluated).  The
        caller evaluates it in :data:`SCALAR_NAMESPACE` and takes NumPy's general path
        on any of those exceptions, or on a result that is not a finite float.
        """
        twins = {f: FUNCTIONS[f].scalar for f in self.calls}
        return None if not all(twins.values()) or self._imaginary() else self.source(twins)

    def _imaginary(self):
        """Does the expression hold an imaginary number (``1.5j``)?  Such a one has no
        source on floats (the scalar twins, numba kernels, element templates): a
        complex value takes NumPy's path."""
        return any(n[0] == "num" and type(n[1]) is complex for n in _walk(self.tree))

    def real_line(self):
        """The expression on real values: itself, or (where it writes a complex form
        behind an off-axis test) the one with each ``where(<off-axis test>, a, b)``
        written ``b`` (:func:`_on_the_real_line`), which kernels and element
        templates, seeing float64 values only, compute."""
        real = _on_the_real_line(self.tree)
        return self if real == self.tree else Expr(self.text, self.params, real)

    def kernel_source(self):
        """The source for a numba propagation kernel, or ``None`` unless the
        expression is arithmetic (no ``**``) whose calls round the same in numba
        and NumPy (``where``, ``np.sqrt``, ``np.sign``, ``np.absolute``; ``value`` and
        ``np.real`` are written as their argument: a kernel sees floats; ``np.sign``
        as ``sign``, which the kernel module defines with NumPy's values:
        :data:`KERNEL_NAMES`).  A kernel sees real values only, so a complex form
        behind an off-axis test is left out first (:func:`_on_the_real_line`)."""
        real = self.real_line()
        if real is not self:
            return real.kernel_source()
        if not self.operators <= _ARITHMETIC or self._imaginary() or \
                not all(FUNCTIONS[f].kernel for f in self.calls):
            return None
        return self.source({**KERNEL_NAMES, **{f: _BARE for f in self.calls
                                                if FUNCTIONS[f].scalar == _BARE}})

    def element_template(self):
        """The source with argument ``j`` of :attr:`params` written ``{j}`` (a
        ``str.format`` field), or ``None`` unless the expression is ``+ - * /`` and
        unary minus on numbers and arguments alone, using at least one argument
        (no calls, comparisons or ``**``: what rounds alike per element in a numba
        kernel without fastmath and in NumPy's passes, operation for operation).

        >>> from dualgrad.rules._expr import parse
        >>> parse("1.0 / (1.0 + x)", ("x", "out")).element_template()
        '1.0 / (1.0 + {0})'
        """
        real = self.real_line()
        if real is not self:
            return real.element_template()
        if self.calls or not self.names or not self.operators or \
                not self.operators <= _ELEMENT_OPERATORS or self._imaginary():
            return None
        return _emit(self.tree, {}, {p: f"{{{j}}}" for j, p in enumerate(self.params)})[0]

    def kernel_split(self):
        """``(kernel, parts)``: the expression with each largest subexpression that has
        no kernel source (a ``**``, a call that rounds otherwise in numba: ``x ** (y -
        1.0)``, ``np.log(x)``) written as the name ``a0``, ``a1``, ... in order of
        appearance (``kernel``, an :class:`Expr` of :attr:`params` and those names, whose
        :meth:`kernel_source` is not ``None``), and those subexpressions (``parts``,
        :class:`Expr` of :attr:`params`): NumPy computes the parts, a kernel the rest,
        the same operations in the same order as the whole expression on NumPy's path.
        A square ``b ** 2.0`` (or ``** 2``) is the kernel's ``b * b``: NumPy's float64
        power by 2 is that one product (``x ** 2.0`` and ``x * x`` bit-equal on 8 million
        values of four scales, NumPy 2.4 here; small66's measurement, held for the rows
        that use it by ``bench/small65_bits.py``), and ``b`` is split as any operand.

        >>> from dualgrad.rules._expr import parse
        >>> kernel, parts = parse("y * x ** (y - 1.0)", ("x", "y", "out")).kernel_split()
        >>> kernel.kernel_source(), [p.source() for p in parts]
        ('y * a0', ['x ** (y - 1.0)'])
        """
        parts = []

        def split(node):
            if Expr(self.text, self.params, node).kernel_source() is not None:
                return node
            if node[0] == "unary":
                return node[:2] + (split(node[2]),)
            if node[0] == "binary" and node[1] != "**":
                return node[:2] + (split(node[2]), split(node[3]))
            if node[0] == "binary" and node[3] == ("num", 2.0):     # (an int 2 too)
                base = split(node[2])
                return ("binary", "*", base, base)
            parts.append(Expr(self.text, self.params, node))
            return ("name", f"a{len(parts) - 1}")
        tree = split(self.real_line().tree)
        names = tuple(f"a{j}" for j in range(len(parts)))
        return Expr(self.text, self.params + names, tree), tuple(parts)

    def branch_taken(self):
        """``(tests, expr)``: the expression with each ``where(c, a, b)`` written ``b``
        (``expr``), and those conditions ``c`` (``tests``, :class:`Expr` of
        :attr:`params`, outermost first): where no test holds, ``expr`` is what the
        expression computes, branch for branch.  The table's conditions read values
        only, and it writes a ``where``'s special case first (``np.tanh``'s ``|x| >
        374``): a compiled entry that computes ``expr`` declines where a test holds
        (``rules._table.entry_form``)."""
        tests = []

        def taken(node):
            if node[0] == "call" and node[1] == "where":
                tests.append(Expr(self.text, self.params, node[2][0]))
                return taken(node[2][2])
            if node[0] == "call":
                return node[:2] + (tuple(taken(a) for a in node[2]),)
            if node[0] == "unary":
                return node[:2] + (taken(node[2]),)
            if node[0] in ("binary", "compare"):
                return node[:2] + (taken(node[2]), taken(node[3]))
            return node
        tree = taken(self.tree)
        return tuple(tests), (self if tree == self.tree else Expr(self.text, self.params, tree))

    def function(self, namespace, rename=None):
        """A callable of :attr:`params` evaluating the expression, its names
        (``np``, ``where``, ``sc``) bound from ``namespace``, calls spelled
        ``rename.get(f, f)`` (:meth:`source`)."""
        code = f"lambda {', '.join(self.params)}: {self.source(rename)}"
        return eval(compile(code, "<dualgrad rule>", "eval"),   # (named: dg.quad's watch
                    dict(namespace))  # noqa: S307 - source emitted from a checked tree


def _constant(node):
    if node[0] == "num":
        return None if type(node[1]) is complex else float(node[1])
    if node[0] == "unary" and node[2][0] == "num" and type(node[2][1]) is not complex:
        return float(node[2][1]) if node[1] == "+" else -float(node[2][1])
    return None


class _Reader:
    """Turns Python's syntax tree of one expression into the tuples above."""

    def __init__(self, text, params, who):
        self.text, self.params, self.who = text, params, who

    def fail(self, got, fix):
        return errors.bad_argument(
            f"dualgrad rule table, {self.who}",
            f"an expression of {', '.join(self.params)} with numbers, + - * / **, one "
            "comparison and calls of the table's functions (dualgrad.rules._expr.FUNCTIONS)",
            f"{got} in {self.text!r}", f"Fix: {fix}.")

    def read(self, node):
        method = getattr(self, f"_{type(node).__name__}", None)
        if method is None:
            raise self.fail(f"`{ast.unparse(node)}` ({type(node).__name__})",
                            "write it with where(), arithmetic and NumPy calls")
        return method(node)

    def _Constant(self, node):
        v = node.value
        if type(v) not in (int, float, complex) or not math.isfinite(abs(v)):
            raise self.fail(f"the constant {v!r}", "use a finite int, float or imaginary "
                            "number (1.5j)")
        return ("num", v)

    def _Name(self, node):
        if node.id not in self.params:
            raise self.fail(f"the name `{node.id}`",
                            f"use only the arguments {', '.join(self.params)}")
        return ("name", node.id)

    def _Attribute(self, node):
        raise self.fail(f"`{ast.unparse(node)}` outside a call", "call the function")

    def _Call(self, node):
        name = ast.unparse(node.func)
        fn = FUNCTIONS.get(name)
        if fn is None:
            raise self.fail(f"a call of `{name}`",
                            "use a function of FUNCTIONS, or add it there with its arity")
        if node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
            raise self.fail(f"keyword or starred arguments to `{name}`",
                            "pass the arguments by position")
        if len(node.args) != fn.arity:
            raise self.fail(f"{len(node.args)} arguments to `{name}`",
                            f"`{name}` takes {fn.arity}")
        return ("call", name, tuple(self.read(a) for a in node.args))

    def _UnaryOp(self, node):
        op = _UNARY_OPS.get(type(node.op))
        if op is None:
            raise self.fail(f"the operator in `{ast.unparse(node)}`", "use - or +")
        return ("unary", op, self.read(node.operand))

    def _BinOp(self, node):
        op = _BINARY.get(type(node.op))
        if op is None:
            raise self.fail(f"the operator in `{ast.unparse(node)}`", "use + - * / or **")
        return ("binary", op[0], self.read(node.left), self.read(node.right))

    def _Compare(self, node):
        if len(node.ops) != 1 or type(node.ops[0]) not in _COMPARE:
            raise self.fail(f"the comparison `{ast.unparse(node)}`",
                            "compare two operands with == != < <= > >=")
        return ("compare", _COMPARE[type(node.ops[0])], self.read(node.left),
                self.read(node.comparators[0]))


def _is_value(node):
    return node[0] == "call" and node[1] == "value"


def _real(node):
    """Is ``node`` real whatever its arguments' values (complex ones included)?"""
    if node[0] == "num":
        return type(node[1]) is not complex
    if node[0] == "call":
        # (np.floor has no complex loop: what it returns is real)
        return node[1] in ("np.absolute", "np.real", "np.imag", "np.copysign", "np.iscomplexobj",
                           "np.floor")
    if node[0] == "unary":
        return _real(node[2])
    if node[0] == "binary":
        return _real(node[2]) and _real(node[3])
    return node[0] == "compare"


def _check_values(node, reader):
    """Refuse ``value()`` of anything but an argument name, and a condition that reads
    values but also an argument itself or compares a possibly complex operand."""
    kind = node[0]
    if _is_value(node):
        if node[2][0][0] != "name":
            raise reader.fail(f"`{_emit(node, {})[0]}`", "pass value() an argument name")
        return
    if kind == "call" and node[1] == "where" and any(map(_is_value, _walk(node[2][0]))):
        cond = node[2][0]
        text = _emit(cond, {})[0]
        if cond[0] != "compare":
            raise reader.fail(f"the value condition `{text}`",
                              "write it as one comparison")
        for n in filter(_is_value, _walk(cond)):
            _check_values(n, reader)
        bare = [n[1] for n in _walk(cond) if n[0] == "name"]
        inside = [a[1] for n in _walk(cond) if _is_value(n) for a in n[2] if a[0] == "name"]
        for name in bare:
            if bare.count(name) > inside.count(name):
                raise reader.fail(f"the argument `{name}` outside value() in the value "
                                  f"condition `{text}`", f"write value({name})")
        for n in _walk(cond):
            if n[0] == "compare" and not (_real(n[2]) and _real(n[3])):
                raise reader.fail(f"the comparison `{_emit(n, {})[0]}` of a possibly complex "
                                  "operand", "compare np.absolute(value(x)) or "
                                  "np.real(value(x)): a complex value has no order")
        for a in node[2][1:]:
            _check_values(a, reader)
        return
    if kind == "call":
        for a in node[2]:
            _check_values(a, reader)
    elif kind == "unary":
        _check_values(node[2], reader)
    elif kind in ("binary", "compare"):
        _check_values(node[2], reader)
        _check_values(node[3], reader)


def parse(text, params, who="an expression"):
    """The :class:`Expr` of ``text``, an expression in the names ``params``.

    Parameters
    ----------
    text : str
        A local derivative or tangent as the table writes it.
    params : sequence of str
        The names it may use, in the order its :meth:`Expr.function` takes them
        (``("x", "y", "out")`` for a binary ufunc's derivative).
    who : str
        Where the text comes from, for the error message (``"np.sin, argument 1"``).

    Raises
    ------
    ValueError
        (:class:`dualgrad.errors.DualValueError`) ``text`` is not one
        expression, or uses a name, function, operator or construct outside the
        table's vocabulary, or ``value()`` of anything but an argument, or a
        condition with ``value()`` that also reads an argument itself or compares
        an operand that may be complex (see the module docstring).
    """
    reader = _Reader(text, tuple(params), who)
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise reader.fail(f"a syntax error ({exc.msg})",
                          "write one Python expression") from None
    node = reader.read(tree.body)
    _check_values(node, reader)
    return Expr(text, params, node)


# ---- the tangent on Python numbers (complex scalar duals' fast paths) --------------------
# A tangent (``rules._table.Rule.tangent``, ``x``, ``out``, ``dx``) on Python floats and
# complex numbers, to the bits NumPy's general path gives on the 0-d lift (the partials a
# float64 array where all are floats, complex128 where one is complex): the parts and the
# conjugate are attribute reads (exact, as NumPy's), ``+ - *`` the same IEEE operations in
# the same order (Python's complex product is NumPy's ``ac - bd, ad + bc``), a float
# operand of a complex one made ``complex(p)`` first as NumPy's promotion makes it (not
# left to the Python version's mixed-mode rules), ``/`` on floats only.  Everything else
# (``**``, complex division or modulus, a call with no such twin) has none.
_PART_ATTRIBUTES = {"np.real": ".real", "np.imag": ".imag", "np.conjugate": ".conjugate()"}
_FLOAT_ONLY_CALLS = {"np.absolute": "abs", "np.sign": "_sign", "np.sqrt": "math.sqrt"}


class _NoTwin(Exception):
    """The expression has no source on Python numbers (:func:`number_tangent`)."""


def _operand(text, prec, node):
    return text if prec >= _ATOM and node[0] != "num" else f"({text})"


def _typed(node, kinds):
    """``(source, precedence, kind)`` of ``node`` on Python numbers, ``kind`` ``"f"``
    (float), ``"c"`` (complex) or ``"b"`` (a comparison's bool), the names' kinds
    ``kinds``; raises :class:`_NoTwin`."""
    kind = node[0]
    if kind == "num":
        return repr(node[1]), _ATOM, "c" if type(node[1]) is complex else "f"
    if kind == "name":
        k = kinds[node[1]]
        if k == "m":            # floats beside complex numbers: complex(p), the lift's
            return f"complex({node[1]})", _ATOM, "c"
        return node[1], _ATOM, k
    if kind == "call":
        name, args = node[1], node[2]
        if name in ("np.real", "np.imag") and args[0][0] == "name" and kinds[args[0][1]] == "m":
            # a part of a float p is complex(p)'s (p itself, +0.0): read as it is
            return args[0][1] + _PART_ATTRIBUTES[name], _ATOM, "f"
        if name == "where":
            c = _typed(args[0], kinds)[0]
            (a, _, ka), (b, _, kb) = _typed(args[1], kinds), _typed(args[2], kinds)
            if ka != kb:
                if not _uses(args[0], "dx"):
                    # a test of the values alone: on the lift's 0-d numbers the table's
                    # where is an if (rules._table.where), the branch's own kind, which
                    # no one kind here can follow
                    raise _NoTwin("where")
                # a test of the partials: np.where's result, of the complex dtype
                a, b = (f"complex({a})" if ka == "f" else a), (f"complex({b})" if kb == "f" else b)
            return f"({a} if {c} else {b})", _ATOM, "c" if "c" in (ka, kb) else "f"
        if name == "value":                 # (a plain number's value is itself)
            return _typed(args[0], kinds)
        text, prec, k = _typed(args[0], kinds)
        if name in _PART_ATTRIBUTES:
            out = "f" if name != "np.conjugate" else k
            return _operand(text, prec, args[0]) + _PART_ATTRIBUTES[name], _ATOM, out
        if name in _FLOAT_ONLY_CALLS and k == "f":
            return f"{_FLOAT_ONLY_CALLS[name]}({text})", _ATOM, "f"
        raise _NoTwin(name)
    if kind == "unary":
        text, prec, k = _typed(node[2], kinds)
        return node[1] + (text if prec >= _UNARY else f"({text})"), _UNARY, k
    (left, lp, kl), (right, rp, kr) = _typed(node[2], kinds), _typed(node[3], kinds)
    op = node[1]
    if kind == "compare":
        if "c" in (kl, kr) and op not in ("==", "!="):
            raise _NoTwin(op)               # (the parser refuses it in a value test)
        prec, left_ok, right_ok, k = _CMP, lp > _CMP, rp > _CMP, "b"
    else:
        if op == "**" or op == "/" and "c" in (kl, kr):
            raise _NoTwin(op)
        if kl != kr:                        # NumPy's promotion of the float operand
            if kl == "f":
                left, lp = f"complex({left})", _ATOM
            else:
                right, rp = f"complex({right})", _ATOM
        prec = _SUM if op in "+-" else _PRODUCT
        left_ok, right_ok, k = lp >= prec, rp > prec, "c" if "c" in (kl, kr) else "f"
    left = left if left_ok else f"({left})"
    right = right if right_ok else f"({right})"
    return f"{left} {op} {right}", prec, k


def _uses(node, name):
    return any(n[0] == "name" and n[1] == name for n in _walk(node))


def _hoisted(node, over, lines):
    """``node`` with each largest subtree that does not read ``over`` (and is no bare
    name or number) written as a name ``_h0``, ``_h1``, ... whose tree is appended to
    ``lines``; not inside a ``where``'s branches (evaluated only where taken)."""
    if not _uses(node, over):
        if node[0] in ("name", "num"):
            return node
        lines.append(node)
        return ("name", f"_h{len(lines) - 1}")
    if node[0] == "call" and node[1] == "where":
        return node[:2] + ((_hoisted(node[2][0], over, lines),) + node[2][1:],)
    if node[0] == "call":
        return node[:2] + (tuple(_hoisted(a, over, lines) for a in node[2]),)
    if node[0] == "unary":
        return node[:2] + (_hoisted(node[2], over, lines),)
    if node[0] in ("binary", "compare"):
        return node[:2] + (_hoisted(node[2], over, lines), _hoisted(node[3], over, lines))
    return node


def _tangent_lines(node, kinds, over, indent):
    """The statements computing ``node`` for each element of ``over + "s"``: a
    ``where`` whose test does not read ``over`` as an ``if`` (the table's where on the
    lift's 0-d values), else its parts that do not read it once (:func:`_hoisted`),
    then one list comprehension.  A branch that does not read ``over`` at all is a
    0-d total on the lift, which the general path spreads as ``out * 0.0 + total``
    (``dispatch._ufuncs._complex_tangent``: out's kind, NaN at an infinite out):
    written so."""
    pad = " " * indent
    if node[0] == "call" and node[1] == "where" and not _uses(node[2][0], over):
        test = _typed(node[2][0], kinds)[0]
        return ([f"{pad}if {test}:"] + _tangent_lines(node[2][1], kinds, over, indent + 4)
                + _tangent_lines(node[2][2], kinds, over, indent))
    if not _uses(node, over):
        node = ("binary", "+", ("binary", "*", ("name", "out"), ("num", 0.0)), node)
    parts = []
    node = _hoisted(node, over, parts)
    kinds = dict(kinds)
    lines = []
    for j, part in enumerate(parts):
        text, _, kinds[f"_h{j}"] = _typed(part, kinds)
        lines.append(f"{pad}_h{j} = {text}")
    text = _typed(node, kinds)[0]
    return lines + [f"{pad}return [{text} for {over} in {over}s]"]


def number_tangent(expr, kinds):
    """``(function, arithmetic)``: the tangent ``expr`` (of ``x``, ``out``, ``dx``) on
    Python numbers, or ``(None, False)`` where it has no such source.

    ``function(x, out, dxs)`` is the list of the tangents of the partials ``dxs`` (all
    of ``kinds["dx"]``: ``"f"`` floats, ``"c"`` complex numbers, ``"m"`` floats and
    complex numbers, each float read as the lift's complex128 holds it, ``complex(p)``,
    where it meets more than a part), ``x`` of ``kinds["x"]``, ``out`` of
    ``kinds["out"]`` (``"f"`` or ``"c"``): NumPy's bits on
    the lift wherever it returns; it raises ``ArithmeticError`` where a float division
    is by zero, ``ValueError`` at ``math.sqrt`` of a negative float (the caller takes the
    general path, NumPy's inf or NaN).  ``arithmetic``: does it compute
    (``+ - * /``) rather than only read parts?  Then the caller takes it for finite
    numbers only: the complex products' infinities and NaN payloads need not come out
    alike (C99's recovery, NumPy's SIMD loops)."""
    try:
        body = _tangent_lines(expr.tree, kinds, "dx", 4)
    except _NoTwin:
        return None, False
    head = "def tangent(x, out, dxs):\n"
    if len(body) > 1:           # (no partials: nothing evaluated, as on the lift)
        head += "    if not dxs:\n        return []\n"
    source = head + "\n".join(body) + "\n"
    space = {"math": math, "_sign": _sign}
    exec(compile(source, f"<dualgrad tangent {expr.text[:40]}>", "exec"),  # noqa: S102
         space)                             # (emitted from a checked tree)
    fn = space["tangent"]
    fn.source = source
    arithmetic = any(n[0] == "binary" for n in _walk(expr.tree))
    return fn, arithmetic


_FIELDS = ("f0", "f1", "f2", "f3")


def template_function(template):
    """A callable of four arguments evaluating an element template
    (:meth:`Expr.element_template`) with NumPy, field ``{j}`` the argument ``j``
    (unused ones may be ``None``); a bare field or number too (a part of a quotient:
    ``rules._table.Rule.quotient``).

    Raises
    ------
    ValueError
        ``template`` is not an element template (parsed again: ``+ - * /`` and
        unary minus on numbers and fields only).
    """
    expr = parse(template.format(*_FIELDS), _FIELDS, "an element template")
    if expr.element_template() is None and expr.variable is None and expr.constant is None:
        raise errors.bad_argument("dualgrad.rules.template_function",
                                  "+ - * / and unary minus on numbers and fields {0}..{3}",
                                  repr(template), "Fix: pass Expr.element_template()'s text.")
    return expr.function({})
