"""Greedy graph colorings, jitted; imported lazily by :mod:`dualgrad.api._coloring`.

Kept in a real source file with ``cache=True`` so that numba's on-disk cache spares
later processes the compile.  Graphs come as CSR arrays ``(indptr, indices)``.
"""

import numpy as np
from ..backend._jit import njit

_JIT = dict(cache=True, nogil=True)


@njit(**_JIT)
def columns_greedy(col_ptr, col_rows, row_ptr, row_cols, order):
    """Distance-1 coloring of the columns of a pattern: two columns that share a
    row get different colors.  ``col_*`` is the pattern by columns (CSC),
    ``row_*`` by rows (CSR); columns are colored first-fit in ``order``."""
    n = order.shape[0]
    color = np.full(n, -1, np.int64)
    forbidden = np.full(n + 1, -1, np.int64)
    for j in order:
        for p in range(col_ptr[j], col_ptr[j + 1]):
            i = col_rows[p]
            for q in range(row_ptr[i], row_ptr[i + 1]):
                k = row_cols[q]
                if color[k] >= 0:
                    forbidden[color[k]] = j
        c = 0
        while forbidden[c] == j:
            c += 1
        color[j] = c
    return color


@njit(**_JIT)
def star_greedy(ptr, adj, order):
    """Star coloring of a symmetric pattern's graph (no self loops): a distance-1
    coloring in which every path on four vertices uses at least three colors.

    Gebremedhin, Manne and Pothen, "What color is your Jacobian?", SIAM Review
    47 (2005), Algorithm 4.1: besides the neighbours' colors, forbid the color
    of a vertex x two steps away when the middle vertex w is still uncolored, or
    when x has another neighbour colored like w (that would close a path
    v - w - x - y on two colors).
    """
    n = order.shape[0]
    color = np.full(n, -1, np.int64)
    forbidden = np.full(n + 1, -1, np.int64)
    for v in order:
        for p in range(ptr[v], ptr[v + 1]):
            w = adj[p]
            if color[w] >= 0:
                forbidden[color[w]] = v
        for p in range(ptr[v], ptr[v + 1]):
            w = adj[p]
            for q in range(ptr[w], ptr[w + 1]):
                x = adj[q]
                if x == v or color[x] < 0:
                    continue
                if color[w] < 0:
                    forbidden[color[x]] = v
                else:
                    for r in range(ptr[x], ptr[x + 1]):
                        y = adj[r]
                        if y != w and color[y] == color[w]:
                            forbidden[color[x]] = v
                            break
        c = 0
        while forbidden[c] == v:
            c += 1
        color[v] = c
    return color


@njit(**_JIT)
def rows_to_csr(cols, empty):
    """CSR ``(indptr, indices)`` of a padded table of column indices: each row
    sorted, duplicates and ``empty`` padding dropped."""
    m, w = cols.shape
    indptr = np.zeros(m + 1, np.int64)
    indices = np.empty(m * w, np.int32)
    buf = np.empty(w, np.int32)
    k = 0
    for i in range(m):
        c = 0
        for j in range(w):
            v = cols[i, j]
            if v == empty:
                continue
            # insertion into the sorted buffer, skipping duplicates
            p = c
            while p > 0 and buf[p - 1] > v:
                p -= 1
            if p > 0 and buf[p - 1] == v:
                continue
            for q in range(c, p, -1):
                buf[q] = buf[q - 1]
            buf[p] = v
            c += 1
        for j in range(c):
            indices[k + j] = buf[j]
        k += c
        indptr[i + 1] = k
    return indptr, indices[:k].copy()


@njit(**_JIT)
def columns_to_csr(t, empty):
    """CSR ``(indptr, indices)`` of the rows of ``t.T``: ``t`` is ``(w, m)``, one
    column of indices per row of ``t`` (so ``t[:, i]`` is row ``i``), sorted here
    in place; duplicates and ``empty`` padding dropped.  Sorting runs across all
    rows at once (odd-even transposition, branch-free and vectorized along ``m``),
    for the few columns a detected pattern has."""
    w, m = t.shape
    for r in range(w):
        for j in range(r & 1, w - 1, 2):
            a = t[j]
            b = t[j + 1]
            for i in range(m):
                x = a[i]
                y = b[i]
                a[i] = min(x, y)
                b[i] = max(x, y)
    # the rows written out (column by column: sequential reads), then each row's
    # distinct entries counted column by column (both loops vectorize); compacted
    # only when some row lost an entry
    out = np.empty(m * w, np.int32)
    for j in range(w):
        a = t[j]
        for i in range(m):
            out[i * w + j] = a[i]
    count = np.zeros(m, np.int32)
    for j in range(w):
        a = t[j]
        if j == 0:
            for i in range(m):
                count[i] += np.int32(a[i] != empty)
        else:
            b = t[j - 1]
            for i in range(m):
                count[i] += np.int32((a[i] != empty) & (a[i] != b[i]))
    indptr = np.empty(m + 1, np.int64)
    indptr[0] = 0
    for i in range(m):
        indptr[i + 1] = indptr[i] + count[i]
    if indptr[m] == m * w:
        return indptr, out
    indices = np.empty(indptr[m], np.int32)
    for i in range(m):
        k = indptr[i]
        prev = -1
        for j in range(w):
            v = out[i * w + j]
            if v != empty and v != prev:
                indices[k] = v
                k += 1
            prev = v
    return indptr, indices
