"""The eager helpers: derivative, gradient, jacobian, hessian, jvp, approx_fprime.

``f`` is called with the input (as a dual) followed by ``*args``, exactly as
``scipy.optimize.approx_fprime`` calls it.  ``f`` may use NumPy functions and
ufuncs, Python arithmetic and control flow on values (``if x > 0:``), indexing
and in-place item assignment into arrays created from its input
(``np.zeros_like(x)``).  It may not turn values into plain floats
(``float(x)``, ``math.sin(x)``, ``np.zeros(n)`` buffers): that raises
``TypeError`` naming the fix instead of returning a wrong derivative.
"""

import math

import numpy as np

from . import errors
from ._base import Dual, make, new_tag, retire
from ._parallel import run_tasks
from ._seed import (as_array, assemble, call_jitted, chunk_tasks, evaluate_chunk, extract,
                    is_jitted, jacobian_columns, private)
from ._validate import as_input, check_callable, check_chunk

__all__ = ["derivative", "gradient", "jacobian", "hessian", "jvp", "approx_fprime"]


def _result(value):
    """A Python float for a 0-d plain result; arrays and duals unchanged."""
    if isinstance(value, np.ndarray) and value.ndim == 0:
        return complex(value) if value.dtype.kind == "c" else float(value)
    if isinstance(value, np.floating):
        return float(value)
    if isinstance(value, np.complexfloating):
        return complex(value)
    return value


def _jacobian(who, f, x, args, chunk, executor=None, progress=False, batch_axis=None,
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
    return value, _shaped(value, as_array(partials), x)


def _shaped(value, partials, x):
    shape = _shape(value) + _shape(x)
    return partials.reshape(shape) if shape else partials[..., 0]


def _shape(a):
    return a.shape if type(a) is np.ndarray else np.shape(a)


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
    results = run_tasks(who, evaluate_chunk, tasks, labels, executor, progress)
    values, jacs, k = [], [], 0
    for point, count in zip(points, counts):
        value, partials = assemble(results[k:k + count])
        k += count
        values.append(value)
        jacs.append(_shaped(value, as_array(partials), point))
    return np.stack([np.asarray(v, dtype=float) for v in values]), np.stack(jacs)


def jacobian(f, x, *args, chunk=None, executor=None, progress=False, batch_axis=None,
             holomorphic=False, sparsity=None, format="csr"):
    """The Jacobian of ``f`` at ``x``, exact to rounding.

    Parameters
    ----------
    f : callable
        ``f(x, *args)``, returning a scalar or an array (a dual array, a list of
        duals or an object array built with ``np.array([...])``).
    x : float or array_like
        The point, of any shape; integers are promoted to float64.
    *args
        Passed to ``f`` after ``x``, as ``scipy.optimize.approx_fprime`` does.
    chunk : int, optional
        Input directions seeded per evaluation of ``f`` (default: one pass for up
        to 256 inputs, balanced chunks within a memory budget beyond; at most 16
        for numba-jitted ``f``). The result does not depend on it.
    executor : concurrent.futures.Executor, optional
        Runs one task per chunk (a thread or process pool, or a Dask client's
        ``get_executor()``); results are identical to the serial ones.  With a
        process pool, ``f`` and ``args`` must pickle.
    progress : bool, optional
        Show a progress bar over chunks (tqdm when installed).
    batch_axis : int, optional
        ``x`` holds many points along this axis; returns their Jacobians stacked
        along a leading axis, shape ``(B,) + f(x_b).shape + x_b.shape``.
    holomorphic : bool, optional
        Accept complex ``x`` and return the complex derivative of a holomorphic
        ``f`` (as JAX's ``holomorphic=True``).  Without it complex ``x`` raises
        ``TypeError``; real ``x`` may always pass through complex intermediates.
    sparsity : scipy.sparse matrix, array_like of bool or "auto", optional
        The Jacobian's nonzero pattern, shape ``(f(x).size, x.size)``, or
        ``"auto"`` to detect it with :func:`sparsity`.  The result is then a
        scipy.sparse matrix computed with one direction per color of the
        pattern's columns (never as a dense array); 1-D ``x`` and ``f(x)`` only.
        A pattern given by hand must hold every nonzero.  Needs scipy.
    format : str, optional
        The scipy.sparse format of a sparse result (default ``"csr"``).

    Returns
    -------
    ndarray or float or scipy.sparse matrix
        Shape ``f(x).shape + x.shape``: ``(m, n)`` for 1-D input and output;
        complex128 where ``f`` returns complex values.

    Raises
    ------
    TypeError
        ``f`` not callable, non-numeric output, or ``f`` drops derivatives.
    ValueError
        ``chunk`` not a positive integer.

    Notes
    -----
    Costs ``ceil(x.size / chunk)`` evaluations of ``f`` on duals carrying
    ``chunk`` directions each.

    Examples
    --------
    >>> import numpy as np
    >>> import dualgrad as dg
    >>> dg.jacobian(lambda x: np.array([x[0] * x[1], np.sin(x[0])]), [1.0, 2.0])
    array([[2.        , 1.        ],
           [0.54030231, 0.        ]])
    """
    if sparsity is not None:
        return _sparse("dualgrad.jacobian", f, x, args, sparsity, format, chunk, executor,
                       progress, batch_axis, holomorphic)
    return _result(_jacobian("dualgrad.jacobian", f, x, args, chunk, executor, progress,
                             batch_axis, holomorphic)[1])


def _sparse(who, f, x, args, sparsity, format, chunk, executor, progress, batch_axis=None,
            holomorphic=False):
    """The ``sparsity=`` hook: colored, compressed seeding (:mod:`dualgrad._coloring`)."""
    if holomorphic:
        raise errors.bad_argument(who, "holomorphic=False with sparsity=", "True",
                                  "Sparse results are real; drop sparsity= for complex x.")
    if batch_axis is not None:
        raise errors.bad_argument(who, "batch_axis=None with sparsity=", repr(batch_axis),
                                  "Call once per point for sparse Jacobians.")
    from . import _coloring
    fn = _coloring.sparse_hessian if who == "dualgrad.hessian" else _coloring.sparse_jacobian
    return fn(who, f, x, args, sparsity, format, chunk, executor, progress)


def gradient(f, x, *args, chunk=None, executor=None, progress=False, batch_axis=None,
             holomorphic=False):
    """The gradient of scalar ``f`` at ``x``, shaped like ``x``.

    Parameters
    ----------
    f : callable
        ``f(x, *args)`` returning a scalar.
    x : float or array_like
        The point, of any shape.
    *args
        Passed to ``f`` after ``x``.
    chunk, executor, progress, batch_axis, holomorphic
        As for :func:`jacobian`.

    Returns
    -------
    ndarray or float
        Shaped like ``x`` (a float for scalar ``x``).

    Raises
    ------
    ValueError
        ``f`` returns an array: use :func:`jacobian`.

    Examples
    --------
    >>> import dualgrad as dg
    >>> from scipy.optimize import rosen
    >>> dg.gradient(rosen, [1.0, 1.0, 1.0])
    array([0., 0., 0.])
    >>> dg.gradient(lambda x, a: a * x ** 3, 2.0, 0.5)
    6.0
    """
    value, jac = _jacobian("dualgrad.gradient", f, x, args, chunk, executor, progress,
                           batch_axis, holomorphic)
    if np.shape(value) != (() if batch_axis is None else np.shape(value)[:1]):
        raise errors.array_output("dualgrad.gradient", np.shape(value))
    return _result(jac)


def derivative(f, x, *args, holomorphic=False):
    """The derivative of ``f`` with respect to the real scalar ``x``.

    Parameters
    ----------
    f : callable
        ``f(x, *args)``, returning a scalar or an array.
    x : float
        The point.

    Returns
    -------
    float or ndarray
        ``df/dx``, shaped like ``f(x)``.

    Examples
    --------
    >>> import numpy as np
    >>> import dualgrad as dg
    >>> dg.derivative(np.exp, 0.0)
    1.0
    >>> dg.derivative(lambda t: np.array([np.cos(t), np.sin(t)]), 0.0)
    array([-0.,  1.])
    """
    who = "dualgrad.derivative"
    if np.ndim(x) != 0:
        raise errors.bad_argument(who, "a real scalar x", f"shape {np.shape(x)}",
                                  "Use dg.jacobian for array inputs.")
    return _result(_jacobian(who, f, x, args, None, holomorphic=holomorphic)[1])


def hessian(f, x, *args, chunk=None, executor=None, progress=False, holomorphic=False,
            sparsity=None, format="csr"):
    """The Hessian of scalar ``f`` at ``x``, by nested duals; exactly symmetric.

    Parameters
    ----------
    f : callable
        ``f(x, *args)`` returning a scalar.
    x : float or array_like
        The point, of any shape.
    chunk : int, optional
        Directions per evaluation at each of the two levels.
    executor, progress
        As for :func:`jacobian`; the outer level's chunks are the tasks.
    sparsity : scipy.sparse matrix, array_like of bool or "auto", optional
        The Hessian's nonzero pattern, shape ``(x.size, x.size)``, or ``"auto"``
        to detect it with :func:`hessian_sparsity`.  The result is then an
        exactly symmetric scipy.sparse matrix from a star coloring (one outer
        direction per color); 1-D ``x`` only.  Needs scipy.
    format : str, optional
        The scipy.sparse format of a sparse result (default ``"csr"``).

    Returns
    -------
    ndarray or float or scipy.sparse matrix
        Shape ``x.shape + x.shape``.

    Examples
    --------
    >>> import dualgrad as dg
    >>> from scipy.optimize import rosen, rosen_hess
    >>> import numpy as np
    >>> x = np.array([0.5, 1.5, -0.3])
    >>> bool(np.allclose(dg.hessian(rosen, x), rosen_hess(x), rtol=1e-13))
    True
    """
    who = "dualgrad.hessian"
    if sparsity is not None:
        return _sparse(who, f, x, args, sparsity, format, chunk, executor, progress,
                       holomorphic=holomorphic)
    check_callable(who, f)
    x = as_input(who, x, holomorphic)
    H = _jacobian(who, _GradientOf(who, f, args, chunk), x, (), chunk, executor,
                  progress, holomorphic=holomorphic)[1]
    if isinstance(H, np.ndarray) and H.ndim:
        size = math.prod(np.shape(x))
        flat = H.reshape(size, size)
        H = ((flat + flat.T) / 2.0).reshape(H.shape)
    return _result(H)


class _GradientOf:
    """``y -> gradient(f, y, *args)``: the inner level of a Hessian, picklable."""

    def __init__(self, who, f, args, chunk):
        self.who, self.f, self.args, self.chunk = who, f, args, chunk

    def __call__(self, y):
        value, jac = _jacobian(self.who, self.f, y, self.args, self.chunk)
        if np.shape(value) != ():
            raise errors.array_output(self.who, np.shape(value))
        return jac


def jvp(f, x, v, *args, holomorphic=False):
    """``f(x)`` and the directional derivative ``J(x) @ v`` in one pass.

    Parameters
    ----------
    f : callable
        ``f(x, *args)``.
    x, v : array_like
        The point and the direction, of the same shape.

    Returns
    -------
    (out, tangent)
        Both shaped like ``f(x)``.

    Raises
    ------
    ValueError
        ``v`` is not of ``x``'s shape.

    Examples
    --------
    >>> import numpy as np
    >>> import dualgrad as dg
    >>> out, tangent = dg.jvp(np.sin, np.array([0.0, 1.0]), np.array([1.0, 2.0]))
    >>> tangent
    array([1.        , 1.08060461])
    """
    who = "dualgrad.jvp"
    check_callable(who, f)
    x = as_input(who, x, holomorphic)
    v = as_input(who, v, holomorphic)
    if np.shape(v) != np.shape(x):
        raise errors.bad_argument(who, f"v of x's shape {np.shape(x)}",
                                  f"shape {np.shape(v)}")
    tag = new_tag()
    partials = private(np.reshape(v, np.shape(v) + (1,))) if np.shape(x) else [v]
    if isinstance(partials, list) and not isinstance(v, Dual):
        partials = [v]
    seeded = make(private(x) if isinstance(x, Dual) or np.shape(x) else x, partials, tag)
    try:
        out = call_jitted(who, f, (seeded,) + args, {}) if is_jitted(f) else f(seeded, *args)
        value, tangent = extract(who, out, tag, 1)
    except (TypeError, ValueError) as exc:
        foreign = errors.from_scipy(who, exc)               # a SciPy function's np.asarray
        if foreign is not None:
            raise foreign from exc
        raise
    finally:
        retire(tag)
    return _result(value), _result(as_array(tangent)[..., 0])


def approx_fprime(xk, f, epsilon=None, *args, executor=None, progress=False):
    """Drop-in for ``scipy.optimize.approx_fprime``, exact instead of approximate.

    Parameters
    ----------
    xk : array_like
        The point.
    f : callable
        ``f(xk, *args)``, scalar or vector valued.
    epsilon : optional
        Accepted for compatibility and ignored: no step is taken.
    *args
        Passed to ``f``.
    executor, progress
        As for :func:`jacobian`.

    Returns
    -------
    ndarray
        ``(n,)`` for scalar ``f``, ``(m, n)`` for vector ``f``, as scipy returns:
        a scalar ``xk`` counts as ``n = 1`` and an output of one element as a
        scalar, so the result is always a float64 ndarray.  (scipy rejects ``xk`` or outputs of more than one dimension;
        dualgrad then returns the full Jacobian, ``f(x).shape + x.shape``.)

    Examples
    --------
    >>> import dualgrad as dg
    >>> from scipy.optimize import rosen, rosen_der
    >>> x = [0.3, 0.7, 1.1]
    >>> bool(np.allclose(dg.approx_fprime(x, rosen), rosen_der(x), rtol=1e-14))
    True
    """
    who = "dualgrad.approx_fprime"
    if isinstance(xk, Dual) or np.ndim(xk) > 1:
        return jacobian(f, xk, *args, executor=executor, progress=progress)
    value, jac = _jacobian(who, f, xk, args, None, executor, progress)
    n = np.size(xk)                                    # scipy: xk as atleast_1d
    if np.size(value) == 1 and np.ndim(value) <= 1:    # scipy: one output -> shape (n,)
        return np.reshape(jac, (n,))
    return np.reshape(jac, np.shape(value) + (n,)) if np.ndim(value) <= 1 else jac
