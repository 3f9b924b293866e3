"""Sparsity detection, stop 52: mode="global" where f indexes by its own values
(attack51 18); np.interp's traced complex ends (attack51b 03).

An index computed from the values (``x[x > 0]``, ``x[np.argmax(x)]``, ``np.argsort``,
``np.searchsorted``) selects other elements at another point: the global pattern must
hold the entries of the Jacobian there too.  Oracle: fourth-order central differences
of the plain function at random points (piecewise smooth: the selections do not change
within the stencil away from ties).
"""

import warnings

import numpy as np
import pytest

import dualgrad as dg
from _oracles import central4

N = 6
KNOTS = np.linspace(-1.0, 1.0, N - 1)


def _written(spelling):
    def f(x):
        y = x * 2.0
        spelling(y, x)
        return y
    return f


SPELLINGS = {
    "x[np.argmax(x)] * x": lambda x: x[np.argmax(x)] * x,
    "x[x.argmax()] * x": lambda x: x[x.argmax()] * x,
    "x[np.argmax(x[:-1]) + 1] * x": lambda x: x[np.argmax(x[:-1]) + 1] * x,
    "x[np.argsort(x)] * 2": lambda x: x[np.argsort(x)] * 2.0,
    "x[np.argsort(x)[0]] * x": lambda x: x[np.argsort(x)[0]] * x,
    "x[np.argsort(x)[-3:]]": lambda x: x[np.argsort(x)[-3:]] * 2.0,
    "x[i:i + 2], i = argmax": lambda x: x[np.argmax(x[:-1]):np.argmax(x[:-1]) + 2] * 2.0,
    "np.take(x, np.argmin(x)) + x": lambda x: np.take(x, np.argmin(x)) + x,
    "x[np.searchsorted(knots, x[0])] * x":
        lambda x: x[np.searchsorted(KNOTS, x[0])] * x,
    "x[np.digitize(x[0], knots)] + x": lambda x: x[np.digitize(x[0], KNOTS)] + x,
    "np.take_along_axis(x, np.argsort(x), 0)":
        lambda x: np.take_along_axis(x, np.argsort(x), 0) * 1.0,
    "2-D take_along_axis":
        lambda x: np.take_along_axis(x.reshape(2, 3), np.argsort(x.reshape(2, 3), axis=1),
                                     1).ravel() * 1.0,
    "x[x > 0].sum() * x": lambda x: x[x > 0].sum() * x,
    "x[np.nonzero(x > 0)].sum() * x": lambda x: x[np.nonzero(x > 0)].sum() * x,
    "x[(x > 0).nonzero()].sum() * x": lambda x: x[(x > 0).nonzero()].sum() * x,
    "x[np.where(x > 0)[0]].sum() * x": lambda x: x[np.where(x > 0)[0]].sum() * x,
    "x[np.flatnonzero(m & (x < 0.8))]":
        lambda x: x[np.flatnonzero((x > 0) & (x < 0.8))].sum() * x,
    "np.compress(x > 0, x).sum() * x": lambda x: np.compress(x > 0, x).sum() * x,
    "x[np.lexsort((x,))]": lambda x: x[np.lexsort((x,))] * 1.0,
    "x[np.nanargmax(x)] * x": lambda x: x[np.nanargmax(x)] * x,
    "x[np.argpartition(x, 2)[:2]].sum() * x":
        lambda x: x[np.argpartition(x, 2)[:2]].sum() * x,
    "x.flat[np.argmax(x)] * x": lambda x: x.flat[np.argmax(x)] * x,
    "x[np.unique(np.round(x), return_index=True)[1]]":
        lambda x: x[np.unique(np.round(2 * x), return_index=True)[1]].sum() * x,
    "x[np.clip(np.searchsorted(knots, x[0]) - 1, 0, 4)]":
        lambda x: x[np.clip(np.searchsorted(KNOTS, x[0]) - 1, 0, 4)] * x,
    "x[np.minimum(np.argmax(x), 3)]": lambda x: x[np.minimum(np.argmax(x), 3)] * x,
    "x[np.argmax(x).clip(0, 3)]": lambda x: x[np.argmax(x).clip(0, 3)] * x,
    "np.unravel_index(np.argmax(x), (2, 3))":
        lambda x: x.reshape(2, 3)[np.unravel_index(np.argmax(x), (2, 3))] * x,
    "np.split(x, [np.argmax(x[:3]) + 1])[0]":
        lambda x: np.split(x, [np.argmax(x[:3]) + 1])[0].sum() * x,
    "x[np.arange(6) >= np.argmax(x)]": lambda x: x[np.arange(N) >= np.argmax(x)].sum() * x,
    "x[np.argmax(dg.stop_gradient(x))]": lambda x: x[np.argmax(dg.stop_gradient(x))] * x,
    "(x > 0).astype(float) @ x": lambda x: ((x > 0).astype(float) @ x) * x,
    "np.diag(x > 0) @ x": lambda x: np.diag(x > 0) @ x,
    "y[x[0] > 0] = 0 (a 0-d mask)": _written(lambda y, x: y.__setitem__(x[0] > 0, 0.0)),
    "y[x > 0] = 0": _written(lambda y, x: y.__setitem__(x > 0, 0.0)),
    "y[np.argmax(x)] = x[0]": _written(lambda y, x: y.__setitem__(np.argmax(x), x[0])),
    "y[np.argsort(x)] = x": _written(lambda y, x: y.__setitem__(np.argsort(x), x)),
    "np.put(y, np.argmax(x), x[1])": _written(lambda y, x: np.put(y, np.argmax(x), x[1])),
    "y.put(np.argmin(x), x[3])": _written(lambda y, x: y.put(np.argmin(x), x[3])),
    "y.flat[np.argmax(x)] = x[2]":
        _written(lambda y, x: y.flat.__setitem__(np.argmax(x), x[2])),
    "np.copyto(y, x[::-1], where=x > 0)":
        _written(lambda y, x: np.copyto(y, x[::-1], where=x > 0)),
    "np.place(y, x > 0, x[::-1])": _written(lambda y, x: np.place(y, x > 0, x[::-1])),
    "np.putmask(y, x > 0, x[::-1])": _written(lambda y, x: np.putmask(y, x > 0, x[::-1])),
    "np.add.at(y, np.argmax(x), x[2])":
        _written(lambda y, x: np.add.at(y, np.argmax(x), x[2])),
}


@pytest.mark.parametrize("name", SPELLINGS)
def test_global_pattern_holds_where_value_indices_move(name):
    f = SPELLINGS[name]
    rng = np.random.default_rng(52)
    x0 = rng.uniform(-1.0, 1.0, N)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pattern = dg.sparsity(f, x0, mode="global")
        held = pattern.toarray() != 0
        for _ in range(8):
            x1 = rng.uniform(-1.5, 1.5, N)
            exact = central4(f, x1)
            if exact.shape != held.shape:          # a mask of another length
                continue
            assert not (np.abs(exact) > 1e-6)[~held].any(), (name, x1)
            sparse = dg.jacobian(f, x1, sparsity=pattern, check_sparsity=False)
            np.testing.assert_allclose(sparse.toarray(), exact, atol=1e-6)


@pytest.mark.parametrize("f", [
    lambda x: np.diagonal(np.outer(x, x), offset=np.argmax(x) % 3) * 1.0,
    lambda x: np.lib.stride_tricks.sliding_window_view(x, 2)[np.argmax(x) % 3] * 1.0,
    lambda x: np.ones_like(x)[x > 0].sum() * x,
    lambda x: np.zeros_like(x)[np.argmax(x)] + x])
def test_global_mode_through_read_only_views_and_empty_rows(f):
    """A value index into a read-only view, or into an array with no inputs, in
    mode="global" (attack52b 03 / 17: NumPy's ValueError escaped); the pattern holds
    the dense Jacobian's nonzeros at random points."""
    rng = np.random.default_rng(3)
    held = dg.sparsity(f, rng.uniform(-1, 1, 4), mode="global").toarray()
    for _ in range(6):
        x1 = rng.uniform(-1.5, 1.5, 4)
        exact = central4(f, x1)
        if exact.shape == held.shape:
            assert not (np.abs(exact) > 1e-6)[~held].any()


def test_local_pattern_keeps_the_point_s_selection():
    """mode="local" is unchanged: the argmax element's column only."""
    f = SPELLINGS["x[np.argmax(x)] * x"]
    x0 = np.array([0.1, 0.9, -0.3, 0.2, 0.4, -0.7])
    local = dg.sparsity(f, x0).toarray() != 0
    np.testing.assert_array_equal(local, np.abs(central4(f, x0)) > 1e-9)


def test_global_hessian_pattern_follows_value_indices():
    """hessian_sparsity(mode="global"): x[argmax(x)] ** 2 pairs every input at
    another point (second central differences of the plain function)."""
    def f(x):
        return x[np.argmax(x)] ** 2 + np.sum(x[x > 0.5] ** 3)
    rng = np.random.default_rng(7)
    x0 = rng.uniform(-1.0, 1.0, N)
    held = dg.hessian_sparsity(f, x0, mode="global").toarray() != 0
    h = 1e-4
    for _ in range(6):
        x1 = rng.uniform(-1.5, 1.5, N)
        eye = np.eye(N) * h
        H = np.array([[(f(x1 + eye[i] + eye[j]) - f(x1 + eye[i] - eye[j]) -
                        f(x1 - eye[i] + eye[j]) + f(x1 - eye[i] - eye[j])) / (4 * h * h)
                       for j in range(N)] for i in range(N)])
        assert not (np.abs(H) > 1e-4)[~held].any()


def test_marked_indices_read_as_plain_numbers():
    """What f does with an index besides indexing works as on plain arrays; what would
    make a plain integer of it (stop 53: int(i), range(i)) raises TypeError instead."""
    seen = {}

    def f(x):
        i = np.argmax(x)
        seen["i"] = (i, i + 1, (x > 0).sum())
        return x * float(i)
    dg.sparsity(f, np.array([0.1, 0.9, -0.3]), mode="global")
    i, nxt, count = seen["i"]
    assert (i, nxt, count) == (1, 2, 2)
    for escape in (int, range):
        with pytest.raises(TypeError, match="x\\[int\\(i\\)\\]"):
            dg.sparsity(lambda x: x * len(escape(np.argmax(x)).__class__.__name__),
                        np.array([0.1, 0.9, -0.3]), mode="global")


@pytest.mark.parametrize("end, x", [("left", [-0.5, 0.2, 0.3, 0.4]),
                                    ("right", [2.5, 0.2, 0.3, 0.4])])
def test_interp_of_complex_values_with_a_traced_complex_end(end, x):
    """NumPy takes a complex end as a number, not a 0-d array (attack51b 03: a bare
    TypeError); outside xp the result is the end: Im(x0 * 1j) = x0."""
    def f(x):
        return np.interp(x[:1], [0.0, 1.0, 2.0], x[1:] * (1 + 1j), **{end: x[0] * 1j}).imag
    x = np.array(x)
    want = np.array([[1.0, 0.0, 0.0, 0.0]])
    np.testing.assert_array_equal(dg.sparsity(f, x).toarray(), want != 0)
    np.testing.assert_array_equal(dg.jacobian(f, x, sparsity="auto").toarray(), want)


def test_sparse_complex_hessian_as_the_jacobian_of_a_holomorphic_gradient():
    """jacobian(grad(h, holomorphic=True), z, holomorphic=True, sparsity="auto"): h's
    pattern traced with complex z (attack51b 04: dualgrad.grad was handed a tracer).
    Oracle: the closed-form Hessian of sin(z0) z1 + sin(z2) z3 + z0 ** 3."""
    def h(z):
        return np.sum(np.sin(z[::2]) * z[1::2]) + z[0] ** 3
    z = np.array([1 + 1j, 2 - 1j, 0.5j, 1.0])
    g = dg.grad(h, holomorphic=True)
    want = np.zeros((4, 4), complex)
    want[0, 0] = -np.sin(z[0]) * z[1] + 6 * z[0]
    want[0, 1] = want[1, 0] = np.cos(z[0])
    want[2, 2] = -np.sin(z[2]) * z[3]
    want[2, 3] = want[3, 2] = np.cos(z[2])
    np.testing.assert_array_equal(dg.sparsity(g, z, holomorphic=True).toarray(), want != 0)
    J = dg.jacobian(g, z, holomorphic=True, sparsity="auto")
    np.testing.assert_allclose(J.toarray(), want, rtol=1e-14)


def _chain_slice(d):
    d[::2] = d[:4]


def _chain_mask(d):
    d[np.arange(8) % 2 == 0] = d[:4]


def _chain_copyto(d):
    np.copyto(d[::2], d[:4])


@pytest.mark.parametrize("write", [_chain_slice, _chain_mask, _chain_copyto])
@pytest.mark.parametrize("mode", ["local", "global"])
def test_sparsity_refuses_writes_numpy_chains(write, mode):
    """NumPy copies an overlapping source element by element (its float program: d[4]
    holds x[1], read after d[2] was written); the tracer's rows are a buffered copy
    (x[2]): refused as the dual write is (attack52 10)."""
    def f(x):
        d = x * 1.0
        write(d)
        return d
    x = np.linspace(0.3, 1.0, 8)
    assert f(x)[4] == x[1]                           # the chained order, NumPy's
    with pytest.raises(TypeError, match="copy the source first"):
        dg.sparsity(f, x, mode=mode)


def test_sparsity_of_a_shift_is_the_shift():
    """u[1:] = u[:-1] (NumPy's order is a buffered copy there): element 4 is x[3]."""
    def f(x):
        d = x * 1.0
        d[1:] = d[:-1]
        return d
    x = np.linspace(0.3, 1.0, 8)
    np.testing.assert_array_equal(dg.sparsity(f, x).toarray(), np.abs(central4(f, x)) > 0.5)


def test_sparsity_refuses_a_flat_write_numpy_chains_into_a_reversed_view():
    """v = d[::-1]; v.flat[[1, 2, 3]] = v[:3]: NumPy's flat write reads what it wrote
    (every element becomes x[3]); the tracer's pattern was a buffered copy's, the dual
    refused (attack52 10b).  A C-ordered base follows NumPy's order exactly."""
    def reversed_view(x):
        d = x * 1.0
        v = d[::-1]
        v.flat[[1, 2, 3]] = v[:3]
        return d

    def contiguous(x):
        d = x * 1.0
        d.flat[[1, 2, 3]] = d[:3]
        return d
    x = np.arange(1.0, 5.0)
    assert (reversed_view(x) == x[3]).all()                # NumPy's chained order
    with pytest.raises(TypeError, match="copy the source first"):
        dg.sparsity(reversed_view, x)
    np.testing.assert_array_equal(dg.sparsity(contiguous, x).toarray(),
                                  np.abs(central4(contiguous, x)) > 0.5)
