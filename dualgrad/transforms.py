"""Function transforms in the JAX/autograd style: ``grad`` and ``elementwise_grad``."""

import functools

import math

import numpy as np

from . import errors
from ._base import new_tag, retire
from ._scalar import MAX_SLOTS, scalar_class
from ._seed import (as_array, call_jitted, extract, is_jitted, jacobian_columns, ladder_width,
                    private, seed)
from ._validate import as_input, check_argnums, check_callable

__all__ = ["grad", "elementwise_grad"]


def _result(a):
    if type(a) is float:
        return a
    return float(a) if isinstance(a, (np.ndarray, np.floating)) and np.ndim(a) == 0 else a


def grad(f, argnums=0):
    """A function giving the gradient of scalar ``f`` with respect to ``args[argnums]``.

    All arguments named by ``argnums`` are seeded together, in chunks, so that
    a few scalar arguments cost one evaluation of ``f``.

    Parameters
    ----------
    f : callable
        Returns a scalar.
    argnums : int or tuple of int
        Which positional arguments to differentiate; a tuple gives a tuple.

    Returns
    -------
    callable
        ``g(*args)``: the gradient, shaped like the argument (a float for a
        scalar), or a tuple of them.

    Examples
    --------
    >>> import dualgrad as dg
    >>> def func(q, chi, delta):
    ...     return q * chi * delta
    >>> dg.grad(func, argnums=(0, 1, 2))(1.0, 2.0, 3.0)
    (6.0, 3.0, 2.0)
    """
    who = "dualgrad.grad"
    check_callable(who, f)

    specs = {}                     # per number of arguments: argnums checked, seeds built
    jitted = is_jitted(f)

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
                    if not jitted and getattr(out, "tag", None) == tag and \
                            out._kind == "slots":             # the usual outcome, directly
                        return spec.pick(out._plist()) if spec.many else out.p0
                    return _scalar_grad(who, out, tag, spec)
                except (TypeError, ValueError) as exc:
                    foreign = errors.from_scipy(who, exc)   # a SciPy function's np.asarray
                    if foreign is not None:
                        raise foreign from exc
                    raise
                finally:
                    retire(tag)         # its duals are dead from here on
            retire(tag)                 # (not scalars: the general path below)
        nums, many = spec.nums, spec.many
        xs = [as_input(who, args[i]) for i in nums]
        value, partials = jacobian_columns(who, f, args, nums, xs, kwargs)
        if np.shape(value) != ():
            raise errors.array_output(who, np.shape(value))
        grads, start = [], 0
        for x in xs:
            if type(x) is float:                    # a scalar argument: one partial
                grads.append(_result(partials[start]))
                start += 1
                continue
            size = math.prod(np.shape(x))
            grads.append(np.reshape(as_array(partials)[start:start + size], np.shape(x)))
            start += size
        return spec.pick(grads) if many else grads[0]

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
    """The gradient from ``out``, the output of ``f`` on seeded scalars: any
    output, and padded seeds of jitted ``f``."""
    if getattr(out, "tag", None) == tag and out._kind == "slots":
        partials = out._plist()
    else:
        value, partials = extract(who, out, tag, spec.width)
        if np.shape(value) != ():
            raise errors.array_output(who, np.shape(value))
        partials = [_result(p) for p in as_array(partials)] \
            if not isinstance(partials, list) else partials
    if spec.many:
        return spec.pick(partials[:len(spec.nums)])
    return partials[0]


def elementwise_grad(f, argnums=0):
    """A function giving ``df_i/dx_i`` for an elementwise ``f``, shaped like ``x``.

    One evaluation of ``f`` per argument in ``argnums``, whatever the array
    size: every element is seeded with the same single direction.  For an
    argument that broadcasts against the output, the partials are summed over
    the broadcast axes (as autograd does).

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

    @functools.wraps(f)
    def elementwise_grad_of_f(*args, **kwargs):
        nums, many = check_argnums(who, argnums, len(args))
        xs = {i: as_input(who, args[i]) for i in nums}
        grads = []
        for i in nums:
            x = xs[i]
            tag = new_tag()
            full = list(args)
            for j in nums:        # private copies: each pass sees the inputs as given
                full[j] = _seed_all(private(x), tag) if j == i else private(xs[j])
            try:
                out = call_jitted(who, f, full, kwargs) if is_jitted(f) else f(*full, **kwargs)
                value, partials = extract(who, out, tag, 1)
            except (TypeError, ValueError) as exc:
                foreign = errors.from_scipy(who, exc)       # a SciPy function's np.asarray
                if foreign is not None:
                    raise foreign from exc
                raise
            finally:
                retire(tag)
            g = as_array(partials)[..., 0]
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


def _seed_all(x, tag):
    from ._base import make
    if np.shape(x) == ():
        return seed(x, 0, 1, tag)
    return make(x, np.ones(np.shape(x) + (1,)), tag)
