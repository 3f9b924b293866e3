"""Reading arguments into duals and writing results out: the bottom of dispatch.

What every handler of the wing needs before and after its own work: a list or an
object array of duals as one array dual (:func:`operand`), an ``out=`` argument
filled (:func:`write_out`), and ``|x|**2`` of a real or complex dual (:func:`abs2`).  It imports no other
module of dispatch, so the handler modules import it and none of them imports
another to reach these.
"""

import math

import numpy as np

from .. import errors
from ..dual import HOLOMORPHIC, Dual, primal
from ..dual._array import floats
from ..dual import from_object_array as _from_object_array

__all__ = ["plain_array", "operand", "write_out", "abs2", "is_complex", "check_holomorphic",
           "is_sparse", "is_sparse_matrix", "moved", "overlaps"]


def plain_array(who, a):
    """An ndarray subclass as a plain ndarray where that means the same (``np.memmap``);
    any other subclass (``np.matrix``: ``*`` is a matrix product; masked arrays:
    reductions skip masked entries) raises ``TypeError`` naming it and the fix."""
    if isinstance(a, np.memmap):
        return np.asarray(a)
    raise errors.array_subclass(who, type(a))


def is_sparse(a):
    """A scipy.sparse matrix or array, told without importing scipy."""
    return type(a).__module__.startswith("scipy.sparse") and hasattr(a, "tocsr")


def is_sparse_matrix(a):
    """A scipy.sparse *matrix* (``spmatrix``, not a sparse array): NumPy's ``np.matrix``
    semantics, where ``L * u`` and ``u * L`` are matrix products."""
    return is_sparse(a) and any(k.__name__ == "spmatrix" for k in type(a).__mro__)


def operand(a):
    """A list or tuple operand (nested, maybe holding duals) as NumPy would read it,
    ``np.asarray(a)``, with object arrays of duals turned into one array dual;
    anything else unchanged.

    A list must never reach the arithmetic of the partials as a list: ``partials *
    [1.0, 2.0]`` would scale the directions axis instead of the elements.
    """
    if type(a) is list or type(a) is tuple or isinstance(a, (list, tuple)):
        noted = errors.objects_noted()       # (its scalar duals are read back below)
        a = np.asarray(a)
        errors.objects_restore(noted)
    elif isinstance(a, np.ndarray) and type(a) is not np.ndarray:
        a = plain_array("dualgrad", a)
    if type(a) is np.ndarray and a.dtype == object:
        return _from_object_array(a)
    return a


def moved(x, source, destination):
    """``np.moveaxis(x, source, destination)`` of a plain array for one axis (negative
    numbers count from the end), ``x`` itself where the axis is already there: NumPy's
    call then makes a view of the same strides after its axis normalisation, the
    larger part of its cost on 1-D operands (issue 13, fn12)."""
    ndim = x.ndim
    if source % ndim == destination % ndim:
        return x
    return np.moveaxis(x, source, destination)


def overlaps(a, b):
    """Whether the arrays ``a`` and ``b`` (ndarrays, or anything with a ``value``
    ndarray: an array dual, a sparsity tracer, whose views share their base's values
    as they share its partials) share memory: NumPy's exact answer where it is cheap,
    ``True`` where it is too hard to tell."""
    a, b = (floats(x) for x in (a, b))
    if not isinstance(a, np.ndarray) or not isinstance(b, np.ndarray) or \
            not np.may_share_memory(a, b):
        return False
    try:
        return bool(np.shares_memory(a, b, max_work=1000))
    except np.exceptions.TooHardError:
        return True


def write_out(result, out, inputs=(), name=None):
    """Store ``result`` into the ``out=`` argument(s) and return them; ``inputs`` and
    ``name``: the ufunc's, whose message names an in-place update (``a += d``) where a
    plain ``out`` is one of its inputs."""
    results = result if isinstance(result, tuple) else (result,)
    outs = out if isinstance(out, tuple) else (out,)
    for r, o in zip(results, outs):
        if isinstance(o, Dual):
            o[...] = r
        elif isinstance(r, Dual) and type(o) is np.ndarray and o.dtype == object:
            _store_objects(r, o)        # an object array holds scalar duals as they are
        elif isinstance(r, Dual):
            # a whole array updated in place (a += d; not U[1:-1] += d, a view of a
            # buffer, which rebinding would not mend): the message leads with the rebind
            update = name if getattr(o, "base", 0) is None and \
                any(o is a for a in inputs) else None
            raise errors.store_into_plain(getattr(o, "dtype", None),
                                          np.iscomplexobj(primal(r)), update)
        else:
            np.copyto(o, r)
    return outs if isinstance(result, tuple) else outs[0]


def _store_objects(r, o):
    """``out=o`` of an object array (``a = np.array([d0, d1]); a += x``): its elements
    become the scalar duals of ``r``, broadcast to ``o``'s shape as NumPy would."""
    if r.shape == ():
        items = np.empty((), dtype=object)
        items[()] = r
    else:
        items = np.array(r)             # a new object array of r's scalar duals
    np.copyto(o, items, casting="unsafe")


def abs2(x):
    """``|x|**2``: ``x * x`` for real values, ``real**2 + imag**2`` for complex ones."""
    if np.iscomplexobj(primal(x)):
        re, im = np.real(x), np.imag(x)
        return re * re + im * im
    return x * x


def is_complex(d):
    """Does the dual ``d`` hold a complex number anywhere: its value or its partials,
    at every level of nesting?

    A nested dual (a Hessian's) is complex when any layer is: the value of the
    outer layer and its partials are themselves duals, and a complex number in one
    of them (``(x0 + 1j*x1)**2`` differentiated twice) makes the outer layer's
    derivative of ``abs``/``conj``/``sign`` the table's tangent, not its real-line
    derivative.
    """
    if d._kind == "slots":
        return d._complex()
    return _any_complex(d.value) or _any_complex(d.partials)


def _any_complex(x):
    """Is ``x`` (a number, an array or a dual of any depth) complex anywhere?"""
    if isinstance(x, Dual):
        return is_complex(x)
    return np.iscomplexobj(x)


class Unusable:
    """A part of a result that has no derivative at this point, given in its place:
    left unused it costs nothing; any use (arithmetic, a NumPy call, an attribute,
    returning it from ``f``) raises ``error()``, the error naming it.  Its ``shape``,
    ``ndim``, ``size`` and ``len`` are the part's own (``if res.size:``, NumPy's way to
    ask whether lstsq formed the sums, attack27; ``len(values)`` of ``np.unique``'s
    values)."""
    __slots__ = ("_name", "shape", "_error", "_why")

    def __init__(self, name, shape, error, why):
        object.__setattr__(self, "_name", name)
        object.__setattr__(self, "shape", tuple(shape))
        object.__setattr__(self, "_error", error)
        object.__setattr__(self, "_why", why)

    @property
    def ndim(self):
        return len(self.shape)

    @property
    def size(self):
        return math.prod(self.shape)

    def __len__(self):
        if not self.shape:
            raise TypeError("len() of unsized object")
        return self.shape[0]

    def _refuse(self, *args, **kwargs):
        raise object.__getattribute__(self, "_error")()

    def __getattr__(self, attr):
        self._refuse()

    def __repr__(self):
        return (f"<{object.__getattribute__(self, '_name')}: "
                f"{object.__getattribute__(self, '_why')}, unusable here>")


class NotHolomorphic(Unusable):
    """A part of a ``holomorphic=True`` call's result that has no complex derivative
    (``np.linalg.lstsq``'s residual sums ``|b - A x|**2`` of a complex ``b``), given in
    its place: left unused (``x = lstsq(A, b)[0]``, holomorphic in ``b``) it costs
    nothing; any use raises the error of a function that is not holomorphic, naming it."""
    __slots__ = ()

    def __init__(self, name, shape=()):
        super().__init__(name, shape, lambda: errors.not_holomorphic(name), "not holomorphic")


for _name in ("__array__", "__array_ufunc__", "__array_function__", "__setattr__",
              "__add__", "__radd__", "__sub__", "__rsub__", "__mul__", "__rmul__",
              "__truediv__", "__rtruediv__", "__floordiv__", "__rfloordiv__", "__mod__",
              "__rmod__", "__pow__", "__rpow__", "__matmul__", "__rmatmul__", "__neg__",
              "__pos__", "__abs__", "__lt__", "__le__", "__gt__", "__ge__", "__eq__",
              "__ne__", "__bool__", "__float__", "__complex__", "__int__", "__index__",
              "__iter__", "__getitem__", "__setitem__", "__contains__",
              "__round__", "__format__", "__reduce__", "__reduce_ex__", "__copy__",
              "__deepcopy__"):
    setattr(Unusable, _name, Unusable._refuse)
Unusable.__hash__ = None


def check_holomorphic(name, args, positions=None):
    """Raise ``TypeError`` when a complex dual of a ``holomorphic=True`` call reaches a
    function without a complex derivative (the table's ``NOT_HOLOMORPHIC``) at one of
    ``positions`` of ``args`` (all of them for ``None``)."""
    for i, d in enumerate(args):
        if isinstance(d, Dual) and (positions is None or i in positions) and \
                d.tag in HOLOMORPHIC and is_complex(d):
            raise errors.not_holomorphic(name)
