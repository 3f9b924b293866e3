"""``np.asarray`` of a dual array: a snapshot, so writes that floats would share raise.

On floats ``np.asarray(y)`` (``asanyarray``, ``ascontiguousarray``, ``asfortranarray``,
``require``, ``np.array(y, copy=None)``, ``as_strided``) is ``y`` itself; on an array
dual it is an object array of scalar duals (NumPy's ``__array__`` must return an
ndarray).  Each write that would make the two disagree must raise instead of giving
the derivative of the snapshot.  Oracles: the same code on floats (what the right
answer is) by central differences, and each case below fails on the code before the
snapshot tracking (it returned the snapshot's derivative silently).
"""

import gc

import numpy as np
import pytest

import dualgrad as dg
from dualgrad.testing import numerical_jacobian

X = np.array([0.7, 1.3, 2.1, 0.4])

SPELLINGS = {
    "asarray": np.asarray,
    "asanyarray": np.asanyarray,
    "ascontiguousarray": np.ascontiguousarray,
    "asfortranarray": np.asfortranarray,
    "require": np.require,
    "array_copy_none": lambda y: np.array(y, copy=None),
    "as_strided": lambda y: np.lib.stride_tricks.as_strided(y),
}

# ``write(y, x)``: an in-place write into the dual ``y`` (or memory it shares)
WRITES = {
    "imul": lambda y, x: y.__imul__(x),
    "iadd_fast_path": lambda y, x: y.__iadd__(x),
    "iadd_constant": lambda y, x: y.__iadd__(1.0),
    "setitem_scalar": lambda y, x: y.__setitem__(0, x[1] ** 2),
    "setitem_constant": lambda y, x: y.__setitem__(0, 5.0),
    "setitem_slice": lambda y, x: y.__setitem__(slice(1, None), x[:-1]),
    "setitem_list": lambda y, x: y.__setitem__(slice(0, 2), [x[1], x[0]]),
    "copyto": lambda y, x: np.copyto(y, np.sin(x)),
    "ufunc_out": lambda y, x: np.multiply(y, x, out=y),
    "clip_out": lambda y, x: np.clip(y, 0.5, 1.5, out=y),
    "add_at": lambda y, x: np.add.at(y, [0, 0, 2], x[:3]),
    "sort": lambda y, x: y.sort(),
    "fill": lambda y, x: y.fill(x[2]),
    "flat": lambda y, x: y.flat.__setitem__(1, x[0]),
    "view_of_y": lambda y, x: y[::-1].__imul__(x),
    "base_of_y": None,                   # y is a view of z; z *= x (below)
}


def _snapshot_then_write(spelling, write):
    def f(x):
        if write is None:
            z = x * 1.0
            y = z[1:]
            v = spelling(y)
            z *= x
        else:
            y = x * 1.0
            v = spelling(y)
            write(y, x)
        return np.sum(v * v)
    return f


@pytest.mark.parametrize("spelling", sorted(SPELLINGS))
@pytest.mark.parametrize("write", sorted(WRITES))
def test_a_write_into_a_dual_whose_asarray_snapshot_lives_raises(spelling, write):
    f = _snapshot_then_write(SPELLINGS[spelling], WRITES[write])
    with pytest.raises(TypeError, match=r"np\.asarray\(y\) returned still lives.*"
                                         r"y = y \* x instead of y \*= x"):
        dg.gradient(f, X)


@pytest.mark.parametrize("write", sorted(w for w in WRITES if WRITES[w] is not None))
def test_asarray_with_dtype_object_is_a_copy_as_on_floats(write):
    """np.asarray(y, dtype=object) is a new array on floats (the dtype changes): a later
    write into y does not reach it, so it is no snapshot to guard (attack72 M4: it was
    refused as one); the gradient is the float code's."""
    f = _snapshot_then_write(lambda y: np.asarray(y, dtype=object), WRITES[write])
    np.testing.assert_allclose(dg.gradient(f, X), numerical_jacobian(f, X), rtol=1e-7)


@pytest.mark.parametrize("helper", ["hessian", "jacobian_of_gradient", "scalar_input"])
def test_the_refusal_holds_inside_nested_calls_and_for_every_helper(helper):
    def f(x):
        y = x * x
        v = np.asarray(y)
        y *= x
        return np.sum(v)
    with pytest.raises(TypeError, match="np.asarray"):
        if helper == "hessian":
            dg.hessian(f, X)
        elif helper == "jacobian_of_gradient":
            dg.jacobian(lambda x: dg.gradient(f, x), X)
        else:
            dg.derivative(lambda t: f(X * t), 1.5)


def test_the_float_answer_of_each_write_is_what_the_refusal_protects():
    """On floats the snapshot is y: the derivative of sum(v * v) sees the write (here
    y *= x gives sum(x**4), gradient 4 x**3), which the old object-array snapshot
    missed (it gave 2 x)."""
    f = _snapshot_then_write(np.asarray, WRITES["imul"])
    np.testing.assert_allclose(numerical_jacobian(f, X), 4 * X ** 3, rtol=1e-7)


@pytest.mark.parametrize("helper", ["gradient", "jacobian", "hessian", "jvp",
                                    "elementwise_grad"])
@pytest.mark.parametrize("write", ["item", "slice", "input"])
def test_writes_into_the_snapshot_while_y_lives_are_refused(helper, write):
    """The other direction: ``v[0] = d`` cannot reach y (an object ndarray has no write
    hook), so the snapshot is read-only while y's memory lives; NumPy's refusal
    ("assignment destination is read-only") becomes dualgrad's message inside helpers.
    ``input``: x = np.asarray(x) on f's own input, whose dual the helper holds."""
    def f(x):
        y = x * 1.0
        if write == "input":
            x = np.asarray(x)
            x[0] = 0.0
            return x * x
        v = np.asarray(y)
        if write == "item":
            v[0] = x[1] * 3.0
        else:
            v[1:] = 2.0
        return y * 1.0
    call = {"gradient": lambda: dg.gradient(lambda x: np.sum(f(x)), X),
            "jacobian": lambda: dg.jacobian(f, X),
            "hessian": lambda: dg.hessian(lambda x: np.sum(f(x)), X),
            "jvp": lambda: dg.jvp(f, X, X),
            "elementwise_grad": lambda: dg.elementwise_grad(f)(X)}[helper]
    # (refusals70: the refusal names what was written and the snapshot's own binding)
    name, dual = ("x", "x") if write == "input" else ("v", "y")
    with pytest.raises(TypeError, match=rf"wrote into {name} \(at line .*an array that "
                                        rf"np\.asarray returned.*Fix: make {name} a dual "
                                        rf"array, {name} = {dual}\.copy\(\) in place of "
                                        rf"{name} = np\.asarray\({dual}\)"):
        call()


def test_outside_helpers_numpy_itself_refuses_the_write():
    y = dg.Dual(X.copy(), np.eye(4))
    v = np.asarray(y)
    with pytest.raises(ValueError, match="read-only"):
        v[0] = 1.0


def _central(f):
    return numerical_jacobian(f, X)


def test_copies_stay_allowed_and_exact():
    def f(x):
        y = x * x
        a, b, c = np.array(y), np.copy(y), y.copy()
        y *= x                                   # a, b, c are copies: they keep x**2
        a[0] = x[3] * 2.0                        # copies are writable
        return np.sum(a) + 2 * np.sum(b) + 3 * np.sum(c) + np.sum(y)
    np.testing.assert_allclose(dg.gradient(f, X), _central(f), rtol=1e-7)


def test_writes_after_the_snapshot_died_are_exact():
    def f(x):
        y = x * x
        total = np.sum(np.asarray(y))            # a temporary snapshot
        y *= x
        v = np.asarray(y)
        s = np.sum(v)
        del v
        gc.collect()
        y[0] = x[1] * 5.0
        return total + s + np.sum(y)
    # analytic: sum x**2 + sum x**3 + (5 x1 + sum_{i>0} x_i**3); central differences
    # would call gc.collect 32 times, seconds each in the whole suite's heap
    right = 2 * X + 3 * X ** 2 + np.where(np.arange(X.size) > 0, 3 * X ** 2, 0.0)
    right[1] += 5.0
    np.testing.assert_allclose(dg.gradient(f, X), right, rtol=1e-13)


def test_rebinding_to_the_snapshot_then_filling_it_is_exact():
    """``y = np.asarray(y)`` drops the only dual y was: its memory is gone, so the
    snapshot is y's only form and writing into it is what floats do."""
    def f(x):
        y = x * 2.0
        y = np.asarray(y)
        y[0] = x[1] * x[2]
        y[1:3] = [x[0], np.sin(x[3])]
        return np.sum(y * y)
    np.testing.assert_allclose(dg.gradient(f, X), _central(f), rtol=1e-7)


def test_a_write_that_does_not_touch_the_snapshotted_memory_stays_allowed():
    def f(x):
        z = x * 1.0
        w = x * 3.0
        v = np.asarray(z[:2])
        z[2:] = z[2:] * x[2:]                    # beyond the bytes v copied
        w *= x                                   # other memory altogether
        return np.sum(v * v) + np.sum(z) + np.sum(w)
    np.testing.assert_allclose(dg.gradient(f, X), _central(f), rtol=1e-7)


def test_copy_false_cannot_be_honoured_and_says_so():
    def f(x):
        return np.sum(np.array(x * 1.0, copy=False))
    with pytest.raises(ValueError, match=r"copy=False.*y\.copy\(\) for an explicit copy"):
        dg.gradient(f, X)


def test_no_entry_is_left_behind_after_a_helper():
    from dualgrad.dual import _snapshots

    def f(x):
        y = x * x
        return np.sum(np.asarray(y)) + np.sum(np.asarray(y[1:]))
    dg.gradient(f, X)
    gc.collect()
    assert _snapshots.LIVE == {}


@pytest.mark.engine_independent
def test_duals_made_directly_are_covered_too():
    y = dg.Dual(X.copy(), np.eye(4))
    v = np.asarray(y)
    with pytest.raises(TypeError, match="np.asarray"):
        y *= 2.0
    assert v[0].value == X[0] and not v.flags.writeable
    del v
    gc.collect()
    y *= 2.0
    np.testing.assert_array_equal(y.partials, 2 * np.eye(4))


@pytest.mark.engine_independent
def test_two_snapshots_of_one_memory_each_guard_it_until_their_memory_goes():
    """The bookkeeping (one weak reference per root, one per snapshot): a snapshot of
    the whole and one of a view share the root's entry; the first to die leaves the
    other guarding its bytes; once the memory dies, the survivor becomes writable
    and no entry is left."""
    from dualgrad.dual import _snapshots

    gc.collect()
    older = set(_snapshots.LIVE)            # (another test's, its traceback still held)
    y = dg.Dual(X.copy(), np.eye(4))
    whole, part = np.asarray(y), np.asarray(y[2:])
    mine = set(_snapshots.LIVE) - older
    assert len(mine) == 1 and len(_snapshots.LIVE[next(iter(mine))]) == 2
    del whole
    gc.collect()
    with pytest.raises(TypeError, match="np.asarray"):
        y[3] = 1.0                           # the view's snapshot still lives
    y[0] = 5.0                               # outside the bytes it copied: allowed
    assert not part.flags.writeable
    del y
    gc.collect()
    assert part.flags.writeable and not mine & set(_snapshots.LIVE) and \
        not mine & set(_snapshots._roots)
    part[0] = 0.0                            # the memory is gone: the snapshot is the user's


@pytest.mark.parametrize("n", [1, 2, 16, 17])
@pytest.mark.engine_independent
def test_the_elements_are_the_rows_each_kind(n):
    """np.asarray builds each element from its row: one slot per partial up to
    MAX_SLOTS (the class's own loop), one array beyond; each element's value and
    partials are the dual's own numbers, and the snapshot keeps them when the
    dual's arrays are written later (after the snapshot is gone)."""
    rng = np.random.default_rng(n)
    value, partials = rng.normal(size=5), rng.normal(size=(5, n))
    y = dg.Dual(value.copy(), partials.copy())
    snap = np.asarray(y)
    assert snap.dtype == object and snap.shape == (5,) and not snap.flags.writeable
    for i, e in enumerate(snap):
        assert e.value == value[i]
        np.testing.assert_array_equal(e.partials, partials[i])
    kept = list(snap)
    del snap
    gc.collect()
    y *= 2.0                                 # allowed now; the elements stay as they were
    for i, e in enumerate(kept):
        np.testing.assert_array_equal(e.partials, partials[i])


# ---- as_strided's strides over the object array (attack51 07) ------------------------

def _pairs(y):
    """Rolling pairs by as_strided with y's own strides, their differences."""
    w = np.lib.stride_tricks.as_strided(y, shape=(len(y) - 1, 2),
                                        strides=(y.strides[0], y.strides[0]))
    return w[:, 1] - w[:, 0]


_X = np.arange(1.0, 13.0) ** 1.5


@pytest.mark.parametrize("helper", [
    dg.jacobian, lambda f, x: dg.jacobian(f, x, sparsity="auto").toarray(),
    lambda f, x: dg.hessian(lambda v: np.sum(f(v) ** 2), x)])
@pytest.mark.parametrize("view", [lambda x: x[::2], lambda x: (x + 1j * x[::-1]).real,
                                  lambda x: x.reshape(3, 4)[:, 1]],
                         ids=["step", "real part", "column"])
def test_as_strided_with_a_views_strides_is_refused(helper, view):
    # the object array of a view's elements is contiguous 8-byte pointers: the view's
    # strides (16, 32 bytes) read other elements (a wrong Jacobian) or past its end
    # (a crash), where NumPy on floats reads the view's own
    with pytest.raises(TypeError, match="sliding_window_view"):
        helper(lambda x: _pairs(view(x)), _X)


def test_as_strided_windows_and_the_refusals_spellings_are_exact():
    # contiguous float64 values: the object array has their strides, the windows are
    # exact; the message's two spellings on a view give the floats' central differences
    np.testing.assert_allclose(dg.jacobian(_pairs, _X), numerical_jacobian(_pairs, _X), atol=1e-7)

    def by_windows(x):
        w = np.lib.stride_tricks.sliding_window_view(x[::2], 2)
        return w[:, 1] - w[:, 0]

    def by_copy(x):
        return _pairs(np.ascontiguousarray(x[::2]))
    want = numerical_jacobian(lambda x: _pairs(x[::2]), _X)
    for f in (by_windows, by_copy):
        np.testing.assert_allclose(dg.jacobian(f, _X), want, atol=1e-7)


def test_as_strided_windows_past_a_view_or_in_another_order_are_refused():
    # attack51 07 follow-up: a window reaching past a view's 3 elements into its parent
    # (the object array holds 3 pointers: a crash), and a transposed (F-ordered) array
    # under the sparsity tracer, whose object array is C-ordered (wrong rows); the
    # dense Jacobian of the F-ordered window is exact (X.T.ravel(): rows 0, 4, 8, 1)
    def past(x):
        v = (x * 1.0)[2:5]
        return np.lib.stride_tricks.as_strided(v, shape=(5,), strides=(v.strides[0],)) * 1.0

    def inside(x):
        v = (x * 1.0)[2:5]
        return np.lib.stride_tricks.as_strided(v, shape=(2,), strides=(v.strides[0],)) * 1.0

    def transposed(x):
        v = (x.reshape(3, 4) * 1.0).T
        return np.lib.stride_tricks.as_strided(v, v.shape, v.strides).ravel()
    with pytest.raises(TypeError, match="reach past them"):
        dg.jacobian(past, _X)
    np.testing.assert_array_equal(dg.jacobian(inside, _X), np.eye(12)[2:4])
    np.testing.assert_array_equal(dg.jacobian(transposed, _X),
                                  np.eye(12)[np.arange(12).reshape(3, 4).T.ravel()])
    with pytest.raises(TypeError, match="sliding_window_view"):
        dg.jacobian(transposed, _X, sparsity="auto")
