"""The public dual-number type, its tags, and conversions shared by both kinds.

``Dual`` is the one public type.  ``Dual(value, partials)`` returns a scalar
dual (a generated slot class, :mod:`dualgrad.dual._scalar`) or an array dual
(:mod:`dualgrad.dual._array`); ``isinstance(d, Dual)`` holds for both.  This
module is the bottom of the dual wing and knows neither kind: the constructor is
attached by :mod:`dualgrad.dual._array`, the module that knows both, and
:mod:`dualgrad.jit` attaches numba's typing hook.

Tags tell apart the perturbations of nested derivative calls: every helper
call takes a new, larger tag, and in an operation between duals of different
tags the newest one is the outer number, so duals of older tags are constants
to it (this is what prevents perturbation confusion).
"""

import sys
import threading
from typing import TYPE_CHECKING

import numpy as np

from .. import errors
from ..rules import _table

__all__ = ["Dual", "new_tag", "retire", "HOLOMORPHIC", "holomorphic_tag", "check_live",
           "primal", "newest",
           "running", "adopted", "adopting", "LIVE", "TAGS", "DIAGONAL", "linking",
           "sparse_stand_in"]

# The tags handed out so far (new_tag takes the next).  A tag is live while LIVE holds
# it: new_tag's two steps, which the helpers' one-pass path (api.helpers._one_pass)
# takes inline, and retire's pop.
TAGS = errors.SEQUENCE              # (shared with dualgrad's errors: errors.made_since)
# Tags of the helper calls still running (in any thread), each with the thread that
# runs it.  A helper retires its tag when it returns; a dual of a retired tag has
# escaped (stored in a cache, a global, a closure) and any later operation on it
# raises (JAX's escaped tracer), inside a helper or not: its derivatives belong to a
# finished computation.  Tag 0, of duals built with ``Dual(...)`` directly, never
# dies.  Operations test membership here (one dict lookup); the dict itself is never
# rebound (generated code holds it).
LIVE = errors.LIVE               # (errors reads it: an error's thread runs a call?)
# dg.quad's watch of the branches an integrand takes on duals (api/_quad.py): the
# comparisons below and the dual types' __array_ufunc__ report to it while it counts
BRANCHES = _BRANCHES = errors.BRANCHES
WATCHING = _WATCHING = errors.WATCHING
# A dual of another thread's running call is not this thread's to mix: meeting it
# raises instead of treating it as a constant of an outer call (threads' calls are
# independent).  An executor's worker running a chunk of a call nested in another
# call's ``f`` takes over the submitting thread's tags for that task (``adopted``).
_local = threading.local()
_ident = threading.get_ident


def adopted():
    """The tags this thread took over from the thread that handed it a task."""
    tags = getattr(_local, "tags", None)
    if tags is None:
        tags = _local.tags = set()
    return tags


def running():
    """The tags this thread may mix: its own running calls' and those it adopted."""
    me = _ident()
    return {t for t, owner in list(LIVE.items()) if owner == me} | adopted()


# Tags of the running ``holomorphic=True`` calls: their duals stand for a complex
# derivative, so a function without one (``conj``, ``abs``, ``real`` ...: the table's
# ``NOT_HOLOMORPHIC``) raises on them instead of giving the real-axis derivative.
HOLOMORPHIC = set()


# Where a pass's directions are an enclosing pass's (issue 13|14, tie42): the second-
# order tie-break of maximum / minimum / np.max (dispatch._second_order) compares the
# diagonal of the second-order parts, so it must know which outer direction is which
# inner one.  DIAGONAL[tag] = [outer tag, qmap, link, cursor, seeds, columns]: the
# pass of ``tag`` seeded ``seeds`` ((input dual of the outer pass, start, width,
# size) each); direction p of it is direction qmap[p] of the outer pass (-1: none),
# worked out from the seeds at the first tie that needs it (outer tag and qmap None
# until then).  Recorded only where the inner pass is dualgrad's own and seeds the
# outer pass's input duals themselves, which f cannot reach any other way
# (dg.hessian's inner gradient, jacfwd(grad(f)): api._seed.linked): a user's
# ``f(x, z)`` nested as ``grad(lambda x: f(x, z))(z)`` also moves z through the
# closure, and there an inner and an outer direction are not one direction.  The link
# carries the decisions a pass records and others replay; the api's seeding writes
# the entry and pops it when its pass ends.
DIAGONAL = {}


def linking(on=False):
    """The link of this thread's next passes (``dualgrad.api._seed.linked``, or
    ``None``), after setting it to ``on`` unless ``on`` is False (a pass sets ``None``
    while its ``f`` runs: the passes ``f`` starts are the user's)."""
    before = getattr(_local, "link", None)
    if on is not False:
        _local.link = on
    return before


def holomorphic_tag(tag):
    """Mark ``tag`` as the tag of a ``holomorphic=True`` call (until it retires)."""
    HOLOMORPHIC.add(tag)
    return tag


def new_tag(_next=TAGS.__next__, _live=LIVE, _id=_ident):
    """A tag newer than every tag handed out before; live until :func:`retire`.
    (Names bound as defaults: one call per helper call, measured at ~25 ns each.)"""
    tag = _next()
    _live[tag] = _id()
    return tag


def retire(tag, _pop=LIVE.pop, _holo=HOLOMORPHIC, _arrays=errors.ARRAYS):
    """The helper call of ``tag`` returned: its duals are dead from now on."""
    _pop(tag, None)
    if _holo:
        _holo.discard(tag)
    if tag in _arrays:
        errors.forget(tag)


def check_live(tag, who="dualgrad"):
    """Raise when ``tag`` belongs to a finished helper call (an escaped dual) or to a
    call running in another thread; duals of tag 0 (``Dual(...)``) are always usable."""
    if tag:
        owner = LIVE.get(tag)
        if owner is None:
            raise errors.escaped(who)
        if owner != _ident() and tag not in adopted():
            raise errors.other_thread(who)


class adopting:
    """``fn(*task)`` run with the tags of the thread that submitted it: an executor's
    worker evaluating a chunk of a call nested inside another call's ``f`` may mix the
    outer call's duals, as the submitting thread may (picklable for process pools)."""

    __slots__ = ("fn", "tags")

    def __init__(self, fn, tags):
        self.fn, self.tags = fn, tags

    def __call__(self, *task):
        mine = adopted()
        added = [t for t in self.tags if t not in mine]
        mine.update(added)
        try:
            return self.fn(*task)
        finally:
            mine.difference_update(added)


class Dual:
    """A dual number: a value and ``n`` directional derivatives.

    Parameters
    ----------
    value : float or array_like
        The primal value, a scalar or an array of shape ``S``.
    partials : array_like
        The directional derivatives, of shape ``S + (n,)``.

    Returns
    -------
    Dual
        A scalar dual when ``value`` is a scalar, an array dual otherwise.

    Examples
    --------
    >>> import numpy as np
    >>> import dualgrad as dg
    >>> x = dg.Dual(2.0, [1.0, 0.0])
    >>> y = x * x + 3.0
    >>> y.value, y.partials
    (7.0, array([4., 0.]))
    >>> a = dg.Dual(np.array([0.0, 1.0]), np.eye(2))
    >>> np.sin(a).partials
    array([[1.        , 0.        ],
           [0.        , 0.54030231]])
    """

    __slots__ = ()
    __array_priority__ = 100.0
    __hash__ = None

    @property
    def imag(self):
        """The imaginary part, as ``np.imag``."""
        return np.imag(self)

    def conj(self):
        """The complex conjugate, as ``np.conjugate``; a real dual itself, as NumPy's
        method returns a real array (a write through it reaches the array)."""
        return np.conjugate(self) if np.iscomplexobj(primal(self)) else self

    conjugate = conj
    # "slots": scalar, one slot per partial; "vector": scalar, partials in one
    # small array (n > 16); "array": an array dual
    _kind = "array"

    if TYPE_CHECKING:                   # attached at import by dualgrad.dual._array
        def __new__(cls, value, partials, *, tag: int = 0) -> "Dual": ...

    # ---- copy and pickle -------------------------------------------------------------
    def __copy__(self):
        """``copy.copy``: an array dual's arrays are copied (as ``ndarray``'s are); a
        scalar dual is immutable and is its own copy."""
        return self.copy() if self._kind == "array" else self

    def __deepcopy__(self, memo):
        return self.__copy__()

    def __reduce__(self):
        """Pickle a dual built with ``Dual(value, partials)``; one of a helper call
        raises: its derivatives belong to that call, which another process (or a later
        load) does not run."""
        if self.tag:
            raise errors.unpicklable()
        return (Dual, (primal(self), self.partials))

    # ---- comparisons act on values and give plain bools (so `if x > 0:` works) ------
    # Each is noted (errors.compared_since): a plain result after them is a derivative
    # of 0 through branches alone (a hand-written bisection), which the helpers warn of.
    def __lt__(self, other, _made=errors.MADE, _seq=TAGS):
        _made.compared_at = next(_seq)
        if _WATCHING[0] and _BRANCHES.record is not None:
            forced = _BRANCHES.record(np.less, (self, other))
            if forced is not None:      # (a branch set by dg.solve_ivp's coincident
                return forced           # switches' test, api/_ode_coincident)
        x = self.value
        if type(x) is float and type(other) is float:     # a scalar dual against a
            return x < other                               # Python float: primal's own
        return primal(self) < primal(other)

    def __le__(self, other, _made=errors.MADE, _seq=TAGS):
        _made.compared_at = next(_seq)
        if _WATCHING[0] and _BRANCHES.record is not None:
            forced = _BRANCHES.record(np.less_equal, (self, other))
            if forced is not None:
                return forced
        x = self.value
        if type(x) is float and type(other) is float:     # a scalar dual against a
            return x <= other                               # Python float: primal's own
        return primal(self) <= primal(other)

    def __gt__(self, other, _made=errors.MADE, _seq=TAGS):
        _made.compared_at = next(_seq)
        if _WATCHING[0] and _BRANCHES.record is not None:
            forced = _BRANCHES.record(np.greater, (self, other))
            if forced is not None:
                return forced
        x = self.value
        if type(x) is float and type(other) is float:     # a scalar dual against a
            return x > other                               # Python float: primal's own
        return primal(self) > primal(other)

    def __ge__(self, other, _made=errors.MADE, _seq=TAGS):
        _made.compared_at = next(_seq)
        if _WATCHING[0] and _BRANCHES.record is not None:
            forced = _BRANCHES.record(np.greater_equal, (self, other))
            if forced is not None:
                return forced
        x = self.value
        if type(x) is float and type(other) is float:     # a scalar dual against a
            return x >= other                               # Python float: primal's own
        return primal(self) >= primal(other)

    # An equality that holds for a scalar dual is noted too (errors.equal_since): a
    # plain result after it is a guard's constant (`if x == 0: return 1.0`), whose
    # derivative 0 is the function's only where it is constant there.
    def __eq__(self, other, _made=errors.MADE, _seq=TAGS):
        if _WATCHING[0] and _BRANCHES.record is not None:     # (dg.quad's watch: a
            forced = _BRANCHES.record(np.equal, (self, other))  # tie at a moving limit)
            if forced is not None:
                return forced
        same = primal(self) == primal(other)
        if same is True or type(same) is np.bool_ and same:
            _made.equal_at = next(_seq)
        return same

    def __ne__(self, other, _made=errors.MADE, _seq=TAGS):
        if _WATCHING[0] and _BRANCHES.record is not None:
            forced = _BRANCHES.record(np.not_equal, (self, other))
            if forced is not None:
                return forced
        differ = primal(self) != primal(other)
        if differ is False or type(differ) is np.bool_ and not differ:
            _made.equal_at = next(_seq)
        return differ

    # ---- conversions that would drop derivatives -----------------------------------
    def __float__(self):
        if self.tag and self.tag not in LIVE:      # a dual kept past its call (a global
            # k1 = q[0] read by odeint later: "use np.sin, np.zeros_like" missed; newuser60)
            raise errors.escaped("dualgrad: float(d) (also called by math.*, np.float64(d) "
                                 "and SciPy's compiled solvers)")
        if errors.storing():                       # out[i] = d into a plain array
            raise errors.remembered(    # (D.flat[0] = d: NumPy swallows it, attack68 F4)
                errors.store_into_plain(complex_value=np.iscomplexobj(primal(self))))
        caller = sys._getframe(1)
        if caller.f_code.co_filename.endswith("statistics.py"):
            raise errors.statistics_of_duals()     # fmean, geometric_mean: fsum(d)
        finder = errors.root_finder(caller)        # brentq's compiled loop
        if finder is not None:
            raise finder
        raise errors.dropped_derivatives("float(d) (also called by math.* and "
                                         "np.float64(d))", where=errors.user_line(caller))

    def as_integer_ratio(self):
        """statistics.mean / stdev / variance ask each value for its exact fraction."""
        raise errors.statistics_of_duals()

    def __int__(self):
        if errors.storing():
            raise errors.store_into_plain()
        raise errors.dropped_derivatives("int(d)", integer=True,
                                         where=errors.user_line(sys._getframe(1)))

    def __complex__(self):
        if errors.storing():                       # NumPy asks only for a complex buffer
            raise errors.store_into_plain(complex_value=True)
        raise errors.dropped_derivatives("complex(d)")

    def __index__(self):
        raise errors.dropped_derivatives("using a dual as an index", integer=True)

    def __format__(self, spec):
        if not spec:
            return str(self)
        raise errors.format_spec(spec)

    def __round__(self, ndigits=None):
        if self._kind == "array":        # NumPy's arrays define no __round__ either
            raise errors.DualTypeError(
                "dualgrad: round(d) of an array dual: expected a number (NumPy's arrays "
                "define no __round__ either, a TypeError on floats too), got an array. "
                "Fix: np.round(d, ndigits), which works on dual and plain arrays alike.")
        raise errors.dropped_derivatives("round(d)", integer=ndigits is None)

    def __trunc__(self):
        raise errors.dropped_derivatives("math.trunc(d) (np.trunc(d) keeps a dual)", integer=True,
                                         where=errors.user_line(sys._getframe(1)))

    def __floor__(self):
        raise errors.dropped_derivatives("math.floor(d) (np.floor(d) keeps a dual)", integer=True,
                                         where=errors.user_line(sys._getframe(1)))

    def __ceil__(self):
        raise errors.dropped_derivatives("math.ceil(d) (np.ceil(d) keeps a dual)", integer=True,
                                         where=errors.user_line(sys._getframe(1)))

    def astype(self, dtype, *args, **kwargs):
        """``d.astype(complex)`` (complex128, or a wider complex dtype): the value and
        every partial cast, as NumPy's cast of the values (a real value is the real part;
        its derivative is the cast one).  Any other dtype raises: float and integer casts
        would drop or round derivatives (``d.copy()`` keeps a dual), and complex64 rounds
        both as float32 does (attack73 F3)."""
        try:
            kind = np.dtype(dtype).kind
        except TypeError:
            kind = ""
        if kind == "c" and np.dtype(dtype).itemsize < 16:     # (complex64: as float32)
            raise errors.cast_dtype(f"d.astype({np.dtype(dtype).name})", dtype)
        if kind == "c":
            if np.dtype(dtype) == getattr(self, "dtype", None) and \
                    kwargs.get("copy", args[3] if len(args) > 3 else True) is False:
                return self                 # (NumPy's: the array itself)
            return CAST_LEVELS[0](self, np.dtype(dtype))
        if isinstance(dtype, np.dtype) and dtype == getattr(self, "dtype", None):
            # d.astype(d.dtype), generic code keeping the dtype it was given: nothing is
            # cast, so the dual stays (a copy unless copy=False); astype(float) is still
            # the conversion to plain floats that raises
            copy = kwargs.get("copy", args[3] if len(args) > 3 else True)
            return self if copy is False else self.copy()
        if kind == "f" and np.dtype(dtype).itemsize != 8:
            raise errors.cast_dtype(f"d.astype({np.dtype(dtype).name})", dtype)
        integer = kind in "biu"
        action = f"d.astype({getattr(dtype, '__name__', dtype)})"
        raise errors.dropped_derivatives(
            action if integer else action + " (d.copy() keeps a dual)", integer,
            where=errors.user_line(sys._getframe(1)))     # the line that cast


# ``cast_levels(d, dtype)`` (:mod:`._array`'s, which makes duals: installed by it, so
# that this module imports none above it)
CAST_LEVELS = []

# ``(ArrayDual, mixed_row)`` of :mod:`._array` (installed by it), which the scalar dual
# classes :mod:`._scalar` generates at run time call for a small array operand (k * u,
# small46), so that ``_scalar`` imports no module that imports it
ARRAY_ROWS = []


_table._DUAL.append(Dual)      # the rule table's value(x) strips these layers

_F64 = np.float64


def sparse_stand_in(frame):
    """What a dual gives scipy.sparse's own conversion of it in ``frame`` (the right
    operand of ``L @ u``, ``L.dot(u)``, an spmatrix's ``L * u``), or ``None`` where
    ``frame`` is not one.  ``_matmul_dispatch`` returns ``NotImplemented`` for a 0-d
    object array ("not an array"), so that Python asks the dual's reflected operator,
    which applies ``L`` to the value and to every direction's partials; a COO matrix's
    ``dot`` refuses a 0-d one but keeps the dual itself (it has a shape) for its ``@``
    when the conversion has a dimension.  An object array of scalar duals would reach
    SciPy's compiled product, which cannot take it (and cost n scalar duals)."""
    name = frame.f_code.co_name
    if name != "_matmul_dispatch" and name != "dot":
        return None
    module = frame.f_globals.get("__name__", "")
    if name == "_matmul_dispatch" and module.startswith("scipy.sparse"):
        _reflected_or_refuse(frame)
        return np.empty((), dtype=object)
    if name == "dot" and module == "scipy.sparse._coo":      # (attack47b 02)
        return np.empty((0,), dtype=object)
    return None


_OPCODES = __import__("dis").opmap
_BINARY_OPS = frozenset(code for name, code in _OPCODES.items()
                        if name.startswith(("BINARY_", "INPLACE_")))
_CACHE = _OPCODES.get("CACHE", -1)


# id(code object) -> (the code object, its co_code): co_code is a new bytes object at
# each read, and a code object's hash reads its fields (the key is its id, the entry
# holds it, so the id stays its own)
_CODE_BYTES = {}


def _binary_op(frame):
    """Whether ``frame`` is running a binary operator (its instruction before the
    inline caches ``f_lasti`` may point into)."""
    c = frame.f_code
    kept = _CODE_BYTES.get(id(c))
    if kept is None or kept[0] is not c:
        if len(_CODE_BYTES) > 256:
            _CODE_BYTES.clear()
        kept = _CODE_BYTES[id(c)] = (c, c.co_code)
    code, i = kept[1], frame.f_lasti
    while i > 0 and code[i] == _CACHE:
        i -= 2
    return code[i] in _BINARY_OPS


_BOUND_PRODUCTS = ("__matmul__", "__rmatmul__", "__mul__", "__rmul__", "__imatmul__",
                   "__imul__")


def _reflected_or_refuse(frame):
    """Nothing where the product that scipy.sparse's ``_matmul_dispatch`` (``frame``)
    computes was asked for by an operator (``L @ u``, SciPy's own ``self @ other`` in
    ``L.dot(u)``), whose protocol calls the dual's reflected method after the
    stand-in's ``NotImplemented``; dualgrad's TypeError where the caller's source text
    calls a bound product method itself (``L.__matmul__(u)``, ``map(L.__matmul__, us)``):
    no reflection follows there, and the ``NotImplemented`` leaked into f as a value
    (attack48 06).  A caller without source, or one whose call names no such method
    (``operator.matmul(L, u)`` reflects), keeps the stand-in."""
    f = frame.f_back
    if f is not None and f.f_back is not None and _binary_op(f.f_back):
        return                                  # L @ u: __matmul__'s caller (most calls)
    while f is not None and f.f_globals.get("__name__", "").startswith("scipy.sparse"):
        if f.f_code.co_name == "dot":           # its `self @ other`
            return
        f = f.f_back
    if f is None or _binary_op(f):
        return
    text = errors._source_text(f)
    method = next((m for m in _BOUND_PRODUCTS if text and f".{m}" in text), None)
    if method is not None:
        raise errors.sparse_bound_product(method, text)


def _scalar_value(value):
    """A Python float (complex for a complex value) for a NumPy scalar or 0-d array;
    inner duals pass through."""
    t = type(value)
    if t is _F64 or t is float:             # a full reduction's value: the common case
        return float(value)
    if isinstance(value, Dual):
        return value
    if t is complex or np.iscomplexobj(value):
        return complex(value)
    return float(value)


def numeric(a):
    """``a`` (array_like, object arrays of numbers included) as a float64 array, or
    complex128 where it holds complex numbers: never a silently dropped imaginary part."""
    if type(a) is np.ndarray and a.dtype == np.float64:
        return a
    arr = np.asarray(a)                 # numbers (a scalar dual's value and partials
    kind = arr.dtype.kind               # list) read once, their dtype told from it
    if kind in "biuf":
        return arr if arr.dtype == np.float64 else arr.astype(float)
    if kind == "c":                     # (np.asarray(complex, float) would only warn)
        return arr if arr.dtype == np.complex128 else arr.astype(complex)
    try:                                # object arrays: duals inside raise, complex numbers
        return np.asarray(a, dtype=float)
    except TypeError as exc:            # complex entries in a list or object array
        errors.handled(exc)
        return np.asarray(a, dtype=complex)


def primal(x):
    """``x`` with every dual layer stripped: the plain value."""
    while isinstance(x, Dual):
        x = x.value
    return x


def directions(x):
    """How many directions the dual ``x`` carries (its partials' last axis), pending
    partials left pending."""
    kind = x._kind
    if kind == "slots":
        return len(type(x).__slots__) - 2         # value, tag, p0 ... p{n-1}
    if kind == "vector":
        return len(x.partials)
    p = x._p
    return p.shape[-1] if type(p) is np.ndarray or isinstance(p, Dual) else p.n  # pending: .n


def same_directions(who, duals):
    """``ValueError`` unless the duals in ``duals`` (of one tag) carry the same number
    of directions: partials of different lengths must never broadcast or zip."""
    n = directions(duals[0])
    for d in duals[1:]:
        m = directions(d)
        if m != n:
            raise errors.mismatched_directions(who, n, m)


def newest(items, who="dualgrad"):
    """The newest tag among the duals in ``items`` and its number of partials
    (``(-1, 0)`` when there is none); duals of that tag with another number of
    partials raise ``ValueError`` (``who``: the function named in it)."""
    tag, n, mixed, first = -1, 0, False, None
    for x in items:
        if isinstance(x, Dual):
            if x.tag > tag:
                mixed = mixed or tag >= 0
                tag, n = x.tag, len(x._plist()) if x._kind == "slots" else x.partials.shape[-1]
                first = x
            elif x.tag < tag:
                mixed = True
            elif type(x) is not type(first) or x._kind != "slots":   # slots: n in the class
                same_directions(who, [first, x])
    if mixed:                           # duals of different calls meet: none may be dead
        for x in items:
            if isinstance(x, Dual):
                check_live(x.tag)
    return tag, n
