"""corpus66: the close pairs' residuals of a banded matrix taken diagonal by diagonal, the
ties' closure on the pairs' own block, and couple / clustered's tests made at the tied
pairs alone (dispatch/_spectral.py), which corpus64's square well row
(``np.linalg.eigh`` of a 300 x 300 tridiagonal dual) pays at every Jacobian: the same
bits as NumPy's longdouble matmul and the whole relation's and stack's steps, and the
row's slopes against differences of a plain eigensolver."""

import numpy as np
import dualgrad as dg
from dualgrad.dispatch import _spectral
from _probes import bench_module, spy_on

corpus64 = bench_module("corpus64")


def _banded(rng, m, b, k):
    a = rng.standard_normal((m, m)) * 10.0 ** rng.integers(-300, 300, (m, m))
    i, j = np.indices((m, m))
    a[np.abs(i - j) > b] = 0.0
    spots = (rng.random((m, m)) < 0.2) & (np.abs(i - j) <= b)
    a[spots] = rng.choice([0.0, -0.0, 5e-324, -1e-310, 1e308, np.inf], spots.sum())
    x = rng.standard_normal((m, k)) * 10.0 ** rng.integers(-200, 200, (m, k))
    return a, x.astype(np.longdouble)


def test_banded_product_is_the_matmul():
    """Every band 0..5 at m = 32..100, zeros of both signs, subnormals, inf and huge
    entries in the band: NumPy's longdouble matmul to the bit (a zero sum's sign aside,
    which resolved reads as a size); x with a NaN or inf, complex and dense matrices
    take the matmul itself."""
    rng = np.random.default_rng(66)
    for trial in range(60):
        a, x = _banded(rng, int(rng.choice([32, 33, 47, 100])), trial % 6, 1 + trial % 5)
        with np.errstate(all="ignore"):
            got, want = _spectral._banded_product(a, x, np.longdouble), \
                a.astype(np.longdouble) @ x
        assert got.dtype == want.dtype and got.shape == want.shape
        np.testing.assert_array_equal(got, want)          # (NaN where NaN)
        assert (np.signbit(got) == np.signbit(want))[got != 0].all()
    a, x = _banded(rng, 40, 1, 2)
    for bad in (np.nan, np.inf):
        y = x.copy()
        y[5, 1] = bad
        with np.errstate(all="ignore"):         # (longdouble's padding: not bytes)
            np.testing.assert_array_equal(_spectral._banded_product(a, y, np.longdouble),
                                          a.astype(np.longdouble) @ y)


def test_closure_on_the_pairs_block():
    """The block's squarings give the whole relation's closure: chains, one-way pairs,
    rows without their diagonal, none at all."""
    rng = np.random.default_rng(7)
    for trial in range(120):
        m = int(rng.choice([32, 50, 90]))
        t = np.eye(m, dtype=bool)
        for _ in range(int(rng.integers(0, 12))):
            p, q = rng.integers(0, m, 2)
            t[p, q] = True
            if rng.random() < 0.7:
                t[q, p] = True
        if trial % 3 == 0:
            t[rng.integers(0, m)] = False
        assert (_spectral._closed(t.copy()) == _spectral._squared(t.copy(), m)).all()
    t = np.eye(40, dtype=bool)
    t[3, 9] = t[9, 3] = t[9, 30] = t[30, 9] = True          # a chain 3 - 9 - 30
    closed = _spectral._closed(t)
    assert closed[3, 30] and closed[30, 3] and closed.sum() == 40 + 6


def test_square_well_row(monkeypatch):
    """corpus64's square well (64 nodes here, the row's 300 in bench/corpus66_bits.py):
    its close pairs' residuals take the banded way, and its five lowest levels' slopes
    in the barrier's height and the box's half-width agree with fourth-order central
    differences of NumPy's eigh (1e-6 relative)."""
    taken = spy_on(monkeypatch, _spectral, "_banded_product",
                   lambda args, r: args[0].shape)

    def row(q):
        return corpus64.square_well(q[0], q[1], n=64)
    q = np.array([500.0, 2.0])
    J = dg.jacobian(row, q)
    assert taken and all(shape == (64, 64) for shape in taken)
    for k, h in ((0, 0.5), (1, 1e-4)):
        def at(s):
            p = q.copy()
            p[k] += s * h
            return row(p)
        fd = (8 * (at(1) - at(-1)) - (at(2) - at(-2))) / (12 * h)
        np.testing.assert_allclose(J[:, k], fd, rtol=1e-6)


def _stack(rng, n, m, pairs):
    """A symmetric-ish ``(n, m, m)`` stack with entries of every size, some at the
    negligible level of its largest, zeros of both signs, and ``pairs`` tied pairs."""
    P = rng.standard_normal((n, m, m)) * 10.0 ** rng.integers(-20, 3, (n, m, m))
    P[:, 0, 0] = 1e3
    ties = np.zeros((m, m), dtype=bool)
    for _ in range(pairs):
        a, b = rng.integers(0, m, 2)
        if a != b:
            ties[a, b] = ties[b, a] = True
            P[:, a, b] = rng.choice([0.0, -0.0, 1e-14, 3e-10, 2.0, np.nan, np.inf], n)
    return P, ties


def test_pairs_tests_are_the_whole_stacks(monkeypatch):
    """couple and clustered (first order, with the vectors and without) at the pairs
    alone give the whole stack's masks' results, bit for bit: NaN, inf, zeros of both
    signs, couplings at and beside rounding's level; the general lines run with
    _at_pairs switched off."""
    rng = np.random.default_rng(661)
    cases = []
    for trial in range(40):
        n, m = 1 + trial % 3, int(rng.choice([4, 9, 40]))
        P, ties = _stack(rng, n, m, int(rng.integers(0, 6)))
        FC = P * rng.standard_normal((m, m))
        dw = np.diagonal(P, axis1=-2, axis2=-1).copy()
        if trial % 4 == 0:
            dw[:, :2] = dw[:, :1]                   # a cluster that no direction splits
        w = np.sort(rng.standard_normal(m))
        cases.append((FC, P, ties, dw, w))

    def results():
        out = []
        for FC, P, ties, dw, w in cases:
            with np.errstate(all="ignore"):
                out.append(_spectral.couple(FC, P, ties))
                for vectors in (True, False):
                    out.append(_spectral.clustered(dw, ties, w, P, vectors=vectors))
        return out
    taken = spy_on(monkeypatch, _spectral, "_rows_at_pairs", lambda args, r: True)
    fast = results()
    assert len(taken) == 2 * 2 * len(cases)
    monkeypatch.setattr(_spectral, "_at_pairs", lambda P, ties: False)
    for got, want in zip(fast, results()):
        got, want = (np.concatenate([np.ravel(a) for a in x]) if isinstance(x, tuple)
                     else x for x in (got, want))
        assert got.tobytes() == want.tobytes()
