"""The copy functions' one-pass paths (``np.tril``/``np.triu``' kernel, ...): the
same bits as NumPy.

Oracle: each function is linear in its argument, so its partial in direction k is
the same NumPy call on the k-th partials (plain floats, direction by direction), and
its value is NumPy's call on the value, compared bit for bit (NaN, -0.0 and inf
included).  Both engines: the kernels (``use("numba")``) and the NumPy path.
"""

import numpy as np
import pytest

import dualgrad as dg
from dualgrad.backend import _kernels
from dualgrad.dual._base import new_tag

RNG = np.random.default_rng(29)
n = 4


def _dual(shape, tag=None):
    v = RNG.standard_normal(shape)
    v.flat[::7] = np.nan
    v.flat[::11] = -0.0
    v.flat[::13] = -np.inf
    p = RNG.standard_normal(shape + (n,))
    p.flat[::17] = -0.0
    return dg.Dual(v, p, tag=new_tag() if tag is None else tag)


def _same_bits(got, want):
    assert got.shape == want.shape and got.dtype == want.dtype
    assert got.tobytes() == want.tobytes()


def _by_direction(func, p):
    return np.stack([func(p[..., k]) for k in range(p.shape[-1])], axis=-1)


@pytest.mark.parametrize("mode", ["numba", "numpy"])
@pytest.mark.parametrize("func", [np.tril, np.triu])
@pytest.mark.parametrize("shape", [(120, 90), (90, 120), (2, 3, 40, 30), (1, 1)])
@pytest.mark.engine_independent
def test_triangles_bit_for_bit(mode, func, shape):
    d = _dual(shape)
    rows, cols = shape[-2:]
    for k in (-2 * rows, -rows - 1, -rows, -5, -1, 0, 1, 7, cols - 1, cols, cols + 3,
              np.int64(2), 2**61, -2**61):
        with _kernels.use(mode):
            got = func(d, k)
        _same_bits(got.value, func(d.value, k))
        _same_bits(got.partials, _by_direction(lambda q: func(q, k), d.partials))
        assert got.value.flags.writeable and got.partials.flags.writeable
        assert not np.shares_memory(got.partials, d.partials)
        assert not np.shares_memory(got.value, d.value)


def test_triangles_kernel_runs():
    """The one-pass kernel is what the test above checks under ``use("numba")``."""
    d = _dual((40, 30))
    with _kernels.use("numba"):
        done = _kernels.triangle(d.value, d.partials, 1, True)
    assert done is not None
    _same_bits(done[0], np.triu(d.value, 1))
    _same_bits(done[1], _by_direction(lambda q: np.triu(q, 1), d.partials))


@pytest.mark.parametrize("func", [np.tril, np.triu])
@pytest.mark.engine_independent
def test_triangles_other_layouts(func):
    """Non-contiguous values and partials, a 1-D argument (rows of a matrix), a
    Fortran-ordered value: the NumPy path, the same bits."""
    d = _dual((60, 50))
    for x in (d.T, d[::2, 1:], d[0]):
        with _kernels.use("numba"):
            got = func(x, 2)
        _same_bits(np.ascontiguousarray(got.value), np.ascontiguousarray(func(x.value, 2)))
        want = _by_direction(lambda q: func(q, 2), np.asarray(x.partials)) if x.ndim == 2 \
            else np.stack([func(np.broadcast_to(x.partials[:, k], (50, 50)), 2)
                           for k in range(n)], axis=-1)
        _same_bits(np.ascontiguousarray(got.partials), want)


def test_triangles_huge_k_raise_as_numpy():
    d = _dual((5, 5))
    with pytest.raises(OverflowError):
        np.tril(d.value, 2**70)
    with pytest.raises(OverflowError):
        np.tril(d, 2**70)


def _value(a):
    return a.value if isinstance(a, dg.Dual) else a


def _direction(a, k):
    return a.partials[..., k] if isinstance(a, dg.Dual) else np.zeros_like(a)


JOINS = [
    (np.column_stack, "vectors", {}), (np.column_stack, "three", {}),
    (np.stack, "vectors", {"axis": 1}), (np.stack, "three", {"axis": -1}),
    (np.concatenate, "matrices", {"axis": 1}), (np.hstack, "matrices", {}),
    (np.stack, "same", {"axis": 1}), (np.stack, "same", {"axis": 2}),
    (np.concatenate, "same", {"axis": 0}), (np.concatenate, "transposed", {"axis": 1}),
    (np.concatenate, "five", {"axis": 1}), (np.column_stack, "constant", {}),
    (np.concatenate, "constant matrix", {"axis": 1}), (np.vstack, "vectors", {}),
    (np.append, "matrices", {"axis": 1}),
]


def _join_args(which):
    tag = new_tag()
    X, Y, Z = (_dual((3000,), tag) for _ in range(3))
    A, B = _dual((70, 50), tag), _dual((70, 20), tag)
    return {"vectors": [X, Y], "three": [X, Y, Z], "matrices": [A, B], "same": [A, A],
            "transposed": [A.T, A.T], "five": [A, B, A, B, A], "constant": [X, Y.value],
            "constant matrix": [A, B.value]}[which]


@pytest.mark.parametrize("mode", ["numba", "numpy"])
@pytest.mark.parametrize("func, which, kwargs", JOINS)
@pytest.mark.engine_independent
def test_joins_bit_for_bit(mode, func, which, kwargs):
    """Joins along an inner axis take one kernel pass (``backend.join``), along the
    first one np.concatenate of the rows into a pooled buffer: NumPy's bits each."""
    parts = _join_args(which)
    with _kernels.use(mode):
        got = func(*parts, **kwargs) if func is np.append else func(parts, **kwargs)
    call = (lambda ps: func(*ps, **kwargs)) if func is np.append else \
        (lambda ps: func(ps, **kwargs))
    _same_bits(got.value, call([_value(a) for a in parts]))
    want = np.stack([call([_direction(a, k) for a in parts]) for k in range(n)], axis=-1)
    _same_bits(got.partials, want)
    for a in parts:
        if isinstance(a, dg.Dual):
            assert not np.shares_memory(got.partials, a.partials)


def test_join_kernel_runs():
    a, b = np.ones((50, 8)), np.zeros((50, 4))
    out = np.empty((50, 3, 4))
    with _kernels.use("numba"):
        assert _kernels.join([a, b], 50, out)
        assert not _kernels.join([a, b[::2]], 25, out[::2])        # strided: NumPy's path
    assert (out[:, :2] == 1.0).all() and (out[:, 2] == 0.0).all()


@pytest.mark.parametrize("mode", ["numba", "numpy"])
@pytest.mark.parametrize("shape, width", [((30000,), 2), ((300, 200), ((1, 2), (3, 0))),
                                          ((50, 60, 7), 1), ((5,), 0),
                                          ((400, 300), ((0, 0), (5, 5))), ((20000,), (3, 1))])
@pytest.mark.engine_independent
def test_pad_constant_bit_for_bit(mode, shape, width):
    """np.pad(mode="constant"): the partials padded with zeros (the constants' partials)
    in a pooled buffer, whatever the constants."""
    d = _dual(shape)
    for kwargs in ({}, {"constant_values": 3.0}, {"constant_values": ((1, 2),) * len(shape)}):
        with _kernels.use(mode):
            got = np.pad(d, width, **kwargs)
        _same_bits(got.value, np.pad(d.value, width, **kwargs))
        _same_bits(got.partials, _by_direction(lambda q: np.pad(q, width), d.partials))
        assert not np.shares_memory(got.partials, d.partials)
    with pytest.raises(ValueError):
        np.pad(d, -1)
