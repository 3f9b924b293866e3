"""Indices computed from traced values, marked so ``mode="global"`` sees where they go.

A global sparsity pattern must hold at every point, but ``x[x > 0]``,
``x[np.argmax(x)]``, ``np.take_along_axis(x, np.argsort(x), 0)`` select different
elements at another point.  While ``dg.sparsity(f, x, mode="global")`` runs, the
tracer's comparisons and arg-functions (``argmax``, ``argsort``, ``searchsorted``,
``nonzero`` ...) return their plain results as :class:`ValueIndex` arrays (or
:class:`ValueInt` numbers), which stay marked through NumPy's functions, ufuncs,
indexing and integer arithmetic, in NumPy's own dtypes (an ``int8`` index stays
``int8``).  The tracer then gives whatever such an index selects from a tracer, or
writes into one, every row it could have selected.

What would make a new plain integer of a mark raises TypeError: ``int(i)``,
``operator.index(i)`` (so ``table[i]`` with a plain array or list
``table``, ``range(i)``, ``np.zeros(i)``), ``np.asarray(i)`` of a marked number,
``i.item()`` and ``i.tolist()``.  What calls no method of the mark cannot be seen:
``np.asarray(m)`` / ``np.array(m)`` of a marked *array* (NumPy views a subclass's
memory without asking it), a plain array indexed by a marked array (``table[idx]``),
``np.arange(i)``, ``float(i)`` (a Python float: ``np.interp(float(i), ...)`` reads where it
is; ``i / 2`` stays a marked NumPy float), and Python ``if`` on values (docs/sparse.md
lists them).
"""

import numpy as np

from .. import errors

__all__ = ["ValueIndex", "ValueInt", "mark", "holds_value_index", "plain", "writes",
           "derived", "same_mask", "key_of"]

# how many writes into marked arrays this process has seen (a pairing of a masked
# read with a masked write holds only while its mask is unchanged: _sparsity)
_WRITES = [0]


def writes():
    """The count of writes into marked arrays so far (``m[0] = True``, ``m &= c``)."""
    return _WRITES[0]


def key_of(obj):
    """What ``obj`` is, as an argument of an elementwise function making a mask: a
    mark's origin, a number's type and value (``None``: nothing comparable)."""
    if isinstance(obj, ValueIndex):
        return obj.__dict__.get("origin", ("root", obj))
    if isinstance(obj, (bool, int, float, np.bool_, np.number)):
        return ("number", type(obj), plain(obj))
    return None


def derived(res, ufunc, keys):
    """``res`` (a mark) made by ``ufunc`` of arguments whose :func:`key_of` (or, for a
    tracer, identity and version) are ``keys``: two marks derived alike from the same
    unchanged arguments (``~m`` and ``~m``; ``x > 0`` twice) are the same mask at
    every point (:func:`same_mask`)."""
    if isinstance(res, ValueIndex) and all(k is not None for k in keys):
        res.origin = ("ufunc", ufunc, tuple(keys))
    return res


def _same(a, b):
    if type(a) is tuple and type(b) is tuple:
        return len(a) == len(b) and all(_same(p, q) for p, q in zip(a, b))
    if isinstance(a, (bool, int, float, str, np.bool_, np.number)) and type(a) is type(b):
        return a == b
    return a is b


def same_mask(a, b):
    """Are the marks ``a`` and ``b`` the same mask at every point: one object, or made
    alike by elementwise functions from the same unchanged arguments?"""
    return a is b or _same(key_of(a), key_of(b))


def _escape(what):
    """``what`` would make a plain number of a marked index: refused."""
    return errors.bad_type(
        "dualgrad.sparsity(mode='global')",
        "indices computed from traced values to stay NumPy integers and arrays (what they "
        "select then counts everywhere: x[i], np.take(x, i))",
        f"{what} of one (a plain number the tracer cannot follow: the pattern would miss "
        "what it selects at another point)",
        "Index the tracer with the NumPy value itself (x[i], not x[int(i)]), or detect "
        "at each point with mode='local' (dg.jacobian(..., sparsity='auto')).")


def mark(obj):
    """``obj`` (an array, a NumPy integer or bool, or tuples / lists of them) marked."""
    if type(obj) is np.ndarray:
        return obj.view(ValueIndex)
    if isinstance(obj, (np.integer, np.floating)) and not isinstance(obj, _Marked):
        return _INT_TYPES[type(obj)](obj) if type(obj) in _INT_TYPES else obj
    if isinstance(obj, np.bool_):           # (a 0-d mask: x[0] > 0)
        return np.asarray(obj).view(ValueIndex)
    if type(obj) in (tuple, list):
        return type(obj)(mark(o) for o in obj)
    return obj


def plain(obj):
    """``obj`` with every mark removed (recursively in tuples, lists and dicts)."""
    if isinstance(obj, ValueIndex):
        return obj.view(np.ndarray)
    if isinstance(obj, _Marked):
        return obj[()]                     # (the base type; its constructor asks int())
    if type(obj) in (tuple, list):
        return type(obj)(plain(o) for o in obj)
    if type(obj) is dict:
        return {k: plain(v) for k, v in obj.items()}
    if type(obj) is slice:
        return slice(*plain((obj.start, obj.stop, obj.step)))
    return obj


def holds_value_index(obj):
    """Does ``obj`` (a key, an argument list) hold a marked index anywhere?"""
    if isinstance(obj, (ValueIndex, _Marked)):
        return True
    if isinstance(obj, (tuple, list)):
        return any(holds_value_index(o) for o in obj)
    if isinstance(obj, dict):
        return any(holds_value_index(o) for o in obj.values())
    if isinstance(obj, slice):
        return holds_value_index((obj.start, obj.stop, obj.step))
    return False


def _foreign(objs):
    """Does another array type (a tracer) take part?  Then it decides."""
    return any(hasattr(o, "__array_ufunc__") and not isinstance(o, (np.ndarray, np.generic))
               for o in objs)


def _array_ufunc(self, ufunc, method, *inputs, **kwargs):
    """NumPy's ufunc on the plain numbers, the results marked (another array type
    taking part, the tracer, decides)."""
    outs = kwargs.get("out") or ()
    if _foreign(inputs + tuple(outs)):
        return NotImplemented
    if outs:
        _WRITES[0] += 1
    res = getattr(ufunc, method)(*plain(inputs), **plain(kwargs))
    if outs:
        return outs[0] if len(outs) == 1 else tuple(outs)
    if method == "__call__" and not kwargs:
        return derived(mark(res), ufunc, [key_of(a) for a in inputs])
    return mark(res)


def _array_function(self, func, types, args, kwargs):
    """NumPy's function on the plain numbers, the results marked."""
    if any(not issubclass(t, (np.ndarray, np.generic)) for t in types):
        return NotImplemented
    if func in _WRITERS or kwargs.get("out") is not None:
        _WRITES[0] += 1
    return mark(func(*plain(args), **plain(kwargs)))


class ValueIndex(np.ndarray):
    """A plain array computed from traced values (``x > 0``, ``np.argsort(x)``).

    Examples
    --------
    >>> import numpy as np
    >>> i = mark(np.array([2, 0, 1]))
    >>> type(i[::-1]).__name__, type(i[0]).__name__, type(np.nonzero(i > 0)[0]).__name__
    ('ValueIndex', 'ValueInt', 'ValueIndex')
    """

    __array_ufunc__ = _array_ufunc
    __array_function__ = _array_function

    def __getitem__(self, key):
        return mark(np.ndarray.__getitem__(self.view(np.ndarray), plain(key)))

    def __setitem__(self, key, value):
        _WRITES[0] += 1
        np.ndarray.__setitem__(self.view(np.ndarray), plain(key), plain(value))

    def fill(self, value):
        _WRITES[0] += 1
        self.view(np.ndarray).fill(value)

    def put(self, *args, **kwargs):
        _WRITES[0] += 1
        self.view(np.ndarray).put(*plain(args), **plain(kwargs))

    def sort(self, *args, **kwargs):
        _WRITES[0] += 1
        self.view(np.ndarray).sort(*args, **kwargs)

    def partition(self, *args, **kwargs):
        _WRITES[0] += 1
        self.view(np.ndarray).partition(*plain(args), **kwargs)

    def __int__(self):
        raise _escape("int()")

    def __index__(self):
        raise _escape("operator.index() (a plain list, range or array indexed by it)")

    def item(self, *args):
        raise _escape("i.item()")

    def tolist(self):
        raise _escape("i.tolist()")

    # the ndarray methods that return base-class results
    def searchsorted(self, *args, **kwargs):
        return mark(self.view(np.ndarray).searchsorted(*plain(args), **plain(kwargs)))

    def mean(self, *args, **kwargs):
        return mark(np.mean(self.view(np.ndarray), *plain(args), **plain(kwargs)))

    def std(self, *args, **kwargs):
        return mark(np.std(self.view(np.ndarray), *plain(args), **plain(kwargs)))

    def var(self, *args, **kwargs):
        return mark(np.var(self.view(np.ndarray), *plain(args), **plain(kwargs)))

    def dot(self, *args, **kwargs):
        return mark(np.dot(self.view(np.ndarray), *plain(args), **plain(kwargs)))

    @property
    def flat(self):
        return _MarkedFlat(self.view(np.ndarray).flat)

    def nonzero(self):
        return mark(np.nonzero(self.view(np.ndarray)))

    def argmax(self, *args, **kwargs):
        return mark(self.view(np.ndarray).argmax(*args, **kwargs))

    def argmin(self, *args, **kwargs):
        return mark(self.view(np.ndarray).argmin(*args, **kwargs))

    def argsort(self, *args, **kwargs):
        return mark(self.view(np.ndarray).argsort(*args, **kwargs))

    def sum(self, *args, **kwargs):
        return mark(self.view(np.ndarray).sum(*args, **kwargs))


class _MarkedFlat:
    """``m.flat`` of a mark: its items marked (``m.flat[k] = v`` writes, counted)."""

    def __init__(self, flat):
        self._flat = flat

    def __getitem__(self, key):
        return mark(self._flat[plain(key)])

    def __setitem__(self, key, value):
        _WRITES[0] += 1
        self._flat[plain(key)] = plain(value)

    def __iter__(self):
        return (mark(v) for v in self._flat)

    def __len__(self):
        return len(self._flat)


def _keeping(name):
    def method(self, *args, **kwargs):
        return mark(getattr(plain(self), name)(*plain(args), **plain(kwargs)))
    method.__name__ = name
    return method


def _refusing(what):
    def method(self, *args):
        raise _escape(what)
    method.__name__ = what
    return method


# what every marked NumPy integer type has (one base each: a NumPy scalar type with a
# Python mixin base loses its dtype)
_SHARED = {"__array_ufunc__": _array_ufunc, "__array_function__": _array_function,
           "clip": _keeping("clip"), "astype": _keeping("astype"),
           "round": _keeping("round"), "__round__": _refusing("round()"),
           "conjugate": _keeping("conjugate"), "__int__": _refusing("int()"),
           "__floor__": _refusing("math.floor()"), "__ceil__": _refusing("math.ceil()"),
           "__trunc__": _refusing("math.trunc()"),
           "__index__": _refusing("operator.index() (a plain list, range or array "
                                  "indexed by it)"),
           "item": _refusing("i.item()"), "tolist": _refusing("i.tolist()"),
           "__repr__": lambda self: repr(plain(self)), "__str__": lambda self: str(plain(self)),
           "__format__": lambda self, spec: format(plain(self), spec),
           "__hash__": lambda self: hash(plain(self))}


class ValueInt(np.int64):
    """A NumPy integer computed from traced values (``np.argmax(x)``); integer
    arithmetic keeps the mark (``np.argmax(x) + 1``).  The other integer dtypes have
    their own marked types (``mark(np.int8(3))``), so the marks keep NumPy's dtypes.

    Examples
    --------
    >>> i = ValueInt(3)
    >>> type(i + 1).__name__, type(2 * i - 1).__name__, plain(i + 1)
    ('ValueInt', 'ValueInt', np.int64(4))
    >>> type(np.clip(i - 4, 0, 2)).__name__, type(np.unravel_index(i, (2, 2))[0]).__name__
    ('ValueInt', 'ValueInt')
    >>> (mark(np.int8(3)) + np.int8(1)).dtype
    dtype('int8')
    """

    locals().update(_SHARED)


def _keeps_mark(name):
    def method(self, *other):
        res = getattr(plain(self), name)(*plain(other))
        if type(res) is tuple:                          # divmod
            return tuple(mark(r) if isinstance(r, (np.integer, np.floating)) else r
                         for r in res)
        return mark(res) if isinstance(res, (np.integer, np.floating)) else res
    method.__name__ = name
    return method


def _compared(name):
    def method(self, other):
        return getattr(plain(self), name)(plain(other))
    method.__name__ = name
    return method


_INT_TYPES = {np.int64: ValueInt}
for _t in (np.int8, np.int16, np.int32, np.uint8, np.uint16, np.uint32, np.uint64,
           np.longlong, np.ulonglong, np.intc, np.uintc, np.float64, np.float32, np.float16):
    if _t not in _INT_TYPES:         # (a float from a mark, i / 2 or idx.mean(), too)
        _INT_TYPES[_t] = type(f"Value_{np.dtype(_t).name}", (_t,), dict(
            _SHARED, __doc__=f"A marked ``np.{np.dtype(_t).name}`` (see :class:`ValueInt`)."))
for _cls in set(_INT_TYPES.values()):
    for _name in ("__add__", "__radd__", "__sub__", "__rsub__", "__mul__", "__rmul__",
                  "__floordiv__", "__rfloordiv__", "__mod__", "__rmod__", "__neg__",
                  "__pos__", "__abs__", "__and__", "__rand__", "__or__", "__ror__",
                  "__xor__", "__rxor__", "__lshift__", "__rshift__", "__invert__",
                  "__pow__", "__rpow__", "__truediv__", "__rtruediv__", "__divmod__",
                  "__rdivmod__"):
        setattr(_cls, _name, _keeps_mark(_name))
    for _name in ("__lt__", "__le__", "__gt__", "__ge__", "__eq__", "__ne__"):
        # a plain bool, as before (NumPy's own comparison of a subclass would ask
        # operator.index of the mark, which refuses)
        setattr(_cls, _name, _compared(_name))
del _t, _cls, _name
_Marked = tuple(set(_INT_TYPES.values()))

# functions writing into their first argument
_WRITERS = {np.put, np.place, np.putmask, np.copyto, np.fill_diagonal, np.put_along_axis}
