"""twodir68: few-direction products ``f[..., None] * p`` iterated with the directions
first (``_propagate._along``), against products of Python floats element by element (an
independent oracle: one IEEE product of the same two numbers each)."""

import numpy as np
import pytest

import dualgrad as dg
from dualgrad.backend import _propagate

SPECIAL = [0.0, -0.0, np.inf, -np.inf, 5e-324, -2.0 ** -1070, 1e308, -1e-300, 3.5, -0.75]


def _array(rng, shape, special):
    a = rng.normal(size=shape) * 10.0 ** rng.integers(-300, 300, size=shape)
    if special:
        flat = a.reshape(-1)
        flat[: flat.size // 2] = np.resize(SPECIAL, flat.size // 2)
        rng.shuffle(flat)
    return a


def _oracle(f, p):
    """``f[..., None] * p`` a Python float product at a time."""
    ff, pp = f.reshape(-1).tolist(), p.reshape(f.size, -1).tolist()
    return np.array([[a * b for b in row] for a, row in zip(ff, pp)]).reshape(p.shape)


def _same(got, want):
    assert got.shape == want.shape and got.dtype == want.dtype
    assert got.flags.c_contiguous
    nan = np.isnan(want)
    assert np.array_equal(np.isnan(got), nan)
    assert np.array_equal(got.view(np.int64)[~nan], want.view(np.int64)[~nan])


SHAPES = [(300,), (16, 20), (3, 10, 12), (40000,), (8,)]


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("n", [1, 2, 3, 4])
@pytest.mark.parametrize("special", [False, True])
def test_along_bits(shape, n, special):
    rng = np.random.default_rng(n + len(shape))
    f = _array(rng, shape, special)
    p = _array(rng, shape + (n,), special)
    f0, p0 = f.copy(), p.copy()
    with np.errstate(all="ignore"):
        got = _propagate._along(f, p)
        want = _oracle(f, p)
    _same(got, want)
    assert got is not p and not np.shares_memory(got, p)
    assert np.array_equal(f, f0, equal_nan=True) and np.array_equal(p, p0, equal_nan=True)


@pytest.mark.parametrize("layout", ["fortran", "strided", "reversed"])
def test_along_other_layouts(layout):
    """Partials that are not C-ordered keep NumPy's broadcast product (its layout)."""
    rng = np.random.default_rng(1)
    f = _array(rng, (20, 30), True)
    base = _array(rng, (20, 30, 4), True)
    p = {"fortran": np.asfortranarray(base[..., :2]), "strided": base[..., ::2],
         "reversed": base[::-1, :, :2]}[layout]
    with np.errstate(all="ignore"):
        got = _propagate._along(f, p)
        want = _oracle(f, np.ascontiguousarray(p))
        assert got.strides == (f[..., None] * p).strides
    _same(np.ascontiguousarray(got), want)


@pytest.mark.parametrize("n", [2, 3])
@pytest.mark.parametrize("shape", [(600,), (20, 30)])
def test_pair_and_scaled_small(n, shape):
    """The lean path's two products and sum, each rounded as Python rounds it."""
    rng = np.random.default_rng(7)
    f, g = _array(rng, shape, False), _array(rng, shape, False)
    p, q = _array(rng, shape + (n,), True), _array(rng, shape + (n,), True)
    with np.errstate(all="ignore"):
        want = _oracle(f, p) + _oracle(g, q)
        _same(_propagate.pair_small(f, p, g, q), want)
        _same(_propagate.combine_small([f, g], [p, q], shape + (n,)), want)
        _same(_propagate.scaled_small(f, p), _oracle(f, p))
        _same(_propagate.scaled(f, p), _oracle(f, p))
    f[3] = np.nan
    assert _propagate.pair_small(f, p, g, q) is None
    assert _propagate.scaled_small(f, p) is None


def test_product_of_two_directions_public():
    """``x * y`` and ``x ** 2`` of (30, 30) array duals of two directions (the lattice
    Boltzmann row's ``ux * uy``, ``ux ** 2``): each partial the rounded sum of the
    rounded products y p_x + x p_y, and 2 x p_x."""
    rng = np.random.default_rng(3)
    xv, yv = rng.normal(size=(30, 30)), rng.normal(size=(30, 30))
    xp, yp = rng.normal(size=(30, 30, 2)), rng.normal(size=(30, 30, 2))
    xp[0, :5] = [[0.0, -0.0], [5e-324, 1e300], [-1e300, 2.0], [np.inf, 1.0], [-0.0, -0.0]]
    got = {}

    def f(w):
        x, y = dg.Dual(xv, xp, tag=w.tag), dg.Dual(yv, yp, tag=w.tag)
        got["xy"] = np.asarray((x * y).partials)
        got["xx"] = np.asarray((x ** 2).partials)
        return w

    with np.errstate(all="ignore"):
        dg.jacobian(f, np.array([0.5, 1.5]))
        want = np.array([[[b * s + a * t for s, t in zip(ps, qs)]
                          for a, b, ps, qs in zip(ra, rb, rp, rq)]
                         for ra, rb, rp, rq in zip(xv.tolist(), yv.tolist(), xp.tolist(),
                                                   yp.tolist())])
        two = np.array([[[(2.0 * a) * s for s in ps] for a, ps in zip(ra, rp)]
                        for ra, rp in zip(xv.tolist(), xp.tolist())])
    _same(got["xy"], want)
    _same(got["xx"], two)


def test_public_products_take_along():
    """The lean path's ``x * y`` and ``x ** 2`` of 2 directions on 900 elements run
    :func:`_propagate._along` (numba not loaded), and not on 40 elements."""
    from _probes import python_calls
    seen = {}

    def f(w):
        for size in (900, 40):
            x = dg.Dual(np.linspace(1.0, 2.0, size), np.ones((size, 2)), tag=w.tag)
            y = dg.Dual(np.linspace(-1.0, 3.0, size), np.ones((size, 2)), tag=w.tag)
            seen[size] = python_calls(lambda: x * y) + python_calls(lambda: x ** 2)
        return w

    from dualgrad.backend import _loader
    dg.jacobian(f, np.array([0.5, 1.5]))
    if not _loader.READY:                  # (numba loaded by an earlier test: its kernels)
        assert seen[900].count("_along") == 3
    assert "_along" not in seen[40]


@pytest.mark.parametrize("shape", [(600,), (20, 40), (3, 15, 20)])
@pytest.mark.parametrize("n", [2, 3])
def test_along_nan_payloads(shape, n):
    """NaN payloads and signs, inf * 0: every bit as NumPy's broadcast product gives it
    (the loop that ran before), but NaN * NaN, where IEEE 754 leaves which NaN to the
    implementation (the broadcast loop itself gives p's on some rows' last elements,
    f's elsewhere); ``scaled`` (whose factor may be NaN: its zero rule) every bit."""
    rng = np.random.default_rng(n)
    vals = np.array([np.nan, -np.nan, np.inf, -np.inf, 0.0, -0.0, 5e-324, 1.0, -1.0])
    f, p = rng.choice(vals, size=shape), rng.choice(vals, size=shape + (n,))
    f.view(np.int64).reshape(-1)[::17] = 0x7FF8000000000123
    p.view(np.int64).reshape(-1)[::13] = -0x0007FFFFFFFFFF00     # a negative NaN, payload
    with np.errstate(all="ignore"):
        want = f[..., None] * p
        got = _propagate._along(f, p)
        scaled = _propagate.scaled(f, p)
    both = np.isnan(f)[..., None] & np.isnan(p)
    assert np.array_equal(got.view(np.int64)[~both], want.view(np.int64)[~both])
    assert np.isnan(got[both]).all()
    # (a zero partial stays 0 where the product is NaN; beside a finite factor the
    # product's own signed zero, IEEE float code's: power71)
    want = np.where((p == 0.0) & np.isnan(want), 0.0, want)
    assert np.array_equal(scaled.view(np.int64), want.view(np.int64))
    g = np.where(np.isfinite(f), f, 2.0)                  # a finite factor: _along runs
    with np.errstate(all="ignore"):
        assert np.array_equal(_propagate.scaled(g, p).view(np.int64),
                              (g[..., None] * p).view(np.int64))
