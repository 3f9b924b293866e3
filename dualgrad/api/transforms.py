"""Function transforms in the JAX/autograd style: ``grad``, ``value_and_grad`` and
``elementwise_grad``."""

from __future__ import annotations

import functools
import math
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import backend, errors
from ..dual import MAX_SLOTS, _snapshots, new_tag, retire, scalar_class
from ._seed import (as_array, call_jitted, extract, is_jitted, jacobian_columns, ladder_width,
                    private, seed, split_aux, strip_tag)
from ._validate import as_input, check_argnums, check_callable
from .helpers import _Flat, _check_scalar

if TYPE_CHECKING:                        # annotations only
    from collections.abc import Callable

    Argnums = int | tuple[int, ...]

__all__ = ["grad", "value_and_grad", "elementwise_grad"]


def _result(a):
    if type(a) is float:
        return a
    return float(a) if isinstance(a, (np.ndarray, np.floating)) and np.ndim(a) == 0 else a


def grad(f: Callable[..., Any], argnums: Argnums = 0,
         has_aux: bool = False, holomorphic: bool = False) -> Callable[..., Any]:
    """A function giving the gradient of scalar ``f`` with respect to ``args[argnums]``.

    All arguments named by ``argnums`` are seeded together, in chunks, so that
    a few scalar arguments cost one evaluation of ``f``.

    Parameters
    ----------
    f : callable
        Returns a scalar (``(scalar, aux)`` with ``has_aux=True``).  Keyword
        arguments given to the returned function are passed to ``f`` and not
        differentiated.
    argnums : int or tuple of int
        Which positional arguments to differentiate; a tuple gives a tuple.
        Each may be a scalar, an array or a pytree (a dict, or a list/tuple
        holding arrays; see :func:`dualgrad.jacobian`).
    has_aux : bool, optional
        ``f`` returns ``(out, aux)``; the gradient function then returns
        ``(gradient, aux)``, ``aux`` holding values (no duals), as JAX does.
    holomorphic : bool, optional
        Accept complex arguments: the complex derivative of a holomorphic ``f``
        (as JAX); without it complex arguments raise ``TypeError``.

    Returns
    -------
    callable
        ``g(*args, **kwargs)``: the gradient, shaped like the argument (a float
        for a scalar, the same pytree for a pytree), or a tuple of them.

    Examples
    --------
    >>> import dualgrad as dg
    >>> def func(q, chi, delta):
    ...     return q * chi * delta
    >>> dg.grad(func, argnums=(0, 1, 2))(1.0, 2.0, 3.0)
    (6.0, 3.0, 2.0)
    >>> dg.grad(lambda x: (x ** 2, {"x": x}), has_aux=True)(3.0)
    (6.0, {'x': 3.0})
    """
    return _gradient_function("dualgrad.grad", f, argnums, has_aux, False, holomorphic)


def value_and_grad(f: Callable[..., Any], argnums: Argnums = 0, has_aux: bool = False,
                   holomorphic: bool = False) -> Callable[..., tuple[Any, Any]]:
    """A function giving ``(f(*args), gradient)`` from one set of evaluations.

    As ``jax.value_and_grad``: with ``has_aux=True``, ``f`` returns
    ``(out, aux)`` and the function returns ``((out, aux), gradient)``.

    Parameters
    ----------
    f : callable
        Returns a scalar (``(scalar, aux)`` with ``has_aux=True``).
    argnums : int or tuple of int
        As for :func:`grad`.
    has_aux : bool, optional
        As for :func:`grad`.

    Returns
    -------
    callable
        ``vg(*args, **kwargs)`` returning ``(value, gradient)``, or
        ``((value, aux), gradient)``; the gradient as :func:`grad` gives it.

    Examples
    --------
    >>> import numpy as np
    >>> import dualgrad as dg
    >>> loss = lambda w, x: np.sum((x @ w) ** 2)
    >>> value, g = dg.value_and_grad(loss)(np.array([1.0, -1.0]), np.eye(2))
    >>> value, g
    (2.0, array([ 2., -2.]))
    >>> (value, aux), g = dg.value_and_grad(lambda p: (p["a"] * p["b"], "note"),
    ...                                     has_aux=True)({"a": 2.0, "b": 3.0})
    >>> value, aux, g
    (6.0, 'note', {'a': 3.0, 'b': 2.0})
    """
    return _gradient_function("dualgrad.value_and_grad", f, argnums, has_aux, True,
                              holomorphic)


def _gradient_function(who, f, argnums, has_aux, with_value, holomorphic=False):
    check_callable(who, f)
    if not isinstance(has_aux, bool):
        raise errors.bad_argument(who, "has_aux as True or False", repr(has_aux))
    specs = {}                     # per number of arguments: argnums checked, seeds built
    jitted = is_jitted(f)

    def finish(value, gradient, aux):
        if with_value:
            return ((value, aux), gradient) if has_aux else (value, gradient)
        return (gradient, aux) if has_aux else gradient

    @functools.wraps(f)
    def gradient_of_f(*args, **kwargs):
        spec = specs.get(len(args))
        if spec is None:
            spec = specs[len(args)] = _Spec(who, argnums, len(args), jitted)
        if spec.seeds is not None:
            full = list(args)
            tag = new_tag()
            make = spec.make
            for i, unit in spec.seeds:
                x = args[i]
                t = type(x)
                if t is not float:
                    if t is not int:
                        break
                    x = float(x)
                full[i] = make(x, unit, tag)
            else:                # a few scalar arguments: one pass, no arrays
                try:
                    out = call_jitted(who, f, full, kwargs) if jitted else f(*full, **kwargs)
                    aux = None
                    if has_aux:
                        out, aux = split_aux(who, out)
                        aux = strip_tag(aux, tag)
                    if not jitted and getattr(out, "tag", None) == tag and \
                            out._kind == "slots":             # the usual outcome, directly
                        g = spec.pick(out._plist()) if spec.many else out.p0
                        if not with_value and not has_aux:
                            return g
                        return finish(out.value, g, aux)
                    value, g = _scalar_grad(who, out, tag, spec)
                    return finish(_result(value), g, aux)
                except (TypeError, ValueError) as exc:
                    foreign = errors.from_scipy(who, exc)   # a SciPy function's np.asarray
                    if foreign is not None:
                        raise foreign from exc
                    raise
                finally:
                    retire(tag)         # its duals are dead from here on
            retire(tag)                 # (not scalars: the general path below)
        flat = _Flat(who, f, args, argnums, holomorphic)
        res = jacobian_columns(who, flat.f, flat.template, flat.lnums, flat.xs, kwargs,
                               None, None, False, has_aux)
        _check_scalar(who, res[0])
        return finish(_result(res[0]), flat.blocks(res[1]), res[2] if has_aux else None)

    return gradient_of_f


class _Spec:
    """What ``grad`` needs per number of positional arguments, worked out once:
    the checked ``argnums`` and, for up to ``MAX_SLOTS`` of them, the scalar
    class's constructor and one unit seed per argument."""

    def __init__(self, who, argnums, nargs, jitted):
        self.nums, self.many = check_argnums(who, argnums, nargs)
        # a repeated argument (argnums=(0, 0)) is seeded once and its gradient repeated,
        # as JAX does: seeding it twice would overwrite the first seed
        self.order = None
        unique = tuple(dict.fromkeys(self.nums))
        if unique != self.nums:
            self.order = [unique.index(i) for i in self.nums]
            self.nums = unique
        n = len(self.nums)
        self.seeds = None
        if n <= MAX_SLOTS:
            width = ladder_width(n) if jitted else n
            self.width = width
            self.make = scalar_class(width)._from
            self.seeds = [(i, [1.0 if k == j else 0.0 for k in range(width)])
                          for j, i in enumerate(self.nums)]

    def pick(self, grads):
        """The gradients of the distinct arguments, in the order ``argnums`` named them."""
        if self.order is None:
            return tuple(grads)
        return tuple(grads[j] for j in self.order)


def _scalar_grad(who, out, tag, spec):
    """``(value, gradient)`` from ``out``, the output of ``f`` on seeded scalars:
    any output, and padded seeds of jitted ``f``."""
    if getattr(out, "tag", None) == tag and out._kind == "slots":
        value, partials = out.value, out._plist()
    else:
        value, partials = extract(who, out, tag, spec.width)
        _check_scalar(who, value)
        partials = [_result(p) for p in as_array(partials)] \
            if not isinstance(partials, list) else partials
    if spec.many:
        return value, spec.pick(partials[:len(spec.nums)])
    return value, partials[0]


def elementwise_grad(f: Callable[..., Any], argnums: Argnums = 0, *,
                     check: bool = True) -> Callable[..., Any]:
    """A function giving ``df_i/dx_i`` for an elementwise ``f``, shaped like ``x``.

    One evaluation of ``f`` per argument in ``argnums``, whatever the array
    size: every element is seeded with the same direction (so the pass gives
    ``J @ 1``, which for an elementwise ``f`` is the diagonal of its Jacobian).
    For an argument that broadcasts against the output, the partials are summed
    over the broadcast axes.

    The same pass carries a second, probing direction (a fixed pattern of
    ``+-2**k`` per element, ``k`` in 0..7): for an elementwise ``f`` its
    partials are exactly the first direction's times the pattern (scaling by a
    power of two is exact).  Where they differ, an output element depends on
    another element of the argument, ``J @ 1`` is not the per-element
    derivative, and ``ValueError`` is raised.  The check never rejects an
    elementwise ``f`` (entries that overflow, underflow or are NaN are not
    compared); it could miss only an ``f`` whose cross-element terms cancel
    exactly for the probe.

    Parameters
    ----------
    f : callable
        An elementwise function of the arguments in ``argnums`` (broadcasting
        allowed).  Keyword arguments given to the returned function go to ``f``.
    argnums : int or tuple of int
        Which positional arguments; a tuple gives a tuple.
    check : bool, optional
        Carry the probing direction and raise for a non-elementwise ``f``
        (default).  ``check=False`` drops it: one direction per pass (half the
        partials to propagate), and ``J @ 1`` unchecked, for an ``f`` you know
        is elementwise.

    Returns
    -------
    callable
        ``g(*args, **kwargs)``: ``df_i/dx_i`` shaped like each argument.

    Raises
    ------
    ValueError
        ``f`` is not elementwise in an argument (``np.cumsum``, ``x[::-1]``,
        reductions): use :func:`dualgrad.jacobian` for the whole Jacobian, or
        ``dg.grad(lambda x: np.sum(f(x)))`` for ``J.T @ 1`` (the vector-Jacobian
        product with ones that autograd's ``elementwise_grad`` computes).

    Examples
    --------
    >>> import numpy as np
    >>> import dualgrad as dg
    >>> x, y, z = np.mgrid[-100:101:25., -100:101:25., -100:101:25.]
    >>> V = lambda x, y, z: 2*x**2 + 3*y**2 - 4*z
    >>> Ex, Ey, Ez = dg.elementwise_grad(V, argnums=(0, 1, 2))(x, y, z)
    >>> bool(np.all(Ex == 4*x) and np.all(Ey == 6*y) and np.all(Ez == -4))
    True
    """
    who = "dualgrad.elementwise_grad"
    check_callable(who, f)
    if not isinstance(check, bool):
        raise errors.bad_argument(who, "check as True or False", repr(check))

    @functools.wraps(f)
    def elementwise_grad_of_f(*args, **kwargs):
        nums, many = check_argnums(who, argnums, len(args))
        xs = {i: as_input(who, args[i]) for i in nums}
        grads = []
        for i in nums:
            x = xs[i]
            tag = new_tag()
            full = list(args)
            probe = _probe(math.prod(np.shape(x))) if check and np.ndim(x) else None
            for j in nums:        # private copies: each pass sees the inputs as given
                full[j] = _seed_all(private(x), tag, probe) if j == i else private(xs[j])
            width = 1 if probe is None else 2
            try:
                if is_jitted(f):
                    out = call_jitted(who, f, full, kwargs)
                    value, partials = extract(who, out, tag, width)
                else:
                    with backend.scope():     # pooled partials, the fused engine
                        value, partials = extract(who, f(*full, **kwargs), tag, width)
            except (TypeError, ValueError) as exc:
                foreign = errors.from_scipy(who, exc) or \
                    _snapshots.explain(who, exc)    # SciPy's np.asarray; a read-only snapshot
                if foreign is not None:
                    raise foreign from exc
                raise
            finally:
                retire(tag)
            partials = as_array(partials)
            g = partials[..., 0]
            if probe is not None:
                _check_elementwise(who, i, x, g, partials[..., 1], probe)
            extra = np.ndim(g) - np.ndim(x)
            if extra > 0 or np.shape(g) != np.shape(x):
                axes = tuple(range(extra)) + tuple(
                    extra + k for k, s in enumerate(np.shape(x)) if s == 1 and
                    np.shape(g)[extra + k] != 1)
                g = np.sum(g, axis=axes, keepdims=False) if axes else g
                g = np.reshape(g, np.shape(x))
            grads.append(_result(g))
        return tuple(grads) if many else grads[0]

    return elementwise_grad_of_f


_PROBE: dict[int, np.ndarray] = {}     # size -> the probe pattern (the last few sizes)


def _probe(size):
    """``+-2**k`` per element, ``k`` in 0..7: distinct for up to 16 elements,
    pseudo-random (and fixed) beyond."""
    p = _PROBE.get(size)
    if p is None:
        rng = np.random.default_rng(17)
        codes = rng.permutation(16)[:size] if size <= 16 else rng.integers(0, 16, size)
        p = np.where(codes & 1, -1.0, 1.0) * np.ldexp(1.0, codes >> 1)
        if len(_PROBE) >= 4:
            _PROBE.clear()
        _PROBE[size] = p
    return p


def _check_elementwise(who, argnum, x, ones, probed, probe):
    """Raise unless the probing direction's partials are the first's times the probe."""
    shape = np.shape(x)
    try:
        if np.broadcast_shapes(shape, np.shape(ones)) != np.shape(ones):
            raise ValueError
        scaled = np.broadcast_to(probe.reshape(shape), np.shape(ones)) * ones
    except ValueError:
        scaled = None
    if scaled is not None:
        if np.array_equal(probed, scaled):          # the usual outcome: one comparison
            return
        with np.errstate(all="ignore"):
            mismatch = (probed != scaled) & np.isfinite(probed) & np.isfinite(scaled) & \
                (np.maximum(np.abs(probed), np.abs(scaled)) >= 2.0 ** -900)
        if not np.any(mismatch):
            return
        got = "an f whose output mixes elements of that argument"
    else:
        got = f"an output of shape {np.shape(ones)} that does not broadcast from its shape"
    raise errors.bad_argument(
        who, f"an f elementwise in argument {argnum} of shape {shape} (output element i "
        "depending on input element i only, broadcasting allowed)", got,
        "Use dg.jacobian(f, x) for the whole Jacobian, or dg.grad(lambda x: np.sum(f(x))) "
        "for J.T @ 1 (what autograd's elementwise_grad computes).")


def _seed_all(x, tag, probe=None):
    from ..dual import make
    if np.shape(x) == ():
        return seed(x, 0, 1, tag)
    if probe is None:                    # check=False: the one direction alone
        return make(x, np.ones(np.shape(x) + (1,)), tag)
    partials = np.empty(np.shape(x) + (2,))
    partials[..., 0] = 1.0
    partials[..., 1] = probe.reshape(np.shape(x))
    return make(x, partials, tag)
