"""Array duals behave like ndarrays: shape, indexing, in-place work, conversions."""

import numpy as np
import pytest

import dualgrad as dg


@pytest.fixture
def a():
    return dg.Dual(np.arange(6.0).reshape(2, 3), np.arange(12.0).reshape(2, 3, 2))


def test_shape_attributes(a):
    assert a.shape == (2, 3) and a.ndim == 2 and a.size == 6 and len(a) == 2
    assert a.T.shape == (3, 2)
    np.testing.assert_array_equal(a.T.partials, np.transpose(a.partials, (1, 0, 2)))
    assert isinstance(a, dg.Dual) and isinstance(a[0, 0], dg.Dual)


@pytest.mark.parametrize("index", [0, (1, 2), (slice(None), 1), (Ellipsis, 0), (None, 1),
                                   [1, 0], (np.array([0, 1]), np.array([2, 0])),
                                   np.array([[True, False, True], [False, True, False]])])
def test_indexing_takes_value_and_partials_alike(a, index):
    got = a[index]
    np.testing.assert_array_equal(np.asarray(got.value), a.value[index])
    for k in range(2):
        np.testing.assert_array_equal(np.asarray(got.partials)[..., k],
                                      a.partials[..., k][index])


def test_full_index_gives_a_scalar_dual(a):
    s = a[1, 2]
    assert s.ndim == 0 and isinstance(s.value, float)
    assert s.value == 5.0 and list(s.partials) == [10.0, 11.0]


def test_item_assignment_of_floats_and_duals(a):
    b = a.copy()
    b[0, 0] = 7.0
    assert b.value[0, 0] == 7.0 and list(b.partials[0, 0]) == [0.0, 0.0]
    b[1] = a[0] * 2
    np.testing.assert_array_equal(b.partials[1], 2 * a.partials[0])
    b[:, 1] = a[0, 0]
    np.testing.assert_array_equal(b.partials[:, 1], [a.partials[0, 0]] * 2)
    mask = a.value > 2
    b[mask] = -a[mask]
    np.testing.assert_array_equal(b.partials[mask], -a.partials[mask])
    # the original is untouched by work on its copy
    np.testing.assert_array_equal(a.value, np.arange(6.0).reshape(2, 3))


def test_in_place_operators_write_through_views(a):
    b = a.copy()
    b[:, 1:] += b[:, :-1] * 2.0
    want = a.copy()
    want_v = a.value.copy()
    want_v[:, 1:] += a.value[:, :-1] * 2.0
    np.testing.assert_array_equal(b.value, want_v)
    np.testing.assert_array_equal(b.partials[:, 1:], a.partials[:, 1:] + 2 * a.partials[:, :-1])
    view = b[0]
    view *= 3.0
    np.testing.assert_array_equal(b.partials[0], 3 * (a.partials[0] + np.concatenate(
        [np.zeros((1, 2)), 2 * a.partials[0, :-1]])))
    assert want.shape == (2, 3)


@pytest.mark.parametrize("sign", [1.0, -1.0])
@pytest.mark.parametrize("other", ["float", "int array", "same shape", "broadcast row",
                                   "scalar dual", "vector scalar dual", "own view"])
def test_in_place_sums_match_plain_arithmetic(a, sign, other):
    """``+=`` and ``-=`` update values and partials in place, one pass each; the
    result is the out-of-place one, views write through, and overlap is honoured."""
    b = a.copy()
    if other == "own view":
        target, operand = b[:, 1:], b[:, :-1]
        want = a[:, 1:] + sign * a[:, :-1]
    else:
        target = b[1:]
        operand = {"float": 2.5, "int array": np.arange(3),
                   "same shape": a[:1] * 3.0, "broadcast row": a[0] * 0.5,
                   "scalar dual": a[0, 1] * 2.0,
                   "vector scalar dual": dg.Dual(1.5, np.arange(2.0) + 7.0)}[other]
        if other == "vector scalar dual":
            operand.tag = a.tag
        want = a[1:] + sign * operand
    if sign > 0:
        target += operand
    else:
        target -= operand
    got = b[:, 1:] if other == "own view" else b[1:]
    np.testing.assert_array_equal(got.value, want.value)
    np.testing.assert_array_equal(got.partials, want.partials)
    untouched = b[:, 0] if other == "own view" else b[0]
    np.testing.assert_array_equal(untouched.partials, a[:, 0].partials if other == "own view"
                                  else a[0].partials)


def test_in_place_sum_that_cannot_broadcast_raises_and_leaves_the_dual_alone(a):
    b = a.copy()
    with pytest.raises(ValueError):
        b[0] += np.ones((2, 3))
    np.testing.assert_array_equal(b.value, a.value)
    np.testing.assert_array_equal(b.partials, a.partials)


@pytest.mark.parametrize("two", [2, 2.0])
def test_squaring_with_the_operator_is_exact(a, two):
    """``a ** 2`` (which takes the square rule, as ``**`` does for ndarrays) gives
    ``x**2`` and ``2 x p`` bit for bit; other exponents keep the power rule."""
    got = a ** two
    np.testing.assert_array_equal(got.value, a.value ** 2)
    np.testing.assert_array_equal(got.partials, (2.0 * a.value)[..., None] * a.partials)
    cube = a ** 3
    np.testing.assert_allclose(cube.partials, (3.0 * a.value ** 2)[..., None] * a.partials)


def test_the_users_error_state_is_kept_and_restored(a):
    """Local derivatives and partials are computed with divide/invalid/over/under
    silenced (float code that runs clean under ``np.seterr(all="raise")`` must run
    clean on duals: a ``where`` branch not taken may underflow, as the scaled
    branch of arcsinh's derivative does at every ordinary x); the values keep the
    user's settings, and all of them are back after every operation, nested duals
    included."""
    with np.errstate(all="raise"):
        before = np.geterr()
        d = dg.Dual(np.array([0.0, 4.0]), np.eye(2))
        r = np.sqrt(d)                        # d/dx sqrt at 0: inf, silently
        assert r.partials[0, 0] == np.inf and np.geterr() == before
        h = dg.hessian(lambda x: np.sum(np.log(x) * x), np.array([1.0, 2.0]))
        np.testing.assert_allclose(np.diag(h), [1.0, 0.5])
        assert np.geterr() == before
        tiny = dg.Dual(np.array([1.0]), np.full((1, 1), 1e-300)) * np.array([1e-300])
        assert tiny.partials[0, 0] == 0.0                  # the partial underflows quietly
        r = np.arcsinh(dg.Dual(np.array([3.0, 1e200]), np.ones((2, 1))))
        np.testing.assert_allclose(r.partials[:, 0], [10 ** -0.5, 1e-200], rtol=1e-15)
        with pytest.raises(FloatingPointError):         # the value's underflow raises
            dg.Dual(np.array([1e-300]), np.ones((1, 1))) * np.array([1e-300])
        with pytest.raises(FloatingPointError):
            np.log(dg.Dual(np.array([0.0]), np.ones((1, 1))))          # the value itself


def test_ufunc_out_argument(a):
    out = np.zeros_like(a)
    res = np.multiply(a, a, out=out)
    assert res is out
    np.testing.assert_array_equal(out.partials, 2 * a.value[..., None] * a.partials)


def test_iteration_and_unpacking(a):
    first, second = a
    np.testing.assert_array_equal(second.partials, a.partials[1])
    assert [float(np.sum(row.value)) for row in a] == [3.0, 12.0]


def test_comparisons_give_plain_bools(a):
    assert (a > 2).dtype == bool and not isinstance(a > 2, dg.Dual)
    np.testing.assert_array_equal(a >= a[0, 1], a.value >= 1.0)
    s = a[0, 1]
    assert (s < 2) is True and (s == 1.0) is True
    if s > 0:
        pass
    else:
        pytest.fail("if on a dual compares values")


def test_object_array_of_scalar_duals(a):
    objs = np.array([a[0, 0], a[0, 1] * 2])
    assert objs.dtype == object
    out = np.sin(objs) + a[1, :2]
    np.testing.assert_allclose(out.value, np.sin([0.0, 2.0]) + [3.0, 4.0])
    np.testing.assert_allclose(np.asarray(a).shape, (2, 3))


def test_methods(a):
    np.testing.assert_array_equal(a.sum(axis=0).partials, a.partials.sum(axis=0))
    np.testing.assert_array_equal(a.mean().partials, a.partials.mean(axis=(0, 1)))
    np.testing.assert_array_equal(a.reshape(3, 2).partials, a.partials.reshape(3, 2, 2))
    np.testing.assert_array_equal(a.reshape((6,)).value, np.arange(6.0))
    np.testing.assert_array_equal(a.dot(np.ones(3)).partials, a.partials.sum(axis=1))
    assert a.max().value == 5.0 and a.min().value == 0.0


def test_repr_is_readable(a):
    assert repr(a[0, 1]) == "Dual(1.0, [2.0, 3.0])"
    assert repr(a).startswith("Dual(array(")


def test_ufunc_reduce_accumulate_outer(a):
    np.testing.assert_array_equal(np.add.reduce(a, axis=1).partials, a.partials.sum(axis=1))
    np.testing.assert_array_equal(np.multiply.reduce(a[1]).value, 60.0)
    np.testing.assert_array_equal(np.add.accumulate(a, axis=1).partials,
                                  np.cumsum(a.partials, axis=1))
    o = np.multiply.outer(a[0], a[1])
    assert o.shape == (3, 3)
    np.testing.assert_array_equal(o.partials[1, 2], a.value[1, 2] * a.partials[0, 1] +
                                  a.value[0, 1] * a.partials[1, 2])


def test_clip_into_out_updates_the_dual_in_place():
    def f(x):
        u = x * 2.0
        np.clip(u, 1.0, 3.0, out=u)
        return u
    x = np.array([0.2, 0.9, 2.0])
    np.testing.assert_array_equal(dg.jacobian(f, x), np.diag([0.0, 2.0, 0.0]))
    np.testing.assert_array_equal(dg.jvp(f, x, np.ones(3))[0], [1.0, 1.8, 3.0])


@pytest.mark.parametrize("n", [4, 40])
def test_scalars_taken_from_an_array_dual_are_snapshots(n):
    """Slot kind (n <= 16) and vector kind alike: a later write into the array
    changes neither the value nor the partials of an element taken before."""
    x = dg.Dual(np.arange(3.0), np.ones((3, n)))
    first, objects = x[0], np.array(x)          # an explicit copy (np.asarray: refused)
    x[0] = x[1] * 5.0
    for s in (first, objects[0]):
        assert s.value == 0.0 and np.array_equal(s.partials, np.ones(n))


# ---- ndarray methods users call (oracle: the same code on floats, central differences)
from dualgrad.testing import numerical_jacobian  # noqa: E402

Y = np.array([0.9, 0.3, 1.7, 1.2, 0.5, 2.2])


def _check(f, x=Y):
    np.testing.assert_allclose(f(x), f(x))                      # runs on floats
    np.testing.assert_allclose(dg.jacobian(f, x), numerical_jacobian(f, x),
                               rtol=1e-7, atol=1e-9)


METHODS = {
    # (values at Y at least 0.1 apart: the central differences' stencil spans 8e-3)
    "sort": lambda x: (lambda y: (y.sort(), y * 2.0)[1])(np.sin(2.0 * x)),
    "sort_axis": lambda x: (lambda y: (y.sort(axis=0), y.ravel())[1])(
        np.reshape(np.sin(2.0 * x), (2, 3))),
    "sort_view": lambda x: (lambda y: (y[1:5].sort(), y)[1])(x * np.sin(x)),
    "fill": lambda x: (lambda y: (y[1:3].fill(x[4] * x[0]), y)[1])(x * 1.0),
    "fill_number": lambda x: (lambda y: (y.fill(2.0), y + x)[1])(x * 1.0),
    "flat_read": lambda x: np.stack([np.reshape(x * x, (2, 3)).T.flat[i] for i in range(6)]),
    "flat_write": lambda x: (lambda y: (y.T.flat.__setitem__(slice(1, 3), x[:2] ** 3), y)[1])(
        np.reshape(x * 1.0, (2, 3))).ravel(),
    "flat_assign": lambda x: (lambda y: (setattr(y.T, "flat", x[::-1] * x), y)[1])(
        np.reshape(x * 1.0, (2, 3))).ravel(),
    "flat_iter": lambda x: np.stack(list(np.reshape(x * x[0], (3, 2)).flat)),
    "item": lambda x: np.stack([x.item(2) * 3.0, (x * x).reshape(2, 3).item(1, 1),
                                x[4].item() ** 2]),
    "view": lambda x: (lambda y: (y.view().__imul__(x), y)[1])(x * 1.0),
    "diagonal": lambda x: np.reshape(x * x, (2, 3)).diagonal(1) * 2.0,
}


@pytest.mark.parametrize("name", sorted(METHODS))
def test_ndarray_methods_are_exact_and_write_where_numpy_writes(name):
    _check(METHODS[name])


def test_view_with_a_dtype_and_sort_with_fields_name_the_fix():
    x = dg.Dual(Y.copy(), np.eye(6))
    with pytest.raises(TypeError, match=r"view\(dtype\).*drop the derivatives"):
        x.view(np.int64)
    with pytest.raises(TypeError, match=r"order=None.*np\.sort"):
        x.sort(order="a")
    s = x[0]
    assert s.view() is s and s.item() is s and s.item(0) is s


@pytest.mark.parametrize("dtype", [complex, np.complex128, "complex128"])
def test_complex_buffers_from_zeros_like_hold_complex_duals(dtype):
    """np.zeros_like(x, dtype=complex) was a plain array: storing a dual raised the
    buffer advice for the very spelling the user had written."""
    def f(x):
        out = np.zeros_like(x, dtype=dtype)
        out[:] = x * (1.0 + 2.0j)
        buf = np.zeros(3, dtype, like=x)
        buf[0] = x[0] * 1j
        return np.abs(out) ** 2 + np.imag(buf[0])
    x = np.array([0.5, 1.5, 2.0])
    np.testing.assert_allclose(dg.jacobian(f, x),
                               np.diag(10.0 * x) + np.outer(np.ones(3), [1, 0, 0]))


@pytest.mark.parametrize("dtype", [np.float32, np.int64, np.complex64])
def test_zeros_like_of_other_dtypes_stays_a_plain_array_and_refuses_duals(dtype):
    def f(x):
        out = np.zeros_like(x, dtype=dtype)
        assert type(out) is np.ndarray and out.dtype == dtype
        out[0] = x[0]
        return out
    with pytest.raises(TypeError, match=r"plain NumPy array.*np\.zeros_like\(x, shape="):
        dg.jacobian(f, np.ones(3))


@pytest.mark.parametrize("item", ["list", "tuple", "nested", "mixed"])
def test_lists_of_scalar_duals_store_into_a_dual_buffer(item):
    """y[:2] = [d1, d2] into a buffer made by np.zeros_like(x) gave the buffer advice
    (use np.zeros_like(x)) although y was that buffer."""
    def f(x):
        y = np.zeros_like(x, shape=(2, 3))
        if item == "list":
            y[0, :2] = [x[0] * x[1], np.sin(x[2])]
        elif item == "tuple":
            y[1, 1:] = (x[2] ** 2, x[0])
        elif item == "nested":
            y[:, :1] = [[x[1]], [x[2] * 3.0]]
        else:
            y[0] = [1.0, x[1], 2.0]
        return y.ravel()
    x = np.array([0.4, 1.1, 0.8])
    np.testing.assert_allclose(dg.jacobian(f, x), numerical_jacobian(f, x), rtol=1e-7,
                               atol=1e-9)
    np.testing.assert_allclose(dg.hessian(lambda x: np.sum(f(x) ** 2), x),
                               numerical_jacobian(lambda x: dg.gradient(
                                   lambda x: np.sum(f(x) ** 2), x), x), rtol=1e-6)


@pytest.mark.parametrize("name", ["sort", "fill", "flat", "diagonal"])
def test_array_only_methods_on_a_scalar_dual_name_the_array_spelling(name):
    s = dg.Dual(np.array([1.0, 2.0]), np.eye(2))[0]
    with pytest.raises(TypeError, match=rf"d\.{name} on a scalar dual.*call it on the array"):
        attribute = getattr(s, name)
        attribute()
    assert isinstance(exc_info_of(lambda: getattr(s, name)()), AttributeError)


def exc_info_of(fn):
    try:
        fn()
    except Exception as exc:  # noqa: BLE001
        return exc
    return None


# ---- ndarray methods (dualgrad.dual._array: AS_FUNCTIONS, ON_VALUES, REFUSED) ----------
_X = np.array([[3.0, 1.0, 4.0], [1.7, 9.0, 2.6]])
# per method: the arguments of a call (the same call on a float ndarray is the oracle)
_METHOD_CALLS = {
    "all": [(), (1,)], "any": [(), (0,)], "argsort": [(), (0,)], "clip": [(1.2, 3.5)],
    "cumprod": [(), (1,)], "cumsum": [(), (0,)], "diagonal": [(), (1,)], "dot": [(_X.T,)],
    "max": [(), (1,)], "mean": [(), (0,)], "min": [(), (1,)], "nonzero": [()],
    "prod": [(), (1,)], "repeat": [(2,), (2, 1)], "round": [(), (1,)],
    "searchsorted": [(2.0,)], "squeeze": [()], "std": [(), (0,)], "sum": [(), (1,)],
    "swapaxes": [(0, 1)], "take": [([0, 2],), ([2, 0], 1)], "trace": [(), (1,)],
    "var": [(), (1,)], "argmax": [(), (1,)], "argmin": [(), (0,)], "argpartition": [(1, 1)],
}


def _method_cases():
    from dualgrad.dual._array import AS_FUNCTIONS, ON_VALUES
    for name in AS_FUNCTIONS + ON_VALUES:
        for args in _METHOD_CALLS[name]:       # a KeyError: a listed method without a test
            yield name, args


@pytest.mark.parametrize("name, args", list(_method_cases()))
def test_ndarray_methods_match_numpys_methods(name, args):
    """Every generated method: the value is ndarray's method on the floats, and the
    Jacobian matches central differences of ndarray's method (exact for these
    piecewise-linear and polynomial functions up to rounding)."""
    x = _X.ravel() if name == "searchsorted" else _X
    want = getattr(x, name)(*args)
    out = []

    def f(a):
        r = getattr(a, name)(*args)
        out.append(r)
        return r if isinstance(r, dg.Dual) else np.sum(a) * 0.0
    jac = dg.jacobian(f, x)
    got = out[-1]
    if isinstance(want, tuple):                                  # nonzero
        assert all(np.array_equal(g, w) for g, w in zip(got, want))
        return
    if not isinstance(got, dg.Dual):                             # indices, bools
        assert np.array_equal(got, want) and type(np.asarray(got)) is np.ndarray
        return
    assert np.allclose(got.value, want, rtol=1e-15, atol=0)
    h = 1e-6
    cols = []
    for k in range(x.size):
        e = np.zeros(x.size)
        e[k] = h
        e = e.reshape(x.shape)
        cols.append((getattr(x + e, name)(*args) - getattr(x - e, name)(*args)) / (2 * h))
    fd = np.moveaxis(np.array(cols), 0, -1).reshape(np.shape(jac))
    assert np.allclose(jac, fd, rtol=1e-6, atol=1e-8)


def test_in_place_methods_and_mT_match_numpy():
    def f(a):
        b = a * 1.0
        b.partition(1, axis=1)
        c = a * 2.0
        c.put([0, 4], [10.0, a[0, 1]])
        d = a.compress([True, False, True], axis=1)
        e = a.compress([False, True, True])
        return np.concatenate([b.ravel(), c.ravel(), d.ravel(), e.ravel(), a.mT.ravel()])

    got = dg.jacobian(f, _X).reshape(-1, 6)
    b = _X.copy()
    b.partition(1, axis=1)
    c = 2.0 * _X
    c.put([0, 4], [10.0, _X[0, 1]])
    assert np.array_equal(f(dg.Dual(_X, np.zeros(_X.shape + (1,)))).value, np.concatenate(
        [b.ravel(), c.ravel(), _X.compress([True, False, True], axis=1).ravel(),
         _X.compress([False, True, True]), _X.mT.ravel()]))
    # partition: each output row is a permutation of its input row: rows of the identity
    jb = got[:6].reshape(6, 6)
    assert np.array_equal(jb.sum(axis=1), np.ones(6)) and set(jb.ravel()) <= {0.0, 1.0}
    jc = got[6:12]
    assert jc[0].sum() == 0.0 and jc[4, 1] == 1.0 and jc[1, 1] == 2.0
    assert np.array_equal(got[-6:], np.eye(6).reshape(2, 3, 6).transpose(1, 0, 2).reshape(6, 6))


@pytest.mark.parametrize("name", ["resize", "tobytes", "tofile", "dump", "dumps", "byteswap",
                                  "getfield", "setfield", "choose"])
def test_methods_that_drop_derivatives_raise_naming_the_fix(name):
    d = dg.Dual(_X, np.ones(_X.shape + (1,)))
    with pytest.raises(TypeError, match=rf"d\.{name}\(\).*Fix"):
        getattr(d, name)((2, 3)) if name == "resize" else getattr(d, name)()


def test_every_numpy_method_is_on_array_duals():
    """dir(np.ndarray) walked against ArrayDual: every public name is there (memory
    ones as information or as a TypeError naming the fix: see the next test)."""
    from dualgrad.dual import ArrayDual
    public = {n for n in dir(np.ndarray) if not n.startswith("_")}
    assert public - set(dir(ArrayDual)) == set()


def test_memory_attributes_inform_or_raise_naming_the_fix():
    # attack15 a5_attrs: flags, strides, itemsize, nbytes, base... were bare AttributeErrors
    seen = {}

    def f(x):
        a = x[::2] * 1.0
        seen.update(itemsize=x.itemsize, nbytes=x.nbytes, strides=x.strides,
                    c=x.flags.c_contiguous, device=x.device, same=x.to_device("cpu") is x,
                    hasbase=hasattr(x, "base"), ctypes=getattr(x, "ctypes", None),
                    astrides=x[::2].strides)
        for name in ("base", "data", "ctypes"):
            with pytest.raises(TypeError, match=rf"d\.{name} on a dual array.*Fix: "):
                getattr(x, name)
        with pytest.raises(TypeError, match=r"d\.setflags\(\).*Fix: "):
            x.setflags(write=False)
        with pytest.raises(TypeError, match=r"d\.shape = \.\.\..*Fix: reshape instead"):
            a.shape = (2, 1)
        x.flags.writeable = False            # a view's flags: information, changes nothing
        a[0] = x[1]
        return a
    x = np.arange(1.0, 5.0)
    np.testing.assert_array_equal(dg.jacobian(f, x), [[0, 1, 0, 0], [0, 0, 1, 0]])
    plain = np.arange(1.0, 5.0)
    assert seen == dict(itemsize=8, nbytes=32, strides=(8,), c=True, device="cpu", same=True,
                        hasbase=False, ctypes=None, astrides=plain[::2].strides)
    z = dg.Dual(np.ones(3) * 1j, np.ones((3, 1)))
    assert (z.itemsize, z.nbytes) == (16, 48)
    with pytest.raises(ValueError, match="device 'cpu'"):
        z.to_device("gpu")


@pytest.mark.parametrize("chunk", [1, 3, 16, 17])
def test_np_array_of_array_duals_reads_back_as_np_stack(chunk):
    # np.array([u, v]) of array duals is an object array of scalar duals (NumPy's
    # choice); the helpers read it back column by column: the same Jacobian as
    # np.stack, against the analytic one, for slots classes (n <= 16) and the
    # vector class (n = 17), with numbers among the duals
    x = np.linspace(0.1, 2.0, 17)

    def f(x):
        return np.array([np.sin(x), x ** 2, np.ones_like(x)])

    def g(x):
        return np.stack([np.sin(x), x ** 2, np.ones_like(x)])

    J = dg.jacobian(f, x, chunk=chunk)
    np.testing.assert_array_equal(J, dg.jacobian(g, x, chunk=chunk))
    np.testing.assert_allclose(J[0], np.diag(np.cos(x)), rtol=1e-15)
    np.testing.assert_allclose(J[1], np.diag(2 * x), rtol=1e-15)
    assert not J[2].any()
    mixed = dg.jacobian(lambda x: np.array([x[0] * x[1], 3.0, 2, x[2]]), x[:3], chunk=chunk)
    np.testing.assert_array_equal(mixed, [[x[1], x[0], 0], [0, 0, 0], [0, 0, 0], [0, 0, 1]])


def test_np_array_of_array_duals_keeps_tags_complex_and_nesting_apart():
    x = np.array([0.3, 1.2])
    # complex values: an object array would be read as real numbers (.real, .imag):
    # refused, np.stack keeps their imaginary parts
    with pytest.raises(TypeError, match="complex dual array"):
        dg.jacobian(lambda x: np.array([x * 1j, x]), x)
    J = dg.jacobian(lambda x: np.stack([x * 1j, x]), x)
    np.testing.assert_array_equal(J, [np.eye(2) * 1j, np.eye(2)])
    # nested (Hessian): values and partials are duals themselves
    H = dg.hessian(lambda x: np.sum(np.array([x ** 3, np.sin(x)])), x)
    np.testing.assert_allclose(H, np.diag(6 * x - np.sin(x)), rtol=1e-15)
    # an inner helper's duals among the outer's: d/dx0 [x0 * d/dy (x0 y + y)] = 2 x0 + 1
    inner = dg.gradient(lambda x: np.sum(np.array([
        dg.derivative(lambda y: np.sum(np.array([x[0] * y, y])), 1.0) * x[0], x[1]])), x)
    np.testing.assert_allclose(inner, [2 * x[0] + 1, 1.0], rtol=1e-15)


@pytest.mark.parametrize("op", ["+", "-"])
def test_object_arrays_of_array_duals_keep_their_elements(op):
    """``A + B`` of object arrays whose elements are large array duals: NumPy's object
    loop hands the operator elements it holds by borrowed pointers, which count as
    temporaries would; a reuse of a temporary operand's value (as NumPy elides
    temporaries) overwrote ``A[0]`` (attack11: values off by 1.96).  By hand:
    A[0] = 2x and B[0] = 3x after the sum, d/dx of sin(A[0]) + C[0] = 2 cos(2x) + 5 (or -1)."""
    x = np.linspace(0.1, 1.0, 50_000)              # 400 KB: above NumPy's elision size

    def f(z):
        A = np.empty(1, dtype=object)
        B = np.empty(1, dtype=object)
        A[0], B[0] = z * 2.0, z * 3.0
        C = eval(f"A {op} B")                      # noqa: S307 - the two operators above
        return np.sin(A[0]) + C[0] + 0.0 * B[0]
    sign = 1.0 if op == "+" else -1.0
    np.testing.assert_allclose(f(x), np.sin(2 * x) + (2 + 3 * sign) * x, rtol=1e-12, atol=1e-14)
    got = dg.elementwise_grad(f)(x)
    np.testing.assert_allclose(got, 2 * np.cos(2 * x) + 2 + 3 * sign, rtol=1e-14, atol=1e-14)


@pytest.mark.parametrize("form", ["put", "flat", "flat_scalar"])
def test_a_write_with_an_index_out_of_bounds_writes_numpys_prefix_then_raises(form):
    # NumPy writes the positions before the bad index, then raises; a caller that
    # catches the IndexError sees that array: value as NumPy's float run, derivative
    # as its complex step
    x = np.linspace(0.5, 1.5, 8)
    bad = np.array([3, -1, 13, 1])

    def run(a, b):
        try:
            if form == "put":
                a.put(bad, b[:4])
            elif form == "flat":
                a.flat[bad] = b[:4]
            else:
                a.flat[bad] = b[2]
        except IndexError:
            pass
        return a

    def f(p):
        return run(np.sin(x * p), np.exp(x * p))
    h = 1e-30
    want = run(np.sin(x * 0.7), np.exp(x * 0.7))
    step = run(np.sin(x * (0.7 + 1j * h)), np.exp(x * (0.7 + 1j * h))).imag / h
    got = f(dg.Dual(0.7, [1.0]))
    np.testing.assert_array_equal(got.value, want)
    np.testing.assert_allclose(got.partials[:, 0], step, rtol=1e-14)
    assert not np.array_equal(want, np.sin(x * 0.7))           # the prefix was written


@pytest.mark.parametrize("statement", [
    "v.flat[::3] = v[::-1][::3]",
    "v.flat[idx] = v[::-1][:5]",
    "v.flat[1:] = v[:-1]",
    "v.flat[:6] = v.reshape(3, 4).T[:, :2]",
    "v.flat = v[::-1]",
    "v.flat[np.array([2, 5, 30, 0])] = v[::-1][:4]",
])
def test_flat_writes_read_an_overlapping_source_as_numpy_does(statement):
    # NumPy's flat assignment copies element after element, no copy of the source
    # first: a later element can read one already written (v.flat = v copies first);
    # value as the float run, derivative as its complex step
    x = np.arange(1.0, 13.0)
    idx = np.array([0, 3, 6, 9, 3])

    def run(v):
        try:
            exec(statement, {"np": np, "v": v, "idx": idx})
        except IndexError:
            pass
        return v

    h = 1e-30
    got = run(dg.Dual(x * 1.0, np.stack([x, x ** 2], axis=-1)))
    want = run(x * 1.0)
    step = np.stack([run(x * (1.0 + 1j * h * x ** k)).imag / h for k in (0, 1)], axis=-1)
    np.testing.assert_array_equal(got.value, want)
    np.testing.assert_allclose(got.partials, step, rtol=1e-14)
