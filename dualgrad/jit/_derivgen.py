"""Writes :mod:`dualgrad.jit._derivatives` from the rule table.

The numba extension (:mod:`dualgrad.jit._numba_dual`) calls, inside a user's jitted
code on duals, each row's local derivatives as numba functions of floats.  Compiled
from the table's text in every process, they were most of the first dual call of a
small jitted ``f`` (user26: 2.4 s of 4.2 s, ``python bench/jit_first_call.py``;
``np.power``'s d/dx alone 1.3 s); written to a real source file with ``cache=True``
they load from numba's disk cache instead.  The source is the table's own, as
:mod:`dualgrad.rules._expr` writes it back, and the extension finds each function by
that source (:data:`BY_SOURCE` of the generated module): a row whose text changed
without regenerating the file compiles from the table as before, never a stale
derivative.  ``tests/test_jit41.py`` checks that the file matches this generator.
Regenerate it after changing the table::

    python -m dualgrad.jit._derivgen
"""

from pathlib import Path

import numpy as np

from ..rules._expr import KERNEL_NAMES
from ..rules._table import _TABLE

__all__ = ["PATH", "NAMES", "SCIPY_ROWS", "rows", "source"]

PATH = Path(__file__).with_name("_derivatives.py")

# numba code spells these calls by the generated module's functions (NumPy's values:
# numba's np.sign is -0.0 at -0.0, its np.floor_divide is floor(x / y), 10.0 at (1.0, 0.1))
NAMES = {**KERNEL_NAMES, "np.floor_divide": "floor_divide", "sc.digamma": "digamma"}

# SciPy's rows whose function jitted code spells as math's (math.erf, math.erfc,
# math.gamma, math.lgamma: gammaln's row, log|Gamma| as lgamma)
SCIPY_ROWS = ("erf", "erfc", "gamma", "gammaln")

_HEADER = '''"""The rule table's local derivatives as numba functions of floats, for users' jitted code.

GENERATED from the rule table by ``python -m dualgrad.jit._derivgen``: do not edit.

``BY_SOURCE[(params, source)]`` is the numba dispatcher (``cache=True``) evaluating the
table's expression of that source (its calls spelled as numba code spells them:
``dualgrad.jit._derivgen.NAMES``) on floats; the numba extension
(``dualgrad.jit._numba_dual``) calls them from its overloads.  Above them, NumPy's
values where numba's differ and the table's helpers on floats.
"""

import numpy as np

from ..backend._jit import njit
from ..rules import _special

# fastmath=False: these run inside a user's jitted code, whose fastmath numba would
# otherwise hand down to them, and the disk cache keeps no flags (see _numba_dual)
_JIT = dict(cache=True, error_model="numpy", fastmath=False)

# the table's sc.digamma (math.gamma's and math.lgamma's derivatives): numba cannot call
# SciPy's (dualgrad.rules._special.digamma; its source is part of every key here)
digamma = njit(**_JIT)(_special.digamma)


@njit(**_JIT)
def where(cond, a, b):
    return a if cond else b


@njit(**_JIT)
def value(x):
    return x            # the table's value(x): a derivative here sees floats only


@njit(**_JIT)
def sign(x):
    """NumPy's sign (numba's np.sign gives -0.0 at -0.0): ``dualgrad.rules._expr.sign``."""
    return 1.0 if x > 0.0 else -1.0 if x < 0.0 else 0.0 if x == 0.0 else x


@njit(**_JIT)
def _divmod(a, b):
    """NumPy's ``npy_divmod`` (CPython's float ``divmod``) on float64: the quotient and the
    remainder NumPy's floor_divide and remainder give, bit for bit.  numba's own
    ``np.floor_divide`` is ``floor(a / b)``, 10.0 at (1.0, 0.1) where NumPy and Python give
    9.0 (1.0 - 9 * 0.1 is the remainder), and its ``np.remainder`` gives 0.0 where NumPy
    gives -0.0; so a dual's ``//`` changed values inside users' code (a loop to
    ``T // dt`` ran once more) and ``%``'s d/dy was off by one (an outside attack)."""
    a, b = np.float64(a), np.float64(b)
    mod = np.fmod(a, b)
    if b == 0.0:                        # fmod's NaN, and a / b's inf or NaN
        return a / b, mod
    div = (a - mod) / b                 # very nearly the integer fmod used
    if mod != 0.0:
        if (b < 0.0) != (mod < 0.0):    # Python's sign convention: the divisor's
            mod += b
            div -= 1.0
    else:
        mod = np.copysign(0.0, b)
    if div != 0.0:                      # snap to the nearest integer
        floordiv = np.floor(div)
        if div - floordiv > 0.5:
            floordiv += 1.0
    else:
        floordiv = np.copysign(0.0, a / b)
    return floordiv, mod


@njit(**_JIT)
def floor_divide(a, b):
    return _divmod(a, b)[0]


@njit(**_JIT)
def remainder(a, b):
    return _divmod(a, b)[1]


@njit(**_JIT)
def spacing(x):
    """NumPy's spacing: numba's is -5e-324 at -0.0, NumPy's 5e-324."""
    return np.spacing(0.0) if x == 0.0 else np.spacing(x)


@njit(**_JIT)
def as_f64(c):
    return np.float64(c)


@njit(**_JIT)
def as_is(c):
    return c


# ---- the table's derivatives ----------------------------------------------------------
'''

_FUNCTION = '''
@njit(**_JIT)
def {name}({params}):
    """{note}"""
    return {source}

'''


def rows():
    """The rows whose derivatives the numba extension compiles: the smooth rows of
    NumPy's ufuncs (numba knows no other ufuncs), then SciPy's :data:`SCIPY_ROWS` where
    SciPy is installed."""
    found = [r for r in _TABLE if r.kind == "smooth" and isinstance(r.ufunc, np.ufunc)
             and r.ufunc in vars(np).values()]
    try:
        import scipy.special as sc
    except ImportError:                                     # pragma: no cover
        return found
    from ..rules._table import _scipy_rules
    return found + [r for r in _scipy_rules(sc) if r.name in SCIPY_ROWS]


def _functions(rule):
    """``(k, expr, name, note)`` of each expression of ``rule`` the extension compiles:
    its local derivatives, then the parts ``a``, ``b`` of those it writes as a quotient
    ``a / b`` (:attr:`Rule.quotient`: the two steps where the one number over- or
    underflows) and ``c``, ``h`` of those it spreads as ``c * h**4`` (:attr:`Rule.spread`:
    the power's product in extended range, farpow67)."""
    for k, expr in enumerate(rule.exprs):
        if expr is not None:
            yield k, expr, f"{rule.name}_d{k}", f"d/d{expr.params[k]} of {rule.name}"
    for k, pair in enumerate(rule.quotient_exprs):
        for part, expr in zip("ab", pair or ()):
            yield k, expr, f"{rule.name}_q{k}{part}", \
                f"{part} of d/d{expr.params[k]} of {rule.name} = a / b"
    for k, pair in enumerate(rule.spread_exprs or ()):
        for part, expr in zip("ch", pair or ()):
            yield k, expr, f"{rule.name}_s{k}{part}", \
                f"{part} of d/d{expr.params[k]} of {rule.name} = c * h**4"


def source():
    """The text of ``_derivatives.py``."""
    parts, entries, seen = [_HEADER], [], {}
    for rule in rows():
        for k, expr, name, note in _functions(rule):
            key = (expr.params, expr.source(NAMES))
            if key in seen:
                continue
            seen[key] = name
            parts.append(_FUNCTION.format(name=name, params=", ".join(expr.params),
                                          note=note, source=key[1]))
            entries.append(f"    ({key[0]!r}, {key[1]!r}):\n        {name},\n")
    parts.append(f"\nBY_SOURCE = {{\n{''.join(entries)}}}\n")
    return "".join(parts)


if __name__ == "__main__":
    PATH.write_text(source())
    print(f"wrote {PATH}")
