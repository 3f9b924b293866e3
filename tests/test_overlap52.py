"""Overlapping writes the stop-51 check missed (attack52 01-04): ``d[index] = e`` and
``d.flat[index] = e`` where ``e`` overlaps ``d`` and NumPy copies element by element,
reading elements it already wrote, while the partials' rows are copied through a buffer.

01: a source made by ``sliding_window_view`` (its value's base is NumPy's
``DummyArray``, not the array owning the memory); 02: flat writes into a view that is
not C-contiguous (reversed, strided, ``z.imag``); 03: complex values with a mask key,
``np.copyto``, ``z[::2][...] = e``; 04: complex values written from a view of their real
parts (itemsizes 16 and 8).  Each is refused; the same writes of a copied source, and
overlapping writes NumPy buffers, stay exact.

Oracles: NumPy's own float program (its values; on element numbers, which element each
entry holds: the Jacobian is that permutation), central differences, and for the replay
itself NumPy's write on distinct values against a write of a copy of the source.
"""
import numpy as np
import pytest
from numpy.lib.stride_tricks import as_strided, sliding_window_view

import dualgrad as dg
from dualgrad.backend import _fused

X = np.arange(1.0, 9.0) ** 1.5
MASK = np.arange(8) % 2 == 0
REFUSAL = r"e\.copy\(\)"


def _real(write):
    """f: a copy of x, ``write`` into it, returned."""
    def f(x):
        d = x * 1.0
        write(d)
        return d
    return f


def _complex(write, part="real"):
    """f: complex values made of x, ``write`` into them, one part returned."""
    def f(x):
        z = x * (1.0 + 0.5j)
        write(z)
        return z.real if part == "real" else z.imag
    return f


CHAINED_REAL = {       # NumPy chains: the float program reads elements it already wrote
    "sliding window": lambda d: d.__setitem__(slice(None, None, 2),
                                              sliding_window_view(d, 4)[0]),
    "sliding window rows": lambda d: d.__setitem__(slice(None, None, 2),
                                                   sliding_window_view(d, 4)[::2][0]),
    "flat of reversed": lambda d: d[::-1].flat.__setitem__([1, 2, 3], d[::-1][:3]),
    "flat of strided": lambda d: d[::2].flat.__setitem__([1, 2, 3], d[:3]),
}
CHAINED_COMPLEX = {
    "mask": lambda z: z.__setitem__(MASK, z[:4]),
    "copyto": lambda z: np.copyto(z[::2], z[:4]),
    "ellipsis of a view": lambda z: z[::2].__setitem__(Ellipsis, z[:4]),
    "real parts into values": lambda z: z.__setitem__(slice(None, None, 2), z.real[:4]),
    "flat of real parts": lambda z: z.real.flat.__setitem__([1, 2, 3], z.real[:3]),
    "flat of imaginary parts": lambda z: z.imag.flat.__setitem__([1, 2, 3], z.imag[:3]),
}
EXACT_REAL = {          # overlapping sources whose NumPy order is the buffered one
    "sliding window, copied": lambda d: d.__setitem__(slice(None, None, 2),
                                                      sliding_window_view(d, 4)[0].copy()),
    "sliding window, apart": lambda d: d.__setitem__(slice(4, None),
                                                     sliding_window_view(d, 4)[0]),
    "flat of reversed, copied": lambda d: d[::-1].flat.__setitem__([1, 2, 3],
                                                                   d[::-1][:3].copy()),
    "flat of contiguous": lambda d: d.flat.__setitem__([1, 2, 3], d[:3]),
    "fancy": lambda d: d.__setitem__([0, 2, 4, 6], d[:4]),
    "shift": lambda d: d.__setitem__(slice(1, None), d[:-1]),
}
EXACT_COMPLEX = {
    "fancy": lambda z: z.__setitem__([0, 2, 4, 6], z[:4]),
    "mask, copied": lambda z: z.__setitem__(MASK, z[:4].copy()),
    "real parts, copied": lambda z: z.__setitem__(slice(None, None, 2), z.real[:4].copy()),
    "shift": lambda z: z.__setitem__(slice(1, None), z[:-1]),
    "imaginary shift": lambda z: z.imag.__setitem__(slice(1, None), z.imag[:-1]),
}


def _numbers_real(write, n):
    """NumPy's float program on element numbers: the element each entry holds."""
    ids = np.arange(float(n))
    write(ids)
    return ids.astype(int)


def _numbers_complex(write, n, part):
    """The same for complex values whose real parts number the elements (the imaginary
    parts, half of them, follow the same elements)."""
    z = np.arange(float(n)) * (1.0 + 0.5j)
    write(z)
    return (z.real if part == "real" else 2 * z.imag).astype(int)


def _central(f, x, h=1e-6):
    return np.stack([(f(x + h * e) - f(x - h * e)) / (2 * h) for e in np.eye(x.size)], -1)


@pytest.mark.parametrize("engine", ["eager", "fused"])
@pytest.mark.parametrize("name", CHAINED_REAL)
def test_chained_real_writes_are_refused(name, engine):
    write = CHAINED_REAL[name]
    x = X
    with _fused.engine(engine), pytest.raises(TypeError, match=REFUSAL):
        dg.jacobian(_real(write), x)


@pytest.mark.parametrize("engine", ["eager", "fused"])
@pytest.mark.parametrize("name", CHAINED_COMPLEX)
def test_chained_complex_writes_are_refused(name, engine):
    write = CHAINED_COMPLEX[name]
    x = X
    with _fused.engine(engine), pytest.raises(TypeError, match=REFUSAL):
        dg.jacobian(_complex(write), x)


@pytest.mark.parametrize("engine", ["eager", "fused"])
@pytest.mark.parametrize("name", EXACT_REAL)
def test_buffered_real_writes_stay_exact(name, engine):
    write = EXACT_REAL[name]
    x = X
    f = _real(write)
    with _fused.engine(engine):
        J = dg.jacobian(f, x)
    np.testing.assert_array_equal(J, np.eye(x.size)[_numbers_real(write, x.size)])
    np.testing.assert_allclose(J, _central(f, x), atol=1e-6)


@pytest.mark.parametrize("engine", ["eager", "fused"])
@pytest.mark.parametrize("name", EXACT_COMPLEX)
def test_buffered_complex_writes_stay_exact(name, engine):
    write = EXACT_COMPLEX[name]
    part = "imag" if "imaginary" in name else "real"
    f = _complex(write, part)
    with _fused.engine(engine):
        J = dg.jacobian(f, X)
    rows = _numbers_complex(write, X.size, part)
    scale = 1.0 if part == "real" else 0.5
    np.testing.assert_allclose(J, scale * np.eye(X.size)[rows], rtol=0, atol=0)
    np.testing.assert_allclose(J, _central(f, X), atol=1e-6)


def test_the_chained_values_are_numpys():
    # the premise: NumPy's float program does chain in these cases (its values are not
    # those of a write of a copied source), so a derivative following the buffered
    # partials would be another element's
    d = np.arange(8.0)
    d[::2] = sliding_window_view(d, 4)[0]
    assert d[4] == 1.0                                  # x[1], through d[2]
    z = np.arange(8.0) * (1 + 0.5j)
    z[MASK] = z[:4]
    assert z[4].real == 1.0
    z = np.arange(8.0) * (1 + 0.5j)
    z[::2] = z.real[:4]
    assert z[4] == 1.0
    v = np.arange(4.0)[::-1]
    v.flat[[1, 2, 3]] = v[:3]
    np.testing.assert_array_equal(v, [3.0, 3.0, 3.0, 3.0])    # a copy first: 3 3 2 1
    d = np.arange(8.0)
    d[::2].flat[[1, 2, 3]] = d[:3]
    np.testing.assert_array_equal(d[::2], [0.0, 0.0, 1.0, 0.0])   # a copy first: 0 0 1 2
    z = np.arange(4.0) * (1 + 2j)
    z.imag.flat[[1, 2, 3]] = z.imag[:3]
    np.testing.assert_array_equal(z.imag, [0.0, 0.0, 0.0, 0.0])


def test_a_hessian_through_a_chained_write_is_refused():
    def f(x):
        d = x * 1.0
        d[::2] = sliding_window_view(d, 4)[0]
        return np.sum(d ** 3)
    with pytest.raises(TypeError, match=REFUSAL):
        dg.hessian(f, X)
    def g(x):
        z = x * (1.0 + 0.5j)
        z[MASK] = z[:4]
        return np.sum(np.abs(z) ** 2)
    with pytest.raises(TypeError, match=REFUSAL):
        dg.hessian(g, X)


def test_a_hessian_through_a_buffered_write_is_exact():
    # d[0::2] = d[:4] through a fancy key: NumPy copies the source first; d holds
    # x[0] x[1] x[1] x[3] x[2] x[5] x[3] x[7]; sum d**3 has Hessian diag 6 * x_j * count_j
    def f(x):
        d = x * 1.0
        d[[0, 2, 4, 6]] = d[:4]
        return np.sum(d ** 3)
    counts = np.bincount([0, 1, 1, 3, 2, 5, 3, 7], minlength=8)
    np.testing.assert_allclose(dg.hessian(f, X), np.diag(6 * X * counts), rtol=1e-14)


# ---- the replay itself, on plain arrays: NumPy's write of distinct values against the
# same write of a copy of its source is the oracle
def _plain_cases():
    def real(n=12):
        return np.arange(1.0, n + 1) ** 1.5

    def cplx(dtype=np.complex128):
        return (np.arange(1.0, 13) * (1 + 0.5j) + 0.25j).astype(dtype)
    return {
        "upsample": (real, lambda d: (d, slice(None, None, 2), d[:6])),
        "shift": (real, lambda d: (d, slice(1, None), d[:-1])),
        "reversed": (real, lambda d: (d, slice(None, None, -1), d)),
        "reversed strided": (real, lambda d: (d, slice(11, None, -2), d[6::-1][:6])),
        "mask": (real, lambda d: (d, np.arange(12) % 3 == 0, d[:4])),
        "fancy": (real, lambda d: (d, [0, 3, 6, 9], d[:4])),
        "2-D rows": (real, lambda d: (d.reshape(3, 4), slice(1, None), d.reshape(3, 4)[:-1])),
        "2-D columns": (real, lambda d: (d.reshape(3, 4), (slice(None), slice(1, None)),
                                         d.reshape(3, 4)[:, :-1])),
        "transposed": (real, lambda d: (d.reshape(3, 4)[:3, :3], Ellipsis,
                                        d.reshape(3, 4)[:3, :3].T)),
        "as_strided": (real, lambda d: (d, slice(None, None, 3),
                                        as_strided(d, (4,), (8,)))),
        "complex upsample": (cplx, lambda z: (z, slice(None, None, 2), z[:6])),
        "complex from real": (cplx, lambda z: (z, slice(None, None, 2), z.real[:6])),
        "complex from imaginary": (cplx, lambda z: (z, slice(None, None, 2), z.imag[:6])),
        "complex64 from real": (lambda: cplx(np.complex64),
                                lambda z: (z, slice(None, None, 2), z.real[:6])),
        "complex from real, apart": (cplx, lambda z: (z[6:], Ellipsis, z.real[:6])),
        "real part from real part": (cplx, lambda z: (z.real, slice(None, None, 2),
                                                      z.real[:6])),
    }


@pytest.mark.parametrize("name", _plain_cases())
def test_the_replay_agrees_with_numpys_own_write(name):
    make, parts = _plain_cases()[name]
    a = make()
    v, index, x = parts(a)
    b = make()
    vb, _, xb = parts(b)
    v[index] = x
    vb[index] = xb.copy()
    want = not np.array_equal(a, b)            # NumPy chained: the memory differs
    from dualgrad.dual._array import _chained      # (dualgrad's own replay)
    c = make()
    vc, index, xc = parts(c)
    before = c.copy()
    got = _chained(vc, xc, lambda p, q: p.__setitem__(index, q))
    np.testing.assert_array_equal(c, before)      # the replay wrote nothing of c's
    assert got is want, (name, got, want)


def test_flat_replay_agrees_with_numpys_own_write():
    from dualgrad.dual._array import _chained
    for make, view in ((lambda: np.arange(1.0, 9.0), lambda d: d[::-1]),
                       (lambda: np.arange(1.0, 9.0), lambda d: d[::2]),
                       (lambda: np.arange(1.0, 9.0) * (1 + 0.5j), lambda z: z.imag),
                       (lambda: np.arange(1.0, 9.0) * (1 + 0.5j), lambda z: z.real[::-1])):
        for key in ([1, 2, 3], slice(1, 4), [3, 2, 1]):
            a, b, c = make(), make(), make()
            va, vb, vc = view(a), view(b), view(c)
            va.flat[key] = va[:3]
            vb.flat[key] = vb[:3].copy()
            want = not np.array_equal(a, b)
            got = _chained(vc, vc[:3], lambda p, q: p.flat.__setitem__(key, q))
            assert got is want


def test_a_hessian_through_a_chained_flat_write_is_refused():
    # nested duals: the outer flat write reaches the inner level as an index write,
    # which NumPy buffers; the floats' flat order is what the float program follows
    def f(x):
        d = x * 1.0
        d[::-1].flat[[1, 2, 3]] = d[::-1][:3]
        return np.sum(d ** 3)
    with pytest.raises(TypeError, match=REFUSAL):
        dg.hessian(f, X)

    def g(x):
        d = x * 1.0
        d[::-1].flat[[1, 2, 3]] = d[::-1][:3].copy()
        return np.sum(d ** 3)
    ids = np.arange(8.0)
    ids[::-1].flat[[1, 2, 3]] = ids[::-1][:3].copy()
    counts = np.bincount(ids.astype(int), minlength=8)
    np.testing.assert_allclose(dg.hessian(g, X), np.diag(6 * X * counts), rtol=1e-14)


# ---- attack52 06 / 07: np.fill_diagonal and np.copyto(where=) with an overlapping
# source, flat writes of a source of another size
X9 = np.arange(1.0, 10.0) ** 1.5
X6 = np.arange(1.0, 7.0) ** 1.5
WHERE = np.array([1, 1, 1, 0, 1], bool)


def _check_against_numpy(f, x, engine):
    """f's value is NumPy's float program, its Jacobian central differences' (f linear:
    to rounding)."""
    with _fused.engine(engine):
        J = dg.jacobian(f, x)
    np.testing.assert_allclose(J, _central(f, x), atol=1e-6)
    return J


@pytest.mark.parametrize("engine", ["eager", "fused"])
def test_fill_diagonal_from_its_own_elements_follows_numpy(engine):
    # NumPy writes d.flat[::4] = d[2:5] element after element: d[8] gets d[4] after it
    # was written (x[3]); the Jacobian is NumPy's float program on element numbers
    def f(x):
        d = x * 1.0
        np.fill_diagonal(d.reshape(3, 3), d[2:5])
        return d
    ids = np.arange(9.0)
    np.fill_diagonal(ids.reshape(3, 3), ids[2:5])
    assert ids[8] == 3.0                               # (the premise: chained)
    J = _check_against_numpy(f, X9, engine)
    np.testing.assert_array_equal(J, np.eye(9)[ids.astype(int)])


@pytest.mark.parametrize("engine", ["eager", "fused"])
def test_fill_diagonal_of_a_transposed_view_from_its_elements_is_refused(engine):
    def f(x):
        d = x * 1.0
        np.fill_diagonal(d.reshape(3, 3).T, d[2:5])
        return d
    with _fused.engine(engine), pytest.raises(TypeError, match=REFUSAL):
        dg.jacobian(f, X9)


@pytest.mark.parametrize("engine", ["eager", "fused"])
def test_copyto_where_from_overlapping_elements(engine):
    def chained(x):
        d = x * 1.0
        np.copyto(d[::2], d[:5], where=WHERE)
        return d
    ids = np.arange(9.0)
    np.copyto(ids[::2], ids[:5], where=WHERE)
    buffered = np.arange(9.0)
    np.copyto(buffered[::2], buffered[:5].copy(), where=WHERE)
    assert not np.array_equal(ids, buffered)           # (the premise: chained)
    with _fused.engine(engine), pytest.raises(TypeError, match=r"src\.copy\(\)"):
        dg.jacobian(chained, X9)

    def copied(x):
        d = x * 1.0
        np.copyto(d[::2], d[:5].copy(), where=WHERE)
        return d
    J = _check_against_numpy(copied, X9, engine)
    np.testing.assert_array_equal(J, np.eye(9)[buffered.astype(int)])

    def shift(x):                                      # same strides: NumPy's order
        d = x * 1.0                                    # is the buffered one
        np.copyto(d[1:], d[:-1], where=np.arange(8) % 2 == 0)
        return d
    ids = np.arange(9.0)
    np.copyto(ids[1:], ids[:-1], where=np.arange(8) % 2 == 0)
    J = _check_against_numpy(shift, X9, engine)
    np.testing.assert_array_equal(J, np.eye(9)[ids.astype(int)])


FLAT_SIZES = {           # NumPy repeats a shorter source over the positions, cuts a longer
    "constants repeated": lambda x, d: d.flat.__setitem__(slice(1, None), np.array([10.0, 20.0])),
    "duals repeated": lambda x, d: d.flat.__setitem__(slice(1, None), x[:2] * 3),
    "another shape": lambda x, d: d.flat.__setitem__([0, 1, 2, 3], (x[:4] * 2).reshape(2, 2)),
    "longer": lambda x, d: d.flat.__setitem__([0, 1], x[:3] * 2),
    "a list": lambda x, d: d.flat.__setitem__(slice(1, None), [x[0] * 1.0, 5.0]),
    "into a reversed view": lambda x, d: d[::-1].flat.__setitem__(slice(1, None), x[:2] * 3),
    "into 2-D": lambda x, d: d.reshape(2, 3).flat.__setitem__(slice(None, None, 2), x[:2] * 3),
}


@pytest.mark.parametrize("engine", ["eager", "fused"])
@pytest.mark.parametrize("name", FLAT_SIZES)
def test_flat_writes_repeat_the_source_as_numpy(name, engine):
    write = FLAT_SIZES[name]

    def f(x):
        d = x * 1.0
        write(x, d)
        return d
    want = X6 * 1.0
    write(X6, want)                                    # NumPy's own flat assignment
    with _fused.engine(engine):
        J = dg.jacobian(f, X6)
        value, _ = dg.jvp(f, X6, np.ones(6))
    np.testing.assert_array_equal(value, want)         # the dual's values are NumPy's
    np.testing.assert_allclose(J, _central(f, X6), atol=1e-6)


# ---- attack52 14: a flat write whose index runs out of bounds, the IndexError caught by f:
# NumPy writes the positions before the bad index, then raises; the replay must let it
BAD_INDEX = {
    "reversed, overlapping": (lambda d: d[::-1], [0, 1, 99], lambda d, v: v[2:5]),
    "reversed, apart": (lambda d: d[::-1], [0, 1, 99], lambda d, v: d[:3] * 2),
    "transposed, overlapping": (lambda d: d.reshape(2, 3).T, [0, 1, 99], lambda d, v: d[2:5]),
}


def _caught(view, key, source):
    def f(x):
        d = x * 1.0
        v = view(d)
        try:
            v.flat[key] = source(d, v)
        except IndexError:
            pass
        return d
    return f


@pytest.mark.parametrize("engine", ["eager", "fused"])
@pytest.mark.parametrize("name", BAD_INDEX)
def test_a_flat_write_to_a_bad_index_writes_numpys_prefix(name, engine):
    f = _caught(*BAD_INDEX[name])
    with _fused.engine(engine):
        J = dg.jacobian(f, X6)
        value, _ = dg.jvp(f, X6, np.ones(6))
    np.testing.assert_array_equal(value, f(X6))        # NumPy's float program
    assert not np.array_equal(value, X6)               # (it wrote a prefix)
    np.testing.assert_allclose(J, _central(f, X6), atol=1e-6)


@pytest.mark.parametrize("engine", ["eager", "fused"])
def test_a_chained_prefix_before_a_bad_index_is_refused(engine):
    f = _caught(lambda d: d[::-1], [1, 2, 3, 99], lambda d, v: v[:3])
    with _fused.engine(engine), pytest.raises(TypeError, match=REFUSAL):
        dg.jacobian(f, X6)


# ---- attack52b 16: the overlap test of dispatch (np.place, joins' out=) looked one
# ``value`` deep, so a Hessian's nested duals never overlapped and took the buffered write
# NumPy does not make (first order refused the same spelling)
PLACE_MASK = np.array([1, 0, 1, 1, 0, 1, 1], bool)
NESTED = {
    "place": lambda d: np.place(d[1:], PLACE_MASK, d[:-1]),
    "concatenate out=": lambda d: np.concatenate([d[4:], d[:4]], out=d),
    "stack out=": lambda d: np.stack([d[4:], d[:4]], out=d.reshape(2, 4)),
}


@pytest.mark.parametrize("engine", ["eager", "fused"])
@pytest.mark.parametrize("name", NESTED)
def test_hessians_through_writes_first_order_refuses_are_refused(name, engine):
    write = NESTED[name]
    weights = np.cos(np.arange(8.0))

    def f(x):
        d = x * 1.0
        write(d)
        return np.sum(weights * d ** 2)
    with _fused.engine(engine):
        with pytest.raises(TypeError):
            dg.jacobian(_real(write), X)               # (first order: refused already)
        with pytest.raises(TypeError):
            dg.hessian(f, X)


def test_a_hessian_through_a_copied_join_is_exact():
    weights = np.cos(np.arange(8.0))

    def f(x):
        d = x * 1.0
        np.concatenate([d[4:].copy(), d[:4].copy()], out=d)
        return np.sum(weights * d ** 2)
    # d = roll(x, -4): F = sum w_i x_{(i + 4) % 8}^2, Hessian diag 2 w_{(j - 4) % 8}
    np.testing.assert_allclose(dg.hessian(f, X), np.diag(2 * np.roll(weights, 4)), rtol=1e-14)


# ---- attack52b 12: np.place with an overlapping vals that NumPy reads before it writes
# over it (no chain) was refused; NumPy's own place, replayed on element numbers, decides
PLACES = {
    "a view read before its elements are written": (PLACE8 := np.array([1, 0, 1, 1, 0, 1, 1, 0], bool),
                                                    lambda d: d[1:3]),
    "the tail": (PLACE8, lambda d: d[5:]),
    "reversed": (PLACE8, lambda d: d[::-1]),
}


@pytest.mark.parametrize("engine", ["eager", "fused"])
@pytest.mark.parametrize("name", PLACES)
def test_place_from_its_own_elements_numpy_reads_first_is_exact(name, engine):
    mask, vals = PLACES[name]

    def f(x):
        d = x * 1.0
        np.place(d, mask, vals(d))
        return d
    ids = np.arange(8.0)
    np.place(ids, mask, vals(ids))                     # NumPy's float program
    with _fused.engine(engine):
        J = dg.jacobian(f, X)
    np.testing.assert_array_equal(J, np.eye(8)[ids.astype(int)])
    np.testing.assert_allclose(J, _central(f, X), atol=1e-6)


@pytest.mark.parametrize("engine", ["eager", "fused"])
def test_place_numpy_chains_stays_refused(engine):
    def f(x):
        z = x * 1.0
        np.place(z, np.arange(8) >= 4, z[3:5])         # z[4] is read after it is written
        return z
    ids = np.arange(8.0)
    np.place(ids, np.arange(8) >= 4, ids[3:5])
    copied = np.arange(8.0)
    np.place(copied, np.arange(8) >= 4, copied[3:5].copy())
    assert not np.array_equal(ids, copied)             # (the premise: NumPy chains)
    with _fused.engine(engine), pytest.raises(TypeError, match=r"np\.place.*vals\.copy\(\)"):
        dg.jacobian(f, X)
