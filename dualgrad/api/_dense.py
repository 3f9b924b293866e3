"""The dense Jacobian of one array input: the core the helpers, the sparse paths and
sparsity detection share.

:func:`dense_jacobian` is ``(f(x), J)`` for one array ``x`` (``jacobian`` and
``hessian`` without pytrees, the sparse paths' fallbacks, sparsity detection of a
function it cannot trace); :class:`GradientOf` is the inner level of a Hessian.
Kept below :mod:`dualgrad.api.helpers`, :mod:`dualgrad.api._coloring` and
:mod:`dualgrad.api._sparsity` so that none of them imports another to reach it.
"""

import numpy as np

from .. import errors
from ..dual import Dual, make, newest, primal
from ._parallel import watched_tasks
from ._seed import as_array, assemble, chunk_tasks, evaluate_chunk, jacobian_columns, shape
from ._undefined import ordered
from ._validate import as_input, check_callable, check_chunk

__all__ = ["dense_jacobian", "GradientOf", "shaped", "with_outer_level"]


def dense_jacobian(who, f, x, args, chunk, executor=None, progress=False, batch_axis=None,
                   holomorphic=False):
    """``(f(x), J)`` with ``J`` of shape ``f(x).shape + x.shape``.

    With ``batch_axis``, ``x`` holds many points along that axis: every chunk of
    every point is one task, and the results are stacked along a leading axis.
    """
    check_callable(who, f)
    chunk = check_chunk(who, chunk)
    x = as_input(who, x, holomorphic)
    if batch_axis is not None:
        return _batched(who, f, x, args, chunk, executor, progress, batch_axis)
    value, partials = jacobian_columns(who, f, (None,) + args, (0,), [x], None, chunk,
                                       executor, progress)
    return value, shaped(value, as_array(partials), x)


def shaped(value, partials, x):
    """Partials of shape ``value.shape + (N,)`` as the Jacobian, ``value.shape + x.shape``."""
    full = shape(value) + shape(x)
    return partials.reshape(full) if full else partials[..., 0]


def _batched(who, f, x, args, chunk, executor, progress, batch_axis):
    if np.ndim(x) == 0:
        raise errors.bad_argument(who, "an array x with a batch axis", "a scalar")
    points = np.moveaxis(x, batch_axis, 0)
    tasks, labels, counts = [], [], []
    for b, point in enumerate(points):
        point = as_input(who, point, np.iscomplexobj(point))
        t, lab = chunk_tasks(who, f, (None,) + args, (0,), [point], {}, chunk)
        tasks += t
        labels += [f"point {b} of the batch, {lab[k]}" for k in range(len(lab))]
        counts.append(len(t))
    results, tolerances = watched_tasks(who, evaluate_chunk, tasks, labels, executor,
                                        progress, counts)    # (one reference a point)
    values, jacs, k = [], [], 0
    for point, count in zip(points, counts):
        value, partials = assemble(results[k:k + count], who, tolerances[k:k + count])
        k += count
        values.append(value)
        jacs.append(shaped(value, as_array(partials), point))
    values = [np.asarray(v) for v in values]               # complex values stay complex
    kind = np.result_type(np.float64, *{v.dtype for v in values})
    return np.stack(values).astype(kind, copy=False), np.stack(jacs)


class GradientOf:
    """``y -> gradient(f, y, *args)``: the inner level of a (sparse) Hessian, picklable."""

    def __init__(self, who, f, args, chunk):
        self.who, self.f, self.args, self.chunk = who, f, args, chunk

    def __call__(self, y):
        with ordered(y):                 # the Hessian's orders: _orders' choice
            value, jac = dense_jacobian(self.who, self.f, y, self.args, self.chunk)
        if np.shape(value) != ():
            raise errors.array_output(self.who, np.shape(value))
        return with_outer_level(jac, value)


def with_outer_level(grad, value):
    """A plain gradient as a dual of the outer level with zero partials, where f's
    value carries that level (f linear in x: its gradient is a constant, and the
    Hessian is zero).  Without it the outer level sees a result without derivatives,
    which its guard must refuse after an object array of duals was made in f
    (``np.sum(np.array([p[0], p[1]]))``); f's value is the witness that the outer
    derivatives went through f.  A gradient that is a dual of older levels only (``c``
    of an enclosing ``dg.derivative`` in ``x[0] * c``) is constant at this one and gets
    it the same way (attack31: the guard refused such a Hessian nested in
    ``dg.derivative``)."""
    if not isinstance(value, Dual):
        return grad
    tag, n = newest([value])
    if isinstance(grad, Dual):
        # a gradient carrying only older levels (an outer dg.derivative's c in
        # ``x[0] * c``) is constant at this one: its value goes in as it is
        if grad.tag >= tag:
            return grad
        dtype = np.result_type(primal(grad))
    elif not isinstance(grad, np.ndarray) or grad.dtype.kind not in "fc":
        return grad
    else:
        dtype = grad.dtype
    if errors.made_since(tag) is not None:     # an object array nobody read: the guard's
        return grad
    return make(grad, np.zeros(grad.shape + (n,), dtype=dtype), tag)
