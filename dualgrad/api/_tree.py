"""Pytrees: dicts, lists and tuples of arrays and scalars, flattened to leaves and back.

The rule that keeps old calls meaning what they meant: a list or tuple that
NumPy reads as one numeric array (numbers, scalar duals, or such lists nested
to equal lengths) is an array leaf, as before; any other list or tuple (one
holding an ndarray, an array dual, a dict, or lists of unequal lengths) is a
node, and so is every dict.  Dicts flatten in sorted key order, as JAX does
(insertion order when the keys do not sort); an ``OrderedDict`` in its own order,
as JAX does, and comes back an ``OrderedDict``.
"""

import numbers
from collections import OrderedDict

import numpy as np

from ..dual import Dual

__all__ = ["is_node", "flatten", "unflatten", "leaf_paths", "first_difference", "LEAF",
           "Results", "ResultList", "helper_made"]

LEAF = None                      # the treedef of a single leaf


class Results(tuple):
    """A tuple a dualgrad helper returned: one result per argnum of a tuple ``argnums``,
    ``(value, gradient)`` of ``value_and_grad``, ``(out, aux)`` with ``has_aux``.

    A plain tuple otherwise, but a pytree node wherever it goes (never one array
    stacked from its items), so that an outer helper differentiating a helper-made
    function takes JAX's order, outputs outside and inputs inside:
    ``dg.jacobian(dg.grad(f, argnums=(0, 1)), x, y, argnums=(0, 1))[i][j]`` is
    d grad_i / d arg_j, equal shapes or not.  Stacked, the argnums tuple ended up
    outside and the mixed blocks came back transposed (attack45 03).  A user's own
    tuple or list of equal-shape arrays is still stacked into one array, as documented.
    """

    __slots__ = ()


class ResultList(list):
    """A list a dualgrad helper returned in the structure of a list point (``dg.grad(f)([a,
    b])``): a plain list otherwise, and, as :class:`Results`, a pytree node wherever it
    goes, so ``dg.jacfwd(dg.grad(f))([a, b])[i][j]`` is d grad_i / d p_j."""

    __slots__ = ()


def helper_made(tree):
    """``tree`` (built in the structure of a helper's input) with a plain tuple or list at
    its top as :class:`Results` / :class:`ResultList`, a namedtuple as its helper-made
    twin (:func:`_made_twin`): an outer helper differentiating the helper-made function
    reads it as a node, never as one array stacked from its items.
    ``dg.jacfwd(dg.grad(f))((a, b))`` stacked grad's tuple, putting the point's
    structure outside and transposing the mixed blocks against JAX and dg.hessian
    (attack46 06).  A user's own namedtuple output keeps its meaning (numbers: one
    array, as SciPy's approx_fprime reads it)."""
    t = type(tree)
    if t is tuple:
        return Results(tree)
    if t is list:
        return ResultList(tree)
    if _is_namedtuple(tree) and not getattr(t, "_helper_made", False):
        return _made_twin(t)(*tree)
    return tree


_TWINS: dict = {}


def _made_twin(t):
    """A subclass of the namedtuple class ``t`` marked as a helper's result (made once per
    class): ``isinstance`` of ``t``, the same fields and repr, a node wherever it goes,
    and pickled as a plain ``t``."""
    twin = _TWINS.get(t)
    if twin is None:
        twin = type(t.__name__, (t,), {"__slots__": (), "_helper_made": True,
                                       "__reduce__": lambda self: (t, tuple(self)),
                                       "__module__": t.__module__,
                                       "__qualname__": getattr(t, "__qualname__", t.__name__)})
        twin = _TWINS.setdefault(t, twin)
    return twin


def _is_number(item):
    return isinstance(item, numbers.Number) or (isinstance(item, Dual) and item.ndim == 0) \
        or (isinstance(item, np.ndarray) and item.ndim == 0 and item.dtype == object)


def _array_like_length(x):
    """The length of a list/tuple NumPy reads as one numeric array, else ``None``."""
    lengths = set()
    for item in x:
        if type(item) in (list, tuple):
            n = _array_like_length(item)
            if n is None:
                return None
            lengths.add(("seq", len(item)))
        elif _is_number(item):
            lengths.add(("num",))
        else:
            return None
        if len(lengths) > 1:
            return None
    return len(x)


def is_node(x, point=False):
    """Is ``x`` a pytree node (rather than one array or scalar)?  ``point``: ``x`` is
    (part of) a point to differentiate at, where a namedtuple is always a node, as in
    JAX: f reads its fields by name (a namedtuple of numbers was read as one array, and
    ``p.mu`` raised AttributeError: attack61 04); an output's namedtuple of numbers
    stays one array (slogdet's ``(sign, logabsdet)``, as SciPy reads it)."""
    if point and _is_namedtuple(x):
        return True
    t = type(x)
    if t is dict or t is OrderedDict or t is Results or t is ResultList or \
            getattr(t, "_helper_made", False):
        return True
    if isinstance(x, (list, tuple)) and (t in (list, tuple) or _is_namedtuple(x)):
        return _array_like_length(x) is None
    return False


def _is_namedtuple(x):
    return isinstance(x, tuple) and hasattr(type(x), "_fields")


def flatten(tree, point=False):
    """``(leaves, treedef)``; a non-node is its own single leaf (treedef ``LEAF``);
    ``point``: as :func:`is_node`'s."""
    leaves = []
    return leaves, _flatten_into(tree, leaves, point)


def _flatten_into(tree, leaves, point=False):
    if not is_node(tree, point):
        leaves.append(tree)
        return LEAF
    if type(tree) is dict or type(tree) is OrderedDict:
        keys = list(tree)
        if type(tree) is dict:
            try:
                keys = sorted(tree)
            except TypeError:            # keys of mixed types: the dict's own order
                pass
        return (type(tree), tuple(keys),
                tuple(_flatten_into(tree[k], leaves, point) for k in keys))
    return (type(tree), len(tree), tuple(_flatten_into(item, leaves, point) for item in tree))


def unflatten(treedef, leaves):
    """The tree of ``treedef`` holding ``leaves`` (an iterable, consumed in order)."""
    return _build(treedef, iter(leaves))


def _build(treedef, it):
    if treedef is LEAF:
        return next(it)
    kind, keys, children = treedef
    items = [_build(child, it) for child in children]
    if kind is dict or kind is OrderedDict:
        return kind(zip(keys, items))
    if kind is list:
        return items
    if kind is tuple:
        return tuple(items)
    if kind is Results:
        return Results(items)
    if kind is ResultList:
        return ResultList(items)
    return kind(*items)                  # a namedtuple


def leaf_count(treedef):
    if treedef is LEAF:
        return 1
    return sum(leaf_count(child) for child in treedef[2])


def same_structure(a, b):
    """Do two treedefs have the same node types, keys and lengths?"""
    return a == b


def _child_names(treedef):
    kind, keys, _ = treedef
    return [f"[{k!r}]" for k in keys] if kind is dict or kind is OrderedDict else \
        [f"[{i}]" for i in range(keys)]


def leaf_paths(treedef, path=""):
    """Each leaf's path (``['b'][0]``), in :func:`flatten`'s order."""
    if treedef is LEAF:
        return [path or "the leaf"]
    return [p for name, child in zip(_child_names(treedef), treedef[2])
            for p in leaf_paths(child, path + name)]


def first_difference(a, b, path=""):
    """``(path, a's node, b's node)`` where treedefs ``a`` and ``b`` first differ,
    or ``None`` where they are the same."""
    if a == b:
        return None
    if a is LEAF or b is LEAF or a[:2] != b[:2]:
        return path or "the top", a, b
    for name, ca, cb in zip(_child_names(a), a[2], b[2]):
        found = first_difference(ca, cb, path + name)
        if found:
            return found
    return None
