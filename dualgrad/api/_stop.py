"""``stop_gradient``: the plain value of a dual, every nesting level stripped."""

import sys
from collections import OrderedDict

import numpy as np

from ..dual import Dual
from ..dual._base import primal
from ._tree import ResultList, Results

__all__ = ["stop_gradient"]

_PRIMAL = np.frompyfunc(primal, 1, 1)        # an object array's elements, one by one
_IS_DUAL = np.frompyfunc(lambda item: isinstance(item, Dual), 1, 1)


def stop_gradient(x):
    """The plain value of ``x``: every dual level stripped, derivatives dropped.

    JAX's ``jax.lax.stop_gradient`` for dualgrad.  Inside ``dg.hessian`` or a
    nested ``dg.derivative`` a dual's ``.value`` is itself a dual (the inner
    level); ``stop_gradient`` goes down to the innermost value, so the result is
    a number SciPy's compiled routines (``brentq``, ``quad``), ``float()``,
    ``int()`` and formatting accept at any depth.  Use it where no derivative is
    wanted: the starting point of a root finder (then take Newton steps on duals,
    README's root-finder recipe), an index or a step count, a log message.

    Parameters
    ----------
    x : Dual, number, ndarray, or list, tuple or dict of them
        Anything; containers (lists, tuples, named tuples, dicts) are walked and
        rebuilt with the same structure.

    Returns
    -------
    float, complex, ndarray or the container of them
        A scalar dual gives a Python float (complex for a complex value); an array
        dual a new float64 (complex128) ndarray of its shape, a copy of its value, as
        ``jax.lax.stop_gradient`` gives a new array: writing to it changes no dual; an
        object ndarray of scalar duals (``np.array([d1, d2])``) a new float64
        (complex128) ndarray; a sparsity tracer (``x`` inside ``dg.sparsity``,
        ``dg.hessian_sparsity`` or ``sparsity="auto"``) its plain value, like a dual's,
        so what is computed from it enters no pattern; a number or an array that is
        no dual is returned as it is (the same object).

    Notes
    -----
    The result is a constant to every enclosing helper call: whatever is computed
    from it alone has zero derivatives.  That is what a root finder's start or an
    integer step count wants, and wrong wherever a derivative is wanted, so keep
    ``stop_gradient`` out of the path from the inputs to the result.

    The array it returns for an array dual is a copy, not the dual's value buffer:
    ``v = dg.stop_gradient(y); v -= v.mean()`` leaves ``y`` (its value and its
    derivatives) as it was.  Called on floats (``f`` run without a helper) it is the
    identity, so such a write changes ``y`` there: write to a copy you make
    (``v = dg.stop_gradient(y).copy()``) where ``f`` must mean the same both ways.

    Examples
    --------
    >>> import numpy as np
    >>> import dualgrad as dg
    >>> def f(x):
    ...     n = int(np.ceil(dg.stop_gradient(x) * 4))   # a count: no derivative wanted
    ...     return x ** n
    >>> float(dg.hessian(f, 1.5))                     # n = 6: 30 * 1.5**4
    151.875
    >>> dg.stop_gradient([1.5, {"a": np.arange(2.0)}])
    [1.5, {'a': array([0., 1.])}]

    Under sparsity detection too: a weight read through ``stop_gradient`` is a
    constant, so ``x * w[::-1]`` depends on ``x_k`` alone (a neighbour list taken
    from ``stop_gradient(x)`` likewise adds no pairs of its own).

    >>> def f(x):
    ...     w = dg.stop_gradient(x)
    ...     return x * w[::-1]
    >>> dg.sparsity(f, np.array([1.0, 2.0, 3.0])).toarray()
    array([[ True, False, False],
           [False,  True, False],
           [False, False,  True]])
    """
    if type(x) is float:           # (a root finder's plain f, each call: loops65)
        return x
    if isinstance(x, Dual):
        value = primal(x)          # a copy: the dual's own buffer, written, changed its value
        return value.copy() if isinstance(value, np.ndarray) else _python_number(value)
    tracer = _tracer_value(x)
    if tracer is not None:
        return tracer
    t = type(x)
    if t is list or t is tuple or t is Results or t is ResultList:   # (a helper's)
        return t(stop_gradient(item) for item in x)
    if isinstance(x, tuple) and hasattr(t, "_fields"):          # a named tuple
        return t(*(stop_gradient(item) for item in x))
    if t is dict or t is OrderedDict:
        return t((key, stop_gradient(item)) for key, item in x.items())
    if t is np.ndarray and x.dtype == object and np.any(_IS_DUAL(x)):
        values = _PRIMAL(x)
        if not isinstance(values, np.ndarray):                  # a 0-d object array
            values = np.asarray(values, dtype=object)
        try:
            return values.astype(float)
        except TypeError:                                       # complex numbers
            return values.astype(complex)
    return x


def _tracer_value(x):
    """The plain value of a sparsity tracer (``dg.sparsity``, ``dg.hessian_sparsity``),
    ``None`` for anything else.  Returned as is, the tracer kept its inputs: a
    neighbour list computed from ``stop_gradient(x)`` recorded its own arithmetic as
    Hessian pairs (a superset pattern, several times the colors).  No tracer exists
    before the sparsity module is loaded, so it is looked up, not imported.  In
    ``mode="global"`` an array comes back marked as computed from values
    (``_value_index``: indices found on it, peaks, select other elements elsewhere)."""
    sparsity = sys.modules.get("dualgrad.api._sparsity")
    tracer = getattr(sparsity, "Tracer", None)  # (None while another thread imports the
    if tracer is None or not isinstance(x, tracer):     # module: no tracer exists yet,
        return None                             # attack55 11)
    value = np.asarray(x.value)
    if not value.ndim:
        return _python_number(value[()])
    # mode="global": indices computed from it select other elements elsewhere
    return sparsity.mark(value.copy()) if x.ctx.marks else value.copy()


def _python_number(value):
    """A scalar dual's innermost value as a Python float or complex."""
    return complex(value) if np.iscomplexobj(value) else float(value)
