"""Sparse Jacobians and Hessians: colorings, compressed seeding, decompression.

A Jacobian whose columns ``j`` and ``k`` never share a row can be evaluated with
one direction for both: seed ``e_j + e_k`` and row ``i`` of the result is
``J[i, j]`` or ``J[i, k]``, whichever of the two is in the pattern.  So the
columns are colored (no two columns of one color share a row), one direction is
seeded per color, and the compressed ``(m, colors)`` result is read back into
CSR through the pattern: never a dense ``(m, n)`` array.

A Hessian is symmetric, so fewer colors do: with a *star* coloring (a distance-1
coloring in which every path on four vertices has at least three colors) each
nonzero ``H[i, j]`` is alone in its color class either in row ``i`` or in row
``j``, and is read from whichever that is (Gebremedhin, Manne and Pothen, "What
color is your Jacobian?", SIAM Review 47, 2005).  The compressed ``H @ S`` comes
from forward-over-forward duals: the outer level carries the colors, the inner
level is the gradient.

scipy is needed here only (and imported here only, on the first call).
"""

import math

import numpy as np

from .. import errors
from .. import backend
from ..dual import Dual, from_object_array, holomorphic_tag, make, new_tag, retire
from ._parallel import EXPECT, passing, run_tasks, watched
from ._seed import (_same_value, as_array, assemble, call_jitted, compared, chunk_sizes, extract,
                    is_jitted, ladder_width, linked, private)
from . import _orders
from ._dense import GradientOf, dense_jacobian, with_outer_level
from ._undefined import ordered
from ._validate import as_input, check_callable, check_chunk, scipy_sparse

__all__ = ["scipy_sparse", "as_pattern", "column_coloring", "star_coloring",
           "sparse_jacobian", "sparse_hessian"]


def as_pattern(who, sparsity, shape=None):
    """``sparsity`` (scipy.sparse or a boolean array_like) as a canonical CSR
    boolean matrix; its shape must be ``shape`` where one is given.

    A scipy.sparse pattern is its structure: every stored entry is in it, whatever
    its value (an explicit 0 or NaN too), as SciPy's ``jac_sparsity`` reads one.  An
    array's pattern is its nonzeros."""
    sp = scipy_sparse(who)
    if sp.issparse(sparsity) and sparsity.format == "csr" and sparsity.dtype == bool and \
            sparsity.has_canonical_format and \
            (shape is None or sparsity.shape == tuple(shape)) and sparsity.data.all():
        return sparsity                  # as dg.sparsity returns it: kept, so cached colors hold
    if sp.issparse(sparsity):
        S = sparsity.tocsr(copy=True)    # (a COO's duplicates are added: still stored)
        P = sp.csr_matrix((np.ones(S.nnz, bool), S.indices, S.indptr), shape=S.shape)
    else:
        try:
            dense = np.asarray(sparsity)
        except Exception as exc:  # noqa: BLE001
            raise errors.bad_type(who, "sparsity as a scipy.sparse matrix, a boolean array "
                                  "or 'auto'", type(sparsity).__name__) from exc
        if dense.ndim != 2 or dense.dtype.kind not in "biuf":
            raise errors.bad_type(who, "sparsity as a scipy.sparse matrix, a boolean array "
                                  "of shape (f(x).size, x.size) or 'auto'",
                                  f"{type(sparsity).__name__} of dtype {dense.dtype} and "
                                  f"shape {dense.shape}")
        P = sp.csr_matrix(dense != 0)
        P.eliminate_zeros()
    P.sum_duplicates()
    P.sort_indices()
    if shape is not None and P.shape != tuple(shape):
        raise errors.bad_argument(who, f"a sparsity pattern of shape {tuple(shape)} "
                                  "(f(x).size, x.size)", f"shape {P.shape}")
    return P


# ---- colorings -------------------------------------------------------------------

_CACHE = {}            # id(pattern) -> (pattern, its indices, indptr, kind, colors)


def _cached(P, kind, compute):
    """Colors of ``P`` computed once per pattern object (and recomputed when the
    pattern was changed in place), so repeated calls in a solver cost no coloring."""
    key = (id(P), kind)
    hit = _CACHE.get(key)
    if hit is not None and hit[0] is P and np.array_equal(hit[1], P.indices) and \
            np.array_equal(hit[2], P.indptr):
        return hit[3]
    colors = compute(P)
    if len(_CACHE) > 64:
        _CACHE.clear()
    _CACHE[key] = (P, P.indices.copy(), P.indptr.copy(), colors)
    return colors


def _kernels():
    from . import _coloring_kernels
    return _coloring_kernels


def column_coloring(P):
    """Colors of the columns of the CSR pattern ``P``: columns sharing a row differ.

    First-fit in several orders, the best kept; natural order is one of them, so
    there are never more colors than SciPy's column grouping (which is first-fit
    in natural order) gives.
    """
    return _cached(P, "columns", _column_coloring)


def _column_coloring(P):
    m, n = P.shape
    if n == 0:
        return np.zeros(0, np.int64)
    C = P.tocsc()
    C.sort_indices()
    k = _kernels()
    args = (C.indptr.astype(np.int64), C.indices.astype(np.int64),
            P.indptr.astype(np.int64), P.indices.astype(np.int64))
    col_nnz = np.diff(C.indptr)
    row_nnz = np.diff(P.indptr)
    # a column's conflicts are bounded by the lengths of the rows it touches
    # (a 0 appended: trailing empty columns start at the end; empty ones are masked)
    degree = np.add.reduceat(np.append(row_nnz[C.indices], 0), C.indptr[:-1]) \
        if C.nnz else col_nnz
    degree = np.where(col_nnz > 0, degree, 0)
    best = None
    for order in (np.arange(n), np.argsort(-degree, kind="stable")):
        color = k.columns_greedy(*args, order.astype(np.int64))
        if best is None or color.max() < best.max():
            best = color
    return best


def star_coloring(P):
    """A star coloring of the symmetric CSR pattern ``P`` (diagonal ignored)."""
    return _cached(P, "star", _star_coloring)


def _star_coloring(P):
    n = P.shape[0]
    if n == 0:
        return np.zeros(0, np.int64)
    G = P.tocoo()
    off = G.row != G.col
    sp = scipy_sparse("dualgrad.hessian")
    A = sp.csr_matrix((np.ones(off.sum(), bool), (G.row[off], G.col[off])), shape=(n, n))
    A.sum_duplicates()
    ptr, adj = A.indptr.astype(np.int64), A.indices.astype(np.int64)
    degree = np.diff(A.indptr)
    k = _kernels()
    best = None
    for order in (np.argsort(-degree, kind="stable"), np.arange(n)):
        color = k.star_greedy(ptr, adj, order.astype(np.int64))
        if best is None or color.max() < best.max():
            best = color
    return best


# ---- compressed passes -----------------------------------------------------------

def evaluate_colors(who, f, args, x, color, start, width):
    """One pass: directions ``start:start+width`` are colors; every input of a
    color in that range is seeded with its color's direction.  Module-level and
    closure-free, so executors can pickle it.  Returns ``(value, partials)``."""
    jitted = is_jitted(f)
    tag = _tag_for(x)
    if EXPECT[0]:                # a pass of a helper that compares its passes
        passing(tag)
    if width == 0:               # no colors (empty x, an empty pattern): f on plain x,
        try:                     # as the dense helpers do; its partials are zeros
            out = call_jitted(who, f, (private(x),) + tuple(args), {}) if jitted else \
                f(private(x), *args)
            return extract(who, out, tag, 0)
        finally:
            retire(tag)
    columns = ladder_width(width) if jitted else width
    partials = np.zeros((x.size, columns))
    hit = np.flatnonzero((color >= start) & (color < start + width))
    partials[hit, color[hit] - start] = 1.0
    seeded = make(private(x), partials, tag)
    try:
        if jitted:
            value, p = extract(who, call_jitted(who, f, (seeded,) + tuple(args), {}), tag,
                               columns)
            return value, as_array(p)[..., :width]
        with backend.scope():
            value, p = extract(who, f(seeded, *args), tag, width)
        return value, as_array(p)
    finally:
        retire(tag)              # the pass's duals are dead from here on (escaped: an error)


def _tag_for(x):
    """A pass's tag; a complex ``x`` (``holomorphic=True``) marks it as the dense passes
    mark theirs, so a function without a complex derivative (np.conj, np.abs) raises."""
    tag = new_tag()
    if isinstance(x, np.ndarray) and x.dtype.kind == "c":
        holomorphic_tag(tag)
    return tag


def _compressed(who, fn, f, args, x, color, chunk, executor, progress):
    """``(value, B)`` with ``B[:, c]`` the derivative along color ``c``'s direction."""
    ncolors = int(color.max()) + 1 if color.size else 0
    widths = chunk_sizes(ncolors, chunk, x.size) or [0]
    starts = np.cumsum([0] + widths[:-1]).tolist()
    tasks = [(who, f, args, x, color, s, w) for s, w in zip(starts, widths)]
    labels = [f"colors {s} to {s + w - 1} (chunk {k + 1} of {len(widths)})"
              for k, (s, w) in enumerate(zip(starts, widths))]
    return compared(who, fn, tasks, labels, executor, progress)


def _check_1d(who, x):
    if not (isinstance(x, (np.ndarray, Dual)) and np.ndim(x) == 1):
        raise errors.bad_argument(
            who, "a 1-D array x with sparsity=", f"shape {np.shape(x)}",
            "Pass x.ravel() and reshape inside f; sparse results are 2-D matrices.")


def _prepare(who, f, x, chunk, format, holomorphic=False):
    check_callable(who, f)
    chunk = check_chunk(who, chunk)
    x = as_input(who, x, holomorphic, sparse=True)
    if not isinstance(x, (np.ndarray, Dual)):  # an outer call's dual point stays a dual
        x = np.asarray(x, dtype=float) if np.ndim(x) else x
    _check_1d(who, x)
    if format not in ("csr", "csc", "coo", "lil", "dok", "bsr", "dia"):
        raise errors.bad_argument(who, "format as a scipy.sparse format name such as "
                                  "'csr' or 'csc'", repr(format))
    return x, chunk


def sparse_jacobian(who, f, x, args, sparsity, format="csr", chunk=None, executor=None,
                    progress=False, check=True, holomorphic=False):
    """The Jacobian of ``f`` at 1-D ``x`` as a scipy.sparse matrix, by colors; a given
    pattern checked unless ``check`` is False (the user's ``check=False``).  With
    ``holomorphic``, ``x`` is complex and the result the complex derivative, as the
    dense ``holomorphic=True`` Jacobian (every pass seeds real directions)."""
    sp = scipy_sparse(who)
    x, chunk = _prepare(who, f, x, chunk, format, holomorphic)
    if isinstance(sparsity, str):
        if sparsity != "auto":
            raise errors.bad_argument(who, "sparsity as a pattern or 'auto'", repr(sparsity))
        P = _detect(who, f, x, args, holomorphic)
    else:
        P = as_pattern(who, sparsity)
        if P.shape[1] != x.size:
            raise errors.bad_argument(who, f"a sparsity pattern with x.size = {x.size} "
                                      "columns", f"shape {P.shape}")
    _warn_if_dense(who, P, sparsity)
    color = column_coloring(P)
    value, B = _compressed(who, evaluate_colors, f, args, x, color, chunk, executor,
                           progress)
    if np.ndim(value) != 1:
        raise errors.bad_argument(
            who, "f(x) 1-D with sparsity=", f"an output of shape {np.shape(value)}",
            "Return out.ravel(); sparse Jacobians are 2-D matrices.")
    if P.shape[0] != np.size(value):
        raise errors.bad_argument(who, f"a sparsity pattern of shape ({np.size(value)}, "
                                  f"{x.size}) (f(x).size, x.size)", f"shape {P.shape}")
    B = as_array(B).reshape(np.size(value), np.shape(B)[-1] if np.ndim(B) else 0)
    if isinstance(B, Dual):
        # an outer call's duals (a sparse Jacobian inside another derivative: solve_ivp's
        # jac_sparsity with the parameters in a closure): the matrix keeps them as an
        # object array, which dualgrad's own readers take apart (api/_ode.py); SciPy's
        # constructors refuse a dual array handed to them by user code (misc47)
        B = np.asarray(B)
        if format not in ("csr", "csc"):
            raise errors.bad_argument(
                who, "format='csr' or 'csc' for a sparse Jacobian inside another "
                "derivative (its entries are the outer call's duals, which SciPy keeps "
                "only in a compressed matrix's data)", f"format={format!r}",
                "Fix: pass format='csr' and read J.data with J.indices and J.indptr, or "
                "call this dg.jacobian without sparsity= for a dense dual Jacobian.")
    if format == "csc":
        # read straight into the pattern's CSC layout (kept per pattern): no
        # conversion per call, and CSC is what solve_ivp's BDF and Radau factorize
        rows, indptr, cols = _cached(P, "csc", _csc_layout)
        data = B[rows, color[cols]] if P.nnz else np.zeros(0)
        J = sp.csc_matrix((data, rows.copy(), indptr.copy()), shape=P.shape)
    else:
        rows = np.repeat(np.arange(P.shape[0]), np.diff(P.indptr))
        data = B[rows, color[P.indices]] if P.nnz else np.zeros(0)
        J = sp.csr_matrix((data, P.indices.copy(), P.indptr.copy()), shape=P.shape)
    if not isinstance(sparsity, str) and x.size:  # any pattern not detected in this call,
        if B.shape[1] == x.size:            # even one dg.sparsity gave at another point
            _check_entries(who, B[:, color], P)     # (every entry at hand: no pass of f)
        elif check:                         # (check=False: the user's, no more pass of f)
            _check_pattern(who, f, args, x, J, value)
    return J.asformat(format)


def _detect(who, f, x, args, holomorphic=False):
    """``sparsity="auto"``'s pattern, by dualgrad.sparsity's tracer, which runs on plain
    numbers: inside another derivative (x an outer call's duals) it cannot, so the
    refusal names the pattern detected once at a plain point (an f that reads outer
    duals meets the same refusal in the tracer: ``_sparsity._plain``)."""
    from ._sparsity import OUTSIDE_FIX, sparsity as detect
    if isinstance(x, Dual):
        raise errors.bad_type(who, "x as a plain array with sparsity='auto' (the pattern "
                              "is detected on plain numbers)", "a dual number (inside "
                              "another derivative)", OUTSIDE_FIX)
    return detect(f, x, *args, holomorphic=holomorphic)


# Columns from which a dense pattern is worth a warning: below, a coloring costs little.
DENSE_WARN_COLUMNS = 64


def _warn_if_dense(who, P, sparsity):
    """Warn, at the user's line, where more than half of a pattern of 64 or more columns
    is stored: its coloring needs about as many passes as the dense Jacobian, and the
    coloring and the sparse assembly come on top (a new user's reaction network: a
    pattern from ``dg.sparsity(mode="global")`` through ``np.einsum`` was dense and the
    sparse Jacobian 140x the dense one's first call)."""
    m, n = P.shape
    if n < DENSE_WARN_COLUMNS or 2 * P.nnz <= m * n:
        return
    came = "dg.sparsity detected" if isinstance(sparsity, str) else "given"
    errors.warn_at_caller(
        f"{who}: the sparsity pattern {came} holds {P.nnz:,} of {m * n:,} entries "
        f"({P.nnz / (m * n):.0%}); expected a sparse one. Its coloring needs about as many "
        f"passes as the dense Jacobian's {n} directions, with the coloring and the sparse "
        "assembly on top. Fix: call dg.jacobian(f, x) without sparsity= (dense and faster "
        "here); a pattern from dg.sparsity(mode='global') is dense where f calls "
        "np.einsum, np.linalg.solve or another function whose dependence the global mode "
        "takes as complete (docs/sparse.md): mode='local' at a point without zero "
        "factors, or broadcasting products, keep its zeros. Where f's own Jacobian is "
        "dense (np.fft.fft2 couples every element of the axes it transforms, a dense "
        "matrix product every element it sums over), no pattern saves passes.",
        UserWarning)


def _pattern_fix(detector):
    """The fix for a pattern that misses nonzeros: most often one detected at another
    point, where a branch of f (``u > 0``) left out what this point reaches."""
    return (f"Pass sparsity='auto' (detected in this call, at this point), or a pattern "
            f"that holds as the point moves: dg.{detector}(f, x, mode='global') takes "
            "every branch of np.where, np.maximum, np.clip and the like, not only those "
            "taken at x, and what indices computed from values (a mask x[x > 0], "
            "argmax, argsort) may select (valid wherever Python's own if/while on values "
            "go the same way; docs/sparse.md, \"At that point\").")


def _check_entries(who, D, P):
    """A hand pattern no coloring compresses (every column a color of its own, as a
    triangle or a dense row makes): the passes gave every entry ``D`` of the
    Jacobian, so the pattern is checked entry by entry, without the probe's pass of
    ``f`` (a second evaluation, as costly as the first where f loops in Python), at
    every level of an outer call's duals."""
    for level, d in enumerate(_levels(D)):
        outside = (d != 0.0) & ~P.toarray()        # NaN or inf outside: missed too
        if outside.any():
            i, j = (int(k) for k in np.argwhere(outside)[0])
            of = "" if level == 0 else f" at level {level} of the outer call's partials"
            raise errors.bad_argument(
                who, "a sparsity pattern that holds every nonzero of the Jacobian",
                f"one that misses nonzeros (J[{i}, {j}]{of} = {float(d[i, j])!r} lies "
                "outside the pattern)", _pattern_fix("sparsity"))


def _csc_layout(P):
    """The CSC structure of pattern ``P``: row indices, column pointers, and the
    column of each stored entry."""
    C = P.tocsc()
    C.sort_indices()
    cols = np.repeat(np.arange(P.shape[1]), np.diff(C.indptr))
    return C.indices.astype(np.int64), C.indptr.copy(), cols


def _check_pattern(who, f, args, x, J, value=None):
    """A pattern given by hand may miss a nonzero, and then colors collide silently:
    one more pass along a random direction ``v`` compares ``J @ v`` with the exact
    directional derivative, so a wrong pattern raises instead of returning wrong
    entries.  Rows whose directional derivative is not finite (an infinite entry,
    ``sqrt`` at 0) say nothing about their other entries: a second pass along ``v``
    with the columns of their non-finite entries zeroed checks those rows again.
    (Only a pattern detected in the same call, ``sparsity="auto"``, skips this: one
    from :func:`dualgrad.sparsity` held over to another point may miss a nonzero.)
    Inside another derivative (entries that are an outer call's duals) every level
    is compared: the values and each of their partials.  Where the check's pass
    computed another value than the Jacobian's passes (``value``), f is not a function
    of x alone (an unseeded draw: attack49 32) and the error says so, not that the
    pattern misses nonzeros."""
    v = np.random.default_rng(0x5EED).uniform(0.5, 1.5, x.size)
    v *= np.where(np.arange(x.size) % 2, 1.0, -1.0)
    Js = [type(J)((data, J.indices, J.indptr), shape=J.shape).tocsr()   # levels first:
          for data in _levels(J.data)]              # SciPy converts no duals (csc)
    v *= _column_scales(Js[0])
    probed = []
    bad, t = _probe(who, f, args, x, Js, v, probed)
    blind = ~np.isfinite(t)
    if blind.any() and bad is None:
        lost = np.flatnonzero(blind)
        rows = Js[0][lost]
        dark = np.unique(rows.indices[~np.isfinite(rows.data)])
        if dark.size:
            bad = _dark_columns_agree(who, f, args, x, Js, lost, dark)
        if dark.size and bad is None:
            v = v.copy()
            v[dark] = 0.0
            Js = [L.copy() for L in Js]       # without those columns (inf * 0 is NaN)
            for L in Js:
                L.data[np.isin(L.indices, dark)] = 0.0
            bad, t = _probe(who, f, args, x, Js, v, probed)
    if bad is not None:
        i, level, Jv, t = bad
        if value is not None and not _same_value(value, probed[0]) and not probed[1]:
            raise errors.DualValueError(
                f"{who}: expected f to compute the same value on every pass over x (the "
                "Jacobian's passes and the pass that checks the given sparsity pattern), "
                "got a different value on the check's pass (beyond 1e-9 of the largest): "
                "f is not a function of x alone (random numbers drawn inside f from a "
                "generator it does not seed, a counter, a cache, the clock), and the "
                "check cannot tell a missed nonzero from another draw. Fix: seed the "
                "generator inside f (rng = np.random.default_rng(0) at its top) or draw "
                "outside f and pass the draws in args.")
        of = "" if level == 0 else f" (level {level} of the outer call's partials)"
        raise errors.bad_argument(
            who, "a sparsity pattern that holds every nonzero of the Jacobian",
            f"one that misses nonzeros (row {i}{of}: J @ v = {Jv!r}, exact {t!r})",
            _pattern_fix("sparsity"))


def _dark_columns_agree(who, f, args, x, Js, lost, dark):
    """The columns ``dark`` of the Jacobian (those with a non-finite entry in a row
    ``lost``, whose directional derivative is not finite) checked in the rows
    ``lost``: ``None`` where they agree with ``Js``, else ``bad`` as :func:`_probe`
    gives it.  The probe that zeroes those columns cannot see a finite entry the
    pattern misses in one of them (``[sqrt(x1), sqrt(x0) + 3 x1]`` at 0: ``J[1, 1] =
    3`` came back 0; attack53 15).  Random directions on the sets of
    :func:`_separating` (two per bit of a dark column's rank, ``_DARK_CHUNK`` a pass):
    each row is compared along those sets that avoid its own non-finite entries, and
    together they hold every other dark column of the row; a column some row's sets
    leave out is computed entry by entry (unit directions).  More than
    ``_DARK_COLUMNS`` of those: refused by name.  (Every dark column entry by entry
    refused 1000 columns of ``np.sqrt`` at 0 beside its correct diagonal pattern,
    which the ancestor of stop 53 returned: attack53 22.)"""
    sub = [J[lost][:, dark].tocsr() for J in Js]
    blind = sub[0].copy()               # a non-finite entry at any level
    blind.data = np.zeros(blind.data.size)
    for S in sub:
        S = S.copy()
        S.data = (~np.isfinite(S.data)).astype(float)
        blind = blind + S
    blind.data = (blind.data > 0).astype(float)
    blind.eliminate_zeros()
    member, ok, missing = _separating(dark.size, blind)
    rng = np.random.default_rng(0x5EED + 1)
    weights = np.where(member, rng.uniform(0.5, 1.5, member.shape) * np.where(
        rng.random(member.shape) < 0.5, -1.0, 1.0) * _column_scales(Js[0])[dark], 0.0)
    for k in range(0, member.shape[0], _DARK_CHUNK):
        W = weights[k:k + _DARK_CHUNK].T                # (dark, probes)
        V = np.zeros((x.size, W.shape[1]))
        V[dark] = W
        (_, t), _ = _directions(who, f, args, x, V)
        exact = _levels(as_array(t).reshape(-1))
        use = ok[:, k:k + _DARK_CHUNK]
        for level, (S, e) in enumerate(zip(sub, exact)):
            e = e.reshape(-1, W.shape[1])[lost]
            finite = S.copy()
            finite.data[~np.isfinite(finite.data)] = 0.0    # (outside ``use`` only)
            got = np.asarray(finite @ W)
            scale = np.asarray(abs(finite) @ np.abs(W)) + \
                np.abs(np.where(np.isfinite(e), e, 0.0))
            with np.errstate(invalid="ignore"):
                off = use & (~(np.abs(got - e) <= 1e-9 * scale) & np.isfinite(e) |
                             np.isinf(e))
            if off.any():
                i, j = np.argwhere(off)[0]
                return int(lost[i]), level, float(got[i, j]), float(e[i, j])
    return _dark_units(who, f, args, x, Js, lost, dark[np.union1d(missing, _nan_columns(sub))])


def _nan_columns(blocks):
    """The columns where one of the sparse ``blocks`` holds a NaN: the sets of
    :func:`_separating` avoid them as they avoid infinities, so they are computed
    entry by entry (a NaN where the exact entry is finite, ``0 * inf`` beside an
    infinite partial, must fail the check and send the caller to its exact route:
    attack54 10)."""
    cols = [S.tocoo().col[np.isnan(S.tocoo().data)] for S in blocks]
    return np.unique(np.concatenate(cols)).astype(np.intp) if cols else np.empty(0, np.intp)


def _separating(count, blind):
    """``(member, ok, missing)`` for ``count`` columns (ranks ``0 .. count - 1``) and
    ``blind``, a sparse ``(rows, count)`` matrix, nonzero where a row's entry is not
    finite: ``member`` ``(sets, count)`` bool; ``ok`` ``(rows, sets)``, the sets that
    hold none of the row's non-finite columns; ``missing`` the ranks of the columns
    that some row has finite and none of its ``ok`` sets holds.  First two sets per
    bit ``b`` of the rank (the ranks whose bit ``b`` is 0, those whose bit is 1): two
    columns differ in some bit, so a row with one non-finite column (an elementwise
    ``sqrt`` at 0, a banded one) misses none.  Then, up to ``_SEPARATING_ROUNDS``
    times while some column is missing, 64 random sets of the missing columns, each
    column in with probability ``1 / (1 + r)``, ``r`` the rows' median count of
    non-finite entries among them (a row with ``r`` of them keeps a given column with
    probability about ``1 / (e (r + 1))`` in each)."""
    ranks = np.arange(count)
    bits = max(1, int(count - 1).bit_length())
    member = np.array([((ranks >> b) & 1) == c for b in range(bits) for c in (0, 1)])
    member = member[member.any(axis=1)]
    rng = np.random.default_rng(0x5EED + 3)
    blind = blind.tocsr()
    several = np.flatnonzero(np.diff(blind.indptr) > 1)     # (one: the bits hold it)
    for round in range(_SEPARATING_ROUNDS + 1):
        M = member.astype(float)
        ok = np.asarray(blind @ M.T) == 0                      # (rows, sets)
        missing = np.zeros(count, bool)
        step = max(1, 4_000_000 // max(count, 1))
        for s in range(0, several.size, step):     # (rows x columns, a block at a time)
            rows = several[s:s + step]
            covered = (ok[rows].astype(float) @ M) > 0
            missing |= np.any(~covered & (blind[rows].toarray() == 0), axis=0)
        if not missing.any() or round == _SEPARATING_ROUNDS:
            break
        among = np.asarray(blind @ missing.astype(float)).reshape(-1)
        p = 1.0 / (1.0 + max(1.0, float(np.median(among[among > 0])) if
                             np.any(among > 0) else 1.0))
        extra = (rng.random((64, count)) < p) & missing
        member = np.concatenate([member, extra[extra.any(axis=1)]])
    return member, ok, np.flatnonzero(missing)


_SEPARATING_ROUNDS = 4


def _dark_units(who, f, args, x, Js, lost, dark):
    """The columns ``dark`` computed entry by entry (unit directions, ``_DARK_CHUNK`` a
    pass) against ``Js``'s entries in the rows ``lost`` (:func:`_dark_columns_agree`'s
    ``bad``, or ``None``); more than ``_DARK_COLUMNS`` of them: refused by name."""
    if dark.size > _DARK_COLUMNS:
        _unchecked(who, "sparsity", dark.size, "columns", _DARK_COLUMNS)
    for k in range(0, dark.size, _DARK_CHUNK):
        cols = dark[k:k + _DARK_CHUNK]
        unit = np.zeros((x.size, cols.size))
        unit[cols, np.arange(cols.size)] = 1.0
        (_, t), _ = _directions(who, f, args, x, unit)
        exact = _levels(as_array(t).reshape(-1))
        for level, (J, e) in enumerate(zip(Js, exact)):
            e = e.reshape(-1, cols.size)[lost]
            got = J[lost][:, cols].toarray()
            column = abs(J[:, cols]).tocsc()     # (a missed entry counts against its
            column.data[~np.isfinite(column.data)] = 0.0    # column's finite entries, as
            scale = np.abs(np.where(np.isfinite(e), e, 0.0)) + \
                column.max(axis=0).toarray()                # the random probe's scaling)
            with np.errstate(invalid="ignore"):
                off = ~(np.abs(got - e) <= 1e-9 * scale) & np.isfinite(e) | \
                    np.isinf(e) & np.isfinite(got)
            if off.any():
                i, j = np.argwhere(off)[0]
                return int(lost[i]), level, float(got[i, j]), float(e[i, j])
    return None


def _unchecked(who, detector, count, what, most):
    """Raises: a given pattern whose check would compute ``count`` ``what`` entry by
    entry (infinite derivatives, ``sqrt`` at 0, hide the rest of their rows)."""
    raise errors.bad_argument(
        who, f"a {detector} pattern the check can verify at this point",
        f"one beside infinite derivatives (sqrt or a power below 1 at 0, log at 0) in "
        f"{count} {what}, more than {most}: an infinite entry hides its row's "
        "others from the check's random directions, and the check would compute those "
        f"{what} entry by entry, as costly as the dense derivative",
        f"Pass sparsity='auto' (detected in this call, at this point: not checked), "
        f"evaluate at a point off that boundary, or pass check_{detector}=False where the "
        "pattern is known to hold (it is then trusted, and a nonzero it misses comes "
        "back 0).")


def _directions(who, f, args, x, V):
    """``((value, t), tolerance)``: f's value and its exact derivatives along the
    columns of ``V`` (one pass), and the integrations' record of the pass."""
    def one():
        tag = _tag_for(x)
        passing(tag)             # (its integrations report to this pass, not a nested one)
        seeded = make(private(x), V.copy(), tag)
        try:
            out = call_jitted(who, f, (seeded,) + tuple(args), {}) if is_jitted(f) else \
                f(seeded, *args)
            return extract(who, out, tag, V.shape[1])
        finally:
            retire(tag)          # the check's duals are dead too (escaped: an error)
    return watched(one)


def _levels(a):
    """The real arrays of ``a``'s shape that a nested dual array carries, its value's
    first, then every partial's at every level; ``[a]`` for plain numbers, ``[a.real,
    a.imag]`` for complex ones."""
    a = from_object_array(a) if isinstance(a, np.ndarray) and a.dtype == object else a
    if not isinstance(a, Dual):
        a = np.asarray(a)           # a complex f's: both parts (attack50b 06: the real
        return [a.real.astype(float), a.imag.astype(float)] if a.dtype.kind == "c" \
            else [np.asarray(a, dtype=float)]           # part alone passed a bad pattern)
    p = a.partials
    return _levels(a.value) + [q for k in range(p.shape[-1]) for q in _levels(p[..., k])]


def _column_scales(J):
    """``1 / c_j`` with ``c_j`` the sum of the finite ``|J[i, j]|`` of column ``j`` (the
    smallest positive one for an all-zero column): every stored term ``J_ij v_j`` of
    the probe is at most about 1, so a missed entry counts against its own
    column's scale, not against a large entry elsewhere in its row (``1e10 * x0``
    beside a missed ``x1``: the Hessian check's attack28 case, for Jacobians)."""
    J = J.tocsr()
    a = np.abs(J.data)
    c = np.bincount(J.indices, weights=np.where(np.isfinite(a), a, 0.0),
                    minlength=J.shape[1])        # the column's sum: >= its max, O(nnz)
    pos = c[c > 0]
    return 1.0 / np.where(c > 0, c, pos.min() if pos.size else 1.0)


def _probe(who, f, args, x, Js, v, probed=None):
    """``(bad, t)``: the exact directional derivative ``t`` of ``f`` along ``v`` (one
    pass, its value level) and ``bad``, None or ``(i, level, (J @ v)[i], t[i])`` for the
    first row where ``J @ v`` differs from it beyond rounding at a level of ``Js``
    (a row where ``t`` is not finite is told where ``J @ v`` is finite).  ``probed`` gets f's value on the
    pass and whether an integration of duals ran in it (its value then moves within
    the integration's tolerance)."""
    (value, t), tolerance = _directions(who, f, args, x, v.reshape(-1, 1))
    if probed is not None and not probed:
        probed += [value, bool(tolerance.record or tolerance.up[1])]
    ts = _levels(as_array(t).reshape(-1))
    bad = None
    for level, (J, t) in enumerate(zip(Js, ts)):
        Jv = J @ v
        scale = abs(J) @ np.abs(v) + np.abs(t)
        # (a non-finite t where J @ v is finite: an inf / NaN entry the pattern does not
        # hold, whose row would come back finite and wrong; attack51b 01)
        off = np.flatnonzero(~(np.abs(Jv - t) <= 1e-9 * scale) & np.isfinite(t) |
                             ~np.isfinite(t) & np.isfinite(Jv))
        if off.size and (bad is None or off[0] < bad[0]):   # (NaN: bad where t is finite)
            i = int(off[0])
            bad = (i, level, float(Jv[i]), float(t[i]))
    return bad, ts[0]


def evaluate_hessian_colors(who, f, args, x, color, start, width, chunk=None, link=None):
    """One outer pass of a sparse Hessian: colors ``start:start+width`` seed the
    outer level, the gradient of ``f`` is the inner level (its passes under ``link``:
    :func:`_tie_decisions`).  Returns ``(gradient, H @ S[:, start:start+width])``."""
    if link is None:
        return evaluate_colors(who, GradientOf(who, f, args, chunk), (), x, color, start,
                               width)
    with link.active():
        return evaluate_colors(who, GradientOf(who, f, args, chunk), (), x, color, start,
                               width)


def evaluate_sum_colors(who, f, args, x, color, start, width, tcolor, structure,
                        link=None):
    """One pass of the sparse Hessian of a sum ``f = sum_r c_r * np.sum(v_r)``:
    outer colors ``start:start+width`` of the star coloring, inner directions the
    colors ``tcolor`` that separate the inputs of every summed element.  Each
    element's second-order partials (inner color x outer color) are read back at
    ``np.sum`` (``_reductions.SUM_WATCH``) and scattered into ``H @ S``.  Returns
    ``(n, width)`` or ``None`` when the sums this run saw differ from the traced ones."""
    from ..dispatch._reductions import SUM_WATCH
    n = x.size
    ninner = int(tcolor.max()) + 1 if n else 0
    outer_tag = new_tag()
    S = np.zeros((n, width))
    hit = np.flatnonzero((color >= start) & (color < start + width))
    S[hit, color[hit] - start] = 1.0
    T = np.zeros((n, ninner))
    T[np.arange(n), tcolor] = 1.0
    inner_tag = new_tag()
    watch = SUM_WATCH[inner_tag] = []
    if link is not None:                 # colors: no diagonal (_tie_decisions)
        link.register(inner_tag, outer_tag, np.full(ninner, -1))
    try:
        seeded = make(make(private(x), S, outer_tag), T, inner_tag)
        del S, T                         # (the seeds' only holders: f may write into x,
        #                                  whose promotion counts them; attack51c 02)
        with backend.scope(), ordered(outer_tag):   # (read inside: pooled partials are
            extract(who, f(seeded, *args), inner_tag, ninner)   # reused after it)
            return _scatter_sums(watch, structure, tcolor, ninner, n, width, inner_tag,
                                 outer_tag)
    finally:
        SUM_WATCH.pop(inner_tag, None)
        if link is not None:
            link.forget(inner_tag)
        retire(inner_tag)
        retire(outer_tag)


def _scatter_sums(watch, structure, tcolor, ninner, n, width, inner_tag, outer_tag):
    """``H @ S[:, start:start+width]`` from the summed inputs ``watch`` recorded in
    one pass (``None`` when they are not the traced ones)."""
    if len(watch) != len(structure):
        return None
    HS = np.zeros((n, width))
    for (coef, shape, rows_of), (v, _) in zip(structure, watch):
        if not isinstance(v, Dual) or v.tag != inner_tag or tuple(v.shape) != shape:
            return None
        p = v.partials
        if isinstance(p, np.ndarray) and p.dtype.kind == "f":
            continue                                  # linear in x: no second order
        if not isinstance(p, Dual) or p.tag != outer_tag or \
                not isinstance(p.partials, np.ndarray) or p.partials.dtype.kind != "f":
            return None
        if _mixed_beside_non_finite(p.value, rows_of):
            return None        # the gradient passes choose the order (_finite_orders)
        size = rows_of.shape[0]
        C = p.partials.reshape(size, ninner, width)
        if _nan_beside_infinite(p.value, rows_of, C):
            return None        # the other order may be the number (_finite_orders)
        elem = np.repeat(np.arange(size), np.diff(rows_of.indptr))
        cols = rows_of.indices
        vals = C[elem, tcolor[cols]] * coef           # (nnz, width): row cols[k] of H @ S
        vals = vals.astype(np.float64, copy=False)    # a long-double constant's: float64,
        #                                               as the dense Hessian (attack42)
        for k in range(width):
            HS[:, k] += np.bincount(cols, weights=vals[:, k], minlength=n)
    return HS


def _mixed_beside_non_finite(slopes, rows_of):
    """Does a summed element with two or more inputs have a first-order partial that is
    NaN (``0 * inf``: hypot's ``(s / r) ds/dx1``)?  Its mixed entries' orders are then
    chosen (:func:`_finite_orders`) by the general passes, which see the gradient (one
    order per entry here).  An infinite partial (``sqrt(x) + x[::-1] x`` at zeros)
    stays here: its entries' orders agree or one is NaN, and the general passes would
    cost a full gradient per star color (50x at 500 zeros: bench/dark_check.py)."""
    if not isinstance(slopes, np.ndarray) or slopes.dtype.kind != "f":
        return True
    if not np.isnan(slopes).any():
        return False
    size = rows_of.shape[0]
    bad = np.isnan(slopes.reshape(size, -1)).any(axis=1)
    return bool((bad & (np.diff(rows_of.indptr) > 1)).any())


def _nan_beside_infinite(slopes, rows_of, C):
    """Does a summed element with two or more inputs and an infinite first-order partial
    have a NaN second-order one (``np.arctan2(np.cbrt(x1), 1 + x0)`` at ``x1 = 0``: the
    order ``d_1 g_0`` meets ``0 * inf``, ``d_0 g_1 = -inf``; attack56 09)?  One order per
    entry here; the general passes compute the other (:func:`_finite_orders`).  Only
    where a NaN is there: ``sqrt(x) + x[::-1] x`` at zeros stays here."""
    if not np.isnan(C).any():
        return False
    size = rows_of.shape[0]
    nan = np.isnan(C.reshape(size, -1)).any(axis=1)
    inf = np.isinf(slopes.reshape(size, -1)).any(axis=1)
    return bool((nan & inf & (np.diff(rows_of.indptr) > 1)).any())


def _sum_hessian_columns(who, f, args, x, color, ncolors, structure, chunk, executor,
                         progress, link=None):
    """``H @ S`` from passes that cost (star colors x inner colors) evaluations of f
    in all, or ``None`` when ``f`` is not such a sum after all."""
    sp = scipy_sparse(who)
    n = x.size
    rows = sp.vstack([r for _, _, r in structure], format="csr") if structure else None
    if rows is None or rows.shape[0] == 0:
        return None
    rows.sort_indices()
    tcolor = column_coloring(as_pattern(who, rows))
    ninner = int(tcolor.max()) + 1 if n else 0
    if ninner > 256 or ncolors == 0:
        return None                                   # as costly as the general passes
    cap = max(1, 256 // max(ninner, 1))
    widths = chunk_sizes(ncolors, min(chunk, cap) if chunk else cap, n)
    starts = np.cumsum([0] + widths[:-1]).tolist()
    tasks = [(who, f, args, x, color, s, w, tcolor, structure, link)
             for s, w in zip(starts, widths)]
    labels = [f"colors {s} to {s + w - 1} (chunk {k + 1} of {len(widths)})"
              for k, (s, w) in enumerate(zip(starts, widths))]
    blocks = run_tasks(who, evaluate_sum_colors, tasks, labels, executor, progress)
    if any(b is None for b in blocks):
        return None
    return np.concatenate(blocks, axis=1)


def _check_hessian(who, f, args, x, H, link=None):
    """``u @ H @ w`` against the exact second directional derivative along random
    ``u`` and ``w`` (one nested pass): a pattern that misses a nonzero, or a sum
    structure read wrongly, raises instead of returning wrong entries.  Where the
    exact value is not finite (``sqrt`` at 0), the inputs of ``H``'s non-finite
    entries (the *dark* ones) are left out of ``u`` and ``w`` in a second pass, a
    third pairs the others (``u``) with the dark ones (``w``), and the block among
    the dark ones is computed entry by entry (a finite entry there, or one a
    collision made NaN, passed unchecked before: attack51b 01b).  An infinite exact
    value where ``H``'s is finite is a missed entry; a NaN one may be the nested
    arithmetic's ``0 * inf`` beside an infinite partial, and decides nothing."""
    rng = np.random.default_rng(0x5EED)
    H = H.tocsr()
    d = _entry_scales(H)
    u, w = (d * rng.uniform(0.5, 1.5, x.size) * np.where(rng.random(x.size) < 0.5, -1.0, 1.0)
            for _ in range(2))
    exact = _second_directional(who, f, args, x, u, w, link)
    if np.isfinite(exact):
        return _agrees(u @ (H @ w), exact, u, H, w)
    bad = ~np.isfinite(H.data)
    dark = np.zeros(x.size, bool)
    dark[H.indices[bad]] = True
    if not dark.any():          # a finite H cannot give it: the pattern misses an inf
        return False            # or NaN entry
    finite = H.copy()
    finite.data[bad] = 0.0      # (every such entry has both its inputs dark)
    for uu, ww in ((u * ~dark, w * ~dark), (u * ~dark, w * dark)):
        exact = _second_directional(who, f, args, x, uu, ww, link)
        if np.isinf(exact) or np.isfinite(exact) and not _agrees(
                uu @ (finite @ ww), exact, uu, finite, ww):
            return False
    return _dark_block_agrees(who, f, args, x, H, np.flatnonzero(dark), link)


_DARK_INPUTS = 256      # the most inputs (Hessian) and columns (Jacobian) at
_DARK_COLUMNS = 1024    # non-finite entries the pattern checks compute entry by entry,
_DARK_CHUNK = 64        # and the Jacobian's columns a pass (the Hessian's: 16)


def _dark_block_agrees(who, f, args, x, H, dark, link):
    """The block of the Hessian among the ``dark`` inputs checked: ``H``'s finite
    entries there are f's, and an infinite exact one is infinite in ``H`` (a NaN is
    not compared).  Each dark input's row (unit directions, 64 a pass) along random
    directions on the sets of :func:`_separating` that avoid the row's non-finite
    entries (which together hold every other dark input); an input some row's sets
    leave out is computed entry by entry (16 a pass).  More than ``_DARK_INPUTS`` of
    those: refused by name (it passed unchecked, and a missed entry came back 0:
    attack53 02).  (Every dark input entry by entry refused the pattern of
    ``sum(sqrt(x) + x[::-1] x)`` at 500 zeros: attack53 22.)"""
    block = H[dark][:, dark].toarray()
    blind = ~np.isfinite(block)
    finite = np.where(blind, 0.0, block)
    member, ok, missing = _separating(
        dark.size, scipy_sparse(who).csr_matrix(blind.astype(float)))
    rng = np.random.default_rng(0x5EED + 2)
    weights = np.where(member, rng.uniform(0.5, 1.5, member.shape) * np.where(
        rng.random(member.shape) < 0.5, -1.0, 1.0) * _entry_scales(H)[dark], 0.0)
    for r in range(0, dark.size, 64):
        U = np.zeros((x.size, min(64, dark.size - r)))
        U[dark[r:r + 64], np.arange(U.shape[1])] = 1.0
        for k in range(0, member.shape[0], 64):
            W = weights[k:k + 64].T                    # (dark, probes)
            V = np.zeros((x.size, W.shape[1]))
            V[dark] = W
            exact = _second_directional(who, f, args, x, U, V, link)
            rows = finite[r:r + 64]
            got = rows @ W
            scale = np.abs(rows) @ np.abs(W) + np.abs(np.where(np.isfinite(exact), exact,
                                                                0.0))
            with np.errstate(invalid="ignore"):
                off = ok[r:r + 64, k:k + 64] & (
                    ~(np.abs(got - exact) <= 1e-9 * scale) & np.isfinite(exact) |
                    np.isinf(exact))
            if off.any():
                return False
    nan = np.flatnonzero(np.isnan(block).any(axis=0))
    return _dark_units_agree(who, f, args, x, block, dark, dark[np.union1d(missing, nan)],
                             link)


def _dark_units_agree(who, f, args, x, block, dark, cols, link):
    """The columns ``cols`` (of the ``dark`` inputs) of the Hessian's ``block`` among
    them, computed entry by entry (16 a pass): its entries equal their finite entries,
    and are not finite where they are infinite (a NaN there is not compared).  More
    than ``_DARK_INPUTS`` of them: refused by name."""
    if cols.size > _DARK_INPUTS:
        _unchecked(who, "sparsity", cols.size, "inputs", _DARK_INPUTS)
    unit = np.zeros((x.size, dark.size))
    unit[dark, np.arange(dark.size)] = 1.0
    at = np.searchsorted(dark, cols)
    with np.errstate(invalid="ignore"):
        rows = np.nanmax(np.where(np.isfinite(block), np.abs(block), np.nan), axis=1,
                         initial=0.0)
    for k in range(0, at.size, 16):
        exact = _second_directional(who, f, args, x, unit, unit[:, at[k:k + 16]], link)
        got = block[:, at[k:k + 16]]
        with np.errstate(invalid="ignore"):
            off = ~(np.abs(got - exact) <= 1e-9 * (np.abs(exact) + rows[:, None]))
        if (off & np.isfinite(exact)).any() or (np.isinf(exact) & np.isfinite(got)).any():
            return False
    return True


def _agrees(got, exact, u, H, w):
    """``got`` equals ``exact`` to rounding of the terms of ``u @ H @ w``."""
    scale = float(np.abs(u) @ (abs(H) @ np.abs(w))) + abs(exact)
    return not abs(got - exact) > 1e-9 * scale


def _entry_scales(H):
    """``1 / sqrt(s_i)`` with ``s_i`` the sum of the finite ``|H[i, j]|`` of row ``i``
    (the smallest positive one for an all-zero row): directions scaled so, every
    term ``u_i H_ij w_j`` of ``u @ H @ w`` is at most about 1 and a missed entry
    counts relative to its own rows' scale, not to the largest entry of ``H`` (a
    penalty ``1e10 * x0**2`` hid a missed O(1) entry at 1e-9 of the whole scale:
    attack28)."""
    H = H.tocsr()
    a = np.abs(H.data)
    rows = np.repeat(np.arange(H.shape[0]), np.diff(H.indptr))
    s = np.bincount(rows, weights=np.where(np.isfinite(a), a, 0.0),
                    minlength=H.shape[0])        # the row's sum: >= its max, O(nnz)
    pos = s[s > 0]
    s = np.where(s > 0, s, pos.min() if pos.size else 1.0)
    return 1.0 / np.sqrt(s)


def _second_directional(who, f, args, x, u, w, link=None):
    """The exact ``u @ H @ w`` of scalar ``f`` at ``x``, by one nested pass (its ties
    under ``link``: :func:`_tie_decisions`; ``u is w``: one direction at both levels,
    the diagonal ``u @ D @ u`` in view).  ``u`` and ``w`` may be ``(n, a)`` and
    ``(n, b)`` matrices of directions: the ``(a, b)`` block ``u.T @ H @ w``."""
    block = np.ndim(u) == 2
    a, b = (u.shape[1], w.shape[1]) if block else (1, 1)

    def seeds(v):       # a fresh array the duals own: a reference kept here made f's
        return v.copy() if block else v.reshape(-1, 1).copy()   # writes SharedBufferError
    outer_tag, inner_tag = new_tag(), new_tag()
    if link is not None and (u is w or link.mode == "replay"):   # (the check: replay)
        link.register(inner_tag, outer_tag, [0 if u is w else -1] * b)
    try:
        seeded = make(make(private(x), seeds(u), outer_tag), seeds(w), inner_tag)
        with backend.scope(), ordered(outer_tag):   # its NaN entries: _orders' choice
            out = call_jitted(who, f, (seeded,) + tuple(args), {}) if is_jitted(f) else \
                f(seeded, *args)
            value, t = extract(who, out, inner_tag, b)
            t = with_outer_level(as_array(t).reshape(-1), value)
            _, second = extract(who, t if block else t[0], outer_tag, a)
    finally:
        if link is not None:
            link.forget(inner_tag)
        retire(inner_tag)
        retire(outer_tag)
    if block:
        return np.asarray(second).reshape(b, a).T
    second = as_array(second).reshape(-1)[0]
    # a complex f's Hessian is complex: its imaginary part is checked too (cast to float,
    # a pattern missing an imaginary entry passed, as attack50b 06 for Jacobians)
    return complex(second) if np.iscomplexobj(second) else float(second)


def sparse_hessian(who, f, x, args, sparsity, format="csr", chunk=None, executor=None,
                   progress=False, check=True):
    """The Hessian of scalar ``f`` at 1-D ``x`` as a symmetric scipy.sparse matrix.

    When ``f`` is a constant linear combination of whole-array sums (``np.sum(v)``,
    ``0.5 * np.sum(r ** 2) + np.sum(g)``, found by the tracer), the Hessian is the
    sum of the summed elements' Hessians, and every element depends on few inputs:
    both levels of the nested duals are seeded with colors (star colors outside,
    colors separating each element's inputs inside), so the cost is (star colors x
    inner colors) evaluations of ``f``, independent of ``x.size``.  Otherwise the
    inner level is the full gradient (``x.size / chunk`` passes per outer chunk).
    Either way one more nested pass checks ``u @ H @ w`` along random directions
    (for a given pattern, unless ``check`` is False: the user's ``check_sparsity=``).
    """
    from ._sparsity import _hessian_trace
    sp = scipy_sparse(who)
    x, chunk = _prepare(who, f, x, chunk, format)
    n = x.size
    structure = None
    if isinstance(sparsity, str):
        if sparsity != "auto":
            raise errors.bad_argument(who, "sparsity as a pattern or 'auto'", repr(sparsity))
        P, structure = _hessian_trace(who, f, x, args)
    else:
        P = as_pattern(who, sparsity, (n, n))
        if not is_jitted(f):
            try:
                _, structure = _hessian_trace(who, f, x, args)
            except Exception:  # noqa: BLE001 - the general passes below report real errors
                structure = None
    # symmetric, with the diagonal (free: a distance-1 coloring separates it anyway)
    P = as_pattern(who, P + P.T + sp.identity(n, dtype=bool, format="csr"))
    color = star_coloring(P)
    ncolors = int(color.max()) + 1 if n else 0
    link = linked([], unmapped=True)
    call = (who, f, x, args, P, color, ncolors, structure, chunk, executor, progress,
            isinstance(sparsity, str), link, check or isinstance(sparsity, str))
    H = _colored_hessian(*call)
    if link.missed:              # a tie the second order decides: decide, evaluate again
        _tie_decisions(who, f, args, x, link)
        H = _colored_hessian(*call)
    return H.asformat(format)


def _colored_hessian(who, f, x, args, P, color, ncolors, structure, chunk, executor,
                     progress, detected, link, check=True):
    """The sparse Hessian from colored passes, checked unless ``check`` is False
    (:func:`sparse_hessian`)."""
    n = x.size
    B = None
    if structure is not None and not is_jitted(f):
        B = _sum_hessian_columns(who, f, args, x, color, ncolors, structure, chunk,
                                 executor, progress, link)
    if B is not None:
        H = _star_decompress(who, P, color, ncolors, B)
        if n == 0 or not check or _check_hessian(who, f, args, x, H, link):
            return H
    g, B = _gradient_hessian_columns(who, f, args, x, color, ncolors, chunk, executor,
                                     progress, link, gradient=True)
    H = _finite_orders(who, f, args, x, P, _star_decompress(who, P, color, ncolors, B), g,
                       chunk, executor, progress, link)
    if n and check and not _check_hessian(who, f, args, x, H, link):
        H = _settled(who, f, args, x, P, H, chunk, executor, progress, detected, link)
    return H


def _tie_decisions(who, f, args, x, link, k=8):
    """Decide every tie of a selection whose arguments' first-order parts agree (their
    second-order parts decide: dispatch._second_order) in one nested pass seeded with
    the same ``k`` random directions ``u_p`` at both levels (the unit ones for up to
    ``k`` inputs), direction p inside linked to p outside: the diagonal ``u_p @ D @
    u_p`` in view, of one sign wherever ``D`` is semidefinite (f twice differentiable:
    the dominant argument), of both signs (the midpoint stays) where ``D`` is
    indefinite along any of them.  Recorded on ``link``'s
    tape, which every colored pass and the check then replay in order (colored seeds
    show no diagonal of their own: the midpoint gave half of ``np.maximum(x**2, 0)``'s
    Hessian)."""
    if x.size <= k:                      # the diagonal itself, as the dense Hessian's
        U = np.eye(max(x.size, 1))[:x.size]
        k = U.shape[1]
    else:
        rng = np.random.default_rng(0x71E5)
        U = rng.uniform(0.5, 1.5, (x.size, k)) * np.where(rng.random((x.size, k)) < 0.5,
                                                          -1.0, 1.0)
    outer_tag, inner_tag = new_tag(), new_tag()
    link.mode = "record"
    link.register(inner_tag, outer_tag, np.arange(k))
    try:
        seeded = make(make(private(x), U.copy(), outer_tag), U.copy(), inner_tag)
        with backend.scope():
            if is_jitted(f):
                call_jitted(who, f, (seeded,) + tuple(args), {})
            else:
                f(seeded, *args)
    finally:
        link.forget(inner_tag)
        retire(inner_tag)
        retire(outer_tag)
    link.mode = "replay"


_SETTLE_MAX = 2000      # inputs up to which a failed check is settled by the dense Hessian


def _settled(who, f, args, x, P, H, chunk, executor, progress, detected, link=None):
    """The check along random directions failed: it also trips on rounding-level
    residues of terms that cancel (``x[0] * (1 / x[0])``: zero Hessian, a 1e-17
    second directional derivative), so for a small ``x`` the dense Hessian (one
    direction per input) settles it: nonzeros outside ``P`` raise, else ``H`` takes
    the dense Hessian's entries (a NaN of ``sqrt``'s infinite partial at 0 reached
    another entry through a color's sum: attack52b 08).  A NaN outside ``P`` is the
    nested arithmetic's ``0 * inf`` there, not an entry."""
    n = x.size
    if n <= _SETTLE_MAX:
        g, D = _gradient_hessian_columns(who, f, args, x, np.arange(n), n, chunk, executor,
                                         progress, link, gradient=True)
        bad = _orders.not_finite(g, n)
        D = _orders.finite_order(as_array(D).reshape(n, n), bad, bad if bad is None else
                                 _orders.singular(g, n, lambda: _rescaled(who, f, args, x)))
        outside = (D != 0) & ~np.isnan(D) & ~(P.toarray() != 0)
        if not outside.any():
            H = H.tocsr(copy=True)
            H.data = D[np.repeat(np.arange(n), np.diff(H.indptr)), H.indices].astype(
                H.dtype, copy=False)
            return H
    fix = "This is a dualgrad bug for a detected pattern: please report it, and drop " \
        "sparsity= for the dense Hessian." if detected else \
        _pattern_fix("hessian_sparsity")
    raise errors.bad_argument(
        who, "a Hessian sparsity pattern that holds every nonzero",
        "one that misses nonzeros (u @ H @ w differs from the exact second "
        "directional derivative" + (", and the dense Hessian has nonzeros outside "
                                    "the pattern)" if n <= _SETTLE_MAX else ")"), fix)


def _gradient_hessian_columns(who, f, args, x, color, ncolors, chunk, executor, progress,
                              link=None, gradient=False):
    """``H @ S`` with the full gradient as the inner level (``(g, H @ S)`` with
    ``gradient``)."""
    n = x.size
    widths = chunk_sizes(ncolors, chunk, n) or [0]
    starts = np.cumsum([0] + widths[:-1]).tolist()
    tasks = [(who, f, args, x, color, s, w, chunk, link) for s, w in zip(starts, widths)]
    labels = [f"colors {s} to {s + w - 1} (chunk {k + 1} of {len(widths)})"
              for k, (s, w) in enumerate(zip(starts, widths))]
    g, B = compared(who, evaluate_hessian_colors, tasks, labels, executor, progress)
    B = as_array(B).reshape(n, np.shape(B)[-1] if np.ndim(B) else 0)
    return (g, B) if gradient else B


def _rescaled(who, f, args, x):
    """The gradient of ``f(x, *args)`` with its seed scaled by ``_orders.SCALE``
    (``_orders.singular``'s test of an infinite entry: an overflow or the rules' own)."""
    return dense_jacobian(who, _orders.Rescaled(f, (0,), [x]), x, args, None)[1]


def _finite_orders(who, f, args, x, P, H, g, chunk, executor, progress, link):
    """``H`` whose entries at an input with an infinite or NaN gradient entry ``g_j`` are
    chosen from both orders as the dense Hessian's (``_orders.choose``: ``d_j g_i`` for
    a finite ``g_i``; the order through ``g_j``, the derivative of a number that is not
    finite, took a zero at the point for a zero in a neighbourhood:
    ``np.hypot(np.sqrt(x1), 1 + x0)``'s 0.0 for -0.173, hess55), and entries the star
    coloring's one order gave NaN beside finite gradient entries (the other order where
    it is a number: ``np.tanh(x0 x1)`` at ``x0 x1 = 706``, attack56 02, as the dense
    Hessian).  Only where such off-diagonal entries exist: outer directions that color
    those ``j`` so that no row of ``P`` meets two of one color (:func:`column_coloring`),
    every row inner."""
    n = x.size
    bad = _orders.not_finite(g, n)
    nan = _orders.nan_entries(H.data)
    if bad is None and not nan.any():
        return H
    H = H.tocoo()
    nan = _orders.nan_entries(H.data)       # (the star coloring's one order: NaN where
    if bad is None:                         # it overflowed, the other may not have)
        bad = np.zeros(n, dtype=bool)
    pick = (bad[H.row] | bad[H.col] | nan) & (H.row != H.col)
    if not pick.any():
        return H.tocsr()
    r, c = H.row[pick], H.col[pick]
    nan = nan[pick]

    def columns(need):          # d_k g_i for the outer directions k in need, every row i
        color = np.full(n, -1)
        color[need] = column_coloring(P.tocsc()[:, need].tocsr())
        return color, _gradient_hessian_columns(who, f, args, x, color, int(color.max()) + 1,
                                                chunk, executor, progress, link)

    color, D = columns(np.unique(np.concatenate([r[bad[r]], c[bad[c]], r[nan], c[nan]])))
    data = H.data.copy()
    # d_c g_r, computed where g_c is bad (or the entry NaN), and d_r g_c; the other side
    # the star coloring's order (one of the two: the same as the computed one, or the other)
    a = np.where(bad[c] | nan, D[r, color[c]], data[pick])
    b = np.where(bad[r] | nan, D[c, color[r]], data[pick])
    inf = _orders.singular(g, n, lambda: _rescaled(who, f, args, x))
    with np.errstate(invalid="ignore"):
        # the order through an infinite g where the finite one is NaN (_orders.choose
        # takes it where it is infinite): outer directions the finite g's
        want_a = bad[r] & inf[r] & ~bad[c] & np.isnan(b) & ~np.isinf(a)
        want_b = bad[c] & inf[c] & ~bad[r] & np.isnan(a) & ~np.isinf(b)
    if want_a.any() or want_b.any():
        color, D = columns(np.unique(np.concatenate([c[want_a], r[want_b]])))
        a = np.where(want_a, D[r, color[c]], a)
        b = np.where(want_b, D[c, color[r]], b)
    data[pick] = _orders.choose(a, b, bad[r], bad[c], inf[r], inf[c])
    return scipy_sparse(who).csr_matrix((data, (H.row, H.col)), shape=H.shape)


def _star_decompress(who, P, color, ncolors, B):
    """The symmetric CSR Hessian from ``B = H @ S`` through the star coloring."""
    sp = scipy_sparse(who)
    n = P.shape[0]
    rows = np.repeat(np.arange(n), np.diff(P.indptr))
    cols = P.indices
    lo, hi = np.minimum(rows, cols), np.maximum(rows, cols)
    # how many nonzeros of each row carry each color
    count = np.bincount(rows * ncolors + color[cols], minlength=n * ncolors)
    direct = count[lo * ncolors + color[hi]] == 1
    mirror = count[hi * ncolors + color[lo]] == 1
    if not np.all(direct | mirror):          # a star coloring guarantees one of the two
        raise RuntimeError(f"{who}: internal error, the coloring does not separate "
                           "every nonzero; please report this with the pattern.")
    data = np.where(direct, B[lo, color[hi]], B[hi, color[lo]]) if P.nnz else np.zeros(0)
    return sp.csr_matrix((data, cols.copy(), P.indptr.copy()), shape=(n, n))
