"""Input validation shared by the helpers; messages come from :mod:`dualgrad.errors`."""

import operator
from collections.abc import Mapping

import numpy as np

from .. import errors
from ..dual import Dual

__all__ = ["check_callable", "as_input", "check_chunk", "check_argnums", "scipy_sparse"]

_F64 = np.dtype(np.float64)


def check_callable(who, f):
    if not callable(f):
        raise errors.not_callable(who, f)


def as_input(who, x, holomorphic=False, name="x", sparse=False):
    """``x`` as a float64 array, a Python float for a real scalar, or a dual of
    an outer call, kept as it is.  With ``holomorphic``, complex ``x`` is kept
    complex (complex128, a Python complex for a scalar).  ``sparse``: the caller
    is a sparse Jacobian or Hessian (its error for complex ``x`` says so)."""
    t = type(x)
    if t is np.ndarray and x.dtype is _F64 and x.ndim and not holomorphic:
        return x                         # the common case, as the general one returns it
    if t is float or t is int or t is np.float64:
        return complex(x) if holomorphic else float(x)
    if x is None:                        # JAX's empty subtree: not a dualgrad leaf
        raise errors.bad_type(who, f"{name} (or each leaf of it) as a real number or array",
                              "None", "Drop the None entry from x, or pass it to f "
                              "through *args or a closure.")
    if isinstance(x, Mapping):           # a mapping other than dict / OrderedDict
        raise errors.bad_type(who, f"{name} as a number, an array or a pytree of them",
                              f"a {type(x).__name__}", "Pass dict(x) (sorted keys) or "
                              "collections.OrderedDict(x) (its own order).")
    if isinstance(x, tuple) and hasattr(t, "_fields"):   # where no pytree is read
        raise errors.bad_type(who, f"{name} as a number or an array (a namedtuple is a "
                              "pytree, which this helper does not take)",
                              f"the namedtuple {t.__name__}", "Pass np.array(x) and index "
                              "it in f, or take dg.jacobian / dg.grad, which read a "
                              "namedtuple point as a pytree.")
    if isinstance(x, Dual):
        from ..dual import check_live
        check_live(x.tag, who)           # a dual of a finished call (escaped): an error
        return x
    if isinstance(x, np.ndarray) and type(x) is not np.ndarray:    # np.matrix, masked
        from ..dispatch._operands import plain_array
        x = plain_array(who, x)
    if isinstance(x, np.ndarray) and x.dtype == object:
        from ..dual import from_object_array
        return from_object_array(x)
    try:
        arr = np.asarray(x)
    except (TypeError, ValueError) as exc:
        raise errors.bad_type(who, f"{name} as a real number or array",
                              type(x).__name__) from exc
    if arr.dtype == object:
        _refuse_tracer(who, x, name)
        if any(isinstance(a, Dual) for a in arr.flat):     # [p[0], p[1]] of an outer
            from ..dual import from_object_array           # call's scalar duals: read
            return as_input(who, from_object_array(arr), holomorphic, name, sparse)
    if arr.dtype.kind == "c" and not holomorphic:
        raise errors.complex_input(who, arr.dtype, name, sparse)
    if arr.dtype.kind not in "biufc":
        if arr.dtype == object and arr.ndim == 0:      # a dataclass, a flax-style struct
            raise errors.bad_type(
                who, f"{name} as a number, an array or a pytree of them (dict, list, "
                "tuple, namedtuple)", f"an object of type {type(x).__name__}",
                "Pass its fields as a dict (dataclasses.asdict(x) for a dataclass) and let "
                "f read them by key, or pass the arrays as separate arguments with "
                "argnums=. (JAX, too, needs a class registered as a pytree; dualgrad has "
                "no registry.)")
        raise errors.bad_type(who, f"{name} as a real number or array", f"dtype {arr.dtype}")
    if holomorphic:
        return np.asarray(arr, dtype=complex) if arr.ndim else complex(arr)
    # no copy here: the passes seed private copies (dualgrad.api._seed.private)
    return np.asarray(arr, dtype=float) if arr.ndim else float(arr)


def _refuse_tracer(who, x, name):
    """A derivative helper called inside ``f`` of ``dg.sparsity`` / ``sparsity="auto"``
    (``dg.jacobian(dg.grad(f), x, sparsity="auto")``): the tracer follows values, not a
    derivative's dependencies, so the helper refuses it naming the sparse Hessian
    (attack44 05: it said "got dtype object" where the user passed float64)."""
    # the tracer's class marks itself (importing api._sparsity here would close the
    # circle _dense -> _sparsity -> _validate that tests/test_architecture refuses)
    if getattr(type(x), "sparsity_tracer", False):
        raise errors.bad_type(
            who, f"{name} as a real number or array",
            "the sparsity tracer of dg.sparsity / sparsity='auto' (it traced f into "
            f"{who}, a derivative whose pattern the tracer cannot follow)",
            "For the sparse Hessian of f call dg.hessian(f, x, sparsity='auto') (its "
            "pattern: dg.hessian_sparsity(f, x)); for another derivative function pass "
            "its pattern by hand (sparsity=P), or drop sparsity= for the dense Jacobian.")


def refuse_traced_helper(who, f, nargs, traced=False):
    """``dg.sparsity(g, x)`` / ``dg.jacobian(g, x, ..., sparsity="auto")`` of a function
    ``g`` that a derivative helper made, other than ``grad(f)`` of argument 0 (whose
    pattern is f's Hessian's: ``_dualgrad_hessian_of``): the tracer would run inside
    g's own passes, which seed another argument (``grad(f, argnums=1)``: the mixed
    block d2f/dx dy) or the tracer itself, and meet a dual it cannot follow (it said
    "converting a dual array to dtype float64 ... use np.sin instead of math.sin",
    blaming a conversion f does not contain; attack45 07)."""
    own = getattr(f, "_dualgrad_argnums", None)
    if own is None or not traced and getattr(f, "_dualgrad_mixed_of", None) is not None:
        return              # (grad(f, argnums=k)'s mixed block: dg.sparsity traces f)
    nums = (own,) if type(own) is int else tuple(own)
    if any(type(i) is not int or i % nargs == 0 for i in nums if -nargs <= i < nargs):
        return              # the helper seeds the tracer: its own refusal names itself
    name = getattr(f, "__name__", "f")
    raise errors.bad_type(
        who, "a function the sparsity tracer can follow (plain NumPy code of x)",
        f"{name}, a derivative function dg.grad / dg.jacfwd made with argnums={own!r}: "
        "its passes seed another argument, whose duals the tracer cannot follow",
        "For the mixed block d2f/dx dy of grad(f, argnums=1) at a pytree point call "
        "dg.hessian(f, x, y, "
        "argnums=(0, 1)) and take [1][0] (dense), or pass the block's pattern by hand "
        "(sparsity=P, e.g. P = dg.hessian_sparsity(lambda z: f(z[:n], z[n:]), "
        "np.concatenate([x, y]))[n:, :n] with n = x.size); for f's own sparse Hessian "
        "dg.hessian(f, x, sparsity='auto').")


def check_chunk(who, chunk):
    if chunk is None:
        return None
    try:
        value = operator.index(chunk)
    except TypeError:
        value = None
    if value is None or isinstance(chunk, bool) or value < 1:
        raise errors.bad_argument(who, "chunk as a positive integer or None", repr(chunk))
    return value


def check_argnums(who, argnums, nargs):
    many = isinstance(argnums, tuple)
    items = argnums if many else (argnums,)
    if not items:                       # (JAX refuses it too: nothing to differentiate)
        raise errors.bad_argument(
            who, "argnums as an int or a non-empty tuple of ints naming the arguments to "
            "differentiate", "argnums=()", "Fix: name at least one argument, e.g. "
            "argnums=0, or call f itself where no derivative is wanted.")
    for a in items:
        if isinstance(a, bool) or not isinstance(a, (int, np.integer)) or \
                not -nargs <= a < nargs:
            raise errors.bad_argument(
                who, f"argnums as an int or a tuple of ints indexing the {nargs} "
                "positional arguments", repr(argnums))
    return tuple(int(a) % nargs for a in items), many


def scipy_sparse(who):
    """``scipy.sparse``, or an ImportError that says how to get it."""
    try:
        import scipy.sparse as sp  # type: ignore[import-untyped, unused-ignore]
    except ImportError as exc:
        raise errors.needs_scipy(who) from exc
    return sp
