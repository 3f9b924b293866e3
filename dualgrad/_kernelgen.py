"""Writes :mod:`dualgrad._rule_kernels` from the rule table.

A unary rule whose local derivative is plain arithmetic on ``x`` and ``out``
(``2.0 * x``, ``1.0 / (1.0 + x)``, ``1.0 - out * out``) gets a numba kernel that
evaluates that expression element by element and multiplies it into the partials
in the same loop: one pass over memory and no temporaries, where NumPy needs one
pass and one temporary per operator of the expression and one more for the
product.  The expression text is the table's own, so both paths compute the same
IEEE operations in the same order.  Expressions that call a transcendental
(``np.cos(x)`` for ``sin``) stay with NumPy, whose SIMD functions are faster than
numba's and would not round the same on every machine.

The kernels live in a real source file so that numba's on-disk cache serves
them; ``tests/test_kernels.py`` checks that the file matches this generator.
Regenerate it after changing the table::

    python -m dualgrad._kernelgen
"""

import re
from pathlib import Path

from ._rules import _TABLE

__all__ = ["PATH", "fusable", "source"]

PATH = Path(__file__).with_name("_rule_kernels.py")

# Names an expression may use besides numbers and + - * / ( ) < > ==: none of them
# rounds differently in numba and NumPy (sqrt is correctly rounded by IEEE 754).
_ALLOWED = {"x", "out", "where", "np.sqrt", "np.sign"}


def fusable(rule):
    """Does ``rule`` get a fused kernel: unary, smooth, arithmetic on ``x``/``out``?"""
    if rule.kind != "smooth" or rule.ufunc.nin != 1:
        return False
    names = set(re.findall(r"[A-Za-z_][\w.]*", rule.derivs[0]))
    return bool(names & {"x", "out"}) and names <= _ALLOWED


_HEADER = '''"""Fused local derivative and propagation for the unary rules, one loop each.

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
'''

_KERNEL = '''

@njit(**_JIT)
def d_{name}_flat(xs, outs, p, q):
    """``np.{name}``: ``q = ({expr}) * p``, one direction."""
    for i in range(p.shape[0]):
{bind}        f = {expr}
        pi = p[i]
        q[i] = 0.0 if pi == 0.0 else f * pi


@njit(**_JIT)
def d_{name}(xs, outs, p, q):
    """``np.{name}``: ``q[i, :] = ({expr}) * p[i, :]``."""
    rows, n = p.shape
    for i in range(rows):
{bind}        f = {expr}
        if f - f == 0.0:
            for k in range(n):
                q[i, k] = f * p[i, k]
        else:
            for k in range(n):
                pk = p[i, k]
                q[i, k] = 0.0 if pk == 0.0 else f * pk
'''


def _bind(expr):
    """Lines reading the names ``expr`` uses: ``x`` from ``xs``, ``out`` from ``outs``."""
    names = set(re.findall(r"[A-Za-z_]\w*", expr))
    return "".join(f"        {name} = {name}s[i]\n" for name in ("x", "out") if name in names)


def source():
    """The text of ``_rule_kernels.py`` for the table of NumPy's ufuncs (numba
    cannot call scipy.special's)."""
    rules = [rule for rule in _TABLE if fusable(rule)]
    parts = [_HEADER]
    parts += [_KERNEL.format(name=rule.name, expr=rule.derivs[0], bind=_bind(rule.derivs[0]))
              for rule in rules]
    entries = "".join(f"    np.{rule.name}: (d_{rule.name}_flat, d_{rule.name}),\n"
                      for rule in rules)
    parts.append(f"\n\nKERNELS = {{\n{entries}}}\n")
    return "".join(parts)


if __name__ == "__main__":
    PATH.write_text(source())
    print(f"wrote {PATH}")
