"""The eager helpers: derivative, gradient, jacobian, hessian, jvp, approx_fprime.

``f`` is called with the input (as a dual) followed by ``*args``, exactly as
``scipy.optimize.approx_fprime`` calls it.  ``f`` may use NumPy functions and
ufuncs, Python arithmetic and control flow on values (``if x > 0:``), indexing
and in-place item assignment into arrays created from its input
(``np.zeros_like(x)``).  It may not turn values into plain floats
(``float(x)``, ``math.sin(x)``, ``np.zeros(n)`` buffers): that raises
``TypeError`` naming the fix instead of returning a wrong derivative.
"""

from __future__ import annotations

import copy
import functools
import inspect
import math
import threading
import types
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import backend, errors
from ..dual import (LIVE, MAX_SLOTS, TAGS, Dual, _snapshots, holomorphic_tag, kept_seed, make,
                    make_array, make_scalar, new_tag, release_pass, retire, scalar_class)
from ..dispatch import _second_order
from ._dense import dense_jacobian as _jacobian
from ._dense import with_outer_level as _with_outer_level
from ._undefined import ordered as _ordered
from ._dense import shaped as _shaped
from . import _orders
from ._parallel import watched_tasks
from ._seed import (MAX_CHUNK, MEMORY_BUDGET, OutTree, as_array, call_jitted, chunk_tasks, evaluate_chunk,
                    extract, is_jitted, jacobian_columns, linked, pass_note, private,
                    same_values, split_aux, strip_tag, translated)
from ._tree import (LEAF, Results, first_difference, flatten, helper_made, is_node,
                    leaf_paths, unflatten)
from ._validate import as_input, check_argnums, check_callable, check_chunk, \
    refuse_traced_helper

if TYPE_CHECKING:                        # annotations only: nothing imported at run time
    from collections.abc import Callable, Mapping, Sequence
    from concurrent.futures import Executor

    from numpy.typing import ArrayLike

    #: a point: a number, an array, or a pytree of them (dicts, lists, tuples)
    Point = ArrayLike | Mapping[Any, Any] | Sequence[Any] | Dual
    Argnums = int | tuple[int, ...]

__all__ = ["derivative", "gradient", "jacobian", "hessian", "jvp", "approx_fprime"]


_F64 = np.dtype(np.float64)
_C128 = np.dtype(np.complex128)
_nd = np.ndarray              # (module globals: np.ndarray is two lookups; small46)
_array_of = np.array
_FUNCTION = types.FunctionType
#: ``x``'s default, so that ``dg.hessian(f)`` (a transform's spelling: minimize's
#: ``hess=dg.hessian(nll)``) names the form that works instead of Python's bare
#: "missing 1 required positional argument: 'x'"
_NO_POINT: Any = errors.NO_POINT
_next_tag, _ident = TAGS.__next__, threading.get_ident
_open_scope, _close_scope = backend.open_scope, backend.close_scope


def _shape(a):
    """``a.shape``, without a call for an ndarray (``np.shape`` for anything else)."""
    return a.shape if type(a) is np.ndarray else np.shape(a)


def _result(value):
    """A Python float for a 0-d plain result; arrays and duals unchanged."""
    if isinstance(value, np.ndarray) and value.ndim == 0:
        return complex(value) if value.dtype.kind == "c" else float(value)
    if isinstance(value, np.floating):
        return float(value)
    if isinstance(value, np.complexfloating):
        return complex(value)
    return value


class _Flat:
    """The differentiated arguments of a call, flattened to leaves.

    ``xs`` are the leaves (checked inputs), ``f``/``template``/``nums`` what
    :func:`jacobian_columns` calls: ``f`` itself when every differentiated
    argument is one array or scalar, else a picklable wrapper that rebuilds the
    pytrees from the leaves.  ``blocks`` turns partials into results of the
    input structure (a tuple over ``argnums`` when it is a tuple).
    """

    def __init__(self, who, f, args, argnums, holomorphic=False):
        nums, self.many = check_argnums(who, argnums, len(args))
        # a repeated argument (argnums=(0, 0)) is seeded once and its result repeated,
        # as JAX does
        self.nums = tuple(dict.fromkeys(nums))
        self.order = [self.nums.index(i) for i in nums]
        self.defs, self.xs, self.counts = [], [], []
        for i in self.nums:
            a = args[i]
            if type(a) is np.ndarray or type(a) is float:     # the common case: one leaf
                self.defs.append(LEAF)
                self.counts.append(1)
                self.xs.append(as_input(who, a, holomorphic))
                continue
            leaves, treedef = flatten(a, point=True)
            self.defs.append(treedef)
            self.counts.append(len(leaves))
            self.xs += [as_input(who, leaf, holomorphic) for leaf in leaves]
        if all(d is LEAF for d in self.defs):
            self.f, self.template, self.lnums = f, args, self.nums
        else:
            self.f = _Rebuild(f, args, self.nums, self.defs, self.counts)
            self.template, self.lnums = (None,) * len(self.xs), tuple(range(len(self.xs)))

    @classmethod
    def one(cls, f, args, at=0):
        """The flat of ``args[at]``, a float64 ndarray (what :func:`as_input` returns as
        it is), differentiated alone: no checks to make, no pytree to flatten."""
        flat = cls.__new__(cls)
        flat.nums = flat.lnums = (at,)
        flat.many, flat.order = False, [0]
        flat.defs, flat.xs, flat.counts = [LEAF], [args[at]], [1]
        flat.f, flat.template = f, args
        return flat

    def blocks(self, partials, lead=()):
        """Split partials of shape ``lead + (N,)`` into one block per leaf, of
        shape ``lead + leaf.shape``, arranged in the input structure."""
        if type(partials) is list:
            partials = as_array(partials)
        if not self.many and self.defs[0] is LEAF:      # one array or scalar: no splitting
            shape = lead + _shape(self.xs[0])
            return _result(partials.reshape(shape) if shape else partials[..., 0])
        out, start = [], 0
        for x in self.xs:
            shape = _shape(x)
            size = math.prod(shape)
            block = partials[..., start:start + size]
            out.append(_result(block.reshape(lead + shape) if lead + shape else block[..., 0]))
            start += size
        return self.arrange(out)

    def arrange(self, items):
        """One item per leaf, arranged in the input structure."""
        trees, k = [], 0
        for treedef, count in zip(self.defs, self.counts):
            trees.append(helper_made(unflatten(treedef, items[k:k + count])))
            k += count
        return Results(trees[j] for j in self.order) if self.many else trees[0]


class _Rebuild:
    """``f`` called on pytrees rebuilt from leaves: ``_Rebuild(...)(*leaves)``."""

    def __init__(self, f, args, nums, defs, counts):
        self.fn, self.args, self.nums, self.defs, self.counts = f, args, nums, defs, counts

    def __call__(self, *leaves, **kwargs):
        full, k = list(self.args), 0
        for i, treedef, count in zip(self.nums, self.defs, self.counts):
            full[i] = unflatten(treedef, leaves[k:k + count])
            k += count
        return self.fn(*full, **kwargs)


def _structured(flat, value, partials):
    """``(out, derivative)`` in JAX's convention: the output structure outside,
    the input structure inside; each block of shape ``out.shape + x.shape``."""
    if isinstance(value, OutTree):
        rows, start, outs, ders = as_array(partials), 0, [], []
        for v in value.values:
            shape = _shape(v)
            size = math.prod(shape)
            outs.append(_result(v))
            ders.append(flat.blocks(rows[start:start + size].reshape(shape + (-1,)), shape))
            start += size
        return unflatten(value.treedef, outs), unflatten(value.treedef, ders)
    return _result(value), flat.blocks(partials, _shape(value))


def _check_scalar(who, value):
    if type(value) is float:
        return
    if isinstance(value, OutTree) or np.shape(value) != ():
        raise errors.array_output(who, "a pytree" if isinstance(value, OutTree)
                                  else np.shape(value))


def _evaluate(who, f, args, kwargs, argnums, chunk, executor, progress, has_aux,
              holomorphic=False):
    """``(flat, value, partials, aux)`` for ``f(*args, **kwargs)``."""
    if type(argnums) is int and 0 <= argnums < len(args) and chunk is None and \
            executor is None and not (progress or has_aux or holomorphic) and \
            _one_pass_fits(f, args[argnums]):          # (argnums=1: solve_ivp's jac(t, y))
        value, partials = _one_pass(who, f, args[argnums], args, kwargs, argnums)
        if isinstance(value, Dual):        # f linear in x, its value of an outer level
            partials = _with_outer_level(as_array(partials), value)
        return _Flat.one(f, args, argnums), value, partials, None
    check_callable(who, f)
    chunk = check_chunk(who, chunk)
    flat = _Flat(who, f, args, argnums, holomorphic)
    res = jacobian_columns(who, flat.f, flat.template, flat.lnums, flat.xs, kwargs, chunk,
                           executor, progress, has_aux)
    partials = res[1]
    if isinstance(res[0], Dual):
        partials = _with_outer_level(as_array(partials), res[0])
    return flat, res[0], partials, (res[2] if has_aux else None)


def _one_pass_fits(f, x):
    """Does :func:`_one_pass` take ``f`` at ``x`` (given no options)?  A plain function
    and a Python float or a float64 array of 1 to ``MAX_CHUNK`` entries: what
    :func:`as_input` returns as it is and the general path covers in one pass."""
    return type(f) is _FUNCTION and (type(x) is float or type(x) is _nd and
                                              x.dtype is _F64 and x.ndim > 0 and
                                              0 < x.size <= MAX_CHUNK)


_UNIT: dict[int, np.ndarray] = {}     # n -> the n x n identity (read-only), a pass's seed copies it


_ARRAYS = errors.ARRAYS
_SNAPSHOTS = _snapshots.LIVE


def _caught(who, tag, _made=errors.MADE, _arrays=_ARRAYS, _stray=errors.STRAY):
    """:func:`warn_if_caught` where the records could hold something for ``tag`` (read
    here: the usual pass calls nothing in another module).  The object arrays' record
    first: after an ``np.asarray`` of the seed (SciPy's functions) ``made_since`` reads
    the thread's record itself, and a ``threading.local`` read costs ~0.1 us."""
    if tag in _arrays or _made.at > tag or _stray.at > tag:
        caught = errors.made_since(tag, who)      # (warn_if_caught's two steps)
        if caught is not None:
            errors.caught_warning(who, caught)


def _one_pass(who, f, x, args, kwargs, at=0):
    """``(value, partials)`` of ``f(*args, **kwargs)`` with ``x`` in ``args[at]``'s
    place, for the common call that :func:`_one_pass_fits`: one float or small
    float64 array, a plain function.

    What :func:`jacobian_columns` does for it (one pass: a new tag, ``x``'s private
    copy seeded with the identity, ``f`` evaluated in the backend's scope, the
    output's partials extracted, the tag retired), in this module and a few calls:
    the helpers' fixed cost on small problems.  Outputs other than a dual of this
    pass (constants, pytrees, lists, object arrays) go through :func:`extract`.
    """
    scalar = type(x) is float
    n = 1 if scalar else x.size
    if not scalar:
        unit = _UNIT.get(n)
        if unit is None:
            unit = _UNIT[n] = np.eye(n)          # input entry i, direction i
            unit.flags.writeable = False
        seeds = unit.copy()                      # the pass's own (f may write into x)
    tag = _next_tag()                            # dualgrad.dual.new_tag's two steps:
    LIVE[tag] = _ident()                         # live, owned by this thread
    kept = None
    try:
        if scalar:
            xd = make_scalar(x, [1.0], tag)
        elif x.ndim == 1 and n <= MAX_SLOTS:     # x[j] in loops: each element built once
            xd = kept = kept_seed(root := x.copy(), seeds, tag)
        else:
            xd = make_array(x.copy(), seeds if x.ndim == 1 else seeds.reshape(x.shape + (n,)),
                            tag)
        try:                    # (around the scope: its exit materializes, numba compiles)
            _open_scope()                        # with backend.scope(), as two calls
            try:
                if at:
                    out = f(*args[:at], xd, *args[at + 1:], **kwargs)
                elif len(args) == 1 and not kwargs:
                    out = f(xd)                  # (a star call with nothing: ~0.35 us)
                else:
                    out = f(xd, *args[1:], **kwargs)
                kind = getattr(type(out), "_kind", None)
                if kind == "array" and out.tag == tag and type(out.value) is _nd \
                        and out.value.ndim:
                    p = out._p                   # (what the property returns us)
                    if type(p) is _nd and (p.dtype is _F64 or p.dtype is _C128) \
                            and (out.value.dtype is _F64 or out.value.dtype is _C128):
                        _caught(who, tag)
                        return out.value, p
                    # (a partials view, or extended precision, float32 values: extract
                    # makes them float64 or complex128, as API.md promises)
                if kind == "slots" and out.tag == tag and type(out.value) is float:
                    partials = _array_of(out._plist())
                    if partials.dtype is _F64:
                        _caught(who, tag)
                        return out.value, partials
                return extract(who, out, tag, n)
            finally:
                _close_scope()
        except Exception as exc:
            ours = translated(who, exc)
            if ours is exc:
                raise
            raise ours from exc
    except Exception as exc:
        exc.add_note(pass_note(n))
        raise
    finally:
        LIVE.pop(tag, None)                      # retire(tag): never holomorphic here
        if tag in _ARRAYS:
            errors.forget(tag)
        if kept is not None:
            release_pass(kept)                   # (and the buffers it kept: euler59)
            if _SNAPSHOTS:                       # np.asarray(x) in f: the seed's record
                _snapshots.settle(root)          # (_snapshots.remember_seed)


def _with_aux(result, aux, has_aux):
    return Results((result, aux)) if has_aux else result


def jacobian(f: Callable[..., Any], x: Point = _NO_POINT, *args: Any, chunk: int | None = None,
             executor: Executor | None = None, progress: bool = False,
             batch_axis: int | None = None, argnums: Argnums = 0, has_aux: bool = False,
             holomorphic: bool = False, sparsity: Any = None, format: str | None = None,
             check_sparsity: bool | None = None, **kwargs: Any) -> Any:
    """The Jacobian of ``f`` at ``x``, exact to rounding.

    Parameters
    ----------
    f : callable
        ``f(x, *args, **kwargs)``, returning a scalar, an array (a dual array, a
        list of duals or an object array built with ``np.array([...])``) or a
        pytree of them (a dict, or a list/tuple holding a dict or a nested
        list/tuple); a flat list/tuple of arrays is stacked into one array, so its
        arrays must have one shape (unequal ones raise, naming a dict).  A tuple a
        dualgrad helper returned (``dg.grad(g, argnums=(0, 1))``'s) is a pytree,
        JAX's order: ``J[i][j]`` is d out_i / d arg_j.
    x : float, array_like or pytree
        The point, of any shape; integers are promoted to float64.  A dict, or a
        list/tuple holding arrays or dicts, is a pytree of inputs; a list of
        numbers (nested to equal lengths) is one array, as NumPy reads it.
    *args
        Passed to ``f`` after ``x``, as ``scipy.optimize.approx_fprime`` does.
    chunk : int, optional
        Input directions seeded per evaluation of ``f`` (default: one pass for up
        to 256 inputs, balanced chunks within a memory budget beyond; at most 16
        for numba-jitted ``f``; with an ``executor``, at least one chunk per
        worker). The result does not depend on it.
    executor : concurrent.futures.Executor, optional
        Runs one task per chunk (a thread or process pool, or a Dask client's
        ``get_executor()``); results are identical to the serial ones.  With a
        process pool, ``f`` and ``args`` must pickle.
    progress : bool, optional
        Show a progress bar that moves as chunks finish (tqdm when installed,
        else a line on stderr).
    batch_axis : int, optional
        ``x`` holds many points along this axis; returns their Jacobians stacked
        along a leading axis, shape ``(B,) + f(x_b).shape + x_b.shape``.
    argnums : int or tuple of int, optional
        Which positional arguments of ``f`` (``x`` is 0, ``args`` follow) to
        differentiate; a tuple gives a tuple of Jacobians, as ``jax.jacfwd``.
    has_aux : bool, optional
        ``f`` returns ``(out, aux)``; the result is then ``(J, aux)``, with ``aux``
        holding values (no duals).
    holomorphic : bool, optional
        Accept complex ``x`` and return the complex derivative of a holomorphic
        ``f`` (as JAX's ``holomorphic=True``).  Without it complex ``x`` raises
        ``TypeError``; real ``x`` may always pass through complex intermediates.
    sparsity : scipy.sparse matrix, array_like of bool or "auto", optional
        The Jacobian's nonzero pattern, shape ``(f(x).size, x.size)``, or
        ``"auto"`` to detect it with :func:`sparsity`.  The result is then a
        scipy.sparse matrix computed with one direction per color of the
        pattern's columns (never as a dense array); 1-D ``x`` and ``f(x)`` only.
        A pattern given by hand must hold every nonzero.  Needs scipy.  For
        ``f = dg.grad(g)`` this is ``g``'s sparse Hessian (:func:`hessian`'s).
    format : str, optional
        The scipy.sparse format of the sparse result (``"csr"`` when not given),
        with ``sparsity=`` only: without it the result is dense and ``format=``
        raises ValueError (pass ``sparsity="auto"``).
    check_sparsity : bool, optional
        With a pattern given as ``sparsity=`` (True when not given): check it on
        every call, by one more evaluation of ``f`` along a random direction (a
        pattern that misses a nonzero raises ValueError instead of returning wrong
        entries).  ``check_sparsity=False`` skips that evaluation, for a pattern known to
        hold every nonzero wherever ``f`` is called (one ``dg.sparsity(..., mode=
        "global")`` gave, or written from the model's stencil): with few colors it
        is a quarter to a half of the call (``python bench/sparsity_check.py``);
        a missed nonzero then gives wrong entries, unchecked.  ``sparsity="auto"``
        is never checked (its pattern is this point's); without ``sparsity=``,
        ``check_sparsity=`` raises ValueError.
    **kwargs
        Passed to ``f`` as keyword arguments (any name but the options above).

    Returns
    -------
    ndarray, float, pytree or scipy.sparse matrix
        Shape ``f(x).shape + x.shape``: ``(m, n)`` for 1-D input and output;
        complex128 where ``f`` returns complex values.  For
        pytrees, the output's structure outside and the input's inside (JAX's
        convention): ``J[out_key][in_key]`` has shape
        ``out[out_key].shape + x[in_key].shape``.

    Raises
    ------
    TypeError
        ``f`` not callable, non-numeric output, or ``f`` drops derivatives.
    ValueError
        ``chunk`` not a positive integer, ``argnums`` out of range.

    Notes
    -----
    Costs ``ceil(n / chunk)`` evaluations of ``f`` on duals carrying ``chunk``
    directions each, ``n`` the total size of the differentiated inputs.

    Examples
    --------
    >>> import numpy as np
    >>> import dualgrad as dg
    >>> dg.jacobian(lambda x: np.array([x[0] * x[1], np.sin(x[0])]), [1.0, 2.0])
    array([[2.        , 1.        ],
           [0.54030231, 0.        ]])
    >>> J = dg.jacobian(lambda p: {"y": p["a"] * p["b"]}, {"a": 2.0, "b": np.ones(2)})
    >>> J["y"]["a"], J["y"]["b"]
    (array([1., 1.]), array([[2., 0.],
           [0., 2.]]))
    """
    if x is _NO_POINT:
        raise errors.no_point("dualgrad.jacobian")
    return jacobian_as("dualgrad.jacobian", f, x, args, kwargs, chunk, executor, progress,
                       batch_axis, argnums, has_aux, holomorphic, sparsity, format,
                       check_sparsity)


def jacobian_as(who, f, x, args, kwargs, chunk=None, executor=None, progress=False,
                batch_axis=None, argnums=0, has_aux=False, holomorphic=False,
                sparsity=None, format=None, check_sparsity=None):
    """:func:`jacobian`, with errors naming ``who`` (the transform the user called)."""
    if "args" in kwargs:
        _scipy_args(who, f)
    if type(has_aux) is not bool:
        raise errors.bad_has_aux(who, has_aux)
    if format is not None and sparsity is None:
        raise _format_without_sparsity(who, format)
    _check_sparsity_option(who, check_sparsity, sparsity)
    if sparsity is not None:
        _check_plain(who, "sparsity=", x, argnums, has_aux, kwargs)
        of = getattr(f, "_dualgrad_hessian_of", None)
        if of is not None and batch_axis is None and not holomorphic:
            # jacobian(grad(f), x, sparsity=): f's Hessian, by its star coloring (the
            # sparsity tracer stops at grad's own passes: attack44 05)
            from . import _coloring
            return _coloring.sparse_hessian(who, of, x, args, sparsity,
                                            "csr" if format is None else format, chunk,
                                            executor, progress, check_sparsity is not False)
        if type(sparsity) is str and sparsity == "auto":
            refuse_traced_helper(who, f, 1 + len(args))
        return _sparse(who, f, x, args, sparsity, format, chunk, executor, progress,
                       batch_axis, holomorphic, check_sparsity is not False)
    if batch_axis is not None:
        _check_plain(who, "batch_axis=", x, argnums, has_aux, kwargs)
        return _result(_jacobian(who, f, x, args, chunk, executor, progress, batch_axis,
                                 holomorphic)[1])
    of = getattr(f, "_dualgrad_hessian_of", None)
    if of is not None and type(argnums) is int and argnums == 0 and not is_node(x) and \
            not (has_aux or holomorphic) and (chunk is not None or executor is not None or
                                              math.prod(np.shape(x)) > MAX_CHUNK):
        # jacobian(grad(f), x) in outer chunks is f's Hessian: dg.hessian's chunks compare
        # their second-order tie decisions (each sees its own block of D: the kink of
        # np.maximum(x0**2, x3**2) at 0 took x0**2's column 0 and x3**2's column 3 at
        # chunk=1, no convention; ties45), and a process pool's chunks return theirs
        check_callable(who, of)
        return _hessian(who, of, x, args, kwargs, check_chunk(who, chunk), None, executor,
                        progress, 0, False, False)
    if not (type(argnums) is int and argnums == 0 and not (has_aux or holomorphic)):
        of = None                       # (_gradient_orders: dg.jacobian(dg.grad(f), x))
    if getattr(f, "_dualgrad_gradient", False):
        # jacfwd(grad(f)), jacobian(grad(f), x), jacfwd(jacfwd(f)): a Hessian's two levels
        # (tuple argnums too: every seeded argument's leaves are linked, attack44 14)
        f = _linked_gradient(f, argnums)
        f.notes = []                     # this call's outer chunks' tie decisions
    if type(x) is np.ndarray and argnums == 0 and type(argnums) is int and chunk is None \
            and executor is None and not (progress or has_aux or holomorphic) and \
            _one_pass_fits(f, x) and x.ndim == 1:
        # the common call (least_squares' jac=dg.jacfwd(res), 1-D x) in a few steps: the
        # one pass's partials, shape value.shape + (n,), are already the Jacobian's
        # shape, which _structured's pieces (np.shape of a float: ~1 us) give it
        value, partials = _one_pass(who, f, x, (x,) + args, kwargs)
        if type(partials) is np.ndarray and (type(value) is float or
                                             type(value) is np.ndarray):
            return partials if of is None else \
                _gradient_orders(who, of, x, args, kwargs, value, partials)
        if isinstance(value, Dual):        # f linear in x, its value of an outer level
            partials = _with_outer_level(as_array(partials), value)
        return _structured(_Flat.one(f, (x,) + args), value, partials)[1]
    flat, value, partials, aux = _evaluate(who, f, (x,) + args, kwargs, argnums, chunk,
                                           executor, progress, has_aux, holomorphic)
    notes = getattr(f, "notes", None)
    clash = _second_order.clashes(notes) if notes else None
    if clash:
        # outer chunks of a linked gradient (jacobian(jacfwd(f)), grad's other argnums
        # or aux) decided a second-order tie each by its own block of D, unlike one
        # another (f has no second derivative there): the midpoint in every chunk, as
        # dg.hessian's second round (ties45: jacobian(jacfwd(f), x, chunk=1) of
        # np.maximum(x0**2, x3**2) gave diag(2, 0, 0, 2))
        f.forced.update(clash)
        flat, value, partials, aux = _evaluate(who, f, (x,) + args, kwargs, argnums, chunk,
                                               executor, progress, has_aux, holomorphic)
    J = _structured(flat, value, partials)[1]
    if of is not None and type(x) is np.ndarray and x.ndim == 1:
        J = _gradient_orders(who, of, x, args, kwargs, value, J)
    return _with_aux(J, aux, has_aux)


def _gradient_orders(who, of, x, args, kwargs, g, J):
    """``dg.jacobian(dg.grad(of), x)``'s ``J``, its rows at a gradient entry ``g_r`` that
    is not finite taken as ``dg.hessian`` takes them (``_orders.choose``: the order
    ``d_r g_c`` through a finite ``g_c``): ``d_c g_r`` differentiates a number that is not
    finite, where the nested zero rule took a partial that is zero at the point for one
    zero nearby (``np.hypot(np.sqrt(x0), 1 + x1) + x0 x2`` at (0, 0.5, 1.3): ``J[0, 1]``
    was 0.0 for -0.2222, the Hessian's NaN; attack56 07).  Rows at finite entries keep
    their one order, to the bit."""
    if type(J) is not np.ndarray or J.dtype.kind != "f" or J.ndim != 2 or \
            J.shape[0] != J.shape[1]:
        return J
    n = J.shape[0]
    bad = _orders.not_finite(g, n)
    if bad is None:
        return J
    f = functools.partial(of, **kwargs) if kwargs else of
    inf = _orders.singular(g, n, lambda: _jacobian(
        who, _orders.Rescaled(f, (0,), [x]), x, args, None, None, False)[1])
    H = _orders.choose(J, J.T, bad[:, None], bad[None, :], inf[:, None], inf[None, :])
    return np.where(bad[:, None], H, J)


def _check_sparsity_option(who, check_sparsity, sparsity):
    """``check_sparsity=`` is True or False, and only with ``sparsity=``."""
    if check_sparsity is not None and (type(check_sparsity) is not bool or sparsity is None):
        raise errors.bad_argument(
            who, "check_sparsity=True or False together with sparsity= (whether a given "
            "pattern is checked)", f"check_sparsity={check_sparsity!r}" + (
                "" if sparsity is not None else " without sparsity="),
            "Pass check_sparsity= with a sparsity pattern only; a keyword meant for f "
            "cannot have that name: bind it with functools.partial(f, check_sparsity=...).")


def _linked_gradient(gradient, at):
    """``gradient`` (a function :func:`grad` or :func:`jacfwd` made) called by the
    passes of :func:`jacobian_as` (``jacfwd``, ``jacobian``): its own passes seed the
    outer input dual ``args[at]`` (a pytree's leaves), which its ``f`` reaches only
    through them, so their directions are linked to the outer pass's (``_seed.linked``: the
    second-order tie-break of maximum / np.max sees the Hessian's diagonal).  ``at``: an
    argnum or a tuple of them (every one's leaves linked: ``jacfwd(grad(f, argnums=(0,
    1)), argnums=(0, 1))``, attack44 14).  Outer argnums the gradient does not seed
    (``jacfwd(grad(f, argnums=0), argnums=1)``, a mixed partial) are seeded by its
    passes too (:func:`_widened`)."""
    ats = (at,) if type(at) is int else tuple(at)
    wide = {}                    # per number of positional arguments

    def linked_gradient(*args, **kwargs):
        # a pytree point's leaves are what the inner passes seed (a dict's entries:
        # linking the dict itself matched none, the midpoint came back; attack43 13)
        xs = []
        for i in ats:
            if -len(args) <= i < len(args):      # (out of range: f's own error follows)
                xs += flatten(args[i], True)[0] if is_node(args[i], True) else [args[i]]
        g = wide.get(len(args))
        if g is None:
            g = wide[len(args)] = _widened(gradient, ats, len(args))
        with linked(xs) as link:
            link.forced = linked_gradient.forced
            out = g(*args, **kwargs)
            notes = linked_gradient.notes
            if link.summary and notes is not None:
                notes.append(link.summary)
            return out
    # jacobian_as's: each call's second-order tie decisions (an outer chunk's, compared
    # by _second_order.clashes; None: not kept) and the ties kept at the midpoint in a
    # second round
    linked_gradient.notes, linked_gradient.forced = None, {}
    return linked_gradient


def _widened(gradient, ats, nargs):
    """``gradient`` (made by grad / jacfwd with ``argnums`` A), computed with A and the
    outer pass's argnums ``ats`` that A lacks (B) and A's part returned: its passes then
    seed B's outer input duals too, so a tie the second order decides sees the block
    of ``D`` (the difference of the tied pieces' Hessians) over B.  Without them no
    diagonal entry of ``D`` is in view and the mixed partial kept the midpoint:
    ``jacfwd(grad(f, argnums=0), argnums=1)`` of ``np.maximum(a**2 + b**2 + a b, 0)``
    at 0 gave 1/2, truth 1 (attack44 14).  Where ``f`` is twice differentiable that
    block is semidefinite of ``D``'s sign, so the piece it picks is the dominant one;
    where it is not, the piece ``D``'s block over B shows dominant (``dg.hessian``,
    seeing all of ``D``, may keep the midpoint there).  ``gradient`` itself where there
    is nothing to add or no way to (a function of the user's, elementwise_grad's)."""
    rebuild = getattr(gradient, "_dualgrad_rebuild", None)
    own = getattr(gradient, "_dualgrad_argnums", None)
    if rebuild is None or own is None:
        return gradient
    nums = (own,) if type(own) is int else tuple(own)
    if not all(-nargs <= i < nargs for i in nums):
        return gradient                       # (the helper's own error follows)
    nums = tuple(i % nargs for i in nums)
    extra = tuple(dict.fromkeys(i % nargs for i in ats
                                if -nargs <= i < nargs and i % nargs not in nums))
    if not extra:
        return gradient
    full = rebuild(nums + extra)
    single, k, has_aux = type(own) is int, len(nums), gradient._dualgrad_has_aux
    scalar = getattr(gradient, "_dualgrad_scalar", False)     # grad's: one block per argnum

    def widened(*args, **kwargs):
        out = full(*args, **kwargs)
        aux = None
        if has_aux:
            out, aux = out
        if not isinstance(out, tuple) or len(out) != k + len(extra) or \
                not (scalar or not any(is_node(o) for o in out)):
            # jacfwd's Jacobian of a pytree output (or at a pytree argument): its blocks
            # per argnum sit under the output's leaves, so this call cannot tell them
            # from the output's own tuple; unwidened (the midpoint at such a tie)
            return gradient(*args, **kwargs)
        g = out[0] if single else Results(out[:k])
        return Results((g, aux)) if has_aux else g
    return widened


def _format_without_sparsity(who, format):
    """``format=`` picks a sparse result's format: alone it would be ignored."""
    return errors.bad_argument(
        who, "format= together with sparsity= (it is the scipy.sparse format of a sparse "
        "result)", f"format={format!r} without sparsity=, which gives a dense array",
        f"Pass sparsity='auto' (or a pattern) with format={format!r} for a sparse "
        "result, or drop format= for the dense array.")


def _sparse(who, f, x, args, sparsity, format, chunk, executor, progress, batch_axis=None,
            holomorphic=False, check=True):
    """The ``sparsity=`` hook: colored, compressed seeding (:mod:`dualgrad.api._coloring`);
    ``check``: whether a given pattern is checked."""
    if holomorphic and who == "dualgrad.hessian":
        raise errors.bad_argument(who, "holomorphic=False with sparsity= (a sparse Hessian "
                                  "is of real x)", "holomorphic=True",
                                  "Drop sparsity= for the complex Hessian (dense), or split "
                                  "x into real and imaginary parts for a sparse one.")
    if batch_axis is not None:
        raise errors.bad_argument(who, "batch_axis=None with sparsity=", repr(batch_axis),
                                  "Call once per point for sparse Jacobians.")
    from . import _coloring
    if who == "dualgrad.hessian":
        return _coloring.sparse_hessian(who, f, x, args, sparsity, "csr" if format is None
                                        else format, chunk, executor, progress, check)
    return _coloring.sparse_jacobian(who, f, x, args, sparsity, "csr" if format is None
                                     else format, chunk, executor, progress, check,
                                     holomorphic)


def _check_plain(who, option, x, argnums, has_aux, kwargs):
    """``option`` works on one array ``x`` without argnums, has_aux or keywords for f."""
    if argnums != 0 or has_aux or kwargs or flatten(x, point=True)[1] is not LEAF:
        raise errors.bad_argument(
            who, f"{option} with one array x (no pytree, argnums, has_aux or keyword "
            "arguments for f)", "them together",
            "Close over the other arguments: f2 = lambda x: f(x, y, k=2).")


def gradient(f: Callable[..., Any], x: Point = _NO_POINT, *args: Any, chunk: int | None = None,
             executor: Executor | None = None, progress: bool = False,
             batch_axis: int | None = None, argnums: Argnums = 0, has_aux: bool = False,
             holomorphic: bool = False, **kwargs: Any) -> Any:
    """The gradient of scalar ``f`` at ``x``, shaped like ``x``.

    Parameters
    ----------
    f : callable
        ``f(x, *args, **kwargs)`` returning a scalar (``(scalar, aux)`` with
        ``has_aux=True``).
    x : float, array_like or pytree
        The point, of any shape, or a pytree of them (see :func:`jacobian`).
    *args
        Passed to ``f`` after ``x``.
    chunk, executor, progress, batch_axis, argnums, has_aux, holomorphic
        As for :func:`jacobian`.
    **kwargs
        Passed to ``f`` as keyword arguments.

    Returns
    -------
    ndarray, float or pytree
        Shaped like ``x`` (a float for scalar ``x``; the same pytree for a
        pytree); a tuple for tuple ``argnums``; ``(gradient, aux)`` with ``has_aux``.

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
    >>> dg.gradient(lambda x, a=1.0: a * x ** 3, 2.0, a=0.5)
    6.0
    >>> dg.gradient(lambda p: p["w"] ** 2 + 3 * p["b"], {"w": 1.5, "b": 0.0})
    {'b': 3.0, 'w': 3.0}
    """
    who = "dualgrad.gradient"
    if x is _NO_POINT:
        raise errors.no_point(who)
    if type(has_aux) is not bool:
        raise errors.bad_has_aux(who, has_aux)
    if kwargs:
        _not_taken(who, kwargs, f)
    if getattr(f, "_dualgrad_gradient", False) and not holomorphic:
        # gradient(grad(f), x): jacobian(grad(f))'s link (the midpoint at a tie the second
        # order decides without it: attack44 15)
        f = _linked_gradient(f, argnums)
    if type(argnums) is int and argnums == 0 and batch_axis is None and chunk is None and \
            executor is None and not (progress or has_aux or holomorphic) and \
            _one_pass_fits(f, x):
        # the common call in a few steps (what _evaluate and blocks do for it)
        value, partials = _one_pass(who, f, x, (x,) + args, kwargs)
        if type(value) is not float:
            _check_scalar(who, value)
            if isinstance(value, Dual):    # f linear in x, its value of an outer level
                partials = _with_outer_level(as_array(partials), value)
        if type(partials) is _nd and type(x) is _nd:
            return partials if partials.shape == x.shape else partials.reshape(x.shape)
        return _Flat.one(f, (x,)).blocks(partials)
    if batch_axis is not None:
        _check_plain(who, "batch_axis=", x, argnums, has_aux, kwargs)
        value, jac = _jacobian(who, f, x, args, chunk, executor, progress, batch_axis,
                               holomorphic)
        if np.shape(value) != np.shape(value)[:1]:
            raise errors.array_output(who, np.shape(value))
        return _result(jac)
    flat, value, partials, aux = _evaluate(who, f, (x,) + args, kwargs, argnums, chunk,
                                           executor, progress, has_aux, holomorphic)
    _check_scalar(who, value)
    return _with_aux(flat.blocks(partials), aux, has_aux)


def derivative(f: Callable[..., Any], x: complex | np.number | Dual = _NO_POINT, *args: Any,
               holomorphic: bool = False, **kwargs: Any) -> Any:
    """The derivative of ``f`` with respect to the real scalar ``x``.

    Parameters
    ----------
    f : callable
        ``f(x, *args, **kwargs)``, returning a scalar, an array or a pytree.
    x : float
        The point.
    *args, **kwargs
        Passed to ``f``.
    holomorphic : bool, optional
        As for :func:`jacobian`.

    Returns
    -------
    float, ndarray or pytree
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
    if x is _NO_POINT:
        raise errors.no_point(who)
    _not_taken(who, kwargs, f)
    shape = np.shape(x)  # type: ignore[arg-type]  # numpy's stubs do not know duals
    if shape != () or isinstance(x, (dict, list, tuple)):
        got = "a dict" if isinstance(x, dict) else \
            f"a {type(x).__name__} (a namedtuple) of {len(x)} numbers" \
            if isinstance(x, tuple) and hasattr(x, "_fields") else f"shape {shape}"
        raise errors.bad_argument(who, "a real scalar x", got,
                                  "Use dg.jacobian for array and namedtuple inputs, or "
                                  "dg.elementwise_grad(f)(x) for the derivative of an "
                                  "elementwise f at each element of x (what "
                                  "scipy.differentiate.derivative returns).")
    if getattr(f, "_dualgrad_gradient", False) and not holomorphic:
        f = _linked_gradient(f, 0)       # derivative(grad(f), t): jacobian(grad(f))'s link
    flat, value, partials, _ = _evaluate(who, f, (x,) + args, kwargs, 0, None, None, False,
                                         False, holomorphic)
    d = _structured(flat, value, partials)[1]
    if holomorphic and isinstance(d, (float, complex)):    # a scalar's partial may be a
        return np.complex128(d)                             # float where Im is 0
    return d


def hessian(f: Callable[..., Any], x: Point = _NO_POINT, *args: Any, chunk: int | None = None,
            executor: Executor | None = None, progress: bool = False, argnums: Argnums = 0,
            has_aux: bool = False, holomorphic: bool = False, sparsity: Any = None,
            format: str | None = None, check_sparsity: bool | None = None,
            **kwargs: Any) -> Any:
    """The Hessian of scalar ``f`` at ``x``, by nested duals; exactly symmetric.

    Parameters
    ----------
    f : callable
        ``f(x, *args, **kwargs)`` returning a scalar (``(scalar, aux)`` with
        ``has_aux=True``).
    x : float, array_like or pytree
        The point, of any shape, or a pytree of them (see :func:`jacobian`).
    chunk : int, optional
        Directions per evaluation at each of the two levels.
    executor, progress
        As for :func:`jacobian`; the outer level's chunks are the tasks.
    argnums : int or tuple of int, optional
        Which positional arguments to differentiate; a tuple gives a tuple of
        tuples ``H[i][j]`` of shape ``args[i].shape + args[j].shape``, as
        ``jax.hessian``.
    has_aux : bool, optional
        ``f`` returns ``(out, aux)``; the result is ``(H, aux)``.
    holomorphic : bool, optional
        As for :func:`jacobian`.
    sparsity : scipy.sparse matrix, array_like of bool or "auto", optional
        The Hessian's nonzero pattern, shape ``(x.size, x.size)``, or ``"auto"``
        to detect it with :func:`hessian_sparsity`.  The result is then an
        exactly symmetric scipy.sparse matrix from a star coloring (one outer
        direction per color); 1-D ``x`` only.  Needs scipy.  When ``f`` is a
        constant linear combination of ``np.sum``s (``0.5 * np.sum(r ** 2)``), the
        inner level is seeded with colors too and the cost does not grow with
        ``x.size`` beyond ``f``'s own; otherwise the inner level is the full
        gradient.  One extra pass checks ``u @ H @ w`` along random directions:
        a pattern missing a nonzero raises ValueError.
    format : str, optional
        The scipy.sparse format of the sparse result (``"csr"`` when not given),
        with ``sparsity=`` only: without it the result is dense and ``format=``
        raises ValueError (pass ``sparsity="auto"``).
    check_sparsity : bool, optional
        With a pattern given as ``sparsity=`` (True when not given): check it, and
        the sum structure read from ``f``, by the nested pass along random
        directions.  ``check_sparsity=False`` skips that pass, for a pattern known
        to hold every nonzero wherever ``f`` is called (as :func:`jacobian`'s); a
        missed nonzero then gives wrong entries, unchecked.  ``sparsity="auto"`` is
        always checked; without ``sparsity=``, ``check_sparsity=`` raises ValueError.
    **kwargs
        Passed to ``f`` as keyword arguments.

    Returns
    -------
    ndarray, float, pytree or scipy.sparse matrix
        Shape ``x.shape + x.shape``; for a pytree ``x``, ``H[key_i][key_j]`` of
        shape ``x[key_i].shape + x[key_j].shape``.

    Examples
    --------
    >>> import dualgrad as dg
    >>> from scipy.optimize import rosen, rosen_hess
    >>> import numpy as np
    >>> x = np.array([0.5, 1.5, -0.3])
    >>> bool(np.allclose(dg.hessian(rosen, x), rosen_hess(x), rtol=1e-13))
    True
    >>> dg.hessian(lambda a, b: a ** 2 * b, 1.0, 3.0, argnums=(0, 1))
    ((6.0, 2.0), (2.0, 0.0))
    """
    who = "dualgrad.hessian"
    if x is _NO_POINT:
        raise errors.no_point(who)
    _not_taken(who, kwargs, f)
    if type(has_aux) is not bool:
        raise errors.bad_has_aux(who, has_aux)
    if format is not None and sparsity is None:
        raise _format_without_sparsity(who, format)
    _check_sparsity_option(who, check_sparsity, sparsity)
    if sparsity is not None:
        _check_plain(who, "sparsity=", x, argnums, has_aux, kwargs)
        return _sparse(who, f, x, args, sparsity, format, chunk, executor, progress,
                       holomorphic=holomorphic, check=check_sparsity is not False)
    check_callable(who, f)
    chunk = check_chunk(who, chunk)
    return _hessian(who, f, x, args, kwargs, chunk, chunk, executor, progress, argnums,
                    has_aux, holomorphic)


def _hessian(who, f, x, args, kwargs, chunk, inner_chunk, executor, progress, argnums,
             has_aux, holomorphic):
    """:func:`hessian`'s dense path, its outer level in chunks of ``chunk`` and its inner
    gradient in chunks of ``inner_chunk`` (``dg.jacobian(dg.grad(f), x, chunk=)``
    chunks the outer level only)."""
    flat = _Flat(who, f, (x,) + args, argnums, holomorphic)
    inner = _FlatGradient(who, flat, kwargs, inner_chunk, has_aux)
    template, nums = (None,) * len(flat.xs), tuple(range(len(flat.xs)))
    outer = chunk if chunk is not None or executor is not None else \
        _outer_width(sum(math.prod(_shape(x)) for x in flat.xs))
    tasks, labels = chunk_tasks(who, inner, template, nums, flat.xs, {}, outer, executor,
                                has_aux)
    one = len(tasks) == 1 and executor is None and not progress

    def passes(full=None):
        if one:
            return [jacobian_columns(who, inner, template, nums, flat.xs, None, chunk, None,
                                     False, has_aux)], None
        # the upper triangle: outer chunk k (directions s_k to s_k + w_k - 1) needs the
        # inner gradient's entries s_k onwards only; the rows above come from the
        # earlier chunks' blocks by symmetry (about half the second-order work).  The
        # parts are made here: a second round's inner.forced / summaries reach them.
        # ``full``: these chunks only, every row (the other order of their entries)
        picked = range(len(tasks)) if full is None else full
        parts = [tasks[k][:1] + (inner.rows_from(0 if full is not None else tasks[k][6]),) +
                 tasks[k][2:] for k in picked]
        done, tolerances = watched_tasks(who, _noted_chunk, parts,
                                         [labels[k] for k in picked], executor, progress)
        # each chunk's tie notes, made where it ran (a process pool's worker too: kept
        # there, its chunks decided a kink each by its own block of D; ties45)
        inner.summaries = [s for _, notes in done for s in notes]
        return [r for r, _ in done], tolerances
    results, tolerances = passes()
    clash = _second_order.clashes(inner.summaries)
    if clash:
        # outer chunks decided a second-order tie each by its own block of D, unlike
        # one another: where f has no second derivative; one convention per call
        # (the midpoint, the unchunked Hessian's) in a second round
        inner.forced, inner.summaries = clash, []
        results, tolerances = passes()
    if not one:
        # the chunks' gradients agree where they overlap, or f drew other random numbers
        # in each (the Hessian's columns would be of different functions: rosen49)
        same_values(who, [r[0] for r in results], tolerances, [t[6] for t in tasks])
    res = results[0]
    if one:
        flatH = _with_outer_level(as_array(res[1]), res[0])    # f linear in an outer level
        n = flatH.shape[0] if flatH.ndim else 1
        flatH = flatH.reshape(n, n)
        bad = _orders.not_finite(res[0], n)
    else:
        blocks = [_with_outer_level(as_array(r[1]), r[0]) for r in results]
        flatH = _from_triangle(blocks, [t[6] for t in tasks])
        n = flatH.shape[0]
        bad = _orders.not_finite(res[0], n)
        nan = _orders.nan_entries(flatH)
        if bad is not None or nan.any():
            flatH = _other_orders(flatH, np.zeros(n, dtype=bool) if bad is None else bad,
                                  nan, tasks, passes)
    flatH = _orders.finite_order(flatH, bad, bad if bad is None else _orders.singular(
        res[0], n, lambda: _rescaled_gradient(who, flat, kwargs, has_aux)))
    rows, start = [], 0
    for x in flat.xs:                    # leaf j's rows: blocks leaf_j.shape + leaf_k.shape
        shape = _shape(x)
        size = math.prod(shape)
        rows.append(flat.blocks(flatH[start:start + size].reshape(shape + (n,)), shape))
        start += size
    return _with_aux(flat.arrange(rows), res[2] if has_aux else None, has_aux)


def _rescaled_gradient(who, flat, kwargs, has_aux):
    """The gradient of ``flat``'s function with every seed scaled by ``_orders.SCALE``
    (``_orders.Rescaled``), for ``_orders.singular``: one first-order pass."""
    f = _orders.Rescaled(flat.f, flat.lnums, flat.xs)
    res = jacobian_columns(who, f, list(flat.template), flat.lnums, list(flat.xs), kwargs,
                           None, None, False, has_aux)
    return as_array(res[1])


def _other_orders(flatH, bad, nan, tasks, passes):
    """``flatH`` (the upper triangle's blocks, mirrored) with the other order of the
    entries ``_orders.finite_order`` chooses: the outer chunks (after the first) holding
    a direction whose gradient entry is not finite, or a direction ``i`` whose order
    ``d_j g_i`` from an earlier chunk's ``j`` is NaN (``nan``: the mask of ``flatH``'s NaN
    entries), run again for every row (``d_i g_j``).  Only there: ordinary Hessians
    run the triangle alone."""
    starts = [t[6] for t in tasks]
    ends = starts[1:] + [len(bad)]
    again = [k for k, (s, e) in enumerate(zip(starts, ends)) if k and
             (bad[s:e].any() or nan[s:e, :s].any())]
    if not again:
        return flatH
    done, _ = passes(again)
    columns = list(range(len(starts)))
    for k, r in zip(again, done):
        columns[k] = _with_outer_level(as_array(r[1]), r[0])
    for k, s in enumerate(starts):
        if k not in again:
            end = starts[k + 1] if k + 1 < len(starts) else len(bad)
            columns[k] = flatH[:, s:end]
    return np.concatenate(columns, axis=1)


def _noted_chunk(*task):
    """``evaluate_chunk(*task)`` of one outer chunk of :func:`hessian` (``task[1]``: a
    :class:`_FlatGradient` part) and the tie notes its passes made: returned, since a
    process pool's worker holds its own copy of the part.  Module level: picklable."""
    return evaluate_chunk(*task), task[1].summaries


def _outer_width(n):
    """``chunk=None``'s outer chunk width for a Hessian of ``n`` inputs: one chunk up to
    48 inputs (a pass's overhead outweighs the triangle's saving), else about an eighth
    of ``n`` (at least 32), so that the upper triangle saves close to half of the
    second-order work, within the memory budget of one outer pass
    (``python bench/hessian_large.py --compare MAIN``: 0.50-0.57 of one outer chunk's
    time on rosen and a logistic regression at n = 100-500, stop 44)."""
    if n <= 48:
        return None
    return max(1, min(max(32, math.ceil(n / 8)), MAX_CHUNK, MEMORY_BUDGET // (8 * n)))


def _from_triangle(blocks, starts):
    """The ``n x n`` Hessian from the outer chunks' blocks: ``blocks[k]``, of shape
    ``(n - s_k, w_k)``, holds ``H[s_k:, s_k:s_k + w_k]`` (``s_k = starts[k]``); the
    rows above it are the earlier blocks' entries transposed.  NumPy calls only, so
    that blocks that are duals of an enclosing level (a Hessian inside
    ``dg.derivative``) join as they are."""
    columns = []
    for k, (s, block) in enumerate(zip(starts, blocks)):
        w = block.shape[1]
        above = [blocks[j][s - starts[j]:s - starts[j] + w].T for j in range(k)]
        columns.append(np.concatenate(above + [block], axis=0) if above else block)
    return np.concatenate(columns, axis=1)


class _FlatGradient:
    """``leaves -> gradient of f`` flattened to one vector: the inner level of a
    Hessian, picklable.  With ``first``, the gradient's entries ``first`` onwards."""

    def __init__(self, who, flat, kwargs, chunk, has_aux):
        self.who, self.f, self.template, self.nums = who, flat.f, flat.template, flat.lnums
        self.kwargs, self.chunk, self.has_aux = kwargs, chunk, has_aux
        # each outer chunk's second-order tie decisions (hessian gathers its parts'
        # from _noted_chunk's results: process pools too), and the ties hessian
        # makes keep the midpoint in a second round (dispatch._second_order.clashes)
        self.summaries, self.forced = [], {}
        self.first = 0

    def rows_from(self, first):
        """This gradient's entries ``first`` onwards (an outer chunk's upper triangle):
        a shallow copy, sharing ``forced``, with ``summaries`` of its own."""
        part = copy.copy(self)
        part.first = first
        part.summaries = []              # its own notes, returned by _noted_chunk
        return part

    def __call__(self, *leaves):
        full = list(self.template)
        for i, leaf in zip(self.nums, leaves):
            full[i] = leaf
        with _ordered(*leaves):           # the outer level's orders: _orders' choice
            return self._gradient(full, leaves)

    def _gradient(self, full, leaves):
        with linked(leaves) as link:     # the outer pass's input duals, seeded again
            link.forced = self.forced
            res = jacobian_columns(self.who, self.f, full, self.nums, list(leaves),
                                   self.kwargs, self.chunk, None, False, self.has_aux,
                                   self.first)
            span = link.outer_span() if link.missed else None
            if span is not None:
                # a pass met a tie the second order decides, without the diagonal to
                # decide by (inner and outer chunks apart): one pass seeded with the
                # outer pass's own entries decides every tie, and all passes again
                # take its decisions (dispatch._second_order)
                link.mode = "record"
                evaluate_chunk(self.who, self.f, full, self.nums, list(leaves),
                               self.kwargs, span[0], span[1], None, self.has_aux)
                link.mode = "replay"
                res = jacobian_columns(self.who, self.f, full, self.nums, list(leaves),
                                       self.kwargs, self.chunk, None, False, self.has_aux,
                                       self.first)
            if link.summary:
                self.summaries.append(link.summary)
        _check_scalar(self.who, res[0])
        grad = as_array(res[1])
        grad = _with_outer_level(grad, res[0])
        return (grad, res[2]) if self.has_aux else grad



def jvp(f: Callable[..., Any], x: Point = _NO_POINT, v: Point = _NO_POINT, *args: Any, holomorphic: bool = False,
        **kwargs: Any) -> tuple[Any, Any]:
    """``f(x)`` and the directional derivative ``J(x) @ v`` in one pass.

    Parameters
    ----------
    f : callable
        ``f(x, *args, **kwargs)``.
    x, v : array_like or pytree
        The point and the direction, of the same shape (the same pytree
        structure, leaf by leaf).  Unlike ``jax.jvp(f, primals, tangents)``,
        ``x`` is f's first argument itself, not a tuple of f's arguments.
    *args, **kwargs
        Passed to ``f`` after ``x``.
    holomorphic : bool, optional
        As for :func:`jacobian`.

    Returns
    -------
    (out, tangent)
        Both shaped like ``f(x)`` (the same pytree for a pytree output).

    Raises
    ------
    ValueError
        ``v`` is not of ``x``'s shape or structure.
    TypeError
        ``x`` and ``v`` are tuples of one item or of arrays, JAX's spelling
        ``jvp(f, (x,), (v,))`` (pass lists for a tuple pytree).

    Notes
    -----
    A Hessian-vector product ``jvp(dg.grad(f), x, v)`` (``dg.jacfwd(f)`` too) decides a
    tie whose values' first derivatives agree (``np.maximum(var, 0)`` where ``var``
    touches 0) as :func:`hessian` does: where its pass meets one, the product is
    ``dg.jacfwd(dg.grad(f))(x) @ v`` (the cost of that Jacobian).  A function of yours
    around a helper (``lambda q: dg.gradient(f, q)``) keeps the midpoint there.

    Examples
    --------
    >>> import numpy as np
    >>> import dualgrad as dg
    >>> out, tangent = dg.jvp(np.sin, np.array([0.0, 1.0]), np.array([1.0, 2.0]))
    >>> tangent
    array([1.        , 1.08060461])
    """
    who = "dualgrad.jvp"
    if x is _NO_POINT or v is _NO_POINT:
        raise errors.no_point(who, None if x is _NO_POINT else "v")
    _not_taken(who, kwargs, f)
    check_callable(who, f)
    if type(x) is tuple and type(v) is tuple and (len(x) == 1 or is_node(x)):
        raise errors.bad_type(
            who, "x as f's first argument itself (dg.jvp(f, x, v, *args))",
            f"x and v as tuples of {len(x)} item{'s' * (len(x) > 1)}, JAX's spelling "
            "jax.jvp(f, (x,), (v,)) (a tuple of numbers stays one array: (1.0, 2.0))",
            "Write dg.jvp(f, x, v); for several arguments of f, or a tuple pytree, pass "
            "lists: dg.jvp(lambda xs: f(*xs), [x1, x2], [v1, v2]).")
    xleaves, xdef = flatten(x, point=True)
    vleaves, vdef = flatten(v, point=True)
    if xdef != vdef:
        where, xnode, vnode = first_difference(xdef, vdef)
        raise errors.bad_argument(who, "v of x's pytree structure",
                                  f"at {where} {_describe(vnode)} for x's {_describe(xnode)}"
                                  " (a list of numbers is one array leaf, a list holding an "
                                  "array a node)")
    paths = leaf_paths(xdef)
    checked = []
    for path, xl, vl in zip(paths, xleaves, vleaves):
        xl, vl = as_input(who, xl, holomorphic), as_input(who, vl, holomorphic, "v")
        if np.shape(vl) != np.shape(xl):
            at = "" if xdef is LEAF else f" at {path}"
            raise errors.bad_argument(who, f"v of x's shape {np.shape(xl)}{at}",
                                      f"shape {np.shape(vl)}")
        checked.append((xl, vl))
    vleaves = [vl for _, vl in checked]
    # a function grad / jacfwd made (an HVP: jvp(grad(f), x, v)): its passes seed the
    # leaves seeded here, linked as in jacobian(grad(f)) (_linked_gradient), so that a
    # tie the second order decides is seen (``missed``) and taken from the Jacobian
    # (_tied_jvp).  Seeded along scale * v, a power of two with no entry 1.0: a unit v
    # would show one diagonal entry of D, a view in which an indefinite D can look
    # definite (np.maximum(x0**2 + 3 x0 x1 + x1**2, 0) along e0 took that Hessian)
    link = linked([]) if getattr(f, "_dualgrad_gradient", False) else None
    scale = _unseen_scale(vleaves) if link is not None else 1.0
    tag = holomorphic_tag(new_tag()) if holomorphic else new_tag()
    seeded = []
    for xl, vl in checked:
        if scale is not None and scale != 1.0:
            vl = np.multiply(vl, scale) if np.shape(vl) else vl * scale
        partials = private(np.reshape(vl, np.shape(vl) + (1,))) if np.shape(xl) else [vl]
        seeded.append(make(private(xl) if isinstance(xl, Dual) or np.shape(xl) else xl,
                           partials, tag))
    primal = unflatten(xdef, seeded)
    if link is not None:
        link.xs = seeded
    try:
        if is_jitted(f):
            value, tangent = extract(who, call_jitted(who, f, (primal,) + args, kwargs), tag, 1)
        elif link is not None:
            # (grad(f, argnums=1) along x: its passes seed x too, _widened)
            g = _widened(f, (0,), 1 + len(args))
            with backend.scope(), link:
                value, tangent = extract(who, g(primal, *args, **kwargs), tag, 1)
        else:
            with backend.scope():     # pooled partials, the fused engine (as the helpers)
                value, tangent = extract(who, f(primal, *args, **kwargs), tag, 1)
    except errors.foreign() as exc:
        foreign = errors.from_scipy(who, exc) or \
            _snapshots.explain(who, exc)    # SciPy's np.asarray; a read-only snapshot
        if foreign is not None:
            raise foreign from exc
        if type(x) is tuple and type(v) is tuple and isinstance(exc, TypeError):
            exc.add_note("dualgrad.jvp: x was passed to f as one tuple; jax.jvp(f, primals, "
                         "tangents) would call f(*primals). For that, write dg.jvp(lambda "
                         "xs: f(*xs), list(primals), list(tangents)).")
        raise
    finally:
        retire(tag)
    if link is not None:
        if link.missed or scale is None:
            return _tied_jvp(who, f, x, args, kwargs, value, vleaves, holomorphic)
        if scale != 1.0:
            tangent = as_array(tangent) / scale     # a power of two: exact
    if isinstance(value, OutTree):
        rows, start, outs, tans = as_array(tangent), 0, [], []
        for val in value.values:
            size = math.prod(_shape(val))
            outs.append(_result(val))
            tans.append(_result(rows[start:start + size, 0].reshape(_shape(val))))
            start += size
        return unflatten(value.treedef, outs), unflatten(value.treedef, tans)
    return _result(value), _first_column(tangent)


def _first_column(tangent):
    """``as_array(tangent)[..., 0]``, jvp's tangent (a width of 1) as f's output is
    shaped.  A list of one Python float, or of one real scalar dual of the slot kind
    whose value and partials are Python floats (a scalar f's tangent inside another
    pass: a root's Newton step, dualgrad.scipy.optimize), is its item itself: the stack
    and the index would rebuild that class from those floats (~28 us; loops65)."""
    if type(tangent) is list and len(tangent) == 1:
        t = tangent[0]
        if type(t) is float:
            return t
        if getattr(type(t), "_kind", None) == "slots" and type(t.value) is float:
            ps = t._plist()
            if type(t) is scalar_class(len(ps)) and all(type(p) is float for p in ps):
                return t
    return _result(as_array(tangent)[..., 0])


def _unseen_scale(vleaves):
    """A power of two ``s`` such that ``s * v`` is exact and has no entry 1.0 (so no leaf
    of the seeded point looks like a pass's unit seed to dispatch._second_order's
    ``seeded_by``: no diagonal entry in view), or ``None`` where none of those tried is
    (``v`` of every such entry: the Jacobian is taken then)."""
    # (a dual v's seeds hold duals, never a unit seed: scaled as they are)
    vs = [np.asarray(vl) for vl in vleaves if not isinstance(vl, Dual)]
    for k in (1, -1, 2, -2, 3, -3, 4, -4):
        s = 2.0 ** k
        ok = True
        for vl in vs:
            w = vl * s
            if np.any(w == 1.0) or not np.array_equal(w / s, vl, equal_nan=True):
                ok = False
                break
        if ok:
            return s
    return None


def _tied_jvp(who, f, x, args, kwargs, value, vleaves, holomorphic):
    """``(f(x), J(x) @ v)`` of a function grad / jacfwd made, from its whole Jacobian
    (``jacobian(grad(f), x)``: the Hessian's linked levels): where the one pass of
    :func:`jvp` met a tie that the second order decides without a unit ``v`` to
    decide it by (dispatch._second_order: the midpoint, half the truth of
    ``np.maximum(var, 0)``'s HVP at ``var == 0``; attack44 04).  Costs the Jacobian's
    passes, only where such a tie is met."""
    J = jacobian_as(who, f, x, args, kwargs, holomorphic=holomorphic)
    blocks = flatten(J)[0]
    count = len(vleaves)

    def contract(group):
        return _result(sum(np.tensordot(np.asarray(b), np.asarray(v), axes=np.ndim(v))
                           for b, v in zip(group, vleaves)))
    if isinstance(value, OutTree):
        outs = [_result(val) for val in value.values]
        tans = [contract(blocks[k * count:(k + 1) * count]) for k in range(len(outs))]
        return unflatten(value.treedef, outs), unflatten(value.treedef, tans)
    return _result(value), contract(blocks)


_TAKEN = {        # dualgrad's own option names (README) -> the helpers that take them
    "batch_axis": "dualgrad.jacobian's and dualgrad.gradient's",
    "sparsity": "dualgrad.jacobian's and dualgrad.hessian's",
    "format": "dualgrad.jacobian's and dualgrad.hessian's, with sparsity=",
}
_TAKEN_FIX = {
    "batch_axis": "Loop over the points, or use dg.jacobian(..., batch_axis=)",
    "sparsity": "A gradient or a directional derivative is a dense vector: drop sparsity=; "
                "for a sparse Jacobian or Hessian call dg.jacobian(f, x, sparsity='auto') "
                "or dg.hessian(f, x, sparsity='auto')",
    "format": "Drop format=; it picks the scipy.sparse format of dg.jacobian's and "
              "dg.hessian's sparse results",
}


def _not_taken(who, kwargs, f):
    """``batch_axis=``, ``sparsity=`` and ``format=`` are dualgrad's own option names
    (README), never ``f``'s: a helper without that option refuses it rather than
    passing it to ``f``.  SciPy's ``args=`` too, where ``f`` has no place for it
    (:func:`_scipy_args`)."""
    if "args" in kwargs:
        _scipy_args(who, f)
    for name in _TAKEN:
        if name in kwargs:
            raise errors.bad_type(who, f"its own options ({name}= is {_TAKEN[name]})",
                                  f"{name}=", f"{_TAKEN_FIX[name]}; if f has a parameter "
                                  "of that name, bind it with functools.partial or a "
                                  "closure.")


def _scipy_args(who, f):
    """SciPy's ``args=(a, b)`` (``minimize``, ``quad``, ``differentiate.derivative``) is not
    dualgrad's spelling: extra arguments follow ``x`` positionally, as in
    ``approx_fprime``.  Passed on as ``f(x, args=(a, b))`` to an ``f`` with no parameter
    of that name, it failed inside ``f`` with Python's "unexpected keyword argument",
    which reads as dualgrad refusing extra arguments; refuse it here with the spelling.
    An ``f`` that takes ``args`` (or ``**kwargs``), or whose signature cannot be read,
    gets it as before."""
    try:
        params = inspect.signature(f).parameters.values()
    except (TypeError, ValueError):
        return
    for p in params:
        if p.kind is p.VAR_KEYWORD or p.name == "args" and p.kind in (p.POSITIONAL_OR_KEYWORD,
                                                                       p.KEYWORD_ONLY):
            return
    name = who.replace("dualgrad.", "dg.")
    call = {"dg.jvp": "dg.jvp(f, x, v, *args)",
            **{t: f"{t}(f)(x, *args)" for t in ("dg.jacfwd", "dg.grad", "dg.value_and_grad",
                                                 "dg.elementwise_grad")}}
    raise errors.bad_type(who, "f's extra arguments after x, positionally (as "
                          "scipy.optimize.approx_fprime takes them)",
                          "args= as a keyword, which f has no parameter for (the "
                          "spelling of SciPy's minimize, quad, differentiate.derivative)",
                          f"Write {call.get(name, name + '(f, x, *args)')}.")


def _describe(treedef):
    if treedef is LEAF:
        return "one array"
    kind, keys, _ = treedef
    if kind is dict:
        return f"dict with keys {list(keys)}"
    return f"{kind.__name__} of {keys} items"


def approx_fprime(xk: ArrayLike, f: Callable[..., Any], epsilon: Any = None, *args: Any,
                  executor: Executor | None = None, progress: bool = False,
                  **kwargs: Any) -> np.ndarray:
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
    **kwargs
        Passed to ``f`` as keyword arguments.

    Returns
    -------
    ndarray
        ``(n,)`` for scalar ``f``, ``(m, n)`` for vector ``f``, as scipy returns:
        a scalar ``xk`` counts as ``n = 1`` and an output of one element as a
        scalar, so the result is always a float64 ndarray.  (scipy rejects ``xk``
        or outputs of more than one dimension; dualgrad then returns the full
        Jacobian, ``f(x).shape + x.shape``.)

    Examples
    --------
    >>> import dualgrad as dg
    >>> from scipy.optimize import rosen, rosen_der
    >>> x = [0.3, 0.7, 1.1]
    >>> bool(np.allclose(dg.approx_fprime(x, rosen), rosen_der(x), rtol=1e-14))
    True
    """
    who = "dualgrad.approx_fprime"
    if getattr(f, "_dualgrad_gradient", False):
        # approx_fprime(x, grad(f)) (SciPy's hess= spelling): jacobian(grad(f))'s link
        f = _linked_gradient(f, 0)
    if kwargs:
        f = functools.partial(f, **kwargs)             # picklable when f is
    if isinstance(xk, Dual) or np.ndim(xk) > 1:
        return jacobian(f, xk, *args, executor=executor, progress=progress)
    if executor is None and not progress and _one_pass_fits(f, xk):
        value, partials = _one_pass(who, f, xk, (xk,) + args, {})
        if type(xk) is np.ndarray and xk.ndim == 1 and type(partials) is np.ndarray:
            # 1-D xk: the partials, shape value.shape + (n,), are scipy's result as they
            # are, or its (n,) for a float or a single output (what the reshapes below
            # give, without NumPy's shape functions on a float: ~5 us at n = 2)
            if type(value) is float or type(value) is np.ndarray and value.size == 1 \
                    and value.ndim == 1:
                return partials.reshape(xk.shape)
            if type(value) is np.ndarray and value.ndim == 1:
                return partials
        jac = _shaped(value, as_array(partials), xk)
    else:
        value, jac = _jacobian(who, f, xk, args, None, executor, progress)
    n = np.size(xk)                                    # scipy: xk as atleast_1d
    if np.size(value) == 1 and np.ndim(value) <= 1:    # scipy: one output -> shape (n,)
        return np.reshape(jac, (n,))
    return np.reshape(jac, np.shape(value) + (n,)) if np.ndim(value) <= 1 else jac
