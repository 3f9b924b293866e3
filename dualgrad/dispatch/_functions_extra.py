"""More NumPy functions on duals: ``hsplit``/``vsplit``/``dsplit``, ``partition``,
``rollaxis``, ``real_if_close``, ``np.linalg.eig``/``eigvals``, ``ufunc.at``,
``sliding_window_view``, ``choose``, ``extract``, ``piecewise``, ``unstack``,
``logspace``, ``geomspace`` and ``np.linalg.trace``/``diagonal``/``matrix_transpose``.

Registered into the registries of :mod:`dualgrad.dispatch._functions` and
:mod:`dualgrad.dispatch._linalg` when those are imported; written with NumPy calls on
values and partials (directions last), so nested duals (Hessians) work too.
"""

import numpy as np

from .. import backend, errors
from ..dual import HOLOMORPHIC, Dual, make, partials_array, primal
from . import _spectral
from ._operands import operand
from ._reductions import numpys_zeros, tie_means

__all__ = ["register", "ufunc_at", "partition_index"]


def _hsplit(a, indices_or_sections):
    if np.ndim(a) == 0:
        raise ValueError("hsplit only works on arrays of 1 or more dimensions")
    return np.split(a, indices_or_sections, axis=1 if np.ndim(a) > 1 else 0)


def _vsplit(a, indices_or_sections):
    if np.ndim(a) < 2:
        raise ValueError("vsplit only works on arrays of 2 or more dimensions")
    return np.split(a, indices_or_sections, axis=0)


def _dsplit(a, indices_or_sections):
    if np.ndim(a) < 3:
        raise ValueError("dsplit only works on arrays of 3 or more dimensions")
    return np.split(a, indices_or_sections, axis=2)


def _partition(a, kth, axis=-1, kind="introselect", order=None):
    """NumPy's partition of the values, bit for bit, the partials following them
    (:func:`partition_index`)."""
    if order is not None:
        raise errors.unsupported_function("np.partition with order=")
    if axis is None:
        a, axis = np.ravel(a), 0
    v = primal(a)
    result = np.take_along_axis(a, partition_index(v, kth, axis, kind), axis=axis)
    if not isinstance(a, Dual) or np.ndim(v) == 0:
        return result
    # the k-th positions are order statistics: at a tie, every place holding a tied
    # value gets the mean of the tied elements' partials, as np.sort's run (one
    # element's alone was one side's derivative)
    ax = axis % np.ndim(v)
    result = numpys_zeros(result, lambda: np.partition(v, kth, axis=axis, kind=kind))
    out = primal(result)
    groups = []
    with np.errstate(invalid="ignore"):
        for k in np.unique(np.asarray(kth).ravel() % v.shape[ax]).tolist():
            t = np.take(out, [k], axis=ax)
            groups.append((v == t, out == t))
    if isinstance(a.value, Dual):
        held = [at for tied, at in groups if np.any(np.sum(tied, axis=ax) > 1)]
        if held:
            return _sorted_places(a, result, out, np.logical_or.reduce(held), ax)
    return tie_means(a, result, groups, ax)


def _sorted_places(a, result, out, held, ax):
    """Nested duals (a Hessian) at a tie of a k-th value: the places ``held`` (those
    holding a value tied with a k-th one) take np.sort's entries, the j-th such place
    of a value (in position order) the j-th of its run, so the k-th place is
    ``np.sort(a)[k]`` at every order (a run the second order orders: partition([x**2,
    0, -x**2], 2)[2] is x**2, Hessian 2; the run's mean gave 0) and the places hold the
    run's partials once each (np.sum(np.partition(a, k)) is np.sum(a))."""
    order = np.argsort(out, axis=ax, kind="stable")          # the sorted order of out
    rank = np.empty_like(order)
    shape = [1] * out.ndim
    shape[ax] = out.shape[ax]
    np.put_along_axis(rank, order, np.broadcast_to(
        np.arange(out.shape[ax]).reshape(shape), out.shape), axis=ax)
    placed = np.take_along_axis(np.sort(a, axis=ax), rank, axis=ax)
    return np.where(held, placed, result)


def partition_index(v, kth, axis=-1, kind="introselect"):
    """The indices that take ``v`` to ``np.partition(v, kth, axis, kind)``.

    NumPy leaves the order on either side of a k-th value undefined, and its
    ``np.partition`` of floats (a vectorized selection) orders them otherwise than
    ``np.argpartition`` from about 80 elements on (attack28 item 3): following
    argpartition gave NumPy's numbers in another place, so ``partition(x, k) * w`` had
    a wrong derivative.  Between consecutive k-th positions both hold the same
    values, so where they differ the two are matched segment by segment by value
    (then sign bit); equal values keep argpartition's order (``np.partition`` then
    splits the ties of the k-th values, as ``np.sort``).  Where a kernel runs, by bit
    pattern in one pass instead (:func:`dualgrad.backend.match_places`): equal patterns
    not tied with a k-th value share a segment, so the pairs that differ from the
    sorts' lie on k-th ties, whose places the caller gives the tie's mean, or on NaN
    places."""
    index = np.argpartition(v, kth, axis=axis, kind=kind)
    out = np.partition(v, kth, axis=axis, kind=kind)
    got = np.take_along_axis(v, index, axis=axis)
    if np.array_equal(got, out, equal_nan=True) and (
            np.iscomplexobj(out) or np.array_equal(np.signbit(got), np.signbit(out))):
        return index
    axis = axis % v.ndim
    if not np.iscomplexobj(out):
        match = backend.match_places(got, out, axis)    # one pass, not two sorts
        if match is not None:
            return np.take_along_axis(index, match, axis=axis)
    n = v.shape[axis]
    ks = np.unique(np.asarray(kth).ravel() % n)
    shape = [1] * v.ndim
    shape[axis] = n
    seg = np.broadcast_to(np.searchsorted(ks, np.arange(n), side="right").reshape(shape),
                          v.shape)

    def order(w):
        keys = (w, seg) if np.iscomplexobj(w) else (~np.signbit(w), w, seg)
        return np.lexsort(keys, axis=axis)
    match = np.take_along_axis(index, order(got), axis=axis)
    result = np.empty_like(index)
    np.put_along_axis(result, order(out), match, axis=axis)
    return result


def _rollaxis(a, axis, start=0):
    n = np.ndim(a)
    axis = _normalize(axis, n)
    if start < 0:
        start += n
    if not 0 <= start < n + 1:
        raise np.exceptions.AxisError(f"start arg requires {-n} <= start < {n + 1}")
    if axis < start:
        start -= 1
    if axis == start:
        return a[...]
    axes = list(range(n))
    axes.remove(axis)
    axes.insert(start, axis)
    return np.transpose(a, axes)


def _normalize(axis, n):
    if not -n <= axis < n:
        raise np.exceptions.AxisError(axis, n)
    return axis % n


def _real_if_close(a, tol=100):
    """The real part where NumPy drops an imaginary part below ``tol`` ulps, and the
    real part of the partials with it (the real-pair convention)."""
    value = primal(a)
    if not np.iscomplexobj(value):
        return a
    if np.isrealobj(np.real_if_close(value, tol=tol)):
        return np.real(a)
    return a


# ---- eigen-decomposition of a general matrix --------------------------------------
def _eig(a, vectors=True, _scale=True):
    """``w, V = eig(A)``.  With ``E = V^-1 dA V``: ``dw = diag(E)``; the eigenvectors
    ``dV = V (F * E)`` with ``F_ij = 1 / (w_j - w_i)`` (distinct eigenvalues), less the
    component along each vector that NumPy's unit-norm convention removes; at equal
    eigenvalues (within :func:`._spectral.resolution`; for the values, within what the
    pair's residuals allow: :func:`._spectral.resolved`) the pair's term is 0 where
    ``E_ij`` and ``E_ji`` are 0 to rounding, NaN otherwise (:mod:`._spectral`), and the
    values take the cluster's mean ``trace(E_cc) / k`` (``diag(E)`` there is of
    LAPACK's basis inside the cluster), ordered by the second order under nested
    duals where it splits the cluster, else NaN, as ``eigh``'s
    (:func:`._spectral.clustered_general`).  Complex eigenvectors follow LAPACK's
    normalization, unit norm and the largest-modulus component real
    (:func:`_lapack_normalized`).

    ``_scale=False`` (the inner level of the values alone, a Hessian of ``eigvals``):
    complex vectors are not refused and their scale is any: ``diag(V^-1 dA V)`` does not
    depend on it (``V D`` for a diagonal ``D``), so a matrix with complex eigenvalues
    has Hessians of its eigenvalues (they raised, advising ``eigvals``)."""
    if not isinstance(a, Dual):
        return np.linalg.eig(a)
    if isinstance(a.value, Dual) and not (vectors and _scale):
        w, V = _eig(a.value, True, _scale=False)
    else:
        w, V = np.linalg.eig(a.value)
    dA = np.moveaxis(a.partials, -1, 0)                   # directions first: one product
    Vi = np.linalg.inv(V)
    E = Vi @ dA @ V
    dw = np.diagonal(E, axis1=-2, axis2=-1)
    # a non-normal matrix's rounding splits a repeated eigenvalue by ~ eps * its
    # condition number: tied within that (eig47)
    ties = _spectral.tied(None, w, lambda: _spectral.block_scale(a.value, V),
                          kappa=_spectral.sensitivity(a.value, V, Vi))
    near = ties                          # the vectors' ties: a priori (_linalg._resolved_h)
    if ties is not None:                 # a close pair that its residuals resolve (eig49)
        ties = _spectral.resolved(ties, a.value, w, V, Vi)
    lost = None
    if ties is not None:
        split = _spectral.split_members(w, dw, ties, a.value, dA)
        size = _spectral.second_order_size(a, V, Vi)
        if vectors:
            dw, lost = _spectral.clustered_general(dw, ties, w, E, vectors=True, tag=a.tag,
                                                   size=size)
        else:
            dw = _spectral.clustered_general(dw, ties, w, E, tag=a.tag, size=size)
        # a defective cluster (a Jordan block: its computed eigenvectors parallel, V^-1
        # of size ~1/eps) has no eigenvalue derivatives, and V^-1 dA V is rounding there
        # (sum(eigvals) gave 0.5 for trace's 0.2): NaN (attack47b 06)
        defective = ties.any(axis=-1) & (np.linalg.norm(primal(Vi), axis=-1) *
                                         np.linalg.norm(primal(V), axis=-2) > 1e8)
        if defective.any() or split.any():
            dw = np.where(defective | split, _spectral.nan_like(dw), dw)
            gone = defective | split.any(axis=0)
            lost = gone if lost is None else lost | gone
    if ties is not None and np.iscomplexobj(primal(w)) and isinstance(a.value, Dual):
        # under a second order (nested duals) the copies of a complex cluster as one
        # value, so that np.max / np.sort of w.imag or abs(w) see a tie that the
        # members' second orders decide (they are ranked by real parts; eig48); a first
        # order keeps NumPy's values (a close pair within the tie tolerance that LAPACK
        # resolves would move by up to half its gap: attack48b 04)
        values = make(_spectral.cluster_means(w, ties), np.moveaxis(dw, 0, -1), a.tag)
        if not np.iscomplexobj(primal(a)):
            values = _spectral.conjugate_pairs(values)
    else:
        values = make(w, np.moveaxis(dw, 0, -1), a.tag)
    if not vectors:
        return values
    gap = w[..., None, :] - w[..., :, None]
    dV = V @ _spectral.couple(_spectral.inverse_gaps(gap) * E, E, near)
    if np.iscomplexobj(primal(V)) and _scale:
        if a.tag in HOLOMORPHIC:         # |v| and the real component: no complex derivative
            raise errors.eig_not_holomorphic()
        dV = _lapack_normalized(a.value, w, V, Vi, dV, near, lost)
    else:
        dV = dV - V * np.sum(V * dV, axis=-2, keepdims=True)  # each column keeps unit norm
    if lost is not None and lost.any():  # the second order picks another basis / order
        dV = np.where(lost[..., None, :], _spectral.nan_like(dV), dV)
    result = type(np.linalg.eig(np.eye(1)))
    return result(values, make(V, np.moveaxis(dV, 0, -1), a.tag))


def _lapack_normalized(A, w, V, Vi, dV, near, lost):
    """``dV`` (``V (F o E)``, any scale and phase per column) made the derivative of
    LAPACK's complex eigenvectors: ZGEEV (a complex ``A``) and DGEEV (a real ``A``'s
    complex pairs) scale each vector to unit 2-norm and turn it so that its
    largest-modulus component ``k`` is real; so ``dv = dv - v Re(v^H dv)`` (the norm)
    ``- i v Im(dv_k) / v_k`` (component ``k`` stays real), whatever multiple of ``v``
    ``dv`` held.  A real ``A``'s real eigenvectors (DGEEV: unit norm, no phase) keep
    ``dv - v (v^T dv)``, real.  Where two components tie for the largest modulus
    (within the vector's rounding) the component made real, and so the phase, jumps:
    no derivative, a ``TypeError`` (:func:`dualgrad.errors.eig_phase_tie`).  Nested
    duals: the same on duals, ``k`` from the values."""
    P, m = primal(V), np.shape(primal(V))[-1]
    real_input = not np.iscomplexobj(primal(A))
    wp = primal(w)
    dV = dV - V * np.real(np.sum(np.conj(V) * dV, axis=-2, keepdims=True))
    free = (np.imag(wp) == 0) if real_input else np.zeros(np.shape(wp), dtype=bool)
    size = np.abs(P)                                     # (..., m rows, m columns)
    k = np.argmax(size, axis=-2)                         # LAPACK's first largest
    pick = np.arange(m)[:, None] == k[..., None, :]      # (..., m, m) one-hot rows
    top = np.max(size, axis=-2)
    second = np.max(np.where(pick, -1.0, size), axis=-2) if m > 1 else np.zeros_like(top)
    tol = _spectral.NEAR * m * np.finfo(np.float64).eps * (1.0 + _conditions(A, wp, Vi, near))
    skip = free if lost is None else free | lost
    tie = ~skip & (top - second <= tol * top)
    pivot = np.sum(np.where(pick, P, 0.0), axis=-2)
    if np.any(tie) or np.any(~skip & (np.imag(pivot) != 0)):
        j = np.argwhere(tie | (~skip & (np.imag(pivot) != 0)))[0]
        rows = np.argsort(-size[tuple(j[:-1]) + (slice(None), j[-1])], kind="stable")[:2]
        raise errors.eig_phase_tie(tuple(int(i) for i in j), wp[tuple(j)], rows,
                                   size[tuple(j[:-1]) + (rows, j[-1])],
                                   bool(np.imag(pivot[tuple(j)]) != 0))
    Vk = np.sum(V * pick, axis=-2, keepdims=True)
    dVk = np.sum(dV * pick, axis=-2, keepdims=True)
    dV = dV - 1j * V * (np.imag(dVk) / np.real(Vk))
    if np.any(free):                     # DGEEV's real vectors: real, no phase
        dV = np.where(free[..., None, :], np.real(dV) + 0j, dV)
    return dV


def _conditions(A, w, Vi, near):
    """``(..., m)``: each eigenvector's error in units of ``eps`` (rounding's bound, up to
    a modest factor): ``|A|_F |y_j| / gap_j``, ``y_j`` the row ``j`` of ``V^-1`` (the
    columns have unit norm) and ``gap_j`` the distance to the nearest eigenvalue not
    tied to ``w_j`` (0 where there is none)."""
    A, Vi = primal(A), primal(Vi)
    with np.errstate(divide="ignore", invalid="ignore"):
        gap = np.abs(w[..., None, :] - w[..., :, None])
        same = np.eye(gap.shape[-1], dtype=bool) if near is None else \
            near | np.eye(gap.shape[-1], dtype=bool)
        gap = np.min(np.where(same, np.inf, gap), axis=-1)
        out = np.linalg.norm(A, axis=(-2, -1))[..., None] * np.linalg.norm(Vi, axis=-1) / gap
    return np.where(np.isfinite(out), out, 0.0)


# From this order LAPACK's Hessenberg QR (xHSEQR) leaves its small-matrix loop (ILAENV's
# NMIN, 75), and eig (Schur vectors wanted) and eigvals (values alone) may deliver the
# eigenvalues in different orders (attack49 25: m = 200, eigvals(A)[0] was another
# eigenvalue inside a derivative than in the plain call).
PLAIN_ORDER_FROM = 75


def _eigvals(a):
    """``np.linalg.eigvals(A)``: :func:`_eig`'s values, in the order NumPy's eigvals
    gives the plain matrix (from order :data:`PLAIN_ORDER_FROM`: f's value must not
    depend on whether it is differentiated)."""
    if not isinstance(a, Dual):
        return np.linalg.eigvals(a)
    w = _eig(a, vectors=False)
    plain = primal(a)
    if plain.shape[-1] < PLAIN_ORDER_FROM:
        return w
    order = np.stack([_nearest(v, p) for v, p in zip(
        primal(w).reshape(-1, plain.shape[-1]),
        np.linalg.eigvals(plain).reshape(-1, plain.shape[-1]))])
    return np.take_along_axis(w, order.reshape(primal(w).shape), axis=-1)


def _nearest(v, p):
    """The permutation ``k`` with ``v[k]`` nearest ``p`` entry by entry (the same
    eigenvalues to rounding, from two LAPACK paths); collisions (a cluster's copies)
    take the nearest values left, a loop over the colliding entries only."""
    d = np.abs(v[None, :] - p[:, None])
    k = np.argmin(d, axis=1)
    if np.unique(k).size == k.size:
        return k
    taken = np.zeros(k.size, dtype=bool)
    first = np.unique(k, return_index=True)[1]
    keep = np.zeros(k.size, dtype=bool)
    keep[first] = True
    taken[k[keep]] = True
    for i in np.flatnonzero(~keep):                 # (the colliding entries)
        free = np.flatnonzero(~taken)
        k[i] = free[np.argmin(d[i, free])]
        taken[k[i]] = True
    return k


# ---- ufunc.at -------------------------------------------------------------------------
def ufunc_at(ufunc, a, indices, b=None):
    """``np.add.at(a, indices, b)`` and ``np.subtract.at``: unbuffered, so repeated
    indices accumulate, in the value and in the partials alike."""
    if ufunc not in (np.add, np.subtract):
        raise errors.unsupported_ufunc(ufunc.__name__, "only add.at and subtract.at keep "
                                       "derivatives; use np.add.at on a log scale or a "
                                       "loop of supported operations", "at")
    if isinstance(b, (list, tuple)):         # [x[2], x[0]]: one array, as NumPy reads it
        b = operand(b)                        # (attack47 09)
    if not isinstance(a, Dual):
        if type(a) is np.ndarray and a.dtype == object and isinstance(b, Dual):
            # an object array of scalar duals (np.array(list(x)), np.asarray(d)): the
            # accumulation on it lifted, then stored back as NumPy's object loop
            # would; read-only (np.asarray's snapshot of a dual array while it lives):
            # NumPy's error, which the helpers' refusal names
            if not a.flags.writeable:
                a[...] = a
            from ..dual import from_object_array
            lifted = from_object_array(a)
            ufunc_at(ufunc, lifted, indices, b)
            a[...] = np.asarray(lifted)
            return None
        if isinstance(b, Dual):
            raise errors.store_into_plain(getattr(a, "dtype", None))
        return ufunc.at(a, indices, b)
    if isinstance(b, Dual) and b.tag > a.tag:
        raise errors.mixed_tags()
    from ..dual import ELEMENTS, _snapshots, elements_written
    if _snapshots.LIVE:
        _snapshots.check_write(a, f"np.{ufunc.__name__}.at on a dual array")
    if ELEMENTS:
        elements_written(a.value, a._p)
    from .. import backend
    backend.before_write(a.value, a._p)  # a is written: nothing pending may read it
    from ..dual._array import _promote
    same = isinstance(b, Dual) and b.tag == a.tag
    bv = b.value if same else b
    a.value = _promote(a.value, bv)              # nested: plain zeros meet outer duals
    ufunc.at(a.value, indices, bv)
    if same:
        bp = partials_array(b)
        a.partials = _promote(a.partials, bp)
        index = indices if isinstance(indices, tuple) else (indices,)
        ufunc.at(a.partials, index, bp)
    return None


# ---- np.emath (np.lib.scimath) ------------------------------------------------------
def _complex_where(x, test):
    """``x`` as NumPy's emath takes it: a complex copy where any real element passes
    ``test`` (``x < 0`` for sqrt and the logs, ``|x| > 1`` for arccos, arcsin,
    arctanh), the whole array at once, as NumPy's ``_fix_real_lt_zero`` converts it;
    else ``x`` itself.  A real dual becomes a complex dual (``d.astype(complex)``:
    its value and partials cast), whose complex rules then apply."""
    if isinstance(x, Dual):
        v = np.asarray(primal(x))
        return x.astype(complex) if v.dtype.kind != "c" and np.any(test(v)) else x
    v = np.asarray(x)
    if v.dtype.kind in "biuf" and np.any(test(v)):
        return v.astype(np.result_type(v.dtype, np.complex64))   # NumPy's _tocomplex
    return v


def _negative(v):
    return v < 0


def _beyond_one(v):
    return np.abs(v) > 1


# the place of each test's switch to complex (its sign changes there), for dg.quad's watch,
# and the functions whose value jumps there (the logs' imaginary part pi, arctanh's pi / 2;
# sqrt, arccos, arcsin and a power p > 0 are continuous through their switch)
_SWITCH = {_negative: "x", _beyond_one: "1.0 - x * x"}
_JUMPS = (np.log, np.log2, np.log10, np.arctanh)


def _report_switch(name, x, test):
    """dg.quad's watch: np.emath's ``name`` switches a real dual to complex where
    ``test`` changes (attack52 12: Im emath.log(x - p), pi below p, was a jump nobody
    reported)."""
    if errors.WATCHING[0] and isinstance(x, Dual) and \
            np.asarray(primal(x)).dtype.kind != "c":
        from ..rules._table import Branches
        errors.report_branch(Branches(f"np.emath.{name}'s switch to complex",
                                      (("jump", "sign", _SWITCH[test]),)), (x,), None)


def _emath(ufunc, test, singular=None):
    """``np.emath``'s ``ufunc``: ``x`` made complex as a whole where an element passes
    ``test``.  ``singular``: where the derivative is infinite (``x == 0`` for the
    logs): those elements of a real dual array gone complex take the real path's
    value and derivative (+0j), the one-sided limit a real array gives, not the
    complex rule's ``1 / (0 + 0j)``, nan+nanj (attack33 repro_04; as
    :func:`_emath_sqrt`)."""
    def impl(x):
        if ufunc in _JUMPS:
            _report_switch(ufunc.__name__, x, test)
        z = _complex_where(x, test)
        out = ufunc(z)
        if singular is None or z is x or not isinstance(x, Dual):
            return out
        return _real_at(singular, ufunc, x, out)
    impl.__name__ = f"_emath_{ufunc.__name__}"
    return impl


def _real_at(singular, ufunc, x, out, *rest):
    """``out`` (``ufunc(x + 0j, *rest)``) with the elements where ``singular(x)`` holds
    replaced by the real ``ufunc(x, *rest) + 0j`` where their values agree."""
    v = np.asarray(primal(x))
    hit = singular(v)
    if not np.any(hit):
        return out
    real = ufunc(np.where(hit, x, 1.0), *rest)
    with np.errstate(invalid="ignore"):
        same = hit & (np.asarray(primal(real)) + 0j == np.asarray(primal(out)))
    if not np.any(same):
        return out
    return np.where(same, real + 0j, out)


def _zero(v):
    return v == 0


def _emath_sqrt(x):
    """``np.emath.sqrt``.  A real dual array with a negative element goes complex as a
    whole (NumPy's values: ``sqrt(x + 0j)``), but its elements ``>= 0`` are
    ``sqrt(x) + 0j`` and the others ``1j * sqrt(-x)`` to the bit (the C library's
    csqrt of a real argument), so each is computed from its real root: an element 0
    gets the real sqrt's derivative, inf (the one-sided limit the real path gives),
    not the complex rule's ``0.5 / (0 + 0j)``, nan+nanj (attack31)."""
    if not isinstance(x, Dual):
        return np.sqrt(_complex_where(x, _negative))
    v = np.asarray(primal(x))
    if v.dtype.kind == "c" or not np.any(v < 0):
        return np.sqrt(x)
    up = v >= 0
    return np.where(up, np.sqrt(np.where(up, x, 0.0)) + 0j,
                    1j * np.sqrt(np.where(up, 0.0, -x)))


def _emath_logn(n, x):
    return _LOG(x) / _LOG(n)


def _emath_power(x, p):
    """``x ** p`` with a negative real ``x`` made complex (and a negative integer ``p``
    float, as NumPy's ``_fix_int_lt_zero``)."""
    if not isinstance(p, Dual):
        p = np.asarray(p)
        if p.dtype.kind in "biu" and np.any(p < 0):
            p = p * 1.0
    z = _complex_where(x, _negative)
    out = np.power(z, p)
    if z is x or not isinstance(x, Dual):
        return out
    return _real_at(_zero, np.power, x, out, p)


_LOG = _emath(np.log, _negative, _zero)


EMATH = {np.emath.sqrt: _emath_sqrt, np.emath.log: _LOG,
         np.emath.log2: _emath(np.log2, _negative, _zero),
         np.emath.log10: _emath(np.log10, _negative, _zero),
         np.emath.arccos: _emath(np.arccos, _beyond_one),
         np.emath.arcsin: _emath(np.arcsin, _beyond_one),
         np.emath.arctanh: _emath(np.arctanh, _beyond_one),
         np.emath.logn: _emath_logn, np.emath.power: _emath_power}


# ---- refuse41: structural functions and spaced samples --------------------------------
def _sliding_window_view(x, window_shape, axis=None, *, subok=False, writeable=False):
    """NumPy's read-only window view of the value; the partials' windows are the same
    view of theirs (the direction axis, which NumPy puts before the window axes, moved
    last): no copy.  ``writeable=True`` (overlapping windows written through) is refused."""
    from numpy.lib.stride_tricks import sliding_window_view
    if not isinstance(x, Dual):
        return sliding_window_view(x, window_shape, axis, subok=subok, writeable=writeable)
    if writeable:
        raise errors.unsupported_function(
            "np.lib.stride_tricks.sliding_window_view with writeable=True (writes through "
            "overlapping windows of a dual; copy the windows with np.copy, or write into "
            "x itself)")
    value = sliding_window_view(x.value, window_shape, axis)
    ndim = np.ndim(x.value)
    if axis is None:
        axes = tuple(range(ndim))
    else:
        axes = tuple(ax % ndim if -ndim <= ax < ndim else ax
                     for ax in np.atleast_1d(axis).tolist())
    windows = sliding_window_view(x.partials, window_shape, axes)
    return make(value, np.moveaxis(windows, ndim, -1), x.tag)


def _choose(a, choices, out=None, mode="raise"):
    """``np.choose``: the choices broadcast and stacked, the chosen one taken along the
    stacked axis (``mode`` as NumPy's: 'wrap' and 'clip' map the index first)."""
    if isinstance(a, Dual):
        raise errors.dropped_derivatives("np.choose(d, ...) (an index array of a dual)",
                                         integer=True)
    if out is not None:
        raise errors.unsupported_out("np.choose")
    index = np.asarray(a)
    choices = list(choices)
    n = len(choices)
    np.choose(index, [np.zeros(np.shape(primal(c))) for c in choices], mode=mode)
    if mode == "wrap":
        index = index % n
    elif mode == "clip":
        index = np.clip(index, 0, n - 1)
    shape = np.broadcast_shapes(index.shape, *(np.shape(primal(c)) for c in choices))
    stacked = np.stack([np.broadcast_to(c, shape) for c in choices])
    picked = np.take_along_axis(stacked, np.broadcast_to(index, shape)[None], axis=0)
    return picked[0]


def _extract(condition, arr):
    """``np.extract``: NumPy's own spelling, ``take(ravel(arr), nonzero(ravel(condition)))``."""
    where = np.nonzero(np.ravel(primal(condition)))[0]
    return np.take(np.ravel(arr), where)


def _piecewise(x, condlist, funclist, *args, **kw):
    """``np.piecewise`` of a dual ``x``: NumPy's own steps on the dual, so each
    function sees only the elements its condition selects (as NumPy's), and the
    result's partials are that function's there; a constant piece, and every element
    no condition selects, has zero partials.  The conditions are read on values.  A
    loop over the pieces, never over elements.  With a plain ``x`` (a dual among the
    conditions only) NumPy's own function runs on the conditions' values."""
    if isinstance(condlist, Dual):
        condlist = primal(condlist)
    elif isinstance(condlist, (list, tuple)):
        condlist = [primal(c) for c in condlist]
    if not isinstance(x, Dual):
        return np.piecewise(x, condlist, funclist, *args, **kw)
    if np.ndim(primal(x)) == 0:       # NumPy's 0-d case, through a 1-element array
        conds = np.asarray([condlist] if np.isscalar(condlist) else condlist, dtype=bool)
        one = _piecewise(np.reshape(x, (1,)), list(np.reshape(conds, (-1, 1))),
                         funclist, *args, **kw)
        return np.reshape(one, ())
    n2 = len(funclist)
    if np.isscalar(condlist) or not isinstance(condlist[0], (list, np.ndarray)):
        condlist = [condlist]             # NumPy's undocumented single condition
    condlist = np.asarray(condlist, dtype=bool)
    n = len(condlist)
    if n == n2 - 1:                       # the "otherwise" piece
        condlist = np.concatenate(
            [condlist, ~np.any(condlist, axis=0, keepdims=True)], axis=0)
    elif n != n2:
        raise ValueError(f"with {n} condition(s), either {n} or {n + 1} functions "
                         "are expected")
    if np.size(primal(x)) == 0:
        return np.zeros_like(x)
    # NumPy writes the pieces in turn into np.zeros_like(x), a later condition winning
    later = np.logical_or.accumulate(condlist[::-1], axis=0)[::-1]
    pieces = []
    for i, (cond, func) in enumerate(zip(condlist, funclist)):
        count = int(np.count_nonzero(cond))
        if count == 0:
            continue
        if callable(func):                 # called as NumPy calls it, on x[cond]
            vals = func(x[cond], *args, **kw)
        elif isinstance(func, Dual):       # a dual constant: its own partials there
            vals = func
        else:
            vals = np.asarray(func)
        if np.iscomplexobj(primal(vals)) and not np.iscomplexobj(primal(x)):
            # NumPy stores the piece into np.zeros_like(x), a real array, dropping the
            # imaginary part with a ComplexWarning: refused as np.insert's (attack57 19)
            raise errors.complex_into_real("np.piecewise")
        keep = cond & ~later[i + 1] if i + 1 < len(condlist) else cond
        pieces.append((cond, keep, count, vals))
    if all(not isinstance(v, Dual) or v.tag <= x.tag for *_, v in pieces):
        y = np.zeros_like(x)
        for cond, keep, count, vals in pieces:
            if keep is cond or np.array_equal(keep, cond):
                y[cond] = vals
            elif np.any(keep):
                y[keep] = np.broadcast_to(vals, (count,))[keep[cond]]
        return y
    # a piece closing over an inner call's dual (nested derivatives): a buffer of x's
    # level cannot hold it, so the pieces are joined and put in place by one gather
    parts, places = [], []
    for cond, keep, count, vals in pieces:
        if np.any(keep):
            parts.append(np.broadcast_to(vals, (count,))[keep[cond]])
            places.append(np.flatnonzero(keep))
    rest = ~later[0]                       # no condition: NumPy's zeros
    if np.any(rest):
        parts.append(np.zeros(int(np.count_nonzero(rest)), dtype=primal(x).dtype))
        places.append(np.flatnonzero(rest))
    order = np.argsort(np.concatenate(places), kind="stable")
    return np.reshape(np.take(np.concatenate(parts), order), np.shape(primal(x)))


def _linalg_trace(x, /, *, offset=0, dtype=None):
    return np.trace(x, offset, -2, -1, dtype)


def _linalg_diagonal(x, /, *, offset=0):
    return np.diagonal(x, offset, -2, -1)


def _linalg_matrix_transpose(x, /):
    if np.ndim(primal(x)) < 2:
        raise ValueError("Input array must be at least 2-dimensional")
    return np.swapaxes(x, -1, -2)


def _unstack(x, /, *, axis=0):
    """``np.unstack``: the slices along ``axis``, in order (one per output)."""
    if np.ndim(primal(x)) == 0:
        raise ValueError("Input array must be at least 1-d.")
    moved = np.moveaxis(x, axis, 0)
    return tuple(moved[k] for k in range(np.shape(primal(moved))[0]))


def _logspace(start, stop, num=50, endpoint=True, base=10.0, dtype=None, axis=0):
    """``base ** linspace(start, stop)``, as NumPy computes it (a dual base too)."""
    if dtype is not None and np.dtype(dtype) != np.float64:
        raise errors.cast_dtype(f"np.logspace(..., dtype={np.dtype(dtype).name})", dtype)
    y = np.linspace(start, stop, num=num, endpoint=endpoint, axis=axis)
    if np.ndim(primal(base)) > 0:
        base = np.expand_dims(base, axis)
    return np.power(base, y)


def _geomspace(start, stop, num=50, endpoint=True, dtype=None, axis=0):
    """``sign * start**(1 - t) * stop**t`` for real ends of one sign (NumPy's logspace of
    their logarithms), the first and, with ``endpoint``, the last sample the ends
    themselves, as NumPy sets them."""
    if dtype is not None and np.dtype(dtype) != np.float64:
        raise errors.cast_dtype(f"np.geomspace(..., dtype={np.dtype(dtype).name})", dtype)
    a, b = np.asarray(primal(start)), np.asarray(primal(stop))
    if np.any(a == 0) or np.any(b == 0):
        raise ValueError("Geometric sequence cannot include zero")
    if np.iscomplexobj(a) or np.iscomplexobj(b):
        return _geomspace_complex(start, stop, num, endpoint, axis)
    if np.any(np.sign(a) != np.sign(b)):
        raise errors.unsupported_function("np.geomspace with ends of opposite signs "
                                          "(NumPy's result is complex)")
    sign = np.sign(a)
    shape = np.broadcast_shapes(a.shape, b.shape)
    result = sign * np.logspace(np.log10(start * sign), np.log10(stop * sign), num,
                                endpoint=endpoint, base=10.0)
    result = _pinned_ends(result, start, stop, num, endpoint, shape)
    return np.moveaxis(result, 0, axis)


def _pinned_ends(result, start, stop, num, endpoint, shape):
    """``result`` (samples leading, ends of ``shape``) with its first sample ``start``
    and, with ``endpoint``, its last ``stop`` exactly, as NumPy's geomspace sets them."""
    if num > 0:
        first = np.zeros((num,) + (1,) * len(shape), dtype=bool)
        first[0] = True
        result = np.where(first, start, result)
        if endpoint and num > 1:
            last = np.zeros_like(first)
            last[-1] = True
            result = np.where(last, stop, result)
    return result


def _geomspace_complex(start, stop, num, endpoint, axis):
    """NumPy's complex geomspace on duals: both ends rotated by ``start``'s phase
    ``start / |start|`` (NumPy's sign) so that ``start`` is positive real, the logspace of
    their logarithms, the rotated ends as the first and, with ``endpoint``, the last
    sample, rotated back."""
    start, stop = (e * (1.0 + 0.0j) if isinstance(e, Dual) else np.asarray(e, dtype=complex)
                   for e in (start, stop))
    out_sign = start / np.abs(start)
    start, stop = start / out_sign, stop / out_sign
    shape = np.broadcast_shapes(np.shape(primal(start)), np.shape(primal(stop)))
    result = np.logspace(np.log10(start), np.log10(stop), num, endpoint=endpoint, base=10.0)
    result = _pinned_ends(result, start, stop, num, endpoint, shape)
    return np.moveaxis(result * out_sign, 0, axis)


def register(handled, linalg):
    from numpy.lib.stride_tricks import sliding_window_view
    handled.update({sliding_window_view: _sliding_window_view, np.choose: _choose,
                    np.extract: _extract, np.piecewise: _piecewise,
                    np.logspace: _logspace, np.geomspace: _geomspace})
    if hasattr(np, "unstack"):                              # NumPy >= 2.1
        handled[np.unstack] = _unstack
    if hasattr(np.linalg, "matrix_transpose"):              # NumPy >= 2.0
        linalg.update({np.linalg.trace: _linalg_trace, np.linalg.diagonal: _linalg_diagonal,
                       np.linalg.matrix_transpose: _linalg_matrix_transpose})
    handled.update({np.hsplit: _hsplit, np.vsplit: _vsplit, np.dsplit: _dsplit,
                    np.partition: _partition, np.rollaxis: _rollaxis,
                    np.real_if_close: _real_if_close})
    handled.update(EMATH)
    linalg.update({np.linalg.eig: _eig, np.linalg.eigvals: _eigvals})
