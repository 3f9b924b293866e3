"""Structural functions of duals: views where NumPy returns views, whole-array partials.

The oracle for every write-through case is the same code run on floats: its value
(NumPy's own bits) and its Jacobian by central differences.  A function that copied
the partials where NumPy returns a view would change the value and leave the
partials behind: the Jacobian of the written-through base would then miss the
write, and the test fails.
"""

import numpy as np
import pytest

import dualgrad as dg
from dualgrad.testing import numerical_jacobian

rng = np.random.default_rng(7)
X = rng.uniform(0.5, 1.5, (3, 4))

# name: (view, write) -- ``view(y)`` is what NumPy documents as a view of ``y``;
# ``write(v)`` changes it in place (an in-place operator or an item assignment)
VIEWS = {
    "flip": (lambda y: np.flip(y), lambda v: v.__imul__(2.0)),
    "flip_axis": (lambda y: np.flip(y, axis=1), lambda v: v.__setitem__(0, np.sin(v[0]))),
    "flip_axes": (lambda y: np.flip(y, axis=(0, -1)), lambda v: v.__iadd__(v * v)),
    "flipud": (lambda y: np.flipud(y), lambda v: v.__setitem__(slice(0, 2), v[1:3] ** 2)),
    "fliplr": (lambda y: np.fliplr(y), lambda v: v.__imul__(v)),
    "rot90": (lambda y: np.rot90(y), lambda v: v.__setitem__((1, slice(None)), 3 * v[1])),
    "rot90_k3": (lambda y: np.rot90(y, 3, axes=(1, 0)), lambda v: v.__imul__(2.0)),
    "real": (lambda y: np.real(y), lambda v: v.__imul__(v)),
    "atleast_1d": (lambda y: np.atleast_1d(y), lambda v: v.__isub__(np.exp(v))),
    "atleast_2d_of_row": (lambda y: np.atleast_2d(y[1]), lambda v: v.__imul__(2.0)),
    "atleast_3d": (lambda y: np.atleast_3d(y), lambda v: v.__setitem__((0, 1, 0), v[2, 2, 0] ** 3)),
    "transpose": (lambda y: np.transpose(y), lambda v: v.__setitem__(0, v[0] * v[1])),
    "T": (lambda y: y.T, lambda v: v.__imul__(2.0)),
    "swapaxes": (lambda y: np.swapaxes(y, 0, 1), lambda v: v.__setitem__(2, -v[2])),
    "moveaxis": (lambda y: np.moveaxis(y, 0, -1), lambda v: v.__imul__(v)),
    "reshape": (lambda y: np.reshape(y, (2, 6)), lambda v: v.__setitem__(1, np.sin(v[0]))),
    "ravel": (lambda y: np.ravel(y), lambda v: v.__setitem__(slice(0, 5), v[5:10] * 2)),
    "squeeze": (lambda y: np.squeeze(y[None, 1:2]), lambda v: v.__imul__(3.0)),
    "expand_dims": (lambda y: np.expand_dims(y, 1), lambda v: v.__setitem__(0, v[1] * v[2])),
    "slice": (lambda y: y[1:, ::2], lambda v: v.__imul__(v)),
    "slice_negative_step": (lambda y: y[::-1, 1:3], lambda v: v.__iadd__(1.5)),
}


def _through(view, write):
    def f(x):
        y = x * 1.0               # a fresh array (dual) that the view shares
        v = view(y)
        write(v)
        return y                  # the base: the writes must show here
    return f


@pytest.mark.parametrize("name", sorted(VIEWS))
def test_writes_through_a_view_change_value_and_partials(name):
    f = _through(*VIEWS[name])
    expected_value = f(X.copy())
    assert not np.array_equal(expected_value, X)          # the write reached the base
    J = dg.jacobian(f, X)
    np.testing.assert_allclose(J, numerical_jacobian(f, X, h=1e-6), rtol=1e-7, atol=1e-8)
    out = dg.jvp(f, X, np.ones_like(X))[0]
    np.testing.assert_array_equal(out, expected_value)


@pytest.mark.parametrize("name", sorted(VIEWS))
def test_views_share_memory_as_numpy_does(name):
    view = VIEWS[name][0]
    d = dg.Dual(X.copy(), rng.standard_normal(X.shape + (3,)))
    v = view(d)
    numpy_shares = np.shares_memory(view(X), X)
    assert numpy_shares
    assert np.shares_memory(v.value, d.value)
    assert np.shares_memory(v.partials, d.partials)


@pytest.mark.parametrize("func", [lambda d: np.diagonal(d),
                                  lambda d: np.broadcast_to(d, (2,) + d.shape)])
def test_read_only_views_refuse_writes_like_numpy(func):
    d = dg.Dual(X.copy(), rng.standard_normal(X.shape + (2,)))
    v = func(d)
    with pytest.raises(ValueError):
        func(X.copy())[...] = 1.0                         # NumPy's behaviour
    with pytest.raises(ValueError):
        v[...] = 1.0


def test_diagonal_partials_follow_the_diagonal():
    def f(x):
        return np.diagonal(x.reshape(3, 4) ** 2, offset=1) * 3.0
    J = dg.jacobian(f, X.ravel())
    np.testing.assert_allclose(J, numerical_jacobian(f, X.ravel(), h=1e-6), rtol=1e-7,
                               atol=1e-8)


# Functions that move or combine elements: the whole partials array at once, every
# argument form, against central differences (first order) and second differences
# through nested duals (Hessians).
STRUCTURE = {
    "roll_flat": lambda x: np.roll(x, 5) * np.arange(12).reshape(3, 4),
    "roll_axis": lambda x: np.roll(x ** 2, -1, axis=0),
    "roll_axes": lambda x: np.roll(x, (1, 2), axis=(0, 1)) * x,
    "tile_more_reps": lambda x: np.tile(x[0] * x[1], (2, 1, 3)),
    "tile_fewer_reps": lambda x: np.tile(x, 2) ** 2,
    "repeat_flat": lambda x: np.repeat(x, 2) * np.arange(24),
    "repeat_axis": lambda x: np.repeat(x ** 2, [1, 0, 2], axis=0),
    "resize": lambda x: np.resize(x ** 2, (5, 3)),
    "delete_flat": lambda x: np.delete(x, [0, 5, 7]) ** 2,
    "delete_axis": lambda x: np.delete(x * x[0], 1, axis=1),
    "diag_vector": lambda x: np.diag(x[1] ** 2, k=-1),
    "diag_matrix": lambda x: np.diag(x * x, k=1),
    "trace": lambda x: np.trace(np.sin(x), offset=1),
    "tril": lambda x: np.tril(x * x, -1),
    "triu_of_row": lambda x: np.triu(x[0] ** 2),
    "diff_twice": lambda x: np.diff(x ** 2, n=2, axis=1),
    "diff_prepend_append": lambda x: np.diff(x ** 2, axis=0, prepend=1.0, append=x[:1]),
    "diff_axis0": lambda x: np.diff(np.sin(x), axis=0),
    "trapezoid_x": lambda x: np.trapezoid(x ** 2, x=[0.0, 0.5, 1.5, 2.0]),
    "trapezoid_x_full": lambda x: np.trapezoid(x ** 2, x=X, axis=0),
    "trapezoid_dual_x": lambda x: np.trapezoid(x[0] ** 2, x=np.cumsum(x[1])),
    "gradient_axes": lambda x: np.stack(np.gradient(x ** 2, 0.5, [0.0, 1.0, 1.5, 3.0])),
    "gradient_edge2": lambda x: np.gradient(x ** 3, axis=1, edge_order=2),
    "clip": lambda x: np.clip(x, 0.85, 1.2) * x,
    "clip_array_bounds": lambda x: np.clip(x, X[0] - 0.1, 1.3),
    "clip_one_sided": lambda x: np.clip(x ** 2, None, 1.0),
    "where": lambda x: np.where(X > 1.0, x ** 2, 2.0),
    "atleast_2d_many": lambda x: np.concatenate(np.atleast_2d(x[0], x) ) ** 2,
}


@pytest.mark.parametrize("name", sorted(STRUCTURE))
def test_structure_matches_central_differences(name):
    f = STRUCTURE[name]
    J = dg.jacobian(f, X)
    np.testing.assert_allclose(J, numerical_jacobian(f, X, h=1e-6), rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("name", sorted(STRUCTURE))
def test_structure_second_order(name):
    f = STRUCTURE[name]
    w = rng.standard_normal(np.shape(f(X)))
    x = X[:2, :3].copy()

    def scalar(z):
        full = X.copy() * 0.0 + X if not isinstance(z, dg.Dual) else None
        if full is None:
            full = np.concatenate([np.concatenate([z, np.zeros_like(z, shape=(2, 1)) + X[:2, 3:]],
                                                  axis=1), np.zeros_like(z, shape=(1, 4)) + X[2:]])
        else:
            full[:2, :3] = z
        return np.sum(np.sin(f(full)) * w)

    H = dg.hessian(scalar, x)
    h = 1e-4
    fd = np.empty(x.shape * 2)
    for i in np.ndindex(x.shape):
        for j in np.ndindex(x.shape):
            def at(si, sj):
                z = x.copy()
                z[i] += si * h
                z[j] += sj * h
                return scalar(z)
            fd[i + j] = (at(1, 1) - at(1, -1) - at(-1, 1) + at(-1, -1)) / (4 * h * h)
    np.testing.assert_allclose(H, fd, rtol=1e-4, atol=1e-5)


def test_clip_at_a_tie_takes_half_the_arguments_partials():
    # the convention of np.clip on duals: at a bound, the midpoint of the one-sided
    # derivatives 1 and 0 (rules/_table.py TIES; the argument's whole derivative until
    # tie41), as central differences across the bound give
    x = np.array([1.0, 2.0, 3.0, 0.5])
    g = dg.gradient(lambda x: np.sum(np.clip(x, 1.0, 2.0)), x)
    np.testing.assert_array_equal(g, [0.5, 0.5, 0.0, 0.0])
    h = 1e-6
    fd = [(np.sum(np.clip(x + h * e, 1.0, 2.0)) - np.sum(np.clip(x - h * e, 1.0, 2.0))) /
          (2 * h) for e in np.eye(4)]
    np.testing.assert_allclose(g, fd, atol=1e-9)


def test_clip_keeps_nan_out_of_clipped_partials():
    # a clipped element is a constant: its partials are exactly 0, whatever came in
    d = dg.Dual(np.array([0.0, 5.0, 0.5]), np.array([[np.inf], [np.nan], [2.0]]))
    out = np.clip(d, 0.1, 1.0)
    np.testing.assert_array_equal(out.partials[:2], 0.0)
    assert out.partials[2, 0] == 2.0


_VIEWS = [lambda y: y[::-1], lambda y: np.flip(y), lambda y: np.reshape(y, (2, 2)),
          lambda y: y[1:], lambda y: y.T]
_X = np.array([0.3, 0.7, 1.1, 1.9])


@pytest.mark.parametrize("view", _VIEWS)
def test_second_order_write_through_a_view_raises(view):
    # Inside hessian y = x * 1.0 has plain first-order partials; v *= v needs second-order
    # ones, which plain memory cannot hold: a promoted copy would leave y behind (it once
    # gave a wrong Hessian), so it raises, naming the fix.
    def f(x):
        y = x * 1.0
        v = view(y)
        v *= v
        return np.sum(y ** 3)
    with pytest.raises(TypeError, match="shares its memory.*Fix: write out of place"):
        dg.hessian(f, _X)


def test_second_order_write_into_a_viewed_base_raises():
    def f(x):
        y = x * 1.0
        v = y[::-1]
        y *= y                                   # v would keep the old memory
        return np.sum(v ** 3)
    with pytest.raises(TypeError, match="shares its memory"):
        dg.hessian(f, _X)


def test_second_order_write_out_of_place_is_exact():
    # the spelling the message recommends: sum(x ** 6), Hessian diag(30 x ** 4)
    def f(x):
        y = x * 1.0
        v = y[::-1]
        v = v * v
        return np.sum(v ** 3)
    np.testing.assert_allclose(dg.hessian(f, _X), np.diag(30.0 * _X ** 4), rtol=1e-12)


@pytest.mark.parametrize("index", [1, slice(1, 3), slice(None, None, -1), [0, 2]])
def test_second_order_augmented_item_assignment_is_exact(index):
    # y[i] *= y[i]: Python stores the result into y, so no memory is left behind
    def f(x):
        y = x * 1.0
        y[index] *= y[index]
        return np.sum(y ** 3)
    w = np.ones(4)
    w[index] = 2.0                               # exponent 6 where squared, else 3
    expected = np.diag(w * 3.0 * (w * 3.0 - 1.0) * _X ** (w * 3.0 - 2.0))
    np.testing.assert_allclose(dg.hessian(f, _X), expected, rtol=1e-12)


def test_second_order_write_into_a_view_nothing_else_holds_is_exact():
    def f(x):
        y = (x * 1.0)[::-1]                      # a view, but its base has no other holder
        y *= y
        return np.sum(y ** 3)
    np.testing.assert_allclose(dg.hessian(f, _X), np.diag(30.0 * _X ** 4), rtol=1e-12)


@pytest.mark.parametrize("layout", [lambda a: a[::2], lambda a: a[::-1],
                                    lambda a: a.reshape(3, 4)[:, ::2],
                                    lambda a: a.reshape(3, 4)[::-1]],
                         ids=["step2", "reversed", "columns", "rows-reversed"])
@pytest.mark.parametrize("ravel", [np.ravel, lambda t: t.ravel()], ids=["np.ravel", "method"])
def test_ravel_copies_where_numpy_copies(layout, ravel):
    """np.ravel of data of one uniform stride is a copy in NumPy (a reshape to -1 of the
    same may be a view): a write to it must reach neither the base's value nor its
    partials (it reached both: attack13 01).  Oracle: NumPy on the floats."""
    x = np.arange(1.0, 13.0)
    floats = x.copy()
    want_view = np.shares_memory(ravel(layout(floats)), floats)
    d = dg.Dual(x.copy(), np.eye(12))
    r = ravel(layout(d))
    r[0] = dg.Dual(100.0, np.full(12, 7.0))
    flat = ravel(layout(floats))
    flat[0] = 100.0
    np.testing.assert_array_equal(d.value, floats)
    assert not want_view and not np.any(d.partials == 7.0)
