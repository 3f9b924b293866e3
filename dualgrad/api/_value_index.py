"""Indices computed from traced values, marked so ``mode="global"`` sees where they go.

A global sparsity pattern must hold at every point, but ``x[x > 0]``,
``x[np.argmax(x)]``, ``np.take_along_axis(x, np.argsort(x), 0)`` select different
elements at another point.  While ``dg.sparsity(f, x, mode="global")`` runs, the
tracer's comparisons and arg-functions (``argmax``, ``argsort``, ``searchsorted``,
``nonzero`` ...) return their plain results as :class:`ValueIndex` arrays (or
:class:`ValueInt` numbers), which stay marked through NumPy's functions, ufuncs,
indexing and integer arithmetic.  The tracer then gives whatever such an index selects
from a tracer, or writes into one, every row it could have selected.  Python's own
conversions (``int(i)``, ``i.tolist()``, ``np.array(i)``) drop the mark, as Python
``if`` on values is invisible to any tracer (docs/sparse.md says so).
"""

import numpy as np

__all__ = ["ValueIndex", "ValueInt", "mark", "holds_value_index", "plain"]


def mark(obj):
    """``obj`` (an array, a NumPy integer or bool, or tuples / lists of them) marked."""
    if type(obj) is np.ndarray:
        return obj.view(ValueIndex)
    if isinstance(obj, np.integer) and not isinstance(obj, ValueInt):
        return ValueInt(obj)
    if isinstance(obj, np.bool_):           # (a 0-d mask: x[0] > 0)
        return np.asarray(obj).view(ValueIndex)
    if type(obj) in (tuple, list):
        return type(obj)(mark(o) for o in obj)
    return obj


def plain(obj):
    """``obj`` with every mark removed (recursively in tuples, lists and dicts)."""
    if isinstance(obj, ValueIndex):
        return obj.view(np.ndarray)
    if isinstance(obj, ValueInt):
        return np.int64(obj)
    if type(obj) in (tuple, list):
        return type(obj)(plain(o) for o in obj)
    if type(obj) is dict:
        return {k: plain(v) for k, v in obj.items()}
    if type(obj) is slice:
        return slice(*plain((obj.start, obj.stop, obj.step)))
    return obj


def holds_value_index(obj):
    """Does ``obj`` (a key, an argument list) hold a marked index anywhere?"""
    if isinstance(obj, (ValueIndex, ValueInt)):
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
    res = getattr(ufunc, method)(*plain(inputs), **plain(kwargs))
    if outs:
        return outs[0] if len(outs) == 1 else tuple(outs)
    return mark(res)


def _array_function(self, func, types, args, kwargs):
    """NumPy's function on the plain numbers, the results marked."""
    if any(not issubclass(t, (np.ndarray, np.generic)) for t in types):
        return NotImplemented
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

    # the ndarray methods that return base-class results
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


class ValueInt(np.int64):
    """A NumPy integer computed from traced values (``np.argmax(x)``); integer
    arithmetic keeps the mark (``np.argmax(x) + 1``).

    Examples
    --------
    >>> i = ValueInt(3)
    >>> type(i + 1).__name__, type(2 * i - 1).__name__, int(i + 1)
    ('ValueInt', 'ValueInt', 4)
    >>> type(np.clip(i - 4, 0, 2)).__name__, type(np.unravel_index(i, (2, 2))[0]).__name__
    ('ValueInt', 'ValueInt')
    """

    __array_ufunc__ = _array_ufunc
    __array_function__ = _array_function

    def clip(self, *args, **kwargs):
        return mark(np.int64(self).clip(*args, **kwargs))


def _keeps_mark(name):
    base = getattr(np.int64, name)

    def method(self, *other):
        res = base(self, *other)
        return ValueInt(res) if isinstance(res, np.integer) and \
            not isinstance(res, ValueInt) else res
    method.__name__ = name
    return method


for _name in ("__add__", "__radd__", "__sub__", "__rsub__", "__mul__", "__rmul__",
              "__floordiv__", "__rfloordiv__", "__mod__", "__rmod__", "__neg__", "__pos__",
              "__abs__"):
    setattr(ValueInt, _name, _keeps_mark(_name))
del _name
