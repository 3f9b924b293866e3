"""``scipy.special``'s reductions that take dual numbers: ``logsumexp``,
``softmax``, ``log_softmax``; ``polygamma``; and ``airy`` (four outputs).

SciPy converts their input with ``np.asarray`` first, so dual numbers cannot pass
through them (``scipy.special``'s ufuncs, ``erf``, ``gammaln`` ..., take duals as
they are, and ``from dualgrad.scipy.special import gammaln, expit`` gives SciPy's own
ufuncs, as ``jax.scipy.special``'s import is written).  These have SciPy's signatures;
on plain input they call SciPy (the same result, bit for bit); on duals:

* ``logsumexp``: the value is SciPy's (computed on the values, one dual level at a
  time) and the partials ``d out = sum(b e^(a - out) da + e^(a - out) db)`` (over
  ``sign`` with ``return_sign=True``), so SciPy's numerics hold where they matter:
  its max shift, rows of ``-inf`` (value ``-inf``, partials 0), ``b == 0`` entries
  (dropped, also where ``a`` is infinite), negative sums (NaN, or the sign).
* ``polygamma(n, x)``: SciPy's own formula, ``digamma(x)`` where ``n == 0`` and
  ``(-1)**(n + 1) gamma(n + 1) zeta(n + 1, x)`` elsewhere, on the dual through the
  table's rows (the same operations: SciPy's bits), so its derivative is
  ``polygamma(n + 1, x)`` at every order; ``n`` plain (zeta is differentiable in its
  second argument only: a dual ``n`` raises the table's error).
* ``airy(z)``: SciPy's ``(Ai, Ai', Bi, Bi')`` of the values, each with its
  derivative ``Ai'``, ``z Ai``, ``Bi'``, ``z Bi`` (Airy's equation ``w'' = z w``), so
  every order (a Hessian's nested duals) comes from SciPy's four values again.
* ``softmax``, ``log_softmax``: SciPy's own steps, the maximum it subtracts taken
  from the values (a constant: both are unchanged by any shift, so the partials
  are exact and the values SciPy's).

For instance, logsumexp's gradient is the softmax:

>>> import numpy as np
>>> import dualgrad as dg
>>> from dualgrad.scipy.special import logsumexp, softmax
>>> x = np.array([1.0, 2.0, 3.0])
>>> bool(np.allclose(dg.gradient(logsumexp, x), softmax(x)))
True
"""

import numpy as np

from .. import errors
from ..dispatch._spectral import exactly_zero
from ..dispatch._lift import (Dual, last, make, outer, primal, read, read_objects, scipy_special,
                              split, traced)

__all__ = ["logsumexp", "softmax", "log_softmax", "polygamma", "airy"]


def _floating(x):
    """``x`` (not a dual) as SciPy reads it: an array, integers as float64."""
    x = np.asarray(x)
    return x.astype(np.float64) if x.dtype.kind in "biu" else x


def _times(w, d):
    """``w * d`` for a stack of partials ``d`` (directions leading), 0 where ``d`` is
    exactly 0 at every level (a zero seed times an infinite weight stays 0)."""
    if np.all(np.isfinite(primal(w))):
        return w * d
    with np.errstate(invalid="ignore"):
        return np.where(exactly_zero(d), 0.0, w * d)


def _lse(a, axis, b, sign):
    """``logsumexp(a, axis, b, keepdims=True, return_sign=sign)`` of broadcast,
    at least 1-D ``a`` and ``b`` (``b`` maybe ``None``), ``axis`` a tuple:
    ``(out, sgn)`` (``sgn`` ``None`` without ``sign``)."""
    tag, n = outer("dualgrad.scipy.special.logsumexp", a, b)
    if tag < 0:
        res = scipy_special("dualgrad.scipy.special.logsumexp").logsumexp(
            a, axis=axis, b=b, keepdims=True, return_sign=sign)
        return res if sign else (res, None)
    a0, da = split(a, tag)
    b0, db = split(b, tag)
    out, sgn = _lse(a0, axis, b0, sign)
    finite = np.isfinite(primal(out))
    shift = np.where(finite, out, 0.0) if not finite.all() else out
    with np.errstate(over="ignore", invalid="ignore"):
        e = np.exp(a0 - shift)                              # e^(a - out)
    stack = tuple(k + 1 for k in axis)                      # the directions lead
    t = 0.0
    if da is not None:
        w = e if b0 is None else b0 * e
        if b0 is not None and not np.all(np.isfinite(primal(e))):
            w = np.where(exactly_zero(b0), 0.0, w)          # SciPy drops b == 0 terms
        t = np.sum(_times(w, da), axis=stack, keepdims=True)
    if db is not None:
        t = t + np.sum(_times(e, db), axis=stack, keepdims=True)
    if not finite.all():                 # -inf (a zero sum), +inf, NaN: divide by e^out
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            scaled = t / np.exp(np.where(finite, 0.0, out))
        t = np.where(finite | exactly_zero(t), t, scaled)
    if not sign:                         # d out = dS / S
        return make(out, last(t), tag), None
    if not np.iscomplexobj(primal(t)):   # S = sgn e^out, sgn = +-1 (0 for S = 0)
        return make(out, last(t * sgn), tag), sgn
    q = t * np.conj(sgn)                 # dS / S: d out = Re q, d sgn = i sgn Im q
    return make(out, last(np.real(q)), tag), make(sgn, last(1j * sgn * np.imag(q)), tag)


def _axes(axis, ndim):
    if axis is None:
        return tuple(range(ndim))
    return np.lib.array_utils.normalize_axis_tuple(axis, ndim)


def _squeezed(x, axis, keepdims):
    if x is None or keepdims:
        return x
    return np.squeeze(x, axis=axis)


def _traced_lse(a, axis, b, keepdims, return_sign):
    """The dependence of ``logsumexp`` for sparsity tracers: the same reductions in
    NumPy's spelling (a pattern is all that is computed)."""
    if return_sign:
        raise errors.scipy_traced("dualgrad.scipy.special.logsumexp with return_sign=True")
    terms = np.exp(a) if b is None else b * np.exp(a)
    return np.log(np.sum(terms, axis=axis, keepdims=keepdims))


def logsumexp(a, axis=None, b=None, keepdims=False, return_sign=False):
    """``scipy.special.logsumexp`` that takes dual numbers.

    ``log(sum(b * exp(a)))`` along ``axis``, computed without overflow.

    Parameters
    ----------
    a : array_like or Dual
        The exponents.
    axis : None, int or tuple of ints
        The axes summed over (default: all).
    b : array_like or Dual, optional
        Weights broadcast against ``a`` (may be negative with ``return_sign``).
    keepdims, return_sign
        As SciPy's.

    Returns
    -------
    out : float, ndarray or Dual
        SciPy's own result for plain input; for duals SciPy's value (computed on
        the values) and the partials ``sum(b e^(a - out) da + e^(a - out) db)``:
        the softmax weights, exact.
    sgn : float, ndarray or Dual
        With ``return_sign=True``: the sign of the sum (locally constant for real
        input; for complex input ``S / |S|``, with its partials).

    Notes
    -----
    SciPy's edge cases keep their values and give these partials: a slice of
    ``-inf`` (or all its ``b`` zero): ``-inf``, partials 0 where the inputs do not
    move it (``dS / S`` with ``S = 0`` otherwise); entries with ``b == 0``: dropped
    (their ``a``'s partials 0, also where ``a`` is ``inf``); a negative sum without
    ``return_sign``: NaN.

    Examples
    --------
    >>> import numpy as np
    >>> import dualgrad as dg
    >>> from dualgrad.scipy.special import logsumexp
    >>> x = np.log(np.array([[1.0, 3.0], [2.0, 2.0]]))
    >>> dg.jacobian(lambda x: logsumexp(x, axis=1), x)[0]
    array([[0.25, 0.75],
           [0.  , 0.  ]])
    """
    a, b = read(a), (None if b is None else read(b))
    tag, _ = outer("dualgrad.scipy.special.logsumexp", a, b)
    if tag < 0:
        if traced(a, b):
            return _traced_lse(a, axis, b, keepdims, return_sign)
        return scipy_special("dualgrad.scipy.special.logsumexp").logsumexp(
            a, axis=axis, b=b, keepdims=keepdims, return_sign=return_sign)
    if not isinstance(a, Dual):
        a = _floating(a)
    if b is not None:
        if not isinstance(b, Dual):
            b = _floating(b)
        a, b = np.broadcast_arrays(a, b)
    if np.ndim(primal(a)) == 0:
        a = np.reshape(a, (1,))
        b = None if b is None else np.reshape(b, (1,))
    axes = _axes(axis, np.ndim(primal(a)))
    out, sgn = _lse(a, axes, b, bool(return_sign))
    out, sgn = _squeezed(out, axes, keepdims), _squeezed(sgn, axes, keepdims)
    return (out, sgn) if return_sign else out


def softmax(x, axis=None):
    """``scipy.special.softmax`` that takes dual numbers.

    Parameters
    ----------
    x : array_like or Dual
        The input.
    axis : None, int or tuple of ints
        The axes normalized over (default: all).

    Returns
    -------
    ndarray or Dual
        ``exp(x - max) / sum(exp(x - max))``, shaped like ``x``: SciPy's own for
        plain input; for duals SciPy's steps with the maximum taken from the values
        (a constant shift, so the partials are exact).

    Examples
    --------
    >>> import numpy as np
    >>> import dualgrad as dg
    >>> from dualgrad.scipy.special import softmax
    >>> dg.jacobian(softmax, np.zeros(2))        # diag(s) - s s^T at s = (1/2, 1/2)
    array([[ 0.25, -0.25],
           [-0.25,  0.25]])
    """
    x = read(x)
    tag, _ = outer("dualgrad.scipy.special.softmax", x)
    if tag < 0 and not traced(x):
        return scipy_special("dualgrad.scipy.special.softmax").softmax(x, axis=axis)
    shift = np.max(primal(x), axis=axis, keepdims=True)
    e = np.exp(x - shift)
    return e / np.sum(e, axis=axis, keepdims=True)


def log_softmax(x, axis=None):
    """``scipy.special.log_softmax`` that takes dual numbers.

    Parameters
    ----------
    x : array_like or Dual
        The input.
    axis : None, int or tuple of ints
        The axes normalized over (default: all).

    Returns
    -------
    ndarray or Dual
        ``x - logsumexp(x)`` along ``axis``, shaped like ``x``: SciPy's own for plain
        input; for duals SciPy's steps (its shift, 0 where the maximum is not
        finite) with the shift taken from the values (the partials are exact:
        ``dx - sum(softmax(x) dx)``).

    Examples
    --------
    >>> import numpy as np
    >>> import dualgrad as dg
    >>> from dualgrad.scipy.special import log_softmax
    >>> dg.jacobian(log_softmax, np.zeros(2))
    array([[ 0.5, -0.5],
           [-0.5,  0.5]])
    """
    x = read(x)
    tag, _ = outer("dualgrad.scipy.special.log_softmax", x)
    if tag < 0 and not traced(x):
        return scipy_special("dualgrad.scipy.special.log_softmax").log_softmax(x, axis=axis)
    shift = np.max(primal(x), axis=axis, keepdims=True)
    shift = np.where(np.isfinite(shift), shift, 0.0)
    tmp = x - shift
    with np.errstate(divide="ignore"):
        return tmp - np.log(np.sum(np.exp(tmp), axis=axis, keepdims=True))


def polygamma(n, x):
    """``scipy.special.polygamma(n, x)``, taking a dual ``x``: SciPy's call on plain
    input; on duals SciPy's own formula (the module docstring) through the table's
    psi, gamma and zeta rows, so the value is SciPy's and the derivative
    ``polygamma(n + 1, x)``, nested duals (Hessians) included (left42)."""
    sc = scipy_special("dualgrad.scipy.special.polygamma")
    n, x = read_objects(n), read_objects(x)     # np.array([d, 1.0]): one array dual
    if not isinstance(x, Dual) and not isinstance(n, Dual) and not traced(n, x):
        return sc.polygamma(n, x)       # plain input; a sparsity tracer takes the formula
    n = n if isinstance(n, Dual) else np.asarray(n)
    fac2 = (-1.0) ** (n + 1) * sc.gamma(n + 1.0) * sc.zeta(n + 1, x)
    return np.where(primal(n) == 0, sc.psi(x), fac2)


def airy(z):
    """``scipy.special.airy`` that takes dual numbers.

    Parameters
    ----------
    z : array_like or Dual
        Real or complex arguments.

    Returns
    -------
    Ai, Aip, Bi, Bip : ndarray, float or Dual
        SciPy's Airy functions and their derivatives of the values (SciPy's own
        result, bit for bit, on plain input); on a dual each carries its derivative,
        ``Aip``, ``z Ai``, ``Bip`` and ``z Bi`` times the partials (Airy's equation
        ``w'' = z w``: the second derivatives are the functions themselves).

    Raises
    ------
    TypeError
        For a sparsity tracer (``dg.sparsity``, ``sparsity="auto"``): four outputs
        have no pattern of one array; give the pattern (each output depends on the
        same element of ``z``) by ``sparsity=`` instead.

    Notes
    -----
    ``scipy.special.airy`` itself is a ufunc with four outputs, which the rule table's
    one-output rows do not hold: ``scipy.special.airy(d)`` raises and names this
    function (special48).

    Examples
    --------
    >>> import dualgrad as dg
    >>> from dualgrad.scipy.special import airy
    >>> import scipy.special as sc
    >>> bool(dg.derivative(lambda x: airy(x)[0], 0.5) == sc.airy(0.5)[1])
    True
    """
    sc = scipy_special("dualgrad.scipy.special.airy")
    z = read(z)
    tag, _ = outer("dualgrad.scipy.special.airy", z)
    if tag < 0:
        if traced(z):
            raise errors.scipy_traced("dualgrad.scipy.special.airy")
        return sc.airy(z)
    z0, dz = split(z, tag)
    ai, aip, bi, bip = airy(z0)             # a nested dual's values: its own level
    return (make(ai, last(aip * dz), tag), make(aip, last(z0 * ai * dz), tag),
            make(bi, last(bip * dz), tag), make(bip, last(z0 * bi * dz), tag))


def __getattr__(name):
    """``scipy.special``'s other names, SciPy's own objects (userbayes51: ``from
    dualgrad.scipy.special import logsumexp, gammaln, expit``, the import JAX users
    write for ``jax.scipy.special``, raised ImportError on ``gammaln``).

    Its ufuncs (``gammaln``, ``expit``, ``xlogy``, ...: docs/supported.md) take dual
    numbers as they are; its other functions raise on duals as when imported from
    ``scipy.special``, naming a spelling that works.  Only SciPy's public names are
    forwarded; an unknown name raises AttributeError as SciPy's module does.
    """
    if name.startswith("_"):
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    sc = scipy_special(f"dualgrad.scipy.special.{name}")
    try:
        return getattr(sc, name)
    except AttributeError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r} (nor has "
                             "scipy.special)") from None
