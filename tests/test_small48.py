"""Small arrays in fewer steps (issue 13, small48): ``u ** 2`` of a 1-D float64 dual
calls the square's kernel from ``ArrayDual.__pow__`` itself (the exact unary operator's
first branch, written out: one Python call fewer).

Oracles, independent of the code under test: NumPy's value bits (``np.square``), the
closed form ``d(x**2) = 2 x dx`` on floats to rounding, the general path under
``_kernels.use("numpy")`` (whose bits every path must reproduce), NumPy's errors and
error state, and the closed forms of gradients and Hessians.
"""

import threading
import warnings

import numpy as np
import pytest

import dualgrad as dg
from dualgrad import errors
from dualgrad.backend import _kernels, _loader
from dualgrad.dual._base import new_tag
from _probes import python_calls, same_duals

RNG = np.random.default_rng(48)


def _dual(x, n=3, layout="C", tag=None):
    p = RNG.standard_normal((len(x), n))
    if layout == "F":
        p = np.asfortranarray(p)
    elif layout == "reversed":
        p = p[::-1]
    elif layout == "strided":
        p = np.repeat(p, 2, axis=0)[::2]
    return dg.Dual(np.asarray(x, dtype=float), p, tag=new_tag() if tag is None else tag)


@pytest.mark.parametrize("two", [2, 2.0])
def test_square_one_python_call(two):
    _loader.load()
    u = _dual(RNG.uniform(0.5, 2.0, 10), 4)
    u ** two                                  # (the kernel's cell filled)
    calls = python_calls(lambda: u ** two)
    assert calls == ["<lambda>", "__pow__"], calls


@pytest.mark.parametrize("layout", ["C", "F", "reversed", "strided"])
@pytest.mark.parametrize("N, n", [(1, 1), (10, 4), (10, 10), (37, 16), (3, 40)])
@pytest.mark.parametrize("numba", [False, True])
@pytest.mark.parametrize("two", [2, 2.0])
def test_square_closed_form_and_the_general_path_bits(layout, N, n, numba, two, monkeypatch):
    if numba:
        _loader.load()
    elif not _loader.READY:
        monkeypatch.setattr(_loader, "LOAD_AFTER", float("inf"))
    x = RNG.uniform(-2.0, 2.0, N)
    u = _dual(x, n, layout)
    got = u ** two
    assert got.value.tobytes() == np.square(x).tobytes()
    want = (2.0 * x)[:, None] * np.asarray(u.partials)
    np.testing.assert_allclose(got.partials, want, rtol=1e-15, atol=1e-300)
    assert got.partials.flags.c_contiguous
    with _kernels.use("numpy"):
        general = u ** two
    same_duals(got, general)
    same_duals(got, np.square(u))


@pytest.mark.parametrize("x", [
    [0.0, 1.5, -2.0], [-0.0, 0.5, 3.0], [np.nan, 1.0, 2.0], [np.inf, 1.0, 2.0],
    [-np.inf, 1.0, 2.0], [1e-170, 1.0, 2.0], [5e-324, 1.0, 2.0], [1e200, 1.0, 2.0]])
def test_square_zeros_nan_inf_tiny_huge_as_the_general_path(x):
    _loader.load()
    u = _dual(x, 3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        got = u ** 2
        with _kernels.use("numpy"):
            general = u ** 2
    same_duals(got, general)
    assert got.value.tobytes() == np.square(np.asarray(x)).tobytes()


def test_square_overflow_reports_as_numpy():
    _loader.load()
    u = _dual([1e200, 1.0, 2.0], 2)
    with np.errstate(all="raise"):
        with pytest.raises(FloatingPointError):
            u ** 2
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        got = u ** 2
    assert [str(w.message) for w in seen] == \
        [str(w.message) for w in _numpy_warnings(lambda: np.square(u.value))]
    assert got.value[0] == np.inf


def _numpy_warnings(op):
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        op()
    return seen


def test_square_not_taken_without_numba_or_forced_off():
    _loader.load()
    x = RNG.uniform(0.5, 2.0, 10)
    u = _dual(x, 4)
    ready = _loader.READY
    _loader.READY = False
    try:
        calls = python_calls(lambda: u ** 2)
        got = u ** 2
    finally:
        _loader.READY = ready
    assert calls[:2] == ["<lambda>", "__pow__"] and len(calls) > 2, calls
    np.testing.assert_allclose(got.partials, (2.0 * x)[:, None] * u.partials, rtol=1e-15)


def test_square_two_d_values_and_large_work_left_to_the_operator():
    _loader.load()
    x = RNG.uniform(0.5, 2.0, (3, 4))
    dx = RNG.standard_normal((3, 4, 2))
    u = dg.Dual(x, dx, tag=new_tag())
    got = u ** 2
    np.testing.assert_allclose(got.partials, 2.0 * x[..., None] * dx, rtol=1e-15)
    assert got.value.tobytes() == np.square(x).tobytes()
    big = RNG.uniform(0.5, 2.0, 4000)
    v = _dual(big, 8)
    got = v ** 2
    np.testing.assert_allclose(got.partials, (2.0 * big)[:, None] * v.partials, rtol=1e-15)
    assert got.value.tobytes() == np.square(big).tobytes()


def test_square_escaped_dual_raises_as_before():
    _loader.load()
    tag = new_tag()
    u = _dual([1.0, 2.0], 2, tag=tag)
    from dualgrad.dual._base import retire
    retire(tag)
    with pytest.raises(errors.DualTypeError, match="escaped"):
        u ** 2
    with pytest.raises(errors.DualTypeError, match="escaped"):
        np.square(u)


def test_other_exponents_unchanged():
    _loader.load()
    x = RNG.uniform(0.5, 2.0, 6)
    u = _dual(x, 3)
    for b in (np.float64(2.0), 3, 2.5, True):
        got = u ** b
        y = float(b)
        assert got.value.tobytes() == np.power(x, y).tobytes()
        np.testing.assert_allclose(got.partials, (y * x ** (y - 1.0))[:, None] * u.partials,
                                   rtol=1e-14)
    with pytest.raises(TypeError):
        pow(u, 2, 3)


def test_square_gradient_and_hessian_closed_forms():
    x = RNG.uniform(-2.0, 2.0, 7)
    np.testing.assert_allclose(dg.gradient(lambda v: np.sum(v ** 2 * x), x), 2.0 * x * x,
                               rtol=1e-15)
    h = dg.hessian(lambda v: np.sum(v ** 2 * v), x)          # sum v**3: diag(6 v)
    np.testing.assert_allclose(h, np.diag(6.0 * x), rtol=1e-14, atol=1e-300)
    j = dg.jacobian(lambda v: (v[::-1] ** 2)[1:], x)        # a reversed view's square
    want = np.zeros((6, 7))
    for i in range(6):
        want[i, 5 - i] = 2.0 * x[5 - i]
    np.testing.assert_allclose(j, want, rtol=1e-15)


def test_square_threads_each_their_closed_form():
    _loader.load()
    failures = []

    def work(seed):
        rng = np.random.default_rng(seed)
        try:
            for _ in range(200):
                x = rng.uniform(-3.0, 3.0, 10)
                u = _dual(x, 4)
                got = u ** 2
                if got.value.tobytes() != np.square(x).tobytes() or not np.allclose(
                        got.partials, (2.0 * x)[:, None] * u.partials, rtol=1e-15, atol=0):
                    failures.append(seed)
        except Exception as exc:          # noqa: BLE001 (reported below)
            failures.append(exc)
    threads = [threading.Thread(target=work, args=(s,)) for s in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []


# ---- u[j] --------------------------------------------------------------------------

@pytest.mark.parametrize("layout", ["C", "F", "reversed", "strided"])
@pytest.mark.parametrize("n", [1, 2, 4, 10, 16, 17, 40])
def test_element_is_the_value_item_and_the_partials_row(layout, n):
    x = RNG.uniform(-2.0, 2.0, 10)
    u = _dual(x, n, layout)
    p = np.asarray(u.partials)
    for j in (0, 3, 9, -1, -10, np.int64(4).item()):
        e = u[j]
        assert type(e.value) is float and e.value == x[j]
        assert np.asarray(e.partials).tobytes() == p[j].tobytes()
        assert np.asarray(e.partials).dtype == np.float64 and e.tag == u.tag
    for j in (np.int64(5), np.intp(-2)):          # NumPy integers: the general lines
        e = u[j]
        assert e.value == x[j] and np.asarray(e.partials).tobytes() == p[j].tobytes()


def test_element_index_errors_are_numpys():
    x = RNG.uniform(-2.0, 2.0, 10)
    u = _dual(x, 3)
    for j in (10, -11, 1 << 70):
        with pytest.raises(IndexError) as got:
            u[j]
        with pytest.raises(IndexError) as want:
            x[j]
        assert str(got.value) == str(want.value)


def test_element_of_a_written_array_is_a_copy():
    x = RNG.uniform(-2.0, 2.0, 5)
    u = _dual(x, 2)
    e = u[2]
    row = np.asarray(e.partials).copy()
    u[2] = 7.0 * u[1]                    # the array written after the read: e unchanged
    assert e.value == x[2] and np.asarray(e.partials).tobytes() == row.tobytes()
    f = u[2]
    assert f.value == 7.0 * x[1]
    np.testing.assert_allclose(f.partials, 7.0 * np.asarray(u.partials)[1], rtol=1e-15)


def test_element_reads_in_a_gradient_and_a_hessian():
    def f(v):
        return v[0] * v[1] + v[2] ** 2 - v[-1] * v[0]
    x = np.array([1.5, -0.5, 2.0, 0.25])
    np.testing.assert_allclose(dg.gradient(f, x), [x[1] - x[3], x[0], 2 * x[2], -x[0]],
                               rtol=1e-15)
    want = np.array([[0.0, 1.0, 0.0, -1.0], [1.0, 0.0, 0.0, 0.0], [0.0, 0.0, 2.0, 0.0],
                     [-1.0, 0.0, 0.0, 0.0]])
    np.testing.assert_allclose(dg.hessian(f, x), want, atol=1e-15)
    w = dg.jacobian(lambda v: np.stack([(v * v)[j] for j in range(4)]), x)
    np.testing.assert_allclose(w, np.diag(2.0 * x), rtol=1e-15)


# ---- a swap of rows through views (Generator.shuffle's untyped path) -------------------

_X = np.arange(12.0).reshape(4, 3) + 1.0
_W = np.arange(12.0).reshape(4, 3) ** 2 + 1.0


def _in_place(shuffle):
    def f(v):
        h = v * 1.0
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)    # NumPy's "not a Sequence"
            shuffle(h)
        return np.sum(h * _W)
    return f


@pytest.mark.parametrize("shuffle", [
    lambda h: np.random.default_rng(3).shuffle(h),
    lambda h: np.random.RandomState(3).shuffle(h),
    lambda h: __import__("random").Random(3).shuffle(h)], ids=["Generator", "RandomState",
                                                               "random"])
def test_shuffling_rows_of_a_dual_array_is_refused(shuffle):
    with pytest.raises(TypeError, match=r"rng\.permutation\(len\(h\)\)"):
        dg.gradient(_in_place(shuffle), _X)


def test_shuffling_rows_of_a_complex_or_nested_dual_array_is_refused():
    def complex_rows(v):
        h = v * (1.0 + 0.5j)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            np.random.default_rng(3).shuffle(h)
        return np.sum((h * _W).real)
    with pytest.raises(TypeError, match=r"rng\.permutation\(len\(h\)\)"):
        dg.gradient(complex_rows, _X)

    def nested(v):
        h = v.reshape(4, 3) * 1.0
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            np.random.default_rng(3).shuffle(h)
        return np.sum(h * h * _W)
    with pytest.raises(TypeError, match=r"rng\.permutation\(len\(h\)\)"):
        dg.hessian(nested, _X.ravel())


def test_a_tuple_swap_of_rows_is_refused_as_it_would_duplicate():
    def f(v):
        h = v * 1.0
        h[0], h[2] = h[2], h[0]
        return np.sum(h * _W)
    with pytest.raises(TypeError, match=r"h\[\[i, j\]\] = h\[\[j, i\]\]"):
        dg.gradient(f, _X)
    plain = _X.copy()
    plain[0], plain[2] = plain[2], plain[0]        # what a float array does: duplicates
    assert (plain[0] == plain[2]).all()


def test_the_named_fixes_are_exact():
    perm = np.random.default_rng(3).permutation(4)
    want = np.empty_like(_X)
    want[perm] = _W                                  # h[i] = v[perm[i]]

    def by_index(v):
        h = v * 1.0
        return np.sum(h[np.random.default_rng(3).permutation(len(h))] * _W)
    value, grad = dg.value_and_grad(by_index)(_X)
    assert value == np.sum(_X[perm] * _W)
    np.testing.assert_array_equal(grad, want)

    def by_copy(v):
        h = v * 1.0
        h[[0, 2]] = h[[2, 0]]
        return np.sum(h * _W)
    swapped = _W.copy()
    swapped[[0, 2]] = swapped[[2, 0]]
    np.testing.assert_array_equal(dg.gradient(by_copy, _X), swapped)


def test_a_one_d_dual_array_shuffles_exactly():
    x = np.arange(6.0) + 1.0
    w = np.arange(6.0) ** 2 + 1.0
    perm = np.arange(6)
    np.random.default_rng(5).shuffle(perm)

    def f(v):
        h = v * 1.0
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            np.random.default_rng(5).shuffle(h)
        return np.sum(h * w)
    value, grad = dg.value_and_grad(f)(x)
    want = np.empty_like(x)
    want[perm] = w
    assert value == np.sum(x[perm] * w)
    np.testing.assert_array_equal(grad, want)


def test_row_copies_that_are_no_swap_stay_allowed():
    def f(v):
        h = v * 1.0
        h[1] = h[0]                     # row 0 into 1
        h[2] = h[3]                     # row 3 into 2
        h[3] = h[1]                     # row 1 (now row 0) into 3
        h[0] = h[0]                     # a row onto itself
        other = v * 2.0
        other[1] = h[0]                 # another array's row
        h[0] = other[1]
        return np.sum(h * _W) + np.sum(other * _W)
    # h = [v0, v0, v3, v0], other = [2 v0, v0, 2 v2, 2 v3]
    g = np.zeros_like(_X)
    g[0] = _W[0] + _W[1] + _W[3] + 2.0 * _W[0] + _W[1]
    g[2] = 2.0 * _W[2]
    g[3] = _W[2] + 2.0 * _W[3]
    np.testing.assert_allclose(dg.gradient(f, _X), g, rtol=1e-15)
