"""The power rows' regular branches as numba functions of one element.

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


@njit(**_JIT)
def regular_power_x(x, y, out, a0):
    """np.power's d/dx on its regular branch, ``y * x ** (y - 1.0)``,
    given ``a0 = x ** (y - 1.0)``."""
    if np.absolute(x) == 0.0 or np.absolute(y) == 0.0 or np.absolute(y) >= 9007199254740992.0:
        return np.nan
    f = y * a0
    return f if np.absolute(f) >= 2.2250738585072014e-308 * max(1.0, np.absolute(y)) else np.nan


@njit(**_JIT)
def regular_power_y(x, y, out, a0):
    """np.power's d/dy on its regular branch, ``out * np.log(x)``,
    given ``a0 = np.log(x)``."""
    if np.absolute(x) == 0.0 or np.absolute(out) < 2.2250738585072014e-308:
        return np.nan
    return out * a0
