"""Function transforms in the JAX/autograd style: ``grad``, ``value_and_grad``,
``jacfwd`` and ``elementwise_grad``."""

from __future__ import annotations

import functools
import math
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import backend, errors
from ..backend import _fusedgen
from ..dual import (MAX_SLOTS, Dual, _snapshots, linking, make, make_scalar, new_tag, retire,
                    scalar_class)
from ._seed import (as_array, call_jitted, extract, is_jitted, jacobian_columns, ladder_width,
                    linked, private, split_aux, strip_tag, warn_if_caught)
from ._validate import as_input, check_argnums, check_callable
from ._dense import with_outer_level
from ._tree import Results
from ._undefined import nan_outer
from .helpers import (_Flat, _scipy_args, _check_scalar, _linked_gradient, _one_pass, _one_pass_fits,
                      _widened, jacobian_as)

if TYPE_CHECKING:                        # annotations only
    from collections.abc import Callable

    Argnums = int | tuple[int, ...]

__all__ = ["grad", "value_and_grad", "jacfwd", "elementwise_grad"]


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


# the options of dg.jacobian that jacfwd fixes when it is made; every other keyword
# given to the function it returns goes to f
_JACOBIAN_OPTIONS = ("chunk", "executor", "progress", "batch_axis", "sparsity", "format")


def jacfwd(f: Callable[..., Any], argnums: Argnums = 0, has_aux: bool = False,
           holomorphic: bool = False, **options: Any) -> Callable[..., Any]:
    """A function giving the Jacobian of ``f`` with respect to ``args[argnums]``.

    ``jacfwd(f, argnums)(*args)`` is ``dg.jacobian(f, *args, argnums=argnums)``, as
    ``jax.jacfwd``: the form SciPy's solvers take as ``jac=``, which they call with
    the point and their own ``args`` (``least_squares``, ``root``, ``fsolve``'s
    ``fprime``) or, for ``solve_ivp``, as ``jac(t, y)``.

    Parameters
    ----------
    f : callable
        Returns a scalar, an array or a pytree of them (see
        :func:`dualgrad.jacobian`).  Keyword arguments given to the returned
        function are passed to ``f`` and not differentiated.
    argnums : int or tuple of int
        Which positional arguments to differentiate; a tuple gives a tuple of
        Jacobians.  ``argnums=1`` for ``solve_ivp``'s ``jac(t, y)``.
    has_aux : bool, optional
        ``f`` returns ``(out, aux)``; the function then returns ``(J, aux)``.
    holomorphic : bool, optional
        As for :func:`dualgrad.jacobian`.
    **options
        ``chunk``, ``executor``, ``progress``, ``batch_axis``, ``sparsity``,
        ``format``: :func:`dualgrad.jacobian`'s options, fixed here (``sparsity=``
        and ``format="csc"`` give the sparse Jacobians stiff solvers want).

    Returns
    -------
    callable
        ``j(*args, **kwargs)``: the Jacobian at ``args``, or a tuple of them.

    Examples
    --------
    >>> import numpy as np
    >>> import dualgrad as dg
    >>> def residuals(p, t, y):
    ...     return p[0] * np.exp(-p[1] * t) - y
    >>> t = np.array([0.0, 1.0]); y = np.array([2.0, 1.0])
    >>> dg.jacfwd(residuals)(np.array([2.0, 0.0]), t, y)
    array([[ 1.,  0.],
           [ 1., -2.]])
    >>> rhs = lambda t, y: np.array([y[1], t * y[0] - y[1]])
    >>> dg.jacfwd(rhs, argnums=1)(2.0, np.array([1.0, 0.0]))
    array([[ 0.,  1.],
           [ 2., -1.]])

    With SciPy: ``least_squares(residuals, p0, jac=dg.jacfwd(residuals), args=(t,
    y))``, ``root(F, x0, jac=dg.jacfwd(F))``, ``solve_ivp(rhs, span, y0,
    method="BDF", jac=dg.jacfwd(rhs, argnums=1))``.
    """
    who = "dualgrad.jacfwd"
    check_callable(who, f)
    if type(has_aux) is not bool:
        raise errors.bad_has_aux(who, has_aux)
    unknown = sorted(set(options) - set(_JACOBIAN_OPTIONS))
    if unknown:
        raise errors.bad_type(
            who, "options of dg.jacobian (" + ", ".join(_JACOBIAN_OPTIONS) + ")",
            ", ".join(unknown), "Fix: pass keyword arguments meant for f to the function "
            "jacfwd returns, e.g. dg.jacfwd(f)(x, scale=2.0).")

    @functools.wraps(f)
    def jacobian_of_f(*args, **kwargs):
        if not args:
            raise errors.bad_type(who, "the point to differentiate at, j(x, *args)",
                                  "no positional argument", "Fix: call dg.jacfwd(f)(x).")
        g = f
        if kwargs and (options.get("sparsity") is not None or
                       options.get("batch_axis") is not None):
            g, kwargs = functools.partial(f, **kwargs), {}     # those take f of x alone
        return jacobian_as(who, g, args[0], args[1:], kwargs, argnums=argnums,
                           has_aux=has_aux, holomorphic=holomorphic, **options)

    # jacfwd(jacfwd(f)): the inner passes seed the outer one's input (as grad's do)
    setattr(jacobian_of_f, "_dualgrad_gradient", not holomorphic and not options)
    # jacfwd(jacfwd(f, argnums=0), argnums=1): the inner passes seed argument 1 too
    # (helpers._widened: the mixed partial at a tie the second order decides)
    setattr(jacobian_of_f, "_dualgrad_argnums", argnums)
    setattr(jacobian_of_f, "_dualgrad_has_aux", has_aux)
    setattr(jacobian_of_f, "_dualgrad_rebuild", None if holomorphic or options else
            _rebuilt(lambda nums: jacfwd(f, argnums=nums, has_aux=has_aux)))
    return jacobian_of_f


def _gradient_function(who, f, argnums, has_aux, with_value, holomorphic=False):
    check_callable(who, f)
    if type(has_aux) is not bool:
        raise errors.bad_has_aux(who, has_aux)
    specs = {}                     # per number of arguments: argnums checked, seeds built
    jitted = is_jitted(f)
    wrapped = f
    if getattr(f, "_dualgrad_gradient", False) and not holomorphic:
        # grad(grad(f)), value_and_grad(grad(f)): jacobian(grad(f))'s link, the inner
        # passes seeding this one's input duals (else the midpoint at a tie the second
        # order decides: np.maximum(t**2, 0) at 0 gave 1, truth 2; attack44 15)
        f = _linked_gradient(f, argnums)
    # one non-negative argnum and no options: a small float64 array takes dg.gradient's
    # one pass (_one_pass_fits: a plain function, 1 to MAX_CHUNK entries)
    one = type(argnums) is int and argnums >= 0 and not (jitted or has_aux or holomorphic)

    def finish(value, gradient, aux):
        # (pairs as Results: an outer helper's derivative of them is a pytree, JAX's order)
        if with_value:
            return Results((Results((value, aux)), gradient)) if has_aux else \
                Results((value, gradient))
        return Results((gradient, aux)) if has_aux else gradient

    @functools.wraps(wrapped)
    def gradient_of_f(*args, **kwargs):
        if "args" in kwargs:
            _scipy_args(who, f)
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
                        if type(out.value) is not float:   # an outer level's: a NaN
                            g = _nan_outer_picked(spec, out)   # one's partials NaN
                        if not with_value and not has_aux:
                            return g
                        return finish(out.value, g, aux)
                    value, g = _scalar_grad(who, out, tag, spec)
                    return finish(_result(value), g, aux)
                except errors.foreign() as exc:
                    foreign = errors.from_scipy(who, exc)   # a SciPy function's np.asarray
                    if foreign is not None:
                        raise foreign from exc
                    raise
                finally:
                    retire(tag)         # its duals are dead from here on
            retire(tag)                 # (not scalars: the general path below)
        if one and argnums < len(args) and _one_pass_fits(f, args[argnums]):
            # one small float64 array: dg.gradient's one pass (~8 us at n = 2 against
            # ~35 for the general path below: minimize's jac=dg.grad(f) calls this)
            x = args[argnums]
            value, partials = _one_pass(who, f, x, args, kwargs, argnums)
            if type(value) is not float:
                _check_scalar(who, value)
                if isinstance(value, Dual):    # f linear in x, its value of an outer level
                    partials = with_outer_level(as_array(partials), value)
            if type(partials) is np.ndarray:
                g = partials if partials.shape == x.shape else partials.reshape(x.shape)
            else:
                g = _Flat.one(f, args, argnums).blocks(partials)
            return Results((_result(value), g)) if with_value else g
        flat = _Flat(who, f, args, argnums, holomorphic)
        res = jacobian_columns(who, flat.f, flat.template, flat.lnums, flat.xs, kwargs,
                               None, None, False, has_aux)
        _check_scalar(who, res[0])
        grads = with_outer_level(as_array(res[1]), res[0])    # f linear in an outer level
        return finish(_result(res[0]), flat.blocks(grads), res[2] if has_aux else None)

    gradient_of_f._dualgrad_gradient = not with_value and not holomorphic
    # jacfwd(grad(f, argnums=0), argnums=1): the inner passes seed argument 1 too
    # (helpers._widened: the mixed partial at a tie the second order decides)
    gradient_of_f._dualgrad_argnums = argnums
    gradient_of_f._dualgrad_has_aux = has_aux
    gradient_of_f._dualgrad_rebuild = None if with_value or holomorphic else \
        _rebuilt(lambda nums: _gradient_function(who, wrapped, nums, has_aux, False))
    gradient_of_f._dualgrad_scalar = True       # its result: one block per argnum
    # jacobian(grad(f), x, sparsity=...) and dg.sparsity(grad(f), x): f's sparse Hessian
    # (the tracer cannot follow a derivative's dependencies through the helper)
    gradient_of_f._dualgrad_hessian_of = wrapped if (
        argnums == 0 and type(argnums) is int and not (with_value or has_aux or holomorphic
                                                       or jitted)) else None
    gradient_of_f._dualgrad_holomorphic_hessian_of = wrapped if (
        holomorphic and argnums == 0 and type(argnums) is int and not (
            with_value or has_aux or jitted)) else None
    # ... and of grad(f, argnums=k): the mixed block d2f / d(args[k]) dx, traced on f
    gradient_of_f._dualgrad_mixed_of = (wrapped, argnums) if (
        type(argnums) is int and argnums != 0 and not (with_value or has_aux or holomorphic
                                                       or jitted)) else None
    return gradient_of_f


def _rebuilt(make):
    """``make`` (argnums -> the helper's function with those argnums) made once per
    argnums (helpers._widened asks on every linked call)."""
    made = {}

    def rebuild(nums):
        g = made.get(nums)
        if g is None:
            g = made[nums] = make(nums)
        return g
    return rebuild


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
            return Results(grads)
        return Results(grads[j] for j in self.order)


def _nan_outer_picked(spec, out):
    """The direct read's gradient of ``out`` (a scalar dual of this pass whose value is
    not a float: one of an outer level) with :func:`._undefined.nan_outer`'s NaN."""
    partials = nan_outer(out._plist(), out.value)
    return spec.pick(partials) if spec.many else partials[0]


def _scalar_grad(who, out, tag, spec):
    """``(value, gradient)`` from ``out``, the output of ``f`` on seeded scalars:
    any output, and padded seeds of jitted ``f``."""
    if getattr(out, "tag", None) == tag and out._kind == "slots":
        value, partials = out.value, out._plist()
        if isinstance(value, Dual):          # an outer level's: a NaN one's partials NaN
            partials = nan_outer(partials, value)
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

    One evaluation of ``f`` for all arguments in ``argnums``, whatever the array
    size: every element of an argument is seeded with that argument's own
    direction (so the pass gives ``J @ 1`` per argument, which for an elementwise
    ``f`` is the diagonal of its Jacobian).  For an argument that broadcasts
    against the output, the partials are summed over the broadcast axes.  (Large
    arguments whose seeds cannot be deferred by the fused engine, with the eager
    engine for one, and jitted ``f``, take one evaluation per argument instead,
    which is faster there; results agree to rounding.)

    The same pass carries probing directions, ``ceil(log_32(size))`` of them (at
    least one): probe ``p`` gives element ``i`` (C order) a code ``16**d``, ``d`` in
    0..31 the ``p``-th base-32 digit of a one-to-one mix of ``i`` (so any two
    elements of the argument have different codes in some probe: 1 probe up to 32
    elements, 2 up to 1024, 3 up to 32768, 4 up to 1048576, 5 up to 3.4e7).  For an
    elementwise ``f`` each probe's partials are exactly the first direction's times
    its codes (scaling by a power of two is exact).  Where they differ, an output
    element depends on another element of the argument, ``J @ 1`` is not the
    per-element derivative, and ``ValueError`` is raised.

    Every output element is compared, in the one evaluation (``f`` is called once).
    The comparison is exact where the first direction is a normal number below
    ``2**900`` (its probes then stay finite) and nothing on the way overflows or goes
    subnormal; a subnormal first direction equal to its probes is checked to the
    subnormals' resolution.  Elements it cannot settle (subnormal derivatives whose
    probes differ from them, as lost bits and a cross term alike make them: a
    Gaussian's tail ``exp(-x**2)`` beyond ``x`` ~ 26.7; a probe overflowing, as
    ``exp(x)`` near overflow) are reported by a :class:`dualgrad.UncheckedWarning`
    naming them, never passed in silence; ``check=False`` silences it where ``f`` is
    known to be elementwise.  A difference that a subnormal partial on the way
    explains (``((x * 1e-300) * 1e-20) * 1e300``: the first direction loses bits its
    probes keep) raises as a coupling would: pass ``check=False`` there.  An element
    whose first direction is inf or NaN is not compared (the result shows it).

    What it catches, in exact arithmetic: output element ``i`` coupled to elements ``j``
    with weights ``J[i, j]`` that are whole multiples of some ``u`` summing in absolute
    value to less than ``8 u`` raises unless, in every probe, the coupled elements of
    each code but ``i``'s own have weights summing to zero (the codes are 16 apart, so
    no other combination cancels).  So one cross-element term raises, as do two, or any
    number of one sign, within that bound (two neighbours of weights 0.5 and 0.5, 1 and
    3, three of 0.25 0.25 and 0.5); escapes need terms of both signs that pair off in
    every probe (weights 1, -1, 1 on three elements in rare positions:
    bench/check_escapes.py), or weights beyond that bound that happen to cancel.  In
    floating point, terms below the rounding of the row's own term in every probe pass
    too (the result is then the diagonal to its rounding).  The check guards against
    using the wrong helper; it does not prove that ``f`` is elementwise.

    Parameters
    ----------
    f : callable
        An elementwise function of the arguments in ``argnums`` (broadcasting
        allowed).  Keyword arguments given to the returned function go to ``f``.
    argnums : int or tuple of int
        Which positional arguments; a tuple gives a tuple.
    check : bool, optional
        Carry the probing directions and raise for a non-elementwise ``f``
        (default).  ``check=False`` drops them: one direction per argument
        (instead of 2 to 6), and ``J @ 1`` unchecked, for an ``f`` you know is
        elementwise.

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
        if "args" in kwargs:
            _scipy_args(who, f)
        nums, many = check_argnums(who, argnums, len(args))
        unique = tuple(dict.fromkeys(nums))        # argnums=(0, 0): one seed, two results
        xs = {i: as_input(who, args[i]) for i in unique}
        jitted = is_jitted(f)  # jitted: widths 1 and 2 are on the jit ladder
        backend.kernels_at_call()   # numba now, if an earlier call's graph asked for it
        link = linking(False)
        if link is not None and len(unique) == 1 and not jitted and \
                any(xs[unique[0]] is y for y in link.xs) and \
                math.prod(np.shape(xs[unique[0]])) <= _LINKED_DIAGONAL_MAX:
            # jacfwd / jvp / approx_fprime of this function: a Hessian's two levels
            diagonal = _linked_diagonal(who, f, args, kwargs, xs, unique, check, link)
            if diagonal is not None:
                return Results((diagonal,) * len(nums)) if many else diagonal
        if link is None and len(unique) == 1 and not jitted and \
                getattr(f, "_dualgrad_gradient", False) and \
                math.prod(np.shape(xs[unique[0]])) <= _LINKED_DIAGONAL_MAX:
            # elementwise_grad(elementwise_grad(f)) (autograd's spelling of a second
            # derivative), elementwise_grad(grad(f)): the diagonal of jacfwd(grad(f))'s
            # linked passes (one checked pass gave the midpoint at a tie the second
            # order decides: np.maximum(x**2, 0) at 0 gave 1, truth 2; attack44 15),
            # taken only where the checked pass met such a tie (attack45 08)
            diagonal = _linked_diagonal(who, f, args, kwargs, xs, unique, check, link,
                                        _linked_gradient(f, unique[0]))
            if diagonal is not None:
                return Results((diagonal,) * len(nums)) if many else diagonal
        grads = None if jitted else \
            _elementwise_pass(who, f, args, kwargs, xs, unique, check, False)
        if grads is None:      # one pass per argument
            grads = {}
            try:
                for i in unique:
                    grads.update(_elementwise_pass(who, f, args, kwargs, xs, (i,), check,
                                                   jitted))
            except errors.DualTypeError:
                # f stores one argument into another's buffer (c = a * 1.0; c *= b): in
                # a pass of its own, b is a dual and c plain; one pass seeds them all
                if jitted:
                    raise
                grads = _elementwise_pass(who, f, args, kwargs, xs, unique, check, False,
                                          one=True)
        return Results(grads[i] for i in nums) if many else grads[nums[0]]

    # jacfwd(elementwise_grad(f)) and the other spellings of its Jacobian link its pass
    # (helpers._linked_gradient), which _linked_diagonal takes
    elementwise_grad_of_f._dualgrad_gradient = True  # type: ignore[attr-defined]

    return elementwise_grad_of_f


#: the largest argument whose elementwise_grad takes the linked diagonal: it costs the
#: whole Jacobian's n directions where the usual pass has 1 to 6 (``python
#: bench/hvp_ties.py --elementwise --n 16 256 1024 --compare``: jvp of an
#: elementwise_grad function 0.63 ms at n = 16 against 0.33 unlinked; ungated 4.2 ms
#: at 256 and 25.6 at 1024 against 0.44 and 0.54); beyond, a second-order tie keeps
#: the midpoint
_LINKED_DIAGONAL_MAX = 16


def _linked_diagonal(who, f, args, kwargs, xs, unique, check, link, linked_f=None):
    """``df_i/dx_i`` of one argument that is the input dual of a linked outer pass
    (``jacfwd(elementwise_grad(f))``, ``jvp(elementwise_grad(f), x, v)``): the diagonal
    of the whole Jacobian, whose passes seed that dual one entry per direction, so a
    tie the second order decides sees the Hessian's diagonal (``np.maximum(x**2, 0)``
    at 0: 2; the one-direction pass gave the midpoint 1: attack44 04).  The usual pass
    runs first, unlinked, for its check (a non-elementwise f raises as always);
    ``None`` (that pass's result stands) where the output's shape is not the
    argument's (broadcasting).  ``linked_f``: the Jacobian's function where this call
    is the outer level itself (``f`` a grad-made function, ``link`` None)."""
    i = unique[0]
    x = xs[i]
    # elementwise_grad(grad(g)) (linked_f): the checked pass's inner passes note a tie
    # the second order would decide (an unmapped link: no diagonal in view, ``missed``);
    # without one its result is exact and g runs once, as API.md promises (the linked
    # Jacobian ran on every call: g twice at n <= 16; attack45 08)
    # (grad(g, argnums=1) of argument 0: its passes seed argument 0 too, _widened, or
    # no pass would see this one's duals)
    watch = linked([], unmapped=True) if linked_f is not None else None
    before = linking(watch)
    try:
        checked = _elementwise_pass(who, f if watch is None else
                                    _widened(f, (i,), len(args)), args, kwargs, xs,
                                    unique, check, False)
    finally:
        linking(before)
    if watch is not None and not watch.missed and checked is not None:
        return checked[i]
    res = jacobian_columns(who, f if linked_f is None else linked_f, list(args), (i,), [x],
                           kwargs, None, None, False, False)
    value = res[0]
    if np.shape(value) != np.shape(x):
        return None
    n = math.prod(np.shape(x))
    P = with_outer_level(as_array(res[1]), value)
    P = P.reshape(n, n) if n else P
    k = np.arange(n)
    return _result(P[k, k].reshape(np.shape(x))) if np.shape(x) else _result(P[0, 0])


def _elementwise_pass(who, f, args, kwargs, xs, seeded, check, jitted, one=False):
    """``{argnum: df_i/dx_i}`` for the arguments ``seeded``, from one evaluation of ``f``,
    or ``None`` having called nothing when one pass per argument is faster
    (:func:`_per_argument_faster`; ``one``: never, as after a pass per argument raised).

    Argument ``j`` of ``seeded`` gets direction ``start_j`` (ones) and, when it is
    checked, ``start_j + 1 ...`` (its probes, :func:`_probes`); every argument of
    ``xs`` is a private copy.
    """
    layout, n = [], 0
    for i in seeded:
        m = _probe_count(math.prod(np.shape(xs[i]))) if check and np.ndim(xs[i]) else 0
        layout.append((i, n, m))
        n += 1 + m
    if jitted:
        n = ladder_width(n)      # the directions past the probes stay 0
    tag = new_tag()
    full = list(args)
    link = linking(False)
    if link is not None and link.unmapped:
        # an unmapped link (elementwise_grad(elementwise_grad(f))'s checked pass, a
        # colored pass): this pass's ties are noted there, as evaluate_chunk's are; its
        # directions (ones, probes) are no outer direction (qmap -1): no diagonal
        outers = {xs[i].tag for i, _, _ in layout if isinstance(xs[i], Dual)}
        if len(outers) == 1:
            link.register(tag, outers.pop(), np.full(n, -1))
    try:
        if jitted:
            _seed_arguments(full, xs, layout, n, tag)
            value, partials = extract(who, call_jitted(who, f, full, kwargs), tag, n)
            picked = None
        else:
            with backend.scope():     # pooled partials, the fused engine
                if len(layout) > 1 and not one and _per_argument_faster(xs, layout, n):
                    return None
                views = _seed_arguments(full, xs, layout, n, tag)
                out = f(*full, **kwargs)
                # the seeds' duals go (unless f kept them): a fused kernel then writes
                # the output's partials alone, not the seeds' too
                del full[:]
                picked = _fused_columns(out, tag, xs, layout, views)
                if picked is not None and any(picked[1]):   # a probe differs somewhere:
                    picked = None                           # NaN? tiny? look closer
                if picked is None:
                    value, partials = extract(who, out, tag, n)
                else:
                    warn_if_caught(who, tag)
                del out      # (its pending partials are not computed at the scope's end)
    except errors.foreign() as exc:
        foreign = errors.from_scipy(who, exc) or \
            _snapshots.explain(who, exc)    # SciPy's np.asarray; a read-only snapshot
        if foreign is not None:
            raise foreign from exc
        raise
    finally:
        if link is not None:
            linked.forget(tag)
        retire(tag)
    if picked is None:
        partials = as_array(partials)
    grads, doubts = {}, {}
    for j, (i, start, m) in enumerate(layout):
        x = xs[i]
        if picked is not None:                   # the fused kernel checked the probes
            g = picked[0][j]
        else:
            g = partials[..., start]
            if not _broadcasts(np.shape(x), np.shape(g)) and not np.any(g) and \
                    not np.any(partials[..., start + 1:start + 1 + m]):
                g = np.zeros(np.shape(x))     # f ignores the argument (1.0, a sum * 0)
            elif m:
                doubt = _check_elementwise(who, i, x, g,
                                           partials[..., start + 1:start + 1 + m],
                                           _probes(math.prod(np.shape(x))))
                if doubt is not None:
                    doubts[j] = doubt
        extra = np.ndim(g) - np.ndim(x)
        if extra > 0 or np.shape(g) != np.shape(x):
            axes = tuple(range(extra)) + tuple(
                extra + k for k, s in enumerate(np.shape(x)) if s == 1 and
                np.shape(g)[extra + k] != 1)
            g = np.sum(g, axis=axes, keepdims=False) if axes else g
            g = np.reshape(g, np.shape(x))
        grads[i] = _result(g)
    if doubts:
        _settle(who, xs, layout, doubts)
    return grads


def _fused_columns(out, tag, xs, layout, views):
    """The ones-direction of each argument of ``layout`` as an array of ``out``'s
    shape and its probe check, from one fused kernel over ``out``'s pending
    partials (nothing of partials size written); or ``None``: ``out`` is not an
    array dual of this pass with pending partials, a checked argument does not
    have ``out``'s shape, or the engine interprets this graph (below a compile's
    worth of work, numba not loaded)."""
    p = getattr(out, "_p", None)
    if type(p) is not backend.Deferred or p.result is not None or out.tag != tag:
        return None
    shape = p.shape
    if any(m and np.shape(xs[i]) != shape for i, start, m in layout):
        return None
    return backend.fused_columns(p, [start for i, start, m in layout],
                                 [views[shape] if m else None for i, start, m in layout])


def _per_argument_faster(xs, layout, n):
    """Should several arguments take one pass each?  From :data:`ONE_PASS_DENSE`
    partials elements, unless the fused engine defers the seeds (float64 arrays,
    work above its threshold) and a kernel can evaluate the graph (numba loaded):
    dense seeds make every operation move every argument's directions, and a graph
    over deferred seeds interpreted node by node does as much."""
    size = max(math.prod(np.shape(xs[i])) for i, start, m in layout)
    if size * n < ONE_PASS_DENSE:
        return False
    return not backend.FUSING[0] or size * n < backend.FUSING[1] or \
        not backend.kernels_loaded() or \
        any(np.ndim(xs[i]) and not (type(xs[i]) is np.ndarray and xs[i].dtype == np.float64)
            for i, start, m in layout)


def _seed_arguments(full, xs, layout, n, tag):
    """Every argument of ``xs`` into ``full`` as a private copy, those of ``layout``
    seeded (:func:`_seed_columns`); returns the probes, a tuple of views per shape."""
    for i, x in xs.items():
        full[i] = private(x)
    views = {}           # one set of probe views per shape: the fused kernel reads it once
    for i, start, m in layout:
        x = full[i]
        probes = ()
        if m:
            shape = np.shape(x)
            probes = views.get(shape)
            if probes is None:
                probes = views[shape] = tuple(q.reshape(shape)
                                              for q in _probes(math.prod(shape)))
        full[i] = _seed_columns(x, tag, start, probes, n)
    return views


# Partials elements (elements x directions of all arguments) from which several
# arguments take one pass each unless their seeds are deferred and numba is loaded:
# below, one pass for all costs less (bench/bench_fused.py, eager engine: two
# arguments at N = 10 and 1e3, 0.6-0.8x the passes per argument); above, with dense
# seeds every operation moves every argument's directions (the grid field, three
# arguments at N = 1e6, eager: 2x the passes per argument).
ONE_PASS_DENSE = 1 << 14
_PROBES: dict[int, tuple] = {}     # size -> its probes (the last few sizes)
# The codes' form (backend._fusedgen.codes writes them, and a fused kernel computes
# them from the element's index): 32 codes a probe, 16**d, d in 0..31; the index
# times _MIX (odd, its base-32 digits all in 1..30, twelve of them: sizes up to
# 2**60), modulo 32**probes, a one-to-one map of the indices whose every digit moves
# when the index moves by one.
_BITS = _fusedgen.CODE_BITS
_DIGIT = 1 << _BITS
_SPACING = _fusedgen.CODE_SPACING
_MIX = _fusedgen.CODE_MIX


def _probe_count(size):
    """How many probes an argument of ``size`` elements gets: the digits of its
    largest index in base :data:`_DIGIT` (at least one)."""
    count = 1
    while _DIGIT ** count < size:
        count += 1
    return count


def _probes(size):
    """The probing patterns of an argument of ``size`` elements (flat, C order):
    :func:`_probe_count` float64 arrays.

    Element ``i``'s mixed index ``m(i) = (i * _MIX) % 32**K`` (``K`` probes; one to
    one, as ``_MIX`` is odd) spelled in base 32 gives digits ``d_p(i)``; probe ``p``
    gives element ``i`` the code ``16**d_p(i)``: 32 codes ``2**0 .. 2**124`` whose
    exponents are 4 apart.

    * Two elements ``i != j`` have different mixed indices, so in some probe their
      codes differ: a single cross-element term ``J[i, j]`` changes that probe's
      partials of output ``i`` by ``J[i, j] * (code_j - code_i)``, never 0.
    * Several terms: probe ``p``'s partial of output ``i`` less ``code_i`` times the
      first direction's is ``D = sum_j J[i, j] * (code_j - code_i)``.  Grouping the
      coupled ``j`` by code, ``D / code_i = sum_e S_e * (16**e - 1)`` over the code
      ratios ``16**e`` (``e != 0``; ``S_e`` the group's summed weights): a number in
      base 16 with digits ``S_e`` and, in the units place, ``-sum_e S_e``.  When the
      weights are whole multiples of a unit ``u`` and ``sum_j |J[i, j]| < 8 u`` (0.5
      and 0.5, 1 and -1, 1 and 3, 0.25 0.25 and 0.5, 1 1 1 and 1 ...), every digit is
      below 8 units and such a number is 0 only if every digit is: ``D = 0`` exactly
      when each group of a code other than ``code_i`` has weights summing to 0.  So
      terms of one sign always show, as do two terms of any signs (two elements
      differ in some probe, where one of them is outside the row's code or the pair
      is split); an escape needs groups summing to zero in every probe, such as
      weights 1, -1, 1 on three elements that pair off in two probes.  The mixing
      makes those pairings depend on where the element is, not only on the
      coupling's strides: a neighbour at a stride of 1 differs from the row in every
      probe, and a rectangle stencil over a width of 32 or 256 does not line up with
      the digits as it would in the index's own digits.
    * Exact in floating point: the codes are powers of two, so a probe's partials of
      an elementwise ``f`` are the first direction's times its codes, exact unless an
      entry of that direction is beyond ``2**899`` on the way (inf or NaN, not
      compared).  The spacing costs probes (5 bits a probe, where ``+-2**k``, ``k`` in
      0..127, gave 8): 1 up to 32 elements, 2 up to 1024, 3 up to 32768, 4 up to
      1048576 (the 101**3 grid and the 10**6 rows of bench/bench_fused.py), 5 up to
      3.4e7.  bench/check_escapes.py measures the escape rates.

    The arrays are ``backend.probe_codes``' (read-only, cached for the last few
    sizes): a fused kernel computes them from the element's index instead of
    reading them, where they are a seed's factor or its columns check's probes.
    """
    got = _PROBES.get(size)
    if got is None:
        got = backend.probe_codes(size, _probe_count(size))   # (read-only)
        if len(_PROBES) >= 4:
            _PROBES.clear()
        _PROBES[size] = got
    return got


def _broadcasts(shape, target):
    """Does an array of ``shape`` broadcast to ``target``?"""
    try:
        return np.broadcast_shapes(shape, target) == target
    except ValueError:
        return False


def _check_elementwise(who, argnum, x, ones, probed, probes):
    """Compare each probing direction's partials (``probed[..., p]``) with the first
    direction's (``ones``) times its probe (``probes[p]``, flat, C order): ``None``
    when every element agrees, else the rows that do not as ``(differ, small, large)``
    masks over ``ones``' shape (:func:`_compare`; ``None`` for a kind without any), for
    :func:`_settle` to raise or warn.  An output that does not broadcast from ``x``'s
    shape raises here."""
    shape = np.shape(x)
    if not _broadcasts(shape, np.shape(ones)):
        raise _not_elementwise(who, argnum, shape, "an output of shape "
                               f"{np.shape(ones)} that does not broadcast from its shape")
    with np.errstate(all="ignore"):
        magnitude = np.abs(ones)
        wide = bool(np.any(magnitude >= _ROOM)) and \
            bool(np.any((magnitude >= _ROOM) & (magnitude != np.inf)))
    found = [None, None, None]
    for p, probe in enumerate(probes):
        got = probed[..., p]
        code = np.broadcast_to(probe.reshape(shape), np.shape(ones))
        if not wide:
            with np.errstate(all="ignore"):
                if np.array_equal(got, code * ones):   # the usual outcome
                    continue
        for k, rows in enumerate(_compare(ones, got, code)):
            if np.any(rows):
                found[k] = rows if found[k] is None else found[k] | rows
    return None if all(rows is None for rows in found) else tuple(found)


# The range where a probe's comparison is exact (_compare): a first direction from
# _NORMAL (float64's smallest normal number) up to below _ROOM, times a code up to
# 2**_WIDTH, has all its bits and stays finite.  Where the first direction is 0, a
# probe from _FAINT up did not underflow there from a code times a tiny partial.
_NORMAL = 2.0 ** -1022
_ROOM = 2.0 ** 900
_FAINT = 2.0 ** -900
_WIDTH = _SPACING * (_DIGIT - 1)   # 124


def _compare(ones, got, code):
    """One probe's rows: ``(differ, small, large)`` boolean arrays over ``ones``' shape.

    ``scaled = code * ones`` is what ``got`` is for an elementwise ``f``.  Rows whose
    first direction is inf or NaN are none of the three (the result shows it).
    ``differ``: both finite, different, and the first direction normal (at least
    ``2**-1022``: ``scaled`` exact), or 0 with ``|got|`` from ``2**-900``.  ``small``:
    both finite and different, the first direction subnormal, or 0 with a smaller
    ``got`` (lost bits or an underflow can make them differ).  ``large``: ``got`` or
    ``scaled`` not finite where the first direction is (an overflow hides the rest).
    A subnormal first direction equal to its probes' ``got`` is checked to the
    subnormals' resolution: a cross term changes some probe by about itself.
    """
    with np.errstate(all="ignore"):
        scaled = code * ones
        finite = np.isfinite(got) & np.isfinite(scaled)
        large = np.isfinite(ones) & ~finite
        apart = (got != scaled) & finite
        normal = np.abs(ones) >= _NORMAL
        differ = apart & (normal | (ones == 0) & (np.abs(got) >= _FAINT))
        small = apart & ~differ
    return differ, small, large


def _settle(who, xs, layout, doubts):
    """Decide on the rows :func:`_check_elementwise` left (``doubts``: per position in
    ``layout``, its ``(differ, small, large)`` masks) without evaluating ``f`` again
    (API.md: ``elementwise_grad`` calls ``f`` once per argument, never more):
    ``differ`` rows raise ``ValueError``; rows the pass cannot compare exactly
    (``small``: subnormal partials whose probes differ from them by lost bits or by a
    cross term alike; ``large``: a probe overflowing) are reported by a
    :class:`dualgrad.UncheckedWarning` at the caller's line, naming ``check=False``
    and ``dg.jacobian``: never a silent result."""
    unchecked = []
    for j, (differ, small, large) in doubts.items():
        i = layout[j][0]
        if differ is not None:
            raise _not_elementwise(who, i, np.shape(xs[i]))
        rows = sum(int(np.sum(m)) for m in (small, large) if m is not None)
        if rows:
            unchecked.append(f"{rows} element{'s' if rows > 1 else ''} of argument {i}")
    if unchecked:
        errors.warn_at_caller(
            f"{who}: {', '.join(unchecked)} could not be checked to be elementwise: their "
            "derivatives are subnormal (below 2**-1022) or so large that a probe overflows "
            "(from about 2**900), where the one evaluation's probes do not compare exactly. "
            "Those elements of the result are J @ 1, right if f is elementwise. Fix: pass "
            "check=False where f is elementwise (a Gaussian's far tail), or use "
            "dg.jacobian(f, x) to see the whole Jacobian.", errors.UncheckedWarning)


def _not_elementwise(who, argnum, shape,
                     got="an f whose output mixes elements of that argument"):
    """The check's ``ValueError``: ``f`` is not elementwise in argument ``argnum``."""
    return errors.bad_argument(
        who, f"an f elementwise in argument {argnum} of shape {shape} (output element i "
        "depending on input element i only, broadcasting allowed)", got,
        "Use dg.jacobian(f, x) for the whole Jacobian, or dg.grad(lambda x: np.sum(f(x))) "
        "for J.T @ 1 (what autograd's elementwise_grad computes); if f is elementwise "
        "and its partials pass through subnormal numbers (below 2**-1022) on the way, "
        "pass check=False.")


def _seed_columns(x, tag, start, probes, n):
    """The private copy ``x`` as a dual of ``n`` directions: every element's direction
    ``start`` is 1 and direction ``start + 1 + p`` is the element of ``probes[p]``
    (arrays of ``x``'s shape); the other directions are 0.

    Under the fused engine, once numba is loaded, the seed of a float64 array is
    deferred (``backend.defer_seed``: unit rows scaled by the ones and the probes,
    nothing of partials size), so that a chain of elementwise operations writes its
    partials once, at the end (before, a graph over it would be interpreted node by
    node, slower than dense seeds: the grid field's warm first call 0.76 s against
    0.65 s).  Before, the seed is dense and noted (``backend.dense_seed``): a graph
    over it is never compiled; when it would be, the next call loads numba first
    (``backend.kernels_at_call``) and defers its seeds.
    """
    if np.shape(x) == ():
        partials = [0.0] * n
        partials[start] = 1.0
        return make_scalar(x, partials, tag)
    columns = [(start, None)] + [(start + 1 + p, q) for p, q in enumerate(probes)]
    fusing = backend.FUSING[0] and type(x) is np.ndarray and x.dtype == np.float64
    if fusing and backend.kernels_loaded():     # (interpreted, a deferred seed costs more)
        p = backend.defer_seed(x.shape, n, columns)
        if p is not None:
            return make(x, p, tag)
    partials = backend.zeros(np.shape(x) + (n,))
    for c, a in columns:
        partials[..., c] = 1.0 if a is None else a
    if fusing and not backend.kernels_loaded():
        backend.dense_seed(partials)     # no kernel for graphs over it (used once)
    return make(x, partials, tag)
