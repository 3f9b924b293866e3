"""The dispatch wing: NumPy's protocols on duals (ufuncs, functions, linalg,
reductions, FFT, composed functions).  The only layer that knows duals, the rule
table and the backend door at once; it never touches numba, the buffer pool or
NumPy allocation of partials directly (:mod:`dualgrad.backend` does).

Importing it connects the dual types to it: the types live below (they must, since
every handler here builds duals), so their operators and NumPy protocols receive
this wing's entry points through ``connect`` instead of importing it.
"""

import numpy as np

from ..dual import _array, _scalar
from ._operands import operand, write_out
from ._lean_products import LEAN_PRODUCTS
from ._lean_small import call_ufunc as _lean_call_ufunc, lean, lean_constant, lean_mixed, \
    lean_power, lean_power_mixed, lean_power_pair, operator_power
from ._reductions import lean_sum
from ._lean_complex import lean_complex
from . import _ufuncs
from ._ufuncs import (_LAST, _errstate, _hush, _unhush, apply, call, call_ufunc,
                      call_unary_with_out, call_with_out, complex_small, small, with_number)


def _functions_on_first_use(func, args, kwargs, like=None):
    """The first NumPy function a dual meets loads the functions' handlers
    (``_functions`` and the modules behind it, most of this wing), not ``import
    dualgrad``; the types then call :func:`dispatch._functions.dispatch` directly."""
    from ._functions import dispatch
    _scalar.connect(dispatch=dispatch)
    _array.connect(dispatch=dispatch)
    return dispatch(func, args, kwargs, like=like)


_ufuncs._complex_lean[0] = lean_complex    # complex_small's generated lines (complex68)
_scalar.connect(apply=apply, call_ufunc=_lean_call_ufunc, call_unary_with_out=call_unary_with_out,
                call_with_out=call_with_out, dispatch=_functions_on_first_use, small=small,
                hush=_hush, unhush=_unhush, lean_power_mixed=lean_power_mixed,
                lean_constant=lean_constant,
                quiet=None if _errstate is None else
                (_errstate.get, _errstate.set, _errstate.reset, _LAST))
_array.connect(apply=apply, call=call, small=small, lean=lean, with_number=with_number,
               write_out=write_out, dispatch=_functions_on_first_use, operand=operand,
               lean_sum=lean_sum, complex_small=complex_small, lean_mixed=lean_mixed,
               lean_power=lean_power, lean_power_pair=lean_power_pair,
               lean_power_mixed=lean_power_mixed, operator_power=operator_power)
# np.dot(a, b), np.einsum("i,i->", a, b)...: the lean products first (the ufuncs among
# them, np.matmul and np.vecdot, reach theirs through _ufuncs.lean)
_array.VIEWS.update({f: p for f, p in LEAN_PRODUCTS.items() if not isinstance(f, np.ufunc)})
